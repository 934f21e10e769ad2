"""Check that wdlint never crashes and never corrupts a file on real trees: every rule over
whole third-party packages, then every fix, safe and unsafe, on a copy.

    python bench/corpus_check.py [NAME ...] [--keep] [--ecosystem-cache DIR]

NAMEs are PyPI packages fetched by bench/corpora.py, `torch` (the installed torch package's
own source, found with `importlib.util.find_spec`; torch is never imported), `fixtures` (this
checkout's), `snippets` (every Python string of this checkout's tests that names an optimizer,
as bench/compare_revisions.py writes them), or `ecosystem` (each project of
bench/ecosystem/projects.toml found in the ecosystem cache, its `paths` only, a row each;
`ecosystem:NAME` for one). The default is bench/corpora.py's four and `torch`. Each tree's
files with a suffix wdlint lints (and its .gitignore and pyproject.toml files, for the line
length) are copied to a temporary directory (`--keep` keeps it), every second file with mode
0755 so that a fix that loses the mode shows. There, this checkout's wdlint
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
- refixed: files the second fix run changed;
- fixes: findings the lint run offered a fix for (safe or unsafe);
- too long: lines a fix wrote that are longer than the file's line length (`line-length` of
  `[tool.ruff]`/`[tool.black]` found upward, else 88; a tool's comment such as `# noqa` at the
  end left out, as ruff's E501 does) where the lines they replaced were not (for notebooks,
  the lines of each code cell);
- relaid, reformatted: with `ruff` on the PATH ("-" without), the statements a fix laid out
  again (its lines broken otherwise than the lines it replaced), and those of them that
  `ruff format` (that line length, quotes kept), given the statement alone, writes otherwise:
  how far the fixes' layout is the formatter's. (Most research code is not formatted, so a
  whole file's formatting would say nothing of the fix's lines.)

crashes, unparsable, damaged, refixed and too long must be 0: otherwise each offending file or
run is listed under the table and the exit status is 1.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from corpora import DEFAULT, corpus

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # this checkout's wdlint, for its file suffixes and notebook masking

from wdlint.config import DEFAULT_INCLUDE  # noqa: E402
from wdlint.fixes.layout import line_width  # noqa: E402
from wdlint.fixes.style import line_length_for  # noqa: E402
from wdlint.frontends.notebook import kernel_source  # noqa: E402
from wdlint.frontends.python import decode_source  # noqa: E402

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
COLUMNS = (
    "files", "findings", "WD001", "crashes", "fixed", "unparsable", "damaged", "refixed", "fixes", "too long",
    "relaid", "reformatted",
)
MUST_BE_ZERO = ("crashes", "unparsable", "damaged", "refixed", "too long")
RUFF = shutil.which("ruff")

Snapshot = dict[str, tuple[bytes, int]]  # relative path -> (content, st_mode)


@dataclass
class Row:
    name: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COLUMNS, 0))
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0
    fixable: Counter[str] = field(default_factory=Counter)  # findings with a fix, by code
    notes: list[str] = field(default_factory=list)  # what is counted but need not be zero

    def flag(self, column: str, what: str) -> None:
        self.counts[column] += 1
        self.problems.append(f"{self.name}: {column}: {what}")


def source_tree(name: str, ecosystem_cache: Path | None = None) -> tuple[Path, tuple[str, ...]]:
    """Where the tree is, and the paths in it to lint (() for all of it)."""
    if name == "fixtures":
        return REPO / "fixtures", ()
    if name.startswith("ecosystem:"):
        import ecosystem  # bench/'s, with its list of projects and their cache

        cache = ecosystem_cache or ecosystem.default_cache()
        wanted = name.partition(":")[2]
        project = next((p for p in ecosystem.load_projects() if p.name == wanted), None)
        if project is None or not project.tree(cache).is_dir():
            sys.exit(f"{wanted}: no such project in {cache} (bench/ecosystem.py fetches them)")
        return project.tree(cache), project.paths
    if name != "torch":
        return corpus(name), ()
    spec = importlib.util.find_spec("torch")  # finds the package without running its __init__
    if spec is None or not spec.submodule_search_locations:
        sys.exit("torch is not installed")
    return Path(next(iter(spec.submodule_search_locations))), ()


def expand(names: Sequence[str], ecosystem_cache: Path | None) -> list[str]:
    """`ecosystem` as one `ecosystem:NAME` per project in the cache."""
    expanded: list[str] = []
    for name in names:
        if name != "ecosystem":
            expanded.append(name)
            continue
        import ecosystem

        cache = ecosystem_cache or ecosystem.default_cache()
        expanded += [f"ecosystem:{p.name}" for p in ecosystem.load_projects() if p.tree(cache).is_dir()]
    return expanded


def copy_sources(source: Path, target: Path) -> None:
    """Only what wdlint reads: torch's directory also holds hundreds of MiB of libraries and headers."""

    def skipped(directory: str, names: list[str]) -> set[str]:
        def wanted(name: str) -> bool:
            if os.path.isdir(os.path.join(directory, name)):
                return name != "__pycache__"
            return name in (".gitignore", "pyproject.toml") or Path(name).suffix.lower() in SUFFIXES

        return {name for name in names if not wanted(name)}

    shutil.copytree(source, target, ignore=skipped)
    for index, path in enumerate(sorted(p for p in target.rglob("*") if p.is_file())):
        if index % 2:
            path.chmod(0o755)


