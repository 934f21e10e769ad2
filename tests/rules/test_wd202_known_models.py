"""WD202 where the model's class or checkpoint is known: the no-decay names are compared with that
model's real norm names (`wdlint.knowledge.models`)."""

import textwrap

import pytest

import wdlint

CODE = "WD202"

HF_SCRIPT = """\
import argparse
import torch
from transformers import {imports}

parser = argparse.ArgumentParser()
parser.add_argument("--model_name_or_path", type=str, default={default!r})
args = parser.parse_args()

model = {model}
no_decay = {no_decay}
optimizer_grouped_parameters = [
    {{
        "params": [p for n, p in model.named_parameters() if not any(nd in n for nd in no_decay)],
        "weight_decay": 0.01,
    }},
    {{
        "params": [p for n, p in model.named_parameters() if any(nd in n for nd in no_decay)],
        "weight_decay": 0.0,
    }},
]
optimizer = torch.optim.AdamW(optimizer_grouped_parameters, lr=5e-5)
"""
BERT_LIST = '["bias", "LayerNorm.weight"]'


def script(model: str, imports: str = "AutoModel", no_decay: str = BERT_LIST, default: str | None = None) -> str:
    return HF_SCRIPT.format(model=model, imports=imports, no_decay=no_decay, default=default)


def messages(source: str) -> list[str]:
    return [d.message for d in wdlint.lint_source(textwrap.dedent(source), select=[CODE])]


@pytest.mark.parametrize(
    "source",
    (
        pytest.param(
            script("BertForSequenceClassification(BertConfig())", "BertConfig, BertForSequenceClassification"),
            id="bert class",
        ),
        pytest.param(
            script("AutoModelForSequenceClassification.from_pretrained(args.model_name_or_path)",
                   "AutoModelForSequenceClassification", default="roberta-base"),
            id="roberta checkpoint as the CLI default",
        ),
        pytest.param(script('ElectraForPreTraining.from_pretrained("google/electra-small-discriminator")',
                            "ElectraForPreTraining"), id="electra class"),
        pytest.param(
            script('GPT2LMHeadModel.from_pretrained("gpt2")', "GPT2LMHeadModel", no_decay='["bias", "ln_"]'),
            id="gpt2 with its own names",
        ),
        pytest.param(
            script('AutoModelForCausalLM.from_pretrained("meta-llama/Llama-2-7b-hf")', "AutoModelForCausalLM",
                   no_decay='["bias", "layernorm.weight", "norm.weight"]'),
            id="llama with its own names",
        ),
    ),
)
def test_quiet_where_the_list_matches_the_model(source):
    assert messages(source) == []


@pytest.mark.parametrize(
    ("source", "model", "missed"),
    (
        pytest.param(
            script("GPT2LMHeadModel(GPT2Config(n_layer=2))", "GPT2Config, GPT2LMHeadModel"),
            "GPT-2",
            "`h.0.ln_1.weight`, `h.0.ln_2.weight`, `ln_f.weight` are decayed",
            id="gpt2 class",
        ),
        pytest.param(
            script("AutoModelForCausalLM.from_pretrained(args.model_name_or_path)", "AutoModelForCausalLM",
                   default="gpt2"),
            "GPT-2",
            "`h.0.ln_1.weight`, `h.0.ln_2.weight`, `ln_f.weight` are decayed",
            id="gpt2 checkpoint as the CLI default",
        ),
        pytest.param(
            script('AutoModelForMaskedLM.from_pretrained("roberta-base")', "AutoModelForMaskedLM"),
            "RoBERTa",
            "`lm_head.layer_norm.weight` is decayed",
            id="roberta's masked-LM head",
        ),
        pytest.param(
            script('DistilBertForSequenceClassification.from_pretrained("distilbert-base-uncased")',
                   "DistilBertForSequenceClassification"),
            "DistilBERT",
            "`layer.0.sa_layer_norm.weight`, `layer.0.output_layer_norm.weight` are decayed",
            id="distilbert",
        ),
        pytest.param(
            script('T5ForConditionalGeneration.from_pretrained("t5-small")', "T5ForConditionalGeneration",
                   no_decay='["bias", "LayerNorm.weight", "final_layer_norm"]'),
            "T5",
            "`block.0.layer.0.layer_norm.weight` is decayed",
            id="t5, one name missed",
        ),
    ),
)
def test_names_the_norms_missed(source, model, missed):
    [message] = messages(source)
    assert f"of `model` ({model}):" in message
    assert missed in message


def test_unknown_model_keeps_the_generic_check():
    source = script("AutoModelForCausalLM.from_pretrained(args.model_name_or_path)", "AutoModelForCausalLM")
    [message] = messages(source)
    assert "only match BERT-style `LayerNorm` names" in message


def test_a_class_of_the_project_comes_first():
    source = script("GPT2Model()", "AutoModel").replace(
        "model = GPT2Model()",
        "class GPT2Model(torch.nn.Module):\n    def __init__(self):\n        super().__init__()\n"
        "        self.LayerNorm = torch.nn.LayerNorm(8)\n\nmodel = GPT2Model()",
    )
    assert messages(source) == []


GLUE = """\
import argparse
import torch
from transformers import (
    BertConfig, BertForSequenceClassification, BertTokenizer,
    RobertaConfig, RobertaForSequenceClassification, RobertaTokenizer,
    XLNetConfig, XLNetForSequenceClassification, XLNetTokenizer,
)

MODEL_CLASSES = {
    "bert": (BertConfig, BertForSequenceClassification, BertTokenizer),
    "roberta": (RobertaConfig, RobertaForSequenceClassification, RobertaTokenizer),
    "xlnet": (XLNetConfig, XLNetForSequenceClassification, XLNetTokenizer),
}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model_type", OPTION)
    parser.add_argument("--model_name_or_path", default=None, type=str, required=True)
    args = parser.parse_args()
    config_class, model_class, tokenizer_class = MODEL_CLASSES[args.model_type]
    model = model_class.from_pretrained(args.model_name_or_path)
    no_decay = ["bias", "LayerNorm.weight"]
    optimizer_grouped_parameters = [
        {"params": [p for n, p in model.named_parameters() if not any(nd in n for nd in no_decay)], "weight_decay": 0.01},
        {"params": [p for n, p in model.named_parameters() if any(nd in n for nd in no_decay)], "weight_decay": 0.0},
    ]
    optimizer = torch.optim.AdamW(optimizer_grouped_parameters, lr=5e-5, eps=1e-8)
"""


def test_a_table_of_model_classes_picked_by_an_option():
    [message] = messages(GLUE.replace("OPTION", "type=str, required=True"))
    assert "of `model` (BERT, RoBERTa or XLNet):" in message
    assert "`ff.layer_norm.weight`, `rel_attn.layer_norm.weight` are decayed" in message
    [message] = messages(GLUE.replace("OPTION", 'type=str, default="xlnet"'))
    assert "of `model` (XLNet):" in message


def test_a_table_entry_the_option_default_picks_and_the_list_matches():
    assert messages(GLUE.replace("OPTION", 'type=str, default="roberta"')) == []
