"""The result cache: a warm run re-reads only what changed.

`.wdlint_cache/` at the project root (or `--cache-dir`, or `WDLINT_CACHE_DIR`) holds, per wdlint
version and settings (the settings written in each file, compared whole on load), `SHARDS` JSON
files, each mapping the linted files whose path falls to it to their size, modification time,
content checksum, the per-file ignores they were linted with, the stamps of the other files
they read (imported modules, `_base_` configs) and their diagnostics. A file whose size and
time are unchanged is a hit without being read; one whose time changed but whose content did
not (a `touch`, a checkout) is a hit after a read. Writes replace a shard atomically, merging
what another wdlint process wrote meanwhile, so concurrent runs never corrupt it.

A run reads only the shards of its files, and writes those it changed: the pre-commit hook,
handed a few files of a large project, reads and writes a sixteenth of its results, not all.
The version's directory also holds the project scans' answers (`analysis/scan_answers.py`),
which do not depend on the settings.
"""

from __future__ import annotations

import functools
import json
import os
import sys
import zlib
from collections.abc import Iterable
from pathlib import Path

from wdlint import __version__
from wdlint.diagnostics import Diagnostic
from wdlint.engine.jobs import FileJob, FileResult, LintOptions
from wdlint.files import replace_file
from wdlint.frontends.dependencies import racy, unchanged
from wdlint.frontends.formats import format_for
from wdlint.frontends.text import SourceError

TYPE_CHECKING = False  # `typing` is for type checkers: the hook never imports it (docs/architecture.md)
if TYPE_CHECKING:
    from typing import Any

CACHE_DIR_NAME = ".wdlint_cache"
ENVIRONMENT_VARIABLE = "WDLINT_CACHE_DIR"
# A file's result is in the shard its path's checksum picks. One shard per project made a
# one-file run in transformers' tree (2,951 results, 661 KB) parse and write them all, 16 ms
# of a 62 ms run; sixteen make that 1 ms, and a whole warm run opens 15 files more.
SHARDS = 16
_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by wdlint.\n"
    "# For information about cache directory tags see https://bford.info/cachedir/\n"
)


def checksum(data: bytes) -> int:
    """Confirms that content is unchanged after its modification time changed; with the size it
    must match too, a collision of this 32-bit sum cannot go unnoticed by chance."""
    return zlib.crc32(data)


def cache_directory(root: Path, option: Path | None) -> Path:
    if option is not None:
        return option
    from_environment = os.environ.get(ENVIRONMENT_VARIABLE)
    return Path(from_environment) if from_environment else root / CACHE_DIR_NAME


def settings_key(options: LintOptions) -> str:
    """Results depend on the selected rules, the target torch version, the size limit, whether
    fixes' edits are written out (the formats that show them), the Python whose parser reads
    the files (a 3.12 file is a syntax error to 3.11), and wdlint's own code (`code_stamp`).
    The rules are keyed by the selection as written, which with the code decides the codes, so
    a warm run loads no rule. The key is this text itself: a cache file holds the key it was
    written under and is read only under the same key, so no digest has to be trusted (nor
    hashlib imported)."""
    return json.dumps(
        [
            options.select,
            options.extend_select,
            options.ignore,
            options.target_torch_version,
            options.max_file_size,
            options.fix_edits,
            sys.version_info[:2],
            code_stamp(),
        ]
    )


@functools.cache
def code_stamp() -> str:
    """The path, size and modification time of every module of wdlint: the version alone would
    let a checkout that changed the rules (an editable install, a development tree) read the
    results of the code it replaced. One stat a module (about 140), and each folder listed once
    with `os.scandir`: `os.walk` and a `Path.resolve` of the package took twice as long, a
    twentieth of a pre-commit run on a file with no optimizer."""
    stamp = []
    pending = [os.path.dirname(os.path.dirname(os.path.abspath(__file__)))]
    while pending:
        with os.scandir(pending.pop()) as listing:
            entries = sorted(listing, key=lambda entry: entry.name)
        for entry in entries:
            if entry.name.endswith(".py"):
                status = entry.stat()
                stamp.append(f"{entry.path}:{status.st_size}:{status.st_mtime_ns}")
            elif entry.name != "__pycache__" and entry.is_dir(follow_symlinks=False):
                pending.append(entry.path)
    return "\n".join(stamp)


