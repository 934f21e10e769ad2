"""JSON configs. DeepSpeed's `"optimizer": {"type": ..., "params": {...}}` at the top level;
other JSON that holds a weight_decay (TrainingArguments, generic optimizer mappings) is read
whole into the config tree and handed to the config dialects (`wdlint/frontends/dialects/`).

Any other JSON (package.json, tokenizer files, data) costs one `json.loads` at C speed and
nothing more. Positions come from a second pass over the (then known valid) text that reads
only the "optimizer" section itself and skips every other top-level value with
`JSONDecoder.raw_decode`, so a large config costs little more than the load.
"""

from __future__ import annotations

from wdlint.analysis.sites import Key, OptimizerSite, Value
from wdlint.diagnostics import Span
from wdlint.frontends.config_sites import Entry, Mapping, Node, Scalar, Sequence, config_site, with_key
from wdlint.frontends.dialects.links import LinkRequest, requests
from wdlint.frontends.text import JsonScanner, SourceError, load_json
from wdlint.knowledge.optimizers import (
    DEEPSPEED_DECOUPLED_TYPES,
    DEEPSPEED_OPTIMIZER_TYPES,
    DEEPSPEED_PARAMS_KEYS,
    DEEPSPEED_SECTION_KEYS,
    GROUP_KEY_ALIASES,
    OptimizerSpec,
    lookup,
)
from wdlint.records import Record


class JsonConfig(Record):
    sites: tuple[OptimizerSite, ...]
    # optimizers whose params the code consuming the file decides (`dialects/links.py`)
    links: tuple[LinkRequest, ...] = ()


def parse_deepspeed(text: str) -> tuple[OptimizerSite, ...]:
    return parse_json_config(text).sites


def parse_json_config(text: str) -> JsonConfig:
    """The optimizers of a JSON config: DeepSpeed's section, else what a framework's convention
    or a generic optimizer mapping names (`dialects`); SourceError for bad JSON."""
    data = load_json(text)
    section = data.get("optimizer") if isinstance(data, dict) else None
    if not isinstance(section, dict) or "type" not in section:
        return _dialect_sites(text, data)
    try:
        entry = _Reader(text).top_level_entry("optimizer")
    except RecursionError:
        raise SourceError("invalid JSON: the optimizer section is nested too deeply") from None
    site = deepspeed_site(entry) if entry is not None else None
    if site is None or entry is None:
        return JsonConfig(())
    return JsonConfig((site,), requests(Mapping((entry,), None), (site,)))


def _dialect_sites(text: str, data: object) -> JsonConfig:
    """Other JSON configs (`TrainingArguments`, `{"optimizer": "adam", "weight_decay": ...}`):
    read whole, with positions, only when some mapping in it has a weight_decay or an optim."""
    if not _mentions_decay(data):
        return JsonConfig(())
    from wdlint.frontends.dialects import Claimed, convention_sites, generic_sites

    try:
        reader = _Reader(text)
        root = reader.node(reader.json.skip(0))
    except RecursionError:
        raise SourceError("invalid JSON: nested too deeply") from None
    claimed: Claimed = set()
    sites = (*convention_sites(root, claimed), *generic_sites(root, claimed))
    return JsonConfig(sites, requests(root, sites))


def _mentions_decay(data: object) -> bool:
    """Whether any object in the loaded JSON has a decay or an optimizer-choice key (a loop,
    not recursion: as deep as json.loads went)."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if _DECAY_KEYS.intersection(item):
                return True
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


_DECAY_KEYS = frozenset({"weight_decay", "WEIGHT_DECAY", "optim"})


def deepspeed_site(entry: Entry) -> OptimizerSite | None:
    """The optimizer of a DeepSpeed `"optimizer"` section (`entry`), as DeepSpeed builds it: from
    a JSON config, or a config dict written in Python (`frontends/pydicts.py`)."""
    section = entry.value
    if not isinstance(section, Mapping) or section.span is None:
        return None
    kind = section.entry("type")
    if kind is None or not isinstance(kind.value, Scalar) or not isinstance(kind.value.value, str):
        return None
    name = kind.value.value
    # DeepSpeed lower-cases its own names; anything else is `getattr(torch.optim, name)`
    qualified = DEEPSPEED_OPTIMIZER_TYPES.get(name.lower(), f"torch.optim.{name}")
    spec = lookup(qualified)
    if spec is None:
        return None
    params = section.get("params")
    span = with_key(section.span, entry)
    return config_site(
        spec,
        qualified,
        name,
        span=span,
        func_span=kind.value.span or span,
        options=params if isinstance(params, Mapping) else None,
        decoupled=Value.default(True) if name.lower() in DEEPSPEED_DECOUPLED_TYPES else None,
        ignored_keys=tuple(
            Key(e.key, e.key_span)
            for e in section.entries
            if e.key_span is not None and e.key not in DEEPSPEED_SECTION_KEYS and _is_option(e.key, spec)
        ),
    )


def _is_option(key: str, spec: OptimizerSpec) -> bool:
    """An optimizer option written beside "type", where DeepSpeed never reads it."""
    return key in spec.group_keys or key in DEEPSPEED_PARAMS_KEYS or key.lower() in GROUP_KEY_ALIASES


class _Reader:
    """Config nodes, with where each is written, from JSON text that `json.loads` has accepted."""

    def __init__(self, text: str) -> None:
        self.json = JsonScanner(text)

    def span(self, start: int, end: int) -> Span:
        return Span(self.json.position(start), self.json.position(end))

    def top_level_entry(self, wanted: str) -> Entry | None:
        """The top-level member `wanted` (the last one, as json.loads keeps), read with positions."""
        found: Entry | None = None
        members, _ = self.json.members(self.json.skip(0))
        for member in members:
            if member.key == wanted:
                found = Entry(member.key, self.span(member.key_start, member.key_end), self.node(member.value_start))
        return found

    def node(self, start: int) -> Node:
        """The value at `start`. Loops, not comprehensions: one frame per level of nesting, so
        the section nests as deep as before the recursion limit is reached."""
        opener = self.json.text[start]
        if opener == "{":
            members, end = self.json.members(start)
            entries = []
            for m in members:
                entries.append(Entry(m.key, self.span(m.key_start, m.key_end), self.node(m.value_start)))
            return Mapping(tuple(entries), self.span(start, end))
        if opener == "[":
            items, end = self.json.items(start)
            nodes = []
            for item_start, _ in items:
                nodes.append(self.node(item_start))
            return Sequence(tuple(nodes), self.span(start, end))
        value, end = self.json.value(start)
        return Scalar(value, self.json.text[start:end], self.span(start, end))
