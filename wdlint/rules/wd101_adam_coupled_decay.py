from __future__ import annotations

from collections.abc import Iterator

from wdlint.analysis.sites import OptimizerSite
from wdlint.knowledge.optimizers import Family
from wdlint.rules.base import Finding, Rule, RuleContext


def check(site: OptimizerSite, context: RuleContext) -> Iterator[Finding]:
    spec = site.spec
    if spec.family is not Family.ADAM or not spec.takes_weight_decay:
        return
    if site.is_decoupled is not False:
        return
    decay = site.first_decay()
    if decay is None:
        return
    yield Finding(
        f"`{site.written_name}` with weight_decay={decay.describe()} is L2 regularization "
        f"through Adam's adaptive step, not decoupled weight decay; {_advice(site, context)} "
        "and re-tune the value",
        site.func_span,
    )


def _advice(site: OptimizerSite, context: RuleContext) -> str:
    spec = site.spec
    flag = spec.decoupled_flag
    target = context.target_torch_version
    alternative = spec.decoupled_alternative
    if flag is None:
        return f"use {alternative}"
    if spec.decoupled_flag_since is None:  # a third-party class whose flag defaults to decoupled
        return f"pass `{flag}=True`"
    if target is not None and target < spec.decoupled_flag_since:
        return f"use {alternative}"
    if spec.short_name == "Adam":
        return f"use {alternative} (or `{flag}=True`)"
    return f"pass `{flag}=True`"


RULE = Rule(
    code="WD101",
    name="adam-coupled-decay",
    summary="Adam-family optimizer with coupled (L2) weight decay",
    what_it_does="""
Checks for `torch.optim.Adam` and `Adamax` constructed with a weight_decay that is not provably
zero, for `NAdam` and `RAdam` with decay but without `decoupled_weight_decay=True`, and for
apex/DeepSpeed `FusedAdam(adam_w_mode=False)` and `DeepSpeedCPUAdam(adamw_mode=False)` with decay.
""",
    why_is_this_bad="""
In these optimizers `weight_decay` adds `weight_decay * p` to the gradient, which Adam then
divides by the running RMS of the gradient. Parameters with large gradients are barely
regularized and the strength is entangled with the learning rate: this is L2 regularization,
not the decoupled weight decay of AdamW (Loshchilov & Hutter, arXiv 1711.05101), which is what
almost every recipe means by "weight decay". A value tuned for one does not transfer to the
other, so switching also means re-tuning it.
""",
    example="""
import torch

optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-4)
""",
    use_instead="""
import torch

optimizer = torch.optim.AdamW(
    [
        {"params": [p for p in model.parameters() if p.ndim >= 2], "weight_decay": 0.05},
        {"params": [p for p in model.parameters() if p.ndim < 2], "weight_decay": 0.0},
    ],
    lr=1e-3,
)
""",
    check=check,
    runtime=True,
    references=(
        "[torch.optim.Adam](https://pytorch.org/docs/stable/generated/torch.optim.Adam.html)",
        "[torch.optim.AdamW](https://pytorch.org/docs/stable/generated/torch.optim.AdamW.html)",
        "[Decoupled Weight Decay Regularization, arXiv 1711.05101](https://arxiv.org/abs/1711.05101)",
    ),
)
