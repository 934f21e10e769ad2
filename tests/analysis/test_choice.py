"""Optimizer classes chosen at run time: dicts, getattr, partial, conditionals, if/elif chains."""

import textwrap

import pytest

import wdlint
from wdlint.analysis.extract import extract_sites
from wdlint.frontends.python import parse_python


def chosen(source: str) -> list[tuple[str, str | None]]:
    sites = extract_sites(parse_python(textwrap.dedent(source), "t.py"))
    return [(site.spec.name, site.choice) for site in sites]


def test_dict_indexed_by_argparse_default():
    source = """\
    import argparse, torch
    OPTIMIZERS = {"adam": torch.optim.Adam, "adamw": torch.optim.AdamW, "sgd": torch.optim.SGD}
    parser = argparse.ArgumentParser()
    parser.add_argument("--optimizer", default="adamw")
    args = parser.parse_args()
    opt = OPTIMIZERS[args.optimizer](model.parameters(), lr=1e-3)
    """
    # the command line may name any of them, whatever the default
    assert chosen(source) == [
        ("torch.optim.Adam", "`args.optimizer` is 'adam'"),
        ("torch.optim.AdamW", "`args.optimizer` is 'adamw'"),
        ("torch.optim.SGD", "`args.optimizer` is 'sgd'"),
    ]
    limited = source.replace('default="adamw"', 'default="adamw", choices=["adamw", "sgd"]')
    assert chosen(limited) == [
        ("torch.optim.AdamW", "`args.optimizer` is 'adamw'"),
        ("torch.optim.SGD", "`args.optimizer` is 'sgd'"),
    ]
    keys = source.replace('default="adamw"', 'default="adamw", choices=list(OPTIMIZERS)')
    assert len(chosen(keys)) == 3
    one = source.replace('default="adamw"', 'default="adamw", choices=("adamw",)')
    assert chosen(one) == [("torch.optim.AdamW", None)]


def test_dict_indexed_by_a_literal_through_a_name():
    source = """\
    import torch
    OPTS = dict(adam=torch.optim.Adam, sgd=torch.optim.SGD)
    cls = OPTS["sgd"]
    opt = cls(params)
    """
    assert chosen(source) == [("torch.optim.SGD", None)]


def test_dict_indexed_by_unknown_option_gives_every_candidate():
    source = """\
    import torch
    OPTS = {"adam": torch.optim.Adam, "sgd": torch.optim.SGD}
    def build(name, params):
        return OPTS[name](params)
    """
    assert chosen(source) == [("torch.optim.Adam", "`name` is 'adam'"), ("torch.optim.SGD", "`name` is 'sgd'")]


@pytest.mark.parametrize(
    ("source", "expected"),
    (
        ("import torch\nopt = getattr(torch.optim, 'RMSprop')(p)", [("torch.optim.RMSprop", None)]),
        ("import torch\nNAME = 'Adagrad'\nopt = getattr(torch.optim, NAME)(p)", [("torch.optim.Adagrad", None)]),
        ("import torch\nopt = getattr(torch.optim, name)(p)", []),
        ("import torch\nopt = eval('torch.optim.Adam')(p)", []),
        ("import torch\nopt = REGISTRY[name](p)", []),
    ),
)
def test_getattr_eval_and_registries(source, expected):
    assert chosen(source) == expected


def test_functools_partial_binds_arguments():
    source = """\
    import functools, torch
    make = functools.partial(torch.optim.Adam, weight_decay=1e-4)
    opt = make(model.parameters(), lr=1e-3)
    """
    codes = [d.code for d in wdlint.lint_source(textwrap.dedent(source))]
    assert codes == ["WD101", "WD201"]


def test_partial_from_import():
    source = "from functools import partial\nimport torch\nopt = partial(torch.optim.SGD, lr=0.1)(m.parameters(), weight_decay=5e-4)\n"
    assert [d.code for d in wdlint.lint_source(source, extend_select=["WD207"])] == ["WD207"]


