"""What YAML, JSON and mmengine configs are read into, and the OptimizerSite one optimizer's
options make.

Each config front-end parses its format into the same small tree of mappings, sequences and
scalars, each with where it is written; recognizing an optimizer is then format-specific (a
Hydra `_target_`, a DeepSpeed `"type"`, an mmengine `type=`), but turning its options into an
OptimizerSite is not, and lives here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from wdlint.analysis.sites import Key, OptimizerSite, ParamSource, SourceKind, Value, ValueKind
from wdlint.diagnostics import Span
from wdlint.knowledge.optimizers import OptimizerSpec, lookup
from wdlint.records import Record


class _Unknown:
    def __repr__(self) -> str:
        return "<unknown>"


UNKNOWN = _Unknown()  # a scalar whose value cannot be known statically (an expression)

# Numbers as OmegaConf and jsonargparse read them: YAML 1.1 takes `1e-4` for a string, but
# Hydra and LightningCLI hand the optimizer a float.
_NUMBER = re.compile(r"[-+]?(?:\d[\d_]*\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


# eq=False: nodes compare and hash by identity, so that a node reached twice (a YAML alias) is
# recognized once.
class Scalar(Record, eq=False):
    value: object  # str, int, float, bool, None, another constant, or UNKNOWN
    text: str  # as written, for messages
    span: Span | None  # None: written in another file (an mmengine base config)
    tag: str | None = None  # an application's YAML tag (`!ref`), read as data, never run
    # where the value is written when not at `span`, for messages: a base file's
    # "from `path:row`", the "line N" a `!ref` refers to
    origin: str | None = None


class Entry(Record, eq=False):
    key: str
    key_span: Span | None
    value: Node


class Mapping(Record, eq=False):
    entries: tuple[Entry, ...]
    span: Span | None
    tag: str | None = None  # `!new:torch.optim.Adam`: the arguments of a HyperPyYAML call
    origin: str | None = None  # written in another file: where (an mmengine base's "from `path:row`")

    def entry(self, key: str) -> Entry | None:
        """The entry for `key`; the last one when a key is repeated, as every loader does."""
        for entry in reversed(self.entries):
            if entry.key == key:
                return entry
        return None

    def get(self, key: str) -> Node | None:
        entry = self.entry(key)
        return entry.value if entry is not None else None

    def string(self, key: str) -> str | None:
        node = self.get(key)
        return node.value if isinstance(node, Scalar) and isinstance(node.value, str) else None


class Sequence(Record, eq=False):
    items: tuple[Node, ...]
    span: Span | None
    tag: str | None = None


Node = Scalar | Mapping | Sequence


def node_text(node: Node) -> str:
    if isinstance(node, Scalar):
        return node.text
    return "{...}" if isinstance(node, Mapping) else "[...]"


def value_of(node: Node) -> Value:
    """A number, a flag, or unknown (`"auto"`, `${interpolation}`, an expression)."""
    if isinstance(node, Scalar):
        constant = node.value
        if isinstance(constant, (bool, int, float)):
            return Value.literal(constant, node.text, node.origin)
        if isinstance(constant, str) and _NUMBER.fullmatch(constant.strip()):
            return Value.literal(float(constant.replace("_", "")), node.text, node.origin)
    return Value.unknown(node_text(node))


def number(node: Node | None) -> float | None:
    """The node's value when it is provably a number."""
    if node is None:
        return None
    value = value_of(node)
    constant = value.constant
    if value.is_known and isinstance(constant, (int, float)) and not isinstance(constant, bool):
        return float(constant)
    return None


def walk_mappings(root: Node) -> tuple[tuple[Mapping, Entry | None], ...]:
    """Every mapping under `root` once, with the entry that holds it (None at the top), in
    the order of a walk from the top. The config readers each walk a document (HyperPyYAML's,
    the trainers', the generic readings): the last document's walk is kept for the next."""
    global _LAST_WALK
    last = _LAST_WALK
    if last is not None and last[0] is root:
        return last[1]
    walked = tuple(_walk(root))
    _LAST_WALK = (root, walked)
    return walked


