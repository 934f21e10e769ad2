"""What wdlint knows about optimizer classes: data, and lookups over it.

The torch facts were read off torch 2.13's signatures (``inspect.signature``) and source;
``tests/knowledge/test_optimizers_match_torch.py`` checks them against the installed torch.
"""

from __future__ import annotations

from enum import Enum

from wdlint.records import Record

TYPE_CHECKING = False  # `typing` is for type checkers: the hook never imports it (docs/architecture.md)
if TYPE_CHECKING:
    from typing import Final


class Family(Enum):
    """Which coupled-decay rule an optimizer belongs to when its decay is coupled."""

    ADAM = "adam"  # WD101: L2 through Adam's adaptive step
    ADAPTIVE = "adaptive"  # WD102: L2 through another adaptive scale
    SGD = "sgd"  # coupled, but equivalent to decoupled up to lr scaling: no coupling rule
    OTHER = "other"


class OptimizerSpec(Record):
    name: str  # the canonical qualified name, e.g. "torch.optim.Adam"
    family: Family
    takes_weight_decay: bool = True
    default_weight_decay: float | None = 0.0
    decoupled: bool = False  # decoupled with its default options
    # keyword that switches between coupled and decoupled decay, its default is `decoupled`
    decoupled_flag: str | None = None
    decoupled_flag_since: tuple[int, int] | None = None  # torch version that added the flag
    # constructor parameters after `params` that may be passed positionally, in order
    positional: tuple[str, ...] = ()
    keyword_only: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()  # other qualified names of the same class
    matrix_only: bool = False  # the constructor rejects params that are not 2-D (Muon)
    removed: str | None = None  # why the class is gone, for classes removed upstream
    decoupled_alternative: str = "`torch.optim.AdamW`"  # what to use instead when coupled

    @property
    def short_name(self) -> str:
        return self.name.rpartition(".")[2]

    @property
    def group_keys(self) -> frozenset[str]:
        """Keys a param group of this optimizer may carry; others are kept but ignored."""
        return frozenset((*self.positional, *self.keyword_only, *BOOKKEEPING_GROUP_KEYS))

    @property
    def has_nonzero_default(self) -> bool:
        return bool(self.default_weight_decay)


# Keys torch keeps in every param group besides the options: which params it holds (and their
# names), and the lr a scheduler started from.
BOOKKEEPING_GROUP_KEYS: Final = frozenset({"params", "param_names", "initial_lr"})

_ADAM_POSITIONAL: Final = ("lr", "betas", "eps", "weight_decay", "amsgrad")
_ADAM_KEYWORD_ONLY: Final = ("foreach", "maximize", "capturable", "differentiable", "fused")

