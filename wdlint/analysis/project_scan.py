"""One bounded scan of a project's Python files, shared by whatever looks across its files.

A config's optimizer is linked to the code that consumes it (`frontends/dialects/links.py`) and
a helper that builds the optimizer is read as the callers in other files call it
(`analysis/callers.py`): both need the project's other files, and reading all of them for each
file linted would be quadratic. So the files under a project root are listed once per process
and root: breadth first, bounded in depth, count and size, not following symlinked directories.
Each file is known only as what cheap byte-level markers say of it (nothing is parsed here):

- the names it imports and the modules it imports them from (its import lines only: a file
  that imports a module may call any name of it, `m.make_opt(...)`, which is looked for in its
  bytes when asked, `mentions`);
- the config names it writes, where it holds a consumer's marker (`deepspeed`, `instantiate`...):
  one search of the root's bytes for the markers, the first time a config asks (`consumers`).

Most roots are asked a question or two about imports (a package of thousands of files, two
helpers called with a parameter): each of the first questions is a search of the files' bytes
for what every file it keeps must hold (the helper's name), and only the few that hold it are
read for their imports. The questions one module is about to ask (its helpers, `callers`) are
told ahead (`expect_importers`) and searched for together, each file read once for all of them.
A root asked more than `_SEARCHES` such searches, or more questions at once than one search
answers cheaply, is read whole, once; a run reads each root's bytes at most `_SEARCHES + 2`
times, and answers alike either way.

Notebooks are listed, not read: a notebook's import lines are JSON strings, and its outputs make
it large; whoever asks reads the few that mention what it looks for (`mentions`).

In a run with a result cache, what the searches, the whole reads and the consumers' search
found of each file is kept between runs (`scan_answers.py`): a later run reads again only the
files that changed.

Whoever uses the scan records its dependencies (`frontends/dependencies.py`): every directory
listed (a file added, removed or replaced changes it), and the stamps of the files it picks.
"""

from __future__ import annotations

import collections
import json
import os
import re
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

from wdlint.analysis.scan_answers import KeptImports, ScanAnswers
from wdlint.files import read_file
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
        if _marked(os.fspath(base)):
            return base
    return path.parent.parent if path.parent.name.lower() in _CONFIG_DIRS else path.parent


def _marked(directory: str) -> bool:
    """Whether the directory holds a project marker (looked for once per process: the files of
    a tree share their directories, and every helper with a parameter asks for its file's root;
    28 stats a question cost a dense tree's run 27 ms)."""
    found = _MARKED.get(directory)
    if found is None:
        prefix = os.path.join(directory, "")
        found = _MARKED[directory] = any(os.path.exists(prefix + marker) for marker in PROJECT_MARKERS)
    return found


# a question about imports, as a search of the bytes asks it: (the names a file must hold every
# one of, the names it must hold one of)
_Key = tuple[tuple[bytes, ...], tuple[bytes, ...]]


class ScannedFile(Record):
    # Kept for every scanned file of every project root for the whole process, so kept small:
    # the path as text, and the names as sorted tuples of interned strings (a file's imports
    # are a few dozen names; frozensets and a `Path` each cost several times their content,
    # and each file's copy of `torch` or `nn` its own string)
    __slots__ = ("imported", "location", "modules", "stamp")

    location: str  # the file's path
    stamp: Stamp
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


class Consumer(Record):
    """A file with a consumer's marker (`deepspeed`, `instantiate`...), and the config names it
    writes."""

    __slots__ = ("config_names", "location", "stamp")

    location: str
    stamp: Stamp
    config_names: tuple[str, ...]

    @property
    def path(self) -> Path:
        return Path(self.location)


