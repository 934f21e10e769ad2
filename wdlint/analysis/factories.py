"""Optimizer factories of frameworks, read as the constructor call they make.

timm's `create_optimizer_v2(model, opt=..., weight_decay=...)` groups a module's parameters
itself (no decay for `ndim <= 1`, `.bias` and `model.no_weight_decay()`), but not parameters
handed over as `model.parameters()`, nor with `filter_bias_and_bn=False`. PEFT's
`create_loraplus_optimizer(model, optimizer_cls, ...)` builds its own groups and sets each
group's weight_decay to `loraplus_weight_decay`, overriding the optimizer's.
"""

from __future__ import annotations

import ast
import dataclasses
from dataclasses import dataclass

from wdlint.analysis.choice import Candidate, candidates, possible_values
from wdlint.analysis.env import Env
from wdlint.analysis.evaluate import constant, resolve_value
from wdlint.analysis.params import ParamClassifier
from wdlint.analysis.sites import (
    Key,
    NameMatch,
    NameTest,
    ParamGroup,
    ParamSource,
    Selector,
    SourceKind,
    Value,
)
from wdlint.analysis.syntax import bind_arguments, expr_text
from wdlint.frontends.python import PythonSource
from wdlint.knowledge.optimizers import (
    LORAPLUS_DEFAULT_WEIGHT_DECAY,
    LORAPLUS_FACTORIES,
    LORAPLUS_OPTIONS,
    LORAPLUS_POSITIONAL,
    TIMM_CUSTOM_GROUPING,
    TIMM_DEFAULT_OPT,
    TIMM_FACTORIES,
    TIMM_FACTORY_POSITIONAL,
    TIMM_LEGACY_FACTORIES,
    timm_spec,
)


@dataclass(frozen=True)
class FactoryCall:
    """A factory call read as `candidate.spec(call's arguments)`, with the params it builds."""

    candidate: Candidate
    call: ast.Call
    params: ParamSource


def is_factory(qualified: str | None) -> bool:
    return qualified in TIMM_FACTORIES or qualified in TIMM_LEGACY_FACTORIES or qualified in LORAPLUS_FACTORIES


def factory_calls(
    env: Env, qualified: str, call: ast.Call, source: PythonSource, params: ParamClassifier
) -> list[FactoryCall]:
    """The constructions a factory call at `env`'s place makes."""
    if qualified in LORAPLUS_FACTORIES:
        return _loraplus(env, call, source)
    legacy = qualified in TIMM_LEGACY_FACTORIES
    return _timm(env, _legacy_as_v2(call) if legacy else call, source, params)


def _timm(env: Env, call: ast.Call, source: PythonSource, params: ParamClassifier) -> list[FactoryCall]:
    bound = bind_arguments(call, ("model_or_params", *TIMM_FACTORY_POSITIONAL))
    opt_node = bound.get("opt")
    if opt_node is None and any(isinstance(a, ast.Starred) for a in call.args):
        return []  # `*args` may hold the opt name: not the default's to assume
    if opt_node is None:
        return _timm_opt(env, call, bound, TIMM_DEFAULT_OPT, None, source, params)
    # an option's `choices` where it has them (each one a candidate), else its default
    allowed = possible_values(env.choosing_a_branch(), opt_node)
    if allowed is None or len(allowed) == 1:
        return _timm_opt(env, call, bound, constant(env, opt_node), None, source, params)
    shown = expr_text(opt_node)
    return [
        found
        for opt in allowed
        for found in _timm_opt(env, call, bound, opt, f"`{shown}` is {opt!r}", source, params)
    ]


