"""How a filter over a module's parameters selects them: what a condition looks at (names,
dimensions, identity), and the ways it tests a parameter's name, with the strings it tests
against (for the name-filter rules).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping

from wdlint.analysis.env import Env
from wdlint.analysis.evaluate import strings
from wdlint.analysis.sites import NameMatch, NameTest, Selector
from wdlint.analysis.syntax import expr_text
from wdlint.records import Record

TYPE_CHECKING = False  # `typing` is for type checkers: the hook never imports it (docs/architecture.md)

if TYPE_CHECKING:
    from wdlint.analysis.params import Spans


def selectors(condition: ast.expr, name_variables: tuple[str, ...]) -> Iterator[Selector]:
    """What a filter condition looks at; nothing for a condition on `requires_grad` alone."""
    for node in ast.walk(condition):
        if isinstance(node, ast.Attribute):
            if node.attr in ("ndim", "shape") or node.attr in ("dim", "ndimension"):
                yield Selector.NDIM
            elif node.attr != "requires_grad":
                yield Selector.OTHER
        elif (isinstance(node, ast.Name) and node.id in name_variables) or (isinstance(node, ast.Constant) and isinstance(node.value, str)):
            yield Selector.NAME
        elif isinstance(node, ast.Call) and not isinstance(node.func, ast.Attribute):
            if not (isinstance(node.func, ast.Name) and node.func.id == "len"):
                yield Selector.OTHER
        elif isinstance(node, ast.Compare) and any(isinstance(op, (ast.In, ast.NotIn, ast.Is, ast.IsNot)) for op in node.ops):
            # `p not in no_decay_set`, `p is model.bias`: selected by identity
            yield Selector.OTHER


def name_variables(target: ast.expr) -> tuple[str, ...]:
    """`n` of `for n, p in m.named_parameters()`: the variable holding the param's name."""
    if isinstance(target, ast.Tuple) and len(target.elts) == 2 and isinstance(target.elts[0], ast.Name):
        return (target.elts[0].id,)
    return ()


def name_tests(env: Env, source: Spans, condition: ast.expr, names: tuple[str, ...]) -> Iterator[NameTest]:
    """The ways `condition`, read in `env`, tests a parameter name held in one of `names`."""
    return _NameTests(env, source, names).of(condition)


class _NameTests(Record):
    env: Env
    source: Spans
    names: tuple[str, ...]  # the variables that hold the parameter's name

    def of(self, condition: ast.expr) -> Iterator[NameTest]:
        generator_variables = set()
        for node in ast.walk(condition):
            # any(nd in n for nd in no_decay): substring tests of every fragment of a list
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("any", "all"):
                test = self._any_substring(node)
                if test is not None:
                    generator_variables |= {n.id for n in ast.walk(node.args[0]) if isinstance(n, ast.Name)}
                    yield test
        for node in ast.walk(condition):
            if isinstance(node, ast.Compare) and len(node.ops) == 1:
                yield from self._compare(node, generator_variables)
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("startswith", "endswith")
                and self._holds_name(node.func.value)
                and node.args
            ):
                match = NameMatch.PREFIX if node.func.attr == "startswith" else NameMatch.SUFFIX
                yield self._test(match, node, node.args[0])

    def _holds_name(self, node: ast.expr) -> bool:
        return isinstance(node, ast.Name) and node.id in self.names

    def _any_substring(self, call: ast.Call) -> NameTest | None:
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
            and self._holds_name(element.comparators[0])
        ):
            return None
        return self._test(NameMatch.SUBSTRING, call, generator.generators[0].iter)

    def _compare(self, node: ast.Compare, skip: set[str]) -> Iterator[NameTest]:
        op, left, right = node.ops[0], node.left, node.comparators[0]
        if isinstance(left, ast.Name) and left.id in skip:
            return
        if isinstance(op, (ast.In, ast.NotIn)):
            if self._holds_name(right) and not self._holds_name(left):
                test = self._test(NameMatch.SUBSTRING, node, left)
                yield test._replace(negated=isinstance(op, ast.NotIn))
            elif self._holds_name(left) and not self._holds_name(right):
                test = self._test(NameMatch.MEMBERSHIP, node, right)
                assert isinstance(left, ast.Name)
                yield test._replace(subject=left.id, negated=isinstance(op, ast.NotIn))
        elif isinstance(op, (ast.Eq, ast.NotEq)) and (self._holds_name(left) or self._holds_name(right)):
            other = right if self._holds_name(left) else left
            yield self._test(NameMatch.EQUALITY, node, other)

    def _test(self, match: NameMatch, node: ast.expr, tested: ast.expr) -> NameTest:
        found = strings(self.env, tested)
        return NameTest(
            match,
            self.source.span(node),
            expr_text(node),
            fragments=found.values if found else None,
            fragments_span=self.source.span(found.node) if found and found.local else None,
            collection=tested.id if isinstance(tested, ast.Name) else None,
        )


def tests_only_names(
    condition: ast.expr, names: tuple[str, ...], local: Mapping[str, list[ast.expr]] | None = None
) -> bool:
    """Whether `condition` looks at nothing but the parameter's name (and `requires_grad`):
    `"backbone" in n`, `n.startswith("head.")`, `any(k in n for k in keys)`, joined by `and`,
    `or` and `not`. Such a selection splits the params by where they sit in the model, never by
    what they are. `local`: the values a loop assigned to names the condition reads
    (`is_head = n.startswith("head.")`), each read in place of the name."""
    local = local or {}
    if isinstance(condition, ast.Name) and condition.id in local:
        rest = {name: values for name, values in local.items() if name != condition.id}
        return all(tests_only_names(value, names, rest) for value in local[condition.id])
    if isinstance(condition, ast.BoolOp):
        return all(tests_only_names(value, names, local) for value in condition.values)
    if isinstance(condition, ast.UnaryOp) and isinstance(condition.op, ast.Not):
        return tests_only_names(condition.operand, names, local)
    if isinstance(condition, ast.Attribute):
        return condition.attr == "requires_grad"
    if isinstance(condition, ast.Compare) and len(condition.ops) == 1:
        sides = (condition.left, condition.comparators[0])
        holds = [isinstance(side, ast.Name) and side.id in names for side in sides]
        return isinstance(condition.ops[0], (ast.In, ast.NotIn, ast.Eq, ast.NotEq)) and holds.count(True) == 1
    if isinstance(condition, ast.Call) and isinstance(condition.func, ast.Attribute):
        subject = condition.func.value
        return condition.func.attr in ("startswith", "endswith") and isinstance(subject, ast.Name) and subject.id in names
    if isinstance(condition, ast.Call) and isinstance(condition.func, ast.Name) and condition.func.id in ("any", "all"):
        generator = condition.args[0] if len(condition.args) == 1 else None
        if not isinstance(generator, ast.GeneratorExp) or len(generator.generators) != 1:
            return False
        element = generator.elt
        return (
            isinstance(element, ast.Compare)
            and len(element.ops) == 1
            and isinstance(element.ops[0], ast.In)
            and isinstance(element.comparators[0], ast.Name)
            and element.comparators[0].id in names
        )
    return False
