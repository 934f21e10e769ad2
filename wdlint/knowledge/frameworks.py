"""How frameworks that build the optimizer from a config file read it: data, one entry each.

An entry says which class a name in the config resolves to (`names`, and whether a bare class
name falls back to `torch.optim`), which keys carry weight_decay and its default when the key
is absent, and which params the framework hands the optimizer (`Params`): every parameter of
the model (WD201 then applies to the config itself, reported where the optimizer is named),
the framework's own groups with biases and norms undecayed (quiet for WD201), or unknown (the
code that reads the config decides). Recognizing a framework's file is the front-ends' job
(`wdlint/frontends/dialects/`); what the framework does with it is written here, with where
its behaviour was read.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from types import MappingProxyType

from wdlint.knowledge.optimizers import TORCH_OPTIMIZERS, OptimizerSpec, lookup
from wdlint.records import Record

TYPE_CHECKING = False  # `typing` is for type checkers: the hook never imports it (docs/architecture.md)
if TYPE_CHECKING:
    from typing import Final


class Params(Enum):
    EVERY = "every"  # every parameter of the model, in one flat iterable: WD201 applies
    OWN_GROUPS = "own groups"  # the framework groups them, biases and norms without decay
    UNKNOWN = "unknown"  # the code that reads the config passes them


# What WD101's message adds for an optimizer named in a config whose params no convention tells.
PARAMS_UNKNOWN_NOTE: Final = "which params it gets is up to the code that reads this config"


class Convention(Record):
    name: str  # the framework, as messages name it
    reference: str  # where its behaviour was read
    params: Params = Params.UNKNOWN
    passes: str = ""  # EVERY: the expression the framework passes, as its code writes it
    by: str = ""  # EVERY: which code passes it, as a clause
    remedy: str = ""  # EVERY: how to keep biases and norms out of decay in this framework
    names: Mapping[str, str] = MappingProxyType({})  # registry name -> qualified class
    case_insensitive: bool = False  # the registry lower-cases the name first
    torch_names: bool = False  # a bare class name is looked up in torch.optim
    full_paths: bool = False  # a dotted path names the class itself
    decay_key: str = "weight_decay"
    # the framework's own weight_decay when the key is absent (None: the class default)
    default_decay: float | None = None
    # names whose class the framework builds decoupled whatever the class's default says
    decoupled_names: frozenset[str] = frozenset()

    def resolve(self, name: str) -> tuple[OptimizerSpec, str] | None:
        """The spec and qualified name of the class `name` resolves to under this convention."""
        key = name.lower() if self.case_insensitive else name
        qualified = self.names.get(key)
        if qualified is None and self.full_paths and "." in name:
            qualified = name
        if qualified is None and self.torch_names and "." not in name:
            qualified = f"torch.optim.{name}"
        spec = lookup(qualified) if qualified is not None else None
        return (spec, qualified) if spec is not None and qualified is not None else None

    @property
    def hands_every_param(self) -> str:
        """For WD201's message: which code gives the optimizer every parameter."""
        return f"{self.name}: {self.by}"


def _torch(*names: str) -> dict[str, str]:
    return {name.lower(): f"torch.optim.{name}" for name in names}


_TORCH_LOWER: Final = {spec.short_name.lower(): spec.name for spec in TORCH_OPTIMIZERS}

# HyperPyYAML (SpeechBrain): `opt_class: !name:torch.optim.Adam {lr: ..., weight_decay: ...}` is
# a partial of the class; `speechbrain.core.Brain.init_optimizers` calls
# `self.opt_class(self.modules.parameters())` (read in speechbrain 1.1.2's core.py), unless the
# run option `remove_vector_weight_decay` (settable in the hparams file, utils/run_opts.py)
# makes it `rm_vector_weight_decay(self.modules)`: 1-D params in a group with weight_decay 0.
SPEECHBRAIN: Final = Convention(
    "SpeechBrain",
    "speechbrain/core.py Brain.init_optimizers; speechbrain/utils/optimizers.py rm_vector_weight_decay",
    Params.EVERY,
    passes="self.modules.parameters()",
    by="`Brain.init_optimizers` calls `opt_class(self.modules.parameters())` unless the recipe overrides it",
    remedy="set `remove_vector_weight_decay: True` in the hparams file",
    full_paths=True,
)
SPEECHBRAIN_OPT_CLASS_KEY: Final = "opt_class"  # the hparams key recipes hand to Brain
SPEECHBRAIN_GROUPING_KEY: Final = "remove_vector_weight_decay"
# HyperPyYAML tags that name a callable: `!new:` constructs it, `!name:` is its partial
HYPERPYYAML_CLASS_TAGS: Final = ("!new:", "!name:")
HYPERPYYAML_REF_TAG: Final = "!ref"

