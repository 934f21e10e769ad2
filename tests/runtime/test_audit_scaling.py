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


def _optimizer(model: nn.Module, layout: str) -> torch.optim.Optimizer:
    params = list(model.parameters())
    if layout == "flat":  # every bias and norm decayed: the findings name three params in four
        return torch.optim.AdamW(params, weight_decay=0.1)
    if layout == "grouped":
        decay, rest = [p for p in params if p.ndim >= 2], [p for p in params if p.ndim < 2]
        return torch.optim.AdamW([{"params": decay}, {"params": rest, "weight_decay": 0.0}], weight_decay=0.1)
    # one group per tensor, all at the default 0 (WD301 looks group by group), and a misspelt
    # key in each (WD204 too)
    return torch.optim.AdamW([{"params": [p], "weight_decay_rate": 0.1} for p in params], weight_decay=0.0)


@pytest.mark.parametrize(
    ("layout", "sizes"),
    [
        ("flat", (2_500, 10_000)),
        ("grouped", (2_500, 10_000)),
        ("a group per tensor", (1_000, 4_000)),  # 10,000 groups: 13 s traced, and no more telling
    ],
)
def test_audit_cost_is_linear_in_tensors(layout: str, sizes: tuple[int, int]) -> None:
    warm = _model(8)  # the first audit imports the runtime modules: not part of the count
    str(wdlint.audit(warm, _optimizer(warm, layout), select=["ALL"]))
    counts = []
    for tensors in sizes:
        model = _model(tensors)
        assert sum(1 for _ in model.parameters()) == tensors
        counts.append(_lines_run(model, _optimizer(model, layout)))
    small, large = counts
    # four times the tensors, four times the work (fixed costs make it a little less)
    assert large <= 4.1 * small, (small, large)  # 3.99 measured for each layout
