"""`wdlint server`: the language server (pygls), over standard input and output.

Each open document, and each open notebook as a whole, is a subject: linted on open and on
save at once, on change after a pause (the debounce), its diagnostics published to it (a
notebook's to its cells). Linting runs on the server's one thread, in the order of the
client's messages. A file saved or changed on disk forgets the project scans (the other files
a lint reads for cross-file facts) and re-lints what is open; a config file forgets the
settings too. A bug of ours in one document is logged and reported as that document's WD001,
as `wdlint check` reports it; the server goes on.
"""

from __future__ import annotations

import asyncio
import dataclasses
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlparse

from lsprotocol import types
from pygls.capabilities import get_capability
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from wdlint import __version__
from wdlint.config import ConfigError
from wdlint.diagnostics import Diagnostic
from wdlint.frontends.formats.notebook import NOTEBOOK
from wdlint.server.actions import KINDS, Edits, code_actions
from wdlint.server.convert import Lines, contains, diagnostic, rule_page
from wdlint.server.documents import Linter, format_of, is_config_file
from wdlint.server.subjects import Subject, Target

DEFAULT_DEBOUNCE = 0.2  # seconds: typing goes on for longer than a lint takes
# what a change on disk may change: a file imported or scanned for cross-file facts, a config
WATCHED = ("**/*.{py,pyi,ipynb,yaml,yml,json}", "**/{pyproject.toml,wdlint.toml,.wdlint.toml}")


def _path(uri: str) -> Path | None:
    path = to_fs_path(uri)
    return Path(path) if path is not None else None


def _name(uri: str) -> str:
    path = _path(uri)
    if path is not None:
        return path.as_posix()
    return PurePosixPath(unquote(urlparse(uri).path)).name or "untitled"


