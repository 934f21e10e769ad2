"""Which optimizer class a call constructs, when the code chooses it at run time.

Training scripts pick the class from a dict indexed by an option, with `getattr(torch.optim,
name)`, through `functools.partial`, or in an `if/elif` chain on a string option. Where the
option's value is known (an argparse default, a literal) the chosen class is the one reported;
where it is not, every known candidate is, each with the condition under which it is chosen.
"""

from __future__ import annotations

import ast
import dataclasses
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache

from wdlint.analysis.resolve import UNRESOLVED, ModuleIndex, Scope, expr_text
from wdlint.knowledge.optimizers import KNOWN_ROOTS, TIMM_OPTS, OptimizerSpec, class_names, lookup

_MAX_DEPTH = 8
_PARTIAL = frozenset({"functools.partial", "partial"})


@dataclass(frozen=True)
class Candidate:
    spec: OptimizerSpec
    qualified_name: str
    written_name: str  # how the code spells the class where it names it
    choice: str | None = None  # "`args.optim` is 'adam'" when the choice is not known
    # arguments bound in advance by functools.partial, prepended to the call's own
    partial_args: tuple[ast.expr, ...] = field(default=())
    partial_keywords: tuple[ast.keyword, ...] = field(default=())


def candidates(index: ModuleIndex, func: ast.expr, scope: Scope, lineno: int, depth: int = 0) -> list[Candidate]:
    """The optimizer classes `func(...)` may construct; empty when it is none we know."""
    if depth > _MAX_DEPTH:
        return []
    qualified = index.qualified_name(func, scope, lineno)
    if qualified is not None:
        spec = lookup(qualified) if qualified.partition(".")[0] in KNOWN_ROOTS else None
        return [Candidate(spec, qualified, expr_text(func))] if spec is not None else []
    if isinstance(func, ast.Name):
        assigned = index.assignment(func.id, scope, lineno)
        if assigned is None:
            return []
        value, binding, defining = assigned
        return candidates(index, value, defining, binding.lineno, depth + 1)
    if isinstance(func, ast.Subscript):
        return _from_mapping(index, func, scope, lineno, depth)
    if isinstance(func, ast.IfExp):
        return _from_conditional(index, func, scope, lineno, depth)
    if isinstance(func, ast.Call):
        return _from_factory_call(index, func, scope, lineno, depth)
    return []


def _from_mapping(index: ModuleIndex, node: ast.Subscript, scope: Scope, lineno: int, depth: int) -> list[Candidate]:
    """`OPTIMIZERS[args.optimizer]` over a dict literal of classes."""
    mapping = index.mapping(node.value, scope, lineno)
    if mapping is None:
        return []
    key = index.constant(node.slice, scope, lineno)
    if isinstance(key, str):
        chosen = mapping.entries.get(key)
        return [] if chosen is None else candidates(index, chosen, mapping.scope, mapping.lineno, depth + 1)
    option = expr_text(node.slice)
    found = []
    for name, value in mapping.entries.items():
        for candidate in candidates(index, value, mapping.scope, mapping.lineno, depth + 1):
            found.append(_with_choice(candidate, f"`{option}` is {name!r}"))
    return found


def _from_conditional(index: ModuleIndex, node: ast.IfExp, scope: Scope, lineno: int, depth: int) -> list[Candidate]:
    """`AdamW if args.decoupled else Adam`."""
    truth = condition_truth(index, node.test, scope, lineno)
    if truth is not None:
        return candidates(index, node.body if truth else node.orelse, scope, lineno, depth + 1)
    test = expr_text(node.test)
    return [
        *(_with_choice(c, f"`{test}`") for c in candidates(index, node.body, scope, lineno, depth + 1)),
        *(_with_choice(c, f"not `{test}`") for c in candidates(index, node.orelse, scope, lineno, depth + 1)),
    ]


