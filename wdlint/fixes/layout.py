"""Breaking an expression that no longer fits its line, as black and `ruff format` break it,
on libcst nodes.

A line that fits stays as it is written (line breaks inside brackets are joined). One that does
not is split at its last bracket (black's "right-hand split"): the head up to the opening
bracket stays on the line, the contents go one level deeper, the closing bracket comes back to
the line's indentation. The contents stay on one line when they fit, unless the brackets hold a
collection literal of several elements or end with a magic trailing comma; otherwise each
element gets its own line with a trailing comma (a comprehension: its element, each `for` and
each `if`), and each such line is broken again the same way. Line breaks are written with the
columns of the file (the caller's `indent`), so the code generated for a node can be put back
where the node was. Comments inside a node make it one this module leaves alone
(`Unbreakable`): moving them is what a person would have to decide.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import TypeVar

import libcst as cst

from wdlint.fixes.style import Style

_Node = TypeVar("_Node", bound=cst.CSTNode)
_Element = cst.Element | cst.StarredElement | cst.DictElement | cst.StarredDictElement
_Comprehension = cst.ListComp | cst.SetComp | cst.DictComp | cst.GeneratorExp

_NONE = cst.SimpleWhitespace("")
_SPACE = cst.SimpleWhitespace(" ")


class Unbreakable(Exception):
    """A node with a comment inside, which joining or breaking lines would move."""


def width(text: str) -> int:
    """Columns a line of text takes, as formatters count them (wide characters take two)."""
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _break(indent: str) -> cst.ParenthesizedWhitespace:
    """A line break, the next line starting at `indent` (absolute: the code is written alone)."""
    return cst.ParenthesizedWhitespace(last_line=cst.SimpleWhitespace(indent))


class Breaker:
    def __init__(self, style: Style) -> None:
        self.style = style
        self._module = cst.Module(body=(), default_newline=style.newline, default_indent=style.indent)

    def code(self, node: cst.CSTNode) -> str:
        return self._module.code_for_node(node)

    def fit(self, node: cst.BaseExpression, head: int, tail: int, indent: str) -> cst.BaseExpression:
        """`node` laid out on a line that holds `head` columns before it and `tail` after it,
        continuation lines at `indent` and deeper. Unbreakable when it holds a comment."""
        flat = joined(node)
        if not has_magic_comma(flat) and head + width(self.code(flat)) + tail <= self.style.line_length:
            return flat
        return self._split(flat, indent)

    def _split(self, node: cst.BaseExpression, indent: str) -> cst.BaseExpression:
        """Split at the node's last bracket, when it ends with one."""
        if isinstance(node, (cst.UnaryOperation, cst.Await)) and not node.lpar:
            return node.with_changes(expression=self._split(node.expression, indent))
        if isinstance(node, cst.Call) and not node.lpar:
            return self._call(node, indent)
        if isinstance(node, (cst.List, cst.Set, cst.Dict)) or (isinstance(node, cst.Tuple) and len(node.lpar) == 1):
            return self._collection(node, indent)
        if isinstance(node, (cst.ListComp, cst.SetComp, cst.DictComp)) or (
            isinstance(node, cst.GeneratorExp) and len(node.lpar) == 1
        ):
            return self._comprehension(node, indent)
        return node  # nothing to split at: it stays long, as a formatter leaves it

    # -- calls

    def _call(self, call: cst.Call, indent: str) -> cst.Call:
        args, inner = list(call.args), indent + self.style.indent
        if not args:
            return call
        sole = args[0].value if len(args) == 1 else None
        if isinstance(sole, cst.GeneratorExp) and not sole.lpar and args[0].keyword is None and not args[0].star:
            # `any(x for x in y)`: the call's parentheses are the generator's
            parts: cst.BaseExpression = sole
            if not self._fits_inside(call, self.code(sole), inner):
                parts = self._comprehension_parts(sole, inner)
            arg = args[0].with_changes(value=parts, whitespace_after_arg=_break(indent))
            return call.with_changes(args=[arg], whitespace_before_args=_break(inner))
        magic = args[-1].comma is not cst.MaybeSentinel.DEFAULT
        body = self._body(call, self.code(call.func) + self.code(call.whitespace_after_func) + "(", ")")
        if not magic and self._fits_inside(call, body, inner):
            closing = args[-1].with_changes(whitespace_after_arg=_break(indent))
            return call.with_changes(args=[*args[:-1], closing], whitespace_before_args=_break(inner))
        if len(args) == 1 and not magic:
            # no comma to split at: the one argument's own line, broken in turn
            arg = args[0]
            value = self.fit(arg.value, width(inner) + self._prefix(arg), 0, inner)
            arg = arg.with_changes(value=value, whitespace_after_arg=_break(indent))
            return call.with_changes(args=[arg], whitespace_before_args=_break(inner))
        laid = []
        for position, arg in enumerate(args):
            last = position == len(args) - 1
            value = self.fit(arg.value, width(inner) + self._prefix(arg), 1, inner)
            comma = cst.Comma(whitespace_before=_NONE, whitespace_after=_break(indent if last else inner))
            laid.append(arg.with_changes(value=value, comma=comma, whitespace_after_arg=_NONE))
        return call.with_changes(args=laid, whitespace_before_args=_break(inner))

    def _prefix(self, arg: cst.Arg) -> int:
        """Columns of what comes before an argument's value: `*`, `**`, `name=`."""
        placeholder = arg.with_changes(value=cst.Name("x"), comma=cst.MaybeSentinel.DEFAULT, whitespace_after_arg=_NONE)
        return width(self.code(placeholder)) - 1

    # -- collection literals

    def _collection(self, node: cst.List | cst.Set | cst.Tuple | cst.Dict, indent: str) -> cst.BaseExpression:
        elements = [_element(e) for e in node.elements]
        inner = indent + self.style.indent
        if not elements:
            return node
        has_comma = any(e.comma is not cst.MaybeSentinel.DEFAULT for e in elements)
        one_tuple = isinstance(node, cst.Tuple) and len(elements) == 1  # `(x,)`: its comma is no delimiter
        body = self.code(node)[1:-1]
        if (one_tuple or not has_comma) and self._fits_inside(node, body, inner):
            return self._bracket(node, _break(inner), _break(indent), list(elements))
        if one_tuple or not has_comma:
            element = elements[0]
            value = self.fit(element.value, width(inner) + self._element_prefix(element), 1 if one_tuple else 0, inner)
            return self._bracket(node, _break(inner), _break(indent), [element.with_changes(value=value)])
        laid = []
        for position, element in enumerate(elements):
            last = position == len(elements) - 1
            value = self.fit(element.value, width(inner) + self._element_prefix(element), 1, inner)
            comma = cst.Comma(whitespace_before=_NONE, whitespace_after=_NONE if last else _break(inner))
            laid.append(element.with_changes(value=value, comma=comma))
        return self._bracket(node, _break(inner), _break(indent), laid)

    def _element_prefix(self, element: _Element) -> int:
        """Columns before an element's value: `*`, `**`, `key: `."""
        placeholder = element.with_changes(value=cst.Name("x"), comma=cst.MaybeSentinel.DEFAULT)
        return width(self.code(placeholder)) - 1

    @staticmethod
    def _bracket(
        node: cst.List | cst.Set | cst.Tuple | cst.Dict,
        opening: cst.ParenthesizedWhitespace,
        closing: cst.ParenthesizedWhitespace,
        elements: list[_Element],
    ) -> cst.BaseExpression:
        if isinstance(node, cst.List):
            return node.with_changes(
                elements=elements,
                lbracket=node.lbracket.with_changes(whitespace_after=opening),
                rbracket=node.rbracket.with_changes(whitespace_before=closing),
            )
        if isinstance(node, (cst.Set, cst.Dict)):
            return node.with_changes(
                elements=elements,
                lbrace=node.lbrace.with_changes(whitespace_after=opening),
                rbrace=node.rbrace.with_changes(whitespace_before=closing),
            )
        return node.with_changes(
            elements=elements,
            lpar=[node.lpar[0].with_changes(whitespace_after=opening)],
            rpar=[node.rpar[0].with_changes(whitespace_before=closing)],
        )

    # -- comprehensions

    def _comprehension(self, node: _Comprehension, indent: str) -> cst.BaseExpression:
        inner = indent + self.style.indent
        code = self.code(node)
        parts = node if self._fits_inside(node, code[1:-1], inner) else self._comprehension_parts(node, inner)
        opening, closing = _break(inner), _break(indent)
        if isinstance(parts, cst.GeneratorExp):
            return parts.with_changes(
                lpar=[parts.lpar[0].with_changes(whitespace_after=opening)],
                rpar=[parts.rpar[0].with_changes(whitespace_before=closing)],
            )
        if isinstance(parts, cst.ListComp):
            return parts.with_changes(
                lbracket=parts.lbracket.with_changes(whitespace_after=opening),
                rbracket=parts.rbracket.with_changes(whitespace_before=closing),
            )
        assert isinstance(parts, (cst.SetComp, cst.DictComp))
        return parts.with_changes(
            lbrace=parts.lbrace.with_changes(whitespace_after=opening),
            rbrace=parts.rbrace.with_changes(whitespace_before=closing),
        )

    def _comprehension_parts(self, node: _Comprehension, inner: str) -> _Comprehension:
        """The element, each `for` and each `if` on a line of its own at `inner`."""
        start, clauses = width(inner), self._clauses(node.for_in, inner)
        if isinstance(node, cst.DictComp):
            key = self.code(node.key) + self.code(node.whitespace_before_colon) + ":" + self.code(node.whitespace_after_colon)
            return node.with_changes(value=self.fit(node.value, start + width(key), 0, inner), for_in=clauses)
        return node.with_changes(elt=self.fit(node.elt, start, 0, inner), for_in=clauses)

    def _clauses(self, clause: cst.CompFor, inner: str) -> cst.CompFor:
        start = width(inner)
        head = width(self.code(clause.with_changes(iter=cst.Name("x"), ifs=(), inner_for_in=None)).lstrip()) - 1
        ifs = [
            test.with_changes(
                whitespace_before=_break(inner),
                test=self.fit(test.test, start + 2 + width(self.code(test.whitespace_before_test)), 0, inner),
            )
            for test in clause.ifs
        ]
        nested = self._clauses(clause.inner_for_in, inner) if clause.inner_for_in is not None else None
        return clause.with_changes(
            whitespace_before=_break(inner),
            iter=self.fit(clause.iter, start + head, 0, inner),
            ifs=ifs,
            inner_for_in=nested,
        )

    # -- shared

    def _body(self, call: cst.Call, opening: str, closing: str) -> str:
        code = self.code(call)
        return code[len(opening) : len(code) - len(closing)]

    def _fits_inside(self, node: cst.CSTNode, body: str, inner: str) -> bool:
        """Whether the bracket's contents fit on one line of their own (and hold no magic comma)."""
        return not has_magic_comma_inside(node) and width(inner) + width(body) <= self.style.line_length


