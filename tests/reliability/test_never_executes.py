"""Static mode never executes what it reads (DESIGN.md §6): code, notebooks, configs and the
project's other modules whose running would leave a marker file are linted, and under a
`sys.addaudithook` watch no code from the tree runs, nothing in it is imported or written,
and no process is started."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import wdlint

# Python code that, if it ever ran, leaves a file named after `tag` in the markers directory
PAYLOAD = "open({path!r}, 'w').close()"

# Run in a fresh interpreter, so the hook (which cannot be removed) dies with it: every audit
# event of the run that would mean code from the tree ran (`exec` is raised for exec, eval
# and every module body), was imported, was written, or that a process was started.
WATCH = r"""
import sys

del sys.path[0]  # `python -c` puts the working directory, the tree, first: the harness is not under test
import json, os

tree = os.path.realpath(sys.argv[1])
seen = []
STARTS = {"subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.startfile", "pty.spawn", "ctypes.dlopen"}
WRITE = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC


def inside(path, exists=False):
    try:
        real = os.path.realpath(os.fsdecode(path))
    except (TypeError, ValueError):
        return False
    # code made at run time is named `<string>`, which is not a file of the tree
    return real.startswith(tree + os.sep) and (not exists or os.path.exists(real))


def hook(event, args):
    if event in STARTS:
        seen.append([event, repr(args[:2])])
    elif event == "exec" and inside(getattr(args[0], "co_filename", ""), exists=True):
        seen.append([event, args[0].co_filename])
    elif event == "import" and args[1] and inside(args[1]):
        seen.append([event, args[1]])
    elif event == "open" and isinstance(args[0], (str, bytes)) and inside(args[0]):
        mode, flags = args[1], args[2]
        if (mode and set(mode) & set("wax+")) or (not mode and flags & WRITE):
            seen.append([event, os.fsdecode(args[0]), mode])


sys.addaudithook(hook)
from wdlint.cli import cli

try:
    cli.main(sys.argv[2:], prog_name="wdlint")
except SystemExit as exit:
    code = exit.code
