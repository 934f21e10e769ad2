"""Scopes and what binds a name in them: the data a module's index is made of, and the reads
a lookup makes of it (the walk that fills them is `wdlint.analysis.index`)."""

from __future__ import annotations

import ast
import bisect
import sys
from collections.abc import Iterator
from enum import Enum

from wdlint.records import Record, field


class BindingKind(Enum):
    IMPORT = "import"  # `target` holds the qualified name
    ASSIGN = "assign"  # `value` holds the assigned expression
    UNPACKED = "unpacked"  # `a, b = call(...)`: `value` holds the call, not this name's value
    PARAM = "param"  # a function parameter; `value` holds its default, if any
    DEFINITION = "definition"  # def / class: the user's own object
    OTHER = "other"  # loop targets, with-targets, unpacking we do not follow


class Binding(Record):
    kind: BindingKind
    lineno: int
    value: ast.expr | None = None
    target: str = ""
    function: ast.FunctionDef | ast.AsyncFunctionDef | None = None  # DEFINITION of a function
    # the `if` conditions around the binding in its scope: (test, in the body?); a binding
    # under a condition that can never hold is not one a later use sees
    conditions: tuple[tuple[ast.expr, bool], ...] = ()


class Mutation(Record):
    lineno: int
    how: str  # a method name (append, extend, insert, update, pop, ...), "setitem" or "delitem"
    value: ast.expr | None  # what was added: the argument, the assigned value, the update call
    key: str | None = None  # setitem with a constant string key
    loop: ast.For | ast.AsyncFor | None = None  # the innermost loop around the change
    # the `if` conditions around the change inside that loop: (test, in the body?)
    conditions: tuple[tuple[ast.expr, bool], ...] = ()


class Scope(Record, eq=False):
    """A module, class or function body. Filled by the walk that creates it, read afterwards."""

    node: ast.AST
    parent: Scope | None
    is_class: bool = False
    # name -> bindings, in line order, so that a lookup is a bisection: a generated file may bind
    # one name tens of thousands of times
    bindings: dict[str, list[Binding]] = field(default_factory=dict)
    # name -> in-place changes: x.append(v), x.extend(v), x += v, x["k"] = v, x.update(...)
    mutations: dict[str, list[Mutation]] = field(default_factory=dict)

    def binding_before(self, name: str, lineno: int) -> Binding | None:
        """The last binding of `name` on a line before `lineno`."""
        bindings = self.bindings.get(name, [])
        index = bisect.bisect_left(bindings, lineno, key=binding_line)
        return bindings[index - 1] if index else None

    def position(self, name: str, binding: Binding) -> int | None:
        """Where `binding` is in `name`'s bindings of this scope; None when it is not one of them."""
        bindings = self.bindings.get(name, [])
        index = bisect.bisect_right(bindings, binding.lineno, key=binding_line)
        while index and bindings[index - 1].lineno == binding.lineno:
            if bindings[index - 1] is binding:
                return index - 1
            index -= 1
        return None

    def next_binding_line(self, name: str, lineno: int) -> int | None:
        """The first line after `lineno` that binds `name` again."""
        bindings = self.bindings.get(name, [])
        index = bisect.bisect_right(bindings, lineno, key=binding_line)
        return bindings[index].lineno if index < len(bindings) else None

    def lookup(self, name: str, lineno: int) -> tuple[Binding, Scope] | None:
        """The binding a use of `name` at `lineno` in this scope sees, and the scope that holds it.

        None for builtins and unbound names. Methods do not see their class body's names.
        """
        current: Scope | None = self
        same_scope = True
        while current is not None:
            if current.is_class and not same_scope:
                current = current.parent
                continue
            bindings = current.bindings.get(name)
            if bindings:
                # strictly before in the same scope (`x = f(x)` reads the previous x); from an
                # inner scope the last one: a function body runs after the enclosing scope ran
                found = current.binding_before(name, lineno) if same_scope else bindings[-1]
                return (found, current) if found is not None else None
            current, same_scope = current.parent, False
        return None

    def mutations_between(self, name: str, binding: Binding, use_scope: Scope, lineno: int) -> Iterator[Mutation]:
        """In-place changes to this scope's `name` after `binding` and before a use at `lineno`.

        A use from an inner scope (a function body) runs after the whole defining scope did,
        so every later change counts.
        """
        end = lineno if use_scope is self else sys.maxsize
        for mutation in self.mutations.get(name, ()):
            if binding.lineno <= mutation.lineno <= end:
                yield mutation


def binding_line(binding: Binding) -> int:
    return binding.lineno