def snapshot(root: Path) -> Snapshot:
    files = (p for p in root.rglob("*") if p.is_file())
    return {p.relative_to(root).as_posix(): (p.read_bytes(), p.stat().st_mode) for p in files}


def wdlint(row: Row, tree: Path, label: str, *extra: str, paths: Sequence[str] = ()) -> list[dict[str, object]]:
    """One run's diagnostics, with whatever shows it crashed counted in `row`."""
    command = [*WDLINT, *extra, *(paths or ["."])]
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=tree, env=ENV)
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


def written_too_long(old: str, new: str, limit: int) -> list[int]:
    """Rows of `new` (from 1) that a fix wrote longer than `limit`, in the changed stretches
    whose old lines all kept to it."""
    a, b = lines_of(old), lines_of(new)
    rows = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal" or any(line_width(line) > limit for line in a[i1:i2]):
            continue
        rows += [j + 1 for j in range(j1, j2) if line_width(b[j]) > limit]
    return rows


_COMPOUND = (
    ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.If, ast.For, ast.AsyncFor, ast.While,
    ast.With, ast.AsyncWith, ast.Try, ast.Match,
)


def relaid_statements(old: str, new: str) -> list[tuple[str, str]]:
    """(indentation, text) of each simple statement of `new` that holds lines a fix wrote in a
    number of lines other than it replaced: a statement the fix laid out again."""
    a, b = lines_of(old), lines_of(new)
    rows: set[int] = set()
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag != "equal" and i2 - i1 != j2 - j1:
            rows.update(range(j1 + 1, j2 + 1))
    if not rows:
        return []
    try:
        tree = ast.parse(new)
    except (SyntaxError, ValueError):
        return []
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.stmt) or isinstance(node, _COMPOUND) or node.end_lineno is None:
            continue
        if rows.isdisjoint(range(node.lineno, node.end_lineno + 1)):
            continue
        first, last = b[node.lineno - 1], b[node.end_lineno - 1]
        indent = first[: len(first) - len(first.lstrip())]
        after = last.encode()[node.end_col_offset :].decode(errors="replace").strip()
        if len(indent) == node.col_offset and (not after or after.startswith("#")):  # lines of its own
            found.append((indent, "\n".join(b[node.lineno - 1 : node.end_lineno]) + "\n"))
    return found


def lines_of(text: str) -> list[str]:
    """Rows as Python counts them (`str.splitlines` also breaks at form feeds and the like)."""
    return re.split(r"\r\n|\r|\n", text.removesuffix("\n").removesuffix("\r"))


def ruff_format(text: str, limit: int, indent: int = 4) -> str | None:
    """Python `text` as `ruff format` writes it, with that line length and indentation, quotes kept."""
    assert RUFF is not None
    options = [f"indent-width={indent}", "format.quote-style='preserve'"]
    done = subprocess.run(
        [RUFF, "format", "--isolated", "--line-length", str(limit), *(f"--config={o}" for o in options), "-"],
        input=text, capture_output=True, text=True, check=False,
    )
    return done.stdout if done.returncode == 0 else None