# -- joining lines


def joined(node: _Node) -> _Node:
    """`node` on one line: every line break inside its brackets joined (black's spacing: none
    inside a bracket or before a comma, one space elsewhere). Unbreakable when it holds a comment."""
    return node.visit(_Join())  # type: ignore[return-value]


class _Join(cst.CSTTransformer):
    def leave_ParenthesizedWhitespace(
        self, original_node: cst.ParenthesizedWhitespace, updated_node: cst.ParenthesizedWhitespace
    ) -> cst.BaseParenthesizableWhitespace:
        if original_node.first_line.comment is not None or any(e.comment is not None for e in original_node.empty_lines):
            raise Unbreakable
        return _SPACE

    def leave_SimpleWhitespace(
        self, original_node: cst.SimpleWhitespace, updated_node: cst.SimpleWhitespace
    ) -> cst.SimpleWhitespace:
        return _SPACE if "\\" in original_node.value else updated_node  # a backslash continuation

    # where a joined break must leave no space: after an opening bracket, before a closing one
    # or a comma, and after a trailing comma

    def leave_LeftParen(self, original_node: cst.LeftParen, updated_node: cst.LeftParen) -> cst.LeftParen:
        return updated_node.with_changes(whitespace_after=_tight(original_node.whitespace_after, updated_node.whitespace_after))

    def leave_LeftSquareBracket(
        self, original_node: cst.LeftSquareBracket, updated_node: cst.LeftSquareBracket
    ) -> cst.LeftSquareBracket:
        return updated_node.with_changes(whitespace_after=_tight(original_node.whitespace_after, updated_node.whitespace_after))

    def leave_LeftCurlyBrace(self, original_node: cst.LeftCurlyBrace, updated_node: cst.LeftCurlyBrace) -> cst.LeftCurlyBrace:
        return updated_node.with_changes(whitespace_after=_tight(original_node.whitespace_after, updated_node.whitespace_after))

    def leave_RightParen(self, original_node: cst.RightParen, updated_node: cst.RightParen) -> cst.RightParen:
        return updated_node.with_changes(whitespace_before=_tight(original_node.whitespace_before, updated_node.whitespace_before))

    def leave_RightSquareBracket(
        self, original_node: cst.RightSquareBracket, updated_node: cst.RightSquareBracket
    ) -> cst.RightSquareBracket:
        return updated_node.with_changes(whitespace_before=_tight(original_node.whitespace_before, updated_node.whitespace_before))

    def leave_RightCurlyBrace(
        self, original_node: cst.RightCurlyBrace, updated_node: cst.RightCurlyBrace
    ) -> cst.RightCurlyBrace:
        return updated_node.with_changes(whitespace_before=_tight(original_node.whitespace_before, updated_node.whitespace_before))

    def leave_Comma(self, original_node: cst.Comma, updated_node: cst.Comma) -> cst.Comma:
        return updated_node.with_changes(whitespace_before=_tight(original_node.whitespace_before, updated_node.whitespace_before))

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        opening = _tight(original_node.whitespace_before_args, updated_node.whitespace_before_args)
        return updated_node.with_changes(
            whitespace_before_args=opening, args=_trailing(original_node.args, updated_node.args)
        )

    def leave_Arg(self, original_node: cst.Arg, updated_node: cst.Arg) -> cst.Arg:
        # before a comma or the closing parenthesis
        return updated_node.with_changes(
            whitespace_after_arg=_tight(original_node.whitespace_after_arg, updated_node.whitespace_after_arg)
        )

    def leave_List(self, original_node: cst.List, updated_node: cst.List) -> cst.List:
        return updated_node.with_changes(elements=_trailing(original_node.elements, updated_node.elements))

    def leave_Set(self, original_node: cst.Set, updated_node: cst.Set) -> cst.Set:
        return updated_node.with_changes(elements=_trailing(original_node.elements, updated_node.elements))

    def leave_Tuple(self, original_node: cst.Tuple, updated_node: cst.Tuple) -> cst.Tuple:
        return updated_node.with_changes(elements=_trailing(original_node.elements, updated_node.elements))

    def leave_Dict(self, original_node: cst.Dict, updated_node: cst.Dict) -> cst.Dict:
        return updated_node.with_changes(elements=_trailing(original_node.elements, updated_node.elements))


