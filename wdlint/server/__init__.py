"""`wdlint server`, the language server (`pip install "wdlint[lsp]"`).

`documents.py` is the lint of an editor's text (no protocol); `convert.py`, `subjects.py`,
`actions.py` and `server.py` speak the protocol through pygls and lsprotocol, which only
`wdlint server` imports: `wdlint check` never does.
"""
