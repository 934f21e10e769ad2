from __future__ import annotations

from collections.abc import Iterator

from wdlint.analysis.sites import OptimizerSite, ValueKind
from wdlint.diagnostics import Applicability, Position
from wdlint.rules.base import Finding, Rule, RuleContext
from wdlint.rules.fixes import FixPlan, append_keyword


def check(site: OptimizerSite, context: RuleContext) -> Iterator[Finding]:
    if not site.spec.has_nonzero_default or site.weight_decay.kind is not ValueKind.DEFAULT:
        return
    if all(group is not None and group.sets_weight_decay for group, _ in site.effective_decays()):
        return
    default = site.spec.default_weight_decay
    edit = append_keyword(site, f"weight_decay={default!r}")
    # another candidate class would get this default too: no fix when the class is chosen
    fix = FixPlan(Applicability.SAFE, f"Write `weight_decay={default!r}`", (edit,)) if edit and site.choice is None else None
    yield Finding(
        f"`{site.written_name}` relies on its default weight_decay={default!r}; write the value explicitly",
        site.func_span,
        fix,
    )


USE_INSTEAD = """
import torch

optimizer = torch.optim.AdamW(param_groups, lr=3e-4, weight_decay=0.01)
"""

RULE = Rule(
    code="WD104",
    name="implicit-default-decay",
    summary="AdamW/Muon relying on a nonzero default weight_decay (opt-in)",
    what_it_does="""
Checks for optimizers whose default weight_decay is not zero (`torch.optim.AdamW`: 0.01,
`torch.optim.Muon`: 0.1, bitsandbytes `AdamW*`: 0.01) constructed without a weight_decay, where
some params get that default.
""",
    why_is_this_bad="""
A hidden default makes the decay easy to miss when reading the code and easy to change by
accident: `Adam` defaults to 0, `AdamW` to 0.01, `transformers.AdamW` used to default to 0.0.
Writing the value states the intent and survives a change of optimizer class.
""",
    example="""
import torch

optimizer = torch.optim.AdamW(param_groups, lr=3e-4)
""",
    use_instead=USE_INSTEAD,
    example_findings=(Position(3, 13),),
    example_fixed=USE_INSTEAD,  # the fix writes what the page recommends
    static_check=check,
    default_on=False,
    fix=Applicability.SAFE,
    fix_safety="""
The fix writes the value the optimizer uses anyway, so it is safe.
""",
    references=(
        "[torch.optim.AdamW](https://pytorch.org/docs/stable/generated/torch.optim.AdamW.html)",
    ),
)
