"""YAML configs: optimizers named by Hydra's `_target_`, torchtune's `_component_`,
jsonargparse's `class_path`/`init_args` or `optimizer: AdamW`, and by the frameworks whose
conventions `wdlint/frontends/dialects/` reads (SpeechBrain, LightningCLI, LitGPT, asteroid,
NeMo, TrainingArguments, ultralytics, gpt-neox, detectron2, generic optimizer mappings).

Documents are only composed into nodes by PyYAML's safe loader (by libyaml's where
`yamlgate.py` shows that its reading is the pure loader's, to the offset), never constructed
into objects (plain scalars aside), so every value keeps its position, an alias stays the
node it names, and nothing in the file is ever imported or run. An application's tag (HyperPyYAML's `!new:`,
`!ref`, `!include:`) is kept beside its node as data; one of YAML's own tags that the safe
loader refuses (`!!python/object`) makes the file a WD001.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Collection, Iterable, Iterator

import yaml
from yaml.constructor import SafeConstructor

from wdlint.analysis.sites import OptimizerSite
from wdlint.diagnostics import Position, Span, position_at
from wdlint.frontends.config_sites import (
    UNKNOWN,
    Entry,
    Mapping,
    Node,
    Scalar,
    Sequence,
    config_site,
    resolve_class,
    walk_mappings,
    with_key,
)
from wdlint.frontends.dialects import Claimed, convention_sites, generic_sites
from wdlint.frontends.dialects.links import LinkRequest, requests
from wdlint.frontends.text import SourceError, line_starts
from wdlint.frontends.yamlgate import compose
from wdlint.records import Record

_MERGE = "tag:yaml.org,2002:merge"
_VALUE = "tag:yaml.org,2002:value"  # the `=` key, which the safe loader reads as a string
_STR = "tag:yaml.org,2002:str"
_SAFE_TAGS = frozenset({*(tag for tag in SafeConstructor.yaml_constructors if tag is not None), _VALUE})
# YAML's own tags (`!!python/object`, `!!int`): one the safe loader does not know is refused; any
# other tag is an application's (`!ref`, `!new:torch.optim.Adam`) and read as tagged data
_CORE = "tag:yaml.org,2002:"
# the tags of nearly every scalar, and the safe loader's constructors for them
_PLAIN_SCALARS = {
    tag: SafeConstructor.yaml_constructors[tag]
    for tag in (_STR, *(f"{_CORE}{name}" for name in ("int", "float", "bool", "null")))
}
_INSTANTIATE_KEYS = ("_target_", "_component_")  # Hydra, torchtune: the value is a full path
_COMMENT = re.compile(r"(?:^|(?<=[ \t]))#[^\r\n\x85\u2028\u2029]*", re.MULTILINE)


class YamlConfig(Record):
    sites: tuple[OptimizerSite, ...]
    comments: tuple[tuple[int, str], ...]  # (row, text) of each comment, when any says noqa
    # optimizers whose params the code consuming the file decides (`dialects/links.py`)
    links: tuple[LinkRequest, ...] = ()


def parse_yaml(text: str) -> YamlConfig:
    """The optimizer sites of every document; SourceError for YAML the safe loader refuses."""
    nodes = compose(text)  # libyaml's nodes, where they are the pure loader's
    if nodes is not None:
        try:
            return _read(text, nodes)
        # an error's message and position are the pure loader's (a constructor's message
        # quotes the text around its mark, which libyaml's marks do not hold): read again
        except Exception:  # noqa: BLE001
            pass
    return _read(text, yaml.compose_all(text, Loader=yaml.SafeLoader))


def _read(text: str, documents: Iterable[yaml.Node]) -> YamlConfig:
    converter = _Converter(text)
    try:
        roots = [converter.convert(node) for node in documents]
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        message = ", ".join(part for part in (error.context, error.problem) if part)
        position = converter.position(mark.index) if mark is not None else Position(1, 1)
        raise SourceError(f"invalid YAML: {message}", position) from None
    except yaml.reader.ReaderError as error:
        reason = str(error).splitlines()[0]  # "unacceptable character #x0000: ..."
        raise SourceError(f"invalid YAML: {reason}", converter.position(error.position)) from None
    except RecursionError:
        raise SourceError("invalid YAML: nested too deeply") from None
    sites: list[OptimizerSite] = []
    links: list[LinkRequest] = []
    for root in roots:
        if root is not None:
            found = list(_sites(root, converter.tags))
            sites += found
            links += requests(root, found)
    comments = _comments(text, converter.scalar_ranges) if sites and "noqa" in text.lower() else ()
    return YamlConfig(tuple(sites), comments, tuple(links))


class _Converter:
    """YAML nodes to config nodes, checking every tag against what the safe loader accepts."""

    def __init__(self, text: str) -> None:
        self.text = text
        # rows as ruff counts them, not as YAML does (which also breaks at NEL, LS and PS)
        self.line_starts = line_starts(text)
        self.constructor = SafeConstructor()  # builds plain scalars only; never sees a document
        self.done: dict[int, Node] = {}  # id(yaml node) -> its conversion: aliases share it
        self.active: set[int] = set()  # nodes being converted: an alias to one is a cycle
        self.scalar_ranges: list[tuple[int, int]] = []  # character offsets of every scalar
        self.tags: set[str] = set()  # the application's tags met (`!new:torch.optim.Adam`)

    def position(self, offset: int) -> Position:
        return position_at(self.line_starts, offset)

    def _span(self, node: yaml.Node) -> Span:
        return Span.at_offsets(self.line_starts, node.start_mark.index, node.end_mark.index)

    def convert(self, node: yaml.Node) -> Node:
        key = id(node)
        converted = self.done.get(key)
        if converted is not None:
            return converted
        tag = node.tag
        if node.__class__ is yaml.ScalarNode and tag in _PLAIN_SCALARS:
            # most nodes (every string, number, flag and null of a config's plain values): a
            # scalar is no cycle, and its tag is one the safe loader constructs
            converted = self._scalar(node)
            self.done[key] = converted
            return converted
        if key in self.active:  # `&a [*a]`: a recursive structure has no value we can use
            return Scalar(UNKNOWN, f"*{node.tag}", self._span(node))
        if tag not in _SAFE_TAGS and tag.startswith(_CORE):
            raise SourceError(f"the YAML tag `{tag}` is refused by the safe loader", self._span(node).start)
        self.active.add(key)
        try:
            converted = self._convert(node) if tag in _SAFE_TAGS else self._tagged(node)
        finally:
            self.active.discard(key)
        self.done[key] = converted
        return converted

    def _scalar(self, node: yaml.ScalarNode) -> Scalar:
        """A scalar under one of YAML's own tags, with its value as the safe loader makes it. The
        commonest tags' constructors (`_PLAIN_SCALARS`) are called directly: `construct_object`'s
        bookkeeping serves collections and recursion, which a scalar has neither of."""
        self.scalar_ranges.append((node.start_mark.index, node.end_mark.index))
        tag, text = node.tag, node.value
        if tag in (_STR, _VALUE):  # what the constructor would return
            return Scalar(text, text, self._span(node))
        construct = _PLAIN_SCALARS.get(tag)
        try:
            value = construct(self.constructor, node) if construct is not None else self.constructor.construct_object(node)
        # PyYAML's constructors fail in more ways than they declare on a value that does not
        # fit its tag (`!!float ""`: IndexError, `!!bool ""`: KeyError, `!!timestamp ""`:
        # AttributeError); each is that one scalar's failure, never the file's reader's
        except Exception as error:  # noqa: BLE001
            if self.text.startswith("!", node.start_mark.index):
                # an explicit tag the value does not fit (`!!int abc`): a parse error of the file
                raise SourceError(f"invalid YAML scalar {text!r}: {error}", self._span(node).start) from None
            # a plain scalar only shaped like one (`2001-02-30` looks like a date): the text,
            # as OmegaConf reads it
            value = text
        return Scalar(value, text, self._span(node))

    def _convert(self, node: yaml.Node) -> Node:
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node)
        if isinstance(node, yaml.SequenceNode):
            return Sequence(tuple(self.convert(item) for item in node.value), self._span(node))
        assert isinstance(node, yaml.MappingNode)
        return Mapping(self._entries(node), self._span(node))

    def _tagged(self, node: yaml.Node) -> Node:
        """A node under an application's tag (HyperPyYAML's `!new:`, `!ref`, `!include:`): its
        text, items or entries as data with the tag beside them; nothing is constructed, looked
        up, included or run. A scalar's value is unknown: only the application knows it."""
        self.tags.add(node.tag)
        span = self._span(node)
        if isinstance(node, yaml.ScalarNode):
            self.scalar_ranges.append((node.start_mark.index, node.end_mark.index))
            text = f"{node.tag} {node.value}" if node.value else node.tag
            return Scalar(UNKNOWN, text, span, node.tag)
        if isinstance(node, yaml.SequenceNode):
            return Sequence(tuple(self.convert(item) for item in node.value), span, node.tag)
        assert isinstance(node, yaml.MappingNode)
        return Mapping(self._entries(node), span, node.tag)

    def _entries(self, node: yaml.MappingNode) -> tuple[Entry, ...]:
        """Merged entries first, then the mapping's own: the last entry for a key wins, and
        only it is kept, so that merges of merges stay as small as their keys."""
        merged: list[Entry] = []
        own: list[Entry] = []
        for key_node, value_node in node.value:
            if key_node.tag == _STR and key_node.__class__ is yaml.ScalarNode:
                # nearly every key: only its text and place are kept, never a node of its own
                self.scalar_ranges.append((key_node.start_mark.index, key_node.end_mark.index))
                own.append(Entry(key_node.value, self._span(key_node), self.convert(value_node)))
                continue
            if key_node.tag == _MERGE:
                merged = self._merged(value_node) + merged
                continue
            key = self.convert(key_node)
            value = self.convert(value_node)
            if isinstance(key, Scalar):
                own.append(Entry(key.text, key.span, value))
        return tuple({entry.key: entry for entry in (*merged, *own)}.values())

    def _merged(self, node: yaml.Node) -> list[Entry]:
        """`<<: *a` or `<<: [*a, *b]`; in a list the first mapping wins, as YAML specifies."""
        sources = node.value if isinstance(node, yaml.SequenceNode) else [node]
        entries: list[Entry] = []
        for source in reversed(sources):
            converted = self.convert(source)
            if not isinstance(converted, Mapping):
                raise SourceError("invalid YAML: a merge key `<<` takes mappings only", self._span(source).start)
            entries += converted.entries
        return entries


