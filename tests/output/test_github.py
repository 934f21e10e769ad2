"""`--output-format github`: GitHub Actions workflow commands, escaped as the runner reads them."""

from __future__ import annotations

from ci_examples import ALL, ROOT

from wdlint.output.github import escape_data, escape_property, github


def test_one_command_per_finding():
    assert github(ALL, ROOT).splitlines() == [
        # a notebook finding annotates the file; its cell position leads the message
        "::warning file=nb.ipynb,line=1,title=wdlint (WD101)::cell 3:1:7: Adam with L2",
        # a file that could not be parsed is an error; `,` in a property and a newline escaped
        (
            "::error file=src/a%2Cb.py,line=3,col=1,endLine=3,endColumn=1,title=wdlint (WD001)"
            "::invalid syntax%0Aat the end"
        ),
        (
            "::warning file=src/train.py,line=2,col=24,endLine=2,endColumn=38,title=wdlint (WD201)"
            "::`m.parameters()` decays 100%25 of params, biases: too"
        ),
        "::warning file=src/train.py,line=7,col=5,endLine=7,endColumn=9,title=wdlint (WD501)::by position",
        "::warning file=src/train.py,line=9,col=5,endLine=9,endColumn=9,title=wdlint (WD501)::by position",
    ]


def test_nothing_found_prints_nothing():
    assert github([], ROOT) == ""


def test_escapes():
    assert escape_data("50%\r\na: b, c") == "50%25%0D%0Aa: b, c"
    assert escape_property("50%\r\na: b, c") == "50%25%0D%0Aa%3A b%2C c"
