"""`--fix` on notebooks: cells fixed in place, every other byte of the JSON kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from wdlint.cli import cli
from wdlint.frontends.notebook import replace_cell_sources


def notebook(*cells: str | tuple[str, str], outputs: bool = True) -> str:
    rendered = []
    for cell in cells:
        kind, source = cell if isinstance(cell, tuple) else ("code", cell)
        entry: dict[str, object] = {"cell_type": kind, "metadata": {}, "source": source.splitlines(keepends=True)}
        if kind == "code":
            entry["execution_count"] = 3
            entry["outputs"] = [{"output_type": "stream", "name": "stdout", "text": ["ok\n"]}] if outputs else []
        rendered.append(entry)
    document = {"cells": rendered, "metadata": {"kernelspec": {"name": "python3"}}, "nbformat": 4, "nbformat_minor": 5}
    return json.dumps(document, indent=1, ensure_ascii=False) + "\n"


POSITIONAL = "import torch\nopt = torch.optim.Adam(m.parameters(), 1e-3, (0.9, 0.99))"
FIXED = "import torch\nopt = torch.optim.Adam(m.parameters(), 1e-3, betas=(0.9, 0.99))"


def test_fix_rewrites_only_the_fixed_cell(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = notebook(("markdown", "# Café ☕"), "%matplotlib inline\nx = 1", POSITIONAL)
    path = tmp_path / "nb.ipynb"
    path.write_text(before, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["--isolated", "--fix", "--select", "WD501", "nb.ipynb"])
    assert result.exit_code == 0, result.output
    assert path.read_text(encoding="utf-8") == notebook(("markdown", "# Café ☕"), "%matplotlib inline\nx = 1", FIXED)
    again = CliRunner().invoke(cli, ["--isolated", "--diff", "--select", "WD501", "nb.ipynb"])
    assert (again.exit_code, again.stdout) == (0, "")


def test_fix_in_an_indented_cell(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """IPython runs a cell whose first line is indented with that indentation removed: the fix
    lands where the cell writes the call, and the cell still runs."""
    indented = "".join(f"    {line}\n" for line in POSITIONAL.splitlines())
    path = tmp_path / "nb.ipynb"
    path.write_text(notebook(indented), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["--isolated", "--fix", "--select", "WD501", "nb.ipynb"])
    assert result.exit_code == 0, result.output
    fixed = "".join(f"    {line}\n" for line in FIXED.splitlines())
    assert path.read_text(encoding="utf-8") == notebook(fixed)


def test_unusual_layout_is_kept_outside_the_cell(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = '{"nbformat": 4,\n  "cells": [{"cell_type": "code", "source": "import torch\\nopt = torch.optim.Adam(m.parameters(), 1e-3, (0.9, 0.99))",\n "outputs": []}], "metadata": {}}'
    path = tmp_path / "nb.ipynb"
    path.write_text(before)
    monkeypatch.chdir(tmp_path)
    CliRunner().invoke(cli, ["--isolated", "--fix", "--select", "WD501", "nb.ipynb"])
    assert path.read_text() == before.replace("1e-3, (0.9", "1e-3, betas=(0.9")


@pytest.mark.parametrize(
    ("cells", "new", "expected"),
    (
        pytest.param(["a = 1\n", "b = 2"], "a = 3\nb = 4", '[\n    "a = 3\\n",\n    "b = 4"\n   ]', id="list layout"),
        pytest.param([], "x = 1", '["x = 1"]', id="empty list"),
    ),
)
def test_replace_cell_sources_keeps_the_layout(cells: list[str], new: str, expected: str) -> None:
    document = json.dumps({"cells": [{"cell_type": "code", "source": cells}]}, indent=1)
    replaced = replace_cell_sources(document, {1: new})
    assert json.loads(replaced)["cells"][0]["source"] == new.splitlines(keepends=True)
    assert f'"source": {expected}' in replaced
    assert replaced.replace(f'"source": {expected}', "") == document.replace(
        '"source": ' + json.dumps(cells, indent=1).replace("\n", "\n   "), ""
    )


def test_an_import_a_fix_needs_goes_into_the_cell_of_the_finding(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # WD103's fix needs `import torch`: a fix stays in its cell, so the cell gets its own import
    # (after a docstring-free start: at its top, a blank line before the code); the old import
    # in the first cell is left, as another cell may use it
    before = notebook("from transformers import AdamW", "x = 1", "opt = AdamW(groups, lr=2e-5)")
    path = tmp_path / "nb.ipynb"
    path.write_text(before, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["--isolated", "--fix", "--select", "WD103", "nb.ipynb"])
    assert result.exit_code == 0, result.output
    assert path.read_text(encoding="utf-8") == notebook(
        "from transformers import AdamW",
        "x = 1",
        "import torch\n\nopt = torch.optim.AdamW(groups, lr=2e-5, weight_decay=0.0)",
    )


@pytest.mark.parametrize("variant", ["bom", "nan"])
def test_notebooks_with_a_bom_or_nan_are_fixed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variant: str) -> None:
    text = notebook(POSITIONAL)
    if variant == "nan":
        text = text.replace('"metadata": {}', '"metadata": {"score": NaN}', 1)
    data = ("\ufeff" + text).encode() if variant == "bom" else text.encode()
    path = tmp_path / "nb.ipynb"
    path.write_bytes(data)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["--isolated", "--fix", "--select", "WD501", "nb.ipynb"])
    assert result.exit_code == 0, result.output
    assert path.read_bytes() == data.replace(b"1e-3, (0.9", b"1e-3, betas=(0.9")


def _fix_notebook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, *args: str) -> str:
    path = tmp_path / "nb.ipynb"
    path.write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["--isolated", "--fix", "--unsafe-fixes", *args, "nb.ipynb"])
    assert result.exit_code == 0, result.output
    again = CliRunner().invoke(cli, ["--isolated", "--diff", "--unsafe-fixes", *args, "nb.ipynb"])
    assert (again.exit_code, again.stdout) == (0, "")
    return path.read_text(encoding="utf-8")


def test_a_cell_fix_is_broken_to_the_line_length_of_its_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the call sits in a function of the cell: its lines, as the cell writes them, are measured
    cell = "def build(net):\n    return optim.SGD(net.parameters(), lr=0.01, weight_decay=1e-5)"
    text = notebook("import torch.optim as optim", cell)
    laid = (
        "def build(net):\n"
        "    return optim.SGD(\n"
        "        [\n"
        '            {"params": [p for p in net.parameters() if p.ndim >= 2]},\n'
        "            {\n"
        '                "params": [p for p in net.parameters() if p.ndim < 2],\n'
        '                "weight_decay": 0.0,\n'
        "            },\n"
        "        ],\n"
        "        lr=0.01,\n"
        "        weight_decay=1e-5,\n"
        "    )"
    )
    assert _fix_notebook(tmp_path, monkeypatch, text, "--select", "WD207") == notebook("import torch.optim as optim", laid)


def test_a_cell_fix_follows_the_project_line_length(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.black]\nline-length = 120\n")
    text = notebook("import torch", "opt = torch.optim.Adam(m.parameters(), 1e-3, (0.9, 0.99), 1e-8, 0.0)")
    fixed = "opt = torch.optim.Adam(m.parameters(), 1e-3, betas=(0.9, 0.99), eps=1e-8, weight_decay=0.0)"
    assert _fix_notebook(tmp_path, monkeypatch, text, "--select", "WD501") == notebook("import torch", fixed)


def test_a_cell_switching_to_adamw_imports_it_in_the_file_style(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Adam imported in this cell, used once: AdamW takes its place in the same import
    text = notebook("from torch.optim import Adam, SGD\nopt = Adam(params, lr=1e-3, weight_decay=1e-4)")
    assert _fix_notebook(tmp_path, monkeypatch, text, "--select", "WD101") == notebook(
        "from torch.optim import AdamW, SGD\nopt = AdamW(params, lr=1e-3, weight_decay=1e-4)"
    )
