"""A Lightning callback that audits the optimizers when fitting starts.

    from wdlint.integrations.lightning import WeightDecayAudit
    trainer = L.Trainer(callbacks=[WeightDecayAudit(strict=True)])

Works with `lightning` (`lightning.pytorch`) and the older `pytorch_lightning` package.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from wdlint.integrations.reporting import AuditSettings

if TYPE_CHECKING:
    from wdlint.config import PolicySettings
    from wdlint.runtime.report import AuditReport

try:
    from lightning.pytorch.callbacks import Callback
except ImportError:  # the package before its rename
    try:
        from pytorch_lightning.callbacks import Callback  # type: ignore[assignment, unused-ignore]
    except ImportError as error:
        raise ImportError(
            "wdlint.integrations.lightning needs Lightning: pip install lightning"
        ) from error


class WeightDecayAudit(Callback):  # type: ignore[misc, unused-ignore]  # typed only where Lightning is installed
    """Audit the LightningModule's optimizers at `on_fit_start` (or, when the strategy creates
    them later, at the first training batch). `report` holds the result."""

    def __init__(
        self,
        *,
        strict: bool = False,
        policy: PolicySettings | None = None,
        select: Iterable[str] | None = None,
        extend_select: Iterable[str] = (),
        ignore: Iterable[str] = (),
    ) -> None:
        super().__init__()
        self.settings = AuditSettings(strict, policy, select, extend_select, ignore)
        self.report: AuditReport | None = None

    def on_fit_start(self, trainer: Any, pl_module: Any) -> None:
        self._audit(trainer, pl_module)

    def on_train_batch_start(self, trainer: Any, pl_module: Any, batch: Any, batch_idx: int) -> None:
        if self.report is None:
            self._audit(trainer, pl_module)

    def _audit(self, trainer: Any, pl_module: Any) -> None:
        optimizers = list(trainer.optimizers)
        if optimizers:
            self.report = self.settings.run(pl_module, optimizers)
