"""WD201 on models wrapped by PEFT: only the adapters train, unless the config trains biases,
norms or whole modules too (as PEFT defines its configs). Cases in the style of PEFT's examples."""

import textwrap

import pytest

import wdlint

CODE = "WD201"


def _rows(source: str) -> list[int]:
    return [d.location.row for d in wdlint.lint_source(textwrap.dedent(source), "example.py", select=[CODE])]


SEQ2SEQ_FSDP = """\
import torch
from accelerate import Accelerator
from transformers import AutoModelForSeq2SeqLM, get_linear_schedule_with_warmup
from peft import LoraConfig, TaskType, get_peft_model


def main():
    accelerator = Accelerator()
    model_name_or_path = "t5-base"
    peft_config = LoraConfig(
        task_type=TaskType.SEQ_2_SEQ_LM, inference_mode=False, r=8, lora_alpha=32, lora_dropout=0.1
    )
    model = AutoModelForSeq2SeqLM.from_pretrained(model_name_or_path)
    model = get_peft_model(model, peft_config)
    accelerator.print(model.print_trainable_parameters())
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    model, optimizer = accelerator.prepare(model, optimizer)
"""

# a notebook's cells, joined: the config in the first cell, the model and the optimizer later
PROMPT_TUNING_NOTEBOOK = """\
from transformers import AutoModelForCausalLM
from peft import get_peft_config, get_peft_model, PromptTuningInit, PromptTuningConfig, TaskType, PeftType
import torch

model_name_or_path = "bigscience/bloomz-560m"
peft_config = PromptTuningConfig(
    task_type=TaskType.CAUSAL_LM,
    prompt_tuning_init=PromptTuningInit.TEXT,
    num_virtual_tokens=8,
    prompt_tuning_init_text="Classify if the tweet is a complaint or not:",
    tokenizer_name_or_path=model_name_or_path,
)
lr = 3e-2
model = AutoModelForCausalLM.from_pretrained(model_name_or_path)
model = get_peft_model(model, peft_config)
print(model.print_trainable_parameters())
optimizer = torch.optim.AdamW(model.parameters(), lr=lr)
"""

WHISPER = """\
import argparse
import torch
from transformers import WhisperForConditionalGeneration, BitsAndBytesConfig
from peft import AdaLoraConfig, LoraConfig, get_peft_model, prepare_model_for_kbit_training

parser = argparse.ArgumentParser()
parser.add_argument("--use_peft", action="store_true")
parser.add_argument("--use_adalora", action="store_true")
parser.add_argument("--weight_decay", type=float, default=0.0)
args = parser.parse_args()

model = WhisperForConditionalGeneration.from_pretrained(
    "openai/whisper-large-v2", quantization_config=BitsAndBytesConfig(load_in_8bit=True)
)
if args.use_peft:
    model = prepare_model_for_kbit_training(model)
    if args.use_adalora:
        config = AdaLoraConfig(init_r=12, target_r=4, beta1=0.85, beta2=0.85, tinit=200, tfinal=1000, deltaT=10)
    else:
        config = LoraConfig(r=32, lora_alpha=64, target_modules=["q_proj", "v_proj"], lora_dropout=0.05)
    model = get_peft_model(model, config)
    model.print_trainable_parameters()

optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-2)
"""

BLIP2_INT8 = """\
import torch
from transformers import AutoModelForVision2Seq, BitsAndBytesConfig
from peft import LoraConfig, get_peft_model

config = LoraConfig(
    r=16,
    lora_alpha=32,
    lora_dropout=0.05,
    bias="none",
)
model = AutoModelForVision2Seq.from_pretrained(
    "Salesforce/blip2-opt-2.7b", quantization_config=BitsAndBytesConfig(load_in_8bit=True)
)
model = get_peft_model(model, config)
model.print_trainable_parameters()
optimizer = torch.optim.AdamW(model.parameters(), lr=5e-5)
"""

MULTITASK = """\
from torch.optim.adamw import AdamW
from transformers import AutoModelForSeq2SeqLM
from peft import get_peft_model, MultitaskPromptTuningConfig, TaskType, MultitaskPromptTuningInit

peft_config = MultitaskPromptTuningConfig(
    tokenizer_name_or_path="google/flan-t5-base",
    num_tasks=2,
    task_type=TaskType.SEQ_2_SEQ_LM,
    prompt_tuning_init=MultitaskPromptTuningInit.TEXT,
    num_virtual_tokens=50,
    num_transformer_submodules=1,
    prompt_tuning_init_text="classify the following into either positive or negative, or entailment, neutral or contradiction:",
)
model = AutoModelForSeq2SeqLM.from_pretrained("google/flan-t5-base")
model = get_peft_model(model, peft_config)
optimizer = AdamW(model.parameters(), lr=1e-4)

peft_config = MultitaskPromptTuningConfig(
    tokenizer_name_or_path="google/flan-t5-base",
    num_tasks=1,
    task_type=TaskType.SEQ_2_SEQ_LM,
    prompt_tuning_init=MultitaskPromptTuningInit.EXACT_SOURCE_TASK,
    prompt_tuning_init_state_dict_path="checkpoints_source/50000.bin",
    num_virtual_tokens=50,
    num_transformer_submodules=1,
)
model = AutoModelForSeq2SeqLM.from_pretrained("google/flan-t5-base")
model = get_peft_model(model, peft_config)
optimizer = AdamW(model.parameters(), lr=1e-4)
"""

