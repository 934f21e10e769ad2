"""From files to diagnostics: read, prefilter, parse, extract, check, suppress.

The front-end is chosen by the file's suffix: notebooks, YAML and JSON have their own; anything
else (a `.py`, a script named on the command line, standard input) is Python, and a Python
file is also read as an mmengine config.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from wdlint.analysis.extract import extract_module, extract_sites
from wdlint.analysis.facts import ModuleFacts
from wdlint.analysis.project import Project
from wdlint.analysis.sites import OptimizerSite
from wdlint.diagnostics import Diagnostic, Position
from wdlint.engine.fix import fix_python_file
from wdlint.engine.prefilter import may_configure_deepspeed, may_contain_optimizer
from wdlint.engine.suppress import comment_suppressions, filter_suppressed
from wdlint.frontends.config_sites import decode_utf8
from wdlint.frontends.jsoncfg import parse_deepspeed
from wdlint.frontends.mmconfig import mmconfig_sites
from wdlint.frontends.notebook import parse_notebook
from wdlint.frontends.python import SourceError, decode_source, parse_python
from wdlint.frontends.yamlcfg import parse_yaml
from wdlint.rules import all_rules, rule_url
from wdlint.rules.base import Rule, RuleContext
from wdlint.selection import enabled_codes, ignored_by

PARSE_ERROR = "WD001"
# below this many files to parse, starting worker processes costs more than it saves
_MIN_FILES_PER_WORKER = 8


@dataclass(frozen=True)
class LintOptions:
    """Everything a worker needs to lint one file; small and picklable."""

    codes: frozenset[str]
    target_torch_version: tuple[int, int] | None = None

    @classmethod
    def from_selection(
        cls,
        select: Iterable[str] | None = None,
        extend_select: Iterable[str] = (),
        ignore: Iterable[str] = (),
        target_torch_version: tuple[int, int] | None = None,
    ) -> LintOptions:
        return cls(enabled_codes(select, extend_select, ignore), target_torch_version)


@dataclass(frozen=True)
class FileJob:
    path: Path  # where to read it
    display: str  # how diagnostics name it
    ignore: tuple[str, ...] = ()  # selectors ignored for this file (per-file-ignores)
    data: bytes | None = None  # the content, once read


@dataclass(frozen=True)
class FileResult:
    display: str
    diagnostics: tuple[Diagnostic, ...]
    source: str | None  # the text, kept only when there are diagnostics to show
    fixed: tuple[Diagnostic, ...] = ()  # what `--fix` resolved
    diff: str = ""  # what `--fix` changed (or, with `--diff`, would change)


@dataclass(frozen=True)
class FixRequest:
    unsafe: bool = False  # apply unsafe fixes too
    write: bool = True  # False for `--diff`: compute the change, leave the file alone


def _parse_error(display: str, message: str, position: Position = Position(1, 1)) -> Diagnostic:
    rule = _rule(PARSE_ERROR)
    return Diagnostic(
        PARSE_ERROR, rule.name, message, display, position, position, noqa_row=None, url=rule_url(PARSE_ERROR)
    )


def _rule(code: str) -> Rule:
    return next(rule for rule in all_rules() if rule.code == code)


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
        source = parse_python(text, filename)
    except SourceError as error:
        return [_parse_error(filename, error.message, error.position)]
    project = Project() if path is not None else None  # imports followed only for files on disk
    sites, facts = extract_module(source, path, project)
    found = check_sites(sites, filename, options, facts)
    # an mmengine config's optimizer is a dict, not a call: the fixes, which rewrite calls, are
    # not for it
    found += check_sites(mmconfig_sites(source, path or Path(filename)), filename, options)
    diagnostics = filter_suppressed(found, text)
    return sorted(diagnostics, key=lambda d: d.sort_key)


def lint_bytes(data: bytes, filename: str, options: LintOptions, *, path: Path | None = None) -> FileResult:
    """Lint one file's bytes with the front-end its suffix names."""
    lint = _FRONT_ENDS.get(os.path.splitext(filename)[1].lower(), _lint_python)
    return lint(data, filename, options, path)


def _lint_python(data: bytes, filename: str, options: LintOptions, path: Path | None) -> FileResult:
    if not may_contain_optimizer(data):
        return FileResult(filename, (), None)
    try:
        text = decode_source(data)
    except SourceError as error:
        return FileResult(filename, (_parse_error(filename, error.message),), None)
    diagnostics = lint_text(text, filename, options, path=path)
    return FileResult(filename, tuple(diagnostics), text if diagnostics else None)


def _lint_notebook(data: bytes, filename: str, options: LintOptions, path: Path | None) -> FileResult:
    if not may_contain_optimizer(data):
        return FileResult(filename, (), None)
    try:
        text = decode_utf8(data)
        notebook = parse_notebook(text, filename)
    except SourceError as error:
        return _failed(filename, error, data)
    diagnostics = [
        dataclasses.replace(_parse_error(filename, error.message, error.position), cell=error.cell)
        for error in notebook.errors
    ]
    if notebook.source is not None:
        # a notebook on disk imports the project's modules from its own directory
        sites = extract_sites(notebook.source, path, Project() if path is not None else None)
        found = filter_suppressed(check_sites(sites, filename, options), notebook.source.text)
        diagnostics += [notebook.cells.place(d) for d in found]
    return _result(filename, diagnostics, text)


