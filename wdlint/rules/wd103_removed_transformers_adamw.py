from __future__ import annotations

from collections.abc import Iterator

from wdlint.analysis.sites import OptimizerSite, ValueKind
from wdlint.diagnostics import Applicability, Edit, Position
from wdlint.knowledge.optimizers import OptimizerSpec, lookup
from wdlint.rules.base import Finding, Rule, RuleContext
from wdlint.rules.fixes import AddImport, FixPlan, ImportChange, RemoveImport, append_keyword

TYPE_CHECKING = False  # `typing` is for type checkers: the hook never imports it (docs/architecture.md)

if TYPE_CHECKING:
    from wdlint.analysis.facts import ModuleFacts


def _torch_adamw() -> OptimizerSpec:
    spec = lookup("torch.optim.AdamW")
    assert spec is not None  # the knowledge base has torch's every optimizer
    return spec


def _not_in_torch(spec: OptimizerSpec) -> set[str]:
    """Options of the removed class that torch's AdamW does not take."""
    return {*spec.positional, *spec.keyword_only} - _torch_adamw().group_keys


def check(site: OptimizerSite, context: RuleContext) -> Iterator[Finding]:
    if site.spec.removed is None:
        return
    yield Finding(
        f"`{site.written_name}`: {site.spec.removed}; its default weight_decay was "
        f"{site.spec.default_weight_decay!r}: use `torch.optim.AdamW` (default {_torch_adamw().default_weight_decay}) "
        "with an explicit weight_decay",
        site.func_span,
        _fix(site, context.module),
    )


def _fix(site: OptimizerSite, module: ModuleFacts | None) -> FixPlan | None:
    """torch's AdamW as the file names torch (`torch.optim.AdamW`, `th.optim.AdamW`,
    `optim.AdamW`; `import torch` added when it names it nowhere), the old default written
    out, and the old import dropped when this call was its only use."""
    if module is None or site.weight_decay.hidden or site.choice is not None:
        return None
    if any(site.argument(name) for name in _not_in_torch(site.spec)):
        return None  # options torch's AdamW does not take (`correct_bias`)
    imports: list[ImportChange] = []
    torch_name, optim_name = module.module_name("torch"), module.module_name("torch.optim")
    if torch_name is not None:
        replacement = f"{torch_name}.optim.AdamW"
    elif optim_name is not None:
        replacement = f"{optim_name}.AdamW"
    elif module.binds("torch"):
        return None  # `torch` is something else here
    else:
        replacement = "torch.optim.AdamW"
        imports.append(AddImport("torch"))
    edits = [Edit(replacement, site.func_span.start, site.func_span.end)]
    if site.weight_decay.kind is ValueKind.DEFAULT:
        keyword = append_keyword(site, f"weight_decay={site.spec.default_weight_decay!r}")
        if keyword is None:
            return None
        edits.append(keyword)
    callee = site.written_name
    imported = module.imported_name(callee) if callee.isidentifier() else None
    if imported is not None and imported.module.startswith("transformers") and module.load_count(callee) == 1:
        # this call is the name's only use: with it rewritten, the import (which fails on
        # transformers >= 4.50) has nothing left to serve; with other uses it stays
        alias = callee if callee != imported.name else None
        imports.append(RemoveImport(imported.module, imported.name, alias, imported.statement))
    return FixPlan(Applicability.SAFE, "Use `torch.optim.AdamW` with the same weight_decay", tuple(edits), tuple(imports))


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
    example_findings=(Position(3, 13),),
    example_fixed="""
import torch

optimizer = torch.optim.AdamW(model.parameters(), lr=2e-5, weight_decay=0.0)
""",
    static_check=check,
    fix=Applicability.SAFE,
    fix_safety="""
The fix replaces the class with torch's AdamW as the file names torch (`torch.optim.AdamW`, or
through the file's alias: `th.optim.AdamW`, `optim.AdamW`), writes `weight_decay=0.0` when none
was given (the old default, so nothing changes), adds `import torch` when the file has no name
for it (next to its other torch imports, else after the imports that open the file) and removes
the `transformers` import once nothing uses it. It is safe: the two implementations compute the same
update.
""",
    references=(
        "[torch.optim.AdamW](https://pytorch.org/docs/stable/generated/torch.optim.AdamW.html)",
    ),
)
