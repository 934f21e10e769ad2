"""Settings: `.wdlint.toml`, `wdlint.toml` or `[tool.wdlint]` in pyproject.toml, found upward.

Every mistake in a config file is an error naming the file and the key: a linter that silently
drops a misspelt `ignore` reports what the user thought was turned off.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from pathlib import Path

from wdlint import selection
from wdlint.engine.globs import GlobSet, relative_posix
from wdlint.engine.jobs import DEFAULT_MAX_FILE_SIZE
from wdlint.frontends.formats import default_includes
from wdlint.records import Record

TYPE_CHECKING = False  # `typing` is for type checkers: the hook never imports it (docs/architecture.md)
if TYPE_CHECKING:
    from typing import Literal, TypeVar

    Embeddings = Literal["decay", "no-decay", "either"]
    _T = TypeVar("_T")

_EMBEDDINGS: tuple[Embeddings, ...] = ("decay", "no-decay", "either")

DEFAULT_EXCLUDE: tuple[str, ...] = (
    ".git",
    ".hg",
    ".svn",
    ".venv",
    "venv",
    ".env",
    "__pypackages__",
    "build",
    "dist",
    "node_modules",
    "__pycache__",
    ".tox",
    ".nox",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".wdlint_cache",
    ".eggs",
    "*.egg-info",
    "site-packages",
    ".ipynb_checkpoints",
    "_build",
    "buck-out",
    ".direnv",
)

# What a directory walk lints: the files of every registered format (Python, notebooks, the YAML
# and JSON configs that name optimizers; other YAML and JSON costs a byte scan). `include`
# replaces it, `extend-include` adds.
DEFAULT_INCLUDE: tuple[str, ...] = default_includes()

# In each directory, the first of these that configures wdlint is the config file.
CONFIG_NAMES = (".wdlint.toml", "wdlint.toml", "pyproject.toml")

_KEYS = frozenset(
    {
        "select",
        "extend-select",
        "ignore",
        "exclude",
        "extend-exclude",
        "include",
        "extend-include",
        "per-file-ignores",
        "target-torch-version",
        "max-file-size",
        "policy",
    }
)
_POLICY_KEYS = frozenset({"embeddings", "no-decay", "norm-classes"})


class ConfigError(Exception):
    """A config file that cannot be used; the message names the file and the key."""


class PolicySettings(Record):
    embeddings: Embeddings = "either"
    no_decay: tuple[str, ...] = ()  # fnmatch patterns of param names never decayed
    norm_classes: tuple[str, ...] = ()  # extra normalization module class names


class Settings(Record):
    root: Path  # what globs are relative to: the config file's directory, else the cwd
    config_path: Path | None = None
    select: tuple[str, ...] | None = None  # None: the default-on rules
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    extend_exclude: tuple[str, ...] = ()
    include: tuple[str, ...] = DEFAULT_INCLUDE  # glob patterns of the files a walk lints
    extend_include: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    target_torch_version: tuple[int, int] | None = None
    max_file_size: int = DEFAULT_MAX_FILE_SIZE  # bytes; 0: no limit
    policy: PolicySettings = PolicySettings()

    def ignores_for(self, path: Path) -> tuple[str, ...]:
        """The selectors that per-file-ignores turns off for `path` (relative to the cwd)."""
        if not self.per_file_ignores:
            return ()
        absolute = os.path.abspath(path)
        rel = relative_posix(absolute, os.path.abspath(self.root))
        name = os.path.basename(absolute)
        ignored: dict[str, None] = {}
        for pattern, selectors in self.per_file_ignores:
            negated = pattern.startswith("!")
            matched = _glob(pattern[1:] if negated else pattern).match(name, rel, False)
            if matched != negated:
                ignored.update(dict.fromkeys(selectors))
        return tuple(ignored)

    @property
    def included(self) -> tuple[str, ...]:
        """The glob patterns of the files a directory walk lints."""
        return (*self.include, *self.extend_include)


@cache
def _glob(pattern: str) -> GlobSet:
    return GlobSet((pattern,))


def parse_torch_version(text: str) -> tuple[int, int]:
    """`"2.7"` or `"2.7.1"` as `(2, 7)`; ValueError otherwise."""
    match = re.fullmatch(r"(\d+)\.(\d+)(?:\.\d+)?", text.strip())  # compiled only by a run that reads one
    if match is None:
        raise ValueError(f'expected a version such as "2.7", got "{text}"')
    return int(match[1]), int(match[2])


# where the parsed TOML of a config file in a directory may be kept: the result cache's
# directory for a project at that root (`check.py`), None where nothing is kept
KeptIn = Callable[[Path], "Path | None"]


def find_config_file(start: Path, kept_in: KeptIn | None = None) -> Path | None:
    """The nearest config file at or above `start` (a file stands for its directory)."""
    directory = Path(os.path.abspath(start))
    if not directory.is_dir():
        directory = directory.parent
    for candidate_dir in (directory, *directory.parents):
        for name in CONFIG_NAMES:
            candidate = candidate_dir / name
            if not candidate.is_file():
                continue
            if name == "pyproject.toml" and _pyproject_table(candidate, kept_in) is None:
                continue
            return candidate
    return None


def load_settings(path: Path, kept_in: KeptIn | None = None) -> Settings:
    """The settings of one config file; a pyproject.toml without `[tool.wdlint]` gives defaults."""
    path = Path(os.path.abspath(path))
    if path.name == "pyproject.toml":
        table = _pyproject_table(path, kept_in)
        if table is None:
            return Settings(root=path.parent, config_path=path)
        return _settings(_Table(path, "[tool.wdlint]", table))
    data = _parsed_toml(path, _read_bytes(path), kept_in)
    table = _tool_table(data, path) if set(data) == {"tool"} else None
    if table is not None:
        return _settings(_Table(path, "[tool.wdlint]", table))
    return _settings(_Table(path, "", data))


def resolve_settings(
    paths: Sequence[Path], config: Path | None, isolated: bool, cwd: Path, kept_in: KeptIn | None = None
) -> Settings:
    """The settings of a run: `--isolated`, else `--config`, else the file found from the paths.
    `kept_in`: where a config file's parsed TOML is kept for the next run (see `_parsed_toml`)."""
    cwd = Path(os.path.abspath(cwd))
    if isolated:
        return Settings(root=cwd)
    if config is not None:
        return load_settings(cwd / config, kept_in)
    found = find_config_file(cwd / paths[0] if paths else cwd, kept_in)
    return load_settings(found, kept_in) if found is not None else Settings(root=cwd)


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _pyproject_table(path: Path, kept_in: KeptIn | None) -> Mapping[str, object] | None:
    """A pyproject.toml's `[tool.wdlint]`, or None. A file that does not hold the word `wdlint`
    has no such table and is not read as TOML: most projects have a pyproject.toml, and the
    TOML parser's imports alone cost a pre-commit run about 8 ms (`bench/startup.py`). Nor is
    such a file's TOML checked: broken or not, it configures other tools, not this one."""
    data = _read_bytes(path)
    if _TOOL_NAME not in data:
        return None
    return _tool_table(_parsed_toml(path, data, kept_in), path)


