"""Optimizer configs written as Python dicts, read as the YAML and JSON sides read them.

    ds_config = {"optimizer": {"type": "Adam", "params": {"lr": 1e-3, "weight_decay": 3e-7}}}
    optim_cfg = dict(type="Adam", lr=1e-3, weight_decay=1e-4)      # a project's config module
    {"optimizer": "adam", "weight_decay": 1e-5}

A dict display or `dict(...)` call becomes the config tree through mmconfig's reader (names and
constants resolved where the dict is written); DeepSpeed's `"optimizer": {"type": ..., "params":
{...}}` is read as its JSON config is (`jsoncfg`), any other mapping that names a known optimizer
beside a weight_decay as a generic one (`dialects.registries.generic`: params unknown, and WD101
says so). What mmconfig reads (an mmengine config's `optim_wrapper`, `optimizer = dict(...)`)
and dicts inside a construction already read from the code are left alone.
"""

from __future__ import annotations

import ast
import bisect
import itertools
import re
from collections.abc import Iterator
from functools import cache

from wdlint.analysis.env import Env
from wdlint.analysis.index import ModuleIndex
from wdlint.analysis.scopes import Scope
from wdlint.analysis.sites import OptimizerSite
from wdlint.analysis.syntax import literal_pairs
from wdlint.diagnostics import Position, Span
from wdlint.frontends.pyconfig import read_values
from wdlint.frontends.python import PythonSource
from wdlint.knowledge.frameworks import GENERIC

TYPE_CHECKING = False  # `typing` is for type checkers: the hook never imports it (docs/architecture.md)

if TYPE_CHECKING:
    from wdlint.frontends.config_sites import Node
    from wdlint.frontends.dialects import Claimed
    from wdlint.frontends.mmconfig import ConfigReader

_DEEPSPEED_SECTION = "optimizer"  # `{"optimizer": {"type": ..., "params": {...}}}`


def dict_sites(source: PythonSource, index: ModuleIndex, code_sites: list[OptimizerSite]) -> list[OptimizerSite]:
    """The optimizers the module's dicts configure; `code_sites` are the constructions read
    from its code (a dict inside one of their calls is theirs)."""
    if GENERIC.decay_key not in source.text:
        return []  # a generic mapping needs a weight_decay key, and so does a DeepSpeed section to matter
    rows = _rows_naming(source.text, GENERIC.decay_key)
    if not rows:
        return []
    reader: ConfigReader | None = None
    module = Env.of_module(index)
    scopes: dict[int, Scope] | None = None
    owned = read_values(source.tree)
    inside = _Covering([site.span for site in code_sites])
    handed = _handed_to_sites(source, index, {site.span for site in code_sites})
    claimed: Claimed = set()  # ids of config nodes: every root is kept alive below, so no id is reused
    roots: list[Node] = []
    found: list[OptimizerSite] = []
    for expr, function, name in _outermost_dicts(source.tree, owned, rows):
        span = source.span(expr)
        if name in handed or inside.covers(span):
            continue
        if function is None:
            scope = index.module_scope
        else:
            scopes = scopes if scopes is not None else _scopes(index)
            scope = scopes.get(id(function), index.module_scope)
        if reader is None:
            # the config tree, its reader and the dialects: for the first dict there is to read,
            # not for every script whose decay key is an optimizer's keyword or a group's key
            from wdlint.frontends.mmconfig import ConfigReader

            reader = ConfigReader(source, index, local=True)
        root = reader.node(module.at(scope, expr.lineno), expr)
        roots.append(root)
        found += _read(root, claimed)
    return found


def _read(root: Node, claimed: Claimed) -> list[OptimizerSite]:
    """A dict's DeepSpeed sections, then the generic optimizer mappings left in it."""
    from wdlint.frontends.dialects import generic_sites

    return [*_deepspeed(root, claimed), *generic_sites(root, claimed)]


def _deepspeed(root: Node, claimed: Claimed) -> Iterator[OptimizerSite]:
    from wdlint.frontends.config_sites import Mapping, Scalar, walk_mappings
    from wdlint.frontends.jsoncfg import deepspeed_site

    for mapping, _ in walk_mappings(root):
        entry = mapping.entry(_DEEPSPEED_SECTION)
        section = entry.value if entry is not None else None
        if entry is None or not isinstance(section, Mapping) or id(section) in claimed:
            continue
        kind = section.get("type")
        if not isinstance(kind, Scalar) or not isinstance(kind.value, str):
            continue
        site = deepspeed_site(entry)
        if site is not None:
            claimed.update((id(section), id(kind)))
            yield site


