"""What the project scan reads, counted: the tests of its searches and of its kept answers
count files read, not time."""

from __future__ import annotations

from pathlib import Path

import pytest

from wdlint.analysis import project_scan


def counted_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the files the project scan reads from now on, in order."""
    read: list[str] = []
    real = project_scan._read

    def counting(location: str) -> bytes | None:
        read.append(Path(location).name)
        return real(location)

    monkeypatch.setattr(project_scan, "_read", counting)
    return read
