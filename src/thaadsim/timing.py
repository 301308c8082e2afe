"""Stage timings: where the time of a run goes, recorded for benchmarks, printed by none.

Library code marks its stages with :func:`stage` (a context manager that adds the wall and
CPU seconds of its block to a named total); a benchmark wraps a run in :func:`recording`
and reads the totals it returns. Outside :func:`recording` nothing is kept, so a stage costs
two clock reads. Stages nest: an inner stage's time also counts in the outer one's.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
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


@contextmanager
def stage(name: str) -> Iterator[None]:
    """Add the wall and CPU time of the block to stage ``name`` of every active
    :func:`recording` (nothing when none is active)."""
    if not _active:
        yield
        return
    wall0, cpu0 = time.perf_counter(), time.process_time()
    try:
        yield
    finally:
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
        for timings in _active:
            timings.add(name, wall, cpu)


__all__ = ["Timings", "recording", "stage"]
