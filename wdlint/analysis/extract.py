"""Extraction: every optimizer construction in a Python module, as an OptimizerSite."""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from wdlint.analysis.callers import Caller, callers, expect_callers, takes_a_parameter
from wdlint.analysis.choice import Candidate, branch_state, candidates
from wdlint.analysis.env import Env
from wdlint.analysis.evaluate import mapping, qualified_name, resolve_value
from wdlint.analysis.factories import factory_calls, factory_names, helper_groups, is_factory
from wdlint.analysis.facts import ModuleFacts
from wdlint.analysis.index import ModuleIndex
from wdlint.analysis.params import ParamClassifier
from wdlint.analysis.penalties import L2Penalties
from wdlint.analysis.project import Project
from wdlint.analysis.receivers import ModuleIdentifier
from wdlint.analysis.scopes import BindingKind, Scope
from wdlint.analysis.sites import (
    Argument,
    Key,
    OptimizerSite,
    ParamGroup,
    ParamSource,
    SourceKind,
    Value,
)
from wdlint.analysis.syntax import bind_arguments, expr_text
from wdlint.frontends.pyconfig import config_sites
from wdlint.frontends.pydicts import dict_sites
from wdlint.frontends.python import PythonSource
from wdlint.knowledge.optimizers import KNOWN_ROOTS, OptimizerSpec, class_names
from wdlint.records import Record


def extract_sites(source: PythonSource, path: Path | None = None, project: Project | None = None) -> list[OptimizerSite]:
    """The optimizer constructions of a module; `path` and `project` let imports of the
    project's own modules (constants, helper functions) be followed."""
    return extract_module(source, path, project)[0]


class ModuleAnalysis(Record):
    """What the checks read from one Python module."""

    sites: list[OptimizerSite]  # the optimizers its code constructs
    config_sites: list[OptimizerSite]  # the optimizers it configures as an mmengine config or in dicts
    facts: ModuleFacts  # what fixes of the findings on `sites` need


def analyse_module(source: PythonSource, path: Path | None = None, project: Project | None = None) -> ModuleAnalysis:
    """The module's sites, its config sites (its `_base_` files looked up beside `path`, else
    beside its file name) and facts, all from one walk over its tree."""
    index, sites = _sites(source, path, project)
    configured = config_sites(source, path or Path(source.filename), index) + dict_sites(source, index, sites)
    return ModuleAnalysis(sites, configured, ModuleFacts(source, index))


def extract_module(
    source: PythonSource, path: Path | None = None, project: Project | None = None
) -> tuple[list[OptimizerSite], ModuleFacts]:
    """The sites, and the module facts that fixes of their findings need."""
    index, sites = _sites(source, path, project)
    return sites, ModuleFacts(source, index)


def _sites(source: PythonSource, path: Path | None, project: Project | None) -> tuple[ModuleIndex, list[OptimizerSite]]:
    penalties = L2Penalties()
    index = ModuleIndex.build(source.tree, path, listeners=(penalties,))
    if project is not None and path is not None and path.suffix == ".py":
        project.linting(index)
    sites = list(_Extractor(source, Env.of_module(index, project)).sites())
    found = penalties.found(source) if sites else ()
    if found:
        sites = [site._replace(l2_penalties=found) for site in sites]
    return index, sites


