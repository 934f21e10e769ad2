"""`wdlint check --add-noqa`: adopting wdlint in code that already has findings."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from wdlint.cli import cli
from wdlint.engine.add_noqa import with_noqa

ROOT = Path(__file__).resolve().parent.parent


def check(*args: str) -> Result:
    return CliRunner().invoke(
        cli, ["check", "--isolated", "--no-cache", "--output-format", "concise", *args], catch_exceptions=False
    )


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


SCRIPT = '''import torch

opt = torch.optim.Adam(model.parameters(), weight_decay=1e-4)  # the paper's recipe
adamw = torch.optim.AdamW(
    model.parameters(),
    lr=1e-3,
    weight_decay=0.05,
)
head = torch.optim.AdamW(model.parameters(), weight_decay=0.1)  # noqa: E501
'''

SCRIPT_WITH_NOQA = '''import torch

opt = torch.optim.Adam(model.parameters(), weight_decay=1e-4)  # the paper's recipe  # noqa: WD101, WD201
adamw = torch.optim.AdamW(  # noqa: WD201
    model.parameters(),
    lr=1e-3,
    weight_decay=0.05,
)
head = torch.optim.AdamW(model.parameters(), weight_decay=0.1)  # noqa: E501, WD201
'''


def test_comments_go_on_the_first_line_of_each_call_and_merge_with_what_is_there():
    Path("train.py").write_text(SCRIPT)
    assert check().exit_code == 1
    added = check("--add-noqa")
    assert added.exit_code == 0
    assert added.stderr == "Added 3 noqa directives.\n"
    assert Path("train.py").read_text() == SCRIPT_WITH_NOQA
    assert check().exit_code == 0  # the check is clean now: CI can be turned on


def test_a_second_run_adds_nothing():
    Path("train.py").write_text(SCRIPT)
    check("--add-noqa")
    again = check("--add-noqa")
    assert (again.exit_code, again.stderr) == (0, "Added 0 noqa directives.\n")
    assert Path("train.py").read_text() == SCRIPT_WITH_NOQA


def test_line_breaks_and_encoding_are_kept():
    Path("train.py").write_bytes(b"# -*- coding: latin-1 -*-\r\nimport torch\r\n# \xe9\r\nopt = torch.optim.Adam(ps, weight_decay=1e-4)\r\n")
    check("--add-noqa")
    assert Path("train.py").read_bytes() == (
        b"# -*- coding: latin-1 -*-\r\nimport torch\r\n# \xe9\r\n"
        b"opt = torch.optim.Adam(ps, weight_decay=1e-4)  # noqa: WD101\r\n"
    )


def test_only_the_selected_codes_are_commented():
    Path("train.py").write_text("import torch\nopt = torch.optim.Adam(model.parameters(), weight_decay=1e-4)\n")
    check("--select", "WD201", "--add-noqa")
    assert Path("train.py").read_text().endswith("weight_decay=1e-4)  # noqa: WD201\n")
    assert check().exit_code == 1  # WD101 was not selected, so it was not silenced


def test_a_finding_whose_line_ends_inside_a_string_is_reported_not_broken():
    text = 'import torch\nopt = torch.optim.Adam(ps, weight_decay=1e-4, foreach=bool("""\n"""))\n'
    Path("train.py").write_text(text)
    result = check("--add-noqa")
    assert result.exit_code == 1
    assert "train.py:2: WD101 left without a noqa comment" in result.stderr
    assert Path("train.py").read_text() == text


def test_the_lines_that_can_take_a_comment_get_one_when_another_cannot():
    text = (
        "import torch\n"
        'opt = torch.optim.Adam(ps, weight_decay=1e-4, foreach=bool("""\n"""))\n'
        "sgd = torch.optim.Adam(qs, weight_decay=1e-4)\n"
    )
    Path("train.py").write_text(text)
    result = check("--add-noqa")
    assert result.exit_code == 1
    assert result.stderr.endswith("Added 1 noqa directive.\n")
    assert Path("train.py").read_text() == text.replace("1e-4)\n", "1e-4)  # noqa: WD101\n")
    assert [line.split(":")[1] for line in check().stdout.splitlines() if line.startswith("train.py:")] == ["2"]


def test_yaml_configs_get_yaml_comments_on_the_key_that_names_the_optimizer():
    shutil.copy(ROOT / "fixtures/configs/lightning_cli/config.yaml", "config.yaml")
    original = Path("config.yaml").read_text()
    assert [line.split(" ")[1] for line in check().stdout.splitlines()[:-1]] == ["WD201", "WD101"]
    assert check("--add-noqa").exit_code == 0
    # WD101 points at the class name a line below, but its suppression is read on the section's key
    assert Path("config.yaml").read_text() == original.replace("\noptimizer:\n", "\noptimizer:  # noqa: WD101, WD201\n")
    assert check().exit_code == 0


def test_json_has_no_comments_so_its_findings_are_left_for_per_file_ignores():
    shutil.copy(ROOT / "fixtures/configs/deepspeed/ds_config_l2.json", "ds_config.json")
    original = Path("ds_config.json").read_bytes()
    result = check("--add-noqa")
    assert result.exit_code == 1
    assert "ds_config.json:" in result.stderr and "use `per-file-ignores`" in result.stderr
    assert Path("ds_config.json").read_bytes() == original


def test_notebook_cells_get_comments_and_the_rest_of_the_json_is_kept():
    shutil.copy(ROOT / "fixtures/notebooks/colab_cifar_finetune.ipynb", "nb.ipynb")
    original = json.loads(Path("nb.ipynb").read_text())
    result = check("--add-noqa")
    assert result.exit_code == 0, result.stderr
    changed = json.loads(Path("nb.ipynb").read_text())
    differing = [
        (old["source"], new["source"])
        for old, new in zip(original["cells"], changed["cells"])
        if old != new
    ]
    assert differing == [
        (
            ["optimizer = torch.optim.Adam(model.parameters(), lr=LR, weight_decay=WEIGHT_DECAY)"],
            ["optimizer = torch.optim.Adam(model.parameters(), lr=LR, weight_decay=WEIGHT_DECAY)  # noqa: WD101, WD201"],
        )
    ]
    # the unparsable cell's WD001 is never suppressed: it is all that remains
    assert [line.split(" ")[2] for line in check().stdout.splitlines()[:-1]] == ["WD001"]


def test_an_unreadable_file_is_left_alone():
    Path("broken.py").write_text("import torch\nopt = torch.optim.Adam(ps, weight_decay=1e-4\n")
    result = check("--add-noqa")
    assert result.exit_code == 0  # WD001 is never suppressed, so nothing was left undone
    assert Path("broken.py").read_text() == "import torch\nopt = torch.optim.Adam(ps, weight_decay=1e-4\n"


@pytest.mark.parametrize("other", [["--fix"], ["--diff"], ["--fix-only"], ["-"]])
def test_it_is_not_combined_with_fixes_or_standard_input(other):
    result = check("--add-noqa", *other)
    assert result.exit_code == 2
    assert "--add-noqa cannot be combined" in result.stderr


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("x = f()", "x = f()  # noqa: WD101, WD201"),
        ("x = f()   ", "x = f()  # noqa: WD101, WD201"),
        ("x = f()  # noqa: WD201", "x = f()  # noqa: WD201, WD101"),
        ("x = f()  # NOQA:E501 why", "x = f()  # noqa: E501, WD101, WD201 why"),
        ("x = f()  # noqa", None),
    ],
)
def test_the_comment_itself(line, expected):
    assert with_noqa(line, ["WD201", "WD101"]) == expected
