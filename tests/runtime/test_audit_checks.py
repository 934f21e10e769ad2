"""Each runtime check, with a grouping that is right and one that is wrong (the runtime-only
rules WD601-WD604 have theirs in `tests/rules/test_wd60N_*.py`)."""

from __future__ import annotations

from typing import Any

import pytest

torch = pytest.importorskip("torch")
from audit_models import build, split_by_ndim  # noqa: E402
from torch import nn  # noqa: E402

import wdlint  # noqa: E402
from wdlint.config import PolicySettings  # noqa: E402

needs_muon = pytest.mark.skipif(not hasattr(torch.optim, "Muon"), reason="torch.optim.Muon is torch >= 2.9")


def found(report: wdlint.AuditReport) -> dict[str, set[str]]:
    result: dict[str, set[str]] = {}
    for finding in report.findings:
        result.setdefault(finding.code, set()).update(finding.params)
    return result


def message(report: wdlint.AuditReport, code: str) -> str:
    return next(f.message for f in report.findings if f.code == code)


def fake_optimizer_class(module: str, qualname: str) -> type:
    """A class named as a third-party optimizer is, without importing its package."""

    def __init__(self: Any, params: Any, attributes: dict[str, object] | None = None, **defaults: object) -> None:
        torch.optim.Optimizer.__init__(self, params, defaults)
        for key, value in (attributes or {}).items():
            setattr(self, key, value)

    return type(qualname, (torch.optim.Optimizer,), {"__module__": module, "__qualname__": qualname, "__init__": __init__})


@pytest.fixture
def mlp() -> nn.Module:
    return nn.Sequential(nn.Linear(8, 16), nn.LayerNorm(16), nn.Linear(16, 4))


# WD101 adam-coupled-decay


@pytest.mark.parametrize(
    ("make", "advice"),
    [
        (lambda g: torch.optim.Adam(g, weight_decay=0.1), "use `torch.optim.AdamW` (or `decoupled_weight_decay=True`)"),
        (lambda g: torch.optim.Adamax(g, weight_decay=0.1), "use `torch.optim.AdamW`"),
        (lambda g: torch.optim.NAdam(g, weight_decay=0.1), "pass `decoupled_weight_decay=True`"),
        (lambda g: torch.optim.RAdam(g, weight_decay=0.1), "pass `decoupled_weight_decay=True`"),
    ],
    ids=["Adam", "Adamax", "NAdam", "RAdam"],
)
def test_wd101_coupled_adam(mlp: nn.Module, make: Any, advice: str) -> None:
    groups = [{"params": [mlp[0].weight, mlp[2].weight]}, {"params": [mlp[0].bias, mlp[1].weight, mlp[1].bias, mlp[2].bias], "weight_decay": 0.0}]
    report = wdlint.audit(mlp, make(groups))
    assert found(report) == {"WD101": {"0.weight", "2.weight"}}
    assert advice in message(report, "WD101")


@pytest.mark.parametrize(
    "make",
    [
        lambda g: torch.optim.Adam(g, weight_decay=0.1, decoupled_weight_decay=True),
        lambda g: torch.optim.NAdam(g, weight_decay=0.1, decoupled_weight_decay=True),
        lambda g: torch.optim.RAdam(g, weight_decay=0.1, decoupled_weight_decay=True),
        lambda g: torch.optim.AdamW(g, weight_decay=0.1),
        lambda g: torch.optim.Adam([p for group in g for p in group["params"]]),
    ],
    ids=["Adam-flag", "NAdam-flag", "RAdam-flag", "AdamW", "Adam-no-decay"],
)
def test_wd101_quiet(mlp: nn.Module, make: Any) -> None:
    assert wdlint.audit(mlp, make(split_by_ndim(mlp, 0.1))).ok


def test_wd101_subclass_of_adam(mlp: nn.Module) -> None:
    class MyAdam(torch.optim.Adam):
        pass

    report = wdlint.audit(mlp, MyAdam(split_by_ndim(mlp, 0.1)))
    assert "WD101" in found(report)
    assert "MyAdam` (a `torch.optim.Adam`)" in message(report, "WD101")


@pytest.mark.parametrize(
    ("module", "qualname", "attributes", "code_expected"),
    [
        ("bitsandbytes.optim.adam", "Adam8bit", {}, False),  # decoupled, like bnb's AdamW
        ("apex.optimizers.fused_adam", "FusedAdam", {"adam_w_mode": 1}, False),
        ("apex.optimizers.fused_adam", "FusedAdam", {"adam_w_mode": 0}, True),
        ("deepspeed.ops.adam.fused_adam", "FusedAdam", {"adam_w_mode": 0}, True),
        ("deepspeed.ops.adam.cpu_adam", "DeepSpeedCPUAdam", {"adam_w_mode": False}, True),
        ("deepspeed.ops.adam.cpu_adam", "DeepSpeedCPUAdam", {}, False),
    ],
)
def test_wd101_third_party_classes_by_name(
    mlp: nn.Module, module: str, qualname: str, attributes: dict[str, object], code_expected: bool
) -> None:
    cls = fake_optimizer_class(module, qualname)
    report = wdlint.audit(mlp, cls(split_by_ndim(mlp, 0.01), attributes, lr=1e-3, weight_decay=0.01))
    assert ("WD101" in found(report)) is code_expected, str(report)


