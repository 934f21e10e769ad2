import pytest

import wdlint

CODE = "WD501"


@pytest.mark.parametrize(
    ("source", "expected"),
    (
        pytest.param("import torch\nopt = torch.optim.Adam(ps, 1e-3, (0.9, 0.99))\n", [(2, 34)], id="betas"),
        pytest.param("import torch\nopt = torch.optim.Adagrad(ps, 0.01, 1e-4)\n", [(2, 37)], id="adagrad lr_decay"),
        pytest.param(
            "import torch\nopt = torch.optim.SGD(\n    ps,\n    0.1,\n    0.9,\n)\n", [(5, 5)], id="multi-line"
        ),
    ),
)
def test_fires(findings, source, expected):
    assert findings(source, CODE) == [(CODE, row, col) for row, col in expected]


@pytest.mark.parametrize(
    "source",
    (
        pytest.param("import torch\nopt = torch.optim.Adam(ps, 1e-3, betas=(0.9, 0.99))\n", id="lr positional only"),
        pytest.param("import torch\nopt = torch.optim.Adam(ps, lr=1e-3)\n", id="keywords"),
        pytest.param("import torch\nopt = torch.optim.Adam(*args)\n", id="star args"),
        pytest.param("import mylib\nopt = mylib.Adam(ps, 1e-3, 0.9)\n", id="unknown class"),
    ),
)
def test_quiet(findings, source):
    assert findings(source, CODE) == []


def test_message_says_where_each_value_lands():
    [diagnostic] = wdlint.lint_source("import torch\nopt = torch.optim.Adagrad(ps, 0.01, 1e-4)\n", select=[CODE])
    assert "`0.0001` -> lr_decay" in diagnostic.message
