"""The project scan's answers kept between runs: a later run reads only the files that changed
(and the few that hold a question's names), and answers as a run without them does; so does
its search for the files that consume a config."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scan_reads import counted_reads

from wdlint.analysis import project_scan, scan_answers
from wdlint.frontends.dependencies import keeping_reads_in as kept_in

FILES = 30
OLD_NS = 1_600_000_000 * 10**9  # a modification time long past: trusted at once (not racy)


def _project(root: Path) -> None:
    for number in range(FILES):
        _write(root / f"f{number}.py", f"from pkg.optim import helper_{number}_\nhelper_{number}_(net)\n")


def _write(path: Path, text: str, mtime_ns: int = OLD_NS) -> None:
    path.write_text(text)
    os.utime(path, ns=(mtime_ns, mtime_ns))


def _ask(root: Path, *names: str) -> list[list[str]]:
    """A run's questions of a fresh scan (a new process): the importers of each name."""
    project_scan.clear_scans()
    scan = project_scan.scan(root)
    scan.expect_importers(names, "optim", "pkg")
    found = [[f.path.name for f in scan.importers(name, "optim", "pkg", besides=root / "x.py")] for name in names]
    project_scan.clear_scans()
    return found


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project of `FILES` files, each importing and calling a helper of its own."""
    root = tmp_path / "project"
    root.mkdir()
    _project(root)
    return root


@pytest.fixture
def kept(tmp_path: Path) -> object:
    with kept_in(tmp_path / "cache"):
        yield tmp_path / "cache"


def test_a_later_run_reads_only_the_files_that_hold_the_names(project: Path, kept: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = project
    read = counted_reads(monkeypatch)
    assert _ask(root, "helper_3_") == [["f3.py"]]
    assert len(read) == FILES
    [answers] = kept.glob("scan-*.json")
    assert json.loads(answers.read_text())["root"] == str(root)
    read.clear()
    assert _ask(root, "helper_3_") == [["f3.py"]]
    assert read == ["f3.py"]  # for its imports; every other file's answer is kept


def test_a_changed_file_is_read_again_and_a_new_one_read(project: Path, kept: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = project
    assert _ask(root, "helper_3_") == [["f3.py"]]
    read = counted_reads(monkeypatch)
    _write(root / "f7.py", "from pkg.optim import helper_3_\n", OLD_NS + 10**9)  # now calls it
    _write(root / "f3.py", "print('no longer')\n", OLD_NS + 10**9)  # no longer
    _write(root / "new.py", "from pkg.optim import helper_3_\n")
    assert _ask(root, "helper_3_") == [["f7.py", "new.py"]]
    assert sorted(read) == ["f3.py", "f7.py", "new.py"]
    read.clear()
    assert _ask(root, "helper_3_") == [["f7.py", "new.py"]]
    assert sorted(read) == ["f7.py", "new.py"]


def test_a_new_question_reads_every_file_and_the_old_ones_are_kept(
    project: Path, kept: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project
    assert _ask(root, "helper_1_") == [["f1.py"]]
    read = counted_reads(monkeypatch)
    assert _ask(root, "helper_2_", "helper_4_") == [["f2.py"], ["f4.py"]]
    assert len(read) == FILES
    read.clear()
    assert _ask(root, "helper_1_") == [["f1.py"]] and read == ["f1.py"]
    read.clear()
    assert _ask(root, "helper_4_") == [["f4.py"]] and read == ["f4.py"]


def test_a_root_read_whole_keeps_each_file_s_imports(project: Path, kept: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """More questions at once than a search answers cheaply read the root whole: a later run
    reads again only the files that changed."""
    root = project
    names = [f"helper_{n}_" for n in range(project_scan._QUESTIONS_PER_SEARCH + 1)]
    read = counted_reads(monkeypatch)
    assert _ask(root, *names) == [[f"f{n}.py"] for n in range(len(names))]
    assert len(read) == FILES
    assert [p.name.split("-")[0] for p in kept.glob("*.json")] == ["imports"]  # no search was made
    read.clear()
    assert _ask(root, *names) == [[f"f{n}.py"] for n in range(len(names))]
    assert read == []
    _write(root / "f9.py", "from pkg.optim import helper_0_\n", OLD_NS + 10**9)
    assert _ask(root, *names) == [["f0.py", "f9.py"], *[[f"f{n}.py"] for n in range(1, len(names))]]
    assert read == ["f9.py"]


def test_a_file_too_recent_to_trust_is_read_again(project: Path, kept: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file written within a clock tick of its read may change again without its time
    changing: its answer is not kept."""
    root = project
    (root / "f5.py").write_text("x = 1\n")  # modified now
    assert _ask(root, "helper_5_") == [[]]
    read = counted_reads(monkeypatch)
    assert _ask(root, "helper_5_") == [[]]
    assert read == ["f5.py"]


@pytest.mark.parametrize("content", [b"", b"{", b"[]", b'{"format": 1}', b'{"format": 99, "root": "x"}', b"\xff\xfe"])
def test_a_damaged_answers_file_is_a_run_without_one(
    project: Path, kept: Path, monkeypatch: pytest.MonkeyPatch, content: bytes
) -> None:
    root = project
    assert _ask(root, "helper_3_") == [["f3.py"]]
    [answers] = kept.glob("scan-*.json")
    answers.write_bytes(content)
    read = counted_reads(monkeypatch)
    assert _ask(root, "helper_3_") == [["f3.py"]]
    assert len(read) == FILES
    read.clear()
    assert _ask(root, "helper_3_") == [["f3.py"]] and read == ["f3.py"]  # written afresh