_LAST_WALK: tuple[Node, tuple[tuple[Mapping, Entry | None], ...]] | None = None


def _walk(root: Node) -> Iterator[tuple[Mapping, Entry | None]]:
    seen: set[int] = set()
    stack: list[tuple[Node, Entry | None]] = [(root, None)]
    while stack:
        node, holder = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, Mapping):
            yield node, holder
            # a scalar holds no mapping: most nodes are scalars, never stacked
            stack.extend((entry.value, entry) for entry in reversed(node.entries) if not isinstance(entry.value, Scalar))
        elif isinstance(node, Sequence):
            stack.extend((item, None) for item in reversed(node.items) if not isinstance(item, Scalar))


def with_key(span: Span, holder: Entry | None) -> Span:
    """A value's span widened to start at the key holding it: a `# noqa` after `optimizer:`."""
    if holder is None or holder.key_span is None:
        return span
    return Span(holder.key_span.start, span.end)


def resolve_class(name: str, short_names: bool) -> tuple[OptimizerSpec, str] | None:
    """The spec and qualified name of a class named in a config; a bare `AdamW` is torch's
    where the tool reading the config resolves bare names in torch.optim (LightningCLI)."""
    spec = lookup(name)
    if spec is not None:
        return spec, name
    if short_names and "." not in name:
        qualified = f"torch.optim.{name}"
        spec = lookup(qualified)
        if spec is not None:
            return spec, qualified
    return None


def config_site(
    spec: OptimizerSpec,
    qualified: str,
    written: str,
    *,
    span: Span,
    func_span: Span,
    options: Mapping | None,
    params: ParamSource | None = None,
    decoupled: Value | None = None,
    ignored_keys: tuple[Key, ...] = (),
    hidden: str | None = None,
    decay_key: str = "weight_decay",
    default_decay: float | None = None,
    framework: str | None = None,
    class_origin: str | None = None,
) -> OptimizerSite:
    """The site of an optimizer whose constructor options are the entries of `options`.

    `params` defaults to unknown: the code that reads the config passes them. `decoupled`
    overrides the flag read from the options; `hidden` names where options we cannot see may
    come from (an mmengine base config that is not local). `decay_key` is where the framework
    reads weight_decay, and `default_decay` the framework's own value when that key is absent
    (None: the class default), which the message names as the default of `framework`.
    """
    weight_decay = _placed(_option(options, decay_key, spec.default_weight_decay, hidden), options, decay_key, span)
    if default_decay is not None and weight_decay.kind is ValueKind.DEFAULT:
        origin = f"the default of {framework}" if framework else None
        weight_decay = Value.literal(default_decay, repr(default_decay), origin)
    return OptimizerSite(
        spec=spec,
        qualified_name=qualified,
        written_name=written,
        span=span,
        func_span=func_span,
        weight_decay=weight_decay,
        decoupled=decoupled or _option(options, spec.decoupled_flag, spec.decoupled, hidden),
        params=params or ParamSource(SourceKind.UNKNOWN, span, ""),
        ignored_keys=ignored_keys,
        class_origin=class_origin,
    )


def _placed(value: Value, options: Mapping | None, key: str, site: Span) -> Value:
    """A value written in this file outside the site's own lines (a top-level `weight_decay:`
    that a framework reads beside its `optimizer:` key) says where it is: `line 12`."""
    node = options.get(key) if options is not None else None
    if value.origin is not None or not isinstance(node, Scalar) or node.span is None:
        return value
    row = node.span.start.row
    if site.start.row <= row <= site.end.row or value.kind is not ValueKind.LITERAL:
        return value
    return Value.literal(value.constant, value.expr, f"line {row}" if key == "weight_decay" else f"`{key}`, line {row}")


def _option(options: Mapping | None, name: str | None, default: float | bool | None, hidden: str | None) -> Value:
    node = options.get(name) if options is not None and name is not None else None
    if node is not None:
        return value_of(node)
    if hidden is not None and name is not None:
        return Value.maybe_hidden(hidden, default)
    return Value.default(default)
