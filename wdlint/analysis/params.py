"""What a `params` argument is: a module's parameters, a selection of them, or param groups.

Follows names to their assignments, lists grown by `.append` (of group dicts, or of the loop
parameter inside `for n, p in m.named_parameters()`), comprehensions, `filter`, `chain` and `+`,
and records how a selection tests names (for the name-filter rules).
"""

from __future__ import annotations

import ast
import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from wdlint.analysis.receivers import ModuleIdentifier
from wdlint.analysis.resolve import ModuleIndex, Mutation, Scope, expr_text, literal_pairs
from wdlint.analysis.sites import (
    Key,
    NameMatch,
    NameTest,
    ParamGroup,
    ParamSource,
    Receiver,
    Selector,
    SourceKind,
    Value,
)
from wdlint.diagnostics import Position, Span

_MAX_DEPTH = 8
_Function = ast.FunctionDef | ast.AsyncFunctionDef
# attribute calls that yield every parameter of a module
PARAMETER_METHODS = frozenset({"parameters", "named_parameters"})
PASS_THROUGH = frozenset({"list", "tuple", "iter", "sorted"})  # return what they are given
_CHAIN = frozenset({"itertools.chain", "chain", "itertools.chain.from_iterable"})


class Spans(Protocol):
    """Where nodes are: a parsed file, or one fixed place for code read from another file."""

    def span(self, node: ast.expr | ast.stmt | ast.keyword | ast.arg) -> Span: ...


@dataclass(frozen=True)
class AtCallSite:
    """Spans for a helper read from another file: everything is reported where it is called."""

    where: Span

    def span(self, node: ast.expr | ast.stmt | ast.keyword | ast.arg) -> Span:
        return self.where


