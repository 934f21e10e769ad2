"""What the CI formats (SARIF, GitHub, GitLab, JUnit) share: a finding's level, the path they
report, and how a notebook finding is placed."""

from __future__ import annotations

from pathlib import Path

from wdlint.diagnostics import Diagnostic
from wdlint.selection import PARSE_ERROR


def is_error(diagnostic: Diagnostic) -> bool:
    """WD001 means the file was not checked at all, which is worse than a finding in it."""
    return diagnostic.code == PARSE_ERROR


def report_path(filename: str, root: Path) -> str:
    """The path relative to `root` (the run's directory) where it lies under it, with `/`.

    CI services resolve paths against the checkout, and wdlint is run from its top.
    """
    path = Path(filename)
    if path.is_absolute() and path.is_relative_to(root):
        path = path.relative_to(root)
    return path.as_posix()


def in_file_lines(diagnostic: Diagnostic) -> bool:
    """Whether the diagnostic's rows are lines of its file: a notebook's are lines of a cell."""
    return diagnostic.cell is None


def located_message(diagnostic: Diagnostic) -> str:
    """The message, led by the cell position when the format's line numbers cannot carry it."""
    if in_file_lines(diagnostic):
        return diagnostic.message
    start = diagnostic.location
    return f"cell {diagnostic.cell}:{start.row}:{start.column}: {diagnostic.message}"
