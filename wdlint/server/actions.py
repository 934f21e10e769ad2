"""Code actions: each finding's fix, "fix all safe fixes" and "suppress with `# noqa`".

A safe fix is the preferred action; an unsafe one says that it changes training. The fix-all
action applies the safe fixes in passes with a re-lint between them, as `wdlint check --fix`
does, and is one edit per changed document. A noqa comment is offered only where a re-lint
shows that it suppresses exactly that finding (a line inside a string or after a backslash
cannot hold a comment; the finding's other row is tried, as `check --add-noqa` tries it).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec

from wdlint.diagnostics import Applicability, Diagnostic, Position
from wdlint.engine.add_noqa import candidate_rows, finding_key, with_noqa
from wdlint.frontends.formats import PYTHON
from wdlint.frontends.formats.notebook import NOTEBOOK
from wdlint.frontends.formats.yaml_config import YAML_CONFIG
from wdlint.selection import PARSE_ERROR
from wdlint.server.convert import Lines, diagnostic, overlaps, replacement
from wdlint.server.documents import fix_all
from wdlint.server.subjects import Subject, Target

FIX_ALL = "source.fixAll.wdlint"
NOTEBOOK_FIX_ALL = "notebook.source.fixAll.wdlint"
KINDS = (types.CodeActionKind.QuickFix, FIX_ALL, NOTEBOOK_FIX_ALL)
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)?")


def wanted(kind: str, only: Sequence[str] | None) -> bool:
    """Whether the client asked for actions of `kind` (a kind asks for the kinds under it)."""
    return only is None or any(kind == o or kind.startswith(f"{o}.") for o in only)


class Edits:
    """Builds workspace edits in the form the client takes."""

    def __init__(self, codec: PositionCodec, document_changes: bool) -> None:
        self.codec = codec
        self.document_changes = document_changes

    def workspace_edit(self, edits: Mapping[Target, Sequence[types.TextEdit]]) -> types.WorkspaceEdit:
        if self.document_changes:
            return types.WorkspaceEdit(
                document_changes=[
                    types.TextDocumentEdit(
                        types.OptionalVersionedTextDocumentIdentifier(target.uri, target.version), list(changes)
                    )
                    for target, changes in edits.items()
                ]
            )
        return types.WorkspaceEdit(changes={target.uri: list(changes) for target, changes in edits.items()})


def code_actions(
    subject: Subject,
    found: Sequence[Diagnostic],
    uri: str,
    where: types.Range,
    only: Sequence[str] | None,
    edits: Edits,
) -> list[types.CodeAction]:
    """The actions for the findings of document `uri` (a cell: of its notebook) that touch `where`."""
    actions: list[types.CodeAction] = []
    target = next((t for t in subject.targets if t.uri == uri), None)
    if target is None:
        return actions
    lines = Lines(target.text, edits.codec)
    if wanted(types.CodeActionKind.QuickFix, only):
        for d in found:
            if subject.target_of(d) != target:
                continue
            shown = diagnostic(d, lines)
            if not overlaps(shown.range, where):
                continue
            fix = _fix_action(d, shown, target, lines, edits)
            if fix is not None:
                actions.append(fix)
            noqa = _noqa_action(subject, found, d, shown, target, edits)
            if noqa is not None:
                actions.append(noqa)
    kinds = (FIX_ALL, NOTEBOOK_FIX_ALL) if subject.cells is not None else (FIX_ALL,)
    kind = next((k for k in kinds if wanted(k, only)), None)
    if kind is not None and any(d.fix is not None and d.fix.applicability is Applicability.SAFE for d in found):
        fixed = fix_all_action(subject, found, edits, kind)
        if fixed is not None:
            actions.append(fixed)
    return actions


def _fix_action(
    found: Diagnostic, shown: types.Diagnostic, target: Target, lines: Lines, edits: Edits
) -> types.CodeAction | None:
    fix = found.fix
    if fix is None:
        return None
    safe = fix.applicability is Applicability.SAFE
    title = f"{fix.message} ({found.code})" if safe else f"{fix.message} ({found.code}; unsafe: changes training)"
    return types.CodeAction(
        title=title,
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[shown],
        is_preferred=safe,
        edit=edits.workspace_edit({target: [lines.edit(e) for e in fix.edits]}),
    )


def _noqa_action(
    subject: Subject, found: Sequence[Diagnostic], d: Diagnostic, shown: types.Diagnostic, target: Target, edits: Edits
) -> types.CodeAction | None:
    if d.code == PARSE_ERROR or subject.lint.form not in (PYTHON, NOTEBOOK, YAML_CONFIG):
        return None  # a file that cannot be read has nothing to comment; JSON has no comments
    rows = _LINE.findall(target.text)[:-1] or [""]
    before = {finding_key(f) for f in found}
    for row in candidate_rows(d):
        if not 1 <= row <= len(rows):
            continue
        line = rows[row - 1]
        content = line.rstrip("\r\n")
        commented = with_noqa(content, [d.code])
        if commented is None:
            return None  # a bare noqa comment is there already
        text = "".join([*rows[: row - 1], commented + line[len(content) :], *rows[row:]])
        after = {finding_key(f) for f in subject.lint(subject.with_target_text(target.uri, text))}
        if after == before - {finding_key(d)}:
            lines = Lines(target.text, edits.codec)
            edit = types.TextEdit(lines.range(Position(row, 1), Position(row, len(content) + 1)), commented)
            return types.CodeAction(
                title=f"Suppress {d.code} with `# noqa: {d.code}`",
                kind=types.CodeActionKind.QuickFix,
                diagnostics=[shown],
                edit=edits.workspace_edit({target: [edit]}),
            )
    return None


def fix_all_action(
    subject: Subject, found: Sequence[Diagnostic], edits: Edits, kind: str = FIX_ALL
) -> types.CodeAction | None:
    """Every safe fix of the document (a notebook: of all its cells), or None when none applies."""
    fixed = subject.target_texts(fix_all(subject.lint, subject.text, found))
    changes = {
        target: [replacement(target.text, fixed[target.uri], edits.codec)]
        for target in subject.targets
        if fixed.get(target.uri, target.text) != target.text
    }
    if not changes:
        return None
    return types.CodeAction(title="Fix all safe wdlint fixes", kind=kind, edit=edits.workspace_edit(changes))
