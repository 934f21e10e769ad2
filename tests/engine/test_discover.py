from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import pytest

from wdlint.config import Settings
from wdlint.engine.discover import Discovery, discover


def make(root: Path, files: Iterable[str], text: str = "") -> None:
    for name in files:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def found(root: Path, paths: Iterable[Path] | None = None, **options: object) -> list[str]:
    """The files discovered under `root`, relative to it, with settings rooted there."""
    settings = options.pop("settings", Settings(root=root))
    assert isinstance(settings, Settings)
    result = discover(list(paths or [root]), settings, **options)  # type: ignore[arg-type]
    return [path.relative_to(root).as_posix() for path in result.files]


def test_walks_recursively_sorted_by_suffix(tmp_path: Path) -> None:
    make(tmp_path, ["b.py", "a.pyi", "pkg/c.py", "pkg/sub/d.py", "notes.txt", "pkg/e.ipynb"])
    assert found(tmp_path) == ["a.pyi", "b.py", "pkg/c.py", "pkg/sub/d.py"]
    assert found(tmp_path, suffixes=frozenset({".ipynb"})) == ["pkg/e.ipynb"]


def test_paths_stay_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make(tmp_path, ["a.py", "pkg/b.py"])
    monkeypatch.chdir(tmp_path)
    settings = Settings(root=tmp_path)
    relative = discover([Path(".")], settings)
    assert relative == Discovery(files=(Path("a.py"), Path("pkg/b.py")), missing=())
    assert discover([tmp_path / "pkg"], settings).files == (tmp_path / "pkg" / "b.py",)


def test_duplicates_are_listed_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make(tmp_path, ["a.py", "pkg/b.py"])
    monkeypatch.chdir(tmp_path)
    paths = [Path("pkg/b.py"), Path("."), Path("./a.py"), Path("pkg"), tmp_path / "a.py"]
    assert discover(paths, Settings(root=tmp_path)).files == (Path("a.py"), Path("pkg/b.py"))


def test_missing_paths_are_reported(tmp_path: Path) -> None:
    make(tmp_path, ["a.py"])
    result = discover([tmp_path / "nope.py", tmp_path / "a.py"], Settings(root=tmp_path))
    assert result == Discovery(
        files=(tmp_path / "a.py",), missing=(tmp_path / "nope.py",), reasons=("No such file or directory",)
    )


def test_default_excludes(tmp_path: Path) -> None:
    make(
        tmp_path,
        [
            "a.py",
            ".venv/lib/site.py",
            "build/gen.py",
            "src/build/gen.py",  # a basename at any depth
            "node_modules/x/y.py",
            "__pycache__/a.py",
            "pkg.egg-info/x.py",
            "src/builder.py",
        ],
    )
    assert found(tmp_path) == ["a.py", "src/builder.py"]


def test_extend_exclude_anchored_and_basename(tmp_path: Path) -> None:
    make(tmp_path, ["pkg/gen/a.py", "other/pkg/gen/a.py", "x_pb2.py", "pkg/y_pb2.py", "ok.py"])
    settings = Settings(root=tmp_path, extend_exclude=("pkg/gen", "*_pb2.py"))
    assert found(tmp_path, settings=settings) == ["ok.py", "other/pkg/gen/a.py"]


def test_exclude_replaces_the_defaults(tmp_path: Path) -> None:
    make(tmp_path, ["build/a.py", "skip/b.py"])
    settings = Settings(root=tmp_path, exclude=("skip",))
    assert found(tmp_path, settings=settings) == ["build/a.py"]


def test_excludes_are_relative_to_the_settings_root(tmp_path: Path) -> None:
    make(tmp_path, ["proj/gen/a.py", "proj/b.py"])
    settings = Settings(root=tmp_path / "proj", extend_exclude=("gen",))
    assert found(tmp_path, [tmp_path / "proj"], settings=settings) == ["proj/b.py"]
    anchored = Settings(root=tmp_path / "proj", extend_exclude=("/gen",))
    assert found(tmp_path, [tmp_path / "proj"], settings=anchored) == ["proj/b.py"]


def test_explicit_files_bypass_exclude_and_suffix(tmp_path: Path) -> None:
    make(tmp_path, ["build/gen.py", ".venv/lib/x.py", "script"])
    paths = [tmp_path / "build/gen.py", tmp_path / ".venv/lib/x.py", tmp_path / "script"]
    assert found(tmp_path, paths) == [".venv/lib/x.py", "build/gen.py", "script"]
    assert found(tmp_path, paths, force_exclude=True) == ["script"]


