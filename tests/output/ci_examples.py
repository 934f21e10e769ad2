"""A few diagnostics that exercise what the CI formats must get right: escapes, a fix, a
parse error, a notebook cell, two identical findings in one file."""

from __future__ import annotations

from pathlib import Path

from wdlint.diagnostics import Applicability, Diagnostic, Edit, Fix, Position

ROOT = Path("/repo")

FIXED = Diagnostic(
    "WD201",
    "decay-on-bias-and-norm",
    "`m.parameters()` decays 100% of params, biases: too",
    "src/train.py",
    Position(2, 24),
    Position(2, 38),
    fix=Fix(
        Applicability.UNSAFE,
        "Split into param groups",
        (Edit("groups(m)", Position(2, 24), Position(2, 38)),),
    ),
    url="docs/rules/WD201.md",
)
PARSE_ERROR = Diagnostic(
    "WD001", "parse-error", "invalid syntax\nat the end", "src/a,b.py", Position(3, 1), Position(3, 1)
)
IN_CELL = Diagnostic(
    "WD101", "adam-coupled-decay", "Adam with L2", "nb.ipynb", Position(1, 7), Position(1, 17), cell=3
)
TWICE = [
    Diagnostic("WD501", "positional-hyperparameters", "by position", "src/train.py", Position(row, 5), Position(row, 9))
    for row in (7, 9)
]
ALL = sorted([FIXED, PARSE_ERROR, IN_CELL, *TWICE], key=lambda d: d.sort_key)
