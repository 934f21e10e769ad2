import pytest

CODE = "WD205"

SELECT = 'opt = torch.optim.AdamW([{{"params": [p for n, p in model.named_parameters() if {test}], "weight_decay": 0.0}}])\n'


@pytest.mark.parametrize(
    ("wrap", "test", "expected"),
    (
        pytest.param("from torch.nn.parallel import DistributedDataParallel as DDP\nmodel = DDP(model)", "n.startswith('head')", [(5, 80)], id="ddp prefix"),
        pytest.param("model = torch.compile(model)", "n in skip", [(4, 80)], id="compile membership"),
        pytest.param("model, opt0 = accelerator.prepare(model, opt0)", "n == 'pos_embed'", [(4, 80)], id="accelerate equality"),
        pytest.param("model = torch.nn.DataParallel(model).cuda()", "n.startswith('head')", [(4, 80)], id="data parallel moved"),
    ),
)
def test_fires(findings, wrap, test, expected):
    source = f"import torch\nskip = {{'pos_embed'}}\n{wrap}\n" + SELECT.format(test=test)
    assert findings(source, CODE) == [(CODE, row, col) for row, col in expected]


@pytest.mark.parametrize(
    ("wrap", "test"),
    (
        pytest.param("model = torch.compile(model)", "'bias' in n", id="substring survives the prefix"),
        pytest.param("model = torch.compile(model)", "n.endswith('bias')", id="suffix survives the prefix"),
        pytest.param("model = build()", "n.startswith('head')", id="not wrapped"),
    ),
)
def test_quiet(findings, wrap, test):
    source = f"import torch\n{wrap}\n" + SELECT.format(test=test)
    assert findings(source, CODE) == []


def test_grouping_before_wrapping_is_fine(findings):
    source = "import torch\n" + SELECT.format(test="n.startswith('head')") + "model = torch.compile(model)\n"
    assert findings(source, CODE) == []


def test_a_function_called_before_the_wrap_is_not_judged_by_the_last_binding(findings):
    """The function may group before the script wraps the model (regression)."""
    source = (
        "import torch\nfrom torch.nn.parallel import DistributedDataParallel as DDP\n"
        "def build():\n    return torch.optim.AdamW([{'params': [p for n, p in model.named_parameters() if n.startswith('enc')]}])\n"
        "model = Net()\nopt = build()\nmodel = DDP(model)\n"
    )
    assert findings(source, CODE) == []
