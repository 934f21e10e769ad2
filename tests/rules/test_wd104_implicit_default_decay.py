import pytest

import wdlint

CODE = "WD104"


@pytest.mark.parametrize(
    ("source", "expected"),
    (
        pytest.param("import torch\nopt = torch.optim.AdamW(groups, lr=3e-4)\n", [(2, 7)], id="adamw"),
        pytest.param("import torch\nopt = torch.optim.Muon(ps)\n", [(2, 7)], id="muon"),
        pytest.param(
            "import bitsandbytes as bnb\nopt = bnb.optim.PagedAdamW8bit(ps)\n", [(2, 7)], id="bnb adamw"
        ),
        pytest.param(
            "import torch\nopt = torch.optim.AdamW([{'params': a, 'weight_decay': 0.0}, {'params': b}])\n",
            [(2, 7)],
            id="a group takes the default",
        ),
    ),
)
def test_fires(findings, source, expected):
    assert findings(source, CODE) == [(CODE, row, col) for row, col in expected]


@pytest.mark.parametrize(
    "source",
    (
        pytest.param("import torch\nopt = torch.optim.AdamW(ps, weight_decay=0.01)\n", id="explicit"),
        pytest.param("import torch\nopt = torch.optim.Adam(ps)\n", id="zero default"),
        pytest.param(
            "import torch\nopt = torch.optim.AdamW([{'params': a, 'weight_decay': 0.1}, {'params': b, 'weight_decay': 0.0}])\n",
            id="every group sets it",
        ),
        pytest.param("import bitsandbytes as bnb\nopt = bnb.optim.Adam8bit(ps)\n", id="bnb adam default zero"),
    ),
)
def test_quiet(findings, source):
    assert findings(source, CODE) == []


def test_is_opt_in():
    assert wdlint.lint_source("import torch\nopt = torch.optim.AdamW(groups)\n") == []
