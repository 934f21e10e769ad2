"""Optimizer factories of frameworks, read as the constructor call they make.

timm's `create_optimizer_v2(model, opt=..., weight_decay=...)` groups a module's parameters
itself (no decay for `ndim <= 1`, `.bias` and `model.no_weight_decay()`), but not parameters
handed over as `model.parameters()`, nor with `filter_bias_and_bn=False`. PEFT's
`create_loraplus_optimizer(model, optimizer_cls, ...)` builds its own groups and sets each
group's weight_decay to `loraplus_weight_decay`, overriding the optimizer's. LitGPT's
`instantiate_torch_optimizer` and asteroid's `make_optimizer` build the class a string names
over the params they are given (knowledge/helpers.py NAMED_FACTORIES); torchvision's
`set_weight_decay` builds the param groups an optimizer is then given (`helper_groups`).
"""

from __future__ import annotations

import ast
from functools import cache

from wdlint.analysis.choice import Candidate, candidates, possible_values
from wdlint.analysis.env import Env
from wdlint.analysis.evaluate import UNRESOLVED, constant, mapping, origin, resolve_value
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
from wdlint.knowledge.helpers import NAMED_FACTORIES, TORCHVISION_SET_WEIGHT_DECAY, NamedFactory, named_factory
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
from wdlint.records import Record


class FactoryCall(Record):
    """A factory call read as `candidate.spec(call's arguments)`, with the params it builds."""

    candidate: Candidate
    call: ast.Call
    params: ParamSource


@cache
def factory_names() -> frozenset[str]:
    """The last part of every factory's qualified name: `x.f(...)` is a factory call only if
    `f` is one of them."""
    qualified = (*TIMM_FACTORIES, *TIMM_LEGACY_FACTORIES, *LORAPLUS_FACTORIES, *(
        name for factory in NAMED_FACTORIES for name in factory.qualified
    ))
    return frozenset(name.rpartition(".")[2] for name in qualified)


def is_factory(qualified: str | None) -> bool:
    return (
        qualified in TIMM_FACTORIES
        or qualified in TIMM_LEGACY_FACTORIES
        or qualified in LORAPLUS_FACTORIES
        or named_factory(qualified) is not None
    )


def factory_calls(
    env: Env, qualified: str, call: ast.Call, source: PythonSource, params: ParamClassifier
) -> list[FactoryCall]:
    """The constructions a factory call at `env`'s place makes."""
    if qualified in LORAPLUS_FACTORIES:
        return _loraplus(env, call, source)
    named = named_factory(qualified)
    if named is not None:
        found_named = _named(env, named, call, params)
        return [found_named] if found_named is not None else []
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
        found = _timm_opt(env, call, bound, constant(env, opt_node), None, source, params)
        where = origin(env, opt_node)  # the opt is read from elsewhere: the message says where
        return [f._replace(candidate=f.candidate._replace(origin=where)) for f in found]
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
        found.append(FactoryCall(candidate._replace(written_name=written), as_constructor, built))
    return found


def _named(env: Env, factory: NamedFactory, call: ast.Call, params: ParamClassifier) -> FactoryCall | None:
    """`make_optimizer(model.parameters(), optimizer="adam", weight_decay=1e-5)` read as
    `Adam(model.parameters(), weight_decay=1e-5)`; a name we cannot know is no site."""
    if any(isinstance(a, ast.Starred) for a in call.args):
        return None
    bound = bind_arguments(call, factory.positional)
    spread: dict[str, ast.expr] | None = {}
    for keyword in call.keywords:
        if keyword.arg is None:
            found = mapping(env, keyword.value)
            spread = None if found is None or spread is None else {**spread, **found.entries}
    name_node = bound.get(factory.name_param, (spread or {}).get(factory.name_param))
    params_node = bound.get(factory.params_param, (spread or {}).get(factory.params_param))
    if params_node is None or (name_node is None and (spread is None or factory.default_name is None)):
        return None  # `**conf["optim"]` may name it: the config's reading reports that
    name = factory.default_name if name_node is None else constant(env, name_node)
    init_args: ast.expr | None = None
    if name_node is not None and not isinstance(name, str) and factory.class_path_key and factory.init_args_key:
        section = mapping(env, name_node)  # `{"class_path": ..., "init_args": {...}}`
        if section is None or factory.class_path_key not in section.entries:
            return None
        there = env.deeper(section.scope, section.lineno)
        name = constant(there, section.entries[factory.class_path_key])
        init_args = section.entries.get(factory.init_args_key)
    resolved = factory.convention.resolve(name) if isinstance(name, str) else None
    if resolved is None:
        return None
    spec, qualified = resolved
    anchor = name_node or params_node
    passed_on = [k for k in call.keywords if k.arg not in (factory.name_param, factory.params_param)]
    named_as = [] if name_node is None else [_keyword(factory.name_param, name_node)]
    spreads = [] if init_args is None else [_keyword(None, init_args, anchor)]
    # the call's keywords come last: they update init_args
    as_constructor = ast.Call(func=call.func, args=[params_node], keywords=[*named_as, *spreads, *passed_on])
    written = f"{expr_text(call.func)}({factory.name_param}={name!r})"
    source_of_params = params.classify(env, params_node)
    return FactoryCall(Candidate(spec, qualified, written), ast.copy_location(as_constructor, call), source_of_params)