class _Extractor:
    def __init__(self, source: PythonSource, module: Env) -> None:
        self.source = source
        self.module = module  # the module's environment; each call is read at its own place
        self.index = module.index
        self.params = ParamClassifier(source, ModuleIdentifier(module.index))
        self._known_star_imports = any(module.partition(".")[0] in KNOWN_ROOTS for module in self.index.star_imports)

    def sites(self) -> Iterator[OptimizerSite]:
        constructs = _construction_names()
        read: list[tuple[ast.Call, Env, list[OptimizerSite]]] = []  # the calls its callers may make sites
        for call in self.index.calls:
            func = call.func
            if isinstance(func, ast.Attribute) and func.attr not in constructs:
                # `x.attr(...)` names a known class or factory by its last part, or nothing
                # (`_constructions`: qualified names and `candidates`); most calls are these
                continue
            scope = self.index.scope_of[id(call)]
            if isinstance(func, ast.Name) and not self._known_star_imports and not _bound_around(scope, func.id):
                continue  # `print(...)`, `len(...)`: bound nowhere it could be looked up, so a builtin
            env = self.module.at(scope, call.lineno)
            if isinstance(func, ast.Name) and not self._may_construct(env, func):
                continue
            own = self._sites_at(env, call)
            if own or takes_a_parameter(env, call):
                read.append((call, env, own))
        expect_callers(env for _, env, _ in read)  # one search of the project for all their callers
        for call, env, own in read:
            found, defaults_apply = callers(env)
            if not found:
                yield from own
                continue
            defaults = [site._replace(choice=None) for site in own]
            given: list[OptimizerSite] = []  # each site once, whichever contexts make it
            for caller in (None, *found) if defaults_apply else found:
                context = None if caller is None else caller.env
                for site in own if context is None else self._sites_at(context, call):
                    plain = site._replace(choice=None)
                    if plain in given:
                        continue
                    given.append(plain)
                    # a site the defaults do not make is the call's: the message names it
                    yield site if caller is None or plain in defaults else _brought_by(site, caller)

    def _may_construct(self, env: Env, func: ast.Name) -> bool:
        """Whether `name(...)` may construct an optimizer or call a parameter: the name is an
        import, an assignment or a parameter where it is called, or a star import of a known
        library may bring it; a builtin, a function or a class of the module makes nothing
        (`_constructions` reads only those, `takes_a_parameter` only a parameter)."""
        found = env.lookup(func.id)
        if found is None:
            return self._known_star_imports
        return found[0].kind in (BindingKind.IMPORT, BindingKind.ASSIGN, BindingKind.PARAM)

    def _sites_at(self, env: Env, call: ast.Call) -> list[OptimizerSite]:
        """The sites a call makes, read in `env`."""
        constructions = self._constructions(env, call)
        if not constructions:
            return []
        conditions = self.index.conditions_of.get(id(call), ())
        runs, branch = branch_state(env.choosing_a_branch(), conditions)
        if not runs:
            return []  # a branch that can never run
        made = []
        for candidate, as_called, params in constructions:
            choice = " and ".join(c for c in (branch, candidate.choice) if c) or None
            made.append(self._site(env, as_called, candidate, choice, params))
        return made

    def _constructions(self, env: Env, call: ast.Call) -> list[tuple[Candidate, ast.Call, ParamSource | None]]:
        """What a call constructs: each candidate class, the call as its constructor sees it."""
        qualified = qualified_name(env, call.func)
        if qualified is not None and is_factory(qualified):
            made = factory_calls(env, qualified, call, self.source, self.params)
            return [(f.candidate, f.call, f.params) for f in made]
        found = candidates(env.choosing_a_branch(), call.func)
        return [(candidate, _with_partial(call, candidate), None) for candidate in found]

    # -- one call --------------------------------------------------------------------------

    def _site(
        self, env: Env, call: ast.Call, candidate: Candidate, choice: str | None, params: ParamSource | None
    ) -> OptimizerSite:
        spec = candidate.spec
        arguments = tuple(self._arguments(call, spec))
        bound = bind_arguments(call, ("params", *spec.positional))
        spread = self._spread(env, call)
        params_node = bound.get("params")
        if params is None and params_node is not None:
            params = helper_groups(env, params_node, self.source) or self.params.classify(env, params_node)
        elif params is None:
            params = ParamSource(SourceKind.UNKNOWN, self.source.span(call), expr_text(call))
        params = self._with_added_groups(env, call, params)
        return OptimizerSite(
            spec=spec,
            qualified_name=candidate.qualified_name,
            written_name=candidate.written_name,
            span=self.source.span(call),
            func_span=self.source.span(call.func),
            weight_decay=self._option(env, "weight_decay", bound, spread, spec.default_weight_decay),
            decoupled=self._option(env, spec.decoupled_flag, bound, spread, spec.decoupled),
            params=params,
            arguments=arguments,
            choice=choice,
            class_origin=candidate.origin,
        )

    def _with_added_groups(self, env: Env, call: ast.Call, params: ParamSource) -> ParamSource:
        """`opt = Adam(...)` then `opt.add_param_group({...})`: the groups added afterwards."""
        name = self.index.assigned_to.get(id(call))
        found = env.at(env.scope, call.lineno + 1).lookup(name) if name is not None else None
        if found is None or found[0].value is not call:
            return params
        binding, defining = found
        # until the name is bound again (`opt = SGD(...)` later is another optimizer)
        later = defining.next_binding_line(name or "", binding.lineno)
        end = sys.maxsize if later is None else later
        added = [
            self.params.group(env.at(defining, change.lineno), change.value)
            for change in defining.mutations_between(name or "", binding, defining, end - 1)
            if change.how == "add_param_group" and change.value is not None
        ]
        if not added:
            return params
        groups = [g for g in added if g is not None]
        if params.kind is SourceKind.GROUPS:
            first: tuple[ParamGroup, ...] = params.groups
        else:
            first = (ParamGroup(params.span, params, None, (Key("params", params.span),)),)
        complete = params.complete and len(groups) == len(added)
        return params._replace(kind=SourceKind.GROUPS, groups=(*first, *groups), complete=complete)

    def _arguments(self, call: ast.Call, spec: OptimizerSpec) -> Iterator[Argument]:
        names = ("params", *spec.positional)
        after_star = False
        for index, arg in enumerate(call.args):
            starred = isinstance(arg, ast.Starred)
            # after `*args`, nobody knows which parameter a positional argument binds
            known = None if after_star else index
            binds = names[index] if known is not None and not starred and index < len(names) else None
            span = self.source.argument_span(arg, call)
            yield Argument(span, expr_text(arg), None, known, binds, starred)
            after_star = after_star or starred
        for keyword in call.keywords:
            yield Argument(self.source.span(keyword), expr_text(keyword), keyword.arg, None, keyword.arg)

    def _spread(self, env: Env, call: ast.Call) -> _Spread:
        """What `**kwargs` and `*args` at the call may contribute."""
        entries: dict[str, ast.expr] = {}
        unresolved: list[str] = []
        for keyword in call.keywords:
            if keyword.arg is None:
                found = mapping(env, keyword.value)
                if found is None:
                    unresolved.append(f"**{expr_text(keyword.value)}")
                else:
                    entries.update(found.entries)
        unresolved += [f"*{expr_text(a.value)}" for a in call.args if isinstance(a, ast.Starred)]
        return _Spread(entries, unresolved)

    def _option(
        self, env: Env, name: str | None, bound: dict[str, ast.expr], spread: _Spread, default: float | bool | None
    ) -> Value:
        if name is None:
            return Value.default(default)
        node = bound.get(name, spread.entries.get(name))
        if node is not None:
            return resolve_value(env, node)
        if spread.unresolved:
            return Value.maybe_hidden(", ".join(spread.unresolved), default)
        return Value.default(default)


