"""Hand-written L2 penalties: loops and comprehensions that square a module's parameters."""

from __future__ import annotations

import ast

from wdlint.analysis.params import PARAMETER_METHODS, PASS_THROUGH
from wdlint.analysis.sites import Penalty
from wdlint.analysis.syntax import expr_text
from wdlint.frontends.python import PythonSource

_SQUARING_CALLS = frozenset({"pow", "norm", "square", "sum_of_squares"})
_Block = ast.For | ast.AsyncFor | ast.With | ast.AsyncWith


class L2Penalties:
    """Sums of squared parameters over `m.parameters()` that feed a loss, found by listening to
    the index's walk (`wdlint.analysis.index.WalkListener`) rather than walking the tree again.

    Counted: `sum(p.pow(2).sum() for p in m.parameters())` inside arithmetic or assigned to a
    name, and loops that accumulate such terms (`l2 = l2 + torch.norm(p)`, `reg += ...`). Not
    counted: anything under `torch.no_grad()` (logging a weight norm), a sum passed to another
    call (`torch.sqrt(sum(...))`), L1 norms.
    """

    def __init__(self) -> None:
        self._found: list[tuple[ast.expr | ast.stmt, ast.expr]] = []  # (penalty, module)
        self._no_grad: list[bool] = []  # for each `with` around the walk: does it turn gradients off?
        self._loops: list[_Loop] = []  # loops over a module's parameters around the walk

    def found(self, source: PythonSource) -> tuple[Penalty, ...]:
        """What the walk found, in the order of the source."""
        ordered = sorted(self._found, key=lambda pair: _position(pair[0]))
        return tuple(Penalty(source.span(node), expr_text(module)) for node, module in ordered)

    def block_entered(self, node: _Block) -> None:
        if isinstance(node, (ast.With, ast.AsyncWith)):
            self._no_grad.append(any(_no_grad(item.context_expr) for item in node.items))
        elif isinstance(node, ast.For) and not any(self._no_grad):
            parameters = _over_parameters(node.iter, node.target)
            if parameters is not None:
                self._loops.append(_Loop(node, *parameters))

    def block_left(self, node: _Block) -> None:
        if isinstance(node, (ast.With, ast.AsyncWith)):
            self._no_grad.pop()
        elif self._loops and self._loops[-1].node is node:
            loop = self._loops.pop()
            if loop.squared:
                self._found.append((node, loop.module))

    def assigned(self, node: ast.Assign | ast.AugAssign) -> None:
        """`reg += term` or `reg = reg + term` inside loops over parameters: does it square one?"""
        if not self._loops or not _accumulates(node):
            return
        squared = _squared_names(node.value)
        for loop in self._loops:
            loop.squared = loop.squared or loop.param in squared

    def kept(self, value: ast.Call) -> None:
        """`sum(... for p in m.parameters())` computed with or kept: not only logged or passed on."""
        if not (isinstance(value.func, ast.Name) and value.func.id == "sum") or any(self._no_grad):
            return
        for summed in value.args:
            if isinstance(summed, (ast.GeneratorExp, ast.ListComp)) and len(summed.generators) == 1:
                generator = summed.generators[0]
                parameters = _over_parameters(generator.iter, generator.target)
                if parameters is not None and parameters[1] in _squared_names(summed.elt):
                    self._found.append((summed, parameters[0]))


class _Loop:
    """A `for` over a module's parameters, open in the walk."""

    def __init__(self, node: ast.For, module: ast.expr, param: str) -> None:
        self.node = node
        self.module = module
        self.param = param  # the loop variable holding each parameter
        self.squared = False  # whether an accumulation inside squares it


def _position(node: ast.expr | ast.stmt) -> tuple[int, int]:
    return node.lineno, node.col_offset


def _over_parameters(iterated: ast.expr, target: ast.expr) -> tuple[ast.expr, str] | None:
    """The module and the loop variable of `for p in m.parameters()`, `for n, p in ...`."""
    module = _parameters_receiver(iterated)
    param = target.elts[-1] if isinstance(target, ast.Tuple) and target.elts else target
    if module is None or not isinstance(param, ast.Name):
        return None
    return module, param.id


def _accumulates(statement: ast.AugAssign | ast.Assign) -> bool:
    """`reg += term` or `reg = reg + term`."""
    if isinstance(statement, ast.AugAssign):
        return isinstance(statement.op, ast.Add)
    return isinstance(statement.value, ast.BinOp) and isinstance(statement.value.op, ast.Add)


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


def _squared_names(term: ast.expr) -> set[str]:
    """The names a term squares: `p.pow(2)`, `p ** 2`, `p.norm(2)`, `torch.norm(p)`,
    `p.square()`, `torch.square(p)`."""
    names = set()
    for node in ast.walk(term):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow) and isinstance(node.left, ast.Name):
            if isinstance(node.right, ast.Constant) and node.right.value == 2:
                names.add(node.left.id)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _SQUARING_CALLS:
            method, receiver = node.func.attr, node.func.value
            if isinstance(receiver, ast.Name) and not (method == "norm" and _l1(node, True)):
                if method != "pow" or (bool(node.args) and isinstance(node.args[0], ast.Constant) and node.args[0].value == 2):
                    names.add(receiver.id)  # `p.pow(2)`: squares the receiver
            first = node.args[0] if node.args else None
            if isinstance(first, ast.Name) and not (isinstance(receiver, ast.Name) and receiver.id == first.id):
                if not (method == "norm" and _l1(node, False)):
                    names.add(first.id)  # `torch.norm(p)`: squares the first argument
    return names
