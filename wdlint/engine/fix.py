"""Applying fixes: edits to text in passes, a parse check, and atomic writes.

Fixes whose edits overlap are applied in successive passes (each pass re-lints the new text),
so every fix lands or is dropped for a reason, and a second run has nothing left to fix.
"""

from __future__ import annotations

import ast
import codecs
import difflib
import errno
import os
import stat
import tempfile
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from wdlint.diagnostics import Diagnostic, Position, applicable
from wdlint.frontends.python import decode_source, source_encoding
from wdlint.frontends.text import SourceError, line_starts

_MAX_PASSES = 10


@dataclass
class FixOutcome:
    text: str
    fixed: list[Diagnostic] = field(default_factory=list)  # what the applied fixes resolved
    remaining: list[Diagnostic] = field(default_factory=list)  # after the last pass


# One pass's edits to a text: the new text and the diagnostics whose fixes it holds (none
# when nothing could be applied without breaking the syntax)
Applier = Callable[[str, list[Diagnostic]], tuple[str, list[Diagnostic]]]


def fix_text(
    text: str,
    lint: Callable[[str], list[Diagnostic]],
    unsafe: bool,
    first: Sequence[Diagnostic] | None = None,
    apply: Applier | None = None,
) -> FixOutcome:
    """Lint, apply what can be applied, lint again, until nothing more applies; `first` is the
    text's diagnostics when the caller has them already. `apply` makes one pass's edits
    (default: Python source, all or nothing)."""
    outcome = FixOutcome(text)
    diagnostics = list(first) if first is not None else lint(text)
    for _ in range(_MAX_PASSES):
        fixable = [d for d in diagnostics if applicable(d.fix, unsafe)]
        if not fixable:
            break
        new_text, applied = (apply or _apply_to_python)(outcome.text, fixable)
        if not applied:
            break
        outcome.text = new_text
        outcome.fixed += applied
        diagnostics = lint(new_text)
    outcome.remaining = diagnostics
    return outcome


def _apply_to_python(text: str, fixable: list[Diagnostic]) -> tuple[str, list[Diagnostic]]:
    new_text, applied = apply_fixes(text, fixable)
    # all of a pass or none: a text that would not parse is never written
    return (new_text, applied) if applied and python_parses(new_text) else (text, [])


def apply_fixes(text: str, diagnostics: Sequence[Diagnostic]) -> tuple[str, list[Diagnostic]]:
    """Apply every fix whose edits overlap no fix applied before it; the rest wait a pass.

    Fixes may share an identical edit (every use of a removed import deletes the same import):
    such an edit is applied once, and only when every fix that carries it is applied, so a use
    left for a later pass never loses its import.
    """
    offsets = line_starts(text)
    fixes = [
        (d, [(_offset(offsets, e.location, len(text)), _offset(offsets, e.end_location, len(text)), e.content) for e in d.fix.edits])
        for d in sorted(diagnostics, key=lambda d: d.sort_key)
        if d.fix is not None
    ]
    excluded: set[int] = set()
    while True:
        chosen = _choose(fixes, excluded)
        deferred_edits = {e for i, (_, edits) in enumerate(fixes) if i not in chosen for e in edits}
        shared = {i for i in chosen if any(e in deferred_edits for e in fixes[i][1])}
        if not shared:
            break
        excluded |= shared
    unique = {e for i in chosen for e in fixes[i][1]}
    for start, end, content in sorted(unique, key=lambda e: (e[0], e[1]), reverse=True):
        text = text[:start] + content + text[end:]
    return text, [fixes[i][0] for i in sorted(chosen)]


def _choose(fixes: list[tuple[Diagnostic, list[tuple[int, int, str]]]], excluded: set[int]) -> set[int]:
    taken: list[tuple[int, int, str]] = []
    chosen: set[int] = set()
    for i, (_, edits) in enumerate(fixes):
        if i in excluded or any(start > end for start, end, _ in edits):
            continue
        if any(e not in taken and _overlaps(e, taken) for e in edits):
            continue
        taken += [e for e in edits if e not in taken]
        chosen.add(i)
    return chosen


def _overlaps(edit: tuple[int, int, str], taken: list[tuple[int, int, str]]) -> bool:
    start, end, _ = edit
    for other_start, other_end, _ in taken:
        if start == end == other_start == other_end:
            return True  # two insertions at one point: their order would be arbitrary
        if start < other_end and other_start < end:
            return True
        if start == end and other_start < start < other_end:
            return True
        if other_start == other_end and start < other_start < end:
            return True
    return False


def _offset(offsets: list[int], position: Position, length: int) -> int:
    """A 1-based (row, column in characters) position as an index into the text; a position
    past the last line (the end of a text without a final line break) is the text's end."""
    if position.row > len(offsets):
        return length
    return offsets[max(position.row, 1) - 1] + position.column - 1


