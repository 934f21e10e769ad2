"""A file's bytes read through the os module: over the thousands of small files a run reads
(the linted ones, a project's files searched for a helper's callers), a file object costs more
than the read itself; `os.open` and `os.read` cost a third less than `open()`. And the files
wdlint keeps for itself (the result cache, the project scan's answers) replaced in one rename,
so a reader never sees one half written."""

from __future__ import annotations

import contextlib
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


def replace_file(path: str | os.PathLike[str], text: str) -> None:
    """Write `text` to a new file beside `path` and rename it over `path`: another process
    reads the old file or the new one, whole. OSError when it cannot be written (nothing is
    left behind)."""
    handle, temporary = temporary_file(os.path.dirname(path) or ".")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def temporary_file(directory: str | os.PathLike[str]) -> tuple[int, str]:
    """A new file of our own in `directory`, open for writing (`tempfile.mkstemp`'s contract,
    without the modules `tempfile` imports)."""
    while True:
        name = os.path.join(directory, f".tmp-{os.urandom(6).hex()}.json")
        try:
            return os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), name
        except FileExistsError:
            continue
