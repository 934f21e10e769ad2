"""Other files of the linted project that a module imports names from.

`from .config import WEIGHT_DECAY` or `from utils import get_param_groups`: the imported module
is found on disk next to the importing file (relative imports) or in it or one of its parent
directories (absolute imports), parsed with `ast` once per run and process, and its
module-level names read like the importing module's own. Nothing is imported or executed.
"""

from __future__ import annotations

import os
import weakref
from pathlib import Path

from wdlint.analysis.index import ModuleIndex
from wdlint.analysis.scopes import Binding, Scope
from wdlint.frontends.dependencies import note_absent, read_dependency, real_path
from wdlint.frontends.python import decode_source, parse_python
from wdlint.frontends.text import SourceError, decode_utf8
from wdlint.knowledge.optimizers import KNOWN_ROOTS
from wdlint.records import Record

TYPE_CHECKING = False  # `typing` is for type checkers: the hook never imports it (docs/architecture.md)

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, TypeVar

    from wdlint.frontends.notebook import CellMap

    _T = TypeVar("_T")

_MAX_BYTES = 2_000_000  # a module larger than this is not a config or helper module
_MAX_PARENTS = 6  # how far up an absolute import is looked for


class Imported(Record):
    """A module-level name of another project file."""

    index: ModuleIndex
    binding: Binding
    scope: Scope


class Project:
    def __init__(self) -> None:
        # the modules imported (their bindings are read for as long as the file is) and the one
        # being linted
        self._modules: dict[Path, ModuleIndex | None] = {}
        # the modules read for their calls of a helper (`callers.py`, `consumers.py`): each is
        # kept while a call found in it is being read, and dropped with it, so that linting a
        # file whose helpers are called from many large files holds one helper's callers at a
        # time, not all of them (a module asked for again once dropped is parsed again)
        self._read_for_calls: weakref.WeakValueDictionary[Path, ModuleIndex] = weakref.WeakValueDictionary()
        # the last of them, until the next is parsed: a file with several helpers called from
        # one large module (`trainer.py`) reads it once, not once per helper
        self._last_read: ModuleIndex | None = None
        self._unreadable: set[Path] = set()
        self._cells: dict[Path, CellMap] = {}  # the notebooks parsed: their rows back to cells
        self._last_search: tuple[tuple[object, ...], Any] | None = None  # `last_search`

    def resolve(self, importer: Path, target: str) -> Imported | None:
        """The binding `target` (".config.WEIGHT_DECAY", "utils.get_groups") names, if local."""
        module_name, _, name = target.rpartition(".")
        if not module_name or module_name.lstrip(".").partition(".")[0] in KNOWN_ROOTS:
            return None
        path = _find_module(importer, module_name)
        index = self._index(path) if path is not None else None
        if index is None:
            return None
        bindings = index.module_scope.bindings.get(name)
        if not bindings:
            return None
        return Imported(index, bindings[-1], index.module_scope)

    def linting(self, index: ModuleIndex) -> None:
        """The module being linted, at its path: another project file that imports from it (a
        caller of one of its helpers, found through the project scan) reads this very index
        instead of a second parse of the file, the largest one in memory at that moment."""
        if index.path is not None:
            self._modules.setdefault(Path(os.path.abspath(index.path)), index)

    def module(self, path: os.PathLike[str]) -> ModuleIndex | None:
        """The index of the project module at `path`, to read its calls (recorded as a dependency)."""
        path = Path(path)
        if path in self._modules:
            return self._modules[path]
        index = self._read_for_calls.get(path)
        if index is None and path not in self._unreadable:
            self._last_read = None  # not alive beside the next one
            index = self._parse(path)
            if index is None:
                self._unreadable.add(path)
            else:
                self._read_for_calls[path] = self._last_read = index
        return index

    def last_search(self, question: tuple[object, ...], search: Callable[[], _T]) -> _T:
        """What `search` answers to `question` (compared by `==`: nodes by identity), kept until
        another question is asked: the sites of one function ask for its callers in other files
        one after another, and would otherwise parse the same files again (two caller modules,
        each dropped when the other is parsed). One answer at a time: the last one is let go
        before the next search reads anything."""
        last = self._last_search
        if last is not None and last[0] == question:
            answer: _T = last[1]
            return answer
        self._last_search = None
        answer = search()
        self._last_search = (question, answer)
        return answer

    def place(self, path: os.PathLike[str], row: int) -> str:
        """A row of a parsed module as its user sees it: `4`, or `cell 3:2` in a notebook."""
        cells = self._cells.get(Path(path))
        if cells is None:
            return str(row)
        cell, in_cell = cells.locate(row)
        return f"cell {cell.number}:{in_cell}"

    def _index(self, path: Path) -> ModuleIndex | None:
        if path not in self._modules:
            self._modules[path] = None  # an import cycle stops here
            self._modules[path] = self._parse(path)
        return self._modules[path]

    def _parse(self, path: Path) -> ModuleIndex | None:
        try:
            if path.stat().st_size > _MAX_BYTES:
                return None
            if path.suffix == ".ipynb":
                return self._parse_notebook(path)
            tree = parse_python(decode_source(read_dependency(path)), str(path)).tree
        except (OSError, SourceError):
            return None
        return ModuleIndex.build(tree, path)

    def _parse_notebook(self, path: Path) -> ModuleIndex | None:
        """A notebook's code cells that parse, joined, as its lint reads them."""
        from wdlint.frontends.notebook import parse_notebook

        notebook = parse_notebook(decode_utf8(read_dependency(path)), str(path))
        if notebook.source is None:
            return None
        self._cells[path] = notebook.cells
        return ModuleIndex.build(notebook.source.tree, path)


def _find_module(importer: Path, module_name: str) -> Path | None:
    level = len(module_name) - len(module_name.lstrip("."))
    parts = module_name.lstrip(".").split(".") if module_name.lstrip(".") else []
    if level:
        base = importer.parent
        for _ in range(level - 1):
            base = base.parent
        bases = [base]
    else:
        bases = [importer.parent, *list(importer.parent.parents)[:_MAX_PARENTS]]
    for base in bases:
        stem = base.joinpath(*parts) if parts else base
        for candidate in (stem.with_suffix(".py") if parts else None, stem / "__init__.py"):
            if candidate is None:
                continue
            if candidate.is_file() and real_path(candidate) != real_path(importer):
                return candidate
            note_absent(candidate)  # created later, it would be the module found
    return None
