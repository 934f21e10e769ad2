from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from wdlint.analysis.sites import OptimizerSite
from wdlint.diagnostics import Position
from wdlint.knowledge.optimizers import Family
from wdlint.rules.base import Finding, Rule, RuleContext

if TYPE_CHECKING:
    from wdlint.runtime.context import AuditContext
    from wdlint.runtime.report import Finding as AuditFinding


def check(site: OptimizerSite, context: RuleContext) -> Iterator[Finding]:
    if site.spec.family is not Family.ADAPTIVE:
        return
    decay = site.first_decay()
    if decay is None:
        return
    yield Finding(
        f"`{site.written_name}` with weight_decay={decay.describe()} adds L2 to the "
        f"gradient before {site.spec.short_name}'s adaptive scaling, so parameters with large "
        f"gradients are barely decayed; use decoupled decay ({site.spec.decoupled_alternative}) or no decay",
        site.func_span,
    )


def runtime_check(context: AuditContext) -> Iterator[AuditFinding]:
    from wdlint.runtime.wording import count, decays, finding

    for optimizer in context.optimizers:
        spec = optimizer.spec
        if spec is None or spec.family is not Family.ADAPTIVE:
            continue
        groups = [g for g in optimizer.groups if g.decays]
        params = context.trainable_in(groups)
        if params:
            yield finding(
                RULE,
                f"{optimizer.label} adds weight_decay={decays(groups)} to the gradient of "
                f"{count(params)} before its adaptive scaling, so params with large gradients are "
                "barely decayed; use decoupled decay (`torch.optim.AdamW`) or no decay",
                params,
            )


RULE = Rule(
    code="WD102",
    name="adaptive-coupled-decay",
    summary="Adagrad/RMSprop/Adadelta with coupled (L2) weight decay",
    what_it_does="""
Checks for `torch.optim.Adagrad`, `RMSprop` and `Adadelta` constructed with a weight_decay that
is not provably zero.
""",
    why_is_this_bad="""
These optimizers add `weight_decay * p` to the gradient and then divide by a running scale of
the gradient, exactly like `Adam(weight_decay=...)`: the decay a parameter gets depends on its
gradient history instead of being uniform. None of them has a decoupled mode; if you want weight
decay, an AdamW-style optimizer gives it, and if you want L2 regularization this way, say so with
a `# noqa: WD102`.
""",
    example="""
import torch

optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3, weight_decay=1e-5)
""",
    use_instead="""
import torch

optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3)
""",
    example_findings=(Position(3, 13),),
    static_check=check,
    runtime_check=runtime_check,
    references=(
        "[torch.optim.RMSprop](https://pytorch.org/docs/stable/generated/torch.optim.RMSprop.html)",
        "[Decoupled Weight Decay Regularization, arXiv 1711.05101](https://arxiv.org/abs/1711.05101)",
    ),
)
