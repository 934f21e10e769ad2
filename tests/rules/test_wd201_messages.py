"""What WD201's messages say, word for word: each claims what the code does and names its
evidence (where a value, a class or the params come from), and a value that may only come
through `**kwargs` is not printed as if the splat were it."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

import wdlint
from wdlint.engine.lint import lint_bytes
from wdlint.engine.runner import LintOptions

CODE = "WD201"
SPLIT_BY_NAME = (
    'with `p.ndim < 2 or name.endswith(".bias")` in a group with weight_decay=0.0 '
    "(the name test also catches biases that are not 1-D)"
)


def message(source: str, code: str = CODE) -> str:
    """The first finding's message."""
    return wdlint.lint_source(textwrap.dedent(source), "train.py", select=[code])[0].message


@pytest.mark.parametrize(
    ("source", "says"),
    (
        pytest.param(
            "import torch\nopt = torch.optim.AdamW(model.parameters(), lr=3e-4, weight_decay=0.1)\n",
            "`model.parameters()` gives every parameter to `torch.optim.AdamW` with weight_decay=0.1, so biases "
            "and normalization weights are decayed too; put the params of `model.named_parameters()` "
            + SPLIT_BY_NAME,
            id="one module: the split by name",
        ),
        pytest.param(
            "import torch\nopt = torch.optim.AdamW(filter(lambda p: p.requires_grad, self.encoder.parameters()))\n",
            "`filter(lambda p: p.requires_grad, self.encoder.parameters())` gives every parameter to "
            "`torch.optim.AdamW` with weight_decay=0.01 (the class default), so biases and normalization weights "
            "are decayed too; put the params of `self.encoder.named_parameters()` " + SPLIT_BY_NAME,
            id="its trainable params: the module's names",
        ),
        pytest.param(
            "import itertools, torch\n"
            "opt = torch.optim.AdamW(itertools.chain(enc.parameters(), dec.parameters()), weight_decay=0.05)\n",
            "`itertools.chain(enc.parameters(), dec.parameters())` gives every parameter to `torch.optim.AdamW` "
            "with weight_decay=0.05, so biases and normalization weights are decayed too; put params with "
            "`ndim < 2` in a group with weight_decay=0.0",
            id="two modules: no one named iterable, the split by shape",
        ),
        pytest.param(
            "import torch\nparams = list(model.parameters())\nopt = torch.optim.AdamW(params, weight_decay=0.05)\n",
            "`params` (line 2: `list(model.parameters())`) gives every parameter to `torch.optim.AdamW` with "
            "weight_decay=0.05, so biases and normalization weights are decayed too; put the params of "
            "`model.named_parameters()` " + SPLIT_BY_NAME,
            id="params bound elsewhere: where",
        ),
        pytest.param(
            """\
            import torch
            groups = [
                {"params": [p for n, p in model.named_parameters() if "backbone" in n], "lr": 1e-5},
                {"params": [p for n, p in model.named_parameters() if "backbone" not in n]},
            ]
            opt = torch.optim.AdamW(groups, lr=1e-4, weight_decay=0.05)
            """,
            "param group 0 (`[p for n, p in model.named_parameters() if 'backbone' in n]`) selects params only by "
            "where they sit (`'backbone' in n`), with weight_decay=0.05 from the optimizer, so it decays their "
            "biases and normalization weights; put its params " + SPLIT_BY_NAME,
            id="a group split by place: its names at hand",
        ),
    ),
)
def test_what_is_decayed_and_how_to_split_it(source: str, says: str) -> None:
    assert message(source) == says


@pytest.mark.parametrize(
    ("source", "value"),
    (
        pytest.param(
            """\
            import argparse, torch
            parser = argparse.ArgumentParser()
            parser.add_argument("--weight-decay", "--wd", type=float, default=0.05)
            args = parser.parse_args()
            opt = torch.optim.AdamW(model.parameters(), weight_decay=args.weight_decay)
            """,
            "weight_decay=`args.weight_decay` = 0.05 (the default of `--weight-decay`, line 3)",
            id="a command-line default",
        ),
        pytest.param(
            "import torch\nWD = 0.1\nopt = torch.optim.AdamW(model.parameters(), weight_decay=WD)\n",
            "weight_decay=`WD` = 0.1 (line 2)",
            id="a constant of the module",
        ),
        pytest.param(
            "import torch\ncfg = {'wd': 0.1}\nopt = torch.optim.AdamW(model.parameters(), weight_decay=cfg['wd'])\n",
            "weight_decay=`cfg['wd']` = 0.1 (line 2)",
            id="a dict's entry",
        ),
        pytest.param(
            "import torch\ndef build(m, wd=0.05):\n    return torch.optim.AdamW(m.parameters(), weight_decay=wd)\n",
            "weight_decay=`wd` = 0.05 (the default of parameter `wd`, line 2)",
            id="a parameter's default",
        ),
        pytest.param(
            "import torch\nopt = torch.optim.AdamW(model.parameters(), weight_decay=0.01 * 5)\n",
            "weight_decay=`0.01 * 5` = 0.05,",
            id="computed where it is used: no other place",
        ),
        pytest.param(
            "import torch\nopt = torch.optim.AdamW(model.parameters(), lr=1e-3, **self.hparams.optimizer_hparams)\n",
            "weight_decay from `**self.hparams.optimizer_hparams` (unknown here; 0.01, the class default, if it "
            "holds none)",
            id="a splat is no value",
        ),
    ),
)
def test_the_value_names_its_evidence(source: str, value: str) -> None:
    assert f"with {value}" in message(source)