# LightningCLI: a top-level `optimizer:` (a class path, `{class_path, init_args}` or a bare
# torch name) is 'AUTOMATIC': `LightningCLI._add_configure_optimizers_method_to_model` calls
# `instantiate_class(self.model.parameters(), optimizer_init)` and replaces the model's own
# configure_optimizers (pytorch_lightning/cli.py, 2.6).
LIGHTNING_CLI: Final = Convention(
    "LightningCLI",
    "pytorch_lightning/cli.py LightningCLI._add_configure_optimizers_method_to_model",
    Params.EVERY,
    passes="self.model.parameters()",
    by="its automatic `configure_optimizers` builds a top-level `optimizer:` over `self.model.parameters()`",
    remedy="implement `configure_optimizers` with param groups and drop `optimizer:` from the config",
    torch_names=True,
    full_paths=True,
)
LIGHTNING_CLI_KEYS: Final = ("trainer", "model", "data")  # sections: `trainer:`, or a class_path

# LitGPT's config_hub: `optimizer:` is a class name or `{class_path, init_args}`;
# `litgpt.utils.instantiate_torch_optimizer(optimizer, model.parameters())` in pretrain.py and
# every finetune/*.py (litgpt 0.5.13). LoRA configs (`lora_*` keys) freeze all but the LoRA
# matrices, so decay reaches no bias or norm there.
LITGPT: Final = Convention(
    "LitGPT",
    "litgpt/utils.py instantiate_torch_optimizer; litgpt/pretrain.py, litgpt/finetune/full.py",
    Params.EVERY,
    passes="model.parameters()",
    by="`pretrain` and `finetune` call `instantiate_torch_optimizer(optimizer, model.parameters())`",
    remedy="LitGPT has no no-decay group option: use weight_decay 0 or a script that builds param groups",
    torch_names=True,
    full_paths=True,
)
LITGPT_KEYS: Final = frozenset({"checkpoint_dir", "model_name", "out_dir", "initial_checkpoint_dir"})
LITGPT_FROZEN_PREFIX: Final = "lora_"

# asteroid: `optim: {optimizer: adam, lr: ..., weight_decay: ...}` in conf.yml; recipes call
# `make_optimizer(model.parameters(), **conf["optim"])`, which looks the name up
# case-insensitively among its imports: torch's Adam, RMSprop, SGD, Adadelta, Adagrad, Adamax,
# AdamW, ASGD and torch_optimizer's (asteroid/engine/optimizers.py `get`).
ASTEROID: Final = Convention(
    "asteroid",
    "asteroid/engine/optimizers.py make_optimizer/get; recipes' train.py",
    Params.EVERY,
    passes="model.parameters()",
    by="its recipes call `make_optimizer(model.parameters(), **conf['optim'])`",
    remedy="pass param groups to `make_optimizer` instead of `model.parameters()`",
    names=_torch("Adam", "RMSprop", "SGD", "Adadelta", "Adagrad", "Adamax", "AdamW", "ASGD"),
    case_insensitive=True,
)
ASTEROID_SECTION: Final = "optim"  # at the top, beside `training:` (every recipe's conf.yml)
ASTEROID_SIBLING: Final = "training"
ASTEROID_NAME_KEY: Final = "optimizer"

