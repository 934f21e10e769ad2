"""`wdlint.watch()`: every optimizer audited once at its first step, through torch's global hook."""

from __future__ import annotations

import warnings

import pytest

torch = pytest.importorskip("torch")
from audit_models import build  # noqa: E402
from torch import nn  # noqa: E402

import wdlint  # noqa: E402
from wdlint.runtime import watch as watch_module  # noqa: E402
from wdlint.runtime.report import AuditWarning  # noqa: E402


def step(optimizer: torch.optim.Optimizer, times: int = 1) -> None:
    for _ in range(times):
        optimizer.step()  # no grads: nothing changes, but the hooks run


def test_first_step_is_audited_once_and_warns() -> None:
    model = build("gpt")
    with wdlint.watch(model) as watcher:
        optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)  # built "inside a framework"
        with pytest.warns(AuditWarning, match=r"h\.\*\.ln_1\.weight"):
            step(optimizer)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            step(optimizer, 3)
    assert [[f.code for f in r.findings] for r in watcher.reports] == [["WD201"]]
    step(torch.optim.AdamW(model.parameters(), lr=1e-3))  # removed: not audited
    assert len(watcher.reports) == 1


def test_clean_optimizer_is_silent() -> None:
    model = build("resnet")
    watcher = wdlint.watch(model)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            step(torch.optim.SGD(wdlint.param_groups(model, 5e-4), lr=0.1))
    finally:
        watcher.remove()
    assert [r.ok for r in watcher.reports] == [True]


def test_strict_stops_the_first_step() -> None:
    model = nn.Linear(4, 4)
    optimizer = torch.optim.Adam(model.parameters(), lr=1.0, weight_decay=0.1)
    model.weight.grad = torch.ones_like(model.weight)
    before = model.weight.detach().clone()
    with wdlint.watch(model, strict=True), pytest.raises(wdlint.AuditError, match="WD101"):
        optimizer.step()
    assert torch.equal(model.weight, before)


def test_every_n_steps() -> None:
    model = nn.Linear(4, 4)
    with wdlint.watch(model, every=2) as watcher:
        optimizer = torch.optim.AdamW(wdlint.param_groups(model, 0.1))
        step(optimizer, 5)
    assert len(watcher.reports) == 3  # steps 0, 2, 4
    with pytest.raises(ValueError, match="every"):
        wdlint.watch(every=0)


def test_without_a_model_names_come_from_param_names() -> None:
    model = build("gpt")
    with wdlint.watch() as watcher, pytest.warns(AuditWarning):
        step(torch.optim.AdamW(model.named_parameters(), lr=1e-3))
    report = watcher.reports[0]
    # No modules to read: norm weights are found by their shape, biases by name and shape.
    assert set(report.findings[0].params) == {n for n, p in model.named_parameters() if p.ndim < 2}


def test_param_not_optimized_is_left_to_audit() -> None:
    model = nn.Sequential(nn.Linear(4, 4), nn.Linear(4, 4))
    with wdlint.watch(model, select=["WD6"]) as watcher:
        step(torch.optim.AdamW(wdlint.param_groups(model[0], 0.1)))
    assert watcher.reports[0].ok  # the second optimizer of a GAN is not "missing"


def test_other_ranks_stay_quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(watch_module, "rank", lambda: 1)
    model = nn.Linear(4, 4)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with wdlint.watch(model) as watcher:
            step(torch.optim.AdamW(model.parameters()))
    assert not watcher.reports[0].ok
    with wdlint.watch(model, all_ranks=True), pytest.warns(AuditWarning):
        step(torch.optim.AdamW(model.parameters()))


def test_optimizers_of_another_network_are_skipped() -> None:
    generator, discriminator = nn.Linear(4, 4), nn.Linear(4, 1)
    with wdlint.watch(generator) as watcher:
        step(torch.optim.AdamW(discriminator.parameters()))  # decays a bias, but not G's
    assert watcher.reports == []
