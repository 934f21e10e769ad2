"""What detection costs with the stdlib `ast` versus a libcst parse, on a tree of your choice.

    python bench/parse_cost.py PATH [--all] [--repeat N]

By default it measures the files that pass wdlint's prefilter (the only ones wdlint parses);
`--all` measures every .py file. Prints the median wall time of each step over N repeats.
Needs libcst, which wdlint itself does not use: `pip install libcst`.
"""

from __future__ import annotations

import argparse
import ast
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from wdlint.analysis.extract import extract_sites
from wdlint.engine.prefilter import may_contain_optimizer
from wdlint.frontends.python import decode_source, parse_python


def _median_seconds(step: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path", type=Path)
    parser.add_argument("--all", action="store_true", help="measure every file, not only the prefiltered")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    import libcst

    files = sorted(args.path.rglob("*.py"))
    blobs = [f.read_bytes() for f in files]
    start = time.perf_counter()
    chosen = [b for b in blobs if args.all or may_contain_optimizer(b)]
    prefilter_seconds = time.perf_counter() - start
    texts = []
    for blob in chosen:
        try:
            text = decode_source(blob)
            ast.parse(text)
        except Exception:  # noqa: BLE001 - a benchmark skips what does not parse
            continue
        texts.append(text)
    lines = sum(t.count("\n") for t in texts)

    def ast_only() -> None:
        for text in texts:
            ast.parse(text)

    def wdlint_detection() -> None:
        for text in texts:
            extract_sites(parse_python(text, "f.py"))

    def libcst_parse() -> None:
        for text in texts:
            libcst.parse_module(text)

    print(f"{len(files)} files; prefilter kept {len(chosen)} ({prefilter_seconds:.3f} s); "
          f"{len(texts)} parse, {lines} lines")
    print(f"{'step':<34}{'median s':>10}{'us/line':>10}")
    for name, step in (
        ("ast.parse", ast_only),
        ("ast.parse + wdlint extraction", wdlint_detection),
        ("libcst.parse_module", libcst_parse),
    ):
        seconds = _median_seconds(step, args.repeat)
        print(f"{name:<34}{seconds:>10.3f}{seconds / max(lines, 1) * 1e6:>10.1f}")


if __name__ == "__main__":
    main()
