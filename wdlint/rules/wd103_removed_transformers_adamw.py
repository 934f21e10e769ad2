from __future__ import annotations

from collections.abc import Iterator

from wdlint.analysis.sites import OptimizerSite
from wdlint.rules.base import Finding, Rule, RuleContext


def check(site: OptimizerSite, context: RuleContext) -> Iterator[Finding]:
    if site.spec.removed is None:
        return
    yield Finding(
        f"`{site.written_name}`: {site.spec.removed}; its default weight_decay was "
        f"{site.spec.default_weight_decay!r}: use `torch.optim.AdamW` (default 0.01) with an "
        "explicit weight_decay",
        site.func_span,
    )


RULE = Rule(
    code="WD103",
    name="removed-transformers-adamw",
    summary="`transformers.AdamW`, removed in transformers 4.50",
    what_it_does="""
Checks for uses of `transformers.AdamW` (also `transformers.optimization.AdamW`).
""",
    why_is_this_bad="""
`transformers.AdamW` was deprecated for years and removed in transformers 4.50: the import fails
on a current install. Its default weight_decay was 0.0, while `torch.optim.AdamW` defaults to
0.01, so a plain rename silently turns on decay of every parameter, biases and norms included.
""",
    example="""
from transformers import AdamW

optimizer = AdamW(model.parameters(), lr=2e-5)
""",
    use_instead="""
import torch

optimizer = torch.optim.AdamW(model.parameters(), lr=2e-5, weight_decay=0.0)
""",
    check=check,
    fix_safety="""
A safe fix (replacing the class and writing `weight_decay=0.0` when none was given) keeps the
training unchanged.
""",
    references=(
        "[torch.optim.AdamW](https://pytorch.org/docs/stable/generated/torch.optim.AdamW.html)",
    ),
)