TORCH_OPTIMIZERS: Final[tuple[OptimizerSpec, ...]] = (
    OptimizerSpec(
        "torch.optim.Adam",
        Family.ADAM,
        decoupled_flag="decoupled_weight_decay",
        decoupled_flag_since=(2, 7),
        positional=_ADAM_POSITIONAL,
        keyword_only=(*_ADAM_KEYWORD_ONLY, "decoupled_weight_decay"),
        aliases=("torch.optim.adam.Adam",),
    ),
    OptimizerSpec(
        "torch.optim.AdamW",
        Family.ADAM,
        default_weight_decay=0.01,
        decoupled=True,
        positional=_ADAM_POSITIONAL,
        keyword_only=_ADAM_KEYWORD_ONLY,
        aliases=("torch.optim.adamw.AdamW",),
    ),
    OptimizerSpec(
        "torch.optim.Adamax",
        Family.ADAM,
        positional=("lr", "betas", "eps", "weight_decay", "foreach"),
        keyword_only=("maximize", "differentiable", "capturable"),
        aliases=("torch.optim.adamax.Adamax",),
    ),
    OptimizerSpec(
        "torch.optim.NAdam",
        Family.ADAM,
        decoupled_flag="decoupled_weight_decay",
        decoupled_flag_since=(2, 1),
        positional=(
            "lr", "betas", "eps", "weight_decay", "momentum_decay", "decoupled_weight_decay"
        ),
        keyword_only=("foreach", "maximize", "capturable", "differentiable"),
        aliases=("torch.optim.nadam.NAdam",),
    ),
    OptimizerSpec(
        "torch.optim.RAdam",
        Family.ADAM,
        decoupled_flag="decoupled_weight_decay",
        decoupled_flag_since=(2, 2),
        positional=("lr", "betas", "eps", "weight_decay", "decoupled_weight_decay"),
        keyword_only=("foreach", "maximize", "capturable", "differentiable"),
        aliases=("torch.optim.radam.RAdam",),
    ),
    OptimizerSpec(
        "torch.optim.Adagrad",
        Family.ADAPTIVE,
        positional=(
            "lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps", "foreach"
        ),
        keyword_only=("maximize", "differentiable", "fused"),
        aliases=("torch.optim.adagrad.Adagrad",),
    ),
    OptimizerSpec(
        "torch.optim.Adadelta",
        Family.ADAPTIVE,
        positional=("lr", "rho", "eps", "weight_decay", "foreach"),
        keyword_only=("capturable", "maximize", "differentiable"),
        aliases=("torch.optim.adadelta.Adadelta",),
    ),
    OptimizerSpec(
        "torch.optim.RMSprop",
        Family.ADAPTIVE,
        positional=(
            "lr", "alpha", "eps", "weight_decay", "momentum", "centered", "capturable",
            "foreach", "maximize", "differentiable",
        ),
        aliases=("torch.optim.rmsprop.RMSprop",),
    ),
    OptimizerSpec(
        "torch.optim.SGD",
        Family.SGD,
        positional=("lr", "momentum", "dampening", "weight_decay", "nesterov"),
        keyword_only=("maximize", "foreach", "differentiable", "fused"),
        aliases=("torch.optim.sgd.SGD",),
    ),
    OptimizerSpec(
        "torch.optim.ASGD",
        Family.SGD,
        positional=(
            "lr", "lambd", "alpha", "t0", "weight_decay", "foreach", "maximize",
            "differentiable", "capturable",
        ),
        aliases=("torch.optim.asgd.ASGD",),
    ),
    OptimizerSpec(
        "torch.optim.Adafactor",
        Family.OTHER,
        decoupled=True,
        positional=("lr", "beta2_decay", "eps", "d", "weight_decay"),
        keyword_only=("foreach", "maximize"),
        aliases=("torch.optim._adafactor.Adafactor",),
    ),
    OptimizerSpec(
        "torch.optim.Muon",
        Family.OTHER,
        default_weight_decay=0.1,
        decoupled=True,
        positional=(
            "lr", "weight_decay", "momentum", "nesterov", "ns_coefficients", "eps",
            "ns_steps", "adjust_lr_fn",
        ),
        aliases=("torch.optim._muon.Muon",),
        matrix_only=True,
    ),
    OptimizerSpec(
        "torch.optim.SparseAdam",
        Family.OTHER,
        takes_weight_decay=False,
        default_weight_decay=None,
        positional=("lr", "betas", "eps", "maximize"),
        aliases=("torch.optim.sparse_adam.SparseAdam",),
    ),
    OptimizerSpec(
        "torch.optim.Rprop",
        Family.OTHER,
        takes_weight_decay=False,
        default_weight_decay=None,
        positional=("lr", "etas", "step_sizes"),
        keyword_only=("capturable", "foreach", "maximize", "differentiable"),
        aliases=("torch.optim.rprop.Rprop",),
    ),
    OptimizerSpec(
        "torch.optim.LBFGS",
        Family.OTHER,
        takes_weight_decay=False,
        default_weight_decay=None,
        positional=(
            "lr", "max_iter", "max_eval", "tolerance_grad", "tolerance_change",
            "history_size", "line_search_fn",
        ),
        aliases=("torch.optim.lbfgs.LBFGS",),
    ),
)


