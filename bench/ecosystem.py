"""wdlint's real-world check, after ruff's ecosystem check: lint a pinned list of public training
code and compare every finding with reviewed expectations.

    python bench/ecosystem.py [--cache DIR] [--mirrors DIR] [--project NAME ...] [--update]

`bench/ecosystem/projects.toml` lists the projects: GitHub repositories pinned by commit, read
from the cache folder (`--cache`, else $WDLINT_ECOSYSTEM_CACHE, else ~/.cache/wdlint-ecosystem;
never inside this repository), and PyPI wheels or sdists pinned by version, which this script
downloads into the cache with `pip download --no-deps`. A repository missing from the cache is
put there from a local git directory when `--mirrors DIR` holds `DIR/owner+name/repo` (the
files at the pinned commit with a suffix wdlint lints, and .gitignore files; blobs the
directory lacks are skipped), else by `git clone` + `git checkout COMMIT`.

Each project's tree (or its `paths`) is linted by this checkout's wdlint in a subprocess,
`python -P -m wdlint check --isolated --no-cache --output-format json` with the default rules
and the opt-in rules of `REVIEWED_OPT_IN` (whose default is judged from these counts); every
finding (project, path, code, row) is compared with `bench/ecosystem/expected.toml`, where each
one has a reviewed verdict and a reason: TP (the claim holds and the code has the mistake),
TP-convention (the claim holds, but the code follows its field's deliberate convention: SGD
decaying every param of a CNN), FP (the claim does not hold). The run prints:

- NEW findings (not expected) and LOST findings (expected, gone): the exit status is 1 if any;
- a table per project: files linted, findings TP / TP-convention / FP / unreviewed, WD001s;
- the findings by code and verdict, and the totals of the default rules and of each opt-in one;
- WD001s (files wdlint could not read) on their own;
- coverage: optimizer constructions *present* (the plain scan of `PRESENT_PATTERNS`, and `YAML_PATTERNS` in YAML, counted
  per line) against the optimizer sites wdlint *extracted* (its own formats' parsers, in this
  process), per project and in total, so that silence shows as well as noise; `--silent N`
  lists up to N files where constructions are present and nothing was extracted.

`--update` rewrites expected.toml: verdicts and reasons of findings still found are kept, new
findings get `verdict = "?"` (to be reviewed by reading the code, never assumed TP), lost ones
are dropped.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/'s own modules, when loaded by path
from corpora import RUN_WDLINT

REPO = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent / "ecosystem"
PROJECTS = HERE / "projects.toml"
EXPECTED = HERE / "expected.toml"
CACHE_ENV = "WDLINT_ECOSYSTEM_CACHE"
KINDS = ("framework", "research", "notebook", "fine-tuning")
VERDICTS = ("TP", "TP-convention", "FP", "?")
# opt-in rules the check runs too, so that their findings are reviewed and their default judged
# from the counts: WD207, SGD's decay on every param (the classic recipe, mostly TP-convention)
REVIEWED_OPT_IN = ("WD207",)
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
WDLINT = (
    sys.executable, *RUN_WDLINT, "check", "--isolated", "--no-cache", "--output-format", "json",
    "--extend-select", ",".join(REVIEWED_OPT_IN),
)
# files copied from a git directory: what wdlint lints, and what its discovery reads
KEEP_SUFFIXES = (".py", ".pyi", ".ipynb", ".yaml", ".yml", ".json")
MAX_BLOB = 4 * 1024 * 1024  # the snapshots' limit, and wdlint's default max-file-size


@dataclass(frozen=True)
class Project:
    name: str
    source: str  # "github:owner/name" or "pypi:name==version"
    kind: str
    commit: str = ""  # github only
    dist: str = "wheel"  # pypi only: "wheel" or "sdist"
    paths: tuple[str, ...] = ()  # sub-paths to lint; () is the whole tree

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"{self.name}: kind {self.kind!r} is not one of {KINDS}")
        if self.source.startswith("github:") == (not self.commit):
            raise ValueError(f"{self.name}: a github source needs a commit, and only it")
        if not self.source.startswith(("github:", "pypi:")):
            raise ValueError(f"{self.name}: unknown source {self.source!r}")

    def tree(self, cache: Path) -> Path:
        kind, _, what = self.source.partition(":")
        if kind == "github":
            return cache / "github" / f"{what.replace('/', '+')}@{self.commit[:12]}"
        return cache / "pypi" / f"{what.replace('==', '-')}-{self.dist}"


Key = tuple[str, str, str, int]  # project, path (posix, relative to the tree), code, row


@dataclass
class Expectation:
    project: str
    path: str
    code: str
    row: int
    verdict: str = "?"
    reason: str = ""

    @property
    def key(self) -> Key:
        return (self.project, self.path, self.code, self.row)


@dataclass
class Coverage:
    files: int = 0  # files with at least one construction present
    present: int = 0
    extracted: int = 0
    silent: list[tuple[str, int]] = field(default_factory=list)  # (path, present) extracted nothing


# --- the lists ---------------------------------------------------------------------------------


def load_projects(path: Path = PROJECTS) -> list[Project]:
    table = tomllib.loads(path.read_text())
    projects = [
        Project(**{**entry, "paths": tuple(entry.get("paths", ()))}) for entry in table.get("project", [])
    ]
    names = Counter(p.name for p in projects)
    if doubled := [n for n, c in names.items() if c > 1]:
        raise ValueError(f"projects named twice: {doubled}")
    return projects


def load_expected(path: Path = EXPECTED) -> list[Expectation]:
    if not path.exists():
        return []
    entries = [Expectation(**entry) for entry in tomllib.loads(path.read_text()).get("finding", [])]
    for entry in entries:
        if entry.verdict not in VERDICTS:
            raise ValueError(f"{entry.key}: verdict {entry.verdict!r} is not one of {VERDICTS}")
    return entries


def _string(value: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's, and json.dumps writes no `\\/`)."""
    return json.dumps(value, ensure_ascii=False)


