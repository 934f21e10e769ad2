"""What `wdlint server` lints, without the protocol: an open document (or a notebook's cells)
linted as `wdlint check` lints the file on disk, but from the editor's unsaved text.

The settings are the CLI's (`[tool.wdlint]` found upward from the document, per-file-ignores,
excludes as `--force-exclude` reads them), kept per directory and read again when a config
file changes. The result cache is never used: it keys on files, and the text is not the file.
The project's other files are read from disk for cross-file facts, as a check reads them.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from wdlint.config import CONFIG_NAMES, Settings, find_config_file, load_settings
from wdlint.diagnostics import Diagnostic
from wdlint.engine.discover import excluded
from wdlint.engine.jobs import LintOptions
from wdlint.frontends.formats import FORMATS, Format, format_for
from wdlint.frontends.formats.notebook import NOTEBOOK
from wdlint.selection import ignored_by

# A document whose name has no suffix wdlint knows is read as its editor language says.
_LANGUAGES: dict[str, str] = {"python": ".py", "yaml": ".yaml", "json": ".json"}


def format_of(name: str, language_id: str | None) -> Format | None:
    """The format a document is linted as, or None when wdlint does not read it (Markdown,
    a Makefile): a known suffix first, as `wdlint check` picks, else the editor's language."""
    suffix = os.path.splitext(name)[1].lower()
    if any(suffix in form.suffixes for form in FORMATS):
        return format_for(name)
    known = _LANGUAGES.get(language_id or "")
    return next((form for form in FORMATS if known in form.suffixes), None)


def is_config_file(path: Path) -> bool:
    """Whether a change to `path` may change the settings."""
    return path.name in CONFIG_NAMES


@dataclass(frozen=True)
class Lint:
    """How one document is linted: `lint(text)` is what `wdlint check` reports for that text
    in the document's place (prefilter, format, selection, per-file-ignores)."""

    filename: str  # what diagnostics name; its suffix picked nothing: `form` is the format
    path: Path | None  # where the document lives (None: not a file), for cross-file facts
    form: Format
    options: LintOptions
    ignore: tuple[str, ...]  # per-file-ignores

    def __call__(self, text: str) -> list[Diagnostic]:
        from wdlint.engine.lint import lint_text, parse_error

        # the runner's screening: a file the prefilter passes over is never parsed, though a
        # broken notebook is still reported
        data = text.encode("utf-8", errors="surrogatepass")
        if not self.form.may_configure_optimizer(data):
            error = self.form.unreadable(data)
            return [] if error is None else [parse_error(self.filename, error.message, error.position)]
        found = lint_text(text, self.filename, self.options, path=self.path, form=self.form)
        return [d for d in found if not ignored_by(self.ignore, d.code)]

    def with_edits(self) -> Lint:
        """This lint with its fixes written out (libcst): for code actions, not for every change."""
        return dataclasses.replace(self, options=self.options._replace(fix_edits=True))


_Stamp = tuple[int, int] | None


def _stamp(path: Path | None) -> _Stamp:
    if path is None:
        return None
    try:
        status = path.stat()
    except OSError:
        return None
    return status.st_mtime_ns, status.st_size


class Linter:
    """The settings of the documents of one server, kept per directory."""

    def __init__(self, root: Path) -> None:
        self.root = Path(os.path.abspath(root))  # where a document that is not a file finds its settings
        # directory -> its settings and their config file's stamp
        self._settings: dict[Path, tuple[Settings, _Stamp]] = {}

    def forget_settings(self) -> None:
        """A config file changed, appeared or went: every directory finds its own again."""
        self._settings.clear()

    def settings(self, path: Path | None) -> Settings:
        """The settings a check of `path` uses, their config file read again when it changed;
        ConfigError for one that cannot be used (never kept: the next lint reads it again,
        so the fix the user is typing into it counts at once)."""
        directory = self.root if path is None else Path(os.path.abspath(path)).parent
        known = self._settings.get(directory)
        if known is not None and _stamp(known[0].config_path) == known[1]:
            return known[0]
        found = find_config_file(directory)
        settings = load_settings(found) if found is not None else Settings(root=self.root)
        self._settings[directory] = (settings, _stamp(settings.config_path))
        return settings

    def lint_for(self, path: Path | None, filename: str, form: Format) -> Lint | None:
        """How the document is linted; None when the settings exclude it. ConfigError as
        `settings`."""
        settings = self.settings(path)
        if path is not None and excluded(path, settings):
            return None
        options = LintOptions.from_selection(
            settings.select,
            settings.extend_select,
            settings.ignore,
            settings.target_torch_version,
            settings.max_file_size,
            # the diagnostics published on each change say that a fix exists; its edits are
            # written out (libcst, tens of ms) only when code actions are asked for
            fix_edits=False,
        )
        ignore = settings.ignores_for(path) if path is not None else ()
        return Lint(filename, path, form, options, ignore)


@dataclass(frozen=True)
class Cell:
    """A notebook cell as the editor holds it."""

    code: bool  # a code cell of Python: the others only count in the numbering, as in the file
    text: str


def notebook_json(cells: Sequence[Cell], metadata: Mapping[str, object] | None) -> str:
    """The notebook as the `.ipynb` JSON a check reads, so that its cells are numbered, masked,
    joined and placed exactly as in the file; the kernel's language stays in the metadata."""
    return json.dumps(
        {
            "cells": [
                {"cell_type": "code" if cell.code else "raw", "metadata": {}, "source": cell.text}
                for cell in cells
            ],
            "metadata": dict(metadata or {}),
            "nbformat": 4,
            "nbformat_minor": 5,
        }
    )


def fix_all(lint: Lint, text: str, first: Sequence[Diagnostic]) -> str:
    """The text with every safe fix applied, in passes, as `wdlint check --fix` applies them
    (a pass that would break the syntax is dropped); configs have no fixes."""
    from wdlint.engine.fix import Applier, apply_to_cells, fix_text

    if lint.form.fixer() is None:
        return text
    apply: Applier | None = apply_to_cells if lint.form is NOTEBOOK else None
    return fix_text(text, lint, False, first, apply).text
