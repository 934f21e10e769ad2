"""Every rule the audit reports, with a case that fires and one that stays quiet: typed data
that `audit_cases` builds into a real model and optimizers and audits."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

pytest.importorskip("torch")

from audit_cases import MLP, MLP_MATRICES, MLP_NO_DECAY, AuditCase, Group, Layer, Optimizer, audit_case, found, split

from wdlint.config import PolicySettings
from wdlint.rules import all_rules
from wdlint.runtime.audit import runtime_checks


@dataclass(frozen=True)
class RuntimeExample:
    fires: AuditCase
    fires_on: tuple[str, ...]  # the params its findings name, in the model's order
    quiet: AuditCase  # nothing at all is reported, the rule included


ALL_FLAT = (Group((*MLP_MATRICES, *MLP_NO_DECAY)),)
BACKBONE_AND_HEAD = (Layer("backbone", "linear", (16, 32)), Layer("head", "linear", (32, 4)))
EMBEDDING_AND_LINEAR = (Layer("emb", "embedding", (100, 8)), Layer("fc", "linear", (8, 8)))


def group_named_as_wrapped(params: tuple[str, ...], weight_decay: float) -> Group:
    """A group whose `param_names` were recorded from the DDP-wrapped model."""
    return Group(params, weight_decay, (("param_names", tuple(f"module.{name}" for name in params)),))


EXAMPLES = {
    "WD101": RuntimeExample(
        fires=AuditCase(MLP, (split("Adam", 0.1),)),
        fires_on=MLP_MATRICES,
        quiet=AuditCase(MLP, (split("AdamW", 0.1),)),
    ),
    "WD102": RuntimeExample(
        fires=AuditCase(MLP, (split("RMSprop", 1e-5),)),
        fires_on=MLP_MATRICES,
        quiet=AuditCase(MLP, (split("AdamW", 0.1),)),
    ),
    "WD201": RuntimeExample(
        fires=AuditCase(MLP, (Optimizer("AdamW", ALL_FLAT, (("weight_decay", 0.1),)),)),
        fires_on=("fc.bias", "norm.weight", "norm.bias", "out.bias"),
        quiet=AuditCase(MLP, (split("AdamW", 0.1),)),
    ),
    "WD207": RuntimeExample(
        # SGD's classic recipe: the same params as WD201's, under SGD
        fires=AuditCase(MLP, (Optimizer("SGD", ALL_FLAT, (("lr", 0.1), ("weight_decay", 1e-4))),)),
        fires_on=("fc.bias", "norm.weight", "norm.bias", "out.bias"),
        quiet=AuditCase(MLP, (split("SGD", 1e-4, lr=0.1),)),
    ),
    "WD204": RuntimeExample(
        fires=AuditCase(
            MLP,
            (Optimizer("AdamW", (Group(MLP_MATRICES, 0.1), Group(MLP_NO_DECAY, options=(("weight_decay_rate", 0.0),)))),),
        ),
        fires_on=MLP_NO_DECAY,
        quiet=AuditCase(MLP, (split("AdamW", 0.1),)),
    ),
    "WD205": RuntimeExample(
        # the groups were split by names taken from the DDP-wrapped model: `fc.bias` is decayed
        fires=AuditCase(
            MLP,
            (
                Optimizer(
                    "AdamW",
                    (
                        group_named_as_wrapped(("fc.weight", "fc.bias", "out.weight"), 0.1),
                        group_named_as_wrapped(("norm.weight", "norm.bias", "out.bias"), 0.0),
                    ),
                ),
            ),
        ),
        fires_on=("fc.bias",),
        quiet=AuditCase(
            MLP,
            (
                Optimizer(
                    "AdamW",
                    (
                        group_named_as_wrapped(MLP_MATRICES, 0.1),
                        group_named_as_wrapped(MLP_NO_DECAY, 0.0),
                    ),
                ),
            ),
        ),
    ),
    "WD206": RuntimeExample(
        fires=AuditCase(
            (Layer("hidden", "linear", (8, 8), bias=False), Layer("emb", "embedding", (10, 8))),
            (Optimizer("Muon", (Group(("hidden.weight", "emb.weight")),), (("lr", 0.02),)),),
        ),
        fires_on=("emb.weight",),
        quiet=AuditCase(
            (Layer("hidden", "linear", (8, 8), bias=False), Layer("emb", "embedding", (10, 8))),
            (
                Optimizer("Muon", (Group(("hidden.weight",)),), (("lr", 0.02),)),
                Optimizer("AdamW", (Group(("emb.weight",), 0.0),)),
            ),
        ),
    ),
    "WD301": RuntimeExample(
        # SGD's default weight_decay is 0: the group without its own value inherits it
        fires=AuditCase(MLP, (Optimizer("SGD", (Group(MLP_MATRICES), Group(MLP_NO_DECAY, 0.0)), (("lr", 0.1),)),)),
        fires_on=MLP_MATRICES,
        quiet=AuditCase(MLP, (split("SGD", 5e-4, lr=0.1),)),
    ),
    "WD303": RuntimeExample(
        fires=AuditCase(MLP, (Optimizer("AdamW", ALL_FLAT, (("weight_decay", 0.0),)),)),
        fires_on=MLP_MATRICES,
        quiet=AuditCase(MLP, (split("AdamW", 0.1),)),
    ),
    "WD601": RuntimeExample(
        fires=AuditCase(
            BACKBONE_AND_HEAD,
            (Optimizer("AdamW", (Group(("backbone.weight",), 0.05), Group(("backbone.bias",), 0.0))),),
        ),
        fires_on=("head.weight", "head.bias"),
        quiet=AuditCase(
            BACKBONE_AND_HEAD,
            (
                Optimizer(
                    "AdamW",
                    (Group(("backbone.weight", "head.weight"), 0.05), Group(("backbone.bias", "head.bias"), 0.0)),
                ),
            ),
        ),
    ),
    "WD602": RuntimeExample(
        # a name filter for `.weight` misses a bare matrix param, as `in_proj_weight`
        fires=AuditCase(
            (Layer("in_proj_weight", "parameter", (24, 8)), *MLP),
            (Optimizer("AdamW", (Group(MLP_MATRICES, 0.1), Group(("in_proj_weight", *MLP_NO_DECAY), 0.0))),),
        ),
        fires_on=("in_proj_weight",),
        quiet=AuditCase(
            (Layer("in_proj_weight", "parameter", (24, 8)), *MLP),
            (Optimizer("AdamW", (Group(("in_proj_weight", *MLP_MATRICES), 0.1), Group(MLP_NO_DECAY, 0.0))),),
        ),
    ),
    "WD603": RuntimeExample(
        fires=AuditCase(
            MLP,
            (
                Optimizer("SGD", (Group(MLP_MATRICES),), (("lr", 0.1),)),
                Optimizer("AdamW", ALL_FLAT, (("weight_decay", 0.0),)),
            ),
        ),
        fires_on=MLP_MATRICES,
        quiet=AuditCase(
            MLP,
            (
                Optimizer("SGD", (Group(MLP_MATRICES),), (("lr", 0.1),)),
                Optimizer("AdamW", (Group(MLP_NO_DECAY),), (("weight_decay", 0.0),)),
            ),
        ),
    ),
    "WD604": RuntimeExample(
        fires=AuditCase(
            EMBEDDING_AND_LINEAR,
            (Optimizer("AdamW", (Group(("emb.weight", "fc.weight"), 0.1), Group(("fc.bias",), 0.0))),),
            PolicySettings(embeddings="no-decay"),
        ),
        fires_on=("emb.weight",),
        quiet=AuditCase(
            EMBEDDING_AND_LINEAR,
            (Optimizer("AdamW", (Group(("fc.weight",), 0.1), Group(("emb.weight", "fc.bias"), 0.0))),),
            PolicySettings(embeddings="no-decay"),
        ),
    ),
}


def test_every_runtime_rule_has_an_example_and_is_audited() -> None:
    runtime = {rule.code for rule in all_rules() if rule.runtime}
    assert set(EXAMPLES) == runtime
    assert set(runtime_checks()) == runtime


@pytest.mark.parametrize("code", EXAMPLES)
def test_example_fires(code: str) -> None:
    example = EXAMPLES[code]
    report = audit_case(example.fires, code)
    assert found(report, code) == list(example.fires_on), str(report)


@pytest.mark.parametrize("code", EXAMPLES)
def test_use_instead_is_quiet(code: str) -> None:
    report = audit_case(EXAMPLES[code].quiet, code)
    assert report.ok, str(report)
