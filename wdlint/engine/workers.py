"""Forked worker processes that take numbered batches of work, the next one as each is done.

A run over thousands of files shares them between the cores (`engine/runner.py`). On POSIX
the workers are forked, so each starts with everything the parent imported and finds the jobs
where the parent left them; all a worker is told is a batch's number. `concurrent.futures`'
process pool did this and cost a run 25 to 35 ms before the first batch began (measured on
transformers' 2,951 files, where the whole run is 0.4 s): importing it (`multiprocessing`,
`logging`, `threading` and their kin, 12 to 15 ms), starting its manager thread and queues,
and a round trip through them for each batch. Here the parent talks to each worker over two
pipes and waits with `poll`:

- the parent writes a batch's number (4 bytes) to a worker's task pipe when the worker is
  idle; a worker takes its next batch only when it has sent the last one's results, so the
  batches (the dearest first) go to whichever worker is free, as from a shared queue;
- a worker sends back each batch's results pickled, framed by their length, and leaves when
  its task pipe is closed (`os._exit`: it runs none of the parent's exit callbacks and
  flushes none of its buffers).

An exception in a worker ends the run with that exception's traceback; a worker that dies
(a signal, the kernel's out-of-memory killer) ends it with an error that says so, as the
process pool's `BrokenProcessPool` did. The workers are always waited for: none outlives the
run, even one interrupted (Ctrl-C reaches the workers too, which then leave quietly).
"""

from __future__ import annotations

import contextlib
import os
import pickle
import select
import signal
import sys

TYPE_CHECKING = False  # `typing` is for type checkers only (docs/architecture.md)
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, NoReturn, TypeVar

    _T = TypeVar("_T")

_TASK = 4  # bytes of a batch's number
_LENGTH = 8  # bytes of a result frame's length
_FAILED = -1  # a frame's number when it carries a worker's traceback, not a batch's results


class WorkerError(RuntimeError):
    """A worker process raised an exception or died; the message says which."""


def run_batches(count: int, processes: int, work: Callable[[int], _T]) -> list[_T]:
    """`work(number)` for every batch `number` in `range(count)`, run by `processes` forked
    workers, each taking the lowest-numbered batch not yet taken when it is free; the results
    in batch order. POSIX only (`os.fork`)."""
    for stream in (sys.stdout, sys.stderr):  # what the parent wrote is not written again by a worker
        if stream is not None:
            stream.flush()
    workers: list[_Worker] = []
    try:
        for _ in range(min(processes, count)):
            workers.append(_Worker.start(work, [d for w in workers for d in (w.tasks, w.results) if d is not None]))
        results: list[_T] = _Dispatch(count, workers).results()
        return results
    finally:
        for worker in workers:
            worker.end()


class _Worker:
    """A forked worker as the parent sees it: its pipes, and the batch it is running."""

    def __init__(self, pid: int, tasks: int, results: int) -> None:
        self.pid = pid
        self.tasks: int | None = tasks  # write end; None once closed (no more batches)
        self.results: int | None = results  # read end; None once the worker closed it
        self.running: int | None = None  # the batch it was given and has not answered
        self.received = bytearray()

    @classmethod
    def start(cls, work: Callable[[int], object], others: list[int]) -> _Worker:
        """Fork a worker; `others`: the parent's ends of the pipes of the workers started
        before it, which it closes (a copy of a task pipe's end kept open elsewhere would keep
        that worker waiting for more batches after the parent closed its own)."""
        task_read, task_write = os.pipe()
        result_read, result_write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the worker: never returns
            for descriptor in (task_write, result_read, *others):
                os.close(descriptor)
            _serve(task_read, result_write, work)
        os.close(task_read)
        os.close(result_write)
        return cls(pid, task_write, result_read)

    def give(self, number: int | None) -> None:
        """Send the batch `number`; None: there is none left, so the worker may leave."""
        assert self.tasks is not None
        if number is None:
            os.close(self.tasks)
            self.tasks = None
            return
        self.running = number
        _write_all(self.tasks, number.to_bytes(_TASK, "big"))

    def frames(self, chunk: bytes) -> list[tuple[int, object]]:
        """The whole frames received so far, with `chunk` added to what was left over."""
        self.received += chunk
        found = []
        while len(self.received) >= _LENGTH:
            size = int.from_bytes(self.received[:_LENGTH], "big")
            if len(self.received) < _LENGTH + size:
                break
            frame = bytes(self.received[_LENGTH : _LENGTH + size])
            del self.received[: _LENGTH + size]
            found.append(pickle.loads(frame))
        return found

    def died(self) -> WorkerError:
        """The error for a worker whose results ended before its batch's did."""
        _, status = os.waitpid(self.pid, 0)
        self.pid = 0  # waited for
        if os.WIFSIGNALED(status):
            how = f"was killed by signal {os.WTERMSIG(status)}"
        else:
            how = f"exited with status {os.waitstatus_to_exitcode(status)}"
        return WorkerError(f"a worker process {how} while linting batch {self.running}")

    def end(self) -> None:
        """Close the pipes and wait for the process; one still running (the run failed or was
        interrupted) is terminated first."""
        for descriptor in (self.tasks, self.results):
            if descriptor is not None:
                os.close(descriptor)
        still_running = self.results is not None
        self.tasks = self.results = None
        if not self.pid:
            return
        if still_running:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGTERM)
        os.waitpid(self.pid, 0)
        self.pid = 0


