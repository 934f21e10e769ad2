"""One file through the pre-commit hook, beside the interpreter's own start-up, in one table.

    python bench/startup.py [--runs 15] [--base REV] [--instructions] [FILE ...]

Default files: `fixtures/cnn_sgd.py` (findings) and, when the ecosystem cache holds them, two
real training scripts (`qlora.py`, modded-nanogpt's `train_gpt.py`). Each file is copied into
an empty directory, which is the working directory of every command, as pre-commit runs from
the repository's root. The commands of a file run in turn, `--runs` rounds, and each row is
the median wall time and the median CPU time (user + system, children included: steadier on
a shared machine):

- `python -c pass`: the interpreter starting and stopping (the target: wdlint <= 3x this);
- `python -c 'import ast'`, and the import of every module of the standard library the run
  of wdlint imports (`-X importtime` of one run, less those `python -c pass` imports): what
  any linter on `ast`, and any run that needs what wdlint's needs, cannot go below;
- `ruff check --no-cache FILE` (`--isolated`, default rules);
- `wdlint check --force-exclude FILE`: the hook's entry (the console script's code, from
  pyproject.toml), with its result cache, the file changed between runs (what a commit hands
  the hook);
- the same with `--no-cache`.

Every command runs with the interpreter of a fresh virtual environment that has nothing
installed (made from this one's base interpreter, in a temporary folder), and finds wdlint on
`PYTHONPATH`: the start-up of pre-commit's hook environment, where wdlint is installed, not
editable (its run needs none of its dependencies for a Python file). The interpreter of a
development environment is no baseline: an editable install's `.pth` finder imports `pathlib`,
`re` and `importlib.util` at every start (13 ms of a 22 ms `python -c pass` in this project's),
which inflates `python -c pass` and hands wdlint those imports for free (`--dev` measures that
way, for comparison with figures taken before).

`--base REV` adds the two wdlint rows of another revision of this repository (exported with
`git archive`, as bench/compare_revisions.py does), measured in the same rounds: a before and
after on one machine under one load. `--instructions` adds the instructions each command
executes (valgrind's callgrind, one run each): unlike times, the same on a busy machine.
`--importtime` prints `python -X importtime`'s twenty dearest imports of the hook's run.
`--project CORPUS` puts each file in a copy of a corpus (`transformers`: 2,951 files) that
each checkout has linted once: the hook in a large project, whose cache holds every other
file's results.
`--pyproject other` puts a pyproject.toml beside the file, as most repositories have one (a
package's metadata and other tools' tables); `--pyproject wdlint` adds a `[tool.wdlint]` table
to it, as a project that configures wdlint has. The default, `none`, is an empty directory.
"""

from __future__ import annotations

import argparse
import compileall
import math
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


def console_script(checkout: Path = REPO) -> list[str]:
    """What the `wdlint` console script runs, as pip writes it from the checkout's
    pyproject.toml (an installed script may predate a change of its entry point)."""
    with open(checkout / "pyproject.toml", "rb") as file:
        entry = tomllib.load(file)["project"]["scripts"]["wdlint"]
    module, function = entry.split(":")
    # `-c` puts the working directory first on the path, which a script does not: in this
    # repository it would shadow the checkout that PYTHONPATH names
    code = f"import sys; sys.path.remove(''); from {module} import {function}; sys.argv[0] = 'wdlint'; sys.exit({function}())"
    return [sys.executable, "-c", code]


def _default_files() -> list[Path]:
    files = [REPO / "fixtures" / "cnn_sgd.py"]
    for pattern in _REAL_SCRIPTS:
        files += sorted(ECOSYSTEM.glob(pattern))[:1]
    return files


