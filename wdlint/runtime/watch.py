"""`wdlint.watch()`: audit every optimizer at its first step, wherever it was built.

torch calls its global optimizer step pre-hooks from every `Optimizer.step()`, so optimizers
built inside Lightning's `configure_optimizers` or the HF Trainer are audited with one line,
after any wrapping and `add_param_group` calls, and before the first update.
"""

from __future__ import annotations

import warnings
import weakref
from collections.abc import Iterable
from types import TracebackType
from typing import Any

import torch
from torch import nn
from torch.optim.optimizer import register_optimizer_step_pre_hook

from wdlint.config import PolicySettings
from wdlint.runtime.audit import run_audit, runtime_codes
from wdlint.runtime.distributed import rank
from wdlint.runtime.report import AuditError, AuditReport, AuditWarning

# WD601 needs every optimizer of the run at once (a GAN's discriminator params are not missing
# from the generator's optimizer); the hook sees one at a time. `audit(model, [a, b])` checks it.
_NEEDS_ALL_OPTIMIZERS = "WD601"


class Watch:
    """The registration `watch()` returns: `remove()` ends it, `reports` holds every audit's."""

    def __init__(
        self,
        model: nn.Module | None,
        *,
        strict: bool,
        every: int | None,
        policy: PolicySettings | None,
        codes: frozenset[str],
        all_ranks: bool,
    ) -> None:
        if every is not None and every < 1:
            raise ValueError(f"every must be a positive number of steps, got {every}")
        self.reports: list[AuditReport] = []
        self._model = weakref.ref(model) if model is not None else None
        self._strict = strict
        self._every = every
        self._policy = policy
        self._codes = codes - {_NEEDS_ALL_OPTIMIZERS}
        self._all_ranks = all_ranks
        self._steps: weakref.WeakKeyDictionary[torch.optim.Optimizer, int] = weakref.WeakKeyDictionary()
        self._handle = register_optimizer_step_pre_hook(self._before_step)

    def remove(self) -> None:
        self._handle.remove()

    def __enter__(self) -> Watch:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.remove()

    def _before_step(self, optimizer: torch.optim.Optimizer, args: Any, kwargs: Any) -> None:
        step = self._steps.get(optimizer, 0)
        self._steps[optimizer] = step + 1
        if step == 0 or (self._every is not None and step % self._every == 0):
            self._audit(optimizer)

    def _audit(self, optimizer: torch.optim.Optimizer) -> None:
        model = self._model() if self._model is not None else None
        report = run_audit(model, [optimizer], self._policy, self._codes)
        if report is None:
            return  # another network's optimizer, or DeepSpeed's flattened copies: not this model's
        self.reports.append(report)
        if report.ok:
            return
        if self._strict:  # on every rank: a rank left running would wait for the others forever
            raise AuditError(report)
        if self._all_ranks or rank() == 0:
            warnings.warn(AuditWarning(f"wdlint audit:\n{report}"), stacklevel=3)


def watch(
    model: nn.Module | None = None,
    *,
    strict: bool = False,
    every: int | None = None,
    policy: PolicySettings | None = None,
    select: Iterable[str] | None = None,
    extend_select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    all_ranks: bool = False,
) -> Watch:
    """Audit each optimizer at its first step (and every `every` steps after, if given).

    Findings are an `AuditWarning` (on rank 0 only under torch.distributed, unless
    `all_ranks`), or an `AuditError` from `step()` when `strict`. With a model, params are
    classified by their modules; without one, by `param_names` and shapes.
    """
    return Watch(
        model,
        strict=strict,
        every=every,
        policy=policy,
        codes=runtime_codes(select, extend_select, ignore),
        all_ranks=all_ranks,
    )
