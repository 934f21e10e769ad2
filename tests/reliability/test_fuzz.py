"""No input crashes the linter, every position lies inside its file, and a fix never breaks one.

Inputs: generated programs (hypothesmith) around real optimizer code, generated optimizer calls,
and real optimizer code (the fixtures, every rule's documented example) mutated as editors and
half-saved files mutate it; notebooks and config files likewise. `fuzz_strategies` holds the
inputs and the properties (`PROPERTIES`), which `bench/fuzz.py` runs for minutes instead of
seconds. The regression tests at the end pin the smallest input of each bug the properties
found.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from fuzz_strategies import (
    CONFIG_SNIPPETS,
    NOTEBOOK_SNIPPETS,
    PROPERTIES,
    Snippet,
    check_cli_fix,
    check_config,
    check_notebook,
    check_python,
    check_python_bytes,
    encoded,
    run_cli,
)
from hypothesis import HealthCheck, given, settings

# hypothesmith compiles what it generates, which warns about calls like `1()`
pytestmark = pytest.mark.filterwarnings("ignore::SyntaxWarning")


def bounded(examples: int) -> settings:
    """Few enough examples that the whole module stays under ~30 s on two cores."""
    return settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck))


@bounded(120)
@given(PROPERTIES["any_valid_program"].strategy())
def test_any_valid_program(text: str) -> None:
    PROPERTIES["any_valid_program"].check(text)


@bounded(200)
@given(PROPERTIES["any_text"].strategy())
def test_any_text(text: str) -> None:
    PROPERTIES["any_text"].check(text)


@bounded(500)
@given(PROPERTIES["any_optimizer_call"].strategy())
def test_any_optimizer_call(source: str) -> None:
    PROPERTIES["any_optimizer_call"].check(source)


@bounded(800)
@given(PROPERTIES["mutated_optimizer_code"].strategy())
def test_mutated_optimizer_code(snippet: Snippet) -> None:
    """Tokens deleted, duplicated, swapped; truncated; stray brackets, quotes, NULs, breaks."""
    PROPERTIES["mutated_optimizer_code"].check(snippet)


@bounded(800)
@given(PROPERTIES["edited_optimizer_code"].strategy())
def test_edited_optimizer_code(snippet: Snippet) -> None:
    """Edits that mostly keep the code valid, so extraction, the rules and the fixes see them."""
    PROPERTIES["edited_optimizer_code"].check(snippet)


@bounded(250)
@given(PROPERTIES["python_files_as_bytes"].strategy())
def test_python_files_as_bytes(file: tuple[bytes, str]) -> None:
    """BOMs, coding cookies, other encodings and invalid bytes: linted, then fixed on disk."""
    PROPERTIES["python_files_as_bytes"].check(file)


@bounded(500)
@given(PROPERTIES["mutated_configs"].strategy())
def test_mutated_configs(snippet: Snippet) -> None:
    PROPERTIES["mutated_configs"].check(snippet)


@bounded(200)
@given(PROPERTIES["generated_notebooks"].strategy())
def test_generated_notebooks(data: bytes) -> None:
    PROPERTIES["generated_notebooks"].check(data)


@bounded(150)
@given(PROPERTIES["mutated_notebook_json"].strategy())
def test_mutated_notebook_json(snippet: Snippet) -> None:
    PROPERTIES["mutated_notebook_json"].check(snippet)


@bounded(20)
@given(PROPERTIES["fixing_stdin"].strategy())
def test_fixing_stdin(snippet: Snippet) -> None:
    PROPERTIES["fixing_stdin"].check(snippet)


@bounded(20)
@given(PROPERTIES["fixing_stdin_of_other_formats"].strategy())
def test_fixing_stdin_of_other_formats(snippet: Snippet) -> None:
    PROPERTIES["fixing_stdin_of_other_formats"].check(snippet)


def test_every_property_is_tested() -> None:
    """bench/fuzz.py runs `PROPERTIES`; the suite must run each of them too."""
    module = sys.modules[__name__]
    assert sorted(name for name in PROPERTIES if not hasattr(module, f"test_{name}")) == []


# -- the smallest input of each bug found ------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        # WD101's AdamW edit replaces the last four characters of the called expression, here
        # `0.1)` of the partial: `weight_decay=AdamW(params)` does not parse, so fix_text drops
        # the whole pass, the file's other fixes with it
        pytest.param(
            "import torch\nimport functools\nopt = functools.partial(torch.optim.Adam, weight_decay=0.1)(params)\n",
            id="WD101-partial-called",
        ),
        # the same edit on a name bound to a partial: `opt = AdamW(...)`, AdamW bound nowhere
        pytest.param(
            "import torch\nimport functools\nmake = functools.partial(torch.optim.Adam, weight_decay=0.1)\n"
            "opt = make(model.parameters())\n",
            id="WD101-partial-name",
        ),
        # ast's span of a parenthesized argument leaves the parentheses out: the keyword lands
        # inside them, `(momentum=0.9)`
        pytest.param("import torch\nopt = torch.optim.SGD(params, 0.1, (0.9))\n", id="WD501-parenthesized"),
        pytest.param("import torch\nopt = torch.optim.AdamW((params))\n", id="WD104-parenthesized"),
        # `*a` counted as one positional argument: `momentum=0.9, momentum=0.5` does not compile
        pytest.param("import torch\nopt = torch.optim.SGD(*a, 0.1, 0.9, momentum=0.5)\n", id="WD501-starred"),
        # the flag given by position and by keyword (a TypeError): the fix sets the keyword,
        # which is the value the extraction reads
        pytest.param(
            "import torch\nopt = torch.optim.NAdam(g, 0, 'x', -1, 'x', 'x', 0, decoupled_weight_decay=0)\n",
            id="WD101-flag-twice",
        ),
    ],
)
def test_fix_regressions(source: str) -> None:
    check_python(source)


def test_syntax_error_column_is_counted_in_the_linted_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # CPython re-reads the line of an indentation error from the file it is told the text came
    # from; an editor's unsaved buffer (`--stdin-filename train.py`) is not that file
    monkeypatch.chdir(tmp_path)
    (tmp_path / "train.py").write_text("import torch\nif x:\n    a\n  bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\n")
    check_python("import torch\nif x:\n    a\n  \u00e9\u00e9 = torch.optim.AdamW\n", "train.py", fix=False)


@pytest.mark.parametrize(
    "data",
    [
        # CPython rejects a second BOM (U+FEFF is not a character of Python); wdlint strips it,
        # finds the WD201, and the fix writes one BOM, which activates the cp1252 cookie: the
        # fixed file cannot be decoded by CPython or wdlint
        pytest.param(
            b"\xef\xbb\xbf\xef\xbb\xbf# coding: cp1252\nimport torch\n"
            b"opt = torch.optim.SGD(m.parameters(), lr=0.1, weight_decay=5e-4)\n",
            id="second-bom",
        ),
        # CPython finds the cookie after a non-UTF-8 byte on its line; tokenize.detect_encoding,
        # which wdlint uses, gives up: a WD001 for a file that runs
        pytest.param(
            b"# M\xfcller -*- coding: latin-1 -*-\nimport torch\nopt = torch.optim.AdamW(m.parameters())\n",
            id="cookie-after-latin-1",
        ),
        # with a UTF-8 cookie, CPython lets comments hold other bytes (a Latin-1 `é`); not
        # before the cookie's line, and not in code or strings
        pytest.param(b"#\xff coding: utf-8\nimport torch\nopt = torch.optim.AdamW(m.parameters())\n", id="bytes-in-cookie-line"),
        pytest.param(b"# coding: utf-8\nimport torch  # \xe9\nopt = torch.optim.AdamW(m.parameters())\n", id="bytes-in-comment"),
        pytest.param(b"# M\xfcller\n# coding: utf-8\nimport torch\nopt = torch.optim.AdamW(m.parameters())\n", id="bytes-before-cookie"),
        pytest.param(b"# coding: utf-8\nimport torch\nopt = torch.optim.AdamW(m.parameters(), lr='\xff')\n", id="bytes-in-string"),
        # UTF-16 is no source encoding: decoded anyway, the text is one long CJK identifier
        pytest.param(b"#\x00 coding: utf-16\nimport torch\nopt = torch.optim.AdamW(m.parameters())\n", id="cookie-utf-16"),
    ],
)
def test_file_bytes_regressions(data: bytes) -> None:
    check_python_bytes(data, "train.py")


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        # JSON counts only `\n` as a line break; wdlint, as ruff, counts `\r` too
        pytest.param(b'\r{"optimizer": {"type": "Adam"}, "type": 1}}', "ds.json", id="json-cr"),
        pytest.param(b'\r{"cells": [], "x": "torch.optim.Adam"}}', "nb.ipynb", id="notebook-cr"),
        # YAML also breaks lines at NEL, LS and PS: the class name is on row 2, reported on row 3
        pytest.param(
            "a: 1\x85optimizer:\n  _target_: torch.optim.Adam\n  weight_decay: 0.1\n".encode(), "c.yaml", id="yaml-nel"
        ),
    ],
)
def test_config_positions_use_the_line_breaks_of_the_rest(data: bytes, filename: str) -> None:
    if filename.endswith(".ipynb"):
        check_notebook(data, filename)
    else:
        check_config(data, filename)


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        # `--fix` on standard input lints the text as Python whatever its name, and without the
        # prefilter: a YAML file becomes a WD001, a notebook's and a DeepSpeed config's findings
        # vanish, and Python naming no optimizer gets the WD001 a plain check never reports
        pytest.param(b"x = (\n", "x.py", id="python-without-vocabulary"),
        *(pytest.param(encoded(s.text), s.filename, id=s.filename) for s in CONFIG_SNIPPETS + NOTEBOOK_SNIPPETS),
    ],
)
def test_fixing_stdin_reports_what_a_check_reports(data: bytes, filename: str) -> None:
    check_cli_fix(data, filename)


def test_fixing_stdin_report_is_json() -> None:
    """The property above compares JSON reports: make sure it compares something."""
    result = run_cli(b"import torch\nopt = torch.optim.Adam(ps, weight_decay=1e-4)\n", "a.py", "--fix")
    assert [d["code"] for d in json.loads(result.stderr)] == ["WD101"]


def test_notebook_cell_ending_in_a_bare_cr_before_an_empty_cell() -> None:
    # the joined cells read `\r` + `\n` as one line break, a row fewer than the cells hold
    cells = ["from transformers import AdamW\r", "", "\roptimizer = AdamW(model.parameters(), lr=2e-5)\r"]
    notebook = {
        "cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "source": source} for source in cells],
        "metadata": {"language_info": {"name": "python"}},
        "nbformat": 4,
    }
    check_notebook(json.dumps(notebook).encode(), "nb.ipynb")
