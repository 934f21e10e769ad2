"""End to end: `wdlint check` over fixtures/ reports exactly the findings listed here.

Rows are 1-based lines of the reported node: WD101 and WD103 the line where the optimizer call
starts, WD201 the line of the params argument, WD301 the line of the group dict that omits
weight_decay, WD501 the line of the first positional argument after lr. In configs WD101 is at
the class name (or at the key whose mapping merges it in), WD201 at the optimizer's dict, WD204
at the ignored key; in notebooks the row is within the cell, and the cell is given third (counted
from 1 over all cells, as ruff counts them).
fixtures/README.md explains each case; keep the two in step.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from click.testing import CliRunner

from wdlint.config import DEFAULT_INCLUDE

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

# path under fixtures/ -> (code, row) or (code, row, cell)
EXPECTED: dict[str, list[tuple[str, int] | tuple[str, int, int]]] = {
    "gpt_pretrain.py": [
        ("WD201", 80),  # AdamW(model.parameters(), weight_decay=args.weight_decay)
    ],
    "cnn_sgd.py": [
        ("WD101", 78),  # optim.Adam(...) with a positional weight_decay of 1e-4
        ("WD201", 79),  # net.fc.parameters(): the head's bias is decayed
        ("WD501", 79),  # (0.9, 0.999), 1e-8, 1e-4 passed positionally after lr
    ],
    "lightning_module.py": [
        ("WD101", 46),  # torch.optim.Adam(..., weight_decay=1e-5)
        ("WD201", 46),  # self.parameters()
    ],
    "hf_finetune.py": [
        ("WD301", 49),  # the "decay" group omits weight_decay and Adam's own is 0
        ("WD103", 73),  # transformers.AdamW(model.parameters(), lr=2e-5)
    ],
    "nanogpt_correct.py": [],
    "quiet_cases.py": [],
    "audit_demo.py": [],  # its mistake is only visible at run time: `wdlint audit` reports it
    "notebooks/colab_cifar_finetune.ipynb": [
        ("WD101", 1, 8),  # Adam(model.parameters(), weight_decay=WEIGHT_DECAY) from cell 5
        ("WD201", 1, 8),
        ("WD001", 1, 11),  # a cell left unfinished; the other cells are still linted
    ],
    "configs/lightning_hydra/configs/model/mnist.yaml": [],
    "configs/lightning_hydra/configs/model/cifar_resnet.yaml": [
        # src/models/cifar_module.py, which the `_target_` names, calls the partial with
        # `params=self.trainer.model.parameters()`
        ("WD201", 3),
        ("WD101", 4),  # _target_: torch.optim.Adam with weight_decay: 5e-4
        ("WD101", 10),  # probe_optimizer merges the same optimizer in with `<<: *optimizer`
        ("WD201", 10),  # ... and is called with `params=self.net.fc.parameters()`
    ],
    # calls the partials; the baseline's with param groups, so that one is quiet
    "configs/lightning_hydra/src/models/cifar_module.py": [],
    "configs/lightning_cli/config.yaml": [
        # the automatic configure_optimizers builds it over self.model.parameters()
        ("WD201", 21),
        ("WD101", 22),  # class_path: torch.optim.Adam, init_args.weight_decay: 0.01
    ],
    # framework conventions (wdlint/knowledge/frameworks.py): which params the framework passes
    "configs/speechbrain/train_crdnn.yaml": [
        ("WD201", 54),  # Brain.init_optimizers: opt_class(self.modules.parameters())
        ("WD101", 54),  # !name:torch.optim.Adam, weight_decay: !ref <weight_decay>
    ],
    "configs/speechbrain/train_conformer.yaml": [],  # AdamW, remove_vector_weight_decay: True
    "configs/asteroid/conf.yml": [
        ("WD201", 17),  # make_optimizer(model.parameters(), **conf["optim"])
        ("WD101", 18),  # optimizer: adam with weight_decay 1e-5
    ],
    "configs/asteroid/conf_no_decay.yml": [],
    "configs/nemo/conformer_ctc_bpe.yaml": [("WD201", 21)],  # ModelPT: self.parameters()
    "configs/nemo/megatron_gpt_config.yaml": [],  # Megatron models group biases and norms themselves
    "configs/hf_trainer/training_args.json": [],  # the Trainer's own no-decay group
    "configs/hf_trainer/training_args_rmsprop.json": [("WD102", 6)],  # optim: rmsprop, coupled L2
    "configs/ultralytics/coco_adam.yaml": [("WD101", 8)],  # Adam: L2 on the weight group
    "configs/ultralytics/coco_adamw.yaml": [],
    "configs/detectron2/Base-RCNN-FPN.yaml": [],  # WEIGHT_DECAY_NORM: 0.0
    "configs/detectron2/mask_rcnn_R_50_FPN_3x_gn.yaml": [],  # SGD decays norms and biases: WD207 (opt-in)
    "configs/gpt_neox/125M.yml": [],  # FusedAdam (decoupled), weight_decay 0.0
    "configs/gpt_neox/1-3B_l2.yml": [("WD101", 7)],  # adam_w_mode: false
    "configs/litgpt/pretrain_tinyllama.yaml": [("WD201", 16)],  # model.parameters()
    "configs/litgpt/lora_llama.yaml": [],
    "configs/torchtune/llama3_2_1B_lora_single_device.yaml": [],
    "configs/torchtune/llama3_2_1B_full_radam.yaml": [
        ("WD101", 31),  # _component_: torch.optim.RAdam without decoupled_weight_decay
    ],
    "configs/deepspeed/ds_config_zero2.json": [],
    "configs/deepspeed/ds_config.json": [
        ("WD204", 6),  # adam_w_mode beside "type": DeepSpeed only reads it inside "params"
    ],
    "configs/deepspeed/ds_config_l2.json": [
        ("WD201", 3),  # train.py's --deepspeed_config default: initialize(model_parameters=model.parameters())
        ("WD101", 4),  # "type": "Adam" with "params": {"adam_w_mode": false, "weight_decay": 0.01}
    ],
    # consumes ds_config_l2.json over every param, ds_config_zero2.json over param groups
    "configs/deepspeed/train.py": [],
    "configs/mmpretrain/_base_/default_runtime.py": [],
    "configs/mmpretrain/_base_/schedules/imagenet_bs256.py": [],  # SGD: WD207 (opt-in)
    "configs/mmpretrain/_base_/schedules/imagenet_bs1024_adamw_swin.py": [],
    "configs/mmpretrain/swin_transformer/swin-tiny_16xb64_in1k_ft.py": [],
    "configs/mmpretrain/resnet/resnet50_8xb32_in1k_lr0.2.py": [],  # SGD: WD207 (opt-in)
    "configs/mmpretrain/vit/vit-base-p16_8xb64_in1k.py": [
        ("WD201", 12),  # `_delete_=True` drops the base's paramwise_cfg
    ],
}

# what selecting WD207 (opt-in: SGD's classic recipe, decay on every param) adds to the above
SGD_CONVENTION: dict[str, list[tuple[str, int] | tuple[str, int, int]]] = {
    "cnn_sgd.py": [("WD207", 61)],  # optim.SGD(net.parameters(), ..., weight_decay=5e-4)
    "configs/detectron2/mask_rcnn_R_50_FPN_3x_gn.yaml": [("WD207", 11)],  # norms and biases decayed
    "configs/mmpretrain/_base_/schedules/imagenet_bs256.py": [
        ("WD207", 3),  # SGD with weight_decay and no paramwise_cfg
    ],
    "configs/mmpretrain/resnet/resnet50_8xb32_in1k_lr0.2.py": [
        ("WD207", 7),  # merged over imagenet_bs256.py: its SGD and weight_decay, no paramwise_cfg
    ],
    # the notebook's SGD baseline in cell 14 carries a noqa comment for WD207
}


def _run(*options: str) -> tuple[int, list[dict[str, object]]]:
    from wdlint.cli import cli  # imported here so a broken CLI fails these tests, not collection

    result = CliRunner().invoke(
        cli, ["check", "--isolated", "--output-format", "json", *options, str(FIXTURES)]
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, json.loads(result.stdout)


def test_every_fixture_has_expectations() -> None:
    found = {p.relative_to(FIXTURES).as_posix() for pattern in DEFAULT_INCLUDE for p in FIXTURES.rglob(pattern)}
    assert found == set(EXPECTED)


def _found(diagnostics: list[dict[str, object]]) -> Counter[tuple[str, str, int, object]]:
    return Counter(
        (
            Path(str(d["filename"])).relative_to(FIXTURES).as_posix(),
            str(d["code"]),
            int(d["location"]["row"]),  # type: ignore[index]
            d["cell"],
        )
        for d in diagnostics
    )


def _expected(*tables: dict[str, list[tuple[str, int] | tuple[str, int, int]]]) -> Counter[tuple[str, str, int, object]]:
    return Counter(
        (name, finding[0], finding[1], finding[2] if len(finding) == 3 else None)
        for table in tables
        for name, findings in table.items()
        for finding in findings
    )


def test_fixture_findings() -> None:
    exit_code, diagnostics = _run()
    assert sorted(_found(diagnostics).elements()) == sorted(_expected(EXPECTED).elements())
    assert exit_code == 1


def test_fixture_findings_with_the_sgd_convention_selected() -> None:
    _, diagnostics = _run("--extend-select", "WD207")
    assert sorted(_found(diagnostics).elements()) == sorted(_expected(EXPECTED, SGD_CONVENTION).elements())
