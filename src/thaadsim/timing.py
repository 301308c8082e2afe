"""Stage timings: where the time of a run goes, recorded for benchmarks, printed by none.

Library code marks its stages with :func:`stage` (a context manager that adds the wall and
CPU seconds of its block to a named total); a benchmark wraps a run in :func:`recording`
and reads the totals it returns. Outside :func:`recording` nothing is kept, so a stage costs
two clock reads. Stages nest, and each stage is given its own time: an inner stage's time
counts in the inner stage only (the claims' own flights count as flights, not as claims),
so the stages add up to the time spent in them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class Timings:
    """Seconds per stage, in the order stages were first entered."""

    wall_s: dict[str, float] = field(default_factory=dict)
    cpu_s: dict[str, float] = field(default_factory=dict)
    calls: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, wall_s: float, cpu_s: float) -> None:
        self.wall_s[name] = self.wall_s.get(name, 0.0) + wall_s
        self.cpu_s[name] = self.cpu_s.get(name, 0.0) + cpu_s
        self.calls[name] = self.calls.get(name, 0) + 1


_active: list[Timings] = []


@contextmanager
def recording() -> Iterator[Timings]:
    """Record every :func:`stage` entered inside this block (in this thread of control)
    into the :class:`Timings` it yields."""
    timings = Timings()
    _active.append(timings)
    try:
        yield timings
    finally:
        _active.remove(timings)


_open: list[list[float]] = []
"""Stages being timed, innermost last: [wall and CPU seconds spent in inner stages]."""


Observer = Callable[[str | None, int | None, int | None], None]
"""Called with (a stage's name, None, None) as the stage starts, and with (None, done,
total) as a loop of work units advances (:func:`progress`)."""

_observers: list[Observer] = []


@contextmanager
def observing(observer: Observer) -> Iterator[None]:
    """Tell ``observer`` of every :func:`stage` entered and every :func:`progress` reported
    inside this block (``thaadsim serve``'s progress bar); the work itself is unchanged."""
    _observers.append(observer)
    try:
        yield
    finally:
        _observers.remove(observer)


def progress(done: int, total: int) -> None:
    """Tell the :func:`observing` observers that ``done`` of ``total`` units are done."""
    for observer in _observers:
        observer(None, done, total)


@contextmanager
def stage(name: str) -> Iterator[None]:
    """Add the wall and CPU time of the block, less that of the stages inside it, to stage
    ``name`` of every active :func:`recording` (nothing when none is active), and tell the
    :func:`observing` observers that it starts."""
    for observer in _observers:
        observer(name, None, None)
    if not _active:
        yield
        return
    wall0, cpu0 = time.perf_counter(), time.process_time()
    inner = [0.0, 0.0]
    _open.append(inner)
    try:
        yield
    finally:
        _open.pop()
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
        if _open:
            _open[-1][0] += wall
            _open[-1][1] += cpu
        for timings in _active:
            timings.add(name, wall - inner[0], cpu - inner[1])


__all__ = ["Observer", "Timings", "observing", "progress", "recording", "stage"]
