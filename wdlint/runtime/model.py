"""Every parameter of a model: its names in the unwrapped model, its owners and its shape.

One walk over `named_modules()` reads each module's own `_parameters`, which gives a param's
name and owning module together; nothing reads tensor data, so `meta` tensors and DTensors work.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import torch
from torch import nn

from wdlint.knowledge.params import NO_DECAY_HOOK, NO_DECAY_KEYWORDS_HOOK, WRAPPER_ATTRIBUTES
from wdlint.runtime.names import clean_name, clean_recorded_name


@dataclass(frozen=True)
class Param:
    """One parameter as the user wrote it.

    `key` is the `id()` of the tensor an optimizer holds for it. Tied weights are one Param with
    several names; an FSDP1 flat parameter is one tensor holding several Params, all with its key.
    """

    key: int
    name: str  # the first name, in `named_parameters()` order
    aliases: tuple[str, ...]  # the other names of the same tensor
    shape: tuple[int, ...]
    trainable: bool
    owners: tuple[type, ...]  # classes of the modules that register it; () when unknown

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass
class _Entry:
    names: list[str]
    owners: list[type]
    tensor: torch.Tensor


@dataclass(frozen=True)
class Inventory:
    params: tuple[Param, ...]
    hook_names: frozenset[str]  # what the model's `no_weight_decay()` returns, cleaned
    wrapper: str | None = None  # the class of the outermost wrapper around the user's model
    by_key: dict[int, tuple[Param, ...]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        grouped: dict[int, list[Param]] = {}
        for param in self.params:  # many names share one key in an FSDP1 flat param
            grouped.setdefault(param.key, []).append(param)
        object.__setattr__(self, "by_key", {key: tuple(params) for key, params in grouped.items()})


def unwrap(model: nn.Module) -> tuple[nn.Module, tuple[str, ...]]:
    """The user's model inside DDP/compile/FSDP1/DeepSpeed wrappers, and the name prefix they add."""
    prefix: list[str] = []
    while True:
        attribute = _wrapper_attribute(type(model))
        inner = getattr(model, attribute, None) if attribute else None
        if attribute is None or not isinstance(inner, nn.Module):
            return model, tuple(prefix)
        prefix.append(attribute)
        model = inner


def _wrapper_attribute(cls: type) -> str | None:
    for base in cls.__mro__:
        attribute = WRAPPER_ATTRIBUTES.get(base.__name__)
        if attribute is not None:
            return attribute
    return None


def inventory(model: nn.Module) -> Inventory:
    root, prefix = unwrap(model)
    entries: dict[int, _Entry] = {}
    expanded: list[Param] = []  # the params inside FSDP1 flat parameters
    shapes: dict[int, tuple[int, ...]] = {}
    # Walk the wrapped model, not `root`: FSDP1 keeps the true shapes of sharded params on the
    # wrapper units, the outermost one included.
    for module_name, module in model.named_modules():
        shapes.update(_fsdp1_shapes(module))
        owner = clean_name(module_name, prefix)
        for attribute, tensor in module._parameters.items():
            if tensor is None:
                continue
            name = f"{owner}.{attribute}" if owner else attribute
            if _is_flat_parameter(tensor):
                expanded.extend(_flat_parameter_params(tensor, owner))
                continue
            entry = entries.get(id(tensor))
            if entry is None:
                entries[id(tensor)] = _Entry([name], [type(module)], tensor)
            else:  # tied: the same tensor registered by another module
                entry.names.append(name)
                entry.owners.append(type(module))
    params = [
        Param(
            key,
            entry.names[0],
            tuple(entry.names[1:]),
            shapes[key] if key in shapes else _shape(entry.tensor),
            entry.tensor.requires_grad,
            tuple(entry.owners),
        )
        for key, entry in entries.items()
    ]
    wrapper = type(model).__name__ if prefix else None
    return Inventory((*params, *expanded), _hook_names(root), wrapper)


def _shape(tensor: torch.Tensor) -> tuple[int, ...]:
    # DeepSpeed ZeRO-3 partitions each param to an empty local tensor and keeps its shape here.
    full = getattr(tensor, "ds_shape", None)
    return tuple(full) if isinstance(full, (torch.Size, tuple)) else tuple(tensor.shape)


