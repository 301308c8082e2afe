"""Benchmark: peak memory against trials, per-trial tracking (issue 14).

Run with ``python benchmarks/bench_memory.py`` (``--help`` for options).

Each size runs in its own subprocess: ``thaadsim raid --count 30 --missile scud-er
--trials N --json`` (the radar and tracker in every trial, :func:`thaadsim.engagement.
simulate`, which streams its trials in chunks of
:data:`thaadsim.engagement.CHUNK_THREAT_TRIALS` threat-trials). Printed per size: the
child's peak resident memory (``ru_maxrss``), its wall and CPU seconds, and CPU
milliseconds per trial. Memory should stay nearly flat (the chunk's working set plus the
tables kept, about 0.4 kB per threat-trial) while the trials grow.
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
    print(f"{'trials':>8}{'peak MB':>10}{'wall s':>9}{'CPU s':>9}{'CPU ms/trial':>14}")
    for n in args.trials:
        wall, cpu, mb, code = run([*base, "--trials", str(n)], env)
        print(f"{n:8d}{mb:10.0f}{wall:9.1f}{cpu:9.1f}{1e3 * cpu / n:14.1f}"
              + ("" if code == 0 else f"   exit status {code}"))


if __name__ == "__main__":
    main()
