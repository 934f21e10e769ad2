"""wdlint's diagnostics, fixes and rule pages in the protocol's terms (lsprotocol types).

wdlint counts rows from 1 and columns from 1 in characters (code points); the protocol counts
both from 0, and columns in the code units the client and server agreed on (UTF-16 unless the
client offers another), so every position is converted against the text of its line.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec

from wdlint.diagnostics import Diagnostic, Edit, Position
from wdlint.output.ci import is_error
from wdlint.rules import get_rule, rule_url

SOURCE = "wdlint"
_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # as Python and the protocol break lines (not str.splitlines)


class Lines:
    """One document's text, for converting positions."""

    def __init__(self, text: str, codec: PositionCodec) -> None:
        self.lines = _LINE_BREAK.split(text)
        self.codec = codec

    def position(self, position: Position) -> types.Position:
        row = position.row - 1
        if row >= len(self.lines):  # past the last line: the end of the text
            return types.Position(len(self.lines) - 1, self.codec.client_num_units(self.lines[-1]))
        line = self.lines[max(row, 0)]
        return types.Position(max(row, 0), self.codec.client_num_units(line[: max(position.column - 1, 0)]))

    def range(self, start: Position, end: Position) -> types.Range:
        return types.Range(self.position(start), self.position(end))

    def end(self) -> types.Position:
        return types.Position(len(self.lines) - 1, self.codec.client_num_units(self.lines[-1]))

    def edit(self, edit: Edit) -> types.TextEdit:
        return types.TextEdit(self.range(edit.location, edit.end_location), edit.content)


def rule_href(code: str) -> str | None:
    """Where the rule's page is: the documented URL when it is absolute, else the page in the
    checkout wdlint runs from (an editable install); None when neither exists (a wheel
    installed while the pages have no public home: the hover still shows the page)."""
    url = rule_url(code)
    if urlparse(url).scheme:
        return url
    page = Path(__file__).resolve().parents[2] / url
    return page.as_uri() if page.is_file() else None


def diagnostic(found: Diagnostic, lines: Lines) -> types.Diagnostic:
    href = rule_href(found.code)
    return types.Diagnostic(
        range=lines.range(found.location, found.end_location),
        message=found.message,
        severity=types.DiagnosticSeverity.Error if is_error(found) else types.DiagnosticSeverity.Warning,
        code=found.code,
        code_description=types.CodeDescription(href) if href is not None else None,
        source=SOURCE,
    )


def rule_page(code: str) -> str | None:
    """`wdlint rule CODE`: the rule's page in Markdown."""
    rule = get_rule(code)
    return rule.markdown() if rule is not None else None


def contains(outer: types.Range, position: types.Position) -> bool:
    return _key(outer.start) <= _key(position) <= _key(outer.end)


def overlaps(first: types.Range, second: types.Range) -> bool:
    """Whether two ranges touch (a cursor at either end of a finding counts)."""
    return _key(first.start) <= _key(second.end) and _key(second.start) <= _key(first.end)


def _key(position: types.Position) -> tuple[int, int]:
    return position.line, position.character


def replacement(old: str, new: str, codec: PositionCodec) -> types.TextEdit:
    """One edit that turns `old` into `new`: the part between their common start and end
    (never between the two characters of a `\r\n`, a place the protocol has no position for)."""
    limit = min(len(old), len(new))
    start = 0
    while start < limit and old[start] == new[start]:
        start += 1
    if 0 < start < len(old) and old[start - 1 : start + 1] == "\r\n":
        start -= 1
    end = 0
    while end < limit - start and old[len(old) - 1 - end] == new[len(new) - 1 - end]:
        end += 1
    if end > 0 and old[len(old) - end - 1 : len(old) - end + 1] == "\r\n":
        end -= 1
    lines = Lines(old, codec)
    return types.TextEdit(
        types.Range(_at(old, start, lines), _at(old, len(old) - end, lines)), new[start : len(new) - end]
    )


def _at(text: str, offset: int, lines: Lines) -> types.Position:
    breaks = list(_LINE_BREAK.finditer(text, 0, offset))
    column = offset - (breaks[-1].end() if breaks else 0)
    return lines.position(Position(len(breaks) + 1, column + 1))
