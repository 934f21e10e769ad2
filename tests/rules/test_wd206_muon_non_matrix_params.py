import pytest

CODE = "WD206"


@pytest.mark.parametrize(
    ("source", "expected"),
    (
        pytest.param("import torch\nopt = torch.optim.Muon(model.parameters(), lr=0.02)\n", [(2, 24)], id="whole model"),
        pytest.param(
            "import torch\nopt = torch.optim.Muon([p for p in model.parameters() if p.ndim == 2])\n",
            [(2, 24)],
            id="shape filter lets embeddings in",
        ),
        pytest.param(
            "import torch\nopt = torch.optim.Muon(filter(lambda p: p.ndim >= 2, model.parameters()))\n",
            [(2, 24)],
            id="filter by ndim",
        ),
        pytest.param(
            "import torch\nopt = torch.optim.Muon([{'params': model.parameters()}])\n", [(2, 36)], id="flat group"
        ),
    ),
)
def test_fires(findings, source, expected):
    assert findings(source, CODE) == [(CODE, row, col) for row, col in expected]


@pytest.mark.parametrize(
    "source",
    (
        pytest.param(
            "import torch\nopt = torch.optim.Muon([p for n, p in model.named_parameters() if p.ndim == 2 and 'embed' not in n])\n",
            id="shape and name",
        ),
        pytest.param("import torch\nopt = torch.optim.Muon(model.blocks_matrices())\n", id="unknown source"),
        pytest.param("import torch\nopt = torch.optim.AdamW(model.parameters(), weight_decay=0.0)\n", id="not muon"),
        pytest.param("import torch\nopt = torch.optim.Muon([model.w1, model.w2])\n", id="an explicit list"),
        pytest.param(
            "import torch\nopt = torch.optim.Muon([p for n, p in model.named_parameters() if 'blocks' in n and p.ndim == 2])\n",
            id="matrices of the blocks by name and shape",
        ),
    ),
)
def test_quiet(findings, source):
    assert findings(source, CODE) == []
