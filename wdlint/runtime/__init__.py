"""The runtime half of wdlint: audit a real model and its optimizers.

Only this package imports torch, and only in the modules that need it. Torch-free: `report`, so
that `wdlint.AuditReport` and `wdlint.AuditError` import everywhere; and `classify`, `names` and
`wording`, which the rules' runtime checks (in `wdlint/rules/`, beside their static checks) use,
so that `wdlint check` imports every rule without torch.
"""

from __future__ import annotations

MISSING_TORCH = 'the runtime audit needs torch, which is not installed: pip install "wdlint[torch]"'
