"""WD201 on param groups that split the model by place (backbone / head, sub-modules, lr) but
never by what a param is: each such group still decays its biases and norms."""

import textwrap

import pytest

import wdlint

CODE = "WD201"

NET = """\
import torch
from torch import nn

class Backbone(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 64, 3)
        self.bn = nn.BatchNorm2d(64)

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.backbone = Backbone()
        self.proj = nn.Linear(64, 64, bias=False)
        self.head = nn.Sequential(nn.Dropout(0.1), nn.Linear(64, 10, False))
        self.classifier = nn.Linear(64, 10)

model = Net().to("cuda")
"""

DETR = """\
import torch
param_dicts = [
    {"params": [p for n, p in model.named_parameters() if "backbone" not in n and p.requires_grad]},
    {
        "params": [p for n, p in model.named_parameters() if "backbone" in n and p.requires_grad],
        "lr": args.lr_backbone,
    },
]
optimizer = torch.optim.AdamW(param_dicts, lr=1e-4, weight_decay=1e-4)
"""

LOOP = """\
import torch
backbone, head = [], []
for name, param in model.named_parameters():
    if name.startswith("backbone."):
        backbone.append(param)
    else:
        head.append(param)
optimizer = torch.optim.AdamW([{"params": backbone, "lr": 1e-4}, {"params": head, "lr": 1e-3}], weight_decay=0.05)
"""


@pytest.mark.parametrize(
    ("source", "expected"),
    (
        pytest.param(
            "import torch\nopt = torch.optim.AdamW([{'params': model.backbone.parameters(), 'lr': 1e-4}, "
            "{'params': model.head.parameters()}], lr=1e-3, weight_decay=0.05)\n",
            [(2, 37), (2, 90)],
            id="sub-modules, the optimizer's decay",
        ),
        pytest.param(DETR, [(3, 16), (5, 19)], id="detr: backbone by name, each group"),
        pytest.param(LOOP, [(8, 43), (8, 77)], id="split in a loop by prefix"),
        pytest.param(
            NET + "opt = torch.optim.AdamW([{'params': model.backbone.parameters(), 'lr': 1e-4}, "
            "{'params': model.classifier.parameters()}], lr=1e-3, weight_decay=0.05)\n",
            [(19, 37), (19, 90)],
            id="known classes with biases and norms",
        ),
        pytest.param(
            "import torch\ngroups = [\n"
            "    {'params': [p for n, p in model.named_parameters() if 'encoder' in n], 'lr': 1e-5, 'weight_decay': 0.01},\n"
            "    {'params': [p for n, p in model.named_parameters() if 'encoder' not in n], 'weight_decay': 0.0},\n"
            "]\nopt = torch.optim.AdamW(groups)\n",
            [(3, 16)],
            id="only the group that decays",
        ),
    ),
)
def test_fires(findings, source, expected):
    assert findings(source, CODE) == [(CODE, row, col) for row, col in expected]


@pytest.mark.parametrize(
    "source",
    (
        pytest.param(
            NET + "opt = torch.optim.AdamW([{'params': model.proj.parameters()}, {'params': model.head.parameters()}], lr=1e-3)\n",
            id="sub-modules without biases or norms",
        ),
        pytest.param(NET + "opt = torch.optim.AdamW(model.proj.parameters(), lr=1e-3)\n", id="flat params of a plain module"),
        pytest.param(
            "import torch\ngroups = [\n"
            "    {'params': [p for n, p in model.named_parameters() if 'backbone' in n and p.ndim >= 2], 'lr': 1e-5},\n"
            "    {'params': [p for n, p in model.named_parameters() if 'backbone' not in n and p.ndim >= 2]},\n"
            "    {'params': [p for p in model.parameters() if p.ndim < 2], 'weight_decay': 0.0},\n"
            "]\nopt = torch.optim.AdamW(groups, weight_decay=0.05)\n",
            id="split by ndim too",
        ),
        pytest.param(
            "import torch\nno_decay = ['bias', 'LayerNorm.weight']\ngroups = [\n"
            "    {'params': [p for n, p in model.named_parameters() if 'bert' in n and not any(nd in n for nd in no_decay)], 'lr': 2e-5},\n"
            "    {'params': [p for n, p in model.named_parameters() if any(nd in n for nd in no_decay)], 'weight_decay': 0.0},\n"
            "]\nopt = torch.optim.AdamW(groups, weight_decay=0.01)\n",
            id="split by a no-decay name list too",
        ),
        pytest.param(
            "import torch\nfrom timm.optim import param_groups_weight_decay\n"
            "groups = param_groups_weight_decay(model.backbone, 0.05) + "
            "[{'params': [p for n, p in model.named_parameters() if 'head' in n], 'lr': 1e-3}]\n"
            "opt = torch.optim.AdamW(groups, lr=1e-4)\n",
            id="timm groups beside it",
        ),
        pytest.param(
            "import torch\nopt = torch.optim.AdamW([{'params': [p for n, p in model.named_parameters() if 'backbone' in n], 'weight_decay': 0.0}, "
            "{'params': [p for n, p in model.named_parameters() if 'bias' in n], 'weight_decay': 0.0}], lr=1e-3, weight_decay=0.05)\n",
            id="no group decays by name only",
        ),
        pytest.param(
            "import torch\nopt = torch.optim.AdamW([{'params': [p for n, p in model.named_parameters() if 'logit_scale' in n]}, "
            "{'params': [p for n, p in model.named_parameters() if 'vera_lambda_' in n], 'lr': 1e-2}], lr=1e-3)\n",
            id="names of single params, not layers",
        ),
        pytest.param(
            "import torch\nfrom peft import get_peft_model\nmodel = get_peft_model(model, config)\n"
            "opt = torch.optim.AdamW([{'params': [p for n, p in model.named_parameters() if 'classifier' not in n and p.requires_grad]}], lr=1e-3)\n",
            id="peft: only adapters are trainable",
        ),
        pytest.param(
            "import torch\nopt = torch.optim.Adam([{'params': model.backbone.parameters(), 'lr': 1e-4}, {'params': model.head.parameters()}], lr=1e-3)\n",
            id="no decay at all",
        ),
    ),
)
def test_quiet(findings, source):
    assert findings(source, CODE) == []


