from __future__ import annotations

from collections.abc import Iterator

from wdlint.rules.base import Reported, Rule

TYPE_CHECKING = False  # `typing` is for type checkers: the hook never imports it (docs/architecture.md)

if TYPE_CHECKING:
    from wdlint.runtime.classify import Verdict
    from wdlint.runtime.context import AuditContext
    from wdlint.runtime.model import Param
    from wdlint.runtime.report import Finding as AuditFinding


def runtime_check(context: AuditContext) -> Iterator[AuditFinding]:
    from wdlint.runtime.classify import Kind
    from wdlint.runtime.wording import count, finding

    wanted = context.policy.settings.embeddings
    if wanted == "either":
        return

    def is_embedding(param: Param, verdict: Verdict) -> bool:
        return verdict.kind is Kind.EMBEDDING

    for optimizer in context.optimizers:
        if wanted == "decay":
            if not optimizer.decays_any:
                continue
            params = context.trainable_in([g for g in optimizer.groups if not g.decays], is_embedding)
            problem = "does not decay"
        else:
            params = context.trainable_in([g for g in optimizer.groups if g.decays], is_embedding)
            problem = "decays"
        if params:
            yield finding(
                RULE,
                f"{optimizer.label} {problem} {count(params, 'embeddings')} while the policy says "
                f'`embeddings = "{wanted}"`; move them to the other group, or change the policy',
                params,
            )


RULE = Rule(
    code="WD604",
    name="embedding-decay-policy",
    summary="Embeddings decayed, or not, against the configured policy (opt-in)",
    what_it_does="""
Checks, at run time, that embeddings follow `embeddings` in `[tool.wdlint.policy]`: with
`"decay"`, embeddings in a weight_decay=0 group of an optimizer that decays other params are
reported; with `"no-decay"`, embeddings in a decaying group. Embeddings are params of
`nn.Embedding` (and other `*Embedding` classes) and params named like `wte`, `wpe`, `pos_embed`,
`cls_token` or `embed_tokens`; a tied output head counts as the embedding it shares. With the
default `"either"` the rule reports nothing.
""",
    why_is_this_bad="""
Recipes disagree: nanoGPT, timm, the HF Trainer and Megatron decay embeddings; minGPT and OLMo do
not, arguing that decay shrinks the rows of rare tokens that get few gradient updates. Neither
is a mistake on its own, so the rule is opt-in: a project that has chosen states its choice in
the policy and lets the audit hold every run to it.
""",
    example="""
import torch
import wdlint
from torch import nn
from wdlint.config import PolicySettings

policy = PolicySettings(embeddings="no-decay")
model = nn.Sequential(nn.Embedding(1000, 64), nn.Linear(64, 64))
optimizer = torch.optim.AdamW(
    [
        {"params": [p for p in model.parameters() if p.ndim >= 2], "weight_decay": 0.1},
        {"params": [p for p in model.parameters() if p.ndim < 2], "weight_decay": 0.0},
    ],
    lr=3e-4,
)
report = wdlint.audit(model, optimizer, policy=policy, select=["WD604"])
""",
    use_instead="""
import torch
import wdlint
from torch import nn
from wdlint.config import PolicySettings

policy = PolicySettings(embeddings="no-decay")
model = nn.Sequential(nn.Embedding(1000, 64), nn.Linear(64, 64))
optimizer = torch.optim.AdamW(wdlint.param_groups(model, weight_decay=0.1, policy=policy), lr=3e-4)
report = wdlint.audit(model, optimizer, policy=policy, select=["WD604"])
""",
    options=(
        '`[tool.wdlint.policy]` `embeddings = "decay" | "no-decay" | "either"`: the side this rule enforces',
    ),
    static_check=Reported.RUNTIME_ONLY,
    default_on=False,
    runtime_check=runtime_check,
    references=(
        "[OLMo 2: embeddings are not decayed, arXiv 2501.00656](https://arxiv.org/abs/2501.00656)",
    ),
)
