from pathlib import Path

from wdlint.rules import all_rules
from wdlint.rules.catalog import markdown_table, stale, with_table

ROOT = Path(__file__).parent.parent
README = ROOT / "README.md"


def test_rule_table_is_current():
    text = README.read_text(encoding="utf-8")
    assert markdown_table() in text, "regenerate it: python -m wdlint.rules.catalog"
    assert with_table(text) == text


def test_rule_pages_are_current():
    assert stale(ROOT) == [], "regenerate them: python -m wdlint.rules.catalog"


def test_the_table_links_every_rule_to_its_page():
    text = README.read_text(encoding="utf-8")
    for rule in all_rules():
        assert f"| [{rule.code}](docs/rules/{rule.code}.md) | {rule.name} |" in text
        assert (ROOT / "docs" / "rules" / f"{rule.code}.md").is_file()


def test_catalog_writes_the_table_and_pages_and_drops_orphans(tmp_path):
    from wdlint.rules.catalog import write

    (tmp_path / "README.md").write_text("# x\n\n<!-- rule-table:start -->\nold\n<!-- rule-table:end -->\n")
    (tmp_path / "docs" / "rules").mkdir(parents=True)
    orphan = tmp_path / "docs" / "rules" / "WD999.md"
    orphan.write_text("a rule that no longer exists\n")
    assert orphan in stale(tmp_path)
    write(tmp_path)
    assert stale(tmp_path) == []
    assert not orphan.exists()
    assert markdown_table() in (tmp_path / "README.md").read_text(encoding="utf-8")


def test_readme_opens_with_the_two_commands():
    text = README.read_text(encoding="utf-8")
    setup = text.split("## Set-up", 1)[1].split("\n## ", 1)[0]
    assert "pip install -e . && wdlint fixtures/" in setup
    assert 'pip install -e ".[test]" && pytest' in setup
    ci = (README.parent / ".ci" / "run").read_text()
    assert 'pip install -e ".[test]" && pytest' in ci


def test_diagnostics_link_to_their_rule_page():
    import wdlint

    found = wdlint.lint_source("import torch\nopt = torch.optim.Adam(m.parameters(), weight_decay=1e-4)\n", "t.py")
    broken = wdlint.lint_source("import torch\nopt = torch.optim.Adam(\n", "t.py")
    assert [(d.code, d.url) for d in found + broken] == [
        ("WD101", "docs/rules/WD101.md"),
        ("WD201", "docs/rules/WD201.md"),
        ("WD001", "docs/rules/WD001.md"),
    ]
    assert all((ROOT / str(d.url)).is_file() for d in found + broken)
