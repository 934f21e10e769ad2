"""Module-level facts that fixes need: the source text, the imports, how often a name is used.

Built lazily (only when a rule asks while making a fix), from the parse the extraction made.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import cached_property

from wdlint.analysis.index import ModuleIndex
from wdlint.analysis.scopes import BindingKind
from wdlint.diagnostics import Position, Span
from wdlint.frontends.python import PythonSource


@dataclass(frozen=True)
class ImportedName:
    """`from module import name [as alias]` at module level."""

    module: str
    statement: Span  # the whole statement
    alias: Span  # `name` or `name as alias`
    aliases: int  # how many names the statement imports
    previous_alias_end: Position | None  # where the alias before this one ends (to cut ", name")
    next_alias_start: Position | None  # where the alias after this one starts


class ModuleFacts:
    def __init__(self, source: PythonSource, index: ModuleIndex) -> None:
        self.source = source
        self.index = index

    def segment(self, span: Span) -> str:
        """The source text of a span."""
        lines = self.source.lines
        start, end = span.start, span.end
        if start.row == end.row:
            return lines[start.row - 1][start.column - 1 : end.column - 1]
        parts = [lines[start.row - 1][start.column - 1 :]]
        parts += lines[start.row : end.row - 1]
        parts.append(lines[end.row - 1][: end.column - 1])
        return "\n".join(parts)

    def binds_module(self, name: str, module: str) -> bool:
        """Whether `name` is `module` at module level (`import torch`)."""
        bindings = self.index.module_scope.bindings.get(name, [])
        return any(b.kind is BindingKind.IMPORT and b.target == module for b in bindings) and all(
            b.kind is BindingKind.IMPORT for b in bindings
        )

    def imported_name(self, name: str) -> ImportedName | None:
        """The module-level `from ... import` that binds `name`, if that is its only binding."""
        return self._from_imports.get(name)

    def load_count(self, name: str) -> int:
        """How many times the module reads `name`."""
        return self._loads.get(name, 0)

    @property
    def import_insertion_point(self) -> Position:
        """Where a new import line goes: before the first import (after a docstring)."""
        tree = self.source.tree
        for statement in tree.body:
            if isinstance(statement, (ast.Import, ast.ImportFrom)) and not (
                isinstance(statement, ast.ImportFrom) and statement.module == "__future__"
            ):
                return Position(statement.lineno, 1)
        return Position(1, 1)

    @cached_property
    def _loads(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for node in ast.walk(self.source.tree):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                counts[node.id] = counts.get(node.id, 0) + 1
        return counts

    @cached_property
    def _from_imports(self) -> dict[str, ImportedName]:
        found: dict[str, ImportedName] = {}
        for statement in self.source.tree.body:
            if not isinstance(statement, ast.ImportFrom) or not statement.module or statement.level:
                continue
            aliases = statement.names
            for position, alias in enumerate(aliases):
                name = alias.asname or alias.name
                bindings = self.index.module_scope.bindings.get(name, [])
                if len(bindings) != 1:
                    continue
                previous = self.source.span(aliases[position - 1]).end if position else None
                following = self.source.span(aliases[position + 1]).start if position + 1 < len(aliases) else None
                found[name] = ImportedName(
                    statement.module,
                    self.source.span(statement),
                    self.source.span(alias),
                    len(aliases),
                    previous,
                    following,
                )
        return found
