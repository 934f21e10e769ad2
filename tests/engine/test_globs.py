from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wdlint.engine.globs import GitIgnore, Glob, GlobSet, compile_glob, relative_posix


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("*.py", "a.py", True),
        ("*.py", "pkg/a.py", False),  # `*` stays within one component
        ("a/*.py", "a/b.py", True),
        ("a/*.py", "a/b/c.py", False),
        ("a?c", "abc", True),
        ("a?c", "a/c", False),  # `?` too
        ("a.py", "axpy", False),  # regex characters are literal
        ("a/**/b", "a/b", True),  # `**/` spans zero directories...
        ("a/**/b", "a/x/y/b", True),  # ...or several
        ("a/**/b", "ab", False),
        ("a/**/b", "xa/b", False),
        ("**/x", "x", True),
        ("**/x", "a/b/x", True),
        ("**/x", "a/bx", False),
        ("tests/**", "tests/a/b.py", True),
        ("tests/**", "tests", False),  # what is inside, not the directory itself
        ("tests/**", "testsuite/a.py", False),
        ("**", "a/b/c", True),
        ("a**b", "axyb", True),  # `**` within a component is a plain `*`
        ("a**b", "a/b", False),
        ("[ab].py", "a.py", True),
        ("[ab].py", "c.py", False),
        ("[!ab].py", "c.py", True),
        ("[!ab].py", "a.py", False),
        ("[^ab].py", "a.py", False),
        ("[a-c]x", "bx", True),
        ("[a-c]x", "dx", False),
        ("[a-]", "-", True),  # a trailing `-` is literal
        ("[]]", "]", True),  # so is a leading `]`
        ("a[/]b", "a/b", False),  # no class matches the separator
        ("a[!x]b", "a/b", False),
        ("[.-0]", "/", False),  # not even through a range that spans it
        ("[", "[", True),  # an unclosed `[` is literal
        ("[z-a]", "[z-a]", True),  # and so is a reversed range
        (r"\*", "*", True),
        (r"\*", "a", False),
        (r"\[a]", "[a]", True),
        (r"[\]]", "]", True),
    ],
)
def test_compile_glob(pattern: str, path: str, expected: bool) -> None:
    assert (compile_glob(pattern).fullmatch(path) is not None) is expected


@pytest.mark.parametrize(
    ("patterns", "path", "is_dir", "expected"),
    [
        (["build"], "build", True, True),
        (["build"], "src/build", True, True),  # a basename at any depth
        (["build"], "src/build.py", False, False),
        (["*.pyi"], "pkg/sub/a.pyi", False, True),
        (["pkg/gen"], "pkg/gen", True, True),  # a `/` anchors at the root
        (["pkg/gen"], "other/pkg/gen", True, False),
        (["/gen"], "gen", True, True),
        (["/gen"], "pkg/gen", True, False),
        (["./gen"], "gen", True, True),
        (["gen/"], "gen", True, True),  # a trailing `/` is for directories only
        (["gen/"], "gen", False, False),
        (["tests/**"], "tests/a.py", False, True),
    ],
)
def test_globset_match(patterns: list[str], path: str, is_dir: bool, expected: bool) -> None:
    name = path.rpartition("/")[2]
    assert GlobSet(patterns).match(name, path, is_dir) is expected


def test_globset_outside_the_root_matches_basenames_only() -> None:
    globs = GlobSet(["*.pyi", "pkg/*.py"])
    assert globs.match("a.pyi", None, False)
    assert not globs.match("a.py", None, False)


def test_globset_match_path_checks_every_directory_above() -> None:
    globs = GlobSet(["build", "pkg/gen", "cache/"])
    assert globs.match_path("src/build/lib/a.py", False)
    assert globs.match_path("pkg/gen/x/a.py", False)
    assert globs.match_path("cache/a.py", False)  # `cache` is a directory there
    assert not globs.match_path("src/pkg/gen/a.py", False)
    assert not globs.match_path("src/a.py", False)


def gitignore(text: str, base: str = "") -> GitIgnore:
    return GitIgnore().with_lines(text.splitlines(), base)


@pytest.mark.parametrize(
    ("text", "path", "is_dir", "expected"),
    [
        ("*.log", "a/b/x.log", False, True),
        ("*.log\n!keep.log", "a/keep.log", False, False),  # negation re-includes
        ("!keep.log\n*.log", "a/keep.log", False, True),  # the last matching rule wins
        ("out/", "a/out", True, True),  # directories only
        ("out/", "a/out", False, False),
        ("/top.py", "top.py", False, True),  # a leading `/` anchors
        ("/top.py", "a/top.py", False, False),
        ("a/b.py", "a/b.py", False, True),  # so does a middle one
        ("a/b.py", "x/a/b.py", False, False),
        ("**/gen", "x/y/gen", True, True),
        ("a/**/z.py", "a/b/c/z.py", False, True),
        ("# comment", "# comment", False, False),
        (r"\#hash.py", "#hash.py", False, True),
        (r"\!bang.py", "!bang.py", False, True),
        ("x.py   ", "x.py", False, True),  # trailing spaces are dropped...
        ("x.py\\ ", "x.py ", False, True),  # ...unless escaped
        ("\n\n", "", False, False),
    ],
)
def test_gitignore_rules(text: str, path: str, is_dir: bool, expected: bool) -> None:
    assert gitignore(text).ignores(path, is_dir) is expected


