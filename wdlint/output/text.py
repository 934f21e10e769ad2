"""Human-readable output: `concise` (one line each) and `full` (with the source lines)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence

from wdlint.diagnostics import Diagnostic, applicable

_CONTEXT_LINES = 1
# the line breaks Python counts rows by (str.splitlines also splits on \f, \x1c, \u2028, ...)
_NEWLINE = re.compile(r"\r\n|\r|\n")


def _location(diagnostic: Diagnostic) -> str:
    cell = f"cell {diagnostic.cell}:" if diagnostic.cell is not None else ""
    return f"{diagnostic.filename}:{cell}{diagnostic.location.row}:{diagnostic.location.column}"


def _headline(diagnostic: Diagnostic, unsafe: bool) -> str:
    # as ruff does: `[*]` only for a fix that `--fix` would apply under the current options
    marker = " [*]" if applicable(diagnostic.fix, unsafe) else ""
    return f"{_location(diagnostic)}: {diagnostic.code}{marker} {diagnostic.message}"


def concise(diagnostics: Sequence[Diagnostic], unsafe: bool = False) -> str:
    return "".join(_headline(d, unsafe) + "\n" for d in diagnostics)


def _snippet(diagnostic: Diagnostic, lines: list[str]) -> list[str]:
    start, end = diagnostic.location, diagnostic.end_location
    first = max(start.row - _CONTEXT_LINES, 1)
    last = min(start.row + _CONTEXT_LINES, len(lines))
    width = len(str(last))
    out = [f"{'':>{width}} |"]
    for row in range(first, last + 1):
        out.append(f"{row:>{width}} | {lines[row - 1]}".rstrip())
        if row == start.row:
            line_end = end.column if end.row == start.row else len(lines[row - 1]) + 1
            carets = "^" * max(line_end - start.column, 1)
            out.append(f"{'':>{width}} | {' ' * (start.column - 1)}{carets} {diagnostic.code}")
    out.append(f"{'':>{width}} |")
    return out


def full(diagnostics: Sequence[Diagnostic], sources: Mapping[str, str], unsafe: bool = False) -> str:
    blocks = []
    cells: dict[str, dict[int, str]] = {}  # a notebook's code cells, read once per notebook
    for diagnostic in diagnostics:
        block = [_headline(diagnostic, unsafe)]
        text = sources.get(diagnostic.filename)
        if text is not None and diagnostic.cell is not None:
            if diagnostic.filename not in cells:
                from wdlint.frontends.notebook import cell_sources  # only for notebooks

                cells[diagnostic.filename] = cell_sources(text)
            text = cells[diagnostic.filename].get(diagnostic.cell)
        if text is not None:
            block += _snippet(diagnostic, _NEWLINE.split(text))
        blocks.append("\n".join(block) + "\n")
    return "\n".join(blocks)


def errors(count: int) -> str:
    return f"{count} error{'s' if count != 1 else ''}"


def summary(diagnostics: Sequence[Diagnostic], unsafe: bool = False, fixed: int | None = None) -> str:
    """ruff's closing lines; `fixed` is how many findings `--fix` resolved, when it ran."""
    count = len(diagnostics)
    if fixed is not None and fixed:
        return f"Found {errors(count + fixed)} ({fixed} fixed, {count} remaining).\n"
    if not count:
        return "All checks passed!\n"
    lines = [f"Found {errors(count)}."]
    fixable = sum(1 for d in diagnostics if applicable(d.fix, unsafe))
    hidden = sum(1 for d in diagnostics if d.fix is not None and not applicable(d.fix, unsafe))
    hint = (
        f"{hidden} hidden fix{'es' if hidden != 1 else ''} can be enabled with the `--unsafe-fixes` option"
        if hidden
        else ""
    )
    if fixable:
        lines.append(f"[*] {fixable} fixable with the `--fix` option" + (f" ({hint})." if hint else "."))
    elif hint:
        lines.append(f"No fixes available ({hint}).")
    return "\n".join(lines) + "\n"


def fixes_applied(results: Mapping[str, Sequence[Diagnostic]]) -> str:
    """`--show-fixes`: what was fixed, per file, as ruff lists it."""
    total = sum(len(fixed) for fixed in results.values())
    if not total:
        return ""
    lines = [f"Fixed {errors(total)}:"]
    for filename, fixed in sorted(results.items()):
        if fixed:
            lines.append(f"- {filename}:")
            counts = Counter((d.code, d.name) for d in fixed)
            lines += [f"    {n} × {code} ({name})" for (code, name), n in sorted(counts.items())]
    return "\n".join(lines) + "\n"


def statistics(diagnostics: Sequence[Diagnostic], unsafe: bool = False) -> str:
    counts = Counter((d.code, d.name) for d in diagnostics)
    fixable = {d.code for d in diagnostics if applicable(d.fix, unsafe)}
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0][0]))
    width = max((len(str(n)) for n in counts.values()), default=1)
    return "".join(
        f"{n:>{width}}\t{code}\t{'[*] ' if code in fixable else ''}{name}\n"
        for (code, name), n in rows
    )
