"""The flake8 plugin: `flake8 --select WD` runs wdlint's static rules on Python files.

Registered as the `WD` entry point of `flake8.extension`. It lints the file's text the way
`wdlint check` does (its own parse, its noqa rules); flake8 then applies its own `--select`,
`--ignore`, `--per-file-ignores` and `# noqa` on top.
"""

from __future__ import annotations

import argparse
import ast
from collections.abc import Iterator, Sequence
from pathlib import Path

from wdlint import __version__
from wdlint.engine.lint import lint_text
from wdlint.engine.prefilter import may_contain_optimizer
from wdlint.engine.runner import LintOptions
from wdlint.selection import is_valid_selector

Error = tuple[int, int, str, type]


class WdlintChecker:
    name = "wdlint"
    version = __version__
    # the default-on rules, until flake8's options say more (parse_options); flake8 shows no
    # fix, so none is written out
    options = LintOptions.from_selection(fix_edits=False)

    def __init__(self, tree: ast.AST, filename: str, lines: Sequence[str]) -> None:
        # flake8 hands over its tree, and asking for it is what makes this an AST plugin; wdlint
        # parses the text itself, as its columns count characters and it reads comments
        self.filename = filename
        self.lines = lines

    @classmethod
    def parse_options(cls, options: argparse.Namespace) -> None:
        """Opt-in rules run when flake8's --select/--extend-select name them, as in wdlint.

        Only selectors that start with `WD` count: flake8's `W` (pycodestyle) is no opt-in.
        """
        named = [*(options.select or ()), *(options.extend_select or ())]
        wanted = [s for s in named if s.upper().startswith("WD") and is_valid_selector(s)]
        cls.options = LintOptions.from_selection(None, wanted, fix_edits=False)

    def run(self) -> Iterator[Error]:
        text = "".join(self.lines)
        if not may_contain_optimizer(text.encode("utf-8", "surrogateescape")):
            return
        path = Path(self.filename)
        # on disk, the project's other files are followed for imported constants and helpers
        on_disk = path if self.filename not in ("-", "stdin") and path.is_file() else None
        for diagnostic in lint_text(text, self.filename, self.options, path=on_disk):
            # flake8 adds 1 to the column it is given; ours are 1-based already
            yield (
                diagnostic.location.row,
                diagnostic.location.column - 1,
                f"{diagnostic.code} {diagnostic.message}",
                type(self),
            )
