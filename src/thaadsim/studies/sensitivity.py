r"""Sensitivity: which uncertain number a conclusion hangs on (Sobol indices, SALib).

:func:`sobol_indices` varies the uncertain public parameters of a scenario over their
ranges (:func:`parameter`: the catalog's ``low``/``high`` where it gives them, otherwise a
range stated here as an assumption) and returns, for one output, each parameter's
first-order Sobol index :math:`S_1` (the share of the output's variance it explains
alone) and total index :math:`S_T` (alone and through its interactions), with bootstrap
95% confidence intervals (Saltelli et al., *Global Sensitivity Analysis: The Primer*,
Wiley 2008; Saltelli et al., *Comput. Phys. Commun.* 181 (2010) 259; the Saltelli/Sobol'
sampling of :func:`SALib.sample.sobol.sample` and the estimators of
:func:`SALib.analyze.sobol.analyze`). ``samples`` = N base samples cost
:math:`N(D + 2)` model runs for D parameters.

Outputs:

* ``detection_range``: the search detection range (km) of the defense's AN/TPY-2 mode
  from the radar equation (:func:`thaadsim.systems.radar.detection_range_m`, broadside, no
  horizon, no instrumented-range limit); cheap.
* ``p_no_leak`` and ``expected_leakers``: the scenario's raid against its defense, with
  radar tracking (the two-level Monte Carlo of :func:`thaadsim.engagement.prepare` and
  :func:`thaadsim.engagement.engage_prepared`: a pool of ``pool`` tracking outcomes per threat,
  resampled by ``trials`` fire-control trials per model run, with the same seed in every
  run, common random numbers, so that differences between runs come from the parameters).

  The radar parameters are applied as themselves: a run's average power and losses change
  every sensor's :class:`~thaadsim.systems.radar.Radar` (``dataclasses.replace``: the
  power scaled by the run's ratio to the nominal, the losses shifted by the run's
  difference), its cross-section every threat's ``rcs_m2``. Each is rounded to a grid of
  :data:`RCS_LEVEL_DB` dB so that runs share one tracking computation per distinct
  (power, losses, cross-section) (the rounding moves the signal-to-noise ratio by at most
  half a step of each). Fire-control and kill-vehicle parameters (kill probability,
  divert, reaction time, kill assessment, fire channels, launchers) change only the cheap
  fire-control trials. The network latency (``network_latency_s``: when a remote sensor's
  firm track reaches a battery, ``data/network.yaml``'s 1-10 s) is the defense's own
  (``dataclasses.replace``) and enters the prepared best tracks, so runs share their
  preparation per :data:`LATENCY_STEP_S` step of it as for the radar's levels; it matters
  only where a battery uses a sensor other than its own radar.
* ``footprint_area``: the area (km^2) of the defended footprint
  (:func:`thaadsim.studies.footprint.defended_footprint`) of the defense's first battery
  against the first raid group's missile from that group's launch centre (its shape and
  apogee), in the defense's radar mode, on a coarse grid (``grid_km``, default
  :data:`FOOTPRINT_GRID_KM` km) with ``min_shots`` shot opportunities (default 1). The
  footprint depends on the varied parameters only through the firm-track time (the radar:
  cross-section, power, losses, applied as themselves on the :data:`RCS_LEVEL_DB` grid as
  above; the network latency for a track from another sensor) and the shot timing (reaction
  time; kill assessment with ``min_shots=2`` only), so the aimed flights and the intercept
  geometry are computed once and shared by every run, the firm-track estimate once per
  cross-section level, and a run costs only the shot count
  (:func:`thaadsim.studies.footprint.shot_opportunities`). Kill probability, fire channels
  and launchers do not enter the footprint (one threat, opportunities not kills), nor divert
  (the footprint's geometry is the reach table's), and are refused.

The ``dummy`` parameter changes nothing: its indices show how far from zero an estimate
of this size wanders for a parameter that does not matter (SALib's convention for a
noise floor).

Not varied here: the interceptor's burnout speed (it needs a new booster calibration and a
new reach table per run), the kill vehicle's homing time (it enters the pre-computed
handover-error tables).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import numpy.typing as npt

from thaadsim.engagement import Defense, Prepared, RaidThreat, engage_prepared, prepare
from thaadsim.errors import InputError
from thaadsim.limits import LIMITS, check, fmt_number
from thaadsim.systems.catalog import get_missile, get_radar
from thaadsim.systems.radar import Radar, detection_range_m

if TYPE_CHECKING:
    import pandas as pd

    from thaadsim.studies.montecarlo import RunnerOptions

FloatArray = npt.NDArray[np.float64]

OUTPUTS = ("p_no_leak", "expected_leakers", "detection_range", "footprint_area")
OUTPUT_UNITS = {"p_no_leak": "probability", "expected_leakers": "threats",
                "detection_range": "km", "footprint_area": "km^2"}
PARAMETERS = ("sspk", "divert_mps", "rcs_m2", "average_power_w", "losses_db", "reaction_s",
              "kill_assessment_s", "fire_channels", "launchers", "network_latency_s", "dummy")
DEFAULT_PARAMETERS = {
    "p_no_leak": ("sspk", "divert_mps", "rcs_m2", "average_power_w", "reaction_s",
                  "fire_channels"),
    "expected_leakers": ("sspk", "divert_mps", "rcs_m2", "average_power_w", "reaction_s",
                         "fire_channels"),
    "detection_range": ("rcs_m2", "average_power_w", "losses_db", "dummy"),
    "footprint_area": ("rcs_m2", "average_power_w", "reaction_s", "dummy"),
}
"""Default parameters of each output (``footprint_area`` adds ``kill_assessment_s`` when
``min_shots`` is 2)."""
FOOTPRINT_PARAMETERS = ("rcs_m2", "average_power_w", "losses_db", "reaction_s",
                        "kill_assessment_s", "network_latency_s", "dummy")
"""The parameters the defended footprint can take (module docstring)."""
FOOTPRINT_GRID_KM = 25.0
"""Default cell size of the ``footprint_area`` runs: coarse, so that a run is cheap (the
area moves by whole cells; the default of ``thaadsim footprint`` is 10 km)."""
RADAR_PARAMETERS = ("rcs_m2", "average_power_w", "losses_db")
"""Parameters that change tracking."""
TRACK_PARAMETERS = (*RADAR_PARAMETERS, "network_latency_s")
"""Parameters that change the prepared tracks (tracking, and when each sensor's track
reaches each battery): runs share their preparation per distinct level of these."""
LATENCY_STEP_S = 0.5
"""Grid (s) of the network latency on which runs share their prepared tracks: a run's
latency is moved by at most 0.25 s (against the 1-10 s range of ``data/network.yaml``)."""
RCS_LEVEL_DB = 0.5
"""Grid (dB) of the radar parameters (power, losses, cross-section) on which runs share
their tracking (module docstring)."""
RCS_RANGE_M2 = (0.01, 1.0)
"""Cross-section range: a re-entry vehicle nose-on (0.01 m^2) to a missile body (1 m^2),
the two targets of radars.yaml's reported ranges and of the claims check (assumption)."""
POWER_DB = 3.0
"""Average power varied by +-3 dB about the catalog's assumed 81 kW (the module count and
per-module power are not public; assumption)."""


