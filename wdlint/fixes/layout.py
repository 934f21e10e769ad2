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
where the node was.

A comment inside the brackets keeps its place as black keeps it: one after an opening bracket
or after an element's comma stays at the end of that line, one on a line of its own stays on a
line of its own before the next element. A comment anywhere else (inside an operand, before a
comma) makes the node one this module does not break (`Unbreakable`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import TypeVar

import libcst as cst

from wdlint.fixes.style import Style

_Node = TypeVar("_Node", bound=cst.CSTNode)
_Element = cst.Element | cst.StarredElement | cst.DictElement | cst.StarredDictElement
_Comprehension = cst.ListComp | cst.SetComp | cst.DictComp | cst.GeneratorExp
_Whitespace = cst.BaseParenthesizableWhitespace

_NONE = cst.SimpleWhitespace("")
_SPACE = cst.SimpleWhitespace(" ")


class Unbreakable(Exception):
    """A node with a comment where joining or breaking its lines would have to move it."""


def width(text: str) -> int:
    """Columns a line of text takes, as formatters count them (wide characters take two)."""
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


# A comment for a tool at the end of a line: ruff's E501 and `ruff format` leave it out of the
# line's width (it must stay on its line to work)
_PRAGMA = re.compile(r"\s*#\s*(?:noqa\b|type:|pyright:|pylint:|mypy:|ruff:|isort:|fmt:|nosec\b|wdlint:)", re.IGNORECASE)


def line_width(line: str) -> int:
    """A line's width as the line length limits it: without a tool's comment at its end."""
    pragma = _PRAGMA.search(line)
    return width(line[: pragma.start()] if pragma is not None else line)


class Breaker:
    def __init__(self, style: Style) -> None:
        self.style = style
        self._module = cst.Module(body=(), default_newline=style.newline, default_indent=style.indent)
        self._comments = self._magic = True

    def code(self, node: cst.CSTNode) -> str:
        return self._module.code_for_node(node)

    def fit(
        self, node: cst.BaseExpression, head: int, tail: int, indent: str, *, assigned: bool = False
    ) -> cst.BaseExpression:
        """`node` laid out on a line that holds `head` columns before it and `tail` after it,
        continuation lines at `indent` and deeper. `assigned`: the value of an assignment,
        which formatters put in parentheses of its own when they split it at a comma or
        before `if`."""
        flat = joined(node)
        # what the parts of `flat` may hold, asked of each part only when the whole holds it
        self._comments, self._magic = has_comment(flat), has_magic_comma(flat)
        return self._fit(flat, head, tail, indent, assigned)

    def _fit(self, flat: cst.BaseExpression, head: int, tail: int, indent: str, assigned: bool = False) -> cst.BaseExpression:
        fits = head + width(self.code(flat)) + tail <= self.style.line_length
        if fits and not self._commented(flat) and not (self._magic and has_magic_comma(flat)):
            return flat
        return self._split(flat, indent, assigned)

    def _commented(self, node: cst.CSTNode) -> bool:
        return self._comments and has_comment(node)

    def _split(self, node: cst.BaseExpression, indent: str, assigned: bool = False) -> cst.BaseExpression:
        """Split at the node's last bracket, when it ends with one."""
        if isinstance(node, (cst.UnaryOperation, cst.Await)) and not node.lpar:
            return node.with_changes(expression=self._split(node.expression, indent))
        if isinstance(node, cst.Lambda) and not node.lpar:
            return node.with_changes(body=self._split(node.body, indent))
        if isinstance(node, cst.Tuple) and not node.lpar and node.elements:
            if assigned:  # `a, b = (\n    x,\n    y,\n)`
                return self._collection(node.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()]), indent)
            last = _element(node.elements[-1])  # `return model, AdamW(\n    ...\n)`
            return node.with_changes(elements=[*node.elements[:-1], last.with_changes(value=self._split(last.value, indent))])
        if isinstance(node, cst.IfExp) and not node.lpar:
            return self._conditional(node, indent)
        if isinstance(node, cst.Call) and not node.lpar:
            return self._call(node, indent)
        if isinstance(node, (cst.List, cst.Set, cst.Dict)) or (isinstance(node, cst.Tuple) and len(node.lpar) == 1):
            return self._collection(node, indent)
        if isinstance(node, (cst.ListComp, cst.SetComp, cst.DictComp)) or (
            isinstance(node, cst.GeneratorExp) and len(node.lpar) == 1
        ):
            return self._comprehension(node, indent)
        if self._commented(node):
            raise Unbreakable
        return node  # nothing to split at: it stays long, as a formatter leaves it

    # -- calls

    def _call(self, call: cst.Call, indent: str) -> cst.Call:
        args, inner = list(call.args), indent + self.style.indent
        if not args:
            return call
        if self._commented(call.func):
            raise Unbreakable
        opening = self._slot(call.whitespace_before_args, inner, inner)
        closing = args[-1].comma.whitespace_after if isinstance(args[-1].comma, cst.Comma) else args[-1].whitespace_after_arg
        sole = args[0].value if len(args) == 1 else None
        if isinstance(sole, cst.GeneratorExp) and not sole.lpar and args[0].keyword is None and not args[0].star:
            # `any(x for x in y)`: the call's parentheses are the generator's
            parts: cst.BaseExpression = sole
            if self._commented(sole) or not self._fits_inside(call, self.code(sole), inner):
                parts = self._comprehension_parts(sole, inner)
            arg = args[0].with_changes(value=parts, whitespace_after_arg=self._slot(closing, indent, inner))
            return call.with_changes(args=[arg], whitespace_before_args=opening)
        magic = isinstance(args[-1].comma, cst.Comma)
        body = self._body(call, self.code(call.func) + self.code(call.whitespace_after_func) + "(", ")")
        if not magic and not any(self._commented(a) for a in args) and self._fits_inside(call, body, inner):
            closed = args[-1].with_changes(whitespace_after_arg=_break(indent))
            return call.with_changes(args=[*args[:-1], closed], whitespace_before_args=opening)
        if len(args) == 1 and not magic:
            # no comma to split at: the one argument's own line, broken in turn
            arg = args[0]
            _no_comment_before_comma(arg)
            value = self._fit(arg.value, width(inner) + self._prefix(arg), 0, inner)
            arg = arg.with_changes(value=value, whitespace_after_arg=self._slot(closing, indent, inner))
            return call.with_changes(args=[arg], whitespace_before_args=opening)
        laid = []
        for position, arg in enumerate(args):
            last = position == len(args) - 1
            after = arg.comma.whitespace_after if isinstance(arg.comma, cst.Comma) else arg.whitespace_after_arg
            _no_comment_before_comma(arg)
            value = self._own_line(arg.value, width(inner) + self._prefix(arg), inner)
            comma = cst.Comma(whitespace_before=_NONE, whitespace_after=self._slot(after, indent if last else inner, inner))
            laid.append(arg.with_changes(value=value, comma=comma, whitespace_after_arg=_NONE))
        return call.with_changes(args=laid, whitespace_before_args=opening)

    def _prefix(self, arg: cst.Arg) -> int:
        """Columns of what comes before an argument's value: `*`, `**`, `name=`."""
        placeholder = arg.with_changes(value=cst.Name("x"), comma=cst.MaybeSentinel.DEFAULT, whitespace_after_arg=_NONE)
        if self._commented(placeholder):
            raise Unbreakable
        return width(self.code(placeholder)) - 1

    # -- collection literals

    def _collection(self, node: cst.List | cst.Set | cst.Tuple | cst.Dict, indent: str) -> cst.BaseExpression:
        elements = [_element(e) for e in node.elements]
        inner = indent + self.style.indent
        if not elements:
            return node
        opening_bracket, closing_bracket = _brackets(node)
        opening = self._slot(opening_bracket.whitespace_after, inner, inner)
        last_comma = elements[-1].comma
        # before the closing bracket: after a trailing comma, or after the last element
        closing = closing_bracket.whitespace_before
        if isinstance(last_comma, cst.Comma) and _commented(last_comma.whitespace_after):
            if _commented(closing):
                raise Unbreakable
            closing = last_comma.whitespace_after
        has_comma = any(isinstance(e.comma, cst.Comma) for e in elements)
        one_tuple = isinstance(node, cst.Tuple) and len(elements) == 1  # `(x,)`: its comma is no delimiter
        commented = any(self._commented(e) for e in elements) or _commented(closing_bracket.whitespace_before)
        if (one_tuple or not has_comma) and not commented and self._fits_inside(node, self.code(node)[1:-1], inner):
            return _bracketed(node, opening, _break(indent), elements)
        if one_tuple or not has_comma:
            element = elements[0]
            _no_comment_before_comma(element)
            value = self._fit(element.value, width(inner) + self._element_prefix(element), 1 if one_tuple else 0, inner)
            if one_tuple:
                element = element.with_changes(comma=cst.Comma(whitespace_before=_NONE, whitespace_after=_NONE))
            return _bracketed(node, opening, self._slot(closing, indent, inner), [element.with_changes(value=value)])
        laid = []
        for position, element in enumerate(elements):
            last = position == len(elements) - 1
            after = _NONE if last or not isinstance(element.comma, cst.Comma) else element.comma.whitespace_after
            _no_comment_before_comma(element)
            value = self._own_line(element.value, width(inner) + self._element_prefix(element), inner)
            comma = cst.Comma(whitespace_before=_NONE, whitespace_after=_NONE if last else self._slot(after, inner, inner))
            laid.append(element.with_changes(value=value, comma=comma))
        return _bracketed(node, opening, self._slot(closing, indent, inner), laid)

    def _element_prefix(self, element: _Element) -> int:
        """Columns before an element's value: `*`, `**`, `key: `."""
        placeholder = element.with_changes(value=cst.Name("x"), comma=cst.MaybeSentinel.DEFAULT)
        if self._commented(placeholder):
            raise Unbreakable
        return width(self.code(placeholder)) - 1

    def _own_line(self, value: cst.BaseExpression, head: int, inner: str) -> cst.BaseExpression:
        """An element on a line of its own, with its comma; one that holds a comment this
        module does not move stays as written (its lines are inside brackets: any indentation
        is valid)."""
        try:
            return self._fit(value, head, 1, inner)
        except Unbreakable:
            return value

    # -- conditional expressions

    def _conditional(self, node: cst.IfExp, indent: str) -> cst.IfExp:
        """`x if c else y` in parentheses of its own: on one line inside them when it fits there,
        else the value, `if` and `else` on lines of their own."""
        inner = indent + self.style.indent
        if self._commented(node):
            raise Unbreakable
        if width(inner) + width(self.code(node)) > self.style.line_length:
            node = node.with_changes(
                body=self._fit(node.body, width(inner), 0, inner),
                whitespace_before_if=_break(inner),
                test=self._fit(node.test, width(inner) + 3, 0, inner),
                whitespace_before_else=_break(inner),
                orelse=self._fit(node.orelse, width(inner) + 5, 0, inner),
            )
        return node.with_changes(
            lpar=[cst.LeftParen(whitespace_after=_break(inner))], rpar=[cst.RightParen(whitespace_before=_break(indent))]
        )

    # -- comprehensions

    def _comprehension(self, node: _Comprehension, indent: str) -> cst.BaseExpression:
        inner = indent + self.style.indent
        fits = not self._commented(node) and self._fits_inside(node, self.code(node)[1:-1], inner)
        parts = node if fits else self._comprehension_parts(node, inner)
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
        if self._commented(node):  # between the parts of a comprehension: not moved
            raise Unbreakable
        start, clauses = width(inner), self._clauses(node.for_in, inner)
        if isinstance(node, cst.DictComp):
            key = self.code(node.key) + self.code(node.whitespace_before_colon) + ":" + self.code(node.whitespace_after_colon)
            return node.with_changes(value=self._fit(node.value, start + width(key), 0, inner), for_in=clauses)
        return node.with_changes(elt=self._fit(node.elt, start, 0, inner), for_in=clauses)

    def _clauses(self, clause: cst.CompFor, inner: str) -> cst.CompFor:
        start = width(inner)
        head = width(self.code(clause.with_changes(iter=cst.Name("x"), ifs=(), inner_for_in=None)).lstrip()) - 1
        ifs = [
            test.with_changes(
                whitespace_before=_break(inner),
                test=self._fit(test.test, start + 2 + width(self.code(test.whitespace_before_test)), 0, inner),
            )
            for test in clause.ifs
        ]
        nested = self._clauses(clause.inner_for_in, inner) if clause.inner_for_in is not None else None
        return clause.with_changes(
            whitespace_before=_break(inner),
            iter=self._fit(clause.iter, start + head, 0, inner),
            ifs=ifs,
            inner_for_in=nested,
        )

    # -- shared

    def _body(self, call: cst.Call, opening: str, closing: str) -> str:
        code = self.code(call)
        return code[len(opening) : len(code) - len(closing)]

    def _fits_inside(self, node: cst.CSTNode, body: str, inner: str) -> bool:
        """Whether the bracket's contents fit on one line of their own (and hold no magic comma)."""
        return not (self._magic and has_magic_comma_inside(node)) and width(inner) + width(body) <= self.style.line_length

    def _slot(self, written: _Whitespace, indent: str, comments: str) -> cst.ParenthesizedWhitespace:
        """A line break where `written` was, the next line at `indent`: a comment written there
        stays at the end of the line, comments on lines of their own stay so, at `comments`."""
        if not _commented(written):
            return _break(indent)
        assert isinstance(written, cst.ParenthesizedWhitespace)
        first = written.first_line
        trailing = (
            cst.TrailingWhitespace(whitespace=cst.SimpleWhitespace("  "), comment=first.comment)
            if first.comment is not None
            else cst.TrailingWhitespace()
        )
        own_lines = [
            cst.EmptyLine(indent=False, whitespace=cst.SimpleWhitespace(comments), comment=line.comment)
            for line in written.empty_lines
            if line.comment is not None
        ]
        return cst.ParenthesizedWhitespace(
            first_line=trailing, empty_lines=own_lines, indent=False, last_line=cst.SimpleWhitespace(indent)
        )