class Scan(Record):
    """A project's files as listed; what each one's bytes say, read when a question needs it."""

    directories: tuple[Stamp, ...]  # every directory listed
    listed: tuple[tuple[str, Stamp], ...]  # the Python files, in the scan's order
    notebooks: tuple[tuple[Path, Stamp], ...] = ()  # listed only: (path, stamp)
    root: Path | None = None  # where it was listed from; its searches' answers are kept by it
    # what is known of the listed files: position -> the file (None: it imports nothing),
    # and every one once the whole root is read
    _known: dict[int, ScannedFile | None] = field(default_factory=dict, compare=False)
    _whole: list[tuple[ScannedFile, ...]] = field(default_factory=list, compare=False)
    # (held, one of) of each question searched so far -> the positions of the files that hold them
    _searched: dict[_Key, tuple[int, ...]] = field(default_factory=dict, compare=False)
    _searches: list[int] = field(default_factory=list, compare=False)  # the questions of each search
    _consumers: list[tuple[Consumer, ...]] = field(default_factory=list, compare=False)
    # the answers earlier runs recorded (`scan_answers.py`), loaded at the first search
    _answers: list[ScanAnswers | None] = field(default_factory=list, compare=False)

    @property
    def files(self) -> tuple[ScannedFile, ...]:
        """Every listed file with an import (the whole root read once)."""
        return self._read_whole()

    def _read_whole(self) -> tuple[ScannedFile, ...]:
        if not self._whole:
            known = self._known
            kept = KeptImports.of(self.root) if self.root is not None else None
            for position, (location, stamp) in enumerate(self.listed):
                if position in known:
                    continue
                recorded = kept.imports(stamp) if kept is not None else None
                if recorded is not None:
                    imported, modules = _compact(recorded[0]), _compact(recorded[1])
                else:
                    data = _read(location)
                    if data is None:
                        known[position] = None
                        continue
                    imported, modules = _imports(data)
                    if kept is not None:
                        kept.record(stamp, imported, modules)
                known[position] = _scanned(location, stamp, imported, modules)
            if kept is not None:
                kept.save([stamp for _, stamp in self.listed])
            self._whole.append(tuple(f for f in (known[p] for p in range(len(self.listed))) if f is not None))
            known.clear()  # the tuple holds them now
        return self._whole[0]

    def importers(self, name: str, module: str, package: str, besides: Path) -> list[ScannedFile]:
        """The files but `besides` that may call `name` of the module `module` of the package
        `package` (`ScannedFile.may_import`)."""
        location = str(besides)
        return self._select(
            lambda f: f.location != location and f.may_import(name, module, package), holding=(name,), one_of=(module, package)
        )

    def importing_name(self, name: str, besides: Path) -> list[ScannedFile]:
        """The files but `besides` that import `name` (`from ... import name`)."""
        location = str(besides)
        return self._select(lambda f: f.location != location and name in f.imported, holding=(name,))

    def expect_importers(self, names: Iterable[str], module: str, package: str) -> None:
        """`importers` is about to be asked about each of `names` of one module: the questions
        not answered yet are searched for together (a file read once for all of them), or the
        root is read whole when there are more than one search answers cheaply."""
        if self._whole:
            return
        keys = [key for key in dict.fromkeys(_key((name,), (module, package)) for name in names) if key not in self._searched]
        if not keys:
            return
        if len(keys) > _QUESTIONS_PER_SEARCH or len(self._searches) >= _SEARCHES:
            self._read_whole()  # which answers every later question
            return
        self._search(keys)

    def consumers(self) -> tuple[Consumer, ...]:
        """The files with a consumer's marker, in the scan's order: one search of the root's
        bytes, whatever else it was asked (the whole read reads imports only)."""
        if not self._consumers:
            # a marker a write adds without replacing the file (which changes its directory)
            # goes unseen: only the files a marker picks are recorded by their users
            found = []
            answers = self._recorded()
            for location, stamp in self.listed:
                known = answers.consumer(stamp) if answers is not None else None
                if known is None:
                    data = _read(location)
                    if data is None:
                        continue
                    names = _config_names(data) if any(marker in data for marker in CONSUMER_MARKERS) else None
                    if answers is not None:
                        answers.record_consumer(stamp, names)
                else:
                    names = _compact(known[1]) if known[0] else None
                if names is not None:
                    found.append(Consumer(location, stamp, names))
            if answers is not None:
                answers.save([stamp for _, stamp in self.listed])
            self._consumers.append(tuple(found))
        return self._consumers[0]

    def _select(
        self, keep: Callable[[ScannedFile], bool], holding: Iterable[str] = (), one_of: Iterable[str] = ()
    ) -> list[ScannedFile]:
        """The files `keep` keeps, in the scan's order. Each file `keep` keeps holds every name
        of `holding` and, when given, one of `one_of` in its bytes: before the root is read
        whole, only the files that do are read further."""
        if self._whole:
            return [f for f in self._whole[0] if keep(f)]
        key = _key(holding, one_of)
        if key not in self._searched:
            if len(self._searches) >= _SEARCHES:
                return [f for f in self.files if keep(f)]
            self._search([key])
        return [f for f in (self._known[p] for p in self._searched[key]) if f is not None and keep(f)]

    def _search(self, keys: list[_Key]) -> None:
        """One read of the listed files' bytes: the positions of the files that hold each
        question's needles."""
        self._searches.append(len(keys))
        found: dict[_Key, list[int]] = {key: [] for key in keys}
        # A needle a file lacks is looked for through the whole file, one it holds mostly
        # stops early, and a file is dropped by the first needle it lacks. The questions of one
        # module share its names (`one_of`: the module and its package, whose own files and
        # docs name the package all over); each question has its own (the helper's name, which
        # nearly every file lacks). With fewer questions than module names, each question's
        # own names are looked for first and the module's only in the few files that hold
        # them: on transformers' 2,951 files, a search for one helper read 82 ms, of which
        # 49 ms were the two kinds of needle, the module's first.
        own_first = len(keys) <= min((len(one_of) for _, one_of in keys), default=0)
        answers = self._recorded()
        bits = answers.bits([_question(key) for key in keys]) if answers is not None else []
        asked = sum(bits)
        for position, (location, stamp) in enumerate(self.listed):
            held = answers.held(stamp, asked) if answers is not None else None
            data = None
            if held is None:
                data = _read(location)
                if data is None:
                    continue
                holds = _holding(data, keys, own_first)
                if answers is not None:
                    answers.record(stamp, asked, sum(bit for bit, key in zip(bits, keys) if key in holds))
            else:
                holds = [key for bit, key in zip(bits, keys) if held & bit]
                if holds and position not in self._known:
                    data = _read(location)  # one of the few that hold a name: read for its imports
                    if data is None:
                        continue
            for key in holds:
                found[key].append(position)
                if position not in self._known:
                    assert data is not None
                    self._known[position] = _scanned(location, stamp, *_imports(data))
                for name in key[0]:  # what `mentions` would read the file again for
                    _MENTIONS[(Path(location), os.fsdecode(name))] = True
        if answers is not None:
            answers.save([stamp for _, stamp in self.listed])
        self._searched.update((key, tuple(positions)) for key, positions in found.items())

    def _recorded(self) -> ScanAnswers | None:
        if not self._answers:
            self._answers.append(ScanAnswers.of(self.root) if self.root is not None else None)
        return self._answers[0]


