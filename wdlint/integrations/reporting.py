"""What the framework callbacks share: audit once, then warn or raise the way `watch()` does."""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from torch import nn

    from wdlint.config import PolicySettings
    from wdlint.runtime.report import AuditReport


def audit_and_report(
    model: nn.Module,
    optimizers: object,
    *,
    strict: bool,
    policy: PolicySettings | None,
    select: Iterable[str] | None,
    extend_select: Iterable[str],
    ignore: Iterable[str],
) -> AuditReport:
    """Findings raise `AuditError` when `strict`, else warn (`AuditWarning`) on rank 0."""
    from wdlint.runtime.audit import audit
    from wdlint.runtime.distributed import rank
    from wdlint.runtime.report import AuditError, AuditWarning

    report = audit(model, optimizers, policy=policy, select=select, extend_select=extend_select, ignore=ignore)
    if not report.ok:
        if strict:
            raise AuditError(report)
        if rank() == 0:
            warnings.warn(AuditWarning(f"wdlint audit:\n{report}"), stacklevel=3)
    return report