def test_message_names_the_group():
    source = "import torch\nopt = torch.optim.AdamW([{'params': model.backbone.parameters(), 'lr': 1e-4}], lr=1e-3, weight_decay=0.05)\n"
    [finding] = wdlint.lint_source(textwrap.dedent(source), select=[CODE])
    assert finding.message.startswith(
        "param group 0 (`model.backbone.parameters()`) holds every parameter of `model.backbone` with "
        "weight_decay=0.05 from the optimizer, so it decays its biases and normalization weights"
    )
    [finding] = wdlint.lint_source(DETR, select=[CODE])[1:]
    assert finding.message.startswith("param group 1 (")
    assert "selects params only by where they sit (`'backbone' in n`)" in finding.message


MEGATRON = """\
from apex.optimizers import FusedAdam as Adam


def get_param_groups(modules, no_weight_decay_cond, scale_lr_cond, lr_mult):
    wd_no_scale_lr = []
    wd_scale_lr = []
    no_wd_no_scale_lr = []
    no_wd_scale_lr = []
    for module in modules:
        for name, param in module.named_parameters():
            if not param.requires_grad:
                continue
            if no_weight_decay_cond is not None:
                no_wd = no_weight_decay_cond(name, param)
            else:
                # do not regularize biases nor Norm parameters
                no_wd = name.endswith(".bias") or len(param.shape) == 1
            if scale_lr_cond is not None:
                scale_lr = scale_lr_cond(name, param)
            else:
                scale_lr = False
            if not no_wd and not scale_lr:
                wd_no_scale_lr.append(param)
            elif not no_wd and scale_lr:
                wd_scale_lr.append(param)
            elif no_wd and not scale_lr:
                no_wd_no_scale_lr.append(param)
            else:
                no_wd_scale_lr.append(param)
    param_groups = []
    if len(wd_no_scale_lr):
        param_groups.append({'params': wd_no_scale_lr, 'wd_mult': 1.0, 'lr_mult': 1.0})
    if len(wd_scale_lr):
        param_groups.append({'params': wd_scale_lr, 'wd_mult': 1.0, 'lr_mult': lr_mult})
    if len(no_wd_no_scale_lr):
        param_groups.append({'params': no_wd_no_scale_lr, 'wd_mult': 0.0, 'lr_mult': 1.0})
    if len(no_wd_scale_lr):
        param_groups.append({'params': no_wd_scale_lr, 'wd_mult': 0.0, 'lr_mult': lr_mult})
    return param_groups


def get_megatron_optimizer(model, no_weight_decay_cond=None, scale_lr_cond=None, lr_mult=1.0):
    param_groups = get_param_groups(model, no_weight_decay_cond, scale_lr_cond, lr_mult)
    return Adam(param_groups, lr=args.lr, weight_decay=args.weight_decay)
"""

LOCAL_PLACE = """\
import torch
backbone, head = [], []
for name, param in model.named_parameters():
    is_head = name.startswith("head.")
    if is_head:
        head.append(param)
    else:
        backbone.append(param)
optimizer = torch.optim.AdamW([{"params": backbone, "lr": 1e-4}, {"params": head, "lr": 1e-3}], weight_decay=0.05)
"""


def test_groups_split_through_a_loop_variable(findings):
    # Megatron's groups: split by `no_wd`, which the loop computes from the name and the shape
    assert findings(MEGATRON, CODE) == []
    # a place split through a variable is still a place split, reported as such
    diagnostics = wdlint.lint_source(LOCAL_PLACE, "example.py", select=[CODE])
    assert [(d.location.row, d.location.column) for d in diagnostics] == [(9, 43), (9, 77)]
    assert all("selects params only by where they sit" in d.message for d in diagnostics)
