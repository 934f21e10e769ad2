"""What expressions evaluate to, read without running them: qualified names, constants,
literal strings and the keys of dicts, each where an environment (`Env`) says it is read.

Every function here takes the environment first; none changes it or the index.
"""

from __future__ import annotations

import ast
import operator
import os
from collections.abc import Callable
from pathlib import Path

from wdlint.analysis.env import Env
from wdlint.analysis.index import END_OF_MODULE, ArgparseOption
from wdlint.analysis.scopes import Binding, BindingKind, Scope
from wdlint.analysis.sites import Value
from wdlint.analysis.syntax import expr_text, literal_pairs, parses_args
from wdlint.knowledge.optimizers import KNOWN_ROOTS
from wdlint.records import Record

TYPE_CHECKING = False  # `typing` is for type checkers: the hook never imports it (docs/architecture.md)
if TYPE_CHECKING:
    from typing import TypeGuard


class _Unresolved:
    def __repr__(self) -> str:
        return "<unresolved>"


UNRESOLVED = _Unresolved()


class Strings(Record):
    values: tuple[str, ...]
    node: ast.expr  # where the literal is written
    local: bool = True  # False: in another file, so `node`'s position is not in this one


class Mapping(Record):
    entries: dict[str, ast.expr]
    scope: Scope  # where the entries' values are read
    lineno: int


