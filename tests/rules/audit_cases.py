"""Runtime cases as data: a model's layers and its optimizers' groups, built into real torch
modules and optimizers and audited. Test modules import it after `pytest.importorskip("torch")`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import pytest
import torch
from torch import nn

import wdlint
from wdlint.config import PolicySettings

LayerKind = Literal["linear", "embedding", "embedding-bag", "layernorm", "parameter"]


@dataclass(frozen=True)
class Layer:
    """One child of the model: `linear` (in, out), `embedding` and `embedding-bag` (rows, dim),
    `layernorm` (dim,), or `parameter`: a bare param of `shape` on the model itself (an
    `in_proj_weight`)."""

    name: str
    kind: LayerKind
    shape: tuple[int, ...]
    bias: bool = True
    trainable: bool = True


@dataclass(frozen=True)
class Group:
    params: tuple[str, ...]  # names in the model: "fc.weight"
    weight_decay: float | None = None  # None: no key, the group inherits the optimizer's default
    options: tuple[tuple[str, object], ...] = ()  # other keys: ("lr", 1e-2), ("weight_decay_rate", 0.0)


@dataclass(frozen=True)
class Optimizer:
    cls: str  # a class of torch.optim: "AdamW", "SGD", "Muon"
    groups: tuple[Group, ...]
    options: tuple[tuple[str, object], ...] = ()  # the constructor's keywords: ("weight_decay", 0.0)


@dataclass(frozen=True)
class AuditCase:
    layers: tuple[Layer, ...]
    optimizers: tuple[Optimizer, ...]
    policy: PolicySettings = field(default_factory=PolicySettings)


def model_of(layers: tuple[Layer, ...]) -> nn.Module:
    model = nn.Module()
    for layer in layers:
        if layer.kind == "parameter":
            model.register_parameter(layer.name, nn.Parameter(torch.zeros(layer.shape)))
        elif layer.kind == "linear":
            model.add_module(layer.name, nn.Linear(*layer.shape, bias=layer.bias))
        elif layer.kind == "embedding":
            model.add_module(layer.name, nn.Embedding(*layer.shape))
        elif layer.kind == "embedding-bag":
            model.add_module(layer.name, nn.EmbeddingBag(*layer.shape, mode="mean"))
        else:
            model.add_module(layer.name, nn.LayerNorm(layer.shape, bias=layer.bias))
        if not layer.trainable:
            for name, param in model.named_parameters():
                if name == layer.name or name.startswith(f"{layer.name}."):
                    param.requires_grad_(False)
    return model


def optimizer_of(model: nn.Module, spec: Optimizer) -> torch.optim.Optimizer:
    if not hasattr(torch.optim, spec.cls):
        pytest.skip(f"torch.optim.{spec.cls} is not in torch {torch.__version__}")
    params = dict(model.named_parameters())
    groups = []
    for group in spec.groups:
        built: dict[str, object] = {"params": [params[name] for name in group.params], **dict(group.options)}
        if group.weight_decay is not None:
            built["weight_decay"] = group.weight_decay
        groups.append(built)
    optimizer: torch.optim.Optimizer = getattr(torch.optim, spec.cls)(groups, **dict(spec.options))
    return optimizer


def audit_case(case: AuditCase, code: str) -> wdlint.AuditReport:
    """The audit of the case with the default rules and `code` (opt-in or not)."""
    model = model_of(case.layers)
    optimizers = [optimizer_of(model, spec) for spec in case.optimizers]
    return wdlint.audit(model, optimizers, policy=case.policy, extend_select=[code])


def found(report: wdlint.AuditReport, code: str) -> list[str]:
    """The params `code`'s findings name, in report order."""
    return [name for finding in report.findings if finding.code == code for name in finding.params]


# Layers most cases share: a linear layer, a norm and an output layer.
MLP = (
    Layer("fc", "linear", (8, 16)),
    Layer("norm", "layernorm", (16,)),
    Layer("out", "linear", (16, 4)),
)
MLP_MATRICES = ("fc.weight", "out.weight")
MLP_NO_DECAY = ("fc.bias", "norm.weight", "norm.bias", "out.bias")


def split(cls: str, weight_decay: float, **options: object) -> Optimizer:
    """The MLP's matrices decayed by `weight_decay`, the rest not: the recipe every rule accepts."""
    return Optimizer(
        cls,
        (Group(MLP_MATRICES, weight_decay), Group(MLP_NO_DECAY, 0.0)),
        tuple(options.items()),
    )
