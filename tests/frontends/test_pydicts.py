"""Optimizer configs written as Python dicts: DeepSpeed configs and generic optimizer mappings."""

from __future__ import annotations

import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import wdlint
from wdlint.knowledge.frameworks import PARAMS_UNKNOWN_NOTE


def lint(source: str) -> list[tuple[str, int]]:
    return [(d.code, d.location.row) for d in wdlint.lint_source(textwrap.dedent(source), "train.py")]


DEEPSPEED_SCRIPT = """\
import deepspeed
import torch


def get_ds_config(args):
    ds_config = {{
        "train_batch_size": 16,
        "optimizer": {{
            "type": "{kind}",
            "params": {{"lr": 0.001, "betas": [0.8, 0.999], "eps": 1e-8, "weight_decay": 3e-7{extra}}},
        }},
    }}
    return ds_config


def main(args):
    net = Net()
    parameters = filter(lambda p: p.requires_grad, net.parameters())
    model_engine, optimizer, trainloader, __ = deepspeed.initialize(
        args=args, model=net, model_parameters=parameters, training_data=trainset, config=get_ds_config(args)
    )
"""


@pytest.mark.parametrize(
    ("kind", "extra", "expected"),
    (
        pytest.param("Adam", "", [], id="cifar10_deepspeed.py: DeepSpeed's Adam is decoupled (adam_w_mode)"),
        pytest.param("Adam", ', "adam_w_mode": False', [("WD101", 9)], id="adam_w_mode off"),
        pytest.param("Adam", ', "torch_adam": True, "adam_w_mode": False', [("WD101", 9)], id="torch's Adam"),
        pytest.param("AdamW", "", [], id="AdamW"),
        pytest.param("OneBitAdam", "", [], id="a type wdlint does not know"),
    ),
)
def test_deepspeed_config_dict(kind: str, extra: str, expected: list[tuple[str, int]]) -> None:
    assert lint(DEEPSPEED_SCRIPT.format(kind=kind, extra=extra)) == expected


CONFIG_MODULE = """\
import argparse

parser = argparse.ArgumentParser()
parser.add_argument("--wd", type=float, default=1e-4)
args = parser.parse_args()

{}
"""


@pytest.mark.parametrize(
    ("line", "expected"),
    (
        pytest.param('optim_cfg = dict(type="Adam", lr=1e-3, weight_decay=1e-4)', [("WD101", 7)], id="dict(type=...)"),
        pytest.param('optim_cfg = {"optimizer": "adam", "weight_decay": 1e-5}', [("WD101", 7)], id="a lower-case name"),
        pytest.param('optim_cfg = {"name": "torch.optim.Adam", "weight_decay": args.wd}', [("WD101", 7)], id="a path, an option"),
        pytest.param('optim_cfg = {"opt": "Adam", "lr": 1e-3}', [], id="no weight_decay key"),
        pytest.param('optim_cfg = {"optimizer": "adam", "weight_decay": 0.0}', [], id="no decay"),
        pytest.param('optim_cfg = dict(type="AdamW", lr=1e-3, weight_decay=0.05)', [], id="decoupled"),
        pytest.param('run = {"name": "adam-baseline", "weight_decay": 0.1}', [], id="a name that is no class"),
        pytest.param('optim_cfg = {"optimizer": OPTIMIZER, "weight_decay": 1e-5}', [], id="a name we cannot know"),
        pytest.param(
            'optim_cfg = {"_target_": "torch.optim.Adam", "weight_decay": 1e-5, "name": "adam"}',
            [],
            id="Hydra's _target_ is another reading",
        ),
        pytest.param(
            'opt = torch.optim.SGD(model.parameters(), **{"lr": 0.1, "type": "Adam", "weight_decay": 0.0})',
            [],
            id="inside a construction the code reads",
        ),
        pytest.param(
            'cfg = {"train": {"epochs": 3}, "optim": {"optim_class": "Adam", "weight_decay": 1e-4}}',
            [("WD101", 7)],
            id="nested",
        ),
    ),
)
def test_generic_optimizer_dicts(line: str, expected: list[tuple[str, int]]) -> None:
    assert lint(CONFIG_MODULE.format(line)) == expected


def test_the_message_says_the_params_are_unknown() -> None:
    (diagnostic,) = wdlint.lint_source('import torch\noptim_cfg = dict(type="Adam", lr=1e-3, weight_decay=1e-4)\n', "cfg.py")
    assert diagnostic.message.endswith(f"re-tune the value; {PARAMS_UNKNOWN_NOTE}")
    assert (diagnostic.location.row, diagnostic.location.column) == (2, 23)  # the class name


