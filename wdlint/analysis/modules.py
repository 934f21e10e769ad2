"""The parameter names of normalization layers of a model class defined in the linted file.

Read from the `self.x = ...` assignments of each class's `__init__`, following submodules whose
classes are defined in the same file, containers (`nn.ModuleList`, `nn.Sequential`,
`nn.ModuleDict`) and list comprehensions of blocks, and the known models a layer may be built
by (a timm architecture, whose names the caller's `KnownCalls` gives). Layer indices are written
as `0`: one representative name per repeated layer is enough to see what a name filter misses.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator

from wdlint.analysis.env import MAX_DEPTH
from wdlint.analysis.index import ModuleIndex
from wdlint.knowledge.params import is_norm_class_name

_CONTAINERS = frozenset({"ModuleList", "Sequential", "ModuleDict"})
# torch.nn layers whose only params are a weight matrix and an optional bias: (its position)
_WITH_BIAS = {
    "Linear": 2, "LazyLinear": 1, "Bilinear": 3,
    **{f"{kind}{n}d": position for n in (1, 2, 3) for kind, position in (("Conv", 7), ("ConvTranspose", 8))},
}
# torch.nn layers without a bias or a norm weight: parameter-free ones, and embedding tables
_PLAIN_LAYERS = frozenset({
    "Identity", "Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "ReLU", "ReLU6", "GELU", "SiLU", "Tanh", "Sigmoid",
    "Softmax", "LogSoftmax", "Flatten", "Unflatten", "ELU", "LeakyReLU", "Mish", "Hardswish", "GLU", "Softplus",
    "MaxPool1d", "MaxPool2d", "MaxPool3d", "AvgPool1d", "AvgPool2d", "AvgPool3d", "AdaptiveAvgPool1d",
    "AdaptiveAvgPool2d", "AdaptiveAvgPool3d", "AdaptiveMaxPool1d", "AdaptiveMaxPool2d", "Upsample", "Embedding",
    "EmbeddingBag",
})
_MODULE_BASES = frozenset({"Module", "nn.Module", "torch.nn.Module"})
# what registers params an `__init__` cannot show as `self.x = Layer(...)`
_REGISTERING = frozenset({"register_parameter", "add_module", "register_module", "setattr", "Parameter"})

# the norm weights of the known model a call builds (`timm.create_model("resnet50")`), None when
# the call builds no model known
KnownCalls = Callable[[ast.Call], "tuple[str, ...] | None"]


class ModelClasses:
    """The classes of one module, to answer: which norm params does an instance of X have?"""

    def __init__(self, index: ModuleIndex) -> None:
        tree = index.module_scope.node
        body = tree.body if isinstance(tree, ast.Module) else []
        self.classes = {node.name: node for node in body if isinstance(node, ast.ClassDef)}
        self._assigned_into = index.assigned_into
        self._plain: dict[str, bool | None] = {}
        self._inits: dict[str, list[tuple[str, ast.expr]]] = {}

    def attribute(self, class_name: str, attribute: str) -> ast.expr | None:
        """The value `__init__` assigns to `self.<attribute>`, when the class is defined here."""
        node = self.classes.get(class_name)
        if node is None:
            return None
        return next((value for name, value in self._init_assignments(class_name, node) if name == attribute), None)

    def plain(self, value: ast.expr, depth: int = 0) -> bool:
        """Whether the module `value` constructs provably holds no bias and no norm weight:
        `nn.Linear(d, n, bias=False)`, `nn.Dropout(0.1)`, a class of this file made only of such."""
        if depth > MAX_DEPTH:
            return False
        if isinstance(value, ast.IfExp):
            return self.plain(value.body, depth + 1) and self.plain(value.orelse, depth + 1)
        if isinstance(value, (ast.List, ast.Tuple)):
            return all(self.plain(element, depth + 1) for element in value.elts)
        if isinstance(value, (ast.ListComp, ast.GeneratorExp)):
            return self.plain(value.elt, depth + 1)
        if not isinstance(value, ast.Call):
            return False
        name = _called_name(value.func)
        if name is None or is_norm_class_name(name):
            return False
        if name in _PLAIN_LAYERS:
            return True
        if name in _WITH_BIAS:
            position = _WITH_BIAS[name]
            given = next((k.value for k in value.keywords if k.arg == "bias"), None)
            if given is None and len(value.args) > position:
                given = value.args[position]
            return isinstance(given, ast.Constant) and given.value is False
        if name in _CONTAINERS:
            parts = [a.value if isinstance(a, ast.Starred) else a for a in value.args]
            if parts and isinstance(parts[0], ast.Dict):
                parts = list(parts[0].values)
            return all(self.plain(part, depth + 1) for part in parts)
        return self.plain_class(name, depth + 1)

    def plain_class(self, class_name: str, depth: int = 0) -> bool:
        """Whether an instance of the class defined here provably holds no bias and no norm."""
        node = self.classes.get(class_name)
        if node is None or depth > MAX_DEPTH:
            return False
        if not node.bases or not all(ast.unparse(base) in _MODULE_BASES for base in node.bases):
            return False
        if self._plain.get(class_name) is None:
            self._plain[class_name] = False  # while deciding: a class holding itself is not plain
            init = [item for item in node.body if isinstance(item, ast.FunctionDef) and item.name == "__init__"]
            registers = not init or any(
                isinstance(n, ast.Call) and (_called_name(n.func) in _REGISTERING or _calls_own_method(n.func))
                for f in init
                for n in ast.walk(f)
            )
            self._plain[class_name] = not registers and all(
                self.plain(value, depth) for _, value in self._init_assignments(class_name, node) if _constructs(value)
            )
        return bool(self._plain[class_name])

    def norm_parameters(self, class_name: str, known: KnownCalls | None = None) -> tuple[str, ...] | None:
        """`("h.0.ln_1.weight", "ln_f.weight", ...)`, or None when the class is not defined here.

        `known` names the norms of a known model a layer is built by (`self.backbone =
        timm.create_model("resnet50")`), as long as nothing of the file assigns into that layer
        (`self.backbone.fc = ...`, `net.backbone.head = ...`); else its norms are left out."""
        if class_name not in self.classes:
            return None
        return tuple(sorted(set(self._norms(class_name, "", 0, known))))

    def _norms(self, class_name: str, prefix: str, depth: int, known: KnownCalls | None) -> Iterator[str]:
        node = self.classes.get(class_name)
        if node is None or depth > MAX_DEPTH:
            return
        if is_norm_class_name(class_name):
            yield f"{prefix}weight"
            return
        for attribute, value in self._init_assignments(class_name, node):
            layer = known if known is not None and attribute not in self._assigned_into else None
            yield from self._submodule(value, f"{prefix}{attribute}.", depth + 1, layer)

    def _submodule(self, value: ast.expr, prefix: str, depth: int, known: KnownCalls | None) -> Iterator[str]:
        if isinstance(value, (ast.ListComp, ast.GeneratorExp)):
            yield from self._submodule(value.elt, f"{prefix}0.", depth, known)
            return
        if isinstance(value, (ast.List, ast.Tuple)):
            for position, element in enumerate(value.elts):
                yield from self._submodule(element, f"{prefix}{position}.", depth, known)
            return
        if not isinstance(value, ast.Call):
            return
        built = known(value) if known is not None else None
        if built is not None:
            yield from (f"{prefix}{name}" for name in built)
            return
        name = _called_name(value.func)
        if name is None:
            return
        if name in _CONTAINERS:
            yield from self._container(name, value, prefix, depth, known)
        elif is_norm_class_name(name):
            yield f"{prefix}weight"
        else:
            yield from self._norms(name, prefix, depth, known)

    def _container(self, name: str, call: ast.Call, prefix: str, depth: int, known: KnownCalls | None) -> Iterator[str]:
        first = call.args[0] if call.args else None
        if isinstance(first, ast.Dict):  # ModuleDict({"wte": ..., "ln_f": ...})
            for key, value in zip(first.keys, first.values):
                if isinstance(key, ast.Constant) and isinstance(key.value, str):
                    yield from self._submodule(value, f"{prefix}{key.value}.", depth, known)
        elif isinstance(first, ast.Call) and _called_name(first.func) == "dict":  # ModuleDict(dict(...))
            for keyword in first.keywords:
                if keyword.arg is not None:
                    yield from self._submodule(keyword.value, f"{prefix}{keyword.arg}.", depth, known)
        elif name == "ModuleList" and first is not None:
            yield from self._submodule(first, prefix, depth, known)
        else:  # Sequential(a, b, c) or Sequential(*layers)
            for position, element in enumerate(call.args):
                inner = element.value if isinstance(element, ast.Starred) else element
                yield from self._submodule(inner, f"{prefix}{position}.", depth, known)

    def _init_assignments(self, class_name: str, node: ast.ClassDef) -> list[tuple[str, ast.expr]]:
        found = self._inits.get(class_name)
        if found is None:
            found = self._inits[class_name] = list(_init_assignments(node))
        return found


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


def _calls_own_method(func: ast.expr) -> bool:
    """`self._build()`: layers an `__init__` creates out of sight (`self.apply(init)` is not)."""
    return (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Name)
        and func.value.id == "self"
        and func.attr != "apply"
    )


def _constructs(value: ast.expr) -> bool:
    """Whether a `self.x = value` may hold a module: a call, a display or comprehension of them,
    a conditional; not a number, a string or a name passed in."""
    return any(isinstance(node, ast.Call) for node in ast.walk(value))


def _called_name(func: ast.expr) -> str | None:
    """`LayerNorm` for `nn.LayerNorm`, `torch.nn.LayerNorm` or `LayerNorm`."""
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return None
