"""What every runtime check reads: the model's params with their verdicts, the policy, and the
optimizers' real groups, indexed once per audit.

The checks themselves live with their rules (`wdlint/rules/wdNNN_*.py`, `runtime_check`); the
audit runs the ones the registry lists.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import torch

from wdlint.runtime.classify import Policy, Verdict
from wdlint.runtime.model import Inventory, Param
from wdlint.runtime.optimizers import Group, OptimizerView

Holder = tuple[OptimizerView, Group]


@dataclass(frozen=True)
class AuditContext:
    inventory: Inventory
    verdicts: tuple[Verdict, ...]  # one per param
    policy: Policy
    optimizers: tuple[OptimizerView, ...]
    model_given: bool  # False: params known only from the optimizers (`watch()` without a model)
    holders: dict[int, list[Holder]] = field(init=False, repr=False)
    # id(group) -> its trainable params, in model order: checks that look group by group stay
    # linear however many groups there are
    _held: dict[int, list[tuple[Param, Verdict]]] = field(init=False, repr=False)

    @property
    def params(self) -> tuple[Param, ...]:
        return self.inventory.params

    @property
    def torch_version(self) -> tuple[int, int]:
        """The (major, minor) of the torch the audited code runs on."""
        match = re.match(r"(\d+)\.(\d+)", torch.__version__)
        return (int(match[1]), int(match[2])) if match else (0, 0)

    def __post_init__(self) -> None:
        holders: dict[int, list[Holder]] = {}
        for optimizer in self.optimizers:
            for group in optimizer.groups:
                for key in group.keys:
                    holders.setdefault(key, []).append((optimizer, group))
        held: dict[int, list[tuple[Param, Verdict]]] = {}
        for param, verdict in zip(self.params, self.verdicts):
            if param.trainable:
                for _, group in holders.get(param.key, ()):
                    held.setdefault(id(group), []).append((param, verdict))
        object.__setattr__(self, "holders", holders)
        object.__setattr__(self, "_held", held)

    def held_by(self, group: Group) -> list[tuple[Param, Verdict]]:
        """The trainable params of one group, in model order."""
        return self._held.get(id(group), [])

    def trainable_in(
        self, groups: Iterable[Group], keep: Callable[[Param, Verdict], bool] = lambda p, v: True
    ) -> list[tuple[Param, Verdict]]:
        keys = {key for group in groups for key in group.keys}
        return [
            (p, v)
            for p, v in zip(self.params, self.verdicts)
            if p.trainable and p.key in keys and keep(p, v)
        ]
