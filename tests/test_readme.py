from pathlib import Path

from wdlint.rules.catalog import markdown_table, with_table

README = Path(__file__).parent.parent / "README.md"


def test_rule_table_is_current():
    text = README.read_text(encoding="utf-8")
    assert markdown_table() in text, "regenerate it: python -m wdlint.rules.catalog README.md"
    assert with_table(text) == text


def test_readme_opens_with_the_two_commands():
    text = README.read_text(encoding="utf-8")
    setup = text.split("## Set-up", 1)[1].split("\n## ", 1)[0]
    assert "pip install -e . && wdlint fixtures/" in setup
    assert 'pip install -e ".[test]" && pytest' in setup
    ci = (README.parent / ".ci" / "run").read_text()
    assert 'pip install -e ".[test]" && pytest' in ci
