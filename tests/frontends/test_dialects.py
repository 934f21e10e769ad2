"""Frameworks' config files read the way the framework reads them (wdlint/frontends/dialects/,
wdlint/knowledge/frameworks.py): which class a name is, where weight_decay is, and which params
the framework hands the optimizer. Each convention fires where the framework decays what it
should not, and stays quiet where the framework groups params itself or nothing decays."""

from __future__ import annotations

import textwrap

import pytest

from wdlint.engine.lint import lint_bytes
from wdlint.engine.runner import LintOptions

OPTIONS = LintOptions.from_selection(["ALL"])


def diagnostics(text: str, name: str) -> list[tuple[str, int, int, str]]:
    result = lint_bytes(textwrap.dedent(text).lstrip("\n").encode(), name, OPTIONS)
    return [(d.code, d.location.row, d.location.column, d.message) for d in result.diagnostics]


def lint(text: str, name: str = "config.yaml") -> list[tuple[str, int, int]]:
    return [(code, row, column) for code, row, column, _ in diagnostics(text, name)]


SPEECHBRAIN = """
seed: 1234
__set_seed: !apply:torch.manual_seed [!ref <seed>]
output_folder: !ref results/<seed>
data_folder: !PLACEHOLDER
lr: 0.001
wd: 0.0001
model: !new:speechbrain.lobes.models.CRDNN.CRDNN
    input_shape: [null, null, 40]
modules:
    model: !ref <model>
opt_class: !name:torch.optim.Adam
    lr: !ref <lr>
    weight_decay: !ref <wd>
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    (
        pytest.param(SPEECHBRAIN, [("WD201", 11, 1), ("WD101", 11, 12)], id="Brain's opt_class: every param, coupled"),
        pytest.param(
            SPEECHBRAIN.replace("torch.optim.Adam", "torch.optim.AdamW"), [("WD201", 11, 1)], id="AdamW: every param"
        ),
        pytest.param(
            SPEECHBRAIN.replace("torch.optim.Adam", "torch.optim.AdamW") + "remove_vector_weight_decay: True\n",
            [],
            id="AdamW with the run option that groups vectors out of decay",
        ),
        pytest.param(SPEECHBRAIN.replace("wd: 0.0001", "wd: 0.0"), [], id="a reference to zero decay"),
        pytest.param(
            SPEECHBRAIN.replace("weight_decay: !ref <wd>", "weight_decay: !ref <wd> * 2"),
            [("WD201", 11, 1), ("WD101", 11, 12)],
            id="an expression: a decay we cannot read counts",
        ),
        pytest.param(
            "adam_opt_class: !name:torch.optim.Adam\n    lr: 0.001\n    weight_decay: 0.01\n",
            [("WD101", 1, 17)],
            id="another key: the recipe's own init_optimizers passes the params",
        ),
        pytest.param(
            "opt: !new:torch.optim.Adam\n    params: !ref <model>\n    weight_decay: 0.01\n",
            [("WD101", 1, 6)],
            id="!new: constructs it with params we cannot read",
        ),
        pytest.param("opt_class: !name:torch.optim.Adam\n", [], id="no arguments: Adam's default 0"),
        pytest.param("opt_class: !name:torch.optim.Adam [0.001, [0.9, 0.999], 1.0e-8, 0.1]\n",
                     [("WD201", 1, 1), ("WD101", 1, 12)], id="positional arguments, bound as Adam's signature"),
        pytest.param("opt_class: !name:torch.optim.Adam [0.001]\n", [], id="positional arguments without decay"),
        pytest.param(
            "tokenizer: !new:sentencepiece.SentencePieceProcessor\ncopy: !copy <tokenizer>\nt: !tuple (1, 2)\n"
            "x: !include:other.yaml\nweight_decay: 0.1\n",
            [],
            id="tags without an optimizer: valid, nothing",
        ),
    ),
)
def test_speechbrain_hparams(text: str, expected: list[tuple[str, int, int]]) -> None:
    assert lint(text, "hparams.yaml") == expected


def test_speechbrain_message_names_the_convention() -> None:
    messages = {code: message for code, _, _, message in diagnostics(SPEECHBRAIN, "train.yaml")}
    assert "`Brain.init_optimizers` calls `opt_class(self.modules.parameters())`" in messages["WD201"]
    assert "remove_vector_weight_decay: True" in messages["WD201"]
    assert "weight_decay=`!ref <wd>` = 0.0001" in messages["WD101"]


def test_a_hyperpyyaml_file_is_never_a_parse_error() -> None:
    text = "a: !new:os.system ['echo pwned']\nb: !apply:os.system ['x']\nc: !ref <a>\nopt_class: !name:torch.optim.Adam\n"
    assert lint(text) == []


LIGHTNING = """
trainer:
  max_epochs: 10
model:
  class_path: my_project.LitModel