def _bnb(name: str, *, decay: float, paged: bool) -> OptimizerSpec:
    # bitsandbytes' Adam and AdamW run the same kernel, which decays decoupled; only the
    # default weight_decay differs. Paged variants take no `is_paged` argument.
    positional: tuple[str, ...] = ("lr", "betas", "eps", "weight_decay", "amsgrad", "optim_bits", "args",
                  "min_8bit_size", "percentile_clipping", "block_wise")
    if not paged:
        positional = (*positional, "is_paged")
    module = "adamw" if "AdamW" in name else "adam"
    return OptimizerSpec(
        f"bitsandbytes.optim.{name}",
        Family.ADAM,
        default_weight_decay=decay,
        decoupled=True,
        positional=positional,
        aliases=(f"bitsandbytes.optim.{module}.{name}",),
    )


THIRD_PARTY_OPTIMIZERS: Final[tuple[OptimizerSpec, ...]] = (
    *(
        _bnb(f"{prefix}Adam{bits}", decay=0.0, paged=prefix == "Paged")
        for prefix in ("", "Paged")
        for bits in ("", "8bit", "32bit")
    ),
    *(
        _bnb(f"{prefix}AdamW{bits}", decay=0.01, paged=prefix == "Paged")
        for prefix in ("", "Paged")
        for bits in ("", "8bit", "32bit")
    ),
    OptimizerSpec(
        "transformers.AdamW",
        Family.ADAM,
        default_weight_decay=0.0,
        decoupled=True,
        positional=("lr", "betas", "eps", "weight_decay", "correct_bias", "no_deprecation_warning"),
        aliases=("transformers.optimization.AdamW",),
        removed="transformers.AdamW was deprecated and removed in transformers 4.50",
    ),
    OptimizerSpec(
        "apex.optimizers.FusedAdam",
        Family.ADAM,
        decoupled=True,
        decoupled_flag="adam_w_mode",
        positional=("lr", "bias_correction", "betas", "eps", "adam_w_mode", "weight_decay",
                    "amsgrad", "set_grad_none", "capturable", "master_weights"),
        aliases=("apex.optimizers.fused_adam.FusedAdam",),
    ),
    OptimizerSpec(
        "deepspeed.ops.adam.FusedAdam",
        Family.ADAM,
        decoupled=True,
        decoupled_flag="adam_w_mode",
        positional=("lr", "bias_correction", "betas", "eps", "adam_w_mode", "weight_decay",
                    "amsgrad", "set_grad_none"),
        aliases=("deepspeed.ops.adam.fused_adam.FusedAdam",),
    ),
    OptimizerSpec(
        "deepspeed.ops.adam.DeepSpeedCPUAdam",
        Family.ADAM,
        decoupled=True,
        decoupled_flag="adamw_mode",
        positional=("lr", "bias_correction", "betas", "eps", "weight_decay", "amsgrad",
                    "adamw_mode", "fp32_optimizer_states"),
        aliases=("deepspeed.ops.adam.cpu_adam.DeepSpeedCPUAdam",),
    ),
)

ALL_OPTIMIZERS: Final[tuple[OptimizerSpec, ...]] = (*TORCH_OPTIMIZERS, *THIRD_PARTY_OPTIMIZERS)

_BY_QUALIFIED_NAME: Final[dict[str, OptimizerSpec]] = {
    qualified: spec for spec in ALL_OPTIMIZERS for qualified in (spec.name, *spec.aliases)
}

# Packages whose names a qualified name must start with to be one of ours; a name from
# anywhere else (a user's own `class Adam`) is never looked up further.
KNOWN_ROOTS: Final[frozenset[str]] = frozenset(
    {*(name.partition(".")[0] for name in _BY_QUALIFIED_NAME), "timm", "peft"}
)


def lookup(qualified_name: str) -> OptimizerSpec | None:
    return _BY_QUALIFIED_NAME.get(qualified_name)


def class_names() -> frozenset[str]:
    """The bare class names of every known optimizer, for the byte-level prefilter."""
    return frozenset(q.rpartition(".")[2] for q in _BY_QUALIFIED_NAME)


