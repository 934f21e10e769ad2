"""The audit on real torch.nn models, on CPU and on `meta`: right groupings are clean, wrong ones
are reported with the exact param names."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from audit_models import build, split_by_ndim  # noqa: E402

import wdlint  # noqa: E402

DEVICES = ["cpu", "meta"]


def codes(report: wdlint.AuditReport) -> list[str]:
    return [f.code for f in report.findings]


def named(report: wdlint.AuditReport, code: str) -> set[str]:
    return {name for f in report.findings if f.code == code for name in f.params}


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("name", ["transformer", "resnet", "gpt", "embeddings", "vit"])
def test_param_groups_pass_the_audit(name: str, device: str) -> None:
    model = build(name, device)
    optimizer = torch.optim.AdamW(wdlint.param_groups(model, weight_decay=0.05), lr=1e-3)
    report = wdlint.audit(model, optimizer, select=["ALL"])
    assert report.ok, str(report)


@pytest.mark.parametrize("device", DEVICES)
def test_transformer_flat_adamw_names_every_bias_and_norm(device: str) -> None:
    model = build("transformer", device)
    report = wdlint.audit(model, torch.optim.AdamW(model.parameters(), lr=1e-3))
    expected = {n for n, p in model.named_parameters() if p.ndim < 2}
    assert "encoder.layers.0.self_attn.in_proj_bias" in expected
    assert "decoder.norm.weight" in expected
    assert codes(report) == ["WD201"]
    assert named(report, "WD201") == expected


@pytest.mark.parametrize("device", DEVICES)
def test_resnet_sgd_decays_batchnorm(device: str) -> None:
    model = build("resnet", device)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, weight_decay=5e-4)
    # the classic SGD recipe is WD207's, opt-in: quiet by default
    assert wdlint.audit(model, optimizer).ok
    report = wdlint.audit(model, optimizer, extend_select=["WD207"])
    assert codes(report) == ["WD207"]
    assert named(report, "WD207") == {
        n for n, _ in model.named_parameters() if ".bn" in n or n.startswith("bn") or n == "fc.bias"
    }
    assert "blocks.1.bn2.weight" in named(report, "WD207")


def test_resnet_ndim_split_is_clean_and_a_missed_conv_is_wd602() -> None:
    model = build("resnet")
    assert wdlint.audit(model, torch.optim.SGD(split_by_ndim(model, 5e-4), lr=0.1)).ok
    groups = split_by_ndim(model, 5e-4)
    groups[0]["params"] = [p for p in groups[0]["params"] if p is not model.stem.weight]
    groups[1]["params"] = [*groups[1]["params"], model.stem.weight]
    report = wdlint.audit(model, torch.optim.SGD(groups, lr=0.1))
    assert codes(report) == ["WD602"]
    assert named(report, "WD602") == {"stem.weight"}


@pytest.mark.parametrize("device", DEVICES)
def test_gpt_custom_rmsnorm_and_tied_embeddings(device: str) -> None:
    model = build("gpt", device)
    # The classic BERT-style list: misses `ln_1`, `ln_2`, `ln_f`.
    no_decay = ["bias", "LayerNorm.weight"]
    named_params = list(model.named_parameters())
    groups = [
        {"params": [p for n, p in named_params if not any(nd in n for nd in no_decay)], "weight_decay": 0.1},
        {"params": [p for n, p in named_params if any(nd in n for nd in no_decay)], "weight_decay": 0.0},
    ]
    report = wdlint.audit(model, torch.optim.AdamW(groups, lr=3e-4))
    assert codes(report) == ["WD201"]
    assert named(report, "WD201") == {"ln_f.weight"} | {f"h.{i}.ln_{j}.weight" for i in range(3) for j in (1, 2)}
    assert "weights of RMSNorm" in report.findings[0].message


def test_gpt_tied_head_is_one_param() -> None:
    model = build("gpt")
    report = wdlint.audit(model, torch.optim.AdamW(model.parameters(), lr=3e-4), select=["WD1", "WD2", "WD6"])
    assert report.params == sum(1 for _ in model.parameters())
    assert "lm_head.weight" not in named(report, "WD201") | named(report, "WD603")


def test_embedding_model_takes_no_side_on_embeddings_by_default() -> None:
    model = build("embeddings")
    decayed = torch.optim.AdamW(split_by_ndim(model, 0.1), lr=1e-3)
    exempt_groups = [
        {"params": [model.tower.weight, model.out.weight], "weight_decay": 0.1},
        {"params": [p for n, p in model.named_parameters() if n not in ("tower.weight", "out.weight")], "weight_decay": 0.0},
    ]
    exempt = torch.optim.AdamW(exempt_groups, lr=1e-3)
    for optimizer in (decayed, exempt):
        assert wdlint.audit(model, optimizer, select=["ALL"]).ok


def test_vit_no_weight_decay_hook() -> None:
    model = build("vit")
    report = wdlint.audit(model, torch.optim.AdamW(split_by_ndim(model, 0.05), lr=1e-3))
    assert codes(report) == ["WD201"]
    assert named(report, "WD201") == {"pos_embed", "cls_token", "rel_pos_table"}
    assert "no_weight_decay()" in report.findings[0].message
