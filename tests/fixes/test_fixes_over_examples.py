"""Every fixable rule's fixes, safe and unsafe, over the bundled fixtures and the Python snippets
of these tests (bench/corpus_check.py's checks, in this process): the fixed files parse, only
their code changes, a second `--fix` changes nothing, and no line a fix wrote is longer than
the line length unless the line it replaced was. bench/corpus_check.py runs the same over real
trees (`ecosystem`: the ecosystem check's projects)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest
from click.testing import CliRunner

from wdlint.cli import cli
from wdlint.rules import all_rules

REPO = Path(__file__).resolve().parents[2]


def _bench(name: str) -> ModuleType:
    sys.path.insert(0, str(REPO / "bench"))  # their own imports (`corpora`)
    spec = importlib.util.spec_from_file_location(name, REPO / "bench" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


corpus_check = _bench("corpus_check")
compare_revisions = _bench("compare_revisions")
FIXABLE = {rule.code for rule in all_rules() if rule.fix is not None and rule.static}


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, ["check", "--isolated", "--no-cache", "--select", "ALL", *args, "."])
    assert result.exit_code in (0, 1), result.output
    return result.stdout


@pytest.fixture(scope="module")
def examples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("examples")
    corpus_check.copy_sources(REPO / "fixtures", root / "fixtures")
    compare_revisions.snippets(root / "snippets")
    return root


def test_every_fix_over_the_examples(examples: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(examples)
    row = corpus_check.Row("examples")
    found = json.loads(run("--output-format", "json"))
    fixable = {d["code"] for d in found if d["fix"] is not None}
    assert fixable == FIXABLE, "every fixable rule's fix runs here"
    before = corpus_check.snapshot(examples)
    run("--fix", "--unsafe-fixes")
    after = corpus_check.snapshot(examples)
    corpus_check.check_fixed(row, before, after, examples, formatter=False)
    run("--fix", "--unsafe-fixes")
    assert corpus_check.snapshot(examples) == after, "a second --fix changes nothing"
    assert row.counts["fixed"] > 100
    assert row.problems == []


def test_the_check_sees_a_line_written_too_long() -> None:
    # the check itself: a stretch that was within the length and is not is counted, with its row
    old = "x = f(a)\ny = 1\n"
    assert corpus_check.written_too_long(old, "x = f(" + "a" * 100 + ")\ny = 1\n", 88) == [1]
    assert corpus_check.written_too_long("x = " + "b" * 90 + "\n", "x = " + "c" * 95 + "\n", 88) == []
    assert corpus_check.written_too_long(old, "x = f(a)  # noqa: WD101" + " " * 70 + "\ny = 1\n", 88) == []