@dataclass(frozen=True, kw_only=True)
class Parameter:
    """An uncertain parameter: its range, how it is sampled and where the range comes from."""

    name: str
    nominal: float
    low: float
    high: float
    unit: str
    log: bool = False
    """Sampled uniformly in its logarithm (log-uniform) rather than uniformly."""
    integer: bool = False
    """Rounded to a whole number."""
    basis: str = ""
    """Where the range comes from."""

    def from_unit(self, u: FloatArray) -> FloatArray:
        """Values for points ``u`` in [0, 1] of the sampled range."""
        if self.log:
            v = np.exp(np.log(self.low) + u * (np.log(self.high) - np.log(self.low)))
        else:
            v = self.low + u * (self.high - self.low)
        return np.rint(v) if self.integer else v


def _range(fig: Any, fallback: tuple[float, float], what: str) -> tuple[float, float, str]:
    if fig is not None and fig.low is not None and fig.high is not None:
        return float(fig.low), float(fig.high), "catalog low/high"
    return fallback[0], fallback[1], f"assumption: {what}"


def parameter(name: str, defense: Defense) -> Parameter:
    """The uncertain parameter ``name`` (one of :data:`PARAMETERS`) of the defense's first
    battery, its interceptor and its radar mode, with its range."""
    battery = defense.batteries[0]
    icpt = battery.interceptor
    radar = _first_radar(defense)
    entry = get_radar(radar.mode)  # the catalog's entry of its mode: the figures' ranges
    if name in ("sspk", "divert_mps"):
        nominal = float(getattr(icpt, name))
        lo, hi, basis = _range(icpt.figures.get(name), (nominal * 0.8, min(1.0, nominal * 1.2))
                               if name == "sspk" else (nominal * 0.5, nominal * 1.5),
                               "the catalog gives no range")
        return Parameter(name=name, nominal=nominal, low=lo, high=hi,
                         unit="" if name == "sspk" else "m/s",
                         basis=f"interceptor {icpt.slug}: {basis}")
    if name == "rcs_m2":
        return Parameter(name=name, nominal=0.1, low=RCS_RANGE_M2[0], high=RCS_RANGE_M2[1],
                         unit="m^2", log=True,
                         basis="assumption: 0.01 m^2 (warhead nose-on) to 1 m^2 (missile "
                               "body), log-uniform; replaces every threat's own")
    if name == "average_power_w":
        p = radar.average_power_w
        f = 10 ** (POWER_DB / 10)
        return Parameter(name=name, nominal=p, low=p / f, high=p * f, unit="W", log=True,
                         basis=f"radar {entry.slug}: assumption, catalog value +-{POWER_DB:g} "
                               "dB, log-uniform; every sensor's power scaled alike")
    if name == "losses_db":
        v = radar.losses_db
        lo, hi, basis = _range(entry.figures.get("losses_db"), (4.0, 8.0),
                               "4-8 dB (Barton 2005, ch. 10, as the catalog's note cites)")
        return Parameter(name=name, nominal=v, low=lo, high=hi, unit="dB",
                         basis=f"radar {entry.slug}: {basis}; every sensor's losses shifted "
                               "alike")
    if name in ("reaction_s", "kill_assessment_s", "fire_channels", "launchers"):
        v = float(getattr(battery, name))
        fallback = (v / 2, v * 2)
        if name == "launchers":
            fallback = (max(1.0, v / 2), v * 1.5)
        lo, hi, basis = _range(battery.figures.get(name), fallback,
                               "half to twice the catalog's value"
                               if name != "launchers" else "half to 1.5 times the catalog's")
        return Parameter(name=name, nominal=v, low=lo, high=hi,
                         unit="s" if name.endswith("_s") else "",
                         integer=name in ("fire_channels", "launchers"),
                         basis=f"battery {battery.slug}: {basis}")
    if name == "network_latency_s":
        from thaadsim.systems.sensors import network_latency_figure

        lo, hi, basis = _range(network_latency_figure(), (1.0, 10.0),
                               "1-10 s (data/network.yaml states no range)")
        return Parameter(name=name, nominal=float(defense.network_latency_s), low=lo, high=hi,
                         unit="s", basis=f"data/network.yaml network_latency_s: {basis}, "
                                         "uniform; a remote sensor's track reaches a battery "
                                         "this long after it is firm (0 from its own radar), "
                                         f"on a {LATENCY_STEP_S:g} s grid")
    if name == "dummy":
        return Parameter(name=name, nominal=0.5, low=0.0, high=1.0, unit="",
                         basis="changes nothing (noise floor of the estimates)")
    raise InputError(f"parameter: unknown {name!r}; allowed: {', '.join(PARAMETERS)}")


