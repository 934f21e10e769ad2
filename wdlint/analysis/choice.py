"""Which optimizer class a call constructs, when the code chooses it at run time.

Training scripts pick the class from a dict indexed by an option, with `getattr(torch.optim,
name)`, through `functools.partial`, or in an `if/elif` chain on a string option. Where the
option's value is fixed (a literal, a module constant nothing reassigns) the chosen class is the
one reported; where it is not (a command-line option, whatever its default; a parameter its
callers set), every candidate it may choose is, each with the condition under which it is chosen.
"""

from __future__ import annotations

import ast
import weakref
from collections.abc import Iterator, Sequence
from functools import cache

from wdlint.analysis.env import Env
from wdlint.analysis.evaluate import (
    UNRESOLVED,
    argparse_option,
    constant,
    mapping,
    qualified_name,
    strings,
)
from wdlint.analysis.index import END_OF_MODULE
from wdlint.analysis.syntax import expr_text
from wdlint.knowledge.optimizers import (
    KNOWN_ROOTS,
    TIMM_OPTS,
    OptimizerSpec,
    class_names,
    lookup,
)
from wdlint.records import Record

_PARTIAL = frozenset({"functools.partial", "partial"})


class Candidate(Record):
    spec: OptimizerSpec
    qualified_name: str
    written_name: str  # how the code spells the class where it names it
    choice: str | None = None  # "`args.optim` is 'adam'" when the choice is not known
    # where the name that selects the class is written, when not at the call: "the default of
    # `--opt`, line 4", for messages
    origin: str | None = None
    # arguments bound in advance by functools.partial, prepended to the call's own
    partial_args: tuple[ast.expr, ...] = ()
    partial_keywords: tuple[ast.keyword, ...] = ()


def candidates(env: Env, func: ast.expr) -> list[Candidate]:
    """The optimizer classes `func(...)` may construct; empty when it is none we know."""
    if env.exhausted:
        return []
    qualified = qualified_name(env, func)
    if qualified is not None:
        spec = lookup(qualified) if qualified.partition(".")[0] in KNOWN_ROOTS else None
        return [Candidate(spec, qualified, expr_text(func), origin=_bound_to(env, func))] if spec is not None else []
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


def _bound_to(env: Env, func: ast.expr) -> str | None:
    """`OPT` bound to a class elsewhere in the module: "line 8: `torch.optim.AdamW`", for messages."""
    if not isinstance(func, ast.Name):
        return None
    assigned = env.assignment(func.id)
    if assigned is None:
        return None
    value, binding, defining = assigned
    if defining.position(func.id, binding) is None:
        return None  # the argument of the call being inlined: the message names the call
    return f"line {binding.lineno}: `{expr_text(value)}`"


def _from_mapping(env: Env, node: ast.Subscript) -> list[Candidate]:
    """`OPTIMIZERS[args.optimizer]` over a dict literal of classes."""
    found = mapping(env, node.value)
    if found is None:
        return []
    keys = possible_values(env, node.slice)
    there = env.deeper(found.scope, found.lineno)
    if keys is not None and len(keys) == 1:
        chosen = found.entries.get(keys[0]) if isinstance(keys[0], str) else None
        return [] if chosen is None else candidates(there, chosen)
    option = expr_text(node.slice)
    return [
        _with_choice(candidate, f"`{option}` is {name!r}")
        for name, value in found.entries.items()
        if keys is None or name in keys
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
            c._replace(
                partial_args=(*c.partial_args, *call.args[1:]), partial_keywords=(*c.partial_keywords, *call.keywords)
            )
            for c in inner
        ]
    return []


def _with_choice(candidate: Candidate, choice: str) -> Candidate:
    combined = choice if candidate.choice is None else f"{candidate.choice} and {choice}"
    return candidate._replace(choice=combined)


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
        return _comparison_truth(env, test.left, test.ops[0], test.comparators[0])
    possible = possible_values(env, test)
    if possible is None or (possible == [None] and not _is_none_literal(test)):
        return None
    truths = {bool(value) for value in possible}
    return truths.pop() if len(truths) == 1 else None


