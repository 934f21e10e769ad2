"""What code says on its face: helpers that read syntax alone, resolving no name."""

from __future__ import annotations

import ast
import math
from collections.abc import Sequence


def bind_arguments(call: ast.Call, names: Sequence[str]) -> dict[str, ast.expr]:
    """A call's argument expressions by the parameter each binds: the positional ones by
    `names` up to the first `*args` (after it nobody knows), then the keywords."""
    bound: dict[str, ast.expr] = {}
    for name, arg in zip(names, call.args):
        if isinstance(arg, ast.Starred):
            break
        bound[name] = arg
    bound.update((k.arg, k.value) for k in call.keywords if k.arg is not None)
    return bound


def expr_text(node: ast.AST, limit: int = 80) -> str:
    text = _plain_text(node)
    if text is None:
        text = ast.unparse(node)
    return text if len(text) <= limit else text[: limit - 3] + "..."


_REPR_AS_WRITTEN = (str, int, bool, bytes, type(None))


def _plain_text(node: ast.AST) -> str | None:
    """What `ast.unparse` writes for a name, a constant, `a.b.c` or a keyword of those (most
    of what messages quote: two of every three texts on the dense trees), without building an
    unparser for each; None for anything else."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Constant):
        value = node.value
        if node.kind is None and (
            type(value) in _REPR_AS_WRITTEN or (type(value) is float and math.isfinite(value))
        ):
            return repr(value)
        return None  # `u"..."`, `...`, tuples, complex numbers, infinities: as `unparse` spells them
    if isinstance(node, ast.Attribute):
        parts = [node.attr]
        inner = node.value
        while isinstance(inner, ast.Attribute):
            parts.append(inner.attr)
            inner = inner.value
        if isinstance(inner, ast.Name):
            parts.append(inner.id)
            return ".".join(reversed(parts))
        return None
    if isinstance(node, ast.keyword):
        given = _plain_text(node.value)
        if given is None:
            return None
        return f"**{given}" if node.arg is None else f"{node.arg}={given}"
    return None


def parses_args(node: ast.expr) -> bool:
    """`parser.parse_args()`, or `parser.parse_known_args()[0]`."""
    if isinstance(node, ast.Subscript):
        node = node.value
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("parse_args", "parse_known_args")
    )


def literal_pairs(node: ast.expr) -> list[tuple[str | None, ast.expr]] | None:
    """(key, value) pairs of a dict display or a `dict(...)` call; a None key is a `**spread`."""
    if isinstance(node, ast.Dict):
        pairs: list[tuple[str | None, ast.expr]] = []
        for key, value in zip(node.keys, node.values):
            if key is None:
                pairs.append((None, value))
            elif isinstance(key, ast.Constant) and isinstance(key.value, str):
                pairs.append((key.value, value))
            else:
                return None
        return pairs
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict":
        if node.args:
            return None
        return [(k.arg, k.value) for k in node.keywords]
    return None
