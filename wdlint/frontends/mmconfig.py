"""mmengine / mmcv Python configs: `optim_wrapper = dict(optimizer=dict(type="AdamW", ...),
paramwise_cfg=dict(...))`, and mmcv 1.x's `optimizer = dict(type="SGD", ...)`.

A config is read, never executed: its module-level assignments become config nodes through
the same name and constant resolution the Python extraction uses, and `_base_` files found on
disk are merged underneath as mmengine merges them (the child's dicts key by key into the
base's, unless a dict says `_delete_=True`). Only what the file itself assigns is reported,
where it writes it; a base file is reported when it is linted itself.

mmengine's default constructor gives the optimizer every parameter of the model; biases and
norm weights get `weight_decay * bias_decay_mult` / `norm_decay_mult` (`flat_decay_mult` for
any 1-D param the others leave), so decay without those at zero decays them all (WD201); a
param matched by a `custom_keys` name gets that key's `decay_mult` instead (knowledge/
frameworks.py MMENGINE_NORM_KEYS: which names cover every norm or bias).
"""

from __future__ import annotations

import ast
import os
from collections.abc import Callable, Iterator
from pathlib import Path

from wdlint.analysis.env import MAX_DEPTH, Env
from wdlint.analysis.evaluate import constant, qualified_name
from wdlint.analysis.index import ModuleIndex
from wdlint.analysis.sites import OptimizerSite, ParamSource, SourceKind
from wdlint.analysis.syntax import expr_text, literal_pairs
from wdlint.diagnostics import Position, Span
from wdlint.frontends.config_sites import (
    UNKNOWN,
    Entry,
    Mapping,
    Node,
    Scalar,
    Sequence,
    config_site,
    number,
    with_key,
)
from wdlint.frontends.dependencies import Stamp, note_stamps, read_dependency, real_path, recording, unchanged
from wdlint.frontends.pyconfig import OPTIMIZER as _OPTIMIZER
from wdlint.frontends.pyconfig import VARIABLES as _VARIABLES
from wdlint.frontends.pyconfig import WRAPPER as _WRAPPER
from wdlint.frontends.python import PythonSource, decode_source, parse_python
from wdlint.frontends.text import SourceError
from wdlint.knowledge.frameworks import MMENGINE_BIAS_KEYS, MMENGINE_NORM_KEYS
from wdlint.knowledge.optimizers import MMENGINE_OPTIMIZER_TYPES, lookup
from wdlint.records import Record

_MODEL = "model"
_DEFAULT_CONSTRUCTORS = frozenset({"DefaultOptimWrapperConstructor", "DefaultOptimizerConstructor"})


def config_sites(source: PythonSource, path: Path, index: ModuleIndex) -> list[OptimizerSite]:
    """The optimizers that a config at `path` configures, as merged over its `_base_` files;
    `index` is the module's, from the one walk the Python extraction makes. Called through
    `pyconfig.config_sites`, for a module that assigns a config's optimizer."""
    config = _read_config(ConfigReader(source, index, local=True), path, seen=frozenset(), home=path)

    def model() -> Node | None:  # read only for a message that needs the model's modules
        reader = ConfigReader(source, index, local=True)
        return _read_config(reader, path, seen=frozenset(), home=path, names=(_MODEL,)).variables.get(_MODEL)

    wrapper = config.variables.get(_WRAPPER)
    if wrapper is not None and config.own.get(_WRAPPER) is not None:
        return list(_wrapper_sites(wrapper, _WRAPPER, None, config.hidden, model))
    optimizer = config.variables.get(_OPTIMIZER)
    if wrapper is None and isinstance(optimizer, Mapping) and config.own.get(_OPTIMIZER) is not None:
        paramwise = optimizer.get("paramwise_cfg")
        constructor = optimizer.string("constructor")
        site = _site(optimizer, None, None, _OPTIMIZER, paramwise, constructor, config.hidden, model)
        return [site] if site is not None else []
    return []


class _Config(Record):
    own: dict[str, Node]  # what the file itself assigns
    variables: dict[str, Node]  # merged over its bases
    hidden: str | None = None  # "_base_" when a base could not be read: options may hide there


