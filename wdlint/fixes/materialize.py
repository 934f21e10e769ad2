"""A rule's `FixPlan` written out as the `Fix` that is shown and applied.

The plan's edits are applied to the statements they fall in. A statement whose rewritten lines
still fit the line length keeps the plan's edits as they are; one where a line the fix wrote
no longer fits (and is longer than the line it replaced) is laid out again (`layout.Breaker`)
and replaced whole. What is laid out is the smallest part of the statement that is a line of its own: an
element of a call or literal already written one element per line (so comments on the other
lines stay), else the statement. A comment after the statement stays on its first line, where a
`# noqa` for the call is read. Continuation lines aligned with a bracket the fix moved move
with it. Then the plan's imports (`imports`).
"""

from __future__ import annotations

import bisect
import dataclasses
import io
import re
import tokenize
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from wdlint.analysis.facts import ModuleFacts
from wdlint.diagnostics import Edit, Fix, Position, Span
from wdlint.fixes.layout import Breaker, Unbreakable, line_width, width
from wdlint.fixes.style import DEFAULT_LINE_LENGTH, Style, line_length_for
from wdlint.frontends.text import line_starts
from wdlint.rules.fixes import FixPlan

_INDENT = re.compile(r"[ \t]*")
_NEWLINE = re.compile(r"\r\n|\r|\n")


def style_of(module: ModuleFacts, path: Path | None) -> Style:
    """The layout of the file at `path` (standard input: where it claims to be; None: text of
    no project, laid out to the formatters' default line length)."""
    match = _NEWLINE.search(module.source.text)
    length = line_length_for(path) if path is not None else DEFAULT_LINE_LENGTH
    return Style(length, module.indent_unit, match.group() if match else "\n")


def materialize(plan: FixPlan, module: ModuleFacts, style: Style) -> Fix | None:
    """The fix's edits in the file's layout; None when an import it needs cannot be written."""
    by_statement: dict[Span | None, list[Edit]] = {}
    for edit in plan.edits:
        by_statement.setdefault(module.statement(Span(edit.location, edit.end_location)), []).append(edit)
    edits: list[Edit] = []
    for statement, group in by_statement.items():
        laid = _relayout(statement, group, module, style) if statement is not None else None
        edits += group if laid is None else [laid]
    if plan.imports:
        # libcst's codemod visitors cost 0.2 s to import: only for a fix that changes imports
        from wdlint.fixes.imports import import_edits

        row = plan.edits[0].location.row if plan.edits else 1
        imported = import_edits(plan.imports, module, row, style)
        if imported is None:
            return None
        edits += imported
    return Fix(plan.applicability, plan.message, tuple(edits))


@dataclass(frozen=True)
class _Rewritten:
    """A statement's text with a fix's edits applied."""

    text: str
    changed: list[tuple[int, int]]  # where each edit's new text is, as offsets into `text`


def _rewrite(module: ModuleFacts, statement: Span, edits: Sequence[Edit]) -> _Rewritten:
    base = module.offset(statement.start)
    text = module.source.text[base : module.offset(statement.end)]
    delta, changed = 0, []
    pieces = []
    done = 0
    for edit in sorted(edits, key=lambda e: (e.location, e.end_location)):
        start, end = module.offset(edit.location) - base, module.offset(edit.end_location) - base
        pieces += [text[done:start], edit.content]
        changed.append((start + delta, start + delta + len(edit.content)))
        delta += len(edit.content) - (end - start)
        done = end
    pieces.append(text[done:])
    return _Rewritten("".join(pieces), changed)


