from __future__ import annotations

from collections.abc import Iterator

from wdlint.analysis.sites import NameMatch, OptimizerSite, ParamGroup, ParamSource, Selector, SourceKind, Value
from wdlint.diagnostics import Applicability, Edit, Position
from wdlint.knowledge.optimizers import Family, OptimizerSpec
from wdlint.knowledge.params import marks_no_decay, names_submodule
from wdlint.rules.base import Finding, Rule, RuleContext
from wdlint.rules.fixes import FixPlan

TYPE_CHECKING = False  # `typing` is for type checkers: the hook never imports it (docs/architecture.md)

if TYPE_CHECKING:
    from wdlint.analysis.facts import ModuleFacts
    from wdlint.runtime.context import AuditContext
    from wdlint.runtime.report import Finding as AuditFinding


def check(site: OptimizerSite, context: RuleContext) -> Iterator[Finding]:
    if not classic_sgd(site.spec):
        yield from decayed_everywhere(site, context)


def classic_sgd(spec: OptimizerSpec | None) -> bool:
    """SGD and its kin, where decay on every param is the classic recipe: WD207's, not this rule's."""
    return spec is not None and spec.family is Family.SGD


def decayed_everywhere(site: OptimizerSite, context: RuleContext) -> Iterator[Finding]:
    """The site's params that get a decay over every parameter of a module: WD201's findings,
    and WD207's where the optimizer is SGD."""
    spec = site.spec
    if not spec.takes_weight_decay or spec.matrix_only:
        return  # Muon rejects non-matrix params at construction: WD206's business
    decays = site.effective_decays()
    separated = any(_separates(group, value) for group, value in decays if group is not None)
    for position, (group, value) in enumerate(decays):
        source = site.params if group is None else group.params
        if source is None or not value.may_decay:
            continue
        if source.receiver is not None and source.receiver.plain:
            continue  # its module provably has no bias and no norm weight
        adapters = source.receiver.adapters if source.receiver is not None else None
        if adapters is not None and not adapters.undecayed:
            continue  # PEFT: only adapters train, or what else does is not known
        remedy = _remedy(source)
        given = f"`{source.expr}`" + (f" ({source.origin})" if source.origin else "")
        if adapters is not None and source.kind is SourceKind.FLAT:
            where = "" if group is None else f"param group {position} (`{_short(source.expr)}`): "
            if adapters.matrices:  # an `ndim` split would keep these decayed
                names = ", ".join(f"`{name}`" for name in adapters.matrices)
                remedy = f"put them in a group with weight_decay=0.0 (by name: {names} are not 1-D)"
            yield Finding(
                f"{where}{given} gives `{site.written_name}` every trainable parameter of a PEFT "
                f"model with {value.shown() if group is None else _decay(group, value)}, and besides "
                f"its adapters it trains {_listing(adapters.undecayed)}, so these are decayed; {remedy}",
                source.span,
                _fix(source, context.module) if group is None and not adapters.matrices else None,
            )
        elif source.kind is SourceKind.FLAT and (group is None or source.decayed is not None):
            # a group a framework helper builds (torchvision's `set_weight_decay`) says itself
            # which of biases and norms it decays
            yield Finding(
                f"{given} gives every parameter to {site.shown_class} with "
                f"{value.shown(besides=site.class_origin)}, so {source.decayed or 'biases and normalization weights'} "
                f"are decayed too; {remedy}",
                source.span,
                _fix(source, context.module) if group is None else None,
            )
        elif group is not None and source.kind is SourceKind.FLAT:
            yield Finding(
                f"param group {position} (`{_short(source.expr)}`) holds every parameter of "
                f"`{_module(source)}` with {_decay(group, value)}, so it decays its "
                f"biases and normalization weights; {remedy}",
                source.span,
            )
        elif group is not None and not separated and _split_by_place(source):
            tests = ", ".join(f"`{_short(test.expr)}`" for test in source.name_tests[:2])
            yield Finding(
                f"param group {position} (`{_short(source.expr)}`) selects params only by where they "
                f"sit ({tests}), with {_decay(group, value)}, so it decays their biases "
                f"and normalization weights; {remedy}",
                source.span,
            )


NDIM_REMEDY = "put params with `ndim < 2` in a group with weight_decay=0.0"
_BY_NAME = '`p.ndim < 2 or name.endswith(".bias")`'
_WHY_BY_NAME = "the name test also catches biases that are not 1-D"


def _remedy(source: ParamSource) -> str:
    """How to keep the source's biases and norms out of decay: a framework's own way, else a
    split by shape, and by name where the params' names are at hand (a bias is not always 1-D)."""
    if source.remedy:
        return source.remedy
    if source.named_as is not None:
        return f"put the params of `{source.named_as}` with {_BY_NAME} in a group with weight_decay=0.0 ({_WHY_BY_NAME})"
    if source.kind is SourceKind.SUBSET and source.by_names_only:
        return f"put its params with {_BY_NAME} in a group with weight_decay=0.0 ({_WHY_BY_NAME})"
    return NDIM_REMEDY