def test_conditional_expression():
    assert chosen("import torch\nDECOUPLED = True\nopt = (torch.optim.AdamW if DECOUPLED else torch.optim.Adam)(p)") == [
        ("torch.optim.AdamW", None)
    ]
    assert chosen("import torch\nopt = (torch.optim.AdamW if flag else torch.optim.Adam)(p)") == [
        ("torch.optim.AdamW", "`flag`"),
        ("torch.optim.Adam", "not `flag`"),
    ]


IF_CHAIN = """\
import argparse, torch
parser = argparse.ArgumentParser()
parser.add_argument("--optim", default={default!r})
args = parser.parse_args()
if args.optim.lower() == "adam":
    opt = torch.optim.Adam(model.parameters(), weight_decay=args.wd)
elif args.optim in ("sgd", "momentum"):
    opt = torch.optim.SGD(model.parameters(), lr=0.1, weight_decay=args.wd)
else:
    opt = torch.optim.AdamW(model.parameters(), weight_decay=args.wd)
"""


@pytest.mark.parametrize("default", ("Adam", "sgd", "lamb"))
def test_if_chain_reports_every_branch_the_command_line_may_select(default):
    # the default selects one branch; `--optim` selects any other
    assert chosen(IF_CHAIN.format(default=default)) == [
        ("torch.optim.Adam", "`args.optim.lower() == 'adam'`"),
        ("torch.optim.SGD", "not `args.optim.lower() == 'adam'` and `args.optim in ('sgd', 'momentum')`"),
        ("torch.optim.AdamW", "not `args.optim.lower() == 'adam'` and not `args.optim in ('sgd', 'momentum')`"),
    ]


def test_if_chain_branches_outside_the_choices_are_dead():
    source = IF_CHAIN.format(default="sgd").replace('default=\'sgd\')', 'default="sgd", choices=["sgd", "adamw"])')
    assert "choices" in source
    assert [name for name, _ in chosen(source)] == ["torch.optim.SGD", "torch.optim.AdamW"]


def test_moco_style_elif_on_an_option_defaulting_to_another_optimizer_is_reported():
    source = """\
    import argparse, torch
    import moco.optimizer
    parser = argparse.ArgumentParser()
    parser.add_argument('--optimizer', default='lars', type=str, choices=['lars', 'adamw'])
    parser.add_argument('--weight-decay', default=1e-6, type=float)
    def main_worker(args):
        if args.optimizer == 'lars':
            optimizer = moco.optimizer.LARS(model.parameters(), args.lr, weight_decay=args.weight_decay)
        elif args.optimizer == 'adamw':
            optimizer = torch.optim.AdamW(model.parameters(), args.lr, weight_decay=args.weight_decay)
    if __name__ == '__main__':
        main_worker(parser.parse_args())
    """
    [wd201] = wdlint.lint_source(textwrap.dedent(source))
    assert wd201.code == "WD201" and wd201.location.row == 10
    assert wd201.message.endswith("(when `args.optimizer == 'adamw'`)")


@pytest.mark.parametrize(
    "condition",
    ("False", "0", "OPTIM == 'adam'", "not USE_SGD", "CONFIG['optim'] == 'adam'", "args.optim == 'lamb'"),
)
def test_code_that_can_never_run_is_dead(condition):
    source = f"""\
    import argparse, torch
    OPTIM = "sgd"
    USE_SGD = True
    CONFIG = {{"optim": "sgd"}}
    parser = argparse.ArgumentParser()
    parser.add_argument("--optim", default="sgd", choices=["sgd", "adamw"])
    args = parser.parse_args()
    if {condition}:
        opt = torch.optim.Adam(model.parameters(), weight_decay=1e-4)
    """
    assert chosen(source) == []


