"""Machine-readable output with ruff's keys, so tools that read ruff's JSON read ours."""

from __future__ import annotations

import json
from collections.abc import Sequence

from wdlint.diagnostics import Diagnostic


def json_array(diagnostics: Sequence[Diagnostic]) -> str:
    return json.dumps([d.to_dict() for d in diagnostics], indent=2) + "\n"


def json_lines(diagnostics: Sequence[Diagnostic]) -> str:
    return "".join(json.dumps(d.to_dict()) + "\n" for d in diagnostics)
