"""Notebooks through LSP 3.17's notebook document sync: each finding in its cell, where
`wdlint check` reports it in the `.ipynb` file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from lsp_client import PUBLICATIONS, apply_edits, edits_of, published
from lsprotocol import types
from pytest_lsp import LanguageClient

from wdlint.cli import cli

pytestmark = pytest.mark.asyncio

CELLS = [
    (types.NotebookCellKind.Markup, "markdown", "# Fine-tuning\n"),
    (types.NotebookCellKind.Code, "python", "%pip install torch\nimport torch\nmodel = torch.nn.Linear(4, 4)\n"),
    (types.NotebookCellKind.Code, "python", "for p in model.parameters():\n    pass\n"),
    (types.NotebookCellKind.Code, "python", "opt = torch.optim.Adam(\n    model.parameters(), weight_decay=1e-4\n)\n"),
]


def cell_uri(path: Path, number: int) -> str:
    return f"vscode-notebook-cell:{path.as_posix()}#cell{number}"  # as VS Code names cells


def write_ipynb(path: Path, cells: list[tuple[types.NotebookCellKind, str, str]]) -> None:
    path.write_text(
        json.dumps(
            {
                "cells": [
                    {"cell_type": "code" if kind is types.NotebookCellKind.Code else "markdown", "metadata": {},
                     "source": text.splitlines(keepends=True), **({"outputs": [], "execution_count": None}
                                                                   if kind is types.NotebookCellKind.Code else {})}
                    for kind, _, text in cells
                ],
                "metadata": {"language_info": {"name": "python"}},
                "nbformat": 4,
                "nbformat_minor": 5,
            }
        )
    )


def open_notebook(
    client: LanguageClient, path: Path, cells: list[tuple[types.NotebookCellKind, str, str]]
) -> list[str]:
    uris = [cell_uri(path, n) for n in range(1, len(cells) + 1)]
    for uri in uris:
        client.diagnostics.pop(uri, None)
    client.notebook_document_did_open(
        types.DidOpenNotebookDocumentParams(
            types.NotebookDocument(
                uri=path.as_uri(),
                notebook_type="jupyter-notebook",
                version=1,
                cells=[types.NotebookCell(kind, uri) for (kind, _, _), uri in zip(cells, uris)],
                metadata={"language_info": {"name": "python"}},
            ),
            # as VS Code sends them: the text of the cells the selector asks for (Python)
            [
                types.TextDocumentItem(uri, language, 1, text)
                for (kind, language, text), uri in zip(cells, uris)
                if language == "python"
            ],
        )
    )
    return uris


def check_json(path: Path) -> list[dict[str, object]]:
    result = CliRunner().invoke(cli, ["check", "--no-cache", "--output-format", "json", str(path)])
    found: list[dict[str, object]] = json.loads(result.output)
    return found


async def test_findings_in_their_cells_as_check_reports_them(client: LanguageClient, workspace: Path) -> None:
    path = workspace / "finetune.ipynb"
    write_ipynb(path, CELLS)
    uris = open_notebook(client, path, CELLS)
    in_cells = {uri: await published(client, uri) for uri in uris[1:]}
    assert in_cells[uris[1]] == [] and in_cells[uris[2]] == []  # code cells without findings are cleared
    expected = [
        (d["cell"], d["code"], d["location"]["row"] - 1, d["location"]["column"] - 1)  # type: ignore[index]
        for d in check_json(path)
    ]
    got = [
        (number, d.code, d.range.start.line, d.range.start.character)
        for number, uri in enumerate(uris, start=1)
        for d in in_cells.get(uri, [])
    ]
    assert got == expected
    assert {code for _, code, _, _ in got} == {"WD101", "WD201"}
    assert uris[0] not in client.diagnostics  # the markdown cell is no Python


async def test_editing_a_cell_relints_the_notebook(client: LanguageClient, workspace: Path) -> None:
    path = workspace / "finetune.ipynb"
    uris = open_notebook(client, path, CELLS)
    assert "WD101" in {d.code for d in await published(client, uris[3])}
    fixed = CELLS[3][2].replace("Adam(", "AdamW(")
    client.diagnostics.pop(uris[3], None)
    client.notebook_document_did_change(
        types.DidChangeNotebookDocumentParams(
            types.VersionedNotebookDocumentIdentifier(2, path.as_uri()),
            types.NotebookDocumentChangeEvent(
                cells=types.NotebookDocumentCellChanges(
                    text_content=[
                        types.NotebookDocumentCellContentChanges(
                            types.VersionedTextDocumentIdentifier(2, uris[3]),
                            [types.TextDocumentContentChangeWholeDocument(fixed)],
                        )
                    ]
                )
            ),
        )
    )
    after = await published(client, uris[3])
    assert "WD101" not in {d.code for d in after}
    versions = [p.version for p in PUBLICATIONS[id(client)] if p.uri == uris[3]]
    assert versions[-1] == 2  # published for the cell's text it was computed from


async def test_a_new_cell_shifts_the_numbers_but_not_the_places(client: LanguageClient, workspace: Path) -> None:
    path = workspace / "finetune.ipynb"
    uris = open_notebook(client, path, CELLS)
    before = await published(client, uris[3])
    new = cell_uri(path, 99)
    client.notebook_document_did_change(
        types.DidChangeNotebookDocumentParams(
            types.VersionedNotebookDocumentIdentifier(2, path.as_uri()),
            types.NotebookDocumentChangeEvent(
                cells=types.NotebookDocumentCellChanges(
                    structure=types.NotebookDocumentCellChangeStructure(
                        array=types.NotebookCellArrayChange(0, 0, [types.NotebookCell(types.NotebookCellKind.Code, new)]),
                        did_open=[types.TextDocumentItem(new, "python", 1, "import os\n")],
                    )
                )
            ),
        )
    )
    assert await published(client, new) == []
    assert await published(client, uris[3]) == before


async def test_quick_fix_and_noqa_in_a_cell(client: LanguageClient, workspace: Path) -> None:
    path = workspace / "finetune.ipynb"
    uris = open_notebook(client, path, CELLS)
    wd101 = next(d for d in await published(client, uris[3]) if d.code == "WD101")
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(types.TextDocumentIdentifier(uris[3]), wd101.range, types.CodeActionContext([wd101]))
    )
    assert actions is not None
    by_title = {a.title: a for a in actions if isinstance(a, types.CodeAction)}
    fix = by_title["Use `AdamW` (WD101; unsafe: changes training)"]
    assert apply_edits(CELLS[3][2], edits_of(fix)[uris[3]]).startswith("opt = torch.optim.AdamW(\n")
    noqa = by_title["Suppress WD101 with `# noqa: WD101`"]
    commented = apply_edits(CELLS[3][2], edits_of(noqa)[uris[3]])
    assert commented.splitlines()[0] == "opt = torch.optim.Adam(  # noqa: WD101"


async def test_fix_all_covers_every_cell(client: LanguageClient, workspace: Path) -> None:
    cells = [
        (types.NotebookCellKind.Code, "python", "import torch\nimport transformers\n"),
        (types.NotebookCellKind.Code, "python", "a = transformers.AdamW(groups, lr=2e-5)\n"),
        (types.NotebookCellKind.Markup, "markdown", "and again\n"),
        (types.NotebookCellKind.Code, "python", "b = transformers.AdamW(other_groups, lr=1e-5)\n"),
    ]
    path = workspace / "two.ipynb"
    write_ipynb(path, cells)
    uris = open_notebook(client, path, cells)
    await published(client, uris[3])
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            types.TextDocumentIdentifier(uris[1]),
            types.Range(types.Position(0, 0), types.Position(0, 0)),
            types.CodeActionContext([], only=["notebook.source.fixAll"]),
        )
    )
    assert actions is not None and len(actions) == 1
    action = actions[0]
    assert isinstance(action, types.CodeAction) and action.kind == "notebook.source.fixAll.wdlint"
    edits = edits_of(action)
    fixed = {uri: apply_edits(text, edits.get(uri, [])) for uri, (_, _, text) in zip(uris, cells)}
    CliRunner().invoke(cli, ["check", "--no-cache", "--fix", str(path)])
    on_disk = json.loads(path.read_text())["cells"]
    assert [fixed[uri] for uri in uris] == ["".join(c["source"]) for c in on_disk]
    assert fixed[uris[1]] != cells[1][2] and fixed[uris[3]] != cells[3][2]


async def test_closing_a_notebook_clears_its_cells(client: LanguageClient, workspace: Path) -> None:
    path = workspace / "finetune.ipynb"
    uris = open_notebook(client, path, CELLS)
    assert await published(client, uris[3])
    client.notebook_document_did_close(
        types.DidCloseNotebookDocumentParams(
            types.NotebookDocumentIdentifier(path.as_uri()), [types.TextDocumentIdentifier(u) for u in uris[1:]]
        )
    )
    assert await published(client, uris[3]) == []