def _rows_naming(text: str, key: str) -> list[int]:
    """The rows (1-based, as `ast` counts them) on which `key` is written as a dict's key
    (`"key":`) or a keyword (`key=`, and so also `key = ...`), in order: a dict that has the
    key spans one of them. Where the key is only read (`group["key"]`, `if key != 0:`, an
    optimizer's own `step`), the statements are not walked."""
    found: list[int] = []
    # the row breaks between one match and the next counted (`\r\n`, `\r` and `\n`, as `ast`
    # breaks rows), not every row's start listed; a match starts at the key, never inside a
    # `\r\n`, so no break is split between two counts
    breaks_at_r = "\r" in text
    row, counted = 1, 0
    for match in _written_as_key(key).finditer(text):
        start = match.start()
        row += text.count("\n", counted, start)
        if breaks_at_r:
            row += text.count("\r", counted, start) - text.count("\r\n", counted, start)
        counted = start
        if not found or found[-1] != row:
            found.append(row)
    return found


@cache
def _written_as_key(key: str) -> re.Pattern[str]:
    # what may stand between a key and its `:` or `=`: blanks, line breaks, a continuation's
    # backslash, a comment inside brackets
    between = r"(?:\s|\\|#[^\r\n]*)*"
    return re.compile(rf"{re.escape(key)}(?:[\"']+{between}:|{between}=(?!=))")


def _outermost_dicts(
    tree: ast.Module, owned: set[int], rows: list[int]
) -> Iterator[tuple[ast.expr, ast.AST | None, str | None]]:
    """Each dict display or `dict(...)` not inside another that names the decay key, with the
    function holding it and the name it is assigned to. `rows` are the rows where the key is
    written: a statement or expression that spans none of them is not walked (a dict's key
    spelt apart, `"weight" "_decay"`, is not seen, as a file without the key is not read)."""
    stack: list[tuple[ast.AST, ast.AST | None]] = [(tree, None)]
    while stack:
        node, function = stack.pop()
        if id(node) in owned:
            continue
        if isinstance(node, (ast.stmt, ast.expr)):
            first = bisect.bisect_left(rows, _first_row(node))
            if first == len(rows) or rows[first] > (node.end_lineno or node.lineno):
                continue
        if isinstance(node, ast.expr) and literal_pairs(node) is not None:
            if _names_decay(node):
                yield node, function, None
            continue
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            if literal_pairs(node.value) is not None and id(node.value) not in owned:
                if _names_decay(node.value):
                    yield node.value, function, node.targets[0].id
                continue
        inner = node if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)) else function
        stack.extend((child, inner) for child in reversed(list(ast.iter_child_nodes(node))))


def _first_row(node: ast.stmt | ast.expr) -> int:
    """Where a node's text starts: a decorated definition's at its first decorator."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.decorator_list:
        return min(node.lineno, *(decorator.lineno for decorator in node.decorator_list))
    return node.lineno


def _handed_to_sites(source: PythonSource, index: ModuleIndex, spans: set[Span]) -> set[str]:
    """Names passed (or spread with `**`) to a construction the code reads: `conf = {...}` then
    `make_optimizer(params, **conf)` is that construction's, not a config of its own."""
    names: set[str] = set()
    rows = {span.start.row for span in spans}
    for call in index.calls:
        # a call's span starts on its own line: only those on a site's line are measured
        if call.lineno not in rows or source.span(call) not in spans:
            continue
        for value in (*call.args, *(keyword.value for keyword in call.keywords)):
            inner = value.value if isinstance(value, ast.Starred) else value
            if isinstance(inner, ast.Name):
                names.add(inner.id)
    return names


def _names_decay(expr: ast.expr) -> bool:
    """Whether a weight_decay key is written in the dict (an mm config's `model = dict(...)`,
    hundreds of lines, is not read for nothing)."""
    for node in ast.walk(expr):
        if isinstance(node, ast.Constant) and node.value == GENERIC.decay_key:
            return True
        if isinstance(node, ast.keyword) and node.arg == GENERIC.decay_key:
            return True
    return False


def _scopes(index: ModuleIndex) -> dict[int, Scope]:
    """Function scopes by their node, from those that hold a call (the others resolve nothing)."""
    found: dict[int, Scope] = {}
    for scope in index.scope_of.values():
        current: Scope | None = scope
        while current is not None and id(current.node) not in found:
            found[id(current.node)] = current
            current = current.parent
    return found


class _Covering:
    """Whether a span lies within one of some spans (the constructions' calls): a bisection on
    their starts, and the furthest end of those starting before, for each dict; not a pass
    over every construction for each dict, which is quadratic in a file of many optimizers."""

    def __init__(self, spans: list[Span]) -> None:
        ordered = sorted((_point(span.start), _point(span.end)) for span in spans)
        self._starts = [start for start, _ in ordered]
        self._reach = list(itertools.accumulate((end for _, end in ordered), max))

    def covers(self, span: Span) -> bool:
        before = bisect.bisect_right(self._starts, _point(span.start))
        return before > 0 and _point(span.end) <= self._reach[before - 1]


def _point(position: Position) -> tuple[int, int]:
    return position.row, position.column
