"""The lint host's side of the custom Lua boundary: starts the worker, talks to it, kills it.

One worker process serves a whole lint run, file after file. Every answer has a
deadline (the worker's CPU time, with a wall-clock backstop); a worker that misses one
(a long C function, an unhooked finalizer, a crash, an rlimit) is killed, and the file
it was running is loaded again in a fresh worker to go on with the next task. A whole
run has a budget of wall time shared by every file.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from .lua_worker import LIMIT_MESSAGE, TIME_LIMIT_S

WORKER = Path(__file__).with_name("lua_worker.py")
WORKER_MEMORY = 512 * 1024 * 1024  # RLIMIT_AS of the worker process
TASK_DEADLINE_S = TIME_LIMIT_S + 1.0  # worker CPU time per task, seen from the host
WALL_FACTOR = 2  # ... and at most this many times as much wall time
POLL_S = 0.1  # how often the worker's CPU time is read while waiting
START_DEADLINE_S = 20.0  # allowance for starting the interpreter on a busy machine
RUN_TIME_S = 60.0  # wall time for all custom Lua of one lint run
MAX_KILLS_PER_FILE = 3
MAX_ANSWER_BYTES = 64 * 1024 * 1024
BATCH_TASKS = 64
BATCH_BYTES = 2 * 1024 * 1024


class WorkerStopped(Exception):
    """The worker missed a deadline or died; it has been killed."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class RunStopped(Exception):
    """Work given to the worker was stopped; `answers` holds those it gave before."""

    def __init__(self) -> None:
        super().__init__()
        self.answers: list[dict[str, Any]] = []


class BudgetExhausted(RunStopped):
    """The lint run's time budget for custom Lua is spent."""


class FileAbandoned(RunStopped):
    """A file's tasks were stopped too often; its remaining tasks are not run."""


def _close_pipes(proc: subprocess.Popen[bytes]) -> None:
    """Close an ended worker's pipes to it."""
    for stream in (proc.stdin, proc.stdout):
        if stream is not None:
            try:
                stream.close()
            except OSError:
                pass


