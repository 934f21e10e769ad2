import pytest

import wdlint

CODE = "WD101"


@pytest.mark.parametrize(
    ("source", "expected"),
    (
        pytest.param(
            "import torch\nopt = torch.optim.Adam(m.parameters(), lr=1e-3, weight_decay=1e-4)\n",
            [(2, 7)],
            id="keyword",
        ),
        pytest.param(
            "import torch\nopt = torch.optim.Adam(m.parameters(), 1e-3, (0.9, 0.99), 1e-8, 0.01)\n",
            [(2, 7)],
            id="positional weight_decay",
        ),
        pytest.param(
            "import torch.optim as optim\nopt = optim.Adam(ps, weight_decay=5e-4)\n",
            [(2, 7)],
            id="module alias",
        ),
        pytest.param(
            "from torch.optim import Adam as A\nopt = A(ps, weight_decay=5e-4)\n",
            [(2, 7)],
            id="class alias",
        ),
        pytest.param(
            "import torch\nopt = torch.optim.adam.Adam(ps, weight_decay=5e-4)\n",
            [(2, 7)],
            id="submodule path",
        ),
        pytest.param(
            "from torch.optim import *\nopt = Adam(ps, weight_decay=5e-4)\n",
            [(2, 7)],
            id="star import",
        ),
        pytest.param(
            "from torch import optim\nopt = optim.Adamax(ps, weight_decay=1e-2)\n",
            [(2, 7)],
            id="adamax",
        ),
        pytest.param(
            "import torch\nopt = torch.optim.NAdam(ps, weight_decay=1e-2)\n",
            [(2, 7)],
            id="nadam without flag",
        ),
        pytest.param(
            "import torch\nopt = torch.optim.RAdam(ps, weight_decay=1e-2, decoupled_weight_decay=False)\n",
            [(2, 7)],
            id="radam flag false",
        ),
        pytest.param(
            "import torch\nWD = 1e-4\ndef make(m):\n    return torch.optim.Adam(m.parameters(), weight_decay=WD)\n",
            [(4, 12)],
            id="module constant",
        ),
        pytest.param(
            "import torch\ndef make(m, wd=1e-4):\n    return torch.optim.Adam(m.parameters(), weight_decay=wd)\n",
            [(3, 12)],
            id="parameter default",
        ),
        pytest.param(
            "import torch\ndef make(m, wd):\n    return torch.optim.Adam(m.parameters(), weight_decay=wd)\n",
            [(3, 12)],
            id="unresolvable value counts",
        ),
        pytest.param(
            "import torch\nopt = torch.optim.Adam([{'params': a, 'weight_decay': 0.1}, {'params': b}])\n",
            [(2, 7)],
            id="decay in a group",
        ),
        pytest.param(
            "from apex.optimizers import FusedAdam\nopt = FusedAdam(ps, adam_w_mode=False, weight_decay=0.01)\n",
            [(2, 7)],
            id="apex fused adam in L2 mode",
        ),
        pytest.param(
            "import torch\nopt = torch.optim.Adam(ps, weight_decay=1e-4,\n    **kw)\n",
            [(2, 7)],
            id="explicit decay beside unresolved kwargs",
        ),
        pytest.param(
            "import torch\ncfg = {'weight_decay': 0.1}\nopt = torch.optim.Adam(ps, **cfg)\n",
            [(3, 7)],
            id="decay from a literal kwargs dict",
        ),
        pytest.param(
            "import torch\ndef f():\n    from torch.optim import Adam\n    return Adam(ps, weight_decay=0.1)\n",
            [(4, 12)],
            id="import inside the function",
        ),
        pytest.param(
            "import torch\nopt = torch.optim.Adam(biases, lr=1e-3)\nopt.add_param_group({'params': weights, 'weight_decay': 1e-5})\n",
            [(2, 7)],
            id="decay in a group added later (yolov5)",
        ),
    ),
)
def test_fires(findings, source, expected):
    assert findings(source, CODE) == [(CODE, row, col) for row, col in expected]