def check_lengths(row: Row, tree: Path, path: str, old: bytes, new: bytes, formatter: bool = True) -> None:
    """Lines the fixes wrote: none longer than the line length unless what they replaced was;
    and (`formatter`) each statement a fix laid out again, as `ruff format` writes it alone."""
    limit = line_length_for(tree / path)
    if path.endswith(".ipynb"):
        cells = zip(code_sources(json.loads(old)), code_sources(json.loads(new)))
        pairs = [(was, now, f"#cell{n}") for n, (was, now) in enumerate(cells, 1) if was != now]
    else:
        pairs = [(decode_source(old), decode_source(new), "")]
    for was, now, where in pairs:
        lines = now.splitlines()
        for number in written_too_long(was, now, limit):
            row.flag("too long", f"{path}{where}:{number}: {line_width(lines[number - 1])} > {limit}: {lines[number - 1].strip()[:100]}")
        if RUFF is None or not formatter:
            continue
        for indent, statement in relaid_statements(was, now):
            row.counts["relaid"] += 1
            # alone at column 0, the width it had left: the same decisions as in place
            alone = "".join(line.removeprefix(indent) for line in statement.splitlines(keepends=True))
            step = len(lines_of(alone)[1]) - len(lines_of(alone)[1].lstrip()) if "\n" in alone.rstrip() else 4
            if ruff_format(alone, limit - len(indent), step or 4) != alone:
                row.counts["reformatted"] += 1
                row.notes.append(f"{row.name}: reformatted: {path}{where}:\n{statement}")


def check_fixed(row: Row, before: Snapshot, after: Snapshot, tree: Path | None = None, formatter: bool = True) -> None:
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
        if tree is not None and suffix in FIXABLE:
            check_lengths(row, tree, path, old, new, formatter)


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


def check(name: str, scratch: Path, ecosystem_cache: Path | None = None) -> Row:
    row, start = Row(name), time.perf_counter()
    tree = scratch / name.replace(":", "-")
    if name == "snippets":
        from compare_revisions import snippets

        source, paths = snippets(scratch / "snippets-source"), ()
    else:
        source, paths = source_tree(name, ecosystem_cache)
    # torch's directory is the package itself: copied under its name, as a wheel unpacks, or its
    # random.py and types.py would shadow the standard library for `python -m` run in the tree
    copy_sources(source, tree / source.name if name == "torch" else tree)
    count = subprocess.run(
        [sys.executable, "-c", COUNT_FILES], capture_output=True, text=True, check=False, cwd=tree, env=ENV
    )
    if count.returncode:
        row.flag("crashes", f"discovery: {count.stderr.strip()[-2000:]}")
    row.counts["files"] = int(count.stdout or 0)
    diagnostics = wdlint(row, tree, "lint", paths=paths)
    row.counts["findings"] = len(diagnostics)
    row.counts["WD001"] = sum(d["code"] == "WD001" for d in diagnostics)
    row.fixable.update(str(d["code"]) for d in diagnostics if d.get("fix"))
    row.counts["fixes"] = sum(row.fixable.values())
    before = snapshot(tree)
    wdlint(row, tree, "fix", "--fix", "--unsafe-fixes", paths=paths)
    fixed = snapshot(tree)
    check_fixed(row, before, fixed, tree)
    wdlint(row, tree, "second fix", "--fix", "--unsafe-fixes", paths=paths)
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
        cells = ["-" if c in ("relaid", "reformatted") and RUFF is None else str(row.counts[c]) for c in COLUMNS]
        yield f"| {row.name} | " + " | ".join(cells) + f" | {row.seconds:.1f} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", default=[*DEFAULT, "torch"])
    parser.add_argument("--keep", action="store_true", help="keep the fixed copies for inspection")
    parser.add_argument("--ecosystem-cache", type=Path, default=None, help="default: bench/ecosystem.py's")
    parser.add_argument("--notes", action="store_true", help="list the reformatted statements too")
    args = parser.parse_args()
    start = time.perf_counter()
    scratch = Path(tempfile.mkdtemp(prefix="wdlint-corpus-check-"))
    try:
        rows = [check(name, scratch, args.ecosystem_cache) for name in expand(args.names, args.ecosystem_cache)]
    finally:
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)
    print("\n".join(table(rows)))
    kept = f"; copies kept in {scratch}" if args.keep else ""
    print(f"\nwall time: {time.perf_counter() - start:.1f} s{kept}")
    for problem in (p for row in rows for p in row.problems):
        print(f"- {problem}")
    fixable = sum((row.fixable for row in rows), Counter())
    print("\nfindings with a fix, by rule: " + ", ".join(f"{code} {count}" for code, count in sorted(fixable.items())))
    if args.notes:
        for note in (n for row in rows for n in row.notes):
            print(f"- {note}")
    sys.exit(1 if any(row.counts[c] for row in rows for c in MUST_BE_ZERO) else 0)


if __name__ == "__main__":
    main()