def _timm_opt(
    env: Env,
    call: ast.Call,
    bound: dict[str, ast.expr],
    opt: object,
    choice: str | None,
    source: PythonSource,
    params: ParamClassifier,
) -> list[FactoryCall]:
    model = bound.get("model_or_params")
    spec = timm_spec(opt) if isinstance(opt, str) else None
    if spec is None or model is None:
        return []
    if TIMM_CUSTOM_GROUPING & bound.keys():
        source_of_params = ParamSource(SourceKind.UNKNOWN, source.span(model), expr_text(model))
    else:
        source_of_params = _timm_params(env, model, bound.get("filter_bias_and_bn"), source, params)
    written = f"{expr_text(call.func)}(opt={opt!r})"
    candidate = Candidate(spec, spec.name, written, choice)
    return [FactoryCall(candidate, call, source_of_params)]


def _timm_params(
    env: Env, model: ast.expr, filter_node: ast.expr | None, source: PythonSource, params: ParamClassifier
) -> ParamSource:
    classified = params.classify(env, model)
    if classified.kind is not SourceKind.UNKNOWN:
        return classified  # parameters, not a module: timm passes them on as they are
    filtered = True if filter_node is None else constant(env, filter_node)
    receiver = params.modules.receiver(env, model)
    span, shown = source.span(model), expr_text(model)
    if filtered is False:
        return ParamSource(SourceKind.FLAT, span, shown, receiver=receiver)
    if filtered is not True:
        return ParamSource(SourceKind.UNKNOWN, span, shown)
    # timm excludes `ndim <= 1`, `.bias` and the names of the module's own no_weight_decay()
    hook = NameTest(NameMatch.MEMBERSHIP, span, f"{shown}.no_weight_decay()")
    return ParamSource(
        SourceKind.SUBSET, span, shown, selects=frozenset({Selector.NDIM, Selector.NAME}), name_tests=(hook,), receiver=receiver
    )


def _legacy_as_v2(call: ast.Call) -> ast.Call:
    """`create_optimizer(args, model, flag)` -> `create_optimizer_v2(model, opt=args.opt, ...)`."""
    if len(call.args) < 2 or any(isinstance(a, ast.Starred) for a in call.args[:2]):
        return call
    args_node, model = call.args[0], call.args[1]
    options = [
        ast.copy_location(ast.keyword(arg=name, value=ast.copy_location(ast.Attribute(args_node, name, ast.Load()), args_node)), args_node)
        for name in ("opt", "weight_decay")
    ]
    if len(call.args) > 2:
        options.append(ast.copy_location(ast.keyword(arg="filter_bias_and_bn", value=call.args[2]), call.args[2]))
    rewritten = ast.Call(func=call.func, args=[model], keywords=[*options, *call.keywords])
    return ast.copy_location(rewritten, call)


def _loraplus(env: Env, call: ast.Call, source: PythonSource) -> list[FactoryCall]:
    bound = bind_arguments(call, LORAPLUS_POSITIONAL)
    optimizer_cls = bound.get("optimizer_cls")
    if optimizer_cls is None:
        return []
    given = bound.get("loraplus_weight_decay")
    decay = (
        resolve_value(env, given)
        if given is not None
        else Value.default(LORAPLUS_DEFAULT_WEIGHT_DECAY)
    )
    span = source.span(call)
    key_span = source.span(given) if given is not None else span
    groups = tuple(
        ParamGroup(span, None, value, (Key("weight_decay", key_span),))
        for value in (decay, Value.literal(0.0, "0.0"))  # the decay groups, then groupB_no_decay
    )
    built = ParamSource(SourceKind.GROUPS, span, expr_text(call), groups)
    passed_on = [k for k in call.keywords if k.arg not in LORAPLUS_OPTIONS]
    as_constructor = ast.copy_location(ast.Call(func=call.func, args=[], keywords=passed_on), call)
    found = []
    for candidate in candidates(env, optimizer_cls):
        written = f"{expr_text(call.func)}(optimizer_cls={candidate.written_name})"
        # partial-bound arguments of `optimizer_cls` are passed to the constructor as they are
        found.append(FactoryCall(dataclasses.replace(candidate, written_name=written), as_constructor, built))
    return found
