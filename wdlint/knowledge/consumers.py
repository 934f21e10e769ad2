"""Code that consumes a config file's optimizer: data, one entry per convention.

A config names an optimizer's class and options; which params it gets is decided by the code
that reads the config, often in another file of the project. `frontends/dialects/links.py` finds
that code from the config (the config names a class of the project, or a project file names the
config) and `analysis/consumers.py` reads the calls written here to learn which params reach
the optimizer. Each entry says where its behaviour was read.
"""

from __future__ import annotations

from wdlint.records import Record

TYPE_CHECKING = False  # `typing` is for type checkers: the hook never imports it (docs/architecture.md)
if TYPE_CHECKING:
    from typing import Final


class ConsumerCall(Record):
    """A call that builds a config's optimizer over the params one of its arguments carries."""

    name: str  # as messages name the convention
    callees: frozenset[str]  # qualified names; or, with `last_name`, the callee's last name
    params: tuple[str, int | None]  # (keyword, position) of the params argument
    # (keyword, position) of the argument naming the config; None where the config names the
    # code instead (a Hydra partial called from the class the config's `_target_` names)
    config: tuple[str, int | None] | None
    # further keywords that name the config file (DeepSpeed's `config_params`)
    config_aliases: tuple[str, ...] = ()
    # arguments whose presence means the config's optimizer is not the one built
    overriding: tuple[str, ...] = ()
    # the argparse destination that names the config file when the call gets `args=` instead
    args_option: str | None = None
    last_name: bool = False  # a project's own function: matched by its last name
    remedy: str = ""  # how to keep biases and norms out of decay with this convention


# `deepspeed.initialize(args, model, optimizer, model_parameters, ..., config, config_params)`
# builds the config's "optimizer" over `model_parameters` unless a client `optimizer` is given
# (deepspeed/__init__.py initialize; runtime/engine.py _configure_optimizer); the config is
# `config`, `config_params` or the `--deepspeed_config` of `args` (deepspeed/__init__.py
# add_config_arguments).
DEEPSPEED_INITIALIZE: Final = ConsumerCall(
    "DeepSpeed",
    frozenset({"deepspeed.initialize"}),
    params=("model_parameters", 3),
    config=("config", None),
    config_aliases=("config_params",),
    overriding=("optimizer",),
    args_option="deepspeed_config",
    remedy="pass param groups as `model_parameters`, biases and norms in one with weight_decay 0.0",
)

# `hydra.utils.instantiate(cfg.optimizer, params)` / `(cfg.optimizer, params=...)`: the extra
# positional or keyword arguments are the target's (hydra/_internal/instantiate/_instantiate2.py).
HYDRA_INSTANTIATE: Final = ConsumerCall(
    "Hydra",
    frozenset({"hydra.utils.instantiate", "hydra.utils.call"}),
    params=("params", 1),
    config=("config", 0),
    remedy="pass param groups as `params`, biases and norms in one with weight_decay 0.0",
)

# A project's registry function: `create_optimizer(model.parameters(), cfg.optim)`.
REGISTRY_CALL: Final = ConsumerCall(
    "the project's optimizer factory",
    frozenset({"create_optimizer", "build_optimizer", "make_optimizer"}),
    params=("params", 0),
    config=("cfg", 1),
    last_name=True,
    remedy="pass param groups instead, biases and norms in one with weight_decay 0.0",
)

CONSUMER_CALLS: Final = (DEEPSPEED_INITIALIZE, HYDRA_INSTANTIATE, REGISTRY_CALL)

# The lightning-hydra-template convention: a LightningModule named by the config's top-level
# `_target_` receives the config's `optimizer: {_partial_: true, ...}` as an `__init__` argument,
# `save_hyperparameters()` keeps it, and `configure_optimizers` calls
# `self.hparams.optimizer(params=self.trainer.model.parameters())`
# (ashleve/lightning-hydra-template src/models/mnist_module.py). The partial is reached as
# `self.hparams.<key>`, `self.hparams["<key>"]`, `self.<key>`, or an attribute `__init__` sets to it.
PARTIAL_CALL: Final = ConsumerCall(
    "the LightningModule's Hydra partial",
    frozenset(),
    params=("params", 0),
    config=None,
    remedy="pass param groups as `params`, biases and norms in one with weight_decay 0.0",
)
HPARAMS_ATTRIBUTES: Final = frozenset({"hparams", "hyperparameters"})

# Bytes a Python file must hold to be read as a possible consumer of a config it names.
CONSUMER_MARKERS: Final = (b"deepspeed", b"instantiate", b"hydra", b"_optimizer(")

# Where a project's root is: the directory holding one of these (bounded walk up).
PROJECT_MARKERS: Final = ("pyproject.toml", "setup.py", "setup.cfg", ".git")
