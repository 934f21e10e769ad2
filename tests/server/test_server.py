"""`wdlint server` through a real client over stdio: what an editor sees of a training script."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from lsp_client import (
    apply_edits,
    change_document,
    edits_of,
    open_document,
    published,
    registered,
    start,
    stop,
)
from lsprotocol import types
from pytest_lsp import LanguageClient

from wdlint.cli import cli

pytestmark = pytest.mark.asyncio

TRAIN = """\
import torch

model = torch.nn.Linear(4, 4)
opt = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-4)
"""
ADAMW = TRAIN.replace("torch.optim.Adam(", "torch.optim.AdamW(")
# WD103's fix is safe: the preferred action and part of "fix all"
TRANSFORMERS = """\
from transformers import AdamW

groups = [{"params": [], "weight_decay": 0.01}]
opt = AdamW(groups, lr=2e-5)
"""


def check_json(path: Path, *args: str) -> list[dict[str, object]]:
    """What `wdlint check` reports for the file on disk."""
    result = CliRunner().invoke(cli, ["check", "--no-cache", "--output-format", "json", *args, str(path)])
    found: list[dict[str, object]] = json.loads(result.output)
    return found


def shown(diagnostics: list[types.Diagnostic]) -> list[tuple[object, int, int, int, int]]:
    return [
        (d.code, d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character)
        for d in diagnostics
    ]


def as_check_reports(found: list[dict[str, object]]) -> list[tuple[object, int, int, int, int]]:
    """`wdlint check`'s JSON in the protocol's terms (0-based, ASCII-only texts here)."""
    rows = []
    for d in found:
        start, end = d["location"], d["end_location"]
        assert isinstance(start, dict) and isinstance(end, dict)
        rows.append((d["code"], start["row"] - 1, start["column"] - 1, end["row"] - 1, end["column"] - 1))
    return rows


async def test_initialize_and_shutdown(bare_client: LanguageClient, workspace: Path) -> None:
    result = await start(bare_client, workspace)
    capabilities = result.capabilities
    assert result.server_info is not None and result.server_info.name == "wdlint"
    sync = capabilities.text_document_sync
    assert isinstance(sync, types.TextDocumentSyncOptions)
    assert (sync.open_close, sync.change, sync.save) == (
        True, types.TextDocumentSyncKind.Full, types.SaveOptions(include_text=False)
    )
    assert capabilities.hover_provider
    assert isinstance(capabilities.code_action_provider, types.CodeActionOptions)
    assert set(capabilities.code_action_provider.code_action_kinds or ()) == {
        "quickfix", "source.fixAll.wdlint", "notebook.source.fixAll.wdlint"
    }
    assert capabilities.notebook_document_sync is not None
    # the client said it can watch files: the server asks for the files that change its findings
    watched = await registered(bare_client, types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    assert len(watched) == 1
    options = watched[0].register_options
    assert isinstance(options, dict)
    assert [w["globPattern"] for w in options["watchers"]] == [
        "**/*.{py,pyi,ipynb,yaml,yml,json}", "**/{pyproject.toml,wdlint.toml,.wdlint.toml}"
    ]
    await stop(bare_client)  # shutdown, exit: the process ends with 0


async def test_adam_with_decay_gets_wd101_at_its_range(client: LanguageClient, workspace: Path) -> None:
    path = workspace / "train.py"
    path.write_text(TRAIN)
    uri = open_document(client, path, TRAIN)
    found = await published(client, uri)
    assert shown(found) == as_check_reports(check_json(path))
    wd101 = next(d for d in found if d.code == "WD101")
    assert (wd101.range.start, wd101.range.end) == (types.Position(3, 6), types.Position(3, 22))
    assert wd101.severity == types.DiagnosticSeverity.Warning
    assert wd101.source == "wdlint"
    assert "L2 regularization through Adam" in wd101.message
    assert wd101.code_description is not None
    assert wd101.code_description.href.endswith("/docs/rules/WD101.md")
    assert Path(wd101.code_description.href.removeprefix("file://")).is_file()


async def test_unsaved_text_is_linted_and_adamw_clears_it(client: LanguageClient, workspace: Path) -> None:
    path = workspace / "train.py"
    path.write_text("print('not yet')\n")  # the file on disk is not what is linted
    uri = open_document(client, path, TRAIN)
    assert "WD101" in {d.code for d in await published(client, uri)}
    change_document(client, uri, ADAMW, 2)
    after = await published(client, uri)
    assert "WD101" not in {d.code for d in after}
    assert {d.code for d in after} == {"WD201"}  # AdamW's default decay still reaches the biases


@pytest.mark.parametrize(
    ("editor", "encoding", "column"),
    (
        # `note = "😀"; opt = ` is 18 characters; the emoji is 2 UTF-16 units and 4 UTF-8 bytes
        pytest.param("visual-studio-code", types.PositionEncodingKind.Utf16, 19, id="VS Code: UTF-16"),
        pytest.param("emacs", types.PositionEncodingKind.Utf32, 18, id="Emacs 29 (eglot): UTF-32"),
        pytest.param("neovim", types.PositionEncodingKind.Utf8, 21, id="Neovim 0.11: UTF-8"),
    ),
)
async def test_columns_in_the_encoding_the_editor_chose(
    bare_client: LanguageClient, workspace: Path, editor: str, encoding: str, column: int
) -> None:
    result = await start(bare_client, workspace, editor)
    assert result.capabilities.position_encoding == encoding
    text = 'import torch\nnote = "\U0001f600"; opt = torch.optim.Adam(ps, weight_decay=0.1)\n'
    uri = open_document(bare_client, workspace / "emoji.py", text)
    wd101 = next(d for d in await published(bare_client, uri) if d.code == "WD101")
    assert (wd101.range.start, wd101.range.end) == (types.Position(1, column), types.Position(1, column + 16))
    await stop(bare_client)


async def test_quick_fix_unsafe_is_labelled_and_applies(client: LanguageClient, workspace: Path) -> None:
    uri = open_document(client, workspace / "train.py", TRAIN)
    found = await published(client, uri)
    wd101 = next(d for d in found if d.code == "WD101")
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            types.TextDocumentIdentifier(uri), wd101.range, types.CodeActionContext(diagnostics=[wd101])
        )
    )
    assert actions is not None
    titles = [a.title for a in actions if isinstance(a, types.CodeAction)]
    assert "Use `AdamW` (WD101; unsafe: changes training)" in titles
    fix = next(a for a in actions if isinstance(a, types.CodeAction) and a.title.startswith("Use `AdamW`"))
    assert fix.kind == types.CodeActionKind.QuickFix
    assert not fix.is_preferred  # an unsafe fix is never preferred
    assert fix.diagnostics is not None and fix.diagnostics[0].code == "WD101"
    fixed = apply_edits(TRAIN, edits_of(fix)[uri])
    assert "torch.optim.AdamW(model.parameters()" in fixed
    change_document(client, uri, fixed, 2)
    assert "WD101" not in {d.code for d in await published(client, uri)}


async def test_safe_fix_is_preferred_and_fix_all_matches_check_fix(client: LanguageClient, workspace: Path) -> None:
    path = workspace / "finetune.py"
    path.write_text(TRANSFORMERS)
    uri = open_document(client, path, TRANSFORMERS)
    wd103 = next(d for d in await published(client, uri) if d.code == "WD103")
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(types.TextDocumentIdentifier(uri), wd103.range, types.CodeActionContext(diagnostics=[]))
    )
    assert actions is not None
    preferred = [a for a in actions if isinstance(a, types.CodeAction) and a.is_preferred]
    assert [a.title for a in preferred] == ["Use `torch.optim.AdamW` with the same weight_decay (WD103)"]

    fix_all = await client.text_document_code_action_async(
        types.CodeActionParams(
            types.TextDocumentIdentifier(uri),
            types.Range(types.Position(0, 0), types.Position(0, 0)),
            types.CodeActionContext(diagnostics=[], only=[types.CodeActionKind.SourceFixAll]),
        )
    )
    assert fix_all is not None and len(fix_all) == 1
    action = fix_all[0]
    assert isinstance(action, types.CodeAction) and action.kind == "source.fixAll.wdlint"
    fixed = apply_edits(TRANSFORMERS, edits_of(action)[uri])
    copy = workspace / "copy.py"
    shutil.copy(path, copy)
    CliRunner().invoke(cli, ["check", "--no-cache", "--fix", str(copy)])
    assert fixed == copy.read_text() != TRANSFORMERS


async def test_fix_all_is_not_offered_without_a_safe_fix(client: LanguageClient, workspace: Path) -> None:
    uri = open_document(client, workspace / "train.py", TRAIN)  # WD101 and WD201: both unsafe
    await published(client, uri)
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            types.TextDocumentIdentifier(uri),
            types.Range(types.Position(0, 0), types.Position(0, 0)),
            types.CodeActionContext(diagnostics=[], only=["source.fixAll.wdlint"]),
        )
    )
    assert not actions


async def test_noqa_action_goes_on_the_first_line_of_the_call(client: LanguageClient, workspace: Path) -> None:
    text = "import torch\nopt = torch.optim.Adam(\n    params,\n    weight_decay=0.1,\n)\n"
    uri = open_document(client, workspace / "train.py", text)
    wd101 = next(d for d in await published(client, uri) if d.code == "WD101")
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(types.TextDocumentIdentifier(uri), wd101.range, types.CodeActionContext(diagnostics=[]))
    )
    assert actions is not None
    noqa = next(a for a in actions if isinstance(a, types.CodeAction) and a.title == "Suppress WD101 with `# noqa: WD101`")
    commented = apply_edits(text, edits_of(noqa)[uri])
    assert commented.splitlines()[1] == "opt = torch.optim.Adam(  # noqa: WD101"
    change_document(client, uri, commented, 2)
    assert "WD101" not in {d.code for d in await published(client, uri)}


async def test_noqa_action_merges_into_an_existing_comment(client: LanguageClient, workspace: Path) -> None:
    text = "import torch\nopt = torch.optim.Adam(model.parameters(), weight_decay=0.1)  # noqa: WD201\n"
    uri = open_document(client, workspace / "train.py", text)
    wd101 = next(d for d in await published(client, uri) if d.code == "WD101")
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(types.TextDocumentIdentifier(uri), wd101.range, types.CodeActionContext(diagnostics=[]))
    )
    assert actions is not None
    noqa = next(a for a in actions if isinstance(a, types.CodeAction) and a.title.startswith("Suppress WD101"))
    assert apply_edits(text, edits_of(noqa)[uri]).splitlines()[1].endswith("  # noqa: WD201, WD101")


async def test_hover_shows_the_rule_page(client: LanguageClient, workspace: Path) -> None:
    uri = open_document(client, workspace / "train.py", TRAIN)
    wd101 = next(d for d in await published(client, uri) if d.code == "WD101")
    hover = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(uri), wd101.range.start)
    )
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    assert hover.contents.kind == types.MarkupKind.Markdown
    page = CliRunner().invoke(cli, ["rule", "WD101"]).output
    assert hover.contents.value.strip() == page.strip()
    nothing = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(uri), types.Position(0, 0))
    )
    assert nothing is None


async def test_broken_file_gets_wd001_and_the_server_goes_on(client: LanguageClient, workspace: Path) -> None:
    broken = "import torch\nopt = torch.optim.Adam(model.parameters(), weight_decay=0.1\n"
    path = workspace / "broken.py"
    path.write_text(broken)
    uri = open_document(client, path, broken)
    found = await published(client, uri)
    assert [d.code for d in found] == ["WD001"]
    assert found[0].severity == types.DiagnosticSeverity.Error
    assert shown(found) == as_check_reports(check_json(path))
    other = open_document(client, workspace / "train.py", TRAIN)
    assert "WD101" in {d.code for d in await published(client, other)}


async def test_files_without_optimizers_are_not_parsed(client: LanguageClient, workspace: Path) -> None:
    # as `wdlint check`: the prefilter passes over a file that names no optimizer, broken or not
    uri = open_document(client, workspace / "util.py", "def f(:\n")
    assert await published(client, uri) == []


async def test_a_language_wdlint_does_not_read_is_left_alone(client: LanguageClient, workspace: Path) -> None:
    notes = open_document(client, workspace / "NOTES.md", "Adam(weight_decay=0.1) is coupled\n", language="markdown")
    uri = open_document(client, workspace / "train.py", TRAIN)
    await published(client, uri)  # messages are handled in order: NOTES.md had its turn
    assert notes not in client.diagnostics


async def test_yaml_config(client: LanguageClient, workspace: Path) -> None:
    text = "optimizer:\n  _target_: torch.optim.Adam\n  lr: 0.001\n  weight_decay: 1e-4\n"
    path = workspace / "train.yaml"
    path.write_text(text)
    uri = open_document(client, path, text, language="yaml")
    found = await published(client, uri)
    assert "WD101" in {d.code for d in found}
    assert shown(found) == as_check_reports(check_json(path))
