import pytest

CODE = "WD102"


@pytest.mark.parametrize(
    ("source", "expected"),
    (
        pytest.param("import torch\nopt = torch.optim.RMSprop(ps, weight_decay=1e-5)\n", [(2, 7)], id="rmsprop"),
        pytest.param("import torch\nopt = torch.optim.Adagrad(ps, 0.01, 0, 1e-4)\n", [(2, 7)], id="adagrad positional"),
        pytest.param("from torch.optim import Adadelta\nopt = Adadelta(ps, weight_decay=wd)\n", [(2, 7)], id="adadelta unknown"),
    ),
)
def test_fires(findings, source, expected):
    assert findings(source, CODE) == [(CODE, row, col) for row, col in expected]


@pytest.mark.parametrize(
    "source",
    (
        pytest.param("import torch\nopt = torch.optim.RMSprop(ps, lr=1e-3)\n", id="no decay"),
        pytest.param("import torch\nopt = torch.optim.Adagrad(ps, 0.01, 1e-4)\n", id="adagrad lr_decay is not decay"),
        pytest.param("import torch\nopt = torch.optim.Adam(ps, weight_decay=0.1)\n", id="adam is WD101's"),
        pytest.param("import torch\nopt = torch.optim.SGD(ps, lr=0.1, weight_decay=1e-4)\n", id="sgd"),
    ),
)
def test_quiet(findings, source):
    assert findings(source, CODE) == []
