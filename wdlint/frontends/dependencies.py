"""Other files that linting one file reads (imported project modules, mmengine `_base_` files).

A cached result stays valid only while these are unchanged too, so every such read goes
through `read_dependency`, which records the file's size and modification time.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from contextvars import ContextVar
from pathlib import Path

# (path, size, mtime_ns) of each file read, while a recording is active
Stamp = tuple[str, int, int]
_ABSENT = -1  # the size and time of a file that was looked for and did not exist
# A file written within this long of its last modification time can change again without its
# time changing (timestamps are only as fine as the kernel's clock tick): not trusted by time.
_RACY_NS = 2_000_000_000
_READS: ContextVar[list[Stamp] | None] = ContextVar("wdlint_dependency_reads", default=None)
# Where a run with a result cache keeps what other files held between runs (the project scan's
# answers, `analysis/scan_answers.py`); set here, where the runner sets nothing of the analysis
# (a run whose files the prefilter screens out imports none of it)
_KEPT_IN: list[Path] = []
# an absolute path as named -> the path once links are followed (`real_path`), for as long as
# the process runs or until `forget_real_paths` (the language server, told that files changed)
_REAL_PATHS: dict[str, str] = {}


def read_dependency(path: Path) -> bytes:
    data = path.read_bytes()
    reads = _READS.get()
    if reads is not None:
        status = path.stat()
        reads.append((os.path.abspath(path), status.st_size, status.st_mtime_ns))
    return data


def real_path(path: Path) -> Path:
    """`path.resolve()` as `os.path.realpath` finds it (each part of the path checked for a
    link, `..` taken from where the links lead), with the folders resolved once: mmdet's
    configs name the same few `_base_` files a thousand times from two hundred folders, and
    `resolve` checked every part of each path for a link each time."""
    named = os.fspath(path)
    if not os.path.isabs(named):  # as `resolve` reads it: from the working directory
        named = os.path.join(os.getcwd(), named)
    return Path(_real(named))


def _real(named: str) -> str:
    real = _REAL_PATHS.get(named)
    if real is None:
        above, name = os.path.split(named)
        if above == named:  # the root
            real = os.path.realpath(named)
        elif not name or name == ".":  # `a/b/`, `a/b/.`
            real = _real(above)
        elif name == "..":  # the folder above is resolved already: its parent is no link
            real = os.path.dirname(_real(above))
        else:
            joined = os.path.join(_real(above), name)
            real = os.path.realpath(joined) if os.path.islink(joined) else joined
        _REAL_PATHS[named] = real
    return real


def forget_real_paths() -> None:
    """Files and folders may have moved or become links: `real_path` resolves them again."""
    _REAL_PATHS.clear()


def note_absent(path: Path) -> None:
    """A file looked for and not found: if it appears later, results that depended on its
    absence (a module found elsewhere, or not at all) are stale."""
    reads = _READS.get()
    if reads is not None:
        reads.append(absent_stamp(path))


def absent_stamp(path: Path) -> Stamp:
    """The stamp of a file looked for and not found."""
    return (os.path.abspath(path), _ABSENT, _ABSENT)


def note_stamps(stamps: tuple[Stamp, ...]) -> None:
    """Stamps taken earlier (a scan of the project served from a per-process memo): this
    result depends on those files as they were when read."""
    reads = _READS.get()
    if reads is not None:
        reads.extend(stamps)


@contextlib.contextmanager
def recording() -> Iterator[list[Stamp]]:
    """Collect the stamps of the dependencies read inside the block."""
    reads: list[Stamp] = []
    token = _READS.set(reads)
    try:
        yield reads
    finally:
        _READS.reset(token)


def unchanged(stamp: Stamp) -> bool:
    path, size, mtime = stamp
    try:
        status = os.stat(path)
    except OSError:
        return size == _ABSENT
    return status.st_size == size and status.st_mtime_ns == mtime and not racy(status.st_mtime_ns)


def racy(mtime_ns: int) -> bool:
    """Whether a file of this modification time may still change without the time changing."""
    return time.time_ns() - mtime_ns < _RACY_NS


@contextlib.contextmanager
def keeping_reads_in(directory: Path) -> Iterator[None]:
    """What other files held, learnt inside the block (and in the worker processes forked in
    it), is kept in `directory` for later runs."""
    _KEPT_IN.append(directory)
    try:
        yield
    finally:
        _KEPT_IN.pop()


def kept_reads_directory() -> Path | None:
    """Where what other files held is kept (`keeping_reads_in`); None: nowhere."""
    return _KEPT_IN[-1] if _KEPT_IN else None
