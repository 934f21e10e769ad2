"""Notebooks: code cells joined in order, IPython syntax masked, positions given per cell."""

from __future__ import annotations

import json
from pathlib import Path

import hypothesis
import pytest
from click.testing import CliRunner
from hypothesis import strategies as st

from wdlint.cli import cli
from wdlint.engine.lint import lint_bytes
from wdlint.engine.runner import FileJob, LintOptions, lint_job
from wdlint.frontends import notebook as notebook_frontend
from wdlint.frontends.notebook import kernel_source, mask_ipython, strip_leading_indent

OPTIONS = LintOptions.from_selection()
ADAM = "opt = torch.optim.Adam(model.parameters(), weight_decay=WD)"


def notebook(*cells: str | tuple[str, object], metadata: object = None) -> bytes:
    """A notebook of code cells; ("markdown", text) for a markdown cell, ("raw", value) for a
    code cell whose `source` is `value` as is."""
    out: list[dict[str, object]] = []
    for cell in cells:
        if isinstance(cell, tuple) and cell[0] == "markdown":
            out.append({"cell_type": "markdown", "metadata": {}, "source": [cell[1]]})
        elif isinstance(cell, tuple):
            out.append({"cell_type": "code", "metadata": {}, "outputs": [], "source": cell[1]})
        else:
            lines = cell.splitlines(keepends=True)
            out.append({"cell_type": "code", "metadata": {}, "outputs": [], "source": lines})
    meta = metadata if metadata is not None else {"language_info": {"name": "python"}}
    return json.dumps({"cells": out, "metadata": meta, "nbformat": 4, "nbformat_minor": 5}, indent=1).encode()


def lint(data: bytes, **options: object) -> list[tuple[str, int | None, int, int]]:
    """(code, cell, row, column) of each diagnostic."""
    selected = LintOptions.from_selection(**options) if options else OPTIONS  # type: ignore[arg-type]
    result = lint_bytes(data, "nb.ipynb", selected)
    return [(d.code, d.cell, d.location.row, d.location.column) for d in result.diagnostics]


@pytest.mark.parametrize(
    ("cells", "expected"),
    (
        pytest.param(
            ("import torch\nWD = 1e-4", ("markdown", "# Train"), "model = Net()", ADAM),
            [("WD101", 4, 1, 7), ("WD201", 4, 1, 24)],
            id="a constant from an earlier cell; markdown cells count",
        ),
        pytest.param(
            ("import torch\nWD = 0.0", ADAM),
            [],
            id="provably zero through another cell",
        ),
        pytest.param(
            ("import torch\nWD = 1e-4", f"x = 1\n\n\n{ADAM}"),
            [("WD101", 2, 4, 7), ("WD201", 2, 4, 24)],
            id="row within the cell",
        ),
        pytest.param(
            (f"import torch\nWD = 1e-4\n{ADAM}", "WD = 0.0"),
            [("WD101", 1, 3, 7), ("WD201", 1, 3, 24)],
            id="a later cell does not change what ran before",
        ),
        pytest.param(
            ("import torch\nWD = 1e-4", f"s = 'é'; {ADAM}"),
            [("WD101", 2, 1, 16), ("WD201", 2, 1, 33)],
            id="columns count characters",
        ),
        pytest.param(
            ("import torch\nWD = 1e-4", "opt = torch.optim.Adam(\n", ADAM),
            [("WD001", 2, 1, 23), ("WD101", 3, 1, 7), ("WD201", 3, 1, 24)],
            id="a cell that does not parse is reported alone",
        ),
        pytest.param(
            ("import torch\nWD = 1e-4", "print 'hello'", ADAM),
            [("WD001", 2, 1, 1), ("WD101", 3, 1, 7), ("WD201", 3, 1, 24)],
            id="python 2 cell",
        ),
        pytest.param(
            ("import torch\nWD = 1e-4", ("raw", ADAM)),
            [("WD101", 2, 1, 7), ("WD201", 2, 1, 24)],
            id="source as one string",
        ),
        pytest.param(
            ("import torch\nWD = 1e-4", ("raw", 42), ADAM),
            [("WD001", 2, 1, 1), ("WD101", 3, 1, 7), ("WD201", 3, 1, 24)],
            id="source that is not text",
        ),
        pytest.param(
            ("from __future__ import annotations\nimport torch\nWD = 1e-4", "from __future__ import annotations", ADAM),
            [("WD101", 3, 1, 7), ("WD201", 3, 1, 24)],
            id="each cell is parsed on its own",
        ),
    ),
)
def test_cells(cells: tuple[str, ...], expected: list[tuple[str, int, int, int]]) -> None:
    assert lint(notebook(*cells)) == expected


