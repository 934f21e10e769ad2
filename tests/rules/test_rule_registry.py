import ast
import re
from pathlib import Path

import pytest

import wdlint
from wdlint.engine.fix import fix_text
from wdlint.engine.lint import lint_text
from wdlint.engine.runner import LintOptions
from wdlint.rules import all_rules, get_rule, rule_codes
from wdlint.rules.base import Reported

RULES = {rule.code: rule for rule in all_rules()}
RULE_DIR = Path(wdlint.__file__).parent / "rules"
STATIC = [rule for rule in RULES.values() if rule.static]


def documented(code: str) -> str:
    """A code block as the rule's page shows it (the positions count from its first line)."""
    return code.strip() + "\n"


def test_every_rule_module_is_registered():
    modules = {p.stem.split("_")[0].upper() for p in RULE_DIR.glob("wd[0-9][0-9][0-9]_*.py")}
    assert modules == set(RULES)
    # the codes a selector is checked against, read from the module names without importing them
    assert rule_codes() == tuple(RULES)


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


def test_where_each_rule_is_reported():
    by_front_ends = [code for code, rule in RULES.items() if rule.static_check is Reported.BY_FRONT_ENDS]
    runtime_only = [code for code, rule in RULES.items() if rule.static_check is Reported.RUNTIME_ONLY]
    assert by_front_ends == ["WD001"]
    assert runtime_only == ["WD601", "WD602", "WD603", "WD604"]
    assert [code for code in runtime_only if not RULES[code].default_on] == ["WD604"]
    runtime = [code for code, rule in RULES.items() if rule.runtime_check is not None]
    assert runtime == [
        "WD101", "WD102", "WD201", "WD204", "WD205", "WD206", "WD207", "WD301", "WD303", *runtime_only
    ]
    for rule in RULES.values():
        # the engine runs `check`; a marker is never called
        assert rule.check is (None if isinstance(rule.static_check, Reported) else rule.static_check)
        assert rule.static is (rule.static_check is not Reported.RUNTIME_ONLY)
        assert rule.runtime is (rule.runtime_check is not None)
        assert rule.static or rule.runtime, f"{rule.code} is reported by nothing"


@pytest.mark.parametrize("rule", STATIC, ids=lambda r: r.code)
def test_documented_example_fires_where_it_says(rule):
    assert rule.example_findings, f"{rule.code}'s example must say where it fires"
    diagnostics = wdlint.lint_source(documented(rule.example), "example.py", select=[rule.code])
    assert [d.location for d in diagnostics if d.code == rule.code] == list(rule.example_findings)


@pytest.mark.parametrize("rule", STATIC, ids=lambda r: r.code)
def test_use_instead_is_quiet(rule):
    diagnostics = wdlint.lint_source(documented(rule.use_instead), "example.py", select=[rule.code])
    assert rule.code not in {d.code for d in diagnostics}


@pytest.mark.parametrize("rule", RULES.values(), ids=lambda r: r.code)
def test_a_documented_fix_exactly_for_the_rules_with_one(rule):
    assert (rule.example_fixed is not None) is (rule.fix is not None)
    if not rule.static:  # a runtime-only rule's example is Python that runs an audit
        assert not rule.example_findings


@pytest.mark.parametrize("rule", [r for r in STATIC if r.fix is not None], ids=lambda r: r.code)
def test_documented_example_fixed(rule):
    options = LintOptions.from_selection([rule.code])
    outcome = fix_text(documented(rule.example), lambda text: lint_text(text, "example.py", options), True)
    assert outcome.text == documented(rule.example_fixed)


@pytest.mark.parametrize("rule", [r for r in RULES.values() if not r.static], ids=lambda r: r.code)
def test_runtime_only_example_is_python_that_audits(rule):
    """Their pages show an audit; `test_runtime_rule_examples.py` runs the same cases as data."""
    for code in (rule.example, rule.use_instead):
        ast.parse(code)
        assert "wdlint.audit(" in code


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
