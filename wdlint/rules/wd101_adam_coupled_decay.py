from __future__ import annotations

from collections.abc import Iterator

from wdlint.analysis.sites import OptimizerSite, ValueKind
from wdlint.diagnostics import Applicability, Edit, Position
from wdlint.knowledge.frameworks import PARAMS_UNKNOWN_NOTE
from wdlint.knowledge.optimizers import Family, OptimizerSpec
from wdlint.rules.base import Finding, Rule, RuleContext
from wdlint.rules.fixes import AddImport, FixPlan, ImportChange, RemoveImport, append_keyword

TYPE_CHECKING = False  # `typing` is for type checkers: the hook never imports it (docs/architecture.md)

if TYPE_CHECKING:
    from wdlint.analysis.facts import ModuleFacts
    from wdlint.runtime.context import AuditContext
    from wdlint.runtime.report import Finding as AuditFinding


def check(site: OptimizerSite, context: RuleContext) -> Iterator[Finding]:
    spec = site.spec
    if spec.family is not Family.ADAM or not spec.takes_weight_decay:
        return
    if site.is_decoupled is not False:
        return
    decay = site.first_decay()
    if decay is None:
        return
    instead = advice(spec, context.target_torch_version)
    # an optimizer named in a config that no framework convention reads: say what is not known
    unknown = f"; {PARAMS_UNKNOWN_NOTE}" if site.params.expr == PARAMS_UNKNOWN_NOTE else ""
    yield Finding(
        f"{site.shown_class} with {decay.shown(besides=site.class_origin)} is L2 regularization "
        f"through Adam's adaptive step, not decoupled weight decay; {instead} and re-tune the value{unknown}",
        site.func_span,
        _fix(site, context),
    )


def _fix(site: OptimizerSite, context: RuleContext) -> FixPlan | None:
    """Switch to decoupled decay: the class's flag, or AdamW keeping the user's import style."""
    module = context.module
    if module is None or site.choice is not None or site.weight_decay.hidden:
        return None
    spec, flag = site.spec, site.spec.decoupled_flag
    given = site.argument(flag) if flag else None
    if given is not None:  # `adam_w_mode=False` -> True
        content = f"{flag}=True" if given.keyword else "True"
        return _unsafe(f"Set `{flag}=True`", Edit(content, given.span.start, given.span.end))
    target = context.target_torch_version
    # torch's Adam got its flag only in 2.7: without a target version, AdamW is the safe switch
    prefer_class = spec.short_name == "Adam" and spec.decoupled_flag_since is not None and target is None
    if flag is not None and flag_available(spec, target) and not prefer_class:
        edit = append_keyword(site, f"{flag}=True")
        return _unsafe(f"Pass `{flag}=True`", edit) if edit else None
    if spec.name == "torch.optim.Adam":
        return _adamw(site, module)
    return None


def _adamw(site: OptimizerSite, module: ModuleFacts) -> FixPlan | None:
    """`Adam` -> `AdamW` as the code spells it: `optim.AdamW`, or `AdamW` added to the import."""
    written = site.written_name
    edits: list[Edit] = []
    imports: list[ImportChange] = []
    if site.qualified_name != "torch.optim.Adam":
        return None  # `torch.optim.adam.Adam`: that module has no AdamW to switch to
    if module.segment(site.func_span) != written:
        return None  # not called by its name: `partial(Adam, ...)(p)`, `make = partial(...)`
    if "." in written:
        end = site.func_span.end
        edits.append(Edit("AdamW", Position(end.row, end.column - len("Adam")), end))
    else:
        imported = module.imported_name(written)
        if imported is None or imported.module != "torch.optim":
            return None
        edits.append(Edit("AdamW", site.func_span.start, site.func_span.end))
        bound = module.imported_name("AdamW")
        if bound is None and module.binds("AdamW"):
            return None  # `AdamW` is something else here (transformers', a local class)
        if bound is None:
            imports.append(AddImport("torch.optim", "AdamW", imported.statement))
        elif bound.module != "torch.optim":
            return None
        if module.load_count(written) == 1:  # this call was `Adam`'s only use: its import goes
            alias = written if written != imported.name else None
            imports.append(RemoveImport("torch.optim", imported.name, alias, imported.statement))
    if site.weight_decay.kind is ValueKind.DEFAULT:  # AdamW's default is 0.01, Adam's 0
        keyword = append_keyword(site, "weight_decay=0.0")
        if keyword is None:
            return None
        edits.append(keyword)
    return FixPlan(Applicability.UNSAFE, "Use `AdamW`", tuple(edits), tuple(imports))


