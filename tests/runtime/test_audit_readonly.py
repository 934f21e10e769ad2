"""The audit is read-only and never reads tensor data: model, param_groups and optimizer state are
unchanged afterwards, and the only tensor attributes it touches are metadata."""

from __future__ import annotations

from typing import Any

import pytest

torch = pytest.importorskip("torch")
from audit_models import build  # noqa: E402
from torch.overrides import TorchFunctionMode  # noqa: E402

import wdlint  # noqa: E402

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


def _tensors_equal(a: object, b: object) -> bool:
    """Deep equality of state dicts; meta tensors have no values, so their metadata is compared."""
    if isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor):
        same_meta = (a.shape, a.dtype, a.device, a.requires_grad) == (b.shape, b.dtype, b.device, b.requires_grad)
        return same_meta and (a.device.type == "meta" or torch.equal(a, b))
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_tensors_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_tensors_equal(a[k], b[k]) for k in a)
    return a == b


def _copied(value: object) -> object:
    if isinstance(value, torch.Tensor):
        return value.detach().clone()
    if isinstance(value, dict):
        return {k: _copied(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_copied(v) for v in value)
    return value


@pytest.mark.parametrize("device", ["cpu", "meta"])
@pytest.mark.parametrize("name", ["transformer", "gpt", "vit"])
def test_state_dicts_and_parameters_are_identical_after_audit(name: str, device: str) -> None:
    """DESIGN.md §6: `optimizer.state_dict()`, `param_groups` (the same list, the same dicts,
    the same tensors in them) and the model's parameters are what they were, on CPU and meta."""
    model = build(name, device)
    decay = [p for p in model.parameters() if p.ndim >= 2]
    rest = [p for p in model.parameters() if p.ndim < 2]
    optimizer = torch.optim.AdamW([{"params": decay}, {"params": rest, "weight_decay": 0.0}], lr=1e-3, weight_decay=0.1)
    for p in model.parameters():
        p.grad = torch.ones_like(p)
    optimizer.step()  # meta tensors step too: shapes, no values
    optimizer_state, model_state = _copied(optimizer.state_dict()), _copied(model.state_dict())
    groups = [(id(g), [id(p) for p in g["params"]], {k: v for k, v in g.items() if k != "params"}) for g in optimizer.param_groups]
    parameters = [(n, id(p), p.requires_grad, id(p.grad)) for n, p in model.named_parameters(remove_duplicate=False)]
    group_list = optimizer.param_groups

    report = wdlint.audit(model, optimizer, select=["ALL"])
    str(report), report.to_dict()

    assert optimizer.param_groups is group_list
    assert [(id(g), [id(p) for p in g["params"]], {k: v for k, v in g.items() if k != "params"}) for g in optimizer.param_groups] == groups
    assert [(n, id(p), p.requires_grad, id(p.grad)) for n, p in model.named_parameters(remove_duplicate=False)] == parameters
    assert _tensors_equal(optimizer.state_dict(), optimizer_state)
    assert _tensors_equal(model.state_dict(), model_state)
