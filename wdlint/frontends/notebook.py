"""Jupyter notebooks: code cells as one Python module, with positions mapped back to cells.

Each code cell is parsed on its own, after IPython syntax (`%magic`, `!shell`, `x?`) is masked
with text of the same length, so a cell that does not parse is reported alone and columns
stay true. The cells that parse are then joined in order into one module, as the kernel runs
them, so a name bound in cell 2 resolves in cell 5. Cells are numbered from 1 over all cells,
markdown included, as ruff numbers them. A masked line is never a place a fix can edit, so a
position in the joined module maps back to the same row and column of the cell's own source.
A cell whose first line is indented is parsed as IPython runs it, with that indentation
removed, and its positions shifted back: it is valid in Jupyter, so it is no WD001.
"""

from __future__ import annotations

import ast
import bisect
import json
import re
from collections.abc import Iterator
from functools import cached_property

from wdlint.diagnostics import Diagnostic, Edit, Fix, Position
from wdlint.frontends.python import PythonSource, parse_python
from wdlint.frontends.text import (
    JsonScanner,
    SourceError,
    check_size,
    decode_utf8,
    line_starts,
    load_json,
    skip_json_whitespace,
)
from wdlint.records import Record

# Cell magics whose body is Python that the kernel runs: only their first line is masked.
# Any other cell magic (%%bash, %%writefile, %%html, ...) makes the whole cell something else.
_PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug"})
_CELL_MAGIC = re.compile(r"%%(\w*)")
# At the start of a logical line: a line magic, a shell escape, or a help request
_ESCAPE = re.compile(r"[ \t]*([%!?].*)")
_HELP_SUFFIX = re.compile(r"[ \t]*([A-Za-z_][\w.]*\?\??)[ \t]*")
# `files = !ls`, `t = %timeit -o f()`: IPython assigns the escape's result
_ASSIGNED_ESCAPE = re.compile(r"[ \t]*[A-Za-z_][\w.]*(?:[ \t]*,[ \t]*[A-Za-z_][\w.]*)*[ \t]*=[ \t]*([%!].*)")
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)?")
_STRING_START = re.compile(r"'''|\"\"\"|'|\"")
_OWN_LINE = re.compile(r"\bline (\d+)\b")  # how a message names a row of its own module


class CodeCell(Record):
    number: int  # 1-based over all cells, as ruff counts them
    first_row: int  # the row of the cell's first line in the joined module
    source: str  # the cell's text as written (unmasked)
    end_row: int = 0  # the row just after the cell in the joined module


class CellMap(Record):
    """Rows of the joined module back to (cell, row in the cell); columns are unchanged."""

    cells: tuple[CodeCell, ...]

    @cached_property
    def first_rows(self) -> tuple[int, ...]:
        # each cell's first row, listed once: a notebook of n cells with a finding in each is
        # placed in n bisections, not n lists of n rows
        return tuple(cell.first_row for cell in self.cells)

    def locate(self, row: int) -> tuple[CodeCell, int]:
        index = bisect.bisect_right(self.first_rows, row) - 1
        cell = self.cells[max(index, 0)]
        return cell, row - cell.first_row + 1

    def place(self, diagnostic: Diagnostic) -> Diagnostic:
        """A diagnostic of the joined module, with its positions in its cell."""
        cell, row = self.locate(diagnostic.location.row)
        end_cell, end_row = self.locate(diagnostic.end_location.row)
        noqa_row = None
        if diagnostic.noqa_row is not None:
            noqa_cell, noqa_in_cell = self.locate(diagnostic.noqa_row)
            noqa_row = noqa_in_cell if noqa_cell is cell else None
        return diagnostic._replace(
            message=self.placed_message(diagnostic.message),
            location=Position(row, diagnostic.location.column),
            end_location=(
                Position(end_row, diagnostic.end_location.column)
                if end_cell is cell
                else Position(row, diagnostic.location.column)
            ),
            noqa_row=noqa_row,
            cell=cell.number,
            fix=self._place_fix(diagnostic.fix, cell),
        )

    def placed_message(self, message: str) -> str:
        """A message names a place of its own module as `line N` (where a value, a caller or a
        penalty is written): in a notebook that is `cell C:R`. Code quoted in backticks is
        left as it is."""
        parts = message.split("`")
        for index in range(0, len(parts), 2):
            parts[index] = _OWN_LINE.sub(lambda m: self._cell_place(int(m.group(1))), parts[index])
        return "`".join(parts)

    def _cell_place(self, row: int) -> str:
        cell, in_cell = self.locate(row)
        return f"cell {cell.number}:{in_cell}"

    def _place_fix(self, fix: Fix | None, cell: CodeCell) -> Fix | None:
        """The fix in the cell's own positions; None when an edit reaches into another cell."""
        if fix is None:
            return None
        edits = []
        for edit in fix.edits:
            start_cell, start_row = self.locate(edit.location.row)
            end_cell, end_row = self.locate(edit.end_location.row)
            if start_cell is not cell or (end_cell is not cell and edit.end_location.row != cell.end_row):
                return None
            if end_cell is not cell:  # the end of the cell's last line: a deletion of that line
                end_row = edit.end_location.row - cell.first_row + 1
            edits.append(
                Edit(edit.content, Position(start_row, edit.location.column), Position(end_row, edit.end_location.column))
            )
        return fix._replace(edits=tuple(edits))


