"""Optimizers named by a registry name beside their options: asteroid's and NeMo's `optim:`
sections, and any other mapping that names a known optimizer under a name key beside a
weight_decay (knowledge/frameworks.py ASTEROID, NEMO, GENERIC).

    optim: {optimizer: adam, lr: 0.001, weight_decay: 1e-5}      # asteroid conf.yml
    model: {optim: {name: adamw, lr: 2e-4, weight_decay: 1e-3}}  # NeMo
    {"optimizer": "adam", "weight_decay": 1e-5}                   # anything else: params unknown

A generic mapping is an optimizer only with a weight_decay key: `name: adam` alone may be
anything (a run's name, a data set), and without decay there is nothing to report.
"""

from __future__ import annotations

from collections.abc import Iterator

from wdlint.analysis.sites import OptimizerSite
from wdlint.frontends.config_sites import Entry, Mapping, Node, Scalar, walk_mappings, with_key
from wdlint.frontends.dialects.common import Claimed, named_site, top_mapping
from wdlint.knowledge.frameworks import (
    ASTEROID,
    ASTEROID_NAME_KEY,
    ASTEROID_SECTION,
    ASTEROID_SIBLING,
    GENERIC,
    GENERIC_NAME_KEYS,
    NEMO,
    NEMO_NAME_KEY,
    NEMO_OWN_GROUPS_KEYS,
    NEMO_PARENT,
    NEMO_SECTION,
)

# keys of a mapping that another reading owns (Hydra, torchtune, jsonargparse)
_INSTANTIATED = ("_target_", "_component_", "class_path")


def sections(root: Node, claimed: Claimed) -> Iterator[OptimizerSite]:
    """asteroid's top-level `optim:` beside `training:`, NeMo's `model.optim:`; an `optim:`
    anywhere else is left to the generic reading (params unknown)."""
    top = top_mapping(root)
    if top is None:
        return
    model = top.get(NEMO_PARENT)
    if isinstance(model, Mapping):
        entry = model.entry(NEMO_SECTION)
        name = _named(entry, NEMO_NAME_KEY, claimed)
        if entry is not None and name is not None:
            optim = entry.value
            assert isinstance(optim, Mapping) and optim.span is not None
            params = optim.get("params")  # NeMo's older layout: the options under `params`
            options = params if isinstance(params, Mapping) else optim
            grouped = any(model.get(key) is not None for key in NEMO_OWN_GROUPS_KEYS)
            site = named_site(
                NEMO, name, span=with_key(optim.span, entry), options=options, every=not grouped, grouped=grouped
            )
            yield from _claim(site, optim, name, claimed)
    entry = top.entry(ASTEROID_SECTION)
    name = _named(entry, ASTEROID_NAME_KEY, claimed)
    if entry is not None and name is not None and top.get(ASTEROID_SIBLING) is not None:
        optim = entry.value
        assert isinstance(optim, Mapping) and optim.span is not None
        site = named_site(ASTEROID, name, span=with_key(optim.span, entry), options=optim)
        yield from _claim(site, optim, name, claimed)


def _named(entry: Entry | None, key: str, claimed: Claimed) -> Scalar | None:
    """The name under `key` in the section `entry` holds, if it is a mapping not yet read."""
    section = entry.value if entry is not None else None
    if not isinstance(section, Mapping) or section.span is None or id(section) in claimed:
        return None
    name = section.get(key)
    return name if isinstance(name, Scalar) else None


def _claim(site: OptimizerSite | None, section: Mapping, name: Scalar, claimed: Claimed) -> Iterator[OptimizerSite]:
    # the section is the framework's even when its registry lacks the name (NeMo's RadTTS builds
    # its own decoupled `RAdam`, asteroid resolves torch_optimizer's): the class is unknown, never
    # the generic reading's torch class of that name
    claimed.update((id(section), id(name)))
    if site is not None:
        yield site


def generic(root: Node, claimed: Claimed) -> Iterator[OptimizerSite]:
    """Any other mapping naming a known optimizer beside a weight_decay."""
    for mapping, holder in walk_mappings(root):
        if mapping.span is None or id(mapping) in claimed or mapping.get(GENERIC.decay_key) is None:
            continue
        if mapping.tag is not None or any(mapping.get(key) is not None for key in _INSTANTIATED):
            continue
        for key in GENERIC_NAME_KEYS:
            name = mapping.get(key)
            if not isinstance(name, Scalar) or id(name) in claimed:
                continue
            site = named_site(GENERIC, name, span=with_key(mapping.span, holder), options=mapping)
            if site is not None:
                claimed.update((id(mapping), id(name)))
                yield site
                break
