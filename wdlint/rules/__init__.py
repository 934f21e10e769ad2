"""The rule registry: every `wdNNN_*.py` module in this package defines one `RULE`."""

from __future__ import annotations

import importlib
import pkgutil
import re
from functools import cache

from wdlint.rules.base import Rule

_RULE_MODULE = re.compile(r"wd\d{3}_\w+")

# Where each rule's page lives: `docs/rules/WDnnn.md`, generated from `Rule.markdown()` by
# `python -m wdlint.rules.catalog`. Relative to the repository root while the project has no
# public home; set it to that home's absolute `docs/rules/` URL and every `Diagnostic.url` and
# SARIF `helpUri` follows.
RULE_DOCS = "docs/rules/"


@cache
def all_rules() -> tuple[Rule, ...]:
    rules = []
    for info in pkgutil.iter_modules(__path__):
        if _RULE_MODULE.fullmatch(info.name):
            module = importlib.import_module(f"{__name__}.{info.name}")
            rules.append(module.RULE)
    return tuple(sorted(rules, key=lambda rule: rule.code))


@cache
def rules_by_code() -> dict[str, Rule]:
    return {rule.code: rule for rule in all_rules()}


def get_rule(code: str) -> Rule | None:
    return rules_by_code().get(code.upper())


def rule_url(code: str) -> str:
    """The link a diagnostic of `code` carries to the rule's page."""
    return f"{RULE_DOCS}{code}.md"
