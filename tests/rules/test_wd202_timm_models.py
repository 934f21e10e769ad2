"""WD202 over a timm model built by `create_model`: the no-decay names are compared with that
architecture's real norm names (`wdlint.knowledge.timm_models`), in the shape of timm
fine-tuning scripts. The expected names were read off the real models (`timm.create_model` on
the `meta` device, `named_parameters()` filtered as each script filters them)."""

import textwrap

import pytest

import wdlint
from wdlint.analysis import project_scan
from wdlint.engine.lint import lint_bytes
from wdlint.engine.runner import LintOptions

CODE = "WD202"

FINETUNE = """\
import argparse

import timm
import torch

parser = argparse.ArgumentParser()
parser.add_argument("--model", type=str, default={default!r})
parser.add_argument("--weight-decay", type=float, default=0.05)
args = parser.parse_args()

model = {model}
no_decay = {no_decay}
param_groups = [
    {{"params": [p for n, p in model.named_parameters() if not any(nd in n for nd in no_decay)],
      "weight_decay": args.weight_decay}},
    {{"params": [p for n, p in model.named_parameters() if any(nd in n for nd in no_decay)], "weight_decay": 0.0}},
]
optimizer = torch.optim.AdamW(param_groups, lr=1e-4)
"""
BERT_LIST = '["bias", "LayerNorm.weight"]'


def script(model: str, no_decay: str = BERT_LIST, default: str = "resnet50") -> str:
    return FINETUNE.format(model=model, no_decay=no_decay, default=default)


def messages(source: str) -> list[str]:
    return [d.message for d in wdlint.lint_source(textwrap.dedent(source), select=[CODE])]


@pytest.mark.parametrize(
    ("source", "model", "missed"),
    (
        pytest.param(
            script('timm.create_model("vit_base_patch16_224", pretrained=True, num_classes=10)'),
            "timm `vit_base_patch16_224`",
            "`blocks.0.norm1.weight`, `blocks.0.norm2.weight`, `norm.weight` are decayed",
            id="vit with BERT's list",
        ),
        pytest.param(
            script('timm.create_model("vit_base_patch16_224.augreg_in21k", num_classes=10, global_pool="avg")'),
            "timm `vit_base_patch16_224`",
            "`blocks.0.norm1.weight`, `blocks.0.norm2.weight`, `fc_norm.weight` are decayed",
            id="vit averaging its tokens: the final norm is fc_norm",
        ),
        pytest.param(
            script('timm.create_model("resnet50", pretrained=True, num_classes=5)', no_decay='["bias", "bn"]'),
            "timm `resnet50`",
            "`downsample.1.weight` is decayed",
            id="resnet: `bn` misses the shortcut's norm",
        ),
        pytest.param(
            script('timm.create_model(args.model, pretrained=True, drop_path_rate=0.1)', no_decay='["bias", "norm"]',
                   default="convnext_tiny.fb_in22k"),
            "timm `convnext_tiny`",
            "`stem.1.weight`, `downsample.0.weight` are decayed",
            id="convnext from the CLI default: `norm` misses the stem's and downsamplers' norms",
        ),
        pytest.param(
            script('timm.create_model("hf-hub:timm/swin_base_patch4_window7_224.ms_in22k_ft_in1k", num_classes=2)',
                   no_decay='["bias", "norm1", "norm2"]'),
            "timm `swin_base_patch4_window7_224`",
            "`patch_embed.norm.weight`, `downsample.norm.weight`, `norm.weight` are decayed",
            id="swin from the hub",
        ),
        pytest.param(
            script('timm.create_model(MODEL_NAME, pretrained=True)', no_decay='["bias", "bn1", "bn2"]').replace(
                "model = timm", 'MODEL_NAME = "tf_efficientnet_b4_ns"\nmodel = timm'
            ),
            "timm `tf_efficientnet_b4_ns`",
            "`bn3.weight` is decayed",
            id="efficientnet by a constant, an old name",
        ),
    ),
)
def test_names_the_norms_missed(source, model, missed):
    [message] = messages(source)
    assert f"of `model` ({model}):" in message
    assert missed in message


@pytest.mark.parametrize(
    "source",
    (
        pytest.param(script('timm.create_model("vit_base_patch16_224", pretrained=True)', no_decay='["bias", "norm"]'),
                     id="vit, `norm`"),
        pytest.param(script('timm.create_model("deit_small_patch16_224", global_pool="avg")', no_decay='["bias", "norm"]'),
                     id="deit averaging, `norm` catches fc_norm"),
        pytest.param(script('timm.create_model("efficientnet_b0", pretrained=True)', no_decay='["bias", "bn"]'),
                     id="efficientnet, `bn`"),
        pytest.param(script('timm.create_model("resnet50")', no_decay='["bias", "bn", "downsample.1"]'),
                     id="resnet with its shortcut"),
        pytest.param(
            script('create_model("convnext_tiny", num_classes=100)', no_decay='["bias", "norm", "stem.1", "downsample.0"]')
            .replace("import timm\n", "from timm import create_model\n"),
            id="convnext with its stem and downsamplers",
        ),
        pytest.param(
            script('timm.models.create_model(args.model, num_classes=10)', no_decay='["bias", "norm"]',
                   default="vit_small_patch16_224"),
            id="timm.models.create_model, CLI default",
        ),
    ),
)
def test_quiet_where_the_list_matches_the_model(source):
    assert messages(source) == []


