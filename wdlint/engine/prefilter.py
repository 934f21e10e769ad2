"""A byte-level test that a file may construct an optimizer; the rest is never parsed."""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING

from wdlint.knowledge.optimizers import class_names

if TYPE_CHECKING:  # the front-ends are imported only for a file that needs one
    from wdlint.frontends.python import SourceError

# `optim_wrapper`: an mmengine config that only overrides what its `_base_` sets
_EXTRA_VOCABULARY = ("weight_decay", "param_groups", "create_optimizer", "optim_wrapper")


@cache
def _vocabulary() -> re.Pattern[bytes]:
    words = sorted({*class_names(), *_EXTRA_VOCABULARY}, key=lambda w: (-len(w), w))
    return re.compile(b"|".join(re.escape(w.encode()) for w in words))


# Every construction wdlint recognises names its class through a module called `optim`
# (`torch.optim`, `bnb.optim`, `timm.optim`, `from torch import optim`, mmengine's
# `optim_wrapper`), or one of the names below. Stage 1, two `in` scans at memory speed, keeps
# the files that mention "optim" or "Adam" anywhere (in transformers' sources: 152 of 2,912);
# stage 2 keeps those that use such a name as code rather than in prose ("optimizer",
# "optimization" do not count; 10 files); the vocabulary regex, ten times slower per byte, runs
# last (7 files).
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
)


def may_contain_optimizer(data: bytes) -> bool:
    if not any(anchor in data for anchor in _ANCHORS):
        return False
    if _OPTIM_MODULE.search(data) is None and not any(name in data for name in _NAMES):
        return False
    return _vocabulary().search(data) is not None


# A DeepSpeed config has an "optimizer" key and a "type" key; other JSON (package.json,
# tokenizer files, data) is never parsed. An escaped `\"optimizer\"` inside a JSON string
# does not match.
_DEEPSPEED_KEYS = (re.compile(rb'"optimizer"\s*:'), re.compile(rb'"type"\s*:'))


def may_configure_deepspeed(data: bytes) -> bool:
    return all(key.search(data) is not None for key in _DEEPSPEED_KEYS)


# The suffixes of the front-ends other than Python's (`engine.lint.FRONT_ENDS`); YAML and JSON
# files that configure no optimizer are data, and data is not ours to judge.
_DATA_SUFFIXES = frozenset({".yaml", ".yml", ".json"})
NOT_PYTHON = _DATA_SUFFIXES | {".ipynb"}


def unreadable(data: bytes, suffix: str) -> SourceError | None:
    """Why a file the prefilter passed over cannot be read as what its suffix says, or None.

    The prefilter's byte scan vouches only for text it can see: a binary file, UTF-16 (whose
    "optim" is `o\\0p\\0...`), an undecodable file or a broken notebook may hide an optimizer,
    so each is reported. In transformers' 53 MB this costs 11 ms: the NUL scan and `isascii`
    run at memory speed, and only the 1,516 files with non-ASCII bytes are decoded.
    """
    if suffix in _DATA_SUFFIXES:
        return None
    if suffix == ".ipynb":
        from wdlint.frontends.notebook import notebook_error

        return notebook_error(data)
    if b"\0" in data:
        from wdlint.frontends.python import SourceError

        return SourceError(
            "not Python source: the file holds NUL bytes (a binary file, or UTF-16/32, which Python cannot read)"
        )
    if data.isascii():
        return None
    try:
        data.decode()  # the common case; a coding cookie or a BOM is checked only if this fails
        return None
    except UnicodeDecodeError:
        pass
    from wdlint.frontends.python import SourceError, decode_source

    try:
        decode_source(data)
    except SourceError as error:
        return error
    return None