_TOOL_NAME = b"wdlint"  # in any spelling of the table's name: `[tool.wdlint]`, `tool.wdlint.select = ...`


def _read_bytes(path: Path) -> bytes:
    try:
        with path.open("rb") as file:
            return file.read()
    except FileNotFoundError:
        raise ConfigError(f"{_display(path)}: config file not found") from None
    except OSError as exc:
        raise ConfigError(f"{_display(path)}: cannot read: {exc.strerror}") from None


# the last file parsed: a run that finds its config file reads it again to load it
_LAST_PARSED: list[tuple[Path, bytes, dict[str, object]]] = []
KEPT_TABLES = "config-tables.json"  # in the result cache's directory: {path: [text, document]}


def _parsed_toml(path: Path, data: bytes, kept_in: KeptIn | None = None) -> dict[str, object]:
    """The TOML document of a config file. With `kept_in`, a document parsed by an earlier run
    from the very same text is read back from the cache's directory instead: the TOML parser's
    imports cost a pre-commit run on one file about 8 ms, the kept JSON a fraction of one."""
    for parsed_path, parsed_data, parsed in _LAST_PARSED:
        if parsed_path == path and parsed_data == data:
            return parsed
    directory = kept_in(path.parent) if kept_in is not None else None
    kept = _kept_documents(directory) if directory is not None else {}
    try:
        text = data.decode()
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{_display(path)}: invalid TOML: {exc}") from None
    entry = kept.get(str(path))
    if isinstance(entry, list) and len(entry) == 2 and entry[0] == text and isinstance(entry[1], dict):
        parsed = entry[1]
    else:
        parsed = _parse_toml(path, text)
        if directory is not None:
            _keep_document(directory, kept, path, text, parsed)
    _LAST_PARSED[:] = [(path, data, parsed)]
    return parsed


def _parse_toml(path: Path, text: str) -> dict[str, object]:
    if sys.version_info >= (3, 11):  # imported here: a run without a config file needs no TOML
        import tomllib
    else:
        import tomli as tomllib
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{_display(path)}: invalid TOML: {exc}") from None


def _kept_documents(directory: Path) -> dict[str, object]:
    """What earlier runs kept in `directory`; a file missing, unreadable or of another shape is
    no document kept."""
    import json

    try:
        with open(directory / KEPT_TABLES, encoding="utf-8") as file:
            kept = json.load(file)
    except (OSError, ValueError):
        return {}
    return kept if isinstance(kept, dict) else {}


def _keep_document(directory: Path, kept: dict[str, object], path: Path, text: str, document: dict[str, object]) -> None:
    """Kept where the cache's directory exists (the result cache makes it), when JSON gives the
    document back as it is (no dates, no NaN)."""
    import json

    from wdlint.files import replace_file

    if not directory.is_dir():
        return
    try:
        written = json.dumps({**kept, str(path): [text, document]})
    except TypeError:  # a date or a time
        return
    if json.loads(written)[str(path)][1] != document:  # NaN: written, and unequal to itself
        return
    with contextlib.suppress(OSError):  # a cache that cannot be written costs the next run a parse
        replace_file(directory / KEPT_TABLES, written)