def _split_by_place(source: ParamSource) -> bool:
    """A selection by names that never test for a bias or a norm: `"backbone" in n`."""
    if source.kind is not SourceKind.SUBSET or not source.by_names_only or not source.name_tests:
        return False
    if source.receiver is not None and source.receiver.adapters is not None and not source.receiver.adapters.undecayed:
        return False  # PEFT: what is trainable is the adapters, whatever the names select
    return all(
        test.match in (NameMatch.SUBSTRING, NameMatch.PREFIX, NameMatch.SUFFIX)
        and test.fragments
        and not any(marks_no_decay(fragment) for fragment in test.fragments)
        # `"head" not in n` keeps the rest of the model; `"head" in n` keeps what it names,
        # whole layers only when the fragment names layers (not `logit_scale`)
        and (test.negated or all(names_submodule(fragment) for fragment in test.fragments))
        for test in source.name_tests
    )


def _separates(group: ParamGroup, value: Value) -> bool:
    """Whether this group may be where the site keeps biases and norms apart: a selection by
    shape or by a name test for them, or an undecayed group whose params we cannot see."""
    source = group.params
    if source is None or source.kind is SourceKind.UNKNOWN:
        return value.provably_zero
    if Selector.NDIM in source.selects:
        return True
    if source.kind is SourceKind.SUBSET and not _split_by_place(source):
        return value.provably_zero or any(
            test.fragments is None or any(marks_no_decay(f) for f in test.fragments) for test in source.name_tests
        )
    return False


def _decay(group: ParamGroup, value: Value) -> str:
    """A group's decay as a message says it, with where it comes from when the group sets none."""
    if group.weight_decay is not None:
        return value.shown()
    return f"the optimizer's {value.shown()}" if value.hidden else f"{value.shown()} from the optimizer"


def _listing(parts: tuple[str, ...]) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


def _module(source: ParamSource) -> str:
    return source.receiver.expr if source.receiver is not None else source.expr


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _fix(source: ParamSource, module: ModuleFacts | None) -> FixPlan | None:
    """Split the flat params into a decayed `ndim >= 2` group and an undecayed `ndim < 2` one."""
    if module is None or not source.repeatable:
        return None
    text = module.segment(source.span)
    loop = "_, p" if source.named else "p"
    # on one line: where it no longer fits, it is broken as the file's formatter would
    groups = (
        f'[{{"params": [p for {loop} in {text} if p.ndim >= 2]}}, '
        f'{{"params": [p for {loop} in {text} if p.ndim < 2], "weight_decay": 0.0}}]'
    )
    edit = Edit(groups, source.span.start, source.span.end)
    return FixPlan(Applicability.UNSAFE, "Split into `ndim >= 2` and `ndim < 2` param groups", (edit,))


def runtime_check(context: AuditContext) -> Iterator[AuditFinding]:
    yield from undecayable_params(context, RULE, sgd=False)