class Notebook(Record):
    source: PythonSource | None  # the code cells that parse, joined; None when there are none
    cells: CellMap
    errors: tuple[SourceError, ...]  # code cells that do not parse, even masked (with their `cell`)


_NOT_TEXT = "`source` is not text"


def parse_notebook(text: str, filename: str, max_size: int = 0) -> Notebook:
    """SourceError when the text is not a notebook or its code is over `max_size` characters
    (0: no limit; images and outputs do not count); cells that do not parse are `errors`."""
    code_cells = list(_code_cells(text))
    check_size(sum(len(source or "") for _, source in code_cells), max_size, "the notebook's code")
    # each code cell that is text and Python, masked; a None source is a malformed cell
    masked_cells: list[tuple[int, str | None, str]] = []
    for number, source in code_cells:
        masked = mask_ipython(source) if source is not None else ""
        if masked is not None:  # None: a cell magic runs something other than Python
            masked_cells.append((number, source, masked))
    return _parsed_joined(masked_cells, filename) or _parsed_cell_by_cell(masked_cells, filename)


def _parsed_cell_by_cell(masked_cells: list[tuple[int, str | None, str]], filename: str) -> Notebook:
    """Each cell parsed alone: a cell that does not parse is reported alone, the others joined."""
    trees: list[ast.stmt] = []
    cells: list[CodeCell] = []
    errors: list[SourceError] = []
    joined: list[str] = []
    row = 1
    for number, source, masked in masked_cells:
        if source is None:
            errors.append(SourceError(f"malformed cell: {_NOT_TEXT}", Position(1, 1), number))
            continue
        try:
            tree = _parse_cell(masked, number)
        except SourceError as error:
            errors.append(SourceError(error.message, error.position, number))
            continue
        masked = _ended(masked)
        ast.increment_lineno(tree, row - 1)
        trees += tree.body
        rows = len(line_starts(masked)) - 1
        cells.append(CodeCell(number, row, source, row + rows))
        joined.append(masked)
        row += rows
    module = ast.Module(body=trees, type_ignores=[])
    python = PythonSource(filename, "".join(joined), module) if cells else None
    return Notebook(python, CellMap(tuple(cells)), tuple(errors))


