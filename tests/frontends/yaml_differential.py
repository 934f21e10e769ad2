"""libyaml against PyYAML's pure loader: what `wdlint/frontends/yamlgate.py` must hold to.

Shared by `test_yamlgate.py` (generated texts) and `bench/yaml_gate.py` (every real YAML file
at hand). The gate (`compose`) may hand on libyaml's nodes only where they are exactly the
node trees the pure loader composes (elsewhere the pure loader reads the text again, so the
reading and any error are its own): the same kinds, tags, values and scalar styles, the same start and
end marks, and the same nodes shared (an alias is the node it names, which the converter
relies on for merges and cycles).

A mark compares by its offset, line and column, save a mark at the very end of the text, whose
line and column libyaml counts after a line break it supplies where the text lacks a final
one; `yamlcfg` reads only offsets.
"""

from __future__ import annotations

from collections.abc import Hashable

import yaml

from wdlint.frontends.yamlgate import compose

Tree = Hashable
Outcome = tuple[str, Hashable]  # ("ok", trees) or ("error", exception type)


def signature(root: yaml.Node, end: int) -> Tree:
    """The node tree as nested tuples; a node met again is ("*", the order it was first met)."""
    seen: dict[int, int] = {}

    def mark(found: yaml.Mark) -> tuple[int, ...]:
        return (found.index,) if found.index >= end else (found.index, found.line, found.column)

    def walk(node: yaml.Node) -> Tree:
        if id(node) in seen:
            return ("*", seen[id(node)])
        seen[id(node)] = len(seen)
        marks = (mark(node.start_mark), mark(node.end_mark))
        if isinstance(node, yaml.ScalarNode):
            # a plain scalar's style is None in PyYAML and "" in libyaml: both mean plain
            return ("scalar", node.tag, node.value, node.style or None, marks)
        if isinstance(node, yaml.SequenceNode):
            return ("sequence", node.tag, bool(node.flow_style), marks, tuple(walk(item) for item in node.value))
        assert isinstance(node, yaml.MappingNode)
        entries = tuple((walk(key), walk(value)) for key, value in node.value)
        return ("mapping", node.tag, bool(node.flow_style), marks, entries)

    return walk(root)


def outcome(text: str, loader: type[yaml.SafeLoader] | type[yaml.CSafeLoader]) -> Outcome:
    try:
        return ("ok", tuple(signature(node, len(text)) for node in yaml.compose_all(text, Loader=loader)))
    except RecursionError:
        raise  # a tree too deep to compare is no verdict
    except Exception as error:  # noqa: BLE001  (libyaml raises more kinds than the pure loader)
        return ("error", type(error).__name__)


def disagreement(text: str) -> tuple[Outcome, Outcome] | None:
    """(the pure loader's outcome, libyaml's) where libyaml composes `text` otherwise than the
    pure loader does, whether or not the gate lets it; None where it raises or agrees."""
    fast = outcome(text, yaml.CSafeLoader)
    if fast[0] == "error":
        return None
    pure = outcome(text, yaml.SafeLoader)
    return None if pure == fast else (pure, fast)


def divergence(text: str) -> tuple[Outcome, Outcome] | None:
    """(the pure loader's outcome, the gate's nodes) where the gate hands on libyaml's nodes
    and they are not the pure loader's; None where the fast path may read `text`."""
    documents = compose(text)
    if documents is None:
        return None
    fast: Outcome = ("ok", tuple(signature(node, len(text)) for node in documents))
    pure = outcome(text, yaml.SafeLoader)
    return None if pure == fast else (pure, fast)