@dataclass(frozen=True, kw_only=True)
class SensitivityResult:
    """Sobol indices of one output over the parameters (in :attr:`names` order)."""

    output: str
    unit: str
    parameters: tuple[Parameter, ...]
    s1: FloatArray
    s1_conf: FloatArray
    """Half-width of the bootstrap 95% interval of :attr:`s1`."""
    st: FloatArray
    st_conf: FloatArray
    samples: int
    runs: int
    seed: int
    output_mean: float
    output_std: float
    output_min: float
    output_max: float
    seconds: float
    settings: dict[str, Any]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.parameters)

    def ranking(self) -> list[str]:
        """Parameter names by decreasing total index."""
        return [self.names[i] for i in np.argsort(-self.st, kind="stable")]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON values (NaN as None)."""

        def num(x: float) -> float | None:
            return float(x) if math.isfinite(float(x)) else None

        return {
            "output": self.output, "unit": self.unit, "samples": self.samples,
            "runs": self.runs, "seed": self.seed, "seconds": round(self.seconds, 3),
            "output_mean": num(self.output_mean), "output_std": num(self.output_std),
            "output_min": num(self.output_min), "output_max": num(self.output_max),
            "ranking": self.ranking(),
            "method": "Sobol indices, Saltelli sampling and estimators (SALib), bootstrap "
                      "95% intervals",
            "settings": dict(self.settings),
            "parameters": [{
                "name": p.name, "unit": p.unit, "nominal": num(p.nominal), "low": num(p.low),
                "high": num(p.high), "log_uniform": p.log, "integer": p.integer,
                "range_basis": p.basis,
                "S1": num(self.s1[i]), "S1_conf": num(self.s1_conf[i]),
                "ST": num(self.st[i]), "ST_conf": num(self.st_conf[i]),
            } for i, p in enumerate(self.parameters)],
        }


def _raid_and_defense(scenario_or_builder: Any
                      ) -> tuple[list[RaidThreat], Defense, str, RaidThreat | None]:
    """(raid, defense, label, first) from a scenario name or path, a Scenario, or a pair;
    ``first`` is the threat of the footprint: the first raid group's missile launched from
    the group's launch centre for a scenario, the raid's first threat otherwise (None for
    an empty raid)."""
    from thaadsim.scenario import Scenario, load_scenario

    if isinstance(scenario_or_builder, tuple) and len(scenario_or_builder) == 2:
        raid, defense = scenario_or_builder
        raid = list(raid)
        return raid, defense, "(raid, defense)", raid[0] if raid else None
    if callable(scenario_or_builder) and not isinstance(scenario_or_builder, Scenario):
        raid, defense = scenario_or_builder()
        raid = list(raid)
        return (raid, defense, getattr(scenario_or_builder, "__name__", "builder"),
                raid[0] if raid else None)
    sc = (scenario_or_builder if isinstance(scenario_or_builder, Scenario)
          else load_scenario(scenario_or_builder))
    kw = sc.to_run_kwargs()
    g = sc.groups[0]
    first = RaidThreat(missile=get_missile(g.missile), launch_lat_deg=g.launch.centre.lat_deg,
                       launch_lon_deg=g.launch.centre.lon_deg, aim_lat_deg=g.aim.lat_deg,
                       aim_lon_deg=g.aim.lon_deg, shape=g.shape, apogee_km=g.apogee_km,
                       launch_t_s=g.launch_t_s, rcs_m2=g.rcs_m2)
    return list(kw["raid"]), kw["defense"], str(kw.get("name", scenario_or_builder)), first


def _apply_defense(defense: Defense, values: dict[str, float]) -> tuple[Defense, Any]:
    """The defense and its first battery's interceptor with the fire-control and
    kill-vehicle parameters of one run."""
    battery = defense.batteries[0]
    icpt = battery.interceptor
    b_changes: dict[str, Any] = {k: (int(v) if k in ("fire_channels", "launchers") else float(v))
                 for k, v in values.items()
                 if k in ("reaction_s", "kill_assessment_s", "fire_channels", "launchers")}
    i_changes: dict[str, Any] = {k: float(v) for k, v in values.items()
                                 if k in ("sspk", "divert_mps")}
    if b_changes:
        battery = dataclasses.replace(battery, **b_changes)
    if i_changes:
        icpt = dataclasses.replace(icpt, **i_changes)
        battery = dataclasses.replace(battery, interceptor=icpt)
    changes: dict[str, Any] = {"batteries": (battery, *defense.batteries[1:])}
    if "sspk" in values:
        changes["sspk"] = None  # the run's interceptor carries it
    return dataclasses.replace(defense, **changes), icpt


def _detection_range(values: dict[str, FloatArray], defense: Defense, runs: range
                     ) -> FloatArray:
    """The search detection range (km) of runs ``runs``: the defense's first sensor's
    radar with the run's power and losses."""
    radar = _first_radar(defense)
    out = np.empty(len(runs))
    for k, j in enumerate(runs):
        changes: dict[str, Any] = {name: float(values[name][j])
                                   for name in ("average_power_w", "losses_db")
                                   if name in values}
        r = dataclasses.replace(radar, **changes) if changes else radar
        rcs = float(values["rcs_m2"][j]) if "rcs_m2" in values else 0.1
        out[k] = float(detection_range_m(r, rcs, "search")) / 1e3
    return out


