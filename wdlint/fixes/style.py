"""The layout a fix's new code follows: the line length of the project's formatter.

`line-length` of `[tool.ruff]` or `[tool.black]` in the first pyproject.toml upward from the
file that configures either (ruff reads the closest pyproject.toml with a `[tool.ruff]`), else
black's and ruff's default of 88. The files read, and those looked for and absent, are
dependencies of the fix's text (the result cache checks them).
"""

from __future__ import annotations

import functools
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from wdlint.frontends.dependencies import Stamp, absent_stamp, note_stamps, unchanged

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

DEFAULT_LINE_LENGTH = 88
_FORMATTERS = ("ruff", "black")  # ruff's value first when a pyproject configures both
_MAX_LINE_LENGTH = 320  # ruff's own upper bound; anything else is not a line length


@dataclass(frozen=True)
class Style:
    line_length: int = DEFAULT_LINE_LENGTH
    indent: str = "    "  # one level of the file's indentation
    newline: str = "\n"


def line_length_for(path: Path) -> int:
    """The line length the project of `path` (a file, or where standard input claims to be)
    formats to."""
    directory = Path(os.path.abspath(path)).parent
    length, stamps = _configured(directory)
    if not all(unchanged(stamp) for stamp in stamps):  # a long-lived process: read again
        _configured.cache_clear()
        length, stamps = _configured(directory)
    note_stamps(stamps)
    return length


@functools.lru_cache(maxsize=512)
def _configured(directory: Path) -> tuple[int, tuple[Stamp, ...]]:
    stamps: list[Stamp] = []
    for folder in (directory, *directory.parents):
        candidate = folder / "pyproject.toml"
        try:
            with open(candidate, "rb") as file:
                status = os.fstat(file.fileno())
                data = file.read()
        except OSError:
            stamps.append(absent_stamp(candidate))
            continue
        stamps.append((str(candidate), status.st_size, status.st_mtime_ns))
        length = _line_length(data)
        if length is not None:
            return length, tuple(stamps)
    return DEFAULT_LINE_LENGTH, tuple(stamps)


def _line_length(data: bytes) -> int | None:
    """The formatter's line length in one pyproject.toml; None when it configures neither
    (a broken file configures nothing: the config loader reports it when it is wdlint's)."""
    try:
        tool = tomllib.loads(data.decode("utf-8")).get("tool")
    except (tomllib.TOMLDecodeError, UnicodeDecodeError):
        return None
    if not isinstance(tool, dict):
        return None
    for name in _FORMATTERS:
        table = tool.get(name)
        if isinstance(table, dict):
            value = table.get("line-length", table.get("line_length"))
            if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= _MAX_LINE_LENGTH:
                return value
            return DEFAULT_LINE_LENGTH  # the formatter's table, without a usable length
    return None
