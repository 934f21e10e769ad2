"""`-o/--output-file`, and the CI formats through the command line.

As ruff does, `-o` writes everything `check` would print there, the summary of the text formats
included, and prints nothing on standard output.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from wdlint.cli import cli

MISTAKE = "import torch\nopt = torch.optim.Adam(m.parameters(), weight_decay=1e-4)\n"


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "train.py").write_text(MISTAKE)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("output_format", ["full", "concise", "json", "sarif", "github", "gitlab", "junit"])
def test_output_file_gets_what_stdout_would(project, output_format):
    printed = run("--output-format", output_format, "train.py")
    written = run("--output-format", output_format, "-o", "reports/out.txt", "train.py")
    assert printed.exit_code == written.exit_code == 1
    assert written.stdout == ""
    assert (project / "reports" / "out.txt").read_text(encoding="utf-8") == printed.stdout


def test_the_text_summary_goes_to_the_file(project):
    run("--output-format", "concise", "--output-file", "out.txt", "train.py")
    assert "\nFound 2 errors.\n" in (project / "out.txt").read_text(encoding="utf-8")


def test_an_unwritable_output_file_is_exit_2(project):
    (project / "taken").write_text("a file, not a directory")
    result = run("-o", "taken/out.txt", "train.py")
    assert result.exit_code == 2
    assert "cannot write taken/out.txt" in result.stderr


def test_ci_formats_from_the_command_line(project):
    github = run("--output-format", "github", "train.py")
    assert github.stdout.splitlines()[0].startswith(
        "::warning file=train.py,line=2,col=7,endLine=2,endColumn=23,title=wdlint (WD101)::`torch.optim.Adam`"
    )
    gitlab = json.loads(run("--output-format", "gitlab", "train.py").stdout)
    assert [(i["check_name"], i["location"]) for i in gitlab] == [
        ("WD101", {"path": "train.py", "lines": {"begin": 2}}),
        ("WD201", {"path": "train.py", "lines": {"begin": 2}}),
    ]
    junit = run("--output-format", "junit", "train.py").stdout
    assert '<testsuite name="train.py" tests="2" failures="2" errors="0">' in junit


def test_a_clean_run_in_ci_formats(project):
    (project / "train.py").write_text("x = 1\n")
    assert run("--output-format", "github", ".").stdout == ""
    assert run("--output-format", "gitlab", ".").stdout == "[]\n"
    assert run("--output-format", "junit", ".").exit_code == 0