def _first_radar(defense: Defense) -> Radar:
    """The radar whose figures are the parameters' nominal values: the defense's first
    sensor's (the catalog's terminal mode if it has none)."""
    return defense.sensors[0].radar if defense.sensors else get_radar("terminal").radar


NOT_VARIED = np.iinfo(np.int64).min
"""A run's cross-section level when the cross-section is not varied (each threat keeps
its own)."""


def _radar_levels(values: dict[str, FloatArray], defense: Defense, runs: int
                  ) -> npt.NDArray[np.int64]:
    """(runs, 4): each run's power (ratio to the nominal), losses (difference from the
    nominal) and cross-section, each in whole :data:`RCS_LEVEL_DB` dB steps
    (:data:`NOT_VARIED` for the cross-section of a run that keeps the threats' own), and
    its network latency in whole :data:`LATENCY_STEP_S` steps (:data:`NOT_VARIED`: the
    defense's own)."""
    radar = _first_radar(defense)
    out = np.zeros((runs, 4), dtype=np.int64)
    if "average_power_w" in values:
        out[:, 0] = np.rint(10 * np.log10(values["average_power_w"] / radar.average_power_w)
                            / RCS_LEVEL_DB)
    if "losses_db" in values:
        out[:, 1] = np.rint((values["losses_db"] - radar.losses_db) / RCS_LEVEL_DB)
    out[:, 2] = (np.rint(10 * np.log10(values["rcs_m2"]) / RCS_LEVEL_DB) if "rcs_m2" in values
                 else NOT_VARIED)
    out[:, 3] = (np.rint(values["network_latency_s"] / LATENCY_STEP_S)
                 if "network_latency_s" in values else NOT_VARIED)
    return out


def _at_levels(levels: npt.NDArray[np.int64], defense: Defense,
               raid: Sequence[RaidThreat]) -> tuple[Defense, list[RaidThreat]]:
    """The defense and raid of one row of :func:`_radar_levels`: every sensor's radar with
    its power scaled and its losses shifted, the network's latency (or the defense's own),
    every threat with the cross-section (or its own), by ``dataclasses.replace``."""
    power, losses, rcs, latency = (int(v) for v in levels)
    factor = 10 ** (power * RCS_LEVEL_DB / 10)
    sensors = tuple(dataclasses.replace(s, radar=dataclasses.replace(
        s.radar, average_power_w=s.radar.average_power_w * factor,
        losses_db=s.radar.losses_db + losses * RCS_LEVEL_DB)) for s in defense.sensors)
    threats = (list(raid) if rcs == NOT_VARIED else
               [dataclasses.replace(th, rcs_m2=float(10 ** (rcs * RCS_LEVEL_DB / 10)))
                for th in raid])
    latency_s = (defense.network_latency_s if latency == NOT_VARIED
                 else latency * LATENCY_STEP_S)
    return dataclasses.replace(defense, sensors=sensors, network_latency_s=latency_s), threats


def _runs_of(values: dict[str, FloatArray]) -> int:
    return int(next(iter(values.values())).size)


# --------------------------------------------------------------------------------------------
# The models: the work shared by every run, then any block of runs
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class _DetectionModel:
    """``detection_range``: nothing shared but the sample."""

    values: dict[str, FloatArray]
    defense: Defense

    def evaluate(self, start: int, stop: int) -> FloatArray:
        return _detection_range(self.values, self.defense, range(start, stop))


