"""Benchmark: radar detection and tracking of 1,000 threats over their flights.

Run with ``python benchmarks/bench_detection.py`` (``--help`` for options).

The threats: Scud-C missiles fired from random points in North Korea (38.3-40.0 N,
124.8-128.5 E) at random points within ~100 km of the Seongju THAAD site, aimed and flown
on minimum-energy trajectories (rotating WGS84, drag), recorded; their flights are made
once and shared by both sides. The radar: the AN/TPY-2 in terminal mode at Seongju, a
0.1 m^2 target.

* thaadsim: :func:`thaadsim.studies.detection.simulate_detection` on all threats at once
  (search frames, M-of-N confirmation, extended Kalman filter on every track, firm-track
  time and unscented impact prediction), vectorised over threats; the median of three runs.
* baseline: the straightforward way, the same function called once per threat in a Python
  loop (what a user gets without batching), timed on a subset and reported per threat.

Both count the looks simulated (search dwells plus track dwells, threats x look times), so
"looks per second" is the number of radar detections-and-track-updates handled per second.
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np

from thaadsim.physics.geodesy import geodesic_direct
from thaadsim.physics.rocket import fly_rocket
from thaadsim.studies.detection import Truth, simulate_detection, truth_from_flight
from thaadsim.systems.catalog import get_missile, get_radar, get_site
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threats", type=int, default=1000)
    parser.add_argument("--baseline", type=int, default=40,
                        help="threats run one at a time for the baseline")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    t0 = time.perf_counter()
    truth = threats(args.threats, args.seed)
    n = truth.t_s.shape[0]
    print(f"{n} Scud-C flights aimed and recorded in {time.perf_counter() - t0:.1f} s "
          f"({platform.processor() or platform.machine()})")
    radar = get_radar("terminal").radar
    emp = get_site("seongju").emplacement()

    simulate_detection(truth.repeated(1), radar, emp, 0.1, np.random.default_rng(0))  # warm-up
    runs = []
    for r in range(3):
        t = time.perf_counter()
        tl = simulate_detection(truth, radar, emp, 0.1, np.random.default_rng(r))
        runs.append(time.perf_counter() - t)
    vec_s = float(np.median(runs))
    vec_looks = tl.search_looks + tl.track_looks

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
    per_threat_loop = loop_s / sub.size

    firm = np.isfinite(tl.firm_track_s)
    print(f"firm tracks: {firm.mean():.1%}; median first detection "
          f"{np.nanmedian(tl.first_detection_s):.0f} s, firm track "
          f"{np.nanmedian(tl.firm_track_s):.0f} s, impact cue error "
          f"{np.nanmedian(tl.impact_error_m):.0f} m (median)")
    print(f"{'':24s}{'threats/s':>12s}{'looks/s':>14s}")
    print(f"{'thaadsim (vectorised)':24s}{n / vec_s:12.1f}{vec_looks / vec_s:14,.0f}"
          f"   ({vec_s:.2f} s for {n} threats, median of 3)")
    print(f"{'per-threat loop':24s}{1 / per_threat_loop:12.1f}{loop_looks / loop_s:14,.0f}"
          f"   ({loop_s:.2f} s for {sub.size} threats)")
    print(f"speed-up: {per_threat_loop * n / vec_s:.1f}x (threats per second)")


if __name__ == "__main__":
    main()
