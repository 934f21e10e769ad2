"""Param names as wrappers change them, and back to the names in the unwrapped model.

Torch-free (strings only), so that a rule module's runtime check can use it while `wdlint check`
imports the rule without torch.
"""

from __future__ import annotations

from collections.abc import Sequence

from wdlint.knowledge.params import WRAPPER_NAME_COMPONENTS, WRAPPER_NAME_PREFIX


def clean_name(name: str, prefix: Sequence[str] = ()) -> str:
    """`name` without the wrapper prefix and the components inner wrappers add."""
    parts = name.split(".")
    if prefix and parts[: len(prefix)] == list(prefix):
        parts = parts[len(prefix) :]
    return ".".join(part for part in parts if part not in WRAPPER_NAME_COMPONENTS)


def clean_recorded_name(name: str) -> str:
    """A name recorded in an optimizer's `param_names`: any leading `module.` is DDP's."""
    parts = name.split(".")
    while len(parts) > 1 and parts[0] == WRAPPER_NAME_PREFIX:
        parts = parts[1:]
    return clean_name(".".join(parts))


def has_wrapper_prefix(name: str) -> bool:
    """Whether a recorded name was taken from a wrapped model (`module.`, `_orig_mod.`, ...)."""
    return clean_recorded_name(name) != name
