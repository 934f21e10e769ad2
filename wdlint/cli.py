"""The `wdlint` command line: `wdlint [check] PATHS`, `wdlint rule CODE`."""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Sequence
from pathlib import Path

import click

from wdlint import __version__
from wdlint.config import ConfigError, Settings, parse_torch_version, resolve_settings
from wdlint.diagnostics import Diagnostic
from wdlint.engine.discover import discover
from wdlint.engine.runner import FileJob, FileResult, LintOptions, lint_bytes, lint_jobs
from wdlint.output import json as json_output
from wdlint.output import text as text_output
from wdlint.rules import all_rules, get_rule
from wdlint.selection import ignored_by, is_valid_selector

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
OUTPUT_FORMATS = ("full", "concise", "json", "json-lines")


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
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--statistics", is_flag=True, help="Show a count per rule instead of each finding.")
@click.option("--config", "config_file", type=click.Path(path_type=Path, dir_okay=False), help="Use this config file.")
@click.option("--isolated", is_flag=True, help="Ignore every configuration file.")
@click.option("--stdin-filename", help="The name to report for `-` (standard input).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), help="Worker processes (default: every core).")
@click.option("--force-exclude", is_flag=True, help="Apply `exclude` to paths named on the command line too.")
@click.option("--target-torch-version", help="The torch version the code runs on, e.g. 2.7.")
def check(
    paths: tuple[Path, ...],
    select: tuple[str, ...],
    extend_select: tuple[str, ...],
    ignore: tuple[str, ...],
    output_format: str,
    exit_zero: bool,
    statistics: bool,
    config_file: Path | None,
    isolated: bool,
    stdin_filename: str | None,
    jobs: int | None,
    force_exclude: bool,
    target_torch_version: str | None,
) -> None:
    """Lint PATHS (default: the current directory; `-` reads standard input)."""
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
        settings.select, settings.extend_select, settings.ignore, settings.target_torch_version
    )

    results: list[FileResult] = []
    if any(str(p) == "-" for p in paths):
        results.append(_lint_stdin(stdin_filename, settings, options))
    found = discover([p for p in paths if str(p) != "-"], settings, force_exclude=force_exclude)
    for missing in found.missing:
        _error(f"{missing}: No such file or directory")
    jobs_to_run = [FileJob(path, path.as_posix(), settings.ignores_for(path)) for path in found.files]
    results += lint_jobs(jobs_to_run, options, jobs)

    diagnostics = sorted((d for r in results for d in r.diagnostics), key=lambda d: d.sort_key)
    sources = {r.display: r.source for r in results if r.source is not None}
    click.echo(_render(diagnostics, sources, output_format, statistics), nl=False)
    if found.missing:
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_FINDINGS if diagnostics and not exit_zero else EXIT_CLEAN)


def _lint_stdin(stdin_filename: str | None, settings: Settings, options: LintOptions) -> FileResult:
    display = stdin_filename or "-"
    result = lint_bytes(sys.stdin.buffer.read(), display, options)
    if stdin_filename is None:
        return result
    ignored = settings.ignores_for(Path(stdin_filename))
    kept = tuple(d for d in result.diagnostics if not ignored_by(ignored, d.code))
    return dataclasses.replace(result, diagnostics=kept)


def _render(diagnostics: list[Diagnostic], sources: dict[str, str], output_format: str, statistics: bool) -> str:
    if output_format == "json":
        return json_output.json_array(diagnostics)
    if output_format == "json-lines":
        return json_output.json_lines(diagnostics)
    if statistics:
        return text_output.statistics(diagnostics)
    body = text_output.concise(diagnostics) if output_format == "concise" else text_output.full(diagnostics, sources)
    separator = "\n" if body and output_format == "full" else ""
    return body + separator + text_output.summary(diagnostics)


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


def main() -> None:
    try:
        cli(prog_name="wdlint")
    except Exception as error:  # a bug of ours: say so in one line, exit 2 as documented
        _error(f"internal error: {type(error).__name__}: {error} (please report it)")
        sys.exit(EXIT_ERROR)
