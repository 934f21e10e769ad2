"""A file's bytes read through the os module: over the thousands of small files a run reads
(the linted ones, a project's files searched for a helper's callers), a file object costs more
than the read itself; `os.open` and `os.read` cost a third less than `open()`."""

from __future__ import annotations

import os

_BINARY = getattr(os, "O_BINARY", 0)  # Windows: no newline translation


def read_file(path: str | os.PathLike[str]) -> tuple[bytes, int]:
    """The bytes of a file and its modification time (as it was before the read)."""
    descriptor = os.open(path, os.O_RDONLY | _BINARY)
    try:
        status = os.fstat(descriptor)
        data = os.read(descriptor, status.st_size + 1)
        more = os.read(descriptor, 1 << 16) if data else b""
        if more:  # it grew since fstat, or the read came short: on to the end
            parts = [data, more]
            while more := os.read(descriptor, 1 << 16):
                parts.append(more)
            data = b"".join(parts)
    finally:
        os.close(descriptor)
    return data, status.st_mtime_ns
