"""Check that a refactor changed no output: lint the same trees with two revisions of wdlint and
compare what each printed, byte for byte.

    python bench/compare_revisions.py [--base REV] [--head REV] [NAME ...]

`--base` (default `HEAD`) and `--head` (default: this working tree, uncommitted changes
included) are git revisions of this repository; each one that is not the working tree is
exported with `git archive` into a temporary directory, so nothing here is checked out or
changed. NAMEs are trees to lint: `fixtures` (this checkout's `fixtures/`, the same input for
both revisions), `snippets` (every string in this checkout's tests that parses as Python and
names an optimizer, one file each: the idioms the rule tests pin, linted whole), `torch` (the installed torch package's source, found with
`importlib.util.find_spec`, never imported), or PyPI packages unpacked by bench/corpora.py.
The default is every one of `DEFAULT_TREES`.

For each tree and each revision, from inside the tree:

- `wdlint check --isolated --no-cache --select ALL --output-format json .`: every finding;
- `wdlint check --isolated --no-cache --select ALL --diff --unsafe-fixes .`: every fix's text
  (`--diff` writes nothing).

The two revisions' stdout, stderr and exit status must be identical. One row per tree; any
difference is shown as a unified diff of the JSON (pretty-printed, so it reads) and the exit
status is 1.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import difflib
import importlib.util
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import textwrap
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from corpora import RUN_WDLINT, corpus

REPO = Path(__file__).resolve().parent.parent
WORKING_TREE = "WORKTREE"
# The bundled examples; the installed torch; the four corpora of bench/corpora.py; trees of
# config files (mmengine dict configs, YAML) that exercise the config front-ends; and training
# libraries whose optimizer code passes the prefilter.
DEFAULT_TREES = (
    "fixtures", "snippets", "torch", "transformers", "timm", "pytorch-lightning", "accelerate", "mmdet", "mmsegmentation",
    "mmpretrain", "ultralytics", "litgpt", "speechbrain", "peft", "trl", "open-clip-torch", "diffusers",
)
RUNS = {
    "json": ("check", "--isolated", "--no-cache", "--select", "ALL", "--output-format", "json", "."),
    "diff": ("check", "--isolated", "--no-cache", "--select", "ALL", "--diff", "--unsafe-fixes", "."),
}
SHOWN_LINES = 60  # of a difference's unified diff


@dataclass(frozen=True)
class Output:
    returncode: int
    stdout: str
    stderr: str
    seconds: float


def snippets(into: Path) -> Path:
    """The Python snippets of this checkout's tests, one file each, under `into`."""
    into.mkdir()
    count = 0
    for test in sorted((REPO / "tests").rglob("*.py")):
        for node in ast.walk(ast.parse(test.read_bytes())):
            if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
                continue
            text = textwrap.dedent(node.value)
            if "optim" not in text and "Adam" not in text:
                continue
            try:
                ast.parse(text)
            except (SyntaxError, ValueError):
                continue
            count += 1
            (into / f"{count:05d}_{test.stem}.py").write_text(text, encoding="utf-8")
    return into


def tree(name: str, scratch: Path) -> Path:
    if name == "fixtures":
        return REPO / "fixtures"
    if name == "snippets":
        return snippets(scratch / "snippets")
    if name == "torch":
        spec = importlib.util.find_spec("torch")
        if spec is None or spec.origin is None:
            sys.exit("torch is not installed: leave `torch` out of the trees")
        return Path(spec.origin).parent
    return corpus(name)


def export(revision: str, into: Path) -> Path:
    """This repository's `revision` as files under `into` (the working tree as it is)."""
    if revision == WORKING_TREE:
        return REPO
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", "--format=tar", revision], capture_output=True, check=True
    ).stdout
    target = into / revision.replace("/", "_")
    target.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(archive)) as files:
        files.extractall(target, filter="data")
    return target


def run(checkout: Path, where: Path, arguments: Sequence[str]) -> Output:
    env = {**os.environ, "PYTHONPATH": str(checkout)}  # this revision's wdlint, whatever is installed
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, *RUN_WDLINT, *arguments], cwd=where, env=env, capture_output=True, text=True, check=False
    )
    return Output(done.returncode, done.stdout, done.stderr, time.perf_counter() - started)


def readable(output: Output, kind: str) -> list[str]:
    """The lines to compare when showing a difference: pretty JSON, so a changed field shows."""
    text = output.stdout
    if kind == "json":
        with contextlib.suppress(ValueError):
            text = json.dumps(json.loads(text), indent=1, sort_keys=True)
    return [f"exit {output.returncode}", *text.splitlines(), *output.stderr.splitlines()]


def findings(output: Output) -> int:
    try:
        return len(json.loads(output.stdout))
    except ValueError:
        return -1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", default=list(DEFAULT_TREES))
    parser.add_argument("--base", default="HEAD", help="the revision before (default: HEAD)")
    parser.add_argument("--head", default=WORKING_TREE, help="the revision after (default: this working tree)")
    args = parser.parse_args()
    different = 0
    with tempfile.TemporaryDirectory() as scratch:
        trees = {name: tree(name, Path(scratch)) for name in args.names}
        base, head = (export(revision, Path(scratch)) for revision in (args.base, args.head))
        print(f"base {args.base} ({base}), head {args.head} ({head})")
        print("| tree | findings | diff lines | identical | base s | head s |")
        print("|---|---:|---:|---|---:|---:|")
        for name, where in trees.items():
            same = True
            seconds = [0.0, 0.0]
            counts: dict[str, int] = {}
            for kind, arguments in RUNS.items():
                before, after = run(base, where, arguments), run(head, where, arguments)
                seconds[0] += before.seconds
                seconds[1] += after.seconds
                counts[kind] = findings(before) if kind == "json" else before.stdout.count("\n")
                if before.returncode not in (0, 1) or "Traceback" in before.stderr:
                    print(f"{name} ({kind}): the base revision failed:\n{before.stderr}", file=sys.stderr)
                if (before.returncode, before.stdout, before.stderr) == (after.returncode, after.stdout, after.stderr):
                    continue
                same = False
                shown = difflib.unified_diff(
                    readable(before, kind), readable(after, kind), f"{args.base}/{name}/{kind}",
                    f"{args.head}/{name}/{kind}", lineterm="", n=2,
                )
                lines = list(shown)
                print("\n".join(lines[:SHOWN_LINES]), file=sys.stderr)
                if len(lines) > SHOWN_LINES:
                    print(f"... {len(lines) - SHOWN_LINES} more lines", file=sys.stderr)
            different += not same
            print(
                f"| {name} | {counts['json']} | {counts['diff']} | {'yes' if same else '**NO**'} "
                f"| {seconds[0]:.1f} | {seconds[1]:.1f} |"
            )
    if different:
        sys.exit(f"{different} of {len(trees)} trees differ")


if __name__ == "__main__":
    main()
