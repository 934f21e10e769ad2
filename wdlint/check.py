"""`wdlint check`: lint the paths, report, exit 0, 1 or 2.

No click here: `wdlint.__main__` parses a plain `wdlint check` command line itself and calls
`check`, so the pre-commit hook's run imports no command-line framework; the click command in
`wdlint.cli` calls the same function.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from wdlint.config import ConfigError, Settings, parse_torch_version, resolve_settings
from wdlint.diagnostics import Diagnostic
from wdlint.engine.cache import ResultCache, cache_directory
from wdlint.engine.discover import discover
from wdlint.engine.runner import FileJob, FileResult, FixRequest, LintOptions, lint_cached, lint_jobs
from wdlint.output import text as text_output
from wdlint.selection import ignored_by, is_valid_selector

TYPE_CHECKING = False  # `typing` is for type checkers: the hook never imports it (docs/architecture.md)
if TYPE_CHECKING:
    from typing import TextIO

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
# the formats for CI services: (diagnostics, the run's directory) -> text
# formats for other tools: each renderer is a module of wdlint.output, imported when chosen
_CI_FORMATS = ("sarif", "github", "gitlab", "junit")
_EDIT_FORMATS = ("json", "json-lines", "sarif")  # the output formats that show each fix's edits
OUTPUT_FORMATS = ("full", "concise", "json", "json-lines", *_CI_FORMATS)


class UsageError(Exception):
    """An option value the command refuses, before it has done anything: the command line
    reports it with its usage, as click reports a bad parameter."""

    def __init__(self, message: str, param_hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.param_hint = param_hint


def split_codes(values: Sequence[str]) -> tuple[str, ...]:
    codes = tuple(code.strip().upper() for value in values for code in value.split(",") if code.strip())
    for code in codes:
        if not is_valid_selector(code):
            raise UsageError(f"unknown rule code or prefix `{code}`")
    return codes


def torch_version(value: str | None) -> tuple[int, int] | None:
    if value is None:
        return None
    try:
        return parse_torch_version(value)
    except ValueError as problem:
        raise UsageError(str(problem), param_hint="--target-torch-version") from None


def echo(text: str, nl: bool = True, err: bool = False) -> None:
    """What `click.echo` writes, without importing click for the usual case: a text stream with
    a real encoding, and no ANSI escape (which click strips when the stream is no terminal)."""
    stream = sys.stderr if err else sys.stdout
    if stream is None:
        return  # no stream to write to (pythonw), as click does
    if nl:
        text += "\n"
    if "\x1b" in text or not _plain_text_stream(stream):
        import click

        click.echo(text, nl=False, err=err)
        return
    if text:
        stream.write(text)
    stream.flush()


def _plain_text_stream(stream: TextIO) -> bool:
    """A stream click writes to as it is (its encoding set, and not ASCII: click re-wraps an
    ASCII stream to write UTF-8)."""
    encoding = getattr(stream, "encoding", None)
    if not encoding or getattr(stream, "errors", None) is None:
        return False
    import codecs

    try:
        return codecs.lookup(encoding).name != "ascii"
    except LookupError:
        return False


def echo_error(message: str) -> None:
    echo(f"wdlint: error: {message}", err=True)


def check(
    paths: tuple[Path, ...],
    select: tuple[str, ...],
    extend_select: tuple[str, ...],
    ignore: tuple[str, ...],
    output_format: str,
    output_file: Path | None,
    exit_zero: bool,
    statistics: bool,
    config_file: Path | None,
    isolated: bool,
    stdin_filename: str | None,
    jobs: int | None,
    force_exclude: bool,
    target_torch_version: str | None,
    fix: bool,
    unsafe_fixes: bool,
    diff: bool,
    show_fixes: bool,
    fix_only: bool,
    add_noqa: bool,
    no_cache: bool,
    cache_dir: Path | None,
) -> None:
    """Lint PATHS and exit (`sys.exit`) with the run's status. A bad selector or version raises
    UsageError before anything is read or written."""
    request = FixRequest(unsafe=unsafe_fixes, write=not diff) if fix or fix_only or diff else None
    if add_noqa and (request is not None or any(str(p) == "-" for p in paths)):
        echo_error("--add-noqa cannot be combined with --fix, --fix-only, --diff or standard input")
        sys.exit(EXIT_ERROR)
    cli_select = split_codes(select) or None
    cli_extend = split_codes(extend_select)
    cli_ignore = split_codes(ignore)
    cli_version = torch_version(target_torch_version)
    paths = paths or (Path("."),)
    try:
        settings = resolve_settings(
            [p for p in paths if str(p) != "-"],
            config_file,
            isolated,
            Path.cwd(),
            None if no_cache else lambda root: cache_directory(root, cache_dir),
        )
    except ConfigError as error:
        echo_error(str(error))
        sys.exit(EXIT_ERROR)
    settings = settings._replace(
        select=cli_select if cli_select is not None else settings.select,
        extend_select=(*settings.extend_select, *cli_extend),
        ignore=(*settings.ignore, *cli_ignore),
        target_torch_version=cli_version or settings.target_torch_version,
    )
    options = LintOptions.from_selection(
        settings.select,
        settings.extend_select,
        settings.ignore,
        settings.target_torch_version,
        settings.max_file_size,
        # only fixing and the formats that print a fix's edits need them written out
        fix_edits=request is not None or output_format in _EDIT_FORMATS,
    )

    results: list[FileResult] = []
    if any(str(p) == "-" for p in paths):
        results.append(_lint_stdin(stdin_filename, settings, options, request))
    found = discover(
        [p for p in paths if str(p) != "-"], settings, force_exclude=force_exclude, include=settings.included
    )
    for missing, reason in zip(found.missing, found.reasons):
        echo_error(f"{missing}: {reason}")
    jobs_to_run = [FileJob(path, path.as_posix(), settings.ignores_for(path)) for path in found.files]
    if request is not None:
        results += lint_jobs(jobs_to_run, options, jobs, request)  # fixes always start from the files
    else:
        cache = None if no_cache else ResultCache(cache_directory(settings.root, cache_dir), options)
        results += lint_cached(jobs_to_run, options, jobs, cache)

    if add_noqa:
        complete = _add_noqa(jobs_to_run, results, options)
        sys.exit(EXIT_ERROR if found.missing else (EXIT_CLEAN if complete else EXIT_FINDINGS))
    diagnostics = sorted((d for r in results for d in r.diagnostics), key=lambda d: d.sort_key)
    fixed = {r.display: r.fixed for r in results if r.fixed}
    fixed_count = sum(len(f) for f in fixed.values())
    if diff:
        changes = "".join(r.diff for r in results if r.diff)
        _write(changes, output_file)
        echo(f"Would fix {text_output.errors(fixed_count)}." if fixed_count else "No errors would be fixed.", err=True)
        sys.exit(EXIT_ERROR if found.missing else (EXIT_FINDINGS if changes else EXIT_CLEAN))
    listing = text_output.fixes_applied(fixed) if show_fixes else ""
    if fix_only:
        echo(listing or f"Fixed {text_output.errors(fixed_count)}.", err=True)
        sys.exit(EXIT_ERROR if found.missing else EXIT_CLEAN)
    sources = {r.display: r.source for r in results if r.source is not None}
    rendered = _render(diagnostics, sources, output_format, statistics, unsafe_fixes, fixed_count if request else None)
    # fixing standard input prints the fixed source on stdout: the report goes to stderr
    report_to_stderr = request is not None and request.write and output_file is None and "-" in map(str, paths)
    _write(listing + rendered, output_file, err=report_to_stderr)
    if found.missing:
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_FINDINGS if diagnostics and not exit_zero else EXIT_CLEAN)


def _add_noqa(jobs: list[FileJob], results: list[FileResult], options: LintOptions) -> bool:
    """Comment each finding's line, then say how many comments were added and what was left;
    whether every finding (but WD001) now has its comment."""
    from wdlint.engine.add_noqa import NoqaOutcome, add_noqa

    by_display = {job.display: job for job in jobs}
    outcome = NoqaOutcome()
    for result in results:
        job = by_display.get(result.display)
        if job is not None and result.diagnostics:
            add_noqa(job, result.diagnostics, options, outcome)
    for display, diagnostic, why in outcome.left:
        where = f"cell {diagnostic.cell}:" if diagnostic.cell is not None else ""
        echo_error(f"{display}:{where}{diagnostic.location.row}: {diagnostic.code} left without a noqa comment: {why}")
    for message in outcome.errors:
        echo_error(message)
    noun = "directive" if outcome.added == 1 else "directives"
    echo(f"Added {outcome.added} noqa {noun}.", err=True)
    return not outcome.left and not outcome.errors


def _lint_stdin(
    stdin_filename: str | None, settings: Settings, options: LintOptions, request: FixRequest | None
) -> FileResult:
    """Lint standard input; with a fix request, print the fixed text (as ruff does)."""
    from wdlint.engine.fix import fix_text, unified_diff
    from wdlint.engine.lint import lint_bytes, lint_text
    from wdlint.frontends.formats import PYTHON, format_for

    display = stdin_filename or "-"
    ignored = settings.ignores_for(Path(stdin_filename)) if stdin_filename else ()
    data = sys.stdin.buffer.read()
    # fixes follow the line length of the project the text claims to be in (as ruff reads it)
    layout_from = Path(stdin_filename) if stdin_filename else Path.cwd() / "-"
    result = lint_bytes(data, display, options, layout_from=layout_from)
    result = result._replace(
        diagnostics=tuple(d for d in result.diagnostics if not ignored_by(ignored, d.code))
    )
    if request is None:
        return result
    # fixes are for Python read from stdin (the check kept its decoded text: it has findings);
    # a notebook or a config is passed through unchanged
    python = format_for(display) is PYTHON
    text = result.source if python and any(d.fix for d in result.diagnostics) else None
    if text is None:
        if request.write:
            sys.stdout.buffer.write(data)
        return result

    def lint(source: str) -> list[Diagnostic]:
        found = lint_text(source, display, options, layout_from=layout_from)
        return [d for d in found if not ignored_by(ignored, d.code)]

    outcome = fix_text(text, lint, request.unsafe, result.diagnostics)
    if request.write:
        sys.stdout.write(outcome.text)
        sys.stdout.flush()
    diff = unified_diff(text, outcome.text, display)
    return FileResult(display, tuple(outcome.remaining), outcome.text, tuple(outcome.fixed), diff)


def _render(
    diagnostics: list[Diagnostic],
    sources: dict[str, str],
    output_format: str,
    statistics: bool,
    unsafe: bool = False,
    fixed: int | None = None,
) -> str:
    if output_format in ("json", "json-lines"):
        from wdlint.output import json as json_output

        render = json_output.json_array if output_format == "json" else json_output.json_lines
        return render(diagnostics)
    if output_format in _CI_FORMATS:
        module = importlib.import_module(f"wdlint.output.{output_format}")
        ci_render: Callable[[list[Diagnostic], Path], str] = getattr(module, output_format)
        return ci_render(diagnostics, Path.cwd())
    if statistics:
        return text_output.statistics(diagnostics, unsafe)
    if output_format == "concise":
        body = text_output.concise(diagnostics, unsafe)
    else:
        body = text_output.full(diagnostics, sources, unsafe)
    separator = "\n" if body and output_format == "full" else ""
    return body + separator + text_output.summary(diagnostics, unsafe, fixed)


def _write(text: str, output_file: Path | None, err: bool = False) -> None:
    """To standard output, or all of it to `output_file` as ruff's `--output-file` does."""
    if output_file is None:
        echo(text, nl=False, err=err)
        return
    try:
        output_file.parent.mkdir(parents=True, exist_ok=True)
        output_file.write_text(text, encoding="utf-8")
    except OSError as error:
        echo_error(f"cannot write {output_file}: {error.strerror or error}")
        sys.exit(EXIT_ERROR)
