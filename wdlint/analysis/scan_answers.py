"""The project scan's answers, kept between runs beside the result cache.

A search of a project root (`project_scan.Scan._search`) reads every one of its Python files
to learn which hold a question's names: a pre-commit hook handed one training script in a
repository of 3,000 files reads all 3,000 to find the callers of the script's helpers, run
after run, though only the file committed changed. So, in a run with a result cache
(`dependencies.keeping_reads_in`), what each file held is kept: per root, one file in the cache's version directory names the questions
asked so far and, for each Python file, its size and modification time, which questions it
was searched for and which of them it holds, and whether it holds a consumer's marker and the
config names it writes (`Scan.consumers`, what a config's search for the code that reads it
needs: every file of the root, read for a DeepSpeed JSON in transformers' tree 180 ms of 270). A later run trusts a file's answers while its
size and time are those recorded and reads again only the files that changed, are new, or
were never searched for the question; the few files that hold a question's names are read as
before, for their imports.

A file whose time was too recent to trust when it was read (`dependencies.racy`: it may still
change within the same clock tick) is not recorded. A damaged or foreign answers file is a
run without one. Runs that write one root's answers at once may lose each other's latest
answers (the last rename wins), which costs the next run a read, never a wrong answer.
"""

from __future__ import annotations

import contextlib
import json
import os
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from wdlint.files import replace_file
from wdlint.frontends.dependencies import Stamp, kept_reads_directory, racy

_FORMAT = 1  # of the answers file: another is not read
_MAX_QUESTIONS = 64  # questions kept per root; past this the answers start afresh


class ScanAnswers:
    """What the files of one project root held, as recorded by earlier searches."""

    def __init__(self, file: Path, root: str) -> None:
        self._file = file
        self._root = root
        self.questions: list[str] = []  # a question's bit is its position here
        # absolute path -> [size, mtime, the questions searched for (bits), those it holds
        # (bits)], and when the file was read for its consumer's marker, the config names it
        # writes (None without a marker)
        self._files: dict[str, list[Any]] = {}
        self._changed = False

    @classmethod
    def of(cls, root: Path) -> ScanAnswers | None:
        """The answers recorded for the project at `root`, when this run keeps them
        (`dependencies.keeping_reads_in`)."""
        directory = kept_reads_directory()
        if directory is None:
            return None
        absolute = os.path.abspath(root)
        name = f"scan-{zlib.crc32(os.fsencode(absolute)):08x}.json"
        answers = cls(directory / name, absolute)
        answers._load()
        return answers

    def _load(self) -> None:
        try:
            data = json.loads(self._file.read_bytes())
            if data["format"] != _FORMAT or data["root"] != self._root:
                return  # another root whose name has the same checksum: replaced when saved
            questions, files = data["questions"], data["files"]
            if isinstance(questions, list) and isinstance(files, dict) and len(questions) <= _MAX_QUESTIONS:
                self.questions, self._files = [str(q) for q in questions], files
        except (OSError, ValueError, KeyError, TypeError):
            return  # none yet, or damaged: every file is searched again

    def bits(self, questions: Sequence[str]) -> list[int]:
        """Each question's bit, a new question given the next (past `_MAX_QUESTIONS`, every
        answer is forgotten and the questions start afresh)."""
        if len(set(self.questions) | set(questions)) > _MAX_QUESTIONS:
            self.questions, self._files, self._changed = [], {}, True
        found = []
        for question in questions:
            if question not in self.questions:
                self.questions.append(question)
                self._changed = True
            found.append(1 << self.questions.index(question))
        return found

    def held(self, stamp: Stamp, asked: int) -> int | None:
        """Of the questions `asked` (their bits), those the file holds; None when the file
        changed since, or was not searched for all of them."""
        entry = self._files.get(stamp[0])
        if entry is None or entry[0] != stamp[1] or entry[1] != stamp[2] or entry[2] & asked != asked:
            return None
        held: int = entry[3] & asked
        return held

    def record(self, stamp: Stamp, asked: int, held: int) -> None:
        """What a read of the file found: of the questions `asked`, those it holds."""
        entry = self._entry(stamp)
        if entry is not None:
            entry[2] |= asked
            entry[3] = (entry[3] & ~asked) | held

    def consumer(self, stamp: Stamp) -> tuple[bool, tuple[str, ...]] | None:
        """Whether the file holds a consumer's marker (`Scan.consumers`), and the config names
        it writes; None when that is not known (it changed since, or was never read for it)."""
        entry = self._files.get(stamp[0])
        if entry is None or entry[0] != stamp[1] or entry[1] != stamp[2] or len(entry) < 5:
            return None
        names = entry[4]
        return (False, ()) if names is None else (True, tuple(names))

    def record_consumer(self, stamp: Stamp, names: tuple[str, ...] | None) -> None:
        """What a read of the file found: the config names it writes, None without a marker."""
        entry = self._entry(stamp)
        if entry is not None:
            entry[4:] = [None if names is None else list(names)]

    def _entry(self, stamp: Stamp) -> list[Any] | None:
        """The file's entry, to record what a read of it found; a new one when the file changed
        since its entry was written; None when its time is too recent to trust (it is read
        again next time)."""
        path, size, mtime = stamp
        entry = self._files.get(path)
        self._changed = True
        if racy(mtime):
            self._files.pop(path, None)
            return None
        if entry is None or entry[0] != size or entry[1] != mtime:
            entry = self._files[path] = [size, mtime, 0, 0]
        return entry

    def save(self, listed: Sequence[Stamp]) -> None:
        """Write the answers, of the files listed now (a file gone is forgotten), when they
        changed; a cache that cannot be written costs the next run reads, never this one."""
        if not self._changed:
            return
        kept = {path: self._files[path] for path, _, _ in listed if path in self._files}
        payload = {"format": _FORMAT, "root": self._root, "questions": self.questions, "files": kept}
        with contextlib.suppress(OSError):
            self._file.parent.mkdir(parents=True, exist_ok=True)
            replace_file(self._file, json.dumps(payload, separators=(",", ":")))
        self._changed = False