class ResultCache:
    def __init__(self, directory: Path, options: LintOptions) -> None:
        self.directory = directory
        self.key = settings_key(options)
        # the name only spreads settings over files: a clash of two keys costs misses, never
        # a result of other settings (the key inside is compared)
        self._stem = f"{zlib.crc32(self.key.encode()):08x}"
        self._shards: dict[int, _Shard] = {}  # those read so far
        self._updates: dict[int, dict[str, dict[str, Any]]] = {}  # shard -> entries to write
        # entries are keyed by absolute path: os.path.abspath's result, with one getcwd for the run
        self._cwd = os.path.join(os.getcwd(), "")

    def _key(self, path: str) -> str:
        return os.path.normpath(path if os.path.isabs(path) else self._cwd + path)

    def _file(self, shard: int) -> Path:
        return self.directory / __version__ / f"{self._stem}-{shard:x}.json"

    def _shard(self, key: str) -> tuple[int, dict[str, dict[str, Any]]]:
        """The shard an entry's key falls to, and its entries."""
        number = zlib.crc32(key.encode("utf-8", "surrogateescape")) % SHARDS
        return number, self._entries_of(number)

    def _entries_of(self, number: int) -> dict[str, dict[str, Any]]:
        """A shard's entries, read when first asked for."""
        shard = self._shards.get(number)
        if shard is None:
            shard = self._shards[number] = _Shard.load(self._file(number), self.key)
        return shard.entries

    @property
    def entries(self) -> dict[str, dict[str, Any]]:
        """Every entry of every shard (a look at the whole cache; a run reads its files' own)."""
        return {key: entry for number in range(SHARDS) for key, entry in self._entries_of(number).items()}

    def lookup(self, job: FileJob) -> FileResult | FileJob:
        """The cached result, or the job to run (with the content, when it was read here)."""
        path = os.fspath(job.path)
        key = self._key(path)
        number, entries = self._shard(key)
        entry = entries.get(key)
        if entry is None or entry.get("ignore") != list(job.ignore):
            return job
        try:
            status = os.stat(path)
            if status.st_size != entry["size"]:
                return job
            data = None
            if status.st_mtime_ns != entry["mtime"] or racy(status.st_mtime_ns):  # then trust the checksum
                data = job.path.read_bytes()
                if checksum(data) != entry["checksum"]:
                    return FileJob(job.path, job.display, job.ignore, data, status.st_mtime_ns)
                entry["mtime"] = status.st_mtime_ns  # touched, not changed: remember the new time
                self._updates.setdefault(number, {})[key] = entry
            stamps = entry["dependencies"]  # most files read no other file
            if stamps and not all(unchanged((str(a), int(b), int(c))) for a, b, c in stamps):
                return FileJob(job.path, job.display, job.ignore, data, status.st_mtime_ns if data else None)
            # named as this run names the file (it may run from another directory)
            found = entry["diagnostics"]
            diagnostics = (
                tuple(Diagnostic.from_dict(d)._replace(filename=job.display) for d in found) if found else ()
            )
            dependencies = tuple((str(a), int(b), int(c)) for a, b, c in stamps) if stamps else ()
        except (OSError, KeyError, TypeError, ValueError):
            return job  # an entry we cannot read is a miss
        return FileResult(job.display, diagnostics, _source(job.path) if diagnostics else None, dependencies=dependencies)

    def store(self, jobs: Iterable[FileJob], results: Iterable[FileResult]) -> None:
        for job, result in zip(jobs, results):
            if result.checksum is None or result.mtime_ns is None or result.fixed:
                continue  # unreadable, or changed by --fix: linted afresh next time
            try:
                status = job.path.stat()
            except OSError:
                continue
            if (status.st_size, status.st_mtime_ns) != (result.size, result.mtime_ns):
                # changed while we read or linted it (another run's --fix, an editor): the
                # findings are of a content that is gone
                continue
            key = self._key(os.fspath(job.path))
            number, _ = self._shard(key)
            self._updates.setdefault(number, {})[key] = {
                "size": status.st_size,
                "mtime": result.mtime_ns,
                "checksum": result.checksum,
                "ignore": list(job.ignore),
                "dependencies": [list(stamp) for stamp in result.dependencies],
                "diagnostics": [d.to_dict() for d in result.diagnostics],
            }

    def save(self) -> None:
        """Merge our entries into each shard we changed as it is on disk now, and replace it in
        one rename."""
        if not self._updates:
            return
        try:
            self._prepare_directory()
        except OSError:
            return  # a cache we cannot write costs speed, never a run
        for number, updates in sorted(self._updates.items()):
            self._shards[number].save(self._file(number), self.key, updates)

    def scan_answers_directory(self) -> Path | None:
        """Where the project scans of this run keep their answers: the cache's directory for
        this version of wdlint (whatever the settings: what a file holds does not depend on
        them); None when it cannot be made."""
        try:
            self._prepare_directory()
        except OSError:
            return None
        return self.directory / __version__

    def _prepare_directory(self) -> None:
        (self.directory / __version__).mkdir(parents=True, exist_ok=True)
        tag = self.directory / "CACHEDIR.TAG"
        if not tag.exists():
            tag.write_text(_TAG, encoding="utf-8")
        ignore = self.directory / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# created by wdlint\n*\n", encoding="utf-8")


