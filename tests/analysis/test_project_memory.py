"""What the project files read beside the linted one cost in memory: a file read for its calls of a
helper lives while a call found in it is read, not for the rest of the lint; the per-process
project scan shares each name's string between files."""

from __future__ import annotations

import weakref
from collections.abc import Callable
from pathlib import Path

import pytest

import wdlint.analysis.project as project_module
from wdlint.analysis import project_scan
from wdlint.analysis.index import ModuleIndex
from wdlint.analysis.project import Project
from wdlint.engine.lint import lint_bytes
from wdlint.engine.runner import LintOptions

OPTIM = """\
import torch


def make_opt(net, wd=0.0):
    return torch.optim.AdamW(net.parameters(), lr=1e-3, weight_decay=wd)
"""

# imports the helper's module and names the helper, but never calls it: read, and nothing found
IMPORTS_ONLY = """\
from pkg.optim import make_opt
import torch

REGISTRY = {"make_opt": "see pkg.optim"}
""" + "".join(f"\ndef unrelated_{i}(x):\n    return torch.relu(x) * {i}\n" for i in range(200))

CALLER = 'from pkg.optim import make_opt\n\nopt = make_opt(net, wd=1e-4)\n'


@pytest.fixture
def project(helper_project: Callable[[str], Path]) -> Path:
    return helper_project(OPTIM)


