"""Every fix as (source -> fixed source) pairs; a second pass finds nothing more to fix."""

import textwrap

import pytest

from wdlint.engine.fix import fix_text, python_parses
from wdlint.engine.lint import lint_text
from wdlint.engine.runner import LintOptions


def fixed(source: str, *, unsafe: bool = False, select=("ALL",), target=None) -> str:
    options = LintOptions.from_selection(select, target_torch_version=target)
    source = textwrap.dedent(source)
    outcome = fix_text(source, lambda text: lint_text(text, "t.py", options), unsafe)
    assert python_parses(outcome.text)
    again = fix_text(outcome.text, lambda text: lint_text(text, "t.py", options), unsafe)
    assert again.text == outcome.text, "a second run must find nothing more to fix"
    return outcome.text


CASES = [
    pytest.param(
        "import torch\nopt = torch.optim.Adam(m.parameters(), 1e-3, (0.9, 0.99), 1e-8)\n",
        "import torch\nopt = torch.optim.Adam(m.parameters(), 1e-3, betas=(0.9, 0.99), eps=1e-8)\n",
        {},
        id="WD501 keywords, the line still fits",
    ),
    pytest.param(
        "import torch\nopt = torch.optim.Adam(m.parameters(), 1e-3, (0.9, 0.99), 1e-8, 0.0)\n",
        """\
        import torch
        opt = torch.optim.Adam(
            m.parameters(), 1e-3, betas=(0.9, 0.99), eps=1e-8, weight_decay=0.0
        )
        """,
        {},
        id="WD501 keywords past the line length: the arguments on a line of their own, as black writes them",
    ),
    pytest.param(
        "import torch\nopt = torch.optim.SGD(m.parameters(), 0.1, ( (0.9) ))\n",
        "import torch\nopt = torch.optim.SGD(m.parameters(), 0.1, momentum=( (0.9) ))\n",
        {},
        id="WD501 keyword outside the parentheses around the value (fuzz regression)",
    ),
    pytest.param(
        "import torch\nopt = torch.optim.AdamW((groups))\n",
        "import torch\nopt = torch.optim.AdamW((groups), weight_decay=0.01)\n",
        {"select": ("WD104",)},
        id="WD104 keyword after the parentheses around the params (fuzz regression)",
    ),
    pytest.param(
        "import torch\nopt = torch.optim.AdamW(groups, lr=3e-4,)\n",
        "import torch\nopt = torch.optim.AdamW(groups, lr=3e-4, weight_decay=0.01,)\n",
        {"select": ("WD104",)},
        id="WD104 explicit default, trailing comma",
    ),
    pytest.param(
        """\
        import torch
        no_decay = ["bias", "LayerNorm.weight"]
        opt = torch.optim.AdamW([
            {"params": [p for n, p in m.named_parameters() if n not in no_decay], "weight_decay": 0.1},
            {"params": [p for n, p in m.named_parameters() if n in no_decay], "weight_decay": 0.0},
        ])
        """,
        """\
        import torch
        no_decay = ["bias", "LayerNorm.weight"]
        opt = torch.optim.AdamW([
            {
                "params": [
                    p for n, p in m.named_parameters() if not any(nd in n for nd in no_decay)
                ],
                "weight_decay": 0.1,
            },
            {
                "params": [
                    p for n, p in m.named_parameters() if any(nd in n for nd in no_decay)
                ],
                "weight_decay": 0.0,
            },
        ])
        """,
        {"select": ("WD203",)},
        id="WD203 substring test: each group (a line of its own) broken as black breaks it, the list kept",
    ),
    pytest.param(
        "from transformers import AdamW\nopt = AdamW(groups, lr=2e-5)\n",
        "import torch\n\nopt = torch.optim.AdamW(groups, lr=2e-5, weight_decay=0.0)\n",
        {"select": ("WD103",)},
        id="WD103 import replaced (a blank line before the code, as libcst's AddImportsVisitor writes it)",
    ),
    pytest.param(
        "import torch\nfrom transformers import AdamW, get_scheduler\nopt = AdamW(groups, lr=2e-5, weight_decay=0.01)\nopt2 = AdamW(other)\n",
        "import torch\nfrom transformers import AdamW, get_scheduler\nopt = torch.optim.AdamW(groups, lr=2e-5, weight_decay=0.01)\nopt2 = torch.optim.AdamW(other, weight_decay=0.0)\n",
        {"select": ("WD103",)},
        id="WD103 two uses: the import is left (only a single use removes it)",
    ),
    pytest.param(
        "import torch\nopt = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-4)\n",
        "import torch\nopt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-4)\n",
        {"select": ("WD101",), "unsafe": True},
        id="WD101 AdamW by attribute",
    ),
    pytest.param(
        "from torch.optim import Adam\nopt = Adam([{'params': a, 'weight_decay': 0.1}, {'params': b}])\n",
        "from torch.optim import AdamW\nopt = AdamW([{'params': a, 'weight_decay': 0.1}, {'params': b}], weight_decay=0.0)\n",
        {"select": ("WD101",), "unsafe": True},
        id="WD101 AdamW imported in Adam's place (its only use), Adam's default kept",
    ),
    pytest.param(
        "import torch\nopt = torch.optim.Adam(ps, weight_decay=1e-4)\n",
        "import torch\nopt = torch.optim.Adam(ps, weight_decay=1e-4, decoupled_weight_decay=True)\n",
        {"select": ("WD101",), "unsafe": True, "target": (2, 7)},
        id="WD101 flag on torch 2.7",
    ),
    pytest.param(
        "import torch\nopt = torch.optim.NAdam(ps, weight_decay=1e-4)\n",
        "import torch\nopt = torch.optim.NAdam(ps, weight_decay=1e-4, decoupled_weight_decay=True)\n",
        {"select": ("WD101",), "unsafe": True},
        id="WD101 NAdam flag",
    ),
    pytest.param(
        "from apex.optimizers import FusedAdam\nopt = FusedAdam(ps, adam_w_mode=False, weight_decay=0.01)\n",
        "from apex.optimizers import FusedAdam\nopt = FusedAdam(ps, adam_w_mode=True, weight_decay=0.01)\n",
        {"select": ("WD101",), "unsafe": True},
        id="WD101 apex flag flipped",
    ),
    pytest.param(
        "import torch\nopt = torch.optim.AdamW(model.parameters(), lr=3e-4, weight_decay=0.1)\n",
        """\
        import torch
        opt = torch.optim.AdamW(
            [
                {"params": [p for p in model.parameters() if p.ndim >= 2]},
                {"params": [p for p in model.parameters() if p.ndim < 2], "weight_decay": 0.0},
            ],
            lr=3e-4,
            weight_decay=0.1,
        )
        """,
        {"select": ("WD201",), "unsafe": True},
        id="WD201 ndim split",
    ),
    pytest.param(
        "import torch\nopt = torch.optim.SGD(net.named_parameters(), lr=0.1, weight_decay=5e-4)\n",
        """\
        import torch
        opt = torch.optim.SGD(
            [
                {"params": [p for _, p in net.named_parameters() if p.ndim >= 2]},
                {
                    "params": [p for _, p in net.named_parameters() if p.ndim < 2],
                    "weight_decay": 0.0,
                },
            ],
            lr=0.1,
            weight_decay=5e-4,
        )
        """,
        {"select": ("WD207",), "unsafe": True},  # SGD: WD207, with WD201's fix
        id="WD207 named parameters",
    ),
    pytest.param(
        "import torch\nopt = torch.optim.SGD([{'params': a, 'wd': 0.0}, dict(params=b, weight_decay_rate=0.0)], lr=0.1)\n",
        """\
        import torch
        opt = torch.optim.SGD(
            [{'params': a, 'weight_decay': 0.0}, dict(params=b, weight_decay=0.0)], lr=0.1
        )
        """,
        {"select": ("WD204",), "unsafe": True},
        id="WD204 rename keys (a line too long already, made longer: broken)",
    ),
]