def dump_expected(entries: Iterable[Expectation]) -> str:
    lines = [
        "# Every finding of wdlint on bench/ecosystem/projects.toml, reviewed by reading the code:",
        '# verdict "TP" (the claim holds: a mistake), "TP-convention" (the claim holds, but the code follows',
        "# its field's deliberate convention), \"FP\" (it does not hold), \"?\" (not reviewed yet).",
        "# Rewritten by `python bench/ecosystem.py --update`, which keeps verdicts and reasons.",
    ]
    for e in sorted(entries, key=lambda e: e.key):
        lines += [
            "",
            "[[finding]]",
            f"project = {_string(e.project)}",
            f"path = {_string(e.path)}",
            f"code = {_string(e.code)}",
            f"row = {e.row}",
            f"verdict = {_string(e.verdict)}",
            f"reason = {_string(e.reason)}",
        ]
    return "\n".join(lines) + "\n"


def compare(found: Iterable[Key], expected: Iterable[Expectation]) -> tuple[list[Key], list[Expectation]]:
    """(new, lost): findings not expected, expectations not found."""
    found_set = set(found)
    known = {e.key for e in expected}
    return sorted(found_set - known), sorted((e for e in expected if e.key not in found_set), key=lambda e: e.key)


def updated(found: Iterable[Key], expected: Iterable[Expectation], projects: Iterable[str]) -> list[Expectation]:
    """The expectations after `--update`: those of projects not run stay as they are."""
    ran = set(projects)
    kept = {e.key: e for e in expected}
    result = [e for e in kept.values() if e.project not in ran]
    result += [kept.get(key) or Expectation(*key) for key in set(found)]
    return sorted(result, key=lambda e: e.key)


# --- the cache ---------------------------------------------------------------------------------


def default_cache() -> Path:
    return Path(os.environ.get(CACHE_ENV) or Path.home() / ".cache" / "wdlint-ecosystem")


