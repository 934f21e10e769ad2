"""One bounded scan of a project's Python files, shared by whatever looks across its files.

A config's optimizer is linked to the code that consumes it (`frontends/dialects/links.py`) and
a helper that builds the optimizer is read as the callers in other files call it
(`analysis/callers.py`): both need the project's other files, and reading all of them for each
file linted would be quadratic. So the files under a project root are scanned once per process
and root: breadth first, bounded in depth, count and size, not following symlinked directories.
Each file is kept only as what cheap byte-level markers say of it (nothing is parsed here):

- the config names it writes, where it holds a consumer's marker (`deepspeed`, `instantiate`...);
- the names it imports and the modules it imports them from (its import lines only: a file
  that imports a module may call any name of it, `m.make_opt(...)`, which is looked for in its
  bytes when asked, `mentions`).

Notebooks are listed, not read: a notebook's import lines are JSON strings, and its outputs make
it large; whoever asks reads the few that mention what it looks for (`mentions`).

Whoever uses the scan records its dependencies (`frontends/dependencies.py`): every directory
listed (a file added, removed or replaced changes it), and the stamps of the files it picks.
"""

from __future__ import annotations

import collections
import os
import re
import sys
from collections.abc import Iterable
from pathlib import Path

from wdlint.frontends.dependencies import Stamp
from wdlint.knowledge.consumers import CONSUMER_MARKERS, PROJECT_MARKERS
from wdlint.records import Record, field

MAX_UP = 6  # how far up from a file the project root is looked for
_MAX_DEPTH = 6  # how deep below the root the scan goes
_MAX_FILES = 3000  # Python files scanned per root
_MAX_BYTES = 2_000_000  # a larger file is no training script
_MAX_NOTEBOOK_BYTES = 20_000_000  # a notebook's outputs (images) count in its size
_MAX_NOTEBOOKS = 1000  # notebooks listed per root
_SKIPPED_DIRS = frozenset({"node_modules", "__pycache__", "site-packages", "venv", "build", "dist"})
_CONFIG_DIRS = frozenset({"config", "configs", "conf", "cfg"})  # a config's folder beside the code


def project_root(path: Path) -> Path:
    """The nearest directory up from `path` that holds a project marker; else its directory
    (the parent of that when it is a `configs/` folder beside the code)."""
    for base in [path.parent, *list(path.parent.parents)[:MAX_UP]]:
        if any((base / marker).exists() for marker in PROJECT_MARKERS):
            return base
    return path.parent.parent if path.parent.name.lower() in _CONFIG_DIRS else path.parent


class ScannedFile(Record):
    # Kept for every scanned file of every project root for the whole process, so kept small:
    # the path as text, and the names as sorted tuples of interned strings (a file's imports
    # are a few dozen names; frozensets and a `Path` each cost several times their content,
    # and each file's copy of `torch` or `nn` its own string)
    __slots__ = ("config_names", "imported", "location", "modules", "stamp")

    location: str  # the file's path
    stamp: Stamp
    config_names: tuple[str, ...] | None  # None: no consumer's marker, it consumes no config
    imported: tuple[str, ...]  # the names imported by `from ... import`
    # every part of the modules it imports from, and the names `from ... import` binds
    modules: tuple[str, ...]

    @property
    def path(self) -> Path:
        return Path(self.location)

    def may_import(self, name: str, module: str, package: str) -> bool:
        """Whether the file may call `name` of the module `module` of the package `package`:
        it imports that module (or a name of it) and imports `name` or writes it, or imports
        `name` from the package (which may re-export it)."""
        if name in self.imported and (module in self.modules or package in self.modules):
            return True
        return module in self.modules and mentions(self.path, name)


class Scan(Record):
    directories: tuple[Stamp, ...]  # every directory listed
    files: tuple[ScannedFile, ...]  # the files with a consumer's marker or an import
    notebooks: tuple[tuple[Path, Stamp], ...] = ()  # listed only: (path, stamp)
    # module name -> the positions in `files` of those that import a module of that name (or
    # a name of it), built on the first question
    _by_module: dict[str, list[int]] = field(default_factory=dict, compare=False)

    def importing(self, *modules: str) -> list[ScannedFile]:
        """The files whose imports name one of `modules`, in the scan's order."""
        if not self._by_module and self.files:
            for position, scanned in enumerate(self.files):
                for name in scanned.modules:
                    self._by_module.setdefault(name, []).append(position)
        positions = sorted({p for module in modules for p in self._by_module.get(module, ())})
        return [self.files[p] for p in positions]


_SCANS: dict[Path, Scan] = {}  # per process, by project root: one scan serves every file
_MENTIONS: dict[tuple[Path, str], bool] = {}  # per process: whether a file's bytes hold a name


def scan(root: Path) -> Scan:
    """The scan of the project at `root` (once per process)."""
    found = _SCANS.get(root)
    if found is None:
        found = _SCANS[root] = _scan(root)
    return found


