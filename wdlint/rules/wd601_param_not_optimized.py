from __future__ import annotations

from wdlint.rules.base import Rule

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
    check=None,
    static=False,
    runtime=True,
)
