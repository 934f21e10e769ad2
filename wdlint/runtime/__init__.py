"""The runtime half of wdlint: audit a real model and its optimizers.

Only this package imports torch, and only in the modules that need it; `report` is torch-free
so that `wdlint.AuditReport` and `wdlint.AuditError` import everywhere.
"""

from __future__ import annotations

MISSING_TORCH = 'the runtime audit needs torch, which is not installed: pip install "wdlint[torch]"'
