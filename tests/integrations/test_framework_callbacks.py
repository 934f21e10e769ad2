"""The Lightning callback and the Hugging Face TrainerCallback, on tiny models on the CPU."""

from __future__ import annotations

from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
nn = torch.nn

from wdlint.runtime.report import AuditError, AuditWarning  # noqa: E402


class Tiny(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.proj = nn.Linear(4, 4)
        self.norm = nn.LayerNorm(4)

    def forward(self, x):  # type: ignore[no-untyped-def]
        return self.norm(self.proj(x))


def _ndim_groups(module: nn.Module, decay: float) -> list[dict[str, object]]:
    return [
        {"params": [p for p in module.parameters() if p.ndim >= 2], "weight_decay": decay},
        {"params": [p for p in module.parameters() if p.ndim < 2], "weight_decay": 0.0},
    ]


# -- Lightning ---------------------------------------------------------------------------------


def _lightning_fit(grouped: bool, callback: object) -> None:
    L = pytest.importorskip("lightning")

    class Module(L.LightningModule):
        def __init__(self) -> None:
            super().__init__()
            self.net = Tiny()

        def training_step(self, batch, batch_idx):  # type: ignore[no-untyped-def]
            return self.net(batch).pow(2).mean()

        def configure_optimizers(self):  # type: ignore[no-untyped-def]
            params = _ndim_groups(self, 0.1) if grouped else self.parameters()
            return torch.optim.AdamW(params, lr=1e-3)

    data = torch.utils.data.DataLoader(torch.randn(4, 4), batch_size=2)
    trainer = L.Trainer(
        max_steps=1, accelerator="cpu", logger=False, enable_checkpointing=False,
        enable_progress_bar=False, enable_model_summary=False, callbacks=[callback],
    )
    trainer.fit(Module(), data)


def test_lightning_callback_warns_with_the_params() -> None:
    from wdlint.integrations.lightning import WeightDecayAudit

    callback = WeightDecayAudit()
    with pytest.warns(AuditWarning, match="WD201"):
        _lightning_fit(grouped=False, callback=callback)
    assert callback.report is not None
    [finding] = callback.report.findings
    assert set(finding.params) == {"net.proj.bias", "net.norm.weight", "net.norm.bias"}


def test_lightning_callback_strict_stops_the_run_and_is_quiet_when_right() -> None:
    from wdlint.integrations.lightning import WeightDecayAudit

    with pytest.raises(AuditError, match="WD201"):
        _lightning_fit(grouped=False, callback=WeightDecayAudit(strict=True))
    clean = WeightDecayAudit(strict=True)
    _lightning_fit(grouped=True, callback=clean)
    assert clean.report is not None and clean.report.ok


# -- Hugging Face --------------------------------------------------------------------------------


class TinyWithLoss(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.net = Tiny()

    def forward(self, x, labels=None):  # type: ignore[no-untyped-def]
        return {"loss": self.net(x).pow(2).mean()}


def _hf_train(tmp_path: Path, callback: object, optimizer_for: object = None) -> None:
    transformers = pytest.importorskip("transformers")
    model = TinyWithLoss()
    dataset = [{"x": torch.randn(4)} for _ in range(4)]
    args = transformers.TrainingArguments(
        output_dir=str(tmp_path), max_steps=1, per_device_train_batch_size=2, report_to=[],
        save_strategy="no", use_cpu=True, weight_decay=0.01, remove_unused_columns=False,
        disable_tqdm=True,
    )
    optimizers = (optimizer_for(model), None) if callable(optimizer_for) else (None, None)
    trainer = transformers.Trainer(model=model, args=args, train_dataset=dataset, callbacks=[callback], optimizers=optimizers)
    trainer.train()


def test_hf_callback_passes_the_trainers_own_grouping(tmp_path: Path) -> None:
    from wdlint.integrations.huggingface import WeightDecayAuditCallback

    callback = WeightDecayAuditCallback(strict=True)
    _hf_train(tmp_path, callback)
    assert callback.report is not None and callback.report.ok


def test_hf_callback_catches_a_custom_optimizer(tmp_path: Path) -> None:
    from wdlint.integrations.huggingface import WeightDecayAuditCallback

    callback = WeightDecayAuditCallback()
    with pytest.warns(AuditWarning, match="WD201"):
        _hf_train(tmp_path, callback, lambda m: torch.optim.AdamW(m.parameters(), lr=1e-3))
    assert callback.report is not None
    assert {f.code for f in callback.report.findings} == {"WD201"}
