"""Linting one file: read by the front-end its suffix names, parsed, extracted, checked.

Notebooks, YAML and JSON have their own front-ends; anything else (a `.py`, a script named on
the command line, standard input) is Python, and a Python file is also read as an mmengine
config. This module imports the whole analysis; `runner` imports it only once a file has
passed the prefilter.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterable
from pathlib import Path

from wdlint.analysis.extract import extract_module
from wdlint.analysis.facts import ModuleFacts
from wdlint.analysis.project import Project
from wdlint.analysis.sites import OptimizerSite
from wdlint.diagnostics import Diagnostic, Position
from wdlint.engine.jobs import FileResult, LintOptions
from wdlint.engine.prefilter import may_configure_deepspeed, may_contain_optimizer
from wdlint.engine.suppress import comment_suppressions, filter_suppressed
from wdlint.frontends.mmconfig import mmconfig_sites
from wdlint.frontends.python import (
    PythonSource,
    SourceError,
    check_size,
    decode_source,
    decode_utf8,
    parse_python,
)
from wdlint.rules import all_rules, get_rule, rule_url
from wdlint.rules.base import RuleContext
from wdlint.selection import PARSE_ERROR

# The parser accepts expressions nested ~1,000 deep (`0.1+0.1+...`, 900 terms); walking them
# again in Python can pass the recursion limit. Raising the limit risks the C stack instead.
TOO_DEEP = "cannot analyse: an expression is nested deeper than Python's recursion limit"


def parse_error(display: str, message: str, position: Position = Position(1, 1)) -> Diagnostic:
    rule = get_rule(PARSE_ERROR)
    assert rule is not None
    return Diagnostic(
        PARSE_ERROR, rule.name, message, display, position, position, noqa_row=None, url=rule_url(PARSE_ERROR)
    )


def check_sites(
    sites: Iterable[OptimizerSite], filename: str, options: LintOptions, module: ModuleFacts | None = None
) -> list[Diagnostic]:
    """Every enabled static rule over every site: the part each front-end shares.

    `module` is the parsed Python module the sites come from, which fixes need; config files
    have none, and their findings carry no fix.
    """
    context = RuleContext(options.target_torch_version, module)
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
                        fix=finding.fix,
                        url=rule_url(rule.code),
                    )
                )
    return diagnostics


def lint_text(text: str, filename: str, options: LintOptions, *, path: Path | None = None) -> list[Diagnostic]:
    """Diagnostics for Python source text, sorted, suppressions applied.

    `path` is where the file lives, for the `_base_` files of an mmengine config (default:
    `filename`).
    """
    try:
        check_size(len(text), options.max_file_size)
        source = parse_python(text, filename)
    except SourceError as error:
        return [parse_error(filename, error.message, error.position)]
    try:
        found = _check_module(source, filename, options, path)
        # an mmengine config's optimizer is a dict, not a call: the fixes, which rewrite calls,
        # are not for it
        found += check_sites(mmconfig_sites(source, path or Path(filename)), filename, options)
    except RecursionError:
        return [parse_error(filename, TOO_DEEP)]
    diagnostics = filter_suppressed(found, text)
    return sorted(diagnostics, key=lambda d: d.sort_key)


def _check_module(source: PythonSource, filename: str, options: LintOptions, path: Path | None) -> list[Diagnostic]:
    """Every rule over the module's optimizer sites. A file on disk follows the project's
    imports from its own directory (RecursionError for expressions nested too deeply)."""
    sites, facts = extract_module(source, path, Project() if path is not None else None)
    return check_sites(sites, filename, options, facts)


def lint_bytes(data: bytes, filename: str, options: LintOptions, *, path: Path | None = None) -> FileResult:
    """Lint one file's bytes with the front-end its suffix names."""
    lint = FRONT_ENDS.get(os.path.splitext(filename)[1].lower(), _lint_python)
    return lint(data, filename, options, path)


def _lint_python(data: bytes, filename: str, options: LintOptions, path: Path | None) -> FileResult:
    if not may_contain_optimizer(data):
        return FileResult(filename, (), None)
    try:
        text = decode_source(data)
    except SourceError as error:
        return FileResult(filename, (parse_error(filename, error.message),), None)
    diagnostics = lint_text(text, filename, options, path=path)
    return FileResult(filename, tuple(diagnostics), text if diagnostics else None)


def _lint_notebook(data: bytes, filename: str, options: LintOptions, path: Path | None) -> FileResult:
    from wdlint.frontends.notebook import parse_notebook  # each front-end is imported when needed

    if not may_contain_optimizer(data):
        return FileResult(filename, (), None)
    try:
        text = decode_utf8(data)
        notebook = parse_notebook(text, filename, options.max_file_size)
    except SourceError as error:
        return _failed(filename, error, data)
    diagnostics = [
        dataclasses.replace(parse_error(filename, error.message, error.position), cell=error.cell)
        for error in notebook.errors
    ]
    if notebook.source is not None:
        try:
            found = _check_module(notebook.source, filename, options, path)
        except RecursionError:
            return _result(filename, [parse_error(filename, TOO_DEEP)], text)
        diagnostics += [notebook.cells.place(d) for d in filter_suppressed(found, notebook.source.text)]
    return _result(filename, diagnostics, text)


def _lint_yaml(data: bytes, filename: str, options: LintOptions, path: Path | None) -> FileResult:
    from wdlint.frontends.yamlcfg import parse_yaml

    if not may_contain_optimizer(data):
        return FileResult(filename, (), None)
    try:
        text = decode_utf8(data)
        check_size(len(text), options.max_file_size)
        config = parse_yaml(text)
    except SourceError as error:
        return _failed(filename, error, data)
    diagnostics = check_sites(config.sites, filename, options)
    if config.comments:
        suppressions = comment_suppressions(config.comments)
        diagnostics = [d for d in diagnostics if not suppressions.suppresses(d)]
    return _result(filename, diagnostics, text)


def _lint_json(data: bytes, filename: str, options: LintOptions, path: Path | None) -> FileResult:
    from wdlint.frontends.jsoncfg import parse_deepspeed

    if not may_configure_deepspeed(data):
        return FileResult(filename, (), None)
    try:
        text = decode_utf8(data)
        check_size(len(text), options.max_file_size)
        sites = parse_deepspeed(text)
    except SourceError as error:
        return _failed(filename, error, data)
    return _result(filename, check_sites(sites, filename, options), text)


def _failed(filename: str, error: SourceError, data: bytes) -> FileResult:
    """A WD001, with the text kept for the full format's snippet when it decodes."""
    text = data.decode("utf-8-sig", errors="replace")
    return FileResult(filename, (parse_error(filename, error.message, error.position),), text)


def _result(filename: str, diagnostics: list[Diagnostic], text: str) -> FileResult:
    ordered = tuple(sorted(diagnostics, key=lambda d: d.sort_key))
    return FileResult(filename, ordered, text if ordered else None)


FRONT_ENDS: dict[str, Callable[[bytes, str, LintOptions, Path | None], FileResult]] = {
    ".ipynb": _lint_notebook,
    ".yaml": _lint_yaml,
    ".yml": _lint_yaml,
    ".json": _lint_json,
}
