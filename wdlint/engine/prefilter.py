"""A byte-level test that a file may construct an optimizer; the rest is never parsed."""

from __future__ import annotations

import re
from functools import cache

from wdlint.knowledge.optimizers import class_names

# `optim_wrapper`: an mmengine config that only overrides what its `_base_` sets
_EXTRA_VOCABULARY = ("weight_decay", "param_groups", "create_optimizer", "optim_wrapper")


@cache
def _vocabulary() -> re.Pattern[bytes]:
    words = sorted({*class_names(), *_EXTRA_VOCABULARY}, key=lambda w: (-len(w), w))
    return re.compile(b"|".join(re.escape(w.encode()) for w in words))


# Every construction wdlint recognises names its class through one of these: `torch.optim`,
# `bnb.optim`, `timm.optim`, `apex.optimizers`, `create_optimizer_v2`, mmengine's `optimizer`/
# `optim_wrapper` (all "optim"), or an Adam-family class imported by name (`transformers.AdamW`,
# DeepSpeed's `FusedAdam`). Two `in` scans run at memory speed; the vocabulary regex, ten times
# slower per byte, then only reads the files that pass them.
_ANCHORS = (b"optim", b"Adam")


def may_contain_optimizer(data: bytes) -> bool:
    return any(anchor in data for anchor in _ANCHORS) and _vocabulary().search(data) is not None


# A DeepSpeed config has an "optimizer" key and a "type" key; other JSON (package.json,
# tokenizer files, data) is never parsed. An escaped `\"optimizer\"` inside a JSON string
# does not match.
_DEEPSPEED_KEYS = (re.compile(rb'"optimizer"\s*:'), re.compile(rb'"type"\s*:'))


def may_configure_deepspeed(data: bytes) -> bool:
    return all(key.search(data) is not None for key in _DEEPSPEED_KEYS)
