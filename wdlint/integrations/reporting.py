"""What the framework callbacks share: audit once, then warn or raise the way `watch()` does."""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from torch import nn

    from wdlint.config import PolicySettings
    from wdlint.runtime.report import AuditReport


@dataclass(frozen=True)
class AuditSettings:
    """A callback's options: those of `wdlint.audit`, and whether findings stop the run."""

    strict: bool = False
    policy: PolicySettings | None = None
    select: Iterable[str] | None = None
    extend_select: Iterable[str] = ()
    ignore: Iterable[str] = ()

    def run(self, model: nn.Module, optimizers: object) -> AuditReport:
        """Findings raise `AuditError` when `strict`, else warn (`AuditWarning`) on rank 0."""
        from wdlint.runtime.audit import audit
        from wdlint.runtime.distributed import rank
        from wdlint.runtime.report import AuditError, AuditWarning

        report = audit(
            model, optimizers, policy=self.policy, select=self.select, extend_select=self.extend_select,
            ignore=self.ignore,
        )
        if not report.ok:
            if self.strict:
                raise AuditError(report)
            if rank() == 0:
                warnings.warn(AuditWarning(f"wdlint audit:\n{report}"), stacklevel=3)
        return report