@pytest.mark.parametrize(
    ("cells", "expected"),
    (
        pytest.param(
            ("!pip install torch\n%matplotlib inline\nimport torch\nWD = 1e-4", ADAM),
            [("WD101", 2, 1, 7), ("WD201", 2, 1, 24)],
            id="line magics and shell escapes",
        ),
        pytest.param(
            ("import torch\nWD = 1e-4\nfiles = !ls\nt = %timeit -o f()\nmodel?\n??model\n%pinfo model", ADAM),
            [("WD101", 2, 1, 7), ("WD201", 2, 1, 24)],
            id="assigned escapes and help",
        ),
        pytest.param(
            ("import torch\nWD = 1e-4", f"%%time\n{ADAM}"),
            [("WD101", 2, 2, 7), ("WD201", 2, 2, 24)],
            id="a %%time cell is Python",
        ),
        pytest.param(
            ("import torch\nWD = 1e-4", f"%%bash\n{ADAM}\nls -la"),
            [],
            id="a %%bash cell is not Python",
        ),
        pytest.param(
            ("import torch\nWD = 1e-4", f"for i in range(3):\n    !echo {{i}}\n    {ADAM}"),
            [("WD101", 2, 3, 11), ("WD201", 2, 3, 28)],
            id="an escape inside a block",
        ),
        pytest.param(
            ("import torch\nWD = 1e-4", f"x = (1\n     % 2)\ns = '''\n%d items\n!'''\n{ADAM}"),
            [("WD101", 2, 6, 7), ("WD201", 2, 6, 24)],
            id="not at the start of a statement: Python's own % and text in strings",
        ),
    ),
)
def test_ipython_syntax(cells: tuple[str, ...], expected: list[tuple[str, int, int, int]]) -> None:
    assert lint(notebook(*cells)) == expected


@pytest.mark.parametrize(
    ("source", "masked"),
    (
        ("%matplotlib inline\n", "_                 \n"),
        ("!pip install -q timm\n", "_                   \n"),
        ("files = !ls -la\n", "files = _      \n"),
        ("a, b = %sx ls\n", "a, b = _     \n"),
        ("model.fc?\n", "_        \n"),
        ("?model\n", "_     \n"),
        ("    %time f()\n", "    _        \n"),
        ("%%time\nx = 1\n", "_     \nx = 1\n"),
        ("!pip install \\\n    timm \\\n    peft\nx = 1\n", "_             \n          \n        \nx = 1\n"),
        ("x = !ls \\\n  -la\n", "x = _    \n     \n"),
        ("%%writefile a.py\nx = 1\n", None),
        ("x = (1\n% 2)\n", "x = (1\n% 2)\n"),
        ("x = 1 \\\n  % 2\n", "x = 1 \\\n  % 2\n"),
        ('s = """\n!not a shell\n"""\n', 's = """\n!not a shell\n"""\n'),
        ("x = 1  # %not a magic\n", "x = 1  # %not a magic\n"),
        ("", ""),
    ),
)
def test_mask_keeps_lengths(source: str, masked: str | None) -> None:
    assert mask_ipython(source) == masked


@pytest.mark.parametrize(
    ("cells", "expected"),
    (
        pytest.param(
            ("import torch\nWD = 1e-4", f"    model = Net()\n    {ADAM}"),
            [("WD101", 2, 2, 11), ("WD201", 2, 2, 28)],
            id="every line indented: columns as the cell writes them",
        ),
        pytest.param(
            ("import torch", f"\n  \n\tmodel = Net()\n\tfor x in y:\n\t    pass\n\t{ADAM.replace('WD', '1e-4')}"),
            [("WD101", 2, 6, 8), ("WD201", 2, 6, 25)],
            id="blank lines first, tabs, a nested block",
        ),
        pytest.param(
            ("import torch", f"  {ADAM.replace('WD', '1e-4')}\nprint(opt)\n  x = (1,\n1)"),
            [("WD101", 2, 1, 9), ("WD201", 2, 1, 26)],
            id="lines without the indentation are left as they are",
        ),
        pytest.param(
            ("import torch", f"  # a comment\nif True:\n  {ADAM.replace('WD', '1e-4')}"),
            [("WD001", 2, 3, 3)],
            id="IPython strips the comment's indentation from the block too: invalid in Jupyter",
        ),
        pytest.param(
            ("import torch", f"  x = 1\n y = 2\n  {ADAM}"),
            [("WD001", 2, 2, 1)],
            id="an unindent IPython keeps: the error where the cell has it",
        ),
    ),
)
def test_indented_cells_run_as_ipython_runs_them(
    cells: tuple[str, ...], expected: list[tuple[str, int, int, int]]
) -> None:
    assert lint(notebook(*cells)) == expected