@pytest.mark.parametrize(
    "condition",
    ("args.optim == 'adam'", "args.use_adam", "os.environ.get('OPTIM') == 'adam'", "OPTIM == 'adam'"),
)
def test_code_an_option_or_the_environment_selects_is_live(condition):
    source = f"""\
    import argparse, os, torch
    OPTIM = "sgd"
    parser = argparse.ArgumentParser()
    parser.add_argument("--optim", default="sgd")
    parser.add_argument("--use-adam", action="store_true")
    args = parser.parse_args()
    def main():
        global OPTIM
        OPTIM = args.optim
    def build(model):
        if {condition}:
            return torch.optim.Adam(model.parameters(), weight_decay=1e-4)
    """
    assert [name for name, _ in chosen(source)] == ["torch.optim.Adam"]


def test_if_chain_without_default_names_the_option():
    source = IF_CHAIN.replace('parser.add_argument("--optim", default={default!r})\n', "")
    source = source.replace("args = parser.parse_args()", "args = load_config()")
    [adam, _sgd, _adamw] = chosen(source)
    assert adam == ("torch.optim.Adam", "`args.optim.lower() == 'adam'`")
    [wd101] = [d for d in wdlint.lint_source(source) if d.code == "WD101"]
    assert wd101.message.endswith("(when `args.optim.lower() == 'adam'`)")


def test_unrelated_conditions_neither_prune_nor_annotate():
    source = """\
    import torch
    if __name__ == "__main__":
        if dataset == "cifar":
            opt = torch.optim.Adam(p, weight_decay=0.1)
    """
    assert chosen(source) == [("torch.optim.Adam", None)]


def test_one_finding_per_place_across_candidates():
    source = """\
    import torch
    OPTS = {"adamw": torch.optim.AdamW, "sgd": torch.optim.SGD}
    def build(name, model):
        return OPTS[name](model.parameters(), lr=1e-3, weight_decay=0.1)
    """
    assert [d.code for d in wdlint.lint_source(textwrap.dedent(source))] == ["WD201"]


def test_a_module_name_bound_in_alternatives_is_no_constant():
    # Megatron: which optimizer library imports decides; neither binding is "the" value
    source = textwrap.dedent("""\
    import torch
    try:
        from apex.optimizers import FusedAdam as Adam
        USING_TORCH = False
    except ImportError:
        USING_TORCH = True
    def build(params):
        if USING_TORCH:
            cls = torch.optim.AdamW
        else:
            cls = torch.optim.Adam
        return cls(params, weight_decay=0.1)
    """)
    # either binding of `cls` may hold: the last one is read, as for any name bound twice
    assert [name for name, _ in chosen(source)] == ["torch.optim.Adam"]
    once = source.replace("    USING_TORCH = False\n", "").replace("    USING_TORCH = True\n", "    pass\n")
    once = once.replace("import torch\n", "import torch\nUSING_TORCH = True\n", 1)
    # bound once and never reassigned: the `else:` can never run, so `cls` is AdamW
    assert [name for name, _ in chosen(once)] == ["torch.optim.AdamW"]


def test_a_remembered_truth_serves_only_the_project_it_was_read_with():
    """The memo keys a truth by its project's id and holds the project weakly: an entry whose
    project is gone (its id free for another) is read again, not served."""
    import ast
    import gc

    from wdlint.analysis.choice import enclosing_truth
    from wdlint.analysis.env import Env
    from wdlint.analysis.index import ModuleIndex
    from wdlint.analysis.project import Project

    tree = ast.parse("DEBUG = False\nif DEBUG:\n    x = 1\n")
    index = ModuleIndex.build(tree)
    test = tree.body[1].test
    gone = Project()
    env = Env.of_module(index, gone).at(index.module_scope, 2)
    assert enclosing_truth(env, test) is False
    [(key, (truth, scope, project))] = index.truths.items()
    assert truth is False and project is not None and project() is gone
    del env, project, gone
    gc.collect()
    later = Project()
    env = Env.of_module(index, later).at(index.module_scope, 2)
    # as if `later` had the id of the project that is gone, with a truth read otherwise
    index.truths[(*key[:-1], id(later))] = (True, scope, index.truths[key][2])
    assert enclosing_truth(env, test) is False
