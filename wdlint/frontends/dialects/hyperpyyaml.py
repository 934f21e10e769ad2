"""HyperPyYAML (SpeechBrain's hparams files): `!new:torch.optim.Adam` constructs a class at load
time, `!name:torch.optim.Adam` is its partial; their mapping holds the keyword arguments, a
sequence the positional ones. `!ref <key>` refers to another value of the file.

The tags are read as data (`yamlcfg` keeps them beside the nodes): nothing is imported or run.
`opt_class: !name:...` at the top is what recipes hand `speechbrain.Brain`, which calls it with
every parameter of its modules (knowledge/frameworks.py SPEECHBRAIN): WD201 applies unless the
file sets the run option `remove_vector_weight_decay: True`.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator

from wdlint.analysis.sites import OptimizerSite
from wdlint.diagnostics import Position, Span
from wdlint.frontends.config_sites import Entry, Mapping, Node, Scalar, Sequence, walk_mappings
from wdlint.frontends.dialects.common import Claimed, entry_span, named_site, top_mapping
from wdlint.knowledge.frameworks import (
    HYPERPYYAML_CLASS_TAGS,
    HYPERPYYAML_REF_TAG,
    SPEECHBRAIN,
    SPEECHBRAIN_GROUPING_KEY,
    SPEECHBRAIN_OPT_CLASS_KEY,
)
from wdlint.knowledge.optimizers import lookup

_REFERENCE = re.compile(r"<([^<>\[\]\s]+)((?:\[[^<>\[\]\s]+\])*)>")
_MAX_REFERENCES = 16  # a chain of `!ref`s followed; HyperPyYAML refuses cycles


def sites(root: Node, claimed: Claimed, tags: Collection[str]) -> Iterator[OptimizerSite]:
    """`tags`: the application's tags the document's reader met; without a class tag among
    them (most YAML), the document's mappings are not walked."""
    top = top_mapping(root)
    if top is None or not any(tag.startswith(HYPERPYYAML_CLASS_TAGS) for tag in tags):
        return
    groups_vectors = _truthy(_resolved(top, top.get(SPEECHBRAIN_GROUPING_KEY)))
    for mapping, _ in walk_mappings(root):
        for entry in mapping.entries:
            tag = entry.value.tag
            if tag is None or not tag.startswith(HYPERPYYAML_CLASS_TAGS) or id(entry.value) in claimed:
                continue
            brain = mapping is top and entry.key == SPEECHBRAIN_OPT_CLASS_KEY and tag.startswith("!name:")
            site = _site(top, entry, tag, every=brain and not groups_vectors, grouped=brain and groups_vectors)
            if site is not None:
                claimed.add(id(entry.value))
                yield site


def _site(top: Mapping, entry: Entry, tag: str, every: bool, grouped: bool) -> OptimizerSite | None:
    value = entry.value
    span = entry_span(entry)
    if span is None or value.span is None:
        return None
    start = value.span.start
    name = Scalar(tag.partition(":")[2], tag, Span(start, Position(start.row, start.column + len(tag))))
    spec = lookup(name.value) if isinstance(name.value, str) else None
    if isinstance(value, Sequence) and spec is not None:  # positional arguments after params
        value = Mapping(tuple(Entry(key, item.span, item) for key, item in zip(spec.positional, value.items)), value.span)
    options = _with_references(top, value) if isinstance(value, Mapping) else None
    return named_site(SPEECHBRAIN, name, span=span, options=options, every=every, grouped=grouped)


def _with_references(top: Mapping, options: Mapping) -> Mapping:
    """The options with each `!ref <key>` replaced by the value it refers to, where it is one
    plain value of this file; the reference's text is kept for messages."""
    entries = []
    for entry in options.entries:
        value = entry.value
        target = _resolved(top, value)
        if target is not value and isinstance(target, Scalar) and isinstance(value, Scalar):
            origin = f"line {target.span.start.row}" if target.span is not None else None
            value = Scalar(target.value, value.text, value.span, origin=origin)
        entries.append(Entry(entry.key, entry.key_span, value))
    return Mapping(tuple(entries), options.span, options.tag)


def _resolved(top: Mapping, node: Node | None) -> Node | None:
    """What a `!ref <a[b]>` refers to, followed through other references; the node itself
    when it is no plain reference (`!ref <a> * 2` is an expression: left as it is)."""
    for _ in range(_MAX_REFERENCES):
        if not isinstance(node, Scalar) or node.tag != HYPERPYYAML_REF_TAG:
            return node
        match = _REFERENCE.fullmatch(node.text[len(HYPERPYYAML_REF_TAG) :].strip())
        if match is None:
            return node
        target: Node | None = top.get(match.group(1))
        for key in re.findall(r"\[([^\]]+)\]", match.group(2)):
            target = target.get(key) if isinstance(target, Mapping) else None
        if target is None:
            return node
        node = target
    return node


def _truthy(node: Node | None) -> bool:
    return isinstance(node, Scalar) and node.value is True
