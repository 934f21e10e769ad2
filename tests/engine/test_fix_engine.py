import codecs
import os
import stat
from pathlib import Path

from wdlint.diagnostics import Applicability, Diagnostic, Edit, Fix, Position
from wdlint.engine.fix import apply_fixes, fix_python_file, fix_text
from wdlint.engine.lint import lint_text
from wdlint.engine.runner import LintOptions

OPTIONS = LintOptions.from_selection(["ALL"])


def diagnostic(row: int, col: int, *edits: tuple[int, int, int, int, str]) -> Diagnostic:
    fix = Fix(Applicability.SAFE, "f", tuple(Edit(c, Position(a, b), Position(d, e)) for a, b, d, e, c in edits))
    return Diagnostic("WD501", "x", "m", "f.py", Position(row, col), Position(row, col), fix=fix)


def test_overlapping_fixes_wait_for_the_next_pass():
    text = "abcdef\nghi\n"
    first = diagnostic(1, 1, (1, 1, 1, 4, "X"))
    second = diagnostic(1, 3, (1, 3, 1, 5, "Y"))
    third = diagnostic(2, 2, (2, 2, 2, 2, "Z"))
    new, applied = apply_fixes(text, [second, third, first])
    assert new == "Xdef\ngZhi\n"
    assert applied == [first, third]


def test_fixes_that_write_one_line_wait_for_the_next_pass():
    # each fix lays its line out for the line length alone: two on one line in one pass could
    # together make it too long, so the second is made again from the first one's text
    text = "abcdef\nghi\n"
    first = diagnostic(1, 1, (1, 1, 1, 2, "X"))
    second = diagnostic(1, 6, (1, 6, 1, 6, "Z"))
    new, applied = apply_fixes(text, [second, first])
    assert (new, applied) == ("Xbcdef\nghi\n", [first])
    # an edit that ends where a line starts (a deleted line) does not write that line
    deletion = diagnostic(1, 1, (1, 1, 2, 1, ""))
    below = diagnostic(2, 1, (2, 1, 2, 2, "G"))
    assert apply_fixes(text, [deletion, below]) == ("Ghi\n", [deletion, below])


def test_identical_shared_edit_applies_once_and_only_with_all_its_fixes():
    text = "import x\na\nb\n"
    remove = (1, 1, 2, 1, "")
    uses = [diagnostic(2, 1, (2, 1, 2, 2, "A"), remove), diagnostic(3, 1, (3, 1, 3, 2, "B"), remove)]
    assert apply_fixes(text, uses) == ("A\nB\n", uses)
    blocker = diagnostic(3, 1, (3, 1, 3, 2, "C"))  # ties with the second use and comes first
    new, applied = apply_fixes(text, [blocker, *uses])
    assert (new, applied) == ("import x\na\nC\n", [blocker])  # the import stays while a use waits


def test_positions_count_characters_across_line_endings():
    text = "é = 1\r\nb = 2\r\n"
    new, _ = apply_fixes(text, [diagnostic(2, 1, (2, 1, 2, 2, "c"))])
    assert new == "é = 1\r\nc = 2\r\n"


def test_a_fix_that_breaks_the_syntax_is_not_applied():
    breaking = diagnostic(1, 1, (1, 1, 1, 1, "("))
    outcome = fix_text("x = 1\n", lambda text: [breaking] if text == "x = 1\n" else [], unsafe=False)
    assert outcome.text == "x = 1\n"
    assert outcome.fixed == []


def _write(tmp_path: Path, data: bytes, mode: int = 0o640) -> Path:
    path = tmp_path / "train.py"
    path.write_bytes(data)
    os.chmod(path, mode)
    return path


def _fix_file(path: Path, write: bool = True):
    lint = lambda text: lint_text(text, "train.py", OPTIONS)  # noqa: E731
    return fix_python_file(path, path.read_bytes(), "train.py", lint, unsafe=False, write=write)


SOURCE = "import torch\nopt = torch.optim.Adam(m.parameters(), 1e-3, (0.9, 0.99))\n"
FIXED = "import torch\nopt = torch.optim.Adam(m.parameters(), 1e-3, betas=(0.9, 0.99))\n"


def test_fixed_file_is_written_atomically_keeping_mode(tmp_path):
    path = _write(tmp_path, SOURCE.encode(), 0o640)
    result = _fix_file(path)
    assert path.read_text() == FIXED
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert [d.code for d in result.fixed] == ["WD501"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["train.py"]  # no temporary left


def test_crlf_bom_and_encoding_are_kept(tmp_path):
    crlf = _write(tmp_path, codecs.BOM_UTF8 + SOURCE.replace("\n", "\r\n").encode())
    _fix_file(crlf)
    assert crlf.read_bytes() == codecs.BOM_UTF8 + FIXED.replace("\n", "\r\n").encode()
    latin = _write(tmp_path, ("# -*- coding: latin-1 -*-\n# café\n" + SOURCE).encode("latin-1"))
    _fix_file(latin)
    assert latin.read_bytes() == ("# -*- coding: latin-1 -*-\n# café\n" + FIXED).encode("latin-1")


def test_diff_mode_writes_nothing(tmp_path):
    path = _write(tmp_path, SOURCE.encode())
    result = _fix_file(path, write=False)
    assert path.read_text() == SOURCE
    assert result.diff.startswith("--- train.py\n+++ train.py\n")
    assert "+opt = torch.optim.Adam(m.parameters(), 1e-3, betas=(0.9, 0.99))" in result.diff


def test_second_run_has_nothing_to_fix(tmp_path):
    path = _write(tmp_path, SOURCE.encode())
    _fix_file(path)
    again = _fix_file(path)
    assert (again.fixed, again.diff) == ((), "")


def test_a_symlink_is_followed_not_replaced(tmp_path):
    real = _write(tmp_path, SOURCE.encode())
    link = tmp_path / "link.py"
    link.symlink_to(real)
    fix_python_file(link, link.read_bytes(), "link.py", lambda text: lint_text(text, "link.py", OPTIONS), unsafe=False, write=True)
    assert link.is_symlink()
    assert real.read_text() == FIXED


def test_diff_marks_a_last_line_without_line_break(tmp_path):
    path = _write(tmp_path, SOURCE.rstrip("\n").encode())
    result = _fix_file(path, write=False)
    assert result.diff.endswith("betas=(0.9, 0.99))\n\\ No newline at end of file\n")
