from __future__ import annotations

from collections.abc import Iterator

from wdlint.analysis.sites import NameMatch, NameTest, OptimizerSite
from wdlint.diagnostics import Applicability, Edit, Position
from wdlint.knowledge.params import NO_DECAY_FRAGMENTS
from wdlint.rules.base import Finding, Rule, RuleContext
from wdlint.rules.fixes import FixPlan


def check(site: OptimizerSite, context: RuleContext) -> Iterator[Finding]:
    sources = site.param_sources()
    for test in (t for source in sources for t in source.name_tests):
        if test.match is not NameMatch.MEMBERSHIP or not test.fragments:
            continue
        fragments = [f for f in test.fragments if f in NO_DECAY_FRAGMENTS]
        if not fragments:
            continue
        replacement = _substring_test(test)
        fix = FixPlan(Applicability.SAFE, f"Use `{replacement}`", (Edit(replacement, test.span.start, test.span.end),))
        yield Finding(
            f"`{test.expr}` compares whole parameter names with fragments such as {fragments[0]!r}, "
            f"which never equal a name: the filter does nothing; use `{replacement}`",
            test.span,
            fix if test.collection and test.subject else None,
        )


def _substring_test(test: NameTest) -> str:
    subject, collection = test.subject or "n", test.collection or "no_decay"
    variable = next(v for v in ("nd", "fragment", "part") if v not in (subject, collection))
    found = f"any({variable} in {subject} for {variable} in {collection})"
    return f"not {found}" if test.negated else found


USE_INSTEAD = """
import torch

no_decay = ["bias", "LayerNorm.weight"]
groups = [
    {
        "params": [
            p
            for n, p in model.named_parameters()
            if not any(nd in n for nd in no_decay)
        ],
        "weight_decay": 0.01,
    },
    {
        "params": [
            p for n, p in model.named_parameters() if any(nd in n for nd in no_decay)
        ],
        "weight_decay": 0.0,
    },
]
optimizer = torch.optim.AdamW(groups, lr=5e-5)
"""

RULE = Rule(
    code="WD203",
    name="membership-not-substring",
    summary="`n in no_decay` over name fragments: always False, the filter does nothing",
    what_it_does="""
Checks name filters written as `n in no_decay` / `n not in no_decay` where `no_decay` holds
name fragments such as `"bias"` or `"LayerNorm.weight"`.
""",
    why_is_this_bad="""
`in` on a list tests equality with each element. A parameter is named `encoder.layer.0.output.
LayerNorm.weight`, never `LayerNorm.weight`, so `n in no_decay` is always False and
`n not in no_decay` always True: every parameter lands in the decay group, biases and norms
included. The intended test is a substring test against each fragment.
""",
    example="""
import torch

no_decay = ["bias", "LayerNorm.weight"]
groups = [
    {"params": [p for n, p in model.named_parameters() if n not in no_decay], "weight_decay": 0.01},
    {"params": [p for n, p in model.named_parameters() if n in no_decay], "weight_decay": 0.0},
]
optimizer = torch.optim.AdamW(groups, lr=5e-5)
""",
    use_instead=USE_INSTEAD,
    example_findings=(Position(5, 59), Position(6, 59)),
    # the fix writes what the page recommends (its longer lines broken as black breaks them)
    example_fixed=USE_INSTEAD,
    static_check=check,
    fix=Applicability.SAFE,
    fix_safety="""
The fix makes the filter do what it was written for: biases and the listed norms move to the
no-decay group. That changes training, but towards the code's evident intent; it is offered as
safe because the original test can never be true.
""",
)
