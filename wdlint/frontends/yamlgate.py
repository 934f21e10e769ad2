"""When libyaml may compose a YAML text in place of PyYAML's pure-Python loader.

The pure loader (`yaml.SafeLoader`) is the one OmegaConf and jsonargparse read configs with, so
its reading is the reference; libyaml's (`yaml.CSafeLoader`) is about 15x faster but disagrees
with it on a few constructs, found by composing generated and real texts with both and comparing
the node trees (kinds, tags, values, start and end offsets, which nodes are shared) and whether
each raises (`tests/frontends/test_yamlgate.py`, `bench/yaml_gate.py`). Where libyaml accepts a
text and the pure loader refuses it, or reads it otherwise:

- a tab anywhere (libyaml takes one after a plain scalar, in a flow collection, after `---`);
- a byte order mark (the pure loader counts a leading one in every offset; libyaml skips it);
- a tag not of the plain forms `!name` / `!!name` followed by a blank: a lone `!` (libyaml
  reads an empty scalar under it as a string, the pure loader as null), a tag handle the pure
  loader refuses (`!.!x`), a tag holding a flow indicator (`!x]`);
- `?` inside a flow collection (the pure loader reads every `?` there as a key indicator, even
  inside `a?b`), and `?` as a key indicator anywhere (`[? ]` places the empty key elsewhere);
- an empty value after `:` in a flow mapping (`{a: }`: each loader places the null elsewhere);
- a block scalar header followed by `#` with no blank between (`|#`, which only libyaml takes).

A `!` in a comment (`# Important ! Set ...`, in NeMo's and SpeechBrain's configs) is none of
these: where every `!` the scan finds follows a `#` on its line, after a blank or at the line's
start, libyaml composes the text and it is kept if none of those `#` lies inside a scalar as
libyaml composed it (a quoted string, a block scalar): outside every scalar, a `#` after a
blank starts a comment, which runs to the line's end for both loaders.

`compose(text)` scans the text once for all but the `?` in a flow collection; when none is
found (but in comments), libyaml composes it, and a text holding a `?` is then kept only where
no `?` lies inside a flow collection's span as libyaml composed it (Hydra's and NeMo's `???` stand in block
mappings of files that write flow lists elsewhere). Up to a first disagreement both loaders
read the same tokens, so a `?` that one of them reads inside a flow collection lies inside
libyaml's span of it. Where libyaml raises, the caller reads the text again with the pure
loader, so errors and their positions stay the pure loader's. libyaml counts offsets in
characters, as the pure loader does; its line and column differ only for a mark at the very
end of a text without a final line break, which nothing here reads.
"""

from __future__ import annotations

import bisect
import re

import yaml

_LINE_BREAK = "\r\n\x85\u2028\u2029"
# every branch starts with its character (what precedes it is looked behind for after), so
# that the scan skips to the next candidate character instead of trying each branch everywhere
_DIVERGES = re.compile(
    r"[\t\ufeff]"
    # a `!` that may start a tag (any not inside a word: after a blank, an indicator, a quote
    # closing a JSON-like key, `{'a':!t x}`) and is not `!name` or `!!name` then a blank
    r"|!(?<![0-9A-Za-z]!)(?!!?[0-9A-Za-z_.:/-]+(?:[ \r\n]|\Z))"
    r"|[|>][-+0-9]*#"
    # `:` then only blanks and whole comments, then the end of a flow collection or entry
    rf"|:(?:\s|#[^{_LINE_BREAK}]*[{_LINE_BREAK}])*[,\]}}]"
    # `?` then a blank or the end, at the start or after a blank or an indicator: a key indicator
    r"|\?(?<![^\s\[{,:]\?)(?:\s|\Z)",
)


_HASH_AFTER_BLANK = re.compile(r"[ \t]#")


def compose(text: str) -> list[yaml.Node] | None:
    """The documents as libyaml composes them, where that is exactly the pure loader's reading;
    None where it may not be, where libyaml refuses the text, or without libyaml."""
    if not yaml.__with_libyaml__:
        return None
    comments: list[int] = []  # where the comments start that hold a `!`
    for match in _DIVERGES.finditer(text):
        comment = _comment_start(text, match.start()) if text.startswith("!", match.start()) else None
        if comment is None:
            return None
        comments.append(comment)
    try:
        documents = list(yaml.compose_all(text, Loader=yaml.CSafeLoader))
    # whatever libyaml refuses, the pure loader reads again and reports in its own words
    except Exception:  # noqa: BLE001
        return None
    if comments and _inside(comments, _spans(documents, scalars=True)):
        return None
    if "?" in text and ("[" in text or "{" in text):
        # a `?` inside a flow collection (its whole text, from tag or anchor to the closing
        # bracket, comments included)
        if _inside([match.start() for match in re.finditer(r"\?", text)], _spans(documents, scalars=False)):
            return None
    return documents


def _comment_start(text: str, offset: int) -> int | None:
    """The offset of the first `#` before `offset` on its line that follows a blank or starts
    the line: where a comment holding `offset` starts, unless that `#` is inside a scalar."""
    start = max(text.rfind(line_break, 0, offset) for line_break in _LINE_BREAK) + 1
    if text.startswith("#", start):
        return start
    found = _HASH_AFTER_BLANK.search(text, start, offset)
    return None if found is None else found.start() + 1


def _spans(documents: list[yaml.Node], *, scalars: bool) -> list[tuple[int, int]]:
    """The (start, end) offsets of every scalar (tag and anchor included), or else of every
    outermost flow collection: spans that do not nest."""
    spans: list[tuple[int, int]] = []
    seen: set[int] = set()
    stack = list(documents)
    while stack:
        node = stack.pop()
        if id(node) in seen:  # an alias, or a cycle through one
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            if scalars:
                spans.append((node.start_mark.index, node.end_mark.index))
        elif not scalars and isinstance(node, yaml.CollectionNode) and node.flow_style:
            spans.append((node.start_mark.index, node.end_mark.index))  # what it holds is inside
        elif isinstance(node, yaml.SequenceNode):
            stack += node.value
        elif isinstance(node, yaml.MappingNode):
            stack += (part for entry in node.value for part in entry)
    return spans


def _inside(offsets: list[int], spans: list[tuple[int, int]]) -> bool:
    """Whether one of the offsets lies inside one of the spans (which do not nest)."""
    spans = sorted(spans)
    starts = [start for start, _ in spans]
    for offset in offsets:
        index = bisect.bisect_right(starts, offset) - 1
        if index >= 0 and offset < spans[index][1]:
            return True
    return False
