"""The server in a project: `[tool.wdlint]` as the CLI reads it (and again when it changes),
the project's other files read from disk, a bug of ours contained, the debounce."""

from __future__ import annotations

import asyncio
import sys
import textwrap
from pathlib import Path

import pytest
import pytest_lsp
from lsp_client import (
    PUBLICATIONS,
    change_document,
    open_document,
    published,
    server_config,
    start,
    stop,
)
from lsprotocol import types
from pytest_lsp import LanguageClient

pytestmark = pytest.mark.asyncio

TRAIN = "import torch\n\nopt = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-4)\n"


def codes(found: list[types.Diagnostic]) -> set[object]:
    return {d.code for d in found}


def watched_change(client: LanguageClient, path: Path, kind: types.FileChangeType = types.FileChangeType.Changed) -> None:
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams([types.FileEvent(path.as_uri(), kind)])
    )


async def test_pyproject_ignores_wd101_and_is_read_again(client: LanguageClient, workspace: Path) -> None:
    pyproject = workspace / "pyproject.toml"
    pyproject.write_text('[tool.wdlint]\nignore = ["WD101"]\n')
    (workspace / "src").mkdir()
    uri = open_document(client, workspace / "src" / "train.py", TRAIN)
    assert codes(await published(client, uri)) == {"WD201"}
    pyproject.write_text('[tool.wdlint]\nignore = ["WD201"]\n')
    watched_change(client, pyproject)
    assert codes(await published(client, uri)) == {"WD101"}


async def test_saving_the_pyproject_in_the_editor_reads_it_again(client: LanguageClient, workspace: Path) -> None:
    pyproject = workspace / "pyproject.toml"
    pyproject.write_text("[tool.wdlint]\n")
    uri = open_document(client, workspace / "train.py", TRAIN)
    assert codes(await published(client, uri)) == {"WD101", "WD201"}
    config = open_document(client, pyproject, pyproject.read_text(), language="toml")
    pyproject.write_text('[tool.wdlint]\nselect = ["WD2"]\n')
    client.text_document_did_save(types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(config)))
    assert codes(await published(client, uri)) == {"WD201"}
    assert config not in client.diagnostics  # a TOML file is not linted


async def test_per_file_ignores_and_excludes(client: LanguageClient, workspace: Path) -> None:
    (workspace / "pyproject.toml").write_text(
        textwrap.dedent(
            """\
            [tool.wdlint]
            extend-exclude = ["legacy"]
            per-file-ignores = { "tests/**" = ["WD101"] }
            """
        )
    )
    for folder in ("tests", "legacy"):
        (workspace / folder).mkdir()
    in_tests = open_document(client, workspace / "tests" / "test_train.py", TRAIN)
    assert codes(await published(client, in_tests)) == {"WD201"}
    excluded = open_document(client, workspace / "legacy" / "old.py", TRAIN)
    main = open_document(client, workspace / "train.py", TRAIN)
    assert codes(await published(client, main)) == {"WD101", "WD201"}
    assert excluded not in client.diagnostics  # handled before train.py, in order: nothing to show


async def test_a_broken_config_is_shown_once_and_its_fix_counts(client: LanguageClient, workspace: Path) -> None:
    pyproject = workspace / "pyproject.toml"
    pyproject.write_text('[tool.wdlint]\nignroe = ["WD101"]\n')
    uri = open_document(client, workspace / "train.py", TRAIN)
    other = open_document(client, workspace / "other.py", TRAIN)
    deadline = asyncio.get_running_loop().time() + 30
    while not client.messages:
        assert asyncio.get_running_loop().time() < deadline
        await asyncio.sleep(0.01)
    assert [m.type for m in client.messages] == [types.MessageType.Error]  # once, not once per document
    assert "unknown key `ignroe`" in client.messages[0].message
    assert uri not in client.diagnostics and other not in client.diagnostics
    pyproject.write_text('[tool.wdlint]\nignore = ["WD101"]\n')
    watched_change(client, pyproject)
    assert codes(await published(client, uri)) == {"WD201"}


