"""GitLab Code Quality JSON (a subset of Code Climate's), shown in merge requests.

A finding's fingerprint is what GitLab tells new findings from old ones by, so it hashes the
code, the path and the message, never the line: a finding that moves stays the same finding.
Identical findings in one file are told apart by an occurrence counter.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from wdlint.diagnostics import Diagnostic
from wdlint.output.ci import in_file_lines, is_error, located_message, report_path

TYPE_CHECKING = False  # `typing` is for type checkers: the hook never imports it (docs/architecture.md)
if TYPE_CHECKING:
    from typing import Any


def gitlab(diagnostics: Sequence[Diagnostic], root: Path) -> str:
    seen: Counter[tuple[str, str, str]] = Counter()
    issues = []
    for diagnostic in diagnostics:
        path = report_path(diagnostic.filename, root)
        key = (diagnostic.code, path, diagnostic.message)
        issues.append(_issue(diagnostic, path, fingerprint(*key, seen[key])))
        seen[key] += 1
    return json.dumps(issues, indent=2) + "\n"


def fingerprint(code: str, path: str, message: str, occurrence: int) -> str:
    return hashlib.sha256("\0".join((code, path, message, str(occurrence))).encode()).hexdigest()


def _issue(diagnostic: Diagnostic, path: str, fingerprint: str) -> dict[str, Any]:
    # a notebook cell's rows are not the file's: point at the file, the description names the cell
    line = diagnostic.location.row if in_file_lines(diagnostic) else 1
    return {
        "description": f"{diagnostic.code}: {located_message(diagnostic)}",
        "check_name": diagnostic.code,
        "fingerprint": fingerprint,
        "severity": "critical" if is_error(diagnostic) else "major",
        "location": {"path": path, "lines": {"begin": line}},
    }
