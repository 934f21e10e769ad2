"""Module-level facts that fixes need: the source text, the imports, how often a name is used,
the statements an edit falls in and the file's indentation.

Built lazily (only when a rule asks while making a fix), from the parse the extraction made.
"""

from __future__ import annotations

import ast
import bisect
from functools import cached_property

from wdlint.analysis.index import ModuleIndex
from wdlint.analysis.scopes import BindingKind
from wdlint.diagnostics import Position, Span
from wdlint.frontends.python import PythonSource
from wdlint.frontends.text import line_starts
from wdlint.records import Record


class ImportedName(Record):
    """`from module import name [as alias]` at module level."""

    module: str
    name: str  # as the module defines it (the alias is the name the file uses)
    statement: Span  # the whole statement


# statements with a body: an edit in one of them is in its header, or in a statement of its body
_COMPOUND = (
    ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.If, ast.For, ast.AsyncFor, ast.While,
    ast.With, ast.AsyncWith, ast.Try, ast.Match,
) + ((ast.TryStar,) if hasattr(ast, "TryStar") else ())


class ModuleFacts:
    def __init__(self, source: PythonSource, index: ModuleIndex, blocks: tuple[int, ...] = (1,)) -> None:
        self.source = source
        self.index = index
        # the first row of each part a fix stays inside (a notebook's cells; a file is one part)
        self.blocks = blocks

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

    def binds(self, name: str) -> bool:
        """Whether the module binds `name` at module level at all."""
        return bool(self.index.module_scope.bindings.get(name))

    def module_name(self, module: str) -> str | None:
        """A module-level name that is `module` and nothing else (`torch` for `import torch`,
        `optim` for `from torch import optim`), the module's own last name first."""
        found = [
            name
            for name, bindings in self.index.module_scope.bindings.items()
            if bindings and all(b.kind is BindingKind.IMPORT and b.target == module for b in bindings)
        ]
        own = module.rpartition(".")[2]
        return own if own in found else min(found, default=None)

    def statement(self, span: Span) -> Span | None:
        """The innermost simple statement that holds `span`; None when it is in the header of
        a compound statement (`if`, `with`, a decorator, a default value)."""
        starts = self._simple_starts
        index = bisect.bisect_right(starts, (span.start.row, span.start.column)) - 1
        # simple statements never nest: the closest that starts before the span is the only candidate
        if index >= 0:
            statement = self._simple[index]
            if statement.end >= span.end:
                return statement
        return None

    def offset(self, position: Position) -> int:
        """A position as an index into the text."""
        return self._row_starts[position.row - 1] + position.column - 1

    def line_break(self, row: int) -> str | None:
        """The line break that ends `row` (None for a last line without one)."""
        starts = self._row_starts
        if row >= len(starts):
            return None
        end = starts[row]
        return "\r\n" if self.source.text.startswith("\r\n", end - 2) else self.source.text[end - 1]

    def rows_text(self, first: int, last: int) -> str:
        """Rows `first` to `last` of the text with their line breaks ("" when `last` < `first`)."""
        if last < first:
            return ""
        starts, text = self._row_starts, self.source.text
        return text[starts[first - 1] : starts[last] if last < len(starts) else len(text)]

    def block(self, row: int) -> tuple[int, int]:
        """The first row of the part `row` is in, and the row just after that part."""
        index = bisect.bisect_right(self.blocks, row) - 1
        first = self.blocks[max(index, 0)]
        end = self.blocks[index + 1] if index + 1 < len(self.blocks) else len(self.source.lines) + 1
        return first, end

    def leading_statements(self, first: int, end: int) -> tuple[int, int]:
        """Rows of the part's head that a new import goes after: from its first row to the row
        before the first statement that is neither its docstring nor an import (comments and
        blank lines above that statement included), as libcst's `AddImportsVisitor` reads a module."""
        body = [s for s in self.source.tree.body if first <= s.lineno < end]
        last = end - 1
        for position, statement in enumerate(body):
            docstring = (
                position == 0 and isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)
                and isinstance(statement.value.value, str)
            )
            if not docstring and not isinstance(statement, (ast.Import, ast.ImportFrom)):
                decorators = getattr(statement, "decorator_list", [])
                last = min([statement.lineno, *(d.lineno for d in decorators)]) - 1
                break
        return first, last

    def imports_of(self, package: str, first: int, end: int) -> list[ast.Import | ast.ImportFrom]:
        """The module-level imports of `package` or its submodules in rows `first`..`end`."""
        found: list[ast.Import | ast.ImportFrom] = []
        for statement in self.source.tree.body:
            if not first <= statement.lineno < end:
                continue
            if isinstance(statement, ast.Import):
                names = [alias.name for alias in statement.names]
            elif isinstance(statement, ast.ImportFrom) and not statement.level and statement.module:
                names = [statement.module]
            else:
                continue
            if any(name == package or name.startswith(package + ".") for name in names):
                found.append(statement)
        return found

    @cached_property
    def indent_unit(self) -> str:
        """One level of the file's indentation: its first indented block's, else four spaces."""
        lines = self.source.lines
        for node in ast.walk(self.source.tree):
            if isinstance(node, _COMPOUND) and node.body and node.body[0].lineno > node.lineno:
                outer, inner = _indent(lines[node.lineno - 1]), _indent(lines[node.body[0].lineno - 1])
                step = inner[len(outer) :]
                if step and inner.startswith(outer) and set(step) == {" "}:
                    return step
                break
        return "    "

    @cached_property
    def _row_starts(self) -> list[int]:
        return line_starts(self.source.text)

    @cached_property
    def _simple(self) -> list[Span]:
        spans = [
            self.source.span(node)
            for node in ast.walk(self.source.tree)
            if isinstance(node, ast.stmt) and not isinstance(node, _COMPOUND)
        ]
        return sorted(spans, key=lambda span: (span.start.row, span.start.column))

    @cached_property
    def _simple_starts(self) -> list[tuple[int, int]]:
        return [(span.start.row, span.start.column) for span in self._simple]

    def load_count(self, name: str) -> int:
        """How many times the module reads `name`."""
        return self._loads.get(name, 0)

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
            for alias in statement.names:
                name = alias.asname or alias.name
                if len(self.index.module_scope.bindings.get(name, [])) == 1:
                    found[name] = ImportedName(statement.module, alias.name, self.source.span(statement))
        return found


def _indent(line: str) -> str:
    """The blanks and tabs a line starts with."""
    return line[: len(line) - len(line.lstrip(" \t"))]
