"""The report: a table that collapses layer indices, a dict for tools, strict mode."""

from __future__ import annotations

import json

import pytest

from wdlint.runtime.report import AuditReport, Finding, ParamDetail, collapse

torch = pytest.importorskip("torch")
from audit_models import build  # noqa: E402
from torch import nn  # noqa: E402

import wdlint  # noqa: E402


@pytest.mark.parametrize(
    ("name", "pattern"),
    [
        ("layers.12.attn.bias", "layers.*.attn.bias"),
        ("blocks.0.1.weight", "blocks.*.*.weight"),
        ("0.weight", "*.weight"),
        ("ln_1.weight", "ln_1.weight"),
        ("group0[3]", "group0[*]"),
    ],
)
def test_collapse(name: str, pattern: str) -> None:
    assert collapse(name) == pattern


def test_table_collapses_layers_and_shows_shape_and_decay() -> None:
    model = build("gpt")
    report = wdlint.audit(model, torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.1))
    lines = str(report).splitlines()
    assert lines[0].startswith("WD201 decay-on-bias-and-norm: `torch.optim.AdamW` decays 13 params")
    assert lines[1].split() == ["param", "count", "shape", "weight_decay"]
    assert lines[2].split() == ["h.*.ln_1.weight", "x3", "[16]", "0.1"]
    assert lines[3].split() == ["h.*.attn.bias", "x3", "[48]", "0.1"]
    assert lines[6].split() == ["ln_f.weight", "[16]", "0.1"]
    assert lines[7] == ""
    assert str(report).endswith("\nFound 1 problem (1 optimizer, 1 param group, 24 params).\n")


def test_ok_report() -> None:
    model = build("resnet")
    report = wdlint.audit(model, torch.optim.SGD(wdlint.param_groups(model, 5e-4), lr=0.1))
    assert report.ok and report.findings == []
    assert str(report) == "All checks passed (1 optimizer, 2 param groups, 17 params).\n"
    assert report.to_dict() == {"ok": True, "findings": [], "params": {}, "optimizers": 1, "groups": 2, "param_count": 17}


def test_to_dict_is_json_with_every_name() -> None:
    model = nn.ModuleList(nn.Linear(2, 2) for _ in range(30))
    report = wdlint.audit(model, [torch.optim.Adam(model.parameters(), weight_decay=0.1)])
    data = json.loads(json.dumps(report.to_dict()))
    assert [f["code"] for f in data["findings"]] == ["WD101", "WD201"]
    assert data["findings"][1]["params"] == [f"{i}.bias" for i in range(30)]
    assert data["params"]["7.bias"] == {"shape": [2], "weight_decay": [0.1]}


def test_long_tables_are_cut_but_say_so() -> None:
    findings = [Finding("WD601", "param-not-optimized", "m", tuple(f"p{i}" for i in range(25)))]
    details = {f"p{i}": ParamDetail((i,), ()) for i in range(25)}
    text = str(AuditReport(findings, details, 1, 1, 25))
    assert "    p19  " in text and "p20" not in text and "    ... 5 more rows" in text
    assert "    p19           [19]   -" in text.splitlines()  # held by no group: no weight_decay


def test_strict_raises_with_the_table() -> None:
    model = build("gpt")
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    with pytest.raises(wdlint.AuditError) as raised:
        wdlint.audit(model, optimizer, strict=True)
    assert str(raised.value) == str(raised.value.report)
    assert "h.*.ln_1.weight" in str(raised.value)
    assert wdlint.audit(model, torch.optim.AdamW(wdlint.param_groups(model, 0.1)), strict=True).ok


def test_wrapped_optimizer_is_unwrapped() -> None:
    class AcceleratedOptimizer:  # Accelerate's wrapper keeps the real one here
        def __init__(self, optimizer: torch.optim.Optimizer) -> None:
            self.optimizer = optimizer

    model = build("resnet")
    report = wdlint.audit(model, AcceleratedOptimizer(torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.05)))
    assert [f.code for f in report.findings] == ["WD201"]
    with pytest.raises(TypeError, match="not a torch optimizer"):
        wdlint.audit(model, object())