@pytest.mark.parametrize(("source", "expected", "options"), CASES)
def test_fix(source, expected, options):
    assert fixed(source, **options) == textwrap.dedent(expected)


@pytest.mark.parametrize(
    ("source", "options"),
    (
        pytest.param("import torch\nopt = torch.optim.Adam(ps, weight_decay=1e-4)\n", {"select": ("WD101",)}, id="unsafe needs opting in"),
        pytest.param(
            "import torch\nps = m.parameters()\nopt = torch.optim.AdamW(ps, weight_decay=0.1)\n",
            {"select": ("WD201",), "unsafe": True},
            id="WD201 a name may be a one-shot generator",
        ),
        pytest.param(
            "from transformers import AdamW\nopt = AdamW(ps, correct_bias=False)\n", {"select": ("WD103",)}, id="WD103 correct_bias"
        ),
        pytest.param("import torch\nopt = torch.optim.Adamax(ps, weight_decay=0.1)\n", {"select": ("WD101",), "unsafe": True}, id="Adamax has no decoupled form"),
        pytest.param(
            "import torch\nopt = torch.optim.AdamW([{'params': [p for n, p in m.named_parameters() if n not in ('bias', 'LayerNorm.weight')]}])\n",
            {"select": ("WD203",), "unsafe": True},
            id="WD203 an inline tuple has no name to share a substring test with",
        ),
        pytest.param(
            "import torch\nopt = torch.optim.NAdam(ps, weight_decay=1e-4)\n",
            {"select": ("WD101",), "unsafe": True, "target": (2, 0)},
            id="WD101 NAdam before torch 2.1 has no flag to pass (review regression)",
        ),
        pytest.param(
            "import torch\nopt = torch.optim.SGD([{'params': a, 'wd': 0.0, 'weight_decay': 0.1}])\n",
            {"select": ("WD204",), "unsafe": True},
            id="WD204 rename would duplicate a key",
        ),
    ),
)
def test_no_fix(source, options):
    assert fixed(source, **options) == source


