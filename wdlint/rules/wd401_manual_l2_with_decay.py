from __future__ import annotations

from collections.abc import Iterator

from wdlint.analysis.sites import OptimizerSite
from wdlint.diagnostics import Position
from wdlint.rules.base import Finding, Rule, RuleContext


def check(site: OptimizerSite, context: RuleContext) -> Iterator[Finding]:
    decay = site.first_decay()
    if decay is None:
        return
    # only penalties over a module whose parameters this optimizer is seen to decay
    receivers = {
        source.receiver.expr
        for group, value in site.effective_decays()
        if value.may_decay
        for source in [site.params if group is None else group.params]
        if source is not None and source.receiver is not None
    }
    for penalty in site.l2_penalties:
        if penalty.expr not in receivers:
            continue
        yield Finding(
            f"an explicit L2 penalty over `{penalty.expr}`'s parameters while `{site.written_name}` "
            f"(line {site.span.start.row}) also decays with {decay.shown()}: the "
            "parameters are regularized twice; keep one of the two",
            penalty.span,
        )


RULE = Rule(
    code="WD401",
    name="manual-l2-with-decay",
    summary="An explicit L2 penalty in the loss while the optimizer also decays",
    what_it_does="""
Checks for a hand-written L2 penalty over a module's parameters (`sum(p.pow(2).sum() for p in
model.parameters())`, `torch.norm(p)` in a loop) in a file whose optimizer also has a
weight_decay that is not provably zero.
""",
    why_is_this_bad="""
Both regularize the same parameters: the effective strength is the sum of two knobs tuned
separately, and the penalty, added to the loss, is coupled through the adaptive step of Adam-like
optimizers exactly like `Adam(weight_decay=...)`. It also decays biases and norm gains, which the
optimizer's groups may have carefully excluded.
""",
    example="""
import torch

optimizer = torch.optim.SGD(model.parameters(), lr=0.1, weight_decay=5e-4)
loss = criterion(model(x), y) + 1e-4 * sum(p.pow(2).sum() for p in model.parameters())
""",
    use_instead="""
import torch

optimizer = torch.optim.SGD(model.parameters(), lr=0.1, weight_decay=5e-4)
loss = criterion(model(x), y)
""",
    example_findings=(Position(4, 43),),
    static_check=check,
)