@cache
def _construction_names() -> frozenset[str]:
    return class_names() | factory_names()


def _bound_around(scope: Scope, name: str) -> bool:
    """Whether `name` is bound in `scope` or a scope around it: where it is not, a lookup finds
    nothing, and the environment a lookup needs is not made (most calls of a script name
    builtins)."""
    current: Scope | None = scope
    while current is not None:
        if name in current.bindings:
            return True
        current = current.parent
    return False


def _brought_by(site: OptimizerSite, caller: Caller) -> OptimizerSite:
    """The site as one call of the function around makes it: `(when called from line 40 as ...)`."""
    choice = caller.describe() if site.choice is None else f"{site.choice}, {caller.describe()}"
    return site._replace(choice=choice)


def _with_partial(call: ast.Call, candidate: Candidate) -> ast.Call:
    """`partial(AdamW, weight_decay=0.1)(params)` read as `AdamW(params, weight_decay=0.1)`."""
    if not candidate.partial_args and not candidate.partial_keywords:
        return call
    merged = ast.Call(
        func=call.func,
        args=[*candidate.partial_args, *call.args],
        keywords=[*candidate.partial_keywords, *call.keywords],
    )
    return ast.copy_location(merged, call)


class _Spread(Record):
    """What `**kwargs`/`*args` at a call contribute: known entries, and what stays unresolved."""

    entries: dict[str, ast.expr]
    unresolved: list[str]
