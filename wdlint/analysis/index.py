"""The index of one module: its scopes and bindings (`wdlint.analysis.scopes`), every call and
where it is, argparse options.

Built by one walk over the tree (`ModuleIndex.build`), then only read: what a name means at a
place is the evaluator's business (`wdlint.analysis.evaluate`), which keeps its state in an
environment of its own. Other consumers of the tree (the hand-written L2 penalties) listen to
the same walk instead of walking the tree again.
This replaces libcst's QualifiedNameProvider/ScopeProvider, which cost about 7x the parse.
"""

from __future__ import annotations

import ast
import bisect
import weakref
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from wdlint.analysis.scopes import Binding, BindingKind, Mutation, Scope, binding_line
from wdlint.analysis.syntax import parses_args
from wdlint.records import Record, field

TYPE_CHECKING = False  # `typing` is for type checkers: the hook never imports it (docs/architecture.md)
if TYPE_CHECKING:
    from typing import Any, Protocol
else:
    Protocol = object  # what a class subclassing it needs at run time

END_OF_MODULE = 10**9  # a line after every statement: a module's names as they end up


# methods that change a list or a dict in place, and an optimizer's `add_param_group`
_MUTATING_METHODS = frozenset(
    {
        "append", "add", "extend", "insert", "update", "setdefault", "pop", "popitem", "clear", "remove",
        "discard", "add_param_group",
    }
)


def _bind(scope: Scope, name: str, binding: Binding) -> None:
    """Only while the walk fills `scope`: kept in line order, see `Scope.bindings`."""
    bindings = scope.bindings.get(name)
    if bindings is None:
        scope.bindings[name] = [binding]
    elif bindings[-1].lineno <= binding.lineno:  # the walk meets most in line order
        bindings.append(binding)
    else:
        bisect.insort_right(bindings, binding, key=binding_line)


# nodes that bind nothing and hold nothing that does: the walk does not descend into them
_LEAVES = (ast.Constant, ast.Name, ast.expr_context, ast.operator, ast.unaryop, ast.cmpop, ast.boolop)


def _classes(kind: type) -> set[type]:
    found = {kind}
    subclasses: list[type] = kind.__subclasses__()
    for sub in subclasses:
        found |= _classes(sub)
    return found


# the same as exact types, and None (an absent child), tested with one lookup per child
_NOT_ENTERED: frozenset[type] = frozenset({type(None)}).union(*(_classes(leaf) for leaf in _LEAVES))
# fields that hold names, numbers, flags or operators, never a node the walk enters
_SCALAR_FIELDS = frozenset(
    {"id", "attr", "arg", "name", "names", "asname", "module", "level", "ctx", "op", "ops", "conversion", "kind",
     "type_comment", "is_async", "simple", "kwd_attrs", "tag"}
)
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}  # node type -> the fields the generic walk looks into


def _child_fields(kind: type[ast.AST]) -> tuple[str, ...]:
    found = _CHILD_FIELDS[kind] = tuple(name for name in kind._fields if name not in _SCALAR_FIELDS)
    return found


class ArgparseOption(Record):
    default: ast.expr | None
    action: str | None
    choices: ast.expr | None = None  # `choices=[...]` as written
    flag: str = ""  # how the command line writes it, for messages: `--weight-decay`


class WalkListener(Protocol):
    """A consumer of the index's walk, told of the nodes it needs as the walk reaches them, so
    that it need not walk the tree again."""

    def block_entered(self, node: ast.For | ast.AsyncFor | ast.With | ast.AsyncWith) -> None:
        """Before anything of the block (its header included) is walked."""

    def block_left(self, node: ast.For | ast.AsyncFor | ast.With | ast.AsyncWith) -> None:
        """After all of it was."""

    def assigned(self, node: ast.Assign | ast.AugAssign) -> None:
        """An assignment statement, before its parts are walked."""

    def kept(self, value: ast.Call) -> None:
        """A call whose value is computed with or kept: an operand of arithmetic, or what is
        assigned, annotated or returned."""


