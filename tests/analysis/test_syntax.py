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


def _attribute(value: ast.expr, names: list[str]) -> ast.expr:
    for name in names:
        value = ast.Attribute(value, name, ast.Load())
    return value


_SIGNS = st.sampled_from([ast.USub(), ast.UAdd(), ast.Invert(), ast.Not()])
_LEAVES = st.one_of(
    _NAMES.map(lambda name: ast.Name(name, ast.Load())),
    _CONSTANTS.map(ast.Constant),
    st.text(max_size=5).map(lambda text: ast.Constant(text, kind="u")),
    st.builds(ast.UnaryOp, _SIGNS, _CONSTANTS.map(ast.Constant)),
    st.builds(ast.UnaryOp, _SIGNS, _NAMES.map(lambda name: ast.Name(name, ast.Load()))),
    # what `unparse` alone writes: an operator between operands, a comprehension
    st.just(ast.BinOp(ast.Name("a", ast.Load()), ast.Add(), ast.Constant(1))),
    st.just(
        ast.GeneratorExp(
            ast.Name("x", ast.Load()),
            [ast.comprehension(ast.Name("x", ast.Store()), ast.Name("xs", ast.Load()), [], 0)],
        )
    ),
)
_ATTRIBUTES = st.builds(_attribute, _LEAVES, st.lists(_NAMES, max_size=3))


def _displays(inner: st.SearchStrategy[ast.expr]) -> st.SearchStrategy[ast.expr]:
    elements = st.lists(inner, max_size=6)
    arguments = st.lists(st.one_of(inner, inner.map(lambda value: ast.Starred(value, ast.Load()))), max_size=4)
    keywords = st.lists(st.builds(ast.keyword, st.one_of(st.none(), _NAMES), inner), max_size=3)
    return st.one_of(
        elements.map(lambda items: ast.List(items, ast.Load())),
        elements.map(lambda items: ast.Tuple(items, ast.Load())),
        elements.map(ast.Set),
        st.lists(st.tuples(st.one_of(st.none(), inner), inner), max_size=5).map(
            lambda pairs: ast.Dict([key for key, _ in pairs], [value for _, value in pairs])
        ),
        st.builds(ast.Call, inner, arguments, keywords),
        st.builds(_attribute, inner, st.lists(_NAMES, min_size=1, max_size=2)),
    )


_EXPRESSIONS = st.recursive(_ATTRIBUTES, _displays, max_leaves=16)
_NODES = _EXPRESSIONS | st.builds(ast.keyword, st.one_of(st.none(), _NAMES), _EXPRESSIONS)


@settings(max_examples=300, deadline=None)
@given(_NODES, st.integers(min_value=4, max_value=120))
def test_as_unparse_writes_it_cut_to_the_limit(node: ast.AST, limit: int) -> None:
    node = ast.fix_missing_locations(node)
    written = ast.unparse(node)
    assert expr_text(node, limit=10**6) == written
    assert expr_text(node, limit) == (written if len(written) <= limit else written[: limit - 3] + "...")


def test_a_long_text_is_cut_to_the_limit() -> None:
    node = ast.Name("x" * 100, ast.Load())
    assert expr_text(node) == "x" * 77 + "..."
    assert expr_text(node, limit=100) == "x" * 100


def test_a_long_list_is_not_written_whole_to_be_cut(monkeypatch) -> None:
    """A config's list of thousands of numbers is quoted by its first eighty characters, and
    what lies past them is not read: not even the call at its end sends it to `unparse`."""
    numbers = [ast.Constant(n) for n in range(10_000)]
    node = ast.List([*numbers, ast.Call(ast.Name("f", ast.Load()), [], [])], ast.Load())
    expected = ast.unparse(ast.List(numbers[:30], ast.Load()))[:77] + "..."

    def unparse(node: ast.AST) -> str:
        raise AssertionError("written whole")

    monkeypatch.setattr(ast, "unparse", unparse)
    assert expr_text(node) == expected


def test_cut_at_every_limit() -> None:
    """Where a display's text stops being written: at every limit, the same cut as `unparse`'s."""
    node = ast.Dict(
        [ast.Constant("lr"), None, ast.Name("key", ast.Load())],
        [ast.List([ast.Constant(n) for n in range(12)], ast.Load()), ast.Name("rest", ast.Load()), ast.Tuple([ast.Constant(1)], ast.Load())],
    )
    written = ast.unparse(node)
    for limit in range(4, len(written) + 2):
        assert expr_text(node, limit) == (written if len(written) <= limit else written[: limit - 3] + "...")
