"""`--fix` cannot damage a file (DESIGN.md §6): it writes through a temporary file and one
rename, so a failure or an interrupt before the rename leaves the original byte for byte;
mode, line endings and encoding are kept; a file it cannot write is reported, not a
traceback; a file reached twice is fixed once."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from wdlint.cli import cli

SOURCE = (
    "import torch\n\nmodel = torch.nn.Linear(2, 2)\n"
    "opt = torch.optim.Adam(model.parameters(), 1e-3, (0.9, 0.99), weight_decay=0.1)\n"
)
# every fix, unsafe ones included: AdamW for Adam, betas by keyword, biases and norms in a group
# (laid out as black and `ruff format` write it: the groups no longer fit on the line)
FIXED = """\
import torch

model = torch.nn.Linear(2, 2)
opt = torch.optim.AdamW(
    [
        {"params": [p for p in model.parameters() if p.ndim >= 2]},
        {"params": [p for p in model.parameters() if p.ndim < 2], "weight_decay": 0.0},
    ],
    1e-3,
    betas=(0.9, 0.99),
    weight_decay=0.1,
)
"""


def fix(*paths: str) -> Result:
    return CliRunner().invoke(
        cli, ["--fix", "--unsafe-fixes", "--isolated", "--no-cache", "--select", "ALL", *paths], catch_exceptions=False
    )


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "train.py").write_text(SOURCE)
    return tmp_path


def _listing(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


def test_fixes_as_expected(tree: Path) -> None:
    result = fix("train.py")
    assert (tree / "train.py").read_text() == FIXED
    assert result.exit_code == 0, result.output
    assert _listing(tree) == ["train.py"]


@pytest.mark.parametrize("failing", ["os.replace", "os.fsync", "os.chmod"])
def test_a_failure_before_the_rename_leaves_the_original(tree: Path, monkeypatch: pytest.MonkeyPatch, failing: str) -> None:
    def fail(*args: object) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(failing, fail)
    original = (tree / "train.py").read_bytes()
    result = fix("train.py")
    assert (tree / "train.py").read_bytes() == original
    assert _listing(tree) == ["train.py"]  # the temporary file is gone
    assert "train.py:1:1: WD001 cannot write the fixed file (Input/output error); it is left unchanged" in result.output
    assert "train.py:4:7: WD101" in result.output  # what could not be fixed is still reported
    assert result.exit_code == 1


def test_an_interrupt_before_the_rename_leaves_the_original(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupt(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("os.replace", interrupt)
    original = (tree / "train.py").read_bytes()
    result = fix("train.py")
    assert (result.exit_code, result.output) == (1, "\nAborted!\n")  # click's answer to Ctrl-C
    assert (tree / "train.py").read_bytes() == original
    assert _listing(tree) == ["train.py"]


@pytest.mark.parametrize("mode", [0o644, 0o755, 0o600, 0o640, 0o444 | 0o200])
def test_the_mode_is_kept(tree: Path, mode: int) -> None:
    (tree / "train.py").chmod(mode)
    fix("train.py")
    assert (tree / "train.py").read_text() == FIXED
    assert stat.S_IMODE((tree / "train.py").stat().st_mode) == mode


@pytest.mark.parametrize(
    ("ending", "prefix"),
    [("\n", b""), ("\r\n", b""), ("\r", b""), ("\r\n", b"\xef\xbb\xbf")],
    ids=["lf", "crlf", "cr", "crlf-bom"],
)
def test_line_endings_and_bom_are_kept(tree: Path, ending: str, prefix: bytes) -> None:
    (tree / "train.py").write_bytes(prefix + SOURCE.replace("\n", ending).encode())
    fix("train.py")
    assert (tree / "train.py").read_bytes() == prefix + FIXED.replace("\n", ending).encode()


def test_mixed_line_endings_are_kept_line_by_line(tree: Path) -> None:
    lines = SOURCE.splitlines(keepends=True)
    mixed = lines[0].replace("\n", "\r\n") + lines[1] + lines[2].replace("\n", "\r") + lines[3]
    (tree / "train.py").write_bytes(mixed.encode())
    fix("train.py")
    fixed = FIXED.splitlines(keepends=True)
    # the lines a fix writes end as the line they replace ended
    assert (tree / "train.py").read_bytes() == (
        fixed[0].replace("\n", "\r\n") + fixed[1] + fixed[2].replace("\n", "\r") + "".join(fixed[3:])
    ).encode()


def test_a_declared_encoding_is_kept(tree: Path) -> None:
    source = "# -*- coding: latin-1 -*-\n# réglage\n" + SOURCE
    (tree / "train.py").write_bytes(source.encode("latin-1"))
    fix("train.py")
    assert (tree / "train.py").read_bytes() == ("# -*- coding: latin-1 -*-\n# réglage\n" + FIXED).encode("latin-1")


def test_a_read_only_file_is_reported_and_left(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tree / "train.py"
    path.chmod(0o444)
    if os.access(path, os.W_OK):  # root may write anything: refuse as an ordinary user would be
        real = os.access
        monkeypatch.setattr("os.access", lambda p, m, **k: m != os.W_OK and real(p, m, **k))
    result = fix("train.py")
    assert path.read_text() == SOURCE
    assert stat.S_IMODE(path.stat().st_mode) == 0o444
    assert "WD001 cannot write the fixed file (the file is read-only); it is left unchanged" in result.output
    assert result.exit_code == 1


def test_a_read_only_directory_is_reported(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tempfile

    def refuse(*args: object, **kwargs: object) -> tuple[int, str]:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)  # the temporary file cannot be created
    result = fix("train.py")
    assert (tree / "train.py").read_text() == SOURCE
    assert "cannot write the fixed file (Permission denied)" in result.output


def test_the_same_file_given_several_ways_is_fixed_once(tree: Path) -> None:
    (tree / "pkg").mkdir()
    (tree / "link.py").symlink_to("train.py")
    result = fix("train.py", "train.py", "./train.py", "pkg/../train.py", str(tree / "train.py"), "link.py", ".")
    assert (tree / "train.py").read_text() == FIXED
    assert result.output.count("fixed") == 1
    assert "Found 3 errors (3 fixed, 0 remaining)." in result.output


def test_a_second_run_has_nothing_to_fix(tree: Path) -> None:
    fix("train.py")
    result = fix("train.py")
    assert (result.exit_code, result.output) == (0, "All checks passed!\n")


def test_a_file_changed_while_it_is_fixed_is_left_to_the_change(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An editor saves the file between wdlint's read and its write: the fixes were made for
    the text wdlint read, so the editor's text stays and the run says so."""
    import wdlint.engine.fix as fix_module

    path = tree / "train.py"
    real = fix_module.fix_text
    edited = SOURCE.replace("model = ", "net = model = ")

    def saved_meanwhile(*args: Any, **kwargs: Any) -> Any:
        path.write_text(edited)
        os.utime(path, ns=(1, 1))  # a different time, whatever the clock's resolution
        return real(*args, **kwargs)

    monkeypatch.setattr(fix_module, "fix_text", saved_meanwhile)
    result = fix("train.py")
    assert path.read_text() == edited
    assert "WD001 cannot write the fixed file (the file changed while it was being fixed)" in result.output
    assert result.exit_code == 1
