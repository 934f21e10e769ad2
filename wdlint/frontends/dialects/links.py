"""Configs linked to the code that consumes their optimizer.

Which params reach a config's optimizer is decided by the code that reads the config, often in
another file. A diagnostic belongs to the file it points at and each file is linted on its own,
so the link is found while linting the config, from the config:

- the config names the code: a Hydra `_target_: src.models.mnist_module.MNISTLitModule` beside
  an `optimizer: {_target_: torch.optim.Adam, _partial_: true}` (lightning-hydra-template). The
  module is looked for from the config's directory up (bounded), parsed through `Project`, and
  the class's methods that call the partial are read (`analysis/consumers.py`);
- the code names the config: `deepspeed.initialize(model_parameters=..., config="ds_config.json")`,
  `@hydra.main(config_name="train")` with `instantiate(cfg.optimizer, params)`,
  `create_optimizer(model.parameters(), cfg.optim)` over `yaml.safe_load(open("train.yaml"))`.
  The Python files of the config's project (its root: the nearest directory up with a
  `pyproject.toml`, `setup.py` or `.git`) are scanned once per process and root, bounded in
  depth, count and size; only those that mention the config's name and a consumer's marker are
  parsed and their calls read (the scan is `analysis/project_scan.py`'s, shared with the
  callers of a helper in other files).

Every module parsed, every directory scanned (a file added, removed or replaced changes it) and
every scanned file that holds a consumer's marker is recorded as a dependency of the config's
result (`frontends/dependencies.py`), also when the scan is served from the memo. Files without
a marker are not: a file cannot consume a config without one, and recording all of them for
every linked config made NeMo's cache 19 times larger. A consumer that passes every param makes the site's params FLAT, reported
(WD201) at the config's optimizer key and naming the consuming code; param groups, a selection,
or no consumer found leave the params unknown, as before.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from wdlint.analysis import project_scan
from wdlint.analysis.project_scan import project_root
from wdlint.analysis.sites import OptimizerSite, ParamSource, SourceKind
from wdlint.diagnostics import Span
from wdlint.frontends.config_sites import Mapping, Node, resolve_class, walk_mappings, with_key
from wdlint.frontends.dependencies import note_absent, note_stamps
from wdlint.knowledge.frameworks import PARAMS_UNKNOWN_NOTE
from wdlint.knowledge.optimizers import KNOWN_ROOTS
from wdlint.records import Record

TYPE_CHECKING = False  # `typing` is for type checkers: the hook never imports it (docs/architecture.md)

if TYPE_CHECKING:  # the analysis is imported only when a link is looked for
    from wdlint.analysis.consumers import ConfigName
    from wdlint.analysis.project import Project

_MAX_UP = project_scan.MAX_UP  # how far up from the config a module is looked for
_MAX_CONSUMERS = 20  # files that mention a config, parsed per config


class LinkRequest(Record):
    """An optimizer of a config whose params the consuming code decides."""

    span: Span  # the site's span: which site
    key: str  # the key that holds the optimizer (`optimizer`, `optim`)
    owner: str | None  # the `_target_` class of the mapping holding that key (Hydra)


def requests(root: Node, sites: Sequence[OptimizerSite]) -> tuple[LinkRequest, ...]:
    """The sites of one document worth linking: params unknown, a decay that may apply."""
    wanted = {site.span for site in sites if _linkable(site)}
    if not wanted:
        return ()
    found = []
    for mapping, _ in walk_mappings(root):
        for entry in mapping.entries:
            value = entry.value
            if isinstance(value, Mapping) and value.span is not None and with_key(value.span, entry) in wanted:
                found.append(LinkRequest(with_key(value.span, entry), entry.key, _owner(mapping)))
    return tuple(found)


def _linkable(site: OptimizerSite) -> bool:
    spec = site.spec
    return (
        site.params.kind is SourceKind.UNKNOWN
        # not where a framework's convention says it groups them itself (NeMo's own groups)
        and site.params.expr in ("", PARAMS_UNKNOWN_NOTE)
        and spec.takes_weight_decay
        and not spec.matrix_only
        and site.weight_decay.may_decay  # without decay, which params it gets changes nothing
    )


def _owner(mapping: Mapping) -> str | None:
    target = mapping.string("_target_")
    if target is None or "." not in target or resolve_class(target, short_names=False) is not None:
        return None
    return target if target.partition(".")[0] not in KNOWN_ROOTS else None


def linked(
    sites: tuple[OptimizerSite, ...], links: tuple[LinkRequest, ...], path: Path | None
) -> tuple[OptimizerSite, ...]:
    """The sites, with the params the consuming code passes where a link is found."""
    if not links or path is None:
        return sites
    from wdlint.analysis.project import Project

    project = Project()
    path = Path(os.path.abspath(path))  # a relative path walks up past the working directory
    by_span = {link.span: link for link in links}
    result = []
    for site in sites:
        link = by_span.get(site.span)
        try:
            params = _linked_params(project, path, site, link) if link is not None else None
        except RecursionError:  # a consumer nested too deeply to read: params stay unknown
            params = None
        result.append(site._replace(params=params) if params is not None else site)
    return tuple(result)


def _linked_params(project: Project, path: Path, site: OptimizerSite, link: LinkRequest) -> ParamSource | None:
    from wdlint.analysis.consumers import ConfigName, Consumed, config_calls, partial_calls
    consumed: list[tuple[Path, Consumed]] = []
    root = path.parent
    if link.owner is not None:
        module_name, _, class_name = link.owner.rpartition(".")
        found = _find_module(path, module_name)
        if found is not None:
            root, module = found
            consumed += [(module, c) for c in partial_calls(project, module, class_name, link.key, site.span)]
    if not consumed:
        root = project_root(path)
        stem = path.stem if path.suffix.lower() in (".yaml", ".yml") else None
        name = ConfigName(path.name, stem)
        for module in _mentioning(root, name)[:_MAX_CONSUMERS]:
            consumed += [(module, c) for c in config_calls(project, module, name, link.key, site.span)]
    every = next(((module, c) for module, c in consumed if c.params.kind is SourceKind.FLAT), None)
    if every is None:
        return None
    module, consumer = every
    where = os.path.relpath(module, root).replace(os.sep, "/")
    remedy = (
        f"`{consumer.call}` at {where}:{consumer.line} builds this optimizer over them "
        f"({consumer.convention.name}); {consumer.convention.remedy}"
    )
    return ParamSource(SourceKind.FLAT, site.span, consumer.params.expr, remedy=remedy)


def _find_module(config: Path, module_name: str) -> tuple[Path, Path] | None:
    """(the directory it is found from, the file) of a dotted module, from the config's
    directory up."""
    parts = module_name.split(".")
    if not all(part.isidentifier() for part in parts):
        return None
    for base in [config.parent, *list(config.parent.parents)[:_MAX_UP]]:
        stem = base.joinpath(*parts)
        for candidate in (stem.with_suffix(".py"), stem / "__init__.py"):
            if candidate.is_file():
                return base, candidate
            note_absent(candidate)  # created later, it would be the module found
    return None


def _mentioning(root: Path, name: ConfigName) -> list[Path]:
    """The project's Python files that may consume the config `name` names."""
    scan = project_scan.scan(root)
    note_stamps(scan.directories)
    consumers = scan.consumers()
    note_stamps(tuple(f.stamp for f in consumers))
    return [f.path for f in consumers if any(name.named_by(n) for n in f.config_names)]

