import os
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wdlint.engine import prefilter, runner
from wdlint.engine.prefilter import may_contain_optimizer
from wdlint.engine.runner import FileJob, LintOptions, lint_job, lint_jobs
from wdlint.files import read_file

OPTIONS = LintOptions.from_selection()
MISTAKE = b"import torch\nopt = torch.optim.Adam(m.parameters(), weight_decay=1e-4)\n"


def test_unreadable_file_is_a_parse_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    path = tmp_path / "locked.py"
    path.write_bytes(MISTAKE)

    def refuse(*args: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("wdlint.files.os.open", refuse)
    [diagnostic] = lint_job(FileJob(path, "locked.py"), OPTIONS).diagnostics
    assert (diagnostic.code, diagnostic.message) == ("WD001", "cannot read file: Permission denied")


@pytest.mark.parametrize("size", [0, 1, 4096, 200_000])
def test_a_file_is_read_whole_whatever_the_reads_return(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: int):
    """A read may return less than asked (and a file may grow after its size was taken): the
    runner reads on to the end of the file."""
    path = tmp_path / "data.py"
    content = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
    path.write_bytes(content)
    assert read_file(path)[0] == content
    real_read = os.read
    monkeypatch.setattr("wdlint.files.os.read", lambda fd, n: real_read(fd, min(n, 999)))
    data, mtime_ns = read_file(path)
    assert data == content and mtime_ns == path.stat().st_mtime_ns


def test_a_directory_named_as_a_file_is_a_parse_error(tmp_path: Path):
    [diagnostic] = lint_job(FileJob(tmp_path, "somedir"), OPTIONS).diagnostics
    assert diagnostic.code == "WD001"


def test_per_file_ignores_apply_to_the_job(tmp_path: Path):
    path = tmp_path / "train.py"
    path.write_bytes(MISTAKE)
    result = lint_job(FileJob(path, "train.py", ignore=("WD1",)), OPTIONS)
    assert [d.code for d in result.diagnostics] == ["WD201"]
    assert result.source is not None
    assert lint_job(FileJob(path, "train.py", ignore=("WD",)), OPTIONS).source is None


@pytest.mark.parametrize(
    ("checksums", "forks"), [(True, True), (False, True), (True, False)], ids=["forked", "no checksums", "spawned"]
)
def test_results_keep_job_order_with_workers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, checksums: bool, forks: bool):
    """Enough files for two workers; results with findings, with another file read, with a
    WD001 and with nothing at all come back the same as from one process, in job order:
    from forked workers, and from the spawned interpreters of a platform without fork."""
    monkeypatch.setattr(runner, "_FORKS", forks)
    (tmp_path / "config.py").write_text("WD = 0.1\n")
    contents = [MISTAKE, b"x = 1\n", b"import torch\nfrom config import WD\nopt = torch.optim.Adam(p, weight_decay=WD)\n", b"\0"]
    jobs = []
    for i in range(2 * runner._MIN_FILES_FOR_WORKERS + 5):
        path = tmp_path / f"f{i}.py"
        path.write_bytes(contents[i // 10 % len(contents)] if i % 10 == 0 else b"x = 1\n" * (1 + i % 7))
        jobs.append(FileJob(path, f"f{i}.py"))
    serial = lint_jobs(jobs, OPTIONS, processes=1, checksums=checksums)
    parallel = lint_jobs(jobs, OPTIONS, processes=2, checksums=checksums)
    assert serial == parallel
    assert [r.display for r in parallel] == [j.display for j in jobs]
    assert {bool(r.diagnostics) for r in parallel} == {True, False} and any(r.dependencies for r in parallel)
    assert all((r.checksum is not None) is checksums for r in parallel)


@pytest.mark.parametrize(
    ("data", "kept"),
    (
        (b"import torch\nopt = torch.optim.AdamW(p)\n", True),
        (b"from bitsandbytes.optim import PagedAdamW8bit\n", True),
        (b"cfg = {'weight_decay': 0.1}\n", False),  # names no optimizer: nothing to construct
        (b"for g in opt.param_groups: pass\n", False),
        (b"from transformers import AdamW\n", True),
        (b"optim_wrapper = dict(optimizer=dict(lr=0.1))\n", True),
        (b"import numpy as np\nprint(np.zeros(3))\n", False),
        (b"", False),
    ),
)
def test_prefilter(data: bytes, kept: bool):
    assert may_contain_optimizer(data) is kept


def test_prefilter_keeps_every_positive_example():
    """Nothing the rules report is lost to the prefilter: fixtures and documented examples."""
    from wdlint.rules import all_rules

    fixtures = Path(__file__).parent.parent.parent / "fixtures"
    examples = [rule.example.encode() for rule in all_rules() if rule.static and rule.code != "WD001"]
    files = [p.read_bytes() for p in fixtures.rglob("*") if p.suffix in (".py", ".ipynb", ".yaml", ".yml")]
    assert examples and files
    for data in [*examples, *files]:
        if b"optimizer" in data or b"optim" in data or b"Adam" in data:
            assert may_contain_optimizer(data), data[:80]


# pieces of the names stage 2 looks for, cut where a lookup by anchor could go wrong
_PIECES = st.sampled_from(
    [
        *prefilter._NAMES, *prefilter._ANCHORS, b"Fused", b"CPU", b"apex.", b"peft.", b"create_", b"optimizer",
        b"optimizers", b"=dict", b" = dict", b":", b'"', b"W", b"x", b"\n", b"create_lora", b"plus", b"AdamAdam",
    ]
)


@settings(max_examples=500, deadline=None)
@given(st.lists(_PIECES, max_size=8).map(b"".join))
def test_stage_two_finds_a_name_exactly_when_it_is_there(data: bytes):
    """Looking for the names only where their anchor occurs finds what eleven scans would."""
    assert prefilter._names_a_construction(data) is any(name in data for name in prefilter._NAMES)


def _whole_vocabulary() -> list[bytes]:
    from wdlint.knowledge.optimizers import class_names

    return sorted({word.encode() for word in (*class_names(), *prefilter._EXTRA_VOCABULARY)})


def test_the_vocabulary_is_looked_for_by_the_words_that_hold_no_other():
    least = prefilter._vocabulary()
    assert least[0] == b"Adam" and b"AdamW" not in least and b"FusedAdam" not in least
    assert set(least) < set(_whole_vocabulary())
    assert all(any(word in other for word in least) for other in _whole_vocabulary())


# the words of the vocabulary, and pieces of them cut where one word ends inside another
_VOCABULARY_PIECES = st.sampled_from(
    [*_whole_vocabulary(), b"Ada", b"dam", b"Fused", b"Paged", b"W8bit", b"param_", b"groups", b"weight", b"_decay",
     b"S", b"GD", b"Mu", b"on", b"optim", b"\n", b" "]
)


@settings(max_examples=500, deadline=None)
@given(st.lists(_VOCABULARY_PIECES, max_size=8).map(b"".join))
def test_stage_three_finds_a_word_exactly_when_the_whole_vocabulary_would(data: bytes):
    """A scan for each shortest word finds a word of the vocabulary where one regex that
    alternates between all of them finds one."""
    everything = re.compile(b"|".join(re.escape(word) for word in _whole_vocabulary()))
    assert any(word in data for word in prefilter._vocabulary()) is (everything.search(data) is not None)


_CONFIG_PIECES = st.sampled_from(
    [b"adamw", b"adam", b"w", b"_", b"x", b"9", b"-", b":", b" ", b"\n", b"weight_decay", b"WEIGHT_", b"DECAY",
     b"!new:", b"!name:", b"!n", b"ame:", b"\xc3\xa9"]
)


@settings(max_examples=1000, deadline=None)
@given(st.lists(_CONFIG_PIECES, max_size=10).map(b"".join))
def test_a_config_passes_where_the_words_regex_would_pass_it(data: bytes):
    """The YAML prefilter's words, looked for by `in` and `adamw` as a word, pass a file where
    the one regex that alternated between them finds one."""
    words = re.compile(rb"weight_decay|WEIGHT_DECAY|\badamw\b|!n(?:ew|ame):")
    expected = prefilter.may_contain_optimizer(data) or words.search(data) is not None
    assert prefilter.may_configure_in_config(data) is expected


def test_a_file_garbage_is_collected_before_the_next_and_the_last_left(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The cycles a linted file leaves are collected before the next file is linted; a process
    that ends with the last one (a pre-commit hook's) never pays for its collection."""
    jobs = []
    for name, data in (("a.py", MISTAKE), ("plain.py", b"x = 1\n"), ("b.py", MISTAKE), ("c.py", MISTAKE)):
        (tmp_path / name).write_bytes(data)
        jobs.append(FileJob(tmp_path / name, name))
    collected: list[int] = []
    monkeypatch.setattr(runner, "_GARBAGE", runner._Garbage())
    monkeypatch.setattr(runner._Garbage, "OLDER_EVERY", 2)
    monkeypatch.setattr(runner._Garbage, "YOUNG", -1)  # whatever the files left
    monkeypatch.setattr(runner.gc, "collect", lambda generation=2: collected.append(generation) or 0)
    results = runner._run(jobs, OPTIONS, None)
    assert [len(r.diagnostics) > 0 for r in results] == [True, False, True, True]
    assert collected == [0, 1]  # before b.py and c.py; the middle generation every second time
    runner._run(jobs[:1], OPTIONS, None)  # the next share of a worker: c.py's first
    assert collected == [0, 1, 0]


def test_no_collection_while_the_files_leave_few_objects(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A collection scans what the per-process memos keep and, on the dense trees, finds
    nothing: it waits until the files linted since the last one left `YOUNG` objects."""
    jobs = []
    for name in ("a.py", "b.py", "c.py"):
        (tmp_path / name).write_bytes(MISTAKE)
        jobs.append(FileJob(tmp_path / name, name))
    collected: list[int] = []
    monkeypatch.setattr(runner, "_GARBAGE", runner._Garbage())
    monkeypatch.setattr(runner.gc, "collect", lambda generation=2: collected.append(generation) or 0)
    monkeypatch.setattr(runner.gc, "get_count", lambda: (runner._Garbage.YOUNG, 0, 0))
    runner._run(jobs, OPTIONS, None)
    assert collected == []
    monkeypatch.setattr(runner.gc, "get_count", lambda: (runner._Garbage.YOUNG + 1, 0, 0))
    runner._run(jobs, OPTIONS, None)
    assert collected == [0, 0, 0]  # the first file's too: the last run's were left


def _jobs_of_sizes(directory: Path, sizes: list[int]) -> list[FileJob]:
    directory.mkdir(exist_ok=True)
    jobs = []
    for number, size in enumerate(sizes):
        path = directory / f"{number:05}.py"
        path.write_bytes(b"#" * size)
        jobs.append(FileJob(path, path.name))
    return jobs


def test_the_biggest_files_go_first_one_at_a_time(tmp_path: Path) -> None:
    # the trainer, its arguments and its utilities lie side by side: each goes to a worker alone
    processes = 2
    alone = processes * runner._ALONE_PER_WORKER
    sizes = [1] * 100 + [1000 + n for n in range(alone)] + [1] * 100
    jobs = _jobs_of_sizes(tmp_path, sizes)
    batches = runner._batches(jobs, processes)
    assert [list(batch) for batch in batches[:alone]] == [[job] for job in reversed(jobs[100 : 100 + alone])]
    # the others keep their neighbours, the files before the big ones beside those after them
    assert [job for batch in batches[alone:] for job in batch] == jobs[:100] + jobs[100 + alone :]


def test_a_worker_s_batch_is_files_that_lie_together_the_biggest_file_s_first(tmp_path: Path) -> None:
    # past the files that go alone (none bigger than 500 here), the first batch holds the
    # biggest file and the second the most bytes: the first goes first
    alone = 2 * runner._ALONE_PER_WORKER
    batch = runner._BATCH
    rest = _jobs_of_sizes(tmp_path, [1] * (batch - 1) + [500] + [100] * batch + [3] * batch)
    jobs = rest + _jobs_of_sizes(tmp_path / "big", [600] * alone)
    batches = runner._batches(jobs, processes=2)
    assert [list(b) for b in batches[alone:]] == [rest[:batch], rest[batch : 2 * batch], rest[2 * batch :]]


def test_a_large_tree_s_batches_grow_so_that_each_worker_takes_a_bounded_number(tmp_path: Path) -> None:
    processes = 2
    alone = processes * runner._ALONE_PER_WORKER
    count = 4 * runner._BATCH * processes * runner._BATCHES_PER_WORKER + alone
    jobs = [FileJob(tmp_path / f"{number:05}.py", f"{number:05}.py") for number in range(count)]  # none there: size 0
    batches = runner._batches(jobs, processes)
    assert len(batches) == alone + processes * runner._BATCHES_PER_WORKER
    assert sorted(job.display for batch in batches for job in batch) == [job.display for job in jobs]  # each once
    assert [job for batch in batches[alone:] for job in batch] == jobs[alone:]  # neighbours together
