"""The `wdlint` command (the console script, and `python -m wdlint`).

A plain `wdlint check` command line, the pre-commit hook's, is parsed here and run without
importing click, which costs about half the interpreter's own start-up. The parser knows
`check`'s options and converts their values as click does; anything else (help, the version,
another command, a word that could be a command's name, an unknown option, a value click would
refuse) goes to the click application in `wdlint.cli`, which parses the command line again
from the start. tests/test_main.py holds the two to the same result.
"""

from __future__ import annotations

import atexit
import errno
import gc
import os
import stat
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

TYPE_CHECKING = False  # `typing` is for type checkers: the hook never imports it (docs/architecture.md)
if TYPE_CHECKING:
    from typing import Any, TextIO

_FLAGS = {
    "--exit-zero": "exit_zero",
    "--statistics": "statistics",
    "--isolated": "isolated",
    "--force-exclude": "force_exclude",
    "--fix": "fix",
    "--unsafe-fixes": "unsafe_fixes",
    "--diff": "diff",
    "--show-fixes": "show_fixes",
    "--fix-only": "fix_only",
    "--add-noqa": "add_noqa",
    "--no-cache": "no_cache",
}
_MULTIPLE = {"--select": "select", "--extend-select": "extend_select", "--ignore": "ignore"}


class _Refused(Exception):
    """A value click would refuse: click says why."""


def _path(*, file_okay: bool = True, dir_okay: bool = True, allow_dash: bool = False) -> Callable[[str], Path]:
    """`click.Path(path_type=Path, ...)` without `exists`: a path that exists must be of the
    allowed kind and readable."""

    def convert(value: str) -> Path:
        if not (allow_dash and file_okay and value == "-"):
            try:
                status = os.stat(value)
            except OSError:
                return Path(value)
            if (not file_okay and stat.S_ISREG(status.st_mode)) or (not dir_okay and stat.S_ISDIR(status.st_mode)):
                raise _Refused
            if not os.access(value, os.R_OK):
                raise _Refused
        return Path(value)

    return convert


def _output_format(value: str) -> str:
    from wdlint.check import OUTPUT_FORMATS  # `click.Choice`, case-sensitive

    if value not in OUTPUT_FORMATS:
        raise _Refused
    return value


def _jobs(value: str) -> int:
    """`click.IntRange(min=1)`: Python's int(), then the bound."""
    try:
        number = int(value)
    except ValueError:
        raise _Refused from None
    if number < 1:
        raise _Refused
    return number


_VALUES: dict[str, tuple[str, Callable[[str], object]]] = {
    "--output-format": ("output_format", _output_format),
    "--output-file": ("output_file", _path(dir_okay=False)),
    "-o": ("output_file", _path(dir_okay=False)),
    "--config": ("config_file", _path(dir_okay=False)),
    "--stdin-filename": ("stdin_filename", str),
    "--jobs": ("jobs", _jobs),
    "-j": ("jobs", _jobs),
    "--target-torch-version": ("target_torch_version", str),
    "--cache-dir": ("cache_dir", _path(file_okay=False)),
}
_PATHS = _path(allow_dash=True)


def _defaults() -> dict[str, Any]:
    values: dict[str, object] = {dest: None for dest, _ in _VALUES.values()}
    return {
        "paths": (),
        **values,
        "output_format": "full",
        **dict.fromkeys(_FLAGS.values(), False),
        **dict.fromkeys(_MULTIPLE.values(), ()),
    }


def check_arguments(argv: Sequence[str]) -> list[str] | None:
    """The arguments of `check` when `argv` runs it, as the click group routes them (a first
    argument that names no command means `check`); None for anything the group itself handles,
    and for a word that could be a command's name (the group knows its commands, we do not)."""
    if not argv:
        return []
    first = argv[0]
    if first == "check":
        return list(argv[1:])
    if first in ("-h", "--help", "--version"):
        return None
    if first.startswith("-") or not first.replace("-", "").replace("_", "").isalnum():
        return list(argv)  # an option of `check`, or a path: `wdlint src/train.py`
    return None


