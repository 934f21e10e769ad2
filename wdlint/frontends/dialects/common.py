"""What every dialect shares: the site of an optimizer named under a convention, with the params
the convention says the framework passes."""

from __future__ import annotations

from wdlint.analysis.sites import OptimizerSite, ParamSource, SourceKind, Value
from wdlint.diagnostics import Span
from wdlint.frontends.config_sites import Entry, Mapping, Node, Scalar, config_site, with_key
from wdlint.knowledge.frameworks import PARAMS_UNKNOWN_NOTE, Convention, Params

# ids of the config nodes a dialect has read: no later reading reports them again
Claimed = set[int]


def params_of(convention: Convention, span: Span, every: bool | None = None, grouped: bool = False) -> ParamSource:
    """The params the convention's framework passes: every parameter (FLAT, with the remedy
    naming the convention: WD201), its own groups, or unknown. `every` overrides what the
    convention says for this optimizer (False: not the one the framework builds), `grouped`
    says the file turned the framework's own grouping on."""
    params = convention.params
    if every is not None:
        params = Params.EVERY if every else Params.OWN_GROUPS if grouped else Params.UNKNOWN
    if params is Params.EVERY:
        remedy = f"{convention.hands_every_param}; {convention.remedy}"
        return ParamSource(SourceKind.FLAT, span, convention.passes, remedy=remedy)
    note = PARAMS_UNKNOWN_NOTE if params is Params.UNKNOWN else f"{convention.name} groups them"
    return ParamSource(SourceKind.UNKNOWN, span, note)


def named_site(
    convention: Convention,
    name: Scalar,
    *,
    span: Span,
    options: Mapping | None,
    every: bool | None = None,
    grouped: bool = False,
    hidden: str | None = None,
) -> OptimizerSite | None:
    """The optimizer `name` names under `convention`, its options the entries of `options`."""
    if not isinstance(name.value, str) or name.span is None:
        return None
    resolved = convention.resolve(name.value)
    if resolved is None:
        return None
    spec, qualified = resolved
    lowered = name.value.lower() if convention.case_insensitive else name.value
    return config_site(
        spec,
        qualified,
        name.value,
        span=span,
        func_span=name.span,
        options=options,
        params=params_of(convention, span, every, grouped),
        decoupled=Value.default(True) if lowered in convention.decoupled_names else None,
        hidden=hidden,
        decay_key=convention.decay_key,
        default_decay=convention.default_decay,
        framework=convention.name,
    )


def entry_span(entry: Entry) -> Span | None:
    """From the key to the end of its value: where a site named by this entry is reported."""
    span = entry.value.span
    return with_key(span, entry) if span is not None else entry.key_span


def top_mapping(root: Node) -> Mapping | None:
    return root if isinstance(root, Mapping) and root.span is not None else None
