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
    assert chosen(source) == [("torch.optim.AdamW", None)]


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
    assert [d.code for d in wdlint.lint_source(source)] == ["WD201"]


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


@pytest.mark.parametrize(
    ("default", "expected"),
    (
        ("Adam", [("torch.optim.Adam", None)]),
        ("sgd", [("torch.optim.SGD", None)]),
        ("lamb", [("torch.optim.AdamW", None)]),
    ),
)
def test_if_chain_reports_the_branch_the_default_selects(default, expected):
    assert chosen(IF_CHAIN.format(default=default)) == expected


def test_if_chain_without_default_names_the_option():
    source = IF_CHAIN.replace('parser.add_argument("--optim", default={default!r})\n', "")
    source = source.replace("args = parser.parse_args()", "args = load_config()")
    [adam, sgd, adamw] = chosen(source)
    assert adam == ("torch.optim.Adam", "`args.optim.lower() == 'adam'`")
    [wd101] = [d for d in wdlint.lint_source(source) if d.code == "WD101"]
    assert wd101.message.endswith("(when `args.optim.lower() == 'adam'`)")


def test_unrelated_conditions_neither_prune_nor_annotate():
    source = """\
    import torch
    DATASET = "imagenet"
    if __name__ == "__main__":
        if DATASET == "cifar":
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
