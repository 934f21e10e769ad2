from __future__ import annotations

from wdlint.rules.base import Rule

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
    check=None,
    static=False,
    runtime=True,
)