class ModuleIndex(Record):
    """Scopes and bindings of one module, and every call in it with the scope it is in."""

    path: Path | None  # where the module is on disk, for imports from its project
    module_scope: Scope
    calls: Sequence[ast.Call]  # in the order the walk met them
    scope_of: Mapping[int, Scope]  # id(call node) -> scope of the call
    # id(call) -> the `if` conditions around it in its function: (test, in the body?)
    conditions_of: Mapping[int, tuple[tuple[ast.expr, bool], ...]]
    # id(call) -> the name a plain `name = call(...)` assigns it to
    assigned_to: Mapping[int, str]
    function_scopes: Mapping[int, Scope]  # id(function node) -> its scope
    returns: Mapping[int, Sequence[ast.Return]]  # id(function node) -> its returns
    star_imports: Sequence[str]
    argparse: Mapping[str, ArgparseOption]  # dest -> the option's default and action
    # functions of this module that return parsed arguments: `def get_args(): ...`
    args_factories: frozenset[str]
    # name -> the calls of `name(...)` and `x.name(...)`, in the order the walk met them: who
    # may call a function of this module
    calls_by_name: Mapping[str, Sequence[ast.Call]] = field(default_factory=dict)
    # the attributes something is assigned into: `b` of `x.b.c = v` and of `self.b.c.d = v` (not
    # of `x.b = v`), a constant set aside (`x.b.num_classes = 10`); `del x.b.c` too
    assigned_into: frozenset[str] = frozenset()
    # name -> (line, attribute) of what may replace or remove a layer of `name`:
    # `name.attribute = ...` (`name.head.fc = ...` too: `head`), `del name.attribute`,
    # `setattr(name, "attribute", ...)`; not a constant set (`name.num_classes = 10`)
    layer_assignments: Mapping[str, Sequence[tuple[int, str]]] = field(default_factory=dict)
    # line -> the `a, b = TABLE[key]` / `a, b = call(...)` unpackings on it
    unpackings: Mapping[int, Sequence[ast.Assign]] = field(default_factory=dict)
    # what the `if` tests of this module were read to, per reading context
    # (`choice.enclosing_truth`): a memo of a pure reading, no state a reading could leak
    truths: dict[tuple[int, ...], tuple[bool | None, Scope, weakref.ref[Any] | None]] = field(
        default_factory=dict, compare=False, repr=False
    )

    @staticmethod
    def build(tree: ast.Module, path: Path | None = None, listeners: Sequence[WalkListener] = ()) -> ModuleIndex:
        """The index of `tree`, from one walk that also tells `listeners` what they listen for."""
        walk = _Walk(tree, listeners)
        return ModuleIndex(
            path=path,
            module_scope=walk.module_scope,
            calls=walk.calls,
            scope_of=walk.scope_of,
            conditions_of=walk.conditions_of,
            assigned_to=walk.assigned_to,
            function_scopes=walk.function_scopes,
            returns=walk.returns,
            star_imports=walk.star_imports,
            argparse=walk.argparse,
            args_factories=frozenset(walk.args_factories),
            calls_by_name=walk.calls_by_name,
            assigned_into=frozenset(walk.assigned_into),
            unpackings=walk.unpackings,
            layer_assignments=walk.layer_assignments,
        )


