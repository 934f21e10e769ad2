"""From files to diagnostics: read, prefilter, parse, extract, check, suppress."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from wdlint.analysis.extract import extract_sites
from wdlint.analysis.sites import OptimizerSite
from wdlint.diagnostics import Diagnostic, Position
from wdlint.engine.prefilter import may_contain_optimizer
from wdlint.engine.suppress import filter_suppressed
from wdlint.frontends.python import SourceError, decode_source, parse_python
from wdlint.rules import all_rules
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


@dataclass(frozen=True)
class FileResult:
    display: str
    diagnostics: tuple[Diagnostic, ...]
    source: str | None  # the text, kept only when there are diagnostics to show


def _parse_error(display: str, message: str, position: Position = Position(1, 1)) -> Diagnostic:
    rule = _rule(PARSE_ERROR)
    return Diagnostic(PARSE_ERROR, rule.name, message, display, position, position, noqa_row=None)


def _rule(code: str) -> Rule:
    return next(rule for rule in all_rules() if rule.code == code)


def check_sites(sites: Iterable[OptimizerSite], filename: str, options: LintOptions) -> list[Diagnostic]:
    """Every enabled static rule over every site: the part each front-end shares."""
    context = RuleContext(options.target_torch_version)
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
                    )
                )
    return diagnostics


def lint_text(text: str, filename: str, options: LintOptions) -> list[Diagnostic]:
    """Diagnostics for Python source text, sorted, suppressions applied."""
    try:
        source = parse_python(text, filename)
    except SourceError as error:
        return [_parse_error(filename, error.message, error.position)]
    diagnostics = filter_suppressed(check_sites(extract_sites(source), filename, options), text)
    return sorted(diagnostics, key=lambda d: d.sort_key)


def lint_bytes(data: bytes, filename: str, options: LintOptions) -> FileResult:
    if not may_contain_optimizer(data):
        return FileResult(filename, (), None)
    try:
        text = decode_source(data)
    except SourceError as error:
        return FileResult(filename, (_parse_error(filename, error.message),), None)
    diagnostics = lint_text(text, filename, options)
    return FileResult(filename, tuple(diagnostics), text if diagnostics else None)


def lint_job(job: FileJob, options: LintOptions) -> FileResult:
    try:
        data = job.path.read_bytes()
    except OSError as error:
        message = f"cannot read file: {error.strerror or error}"
        return FileResult(job.display, (_parse_error(job.display, message),), None)
    result = lint_bytes(data, job.display, options)
    if not job.ignore:
        return result
    kept = tuple(d for d in result.diagnostics if not ignored_by(job.ignore, d.code))
    return FileResult(result.display, kept, result.source if kept else None)


def _lint_chunk(jobs: Sequence[FileJob], options: LintOptions) -> list[FileResult]:
    return [lint_job(job, options) for job in jobs]


def lint_jobs(jobs: Sequence[FileJob], options: LintOptions, processes: int | None = None) -> list[FileResult]:
    """Lint files, in worker processes when there is enough work; results in job order."""
    processes = processes or os.cpu_count() or 1
    processes = min(processes, len(jobs) // _MIN_FILES_PER_WORKER)
    if processes <= 1:
        return _lint_chunk(jobs, options)
    chunks = [jobs[i::processes] for i in range(processes)]
    with ProcessPoolExecutor(max_workers=processes) as pool:
        chunk_results = list(pool.map(_lint_chunk, chunks, [options] * processes))
    by_display = {result.display: result for results in chunk_results for result in results}
    return [by_display[job.display] for job in jobs]