def _sites(root: Node, tags: Collection[str]) -> Iterator[OptimizerSite]:
    claimed: Claimed = set()
    yield from convention_sites(root, claimed, tags)
    for mapping, holder in walk_mappings(root):
        if mapping.span is None or id(mapping) in claimed:
            continue
        site = _instantiated(mapping, holder)
        if site is not None:
            claimed.add(id(mapping))
            yield site
    yield from generic_sites(root, claimed)
    for mapping, _ in walk_mappings(root):
        if mapping.span is None:
            continue
        for entry in mapping.entries:
            if entry.key == "optimizer" and isinstance(entry.value, Scalar) and id(entry.value) not in claimed:
                shorthand = _shorthand(entry.value, entry, mapping.span)
                if shorthand is not None:
                    yield shorthand


def _instantiated(mapping: Mapping, holder: Entry | None) -> OptimizerSite | None:
    """`{_target_: torch.optim.AdamW, ...}`, `{_component_: ...}`, `{class_path: ..., init_args: ...}`."""
    assert mapping.span is not None
    for key in (*_INSTANTIATE_KEYS, "class_path"):
        entry = mapping.entry(key)
        if entry is None or not isinstance(entry.value, Scalar) or not isinstance(entry.value.value, str):
            continue
        name = entry.value.value
        resolved = resolve_class(name, short_names=key == "class_path")
        if resolved is None:
            return None
        spec, qualified = resolved
        span = with_key(mapping.span, holder)
        if key == "class_path":
            init_args = mapping.get("init_args")
            options = init_args if isinstance(init_args, Mapping) else None
        else:
            options = mapping
        return config_site(
            spec,
            qualified,
            name,
            span=span,
            func_span=_within(entry.value.span, span),
            options=options,
            # Hydra passes `_args_` positionally: weight_decay may be one of them
            hidden="_args_" if key != "class_path" and mapping.get("_args_") is not None else None,
        )
    return None


