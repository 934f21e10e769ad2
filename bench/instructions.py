"""A cold run's instructions, counted by valgrind, for this tree and another revision.

    python bench/instructions.py [--base REV] [CORPUS ...]

On a shared 2-core machine the same run's wall time moves by 20% from one minute to the next,
more than most changes to the analysis save (`bench/speed.py` alternates its commands, and still
a before and after of one change measured 10% apart both ways). The instructions a run
executes do not move with the load: this counts them for `wdlint check --isolated --no-cache
-j 1 --exit-zero` over each corpus (`bench/speed.py`'s names: `ecosystem:research`,
`mm-configs`, a wheel's name...; default: `ecosystem:research`), under valgrind's callgrind,
with the interpreter's string hashing fixed (`PYTHONHASHSEED=0`: set and dict orders, and so
the work, the same in every run). One job: the work, not how it is shared between the cores.

`--base REV` (a git revision of this repository, exported as `bench/compare_revisions.py`
does) adds its count and the ratio. A run costs about 60 times its native time: a minute or
two per corpus and revision on the dense trees.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from compare_revisions import REPO, export
from corpora import RUN_WDLINT  # not `-m` alone: the working directory, first on the path, would shadow PYTHONPATH
from speed import roots


def instructions(command: Sequence[str], env: dict[str, str], cwd: Path | None = None) -> int | None:
    """The instructions one run of `command` executes, valgrind's own start-up left out; None
    when valgrind cannot run it."""
    run = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *command],
        cwd=cwd, env={**env, "PYTHONHASHSEED": "0"}, capture_output=True, text=True, check=False,
    )
    match = re.search(r"Collected : (\d+)", run.stderr)
    return int(match.group(1)) if match else None


def cold_run(checkout: Path, targets: Sequence[Path]) -> int | None:
    """The instructions of one cold one-job run of `checkout`'s wdlint over `targets`."""
    # as an installed copy runs: from its bytecode, compiled before the count
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(checkout / "wdlint")], check=True)
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    command = [
        sys.executable, *RUN_WDLINT, "check", "--isolated", "--no-cache", "-j", "1", "--exit-zero", "--statistics",
        *map(str, targets),
    ]
    return instructions(command, {**env, "PYTHONPATH": str(checkout)})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpora", nargs="*", default=["ecosystem:research"])
    parser.add_argument("--base", metavar="REV", help="also count this revision of the repository")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wdlint-instructions-") as scratch:
        checkouts = {"this tree": REPO}
        if args.base:
            checkouts[args.base] = export(args.base, Path(scratch))
        names = list(checkouts)
        header = " | ".join(f"{name} M instructions" for name in names)
        ratio = " | x base |" if args.base else " |"
        print(f"| corpus | {header}{ratio}")
        print("|---|" + "---:|" * (len(names) + (1 if args.base else 0)))
        for corpus in args.corpora:
            targets = roots(corpus)
            counts = [cold_run(checkout, targets) for checkout in checkouts.values()]
            shown = " | ".join("n/a" if count is None else f"{count / 1e6:,.0f}" for count in counts)
            if args.base and None not in counts:
                head, base = counts
                assert head is not None and base is not None
                shown += f" | {head / base:.3f}"
            print(f"| {corpus} | {shown} |")


if __name__ == "__main__":
    main()
