"""The forked workers that share a run's batches: results in order, every batch run once,
failures reported, and no process left behind."""

import os
import re
import signal
import sys

import pytest

from wdlint.engine import workers
from wdlint.engine.workers import WorkerError, run_batches

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="forked workers are POSIX's")


def _children() -> set[int]:
    """This process's child processes, zombies included (Linux's /proc)."""
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == os.getpid():
                found.add(int(entry))
    return found


@pytest.fixture(autouse=True)
def _no_process_left() -> object:
    before = _children() if os.path.isdir("/proc") else set()
    yield
    if os.path.isdir("/proc"):
        assert _children() <= before


@pytest.mark.parametrize(("count", "processes"), [(1, 2), (2, 2), (7, 2), (50, 3), (5, 8)])
def test_every_batch_runs_once_and_results_come_in_order(count: int, processes: int) -> None:
    results = run_batches(count, processes, lambda number: (number, os.getpid(), "x" * number))
    assert [(number, text) for number, _, text in results] == [(number, "x" * number) for number in range(count)]
    assert all(pid != os.getpid() for _, pid, _ in results)  # run by workers, not the parent
    assert len({pid for _, pid, _ in results}) <= min(processes, count)


def test_a_worker_takes_the_next_batch_when_it_is_free() -> None:
    """The first batch is slow: the other worker runs every other batch meanwhile, as it would
    take them from a shared queue."""

    def work(number: int) -> int:
        if number == 0:
            import time

            time.sleep(0.5)
        return os.getpid()

    pids = run_batches(6, 2, work)
    assert len(set(pids)) == 2 and pids[1:] == [pids[1]] * 5


def test_large_results_come_back_whole() -> None:
    """Results larger than a pipe holds, from both workers at once."""
    big = run_batches(4, 2, lambda number: bytes([number]) * 3_000_000)
    assert [len(b) for b in big] == [3_000_000] * 4 and [b[-1] for b in big] == [0, 1, 2, 3]


def test_an_exception_in_a_worker_ends_the_run_with_its_traceback() -> None:
    def work(number: int) -> int:
        if number == 3:
            raise ValueError("bad batch")
        return number

    with pytest.raises(WorkerError, match=r"(?s)a worker process failed:.*ValueError: bad batch"):
        run_batches(8, 2, work)


def test_a_worker_that_dies_ends_the_run_with_an_error_that_says_so() -> None:
    def work(number: int) -> int:
        if number == 2:
            os.kill(os.getpid(), signal.SIGKILL)
        return number

    with pytest.raises(WorkerError, match=rf"killed by signal {int(signal.SIGKILL)} while linting batch 2"):
        run_batches(6, 2, work)


def test_a_worker_that_exits_is_reported_with_its_status() -> None:
    def work(number: int) -> int:
        os._exit(3)

    with pytest.raises(WorkerError, match="exited with status 3 while linting batch"):
        run_batches(2, 1, work)


def test_what_the_parent_wrote_before_is_not_written_again_by_a_worker(capfd: pytest.CaptureFixture[str]) -> None:
    sys.stdout.write("before the workers\n")  # buffered, not yet flushed when the workers fork
    run_batches(4, 2, lambda number: print(f"batch {number}") or number)
    out = capfd.readouterr().out
    assert out.count("before the workers") == 1
    # two workers print at once, and `print` writes the text and its newline apart: lines may
    # interleave ("batch 2batch 3"), so count the batches' words rather than whole lines
    assert sorted(re.findall(r"batch \d", out)) == [f"batch {n}" for n in range(4)]


def test_an_interrupted_run_leaves_no_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C while the parent waits: the workers still running are ended and waited for."""

    def interrupted(self: object) -> list[object]:
        raise KeyboardInterrupt

    monkeypatch.setattr(workers._Dispatch, "results", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run_batches(4, 2, lambda number: number)
