"""Fixtures: `wdlint server` started as an editor starts it, behind a real LSP client."""

from __future__ import annotations

from pathlib import Path

import pytest
import pytest_lsp
from lsp_client import server_config, start, stop
from pytest_lsp import LanguageClient


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    return root


@pytest_lsp.fixture(config=server_config("--debounce", "0"))
async def client(lsp_client: LanguageClient, workspace: Path):  # type: ignore[no-untyped-def]
    await start(lsp_client, workspace)
    yield
    await stop(lsp_client)


@pytest_lsp.fixture(config=server_config("--debounce", "0"))
async def bare_client(lsp_client: LanguageClient):  # type: ignore[no-untyped-def]
    """A server the test itself initializes and shuts down."""
    yield
    server = lsp_client._server
    if server is not None and server.returncode is None:  # the test failed before its shutdown
        server.kill()