def _holding(data: bytes, keys: list[_Key], own_first: bool) -> list[_Key]:
    """The questions whose needles the bytes hold: each question's own names (`holding`) and
    one of its module's (`one_of`), looked for in the order `_search` chose."""
    held = []
    mentioned: dict[tuple[bytes, ...], bool] = {}  # the module's names, looked for once a file
    for key in keys:
        holding, one_of = key
        if own_first and not all(n in data for n in holding):
            continue
        if one_of:
            if one_of not in mentioned:
                mentioned[one_of] = any(n in data for n in one_of)
            if not mentioned[one_of]:
                continue
        if not own_first and not all(n in data for n in holding):
            continue
        held.append(key)
    return held


def _question(key: _Key) -> str:
    """A question as the answers file names it."""
    holding, one_of = key
    return json.dumps([[os.fsdecode(n) for n in holding], [os.fsdecode(n) for n in one_of]])


# Questions about imports answered by a search of a root's bytes before it is read whole. A
# search costs a quarter to an eighth of the whole read (3.6x on 3,000 files; the reads are most
# of both on a root of small files): a root asked many questions (a framework's repository, its
# helpers called from its trainers) pays two searches more than one whole read, a root asked
# one or two (a large package, or the one file a pre-commit hook or an editor lints) reads no
# file's imports but the few that name the helper.
_SEARCHES = 2
# Each question more in one search looks through every file's bytes again for its name (a
# fifth of a search's reads on 3,000 files: 54 MB read in about 70 ms, a name looked for in
# them in about 15 ms): past this many, the whole read (about 180 ms) costs less.
_QUESTIONS_PER_SEARCH = 4
_SCANS: dict[Path, Scan] = {}  # per process, by project root: one scan serves every file
_MENTIONS: dict[tuple[Path, str], bool] = {}  # per process: whether a file's bytes hold a name
_MARKED: dict[str, bool] = {}  # per process: whether a directory holds a project marker


def scan(root: Path) -> Scan:
    """The scan of the project at `root` (once per process)."""
    found = _SCANS.get(root)
    if found is None:
        found = _SCANS[root] = _list(root)
    return found


def clear_scans() -> None:
    """Forget the scans of this process (for a caller that lints again after files changed)."""
    _SCANS.clear()
    _MENTIONS.clear()
    _MARKED.clear()


def mentions(path: Path, name: str) -> bool:
    """Whether the file's bytes hold `name` (read once per process and name)."""
    if (path, name) not in _MENTIONS:
        expect_mentions((path,), (name,), ())
    return _MENTIONS[(path, name)]


