"""Whether a Python module is a config that assigns an optimizer (mmengine's `optim_wrapper =
dict(...)`, mmcv 1.x's `optimizer = dict(...)`): a look at its top-level statements only, so
that the config reader (`mmconfig`, and the config tree and dialects it builds on) is imported
for the modules that are such configs, never for a training script."""

from __future__ import annotations

import ast
from pathlib import Path

from wdlint.analysis.syntax import literal_pairs

TYPE_CHECKING = False  # `typing` is for type checkers: the hook never imports it (docs/architecture.md)

if TYPE_CHECKING:
    from wdlint.analysis.index import ModuleIndex
    from wdlint.analysis.sites import OptimizerSite
    from wdlint.frontends.python import PythonSource

WRAPPER = "optim_wrapper"  # mmengine
OPTIMIZER = "optimizer"  # mmcv 1.x, where paramwise_cfg sits inside the optimizer's dict
VARIABLES = (WRAPPER, OPTIMIZER)


def config_sites(source: PythonSource, path: Path, index: ModuleIndex) -> list[OptimizerSite]:
    """`mmconfig.config_sites`, read only where the module assigns a config's optimizer."""
    if not assigns_config(source.tree):
        return []
    from wdlint.frontends import mmconfig

    return mmconfig.config_sites(source, path, index)


def assigns_config(tree: ast.Module) -> bool:
    """A module-level `optim_wrapper = ...` or `optimizer = dict(...)`: cheap, before any index."""
    for statement in tree.body:
        if isinstance(statement, ast.Assign):
            for target in statement.targets:
                if isinstance(target, ast.Name) and target.id == WRAPPER:
                    return True
                if isinstance(target, ast.Name) and target.id == OPTIMIZER:
                    return literal_pairs(statement.value) is not None
    return False


def read_values(tree: ast.Module) -> set[int]:
    """ids of the module-level values the config reading owns (`optim_wrapper = ...`,
    `optimizer = dict(...)`) in a module it reads as a config: no other reading reports them
    again."""
    if not assigns_config(tree):
        return set()
    return {
        id(statement.value)
        for statement in tree.body
        if isinstance(statement, ast.Assign)
        and any(isinstance(target, ast.Name) and target.id in VARIABLES for target in statement.targets)
    }
