import re
from pathlib import Path

import pytest

import wdlint
from wdlint.rules import all_rules, get_rule

RULES = {rule.code: rule for rule in all_rules()}
RULE_DIR = Path(wdlint.__file__).parent / "rules"


def test_every_rule_module_is_registered():
    modules = {p.stem.split("_")[0].upper() for p in RULE_DIR.glob("wd[0-9][0-9][0-9]_*.py")}
    assert modules == set(RULES)


def test_codes_and_names_are_unique_and_well_formed():
    names = [rule.name for rule in RULES.values()]
    assert len(set(names)) == len(names)
    for code, rule in RULES.items():
        assert re.fullmatch(r"WD\d{3}", code)
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name)
        module = RULE_DIR / f"{code.lower()}_{rule.name.replace('-', '_')}.py"
        assert module.exists(), f"{code} should live in {module.name}"


def test_get_rule_is_case_insensitive():
    assert get_rule("wd101") is RULES["WD101"]
    assert get_rule("WD999") is None


@pytest.mark.parametrize("rule", [r for r in RULES.values() if r.check is not None], ids=lambda r: r.code)
def test_documented_example_fires_and_fix_is_quiet(rule):
    fired = {d.code for d in wdlint.lint_source(rule.example, select=[rule.code])}
    assert rule.code in fired
    quiet = {d.code for d in wdlint.lint_source(rule.use_instead, select=[rule.code])}
    assert rule.code not in quiet


def test_parse_error_example_is_a_parse_error():
    rule = RULES["WD001"]
    assert [d.code for d in wdlint.lint_source(rule.example)] == ["WD001"]
    assert wdlint.lint_source(rule.use_instead, select=["WD001"]) == []


@pytest.mark.parametrize("rule", RULES.values(), ids=lambda r: r.code)
def test_page_has_ruff_sections(rule):
    page = rule.markdown()
    assert page.startswith(f"# {rule.name} ({rule.code})")
    for heading in ("## What it does", "## Why is this bad?", "## Example", "## Use instead"):
        assert heading in page
