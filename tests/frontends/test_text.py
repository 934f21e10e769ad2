"""The helpers every front-end shares: rows and columns, and where JSON values are written."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from wdlint.diagnostics import Position
from wdlint.frontends.text import (
    JsonScanner,
    SourceError,
    line_starts,
    load_json,
    position_at,
)

_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8)
_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4),
    max_leaves=12,
)


def _check(scanner: JsonScanner, start: int, value: object) -> int:
    """Walk the value at `start` with the scanner, checking each part against `value`."""
    text = scanner.text
    if isinstance(value, dict):
        members, end = scanner.members(start)
        assert {m.key: json.loads(text[m.value_start : m.value_end]) for m in members} == value
        for m in members:
            assert json.loads(text[m.key_start : m.key_end]) == m.key
            _check(scanner, m.value_start, value[m.key])
    elif isinstance(value, list):
        items, end = scanner.items(start)
        assert [json.loads(text[s:e]) for s, e in items] == value
        for (item_start, _), item in zip(items, value):
            _check(scanner, item_start, item)
    else:
        decoded, end = scanner.value(start)
        assert decoded == value
    assert json.loads(text[start:end]) == value
    return end


@settings(max_examples=200, deadline=None)
@given(_values, st.sampled_from([None, 0, 1, 4, "\t"]), st.sampled_from([(",", ":"), (", ", ": "), (" ,", " :  ")]))
def test_the_scanner_finds_every_value_json_loads_reads(value: object, indent: int | str | None, separators: tuple[str, str]):
    text = " \r\n" + json.dumps(value, indent=indent, separators=separators) + "\n "
    scanner = JsonScanner(text)
    end = _check(scanner, scanner.skip(0), value)
    assert scanner.skip(end) == len(text)


def test_repeated_keys_are_all_members_in_order():
    text = '{"a": 1, "a": [2, {"b": 3}], "c": "}"}'
    members, end = JsonScanner(text).members(0)
    assert [(m.key, text[m.value_start : m.value_end]) for m in members] == [
        ("a", "1"), ("a", '[2, {"b": 3}]'), ("c", '"}"')
    ]
    assert end == len(text)


def test_positions_count_rows_as_ruff_does():
    text = 'a\r\nb\rc\nd'
    starts = line_starts(text)
    assert [position_at(starts, text.index(ch)) for ch in "abcd"] == [
        Position(1, 1), Position(2, 1), Position(3, 1), Position(4, 1)
    ]
    assert JsonScanner('{\n  "k": 1}').position(4) == Position(2, 3)


def test_invalid_json_is_a_source_error_where_it_fails():
    try:
        load_json('{\n  "a": 1,\n}', "notebook JSON")
    except SourceError as error:
        assert error.message.startswith("invalid notebook JSON: ")
        assert error.position == Position(3, 1)
        assert error.cell is None
    else:
        raise AssertionError("no SourceError")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["a", "é", " ", "\n", "\r", "\r\n", "\x85", "\u2028", "\f"])).map("".join))
def test_line_starts_are_where_the_newline_regex_ends(text: str) -> None:
    """The fast path for text without a carriage return gives the regex's rows."""
    import re

    assert line_starts(text) == [0, *(m.end() for m in re.finditer(r"\r\n|\r|\n", text))]