def test_explicit_directory_is_walked_unless_force_exclude(tmp_path: Path) -> None:
    make(tmp_path, ["build/gen.py"])
    assert found(tmp_path, [tmp_path / "build"]) == ["build/gen.py"]
    assert found(tmp_path, [tmp_path / "build"], force_exclude=True) == []


def test_force_exclude_outside_the_root_checks_the_basename(tmp_path: Path) -> None:
    make(tmp_path, ["proj/a.py", "elsewhere/x_pb2.py", "elsewhere/y.py"])
    settings = Settings(root=tmp_path / "proj", extend_exclude=("*_pb2.py",))
    paths = [tmp_path / "elsewhere/x_pb2.py", tmp_path / "elsewhere/y.py"]
    assert found(tmp_path, paths, settings=settings, force_exclude=True) == ["elsewhere/y.py"]


def test_gitignore_negation_dir_only_and_anchoring(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".gitignore").write_text("*_gen.py\n!keep_gen.py\nout/\n/top.py\n")
    make(
        tmp_path,
        ["a_gen.py", "keep_gen.py", "out/x.py", "out.py", "top.py", "pkg/top.py", "pkg/out/y.py"],
    )
    assert found(tmp_path) == ["keep_gen.py", "out.py", "pkg/top.py"]


def test_nested_gitignore_applies_below_its_directory(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    make(tmp_path, ["a.py", "pkg/a.py", "pkg/b.py", "other/b.py"])
    (tmp_path / ".gitignore").write_text("b.py\n")
    (tmp_path / "pkg" / ".gitignore").write_text("/a.py\n!b.py\n")
    assert found(tmp_path) == ["a.py", "pkg/b.py"]


def test_gitignore_above_the_walked_directory_applies(tmp_path: Path) -> None:
    make(tmp_path, ["pkg/sub/skip.py", "pkg/sub/keep.py", "pkg/sub/gen/x.py", "pkg/sub/local.py"])
    (tmp_path / ".git" / "info").mkdir(parents=True)
    (tmp_path / ".git" / "info" / "exclude").write_text("local.py\n")
    (tmp_path / ".gitignore").write_text("pkg/sub/skip.py\n")
    (tmp_path / "pkg" / ".gitignore").write_text("gen/\n")
    assert found(tmp_path, [tmp_path / "pkg" / "sub"]) == ["pkg/sub/keep.py"]


def test_gitignore_of_the_settings_root_without_a_repository(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("skip.py\n")
    make(tmp_path, ["pkg/skip.py", "pkg/keep.py"])
    assert found(tmp_path, [tmp_path / "pkg"]) == ["pkg/keep.py"]


def test_nested_repository_has_its_own_rules(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".gitignore").write_text("*_gen.py\n")
    (tmp_path / "vendored" / ".git").mkdir(parents=True)
    make(tmp_path, ["a_gen.py", "vendored/b_gen.py"])
    assert found(tmp_path) == ["vendored/b_gen.py"]


def test_explicit_gitignored_file_is_taken(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".gitignore").write_text("a.py\n")
    make(tmp_path, ["a.py"])
    assert found(tmp_path) == []
    assert found(tmp_path, [tmp_path / "a.py"]) == ["a.py"]


def test_symlink_loops_end(tmp_path: Path) -> None:
    make(tmp_path, ["pkg/a.py"])
    os.symlink(tmp_path, tmp_path / "pkg" / "up")
    os.symlink(tmp_path / "pkg", tmp_path / "pkg" / "self")
    assert found(tmp_path) == ["pkg/a.py"]


def test_symlinked_directory_is_followed_once(tmp_path: Path) -> None:
    make(tmp_path, ["outside/a.py", "proj/b.py"])
    os.symlink(tmp_path / "outside", tmp_path / "proj" / "link")
    assert found(tmp_path, [tmp_path / "proj"]) == ["proj/b.py", "proj/link/a.py"]


def test_unreadable_directory_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make(tmp_path, ["a.py", "locked/b.py"])
    real_scandir = os.scandir

    def scandir(path: str) -> object:
        if os.path.basename(path) == "locked":
            raise PermissionError(13, "Permission denied", path)
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    assert found(tmp_path) == ["a.py"]


def test_a_symlink_does_not_take_the_real_directory_s_name(tmp_path: Path) -> None:
    make(tmp_path, ["src/a.py"])
    os.symlink(tmp_path / "src", tmp_path / "alink")  # sorts before "src"
    assert found(tmp_path) == ["src/a.py"]
