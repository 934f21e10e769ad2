"""WD601 param-not-optimized: a trainable param that no audited optimizer holds."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
from audit_cases import AuditCase, Group, Layer, Optimizer, audit_case, found  # noqa: E402
from torch import nn  # noqa: E402

import wdlint  # noqa: E402

CODE = "WD601"
BACKBONE_AND_HEAD = (Layer("backbone", "linear", (16, 32)), Layer("head", "linear", (32, 4)))
BACKBONE_ONLY = Optimizer("AdamW", (Group(("backbone.weight",), 0.05), Group(("backbone.bias",), 0.0)))


@pytest.fixture
def mlp() -> nn.Module:
    return nn.Sequential(nn.Linear(8, 16), nn.LayerNorm(16), nn.Linear(16, 4))


def test_left_out_and_frozen(mlp: nn.Module) -> None:
    report = wdlint.audit(mlp, torch.optim.AdamW(wdlint.param_groups(mlp[0], 0.1), lr=1e-3))
    assert found(report, CODE) == ["1.weight", "1.bias", "2.weight", "2.bias"]
    for p in (*mlp[1].parameters(), *mlp[2].parameters()):
        p.requires_grad_(False)
    assert wdlint.audit(mlp, torch.optim.AdamW(wdlint.param_groups(mlp[0], 0.1), lr=1e-3)).ok


def test_counts_every_optimizer(mlp: nn.Module) -> None:
    first = torch.optim.AdamW(wdlint.param_groups(mlp[0], 0.1), lr=1e-3)
    second = torch.optim.SGD(mlp[1:].parameters(), lr=0.1)
    assert wdlint.audit(mlp, [first, second]).ok
    assert "any of the 2 optimizers" not in str(wdlint.audit(mlp, [first, second]))
    report = wdlint.audit(nn.Sequential(*mlp, nn.Linear(4, 4)), (first, second))
    assert found(report, CODE) == ["3.weight", "3.bias"]
    assert "any of the 2 optimizers" in next(f.message for f in report.findings if f.code == CODE)


def test_one_optimizer_is_named() -> None:
    report = audit_case(AuditCase(BACKBONE_AND_HEAD, (BACKBONE_ONLY,)), CODE)
    [finding] = [f for f in report.findings if f.code == CODE]
    assert finding.message.startswith("2 trainable params are in no param group of `torch.optim.AdamW`")


def test_quiet_for_a_frozen_head() -> None:
    frozen_head = (BACKBONE_AND_HEAD[0], Layer("head", "linear", (32, 4), trainable=False))
    assert audit_case(AuditCase(frozen_head, (BACKBONE_ONLY,)), CODE).ok


def test_quiet_without_a_model() -> None:
    """Without the model the audit knows only the optimizers' params: none can be missing."""
    model = nn.Sequential(nn.Linear(16, 32), nn.Linear(32, 4))
    optimizer = torch.optim.AdamW(wdlint.param_groups(model[0], 0.05), lr=1e-3)
    assert found(wdlint.audit(None, optimizer), CODE) == []


def test_quiet_for_a_tied_weight_held_under_its_first_name() -> None:
    model = nn.ModuleDict({"wte": nn.Embedding(10, 4), "lm_head": nn.Linear(4, 10, bias=False)})
    model["lm_head"].weight = model["wte"].weight
    optimizer = torch.optim.AdamW([{"params": list(model.parameters()), "weight_decay": 0.0}])
    assert found(wdlint.audit(model, optimizer), CODE) == []