def _read_config(
    reader: ConfigReader, path: Path, seen: frozenset[Path], home: Path, names: tuple[str, ...] = _VARIABLES
) -> _Config:
    """The variables `names` of the config, merged over its bases; `home` is the linted file:
    a base's values name their place relative to it."""
    own = {name: node for name in names if (node := reader.variable(name)) is not None}
    merged: dict[str, Node] = {}
    hidden = None
    for base in _base_paths(reader.variable("_base_")):
        base_config = _read_base(path.parent / base, seen | {path}, home, names) if "::" not in base else None
        if base_config is None:
            hidden = "_base_"
            continue
        merged.update(base_config.variables)
        hidden = hidden or base_config.hidden
    for name, node in own.items():
        merged[name] = _merge(node, merged.get(name))
    return _Config(own, merged, hidden)


def _read_base(path: Path, seen: frozenset[Path], home: Path, names: tuple[str, ...]) -> _Config | None:
    """A base config's merged variables; None when it cannot be read as a Python config."""
    if path.suffix != ".py" or len(seen) > MAX_DEPTH:
        return None
    resolved = real_path(path)
    if resolved in seen:
        return None
    # the reading names its places relative to the linted file's folder, as the child wrote them
    key = (resolved, len(seen), os.path.normpath(path), os.path.normpath(home.parent), names)
    known = _BASES.get(key)
    if known is not None and known.serves(seen):
        note_stamps(known.stamps)
        return known.config
    with recording() as reads:
        config = _parse_base(path, resolved, seen, home, names)
    note_stamps(tuple(reads))
    if config is not None and len(_BASES) < _MAX_BASES:
        read = _BaseRead(config, tuple(reads))
        if read.serves(seen):
            _BASES[key] = read
    return config


def _parse_base(
    path: Path, resolved: Path, seen: frozenset[Path], home: Path, names: tuple[str, ...]
) -> _Config | None:
    parsed = _parsed(resolved)
    if parsed is None:
        return None
    # as the child's `_base_` writes it: relative to the linted file's folder
    shown = os.path.relpath(os.path.normpath(path), os.path.normpath(home.parent)).replace(os.sep, "/")
    reader = ConfigReader(parsed.source, parsed.index, local=False, shown=shown)
    return _read_config(reader, resolved, seen=seen, home=home, names=names)


class _Parsed(Record):
    source: PythonSource
    index: ModuleIndex
    stamp: Stamp


def _parsed(resolved: Path) -> _Parsed | None:
    """A base config's source and index, from `_PARSED` while its file is unchanged (its stamp
    noted as a read would note it); None for a file that cannot be read as Python."""
    known = _PARSED.pop(resolved, None)
    if known is not None and unchanged(known.stamp):
        note_stamps((known.stamp,))
    else:
        with recording() as reads:
            try:
                source: PythonSource | None = parse_python(decode_source(read_dependency(resolved)), str(resolved))
            except (OSError, SourceError):
                source = None
        note_stamps(tuple(reads))  # a file that does not parse was read all the same
        if source is None:
            return None
        known = _Parsed(source, ModuleIndex.build(source.tree), reads[0])
    _PARSED[resolved] = known  # the most recent last
    if len(_PARSED) > _MAX_PARSED:
        del _PARSED[next(iter(_PARSED))]
    return known


class _BaseRead(Record):
    """A base config as read once, for the other configs that name it: mmdet's hundreds of
    configs share a few dozen bases, and parsing them again for each is most of the time."""

    config: _Config
    stamps: tuple[Stamp, ...]  # every file the reading read, the base's own first

    def serves(self, seen: frozenset[Path]) -> bool:
        """Whether reading the base again, past the files `seen` (as many as it was read past),
        would read the same: it reaches none of them (a cycle would stop elsewhere) and none
        of its files changed since."""
        return not any(Path(stamp[0]) in seen for stamp in self.stamps) and all(map(unchanged, self.stamps))


