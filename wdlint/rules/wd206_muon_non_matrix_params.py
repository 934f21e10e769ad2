from __future__ import annotations

from collections.abc import Iterator

from wdlint.analysis.sites import OptimizerSite, ParamSource, Selector, SourceKind
from wdlint.diagnostics import Position
from wdlint.rules.base import Finding, Rule, RuleContext

TYPE_CHECKING = False  # `typing` is for type checkers: the hook never imports it (docs/architecture.md)

if TYPE_CHECKING:
    from wdlint.runtime.context import AuditContext
    from wdlint.runtime.report import Finding as AuditFinding


def _problem(source: ParamSource) -> str | None:
    if source.kind is SourceKind.FLAT:
        return "every parameter, biases and norm gains included, which Muon rejects (it only takes 2-D params)"
    if source.kind is SourceKind.SUBSET and source.selects == {Selector.NDIM}:
        return (
            "every parameter that passes a shape filter, so the token embedding and the output "
            "head (2-D, but not hidden-layer matrices) are orthogonalized too"
        )
    return None


def check(site: OptimizerSite, context: RuleContext) -> Iterator[Finding]:
    if not site.spec.matrix_only:
        return
    for source in site.param_sources():  # a list of groups is no problem itself: its groups may be
        problem = _problem(source)
        if problem is not None:
            yield Finding(
                f"`{site.written_name}` gets `{source.expr}`: {problem}; give Muon the hidden "
                "weight matrices and an AdamW the rest",
                source.span,
            )


def runtime_check(context: AuditContext) -> Iterator[AuditFinding]:
    from wdlint.runtime.classify import Kind
    from wdlint.runtime.wording import count, finding

    for optimizer in context.optimizers:
        if optimizer.spec is None or not optimizer.spec.matrix_only:
            continue
        params = context.trainable_in(
            optimizer.groups,
            lambda p, v: len(p.shape) != 2 or v.kind is Kind.EMBEDDING or v.head,
        )
        if params:
            kinds = dict.fromkeys(
                "embeddings" if v.kind is Kind.EMBEDDING
                else "the output head" if v.head
                else "params that are not 2-D"
                for p, v in params
            )
            yield finding(
                RULE,
                f"{optimizer.label} gets {count(params)} that {'is' if len(params) == 1 else 'are'} not "
                "hidden-layer weight matrices "
                f"({', '.join(kinds)}); give Muon the hidden weight matrices and an AdamW the rest",
                params,
            )


RULE = Rule(
    code="WD206",
    name="muon-non-matrix-params",
    summary="Muon given non-matrix params, or embeddings/head through an ndim filter",
    what_it_does="""
Checks `torch.optim.Muon` constructions whose params are a whole module's parameters, or a
selection by shape alone (`p.ndim == 2`, `p.ndim >= 2`) that does not also exclude the
embeddings and the output head by name.
""",
    why_is_this_bad="""
Muon orthogonalizes each update matrix; `torch.optim.Muon` raises for parameters that are not
2-D, so biases and normalization gains must go to another optimizer. Embeddings and the output
head are 2-D but are not hidden-layer weight matrices: Muon's authors train them with AdamW, and
a shape filter alone hands them to Muon. Its default weight_decay of 0.1 then also applies to
them.
""",
    example="""
import torch

muon = torch.optim.Muon([p for p in model.parameters() if p.ndim == 2], lr=0.02)
""",
    use_instead="""
import torch

hidden = [p for n, p in model.named_parameters() if p.ndim == 2 and "embed" not in n and "lm_head" not in n]
muon = torch.optim.Muon(hidden, lr=0.02)
""",
    example_findings=(Position(3, 25),),
    static_check=check,
    runtime_check=runtime_check,
    references=(
        "[torch.optim.Muon](https://pytorch.org/docs/stable/generated/torch.optim.Muon.html)",
        "[Muon: An optimizer for hidden layers](https://kellerjordan.github.io/posts/muon/)",
    ),
)
