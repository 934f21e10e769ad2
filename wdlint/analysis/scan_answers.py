"""The project scan's answers, kept between runs beside the result cache.

A search of a project root (`project_scan.Scan._search`) reads every one of its Python files
to learn which hold a question's names: a pre-commit hook handed one training script in a
repository of 3,000 files reads all 3,000 to find the callers of the script's helpers, run
after run, though only the file committed changed. So, in a run with a result cache
(`dependencies.keeping_reads_in`), what each file held is kept: per root, one file in the
cache's version directory names the questions asked so far and, for each Python file, its size
and modification time, which questions it was searched for and which of them it holds, and
whether it holds a consumer's marker and the config names it writes (`Scan.consumers`: what a
config's search for the code that reads it needs, every file of the root; for a DeepSpeed JSON
in transformers' tree, 180 ms of 270). A later run trusts a file's answers while its size and
time are those recorded and reads again only the files that changed, are new, or were never
searched for the question; the few files that hold a question's names are read as before, for
their imports.

A whole read of a root (`Scan.files`, past two searches or four questions at once) keeps each
file's imports too, in a file of its own (a few dozen names a file, which a search never
needs): a hook run on one of Megatron-LM's scripts read 1,324 files' imports, 81 ms, run after
run.

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

from wdlint.files import replace_file
from wdlint.frontends.dependencies import Stamp, kept_reads_directory, racy

TYPE_CHECKING = False  # `typing` is for type checkers: the hook never imports it (docs/architecture.md)
if TYPE_CHECKING:
    from typing import Any, TypeVar

    _K = TypeVar("_K", bound="_Kept")

_FORMAT = 2  # of the answers files: another is not read
_MAX_QUESTIONS = 64  # questions kept per root; past this the answers start afresh


class _Kept:
    """One root's file of what its files held, each file's entry valid while its size and
    time are those recorded (`[size, mtime, ...]`)."""

    KIND = ""  # the file's name starts with it

    def __init__(self, file: Path, root: str) -> None:
        self._file = file
        self._root = root
        self._files: dict[str, list[Any]] = {}  # absolute path -> [size, mtime, ...]
        self._changed = False

    @classmethod
    def of(cls: type[_K], root: Path) -> _K | None:
        """What is recorded for the project at `root`, when this run keeps it
        (`dependencies.keeping_reads_in`)."""
        directory = kept_reads_directory()
        if directory is None:
            return None
        absolute = os.path.abspath(root)
        kept = cls(directory / f"{cls.KIND}-{zlib.crc32(os.fsencode(absolute)):08x}.json", absolute)
        try:
            data = json.loads(kept._file.read_bytes())
            # another root whose name has the same checksum is replaced when saved
            if data["format"] == _FORMAT and data["root"] == absolute and isinstance(data["files"], dict):
                kept._loaded(data)
                # an entry of another shape (a damaged file) is a file never read
                kept._files = {path: entry for path, entry in kept._files.items() if kept._well_formed(entry)}
        except (OSError, ValueError, KeyError, TypeError):
            pass  # none yet, or damaged: every file is read again
        return kept

    def _loaded(self, data: dict[str, Any]) -> None:
        self._files = data["files"]

    @staticmethod
    def _well_formed(entry: Any) -> bool:
        return False

    def _valid(self, stamp: Stamp) -> list[Any] | None:
        """The file's entry, while the file is as it was when it was written."""
        entry = self._files.get(stamp[0])
        return entry if entry is not None and entry[0] == stamp[1] and entry[1] == stamp[2] else None

    def _entry(self, stamp: Stamp, new: list[Any]) -> list[Any] | None:
        """The file's entry, to record what a read of it found: `new` when the file changed
        since its entry was written; None when its time is too recent to trust (it is read
        again next time)."""
        path, size, mtime = stamp
        self._changed = True
        if racy(mtime):
            self._files.pop(path, None)
            return None
        entry = self._valid(stamp)
        if entry is None:
            entry = self._files[path] = [size, mtime, *new]
        return entry

    def _payload(self) -> dict[str, Any]:
        return {}

    def save(self, listed: Sequence[Stamp]) -> None:
        """Write what is kept, of the files listed now (a file gone is forgotten), when it
        changed; a cache that cannot be written costs the next run reads, never this one."""
        if not self._changed:
            return
        kept = {path: self._files[path] for path, _, _ in listed if path in self._files}
        payload = {"format": _FORMAT, "root": self._root, **self._payload(), "files": kept}
        with contextlib.suppress(OSError):
            self._file.parent.mkdir(parents=True, exist_ok=True)
            replace_file(self._file, json.dumps(payload, separators=(",", ":")))
        self._changed = False