async def test_other_files_are_read_from_disk_and_again_when_they_change(
    client: LanguageClient, workspace: Path
) -> None:
    # a helper whose every caller passes 0 is quiet; a caller on disk that passes 0.1 is not
    factory = "import torch\n\n\ndef make_optimizer(params, wd):\n    return torch.optim.Adam(params, lr=1e-3, weight_decay=wd)\n"
    (workspace / "optim_factory.py").write_text(factory)
    caller = workspace / "train.py"
    caller.write_text("from optim_factory import make_optimizer\n\nopt = make_optimizer(model.parameters(), 0.0)\n")
    uri = open_document(client, workspace / "optim_factory.py", factory)
    assert await published(client, uri) == []
    caller.write_text("from optim_factory import make_optimizer\n\nopt = make_optimizer(model.parameters(), 0.1)\n")
    watched_change(client, caller)
    found = await published(client, uri)
    assert codes(found) == {"WD101", "WD201"}
    assert all("when called from train.py:3" in d.message for d in found)


async def test_saving_a_document_relints_the_others(client: LanguageClient, workspace: Path) -> None:
    factory = "import torch\n\n\ndef make_optimizer(params, wd):\n    return torch.optim.Adam(params, lr=1e-3, weight_decay=wd)\n"
    (workspace / "optim_factory.py").write_text(factory)
    caller = workspace / "train.py"
    quiet = "from optim_factory import make_optimizer\n\nopt = make_optimizer(model.parameters(), 0.0)\n"
    caller.write_text(quiet)
    factory_uri = open_document(client, workspace / "optim_factory.py", factory)
    assert await published(client, factory_uri) == []
    caller_uri = open_document(client, caller, quiet)
    assert await published(client, caller_uri) == []
    loud = quiet.replace("0.0)", "0.1)")
    change_document(client, caller_uri, loud, 2)
    await published(client, caller_uri)
    caller.write_text(loud)  # the editor writes the file, then says so
    client.diagnostics.pop(factory_uri, None)
    client.text_document_did_save(types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(caller_uri)))
    assert codes(await published(client, factory_uri)) == {"WD101", "WD201"}


FAULTY = """\
import sys

import wdlint.engine.lint as lint

checked = lint.check_sites


def check_sites(sites, filename, options, module=None):
    if filename.endswith("boom.py"):
        raise RuntimeError("a bug in a rule")
    return checked(sites, filename, options, module)


lint.check_sites = check_sites
from wdlint.cli import main

sys.argv = ["wdlint", "server", "--debounce", "0"]
main()
"""


@pytest_lsp.fixture(config=server_config(command=[sys.executable, "-c", FAULTY]))
async def faulty(lsp_client: LanguageClient, workspace: Path):  # type: ignore[no-untyped-def]
    """A server with a rule that fails on one file, as a bug of ours would."""
    await start(lsp_client, workspace)
    yield
    await stop(lsp_client)


async def test_an_internal_error_is_logged_and_the_server_goes_on(faulty: LanguageClient, workspace: Path) -> None:
    uri = open_document(faulty, workspace / "boom.py", TRAIN)
    found = await published(faulty, uri)
    assert [(d.code, d.severity) for d in found] == [("WD001", types.DiagnosticSeverity.Error)]
    assert found[0].message.startswith("internal error while linting this file: RuntimeError: a bug in a rule")
    errors = [m for m in faulty.log_messages if m.type == types.MessageType.Error]
    assert len(errors) == 1 and "RuntimeError: a bug in a rule" in errors[0].message
    assert "Traceback" in errors[0].message
    fine = open_document(faulty, workspace / "train.py", TRAIN)
    assert codes(await published(faulty, fine)) == {"WD101", "WD201"}


@pytest_lsp.fixture(config=server_config("--debounce", "300"))
async def debounced(lsp_client: LanguageClient, workspace: Path):  # type: ignore[no-untyped-def]
    await start(lsp_client, workspace)
    yield
    await stop(lsp_client)


async def test_changes_are_linted_once_typing_pauses(debounced: LanguageClient, workspace: Path) -> None:
    uri = open_document(debounced, workspace / "train.py", TRAIN)
    assert codes(await published(debounced, uri)) == {"WD101", "WD201"}  # opening: at once
    loop = asyncio.get_running_loop()
    started = loop.time()
    change_document(debounced, uri, TRAIN.replace("Adam(", "AdamW("), 2)
    change_document(debounced, uri, TRAIN.replace("Adam(", "AdamW(").replace("1e-4", "0.0"), 3)
    assert await published(debounced, uri) == []
    assert loop.time() - started >= 0.3
    after_open = [p for p in PUBLICATIONS[id(debounced)] if p.uri == uri][1:]
    assert [p.version for p in after_open] == [3]  # version 2 was never linted