class WdlintServer(LanguageServer):
    def __init__(self, debounce: float = DEFAULT_DEBOUNCE) -> None:
        super().__init__(
            "wdlint",
            __version__,
            # whole texts: pygls applies ranges by `str.splitlines`, which breaks lines at
            # form feeds and other characters where the client and Python do not
            text_document_sync_kind=types.TextDocumentSyncKind.Full,
            notebook_document_sync=types.NotebookDocumentSyncOptions(
                # any notebook's Python cells ("*": every notebook type; lsprotocol's clients
                # cannot read a filter that leaves the notebook out)
                notebook_selector=[
                    types.NotebookDocumentFilterWithNotebook("*", cells=[types.NotebookCellLanguage("python")])
                ],
                save=True,
            ),
        )
        self.debounce = debounce
        self.linter = Linter(Path.cwd())
        self.texts: set[str] = set()  # open text documents that are not notebook cells
        self.notebooks: set[str] = set()
        self.pending: dict[str, asyncio.TimerHandle] = {}  # debounced lints by subject
        self.published: dict[str, set[str]] = {}  # the documents each subject published to last
        self.last: dict[str, tuple[Subject, list[Diagnostic]]] = {}  # each subject's last lint
        self.config_errors: set[str] = set()  # shown once until the settings are read again

    # -- subjects ---------------------------------------------------------------------------

    def key_of(self, uri: str) -> str:
        """The subject a document belongs to: its notebook, or itself."""
        notebook = self.workspace.get_notebook_document(cell_uri=uri)
        return notebook.uri if notebook is not None else uri

    def subject(self, key: str) -> Subject | None:
        """What a lint of `key` reads now; None when it is not linted (an editor language
        wdlint does not read, excluded by the settings). ConfigError from the settings."""
        if key in self.notebooks:
            return self._notebook(key)
        document = self.workspace.get_text_document(key)
        form = format_of(_name(key), document.language_id)
        if form is None:
            return None
        lint = self.linter.lint_for(_path(key), _name(key), form)
        return Subject.document(lint, key, document.version, document.source) if lint is not None else None

    def _notebook(self, key: str) -> Subject | None:
        notebook = self.workspace.get_notebook_document(notebook_uri=key)
        if notebook is None:
            return None
        lint = self.linter.lint_for(_path(key), _name(key), NOTEBOOK)
        if lint is None:
            return None
        documents = self.workspace.text_documents
        cells: list[Target | None] = []
        for cell in notebook.cells:
            document = documents.get(unquote(cell.document))
            python = document is not None and document.language_id in (None, "python")
            if cell.kind is types.NotebookCellKind.Code and document is not None and python:
                cells.append(Target(cell.document, document.version, document.source))
            else:
                cells.append(None)  # it still counts in the numbering
        metadata = notebook.metadata if isinstance(notebook.metadata, dict) else None
        return Subject.notebook(lint, key, cells, metadata)

    # -- linting ----------------------------------------------------------------------------

    def lint(self, subject: Subject) -> list[Diagnostic]:
        """The subject's diagnostics; a bug of ours is logged and becomes its WD001."""
        from wdlint.engine.lint import internal_error

        try:
            return subject.lint(subject.text)
        except Exception as error:  # noqa: BLE001  a bug of ours costs this document, never the server
            self.log_error(f"internal error while linting {subject.key}", error)
            return [internal_error(subject.lint.filename, error)]

    def current(self, key: str) -> tuple[Subject, list[Diagnostic]] | None:
        """The subject now and its diagnostics: the last lint's while the text is the same."""
        subject = self.subject(key)
        if subject is None:
            return None
        last = self.last.get(key)
        if last is not None and last[0].text == subject.text and last[0].lint == subject.lint:
            return subject, last[1]
        found = self.lint(subject)
        self.last[key] = (subject, found)
        return subject, found

    def refresh(self, key: str) -> None:
        """Lint a subject now and publish its diagnostics; nothing here ends the server."""
        handle = self.pending.pop(key, None)
        if handle is not None:
            handle.cancel()
        if key not in self.texts and key not in self.notebooks:
            return  # closed while its lint waited
        try:
            try:
                subject = self.subject(key)
            except ConfigError as error:
                self.config_error(error)
                subject = None
            if subject is None:  # not linted (now): what it showed before goes
                self.forget(key)
                return
            found = self.lint(subject)
            self.last[key] = (subject, found)
            versions = {t.uri: t.version for t in subject.targets}
            self.publish(key, subject.placed(found, self.workspace.position_codec), versions)
        except Exception as error:  # noqa: BLE001  a bug of ours costs this document, never the server
            self.log_error(f"internal error while serving {key}", error)

    def schedule(self, key: str) -> None:
        """Lint a subject once its text has stopped changing for the debounce."""
        handle = self.pending.pop(key, None)
        if handle is not None:
            handle.cancel()
        if self.debounce <= 0:
            self.refresh(key)
            return
        self.pending[key] = asyncio.get_running_loop().call_later(self.debounce, self.refresh, key)

    def refresh_all(self, now: str | None = None) -> None:
        """Files changed on disk: every open subject again (`now` at once, the rest debounced)."""
        for key in sorted(self.texts | self.notebooks):
            if key == now:
                self.refresh(key)
            else:
                self.schedule(key)

    def files_changed(self, paths: Sequence[Path]) -> None:
        from wdlint.analysis.project_scan import clear_scans
        from wdlint.frontends.dependencies import forget_real_paths

        clear_scans()
        forget_real_paths()
        if any(is_config_file(p) for p in paths):
            self.linter.forget_settings()
            self.config_errors.clear()

    def publish(
        self, key: str, by_uri: dict[str, list[types.Diagnostic]], versions: dict[str, int | None]
    ) -> None:
        for uri in sorted(self.published.get(key, set()) - by_uri.keys()):
            self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri, []))
        for uri, found in by_uri.items():
            self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri, found, versions.get(uri)))
        self.published[key] = set(by_uri)

    def forget(self, key: str) -> None:
        handle = self.pending.pop(key, None)
        if handle is not None:
            handle.cancel()
        self.last.pop(key, None)
        for uri in sorted(self.published.pop(key, set())):
            self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri, []))

    # -- messages ---------------------------------------------------------------------------

    def log_error(self, what: str, error: BaseException) -> None:
        details = "".join(traceback.format_exception(type(error), error, error.__traceback__))
        self.window_log_message(types.LogMessageParams(types.MessageType.Error, f"wdlint: {what}:\n{details}"))

    def config_error(self, error: ConfigError) -> None:
        message = f"wdlint: {error}"
        self.window_log_message(types.LogMessageParams(types.MessageType.Error, message))
        if message not in self.config_errors:
            self.config_errors.add(message)
            self.window_show_message(types.ShowMessageParams(types.MessageType.Error, message))

    def edits(self) -> Edits:
        document_changes = get_capability(self.client_capabilities, "workspace.workspace_edit.document_changes", False)
        return Edits(self.workspace.position_codec, bool(document_changes))

    def markdown(self) -> bool:
        formats = get_capability(self.client_capabilities, "text_document.hover.content_format", None)
        return formats is None or types.MarkupKind.Markdown in formats


