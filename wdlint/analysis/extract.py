"""Extraction: every optimizer construction in a Python module, as an OptimizerSite."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from wdlint.analysis.choice import Candidate, branch_state, candidates
from wdlint.analysis.resolve import BindingKind, ModuleIndex, Scope, expr_text, literal_pairs
from wdlint.analysis.sites import (
    Argument,
    Key,
    OptimizerSite,
    ParamGroup,
    ParamSource,
    Selector,
    SourceKind,
    Span,
    Value,
)
from wdlint.diagnostics import Position
from wdlint.frontends.python import PythonSource
from wdlint.knowledge.optimizers import OptimizerSpec

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
            found = candidates(self.index, call.func, scope, call.lineno)
            if not found:
                continue
            conditions = self.index.conditions_of.get(id(call), ())
            runs, branch = branch_state(self.index, conditions, scope, call.lineno)
            if not runs:
                continue  # a branch that the option's default does not select
            for candidate in found:
                choice = " and ".join(c for c in (branch, candidate.choice) if c) or None
                yield self._site(_with_partial(call, candidate), scope, candidate, choice)

    # -- one call --------------------------------------------------------------------------

    def _site(self, call: ast.Call, scope: Scope, candidate: Candidate, choice: str | None) -> OptimizerSite:
        spec = candidate.spec
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
            qualified_name=candidate.qualified_name,
            written_name=candidate.written_name,
            span=self.source.span(call),
            func_span=self.source.span(call.func),
            weight_decay=self._option(
                "weight_decay", bound, spread, scope, call, spec.default_weight_decay
            ),
            decoupled=self._option(spec.decoupled_flag, bound, spread, scope, call, spec.decoupled),
            params=params,
            arguments=arguments,
            choice=choice,
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
        shape = self._classify(node, scope, lineno, depth)
        return ParamSource(
            shape.kind, self.source.span(node), expr_text(node), shape.groups, shape.complete, shape.selects
        )

    def _classify(self, node: ast.expr, scope: Scope, lineno: int, depth: int) -> _Shape:
        if depth > _MAX_DEPTH:
            return _UNKNOWN
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
        return _UNKNOWN

    def _classify_call(self, call: ast.Call, scope: Scope, lineno: int, depth: int) -> _Shape:
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr in _PARAMETER_METHODS:
            recurse = next((k.value for k in call.keywords if k.arg == "recurse"), None)
            if call.args or (isinstance(recurse, ast.Constant) and recurse.value is False):
                return _Shape(SourceKind.SUBSET, selects=frozenset({Selector.OTHER}))
            return _FLAT
        name = expr_text(func)
        if isinstance(func, ast.Name) and name in _PASS_THROUGH and len(call.args) == 1:
            return self._classify(call.args[0], scope, lineno, depth + 1)
        qualified = self.index.qualified_name(func, scope, lineno) or name
        if qualified in _CHAIN or name in _CHAIN:
            return self._combine(list(call.args), scope, lineno, depth)
        if name == "filter" and len(call.args) == 2:
            predicate, iterable = call.args
            inner = self._classify(iterable, scope, lineno, depth + 1)
            if not isinstance(predicate, ast.Lambda) or inner.kind is not SourceKind.FLAT:
                return _Shape(SourceKind.SUBSET, selects=frozenset({Selector.OTHER}))
            return _selection(inner, [predicate.body], name_variables=())
        return _UNKNOWN

    def _classify_display(self, elements: list[ast.expr], scope: Scope, lineno: int, depth: int) -> _Shape:
        if not elements:  # filled later, in ways the caller may follow (appends)
            return _UNKNOWN
        groups = [self._group(e, scope, lineno, depth) for e in elements]
        if all(group is not None for group in groups):
            return _Shape(SourceKind.GROUPS, tuple(g for g in groups if g is not None))
        if any(isinstance(e, ast.Starred) for e in elements):
            return _UNKNOWN
        return _Shape(SourceKind.SUBSET, selects=frozenset({Selector.OTHER}))

    def _classify_comprehension(
        self, node: ast.ListComp | ast.GeneratorExp | ast.SetComp, scope: Scope, lineno: int, depth: int
    ) -> _Shape:
        group = self._group(node.elt, scope, lineno, depth)
        if group is not None:
            return _Shape(SourceKind.GROUPS, (group,), complete=False)
        if len(node.generators) != 1:
            return _UNKNOWN
        generator = node.generators[0]
        inner = self._classify(generator.iter, scope, lineno, depth + 1)
        if inner.kind is not SourceKind.FLAT:
            return inner if inner.kind in (SourceKind.UNKNOWN, SourceKind.SUBSET) else _UNKNOWN
        loop_param = _loop_param(node.elt, generator.target)
        if loop_param is None:
            return _UNKNOWN
        return _selection(inner, generator.ifs, name_variables=_name_variables(generator.target))

    def _combine(self, parts: list[ast.expr], scope: Scope, lineno: int, depth: int) -> _Shape:
        shapes = [self._classify(p, scope, lineno, depth + 1) for p in parts]
        kinds = {shape.kind for shape in shapes}
        if kinds == {SourceKind.GROUPS}:
            groups = tuple(g for shape in shapes for g in shape.groups)
            return _Shape(SourceKind.GROUPS, groups, all(shape.complete for shape in shapes))
        if SourceKind.FLAT in kinds and SourceKind.GROUPS not in kinds:
            return _FLAT
        if kinds == {SourceKind.SUBSET}:
            return _Shape(SourceKind.SUBSET, selects=frozenset().union(*(s.selects for s in shapes)))
        return _UNKNOWN

    def _classify_name(self, node: ast.Name, scope: Scope, lineno: int, depth: int) -> _Shape:
        found = self.index.lookup(node.id, scope, lineno)
        if found is None:
            return _UNKNOWN
        binding, defining = found
        if binding.kind is not BindingKind.ASSIGN or binding.value is None:
            return _UNKNOWN
        shape = self._classify(binding.value, defining, binding.lineno, depth + 1)
        growth = list(self.index.mutations_between(node.id, scope, defining, binding, lineno))
        if not growth:
            return shape
        starts_empty = isinstance(binding.value, (ast.List, ast.Tuple)) and not binding.value.elts
        if shape.kind is not SourceKind.GROUPS and not starts_empty:
            return _UNKNOWN
        groups, complete = list(shape.groups), shape.complete
        for change in growth:
            if change.value is None or change.how not in ("append", "insert", "extend"):
                return _UNKNOWN
            if change.how in ("append", "insert"):
                group = self._group(change.value, defining, lineno, depth + 1)
                if group is None:
                    return _UNKNOWN
                groups.append(group)
                continue
            more = self._classify(change.value, defining, lineno, depth + 1)
            if more.kind is not SourceKind.GROUPS:
                return _UNKNOWN
            groups += more.groups
            complete = complete and more.complete
        return _Shape(SourceKind.GROUPS, tuple(groups), complete)

    def _group(self, node: ast.expr, scope: Scope, lineno: int, depth: int) -> ParamGroup | None:
        """A param-group dict, or None when `node` is not one."""
        pairs = literal_pairs(node)
        if pairs is None or not any(key == "params" for key, _ in pairs):
            return None
        entries = {key: value for key, value in pairs if key is not None}
        weight_decay = entries.get("weight_decay")
        return ParamGroup(
            span=self.source.span(node),
            params=self.classify(entries["params"], scope, lineno, depth + 1),
            weight_decay=(
                self.index.resolve_value(weight_decay, scope, lineno) if weight_decay is not None else None
            ),
            keys=tuple(self._keys(node)),
            complete=all(key is not None for key, _ in pairs),
        )

    def _keys(self, node: ast.expr) -> Iterator[Key]:
        """The literal keys of a dict display or `dict(...)` call, where they are written."""
        if isinstance(node, ast.Dict):
            for key in node.keys:
                if isinstance(key, ast.Constant) and isinstance(key.value, str):
                    yield Key(key.value, self.source.span(key))
        elif isinstance(node, ast.Call):
            for keyword in node.keywords:
                if keyword.arg is not None:
                    span = self.source.span(keyword)
                    end = Position(span.start.row, span.start.column + len(keyword.arg))
                    yield Key(keyword.arg, Span(span.start, end))


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


@dataclass(frozen=True)
class _Shape:
    """What a params expression turned out to be, before it gets its span and text."""

    kind: SourceKind
    groups: tuple[ParamGroup, ...] = ()
    complete: bool = True
    selects: frozenset[Selector] = frozenset()


_UNKNOWN = _Shape(SourceKind.UNKNOWN)
_FLAT = _Shape(SourceKind.FLAT)


def _selection(inner: _Shape, conditions: list[ast.expr], name_variables: tuple[str, ...]) -> _Shape:
    """A flat iterable filtered by `conditions`: still flat if they only keep trainable params."""
    selects = frozenset(s for condition in conditions for s in _selectors(condition, name_variables))
    if not selects:
        return inner
    return _Shape(SourceKind.SUBSET, selects=selects)


def _selectors(condition: ast.expr, name_variables: tuple[str, ...]) -> Iterator[Selector]:
    """What a filter condition looks at; nothing for a condition on `requires_grad` alone."""
    for node in ast.walk(condition):
        if isinstance(node, ast.Attribute):
            if node.attr in ("ndim", "shape"):
                yield Selector.NDIM
            elif node.attr in ("dim", "ndimension"):
                yield Selector.NDIM
            elif node.attr != "requires_grad":
                yield Selector.OTHER
        elif isinstance(node, ast.Name) and node.id in name_variables:
            yield Selector.NAME
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield Selector.NAME
        elif isinstance(node, ast.Call) and not isinstance(node.func, ast.Attribute):
            if not (isinstance(node.func, ast.Name) and node.func.id == "len"):
                yield Selector.OTHER


def _loop_param(element: ast.expr, target: ast.expr) -> str | None:
    """`p` of `p for p in m.parameters()` or of `p for _, p in m.named_parameters()`."""
    if not isinstance(element, ast.Name):
        return None
    if isinstance(target, ast.Name) and target.id == element.id:
        return element.id
    if isinstance(target, ast.Tuple) and len(target.elts) == 2:
        last = target.elts[1]
        if isinstance(last, ast.Name) and last.id == element.id:
            return element.id
    return None


def _name_variables(target: ast.expr) -> tuple[str, ...]:
    """`n` of `for n, p in m.named_parameters()`: the variable holding the param's name."""
    if isinstance(target, ast.Tuple) and len(target.elts) == 2 and isinstance(target.elts[0], ast.Name):
        return (target.elts[0].id,)
    return ()


@dataclass(frozen=True)
class _Spread:
    """What `**kwargs`/`*args` at a call contribute: known entries, and what stays unresolved."""

    entries: dict[str, ast.expr]
    unresolved: list[str]
