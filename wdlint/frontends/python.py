"""Python source front-end: bytes to a parsed module with ruff-style positions.

Detection runs on the stdlib `ast` (13x cheaper than a libcst parse, DESIGN.md §5 and
`bench/parse_cost.py`). Fixes need no concrete syntax tree either: they are text edits at the
positions `ast` reports, kept only when the fixed text still parses (docs/architecture.md,
Decisions).
"""

from __future__ import annotations

import ast
import codecs
import io
import re
import warnings
from collections.abc import Iterator

from wdlint.diagnostics import Position, Span, position_at
from wdlint.frontends.text import SourceError, line_starts

_NEWLINE = re.compile(r"\r\n|\r|\n")
_BLANK = frozenset(" \t\f\r\n\\")  # and the backslash of a continued line


# PEP 263, as CPython's tokenizer reads it: on raw bytes, so that a line that is not UTF-8
# before its cookie (`# Müller, coding: latin-1` in Latin-1) still declares it
_COOKIE = rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)"  # compiled by the first line that says "coding"


def source_encoding(data: bytes) -> str:
    """The encoding Python reads a file in: `utf-8-sig` with a BOM, a coding cookie's (in a
    comment on one of the first two lines), else UTF-8."""
    bom = data.startswith(codecs.BOM_UTF8)
    declared, lines = _cookie(data[len(codecs.BOM_UTF8) :] if bom else data)
    if declared is not None and not all(_is_utf8(line) for line in lines[:-1]):
        # CPython reads the lines before the declaration as UTF-8, and refuses them if not
        raise SourceError("cannot decode: a line before the coding declaration is not UTF-8")
    if declared is None:
        return "utf-8-sig" if bom else "utf-8"
    try:
        codec = codecs.lookup(declared).name
    except LookupError:
        raise SourceError(f"cannot decode: unknown encoding {declared!r} declared") from None
    if bom:
        if codec != "utf-8":
            raise SourceError(f"cannot decode: a UTF-8 BOM, and the encoding {declared!r} declared")
        return "utf-8-sig"
    if "#coding".encode(codec, errors="replace") != b"#coding":
        # UTF-16 and the like: CPython reads the cookie line in ASCII and cannot go on
        raise SourceError(f"cannot decode: the encoding {declared!r} declared is not ASCII-compatible")
    return codec


def _cookie(data: bytes) -> tuple[str | None, list[bytes]]:
    """The encoding declared, and the lines read up to the one declaring it."""
    lines = []
    for line in _first_lines(data):
        lines.append(line)
        match = re.match(_COOKIE, line) if b"coding" in line else None
        if match is not None:
            return match.group(1).decode("ascii"), lines
        rest = line.lstrip(b" \t\f")
        if rest and not rest.startswith(b"#"):
            break  # the second line counts only after a comment or a blank line
    return None, lines


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode()
    except UnicodeDecodeError:
        return False
    return True


def _first_lines(data: bytes) -> list[bytes]:
    """The first line and, when there is one, the second, without their line breaks."""
    end = _line_end(data, 0)
    first = data[:end]
    end += 2 if data[end : end + 2] == b"\r\n" else 1
    return [first, data[end : _line_end(data, end)]] if end <= len(data) else [first]


def _line_end(data: bytes, start: int) -> int:
    """Where the line that starts at `start` ends: its `\\n` or `\\r`, else the end of the data
    (a `\\r` is looked for only up to the `\\n`: most files have none to find)."""
    newline = data.find(b"\n", start)
    if newline == -1:
        newline = len(data)
    carriage = data.find(b"\r", start, newline)
    return newline if carriage == -1 else carriage


def decode_source(data: bytes) -> str:
    """Decode as Python does: a BOM or a coding cookie, else UTF-8. A second BOM stays in the
    text, where the parser rejects it as CPython does."""
    encoding = source_encoding(data)
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        utf8 = encoding in ("utf-8", "utf-8-sig")
        text = _declared_utf8_with_bytes_in_comments(data.removeprefix(codecs.BOM_UTF8)) if utf8 else None
        if text is None:
            raise SourceError(f"cannot decode as {encoding}: {error}") from None
        return text


