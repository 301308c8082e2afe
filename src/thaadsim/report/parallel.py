"""Figures drawn two at a time: some in a forked child process while this one draws the rest.

Matplotlib draws in Python and in C++ that holds the interpreter lock, so threads do not
draw two figures at once; a second process does. Starting one the ordinary way (spawn, a
pool) costs about as much as the figures (a new interpreter importing Matplotlib), but a
fork starts in milliseconds with everything already imported and the data already there.
:func:`draw` forks one child on Linux when at least two CPUs are available; the child draws
the jobs set aside for it and sends their PNG bytes back through a pipe, while this process
draws the others. Without a fork (another system, one CPU) or when the child fails, is
killed or is silent for ``timeout_s``, every job is drawn here, one after the other, as
before: the result is the same bytes either way.

The child touches nothing that another thread of this process may hold at the fork (a
spinner's thread writing to the terminal, say): it never writes to standard output or
error (its ``sys.stdout`` and ``sys.stderr`` are replaced by the null device), its warnings
are recorded and sent back with its figures (and issued here), and it leaves by
``os._exit`` (no exit handlers, no flush of buffers it shares with this process). Its jobs
must only draw (Matplotlib, NumPy, Shapely), not call the compiled parallel kernels, whose
worker threads do not exist in a forked child.
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import sys
import time
import warnings
from collections.abc import Callable, Collection, Mapping
from typing import Any

Job = Callable[[], Any]

TIMEOUT_S = 120.0
"""The child is given up (killed, its jobs drawn here) after this long without a byte."""


def can_fork() -> bool:
    """Whether :func:`draw` may fork: Linux (a fork without exec is unsafe with macOS's
    system libraries, and Windows has none) and at least two CPUs this process may run on."""
    if not sys.platform.startswith("linux") or not hasattr(os, "fork"):
        return False
    try:
        return len(os.sched_getaffinity(0)) > 1
    except OSError:  # pragma: no cover - affinity unreadable: be safe
        return False


def _child(jobs: Mapping[str, Job], names: Collection[str], write_fd: int) -> None:
    """In the forked child: draw ``names``, write the pickled results, leave by ``_exit``."""
    code = 1
    try:
        sys.stdout = sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - left by _exit
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("default")
            results = {name: jobs[name]() for name in names}
        notes = [(w.category, str(w.message), w.filename, w.lineno) for w in caught]
        try:
            data = pickle.dumps((results, notes))
        except Exception:  # a warning's category that does not pickle: its text only
            data = pickle.dumps((results, [(UserWarning, m, f, n) for _, m, f, n in notes]))
        view = memoryview(data)
        while view:
            view = view[os.write(write_fd, view):]
        code = 0
    except BaseException:  # noqa: S110 - the parent draws these jobs itself
        pass
    finally:
        os._exit(code)


def _fork(jobs: Mapping[str, Job], names: Collection[str]) -> tuple[int, int] | None:
    """Fork a child drawing ``names``; (its pid, the pipe's read end), or None."""
    read_fd, write_fd = os.pipe()
    try:
        with warnings.catch_warnings():
            # Python 3.12+ warns when a process with other threads forks; the child is
            # written not to need what they may hold (module docstring)
            warnings.filterwarnings("ignore", message=r".*use of fork\(\) may lead to deadlocks",
                                    category=DeprecationWarning)
            pid = os.fork()
    except OSError:
        os.close(read_fd)
        os.close(write_fd)
        return None
    if pid == 0:  # pragma: no cover - the child; coverage does not follow it
        os.close(read_fd)
        _child(jobs, names, write_fd)
    os.close(write_fd)
    return pid, read_fd


def _collect(pid: int, read_fd: int, timeout_s: float) -> dict[str, Any]:
    """The child's results ({} when it failed or fell silent) and its warnings issued;
    the child is always reaped."""
    chunks: list[bytes] = []
    ok = True
    status = 1
    try:
        while True:
            ready, _, _ = select.select([read_fd], [], [], timeout_s)
            if not ready:
                ok = False
                os.kill(pid, signal.SIGKILL)
                break
            chunk = os.read(read_fd, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(read_fd)
        status = _reap(pid)
    if not ok or status != 0:
        return {}
    try:
        results, notes = pickle.loads(b"".join(chunks))
    except Exception:
        return {}
    for category, message, filename, lineno in notes:
        warnings.warn_explicit(message, category, filename, lineno)
    return dict(results)


def _reap(pid: int) -> int:
    """Wait for the child (killed if it has not exited 5 s after its pipe closed) and
    return its exit status."""
    deadline = time.monotonic() + 5.0
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
        time.sleep(0.002)


def draw(jobs: Mapping[str, Job], aside: Collection[str] = (), *,
         fork: bool | None = None, timeout_s: float = TIMEOUT_S) -> dict[str, Any]:
    """Every job's result, by name, in the order of ``jobs``: those named in ``aside`` drawn
    in a forked child while this process draws the rest (``fork``: None forks when
    :func:`can_fork`, False never; module docstring). A job that fails raises here, as it
    would drawn here alone."""
    names = [name for name in jobs if name in aside]
    forked = _fork(jobs, names) if names and (can_fork() if fork is None else fork) else None
    results: dict[str, Any] = {}
    try:
        for name in jobs:
            if forked is None or name not in names:
                results[name] = jobs[name]()
    except BaseException:
        if forked is not None:
            pid, read_fd = forked
            os.kill(pid, signal.SIGKILL)
            os.close(read_fd)
            _reap(pid)
        raise
    if forked is not None:
        results.update(_collect(*forked, timeout_s))
    for name in names:
        if name not in results:  # the child failed: drawn here
            results[name] = jobs[name]()
    return {name: results[name] for name in jobs}


__all__ = ["TIMEOUT_S", "can_fork", "draw"]
