"""Benchmark: a 100 x 100 defended-footprint grid (10,000 aim points).

Run with ``python benchmarks/bench_footprint.py`` (``--help`` for options). Target: under
10 s on 2 cores.

The case: the THAAD battery at Seongju against Scud-C missiles (minimum-energy) launched
from Pyongyang, aimed at every cell of a 100 x 100 grid of 10 km cells centred on the
battery (a 1,000 km square, so about half the aim points lie beyond the Scud-C's reach).

* thaadsim: :func:`thaadsim.studies.footprint.defended_footprint` (all aim points aimed at
  once, one recorded flight call, the firm-track estimate, the intercept geometry and the
  shot opportunities vectorised over threats); the median of ``--runs`` runs after a
  warm-up (which compiles nothing new but loads the reach table and the shape table).
* baseline: the straightforward way, one aim point at a time: ``fly_threat`` (which aims
  with ``aim``) recorded, the threat's truth on the engagement's 1 s grid, the firm-track
  estimate of that one threat, ``fire_control.intercept_geometry`` and
  ``fire_control.shot_opportunities``; timed on ``--baseline`` reachable and as many
  unreachable aim points drawn at random from the same grid (an unreachable one fails
  at once in the aiming table), extrapolated to the whole grid by the counts of each kind.
  Both give the same counts on the sampled points (checked and printed).
* runner: the same grid through the chunked runner (``--executor processes --workers 2``,
  chunks of :data:`~thaadsim.studies.footprint.DEFAULT_CHUNK_CELLS` cells, nothing written),
  start-up of the worker processes included; the footprint is checked to be the same.
  ``--runner-runs 0`` leaves it out.
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np

from thaadsim.engagement import _grid
from thaadsim.errors import UnreachableError
from thaadsim.physics.geodesy import geodesic_inverse
from thaadsim.studies import footprint as fpm
from thaadsim.studies.montecarlo import RunnerOptions
from thaadsim.systems import fire_control as fc
from thaadsim.systems.catalog import get_missile, get_radar
from thaadsim.systems.detection import truth_from_flight
from thaadsim.systems.interceptor import reach_table
from thaadsim.systems.threat import fly_threat

PYONGYANG = (39.0194, 125.7381)


def one_point(lat: float, lon: float) -> int:
    """Shot opportunities against one aim point, the straightforward way (-1 unreachable)."""
    missile = get_missile("scud-c")
    battery = fc.get_battery("seongju")
    icpt = battery.interceptor
    try:
        tf = fly_threat(missile, *PYONGYANG, lat, lon, record=True)
    except UnreachableError:
        return -1
    truth = truth_from_flight(tf.flight, missile.rocket.reentry_beta_kgm2)
    site = battery.site
    bore = float(geodesic_inverse(site.lat_deg, site.lon_deg, *PYONGYANG)[1]) % 360.0
    firm = fpm.firm_track_estimate(fpm._records(tf.flight), get_radar("terminal").radar,
                                   site.emplacement(bore))
    t, y = _grid(truth)
    geo = fc.intercept_geometry(t, y[..., :3], battery, icpt, reach_table(icpt))
    earliest = np.where(np.isfinite(firm), firm + battery.reaction_s, np.inf)
    return int(fc.shot_opportunities(geo, 0, earliest, battery.kill_assessment_s)[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cells", type=int, default=100, help="grid cells each way")
    parser.add_argument("--grid-km", type=float, default=10.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--baseline", type=int, default=20,
                        help="aim points run one at a time for the baseline")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runner-runs", type=int, default=1,
                        help="runs on the chunked runner (processes, --runner-workers)")
    parser.add_argument("--runner-workers", type=int, default=2)
    args = parser.parse_args()
    extent = 0.5 * args.cells * args.grid_km

    def run(runner: RunnerOptions | None = None) -> fpm.Footprint:
        return fpm.defended_footprint("seongju", "scud-c", *PYONGYANG, grid_km=args.grid_km,
                                      extent_km=extent, runner=runner, progress=False)

    run()  # warm-up: tables and caches
    times = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        fp = run()
        times.append(time.perf_counter() - t0)
    vec_s = float(np.median(times))
    cells = fp.shots.size
    runner_times = []
    for _ in range(args.runner_runs):
        t0 = time.perf_counter()
        chunked = run(RunnerOptions(executor="processes", workers=args.runner_workers))
        runner_times.append(time.perf_counter() - t0)
        assert np.array_equal(chunked.shots, fp.shots)
        assert np.array_equal(chunked.firm_track_s, fp.firm_track_s, equal_nan=True)

    rng = np.random.default_rng(args.seed)
    flat = fp.shots.ravel()
    nx = fp.shots.shape[1]
    one_point(float(fp.lat_deg[0]), float(fp.lon_deg[0]))  # warm-up
    # reachable and unreachable aim points cost very differently (an unreachable one fails
    # in the aiming table at once): time each kind, extrapolate by their counts
    loop_s, per_kind, same = 0.0, {}, 0
    for kind, pool in (("reachable", np.flatnonzero(flat >= 0)),
                       ("unreachable", np.flatnonzero(flat < 0))):
        if pool.size == 0:
            continue
        pick = rng.choice(pool, min(args.baseline, pool.size), replace=False)
        t0 = time.perf_counter()
        base = [one_point(float(fp.lat_deg[i // nx]), float(fp.lon_deg[i % nx])) for i in pick]
        dt = time.perf_counter() - t0
        loop_s += dt
        per_kind[kind] = (dt / pick.size, pool.size, pick.size)
        same += int((np.array(base) == flat[pick]).sum())
    sampled = sum(k[2] for k in per_kind.values())
    loop_total = sum(per * count for per, count, _ in per_kind.values())
    per_point = loop_total / cells

    print(f"defended footprint, {fp.shots.shape[0]} x {fp.shots.shape[1]} aim points "
          f"({args.grid_km:g} km cells), THAAD at Seongju, Scud-C from Pyongyang; "
          f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores")
    print(f"reachable aim points {int(fp.reachable.sum())}, defended "
          f"{int(fp.defended.sum())} ({fp.area_km2:,.0f} km^2); sites: "
          f"{', '.join(fp.defended_sites)}")
    print(f"{'':28s}{'aim points/s':>14s}{'grid time':>12s}")
    print(f"{'thaadsim (vectorised)':28s}{cells / vec_s:14,.0f}{vec_s:11.2f}s"
          f"   (median of {args.runs}: {', '.join(f'{t:.2f}' for t in times)} s)")
    if runner_times:
        run_s = float(np.median(runner_times))
        label = f"runner, {args.runner_workers} processes"
        print(f"{label:28s}{cells / run_s:14,.0f}{run_s:11.2f}s"
              f"   ({len(runner_times)} run(s), {-(-cells // fpm.DEFAULT_CHUNK_CELLS)} chunks, "
              "worker start-up included; same footprint)")
    detail = "; ".join(f"{kind} {per * 1e3:.0f} ms each x {count}"
                       for kind, (per, count, _) in per_kind.items())
    print(f"{'per-point loop':28s}{1 / per_point:14,.1f}{loop_total:11.0f}s"
          f"   (extrapolated from {sampled} points in {loop_s:.2f} s: {detail})")
    print(f"speed-up: {loop_total / vec_s:.0f}x; the loop agrees on {same} of "
          f"{sampled} sampled points; target < 10 s: "
          f"{'met' if vec_s < 10 else 'NOT met'}")


if __name__ == "__main__":
    main()
