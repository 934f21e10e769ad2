from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from wdlint.analysis.sites import OptimizerSite, ValueKind
from wdlint.diagnostics import Applicability, Edit, Fix, Position
from wdlint.knowledge.optimizers import OptimizerSpec, lookup
from wdlint.rules.base import Finding, Rule, RuleContext
from wdlint.rules.fixes import append_keyword

if TYPE_CHECKING:
    from wdlint.analysis.facts import ImportedName, ModuleFacts


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


def _fix(site: OptimizerSite, module: ModuleFacts | None) -> Fix | None:
    """`torch.optim.AdamW`, the old default written out, `import torch`, the old import gone."""
    if module is None or site.weight_decay.hidden or site.choice is not None:
        return None
    if any(site.argument(name) for name in _not_in_torch(site.spec)):
        return None  # options torch's AdamW does not take (`correct_bias`)
    edits = [Edit("torch.optim.AdamW", site.func_span.start, site.func_span.end)]
    if site.weight_decay.kind is ValueKind.DEFAULT:
        keyword = append_keyword(site, f"weight_decay={site.spec.default_weight_decay!r}")
        if keyword is None:
            return None
        edits.append(keyword)
    if not module.binds_module("torch", "torch"):
        edits.append(Edit("import torch\n", module.import_insertion_point, module.import_insertion_point))
    callee = site.written_name
    imported = module.imported_name(callee) if callee.isidentifier() else None
    if imported is not None and imported.module.startswith("transformers") and module.load_count(callee) == 1:
        # this call is the name's only use: with it rewritten, the import (which fails on
        # transformers >= 4.50) has nothing left to serve; with other uses it stays
        edits.append(_remove_import(imported))
    return Fix(Applicability.SAFE, "Use `torch.optim.AdamW` with the same weight_decay", tuple(edits))


def _remove_import(imported: ImportedName) -> Edit:
    if imported.aliases == 1:  # the whole statement, with its line break
        start, end = imported.statement.start, imported.statement.end
        return Edit("", Position(start.row, 1), Position(end.row + 1, 1))
    if imported.previous_alias_end is not None:  # ", AdamW"
        return Edit("", imported.previous_alias_end, imported.alias.end)
    assert imported.next_alias_start is not None  # "AdamW, "
    return Edit("", imported.alias.start, imported.next_alias_start)


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
The fix replaces the class with `torch.optim.AdamW`, writes `weight_decay=0.0` when none was given
(the old default, so nothing changes), adds `import torch` when needed and removes the
`transformers` import once nothing uses it. It is safe: the two implementations compute the same
update.
""",
    references=(
        "[torch.optim.AdamW](https://pytorch.org/docs/stable/generated/torch.optim.AdamW.html)",
    ),
)