class ParamClassifier:
    def __init__(self, source: Spans, index: ModuleIndex, modules: ModuleIdentifier) -> None:
        self.source = source
        self.index = index
        self.modules = modules

    def classify(self, node: ast.expr, scope: Scope, lineno: int, depth: int = 0) -> ParamSource:
        shape = self._classify(node, scope, lineno, depth)
        return ParamSource(
            shape.kind,
            self.source.span(node),
            expr_text(node),
            shape.groups,
            shape.complete,
            shape.selects,
            shape.name_tests,
            shape.receiver,
            repeatable=_repeatable(node),
            named=isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr == "named_parameters",
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
        if isinstance(func, ast.Attribute) and func.attr in PARAMETER_METHODS:
            recurse = next((k.value for k in call.keywords if k.arg == "recurse"), None)
            if call.args or (isinstance(recurse, ast.Constant) and recurse.value is False):
                return _Shape(SourceKind.SUBSET, selects=frozenset({Selector.OTHER}))
            return _Shape(SourceKind.FLAT, receiver=self.modules.receiver(func.value, scope, lineno))
        if isinstance(func, ast.Attribute) and func.attr in ("items", "values"):
            parameters = self._param_dict(func.value, scope, lineno, depth + 1)
            return parameters if parameters is not None else _UNKNOWN
        name = expr_text(func)
        if isinstance(func, ast.Name) and name in PASS_THROUGH and len(call.args) == 1:
            return self._classify(call.args[0], scope, lineno, depth + 1)
        qualified = self.index.qualified_name(func, scope, lineno) or name
        if qualified in _CHAIN or name in _CHAIN:
            return self._combine(list(call.args), scope, lineno, depth)
        if name == "filter" and len(call.args) == 2:
            predicate, iterable = call.args
            inner = self._classify(iterable, scope, lineno, depth + 1)
            if not isinstance(predicate, ast.Lambda) or inner.kind is not SourceKind.FLAT:
                return _Shape(SourceKind.SUBSET, selects=frozenset({Selector.OTHER}))
            return self._selection(inner, [predicate.body], (), scope, lineno)
        found = self._helper(func, scope, lineno, call)
        if found is not None:
            classifier, function = found
            return classifier._inline(function, call, scope, depth)
        return _UNKNOWN

    def _helper(self, func: ast.expr, scope: Scope, lineno: int, call: ast.Call) -> tuple[ParamClassifier, _Function] | None:
        """The function `func` names, with the classifier that reads its body.

        A function of this file (`get_groups`, `self.get_groups`), or one imported from another
        file of the project, read with every position mapped to this call.
        """
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "self":
            owner = scope.parent if scope.parent is not None and scope.parent.is_class else None
            bindings = owner.bindings.get(func.attr, []) if owner is not None else []
            function = bindings[-1].function if bindings else None
            return (self, function) if function is not None else None
        if not isinstance(func, ast.Name):
            return None
        found = self.index.lookup(func.id, scope, lineno)
        if found is None:
            return None
        if found[0].function is not None:
            return self, found[0].function
        imported = self.index.imported(found[0])
        if imported is None or imported.binding.function is None:
            return None
        tree = imported.index.module_scope.node
        assert isinstance(tree, ast.Module)
        foreign = ParamClassifier(
            AtCallSite(self.source.span(call)), imported.index, ModuleIdentifier(tree, imported.index)
        )
        return foreign, imported.binding.function

    def _inline(self, function: _Function, call: ast.Call, scope: Scope, depth: int) -> _Shape:
        """A helper that returns the params: what its `return` gives, with the call's arguments."""
        returns = self.index.returns.get(id(function), [])
        if len(returns) != 1 or returns[0].value is None:
            return _UNKNOWN
        with self.index.inlined(function, call, scope) as body:
            if body is None:
                return _UNKNOWN
            return self._classify(returns[0].value, body, returns[0].lineno, depth + 1)

    def _classify_display(self, elements: list[ast.expr], scope: Scope, lineno: int, depth: int) -> _Shape:
        if not elements:  # filled later, in ways the caller may follow (appends)
            return _UNKNOWN
        groups = [self.group(e, scope, lineno, depth) for e in elements]
        if all(group is not None for group in groups):
            return _Shape(SourceKind.GROUPS, tuple(g for g in groups if g is not None))
        if any(isinstance(e, ast.Starred) for e in elements):
            return _UNKNOWN
        return _Shape(SourceKind.SUBSET, selects=frozenset({Selector.OTHER}))

    def _classify_comprehension(
        self, node: ast.ListComp | ast.GeneratorExp | ast.SetComp, scope: Scope, lineno: int, depth: int
    ) -> _Shape:
        # `{"params": ps, "weight_decay": wd} for ps, wd in ...`: the loop's own variables are
        # not the enclosing scope's names of the same spelling
        loop_names = frozenset(n.id for g in node.generators for n in ast.walk(g.target) if isinstance(n, ast.Name))
        group = self.group(node.elt, scope, lineno, depth, loop_names)
        if group is not None:
            return _Shape(SourceKind.GROUPS, (group,), complete=False)
        if len(node.generators) != 1:
            return _UNKNOWN
        generator = node.generators[0]
        if isinstance(node.elt, ast.Subscript):  # [param_dict[pn] for pn in names]
            return self._lookup_by_name(node.elt, generator, scope, lineno, depth)
        inner = self._classify(generator.iter, scope, lineno, depth + 1)
        if inner.kind is not SourceKind.FLAT:
            return inner if inner.kind in (SourceKind.UNKNOWN, SourceKind.SUBSET) else _UNKNOWN
        loop_param = _loop_param(node.elt, generator.target)
        if loop_param is None:
            return _UNKNOWN
        return self._selection(inner, generator.ifs, _name_variables(generator.target), scope, lineno)

    def _param_dict(self, node: ast.expr, scope: Scope, lineno: int, depth: int) -> _Shape | None:
        """A dict from names to params: `{n: p for n, p in m.named_parameters() if ...}`, `dict(...)`."""
        if depth > _MAX_DEPTH:
            return None
        if isinstance(node, ast.Name):
            assigned = self.index.assignment(node.id, scope, lineno)
            if assigned is None:
                return None
            value, binding, defining = assigned
            return self._param_dict(value, defining, binding.lineno, depth + 1)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict" and len(node.args) == 1:
            inner = self._classify(node.args[0], scope, lineno, depth + 1)
            return inner if inner.kind is SourceKind.FLAT else None
        if isinstance(node, ast.DictComp) and len(node.generators) == 1:
            generator = node.generators[0]
            inner = self._classify(generator.iter, scope, lineno, depth + 1)
            if inner.kind is not SourceKind.FLAT or _loop_param(node.value, generator.target) is None:
                return None
            return self._selection(inner, generator.ifs, _name_variables(generator.target), scope, lineno)
        return None

    def _lookup_by_name(
        self, element: ast.Subscript, generator: ast.comprehension, scope: Scope, lineno: int, depth: int
    ) -> _Shape:
        """`[param_dict[pn] for pn in names]`: every param when `names` are the dict's own keys."""
        parameters = self._param_dict(element.value, scope, lineno, depth + 1)
        if parameters is None or not _same_name(element.slice, generator.target):
            return _UNKNOWN
        iterated = generator.iter
        if isinstance(iterated, ast.Call) and isinstance(iterated.func, ast.Attribute) and iterated.func.attr == "keys":
            iterated = iterated.func.value
        if _same_name(iterated, element.value) and not generator.ifs:
            return parameters
        return _Shape(SourceKind.SUBSET, selects=frozenset({Selector.NAME}), receiver=parameters.receiver)

    def _combine(self, parts: list[ast.expr], scope: Scope, lineno: int, depth: int) -> _Shape:
        shapes = [self._classify(p, scope, lineno, depth + 1) for p in parts]
        kinds = {shape.kind for shape in shapes}
        if kinds == {SourceKind.GROUPS}:
            groups = tuple(g for shape in shapes for g in shape.groups)
            return _Shape(SourceKind.GROUPS, groups, all(shape.complete for shape in shapes))
        if SourceKind.FLAT in kinds and SourceKind.GROUPS not in kinds:
            return next(shape for shape in shapes if shape.kind is SourceKind.FLAT)
        if kinds == {SourceKind.SUBSET}:
            return _Shape(SourceKind.SUBSET, selects=frozenset().union(*(s.selects for s in shapes)))
        return _UNKNOWN

    def _classify_name(self, node: ast.Name, scope: Scope, lineno: int, depth: int) -> _Shape:
        assigned = self.index.assignment(node.id, scope, lineno)
        if assigned is None:
            return _UNKNOWN
        value, binding, defining = assigned
        shape = self._classify(value, defining, binding.lineno, depth + 1)
        growth = list(self.index.mutations_between(node.id, scope, defining, binding, lineno))
        if not growth:
            return shape
        starts_empty = _is_empty_collection(value)
        if starts_empty and all(_appends_loop_param(change) for change in growth):
            return self._loop_selection(growth, defining, depth)
        if shape.kind is not SourceKind.GROUPS and not starts_empty:
            return _UNKNOWN
        groups, complete = list(shape.groups), shape.complete
        for change in growth:
            if change.value is None or change.how not in ("append", "insert", "extend"):
                return _UNKNOWN
            if change.how in ("append", "insert"):
                group = self.group(change.value, defining, lineno, depth + 1)
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

    def _loop_selection(self, growth: list[Mutation], scope: Scope, depth: int) -> _Shape:
        """`for n, p in m.named_parameters(): if cond: decay.append(p)`: a selection by `cond`."""
        shapes = []
        for change in growth:
            assert change.loop is not None
            inner = self._classify(change.loop.iter, scope, change.lineno, depth + 1)
            if inner.kind is not SourceKind.FLAT:
                return _UNKNOWN
            conditions = [test for test, _ in change.conditions]
            names = _name_variables(change.loop.target)
            shapes.append(self._selection(inner, conditions, names, scope, change.lineno))
        if len(shapes) == 1:
            return shapes[0]
        if any(shape.kind is SourceKind.FLAT for shape in shapes):
            return next(shape for shape in shapes if shape.kind is SourceKind.FLAT)
        return _Shape(
            SourceKind.SUBSET,
            selects=frozenset().union(*(shape.selects for shape in shapes)),
            name_tests=tuple(test for shape in shapes for test in shape.name_tests),
            receiver=shapes[0].receiver,
        )

    def _selection(
        self, inner: _Shape, conditions: list[ast.expr], names: tuple[str, ...], scope: Scope, lineno: int
    ) -> _Shape:
        """A flat iterable filtered by `conditions`: still flat if they only keep trainable params."""
        selects = frozenset(s for condition in conditions for s in _selectors(condition, names))
        if not selects:
            return inner
        tests = tuple(t for condition in conditions for t in self._name_tests(condition, names, scope, lineno))
        return _Shape(SourceKind.SUBSET, selects=selects, name_tests=tests, receiver=inner.receiver)

    def _name_tests(self, condition: ast.expr, names: tuple[str, ...], scope: Scope, lineno: int) -> Iterator[NameTest]:
        """The ways `condition` tests a parameter name held in one of `names`."""
        generator_variables = set()
        for node in ast.walk(condition):
            # any(nd in n for nd in no_decay): substring tests of every fragment of a list
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("any", "all"):
                test = self._any_substring(node, names, scope, lineno)
                if test is not None:
                    generator_variables |= {n.id for n in ast.walk(node.args[0]) if isinstance(n, ast.Name)}
                    yield test
        for node in ast.walk(condition):
            if isinstance(node, ast.Compare) and len(node.ops) == 1:
                yield from self._compare_test(node, names, generator_variables, scope, lineno)
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("startswith", "endswith")
                and _is_name_in(node.func.value, names)
                and node.args
            ):
                match = NameMatch.PREFIX if node.func.attr == "startswith" else NameMatch.SUFFIX
                yield self._test(match, node, node.args[0], scope, lineno)

    def _any_substring(self, call: ast.Call, names: tuple[str, ...], scope: Scope, lineno: int) -> NameTest | None:
        if len(call.args) != 1 or not isinstance(call.args[0], ast.GeneratorExp):
            return None
        generator = call.args[0]
        element = generator.elt
        if len(generator.generators) != 1 or not isinstance(element, ast.Compare):
            return None
        loop_target = generator.generators[0].target
        if not (
            len(element.ops) == 1
            and isinstance(element.ops[0], ast.In)
            and isinstance(element.left, ast.Name)
            and isinstance(loop_target, ast.Name)
            and element.left.id == loop_target.id
            and _is_name_in(element.comparators[0], names)
        ):
            return None
        return self._test(NameMatch.SUBSTRING, call, generator.generators[0].iter, scope, lineno)

    def _compare_test(
        self, node: ast.Compare, names: tuple[str, ...], skip: set[str], scope: Scope, lineno: int
    ) -> Iterator[NameTest]:
        op, left, right = node.ops[0], node.left, node.comparators[0]
        if isinstance(left, ast.Name) and left.id in skip:
            return
        if isinstance(op, (ast.In, ast.NotIn)):
            if _is_name_in(right, names) and not _is_name_in(left, names):
                yield self._test(NameMatch.SUBSTRING, node, left, scope, lineno)
            elif _is_name_in(left, names) and not _is_name_in(right, names):
                test = self._test(NameMatch.MEMBERSHIP, node, right, scope, lineno)
                assert isinstance(left, ast.Name)
                yield dataclasses.replace(test, subject=left.id, negated=isinstance(op, ast.NotIn))
        elif isinstance(op, (ast.Eq, ast.NotEq)) and (_is_name_in(left, names) or _is_name_in(right, names)):
            other = right if _is_name_in(left, names) else left
            yield self._test(NameMatch.EQUALITY, node, other, scope, lineno)

    def _test(self, match: NameMatch, node: ast.expr, strings: ast.expr, scope: Scope, lineno: int) -> NameTest:
        found = self.index.strings(strings, scope, lineno)
        return NameTest(
            match,
            self.source.span(node),
            expr_text(node),
            fragments=found.values if found else None,
            fragments_span=self.source.span(found.node) if found and found.local else None,
            collection=strings.id if isinstance(strings, ast.Name) else None,
        )

    def group(
        self, node: ast.expr, scope: Scope, lineno: int, depth: int = 0, local: frozenset[str] = frozenset()
    ) -> ParamGroup | None:
        """A param-group dict, or None when `node` is not one; names in `local` (a
        comprehension's variables) have no value we can know."""
        pairs = literal_pairs(node)
        if pairs is None or not any(key == "params" for key, _ in pairs):
            return None
        entries = {key: value for key, value in pairs if key is not None}
        weight_decay = entries.get("weight_decay")
        decay: Value | None = None
        if weight_decay is not None:
            uses_local = any(isinstance(n, ast.Name) and n.id in local for n in ast.walk(weight_decay))
            decay = Value.unknown(expr_text(weight_decay)) if uses_local else self.index.resolve_value(
                weight_decay, scope, lineno
            )
        return ParamGroup(
            span=self.source.span(node),
            params=self.classify(entries["params"], scope, lineno, depth + 1),
            weight_decay=decay,
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


@dataclass(frozen=True)
class _Shape:
    """What a params expression turned out to be, before it gets its span and text."""

    kind: SourceKind
    groups: tuple[ParamGroup, ...] = ()
    complete: bool = True
    selects: frozenset[Selector] = frozenset()
    name_tests: tuple[NameTest, ...] = ()
    receiver: Receiver | None = None


_UNKNOWN = _Shape(SourceKind.UNKNOWN)


def _same_name(left: ast.expr, right: ast.expr) -> bool:
    return isinstance(left, ast.Name) and isinstance(right, ast.Name) and left.id == right.id


def _is_name_in(node: ast.expr, names: tuple[str, ...]) -> bool:
    return isinstance(node, ast.Name) and node.id in names


def _is_empty_collection(node: ast.expr) -> bool:
    """`[]`, `()`, `set()`, `list()`: a collection filled afterwards."""
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return not node.elts
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("list", "set") and not node.args


def _appends_loop_param(change: Mutation) -> bool:
    """`decay.append(p)` inside `for n, p in m.named_parameters():`."""
    if change.how not in ("append", "add") or change.loop is None or not isinstance(change.value, ast.Name):
        return False
    target = change.loop.target
    loop_param = target.elts[-1] if isinstance(target, ast.Tuple) and target.elts else target
    return isinstance(loop_param, ast.Name) and loop_param.id == change.value.id


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
        elif isinstance(node, ast.Compare) and any(isinstance(op, (ast.In, ast.NotIn, ast.Is, ast.IsNot)) for op in node.ops):
            # `p not in no_decay_set`, `p is model.bias`: selected by identity
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


def _repeatable(node: ast.expr) -> bool:
    """`m.parameters()` on a plain name or attribute chain, or a display or comprehension: each
    evaluation builds its iterable afresh, so the expression may be written twice."""
    if any(isinstance(n, (ast.NamedExpr, ast.Yield, ast.YieldFrom, ast.Await)) for n in ast.walk(node)):
        return False
    if isinstance(node, (ast.List, ast.Tuple, ast.ListComp, ast.SetComp, ast.GeneratorExp)):
        return True
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in PARAMETER_METHODS):
        return False
    receiver = node.func.value
    while isinstance(receiver, ast.Attribute):
        receiver = receiver.value
    calls_in_arguments = any(isinstance(n, ast.Call) for a in (*node.args, *node.keywords) for n in ast.walk(a))
    return isinstance(receiver, ast.Name) and not calls_in_arguments