def _break(indent: str) -> cst.ParenthesizedWhitespace:
    """A line break, the next line starting at `indent` (absolute: the code is written alone)."""
    return cst.ParenthesizedWhitespace(last_line=cst.SimpleWhitespace(indent))


def _commented(whitespace: _Whitespace) -> bool:
    return isinstance(whitespace, cst.ParenthesizedWhitespace) and has_comment(whitespace)


def _no_comment_before_comma(element: cst.Arg | _Element) -> None:
    """Unbreakable when a comment sits before an element's comma, where no line break goes."""
    comma = element.comma
    before = comma.whitespace_before if isinstance(comma, cst.Comma) else _NONE
    after_arg = element.whitespace_after_arg if isinstance(element, cst.Arg) else _NONE
    if _commented(before) or (isinstance(comma, cst.Comma) and _commented(after_arg)):
        raise Unbreakable


def _element(node: cst.BaseElement | cst.BaseDictElement) -> _Element:
    assert isinstance(node, (cst.Element, cst.StarredElement, cst.DictElement, cst.StarredDictElement))
    return node


def _brackets(
    node: cst.List | cst.Set | cst.Tuple | cst.Dict,
) -> tuple[cst.LeftSquareBracket | cst.LeftCurlyBrace | cst.LeftParen, cst.RightSquareBracket | cst.RightCurlyBrace | cst.RightParen]:
    if isinstance(node, cst.List):
        return node.lbracket, node.rbracket
    if isinstance(node, (cst.Set, cst.Dict)):
        return node.lbrace, node.rbrace
    return node.lpar[0], node.rpar[0]


