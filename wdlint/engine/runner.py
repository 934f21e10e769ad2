"""A lint run over many files: read and prefilter every file, then lint (or fix) the few that
name an optimizer, in worker processes when there are enough files to share between cores.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
from collections.abc import Iterator, Sequence

from wdlint.diagnostics import Diagnostic
from wdlint.engine.cache import ResultCache, checksum
from wdlint.engine.jobs import DEFAULT_MAX_FILE_SIZE, FileJob, FileResult, FixRequest, LintOptions
from wdlint.files import read_file
from wdlint.frontends.dependencies import keeping_reads_in, recording
from wdlint.frontends.formats import format_for
from wdlint.selection import ignored_by

__all__ = [
    "DEFAULT_MAX_FILE_SIZE", "FileJob", "FileResult", "FixRequest", "LintOptions", "fix_job", "lint_job", "lint_jobs"
]

# Below this many files a run is over before a second process has started.
_MIN_FILES_FOR_WORKERS = 64
_BATCH = 8  # files a batch holds, at least
# A tree's batches grow so that each worker takes about this many of them (`_batches`)
_BATCHES_PER_WORKER = 32
_ALONE_PER_WORKER = 8  # the biggest files, taken one at a time before the batches (`_batches`)
_FORKS = sys.platform != "win32"  # workers are forked (else spawned: Windows has no fork)


def _read(job: FileJob) -> FileJob | FileResult:
    """The job with its content, and the modification time from before the read (a file
    changed while it is read or linted then has a newer time than its cache entry)."""
    if job.data is not None:
        return job
    try:
        data, mtime_ns = read_file(job.path)
    except OSError as error:
        from wdlint.engine.lint import parse_error

        message = f"cannot read file: {error.strerror or error}"
        return FileResult(job.display, (parse_error(job.display, message),), None)
    return job._replace(data=data, mtime_ns=mtime_ns)


def _screen(job: FileJob, checksums: bool = True) -> FileJob | FileResult:
    """Read a file and run its format's prefilter: a job to parse, or the result it already has."""
    read = _read(job)
    if isinstance(read, FileResult):
        return read
    data = read.data
    assert data is not None
    form = format_for(job.path)
    if form.may_configure_optimizer(data):
        return read
    error = form.unreadable(data)
    found: tuple[Diagnostic, ...] = ()
    if error is not None:  # a WD001, which no ignore turns off
        from wdlint.engine.lint import parse_error

        found = (parse_error(job.display, error.message, error.position),)
    crc = checksum(data) if checksums else None
    return FileResult(job.display, found, None, size=len(data), checksum=crc, mtime_ns=read.mtime_ns)


def lint_job(job: FileJob, options: LintOptions, checksums: bool = True, *, prefiltered: bool = False) -> FileResult:
    """Lint one file; `checksums`: the content's checksum, which only the result cache reads;
    `prefiltered`: the bytes passed their format's prefilter already (`_screen`)."""
    from wdlint.engine.lint import lint_bytes

    read = _read(job)
    if isinstance(read, FileResult):
        return read
    data = read.data
    assert data is not None
    with recording() as dependencies:
        try:
            result = lint_bytes(data, job.display, options, path=job.path, prefiltered=prefiltered)
        except Exception as error:  # noqa: BLE001  a bug of ours costs this file, never the run
            from wdlint.engine.lint import internal_error

            return FileResult(job.display, (internal_error(job.display, error),), None)
    kept = tuple(d for d in result.diagnostics if not ignored_by(job.ignore, d.code))
    return result._replace(
        diagnostics=kept,
        source=result.source if kept else None,
        size=len(data),
        checksum=checksum(data) if checksums else None,
        mtime_ns=read.mtime_ns,
        dependencies=tuple(dependencies),
    )


