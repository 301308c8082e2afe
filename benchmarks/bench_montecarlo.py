"""Benchmark: the Monte Carlo runner on a 20-missile raid, 1 worker against 2.

Run with ``python benchmarks/bench_montecarlo.py`` (``--help`` for options).

The raid and defense of ``bench_engagement.py``: 20 Scud-C fired together from Pyongyang at
the Seongju THAAD site, the Seongju battery (salvo-2) with its AN/TPY-2 in terminal mode.

* runner: :func:`thaadsim.studies.montecarlo.run_chunks` with the engagement task, the
  two-level Monte Carlo (a pool of ``--pool`` radar/tracker outcomes per distinct threat,
  built once per run; every trial resamples it and runs fire control and the kill draws),
  in this process, then in 1 and 2 worker processes (the same executor, so the ratio is the
  workers' speed-up; the processes' start and the pool are inside the timing). All three
  give the same table, which is checked.
* baseline, from the same run: :func:`thaadsim.engagement.simulate`, which tracks every
  threat afresh in every trial, called with one trial at a time (the per-trial loop) and
  with all its trials at once.

Goal: at least 10,000 trials per second of the 20-missile raid.
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import pandas as pd
from bench_engagement import scenario  # the same raid and defense (benchmarks/ is on the path)

from thaadsim.engagement import simulate
from thaadsim.studies import montecarlo as mc

GOAL = 10_000.0


def timed(fn):  # type: ignore[no-untyped-def]
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=20, help="missiles in the raid")
    parser.add_argument("--trials", type=int, default=100_000, help="trials of the runner")
    parser.add_argument("--chunk", type=int, default=mc.DEFAULT_CHUNK_TRIALS,
                        help="trials per chunk")
    parser.add_argument("--pool", type=int, default=mc.DEFAULT_POOL_SIZE,
                        help="tracking outcomes per distinct threat")
    parser.add_argument("--baseline", type=int, default=5, help="trials of the loop")
    parser.add_argument("--batched", type=int, default=40, help="trials of simulate at once")
    args = parser.parse_args()
    raid, defense = scenario(args.count)
    task = mc.EngagementTask(raid=tuple(raid), defense=defense, pool_size=args.pool)
    print(f"{args.count} x Scud-C, Pyongyang -> Seongju, salvo-2; {args.trials} trials in "
          f"chunks of {args.chunk}, pool {args.pool} per distinct threat "
          f"({platform.processor() or platform.machine()}, {os.cpu_count()} CPUs)")
    simulate(raid, defense, trials=2, seed=99)  # warm-up: compiles, builds the reach table

    def run(executor: str, workers: int | None = None, seed: int = 1) -> pd.DataFrame:
        return mc.run_chunks(task, args.trials, seed, chunk_trials=args.chunk,
                             executor=executor, workers=workers, progress=False)

    _, t_prepare = timed(lambda: task.prepare(1))  # the pool, then cached in this process
    first, t_in = timed(lambda: run("inprocess"))
    one, t_p1 = timed(lambda: run("processes", 1))
    two, t_p2 = timed(lambda: run("processes", 2))
    pd.testing.assert_frame_equal(one, first)
    pd.testing.assert_frame_equal(two, first)
    _, t_loop = timed(lambda: [simulate(raid, defense, trials=1, seed=1000 + s)
                               for s in range(args.baseline)])
    _, t_batch = timed(lambda: simulate(raid, defense, trials=args.batched, seed=5))
    result = mc.EngagementRun(frame=first, trials=args.trials, n_threats=args.count,
                              pool_size=args.pool)
    print(f"P(no leak) {result.p_no_leak:.3f}, expected leakers {result.expected_leakers:.2f}, "
          f"interceptors used {result.interceptors_used:.1f}")
    print(f"pool built once per run: {t_prepare:.2f} s (flights, geometry, "
          f"{args.pool} tracks per distinct threat)")
    rows = [
        ("runner, in-process (pool cached)", args.trials, t_in),
        ("runner, 1 worker process", args.trials, t_p1),
        ("runner, 2 worker processes", args.trials, t_p2),
        ("simulate, per-trial loop", args.baseline, t_loop),
        ("simulate, all trials at once", args.batched, t_batch),
    ]
    print(f"{'':36s}{'trials/s':>10s}")
    for name, n, t in rows:
        print(f"{name:36s}{n / t:10.1f}   ({t:.2f} s for {n} trials)")
    rate_in, rate1, rate2 = args.trials / t_in, args.trials / t_p1, args.trials / t_p2
    loop = args.baseline / t_loop
    print(f"speed-up 1 -> 2 workers: {rate2 / rate1:.2f}x; in-process over the per-trial "
          f"loop: {rate_in / loop:.0f}x; over simulate at once: "
          f"{rate_in / (args.batched / t_batch):.0f}x")
    best = max(rate_in, rate1, rate2)
    print(f"goal {GOAL:,.0f} trials/s: {'met' if best >= GOAL else 'NOT met'} "
          f"(best {best:,.0f}; in-process {rate_in:,.0f})")


if __name__ == "__main__":
    main()