# per process: a base config's reading by (resolved path, how many files were seen before it,
# which decides where the depth limit stops it; the path as written and the linted file's folder,
# which its messages' places are relative to; the variables read)
_BASES: dict[tuple[Path, int, str, str, tuple[str, ...]], _BaseRead] = {}
_MAX_BASES = 4096
# per process: the base configs parsed last, by resolved path. A base's
# reading is kept by the folder of the file that names it (`_BASES`), since its messages are
# worded from there; configs in sibling folders name the same bases (the framework tree's 595
# configs parse 313 bases 1,106 times), and the parse and the index are the dear part of each
# reading. The most recent 64 (about 4 MB: all 313 parsed and indexed take 20 MB).
_PARSED: dict[Path, _Parsed] = {}
_MAX_PARSED = 64


def _base_paths(node: Node | None) -> list[str]:
    items = node.items if isinstance(node, Sequence) else (node,) if node is not None else ()
    return [item.value for item in items if isinstance(item, Scalar) and isinstance(item.value, str)]


def _merge(child: Node, base: Node | None) -> Node:
    """mmengine's `Config._merge_a_into_b`: dicts key by key, anything else replaced."""
    if not isinstance(child, Mapping):
        return child
    deletes = child.get("_delete_")
    own = tuple(entry for entry in child.entries if entry.key != "_delete_")
    if not isinstance(base, Mapping) or (isinstance(deletes, Scalar) and deletes.value is True):
        return Mapping(own, child.span, origin=child.origin)
    entries = {entry.key: entry for entry in base.entries}
    for entry in own:
        entries[entry.key] = Entry(entry.key, entry.key_span, _merge(entry.value, base.get(entry.key)))
    return Mapping(tuple(entries.values()), child.span, origin=child.origin)


def _wrapper_sites(
    wrapper: Node, name: str, holder: Entry | None, hidden: str | None, model: Callable[[], Node | None]
) -> Iterator[OptimizerSite]:
    if not isinstance(wrapper, Mapping):
        return
    optimizer = wrapper.entry(_OPTIMIZER)
    if optimizer is None:
        # MultiOptimWrapperConstructor: a wrapper per sub-module (generator, discriminator)
        for entry in wrapper.entries:
            if isinstance(entry.value, Mapping) and entry.value.get(_OPTIMIZER) is not None:
                yield from _wrapper_sites(entry.value, entry.key, entry, hidden, model)
        return
    if not isinstance(optimizer.value, Mapping):
        return
    span = wrapper.span and with_key(wrapper.span, holder)
    paramwise = wrapper.get("paramwise_cfg")
    site = _site(optimizer.value, optimizer, span, name, paramwise, wrapper.string("constructor"), hidden, model)
    if site is not None:
        yield site


def _site(
    optimizer: Mapping,
    holder: Entry | None,
    outer: Span | None,
    owner: str,
    paramwise: Node | None,
    constructor: str | None,
    hidden: str | None,
    model: Callable[[], Node | None],
) -> OptimizerSite | None:
    kind = optimizer.get("type")
    if not isinstance(kind, Scalar) or not isinstance(kind.value, str):
        return None
    name = kind.value
    registered = MMENGINE_OPTIMIZER_TYPES.get(name)
    spec = lookup(registered or name)  # a full path: `type=AdamW` after `from torch.optim import AdamW`
    if spec is None:
        return None
    span: Span | None
    if optimizer.span is not None:
        span = with_key(optimizer.span, holder)
    elif paramwise is not None and paramwise.span is not None:
        span = outer  # the optimizer is the base's, but this file changes which params it decays
    else:
        return None  # the optimizer is written in a base: reported there, not in every child
    if span is None:
        return None
    # a base we could not read may hold the paramwise_cfg
    left = _unexcluded(paramwise, constructor, owner) if hidden is None else None
    if left is not None and left.decayed == _BIASES and owner in _VARIABLES:
        left = _biases_left(left, model())  # the whole model's params: its modules say which
    params = (
        ParamSource(SourceKind.FLAT, span, left.expr, remedy=left.remedy, decayed=left.decayed)
        if left is not None
        else None
    )
    return config_site(
        spec,
        spec.name,
        name if registered else spec.short_name,
        span=span,
        func_span=kind.span or span,
        options=optimizer,
        params=params,
        hidden=hidden,
        class_origin=kind.origin,
    )


_REMEDY = "set `paramwise_cfg=dict(norm_decay_mult=0.0, bias_decay_mult=0.0)`"
_BIASES = "biases"
_MULTS = {"normalization weights": "norm_decay_mult", _BIASES: "bias_decay_mult"}


