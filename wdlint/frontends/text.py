"""What every front-end needs of its text: the WD001 error, rows and columns, the size limit,
UTF-8 decoding, and JSON with the places its values are written.

Light on purpose (no parser, no analysis): the formats' registry and the runner's screening
import it for every run.
"""

from __future__ import annotations

import itertools
import json
import operator
import re

from wdlint.diagnostics import Position, position_at
from wdlint.records import Record

# The patterns below are compiled when first used (then found in `re`'s own cache): this module
# is imported by every run, most of which never meet a `\r` or a JSON file, and a pattern
# compiled costs a one-file run about half a percent.
_NEWLINE = r"\r\n|\r|\n"
_JSON_WHITESPACE = r"[ \t\n\r]*"


class SourceError(Exception):
    """A file, or a part of it, that cannot be decoded or parsed: becomes a WD001 diagnostic."""

    def __init__(self, message: str, position: Position = Position(1, 1), cell: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.position = position
        self.cell = cell  # the notebook cell `position` is in (None: the file's own rows)


def line_starts(text: str) -> list[int]:
    """The offset at which each row starts, rows broken as ruff breaks them: at `\\r\\n`,
    `\\r` or `\\n` (JSON counts only `\\n`, YAML also NEL, LS and PS)."""
    if "\r" in text:
        return [0, *(match.end() for match in re.finditer(_NEWLINE, text))]
    # only `\n`: the rows' lengths summed, with one for each newline, without a Python step
    # per row (a dense tree's files hold a hundred thousand of them)
    return list(map(operator.add, itertools.accumulate(map(len, text.split("\n")[:-1]), initial=0), itertools.count()))


def check_size(size: int, limit: int, what: str = "the file") -> None:
    """SourceError when `size` characters of text are over `limit` (0: no limit)."""
    if 0 < limit < size:
        raise SourceError(
            f"not linted: {what} holds {size:,} characters, over the `max-file-size` of {limit:,}"
        )


def decode_utf8(data: bytes) -> str:
    """JSON, notebooks and YAML configs are UTF-8 (a BOM is tolerated)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise SourceError(f"cannot decode as UTF-8: {error}") from None


def load_json(text: str, what: str = "JSON") -> object:
    """`json.loads`, with every way JSON text can fail as a SourceError: `invalid {what}: ...`."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise SourceError(f"invalid {what}: {error.msg}", position_at(line_starts(text), error.pos)) from None
    except RecursionError:
        raise SourceError(f"invalid {what}: nested too deeply") from None
    except ValueError as error:  # an integer of thousands of digits
        raise SourceError(f"invalid {what}: {error}") from None


def skip_json_whitespace(text: str, offset: int) -> int:
    """The offset of the first character at or after `offset` that is not JSON whitespace."""
    match = re.compile(_JSON_WHITESPACE).match(text, offset)
    assert match is not None  # the pattern matches the empty string
    return match.end()


class JsonMember(Record):
    """One member of a JSON object, as offsets into the text: the key with its quotes, the value."""

    key: str
    key_start: int
    key_end: int
    value_start: int
    value_end: int


class JsonScanner:
    """Where the values of JSON text that `json.loads` has accepted are written.

    Only the containers a caller asks for are walked here; every value in them is skipped by
    the json module's C decoder, so a large file costs little more than its load.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self._decoder = json.JSONDecoder()
        self._starts: list[int] | None = None
        self._blanks = re.compile(_JSON_WHITESPACE).match  # looked up once, not at every member

    def skip(self, offset: int) -> int:
        """`skip_json_whitespace` of the text."""
        match = self._blanks(self.text, offset)
        assert match is not None  # the pattern matches the empty string
        return match.end()

    def value(self, start: int) -> tuple[object, int]:
        """The value at `start`, decoded, and the offset just after it."""
        value, end = self._decoder.raw_decode(self.text, start)
        return value, end

    def members(self, start: int) -> tuple[list[JsonMember], int]:
        """Each member of the object at `start`, in order (keys may repeat), and its end."""
        members = []
        offset = self.skip(start + 1)  # past the `{`
        while self.text[offset] != "}":
            key, key_end = self.value(offset)
            assert isinstance(key, str)
            value_start = self.skip(self.skip(key_end) + 1)  # past the `:`
            _, value_end = self.value(value_start)
            members.append(JsonMember(key, offset, key_end, value_start, value_end))
            offset = self._next(value_end)
        return members, offset + 1

    def items(self, start: int) -> tuple[list[tuple[int, int]], int]:
        """(start, end) of each item of the array at `start`, and its end."""
        items = []
        offset = self.skip(start + 1)  # past the `[`
        while self.text[offset] != "]":
            _, end = self.value(offset)
            items.append((offset, end))
            offset = self._next(end)
        return items, offset + 1

    def _next(self, end: int) -> int:
        """Past a value's comma, to the next member or item (or the closing bracket)."""
        offset = self.skip(end)
        return self.skip(offset + 1) if self.text[offset] == "," else offset

    def position(self, offset: int) -> Position:
        if self._starts is None:
            self._starts = line_starts(self.text)
        return position_at(self._starts, offset)
