from __future__ import annotations

import os
import textwrap
from collections.abc import Callable

import pytest
import torchvision_without_ops

import wdlint

# timm, lightning (through torchmetrics) and transformers import torchvision where it is
# installed; the CUDA build pinned for the CPU torch imports only with this (see its docstring)
torchvision_without_ops.install()

Findings = list[tuple[str, int, int]]


def _findings(source: str, code: str, **options: object) -> Findings:
    """(code, row, column) of `code`'s findings in dedented `source`, with the rule selected."""
    diagnostics = wdlint.lint_source(
        textwrap.dedent(source), "example.py", select=[code], **options  # type: ignore[arg-type]
    )
    return [(d.code, d.location.row, d.location.column) for d in diagnostics if d.code == code]


@pytest.fixture
def findings() -> Callable[..., Findings]:
    return _findings


# The README's test command runs everything: a test may skip only for want of a CUDA device (its
# reason says so). Any other skip (torch, a framework, flake8 missing) fails the run, naming the
# tests, so a half-installed environment cannot pass for a tested one. WDLINT_ALLOW_SKIPS=1 is
# for a contributor who deliberately runs the static half without the test extra.
_ALLOWED_SKIP = "CUDA"


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    return str(longrepr[2]) if isinstance(longrepr, tuple) else str(longrepr)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None or exitstatus != pytest.ExitCode.OK or os.environ.get("WDLINT_ALLOW_SKIPS") == "1":
        return
    skipped = [r for r in reporter.stats.get("skipped", ()) if _ALLOWED_SKIP not in _skip_reason(r)]
    if skipped:
        reporter.write_line("")
        reporter.write_line(
            f"{len(skipped)} tests skipped for something other than a CUDA device: install the test extra "
            '(pip install -e ".[test]") or set WDLINT_ALLOW_SKIPS=1',
            red=True,
        )
        for report in skipped:
            reporter.write_line(f"  {report.nodeid}: {_skip_reason(report)}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


pytest_plugins = ["pytester"]  # tests/test_suite_policy.py runs this very conftest in a sub-session