def undecayable_params(context: AuditContext, rule: Rule, *, sgd: bool) -> Iterator[AuditFinding]:
    """Each optimizer's decayed biases and norms, of the optimizers that are classic SGD or not."""
    from wdlint.runtime.classify import Kind
    from wdlint.runtime.wording import count, finding, reasons

    for optimizer in context.optimizers:
        if optimizer.spec is not None and optimizer.spec.matrix_only:
            continue  # Muon: WD206 reports what it should not hold at all
        if classic_sgd(optimizer.spec) is not sgd:
            continue
        groups = [g for g in optimizer.groups if g.decays]
        params = context.trainable_in(groups, lambda p, v: v.kind is Kind.NO_DECAY)
        if params:
            yield finding(
                rule,
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
The SGD family (`SGD`, `ASGD`, timm's `sgd`/`momentum`/`nesterov`), where decay on every
param is the classic recipe, is WD207's (opt-in); this rule keeps the adaptive and decoupled
optimizers, where it is the documented mistake.

Also checks param groups that split the model only by where params sit, for a learning rate per
part: a group of a sub-module's parameters (`model.backbone.parameters()`), or of the params
selected by names of layers (`"backbone" in n`, `n.startswith("head.")`, `"encoder" not in n`).
Each such group with a weight_decay (its own or the optimizer's) decays the biases and norms of
its part. Quiet when the optimizer's groups also split by shape (`p.ndim < 2`), by a name test
for biases or norms, or keep an undecayed group whose params are not visible (timm's
`param_groups_weight_decay`), and for a sub-module that provably has no bias and no norm weight
(`nn.Linear(d, n, bias=False)`, a class of the file made only of such layers, also reached
through `ddp_model.module` or a compiled model; a transformers model's
`get_input_embeddings()`, its token embedding table).

A model built by PEFT (`get_peft_model(model, config)`, a `PeftModelFor*` class) trains only
what its config makes trainable: adapter matrices, embeddings and scales, which are quiet, and
what PEFT adds to them, which is reported by name: every bias (`bias="all"`, `"lora_only"`),
`modules_to_save`, the classification head a `task_type` saves (`SEQ_CLS` on RoBERTa saves its
`classifier` with biases; GPT-2's `score` has none), the norms LN tuning trains, BEFT's biases,
P-tuning's encoder. The config is read where its class and keywords are literal.

What a message claims, and only that:

- `` `X` gives every parameter to `C` with weight_decay=V, so biases and normalization weights
  are decayed too ``: `X` is every parameter of a module (or of several), `C` the class as
  written, V the value `C` gets. V is a literal, the class default, or an expression shown with
  the constant it provably has and the place it is written when that is not the call: `line
  12`, a file of the project (``from `conf/hparams.py:3` ``), an option's default (``the
  default of `--wd`, line 40``), a parameter's default, a YAML `!ref`'s target, a config key
  outside the optimizer's own lines, a framework's default, a base config of an mm config. An
  expression it cannot resolve is shown as written. A decay that can only come through an
  unresolved `**kwargs` is ``weight_decay from `**kwargs` (unknown here; 0.01, the class
  default, if it holds none)``: the claim is then the class default's. A name that holds the
  params says where it was bound (``(line 40: `list(model.parameters())`)``); a class or a
  `paramwise_cfg` of an mm base config, which file and line.
- A config convention's message says which params the framework passes and names the
  framework's own switch. For an mm config it says which of biases and norm weights the
  `paramwise_cfg` leaves decayed; where only biases are and the model's components are known
  (`knowledge/mm_components.py`: `ResNet`'s convolutions have no bias, an `FPN` without norms
  has), it names the components that hold biases, and it is quiet when the only bias left is a
  classifier's output layer.
- `param group N (...) holds every parameter of M` / `selects params only by where they sit`:
  a group whose decay (its own, or the optimizer's: "from the optimizer") reaches the biases
  and norms of its part of the model.
- The remedy splits by name where the params are one module's, naming its
  `named_parameters()` (`p.ndim < 2 or name.endswith(".bias")`: a bias is not always 1-D; some
  graph and custom layers keep 2-D or 4-D ones), or where a group's names are at hand; else
  by shape (`ndim < 2`).
- `(when ...)`: the condition, or the call of the function around (its file and line), under
  which this construction is the one that runs.

In a notebook, `line N` is the cell and row: `cell 5:2`.
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


def no_decay(name, p):
    return p.ndim < 2 or name.endswith(".bias")  # a bias is not always 1-D


params = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
optimizer = torch.optim.AdamW(
    [
        {"params": [p for n, p in params if not no_decay(n, p)], "weight_decay": 0.1},
        {"params": [p for n, p in params if no_decay(n, p)], "weight_decay": 0.0},
    ],
    lr=3e-4,
)
""",
    options=(
        '`[tool.wdlint.policy]` `no-decay`, `norm-classes`, `embeddings`: what the runtime audit counts as a bias, a norm or an embedding',
    ),
    example_findings=(Position(3, 31),),
    example_fixed="""
import torch

optimizer = torch.optim.AdamW(
    [
        {"params": [p for p in model.parameters() if p.ndim >= 2]},
        {"params": [p for p in model.parameters() if p.ndim < 2], "weight_decay": 0.0},
    ],
    lr=3e-4,
    weight_decay=0.1,
)
""",
    static_check=check,
    runtime_check=runtime_check,
    fix=Applicability.UNSAFE,
    fix_safety="""
The fix replaces the flat iterable with two groups built from it: `ndim >= 2` (which keeps the
optimizer's weight_decay) and `ndim < 2` with weight_decay=0.0, the call broken as black and
`ruff format` break it when it no longer fits the project's line length. It changes training (biases and
norm gains stop being decayed), so it is unsafe. It is offered only where the params expression
can be evaluated twice (`model.parameters()`, a list, a comprehension). It splits by shape
only: a bias that is not 1-D stays decayed, which the message's split by name would catch.
""",
    known_problems="""
Embeddings are 2-D and stay in the decay group with the `ndim` split; recipes disagree on
whether they should be decayed (nanoGPT, timm and HF do; minGPT and OLMo do not).

A group of a sub-module built elsewhere (a torchvision backbone with frozen batch norms and
convolutions without bias) is reported although it may hold no bias or norm to decay.

A PEFT model whose config is not read (built from values not known here, loaded with
`is_trainable=True`, a classification task on a model of unknown family) is not reported.
""",
    references=(
        "[Decoupled Weight Decay Regularization, arXiv 1711.05101](https://arxiv.org/abs/1711.05101)",
        "[torch.optim: per-parameter options](https://pytorch.org/docs/stable/optim.html#per-parameter-options)",
    ),
)