def _alive_at_each_read(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many modules read for their calls are alive when the next one is parsed."""
    read: list[weakref.ref[ModuleIndex]] = []
    alive: list[int] = []
    parse = Project._parse

    def counting(self: Project, path: Path) -> ModuleIndex | None:
        alive.append(sum(ref() is not None for ref in read))
        index = parse(self, path)
        if index is not None and path.name != "optim.py":
            read.append(weakref.ref(index))
        return index

    monkeypatch.setattr(project_module.Project, "_parse", counting)
    return alive


def _lint(path: Path) -> list[tuple[str, int, str]]:
    result = lint_bytes(path.read_bytes(), str(path), LintOptions.from_selection(), path=path)
    return [(d.code, d.location.row, d.message) for d in result.diagnostics]


@pytest.mark.parametrize("files", [3, 12])
def test_files_without_a_call_are_not_held_while_the_next_is_read(project: Path, monkeypatch, files: int) -> None:
    for i in range(files):
        (project / f"tool_{i}.py").write_text(IMPORTS_ONLY)
    (project / "train.py").write_text(CALLER)
    alive = _alive_at_each_read(monkeypatch)
    found = _lint(project / "pkg" / "optim.py")
    assert len(alive) == files + 1  # each file that may call it is read once
    # the caller's module is kept while its call is read; the others are gone once looked at
    assert max(alive) <= 1
    assert [(code, row) for code, row, _ in found] == [("WD201", 5)]
    assert found[0][2].endswith("(when called from train.py:3 as `make_opt(net, wd=0.0001)`)")


def test_a_module_read_for_its_calls_is_read_again_once_dropped(project: Path) -> None:
    (project / "train.py").write_text(CALLER)
    (project / "tool.py").write_text(IMPORTS_ONLY)
    reader = Project()
    first = reader.module(project / "train.py")
    assert first is not None and reader.module(project / "train.py") is first  # held: not parsed again
    calls = [call.lineno for call in first.calls]
    held = weakref.ref(first)
    del first
    assert held() is not None  # the last one read: another helper's callers may be there too
    assert reader.module(project / "tool.py") is not None
    assert held() is None  # dropped when the next one is read
    again = reader.module(project / "train.py")
    assert again is not None and [call.lineno for call in again.calls] == calls


def test_an_imported_module_stays_for_the_whole_lint(project: Path) -> None:
    (project / "train.py").write_text("from pkg.optim import make_opt\n")
    reader = Project()
    imported = reader.resolve(project / "train.py", "pkg.optim.make_opt")
    assert imported is not None
    held = weakref.ref(imported.index)
    del imported
    assert held() is not None  # its bindings are read for as long as the file is
    assert reader.module(project / "pkg" / "optim.py") is held()


def test_the_scan_shares_each_name_between_files(project: Path) -> None:
    for name in ("a", "b"):
        (project / f"{name}.py").write_text("import torch.nn as nn\nfrom pkg.optim import make_opt\n")
    scan = project_scan.scan(project)
    first, second = (next(f for f in scan.files if f.path.name == f"{name}.py") for name in ("a", "b"))
    assert first.modules == second.modules == ("make_opt", "nn", "optim", "pkg", "torch")
    assert all(x is y for x, y in zip(first.modules, second.modules))
    assert first.imported == ("make_opt",)
    assert first.path == project / "a.py"


def _parsed_names(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the files `Project` parses from now on, in order."""
    parsed: list[str] = []
    parse = Project._parse

    def counting(self: Project, path: Path) -> ModuleIndex | None:
        parsed.append(path.name)
        return parse(self, path)

    monkeypatch.setattr(project_module.Project, "_parse", counting)
    return parsed


def test_a_module_that_calls_two_helpers_is_parsed_once(project: Path, monkeypatch) -> None:
    (project / "pkg" / "optim.py").write_text(
        OPTIM + "\n\ndef make_sgd(net, wd=0.0):\n    return torch.optim.SGD(net.parameters(), lr=0.1, weight_decay=wd)\n"
    )
    (project / "train.py").write_text(
        "from pkg.optim import make_opt, make_sgd\n\nopt = make_opt(net, wd=1e-4)\nsgd = make_sgd(net, wd=0.0)\n"
    )
    parsed = _parsed_names(monkeypatch)
    found = _lint(project / "pkg" / "optim.py")
    assert parsed == ["train.py"]
    assert [(code, row) for code, row, _ in found] == [("WD201", 5)]


CYCLE_FREE = """\
import argparse
import torch

parser = argparse.ArgumentParser()
parser.add_argument("--opt", choices=["adam", "sgd"], default="adam")
args = parser.parse_args()


def make_opt(net, wd=0.0):
    if args.opt == "adam":
        return torch.optim.Adam(net.parameters(), lr=1e-3, weight_decay=wd)
    elif args.opt == "sgd":
        return torch.optim.SGD(net.parameters(), lr=0.1, weight_decay=wd)


config = {"optimizer": "adamw", "weight_decay": 0.05}
"""


def test_a_linted_file_leaves_no_cycle_to_collect(project: Path) -> None:
    """Its trees are freed by reference counting as soon as its lint returns: the cyclic
    collector, which the runner calls between files, finds nothing to scan them for."""
    import gc

    (project / "pkg" / "optim.py").write_text(CYCLE_FREE)
    (project / "train.py").write_text(CALLER)
    _lint(project / "pkg" / "optim.py")  # the first lint imports what it needs
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    try:
        found = _lint(project / "pkg" / "optim.py")
        assert gc.collect() == 0
    finally:
        if enabled:
            gc.enable()
    assert {code for code, _, _ in found} >= {"WD101", "WD201"}


TWO_SITES = """\
import torch


def make_opt(net, kind, wd=0.0):
    if kind == "adam":
        return torch.optim.Adam(net.parameters(), lr=1e-3, weight_decay=wd)
    return torch.optim.SGD(net.parameters(), lr=0.1, weight_decay=wd)
"""


def test_the_callers_of_a_function_are_parsed_once_for_all_its_sites(
    helper_project: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each site of `make_opt` asks for its callers; two caller files, each dropped when the
    other was parsed, were parsed again for every site."""
    project = helper_project(TWO_SITES)
    for name in ("train.py", "finetune.py"):
        (project / name).write_text('from pkg.optim import make_opt\n\nopt = make_opt(net, "adam", wd=1e-4)\n')
    parsed = _parsed_names(monkeypatch)
    found = _lint(project / "pkg" / "optim.py")
    assert sorted(parsed) == ["finetune.py", "train.py"]
    assert [(code, row) for code, row, _ in found] == [("WD101", 6), ("WD201", 6)]
    called = ("finetune.py:3", "train.py:3")
    assert all(message.endswith(tuple(f"{c} as `make_opt(net, 'adam', wd=0.0001)`)" for c in called)) for _, _, message in found)
