"""Names and values in one module: imports, a simple scope walk, constants, argparse defaults.

One walk over the tree builds every scope's bindings; lookups afterwards are dictionary reads.
This replaces libcst's QualifiedNameProvider/ScopeProvider, which cost about 7x the parse.
"""

from __future__ import annotations

import ast
import bisect
import contextlib
import dataclasses
import operator
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeGuard

from wdlint.analysis.sites import Value
from wdlint.knowledge.optimizers import KNOWN_ROOTS

if TYPE_CHECKING:
    from wdlint.analysis.project import Imported, Project

_MAX_DEPTH = 12  # how many assignments a lookup may follow; stops self-referential chains


class BindingKind(Enum):
    IMPORT = "import"  # `target` holds the qualified name
    ASSIGN = "assign"  # `value` holds the assigned expression
    UNPACKED = "unpacked"  # `a, b = call(...)`: `value` holds the call, not this name's value
    PARAM = "param"  # a function parameter; `value` holds its default, if any
    DEFINITION = "definition"  # def / class: the user's own object
    OTHER = "other"  # loop targets, with-targets, unpacking we do not follow


@dataclass(frozen=True)
class Binding:
    kind: BindingKind
    lineno: int
    value: ast.expr | None = None
    target: str = ""
    function: ast.FunctionDef | ast.AsyncFunctionDef | None = None  # DEFINITION of a function


@dataclass(frozen=True)
class Mutation:
    lineno: int
    how: str  # a method name (append, extend, insert, update, pop, ...), "setitem" or "delitem"
    value: ast.expr | None  # what was added: the argument, the assigned value, the update call
    key: str | None = None  # setitem with a constant string key
    loop: ast.For | ast.AsyncFor | None = None  # the innermost loop around the change
    # the `if` conditions around the change inside that loop: (test, in the body?)
    conditions: tuple[tuple[ast.expr, bool], ...] = ()


# methods that change a list or a dict in place, and an optimizer's `add_param_group`
_MUTATING_METHODS = frozenset(
    {
        "append", "add", "extend", "insert", "update", "setdefault", "pop", "popitem", "clear", "remove",
        "discard", "add_param_group",
    }
)


@dataclass
class Scope:
    node: ast.AST
    parent: Scope | None
    is_class: bool = False
    bindings: dict[str, list[Binding]] = field(default_factory=dict)
    # name -> in-place changes: x.append(v), x.extend(v), x += v, x["k"] = v, x.update(...)
    mutations: dict[str, list[Mutation]] = field(default_factory=dict)

    def bind(self, name: str, binding: Binding) -> None:
        # kept in line order, so that a lookup is a bisection: a generated file may bind one
        # name tens of thousands of times
        bisect.insort_right(self.bindings.setdefault(name, []), binding, key=_lineno)

    def binding_before(self, name: str, lineno: int) -> Binding | None:
        """The last binding of `name` on a line before `lineno`."""
        bindings = self.bindings.get(name, [])
        index = bisect.bisect_left(bindings, lineno, key=_lineno)
        return bindings[index - 1] if index else None

    def next_binding_line(self, name: str, lineno: int) -> int | None:
        """The first line after `lineno` that binds `name` again."""
        bindings = self.bindings.get(name, [])
        index = bisect.bisect_right(bindings, lineno, key=_lineno)
        return bindings[index].lineno if index < len(bindings) else None


def _lineno(binding: Binding) -> int:
    return binding.lineno


# nodes that bind nothing and hold nothing that does: the walk does not descend into them
_LEAVES = (ast.Constant, ast.Name, ast.expr_context, ast.operator, ast.unaryop, ast.cmpop, ast.boolop)


@dataclass(frozen=True)
class ArgparseOption:
    default: ast.expr | None
    action: str | None


