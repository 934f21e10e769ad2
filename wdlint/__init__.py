"""wdlint: find weight-decay mistakes in PyTorch training code."""

from __future__ import annotations

from collections.abc import Iterable

from wdlint.diagnostics import Diagnostic

__version__ = "0.1.0"
__all__ = ["Diagnostic", "__version__", "lint_source"]


def lint_source(
    source: str,
    filename: str = "<string>",
    *,
    select: Iterable[str] | None = None,
    extend_select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    target_torch_version: tuple[int, int] | None = None,
) -> list[Diagnostic]:
    """Static findings for Python source text, as the command line would report them."""
    from wdlint.engine.runner import LintOptions, lint_text

    options = LintOptions.from_selection(select, extend_select, ignore, target_torch_version)
    return lint_text(source, filename, options)
