"""Benchmark: Monte Carlo trials of a 20-missile raid against one THAAD battery.

Run with ``python benchmarks/bench_engagement.py`` (``--help`` for options).

The raid: 20 Scud-C fired together from Pyongyang at the Seongju THAAD site. The defense:
the Seongju battery (48 interceptors, salvo-2) with its AN/TPY-2 in terminal mode. Each
trial draws the radar's detections and noise, tracks every missile with the extended Kalman
filter, plans the battery's shots and draws their kills.

* thaadsim: :func:`thaadsim.engagement.simulate` with all trials at once (arrays over trials
  and threats), its tracker compiled (the default); the median of three runs after a
  warm-up.
* numpy tracker: the same, with the detection chain's tracker on ``backend="numpy"`` (the
  tracker before it was compiled), measured in the same run with the same seeds: the
  engagement's figures must not change.
* baseline: the straightforward per-trial loop, the same function called with one trial
  at a time (what a user would write without batching), on a subset of trials.
"""

from __future__ import annotations

import argparse
import functools
import platform
import time

from thaadsim import engagement
from thaadsim.engagement import Defense, RaidThreat, simulate
from thaadsim.studies.raid import standard_defense
from thaadsim.systems import detection
from thaadsim.systems.catalog import get_missile, get_site


def scenario(count: int) -> tuple[list[RaidThreat], Defense]:
    launch, aim = get_site("pyongyang"), get_site("seongju")
    defense = standard_defense("seongju", "salvo-2", (aim.lat_deg, aim.lon_deg),
                               (launch.lat_deg, launch.lon_deg), asset_radius_km=10.0)
    raid = [RaidThreat(missile=get_missile("scud-c"), launch_lat_deg=launch.lat_deg,
                       launch_lon_deg=launch.lon_deg, aim_lat_deg=aim.lat_deg,
                       aim_lon_deg=aim.lon_deg)] * count
    return raid, defense


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=20, help="missiles in the raid")
    parser.add_argument("--trials", type=int, default=200, help="trials of the batched run")
    parser.add_argument("--baseline", type=int, default=10, help="trials of the loop")
    args = parser.parse_args()
    raid, defense = scenario(args.count)
    print(f"{args.count} x Scud-C, Pyongyang -> Seongju, salvo-2 "
          f"({platform.processor() or platform.machine()})")
    simulate(raid, defense, trials=2, seed=99)  # warm-up: compiles, builds the reach table
    batched: dict[str, float] = {}
    cpu: dict[str, float] = {}
    results = {}
    for backend in ("compiled", "numpy"):
        # engagement.simulate calls the detection chain with its default tracker; the
        # benchmark swaps in the chain with the tracker it measures
        engagement.simulate_detection = functools.partial(
            detection.simulate_detection, backend=backend)
        try:
            runs, cpus = [], []
            for r in range(3):
                t, c = time.perf_counter(), time.process_time()
                results[backend, r] = simulate(raid, defense, trials=args.trials, seed=r)
                runs.append(time.perf_counter() - t)
                cpus.append(time.process_time() - c)
        finally:
            engagement.simulate_detection = detection.simulate_detection
        batched[backend] = sorted(runs)[1]
        cpu[backend] = sorted(cpus)[1]
    same = all(results["compiled", r].p_no_leak == results["numpy", r].p_no_leak
               and results["compiled", r].expected_leakers == results["numpy", r].expected_leakers
               and results["compiled", r].interceptors_used == results["numpy", r].interceptors_used
               for r in range(3))
    res = results["compiled", 2]
    t = time.perf_counter()
    for s in range(args.baseline):
        simulate(raid, defense, trials=1, seed=1000 + s)
    loop = time.perf_counter() - t
    print(f"P(no leak) {res.p_no_leak:.3f}, expected leakers {res.expected_leakers:.2f}, "
          f"interceptors used {res.interceptors_used:.1f} ({args.trials} trials); "
          f"the same with either tracker: {same}")
    print(f"{'':34s}{'trials/s':>10s}")
    for backend in ("compiled", "numpy"):
        print(f"{'thaadsim (all at once), ' + backend:34s}{args.trials / batched[backend]:10.1f}"
              f"   ({batched[backend]:.2f} s, {cpu[backend]:.2f} CPU s for {args.trials} "
              "trials, median of 3)")
    print(f"{'per-trial loop (compiled)':34s}{args.baseline / loop:10.2f}   "
          f"({loop:.2f} s for {args.baseline} trials)")
    print(f"compiled tracker over numpy tracker: {batched['numpy'] / batched['compiled']:.1f}x "
          f"(CPU time {cpu['numpy'] / cpu['compiled']:.1f}x); "
          f"all at once over the loop: "
          f"{(args.trials / batched['compiled']) / (args.baseline / loop):.1f}x")


if __name__ == "__main__":
    main()
