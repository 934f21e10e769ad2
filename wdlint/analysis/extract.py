"""Extraction: every optimizer construction in a Python module, as an OptimizerSite."""

from __future__ import annotations

import ast
import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass

from wdlint.analysis.choice import Candidate, branch_state, candidates
from wdlint.analysis.modules import ModelClasses
from wdlint.analysis.resolve import BindingKind, ModuleIndex, Mutation, Scope, expr_text, literal_pairs
from wdlint.analysis.sites import (
    Argument,
    Key,
    NameMatch,
    Penalty,
    NameTest,
    OptimizerSite,
    ParamGroup,
    ParamSource,
    Receiver,
    Selector,
    SourceKind,
    Span,
    Value,
)
from wdlint.diagnostics import Position
from wdlint.frontends.python import PythonSource
from wdlint.knowledge.naming import MODEL_WRAPPERS, WRAPPING_METHODS
from wdlint.knowledge.optimizers import OptimizerSpec

_MAX_DEPTH = 8
# attribute calls that yield every parameter of a module
_PARAMETER_METHODS = frozenset({"parameters", "named_parameters"})
_PASS_THROUGH = frozenset({"list", "tuple", "iter", "sorted"})
_CHAIN = frozenset({"itertools.chain", "chain", "itertools.chain.from_iterable"})


def extract_sites(source: PythonSource) -> list[OptimizerSite]:
    index = ModuleIndex(source.tree)
    sites = list(_Extractor(source, index).sites())
    if not sites:
        return sites
    penalties = tuple(_l2_penalties(source))
    return [dataclasses.replace(site, l2_penalties=penalties) for site in sites] if penalties else sites


class _Extractor:
    def __init__(self, source: PythonSource, index: ModuleIndex) -> None:
        self.source = source
        self.index = index
        self.model_classes = ModelClasses(source.tree)

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
            shape.kind,
            self.source.span(node),
            expr_text(node),
            shape.groups,
            shape.complete,
            shape.selects,
            shape.name_tests,
            shape.receiver,
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
            return _Shape(SourceKind.FLAT, receiver=self._receiver(func.value, scope, lineno))
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
            return self._selection(inner, [predicate.body], (), scope, lineno)
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
        return self._selection(inner, generator.ifs, _name_variables(generator.target), scope, lineno)

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
        starts_empty = _is_empty_collection(binding.value)
        if starts_empty and all(_appends_loop_param(change) for change in growth):
            return self._loop_selection(growth, defining, depth)
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
                yield self._test(NameMatch.MEMBERSHIP, node, right, scope, lineno)
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
            fragments_span=self.source.span(found.node) if found else None,
            collection=strings.id if isinstance(strings, ast.Name) else None,
        )

    def _receiver(self, node: ast.expr, scope: Scope, lineno: int) -> Receiver:
        identity = self._identify_module(node, scope, lineno, 0)
        norms = self.model_classes.norm_parameters(identity.class_name) if identity.class_name else None
        return Receiver(expr_text(node), norms, identity.wrapped_by, identity.checkpoint)

    def _identify_module(self, node: ast.expr, scope: Scope, lineno: int, depth: int) -> _Identity:
        """What we know of the model a module expression holds: its class, wrapper, checkpoint."""
        if depth > _MAX_DEPTH:
            return _Identity()
        if isinstance(node, ast.Name) and node.id == "self":
            return _Identity(class_name=_enclosing_class(scope))
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self":
            owner = _enclosing_class(scope)
            value = self.model_classes.attribute(owner, node.attr) if owner else None
            return _Identity(class_name=_constructed_class(value)) if value is not None else _Identity()
        if not isinstance(node, ast.Name):
            return _Identity()
        found = self.index.lookup(node.id, scope, lineno)
        if found is None or found[0].value is None:
            return _Identity()
        binding, defining = found
        value = _strip_moves(binding.value) if binding.value is not None else None
        if binding.kind is BindingKind.ASSIGN and isinstance(value, ast.Name):
            return self._identify_module(value, defining, binding.lineno, depth + 1)
        if not isinstance(value, ast.Call):
            return _Identity()
        wrapper = self._wrapper(value, defining, binding.lineno)
        if wrapper is not None:
            return _Identity(wrapped_by=wrapper)
        if binding.kind is BindingKind.UNPACKED:
            return _Identity()
        if isinstance(value.func, ast.Attribute) and value.func.attr == "from_pretrained":
            return _Identity(checkpoint=self._checkpoint(value, defining, binding.lineno))
        return _Identity(class_name=_constructed_class(value))

    def _checkpoint(self, call: ast.Call, scope: Scope, lineno: int) -> str | None:
        """The checkpoint name given to `from_pretrained`, when it is a known string."""
        keyword = next((k.value for k in call.keywords if k.arg == "pretrained_model_name_or_path"), None)
        node = call.args[0] if call.args else keyword
        value = self.index.constant(node, scope, lineno) if node is not None else None
        return value if isinstance(value, str) else None

    def _wrapper(self, call: ast.Call, scope: Scope, lineno: int) -> str | None:
        qualified = self.index.qualified_name(call.func, scope, lineno)
        if qualified in MODEL_WRAPPERS:
            return qualified
        if isinstance(call.func, ast.Attribute) and call.func.attr in WRAPPING_METHODS:
            return expr_text(call.func)
        return None

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
class _Identity:
    class_name: str | None = None  # defined in this file
    wrapped_by: str | None = None
    checkpoint: str | None = None  # `from_pretrained("bert-base-cased")`


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


