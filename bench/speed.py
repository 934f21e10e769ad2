"""wdlint's speed against ruff and TorchFix, side by side on the same trees, in one table.

    python bench/speed.py [--runs 5] [--corpus transformers timm] [--dense] [--cold] [--base REV]
                          [--torchfix] [--scaling]

A corpus is a package's wheel unpacked by bench/corpora.py (outside the checkout), or
a dense tree of training code, where most files pass the prefilter (`--dense` runs them all):

- `ecosystem:KIND`: the projects of bench/ecosystem.py of that kind (`research`,
  `fine-tuning`, `notebook`: the course notebooks, `framework`), each one's linted paths, read
  from the cache the ecosystem check reads (`ecosystem.ensure` fetches what it lacks);
- `mm-configs`: the OpenMMLab configs of the mmdet and mmsegmentation wheels (`.mim/configs`);
- `ultralytics`: its wheel.

Every command runs `--runs` times, in turns (ruff, then wdlint, then ruff again...; each turn
starts one command later than the last, so that none always follows the same one), so that a
load that comes and goes weighs on every tool alike; the table shows the median wall time, the
ratios to `ruff check --select E9` (a pure Rust parse) and to ruff with its default rules, and
the peak memory of the largest process of the run (a worker or the main one). Rows:

- wdlint cold: `--no-cache`, every file read and prefiltered, the candidates parsed;
- wdlint cold -j 1: one process, cold;
- with `--base REV`: both cold rows again with that revision of this repository (exported with
  `git archive`, as bench/compare_revisions.py does), in the same turns: a before/after from one run;
- wdlint warm: a second run with the cache, nothing changed; and after one file changed
  (left out with `--cold`);
- ruff E9 and ruff with its default rules, both `--no-cache --isolated`;
- TorchFix (`--torchfix`, when installed; run once, it takes minutes).

`--scaling` adds cold runs over 1x, 2x and 4x hard-linked copies of the first corpus.
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

from compare_revisions import export
from corpora import CORPORA_DIR, corpus
from startup import console_script

REPO = Path(__file__).resolve().parent.parent
DENSE = ("ecosystem:research", "ecosystem:fine-tuning", "ecosystem:notebook", "ecosystem:framework", "mm-configs",
         "ultralytics")
_MM_WHEELS = ("mmdet", "mmsegmentation")
_LINTED = (".py", ".pyi", ".ipynb", ".yaml", ".yml", ".json")  # wdlint's default includes
Row = tuple[str, str, float, float, float, float]  # tree, tool, seconds, peak MiB, x E9, x ruff
Command = tuple[Sequence[str], "dict[str, str] | None"]  # argv, environment (None: this one)


def _executable(name: str) -> str | None:
    """The real program, not a version manager's shell shim in front of it."""
    candidate = Path(sys.executable).parent / name
    return str(candidate) if candidate.exists() else shutil.which(name)


def roots(name: str) -> list[Path]:
    """The paths a corpus lints: a wheel's tree, or a dense tree's roots."""
    if name.startswith("ecosystem:"):
        import ecosystem

        kind = name.partition(":")[2]
        if kind not in ecosystem.KINDS:
            sys.exit(f"unknown ecosystem kind {kind!r}: one of {ecosystem.KINDS}")
        cache = ecosystem.default_cache()
        found = []
        for project in ecosystem.load_projects():
            if project.kind == kind:
                tree = ecosystem.ensure(project, cache, None)
                found += [tree / path for path in project.paths or ["."]]
        return found
    if name == "mm-configs":
        return [next(corpus(wheel).glob("*/.mim/configs")) for wheel in _MM_WHEELS]
    return [corpus(name)]


def _files(paths: Sequence[Path]) -> list[Path]:
    return sorted(f for root in paths for f in (root.rglob("*") if root.is_dir() else [root]) if f.suffix in _LINTED)


def measure(command: Command, runs: int, before: Callable[[], None] | None = None) -> tuple[float, float]:
    """Median wall seconds and peak RSS in MiB over `runs` runs."""
    return _summary([_once(command, before) for _ in range(runs)])


def _once(command: Command, before: Callable[[], None] | None = None) -> tuple[float, float]:
    if before is not None:
        before()
    argv, env = command
    start = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=REPO, env=env)
    _, _, usage = os.wait4(process.pid, 0)
    # the largest of the process and the children it waited for (the workers): KiB on Linux
    return time.perf_counter() - start, usage.ru_maxrss / 1024