# NeMo: `model.optim: {name: adamw, lr, weight_decay, sched: ...}`; `ModelPT.setup_optimization`
# looks `name` up in AVAILABLE_OPTIMIZERS (nemo/core/optim/optimizers.py, exact names) and
# passes `self._optimizer_param_groups`, which `ModelPT.setup_optimizer_param_groups` makes
# `[{"params": self.parameters()}]`; Megatron models override it with their own weight-decay
# grouping (`tensor_model_parallel_size` in the model config), and `optim_param_groups` sets
# groups by module.
NEMO: Final = Convention(
    "NeMo",
    "nemo/core/optim/optimizers.py AVAILABLE_OPTIMIZERS; nemo/core/classes/modelPT.py setup_optimization",
    Params.EVERY,
    passes="self.parameters()",
    by="`ModelPT.setup_optimizer_param_groups` gives the optimizer `self.parameters()`",
    remedy="override `setup_optimizer_param_groups` with a no-decay group for biases and norms",
    names={
        **_torch("SGD", "Adam", "AdamW", "Adadelta", "Adamax", "Adagrad", "RMSprop", "Rprop"),
        "fused_adam": "apex.optimizers.FusedAdam",
    },
)
NEMO_PARENT: Final = "model"  # NeMo reads `cfg.model.optim`
NEMO_SECTION: Final = "optim"
NEMO_NAME_KEY: Final = "name"
NEMO_OWN_GROUPS_KEYS: Final = frozenset({"tensor_model_parallel_size", "optim_param_groups", "megatron_amp_O2"})

# Hugging Face TrainingArguments as YAML/JSON: `optim` (OptimizerNames, default adamw_torch) and
# `weight_decay` (default 0.0); the Trainer decays only `get_decay_parameter_names` (no bias,
# no LayerNorm/RMSNorm) (transformers/training_args.py, trainer.py, trainer_optimizer.py).
HF_TRAINER: Final = Convention(
    "Hugging Face Trainer",
    "transformers/training_args.py OptimizerNames; trainer.py get_decay_parameter_names; trainer_optimizer.py",
    Params.OWN_GROUPS,
    names={
        **dict.fromkeys(
            ("adamw_torch", "adamw_torch_fused", "adamw_torch_xla", "adamw_torch_npu_fused", "adamw_hf"),
            "torch.optim.AdamW",
        ),
        "adamw_apex_fused": "apex.optimizers.FusedAdam",
        "adafactor": "torch.optim.Adafactor",
        "sgd": "torch.optim.SGD",
        "adagrad": "torch.optim.Adagrad",
        "rmsprop": "torch.optim.RMSprop",
        **dict.fromkeys(("adamw_bnb_8bit", "adamw_8bit"), "bitsandbytes.optim.AdamW8bit"),
        "paged_adamw_32bit": "bitsandbytes.optim.PagedAdamW32bit",
        "paged_adamw_8bit": "bitsandbytes.optim.PagedAdamW8bit",
    },
    default_decay=0.0,
)
HF_TRAINER_KEYS: Final = frozenset({"output_dir", "per_device_train_batch_size", "num_train_epochs", "gradient_accumulation_steps"})
HF_TRAINER_NAME_KEY: Final = "optim"
HF_TRAINER_DEFAULT_OPTIM: Final = "adamw_torch"

# ultralytics: `optimizer:` (SGD, MuSGD, Adam, Adamax, AdamW, NAdam, RAdam, RMSProp, auto) and
# `weight_decay` (default.yaml: 0.0005). `BaseTrainer.build_optimizer` puts biases and norm
# weights in groups with weight_decay 0 and the other weights in one with `weight_decay`, for
# `getattr(torch.optim, name)`: Adam's is then L2 through the adaptive step. `auto` picks by
# the iteration count (ultralytics/engine/trainer.py, 8.4).
ULTRALYTICS: Final = Convention(
    "ultralytics",
    "ultralytics/engine/trainer.py BaseTrainer.build_optimizer; ultralytics/cfg/default.yaml",
    Params.OWN_GROUPS,
    names={name: f"torch.optim.{name}" for name in ("SGD", "Adam", "Adamax", "AdamW", "NAdam", "RAdam", "RMSprop")},
    default_decay=0.0005,
)
ULTRALYTICS_KEYS: Final = frozenset({"lr0", "lrf", "imgsz", "warmup_bias_lr", "box", "cls", "mosaic"})

