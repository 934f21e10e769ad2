"""`timm.create_model("vit_base_patch16_224", ...)`: which known timm model a call builds.

The architecture is read as a constant (a literal, a name bound to one, a command-line
option's default), and the call must pass nothing that could rename a layer: its keywords are
the ones `knowledge.timm_models` says change no name, `global_pool` a value its family lists,
no `**kwargs`. An architecture the project registers itself (`@register_model def
convnext_tiny(...)` in the linted file or a project file that imports `register_model`) is the
project's model, whatever timm's of that name is.
"""

from __future__ import annotations

import ast
import os
from pathlib import Path

from wdlint.analysis import project_scan
from wdlint.analysis.env import Env
from wdlint.analysis.evaluate import UNRESOLVED, constant
from wdlint.analysis.scopes import BindingKind
from wdlint.frontends.dependencies import note_stamps
from wdlint.knowledge.timm_models import (
    FACTORY_PARAMETERS,
    NEUTRAL_KEYWORDS,
    POOL_KEYWORD,
    REGISTERING,
    TimmModel,
    timm_model,
)

_NAME_KEYWORD = "model_name"


def created_model(env: Env, call: ast.Call) -> TimmModel | None:
    """The known model `call` (a call of timm's `create_model`) builds, if any."""
    if any(isinstance(a, ast.Starred) for a in call.args) or len(call.args) > 1 + len(FACTORY_PARAMETERS):
        return None
    name_node = call.args[0] if call.args else None
    pool: str | None = None
    for keyword in call.keywords:
        if keyword.arg == _NAME_KEYWORD and name_node is None:
            name_node = keyword.value
        elif keyword.arg in NEUTRAL_KEYWORDS:
            continue
        elif keyword.arg is None:
            return None  # `**kwargs`: anything
        else:
            value = constant(env, keyword.value)
            if value is None:
                continue  # create_model leaves out a keyword given None, as if not given
            if keyword.arg != POOL_KEYWORD or not isinstance(value, str):
                return None  # `features_only=True`, `norm_layer=...`: other layers, other names
            pool = value
    name = constant(env, name_node) if name_node is not None else UNRESOLVED
    known = timm_model(name, pool) if isinstance(name, str) else None
    if known is None or _registered_in_project(env, known.architecture):
        return None
    return known


def _registered_in_project(env: Env, name: str) -> bool:
    """Whether the linted file defines `name` at module level, or a file of its project that
    imports `register_model` defines a function of that name."""
    defined = env.index.module_scope.bindings.get(name, ())
    if any(binding.kind is BindingKind.DEFINITION for binding in defined):
        return True
    if env.project is None or env.index.path is None or env.index.path.suffix != ".py":
        return False
    path = Path(os.path.abspath(env.index.path))
    if not path.is_file():
        return False
    scan = project_scan.scan(project_scan.project_root(path))
    note_stamps(scan.directories)
    registering = scan.importing_name(REGISTERING, besides=path)
    note_stamps(tuple(f.stamp for f in registering))  # a definition added to one of them changes the answer
    return any(project_scan.mentions(f.path, f"def {name}(") for f in registering)
