"""What a module expression holds: its class and norms, a wrapper, a checkpoint."""

from __future__ import annotations

import pytest

from wdlint.analysis.receivers import ModuleIdentifier
from wdlint.analysis.sites import Receiver

MODEL = """\
import torch.nn as nn

class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln = nn.LayerNorm(8)
        self.fc = nn.Linear(8, 8)

class GPT(nn.Module):
    def __init__(self):
        super().__init__()
        self.blocks = nn.ModuleList([Block() for _ in range(4)])
        self.ln_f = nn.LayerNorm(8)

    def groups(self):
        probe = self
"""


def receiver(snippet, text: str, **kwargs) -> Receiver:
    read = snippet(text, **kwargs)
    env, node = read.probe()
    return ModuleIdentifier(read.source.tree).receiver(env, node)


@pytest.mark.parametrize(
    ("tail", "norms", "wrapped_by", "checkpoint"),
    (
        pytest.param("model = GPT().to(device)\nprobe = model", ("blocks.0.ln.weight", "ln_f.weight"), None, None, id="class of this file"),
        pytest.param("model = GPT()\nm = model\nprobe = m", ("blocks.0.ln.weight", "ln_f.weight"), None, None, id="through a name"),
        pytest.param(
            "import torch\nmodel = torch.nn.parallel.DistributedDataParallel(GPT())\nprobe = model",
            None,
            "torch.nn.parallel.DistributedDataParallel",
            None,
            id="wrapped",
        ),
        pytest.param("model = accelerator.prepare(GPT())\nprobe = model", None, "accelerator.prepare", None, id="prepared"),
        pytest.param(
            "model = AutoModel.from_pretrained('bert-base-cased')\nprobe = model", None, None, "bert-base-cased", id="checkpoint"
        ),
        pytest.param("model, opt = build()\nprobe = model", None, None, None, id="unpacked"),
        pytest.param("probe = other", None, None, None, id="unknown"),
    ),
)
def test_module_expressions(snippet, tail, norms, wrapped_by, checkpoint):
    found = receiver(snippet, MODEL.split("    def groups")[0] + tail)
    assert (found.norm_params, found.wrapped_by, found.checkpoint) == (norms, wrapped_by, checkpoint)


def test_self_inside_a_method_is_its_class(snippet):
    assert receiver(snippet, MODEL).norm_params == ("blocks.0.ln.weight", "ln_f.weight")


def test_wrapping_seen_only_from_the_scope_that_wraps(snippet):
    text = "model = DDP(GPT())\ndef groups():\n    probe = model\n"
    text = "from torch.nn.parallel import DistributedDataParallel as DDP\n" + text
    assert receiver(snippet, text).wrapped_by is None


def test_a_class_imported_from_the_project(tmp_path, snippet):
    (tmp_path / "model.py").write_text(MODEL.split("    def groups")[0])
    found = receiver(snippet, "from model import GPT as Net\nnet = Net()\nprobe = net", path=tmp_path / "train.py")
    assert found.norm_params == ("blocks.0.ln.weight", "ln_f.weight")


HF = """\
import torch.nn as nn
from transformers import AutoModelForMaskedLM, BertConfig, BertForSequenceClassification, GPT2LMHeadModel
from peft import get_peft_model

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = BertForSequenceClassification(BertConfig())
        self.proj = nn.Linear(8, 8, bias=False)
"""


@pytest.mark.parametrize(
    ("tail", "model", "norms"),
    (
        pytest.param("model = BertForSequenceClassification(BertConfig())\nprobe = model", "BERT", 3, id="transformers class"),
        pytest.param('model = GPT2LMHeadModel.from_pretrained(path)\nprobe = model', "GPT-2", 3, id="class loads any checkpoint"),
        pytest.param('model = AutoModelForMaskedLM.from_pretrained("roberta-base")\nprobe = model', "RoBERTa", 4, id="auto class + checkpoint: its head's norm too"),
        pytest.param("net = Net()\nprobe = net.encoder", "BERT", 3, id="attribute of a class of the file"),
        pytest.param('model = AutoModelForMaskedLM.from_pretrained(path)\nprobe = model', None, None, id="auto class, checkpoint unknown"),
    ),
)
def test_known_models(snippet, tail, model, norms):
    found = receiver(snippet, HF + tail)
    assert found.model == model
    assert (len(found.norm_params) if found.norm_params is not None else None) == norms


def test_plain_and_adapter_receivers(snippet):
    assert receiver(snippet, HF + "net = Net()\nprobe = net.proj").plain
    assert not receiver(snippet, HF + "net = Net()\nprobe = net.encoder").plain
    assert receiver(snippet, HF + "model = get_peft_model(model, config)\nprobe = model").adapters


NANOGPT_SPEEDRUN = """\
import torch
import torch.nn as nn
from torch.nn.parallel import DistributedDataParallel as DDP

class GPT(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.transformer = nn.ModuleDict(dict(wte=nn.Embedding(50304, 768), h=nn.ModuleList([Block(config)])))
        self.lm_head = nn.Linear(768, 50304, bias=False)
        self.classifier = nn.Linear(768, 2)

model = GPT(GPTConfig(vocab_size=50304, n_layer=12, n_head=12, n_embd=768))
model = model.cuda()
model = torch.compile(model)
model = DDP(model, device_ids=[ddp_local_rank])
"""


@pytest.mark.parametrize(
    ("tail", "plain"),
    (
        pytest.param("raw_model = model.module\nprobe = raw_model.lm_head", True, id="DDP's module, compiled: forwards"),
        pytest.param("probe = model.module._orig_mod.lm_head", True, id="both wrappers undone by hand"),
        pytest.param("raw_model = model.module\nprobe = raw_model.classifier", False, id="a head with a bias"),
        pytest.param("probe = model.lm_head", False, id="DDP forwards no attribute"),
        pytest.param("probe = accelerator.unwrap_model(model).module.lm_head", False, id="unwrapped: no .module left"),
        pytest.param("probe = accelerator.unwrap_model(model).lm_head", True, id="accelerate's unwrap_model"),
    ),
)
def test_the_model_inside_a_wrapper(snippet, tail, plain):
    assert receiver(snippet, NANOGPT_SPEEDRUN + tail).plain is plain


def test_an_input_embedding_table_is_plain(snippet):
    # textual inversion trains only the text encoder's token embeddings
    assert receiver(snippet, "probe = text_encoder.get_input_embeddings()").plain
    assert not receiver(snippet, "probe = text_encoder.get_output_embeddings()").plain


def test_a_model_returned_by_a_function_of_the_file(snippet):
    text = MODEL.split("    def groups")[0] + "def build(n):\n    net = GPT()\n    return net.to(n)\nmodel = build(2)\nprobe = model"
    assert receiver(snippet, text).norm_params == ("blocks.0.ln.weight", "ln_f.weight")
