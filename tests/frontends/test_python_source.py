"""Reading Python files: encodings, bad input, and positions as ruff reports them."""

import codecs

import hypothesis
import hypothesis.strategies
import pytest

from wdlint.engine.lint import lint_bytes
from wdlint.engine.runner import LintOptions
from wdlint.frontends import python as python_frontend

OPTIONS = LintOptions.from_selection()
MISTAKE = "import torch\nopt = torch.optim.Adam(m.parameters(), weight_decay=1e-4)\n"


def lint(data: bytes):
    return [(d.code, d.location.row, d.location.column, d.message) for d in lint_bytes(data, "f.py", OPTIONS).diagnostics]


def codes(data: bytes):
    return [(code, row) for code, row, _, _ in lint(data)]


def test_utf8_with_bom():
    assert codes(codecs.BOM_UTF8 + MISTAKE.encode()) == [("WD101", 2), ("WD201", 2)]


def test_coding_cookie():
    source = "# -*- coding: latin-1 -*-\n# caf\xe9\n" + MISTAKE
    assert codes(source.encode("latin-1")) == [("WD101", 4), ("WD201", 4)]


def test_crlf_line_endings():
    assert codes(MISTAKE.replace("\n", "\r\n").encode()) == [("WD101", 2), ("WD201", 2)]


def test_non_ascii_before_the_node_counts_characters():
    source = "import torch\nx = 'ééé'; opt = torch.optim.Adam(m.parameters(), weight_decay=1e-4)\n"
    [(code, row, column, _), _] = lint(source.encode())
    assert (code, row, column) == ("WD101", 2, 18)


@pytest.mark.parametrize(
    ("data", "fragment"),
    (
        pytest.param(b"import torch\nprint 'AdamW_decay_'\n", "SyntaxError", id="python 2"),
        pytest.param(b"import torch\nopt = torch.optim.Adam(\n", "SyntaxError", id="unclosed call"),
        pytest.param(b"import torch\nx = '\xff\xfe AdamW_decay_'\n", "cannot decode", id="invalid utf-8"),
        pytest.param(b"# coding: klingon\nAdamW_decay_ = 1\n", "cannot decode", id="unknown encoding"),
        pytest.param(b"import torch\nAdamW_decay_ = 1\x00\n", "", id="nul byte"),
    ),
)
def test_bad_input_is_one_parse_error(data, fragment):
    [(code, _, _, message)] = lint(data)
    assert code == "WD001"
    assert fragment in message


def test_syntax_error_position():
    [(code, row, _column, _)] = lint(b"import torch\nopt = torch.optim.Adam(m.parameters(), lr=1e-3\n")
    assert (code, row) == ("WD001", 2)


def test_empty_file_and_file_without_vocabulary():
    assert lint(b"") == []
    assert lint(b"def broken(:\n") == []  # never parsed: no optimizer vocabulary


def test_deep_nesting_does_not_crash():
    data = b"weight_decay = " + b"(" * 5000 + b"1" + b")" * 5000 + b"\n"
    assert [code for code, _, _, _ in lint(data)] in ([], ["WD001"])


def _cookie_as_patterns_read_it(data: bytes) -> tuple[str | None, list[bytes]]:
    """The cookie's reading as it was written with three patterns (the PEP's own), before the
    reader looked for lines and comments with bytes methods."""
    import re

    line_pattern = re.compile(rb"[^\r\n]*")
    first = line_pattern.match(data)
    assert first is not None
    end = first.end()
    end += 2 if data[end : end + 2] == b"\r\n" else 1
    second = line_pattern.match(data, end)
    lines = [first.group(), second.group()] if second is not None and end <= len(data) else [first.group()]
    read = []
    for line in lines:
        read.append(line)
        match = re.match(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)", line)
        if match is not None:
            return match.group(1).decode("ascii"), read
        if re.match(rb"^[ \t\f]*(?:#|$)", line) is None:
            break
    return None, read


@hypothesis.settings(max_examples=500, deadline=None)
@hypothesis.given(
    hypothesis.strategies.lists(
        hypothesis.strategies.sampled_from(
            [b" ", b"\t", b"\f", b"#", b"\r", b"\n", b"\r\n", b"coding", b":", b"=", b"latin-1", b"utf-8", b"x", b"\xe9", b"-*-"]
        ),
        max_size=24,
    ).map(b"".join)
)
def test_the_coding_cookie_is_read_as_the_pep_s_patterns_read_it(data: bytes) -> None:
    assert python_frontend._cookie(data) == _cookie_as_patterns_read_it(data)
