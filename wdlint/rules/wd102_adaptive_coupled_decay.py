from __future__ import annotations

from collections.abc import Iterator

from wdlint.analysis.sites import OptimizerSite
from wdlint.diagnostics import Position
from wdlint.knowledge.optimizers import Family
from wdlint.rules.base import Finding, Rule, RuleContext

TYPE_CHECKING = False  # `typing` is for type checkers: the hook never imports it (docs/architecture.md)

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
        f"{site.shown_class} with {decay.shown(besides=site.class_origin)} adds L2 to the "
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
The message names the class as written and the weight_decay it gets, with where that value is
written when it is not the call (as WD201's page says: a line, a file, an option's or a
parameter's default, a config key, a framework's default, an mm base config). A decay that
could only come through an unresolved `**kwargs` is not reported: these classes default to 0.
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
