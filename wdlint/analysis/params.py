"""What a `params` argument is: a module's parameters, a selection of them, or param groups.

Follows names to their assignments, lists grown by `.append` (of group dicts, or of the loop
parameter inside `for n, p in m.named_parameters()`), comprehensions, `filter`, `chain` and `+`,
and records how a selection tests names (for the name-filter rules).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping

from wdlint.analysis.env import Env
from wdlint.analysis.evaluate import qualified_name, resolve_value
from wdlint.analysis.receivers import ModuleIdentifier
from wdlint.analysis.scopes import Mutation
from wdlint.analysis.selection import name_tests, name_variables, selectors, tests_only_names
from wdlint.analysis.sites import (
    Key,
    NameTest,
    ParamGroup,
    ParamSource,
    Receiver,
    Selector,
    SourceKind,
    Value,
)
from wdlint.analysis.syntax import expr_text, literal_pairs
from wdlint.diagnostics import Position, Span
from wdlint.records import Record

TYPE_CHECKING = False  # `typing` is for type checkers: the hook never imports it (docs/architecture.md)
if TYPE_CHECKING:
    from typing import Protocol
else:
    Protocol = object  # what a class subclassing it needs at run time

_Function = ast.FunctionDef | ast.AsyncFunctionDef
# attribute calls that yield every parameter of a module
PARAMETER_METHODS = frozenset({"parameters", "named_parameters"})
PASS_THROUGH = frozenset({"list", "tuple", "iter", "sorted"})  # return what they are given
_CHAIN = frozenset({"itertools.chain", "chain", "itertools.chain.from_iterable"})


class Spans(Protocol):
    """Where nodes are: a parsed file, or one fixed place for code read from another file."""

    def span(self, node: ast.expr | ast.stmt | ast.keyword | ast.arg) -> Span: ...


class AtCallSite(Record):
    """Spans for a helper read from another file: everything is reported where it is called."""

    where: Span

    def span(self, node: ast.expr | ast.stmt | ast.keyword | ast.arg) -> Span:
        return self.where


class ParamClassifier:
    """Reads params expressions of one file (`modules` knows its classes), placed by `source`."""

    def __init__(self, source: Spans, modules: ModuleIdentifier) -> None:
        self.source = source
        self.modules = modules

    def classify(self, env: Env, node: ast.expr) -> ParamSource:
        shape = self._classify(env, node)
        # what messages say of these params: where a name was bound, the module whose named
        # parameters a remedy can test by name (read in this file only)
        local = not isinstance(self.source, AtCallSite)
        flat = shape.kind is SourceKind.FLAT and local
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
            by_names_only=shape.by_names_only,
            origin=_bound(env, node) if flat else None,
            named_as=_named_iterable(env, node) if flat else None,
        )

    def _classify(self, env: Env, node: ast.expr) -> _Shape:
        if env.exhausted:
            return _UNKNOWN
        if isinstance(node, ast.Call):
            return self._classify_call(env, node)
        if isinstance(node, (ast.List, ast.Tuple)):
            return self._classify_display(env, node.elts)
        if isinstance(node, (ast.ListComp, ast.GeneratorExp, ast.SetComp)):
            return self._classify_comprehension(env, node)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return self._combine(env, [node.left, node.right])
        if isinstance(node, ast.Name):
            return self._classify_name(env, node)
        return _UNKNOWN

    def _classify_call(self, env: Env, call: ast.Call) -> _Shape:
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr in PARAMETER_METHODS:
            recurse = next((k.value for k in call.keywords if k.arg == "recurse"), None)
            if call.args or (isinstance(recurse, ast.Constant) and recurse.value is False):
                return _Shape(SourceKind.SUBSET, selects=frozenset({Selector.OTHER}))
            return _Shape(SourceKind.FLAT, receiver=self.modules.receiver(env, func.value))
        if isinstance(func, ast.Attribute) and func.attr in ("items", "values"):
            parameters = self._param_dict(env.deeper(), func.value)
            return parameters if parameters is not None else _UNKNOWN
        name = expr_text(func)
        if isinstance(func, ast.Name) and name in PASS_THROUGH and len(call.args) == 1:
            return self._classify(env.deeper(), call.args[0])
        qualified = qualified_name(env, func) or name
        if qualified in _CHAIN or name in _CHAIN:
            return self._combine(env, list(call.args))
        if name == "filter" and len(call.args) == 2:
            predicate, iterable = call.args
            inner = self._classify(env.deeper(), iterable)
            if not isinstance(predicate, ast.Lambda) or inner.kind is not SourceKind.FLAT:
                return _Shape(SourceKind.SUBSET, selects=frozenset({Selector.OTHER}))
            return self._selection(env, inner, [predicate.body], ())
        found = self._helper(env, func, call)
        if found is not None:
            classifier, function, there = found
            return classifier._inline(there, function, call)
        return _UNKNOWN

    def _helper(self, env: Env, func: ast.expr, call: ast.Call) -> tuple[ParamClassifier, _Function, Env] | None:
        """The function `func` names, with the classifier that reads its body and the
        environment of the call, with the index of the function's module.

        A function of this file (`get_groups`, `self.get_groups`), or one imported from another
        file of the project, read with every position mapped to this call.
        """
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "self":
            scope = env.scope
            owner = scope.parent if scope.parent is not None and scope.parent.is_class else None
            bindings = owner.bindings.get(func.attr, []) if owner is not None else []
            function = bindings[-1].function if bindings else None
            return (self, function, env) if function is not None else None
        if not isinstance(func, ast.Name):
            return None
        found = env.lookup(func.id)
        if found is None:
            return None
        if found[0].function is not None:
            return self, found[0].function, env
        imported = env.imported(found[0])
        if imported is None or imported.binding.function is None:
            return None
        foreign = ParamClassifier(AtCallSite(self.source.span(call)), ModuleIdentifier(imported.index))
        return foreign, imported.binding.function, env.in_module(imported.index)

    def _inline(self, env: Env, function: _Function, call: ast.Call) -> _Shape:
        """A helper that returns the params: what its `return` gives, with the call's arguments."""
        returns = env.index.returns.get(id(function), [])
        if len(returns) != 1 or returns[0].value is None:
            return _UNKNOWN
        body = env.inlined(function, call)
        if body is None:
            return _UNKNOWN
        return self._classify(body.deeper(line=returns[0].lineno), returns[0].value)

    def _classify_display(self, env: Env, elements: list[ast.expr]) -> _Shape:
        if not elements:  # filled later, in ways the caller may follow (appends)
            return _UNKNOWN
        groups = [self.group(env, e) for e in elements]
        if all(group is not None for group in groups):
            return _Shape(SourceKind.GROUPS, tuple(g for g in groups if g is not None))
        if any(isinstance(e, ast.Starred) for e in elements):
            return _UNKNOWN
        return _Shape(SourceKind.SUBSET, selects=frozenset({Selector.OTHER}))

    def _classify_comprehension(self, env: Env, node: ast.ListComp | ast.GeneratorExp | ast.SetComp) -> _Shape:
        # `{"params": ps, "weight_decay": wd} for ps, wd in ...`: the loop's own variables are
        # not the enclosing scope's names of the same spelling
        loop_names = frozenset(n.id for g in node.generators for n in ast.walk(g.target) if isinstance(n, ast.Name))
        group = self.group(env, node.elt, loop_names)
        if group is not None:
            return _Shape(SourceKind.GROUPS, (group,), complete=False)
        if len(node.generators) != 1:
            return _UNKNOWN
        generator = node.generators[0]
        if isinstance(node.elt, ast.Subscript):  # [param_dict[pn] for pn in names]
            return self._lookup_by_name(env, node.elt, generator)
        inner = self._classify(env.deeper(), generator.iter)
        if inner.kind is not SourceKind.FLAT:
            return inner if inner.kind in (SourceKind.UNKNOWN, SourceKind.SUBSET) else _UNKNOWN
        loop_param = _loop_param(node.elt, generator.target)
        if loop_param is None:
            return _UNKNOWN
        return self._selection(env, inner, generator.ifs, name_variables(generator.target))

    def _param_dict(self, env: Env, node: ast.expr) -> _Shape | None:
        """A dict from names to params: `{n: p for n, p in m.named_parameters() if ...}`, `dict(...)`."""
        if env.exhausted:
            return None
        if isinstance(node, ast.Name):
            assigned = env.assignment(node.id)
            if assigned is None:
                return None
            value, binding, defining = assigned
            return self._param_dict(env.deeper(defining, binding.lineno), value)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict" and len(node.args) == 1:
            inner = self._classify(env.deeper(), node.args[0])
            return inner if inner.kind is SourceKind.FLAT else None
        if isinstance(node, ast.DictComp) and len(node.generators) == 1:
            generator = node.generators[0]
            inner = self._classify(env.deeper(), generator.iter)
            if inner.kind is not SourceKind.FLAT or _loop_param(node.value, generator.target) is None:
                return None
            return self._selection(env, inner, generator.ifs, name_variables(generator.target))
        return None

    def _lookup_by_name(self, env: Env, element: ast.Subscript, generator: ast.comprehension) -> _Shape:
        """`[param_dict[pn] for pn in names]`: every param when `names` are the dict's own keys."""
        parameters = self._param_dict(env.deeper(), element.value)
        if parameters is None or not _same_name(element.slice, generator.target):
            return _UNKNOWN
        iterated = generator.iter
        if isinstance(iterated, ast.Call) and isinstance(iterated.func, ast.Attribute) and iterated.func.attr == "keys":
            iterated = iterated.func.value
        if _same_name(iterated, element.value) and not generator.ifs:
            return parameters
        return _Shape(SourceKind.SUBSET, selects=frozenset({Selector.NAME}), receiver=parameters.receiver)

    def _combine(self, env: Env, parts: list[ast.expr]) -> _Shape:
        shapes = [self._classify(env.deeper(), p) for p in parts]
        kinds = {shape.kind for shape in shapes}
        if kinds == {SourceKind.GROUPS}:
            groups = tuple(g for shape in shapes for g in shape.groups)
            return _Shape(SourceKind.GROUPS, groups, all(shape.complete for shape in shapes))
        if SourceKind.FLAT in kinds and SourceKind.GROUPS not in kinds:
            return next(shape for shape in shapes if shape.kind is SourceKind.FLAT)
        if kinds == {SourceKind.SUBSET}:
            return _Shape(SourceKind.SUBSET, selects=frozenset().union(*(s.selects for s in shapes)))
        return _UNKNOWN

    def _classify_name(self, env: Env, node: ast.Name) -> _Shape:
        assigned = env.assignment(node.id)
        if assigned is None:
            return _UNKNOWN
        value, binding, defining = assigned
        shape = self._classify(env.deeper(defining, binding.lineno), value)
        growth = list(defining.mutations_between(node.id, binding, env.scope, env.line))
        if not growth:
            return shape
        starts_empty = _is_empty_collection(value)
        if starts_empty and all(_appends_loop_param(change) for change in growth):
            return self._loop_selection(env.at(defining, env.line), growth)
        # what is added is read in the defining scope (at the line of the use)
        added = env.deeper(defining, env.line)
        if shape.kind is not SourceKind.GROUPS and not starts_empty:
            return _UNKNOWN
        groups, complete = list(shape.groups), shape.complete
        for change in growth:
            if change.value is None or change.how not in ("append", "insert", "extend"):
                return _UNKNOWN
            if change.how in ("append", "insert"):
                group = self.group(added, change.value)
                if group is None:
                    return _UNKNOWN
                groups.append(group)
                continue
            more = self._classify(added, change.value)
            if more.kind is not SourceKind.GROUPS:
                return _UNKNOWN
            groups += more.groups
            complete = complete and more.complete
        return _Shape(SourceKind.GROUPS, tuple(groups), complete)

    def _loop_selection(self, env: Env, growth: list[Mutation]) -> _Shape:
        """`for n, p in m.named_parameters(): if cond: decay.append(p)`: a selection by `cond`."""
        shapes = []
        for change in growth:
            assert change.loop is not None
            there = env.at(env.scope, change.lineno)
            inner = self._classify(there.deeper(), change.loop.iter)
            if inner.kind is not SourceKind.FLAT:
                return _UNKNOWN
            conditions = [test for test, _ in change.conditions]
            local = _loop_locals(change.loop, conditions, change.lineno)
            names = name_variables(change.loop.target)
            shapes.append(self._selection(there, inner, conditions, names, local))
        if len(shapes) == 1:
            return shapes[0]
        if any(shape.kind is SourceKind.FLAT for shape in shapes):
            return next(shape for shape in shapes if shape.kind is SourceKind.FLAT)
        return _Shape(
            SourceKind.SUBSET,
            selects=frozenset().union(*(shape.selects for shape in shapes)),
            name_tests=tuple(test for shape in shapes for test in shape.name_tests),
            receiver=shapes[0].receiver,
            by_names_only=all(shape.by_names_only for shape in shapes),
        )

    def _selection(
        self,
        env: Env,
        inner: _Shape,
        conditions: list[ast.expr],
        names: tuple[str, ...],
        local: Mapping[str, list[ast.expr]] | None = None,
    ) -> _Shape:
        """A flat iterable filtered by `conditions`: still flat if they only keep trainable params.
        `local`: what the names a condition reads were assigned in the loop (`_loop_locals`)."""
        local = local or {}
        read = [*conditions, *(value for values in local.values() for value in values)]
        selects = frozenset(s for condition in read for s in selectors(condition, names))
        if not selects:
            return inner
        tests = tuple(t for condition in read for t in name_tests(env, self.source, condition, names))
        by_names = all(tests_only_names(condition, names, local) for condition in conditions)
        return _Shape(SourceKind.SUBSET, selects=selects, name_tests=tests, receiver=inner.receiver, by_names_only=by_names)

    def group(self, env: Env, node: ast.expr, local: frozenset[str] = frozenset()) -> ParamGroup | None:
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
            decay = Value.unknown(expr_text(weight_decay)) if uses_local else resolve_value(env, weight_decay)
        return ParamGroup(
            span=self.source.span(node),
            params=self.classify(env.deeper(), entries["params"]),
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


class _Shape(Record):
    """What a params expression turned out to be, before it gets its span and text."""

    kind: SourceKind
    groups: tuple[ParamGroup, ...] = ()
    complete: bool = True
    selects: frozenset[Selector] = frozenset()
    name_tests: tuple[NameTest, ...] = ()
    receiver: Receiver | None = None
    by_names_only: bool = False


_UNKNOWN = _Shape(SourceKind.UNKNOWN)


def _same_name(left: ast.expr, right: ast.expr) -> bool:
    return isinstance(left, ast.Name) and isinstance(right, ast.Name) and left.id == right.id


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


def _loop_locals(loop: ast.For | ast.AsyncFor, conditions: list[ast.expr], before: int) -> dict[str, list[ast.expr]]:
    """The values the loop's body gives the names `conditions` read, before line `before`:
    `no_wd = name.endswith(".bias") or len(param.shape) == 1` then `if not no_wd:
    decay.append(param)` selects by name and shape, as the assigned expressions do."""
    read = {n.id for condition in conditions for n in ast.walk(condition) if isinstance(n, ast.Name)}
    assigns = [
        node
        for statement in loop.body
        for node in ast.walk(statement)
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None and node.lineno < before
    ]
    values: dict[str, list[ast.expr]] = {}
    followed: set[int] = set()
    while True:  # names read by what was found are followed too: `a = f(n); b = a or p.ndim < 2`
        found = [
            (target.id, node)
            for node in assigns
            if id(node) not in followed
            for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
            if isinstance(target, ast.Name) and target.id in read
        ]
        if not found:
            return values
        for name, node in found:
            followed.add(id(node))
            assert node.value is not None
            values.setdefault(name, []).append(node.value)
            read |= {n.id for n in ast.walk(node.value) if isinstance(n, ast.Name)}


_SHOWN = 60  # a bound expression shown longer than this is shortened


def _bound(env: Env, node: ast.expr) -> str | None:
    """Where a name that holds the params is bound, for messages: "line 40: `m.parameters()`";
    None for an expression written at the call, a name changed in place since (appends), an
    argument of the call being inlined (its caller is named) or one bound in another file."""
    line = None
    for _ in range(_MAX_HOPS):
        if env.exhausted or not isinstance(node, ast.Name):
            break
        assigned = env.assignment(node.id)
        if assigned is None:
            return None
        value, binding, defining = assigned
        if defining.position(node.id, binding) is None:
            return None
        if any(defining.mutations_between(node.id, binding, env.scope, env.line)):
            return None
        env, node, line = env.deeper(defining, binding.lineno), value, binding.lineno
    if line is None:
        return None
    shown = expr_text(node)
    shown = shown if len(shown) <= _SHOWN else shown[: _SHOWN - 3] + "..."
    return f"line {line}: `{shown}`"


def _named_iterable(env: Env, node: ast.expr) -> str | None:
    """`m.named_parameters()` when the params are one module's (`m.parameters()`, filtered to
    trainable ones, through names, `list`, `filter` and comprehensions): what a remedy can
    split by name; None for several modules (`chain`, `+`) or anything else."""
    for _ in range(_MAX_HOPS):
        if env.exhausted:
            return None
        if isinstance(node, ast.Name):
            assigned = env.assignment(node.id)
            if assigned is None:
                return None
            value, binding, defining = assigned
            env, node = env.deeper(defining, binding.lineno), value
        elif isinstance(node, (ast.ListComp, ast.GeneratorExp, ast.SetComp)) and len(node.generators) == 1:
            node = node.generators[0].iter
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in PASS_THROUGH | {"filter"}:
            if not node.args:
                return None
            node = node.args[-1]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in PARAMETER_METHODS:
            return f"{expr_text(node.func.value)}.named_parameters()"
        else:
            return None
    return None


_MAX_HOPS = 6  # names followed for a message


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