@dataclass(frozen=True, kw_only=True)
class _FootprintModel:
    """``footprint_area``: the aimed flights and intercept geometry of the grid and the
    firm-track estimate of each cross-section level, shared by every run (module
    docstring); a run costs the shot count."""

    values: dict[str, FloatArray]
    battery: Any
    min_shots: int
    level: npt.NDArray[np.intp]
    """(runs,) the radar variant of each run (a row of :func:`_radar_levels`' distinct
    rows)."""
    geometry: Any
    firm: dict[int, FloatArray]
    """Firm-track time of each reachable cell, by radar variant."""
    area_km2: FloatArray
    """Geodesic area of each reachable cell."""

    def evaluate(self, start: int, stop: int) -> FloatArray:
        from thaadsim.studies import footprint as fpm

        v, bat = self.values, self.battery
        out = np.empty(stop - start)
        if self.geometry is None:  # the missile reaches no cell
            out[:] = 0.0
            return out
        for k, j in enumerate(range(start, stop)):
            reaction = float(v["reaction_s"][j]) if "reaction_s" in v else bat.reaction_s
            assess = (float(v["kill_assessment_s"][j]) if "kill_assessment_s" in v
                      else bat.kill_assessment_s)
            f = self.firm[int(self.level[j])]
            shots = fpm.shot_opportunity_counts(self.geometry,
                                           np.where(np.isfinite(f), f + reaction, np.inf),
                                           assess)
            out[k] = float(self.area_km2[shots >= self.min_shots].sum())
        return out


@dataclass(frozen=True, kw_only=True)
class _EngagementModel:
    """``p_no_leak``, ``expected_leakers``: the raid prepared once (tracking pools) with
    every distinct radar variant (:func:`_radar_levels`); a run costs its fire-control
    trials, with the run's seed in every run (common random numbers)."""

    values: dict[str, FloatArray]
    defense: Defense
    output: str
    trials: int
    seed: int
    subsets: tuple[Prepared, ...]
    which: npt.NDArray[np.intp]
    """(runs,) the level variant of each run (index into ``subsets``)."""

    def evaluate(self, start: int, stop: int) -> FloatArray:
        fc_names = [k for k in self.values if k not in TRACK_PARAMETERS and k != "dummy"]
        out = np.empty(stop - start)
        for k, j in enumerate(range(start, stop)):
            sub = self.subsets[self.which[j]]
            d, icpt = _apply_defense(self.defense,
                                     {n: float(self.values[n][j]) for n in fc_names})
            # the run's latency, with which its tracks were prepared
            d = dataclasses.replace(d, network_latency_s=sub.defense.network_latency_s)
            sub = dataclasses.replace(sub, defense=d, interceptors=(icpt, *sub.interceptors[1:]))
            res = engage_prepared(sub, self.trials, np.random.default_rng(self.seed))
            out[k] = res.p_no_leak if self.output == "p_no_leak" else res.expected_leakers
        return out


def _footprint_grid(threat: RaidThreat, defense: Defense, grid_km: float
                    ) -> tuple[Any, FloatArray, FloatArray]:
    """The footprint's threat (:class:`thaadsim.studies.footprint._Threat`) and its grid's
    aim points, as :func:`thaadsim.studies.footprint.defended_footprint` makes them."""
    from thaadsim.studies import footprint as fpm

    bat = defense.batteries[0]
    icpt = bat.interceptor
    extent = icpt.max_ground_range_m / 1e3 + fpm.EXTENT_MARGIN_KM
    lat, lon = fpm._axes(bat.site, grid_km, extent)
    th = fpm._Threat(battery=bat, missile=threat.missile,
                     launch_lat_deg=float(threat.launch_lat_deg),
                     launch_lon_deg=float(threat.launch_lon_deg), shape=threat.shape,
                     apogee_km=threat.apogee_km, sensors=tuple(defense.sensors),
                     network_latency_s=defense.network_latency_s,
                     rcs_m2=float(threat.rcs_m2))
    return th, lat, lon


def _footprint_settings(values: dict[str, FloatArray], threat: RaidThreat, defense: Defense,
                        grid_km: float, min_shots: int) -> dict[str, Any]:
    from thaadsim.systems.threat import aim_many

    th, lat, lon = _footprint_grid(threat, defense, grid_km)
    glat, glon = np.meshgrid(lat, lon, indexing="ij")
    aims = aim_many(th.missile, th.launch_lat_deg, th.launch_lon_deg, glat.ravel(),
                    glon.ravel(), th.shape, th.apogee_km)
    variants = np.unique(_radar_levels(values, defense, _runs_of(values)), axis=0)
    return {
        "footprint_battery": th.battery.slug, "footprint_missile": th.missile.slug,
        "footprint_launch_lat_deg": th.launch_lat_deg,
        "footprint_launch_lon_deg": th.launch_lon_deg,
        "footprint_shape": th.shape, "footprint_apogee_km": th.apogee_km,
        "radar_mode": _first_radar(defense).mode, "grid_km": float(grid_km),
        "grid_cells": [int(lat.size), int(lon.size)], "min_shots": int(min_shots),
        "rcs_m2_when_not_varied": float(threat.rcs_m2), "rcs_level_db": RCS_LEVEL_DB,
        "radar_levels": int(variants.shape[0]),
        "reachable_cells": int(np.isfinite(aims.kick_deg).sum())}


