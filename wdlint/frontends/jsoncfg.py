"""DeepSpeed JSON configs: `"optimizer": {"type": ..., "params": {...}}` at the top level.

Any other JSON (package.json, tokenizer files, data) costs one `json.loads` at C speed and
nothing more. Positions come from a second pass over the (then known valid) text that reads
only the "optimizer" section itself and skips every other top-level value with
`JSONDecoder.raw_decode`, so a large config costs little more than the load.
"""

from __future__ import annotations

import json
import re

from wdlint.analysis.sites import Key, OptimizerSite, Value
from wdlint.diagnostics import Position, Span
from wdlint.frontends.config_sites import Entry, Mapping, Node, Scalar, Sequence, config_site, with_key
from wdlint.frontends.python import SourceError, line_starts, load_json, position_at
from wdlint.knowledge.optimizers import (
    DEEPSPEED_DECOUPLED_TYPES,
    DEEPSPEED_OPTIMIZER_TYPES,
    DEEPSPEED_PARAMS_KEYS,
    DEEPSPEED_SECTION_KEYS,
    GROUP_KEY_ALIASES,
    OptimizerSpec,
    lookup,
)

_WHITESPACE = re.compile(r"[ \t\n\r]*")


def parse_deepspeed(text: str) -> tuple[OptimizerSite, ...]:
    """The optimizer of a DeepSpeed config; nothing for other JSON; SourceError for bad JSON."""
    data = load_json(text)
    section = data.get("optimizer") if isinstance(data, dict) else None
    if not isinstance(section, dict) or "type" not in section:
        return ()
    try:
        entry = _Reader(text).top_level_entry("optimizer")
    except RecursionError:
        raise SourceError("invalid JSON: the optimizer section is nested too deeply") from None
    site = _site(entry) if entry is not None else None
    return (site,) if site is not None else ()


def _site(entry: Entry) -> OptimizerSite | None:
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
    """Positions in JSON text that `json.loads` has accepted."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.decoder = json.JSONDecoder()
        self.line_starts = line_starts(text)

    def position(self, offset: int) -> Position:
        return position_at(self.line_starts, offset)

    def span(self, start: int, end: int) -> Span:
        return Span(self.position(start), self.position(end))

    def skip(self, offset: int) -> int:
        match = _WHITESPACE.match(self.text, offset)
        return match.end() if match is not None else offset

    def top_level_entry(self, wanted: str) -> Entry | None:
        """The top-level member `wanted` (the last one, as json.loads keeps), read with positions."""
        found: Entry | None = None
        offset = self.skip(self.skip(0) + 1)  # past the `{`
        while self.text[offset] != "}":
            key, key_end = self.decoder.raw_decode(self.text, offset)
            value_start = self.skip(self.skip(key_end) + 1)  # past the `:`
            if key == wanted:
                value, end = self.node(value_start)
                found = Entry(key, self.span(offset, key_end), value)
            else:
                _, end = self.decoder.raw_decode(self.text, value_start)
            offset = self.skip(end)
            if self.text[offset] == ",":
                offset = self.skip(offset + 1)
        return found

    def node(self, start: int) -> tuple[Node, int]:
        """The value at `start` and the offset after it."""
        opener = self.text[start]
        if opener not in "{[":
            value, end = self.decoder.raw_decode(self.text, start)
            return Scalar(value, self.text[start:end], self.span(start, end)), end
        closer = "}" if opener == "{" else "]"
        entries: list[Entry] = []
        items: list[Node] = []
        offset = self.skip(start + 1)
        while self.text[offset] != closer:
            if opener == "{":
                key, key_end = self.decoder.raw_decode(self.text, offset)
                value, end = self.node(self.skip(self.skip(key_end) + 1))
                entries.append(Entry(key, self.span(offset, key_end), value))
            else:
                item, end = self.node(offset)
                items.append(item)
            offset = self.skip(end)
            if self.text[offset] == ",":
                offset = self.skip(offset + 1)
        span = self.span(start, offset + 1)
        if opener == "{":
            return Mapping(tuple(entries), span), offset + 1
        return Sequence(tuple(items), span), offset + 1
