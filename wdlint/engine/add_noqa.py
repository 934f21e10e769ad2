"""`wdlint check --add-noqa`: a `# noqa: WDnnn` comment on each line that carries a finding today.

A team turns the CI step on now and fixes the findings later (ruff's `--add-noqa`). The comment
goes on the row a suppression reads that is written first: the first line of a multi-line call
(the finding's `noqa_row`), else the finding's own line; codes on one line share one comment,
merged into a `# noqa: ...` already there. Python files and notebook cells take Python comments,
YAML files YAML comments; JSON has no comments, so its findings are left for `per-file-ignores`.
WD001 is never suppressed this way: a file that cannot be read has nothing to comment.

Nothing is written on trust: the new text is linted again, and it is written (atomically, only
if the file is unchanged since it was read) only when every finding given a comment is gone and
nothing else changed. A row where a comment would not be one (inside a string or a block
scalar, after a line continuation) is found so and the finding's other row is tried; what no
row can take is reported. A second run has nothing to add.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from wdlint.diagnostics import Diagnostic
from wdlint.engine.jobs import FileJob, LintOptions
from wdlint.frontends.formats import format_for
from wdlint.frontends.formats.notebook import NOTEBOOK
from wdlint.frontends.formats.yaml_config import YAML_CONFIG
from wdlint.selection import PARSE_ERROR, ignored_by

_NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Za-z]+[0-9]+(?:[\s,]+[A-Za-z]+[0-9]+)*))?", re.IGNORECASE)
_LINE_END = re.compile(r"\r\n|\r|\n")

# a finding's identity across a re-lint: appending a comment moves no row or column
Key = tuple[str, int | None, int, int]


def finding_key(diagnostic: Diagnostic) -> Key:
    return diagnostic.code, diagnostic.cell, diagnostic.location.row, diagnostic.location.column


@dataclass
class NoqaOutcome:
    added: int = 0  # comments written or extended
    suppressed: int = 0  # findings they suppress
    # (display, diagnostic, why) of the findings left without a comment
    left: list[tuple[str, Diagnostic, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # files that could not be written


def with_noqa(line: str, codes: Sequence[str]) -> str | None:
    """`line` (without its line break) with a noqa comment naming `codes`: an existing
    `# noqa: ...` extended, else `  # noqa: ...` appended; None when a bare `# noqa` is there."""
    found = _NOQA.search(line)
    if found is not None:
        if found.group("codes") is None:
            return None
        present = [c.upper() for c in re.split(r"[\s,]+", found.group("codes").strip()) if c]
        merged = present + sorted(c for c in set(codes) if c not in present)
        return f"{line[: found.start()]}# noqa: {', '.join(merged)}{line[found.end():]}"
    return f"{line.rstrip()}  # noqa: {', '.join(sorted(set(codes)))}"


def _comment_rows(text: str, rows: dict[int, list[str]]) -> str:
    """`text` with each row (1-based) of `rows` given a noqa comment naming its codes."""
    parts = _LINE_END.split(text)
    ends = _LINE_END.findall(text)
    for row, codes in rows.items():
        if 1 <= row <= len(parts):
            changed = with_noqa(parts[row - 1], codes)
            if changed is not None:
                parts[row - 1] = changed
    return "".join(part + (ends[i] if i < len(ends) else "") for i, part in enumerate(parts))


def candidate_rows(diagnostic: Diagnostic) -> list[int]:
    """Where a comment suppresses the finding, in the order tried: the first line of the call."""
    rows = [diagnostic.noqa_row] if diagnostic.noqa_row is not None else []
    return [*rows, *([diagnostic.location.row] if diagnostic.location.row not in rows else [])]


class _File:
    """One file's text as `--add-noqa` edits it: Python or YAML as a whole, a notebook per cell."""

    def __init__(self, job: FileJob, data: bytes, lint: Callable[[bytes], list[Diagnostic]]) -> None:
        self.job, self.data, self._lint = job, data, lint
        self.form = format_for(job.display)
        self.text = data.decode("utf-8-sig") if self.form is NOTEBOOK else self.form.decode(data)
        self.bom = data.startswith(b"\xef\xbb\xbf")

    def with_comments(self, rows: dict[tuple[int | None, int], list[str]]) -> bytes:
        """The file's bytes with comments on (cell, row): codes."""
        if self.form is NOTEBOOK:
            from wdlint.frontends.notebook import cell_sources, replace_cell_sources

            sources = cell_sources(self.text)
            by_cell: dict[int, dict[int, list[str]]] = {}
            for (cell, row), codes in rows.items():
                if cell is not None and cell in sources:
                    by_cell.setdefault(cell, {})[row] = codes
            changed = {cell: _comment_rows(sources[cell], cell_rows) for cell, cell_rows in by_cell.items()}
            text = replace_cell_sources(self.text, changed)
            return text.encode("utf-8-sig" if self.bom else "utf-8")
        text = _comment_rows(self.text, {row: codes for (_, row), codes in rows.items()})
        if self.form is YAML_CONFIG:
            return text.encode("utf-8-sig" if self.bom else "utf-8")
        from wdlint.frontends.python import source_encoding

        return text.encode(source_encoding(self.data))

    def remaining(self, data: bytes) -> set[Key]:
        """The findings of `data`, WD001s included: a comment that breaks a cell is one more."""
        return {finding_key(d) for d in self._lint(data)}