def extract_git(git_dir: Path, commit: str, dest: Path) -> int:
    """The files of `commit` that wdlint may read, written under `dest`; the number written.
    Files of MAX_BLOB bytes or more are left out whatever the source (the snapshots lack them,
    so a clone and a snapshot give the same tree), and so are blobs the git directory lacks."""
    listing = subprocess.run(
        ["git", f"--git-dir={git_dir}", "ls-tree", "-r", "-l", "-z", commit], check=True, capture_output=True
    ).stdout.decode()
    wanted: list[tuple[str, str]] = []
    for entry in filter(None, listing.split("\0")):
        meta, _, name = entry.partition("\t")
        mode, kind, sha, size = meta.split()
        # size: "-" for a submodule, "BAD" for a blob the git directory lacks
        if kind != "blob" or mode == "120000" or not size.isdigit() or int(size) >= MAX_BLOB:
            continue
        if name.endswith(KEEP_SUFFIXES) or name.endswith(".gitignore"):
            wanted.append((sha, name))
    tmp = dest.with_name(dest.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    written = 0
    with subprocess.Popen(
        ["git", f"--git-dir={git_dir}", "cat-file", "--batch"], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    ) as batch:
        assert batch.stdin is not None and batch.stdout is not None
        for sha, name in wanted:
            batch.stdin.write(sha.encode() + b"\n")
            batch.stdin.flush()
            header = batch.stdout.readline().split()
            if header[-1] == b"missing":
                continue
            data = batch.stdout.read(int(header[2]))
            batch.stdout.read(1)  # the newline after each object
            target = tmp / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            written += 1
        batch.stdin.close()
    tmp.mkdir(parents=True, exist_ok=True)
    tmp.rename(dest)
    return written


def fetch_github(project: Project, tree: Path, mirrors: Path | None) -> None:
    owner_name = project.source.removeprefix("github:")
    tree.parent.mkdir(parents=True, exist_ok=True)
    if mirrors is not None and (git_dir := mirrors / owner_name.replace("/", "+") / "repo").is_dir():
        extract_git(git_dir, project.commit, tree)
        return
    with tempfile.TemporaryDirectory(dir=tree.parent) as clone:
        subprocess.run(["git", "clone", "--quiet", f"https://github.com/{owner_name}", clone], check=True)
        subprocess.run(["git", "-C", clone, "checkout", "--quiet", project.commit], check=True)
        extract_git(Path(clone) / ".git", project.commit, tree)


def fetch_pypi(project: Project, tree: Path) -> None:
    requirement = project.source.removeprefix("pypi:")
    binary = "--only-binary=:all:" if project.dist == "wheel" else "--no-binary=:all:"
    with tempfile.TemporaryDirectory() as download:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", binary, "--dest", download, requirement],
            check=True,
        )
        [archive] = [p for p in Path(download).iterdir() if p.is_file()]
        tmp = tree.with_name(tree.name + ".partial")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        if archive.suffix == ".whl" or archive.suffix == ".zip":
            with zipfile.ZipFile(archive) as z:
                z.extractall(tmp)
        else:
            with tarfile.open(archive) as t:
                t.extractall(tmp, filter="data")  # type: ignore[call-arg,unused-ignore]
        (tmp / "ECOSYSTEM_ARCHIVE").write_text(archive.name + "\n")
        tmp.rename(tree)


def ensure(project: Project, cache: Path, mirrors: Path | None) -> Path:
    tree = project.tree(cache)
    if not tree.is_dir():
        if project.source.startswith("github:"):
            fetch_github(project, tree, mirrors)
        else:
            fetch_pypi(project, tree)
    return tree


# --- what is present, what wdlint extracted ----------------------------------------------------

# The plain scan for optimizer constructions, one count per line that matches any of:
# - `optim.X(`: any capitalised name called through a module called `optim` (torch.optim,
#   bnb.optim, from torch import optim);
# - a known optimizer class called by its bare name: `Adam(`, `AdamW(`, `SGD(`, `FusedAdam(`...
#   (`wdlint.knowledge.optimizers.class_names()`), not after `class `/`def `;
# - the factories `create_optimizer(`, `create_optimizer_v2(`, `create_loraplus_optimizer(`,
#   and HF `TrainingArguments(` (the Trainer builds AdamW from its weight_decay);
# - config keys: YAML `optimizer:`/`optim:` with a value or a block, `_target_: torch.optim.X`,
#   `class_path: torch.optim.X`, HyperPyYAML `!new:torch.optim.X`/`!name:torch.optim.X`,
#   DeepSpeed JSON `"optimizer": {`, mmengine/mmcv `optimizer = dict(`/`optim_wrapper = dict(`.
PRESENT_PATTERNS: tuple[str, ...] = (
    r"\boptim\.[A-Z]\w*\s*\(",
    r"(?<!class )(?<!def )(?<![\w.])(?:{names})\s*\(",  # {names}: class_names()
    r"\b(?:create_optimizer(?:_v2)?|create_loraplus_optimizer|TrainingArguments)\s*\(",
    r"\"optimizer\"\s*:\s*\{",
    r"\b(?:optimizer|optim_wrapper)\s*=\s*dict\s*\(",
)
# in YAML files only (in Python, `optimizer: Optimizer` is an annotation)
YAML_PATTERNS: tuple[str, ...] = (
    r"^\s*(?:-\s*)?optim(?:izer)?\s*:(?!\s*(?:null|~|None)?\s*(?:#.*)?$)",  # a value
    r"^\s*(?:-\s*)?optim(?:izer)?\s*:\s*(?:#.*)?$",  # a block
    r"(?:_target_|class_path)\s*:\s*[\"']?torch\.optim\.[A-Z]",
    r"!(?:new|name):torch\.optim\.[A-Z]",
)
YAML_SUFFIXES = (".yaml", ".yml")


