"""The project scan answers each question alike whether it searches the files' bytes (a root's
first questions) or reads the whole root (past `_SEARCHES`), and reads each root's bytes a
bounded number of times however many questions a run asks."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scan_reads import counted_reads

from wdlint.analysis import project_scan
from wdlint.analysis.project_scan import Scan, ScannedFile

# what a project file may hold: imports of the helper's module in every form the scan reads,
# mentions without an import, other imports, consumer markers and config names
LINES = (
    "from pkg.optim import make_opt",
    "from pkg.optim import make_opt as build",
    "from pkg import make_opt",
    "from . import optim",
    "from .optim import (\n    make_opt,\n    other,\n)",
    "import pkg.optim as m",
    "import pkg.optim",
    "import optim, os",
    "from timm.models import register_model",
    "from timm.models.registry import register_model as register",
    "import torch  # make_opt",
    "opt = m.make_opt(net)",
    "opt = make_opt(net)",
    "x = 'make_opt optim pkg'",
    "engine = deepspeed.initialize(config='ds_config.json')",
    "cfg = hydra.utils.instantiate(cfg.optimizer)",
    "@hydra.main(config_name=\"train\")",
    "def make_opt(net):\n    return None",
    "def vit_tiny(pretrained=False):\n    return None",
    "print('nothing to see')",
)

PROJECTS = st.lists(st.lists(st.sampled_from(LINES), max_size=6), min_size=1, max_size=8)


def _write(root: Path, files: list[list[str]]) -> Path:
    (root / "pkg").mkdir()
    (root / "pkg" / "__init__.py").write_text("from .optim import make_opt\n")
    helper = root / "pkg" / "optim.py"
    helper.write_text("import torch\n\n\ndef make_opt(net):\n    return torch.optim.AdamW(net.parameters())\n")
    for number, lines in enumerate(files):
        folder = root / ("tools" if number % 3 == 2 else "")
        folder.mkdir(exist_ok=True)
        (folder / f"f{number}.py").write_text("\n".join(lines) + "\n")
    return helper


def _answers(scan: Scan, helper: Path) -> list[list[ScannedFile]]:
    return [
        scan.importers("make_opt", "optim", "pkg", besides=helper),
        scan.importers("build", "optim", "pkg", besides=helper),
        scan.importing_name("register_model", besides=helper),
        scan.consumers(),
    ]


@settings(max_examples=60, deadline=None)
@given(PROJECTS)
def test_a_search_answers_as_the_whole_root_does(files: list[list[str]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        helper = _write(root, files)
        project_scan.clear_scans()
        searched = _answers(project_scan._list(root), helper)
        project_scan.clear_scans()
        told_ahead = project_scan._list(root)
        told_ahead.expect_importers(["make_opt", "build"], "optim", "pkg")  # one search for both
        assert len(told_ahead._searches) == 1
        assert searched == _answers(told_ahead, helper)
        project_scan.clear_scans()
        whole = project_scan._list(root)
        assert whole.files  # read whole before the first question
        assert searched == _answers(whole, helper)
    project_scan.clear_scans()


@pytest.mark.parametrize("questions", [1, 2, 3, 40])
def test_a_root_is_read_a_bounded_number_of_times(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, questions: int) -> None:
    files = 30
    for number in range(files):
        (tmp_path / f"f{number}.py").write_text(f"from pkg.optim import helper_{number}_of_{files}\n")
    read = counted_reads(monkeypatch)
    scan = project_scan._list(tmp_path)
    assert read == []  # listing reads no file
    found = [scan.importers(f"helper_{n}_of_{files}", "optim", "pkg", besides=tmp_path / "x.py") for n in range(questions)]
    assert [[f.path.name for f in in_files] for in_files in found] == [[f"f{n}.py"][: n < files] for n in range(questions)]
    searches = min(questions, project_scan._SEARCHES)
    # the root read whole past the searches: each file not already read for a search's answer
    whole = files - searches if questions > project_scan._SEARCHES else 0
    assert len(read) == files * searches + whole
    project_scan.clear_scans()


@pytest.mark.parametrize("told", [1, 2, project_scan._QUESTIONS_PER_SEARCH, project_scan._QUESTIONS_PER_SEARCH + 1])
def test_questions_told_ahead_are_one_read_of_the_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, told: int
) -> None:
    """The questions one module is about to ask cost one read of each file, whether searched
    for together or, past `_QUESTIONS_PER_SEARCH`, answered by the whole read; asking them
    then reads nothing more, and a question told twice is one question."""
    files = 30
    for number in range(files):
        (tmp_path / f"f{number}.py").write_text(f"from pkg.optim import helper_{number}_of_{files}\n")
    read = counted_reads(monkeypatch)
    scan = project_scan._list(tmp_path)
    names = [f"helper_{n}_of_{files}" for n in range(told)]
    scan.expect_importers([*names, *names], "optim", "pkg")
    assert len(read) == files
    assert bool(scan._whole) == (told > project_scan._QUESTIONS_PER_SEARCH)
    found = [scan.importers(name, "optim", "pkg", besides=tmp_path / "x.py") for name in names]
    assert [[f.path.name for f in in_files] for in_files in found] == [[f"f{n}.py"] for n in range(told)]
    assert len(read) == files
    project_scan.clear_scans()


def test_questions_told_ahead_count_as_one_search(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Modules that each tell their questions ahead spend the root's searches one each: the
    next module past `_SEARCHES` reads the root whole."""
    files = 10
    for number in range(files):
        (tmp_path / f"f{number}.py").write_text("import os\n")
    read = counted_reads(monkeypatch)
    scan = project_scan._list(tmp_path)
    for module in range(project_scan._SEARCHES):
        scan.expect_importers([f"a_{module}", f"b_{module}"], f"m{module}", "pkg")
    assert len(read) == files * project_scan._SEARCHES and not scan._whole
    scan.expect_importers(["c"], "m", "pkg")
    assert scan._whole and len(read) == files * (project_scan._SEARCHES + 1)
    project_scan.clear_scans()


