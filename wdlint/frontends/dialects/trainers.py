"""Trainers that build the optimizer themselves from a few top-level keys of their config:
Hugging Face `TrainingArguments`, ultralytics, gpt-neox and detectron2 (knowledge/frameworks.py
HF_TRAINER, ULTRALYTICS, GPT_NEOX, DETECTRON2). The first three group biases and norms out of
decay themselves; detectron2 decays them unless WEIGHT_DECAY_NORM / WEIGHT_DECAY_BIAS say not.

Each is told by keys only it has (`output_dir` with `optim`, `lr0`, `pipe_parallel_size`,
`SOLVER.WEIGHT_DECAY_NORM`), and read at the top of the file only.
"""

from __future__ import annotations

from collections.abc import Iterator

from wdlint.analysis.sites import OptimizerSite
from wdlint.diagnostics import Span
from wdlint.frontends.config_sites import Entry, Mapping, Node, Scalar, value_of, with_key
from wdlint.frontends.dialects.common import Claimed, entry_span, named_site, top_mapping
from wdlint.knowledge.frameworks import (
    DETECTRON2,
    DETECTRON2_BIAS_KEY,
    DETECTRON2_NORM_KEY,
    DETECTRON2_SECTION,
    GPT_NEOX,
    GPT_NEOX_KEYS,
    HF_TRAINER,
    HF_TRAINER_KEYS,
    HF_TRAINER_NAME_KEY,
    ULTRALYTICS,
    ULTRALYTICS_KEYS,
)


def sites(root: Node, claimed: Claimed) -> Iterator[OptimizerSite]:
    top = top_mapping(root)
    if top is None or id(top) in claimed:
        return
    keys = {entry.key for entry in top.entries}
    for read in (_hf_trainer, _ultralytics, _gpt_neox, _detectron2):
        site = read(top, keys, claimed)
        if site is not None:
            yield site
            return


def _hf_trainer(top: Mapping, keys: set[str], claimed: Claimed) -> OptimizerSite | None:
    """`TrainingArguments` as YAML/JSON: `optim` and `weight_decay` (default 0.0)."""
    entry = top.entry(HF_TRAINER_NAME_KEY)
    if entry is None or not keys & HF_TRAINER_KEYS or not isinstance(entry.value, Scalar):
        return None
    return _claim(named_site(HF_TRAINER, entry.value, span=_span(entry, top), options=top), top, entry, claimed)


def _ultralytics(top: Mapping, keys: set[str], claimed: Claimed) -> OptimizerSite | None:
    """`optimizer: Adam` beside `lr0`, `weight_decay` (default 0.0005); `auto` is not known."""
    entry = top.entry("optimizer")
    if entry is None or not keys & ULTRALYTICS_KEYS or not isinstance(entry.value, Scalar):
        return None
    site = named_site(ULTRALYTICS, entry.value, span=_span(entry, top), options=top)
    # `optimizer: auto` is not read any other way either
    claimed.update((id(top), id(entry.value)))
    return site


def _gpt_neox(top: Mapping, keys: set[str], claimed: Claimed) -> OptimizerSite | None:
    """`optimizer: {type: Adam, params: {...}}` with the top-level `weight_decay` (default 0.01)."""
    entry = top.entry("optimizer")
    section = entry.value if entry is not None else None
    if entry is None or not isinstance(section, Mapping) or not keys & GPT_NEOX_KEYS:
        return None
    kind = section.get("type")
    if not isinstance(kind, Scalar):
        return None
    params = section.get("params")
    options = [*(params.entries if isinstance(params, Mapping) else ()), *_entries(top, GPT_NEOX.decay_key)]
    merged = Mapping(tuple(options), section.span)
    return _claim(named_site(GPT_NEOX, kind, span=_span(entry, top), options=merged), section, entry, claimed)


def _detectron2(top: Mapping, keys: set[str], claimed: Claimed) -> OptimizerSite | None:
    """SGD over every parameter when the file makes norms decay (WEIGHT_DECAY_NORM, default 0)
    and leaves biases decayed (WEIGHT_DECAY_BIAS, default WEIGHT_DECAY); otherwise nothing."""
    entry = top.entry(DETECTRON2_SECTION)
    solver = entry.value if entry is not None else None
    if entry is None or entry.key_span is None or not isinstance(solver, Mapping):
        return None
    norm, bias = solver.get(DETECTRON2_NORM_KEY), solver.get(DETECTRON2_BIAS_KEY)
    if norm is None or not value_of(norm).may_decay or (bias is not None and not value_of(bias).may_decay):
        return None
    name = Scalar("SGD", DETECTRON2_SECTION, entry.key_span)
    site = named_site(DETECTRON2, name, span=_span(entry, top), options=solver, every=True)
    return _claim(site, solver, entry, claimed)


def _entries(mapping: Mapping, key: str) -> tuple[Entry, ...]:
    entry = mapping.entry(key)
    return (entry,) if entry is not None else ()


def _span(entry: Entry, top: Mapping) -> Span:
    span = entry_span(entry)
    assert top.span is not None
    return span if span is not None else with_key(top.span, None)


def _claim(site: OptimizerSite | None, node: Node, entry: Entry, claimed: Claimed) -> OptimizerSite | None:
    if site is not None:
        claimed.update((id(node), id(entry.value)))
    return site



