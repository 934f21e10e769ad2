"""`--output-format sarif`: SARIF 2.1.0, validated against the OASIS schema (tests/data)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from ci_examples import ALL, FIXED, IN_CELL, PARSE_ERROR, ROOT
from click.testing import CliRunner

import wdlint.rules
from wdlint import __version__
from wdlint.cli import cli
from wdlint.output.sarif import sarif, sarif_log
from wdlint.rules import all_rules

SCHEMA = json.loads((Path(__file__).parents[1] / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))


def validate(log: dict) -> None:
    jsonschema.Draft4Validator.check_schema(SCHEMA)
    jsonschema.Draft4Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(log)


def test_the_log_is_valid_sarif():
    validate(json.loads(sarif(ALL, ROOT)))
    validate(json.loads(sarif([], ROOT)))


def test_the_schema_catches_a_broken_log():
    log = sarif_log([FIXED], ROOT)
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    with pytest.raises(jsonschema.ValidationError):
        validate(log)


def test_driver_describes_every_static_rule():
    driver = sarif_log([], ROOT)["runs"][0]["tool"]["driver"]
    assert (driver["name"], driver["version"], driver["informationUri"]) == (
        "wdlint",
        __version__,
        "https://pypi.org/project/wdlint/",
    )
    static = [rule for rule in all_rules() if rule.static]
    assert [d["id"] for d in driver["rules"]] == [rule.code for rule in static]
    wd201 = next(d for d in driver["rules"] if d["id"] == "WD201")
    rule = wdlint.rules.get_rule("WD201")
    assert rule is not None
    assert wd201["name"] == "decay-on-bias-and-norm"
    assert wd201["shortDescription"] == {"text": rule.summary}
    assert wd201["fullDescription"]["text"].startswith(rule.what_it_does.strip())
    assert wd201["help"] == {"text": rule.markdown(), "markdown": rule.markdown()}
    assert wd201["defaultConfiguration"] == {"enabled": True, "level": "warning"}
    wd104 = next(d for d in driver["rules"] if d["id"] == "WD104")
    assert wd104["defaultConfiguration"]["enabled"] is False  # opt-in
    # SARIF wants an absolute helpUri; the rule pages' link is repo-relative until a home is set
    assert "helpUri" not in wd201


def test_help_uri_follows_an_absolute_rule_docs_base(monkeypatch):
    monkeypatch.setattr(wdlint.rules, "RULE_DOCS", "https://example.org/wdlint/docs/rules/")
    log = sarif_log([FIXED], ROOT)
    validate(log)
    wd201 = next(d for d in log["runs"][0]["tool"]["driver"]["rules"] if d["id"] == "WD201")
    assert wd201["helpUri"] == "https://example.org/wdlint/docs/rules/WD201.md"


def test_results():
    run = sarif_log(ALL, ROOT)["runs"][0]
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": "file:///repo/"}}
    assert run["columnKind"] == "unicodeCodePoints"
    results = {(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"]): r for r in run["results"]}
    fixed = results[("WD201", 2)]
    location = {"uri": "src/train.py", "uriBaseId": "%SRCROOT%"}
    assert fixed == {
        "ruleId": "WD201",
        "level": "warning",
        "message": {"text": FIXED.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": location,
                    "region": {"startLine": 2, "startColumn": 24, "endLine": 2, "endColumn": 38},
                }
            }
        ],
        "ruleIndex": [d["id"] for d in run["tool"]["driver"]["rules"]].index("WD201"),
        "fixes": [
            {
                "description": {"text": "Split into param groups"},
                "artifactChanges": [
                    {
                        "artifactLocation": location,
                        "replacements": [
                            {
                                "deletedRegion": {"startLine": 2, "startColumn": 24, "endLine": 2, "endColumn": 38},
                                "insertedContent": {"text": "groups(m)"},
                            }
                        ],
                    }
                ],
                "properties": {"applicability": "unsafe"},
            }
        ],
    }
    parse_error = results[("WD001", PARSE_ERROR.location.row)]
    assert parse_error["level"] == "error"
    assert parse_error["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "src/a%2Cb.py"
    cell = results[("WD101", 1)]
    assert cell["message"] == {"text": f"cell 3:1:7: {IN_CELL.message}"}
    assert cell["locations"][0]["physicalLocation"]["region"] == {"startLine": 1}
    assert "fixes" not in cell


def test_paths_outside_the_run_directory_are_file_uris():

    outside = FIXED._replace(filename="/elsewhere/train.py")
    result = sarif_log([outside], ROOT)["runs"][0]["results"][0]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"] == {"uri": "file:///elsewhere/train.py"}


def test_check_writes_valid_sarif(tmp_path, monkeypatch):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "train.py").write_text("import torch\nopt = torch.optim.Adam(m.parameters(), weight_decay=1e-4)\n")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["check", "--output-format", "sarif", "src"], catch_exceptions=False)
    assert result.exit_code == 1
    log = json.loads(result.stdout)
    validate(log)
    run = log["runs"][0]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.as_uri() + "/"
    assert [(r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]) for r in run["results"]] == [
        ("WD101", "src/train.py"),
        ("WD201", "src/train.py"),
    ]
