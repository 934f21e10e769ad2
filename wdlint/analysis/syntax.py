"""What code says on its face: helpers that read syntax alone, resolving no name."""

from __future__ import annotations

import ast
import math
from collections.abc import Iterator, Sequence


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
    text = _plain_text(node, limit)
    if text is None:
        text = ast.unparse(node)
    return text if len(text) <= limit else text[: limit - 3] + "..."


_REPR_AS_WRITTEN = (str, int, bool, bytes, type(None))
_DISPLAYS = {ast.List: ("[", "]"), ast.Tuple: ("(", ")"), ast.Set: ("{", "}"), ast.Dict: ("{", "}")}
# the operators written right before their operand, which binds tighter than anything around
_SIGNS = {ast.USub: "-", ast.UAdd: "+", ast.Invert: "~"}
_Part = str | ast.AST


def _plain_text(node: ast.AST, limit: int) -> str | None:
    """What `ast.unparse` writes for the commonest expressions of what messages quote: names,
    constants, `a.b(c).d`, calls, a sign (`-1`), list, tuple, set and dict displays,
    keywords, all made of those; None for anything else, which `unparse` writes. Each is
    written as `unparse` writes it wherever it stands, needing no parentheses. Past `limit`
    characters the rest is left out (a config's list of a thousand numbers is quoted by its
    first eighty characters, not written whole first): a text longer than `limit` is only
    the start of `unparse`'s."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Constant):
        value = node.value
        if node.kind is None and (
            type(value) in _REPR_AS_WRITTEN or (type(value) is float and math.isfinite(value))
        ):
            return repr(value)
        return None  # `u"..."`, `...`, tuples, complex numbers, infinities: as `unparse` spells them
    parts = _parts(node)
    if parts is None:
        return None
    written: list[str] = []
    length = 0
    for part in parts:
        text = part if isinstance(part, str) else _plain_text(part, limit - length)
        if text is None:
            return None
        written.append(text)
        length += len(text)
        if length > limit:
            break
    return "".join(written)


def _parts(node: ast.AST) -> Iterator[_Part] | None:
    """The pieces `unparse` writes a composite node in, in order; None for a node that is not
    written the same wherever it stands (or that `_plain_text` leaves to `unparse`)."""
    if isinstance(node, ast.Attribute):
        attributes = [node.attr]
        inner = node.value
        while isinstance(inner, ast.Attribute):
            attributes.append(inner.attr)
            inner = inner.value
        if not isinstance(inner, (ast.Name, ast.Call)):
            return None  # `(1).real`, `(a + b).c`: parentheses or a blank
        return iter((inner, "." + ".".join(reversed(attributes))))
    if isinstance(node, ast.Call):
        if not isinstance(node.func, (ast.Name, ast.Attribute, ast.Call)):
            return None
        return _call_parts(node)
    if isinstance(node, ast.keyword):
        return iter(("**" if node.arg is None else f"{node.arg}=", node.value))
    if isinstance(node, ast.Starred):
        return iter(("*", node.value))
    if isinstance(node, ast.UnaryOp) and type(node.op) in _SIGNS:
        return iter((_SIGNS[type(node.op)], node.operand))
    delimiters = _DISPLAYS.get(type(node))
    if delimiters is None or (isinstance(node, ast.Set) and not node.elts):  # `{*()}`
        return None
    return _display_parts(node, *delimiters)


def _call_parts(node: ast.Call) -> Iterator[_Part]:
    yield node.func
    yield "("
    for number, argument in enumerate((*node.args, *node.keywords)):
        if number:
            yield ", "
        yield argument
    yield ")"


def _display_parts(node: ast.AST, opening: str, closing: str) -> Iterator[_Part]:
    yield opening
    if isinstance(node, ast.Dict):
        for number, (key, value) in enumerate(zip(node.keys, node.values)):
            if number:
                yield ", "
            if key is None:
                yield "**"
            else:
                yield key
                yield ": "
            yield value
    elif isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        for number, element in enumerate(node.elts):
            if number:
                yield ", "
            yield element
        if isinstance(node, ast.Tuple) and len(node.elts) == 1:
            yield ","
    yield closing


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