# Param-group keys that people write meaning an option the optimizer has, but that torch keeps
# and ignores: TensorFlow/Flax/HF names and shorthands. Other unknown keys ("name", "lr_scale",
# "layer_id") are legitimate bookkeeping read by schedulers and loggers, and are not reported.
GROUP_KEY_ALIASES: Final[dict[str, str]] = {
    "weight_decay_rate": "weight_decay",
    "weightdecay": "weight_decay",
    "weight-decay": "weight_decay",
    "wd": "weight_decay",
    "decay": "weight_decay",
    "decay_rate": "weight_decay",
    "l2": "weight_decay",
    "l2_reg": "weight_decay",
    "l2_weight": "weight_decay",
    "learning_rate": "lr",
    "beta": "betas",
    "epsilon": "eps",
}


class TimmOpt(Record):
    """An `opt=` name of timm's `create_optimizer_v2`."""

    family: Family
    decoupled: bool
    alternative: str | None = None  # the decoupled opt name to suggest when coupled


# timm lower-cases the name and keeps what follows the last "_" ("lookahead_adamw" -> "adamw").
TIMM_OPTS: Final[dict[str, TimmOpt]] = {
    "sgd": TimmOpt(Family.SGD, decoupled=False),
    "nesterov": TimmOpt(Family.SGD, decoupled=False),
    "momentum": TimmOpt(Family.SGD, decoupled=False),
    "adam": TimmOpt(Family.ADAM, decoupled=False, alternative="adamw"),
    "adamw": TimmOpt(Family.ADAM, decoupled=True),
    "adamax": TimmOpt(Family.ADAM, decoupled=False, alternative="adamw"),
    "nadam": TimmOpt(Family.ADAM, decoupled=False, alternative="nadamw"),
    "nadamw": TimmOpt(Family.ADAM, decoupled=True),
    "radam": TimmOpt(Family.ADAM, decoupled=False, alternative="radamw"),
    "radamw": TimmOpt(Family.ADAM, decoupled=True),
    "adamp": TimmOpt(Family.ADAM, decoupled=True),
    "lamb": TimmOpt(Family.ADAM, decoupled=True),
    "lambw": TimmOpt(Family.ADAM, decoupled=True),
    "lion": TimmOpt(Family.ADAM, decoupled=True),
    "adan": TimmOpt(Family.ADAM, decoupled=True),
    "adafactor": TimmOpt(Family.OTHER, decoupled=True),
    "adagrad": TimmOpt(Family.ADAPTIVE, decoupled=False),
    "adadelta": TimmOpt(Family.ADAPTIVE, decoupled=False),
    "rmsprop": TimmOpt(Family.ADAPTIVE, decoupled=False),
    "rmsproptf": TimmOpt(Family.ADAPTIVE, decoupled=False),
}
# create_optimizer_v2's parameters after `model_or_params`, in order
TIMM_FACTORY_POSITIONAL: Final = ("opt", "lr", "weight_decay", "momentum", "foreach", "filter_bias_and_bn")
TIMM_DEFAULT_OPT: Final = "sgd"
# options with which timm groups the parameters in a way we do not model
TIMM_CUSTOM_GROUPING: Final = frozenset({"layer_decay", "param_group_fn"})


def timm_spec(opt: str) -> OptimizerSpec | None:
    """The facts of `create_optimizer_v2(opt=...)` as an OptimizerSpec, for the rules."""
    name = opt.lower().rsplit("_", 1)[-1]
    found = TIMM_OPTS.get(name)
    if found is None:
        return None
    return OptimizerSpec(
        f"timm.optim.create_optimizer_v2(opt={name!r})",
        found.family,
        decoupled=found.decoupled,
        positional=TIMM_FACTORY_POSITIONAL,
        decoupled_alternative=f"`opt={found.alternative!r}`" if found.alternative else "a decoupled opt",
    )


