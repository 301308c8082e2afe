"""Benchmark: threat trajectories from burnout to impact, thaadsim against SciPy.

Run with ``python benchmarks/bench_propagate.py`` (``--help`` for options).

Both sides integrate the same physics: point-mass flight in the rotating
WGS84 Earth-fixed frame with J2 gravity, Coriolis and centrifugal terms, and
drag with a ballistic coefficient of 5,000 kg/m^2 in the U.S. Standard
Atmosphere 1976 (the same density spline). Burnout states are drawn as in
``shared/PERFORMANCE-NOTES.md``: 50 km altitude, 1.5-7 km/s, flight-path angle
15-75 degrees, random azimuths, over the Korean peninsula.

* thaadsim: :func:`thaadsim.physics.propagate.propagate`, all trajectories at
  once (compiled adaptive Dormand-Prince 5(4), each trajectory its own step,
  both cores), with each of its two kernels: ``lockstep`` (trajectories advanced
  together in SIMD lanes, the default for coasting bodies) and ``per-trajectory``;
  the median (and the best) of seven runs of each, interleaved, after a warm-up
  that compiles the kernels.
* baseline: what a user would otherwise write, ``scipy.integrate.solve_ivp``
  (RK45, the same tolerances, a terminal impact event) one trajectory at a time,
  with the right-hand side in plain Python over ``math``; timed on a random
  subset and reported per trajectory.
* accuracy: ground range of both against a tight reference, ``solve_ivp``
  with DOP853 at rtol 1e-12 on the same right-hand side.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import time

import numpy as np
from scipy.integrate import solve_ivp

from thaadsim.physics.earth import WGS84
from thaadsim.physics.geodesy import (
    direction_ecef,
    ecef_to_geodetic,
    geodesic_inverse,
    geodetic_to_ecef,
)
from thaadsim.physics.propagate import _density_spline, propagate

BETA_KGM2 = 5000.0


def burnout_states(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    lat = rng.uniform(33.0, 42.0, n)
    lon = rng.uniform(124.0, 131.0, n)
    az = rng.uniform(0.0, 360.0, n)
    speed = rng.uniform(1500.0, 7000.0, n)
    gamma = rng.uniform(15.0, 75.0, n)
    r = geodetic_to_ecef(lat, lon, 50e3)
    return np.concatenate([r, speed[:, None] * direction_ecef(lat, lon, az, gamma)], axis=1)


def scipy_rhs_factory():
    """The right-hand side as a user would write it for solve_ivp (plain Python floats)."""
    a, e2, gm, j2, om = WGS84.a_m, WGS84.e2, WGS84.gm_m3ps2, WGS84.j2, WGS84.omega_radps
    poly = _density_spline()
    n_int = poly.shape[0]

    def density(h: float) -> float:
        s = h / 100.0
        if s <= 0.0:
            return poly[0, 0]
        if s >= n_int:
            return 0.0
        i = int(s)
        u = s - i
        c = poly[i]
        return ((c[3] * u + c[2]) * u + c[1]) * u + c[0]

    def rhs(t: float, y: np.ndarray) -> list[float]:
        x, yy, z, vx, vy, vz = y
        r2 = x * x + yy * yy + z * z
        r = math.sqrt(r2)
        k = 1.5 * j2 * a * a / r2
        s5 = 5.0 * z * z / r2
        mu_r3 = gm / (r2 * r)
        cxy = mu_r3 * (1.0 + k * (1.0 - s5))
        cz = mu_r3 * (1.0 + k * (3.0 - s5))
        p2 = x * x + yy * yy
        h = r - a * math.sqrt((1.0 - e2) / (1.0 - e2 * p2 / r2))
        v = math.sqrt(vx * vx + vy * vy + vz * vz)
        kd = 0.5 * density(h) * v / BETA_KGM2
        ax = -cxy * x - kd * vx + 2.0 * om * vy + om * om * x
        ay = -cxy * yy - kd * vy - 2.0 * om * vx + om * om * yy
        az = -cz * z - kd * vz
        return [vx, vy, vz, ax, ay, az]

    def impact(t: float, y: np.ndarray) -> float:
        """Altitude along the radius: exactly the geodetic altitude at 0."""
        x, yy, z = y[0], y[1], y[2]
        p2 = x * x + yy * yy
        r2 = p2 + z * z
        return math.sqrt(r2) - a * math.sqrt((1.0 - e2) / (1.0 - e2 * p2 / r2))

    impact.terminal = True  # type: ignore[attr-defined]
    impact.direction = -1  # type: ignore[attr-defined]
    return rhs, impact


def scipy_flight(state: np.ndarray, method: str, rtol: float, atol: float) -> np.ndarray:
    rhs, impact = scipy_rhs_factory()
    sol = solve_ivp(rhs, (0.0, 4 * 3600.0), state, method=method, rtol=rtol, atol=atol,
                    events=impact)
    return sol.y_events[0][0]


def ground_range_m(start: np.ndarray, end: np.ndarray) -> np.ndarray:
    lat0, lon0, _ = ecef_to_geodetic(start[:, :3])
    lat1, lon1, _ = ecef_to_geodetic(end[:, :3])
    return geodesic_inverse(lat0, lon0, lat1, lon1)[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=10_000, help="trajectories for thaadsim")
    parser.add_argument("--baseline-n", type=int, default=100,
                        help="trajectories for the solve_ivp loop and the reference")
    parser.add_argument("--rtol", type=float, default=1e-8)
    parser.add_argument("--atol", type=float, default=1e-6)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--repeat", type=int, default=7, help="timed runs of thaadsim")
    args = parser.parse_args()

    states = burnout_states(args.n, args.seed)
    kernels = ("lockstep", "per-trajectory")
    for kernel in kernels:  # compile (cached on disk afterwards)
        propagate(states[:64], beta_kgm2=BETA_KGM2, kernel=kernel)
    times: dict[str, list[float]] = {k: [] for k in kernels}
    ours = {}
    for _ in range(args.repeat):
        for kernel in kernels:  # interleaved, so that both see the same machine load
            t0 = time.perf_counter()
            ours[kernel] = propagate(states, beta_kgm2=BETA_KGM2, rtol=args.rtol,
                                     atol=args.atol, kernel=kernel)
            times[kernel].append(time.perf_counter() - t0)
    for kernel in kernels:
        assert ours[kernel].impacted.all(), "every benchmark trajectory must impact"

    pick = np.random.default_rng(args.seed + 1).choice(args.n, args.baseline_n, replace=False)
    t0 = time.perf_counter()
    base_end = np.array([scipy_flight(states[i], "RK45", args.rtol, args.atol) for i in pick])
    base_rate = args.baseline_n / (time.perf_counter() - t0)
    ref_end = np.array([scipy_flight(states[i], "DOP853", 1e-12, 1e-9) for i in pick])

    ref_range = ground_range_m(states[pick], ref_end)
    err_base = np.abs(ground_range_m(states[pick], base_end) - ref_range)

    print(f"machine: {platform.machine()}, {platform.processor() or '?'}; "
          f"python {platform.python_version()}; numpy {np.__version__}; "
          f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    print(f"{args.n} trajectories, burnout 50 km, 1.5-7 km/s, 15-75 deg; drag beta "
          f"{BETA_KGM2:.0f} kg/m^2, rotating WGS84 + J2; rtol {args.rtol:g}, atol {args.atol:g}")
    print(f"steps per trajectory (accepted + rejected): "
          f"{ours['per-trajectory'].n_steps.sum(1).mean():.1f}")
    print()
    print(f"{'method':48s} {'traj/s':>10s} {'vs solve_ivp':>12s} {'max |range err| m':>18s} "
          f"{'median':>8s}")
    rates = {}
    for kernel, label in (("lockstep", "thaadsim propagate, lockstep (SIMD lanes)"),
                          ("per-trajectory", "thaadsim propagate, per-trajectory")):
        rate = args.n / float(np.median(times[kernel]))
        best = args.n / float(np.min(times[kernel]))
        rates[kernel] = rate
        err = np.abs(ground_range_m(states[pick], ours[kernel].state[pick]) - ref_range)
        print(f"{label:48s} {rate:10.0f} {rate / base_rate:11.0f}x {err.max():18.3f} "
              f"{np.median(err):8.3f}")
        print(f"{'  (best of ' + str(args.repeat) + ' runs)':48s} {best:10.0f} "
              f"{best / base_rate:11.0f}x")
    print(f"{'scipy solve_ivp RK45, one at a time':48s} {base_rate:10.1f} {1:11.0f}x "
          f"{err_base.max():18.3f} {np.median(err_base):8.3f}")
    print(f"lockstep / per-trajectory: {rates['lockstep'] / rates['per-trajectory']:.2f}x   "
          f"(reference: solve_ivp DOP853 rtol 1e-12 on {args.baseline_n} trajectories)")


if __name__ == "__main__":
    main()