_SQUARING_CALLS = frozenset({"pow", "norm", "square", "sum_of_squares"})


def _l2_penalties(source: PythonSource) -> Iterator[Penalty]:
    """Loops and comprehensions over `m.parameters()` that square each parameter."""
    for node in ast.walk(source.tree):
        body: list[ast.AST]
        if isinstance(node, (ast.GeneratorExp, ast.ListComp)) and len(node.generators) == 1:
            loop_iter, target, body = node.generators[0].iter, node.generators[0].target, [node.elt]
        elif isinstance(node, ast.For):
            loop_iter, target, body = node.iter, node.target, list(node.body)
        else:
            continue
        module = _parameters_receiver(loop_iter)
        param = target.elts[-1] if isinstance(target, ast.Tuple) and target.elts else target
        if module is None or not isinstance(param, ast.Name):
            continue
        if any(_squares(expr, param.id) for part in body for expr in ast.walk(part)):
            yield Penalty(source.span(node), expr_text(module))


def _parameters_receiver(node: ast.expr) -> ast.expr | None:
    """`m` of `m.parameters()` / `m.named_parameters()`, through `list(...)`."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _PASS_THROUGH and node.args:
        node = node.args[0]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _PARAMETER_METHODS:
        return node.func.value
    return None


def _squares(node: ast.AST, param: str) -> bool:
    """`p.pow(2)`, `p ** 2`, `p.norm(2)`, `torch.norm(p)`, `p.square()`, `torch.square(p)`."""
    def is_param(expr: ast.AST) -> bool:
        return isinstance(expr, ast.Name) and expr.id == param

    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow) and is_param(node.left):
        return isinstance(node.right, ast.Constant) and node.right.value == 2
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _SQUARING_CALLS:
        if is_param(node.func.value):
            return node.func.attr != "pow" or (
                bool(node.args) and isinstance(node.args[0], ast.Constant) and node.args[0].value == 2
            )
        return bool(node.args) and is_param(node.args[0])
    return False


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


_MOVES = frozenset({"to", "cuda", "cpu", "train", "eval", "float", "half", "bfloat16", "double", "requires_grad_"})


def _strip_moves(node: ast.expr) -> ast.expr:
    """`GPT(cfg).to(device).train()` -> `GPT(cfg)`: these return the module itself."""
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _MOVES:
        node = node.func.value
    return node


def _constructed_class(value: ast.expr) -> str | None:
    value = _strip_moves(value)
    if isinstance(value, ast.Call):
        func = value.func
        if isinstance(func, ast.Name):
            return func.id
        if isinstance(func, ast.Attribute):
            return func.attr
    return None


def _enclosing_class(scope: Scope) -> str | None:
    current: Scope | None = scope
    while current is not None:
        if current.is_class and isinstance(current.node, ast.ClassDef):
            return current.node.name
        current = current.parent
    return None


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
