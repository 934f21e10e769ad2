"""`# noqa` comments: per line (`# noqa`, `# noqa: WD101, WD201`) and per file (`# wdlint: noqa`)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from wdlint.diagnostics import Diagnostic

_CODE_LIST = r"[A-Za-z]+[0-9]+(?:[\s,]+[A-Za-z]+[0-9]+)*"


@cache
def _noqa_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The per-file and the per-line comment. Compiled by the first file that has a comment
    holding "noqa" (most have none), not by every run: case-insensitive patterns compile
    slowly, these two in about 0.8 ms, a sixtieth of a one-file run."""
    return (
        re.compile(rf"#\s*wdlint\s*:\s*noqa(?::\s*(?P<codes>{_CODE_LIST}))?", re.IGNORECASE),
        re.compile(rf"#\s*noqa(?::\s*(?P<codes>{_CODE_LIST}))?", re.IGNORECASE),
    )

ALL = None  # a bare noqa: every code


class Suppressions:
    def __init__(self) -> None:
        # row -> codes suppressed there; ALL (None) for a bare noqa comment
        self.lines: dict[int, frozenset[str] | None] = {}
        self.file: frozenset[str] | None = frozenset()  # ALL: the whole file is exempt

    def suppresses(self, diagnostic: Diagnostic) -> bool:
        code = diagnostic.code
        if self.file is ALL or code in self.file:
            return True
        rows = {diagnostic.location.row}
        if diagnostic.noqa_row is not None:
            rows.add(diagnostic.noqa_row)
        for row in rows:
            if row in self.lines:
                codes = self.lines[row]
                if codes is ALL or code in codes:
                    return True
        return False


def _codes(match: re.Match[str]) -> frozenset[str] | None:
    listed = match.group("codes")
    if not listed:
        return ALL
    return frozenset(code.upper() for code in re.split(r"[\s,]+", listed.strip()) if code)


def comment_suppressions(comments: Iterable[tuple[int, str]]) -> Suppressions:
    """What the comments of a file, (row, text) as its format reads them, suppress."""
    result = Suppressions()
    file_codes: set[str] = set()
    for row, comment in comments:
        # both patterns hold "noqa", which ignoring case matches nothing but the letters'
        # two cases (no other character folds to n, o, q or a), as `lower()` does
        if "noqa" not in comment.lower():
            continue
        file_noqa, line_noqa = _noqa_patterns()
        file_match = file_noqa.search(comment)
        if file_match:
            codes = _codes(file_match)
            if codes is ALL:
                result.file = ALL
                return result
            file_codes |= codes
            continue
        line_match = line_noqa.search(comment)
        if line_match:
            codes = _codes(line_match)
            previous = result.lines.get(row, frozenset())
            result.lines[row] = ALL if codes is ALL or previous is ALL else previous | codes
    result.file = frozenset(file_codes)
    return result