TIMM_FACTORIES: Final[frozenset[str]] = frozenset(
    {
        "timm.optim.create_optimizer_v2",
        "timm.optim.optim_factory.create_optimizer_v2",
        "timm.optim._optim_factory.create_optimizer_v2",
    }
)
# the legacy `create_optimizer(args, model, filter_bias_and_bn=True)`, reading args.opt etc.
TIMM_LEGACY_FACTORIES: Final[frozenset[str]] = frozenset(
    {
        "timm.optim.create_optimizer",
        "timm.optim.optim_factory.create_optimizer",
        "timm.optim._optim_factory.create_optimizer",
    }
)

# PEFT's LoRA+ builds its own groups and sets every group's weight_decay to
# `loraplus_weight_decay` (0.0 unless given); the optimizer's own weight_decay is overridden.
LORAPLUS_FACTORIES: Final[frozenset[str]] = frozenset(
    {"peft.optimizers.create_loraplus_optimizer", "peft.optimizers.loraplus.create_loraplus_optimizer"}
)
LORAPLUS_DEFAULT_WEIGHT_DECAY: Final = 0.0
LORAPLUS_POSITIONAL: Final = ("model", "optimizer_cls")
# LoRA+'s own options, consumed before the optimizer class is called with the rest
LORAPLUS_OPTIONS: Final = frozenset(
    {*LORAPLUS_POSITIONAL, "loraplus_lr_ratio", "loraplus_weight_decay", "loraplus_lr_embedding"}
)

# Attributes that hold the real optimizer inside a wrapper: Accelerate's AcceleratedOptimizer
# (`optimizer`), Lightning's LightningOptimizer (`_optimizer`).
INNER_OPTIMIZER_ATTRIBUTES: Final = ("optimizer", "_optimizer")
# apex and DeepSpeed keep the decoupled switch on the optimizer, not in its groups, and
# DeepSpeedCPUAdam stores its `adamw_mode` argument under this name.
DECOUPLED_FLAG_ATTRIBUTE: Final = "adam_w_mode"


# DeepSpeed JSON configs: `"optimizer": {"type": ...}`. DeepSpeed lower-cases a type that is one
# of its own names; these two build FusedAdam (DeepSpeedCPUAdam under ZeRO-Offload, torch's
# Adam/AdamW with `"torch_adam": true`: the same decay either way), with `adam_w_mode` read from
# "params" (default true). Any other type is `getattr(torch.optim, type)`, by its exact name.
DEEPSPEED_OPTIMIZER_TYPES: Final[dict[str, str]] = {
    "adam": "deepspeed.ops.adam.FusedAdam",
    "adamw": "deepspeed.ops.adam.FusedAdam",
}
# DeepSpeed types that force decoupled decay whatever "params" says about adam_w_mode
DEEPSPEED_DECOUPLED_TYPES: Final[frozenset[str]] = frozenset({"adamw"})
# Keys of the "optimizer" section that DeepSpeed reads; any other key there is ignored
DEEPSPEED_SECTION_KEYS: Final[frozenset[str]] = frozenset({"type", "params", "legacy_fusion"})
# Options DeepSpeed itself pops from "params" before building the optimizer
DEEPSPEED_PARAMS_KEYS: Final[frozenset[str]] = frozenset({"adam_w_mode", "torch_adam"})

# mmengine/mmcv configs: `dict(type="AdamW", ...)` names a class in the OPTIMIZERS registry,
# which registers every torch.optim class by its own name, bitsandbytes classes by theirs (with
# a `bnb_` prefix where the name is taken by torch) and DeepSpeed's by theirs.
MMENGINE_OPTIMIZER_TYPES: Final[dict[str, str]] = {
    **{spec.short_name: spec.name for spec in TORCH_OPTIMIZERS},
    **{
        (f"bnb_{spec.short_name}" if spec.short_name in ("Adam", "AdamW") else spec.short_name): spec.name
        for spec in THIRD_PARTY_OPTIMIZERS
        if spec.name.startswith("bitsandbytes.")
    },
    "FusedAdam": "deepspeed.ops.adam.FusedAdam",
    "DeepSpeedCPUAdam": "deepspeed.ops.adam.DeepSpeedCPUAdam",
}