class ScanAnswers(_Kept):
    """What the files of one project root held for the questions searched so far, and for the
    consumers' search: an entry is `[size, mtime, the questions searched for (bits), those it
    holds (bits), consumer]`, where `consumer` is 0 when the file was not read for its
    consumer's marker, None without one, else the config names it writes."""

    KIND = "scan"

    def __init__(self, file: Path, root: str) -> None:
        super().__init__(file, root)
        self.questions: list[str] = []  # a question's bit is its position here

    def _loaded(self, data: dict[str, Any]) -> None:
        questions = data["questions"]
        if isinstance(questions, list) and len(questions) <= _MAX_QUESTIONS:
            self.questions, self._files = [str(q) for q in questions], data["files"]

    def _payload(self) -> dict[str, Any]:
        return {"questions": self.questions}

    @staticmethod
    def _well_formed(entry: Any) -> bool:
        return (
            type(entry) is list
            and len(entry) == 5
            and all(type(n) is int for n in entry[:4])
            and (entry[4] == 0 or entry[4] is None or _names(entry[4]))
        )

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
        entry = self._valid(stamp)
        if entry is None or entry[2] & asked != asked:
            return None
        held: int = entry[3] & asked
        return held

    def record(self, stamp: Stamp, asked: int, held: int) -> None:
        """What a read of the file found: of the questions `asked`, those it holds."""
        entry = self._entry(stamp, [0, 0, 0])
        if entry is not None:
            entry[2] |= asked
            entry[3] = (entry[3] & ~asked) | held

    def consumer(self, stamp: Stamp) -> tuple[bool, tuple[str, ...]] | None:
        """Whether the file holds a consumer's marker (`Scan.consumers`), and the config names
        it writes; None when that is not known (it changed since, or was never read for it)."""
        entry = self._valid(stamp)
        if entry is None or entry[4] == 0:
            return None
        names = entry[4]
        return (False, ()) if names is None else (True, tuple(names))

    def record_consumer(self, stamp: Stamp, names: tuple[str, ...] | None) -> None:
        """What a read of the file found: the config names it writes, None without a marker."""
        entry = self._entry(stamp, [0, 0, 0])
        if entry is not None:
            entry[4] = None if names is None else list(names)


class KeptImports(_Kept):
    """What each file of one project root imports (`project_scan._imports`), as a whole read
    of the root found it (`Scan.files`): an entry is `[size, mtime, names, modules]`. Apart
    from the answers, which every search loads: a file's imports are a few dozen names, and
    most runs never read a root whole."""

    KIND = "imports"

    @staticmethod
    def _well_formed(entry: Any) -> bool:
        return type(entry) is list and len(entry) == 4 and all(type(n) is int for n in entry[:2]) and _names(entry[2]) and _names(entry[3])

    def imports(self, stamp: Stamp) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
        """(the names imported by `from ... import`, every module name) of the file; None
        when it changed since, or was never read whole."""
        entry = self._valid(stamp)
        return None if entry is None else (tuple(entry[2]), tuple(entry[3]))

    def record(self, stamp: Stamp, imported: tuple[str, ...], modules: tuple[str, ...]) -> None:
        entry = self._entry(stamp, [[], []])
        if entry is not None:
            entry[2:] = [list(imported), list(modules)]


def _names(value: Any) -> bool:
    return type(value) is list and all(type(name) is str for name in value)
