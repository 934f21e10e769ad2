"""What a model built by PEFT trains, read from its config as PEFT defines it."""

from __future__ import annotations

import pytest

from wdlint.analysis.receivers import ModuleIdentifier
from wdlint.analysis.sites import Adapters

HEAD = """\
import argparse
import torch
from accelerate import Accelerator
from peft import (
    AdaLoraConfig, BeftConfig, IA3Config, LNTuningConfig, LoraConfig, PeftModel, PeftModelForSequenceClassification,
    PrefixTuningConfig, PromptEncoderConfig, PromptTuningConfig, TaskType, VeraConfig, get_peft_model,
    prepare_model_for_kbit_training,
)
from transformers import AutoModelForCausalLM, AutoModelForSequenceClassification, AutoModelForSeq2SeqLM
from mylib import MyConfig

parser = argparse.ArgumentParser()
parser.add_argument("--bias", default="none")
args = parser.parse_args()
"""


def adapters(snippet, tail: str) -> Adapters | None:
    read = snippet(HEAD + tail)
    env, node = read.probe()
    return ModuleIdentifier(env.index).receiver(env, node).adapters


ONLY_ADAPTERS = (
    pytest.param(
        "peft_config = LoraConfig(task_type=TaskType.SEQ_2_SEQ_LM, inference_mode=False, r=8, lora_alpha=32, lora_dropout=0.1)\n"
        'model = AutoModelForSeq2SeqLM.from_pretrained("t5-base")\n'
        "model = get_peft_model(model, peft_config)\nmodel.print_trainable_parameters()\nprobe = model",
        id="LoRA on a seq2seq LM",
    ),
    pytest.param(
        "peft_config = PromptTuningConfig(task_type=TaskType.CAUSAL_LM, num_virtual_tokens=8)\n"
        'model = AutoModelForCausalLM.from_pretrained("bigscience/bloomz-560m")\n'
        "model = get_peft_model(model, peft_config)\nprobe = model",
        id="prompt tuning",
    ),
    pytest.param(
        "peft_config = PrefixTuningConfig(task_type=TaskType.SEQ_2_SEQ_LM, num_virtual_tokens=20)\n"
        "model = get_peft_model(AutoModelForSeq2SeqLM.from_pretrained(name), peft_config)\nprobe = model",
        id="prefix tuning, no projection",
    ),
    pytest.param(
        "peft_config = IA3Config(task_type=TaskType.SEQ_2_SEQ_LM, feedforward_modules=[])\n"
        "model = get_peft_model(model, peft_config)\nprobe = model",
        id="IA3 scales",
    ),
    pytest.param(
        "model = get_peft_model(model, VeraConfig(r=256, target_modules=['q', 'v']))\nprobe = model",
        id="VeRA: 1-D lambdas are the adapters",
    ),
    pytest.param(
        'config = LoraConfig(r=16, lora_alpha=32, lora_dropout=0.05, bias="none")\n'
        "model = prepare_model_for_kbit_training(model)\nmodel = get_peft_model(model, config)\nprobe = model",
        id="bias none, after prepare_model_for_kbit_training",
    ),
    pytest.param(
        "if args.use_adalora:\n    config = AdaLoraConfig(init_r=12, target_r=4, total_step=1000)\n"
        "else:\n    config = LoraConfig(r=8, target_modules=['q_proj', 'v_proj'])\n"
        "model = get_peft_model(model, config)\nprobe = model",
        id="a config per branch, none trains a bias",
    ),
    pytest.param(
        'kwargs = {"r": 8, "bias": "none"}\nmodel = get_peft_model(model, LoraConfig(**kwargs))\nprobe = model',
        id="keywords from a literal dict",
    ),
    pytest.param(
        'model = AutoModelForSequenceClassification.from_pretrained("gpt2")\n'
        'model = get_peft_model(model, LoraConfig(task_type="SEQ_CLS"))\nprobe = model',
        id="SEQ_CLS on GPT-2: its score head has no bias",
    ),
    pytest.param(
        'model = PeftModel.from_pretrained(model, "my-lora")\nprobe = model', id="loaded for inference: frozen"
    ),
    pytest.param(
        "def build(name, config):\n    model = AutoModelForSeq2SeqLM.from_pretrained(name)\n"
        "    return get_peft_model(model, config)\n"
        'model = build("t5-base", LoraConfig(r=8))\nprobe = model',
        id="built in a helper of the file",
    ),
    pytest.param(
        "accelerator = Accelerator()\nmodel = get_peft_model(model, LoraConfig(r=8))\n"
        "model, optimizer = accelerator.prepare(model, optimizer)\nprobe = model",
        id="wrapped by accelerate",
    ),
    pytest.param(
        "model = get_peft_model(model, LoraConfig(r=8))\n"
        "model = torch.nn.parallel.DistributedDataParallel(model, device_ids=[0])\nprobe = model",
        id="wrapped by DDP",
    ),
)


