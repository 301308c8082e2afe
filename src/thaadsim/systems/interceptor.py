r"""Interceptors: the booster's fly-out, the reach table fire control queries, the kill vehicle.

An interceptor type (``thaadsim/data/interceptors.yaml``: THAAD and, as a lower
tier, PAC-3 MSE) is a booster flown by the physics layer
(:func:`thaadsim.physics.rocket.fly_rocket`: vertical rise, pitch-over kick,
gravity turn, then the coast of the spent interceptor with its kill vehicle, on
the catalog's ballistic coefficient), a published engagement envelope (lowest and highest intercept
altitude, greatest ground range), and a kill vehicle with a divert capability
and a single-shot kill probability.

**Reach table.** :func:`reach_table` flies a fan of fly-outs (one azimuth,
kicks from the vertical to low) and records, for every (ground range, altitude)
cell of the envelope, the shortest time of flight over the fan to that cell and
the speed there. Fire control interpolates it (:meth:`ReachTable.time_of_flight_s`)
instead of flying trajectories. The fan is flown over a *non-rotating* WGS84
Earth (J2 gravity, USSA-1976 air) from a launcher at sea level, 36 N 128 E: the
table neglects the Earth's rotation (the Coriolis deflection of a 100 s
fly-out is about 2 omega v t^2 / 2 ~ 2 km at 2.8 km/s, at most a few seconds of
time of flight near the edge of the envelope) and the small differences in
gravity and curvature between launcher sites and azimuths.

**Kill probability.** The kill vehicle's seeker takes over ``homing_time_s``
before intercept with the predicted intercept point (PIP) off by a handover
error; spending its divert velocity :math:`\Delta v` as a constant lateral
acceleration over the time to go :math:`t_{go}` moves it by at most

.. math::  D = \tfrac12 a\, t_{go}^2 = \tfrac12 \Delta v\, t_{go},
           \qquad a = \Delta v / t_{go}

(the divert "basket"; Zarchan, *Tactical and Strategic Missile Guidance*, 6th
ed., AIAA 2012, ch. 2 and 16 on miss distance against acceleration capability
and time to go). A circular Gaussian handover error of standard deviation
:math:`\sigma` per axis has a Rayleigh-distributed magnitude, so the kill
vehicle can reach the target with probability :math:`1 - e^{-D^2 / 2\sigma^2}`
(the Rayleigh CDF; Papoulis & Pillai, *Probability, Random Variables and
Stochastic Processes*, 4th ed., 2002, sec. 6-2), and the shot kills with

.. math::  P_k = \mathrm{SSPK}\,\bigl(1 - e^{-D^2 / 2\sigma^2}\bigr).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from thaadsim.errors import CatalogError, InputError
from thaadsim.physics.geodesy import ecef_to_geodetic, geodesic_inverse
from thaadsim.physics.rocket import Rocket, Stage, fly_rocket
from thaadsim.systems.catalog import Figure, _read_yaml, _reader, read_stages

CALIBRATION_KICK_DEG = 35.0
"""Pitch kick of the fly-out on which a booster's burnout speed is calibrated and
tested: it burns out climbing at about 45 degrees, the middle of the reach fan
(THAAD's modelled burnout speed varies by +5% to -4% across the fan's 0-45 degree kicks,
by gravity and drag losses)."""

REACH_SITE_LAT_DEG = 36.0
REACH_SITE_LON_DEG = 128.0
"""Where the reach fan is launched (sea level; non-rotating Earth, so only the
latitude's effect on gravity and the ellipsoid's curvature remain, both negligible)."""
REACH_AZIMUTH_DEG = 90.0
REACH_MAX_TOF_S = 300.0
"""A cell counts as reachable only if the fan passes through it within this time."""
REACH_MAX_STEP_S = 1.0
"""Largest step between recorded fly-out states (cells are interpolated along them)."""
_FAN_KICKS_DEG = np.linspace(0.0, 80.0, 161)
"""Pitch kicks of the reach fan; the first must be 0 (the vertical fly-out)."""

_FIELDS = (
    "length_m", "diameter_m", "launch_mass_kg", "drag_coefficient", "vertical_rise_s",
    "payload_kg", "kill_vehicle_beta_kgm2", "burnout_speed_kmps", "min_intercept_alt_km",
    "max_intercept_alt_km", "max_ground_range_km", "sspk", "divert_mps", "homing_time_s",
    "cost_usd",
)
_LAUNCH_MASS_REL_TOL = 0.01


@dataclass(frozen=True, kw_only=True)
class Interceptor:
    """An interceptor type: its booster, published envelope and kill vehicle.

    Hashable (the figures do not take part in comparison), so it can key caches.
    """

    slug: str
    name: str
    rocket: Rocket
    """The booster with the kill vehicle as payload; ``rocket.reentry_beta_kgm2`` is the
    ballistic coefficient of what coasts after burnout."""
    min_alt_m: float
    """Lowest intercept altitude of the published envelope."""
    max_alt_m: float
    max_ground_range_m: float
    """Greatest ground range (launcher to intercept point) of the published envelope."""
    burnout_speed_mps: float
    """The published (or assumed) burnout speed the booster is calibrated to."""
    sspk: float
    """Single-shot kill probability given that the kill vehicle reaches the target."""
    divert_mps: float
    """Lateral velocity the kill vehicle can spend in homing (its divert delta-v)."""
    homing_time_s: float
    """Time before intercept at which the seeker takes over (handover)."""
    cost_usd: float
    figures: Mapping[str, Figure] = field(compare=False, repr=False)
    """Every figure by its catalog path, e.g. ``stages[0].isp_s``, with its provenance."""

    def __post_init__(self) -> None:
        recorded = self.figures.get("burnout_speed_kmps")
        if recorded is not None and abs(recorded.value * 1e3 - self.burnout_speed_mps) > 1e-6:
            raise InputError(
                f"{self.slug}: burnout_speed_mps: {self.burnout_speed_mps!r} is not the speed "
                f"the rocket is calibrated to ({recorded.value * 1e3:g}); the fly-out flies "
                "the rocket, so replacing this field alone would change nothing; allowed: "
                "interceptor.with_burnout_speed(mps), which recalibrates the booster")

    def with_burnout_speed(self, burnout_speed_mps: float) -> Interceptor:
        """The same interceptor whose booster reaches ``burnout_speed_mps`` on the calibration
        fly-out: the first stage's propellant is solved for
        (:func:`calibrated_propellant_kg`, as the catalog's were), so the fly-out changes."""
        v = burnout_speed_mps
        if isinstance(v, bool) or not isinstance(v, int | float) or not 100.0 <= v <= 11_000.0:
            raise InputError(f"{self.slug}: burnout_speed_mps: {v!r} is not allowed; "
                             "allowed: a number of m/s from 100 to 11000")
        try:
            propellant = calibrated_propellant_kg(self.rocket, float(v))
        except ValueError:
            raise InputError(f"{self.slug}: burnout_speed_mps: {v!r} is out of this booster's "
                             "reach (first-stage propellant 5-97% of its loaded mass); "
                             "allowed: a speed the booster can reach") from None
        first = self.rocket.stages[0]
        stage = Stage(loaded_mass_kg=first.loaded_mass_kg, propellant_kg=propellant,
                      isp_s=first.isp_s, burn_time_s=first.burn_time_s)
        rocket = dataclasses.replace(self.rocket, stages=(stage, *self.rocket.stages[1:]))
        figures = dict(self.figures)
        figures["burnout_speed_kmps"] = Figure(value=float(v) / 1e3,
                                               assumption="set by the user (with_burnout_speed)")
        return dataclasses.replace(self, rocket=rocket, burnout_speed_mps=float(v),
                                   figures=figures)


def _interceptor(slug: str, raw: Any, path: str) -> Interceptor:
    where = f"{path}: {slug}"
    if not isinstance(raw, Mapping):
        raise CatalogError(f"{where}: expected a mapping of fields, got {type(raw).__name__}")
    figures: dict[str, Figure] = {}
    fig = _reader(where, raw, figures)

    values = {key: fig(key) for key in _FIELDS}
    if values["sspk"] > 1.0:
        raise CatalogError(f"{where}.sspk: {values['sspk']!r} must lie in (0, 1]")
    if not values["min_intercept_alt_km"] < values["max_intercept_alt_km"]:
        raise CatalogError(f"{where}.max_intercept_alt_km: {values['max_intercept_alt_km']!r} "
                           f"must exceed min_intercept_alt_km {values['min_intercept_alt_km']!r}")
    rocket = Rocket(
        stages=read_stages(raw, where, fig),
        payload_kg=values["payload_kg"],
        cda_m2=values["drag_coefficient"] * np.pi * values["diameter_m"] ** 2 / 4.0,
        vertical_rise_s=values["vertical_rise_s"],
        reentry_beta_kgm2=values["kill_vehicle_beta_kgm2"],
    )
    published = values["launch_mass_kg"]
    if abs(rocket.launch_mass_kg - published) > _LAUNCH_MASS_REL_TOL * published:
        raise CatalogError(
            f"{where}.launch_mass_kg: the stages and payload add up to "
            f"{rocket.launch_mass_kg:.0f} kg, not {published:.0f} kg (allowed: within "
            f"{_LAUNCH_MASS_REL_TOL:.0%})")
    return Interceptor(
        slug=slug,
        name=str(raw.get("name", slug)),
        rocket=rocket,
        min_alt_m=values["min_intercept_alt_km"] * 1e3,
        max_alt_m=values["max_intercept_alt_km"] * 1e3,
        max_ground_range_m=values["max_ground_range_km"] * 1e3,
        burnout_speed_mps=values["burnout_speed_kmps"] * 1e3,
        sspk=values["sspk"],
        divert_mps=values["divert_mps"],
        homing_time_s=values["homing_time_s"],
        cost_usd=values["cost_usd"],
        figures=figures,
    )


def load_interceptors(path: str | Path | None = None) -> dict[str, Interceptor]:
    """Read an interceptor catalog (the shipped one by default); every figure is checked.

    Raises
    ------
    CatalogError
        A figure without ``source`` or ``assumption``, a missing or non-positive field,
        an SSPK above 1, an empty envelope, or stages that do not add up to the launch mass.
    """
    raw, name = _read_yaml("interceptors.yaml", path)
    return {str(slug): _interceptor(str(slug), entry, name) for slug, entry in raw.items()}


@cache
def interceptor_catalog() -> dict[str, Interceptor]:
    """The shipped interceptor catalog, loaded once."""
    return load_interceptors()


def get_interceptor(slug: str) -> Interceptor:
    """The shipped catalog's entry for ``slug``, or an error listing the known slugs."""
    catalog = interceptor_catalog()
    try:
        return catalog[slug]
    except KeyError:
        raise CatalogError(f"interceptor: unknown slug {slug!r}; known: "
                           f"{', '.join(catalog)}") from None


# --------------------------------------------------------------------------------------------
# Fly-out
# --------------------------------------------------------------------------------------------


def burnout_speed_mps(rocket: Rocket | Interceptor,
                      pitch_kick_deg: ArrayLike = CALIBRATION_KICK_DEG) -> NDArray[np.float64]:
    """Speed at burnout of fly-outs with the given kicks (non-rotating WGS84 Earth, drag).

    Returns NaN for a fly-out that fails in powered flight (flown into the ground).
    """
    rocket = rocket.rocket if isinstance(rocket, Interceptor) else rocket
    flight = fly_rocket(rocket, REACH_SITE_LAT_DEG, REACH_SITE_LON_DEG, 0.0, REACH_AZIMUTH_DEG,
                        pitch_kick_deg, rotating=False)
    speed = np.linalg.norm(flight.burnout_state[:, 3:], axis=1)
    return np.where(flight.boost_failed, np.nan, speed)


def calibrated_propellant_kg(rocket: Rocket, target_mps: float,
                             pitch_kick_deg: float = CALIBRATION_KICK_DEG) -> float:
    """Propellant mass of the first stage that gives the burnout speed ``target_mps`` on the
    calibration fly-out.

    How the catalog's "calibrated" propellant masses were found (Brent's method on the
    modelled burnout speed, loaded mass, burn time and Isp held fixed; the thrust follows
    the propellant flow).
    """
    first = rocket.stages[0]

    def miss(propellant_kg: float) -> float:
        stage = Stage(loaded_mass_kg=first.loaded_mass_kg, propellant_kg=propellant_kg,
                      isp_s=first.isp_s, burn_time_s=first.burn_time_s)
        trial = dataclasses.replace(rocket, stages=(stage, *rocket.stages[1:]))
        speed = float(burnout_speed_mps(trial, pitch_kick_deg)[0])
        return (speed if np.isfinite(speed) else 0.0) - target_mps

    from scipy.optimize import brentq  # here: SciPy's import is a start-up cost

    return float(brentq(miss, 0.05 * first.loaded_mass_kg, 0.97 * first.loaded_mass_kg,
                        xtol=0.01))


# --------------------------------------------------------------------------------------------
# Reach table
# --------------------------------------------------------------------------------------------


def _bilinear(table: NDArray[np.float64], x0: float, dx: float, y0: float, dy: float,
              x: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[np.float64]:
    """Bilinear interpolation on a uniform grid; NaN outside it or next to a NaN node."""
    nx, ny = table.shape
    fx = (x - x0) / dx
    fy = (y - y0) / dy
    inside = (fx >= 0.0) & (fx <= nx - 1) & (fy >= 0.0) & (fy <= ny - 1)
    fx = np.where(inside, fx, 0.0)
    fy = np.where(inside, fy, 0.0)
    i = np.minimum(fx.astype(np.intp), nx - 2)
    j = np.minimum(fy.astype(np.intp), ny - 2)
    u = fx - i
    v = fy - j
    out = ((1 - u) * (1 - v) * table[i, j] + u * (1 - v) * table[i + 1, j]
           + (1 - u) * v * table[i, j + 1] + u * v * table[i + 1, j + 1])
    return np.where(inside, out, np.nan)


@dataclass(frozen=True, kw_only=True)
class ReachTable:
    r"""Shortest time of flight, and the speed there, to each cell of the envelope.

    The grid spans exactly the published envelope: ground range 0 to
    ``max_ground_range_m`` from the launcher, altitude ``min_alt_m`` to ``max_alt_m``.
    ``tof_s[i, j]`` is the least time over the fan of fly-outs to pass through
    ``(ground_m[i], alt_m[j])``, NaN where none does within :data:`REACH_MAX_TOF_S`.
    """

    slug: str
    ground_m: NDArray[np.float64]
    """Ground range from the launcher (geodesic on the WGS84 ellipsoid), shape (nr,)."""
    alt_m: NDArray[np.float64]
    """Geodetic altitude, shape (na,)."""
    tof_s: NDArray[np.float64]
    """Time of flight from launch, shape (nr, na)."""
    speed_mps: NDArray[np.float64]
    """Speed of the fastest-arriving fly-out at the cell, shape (nr, na)."""
    kick_deg: NDArray[np.float64]
    """Pitch kick of that fly-out (interpolated within the fan), shape (nr, na)."""

    def _query(self, table: NDArray[np.float64], ground_m: ArrayLike, alt_m: ArrayLike
               ) -> NDArray[np.float64]:
        g, a = np.broadcast_arrays(np.asarray(ground_m, dtype=np.float64),
                                   np.asarray(alt_m, dtype=np.float64))
        return _bilinear(table, float(self.ground_m[0]), float(self.ground_m[1] - self.ground_m[0]),
                         float(self.alt_m[0]), float(self.alt_m[1] - self.alt_m[0]), g, a)

    def time_of_flight_s(self, ground_m: ArrayLike, alt_m: ArrayLike) -> NDArray[np.float64]:
        """Time of flight to intercept points (bilinear in the table; arrays broadcast).

        NaN outside the envelope and where the fan cannot reach (a cell next to an
        unreachable node counts as unreachable).
        """
        return self._query(self.tof_s, ground_m, alt_m)

    def speed_at_mps(self, ground_m: ArrayLike, alt_m: ArrayLike) -> NDArray[np.float64]:
        """Interceptor speed at the intercept points (for the closing speed); NaN as above."""
        return self._query(self.speed_mps, ground_m, alt_m)

    def reachable(self, ground_m: ArrayLike, alt_m: ArrayLike) -> NDArray[np.bool_]:
        """Whether the interceptor can reach the points inside its envelope."""
        return np.isfinite(self.time_of_flight_s(ground_m, alt_m))


def _fan_tracks(rocket: Rocket, kicks_deg: NDArray[np.float64], t_max_s: float
                ) -> tuple[NDArray[np.float64], ...]:
    """Recorded fly-outs of the fan, time-ordered and cut at ``t_max_s``: time, ground range,
    altitude and speed, each (n, m) and NaN-padded."""
    flight = fly_rocket(rocket, REACH_SITE_LAT_DEG, REACH_SITE_LON_DEG, 0.0, REACH_AZIMUTH_DEG,
                        kicks_deg, rotating=False, record=True, max_step_s=REACH_MAX_STEP_S)
    t = np.where(flight.boost_failed[:, None], np.nan, flight.track_t_s)
    t = np.where(t <= t_max_s, t, np.nan)
    order = np.argsort(t, axis=1)  # NaN last
    t = np.take_along_axis(t, order, axis=1)
    states = np.take_along_axis(flight.track_state, order[:, :, None], axis=1)
    m = max(int(np.isfinite(t).sum(axis=1).max()), 2)
    t, states = t[:, :m], states[:, :m]
    ok = np.isfinite(t)
    pos = np.where(ok[:, :, None], states[:, :, :3], flight.launch_ecef_m[:, None, :])
    lat, lon, alt = ecef_to_geodetic(pos)
    ground, _, _ = geodesic_inverse(REACH_SITE_LAT_DEG, REACH_SITE_LON_DEG, lat, lon)
    speed = np.linalg.norm(states[:, :, 3:], axis=2)
    nan = np.nan
    return (t, np.where(ok, ground, nan), np.where(ok, alt, nan), np.where(ok, speed, nan))


def _crossings(t: NDArray[np.float64], ground: NDArray[np.float64], alt: NDArray[np.float64],
               speed: NDArray[np.float64], levels_m: NDArray[np.float64], upward: bool
               ) -> tuple[NDArray[np.float64], ...]:
    """First upward (or downward) crossing of each level by each track, linearly
    interpolated between records: time, ground range and speed, each (n, k), NaN if none."""
    a0, a1 = alt[:, :-1, None], alt[:, 1:, None]
    h = levels_m[None, None, :]
    hit = (a0 < h) & (a1 >= h) if upward else (a0 >= h) & (a1 < h)
    found = hit.any(axis=1)
    idx = hit.argmax(axis=1)  # (n, k)

    def at(x: NDArray[np.float64], shift: int) -> NDArray[np.float64]:
        return np.take_along_axis(x[:, shift:x.shape[1] - 1 + shift], idx, axis=1)

    alt0, alt1 = at(alt, 0), at(alt, 1)
    w = (levels_m[None, :] - alt0) / (alt1 - alt0)
    out = []
    for x in (t, ground, speed):
        x0 = at(x, 0)
        out.append(np.where(found, x0 + w * (at(x, 1) - x0), np.nan))
    return tuple(out)


def _fastest_over_segments(
    ends: tuple[NDArray[np.float64], ...], grid_m: NDArray[np.float64]
) -> tuple[NDArray[np.float64], ...]:
    """Minimum over segments of the time linearly interpolated in ground range.

    ``ends`` holds (t1, r1, v1, k1, t2, r2, v2, k2), each (levels, segments): a segment
    joins two neighbouring members of the family of crossings of one level. Returns the
    least time, the speed and the kick, each (levels, len(grid_m)).
    """
    t1, r1, v1, k1, t2, r2, v2, k2 = (e[:, :, None] for e in ends)
    r = grid_m[None, None, :]
    span = r2 - r1
    with np.errstate(invalid="ignore", divide="ignore"):
        w = np.where(span != 0.0, (r - r1) / span, 0.0)
    inside = (r >= np.minimum(r1, r2)) & (r <= np.maximum(r1, r2)) & np.isfinite(t1 + t2)
    tof = np.where(inside, t1 + w * (t2 - t1), np.inf)
    best = tof.argmin(axis=1)[:, None, :]

    def pick(x1: NDArray[np.float64], x2: NDArray[np.float64]) -> NDArray[np.float64]:
        wb = np.take_along_axis(np.broadcast_to(w, tof.shape), best, axis=1)[:, 0]
        a = np.take_along_axis(np.broadcast_to(x1, tof.shape), best, axis=1)[:, 0]
        b = np.take_along_axis(np.broadcast_to(x2, tof.shape), best, axis=1)[:, 0]
        return a + wb * (b - a)

    t_best = np.take_along_axis(tof, best, axis=1)[:, 0]
    reach = np.isfinite(t_best)
    return (np.where(reach, t_best, np.nan), np.where(reach, pick(v1, v2), np.nan),
            np.where(reach, pick(k1, k2), np.nan))


@lru_cache(maxsize=16)
def _reach_table(slug: str, rocket: Rocket, min_alt_m: float, max_alt_m: float,
                 max_ground_range_m: float, n_ground: int, n_alt: int) -> ReachTable:
    """The table, kept once per version of thaadsim (:func:`thaadsim.cache.cached`, keyed by
    the version and the arguments, the rocket by its content: a changed rocket is flown
    anew) and in this process: a run reads it instead of flying the fan again. JSON keeps
    every float exactly (shortest repr, NaN as NaN), so a kept table is the table."""
    from thaadsim.cache import cached_for

    args = (slug, rocket, min_alt_m, max_alt_m, max_ground_range_m, n_ground, n_alt)

    def compute() -> dict[str, Any]:
        t = _computed_reach_table(*args)
        return {"tof_s": t.tof_s.tolist(), "speed_mps": t.speed_mps.tolist(),
                "kick_deg": t.kick_deg.tolist()}

    value = cached_for("reach", args, compute).value
    return ReachTable(slug=slug, ground_m=np.linspace(0.0, max_ground_range_m, n_ground),
                      alt_m=np.linspace(min_alt_m, max_alt_m, n_alt),
                      **{k: np.array(value[k], dtype=np.float64).reshape(n_ground, n_alt)
                         for k in ("tof_s", "speed_mps", "kick_deg")})


def _computed_reach_table(slug: str, rocket: Rocket, min_alt_m: float, max_alt_m: float,
                          max_ground_range_m: float, n_ground: int, n_alt: int) -> ReachTable:
    kicks = _FAN_KICKS_DEG
    ground_m = np.linspace(0.0, max_ground_range_m, n_ground)
    alt_m = np.linspace(min_alt_m, max_alt_m, n_alt)
    t, ground, alt, speed = _fan_tracks(rocket, kicks, REACH_MAX_TOF_S)
    up = _crossings(t, ground, alt, speed, alt_m, upward=True)
    down = _crossings(t, ground, alt, speed, alt_m, upward=False)
    # the vertical fly-out is taken to climb over the launcher: its drift off the geodetic
    # vertical (gravity points to the geocentre; tens of metres at 40-150 km) is ignored
    up[1][0] = np.where(np.isfinite(up[1][0]), 0.0, np.nan)
    k = np.broadcast_to(kicks[:, None], up[0].shape)
    up_k, down_k = (*up, k), (*down, k)  # (t, r, v, kick), each (n_kicks, n_alt)
    # neighbouring kicks on the way up, neighbouring kicks on the way down, and, where the
    # next kick no longer reaches a level, the way over the apogee from up to down
    over = np.isfinite(up[0][:-1]) & ~np.isfinite(up[0][1:])
    over = np.concatenate([over, np.isfinite(up[0][-1:])], axis=0)
    first = [np.concatenate([u[:-1], d[:-1], np.where(over, u, np.nan)], axis=0).T
             for u, d in zip(up_k, down_k, strict=True)]
    second = [np.concatenate([u[1:], d[1:], np.where(over, d, np.nan)], axis=0).T
              for u, d in zip(up_k, down_k, strict=True)]
    tof, v, kick = _fastest_over_segments((*first, *second), ground_m)
    return ReachTable(slug=slug, ground_m=ground_m, alt_m=alt_m, tof_s=tof.T,
                      speed_mps=v.T, kick_deg=kick.T)


def reach_table(interceptor: Interceptor, *, n_ground: int = 101, n_alt: int = 56
                ) -> ReachTable:
    r"""The reach table of an interceptor over its published envelope (cached).

    A fan of fly-outs (:data:`_FAN_KICKS_DEG`, 0 to 80 degrees in steps of 0.5) is flown
    with states recorded at least every :data:`REACH_MAX_STEP_S`. For each altitude of
    the grid, each fly-out's first upward and first downward crossing is interpolated
    between records; neighbouring kicks' crossings are joined by straight segments in
    (ground range, time) (on the way up, on the way down, and over the apogee of the
    last kick that still reaches the altitude), and each grid cell takes the least time
    of the segments that span its ground range. This interpolates the continuous family
    of fly-outs between the fan's kicks; the error is second order in the kick spacing.

    Parameters
    ----------
    interceptor
        The interceptor type.
    n_ground, n_alt
        Grid points in ground range (0 to the envelope's maximum) and altitude (the
        envelope's minimum to maximum).
    """
    return _reach_table(interceptor.slug, interceptor.rocket, interceptor.min_alt_m,
                        interceptor.max_alt_m, interceptor.max_ground_range_m, int(n_ground),
                        int(n_alt))


# --------------------------------------------------------------------------------------------
# Kill vehicle
# --------------------------------------------------------------------------------------------


def divert_reach_m(interceptor: Interceptor, time_to_go_s: ArrayLike | None = None
                   ) -> NDArray[np.float64]:
    r"""Largest lateral displacement the kill vehicle can make before intercept.

    .. math::  D = \tfrac12\,\Delta v\,t_{go}

    (constant lateral acceleration :math:`\Delta v / t_{go}` for the whole time to go,
    which spends the divert budget exactly). ``time_to_go_s`` defaults to the handover
    time ``homing_time_s``; negative times give NaN.
    """
    tgo = np.asarray(interceptor.homing_time_s if time_to_go_s is None else time_to_go_s,
                     dtype=np.float64)
    return np.where(tgo >= 0.0, 0.5 * interceptor.divert_mps * tgo, np.nan)


def kill_probability(interceptor: Interceptor, pip_sigma_m: ArrayLike,
                     time_to_go_s: ArrayLike | None = None) -> NDArray[np.float64]:
    r"""Probability that one shot kills, given the handover error of the predicted intercept.

    .. math::

        P_k = \mathrm{SSPK}\,\Bigl(1 - \exp\bigl(-\tfrac{D^2}{2\sigma^2}\bigr)\Bigr),
        \qquad D = \tfrac12\,\Delta v_{\mathrm{divert}}\,t_{go},

    the single-shot kill probability times the Rayleigh probability that a circular
    Gaussian miss of standard deviation :math:`\sigma` per axis lies within the divert
    reach :math:`D` (module docstring). Arrays broadcast.

    Parameters
    ----------
    interceptor
        Supplies ``sspk``, ``divert_mps`` and the default ``homing_time_s``.
    pip_sigma_m
        Standard deviation per axis of the handover error, perpendicular to the line
        of sight, metres. 0 gives ``sspk``; negative or NaN gives NaN.
    time_to_go_s
        Time to intercept at handover (default ``homing_time_s``).
    """
    sigma = np.asarray(pip_sigma_m, dtype=np.float64)
    reach = divert_reach_m(interceptor, time_to_go_s)
    with np.errstate(divide="ignore", invalid="ignore"):
        inside = -np.expm1(-(reach**2) / (2.0 * sigma**2))
    inside = np.where(sigma == 0.0, 1.0, inside)
    bad = ~(sigma >= 0.0) | ~np.isfinite(reach)
    return np.where(bad, np.nan, interceptor.sspk * inside)
