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


def test_rule_registry_and_wdlint_check_do_not_import_torch() -> None:
    """The rules' runtime checks live beside their static checks, in modules `wdlint check`
    imports: loading every rule, printing its page and linting a file must leave torch alone."""
    done = python(
        """
import sys
from wdlint.rules import all_rules
from wdlint.cli import cli
assert {r.code for r in all_rules() if r.runtime_check is not None} >= {"WD201", "WD601", "WD604"}
for rule in all_rules():
    rule.markdown()
try:
    cli(["check", "--quiet", "fixtures/gpt_pretrain.py"], prog_name="wdlint")
except SystemExit:
    pass
print("torch" in sys.modules)
"""
    )
    assert done.stdout.endswith("False\n") and "Traceback" not in done.stderr, (done.stdout, done.stderr)
