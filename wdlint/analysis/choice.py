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

from wdlint.analysis.env import Env
from wdlint.analysis.evaluate import UNRESOLVED, constant, mapping, qualified_name
from wdlint.analysis.syntax import expr_text
from wdlint.knowledge.optimizers import KNOWN_ROOTS, TIMM_OPTS, OptimizerSpec, class_names, lookup

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


def candidates(env: Env, func: ast.expr) -> list[Candidate]:
    """The optimizer classes `func(...)` may construct; empty when it is none we know."""
    if env.exhausted:
        return []
    qualified = qualified_name(env, func)
    if qualified is not None:
        spec = lookup(qualified) if qualified.partition(".")[0] in KNOWN_ROOTS else None
        return [Candidate(spec, qualified, expr_text(func))] if spec is not None else []
    if isinstance(func, ast.Name):
        assigned = env.assignment(func.id)
        if assigned is None:
            return []
        value, binding, defining = assigned
        return candidates(env.deeper(defining, binding.lineno), value)
    if isinstance(func, ast.Subscript):
        return _from_mapping(env, func)
    if isinstance(func, ast.IfExp):
        return _from_conditional(env, func)
    if isinstance(func, ast.Call):
        return _from_factory_call(env, func)
    return []


def _from_mapping(env: Env, node: ast.Subscript) -> list[Candidate]:
    """`OPTIMIZERS[args.optimizer]` over a dict literal of classes."""
    found = mapping(env, node.value)
    if found is None:
        return []
    key = constant(env, node.slice)
    there = env.deeper(found.scope, found.lineno)
    if isinstance(key, str):
        chosen = found.entries.get(key)
        return [] if chosen is None else candidates(there, chosen)
    option = expr_text(node.slice)
    return [
        _with_choice(candidate, f"`{option}` is {name!r}")
        for name, value in found.entries.items()
        for candidate in candidates(there, value)
    ]


def _from_conditional(env: Env, node: ast.IfExp) -> list[Candidate]:
    """`AdamW if args.decoupled else Adam`."""
    truth = condition_truth(env, node.test)
    if truth is not None:
        return candidates(env.deeper(), node.body if truth else node.orelse)
    test = expr_text(node.test)
    return [
        *(_with_choice(c, f"`{test}`") for c in candidates(env.deeper(), node.body)),
        *(_with_choice(c, f"not `{test}`") for c in candidates(env.deeper(), node.orelse)),
    ]


def _from_factory_call(env: Env, call: ast.Call) -> list[Candidate]:
    """`getattr(torch.optim, name)` and `functools.partial(cls, ...)`."""
    func_name = qualified_name(env, call.func) or expr_text(call.func)
    if isinstance(call.func, ast.Name) and call.func.id == "getattr" and len(call.args) >= 2:
        module = qualified_name(env, call.args[0])
        name = constant(env, call.args[1])
        if module is None or not isinstance(name, str):
            return []
        spec = lookup(f"{module}.{name}")
        written = f"{expr_text(call.args[0])}.{name}"
        return [Candidate(spec, f"{module}.{name}", written)] if spec is not None else []
    if func_name in _PARTIAL and call.args and not isinstance(call.args[0], ast.Starred):
        inner = candidates(env.deeper(), call.args[0])
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


def condition_truth(env: Env, test: ast.expr) -> bool | None:
    """True/False when a condition provably holds or fails, None when we cannot tell."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        inner = condition_truth(env, test.operand)
        return None if inner is None else not inner
    if isinstance(test, ast.BoolOp):
        values = [condition_truth(env, v) for v in test.values]
        if isinstance(test.op, ast.And):
            return False if False in values else (True if all(v is True for v in values) else None)
        return True if True in values else (False if all(v is False for v in values) else None)
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        left = _string_value(env, test.left)
        right_node = test.comparators[0]
        op = test.ops[0]
        if isinstance(op, (ast.Eq, ast.NotEq)):
            right = _string_value(env, right_node)
            if left is UNRESOLVED or right is UNRESOLVED:
                return None
            return (left == right) is isinstance(op, ast.Eq)
        if isinstance(op, (ast.In, ast.NotIn)) and isinstance(right_node, (ast.Tuple, ast.List, ast.Set)):
            options = [_string_value(env, e) for e in right_node.elts]
            if left is UNRESOLVED or UNRESOLVED in options:
                return None
            return (left in options) is isinstance(op, ast.In)
        return None
    value = constant(env, test)
    if value is UNRESOLVED or value is None and not _is_none_literal(test):
        return None
    return bool(value)


def _is_none_literal(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


_STRING_METHODS = frozenset({"lower", "upper", "strip", "casefold"})


def _string_value(env: Env, node: ast.expr) -> object:
    """A constant, seeing through `.lower()` and friends applied to a known string."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in _STRING_METHODS
        and not node.args
    ):
        base = _string_value(env, node.func.value)
        return getattr(base, node.func.attr)() if isinstance(base, str) else UNRESOLVED
    return constant(env, node)


def branch_state(env: Env, conditions: Sequence[tuple[ast.expr, bool]]) -> tuple[bool, str | None]:
    """Whether code under these `if` conditions can run, and the option it runs under.

    Only conditions that pick an optimizer by name count (`args.optim == "adam"`): a branch the
    option's known default does not select is dead; under an unknown option the branch names it.
    """
    choice = None
    for test, positive in conditions:
        if not _names_an_optimizer(test):
            continue
        truth = condition_truth(env, test)
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