def _parsed_joined(masked_cells: list[tuple[int, str | None, str]], filename: str) -> Notebook | None:
    """The notebook from one parse of its cells joined, when that is what parsing each alone
    gives: every cell parses alone exactly when the joined text parses and no statement runs
    from one cell into the next (a string, a bracket or a decorator left open), and no cell
    ends in a backslash (which would join the next cell's first line) or starts indented (it
    runs dedented: `_parse_cell`). None when that cannot be told from the joined parse."""
    cells: list[CodeCell] = []
    joined: list[str] = []
    errors: list[SourceError] = []
    row = 1
    for number, source, masked in masked_cells:
        if source is None:
            errors.append(SourceError(f"malformed cell: {_NOT_TEXT}", Position(1, 1), number))
            continue
        if masked.rstrip("\r\n").endswith("\\") or strip_leading_indent(masked) is not None:
            return None
        masked = _ended(masked)
        rows = len(line_starts(masked)) - 1
        cells.append(CodeCell(number, row, source, row + rows))
        joined.append(masked)
        row += rows
    if not cells:
        return Notebook(None, CellMap(()), tuple(errors))
    try:
        python = parse_python("".join(joined), filename)
    except SourceError:
        return None
    ends = [cell.end_row for cell in cells]
    for statement in python.tree.body:
        first = statement.lineno
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and statement.decorator_list:
            first = min(first, *(decorator.lineno for decorator in statement.decorator_list))
        cell = bisect.bisect_right(ends, first)  # the cell whose rows hold the statement's first
        if cell == len(ends) or (statement.end_lineno or first) >= ends[cell]:
            return None
    return Notebook(python, CellMap(tuple(cells)), tuple(errors))


def _ended(masked: str) -> str:
    """A cell's text as the joined module holds it: ending in a line break. (A cell ending in a
    bare `\r` followed by one starting with `\n` would join into one `\r\n`, a row fewer
    than the cells have; `\r` + `\n` is still one break.)"""
    return masked if masked.endswith("\n") else masked + "\n"


def _parse_cell(masked: str, number: int) -> ast.Module:
    """A masked cell's tree. A cell whose first line is indented runs in IPython with that
    indentation removed: parsed so, with its positions shifted back to where the cell writes
    them."""
    dedented = strip_leading_indent(masked)
    if dedented is None:
        return parse_python(masked, f"<cell {number}>").tree
    text, width, rows = dedented
    try:
        tree = parse_python(text, f"<cell {number}>").tree
    except SourceError as error:
        row, column = error.position.row, error.position.column
        raise SourceError(error.message, Position(row, column + width if row in rows else column)) from None
    for node in ast.walk(tree):
        if isinstance(node, (ast.expr, ast.stmt, ast.excepthandler, ast.arg, ast.keyword, ast.alias, ast.pattern)):
            if node.lineno in rows:
                node.col_offset += width
            if node.end_lineno in rows and node.end_col_offset is not None:
                node.end_col_offset += width
    return tree


_LEADING_INDENT = re.compile(r"[ \t]+")


def strip_leading_indent(source: str) -> tuple[str, int, frozenset[int]] | None:
    """The cell as IPython runs it when its first line that is not blank is indented (its
    `leading_empty_lines` and `leading_indent` transforms): that indentation removed from every
    line that starts with it. The text, the width removed and the rows it was removed from;
    None when the first line is not indented. Rows are broken as `ast` breaks them."""
    if source and not source[0].isspace():
        return None  # most cells: the first line holds code (or a comment) from its first column
    return _leading_indent_by_lines(source)


def _leading_indent_by_lines(source: str) -> tuple[str, int, frozenset[int]] | None:
    """`strip_leading_indent` read line by line, whatever the cell's first character."""
    lines = _LINE.findall(source)[:-1]
    first = next((line for line in lines if line.strip()), "")
    indent = _LEADING_INDENT.match(first)
    if indent is None:
        return None
    prefix = indent.group()
    rows = frozenset(row for row, line in enumerate(lines, start=1) if line.startswith(prefix))
    text = "".join(line[len(prefix) :] if row in rows else line for row, line in enumerate(lines, start=1))
    return text, len(prefix), rows


def kernel_source(source: str) -> str | None:
    """A cell as the kernel runs it, for a parse check: IPython syntax masked and a leading
    indentation removed; None for a cell whose magic runs something other than Python."""
    masked = mask_ipython(source)
    if masked is None:
        return None
    dedented = strip_leading_indent(masked)
    return masked if dedented is None else dedented[0]


