"""Worker processes for `kbsync lint --jobs N` that never outlive the run.

A worker left behind keeps a CPU busy and a CI job's container alive. So:

- Ctrl-C (SIGINT) goes to the parent only (workers ignore it); the parent then ends the pool;
- when the parent dies for any reason (SIGTERM, SIGKILL, a crash), each worker dies too: on
  Linux the kernel sends it SIGKILL (`prctl(PR_SET_PDEATHSIG)`); elsewhere, and as a backstop,
  a watchdog thread in the worker exits as soon as its parent process is no longer the one
  that started it;
- any error or interrupt in the parent terminates the workers before it is raised on.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

ResultT = TypeVar("ResultT")

_PR_SET_PDEATHSIG = 1
_WATCH_SECONDS = 0.5


def run_in_workers(
    work: Callable[..., ResultT], calls: Sequence[tuple[Any, ...]], workers: int
) -> list[ResultT]:
    """`[work(*args) for args in calls]`, spread over `workers` processes, in order."""
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    pool = context.Pool(workers, initializer=_start_worker, initargs=(os.getpid(),))
    try:
        pending = [pool.apply_async(work, args) for args in calls]
        results = [result.get() for result in pending]
    except BaseException:
        pool.terminate()  # SIGTERM to every worker, now, not after their chunks
        pool.join()
        raise
    pool.close()
    pool.join()
    return results


def _start_worker(parent: int) -> None:
    """Run in each worker before its first task."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent()
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(1)
    threading.Thread(target=_watch, args=(parent,), name="kbsync-parent-watch", daemon=True).start()


def _die_with_parent() -> None:
    """Ask Linux to SIGKILL this process when its parent dies (elsewhere: nothing to do)."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def _watch(parent: int) -> None:
    while True:
        time.sleep(_WATCH_SECONDS)
        if os.getppid() != parent:
            os._exit(1)