class _Dispatch:
    """The parent's side: batches handed out in order, results collected as they come."""

    def __init__(self, count: int, workers: list[_Worker]) -> None:
        self.count = count
        self.workers = workers
        self.next = 0
        self.done: dict[int, Any] = {}

    def results(self) -> list[Any]:
        by_descriptor = {}
        poller = select.poll()
        for worker in self.workers:
            self._give_next(worker)
            assert worker.results is not None
            by_descriptor[worker.results] = worker
            poller.register(worker.results, select.POLLIN)
        while by_descriptor:
            for descriptor, _ in poller.poll():
                worker = by_descriptor[descriptor]
                chunk = os.read(descriptor, 1 << 20)
                if not chunk:  # the worker closed its end: it has left
                    poller.unregister(descriptor)
                    del by_descriptor[descriptor]
                    os.close(descriptor)
                    worker.results = None
                    if worker.running is not None:
                        raise worker.died()
                    continue
                for number, value in worker.frames(chunk):
                    if number == _FAILED:
                        raise WorkerError(f"a worker process failed:\n{value}")
                    self.done[number] = value  # what `work` returned
                    worker.running = None
                    self._give_next(worker)
        return [self.done[number] for number in range(self.count)]

    def _give_next(self, worker: _Worker) -> None:
        if self.next < self.count:
            worker.give(self.next)
            self.next += 1
        else:
            worker.give(None)


def _serve(tasks: int, results: int, work: Callable[[int], object]) -> NoReturn:
    """A worker's life: run each batch it is given, send its results, leave at the end."""
    code = 0
    try:
        while True:
            task = _read_exactly(tasks, _TASK)
            if not task:
                break
            number = int.from_bytes(task, "big")
            _send(results, (number, work(number)))
    except KeyboardInterrupt:  # the terminal's Ctrl-C reaches every process: the parent reports it
        code = 130
    except BaseException:  # noqa: BLE001  sent to the parent, which raises it
        import traceback

        code = 1
        with contextlib.suppress(BaseException):  # the parent is gone: nobody to tell
            _send(results, (_FAILED, traceback.format_exc()))
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(BaseException):  # a closed stream: nothing more to say
                if stream is not None:
                    stream.flush()
        os._exit(code)


def _send(descriptor: int, frame: tuple[int, object]) -> None:
    data = pickle.dumps(frame, pickle.HIGHEST_PROTOCOL)
    _write_all(descriptor, len(data).to_bytes(_LENGTH, "big") + data)


def _write_all(descriptor: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(descriptor, view) :]


def _read_exactly(descriptor: int, size: int) -> bytes:
    """`size` bytes, or none at the end of the pipe."""
    data = b""
    while len(data) < size:
        chunk = os.read(descriptor, size - len(data))
        if not chunk:
            return b""
        data += chunk
    return data
