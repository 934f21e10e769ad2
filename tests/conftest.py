from __future__ import annotations

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
