from __future__ import annotations

from collections.abc import Iterator

from wdlint.rules.base import Reported, Rule

TYPE_CHECKING = False  # `typing` is for type checkers: the hook never imports it (docs/architecture.md)

if TYPE_CHECKING:
    from wdlint.runtime.context import AuditContext
    from wdlint.runtime.report import Finding as AuditFinding


def runtime_check(context: AuditContext) -> Iterator[AuditFinding]:
    from wdlint.runtime.wording import count, finding

    if not context.model_given:
        return
    params = [
        (p, v) for p, v in zip(context.params, context.verdicts)
        if p.trainable and p.key not in context.holders
    ]
    if params:
        where = (
            context.optimizers[0].label if len(context.optimizers) == 1
            else f"any of the {len(context.optimizers)} optimizers"
        )
        yield finding(
            RULE,
            f"{count(params, 'trainable params')} are in no param group of {where}, so they never "
            "train; add them to a group, or set `requires_grad=False` if they are meant to be frozen",
            params,
        )


RULE = Rule(
    code="WD601",
    name="param-not-optimized",
    summary="A trainable param that is in no param group of any optimizer: it never trains",
    what_it_does="""
Checks, at run time, for params with `requires_grad=True` that none of the audited optimizers
holds. Frozen params (`requires_grad=False`) left out of the optimizer are fine and are not
reported. Pass every optimizer of the run to `wdlint.audit` (a list), or a param trained by a
second optimizer is reported as missing; `wdlint.watch()` sees one optimizer at a time and so
does not run this check.
""",
    why_is_this_bad="""
A param that no optimizer holds keeps its initial value while its gradient is computed every
step, and nothing warns. It happens when the optimizer is built from a submodule
(`model.backbone.parameters()`), before a head or adapter is attached, or from a name filter that
drops some params from every group.
""",
    example="""
import torch
import wdlint
from torch import nn

model = nn.ModuleDict({"backbone": nn.Linear(16, 32), "head": nn.Linear(32, 4)})
optimizer = torch.optim.AdamW(wdlint.param_groups(model["backbone"], weight_decay=0.05), lr=1e-3)
report = wdlint.audit(model, optimizer)
""",
    use_instead="""
import torch
import wdlint
from torch import nn

model = nn.ModuleDict({"backbone": nn.Linear(16, 32), "head": nn.Linear(32, 4)})
optimizer = torch.optim.AdamW(wdlint.param_groups(model, weight_decay=0.05), lr=1e-3)
report = wdlint.audit(model, optimizer)
""",
    static_check=Reported.RUNTIME_ONLY,
    runtime_check=runtime_check,
)
