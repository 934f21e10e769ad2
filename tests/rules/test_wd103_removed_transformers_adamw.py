import pytest

CODE = "WD103"


@pytest.mark.parametrize(
    ("source", "expected"),
    (
        pytest.param("from transformers import AdamW\nopt = AdamW(ps, lr=2e-5)\n", [(2, 7)], id="from import"),
        pytest.param("import transformers\nopt = transformers.AdamW(ps)\n", [(2, 7)], id="attribute"),
        pytest.param(
            "from transformers.optimization import AdamW\nopt = AdamW(ps, weight_decay=0.01)\n",
            [(2, 7)],
            id="optimization module",
        ),
    ),
)
def test_fires(findings, source, expected):
    assert findings(source, CODE) == [(CODE, row, col) for row, col in expected]


@pytest.mark.parametrize(
    "source",
    (
        pytest.param("from torch.optim import AdamW\nopt = AdamW(ps, lr=2e-5)\n", id="torch adamw"),
        pytest.param("from transformers import AdamW\n", id="import alone"),
        pytest.param("from transformers import Trainer\nt = Trainer(model)\n", id="other transformers"),
        pytest.param("class AdamW:\n    pass\nopt = AdamW(ps, lr=2e-5)\n", id="the user's own AdamW"),
        pytest.param("from mylib.optim import AdamW\nopt = AdamW(ps, lr=2e-5)\n", id="another library's AdamW"),
        pytest.param(
            "from transformers import AdamW\nAdamW = MyAdamW\nopt = AdamW(ps, lr=2e-5)\n", id="the name bound again"
        ),
    ),
)
def test_quiet(findings, source):
    assert findings(source, CODE) == []


def test_transformers_adamw_default_is_zero_so_no_bias_decay_finding(findings):
    assert findings("from transformers import AdamW\nopt = AdamW(m.parameters())\n", "WD201") == []