def _footprint_model(values: dict[str, FloatArray], threat: RaidThreat, defense: Defense,
                     grid_km: float, min_shots: int) -> _FootprintModel:
    """The defended footprint's steps (:func:`thaadsim.studies.footprint.cell_results`:
    same grid, flights, firm-track estimate and shot rule) with the flights and the
    intercept geometry shared by every run (module docstring)."""
    from thaadsim.studies import footprint as fpm

    th, lat, lon = _footprint_grid(threat, defense, grid_km)
    glat, glon = np.meshgrid(lat, lon, indexing="ij")
    cell_area = np.broadcast_to(fpm._cell_areas(lat, lon)[:, None], glat.shape).ravel()
    variants, which = np.unique(_radar_levels(values, defense, _runs_of(values)), axis=0,
                                return_inverse=True)
    level = np.asarray(which).ravel()
    flown = fpm._fly_cells(th, glat.ravel(), glon.ravel())
    if flown is None:
        return _FootprintModel(values=values, battery=th.battery, min_shots=min_shots,
                               level=level, geometry=None, firm={},
                               area_km2=np.empty(0))
    firm = {}
    for v, row in enumerate(variants):
        d, (t,) = _at_levels(row, defense, [threat])
        firm[v] = fpm.best_firm_estimate(flown.records, d.sensors, th.battery,
                                         d.network_latency_s, t.rcs_m2)
    return _FootprintModel(values=values, battery=th.battery, min_shots=min_shots, level=level,
                           geometry=flown.geometry, firm=firm, area_km2=cell_area[flown.ok])


def _footprint_area(values: dict[str, FloatArray], threat: RaidThreat, defense: Defense,
                    runs: int, grid_km: float, min_shots: int
                    ) -> tuple[FloatArray, dict[str, Any]]:
    """The defended footprint's area of each run (:func:`_footprint_model`, every run).
    ``tests/test_sensitivity.py`` checks that a run at the nominal values gives
    ``defended_footprint``'s area."""
    model = _footprint_model(values, threat, defense, grid_km, min_shots)
    return (model.evaluate(0, runs),
            _footprint_settings(values, threat, defense, grid_km, min_shots))


def _level_variants(values: dict[str, FloatArray], defense: Defense
                    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.intp]]:
    """The distinct rows of :func:`_radar_levels` and each run's row."""
    variants, which = np.unique(_radar_levels(values, defense, _runs_of(values)), axis=0,
                                return_inverse=True)
    return variants, np.asarray(which).ravel()


def _engagement_model(values: dict[str, FloatArray], raid: Sequence[RaidThreat],
                      defense: Defense, output: str, trials: int, pool: int, seed: int
                      ) -> _EngagementModel:
    variants, which = _level_variants(values, defense)
    subsets = tuple(prepare(threats, d, pool=pool, seed=seed)
                    for d, threats in (_at_levels(row, defense, raid) for row in variants))
    return _EngagementModel(values=values, defense=defense, output=output, trials=trials,
                            seed=seed, subsets=subsets, which=which)


@dataclass(frozen=True, kw_only=True)
class _Study:
    """A sensitivity study before any run (checked inputs; picklable): what the Saltelli
    sample, the shared work and every run derive from, with the seed."""

    output: str
    names: tuple[str, ...]
    samples: int
    trials: int
    pool: int
    grid_km: float
    min_shots: int
    raid: tuple[RaidThreat, ...]
    defense: Defense
    first: RaidThreat | None
    label: str

    @property
    def runs(self) -> int:
        """Model runs: N (D + 2)."""
        return self.samples * (len(self.names) + 2)

    def parameters(self) -> tuple[Parameter, ...]:
        return tuple(parameter(n, self.defense) for n in self.names)

    def problem(self) -> dict[str, Any]:
        return {"num_vars": len(self.names), "names": list(self.names),
                "bounds": [[0.0, 1.0]] * len(self.names)}

    def values(self, seed: int) -> dict[str, FloatArray]:
        """Each parameter's value in every run: the Saltelli/Sobol' sample (scrambled with
        ``seed``), mapped onto the parameters' ranges."""
        from SALib.sample import sobol as sobol_sample

        u = sobol_sample.sample(self.problem(), self.samples, calc_second_order=False,
                                seed=seed)
        return {p.name: p.from_unit(u[:, i]) for i, p in enumerate(self.parameters())}

    def settings(self, values: dict[str, FloatArray]) -> dict[str, Any]:
        """What the result records of how the runs were made (cheap: no run needed)."""
        settings: dict[str, Any] = {"scenario": self.label}
        if self.output == "detection_range":
            settings.update({"radar_mode": _first_radar(self.defense).mode,
                             "dwell": "search", "rcs_m2_when_not_varied": 0.1})
        elif self.output == "footprint_area":
            assert self.first is not None
            settings.update(_footprint_settings(values, self.first, self.defense,
                                                self.grid_km, self.min_shots))
            settings["not_varied"] = (
                "sspk, fire_channels, launchers: the footprint counts one threat's shot "
                "opportunities, not kills; divert_mps: the footprint's intercept geometry is "
                "the reach table's; kill_assessment_s matters only with min_shots=2; the "
                "interceptor's burnout speed and the missile's own numbers are not varied")
        else:
            variants, _ = _level_variants(values, self.defense)
            settings.update({"trials_per_run": self.trials, "pool": self.pool,
                             "threats": len(self.raid), "rcs_level_db": RCS_LEVEL_DB,
                             "radar_levels": int(variants.shape[0]),
                             "tracked_threats": int(variants.shape[0]) * len(self.raid)})
        return settings

    def model(self, seed: int) -> Any:
        """The work shared by every run (:class:`_DetectionModel`, :class:`_FootprintModel`
        or :class:`_EngagementModel`), from the seed alone."""
        values = self.values(seed)
        if self.output == "detection_range":
            return _DetectionModel(values=values, defense=self.defense)
        if self.output == "footprint_area":
            assert self.first is not None
            return _footprint_model(values, self.first, self.defense, self.grid_km,
                                    self.min_shots)
        return _engagement_model(values, list(self.raid), self.defense, self.output,
                                 self.trials, self.pool, seed)

    def digest(self) -> str:
        """A fingerprint of the raid, the defense and the footprint's threat."""
        text = repr((self.raid, self.defense, self.first))
        return hashlib.sha256(text.encode()).hexdigest()[:16]


