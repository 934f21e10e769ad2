"""What the rules' runtime checks share to word a finding, so that every message counts, lists
decay values and names reasons the same way.

Torch-free: the rule modules import it, and `wdlint check` imports them without torch.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING

from wdlint.runtime.report import Finding

if TYPE_CHECKING:
    from wdlint.rules.base import Rule
    from wdlint.runtime.classify import Verdict
    from wdlint.runtime.model import Param
    from wdlint.runtime.optimizers import Group


def finding(rule: Rule, message: str, params: Iterable[tuple[Param, Verdict]]) -> Finding:
    """The finding of `rule` about `params`, each named once, in the order given."""
    return Finding(rule.code, rule.name, message, tuple(dict.fromkeys(p.name for p, _ in params)))


def decays(groups: Iterable[Group]) -> str:
    """The groups' weight_decay values, each once: `0.1 and 0.01`."""
    values = dict.fromkeys(
        "a value that is not a number" if g.weight_decay is None else f"{g.weight_decay:g}" for g in groups
    )
    return " and ".join(values)


def reasons(params: Iterable[tuple[Param, Verdict]]) -> str:
    """Why the params should not be decayed, the most common reason first."""
    counts = Counter(v.reason for _, v in params)
    return ", ".join(reason for reason, _ in counts.most_common())


def count(params: list[tuple[Param, Verdict]], noun: str = "params") -> str:
    """`1 weight matrix`, `3 weight matrices`, `1 param`."""
    if len(params) != 1:
        return f"{len(params)} {noun}"
    singular = noun[: -len("ices")] + "ix" if noun.endswith("ices") else noun[:-1]
    return f"1 {singular}"
