"""Tasks shared between forked copies of this process (POSIX), each taking the next when done.

`concurrent.futures.ProcessPoolExecutor` does this for any platform, at a price a lint run
pays before its first file: importing it and `multiprocessing` (and `logging`, `socket`,
`pickle`, `threading`: about 15 ms, half the interpreter's own start-up), a management
thread, queues and their feeder threads. A forked child already holds everything a task
needs (the jobs, the options, the function), so a task here is its number: the parent writes
it down one pipe per child, the child writes the pickled result back up another, and a
`select` over those pipes hands the next number to whichever child answered first.

A child leaves with `os._exit` (no exit callback of the parent's runs twice, no buffer of the
parent's is flushed twice). An exception a task raises is raised again in the parent; a
child that dies mid-task (killed, out of memory) makes the run fail with `WorkerDied` rather
than hang.
"""

from __future__ import annotations

import os
import select
import sys
from collections.abc import Callable
from typing import TypeVar

_R = TypeVar("_R")
_HEADER = 8  # bytes: a message's length (a task's number going down)
_STOP = (1 << 64) - 1  # the number that tells a child to leave


class WorkerDied(RuntimeError):
    """A child process ended before it answered its task."""


class _Child:
    def __init__(self, pid: int, tasks: int, results: int) -> None:
        self.pid, self.tasks, self.results = pid, tasks, results
        self.task: int | None = None  # the task it is working on


def map_forked(function: Callable[[int], _R], count: int, processes: int) -> list[_R]:
    """`[function(0), ..., function(count - 1)]`, computed in `processes` forked children,
    each given the next task as soon as it answers its last one."""
    import pickle  # only a run with workers needs it

    results: dict[int, _R] = {}
    children: list[_Child] = []
    for stream in (sys.stdout, sys.stderr):  # or a child would write what is buffered again
        if stream is not None:
            stream.flush()
    try:
        for _ in range(min(processes, count)):
            children.append(_fork(function, children))
        waiting = list(range(count - 1, -1, -1))  # popped from the end: task 0 first
        for child in children:
            _give(child, waiting)
        busy = {child.results: child for child in children if child.task is not None}
        while busy:
            ready, _, _ = select.select(list(busy), [], [])
            for descriptor in ready:
                child = busy[descriptor]
                message = _receive(child.results)
                if message is None:
                    raise WorkerDied(f"a worker process (pid {child.pid}) ended while it linted; its files were not linted")
                ok, value = pickle.loads(message)
                if not ok:
                    raise value
                assert child.task is not None
                results[child.task] = value
                _give(child, waiting)
                if child.task is None:
                    del busy[descriptor]
    finally:
        for child in children:
            os.close(child.tasks)  # a child still waiting for a task leaves on the end of its pipe
            os.close(child.results)
        for child in children:
            os.waitpid(child.pid, 0)
    return [results[task] for task in range(count)]


def _give(child: _Child, waiting: list[int]) -> None:
    child.task = waiting.pop() if waiting else None
    _write(child.tasks, (_STOP if child.task is None else child.task).to_bytes(_HEADER, "little"))


def _fork(function: Callable[[int], _R], siblings: list[_Child]) -> _Child:
    task_read, task_write = os.pipe()
    result_read, result_write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: it never returns
        code = 1
        try:
            for descriptor in (task_write, result_read, *(d for s in siblings for d in (s.tasks, s.results))):
                os.close(descriptor)
            _serve(function, task_read, result_write)
            code = 0
        finally:
            for stream in (sys.stdout, sys.stderr):
                try:
                    if stream is not None:
                        stream.flush()
                except Exception:  # noqa: BLE001  leaving regardless
                    pass
            os._exit(code)
    os.close(task_read)
    os.close(result_write)
    return _Child(pid, task_write, result_read)


def _serve(function: Callable[[int], _R], tasks: int, results: int) -> None:
    import pickle

    while True:
        header = _read_exactly(tasks, _HEADER)
        if header is None:
            return  # the parent is gone, or done
        task = int.from_bytes(header, "little")
        if task == _STOP:
            return
        try:
            message = pickle.dumps((True, function(task)), pickle.HIGHEST_PROTOCOL)
        except BaseException as error:  # noqa: BLE001  sent to the parent, which raises it
            try:
                message = pickle.dumps((False, error), pickle.HIGHEST_PROTOCOL)
            except Exception:  # noqa: BLE001  an exception that does not pickle: its text
                message = pickle.dumps((False, RuntimeError(f"{type(error).__name__}: {error}")))
        _write(results, len(message).to_bytes(_HEADER, "little") + message)


def _receive(descriptor: int) -> bytes | None:
    """A whole message from a child; None where the child ended first."""
    header = _read_exactly(descriptor, _HEADER)
    return None if header is None else _read_exactly(descriptor, int.from_bytes(header, "little"))


def _read_exactly(descriptor: int, size: int) -> bytes | None:
    parts = []
    while size:
        part = os.read(descriptor, min(size, 1 << 20))
        if not part:
            return None
        parts.append(part)
        size -= len(part)
    return b"".join(parts)


def _write(descriptor: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(descriptor, view) :]
