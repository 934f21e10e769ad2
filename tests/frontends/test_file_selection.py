"""Which files a walk lints: notebooks, YAML and JSON by default, as `include` says."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from wdlint.cli import cli
from wdlint.config import Settings
from wdlint.engine.discover import discover

ADAM = "torch.optim.Adam(model.parameters(), weight_decay=1e-4)"
FILES = {
    "train.py": f"import torch\nopt = {ADAM}\n",
    "nb/explore.ipynb": json.dumps(
        {"cells": [{"cell_type": "code", "source": ["import torch\n", f"opt = {ADAM}\n"]}], "metadata": {}}
    ),
    "conf/model.yaml": "optimizer:\n  _target_: torch.optim.Adam\n  weight_decay: 1e-4\n",
    "conf/probe.yml": "optimizer:\n  _target_: torch.optim.Adagrad\n  weight_decay: 1e-4\n",
    "ds_config.json": '{"optimizer": {"type": "Adam", "params": {"adam_w_mode": false, "weight_decay": 0.1}}}',
    "package.json": '{"name": "app", "type": "module"}',
    "gui.pyw": f"import torch\nopt = {ADAM}\n",
}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name, text in FILES.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def linted(*args: str) -> list[str]:
    result = CliRunner().invoke(cli, ["check", "--output-format", "concise", *args])
    return [line.split(": ")[0] for line in result.stdout.splitlines() if ": WD" in line]


def test_every_format_by_default(project: Path) -> None:
    assert linted() == [
        "conf/model.yaml:2:13",
        "conf/probe.yml:2:13",
        "ds_config.json:1:24",
        "nb/explore.ipynb:cell 1:2:7",
        "nb/explore.ipynb:cell 1:2:24",
        "train.py:2:7",
        "train.py:2:24",
    ]


def test_include_replaces_the_default(project: Path) -> None:
    (project / "wdlint.toml").write_text("include = ['*.py', 'conf/*.yaml']\n")
    assert linted() == ["conf/model.yaml:2:13", "train.py:2:7", "train.py:2:24"]


def test_extend_include_adds(project: Path) -> None:
    (project / "wdlint.toml").write_text(textwrap.dedent("include = ['*.json']\nextend-include = ['*.pyw']\n"))
    assert linted() == ["ds_config.json:1:24", "gui.pyw:2:7", "gui.pyw:2:24"]


def test_a_file_named_is_linted_whatever_include_says(project: Path) -> None:
    (project / "wdlint.toml").write_text("include = ['*.py']\n")
    assert linted("conf/probe.yml") == ["conf/probe.yml:2:13"]


def test_discover_takes_include_globs(project: Path) -> None:
    settings = Settings(root=project)
    found = discover([Path(".")], settings, include=["*.yml", "nb/*"]).files
    assert found == (Path("conf/probe.yml"), Path("nb/explore.ipynb"))
    assert discover([Path(".")], settings).files == (Path("train.py"),)