@pytest.mark.parametrize(
    "model",
    (
        pytest.param('timm.create_model("resnet50", features_only=True)', id="a feature extractor: other modules"),
        pytest.param('timm.create_model("vit_base_patch16_224", global_pool="map")', id="an attention-pool head"),
        pytest.param('timm.create_model("vit_base_patch16_224", **model_kwargs)', id="keywords unseen"),
        pytest.param('timm.create_model(args.model)', id="an option without a default"),
        pytest.param('timm.create_model("hf-hub:someone/my-vit")', id="another owner's hub model"),
    ),
)
def test_unknown_builds_keep_the_generic_check(model):
    source = script(model).replace("default='resnet50'", "required=True")
    [message] = messages(source)
    assert "only match BERT-style `LayerNorm` names" in message


def test_a_replaced_head_keeps_the_other_norms():
    source = script('timm.create_model("convnext_tiny", pretrained=True)', no_decay='["bias", "norm"]').replace(
        "no_decay =", "model.head = torch.nn.Linear(768, 10)\nno_decay ="
    )
    [message] = messages(source)
    assert "`stem.1.weight`, `downsample.0.weight` are decayed" in message


def test_a_replaced_stem_takes_its_norm_with_it():
    source = script('timm.create_model("convnext_tiny", pretrained=True)', no_decay='["bias", "norm"]').replace(
        "no_decay =", "model.stem = torch.nn.Conv2d(3, 96, 4, 4)\nno_decay ="
    )
    [message] = messages(source)
    assert "`downsample.0.weight` is decayed" in message and "stem" not in message


REGISTERED = """\
import torch.nn as nn
from timm.models.registry import register_model


class ConvNeXt(nn.Module):
    def __init__(self, dims=(96, 192, 384, 768)):
        super().__init__()
        self.downsample_layers = nn.ModuleList([nn.Sequential(nn.Conv2d(3, dims[0], 4, 4), nn.LayerNorm(dims[0]))])
        self.norm = nn.LayerNorm(dims[-1])
        self.head = nn.Linear(dims[-1], 1000)


@register_model
def convnext_tiny(pretrained=False, **kwargs):
    return ConvNeXt(**kwargs)
"""


@pytest.fixture
def project(tmp_path):
    project_scan.clear_scans()
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "__init__.py").write_text("")
    yield tmp_path
    project_scan.clear_scans()


def lint_file(path):
    result = lint_bytes(path.read_bytes(), str(path), LintOptions.from_selection(select=[CODE]), path=path)
    return [d.message for d in result.diagnostics]


CONVNEXT_MAIN = script('create_model(args.model, pretrained=False, num_classes=10)', no_decay='["bias", "norm"]',
                       default="convnext_tiny").replace("import timm\n", "from timm.models import create_model\nimport models.convnext\n")


def test_an_architecture_the_project_registers_is_its_own(project):
    # the ConvNeXt repository registers its own `convnext_tiny`, whose norms `norm` catches
    (project / "models" / "convnext.py").write_text(REGISTERED)
    (project / "main.py").write_text(CONVNEXT_MAIN)
    assert lint_file(project / "main.py") == []


def test_timms_architecture_where_the_project_registers_another(project):
    (project / "models" / "convnext.py").write_text(REGISTERED.replace("def convnext_tiny(", "def convnext_mini("))
    (project / "main.py").write_text(CONVNEXT_MAIN)
    [message] = lint_file(project / "main.py")
    assert "(timm `convnext_tiny`): `stem.1.weight`, `downsample.0.weight` are decayed" in message


def test_an_architecture_the_linted_file_registers(project):
    (project / "main.py").write_text(CONVNEXT_MAIN.replace("import models.convnext\n", "") + "\n\n" + REGISTERED)
    assert lint_file(project / "main.py") == []


KAGGLE = """\
import timm
import torch
import torch.nn as nn


class CustomModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.model = timm.create_model("tf_efficientnet_b3_ns", pretrained=True, num_classes=0)
        self.fc = nn.Linear(1536, 5)

    def forward(self, x):
        return self.fc(self.model(x))


model = CustomModel().to("cuda")
no_decay = NO_DECAY
optimizer_parameters = [
    {"params": [p for n, p in model.named_parameters() if not any(nd in n for nd in no_decay)], "weight_decay": 0.01},
    {"params": [p for n, p in model.named_parameters() if any(nd in n for nd in no_decay)], "weight_decay": 0.0},
]
optimizer = torch.optim.AdamW(optimizer_parameters, lr=1e-4)
"""


def test_a_timm_backbone_inside_a_class_of_the_script():
    [message] = messages(KAGGLE.replace("NO_DECAY", '["bias", "LayerNorm.bias", "LayerNorm.weight"]'))
    assert "of `model`: `model.bn1.weight`, `model.bn2.weight`, `model.bn3.weight` are decayed" in message
    assert messages(KAGGLE.replace("NO_DECAY", '["bias", "bn"]')) == []
