"""WD604 embedding-decay-policy (opt-in): embeddings against `embeddings` in the policy."""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("torch")

from audit_cases import AuditCase, Group, Layer, Optimizer, found, model_of, optimizer_of

import wdlint
from wdlint.config import PolicySettings

CODE = "WD604"
# a recommender-style model: mostly embedding tables
RECOMMENDER = (
    Layer("users", "embedding", (100, 8)),
    Layer("items", "embedding-bag", (200, 8)),
    Layer("tower", "linear", (16, 8)),
    Layer("norm", "layernorm", (8,)),
    Layer("out", "linear", (8, 1)),
)
TABLES = ("users.weight", "items.weight")
MATRICES = ("tower.weight", "out.weight")
VECTORS = ("tower.bias", "norm.weight", "norm.bias", "out.bias")


def grouped(decay_embeddings: bool) -> Optimizer:
    decay = (*TABLES, *MATRICES) if decay_embeddings else MATRICES
    rest = VECTORS if decay_embeddings else (*TABLES, *VECTORS)
    return Optimizer("AdamW", (Group(decay, 0.1), Group(rest, 0.0)))


@pytest.mark.parametrize(
    ("embeddings", "decay_embeddings", "expected"),
    [
        ("no-decay", True, list(TABLES)),
        ("no-decay", False, []),
        ("decay", False, list(TABLES)),
        ("decay", True, []),
        ("either", True, []),
        ("either", False, []),
    ],
)
def test_the_policy_decides(embeddings: Any, decay_embeddings: bool, expected: list[str]) -> None:
    case = AuditCase(RECOMMENDER, (grouped(decay_embeddings),), PolicySettings(embeddings=embeddings))
    model = model_of(case.layers)
    optimizer = optimizer_of(model, case.optimizers[0])
    assert wdlint.audit(model, optimizer, policy=case.policy).ok  # opt-in: off unless selected
    report = wdlint.audit(model, optimizer, policy=case.policy, select="WD604")
    assert found(report, CODE) == expected


def test_decay_policy_quiet_for_an_optimizer_that_decays_nothing() -> None:
    """With `"decay"`, an optimizer that decays nothing is WD303's business, not WD604's."""
    everything = (*TABLES, *MATRICES, *VECTORS)
    case = AuditCase(RECOMMENDER, (Optimizer("AdamW", (Group(everything, 0.0),)),), PolicySettings(embeddings="decay"))
    model = model_of(case.layers)
    report = wdlint.audit(model, optimizer_of(model, case.optimizers[0]), policy=case.policy, select="WD604")
    assert report.ok
