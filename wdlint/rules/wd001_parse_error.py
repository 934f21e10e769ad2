from __future__ import annotations

from wdlint.diagnostics import Position
from wdlint.rules.base import Reported, Rule

RULE = Rule(
    code="WD001",
    name="parse-error",
    summary="A file that cannot be read, decoded or parsed",
    what_it_does="""
Reports a file that mentions optimizers but cannot be read, decoded or parsed: a syntax error
(Python 2 code included), bytes that are not valid in the file's encoding, or a file that
cannot be opened. Whether it mentions optimizers or not, a file wdlint cannot read as text (a
binary file, NUL bytes, UTF-16, bytes that do not decode) or a notebook that is not nbformat
JSON is reported too, since the byte scan cannot see what it holds. Also reported: a file over
`max-file-size` characters (not parsed), an expression nested deeper than Python's recursion
limit, a fix that could not be written (the file is left as it was), and an internal error of
wdlint's on one file. The other files are still linted. This rule is always on.
""",
    why_is_this_bad="""
wdlint cannot check what it cannot parse, so a weight-decay mistake in that file would go
unreported. wdlint is not a syntax checker: a file that names no optimizer vocabulary is never
parsed, so its syntax errors are left to your other tools.
""",
    example="""
import torch

optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3
""",
    use_instead="""
import torch

optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
""",
    example_findings=(Position(3, 30),),
    static_check=Reported.BY_FRONT_ENDS,
)
