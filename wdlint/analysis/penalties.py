"""Hand-written L2 penalties: loops and comprehensions that square a module's parameters."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from wdlint.analysis.params import PARAMETER_METHODS, PASS_THROUGH
from wdlint.analysis.syntax import expr_text
from wdlint.analysis.sites import Penalty
from wdlint.frontends.python import PythonSource


_SQUARING_CALLS = frozenset({"pow", "norm", "square", "sum_of_squares"})


def l2_penalties(source: PythonSource) -> Iterator[Penalty]:
    """Sums of squared parameters over `m.parameters()` that feed a loss.

    Counted: `sum(p.pow(2).sum() for p in m.parameters())` inside arithmetic or assigned to a
    name, and loops that accumulate such terms (`l2 = l2 + torch.norm(p)`, `reg += ...`). Not
    counted: anything under `torch.no_grad()` (logging a weight norm), a sum passed to another
    call (`torch.sqrt(sum(...))`), L1 norms.
    """
    parents = {id(child): parent for parent in ast.walk(source.tree) for child in ast.iter_child_nodes(parent)}
    for node in ast.walk(source.tree):
        if isinstance(node, (ast.GeneratorExp, ast.ListComp)) and len(node.generators) == 1:
            generator = node.generators[0]
            summed = parents.get(id(node))
            if not _feeds_a_loss(summed, parents):
                continue
            loop_iter, target, terms = generator.iter, generator.target, [node.elt]
        elif isinstance(node, ast.For):
            loop_iter, target = node.iter, node.target
            terms = [n.value for n in ast.walk(node) if isinstance(n, (ast.AugAssign, ast.Assign)) and _accumulates(n)]
        else:
            continue
        module = _parameters_receiver(loop_iter)
        param = target.elts[-1] if isinstance(target, ast.Tuple) and target.elts else target
        if module is None or not isinstance(param, ast.Name) or _without_gradients(node, parents):
            continue
        if any(_squares(expr, param.id) for term in terms for expr in ast.walk(term)):
            yield Penalty(source.span(node), expr_text(module))


def _feeds_a_loss(summed: ast.AST | None, parents: dict[int, ast.AST]) -> bool:
    """`sum(...)` used in arithmetic or kept in a name, not handed to `sqrt`, `print`, ..."""
    if not (isinstance(summed, ast.Call) and isinstance(summed.func, ast.Name) and summed.func.id == "sum"):
        return False
    user = parents.get(id(summed))
    return isinstance(user, (ast.BinOp, ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Return))


def _accumulates(statement: ast.AugAssign | ast.Assign) -> bool:
    """`reg += term` or `reg = reg + term`."""
    if isinstance(statement, ast.AugAssign):
        return isinstance(statement.op, ast.Add)
    return isinstance(statement.value, ast.BinOp) and isinstance(statement.value.op, ast.Add)


def _without_gradients(node: ast.AST, parents: dict[int, ast.AST]) -> bool:
    """Inside `with torch.no_grad():` or `torch.inference_mode()`: not part of any loss."""
    current = parents.get(id(node))
    while current is not None:
        if isinstance(current, (ast.With, ast.AsyncWith)):
            if any(_no_grad(item.context_expr) for item in current.items):
                return True
        current = parents.get(id(current))
    return False


def _no_grad(expr: ast.expr) -> bool:
    call = expr.func if isinstance(expr, ast.Call) else expr
    name = call.attr if isinstance(call, ast.Attribute) else call.id if isinstance(call, ast.Name) else ""
    return name in ("no_grad", "inference_mode")


def _parameters_receiver(node: ast.expr) -> ast.expr | None:
    """`m` of `m.parameters()` / `m.named_parameters()`, through `list(...)`."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in PASS_THROUGH and node.args:
        node = node.args[0]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in PARAMETER_METHODS:
        return node.func.value
    return None


def _l1(call: ast.Call, method: bool) -> bool:
    """`p.norm(1)`, `torch.norm(p, 1)`, `p.norm(p=1)`: an L1 penalty, not L2."""
    positional = call.args[:1] if method else call.args[1:2]
    order = [*positional, *(k.value for k in call.keywords if k.arg in ("p", "ord"))]
    return any(isinstance(value, ast.Constant) and value.value == 1 for value in order)


def _squares(node: ast.AST, param: str) -> bool:
    """`p.pow(2)`, `p ** 2`, `p.norm(2)`, `torch.norm(p)`, `p.square()`, `torch.square(p)`."""
    def is_param(expr: ast.AST) -> bool:
        return isinstance(expr, ast.Name) and expr.id == param

    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow) and is_param(node.left):
        return isinstance(node.right, ast.Constant) and node.right.value == 2
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _SQUARING_CALLS:
        method = is_param(node.func.value)
        if node.func.attr == "norm" and _l1(node, method):
            return False
        if method:
            return node.func.attr != "pow" or (
                bool(node.args) and isinstance(node.args[0], ast.Constant) and node.args[0].value == 2
            )
        return bool(node.args) and is_param(node.args[0])
    return False
