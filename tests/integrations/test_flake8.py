"""The flake8 plugin, through a real `flake8` run (the `WD` entry point of the installed package)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import wdlint

MISTAKE = 'import torch\nname = "é"; opt = torch.optim.Adam(m.parameters(), weight_decay=1e-4)\n'


def flake8(path: Path, *args: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-m", "flake8", *args, path.name], cwd=path.parent, capture_output=True, text=True, check=False
    )
    assert done.returncode in (0, 1), done.stderr
    return done.stdout.splitlines()


@pytest.fixture(scope="module", autouse=True)
def plugin_installed() -> None:
    version = subprocess.run([sys.executable, "-m", "flake8", "--version"], capture_output=True, text=True, check=False)
    if version.returncode != 0:
        pytest.skip("flake8 is not installed (pip install -e '.[test]')")
    if f"wdlint: {wdlint.__version__}" not in version.stdout:
        pytest.skip("the flake8 entry point exists once wdlint is pip-installed (pip install -e .)")


def test_reports_the_static_findings_with_wdlint_columns(tmp_path):
    path = tmp_path / "train.py"
    path.write_text(MISTAKE, encoding="utf-8")
    lines = flake8(path, "--select", "WD")
    expected = [
        f"train.py:{d.location.row}:{d.location.column}: {d.code} {d.message}"
        for d in wdlint.lint_source(MISTAKE, "train.py")
    ]
    assert lines == expected
    # columns count characters: `é` is one, though two bytes in UTF-8
    assert [line.split(": ")[0] for line in lines] == ["train.py:2:19", "train.py:2:36"]


def test_flake8_noqa_and_ignore_apply(tmp_path):
    path = tmp_path / "train.py"
    path.write_text(MISTAKE.replace("1e-4)\n", "1e-4)  # noqa: WD201\n"), encoding="utf-8")
    assert [line.split(": ")[1][:5] for line in flake8(path, "--select", "WD")] == ["WD101"]
    assert flake8(path, "--select", "WD", "--ignore", "WD1") == []


def test_opt_in_rules_run_when_flake8_names_them(tmp_path):
    path = tmp_path / "train.py"
    path.write_text("import torch\nopt = torch.optim.AdamW(m.parameters())\n", encoding="utf-8")
    assert [line for line in flake8(path) if "WD104" in line] == []
    # flake8's `W` (pycodestyle) also matches WD codes by prefix; it turns no opt-in rule on
    assert [line for line in flake8(path, "--select", "E,W") if "WD104" in line] == []
    (wd104,) = [line for line in flake8(path, "--select", "WD104") if "WD104" in line]
    assert wd104.startswith("train.py:2:7: WD104 ")


def test_files_without_optimizers_are_quiet(tmp_path):
    path = tmp_path / "util.py"
    path.write_text("def f(x):\n    return x\n", encoding="utf-8")
    assert flake8(path, "--select", "WD") == []
