from __future__ import annotations

from wdlint.rules.base import Rule

RULE = Rule(
    code="WD001",
    name="parse-error",
    summary="A file that cannot be read, decoded or parsed",
    what_it_does="""
Reports a file that mentions optimizers but cannot be read, decoded or parsed: a syntax error
(Python 2 code included), bytes that are not valid in the file's encoding, NUL bytes, or a file
that cannot be opened. The other files are still linted. This rule is always on.
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
    check=None,
)