# gpt-neox (`"optimizer": {"type": ..., "params": {...}}` with a top-level `weight_decay`,
# default 0.01): megatron/training.py get_optimizer groups with
# `get_params_for_weight_decay_optimization` (biases and norms at weight_decay 0) and builds,
# by `type.lower()`, apex's (else DeepSpeed's) FusedAdam for "adam" (adam_w_mode default True,
# the "params" may turn it off), DeepSpeedCPUAdam for "cpu_adam" and for "cpu_torch_adam" too
# (its test `neox_args.optimizer == "cpu_torch_adam"` compares the optimizer dict, so torch's
# Adam is never chosen), mup's MuSGD (torch's SGD) for "sgd" (megatron/training.py, 2025).
GPT_NEOX: Final = Convention(
    "gpt-neox",
    "gpt-neox megatron/training.py get_optimizer; megatron/model/utils.py get_params_for_weight_decay_optimization",
    Params.OWN_GROUPS,
    names={
        "adam": "apex.optimizers.FusedAdam",
        "cpu_torch_adam": "deepspeed.ops.adam.DeepSpeedCPUAdam",
        "cpu_adam": "deepspeed.ops.adam.DeepSpeedCPUAdam",
        "sgd": "torch.optim.SGD",
    },
    case_insensitive=True,
    default_decay=0.01,
)
GPT_NEOX_KEYS: Final = frozenset({"pipe_parallel_size", "model_parallel_size", "num_layers", "hidden_size", "seq_length"})

# detectron2: `SOLVER.WEIGHT_DECAY` (default 1e-4) for `torch.optim.SGD` built by
# `build_optimizer` over `get_default_optimizer_params`: norm layers get `WEIGHT_DECAY_NORM`
# (default 0.0) and biases `WEIGHT_DECAY_BIAS` (default None: WEIGHT_DECAY)
# (detectron2/solver/build.py, detectron2/config/defaults.py).
DETECTRON2: Final = Convention(
    "detectron2",
    "detectron2/solver/build.py build_optimizer, get_default_optimizer_params; config/defaults.py",
    Params.EVERY,
    passes="get_default_optimizer_params(model, weight_decay_norm=..., weight_decay_bias=...)",
    by="`build_optimizer` decays norms by WEIGHT_DECAY_NORM and biases by WEIGHT_DECAY_BIAS (default: WEIGHT_DECAY)",
    remedy="set `WEIGHT_DECAY_NORM: 0.0` and `WEIGHT_DECAY_BIAS: 0.0`",
    names={"SGD": "torch.optim.SGD"},
    decay_key="WEIGHT_DECAY",
    default_decay=0.0001,
)
DETECTRON2_SECTION: Final = "SOLVER"
DETECTRON2_NORM_KEY: Final = "WEIGHT_DECAY_NORM"
DETECTRON2_BIAS_KEY: Final = "WEIGHT_DECAY_BIAS"

# Any other mapping that names an optimizer by a string under one of these keys beside a
# weight_decay: a hand-written registry. Exact qualified paths, torch class names, and their
# lower-case forms (the common `{"adam": torch.optim.Adam, ...}`); params unknown.
GENERIC: Final = Convention(
    "a config",
    "hand-written registries: `{name.lower(): torch.optim class}`",
    Params.UNKNOWN,
    names={**_TORCH_LOWER, **{spec.short_name: spec.name for spec in TORCH_OPTIMIZERS}},
    full_paths=True,
)
GENERIC_NAME_KEYS: Final = (
    "type", "name", "optimizer", "opt", "optim", "optim_class", "torch_optim_class", "optimizer_name",
    "optimizer_type", "opt_name", "optimizer_class", "class_name",
)

ALL_CONVENTIONS: Final = (SPEECHBRAIN, LIGHTNING_CLI, LITGPT, ASTEROID, NEMO, HF_TRAINER, ULTRALYTICS, GPT_NEOX, DETECTRON2, GENERIC)


# mmengine's DefaultOptimWrapperConstructor.add_params (mmengine/optim/optimizer/
# default_constructor.py, mmengine 0.10): a param whose full name `prefix.name` contains a key of
# `paramwise_cfg.custom_keys` (longest key first) gets `weight_decay * decay_mult` (default 1)
# and no other rule; the others get `norm_decay_mult` (norm layers' weight and bias), else
# `bias_decay_mult` (other biases), else `flat_decay_mult` (any other 1-D param). A custom key
# with decay_mult 0 covers every norm or every bias only when it is one of these names (as the
# OpenMMLab configs write them: `'norm'`, `'.bn'`, `'ln'`, `'bias'`); `'pos_embed'`,
# `'cls_token'`, `'head'` cover neither.
MMENGINE_NORM_KEYS: Final = frozenset({"norm", "bn", "ln", "gn", "norm.weight", "norm.bias"})
MMENGINE_BIAS_KEYS: Final = frozenset({"bias"})