def expect_mentions(paths: Iterable[Path], names: Iterable[str], then: Iterable[str]) -> None:
    """`mentions` is about to be asked whether the files at `paths` (the notebooks of a project,
    for the callers of a module's helpers) hold each of `names` and, in those that hold one,
    `then` (the module and its package): a file is read once for all the names it has not
    been asked about, not once for each, and `then` is answered from the same read (the
    fine-tuning tree read peft's notebooks 261 times for their callers, now 235)."""
    names, then = tuple(names), tuple(then)
    for path in paths:
        unknown = [name for name in names if (path, name) not in _MENTIONS]
        if not unknown:
            continue
        try:
            data = path.read_bytes()
        except OSError:
            data = b""  # an unreadable file holds no name
        for name in unknown:
            _MENTIONS[(path, name)] = name.encode() in data
        if any(_MENTIONS[(path, name)] for name in names):
            for name in then:
                _MENTIONS.setdefault((path, name), name.encode() in data)


def _key(holding: Iterable[str], one_of: Iterable[str]) -> _Key:
    return (_needles(holding), _needles(one_of))


def _needles(names: Iterable[str]) -> tuple[bytes, ...]:
    # a name that is no text (a file name's undecodable bytes) is in no file's imports: it
    # is looked for as the bytes it was read from, which an import line can never decode to
    return tuple(sorted({os.fsencode(name) for name in names}))


def _read(location: str) -> bytes | None:
    try:
        return read_file(location)[0]
    except OSError:
        return None


# The scan's patterns, compiled when a scan first needs them (then found in `re`'s own cache): a
# run that asks no question of its project's files, most pre-commit runs, compiles none of them.
# A quoted config file name (its basename is kept), and Hydra's `config_name="train"`:
_CONFIG_FILE = rb"""["']([^"'\r\n]{0,200}\.(?:json|ya?ml))["']"""
_CONFIG_NAME = rb"""config_name\s*=\s*["']([^"'\r\n]{1,200})["']"""
# a line `from pkg.mod import a, b as c` (parenthesized over lines too), `import pkg.mod as m, os`
_COMMENT = rb"#[^\r\n]*"
_IMPORT_LINE = rb"[ \t]*(?:from[ \t]+([\w.]+)[ \t]+)?import[ \t]*(\([^)]*\)|[^\r\n#;]*)"


def _config_names(data: bytes) -> tuple[str, ...]:
    found = {m.group(1) for m in re.finditer(_CONFIG_FILE, data, re.IGNORECASE)}
    found |= {m.group(1) for m in re.finditer(_CONFIG_NAME, data)}
    return _compact(os.path.basename(n.decode(errors="replace").replace("\\", "/")) for n in found)


def _compact(names: Iterable[str]) -> tuple[str, ...]:
    """Distinct names, sorted, each string shared with every other file that names it."""
    return tuple(sorted({sys.intern(name) for name in names}))


def _names(text: bytes) -> list[str]:
    """The names of an import list: `a.b` of `a.b as c`."""
    found = []
    if b"#" in text:  # most import lists hold no comment
        text = re.sub(_COMMENT, b"", text)
    for part in text.strip(b"() \t\\").replace(b"\\", b" ").split(b","):
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
    import_line = re.compile(_IMPORT_LINE)
    while at != -1:
        match = import_line.match(data, data.rfind(b"\n", 0, at) + 1)
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


def _scanned(location: str, stamp: Stamp, imported: tuple[str, ...], modules: tuple[str, ...]) -> ScannedFile | None:
    """What a file's imports say for the project's questions (None: it imports nothing)."""
    return ScannedFile(location, stamp, imported, modules) if modules else None


def _list(root: Path) -> Scan:
    files: list[tuple[str, Stamp]] = []
    notebooks: list[tuple[Path, Stamp]] = []
    directories: list[Stamp] = []
    pending = collections.deque([(root, 0)])  # breadth first: the files nearest the root first
    while pending and len(files) < _MAX_FILES:
        directory, depth = pending.popleft()
        try:
            status = os.stat(directory)
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError:
            continue
        absolute_directory = os.path.abspath(directory)
        directories.append((absolute_directory, status.st_size, status.st_mtime_ns))
        # an entry's absolute path is its directory's and its name (no `.` or `..`, no
        # separator): `os.path.abspath` of each file asked the working directory again
        prefix = os.path.join(absolute_directory, "")
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
                        notebooks.append((Path(entry.path), (prefix + entry.name, status.st_size, status.st_mtime_ns)))
                    continue
                if not entry.name.endswith(".py") or not entry.is_file():
                    continue
                status = entry.stat()
            except OSError:
                continue
            if status.st_size > _MAX_BYTES:
                continue
            absolute = prefix + entry.name
            # one string for both where they are the same (the scan of an absolute root)
            stamp = (entry.path if absolute == entry.path else absolute, status.st_size, status.st_mtime_ns)
            files.append((entry.path, stamp))
            if len(files) >= _MAX_FILES:
                break
    return Scan(tuple(directories), tuple(files), tuple(notebooks), root)
