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
  parsed and their calls read.

Every module parsed, every directory scanned (a file added, removed or replaced changes it) and
every scanned file that holds a consumer's marker is recorded as a dependency of the config's
result (`frontends/dependencies.py`), also when the scan is served from the memo. Files without
a marker are not: a file cannot consume a config without one, and recording all of them for
every linked config made NeMo's cache 19 times larger. A consumer that passes every param makes the site's params FLAT, reported
(WD201) at the config's optimizer key and naming the consuming code; param groups, a selection,
or no consumer found leave the params unknown, as before.
"""

from __future__ import annotations

import collections
import dataclasses
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from wdlint.analysis.sites import OptimizerSite, ParamSource, SourceKind
from wdlint.diagnostics import Span
from wdlint.frontends.config_sites import Mapping, Node, resolve_class, walk_mappings, with_key
from wdlint.frontends.dependencies import Stamp, note_absent, note_stamps
from wdlint.knowledge.consumers import CONSUMER_MARKERS, PROJECT_MARKERS
from wdlint.knowledge.frameworks import PARAMS_UNKNOWN_NOTE
from wdlint.knowledge.optimizers import KNOWN_ROOTS

if TYPE_CHECKING:  # the analysis is imported only when a link is looked for
    from wdlint.analysis.consumers import ConfigName
    from wdlint.analysis.project import Project

_MAX_UP = 6  # how far up from the config a module or the project root is looked for
_MAX_DEPTH = 6  # how deep below the root the scan goes
_MAX_FILES = 3000  # Python files scanned per root
_MAX_BYTES = 2_000_000  # a larger file is no training script
_MAX_CONSUMERS = 20  # files that mention a config, parsed per config
_SKIPPED_DIRS = frozenset({"node_modules", "__pycache__", "site-packages", "venv", "build", "dist"})
_CONFIG_DIRS = frozenset({"config", "configs", "conf", "cfg"})  # a config's folder beside the code


@dataclass(frozen=True)
class LinkRequest:
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
        result.append(dataclasses.replace(site, params=params) if params is not None else site)
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


def project_root(config: Path) -> Path:
    """The nearest directory up from the config that holds a project marker; else the config's
    directory (its parent when that is a `configs/` folder beside the code)."""
    for base in [config.parent, *list(config.parent.parents)[:_MAX_UP]]:
        if any((base / marker).exists() for marker in PROJECT_MARKERS):
            return base
    return config.parent.parent if config.parent.name.lower() in _CONFIG_DIRS else config.parent


@dataclass(frozen=True)
class _Scan:
    # files that mention a consumer's marker, with the config names they write
    candidates: tuple[tuple[Path, frozenset[str]], ...]
    stamps: tuple[Stamp, ...]  # of every directory listed and every file that may consume


_SCANS: dict[Path, _Scan] = {}  # per process, by project root: one scan serves every config


def _mentioning(root: Path, name: ConfigName) -> list[Path]:
    """The project's Python files that may consume the config `name` names."""
    scan = _SCANS.get(root)
    if scan is None:
        scan = _SCANS[root] = _scan(root)
    note_stamps(scan.stamps)
    return [path for path, names in scan.candidates if any(name.named_by(n) for n in names)]


# a quoted config file name (its basename is kept), and Hydra's `config_name="train"`
_CONFIG_FILE = re.compile(rb"""["']([^"'\r\n]{0,200}\.(?:json|ya?ml))["']""", re.IGNORECASE)
_CONFIG_NAME = re.compile(rb"""config_name\s*=\s*["']([^"'\r\n]{1,200})["']""")


def _config_names(data: bytes) -> frozenset[str]:
    found = {m.group(1) for m in _CONFIG_FILE.finditer(data)} | {m.group(1) for m in _CONFIG_NAME.finditer(data)}
    return frozenset(os.path.basename(n.decode(errors="replace").replace("\\", "/")) for n in found)


def _scan(root: Path) -> _Scan:
    candidates: list[tuple[Path, frozenset[str]]] = []
    stamps: list[Stamp] = []
    pending = collections.deque([(root, 0)])  # breadth first: the files nearest the root first
    files = 0
    while pending and files < _MAX_FILES:
        directory, depth = pending.popleft()
        try:
            status = os.stat(directory)
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError:
            continue
        stamps.append((os.path.abspath(directory), status.st_size, status.st_mtime_ns))
        for entry in entries:
            if entry.name.startswith(".") or entry.name in _SKIPPED_DIRS:
                continue
            try:
                if entry.is_dir(follow_symlinks=False):
                    if depth < _MAX_DEPTH:
                        pending.append((Path(entry.path), depth + 1))
                    continue
                if not entry.name.endswith(".py") or not entry.is_file():
                    continue
                status = entry.stat()
                if status.st_size > _MAX_BYTES:
                    continue
                data = Path(entry.path).read_bytes()
            except OSError:
                continue
            files += 1
            if any(marker in data for marker in CONSUMER_MARKERS):
                # a file without a marker holds no consumer: a write that gives it one and
                # does not replace the file (which changes its directory) goes unseen
                stamps.append((os.path.abspath(entry.path), status.st_size, status.st_mtime_ns))
                names = _config_names(data)
                if names:
                    candidates.append((Path(entry.path), names))
            if files >= _MAX_FILES:
                break
    return _Scan(tuple(candidates), tuple(stamps))


def clear_scans() -> None:
    """Forget the scans of this process (for a caller that lints again after files changed)."""
    _SCANS.clear()
