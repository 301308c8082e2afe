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
import json
import os
import subprocess
import sys
from pathlib import Path

_WRAP = """
import json, os, resource, subprocess, sys, time
t = time.perf_counter()
code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
wall = time.perf_counter() - t
use = resource.getrusage(resource.RUSAGE_CHILDREN)
err = code.stderr.decode(errors="replace").strip().splitlines()
print(json.dumps([wall, use.ru_utime + use.ru_stime, use.ru_maxrss / 1024.0, code.returncode,
                  err[-1] if code.returncode and err else ""]))
"""


def run(argv: list[str], env: dict[str, str]) -> tuple[float, float, float, int]:
    """Run ``argv``; (wall s, CPU s, peak resident MB, exit status) of that process alone.

    It is started by a small Python process that reports its ``RUSAGE_CHILDREN``: Linux
    carries a process's peak resident size over ``fork`` and ``exec``, so a child started
    straight from this (large) process would report at least this one's size."""
    out = subprocess.run([sys.executable, "-c", _WRAP, *argv], env=env, capture_output=True,
                         text=True, check=True)
    wall, cpu, mb, code, err = json.loads(out.stdout)
    if err:
        print(err, file=sys.stderr)
    return float(wall), float(cpu), float(mb), int(code)


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
