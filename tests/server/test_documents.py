"""The server's parts that need no client: which documents are linted and how, settings kept
and read again, positions and edits in the protocol's terms."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec

from wdlint.diagnostics import Position
from wdlint.frontends.formats import PYTHON
from wdlint.frontends.formats.deepspeed import DEEPSPEED_CONFIG
from wdlint.frontends.formats.notebook import NOTEBOOK
from wdlint.frontends.formats.yaml_config import YAML_CONFIG
from wdlint.server.convert import Lines, replacement
from wdlint.server.documents import Linter, format_of

TRAIN = "import torch\nopt = torch.optim.Adam(model.parameters(), weight_decay=0.1)\n"


@pytest.mark.parametrize(
    ("name", "language", "expected"),
    (
        pytest.param("train.py", "python", PYTHON, id="python"),
        pytest.param("train.py", None, PYTHON, id="suffix decides"),
        pytest.param("nb.ipynb", "json", NOTEBOOK, id="a notebook's JSON"),
        pytest.param("train.yaml", "yaml", YAML_CONFIG, id="yaml"),
        pytest.param("ds_config.json", "json", DEEPSPEED_CONFIG, id="json"),
        pytest.param("train", "python", PYTHON, id="a script without suffix"),
        pytest.param("optim.cfg", "yaml", YAML_CONFIG, id="yaml by language"),
        pytest.param("NOTES.md", "markdown", None, id="markdown: not read"),
        pytest.param("Makefile", "makefile", None, id="makefile: not read"),
        pytest.param("pyproject.toml", "toml", None, id="toml: not read"),
    ),
)
def test_format_of(name: str, language: str | None, expected: object) -> None:
    assert format_of(name, language) is expected


def test_settings_are_kept_and_read_again_when_the_config_changes(tmp_path: Path) -> None:
    config = tmp_path / "pyproject.toml"
    config.write_text('[tool.wdlint]\nignore = ["WD101"]\n')
    linter = Linter(tmp_path)
    path = tmp_path / "train.py"
    assert linter.settings(path) is linter.settings(path)  # kept
    lint = linter.lint_for(path, "train.py", PYTHON)
    assert lint is not None and {d.code for d in lint(TRAIN)} == {"WD201"}
    config.write_text('[tool.wdlint]\nignore = ["WD2"]\n')  # another size: seen at once
    lint = linter.lint_for(path, "train.py", PYTHON)
    assert lint is not None and {d.code for d in lint(TRAIN)} == {"WD101"}


def test_a_new_config_file_counts_once_settings_are_forgotten(tmp_path: Path) -> None:
    linter = Linter(tmp_path)
    path = tmp_path / "sub" / "train.py"
    assert linter.settings(path).config_path is None
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "wdlint.toml").write_text("ignore = []\n")
    linter.forget_settings()
    assert linter.settings(path).config_path == tmp_path / "sub" / "wdlint.toml"


def test_a_broken_config_is_never_kept(tmp_path: Path) -> None:
    from wdlint.config import ConfigError

    config = tmp_path / "wdlint.toml"
    config.write_text("ignroe = []\n")
    linter = Linter(tmp_path)
    with pytest.raises(ConfigError, match="unknown key `ignroe`"):
        linter.settings(tmp_path / "train.py")
    config.write_text("ignore = []\n")
    os.utime(config, ns=(1, 1))  # whatever the time, the fix is read
    assert linter.settings(tmp_path / "train.py").config_path == config


def test_lint_prefilters_as_check_does(tmp_path: Path) -> None:
    lint = Linter(tmp_path).lint_for(tmp_path / "util.py", "util.py", PYTHON)
    assert lint is not None
    assert lint("def f(:\n") == []  # names no optimizer: never parsed
    assert [d.code for d in lint("import torch\nopt = torch.optim.Adam(p,\n")] == ["WD001"]


def test_excluded_documents_are_not_linted(tmp_path: Path) -> None:
    (tmp_path / "wdlint.toml").write_text('extend-exclude = ["generated"]\n')
    linter = Linter(tmp_path)
    assert linter.lint_for(tmp_path / "generated" / "train.py", "train.py", PYTHON) is None
    assert linter.lint_for(tmp_path / "train.py", "train.py", PYTHON) is not None


@pytest.mark.parametrize(
    ("encoding", "column"),
    ((types.PositionEncodingKind.Utf16, 10), (types.PositionEncodingKind.Utf32, 9), (types.PositionEncodingKind.Utf8, 12)),
)
def test_positions_in_code_units(encoding: str, column: int) -> None:
    lines = Lines('x = "\U0001f600"; y\n', PositionCodec(encoding))
    # `y` is the 10th character: the emoji before it is 2 UTF-16 units and 4 UTF-8 bytes
    assert lines.position(Position(1, 10)) == types.Position(0, column)


def test_positions_past_the_end_and_lines_as_python_breaks_them() -> None:
    lines = Lines("a\x0cb\r\nc", PositionCodec())  # a form feed breaks no line
    assert lines.position(Position(2, 2)) == types.Position(1, 1)
    assert lines.position(Position(9, 1)) == types.Position(1, 1)  # past the end: the end
    assert lines.end() == types.Position(1, 1)


@pytest.mark.parametrize(
    ("old", "new"),
    (
        pytest.param("abc\n", "abXc\n", id="insert"),
        pytest.param("a = Adam(p)\n", "a = AdamW(p)\n", id="grow"),
        pytest.param("x\r\ny\r\n", "x\r\nz\r\ny\r\n", id="crlf: never inside a line break"),
        pytest.param("x\r\ny\r\n", "x\r\n", id="crlf: a line removed"),
        pytest.param("same\n", "same\n", id="nothing"),
        pytest.param("", "new\n", id="from empty"),
    ),
)
def test_replacement_turns_old_into_new(old: str, new: str) -> None:
    codec = PositionCodec()
    edit = replacement(old, new, codec)
    lines = old.splitlines(keepends=True) or [""]

    def offset(position: types.Position) -> int:
        return sum(len(line) for line in lines[: position.line]) + position.character

    start, end = offset(edit.range.start), offset(edit.range.end)
    for position in (edit.range.start, edit.range.end):
        before = old[: offset(position)]
        assert not (before.endswith("\r") and old[offset(position) : offset(position) + 1] == "\n")
    assert old[:start] + edit.new_text + old[end:] == new
