"""What a lint run passes around: options, file jobs and results, small and picklable."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property
from pathlib import Path

from wdlint.diagnostics import Diagnostic
from wdlint.records import Record
from wdlint.selection import enabled_codes

# Parsing costs CPython's `ast` about 200 bytes of memory per byte of dense source (a 20 MB
# generated file: 4.3 GB and 19 s): larger files are reported, not parsed. Hand-written code
# is far below this; `max-file-size` raises it.
DEFAULT_MAX_FILE_SIZE = 4 * 1024 * 1024


class LintOptions(Record):
    """Everything a worker needs to lint one file; small and picklable. The selection stays as
    written until a file needs the rules' codes: a run whose files are all cached, or all
    screened out by the prefilter, loads no rule."""

    select: tuple[str, ...] | None = None  # None: the default-on rules
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    target_torch_version: tuple[int, int] | None = None
    max_file_size: int = DEFAULT_MAX_FILE_SIZE  # bytes of text to parse; 0: no limit
    # write each fix's edits out (laid out with libcst): for runs that show or apply them
    # (`--fix`, `--diff`, JSON and SARIF output, the API); a run that only says a fix exists
    # (`[*]`) leaves them out, and so never imports libcst
    fix_edits: bool = True

    @classmethod
    def from_selection(
        cls,
        select: Iterable[str] | None = None,
        extend_select: Iterable[str] = (),
        ignore: Iterable[str] = (),
        target_torch_version: tuple[int, int] | None = None,
        max_file_size: int = DEFAULT_MAX_FILE_SIZE,
        fix_edits: bool = True,
    ) -> LintOptions:
        chosen = None if select is None else tuple(select)
        return cls(chosen, tuple(extend_select), tuple(ignore), target_torch_version, max_file_size, fix_edits)

    @cached_property
    def codes(self) -> frozenset[str]:
        """The codes of the rules that run."""
        return enabled_codes(self.select, self.extend_select, self.ignore)


class FileJob(Record):
    path: Path  # where to read it
    display: str  # how diagnostics name it
    ignore: tuple[str, ...] = ()  # selectors ignored for this file (per-file-ignores)
    data: bytes | None = None  # the content, once read
    mtime_ns: int | None = None  # the file's modification time seen just before `data` was read


class FileResult(Record):
    display: str
    diagnostics: tuple[Diagnostic, ...]
    source: str | None  # the text, kept only when there are diagnostics to show
    fixed: tuple[Diagnostic, ...] = ()  # what `--fix` resolved
    diff: str = ""  # what `--fix` changed (or, with `--diff`, would change)
    # for the result cache: the content's size and checksum, and the other files it read
    size: int = 0
    checksum: int | None = None
    mtime_ns: int | None = None  # as seen before the content was read: a later change is a miss
    dependencies: tuple[tuple[str, int, int], ...] = ()


class FixRequest(Record):
    unsafe: bool = False  # apply unsafe fixes too
    write: bool = True  # False for `--diff`: compute the change, leave the file alone
