"""Glob patterns and `.gitignore` rules over relative posix paths, with the standard library only.

Patterns have gitignore's shape, which is also what ruff's `exclude` accepts: `*` and `?` stay
within one path component, `**` as a whole component spans any number of them, a pattern with a
`/` other than a trailing one is anchored at its base directory, one without names a basename at
any depth, and a trailing `/` restricts it to directories.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from functools import cached_property
from pathlib import Path

from wdlint.records import Record


def relative_posix(path: str, root: str) -> str | None:
    """`path` relative to `root` with `/` separators ("" for root itself); None when outside."""
    if path == root:
        return ""
    prefix = root if root.endswith(os.sep) else root + os.sep
    if not path.startswith(prefix):
        return None
    return path[len(prefix) :].replace(os.sep, "/")


def compile_glob(pattern: str) -> re.Pattern[str]:
    """The regex for `pattern`, to be used with `fullmatch` on a relative posix path."""
    return re.compile(glob_source(pattern), re.DOTALL)


def glob_source(pattern: str) -> str:
    """The text of `compile_glob(pattern)`: globs are folded into one regex per set, and only
    that one is compiled."""
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        char = pattern[i]
        if char == "*":
            i = _compile_stars(pattern, i, out)
        elif char == "?":
            out.append("[^/]")
            i += 1
        elif char == "[" and (parsed := _compile_class(pattern, i)) is not None:
            regex, i = parsed
            out.append(regex)
        elif char == "\\" and i + 1 < n:
            out.append(re.escape(pattern[i + 1]))
            i += 2
        else:
            out.append(re.escape(char))
            i += 1
    return "".join(out)


def _compile_stars(pattern: str, start: int, out: list[str]) -> int:
    end = start
    while end < len(pattern) and pattern[end] == "*":
        end += 1
    # As in git, `**` spans directories only as a whole component; elsewhere it is a plain `*`.
    whole = (
        end - start >= 2
        and (start == 0 or pattern[start - 1] == "/")
        and (end == len(pattern) or pattern[end] == "/")
    )
    if not whole:
        out.append("[^/]*")
        return end
    if end == len(pattern):
        out.append(".*")
        return end
    out.append("(?:.*/)?")
    return end + 1


def _compile_class(pattern: str, start: int) -> tuple[str, int] | None:
    """The regex of the `[...]` class at `start` and the index after it; None if it is no class."""
    i = start + 1
    negated = i < len(pattern) and pattern[i] in "!^"
    if negated:
        i += 1
    items: list[str] = []
    while i < len(pattern) and (pattern[i] != "]" or not items):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            items.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        is_range = char == "-" and bool(items) and i + 1 < len(pattern) and pattern[i + 1] != "]"
        items.append("-" if is_range else re.escape(char))
        i += 1
    if i >= len(pattern):
        return None  # unclosed: the `[` is a literal character, as in fnmatch
    body = "".join(items)
    # A class never matches the separator, whatever its ranges span.
    regex = f"[^{body}/]" if negated else f"(?!/)[{body}]"
    try:
        re.compile(regex)
    except re.error:  # a reversed range such as `[z-a]`
        return None
    return regex, i + 1


class Glob(Record):
    """One parsed pattern.

    An anchored one is for the whole relative path, the others for the basename; a dir-only one
    (with a trailing `/`) is for directories only.
    """

    source: str  # the regex, as `glob_source` writes it
    anchored: bool
    dir_only: bool
    # the basename an unanchored glob names plainly (`.git`, `__pycache__/`), or the end of it
    # (`*.egg-info`: ".egg-info"): what a basename is compared with instead of the regex
    name: str | None = None
    suffix: str | None = None

    @classmethod
    def parse(cls, pattern: str) -> Glob:
        body = pattern.rstrip("/")
        dir_only = body != pattern
        anchored = "/" in body
        name = suffix = None
        if not anchored:
            if _plain(body):
                name = body
            elif body.startswith("*") and _plain(body[1:]):
                suffix = body[1:]
        return cls(glob_source(body.removeprefix("/")), anchored, dir_only, name, suffix)


_PLAIN_MARKS = str.maketrans(dict.fromkeys(".@+=,%~ -", "_"))


def _plain(name: str) -> bool:
    """A name with no character that a glob or gitignore reads specially, which matches exactly
    the entries of that basename: `re.fullmatch(r"[\w.@+=,%~ -]+", name)` without compiling a
    pattern in every run (the default excludes are parsed by each one)."""
    return name.translate(_PLAIN_MARKS).replace("_", "a").isalnum()


class _Union:
    """Several globs of one kind: those that name a basename or its end plainly (the default
    excludes, the includes `*.py`, `*.ipynb`...) looked up, the others folded into two
    regexes, so that a check costs one match; compiled when first asked (a run that names its
    files may never ask). The default excludes alone took 0.9 ms to compile, in a pre-commit
    run on one file."""

    def __init__(self, globs: Iterable[Glob]) -> None:
        globs = list(globs)
        kinds = ([g for g in globs if not g.dir_only], [g for g in globs if g.dir_only])
        self._names = tuple(frozenset(g.name for g in kind if g.name is not None) for kind in kinds)
        self._ends = tuple(tuple(g.suffix for g in kind if g.suffix is not None) for kind in kinds)
        self._sources = tuple([g.source for g in kind if g.name is None and g.suffix is None] for kind in kinds)

    @cached_property
    def _any(self) -> re.Pattern[str] | None:
        return _alternation(self._sources[0])

    @cached_property
    def _dirs(self) -> re.Pattern[str] | None:
        return _alternation(self._sources[1])

    def matches(self, text: str, is_dir: bool) -> bool:
        if self._plainly(0, text) or (self._any is not None and self._any.fullmatch(text)):
            return True
        return is_dir and (self._plainly(1, text) or (self._dirs is not None and self._dirs.fullmatch(text) is not None))

    def _plainly(self, kind: int, text: str) -> bool:
        # a suffix's `*` spans no separator: only a basename ends in it
        ends = self._ends[kind]
        return text in self._names[kind] or (bool(ends) and text.endswith(ends) and "/" not in text)


def _alternation(sources: Sequence[str]) -> re.Pattern[str] | None:
    return re.compile("|".join(f"(?:{source})" for source in sources), re.DOTALL) if sources else None


class GlobSet:
    """Patterns relative to one root, as `exclude` and `per-file-ignores` give them."""

    def __init__(self, patterns: Iterable[str]) -> None:
        globs = [Glob.parse(pattern.removeprefix("./")) for pattern in patterns]
        self._names = _Union(g for g in globs if not g.anchored)
        self._paths = _Union(g for g in globs if g.anchored)

    def match(self, name: str, rel: str | None, is_dir: bool) -> bool:
        """Whether this entry matches; `rel` is None outside the root, where only basenames can."""
        if self._names.matches(name, is_dir):
            return True
        return rel is not None and self._paths.matches(rel, is_dir)

    def match_path(self, rel: str, is_dir: bool) -> bool:
        """Whether `rel` or a directory above it matches."""
        parts = rel.split("/")
        return any(
            self.match(parts[k - 1], "/".join(parts[:k]), is_dir or k < len(parts))
            for k in range(1, len(parts) + 1)
        )


class _GitRule(Record):
    source: str  # a regex over the path relative to the tree's root
    negated: bool
    dir_only: bool
    # the basename an unanchored rule names plainly (`__pycache__`, `.DS_Store`), or the end of
    # it (`*.pyc`: ".pyc"), which `_Decider` looks up without its regex
    name: str | None = None
    suffix: str | None = None

    @classmethod
    def parse(cls, pattern: str, negated: bool, base: str) -> _GitRule:
        """The rule of `pattern` in the .gitignore of `base` ("" at the tree's root)."""
        glob = Glob.parse(pattern)
        prefix = re.escape(base + "/") if base else ""
        # An unanchored body never matches a `/`, so this reaches the basename at any depth.
        body = glob.source if glob.anchored else f"(?:.*/)?{glob.source}"
        return cls(prefix + body, negated, glob.dir_only, glob.name, glob.suffix)


class _Decider:
    """The rules of one ignore file, the latest matching rule deciding. Most rules of a real
    .gitignore name a basename (`__pycache__/`) or its end (`*.pyc`): those are looked up by
    the entry's basename; the others are folded into one regex, the latest rule first, whose
    matching alternative is the latest of them that matches. Compiling every rule into the
    regex was most of the walk over a tree with a 231-rule .gitignore (rasbt's
    LLMs-from-scratch: 16 of the 48 ms the notebooks tree's discovery took)."""

    def __init__(self, rules: Sequence[_GitRule], base: str) -> None:
        self._prefix = base + "/" if base else ""
        self._rules = list(rules)
        self._by_name: dict[str, int] = {}  # basename -> the latest rule naming it
        self._suffixes: list[tuple[str, int]] = []  # the latest rule first
        others: list[int] = []  # the rules only a regex reads
        for number, rule in enumerate(rules):
            if rule.name is not None:
                self._by_name[rule.name] = number
            elif rule.suffix is not None:
                self._suffixes.insert(0, (rule.suffix, number))
            else:
                others.append(number)
        self._ends = tuple(suffix for suffix, _ in self._suffixes)
        self._others = others[::-1]
        sources = "|".join(f"({rules[number].source})" for number in self._others)
        self._regex = re.compile(sources, re.DOTALL) if self._others else None

    def verdict(self, rel: str) -> bool | None:
        """Whether the latest rule matching `rel` ignores it; None when no rule matches."""
        latest = -1
        if self._prefix == "" or rel.startswith(self._prefix):
            name = rel.rpartition("/")[2]
            latest = self._by_name.get(name, -1)
            if self._ends and name.endswith(self._ends):
                latest = max(latest, next(number for suffix, number in self._suffixes if name.endswith(suffix)))
        match = self._regex.fullmatch(rel) if self._regex is not None else None
        if match is not None and match.lastindex is not None:
            latest = max(latest, self._others[match.lastindex - 1])
        return None if latest < 0 else not self._rules[latest].negated


def _parse_gitignore_line(line: str, base: str) -> _GitRule | None:
    if line.startswith("#"):
        return None
    end = len(line)
    while end and line[end - 1] == " " and not line[: end - 1].endswith("\\"):
        end -= 1
    line = line[:end]
    negated = line.startswith("!")
    if negated:
        line = line[1:]
    # `\#` and `\!` reach the glob compiler, which reads them as literal characters.
    return _GitRule.parse(line, negated, base) if line else None


class _Layer:
    """The rules of one ignore file, compiled once however many directories below it inherit them."""

    def __init__(self, rules: Sequence[_GitRule], base: str) -> None:
        self.rules = tuple(rules)
        self.base = base  # the directory of the ignore file, from the tree's root

    @cached_property
    def for_files(self) -> _Decider:
        return _Decider([rule for rule in self.rules if not rule.dir_only], self.base)

    @cached_property
    def for_dirs(self) -> _Decider:
        return _Decider(self.rules, self.base)


class GitIgnore(Record):
    """The gitignore rules met so far, in git's order of precedence: a later matching rule wins.

    Paths are relative to the root of the tree the rules were collected over (the repository).
    Kept as one layer per file: a directory's rules share its parent's layers and add their own,
    so a large .gitignore at a repository's root is compiled once, not again for every
    directory below it that has a .gitignore of its own.
    """

    layers: tuple[_Layer, ...] = ()

    @classmethod
    def for_repo(cls, repo_root: Path) -> GitIgnore:
        """The rules of `.git/info/exclude`, which weigh less than any .gitignore."""
        return cls().with_file(repo_root / ".git" / "info" / "exclude", "")

    def with_file(self, path: Path, base: str) -> GitIgnore:
        """These rules followed by those of the file at `path`, whose directory is `base`."""
        try:
            text = path.read_text(encoding="utf-8", errors="surrogateescape")
        except OSError:
            return self
        return self.with_lines(text.splitlines(), base)

    def with_lines(self, lines: Iterable[str], base: str) -> GitIgnore:
        added = tuple(r for line in lines if (r := _parse_gitignore_line(line, base)) is not None)
        return GitIgnore((*self.layers, _Layer(added, base))) if added else self

    def ignores_entry(self, rel: str, is_dir: bool) -> bool:
        """Whether the rules ignore this entry, its parent directories aside."""
        for layer in reversed(self.layers):  # the last file's matching rule decides
            verdict = (layer.for_dirs if is_dir else layer.for_files).verdict(rel)
            if verdict is not None:
                return verdict
        return False

    def ignores(self, rel: str, is_dir: bool) -> bool:
        """Whether git ignores `rel`: nothing inside an ignored directory can be re-included."""
        parts = rel.split("/")
        return any(
            self.ignores_entry("/".join(parts[:k]), is_dir or k < len(parts))
            for k in range(1, len(parts) + 1)
        )
