"""Framework factories: timm's create_optimizer(_v2), PEFT's LoRA+, and what stays quiet."""

import textwrap

import pytest

import wdlint


def codes(source: str, **options) -> list[tuple[str, int]]:
    return [(d.code, d.location.row) for d in wdlint.lint_source(textwrap.dedent(source), **options)]


@pytest.mark.parametrize(
    ("source", "expected"),
    (
        pytest.param(
            "from timm.optim import create_optimizer_v2\nopt = create_optimizer_v2(model, opt='adamw', weight_decay=0.05)\n",
            [],
            id="module: timm groups it",
        ),
        pytest.param(
            "from timm.optim import create_optimizer_v2\nopt = create_optimizer_v2(model.parameters(), opt='adamw', weight_decay=0.05)\n",
            [("WD201", 2)],
            id="parameters: decays everything",
        ),
        pytest.param(
            "from timm.optim import create_optimizer_v2\nopt = create_optimizer_v2(model, 'adamw', 1e-3, 0.05, filter_bias_and_bn=False)\n",
            [("WD201", 2), ("WD501", 2)],
            id="filter off",
        ),
        pytest.param(
            "import timm.optim\nopt = timm.optim.create_optimizer_v2(model, opt='adam', weight_decay=1e-4)\n",
            [("WD101", 2)],
            id="coupled adam",
        ),
        pytest.param(
            "from timm.optim import create_optimizer_v2\nopt = create_optimizer_v2(model, opt='lookahead_radam', weight_decay=1e-4)\n",
            [("WD101", 2)],
            id="lookahead prefix",
        ),
        pytest.param(
            "from timm.optim import create_optimizer_v2\nopt = create_optimizer_v2(model.parameters(), opt='sgd')\n",
            [],
            id="timm default decay is zero",
        ),
        pytest.param(
            "from timm.optim import create_optimizer_v2\nopt = create_optimizer_v2(model, opt='adamw', weight_decay=0.05, layer_decay=0.75)\n",
            [],
            id="layer decay",
        ),
        pytest.param(
            """\
            import argparse
            from timm.optim import create_optimizer
            parser = argparse.ArgumentParser()
            parser.add_argument("--opt", default="adam")
            parser.add_argument("--weight-decay", type=float, default=1e-4)
            args = parser.parse_args()
            opt = create_optimizer(args, model)
            """,
            [("WD101", 7)],
            id="legacy factory reads args",
        ),
        pytest.param(
            """\
            import torch
            from timm.optim import create_optimizer_v2
            model = torch.nn.parallel.DistributedDataParallel(model)
            opt = create_optimizer_v2(model, opt='adamw', weight_decay=0.05)
            """,
            [("WD205", 4)],
            id="timm on a wrapped model",
        ),
        pytest.param(
            """\
            from timm.optim import create_optimizer_v2
            opt = create_optimizer_v2(model, *extra, 'adam', weight_decay=0.1)
            """,
            [],
            id="after *args nothing binds opt (review regression: 'adam' was taken as opt)",
        ),
    ),
)
def test_timm(source, expected):
    assert codes(source) == expected


def test_timm_message_suggests_the_decoupled_opt():
    [d] = wdlint.lint_source("import timm.optim\nopt = timm.optim.create_optimizer_v2(m, opt='nadam', weight_decay=0.1)\n")
    assert "use `opt='nadamw'`" in d.message


@pytest.mark.parametrize(
    ("source", "expected"),
    (
        pytest.param(
            "import torch\nfrom peft.optimizers import create_loraplus_optimizer\n"
            "opt = create_loraplus_optimizer(model=m, optimizer_cls=torch.optim.AdamW, lr=5e-5, loraplus_lr_ratio=16, weight_decay=0.01)\n",
            [("WD302", 3)],
            id="weight_decay overridden",
        ),
        pytest.param(
            "import torch\nfrom peft.optimizers import create_loraplus_optimizer\n"
            "opt = create_loraplus_optimizer(m, torch.optim.AdamW, lr=5e-5, loraplus_lr_ratio=16, loraplus_weight_decay=0.01)\n",
            [],
            id="loraplus_weight_decay given",
        ),
    ),
)
def test_loraplus(source, expected):
    assert codes(source) == expected


def test_loraplus_message_shows_what_the_groups_get():
    source = (
        "import torch\nfrom peft.optimizers import create_loraplus_optimizer\n"
        "opt = create_loraplus_optimizer(model=m, optimizer_cls=torch.optim.AdamW, lr=5e-5, loraplus_lr_ratio=16, weight_decay=0.01)\n"
    )
    [d] = wdlint.lint_source(source)
    assert "(the first: 0.0 (the class default))" in d.message


@pytest.mark.parametrize(
    ("source", "expected"),
    (
        pytest.param(
            """\
            from transformers import Trainer, TrainingArguments
            args = TrainingArguments(output_dir="out", weight_decay=0.01)
            trainer = Trainer(model=model, args=args, train_dataset=ds)
            """,
            [],
            id="trainer groups correctly",
        ),
        pytest.param(
            """\
            import torch
            from transformers import Trainer, TrainingArguments
            opt = torch.optim.AdamW(model.parameters(), lr=5e-5, weight_decay=0.01)
            trainer = Trainer(model=model, args=TrainingArguments("out"), optimizers=(opt, None))
            """,
            [("WD201", 3)],
            id="custom optimizer bypasses the trainer's grouping",
        ),
        pytest.param(
            """\
            import torch
            import lightning as L
            class Lit(L.LightningModule):
                def configure_optimizers(self):
                    return torch.optim.AdamW(self.trainer.model.parameters(), lr=1e-3)
            """,
            [("WD201", 5)],
            id="lightning trainer.model",
        ),
    ),
)
def test_frameworks(source, expected):
    assert codes(source) == expected
