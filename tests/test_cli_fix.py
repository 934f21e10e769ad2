"""`--fix`, `--unsafe-fixes`, `--diff`, `--show-fixes`, `--fix-only` on the command line."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from wdlint.cli import cli

POSITIONAL = "import torch\nopt = torch.optim.Adam(m.parameters(), 1e-3, (0.9, 0.99))\n"
POSITIONAL_FIXED = "import torch\nopt = torch.optim.Adam(m.parameters(), 1e-3, betas=(0.9, 0.99))\n"
COUPLED = "import torch\nopt = torch.optim.Adam(ps, weight_decay=1e-4)\n"
COUPLED_FIXED = "import torch\nopt = torch.optim.AdamW(ps, weight_decay=1e-4)\n"


def run(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, ["--isolated", *args], input=input, catch_exceptions=False)


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "a.py").write_text(POSITIONAL)
    (tmp_path / "b.py").write_text(COUPLED)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_markers_and_hints_follow_applicability(tree):
    result = run("--output-format", "concise", ".")
    assert "a.py:2:46: WD501 [*] " in result.output
    assert "b.py:2:7: WD101 `torch" in result.output  # unsafe: no marker
    assert result.output.endswith(
        "[*] 1 fixable with the `--fix` option (1 hidden fix can be enabled with the `--unsafe-fixes` option).\n"
    )
    unsafe = run("--output-format", "concise", "--unsafe-fixes", ".")
    assert "b.py:2:7: WD101 [*] " in unsafe.output


def test_fix_applies_safe_fixes_and_reports_the_rest(tree):
    result = run("--output-format", "concise", "--fix", ".")
    assert (tree / "a.py").read_text() == POSITIONAL_FIXED
    assert (tree / "b.py").read_text() == COUPLED
    assert result.output.endswith("Found 2 errors (1 fixed, 1 remaining).\n")
    assert result.exit_code == 1
    assert run("--fix", ".").output.endswith("Found 1 error.\nNo fixes available (1 hidden fix can be enabled with the `--unsafe-fixes` option).\n")


def test_unsafe_fixes_and_clean_exit(tree):
    result = run("--output-format", "concise", "--fix", "--unsafe-fixes", "--select", "WD101,WD501", ".")
    assert (tree / "b.py").read_text() == COUPLED_FIXED
    assert result.output == "Found 2 errors (2 fixed, 0 remaining).\n"
    assert result.exit_code == 0


def test_diff_changes_nothing(tree):
    result = run("--diff", ".")
    assert result.exit_code == 1
    assert "+opt = torch.optim.Adam(m.parameters(), 1e-3, betas=(0.9, 0.99))" in result.stdout
    assert "Would fix 1 error." in result.stderr
    assert (tree / "a.py").read_text() == POSITIONAL
    (tree / "a.py").write_text(POSITIONAL_FIXED)
    clean = run("--diff", "--select", "WD501", ".")
    assert (clean.exit_code, clean.stdout) == (0, "")


def test_show_fixes_and_fix_only(tree):
    result = run("--fix-only", "--show-fixes", "--unsafe-fixes", ".")
    assert result.exit_code == 0
    assert "Fixed 2 errors:\n- a.py:\n    1 × WD501 (positional-hyperparameters)\n- b.py:\n    1 × WD101 (adam-coupled-decay)\n" in result.stderr
    assert (tree / "b.py").read_text() == COUPLED_FIXED


def test_fix_from_stdin_prints_the_fixed_source(tree):
    result = run("--fix", "--select", "WD501", "-", input=POSITIONAL)
    assert result.stdout.startswith(POSITIONAL_FIXED)


def test_per_file_ignores_are_not_fixed(tree):
    (tree / "pyproject.toml").write_text('[tool.wdlint.per-file-ignores]\n"a.py" = ["WD501"]\n')
    CliRunner().invoke(cli, ["--fix", "."], catch_exceptions=False)
    assert (tree / "a.py").read_text() == POSITIONAL


def test_parse_errors_are_left_alone(tree):
    (tree / "broken.py").write_text("import torch\nopt = torch.optim.Adam(\n")
    result = run("--fix", "--output-format", "concise", ".")
    assert (tree / "broken.py").read_text() == "import torch\nopt = torch.optim.Adam(\n"
    assert "broken.py:" in result.output and "WD001" in result.output


def test_fixing_stdin_keeps_stdout_for_the_source(tree):
    result = run("--fix", "-", input="import torch\nopt = torch.optim.Adam(ps, weight_decay=1e-4)\n")
    assert result.stdout == "import torch\nopt = torch.optim.Adam(ps, weight_decay=1e-4)\n"
    assert "WD101" in result.stderr


def test_diff_of_stdin(tree):
    result = run("--diff", "--select", "WD501", "-", input=POSITIONAL)
    assert result.exit_code == 1
    assert "+opt = torch.optim.Adam(m.parameters(), 1e-3, betas=(0.9, 0.99))" in result.stdout
