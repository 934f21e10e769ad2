from __future__ import annotations

from collections.abc import Iterator

from wdlint.analysis.sites import NameMatch, OptimizerSite
from wdlint.diagnostics import Position
from wdlint.knowledge.params import MODEL_WRAPPERS
from wdlint.rules.base import Finding, Rule, RuleContext

TYPE_CHECKING = False  # `typing` is for type checkers: the hook never imports it (docs/architecture.md)

if TYPE_CHECKING:
    from wdlint.runtime.classify import Verdict
    from wdlint.runtime.context import AuditContext
    from wdlint.runtime.optimizers import Group, OptimizerView
    from wdlint.runtime.report import Finding as AuditFinding


# tests that compare a name from its start, so a wrapper's prefix breaks them
_EXACT = (NameMatch.PREFIX, NameMatch.EQUALITY, NameMatch.MEMBERSHIP)


def check(site: OptimizerSite, context: RuleContext) -> Iterator[Finding]:
    sources = site.param_sources()
    for source in sources:
        receiver = source.receiver
        if receiver is None or receiver.wrapped_by is None:
            continue
        prefix = MODEL_WRAPPERS.get(receiver.wrapped_by, "a wrapper's prefix")
        for test in source.name_tests:
            if test.match in _EXACT:
                yield Finding(
                    f"`{receiver.expr}` is wrapped by `{receiver.wrapped_by}`, so its parameter "
                    f"names start with `{prefix}` and `{test.expr}` does not match what it "
                    "was written for; group the unwrapped model's parameters",
                    test.span,
                )


def _misgrouped(optimizer: OptimizerView, group: Group, verdict: Verdict) -> bool:
    """Whether the policy puts a param in the other kind of group."""
    from wdlint.runtime.classify import Kind

    if verdict.kind is Kind.NO_DECAY:
        return group.decays
    return verdict.kind is Kind.MATRIX and not group.decays and optimizer.decays_any


def runtime_check(context: AuditContext) -> Iterator[AuditFinding]:
    from wdlint.runtime.names import has_wrapper_prefix
    from wdlint.runtime.wording import count, finding

    wrapper = context.inventory.wrapper
    for optimizer in context.optimizers:
        if len(optimizer.groups) < 2:
            continue  # one group is no grouping: WD201 says what it decays
        where = {key: group for group in optimizer.groups for key in group.keys}
        prefixed = {
            key
            for group in optimizer.groups
            for key, name in zip(group.keys, group.recorded_names)
            if has_wrapper_prefix(name)
        }
        # Names recorded from a wrapped model, in the wrong group; or, under a wrapper, the
        # params the inner model's `no_weight_decay()` exempts, decayed (the hook is not on the
        # wrapper, so timm's create_optimizer_v2 and `model.no_weight_decay()` callers miss it).
        params = [
            (p, v)
            for p, v in zip(context.params, context.verdicts)
            if p.trainable and p.key in where and (
                (p.key in prefixed and _misgrouped(optimizer, where[p.key], v))
                or (wrapper is not None and where[p.key].decays and context.policy.listed_by_hook(p))
            )
        ]
        if not params:
            continue
        cause = (
            f"the model is wrapped by `{wrapper}`, whose param names carry its prefix and which "
            "does not have the model's `no_weight_decay()`"
            if wrapper is not None
            else "the groups were built from a wrapped model's names (`param_names` carry its prefix)"
        )
        yield finding(
            RULE,
            f"{count(params)} of {optimizer.label} are in the wrong group because {cause}: "
            "names and hooks written for the bare model do not match; group the unwrapped "
            "model's params (`model.module`, `model._orig_mod`), or group before wrapping",
            params,
        )


RULE = Rule(
    code="WD205",
    name="grouping-after-wrap",
    summary="Name-based grouping over a DDP/compile/FSDP/accelerate-wrapped model",
    what_it_does="""
Checks param groups selected by exact names, prefixes or membership in a list of names, over a
model that was wrapped before the grouping: `DistributedDataParallel`, `DataParallel`,
`torch.compile`, FSDP, `accelerator.prepare` or `deepspeed.initialize`.
""",
    why_is_this_bad="""
Wrappers rename every parameter: DDP adds `module.`, `torch.compile` adds `_orig_mod.`, FSDP adds
`_fsdp_wrapped_module.`. A name written for the bare model (`n.startswith("lm_head")`,
`n in skip_names`) no longer matches, and the params it was meant to exclude are decayed.
Substring tests such as `"bias" in n` are not affected.
""",
    example="""
import torch
from torch.nn.parallel import DistributedDataParallel as DDP

model = DDP(model)
skip = {"pos_embed", "cls_token"}
groups = [
    {"params": [p for n, p in model.named_parameters() if n not in skip], "weight_decay": 0.05},
    {"params": [p for n, p in model.named_parameters() if n in skip], "weight_decay": 0.0},
]
optimizer = torch.optim.AdamW(groups, lr=1e-3)
""",
    use_instead="""
import torch
from torch.nn.parallel import DistributedDataParallel as DDP

skip = {"pos_embed", "cls_token"}
groups = [
    {"params": [p for n, p in model.named_parameters() if n not in skip], "weight_decay": 0.05},
    {"params": [p for n, p in model.named_parameters() if n in skip], "weight_decay": 0.0},
]
optimizer = torch.optim.AdamW(groups, lr=1e-3)
model = DDP(model)
""",
    example_findings=(Position(7, 59), Position(8, 59)),
    static_check=check,
    runtime_check=runtime_check,
)