def test_mm_configs_are_read_once() -> None:
    source = "optimizer = dict(type='Adam', lr=1e-3, weight_decay=1e-4)\n"
    assert sorted(lint(source)) == [("WD101", 1), ("WD201", 1)]
    wrapper = "optim_wrapper = dict(optimizer=dict(type='Adam', lr=1e-3, weight_decay=1e-4), paramwise_cfg=dict(norm_decay_mult=0., bias_decay_mult=0.))\n"
    assert lint(wrapper) == [("WD101", 1)]


def test_a_dict_spread_into_a_construction_is_read_once() -> None:
    source = """\
    from asteroid.engine.optimizers import make_optimizer
    conf = {"optimizer": "adam", "lr": 1e-3, "weight_decay": 1e-5}
    opt = make_optimizer(model.parameters(), **conf)
    """
    assert sorted(lint(source)) == [("WD101", 3), ("WD201", 3)]


@pytest.mark.parametrize(
    ("source", "expected"),
    (
        pytest.param(
            """\
            def configure(args):
                schedule = {"warmup": 100, "total": 1000}
                if args.deepspeed:
                    return {
                        "train_batch_size": 16,
                        "optimizer": {
                            "type": "Adam",
                            "params": {
                                "lr": 0.001,
                                "weight_decay": 0.01,
                                "adam_w_mode": False,
                            },
                        },
                    }
                return schedule
            """,
            [("WD101", 7)],
            id="the key's row deep inside a function and a dict: the walk reaches it",
        ),
        pytest.param(
            """\
            opt_cfg = dict(
                type="Adagrad",
                lr=0.01,
                weight_decay=1e-4)
            """,
            [("WD102", 2)],
            id="the key on the last row of a call",
        ),
        pytest.param(
            """\
            model_cfg = {"hidden": 256, "layers": 4}
            note = "weight_decay is set below"
            opt_cfg = {"optimizer": "adam"}
            """,
            [],
            id="the key only in a string beside dicts that name no decay",
        ),
        pytest.param(
            """\
            opt_cfg = {"optimizer": "adagrad", "weight_decay"  # the paper's value
                       : 1e-4}
            """,
            [("WD102", 1)],
            id="a comment between the key and its colon",
        ),
        pytest.param(
            """\
            opt_cfg = {"optimizer": "adagrad", 'weight_decay' \\
                : 1e-4}
            """,
            [("WD102", 1)],
            id="the key's colon after a continuation",
        ),
        pytest.param(
            """\
            opt_cfg = dict(type="Adagrad", lr=0.01, weight_decay
                           = 1e-4)
            """,
            [("WD102", 1)],
            id="a keyword's `=` on the next row",
        ),
        pytest.param(
            """\
            def step(group):
                if group["weight_decay"] != 0:
                    settings = {"optimizer": "adagrad", "decay": group["weight_decay"]}
            """,
            [],
            id="the key only read: no dict has it",
        ),
    ),
)
def test_dicts_are_read_where_the_decay_key_is_written(source: str, expected: list[tuple[str, int]]) -> None:
    assert lint(source) == expected


@pytest.mark.parametrize(
    ("text", "rows"),
    (
        ('cfg = {"weight_decay": 0.1}', [1]),
        ("cfg = {'''weight_decay''' : 0.1}", [1]),
        ("cfg = dict(lr=1,\n  weight_decay=0.1)", [2]),
        ("wd = 0.1\nweight_decay = wd", [2]),  # an assignment looks like a keyword: kept
        ('wd = group["weight_decay"]\nif weight_decay != 0 or weight_decay == 1:\n    pass', []),
        ('note = "weight_decay is set below"', []),
    ),
)
def test_the_rows_walked_are_those_that_may_write_the_key(text: str, rows: list[int]) -> None:
    from wdlint.frontends.pydicts import _rows_naming

    assert _rows_naming(text, "weight_decay") == rows


_ROW_PIECES = st.sampled_from(['weight_decay=', '"weight_decay":', "weight_decay", "\n", "\r\n", "\r", "x", " ", "=="])


@settings(max_examples=300, deadline=None)
@given(st.lists(_ROW_PIECES, max_size=30).map("".join))
def test_the_rows_are_counted_as_ast_counts_them(text: str) -> None:
    """Rows of the key's matches, counted between matches, as the starts of all rows give them
    (`\\r\\n`, `\\r` and `\\n` each end a row, as they do for `ast`)."""
    import bisect

    from wdlint.frontends.pydicts import _rows_naming, _written_as_key
    from wdlint.frontends.text import line_starts

    starts = line_starts(text)
    expected = sorted({bisect.bisect_right(starts, m.start()) for m in _written_as_key("weight_decay").finditer(text)})
    assert _rows_naming(text, "weight_decay") == expected
