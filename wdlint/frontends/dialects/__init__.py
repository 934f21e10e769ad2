"""Config dialects: how a framework's config file names an optimizer, and which params the
framework gives it. One module per family of conventions; what each framework does is data in
`wdlint/knowledge/frameworks.py`. The YAML and JSON front-ends read a file into the config tree
(`config_sites`) and hand it here.

Framework conventions read first and claim what they read; the generic readings (Hydra,
torchtune and jsonargparse class paths in `yamlcfg`, then any mapping naming an optimizer
beside a weight_decay) see only what no convention claimed, so nothing is reported twice.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator

from wdlint.analysis.sites import OptimizerSite
from wdlint.frontends.config_sites import Node
from wdlint.frontends.dialects import cli, hyperpyyaml, registries, trainers
from wdlint.frontends.dialects.common import Claimed

__all__ = ["Claimed", "convention_sites", "generic_sites"]


def convention_sites(root: Node, claimed: Claimed, tags: Collection[str] = ()) -> Iterator[OptimizerSite]:
    """The optimizers a framework's convention builds from this document; `tags`: the
    application's tags its reader met (YAML's `!new:...`; JSON has none)."""
    yield from hyperpyyaml.sites(root, claimed, tags)
    yield from trainers.sites(root, claimed)
    yield from cli.sites(root, claimed)
    yield from registries.sections(root, claimed)


def generic_sites(root: Node, claimed: Claimed) -> Iterator[OptimizerSite]:
    """Mappings that name a known optimizer beside a weight_decay, no convention telling more."""
    yield from registries.generic(root, claimed)