def _tool_table(data: Mapping[str, object], path: Path) -> Mapping[str, object] | None:
    """`[tool.wdlint]`, or None when the file has none."""
    tool = data.get("tool")
    table = tool.get("wdlint") if isinstance(tool, dict) else None
    if table is not None and not isinstance(table, dict):
        raise ConfigError(f"{_display(path)}: [tool.wdlint] must be a table")
    return table


class _Table(Record):
    path: Path
    name: str  # as the messages show it: "[tool.wdlint]", "[policy]", "" for the top level
    data: Mapping[str, object]

    def error(self, message: str) -> ConfigError:
        where = f"{self.name} " if self.name else ""
        return ConfigError(f"{_display(self.path)}: {where}{message}")

    def check_keys(self, known: frozenset[str]) -> None:
        for key in self.data:
            if key not in known:
                raise self.error(f"unknown key `{key}`")

    def get(self, key: str, parse: Callable[[_Table, str], _T], default: _T) -> _T:
        return parse(self, key) if key in self.data else default


def _settings(table: _Table) -> Settings:
    table.check_keys(_KEYS)
    return Settings(
        root=table.path.parent,
        config_path=table.path,
        select=table.get("select", _selectors, None),
        extend_select=table.get("extend-select", _selectors, ()),
        ignore=table.get("ignore", _selectors, ()),
        exclude=table.get("exclude", _strings, DEFAULT_EXCLUDE),
        extend_exclude=table.get("extend-exclude", _strings, ()),
        include=table.get("include", _strings, DEFAULT_INCLUDE),
        extend_include=table.get("extend-include", _strings, ()),
        per_file_ignores=table.get("per-file-ignores", _per_file_ignores, ()),
        target_torch_version=table.get("target-torch-version", _torch_version, None),
        max_file_size=table.get("max-file-size", _byte_count, DEFAULT_MAX_FILE_SIZE),
        policy=table.get("policy", _policy, PolicySettings()),
    )


def _toml_type(value: object) -> str:
    names = {bool: "a boolean", int: "an integer", float: "a float", str: "a string"}
    names.update({list: "an array", dict: "a table"})
    return names.get(type(value), type(value).__name__)


def _string_list(table: _Table, key: str, value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise table.error(f"`{key}` must be an array of strings, got {_toml_type(value)}")
    return tuple(value)


def _strings(table: _Table, key: str) -> tuple[str, ...]:
    return _string_list(table, key, table.data[key])


def _checked_selectors(table: _Table, key: str, value: object) -> tuple[str, ...]:
    codes = tuple(code.upper() for code in _string_list(table, key, value))
    for code in codes:
        if not selection.is_valid_selector(code):
            raise table.error(f"`{key}` names an unknown rule code or prefix `{code}`")
    return codes


def _selectors(table: _Table, key: str) -> tuple[str, ...]:
    return _checked_selectors(table, key, table.data[key])


def _per_file_ignores(table: _Table, key: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    value = table.data[key]
    if not isinstance(value, dict):
        raise table.error(f"`{key}` must be a table of glob = [codes], got {_toml_type(value)}")
    return tuple(
        (pattern, _checked_selectors(table, f'{key}."{pattern}"', codes))
        for pattern, codes in value.items()
    )


def _byte_count(table: _Table, key: str) -> int:
    value = table.data[key]
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise table.error(f"`{key}` must be a number of bytes (0: no limit), got {_toml_type(value)} {value!r}")
    return value


def _torch_version(table: _Table, key: str) -> tuple[int, int]:
    value = table.data[key]
    if not isinstance(value, str):
        # TOML reads `2.10` as the float 2.1: only a string keeps the minor version.
        hint = ' (write it as a string: "2.10", not 2.10)' if isinstance(value, float) else ""
        raise table.error(f'`{key}` must be a string such as "2.7", got {_toml_type(value)}{hint}')
    try:
        return parse_torch_version(value)
    except ValueError as exc:
        raise table.error(f"`{key}`: {exc}") from None


def _policy(table: _Table, key: str) -> PolicySettings:
    value = table.data[key]
    if not isinstance(value, dict):
        raise table.error(f"`{key}` must be a table, got {_toml_type(value)}")
    name = f"[{table.name[1:-1]}.{key}]" if table.name else f"[{key}]"
    policy = _Table(table.path, name, value)
    policy.check_keys(_POLICY_KEYS)
    defaults = PolicySettings()
    return PolicySettings(
        embeddings=policy.get("embeddings", _embeddings, defaults.embeddings),
        no_decay=policy.get("no-decay", _strings, defaults.no_decay),
        norm_classes=policy.get("norm-classes", _strings, defaults.norm_classes),
    )


def _embeddings(table: _Table, key: str) -> Embeddings:
    value = table.data[key]
    for choice in _EMBEDDINGS:
        if value == choice:
            return choice
    choices = ", ".join(f'"{choice}"' for choice in _EMBEDDINGS)
    raise table.error(f"`{key}` must be one of {choices}, got {value!r}")
