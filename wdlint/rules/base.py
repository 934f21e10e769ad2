"""What a rule is: its identity, its documentation, its checks (static and runtime), and its own
example cases.

Torch-free: a runtime check is a plain function over an `AuditContext` that it only reads, so a
rule module defines it beside its static check and `wdlint check` never imports torch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from enum import Enum

from wdlint.analysis.sites import OptimizerSite
from wdlint.diagnostics import Applicability, Position, Span
from wdlint.records import Record
from wdlint.rules.fixes import FixPlan

TYPE_CHECKING = False  # `typing` is for type checkers: the hook never imports it (docs/architecture.md)

if TYPE_CHECKING:
    from wdlint.analysis.facts import ModuleFacts
    from wdlint.runtime.context import AuditContext
    from wdlint.runtime.report import Finding as AuditFinding


class Finding(Record):
    """What a rule reports; the runner adds the file, the code and the suppression row."""

    message: str
    span: Span
    fix: FixPlan | None = None


class RuleContext(Record):
    target_torch_version: tuple[int, int] | None = None
    module: ModuleFacts | None = None  # for fixes; None when the site comes from a config file


Check = Callable[[OptimizerSite, RuleContext], Iterator[Finding]]
# A check of the real param groups against the real model; string annotations, since the
# context's module imports torch and this one must not.
RuntimeCheck = Callable[["AuditContext"], Iterator["AuditFinding"]]


class Reported(Enum):
    """Why a rule has no static check over optimizer sites, in place of one."""

    BY_FRONT_ENDS = "by-front-ends"  # WD001: the front-ends report a file they cannot read
    RUNTIME_ONLY = "runtime-only"  # only a real model and optimizer show it: the audit reports it


class Rule(Record):
    code: str
    name: str
    summary: str  # one line, for tables
    what_it_does: str
    why_is_this_bad: str
    example: str  # must fire (the tests check it)
    use_instead: str  # must stay quiet (the tests check it)
    static_check: Check | Reported  # what `wdlint check` runs on each optimizer site
    runtime_check: RuntimeCheck | None = None  # what `wdlint.audit` / `wdlint audit` runs; None: none
    # Where `example` (as its page shows it: stripped) reports this rule, in order; and, for a
    # rule with a fix, the example after its fix (`--unsafe-fixes`). The tests hold both, as
    # Fixit's `Invalid` cases do; a runtime-only rule's example is Python that runs an audit.
    example_findings: tuple[Position, ...] = ()
    example_fixed: str | None = None
    default_on: bool = True
    fix: Applicability | None = None
    fix_safety: str = ""
    known_problems: str = ""
    options: tuple[str, ...] = ()  # settings that change what the rule reports
    references: tuple[str, ...] = ()

    @property
    def check(self) -> Check | None:
        """The static check over optimizer sites, or None: what the engine runs."""
        return None if isinstance(self.static_check, Reported) else self.static_check

    @property
    def static(self) -> bool:
        """Whether `wdlint check` reports the rule (through a check, or the front-ends)."""
        return self.static_check is not Reported.RUNTIME_ONLY

    @property
    def runtime(self) -> bool:
        """Whether the runtime audit reports the rule."""
        return self.runtime_check is not None

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
