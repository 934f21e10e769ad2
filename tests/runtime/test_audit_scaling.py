"""The audit's cost is linear in the number of parameter tensors (DESIGN.md §5): counted in
executed lines of Python, which, unlike a clock, is the same on every machine, from 2,500 to
10,000 tensors."""

from __future__ import annotations

import sys
from types import FrameType
from typing import Any

import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

import wdlint  # noqa: E402


class Block(nn.Module):
    """Four tensors: a matrix and its bias, and a norm's weight and bias."""

    def __init__(self) -> None:
        super().__init__()
        self.proj = nn.Linear(4, 4)
        self.norm = nn.LayerNorm(4)


def _model(tensors: int) -> nn.Module:
    with torch.device("meta"):
        return nn.Sequential(*(Block() for _ in range(tensors // 4)))


def _lines_run(model: nn.Module, optimizer: torch.optim.Optimizer) -> int:
    count = 0

    def trace(frame: FrameType, event: str, arg: Any) -> Any:
        nonlocal count
        count += event == "line"
        return trace

    sys.settrace(trace)
    try:
        report = wdlint.audit(model, optimizer, select=["ALL"])
        str(report)
    finally:
        sys.settrace(None)
    return count


@pytest.mark.parametrize("grouped", [False, True], ids=["flat", "grouped"])
def test_audit_of_10000_tensors_is_linear(grouped: bool) -> None:
    counts = []
    for tensors in (2_500, 10_000):
        model = _model(tensors)
        assert sum(1 for _ in model.parameters()) == tensors
        if grouped:
            params: Any = [
                {"params": [p for p in model.parameters() if p.ndim >= 2]},
                {"params": [p for p in model.parameters() if p.ndim < 2], "weight_decay": 0.0},
            ]
        else:
            params = model.parameters()  # every bias and norm decayed: findings name 7,500 params
        counts.append(_lines_run(model, torch.optim.AdamW(params, weight_decay=0.1)))
    small, large = counts
    # four times the tensors, at most 4.4 times the work (fixed costs make it a little less)
    assert large <= 4.4 * small, (small, large)