def _bracketed(
    node: cst.List | cst.Set | cst.Tuple | cst.Dict,
    opening: cst.ParenthesizedWhitespace,
    closing: cst.ParenthesizedWhitespace,
    elements: Sequence[_Element],
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


# -- joining lines


def joined(node: _Node) -> _Node:
    """`node` with every line break inside its brackets that holds no comment joined (black's
    spacing: none inside a bracket or before a comma, one space elsewhere)."""
    return node.visit(_Join())  # type: ignore[return-value]


class _Join(cst.CSTTransformer):
    def leave_ParenthesizedWhitespace(
        self, original_node: cst.ParenthesizedWhitespace, updated_node: cst.ParenthesizedWhitespace
    ) -> cst.BaseParenthesizableWhitespace:
        return updated_node if has_comment(original_node) else _SPACE

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


def _tight(original: _Whitespace, updated: _Whitespace) -> _Whitespace:
    """No space where a line break was joined; what was written on one line (or holds a
    comment) stays."""
    joined_break = (isinstance(original, cst.ParenthesizedWhitespace) and not has_comment(original)) or (
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


# -- what a node holds


def has_comment(node: cst.CSTNode) -> bool:
    finder = _Comments()
    node.visit(finder)
    return finder.found


class _Comments(cst.CSTVisitor):
    found = False

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, cst.Comment):
            self.found = True
        return not self.found


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
