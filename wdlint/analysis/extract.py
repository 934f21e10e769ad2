"""Extraction: every optimizer construction in a Python module, as an OptimizerSite."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from wdlint.analysis.resolve import BindingKind, ModuleIndex, Scope, expr_text, literal_pairs
from wdlint.analysis.sites import (
    Argument,
    OptimizerSite,
    ParamGroup,
    ParamSource,
    SourceKind,
    Value,
)
from wdlint.frontends.python import PythonSource
from wdlint.knowledge.optimizers import KNOWN_ROOTS, OptimizerSpec, lookup

_MAX_DEPTH = 8
# attribute calls that yield every parameter of a module
_PARAMETER_METHODS = frozenset({"parameters", "named_parameters"})
_PASS_THROUGH = frozenset({"list", "tuple", "iter", "sorted"})
_CHAIN = frozenset({"itertools.chain", "chain", "itertools.chain.from_iterable"})


def extract_sites(source: PythonSource) -> list[OptimizerSite]:
    index = ModuleIndex(source.tree)
    return list(_Extractor(source, index).sites())


class _Extractor:
    def __init__(self, source: PythonSource, index: ModuleIndex) -> None:
        self.source = source
        self.index = index

    def sites(self) -> Iterator[OptimizerSite]:
        for call in self.index.calls:
            scope = self.index.scope_of[id(call)]
            qualified = self.index.qualified_name(call.func, scope, call.lineno)
            if qualified is None or qualified.partition(".")[0] not in KNOWN_ROOTS:
                continue
            spec = lookup(qualified)
            if spec is not None:
                yield self._site(call, scope, spec, qualified)

    # -- one call --------------------------------------------------------------------------

    def _site(self, call: ast.Call, scope: Scope, spec: OptimizerSpec, qualified: str) -> OptimizerSite:
        arguments = tuple(self._arguments(call))
        bound = self._bind(call, spec)
        spread = self._spread(call, scope)
        params_node = bound.get("params")
        if params_node is not None:
            params = self.classify(params_node, scope, call.lineno)
        else:
            params = ParamSource(SourceKind.UNKNOWN, self.source.span(call), expr_text(call))
        return OptimizerSite(
            spec=spec,
            qualified_name=qualified,
            written_name=expr_text(call.func),
            span=self.source.span(call),
            func_span=self.source.span(call.func),
            weight_decay=self._option(
                "weight_decay", bound, spread, scope, call, spec.default_weight_decay
            ),
            decoupled=self._option(spec.decoupled_flag, bound, spread, scope, call, spec.decoupled),
            params=params,
            arguments=arguments,
        )

    def _arguments(self, call: ast.Call) -> Iterator[Argument]:
        for index, arg in enumerate(call.args):
            yield Argument(self.source.span(arg), expr_text(arg), None, index)
        for keyword in call.keywords:
            yield Argument(self.source.span(keyword), expr_text(keyword), keyword.arg, None)

    def _bind(self, call: ast.Call, spec: OptimizerSpec) -> dict[str, ast.expr]:
        """Map the signature's parameter names to the call's argument expressions."""
        bound: dict[str, ast.expr] = {}
        names = ("params", *spec.positional)
        for position, arg in enumerate(call.args):
            if isinstance(arg, ast.Starred) or position >= len(names):
                break
            bound[names[position]] = arg
        for keyword in call.keywords:
            if keyword.arg is not None:
                bound[keyword.arg] = keyword.value
        return bound

    def _spread(self, call: ast.Call, scope: Scope) -> _Spread:
        """What `**kwargs` and `*args` at the call may contribute."""
        entries: dict[str, ast.expr] = {}
        unresolved: list[str] = []
        for keyword in call.keywords:
            if keyword.arg is None:
                mapping = self.index.mapping(keyword.value, scope, call.lineno)
                if mapping is None:
                    unresolved.append(f"**{expr_text(keyword.value)}")
                else:
                    entries.update(mapping.entries)
        unresolved += [f"*{expr_text(a.value)}" for a in call.args if isinstance(a, ast.Starred)]
        return _Spread(entries, unresolved)

    def _option(
        self,
        name: str | None,
        bound: dict[str, ast.expr],
        spread: _Spread,
        scope: Scope,
        call: ast.Call,
        default: float | bool | None,
    ) -> Value:
        if name is None:
            return Value.default(default)
        node = bound.get(name, spread.entries.get(name))
        if node is not None:
            return self.index.resolve_value(node, scope, call.lineno)
        if spread.unresolved:
            return Value.maybe_hidden(", ".join(spread.unresolved), default)
        return Value.default(default)

    # -- params ----------------------------------------------------------------------------

    def classify(self, node: ast.expr, scope: Scope, lineno: int, depth: int = 0) -> ParamSource:
        span, shown = self.source.span(node), expr_text(node)
        kind, groups, complete = self._classify(node, scope, lineno, depth)
        return ParamSource(kind, span, shown, groups, complete)

    def _classify(
        self, node: ast.expr, scope: Scope, lineno: int, depth: int
    ) -> tuple[SourceKind, tuple[ParamGroup, ...], bool]:
        unknown: tuple[SourceKind, tuple[ParamGroup, ...], bool] = (SourceKind.UNKNOWN, (), True)
        if depth > _MAX_DEPTH:
            return unknown
        if isinstance(node, ast.Call):
            return self._classify_call(node, scope, lineno, depth)
        if isinstance(node, (ast.List, ast.Tuple)):
            return self._classify_display(node.elts, scope, lineno, depth)
        if isinstance(node, (ast.ListComp, ast.GeneratorExp, ast.SetComp)):
            return self._classify_comprehension(node, scope, lineno, depth)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return self._combine([node.left, node.right], scope, lineno, depth)
        if isinstance(node, ast.Name):
            return self._classify_name(node, scope, lineno, depth)
        return unknown

    def _classify_call(
        self, call: ast.Call, scope: Scope, lineno: int, depth: int
    ) -> tuple[SourceKind, tuple[ParamGroup, ...], bool]:
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr in _PARAMETER_METHODS:
            recurse = next((k.value for k in call.keywords if k.arg == "recurse"), None)
            if call.args or (isinstance(recurse, ast.Constant) and recurse.value is False):
                return SourceKind.SUBSET, (), True
            return SourceKind.FLAT, (), True
        name = expr_text(func)
        if isinstance(func, ast.Name) and name in _PASS_THROUGH and len(call.args) == 1:
            return self._classify(call.args[0], scope, lineno, depth + 1)
        qualified = self.index.qualified_name(func, scope, lineno) or name
        if qualified in _CHAIN or name in _CHAIN:
            return self._combine(list(call.args), scope, lineno, depth)
        if name == "filter" and len(call.args) == 2:
            predicate, iterable = call.args
            if _selects_only_trainable(predicate):
                return self._classify(iterable, scope, lineno, depth + 1)
            return SourceKind.SUBSET, (), True
        return SourceKind.UNKNOWN, (), True

    def _classify_display(
        self, elements: list[ast.expr], scope: Scope, lineno: int, depth: int
    ) -> tuple[SourceKind, tuple[ParamGroup, ...], bool]:
        if not elements:  # filled later, in ways the caller may follow (appends)
            return SourceKind.UNKNOWN, (), True
        groups = [self._group(e, scope, lineno, depth) for e in elements]
        if all(group is not None for group in groups):
            return SourceKind.GROUPS, tuple(g for g in groups if g is not None), True
        if any(isinstance(e, ast.Starred) for e in elements):
            return SourceKind.UNKNOWN, (), True
        return SourceKind.SUBSET, (), True

    def _classify_comprehension(
        self, node: ast.ListComp | ast.GeneratorExp | ast.SetComp, scope: Scope, lineno: int, depth: int
    ) -> tuple[SourceKind, tuple[ParamGroup, ...], bool]:
        group = self._group(node.elt, scope, lineno, depth)
        if group is not None:
            return SourceKind.GROUPS, (group,), False
        if len(node.generators) != 1:
            return SourceKind.UNKNOWN, (), True
        generator = node.generators[0]
        source_kind, _, _ = self._classify(generator.iter, scope, lineno, depth + 1)
        if source_kind is not SourceKind.FLAT:
            return (SourceKind.SUBSET if source_kind is not SourceKind.UNKNOWN else source_kind), (), True
        if not _yields_loop_param(node.elt, generator.target):
            return SourceKind.UNKNOWN, (), True
        if all(_only_trainable(condition) for condition in generator.ifs):
            return SourceKind.FLAT, (), True
        return SourceKind.SUBSET, (), True

    def _combine(
        self, parts: list[ast.expr], scope: Scope, lineno: int, depth: int
    ) -> tuple[SourceKind, tuple[ParamGroup, ...], bool]:
        kinds = [self._classify(p, scope, lineno, depth + 1) for p in parts]
        if all(kind is SourceKind.GROUPS for kind, _, _ in kinds):
            groups = tuple(g for _, gs, _ in kinds for g in gs)
            return SourceKind.GROUPS, groups, all(c for _, _, c in kinds)
        if any(kind is SourceKind.FLAT for kind, _, _ in kinds) and not any(
            kind is SourceKind.GROUPS for kind, _, _ in kinds
        ):
            return SourceKind.FLAT, (), True
        if all(kind is SourceKind.SUBSET for kind, _, _ in kinds):
            return SourceKind.SUBSET, (), True
        return SourceKind.UNKNOWN, (), True

    def _classify_name(
        self, node: ast.Name, scope: Scope, lineno: int, depth: int
    ) -> tuple[SourceKind, tuple[ParamGroup, ...], bool]:
        found = self.index.lookup(node.id, scope, lineno)
        if found is None:
            return SourceKind.UNKNOWN, (), True
        binding, defining = found
        if binding.kind is not BindingKind.ASSIGN or binding.value is None:
            return SourceKind.UNKNOWN, (), True
        kind, groups, complete = self._classify(binding.value, defining, binding.lineno, depth + 1)
        growth = list(self.index.mutations_between(node.id, scope, defining, binding, lineno))
        if not growth:
            return kind, groups, complete
        starts_empty = isinstance(binding.value, (ast.List, ast.Tuple)) and not binding.value.elts
        if kind is not SourceKind.GROUPS and not starts_empty:
            return SourceKind.UNKNOWN, (), True
        extra: list[ParamGroup] = []
        for change in growth:
            if change.value is None or change.how not in ("append", "insert", "extend"):
                return SourceKind.UNKNOWN, (), True
            if change.how in ("append", "insert"):
                group = self._group(change.value, defining, lineno, depth + 1)
                if group is None:
                    return SourceKind.UNKNOWN, (), True
                extra.append(group)
            else:
                more_kind, more, more_complete = self._classify(change.value, defining, lineno, depth + 1)
                if more_kind is not SourceKind.GROUPS:
                    return SourceKind.UNKNOWN, (), True
                extra += more
                complete = complete and more_complete
        return SourceKind.GROUPS, (*groups, *extra), complete

    def _group(self, node: ast.expr, scope: Scope, lineno: int, depth: int) -> ParamGroup | None:
        """A param-group dict, or None when `node` is not one."""
        pairs = literal_pairs(node)
        if pairs is None or not any(key == "params" for key, _ in pairs):
            return None
        entries = {key: value for key, value in pairs if key is not None}
        params_node = entries["params"]
        weight_decay = entries.get("weight_decay")
        return ParamGroup(
            span=self.source.span(node),
            params=self.classify(params_node, scope, lineno, depth + 1),
            weight_decay=(
                self.index.resolve_value(weight_decay, scope, lineno) if weight_decay is not None else None
            ),
            keys=tuple(entries),
            complete=all(key is not None for key, _ in pairs),
        )


@dataclass(frozen=True)
class _Spread:
    """What `**kwargs`/`*args` at a call contribute: known entries, and what stays unresolved."""

    entries: dict[str, ast.expr]
    unresolved: list[str]


def _selects_only_trainable(predicate: ast.expr) -> bool:
    """`lambda p: p.requires_grad`: keeps every trainable param, so the result is still flat."""
    if isinstance(predicate, ast.Lambda):
        return _only_trainable(predicate.body)
    return False


def _only_trainable(condition: ast.expr) -> bool:
    """A condition that looks only at `requires_grad` (not at names, shapes or ndim)."""
    attributes = [n.attr for n in ast.walk(condition) if isinstance(n, ast.Attribute)]
    calls = [n for n in ast.walk(condition) if isinstance(n, ast.Call)]
    return attributes == ["requires_grad"] and not calls


def _yields_loop_param(element: ast.expr, target: ast.expr) -> bool:
    """`p for p in m.parameters()` or `p for _, p in m.named_parameters()`."""
    if not isinstance(element, ast.Name):
        return False
    if isinstance(target, ast.Name):
        return target.id == element.id
    if isinstance(target, ast.Tuple) and len(target.elts) == 2:
        last = target.elts[1]
        return isinstance(last, ast.Name) and last.id == element.id
    return False
