"""The torch half of the optimizer knowledge base, checked against the installed torch."""

from __future__ import annotations

import importlib
import inspect
from typing import Any

import pytest

from wdlint.knowledge.optimizers import TORCH_OPTIMIZERS, OptimizerSpec

torch = pytest.importorskip("torch")
torch_optim = torch.optim

SPECS = [pytest.param(spec, id=spec.short_name) for spec in TORCH_OPTIMIZERS]


def _import(qualified: str) -> Any:
    module, _, name = qualified.rpartition(".")
    return getattr(importlib.import_module(module), name)


def _init_params(cls: type) -> list[inspect.Parameter]:
    params = list(inspect.signature(cls.__init__).parameters.values())
    assert [p.name for p in params[:2]] == ["self", "params"], cls
    return params[2:]


@pytest.mark.parametrize("spec", SPECS)
def test_names_import_one_class(spec: OptimizerSpec) -> None:
    cls = _import(spec.name)
    assert inspect.isclass(cls) and issubclass(cls, torch_optim.Optimizer)
    for alias in spec.aliases:
        assert _import(alias) is cls, alias


@pytest.mark.parametrize("spec", SPECS)
def test_positional_parameters(spec: OptimizerSpec) -> None:
    params = _init_params(_import(spec.name))
    positional = tuple(p.name for p in params if p.kind is p.POSITIONAL_OR_KEYWORD)
    assert positional == spec.positional


@pytest.mark.parametrize("spec", SPECS)
def test_keyword_only_parameters(spec: OptimizerSpec) -> None:
    params = _init_params(_import(spec.name))
    keyword_only = {p.name for p in params if p.kind is p.KEYWORD_ONLY}
    assert keyword_only == set(spec.keyword_only)
    assert len(spec.keyword_only) == len(set(spec.keyword_only))


@pytest.mark.parametrize("spec", SPECS)
def test_weight_decay_default(spec: OptimizerSpec) -> None:
    params = {p.name: p for p in _init_params(_import(spec.name))}
    if not spec.takes_weight_decay:
        assert "weight_decay" not in params
        assert spec.default_weight_decay is None
        return
    assert "weight_decay" in params
    default = params["weight_decay"].default
    assert default is not inspect.Parameter.empty
    assert spec.default_weight_decay is not None
    assert float(default) == spec.default_weight_decay


@pytest.mark.parametrize(
    "spec",
    [pytest.param(s, id=s.short_name) for s in TORCH_OPTIMIZERS if s.decoupled_flag],
)
def test_decoupled_flag(spec: OptimizerSpec) -> None:
    params = {p.name: p for p in _init_params(_import(spec.name))}
    assert spec.decoupled_flag in params
    assert params[spec.decoupled_flag].default is spec.decoupled


def test_every_torch_optimizer_has_a_spec() -> None:
    known = {_import(spec.name) for spec in TORCH_OPTIMIZERS}
    exported = {
        obj
        for name in dir(torch_optim)
        if inspect.isclass(obj := getattr(torch_optim, name))
        and issubclass(obj, torch_optim.Optimizer)
        and obj is not torch_optim.Optimizer
    }
    missing = sorted(cls.__name__ for cls in exported - known)
    assert not missing, f"torch.optim exports optimizers with no OptimizerSpec: {missing}"