def test_strip_leading_indent() -> None:
    assert strip_leading_indent("x = 1\n  y") is None
    assert strip_leading_indent("\n  x = 1\r\n y\n  z") == ("\nx = 1\r\n y\nz", 2, frozenset({2, 4}))
    assert kernel_source("  %time f()\n  g()") == f"_{' ' * 8}\ng()"


@hypothesis.settings(max_examples=500, deadline=None)
@hypothesis.given(st.text(alphabet=" \t\r\n\f\x0bx#\u2028\x85", max_size=16))
def test_a_cell_s_leading_indent_is_read_as_line_by_line(source: str) -> None:
    # the shortcut for a cell whose first character is code agrees with the reading of its lines
    assert strip_leading_indent(source) == notebook_frontend._leading_indent_by_lines(source)


def test_noqa_in_a_cell() -> None:
    cells = ("import torch\nWD = 1e-4", f"{ADAM}  # noqa: WD201")
    assert lint(notebook(*cells)) == [("WD101", 2, 1, 7)]


def test_noqa_on_the_first_line_of_a_call_in_a_cell() -> None:
    call = "opt = torch.optim.Adam(  # noqa: WD201\n    model.parameters(), weight_decay=WD,\n)"
    assert lint(notebook("import torch\nWD = 1e-4", call)) == [("WD101", 2, 1, 7)]


def test_file_level_noqa_in_the_first_code_cell() -> None:
    cells = (("markdown", "# Title"), "# wdlint: noqa: WD201\nimport torch\nWD = 1e-4", ADAM)
    assert lint(notebook(*cells)) == [("WD101", 3, 1, 7)]


@pytest.mark.parametrize(
    ("data", "expected"),
    (
        pytest.param(b'{"cells": [ {"cell_type": "code", "source": "AdamW_decay_"', [("WD001", None, 1, 59)], id="truncated JSON"),
        pytest.param(b'["AdamW_decay_"]', [("WD001", None, 1, 1)], id="not a notebook"),
        pytest.param(b'{"worksheets": [], "AdamW_decay_": 1}', [("WD001", None, 1, 1)], id="nbformat 3"),
        pytest.param(b'\xff\xfe{"AdamW_decay_"', [("WD001", None, 1, 1)], id="not UTF-8"),
        pytest.param(notebook(("markdown", "AdamW(weight_decay=0.1)")), [], id="no code cells"),
        pytest.param(notebook(), [], id="no cells"),
        pytest.param(
            notebook(ADAM, metadata={"language_info": {"name": "R"}}), [], id="another language"
        ),
        pytest.param(
            json.dumps({"cells": [3, None, {"cell_type": "code"}, {"source": ADAM}], "metadata": []}).encode(),
            [("WD001", 3, 1, 1)],
            id="cells that are not cells",
        ),
        pytest.param(b"", [], id="empty file"),
    ),
)
def test_broken_notebooks_never_crash(data: bytes, expected: list[tuple[str, int | None, int, int]]) -> None:
    assert lint(data) == expected


def test_json_and_text_output_name_the_cell(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "nb.ipynb").write_bytes(notebook("import torch\nWD = 1e-4", ("markdown", "x"), f"x = 1\n{ADAM}"))
    runner = CliRunner()
    [diagnostic, _] = json.loads(runner.invoke(cli, ["check", "--isolated", "--output-format", "json"]).stdout)
    assert (diagnostic["cell"], diagnostic["location"], diagnostic["noqa_row"]) == (3, {"row": 2, "column": 7}, 2)
    concise = runner.invoke(cli, ["check", "--isolated", "--output-format", "concise"]).stdout
    assert concise.startswith("nb.ipynb:cell 3:2:7: WD101 ")
    full = runner.invoke(cli, ["check", "--isolated"]).stdout
    assert "  |\n1 | x = 1\n2 | opt = torch.optim.Adam(model.parameters(), weight_decay=WD)\n" in full
    assert "  |       ^^^^^^^^^^^^^^^^ WD101\n" in full


def test_imports_of_the_project_next_to_the_notebook(tmp_path: Path) -> None:
    (tmp_path / "settings.py").write_text("WD = 1e-4\n")
    path = tmp_path / "nb.ipynb"
    path.write_bytes(notebook("import torch\nfrom settings import WD", ADAM))
    result = lint_job(FileJob(path, "nb.ipynb"), OPTIONS)
    assert [(d.code, d.cell) for d in result.diagnostics] == [("WD101", 2), ("WD201", 2)]
