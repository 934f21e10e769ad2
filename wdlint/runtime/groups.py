"""`wdlint.param_groups(model, weight_decay)`: groups built with the audit's own policy."""

from __future__ import annotations

from torch import nn

from wdlint.config import PolicySettings
from wdlint.runtime.classify import Policy
from wdlint.runtime.model import inventory


def param_groups(
    model: nn.Module, weight_decay: float, *, policy: PolicySettings | None = None
) -> list[dict[str, object]]:
    """A decay group and a no-decay group of the model's trainable params, for any optimizer.

    Weight matrices are decayed; biases, normalization weights, 1-D params and the names the
    model's `no_weight_decay()` or the policy's `no-decay` patterns list are not. Embeddings
    follow `policy.embeddings`, and are decayed when it takes no side ("either"), as nanoGPT,
    timm and the HF Trainer do. An optimizer built from these groups passes `wdlint.audit`.
    """
    params = inventory(model)
    classifier = Policy(policy, params.hook_names)
    decay: list[nn.Parameter] = []
    no_decay: list[nn.Parameter] = []
    for tensor in model.parameters():
        held = params.by_key.get(id(tensor), ())
        if not tensor.requires_grad or not held:
            continue
        # An FSDP1 flat parameter holds several params and cannot be split: it is exempt only
        # when all of them are.
        wanted = [classifier.wants_decay(classifier.classify(param)) for param in held]
        (no_decay if all(w is False for w in wanted) else decay).append(tensor)
    groups: list[dict[str, object]] = [
        {"params": decay, "weight_decay": weight_decay},
        {"params": no_decay, "weight_decay": 0.0},
    ]
    return [group for group in groups if group["params"]]