def add_noqa(
    job: FileJob, diagnostics: Sequence[Diagnostic], options: LintOptions, outcome: NoqaOutcome
) -> None:
    """Comment the lines of `job`'s findings (the diagnostics a check just reported for it)."""
    from wdlint.engine.fix import write_atomically
    from wdlint.engine.lint import lint_bytes

    wanted = [d for d in diagnostics if d.code != PARSE_ERROR]
    if not wanted:
        return
    form = format_for(job.display)
    if form.fixer() is None and form is not YAML_CONFIG:
        outcome.left += [(job.display, d, "the format has no comments; use `per-file-ignores`") for d in wanted]
        return
    try:
        mtime_ns = job.path.stat().st_mtime_ns
        data = job.path.read_bytes()
    except OSError as error:
        outcome.errors.append(f"{job.display}: {error.strerror or error}")
        return

    def lint(content: bytes) -> list[Diagnostic]:
        result = lint_bytes(content, job.display, options, path=job.path)
        return [d for d in result.diagnostics if not ignored_by(job.ignore, d.code)]

    file = _File(job, data, lint)
    before = file.remaining(data)
    targets = [d for d in wanted if finding_key(d) in before]
    if not targets:
        return  # the file changed since the check: its findings are not these
    rows, placed, new = _place_all(file, targets, before)
    for d in targets:
        if finding_key(d) not in placed:
            outcome.left.append((job.display, d, "no line of it can hold a comment (a string, a continuation)"))
    if not placed:
        return
    try:
        write_atomically(job.path, new, mtime_ns)
    except OSError as error:
        outcome.errors.append(f"{job.display}: {error.strerror or error}")
        return
    outcome.added += len(rows)
    outcome.suppressed += len(placed)


def _place_all(
    file: _File, targets: list[Diagnostic], before: set[Key]
) -> tuple[dict[tuple[int | None, int], list[str]], set[Key], bytes]:
    """Comments for every target at once when that works (the usual case: one re-lint), else
    one finding at a time, each on the first of its rows where the comment holds."""
    rows: dict[tuple[int | None, int], list[str]] = {}
    for d in targets:
        rows.setdefault((d.cell, candidate_rows(d)[0]), []).append(d.code)
    new = file.with_comments(rows)
    expected = before - {finding_key(d) for d in targets}
    if file.remaining(new) == expected:
        return rows, {finding_key(d) for d in targets}, new
    placed: set[Key] = set()
    rows, new = {}, file.data
    for d in targets:
        for row in candidate_rows(d):
            trial = {**rows, (d.cell, row): [*rows.get((d.cell, row), []), d.code]}
            content = file.with_comments(trial)
            if file.remaining(content) == before - placed - {finding_key(d)}:
                rows, new = trial, content
                placed.add(finding_key(d))
                break
    return rows, placed, new