def _relayout(statement: Span, edits: list[Edit], module: ModuleFacts, style: Style) -> Edit | None:
    """The statement laid out again when a line the fix wrote is over the line length; its
    continuation lines moved with the bracket they were aligned to; None when the plan's edits
    stand as they are."""
    lines = module.source.lines
    # new lines end as the statement's own last line does (files may mix line endings)
    style = dataclasses.replace(style, newline=module.line_break(statement.end.row) or style.newline)
    prefix = lines[statement.start.row - 1][: statement.start.column - 1]
    tail = lines[statement.end.row - 1][statement.end.column - 1 :]
    rewritten = _rewrite(module, statement, edits)
    original = module.source.text[module.offset(statement.start) : module.offset(statement.end)]
    realigned, moved = _realigned(original, rewritten.text, width(prefix))
    written = _written_rows(rewritten, prefix, edits)
    written.update({row: statement.start.row + row for row in moved if row not in written})
    if not _overflows(prefix + realigned + tail, written, lines, style.line_length):
        return Edit(realigned, statement.start, statement.end) if moved else None
    comment = tail.strip()
    if comment and not comment.startswith("#"):
        return None  # `; more code` after it
    try:
        # the statement alone may hold no line break to tell the file's: written with the file's
        tree = cst.parse_module(rewritten.text).with_changes(default_newline=style.newline)
        laid = _laid_out(tree, rewritten, prefix, tail, style)
    except (cst.ParserSyntaxError, Unbreakable):
        return None
    if laid is None:
        return None
    text, whole_statement = laid
    end = statement.end
    if comment and whole_statement and style.newline in text:
        # the comment after the statement (a noqa comment among them) stays on its first line
        first, rest = text.split(style.newline, 1)
        text = f"{first}  {comment}{style.newline}{rest}"
        end = Position(statement.end.row, len(lines[statement.end.row - 1]) + 1)
    return Edit(text, statement.start, end)


def _written_rows(rewritten: _Rewritten, prefix: str, edits: Sequence[Edit]) -> dict[int, int]:
    """The statement's rows (from 0) that the edits wrote, each with the file's row it was made from."""
    starts = line_starts(prefix + rewritten.text)
    written: dict[int, int] = {}
    for edit, (start, end) in zip(sorted(edits, key=lambda e: (e.location, e.end_location)), rewritten.changed):
        first = bisect.bisect_right(starts, start + len(prefix)) - 1
        last = bisect.bisect_right(starts, max(end + len(prefix) - 1, start + len(prefix))) - 1
        for row in range(first, last + 1):
            written.setdefault(row, edit.location.row)
    return written


def _overflows(full: str, written: dict[int, int], lines: list[str], limit: int) -> bool:
    """Whether a row the fix wrote is over `limit`, and longer than the line it was made from
    (a line that was too long already is laid out only if the fix made it longer still).
    Widths as the line length counts them: a tool's comment at the end (`# noqa`) left out."""
    rows = _NEWLINE.split(full)
    return any(
        line_width(rows[row]) > max(limit, line_width(lines[origin - 1])) for row, origin in written.items() if row < len(rows)
    )


def _realigned(original: str, rewritten: str, column: int) -> tuple[str, list[int]]:
    """`rewritten` with each continuation line that `original` aligned with an open bracket
    (just after it, or a closing bracket under it) aligned with where that bracket is now, and
    the rows (from 0) so moved. Nothing moves when the edits changed the statement's rows."""
    before, after = _open_brackets(original, column), _open_brackets(rewritten, column)
    if before is None or after is None or len(before) != len(after):
        return rewritten, []
    old_lines, new_lines = original.split("\n"), rewritten.split("\n")
    if len(old_lines) != len(new_lines):
        return rewritten, []
    moved = []
    for row in range(1, len(new_lines)):
        old_open, new_open = before[row - 1], after[row - 1]
        line, old_line = new_lines[row], old_lines[row]
        indent = len(old_line) - len(old_line.lstrip(" "))
        if old_open is None or new_open is None or old_open == new_open or old_line[indent:indent + 1] in ("", "\t"):
            continue
        if indent in (old_open, old_open + 1) and line.startswith(" " * indent):
            shift = new_open - old_open
            new_lines[row] = " " * (indent + shift) + line[indent:]
            moved.append(row)
    return "\n".join(new_lines), moved


def _open_brackets(text: str, column: int) -> list[int | None] | None:
    """For each row of a statement (its first at `column`): the column of the innermost bracket
    still open at its end; None for the whole when it does not tokenize alone."""
    rows: list[int | None] = [None] * (text.count("\n") + 1)
    stack: list[int] = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(text + "\n").readline):
            if token.type == tokenize.OP and token.string in "([{":
                stack.append(token.start[1] + (column if token.start[0] == 1 else 0))
            elif token.type == tokenize.OP and token.string in ")]}" and stack:
                stack.pop()
            elif token.type in (tokenize.NL, tokenize.NEWLINE) and token.start[0] <= len(rows):
                rows[token.start[0] - 1] = stack[-1] if stack else None
    except (tokenize.TokenError, SyntaxError):
        return None
    return rows


