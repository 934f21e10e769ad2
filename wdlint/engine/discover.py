"""Which files a run lints: the paths given, directories walked, minus excluded and ignored paths.

As in ruff, what the user names is linted: a file given explicitly is taken whatever its suffix
and whatever `exclude` says (unless `--force-exclude`, for pre-commit, which names every file),
and a directory given explicitly is walked even if excluded. Inside a walk, `exclude`,
`extend-exclude` and `.gitignore` files decide, and a file is taken when it matches `include`
(the settings' `include` and `extend-include` globs), or without those when it has one of
`suffixes`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path

from wdlint.config import Settings
from wdlint.engine.globs import GitIgnore, GlobSet, relative_posix
from wdlint.records import Record


class Discovery(Record):
    files: tuple[Path, ...]  # sorted, de-duplicated; relative paths given stay relative
    missing: tuple[Path, ...]  # paths given that do not exist
    # why each missing path cannot be reached: "No such file or directory", a symlink loop's
    # "Too many levels of symbolic links", "Permission denied"
    reasons: tuple[str, ...] = ()


def discover(
    paths: Sequence[Path],
    settings: Settings,
    *,
    force_exclude: bool = False,
    suffixes: frozenset[str] = frozenset({".py", ".pyi"}),
    include: Sequence[str] | None = None,
) -> Discovery:
    walker = _Walker(
        GlobSet((*settings.exclude, *settings.extend_exclude)),
        os.path.abspath(settings.root),
        GlobSet(include if include is not None else (f"*{suffix}" for suffix in suffixes)),
    )
    # real path -> the path as the user sees it: a file reached twice (given twice, through a
    # symlink, or given and walked) is linted once, and `--fix` never writes it twice at once
    found: dict[str, Path] = {}
    missing: dict[Path, str] = {}
    for path in paths:
        try:
            os.stat(path)
        except OSError as error:
            missing[path] = error.strerror or str(error)
            continue
        absolute = os.path.abspath(path)
        is_dir = path.is_dir()
        if force_exclude and walker.excludes_given(absolute, is_dir):
            continue
        for shown, real in walker.walk(path, absolute) if is_dir else [(path, os.path.realpath(absolute))]:
            found.setdefault(real, shown)
    # sorted by their parts (what `Path.__lt__` compares on POSIX), each path's key made once
    # rather than compared pairwise through pathlib
    files = tuple(sorted(found.values(), key=_parts))
    return Discovery(files, tuple(missing), tuple(missing.values()))


def _parts(path: Path) -> tuple[str, ...]:
    return path.parts


def excluded(path: Path, settings: Settings) -> bool:
    """Whether `exclude` and `extend-exclude` exclude a file named explicitly, as
    `--force-exclude` reads them (an editor names each file it opens; it need not exist yet)."""
    walker = _Walker(GlobSet((*settings.exclude, *settings.extend_exclude)), os.path.abspath(settings.root), GlobSet(()))
    return walker.excludes_given(os.path.abspath(path), False)


class _Dir(Record):
    shown: Path  # as the user sees it: under the path they gave
    absolute: str
    real: str  # symlinks resolved: what loop detection compares
    rel: str | None  # relative to the settings root, None outside it
    git_rel: str  # relative to the root of the tree the gitignore rules belong to
    gitignore: GitIgnore


class _Walker:
    def __init__(self, exclude: GlobSet, root: str, include: GlobSet) -> None:
        self.exclude = exclude
        self.root = root
        self.include = include
        self.visited: set[str] = set()  # real paths of the directories walked, across all paths

    def excludes_given(self, absolute: str, is_dir: bool) -> bool:
        rel = relative_posix(absolute, self.root)
        if rel is None:
            return self.exclude.match(os.path.basename(absolute), None, is_dir)
        return rel != "" and self.exclude.match_path(rel, is_dir)

    def walk(self, top: Path, absolute: str) -> Iterator[tuple[Path, str]]:
        """The files under `top`, each as shown and as a real path (symlinks resolved)."""
        real = os.path.realpath(absolute)
        if real in self.visited:
            return
        self.visited.add(real)
        git_rel, gitignore = _inherited_gitignore(absolute, self.root)
        rel = relative_posix(absolute, self.root)
        stack = [_Dir(top, absolute, real, rel, git_rel, gitignore)]
        while stack:
            directory = stack.pop()
            yield from self._scan(directory, stack)

    def _scan(self, directory: _Dir, stack: list[_Dir]) -> Iterator[tuple[Path, str]]:
        try:
            with os.scandir(directory.absolute) as scan:
                # real directories claim their path before a symlink to them can: the files
                # keep the names that excludes and per-file-ignores were written for
                entries = sorted(scan, key=lambda entry: (entry.is_symlink(), entry.name))
        except OSError:
            return  # unreadable: nothing to lint there
        git_rel, gitignore = _own_gitignore(directory, {entry.name for entry in entries})
        # each entry's paths are its directory's plus its name (os.path.join's separator rule)
        absolute_prefix = directory.absolute if directory.absolute.endswith(os.sep) else directory.absolute + os.sep
        real_prefix = directory.real if directory.real.endswith(os.sep) else directory.real + os.sep
        for entry in entries:
            name = entry.name
            rel = _join(directory.rel, name) if directory.rel is not None else None
            is_dir = self._is_dir(entry, rel)
            if is_dir is None:
                continue
            entry_git_rel = _join(git_rel, name)
            if self.exclude.match(name, rel, is_dir):
                continue
            if gitignore.ignores_entry(entry_git_rel, is_dir):
                continue
            absolute = absolute_prefix + name
            # only a symlink leads somewhere else than its place, so only links are resolved
            real = os.path.realpath(absolute) if entry.is_symlink() else real_prefix + name
            if not is_dir:
                yield directory.shown / name, real
                continue
            if real not in self.visited:
                self.visited.add(real)
                shown = directory.shown / name
                stack.append(_Dir(shown, absolute, real, rel, entry_git_rel, gitignore))

    def _is_dir(self, entry: os.DirEntry[str], rel: str | None) -> bool | None:
        """True for a directory, False for a file to lint, None for anything else."""
        try:
            if entry.is_dir():
                return True
            wanted = self.include.match(entry.name, rel, False) and entry.is_file()
        except OSError:
            return None
        return False if wanted else None


def _join(rel: str, name: str) -> str:
    return f"{rel}/{name}" if rel else name


def _own_gitignore(directory: _Dir, names: set[str]) -> tuple[str, GitIgnore]:
    """The rules inside `directory`: a nested repository starts afresh, as git sees it."""
    git_rel, gitignore = directory.git_rel, directory.gitignore
    if ".git" in names and git_rel:
        git_rel, gitignore = "", GitIgnore.for_repo(Path(directory.absolute))
    if ".gitignore" in names:
        gitignore = gitignore.with_file(Path(directory.absolute, ".gitignore"), git_rel)
    return git_rel, gitignore


def _inherited_gitignore(top: str, root: str) -> tuple[str, GitIgnore]:
    """`top` relative to the tree whose .gitignore files apply to it, and the rules above `top`.

    The tree is the git repository holding `top`; outside one, the settings root when it holds
    `top`, else `top` itself. `top`'s own .gitignore is read by the walk.
    """
    repo = _repo_root(top)
    if repo is not None:
        base, gitignore = repo, GitIgnore.for_repo(Path(repo))
    else:
        base, gitignore = (root if relative_posix(top, root) is not None else top), GitIgnore()
    git_rel = relative_posix(top, base) or ""
    directory, directory_rel = base, ""
    for part in git_rel.split("/") if git_rel else ():
        gitignore = gitignore.with_file(Path(directory, ".gitignore"), directory_rel)
        directory, directory_rel = os.path.join(directory, part), _join(directory_rel, part)
    return git_rel, gitignore


def _repo_root(directory: str) -> str | None:
    for candidate in (directory, *map(str, Path(directory).parents)):
        if os.path.exists(os.path.join(candidate, ".git")):
            return candidate
    return None