def notebook_error(data: bytes) -> SourceError | None:
    """Why `data` is not a notebook wdlint can read, or None."""
    try:
        for number, source in _code_cells(decode_utf8(data)):
            if source is None:
                return SourceError(f"malformed cell {number}: {_NOT_TEXT}")
    except SourceError as error:
        return error
    return None


def cell_sources(text: str) -> dict[int, str]:
    """Each code cell's source by number; empty for text that is not a notebook."""
    try:
        return {number: source for number, source in _code_cells(text) if source is not None}
    except SourceError:
        return {}


def _code_cells(text: str) -> Iterator[tuple[int, str | None]]:
    """(number, source) of each code cell; None for a source that is not text."""
    notebook = load_json(text, "notebook JSON")
    if not isinstance(notebook, dict) or not isinstance(cells := notebook.get("cells"), list):
        raise SourceError('not a Jupyter notebook (nbformat 4): no "cells" list')
    if not _is_python(notebook.get("metadata")):
        return
    for number, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source")
        if isinstance(source, list):
            try:
                joined: str | None = "".join(source)
            except TypeError:  # a line that is not text
                joined = None
            yield number, joined
        else:
            # nbformat allows one string instead of a list of lines
            yield number, source if isinstance(source, str) else None


def _is_python(metadata: object) -> bool:
    """False for a notebook whose kernel says it runs another language (R, Julia, ...)."""
    if not isinstance(metadata, dict):
        return True
    info = metadata.get("language_info")
    kernel = metadata.get("kernelspec")
    language = info.get("name") if isinstance(info, dict) else None
    if not isinstance(language, str) and isinstance(kernel, dict):
        language = kernel.get("language")
    return not isinstance(language, str) or language.lower() == "python"


def mask_ipython(source: str) -> str | None:
    """`source` with IPython syntax replaced by `_` and blanks of the same length, or None for
    a cell whose magic runs something other than Python (`%%bash`)."""
    lines = _LINE.findall(source)[:-1]  # the pattern also matches the empty end of the text
    if not lines:
        return source
    cell_magic = _CELL_MAGIC.match(lines[0])
    if cell_magic is not None:
        if cell_magic.group(1) not in _PYTHON_CELL_MAGICS:
            return None
        lines[0] = _blank_escape(lines[0], cell_magic.start())
        lines[1:] = _mask_lines(lines[1:])
        return "".join(lines)
    return "".join(_mask_lines(lines))


def _mask_lines(lines: list[str]) -> list[str]:
    if not any(_escape_start(line) is not None for line in lines):
        # only a line with IPython syntax changes, and the lexer only tells whether such a
        # line starts a statement: most cells have none, and need no lexing
        return lines
    state = _LexState()
    masked = []
    escaped = False  # the line before was IPython syntax ending in a backslash
    for line in lines:
        if escaped:
            # `!pip install \` goes on to the next line, as IPython joins it
            # (`find_end_of_continued_line`): blank, so the line is no Python
            masked.append(_blank(line))
            escaped = line.rstrip("\r\n").endswith("\\")
            continue
        if state.at_statement_start:
            escape = _escape_start(line)
            if escape is not None:
                masked.append(_blank_escape(line, escape))
                state.continued = False
                escaped = line.rstrip("\r\n").endswith("\\")
                continue
        state.scan(line)
        masked.append(line)
    return masked


def _blank(line: str) -> str:
    content = line.rstrip("\r\n")
    return " " * len(content) + line[len(content) :]


def _escape_start(line: str) -> int | None:
    """Where IPython syntax starts on a line that begins a statement, or None."""
    if "%" not in line and "!" not in line and "?" not in line:
        return None  # each pattern needs one (most lines are Python)
    for pattern in (_ESCAPE, _ASSIGNED_ESCAPE, _HELP_SUFFIX):
        match = pattern.fullmatch(line.rstrip("\r\n"))
        if match is not None:
            return match.start(1)
    return None


