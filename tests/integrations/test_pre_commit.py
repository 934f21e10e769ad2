"""The pre-commit hooks of `.pre-commit-hooks.yaml`, run for real with `pre-commit try-repo`.

try-repo pip-installs wdlint into a fresh environment (from the package registry) for each
call: the two calls here take about 15 seconds together, more on a slow registry. The test is
marked `pre_commit` and runs in the normal suite (`-m 'not pre_commit'` leaves it out).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
# WD101 and WD201 (unsafe fixes only) on line 2, WD501 (a safe fix) on line 3
MISTAKE = (
    "import torch\n"
    "opt = torch.optim.Adam(model.parameters(), weight_decay=1e-4)\n"
    "sgd = torch.optim.SGD(model.parameters(), 0.1, 0.9)\n"
)
CLEAN = "import torch\nopt = torch.optim.AdamW(model.parameters(), weight_decay=0.0)\n"


def _git(cwd: Path, *args: str) -> None:
    identity = ("-c", "user.name=wdlint tests", "-c", "user.email=tests@wdlint.invalid", "-c", "commit.gpgsign=false")
    subprocess.run(["git", *identity, *args], cwd=cwd, check=True, capture_output=True)


def test_manifest_is_valid_for_pre_commit():
    from pre_commit.clientlib import load_manifest

    hooks = {hook["id"]: hook for hook in load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))}
    assert set(hooks) == {"wdlint", "wdlint-fix"}
    assert hooks["wdlint"]["entry"] == "wdlint check --force-exclude"
    assert hooks["wdlint-fix"]["entry"] == "wdlint check --force-exclude --fix"
    for hook in hooks.values():
        assert hook["language"] == "python"
        assert hook["types_or"] == ["python", "jupyter", "yaml", "json"]
        assert hook["require_serial"] is True
        assert hook["additional_dependencies"] == []  # nothing beyond wdlint's own requirements


def test_the_hook_environment_gets_no_torch():
    """pre-commit installs the package without extras: torch must stay in the `torch` extra."""
    project = _pyproject()["project"]
    assert not [req for req in project["dependencies"] if req.lower().startswith("torch")]
    assert any(req.startswith("torch") for req in project["optional-dependencies"]["torch"])


def _pyproject() -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:
        import tomli as tomllib
    with (ROOT / "pyproject.toml").open("rb") as file:
        return tomllib.load(file)


def _snapshot(dest: Path) -> Path:
    """A one-commit repository holding this working tree as it is, untracked files included.

    try-repo on a checkout with uncommitted changes takes only the tracked ones; copying makes
    the test exercise exactly the files around it, in a developer's tree as in CI's clone.
    """
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, check=True, capture_output=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():  # a tracked file deleted in the working tree is left out
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    _git(dest, "init", "-q")
    _git(dest, "add", "-A")
    _git(dest, "commit", "-q", "-m", "snapshot")
    return dest


@pytest.mark.pre_commit
def test_try_repo_fails_on_a_mistake_and_passes_on_clean_code(tmp_path):
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs git and a git checkout of wdlint")
    hooks_repo = _snapshot(tmp_path / "wdlint")
    project = tmp_path / "project"
    project.mkdir()
    (project / "train.py").write_text(MISTAKE)
    (project / "clean.py").write_text(CLEAN)
    _git(project, "init", "-q")
    _git(project, "add", "-A")
    # an impossible torch constraint: installing torch into the hook environment fails the test
    no_torch = tmp_path / "no-torch.txt"
    no_torch.write_text("torch<0\n")
    env = dict(os.environ, PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"), PIP_CONSTRAINT=str(no_torch))

    def try_repo(filename: str) -> subprocess.CompletedProcess[str]:
        """Every hook of the manifest, `wdlint` then `wdlint-fix`: one environment serves both."""
        return subprocess.run(
            [sys.executable, "-m", "pre_commit", "try-repo", str(hooks_repo), "--files", filename],
            cwd=project, env=env, capture_output=True, text=True, timeout=600, check=False,
        )

    failed = try_repo("train.py")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    report, fix_report = failed.stdout.split("wdlint (fix)")
    assert "Failed" in report and "Failed" in fix_report
    # `wdlint` prints the findings and changes nothing ...
    assert "train.py:2:7: WD101" in report and "train.py:3:48: WD501" in report
    # ... `wdlint-fix` then applies the safe fix, which pre-commit reports as a modified file
    assert "files were modified by this hook" in fix_report
    assert (project / "train.py").read_text().endswith("torch.optim.SGD(model.parameters(), 0.1, momentum=0.9)\n")

    passed = try_repo("clean.py")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert passed.stdout.count("Passed") == 2
    assert (project / "clean.py").read_text() == CLEAN