class _Left(Record):
    """What the config leaves decayed: how it does (`expr`), which of biases and norm weights
    (None: both) and how to exclude them."""

    expr: str
    decayed: str | None = None
    remedy: str = _REMEDY


def _unexcluded(paramwise: Node | None, constructor: str | None, owner: str) -> _Left | None:
    """How the config leaves biases or norm weights decayed, or None when it does not (or when
    we cannot tell: a custom constructor, an expression, a custom key we cannot read)."""
    if constructor is not None and constructor not in _DEFAULT_CONSTRUCTORS:
        return None
    if paramwise is None:
        return _Left(f"{owner} without paramwise_cfg")
    if not isinstance(paramwise, Mapping):
        return None
    # a paramwise_cfg of a base file: the message says which (quoted whole, as code)
    place = paramwise.origin.removeprefix("from ").strip("`") if paramwise.origin else None
    label = "paramwise_cfg" + (f" of {place}" if place else "")
    covered = _custom_keys(paramwise.get("custom_keys"))
    if covered is None:
        return None
    norms, biases = (_exempt(paramwise, key) for key in _MULTS.values())
    if norms is None or biases is None:
        return None
    exempt = (norms or covered.norms, biases or covered.biases)
    if any(exempt) and covered.overriding:
        return None  # a custom key may decay some of what is exempt: which names it matches is not known
    left = [what for what, out in zip(_MULTS, exempt) if not out]
    if not left:
        return None
    if len(left) == 2:
        if covered.overriding:
            remedy = f"{_REMEDY}; params a custom key matches get only that key's decay_mult"
            return _Left(f"{label} whose custom_keys zero neither norms nor biases", remedy=remedy)
        if covered.named:
            return _Left(f"{label} whose custom_keys zero neither norms nor biases")
        return _Left(f"{label} without norm_decay_mult=0 and bias_decay_mult=0")
    mult = _MULTS[left[0]]
    return _Left(f"{label} without {mult}=0", left[0], f"set `{mult}=0.0` in paramwise_cfg")


def _biases_left(left: _Left, model: Node | None) -> _Left | None:
    """Only biases are left decayed: which, where the model's components are known
    (knowledge/mm_components.py); None when none but a classifier's output layer is."""
    # imported here: a few configs need it, and a run over one training script loads no more
    from wdlint.knowledge.mm_components import MM_COMPONENTS, MM_MODEL_SETTINGS, Biases

    if not isinstance(model, Mapping):
        return left
    some: list[str] = []
    unknown = False
    for entry in model.entries:
        if entry.key in MM_MODEL_SETTINGS or not isinstance(entry.value, Mapping):
            continue
        kind = entry.value.string("type")
        component = MM_COMPONENTS.get(kind) if kind is not None else None
        options = {option.key: _option_value(option.value) for option in entry.value.entries}
        if component is None or not component.applies(options):
            unknown = True
        elif component.biases is Biases.SOME:
            some.append(f"`{entry.key}` ({kind})")
    if not some:
        return left if unknown else None
    listing = some[0] if len(some) == 1 else f"{', '.join(some[:-1])} and {some[-1]}"
    decayed = f"biases, among them those of {listing}," if unknown else f"the biases of {listing}"
    return left._replace(decayed=decayed)


def _option_value(node: Node) -> object:
    """A component option as its facts test it: a scalar's value, else the node itself (set)."""
    return node.value if isinstance(node, Scalar) else node


class _Covered(Record):
    norms: bool  # a custom key zeroes (or may zero) the decay of every norm layer
    biases: bool
    named: bool  # custom_keys name some params
    overriding: bool  # a custom key may decay params it matches, whatever the mults say


def _custom_keys(keys: Node | None) -> _Covered | None:
    """What `custom_keys` takes decay off, by mmengine's substring match; None when unreadable."""
    if keys is None:
        return _Covered(False, False, False, False)
    if not isinstance(keys, Mapping):
        return None
    norms = biases = overriding = False
    for entry in keys.entries:
        if not isinstance(entry.value, Mapping):
            return None
        mult = entry.value.get("decay_mult")
        value = 1.0 if mult is None else number(mult)
        zero = value is None or value == 0  # unknown: it may
        name = entry.key.strip(".")
        norms = norms or (zero and name in MMENGINE_NORM_KEYS)
        biases = biases or (zero and name in MMENGINE_BIAS_KEYS)
        overriding = overriding or value != 0
    return _Covered(norms, biases, bool(keys.entries), overriding)


