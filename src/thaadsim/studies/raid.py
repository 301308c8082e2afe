r"""Saturation: leakage against raid size, the Monte Carlo beside the closed form.

:func:`raid_curve` fires raids of :math:`N` copies of one threat (all at once, or a fixed
interval apart) at a defense for a range of :math:`N` and records, for each, the Monte
Carlo probability that no threat leaks (:func:`thaadsim.engagement.simulate`, with its
Wilson 95% interval), the expected number of leakers and the interceptors spent, beside
the closed-form binomial model with a finite magazine
(:func:`thaadsim.studies.claims.p_no_leak_with_inventory`, Wilkening, *Science & Global
Security* 8 (2000) 183-215): single-shot kill probability :math:`p` (the mean kill
probability of the shots the Monte Carlo fired at that raid size), the doctrine's volleys
(:func:`thaadsim.systems.fire_control.doctrine_shots`) and the first battery's inventory.

The *saturation count* is the smallest raid size whose Monte Carlo P(no leak) falls below
one half (on the counts run; ``refine=True`` bisects between grid points); the closed
form's own, over every whole raid size up to ``max_count``, is reported beside it.

The closed form assumes perfect tracking, enough fire channels and time for every volley;
the Monte Carlo does not, so where they part the difference is what the closed form leaves
out (fire channels, time, tracking), which the leak reasons per raid size show.

Cost: each :func:`~thaadsim.engagement.simulate` call runs radar detection and tracking
for count x trials threats (a fixed ~2 s plus ~4-6 ms per threat-trial on one core), so the
default grid is log-spaced (1, 2, 4, ... up to ``max_count``, at most about eight sizes) and
the default trials 100. With ``perfect_tracking`` (the closed form's assumption) a size
costs well under a second.

With a tracking ``pool`` every raid size runs on the chunked Monte Carlo runner
(:mod:`thaadsim.studies.montecarlo`, an :class:`~thaadsim.studies.montecarlo.EngagementTask`
of that raid): the radar and tracker run ``pool`` times per distinct threat and the trials
resample them, in chunks with independent streams, in-process, in local processes or on
Dask (``runner``). Each raid size N is one run in its own folder ``count-NNN`` of the
runner's folder, so a killed curve resumed with the runner's ``resume`` redoes no chunk
that finished, of any size; the curve's figures come from the chunk tables.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from thaadsim.engagement import (
    DefendedAsset,
    Defense,
    RaidThreat,
    Result,
    check_raid_and_defense,
    simulate,
    wilson_interval,
)
from thaadsim.errors import InputError
from thaadsim.jsonsafe import json_safe
from thaadsim.limits import LIMITS, check, fmt_number
from thaadsim.outputs import CSV_HEADERS, write_text
from thaadsim.physics.geodesy import geodesic_inverse
from thaadsim.studies.claims import p_no_leak_with_inventory, saturation_curve
from thaadsim.studies.montecarlo import (
    DEFAULT_CHUNK_TRIALS,
    EngagementTask,
    RunnerOptions,
    tracking_pool,
)
from thaadsim.systems import fire_control as fc
from thaadsim.systems.catalog import Site, get_radar, get_site
from thaadsim.systems.sensors import Sensor

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

MAX_COUNT = int(LIMITS["max_count"].high)
"""Largest raid size accepted (as ``thaadsim raid``)."""
SATURATION_P = 0.5
"""The defense is *saturated* once P(no leak) falls below this."""
DEFAULT_GRID_POINTS = 8


def default_counts(max_count: int, points: int = DEFAULT_GRID_POINTS) -> IntArray:
    """Log-spaced whole raid sizes from 1 to ``max_count`` (both included), at most
    ``points`` of them: 1, 2, 4, 8, 16, 32, 48 for 48."""
    check("max_count", max_count, "max_count")
    if max_count <= points:
        return np.arange(1, max_count + 1, dtype=np.int64)
    powers = 2 ** np.arange(int(math.log2(max_count)) + 1)
    grid = np.unique(np.concatenate([powers, [max_count]])).astype(np.int64)
    if grid.size > points:
        grid = np.unique(np.round(np.geomspace(1, max_count, points))).astype(np.int64)
    return grid


@dataclass(frozen=True, kw_only=True)
class RaidCurve:
    """Leakage against raid size: one entry per raid size in :attr:`count`."""

    count: IntArray
    p_no_leak: FloatArray
    """Monte Carlo P(no leak)."""
    p_no_leak_ci_low: FloatArray
    p_no_leak_ci_high: FloatArray
    """Wilson 95% interval of :attr:`p_no_leak`."""
    expected_leakers: FloatArray
    interceptors_used: FloatArray
    """Per trial, all batteries."""
    p_kill_per_shot: FloatArray
    """Mean kill probability of the first battery's shots (NaN: none fired)."""
    analytic_p_no_leak: FloatArray
    """Closed form (binomial, finite magazine) with :attr:`p_kill_per_shot` (0 where no
    shot was fired) and :attr:`volleys`."""
    leak_reasons: tuple[dict[str, int], ...]
    """Per raid size: why the leaked threat-trials leaked (fire control's reasons)."""
    volleys: tuple[int, ...]
    """Interceptors per volley in the closed form: the doctrine's, less a second volley
    when the median threat has time for only one shot."""
    doctrine: str
    inventory: int
    fire_channels: int
    saturation_count: int | None
    """Smallest raid size run with Monte Carlo P(no leak) < 0.5 (None: none)."""
    analytic_saturation_count: int | None
    """Smallest whole raid size in 1..max_count with closed-form P(no leak) < 0.5, at the
    pooled kill probability (None: none)."""
    max_count: int
    trials: int
    seed: int
    missile: str
    batteries: tuple[str, ...]
    perfect_tracking: bool

    @property
    def p_kill_pooled(self) -> float:
        """Mean per-shot kill probability over the raid sizes that fired (NaN: none)."""
        ok = np.isfinite(self.p_kill_per_shot)
        return float(np.mean(self.p_kill_per_shot[ok])) if ok.any() else float("nan")

    def rows(self) -> list[dict[str, Any]]:
        """One row per raid size (the CSV's rows)."""
        return [{
            "count": int(self.count[i]),
            "p_no_leak": float(self.p_no_leak[i]),
            "p_no_leak_ci_low": float(self.p_no_leak_ci_low[i]),
            "p_no_leak_ci_high": float(self.p_no_leak_ci_high[i]),
            "expected_leakers": float(self.expected_leakers[i]),
            "interceptors_used": float(self.interceptors_used[i]),
            "p_kill_per_shot": float(self.p_kill_per_shot[i]),
            "analytic_p_no_leak": float(self.analytic_p_no_leak[i]),
        } for i in range(self.count.size)]

    def to_csv(self, path: str | Path) -> Path:
        """Write :meth:`rows` as CSV (a header line, one line per raid size), atomically; the
        header is thaadsim's signature of the table (:data:`thaadsim.outputs.CSV_HEADERS`)."""
        path = Path(path)
        buf = io.StringIO()
        rows = self.rows()
        writer = csv.DictWriter(buf, fieldnames=list(CSV_HEADERS["raid-curve"]),
                                lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return write_text(path, buf.getvalue(), ".csv")

    def to_dict(self) -> dict[str, Any]:
        """Everything as plain JSON values (NaN as None)."""
        return json_safe({
            "missile": self.missile, "batteries": list(self.batteries),
            "doctrine": self.doctrine, "volleys": list(self.volleys),
            "inventory": self.inventory, "fire_channels": self.fire_channels,
            "max_count": self.max_count, "trials": self.trials, "seed": self.seed,
            "perfect_tracking": self.perfect_tracking,
            "saturation_count": self.saturation_count,
            "analytic_saturation_count": self.analytic_saturation_count,
            "saturation_p": SATURATION_P,
            "p_kill_pooled": self.p_kill_pooled,
            "analytic_model": "binomial with a finite inventory (Wilkening, Science & Global "
                              "Security 8 (2000) 183-215): independent shots, perfect "
                              "tracking, enough fire channels and time",
            "curve": self.rows(),
            "leak_reasons": [dict(r) for r in self.leak_reasons],
        })


def _raid(threat: RaidThreat, n: int, interval_s: float) -> list[RaidThreat]:
    return [dataclasses.replace(threat, launch_t_s=threat.launch_t_s + k * interval_s)
            for k in range(n)]


def _reasons(res: Result) -> dict[str, int]:
    leaked = res.leaked.ravel()
    names, counts = np.unique(res.threats["reason"][leaked], return_counts=True)
    return {str(k): int(v) for k, v in zip(names, counts, strict=True)}


def raid_curve(
    raid_threat: RaidThreat,
    defense: Defense,
    max_count: int,
    *,
    trials: int = 100,
    seed: int = 0,
    counts: Sequence[int] | None = None,
    interval_s: float = 0.0,
    refine: bool = False,
    pool: int | None = None,
    runner: RunnerOptions | None = None,
    progress: bool = False,
) -> RaidCurve:
    """P(no leak), expected leakers and interceptors spent against raid size (module
    docstring). With ``pool``, each raid size runs on the Monte Carlo runner's two-level
    sampling (:func:`thaadsim.engagement.prepare` / :func:`~thaadsim.engagement.engage_prepared`: a
    pool of ``pool`` tracking outcomes per distinct threat, resampled by the trials), much
    faster than :func:`~thaadsim.engagement.simulate` per trial; without (None or 0), every
    trial runs the radar and tracker.

    Parameters
    ----------
    raid_threat : RaidThreat
        The threat the raids are made of: a raid of N is N copies, the k-th launched
        ``k * interval_s`` after the first.
    defense : Defense
        Its first battery's inventory, fire channels and doctrine (its own, else the
        defense's) enter the closed form.
    max_count : int
        Largest raid size (1..500).
    trials, seed
        Monte Carlo trials per raid size; every size uses the same seed.
    counts : sequence of int, optional
        Raid sizes to run (default :func:`default_counts`).
    refine : bool
        Bisect between the last size run with P(no leak) >= 0.5 and the first below it
        until they are adjacent (about log2 of the gap extra runs).
    pool : int, optional
        Tracking outcomes per distinct threat; None: 200 with ``runner`` options, else
        none (:func:`~thaadsim.studies.montecarlo.tracking_pool`).
    runner : RunnerOptions, optional
        Where each raid size's chunks run and are written: raid size N in the folder
        ``count-NNN`` (:meth:`~thaadsim.studies.montecarlo.RunnerOptions.within`). Without,
        in this process, nothing written.
    progress : bool
        The runner's progress bar per raid size, on standard error.
    """
    check_raid_and_defense(raid_threat, defense)
    check("max_count", max_count, "max_count")
    check("interval_s", interval_s, "interval_s")
    check("launch_t_s", raid_threat.launch_t_s + (max_count - 1) * interval_s,
          "the last launch of the largest raid (launch_t_s + (max_count - 1) x interval_s)")
    check("trials", trials, "trials")
    if counts is None:
        grid = default_counts(max_count)
    else:
        given = list(counts)
        if not all(isinstance(n, int | np.integer) and not isinstance(n, bool) for n in given):
            raise InputError("counts: raid sizes must be whole numbers")
        for n in given:
            check("max_count", int(n), "counts")
        grid = np.unique(np.asarray(given, dtype=np.int64))
        if grid.size == 0 or grid[-1] > max_count:
            raise InputError(f"counts: need raid sizes from 1 to max_count "
                             f"({fmt_number(max_count)})")
    if not defense.batteries:
        raise InputError("defense: no battery")
    runner = runner or RunnerOptions()
    pool = tracking_pool(pool, runner)
    if pool is None:  # every trial runs the radar and tracker for every missile
        check("tracked_trials", int(grid.max()) * trials,
              "largest raid x trials (without a tracking pool)")
    first = defense.batteries[0]
    doctrine = fc.check_doctrine(first.doctrine or defense.doctrine)
    volleys_full = fc.doctrine_shots(doctrine)

    runs: dict[int, Result] = {}

    def run(n: int) -> Result:
        if n not in runs:
            if pool is None:
                runs[n] = simulate(_raid(raid_threat, n, interval_s), defense, trials=trials,
                                   seed=seed)
            else:  # the Monte Carlo runner's two-level sampling: one tracking pool
                task = EngagementTask(raid=tuple(_raid(raid_threat, n, interval_s)),
                                      defense=defense, pool_size=pool, shots=True)
                frame = runner.within(f"count-{n:03d}").run(
                    task, trials, seed, default_chunk=DEFAULT_CHUNK_TRIALS,
                    progress=progress, label=f"raid of {n}")
                runs[n] = task.result(frame)
        return runs[n]

    for n in grid:
        run(int(n))
    if refine:
        while True:
            ns = sorted(runs)
            p = [runs[n].p_no_leak for n in ns]
            below = [i for i, v in enumerate(p) if v < SATURATION_P]
            if not below or below[0] == 0:
                break
            lo, hi = ns[below[0] - 1], ns[below[0]]
            if hi - lo <= 1:
                break
            run((lo + hi) // 2)
    ns = sorted(runs)
    results = [runs[n] for n in ns]
    p_mc = np.array([r.p_no_leak for r in results])
    low, high = wilson_interval(p_mc, trials)
    p_shot = np.array([float(np.mean(r.shots["p_kill"][r.shots["battery"] == 0]))
                       if np.any(r.shots["battery"] == 0) else float("nan") for r in results])
    opp = int(np.median(np.concatenate([r.threats["shot_opportunities"] for r in results])))
    volleys = volleys_full if (len(volleys_full) == 1 or opp >= 2) else volleys_full[:1]
    analytic = np.array([p_no_leak_with_inventory(float(np.nan_to_num(p, nan=0.0)), volleys,
                                                  first.inventory, n)
                         for p, n in zip(p_shot, ns, strict=True)])
    below = [n for n, v in zip(ns, p_mc, strict=True) if v < SATURATION_P]
    ok = np.isfinite(p_shot)
    pooled = float(np.mean(p_shot[ok])) if ok.any() else 0.0
    closed = saturation_curve(pooled, volleys, first.inventory, max_count)
    closed_below = np.flatnonzero(closed < SATURATION_P)
    return RaidCurve(
        count=np.array(ns, dtype=np.int64), p_no_leak=p_mc, p_no_leak_ci_low=low,
        p_no_leak_ci_high=high,
        expected_leakers=np.array([r.expected_leakers for r in results]),
        interceptors_used=np.array([r.interceptors_used for r in results]),
        p_kill_per_shot=p_shot, analytic_p_no_leak=analytic,
        leak_reasons=tuple(_reasons(r) for r in results), volleys=tuple(volleys),
        doctrine=doctrine, inventory=first.inventory, fire_channels=first.fire_channels,
        saturation_count=below[0] if below else None,
        analytic_saturation_count=int(closed_below[0]) + 1 if closed_below.size else None,
        max_count=max_count, trials=trials, seed=seed, missile=raid_threat.missile.slug,
        batteries=tuple(b.slug for b in defense.batteries),
        perfect_tracking=defense.perfect_tracking,
    )


# --------------------------------------------------------------------------------------------
# The command line's defense (thaadsim raid-curve)
# --------------------------------------------------------------------------------------------


def standard_defense(battery_site: str, doctrine: str, aim: tuple[float, float],
                     launch: tuple[float, float], *, layered: bool = False,
                     inventory: int | None = None, fire_channels: int | None = None,
                     sspk: float | None = None, asset_radius_km: float = 20.0,
                     perfect_tracking: bool = False,
                     sensors: Sequence[Sensor] = ()) -> Defense:
    """The battery at ``battery_site`` (the catalog's, or a THAAD battery like Seongju's
    moved there) with its own radar (in its catalog mode, terminal for a moved one) facing
    the launch point, defending the aim point (a circle of ``asset_radius_km``);
    ``layered`` adds a PAC-3 MSE battery at the aim point, which fires on the network's
    tracks (after the catalog's latency); ``sensors`` are added to the network (``thaadsim
    engage --sensor``). As ``thaadsim engage`` and ``thaadsim raid`` build it."""
    fc.check_doctrine(doctrine)
    if inventory is not None:
        check("inventory", inventory, "inventory")
    if fire_channels is not None:
        check("fire_channels", fire_channels, "fire_channels")
    if sspk is not None:
        check("probability", sspk, "sspk")
    check("asset_radius_km", asset_radius_km, "asset_radius_km")
    for where, (lat, lon) in (("aim point", aim), ("launch point", launch)):
        check("lat_deg", lat, f"{where} latitude")
        check("lon_deg", lon, f"{where} longitude")
    site = get_site(battery_site)
    at_site = [b for b in fc.battery_catalog().values() if b.site.slug == site.slug
               and b.radar_mode is not None]
    battery = at_site[0] if at_site else dataclasses.replace(
        fc.get_battery("seongju"), site=site, slug=f"thaad-{site.slug}")
    battery = dataclasses.replace(battery, inventory_limit=inventory)
    if fire_channels is not None:
        battery = dataclasses.replace(battery, fire_channels=fire_channels)
    batteries = [battery]
    if layered:
        pac = fc.get_battery("osan-pac3")
        aim_site = Site(slug="aim-point", name="the aim point", lat_deg=aim[0], lon_deg=aim[1],
                        alt_m=0.0, figures={})
        batteries.append(dataclasses.replace(pac, site=aim_site, slug="pac-3-at-aim"))
    _, bearing, _ = geodesic_inverse(site.lat_deg, site.lon_deg, launch[0], launch[1])
    own = Sensor(name=site.slug, radar=get_radar(battery.radar_mode or "terminal").radar,
                 emplacement=site.emplacement(float(bearing) % 360.0), battery=battery.slug,
                 site=site.slug)
    asset = DefendedAsset(name="aim point", lat_deg=aim[0], lon_deg=aim[1],
                          radius_m=asset_radius_km * 1e3)
    return Defense(batteries=tuple(batteries), sensors=(own, *sensors), assets=(asset,),
                   doctrine=doctrine, sspk=sspk, perfect_tracking=perfect_tracking)


__all__ = ["RaidCurve", "default_counts", "raid_curve",
           "standard_defense", "wilson_interval"]
