"""WD207: WD201's findings where the optimizer is SGD (the classic recipe), opt-in; WD201 keeps
the adaptive and decoupled optimizers."""

import textwrap

import pytest

import wdlint
from wdlint.engine.lint import lint_bytes
from wdlint.engine.runner import LintOptions

CODE = "WD207"

# torchvision's classification reference, before `--norm-weight-decay` existed
TORCHVISION = """\
import torch
import torchvision

model = torchvision.models.__dict__[args.model](weights=args.weights, num_classes=num_classes)
parameters = model.parameters()
optimizer = torch.optim.SGD(parameters, lr=args.lr, momentum=args.momentum, weight_decay=args.weight_decay)
"""

# the same reference today: `set_weight_decay` with `--norm-weight-decay 0.0`
TORCHVISION_SPLIT = """\
import torch
import torchvision
from torchvision.ops._utils import split_normalization_params

model = torchvision.models.resnet50()
norm_params, other_params = split_normalization_params(model)
parameters = [{"params": norm_params, "weight_decay": 0.0}, {"params": other_params, "weight_decay": 1e-4}]
optimizer = torch.optim.SGD(parameters, lr=0.5, momentum=0.9)
"""

LOOP = """\
import torch
backbone, head = [], []
for name, param in model.named_parameters():
    if name.startswith("backbone."):
        backbone.append(param)
    else:
        head.append(param)
optimizer = torch.optim.SGD([{"params": backbone, "lr": 0.01}, {"params": head, "lr": 0.1}], momentum=0.9, weight_decay=5e-4)
"""


@pytest.mark.parametrize(
    ("source", "expected"),
    (
        pytest.param(TORCHVISION, [(6, 29)], id="torchvision reference: every param"),
        pytest.param(
            "import torch\nopt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4)\n",
            [(2, 23)],
            id="sgd",
        ),
        pytest.param(
            "import torch\nopt = torch.optim.ASGD(net.parameters(), lr=0.01, weight_decay=1e-4)\n", [(2, 24)], id="asgd"
        ),
        pytest.param(
            "import timm.optim\nopt = timm.optim.create_optimizer_v2(model.parameters(), 'momentum', lr=0.1, weight_decay=1e-4)\n",
            [(2, 38)],
            id="timm momentum given .parameters()",
        ),
        pytest.param(LOOP, [(8, 41), (8, 75)], id="groups split by place"),
    ),
)
def test_fires(findings, source, expected):
    assert findings(source, CODE) == [(CODE, row, col) for row, col in expected]


@pytest.mark.parametrize(
    "source",
    (
        pytest.param(TORCHVISION_SPLIT, id="torchvision's norm params at 0"),
        pytest.param("import torch\nopt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)\n", id="no decay"),
        pytest.param(
            "import torch\nopt = torch.optim.SGD([{'params': [p for p in net.parameters() if p.ndim >= 2]}, "
            "{'params': [p for p in net.parameters() if p.ndim < 2], 'weight_decay': 0.0}], lr=0.1, weight_decay=1e-4)\n",
            id="ndim split",
        ),
        pytest.param(
            "import timm.optim\nopt = timm.optim.create_optimizer_v2(model, 'sgd', lr=0.1, weight_decay=1e-4)\n",
            id="timm given the model: its own groups",
        ),
        pytest.param(
            "import torch\nopt = torch.optim.AdamW(net.parameters(), lr=1e-3, weight_decay=0.05)\n",
            id="adamw is WD201's",
        ),
    ),
)
def test_quiet(findings, source):
    assert findings(source, CODE) == []


def test_opt_in_and_wd201_is_quiet_on_sgd():
    source = "import torch\nopt = torch.optim.SGD(net.parameters(), lr=0.1, weight_decay=5e-4)\n"
    assert wdlint.lint_source(source) == []  # the default selection: neither rule
    [diagnostic] = wdlint.lint_source(source, select=["WD2"])  # a prefix turns opt-in rules on
    assert diagnostic.code == CODE


def test_the_message_is_wd201s():
    source = "import torch\nopt = torch.optim.SGD(net.parameters(), lr=0.1, weight_decay=5e-4)\n"
    [diagnostic] = wdlint.lint_source(source, select=[CODE])
    assert diagnostic.message.startswith(
        "`net.parameters()` gives every parameter to `torch.optim.SGD` with weight_decay=0.0005, so biases "
        "and normalization weights are decayed too; "
    )
    assert diagnostic.fix is not None  # WD201's split, unsafe


MM_SCHEDULE = "optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=1e-4){})\n"


@pytest.mark.parametrize(
    ("config", "name", "expected"),
    (
        pytest.param(MM_SCHEDULE.format(""), "schedule.py", [(1, 22)], id="mmengine SGD without paramwise_cfg"),
        pytest.param(
            MM_SCHEDULE.format(", paramwise_cfg=dict(norm_decay_mult=0.0, bias_decay_mult=0.0)"), "schedule.py", [],
            id="mmengine SGD with both mults at 0",
        ),
        pytest.param(
            "model:\n  optim:\n    name: sgd\n    lr: 0.1\n    weight_decay: 0.001\n", "titanet.yaml", [(2, 3)],
            id="NeMo sgd over self.parameters()",
        ),
        pytest.param("SOLVER:\n  WEIGHT_DECAY: 0.0001\n  WEIGHT_DECAY_NORM: 0.0001\n", "d2.yaml", [(1, 1)], id="detectron2"),
        pytest.param(
            "model:\n  optim:\n    name: adamw\n    weight_decay: 0.001\n", "conformer.yaml", [], id="NeMo adamw: WD201's"
        ),
    ),
)
def test_configs(config, name, expected):
    result = lint_bytes(textwrap.dedent(config).encode(), name, LintOptions.from_selection([CODE]))
    assert [(d.location.row, d.location.column) for d in result.diagnostics] == expected
