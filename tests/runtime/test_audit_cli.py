"""`wdlint audit TARGET`, in-process through click's runner and once through `python -m wdlint`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

torch = pytest.importorskip("torch")

from wdlint.cli import cli  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "fixtures" / "audit_demo.py"

CLEAN = """
import torch
import wdlint
from torch import nn

seen = []

def build(device="cpu"):
    seen.append(device)
    model = nn.Sequential(nn.Embedding(10, 4), nn.Linear(4, 4), nn.LayerNorm(4))
    return model, torch.optim.AdamW(wdlint.param_groups(model, 0.1), lr=1e-3)

def as_dict():
    model = nn.Linear(4, 4)
    assert model.weight.device.type == "meta"  # built under the requested default device
    return {"model": model, "optimizer": torch.optim.AdamW(wdlint.param_groups(model, 0.1))}

def embeddings_decayed():
    model = nn.Sequential(nn.Embedding(10, 4), nn.Linear(4, 4))
    groups = [
        {"params": [p for p in model.parameters() if p.ndim >= 2], "weight_decay": 0.1},
        {"params": [p for p in model.parameters() if p.ndim < 2], "weight_decay": 0.0},
    ]
    return model, torch.optim.AdamW(groups)

def broken():
    raise RuntimeError("no data\\nat /data")

def wrong():
    return 3

not_callable = 3
"""


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, ["audit", *args])


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "factories.py").write_text(textwrap.dedent(CLEAN))
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in [m for m in sys.modules if m.endswith("factories")]:
        monkeypatch.delitem(sys.modules, name)
    return tmp_path


def test_demo_factory_full_output() -> None:
    result = run(f"{DEMO}:build")
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("WD201 decay-on-bias-and-norm: `torch.optim.AdamW` decays 9 params")
    assert lines[2].split() == ["layers.*.input_norm.weight", "x4", "[64]", "0.1"]
    assert lines[-1] == "Found 1 problem (1 optimizer, 2 param groups, 39 params)."


def test_demo_factory_json_on_cpu() -> None:
    result = run(f"{DEMO}:build", "--device", "cpu", "--output-format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["ok"] is False
    assert data["findings"][0]["params"][0] == "layers.0.input_norm.weight"


def test_ignore_makes_it_clean() -> None:
    result = run(f"{DEMO}:build", "--ignore", "WD201")
    assert (result.exit_code, result.stdout) == (0, "All checks passed (1 optimizer, 2 param groups, 39 params).\n")


def test_module_target_and_device_argument(project: Path) -> None:
    result = run("factories:build")
    assert result.exit_code == 0, result.output
    import factories

    assert factories.seen == ["meta"]
    assert run("factories:as_dict").exit_code == 0


def test_policy_from_pyproject(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        '[tool.wdlint]\nextend-select = ["WD604"]\n\n[tool.wdlint.policy]\nembeddings = "no-decay"\n'
    )
    result = run("factories.py:embeddings_decayed")
    assert result.exit_code == 1 and "WD604" in result.stdout and "0.weight" in result.stdout
    assert run("factories.py:embeddings_decayed", "--isolated").exit_code == 0


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("no_such_module:build", "cannot import `no_such_module`: ModuleNotFoundError: No module named 'no_such_module'"),
        ("missing.py:build", "missing.py: No such file"),
        ("factories:nope", "`factories` has no attribute `nope`"),
        ("factories:not_callable", "`factories:not_callable` is not callable"),
        ("factories:broken", "`factories:broken` raised RuntimeError: no data at /data"),
        ("factories:wrong", '`factories:wrong` returned int: expected (model, optimizer) or {"model": ..., "optimizer": ...}'),
        ("factories", "expected `package.module:factory` or `path/to/file.py:factory`, got `factories`"),
    ],
)
def test_errors_are_one_line_and_exit_2(project: Path, target: str, message: str) -> None:
    result = run(target)
    assert result.exit_code == 2
    assert result.stderr == f"wdlint: error: {message}\n"
    assert result.stdout == ""


def test_syntax_error_in_the_target(project: Path) -> None:
    (project / "bad.py").write_text("def build(:\n")
    result = run("bad.py:build")
    assert result.exit_code == 2
    assert result.stderr.startswith("wdlint: error: cannot import `bad.py`: SyntaxError: ")
    assert result.stderr.count("\n") == 1


def test_bad_device_is_a_usage_error(project: Path) -> None:
    result = run("factories:build", "--device", "tpu")
    assert result.exit_code == 2 and "--device" in result.output


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
def test_cuda_without_cuda(project: Path) -> None:
    result = run("factories:build", "--device", "cuda:0")
    assert (result.exit_code, result.stderr) == (2, "wdlint: error: --device cuda:0: CUDA is not available on this machine\n")


def test_missing_torch_names_the_extra(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "torch" else real(name, *a))
    result = run("factories:build")
    assert result.exit_code == 2
    assert result.stderr == 'wdlint: error: the runtime audit needs torch, which is not installed: pip install "wdlint[torch]"\n'


def test_module_entry_point() -> None:
    """`python -m wdlint` reaches `audit` (its output is checked in-process below)."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-m", "wdlint", "audit", "--help"], capture_output=True, text=True, check=False, env=env, cwd=REPO
    )
    assert done.returncode == 0, done.stderr
    assert "TARGET" in done.stdout


def test_readme_shows_the_real_output(monkeypatch: pytest.MonkeyPatch) -> None:
    section = (REPO / "README.md").read_text(encoding="utf-8").split("\n## Runtime audit\n", 1)[1]
    command, _, shown = section.split("```console\n", 1)[1].split("```", 1)[0].partition("\n")
    assert command == "$ wdlint audit fixtures/audit_demo.py:build"
    monkeypatch.chdir(REPO)
    assert run("fixtures/audit_demo.py:build").stdout == shown


def test_factories_that_exit_parse_arguments_or_build_nothing_to_compare(tmp_path: Path) -> None:
    (tmp_path / "odd.py").write_text(
        "import argparse, sys, torch\n"
        "def exits(device=None):\n    sys.exit(0)\n"
        "def parses(device=None):\n"
        "    p = argparse.ArgumentParser(); p.add_argument('--wd', type=float, default=0.1); a = p.parse_args()\n"
        "    m = torch.nn.Linear(2, 2)\n    return m, torch.optim.AdamW(m.parameters(), weight_decay=a.wd)\n"
        "def unrelated(device=None):\n"
        "    return torch.nn.Linear(2, 2), torch.optim.AdamW(torch.nn.Linear(2, 2).parameters())\n"
    )
    exits = run(f"{tmp_path / 'odd.py'}:exits")
    assert exits.exit_code == 2 and "raised" in exits.output
    parses = run(f"{tmp_path / 'odd.py'}:parses")
    assert parses.exit_code == 1 and "WD201" in parses.output  # its own argv, not wdlint's
    unrelated = run(f"{tmp_path / 'odd.py'}:unrelated")
    assert unrelated.exit_code == 2 and "internal error" not in unrelated.output
    assert "holds none of the model's params" in unrelated.output
