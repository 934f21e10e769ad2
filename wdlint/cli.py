"""The `wdlint` command line: `wdlint [check] PATHS`, `wdlint audit TARGET`, `wdlint rule CODE`.

The click application. A plain `wdlint check` command line (the pre-commit hook's) is parsed
without it by `wdlint.__main__`; anything else comes here.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Sequence
from pathlib import Path

import click

from wdlint import __version__
from wdlint import check as check_command
from wdlint.check import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, OUTPUT_FORMATS, UsageError
from wdlint.config import ConfigError, resolve_settings
from wdlint.engine.cache import CACHE_DIR_NAME, ENVIRONMENT_VARIABLE, cache_directory

TYPE_CHECKING = False  # `typing` is for type checkers: the hook never imports it (docs/architecture.md)
if TYPE_CHECKING:
    from typing import Any


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
    try:
        return check_command.split_codes(values)
    except UsageError as problem:
        raise click.BadParameter(problem.message, param_hint=problem.param_hint) from None


def _error(message: str) -> None:
    check_command.echo_error(message)


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
def check(**options: Any) -> None:
    """Lint PATHS (default: the current directory; `-` reads standard input)."""
    try:
        check_command.check(**options)
    except UsageError as problem:
        raise click.BadParameter(problem.message, param_hint=problem.param_hint) from None


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
    from wdlint.rules import all_rules, get_rule

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


@cli.command()
@click.option(
    "--debounce",
    type=click.IntRange(0, 60_000),
    default=200,
    show_default=True,
    help="Milliseconds without a change before an edited document is linted again.",
)
def server(debounce: int) -> None:
    """Run the language server over standard input and output (for an editor's LSP client)."""
    try:
        from wdlint.server.server import serve
    except ImportError as error:
        if error.name is None or error.name.partition(".")[0] not in ("pygls", "lsprotocol", "cattrs", "attrs"):
            raise
        _error(f'`wdlint server` needs pygls ({error.msg}): pip install "wdlint[lsp]"')
        sys.exit(EXIT_ERROR)
    serve(debounce / 1000)


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
    except Exception as error:  # noqa: BLE001  a bug of ours: say so in one line, exit 2 as documented
        _error(f"internal error: {type(error).__name__}: {error} (please report it)")
        sys.exit(EXIT_ERROR)
