"""The `wdlint` command line: `wdlint [check] PATHS`, `wdlint audit TARGET`, `wdlint rule CODE`."""

from __future__ import annotations

import dataclasses
import gc
import importlib
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import click

from wdlint import __version__
from wdlint.config import ConfigError, Settings, parse_torch_version, resolve_settings
from wdlint.diagnostics import Diagnostic
from wdlint.engine.discover import discover
from wdlint.engine.cache import CACHE_DIR_NAME, ENVIRONMENT_VARIABLE, ResultCache, cache_directory
from wdlint.engine.runner import FileJob, FileResult, FixRequest, LintOptions, lint_cached, lint_jobs
from wdlint.output import text as text_output
from wdlint.rules import all_rules, get_rule
from wdlint.selection import ignored_by, is_valid_selector

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
# the formats for CI services: (diagnostics, the run's directory) -> text
# formats for other tools: each renderer is a module of wdlint.output, imported when chosen
_CI_FORMATS = ("sarif", "github", "gitlab", "junit")
OUTPUT_FORMATS = ("full", "concise", "json", "json-lines", *_CI_FORMATS)


class _DefaultToCheck(click.Group):
    """`wdlint src/` means `wdlint check src/`, as `ruff src/` once meant `ruff check src/`."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ("--help", "-h", "--version")):
            args = ["check", *args]
        return super().parse_args(ctx, args)


@click.group(cls=_DefaultToCheck, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="wdlint")
def cli() -> None:
    """Find weight-decay mistakes in PyTorch training code."""


def _split_codes(values: Sequence[str]) -> tuple[str, ...]:
    codes = tuple(code.strip().upper() for value in values for code in value.split(",") if code.strip())
    for code in codes:
        if not is_valid_selector(code):
            raise click.BadParameter(f"unknown rule code or prefix `{code}`")
    return codes


def _torch_version(value: str | None) -> tuple[int, int] | None:
    if value is None:
        return None
    try:
        return parse_torch_version(value)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--target-torch-version") from None


def _error(message: str) -> None:
    click.echo(f"wdlint: error: {message}", err=True)


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path, allow_dash=True))
@click.option("--select", multiple=True, help="Rule codes or prefixes to enable (replaces the default set).")
@click.option("--extend-select", multiple=True, help="Rule codes or prefixes to enable on top of the selection.")
@click.option("--ignore", multiple=True, help="Rule codes or prefixes to disable.")
@click.option("--output-format", type=click.Choice(OUTPUT_FORMATS), default="full", show_default=True)
@click.option(
    "--output-file",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the output, summary included, to this file instead of standard output.",
)
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--statistics", is_flag=True, help="Show a count per rule instead of each finding.")
@click.option("--config", "config_file", type=click.Path(path_type=Path, dir_okay=False), help="Use this config file.")
@click.option("--isolated", is_flag=True, help="Ignore every configuration file.")
@click.option("--stdin-filename", help="The name to report for `-` (standard input).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), help="Worker processes (default: every core).")
@click.option("--force-exclude", is_flag=True, help="Apply `exclude` to paths named on the command line too.")
@click.option("--target-torch-version", help="The torch version the code runs on, e.g. 2.7.")
@click.option("--fix", is_flag=True, help="Apply the safe fixes (and the unsafe ones with --unsafe-fixes).")
@click.option("--unsafe-fixes", is_flag=True, help="Offer and apply fixes that change training too.")
@click.option("--diff", is_flag=True, help="Print the fixes as a diff instead of applying them; exit 1 if any.")
@click.option("--show-fixes", is_flag=True, help="List the fixes that were applied.")
@click.option("--fix-only", is_flag=True, help="Apply fixes without reporting what remains.")
@click.option("--add-noqa", is_flag=True, help="Add `# noqa: WDnnn` comments to the lines of today's findings.")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the result cache.")
@click.option(
    "--cache-dir",
    type=click.Path(path_type=Path, file_okay=False),
    help=f"Where the result cache lives (default: {CACHE_DIR_NAME} at the project root, or ${ENVIRONMENT_VARIABLE}).",
)
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
    """Lint PATHS (default: the current directory; `-` reads standard input)."""
    request = FixRequest(unsafe=unsafe_fixes, write=not diff) if fix or fix_only or diff else None
    if add_noqa and (request is not None or any(str(p) == "-" for p in paths)):
        _error("--add-noqa cannot be combined with --fix, --fix-only, --diff or standard input")
        sys.exit(EXIT_ERROR)
    cli_select = _split_codes(select) or None
    cli_extend = _split_codes(extend_select)
    cli_ignore = _split_codes(ignore)
    cli_version = _torch_version(target_torch_version)
    paths = paths or (Path("."),)
    try:
        settings = resolve_settings(
            [p for p in paths if str(p) != "-"], config_file, isolated, Path.cwd()
        )
    except ConfigError as error:
        _error(str(error))
        sys.exit(EXIT_ERROR)
    settings = dataclasses.replace(
        settings,
        select=cli_select if cli_select is not None else settings.select,
        extend_select=(*settings.extend_select, *cli_extend),
        ignore=(*settings.ignore, *cli_ignore),
        target_torch_version=cli_version or settings.target_torch_version,
    )
    options = LintOptions.from_selection(
        settings.select, settings.extend_select, settings.ignore, settings.target_torch_version, settings.max_file_size
    )

    results: list[FileResult] = []
    if any(str(p) == "-" for p in paths):
        results.append(_lint_stdin(stdin_filename, settings, options, request))
    found = discover(
        [p for p in paths if str(p) != "-"], settings, force_exclude=force_exclude, include=settings.included
    )
    for missing, reason in zip(found.missing, found.reasons):
        _error(f"{missing}: {reason}")
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
        click.echo(f"Would fix {text_output.errors(fixed_count)}." if fixed_count else "No errors would be fixed.", err=True)
        sys.exit(EXIT_ERROR if found.missing else (EXIT_FINDINGS if changes else EXIT_CLEAN))
    listing = text_output.fixes_applied(fixed) if show_fixes else ""
    if fix_only:
        click.echo(listing or f"Fixed {text_output.errors(fixed_count)}.", err=True)
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
        _error(f"{display}:{where}{diagnostic.location.row}: {diagnostic.code} left without a noqa comment: {why}")
    for message in outcome.errors:
        _error(message)
    noun = "directive" if outcome.added == 1 else "directives"
    click.echo(f"Added {outcome.added} noqa {noun}.", err=True)
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
    result = lint_bytes(data, display, options)
    result = dataclasses.replace(
        result, diagnostics=tuple(d for d in result.diagnostics if not ignored_by(ignored, d.code))
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
        return [d for d in lint_text(source, display, options) if not ignored_by(ignored, d.code)]

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
        click.echo(text, nl=False, err=err)
        return
    try:
        output_file.parent.mkdir(parents=True, exist_ok=True)
        output_file.write_text(text, encoding="utf-8")
    except OSError as error:
        _error(f"cannot write {output_file}: {error.strerror or error}")
        sys.exit(EXIT_ERROR)


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--cache-dir", type=click.Path(path_type=Path, file_okay=False), help="The cache to remove.")
@click.option("--config", "config_file", type=click.Path(path_type=Path, dir_okay=False), help="Use this config file.")
@click.option("--isolated", is_flag=True, help="Ignore every configuration file.")
def clean(paths: tuple[Path, ...], cache_dir: Path | None, config_file: Path | None, isolated: bool) -> None:
    """Remove the result cache of the project PATHS belong to (default: the current directory)."""
    from wdlint.engine.cache import clean as remove

    try:
        settings = resolve_settings(list(paths), config_file, isolated, Path.cwd())
    except ConfigError as error:
        _error(str(error))
        sys.exit(EXIT_ERROR)
    directory = cache_directory(settings.root, cache_dir)
    if remove(directory):
        click.echo(f"Removed the cache at {directory}")
    else:
        click.echo(f"No cache at {directory}")


@cli.command()
@click.argument("code", required=False)
@click.option("--all", "show_all", is_flag=True, help="Show every rule.")
@click.option("--output-format", type=click.Choice(("text", "json")), default="text", show_default=True)
def rule(code: str | None, show_all: bool, output_format: str) -> None:
    """Show the documentation of rule CODE (or of every rule with --all)."""
    if show_all == (code is not None):
        raise click.UsageError("give a rule code or --all")
    if code is not None:
        found = get_rule(code)
        if found is None:
            _error(f"unknown rule `{code}`")
            sys.exit(EXIT_ERROR)
        rules = [found]
    else:
        rules = list(all_rules())
    if output_format == "json":
        import json

        payload = [
            {
                "code": r.code,
                "name": r.name,
                "summary": r.summary,
                "default": r.default_on,
                "fix": r.fix.value if r.fix else None,
                "explanation": r.markdown(),
            }
            for r in rules
        ]
        click.echo(json.dumps(payload if show_all else payload[0], indent=2))
        return
    click.echo("\n".join(r.markdown() for r in rules), nl=False)


@cli.command("audit")
@click.argument("target")
@click.option(
    "--device",
    default="meta",
    show_default=True,
    help="Where the factory builds the model: meta (no memory), cpu, cuda or cuda:N.",
)
@click.option("--output-format", type=click.Choice(("full", "json")), default="full", show_default=True)
@click.option("--select", multiple=True, help="Rule codes or prefixes to enable (replaces the default set).")
@click.option("--extend-select", multiple=True, help="Rule codes or prefixes to enable on top of the selection.")
@click.option("--ignore", multiple=True, help="Rule codes or prefixes to disable.")
@click.option("--config", "config_file", type=click.Path(path_type=Path, dir_okay=False), help="Use this config file.")
@click.option("--isolated", is_flag=True, help="Ignore every configuration file.")
@click.option("--all-ranks", is_flag=True, help="Under torch.distributed, report on every rank, not only rank 0.")
def audit_command(
    target: str,
    device: str,
    output_format: str,
    select: tuple[str, ...],
    extend_select: tuple[str, ...],
    ignore: tuple[str, ...],
    config_file: Path | None,
    isolated: bool,
    all_ranks: bool,
) -> None:
    """Audit the optimizer of the model that TARGET builds.

    TARGET is `package.module:factory` or `path/to/file.py:factory`, a function returning
    (model, optimizer) or {"model": ..., "optimizer": ...}; it may take a `device` argument.
    """
    import importlib.util

    from wdlint.runtime import MISSING_TORCH

    cli_select = _split_codes(select) or None
    cli_extend = _split_codes(extend_select)
    cli_ignore = _split_codes(ignore)
    if importlib.util.find_spec("torch") is None:
        _error(MISSING_TORCH)
        sys.exit(EXIT_ERROR)
    from wdlint.runtime.audit import audit
    from wdlint.runtime.distributed import rank
    from wdlint.runtime.factory import DEVICE, TargetError, build, target_path

    if not DEVICE.fullmatch(device):
        raise click.BadParameter(f"expected meta, cpu, cuda or cuda:N, got `{device}`", param_hint="--device")
    path = target_path(target)
    try:
        settings = resolve_settings([path] if path else [], config_file, isolated, Path.cwd())
    except ConfigError as error:
        _error(str(error))
        sys.exit(EXIT_ERROR)
    try:
        model, optimizers = build(target, device)
    except TargetError as error:
        _error(str(error))
        sys.exit(EXIT_ERROR)
    try:
        report = audit(
            model,
            optimizers,
            policy=settings.policy,
            select=cli_select if cli_select is not None else settings.select,
            extend_select=(*settings.extend_select, *cli_extend),
            ignore=(*settings.ignore, *cli_ignore),
        )
    except ValueError as error:  # nothing to compare: the optimizer holds none of the model's params
        _error(f"{target}: {error}")
        sys.exit(EXIT_ERROR)
    if all_ranks or rank() == 0:
        if output_format == "json":
            import json

            click.echo(json.dumps(report.to_dict(), indent=2))
        else:
            click.echo(str(report), nl=False)
    sys.exit(EXIT_CLEAN if report.ok else EXIT_FINDINGS)


def main() -> None:
    # A run allocates whole syntax trees and frees them file by file: the cyclic collector's
    # default thresholds would scan the live ones again and again (about a quarter of the
    # parse time), and nothing here makes cycles worth collecting early.
    gc.set_threshold(100_000, 50, 50)
    try:
        cli(prog_name="wdlint")
    except Exception as error:  # a bug of ours: say so in one line, exit 2 as documented
        _error(f"internal error: {type(error).__name__}: {error} (please report it)")
        sys.exit(EXIT_ERROR)