def _summary(samples: Sequence[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(s for s, _ in samples), max(p for _, p in samples)


def interleaved(commands: dict[str, Command], runs: int) -> dict[str, tuple[float, float]]:
    """Each command `runs` times, one after the other in turns, each turn starting one command
    later than the last, so that none always follows the same one (ruff's all-core run, say):
    median seconds, peak MiB."""
    samples: dict[str, list[tuple[float, float]]] = {tool: [] for tool in commands}
    order = list(commands)
    for turn in range(runs):
        shift = turn % len(order)
        for tool in order[shift:] + order[:shift]:
            samples[tool].append(_once(commands[tool]))
    return {tool: _summary(taken) for tool, taken in samples.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--corpus", nargs="+", default=None, help="default: transformers timm, or the dense trees")
    parser.add_argument("--dense", action="store_true", help="the dense trees of training code")
    parser.add_argument("--cold", action="store_true", help="cold runs only (no warm rows)")
    parser.add_argument("--base", metavar="REV", help="also time this revision's wdlint cold, in the same turns")
    parser.add_argument("--torchfix", action="store_true", help="also time TorchFix (minutes)")
    parser.add_argument("--scaling", action="store_true", help="cold runs over 1x/2x/4x copies")
    args = parser.parse_args()
    names = args.corpus or (list(DENSE) if args.dense else ["transformers", "timm"])

    ruff, torchfix = _executable("ruff"), _executable("torchfix")
    if ruff is None:
        sys.exit("needs `ruff` on PATH: pip install ruff")
    # each checkout's wdlint as its own console script runs it (an installed script may
    # predate a change of the entry point, and the base revision's may differ from this one's)
    wdlint = console_script(REPO)
    load = os.getloadavg()[0]
    rows: list[Row] = []
    cache = Path(tempfile.mkdtemp(prefix="wdlint-bench-cache-"))
    # this checkout's wdlint, whatever is installed
    head_env = _environment(REPO)
    base = export(args.base, cache / "base") if args.base else None
    base_run = (console_script(base), _environment(base)) if base is not None else None
    for name in names:
        rows += _corpus_rows(name, args, wdlint, ruff, torchfix, head_env, base_run, cache)
    if args.scaling:
        rows += _scaling(wdlint, roots(names[0])[0], args.runs, head_env)
    shutil.rmtree(cache, ignore_errors=True)
    print(f"cores: {os.cpu_count()}; load average (1 min) at the start {load:.2f}, at the end {os.getloadavg()[0]:.2f}")
    print("| tree | tool | median s | peak MiB | x ruff E9 | x ruff default |")
    print("|---|---|---:|---:|---:|---:|")
    for label, tool, seconds, peak, ratio, to_default in rows:
        print(f"| {label} | {tool} | {seconds:.3f} | {peak:.0f} | {ratio:.2f} | {to_default:.2f} |")


def _environment(checkout: Path) -> dict[str, str]:
    """Where the wdlint of `checkout` runs as an installed copy does: from its bytecode (pip
    compiles it; a PYTHONDONTWRITEBYTECODE left in the environment would make every run and
    every worker compile the analysis again)."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(checkout / "wdlint")], check=True)
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    return {**env, "PYTHONPATH": str(checkout)}


def _corpus_rows(
    name: str,
    args: argparse.Namespace,
    wdlint: list[str],
    ruff: str,
    torchfix: str | None,
    head_env: dict[str, str],
    base_run: tuple[list[str], dict[str, str]] | None,
    cache: Path,
) -> list[Row]:
    paths = roots(name)
    targets = [str(p) for p in paths]
    files = _files(paths)
    label = f"{name} ({len(files)} files)"
    cold = [*wdlint, "--isolated", "--no-cache", *targets]
    one = [*wdlint, "--isolated", "--no-cache", "-j", "1", *targets]
    commands: dict[str, Command] = {
        "ruff --select E9": ([ruff, "check", "--no-cache", "--isolated", "--select", "E9", "-q", *targets], None),
        "ruff (default rules)": ([ruff, "check", "--no-cache", "--isolated", "-q", *targets], None),
        "wdlint cold": (cold, head_env),
        "wdlint cold -j 1": (one, head_env),
    }
    if base_run is not None:
        base, base_env = base_run
        commands[f"wdlint cold ({args.base})"] = ([*base, *cold[len(wdlint) :]], base_env)
        commands[f"wdlint cold -j 1 ({args.base})"] = ([*base, *one[len(wdlint) :]], base_env)
    timed = interleaved(commands, args.runs)
    if not args.cold:
        warm: Command = ([*wdlint, "--isolated", "--cache-dir", str(cache / name.replace(":", "-")), *targets], head_env)
        measure(warm, 1)  # fill the cache
        timed["wdlint warm"] = measure(warm, args.runs)
        touched = next(f for f in files if f.suffix == ".py")
        original = touched.read_bytes()
        edits = iter(range(args.runs))

        def change() -> None:
            touched.write_bytes(original + b"\n" * (next(edits) % 2 + 1))

        try:
            timed["wdlint warm, 1 file changed"] = measure(warm, args.runs, before=change)
        finally:
            touched.write_bytes(original)
    if args.torchfix and torchfix is not None:
        timed["TorchFix 0.7"] = measure(([torchfix, *targets], None), 1)
    e9, ruff_default = timed["ruff --select E9"][0], timed["ruff (default rules)"][0]
    return [(label, tool, s, peak, s / e9, s / ruff_default) for tool, (s, peak) in timed.items()]


def _scaling(wdlint: list[str], tree: Path, runs: int, env: dict[str, str] | None) -> list[Row]:
    """Cold runs over 1, 2 and 4 hard-linked copies: cost should grow linearly."""
    rows: list[Row] = []
    base = None
    for copies in (1, 2, 4):
        target = CORPORA_DIR / f"scaling-{tree.name}-{copies}x"
        if not target.exists():
            for i in range(copies):
                shutil.copytree(tree, target / f"copy{i}", copy_function=os.link)
        seconds, peak = measure(([*wdlint, "--isolated", "--no-cache", str(target)], env), runs)
        base = base or seconds
        rows.append((f"{tree.name} x{copies}", "wdlint cold (ratio: to x1)", seconds, peak, seconds / base, 0.0))
    return rows


if __name__ == "__main__":
    main()