def parse_check(arguments: Sequence[str]) -> dict[str, Any] | None:
    """`check`'s parameters as click's parser and types make them from `arguments`, or None
    where this parser stops short of click (an option it does not know, `-h`, a value click
    would refuse): click then parses the command line."""
    options = _defaults()
    multiple: dict[str, list[str]] = {}
    paths: list[Path] = []
    rest = list(arguments)
    try:
        while rest:
            argument = rest.pop(0)
            if argument == "--":
                paths += map(_PATHS, rest)
                break
            if not argument.startswith("-") or argument == "-":
                paths.append(_PATHS(argument))
                continue
            name, given = argument.split("=", 1) if argument.startswith("--") and "=" in argument else (argument, None)
            if len(name) > 2 and not name.startswith("--"):
                name, given = name[:2], name[2:]  # `-j4`, `-oreport.txt`: the value attached
            if name in _FLAGS and given is None:
                options[_FLAGS[name]] = True
            elif name in _MULTIPLE or name in _VALUES:
                if given is None:
                    if not rest:
                        return None  # "requires an argument"
                    given = rest.pop(0)  # whatever it looks like, as click takes it
                if name in _MULTIPLE:
                    multiple.setdefault(_MULTIPLE[name], []).append(given)
                else:
                    dest, convert = _VALUES[name]
                    options[dest] = convert(given)
            else:
                return None
    except _Refused:
        return None
    options.update((dest, tuple(values)) for dest, values in multiple.items())
    options["paths"] = tuple(paths)
    return options


def console() -> None:
    """The console script and `python -m wdlint`: `main`, and a `check` of the fast path leaves
    the process as soon as it is done (`_leave`)."""
    main(leave_at_once=True)


def main(*, leave_at_once: bool = False) -> None:
    # A run allocates whole syntax trees and frees them file by file: the cyclic collector's
    # default thresholds would scan the live ones again and again (about a quarter of the
    # parse time), and nothing here makes cycles worth collecting early.
    gc.set_threshold(100_000, 50, 50)
    arguments = check_arguments(sys.argv[1:])
    options = parse_check(arguments) if arguments is not None and _fast_path_applies() else None
    if options is not None:
        try:
            _check_as_click_would(options)  # exits, unless click is to report a bad value
        except SystemExit as done:
            if leave_at_once:
                _leave(done)
            raise
    from wdlint.cli import main as click_main

    click_main()


def _leave(done: SystemExit) -> None:
    """Leave the process without tearing the interpreter down, as mypy's `hard_exit` does:
    freeing every object of every module imported and collecting them costs a tenth of a
    one-file run, and a check leaves nothing that needs it (its report is flushed here, its
    files are closed and its cache written before it exits; exit callbacks run as at a normal
    exit). Returns, for the normal exit, while another thread runs or a stream cannot be
    flushed."""
    threading = sys.modules.get("threading")
    if not isinstance(done.code, int) or (threading is not None and threading.active_count() > 1):
        return
    if sys.getprofile() is not None or sys.gettrace() is not None:
        return  # a profiler or tracer (`python -m cProfile -m wdlint`) reports after the run returns
    atexit._run_exitfuncs()
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    except (OSError, ValueError):
        return
    os._exit(done.code)


def _fast_path_applies() -> bool:
    # click expands wildcards on Windows and answers shell completion requests: it runs those
    return os.name == "posix" and "_WDLINT_COMPLETE" not in os.environ


def _check_as_click_would(options: dict[str, Any]) -> None:
    """Run `check` as click's standalone mode runs a command: an interrupt prints a blank line
    and "Aborted!" and exits 1, a closed pipe exits 1 quietly, a bug of ours is one line and
    exit 2. Returns only when `check` refused a value before doing anything, for click to
    report it with the usage."""
    from wdlint.check import EXIT_ERROR, UsageError, check, echo, echo_error

    try:
        check(**options)
    except UsageError:
        return
    except (EOFError, KeyboardInterrupt):
        echo("", err=True)
        echo("Aborted!", err=True)
        sys.exit(1)
    except OSError as problem:
        if problem.errno != errno.EPIPE:
            echo_error(f"internal error: {type(problem).__name__}: {problem} (please report it)")
            sys.exit(EXIT_ERROR)
        sys.stdout = _QuietClosedPipe(sys.stdout)
        sys.stderr = _QuietClosedPipe(sys.stderr)
        sys.exit(1)
    except Exception as problem:  # noqa: BLE001  a bug of ours: say so in one line, exit 2 as documented
        echo_error(f"internal error: {type(problem).__name__}: {problem} (please report it)")
        sys.exit(EXIT_ERROR)


class _QuietClosedPipe:
    """A standard stream whose flush at the interpreter's exit ignores a closed pipe (what
    click puts in place after a broken pipe, so that `wdlint . | head` ends quietly)."""

    def __init__(self, wrapped: TextIO) -> None:
        self.wrapped = wrapped

    def flush(self) -> None:
        try:
            self.wrapped.flush()
        except OSError as problem:
            if problem.errno != errno.EPIPE:
                raise

    def __getattr__(self, name: str) -> Any:
        return getattr(self.wrapped, name)


if __name__ == "__main__":
    console()