_NUMBER_OPERATORS: dict[type[ast.operator], Callable[[float, float], float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
}


def bind_arguments(call: ast.Call, names: Sequence[str]) -> dict[str, ast.expr]:
    """A call's argument expressions by the parameter each binds: the positional ones by
    `names` up to the first `*args` (after it nobody knows), then the keywords."""
    bound: dict[str, ast.expr] = {}
    for name, arg in zip(names, call.args):
        if isinstance(arg, ast.Starred):
            break
        bound[name] = arg
    bound.update((k.arg, k.value) for k in call.keywords if k.arg is not None)
    return bound


def expr_text(node: ast.AST, limit: int = 80) -> str:
    text = ast.unparse(node)
    return text if len(text) <= limit else text[: limit - 3] + "..."


class ModuleIndex(ast.NodeVisitor):
    """Scopes and bindings of one module, and every call in it with the scope it is in."""

    def __init__(self, tree: ast.Module, path: Path | None = None, project: Project | None = None) -> None:
        self.path = path  # where the module is on disk, for imports from its project
        self.project = project
        self.module_scope = Scope(tree, None)
        self.scope_of: dict[int, Scope] = {}  # id(call node) -> scope of the call
        self.calls: list[ast.Call] = []
        self.star_imports: list[str] = []
        self.argparse: dict[str, ArgparseOption] = {}
        # functions of this module that return parsed arguments: `def get_args(): ...`
        self.args_factories: set[str] = set()
        # id(call) -> the name a plain `name = call(...)` assigns it to
        self.assigned_to: dict[int, str] = {}
        # id(call) -> the `if` conditions around it in its function: (test, in the body?)
        self.conditions_of: dict[int, tuple[tuple[ast.expr, bool], ...]] = {}
        self._conditions: list[tuple[ast.expr, bool]] = []
        self._loops: list[tuple[ast.For | ast.AsyncFor, int]] = []  # loop, conditions at entry
        self._functions: list[str] = []
        self.function_scopes: dict[int, Scope] = {}  # id(function node) -> its scope
        self.returns: dict[int, list[ast.Return]] = {}  # id(function node) -> its returns
        # calls being inlined: id(function scope) -> parameter -> (argument, caller scope, line)
        self._frames: dict[int, dict[str, tuple[ast.expr, Scope, int]]] = {}
        self._read_parameter_defaults = True
        self._scope = self.module_scope
        self._handlers: dict[type[ast.AST], Callable[[Any], None]] = {}
        self.visit(tree)

    # -- the walk --------------------------------------------------------------------------

    def visit(self, node: ast.AST) -> None:
        # ast.NodeVisitor looks the handler up by name for every node; this walk visits every
        # node of every file that names an optimizer, so the lookup is cached per node type
        handler = self._handlers.get(type(node))
        if handler is None:
            found: Callable[[Any], None] = getattr(self, f"visit_{type(node).__name__}", self.generic_visit)
            handler = self._handlers[type(node)] = found
        handler(node)

    def visit_BinOp(self, node: ast.BinOp) -> None:
        # `a + b + c + ...` nests to the left as deep as it is long: walk it without recursion
        stack: list[ast.AST] = [node]
        while stack:
            current = stack.pop()
            if isinstance(current, ast.BinOp):
                stack += (current.right, current.left)
            elif not isinstance(current, _LEAVES):
                self.visit(current)

    def generic_visit(self, node: ast.AST) -> None:
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, ast.AST) and not isinstance(item, _LEAVES):
                        self.visit(item)
            elif isinstance(value, ast.AST) and not isinstance(value, _LEAVES):
                self.visit(value)

    def _visit_function(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> None:
        if not isinstance(node, ast.Lambda):
            self._scope.bind(node.name, Binding(BindingKind.DEFINITION, node.lineno, function=node))
            for decorator in node.decorator_list:
                self.visit(decorator)
            if node.returns:
                self.visit(node.returns)
        args = node.args
        for given in (*args.defaults, *(d for d in args.kw_defaults if d is not None)):
            self.visit(given)
        scope = Scope(node, self._scope)
        self.function_scopes[id(node)] = scope
        positional = [*args.posonlyargs, *args.args]
        defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults))
        defaults += args.defaults
        pairs: list[tuple[ast.arg, ast.expr | None]] = [
            *zip(positional, defaults), *zip(args.kwonlyargs, args.kw_defaults)
        ]
        for arg, default in pairs:
            scope.bind(arg.arg, Binding(BindingKind.PARAM, node.lineno, default))
        for extra in (args.vararg, args.kwarg):
            if extra is not None:
                scope.bind(extra.arg, Binding(BindingKind.PARAM, node.lineno))
        outer, self._scope = self._scope, scope
        outer_conditions, self._conditions = self._conditions, []
        outer_loops, self._loops = self._loops, []
        self._functions.append("" if isinstance(node, ast.Lambda) else node.name)
        body = [node.body] if isinstance(node, ast.Lambda) else node.body
        for statement in body:
            self.visit(statement)
        self._functions.pop()
        self._scope, self._conditions, self._loops = outer, outer_conditions, outer_loops

    def visit_If(self, node: ast.If) -> None:
        self.visit(node.test)
        for positive, block in ((True, node.body), (False, node.orelse)):
            self._conditions.append((node.test, positive))
            for statement in block:
                self.visit(statement)
            self._conditions.pop()

    def visit_Return(self, node: ast.Return) -> None:
        if node.value is not None:
            self.returns.setdefault(id(self._scope.node), []).append(node)
            self.visit(node.value)
            if self._functions and _parses_args(node.value):
                self.args_factories.add(self._functions[-1])

    visit_FunctionDef = _visit_function
    visit_AsyncFunctionDef = _visit_function
    visit_Lambda = _visit_function

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self._scope.bind(node.name, Binding(BindingKind.DEFINITION, node.lineno))
        for expr in (*node.decorator_list, *node.bases, *node.keywords):
            self.visit(expr)
        outer, self._scope = self._scope, Scope(node, self._scope, is_class=True)
        for statement in node.body:
            self.visit(statement)
        self._scope = outer

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.asname:
                self._scope.bind(alias.asname, Binding(BindingKind.IMPORT, node.lineno, target=alias.name))
            else:
                root = alias.name.partition(".")[0]
                self._scope.bind(root, Binding(BindingKind.IMPORT, node.lineno, target=root))

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = "." * node.level + (node.module or "")
        for alias in node.names:
            if alias.name == "*":
                self.star_imports.append(module)
                continue
            target = f"{module}.{alias.name}" if module and not module.endswith(".") else module + alias.name
            name = alias.asname or alias.name
            self._scope.bind(name, Binding(BindingKind.IMPORT, node.lineno, target=target))

    def visit_Assign(self, node: ast.Assign) -> None:
        if isinstance(node.value, ast.Call) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            self.assigned_to[id(node.value)] = node.targets[0].id
        self.visit(node.value)
        for target in node.targets:
            self._bind_target(target, node.value, node.lineno)
            if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
                key = target.slice
                constant = key.value if isinstance(key, ast.Constant) and isinstance(key.value, str) else None
                self._mutate(target.value.id, Mutation(node.lineno, "setitem", node.value, constant))
            if not isinstance(target, ast.Name):
                self.visit(target)

    def visit_Delete(self, node: ast.Delete) -> None:
        for target in node.targets:
            if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
                self._mutate(target.value.id, Mutation(node.lineno, "delitem", None))
            self.visit(target)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self.visit(node.value)
            self._bind_target(node.target, node.value, node.lineno)
        if not isinstance(node.target, ast.Name):
            self.visit(node.target)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self.visit(node.value)
        if isinstance(node.target, ast.Name) and isinstance(node.op, ast.Add):
            self._mutate(node.target.id, Mutation(node.lineno, "extend", node.value))
        elif isinstance(node.target, ast.Name):
            self._scope.bind(node.target.id, Binding(BindingKind.OTHER, node.lineno))
        else:
            self.visit(node.target)

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        self.visit(node.value)
        self._scope.bind(node.target.id, Binding(BindingKind.ASSIGN, node.lineno, node.value))

    def visit_For(self, node: ast.For | ast.AsyncFor) -> None:
        self.visit(node.iter)
        self._bind_other(node.target, node.lineno)
        self._loops.append((node, len(self._conditions)))
        guards = 0
        for statement in node.body:
            self.visit(statement)
            if isinstance(statement, ast.If) and not statement.orelse and _leaves_the_iteration(statement.body):
                # `if p.ndim < 2: ...; continue`: what follows runs only when the test failed
                self._conditions.append((statement.test, False))
                guards += 1
        del self._conditions[len(self._conditions) - guards :]
        self._loops.pop()
        for statement in node.orelse:
            self.visit(statement)

    visit_AsyncFor = visit_For

    def visit_With(self, node: ast.With | ast.AsyncWith) -> None:
        for item in node.items:
            self.visit(item.context_expr)
            if item.optional_vars is not None:
                self._bind_other(item.optional_vars, node.lineno)
        for statement in node.body:
            self.visit(statement)

    visit_AsyncWith = visit_With

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.type is not None:
            self.visit(node.type)
        if node.name:
            self._scope.bind(node.name, Binding(BindingKind.OTHER, node.lineno))
        for statement in node.body:
            self.visit(statement)

    def visit_comprehension(self, node: ast.comprehension) -> None:
        # Comprehension variables live in their own scope in Python 3; binding them in the
        # enclosing one as OTHER would shadow real bindings, so they are left unbound here.
        self.visit(node.iter)
        for condition in node.ifs:
            self.visit(condition)

    def visit_Call(self, node: ast.Call) -> None:
        self.calls.append(node)
        self.scope_of[id(node)] = self._scope
        if self._conditions:
            self.conditions_of[id(node)] = tuple(self._conditions)
        func = node.func
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            if func.attr in _MUTATING_METHODS:
                value = node if func.attr == "update" else (node.args[-1] if node.args else None)
                self._mutate(func.value.id, Mutation(node.lineno, func.attr, value))
            elif func.attr == "add_argument":
                self._record_argparse(node)
        self.generic_visit(node)

    # -- helpers of the walk ---------------------------------------------------------------

    def _bind_target(self, target: ast.expr, value: ast.expr, lineno: int) -> None:
        if isinstance(target, ast.Name):
            self._scope.bind(target.id, Binding(BindingKind.ASSIGN, lineno, value))
        elif isinstance(target, (ast.Tuple, ast.List)):
            values = value.elts if isinstance(value, (ast.Tuple, ast.List)) else None
            if values is not None and len(values) == len(target.elts) and not any(
                isinstance(v, ast.Starred) for v in values
            ):
                for element, element_value in zip(target.elts, values):
                    self._bind_target(element, element_value, lineno)
            elif isinstance(value, ast.Call) and all(isinstance(e, ast.Name) for e in target.elts):
                for element in target.elts:
                    assert isinstance(element, ast.Name)
                    self._scope.bind(element.id, Binding(BindingKind.UNPACKED, lineno, value))
            else:
                self._bind_other(target, lineno)

    def _bind_other(self, target: ast.expr, lineno: int) -> None:
        for node in ast.walk(target):
            if isinstance(node, ast.Name):
                self._scope.bind(node.id, Binding(BindingKind.OTHER, lineno))

    def _mutate(self, name: str, mutation: Mutation) -> None:
        if self._loops:
            loop, depth = self._loops[-1]
            mutation = dataclasses.replace(mutation, loop=loop, conditions=tuple(self._conditions[depth:]))
        self._scope.mutations.setdefault(name, []).append(mutation)

    def _record_argparse(self, call: ast.Call) -> None:
        options = [a.value for a in call.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
        keywords = {k.arg: k.value for k in call.keywords if k.arg}
        dest_node = keywords.get("dest")
        if isinstance(dest_node, ast.Constant) and isinstance(dest_node.value, str):
            dest = dest_node.value
        else:
            longs = [o for o in options if o.startswith("--")]
            shorts = [o for o in options if o.startswith("-") and not o.startswith("--")]
            positionals = [o for o in options if not o.startswith("-")]
            chosen = (longs or shorts or positionals or [""])[0]
            dest = chosen.lstrip("-").replace("-", "_")
        if not dest:
            return
        action = keywords.get("action")
        action_name = action.value if isinstance(action, ast.Constant) and isinstance(action.value, str) else None
        self.argparse[dest] = ArgparseOption(keywords.get("default"), action_name)

    # -- lookups ---------------------------------------------------------------------------

    def lookup(self, name: str, scope: Scope, lineno: int) -> tuple[Binding, Scope] | None:
        """The binding a use of `name` at `lineno` in `scope` sees, and the scope that holds it.

        None for builtins and unbound names. Methods do not see their class body's names.
        """
        current: Scope | None = scope
        same_scope = True
        while current is not None:
            if current.is_class and not same_scope:
                current = current.parent
                continue
            bindings = current.bindings.get(name)
            if bindings:
                if same_scope:
                    # strictly before: `x = f(x)` reads the previous x
                    found = current.binding_before(name, lineno)
                else:
                    # a function body runs after the enclosing scope was fully executed
                    found = bindings[-1]
                if found is not None and found.kind is BindingKind.PARAM:
                    argument = self._frames.get(id(current), {}).get(name)
                    if argument is not None:  # inlining a call: the caller's argument
                        value, caller, caller_line = argument
                        return Binding(BindingKind.ASSIGN, caller_line, value), caller
                return (found, current) if found is not None else None
            current, same_scope = current.parent, False
        return None

    def assignment(self, name: str, scope: Scope, lineno: int) -> tuple[ast.expr, Binding, Scope] | None:
        """The value `name` holds at `lineno` by a plain assignment, with that binding and the
        scope that holds it; None when it is unbound, a parameter or an import."""
        found = self.lookup(name, scope, lineno)
        if found is None:
            return None
        binding, defining = found
        if binding.kind is not BindingKind.ASSIGN or binding.value is None:
            return None
        return binding.value, binding, defining

    @contextlib.contextmanager
    def choosing(self) -> Iterator[None]:
        """Resolve what selects a class or a branch: a function's parameter selects whatever
        its callers pass, so its default does not tell which one runs."""
        outer, self._read_parameter_defaults = self._read_parameter_defaults, False
        try:
            yield
        finally:
            self._read_parameter_defaults = outer

    @contextlib.contextmanager
    def inlined(
        self, function: ast.FunctionDef | ast.AsyncFunctionDef, call: ast.Call, caller: Scope
    ) -> Iterator[Scope | None]:
        """Read `function`'s body as called by `call`: its parameters are the call's arguments.

        Yields the function's scope, or None when the call cannot be mapped (`*args`) or the
        function is already being inlined (recursion).
        """
        scope = self.function_scopes.get(id(function))
        if scope is None or id(scope) in self._frames or any(isinstance(a, ast.Starred) for a in call.args):
            yield None
            return
        arguments = function.args
        names = [a.arg for a in (*arguments.posonlyargs, *arguments.args)]
        if isinstance(scope.parent, Scope) and scope.parent.is_class and names:
            names = names[1:]  # a method called on an instance: self is bound already
        frame = {name: (value, caller, call.lineno) for name, value in zip(names, call.args)}
        frame.update({k.arg: (k.value, caller, call.lineno) for k in call.keywords if k.arg is not None})
        self._frames[id(scope)] = frame
        try:
            yield scope
        finally:
            del self._frames[id(scope)]

    def qualified_name(self, node: ast.expr, scope: Scope, lineno: int, depth: int = 0) -> str | None:
        """`torch.optim.Adam` for `optim.Adam` after `from torch import optim`, else None."""
        if depth > _MAX_DEPTH:
            return None
        if isinstance(node, ast.Attribute):
            base = self.qualified_name(node.value, scope, lineno, depth + 1)
            return f"{base}.{node.attr}" if base else None
        if not isinstance(node, ast.Name):
            return None
        found = self.lookup(node.id, scope, lineno)
        if found is None:
            return self._from_star_import(node.id)
        binding, defining = found
        if binding.kind is BindingKind.IMPORT:
            return binding.target
        if binding.kind is BindingKind.ASSIGN and isinstance(binding.value, (ast.Name, ast.Attribute)):
            return self.qualified_name(binding.value, defining, binding.lineno, depth + 1)
        return None

    def _from_star_import(self, name: str) -> str | None:
        for module in self.star_imports:
            if module.partition(".")[0] in KNOWN_ROOTS:
                return f"{module}.{name}"
        return None

    def constant(self, node: ast.expr, scope: Scope, lineno: int) -> object:
        """The constant an expression provably evaluates to, or UNRESOLVED."""
        return self._constant(node, scope, lineno, 0)

    def strings(self, node: ast.expr, scope: Scope, lineno: int, depth: int = 0) -> Strings | None:
        """The strings of a literal list, tuple or set of them (or one string), and where it is written."""
        if depth > _MAX_DEPTH:
            return None
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return Strings((node.value,), node)
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            values = [e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
            return Strings(tuple(values), node) if len(values) == len(node.elts) else None
        if isinstance(node, ast.Name):
            found = self.lookup(node.id, scope, lineno)
            if found is None:
                return None
            binding, defining = found
            imported = self.imported(binding)
            if imported is not None and imported.binding.value is not None:
                other = imported.index.strings(imported.binding.value, imported.scope, 10**9, depth + 1)
                return Strings(other.values, other.node, local=False) if other else None
            if binding.kind is not BindingKind.ASSIGN or binding.value is None:
                return None
            if any(self.mutations_between(node.id, scope, defining, binding, lineno)):
                return None
            return self.strings(binding.value, defining, binding.lineno, depth + 1)
        return None

    def resolve_value(self, node: ast.expr, scope: Scope, lineno: int, depth: int = 0) -> Value:
        """A constant when the expression provably evaluates to one, else unknown."""
        shown = expr_text(node)
        constant = self._constant(node, scope, lineno, depth)
        if constant is UNRESOLVED:
            return Value.unknown(shown)
        return Value.literal(constant, shown)  # type: ignore[arg-type]

    def _constant(self, node: ast.expr, scope: Scope, lineno: int, depth: int) -> object:
        if depth > _MAX_DEPTH:
            return UNRESOLVED
        if isinstance(node, ast.Constant):
            if _is_number(node.value):
                return _bounded(node.value)
            if isinstance(node.value, (bool, str)) or node.value is None:
                return node.value
            return UNRESOLVED
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            operand = self._constant(node.operand, scope, lineno, depth + 1)
            if _is_number(operand):
                return -operand if isinstance(node.op, ast.USub) else operand
            return UNRESOLVED
        if isinstance(node, ast.BinOp) and type(node.op) in _NUMBER_OPERATORS:
            left = self._constant(node.left, scope, lineno, depth + 1)
            right = self._constant(node.right, scope, lineno, depth + 1)
            if _is_number(left) and _is_number(right):
                if isinstance(node.op, ast.Pow) and abs(right) > _MAX_EXPONENT:
                    return UNRESOLVED  # `9**9**9` would never finish
                try:
                    return _bounded(_NUMBER_OPERATORS[type(node.op)](left, right))
                except (ArithmeticError, ValueError):
                    return UNRESOLVED
            return UNRESOLVED
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("float", "int"):
            if len(node.args) == 1 and not node.keywords and self.lookup(node.func.id, scope, lineno) is None:
                value = self._constant(node.args[0], scope, lineno, depth + 1)
                if _is_number(value) or isinstance(value, str):
                    try:
                        return _bounded(float(value) if node.func.id == "float" else int(value))
                    except (ArithmeticError, ValueError):
                        return UNRESOLVED
            return UNRESOLVED
        if isinstance(node, ast.Name):
            return self._name_constant(node, scope, lineno, depth)
        if isinstance(node, ast.Attribute):
            return self._argparse_constant(node, scope, lineno, depth)
        if isinstance(node, ast.Subscript):
            return self._subscript_constant(node, scope, lineno, depth)
        return UNRESOLVED

    def _name_constant(self, node: ast.Name, scope: Scope, lineno: int, depth: int) -> object:
        found = self.lookup(node.id, scope, lineno)
        if found is None:
            return UNRESOLVED
        return self._binding_constant(*found, depth)

    def _binding_constant(self, binding: Binding, defining: Scope, depth: int) -> object:
        if depth > _MAX_DEPTH:
            return UNRESOLVED
        if binding.kind is BindingKind.IMPORT:
            imported = self.imported(binding)
            if imported is None:
                return UNRESOLVED
            return imported.index._binding_constant(imported.binding, imported.scope, depth + 1)
        if binding.value is None or binding.kind not in (BindingKind.ASSIGN, BindingKind.PARAM):
            return UNRESOLVED
        if binding.kind is BindingKind.PARAM:
            if not self._read_parameter_defaults:
                return UNRESOLVED
            # a default may be overridden by a caller; we read the common case, the default
            defining = defining.parent or self.module_scope
        return self._constant(binding.value, defining, binding.lineno, depth + 1)

    def imported(self, binding: Binding) -> Imported | None:
        """The binding in another file of the project that an import binding refers to."""
        if binding.kind is not BindingKind.IMPORT or self.project is None or self.path is None:
            return None
        return self.project.resolve(self.path, binding.target)

    def _argparse_constant(self, node: ast.Attribute, scope: Scope, lineno: int, depth: int) -> object:
        if isinstance(node.value, ast.Name):  # `config.WEIGHT_DECAY` after `import config`
            found = self.lookup(node.value.id, scope, lineno)
            if found is not None and found[0].kind is BindingKind.IMPORT and self.project and self.path:
                imported = self.project.resolve(self.path, f"{found[0].target}.{node.attr}")
                if imported is not None:
                    return imported.index._binding_constant(imported.binding, imported.scope, depth + 1)
        option = self.argparse.get(node.attr)
        if option is None or not isinstance(node.value, ast.Name):
            return UNRESOLVED
        if not self._may_hold_parsed_args(node.value, scope, lineno):
            return UNRESOLVED
        if option.default is None:
            return {"store_true": False, "store_false": True}.get(option.action or "", UNRESOLVED)
        return self._constant(option.default, self.module_scope, 10**9, depth + 1)

    def _may_hold_parsed_args(self, name: ast.Name, scope: Scope, lineno: int) -> bool:
        """A name bound to `parse_args()`, or a parameter (`def main(args)`) that may carry it."""
        found = self.lookup(name.id, scope, lineno)
        if found is None:
            return False
        binding, _ = found
        if binding.kind is BindingKind.PARAM:
            return True
        value = binding.value
        if binding.kind is not BindingKind.ASSIGN or value is None:
            return False
        if _parses_args(value):
            return True
        return (
            isinstance(value, ast.Call)
            and isinstance(value.func, ast.Name)
            and value.func.id in self.args_factories
        )

    def _subscript_constant(self, node: ast.Subscript, scope: Scope, lineno: int, depth: int) -> object:
        key = node.slice
        if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
            return UNRESOLVED
        mapping = self.mapping(node.value, scope, lineno, depth + 1)
        if mapping is None or key.value not in mapping.entries:
            return UNRESOLVED
        return self._constant(mapping.entries[key.value], mapping.scope, mapping.lineno, depth + 1)

    def mapping(self, node: ast.expr, scope: Scope, lineno: int, depth: int = 0) -> Mapping | None:
        """The literal keys of a dict expression (`{...}`, `dict(...)`, a name bound to one).

        Keys whose value differs between the branches of a conditional map to the conditional
        itself, which resolves to unknown; None when the keys themselves are not known.
        """
        if depth > _MAX_DEPTH:
            return None
        if isinstance(node, ast.Name):
            return self._name_mapping(node, scope, lineno, depth)
        if isinstance(node, ast.IfExp):
            return self._conditional_mapping(node, scope, lineno, depth)
        pairs = literal_pairs(node)
        if pairs is None:
            return None
        entries: dict[str, ast.expr] = {}
        for name, value in pairs:
            if name is not None:
                entries[name] = value
                continue
            spread = self.mapping(value, scope, lineno, depth + 1)
            if spread is None:
                return None
            entries.update(spread.entries)
        return Mapping(entries, scope, lineno)

    def _name_mapping(self, node: ast.Name, scope: Scope, lineno: int, depth: int) -> Mapping | None:
        assigned = self.assignment(node.id, scope, lineno)
        if assigned is None:
            return None
        value, binding, defining = assigned
        initial = self.mapping(value, defining, binding.lineno, depth + 1)
        if initial is None:
            return None
        entries = dict(initial.entries)
        for change in self.mutations_between(node.id, scope, defining, binding, lineno):
            if change.how == "setitem" and change.key is not None and change.value is not None:
                entries[change.key] = change.value
            elif change.how == "update" and isinstance(change.value, ast.Call):
                update = self._update_entries(change.value, defining, change.lineno, depth)
                if update is None:
                    return None
                entries.update(update)
            else:
                return None
        return Mapping(entries, initial.scope, initial.lineno)

    def _conditional_mapping(self, node: ast.IfExp, scope: Scope, lineno: int, depth: int) -> Mapping | None:
        body = self.mapping(node.body, scope, lineno, depth + 1)
        orelse = self.mapping(node.orelse, scope, lineno, depth + 1)
        if body is None or orelse is None:
            return None
        entries: dict[str, ast.expr] = {}
        for key in {**body.entries, **orelse.entries}:
            left, right = body.entries.get(key), orelse.entries.get(key)
            same = left is not None and right is not None and ast.dump(left) == ast.dump(right)
            entries[key] = left if same and left is not None else node
        return Mapping(entries, scope, lineno)

    def _update_entries(self, call: ast.Call, scope: Scope, lineno: int, depth: int) -> dict[str, ast.expr] | None:
        """What `d.update(other, k=v)` writes into `d`, or None when unknown."""
        entries: dict[str, ast.expr] = {}
        for arg in call.args:
            other = self.mapping(arg, scope, lineno, depth + 1)
            if other is None:
                return None
            entries.update(other.entries)
        for keyword in call.keywords:
            if keyword.arg is None:
                return None
            entries[keyword.arg] = keyword.value
        return entries

    def mutations_between(
        self, name: str, use_scope: Scope, defining: Scope, binding: Binding, lineno: int
    ) -> Iterator[Mutation]:
        """In-place changes to `name` after its binding and before a use at `lineno`.

        A use from an inner scope (a function body) runs after the whole defining scope did,
        so every later change counts.
        """
        end = lineno if use_scope is defining else sys.maxsize
        for mutation in defining.mutations.get(name, ()):
            if binding.lineno <= mutation.lineno <= end:
                yield mutation


@dataclass(frozen=True)
class Strings:
    values: tuple[str, ...]
    node: ast.expr  # where the literal is written
    local: bool = True  # False: in another file, so `node`'s position is not in this one


@dataclass(frozen=True)
class Mapping:
    entries: dict[str, ast.expr]
    scope: Scope
    lineno: int


class _Unresolved:
    def __repr__(self) -> str:
        return "<unresolved>"


UNRESOLVED = _Unresolved()


def _leaves_the_iteration(body: list[ast.stmt]) -> bool:
    return bool(body) and isinstance(body[-1], (ast.Continue, ast.Break, ast.Return, ast.Raise))


def _parses_args(node: ast.expr) -> bool:
    """`parser.parse_args()`, or `parser.parse_known_args()[0]`."""
    if isinstance(node, ast.Subscript):
        node = node.value
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("parse_args", "parse_known_args")
    )


# constants beyond these are not hyperparameters anyone sets; folding them could hang or overflow
_MAX_EXPONENT = 64
_MAX_MAGNITUDE = 1e18


def _bounded(value: float) -> object:
    if isinstance(value, complex) or not abs(value) <= _MAX_MAGNITUDE:  # also NaN and inf
        return UNRESOLVED
    return value


def _is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def literal_pairs(node: ast.expr) -> list[tuple[str | None, ast.expr]] | None:
    """(key, value) pairs of a dict display or a `dict(...)` call; a None key is a `**spread`."""
    if isinstance(node, ast.Dict):
        pairs: list[tuple[str | None, ast.expr]] = []
        for key, value in zip(node.keys, node.values):
            if key is None:
                pairs.append((None, value))
            elif isinstance(key, ast.Constant) and isinstance(key.value, str):
                pairs.append((key.value, value))
            else:
                return None
        return pairs
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict":
        if node.args:
            return None
        return [(k.arg, k.value) for k in node.keywords]
    return None