def holds_params_of(known: Inventory, optimizer: torch.optim.Optimizer) -> bool:
    """Whether the optimizer holds any of the model's params, not copies or another model's.

    DeepSpeed ZeRO gives its inner optimizer flattened fp32 partitions; a GAN's second optimizer
    holds the other network. Neither can be checked against this model.
    """
    return any(
        id(t) in known.by_key for group in optimizer.param_groups for t in _iterable(group.get("params"))
    )


def _hook_names(root: nn.Module) -> frozenset[str]:
    """Names (fnmatch patterns) from `no_weight_decay()`, and `*keyword*` patterns from Swin's
    `no_weight_decay_keywords()`, which recipes match as substrings."""
    patterns: set[str] = set()
    for hook_name, as_pattern in ((NO_DECAY_HOOK, clean_name), (NO_DECAY_KEYWORDS_HOOK, lambda k: f"*{k}*")):
        hook = getattr(root, hook_name, None)
        if callable(hook):
            patterns |= {as_pattern(n) for n in _iterable(hook()) if isinstance(n, str)}
    return frozenset(patterns)


def _iterable(value: object) -> Iterable[object]:
    return value if isinstance(value, (set, frozenset, list, tuple, dict)) else ()


# FSDP1 (`FullyShardedDataParallel`) internals, read by attribute so that nothing is imported.
# With `use_orig_params=False` the optimizer holds one 1-D FlatParameter per unit, which records
# the params it holds (`_fqns`, `_shapes`, `_param_infos` with each owning module). With
# `use_orig_params=True` the params are 1-D shards once sharded, and the unit's handle keeps
# their true shapes.


def _is_flat_parameter(tensor: torch.Tensor) -> bool:
    return all(hasattr(tensor, a) for a in ("_fqns", "_shapes", "_param_infos"))


def _flat_parameter_params(flat: torch.Tensor, owner: str) -> list[Param]:
    fqns: list[str] = getattr(flat, "_fqns")
    sizes: list[torch.Size] = getattr(flat, "_shapes")
    infos: list[object] = getattr(flat, "_param_infos")
    params = []
    for fqn, size, info in zip(fqns, sizes, infos):
        name = clean_name(f"{owner}.{fqn}" if owner else fqn)
        module = getattr(info, "module", None)
        owners = (type(module),) if isinstance(module, nn.Module) else ()
        params.append(Param(id(flat), name, (), tuple(size), flat.requires_grad, owners))
    return params


def _fsdp1_shapes(module: nn.Module) -> dict[int, tuple[int, ...]]:
    # `__dict__`, not getattr: nn.Module's __getattr__ raises (slowly) for every other module.
    flat = getattr(module.__dict__.get("_handle"), "flat_param", None)
    originals = getattr(flat, "_params", None)
    sizes = getattr(flat, "_shapes", None)
    if not isinstance(originals, list) or not isinstance(sizes, (list, tuple)):
        return {}
    return {id(p): tuple(size) for p, size in zip(originals, sizes)}


def with_optimizer_params(known: Inventory, optimizers: Sequence[torch.optim.Optimizer]) -> Inventory:
    """`known` and the tensors the optimizers hold that it lacks: every param when no model is
    given (`watch()` without one), else tensors the model does not register (a temperature
    created beside it). Names come from `param_names` (torch >= 2.6), else `group0[3]`; there
    are no owners, so these are classified by shape and name alone."""
    extra: list[Param] = []
    seen = set(known.by_key)
    for o, optimizer in enumerate(optimizers):
        where = f"optimizer{o}." if len(optimizers) > 1 else ""
        for g, group in enumerate(optimizer.param_groups):
            tensors = [t for t in _iterable(group.get("params")) if isinstance(t, torch.Tensor)]
            recorded = [n for n in _iterable(group.get("param_names")) if isinstance(n, str)]
            names = (
                [clean_recorded_name(n) for n in recorded]
                if len(recorded) == len(tensors)
                else [f"{where}group{g}[{i}]" for i in range(len(tensors))]
            )
            for tensor, name in zip(tensors, names):
                if id(tensor) not in seen:
                    seen.add(id(tensor))
                    extra.append(Param(id(tensor), name, (), _shape(tensor), tensor.requires_grad, ()))
    return Inventory((*known.params, *extra), known.hook_names, known.wrapper) if extra else known
