"""The rule table of the README, generated from the registry so the two never disagree."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from wdlint.diagnostics import Applicability
from wdlint.rules import all_rules

START, END = "<!-- rule-table:start -->", "<!-- rule-table:end -->"
_SECTION = re.compile(re.escape(START) + r".*?" + re.escape(END), re.DOTALL)
_FIX = {None: "", Applicability.SAFE: "safe", Applicability.UNSAFE: "unsafe"}


def markdown_table() -> str:
    rows = ["| code | name | what it flags | default | fix |", "|---|---|---|---|---|"]
    for rule in all_rules():
        default = "on" if rule.default_on else "opt-in"
        rows.append(f"| {rule.code} | {rule.name} | {rule.summary} | {default} | {_FIX[rule.fix]} |")
    return "\n".join(rows)


def with_table(readme: str) -> str:
    return _SECTION.sub(lambda _: f"{START}\n{markdown_table()}\n{END}", readme)


def main() -> None:
    """`python -m wdlint.rules.catalog README.md` rewrites the table in place."""
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "README.md")
    path.write_text(with_table(path.read_text(encoding="utf-8")), encoding="utf-8")


if __name__ == "__main__":
    main()
