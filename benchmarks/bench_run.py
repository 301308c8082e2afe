"""Benchmark: ``thaadsim run`` end to end, stage by stage (issue 14).

Run with ``python benchmarks/bench_run.py`` (``--help`` for options).

The job: ``thaadsim run SCENARIO --trials N`` (default korea-2017, 200 trials) with the radar
and tracker in every trial (not the pooled runner), in this process through the command
line's own entry point, once to warm up (compile or load Numba's cache, fill the
per-version caches) and then timed. Stages come from :mod:`thaadsim.timing` (the library
marks them): flights (aiming and flying the raid, and the report's ground tracks),
detection and tracking, fire control, claims, report (figures and page), exports (Parquet
tables, CZML, KML), each its own time, without the stages inside it (the claims' own
flights count as flights); "other" is the rest of the command. Each stage is given in wall
and CPU seconds: on a shared machine the wall figures move with the load (printed), the
CPU figures much less.

Beside it, in subprocesses: ``python -c "import thaadsim.cli"`` (start-up and imports) and
the whole command (``python -m thaadsim run ...``: start-up, imports and the warm job), with
its peak resident memory (``ru_maxrss`` of that child), run once untimed first, as a user's
second run is. "per-process start" is the whole command less the in-process warm total:
what every new process pays again (the interpreter, the imports, loading Numba's cached
kernels, reading the per-version caches, first calls). The children write Python's bytecode
caches (``PYTHONDONTWRITEBYTECODE`` is dropped from their environment), as an installed
package does: without them each process compiles thaadsim's modules from source again.

With ``--cold``, the whole command is also run once as a first run after install: in a
subprocess with an empty Numba cache (``NUMBA_CACHE_DIR``) and an empty thaadsim cache
(``THAADSIM_CACHE_DIR``), both fresh temporary folders, so that it compiles every kernel it
calls and computes every per-version table (flights, reach tables, coverage fans, the
validation table) itself. It takes minutes.

Baseline (the project's rule: a reference measured in the same run): the detection and
tracking stage of the same raid, some trials, with the NumPy tracker
(``backend="numpy"``) against the compiled one, as a ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

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


def child(argv: list[str], env: dict[str, str]) -> tuple[float, float, float, int]:
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


def _baseline(scenario: str, trials: int, seed: int) -> tuple[float, float]:
    """CPU seconds of the detection and tracking of ``trials`` trials of the scenario's raid
    with the compiled tracker and with the NumPy one (same draws)."""
    from thaadsim.engagement import _fly
    from thaadsim.scenario import load_scenario
    from thaadsim.systems.detection import simulate_detection

    kw = load_scenario(scenario).to_run_kwargs(trials=trials, seed=seed)
    raid, defense = kw["raid"], kw["defense"]
    truth = _fly(raid).repeated(trials)
    sensor = defense.sensors[0]
    rcs = np.repeat([th.rcs_m2 for th in raid], trials)
    out = []
    for backend in ("compiled", "numpy"):
        c = time.process_time()
        simulate_detection(truth, sensor.radar, sensor.emplacement, rcs,
                           np.random.default_rng(seed),
                           backend=backend)
        out.append(time.process_time() - c)
    return out[0], out[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scenario", default="korea-2017")
    parser.add_argument("--trials", type=int, default=200)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--baseline-trials", type=int, default=10,
                        help="trials of the raid tracked by both backends for the baseline")
    parser.add_argument("--no-subprocess", action="store_true",
                        help="skip the start-up and whole-command subprocesses")
    parser.add_argument("--cold", action="store_true",
                        help="also time a first run after install: the whole command with "
                             "empty Numba and thaadsim caches (minutes)")
    args = parser.parse_args()

    from thaadsim.cli import main as cli_main
    from thaadsim.timing import recording

    work = Path(tempfile.mkdtemp(prefix="bench-run-"))
    argv = ["run", args.scenario, "--trials", str(args.trials), "-o", str(work / "report"),
            "--force", "--json"]
    if args.seed is not None:
        argv += ["--seed", str(args.seed)]

    def job() -> None:
        try:
            cli_main(argv)
        except SystemExit as exc:
            if exc.code not in (0, None):
                raise

    load = os.getloadavg()
    print(f"thaadsim run {args.scenario}, {args.trials} trials, per-trial tracking; "
          f"{os.cpu_count()} CPUs, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    t, c = time.perf_counter(), time.process_time()
    with open(os.devnull, "w") as sink:
        stdout, sys.stdout = sys.stdout, sink
        try:
            job()
            wall0, cpu0 = time.perf_counter() - t, time.process_time() - c
            with recording() as timings:
                t, c = time.perf_counter(), time.process_time()
                job()
                wall, cpu = time.perf_counter() - t, time.process_time() - c
        finally:
            sys.stdout = stdout
    print(f"warm-up run (compiles or loads the caches): {wall0:6.1f} s wall {cpu0:6.1f} s CPU")
    exclusive = dict(timings.wall_s)  # each stage's own time (thaadsim.timing)
    exclusive_cpu = dict(timings.cpu_s)
    print(f"{'stage':<24}{'wall s':>9}{'CPU s':>9}")
    order = ("flights", "detection and tracking", "fire control", "claims", "report",
             "exports")
    for name in order + tuple(k for k in exclusive if k not in order):
        if name in exclusive:
            print(f"{name:<24}{exclusive[name]:9.2f}{exclusive_cpu[name]:9.2f}")
    other, other_cpu = wall - sum(exclusive.values()), cpu - sum(exclusive_cpu.values())
    print(f"{'other':<24}{other:9.2f}{other_cpu:9.2f}")
    print(f"{'total (warm, in-process)':<24}{wall:9.2f}{cpu:9.2f}")

    if not args.no_subprocess:
        env = dict(os.environ)
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed package has its .pyc files
        src = str(Path(__file__).resolve().parents[1] / "src")
        env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
        child([sys.executable, "-m", "thaadsim", *argv], env)  # writes the .pyc files
        w, c2, mb, rc = child([sys.executable, "-c", "import thaadsim.cli"], env)
        print(f"{'imports (subprocess)':<24}{w:9.2f}{c2:9.2f}   peak {mb:6.0f} MB")
        w, c2, mb, rc = child([sys.executable, "-m", "thaadsim", *argv], env)
        print(f"{'whole command (subproc.)':<24}{w:9.2f}{c2:9.2f}   peak {mb:6.0f} MB"
              + ("" if rc == 0 else f"   exit status {rc}"))
        print(f"{'per-process start':<24}{w - wall:9.2f}{c2 - cpu:9.2f}   (whole command "
              "less the in-process warm total)")
        load = os.getloadavg()
        print(f"load average after the subprocesses {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
        if args.cold:
            cold = dict(env, NUMBA_CACHE_DIR=tempfile.mkdtemp(prefix="bench-numba-"),
                        THAADSIM_CACHE_DIR=tempfile.mkdtemp(prefix="bench-cache-"))
            cold_argv = [*argv]
            cold_argv[cold_argv.index("-o") + 1] = str(work / "report-cold")
            w, c2, mb, rc = child([sys.executable, "-m", "thaadsim", *cold_argv], cold)
            print(f"{'cold first run (subp.)':<24}{w:9.2f}{c2:9.2f}   peak {mb:6.0f} MB"
                  + ("" if rc == 0 else f"   exit status {rc}"))

    comp, num = _baseline(args.scenario, args.baseline_trials,
                          args.seed if args.seed is not None else 0)
    print(f"baseline: detection and tracking of {args.baseline_trials} trials, CPU s: "
          f"compiled {comp:.2f}, NumPy tracker {num:.2f} (x{num / comp:.1f})")
    load = os.getloadavg()
    print(f"load average at the end {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main()
