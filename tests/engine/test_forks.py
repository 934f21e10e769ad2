"""The forked workers (`engine/forks.py`): every task answered once and in order, each given to
whichever worker is free, a task's exception raised in the parent, a worker's death an error
rather than a hang, and no worker left behind."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from wdlint.engine.forks import WorkerDied, map_forked

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="workers are forked only where the platform can fork")


def _no_child_left() -> bool:
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


@pytest.mark.parametrize("processes", [1, 2, 3, 8])
def test_every_task_is_answered_in_order(processes: int) -> None:
    assert map_forked(lambda task: (task, task * task), 25, processes) == [(n, n * n) for n in range(25)]
    assert _no_child_left()


def test_each_task_runs_in_a_worker_not_in_the_parent() -> None:
    parent = os.getpid()
    assert parent not in map_forked(lambda task: os.getpid(), 6, 2)


def test_a_free_worker_takes_the_next_task(tmp_path: Path) -> None:
    """Task 0 waits until the last task has run: only a worker given the next task when free
    (not a share decided in advance) runs all the others meanwhile."""
    released = tmp_path / "released"

    def task(number: int) -> int:
        if number == 0:
            deadline = time.monotonic() + 60
            while not released.exists():
                assert time.monotonic() < deadline, "the last task never ran"
                time.sleep(0.01)
        if number == 9:
            released.touch()
        return os.getpid()

    pids = map_forked(task, 10, 2)
    assert pids[0] not in pids[1:]
    assert len(set(pids[1:])) == 1


def test_a_large_result_comes_back_whole() -> None:
    [result] = map_forked(lambda task: bytes(range(256)) * 40_000, 1, 2)  # 10 MB, many pipe buffers
    assert result == bytes(range(256)) * 40_000


def test_a_task_exception_is_raised_in_the_parent() -> None:
    def task(number: int) -> int:
        if number == 3:
            raise KeyError("three")
        return number

    with pytest.raises(KeyError, match="three"):
        map_forked(task, 8, 2)
    assert _no_child_left()


class _Unpicklable(Exception):
    def __reduce__(self) -> str | tuple[object, ...]:
        raise TypeError("not picklable")


def test_an_exception_that_does_not_pickle_arrives_as_its_text() -> None:
    def task(number: int) -> int:
        raise _Unpicklable("held a lock")

    with pytest.raises(RuntimeError, match="_Unpicklable: held a lock"):
        map_forked(task, 2, 2)
    assert _no_child_left()


def test_a_worker_that_dies_fails_the_run() -> None:
    def task(number: int) -> int:
        if number == 1:
            os._exit(9)  # killed, out of memory: no answer
        return number

    with pytest.raises(WorkerDied, match="ended while it linted"):
        map_forked(task, 4, 2)
    assert _no_child_left()


def test_what_the_parent_buffered_is_written_once(tmp_path: Path) -> None:
    script = (
        "import sys; from wdlint.engine.forks import map_forked\n"
        "sys.stdout.write('before\\n')\n"  # buffered: stdout is a pipe
        "print(map_forked(lambda task: task, 3, 2))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=tmp_path)
    assert done.stdout == "before\n[0, 1, 2]\n"
