"""Human-readable output: `concise` (one line each) and `full` (with the source lines)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from wdlint.diagnostics import Diagnostic

_CONTEXT_LINES = 1


def _location(diagnostic: Diagnostic) -> str:
    cell = f"cell {diagnostic.cell}:" if diagnostic.cell is not None else ""
    return f"{diagnostic.filename}:{cell}{diagnostic.location.row}:{diagnostic.location.column}"


def _headline(diagnostic: Diagnostic) -> str:
    marker = " [*]" if diagnostic.fix is not None else ""
    return f"{_location(diagnostic)}: {diagnostic.code}{marker} {diagnostic.message}"


def concise(diagnostics: Sequence[Diagnostic]) -> str:
    return "".join(_headline(d) + "\n" for d in diagnostics)


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


def full(diagnostics: Sequence[Diagnostic], sources: Mapping[str, str]) -> str:
    blocks = []
    for diagnostic in diagnostics:
        block = [_headline(diagnostic)]
        text = sources.get(diagnostic.filename)
        if text is not None and diagnostic.cell is None:
            block += _snippet(diagnostic, text.splitlines())
        blocks.append("\n".join(block) + "\n")
    return "\n".join(blocks)


def summary(diagnostics: Sequence[Diagnostic]) -> str:
    count = len(diagnostics)
    if not count:
        return "All checks passed!\n"
    lines = [f"Found {count} error{'s' if count != 1 else ''}."]
    fixable = sum(1 for d in diagnostics if d.fix is not None)
    if fixable:
        lines.append(f"[*] {fixable} fixable with the `--fix` option.")
    return "\n".join(lines) + "\n"


def statistics(diagnostics: Sequence[Diagnostic]) -> str:
    counts = Counter((d.code, d.name) for d in diagnostics)
    fixable = {d.code for d in diagnostics if d.fix is not None}
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0][0]))
    width = max((len(str(n)) for n in counts.values()), default=1)
    return "".join(
        f"{n:>{width}}\t{code}\t{'[*] ' if code in fixable else ''}{name}\n"
        for (code, name), n in rows
    )