TIMESFM = """\
import torch
from peft import LoraConfig, get_peft_model
from transformers import TimesFm2_5ModelForPrediction

ft_model = TimesFm2_5ModelForPrediction.from_pretrained("google/timesfm-2.5-200m-transformers", dtype=torch.float32)
lora_config = LoraConfig(
    r=16,
    lora_alpha=32,
    target_modules=["q_proj", "k_proj", "v_proj", "o_proj"],
    lora_dropout=0.05,
    bias="none",
)
ft_model = get_peft_model(ft_model, lora_config)
optimizer = torch.optim.AdamW(ft_model.parameters(), lr=1e-4, weight_decay=0.01)
"""

HELPER = """\
import torch
from transformers import AutoModelForCausalLM
from peft import LoraConfig, get_peft_model


def load_model(name, lora_r):
    model = AutoModelForCausalLM.from_pretrained(name)
    config = LoraConfig(r=lora_r, lora_alpha=2 * lora_r, target_modules=["q_proj", "v_proj"])
    return get_peft_model(model, config)


model = load_model("meta-llama/Llama-2-7b-hf", 16).to("cuda")
optimizer = torch.optim.AdamW(model.parameters(), lr=2e-4, weight_decay=0.1)
"""

SEQ_CLS_GPT2 = """\
import torch
from transformers import AutoModelForSequenceClassification
from peft import LoraConfig, get_peft_model

model = AutoModelForSequenceClassification.from_pretrained("gpt2", num_labels=2)
model = get_peft_model(model, LoraConfig(task_type="SEQ_CLS", r=8, lora_alpha=16))
optimizer = torch.optim.AdamW(params=model.parameters(), lr=1e-3)
"""


@pytest.mark.parametrize(
    "source",
    (
        pytest.param(SEQ2SEQ_FSDP, id="LoRA seq2seq, accelerate (peft_lora_seq2seq_accelerate_fsdp.py)"),
        pytest.param(PROMPT_TUNING_NOTEBOOK, id="prompt tuning notebook, config in another cell"),
        pytest.param(WHISPER, id="AdaLoRA or LoRA per option, after prepare_model_for_kbit_training"),
        pytest.param(BLIP2_INT8, id="int8 LoRA, bias none (fine_tune_blip2_int8.py)"),
        pytest.param(MULTITASK, id="multitask prompt tuning, built twice"),
        pytest.param(TIMESFM, id="LoRA on a forecaster (timesfm2_5.ipynb)"),
        pytest.param(HELPER, id="PEFT model built in a helper"),
        pytest.param(SEQ_CLS_GPT2, id="SEQ_CLS on GPT-2: the score head has no bias"),
        pytest.param(
            "import torch\nfrom peft import PeftModel\nmodel = PeftModel.from_pretrained(base, adapter_dir, is_trainable=True)\n"
            "optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)\n",
            id="a checkpoint's config: not known, not guessed",
        ),
        pytest.param(
            "import torch\nfrom peft import LoraConfig, get_peft_model\n"
            "model = get_peft_model(model, LoraConfig(bias=cfg.lora_bias, modules_to_save=cfg.modules))\n"
            "optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)\n",
            id="a config from values not known: not guessed",
        ),
    ),
)
def test_quiet(source):
    assert _rows(source) == []


TOKEN_CLS_BIAS_ALL = """\
import torch
from peft import get_peft_config, PeftModel, get_peft_model, LoraConfig, TaskType

peft_config = LoraConfig(
    task_type=TaskType.TOKEN_CLS, inference_mode=False, r=16, lora_alpha=16, lora_dropout=0.1, bias="all"
)
model = get_peft_model(model, peft_config)
model.print_trainable_parameters()
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
"""

SEQ_CLS_ROBERTA = """\
import torch
from torch.optim import AdamW
from peft import get_peft_model, LoraConfig
from transformers import AutoModelForSequenceClassification

model_name_or_path = "roberta-large"
peft_config = LoraConfig(task_type="SEQ_CLS", inference_mode=False, r=8, lora_alpha=16, lora_dropout=0.1)
model = AutoModelForSequenceClassification.from_pretrained(model_name_or_path, return_dict=True)
model = get_peft_model(model, peft_config)
optimizer = AdamW(params=model.parameters(), lr=3e-4)
"""