@pytest.mark.parametrize(
    "source",
    (
        pytest.param("import torch\nopt = torch.optim.Adam(ps, lr=1e-3)\n", id="no decay"),
        pytest.param("import torch\nopt = torch.optim.Adam(ps, weight_decay=0)\n", id="zero"),
        pytest.param("import torch\nopt = torch.optim.Adam(ps, weight_decay=0.0)\n", id="zero float"),
        pytest.param(
            "import torch\nWD = 0.0\nopt = torch.optim.Adam(ps, weight_decay=WD)\n", id="zero constant"
        ),
        pytest.param(
            "import torch\nopt = torch.optim.Adam(ps, weight_decay=0.1, decoupled_weight_decay=True)\n",
            id="decoupled flag",
        ),
        pytest.param(
            "import torch\nopt = torch.optim.NAdam(ps, weight_decay=0.1, decoupled_weight_decay=True)\n",
            id="nadam decoupled",
        ),
        pytest.param(
            "import torch\nopt = torch.optim.Adam(ps, weight_decay=0.1, decoupled_weight_decay=flag)\n",
            id="flag unknown",
        ),
        pytest.param("import torch\nopt = torch.optim.AdamW(ps, weight_decay=0.1)\n", id="adamw"),
        pytest.param(
            "import bitsandbytes as bnb\nopt = bnb.optim.Adam8bit(ps, lr=1e-3, weight_decay=0.01)\n",
            id="bitsandbytes adam is decoupled",
        ),
        pytest.param(
            "from deepspeed.ops.adam import FusedAdam\nopt = FusedAdam(ps, weight_decay=0.01)\n",
            id="deepspeed fused adam defaults to adamw mode",
        ),
        pytest.param(
            "import torch\nclass Adam(torch.optim.Optimizer):\n    pass\nopt = Adam(ps, weight_decay=0.1)\n",
            id="a user's own Adam",
        ),
        pytest.param("opt = Adam(ps, weight_decay=0.1)\n", id="never imported"),
        pytest.param(
            "from mylib.optim import Adam\nopt = Adam(ps, weight_decay=0.1)\n", id="unknown package"
        ),
        pytest.param("import torch\nopt = torch.optim.Adam(ps, **kwargs)\n", id="decay only possibly in kwargs"),
        pytest.param(
            "import torch\nopt = torch.optim.Adam(ps)\nfor g in opt.param_groups:\n    g['weight_decay'] = 0.1\n",
            id="weight-decay schedule",
        ),
        pytest.param(
            "import torch\nopt = torch.optim.Adam([{'params': a, 'weight_decay': 0.0}, {'params': b}])\n",
            id="groups without decay",
        ),
    ),
)
def test_quiet(findings, source):
    assert findings(source, CODE) == []


def test_message_names_the_value_and_the_flag():
    import wdlint

    [diagnostic] = wdlint.lint_source(
        "import torch\nopt = torch.optim.NAdam(ps, weight_decay=0.1)\n", select=[CODE]
    )
    assert "weight_decay=0.1" in diagnostic.message
    assert "decoupled_weight_decay=True" in diagnostic.message


def test_old_torch_target_suggests_adamw_only():
    source = "import torch\nopt = torch.optim.Adam(ps, weight_decay=0.1)\n"
    [old] = wdlint.lint_source(source, select=[CODE], target_torch_version=(2, 6))
    [new] = wdlint.lint_source(source, select=[CODE], target_torch_version=(2, 7))
    assert "decoupled_weight_decay" not in old.message
    assert "decoupled_weight_decay=True" in new.message


