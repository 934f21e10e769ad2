"""GitHub Actions workflow commands: each finding becomes an annotation on the pull request.

`::warning file=F,line=L,col=C,endLine=EL,endColumn=EC,title=wdlint (WD201)::message`; nothing
else is printed, so the job log holds only the annotations.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from wdlint.diagnostics import Diagnostic
from wdlint.output.ci import in_file_lines, is_error, located_message, report_path


def github(diagnostics: Sequence[Diagnostic], root: Path) -> str:
    return "".join(_command(d, root) + "\n" for d in diagnostics)


def _command(diagnostic: Diagnostic, root: Path) -> str:
    properties = [("file", report_path(diagnostic.filename, root))]
    if in_file_lines(diagnostic):
        start, end = diagnostic.location, diagnostic.end_location
        properties += [
            ("line", str(start.row)),
            ("col", str(start.column)),
            ("endLine", str(end.row)),
            ("endColumn", str(end.column)),
        ]
    else:  # a notebook finding: on the file's first line, as SARIF and GitLab put it; the message names the cell
        properties.append(("line", "1"))
    properties.append(("title", f"wdlint ({diagnostic.code})"))
    command = "error" if is_error(diagnostic) else "warning"
    joined = ",".join(f"{key}={escape_property(value)}" for key, value in properties)
    return f"::{command} {joined}::{escape_data(located_message(diagnostic))}"


def escape_data(text: str) -> str:
    """The message after `::`: a newline would end the command, `%` starts an escape."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A property value: also `:` (ends the properties) and `,` (separates them)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")
