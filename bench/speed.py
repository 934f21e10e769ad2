"""wdlint's speed against ruff and TorchFix, side by side on the same trees, in one table.

    python bench/speed.py [--runs 5] [--corpus transformers timm] [--torchfix] [--scaling]

Each tree is a package's wheel unpacked by bench/corpora.py (into the ignored bench/corpora/).
Every command runs `--runs` times; the table shows the median wall time, the ratio to
`ruff check --select E9` (a pure Rust parse, the target is <= 1.0) and the peak memory of the
slowest process. Rows:

- wdlint cold: `--no-cache`, every file read and prefiltered, the candidates parsed;
- wdlint warm: a second run with the cache, nothing changed; and after one file changed;
- wdlint -j 1: one process, cold;
- ruff E9 and ruff with its default rules, both `--no-cache --isolated`;
- TorchFix (`--torchfix`, when installed; run once, it takes minutes).

`--scaling` adds cold runs over 1x, 2x and 4x hard-linked copies of the first tree.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from corpora import CORPORA_DIR, corpus

REPO = Path(__file__).resolve().parent.parent


def _executable(name: str) -> str | None:
    """The real program, not a version manager's shell shim in front of it."""
    candidate = Path(sys.executable).parent / name
    return str(candidate) if candidate.exists() else shutil.which(name)


def measure(command: Sequence[str], runs: int, before: Callable[[], None] | None = None) -> tuple[float, float]:
    """Median wall seconds and peak RSS in MiB over `runs` runs."""
    times, peaks = [], []
    for _ in range(runs):
        if before is not None:
            before()
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=REPO)
        _, _, usage = os.wait4(process.pid, 0)
        times.append(time.perf_counter() - start)
        peaks.append(usage.ru_maxrss / 1024)  # KiB on Linux
    return statistics.median(times), max(peaks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--corpus", nargs="+", default=["transformers", "timm"])
    parser.add_argument("--torchfix", action="store_true", help="also time TorchFix (minutes)")
    parser.add_argument("--scaling", action="store_true", help="cold runs over 1x/2x/4x copies")
    args = parser.parse_args()

    wdlint, ruff, torchfix = _executable("wdlint"), _executable("ruff"), _executable("torchfix")
    if wdlint is None or ruff is None:
        sys.exit("needs `wdlint` and `ruff` on PATH: pip install -e . ruff")
    rows: list[tuple[str, str, float, float, float]] = []
    cache = Path(tempfile.mkdtemp(prefix="wdlint-bench-cache-"))
    for name in args.corpus:
        tree = corpus(name)
        files = sum(1 for _ in tree.rglob("*.py"))
        label = f"{name} ({files} files)"
        base, base_peak = measure([ruff, "check", "--no-cache", "--isolated", "--select", "E9", "-q", str(tree)], args.runs)
        rows.append((label, "ruff --select E9", base, base_peak, 1.0))

        def add(tool: str, command: Sequence[str], runs: int = args.runs, before: Callable[[], None] | None = None) -> None:
            seconds, peak = measure(command, runs, before)
            rows.append((label, tool, seconds, peak, seconds / base))

        add("ruff (default rules)", [ruff, "check", "--no-cache", "--isolated", "-q", str(tree)])
        add("wdlint cold", [wdlint, "--isolated", "--no-cache", str(tree)])
        add("wdlint cold -j 1", [wdlint, "--isolated", "--no-cache", "-j", "1", str(tree)])
        warm = [wdlint, "--isolated", "--cache-dir", str(cache / name), str(tree)]
        measure(warm, 1)  # fill the cache
        add("wdlint warm", warm)
        touched = next(iter(sorted(tree.rglob("*.py"))))
        original = touched.read_text()
        edits = iter(range(args.runs))
        add("wdlint warm, 1 file changed", warm, before=lambda: touched.write_text(original + "\n" * (next(edits) % 2 + 1)))
        touched.write_text(original)
        if args.torchfix and torchfix is not None:
            add("TorchFix 0.7", [torchfix, str(tree)], runs=1)
    if args.scaling:
        rows += _scaling(wdlint, corpus(args.corpus[0]), args.runs)
    shutil.rmtree(cache, ignore_errors=True)
    print("| tree | tool | median s | peak MiB | x ruff E9 |")
    print("|---|---|---:|---:|---:|")
    for label, tool, seconds, peak, ratio in rows:
        print(f"| {label} | {tool} | {seconds:.3f} | {peak:.0f} | {ratio:.2f} |")


def _scaling(wdlint: str, tree: Path, runs: int) -> list[tuple[str, str, float, float, float]]:
    """Cold runs over 1, 2 and 4 hard-linked copies: cost should grow linearly."""
    rows = []
    base = None
    for copies in (1, 2, 4):
        target = CORPORA_DIR / f"scaling-{tree.name}-{copies}x"
        if not target.exists():
            for i in range(copies):
                shutil.copytree(tree, target / f"copy{i}", copy_function=os.link)
        seconds, peak = measure([wdlint, "--isolated", "--no-cache", str(target)], runs)
        base = base or seconds
        rows.append((f"{tree.name} x{copies}", "wdlint cold (ratio: to x1)", seconds, peak, seconds / base))
    return rows


if __name__ == "__main__":
    main()