@pytest.mark.parametrize("tail", ONLY_ADAPTERS)
def test_only_adapters_train(snippet, tail):
    found = adapters(snippet, tail)
    assert found is not None and found.only_adapters, found


@pytest.mark.parametrize(
    ("tail", "trained"),
    (
        pytest.param(
            "peft_config = LoraConfig(task_type=TaskType.TOKEN_CLS, r=16, lora_dropout=0.1, bias=\"all\")\n"
            "model = get_peft_model(model, peft_config)\nprobe = model",
            ["biases (`LoraConfig(bias='all')`)"],
            id="bias all",
        ),
        pytest.param(
            'model = get_peft_model(model, LoraConfig(bias="lora_only"))\nprobe = model',
            ["biases (`LoraConfig(bias='lora_only')`)"],
            id="bias lora_only",
        ),
        pytest.param(
            "model = get_peft_model(model, LoraConfig(lora_bias=True))\nprobe = model",
            ["the biases of `lora_B` (`LoraConfig(lora_bias=True)`)"],
            id="lora_bias",
        ),
        pytest.param(
            'model = get_peft_model(model, LoraConfig(modules_to_save=["classifier"]))\nprobe = model',
            ["the `classifier` module, whole (`modules_to_save`)"],
            id="modules_to_save",
        ),
        pytest.param(
            'model_name_or_path = "roberta-large"\n'
            "model = AutoModelForSequenceClassification.from_pretrained(model_name_or_path, return_dict=True)\n"
            'peft_config = LoraConfig(task_type="SEQ_CLS", inference_mode=False, r=8)\n'
            "model = get_peft_model(model, peft_config)\nprobe = model",
            ["the RoBERTa head (`classifier` or `score` or `pre_classifier`), whole (`LoraConfig(task_type='SEQ_CLS')`)"],
            id="SEQ_CLS on RoBERTa",
        ),
        pytest.param(
            'model = AutoModelForSequenceClassification.from_pretrained("bert-base-cased")\n'
            "model = PeftModelForSequenceClassification(model, LoraConfig(r=8))\nprobe = model",
            ["the BERT head (`classifier` or `score` or `pre_classifier`), whole (`LoraConfig(task_type='SEQ_CLS')`)"],
            id="the PEFT class implies the task",
        ),
        pytest.param(
            "peft_config = LNTuningConfig(task_type=TaskType.CAUSAL_LM)\nmodel = get_peft_model(model, peft_config)\nprobe = model",
            ["normalization layers, weights and biases (`LNTuningConfig`)"],
            id="LN tuning",
        ),
        pytest.param(
            'model = get_peft_model(model, BeftConfig(task_type="SEQ_2_SEQ_LM", target_modules=["v"]))\nprobe = model',
            ["bias vectors `beft_bias` (`BeftConfig`)"],
            id="BEFT",
        ),
        pytest.param(
            "model = get_peft_model(model, PromptEncoderConfig(task_type=TaskType.CAUSAL_LM, num_virtual_tokens=20))\nprobe = model",
            ["the biases of the prompt encoder's MLP or LSTM (`PromptEncoderConfig`)"],
            id="P-tuning's encoder",
        ),
        pytest.param(
            "model = get_peft_model(model, PrefixTuningConfig(num_virtual_tokens=20, prefix_projection=True))\nprobe = model",
            ["the biases of the prefix projection MLP (`PrefixTuningConfig(prefix_projection=True)`)"],
            id="prefix projection",
        ),
        pytest.param(
            "if args.peft_type == 'p_tuning':\n    peft_config = PromptEncoderConfig(num_virtual_tokens=20)\n"
            "elif args.peft_type == 'prefix_tuning':\n    peft_config = PrefixTuningConfig(num_virtual_tokens=20)\n"
            "else:\n    peft_config = PromptTuningConfig(num_virtual_tokens=20)\n"
            "model = get_peft_model(model, peft_config)\nprobe = model",
            ["the biases of the prompt encoder's MLP or LSTM (`PromptEncoderConfig`)"],
            id="one branch of three trains biases",
        ),
        pytest.param(
            "peft_config = LoraConfig(r=8)\nif args.train_biases:\n    peft_config = LoraConfig(r=8, bias='all')\n"
            "model = get_peft_model(model, peft_config)\nprobe = model",
            ["biases (`LoraConfig(bias='all')`)"],
            id="a config replaced under a condition",
        ),
        pytest.param(
            "model = get_peft_model(model, LoraConfig(bias=args.bias))\nprobe = model",
            [],
            id="a CLI option's default is read",
        ),
    ),
)
def test_trains_what_should_not_be_decayed(snippet, tail, trained):
    found = adapters(snippet, tail)
    assert found is not None and list(found.undecayed) == trained, found


