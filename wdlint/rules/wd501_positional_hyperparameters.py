from __future__ import annotations

from collections.abc import Iterator

from wdlint.analysis.sites import Argument, OptimizerSite
from wdlint.diagnostics import Applicability, Edit, Position
from wdlint.rules.base import Finding, Rule, RuleContext
from wdlint.rules.fixes import FixPlan

_FIRST_HYPERPARAMETER = 2  # params and lr are conventionally positional


def check(site: OptimizerSite, context: RuleContext) -> Iterator[Finding]:
    positional = [
        argument
        for argument in site.arguments
        if argument.index is not None and argument.index >= _FIRST_HYPERPARAMETER
    ]
    if not positional:
        return
    bindings = []
    for argument in positional:
        if argument.starred:
            break
        bindings.append(f"`{argument.expr}` -> {argument.binds or 'nothing (TypeError)'}")
    if not bindings:
        return
    yield Finding(
        f"`{site.written_name}` takes hyperparameters by position ({', '.join(bindings)}); "
        "pass them by keyword, a shifted position silently lands in another hyperparameter",
        positional[0].span,
        # the names depend on the class; when it is chosen at run time, so are they
        _fix(positional, {a.keyword for a in site.arguments}) if site.choice is None else None,
    )


def _fix(positional: list[Argument], keywords: set[str | None]) -> FixPlan | None:
    """Name each positional argument after lr by the parameter it binds."""
    if any(a.binds is None for a in positional):
        return None  # `*args`, or past the signature's end: no name to give
    if any(a.binds in keywords for a in positional):
        return None  # also given by keyword (a TypeError when it runs): naming it would not compile
    edits = tuple(Edit(f"{a.binds}=", a.span.start, a.span.start) for a in positional)
    return FixPlan(Applicability.SAFE, "Pass the hyperparameters by keyword", edits)


RULE = Rule(
    code="WD501",
    name="positional-hyperparameters",
    summary="Optimizer hyperparameters passed by position after lr",
    what_it_does="""
Checks for optimizer constructions that pass hyperparameters after `lr` by position.
""",
    why_is_this_bad="""
The positional order differs between optimizers: `weight_decay` is the 5th argument of `Adam`,
the 4th of `Adagrad` (after `lr_decay`) and the 3rd of `Muon`. Switching the class, or
miscounting, silently puts the decay into `eps`, `lr_decay` or `momentum`, and nothing fails.
""",
    example="""
import torch

optimizer = torch.optim.Adam(model.parameters(), 1e-3, (0.9, 0.999), 1e-8, 1e-4)
""",
    use_instead="""
import torch

optimizer = torch.optim.Adam(
    model.parameters(), 1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-4
)
""",
    example_findings=(Position(3, 56),),
    example_fixed="""
import torch

optimizer = torch.optim.Adam(
    model.parameters(), 1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-4
)
""",
    static_check=check,
    fix=Applicability.SAFE,
    fix_safety="""
The fix names each argument by the parameter it is bound to now, so the call means exactly what
it meant before; it is safe.
""",
)
