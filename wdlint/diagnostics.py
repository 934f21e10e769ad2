"""The diagnostic every front-end and rule produces, shaped like ruff's JSON output."""

from __future__ import annotations

import bisect
from enum import Enum

from wdlint.records import Record, field

TYPE_CHECKING = False  # `typing` is for type checkers: the hook never imports it (docs/architecture.md)
if TYPE_CHECKING:
    from typing import Any


class Position(Record, order=True):
    row: int  # 1-based
    column: int  # 1-based, in characters as ruff counts them

    def to_dict(self) -> dict[str, int]:
        return {"row": self.row, "column": self.column}


def position_at(starts: list[int], offset: int) -> Position:
    """The row and column of a character offset, with the row starts of its text
    (`wdlint.frontends.text.line_starts`)."""
    row = bisect.bisect_right(starts, offset)
    return Position(row, offset - starts[row - 1] + 1)


class Span(Record):
    """Where a thing is in its file: from `start` to `end` (exclusive)."""

    start: Position
    end: Position

    @classmethod
    def at_offsets(cls, starts: list[int], start: int, end: int) -> Span:
        """The span between two character offsets of a text whose rows start at `starts`, its
        positions found when first read. A YAML config's reader gives each of its nodes a span,
        and a run reads those of a few (the optimizer's): placing them all took a quarter of
        the time spent reading the framework tree's configs (173k nodes)."""
        span = object.__new__(cls)
        span.__dict__["_offsets"] = (starts, start, end)  # past the frozen record's __setattr__
        return span

    if not TYPE_CHECKING:  # to the type checker, a span has its two fields and nothing else

        def __getattr__(self, name):
            # reached only for what the instance lacks: the positions of an `at_offsets` span
            fields = self.__dict__
            if name in ("start", "end"):
                offsets = fields.get("_offsets")
                if offsets is not None:
                    starts, start, end = offsets
                    # both placed before the offsets go: a reader never finds neither
                    fields["start"], fields["end"] = position_at(starts, start), position_at(starts, end)
                    fields.pop("_offsets", None)
                if name in fields:
                    return fields[name]
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __getstate__(self) -> dict[str, Position]:
        """Pickled and copied with its positions, not the text's row starts."""
        return {"start": self.start, "end": self.end}


class Applicability(Enum):
    SAFE = "safe"  # behaviour unchanged
    UNSAFE = "unsafe"  # changes training; applied only with --unsafe-fixes


class Edit(Record):
    content: str
    location: Position
    end_location: Position

    def to_dict(self) -> dict[str, Any]:
        return {
            "content": self.content,
            "location": self.location.to_dict(),
            "end_location": self.end_location.to_dict(),
        }


class Fix(Record):
    applicability: Applicability
    message: str
    edits: tuple[Edit, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "applicability": self.applicability.value,
            "message": self.message,
            "edits": [edit.to_dict() for edit in self.edits],
        }


class Diagnostic(Record):
    code: str
    name: str
    message: str
    filename: str
    location: Position
    end_location: Position
    # the line whose noqa comment suppresses this diagnostic (a multi-line call's first line)
    noqa_row: int | None = None
    fix: Fix | None = None
    cell: int | None = None
    url: str | None = field(default=None, compare=False)

    @property
    def sort_key(self) -> tuple[str, int, int, int, int, str]:
        return (
            self.filename,
            self.cell or 0,
            self.location.row,
            self.location.column,
            self.end_location.row,
            self.code,
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Diagnostic:
        """The inverse of `to_dict`, for results read back from the cache."""
        fix = data["fix"]
        return cls(
            code=data["code"],
            name=data["name"],
            message=data["message"],
            filename=data["filename"],
            location=Position(**data["location"]),
            end_location=Position(**data["end_location"]),
            noqa_row=data["noqa_row"],
            fix=None if fix is None else Fix(
                Applicability(fix["applicability"]),
                fix["message"],
                tuple(
                    Edit(e["content"], Position(**e["location"]), Position(**e["end_location"])) for e in fix["edits"]
                ),
            ),
            cell=data["cell"],
            url=data["url"],
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "message": self.message,
            "filename": self.filename,
            "location": self.location.to_dict(),
            "end_location": self.end_location.to_dict(),
            "fix": self.fix.to_dict() if self.fix else None,
            "noqa_row": self.noqa_row,
            "cell": self.cell,
            "url": self.url,
        }


def applicable(fix: Fix | None, unsafe: bool) -> bool:
    """Whether `--fix` applies this fix: a safe one always, an unsafe one with `--unsafe-fixes`."""
    return fix is not None and (unsafe or fix.applicability is Applicability.SAFE)
