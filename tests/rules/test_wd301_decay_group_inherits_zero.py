import pytest

CODE = "WD301"


@pytest.mark.parametrize(
    ("source", "expected"),
    (
        pytest.param(
            "import torch\nopt = torch.optim.Adam([{'params': a}, {'params': b, 'weight_decay': 0.0}], lr=1e-3)\n",
            [(2, 25)],
            id="adam default zero",
        ),
        pytest.param(
            """\
import torch
groups = [
    {"params": decay},
    {"params": no_decay, "weight_decay": 0.0},
]
opt = torch.optim.SGD(groups, lr=0.1, weight_decay=0)
""",
            [(3, 5)],
            id="groups in a variable, explicit zero",
        ),
        pytest.param(
            """\
import torch
groups = []
groups.append(dict(params=decay))
groups.append(dict(params=no_decay, weight_decay=0.0))
opt = torch.optim.SGD(groups, lr=0.1)
""",
            [(3, 15)],
            id="appended dict() groups",
        ),
    ),
)
def test_fires(findings, source, expected):
    assert findings(source, CODE) == [(CODE, row, col) for row, col in expected]


@pytest.mark.parametrize(
    "source",
    (
        pytest.param(
            "import torch\nopt = torch.optim.Adam([{'params': a}, {'params': b, 'weight_decay': 0.0}], weight_decay=0.1)\n",
            id="constructor decays",
        ),
        pytest.param(
            "import torch\nopt = torch.optim.AdamW([{'params': a}, {'params': b, 'weight_decay': 0.0}])\n",
            id="adamw default nonzero",
        ),
        pytest.param(
            "import torch\nopt = torch.optim.Adam([{'params': a}, {'params': b}])\n", id="no explicit zero"
        ),
        pytest.param(
            "import torch\nopt = torch.optim.Adam([{'params': a, 'weight_decay': 0.1}, {'params': b, 'weight_decay': 0.0}])\n",
            id="every group sets it",
        ),
        pytest.param(
            "import torch\nopt = torch.optim.Adam([{'params': a}, {'params': b, 'weight_decay': 0.0}], **kw)\n",
            id="constructor value may hide in kwargs",
        ),
        pytest.param(
            "import torch\nopt = torch.optim.Adam([{'params': a, **extra}, {'params': b, 'weight_decay': 0.0}])\n",
            id="group spreads unknown keys",
        ),
        pytest.param(
            """\
import torch
opt = torch.optim.SGD(biases, lr=0.1)
opt.add_param_group({"params": weights, "weight_decay": decay})
opt.add_param_group({"params": norms, "weight_decay": 0.0})
""",
            id="yolov5: another group decays (regression)",
        ),
    ),
)
def test_quiet(findings, source):
    assert findings(source, CODE) == []
