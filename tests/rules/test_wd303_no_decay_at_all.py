import pytest

import wdlint

CODE = "WD303"


@pytest.mark.parametrize(
    ("source", "expected"),
    (
        pytest.param("import torch\nopt = torch.optim.AdamW(model.parameters(), weight_decay=0.0)\n", [(2, 7)], id="adamw"),
        pytest.param("import torch\nopt = torch.optim.SGD(model.parameters(), lr=0.1)\n", [(2, 7)], id="sgd default"),
        pytest.param(
            "import torch\nopt = torch.optim.Adam(model.parameters(), decoupled_weight_decay=True)\n",
            [(2, 7)],
            id="decoupled adam default zero",
        ),
        pytest.param(
            "import torch\nopt = torch.optim.AdamW([{'params': a, 'weight_decay': 0.0}, {'params': b, 'weight_decay': 0}])\n",
            [(2, 7)],
            id="all groups zero",
        ),
    ),
)
def test_fires(findings, source, expected):
    assert findings(source, CODE) == [(CODE, row, col) for row, col in expected]


@pytest.mark.parametrize(
    "source",
    (
        pytest.param("import torch\nopt = torch.optim.AdamW(model.parameters())\n", id="adamw default decays"),
        pytest.param("import torch\nopt = torch.optim.Adam(model.parameters())\n", id="coupled adam is not the family"),
        pytest.param("import torch\nopt = torch.optim.AdamW(subset, weight_decay=0.0)\n", id="not the whole model"),
        pytest.param(
            "import torch\nopt = torch.optim.AdamW([{'params': a, 'weight_decay': 0.0}, {'params': b}])\n",
            id="a group decays",
        ),
        pytest.param("import torch\nopt = torch.optim.SGD(model.parameters(), weight_decay=wd)\n", id="unknown"),
    ),
)
def test_quiet(findings, source):
    assert findings(source, CODE) == []


def test_is_opt_in():
    assert wdlint.lint_source("import torch\nopt = torch.optim.SGD(model.parameters(), lr=0.1)\n") == []
