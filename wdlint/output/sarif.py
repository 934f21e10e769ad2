"""SARIF 2.1.0, the format GitHub code scanning and other result viewers read.

One run: the tool with every rule `wdlint check` can report, and a result per diagnostic with
its location and, when it has one, its fix as a replacement of text regions.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote, urlsplit

from wdlint import __version__
from wdlint.diagnostics import Diagnostic, Fix, Position
from wdlint.output.ci import in_file_lines, is_error, located_message, report_path
from wdlint.rules import all_rules, rule_url
from wdlint.rules.base import Rule
from wdlint.selection import PARSE_ERROR

TYPE_CHECKING = False  # `typing` is for type checkers: the hook never imports it (docs/architecture.md)
if TYPE_CHECKING:
    from typing import Any

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/wdlint/"
# relative artifact URIs resolve against the directory wdlint ran in, named in the run
SRCROOT = "%SRCROOT%"


def sarif(diagnostics: Sequence[Diagnostic], root: Path) -> str:
    return json.dumps(sarif_log(diagnostics, root), indent=2) + "\n"


def sarif_log(diagnostics: Sequence[Diagnostic], root: Path) -> dict[str, Any]:
    rules = [rule for rule in all_rules() if rule.static]
    index = {rule.code: i for i, rule in enumerate(rules)}
    run = {
        "tool": {
            "driver": {
                "name": "wdlint",
                "version": __version__,
                "informationUri": INFORMATION_URI,
                "rules": [_descriptor(rule) for rule in rules],
            }
        },
        "originalUriBaseIds": {SRCROOT: {"uri": root.absolute().as_uri().rstrip("/") + "/"}},
        # our columns count characters (code points), not SARIF's default UTF-16 code units
        "columnKind": "unicodeCodePoints",
        "results": [_result(d, index, root) for d in diagnostics],
    }
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}


def _descriptor(rule: Rule) -> dict[str, Any]:
    page = rule.markdown()
    descriptor: dict[str, Any] = {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": f"{rule.what_it_does.strip()}\n\n{rule.why_is_this_bad.strip()}"},
        "help": {"text": page, "markdown": page},
        "defaultConfiguration": {
            "enabled": rule.default_on,
            "level": "error" if rule.code == PARSE_ERROR else "warning",
        },
    }
    url = rule_url(rule.code)
    if urlsplit(url).scheme:  # SARIF wants an absolute URI here; a repo-relative link is left out
        descriptor["helpUri"] = url
    return descriptor


def _result(diagnostic: Diagnostic, index: dict[str, int], root: Path) -> dict[str, Any]:
    artifact = _artifact(diagnostic.filename, root)
    if in_file_lines(diagnostic):
        region = _region(diagnostic.location, diagnostic.end_location)
    else:
        region = {"startLine": 1}  # a notebook cell's rows are not the file's: the message says where
    result: dict[str, Any] = {
        "ruleId": diagnostic.code,
        "level": "error" if is_error(diagnostic) else "warning",
        "message": {"text": located_message(diagnostic)},
        "locations": [{"physicalLocation": {"artifactLocation": artifact, "region": region}}],
    }
    if diagnostic.code in index:
        result["ruleIndex"] = index[diagnostic.code]
    if diagnostic.fix is not None and diagnostic.fix.edits and in_file_lines(diagnostic):
        result["fixes"] = [_fix(diagnostic.fix, artifact)]
    return result


def _artifact(filename: str, root: Path) -> dict[str, str]:
    path = report_path(filename, root)
    if Path(path).is_absolute():  # outside the run's directory
        return {"uri": Path(path).as_uri()}
    return {"uri": quote(path), "uriBaseId": SRCROOT}


def _region(start: Position, end: Position) -> dict[str, int]:
    # SARIF's endColumn is the column after the region, as our end positions are
    return {"startLine": start.row, "startColumn": start.column, "endLine": end.row, "endColumn": end.column}


def _fix(fix: Fix, artifact: dict[str, str]) -> dict[str, Any]:
    replacements = [
        {"deletedRegion": _region(edit.location, edit.end_location), "insertedContent": {"text": edit.content}}
        for edit in fix.edits
    ]
    return {
        "description": {"text": fix.message},
        "artifactChanges": [{"artifactLocation": artifact, "replacements": replacements}],
        # SARIF has no notion of a fix that changes behaviour; keep ours for the tools that read it
        "properties": {"applicability": fix.applicability.value},
    }