class LuaWorker:
    """A worker process for one lint run; `close()` ends it."""

    def __init__(self, run_time_s: float | None = None) -> None:
        budget = RUN_TIME_S if run_time_s is None else run_time_s
        self.budget_s = budget
        self.budget_deadline = time.monotonic() + budget
        self.proc: subprocess.Popen[bytes] | None = None
        self.buffer = bytearray()
        self.path = ""
        self.source = ""
        self.kills = 0
        self.starts = 0

    # -- process ---------------------------------------------------------------
    def _start(self) -> subprocess.Popen[bytes]:
        if time.monotonic() >= self.budget_deadline:
            raise BudgetExhausted()
        cpu = max(1, int(self.budget_s) + 5)
        self.proc = subprocess.Popen(
            [sys.executable, "-P", str(WORKER), str(WORKER_MEMORY), str(cpu)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            close_fds=True,
        )
        self.buffer = bytearray()
        self.starts += 1
        try:  # the interpreter and lupa start before any task's clock runs
            ready = self._receive(START_DEADLINE_S)
        except WorkerStopped:
            ready = {}
        if ready.get("status") != "ready":
            self._kill()
            raise WorkerStopped("custom lint worker did not start")
        return self.proc

    def _kill(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None:
            return
        try:
            proc.kill()
        except OSError:
            pass
        proc.wait()
        _close_pipes(proc)

    def close(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None:
            return
        try:
            assert proc.stdin is not None
            proc.stdin.close()
            proc.wait(timeout=1.0)
        except (OSError, subprocess.TimeoutExpired):
            proc.kill()
            proc.wait()
        _close_pipes(proc)

    # -- messages --------------------------------------------------------------
    def _send(self, message: dict[str, Any]) -> None:
        self._send_raw(_encode(message) + b"\n")

    def _send_raw(self, data: bytes) -> None:
        proc = self.proc or self._start()
        assert proc.stdin is not None
        try:
            proc.stdin.write(data)
            proc.stdin.flush()
        except OSError:
            pass  # the worker is gone: reading its answer reports it

    def _receive(self, seconds: float) -> dict[str, Any]:
        """The worker's next answer; it is killed once it spends `seconds` of CPU time on
        it (of wall time where CPU time cannot be read), or a multiple of that in wall
        time, so that a starved worker on a busy machine is not taken for a hung one."""
        proc = self.proc
        assert proc is not None and proc.stdout is not None
        start = time.monotonic()
        wall_deadline = start + WALL_FACTOR * seconds + 1.0
        cpu_start = _cpu_seconds(proc.pid)
        fd = proc.stdout.fileno()
        while True:
            end = self.buffer.find(b"\n")
            if end >= 0:
                line = bytes(self.buffer[:end])
                del self.buffer[: end + 1]
                try:
                    answer = json.loads(line)
                except ValueError:
                    self._kill()
                    raise WorkerStopped("custom lint worker sent an unreadable answer") from None
                if not isinstance(answer, dict):
                    self._kill()
                    raise WorkerStopped("custom lint worker sent an unreadable answer")
                return answer
            if len(self.buffer) > MAX_ANSWER_BYTES:
                self._kill()
                raise WorkerStopped("custom lint worker sent an oversized answer")
            now = time.monotonic()
            if now >= self.budget_deadline:
                self._kill()
                raise BudgetExhausted()
            if cpu_start is None:
                spent = now - start
            else:
                cpu = _cpu_seconds(proc.pid)
                spent = (cpu - cpu_start) if cpu is not None else now - start
            if spent >= seconds or now >= wall_deadline:
                self._kill()
                raise WorkerStopped(LIMIT_MESSAGE)
            wait = min(POLL_S, wall_deadline - now, self.budget_deadline - now, seconds - spent)
            ready, _, _ = select.select([fd], [], [], max(wait, 0.0))
            if not ready:
                continue
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                code = proc.wait()
                self._kill()
                # killed by RLIMIT_CPU/RLIMIT_AS or out of memory: the limits were exceeded
                raise WorkerStopped(LIMIT_MESSAGE if code != 0 else "custom lint worker stopped")
            self.buffer += chunk

    # -- operations ------------------------------------------------------------
    def load(self, path: str, source: str) -> dict[str, Any]:
        """Run a file's top level and register(lint) in a fresh runtime."""
        self.path, self.source, self.kills = path, source, 0
        return self._load()

    def _load(self) -> dict[str, Any]:
        request = {"op": "load", "path": self.path, "source": self.source}
        phase = "execute"
        try:
            self._send(request)
            answer = self._receive(TASK_DEADLINE_S)
            if answer.get("status") == "restart":  # the last file's runtime is not closed
                self._retire()
                self._send(request)
                answer = self._receive(TASK_DEADLINE_S)
            if answer.get("status") == "executed":  # the top level ran; now register(lint)
                phase = "register"
                answer = self._receive(TASK_DEADLINE_S)
        except WorkerStopped as stopped:
            return {"status": "failed", "phase": phase, "reason": stopped.reason}
        return answer

    def _retire(self) -> None:
        """Wait for a worker that exits on its own (briefly), else kill it."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        try:
            proc.wait(timeout=1.0)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        _close_pipes(proc)

    def run(self, handler: str, tasks: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """One answer per task, in order. Raises FileAbandoned or BudgetExhausted."""
        answers: list[dict[str, Any]] = []
        # each task is encoded once; a request carries a few of them
        pending = [_encode(task) for task in tasks]
        head = _encode({"op": "run", "handler": handler})[:-1] + b', "tasks": ['
        try:
            while pending:
                batch = _batch(pending)
                self._send_raw(head + b", ".join(batch) + b"]}\n")
                for task_index in range(len(batch)):
                    try:
                        answers.append(self._receive(TASK_DEADLINE_S))
                    except WorkerStopped as stopped:
                        answers.append({"status": "failed", "reason": stopped.reason})
                        pending = batch[task_index + 1 :] + pending
                        self._recover()
                        break
        except (FileAbandoned, BudgetExhausted) as stop:
            stop.answers = answers
            raise
        return answers

    def _recover(self) -> None:
        """Load the current file again in a fresh worker after a kill."""
        self.kills += 1
        if self.kills >= MAX_KILLS_PER_FILE:
            raise FileAbandoned()
        answer = self._load()
        if answer.get("status") != "ok":
            raise FileAbandoned()


_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _cpu_seconds(pid: int) -> float | None:
    """User plus system CPU time of a running child, from /proc (None where unavailable)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            fields = stat.read().rsplit(b")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _TICKS
    except (OSError, IndexError, ValueError):
        return None


def _encode(message: dict[str, Any]) -> bytes:
    return json.dumps(message, ensure_ascii=False).encode("utf-8", "surrogatepass")


def _batch(pending: list[bytes]) -> list[bytes]:
    """Take the next encoded tasks off `pending`: a few at a time, a bounded size per request."""
    size = 0
    count = 0
    for task in pending[:BATCH_TASKS]:
        size += len(task)
        count += 1
        if size > BATCH_BYTES:
            break
    batch = pending[:count]
    del pending[:count]
    return batch