_NUMBER_OPERATORS: dict[type[ast.operator], Callable[[float, float], float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
}

# constants beyond these are not hyperparameters anyone sets; folding them could hang or overflow
_MAX_EXPONENT = 64
_MAX_MAGNITUDE = 1e18


def qualified_name(env: Env, node: ast.expr) -> str | None:
    """`torch.optim.Adam` for `optim.Adam` after `from torch import optim`, else None."""
    if env.exhausted:
        return None
    if isinstance(node, ast.Attribute):
        base = qualified_name(env.deeper(), node.value)
        return f"{base}.{node.attr}" if base else None
    if not isinstance(node, ast.Name):
        return None
    found = env.lookup(node.id)
    if found is None:
        return _from_star_import(env, node.id)
    binding, defining = found
    if binding.kind is BindingKind.IMPORT:
        return binding.target
    if binding.kind is BindingKind.ASSIGN and isinstance(binding.value, (ast.Name, ast.Attribute)):
        return qualified_name(env.deeper(defining, binding.lineno), binding.value)
    return None


def _from_star_import(env: Env, name: str) -> str | None:
    for module in env.index.star_imports:
        if module.partition(".")[0] in KNOWN_ROOTS:
            return f"{module}.{name}"
    return None


def strings(env: Env, node: ast.expr) -> Strings | None:
    """The strings of a literal list, tuple or set of them (or one string), and where it is written."""
    if env.exhausted:
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return Strings((node.value,), node)
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        values = [e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
        return Strings(tuple(values), node) if len(values) == len(node.elts) else None
    if isinstance(node, ast.Name):
        found = env.lookup(node.id)
        if found is None:
            return None
        binding, defining = found
        imported = env.imported(binding)
        if imported is not None and imported.binding.value is not None:
            other = strings(env.entering(imported), imported.binding.value)
            return Strings(other.values, other.node, local=False) if other else None
        if binding.kind is not BindingKind.ASSIGN or binding.value is None:
            return None
        if any(defining.mutations_between(node.id, binding, env.scope, env.line)):
            return None
        return strings(env.deeper(defining, binding.lineno), binding.value)
    return None


def resolve_value(env: Env, node: ast.expr) -> Value:
    """A constant when the expression provably evaluates to one, else unknown; a constant
    written elsewhere says where (`origin`)."""
    shown = expr_text(node)
    found = constant(env, node)
    if found is UNRESOLVED:
        return Value.unknown(shown)
    return Value.literal(found, shown, origin(env, node))  # type: ignore[arg-type]


def origin(env: Env, node: ast.expr) -> str | None:
    """Where the constant `node` evaluates to is written, for a message that names its
    evidence: "line 12", "from `conf/defaults.py:3`", "the default of `--wd`, line 40". None for a
    literal written at `node` itself, a value computed from several (`base_wd * 2`), and an
    argument of a call being inlined (the message names that call)."""
    found = _written(env, node)
    if found is None:
        return None
    there, written, note = found
    if written is node:
        return None
    place = _place(env, there, written.lineno)
    if place is None:
        return None
    return f"{note}, {place}" if note else place


def _place(env: Env, there: Env, row: int) -> str | None:
    """`line 12` in the module `env` reads, else `` from `conf/defaults.py:3` `` (the other
    file's path from the project's root)."""
    if there.index is env.index:
        return f"line {row}"
    path, home = there.index.path, env.index.path
    if path is None or home is None:
        return None
    from wdlint.analysis.project_scan import project_root  # only for a value of another file

    root = project_root(Path(os.path.abspath(home)))
    return f"from `{os.path.relpath(os.path.abspath(path), root).replace(os.sep, '/')}:{row}`"


def _written(env: Env, node: ast.expr, note: str | None = None) -> tuple[Env, ast.expr, str | None] | None:
    """The literal a constant expression comes down to, the environment of its module, and
    what it is when that says more than its place (an option's default); `constant`'s paths."""
    if env.exhausted:
        return None
    if isinstance(node, ast.Constant) or (isinstance(node, ast.UnaryOp) and isinstance(node.operand, ast.Constant)):
        return env, node, note
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("float", "int"):
        return _written(env.deeper(), node.args[0], note) if len(node.args) == 1 else None
    if isinstance(node, ast.Name):
        found = env.lookup(node.id)
        if found is None:
            return None
        binding, defining = found
        if defining.position(node.id, binding) is None:
            return None  # the argument of the call being inlined: its caller is named
        if binding.kind is BindingKind.IMPORT:
            imported = env.imported(binding)
            if imported is None or imported.binding.value is None:
                return None
            there = env.entering(imported)
            return _written(there.deeper(imported.scope, imported.binding.lineno), imported.binding.value, note)
        if binding.value is None or binding.kind not in (BindingKind.ASSIGN, BindingKind.PARAM):
            return None
        if binding.kind is BindingKind.PARAM:
            parent = defining.parent or env.index.module_scope
            return _written(env.deeper(parent, binding.lineno), binding.value, note or f"the default of parameter `{node.id}`")
        return _written(env.deeper(defining, binding.lineno), binding.value, note)
    if isinstance(node, ast.Attribute):
        if isinstance(node.value, ast.Name):
            found = env.lookup(node.value.id)
            if found is not None and found[0].kind is BindingKind.IMPORT:
                imported = env.resolve_import(f"{found[0].target}.{node.attr}")
                if imported is not None and imported.binding.value is not None:
                    there = env.entering(imported).deeper(imported.scope, imported.binding.lineno)
                    return _written(there, imported.binding.value, note)
        option = argparse_option(env, node)
        if option is None or option.default is None:
            return None
        where = env.deeper(env.index.module_scope, END_OF_MODULE)
        return _written(where, option.default, note or f"the default of `{option.flag}`")
    if isinstance(node, ast.Subscript):
        key = node.slice
        if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
            return None
        entries = mapping(env.deeper(), node.value)
        if entries is None or key.value not in entries.entries:
            return None
        return _written(env.deeper(entries.scope, entries.lineno), entries.entries[key.value], note)
    return None


def constant(env: Env, node: ast.expr) -> object:
    """The constant an expression provably evaluates to, or UNRESOLVED."""
    if env.exhausted:
        return UNRESOLVED
    if isinstance(node, ast.Constant):
        if _is_number(node.value):
            return _bounded(node.value)
        if isinstance(node.value, (bool, str)) or node.value is None:
            return node.value
        return UNRESOLVED
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        operand = constant(env.deeper(), node.operand)
        if _is_number(operand):
            return -operand if isinstance(node.op, ast.USub) else operand
        return UNRESOLVED
    if isinstance(node, ast.BinOp) and type(node.op) in _NUMBER_OPERATORS:
        return _arithmetic(env, node)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("float", "int"):
        return _conversion(env, node, node.func.id)
    if isinstance(node, ast.Name):
        found = env.lookup(node.id)
        if found is None or (env.cli_open and not _fixed(env, node.id, *found)):
            return UNRESOLVED
        return _binding_constant(env, *found)
    if isinstance(node, ast.Attribute):
        return _attribute_constant(env, node)
    if isinstance(node, ast.Subscript):
        return _subscript_constant(env, node)
    return UNRESOLVED


def _arithmetic(env: Env, node: ast.BinOp) -> object:
    left = constant(env.deeper(), node.left)
    right = constant(env.deeper(), node.right)
    if not (_is_number(left) and _is_number(right)):
        return UNRESOLVED
    if isinstance(node.op, ast.Pow) and abs(right) > _MAX_EXPONENT:
        return UNRESOLVED  # `9**9**9` would never finish
    try:
        return _bounded(_NUMBER_OPERATORS[type(node.op)](left, right))
    except (ArithmeticError, ValueError):
        return UNRESOLVED


def _conversion(env: Env, node: ast.Call, name: str) -> object:
    """`float("1e-4")`, `int(x)` with the builtin (not a name the module binds)."""
    if len(node.args) == 1 and not node.keywords and env.lookup(name) is None:
        value = constant(env.deeper(), node.args[0])
        if _is_number(value) or isinstance(value, str):
            try:
                return _bounded(float(value) if name == "float" else int(value))
            except (ArithmeticError, ValueError):
                return UNRESOLVED
    return UNRESOLVED


def _fixed(env: Env, name: str, binding: Binding, defining: Scope) -> bool:
    """Whether a name's value is fixed where it is read: bound once in its scope, or read in
    that scope after a binding no condition guards (`X = 1` then `if cond: X = 2` is not)."""
    if defining.position(name, binding) is None:
        return True  # the argument of a call being inlined
    if binding.conditions:
        return False
    return defining is env.scope or binding.kind is BindingKind.PARAM or len(defining.bindings[name]) <= 1


def _binding_constant(env: Env, binding: Binding, defining: Scope) -> object:
    if env.exhausted:
        return UNRESOLVED
    if binding.kind is BindingKind.IMPORT:
        imported = env.imported(binding)
        if imported is None:
            return UNRESOLVED
        return _binding_constant(env.entering(imported), imported.binding, imported.scope)
    if binding.value is None or binding.kind not in (BindingKind.ASSIGN, BindingKind.PARAM):
        return UNRESOLVED
    if binding.kind is BindingKind.PARAM:
        if env.choosing and not env.frames_scope(defining):
            return UNRESOLVED
        # a default may be overridden by a caller we do not see; we read the common case, the
        # default (and a call being inlined that does not pass it gets it)
        defining = defining.parent or env.index.module_scope
    return constant(env.deeper(defining, binding.lineno), binding.value)


def _attribute_constant(env: Env, node: ast.Attribute) -> object:
    """`config.WEIGHT_DECAY` after `import config`, or `args.wd` of an argparse option."""
    if isinstance(node.value, ast.Name):
        found = env.lookup(node.value.id)
        if found is not None and found[0].kind is BindingKind.IMPORT:
            imported = env.resolve_import(f"{found[0].target}.{node.attr}")
            if imported is not None:
                return _binding_constant(env.entering(imported), imported.binding, imported.scope)
    option = argparse_option(env, node)
    if option is None or env.cli_open:
        return UNRESOLVED  # open: the command line may give the option any value
    if option.default is None:
        return {"store_true": False, "store_false": True}.get(option.action or "", UNRESOLVED)
    return constant(env.deeper(env.index.module_scope, END_OF_MODULE), option.default)


def argparse_option(env: Env, node: ast.expr) -> ArgparseOption | None:
    """The command-line option `args.name` reads, when `args` may hold the parsed arguments."""
    if not (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)):
        return None
    option = env.index.argparse.get(node.attr)
    if option is None or not _may_hold_parsed_args(env, node.value):
        return None
    return option


def _may_hold_parsed_args(env: Env, name: ast.Name) -> bool:
    """A name bound to `parse_args()`, or a parameter (`def main(args)`) that may carry it;
    inside a call being inlined, what the caller passes for it."""
    found = env.lookup(name.id)
    if found is None or env.exhausted:
        return False
    binding, defining = found
    if binding.kind is BindingKind.PARAM:
        return True
    value = binding.value
    if binding.kind is not BindingKind.ASSIGN or value is None:
        return False
    if parses_args(value):
        return True
    if isinstance(value, ast.Name):
        return _may_hold_parsed_args(env.deeper(defining, binding.lineno), value)
    return (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Name)
        and value.func.id in env.index.args_factories
    )


