from __future__ import annotations

import importlib
import sys
import textwrap
from pathlib import Path

import pytest

from wdlint import config, selection
from wdlint.config import (
    DEFAULT_EXCLUDE,
    DEFAULT_INCLUDE,
    ConfigError,
    PolicySettings,
    Settings,
    find_config_file,
    load_settings,
    parse_torch_version,
    resolve_settings,
)

KNOWN_CODES = ("WD001", "WD101", "WD104", "WD201", "WD202")


@pytest.fixture(autouse=True)
def known_codes(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fixed catalog, so that these tests do not depend on which rules exist."""

    def is_valid_selector(selector: str) -> bool:
        selector = selector.upper()
        return selector == "ALL" or any(code.startswith(selector) for code in KNOWN_CODES)

    monkeypatch.setattr(selection, "is_valid_selector", is_valid_selector)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


FULL = """
    [tool.wdlint]
    select = ["wd1", "WD2"]
    extend-select = ["wd104"]
    ignore = ["WD202"]
    exclude = ["vendor"]
    extend-exclude = ["*_pb2.py"]
    per-file-ignores = { "tests/**" = ["wd201"], "!src/**" = ["WD1"] }
    target-torch-version = "2.7"
    max-file-size = 8_000_000

    [tool.wdlint.policy]
    embeddings = "no-decay"
    no-decay = ["pos_embed", "cls_token"]
    norm-classes = ["MyNorm"]
"""


def test_load_every_key(tmp_path: Path) -> None:
    path = write(tmp_path / "pyproject.toml", FULL)
    assert load_settings(path) == Settings(
        root=tmp_path,
        config_path=path,
        select=("WD1", "WD2"),  # upper-cased
        extend_select=("WD104",),
        ignore=("WD202",),
        exclude=("vendor",),
        extend_exclude=("*_pb2.py",),
        per_file_ignores=(("tests/**", ("WD201",)), ("!src/**", ("WD1",))),
        target_torch_version=(2, 7),
        max_file_size=8_000_000,
        policy=PolicySettings("no-decay", ("pos_embed", "cls_token"), ("MyNorm",)),
    )


def test_absent_keys_keep_their_defaults(tmp_path: Path) -> None:
    path = write(tmp_path / "pyproject.toml", "[tool.wdlint]\nextend-exclude = ['x']\n")
    settings = load_settings(path)
    assert settings == Settings(root=tmp_path, config_path=path, extend_exclude=("x",))
    assert settings.select is None
    assert settings.exclude == DEFAULT_EXCLUDE
    assert {".venv", "build", "node_modules", ".git"} <= set(DEFAULT_EXCLUDE)


def test_include_and_extend_include(tmp_path: Path) -> None:
    assert Settings(root=tmp_path).included == DEFAULT_INCLUDE
    assert {"*.py", "*.pyi", "*.ipynb", "*.yaml", "*.yml", "*.json"} == set(DEFAULT_INCLUDE)
    path = write(tmp_path / "wdlint.toml", "include = ['*.py']\nextend-include = ['conf/*.cfg']\n")
    settings = load_settings(path)
    assert (settings.include, settings.extend_include) == (("*.py",), ("conf/*.cfg",))
    assert settings.included == ("*.py", "conf/*.cfg")


def test_empty_select_selects_nothing(tmp_path: Path) -> None:
    path = write(tmp_path / "wdlint.toml", "select = []\n")
    assert load_settings(path).select == ()


def test_pyproject_without_table_gives_defaults(tmp_path: Path) -> None:
    path = write(tmp_path / "pyproject.toml", "[project]\nname = 'x'\n")
    assert load_settings(path) == Settings(root=tmp_path, config_path=path)


@pytest.mark.parametrize("text", ["select = ['WD1']\n", "[tool.wdlint]\nselect = ['WD1']\n"])
@pytest.mark.parametrize("name", ["wdlint.toml", ".wdlint.toml"])
def test_wdlint_toml_top_level_or_tool_table(tmp_path: Path, name: str, text: str) -> None:
    assert load_settings(write(tmp_path / name, text)).select == ("WD1",)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2.7", (2, 7)), ("2.7.1", (2, 7)), ("2.10", (2, 10)), (" 3.0 ", (3, 0))],
)
def test_parse_torch_version(text: str, expected: tuple[int, int]) -> None:
    assert parse_torch_version(text) == expected


@pytest.mark.parametrize("text", ["2", "2.x", "v2.7", "2.7.1.4", ""])
def test_parse_torch_version_rejects(text: str) -> None:
    with pytest.raises(ValueError, match=r"2\.7"):
        parse_torch_version(text)


@pytest.mark.parametrize(
    ("name", "text", "fragments"),
    [
        ("pyproject.toml", "[tool.wdlint]\nselct = []", ["[tool.wdlint]", "unknown key `selct`"]),
        ("wdlint.toml", "selct = []", ["unknown key `selct`"]),
        ("wdlint.toml", "[tool.other]\nx = 1", ["unknown key `tool`"]),
        ("pyproject.toml", "[tool.wdlint]\nselect = 'WD1'", ["`select`", "array of strings"]),
        ("wdlint.toml", "ignore = [1]", ["`ignore`", "array of strings"]),
        ("wdlint.toml", "exclude = 'build'", ["`exclude`", "a string"]),
        ("wdlint.toml", "include = '*.py'", ["`include`", "a string"]),
        ("wdlint.toml", "extend-include = [1]", ["`extend-include`", "array of strings"]),
        ("wdlint.toml", "per-file-ignores = ['x']", ["`per-file-ignores`", "table"]),
        ("wdlint.toml", "per-file-ignores = { a = 'WD1' }", ['per-file-ignores."a"']),
        ("wdlint.toml", "select = ['WD999']", ["`select`", "`WD999`"]),
        ("wdlint.toml", "extend-select = ['xx']", ["`extend-select`", "`XX`"]),
        ("wdlint.toml", "per-file-ignores = { 'a/*' = ['WD9'] }", ['"a/*"', "`WD9`"]),
        ("wdlint.toml", "target-torch-version = 'latest'", ["`target-torch-version`", "latest"]),
        ("wdlint.toml", "target-torch-version = 2.7", ["`target-torch-version`", '"2.10"']),
        ("wdlint.toml", "max-file-size = '4MB'", ["`max-file-size`", "number of bytes", "'4MB'"]),
        ("wdlint.toml", "max-file-size = -1", ["`max-file-size`", "number of bytes"]),
        ("wdlint.toml", "max-file-size = true", ["`max-file-size`", "a boolean"]),
        ("wdlint.toml", "[policy]\nembedding = 'decay'", ["[policy]", "unknown key `embedding`"]),
        (
            "pyproject.toml",
            "[tool.wdlint.policy]\nfoo = 1",
            ["[tool.wdlint.policy]", "unknown key `foo`"],
        ),
        ("wdlint.toml", "[policy]\nembeddings = 'sometimes'", ["`embeddings`", "sometimes"]),
        ("wdlint.toml", "[policy]\nno-decay = 'bias'", ["`no-decay`"]),
        ("wdlint.toml", "policy = 1", ["`policy`", "a table"]),
        ("pyproject.toml", "[tool]\nwdlint = 1", ["[tool.wdlint]", "must be a table"]),
        ("wdlint.toml", "select = = 1", ["invalid TOML", "line 1, column"]),
    ],
)
def test_config_errors_name_file_and_key(
    tmp_path: Path, name: str, text: str, fragments: list[str]
) -> None:
    path = write(tmp_path / name, text + "\n")
    with pytest.raises(ConfigError) as raised:
        load_settings(path)
    message = str(raised.value)
    assert message.startswith(f"{path}: ")
    for fragment in fragments:
        assert fragment in message


def test_error_shows_the_path_relative_to_the_cwd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path / "pyproject.toml", "[tool.wdlint]\nselct = []\n")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match=r"^pyproject.toml: \[tool.wdlint\] unknown key `selct`$"):
        load_settings(Path("pyproject.toml"))


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "nope.toml")


def test_find_config_upward_from_a_file_or_directory(tmp_path: Path) -> None:
    path = write(tmp_path / "pyproject.toml", "[tool.wdlint]\n")
    write(tmp_path / "a" / "b" / "c.py", "")
    assert find_config_file(tmp_path / "a" / "b") == path
    assert find_config_file(tmp_path / "a" / "b" / "c.py") == path
    assert find_config_file(tmp_path / "a" / "b" / "not-yet.py") == path


def test_find_config_skips_pyproject_without_table(tmp_path: Path) -> None:
    path = write(tmp_path / "wdlint.toml", "")
    write(tmp_path / "pkg" / "pyproject.toml", "[project]\nname = 'x'\n")
    assert find_config_file(tmp_path / "pkg") == path


def test_find_config_nearest_directory_wins(tmp_path: Path) -> None:
    write(tmp_path / ".wdlint.toml", "")
    path = write(tmp_path / "pkg" / "pyproject.toml", "[tool.wdlint]\n")
    assert find_config_file(tmp_path / "pkg") == path


def test_find_config_precedence_within_a_directory(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.wdlint]\n")
    assert find_config_file(tmp_path) == tmp_path / "pyproject.toml"
    write(tmp_path / "wdlint.toml", "")
    assert find_config_file(tmp_path) == tmp_path / "wdlint.toml"
    write(tmp_path / ".wdlint.toml", "")
    assert find_config_file(tmp_path) == tmp_path / ".wdlint.toml"


def test_find_config_reports_a_broken_pyproject(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.wdlint\n")
    with pytest.raises(ConfigError, match="invalid TOML"):
        find_config_file(tmp_path)


def test_find_config_passes_over_a_pyproject_that_never_names_wdlint(tmp_path: Path) -> None:
    """Without the word there is no `[tool.wdlint]`: the file is not parsed, and its TOML,
    broken or not, is other tools' business."""
    outer = write(tmp_path / "wdlint.toml", "")
    write(tmp_path / "pkg" / "pyproject.toml", "[tool\n")
    assert find_config_file(tmp_path / "pkg") == outer
    assert load_settings(tmp_path / "pkg" / "pyproject.toml") == Settings(
        root=tmp_path / "pkg", config_path=tmp_path / "pkg" / "pyproject.toml"
    )


def test_a_pyproject_naming_wdlint_elsewhere_is_read_whole(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[project]\nname = "wdlint-plugins"\n')
    assert find_config_file(tmp_path) != tmp_path / "pyproject.toml"
    path = write(tmp_path / "pyproject.toml", '[project]\nname = "x"\n[tool . wdlint]\nignore = ["WD1"]\n')
    assert find_config_file(tmp_path) == path
    assert load_settings(path).ignore == ("WD1",)


def test_a_found_config_file_is_parsed_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Finding the file reads its table, and loading it reads the same bytes: one parse."""
    tomllib = importlib.import_module("tomllib" if sys.version_info >= (3, 11) else "tomli")
    parses: list[str] = []
    real = tomllib.loads
    monkeypatch.setattr(tomllib, "loads", lambda text: parses.append(text) or real(text))
    write(tmp_path / "pyproject.toml", "[tool.wdlint]\nselect = ['WD2']\n")
    settings = resolve_settings([tmp_path], None, False, tmp_path)
    assert settings.select == ("WD2",)
    assert len(parses) == 1


def test_find_config_none(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(config, "CONFIG_NAMES", ("wdlint-test-absent.toml",))
    assert find_config_file(tmp_path) is None


def test_resolve_isolated_reads_nothing(tmp_path: Path) -> None:
    write(tmp_path / "wdlint.toml", "selct = 1\n")
    assert resolve_settings([tmp_path], None, True, tmp_path) == Settings(root=tmp_path)


def test_resolve_explicit_config(tmp_path: Path) -> None:
    path = write(tmp_path / "conf" / "lint.toml", "ignore = ['WD1']\n")
    write(tmp_path / "wdlint.toml", "ignore = ['WD2']\n")
    settings = resolve_settings([tmp_path], Path("conf/lint.toml"), False, tmp_path)
    assert settings.ignore == ("WD1",)
    assert settings.root == path.parent
    assert settings.config_path == path


def test_resolve_explicit_pyproject_without_table(tmp_path: Path) -> None:
    path = write(tmp_path / "sub" / "pyproject.toml", "[project]\nname = 'x'\n")
    assert resolve_settings([], path, False, tmp_path) == Settings(
        root=tmp_path / "sub", config_path=path
    )


def test_resolve_explicit_missing_config(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        resolve_settings([], Path("nope.toml"), False, tmp_path)


def test_resolve_from_the_first_path_then_the_cwd(tmp_path: Path) -> None:
    one = write(tmp_path / "one" / "wdlint.toml", "ignore = ['WD1']\n")
    write(tmp_path / "two" / "wdlint.toml", "ignore = ['WD2']\n")
    paths = [Path("one/x.py"), Path("two")]
    assert resolve_settings(paths, None, False, tmp_path).config_path == one
    assert resolve_settings([], None, False, tmp_path / "two").ignore == ("WD2",)


def test_resolve_without_config_is_rooted_at_the_cwd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(config, "CONFIG_NAMES", ("wdlint-test-absent.toml",))
    assert resolve_settings([Path("a.py")], None, False, tmp_path) == Settings(root=tmp_path)


def test_per_file_ignores(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings(
        root=tmp_path,
        per_file_ignores=(
            ("tests/**", ("WD201",)),
            ("*_test.py", ("WD202",)),
            ("!src/**", ("WD1",)),
            ("conftest.py", ("WD201", "WD104")),
        ),
    )
    assert settings.ignores_for(tmp_path / "tests" / "unit" / "a.py") == ("WD201", "WD1")
    assert settings.ignores_for(tmp_path / "src" / "pkg" / "b_test.py") == ("WD202",)
    assert settings.ignores_for(tmp_path / "src" / "main.py") == ()
    assert settings.ignores_for(tmp_path / "tests" / "conftest.py") == ("WD201", "WD1", "WD104")
    # Outside the root only basename patterns can match, and `!src/**` does not.
    assert settings.ignores_for(Path("/elsewhere/c_test.py")) == ("WD202", "WD1")
    monkeypatch.chdir(tmp_path / "..")
    assert settings.ignores_for(Path(tmp_path.name, "tests", "x.py")) == ("WD201", "WD1")


def test_config_that_is_not_utf8_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "wdlint.toml").write_bytes(b'select = ["WD1"]\n# \xff\xfe\n')
    with pytest.raises(ConfigError, match=r"wdlint\.toml: invalid TOML"):
        load_settings(tmp_path / "wdlint.toml")


# -- the parsed TOML kept for the next run ---------------------------------------------------


@pytest.fixture
def counted_parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The texts handed to the TOML parser; each test starts with nothing parsed in memory."""
    tomllib = importlib.import_module("tomllib" if sys.version_info >= (3, 11) else "tomli")
    parses: list[str] = []
    real = tomllib.loads
    monkeypatch.setattr(tomllib, "loads", lambda text: parses.append(text) or real(text))
    monkeypatch.setattr(config, "_LAST_PARSED", [])
    return parses


def _resolve_keeping(root: Path, kept: Path) -> Settings:
    config._LAST_PARSED.clear()  # as a new process starts
    return resolve_settings([root], None, False, root, lambda _: kept)


def test_a_config_parsed_once_is_read_back_by_the_next_run(tmp_path: Path, counted_parses: list[str]) -> None:
    kept = tmp_path / ".wdlint_cache"
    kept.mkdir()
    write(tmp_path / "pyproject.toml", "[tool.wdlint]\nignore = ['WD2']\n[tool.ruff]\nline-length = 99\n")
    first = _resolve_keeping(tmp_path, kept)
    second = _resolve_keeping(tmp_path, kept)
    assert first == second
    assert second.ignore == ("WD2",)
    assert len(counted_parses) == 1
    assert (kept / config.KEPT_TABLES).is_file()


def test_a_changed_config_is_parsed_again(tmp_path: Path, counted_parses: list[str]) -> None:
    kept = tmp_path / ".wdlint_cache"
    kept.mkdir()
    path = write(tmp_path / "wdlint.toml", "ignore = ['WD2']\n")
    assert _resolve_keeping(tmp_path, kept).ignore == ("WD2",)
    write(path, "ignore = ['WD1']\n")  # same size: only the text tells
    assert _resolve_keeping(tmp_path, kept).ignore == ("WD1",)
    write(path, "ignore = [\n")
    with pytest.raises(ConfigError, match="invalid TOML"):
        _resolve_keeping(tmp_path, kept)
    assert len(counted_parses) == 3


@pytest.mark.parametrize("damage", ["", "{", "[1, 2]", '{"%s": "not a pair"}', '{"%s": ["ignore = []", 3]}'])
def test_a_damaged_kept_file_is_no_document_kept(
    tmp_path: Path, counted_parses: list[str], damage: str
) -> None:
    kept = tmp_path / ".wdlint_cache"
    kept.mkdir()
    path = write(tmp_path / "wdlint.toml", "ignore = []\n")
    (kept / config.KEPT_TABLES).write_text(damage.replace("%s", str(path)) if "%s" in damage else damage)
    assert _resolve_keeping(tmp_path, kept).ignore == ()
    assert len(counted_parses) == 1
    assert _resolve_keeping(tmp_path, kept).ignore == ()  # kept again, whole this time
    assert len(counted_parses) == 1


def test_nothing_is_kept_without_the_cache_directory(tmp_path: Path, counted_parses: list[str]) -> None:
    write(tmp_path / "wdlint.toml", "ignore = []\n")
    _resolve_keeping(tmp_path, tmp_path / ".wdlint_cache")
    _resolve_keeping(tmp_path, tmp_path / ".wdlint_cache")
    assert not (tmp_path / ".wdlint_cache").exists()
    assert len(counted_parses) == 2


def test_a_document_json_cannot_give_back_is_not_kept(tmp_path: Path, counted_parses: list[str]) -> None:
    """Other tools' tables may hold dates and NaN: JSON has no date, and NaN is not equal to itself."""
    kept = tmp_path / ".wdlint_cache"
    kept.mkdir()
    for other in ("released = 2024-01-01", "ratio = nan"):
        config._LAST_PARSED.clear()
        write(tmp_path / "pyproject.toml", f"[tool.other]\n{other}\n[tool.wdlint]\nignore = ['WD2']\n")
        assert _resolve_keeping(tmp_path, kept).ignore == ("WD2",)
        assert _resolve_keeping(tmp_path, kept).ignore == ("WD2",)
    assert len(counted_parses) == 4
    assert not (kept / config.KEPT_TABLES).exists()
