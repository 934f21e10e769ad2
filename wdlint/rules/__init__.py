"""The rule registry: every `wdNNN_*.py` module in this package defines one `RULE`, whose code
is the module's name (`wd201_decay_on_bias_and_norm` defines WD201)."""

from __future__ import annotations

import importlib
import os
from functools import cache

TYPE_CHECKING = False  # `typing` is for type checkers: the hook never imports it (docs/architecture.md)

if TYPE_CHECKING:
    from wdlint.rules.base import Rule


# Where each rule's page lives: `docs/rules/WDnnn.md`, generated from `Rule.markdown()` by
# `python -m wdlint.rules.catalog`. Relative to the repository root while the project has no
# public home; set it to that home's absolute `docs/rules/` URL and every `Diagnostic.url` and
# SARIF `helpUri` follows.
RULE_DOCS = "docs/rules/"


@cache
def _rule_modules() -> tuple[str, ...]:
    try:  # the package's folder, listed (pkgutil imports inspect, dear for a one-file run)
        names = {name.removesuffix(".py") for folder in __path__ for name in os.listdir(folder) if name.endswith(".py")}
    except OSError:  # not a folder (a zip archive): pkgutil knows every importer
        import pkgutil

        names = {info.name for info in pkgutil.iter_modules(__path__)}
    return tuple(sorted(name for name in names if _is_rule_module(name)))


def _is_rule_module(name: str) -> bool:
    """`wd`, three digits, `_` and a word: `re.fullmatch(r"wd\d{3}_\w+", name)` without
    compiling a pattern in every run (`\d` is a decimal digit, `\w` alphanumeric or `_`)."""
    return name.startswith("wd") and name[2:5].isdecimal() and name[5:6] == "_" and name[6:].replace("_", "a").isalnum()


@cache
def rule_codes() -> tuple[str, ...]:
    """Every rule's code, from the names of the rule modules: checking a selector or keying a
    cache loads no rule (and none of their documentation)."""
    return tuple(name[:5].upper() for name in _rule_modules())


@cache
def all_rules() -> tuple[Rule, ...]:
    rules = [importlib.import_module(f"{__name__}.{name}").RULE for name in _rule_modules()]
    return tuple(sorted(rules, key=lambda rule: rule.code))


@cache
def rules_by_code() -> dict[str, Rule]:
    return {rule.code: rule for rule in all_rules()}


def get_rule(code: str) -> Rule | None:
    return rules_by_code().get(code.upper())


def rule_url(code: str) -> str:
    """The link a diagnostic of `code` carries to the rule's page."""
    return f"{RULE_DOCS}{code}.md"