def test_a_caller_is_named_and_its_argument_is_not_placed_again() -> None:
    source = """\
    import torch

    def make(m, wd=0.0):
        return torch.optim.AdamW(m.parameters(), weight_decay=wd)

    opt = make(model, wd=0.05)
    """
    assert message(source) == (
        "`m.parameters()` gives every parameter to `torch.optim.AdamW` with weight_decay=`wd` = 0.05, so biases "
        "and normalization weights are decayed too; put the params of `m.named_parameters()` " + SPLIT_BY_NAME
        + " (when called from line 6 as `make(model, wd=0.05)`)"
    )


def test_a_value_of_another_file_names_that_file(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "__init__.py").write_text("")
    (tmp_path / "conf" / "hparams.py").write_text("LR = 1e-3\nWEIGHT_DECAY = 0.05\n")
    train = tmp_path / "train.py"
    train.write_text(
        "import torch\nfrom conf.hparams import WEIGHT_DECAY\n\n"
        "opt = torch.optim.AdamW(model.parameters(), weight_decay=WEIGHT_DECAY)\n"
    )
    result = lint_bytes(train.read_bytes(), str(train), LintOptions.from_selection([CODE]), path=train)
    [diagnostic] = result.diagnostics
    assert "with weight_decay=`WEIGHT_DECAY` = 0.05 (from `conf/hparams.py:2`), so" in diagnostic.message


def test_the_same_place_in_a_notebook_is_its_cell() -> None:
    import json

    cells = ["import torch\n", "WEIGHT_DECAY = 0.05\n", "opt = torch.optim.AdamW(model.parameters(), weight_decay=WEIGHT_DECAY)\n"]
    notebook = json.dumps(
        {
            "cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "source": cell} for cell in cells],
            "metadata": {},
            "nbformat": 4,
            "nbformat_minor": 5,
        }
    )
    result = lint_bytes(notebook.encode(), "nb.ipynb", LintOptions.from_selection([CODE]))
    [diagnostic] = result.diagnostics
    assert "weight_decay=`WEIGHT_DECAY` = 0.05 (cell 2:1), so" in diagnostic.message


def test_a_config_value_and_a_framework_default_name_their_place() -> None:
    def said(text: str, name: str) -> list[str]:
        result = lint_bytes(textwrap.dedent(text).encode(), name, LintOptions.from_selection(["WD101"]))
        return [d.message for d in result.diagnostics]

    [ref] = said(
        """\
        weight_decay: 0.000002
        opt_class: !name:torch.optim.Adam
            lr: 0.001
            weight_decay: !ref <weight_decay>
        """,
        "hparams.yaml",
    )
    assert ref.startswith("`torch.optim.Adam` with weight_decay=`!ref <weight_decay>` = 2e-06 (line 1) is L2")
    [default] = said("imgsz: 640\noptimizer: Adam\n", "coco.yaml")
    assert default.startswith("`Adam` with weight_decay=0.0005 (the default of ultralytics) is L2")
    [beside] = said("lr0: 0.01\noptimizer: Adam\nweight_decay: 0.001\n", "coco.yaml")
    assert beside.startswith("`Adam` with weight_decay=0.001 (line 3) is L2")


def test_how_a_value_is_shown() -> None:
    from wdlint.analysis.sites import Value

    assert Value.literal(0.1, "0.1").shown() == "weight_decay=0.1"
    assert Value.default(0.01).shown() == "weight_decay=0.01 (the class default)"
    assert Value.literal(0.1, "WD", "line 3").shown() == "weight_decay=`WD` = 0.1 (line 3)"
    assert Value.literal(0.1, "WD", "line 3").shown(besides="line 3") == "weight_decay=`WD` = 0.1"
    assert Value.unknown("cfg.wd").shown() == "weight_decay=`cfg.wd`"
    # a splat whose class default is 0 decays nothing unless it holds a value: no default to name
    assert Value.maybe_hidden("**kw", 0.0).shown() == "weight_decay from `**kw` (unknown here)"
    assert Value.maybe_hidden("**kw", 0.01).shown("wd") == "wd from `**kw` (unknown here; 0.01, the class default, if it holds none)"


@pytest.mark.parametrize(
    ("source", "shown"),
    (
        pytest.param(
            """\
            import argparse
            from timm.optim import create_optimizer
            parser = argparse.ArgumentParser()
            parser.add_argument("--opt", default="adamw", type=str)
            parser.add_argument("--weight-decay", type=float, default=0.05)
            args = parser.parse_args()
            optimizer = create_optimizer(args, model.parameters())
            """,
            "to `create_optimizer(opt='adamw')` (the default of `--opt`, line 4) with weight_decay=`args.weight_decay` "
            "= 0.05 (the default of `--weight-decay`, line 5), so",
            id="timm's opt from a command-line default",
        ),
        pytest.param(
            "import torch\nOPT = torch.optim.AdamW\nopt = OPT(model.parameters(), lr=1e-3)\n",
            "to `OPT` (line 2: `torch.optim.AdamW`) with weight_decay=0.01 (the class default), so",
            id="a class bound to a name",
        ),
        pytest.param(
            "import torch\nfrom torch.optim import AdamW as Opt\nopt = Opt(model.parameters(), lr=1e-3)\n",
            "to `Opt` with weight_decay=0.01 (the class default), so",
            id="an import names the class where it is: no other place",
        ),
    ),
)
def test_the_class_names_its_evidence(source: str, shown: str) -> None:
    assert shown in message(source)
