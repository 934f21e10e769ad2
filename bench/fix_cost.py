"""What writing fixes out costs, and that a plain check does not pay it: two revisions of
wdlint, side by side on dense trees (most files name an optimizer), in one table.

    python bench/fix_cost.py [--base REV] [--runs 7] [TREE ...]

`--base` (default `main`) is exported with `git archive`; the head is this working tree. TREEs
are `fixtures` (this checkout's), `ecosystem:NAME` (a project of bench/ecosystem/projects.toml
in the ecosystem cache, its `paths`) or directories; the default is the fixtures and six
ecosystem projects of training scripts and notebooks. For each tree and revision, from
inside the tree, `--runs` times, base and head taking turns (so load on the machine falls on
both alike):

- check: `wdlint check --isolated --no-cache .`, the default output: a fix is only marked `[*]`;
- json: the same with `--output-format json`, which prints every fix's edits;
- diff: `--diff --unsafe-fixes`, every fix computed and applied in memory.

The table shows the median wall seconds of each, head / base, and head / base of the median CPU
seconds (user + system of the process and its workers), which moves less when others share the
machine. The head writes fixes out with libcst only for json and diff; `check` must stay at
1.00 within that noise.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/'s own modules, when loaded by path
from compare_revisions import WORKING_TREE, export, run

REPO = Path(__file__).resolve().parent.parent
DEFAULT_TREES = (
    "fixtures",
    "ecosystem:nanoGPT",
    "ecosystem:minGPT",
    "ecosystem:pytorch-examples",
    "ecosystem:LLMs-from-scratch",
    "ecosystem:NYU-DLSP20",
    "ecosystem:ConvNeXt",
)
RUNS = {
    "check": ("check", "--isolated", "--no-cache"),
    "json": ("check", "--isolated", "--no-cache", "--output-format", "json"),
    "diff": ("check", "--isolated", "--no-cache", "--diff", "--unsafe-fixes"),
}


def tree(name: str) -> tuple[Path, tuple[str, ...]]:
    if name == "fixtures":
        return REPO / "fixtures", ()
    if name.startswith("ecosystem:"):
        import ecosystem

        wanted = name.partition(":")[2]
        project = next((p for p in ecosystem.load_projects() if p.name == wanted), None)
        if project is None:
            sys.exit(f"{wanted}: not a project of bench/ecosystem/projects.toml")
        where = project.tree(ecosystem.default_cache())
        if not where.is_dir():
            sys.exit(f"{wanted}: not in the ecosystem cache (python bench/ecosystem.py fetches it)")
        return where, project.paths
    return Path(name), ()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", default="main")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("trees", nargs="*", default=list(DEFAULT_TREES))
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="wdlint-fix-cost-"))
    base, head = export(args.base, scratch), export(WORKING_TREE, scratch)
    print(f"base {args.base}, head: this working tree; median of {args.runs} runs each, taking turns\n")
    print("| tree | run | base s | head s | head / base | CPU: head / base |")
    print("|---|---|---:|---:|---:|---:|")
    for name in args.trees:
        where, paths = tree(name)
        for kind, arguments in RUNS.items():
            times: dict[Path, list[float]] = {base: [], head: []}
            cpu: dict[Path, list[float]] = {base: [], head: []}
            for _ in range(args.runs):
                for checkout in (base, head):
                    before = _children_cpu()
                    output = run(checkout, where, [*arguments, *(paths or ["."])])
                    if output.returncode not in (0, 1):
                        sys.exit(f"{name}: {kind} exited {output.returncode}: {output.stderr[-2000:]}")
                    times[checkout].append(output.seconds)
                    cpu[checkout].append(_children_cpu() - before)
            old, new = statistics.median(times[base]), statistics.median(times[head])
            cpu_ratio = statistics.median(cpu[head]) / statistics.median(cpu[base])
            print(f"| {name} | {kind} | {old:.3f} | {new:.3f} | {new / old:.2f} | {cpu_ratio:.2f} |")


def _children_cpu() -> float:
    """User + system seconds of the finished child processes (and theirs) so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


if __name__ == "__main__":
    main()
