"""Writing a rule's fix out: its new code laid out as the file's formatter would, and its
imports in the file's style.

`materialize.materialize` turns a rule's `FixPlan` into the `Fix` whose edits `--fix` applies
and the JSON, SARIF and `--diff` outputs show. It uses libcst, which is imported only here:
`style` (the line length the project configures) is the one module of this package that a run
imports without libcst.
"""
