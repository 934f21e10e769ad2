"""Jupyter notebooks: the code cells, joined, linted as one Python module; findings are placed
in their cells."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from pathlib import Path

from wdlint.diagnostics import Diagnostic
from wdlint.frontends.formats.base import Format, Parsed, Sites
from wdlint.frontends.formats.python import python_comments
from wdlint.frontends.text import SourceError

TYPE_CHECKING = False  # `typing` is for type checkers: the hook never imports it (docs/architecture.md)

if TYPE_CHECKING:
    from wdlint.engine.fix import FileFixer
    from wdlint.frontends.notebook import Notebook


class ParsedNotebook(Parsed):
    def __init__(self, notebook: Notebook) -> None:
        self.notebook = notebook
        self.errors = notebook.errors  # cells that do not parse, even masked

    def sites(self, path: Path | None) -> Iterator[Sites]:
        from wdlint.analysis.extract import extract_module
        from wdlint.analysis.facts import ModuleFacts
        from wdlint.analysis.project import Project

        if self.notebook.source is not None:
            sites, facts = extract_module(self.notebook.source, path, Project() if path is not None else None)
            # a fix stays in its cell: the cells are the parts of the joined module
            cells = tuple(cell.first_row for cell in self.notebook.cells.cells)
            yield Sites(sites, ModuleFacts(facts.source, facts.index, cells))

    def comments(self, rows: Collection[int]) -> Iterable[tuple[int, str]]:
        source = self.notebook.source
        return python_comments(source, rows) if source is not None else ()

    def place(self, diagnostic: Diagnostic) -> Diagnostic:
        return self.notebook.cells.place(diagnostic)


class NotebookFormat(Format):
    name = "Jupyter notebook"
    suffixes = (".ipynb",)

    def unreadable(self, data: bytes) -> SourceError | None:
        """A broken notebook may hide an optimizer from the prefilter: it is reported."""
        from wdlint.frontends.notebook import notebook_error

        return notebook_error(data)

    def parse(self, text: str, filename: str, max_size: int) -> ParsedNotebook:
        """`max_size` counts the code cells only: images and outputs do not count."""
        from wdlint.frontends.notebook import parse_notebook

        return ParsedNotebook(parse_notebook(text, filename, max_size))

    def fixer(self) -> FileFixer:
        from wdlint.engine.fix import fix_notebook_file

        return fix_notebook_file


NOTEBOOK = NotebookFormat()
