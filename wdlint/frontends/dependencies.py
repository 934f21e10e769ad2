"""Other files that linting one file reads (imported project modules, mmengine `_base_` files).

A cached result stays valid only while these are unchanged too, so every such read goes
through `read_dependency`, which records the file's size and modification time.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from contextvars import ContextVar
from pathlib import Path

# (path, size, mtime_ns) of each file read, while a recording is active
Stamp = tuple[str, int, int]
_READS: ContextVar[list[Stamp] | None] = ContextVar("wdlint_dependency_reads", default=None)


def read_dependency(path: Path) -> bytes:
    data = path.read_bytes()
    reads = _READS.get()
    if reads is not None:
        status = path.stat()
        reads.append((os.path.abspath(path), status.st_size, status.st_mtime_ns))
    return data


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
        return False
    return status.st_size == size and status.st_mtime_ns == mtime
