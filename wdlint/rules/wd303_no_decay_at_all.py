from __future__ import annotations

from collections.abc import Iterator

from wdlint.analysis.sites import OptimizerSite, SourceKind
from wdlint.diagnostics import Position
from wdlint.knowledge.optimizers import Family
from wdlint.rules.base import Finding, Rule, RuleContext

TYPE_CHECKING = False  # `typing` is for type checkers: the hook never imports it (docs/architecture.md)

if TYPE_CHECKING:
    from wdlint.runtime.context import AuditContext
    from wdlint.runtime.report import Finding as AuditFinding


def check(site: OptimizerSite, context: RuleContext) -> Iterator[Finding]:
    spec = site.spec
    decoupled_adam = spec.family is Family.ADAM and site.is_decoupled is True
    if not (decoupled_adam or spec.family is Family.SGD) or not spec.takes_weight_decay:
        return
    params = site.params
    whole_model = params.kind is SourceKind.FLAT or (
        params.kind is SourceKind.GROUPS and params.complete and bool(params.groups)
    )
    if not whole_model:
        return
    if all(value.provably_zero for _, value in site.effective_decays()):
        yield Finding(
            f"`{site.written_name}` decays nothing: weight_decay is 0 for every param; if that is "
            "deliberate, say so with a noqa",
            site.func_span,
        )


def runtime_check(context: AuditContext) -> Iterator[AuditFinding]:
    from wdlint.runtime.classify import Kind
    from wdlint.runtime.wording import count, finding

    for optimizer in context.optimizers:
        spec = optimizer.spec
        if spec is None or not spec.takes_weight_decay or optimizer.decays_any:
            continue
        decoupled_adam = spec.family is Family.ADAM and all(g.decoupled for g in optimizer.groups)
        if not (decoupled_adam or spec.family is Family.SGD):
            continue
        params = context.trainable_in(optimizer.groups, lambda p, v: v.kind is Kind.MATRIX)
        if params:
            yield finding(
                RULE,
                f"{optimizer.label} decays nothing: weight_decay is 0 for every param, "
                f"{count(params, 'weight matrices')} included; if that is deliberate, ignore WD303",
                params,
            )


RULE = Rule(
    code="WD303",
    name="no-decay-at-all",
    summary="A whole-model AdamW/SGD optimizer that decays nothing (opt-in)",
    what_it_does="""
Checks AdamW-style (decoupled) and SGD optimizers over a whole model, or over param groups that
are all visible, whose weight_decay is provably 0 everywhere.
""",
    why_is_this_bad="""
Most recipes for training from scratch decay the weight matrices; a run with no decay at all is
usually a leftover (`weight_decay=0.0` copied from a fine-tuning script, or a "decay" group that
was never given its value). When it is deliberate, a `# noqa: WD303` documents it. This rule is
opt-in because fine-tuning without decay is common and correct.
""",
    example="""
import torch

optimizer = torch.optim.AdamW(model.parameters(), lr=3e-4, weight_decay=0.0)
""",
    use_instead="""
import torch

optimizer = torch.optim.AdamW(
    [{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}], lr=3e-4
)
""",
    example_findings=(Position(3, 13),),
    static_check=check,
    default_on=False,
    runtime_check=runtime_check,
)