@functools.cache
def _present_pattern(yaml: bool) -> re.Pattern[str]:
    sys.path.insert(0, str(REPO))
    from wdlint.knowledge.optimizers import class_names

    names = "|".join(sorted(map(re.escape, class_names()), key=len, reverse=True))
    patterns = PRESENT_PATTERNS + (YAML_PATTERNS if yaml else ())
    return re.compile("|".join(p.replace("{names}", names) for p in patterns))


def present_rows(text: str, suffix: str = ".py") -> list[int]:
    """The 1-based rows where the plain scan sees a construction in a file of that suffix."""
    pattern = _present_pattern(suffix.lower() in YAML_SUFFIXES)
    return [row for row, line in enumerate(text.splitlines(), 1) if pattern.search(line)]


def extracted_sites(path: Path) -> int:
    """How many optimizer sites this checkout's wdlint builds from the file (0 for one its
    prefilter drops or it cannot read)."""
    sys.path.insert(0, str(REPO))
    from wdlint.frontends.formats import format_for
    from wdlint.frontends.text import SourceError

    data = path.read_bytes()
    form = format_for(path)
    if not form.may_configure_optimizer(data):
        return 0
    try:
        parsed = form.parse(form.decode(data), str(path), 0)
        return sum(len(list(group.sites)) for group in parsed.sites(path))
    except (SourceError, RecursionError):
        return 0


def lint_files(tree: Path, paths: Sequence[str]) -> list[Path]:
    """The files a `wdlint check --isolated` of `paths` in `tree` looks at, relative to `tree`."""
    sys.path.insert(0, str(REPO))
    from wdlint.config import resolve_settings
    from wdlint.engine.discover import discover

    settings = resolve_settings([], None, True, tree)
    found = discover([tree / p for p in paths or ["."]], settings, include=settings.included).files
    return [Path(os.path.relpath(f, tree)) for f in found]


def coverage(tree: Path, files: Iterable[Path]) -> Coverage:
    result = Coverage()
    for name in files:
        path = tree / name
        rows = present_rows(path.read_bytes().decode("utf-8", errors="replace"), path.suffix)
        count = extracted_sites(path) if rows or path.suffix in (".py", ".ipynb") else 0
        if rows:
            result.files += 1
            result.present += len(rows)
            if not count:
                result.silent.append((f"{name.as_posix()}:{rows[0]}", len(rows)))
        result.extracted += count
    return result


# --- the run -----------------------------------------------------------------------------------


@dataclass
class Findings:
    keys: list[Key]
    messages: dict[Key, str]


def lint(project: Project, tree: Path) -> Findings:
    done = subprocess.run(
        [*WDLINT, *(project.paths or ["."])], check=False, cwd=tree, env=ENV, capture_output=True, text=True
    )
    if done.returncode not in (0, 1):
        raise RuntimeError(f"{project.name}: wdlint exited {done.returncode}: {done.stderr[-2000:]}")
    keys: list[Key] = []
    messages: dict[Key, str] = {}
    for d in json.loads(done.stdout):
        key = (project.name, Path(d["filename"]).as_posix(), d["code"], int(d["location"]["row"]))
        if d.get("cell") is not None:  # a notebook's finding: its cell, then the row in it
            key = (project.name, f"{key[1]}#cell{d['cell']}", key[2], key[3])
        keys.append(key)
        messages[key] = d["message"]
    return Findings(keys, messages)


def verdict_totals(found: Iterable[Key], verdicts: dict[Key, str]) -> list[str]:
    """The findings by verdict: the default rules', then each reviewed opt-in rule's."""
    parts = [("default rules", [k for k in found if k[2] not in REVIEWED_OPT_IN])]
    parts += [(f"opt-in {code}", [k for k in found if k[2] == code]) for code in REVIEWED_OPT_IN]
    lines = []
    for label, keys in parts:
        tally = Counter(verdicts.get(k, "?") for k in keys)
        lines.append(f"{label}: {len(keys)} findings, " + ", ".join(f"{v} {tally[v]}" for v in VERDICTS))
    return lines


