from __future__ import annotations

from collections.abc import Iterator

from wdlint.analysis.sites import NameMatch, OptimizerSite
from wdlint.knowledge.params import MODEL_WRAPPERS
from wdlint.rules.base import Finding, Rule, RuleContext

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
    check=check,
    runtime=True,
)