def clear_scans() -> None:
    """Forget the scans of this process (for a caller that lints again after files changed)."""
    _SCANS.clear()
    _MENTIONS.clear()


def mentions(path: Path, name: str) -> bool:
    """Whether the file's bytes hold `name` (read once per process and name)."""
    key = (path, name)
    found = _MENTIONS.get(key)
    if found is None:
        try:
            found = name.encode() in path.read_bytes()
        except OSError:
            found = False
        _MENTIONS[key] = found
    return found


# a quoted config file name (its basename is kept), and Hydra's `config_name="train"`
_CONFIG_FILE = re.compile(rb"""["']([^"'\r\n]{0,200}\.(?:json|ya?ml))["']""", re.IGNORECASE)
_CONFIG_NAME = re.compile(rb"""config_name\s*=\s*["']([^"'\r\n]{1,200})["']""")
# a line `from pkg.mod import a, b as c` (parenthesized over lines too), `import pkg.mod as m, os`
_COMMENT = re.compile(rb"#[^\r\n]*")
_IMPORT_LINE = re.compile(rb"[ \t]*(?:from[ \t]+([\w.]+)[ \t]+)?import[ \t]*(\([^)]*\)|[^\r\n#;]*)")


def _config_names(data: bytes) -> tuple[str, ...]:
    found = {m.group(1) for m in _CONFIG_FILE.finditer(data)} | {m.group(1) for m in _CONFIG_NAME.finditer(data)}
    return _compact(os.path.basename(n.decode(errors="replace").replace("\\", "/")) for n in found)


def _compact(names: Iterable[str]) -> tuple[str, ...]:
    """Distinct names, sorted, each string shared with every other file that names it."""
    return tuple(sorted({sys.intern(name) for name in names}))


def _names(text: bytes) -> list[str]:
    """The names of an import list: `a.b` of `a.b as c`."""
    found = []
    for part in _COMMENT.sub(b"", text).strip(b"() \t\\").replace(b"\\", b" ").split(b","):
        words = part.split()
        if len(words) == 1 or (len(words) == 3 and words[1] == b"as"):
            found.append(words[0].decode(errors="replace"))
    return found


def _imports(data: bytes) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(the names imported by `from ... import`, every module name) of a file: only the lines
    where `import` is are read, so a large file costs little more than a search."""
    imported: set[str] = set()
    modules: set[str] = set()
    at = data.find(b"import")
    while at != -1:
        match = _IMPORT_LINE.match(data, data.rfind(b"\n", 0, at) + 1)
        if match is None or match.end() <= at:
            at = data.find(b"import", at + 6)
            continue
        source = match.group(1)
        for name in _names(match.group(2)):
            if source is None:
                modules.update(name.split("."))
            else:
                imported.add(name)
                modules.add(name)
        if source is not None:
            modules.update(p for p in source.decode(errors="replace").split(".") if p)
        at = data.find(b"import", match.end())
    return _compact(imported), _compact(modules)


def _scan(root: Path) -> Scan:
    files: list[ScannedFile] = []
    notebooks: list[tuple[Path, Stamp]] = []
    directories: list[Stamp] = []
    pending = collections.deque([(root, 0)])  # breadth first: the files nearest the root first
    count = 0
    while pending and count < _MAX_FILES:
        directory, depth = pending.popleft()
        try:
            status = os.stat(directory)
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError:
            continue
        directories.append((os.path.abspath(directory), status.st_size, status.st_mtime_ns))
        for entry in entries:
            if entry.name.startswith(".") or entry.name in _SKIPPED_DIRS:
                continue
            try:
                if entry.is_dir(follow_symlinks=False):
                    if depth < _MAX_DEPTH:
                        pending.append((Path(entry.path), depth + 1))
                    continue
                if entry.name.endswith(".ipynb") and len(notebooks) < _MAX_NOTEBOOKS and entry.is_file():
                    status = entry.stat()
                    if status.st_size <= _MAX_NOTEBOOK_BYTES:
                        notebooks.append((Path(entry.path), (os.path.abspath(entry.path), status.st_size, status.st_mtime_ns)))
                    continue
                if not entry.name.endswith(".py") or not entry.is_file():
                    continue
                status = entry.stat()
                if status.st_size > _MAX_BYTES:
                    continue
                data = Path(entry.path).read_bytes()
            except OSError:
                continue
            count += 1
            # a marker a write adds without replacing the file (which changes its directory)
            # goes unseen: only the files a marker picks are recorded by their users
            names = _config_names(data) if any(marker in data for marker in CONSUMER_MARKERS) else None
            imported, modules = _imports(data)
            if names is not None or modules:
                absolute = os.path.abspath(entry.path)
                # one string for both where they are the same (the scan of an absolute root)
                stamp = (entry.path if absolute == entry.path else absolute, status.st_size, status.st_mtime_ns)
                files.append(ScannedFile(entry.path, stamp, names, imported, modules))
            if count >= _MAX_FILES:
                break
    return Scan(tuple(directories), tuple(files), tuple(notebooks))
