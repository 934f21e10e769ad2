"""Hand-written L2 penalties: loops and comprehensions that square a module's parameters."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from wdlint.analysis.resolve import expr_text
from wdlint.analysis.sites import Penalty
from wdlint.frontends.python import PythonSource

_PARAMETER_METHODS = frozenset({"parameters", "named_parameters"})
_PASS_THROUGH = frozenset({"list", "tuple", "iter", "sorted"})

_SQUARING_CALLS = frozenset({"pow", "norm", "square", "sum_of_squares"})


def l2_penalties(source: PythonSource) -> Iterator[Penalty]:
    """Loops and comprehensions over `m.parameters()` that square each parameter."""
    for node in ast.walk(source.tree):
        body: list[ast.AST]
        if isinstance(node, (ast.GeneratorExp, ast.ListComp)) and len(node.generators) == 1:
            loop_iter, target, body = node.generators[0].iter, node.generators[0].target, [node.elt]
        elif isinstance(node, ast.For):
            loop_iter, target, body = node.iter, node.target, list(node.body)
        else:
            continue
        module = _parameters_receiver(loop_iter)
        param = target.elts[-1] if isinstance(target, ast.Tuple) and target.elts else target
        if module is None or not isinstance(param, ast.Name):
            continue
        if any(_squares(expr, param.id) for part in body for expr in ast.walk(part)):
            yield Penalty(source.span(node), expr_text(module))


def _parameters_receiver(node: ast.expr) -> ast.expr | None:
    """`m` of `m.parameters()` / `m.named_parameters()`, through `list(...)`."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _PASS_THROUGH and node.args:
        node = node.args[0]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _PARAMETER_METHODS:
        return node.func.value
    return None


def _squares(node: ast.AST, param: str) -> bool:
    """`p.pow(2)`, `p ** 2`, `p.norm(2)`, `torch.norm(p)`, `p.square()`, `torch.square(p)`."""
    def is_param(expr: ast.AST) -> bool:
        return isinstance(expr, ast.Name) and expr.id == param

    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow) and is_param(node.left):
        return isinstance(node.right, ast.Constant) and node.right.value == 2
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _SQUARING_CALLS:
        if is_param(node.func.value):
            return node.func.attr != "pow" or (
                bool(node.args) and isinstance(node.args[0], ast.Constant) and node.args[0].value == 2
            )
        return bool(node.args) and is_param(node.args[0])
    return False