def test_wd101_flag_in_a_group(mlp: nn.Module) -> None:
    cls = fake_optimizer_class("apex.optimizers.fused_adam", "FusedAdam")
    groups = split_by_ndim(mlp, 0.01)
    groups[0]["adam_w_mode"] = False
    assert "WD101" in found(wdlint.audit(mlp, cls(groups, {"adam_w_mode": 1}, lr=1e-3)))


# WD102 adaptive-coupled-decay


def test_wd102(mlp: nn.Module) -> None:
    report = wdlint.audit(mlp, torch.optim.RMSprop(split_by_ndim(mlp, 1e-5)))
    assert found(report) == {"WD102": {"0.weight", "2.weight"}}
    assert wdlint.audit(mlp, torch.optim.Adagrad(mlp.parameters())).ok


# WD201 decay-on-bias-and-norm


def test_wd201_unknown_optimizer_class_still_decays(mlp: nn.Module) -> None:
    lion = fake_optimizer_class("lion_pytorch.lion_pytorch", "Lion")
    report = wdlint.audit(mlp, lion(mlp.parameters(), lr=1e-4, weight_decay=0.1))
    assert found(report) == {"WD201": {"0.bias", "1.weight", "1.bias", "2.bias"}}
    assert "`lion_pytorch.lion_pytorch.Lion`" in message(report, "WD201")