def _lint_yaml(data: bytes, filename: str, options: LintOptions, path: Path | None) -> FileResult:
    if not may_contain_optimizer(data):
        return FileResult(filename, (), None)
    try:
        text = decode_utf8(data)
        config = parse_yaml(text)
    except SourceError as error:
        return _failed(filename, error, data)
    diagnostics = check_sites(config.sites, filename, options)
    if config.comments:
        suppressions = comment_suppressions(config.comments)
        diagnostics = [d for d in diagnostics if not suppressions.suppresses(d)]
    return _result(filename, diagnostics, text)


def _lint_json(data: bytes, filename: str, options: LintOptions, path: Path | None) -> FileResult:
    if not may_configure_deepspeed(data):
        return FileResult(filename, (), None)
    try:
        text = decode_utf8(data)
        sites = parse_deepspeed(text)
    except SourceError as error:
        return _failed(filename, error, data)
    return _result(filename, check_sites(sites, filename, options), text)


def _failed(filename: str, error: SourceError, data: bytes) -> FileResult:
    """A WD001, with the text kept for the full format's snippet when it decodes."""
    text = data.decode("utf-8-sig", errors="replace")
    return FileResult(filename, (_parse_error(filename, error.message, error.position),), text)


def _result(filename: str, diagnostics: list[Diagnostic], text: str) -> FileResult:
    ordered = tuple(sorted(diagnostics, key=lambda d: d.sort_key))
    return FileResult(filename, ordered, text if ordered else None)


_FRONT_ENDS: dict[str, Callable[[bytes, str, LintOptions, Path | None], FileResult]] = {
    ".ipynb": _lint_notebook,
    ".yaml": _lint_yaml,
    ".yml": _lint_yaml,
    ".json": _lint_json,
}


def _read(job: FileJob) -> bytes | FileResult:
    if job.data is not None:
        return job.data
    try:
        return job.path.read_bytes()
    except OSError as error:
        message = f"cannot read file: {error.strerror or error}"
        return FileResult(job.display, (_parse_error(job.display, message),), None)


def _screen(job: FileJob) -> FileJob | FileResult:
    """Read a file and run its prefilter: a job to parse, or the result it already has."""
    data = _read(job)
    if isinstance(data, FileResult):
        return data
    suffix = job.path.suffix.lower()
    needed = may_configure_deepspeed(data) if suffix == ".json" else may_contain_optimizer(data)
    return dataclasses.replace(job, data=data) if needed else FileResult(job.display, (), None)


def lint_job(job: FileJob, options: LintOptions) -> FileResult:
    data = _read(job)
    if isinstance(data, FileResult):
        return data
    result = lint_bytes(data, job.display, options, path=job.path)
    if not job.ignore:
        return result
    kept = tuple(d for d in result.diagnostics if not ignored_by(job.ignore, d.code))
    return FileResult(result.display, kept, result.source if kept else None)


def fix_job(job: FileJob, options: LintOptions, request: FixRequest) -> FileResult:
    """Lint and fix one file. Only Python files get fixes; other front-ends are linted."""
    checked = lint_job(job, options)
    if not any(d.fix is not None for d in checked.diagnostics) or job.path.suffix.lower() in _FRONT_ENDS:
        return checked

    def lint(text: str) -> list[Diagnostic]:
        found = lint_text(text, job.display, options, path=job.path)
        return [d for d in found if not ignored_by(job.ignore, d.code)]

    fixed = fix_python_file(job.path, job.display, lint, request.unsafe, request.write)
    if fixed is None:
        return checked
    return FileResult(job.display, fixed.remaining, fixed.source, fixed.fixed, fixed.diff)


def _lint_chunk(jobs: Sequence[FileJob], options: LintOptions, request: FixRequest | None) -> list[FileResult]:
    if request is None:
        return [lint_job(job, options) for job in jobs]
    return [fix_job(job, options, request) for job in jobs]


def lint_jobs(
    jobs: Sequence[FileJob], options: LintOptions, processes: int | None = None, fix: FixRequest | None = None
) -> list[FileResult]:
    """Lint (and with `fix`, fix) files; results in job order.

    Reading and prefiltering happen here, at memory speed; only the files that pass are parsed,
    in worker processes when there are enough of them to pay for starting the workers.
    """
    screened = [_screen(job) for job in jobs]
    todo = [item for item in screened if isinstance(item, FileJob)]
    processes = processes or os.cpu_count() or 1
    processes = min(processes, len(todo) // _MIN_FILES_PER_WORKER)
    if processes <= 1:
        done = _lint_chunk(todo, options, fix)
    else:
        chunks = [todo[i::processes] for i in range(processes)]
        with ProcessPoolExecutor(max_workers=processes) as pool:
            done = [r for chunk in pool.map(_lint_chunk, chunks, [options] * processes, [fix] * processes) for r in chunk]
    by_display = {result.display: result for result in done}
    return [item if isinstance(item, FileResult) else by_display[item.display] for item in screened]
