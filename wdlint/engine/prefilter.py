"""Byte-level tests that a file may construct an optimizer; the rest is never parsed. Each
format (`wdlint.frontends.formats`) names the one its files pass."""

from __future__ import annotations

import re
from functools import cache

# `optim_wrapper`: an mmengine config that only overrides what its `_base_` sets
_EXTRA_VOCABULARY = ("weight_decay", "param_groups", "create_optimizer", "optim_wrapper")


@cache
def _vocabulary() -> tuple[bytes, ...]:
    """The words of the vocabulary that hold no other word of it (`Adam`, not `FusedAdam`): a
    text holds a word of the vocabulary exactly when it holds one of these. Each is looked for
    by `in`, at memory speed: a regex alternating between all 31 words took 1.5x as long over
    the dense trees' candidate files (0.35 s against 0.23 s), and the notebook tree's
    prefilter 0.18 s against 0.11 s. `Adam` first: stage 1 may have found it."""
    # imported here: the two stages before this one screen out nearly every file
    from wdlint.knowledge.optimizers import class_names

    words = {word.encode() for word in (*class_names(), *_EXTRA_VOCABULARY)}
    least = [word for word in words if not any(other != word and other in word for other in words)]
    return tuple(sorted(least, key=lambda word: (word not in _ANCHORS, len(word), word)))


# Every construction wdlint recognises names its class through a module called `optim`
# (`torch.optim`, `bnb.optim`, `timm.optim`, `from torch import optim`, mmengine's
# `optim_wrapper`), or one of the names below. Stage 1, two `in` scans at memory speed, keeps
# the files that mention "optim" or "Adam" anywhere (in transformers' sources: 152 of 2,912);
# stage 2 keeps those that use such a name as code rather than in prose ("optimizer",
# "optimization" do not count; 10 files); the vocabulary's words, a dozen scans, come last
# (7 files).
_ANCHORS = (b"optim", b"Adam")
_OPTIM_MODULE = re.compile(rb"optim(?![a-zA-Z])")
_NAMES = (
    b"AdamW",  # transformers.AdamW, and the LightningCLI shorthand `optimizer: AdamW`
    b"FusedAdam",  # apex, DeepSpeed
    b"CPUAdam",  # DeepSpeedCPUAdam
    b"apex.optimizers",
    b"peft.optimizers",
    b"create_optimizer",  # timm
    b"create_loraplus",  # peft
    b"optimizer=dict",  # mmcv 1.x configs
    b"optimizer = dict",
    b"optimizer:",  # YAML configs: `optimizer: Adam`, LightningCLI's class_path
    b'"optimizer":',  # YAML written as JSON (gpt-neox's `"optimizer": {"type": "Adam"}`)
)


# Stage 2 looks for each name where an anchor occurs: every name but one holds an anchor, so
# a name is there only if it starts at a fixed distance before one of the (few) occurrences of
# its anchor; eleven scans of each candidate file become a walk over those occurrences.
_AT_ANCHORS = tuple(
    (anchor, tuple((name.index(anchor), name) for name in _NAMES if anchor in name)) for anchor in _ANCHORS
)
_WITHOUT_ANCHOR = tuple(name for name in _NAMES if not any(anchor in name for anchor in _ANCHORS))


def may_contain_optimizer(data: bytes) -> bool:
    if not any(anchor in data for anchor in _ANCHORS):
        return False
    if _OPTIM_MODULE.search(data) is None and not _names_a_construction(data):
        return False
    return any(word in data for word in _vocabulary())


def _names_a_construction(data: bytes) -> bool:
    """Whether one of `_NAMES` is in `data`."""
    if any(name in data for name in _WITHOUT_ANCHOR):
        return True
    for anchor, names in _AT_ANCHORS:
        at = data.find(anchor)
        while at >= 0:
            if any(at >= offset and data.startswith(name, at - offset) for offset, name in names):
                return True
            at = data.find(anchor, at + 1)
    return False


# The patterns of the configs' tests below are compiled when a config is first screened (by
# `re`'s own cache), not by every run that imports this module for a script.

# A DeepSpeed config has an "optimizer" key and a "type" key; other JSON (package.json,
# tokenizer files, data) is never parsed. An escaped `\"optimizer\"` inside a JSON string
# does not match.
_DEEPSPEED_KEYS = (rb'"optimizer"\s*:', rb'"type"\s*:')


# Any other JSON config is read only with a weight_decay key (TrainingArguments, a generic
# `{"optimizer": "adam", "weight_decay": 1e-5}`): without one there is no decay to report.
_JSON_DECAY_KEY = rb'"(?:weight_decay|WEIGHT_DECAY)"\s*:'


def may_configure_deepspeed(data: bytes) -> bool:
    deepspeed = all(re.search(key, data) is not None for key in _DEEPSPEED_KEYS)
    return deepspeed or re.search(_JSON_DECAY_KEY, data) is not None


# YAML configs also name optimizers the way frameworks' registries do (`optimizer: adamw`,
# `name: adamw`, detectron2's `SOLVER.WEIGHT_DECAY`, HyperPyYAML's `!name:`), which the code
# vocabulary above does not see: a config passes with a decay key, a lower-case `adamw` (whose
# class default decays), or a HyperPyYAML class tag. No other YAML is parsed. Each is looked for
# by `in`: one regex alternating between them (`weight_decay|WEIGHT_DECAY|\badamw\b|!n(?:ew|ame):`)
# took 75 ms over the YAML of the mm-configs and framework trees, the scans 10 ms.
_CONFIG_WORDS = (b"weight_decay", b"WEIGHT_DECAY", b"!new:", b"!name:")
_ADAMW = b"adamw"


def may_configure_in_config(data: bytes) -> bool:
    return may_contain_optimizer(data) or any(word in data for word in _CONFIG_WORDS) or _names_adamw(data)


def _names_adamw(data: bytes) -> bool:
    """Whether `adamw` stands in `data` as a word of its own (not in `adamw_torch` or `fused_adamw`)."""
    at = data.find(_ADAMW)
    while at >= 0:
        end = at + len(_ADAMW)
        if not (at and _word_byte(data[at - 1])) and not (end < len(data) and _word_byte(data[end])):
            return True
        at = data.find(_ADAMW, at + 1)
    return False


def _word_byte(byte: int) -> bool:
    """A byte of a word as a bytes pattern's `\\w` reads it: an ASCII letter, digit or `_`."""
    return byte == 0x5F or 0x30 <= byte <= 0x39 or 0x41 <= byte <= 0x5A or 0x61 <= byte <= 0x7A
