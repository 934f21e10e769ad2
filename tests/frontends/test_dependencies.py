"""`real_path`: `Path.resolve` with each folder resolved once a process."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wdlint.frontends.dependencies import forget_real_paths, real_path


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """configs/det/x.py, a linked folder, a linked file, a link out of the tree."""
    forget_real_paths()
    (tmp_path / "configs" / "det").mkdir(parents=True)
    (tmp_path / "configs" / "_base_").mkdir()
    (tmp_path / "configs" / "_base_" / "model.py").write_text("model = dict()\n")
    (tmp_path / "configs" / "det" / "x.py").write_text("_base_ = ['../_base_/model.py']\n")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "real.py").write_text("")
    (tmp_path / "configs" / "linked").symlink_to(tmp_path / "elsewhere")
    (tmp_path / "configs" / "det" / "file_link.py").symlink_to(tmp_path / "elsewhere" / "real.py")
    (tmp_path / "configs" / "relative").symlink_to("det/../../elsewhere")  # read from the link's folder
    (tmp_path / "configs" / "chained").symlink_to("linked")
    return tmp_path


@pytest.mark.parametrize(
    "named",
    [
        "configs/det/x.py",
        "configs/det/../_base_/model.py",
        "configs/linked/real.py",
        "configs/linked/../_base_/model.py",  # `..` after a link: from where the link leads
        "configs/det/file_link.py",
        "configs/det/absent.py",
        "configs/absent/../det/x.py",
        "configs/det/..",
        "configs/det/.",
        "configs/det/",
        "configs/relative/real.py",
        "configs/relative/../configs/det/x.py",
        "configs/chained/../_base_/model.py",
        "configs/chained/real.py",
        "configs/" + "../" * 40 + "etc",  # past the root: the root
    ],
)
def test_the_same_as_resolve(tree: Path, named: str) -> None:
    path = tree / named
    assert real_path(path) == path.resolve()
    assert real_path(path) == path.resolve()  # from the memo


def test_a_relative_path_is_read_from_the_working_directory(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tree / "configs")
    assert real_path(Path("det/../_base_/model.py")) == (tree / "configs" / "_base_" / "model.py").resolve()
    monkeypatch.chdir(tree / "elsewhere")
    assert real_path(Path("real.py")) == (tree / "elsewhere" / "real.py").resolve()


def test_a_folder_that_became_a_link_is_resolved_again_once_forgotten(tree: Path) -> None:
    moved = tree / "configs" / "moved"
    moved.mkdir()
    assert real_path(moved / "x.py") == moved.resolve() / "x.py"
    moved.rmdir()
    moved.symlink_to(tree / "elsewhere")
    # until told, the memo holds the folder as it was
    assert real_path(moved / "real.py") == tree.resolve() / "configs" / "moved" / "real.py"
    forget_real_paths()
    assert real_path(moved / "real.py") == (tree / "elsewhere" / "real.py").resolve()


def test_a_link_loop_does_not_raise(tree: Path) -> None:
    loop = tree / "configs" / "loop.py"
    loop.symlink_to(loop)
    assert real_path(loop) == Path(os.path.realpath(loop))


_PARTS = ("configs", "det", "_base_", "linked", "relative", "chained", "elsewhere", "..", ".", "x.py", "absent")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parts=st.lists(st.sampled_from(_PARTS), max_size=7))
def test_any_path_through_links_and_parents_is_read_as_resolve_reads_it(tree: Path, parts: list[str]) -> None:
    path = tree.joinpath(*parts)
    assert real_path(path) == path.resolve()