DEFAULT_CHUNK_RUNS = 256
"""Model runs per chunk of the runner."""

_MODELS: OrderedDict[tuple[str, int], Any] = OrderedDict()
"""Models built in this process (a few), by task and seed (a task called without
:meth:`SensitivityTask.prepare`)."""


@dataclass(frozen=True, kw_only=True)
class SensitivityTask:
    """A sensitivity study as a task of the runner (:mod:`thaadsim.studies.montecarlo`):
    the work units are the Saltelli model runs (rows of the sample matrix, in order).
    :meth:`prepare` does the work shared by every run once, from the run's seed alone (the
    sample matrix, the tracking pools or the footprint's flights); a chunk evaluates its
    block of ``chunk`` runs (:func:`thaadsim.studies.footprint.chunk_span`) and returns
    ``run`` (index) and ``value`` (the output). The runs draw no random numbers of the
    chunk's stream (an engagement run uses the run's seed: common random numbers), so the
    outputs are those of :func:`sobol_indices` without the runner."""

    unit: ClassVar[str] = "model runs"

    study: _Study
    chunk: int = DEFAULT_CHUNK_RUNS
    model: Any = field(default=None, compare=False, repr=False)

    def describe(self) -> dict[str, Any]:
        s = self.study
        return {"task": "sensitivity", "output": s.output, "scenario": s.label,
                "params": list(s.names), "samples": s.samples, "runs": s.runs,
                "trials": s.trials, "pool": s.pool, "grid_km": s.grid_km,
                "min_shots": s.min_shots, "digest": s.digest()}

    def prepare(self, seed: int) -> SensitivityTask:
        """This task with its shared work done (from ``seed`` alone)."""
        return dataclasses.replace(self, model=self._model(int(seed)))

    def _model(self, seed: int) -> Any:
        key = (json.dumps(self.describe(), sort_keys=True), seed)
        if key not in _MODELS:
            _MODELS[key] = self.study.model(seed)
            while len(_MODELS) > 2:
                _MODELS.popitem(last=False)
        _MODELS.move_to_end(key)
        return _MODELS[key]

    def __call__(self, trials: int, seed: np.random.SeedSequence) -> pd.DataFrame:
        """The ``trials`` model runs (the runner's name for its work units) of the chunk
        whose stream is ``seed``."""
        import pandas as pd

        from thaadsim.studies.footprint import chunk_span

        model = self.model
        if model is None:
            model = self._model(int(seed.entropy))  # type: ignore[arg-type]
        start, stop = chunk_span(seed, trials, self.chunk, self.study.runs)
        return pd.DataFrame({"run": np.arange(start, stop, dtype=np.int64),
                             "value": model.evaluate(start, stop)})


MAX_POOL = 10_000
"""Most tracking outcomes per model run of a sensitivity study."""


def _study(output: str, scenario_or_builder: Any, *, samples: int, params: Sequence[str] | None,
           trials: int, pool: int, grid_km: float, min_shots: int) -> _Study:
    """The study's inputs, checked (:func:`sobol_indices`)."""
    if output not in OUTPUTS:
        raise InputError(f"output: unknown {str(output)[:40]!r}; allowed: {', '.join(OUTPUTS)}")
    check("samples", samples, "samples")
    if samples & (samples - 1):
        raise InputError(f"samples: {fmt_number(samples)} is not a power of two; allowed: "
                         f"{LIMITS['samples'].allowed()}, a power of two (4, 8, 16, ...)")
    check("trials", trials, "trials")
    check("pool", pool, "pool")
    if not 1 <= pool <= MAX_POOL:
        raise InputError(f"pool: {fmt_number(pool)} is out of range; allowed: a whole number "
                         f"from 1 to {fmt_number(MAX_POOL)} (tracking outcomes per model run)")
    if output == "footprint_area":
        check("grid_km", grid_km, "grid_km")
        check("min_shots", min_shots, "min_shots")
        if min_shots not in (1, 2):
            raise InputError(f"min_shots: {fmt_number(min_shots)}; allowed: 1 or 2 shot "
                             "opportunities")
    if params is None:
        names = tuple(DEFAULT_PARAMETERS[output])
        if output == "footprint_area" and min_shots == 2:
            names = (*names[:-1], "kill_assessment_s", names[-1])
    else:
        names = tuple(params)
    unknown = [n for n in names if n not in PARAMETERS]
    if unknown:  # before the count: '--params nope' is an unknown name, not a short list
        raise InputError(f"params: unknown {str(unknown[0])[:40]!r}; allowed: "
                         f"{', '.join(PARAMETERS)}")
    if len(names) < 2 or len(set(names)) != len(names):
        raise InputError(f"params: {list(names)!r}: give at least two distinct parameters")
    if output == "footprint_area":
        bad = [n for n in names if n in PARAMETERS and n not in FOOTPRINT_PARAMETERS]
        if bad:
            raise InputError(f"params: {', '.join(bad)} do not enter the defended footprint "
                             f"(one threat's shot opportunities); allowed for footprint_area:"
                             f" {', '.join(FOOTPRINT_PARAMETERS)}")
    raid, defense, label, first = _raid_and_defense(scenario_or_builder)
    if output == "footprint_area" and first is None:
        raise InputError("footprint_area: the raid is empty: no missile or launch point")
    study = _Study(output=output, names=names, samples=samples, trials=trials, pool=pool,
                   grid_km=float(grid_km), min_shots=int(min_shots), raid=tuple(raid),
                   defense=defense, first=first, label=label)
    study.parameters()  # an unknown parameter is an error before any work
    return study


