"""Framework helper functions that build the optimizer (or its param groups) for the caller:
data, one entry each, with where their behaviour was read. `analysis/factories.py` reads a call
to one of them as the constructor call it makes.
"""

from __future__ import annotations

from wdlint.knowledge.frameworks import ASTEROID, LITGPT, Convention
from wdlint.records import Record

TYPE_CHECKING = False  # `typing` is for type checkers: the hook never imports it (docs/architecture.md)
if TYPE_CHECKING:
    from typing import Final


class NamedFactory(Record):
    """`helper(..., <name>, <params>, **kwargs)`: the class named by a string the convention
    resolves, built over `params` with the keyword arguments passed on."""

    qualified: frozenset[str]  # the helper's qualified names
    positional: tuple[str, ...]  # its parameters, in order
    name_param: str  # the parameter that names the class
    params_param: str  # the parameter handed on as the optimizer's params
    convention: Convention  # how a name resolves to a class
    default_name: str | None = None  # the name when the call gives none
    # a mapping `{class_path: ..., init_args: {...}}` names the class too (jsonargparse style);
    # the call's keyword arguments update init_args
    class_path_key: str | None = None
    init_args_key: str | None = None


# litgpt/utils.py `instantiate_torch_optimizer(optimizer, model_parameters, **kwargs)`
# (litgpt 0.5): a str is a class name in torch.optim or a dotted path, built as
# `cls(model_parameters, **kwargs)`; a dict `{"class_path", "init_args"}` is built with
# init_args updated by kwargs. kwargs the class does not take are dropped.
LITGPT_INSTANTIATE: Final = NamedFactory(
    frozenset({"litgpt.utils.instantiate_torch_optimizer"}),
    ("optimizer", "model_parameters"),
    "optimizer",
    "model_parameters",
    LITGPT,
    class_path_key="class_path",
    init_args_key="init_args",
)

# asteroid/engine/optimizers.py `make_optimizer(params, optimizer="adam", **kwargs)` =
# `get(optimizer)(params, **kwargs)`; `get` looks the name up lower-cased among the module's
# globals: torch's Adam, RMSprop, SGD, Adadelta, Adagrad, Adamax, AdamW, ASGD (and
# torch_optimizer's classes, which wdlint does not know) (asteroid 0.7).
ASTEROID_MAKE_OPTIMIZER: Final = NamedFactory(
    frozenset({"asteroid.engine.optimizers.make_optimizer", "asteroid.engine.make_optimizer"}),
    ("params", "optimizer"),
    "optimizer",
    "params",
    ASTEROID,
    default_name="adam",
)

NAMED_FACTORIES: Final = (LITGPT_INSTANTIATE, ASTEROID_MAKE_OPTIMIZER)


def named_factory(qualified: str | None) -> NamedFactory | None:
    return next((f for f in NAMED_FACTORIES if qualified in f.qualified), None)


# torchvision's classification reference, references/classification/utils.py
# `set_weight_decay(model, weight_decay, norm_weight_decay=None, norm_classes=None,
# custom_keys_weight_decay=None)` (torchvision 0.13+, copied into many projects as `utils.py`):
# one group {"params": every other param, "weight_decay": weight_decay}; the params of norm
# layers go to their own group with `norm_weight_decay` only when it is not None; a custom key
# takes the params it names (a key without a dot: the attribute name, so ("bias", x) takes
# every bias) into a group with its own decay. train.py passes `--norm-weight-decay` and
# `--bias-weight-decay`, both None by default: norms and biases then get `--wd`.
class GroupingHelper(Record):
    function: str  # the helper's own name (any module: projects copy it)
    marker: str  # a keyword only this helper takes: a same-named helper without it is another
    positional: tuple[str, ...]
    model_param: str
    decay_param: str
    norm_param: str  # None: norms stay in the decayed group
    keys_param: str  # [(name, decay)]: custom groups
    bias_key: str  # the custom key that takes every bias
    remedy_norms: str
    remedy_biases: str


TORCHVISION_SET_WEIGHT_DECAY: Final = GroupingHelper(
    function="set_weight_decay",
    marker="norm_weight_decay",
    positional=("model", "weight_decay", "norm_weight_decay", "norm_classes", "custom_keys_weight_decay"),
    model_param="model",
    decay_param="weight_decay",
    norm_param="norm_weight_decay",
    keys_param="custom_keys_weight_decay",
    bias_key="bias",
    remedy_norms="pass `norm_weight_decay=0.0` (torchvision's train.py: `--norm-weight-decay 0.0`)",
    remedy_biases='pass `custom_keys_weight_decay=[("bias", 0.0)]` (torchvision\'s train.py: `--bias-weight-decay 0.0`)',
)
