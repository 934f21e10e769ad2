"""What a rule's fix is before it is written out, and the edits several rules' fixes share.

A rule decides a fix from the `ast` facts alone (`FixPlan`): text edits at the positions `ast`
reports and the imports the new code needs or no longer needs. Laying the new code out as the
file's formatter would and writing the imports in the file's style (`wdlint.fixes`, with
libcst) happens only when a fix's text is shown or applied.
"""

from __future__ import annotations

from wdlint.analysis.sites import Argument, OptimizerSite
from wdlint.diagnostics import Applicability, Edit, Span
from wdlint.records import Record


class AddImport(Record):
    """`from module import name`, or `import module` when `name` is None; `into`: the
    `from module import` statement the name joins (else one is found or written)."""

    module: str
    name: str | None = None
    into: Span | None = None


class RemoveImport(Record):
    """`name` (bound as `alias`, if any) out of the `from module import` at `statement`: the
    rule knows the rewritten code was the name's only use."""

    module: str
    name: str
    alias: str | None
    statement: Span


ImportChange = AddImport | RemoveImport


class FixPlan(Record):
    applicability: Applicability
    message: str
    edits: tuple[Edit, ...]  # each inside one statement; the new code written on one line
    imports: tuple[ImportChange, ...] = ()


def append_keyword(site: OptimizerSite, keyword: str) -> Edit | None:
    """Insert `, keyword` after the call's last argument (a trailing comma stays valid)."""
    if not site.arguments:
        return None
    last: Argument = max(site.arguments, key=lambda a: (a.span.end.row, a.span.end.column))
    return Edit(f", {keyword}", last.span.end, last.span.end)
