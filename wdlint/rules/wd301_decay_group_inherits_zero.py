from __future__ import annotations

from collections.abc import Iterator

from wdlint.analysis.sites import OptimizerSite, SourceKind
from wdlint.rules.base import Finding, Rule, RuleContext


def check(site: OptimizerSite, context: RuleContext) -> Iterator[Finding]:
    if site.params.kind is not SourceKind.GROUPS or not site.weight_decay.provably_zero:
        return
    groups = site.params.groups
    explicit_zero = any(
        group.weight_decay is not None and group.weight_decay.provably_zero for group in groups
    )
    decays_somewhere = any(group.weight_decay is not None and group.weight_decay.may_decay for group in groups)
    if not explicit_zero or decays_somewhere:
        return
    for group in groups:
        if group.weight_decay is None and group.complete:
            yield Finding(
                f"this param group sets no weight_decay, so it inherits `{site.written_name}`'s "
                f"{site.weight_decay.describe()} while a sibling group sets 0 explicitly: nothing "
                "is decayed; give this group its weight_decay",
                group.span,
            )


RULE = Rule(
    code="WD301",
    name="decay-group-inherits-zero",
    summary="The \"decay\" param group inherits weight_decay=0: nothing is decayed",
    what_it_does="""
Checks for param groups where one group sets `"weight_decay": 0.0` explicitly, another group
sets no weight_decay, and the optimizer's own value is 0 (given, or the class default of
`Adam`, `SGD` and most others).
""",
    why_is_this_bad="""
The explicit zero says the author split the params into "no decay" and "decay". But a group
without `"weight_decay"` takes the constructor's value, and that is 0 here: the decay group is not
decayed either, and the whole run trains without weight decay.
""",
    example="""
import torch

optimizer = torch.optim.SGD(
    [
        {"params": decay},
        {"params": no_decay, "weight_decay": 0.0},
    ],
    lr=0.1,
)
""",
    use_instead="""
import torch

optimizer = torch.optim.SGD(
    [
        {"params": decay, "weight_decay": 5e-4},
        {"params": no_decay, "weight_decay": 0.0},
    ],
    lr=0.1,
)
""",
    check=check,
    runtime=True,
    references=(
        "[torch.optim: per-parameter options](https://pytorch.org/docs/stable/optim.html#per-parameter-options)",
    ),
)
