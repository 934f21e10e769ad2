import textwrap

import pytest

import wdlint

MISTAKE = "torch.optim.Adam(m.parameters(), weight_decay=1e-4)"


def codes(source: str) -> list[str]:
    return [d.code for d in wdlint.lint_source(textwrap.dedent(source))]


@pytest.mark.parametrize(
    ("comment", "left"),
    (
        ("# noqa", []),
        ("# noqa: WD101", ["WD201"]),
        ("# noqa: wd101, wd201", []),
        ("# NOQA:WD101,WD201", []),
        ("# noqa: WD101 WD201", []),
        ("# noqa: WD102", ["WD101", "WD201"]),
        ("# a comment", ["WD101", "WD201"]),
        ("# noqa: E501  # and why", ["WD101", "WD201"]),
    ),
)
def test_line_noqa(comment, left):
    assert codes(f"import torch\nopt = {MISTAKE}  {comment}\n") == left


def test_noqa_in_a_string_is_not_a_comment():
    assert codes(f"import torch\nopt = {MISTAKE}; s = '# noqa'\n") == ["WD101", "WD201"]


def test_multi_line_call_is_suppressed_on_its_first_line():
    source = """\
    import torch
    opt = torch.optim.Adam(  # noqa: WD201
        m.parameters(),
        weight_decay=1e-4,
    )
    """
    assert codes(source) == ["WD101"]


def test_noqa_on_the_reported_line_works_too():
    source = """\
    import torch
    opt = torch.optim.Adam(
        m.parameters(),  # noqa: WD201
        weight_decay=1e-4,
    )
    """
    assert codes(source) == ["WD101"]


@pytest.mark.parametrize(
    ("header", "left"),
    (
        ("# wdlint: noqa", []),
        ("# wdlint: noqa: WD101", ["WD201"]),
        ("#wdlint:noqa:wd201", ["WD101"]),
        ("# WDLINT: NOQA", []),
        ("# noqa", ["WD101", "WD201"]),  # a bare noqa on another line is not file level
    ),
)
def test_file_level_noqa(header, left):
    assert codes(f"{header}\nimport torch\nopt = {MISTAKE}\n") == left


def test_parse_errors_are_not_suppressed():
    assert codes("# wdlint: noqa\nimport torch\nopt = torch.optim.Adam(\n") == ["WD001"]


def test_comments_are_read_only_for_a_noqa_that_may_apply(monkeypatch):
    """Tokenizing a module costs more than parsing it: a `noqa` on other lines (flake8's) leaves
    the comments unread."""
    import wdlint.frontends.python as python

    tokenized = []
    read = python.comments
    monkeypatch.setattr(python, "comments", lambda text: tokenized.append(text) or read(text))
    elsewhere = f"import os  # noqa: F401\nimport torch\nopt = {MISTAKE}\n"
    assert codes(elsewhere) == ["WD101", "WD201"]
    assert tokenized == []
    assert codes(f"import torch\nopt = {MISTAKE}  # NoQA\n") == []
    assert len(tokenized) == 1
    assert codes(f"# Wdlint: NOQA\nimport os  # noqa\nimport torch\nopt = {MISTAKE}\n") == []
    assert len(tokenized) == 2


def test_a_noqa_on_a_line_past_the_end_of_the_rows_is_harmless():
    assert codes(f"import torch\nopt = {MISTAKE}\n# noqa") == ["WD101", "WD201"]