def _blank_escape(line: str, start: int) -> str:
    content = line.rstrip("\r\n")
    ending = line[len(content) :]
    return content[:start] + "_" + " " * (len(content) - start - 1) + ending


class _LexState:
    """Just enough of Python's tokenizer to tell whether a line starts a new statement: open
    brackets, strings that span lines, and backslash continuations."""

    def __init__(self) -> None:
        self.depth = 0
        self.string: str | None = None  # the quote of a string left open at the end of a line
        self.continued = False

    @property
    def at_statement_start(self) -> bool:
        return self.depth == 0 and self.string is None and not self.continued

    def scan(self, line: str) -> None:
        content = line.rstrip("\r\n")
        self.continued = False
        end = len(content)
        i = 0
        while i < end:  # from one character that matters to the next
            if self.string is not None:
                found = _IN_STRING[self.string].search(content, i)
                if found is None:
                    break  # the line ends in the string
                if found.group() == "\\":
                    i = found.start() + 2  # an escaped character
                else:
                    self.string = None
                    i = found.end()
                continue
            found = _CODE_CHARACTERS.search(content, i)
            if found is None:
                break
            char, at = found.group(), found.start()
            if char == "#":
                return
            if char in "([{":
                self.depth += 1
            elif char in ")]}":
                self.depth = max(self.depth - 1, 0)
            elif char == "\\" and at == end - 1:
                self.continued = True
            elif char == "\\":
                pass  # a backslash inside a line continues nothing
            else:
                quote = _STRING_START.match(content, at)
                assert quote is not None  # a quote starts one
                self.string = quote.group()
                i = quote.end()
                continue
            i = at + 1
        if self.string is not None and len(self.string) == 1 and not content.endswith("\\"):
            self.string = None  # an unterminated one-line string: a syntax error, not our concern


# what `_LexState` looks at outside strings, and inside each kind of string
_CODE_CHARACTERS = re.compile(r"[#()\[\]{}\\'\"]")
_IN_STRING = {quote: re.compile(r"\\|" + re.escape(quote)) for quote in ("'", '"', "'''", '"""')}


# -- writing fixed cells back ------------------------------------------------------------------

def replace_cell_sources(text: str, sources: dict[int, str]) -> str:
    """The notebook with the given cells' sources replaced; every other character is kept.

    The new source is written in the style of the old: a list of lines with the same
    indentation, or one string.
    """
    spans = _source_spans(text)
    for number in sorted(sources, reverse=True):
        start, end = spans[number]
        text = text[:start] + _render_source(text[start:end], sources[number]) + text[end:]
    return text


def _render_source(old: str, source: str) -> str:
    ascii_only = "\\u" in old  # keep the escaping the writer of the notebook chose
    if not old.startswith("["):
        return json.dumps(source, ensure_ascii=ascii_only)
    items = [json.dumps(line, ensure_ascii=ascii_only) for line in source.splitlines(keepends=True)]
    inner_start = skip_json_whitespace(old, 1)
    if inner_start == len(old) - 1:  # an empty list: no layout to copy
        return "[" + ", ".join(items) + "]"
    leading = old[1:inner_start]
    trailing = old[len(old.rstrip("]").rstrip()) : -1]
    return "[" + leading + ("," + leading).join(items) + trailing + "]"


def _source_spans(text: str) -> dict[int, tuple[int, int]]:
    """Where each cell's `source` value is written in the notebook's JSON text (the last
    `cells` and `source` where a key repeats, as json.loads reads them)."""
    json_text = JsonScanner(text)
    spans: dict[int, tuple[int, int]] = {}
    members, _ = json_text.members(json_text.skip(0))
    for member in members:
        if member.key == "cells" and text[member.value_start] == "[":
            items, _ = json_text.items(member.value_start)
            for number, (cell_start, _) in enumerate(items, start=1):
                if text[cell_start] == "{":
                    cell_members, _ = json_text.members(cell_start)
                    for m in cell_members:
                        if m.key == "source":
                            spans[number] = (m.value_start, m.value_end)
    return spans