def test_wd201_policy_patterns_and_norm_classes() -> None:
    class ScaleLayer(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.scale = nn.Parameter(torch.ones(4, 4))

    model = nn.ModuleDict({"proj": nn.Linear(4, 4, bias=False), "gain": ScaleLayer(), "pos_table": nn.Linear(4, 4, bias=False)})
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    assert wdlint.audit(model, optimizer).ok
    policy = PolicySettings(no_decay=("pos_*",), norm_classes=("ScaleLayer",))
    report = wdlint.audit(model, optimizer, policy=policy)
    assert found(report) == {"WD201": {"gain.scale", "pos_table.weight"}}


def test_wd201_norm_subclass_and_2d_norm_weight() -> None:
    class Custom(nn.LayerNorm):  # no "Norm" in its own name: its base class says it
        pass

    model = nn.ModuleDict({"a": Custom(4), "b": nn.LayerNorm((3, 4)), "c": nn.Linear(4, 4, bias=False)})
    report = wdlint.audit(model, torch.optim.AdamW(split_by_ndim(model, 0.1), lr=1e-3))
    assert found(report) == {"WD201": {"b.weight", "b.bias"}}


# WD204 unknown-group-key


def test_wd204_foreign_key(mlp: nn.Module) -> None:
    groups = split_by_ndim(mlp, 0.1)
    groups[1] = {"params": groups[1]["params"], "weight_decay_rate": 0.0, "name": "no_decay", "lr_scale": 0.5}
    report = wdlint.audit(mlp, torch.optim.AdamW(groups, lr=1e-3))
    assert set(found(report)) == {"WD201", "WD204"}
    text = message(report, "WD204")
    assert "`weight_decay_rate`" in text and "did you mean `weight_decay`?" in text and "weight_decay=0.01" in text
    assert found(report)["WD204"] == {"0.bias", "1.weight", "1.bias", "2.bias"}


def test_wd204_quiet_for_bookkeeping_and_real_options(mlp: nn.Module) -> None:
    groups = split_by_ndim(mlp, 0.1)
    groups[0].update({"name": "decay", "layer_id": 3, "initial_lr": 1e-3})
    assert wdlint.audit(mlp, torch.optim.AdamW(groups, lr=1e-3)).ok


# WD206 muon-non-matrix-params


@needs_muon
def test_wd206_muon_with_embeddings_and_head() -> None:
    model = build("gpt")
    muon = torch.optim.Muon([p for p in model.parameters() if p.ndim == 2], lr=0.02)
    rest = torch.optim.AdamW([p for p in model.parameters() if p.ndim != 2], lr=3e-4, weight_decay=0.0)
    report = wdlint.audit(model, [muon, rest])
    assert found(report) == {"WD206": {"wte.weight", "wpe.weight"}}
    hidden = [p for n, p in model.named_parameters() if p.ndim == 2 and n.startswith("h.")]
    others = [p for n, p in model.named_parameters() if not (p.ndim == 2 and n.startswith("h."))]
    muon = torch.optim.Muon(hidden, lr=0.02)
    assert wdlint.audit(model, [muon, torch.optim.AdamW(others, lr=3e-4, weight_decay=0.0)]).ok


@needs_muon
def test_wd206_muon_head_and_vectors() -> None:
    model = nn.ModuleDict({"body": nn.Linear(4, 4), "head": nn.Linear(4, 2, bias=False)})
    muon = torch.optim.Muon([model["body"].weight, model["head"].weight], lr=0.02)
    muon.add_param_group({"params": [model["body"].bias]})  # the constructor's check is bypassed
    report = wdlint.audit(model, muon)
    assert found(report) == {"WD206": {"head.weight", "body.bias"}}
    assert "the output head" in message(report, "WD206") and "not 2-D" in message(report, "WD206")


# WD301 decay-group-inherits-zero


def test_wd301_decay_group_inherits_zero() -> None:
    model = build("resnet")
    decay, no_decay = (g["params"] for g in split_by_ndim(model, 0.0))
    report = wdlint.audit(model, torch.optim.SGD([{"params": decay}, {"params": no_decay, "weight_decay": 0.0}], lr=0.1))
    assert found(report) == {"WD301": {n for n, p in model.named_parameters() if p.ndim >= 2}}
    fixed = torch.optim.SGD([{"params": decay, "weight_decay": 5e-4}, {"params": no_decay, "weight_decay": 0.0}], lr=0.1)
    assert wdlint.audit(model, fixed).ok
    assert wdlint.audit(model, torch.optim.SGD(model.parameters(), lr=0.1)).ok  # one group: not a split


# WD303 no-decay-at-all (opt-in)


def test_wd303_opt_in(mlp: nn.Module) -> None:
    optimizer = torch.optim.AdamW(mlp.parameters(), lr=1e-3, weight_decay=0.0)
    assert wdlint.audit(mlp, optimizer).ok
    report = wdlint.audit(mlp, optimizer, select=["WD303"])
    assert found(report) == {"WD303": {"0.weight", "2.weight"}}
    assert wdlint.audit(mlp, torch.optim.AdamW(split_by_ndim(mlp, 0.1)), select=["WD303"]).ok


# selection


def test_select_and_ignore(mlp: nn.Module) -> None:
    optimizer = torch.optim.Adam(mlp.parameters(), weight_decay=0.1)
    assert set(found(wdlint.audit(mlp, optimizer))) == {"WD101", "WD201"}
    assert set(found(wdlint.audit(mlp, optimizer, ignore=["WD2"]))) == {"WD101"}
    assert set(found(wdlint.audit(mlp, optimizer, select=["WD201"]))) == {"WD201"}
    with pytest.raises(ValueError, match="WD999"):
        wdlint.audit(mlp, optimizer, select=["WD999"])


# regressions from review


def test_a_matrix_in_a_class_only_named_like_a_norm_is_a_weight_matrix() -> None:
    class LayerNormLinear(nn.Module):  # Transformer Engine's fused norm + linear
        def __init__(self) -> None:
            super().__init__()
            self.layer_norm_weight = nn.Parameter(torch.ones(8))
            self.weight = nn.Parameter(torch.empty(16, 8))

    model = nn.ModuleDict({"qkv": LayerNormLinear(), "proj": nn.Linear(8, 8)})
    assert wdlint.audit(model, torch.optim.AdamW(split_by_ndim(model, 0.1))).ok
    groups = wdlint.param_groups(model, 0.1)
    decayed = {id(p) for g in groups if g["weight_decay"] for p in g["params"]}
    assert id(model["qkv"].weight) in decayed


def test_no_weight_decay_keywords_are_honoured() -> None:
    class Swinish(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.proj = nn.Linear(4, 4)
            self.relative_position_bias_table = nn.Parameter(torch.zeros(49, 3))

        def no_weight_decay_keywords(self) -> set[str]:
            return {"relative_position_bias_table"}

    model = Swinish()
    groups = [
        {"params": [model.proj.weight], "weight_decay": 0.05},
        {"params": [model.proj.bias, model.relative_position_bias_table], "weight_decay": 0.0},
    ]
    assert wdlint.audit(model, torch.optim.AdamW(groups)).ok


def test_wd301_quiet_when_groups_exist_for_another_option() -> None:
    class CLIPish(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.enc = nn.Linear(8, 8, bias=False)
            self.logit_scale = nn.Parameter(torch.ones([]))

    model = CLIPish()
    optimizer = torch.optim.Adam([{"params": [model.enc.weight]}, {"params": [model.logit_scale], "lr": 1e-2}], lr=1e-3)
    assert "WD301" not in found(wdlint.audit(model, optimizer))
