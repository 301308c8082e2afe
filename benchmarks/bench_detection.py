"""Benchmark: radar detection and tracking of 1,000 threats over their flights.

Run with ``python benchmarks/bench_detection.py`` (``--help`` for options).

The threats: Scud-C missiles fired from random points in North Korea (38.3-40.0 N,
124.8-128.5 E) at random points within ~100 km of the Seongju THAAD site, aimed and flown
on minimum-energy trajectories (rotating WGS84, drag), recorded; their flights are made
once and shared by all sides. The radar: the AN/TPY-2 in terminal mode at Seongju, a
0.1 m^2 target.

* compiled: :func:`thaadsim.systems.detection.simulate_detection` on all threats at once
  (search frames, M-of-N confirmation, extended Kalman filter on every track, firm-track
  time and unscented impact prediction) with the compiled tracker (``backend="compiled"``,
  the default: one Numba call runs every track through its looks); the median of three
  runs after a warm-up (which compiles, or loads from Numba's cache).
* numpy: the same call with ``backend="numpy"``, the NumPy tracker (vectorised over
  threats, a Python loop over looks), the looks' geometry by pymap3d and pyproj and the
  radar's NumPy functions (the compiled chain computes every search dwell, geometry,
  face, SNR and Pd, in one Numba call, and every track dwell with its measurement in
  another: :mod:`thaadsim.systems._detection_kernel`): the baseline, measured in the same
  run, same seeds.
  The two must give the same firm-track times; the benchmark checks it.
* tracker alone: the filter stage (:func:`thaadsim.systems.tracking.filter_looks`) of the
  same run on each backend, without the radar's looks and the impact prediction around it.
* per-threat loop: the compiled call once per threat in a Python loop (what a user gets
  without batching), timed on a subset and reported per threat.

All count the looks simulated (search dwells plus track dwells, threats x look times), so
"looks per second" is the number of radar detections-and-track-updates handled per second.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from thaadsim.physics.geodesy import geodesic_direct
from thaadsim.physics.rocket import fly_rocket
from thaadsim.systems import tracking
from thaadsim.systems.catalog import get_missile, get_radar, get_site
from thaadsim.systems.detection import Truth, simulate_detection, truth_from_flight
from thaadsim.systems.threat import aim_many


def threats(n: int, seed: int) -> Truth:
    """``n`` aimed and recorded Scud-C flights into the area around Seongju."""
    rng = np.random.default_rng(seed)
    missile = get_missile("scud-c")
    site = get_site("seongju")
    draw = int(1.5 * n) + 10  # some pairs lie beyond the Scud-C's reach; keep the first n
    lat0 = rng.uniform(38.3, 40.0, draw)
    lon0 = rng.uniform(124.8, 128.5, draw)
    lat1, lon1, _ = geodesic_direct(site.lat_deg, site.lon_deg, rng.uniform(0, 360, draw),
                                    rng.uniform(0, 100e3, draw))
    aims = aim_many(missile, lat0, lon0, lat1, lon1)
    ok = np.isfinite(aims.kick_deg)
    ok &= np.cumsum(ok) <= n
    flight = fly_rocket(missile.rocket, lat0[ok], lon0[ok], 0.0, aims.azimuth_deg[ok],
                        aims.kick_deg[ok], aims.cutoff_s[ok], record=True)
    return truth_from_flight(flight, missile.rocket.reentry_beta_kgm2)


def _timed_filter() -> tuple[list[tuple[float, float]], Callable[..., tracking.LookRun]]:
    """tracking.filter_looks wrapped to record how long each call takes, wall and CPU
    seconds (the tracker stage of simulate_detection, which calls it through the module)."""
    spent: list[tuple[float, float]] = []

    def timed(*args: Any, **kwargs: Any) -> tracking.LookRun:
        t, c = time.perf_counter(), time.process_time()
        out = _ORIGINAL(*args, **kwargs)
        spent.append((time.perf_counter() - t, time.process_time() - c))
        return out

    return spent, timed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threats", type=int, default=1000)
    parser.add_argument("--baseline", type=int, default=40,
                        help="threats run one at a time for the per-threat loop")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(f"load average at the start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")

    t0 = time.perf_counter()
    truth = threats(args.threats, args.seed)
    n = truth.t_s.shape[0]
    print(f"{n} Scud-C flights aimed and recorded in {time.perf_counter() - t0:.1f} s "
          f"({platform.processor() or platform.machine()}, {os.cpu_count()} CPUs)")
    radar = get_radar("terminal").radar
    emp = get_site("seongju").emplacement()

    t = time.perf_counter()
    simulate_detection(truth.repeated(1), radar, emp, 0.1, np.random.default_rng(0))  # warm-up
    print(f"warm-up (compiled tracker: compile or load from cache) {time.perf_counter() - t:.1f} s")
    few = Truth(**{f.name: getattr(truth, f.name)[:20] for f in dataclasses.fields(truth)})
    simulate_detection(few, radar, emp, 0.1, np.random.default_rng(0), backend="numpy")
    wall: dict[str, list[float]] = {"compiled": [], "numpy": []}
    cpu: dict[str, list[float]] = {"compiled": [], "numpy": []}
    filt: dict[str, list[tuple[float, float]]] = {}
    timelines = {}
    for backend in ("compiled", "numpy"):
        spent, timed = _timed_filter()
        tracking.filter_looks = timed
        try:
            for r in range(3):
                t, c = time.perf_counter(), time.process_time()
                tl = simulate_detection(truth, radar, emp, 0.1, np.random.default_rng(r),
                                        backend=backend)
                wall[backend].append(time.perf_counter() - t)
                cpu[backend].append(time.process_time() - c)
                timelines[backend, r] = tl
        finally:
            tracking.filter_looks = _ORIGINAL
        filt[backend] = spent
    for r in range(3):
        num, comp = timelines["numpy", r], timelines["compiled", r]
        np.testing.assert_allclose(comp.firm_track_s, num.firm_track_s, rtol=1e-6, atol=0.0)
    tl = timelines["compiled", 0]
    looks = tl.search_looks + tl.track_looks

    sub = np.arange(min(args.baseline, n))
    t = time.perf_counter()
    loop_looks = 0
    for i in sub:
        one = Truth(**{k: getattr(truth, k)[i:i + 1] for k in
                       ("t_s", "state", "burnout_t_s", "impact_t_s", "impact_ecef_m",
                        "beta_kgm2")})
        r1 = simulate_detection(one, radar, emp, 0.1, np.random.default_rng(int(i)))
        loop_looks += r1.search_looks + r1.track_looks
    loop_s = time.perf_counter() - t

    firm = np.isfinite(tl.firm_track_s)
    print(f"firm tracks: {firm.mean():.1%}; median first detection "
          f"{np.nanmedian(tl.first_detection_s):.0f} s, firm track "
          f"{np.nanmedian(tl.firm_track_s):.0f} s, impact cue error "
          f"{np.nanmedian(tl.impact_error_m):.0f} m (median); firm-track times of both "
          "backends agree (1e-6)")
    med = {b: float(np.median(v)) for b, v in wall.items()}
    cmed = {b: float(np.median(v)) for b, v in cpu.items()}
    fmed = {b: float(np.median([w for w, _ in v])) for b, v in filt.items()}
    fcpu = {b: float(np.median([c for _, c in v])) for b, v in filt.items()}
    print("(CPU s: the process's CPU time, all threads; the compiled tracker runs on every "
          "core, the NumPy one on one)")
    print(f"{'detection chain':30s}{'threats/s':>12s}{'looks/s':>14s}")
    for b in ("compiled", "numpy"):
        print(f"{'  ' + b:30s}{n / med[b]:12.1f}{looks / med[b]:14,.0f}"
              f"   ({med[b]:.2f} s, {cmed[b]:.2f} CPU s for {n} threats, median of 3)")
    print(f"{'  per-threat loop (compiled)':30s}{sub.size / loop_s:12.1f}"
          f"{loop_looks / loop_s:14,.0f}   ({loop_s:.2f} s for {sub.size} threats)")
    print(f"speed-up of the chain, compiled over numpy: {med['numpy'] / med['compiled']:.1f}x "
          f"(CPU time: {cmed['numpy'] / cmed['compiled']:.1f}x)")
    print(f"{'tracker alone (filter_looks)':30s}{'threats/s':>12s}")
    for b in ("compiled", "numpy"):
        print(f"{'  ' + b:30s}{n / fmed[b]:12.1f}   ({fmed[b]:.3f} s, {fcpu[b]:.3f} CPU s, "
              "median of 3)")
    print(f"speed-up of the tracker, compiled over numpy: {fmed['numpy'] / fmed['compiled']:.1f}x "
          f"(CPU time: {fcpu['numpy'] / fcpu['compiled']:.1f}x)")
    print(f"chain min of 3: compiled {min(wall['compiled']):.2f} s, numpy "
          f"{min(wall['numpy']):.2f} s -> {min(wall['numpy']) / min(wall['compiled']):.1f}x; "
          f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


_ORIGINAL = tracking.filter_looks


if __name__ == "__main__":
    main()