def test_wd103_import_stays_while_another_use_remains():
    source = "from transformers import AdamW\nopt = AdamW(groups, lr=2e-5)\nassert issubclass(AdamW, object)\n"
    assert fixed(source, select=("WD103",)) == (
        "from transformers import AdamW\nimport torch\n\nopt = torch.optim.AdamW(groups, lr=2e-5, weight_decay=0.0)\n"
        "assert issubclass(AdamW, object)\n"
    )


@pytest.mark.parametrize(
    ("source", "options"),
    (
        pytest.param(
            "from transformers import AdamW\nopt1 = AdamW(ps, lr=2e-5)\nopt2 = AdamW(ps, lr=2e-5, correct_bias=False)\n",
            {"select": ("WD103",)},
            id="WD103 keeps the import another, unfixable use needs (regression)",
        ),
        pytest.param(
            "import torch\nOPTS = {'sgd': torch.optim.SGD, 'rmsprop': torch.optim.RMSprop}\n"
            "def build(m, name):\n    return OPTS[name](m.parameters(), 0.01, 0.9)\n",
            {"select": ("WD501",)},
            id="WD501 no keywords when the class is chosen at run time (regression)",
        ),
        pytest.param(
            "import torch\ndef build(m, name):\n    cls = torch.optim.AdamW if name == 'adamw' else torch.optim.SGD\n    return cls(m.parameters(), lr=0.1)\n",
            {"select": ("WD104",)},
            id="WD104 no default written for a chosen class (regression)",
        ),
        pytest.param(
            "import torch\nopt = torch.optim.adam.Adam(ps, weight_decay=1e-4)\n",
            {"select": ("WD101",), "unsafe": True},
            id="WD101 torch.optim.adam has no AdamW (regression)",
        ),
        pytest.param(
            "import torch\nimport functools\nopt = functools.partial(torch.optim.Adam, weight_decay=0.1)(ps)\n",
            {"select": ("WD101",), "unsafe": True},
            id="WD101 a partial is not renamed (fuzz regression)",
        ),
        pytest.param(
            "import torch\nopt = torch.optim.AdamW((m := build()).parameters(), lr=1e-3)\n",
            {"select": ("WD201",), "unsafe": True},
            id="WD201 a walrus cannot be a comprehension's iterable (fuzz regression)",
        ),
        pytest.param(
            "import torch\nopt = torch.optim.SGD(*a, 0.1, 0.9, momentum=0.5)\n",
            {"select": ("WD501",)},
            id="WD501 nothing known binds after *args (fuzz regression)",
        ),
    ),
)
def test_no_fix_regressions(source, options):
    result = fixed(source, **options)
    assert python_parses(result)
    if "correct_bias" in source:
        assert "from transformers import AdamW" in result
    else:
        assert result == source