def _element(node: cst.BaseElement | cst.BaseDictElement) -> _Element:
    assert isinstance(node, (cst.Element, cst.StarredElement, cst.DictElement, cst.StarredDictElement))
    return node


def _tight(
    original: cst.BaseParenthesizableWhitespace, updated: cst.BaseParenthesizableWhitespace
) -> cst.BaseParenthesizableWhitespace:
    """No space where a line break was joined; what was written on one line stays."""
    joined_break = isinstance(original, cst.ParenthesizedWhitespace) or (
        isinstance(original, cst.SimpleWhitespace) and "\\" in original.value
    )
    return _NONE if joined_break else updated


def _trailing(original: Sequence[_Node], updated: Sequence[_Node]) -> list[_Node]:
    """The elements, a trailing comma followed by a joined break left with no space after it."""
    elements = list(updated)
    if elements:
        old, last = original[-1], elements[-1]
        old_comma, comma = getattr(old, "comma", None), getattr(last, "comma", None)
        if isinstance(old_comma, cst.Comma) and isinstance(comma, cst.Comma):
            tight = _tight(old_comma.whitespace_after, comma.whitespace_after)
            elements[-1] = last.with_changes(comma=comma.with_changes(whitespace_after=tight))
    return elements


# -- magic trailing commas