@pytest.mark.parametrize(
    ("source", "expected"),
    (
        pytest.param(
            "import torch\nopt = torch.optim.Adam(head, lr=1e-3)\ntrain(opt)\nopt = torch.optim.SGD(head, lr=1e-2)\n"
            "opt.add_param_group({'params': rest, 'weight_decay': 1e-4})\n",
            [],
            id="add_param_group after the name is rebound belongs to the new optimizer (regression)",
        ),
        pytest.param(
            "import torch\nwd = 1e-4\nopt = torch.optim.Adam([{'params': ps, 'weight_decay': wd} for ps, wd in zip(a, [0.0, 0.0])])\n",
            [(3, 7)],
            id="a comprehension's own variable is unknown, not the outer binding (regression)",
        ),
        pytest.param(
            "import torch\ndef get(model, name='sgd'):\n    if name == 'adam':\n        return torch.optim.Adam(model.parameters(), weight_decay=1e-4)\n"
            "    return torch.optim.SGD(model.parameters(), lr=0.1)\n",
            [(4, 16)],
            id="a parameter's default does not decide the branch (regression)",
        ),
    ),
)
def test_regressions(findings, source, expected):
    assert findings(source, CODE) == [(CODE, row, col) for row, col in expected]


def test_nadam_before_its_flag_is_told_to_switch_class():
    source = "import torch\nopt = torch.optim.NAdam(ps, weight_decay=1e-4)\n"
    [old] = wdlint.lint_source(source, select=[CODE], target_torch_version=(2, 0))
    [new] = wdlint.lint_source(source, select=[CODE], target_torch_version=(2, 1))
    assert "use `torch.optim.AdamW`" in old.message and old.fix is None
    assert "pass `decoupled_weight_decay=True`" in new.message and new.fix is not None


@pytest.mark.parametrize(
    ("source", "expected"),
    (
        pytest.param(
            "import argparse, torch\nparser = argparse.ArgumentParser()\nparser.add_argument('--opt', default='sgd')\n"
            "args = parser.parse_args()\nif args.opt == 'sgd':\n    opt = torch.optim.SGD(ps, lr=0.1)\n"
            "elif args.opt == 'adam':\n    opt = torch.optim.Adam(ps, weight_decay=1e-4)\n",
            [(8, 11)],
            id="a branch the command line selects, not the default",
        ),
        pytest.param(
            "import torch\ndef make(ps, name='sgd', wd=0.0):\n    if name == 'adam':\n        return torch.optim.Adam(ps, weight_decay=wd)\n"
            "    return torch.optim.SGD(ps, lr=0.1, weight_decay=wd)\nopt = make(ps, 'adam', wd=5e-4)\n",
            [(4, 16)],
            id="a caller brings the class and the decay",
        ),
    ),
)
def test_fires_for_options_and_callers(findings, source, expected):
    assert findings(source, CODE) == [(CODE, row, col) for row, col in expected]


@pytest.mark.parametrize(
    "source",
    (
        pytest.param(
            "import argparse, torch\nparser = argparse.ArgumentParser()\nparser.add_argument('--opt', default='sgd', choices=['sgd', 'adamw'])\n"
            "args = parser.parse_args()\nif args.opt == 'adam':\n    opt = torch.optim.Adam(ps, weight_decay=1e-4)\n",
            id="a branch none of the option's choices selects",
        ),
        pytest.param("import torch\nif False:\n    opt = torch.optim.Adam(ps, weight_decay=1e-4)\n", id="if False"),
        pytest.param(
            "import torch\ndef make(ps, name='sgd', wd=0.0):\n    if name == 'adam':\n        return torch.optim.Adam(ps, weight_decay=wd)\n"
            "    return torch.optim.SGD(ps, lr=0.1, weight_decay=wd)\nopt = make(ps, 'adam')\nopt2 = make(ps, wd=1e-4)\n",
            id="the caller choosing Adam leaves the decay at 0",
        ),
    ),
)
def test_quiet_for_options_and_callers(findings, source):
    assert findings(source, CODE) == []