def test_the_same_question_again_reads_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a.py").write_text("from pkg.optim import make_opt\n")
    (tmp_path / "b.py").write_text("import os\n")
    read = counted_reads(monkeypatch)
    scan = project_scan._list(tmp_path)
    for _ in range(2 * project_scan._SEARCHES):
        assert [f.path.name for f in scan.importers("make_opt", "optim", "pkg", besides=tmp_path / "x.py")] == ["a.py"]
    assert len(read) == 2  # one search: the question is not asked again, the root never read whole
    project_scan.clear_scans()


def test_a_file_grown_since_it_was_listed_is_read_to_its_end(tmp_path: Path) -> None:
    grown = tmp_path / "a.py"
    grown.write_text("import os\n")
    scan = project_scan._list(tmp_path)
    grown.write_text("import os\n" + "x = 1\n" * 20_000 + "from pkg.optim import make_opt\n")
    assert [f.imported for f in scan.importers("make_opt", "optim", "pkg", besides=tmp_path / "x.py")] == [("make_opt",)]
    project_scan.clear_scans()


def test_a_file_gone_since_it_was_listed_is_left_out(tmp_path: Path) -> None:
    for name in ("a", "b"):
        (tmp_path / f"{name}.py").write_text("from pkg.optim import make_opt\n")
    scan = project_scan._list(tmp_path)
    (tmp_path / "a.py").unlink()
    assert [f.path.name for f in scan.importers("make_opt", "optim", "pkg", besides=tmp_path / "x.py")] == ["b.py"]
    assert [f.path.name for f in scan.files] == ["b.py"]
    project_scan.clear_scans()


def test_the_consumers_are_one_search_of_the_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "train.py").write_text("import deepspeed\nengine = deepspeed.initialize(config='ds_config.json')\n")
    (tmp_path / "app.py").write_text('@hydra.main(config_name="train")\ndef main(cfg):\n    pass\n')
    (tmp_path / "plain.py").write_text("from pkg.optim import make_opt\n")
    read = counted_reads(monkeypatch)
    scan = project_scan._list(tmp_path)
    assert scan.files  # the whole read: imports only
    whole = len(read)
    for _ in range(3):
        found = scan.consumers()
        assert [(f.path.name, f.config_names) for f in found] == [("app.py", ("train",)), ("train.py", ("ds_config.json",))]
    assert len(read) == whole + 3  # one search, however often asked
    project_scan.clear_scans()
