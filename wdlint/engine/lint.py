"""Linting one file: decoded and parsed by its format (`wdlint.frontends.formats`), its sites
checked by every enabled rule, suppressions applied.

This module imports the whole analysis; `runner` imports it only once a file has passed the
prefilter.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from wdlint.analysis.facts import ModuleFacts
from wdlint.analysis.sites import OptimizerSite
from wdlint.diagnostics import Diagnostic, Fix, Position
from wdlint.engine.jobs import FileResult, LintOptions
from wdlint.engine.suppress import comment_suppressions
from wdlint.frontends.formats import PYTHON, Format, format_for
from wdlint.frontends.text import SourceError
from wdlint.rules import all_rules, get_rule, rule_url
from wdlint.rules.base import RuleContext
from wdlint.rules.fixes import FixPlan
from wdlint.selection import PARSE_ERROR

TYPE_CHECKING = False  # `typing` is for type checkers: the hook never imports it (docs/architecture.md)

if TYPE_CHECKING:
    from wdlint.fixes.style import Style

# The parser accepts expressions nested ~1,000 deep (`0.1+0.1+...`, 900 terms); walking them
# again in Python can pass the recursion limit. Raising the limit risks the C stack instead.
TOO_DEEP = "cannot analyse: an expression is nested deeper than Python's recursion limit"


def parse_error(display: str, message: str, position: Position = Position(1, 1)) -> Diagnostic:
    rule = get_rule(PARSE_ERROR)
    assert rule is not None
    return Diagnostic(
        PARSE_ERROR, rule.name, message, display, position, position, noqa_row=None, url=rule_url(PARSE_ERROR)
    )


def internal_error(display: str, error: Exception) -> Diagnostic:
    """A bug of ours costs the file it happened in, never the run (or the language server)."""
    message = f"internal error while linting this file: {type(error).__name__}: {error} (please report it)"
    return parse_error(display, message)


def check_sites(
    sites: Iterable[OptimizerSite],
    filename: str,
    options: LintOptions,
    module: ModuleFacts | None = None,
    path: Path | None = None,
) -> list[Diagnostic]:
    """Every enabled static rule over every site: the part each front-end shares.

    `module` is the parsed Python module the sites come from, which fixes need; config files
    have none, and their findings carry no fix. `path`: where the file is (or claims to be),
    for the line length its fixes are laid out to (None: the formatters' default).
    """
    context = RuleContext(options.target_torch_version, module)
    fixes = _Fixes(options.fix_edits, module, path)
    checks = [
        (rule, rule.check) for rule in all_rules() if rule.check is not None and rule.code in options.codes
    ]
    diagnostics: list[Diagnostic] = []
    reported: set[tuple[str, Position, Position]] = set()
    for site in sites:
        for rule, check in checks:
            for finding in check(site, context):
                # candidates of one call share its arguments: one finding per place
                where = (rule.code, finding.span.start, finding.span.end)
                if where in reported:
                    continue
                reported.add(where)
                message = finding.message if site.choice is None else f"{finding.message} (when {site.choice})"
                diagnostics.append(
                    Diagnostic(
                        code=rule.code,
                        name=rule.name,
                        message=message,
                        filename=filename,
                        location=finding.span.start,
                        end_location=finding.span.end,
                        noqa_row=site.span.start.row,
                        fix=fixes.written(finding.fix),
                        url=rule_url(rule.code),
                    )
                )
    return diagnostics


class _Fixes:
    """Rules' fix plans as the fixes a diagnostic carries. Their edits are written out (with
    libcst, imported here only) when the run shows or applies them; otherwise a fix says only
    that it exists, how safe it is and what it does."""

    def __init__(self, write: bool, module: ModuleFacts | None, path: Path | None) -> None:
        self.write, self.module, self.path = write, module, path
        self._style: Style | None = None

    def written(self, plan: FixPlan | None) -> Fix | None:
        if plan is None:
            return None
        if not self.write:
            return Fix(plan.applicability, plan.message, ())
        if self.module is None:  # no module to lay out in: the plan's edits as they are
            return None if plan.imports else Fix(plan.applicability, plan.message, plan.edits)
        from wdlint.fixes.materialize import materialize, style_of

        if self._style is None:
            self._style = style_of(self.module, self.path)
        return materialize(plan, self.module, self._style)


def lint_bytes(
    data: bytes,
    filename: str,
    options: LintOptions,
    *,
    path: Path | None = None,
    prefiltered: bool = False,
    layout_from: Path | None = None,
) -> FileResult:
    """Lint one file's bytes as the format its name says; the result keeps the text to quote.
    `prefiltered`: the bytes passed the format's prefilter already (the runner's screening),
    which need not run twice over a dense tree's files. `layout_from`: as for `lint_text`."""
    form = format_for(filename)
    if not prefiltered and not form.may_configure_optimizer(data):
        return FileResult(filename, (), None)
    try:
        text = form.decode(data)
    except SourceError as error:
        failed = parse_error(filename, error.message, error.position)
        return FileResult(filename, (failed,), form.text_of_undecodable(data))
    diagnostics = lint_text(text, filename, options, path=path, form=form, layout_from=layout_from)
    return FileResult(filename, tuple(diagnostics), text if diagnostics else None)


def lint_text(
    text: str,
    filename: str,
    options: LintOptions,
    *,
    path: Path | None = None,
    form: Format = PYTHON,
    layout_from: Path | None = None,
) -> list[Diagnostic]:
    """Diagnostics for decoded text of a format (default: Python), sorted, suppressions applied.

    `path` is where the file lives, for the modules it imports and the `_base_` files of an
    mmengine config (None: not on disk), and for the line length its fixes are laid out to.
    `layout_from`: where text not on disk takes that line length from (standard input: where
    `--stdin-filename` puts it, else the working directory); with neither, the formatters'
    default, whatever directory the process runs in.
    """
    layout = path if path is not None else layout_from
    try:
        parsed = form.parse(text, filename, options.max_file_size)
    except SourceError as error:
        return [parse_error(filename, error.message, error.position)]
    try:
        found = [
            diagnostic
            for group in parsed.sites(path)
            for diagnostic in check_sites(group.sites, filename, options, group.module, layout)
        ]
    except RecursionError:
        return [parse_error(filename, TOO_DEEP)]
    if found:
        rows = {d.location.row for d in found} | {d.noqa_row for d in found if d.noqa_row is not None}
        suppressions = comment_suppressions(parsed.comments(rows))
        found = [parsed.place(d) for d in found if not suppressions.suppresses(d)]
    errors = [
        parse_error(filename, error.message, error.position)._replace(cell=error.cell)
        for error in parsed.errors
    ]
    return sorted([*errors, *found], key=lambda d: d.sort_key)