class _Walk(ast.NodeVisitor):
    """The one walk over a module that fills an index's scopes and tables."""

    def __init__(self, tree: ast.Module, listeners: Sequence[WalkListener]) -> None:
        self.module_scope = Scope(tree, None)
        self.scope_of: dict[int, Scope] = {}
        self.calls: list[ast.Call] = []
        self.calls_by_name: dict[str, list[ast.Call]] = {}
        self.star_imports: list[str] = []
        self.argparse: dict[str, ArgparseOption] = {}
        self.args_factories: set[str] = set()
        self.assigned_to: dict[int, str] = {}
        self.conditions_of: dict[int, tuple[tuple[ast.expr, bool], ...]] = {}
        self.function_scopes: dict[int, Scope] = {}
        self.returns: dict[int, list[ast.Return]] = {}
        self.assigned_into: set[str] = set()
        self.unpackings: dict[int, list[ast.Assign]] = {}
        self.layer_assignments: dict[str, list[tuple[int, str]]] = {}
        self._listeners = tuple(listeners)
        self._conditions: list[tuple[ast.expr, bool]] = []
        self._loops: list[tuple[ast.For | ast.AsyncFor, int]] = []  # loop, conditions at entry
        self._functions: list[str] = []
        self._scope = self.module_scope
        self.visit(tree)

    def visit(self, node: ast.AST) -> None:
        # ast.NodeVisitor looks the handler up by name for every node; this walk visits every
        # node of every file that names an optimizer, so the lookup is cached per node type
        (_HANDLERS.get(type(node)) or _handler(type(node)))(self, node)

    def visit_BinOp(self, node: ast.BinOp) -> None:
        # `a + b + c + ...` nests to the left as deep as it is long: walk it without recursion
        stack: list[ast.AST] = [node]
        while stack:
            current = stack.pop()
            kind = type(current)
            if kind is ast.BinOp and isinstance(current, ast.BinOp):
                if self._listeners:
                    self._kept(current.left)
                    self._kept(current.right)
                stack += (current.right, current.left)
            elif kind not in _NOT_ENTERED:
                (_HANDLERS.get(kind) or _handler(kind))(self, current)

    # The three commonest nodes of training code (a third of all that the walk enters) hold
    # nothing to record themselves: their children are entered without the generic lookup.
    def visit_Attribute(self, node: ast.Attribute) -> None:
        value = node.value  # `a.b.c.d`: only the innermost value can hold a call
        while type(value) is ast.Attribute:
            value = value.value
        kind = type(value)
        if kind not in _NOT_ENTERED:
            (_HANDLERS.get(kind) or _handler(kind))(self, value)

    def visit_Expr(self, node: ast.Expr) -> None:
        kind = type(node.value)
        if kind not in _NOT_ENTERED:
            (_HANDLERS.get(kind) or _handler(kind))(self, node.value)

    def visit_leaf(self, node: ast.AST) -> None:
        """A name or a constant: nothing in it."""

    # not `ast.NodeVisitor.visit_Constant`, which looks for the handlers of the old number and
    # string nodes before it walks the constant's fields (a default value, an `if` test)
    visit_Constant = visit_leaf

    def generic_visit(self, node: ast.AST) -> None:
        handlers = _HANDLERS
        for name in _CHILD_FIELDS.get(type(node)) or _child_fields(type(node)):
            value = getattr(node, name, None)
            if type(value) is list:
                for item in value:
                    kind = type(item)
                    if kind not in _NOT_ENTERED and isinstance(item, ast.AST):
                        (handlers.get(kind) or _handler(kind))(self, item)
            else:
                kind = type(value)
                if kind not in _NOT_ENTERED and isinstance(value, ast.AST):
                    (handlers.get(kind) or _handler(kind))(self, value)

    def _visit_function(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> None:
        if not isinstance(node, ast.Lambda):
            _bind(self._scope, node.name, Binding(BindingKind.DEFINITION, node.lineno, function=node))
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
            _bind(scope, arg.arg, Binding(BindingKind.PARAM, node.lineno, default))
        for extra in (args.vararg, args.kwarg):
            if extra is not None:
                _bind(scope, extra.arg, Binding(BindingKind.PARAM, node.lineno))
        outer, self._scope = self._scope, scope
        outer_conditions, self._conditions = self._conditions, []
        outer_loops, self._loops = self._loops, []
        self._functions.append("" if isinstance(node, ast.Lambda) else node.name)
        if isinstance(node, ast.Lambda):
            self.visit(node.body)
        else:
            self._visit_block(node.body)
        self._functions.pop()
        self._scope, self._conditions, self._loops = outer, outer_conditions, outer_loops

    def visit_If(self, node: ast.If) -> None:
        self.visit(node.test)
        for positive, block in ((True, node.body), (False, node.orelse)):
            self._conditions.append((node.test, positive))
            self._visit_block(block)
            self._conditions.pop()

    def _visit_block(self, statements: list[ast.stmt]) -> None:
        """The statements of one block; after `if cond: ...; return` (or `continue`, `break`,
        `raise`) what follows in the block runs only when `cond` failed."""
        guards = 0
        handlers = _HANDLERS
        for statement in statements:
            kind = type(statement)
            (handlers.get(kind) or _handler(kind))(self, statement)
            # (the exact type first: `isinstance` only narrows it for the type checker)
            if kind is ast.If and isinstance(statement, ast.If) and not statement.orelse and _leaves_the_block(statement.body):
                self._conditions.append((statement.test, False))
                guards += 1
        del self._conditions[len(self._conditions) - guards :]

    def visit_Return(self, node: ast.Return) -> None:
        if node.value is not None:
            self._kept(node.value)
            self.returns.setdefault(id(self._scope.node), []).append(node)
            self.visit(node.value)
            if self._functions and parses_args(node.value):
                self.args_factories.add(self._functions[-1])

    visit_FunctionDef = _visit_function
    visit_AsyncFunctionDef = _visit_function
    visit_Lambda = _visit_function

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        _bind(self._scope, node.name, Binding(BindingKind.DEFINITION, node.lineno))
        for expr in (*node.decorator_list, *node.bases, *node.keywords):
            self.visit(expr)
        outer, self._scope = self._scope, Scope(node, self._scope, is_class=True)
        for statement in node.body:
            self.visit(statement)
        self._scope = outer

    def visit_Global(self, node: ast.Global) -> None:
        # a function may rebind the module's name: from inside functions it is not a constant
        for name in node.names:
            _bind(self.module_scope, name, Binding(BindingKind.OTHER, END_OF_MODULE))

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.asname:
                _bind(self._scope, alias.asname, Binding(BindingKind.IMPORT, node.lineno, target=alias.name))
            else:
                root = alias.name.partition(".")[0]
                _bind(self._scope, root, Binding(BindingKind.IMPORT, node.lineno, target=root))

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = "." * node.level + (node.module or "")
        for alias in node.names:
            if alias.name == "*":
                self.star_imports.append(module)
                continue
            target = f"{module}.{alias.name}" if module and not module.endswith(".") else module + alias.name
            name = alias.asname or alias.name
            _bind(self._scope, name, Binding(BindingKind.IMPORT, node.lineno, target=target))

    def visit_Assign(self, node: ast.Assign) -> None:
        # a fifth of the statements of training code, most of them `name = value`: types are
        # compared exactly (`ast.parse` makes no subclasses) and a plain name target skips
        # what only other targets need
        for listener in self._listeners:
            listener.assigned(node)
        value, targets, lineno = node.value, node.targets, node.lineno
        kind = type(value)
        if type(value) is ast.Call:  # `type(value)` again where the type checker must narrow `value`
            for listener in self._listeners:
                listener.kept(value)  # as `_kept`
            if len(targets) == 1 and type(targets[0]) is ast.Name:
                self.assigned_to[id(value)] = targets[0].id
        if kind not in _NOT_ENTERED:
            (_HANDLERS.get(kind) or _handler(kind))(self, value)
        named = type(targets[0]) is ast.Name if len(targets) == 1 else all(type(target) is ast.Name for target in targets)
        if kind is not ast.Constant and not named:
            self._note_targets(targets, lineno)  # a name has no attribute to note
        if (kind is ast.Subscript or kind is ast.Call) and any(
            type(target) is ast.Tuple or type(target) is ast.List for target in targets
        ):
            self.unpackings.setdefault(lineno, []).append(node)
        for target in targets:
            self._bind_target(target, value, lineno)
            if named:
                continue
            if type(target) is ast.Subscript and type(target.value) is ast.Name:
                key = target.slice
                constant = key.value if isinstance(key, ast.Constant) and isinstance(key.value, str) else None
                self._mutate(target.value.id, Mutation(lineno, "setitem", value, constant))
            if type(target) is not ast.Name:
                self.visit(target)

    def visit_Delete(self, node: ast.Delete) -> None:
        self._note_targets(node.targets, node.lineno)
        for target in node.targets:
            if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
                self._mutate(target.value.id, Mutation(node.lineno, "delitem", None))
            self.visit(target)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if not isinstance(node.value, ast.Constant):
            # `x.b: T` without a value replaces no layer, but marks `x` as assigned into
            self._note_targets([node.target], node.lineno, layers=node.value is not None)
        self._kept(node.annotation)
        if node.value is not None:
            self._kept(node.value)
        if node.value is not None:
            self.visit(node.value)
            self._bind_target(node.target, node.value, node.lineno)
        if not isinstance(node.target, ast.Name):
            self.visit(node.target)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        for listener in self._listeners:
            listener.assigned(node)
        self._kept(node.value)
        self.visit(node.value)
        if isinstance(node.target, ast.Name) and isinstance(node.op, ast.Add):
            self._mutate(node.target.id, Mutation(node.lineno, "extend", node.value))
        elif isinstance(node.target, ast.Name):
            _bind(self._scope, node.target.id, Binding(BindingKind.OTHER, node.lineno))
        else:
            self.visit(node.target)

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        self.visit(node.value)
        _bind(self._scope, node.target.id, Binding(BindingKind.ASSIGN, node.lineno, node.value))

    def visit_For(self, node: ast.For | ast.AsyncFor) -> None:
        for listener in self._listeners:
            listener.block_entered(node)
        self.visit(node.iter)
        self._bind_other(node.target, node.lineno)
        self._loops.append((node, len(self._conditions)))
        self._visit_block(node.body)
        self._loops.pop()
        for statement in node.orelse:
            self.visit(statement)
        for listener in self._listeners:
            listener.block_left(node)

    visit_AsyncFor = visit_For

    def visit_With(self, node: ast.With | ast.AsyncWith) -> None:
        for listener in self._listeners:
            listener.block_entered(node)
        for item in node.items:
            self.visit(item.context_expr)
            if item.optional_vars is not None:
                self._bind_other(item.optional_vars, node.lineno)
        for statement in node.body:
            self.visit(statement)
        for listener in self._listeners:
            listener.block_left(node)

    visit_AsyncWith = visit_With

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.type is not None:
            self.visit(node.type)
        if node.name:
            _bind(self._scope, node.name, Binding(BindingKind.OTHER, node.lineno))
        for statement in node.body:
            self.visit(statement)

    def visit_comprehension(self, node: ast.comprehension) -> None:
        # Comprehension variables live in their own scope in Python 3; binding them in the
        # enclosing one as OTHER would shadow real bindings, so they are left unbound here.
        self.visit(node.iter)
        for condition in node.ifs:
            self.visit(condition)

    def visit_Call(self, node: ast.Call) -> None:
        # the commonest node that records something (a call in four of every hundred nodes of
        # training code): types compared exactly, as `ast.parse` makes no subclasses, and the
        # children dispatched here rather than through `visit`
        self.calls.append(node)
        key = id(node)
        self.scope_of[key] = self._scope
        if self._conditions:
            self.conditions_of[key] = tuple(self._conditions)
        func = node.func
        kind = type(func)
        if type(func) is ast.Attribute:  # `type(func)` again where the type checker must narrow `func`
            named = self.calls_by_name.get(func.attr)  # (`setdefault` would make a list each time)
            if named is None:
                self.calls_by_name[func.attr] = [node]
            else:
                named.append(node)
            value = func.value
            if type(value) is ast.Name:
                if func.attr in _MUTATING_METHODS:
                    changed = node if func.attr == "update" else (node.args[-1] if node.args else None)
                    self._mutate(value.id, Mutation(node.lineno, func.attr, changed))
                elif func.attr == "add_argument":
                    self._record_argparse(node)
            else:  # `a.b.c(...)`: only the innermost value can hold a call (as `visit_Attribute`)
                while type(value) is ast.Attribute:
                    value = value.value
                if type(value) not in _NOT_ENTERED:
                    (_HANDLERS.get(type(value)) or _handler(type(value)))(self, value)
        elif type(func) is ast.Name:
            named = self.calls_by_name.get(func.id)
            if named is None:
                self.calls_by_name[func.id] = [node]
            else:
                named.append(node)
            if func.id in ("setattr", "delattr") and len(node.args) >= 2:
                self._note_setattr(node)
        elif kind not in _NOT_ENTERED:
            (_HANDLERS.get(kind) or _handler(kind))(self, func)
        handlers = _HANDLERS
        for argument in node.args:
            kind = type(argument)
            if kind not in _NOT_ENTERED:
                (handlers.get(kind) or _handler(kind))(self, argument)
        for keyword in node.keywords:
            kind = type(keyword.value)
            if kind not in _NOT_ENTERED:
                (handlers.get(kind) or _handler(kind))(self, keyword.value)

    def _note_setattr(self, node: ast.Call) -> None:
        """`setattr(x, "b", v)` as `x.b = v`, `delattr(x, "b")` as `del x.b`."""
        named = node.args[1]
        value = node.args[2] if len(node.args) >= 3 else None
        if isinstance(named, ast.Constant) and isinstance(named.value, str) and not isinstance(value, ast.Constant):
            self._note_targets([ast.Attribute(node.args[0], named.value, ast.Store())], node.lineno, into=False)

    # -- helpers of the walk ---------------------------------------------------------------

    def _kept(self, value: ast.expr) -> None:
        # only calls: most operands are names and constants, and this runs for every one
        if isinstance(value, ast.Call):
            for listener in self._listeners:
                listener.kept(value)

    def _bind_target(self, target: ast.expr, value: ast.expr, lineno: int) -> None:
        if type(target) is ast.Name:
            binding = Binding(BindingKind.ASSIGN, lineno, value, conditions=tuple(self._conditions))
            _bind(self._scope, target.id, binding)
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
                    _bind(self._scope, element.id, Binding(BindingKind.UNPACKED, lineno, value))
            else:
                self._bind_other(target, lineno)

    def _note_targets(self, targets: list[ast.expr], lineno: int, *, into: bool = True, layers: bool = True) -> None:
        """`x.b.c = v`: `b` is assigned into (the target's own attribute `c` is not), and the
        layer `b` of `x` is replaced (the attribute next to the name)."""
        for target in targets:
            attributes = []  # outermost first
            root = target
            while isinstance(root, (ast.Attribute, ast.Subscript)):
                if isinstance(root, ast.Attribute):
                    attributes.append(root.attr)
                root = root.value
            if into:
                self.assigned_into.update(attributes[1:] if isinstance(target, ast.Attribute) else attributes)
            if layers and isinstance(root, ast.Name) and attributes:
                self.layer_assignments.setdefault(root.id, []).append((lineno, attributes[-1]))

    def _bind_other(self, target: ast.expr, lineno: int) -> None:
        # the names the target binds: not those read in it (`x, args.n = f()` binds x, not args)
        if isinstance(target, ast.Name):
            _bind(self._scope, target.id, Binding(BindingKind.OTHER, lineno))
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self._bind_other(element, lineno)
        elif isinstance(target, ast.Starred):
            self._bind_other(target.value, lineno)

    def _mutate(self, name: str, mutation: Mutation) -> None:
        if self._loops:
            loop, depth = self._loops[-1]
            mutation = mutation._replace(loop=loop, conditions=tuple(self._conditions[depth:]))
        self._scope.mutations.setdefault(name, []).append(mutation)

    def _record_argparse(self, call: ast.Call) -> None:
        options = [a.value for a in call.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
        keywords = {k.arg: k.value for k in call.keywords if k.arg}
        longs = [o for o in options if o.startswith("--")]
        shorts = [o for o in options if o.startswith("-") and not o.startswith("--")]
        positionals = [o for o in options if not o.startswith("-")]
        chosen = (longs or shorts or positionals or [""])[0]
        dest_node = keywords.get("dest")
        if isinstance(dest_node, ast.Constant) and isinstance(dest_node.value, str):
            dest = dest_node.value
        else:
            dest = chosen.lstrip("-").replace("-", "_")
        if not dest:
            return
        action = keywords.get("action")
        action_name = action.value if isinstance(action, ast.Constant) and isinstance(action.value, str) else None
        self.argparse[dest] = ArgparseOption(keywords.get("default"), action_name, keywords.get("choices"), chosen or dest)


# node type -> the walk's function for it, shared by every walk: functions of the class, not
# methods bound to one walk (a walk holding its own bound methods would be a reference cycle,
# and its module's whole tree would wait for the cyclic collector instead of being freed)
_HANDLERS: dict[type, Callable[[_Walk, Any], None]] = {}


def _handler(kind: type) -> Callable[[_Walk, Any], None]:
    default = _Walk.visit_leaf if kind in _NOT_ENTERED else _Walk.generic_visit
    found: Callable[[_Walk, Any], None] = getattr(_Walk, f"visit_{kind.__name__}", default)
    _HANDLERS[kind] = found
    return found


def _leaves_the_block(body: list[ast.stmt]) -> bool:
    return bool(body) and isinstance(body[-1], (ast.Continue, ast.Break, ast.Return, ast.Raise))