SAVED_CLASSIFIER = """\
import torch
from peft import LoraConfig, get_peft_model

config = LoraConfig(r=16, lora_alpha=16, target_modules=["query", "value"], modules_to_save=["classifier"])
lora_model = get_peft_model(model, config)
optimizer = torch.optim.AdamW(lora_model.parameters(), lr=5e-3, weight_decay=0.01)
"""

LN_TUNING = """\
import torch
from peft import get_peft_model, LNTuningConfig, TaskType

peft_config = LNTuningConfig(task_type=TaskType.CAUSAL_LM)
model = get_peft_model(model, peft_config)
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-2)
"""

P_TUNING_BRANCHES = """\
import torch
from peft import PrefixTuningConfig, PromptEncoderConfig, PromptTuningConfig, get_peft_model

if args.peft_type == "p_tuning":
    peft_config = PromptEncoderConfig(task_type="CAUSAL_LM", num_virtual_tokens=20, encoder_hidden_size=128)
elif args.peft_type == "prefix_tuning":
    peft_config = PrefixTuningConfig(task_type="CAUSAL_LM", num_virtual_tokens=20)
else:
    peft_config = PromptTuningConfig(task_type="CAUSAL_LM", num_virtual_tokens=20)
model = get_peft_model(model, peft_config)
optimizer = torch.optim.AdamW(params=model.parameters(), lr=1e-3)
"""


@pytest.mark.parametrize(
    ("source", "row"),
    (
        pytest.param(TOKEN_CLS_BIAS_ALL, 9, id="bias all (peft_lora_token_cls.ipynb)"),
        pytest.param(SEQ_CLS_ROBERTA, 10, id="SEQ_CLS saves RoBERTa's classifier head (LoRA.ipynb)"),
        pytest.param(SAVED_CLASSIFIER, 6, id="modules_to_save classifier"),
        pytest.param(LN_TUNING, 6, id="LN tuning trains the norms (peft_ln_tuning_clm.ipynb)"),
        pytest.param(P_TUNING_BRANCHES, 11, id="P-tuning's encoder biases, one branch of three"),
        pytest.param(
            "import torch\nfrom peft import PeftModel, LoraConfig, get_peft_model\n"
            "model = get_peft_model(model, LoraConfig(bias='lora_only'))\n"
            "optimizer = torch.optim.AdamW([{'params': model.parameters(), 'lr': 1e-4}], weight_decay=0.05)\n",
            4,
            id="flat params in a group",
        ),
    ),
)
def test_fires(source, row):
    assert _rows(source) == [row]


def test_message_says_what_the_config_trains():
    (diagnostic,) = wdlint.lint_source(SEQ_CLS_ROBERTA, "example.py", select=[CODE])
    assert "every trainable parameter of a PEFT model" in diagnostic.message
    assert "the RoBERTa head (`classifier` or `score` or `pre_classifier`), whole (`LoraConfig(task_type='SEQ_CLS')`)" in diagnostic.message
    (diagnostic,) = wdlint.lint_source(TOKEN_CLS_BIAS_ALL, "example.py", select=[CODE])
    assert "biases (`LoraConfig(bias='all')`)" in diagnostic.message


def test_param_groups_by_place_over_a_peft_model():
    vera = """\
from torch.optim import AdamW
from transformers import AutoModelForSequenceClassification
from peft import get_peft_model, VeraConfig

peft_config = VeraConfig(task_type="SEQ_CLS", r=8, target_modules=["query", "value", "intermediate.dense"])
model = AutoModelForSequenceClassification.from_pretrained("roberta-base", return_dict=True, max_length=None)
model = get_peft_model(model, peft_config)
optimizer = AdamW(
    [
        {"params": [p for n, p in model.named_parameters() if "vera_lambda_" in n], "lr": 2e-2},
        {"params": [p for n, p in model.named_parameters() if "classifier" in n], "lr": 1e-2},
    ]
)
"""
    assert _rows(vera) == [11]  # the classifier head's biases, decayed by AdamW's default
    lm = vera.replace('task_type="SEQ_CLS", ', "").replace("ForSequenceClassification", "ForCausalLM")
    assert _rows(lm) == []  # only adapters train: the groups split them by lr


def test_no_ndim_fix_where_what_should_not_decay_is_2d():
    beft = """\
import torch
from peft import BeftConfig, get_peft_model

peft_config = BeftConfig(task_type="SEQ_2_SEQ_LM", target_modules=["v"])
model = get_peft_model(model, peft_config)
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
"""
    (diagnostic,) = wdlint.lint_source(beft, "example.py", select=[CODE])
    assert diagnostic.fix is None and "`beft_bias` are not 1-D" in diagnostic.message
    (diagnostic,) = wdlint.lint_source(TOKEN_CLS_BIAS_ALL, "example.py", select=[CODE])
    assert diagnostic.fix is not None  # biases are 1-D: the `ndim` split takes them out