class _Shard:
    """One cache file's entries, and which file they were read from."""

    def __init__(self, entries: dict[str, dict[str, Any]], loaded: tuple[int, int, int] | None) -> None:
        self.entries = entries
        self.loaded = loaded

    @classmethod
    def load(cls, file: Path, settings: str) -> _Shard:
        loaded = _identity(file)  # what was read, taken before the read
        return cls(_read_entries(file, settings), loaded)

    def save(self, file: Path, settings: str, updates: dict[str, dict[str, Any]]) -> None:
        try:
            # another run may have saved since we loaded: keep its entries (a race between
            # the load and the rename loses entries, which is a miss next time, never damage);
            # a file nobody replaced is what we hold, and is not read twice
            unchanged_since = self.loaded is not None and _identity(file) == self.loaded
            current = self.entries if unchanged_since else _read_entries(file, settings)
            entries = {**current, **updates}
            payload = json.dumps({"version": __version__, "settings": settings, "files": entries}, separators=(",", ":"))
            replace_file(file, payload)
        except OSError:
            return  # a cache we cannot write costs speed, never a run


def _read_entries(file: Path, settings: str) -> dict[str, dict[str, Any]]:
    try:
        data = json.loads(file.read_bytes())
    except (OSError, ValueError):
        return {}  # no cache yet, or a damaged one: start afresh
    if not isinstance(data, dict) or data.get("settings") != settings:
        return {}
    files = data.get("files")
    return files if isinstance(files, dict) else {}


def _identity(path: Path) -> tuple[int, int, int] | None:
    """Which file is at `path` (every save replaces it, so a new one has a new inode), its size
    and time; None when there is none."""
    try:
        status = os.stat(path)
    except OSError:
        return None
    return status.st_ino, status.st_size, status.st_mtime_ns


def _source(path: Path) -> str | None:
    """The text the `full` format quotes, read again for a cached result with findings."""
    try:
        return format_for(path).decode(path.read_bytes())
    except (OSError, SourceError):
        return None


def clean(directory: Path) -> bool:
    """Remove a cache directory; False when there was none."""
    import shutil

    if not (directory / "CACHEDIR.TAG").exists():
        return False
    shutil.rmtree(directory, ignore_errors=True)
    return True