def _laid_out(tree: cst.Module, rewritten: _Rewritten, prefix: str, tail: str, style: Style) -> tuple[str, bool] | None:
    """The statement's new text, and whether the statement was laid out whole (else an element
    of it); None for a statement with no value to split (`del`, `assert`, two on one line)."""
    line = tree.body[0] if len(tree.body) == 1 else None
    if not isinstance(line, cst.SimpleStatementLine) or len(line.body) != 1:
        return None
    wrapper = MetadataWrapper(tree, unsafe_skip_copy=True)
    positions = wrapper.resolve(PositionProvider)
    starts = line_starts(rewritten.text)
    changed = [_range(starts, start, end) for start, end in rewritten.changed]
    element = _element_unit(tree, positions, changed)
    value = element if element is not None else _statement_value(line.body[0])
    if value is None:
        return None
    where = positions[value]
    text_lines = [rewritten.text[a:b].rstrip("\r\n") for a, b in zip(starts, [*starts[1:], len(rewritten.text)])]
    start_line = text_lines[where.start.line - 1]
    end_line = text_lines[where.end.line - 1]
    head = width(start_line[: where.start.column]) + (width(prefix) if where.start.line == 1 else 0)
    indent_of = prefix if where.start.line == 1 else start_line
    indent = _INDENT.match(indent_of)
    assert indent is not None
    after = width(end_line[where.end.column :]) + (line_width(tail) if where.end.line == len(text_lines) else 0)
    small = line.body[0]
    assigned = element is None and isinstance(small, (cst.Assign, cst.AnnAssign, cst.AugAssign))
    laid = Breaker(style).fit(value, head, after, indent.group(), assigned=assigned)
    replaced = tree.deep_replace(value, laid)
    assert isinstance(replaced, cst.Module)
    return replaced.code, element is None


def _statement_value(statement: cst.BaseSmallStatement) -> cst.BaseExpression | None:
    """What a formatter splits a statement at: the value it assigns, returns or is."""
    if isinstance(statement, (cst.Assign, cst.AugAssign, cst.Expr, cst.AnnAssign, cst.Return)):
        return statement.value
    return None


def _range(starts: list[int], start: int, end: int) -> tuple[tuple[int, int], tuple[int, int]]:
    """Offsets as (line, column) pairs, as libcst's positions count them."""
    def at(offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(starts, offset)
        return line, offset - starts[line - 1]

    return at(start), at(end)


def _element_unit(
    tree: cst.Module, positions: Mapping[cst.CSTNode, CodeRange], changed: list[tuple[tuple[int, int], tuple[int, int]]]
) -> cst.BaseExpression | None:
    """The value of the innermost element, among those of brackets written one element per
    line, that holds every change."""
    finder = _ExplodedElements()
    tree.visit(finder)
    best: tuple[int, cst.BaseExpression] | None = None
    for element, value in finder.found:
        start, end = positions[element], positions[value]
        low, high = (start.start.line, start.start.column), (end.end.line, end.end.column)
        if all(low <= a and b <= high for a, b in changed):
            size = (high[0] - low[0]) * 100_000 + high[1] - low[1]
            if best is None or size < best[0]:
                best = (size, value)
    return best[1] if best is not None else None


class _ExplodedElements(cst.CSTVisitor):
    """(element, its value) of every call and collection written one element per line."""

    def __init__(self) -> None:
        self.found: list[tuple[cst.CSTNode, cst.BaseExpression]] = []

    def _collect(self, opening: cst.BaseParenthesizableWhitespace, elements: Sequence[cst.CSTNode]) -> None:
        if not isinstance(opening, cst.ParenthesizedWhitespace):
            return
        commas = [getattr(e, "comma", None) for e in elements[:-1]]
        if all(isinstance(c, cst.Comma) and isinstance(c.whitespace_after, cst.ParenthesizedWhitespace) for c in commas):
            for element in elements:
                value = getattr(element, "value", None)
                if isinstance(value, cst.BaseExpression):
                    self.found.append((element, value))

    def visit_Call(self, node: cst.Call) -> None:
        self._collect(node.whitespace_before_args, node.args)

    def visit_List(self, node: cst.List) -> None:
        self._collect(node.lbracket.whitespace_after, node.elements)

    def visit_Set(self, node: cst.Set) -> None:
        self._collect(node.lbrace.whitespace_after, node.elements)

    def visit_Dict(self, node: cst.Dict) -> None:
        self._collect(node.lbrace.whitespace_after, node.elements)

    def visit_Tuple(self, node: cst.Tuple) -> None:
        if node.lpar:
            self._collect(node.lpar[0].whitespace_after, node.elements)
