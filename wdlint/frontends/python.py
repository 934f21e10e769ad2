"""Python source front-end: bytes to a parsed module with ruff-style positions.

Detection runs on the stdlib `ast` (13x cheaper than a libcst parse, DESIGN.md §5 and
`bench/parse_cost.py`); concrete-syntax rewriting is reserved for the files that get a fix.
"""

from __future__ import annotations

import ast
import codecs
import io
import re
import tokenize
import warnings
from dataclasses import dataclass, field

from wdlint.analysis.sites import Span
from wdlint.diagnostics import Position

_NEWLINE = re.compile(r"\r\n|\r|\n")


class SourceError(Exception):
    """A file that cannot be decoded or parsed: becomes a WD001 diagnostic."""

    def __init__(self, message: str, position: Position = Position(1, 1)) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


def check_size(size: int, limit: int, what: str = "the file") -> None:
    """SourceError when `size` characters of text are over `limit` (0: no limit)."""
    if 0 < limit < size:
        raise SourceError(
            f"not linted: {what} holds {size:,} characters, over the `max-file-size` of {limit:,}"
        )


def source_encoding(data: bytes) -> str:
    """The encoding Python reads a file in: `utf-8-sig` with a BOM, a coding cookie's, else UTF-8."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as error:
        raise SourceError(f"cannot decode: {error.msg}") from None
    return encoding


def decode_source(data: bytes) -> str:
    """Decode as Python does: a BOM or a coding cookie, else UTF-8."""
    encoding = source_encoding(data)
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as error:
        raise SourceError(f"cannot decode as {encoding}: {error}") from None
    # utf-8-sig leaves no BOM; a BOM decoded by a cookie-named codec would
    return text[1:] if text.startswith(codecs.BOM_UTF8.decode()) else text


def decode_utf8(data: bytes) -> str:
    """JSON, notebooks and YAML configs are UTF-8 (a BOM is tolerated)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise SourceError(f"cannot decode as UTF-8: {error}") from None


@dataclass
class PythonSource:
    filename: str
    text: str
    tree: ast.Module
    _lines: list[str] | None = field(default=None, repr=False)

    @property
    def lines(self) -> list[str]:
        if self._lines is None:
            self._lines = _NEWLINE.split(self.text)
        return self._lines

    def position(self, lineno: int, col_offset: int) -> Position:
        """`ast` counts columns in UTF-8 bytes from 0; ruff counts characters from 1."""
        line = self.lines[lineno - 1] if 0 < lineno <= len(self.lines) else ""
        if line.isascii():
            return Position(lineno, col_offset + 1)
        prefix = line.encode("utf-8")[:col_offset].decode("utf-8", errors="ignore")
        return Position(lineno, len(prefix) + 1)

    def span(self, node: ast.expr | ast.stmt | ast.keyword | ast.arg | ast.alias) -> Span:
        end_lineno = node.end_lineno if node.end_lineno is not None else node.lineno
        end_col = node.end_col_offset if node.end_col_offset is not None else node.col_offset
        return Span(self.position(node.lineno, node.col_offset), self.position(end_lineno, end_col))


def parse_python(text: str, filename: str) -> PythonSource:
    try:
        with warnings.catch_warnings():
            # invalid escape sequences in linted code are not our business
            warnings.simplefilter("ignore")
            tree = ast.parse(text, filename=filename)
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