optimizer:
  class_path: torch.optim.AdamW
  init_args:
    lr: 0.001
    weight_decay: {wd}
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    (
        pytest.param(LIGHTNING.format(wd=0.05), [("WD201", 5, 1)], id="LightningCLI: self.model.parameters()"),
        pytest.param(LIGHTNING.format(wd=0.0), [("WD303", 6, 15)], id="LightningCLI: AdamW decaying nothing"),
        pytest.param("trainer: {max_epochs: 1}\noptimizer: AdamW\n", [("WD201", 2, 1), ("WD104", 2, 12)],
                     id="LightningCLI shorthand: AdamW's default 0.01 on every param"),
        pytest.param(
            "model:\n  class_path: m.Lit\n  init_args:\n    optimizer:\n      class_path: torch.optim.AdamW\n"
            "      init_args: {weight_decay: 0.1}\n",
            [],
            id="an optimizer injected into the model: the model picks the params",
        ),
        pytest.param(
            "optimizer:\n  class_path: torch.optim.AdamW\n  init_args: {weight_decay: 0.1}\n",
            [],
            id="no framework told: params unknown",
        ),
        pytest.param(
            "fit:\n  trainer: {max_epochs: 3}\n  optimizer:\n    class_path: torch.optim.Adam\n"
            "    init_args: {weight_decay: 0.01}\n",
            [("WD201", 3, 3), ("WD101", 4, 17)],
            id="LightningCLI: a subcommand's config",
        ),
        pytest.param(
            "out_dir: out/pretrain\ntrain: {max_tokens: 1000}\noptimizer:\n  class_path: torch.optim.AdamW\n"
            "  init_args: {lr: 0.0004, weight_decay: 0.1}\n",
            [("WD201", 3, 1)],
            id="LitGPT pretrain: model.parameters()",
        ),
        pytest.param(
            "checkpoint_dir: checkpoints/x\nlora_r: 8\noptimizer:\n  class_path: torch.optim.AdamW\n"
            "  init_args: {weight_decay: 0.1}\n",
            [],
            id="LitGPT LoRA: only the LoRA matrices train",
        ),
    ),
)
def test_lightning_cli_and_litgpt(text: str, expected: list[tuple[str, int, int]]) -> None:
    assert lint(text) == expected


ASTEROID = "training: {epochs: 200, batch_size: 24}\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    (
        pytest.param(ASTEROID + "optim:\n  optimizer: adam\n  lr: 0.001\n  weight_decay: 1.0e-5\n", [("WD201", 2, 1), ("WD101", 3, 14)],
                     id="asteroid adam"),
        pytest.param(ASTEROID + "optim:\n  optimizer: AdamW\n  weight_decay: 0.01\n", [("WD201", 2, 1)], id="asteroid names any case"),
        pytest.param(ASTEROID + "optim:\n  optimizer: adamw\n", [("WD201", 2, 1), ("WD104", 3, 14)], id="asteroid adamw's default"),
        pytest.param(ASTEROID + "optim:\n  optimizer: adam\n  weight_decay: 0.\n", [], id="asteroid without decay"),
        pytest.param("optim:\n  optimizer: adam\n  weight_decay: 1.0e-5\n", [("WD101", 2, 14)],
                     id="an optim section of no known recipe: params unknown"),
        pytest.param("optim:\n  name: adamw\n  weight_decay: 0.1\n", [], id="NeMo-like, not under model: unknown"),
        pytest.param(ASTEROID + "optim:\n  optimizer: ranger\n  weight_decay: 0.1\n", [], id="asteroid: torch_optimizer's, unknown"),
        pytest.param(
            "model:\n  optim:\n    name: adamw\n    lr: 2.0\n    weight_decay: 1e-3\n    sched: {name: NoamAnnealing}\n",
            [("WD201", 2, 3)],
            id="NeMo: self.parameters()",
        ),
        pytest.param("model:\n  optim:\n    name: adam\n    weight_decay: 0.001\n", [("WD201", 2, 3), ("WD101", 3, 11)],
                     id="NeMo adam"),
        pytest.param(
            "model:\n  tensor_model_parallel_size: 2\n  optim:\n    name: fused_adam\n    weight_decay: 0.01\n",
            [],
            id="NeMo Megatron: its own grouping",
        ),
        pytest.param("model:\n  optim:\n    name: novograd\n    weight_decay: 0.001\n", [], id="NeMo novograd: unknown"),
        pytest.param(
            "model:\n  optim:\n    name: RAdam\n    lr: 1e-4\n    weight_decay: 1e-6\n",
            [],
            id="NeMo: a name its registry lacks is the model's own (RadTTS's decoupled RAdam), not torch's",
        ),
        pytest.param(
            ASTEROID + "optim:\n  optimizer: RAdam\n  weight_decay: 0.1\n",
            [],
            id="asteroid: a name its registry lacks is not read as torch's either",
        ),
        pytest.param("model:\n  optim:\n    name: adamw\n    lr: 0.001\n", [("WD201", 2, 3), ("WD104", 3, 11)],
                     id="NeMo adamw: torch's default 0.01"),
    ),
)
def test_asteroid_and_nemo(text: str, expected: list[tuple[str, int, int]]) -> None:
    assert lint(text) == expected