def python_parses(text: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


@dataclass(frozen=True)
class FixedFile:
    display: str
    fixed: tuple[Diagnostic, ...]  # what the fixes resolved
    remaining: tuple[Diagnostic, ...]
    diff: str  # unified diff of the change ("" when nothing changed)
    source: str | None  # the new text, when diagnostics remain to be shown


# What applies one format's fixes to a file (`Format.fixer`): (path, content the check linted,
# display name, lint of a text, unsafe fixes too, write the file, the check's diagnostics,
# the content's modification time) -> the fixed file, or None when it cannot be decoded
FileFixer = Callable[
    [Path, bytes, str, Callable[[str], list[Diagnostic]], bool, bool, Sequence[Diagnostic] | None, int | None],
    FixedFile | None,
]


def fix_python_file(
    path: Path,
    data: bytes,
    display: str,
    lint: Callable[[str], list[Diagnostic]],
    unsafe: bool,
    write: bool,
    first: Sequence[Diagnostic] | None = None,
    mtime_ns: int | None = None,
) -> FixedFile | None:
    """Fix one Python file from `data`, the content its check linted (read at `mtime_ns`);
    None when it cannot be decoded (the check reports why)."""
    try:
        encoding = source_encoding(data)
        original = decode_source(data)
    except SourceError:
        return None
    outcome = fix_text(original, lint, unsafe, first)
    return _finish(path, display, original, outcome, encoding if write else None, mtime_ns)


def unified_diff(original: str, fixed: str, display: str) -> str:
    """A diff `patch` accepts: a last line without a line break is marked as such."""
    lines = []
    for line in difflib.unified_diff(original.splitlines(keepends=True), fixed.splitlines(keepends=True), display, display):
        lines.append(line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n")
    return "".join(lines)


def _finish(
    path: Path, display: str, original: str, outcome: FixOutcome, encoding: str | None, mtime_ns: int | None
) -> FixedFile:
    """The diff of a fixed file, written back in `encoding` unless that is None (`--diff`)."""
    diff = unified_diff(original, outcome.text, display)
    if diff and encoding is not None:
        write_atomically(path, outcome.text.encode(encoding), mtime_ns)
    source = outcome.text if outcome.remaining else None
    return FixedFile(display, tuple(outcome.fixed), tuple(outcome.remaining), diff, source)


def fix_notebook_file(
    path: Path,
    data: bytes,
    display: str,
    lint: Callable[[str], list[Diagnostic]],
    unsafe: bool,
    write: bool,
    first: Sequence[Diagnostic] | None = None,
    mtime_ns: int | None = None,
) -> FixedFile | None:
    """Fix a notebook's code cells; every byte of the JSON outside the changed cells is kept.

    `lint` reports diagnostics placed in their cells, with their fixes in the cell's positions.
    """
    try:
        original = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    encoding = "utf-8-sig" if data.startswith(codecs.BOM_UTF8) else "utf-8"  # keep a BOM
    outcome = fix_text(original, lint, unsafe, first, apply_to_cells)
    return _finish(path, display, original, outcome, encoding if write else None, mtime_ns)


def apply_to_cells(text: str, fixable: list[Diagnostic]) -> tuple[str, list[Diagnostic]]:
    """One pass over a notebook's JSON text (an `Applier`): each cell's fixes in its own
    source; a cell whose fixed code would not parse keeps its own."""
    from wdlint.frontends.notebook import cell_sources, kernel_source, replace_cell_sources

    by_cell: dict[int, list[Diagnostic]] = {}
    for d in fixable:
        if d.cell is not None:
            by_cell.setdefault(d.cell, []).append(d)
    sources = cell_sources(text)
    changed: dict[int, str] = {}
    done: list[Diagnostic] = []
    for cell, found in by_cell.items():
        new, applied = apply_fixes(sources[cell], found)
        runs = kernel_source(new)
        if applied and runs is not None and python_parses(runs):
            changed[cell] = new
            done += applied
    return (replace_cell_sources(text, changed), done) if changed else (text, [])


def write_atomically(path: Path, data: bytes, unchanged_since: int | None = None) -> None:
    """Replace `path`'s content in one rename, keeping its permission bits (through a
    symlink, the file it points to is replaced, not the link). With `unchanged_since` (the
    modification time of the content the new one was made from), a file changed since then
    (an editor, another run's `--fix`) is left alone: OSError."""
    path = path.resolve()
    status = path.stat()
    if unchanged_since is not None and status.st_mtime_ns != unchanged_since:
        raise OSError(errno.EAGAIN, "the file changed while it was being fixed", str(path))
    mode = stat.S_IMODE(status.st_mode)
    if not os.access(path, os.W_OK):  # a rename would replace it all the same
        raise PermissionError(errno.EACCES, "the file is read-only", str(path))
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".wdlint-tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())  # the new content is on disk before the name points to it
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise
