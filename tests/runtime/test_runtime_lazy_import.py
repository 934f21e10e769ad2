"""`import wdlint` never imports torch; without torch the runtime half names the extra to install."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# As where torch is not installed: `import torch` raises ModuleNotFoundError, find_spec is None.
NO_TORCH = """
import sys
sys.modules["torch"] = None
"""


def python(code: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=REPO, check=False)


def test_import_wdlint_does_not_import_torch() -> None:
    done = python("import sys, wdlint; wdlint.lint_source('x = 1'); print('torch' in sys.modules)")
    assert done.stdout == "False\n", done.stderr


def test_without_torch() -> None:
    done = python(
        NO_TORCH
        + """
import wdlint
assert wdlint.AuditReport([]).ok  # the report and the error need no torch
try:
    wdlint.audit
except ImportError as error:
    print(error)
from wdlint.cli import cli
cli(["audit", "fixtures/audit_demo.py:build"], prog_name="wdlint")
"""
    )
    message = 'the runtime audit needs torch, which is not installed: pip install "wdlint[torch]"'
    assert done.stdout == message + "\n", done.stderr
    assert done.stderr == f"wdlint: error: {message}\n"
    assert done.returncode == 2
