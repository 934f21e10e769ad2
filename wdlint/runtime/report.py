"""What an audit found, as data and as a table a person reads at the start of a run.

Torch-free, so that `wdlint.AuditReport` and `wdlint.AuditError` import without torch.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

_MAX_ROWS = 20  # per finding in the table; to_dict() keeps every name
_INDEX = re.compile(r"\[\d+\]")


@dataclass(frozen=True)
class Finding:
    code: str
    name: str
    message: str
    params: tuple[str, ...]  # names in the unwrapped model, in the model's order


@dataclass(frozen=True)
class ParamDetail:
    shape: tuple[int, ...]
    # the weight_decay of every group that holds the param; None for a value that is not a
    # plain number (the audit never reads a tensor); empty when no group holds it
    weight_decay: tuple[float | None, ...]


@dataclass(frozen=True)
class AuditReport:
    findings: list[Finding]
    details: Mapping[str, ParamDetail] = field(default_factory=dict, repr=False)
    optimizers: int = 0
    groups: int = 0
    params: int = 0  # parameter tensors audited

    @property
    def ok(self) -> bool:
        return not self.findings

    def to_dict(self) -> dict[str, object]:
        named = dict.fromkeys(name for finding in self.findings for name in finding.params)
        return {
            "ok": self.ok,
            "findings": [
                {"code": f.code, "name": f.name, "message": f.message, "params": list(f.params)}
                for f in self.findings
            ],
            "params": {
                name: {"shape": list(d.shape), "weight_decay": list(d.weight_decay)}
                for name in named
                if (d := self.details.get(name)) is not None
            },
            "optimizers": self.optimizers,
            "groups": self.groups,
            "param_count": self.params,
        }

    def __str__(self) -> str:
        scope = (
            f"{_plural(self.optimizers, 'optimizer')}, {_plural(self.groups, 'param group')}, "
            f"{_plural(self.params, 'param')}"
        )
        if self.ok:
            return f"All checks passed ({scope}).\n"
        blocks = [_block(finding, self.details) for finding in self.findings]
        return "\n".join(blocks) + f"\nFound {_plural(len(self.findings), 'problem')} ({scope}).\n"


class AuditError(Exception):
    """Raised by `audit(..., strict=True)` and `watch(strict=True)`; the message is the table."""

    def __init__(self, report: AuditReport) -> None:
        super().__init__(str(report))
        self.report = report


class AuditWarning(UserWarning):
    """How `watch()` reports findings when it is not strict."""


def collapse(name: str) -> str:
    """`layers.12.attn.bias` -> `layers.*.attn.bias`: one row for every layer's copy."""
    return ".".join("*" if part.isdigit() else _INDEX.sub("[*]", part) for part in name.split("."))


def _block(finding: Finding, details: Mapping[str, ParamDetail]) -> str:
    lines = [f"{finding.code} {finding.name}: {finding.message}"]
    rows = _rows(finding.params, details)
    if rows:
        header = ("param", "count", "shape", "weight_decay")
        shown = rows[:_MAX_ROWS]
        widths = [max(len(row[i]) for row in (header, *shown)) for i in range(3)]
        for row in (header, *shown):
            lines.append(
                f"    {row[0]:<{widths[0]}}  {row[1]:>{widths[1]}}  {row[2]:<{widths[2]}}  {row[3]}".rstrip()
            )
        if len(rows) > len(shown):
            lines.append(f"    ... {len(rows) - len(shown)} more rows")
    return "\n".join(lines) + "\n"


def _rows(names: Sequence[str], details: Mapping[str, ParamDetail]) -> list[tuple[str, str, str, str]]:
    patterns: dict[str, list[str]] = {}
    for name in names:
        patterns.setdefault(collapse(name), []).append(name)
    rows = []
    for pattern, members in patterns.items():
        found = [details[m] for m in members if m in details]
        shapes = _distinct(_shape(d.shape) for d in found)
        decays = _distinct(_decay(d.weight_decay) for d in found)
        rows.append(
            (
                members[0] if len(members) == 1 else pattern,
                "" if len(members) == 1 else f"x{len(members)}",
                shapes,
                decays,
            )
        )
    return rows


def _distinct(values: Iterable[str], most: int = 3) -> str:
    unique = list(dict.fromkeys(values))
    return ", ".join(unique) if len(unique) <= most else "various"


def _shape(shape: tuple[int, ...]) -> str:
    return "[" + ", ".join(map(str, shape)) + "]"


def _decay(values: tuple[float | None, ...]) -> str:
    if not values:
        return "-"
    return " and ".join("?" if v is None else f"{v:g}" for v in values)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
