"""Helpers to drive `wdlint server` with a real LSP client (pytest-lsp's, built on pygls's) over stdio.

Each test starts the server as an editor does (`python -m wdlint server`), initializes it with
the capabilities a real editor sends (pytest-lsp's recorded VS Code, Neovim and Emacs ones),
and shuts it down; the server must exit 0.
"""

from __future__ import annotations

import asyncio
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

import wdlint

ROOT = Path(wdlint.__file__).parent.parent
SERVER_ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
TIMEOUT = 30.0  # seconds: generous for a loaded 2-core machine; a pass takes milliseconds


# by id(client): what the server registered, and every publication in order (with versions)
REGISTRATIONS: dict[int, list[types.Registration]] = {}
PUBLICATIONS: dict[int, list[types.PublishDiagnosticsParams]] = {}


def _publish(client: LanguageClient, params: types.PublishDiagnosticsParams) -> None:
    PUBLICATIONS.setdefault(id(client), []).append(params)
    client.diagnostics[params.uri] = params.diagnostics


def _register(client: LanguageClient, params: types.RegistrationParams) -> None:
    REGISTRATIONS.setdefault(id(client), []).extend(params.registrations)


def make_client() -> LanguageClient:
    """pytest-lsp's client, keeping each publication's version and answering
    `client/registerCapability` as an editor does."""
    client = LanguageClient(converter_factory=default_converter)
    features = {
        **DEFAULT_CLIENT_FEATURES,
        types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS: _publish,
        types.CLIENT_REGISTER_CAPABILITY: _register,
    }
    register_lsp_features(client, features)
    return client


def server_config(*args: str, command: Sequence[str] | None = None) -> ClientServerConfig:
    return ClientServerConfig(
        server_command=[*(command or [sys.executable, "-m", "wdlint", "server"]), *args],
        server_env=SERVER_ENV,
        client_factory=make_client,
    )


def capabilities(editor: str) -> types.ClientCapabilities:
    """What the editor sends; VS Code's recording predates LSP 3.17, whose notebook document
    sync today's VS Code (and its Jupyter extension) announces, so it is added."""
    recorded = client_capabilities(editor)
    if editor == "visual-studio-code":
        recorded.notebook_document = types.NotebookDocumentClientCapabilities(
            synchronization=types.NotebookDocumentSyncClientCapabilities(execution_summary_support=True)
        )
    return recorded


async def start(client: LanguageClient, root: Path, editor: str = "visual-studio-code") -> types.InitializeResult:
    return await client.initialize_session(
        types.InitializeParams(
            capabilities=capabilities(editor),
            root_uri=root.as_uri(),
            workspace_folders=[types.WorkspaceFolder(root.as_uri(), root.name)],
        )
    )


async def stop(client: LanguageClient) -> None:
    await client.shutdown_session()
    server = client._server
    assert server is not None and server.returncode == 0, "the server did not exit cleanly"


async def registered(client: LanguageClient, method: str) -> list[types.Registration]:
    """What the server registered for `method` (it asks once the client said `initialized`)."""
    deadline = asyncio.get_running_loop().time() + TIMEOUT
    while not (found := [r for r in REGISTRATIONS.get(id(client), []) if r.method == method]):
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"the server registered nothing for {method}")
        await asyncio.sleep(0.005)
    return found


async def published(client: LanguageClient, uri: str) -> list[types.Diagnostic]:
    """The next diagnostics published to `uri` (tests forget the last ones before acting)."""
    deadline = asyncio.get_running_loop().time() + TIMEOUT
    while uri not in client.diagnostics:
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"no diagnostics were published to {uri}; log: {client.log_messages}")
        await asyncio.sleep(0.005)
    return list(client.diagnostics.pop(uri))


def open_document(client: LanguageClient, path: Path, text: str, language: str = "python", version: int = 1) -> str:
    uri = path.as_uri()
    client.diagnostics.pop(uri, None)
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri=uri, language_id=language, version=version, text=text))
    )
    return uri


def change_document(client: LanguageClient, uri: str, text: str, version: int) -> None:
    client.diagnostics.pop(uri, None)
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(version=version, uri=uri),
            [types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


def offset(text: str, position: types.Position) -> int:
    """A protocol position (UTF-16 columns) as an index into `text`."""
    lines = re.findall(r"[^\r\n]*(?:\r\n|\r|\n)?", text)[:-1] or [""]  # the protocol's lines
    if position.line >= len(lines):
        return len(text)
    start = sum(len(line) for line in lines[: position.line])
    units = 0
    column = 0
    line = lines[position.line]
    while units < position.character and column < len(line):
        units += 2 if ord(line[column]) > 0xFFFF else 1
        column += 1
    return start + column


def apply_edits(text: str, edits: Sequence[types.TextEdit]) -> str:
    """Apply edits as a client does: all against the original text."""
    spans = sorted(((offset(text, e.range.start), offset(text, e.range.end), e.new_text) for e in edits), reverse=True)
    for start, end, new in spans:
        text = text[:start] + new + text[end:]
    return text


def edits_of(action: types.CodeAction) -> dict[str, list[types.TextEdit]]:
    """An action's edits by document, whichever form the server chose."""
    edit = action.edit
    assert edit is not None
    if edit.document_changes is not None:
        found: dict[str, list[types.TextEdit]] = {}
        for change in edit.document_changes:
            assert isinstance(change, types.TextDocumentEdit)
            found.setdefault(change.text_document.uri, []).extend(
                e for e in change.edits if isinstance(e, types.TextEdit)
            )
        return found
    return {uri: list(edits) for uri, edits in (edit.changes or {}).items()}