def _from_factory_call(index: ModuleIndex, call: ast.Call, scope: Scope, lineno: int, depth: int) -> list[Candidate]:
    """`getattr(torch.optim, name)` and `functools.partial(cls, ...)`."""
    func_name = index.qualified_name(call.func, scope, lineno) or expr_text(call.func)
    if isinstance(call.func, ast.Name) and call.func.id == "getattr" and len(call.args) >= 2:
        module = index.qualified_name(call.args[0], scope, lineno)
        name = index.constant(call.args[1], scope, lineno)
        if module is None or not isinstance(name, str):
            return []
        spec = lookup(f"{module}.{name}")
        written = f"{expr_text(call.args[0])}.{name}"
        return [Candidate(spec, f"{module}.{name}", written)] if spec is not None else []
    if func_name in _PARTIAL and call.args and not isinstance(call.args[0], ast.Starred):
        inner = candidates(index, call.args[0], scope, lineno, depth + 1)
        return [
            dataclasses.replace(
                c, partial_args=(*c.partial_args, *call.args[1:]), partial_keywords=(*c.partial_keywords, *call.keywords)
            )
            for c in inner
        ]
    return []


def _with_choice(candidate: Candidate, choice: str) -> Candidate:
    combined = choice if candidate.choice is None else f"{candidate.choice} and {choice}"
    return dataclasses.replace(candidate, choice=combined)


def condition_truth(index: ModuleIndex, test: ast.expr, scope: Scope, lineno: int) -> bool | None:
    """True/False when a condition provably holds or fails, None when we cannot tell."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        inner = condition_truth(index, test.operand, scope, lineno)
        return None if inner is None else not inner
    if isinstance(test, ast.BoolOp):
        values = [condition_truth(index, v, scope, lineno) for v in test.values]
        if isinstance(test.op, ast.And):
            return False if False in values else (True if all(v is True for v in values) else None)
        return True if True in values else (False if all(v is False for v in values) else None)
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        left = _string_value(index, test.left, scope, lineno)
        right_node = test.comparators[0]
        op = test.ops[0]
        if isinstance(op, (ast.Eq, ast.NotEq)):
            right = _string_value(index, right_node, scope, lineno)
            if left is UNRESOLVED or right is UNRESOLVED:
                return None
            return (left == right) is isinstance(op, ast.Eq)
        if isinstance(op, (ast.In, ast.NotIn)) and isinstance(right_node, (ast.Tuple, ast.List, ast.Set)):
            options = [_string_value(index, e, scope, lineno) for e in right_node.elts]
            if left is UNRESOLVED or UNRESOLVED in options:
                return None
            return (left in options) is isinstance(op, ast.In)
        return None
    value = index.constant(test, scope, lineno)
    if value is UNRESOLVED or value is None and not _is_none_literal(test):
        return None
    return bool(value)


def _is_none_literal(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


_STRING_METHODS = frozenset({"lower", "upper", "strip", "casefold"})


def _string_value(index: ModuleIndex, node: ast.expr, scope: Scope, lineno: int) -> object:
    """A constant, seeing through `.lower()` and friends applied to a known string."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in _STRING_METHODS
        and not node.args
    ):
        base = _string_value(index, node.func.value, scope, lineno)
        return getattr(base, node.func.attr)() if isinstance(base, str) else UNRESOLVED
    return index.constant(node, scope, lineno)


def branch_state(
    index: ModuleIndex, conditions: Sequence[tuple[ast.expr, bool]], scope: Scope, lineno: int
) -> tuple[bool, str | None]:
    """Whether code under these `if` conditions can run, and the option it runs under.

    Only conditions that pick an optimizer by name count (`args.optim == "adam"`): a branch the
    option's known default does not select is dead; under an unknown option the branch names it.
    """
    choice = None
    for test, positive in conditions:
        if not _names_an_optimizer(test):
            continue
        truth = condition_truth(index, test, scope, lineno)
        if truth is not None and truth is not positive:
            return False, None
        if truth is None:
            choice = f"`{expr_text(test)}`" if positive else f"not `{expr_text(test)}`"
    return True, choice


@cache
def _optimizer_words() -> frozenset[str]:
    return frozenset({name.lower() for name in class_names()} | set(TIMM_OPTS))


def _names_an_optimizer(test: ast.expr) -> bool:
    """A comparison against a string that names an optimizer: `opt == "adamw"`, `o in ("sgd",)`."""
    return isinstance(test, ast.Compare) and any(
        isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and node.value.lower() in _optimizer_words()
        for node in _iter_nodes(test.comparators)
    )


def _iter_nodes(nodes: Sequence[ast.expr]) -> Iterator[ast.AST]:
    for node in nodes:
        yield from ast.walk(node)
