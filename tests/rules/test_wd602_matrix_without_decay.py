"""WD602 matrix-without-decay: a weight matrix in a weight_decay=0 group of an optimizer that
decays other params."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
from audit_cases import MLP, MLP_MATRICES, MLP_NO_DECAY, AuditCase, Group, Layer, Optimizer, audit_case, found  # noqa: E402
from torch import nn  # noqa: E402

import wdlint  # noqa: E402

CODE = "WD602"


@pytest.mark.filterwarnings("ignore::UserWarning")  # nn.TransformerEncoderLayer's nested-tensor note
def test_in_proj_weight_missed_by_a_name_filter() -> None:
    model = nn.TransformerEncoderLayer(d_model=16, nhead=2, dim_feedforward=32, batch_first=True)
    named = list(model.named_parameters())
    decay = [p for n, p in named if n.endswith(".weight") and "norm" not in n]
    no_decay = [p for n, p in named if not (n.endswith(".weight") and "norm" not in n)]
    report = wdlint.audit(model, torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}]))
    assert {f.code for f in report.findings} == {CODE}
    assert found(report, CODE) == ["self_attn.in_proj_weight"]


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_quiet_when_every_matrix_is_decayed() -> None:
    model = nn.TransformerEncoderLayer(d_model=16, nhead=2, dim_feedforward=32, batch_first=True)
    params = list(model.parameters())
    groups = [{"params": [p for p in params if p.ndim >= 2]}, {"params": [p for p in params if p.ndim < 2], "weight_decay": 0.0}]
    assert wdlint.audit(model, torch.optim.AdamW(groups, weight_decay=0.1), select=["ALL"]).ok


def test_every_optimizer_on_its_own() -> None:
    """The matrix is undecayed in one optimizer, and the other decays: that one is not asked."""
    case = AuditCase(
        MLP,
        (
            Optimizer("AdamW", (Group(("fc.weight",), 0.1), Group(("fc.bias",), 0.0))),
            Optimizer("AdamW", (Group(("out.weight", "out.bias", "norm.weight", "norm.bias"), 0.0),)),
        ),
    )
    assert found(audit_case(case, CODE), CODE) == []


def test_quiet_when_the_optimizer_decays_nothing() -> None:
    """No decay at all is WD303's business (opt-in), not a matrix a filter missed."""
    case = AuditCase(MLP, (Optimizer("AdamW", (Group((*MLP_MATRICES, *MLP_NO_DECAY), 0.0),)),))
    assert audit_case(case, CODE).ok


def test_quiet_for_an_undecayed_embedding_and_a_frozen_matrix() -> None:
    """Embeddings are `embeddings` policy's (WD604); frozen params are never updated."""
    layers = (*MLP, Layer("emb", "embedding", (10, 8)), Layer("frozen", "linear", (8, 8), bias=False, trainable=False))
    groups = (Group(MLP_MATRICES, 0.1), Group(("emb.weight", "frozen.weight", *MLP_NO_DECAY), 0.0))
    assert audit_case(AuditCase(layers, (Optimizer("AdamW", groups),)), CODE).ok


def test_quiet_for_a_matrix_another_optimizer_decays() -> None:
    """A matrix in a decaying group of one optimizer and an undecayed group of another is
    decayed: holding it twice is WD603's finding, not a missed matrix."""
    case = AuditCase(
        MLP,
        (
            Optimizer("AdamW", (Group(("fc.weight",), 0.1), Group(MLP_NO_DECAY, 0.0))),
            Optimizer("AdamW", (Group(("fc.weight",), 0.0), Group(("out.weight",), 0.1))),
        ),
    )
    report = audit_case(case, "ALL")
    assert found(report, CODE) == []
    assert found(report, "WD603") == ["fc.weight"]