print(json.dumps({"exit": code, "events": seen}), file=sys.stderr)
"""


def _watched(tree: Path, *args: str) -> tuple[int, list[list[str]], str]:
    env = {**os.environ, "PYTHONPATH": str(Path(wdlint.__file__).parent.parent)}
    done = subprocess.run(
        [sys.executable, "-c", WATCH, str(tree), *args], capture_output=True, text=True, cwd=tree, env=env, timeout=120
    )
    *_, report = done.stderr.splitlines()
    result = json.loads(report)
    return result["exit"], result["events"], done.stdout


@pytest.fixture
def markers(tmp_path: Path) -> Path:
    path = tmp_path / "markers"
    path.mkdir()
    return path


def _payload(markers: Path, tag: str) -> str:
    return PAYLOAD.format(path=str(markers / tag))


def _hostile_tree(root: Path, markers: Path) -> Path:
    """A project every part of which runs the payload if executed, imported or evaluated."""
    tree = root / "tree"
    (tree / "pkg").mkdir(parents=True)
    (tree / "configs").mkdir()
    run = lambda tag: _payload(markers, tag)  # noqa: E731
    (tree / "train.py").write_text(
        f"{run('train')}\nimport torch\nfrom pkg.settings import WD\nfrom helpers import make\n"
        "opt = torch.optim.Adam(model.parameters(), weight_decay=WD)\n"
        "opt2 = torch.optim.AdamW(make(model), weight_decay=eval('0.1'))\n"
        f"exec({run('exec')!r})\n"
    )
    (tree / "pkg" / "__init__.py").write_text(run("package_init") + "\n")
    (tree / "pkg" / "settings.py").write_text(f"{run('imported_module')}\nWD = 0.1\n")
    (tree / "helpers.py").write_text(
        f"{run('helper')}\ndef make(model):\n    {run('helper_call')}\n    return model.parameters()\n"
    )
    (tree / "setup.py").write_text(run("setup_py") + "\nimport torch\ntorch.optim.Adam\n")
    (tree / "conftest.py").write_text(run("conftest") + "\n")
    (tree / "sitecustomize.py").write_text(run("sitecustomize") + "\n")
    # modules named like the ones wdlint itself imports: found first if the tree were on sys.path
    for shadow in ("click", "yaml", "json", "ast", "tomllib", "re", "torch"):
        (tree / f"{shadow}.py").write_text(run(f"shadow_{shadow}") + "\n")
    (tree / "configs" / "base.py").write_text(f"{run('mm_base')}\noptim_wrapper = dict(optimizer=dict(type='Adam', weight_decay=0.1))\n")
    (tree / "configs" / "model.py").write_text(
        f"_base_ = ['./base.py']\n{run('mm_config')}\noptim_wrapper = dict(optimizer=dict(weight_decay=0.05))\n"
    )
    cells = [
        {"cell_type": "code", "metadata": {}, "outputs": [], "source": source}
        for source in (
            f"{run('cell')}\n",
            f"!touch {markers / 'shell_escape'}\n",
            f"%run {tree / 'helpers.py'}\n",
            f"%%bash\ntouch {markers / 'cell_magic'}\n",
            "import torch\nopt = torch.optim.Adam(m.parameters(), weight_decay=0.1)\n",
        )
    ]
    (tree / "notebook.ipynb").write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4}))
    (tree / "hydra.yaml").write_text(
        "optimizer:\n  _target_: torch.optim.Adam\n  weight_decay: 0.1\n"
        f"  lr: !!python/object/apply:os.system [\"touch {markers / 'yaml_apply'}\"]\n"
    )
    (tree / "lightning.yaml").write_text(
        "optimizer:\n  class_path: torch.optim.Adam\n  init_args:\n    weight_decay: 0.1\n"
        f"    eps: !!python/object/new:subprocess.Popen [[\"touch\", \"{markers / 'yaml_new'}\"]]\n"
    )
    (tree / "ds_config.json").write_text(json.dumps({"optimizer": {"type": "Adam", "params": {"weight_decay": 0.1, "adam_w_mode": False}}}))
    return tree


def test_nothing_in_the_tree_runs_and_no_process_starts(tmp_path: Path, markers: Path) -> None:
    tree = _hostile_tree(tmp_path, markers)
    exit_code, events, stdout = _watched(tree, "--select", "ALL", "--isolated", "--no-cache", "--output-format", "json", ".")
    assert events == []
    assert sorted(p.name for p in markers.iterdir()) == []
    found = {(d["filename"], d["code"]) for d in json.loads(stdout)}
    assert exit_code == 1
    # read, not run: the findings are there
    assert {("train.py", "WD101"), ("notebook.ipynb", "WD101"), ("ds_config.json", "WD101")} <= found
    assert ("configs/model.py", "WD101") in found  # the base file's Adam, read through `_base_`
    assert ("hydra.yaml", "WD001") in found and ("lightning.yaml", "WD001") in found  # tags refused


def test_fixing_runs_nothing_either(tmp_path: Path, markers: Path) -> None:
    tree = _hostile_tree(tmp_path, markers)
    _, events, _ = _watched(tree, "--select", "ALL", "--isolated", "--no-cache", "--fix", "--unsafe-fixes", ".")
    # fixes write linted files, by a temporary file and a rename: only those opens are expected
    assert [e for e in events if e[0] != "open"] == []
    written = {Path(e[1]).name for e in events if e[0] == "open"}
    assert all(name.startswith((".train.py", ".notebook.ipynb")) for name in written), written
    assert sorted(p.name for p in markers.iterdir()) == []


def test_odd_pyproject_keys_are_a_config_error_not_code(tmp_path: Path, markers: Path) -> None:
    tree = _hostile_tree(tmp_path, markers)
    (tree / "pyproject.toml").write_text(
        "[build-system]\nrequires = ['setuptools']\nbuild-backend = 'setup'\n"
        f"[tool.setuptools.dynamic]\nversion = {{attr = 'setup.VERSION'}}\n"
        f"[tool.wdlint]\nselect = ['ALL']\nplugins = [\"__import__('os').system('touch {markers / 'plugin'}')\"]\n"
        "target-torch-version = \"__import__('os')\"\n"
    )
    exit_code, events, _ = _watched(tree, "--no-cache", ".")
    assert exit_code == 2
    assert events == [] and list(markers.iterdir()) == []


def test_the_console_script_does_not_import_the_tree(tmp_path: Path, markers: Path) -> None:
    """The installed `wdlint` puts its own directory first on sys.path, not the working
    directory, so a checkout's `click.py` or `yaml.py` is never imported. (`python -m wdlint`
    does put the working directory first, as `python -m` always does: see the README.)"""
    script = Path(sys.executable).parent / "wdlint"
    if not script.exists():
        pytest.skip("wdlint is not installed in this environment (pip install -e .)")
    tree = _hostile_tree(tmp_path, markers)
    done = subprocess.run([str(script), "--isolated", "--no-cache", "."], capture_output=True, text=True, cwd=tree, timeout=120)
    assert done.returncode == 1, done.stderr
    assert list(markers.iterdir()) == []
