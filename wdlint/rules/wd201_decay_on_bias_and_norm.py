from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from wdlint.analysis.sites import OptimizerSite, ParamSource, SourceKind
from wdlint.diagnostics import Applicability, Edit, Fix, Position
from wdlint.rules.base import Finding, Rule, RuleContext
from wdlint.runtime.classify import Kind
from wdlint.runtime.wording import count, finding, reasons

if TYPE_CHECKING:
    from wdlint.analysis.facts import ModuleFacts
    from wdlint.runtime.context import AuditContext
    from wdlint.runtime.report import Finding as AuditFinding


def check(site: OptimizerSite, context: RuleContext) -> Iterator[Finding]:
    spec = site.spec
    if not spec.takes_weight_decay or spec.matrix_only:
        return  # Muon rejects non-matrix params at construction: WD206's business
    for group, value in site.effective_decays():
        source = site.params if group is None else group.params
        if source is None or source.kind is not SourceKind.FLAT or not value.may_decay:
            continue
        remedy = source.remedy or "put params with `ndim < 2` in a group with weight_decay=0.0"
        yield Finding(
            f"`{source.expr}` gives every parameter to `{site.written_name}` with "
            f"weight_decay={value.describe()}, so {source.decayed or 'biases and normalization weights'} are decayed "
            f"too; {remedy}",
            source.span,
            _fix(source, context.module) if group is None else None,
        )


def _fix(source: ParamSource, module: ModuleFacts | None) -> Fix | None:
    """Split the flat params into a decayed `ndim >= 2` group and an undecayed `ndim < 2` one."""
    if module is None or not source.repeatable:
        return None
    text = module.segment(source.span)
    loop = "_, p" if source.named else "p"
    groups = (
        f'[{{"params": [p for {loop} in {text} if p.ndim >= 2]}}, '
        f'{{"params": [p for {loop} in {text} if p.ndim < 2], "weight_decay": 0.0}}]'
    )
    edit = Edit(groups, source.span.start, source.span.end)
    return Fix(Applicability.UNSAFE, "Split into `ndim >= 2` and `ndim < 2` param groups", (edit,))


def runtime_check(context: AuditContext) -> Iterator[AuditFinding]:
    for optimizer in context.optimizers:
        if optimizer.spec is not None and optimizer.spec.matrix_only:
            continue  # Muon: WD206 reports what it should not hold at all
        groups = [g for g in optimizer.groups if g.decays]
        params = context.trainable_in(groups, lambda p, v: v.kind is Kind.NO_DECAY)
        if params:
            yield finding(
                RULE,
                f"{optimizer.label} decays {count(params)} that should not be decayed "
                f"({reasons(params)}); put them in a group with weight_decay=0.0",
                params,
            )


RULE = Rule(
    code="WD201",
    name="decay-on-bias-and-norm",
    summary="Weight decay applied to every parameter, biases and norm weights included",
    what_it_does="""
Checks for an optimizer (or a param group) whose weight_decay is not provably zero and whose
params are a flat iterable of a module's parameters: `model.parameters()`, `self.parameters()`,
`filter(lambda p: p.requires_grad, ...)`, `list(...)`, `itertools.chain(...)`, and
comprehensions that select nothing but trainable params. `AdamW`'s default of 0.01 counts.
""",
    why_is_this_bad="""
Decay pulls every parameter it touches towards zero. For weight matrices that is the intended
regularization; for biases and the gains of LayerNorm/RMSNorm/BatchNorm it only fights the
normalization (a gain decayed towards zero shrinks the layer's output) and regularizes nothing.
nanoGPT, timm, open_clip, Megatron and the Hugging Face Trainer all exclude biases and every
1-D parameter from decay.
""",
    example="""
import torch

optimizer = torch.optim.AdamW(model.parameters(), lr=3e-4, weight_decay=0.1)
""",
    use_instead="""
import torch


decay = [p for p in model.parameters() if p.requires_grad and p.ndim >= 2]
no_decay = [p for p in model.parameters() if p.requires_grad and p.ndim < 2]
optimizer = torch.optim.AdamW(
    [{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
    lr=3e-4,
)
""",
    options=(
        '`[tool.wdlint.policy]` `no-decay`, `norm-classes`, `embeddings`: what the runtime audit counts as a bias, a norm or an embedding',
    ),
    example_findings=(Position(3, 31),),
    example_fixed="""
import torch

optimizer = torch.optim.AdamW([{"params": [p for p in model.parameters() if p.ndim >= 2]}, {"params": [p for p in model.parameters() if p.ndim < 2], "weight_decay": 0.0}], lr=3e-4, weight_decay=0.1)
""",
    static_check=check,
    runtime_check=runtime_check,
    fix=Applicability.UNSAFE,
    fix_safety="""
The fix replaces the flat iterable with two groups built from it: `ndim >= 2` (which keeps the
optimizer's weight_decay) and `ndim < 2` with weight_decay=0.0. It changes training (biases and
norm gains stop being decayed), so it is unsafe. It is offered only where the params expression
can be evaluated twice (`model.parameters()`, a list, a comprehension).
""",
    known_problems="""
Embeddings are 2-D and stay in the decay group with the `ndim` split; recipes disagree on
whether they should be decayed (nanoGPT, timm and HF do; minGPT and OLMo do not).
""",
    references=(
        "[Decoupled Weight Decay Regularization, arXiv 1711.05101](https://arxiv.org/abs/1711.05101)",
        "[torch.optim: per-parameter options](https://pytorch.org/docs/stable/optim.html#per-parameter-options)",
    ),
)