def _keyword(name: str | None, value: ast.expr, at: ast.expr | None = None) -> ast.keyword:
    """A keyword for the constructor call, placed where the helper call writes `at` (or the value)."""
    return ast.copy_location(ast.keyword(arg=name, value=value), at or value)


def helper_groups(env: Env, node: ast.expr, source: PythonSource) -> ParamSource | None:
    """The param groups torchvision's `set_weight_decay(model, weight_decay, norm_weight_decay=...)`
    returns, when `node` is (or names) such a call: one decayed group that holds the norms
    while `norm_weight_decay` is None, and the biases unless a custom key takes them."""
    helper = TORCHVISION_SET_WEIGHT_DECAY
    call, there = node, env
    if isinstance(node, ast.Name):
        assigned = env.assignment(node.id)
        if assigned is None:
            return None
        value, binding, defining = assigned
        call, there = value, env.deeper(defining, binding.lineno)
    if not isinstance(call, ast.Call) or not _named_call(call.func, helper.function):
        return None
    if all(k.arg != helper.marker for k in call.keywords):
        return None  # another project's `set_weight_decay(model, skip_list, ...)`
    if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
        return None
    bound = bind_arguments(call, helper.positional)
    decay = bound.get(helper.decay_param)
    if decay is None:
        return None
    span, shown = source.span(call), expr_text(call)
    norm = bound.get(helper.norm_param)
    norm_value = None if norm is None else constant(there, norm)
    norms_in = None if norm_value is UNRESOLVED else norm_value is None
    biases_in = _biases_in(there, bound.get(helper.keys_param), helper.bias_key)
    decayed = [what for what, is_in in (("normalization weights", norms_in), ("biases", biases_in)) if is_in]
    if norms_in is None or not decayed:
        return ParamSource(SourceKind.UNKNOWN, span, shown)  # the norms may be out, or both are
    remedies = [r for r, is_in in ((helper.remedy_norms, norms_in), (helper.remedy_biases, biases_in)) if is_in]
    every = ParamSource(
        SourceKind.FLAT,
        span,
        shown,
        remedy=" and ".join(remedies),
        decayed=None if len(decayed) == 2 else decayed[0],
    )
    group = ParamGroup(span, every, resolve_value(there, decay), (Key("weight_decay", source.span(decay)),))
    return ParamSource(SourceKind.GROUPS, span, shown, (group,), complete=False)


def _named_call(func: ast.expr, name: str) -> bool:
    return (isinstance(func, ast.Name) and func.id == name) or (isinstance(func, ast.Attribute) and func.attr == name)


def _biases_in(env: Env, keys: ast.expr | None, bias_key: str) -> bool | None:
    """Whether the biases stay in the decayed group: True without custom keys, False when a
    literal list names the bias key, None when the list is built at run time."""
    if keys is None:
        return True
    if isinstance(keys, (ast.List, ast.Tuple)):
        for item in keys.elts:
            if not isinstance(item, ast.Tuple) or not item.elts:
                return None
            if constant(env, item.elts[0]) == bias_key:
                return False
        return True
    return True if constant(env, keys) is None else None
