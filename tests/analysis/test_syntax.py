"""`expr_text`: what messages quote of an expression, as `ast.unparse` writes it."""

from __future__ import annotations

import ast
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from wdlint.analysis.syntax import expr_text

_NAMES = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True)
_CONSTANTS = st.one_of(
    st.text(max_size=12),
    st.binary(max_size=6),
    st.integers(),
    st.floats(),
    st.sampled_from([math.inf, -math.inf, math.nan, 1e-05, 1e300]),  # `unparse` spells the first three as code
    st.complex_numbers(max_magnitude=1e6),
    st.booleans(),
    st.none(),
    st.just(...),
    st.tuples(st.integers(), st.text(max_size=3)),
)


def _constant(value: object) -> ast.Constant:
    return ast.Constant(value)


_LEAVES = st.one_of(
    _NAMES.map(lambda name: ast.Name(name, ast.Load())),
    _CONSTANTS.map(_constant),
    st.text(max_size=5).map(lambda text: ast.Constant(text, kind="u")),
)


def _attribute(value: ast.expr, names: list[str]) -> ast.expr:
    for name in names:
        value = ast.Attribute(value, name, ast.Load())
    return value


_EXPRESSIONS = st.builds(_attribute, _LEAVES, st.lists(_NAMES, max_size=3)) | st.builds(
    lambda leaf: ast.Call(ast.Name("f", ast.Load()), [leaf], []), _LEAVES
)
_NODES = _EXPRESSIONS | st.builds(ast.keyword, st.one_of(st.none(), _NAMES), _EXPRESSIONS)


@settings(max_examples=1000, deadline=None)
@given(_NODES)
def test_as_unparse_writes_it(node: ast.AST) -> None:
    node = ast.fix_missing_locations(node)
    assert expr_text(node, limit=10**6) == ast.unparse(node)


def test_a_long_text_is_cut_to_the_limit() -> None:
    node = ast.Name("x" * 100, ast.Load())
    assert expr_text(node) == "x" * 77 + "..."
    assert expr_text(node, limit=100) == "x" * 100
