"""What an optimizer really does: its class as the knowledge base knows it, and each group's options."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

import torch

from wdlint.knowledge.optimizers import DECOUPLED_FLAG_ATTRIBUTE, INNER_OPTIMIZER_ATTRIBUTES, OptimizerSpec, lookup


# eq=False: comparing two views would compare their dicts, and so their tensors' data.
@dataclass(frozen=True, eq=False)
class Group:
    index: int
    keys: tuple[int, ...]  # id() of each tensor
    options: Mapping[str, object]  # the group dict itself, read only
    weight_decay: float | None  # None: absent, or not a plain number (a tensor is never read)
    decoupled: bool  # for a class without a decoupled mode: its fixed behaviour

    @property
    def recorded_names(self) -> tuple[str, ...]:
        """`param_names` (torch >= 2.6 records them for `named_parameters()`), else ()."""
        names = self.options.get("param_names")
        if not isinstance(names, (list, tuple)) or len(names) != len(self.keys):
            return ()
        return tuple(str(n) for n in names)

    @property
    def has_weight_decay(self) -> bool:
        return "weight_decay" in self.options

    @property
    def decays(self) -> bool:
        """Whether the group's params are decayed; a value we do not read counts as decaying."""
        return self.has_weight_decay and self.weight_decay != 0

    def comparable_options(self, excluding: Collection[str]) -> dict[str, object]:
        """The group's options but `excluding`, as values that compare without reading a
        tensor: a tensor option (a tensor lr) by identity, any other by its repr."""
        return {
            k: ("tensor", id(v)) if isinstance(v, torch.Tensor) else repr(v)
            for k, v in self.options.items()
            if k not in excluding
        }


@dataclass(frozen=True, eq=False)
class OptimizerView:
    label: str  # how messages name it: "`torch.optim.AdamW`", "`MyAdam` (a `torch.optim.Adam`)"
    spec: OptimizerSpec | None
    defaults: Mapping[str, object]
    groups: tuple[Group, ...]

    @property
    def decays_any(self) -> bool:
        return any(group.decays for group in self.groups)

    @property
    def default_weight_decay(self) -> float | None:
        return _number(self.defaults.get("weight_decay"))


def unwrap_optimizer(optimizer: object) -> torch.optim.Optimizer:
    for _ in range(4):  # wrappers of wrappers, but never a cycle
        if isinstance(optimizer, torch.optim.Optimizer):
            return optimizer
        inner = next(
            (getattr(optimizer, a) for a in INNER_OPTIMIZER_ATTRIBUTES if hasattr(optimizer, a)), None
        )
        if inner is None:
            break
        optimizer = inner
    raise TypeError(f"not a torch optimizer: {type(optimizer).__name__}")


def view(optimizer: torch.optim.Optimizer, index: int, *, numbered: bool) -> OptimizerView:
    """`numbered`: several optimizers are audited together, so messages say which one."""
    spec, label = _spec(type(optimizer))
    if numbered:
        label = f"optimizer {index} ({label})"
    groups = tuple(_group(optimizer, spec, i, g) for i, g in enumerate(optimizer.param_groups))
    return OptimizerView(label, spec, optimizer.defaults, groups)


def _spec(cls: type) -> tuple[OptimizerSpec | None, str]:
    real = f"{cls.__module__}.{cls.__qualname__}"
    # A subclass that does not override the update behaves as its known base class does.
    for base in cls.__mro__:
        spec = lookup(f"{base.__module__}.{base.__qualname__}")
        if spec is not None:
            label = f"`{spec.name}`" if base is cls else f"`{real}` (a `{spec.name}`)"
            return spec, label
    return None, f"`{real}`"


def _group(
    optimizer: torch.optim.Optimizer, spec: OptimizerSpec | None, index: int, options: Mapping[str, object]
) -> Group:
    params = options.get("params")
    return Group(
        index,
        tuple(id(p) for p in params) if isinstance(params, (list, tuple)) else (),
        options,
        _number(options.get("weight_decay")),
        _decoupled(optimizer, spec, options),
    )


def _decoupled(optimizer: torch.optim.Optimizer, spec: OptimizerSpec | None, options: Mapping[str, object]) -> bool:
    if spec is None:
        return False
    flag = spec.decoupled_flag
    if flag is None:
        return spec.decoupled
    if flag in options:
        return bool(options[flag])
    for attribute in (flag, DECOUPLED_FLAG_ATTRIBUTE):
        if attribute in vars(optimizer):
            return bool(vars(optimizer)[attribute])
    return spec.decoupled


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)
