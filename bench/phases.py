"""Where a cold run's CPU goes: parsing against the analysis that follows it, one job.

    python bench/phases.py [CORPUS ...]     (default: the dense trees of `bench/speed.py`)

Issue 14 asks that the analysis after parsing cost no more than the parse itself. This runs
`wdlint check --no-cache -j 1` over each corpus in this process (the roots `bench/speed.py`
names: `ecosystem:research`, `mm-configs`, a wheel's name...) and splits its CPU time into:

- parse: the parsers wdlint calls, `ast.parse`, `json.loads` and PyYAML's `compose_all`
  (libyaml's or the pure loader's; what any linter that reads these files must pay);
- read and prefilter: every file read and screened (`runner._screen`);
- analysis: the rest of linting the files that pass (indexing, extraction, the project scan,
  the rules, the config readers);
- other: start-up, discovery, output.

Each share is exclusive (a parse inside the analysis counts as parse). The timers cost a few
percent; the ratio analysis / parse is what to compare between revisions.
"""

from __future__ import annotations

import argparse
import ast
import collections
import contextlib
import io
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
# this checkout's wdlint, not the one installed: run from another worktree, the bench timed the
# installed (editable) copy and compared a revision with itself
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from speed import DENSE, roots


class _Clock:
    """Exclusive CPU time per phase: a phase inside another is taken out of the outer one."""

    def __init__(self) -> None:
        self.spent: collections.defaultdict[str, float] = collections.defaultdict(float)
        self._stack: list[float] = []

    def timed(self, phase: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def measured(*args: Any, **kwargs: Any) -> Any:
            start = time.process_time()
            self._stack.append(0.0)
            try:
                return function(*args, **kwargs)
            finally:
                elapsed = time.process_time() - start
                inner = self._stack.pop()
                self.spent[phase] += elapsed - inner
                if self._stack:
                    self._stack[-1] += elapsed

        return measured


def _instrument(clock: _Clock) -> None:
    import yaml

    import wdlint.engine.runner as runner

    ast.parse = clock.timed("parse", ast.parse)
    json.loads = clock.timed("parse", json.loads)
    compose_all = yaml.compose_all  # libyaml's or the pure loader's: composed here, whole

    def composed(*args: Any, **kwargs: Any) -> Any:
        return iter(list(compose_all(*args, **kwargs)))

    yaml.compose_all = clock.timed("parse", composed)
    runner._screen = clock.timed("read and prefilter", runner._screen)
    runner.lint_job = clock.timed("analysis", runner.lint_job)


def _run(paths: list[Path]) -> float:
    from wdlint.cli import main

    sys.argv = ["wdlint", "check", "--isolated", "--no-cache", "--exit-zero", "-j", "1", *map(str, paths)]
    start = time.process_time()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
        main()
    return time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpora", nargs="*", default=list(DENSE))
    args = parser.parse_args()
    clock = _Clock()
    _instrument(clock)
    print("| tree | CPU s | parse s | read and prefilter s | analysis s | other s | analysis / parse |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name in args.corpora:
        paths = roots(name)
        clock.spent.clear()
        total = _run(paths)
        spent = clock.spent
        parse, analysis = spent["parse"], spent["analysis"]
        other = total - sum(spent.values())
        ratio = f"{analysis / parse:.2f}" if parse else "-"
        print(
            f"| {name} | {total:.2f} | {parse:.2f} | {spent['read and prefilter']:.2f} | {analysis:.2f} | {other:.2f} | {ratio} |"
        )


if __name__ == "__main__":
    main()
