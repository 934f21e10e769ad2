"""What a rule is: its identity, its documentation, its check, and its own example cases."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from wdlint.analysis.sites import OptimizerSite
from wdlint.diagnostics import Applicability, Fix, Span


if TYPE_CHECKING:
    from wdlint.analysis.facts import ModuleFacts


@dataclass(frozen=True)
class Finding:
    """What a rule reports; the runner adds the file, the code and the suppression row."""

    message: str
    span: Span
    fix: Fix | None = None


@dataclass(frozen=True)
class RuleContext:
    target_torch_version: tuple[int, int] | None = None
    module: ModuleFacts | None = None  # for fixes; None when the site comes from a config file


Check = Callable[[OptimizerSite, RuleContext], Iterator[Finding]]


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    summary: str  # one line, for tables
    what_it_does: str
    why_is_this_bad: str
    example: str  # must fire (the tests check it)
    use_instead: str  # must stay quiet (the tests check it)
    check: Check | None  # None: emitted elsewhere (WD001 by the front-ends, WD6xx by the audit)
    default_on: bool = True
    static: bool = True  # reported by `wdlint check`
    runtime: bool = False  # reported by `wdlint.audit` / `wdlint audit`
    fix: Applicability | None = None
    fix_safety: str = ""
    known_problems: str = ""
    options: tuple[str, ...] = ()  # settings that change what the rule reports
    references: tuple[str, ...] = ()

    def markdown(self) -> str:
        """The rule's page, in the shape of ruff's rule pages."""
        opt_in = "" if self.default_on else "\n\nThis rule is opt-in: select it by its code.\n"
        fix = {
            None: "No fix is available.",
            Applicability.SAFE: "A safe fix is available.",
            Applicability.UNSAFE: "An unsafe fix is available (`--unsafe-fixes`).",
        }[self.fix]
        where = " and ".join(
            w for w, on in (("`wdlint check`", self.static), ("the runtime audit", self.runtime)) if on
        )
        parts = [
            f"# {self.name} ({self.code})\n\nReported by {where}. {fix}{opt_in}",
            f"## What it does\n{self.what_it_does.strip()}",
            f"## Why is this bad?\n{self.why_is_this_bad.strip()}",
        ]
        if self.known_problems:
            parts.append(f"## Known problems\n{self.known_problems.strip()}")
        parts.append(f"## Example\n```python\n{self.example.strip()}\n```")
        parts.append(f"## Use instead\n```python\n{self.use_instead.strip()}\n```")
        if self.fix_safety:
            parts.append(f"## Fix safety\n{self.fix_safety.strip()}")
        if self.options:
            parts.append("## Options\n" + "\n".join(f"- {option}" for option in self.options))
        if self.references:
            parts.append("## References\n" + "\n".join(f"- {ref}" for ref in self.references))
        return "\n\n".join(parts) + "\n"
