import pytest

CODE = "WD302"

GROUPS = "[{'params': a, 'weight_decay': 0.1}, {'params': b, 'weight_decay': 0.0}]"


@pytest.mark.parametrize(
    ("source", "expected"),
    (
        pytest.param(f"import torch\nopt = torch.optim.AdamW({GROUPS}, weight_decay=0.05)\n", [(2, 99)], id="keyword"),
        pytest.param(f"import torch\nopt = torch.optim.AdamW({GROUPS}, weight_decay=args.wd)\n", [(2, 99)], id="unknown"),
        pytest.param(f"import torch\nopt = torch.optim.SGD({GROUPS}, 0.1, 0.9, 0, 5e-4)\n", [(2, 110)], id="positional"),
    ),
)
def test_fires(findings, source, expected):
    assert findings(source, CODE) == [(CODE, row, col) for row, col in expected]


@pytest.mark.parametrize(
    "source",
    (
        pytest.param(f"import torch\nopt = torch.optim.AdamW({GROUPS})\n", id="not given"),
        pytest.param(
            "import torch\nopt = torch.optim.AdamW([{'params': a}, {'params': b, 'weight_decay': 0.0}], weight_decay=0.1)\n",
            id="a group inherits it",
        ),
        pytest.param("import torch\nopt = torch.optim.AdamW(m.parameters(), weight_decay=0.1)\n", id="flat"),
        pytest.param(
            "import torch\nopt = torch.optim.AdamW([{'params': p, 'weight_decay': 0.0} for p in ps], weight_decay=0.1)\n",
            id="groups from a comprehension",
        ),
        pytest.param(f"import torch\nopt = torch.optim.AdamW({GROUPS}, **kw)\n", id="hidden in kwargs"),
    ),
)
def test_quiet(findings, source):
    assert findings(source, CODE) == []
