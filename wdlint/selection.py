"""Which rules run: `select`, `extend-select` and `ignore` over codes, prefixes and ALL.

As in ruff, the default selection is the default-on rules; a selector that names a code or a
prefix turns on everything it names, opt-in rules included. The more specific selector wins
when `select` and `ignore` disagree (`ignore = ["WD1"]` with `select = ["WD101"]` keeps WD101).
"""

from __future__ import annotations

from collections.abc import Iterable

from wdlint.rules import all_rules, rule_codes

PARSE_ERROR = "WD001"  # a file that cannot be linted: never ignored
ALWAYS_ON = frozenset({PARSE_ERROR})


def is_valid_selector(selector: str) -> bool:
    selector = selector.upper()
    return selector == "ALL" or any(code.startswith(selector) for code in rule_codes())


def _matches(selector: str, code: str) -> bool:
    selector = selector.upper()
    return selector == "ALL" or code.startswith(selector)


def _specificity(selector: str) -> int:
    return -1 if selector.upper() == "ALL" else len(selector)


def enabled_codes(
    select: Iterable[str] | None,
    extend_select: Iterable[str] = (),
    ignore: Iterable[str] = (),
) -> frozenset[str]:
    selectors = list(extend_select) if select is None else [*select, *extend_select]
    ignores = list(ignore)
    enabled = set(ALWAYS_ON)
    for rule in all_rules():
        picked = [s for s in selectors if _matches(s, rule.code)]
        dropped = [s for s in ignores if _matches(s, rule.code)]
        on = bool(picked) or (select is None and rule.default_on)
        if dropped and on:
            best_pick = max(map(_specificity, picked), default=-2)
            on = best_pick > max(map(_specificity, dropped))
        if on:
            enabled.add(rule.code)
    return frozenset(enabled)


def ignored_by(selectors: Iterable[str], code: str) -> bool:
    return code not in ALWAYS_ON and any(_matches(s, code) for s in selectors)
