"""The result cache: hits, misses, invalidation, damage, and two writers."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import wdlint.engine.cache as cache_module
from wdlint.cli import cli
from wdlint.engine import runner
from wdlint.engine.cache import ResultCache
from wdlint.engine.jobs import FileJob, LintOptions

MISTAKE = "import torch\nopt = torch.optim.Adam(m.parameters(), weight_decay=1e-4)\n"
OPTIONS = LintOptions.from_selection()


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "train.py").write_text(MISTAKE)
    (tmp_path / "other.py").write_text("x = 1\n")
    return tmp_path


@pytest.fixture
def linted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files that were linted for real (not answered by the cache)."""
    seen: list[str] = []
    original = runner.lint_jobs

    def spy(jobs, options, processes=None, fix=None):  # type: ignore[no-untyped-def]
        seen.extend(job.display for job in jobs)
        return original(jobs, options, processes, fix)

    monkeypatch.setattr(runner, "lint_jobs", spy)
    return seen


def run(tree: Path, options: LintOptions = OPTIONS, cache_dir: Path | None = None) -> list[tuple[str, str]]:
    directory = cache_dir or tree / ".wdlint_cache"
    jobs = [FileJob(tree / name, name) for name in ("other.py", "train.py")]
    results = runner.lint_cached(jobs, options, 1, ResultCache(directory, options))
    return [(r.display, d.code) for r in results for d in r.diagnostics]