def _declared_utf8_with_bytes_in_comments(data: bytes) -> str | None:
    """The text of a file that declares UTF-8 and holds other bytes only in comments (a
    Latin-1 `é` in a French comment), which CPython runs, or None."""
    if _cookie(data)[0] is None:
        return None  # undeclared UTF-8 is checked line by line, comments too
    import tokenize  # imported for the rare file that needs it, as below

    text = data.decode("utf-8", errors="replace")
    replaced = text.count("\ufffd")
    try:
        in_comments = sum(
            token.string.count("\ufffd")
            for token in tokenize.generate_tokens(io.StringIO(text).readline)
            if token.type == tokenize.COMMENT
        )
    except (tokenize.TokenError, SyntaxError):
        return None
    return text if in_comments == replaced else None


class PythonSource:
    """A module's text and tree; its lines and their offsets are split out when first asked."""

    def __init__(self, filename: str, text: str, tree: ast.Module) -> None:
        self.filename = filename
        self.text = text
        self.tree = tree
        self._lines: list[str] | None = None
        self._starts: list[int] | None = None

    @property
    def lines(self) -> list[str]:
        if self._lines is None:
            self._lines = _NEWLINE.split(self.text)
        return self._lines

    def position(self, lineno: int, col_offset: int) -> Position:
        """`ast` counts columns in UTF-8 bytes from 0; ruff counts characters from 1."""
        if self.text.isascii():  # (known to `str` without a scan) bytes are characters: no line to split out
            return Position(lineno, col_offset + 1)
        line = self.lines[lineno - 1] if 0 < lineno <= len(self.lines) else ""
        if line.isascii():
            return Position(lineno, col_offset + 1)
        prefix = line.encode("utf-8")[:col_offset].decode("utf-8", errors="ignore")
        return Position(lineno, len(prefix) + 1)

    def span(self, node: ast.expr | ast.stmt | ast.keyword | ast.arg | ast.alias) -> Span:
        end_lineno = node.end_lineno if node.end_lineno is not None else node.lineno
        end_col = node.end_col_offset if node.end_col_offset is not None else node.col_offset
        return Span(self.position(node.lineno, node.col_offset), self.position(end_lineno, end_col))

    def argument_span(self, node: ast.expr, call: ast.Call) -> Span:
        """A positional argument's span with the parentheses written around it: `ast` leaves
        them out of `(0.9)` (not of `(a) + b`), and an edit next to the argument must not land
        inside them."""
        span = self.span(node)
        if isinstance(node, ast.Starred):
            return span
        text, start, end = self.text, self._offset(span.start), self._offset(span.end)
        opening = text.find("(", self._offset(self.span(call.func).end))  # the call's own
        closing = min(self._offset(self.span(call).end) - 1, len(text) - 1)
        if not 0 <= opening < start <= end <= closing:
            return span  # rows that do not match the text: widen nothing
        while True:
            before, after = start - 1, end
            while before > opening and text[before] in _BLANK:
                before -= 1
            while after < closing and text[after] in _BLANK:
                after += 1
            # only grouping parentheses can stand right before an argument and right after it
            if not (opening < before and text[before] == "(" and after < closing and text[after] == ")"):
                break
            start, end = before, after + 1
        return Span(position_at(self._line_starts, start), position_at(self._line_starts, end))

    def _offset(self, position: Position) -> int:
        return self._line_starts[position.row - 1] + position.column - 1

    @property
    def _line_starts(self) -> list[int]:
        if self._starts is None:
            self._starts = line_starts(self.text)
        return self._starts


def parse_python(text: str, filename: str) -> PythonSource:
    try:
        with warnings.catch_warnings():
            # invalid escape sequences in linted code are not our business
            warnings.simplefilter("ignore")
            # not under the file's name: CPython re-reads the line of some syntax errors from
            # the file it is named after, which need not hold this text (an editor's buffer)
            tree = ast.parse(text, filename="<wdlint>")
    except SyntaxError as error:
        row = error.lineno or 1
        column = error.offset or 1
        raise SourceError(f"SyntaxError: {error.msg}", Position(row, max(column, 1))) from None
    except (ValueError, RecursionError) as error:
        # ValueError: NUL bytes (before 3.12); RecursionError: absurdly nested expressions
        raise SourceError(f"cannot parse: {error}") from None
    except MemoryError:  # CPython's parser says so, with no message, for `------...1` 100,000 deep
        raise SourceError("cannot parse: the parser ran out of memory (nested too deeply?)") from None
    return PythonSource(filename, text, tree)


def comments(text: str) -> Iterator[tuple[int, str]]:
    """(row, text) of each comment, as the tokenizer finds them; none past a tokenizer error."""
    import tokenize  # only when a file's comments are read (engine/suppress.py: may_suppress)

    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.COMMENT:
                yield token.start[0], token.string
    except (tokenize.TokenError, SyntaxError):
        return
