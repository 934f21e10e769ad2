"""A Hugging Face `TrainerCallback` that audits the optimizer when training begins.

    from wdlint.integrations.huggingface import WeightDecayAuditCallback
    trainer = Trainer(model=model, args=args, callbacks=[WeightDecayAuditCallback(strict=True)])

The Trainer's own grouping (by `TrainingArguments.weight_decay`) is audited as well as an
optimizer passed in with `optimizers=(optimizer, scheduler)`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from wdlint.integrations.reporting import AuditSettings

if TYPE_CHECKING:
    from wdlint.config import PolicySettings
    from wdlint.runtime.report import AuditReport

try:
    from transformers import TrainerCallback
except ImportError as error:
    raise ImportError("wdlint.integrations.huggingface needs transformers: pip install transformers") from error


class WeightDecayAuditCallback(TrainerCallback):  # type: ignore[misc, unused-ignore]  # typed only where installed
    """Audit the model's optimizer at `on_train_begin`; `report` holds the result."""

    def __init__(
        self,
        *,
        strict: bool = False,
        policy: PolicySettings | None = None,
        select: Iterable[str] | None = None,
        extend_select: Iterable[str] = (),
        ignore: Iterable[str] = (),
    ) -> None:
        self.settings = AuditSettings(strict, policy, select, extend_select, ignore)
        self.report: AuditReport | None = None

    def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        model, optimizer = kwargs.get("model"), kwargs.get("optimizer")
        if model is not None and optimizer is not None:
            self.report = self.settings.run(model, optimizer)
