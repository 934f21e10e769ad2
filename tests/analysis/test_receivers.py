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
    return ModuleIdentifier(env.index).receiver(env, node)


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


TIMM = """\
import timm
import torch.nn as nn
from timm import create_model
from timm.models import create_model as build

NAME = "convnext_tiny.fb_in22k"
"""


@pytest.mark.parametrize(
    ("tail", "model", "norms"),
    (
        pytest.param('model = timm.create_model("resnet18", pretrained=True, num_classes=3)', "timm `resnet18`",
                     ("bn1.weight", "bn2.weight", "downsample.1.weight"), id="timm.create_model"),
        pytest.param("model = create_model(NAME, drop_path_rate=0.1)", "timm `convnext_tiny`",
                     ("stem.1.weight", "downsample.0.weight", "blocks.0.norm.weight", "head.norm.weight"), id="a constant"),
        pytest.param('model = build(model_name="vit_small_patch16_224", global_pool="avg")', "timm `vit_small_patch16_224`",
                     ("blocks.0.norm1.weight", "blocks.0.norm2.weight", "fc_norm.weight"), id="timm.models, keywords"),
        pytest.param('model = timm.create_model("vit_small_patch16_224", global_pool=None).cuda()',
                     "timm `vit_small_patch16_224`", ("blocks.0.norm1.weight", "blocks.0.norm2.weight", "norm.weight"),
                     id="global_pool=None is left out"),
        pytest.param('model = create_model(NAME)\nmodel.head = nn.Linear(768, 10)', "timm `convnext_tiny`",
                     ("stem.1.weight", "downsample.0.weight", "blocks.0.norm.weight"), id="a replaced head"),
        pytest.param('model = create_model("resnet18")\nmodel.fc = nn.Linear(512, 10)', "timm `resnet18`",
                     ("bn1.weight", "bn2.weight", "downsample.1.weight"), id="a replaced head without norms"),
        pytest.param('model = create_model(NAME)\nmodel.head.fc = nn.Linear(768, 10)', "timm `convnext_tiny`",
                     ("stem.1.weight", "downsample.0.weight", "blocks.0.norm.weight"), id="a layer of the head replaced"),
        pytest.param('model = create_model("resnet18")\nmodel.num_classes = 10\nmodel.fc.bias.requires_grad = False',
                     "timm `resnet18`", ("bn1.weight", "bn2.weight", "downsample.1.weight"), id="constants set"),
        pytest.param('model = create_model(NAME)\nsetattr(model, "stem", nn.Identity())', "timm `convnext_tiny`",
                     ("downsample.0.weight", "blocks.0.norm.weight", "head.norm.weight"), id="a replaced stem"),
        pytest.param('model = create_model("vit_small_patch16_224")\ndel model.norm', "timm `vit_small_patch16_224`",
                     ("blocks.0.norm1.weight", "blocks.0.norm2.weight"), id="a removed final norm"),
        pytest.param('model = create_model("vit_small_patch16_224")\nmodel.blocks[11].norm1 = nn.Identity()',
                     "timm `vit_small_patch16_224`", ("norm.weight",), id="inside the blocks: their norms left out"),
        pytest.param('model = create_model("resnet18")\nmodel.layer4 = nn.Identity()', "timm `resnet18`",
                     ("bn1.weight", "bn2.weight", "downsample.1.weight"), id="a stage replaced: the others keep the names"),
        pytest.param('model = create_model("resnet18")\nmodel.config = load(path)', "timm `resnet18`",
                     ("bn1.weight", "bn2.weight", "downsample.1.weight"), id="no layer"),
        pytest.param('model = create_model("resnet18", drop_block_rate=None, features_only=None)', "timm `resnet18`",
                     ("bn1.weight", "bn2.weight", "downsample.1.weight"), id="keywords given None are left out"),
        pytest.param('model = create_model(NAME, features_only=True)', None, None, id="features_only"),
        pytest.param('model = create_model(NAME, "pretrained", *rest)', None, None, id="arguments unseen"),
        pytest.param('model = create_model(name)', None, None, id="name unknown"),
        pytest.param('model = create_model("resnet18", global_pool=pool)', None, None, id="pool unknown"),
        pytest.param('model = create_model("vit_small_patch16_224", global_pool="map")', None, None, id="pool not listed"),
        pytest.param('model = create_model("local-dir:/ckpt/vit")', None, None, id="a local folder"),
    ),
)
def test_timm_models(snippet, tail, model, norms):
    found = receiver(snippet, f"{TIMM}{tail}\nprobe = model")
    assert (found.model, found.norm_params) == (model, norms)


def test_a_layer_replaced_before_the_model_is_made_again(snippet):
    text = f'{TIMM}model = create_model("resnet18")\nmodel.bn1 = nn.Identity()\nmodel = create_model("resnet18")\nprobe = model'
    assert receiver(snippet, text).norm_params == ("bn1.weight", "bn2.weight", "downsample.1.weight")


def test_a_transformers_model_whose_config_is_set(snippet):
    text = HF + 'model = AutoModelForMaskedLM.from_pretrained("roberta-base")\nmodel.config.pad_token_id = tokenizer.pad_token_id\nprobe = model'
    assert receiver(snippet, text).model == "RoBERTa"


TIMM_NET = """\
import timm
import torch.nn as nn

BACKBONE = "resnet18"


class Net(nn.Module):
    def __init__(self, name="convnext_tiny"):
        super().__init__()
        self.backbone = BUILD
        self.neck = nn.LayerNorm(512)
        self.head = nn.Linear(512, 10)
"""


@pytest.mark.parametrize(
    ("build", "tail", "norms"),
    (
        pytest.param('timm.create_model(BACKBONE, pretrained=True, num_classes=0)', "",
                     ("backbone.bn1.weight", "backbone.bn2.weight", "backbone.downsample.1.weight", "neck.weight"),
                     id="a timm backbone of the class"),
        pytest.param("timm.create_model(name)", "", ("neck.weight",), id="an __init__ parameter: any model"),
        pytest.param('timm.create_model("resnet18")', "net.backbone.fc = nn.Identity()\n", ("neck.weight",),
                     id="assigned into afterwards"),
        pytest.param('timm.create_model("resnet18", features_only=True)', "", ("neck.weight",), id="a feature extractor"),
    ),
)
def test_known_models_inside_a_class_of_the_project(snippet, build, tail, norms):
    found = receiver(snippet, TIMM_NET.replace("BUILD", build) + f"net = Net()\n{tail}probe = net")
    assert found.norm_params == norms
