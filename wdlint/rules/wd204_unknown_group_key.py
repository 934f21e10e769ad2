from __future__ import annotations

from collections.abc import Iterator

from wdlint.analysis.sites import Key, OptimizerSite, SourceKind
from wdlint.diagnostics import Applicability, Edit, Position
from wdlint.knowledge.optimizers import GROUP_KEY_ALIASES, OptimizerSpec
from wdlint.rules.base import Finding, Rule, RuleContext
from wdlint.rules.fixes import FixPlan

TYPE_CHECKING = False  # `typing` is for type checkers: the hook never imports it (docs/architecture.md)

if TYPE_CHECKING:
    from wdlint.analysis.facts import ModuleFacts
    from wdlint.runtime.context import AuditContext
    from wdlint.runtime.report import Finding as AuditFinding


_SIMILARITY = 0.85  # `weight_deacy` -> weight_decay, but `name` and `lr_scale` stay quiet


def intended_key(key: str, spec: OptimizerSpec) -> str | None:
    """The option a misspelt or foreign key most likely meant, or None for bookkeeping keys."""
    accepted = spec.group_keys
    if key in accepted:
        return None
    alias = GROUP_KEY_ALIASES.get(key.lower())
    if alias is not None and alias in accepted:
        return alias
    import difflib  # a key no alias explains is rare: most runs never need it

    close = difflib.get_close_matches(key, sorted(accepted), n=1, cutoff=_SIMILARITY)
    return close[0] if close else None


def check(site: OptimizerSite, context: RuleContext) -> Iterator[Finding]:
    for key in site.ignored_keys:
        yield _finding(site, key, intended_key(key.name, site.spec), "where it is written", None)
    if site.params.kind is not SourceKind.GROUPS:
        return
    for group in site.params.groups:
        for key in group.keys:
            meant = intended_key(key.name, site.spec)
            if meant is not None:
                fix = _rename(key, meant, context.module) if meant not in group.key_names else None
                yield _finding(site, key, meant, "in a param group", fix)


def _finding(site: OptimizerSite, key: Key, meant: str | None, where: str, fix: FixPlan | None) -> Finding:
    hint = f"; did you mean `{meant}`?" if meant else ""
    return Finding(
        f"`{site.written_name}` never reads `{key.name}` {where}: the option has no effect{hint}",
        key.span,
        fix,
    )


def _rename(key: Key, meant: str, module: ModuleFacts | None) -> FixPlan | None:
    if module is None:
        return None
    written = module.segment(key.span)
    quote = written[0] if written[:1] in ("'", '"') else ""
    edit = Edit(f"{quote}{meant}{quote}", key.span.start, key.span.end)
    return FixPlan(Applicability.UNSAFE, f"Rename to `{meant}`", (edit,))


def runtime_check(context: AuditContext) -> Iterator[AuditFinding]:
    from wdlint.runtime.wording import finding

    for optimizer in context.optimizers:
        spec = optimizer.spec
        if spec is None:
            continue
        accepted = spec.group_keys | optimizer.defaults.keys()
        for group in optimizer.groups:
            for key in (k for k in group.options if k not in accepted):
                meant = intended_key(key, spec)
                if meant is None:
                    continue
                params = context.held_by(group)
                actual = group.options.get(meant)
                effect = f"; its params get {meant}={actual!r}" if actual is not None else ""
                yield finding(
                    RULE,
                    f"param group {group.index} of {optimizer.label} has `{key}`, which the optimizer "
                    f"never reads; did you mean `{meant}`?{effect}",
                    params,
                )


RULE = Rule(
    code="WD204",
    name="unknown-group-key",
    summary="A param-group key the optimizer silently ignores (`wd`, `weight_decay_rate`, ...)",
    what_it_does="""
Checks param groups for keys that the optimizer does not read but that look like one of its
options: names from other frameworks (`weight_decay_rate` from TensorFlow and Flax,
`learning_rate`), shorthands (`wd`, `decay`, `l2`) and misspellings (`weight_deacy`).
""",
    why_is_this_bad="""
`torch.optim` keeps every key of a param group and reads only its own options. A group with
`"wd": 0.0` is not excluded from decay: it gets the constructor's weight_decay, and nothing
warns. Keys that are plainly your own bookkeeping (`"name"`, `"lr_scale"`, `"layer_id"`) are
not reported.
""",
    example="""
import torch

optimizer = torch.optim.AdamW(
    [
        {"params": decay, "weight_decay": 0.1},
        {"params": no_decay, "weight_decay_rate": 0.0},
    ],
    lr=3e-4,
)
""",
    use_instead="""
import torch


optimizer = torch.optim.AdamW(
    [
        {"params": decay, "weight_decay": 0.1},
        {"params": no_decay, "weight_decay": 0.0},
    ],
    lr=3e-4,
)
""",
    example_findings=(Position(6, 30),),
    example_fixed="""
import torch

optimizer = torch.optim.AdamW(
    [
        {"params": decay, "weight_decay": 0.1},
        {"params": no_decay, "weight_decay": 0.0},
    ],
    lr=3e-4,
)
""",
    static_check=check,
    runtime_check=runtime_check,
    fix=Applicability.UNSAFE,
    fix_safety="""
The fix renames the key to the option it most likely meant. The option then takes effect, which
changes training, so it is unsafe.
""",
    references=(
        "[torch.optim: per-parameter options](https://pytorch.org/docs/stable/optim.html#per-parameter-options)",
    ),
)
