"""What one lint covers in the editor: a text document, or a notebook and its cells.

A diagnostic of a text document is shown in that document; a notebook is linted whole (its
cells joined as a check joins them) and each diagnostic is shown in its cell, at the row and
column of the cell that `wdlint check` reports.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec

from wdlint.diagnostics import Diagnostic
from wdlint.server.convert import Lines
from wdlint.server.documents import Cell, Lint, notebook_json


@dataclass(frozen=True)
class Target:
    """A document diagnostics are shown in."""

    uri: str
    version: int | None
    text: str


@dataclass(frozen=True)
class Subject:
    """What one lint reads: `text` in the format of `lint`, and where its findings are shown."""

    key: str  # the document's URI, or the notebook's
    lint: Lint
    text: str
    targets: tuple[Target, ...]  # a text document's one, or the notebook's cells (None: not Python)
    # a notebook: the target of each cell by number (1-based over all cells); None for the
    # cells that are not Python code
    cells: tuple[Target | None, ...] | None = None
    metadata: dict[str, object] | None = None

    @classmethod
    def document(cls, lint: Lint, uri: str, version: int | None, text: str) -> Subject:
        return cls(uri, lint, text, (Target(uri, version, text),))

    @classmethod
    def notebook(
        cls, lint: Lint, uri: str, cells: Sequence[Target | None], metadata: dict[str, object] | None
    ) -> Subject:
        text = notebook_json([Cell(c is not None, c.text if c is not None else "") for c in cells], metadata)
        targets = tuple(c for c in cells if c is not None)
        return cls(uri, lint, text, targets, tuple(cells), metadata)

    def target_of(self, found: Diagnostic) -> Target | None:
        """Where a diagnostic is shown: its cell (a notebook's finding with no cell, such as a
        size limit, on the first code cell)."""
        if self.cells is None:
            return self.targets[0]
        if found.cell is not None and 1 <= found.cell <= len(self.cells):
            return self.cells[found.cell - 1]
        return self.targets[0] if self.targets else None

    def with_target_text(self, uri: str, text: str) -> str:
        """The text a lint reads once the target `uri` holds `text`."""
        if self.cells is None:
            return text
        cells = [
            Cell(c is not None, (text if c.uri == uri else c.text) if c is not None else "") for c in self.cells
        ]
        return notebook_json(cells, self.metadata)

    def target_texts(self, text: str) -> dict[str, str]:
        """Each target's text in `text`, a text the lint reads (after fixes)."""
        if self.cells is None:
            return {self.key: text}
        from wdlint.frontends.notebook import cell_sources

        sources = cell_sources(text)
        return {c.uri: sources.get(number, c.text) for number, c in enumerate(self.cells, start=1) if c is not None}

    def placed(self, found: Sequence[Diagnostic], codec: PositionCodec) -> dict[str, list[types.Diagnostic]]:
        """The protocol's diagnostics of each target (every target listed, so that a fixed
        one is cleared)."""
        from wdlint.server.convert import diagnostic

        by_target: dict[str, list[types.Diagnostic]] = {t.uri: [] for t in self.targets}
        lines = {t.uri: Lines(t.text, codec) for t in self.targets}
        for d in found:
            target = self.target_of(d)
            if target is not None:
                by_target[target.uri].append(diagnostic(d, lines[target.uri]))
        return by_target