def _exempt(paramwise: Mapping, key: str) -> bool | None:
    """Whether the mult `key` (else flat_decay_mult, which mmengine applies to any 1-D param the
    others leave) takes decay off; None when its value is not known."""
    node = paramwise.get(key)
    if node is None:
        node = paramwise.get("flat_decay_mult")
    if node is None:
        return False
    value = number(node)
    return None if value is None else value == 0


class ConfigReader:
    """Module-level expressions of a config file as config nodes."""

    def __init__(self, source: PythonSource, index: ModuleIndex, local: bool, shown: str = "") -> None:
        self.source = source
        self.local = local  # positions only for the linted file, not for its bases
        self.shown = shown  # a base: its path as messages name it
        # mmengine reads the module's final names; a config's imports are not followed
        self.module = Env.of_module(index)

    def span(self, node: ast.expr | ast.keyword) -> Span | None:
        return self.source.span(node) if self.local else None

    def origin(self, node: ast.expr) -> str | None:
        """Where a base's value is written, for messages: ``from `../_base_/schedule.py:3` ``."""
        return None if self.local else f"from `{self.shown}:{node.lineno}`"

    def variable(self, name: str) -> Node | None:
        return self._name(self.module, name)

    def _name(self, env: Env, name: str) -> Node | None:
        """The value `name` has where `env` reads; an unknown scalar once it was changed in place."""
        assigned = env.assignment(name)
        if assigned is None:
            return None
        value, binding, defining = assigned
        if any(defining.mutations_between(name, binding, env.scope, env.line)):
            return Scalar(UNKNOWN, name, None)
        return self.node(env.deeper(line=binding.lineno), value)

    def node(self, env: Env, expr: ast.expr) -> Node:
        if env.exhausted:
            return Scalar(UNKNOWN, expr_text(expr), self.span(expr))
        pairs = literal_pairs(expr)
        if pairs is not None:
            return self._mapping(env, expr, pairs)
        if isinstance(expr, (ast.List, ast.Tuple)):
            return Sequence(tuple(self.node(env.deeper(), e) for e in expr.elts), self.span(expr))
        if isinstance(expr, ast.Name):
            named = self._name(env, expr.id)
            if isinstance(named, (Mapping, Sequence)):
                return named
        value = constant(env, expr)
        if isinstance(value, (str, int, float, bool)) or value is None:
            return Scalar(value, expr_text(expr), self.span(expr), origin=self.origin(expr))
        # a class imported by name: `type=AdamW` after `from torch.optim import AdamW`
        qualified = qualified_name(env, expr)
        return Scalar(qualified or UNKNOWN, expr_text(expr), self.span(expr), origin=self.origin(expr))

    def _mapping(self, env: Env, expr: ast.expr, pairs: list[tuple[str | None, ast.expr]]) -> Node:
        entries: list[Entry] = []
        key_spans = self._key_spans(expr)
        for key, value in pairs:
            converted = self.node(env.deeper(), value)
            if key is not None:
                entries.append(Entry(key, key_spans.get(key), converted))
            elif isinstance(converted, Mapping):
                entries += converted.entries
            else:  # `**something` we cannot read: any key may hide there
                return Scalar(UNKNOWN, expr_text(expr), self.span(expr))
        return Mapping(tuple(entries), self.span(expr), origin=self.origin(expr))

    def _key_spans(self, expr: ast.expr) -> dict[str, Span]:
        if not self.local:
            return {}
        spans: dict[str, Span] = {}
        if isinstance(expr, ast.Dict):
            for key in expr.keys:
                if isinstance(key, ast.Constant) and isinstance(key.value, str):
                    spans[key.value] = self.source.span(key)
        elif isinstance(expr, ast.Call):
            for keyword in expr.keywords:
                if keyword.arg is not None:
                    start = self.source.span(keyword).start
                    spans[keyword.arg] = Span(start, Position(start.row, start.column + len(keyword.arg)))
        return spans
