"""The imports a fix adds or drops, in the file's style, with libcst's import visitors.

Each change is made on the few lines it concerns, parsed alone, so a fix never pays for a
libcst parse of the whole file:

- a name joins the `from module import ...` the rule names (`from torch.optim import Adam`
  gets `AdamW`): `AddImportsVisitor` on that statement, the new name then put where the
  statement's order puts it (after `Adam`, or at the end of names in no order), and the
  statement broken as black breaks imports when it no longer fits;
- `import torch` goes right before the file's first import of a torch module, else where
  `AddImportsVisitor` puts a new import: after the docstring and the imports that open the
  file (or the notebook cell);
- a name leaves its `from ... import` (`RemoveImportsVisitor`, which also drops the statement
  when nothing is left); the rule has checked that the rewritten call was its only use.

Every change stays inside the part of the file the finding is in (a notebook's cell): a name
imported in another cell is imported again in this one, and an import in another cell is left.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Sequence

import libcst as cst
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import AddImportsVisitor, ImportItem, RemoveImportsVisitor

from wdlint.analysis.facts import ModuleFacts
from wdlint.diagnostics import Edit, Position, Span
from wdlint.fixes.layout import width
from wdlint.fixes.style import Style
from wdlint.rules.fixes import AddImport, ImportChange, RemoveImport


class ImportError_(Exception):
    """A change that cannot be written (the lines do not parse alone, or the statement shares
    its line with another)."""


def import_edits(changes: Sequence[ImportChange], module: ModuleFacts, row: int, style: Style) -> list[Edit] | None:
    """Edits for the import changes of a fix found at `row`; None when a needed import cannot
    be written (without it the fixed code would not run)."""
    first, end = module.block(row)
    # the changes to one existing statement are made together, on its text
    statements: dict[Span, tuple[list[AddImport], list[RemoveImport]]] = {}
    new: list[AddImport] = []
    for change in changes:
        if isinstance(change, RemoveImport):
            if first <= change.statement.start.row < end:
                statements.setdefault(change.statement, ([], []))[1].append(change)
        elif change.name is not None and change.into is not None and first <= change.into.start.row < end:
            statements.setdefault(change.into, ([], []))[0].append(change)
        else:
            new.append(change)
    edits: list[Edit] = []
    for statement, (adds, removes) in statements.items():
        try:
            edits += _rewrite_statement(statement, adds, removes, module, style)
        except ImportError_:
            # the names it should have taken are imported anew; a removal is a courtesy (the
            # old import left in place still runs)
            new += adds
    for change in new:
        try:
            edits += _add(change, module, first, end, style)
        except ImportError_:
            return None
    return edits


def _rewrite_statement(
    statement: Span, adds: list[AddImport], removes: list[RemoveImport], module: ModuleFacts, style: Style
) -> list[Edit]:
    """A `from` import with names merged in (`AddImportsVisitor`) and names taken out
    (`RemoveImportsVisitor`, which drops the statement when nothing is left)."""
    rows = _statement_rows(module, statement)
    style = _at(style, module, rows[1])
    old = module.rows_text(*rows)
    tree = _parse(old, style)
    if adds:
        tree = tree.visit(_AddImports(CodemodContext(), [ImportItem(a.module, a.name) for a in adds]))
    if removes:
        context = CodemodContext()
        for remove in removes:
            RemoveImportsVisitor.remove_unused_import(context, remove.module, remove.name, remove.alias)
        tree = RemoveImportsVisitor(context).transform_module(tree)
    if not tree.body:
        return [Edit("", Position(rows[0], 1), Position(rows[1] + 1, 1))]
    code = _styled_import(tree, style).code
    return [_replacement(rows, code)] if code != old else []


def _add(change: AddImport, module: ModuleFacts, first: int, end: int, style: Style) -> list[Edit]:
    """A new import statement: `import torch` next to the file's torch imports, else (and for a
    name with no statement to join) where `AddImportsVisitor` puts it."""
    item = ImportItem(change.module, change.name)
    package = change.module.partition(".")[0]
    existing = module.imports_of(package, first, end) if change.name is None else []
    if existing:
        # next to the file's imports of torch, before the first one (as isort orders them)
        rows = _statement_rows(module, module.source.span(existing[0]))
        style = _at(style, module, rows[0])
        statement = cst.SimpleStatementLine([cst.Import([cst.ImportAlias(_dotted(change.module))])])
        code = cst.Module(body=[statement], default_newline=style.newline).code
        return [Edit(code, Position(rows[0], 1), Position(rows[0], 1))]
    head_first, head_last = module.leading_statements(first, end)
    style = _at(style, module, max(head_last, head_first))
    text = module.rows_text(head_first, head_last)
    added = _parse(text, style).visit(_AddImports(CodemodContext(), [item])).code
    if not added.endswith(("\n", "\r")) and (not text or text.endswith(("\n", "\r"))):
        added += style.newline  # libcst writes an empty module's new last line without its break
    edits = []
    for edit in _line_edits(head_first, text, added):
        following = module.source.lines[edit.location.row - 1] if edit.location.row < end else ""
        if edit.location == edit.end_location and following.strip() and not following.startswith(("import ", "from ")):
            # code right after the imports: a blank line between, as AddImportsVisitor keeps one
            edit = Edit(edit.content + style.newline, edit.location, edit.end_location)
        edits.append(edit)
    return edits


def _at(style: Style, module: ModuleFacts, row: int) -> Style:
    """The style with the line break of `row` (files may mix line endings)."""
    return dataclasses.replace(style, newline=module.line_break(row) or style.newline)


def _parse(text: str, style: Style) -> cst.Module:
    try:
        # a few lines may hold no line break to tell the file's: new ones are written with the file's
        return cst.parse_module(text).with_changes(default_newline=style.newline)
    except cst.ParserSyntaxError as error:  # an indented notebook cell, text that is not a module alone
        raise ImportError_ from error


def _statement_rows(module: ModuleFacts, span: Span) -> tuple[int, int]:
    """The whole lines of a statement that has them to itself (a comment may follow it)."""
    lines = module.source.lines
    before = lines[span.start.row - 1][: span.start.column - 1]
    after = lines[span.end.row - 1][span.end.column - 1 :].strip()
    if before or (after and not after.startswith("#")):
        raise ImportError_
    return span.start.row, span.end.row


def _replacement(rows: tuple[int, int], code: str) -> Edit:
    return Edit(code, Position(rows[0], 1), Position(rows[1] + 1, 1))


def _line_edits(first: int, old: str, new: str) -> list[Edit]:
    """Whole-line edits that turn `old` (the text of rows from `first` on) into `new`."""
    before, after = old.splitlines(keepends=True), new.splitlines(keepends=True)
    edits = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            edits.append(Edit("".join(after[j1:j2]), Position(first + i1, 1), Position(first + i2, 1)))
    return edits


def _dotted(name: str) -> cst.Attribute | cst.Name:
    parts = name.split(".")
    node: cst.Attribute | cst.Name = cst.Name(parts[0])
    for part in parts[1:]:
        node = cst.Attribute(node, cst.Name(part))
    return node


class _AddImports(AddImportsVisitor):
    """`AddImportsVisitor`, a name it merges into a `from` import put in that import's order
    (it puts new names first)."""

    def leave_ImportFrom(self, original_node: cst.ImportFrom, updated_node: cst.ImportFrom) -> cst.ImportFrom:
        merged = super().leave_ImportFrom(original_node, updated_node)
        if merged is updated_node or isinstance(updated_node.names, cst.ImportStar):
            return merged
        assert not isinstance(merged.names, cst.ImportStar)
        old = list(updated_node.names)
        added = list(merged.names[: len(merged.names) - len(old)])
        if _has_comments(updated_node):
            return merged  # new names first, the comments where they were
        return merged.with_changes(names=_in_order(old, added))


def _in_order(old: list[cst.ImportAlias], added: list[cst.ImportAlias]) -> list[cst.ImportAlias]:
    """Each new name where the statement's order puts it (plain or isort's: constants, classes,
    then the rest), or after the others when the names are in no order."""
    names = [alias.evaluated_name for alias in old]
    for key in (_plain, _isort):
        if names == sorted(names, key=key):
            aliases = list(old)
            for alias in added:
                keys = [key(a.evaluated_name) for a in aliases]
                position = next((i for i, k in enumerate(keys) if k > key(alias.evaluated_name)), len(aliases))
                aliases.insert(position, alias)
            return aliases
    return [*old, *added]


def _plain(name: str) -> tuple[int, str]:
    return 0, name


def _isort(name: str) -> tuple[int, str]:
    kind = 0 if name.isupper() and len(name) > 1 else 1 if name[:1].isupper() else 2
    return kind, name.lower()


def _styled_import(module: cst.Module, style: Style) -> cst.Module:
    """A one-statement module whose `from` import is laid out as black lays imports out: on
    one line when it fits and was not broken, else one name per line with a trailing comma."""
    line = module.body[0]
    if not isinstance(line, cst.SimpleStatementLine) or len(line.body) != 1 or not isinstance(line.body[0], cst.ImportFrom):
        return module
    statement = line.body[0]
    if isinstance(statement.names, cst.ImportStar) or _has_comments(statement):
        return module
    names = list(statement.names)
    broken = statement.lpar is not None and isinstance(statement.lpar.whitespace_after, cst.ParenthesizedWhitespace)
    if not broken:
        flat = [alias.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))) for alias in names[:-1]]
        last = names[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        one_line = module.with_changes(body=[line.with_changes(body=[statement.with_changes(names=[*flat, last])])])
        if all(width(row) <= style.line_length for row in one_line.code.splitlines()):
            return one_line
    between = cst.ParenthesizedWhitespace(last_line=cst.SimpleWhitespace(style.indent))
    laid = [
        alias.with_changes(comma=cst.Comma(whitespace_after=between if i < len(names) - 1 else cst.ParenthesizedWhitespace()))
        for i, alias in enumerate(names)
    ]
    exploded = statement.with_changes(
        names=laid,
        lpar=cst.LeftParen(whitespace_after=between),
        rpar=cst.RightParen(),
        whitespace_after_import=cst.SimpleWhitespace(" "),
    )
    return module.with_changes(body=[line.with_changes(body=[exploded])])


def _has_comments(node: cst.CSTNode) -> bool:
    finder = _Comments()
    node.visit(finder)
    return finder.found


class _Comments(cst.CSTVisitor):
    found = False

    def visit_Comment(self, node: cst.Comment) -> None:
        self.found = True