def _unsafe(message: str, edit: Edit | None) -> FixPlan | None:
    return FixPlan(Applicability.UNSAFE, message, (edit,)) if edit is not None else None


def flag_available(spec: OptimizerSpec, target: tuple[int, int] | None) -> bool:
    """Whether the class has its decoupled flag in torch `target` (None: any recent torch)."""
    since = spec.decoupled_flag_since
    return spec.decoupled_flag is not None and (since is None or target is None or target >= since)


def advice(spec: OptimizerSpec, target: tuple[int, int] | None) -> str:
    """What to do instead, for the static rule and the audit alike (`target`: the torch the
    code runs on, when known)."""
    flag = spec.decoupled_flag
    if flag is None or not flag_available(spec, target):
        return f"use {spec.decoupled_alternative}"
    if spec.short_name == "Adam" and spec.decoupled_flag_since is not None:
        return f"use {spec.decoupled_alternative} (or `{flag}=True`)"
    return f"pass `{flag}=True`"


def runtime_check(context: AuditContext) -> Iterator[AuditFinding]:
    from wdlint.runtime.wording import count, decays, finding

    for optimizer in context.optimizers:
        spec = optimizer.spec
        if spec is None or spec.family is not Family.ADAM or not spec.takes_weight_decay:
            continue
        groups = [g for g in optimizer.groups if g.decays and not g.decoupled]
        params = context.trainable_in(groups)
        if params:
            yield finding(
                RULE,
                f"{optimizer.label} applies weight_decay={decays(groups)} to {count(params)} as L2 "
                f"regularization through Adam's adaptive step, not decoupled weight decay; "
                f"{advice(spec, context.torch_version)} and re-tune the value",
                params,
            )


RULE = Rule(
    code="WD101",
    name="adam-coupled-decay",
    summary="Adam-family optimizer with coupled (L2) weight decay",
    what_it_does="""
Checks for `torch.optim.Adam` and `Adamax` constructed with a weight_decay that is not provably
zero, for `NAdam` and `RAdam` with decay but without `decoupled_weight_decay=True`, and for
apex/DeepSpeed `FusedAdam(adam_w_mode=False)` and `DeepSpeedCPUAdam(adamw_mode=False)` with decay.
The message names the class as written and the weight_decay it gets, with where that value is
written when it is not the call (as WD201's page says: a line, a file, an option's or a
parameter's default, a config key, a framework's default, an mm base config). A decay that
could only come through an unresolved `**kwargs` is not reported: these classes default to 0.
""",
    why_is_this_bad="""
In these optimizers `weight_decay` adds `weight_decay * p` to the gradient, which Adam then
divides by the running RMS of the gradient. Parameters with large gradients are barely
regularized and the strength is entangled with the learning rate: this is L2 regularization,
not the decoupled weight decay of AdamW (Loshchilov & Hutter, arXiv 1711.05101), which is what
almost every recipe means by "weight decay". A value tuned for one does not transfer to the
other, so switching also means re-tuning it.
""",
    example="""
import torch

optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-4)
""",
    use_instead="""
import torch


optimizer = torch.optim.AdamW(
    [
        {"params": [p for p in model.parameters() if p.ndim >= 2], "weight_decay": 0.05},
        {"params": [p for p in model.parameters() if p.ndim < 2], "weight_decay": 0.0},
    ],
    lr=1e-3,
)
""",
    options=(
        '`target-torch-version` (`--target-torch-version`): from 2.7 the fix passes `decoupled_weight_decay=True` to `Adam` instead of switching to `AdamW`',
    ),
    example_findings=(Position(3, 13),),
    example_fixed="""
import torch

optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-4)
""",
    static_check=check,
    runtime_check=runtime_check,
    fix=Applicability.UNSAFE,
    fix_safety="""
The fix switches to decoupled decay: `decoupled_weight_decay=True` (`adam_w_mode=True` for
apex/DeepSpeed) where the class has the flag and the target torch version supports it (set
`target-torch-version`), else `AdamW`, keeping the import style (`optim.AdamW`, or `AdamW` added
to the `from torch.optim import` that imports `Adam`, in its order) and writing
`weight_decay=0.0` where Adam's default 0 applied. It is unsafe: the same weight_decay value means a different
regularization strength, and must be re-tuned.
""",
    references=(
        "[torch.optim.Adam](https://pytorch.org/docs/stable/generated/torch.optim.Adam.html)",
        "[torch.optim.AdamW](https://pytorch.org/docs/stable/generated/torch.optim.AdamW.html)",
        "[Decoupled Weight Decay Regularization, arXiv 1711.05101](https://arxiv.org/abs/1711.05101)",
    ),
)
