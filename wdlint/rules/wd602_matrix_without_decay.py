from __future__ import annotations

from collections.abc import Iterator

from wdlint.rules.base import Reported, Rule

TYPE_CHECKING = False  # `typing` is for type checkers: the hook never imports it (docs/architecture.md)

if TYPE_CHECKING:
    from wdlint.runtime.context import AuditContext
    from wdlint.runtime.report import Finding as AuditFinding


def runtime_check(context: AuditContext) -> Iterator[AuditFinding]:
    from wdlint.runtime.classify import Kind
    from wdlint.runtime.wording import count, finding

    for optimizer in context.optimizers:
        if not optimizer.decays_any:
            continue
        groups = [g for g in optimizer.groups if not g.decays]
        # a matrix that another optimizer's group decays is decayed: held twice, it is WD603's
        params = context.trainable_in(
            groups,
            lambda p, v: v.kind is Kind.MATRIX and not any(g.decays for _, g in context.holders.get(p.key, ())),
        )
        if params:
            yield finding(
                RULE,
                f"{optimizer.label} decays other params but not these "
                f"{count(params, 'weight matrices')}, which are in a group with weight_decay=0; "
                "move them to the decay group (a name filter that misses them is the usual cause)",
                params,
            )


RULE = Rule(
    code="WD602",
    name="matrix-without-decay",
    summary="A weight matrix in a weight_decay=0 group while the optimizer decays other params",
    what_it_does="""
Checks, at run time, for weight matrices (params with two or more dimensions that are not
biases, normalization weights, embeddings, or exempt by the model's `no_weight_decay()` or the
policy's `no-decay` patterns) in a param group with weight_decay=0, while another group of the
same optimizer decays. A matrix that a group of another optimizer decays is decayed: holding it
twice is reported by WD603 alone.
""",
    why_is_this_bad="""
The optimizer is set up to decay the weight matrices, but a name filter put some of them in the
no-decay group, so they are not regularized. Filters by name fail on names their author did not
think of: `nn.MultiheadAttention` stores its packed query/key/value matrix as `in_proj_weight`
(no `.weight` suffix), a fragment such as `"norm"` or `"ln"` also matches other modules, and
names taken from a wrapped model carry `module.` or `_orig_mod.` prefixes.
""",
    example="""
import torch
import wdlint
from torch import nn

model = nn.TransformerEncoderLayer(d_model=64, nhead=4)
named = list(model.named_parameters())
decay = [p for n, p in named if n.endswith(".weight") and "norm" not in n]
no_decay = [p for n, p in named if not (n.endswith(".weight") and "norm" not in n)]
optimizer = torch.optim.AdamW(
    [{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}], lr=3e-4
)
report = wdlint.audit(model, optimizer)
""",
    use_instead="""
import torch
import wdlint
from torch import nn

model = nn.TransformerEncoderLayer(d_model=64, nhead=4)
decay = [p for p in model.parameters() if p.ndim >= 2]
no_decay = [p for p in model.parameters() if p.ndim < 2]
optimizer = torch.optim.AdamW(
    [{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}], lr=3e-4
)
report = wdlint.audit(model, optimizer)
""",
    options=(
        '`[tool.wdlint.policy]` `no-decay`, `embeddings`: weight matrices that are meant to be undecayed',
    ),
    static_check=Reported.RUNTIME_ONLY,
    runtime_check=runtime_check,
    known_problems="""
A model may have good reasons not to decay a particular matrix (a learned position table, a
relative-position bias table); say so with the model's `no_weight_decay()` method (the timm
convention) or the policy's `no-decay` patterns, and the audit agrees.
""",
)
