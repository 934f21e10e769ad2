from __future__ import annotations

from collections.abc import Iterator

from wdlint.rules.base import Reported, Rule

TYPE_CHECKING = False  # `typing` is for type checkers: the hook never imports it (docs/architecture.md)

if TYPE_CHECKING:
    from wdlint.runtime.context import AuditContext
    from wdlint.runtime.report import Finding as AuditFinding


def runtime_check(context: AuditContext) -> Iterator[AuditFinding]:
    from wdlint.runtime.wording import count, finding

    shared = {key: holders for key, holders in context.holders.items() if len(holders) > 1}
    params = [(p, v) for p, v in zip(context.params, context.verdicts) if p.key in shared]
    if not params:
        return
    places = dict.fromkeys(
        f"param group {group.index} of {optimizer.label}"
        for p, _ in params
        for optimizer, group in shared[p.key]
    )
    yield finding(
        RULE,
        f"{count(params)} are held by several param groups ({'; '.join(places)}): each one "
        "updates and decays them, so they take several steps per step; give each param to one group",
        params,
    )


RULE = Rule(
    code="WD603",
    name="param-in-several-groups",
    summary="One tensor held by several param groups or optimizers",
    what_it_does="""
Checks, at run time, for a tensor that more than one param group holds, across all the audited
optimizers. torch refuses this inside one optimizer, but not across two.
""",
    why_is_this_bad="""
Each optimizer that holds the tensor updates it: it takes two steps per training step, with two
sets of moment estimates, and is decayed twice (or decayed by one optimizer and exempt in the
other). The usual cause is a second optimizer built from `model.parameters()` next to one built
from a selection, as when Muon takes the hidden matrices and AdamW is meant to take the rest.
""",
    example="""
import torch
import wdlint
from torch import nn

model = nn.Sequential(nn.Linear(32, 32), nn.LayerNorm(32), nn.Linear(32, 32))
muon = torch.optim.Muon([p for p in model.parameters() if p.ndim == 2], lr=0.02)
adamw = torch.optim.AdamW(model.parameters(), lr=3e-4, weight_decay=0.0)
report = wdlint.audit(model, [muon, adamw])
""",
    use_instead="""
import torch
import wdlint
from torch import nn

model = nn.Sequential(nn.Linear(32, 32), nn.LayerNorm(32), nn.Linear(32, 32))
muon = torch.optim.Muon([p for p in model.parameters() if p.ndim == 2], lr=0.02)
adamw = torch.optim.AdamW([p for p in model.parameters() if p.ndim != 2], lr=3e-4, weight_decay=0.0)
report = wdlint.audit(model, [muon, adamw])
""",
    static_check=Reported.RUNTIME_ONLY,
    runtime_check=runtime_check,
)
