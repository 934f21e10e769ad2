"""jsonargparse configs whose top-level `optimizer:` the framework builds over every parameter:
LightningCLI's automatic `configure_optimizers` and LitGPT's `pretrain` / `finetune`
(knowledge/frameworks.py LIGHTNING_CLI, LITGPT).

The optimizer is a class (`optimizer: AdamW`, a bare name looked up in torch.optim, or a full
path) or `{class_path: ..., init_args: {...}}`. Which framework reads the file is told by its
other top-level keys (`trainer:`/`model:`/`data:` for LightningCLI, `checkpoint_dir:`/`out_dir:`
for LitGPT); a file that tells neither is left to the generic reading (params unknown).
"""

from __future__ import annotations

from collections.abc import Iterator

from wdlint.analysis.sites import OptimizerSite
from wdlint.frontends.config_sites import Mapping, Node, Scalar
from wdlint.frontends.dialects.common import Claimed, entry_span, named_site, top_mapping
from wdlint.knowledge.frameworks import (
    LIGHTNING_CLI,
    LIGHTNING_CLI_KEYS,
    LITGPT,
    LITGPT_FROZEN_PREFIX,
    LITGPT_KEYS,
    Convention,
)

_OPTIMIZER = "optimizer"
_SUBCOMMANDS = ("fit",)  # LightningCLI's config of one subcommand, given to the CLI as a whole


def sites(root: Node, claimed: Claimed) -> Iterator[OptimizerSite]:
    top = top_mapping(root)
    if top is None:
        return
    yield from _top_optimizer(top, claimed)
    for subcommand in _SUBCOMMANDS:  # `fit: {trainer: ..., optimizer: ...}`
        section = top.get(subcommand)
        if isinstance(section, Mapping) and section.span is not None:
            yield from _top_optimizer(section, claimed)


def _top_optimizer(top: Mapping, claimed: Claimed) -> Iterator[OptimizerSite]:
    entry = top.entry(_OPTIMIZER)
    if entry is None or id(entry.value) in claimed:
        return
    convention = _convention(top)
    span = entry_span(entry)
    if convention is None or span is None:
        return
    # LoRA trains only its low-rank matrices: the frozen biases and norms get no update at all
    every = not any(e.key.startswith(LITGPT_FROZEN_PREFIX) for e in top.entries) if convention is LITGPT else None
    value = entry.value
    site = None
    if isinstance(value, Scalar):
        site = named_site(convention, value, span=span, options=None, every=every)
    elif isinstance(value, Mapping):
        name = value.get("class_path")
        init_args = value.get("init_args")
        if isinstance(name, Scalar):
            options = init_args if isinstance(init_args, Mapping) else None
            site = named_site(convention, name, span=span, options=options, every=every)
    if site is not None:
        claimed.add(id(value))
        yield site


def _convention(top: Mapping) -> Convention | None:
    """LitGPT by its keys; LightningCLI by a `trainer:` section or a `model:`/`data:` class path
    (an ultralytics `model: yolo11n.pt` is not one)."""
    keys = {entry.key for entry in top.entries}
    if keys & LITGPT_KEYS:
        return LITGPT
    for key in LIGHTNING_CLI_KEYS:
        section = top.get(key)
        if isinstance(section, Mapping) and (key == "trainer" or section.get("class_path") is not None):
            return LIGHTNING_CLI
    return None