@pytest.mark.parametrize(
    ("tail", "unread"),
    (
        pytest.param(
            "model = get_peft_model(model, LoraConfig(bias=options.bias))\nprobe = model",
            "`bias=options.bias`",
            id="a keyword's value",
        ),
        pytest.param("model = get_peft_model(model, LoraConfig(**cfg.lora))\nprobe = model", "`**cfg.lora`", id="spread"),
        pytest.param("model = get_peft_model(model, peft_config)\nprobe = model", "the config `peft_config`", id="no binding"),
        pytest.param("model = get_peft_model(model, MyConfig())\nprobe = model", "what `MyConfig` makes trainable", id="not PEFT's"),
        pytest.param(
            'model = get_peft_model(model, LoraConfig(modules_to_save=["lm_head", "embed_tokens"]))\nprobe = model',
            "what the `lm_head` module holds (`modules_to_save`)",
            id="a saved module not known",
        ),
        pytest.param(
            "model = AutoModelForSequenceClassification.from_pretrained(name)\n"
            'model = get_peft_model(model, LoraConfig(task_type="SEQ_CLS"))\nprobe = model',
            "whether the model's head (`classifier` or `score` or `pre_classifier`) holds a bias",
            id="SEQ_CLS on a model not known",
        ),
        pytest.param(
            'model = PeftModel.from_pretrained(model, "my-lora", is_trainable=True)\nprobe = model',
            "the config saved with the checkpoint",
            id="loaded trainable",
        ),
        pytest.param(
            'model = PeftModel.from_pretrained(model, "my-lora", "default", True)\nprobe = model',
            "the config saved with the checkpoint",
            id="loaded trainable, by position",
        ),
        pytest.param(
            "model = prepare_model_for_kbit_training(model)\nprobe = model",
            "what `prepare_model_for_kbit_training` makes trainable",
            id="another PEFT helper",
        ),
    ),
)
def test_what_is_not_read_is_said(snippet, tail, unread):
    found = adapters(snippet, tail)
    assert found is not None and unread in found.unread and not found.undecayed, found


def test_not_peft(snippet):
    assert adapters(snippet, 'model = AutoModelForCausalLM.from_pretrained("gpt2")\nprobe = model') is None
