from __future__ import annotations

from collections.abc import Iterator

from wdlint.analysis.sites import OptimizerSite, SourceKind
from wdlint.diagnostics import Position
from wdlint.knowledge.optimizers import BOOKKEEPING_GROUP_KEYS
from wdlint.rules.base import Finding, Rule, RuleContext

TYPE_CHECKING = False  # `typing` is for type checkers: the hook never imports it (docs/architecture.md)

if TYPE_CHECKING:
    from wdlint.runtime.context import AuditContext
    from wdlint.runtime.optimizers import Group
    from wdlint.runtime.report import Finding as AuditFinding


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


# what two groups may differ in and still be one split by decay: their params, and the decay
_MEMBERSHIP_KEYS = BOOKKEEPING_GROUP_KEYS | {"weight_decay"}


def _differ_only_by_params(groups: tuple[Group, ...]) -> bool:
    """Whether the groups set the same options apart from their params (and weight_decay)."""
    first = groups[0].comparable_options(excluding=_MEMBERSHIP_KEYS)
    return all(group.comparable_options(excluding=_MEMBERSHIP_KEYS) == first for group in groups[1:])


def runtime_check(context: AuditContext) -> Iterator[AuditFinding]:
    from wdlint.runtime.classify import Kind
    from wdlint.runtime.wording import count, finding

    for optimizer in context.optimizers:
        groups = optimizer.groups
        if len(groups) < 2 or optimizer.default_weight_decay != 0:
            continue
        if not all(g.has_weight_decay and g.weight_decay == 0 for g in groups):
            continue
        if not _differ_only_by_params(groups):
            continue  # the groups exist for another option (a separate lr): no decay split here
        # A group of nothing but no-decay params says the author split decay from no-decay;
        # the other groups then were meant to decay, and got the default 0.
        split = {
            id(g) for g in groups
            if (held := context.held_by(g)) and all(context.policy.wants_decay(v) is False for _, v in held)
        }
        if not split:
            continue
        rest = [g for g in groups if id(g) not in split]
        params = context.trainable_in(rest, lambda p, v: v.kind is Kind.MATRIX)
        if params:
            yield finding(
                RULE,
                f"every param group of {optimizer.label} has weight_decay=0: one holds only params "
                f"that should not be decayed, but the group of the {count(params, 'weight matrices')} "
                "has 0 too (the optimizer's default, which a group without `weight_decay` "
                "inherits), so nothing is decayed; give that group its weight_decay",
                params,
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
    example_findings=(Position(5, 9),),
    static_check=check,
    runtime_check=runtime_check,
    references=(
        "[torch.optim: per-parameter options](https://pytorch.org/docs/stable/optim.html#per-parameter-options)",
    ),
)
