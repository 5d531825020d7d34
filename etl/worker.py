"""Run the reading of an untrusted file in a child process with memory, CPU and wall-clock limits.

A crafted file can make the reader library abort the whole process (calamine asked for 512 GB by an xlsx
of a few kilobytes: a Rust abort, not an exception) or keep it busy for minutes. In the dashboard that
process is the Streamlit server, so the reading runs in a child: the server survives whatever the file
does, and gets back either the result (picklable data) or a `WorkerFailed` naming the limit.

Children are forked from a "forkserver" that has already imported the reading modules (numpy, pandas,
calamine, etl), so a task costs a fork and the pickling of its arguments and result, not the imports.
"""

from __future__ import annotations

import io
import multiprocessing
import multiprocessing.popen_forkserver
import os
import resource
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import config
from errors import WorkerFailed

# imported once by the forkserver, so each child starts with them in memory
PRELOAD = ["numpy", "pandas", "python_calamine", "defusedxml.ElementTree", "etl.read", "etl.table", "etl.columns",
           "etl.units", "etl.parse", "etl.checks", "etl.load"]
_GRACE_CPU_SECONDS = 5  # between SIGXCPU (the soft limit) and SIGKILL (the hard one)


@dataclass(frozen=True)
class Limits:
    memory_mb: int = config.WORKER_MEMORY_MB
    seconds: float = config.WORKER_SECONDS
    cpu_seconds: int = config.WORKER_CPU_SECONDS


class _Popen(multiprocessing.popen_forkserver.Popen):
    """The forkserver's launch without the caller's __main__: multiprocessing would run the parent's main
    script or module again in every child (for the dashboard, Streamlit's launcher), which the reading
    does not need and which would cost an import of Streamlit per file. Otherwise as Python 3.11's."""

    def _launch(self, process_obj: Any) -> None:
        from multiprocessing import forkserver, reduction, spawn, util
        from multiprocessing.context import set_spawning_popen
        prep_data = spawn.get_preparation_data(process_obj._name)
        prep_data.pop("init_main_from_name", None)
        prep_data.pop("init_main_from_path", None)
        buf = io.BytesIO()
        set_spawning_popen(self)
        try:
            reduction.dump(prep_data, buf)
            reduction.dump(process_obj, buf)
        finally:
            set_spawning_popen(None)
        self.sentinel, w = forkserver.connect_to_new_process(self._fds)
        _parent_w = os.dup(w)  # as the original: a sentinel of the parent for the child
        self.finalizer = util.Finalize(self, util.close_fds, (_parent_w, self.sentinel))
        with open(w, "wb", closefd=True) as f:
            f.write(buf.getbuffer())
        self.pid = forkserver.read_signed(self.sentinel)


class _Process(multiprocessing.context.ForkServerProcess):
    @staticmethod
    def _Popen(process_obj: Any) -> _Popen:
        return _Popen(process_obj)


_context: multiprocessing.context.BaseContext | None = None
# the last task's figures, for the benchmarks: peak virtual memory of the child (what RLIMIT_AS counts), seconds
last_run: dict[str, float] = {}
_context_lock = threading.Lock()


def _get_context() -> multiprocessing.context.BaseContext:
    """The forkserver context, its server preloading the reading modules (started on first use)."""
    global _context
    with _context_lock:
        if _context is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(PRELOAD)
            _context = context
        return _context


def run_bounded(task: Callable[..., Any], *args: Any, limits: Limits | None = None) -> Any:
    """`task(*args)` in a bounded child process; its return value, or WorkerFailed with the limit hit.

    `task` and `args` must be picklable (a module-level function), as must the result. An exception the
    task raises comes back as WorkerFailed("worker_crashed") carrying its text, except MemoryError
    ("worker_memory")."""
    limits = limits or Limits()
    context = _get_context()
    receiver, sender = context.Pipe(duplex=False)
    child = _Process(target=_child, args=(sender, task, args, limits), daemon=True)
    started = time.monotonic()
    child.start()
    sender.close()  # the child holds the only writing end: its death reads as end-of-file here
    outcome: tuple[str, Any] | None = None
    try:
        if receiver.poll(limits.seconds):
            try:
                outcome = receiver.recv()
            except (EOFError, OSError):  # died before (or while) answering
                outcome = None
        else:
            _stop(child)
            raise WorkerFailed("worker_timeout", seconds=_round(limits.seconds))
    finally:
        receiver.close()
        if outcome is not None:
            child.join(timeout=5)
        _stop(child)
    if outcome is None:
        raise _death(child.exitcode, limits, time.monotonic() - started)
    kind, value, peak = outcome
    last_run.update(peak_vm_mb=peak, seconds=time.monotonic() - started)
    if kind == "ok":
        return value
    if kind == "memory":
        raise WorkerFailed("worker_memory", limit_mb=limits.memory_mb)
    raise WorkerFailed("worker_crashed", how=value)


def _stop(child: multiprocessing.process.BaseProcess) -> None:
    if child.is_alive():
        child.kill()
    child.join(timeout=5)


def _death(exitcode: int | None, limits: Limits, elapsed: float) -> WorkerFailed:
    """What a child that died without answering ran into, from how it ended."""
    if exitcode is not None and exitcode < 0:
        number = -exitcode
        if number == signal.SIGXCPU:  # the soft CPU limit (the hard one follows only if it were caught)
            return WorkerFailed("worker_cpu", seconds=limits.cpu_seconds)
        if number in (signal.SIGKILL, signal.SIGABRT, signal.SIGSEGV, signal.SIGBUS):
            # an allocation refused under RLIMIT_AS aborts native code (Rust, C); the kernel's
            # out-of-memory killer sends SIGKILL: both are, in practice, the memory limit
            return WorkerFailed("worker_memory", limit_mb=limits.memory_mb, how=signal.Signals(number).name)
        return WorkerFailed("worker_crashed", how=signal.Signals(number).name)
    return WorkerFailed("worker_crashed", how=f"exit {exitcode}")


def _round(seconds: float) -> int | float:
    return int(seconds) if float(seconds).is_integer() else float(f"{seconds:.3g}")


def _peak_vm_mb() -> float | None:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmPeak:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _child(sender: Any, task: Callable[..., Any], args: tuple[Any, ...], limits: Limits) -> None:
    """In the child: set the limits, run the task, send ('ok', result) | ('memory', None) | ('error', text)."""
    memory = limits.memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    cpu = max(1, int(limits.cpu_seconds))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + _GRACE_CPU_SECONDS))
    try:
        outcome: tuple[str, Any] = ("ok", task(*args))
    except MemoryError:
        outcome = ("memory", None)
    except BaseException as exc:  # noqa: BLE001 - anything the task raises is reported, typed, by the parent
        outcome = ("error", f"{type(exc).__name__}: {str(exc)[:200]}")
    try:
        sender.send((*outcome, _peak_vm_mb()))
    except MemoryError:  # the result itself did not fit: say so in a few bytes
        outcome = None
        sender.send(("memory", None, None))
    sender.close()
    os._exit(0)  # no interpreter teardown: the parent has what it needs
