"""Benchmark: peak memory against trials, per-trial tracking (issue 14).

Run with ``python benchmarks/bench_memory.py`` (``--help`` for options).

Each size runs in its own subprocess: ``thaadsim raid --count 30 --missile scud-er
--trials N --json`` (the radar and tracker in every trial, :func:`thaadsim.engagement.
simulate`, which streams its trials in chunks of
:data:`thaadsim.engagement.CHUNK_THREAT_TRIALS` threat-trials). Printed per size: the
child's peak resident memory (``ru_maxrss``), its wall and CPU seconds, CPU milliseconds
per trial, and how much the peak grew over the first size per threat-trial more. Memory
stays nearly flat: the chunk's working set, plus the few columns raid keeps
(:class:`thaadsim.engagement.Keep`: leaks, opportunities, reason codes, the sensor's
times, the shots' kill probabilities; ~50 bytes per threat-trial).

Measured (2 CPUs shared with other jobs, load average 7.6-9): 50 trials 351 MB; 2,000
trials 381 MB, 45.5 CPU ms per trial; 20,000 trials 389 MB, 2,398 s wall, 904 CPU s (45.2 ms
per trial). Before ``Keep`` (all 22 columns kept, names as strings, chunks concatenated):
2,000 trials 368 MB, 20,000 trials 747 MB (~0.7 kB per threat-trial), 893 CPU s.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from bench_run import child as run  # one way to measure a child (benchmarks/ is on the path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trials", type=int, nargs="+", default=[50, 250, 1000])
    parser.add_argument("--count", type=int, default=30)
    parser.add_argument("--missile", default="scud-er")
    args = parser.parse_args()
    env = dict(os.environ)
    src = str(Path(__file__).resolve().parents[1] / "src")
    env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    base = [sys.executable, "-m", "thaadsim", "raid", "--count", str(args.count),
            "--missile", args.missile, "--json"]
    run([*base, "--trials", "1"], env)  # compile or load Numba's cache first
    load = os.getloadavg()
    print(f"raid --count {args.count} --missile {args.missile}; {os.cpu_count()} CPUs, "
          f"load average {load[0]:.2f}")
    print(f"{'trials':>8}{'peak MB':>10}{'wall s':>9}{'CPU s':>9}{'CPU ms/trial':>14}"
          f"{'B/threat-trial':>16}")
    first: tuple[int, float] | None = None
    for n in args.trials:
        wall, cpu, mb, code = run([*base, "--trials", str(n)], env)
        # growth of the peak over the first size, per threat-trial more
        growth = ("" if first is None or n == first[0] else
                  f"{1e6 * (mb - first[1]) / ((n - first[0]) * args.count):16.0f}")
        first = first or (n, mb)
        print(f"{n:8d}{mb:10.0f}{wall:9.1f}{cpu:9.1f}{1e3 * cpu / n:14.1f}{growth}"
              + ("" if code == 0 else f"   exit status {code}"))


if __name__ == "__main__":
    main()