@pytest.mark.parametrize(
    ("text", "name", "expected"),
    (
        pytest.param('{"output_dir": "o", "optim": "adamw_torch", "weight_decay": 0.01}', "args.json", [],
                     id="HF: AdamW, the Trainer's own groups"),
        pytest.param('{"output_dir": "o", "optim": "adagrad", "weight_decay": 0.01}', "args.json", [("WD102", 1, 30)],
                     id="HF adagrad: coupled L2 through Adagrad"),
        pytest.param("output_dir: o\noptim: rmsprop\n", "args.yaml", [], id="HF: weight_decay defaults to 0.0"),
        pytest.param("task: detect\nlr0: 0.01\noptimizer: Adam\nweight_decay: 0.0005\n", "u.yaml", [("WD101", 3, 12)],
                     id="ultralytics Adam: coupled on the weight group"),
        pytest.param("imgsz: 640\noptimizer: Adam\n", "u.yaml", [("WD101", 2, 12)], id="ultralytics default 0.0005"),
        pytest.param("lr0: 0.01\noptimizer: AdamW\nweight_decay: 0.05\n", "u.yaml", [], id="ultralytics AdamW"),
        pytest.param("lr0: 0.01\noptimizer: auto\nweight_decay: 0.0005\n", "u.yaml", [], id="ultralytics auto: unknown"),
        pytest.param("lr0: 0.01\noptimizer: Adam\nweight_decay: 0.0\n", "u.yaml", [], id="ultralytics no decay"),
        pytest.param(
            '{"num_layers": 2, "optimizer": {"type": "Adam", "params": {"lr": 0.0006}}, "weight_decay": 0.1}',
            "neox.yml", [], id="gpt-neox Adam: FusedAdam, decoupled, own groups",
        ),
        pytest.param(
            '{"num_layers": 2, "optimizer": {"type": "Adam", "params": {"adam_w_mode": false}}, "weight_decay": 0.1}',
            "neox.yml", [("WD101", 1, 41)], id="gpt-neox with adam_w_mode off",
        ),
        pytest.param(
            "SOLVER:\n  WEIGHT_DECAY: 0.0001\n  WEIGHT_DECAY_NORM: 0.0001\n", "d2.yaml", [("WD207", 1, 1)],
            id="detectron2: norms decayed, biases by WEIGHT_DECAY",
        ),
        pytest.param("SOLVER:\n  WEIGHT_DECAY: 0.0001\n  WEIGHT_DECAY_NORM: 0.0\n", "d2.yaml", [], id="detectron2 default"),
        pytest.param(
            "SOLVER:\n  WEIGHT_DECAY_NORM: 0.0001\n  WEIGHT_DECAY_BIAS: 0.0\n", "d2.yaml", [], id="detectron2: biases exempt"
        ),
    ),
)
def test_trainers(text: str, name: str, expected: list[tuple[str, int, int]]) -> None:
    assert lint(text, name) == expected


@pytest.mark.parametrize(
    ("text", "name", "expected"),
    (
        pytest.param('{"optimizer": "adam", "weight_decay": 1e-5}', "c.json", [("WD101", 1, 15)], id="json"),
        pytest.param("train:\n  opt: Adam\n  weight_decay: 0.1\n", "c.yaml", [("WD101", 2, 8)], id="torch class name"),
        pytest.param("solver: {type: torch.optim.RAdam, weight_decay: 0.1}\n", "c.yaml", [("WD101", 1, 16)], id="full path"),
        pytest.param("optimizer: {name: adam}\n", "c.yaml", [], id="no weight_decay key: no decay"),
        pytest.param("optimizer: {name: adamw, weight_decay: 0.01}\n", "c.yaml", [], id="AdamW: decoupled"),
        pytest.param("optimizer: {name: adam, weight_decay: 0}\n", "c.yaml", [], id="zero decay"),
        pytest.param(
            "runs:\n  - name: adam\n    seed: 1\n  - name: sgd\nweight_decay: 0.1\n", "c.yaml", [],
            id="unrelated name keys: the decay is not beside them",
        ),
        pytest.param('{"name": "adam-experiment", "weight_decay": 0.1}', "c.json", [], id="a name that is no optimizer"),
        pytest.param('{"data": {"name": "adam"}}', "c.json", [], id="JSON without decay: not read"),
    ),
)
def test_generic_optimizer_mappings(text: str, name: str, expected: list[tuple[str, int, int]]) -> None:
    assert lint(text, name) == expected


def test_generic_message_says_the_params_are_unknown() -> None:
    [(_, _, _, message)] = diagnostics('{"optimizer": "adam", "weight_decay": 1e-5}', "c.json")
    assert message.endswith("; which params it gets is up to the code that reads this config")
