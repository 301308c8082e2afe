"""Benchmark: what Numba costs a new process of ``thaadsim run``, function by function.

Run with ``python benchmarks/bench_startup.py`` (``--help`` for options).

The command (``thaadsim run SCENARIO --trials N``, default korea-2017, 50 trials) is run in
fresh subprocesses, each with every Numba dispatcher's ``compile`` timed (wall and CPU
seconds, exclusive of the compilations nested inside it, such as a kernel's callees while
it is typed):

1. ``cold`` (with ``--cold``): an empty Numba cache (``NUMBA_CACHE_DIR``) and an empty
   thaadsim cache (``THAADSIM_CACHE_DIR``), both fresh temporary folders: a first run after
   install; every signature is compiled (and saved);
2. ``warm``: the same two folders again, now filled: every signature is loaded from the
   cache (type-checked against the index, its object code unpickled and linked).

For each compiled function it prints the number of signatures compiled or loaded, and the
time each process spent on them; then the totals beside the whole process's wall and CPU
time. The machine is shared: CPU seconds are the steadier figure, and the load average is
printed beside them.
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

_CHILD = r"""
import json, sys, time
from numba.core import dispatcher

events = []
stack = []
_compile = dispatcher.Dispatcher.compile


def timed_compile(self, sig):
    key = tuple(sig.args) if hasattr(sig, "args") else tuple(sig)
    if key in self.overloads:
        return _compile(self, sig)
    hits = sum(self._cache_hits.values())
    w, c = time.perf_counter(), time.process_time()
    stack.append([0.0, 0.0])
    try:
        return _compile(self, sig)
    finally:
        dw, dc = time.perf_counter() - w, time.process_time() - c
        nested_w, nested_c = stack.pop()
        if stack:
            stack[-1][0] += dw
            stack[-1][1] += dc
        loaded = sum(self._cache_hits.values()) > hits
        name = f"{self.py_func.__module__}.{self.py_func.__qualname__}"
        events.append([name, str(sig), loaded, dw - nested_w, dc - nested_c, len(stack)])


dispatcher.Dispatcher.compile = timed_compile
out_path = sys.argv[1]
w0, c0 = time.perf_counter(), time.process_time()
from thaadsim.cli import main  # noqa: E402
w_imp, c_imp = time.perf_counter() - w0, time.process_time() - c0
code = 0
try:
    main(sys.argv[2:])
except SystemExit as exc:
    code = exc.code or 0
with open(out_path, "w") as f:
    json.dump({"events": events, "wall": time.perf_counter() - w0,
               "cpu": time.process_time() - c0, "import_wall": w_imp, "import_cpu": c_imp,
               "code": code}, f)
"""


def run_child(argv: list[str], env: dict[str, str], work: Path, label: str) -> dict:
    """Run the timed command in a new process; its events and totals."""
    out = work / f"{label}.json"
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", _CHILD, str(out), *argv], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    result = json.loads(out.read_text())
    result["outer_wall"] = time.perf_counter() - t
    return result


def summarise(result: dict) -> dict[str, list[float]]:
    """Per function: [signatures, loaded, compiled, wall s, CPU s]."""
    table: dict[str, list[float]] = {}
    for name, _sig, loaded, w, c, _depth in result["events"]:
        row = table.setdefault(name, [0, 0, 0, 0.0, 0.0])
        row[0] += 1
        row[1 if loaded else 2] += 1
        row[3] += w
        row[4] += c
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scenario", default="korea-2017")
    parser.add_argument("--trials", type=int, default=50)
    parser.add_argument("--cold", action="store_true",
                        help="first run a cold process (empty caches; minutes)")
    parser.add_argument("--numba-cache", default=None,
                        help="Numba cache folder for the warm run (default: a fresh one, "
                             "filled by the cold run, or Numba's own __pycache__ without "
                             "--cold)")
    parser.add_argument("--signatures", action="store_true",
                        help="list every signature with its time")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-startup-"))
    env = dict(os.environ)
    src = str(Path(__file__).resolve().parents[1] / "src")
    env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    if args.cold:
        env["NUMBA_CACHE_DIR"] = tempfile.mkdtemp(prefix="bench-numba-")
        env["THAADSIM_CACHE_DIR"] = tempfile.mkdtemp(prefix="bench-cache-")
    elif args.numba_cache:
        env["NUMBA_CACHE_DIR"] = args.numba_cache
    argv = ["run", args.scenario, "--trials", str(args.trials), "-o", str(work / "report"),
            "--force", "--json"]
    runs = []
    if args.cold:
        runs.append("cold")
    runs.append("warm")
    results = {}
    for label in runs:
        load = os.getloadavg()[0]
        results[label] = run_child(argv, env, work, label)
        results[label]["load"] = (load + os.getloadavg()[0]) / 2
    tables = {label: summarise(r) for label, r in results.items()}
    names = sorted({n for t in tables.values() for n in t},
                   key=lambda n: -max(t.get(n, [0] * 5)[4] for t in tables.values()))
    head = f"{'function':<58}"
    for label in runs:
        head += f"{label + ' sigs':>11}{'CPU s':>8}{'wall s':>8}"
    print(f"thaadsim run {args.scenario} --trials {args.trials}; {os.cpu_count()} CPUs")
    print(head)
    for name in names:
        line = f"{name.removeprefix('thaadsim.'):<58}"
        for label in runs:
            row = tables[label].get(name, [0, 0, 0, 0.0, 0.0])
            kind = f"{row[1]}L{row[2]}C" if row[0] else "-"
            line += f"{kind:>11}{row[4]:8.2f}{row[3]:8.2f}"
        print(line)
    for label in runs:
        r = results[label]
        rows = tables[label].values()
        print(f"{label}: {sum(int(x[0]) for x in rows)} signatures "
              f"({sum(int(x[1]) for x in rows)} loaded, {sum(int(x[2]) for x in rows)} "
              f"compiled) in {sum(x[4] for x in rows):.2f} CPU s "
              f"{sum(x[3] for x in rows):.2f} wall s; imports {r['import_cpu']:.2f} CPU s; "
              f"whole process {r['cpu']:.2f} CPU s {r['outer_wall']:.2f} wall s, "
              f"load average {r['load']:.2f}, exit status {r['code']}")
        if args.signatures:
            for name, sig, loaded, w, c, depth in r["events"]:
                print(f"  {'  ' * depth}{name.removeprefix('thaadsim.')} {sig} "
                      f"{'loaded' if loaded else 'compiled'} {c:.3f} CPU s {w:.3f} s")


if __name__ == "__main__":
    main()