def sobol_indices(
    output: str,
    scenario_or_builder: Any,
    *,
    samples: int = 64,
    seed: int = 0,
    params: Sequence[str] | None = None,
    trials: int = 50,
    pool: int = 4,
    grid_km: float = FOOTPRINT_GRID_KM,
    min_shots: int = 1,
    runner: RunnerOptions | None = None,
    progress: bool = True,
) -> SensitivityResult:
    """Sobol indices of ``output`` over ``params`` (module docstring).

    Parameters
    ----------
    output : str
        One of :data:`OUTPUTS`.
    scenario_or_builder
        A built-in scenario's name or a scenario file's path, a
        :class:`thaadsim.scenario.Scenario`, a ``(raid, defense)`` pair or a callable
        returning one. The parameters belong to the defense's first battery, its
        interceptor and its radar mode.
    samples : int
        Base samples N (a power of two, at least 4); the model runs N (D + 2) times.
    seed : int
        Seeds the Sobol sequence's scrambling, the bootstrap and every run's Monte Carlo.
    params : sequence of str, optional
        From :data:`PARAMETERS` (default :data:`DEFAULT_PARAMETERS` of the output); for
        ``footprint_area``, from :data:`FOOTPRINT_PARAMETERS`.
    trials, pool
        For the engagement outputs: fire-control trials per run and tracking outcomes per
        threat (shared by every run).
    grid_km, min_shots
        For ``footprint_area``: the footprint's cell size (km) and the shot opportunities
        (1 or 2) that make an aim point defended.
    runner : RunnerOptions, optional
        With options chosen (:attr:`RunnerOptions.chosen`), the model runs go in chunks
        through the Monte Carlo runner (:class:`SensitivityTask`: in this process, local
        processes or Dask, each chunk written to Parquet, resumable); the indices are the
        same as without.
    progress : bool
        The runner's progress bar (on standard error).
    """
    from SALib.analyze import sobol as sobol_analyze

    start = time.perf_counter()
    check("seed", seed, "seed")
    study = _study(output, scenario_or_builder, samples=samples, params=params, trials=trials,
                   pool=pool, grid_km=grid_km, min_shots=min_shots)
    ps = study.parameters()
    problem = study.problem()
    values = study.values(seed)
    runs = study.runs
    if runner is not None and runner.chosen:
        task = SensitivityTask(study=study, chunk=runner.chunk_trials(DEFAULT_CHUNK_RUNS))
        frame = runner.run(task, runs, seed, default_chunk=DEFAULT_CHUNK_RUNS,
                           progress=progress, label=f"Sobol {output}, model runs")
        if not np.array_equal(frame["run"].to_numpy(), np.arange(runs)):
            raise InputError("sensitivity: the runner's chunks do not cover the runs once, "
                             "in order")  # pragma: no cover - the runner's contract
        y = frame["value"].to_numpy(dtype=np.float64)
    else:
        y = study.model(seed).evaluate(0, runs)
    settings = study.settings(values)
    if np.ptp(y) == 0.0:
        # nothing varies the output over these ranges: every index is zero (SALib would
        # divide by a zero variance)
        zero = np.zeros(len(ps))
        si = {"S1": zero, "S1_conf": zero, "ST": zero, "ST_conf": zero}
        settings["note"] = "the output is the same in every run: no parameter moves it"
    else:
        si = sobol_analyze.analyze(problem, y, calc_second_order=False, seed=seed)
    return SensitivityResult(
        output=output, unit=OUTPUT_UNITS[output], parameters=ps,
        s1=np.asarray(si["S1"], dtype=np.float64), s1_conf=np.asarray(si["S1_conf"]),
        st=np.asarray(si["ST"], dtype=np.float64), st_conf=np.asarray(si["ST_conf"]),
        samples=samples, runs=runs, seed=seed, output_mean=float(np.mean(y)),
        output_std=float(np.std(y)), output_min=float(np.min(y)), output_max=float(np.max(y)),
        seconds=time.perf_counter() - start, settings=settings)


__all__ = ["DEFAULT_CHUNK_RUNS", "DEFAULT_PARAMETERS", "FOOTPRINT_GRID_KM",
           "FOOTPRINT_PARAMETERS", "OUTPUTS", "PARAMETERS", "Parameter", "SensitivityResult",
           "SensitivityTask", "parameter", "sobol_indices"]