def _subscript_constant(env: Env, node: ast.Subscript) -> object:
    key = node.slice
    if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
        return UNRESOLVED
    found = mapping(env.deeper(), node.value)
    if found is None or key.value not in found.entries:
        return UNRESOLVED
    return constant(env.deeper(found.scope, found.lineno), found.entries[key.value])


def mapping(env: Env, node: ast.expr) -> Mapping | None:
    """The literal keys of a dict expression (`{...}`, `dict(...)`, a name bound to one).

    Keys whose value differs between the branches of a conditional map to the conditional
    itself, which resolves to unknown; None when the keys themselves are not known.
    """
    if env.exhausted:
        return None
    if isinstance(node, ast.Name):
        return _name_mapping(env, node)
    if isinstance(node, ast.IfExp):
        return _conditional_mapping(env, node)
    pairs = literal_pairs(node)
    if pairs is None:
        return None
    entries: dict[str, ast.expr] = {}
    for name, value in pairs:
        if name is not None:
            entries[name] = value
            continue
        spread = mapping(env.deeper(), value)
        if spread is None:
            return None
        entries.update(spread.entries)
    return Mapping(entries, env.scope, env.line)


def _name_mapping(env: Env, node: ast.Name) -> Mapping | None:
    assigned = env.assignment(node.id)
    if assigned is None:
        return None
    value, binding, defining = assigned
    initial = mapping(env.deeper(defining, binding.lineno), value)
    if initial is None:
        return None
    entries = dict(initial.entries)
    for change in defining.mutations_between(node.id, binding, env.scope, env.line):
        if change.how == "setitem" and change.key is not None and change.value is not None:
            entries[change.key] = change.value
        elif change.how == "update" and isinstance(change.value, ast.Call):
            update = _update_entries(env.at(defining, change.lineno), change.value)
            if update is None:
                return None
            entries.update(update)
        else:
            return None
    return Mapping(entries, initial.scope, initial.lineno)


def _conditional_mapping(env: Env, node: ast.IfExp) -> Mapping | None:
    body = mapping(env.deeper(), node.body)
    orelse = mapping(env.deeper(), node.orelse)
    if body is None or orelse is None:
        return None
    entries: dict[str, ast.expr] = {}
    for key in {**body.entries, **orelse.entries}:
        left, right = body.entries.get(key), orelse.entries.get(key)
        same = left is not None and right is not None and ast.dump(left) == ast.dump(right)
        entries[key] = left if same and left is not None else node
    return Mapping(entries, env.scope, env.line)


def _update_entries(env: Env, call: ast.Call) -> dict[str, ast.expr] | None:
    """What `d.update(other, k=v)` writes into `d`, or None when unknown."""
    entries: dict[str, ast.expr] = {}
    for arg in call.args:
        other = mapping(env.deeper(), arg)
        if other is None:
            return None
        entries.update(other.entries)
    for keyword in call.keywords:
        if keyword.arg is None:
            return None
        entries[keyword.arg] = keyword.value
    return entries


def _bounded(value: float) -> object:
    if isinstance(value, complex) or not abs(value) <= _MAX_MAGNITUDE:  # also NaN and inf
        return UNRESOLVED
    return value


def _is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
