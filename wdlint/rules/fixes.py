"""Edits that several rules' fixes share."""

from __future__ import annotations

from wdlint.analysis.sites import Argument, OptimizerSite
from wdlint.diagnostics import Edit


def append_keyword(site: OptimizerSite, keyword: str) -> Edit | None:
    """Insert `, keyword` after the call's last argument (a trailing comma stays valid)."""
    if not site.arguments:
        return None
    last: Argument = max(site.arguments, key=lambda a: (a.span.end.row, a.span.end.column))
    return Edit(f", {keyword}", last.span.end, last.span.end)

