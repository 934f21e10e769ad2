"""Check that wdlint never crashes and never corrupts a file on real trees: every rule over
whole third-party packages, then every fix, safe and unsafe, on a copy.

    python bench/corpus_check.py [NAME ...] [--keep]

NAMEs are PyPI packages fetched by bench/corpora.py, or `torch`: the installed torch package's
own source, found with `importlib.util.find_spec` (torch is never imported). The default is
bench/corpora.py's four and `torch`. Each tree's files with a suffix wdlint lints (and its
.gitignore files) are copied to a temporary directory (`--keep` keeps it), every second file
with mode 0755 so that a fix that loses the mode shows. There, this checkout's wdlint
(`python -m wdlint check --isolated --no-cache --select ALL`) lints the copy, fixes it with
`--fix --unsafe-fixes`, and fixes it again. One row per tree:

- files: what wdlint's own discovery (`wdlint.engine.discover`, in a subprocess) would lint;
- findings, WD001: from the lint run's JSON;
- crashes: over the three runs, exit statuses other than 0 and 1, stderr holding a "Traceback",
  and "internal error" diagnostics (the runner's report of a rule that raised on one file);
- fixed: files the fix run changed;
- unparsable: fixed .py/.pyi files `ast.parse` rejects; fixed notebooks that are not JSON, or
  with a changed code cell that parsed before and does not now (IPython syntax masked);
- damaged: fixed files whose mode changed or that gained a line ending they did not use,
  notebooks changed outside a code cell's source, config files changed at all, files created
  or removed (a leftover temporary file);
- refixed: files the second fix run changed.

crashes, unparsable, damaged and refixed must be 0: otherwise each offending file or run is
listed under the table and the exit status is 1.
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from corpora import DEFAULT, corpus

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # this checkout's wdlint, for its file suffixes and notebook masking

from wdlint.config import DEFAULT_INCLUDE  # noqa: E402
from wdlint.frontends.notebook import kernel_source  # noqa: E402

# this checkout's wdlint, whatever is installed
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
SUFFIXES = frozenset(pattern.removeprefix("*") for pattern in DEFAULT_INCLUDE)
FIXABLE = frozenset({".py", ".pyi", ".ipynb"})  # config files get findings, never fixes
WDLINT = (sys.executable, "-m", "wdlint", "check", "--isolated", "--no-cache", "--select", "ALL", "--output-format", "json")
# The same discovery as `wdlint check --isolated .`, so "files" counts what a run looks at.
COUNT_FILES = (
    "from pathlib import Path; from wdlint.config import resolve_settings; "
    "from wdlint.engine.discover import discover; "
    "s = resolve_settings([Path('.')], None, True, Path.cwd()); "
    "print(len(discover([Path('.')], s, include=s.included).files))"
)
COLUMNS = ("files", "findings", "WD001", "crashes", "fixed", "unparsable", "damaged", "refixed")
MUST_BE_ZERO = ("crashes", "unparsable", "damaged", "refixed")

Snapshot = dict[str, tuple[bytes, int]]  # relative path -> (content, st_mode)


@dataclass
class Row:
    name: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COLUMNS, 0))
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def flag(self, column: str, what: str) -> None:
        self.counts[column] += 1
        self.problems.append(f"{self.name}: {column}: {what}")


def source_tree(name: str) -> Path:
    if name != "torch":
        return corpus(name)
    spec = importlib.util.find_spec("torch")  # finds the package without running its __init__
    if spec is None or not spec.submodule_search_locations:
        sys.exit("torch is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


def copy_sources(source: Path, target: Path) -> None:
    """Only what wdlint reads: torch's directory also holds hundreds of MiB of libraries and headers."""

    def skipped(directory: str, names: list[str]) -> set[str]:
        def wanted(name: str) -> bool:
            if os.path.isdir(os.path.join(directory, name)):
                return name != "__pycache__"
            return name == ".gitignore" or Path(name).suffix.lower() in SUFFIXES

        return {name for name in names if not wanted(name)}

    shutil.copytree(source, target, ignore=skipped)
    for index, path in enumerate(sorted(p for p in target.rglob("*") if p.is_file())):
        if index % 2:
            path.chmod(0o755)


def snapshot(root: Path) -> Snapshot:
    files = (p for p in root.rglob("*") if p.is_file())
    return {p.relative_to(root).as_posix(): (p.read_bytes(), p.stat().st_mode) for p in files}


def wdlint(row: Row, tree: Path, label: str, *extra: str) -> list[dict[str, object]]:
    """One run's diagnostics, with whatever shows it crashed counted in `row`."""
    done = subprocess.run([*WDLINT, *extra, "."], capture_output=True, text=True, check=False, cwd=tree, env=ENV)
    if done.returncode not in (0, 1):
        row.flag("crashes", f"{label} exited {done.returncode}: {done.stderr.strip()[-2000:]}")
    if "Traceback" in done.stderr:
        row.flag("crashes", f"{label} printed a traceback: {done.stderr.strip()[-2000:]}")
    try:
        diagnostics: list[dict[str, object]] = json.loads(done.stdout)
    except ValueError:
        return []  # nothing to count: the exit status or the traceback above says why
    for d in diagnostics:
        if "internal error" in str(d["message"]):
            row.flag("crashes", f"{label}: {d['filename']}: {d['message']}")
    return diagnostics


def parses(text: str | bytes) -> bool:
    with warnings.catch_warnings():  # invalid escapes and the like: still valid syntax
        warnings.simplefilter("ignore")
        try:
            ast.parse(text)
        except (SyntaxError, ValueError):  # ValueError: null bytes
            return False
    return True