def _shorthand(value: Scalar, entry: Entry, within: Span) -> OptimizerSite | None:
    """LightningCLI's `optimizer: AdamW`: the class, with its defaults."""
    if not isinstance(value.value, str) or value.span is None or not _inside(value.span, within):
        return None  # an entry merged in from an anchor is reported where it is written
    resolved = resolve_class(value.value, short_names=True)
    if resolved is None:
        return None
    spec, qualified = resolved
    return config_site(
        spec, qualified, value.value, span=with_key(value.span, entry), func_span=value.span, options=None
    )


def _inside(inner: Span, outer: Span) -> bool:
    return outer.start <= inner.start and inner.end <= outer.end


def _within(span: Span | None, site: Span) -> Span:
    """Where to report the class: where it is written, or the site when a merge brought it in."""
    return span if span is not None and _inside(span, site) else site


def _comments(text: str, scalar_ranges: list[tuple[int, int]]) -> tuple[tuple[int, str], ...]:
    """Comments, found as PyYAML's scanner finds them: a `#` after a blank or at a line start,
    outside every scalar (a `#` inside a quoted or block string is text)."""
    ranges = sorted(scalar_ranges)
    starts = [start for start, _ in ranges]
    rows = line_starts(text)
    comments = []
    for match in _COMMENT.finditer(text):
        offset = match.start()
        index = bisect.bisect_right(starts, offset) - 1
        if index >= 0 and offset < ranges[index][1]:
            continue
        comments.append((position_at(rows, offset).row, match.group()))
    return tuple(comments)
