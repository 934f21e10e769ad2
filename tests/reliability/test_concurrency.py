"""Two wdlint processes on one tree and one cache at once (an editor's run and a pre-commit
hook): each reports exactly what a run without a cache reports, and the cache they share
stays readable and never answers for content it was not computed from."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import wdlint
from wdlint.cli import cli
from wdlint.engine.cache import ResultCache, checksum
from wdlint.engine.jobs import LintOptions

MISTAKE = "import torch\nopt = torch.optim.Adam(m.parameters(), weight_decay={wd})\n"
CLEAN = "import torch\nopt = torch.optim.AdamW(m.parameters(), lr={wd})\n"
ARGS = ("--isolated", "--select", "ALL", "--output-format", "json", ".")
FILES = 160  # enough for each run to lint in worker processes too


def _write_tree(tree: Path, generation: int) -> None:
    """The tree's files for one generation: which hold a mistake changes from one to the next."""
    for i in range(FILES):
        template = MISTAKE if (i + generation) % 3 == 0 else CLEAN
        (tree / f"module_{i:03}.py").write_text(template.format(wd=f"1e-{i % 7 + 1}") + f"# {generation}\n" * (i % 5))


def _expected(tree: Path, monkeypatch: pytest.MonkeyPatch) -> list[dict[str, object]]:
    monkeypatch.chdir(tree)
    result = CliRunner().invoke(cli, [*ARGS, "--no-cache"], catch_exceptions=False)
    findings: list[dict[str, object]] = json.loads(result.output)
    return findings


def _concurrent_runs(tree: Path, cache: Path, count: int = 2, *extra: str) -> list[list[dict[str, object]]]:
    """`count` runs started at once; `extra` options go to the first (a `--fix`)."""
    env = {**os.environ, "PYTHONPATH": str(Path(wdlint.__file__).parent.parent)}
    command = [sys.executable, "-m", "wdlint", "check", *ARGS, "--cache-dir", str(cache)]
    processes = [
        subprocess.Popen(
            [*command, *(extra if i == 0 else ())], cwd=tree, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for i in range(count)
    ]
    outputs = []
    for process in processes:
        stdout, stderr = process.communicate(timeout=120)
        assert process.returncode in (0, 1), stderr
        assert "Traceback" not in stderr
        outputs.append(json.loads(stdout))
    return outputs


def test_two_runs_at_once_share_a_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tree, cache = tmp_path / "tree", tmp_path / "cache"
    tree.mkdir()
    for generation in range(4):  # cold, then changed files each time: hits and misses at once
        _write_tree(tree, generation)
        expected = _expected(tree, monkeypatch)
        assert expected
        for output in _concurrent_runs(tree, cache):
            assert output == expected, generation
    assert _concurrent_runs(tree, cache, count=1) == [expected]  # warm, from what they saved

    entries = {  # readable JSON, not torn
        path: entry
        for cache_file in (cache / wdlint.__version__).glob("*.json")
        for path, entry in json.loads(cache_file.read_bytes())["files"].items()
    }
    assert not list(cache.rglob(".tmp-*"))
    loaded = ResultCache(cache, LintOptions.from_selection(["ALL"]))
    assert loaded.entries == entries
    for path, entry in entries.items():
        # an entry may be older than the file (a miss next time), never wrong about the file
        # it says it describes
        data = Path(path).read_bytes()
        if entry["size"] == len(data) and entry["mtime"] == Path(path).stat().st_mtime_ns:
            assert entry["checksum"] == checksum(data), path


def test_a_fix_and_a_check_at_once_leave_a_cache_that_tells_the_truth(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One run fixes the files another is linting: what the checker saw may be either version,
    but what the cache keeps must describe the files as they are."""
    tree, cache = tmp_path / "tree", tmp_path / "cache"
    tree.mkdir()
    _write_tree(tree, 0)
    before = _expected(tree, monkeypatch)
    _concurrent_runs(tree, cache, 2, "--fix", "--unsafe-fixes")
    expected = _expected(tree, monkeypatch)  # after the fix: what is left
    assert len(expected) < len(before)
    assert _concurrent_runs(tree, cache, count=1) == [expected]
