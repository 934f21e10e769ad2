"""`wdlint.audit(model, optimizer)`: the optimizer's real param groups checked against the model."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import torch
from torch import nn

from wdlint.config import PolicySettings
from wdlint.rules import all_rules
from wdlint.rules.base import RuntimeCheck
from wdlint.runtime.classify import Policy
from wdlint.runtime.context import AuditContext
from wdlint.runtime.model import Inventory, holds_params_of, inventory, with_optimizer_params
from wdlint.runtime.optimizers import unwrap_optimizer, view
from wdlint.runtime.report import AuditError, AuditReport, Finding, ParamDetail
from wdlint.selection import enabled_codes, is_valid_selector


def audit(
    model: nn.Module | None,
    optimizer: object,
    *,
    policy: PolicySettings | None = None,
    select: Iterable[str] | None = None,
    extend_select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    strict: bool = False,
) -> AuditReport:
    """Check `optimizer` (or a list of optimizers) against `model`; nothing is printed.

    The model may be wrapped (DDP, `torch.compile`, FSDP) and on any device, `meta` included:
    only names, shapes and module classes are read, never tensor data, and nothing is changed.
    Without a model, params are named from the groups' `param_names` and classified by shape
    and name. `strict=True` raises `AuditError` (its message is the table) when anything is found.
    """
    # one optimizer reached twice (itself and through its LR scheduler) is audited once
    optimizers = list({id(o): o for o in (unwrap_optimizer(x) for x in _as_list(optimizer))}.values())
    if not optimizers:
        raise ValueError("no optimizer to audit")
    report = run_audit(model, optimizers, policy, runtime_codes(select, extend_select, ignore))
    if report is None:
        raise ValueError(
            "the optimizer holds none of the model's params, so there is nothing to compare: pass "
            "the optimizer built over this model (DeepSpeed ZeRO hands its optimizer flattened "
            "copies: audit before `deepspeed.initialize`), or audit without the model"
        )
    if strict and not report.ok:
        raise AuditError(report)
    return report


def runtime_codes(
    select: Iterable[str] | None, extend_select: Iterable[str] = (), ignore: Iterable[str] = ()
) -> frozenset[str]:
    """The enabled rules that the audit reports; ValueError for an unknown code or prefix."""
    chosen = [_selectors(s) for s in (select or (), extend_select, ignore)]
    for selector in (s for selectors in chosen for s in selectors):
        if not is_valid_selector(selector):
            raise ValueError(f"unknown rule code or prefix `{selector}`")
    enabled = enabled_codes(None if select is None else chosen[0], chosen[1], chosen[2])
    checks = runtime_checks()
    return frozenset(code for code in enabled if code in checks)


def runtime_checks() -> dict[str, RuntimeCheck]:
    """Every rule's runtime check by code: derived from the rules, as `wdlint check` derives the
    static ones, so no list is kept."""
    return {rule.code: rule.runtime_check for rule in all_rules() if rule.runtime_check is not None}


def run_audit(
    model: nn.Module | None,
    optimizers: Sequence[torch.optim.Optimizer],
    policy: PolicySettings | None,
    codes: frozenset[str],
) -> AuditReport | None:
    """The audit of `optimizers` against `model` (or, without one, against their own params);
    None when the optimizers hold none of the model's params (another network's optimizer,
    DeepSpeed's flattened copies), which `audit` refuses and `watch` skips."""
    known = inventory(model) if model is not None else Inventory((), frozenset())
    if model is not None and not any(holds_params_of(known, o) for o in optimizers):
        return None
    params = with_optimizer_params(known, optimizers)
    model_given = model is not None
    classifier = Policy(policy, params.hook_names)
    views = tuple(view(o, i, numbered=len(optimizers) > 1) for i, o in enumerate(optimizers))
    context = AuditContext(
        params,
        tuple(map(classifier.classify, params.params)),
        classifier,
        views,
        model_given,
    )
    checks = runtime_checks()
    findings = [finding for code in sorted(codes) for finding in checks[code](context)]
    return AuditReport(
        findings,
        _details(context, findings),
        optimizers=len(views),
        groups=sum(len(v.groups) for v in views),
        params=len(params.params),
    )


def _details(context: AuditContext, findings: Sequence[Finding]) -> dict[str, ParamDetail]:
    """Shape and group weight_decay of the params the findings name, for the table."""
    named = {name for finding in findings for name in finding.params}
    return {
        p.name: ParamDetail(
            p.shape, tuple(g.weight_decay for _, g in context.holders.get(p.key, ()) if g.has_weight_decay)
        )
        for p in context.params
        if p.name in named
    }


def _as_list(optimizer: object) -> list[object]:
    return list(optimizer) if isinstance(optimizer, (list, tuple)) else [optimizer]


def _selectors(value: Iterable[str] | str) -> tuple[str, ...]:
    # `select="WD604"` means the code, not its characters
    return (value,) if isinstance(value, str) else tuple(value)