def has_magic_comma(node: cst.CSTNode) -> bool:
    """Whether any bracket in `node` (itself included) ends with a trailing comma, which black
    and ruff read as "keep one element per line"."""
    finder = _MagicCommas()
    node.visit(finder)
    return finder.found


def has_magic_comma_inside(node: cst.CSTNode) -> bool:
    """A magic trailing comma in a bracket inside `node`'s own brackets."""
    finder = _MagicCommas(skip=node)
    node.visit(finder)
    return finder.found


class _MagicCommas(cst.CSTVisitor):
    def __init__(self, skip: cst.CSTNode | None = None) -> None:
        self.skip = skip
        self.found = False

    def _check(self, node: cst.CSTNode, elements: Sequence[cst.CSTNode], minimum: int = 1) -> bool:
        if node is not self.skip and len(elements) >= minimum and isinstance(getattr(elements[-1], "comma", None), cst.Comma):
            self.found = True
        return not self.found

    def visit_Call(self, node: cst.Call) -> bool:
        return self._check(node, node.args)

    def visit_List(self, node: cst.List) -> bool:
        return self._check(node, node.elements)

    def visit_Set(self, node: cst.Set) -> bool:
        return self._check(node, node.elements)

    def visit_Dict(self, node: cst.Dict) -> bool:
        return self._check(node, node.elements)

    def visit_Tuple(self, node: cst.Tuple) -> bool:
        return self._check(node, node.elements, minimum=2)  # `(x,)` needs its comma

    def visit_Subscript(self, node: cst.Subscript) -> bool:
        return self._check(node, node.slice, minimum=2)  # `Tuple[int,]` needs its comma
