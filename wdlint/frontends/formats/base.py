"""A file format: which files it reads, how it decodes and parses them, where their optimizers
are, which comments suppress a finding, and how its findings are fixed (if they are).

`engine.lint` runs every format through the same steps; a format says only what differs. A
format's module must stay light: the runner asks every file's format for its prefilter, so
parsers and the analysis are imported inside `parse` and `Parsed.sites`, never at the top.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection, Iterable, Iterator
from pathlib import Path

from wdlint.diagnostics import Diagnostic
from wdlint.engine.prefilter import may_contain_optimizer
from wdlint.frontends.text import SourceError, decode_utf8
from wdlint.records import Record

TYPE_CHECKING = False  # `typing` is for type checkers: the hook never imports it (docs/architecture.md)

if TYPE_CHECKING:  # the analysis is imported once a file is parsed, not to pick its format
    from wdlint.analysis.facts import ModuleFacts
    from wdlint.analysis.sites import OptimizerSite
    from wdlint.engine.fix import FileFixer


class Sites(Record):
    """Optimizer sites found one way, and the module facts their fixes need (None: no fixes)."""

    sites: Iterable[OptimizerSite]
    module: ModuleFacts | None = None


class Parsed(ABC):
    """A file its format has parsed."""

    # the parts that could not be read (a notebook's cells); the rest is linted all the same
    errors: tuple[SourceError, ...] = ()

    @abstractmethod
    def sites(self, path: Path | None) -> Iterator[Sites]:
        """The optimizer sites; `path` is where the file lives, for what it imports (None:
        not on disk). RecursionError for code nested too deeply to walk."""

    def comments(self, rows: Collection[int]) -> Iterable[tuple[int, str]]:
        """(row, text) of the comments that may suppress a diagnostic on one of `rows`, in the
        rows of the diagnostics the sites give (before `place`): at least those on `rows`, and
        any that exempts the whole file."""
        return ()

    def place(self, diagnostic: Diagnostic) -> Diagnostic:
        """A diagnostic of the sites where the user sees it (a notebook: in its cell)."""
        return diagnostic


class Format(ABC):
    """One kind of file: instances are the registry's entries (`wdlint.frontends.formats`)."""

    name: str  # what the user calls it
    suffixes: tuple[str, ...]  # lower case, with the dot; the registry's default includes

    def may_configure_optimizer(self, data: bytes) -> bool:
        """The prefilter: False for a file that surely constructs no optimizer, never parsed."""
        return may_contain_optimizer(data)

    def unreadable(self, data: bytes) -> SourceError | None:
        """Why a file the prefilter passed over cannot be read as this format, or None: the
        prefilter's byte scan vouches only for text it can see."""
        return None

    def decode(self, data: bytes) -> str:
        """The text of a file; SourceError when it cannot be decoded."""
        return decode_utf8(data)

    def text_of_undecodable(self, data: bytes) -> str | None:
        """What the `full` output quotes for a file `decode` refused (None: nothing)."""
        return data.decode("utf-8-sig", errors="replace")

    @abstractmethod
    def parse(self, text: str, filename: str, max_size: int) -> Parsed:
        """SourceError for text that is not this format, or over `max_size` characters (0: no limit)."""

    def fixer(self) -> FileFixer | None:
        """What applies this format's fixes to a file; None: its findings are never fixed."""
        return None