def test_warm_run_reads_nothing_and_reports_the_same(tree, linted):
    cold = run(tree)
    assert linted == ["other.py", "train.py"]
    linted.clear()
    assert run(tree) == cold == [("train.py", "WD101"), ("train.py", "WD201")]
    assert linted == []
    assert (tree / ".wdlint_cache" / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")
    assert (tree / ".wdlint_cache" / ".gitignore").read_text().endswith("*\n")


def test_only_the_changed_file_is_linted_again(tree, linted):
    run(tree)
    linted.clear()
    (tree / "train.py").write_text(MISTAKE.replace("1e-4", "0.0"))
    assert run(tree) == []
    assert linted == ["train.py"]


def test_touched_file_is_a_hit_after_a_read(tree, linted):
    run(tree)
    linted.clear()
    later = time.time() + 10
    os.utime(tree / "train.py", (later, later))
    assert run(tree) == [("train.py", "WD101"), ("train.py", "WD201")]
    assert linted == []


def test_settings_change_is_a_miss(tree, linted):
    run(tree)
    linted.clear()
    assert run(tree, LintOptions.from_selection(["WD1"])) == [("train.py", "WD101")]
    assert linted == ["other.py", "train.py"]


def test_version_change_is_a_miss(tree, linted, monkeypatch):
    run(tree)
    linted.clear()
    monkeypatch.setattr(cache_module, "__version__", "99.0")
    run(tree)
    assert linted == ["other.py", "train.py"]


def test_a_change_of_wdlint_itself_is_a_miss(tree, linted, monkeypatch):
    """A development checkout or an editable install changes the rules without a new version."""
    run(tree)
    linted.clear()
    monkeypatch.setattr(cache_module, "code_stamp", lambda: "other code")
    run(tree)
    assert linted == ["other.py", "train.py"]


def test_the_code_stamp_follows_wdlint_s_modules(tmp_path, monkeypatch):
    package = tmp_path / "wdlint"
    (package / "engine").mkdir(parents=True)
    (package / "engine" / "cache.py").write_text("")
    (package / "rules.py").write_text("A = 1\n")
    monkeypatch.setattr(cache_module, "__file__", str(package / "engine" / "cache.py"))
    stamps = []
    for content in ("A = 1\n", "A = 22\n"):
        (package / "rules.py").write_text(content)
        cache_module.code_stamp.cache_clear()
        stamps.append(cache_module.code_stamp())
    cache_module.code_stamp.cache_clear()
    assert stamps[0] != stamps[1]


def test_the_code_stamp_reads_every_folder_of_the_package_but_its_caches(tmp_path, monkeypatch):
    package = tmp_path / "wdlint"
    (package / "engine").mkdir(parents=True)
    (package / "engine" / "cache.py").write_text("")
    monkeypatch.setattr(cache_module, "__file__", str(package / "engine" / "cache.py"))

    def stamp() -> str:
        cache_module.code_stamp.cache_clear()
        try:
            return cache_module.code_stamp()
        finally:
            cache_module.code_stamp.cache_clear()

    before = stamp()
    (package / "engine" / "__pycache__").mkdir()
    (package / "engine" / "__pycache__" / "stale.py").write_text("")
    (package / "notes.txt").write_text("")
    assert stamp() == before
    (package / "analysis" / "deep").mkdir(parents=True)
    (package / "analysis" / "deep" / "new.py").write_text("")
    added = stamp()
    assert added != before and str(package / "analysis" / "deep" / "new.py") in added


def test_a_changed_import_invalidates_the_importer(tree, linted):
    (tree / "config.py").write_text("WD = 0.1\n")
    (tree / "train.py").write_text("import torch\nfrom config import WD\nopt = torch.optim.Adam(ps, weight_decay=WD)\n")
    assert run(tree) == [("train.py", "WD101")]
    linted.clear()
    (tree / "config.py").write_text("WD = 0.0\n")
    assert run(tree) == []
    assert linted == ["train.py"]


def _shard_files(tree: Path) -> list[Path]:
    return sorted((tree / ".wdlint_cache").rglob("*.json"))


@pytest.fixture
def json_reads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The JSON files read from now on (the cache's shards), in order."""
    reads: list[Path] = []
    original = Path.read_bytes

    def counted(self: Path) -> bytes:
        if self.suffix == ".json":
            reads.append(self)
        return original(self)

    monkeypatch.setattr(Path, "read_bytes", counted)
    return reads


@pytest.mark.parametrize("damage", [b"", b"{not json", b"[]", b'{"files": []}', b'{"files": {"x": 1}}'])
def test_damaged_cache_is_ignored_and_rewritten(tree, damage):
    expected = run(tree)
    for cache_file in _shard_files(tree):
        cache_file.write_bytes(damage)
    assert run(tree) == expected
    assert all(json.loads(cache_file.read_bytes())["files"] for cache_file in _shard_files(tree))


def test_damaged_entry_is_a_miss(tree, linted):
    run(tree)
    for cache_file in _shard_files(tree):
        data = json.loads(cache_file.read_bytes())
        for entry in data["files"].values():
            entry["diagnostics"] = [{"code": "WD101"}]
        cache_file.write_text(json.dumps(data))
    linted.clear()
    assert run(tree) == [("train.py", "WD101"), ("train.py", "WD201")]
    assert "train.py" in linted


def test_each_result_is_in_the_shard_its_path_picks_and_a_run_reads_only_its_files_shards(tmp_path, json_reads):
    """A project of many files, then one of them linted (the pre-commit hook): the run reads
    and writes the one shard that holds it, not the results of the whole project."""
    names = [f"module_{number}.py" for number in range(64)]
    for name in names:
        (tmp_path / name).write_text(MISTAKE)
    directory = tmp_path / ".wdlint_cache"
    jobs = [FileJob(tmp_path / name, name) for name in names]
    runner.lint_cached(jobs, OPTIONS, 1, ResultCache(directory, OPTIONS))
    shards = _shard_files(tmp_path)
    assert 1 < len(shards) <= cache_module.SHARDS  # 64 paths spread over several
    held = {path: set(json.loads(path.read_bytes())["files"]) for path in shards}
    assert sorted(key for keys in held.values() for key in keys) == sorted(str(tmp_path / name) for name in names)
    assert ResultCache(directory, OPTIONS).entries.keys() == {key for keys in held.values() for key in keys}

    json_reads.clear()
    (tmp_path / names[7]).write_text(MISTAKE + "\n")
    before = {path: path.stat().st_ino for path in shards}  # a save replaces a shard: a new inode
    [result] = runner.lint_cached([jobs[7]], OPTIONS, 1, ResultCache(directory, OPTIONS))
    assert [d.code for d in result.diagnostics] == ["WD101", "WD201"]
    [shard] = [path for path, keys in held.items() if str(tmp_path / names[7]) in keys]
    assert json_reads == [shard]
    assert [path for path in shards if path.stat().st_ino != before[path]] == [shard]


def test_concurrent_writers_merge_and_never_corrupt(tree):
    directory = tree / ".wdlint_cache"
    first, second = ResultCache(directory, OPTIONS), ResultCache(directory, OPTIONS)
    a, b = FileJob(tree / "train.py", "train.py"), FileJob(tree / "other.py", "other.py")
    first.store([a], runner.lint_jobs([a], OPTIONS, 1))
    second.store([b], runner.lint_jobs([b], OPTIONS, 1))
    first.save()
    second.save()  # read what `first` wrote, then replaced the file with both
    merged = ResultCache(directory, OPTIONS)
    assert sorted(Path(p).name for p in merged.entries) == ["other.py", "train.py"]
    assert not [p for p in (directory).rglob(".tmp-*")]


def test_a_save_reads_the_cache_file_again_only_when_another_run_replaced_it(tree, json_reads):
    """One file linted in a project with a large cache (the pre-commit hook): its shard is
    parsed once, not once more to merge, unless another run saved in between."""
    run(tree)
    (tree / "train.py").write_text(MISTAKE + "\n")
    json_reads.clear()
    assert run(tree) == [("train.py", "WD101"), ("train.py", "WD201")]
    shards = _shard_files(tree)  # train.py's and other.py's, which may be one
    assert sorted(json_reads) == shards
    json_reads.clear()
    cache = ResultCache(tree / ".wdlint_cache", OPTIONS)
    (tree / "train.py").write_text(MISTAKE)
    job = FileJob(tree / "train.py", "train.py")
    cache.store([job], runner.lint_jobs([job], OPTIONS, 1))
    run(tree)  # another run saves meanwhile
    cache.save()
    assert len(json_reads) == 1 + len(shards) + 1  # ours, the other run's, and the merge of what it wrote
    assert sorted(Path(p).name for p in ResultCache(tree / ".wdlint_cache", OPTIONS).entries) == ["other.py", "train.py"]


def test_cli_cache_options_and_clean(tree, monkeypatch):
    monkeypatch.chdir(tree)
    invoke = CliRunner().invoke
    assert invoke(cli, ["--isolated", "--no-cache", "."]).exit_code == 1
    assert not (tree / ".wdlint_cache").exists()
    assert invoke(cli, ["--isolated", "--cache-dir", "elsewhere", "."]).exit_code == 1
    assert (tree / "elsewhere" / "CACHEDIR.TAG").exists()
    monkeypatch.setenv("WDLINT_CACHE_DIR", str(tree / "from-env"))
    invoke(cli, ["--isolated", "."])
    assert (tree / "from-env" / "CACHEDIR.TAG").exists()
    result = invoke(cli, ["clean", "--isolated", "--cache-dir", "elsewhere"])
    assert result.output.startswith("Removed the cache at elsewhere")
    assert not (tree / "elsewhere").exists()
    assert invoke(cli, ["clean", "--isolated", "--cache-dir", "elsewhere"]).output.startswith("No cache at")


def test_clean_never_removes_a_directory_that_is_not_a_cache(tmp_path):
    (tmp_path / "precious").mkdir()
    (tmp_path / "precious" / "data.txt").write_text("x")
    assert cache_module.clean(tmp_path / "precious") is False
    assert (tmp_path / "precious" / "data.txt").exists()


def test_warm_full_output_still_shows_the_source(tree, monkeypatch):
    monkeypatch.chdir(tree)
    invoke = CliRunner().invoke
    cold = invoke(cli, ["--isolated", "."]).output
    warm = invoke(cli, ["--isolated", "."]).output
    assert cold == warm
    assert "2 | opt = torch.optim.Adam" in warm


def test_a_change_within_the_clock_tick_is_not_missed(tree):
    run(tree)
    stat = (tree / "train.py").stat()
    (tree / "train.py").write_text(MISTAKE.replace("1e-4", "2e-4"))  # same size
    os.utime(tree / "train.py", ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same time
    results = runner.lint_cached(
        [FileJob(tree / "train.py", "train.py")], OPTIONS, 1, ResultCache(tree / ".wdlint_cache", OPTIONS)
    )
    assert "0.0002" in results[0].diagnostics[0].message


def test_a_module_created_later_invalidates_the_importer(tree, linted):
    (tree / "train.py").write_text("import torch\nfrom hparams import WD\nopt = torch.optim.Adam(ps, weight_decay=WD)\n")
    assert run(tree) == [("train.py", "WD101")]  # WD unknown: counts as a decay knob
    (tree / "hparams.py").write_text("WD = 0.0\n")
    linted.clear()
    assert run(tree) == []
    assert linted == ["train.py"]


def test_cached_findings_are_named_as_this_run_names_the_file(tree):
    options = OPTIONS
    directory = tree / ".wdlint_cache"
    runner.lint_cached([FileJob(tree / "train.py", "train.py")], options, 1, ResultCache(directory, options))
    [result] = runner.lint_cached(
        [FileJob(tree / "train.py", "sub/../train.py")], options, 1, ResultCache(directory, options)
    )
    assert {d.filename for d in result.diagnostics} == {"sub/../train.py"}


def test_a_file_rewritten_while_it_is_linted_is_linted_again(tree, monkeypatch):
    """Another run's `--fix` (or an editor) rewrites a file, to the same size, while this run
    lints it: the findings are of the old content and must not be cached as the new one's."""
    import wdlint.engine.lint as lint_module

    path = tree / "train.py"
    now = time.time()
    os.utime(path, (now - 20, now - 20))  # both times old: no racy re-read hides the bug
    clean = MISTAKE.replace("1e-4", "0e-0")
    real = lint_module.lint_bytes

    def rewritten_meanwhile(data, filename, options, **keywords):  # type: ignore[no-untyped-def]
        result = real(data, filename, options, **keywords)
        if filename == "train.py":
            (tree / "train.py").write_text(clean)
            os.utime(tree / "train.py", (now - 10, now - 10))
        return result

    monkeypatch.setattr(lint_module, "lint_bytes", rewritten_meanwhile)
    assert run(tree) == [("train.py", "WD101"), ("train.py", "WD201")]  # what it read
    monkeypatch.setattr(lint_module, "lint_bytes", real)
    assert path.read_text() == clean and len(clean) == len(MISTAKE)
    assert run(tree) == []


def test_the_callers_of_a_helper_are_found_again_as_they_change(tmp_path, monkeypatch):
    """A helper linted with the callers of other files in mind, run after run with the cache:
    a new caller, and a caller that changed its argument, count as a run without the cache
    sees them, while the project's other files are not read again (their answers are kept,
    `analysis/scan_answers.py`)."""
    from wdlint.analysis import project_scan

    def write(name: str, text: str, seconds_ago: int = 3600) -> None:
        # written long enough ago to be trusted by its time (a file written within the clock
        # tick of its read is read again, `test_scan_answers.py`)
        (tmp_path / name).write_text(text)
        mtime = time.time_ns() - seconds_ago * 10**9
        os.utime(tmp_path / name, ns=(mtime, mtime))

    write("pyproject.toml", "")
    write("helpers.py", "import torch\n\ndef make_opt(net, wd=0.0):\n    return torch.optim.AdamW(net.parameters(), weight_decay=wd)\n")
    for number in range(20):
        write(f"unrelated{number}.py", f"x = {number}\n")

    def run_helper() -> list[str]:
        project_scan.clear_scans()  # a new process
        options = LintOptions.from_selection(select=["WD201"])
        jobs = [FileJob(tmp_path / "helpers.py", "helpers.py")]
        [result] = runner.lint_cached(jobs, options, 1, ResultCache(tmp_path / ".wdlint_cache", options))
        return [d.message.rpartition("(when called from ")[2] for d in result.diagnostics]

    assert run_helper() == []  # no caller: decay 0.0 by default
    write("train.py", "from helpers import make_opt\nopt = make_opt(net, wd=0.05)\n", seconds_ago=60)
    assert run_helper() == ["train.py:2 as `make_opt(net, wd=0.05)`)"]
    read: list[str] = []
    real = project_scan._read
    monkeypatch.setattr(project_scan, "_read", lambda location: read.append(os.path.basename(location)) or real(location))
    write("train.py", "from helpers import make_opt\nopt = make_opt(net, wd=0.00)\n", seconds_ago=30)
    assert run_helper() == []
    assert read == ["train.py"]
