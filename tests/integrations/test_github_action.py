"""The composite GitHub Action of `action.yml`, its `run` steps executed for real.

GitHub is not here, so the test plays the runner's part: it reads `action.yml`, evaluates the
step conditions and the `${{ ... }}` expressions the file uses (and fails on any other, so a new
expression cannot go untested), and runs each `run` step with bash in a fresh virtual
environment, in a workspace with a training script, as `runs.steps` orders them. The
`actions/setup-python` step is the one thing left out: the venv's Python stands in for it. Each
test pip-installs wdlint into its venv (from this checkout, or a wheel of it as the release
`version` names), about 10 seconds each.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import venv
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
MISTAKE = "import torch\nopt = torch.optim.Adam(model.parameters(), weight_decay=1e-4)\n"
CLEAN = "import torch\nopt = torch.optim.AdamW(model.parameters(), weight_decay=0.0)\n"
_EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def _action() -> dict[str, Any]:
    with (ROOT / "action.yml").open() as file:
        loaded: dict[str, Any] = yaml.safe_load(file)
    return loaded


def _value(expression: str, inputs: Mapping[str, str]) -> str:
    """The few expressions action.yml may use: an input, the action's own path."""
    if expression.startswith("inputs."):
        return inputs[expression.removeprefix("inputs.")]
    if expression == "github.action_path":
        return str(ROOT)
    raise AssertionError(f"action.yml uses an expression this test does not know: {expression}")


def _condition(condition: str | None, inputs: Mapping[str, str]) -> bool:
    if condition is None:
        return True
    match = re.fullmatch(r"(inputs\.[\w-]+) != ''", condition)
    assert match is not None, f"action.yml uses a condition this test does not know: {condition}"
    return _value(match.group(1), inputs) != ""


def _run_action(workspace: Path, given: Mapping[str, str], extra_env: Mapping[str, str] = {}) -> list[int]:
    """Runs the action's `run` steps in order, as a runner does (stopping at the first that
    fails); returns their exit statuses."""
    action = _action()
    inputs = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()}
    inputs.update(given)
    environment = workspace.parent / "venv"
    venv.EnvBuilder(with_pip=True).create(environment)
    base = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTHON"))}
    base["PATH"] = f"{environment / 'bin'}{os.pathsep}{base['PATH']}"
    statuses = []
    for step in action["runs"]["steps"]:
        if "run" not in step:
            assert step["uses"].startswith("actions/setup-python@")  # the venv stands in for it
            continue
        if not _condition(step.get("if"), inputs):
            continue
        assert step["shell"] == "bash"
        assert "${{" not in step["run"], "inputs reach the script through env, never pasted into it"
        env = dict(base, **extra_env)
        for name, value in step.get("env", {}).items():
            env[name] = _EXPRESSION.sub(lambda m: _value(m.group(1), inputs), value)
        done = subprocess.run(["bash", "-e", "-c", step["run"]], check=False, cwd=workspace, env=env, capture_output=True, text=True)
        statuses.append(done.returncode)
        (workspace.parent / f"step{len(statuses)}.log").write_text(done.stdout + done.stderr)
        if done.returncode != 0:
            break
    return statuses


def test_every_input_is_documented_and_optional():
    action = _action()
    assert action["runs"]["using"] == "composite"
    assert set(action["inputs"]) == {"args", "version", "sarif-file", "python-version"}
    for spec in action["inputs"].values():
        assert spec["description"] and spec["required"] is False and "default" in spec


@pytest.mark.installs
def test_the_action_installs_this_checkout_annotates_and_writes_sarif(tmp_path: Path):
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    (workspace / "train.py").write_text(MISTAKE)
    statuses = _run_action(workspace, {"sarif-file": "wdlint.sarif"})
    assert statuses == [0, 0, 1], (tmp_path / f"step{len(statuses)}.log").read_text()
    annotations = (tmp_path / "step3.log").read_text().splitlines()
    assert annotations[0].startswith("::warning file=train.py,line=2,col=7,")
    assert "title=wdlint (WD101)" in annotations[0]
    sarif = json.loads((workspace / "wdlint.sarif").read_text())
    found = {r["ruleId"] for r in sarif["runs"][0]["results"]}
    assert found == {"WD101", "WD201"}


@pytest.mark.installs
def test_a_release_version_is_installed_from_the_index_and_args_pass_through(tmp_path: Path):
    # the "index": a wheel of this checkout, as the release of its version would be, and of
    # its dependencies (so no other project's `wdlint` on a registry can be picked instead)
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--wheel-dir", str(wheels), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = wheels.glob("wdlint-*.whl")
    version = wheel.name.split("-")[1]
    workspace = tmp_path / "workspace"
    (workspace / "src").mkdir(parents=True)
    (workspace / "src" / "train.py").write_text(CLEAN)
    (workspace / "old.py").write_text(MISTAKE)  # outside the paths the args name
    statuses = _run_action(
        workspace,
        {"version": version, "args": "check --output-format concise src"},
        {"PIP_FIND_LINKS": str(wheels), "PIP_NO_INDEX": "1"},
    )
    assert statuses == [0, 0], (tmp_path / f"step{len(statuses)}.log").read_text()
    installed = (tmp_path / "step1.log").read_text().splitlines()[-1]
    assert installed.startswith("Successfully installed") and f"wdlint-{version}" in installed.split()
