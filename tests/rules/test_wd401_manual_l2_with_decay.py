import pytest

CODE = "WD401"


@pytest.mark.parametrize(
    ("source", "expected"),
    (
        pytest.param(
            "import torch\nopt = torch.optim.SGD(model.parameters(), lr=0.1, weight_decay=5e-4)\n"
            "loss = ce + 1e-4 * sum(p.pow(2).sum() for p in model.parameters())\n",
            [(3, 23)],
            id="generator pow",
        ),
        pytest.param(
            "import torch\nopt = torch.optim.AdamW(model.parameters())\nreg = 0\n"
            "for name, param in model.named_parameters():\n    reg = reg + torch.norm(param)\n",
            [(4, 1)],
            id="loop norm with adamw default",
        ),
        pytest.param(
            "import torch\nopt = torch.optim.Adam(model.parameters(), weight_decay=1e-4)\n"
            "l2 = sum((w ** 2).sum() for w in model.parameters())\n",
            [(3, 9)],
            id="square operator",
        ),
    ),
)
def test_fires(findings, source, expected):
    assert findings(source, CODE) == [(CODE, row, col) for row, col in expected]


@pytest.mark.parametrize(
    "source",
    (
        pytest.param(
            "import torch\nopt = torch.optim.SGD(model.parameters(), lr=0.1)\n"
            "loss = ce + 1e-4 * sum(p.pow(2).sum() for p in model.parameters())\n",
            id="optimizer does not decay",
        ),
        pytest.param(
            "import torch\nopt = torch.optim.SGD(model.parameters(), lr=0.1, weight_decay=5e-4)\n"
            "n = sum(p.numel() for p in model.parameters())\n",
            id="counting params",
        ),
        pytest.param(
            "import torch\nopt = torch.optim.SGD(model.parameters(), lr=0.1, weight_decay=5e-4)\n"
            "g = sum(p.grad.norm() for p in model.parameters())\n",
            id="gradient norm",
        ),
        pytest.param(
            "loss = sum(p.pow(2).sum() for p in model.parameters())\n", id="no optimizer in the file"
        ),
    ),
)
def test_quiet(findings, source):
    assert findings(source, CODE) == []


@pytest.mark.parametrize(
    "source",
    (
        pytest.param(
            "import torch\nopt = torch.optim.AdamW(model.parameters(), weight_decay=0.1)\n"
            "with torch.no_grad():\n    norm = torch.sqrt(sum(p.pow(2).sum() for p in model.parameters()))\n",
            id="logging a weight norm (regression)",
        ),
        pytest.param(
            "import torch\nopt_g = torch.optim.AdamW(G.parameters(), weight_decay=0.01)\nopt_d = torch.optim.SGD(D.parameters(), lr=0.1)\n"
            "loss_d = loss + 1e-4 * sum(p.pow(2).sum() for p in D.parameters())\n",
            id="penalty on another module than the decayed one (regression)",
        ),
        pytest.param(
            "import torch\nopt = torch.optim.SGD(model.parameters(), lr=0.1, weight_decay=5e-4)\n"
            "loss = ce + 1e-4 * sum(p.norm(1) for p in model.parameters())\n",
            id="L1 is not L2",
        ),
    ),
)
def test_quiet_regressions(findings, source):
    assert findings(source, CODE) == []