def enclosing_truth(env: Env, test: ast.expr) -> bool | None:
    """`condition_truth` of the test of an `if` around the place `env` reads at, read where the
    `if` tests it: its own line, in `env`'s scope. Remembered per reading context (the
    module's index keeps it), since every call and binding under an `if` reads its test, and in
    a chain of `elif`s each branch is under every test before it: read once each, the chain
    costs its length, not its square."""
    if env.frames:
        # a helper read as a call runs it: its frames hold the caller's scopes, which a memo
        # kept with this module would keep alive (and the caller's whole tree with them)
        return condition_truth(env.at(env.scope, test.lineno), test)
    key = (id(test), env.depth, env.choosing, env.cli_open, id(env.scope), id(env.project))
    found = env.index.truths.get(key)
    if found is None or (found[2] is not None and found[2]() is not env.project):
        # kept with the truth: the scope, whose id stays its own; the project weakly (it holds
        # the index, and the index would hold it: the linted file's tree could then be freed
        # only by the cyclic collector), checked to be the one whose id the key holds
        project = None if env.project is None else weakref.ref(env.project)
        found = env.index.truths[key] = (condition_truth(env.at(env.scope, test.lineno), test), env.scope, project)
    return found[0]


def _comparison_truth(env: Env, left_node: ast.expr, op: ast.cmpop, right_node: ast.expr) -> bool | None:
    left = possible_values(env, left_node)
    if isinstance(op, (ast.Eq, ast.NotEq)):
        right = possible_values(env, right_node)
        if left is None or right is None:
            return None
        truths = {(a == b) is isinstance(op, ast.Eq) for a in left for b in right}
    elif isinstance(op, (ast.In, ast.NotIn)) and isinstance(right_node, (ast.Tuple, ast.List, ast.Set)):
        options = [_string_value(env, e) for e in right_node.elts]
        if left is None or UNRESOLVED in options:
            return None
        truths = {(a in options) is isinstance(op, ast.In) for a in left}
    else:
        return None
    return truths.pop() if len(truths) == 1 else None


def possible_values(env: Env, node: ast.expr) -> list[object] | None:
    """Every value an operand may have: its constant, or the values a command-line option
    allows (`choices=`, a flag's two) where the command line is open; None when unknown."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in _STRING_METHODS
        and not node.args
    ):
        base = possible_values(env, node.func.value)
        if base is None or not all(isinstance(v, str) for v in base):
            return None
        return [getattr(v, node.func.attr)() for v in base]
    value = constant(env, node)
    if value is not UNRESOLVED:
        return [value]
    if not env.cli_open:
        return None
    option = argparse_option(env, node)
    if option is None:
        return None
    if option.action in ("store_true", "store_false"):
        return [False, True]
    return None if option.choices is None else _choices(env, option.choices)


def _choices(env: Env, node: ast.expr) -> list[object] | None:
    """`choices=["sgd", "adam"]`, a name bound to such a list, `OPTS.keys()` or `list(OPTS)`."""
    module = env.deeper(env.index.module_scope, END_OF_MODULE)
    if isinstance(node, ast.Call) and not node.keywords and (
        (isinstance(node.func, ast.Attribute) and node.func.attr == "keys" and not node.args)
        or (isinstance(node.func, ast.Name) and node.func.id in ("list", "tuple", "sorted") and len(node.args) == 1)
    ):
        inner = node.func.value if isinstance(node.func, ast.Attribute) else node.args[0]
        found = mapping(module, inner)
        if found is not None:
            return list(found.entries)
        node = inner
    listed = strings(module, node)
    return None if listed is None else list(listed.values)


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

    Read with `env` choosing: only a condition that can never hold makes the code dead (a
    constant, a module constant, an option none of whose `choices` meets it); a command-line
    option or a parameter may hold any value whatever its default. A condition that picks an
    optimizer by name (`args.optim == "adam"`) and may or may not hold names the option.
    """
    choices = []
    for test, positive in conditions:
        truth = enclosing_truth(env, test)
        if truth is not None and truth is not positive:
            return False, None
        if truth is None and _names_an_optimizer(test):
            choices.append(f"`{expr_text(test)}`" if positive else f"not `{expr_text(test)}`")
    return True, " and ".join(choices) or None


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
