"""The README's rule table and the rule pages `docs/rules/WDnnn.md`, generated from the registry
so that neither ever disagrees with the rules (a test fails when either is stale).

`python -m wdlint.rules.catalog [ROOT]` rewrites both under ROOT (default: the current directory).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from wdlint.diagnostics import Applicability
from wdlint.rules import all_rules

START, END = "<!-- rule-table:start -->", "<!-- rule-table:end -->"
_SECTION = re.compile(re.escape(START) + r".*?" + re.escape(END), re.DOTALL)
_FIX = {None: "", Applicability.SAFE: "safe", Applicability.UNSAFE: "unsafe"}
README = Path("README.md")
PAGES = Path("docs", "rules")


def page_path(code: str) -> Path:
    """A rule's page, relative to the repository root (the README links to it this way)."""
    return PAGES / f"{code}.md"


def markdown_table() -> str:
    rows = ["| code | name | what it flags | default | fix |", "|---|---|---|---|---|"]
    for rule in all_rules():
        default = "on" if rule.default_on else "opt-in"
        code = f"[{rule.code}]({page_path(rule.code).as_posix()})"
        rows.append(f"| {code} | {rule.name} | {rule.summary} | {default} | {_FIX[rule.fix]} |")
    return "\n".join(rows)


def with_table(readme: str) -> str:
    return _SECTION.sub(lambda _: f"{START}\n{markdown_table()}\n{END}", readme)


def generated(root: Path) -> dict[Path, str]:
    """Every generated file under `root` with the text it should have."""
    readme = root / README
    files = {readme: with_table(readme.read_text(encoding="utf-8"))}
    files.update({root / page_path(rule.code): rule.markdown() for rule in all_rules()})
    return files


def stale(root: Path) -> list[Path]:
    """Generated files that differ from what the registry gives, and pages of no rule."""
    files = generated(root)
    differ = [path for path, text in files.items() if not path.is_file() or _read(path) != text]
    orphans = [path for path in sorted((root / PAGES).glob("*.md")) if path not in files]
    return differ + orphans


def write(root: Path) -> None:
    for path, text in generated(root).items():
        path.parent.mkdir(parents=True, exist_ok=True)
        # newline="" keeps "\n" on every platform: the test compares the text exactly
        path.write_text(text, encoding="utf-8", newline="")
    for path in stale(root):  # what is still stale now is a page of a rule that no longer exists
        path.unlink()


def _read(path: Path) -> str:
    with path.open(encoding="utf-8", newline="") as file:
        return file.read()


def main() -> None:
    write(Path(sys.argv[1] if len(sys.argv) > 1 else "."))


if __name__ == "__main__":
    main()