def cell_parses(source: str) -> bool:
    # the kernel's view of the cell, as wdlint lints it: IPython syntax masked, a leading
    # indentation removed, and a cell magic that runs another language (`%%bash`) is no Python
    # to break
    runs = kernel_source(source)
    return runs is None or parses(runs)


def code_sources(notebook: dict[str, object]) -> list[str]:
    cells = notebook.get("cells")
    return [
        "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
        for c in (cells if isinstance(cells, list) else [])
        if isinstance(c, dict) and c.get("cell_type") == "code"
    ]


def without_sources(notebook: dict[str, object]) -> object:
    """The notebook with every code cell's source blanked: what a fix must leave alone."""
    cells = notebook.get("cells")
    blanked = [
        {**c, "source": None} if isinstance(c, dict) and c.get("cell_type") == "code" else c
        for c in (cells if isinstance(cells, list) else [])
    ]
    return {**notebook, "cells": blanked}


def line_endings(data: bytes) -> set[bytes]:
    crlf = data.count(b"\r\n")
    counts = {b"\r\n": crlf, b"\r": data.count(b"\r") - crlf, b"\n": data.count(b"\n") - crlf}
    return {ending for ending, count in counts.items() if count}


def check_fixed(row: Row, before: Snapshot, after: Snapshot) -> None:
    for path in sorted(before.keys() ^ after.keys()):
        row.flag("damaged", f"{path}: {'created' if path in after else 'removed'} by the fix")
    for path in sorted(before.keys() & after.keys()):
        (old, old_mode), (new, new_mode) = before[path], after[path]
        if old == new:
            continue
        row.counts["fixed"] += 1
        suffix = Path(path).suffix.lower()
        if suffix not in FIXABLE:
            row.flag("damaged", f"{path}: a config file changed")
        if new_mode != old_mode:
            row.flag("damaged", f"{path}: mode {old_mode:o} -> {new_mode:o}")
        if gained := line_endings(new) - line_endings(old):
            row.flag("damaged", f"{path}: gained line endings {sorted(gained)}")
        if suffix in (".py", ".pyi") and not parses(new):
            row.flag("unparsable", path)
        elif suffix == ".ipynb":
            check_notebook(row, path, old, new)


def check_notebook(row: Row, path: str, old: bytes, new: bytes) -> None:
    try:
        fixed = json.loads(new)
    except ValueError as error:
        row.flag("unparsable", f"{path}: not JSON any more: {error}")
        return
    original = json.loads(old)
    if without_sources(fixed) != without_sources(original):
        row.flag("damaged", f"{path}: changed outside the code cells' source")
        return
    for number, (was, now) in enumerate(zip(code_sources(original), code_sources(fixed)), 1):
        if was != now and cell_parses(was) and not cell_parses(now):
            row.flag("unparsable", f"{path}: code cell {number}")


def check(name: str, scratch: Path) -> Row:
    row, start = Row(name), time.perf_counter()
    tree, source = scratch / name, source_tree(name)
    # torch's directory is the package itself: copied under its name, as a wheel unpacks, or its
    # random.py and types.py would shadow the standard library for `python -m` run in the tree
    copy_sources(source, tree / source.name if name == "torch" else tree)
    count = subprocess.run(
        [sys.executable, "-c", COUNT_FILES], capture_output=True, text=True, check=False, cwd=tree, env=ENV
    )
    if count.returncode:
        row.flag("crashes", f"discovery: {count.stderr.strip()[-2000:]}")
    row.counts["files"] = int(count.stdout or 0)
    diagnostics = wdlint(row, tree, "lint")
    row.counts["findings"] = len(diagnostics)
    row.counts["WD001"] = sum(d["code"] == "WD001" for d in diagnostics)
    before = snapshot(tree)
    wdlint(row, tree, "fix", "--fix", "--unsafe-fixes")
    fixed = snapshot(tree)
    check_fixed(row, before, fixed)
    wdlint(row, tree, "second fix", "--fix", "--unsafe-fixes")
    refixed = snapshot(tree)
    for path in sorted(fixed.keys() | refixed.keys()):
        if fixed.get(path, (None, 0))[0] != refixed.get(path, (None, 0))[0]:
            row.flag("refixed", path)
    row.seconds = time.perf_counter() - start
    return row


def table(rows: Sequence[Row]) -> Iterable[str]:
    total = Row("total", {c: sum(r.counts[c] for r in rows) for c in COLUMNS}, seconds=sum(r.seconds for r in rows))
    yield "| corpus | " + " | ".join(COLUMNS) + " | s |"
    yield "|---|" + "---:|" * (len(COLUMNS) + 1)
    for row in (*rows, total):
        yield f"| {row.name} | " + " | ".join(str(row.counts[c]) for c in COLUMNS) + f" | {row.seconds:.1f} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", default=[*DEFAULT, "torch"])
    parser.add_argument("--keep", action="store_true", help="keep the fixed copies for inspection")
    args = parser.parse_args()
    start = time.perf_counter()
    scratch = Path(tempfile.mkdtemp(prefix="wdlint-corpus-check-"))
    try:
        rows = [check(name, scratch) for name in args.names]
    finally:
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)
    print("\n".join(table(rows)))
    kept = f"; copies kept in {scratch}" if args.keep else ""
    print(f"\nwall time: {time.perf_counter() - start:.1f} s{kept}")
    for problem in (p for row in rows for p in row.problems):
        print(f"- {problem}")
    sys.exit(1 if any(row.counts[c] for row in rows for c in MUST_BE_ZERO) else 0)


if __name__ == "__main__":
    main()
