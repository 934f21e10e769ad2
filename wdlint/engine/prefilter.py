"""A byte-level test that a file may construct an optimizer; the rest is never parsed."""

from __future__ import annotations

import re
from functools import cache

from wdlint.knowledge.optimizers import class_names

_EXTRA_VOCABULARY = ("weight_decay", "param_groups", "create_optimizer")


@cache
def _vocabulary() -> re.Pattern[bytes]:
    words = sorted({*class_names(), *_EXTRA_VOCABULARY}, key=lambda w: (-len(w), w))
    return re.compile(b"|".join(re.escape(w.encode()) for w in words))


def may_contain_optimizer(data: bytes) -> bool:
    return _vocabulary().search(data) is not None
