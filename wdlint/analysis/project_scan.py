"""One bounded scan of a project's Python files, shared by whatever looks across its files.

A config's optimizer is linked to the code that consumes it (`frontends/dialects/links.py`) and
a helper that builds the optimizer is read as the callers in other files call it
(`analysis/callers.py`): both need the project's other files, and reading all of them for each
file linted would be quadratic. So the files under a project root are scanned once per process
and root: breadth first, bounded in depth, count and size, not following symlinked directories.
Each file is kept only as what cheap byte-level markers say of it (nothing is parsed here):

- the config names it writes, where it holds a consumer's marker (`deepspeed`, `instantiate`...);
- the names it imports and the modules it imports them from, and the attributes it calls on
  an imported module (`m.make_opt(...)`).

Whoever uses the scan records its dependencies (`frontends/dependencies.py`): every directory
listed (a file added, removed or replaced changes it), and the stamps of the files it picks.
"""

from __future__ import annotations

import collections
import os
import re
from dataclasses import dataclass
from pathlib import Path

from wdlint.frontends.dependencies import Stamp
from wdlint.knowledge.consumers import CONSUMER_MARKERS, PROJECT_MARKERS

MAX_UP = 6  # how far up from a file the project root is looked for
_MAX_DEPTH = 6  # how deep below the root the scan goes
_MAX_FILES = 3000  # Python files scanned per root
_MAX_BYTES = 2_000_000  # a larger file is no training script
_SKIPPED_DIRS = frozenset({"node_modules", "__pycache__", "site-packages", "venv", "build", "dist"})
_CONFIG_DIRS = frozenset({"config", "configs", "conf", "cfg"})  # a config's folder beside the code


def project_root(path: Path) -> Path:
    """The nearest directory up from `path` that holds a project marker; else its directory
    (the parent of that when it is a `configs/` folder beside the code)."""
    for base in [path.parent, *list(path.parent.parents)[:MAX_UP]]:
        if any((base / marker).exists() for marker in PROJECT_MARKERS):
            return base
    return path.parent.parent if path.parent.name.lower() in _CONFIG_DIRS else path.parent


@dataclass(frozen=True)
class ScannedFile:
    path: Path
    stamp: Stamp
    config_names: frozenset[str] | None  # None: no consumer's marker, it consumes no config
    # names imported by `from ... import`, and attributes called on an imported module
    imported: frozenset[str]
    # every part of the modules it imports from, and the names `from ... import` binds
    modules: frozenset[str]

    def may_import(self, name: str, module_names: frozenset[str]) -> bool:
        """Whether the file may call `name` imported from a module one of `module_names` names."""
        return name in self.imported and not self.modules.isdisjoint(module_names)


@dataclass(frozen=True)
class Scan:
    directories: tuple[Stamp, ...]  # every directory listed
    files: tuple[ScannedFile, ...]  # the files with a consumer's marker or an import


_SCANS: dict[Path, Scan] = {}  # per process, by project root: one scan serves every file


def scan(root: Path) -> Scan:
    """The scan of the project at `root` (once per process)."""
    found = _SCANS.get(root)
    if found is None:
        found = _SCANS[root] = _scan(root)
    return found


def clear_scans() -> None:
    """Forget the scans of this process (for a caller that lints again after files changed)."""
    _SCANS.clear()


# a quoted config file name (its basename is kept), and Hydra's `config_name="train"`
_CONFIG_FILE = re.compile(rb"""["']([^"'\r\n]{0,200}\.(?:json|ya?ml))["']""", re.IGNORECASE)
_CONFIG_NAME = re.compile(rb"""config_name\s*=\s*["']([^"'\r\n]{1,200})["']""")
# `from pkg.mod import a, b as c` (parenthesized over lines too), `import pkg.mod as m, os`
_FROM = re.compile(rb"^[ \t]*from[ \t]+([\w.]+)[ \t]+import[ \t]*(\([^)]*\)|[^\r\n#;]*)", re.MULTILINE)
_IMPORT = re.compile(rb"^[ \t]*import[ \t]+([^\r\n#;]+)", re.MULTILINE)
_DOTTED_CALL = re.compile(rb"\b([A-Za-z_][\w.]*)\.([A-Za-z_]\w*)[ \t]*\(")


def _config_names(data: bytes) -> frozenset[str]:
    found = {m.group(1) for m in _CONFIG_FILE.finditer(data)} | {m.group(1) for m in _CONFIG_NAME.finditer(data)}
    return frozenset(os.path.basename(n.decode(errors="replace").replace("\\", "/")) for n in found)


def _aliases(text: bytes) -> list[tuple[str, str]]:
    """(name, bound as) of each `a.b as c` in an import list."""
    found = []
    for part in text.strip(b"() \t\\").replace(b"\\", b" ").split(b","):
        words = part.split()
        if len(words) == 1:
            found.append((words[0], words[0]))
        elif len(words) == 3 and words[1] == b"as":
            found.append((words[0], words[2]))
    return [(n.decode(errors="replace"), a.decode(errors="replace")) for n, a in found]


def _imports(data: bytes) -> tuple[frozenset[str], frozenset[str]]:
    """(imported names and attributes called on imported modules, module names) of a file."""
    if b"import" not in data:
        return frozenset(), frozenset()
    imported: set[str] = set()
    modules: set[str] = set()
    bound: set[str] = set()  # what may name a module: `m`, `pkg.mod`, `mod` of `from pkg import mod`
    for match in _FROM.finditer(data):
        modules.update(p for p in match.group(1).decode(errors="replace").split(".") if p)
        for name, alias in _aliases(match.group(2)):
            imported.add(name)
            modules.add(name)
            bound.add(alias)
    for match in _IMPORT.finditer(data):
        for name, alias in _aliases(match.group(1)):
            modules.update(name.split("."))
            bound.add(alias)
    if bound:
        for match in _DOTTED_CALL.finditer(data):
            if match.group(1).decode(errors="replace") in bound:
                imported.add(match.group(2).decode(errors="replace"))
    return frozenset(imported), frozenset(modules)


def _scan(root: Path) -> Scan:
    files: list[ScannedFile] = []
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
            if names is not None or imported:
                stamp = (os.path.abspath(entry.path), status.st_size, status.st_mtime_ns)
                files.append(ScannedFile(Path(entry.path), stamp, names, imported, modules))
            if count >= _MAX_FILES:
                break
    return Scan(tuple(directories), tuple(files))
