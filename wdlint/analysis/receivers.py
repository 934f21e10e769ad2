"""What a module expression holds: `model` in `model.named_parameters()`.

Its class when that is defined in the linted file (to list its norm parameters), the wrapper
around it (DDP, `torch.compile`, `accelerator.prepare`), or the checkpoint it was loaded from.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from wdlint.analysis.modules import ModelClasses
from wdlint.analysis.resolve import BindingKind, ModuleIndex, Scope, expr_text
from wdlint.analysis.sites import Receiver
from wdlint.knowledge.params import MODEL_WRAPPERS, WRAPPING_METHODS

_MAX_DEPTH = 8


class ModuleIdentifier:
    def __init__(self, tree: ast.Module, index: ModuleIndex) -> None:
        self.index = index
        self.model_classes = ModelClasses(tree)

    def receiver(self, node: ast.expr, scope: Scope, lineno: int) -> Receiver:
        identity = self._identify_module(node, scope, lineno, 0)
        norms = self._norm_parameters(identity.class_name, scope, lineno) if identity.class_name else None
        return Receiver(expr_text(node), norms, identity.wrapped_by, identity.checkpoint)

    def _norm_parameters(self, class_name: str, scope: Scope, lineno: int) -> tuple[str, ...] | None:
        """Norm parameter names of a class defined in this file or imported from the project."""
        local = self.model_classes.norm_parameters(class_name)
        if local is not None:
            return local
        found = self.index.lookup(class_name, scope, lineno)
        imported = self.index.imported(found[0]) if found is not None else None
        if imported is None:
            return None
        tree = imported.index.module_scope.node
        name = found[0].target.rpartition(".")[2] if found is not None else class_name
        return ModelClasses(tree).norm_parameters(name) if isinstance(tree, ast.Module) else None

    def _identify_module(self, node: ast.expr, scope: Scope, lineno: int, depth: int) -> _Identity:
        """What we know of the model a module expression holds: its class, wrapper, checkpoint."""
        if depth > _MAX_DEPTH:
            return _Identity()
        if isinstance(node, ast.Name) and node.id == "self":
            return _Identity(class_name=_enclosing_class(scope))
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self":
            owner = _enclosing_class(scope)
            value = self.model_classes.attribute(owner, node.attr) if owner else None
            return _Identity(class_name=_constructed_class(value)) if value is not None else _Identity()
        if not isinstance(node, ast.Name):
            return _Identity()
        found = self.index.lookup(node.id, scope, lineno)
        if found is None or found[0].value is None:
            return _Identity()
        binding, defining = found
        value = _strip_moves(binding.value) if binding.value is not None else None
        if binding.kind is BindingKind.ASSIGN and isinstance(value, ast.Name):
            return self._identify_module(value, defining, binding.lineno, depth + 1)
        if not isinstance(value, ast.Call):
            return _Identity()
        wrapper = self._wrapper(value, defining, binding.lineno)
        if wrapper is not None:
            # from an enclosing scope we only know the name's last binding, not the one in force
            # when the function runs (it may group before the script wraps the model)
            return _Identity(wrapped_by=wrapper) if defining is scope else _Identity()
        if binding.kind is BindingKind.UNPACKED:
            return _Identity()
        if isinstance(value.func, ast.Attribute) and value.func.attr == "from_pretrained":
            return _Identity(checkpoint=self._checkpoint(value, defining, binding.lineno))
        return _Identity(class_name=_constructed_class(value))

    def _checkpoint(self, call: ast.Call, scope: Scope, lineno: int) -> str | None:
        """The checkpoint name given to `from_pretrained`, when it is a known string."""
        keyword = next((k.value for k in call.keywords if k.arg == "pretrained_model_name_or_path"), None)
        node = call.args[0] if call.args else keyword
        value = self.index.constant(node, scope, lineno) if node is not None else None
        return value if isinstance(value, str) else None

    def _wrapper(self, call: ast.Call, scope: Scope, lineno: int) -> str | None:
        qualified = self.index.qualified_name(call.func, scope, lineno)
        if qualified in MODEL_WRAPPERS:
            return qualified
        if isinstance(call.func, ast.Attribute) and call.func.attr in WRAPPING_METHODS:
            return expr_text(call.func)
        return None


@dataclass(frozen=True)
class _Identity:
    class_name: str | None = None  # defined in this file
    wrapped_by: str | None = None
    checkpoint: str | None = None  # `from_pretrained("bert-base-cased")`


_MOVES = frozenset({"to", "cuda", "cpu", "train", "eval", "float", "half", "bfloat16", "double", "requires_grad_"})


def _strip_moves(node: ast.expr) -> ast.expr:
    """`GPT(cfg).to(device).train()` -> `GPT(cfg)`: these return the module itself."""
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _MOVES:
        node = node.func.value
    return node


def _constructed_class(value: ast.expr) -> str | None:
    value = _strip_moves(value)
    if isinstance(value, ast.Call):
        func = value.func
        if isinstance(func, ast.Name):
            return func.id
        if isinstance(func, ast.Attribute):
            return func.attr
    return None


def _enclosing_class(scope: Scope) -> str | None:
    current: Scope | None = scope
    while current is not None:
        if current.is_class and isinstance(current.node, ast.ClassDef):
            return current.node.name
        current = current.parent
    return None