@pytest.mark.parametrize("entry", [[1, 2], [1, 2, 3, 4], "x", None, [1, 2, "3", 4, 0], [1, 2, 3, 4, "names"], [1, 2, 3, 4, [5]]])
def test_a_damaged_entry_is_a_file_never_read(project: Path, kept: Path, monkeypatch: pytest.MonkeyPatch, entry: object) -> None:
    """Entries of another shape (another version's, a damaged file's) are files never read: the
    search and the consumers' search read them again, and nothing fails."""
    root = project
    for whole in (False, True):
        names = [f"helper_{n}_" for n in range(project_scan._QUESTIONS_PER_SEARCH + 1 if whole else 1)]
        expected = [[f"f{n}.py"] for n in range(len(names))]
        assert _ask(root, *names) == expected and _consumers(root) == []
        for answers in kept.glob("*.json"):
            content = json.loads(answers.read_text())
            content["files"] = {path: entry for path in content["files"]}
            answers.write_text(json.dumps(content))
        read = counted_reads(monkeypatch)
        assert _ask(root, *names) == expected and _consumers(root) == []
        assert len(read) >= FILES
        monkeypatch.undo()


def test_too_many_questions_start_the_answers_afresh(project: Path, kept: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scan_answers, "_MAX_QUESTIONS", 3)
    root = project
    for number in range(3):
        _ask(root, f"helper_{number}_")
    assert len(json.loads(next(kept.glob("scan-*.json")).read_text())["questions"]) == 3
    assert _ask(root, "helper_9_") == [["f9.py"]]
    assert json.loads(next(kept.glob("scan-*.json")).read_text())["questions"] == ['[["helper_9_"], ["optim", "pkg"]]']
    read = counted_reads(monkeypatch)
    assert _ask(root, "helper_0_") == [["f0.py"]] and len(read) == FILES


def test_a_run_without_a_cache_keeps_nothing(tmp_path: Path, project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = project
    read = counted_reads(monkeypatch)
    for _ in range(2):
        assert _ask(root, "helper_3_") == [["f3.py"]]
    assert len(read) == 2 * FILES
    assert [p.name for p in tmp_path.rglob("scan-*")] == []


def test_an_unwritable_cache_costs_reads_never_the_run(tmp_path: Path, project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = project
    (tmp_path / "cache").write_text("a file where the directory would be\n")
    with kept_in(tmp_path / "cache"):
        assert _ask(root, "helper_3_") == [["f3.py"]]
        assert _ask(root, "helper_3_") == [["f3.py"]]


LINES = st.sampled_from(
    [
        "from pkg.optim import helper_1_", "from pkg.optim import helper_2_", "import pkg.optim as m\nm.helper_1_(x)",
        "x = 1", "", "engine = deepspeed.initialize(config='ds.json')", "hydra.utils.instantiate(cfg.optimizer)",
    ]
)


def _consumers(root: Path) -> list[tuple[str, tuple[str, ...]]]:
    """A run's search for the files with a consumer's marker, and the config names they write."""
    project_scan.clear_scans()
    found = [(c.path.name, c.config_names) for c in project_scan.scan(root).consumers()]
    project_scan.clear_scans()
    return found


def test_the_consumers_are_read_again_only_where_files_changed(
    project: Path, kept: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project
    _write(root / "train.py", "engine = deepspeed.initialize(config='ds_config.json')\n")
    read = counted_reads(monkeypatch)
    assert _consumers(root) == [("train.py", ("ds_config.json",))]
    assert len(read) == FILES + 1
    read.clear()
    assert _consumers(root) == [("train.py", ("ds_config.json",))] and read == []
    _write(root / "f2.py", "hydra.utils.instantiate(cfg.optimizer)\n", OLD_NS + 10**9)
    assert _consumers(root) == [("f2.py", ()), ("train.py", ("ds_config.json",))] and read == ["f2.py"]
    read.clear()
    assert _ask(root, "helper_3_") == [["f3.py"]]  # a question's search: every file, once
    assert len(read) == FILES + 1
    read.clear()
    assert _consumers(root) == [("f2.py", ()), ("train.py", ("ds_config.json",))] and read == []


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), LINES), min_size=1, max_size=12))
def test_kept_answers_answer_as_a_run_without_them(edits: list[tuple[int, str]]) -> None:
    """Files written and rewritten between runs, each run asking both questions and for the
    consumers: the answers kept answer as a search of every file does."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder, "project")
        root.mkdir()
        for step, (number, line) in enumerate(edits):
            _write(root / f"f{number}.py", line + "\n", OLD_NS + step * 10**9)
            many = [f"helper_{n}_" for n in range(project_scan._QUESTIONS_PER_SEARCH + 1)]  # read whole
            with kept_in(Path(folder, "cache")):
                kept = (_ask(root, "helper_1_", "helper_2_"), _ask(root, *many), _consumers(root))
            assert kept == (_ask(root, "helper_1_", "helper_2_"), _ask(root, *many), _consumers(root))
