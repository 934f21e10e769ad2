"""The registry of file formats: a file is read as the format its suffix names, and as Python
when none does. Every part of wdlint that depends on what a file is asks here: the lint
(`engine.lint`), the runner's screening and fixes, standard input, the result cache and the
default includes.

Adding a format: a module beside these (a `Format` subclass, light at import) and a line in
`FORMATS`.
"""

from __future__ import annotations

import os
from pathlib import PurePath

from wdlint.frontends.formats.base import Format
from wdlint.frontends.formats.deepspeed import DEEPSPEED_CONFIG
from wdlint.frontends.formats.notebook import NOTEBOOK
from wdlint.frontends.formats.python import PYTHON
from wdlint.frontends.formats.yaml_config import YAML_CONFIG

__all__ = ["FORMATS", "PYTHON", "Format", "default_includes", "format_for"]

# in this order in the default includes
FORMATS: tuple[Format, ...] = (PYTHON, NOTEBOOK, YAML_CONFIG, DEEPSPEED_CONFIG)


def format_for(name: str | PurePath) -> Format:
    """The format of a file by its name's suffix (any case); Python for any other name.

    The suffix as `os.path.splitext` reads it, as the lint always has: a name of dots and a
    suffix (`..ipynb`) has none.
    """
    suffix = os.path.splitext(name)[1].lower()
    for form in FORMATS:
        if suffix in form.suffixes:
            return form
    return PYTHON


def default_includes() -> tuple[str, ...]:
    """Glob patterns of every registered format's files: what a directory walk lints."""
    return tuple(f"*{suffix}" for form in FORMATS for suffix in form.suffixes)