def fix_job(job: FileJob, options: LintOptions, request: FixRequest, *, prefiltered: bool = False) -> FileResult:
    """Lint and fix one file, when its format has fixes (config files are only linted)."""
    from wdlint.engine.lint import lint_text

    read = _read(job)  # once: the fixes apply to the very text the check linted
    if isinstance(read, FileResult):
        return read
    assert read.data is not None
    checked = lint_job(read, options, prefiltered=prefiltered)
    form = format_for(job.path)
    fix_file = form.fixer() if any(d.fix is not None for d in checked.diagnostics) else None
    if fix_file is None:
        return checked

    def lint(text: str) -> list[Diagnostic]:
        found = lint_text(text, job.display, options, path=job.path, form=form)
        return [d for d in found if not ignored_by(job.ignore, d.code)]

    try:
        # the check just linted this text: the first pass starts from its diagnostics
        fixed = fix_file(
            job.path, read.data, job.display, lint, request.unsafe, request.write, checked.diagnostics, read.mtime_ns
        )
    except OSError as error:  # the fixed text could not be written: the file is as it was
        from wdlint.engine.lint import parse_error

        message = f"cannot write the fixed file ({error.strerror or error}); it is left unchanged"
        return checked._replace(diagnostics=(parse_error(job.display, message), *checked.diagnostics))
    if fixed is None:
        return checked
    return FileResult(job.display, fixed.remaining, fixed.source, fixed.fixed, fixed.diff)


def _run(
    jobs: Sequence[FileJob], options: LintOptions, request: FixRequest | None, checksums: bool = True
) -> list[FileResult]:
    """Screen and lint a share of the files, in order."""
    results = []
    with _collecting_between_files():
        for job in jobs:
            screened = _screen(job, checksums)
            if isinstance(screened, FileResult):
                results.append(screened)
                continue
            _GARBAGE.collect()  # the previous file's, before this one's trees are built
            if request is None:
                results.append(lint_job(screened, options, checksums, prefiltered=True))
            else:
                results.append(fix_job(screened, options, request, prefiltered=True))
            _GARBAGE.left = True
    return results


class _Garbage:
    """What the files linted by this process left to the cyclic collector, collected before
    the next file is linted, not after each one: a process that ends with its last file never
    collects. A file's own index and trees form no cycle (reference counting frees them when
    its lint returns, `tests/analysis/test_project_memory.py`), so there is little to find;
    this keeps whatever cycle a reading may still make from piling up over a long run.

    The young generation is collected once the files since the last collection left enough
    objects behind, as the collector itself would with a larger threshold: a collection
    finds nothing on the dense trees, and each one scans what the per-process memos keep (the
    base configs read, the project's scan): after every file, that was 1% of the mm-configs
    tree's instructions."""

    YOUNG = 10_000  # objects left since the last collection (`gc.get_count`): a few MB at most
    # collections of the young generation between two of the middle one too (cycles that
    # lived through a collection); the oldest is left to the process's end
    OLDER_EVERY = 16

    def __init__(self) -> None:
        self.left = False  # a file was linted since the last collection
        self.collected = 0

    def collect(self) -> None:
        if self.left and gc.get_count()[0] > self.YOUNG:
            self.collected += 1
            gc.collect(0 if self.collected % self.OLDER_EVERY else 1)
            self.left = False


_GARBAGE = _Garbage()  # per process: a forked worker's own