def test_gitignore_cannot_reinclude_inside_an_ignored_directory() -> None:
    rules = gitignore("build/\n!build/keep.py")
    assert rules.ignores("build/keep.py", False)
    assert not rules.ignores_entry("build/keep.py", False)  # the entry alone is re-included


def test_nested_gitignore_is_relative_to_its_directory() -> None:
    rules = gitignore("*.tmp").with_lines(["/local.py", "!x.tmp", "gen/"], "pkg")
    assert rules.ignores("pkg/local.py", False)
    assert not rules.ignores("local.py", False)
    assert not rules.ignores("other/pkg/local.py", False)
    assert not rules.ignores("pkg/x.tmp", False)  # the deeper file overrides the root one
    assert rules.ignores("x.tmp", False)
    assert rules.ignores("pkg/sub/gen/a.py", False)
    assert not rules.ignores("gen/a.py", False)


def test_gitignore_reads_files_and_the_repo_exclude(tmp_path: Path) -> None:
    (tmp_path / ".git" / "info").mkdir(parents=True)
    (tmp_path / ".git" / "info" / "exclude").write_text("*.secret.py\nlocal.py\n")
    (tmp_path / ".gitignore").write_text("!local.py\n")
    rules = GitIgnore.for_repo(tmp_path).with_file(tmp_path / ".gitignore", "")
    assert rules.ignores("a.secret.py", False)
    assert not rules.ignores("local.py", False)  # .gitignore outweighs info/exclude
    assert rules.with_file(tmp_path / "missing", "") == rules


@pytest.mark.parametrize(
    ("path", "root", "expected"),
    [
        ("/r/a/b.py", "/r", "a/b.py"),
        ("/r", "/r", ""),
        ("/rx/a.py", "/r", None),
        ("/a.py", "/", "a.py"),
    ],
)
def test_relative_posix(path: str, root: str, expected: str | None) -> None:
    assert relative_posix(path, root) == expected


_RULE_PARTS = st.sampled_from(["build", "*.pyc", "*", "a", "b.py", "x*", "*.py", "?", "[ab]", "/", "**", "ckpt", "!", "-"])
_PATH_PARTS = st.sampled_from(["build", "a", "b.py", "x.pyc", "ab", "ckpt", "xy", "sub", ".pyc"])


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.lists(_RULE_PARTS, min_size=1, max_size=3).map("".join), min_size=1, max_size=8),
    st.sampled_from(["", "sub", "sub/a"]),
    st.lists(st.lists(_PATH_PARTS, min_size=1, max_size=4).map("/".join), min_size=1, max_size=10),
)
def test_a_rule_looked_up_by_basename_decides_as_its_regex_does(lines: list[str], base: str, paths: list[str]) -> None:
    """Rules naming a basename (or its end) plainly are looked up, not matched by the regex:
    every verdict is the one the regex of every rule gives, the latest matching rule deciding."""
    from wdlint.engine import globs

    rules = [rule for line in lines if (rule := globs._parse_gitignore_line(line, base)) is not None]
    for dir_only_too in (False, True):
        chosen = [rule for rule in rules if dir_only_too or not rule.dir_only]
        decider = globs._Decider(chosen, base)
        for rel in {f"{base}/{path}" if base else path for path in paths} | set(paths):  # below the base, or not
            latest = None
            for rule in chosen:
                if re.fullmatch(rule.source, rel, re.DOTALL):
                    latest = rule
            assert decider.verdict(rel) == (None if latest is None else not latest.negated), (lines, rel)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.lists(_RULE_PARTS, min_size=1, max_size=3).map("".join), min_size=1, max_size=8),
    st.lists(st.lists(_PATH_PARTS, min_size=1, max_size=4).map("/".join), min_size=1, max_size=10),
)
def test_a_glob_looked_up_by_basename_matches_as_its_regex_does(patterns: list[str], paths: list[str]) -> None:
    """Globs naming a basename (or its end) plainly, as the default excludes and includes do,
    are looked up, not matched by the regex: every entry matches exactly when a regex does."""
    patterns = [p for p in patterns if p.rstrip("/")]
    parsed = [Glob.parse(p.removeprefix("./")) for p in patterns]
    matcher = GlobSet(patterns)
    for path in paths:
        parts = path.split("/")
        name = parts[-1]
        for is_dir in (False, True):
            expected = any(
                re.fullmatch(glob.source, path if glob.anchored else name, re.DOTALL) is not None
                and (is_dir or not glob.dir_only)
                for glob in parsed
            )
            assert matcher.match(name, path, is_dir) == expected, (patterns, path, is_dir)


def test_the_default_excludes_and_includes_need_no_regex() -> None:
    """A pre-commit run on one file asks them about its path: lookups, and no regex to compile
    (the default excludes' took 0.9 ms)."""
    from wdlint.config import DEFAULT_EXCLUDE, DEFAULT_INCLUDE

    excludes, includes = GlobSet(DEFAULT_EXCLUDE), GlobSet(DEFAULT_INCLUDE)
    for matcher in (excludes, includes):
        for union in (matcher._names, matcher._paths):
            assert union._sources == ([], [])
    assert excludes.match_path("x/.venv/lib/a.py", False)
    assert excludes.match_path("x/wdlint.egg-info", True)
    assert not excludes.match_path("src/pkg/train.py", False)
    assert includes.match_path("train.py", False)
    assert not includes.match_path("train.txt", False)
