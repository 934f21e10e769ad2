from __future__ import annotations

from collections.abc import Iterator

from wdlint.analysis.sites import OptimizerSite
from wdlint.diagnostics import Applicability, Position
from wdlint.rules.base import Finding, Rule, RuleContext
from wdlint.rules.wd201_decay_on_bias_and_norm import classic_sgd, decayed_everywhere, undecayable_params

TYPE_CHECKING = False  # `typing` is for type checkers: the hook never imports it (docs/architecture.md)

if TYPE_CHECKING:
    from wdlint.runtime.context import AuditContext
    from wdlint.runtime.report import Finding as AuditFinding


def check(site: OptimizerSite, context: RuleContext) -> Iterator[Finding]:
    if classic_sgd(site.spec):
        yield from decayed_everywhere(site, context)


def runtime_check(context: AuditContext) -> Iterator[AuditFinding]:
    yield from undecayable_params(context, RULE, sgd=True)


RULE = Rule(
    code="WD207",
    name="sgd-decay-on-bias-and-norm",
    summary="SGD decays every parameter, biases and norm weights included (the classic recipe)",
    what_it_does="""
WD201 for the SGD family: `torch.optim.SGD` and `ASGD`, timm's `opt="sgd"`, `"momentum"` and
`"nesterov"`, and the same named in configs (an mm config's `type="SGD"`, a YAML `sgd`). It
reports what WD201 reports, with the same messages (see WD201's page for what each one
claims): a flat iterable of a module's parameters, a param group that splits the model only
by where params sit, or a framework convention that hands the optimizer every param, with a
weight_decay not provably zero. WD201 keeps the adaptive and decoupled optimizers, so a CNN
project that trains with the classic recipe on purpose leaves this rule off and keeps WD201.

This rule is opt-in, from the ecosystem check's counts (`bench/ecosystem.py`, 43 projects): all
215 of its findings are true claims about code that keeps the classic recipe on purpose
(verdict TP-convention: 193 OpenMMLab detection, segmentation and classification configs, the
rest torchvision-style scripts, NeMo's speaker and VAD models, tutorials), where WD201's 403
findings on adaptive and decoupled optimizers are 400 mistakes and 3 false positives. On by
default it would make 215 of the 745 findings (29%) conventions nobody means to change.
""",
    why_is_this_bad="""
What the classic recipe does: ResNet and the model zoos built on it (torchvision's original
references, OpenMMLab's detection, segmentation and classification configs) train with SGD,
momentum 0.9 and a weight_decay of 1e-4 to 5e-4 on every parameter, BatchNorm gains and biases
included. The published numbers are those of that recipe, so it is not wrong to keep it.

What excluding them gains: a norm gain or a bias scales or shifts a layer's output and holds no
capacity that decay should limit; decaying it only pulls that scale or shift towards zero. "Bag of
Tricks for Image Classification" (He et al., 2019) decays only convolution and fully connected
weights ("no bias decay") among its training refinements; torchvision's newer recipes set
`--norm-weight-decay 0.0`, and timm's `create_optimizer_v2` leaves biases and 1-D params
undecayed for every optimizer, SGD included. The gain is small, and it comes with the other
refinements.

When to care: a new recipe, a large batch or a long schedule where the small gains add up, a
model with many norm layers or biases relative to its weights, or a port of a recipe that
excludes them (timm's, torchvision's newer ones). Reproducing a classic recipe's numbers is a
reason to leave the decay as it is.
""",
    example="""
import torch

optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
""",
    use_instead="""
import torch


decay = [p for p in model.parameters() if p.requires_grad and p.ndim >= 2]
no_decay = [p for p in model.parameters() if p.requires_grad and p.ndim < 2]
optimizer = torch.optim.SGD(
    [{"params": decay, "weight_decay": 1e-4}, {"params": no_decay, "weight_decay": 0.0}],
    lr=0.1,
    momentum=0.9,
)
""",
    example_findings=(Position(3, 29),),
    example_fixed="""
import torch

optimizer = torch.optim.SGD(
    [
        {"params": [p for p in model.parameters() if p.ndim >= 2]},
        {"params": [p for p in model.parameters() if p.ndim < 2], "weight_decay": 0.0},
    ],
    lr=0.1,
    momentum=0.9,
    weight_decay=1e-4,
)
""",
    static_check=check,
    runtime_check=runtime_check,
    default_on=False,
    fix=Applicability.UNSAFE,
    fix_safety="""
WD201's fix: the flat iterable becomes an `ndim >= 2` group (keeping the optimizer's
weight_decay) and an `ndim < 2` group with weight_decay=0.0, the call broken as black and `ruff
format` break it when it no longer fits the line length. It changes training, so it is
unsafe; it is offered where the params expression can be evaluated twice.
""",
    known_problems="""
WD201's: a group of a sub-module built elsewhere may hold no bias or norm to decay; embeddings
stay in the decay group with the `ndim` split.
""",
    options=(
        '`[tool.wdlint.policy]` `no-decay`, `norm-classes`, `embeddings`: what the runtime audit counts as a bias, a norm or an embedding',
    ),
    references=(
        "[Deep Residual Learning for Image Recognition, arXiv 1512.03385](https://arxiv.org/abs/1512.03385)",
        "[Bag of Tricks for Image Classification with Convolutional Neural Networks, arXiv 1812.01187](https://arxiv.org/abs/1812.01187)",
        "[torchvision's classification references: `--norm-weight-decay`, `--bias-weight-decay`](https://github.com/pytorch/vision/tree/main/references/classification)",
    ),
)