@contextlib.contextmanager
def _collecting_between_files() -> Iterator[None]:
    """The cyclic collector paused while files are linted, and run between them instead. Left
    on, it scans every object of a syntax tree while the tree is alive (each young object at
    least once, a full tree many times over): a quarter of the time on a dense tree. Between
    two files the trees are freed by reference counting, and what is left to scan is small."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# What a forked worker sends back for a file with nothing to report and nothing else read:
# its (size, checksum, modification time); the parent, which holds the job, makes the result.
_Plain = tuple[int, "int | None", "int | None"]


def _is_plain(result: FileResult) -> bool:
    return not (result.diagnostics or result.source is not None or result.fixed or result.diff or result.dependencies)


def _size(job: FileJob) -> int:
    try:
        return os.stat(job.path).st_size
    except OSError:
        return 0


def lint_jobs(
    jobs: Sequence[FileJob],
    options: LintOptions,
    processes: int | None = None,
    fix: FixRequest | None = None,
    checksums: bool = True,
) -> list[FileResult]:
    """Lint (and with `fix`, fix) files; results in job order. `checksums`: give each result
    its content's checksum (what the result cache keeps).

    With enough files, worker processes (one per core) read, prefilter and lint small batches,
    taking the next batch when done: the few files that need parsing are spread over the cores
    whatever their order (`_batches`).
    """
    processes = min(processes or os.cpu_count() or 1, max(len(jobs) // _MIN_FILES_FOR_WORKERS, 1))
    if processes <= 1:
        return _run(jobs, options, fix, checksums)
    batches = _batches(jobs, processes)
    if not _FORKS:  # a pool of fresh interpreters, sent the jobs themselves
        done = _run_spawned(batches, options, fix, checksums, processes)
    else:
        # forked workers (`engine/workers.py`) start in a millisecond with everything imported
        # and find the jobs where this process left them: a worker is told a batch's number,
        # not sent its jobs (pickling thousands of paths to the workers and back cost more than
        # the work of the files the prefilter screens out); nothing here runs threads
        from wdlint.engine.workers import run_batches

        def run_batch(number: int) -> list[FileResult | _Plain]:
            results = _run(batches[number], options, fix, checksums)
            return [(r.size, r.checksum, r.mtime_ns) if _is_plain(r) else r for r in results]

        sent = run_batches(len(batches), processes, run_batch)
        done = [
            item if isinstance(item, FileResult) else _plain_result(job, item)
            for batch, results in zip(batches, sent)
            for job, item in zip(batch, results)
        ]
    by_display = {result.display: result for result in done}
    return [by_display[job.display] for job in jobs]


def _batches(jobs: Sequence[FileJob], processes: int) -> list[Sequence[FileJob]]:
    """The jobs in batches for the workers: the biggest files first, each alone, then the rest
    in batches of files that lie together (the jobs come sorted by path), those that hold the
    biggest files first.

    The biggest files are the likeliest to be parsed and the slowest: one at a time, they are
    spread over the workers (transformers' trainer, its training arguments and its testing
    utilities lie side by side, and a batch that held them all took most of the run). The files
    of one project share its scan, its base configs and the modules of its helpers' callers,
    which each worker reads for itself: batches of the biggest files from anywhere spread every
    project over both workers, and the framework tree's run took a quarter more CPU with two
    workers than with one. Each worker takes about `_BATCHES_PER_WORKER` batches: fewer,
    larger ones would leave one worker alone at the end, or with the folder of a package's
    optimizers (timm's, thirty files parsed) in one batch.
    """
    sizes = {id(job): _size(job) for job in jobs}
    biggest = sorted(jobs, key=lambda job: sizes[id(job)], reverse=True)[: processes * _ALONE_PER_WORKER]
    alone = {id(job) for job in biggest}
    rest = [job for job in jobs if id(job) not in alone]
    size = max(_BATCH, len(rest) // (processes * _BATCHES_PER_WORKER))
    batches: list[Sequence[FileJob]] = [rest[start : start + size] for start in range(0, len(rest), size)]
    batches.sort(key=lambda batch: max(sizes[id(job)] for job in batch), reverse=True)
    return [[job] for job in biggest] + batches


def _run_spawned(
    batches: list[Sequence[FileJob]], options: LintOptions, fix: FixRequest | None, checksums: bool, processes: int
) -> list[FileResult]:
    import concurrent.futures
    import multiprocessing

    count = len(batches)
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(processes, mp_context=context) as pool:
        sent = pool.map(_run, batches, [options] * count, [fix] * count, [checksums] * count)
        return [result for batch in sent for result in batch]


def _plain_result(job: FileJob, sent: _Plain) -> FileResult:
    size, crc, mtime_ns = sent
    return FileResult(job.display, (), None, size=size, checksum=crc, mtime_ns=mtime_ns)


def lint_cached(
    jobs: Sequence[FileJob], options: LintOptions, processes: int | None, cache: ResultCache | None
) -> list[FileResult]:
    """`lint_jobs`, taking what the cache still knows from it and telling it what was new."""
    if cache is None:
        return lint_jobs(jobs, options, processes, checksums=False)
    looked_up = [cache.lookup(job) for job in jobs]
    misses = [item for item in looked_up if isinstance(item, FileJob)]
    kept = cache.scan_answers_directory() if misses else None
    # the project scans' answers are kept beside the results (`analysis/scan_answers.py`)
    with keeping_reads_in(kept) if kept is not None else contextlib.nullcontext():
        fresh = lint_jobs(misses, options, processes)
    cache.store(misses, fresh)
    cache.save()
    by_display = {result.display: result for result in fresh}
    return [item if isinstance(item, FileResult) else by_display[item.display] for item in looked_up]
