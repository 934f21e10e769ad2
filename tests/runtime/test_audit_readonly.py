"""The audit is read-only and never reads tensor data: model, param_groups and optimizer state are
unchanged afterwards, and the only tensor attributes it touches are metadata."""

from __future__ import annotations

from typing import Any

import pytest

torch = pytest.importorskip("torch")
from torch.overrides import TorchFunctionMode  # noqa: E402

import wdlint  # noqa: E402
from audit_models import build  # noqa: E402

METADATA = {"shape", "ndim", "requires_grad"}


class TensorAccess(TorchFunctionMode):
    """Every torch function, method and attribute access on a tensor while it is active."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: set[str] = set()

    def __torch_function__(self, func: Any, types: Any, args: Any = (), kwargs: Any = None) -> Any:
        owner = getattr(func, "__self__", None)  # attribute reads come as a descriptor's __get__
        self.seen.add(getattr(owner, "__name__", None) or getattr(func, "__name__", repr(func)))
        return func(*args, **(kwargs or {}))


def model_snapshot(model: torch.nn.Module) -> list[tuple[object, ...]]:
    return [
        (name, id(p), p.requires_grad, tuple(p.shape), p.device.type, p.detach().clone() if p.device.type != "meta" else None)
        for name, p in model.named_parameters(remove_duplicate=False)
    ] + [(name, id(m), m.training) for name, m in model.named_modules()]


def optimizer_snapshot(optimizer: torch.optim.Optimizer) -> list[object]:
    groups = [
        {k: [id(p) for p in v] if k == "params" else v for k, v in group.items()}
        for group in optimizer.param_groups
    ]
    state = {
        id(p): {k: (id(v), v.clone()) if isinstance(v, torch.Tensor) else v for k, v in s.items()}
        for p, s in optimizer.state.items()
    }
    return [id(optimizer.param_groups), [id(g) for g in optimizer.param_groups], groups, dict(optimizer.defaults), state]


def same(a: object, b: object) -> bool:
    if isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor):
        return torch.equal(a, b)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return a == b


@pytest.mark.parametrize("name", ["transformer", "resnet", "gpt", "embeddings", "vit"])
def test_audit_changes_nothing_after_a_step(name: str) -> None:
    model = build(name)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)  # findings: every branch runs
    for p in model.parameters():
        p.grad = torch.ones_like(p)
    optimizer.step()  # state to compare
    before = (model_snapshot(model), optimizer_snapshot(optimizer))
    report = wdlint.audit(model, optimizer, select=["ALL"])
    str(report), report.to_dict()
    assert not report.ok
    assert same(before, (model_snapshot(model), optimizer_snapshot(optimizer)))


@pytest.mark.parametrize("name", ["transformer", "resnet", "gpt", "embeddings", "vit"])
def test_only_metadata_is_read_on_meta(name: str) -> None:
    model = build(name, "meta")
    optimizers = [torch.optim.Adam(model.parameters(), weight_decay=0.1), torch.optim.SGD(model.parameters(), lr=0.1)]
    with TensorAccess() as access:
        report = wdlint.audit(model, optimizers, select=["ALL"])
        str(report), report.to_dict()
        wdlint.param_groups(model, 0.1)
    assert not report.ok
    assert access.seen <= METADATA, access.seen - METADATA
