"""WD603 param-in-several-groups: a param that more than one param group holds."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
from audit_cases import MLP, MLP_MATRICES, MLP_NO_DECAY, AuditCase, Group, Optimizer, audit_case, found, split  # noqa: E402
from torch import nn  # noqa: E402

import wdlint  # noqa: E402

CODE = "WD603"
needs_muon = pytest.mark.skipif(not hasattr(torch.optim, "Muon"), reason="torch.optim.Muon is torch >= 2.9")


@pytest.fixture
def mlp() -> nn.Module:
    return nn.Sequential(nn.Linear(8, 16), nn.LayerNorm(16), nn.Linear(16, 4))


@needs_muon
def test_two_optimizers_share_params(mlp: nn.Module) -> None:
    muon = torch.optim.Muon([p for p in mlp.parameters() if p.ndim == 2], lr=0.02)
    adamw = torch.optim.AdamW(mlp.parameters(), lr=3e-4, weight_decay=0.0)
    report = wdlint.audit(mlp, [muon, adamw])
    assert found(report, CODE) == ["0.weight", "2.weight"]
    assert "optimizer 0 (`torch.optim.Muon`)" in next(f.message for f in report.findings if f.code == CODE)


def test_the_same_optimizer_reached_twice_is_audited_once(mlp: nn.Module) -> None:
    """Passed twice, or once and through its LR scheduler: one optimizer, no WD603 (regression)."""
    optimizer = torch.optim.AdamW([
        {"params": [p for p in mlp.parameters() if p.ndim >= 2], "weight_decay": 0.1},
        {"params": [p for p in mlp.parameters() if p.ndim < 2], "weight_decay": 0.0},
    ])
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, 1)
    assert wdlint.audit(mlp, [optimizer, optimizer]).ok
    assert wdlint.audit(mlp, [optimizer, scheduler]).ok


def test_every_holder_is_named() -> None:
    case = AuditCase(
        MLP,
        (
            Optimizer("SGD", (Group(("fc.weight",)), Group(("out.weight",), 0.0)), (("lr", 0.1),)),
            Optimizer("AdamW", (Group((*MLP_MATRICES, *MLP_NO_DECAY), 0.0),)),
        ),
    )
    report = audit_case(case, CODE)
    assert found(report, CODE) == list(MLP_MATRICES)
    message = next(f.message for f in report.findings if f.code == CODE)
    assert "(param group 0 of optimizer 0 (`torch.optim.SGD`); param group 0 of optimizer 1" in message
    assert "param group 1 of optimizer 0 (`torch.optim.SGD`)" in message


def test_quiet_when_optimizers_split_the_params() -> None:
    case = AuditCase(
        MLP,
        (Optimizer("SGD", (Group(MLP_MATRICES),), (("lr", 0.1),)), Optimizer("AdamW", (Group(MLP_NO_DECAY, 0.0),))),
    )
    assert audit_case(case, CODE).ok


def test_quiet_for_one_optimizer_with_several_groups() -> None:
    assert audit_case(AuditCase(MLP, (split("AdamW", 0.1),)), CODE).ok