def build(debounce: float = DEFAULT_DEBOUNCE) -> WdlintServer:
    """The server, its features registered."""
    server = WdlintServer(debounce)
    feature: Callable[..., Callable[[Callable[..., object]], Callable[..., object]]] = server.feature

    @feature(types.INITIALIZE)
    def initialize(ls: WdlintServer, params: types.InitializeParams) -> None:
        root = ls.workspace.root_path
        if root:
            ls.linter = Linter(Path(root))

    @feature(types.INITIALIZED)
    def initialized(ls: WdlintServer, params: types.InitializedParams) -> None:
        if get_capability(ls.client_capabilities, "workspace.did_change_watched_files.dynamic_registration", False):
            watchers = [types.FileSystemWatcher(glob_pattern=glob) for glob in WATCHED]
            options = types.DidChangeWatchedFilesRegistrationOptions(watchers=watchers)
            registration = types.Registration("wdlint-watched-files", types.WORKSPACE_DID_CHANGE_WATCHED_FILES, options)
            ls.client_register_capability(types.RegistrationParams([registration]))

    @feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: WdlintServer, params: types.DidOpenTextDocumentParams) -> None:
        uri = params.text_document.uri
        if ls.key_of(uri) != uri:
            return  # a notebook's cell: linted with its notebook
        ls.texts.add(uri)
        ls.refresh(uri)

    @feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: WdlintServer, params: types.DidChangeTextDocumentParams) -> None:
        if params.text_document.uri in ls.texts:
            ls.schedule(params.text_document.uri)

    @feature(types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=False))
    def did_save(ls: WdlintServer, params: types.DidSaveTextDocumentParams) -> None:
        uri = params.text_document.uri
        path = _path(uri)
        ls.files_changed([path] if path is not None else [])
        ls.refresh_all(now=ls.key_of(uri))

    @feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: WdlintServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        if uri in ls.texts:
            ls.texts.discard(uri)
            ls.forget(uri)

    @feature(types.NOTEBOOK_DOCUMENT_DID_OPEN)
    def notebook_did_open(ls: WdlintServer, params: types.DidOpenNotebookDocumentParams) -> None:
        ls.notebooks.add(params.notebook_document.uri)
        ls.refresh(params.notebook_document.uri)

    @feature(types.NOTEBOOK_DOCUMENT_DID_CHANGE)
    def notebook_did_change(ls: WdlintServer, params: types.DidChangeNotebookDocumentParams) -> None:
        ls.schedule(params.notebook_document.uri)

    @feature(types.NOTEBOOK_DOCUMENT_DID_SAVE)
    def notebook_did_save(ls: WdlintServer, params: types.DidSaveNotebookDocumentParams) -> None:
        uri = params.notebook_document.uri
        path = _path(uri)
        ls.files_changed([path] if path is not None else [])
        ls.refresh_all(now=uri)

    @feature(types.NOTEBOOK_DOCUMENT_DID_CLOSE)
    def notebook_did_close(ls: WdlintServer, params: types.DidCloseNotebookDocumentParams) -> None:
        uri = params.notebook_document.uri
        ls.notebooks.discard(uri)
        ls.forget(uri)

    @feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def watched_files(ls: WdlintServer, params: types.DidChangeWatchedFilesParams) -> None:
        paths = [p for p in (_path(change.uri) for change in params.changes) if p is not None]
        ls.files_changed(paths)
        ls.refresh_all()

    @feature(types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(code_action_kinds=list(KINDS)))
    def code_action(ls: WdlintServer, params: types.CodeActionParams) -> list[types.CodeAction] | None:
        uri = params.text_document.uri
        known = ls.current(ls.key_of(uri)) if ls.key_of(uri) in ls.texts | ls.notebooks else None
        if known is None:
            return None
        subject, found = known
        if any(d.fix is not None for d in found):  # published without edits: write them out now
            subject = dataclasses.replace(subject, lint=subject.lint.with_edits())
            found = ls.lint(subject)
        return code_actions(subject, found, uri, params.range, params.context.only, ls.edits()) or None

    @feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: WdlintServer, params: types.HoverParams) -> types.Hover | None:
        uri = params.text_document.uri
        known = ls.current(ls.key_of(uri)) if ls.key_of(uri) in ls.texts | ls.notebooks else None
        if known is None:
            return None
        subject, found = known
        target = next((t for t in subject.targets if t.uri == uri), None)
        if target is None:
            return None
        lines = Lines(target.text, ls.workspace.position_codec)
        codes: list[str] = []
        for d in found:
            if subject.target_of(d) == target and contains(diagnostic(d, lines).range, params.position):
                codes += [d.code] if d.code not in codes else []
        pages = [page for page in map(rule_page, codes) if page is not None]
        if not pages:
            return None
        kind = types.MarkupKind.Markdown if ls.markdown() else types.MarkupKind.PlainText
        return types.Hover(types.MarkupContent(kind, "\n---\n\n".join(pages)))

    @feature(types.SHUTDOWN)
    def shutdown(ls: WdlintServer, params: None) -> None:
        for handle in ls.pending.values():
            handle.cancel()
        ls.pending.clear()

    return server


def serve(debounce: float = DEFAULT_DEBOUNCE) -> None:
    """Serve one client over standard input and output until it says exit."""
    build(debounce).start_io()
