"""wdlint: find weight-decay mistakes in PyTorch training code."""

from __future__ import annotations

import importlib
from collections.abc import Iterable

from wdlint.diagnostics import Diagnostic

TYPE_CHECKING = False  # `typing` is for type checkers: the hook never imports it (docs/architecture.md)

if TYPE_CHECKING:
    from wdlint.runtime.audit import audit
    from wdlint.runtime.groups import param_groups
    from wdlint.runtime.report import AuditError, AuditReport
    from wdlint.runtime.watch import watch

__version__ = "0.1.0"
__all__ = [
    "AuditError",
    "AuditReport",
    "Diagnostic",
    "__version__",
    "audit",
    "lint_source",
    "param_groups",
    "watch",
]

# The runtime half is imported on first use: `import wdlint` must not import torch.
_RUNTIME = {
    "audit": "wdlint.runtime.audit",
    "param_groups": "wdlint.runtime.groups",
    "watch": "wdlint.runtime.watch",
    "AuditReport": "wdlint.runtime.report",
    "AuditError": "wdlint.runtime.report",
}


def __getattr__(name: str) -> object:
    module_name = _RUNTIME.get(name)
    if module_name is None:
        raise AttributeError(f"module 'wdlint' has no attribute '{name}'")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name != "torch":
            raise
        from wdlint.runtime import MISSING_TORCH

        raise ImportError(MISSING_TORCH) from None
    return getattr(module, name)


def lint_source(
    source: str,
    filename: str = "<string>",
    *,
    select: Iterable[str] | None = None,
    extend_select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    target_torch_version: tuple[int, int] | None = None,
    max_file_size: int | None = None,
) -> list[Diagnostic]:
    """Static findings for Python source text, as the command line would report them.

    `max_file_size`: characters of source above which the text is reported, not parsed
    (None: the command line's default; 0: no limit).
    """
    from wdlint.engine.lint import lint_text
    from wdlint.engine.runner import DEFAULT_MAX_FILE_SIZE, LintOptions

    limit = DEFAULT_MAX_FILE_SIZE if max_file_size is None else max_file_size
    options = LintOptions.from_selection(select, extend_select, ignore, target_torch_version, limit)
    return lint_text(source, filename, options)
