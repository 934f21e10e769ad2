"""Where an expression is read: the environment every evaluation step passes on.

An `Env` is frozen: following a name to its assignment, entering a module it imports from or
inlining a helper's body gives a new environment and leaves this one (and the index) as it was.
It carries the one depth limit of the analysis: every step that follows something (a binding,
an import, an inlined call, a nested expression) is one deeper, and a step past `MAX_DEPTH`
gives up, which stops self-referential chains, recursive helpers and import cycles.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping

from wdlint.analysis.index import END_OF_MODULE, ModuleIndex
from wdlint.analysis.scopes import Binding, BindingKind, Scope
from wdlint.records import Record

TYPE_CHECKING = False  # `typing` is for type checkers: the hook never imports it (docs/architecture.md)

if TYPE_CHECKING:
    from wdlint.analysis.project import Imported, Project

MAX_DEPTH = 12  # how many steps one evaluation may follow
_MAX_SKIPPED = 8  # bindings that can never run skipped to find the one a use sees


class Frame(Record):
    """A call being inlined: the called function's parameters are the call's arguments."""

    index: ModuleIndex  # the module of the function
    scope: Scope  # the function's body
    arguments: Mapping[str, tuple[ast.expr, Scope, int]]  # parameter -> (argument, caller's scope, line)


class Env(Record):
    index: ModuleIndex  # the module being read
    scope: Scope
    line: int  # a use at this line sees the bindings made on lines before it
    project: Project | None = None  # follows imports of the project's own modules, when given
    depth: int = 0
    frames: tuple[Frame, ...] = ()  # the calls being inlined, innermost last
    # reading what selects a class or a branch: a function's parameter selects whatever its
    # callers pass, so its default does not tell which one runs (unless the call being inlined
    # leaves it to its default)
    choosing: bool = False
    # reading whether code can run: a command-line option may hold any of its values, so its
    # default does not tell (set whenever `choosing` is)
    cli_open: bool = False

    @staticmethod
    def of_module(index: ModuleIndex, project: Project | None = None) -> Env:
        """The module's own scope, after its last statement."""
        return Env(index, index.module_scope, END_OF_MODULE, project)

    @property
    def exhausted(self) -> bool:
        return self.depth > MAX_DEPTH

    def at(self, scope: Scope, line: int) -> Env:
        """The same evaluation, reading at another place of the same module."""
        return Env(self.index, scope, line, self.project, self.depth, self.frames, self.choosing, self.cli_open)

    def deeper(self, scope: Scope | None = None, line: int | None = None) -> Env:
        """One step further (at another place, if given)."""
        return Env(
            self.index,
            self.scope if scope is None else scope,
            self.line if line is None else line,
            self.project,
            self.depth + 1,
            self.frames,
            self.choosing,
            self.cli_open,
        )

    def choosing_a_branch(self) -> Env:
        """This environment, reading what selects a class or a branch (see `choosing`)."""
        return Env(self.index, self.scope, self.line, self.project, self.depth, self.frames, True, True)

    def judging_liveness(self) -> Env:
        """This environment, reading whether code can run at all: command-line options open,
        a parameter read as the call being inlined (or its default) gives it."""
        return Env(self.index, self.scope, self.line, self.project, self.depth, self.frames, False, True)

    def in_module(self, index: ModuleIndex) -> Env:
        """The same place read with another module's index: a helper of that module is
        inlined here, its arguments read where the call writes them."""
        return Env(index, self.scope, self.line, self.project, self.depth, self.frames, self.choosing, self.cli_open)

    def entering(self, imported: Imported) -> Env:
        """One step deeper, in the module an import refers to, after its last statement."""
        return Env(
            imported.index,
            imported.scope,
            END_OF_MODULE,
            self.project,
            self.depth + 1,
            self.frames,
            self.choosing,
            self.cli_open,
        )

    def inlined(self, function: ast.FunctionDef | ast.AsyncFunctionDef, call: ast.Call) -> Env | None:
        """`function`'s body (in this environment's module) as `call`, written at this place,
        calls it: its parameters are the call's arguments. None when the call cannot be mapped
        (`*args`) or the function is already being inlined (recursion)."""
        scope = self.index.function_scopes.get(id(function))
        if scope is None or any(f.scope is scope for f in self.frames):
            return None
        if any(isinstance(a, ast.Starred) for a in call.args):
            return None
        parameters = function.args
        names = [a.arg for a in (*parameters.posonlyargs, *parameters.args)]
        if scope.parent is not None and scope.parent.is_class and names:
            names = names[1:]  # a method called on an instance: self is bound already
        arguments = {name: (value, self.scope, call.lineno) for name, value in zip(names, call.args)}
        arguments.update({k.arg: (k.value, self.scope, call.lineno) for k in call.keywords if k.arg is not None})
        frames = (*self.frames, Frame(self.index, scope, arguments))
        return Env(self.index, scope, self.line, self.project, self.depth, frames, self.choosing, self.cli_open)

    def frames_scope(self, scope: Scope) -> bool:
        """Whether a call being inlined here binds the parameters of `scope`."""
        return any(frame.scope is scope and frame.index is self.index for frame in self.frames)

    # -- names ---------------------------------------------------------------------------

    def lookup(self, name: str) -> tuple[Binding, Scope] | None:
        """The binding a use of `name` here sees, and the scope that holds it; inside an inlined
        call a parameter is the caller's argument, read where the caller wrote it."""
        found = self.scope.lookup(name, self.line)
        if found is not None and found[0].conditions:
            found = self._live(name, *found)
        if found is None or found[0].kind is not BindingKind.PARAM or not self.frames:
            return found
        defining = found[1]
        for frame in self.frames:
            # a frame is the inlining module's: a scope of another module read with this
            # module's index (`in_module`) does not see it
            if frame.scope is defining and frame.index is self.index:
                argument = frame.arguments.get(name)
                if argument is not None:
                    value, caller, caller_line = argument
                    return Binding(BindingKind.ASSIGN, caller_line, value), caller
        return found

    def _live(self, name: str, binding: Binding, defining: Scope) -> tuple[Binding, Scope] | None:
        """The last binding up to `binding` whose `if` conditions may hold: `x = a` under
        `if False:` (or a parameter's condition no caller can meet) is not what `x` holds."""
        # imported here: the evaluator (which `choice` is built on) reads this module
        from wdlint.analysis.choice import enclosing_truth

        position = defining.position(name, binding)
        if position is None:
            return binding, defining
        bindings = defining.bindings[name]
        for skipped, candidate in enumerate(reversed(bindings[max(0, position - _MAX_SKIPPED) : position + 1])):
            if self.depth >= MAX_DEPTH or skipped == _MAX_SKIPPED:
                return candidate, defining  # too deep or too many to judge: read as live
            there = self.deeper(defining, candidate.lineno).judging_liveness()
            if all(enclosing_truth(there, test) is not (not positive) for test, positive in candidate.conditions):
                return candidate, defining
        return None

    def assignment(self, name: str) -> tuple[ast.expr, Binding, Scope] | None:
        """The value `name` holds here by a plain assignment, with that binding and the scope
        that holds it; None when it is unbound, a parameter or an import."""
        found = self.lookup(name)
        if found is None:
            return None
        binding, defining = found
        if binding.kind is not BindingKind.ASSIGN or binding.value is None:
            return None
        return binding.value, binding, defining

    def imported(self, binding: Binding) -> Imported | None:
        """The binding in another file of the project that an import binding refers to."""
        if binding.kind is not BindingKind.IMPORT:
            return None
        return self.resolve_import(binding.target)

    def resolve_import(self, target: str) -> Imported | None:
        """The module-level binding `target` ("config.WEIGHT_DECAY") names in the project."""
        if self.project is None or self.index.path is None:
            return None
        return self.project.resolve(self.index.path, target)
