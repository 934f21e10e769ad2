import pytest

CODE = "WD204"


@pytest.mark.parametrize(
    ("source", "expected"),
    (
        pytest.param(
            "import torch\nopt = torch.optim.AdamW([{'params': a, 'weight_decay_rate': 0.0}])\n",
            [(2, 40)],
            id="flax name",
        ),
        pytest.param("import torch\nopt = torch.optim.SGD([{'params': a, 'wd': 0.0}], lr=0.1)\n", [(2, 38)], id="wd"),
        pytest.param(
            "import torch\nopt = torch.optim.AdamW([dict(params=a, weight_deacy=0.0)])\n", [(2, 41)], id="misspelt"
        ),
        pytest.param(
            "import torch\ngroups = [{'params': a}]\ngroups.append({'params': b, 'learning_rate': 1e-4})\nopt = torch.optim.AdamW(groups)\n",
            [(3, 29)],
            id="appended group",
        ),
    ),
)
def test_fires(findings, source, expected):
    assert findings(source, CODE) == [(CODE, row, col) for row, col in expected]


@pytest.mark.parametrize(
    "source",
    (
        pytest.param(
            "import torch\nopt = torch.optim.AdamW([{'params': a, 'weight_decay': 0.0, 'lr': 1e-4}])\n", id="known keys"
        ),
        pytest.param(
            "import torch\nopt = torch.optim.AdamW([{'params': a, 'name': 'decay', 'lr_scale': 0.5, 'layer_id': 3}])\n",
            id="bookkeeping keys",
        ),
        pytest.param(
            "import torch\nopt = torch.optim.Adagrad([{'params': a, 'lr_decay': 0.1}])\n", id="adagrad lr_decay"
        ),
        pytest.param(
            "import torch\nopt = torch.optim.Adam([{'params': a, 'initial_lr': 0.1, 'param_names': n}])\n",
            id="keys torch itself adds",
        ),
    ),
)
def test_quiet(findings, source):
    assert findings(source, CODE) == []


def test_message_suggests_the_key():
    import wdlint

    [d] = wdlint.lint_source("import torch\nopt = torch.optim.SGD([{'params': a, 'wd': 0.0}])\n", select=[CODE])
    assert "did you mean `weight_decay`?" in d.message
