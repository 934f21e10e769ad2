"""DeepSpeed JSON configs: the "optimizer" section, as DeepSpeed reads it."""

from __future__ import annotations

import json

import pytest

from wdlint.engine.lint import lint_bytes
from wdlint.engine.prefilter import may_configure_deepspeed
from wdlint.engine.runner import LintOptions

OPTIONS = LintOptions.from_selection()


def ds(section: object, indent: int | None = 2) -> bytes:
    return json.dumps({"train_batch_size": 8, "optimizer": section, "fp16": {"enabled": True}}, indent=indent).encode()


def lint(data: bytes, select: list[str] | None = None) -> list[tuple[str, int, int]]:
    options = LintOptions.from_selection(select) if select else OPTIONS
    return [(d.code, d.location.row, d.location.column) for d in lint_bytes(data, "ds_config.json", options).diagnostics]


@pytest.mark.parametrize(
    ("section", "expected"),
    (
        pytest.param({"type": "Adam", "params": {"lr": 1e-4, "weight_decay": 0.01}}, [], id="adam is adamw by default"),
        pytest.param(
            {"type": "Adam", "params": {"weight_decay": 0.01, "adam_w_mode": False}},
            [("WD101", 4, 13)],
            id="adam_w_mode false",
        ),
        pytest.param(
            {"type": "ADAM", "params": {"weight_decay": 0.01, "adam_w_mode": False}},
            [("WD101", 4, 13)],
            id="its own names in any case",
        ),
        pytest.param(
            {"type": "Adam", "params": {"weight_decay": 0.0, "adam_w_mode": False}}, [], id="no decay"
        ),
        pytest.param(
            {"type": "Adam", "params": {"weight_decay": "auto", "adam_w_mode": False}},
            [("WD101", 4, 13)],
            id="auto may decay",
        ),
        pytest.param(
            {"type": "Adam", "params": {"weight_decay": 0.01, "adam_w_mode": "auto"}},
            [],
            id="auto flag is unknown",
        ),
        pytest.param(
            {"type": "AdamW", "params": {"weight_decay": 0.01, "adam_w_mode": False}},
            [],
            id="adamw forces adam_w_mode",
        ),
        pytest.param(
            {"type": "Adam", "adam_w_mode": False, "params": {"weight_decay": 0.01}},
            [("WD204", 5, 5)],
            id="adam_w_mode beside type is ignored",
        ),
        pytest.param(
            {"type": "AdamW", "weight_decay": 0.1, "params": {"lr": 1e-4}},
            [("WD204", 5, 5)],
            id="weight_decay beside type is ignored",
        ),
        pytest.param(
            {"type": "Adam", "params": {}, "legacy_fusion": False, "comment": "lr from the sweep"},
            [],
            id="keys that are no optimizer option",
        ),
        pytest.param(
            {"type": "RMSprop", "params": {"weight_decay": 1e-5}}, [("WD102", 4, 13)], id="a torch class"
        ),
        pytest.param(
            {"type": "NAdam", "params": {"weight_decay": 1e-5, "decoupled_weight_decay": True}},
            [],
            id="a torch class's own flag",
        ),
        pytest.param({"type": "rmsprop", "params": {"weight_decay": 1e-5}}, [], id="torch names are exact"),
        pytest.param({"type": "OneBitLamb", "params": {"weight_decay": 1e-5}}, [], id="not in the knowledge base"),
        pytest.param({"type": 3}, [], id="type not a string"),
        pytest.param({"params": {"weight_decay": 1e-5}}, [], id="no type"),
        pytest.param("Adam", [], id="not an object"),
    ),
)
def test_sections(section: object, expected: list[tuple[str, int, int]]) -> None:
    assert lint(ds(section)) == expected


def test_opt_in_rules_see_the_section() -> None:
    section = {"type": "AdamW", "params": {"weight_decay": 0}}
    assert lint(ds(section), select=["WD303"]) == []  # params are the code's: not whole-model


def test_positions_on_one_line_with_crlf_and_non_ascii() -> None:
    data = '{"note": 1,\r\n "é": 1, "optimizer": {"params": {"adam_w_mode": false, "weight_decay": 1}, "type": "adam"}}'
    assert lint(data.encode()) == [("WD101", 2, 85)]


def test_the_last_of_repeated_keys() -> None:
    data = b'{"optimizer": {"type": "Adam", "params": {"adam_w_mode": false, "weight_decay": 1}},\n "optimizer": {"type": "SGD"}}'
    assert lint(data) == []


def test_large_values_elsewhere_are_skipped() -> None:
    data = b'{"data": [' + b",".join([b'{"type": "x", "v": [1, 2, 3]}'] * 20000) + b'], "optimizer": {"type": "Adam", "params": {"adam_w_mode": false, "weight_decay": 1}}}'
    [(code, row, _)] = lint(data)
    assert (code, row) == ("WD101", 1)


@pytest.mark.parametrize(
    ("data", "expected"),
    (
        pytest.param(b'{"optimizer": {"type": "Adam",}}', [("WD001", 1, 31)], id="trailing comma"),
        pytest.param(b'{"optimizer": {"type": "Adam"}} // comment', [("WD001", 1, 33)], id="comment"),
        pytest.param(b'{"optimizer": {"type": "\xff"}}', [("WD001", 1, 1)], id="not UTF-8"),
        pytest.param(b'{"optimizer": ' + b"[" * 100000 + b'], "type": 1}', [("WD001", 1, 1)], id="deep"),
        pytest.param(b'[{"optimizer": {"type": "Adam"}}]', [], id="not at the top level"),
        pytest.param(b'{"name": "pkg", "type": "module"}', [], id="package.json"),
        pytest.param(b'{"cfg": "{\\"optimizer\\": {\\"type\\": \\"Adam\\"}}", "broken', [], id="keys inside a string"),
        pytest.param(b"", [], id="empty"),
    ),
)
def test_other_and_broken_json(data: bytes, expected: list[tuple[str, int, int]]) -> None:
    assert lint(data) == expected


@pytest.mark.parametrize(
    ("data", "kept"),
    (
        (b'{"optimizer": {"type": "Adam"}}', True),
        (b'{"optimizer" : {\n"type"\t:"Adam"}}', True),
        (b'{"optimizer": "adamw_torch", "lr_scheduler_type": "cosine"}', False),
        (b'{"name": "x", "type": "module"}', False),
        (b'"\\"optimizer\\": {\\"type\\": 1}"', False),
    ),
)
def test_prefilter(data: bytes, kept: bool) -> None:
    assert may_configure_deepspeed(data) is kept


def test_an_integer_of_thousands_of_digits_is_a_parse_error() -> None:
    data = b'{"optimizer": {"type": "SGD", "params": {"weight_decay": 1e-4}}, "big": ' + b"9" * 5000 + b"}"
    [diagnostic] = lint_bytes(data, "ds.json", LintOptions.from_selection()).diagnostics
    assert diagnostic.code == "WD001"