def table(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))) for r in rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cache", type=Path, default=None, help=f"default: ${CACHE_ENV} or ~/.cache/wdlint-ecosystem")
    parser.add_argument("--mirrors", type=Path, default=None, help="git directories to extract repositories from")
    parser.add_argument("--project", action="append", default=[], help="only these projects (repeatable)")
    parser.add_argument("--projects", type=Path, default=PROJECTS)
    parser.add_argument("--expected", type=Path, default=EXPECTED)
    parser.add_argument("--update", action="store_true", help="rewrite the expectations (new ones: verdict ?)")
    parser.add_argument("--silent", type=int, default=0, metavar="N", help="list N files with constructions and no site")
    args = parser.parse_args(argv)
    cache = (args.cache or default_cache()).expanduser().resolve()
    if cache.is_relative_to(REPO):
        parser.error("the cache must be outside this repository: third-party code is never committed")
    projects = [p for p in load_projects(args.projects) if not args.project or p.name in args.project]
    if unknown := set(args.project) - {p.name for p in projects}:
        parser.error(f"unknown projects: {sorted(unknown)}")
    expected = load_expected(args.expected)
    ran = {p.name for p in projects}
    verdicts = {e.key: e.verdict for e in expected}

    found: list[Key] = []
    messages: dict[Key, str] = {}
    rows = [["project", "kind", "files", *VERDICTS, "WD001", "present", "extracted", "silent files"]]
    total = Coverage()
    total_files = 0
    for project in projects:
        tree = ensure(project, cache, args.mirrors)
        findings = lint(project, tree)
        files = lint_files(tree, project.paths)
        cover = coverage(tree, files)
        found += findings.keys
        messages.update(findings.messages)
        tally = Counter(verdicts.get(k, "?") for k in findings.keys)
        wd001 = sum(1 for k in findings.keys if k[2] == "WD001")
        rows.append([project.name, project.kind, str(len(files)), *(str(tally[v]) for v in VERDICTS),
                     str(wd001), str(cover.present), str(cover.extracted), str(len(cover.silent))])
        total_files += len(files)
        total.files += cover.files
        total.present += cover.present
        total.extracted += cover.extracted
        total.silent += [(f"{project.name}/{where}", n) for where, n in cover.silent]

    relevant = [e for e in expected if e.project in ran]
    new, lost = compare(found, relevant)
    for key in new:
        print(f"NEW   {key[0]}/{key[1]}:{key[3]} {key[2]} {messages.get(key, '')}")
    for e in lost:
        print(f"LOST  {e.project}/{e.path}:{e.row} {e.code} (was {e.verdict}: {e.reason})")
    tally = Counter(verdicts.get(k, "?") for k in found)
    by_code = Counter((k[2], verdicts.get(k, "?")) for k in found)
    rows.append(["total", "", str(total_files), *(str(tally[v]) for v in VERDICTS),
                 str(sum(1 for k in found if k[2] == "WD001")), str(total.present), str(total.extracted),
                 str(len(total.silent))])
    print(table(rows))
    print("findings by code: " + ", ".join(f"{c} {v}={n}" for (c, v), n in sorted(by_code.items())))
    for line in verdict_totals(found, verdicts):
        print(line)
    # WD001 on a valid file (verdict FP) is a bug: the ecosystem's valid files must all be read
    wd001 = sorted(k for k in found if k[2] == "WD001")
    for key in wd001:
        state = {"FP": "valid file", "TP": "invalid file"}.get(verdicts.get(key, "?"), "unreviewed")
        print(f"WD001 ({state}) {key[0]}/{key[1]}:{key[3]} {messages.get(key, '')}")
    valid = sum(1 for k in wd001 if verdicts.get(k) == "FP")
    print(f"WD001: {len(wd001)} files not read, {valid} of them valid")
    print(
        f"coverage: {total.present} constructions present in {total.files} files of {len(projects)} projects, "
        f"{total.extracted} optimizer sites extracted; {len(total.silent)} files with constructions and no site"
    )
    for where, n in sorted(total.silent, key=lambda s: -s[1])[: args.silent]:
        print(f"SILENT {where} ({n} present)")
    print(f"{len(new)} new, {len(lost)} lost, {tally['?']} unreviewed")
    if args.update:
        args.expected.write_text(dump_expected(updated(found, expected, ran)))
        print(f"wrote {args.expected}")
    return 1 if new or lost else 0


if __name__ == "__main__":
    sys.exit(main())
