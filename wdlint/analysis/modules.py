"""The parameter names of normalization layers of a model class defined in the linted file.

Read from the `self.x = ...` assignments of each class's `__init__`, following submodules whose
classes are defined in the same file, containers (`nn.ModuleList`, `nn.Sequential`,
`nn.ModuleDict`) and list comprehensions of blocks. Layer indices are written as `0`: one
representative name per repeated layer is enough to see what a name filter misses.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from wdlint.analysis.env import MAX_DEPTH
from wdlint.knowledge.params import is_norm_class_name

_CONTAINERS = frozenset({"ModuleList", "Sequential", "ModuleDict"})


class ModelClasses:
    """The classes of one module, to answer: which norm params does an instance of X have?"""

    def __init__(self, tree: ast.Module) -> None:
        self.classes = {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}

    def attribute(self, class_name: str, attribute: str) -> ast.expr | None:
        """The value `__init__` assigns to `self.<attribute>`, when the class is defined here."""
        node = self.classes.get(class_name)
        if node is None:
            return None
        return next((value for name, value in _init_assignments(node) if name == attribute), None)

    def norm_parameters(self, class_name: str) -> tuple[str, ...] | None:
        """`("h.0.ln_1.weight", "ln_f.weight", ...)`, or None when the class is not defined here."""
        if class_name not in self.classes:
            return None
        return tuple(sorted(set(self._norms(class_name, "", 0))))

    def _norms(self, class_name: str, prefix: str, depth: int) -> Iterator[str]:
        node = self.classes.get(class_name)
        if node is None or depth > MAX_DEPTH:
            return
        if is_norm_class_name(class_name):
            yield f"{prefix}weight"
            return
        for attribute, value in _init_assignments(node):
            yield from self._submodule(value, f"{prefix}{attribute}.", depth + 1)

    def _submodule(self, value: ast.expr, prefix: str, depth: int) -> Iterator[str]:
        if isinstance(value, (ast.ListComp, ast.GeneratorExp)):
            yield from self._submodule(value.elt, f"{prefix}0.", depth)
            return
        if isinstance(value, (ast.List, ast.Tuple)):
            for position, element in enumerate(value.elts):
                yield from self._submodule(element, f"{prefix}{position}.", depth)
            return
        if not isinstance(value, ast.Call):
            return
        name = _called_name(value.func)
        if name is None:
            return
        if name in _CONTAINERS:
            yield from self._container(name, value, prefix, depth)
        elif is_norm_class_name(name):
            yield f"{prefix}weight"
        else:
            yield from self._norms(name, prefix, depth)

    def _container(self, name: str, call: ast.Call, prefix: str, depth: int) -> Iterator[str]:
        first = call.args[0] if call.args else None
        if isinstance(first, ast.Dict):  # ModuleDict({"wte": ..., "ln_f": ...})
            for key, value in zip(first.keys, first.values):
                if isinstance(key, ast.Constant) and isinstance(key.value, str):
                    yield from self._submodule(value, f"{prefix}{key.value}.", depth)
        elif isinstance(first, ast.Call) and _called_name(first.func) == "dict":  # ModuleDict(dict(...))
            for keyword in first.keywords:
                if keyword.arg is not None:
                    yield from self._submodule(keyword.value, f"{prefix}{keyword.arg}.", depth)
        elif name == "ModuleList" and first is not None:
            yield from self._submodule(first, prefix, depth)
        else:  # Sequential(a, b, c) or Sequential(*layers)
            for position, element in enumerate(call.args):
                inner = element.value if isinstance(element, ast.Starred) else element
                yield from self._submodule(inner, f"{prefix}{position}.", depth)


def _init_assignments(node: ast.ClassDef) -> Iterator[tuple[str, ast.expr]]:
    """`self.x = value` in `__init__`, in order."""
    for item in node.body:
        if isinstance(item, ast.FunctionDef) and item.name == "__init__":
            for statement in ast.walk(item):
                if isinstance(statement, ast.Assign):
                    for target in statement.targets:
                        if (
                            isinstance(target, ast.Attribute)
                            and isinstance(target.value, ast.Name)
                            and target.value.id == "self"
                        ):
                            yield target.attr, statement.value


def _called_name(func: ast.expr) -> str | None:
    """`LayerNorm` for `nn.LayerNorm`, `torch.nn.LayerNorm` or `LayerNorm`."""
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return None
