from __future__ import annotations

from collections.abc import Iterator

from wdlint.analysis.sites import OptimizerSite, SourceKind, ValueKind
from wdlint.diagnostics import Position
from wdlint.rules.base import Finding, Rule, RuleContext


def check(site: OptimizerSite, context: RuleContext) -> Iterator[Finding]:
    value = site.weight_decay
    if value.kind is ValueKind.DEFAULT or value.hidden:
        return
    params = site.params
    if params.kind is not SourceKind.GROUPS or not params.complete or not params.groups:
        return
    if not all(group.sets_weight_decay for group in params.groups):
        return
    argument = site.argument("weight_decay")
    overriding = params.groups[0].weight_decay
    assert overriding is not None
    yield Finding(
        f"{value.shown()} given to `{site.written_name}` is never used: every "
        f"param group sets its own weight_decay (the first: {overriding.describe()})",
        argument.span if argument is not None else site.func_span,
    )


RULE = Rule(
    code="WD302",
    name="decay-overridden",
    summary="A constructor weight_decay that every param group overrides",
    what_it_does="""
Checks optimizers given a weight_decay whose param groups all set their own weight_decay, and
PEFT's `create_loraplus_optimizer` given `weight_decay` (it overrides every group's decay with
`loraplus_weight_decay`, 0.0 by default).
""",
    why_is_this_bad="""
The constructor's value only fills in groups that lack the key. When every group has it, the
argument is dead: changing it on the command line or in a sweep changes nothing, while whoever
reads the code believes it is the run's decay.
""",
    example="""
import torch

optimizer = torch.optim.AdamW(
    [{"params": decay, "weight_decay": 0.05}, {"params": no_decay, "weight_decay": 0.0}],
    lr=3e-4,
    weight_decay=args.weight_decay,
)
""",
    use_instead="""
import torch

optimizer = torch.optim.AdamW(
    [{"params": decay, "weight_decay": args.weight_decay}, {"params": no_decay, "weight_decay": 0.0}],
    lr=3e-4,
)
""",
    example_findings=(Position(6, 5),),
    static_check=check,
)
