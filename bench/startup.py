"""One file through the pre-commit hook, beside the interpreter's own start-up, in one table.

    python bench/startup.py [--runs 15] [FILE ...]

Default files: `fixtures/cnn_sgd.py` (findings) and, when the ecosystem cache holds them, two
real training scripts (`qlora.py`, modded-nanogpt's `train_gpt.py`). Each file is copied into
an empty directory, which is the working directory of every command, as pre-commit runs from
the repository's root. Rows, each the median wall time of `--runs` runs:

- `python -c pass`: the interpreter starting and stopping (the target: wdlint <= 3x this);
- `ruff check --no-cache FILE` (`--isolated`, default rules);
- `wdlint check --force-exclude FILE`: the hook's entry (the console script's code, from
  pyproject.toml), with its result cache, the file changed between runs (what a commit hands
  the hook);
- the same with `--no-cache`.

`--importtime` prints `python -X importtime`'s twenty dearest imports of the hook's run.
"""

from __future__ import annotations

import argparse
import compileall
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

REPO = Path(__file__).resolve().parent.parent
ECOSYSTEM = Path.home() / ".cache" / "wdlint-ecosystem" / "github"
_REAL_SCRIPTS = ("artidoro+qlora@*/qlora.py", "KellerJordan+modded-nanogpt@*/train_gpt.py")


def _executable(name: str) -> str | None:
    candidate = Path(sys.executable).parent / name
    return str(candidate) if candidate.exists() else shutil.which(name)


def console_script() -> list[str]:
    """What the `wdlint` console script runs, as pip writes it from this checkout's
    pyproject.toml (an installed script may predate a change of its entry point)."""
    with open(REPO / "pyproject.toml", "rb") as file:
        entry = tomllib.load(file)["project"]["scripts"]["wdlint"]
    module, function = entry.split(":")
    return [sys.executable, "-c", f"import sys; from {module} import {function}; sys.argv[0] = 'wdlint'; sys.exit({function}())"]


def _default_files() -> list[Path]:
    files = [REPO / "fixtures" / "cnn_sgd.py"]
    for pattern in _REAL_SCRIPTS:
        files += sorted(ECOSYSTEM.glob(pattern))[:1]
    return files


def _median_ms(command: Sequence[str], cwd: Path, runs: int, before: Callable[[], None] | None = None) -> float:
    times = []
    for _ in range(runs):
        if before is not None:
            before()
        start = time.perf_counter()
        subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def startup_rows(files: Sequence[Path], runs: int) -> list[tuple[str, str, float, float]]:
    """(file, command, median ms, ratio to `python -c pass`), every row of one file measured in
    the same stretch of time so the ratios compare like with like."""
    return [row for source in files for row in _file_rows(source, runs)]


def _file_rows(source: Path, runs: int) -> list[tuple[str, str, float, float]]:
    python = sys.executable
    wdlint = [*console_script(), "check", "--force-exclude"]
    ruff = _executable("ruff") or "ruff"
    with tempfile.TemporaryDirectory(prefix="wdlint-startup-") as directory:
        cwd = Path(directory)
        target = cwd / source.name
        shutil.copyfile(source, target)
        original = target.read_bytes()
        edits = iter(range(1 << 30))

        def change() -> None:
            target.write_bytes(original + b"\n" * (next(edits) % 2 + 1))

        subprocess.run([*wdlint, target.name], cwd=cwd, capture_output=True, check=False)  # the cache exists
        base = _median_ms([python, "-c", "pass"], cwd, runs)
        measured = [
            ("python -c pass", base),
            ("ruff check --no-cache", _median_ms([ruff, "check", "--no-cache", "--isolated", target.name], cwd, runs)),
            ("wdlint check (cache, file changed)", _median_ms([*wdlint, target.name], cwd, runs, change)),
            ("wdlint check --no-cache", _median_ms([*wdlint, "--no-cache", target.name], cwd, runs)),
        ]
    return [(source.name, label, ms, ms / base) for label, ms in measured]


def importtime(file: Path, top: int = 20) -> str:
    with tempfile.TemporaryDirectory(prefix="wdlint-startup-") as directory:
        shutil.copyfile(file, Path(directory) / file.name)
        run = subprocess.run(
            [sys.executable, "-X", "importtime", *console_script()[1:], "check", "--no-cache", file.name],
            cwd=directory, capture_output=True, text=True, check=False,
        )
    lines = [line for line in run.stderr.splitlines() if line.startswith("import time:") and "|" in line][1:]
    by_self = sorted(lines, key=lambda line: -int(line.split("|")[0].split(":")[1]))
    return "\n".join(by_self[:top])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--importtime", action="store_true", help="the dearest imports of one run")
    args = parser.parse_args()
    files = args.files or _default_files()
    os.environ.setdefault("PYTHONPATH", str(REPO))  # this checkout's wdlint, not an installed one
    # as `pip install` leaves it (and pre-commit's environment): wdlint's bytecode written, even
    # where PYTHONDONTWRITEBYTECODE would have every run compile every module from source
    compileall.compile_dir(REPO / "wdlint", quiet=1)
    print("| file | command | median ms | x python -c pass |")
    print("|---|---|---:|---:|")
    for name, label, ms, ratio in startup_rows(files, args.runs):
        print(f"| {name} | {label} | {ms:.1f} | {ratio:.2f} |")
    if args.importtime:
        print(importtime(files[0]))


if __name__ == "__main__":
    main()
