"""Which params should be decayed: the policy of `knowledge/params.py` applied to real params.

Torch-free (it reads names, shapes and classes that `model.py` collected), so that the rules'
runtime checks can compare verdicts while `wdlint check` imports them without torch.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

from wdlint.config import PolicySettings
from wdlint.knowledge.params import (
    BIAS_NAME,
    DEEP_HEAD_NAMES,
    EMBEDDING_CLASS_SUFFIXES,
    EMBEDDING_NAME_FRAGMENTS,
    HEAD_NAMES,
    is_norm_class_name,
)

if TYPE_CHECKING:
    from wdlint.runtime.model import Param


class Kind(Enum):
    MATRIX = "matrix"  # decayed by every recipe
    NO_DECAY = "no-decay"  # biases, norm weights, 1-D params, names the model or policy exempts
    EMBEDDING = "embedding"  # embeddings, position embeddings, cls tokens: `policy.embeddings`


@dataclass(frozen=True)
class Verdict:
    kind: Kind
    reason: str  # plural, for messages: "biases", "weights of LlamaRMSNorm", ...
    head: bool = False  # the model's output head (Muon's authors train it with AdamW)


class Policy:
    """Classifies params; one instance per audit, caching what it learns about module classes."""

    def __init__(self, settings: PolicySettings | None = None, hook_names: Iterable[str] = ()) -> None:
        self.settings = settings or PolicySettings()
        self._patterns = _compile(self.settings.no_decay)
        self._hook = _compile(hook_names)
        self._norm_classes = frozenset(self.settings.norm_classes)
        self._norm_names: dict[type, tuple[str | None, bool]] = {}
        self._embedding_types: dict[type, bool] = {}

    def wants_decay(self, verdict: Verdict) -> bool | None:
        """True: decay it; False: do not; None: the policy takes no side (embeddings by default)."""
        if verdict.kind is Kind.MATRIX:
            return True
        if verdict.kind is Kind.NO_DECAY:
            return False
        embeddings = self.settings.embeddings
        return None if embeddings == "either" else embeddings == "decay"

    def classify(self, param: Param) -> Verdict:
        names = param.names
        head = any(_is_head(name) for name in names)
        if self._patterns is not None and any(self._patterns.match(n) for n in names):
            return Verdict(Kind.NO_DECAY, "params the policy's no-decay patterns name", head)
        if self.listed_by_hook(param):
            return Verdict(Kind.NO_DECAY, "params the model's no_weight_decay() lists", head)
        for owner in param.owners:
            norm, certain = self._norm(owner)
            # a matrix in a class merely named "...Norm..." (LayerNormLinear) is a weight matrix
            if norm is not None and (certain or len(param.shape) <= 1):
                return Verdict(Kind.NO_DECAY, f"weights of {norm}", head)
        if any(n.rpartition(".")[2] == BIAS_NAME for n in names):
            return Verdict(Kind.NO_DECAY, "biases", head)
        if len(param.shape) <= 1:
            return Verdict(Kind.NO_DECAY, "scalars" if not param.shape else "1-D params", head)
        if any(map(self._is_embedding_type, param.owners)) or any(map(_embedding_name, names)):
            return Verdict(Kind.EMBEDDING, "embeddings", head)
        return Verdict(Kind.MATRIX, "weight matrices", head)

    def listed_by_hook(self, param: Param) -> bool:
        return self._hook is not None and any(self._hook.match(n) for n in param.names)

    def _norm(self, cls: type) -> tuple[str | None, bool]:
        """(the class's name if it is a norm layer, whether every param of it is a norm's):
        torch's own norm classes and the policy's `norm-classes` are certain; a class that only
        has "Norm" in its name (`LlamaRMSNorm`, but also Transformer Engine's `LayerNormLinear`)
        is trusted for its 1-D params alone."""
        if cls not in self._norm_names:
            certain = any(
                base.__name__ in self._norm_classes
                or (base.__module__.startswith("torch.nn") and is_norm_class_name(base.__name__))
                for base in cls.__mro__
            )
            named = certain or any(is_norm_class_name(base.__name__) for base in cls.__mro__)
            self._norm_names[cls] = (cls.__name__ if named else None, certain)
        return self._norm_names[cls]

    def _is_embedding_type(self, cls: type) -> bool:
        if cls not in self._embedding_types:
            self._embedding_types[cls] = any(
                base.__name__.endswith(EMBEDDING_CLASS_SUFFIXES) for base in cls.__mro__
            )
        return self._embedding_types[cls]


def _compile(patterns: Iterable[str]) -> re.Pattern[str] | None:
    translated = [fnmatch.translate(p) for p in patterns]
    return re.compile("|".join(translated)) if translated else None


def _embedding_name(name: str) -> bool:
    # The param's own attribute name (`pos_embed`), or its owner's for a `.weight`
    # (`wte.weight`); never a deeper module's (`patch_embed.proj.weight` is a convolution).
    parts = name.split(".")
    own = parts[-2:] if parts[-1] == "weight" else parts[-1:]
    return any(fragment in part for part in own for fragment in EMBEDDING_NAME_FRAGMENTS)


def _is_head(name: str) -> bool:
    parts = name.split(".")
    return not DEEP_HEAD_NAMES.isdisjoint(parts[:-1]) or (len(parts) == 2 and parts[0] in HEAD_NAMES)