def _timed(command: Sequence[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds (user + system, the process and the children it waited for)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) not in (0, 1):  # 1: wdlint's findings; else a row that timed a failure
        raise SystemExit(f"{' '.join(command)!r} failed with status {os.waitstatus_to_exitcode(status)}")
    return time.perf_counter() - start, usage.ru_utime + usage.ru_stime


def _instructions(command: Sequence[str], cwd: Path, env: dict[str, str]) -> float:
    """Instructions one run executes, counted by valgrind (its own start-up not counted)."""
    from instructions import instructions

    counted = instructions(command, env, cwd)
    return math.nan if counted is None else counted


Row = tuple[str, str, float, float, float, float, float, float]


def startup_rows(
    files: Sequence[Path],
    runs: int,
    checkouts: dict[str, Path],
    instructions: bool,
    python: str = sys.executable,
    project: Path | None = None,
    pyproject: str | None = None,
) -> list[Row]:
    """(file, command, median wall ms, its ratio to `python -c pass`, median CPU ms, its ratio,
    instructions in millions and their ratio: NaN unless counted), every command run by `python`.
    `project`: a tree the file is put in, linted once by each checkout first (its cache warm);
    `pyproject`: the text of a pyproject.toml put beside the file."""
    return [
        row
        for source in files
        for row in _file_rows(source, runs, checkouts, instructions, python, project, pyproject)
    ]


def clean_python(folder: Path) -> str:
    """The interpreter of a new virtual environment in `folder`, with nothing installed."""
    import venv

    venv.EnvBuilder(with_pip=False, symlinks=os.name != "nt").create(folder)
    return str(folder / ("Scripts/python.exe" if os.name == "nt" else "bin/python"))


# a repository's pyproject.toml as many training projects write it: metadata and other tools
_PYPROJECT = """\
[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "trainer"
version = "0.1.0"
requires-python = ">=3.9"
dependencies = ["torch>=2.1", "numpy", "tqdm", "pyyaml"]

[project.optional-dependencies]
dev = ["pytest", "ruff", "pre-commit"]

[tool.ruff]
line-length = 120
target-version = "py39"

[tool.ruff.lint]
select = ["E", "F", "I", "B", "UP"]
ignore = ["E501"]

[tool.pytest.ini_options]
testpaths = ["tests"]
addopts = "-ra"
"""
_PYPROJECTS = {
    "none": None,
    "other": _PYPROJECT,
    "wdlint": _PYPROJECT + '\n[tool.wdlint]\nextend-select = ["WD3"]\nexclude = ["third_party"]\n',
}


def _file_rows(
    source: Path,
    runs: int,
    checkouts: dict[str, Path],
    instructions: bool,
    python: str,
    project: Path | None,
    pyproject: str | None = None,
) -> list[Row]:
    ruff = _executable("ruff") or "ruff"
    plain = {**os.environ}
    with tempfile.TemporaryDirectory(prefix="wdlint-startup-") as directory:
        cwd = Path(directory)
        if project is not None:  # hard links: a copy of thousands of files in milliseconds
            shutil.copytree(project, cwd, dirs_exist_ok=True, copy_function=os.link)
        if pyproject is not None:
            (cwd / "pyproject.toml").write_text(pyproject)
        target = cwd / source.name
        shutil.copyfile(source, target)
        original = target.read_bytes()
        edits = iter(range(1 << 30))

        def change() -> None:
            # never the content a checkout's last run cached: consecutive changes differ, and so
            # do every other (two checkouts take turns)
            target.write_bytes(original + b"\n" * (next(edits) % 3 + 1))

        Command = tuple[str, list[str], dict[str, str], Callable[[], None] | None]
        standard = standard_library_of_run(target, python)
        commands: list[Command] = [
            ("python -c pass", [python, "-c", "pass"], plain, None),
            ("python -c 'import ast'", [python, "-c", "import ast"], plain, None),
            (
                f"python: the {len(standard)} standard modules wdlint's run imports",
                [python, "-c", "import " + ", ".join(standard)],
                plain,
                None,
            ),
            ("ruff check --no-cache", [ruff, "check", "--no-cache", "--isolated", target.name], plain, None),
        ]
        for name, checkout in checkouts.items():
            wdlint = [python, *console_script(checkout)[1:], "check", "--force-exclude"]
            env = {**os.environ, "PYTHONPATH": str(checkout)}  # this checkout's wdlint, not an installed one
            warmed = "." if project is not None else target.name  # the project's results, or the file's
            subprocess.run([*wdlint, warmed], cwd=cwd, env=env, capture_output=True, check=False)  # its cache
            commands += [
                (f"wdlint check{name} (cache, file changed)", [*wdlint, target.name], env, change),
                (f"wdlint check{name} --no-cache", [*wdlint, "--no-cache", target.name], env, None),
            ]
        # round-robin: on a machine others share, every command meets the same load
        samples: list[list[tuple[float, float]]] = [[] for _ in commands]
        for _ in range(runs):
            for (_, command, env, before), taken in zip(commands, samples, strict=True):
                if before is not None:
                    before()
                taken.append(_timed(command, cwd, env))
        counted = [math.nan] * len(commands)
        if instructions:
            for position, (_, command, env, before) in enumerate(commands):
                if before is not None:
                    before()
                counted[position] = _instructions(command, cwd, env) / 1e6
    walls = [statistics.median(w for w, _ in taken) * 1000 for taken in samples]
    cpus = [statistics.median(c for _, c in taken) * 1000 for taken in samples]
    return [
        (source.name, label, wall, wall / walls[0], cpu, cpu / cpus[0], count, count / counted[0])
        for (label, *_), wall, cpu, count in zip(commands, walls, cpus, counted, strict=True)
    ]


def _import_lines(command: Sequence[str], cwd: Path) -> list[str]:
    """`python -X importtime`'s lines of one run of `command` (its interpreter first), header left out."""
    run = subprocess.run(
        [command[0], "-X", "importtime", *command[1:]],
        cwd=cwd, env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True, check=False,
    )
    return [line for line in run.stderr.splitlines() if line.startswith("import time:") and "|" in line][1:]


def importtime(file: Path, python: str, top: int = 20) -> str:
    with tempfile.TemporaryDirectory(prefix="wdlint-startup-") as directory:
        shutil.copyfile(file, Path(directory) / file.name)
        lines = _import_lines([python, *console_script()[1:], "check", "--no-cache", file.name], Path(directory))
    by_self = sorted(lines, key=lambda line: -int(line.split("|")[0].split(":")[1]))
    return "\n".join(by_self[:top])


def standard_library_of_run(file: Path, python: str) -> list[str]:
    """The modules outside wdlint that a run on `file` imports and `python -c pass` does not:
    importing them alone is the least any version of this run could cost, so long as it needs
    them (`pathlib`, `typing`, `json`, `re`, `ast` and what they import)."""

    def imported(command: Sequence[str]) -> list[str]:
        return [line.split("|")[2].strip() for line in _import_lines(command, file.parent)]

    started = set(imported([python, "-c", "pass"]))
    run = imported([python, *console_script()[1:], "check", "--no-cache", file.name])
    candidates = [name for name in dict.fromkeys(run) if name not in started and name.split(".")[0] != "wdlint"]
    # -X importtime lists an import that failed as well: `ntpath` tries `nt` and `_winapi` on
    # every platform. In one `import a, b, ...` such a name would stop the import at once, and the
    # row would count a fraction of the modules (66 M instructions, not 108 M, before this).
    probe = "import sys\nfor name in sys.argv[1:]:\n    try:\n        __import__(name)\n    except ImportError:\n        continue\n    print(name)"
    found = subprocess.run([python, "-c", probe, *candidates], cwd=file.parent, capture_output=True, text=True, check=True)
    return found.stdout.split()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--base", metavar="REV", help="also time this revision of the repository, in the same rounds")
    parser.add_argument("--instructions", action="store_true", help="count each command's instructions (valgrind)")
    parser.add_argument("--importtime", action="store_true", help="the dearest imports of one run")
    parser.add_argument("--dev", action="store_true", help="run with this interpreter, not a fresh environment's")
    parser.add_argument(
        "--project", metavar="CORPUS",
        help="put each file in a copy of this corpus (bench/corpora.py), whose results the cache holds",
    )
    parser.add_argument(
        "--pyproject", choices=tuple(_PYPROJECTS), default="none",
        help="a pyproject.toml beside the file: none, other tools' tables, or those and [tool.wdlint]",
    )
    args = parser.parse_args()
    files = args.files or _default_files()
    with tempfile.TemporaryDirectory(prefix="wdlint-startup-base-") as exported:
        python = sys.executable if args.dev else clean_python(Path(exported) / "venv")
        checkouts = {"": REPO}
        if args.base:
            from compare_revisions import export

            checkouts[f" ({args.base})"] = export(args.base, Path(exported))
        for checkout in checkouts.values():
            # as `pip install` leaves it (and pre-commit's environment): wdlint's bytecode written,
            # even where PYTHONDONTWRITEBYTECODE would have every run compile every module
            compileall.compile_dir(checkout / "wdlint", quiet=1)
        project = None
        if args.project:
            from corpora import corpus

            project = corpus(args.project)
        rows = startup_rows(files, args.runs, checkouts, args.instructions, python, project, _PYPROJECTS[args.pyproject])
        # while the fresh environment exists: its interpreter is the one measured
        imports = importtime(files[0], python) if args.importtime else ""
    counted = " M instructions | x python -c pass |" if args.instructions else ""
    print(f"| file | command | wall ms | x python -c pass | CPU ms | x python -c pass |{counted}")
    print("|---|---|---:|---:|---:|---:|" + ("---:|---:|" if args.instructions else ""))
    for name, label, wall, wall_ratio, cpu, cpu_ratio, count, count_ratio in rows:
        extra = f" {count:.1f} | {count_ratio:.2f} |" if args.instructions else ""
        print(f"| {name} | {label} | {wall:.1f} | {wall_ratio:.2f} | {cpu:.1f} | {cpu_ratio:.2f} |{extra}")
    if imports:
        print(imports)


if __name__ == "__main__":
    main()
