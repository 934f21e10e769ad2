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
from wdlint.frontends.config_sites import Mapping, Node, Scalar, walk_mappings, with_key
from wdlint.frontends.dialects.common import Claimed, named_site
from wdlint.knowledge.frameworks import (
    ASTEROID,
    ASTEROID_NAME_KEY,
    ASTEROID_SECTION,
    GENERIC,
    GENERIC_NAME_KEYS,
    NEMO,
    NEMO_NAME_KEY,
    NEMO_OWN_GROUPS_KEYS,
    NEMO_SECTION,
)

# keys of a mapping that another reading owns (Hydra, torchtune, jsonargparse)
_INSTANTIATED = ("_target_", "_component_", "class_path")


def sections(root: Node, claimed: Claimed) -> Iterator[OptimizerSite]:
    """asteroid's and NeMo's `optim:` sections."""
    for parent, _ in walk_mappings(root):
        entry = parent.entry(ASTEROID_SECTION)
        optim = entry.value if entry is not None else None
        if entry is None or not isinstance(optim, Mapping) or optim.span is None or id(optim) in claimed:
            continue
        span = with_key(optim.span, entry)
        site = None
        nemo_name, asteroid_name = optim.get(NEMO_NAME_KEY), optim.get(ASTEROID_NAME_KEY)
        if isinstance(nemo_name, Scalar) and NEMO_SECTION == entry.key:
            params = optim.get("params")  # NeMo's older layout: the options under `params`
            options = params if isinstance(params, Mapping) else optim
            grouped = any(parent.get(key) is not None for key in NEMO_OWN_GROUPS_KEYS)
            site = named_site(NEMO, nemo_name, span=span, options=options, every=not grouped, grouped=grouped)
        elif isinstance(asteroid_name, Scalar):
            site = named_site(ASTEROID, asteroid_name, span=span, options=optim)
        if site is not None:
            claimed.update((id(optim), id(nemo_name), id(asteroid_name)))
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
