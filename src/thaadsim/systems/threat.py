"""Threat trajectories: aiming a catalog missile at a point on the rotating Earth.

A missile's flight is set by three controls (:func:`thaadsim.physics.rocket.fly_rocket`):
the launch azimuth, the pitch-over kick and the thrust cut-off time. A *shape*
fixes how the two shape controls depend on range:

``min-energy``
    the trajectory that reaches the range with the least burnout energy: for
    each cut-off the kick that maximises range, and the shortest cut-off whose
    best range is the range asked for (Wheelon, *ARS Journal* 29 (1959); Bate,
    Mueller & White sec. 6.2: the burnout angle of maximum range);
``lofted`` / ``depressed``
    a full burn with the kick below / above the one of maximum range; with an
    apogee given, both kick and cut-off are chosen to reach it at that range.

Aiming first finds the shape controls from a table of flights over a
non-rotating Earth (azimuth-free), then corrects azimuth and controls by Newton
iterations on the rotating WGS84 Earth until the impact lies within
:data:`AIM_TOLERANCE_M` of the aim point.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import cache, cached_property
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from thaadsim.errors import InputError, ThaadsimError, UnreachableError
from thaadsim.limits import LIMITS, check
from thaadsim.physics.earth import WGS84, Earth, earth_model
from thaadsim.physics.geodesy import ecef_to_geodetic, geodesic_direct, geodesic_inverse
from thaadsim.physics.propagate import band_times
from thaadsim.physics.rocket import Rocket, RocketFlight, fly_rocket
from thaadsim.systems.catalog import Missile, get_missile, missile_catalog, variants

Shape = Literal["min-energy", "lofted", "depressed"]
SHAPES: tuple[str, ...] = ("min-energy", "lofted", "depressed")
AIM_TOLERANCE_M = 50.0
"""Miss at which the aiming iterations stop."""
AIM_ACCEPT_M = 1000.0
"""Largest miss accepted when the iterations cannot do better (e.g. at the edge of what
the shape can fly)."""

_KICKS_DEG = np.concatenate([np.geomspace(1e-3, 2.0, 70), np.linspace(2.1, 60.0, 150)])
_STEERED_KICKS_DEG = np.linspace(1.0, 88.0, 175)
"""A steered ascent's controls: the flight-path angle held to burnout is 90 - kick."""
_CUTOFF_FRACTIONS = np.linspace(0.15, 1.0, 52)


@dataclass(frozen=True, kw_only=True)
class ShapeTable:
    """Range and apogee over a grid of kicks (rows) and cut-off times (columns)."""

    kick_deg: NDArray[np.float64]
    cutoff_s: NDArray[np.float64]
    range_m: NDArray[np.float64]
    apogee_m: NDArray[np.float64]

    @cached_property
    def best_kick(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """For each cut-off, the kick of maximum range and that range (parabolic peak)."""
        r = np.where(np.isfinite(self.range_m), self.range_m, -np.inf)
        i = np.clip(np.argmax(r, axis=0), 1, len(self.kick_deg) - 2)
        cols = np.arange(r.shape[1])
        k0, k1, k2 = self.kick_deg[i - 1], self.kick_deg[i], self.kick_deg[i + 1]
        r0, r1, r2 = r[i - 1, cols], r[i, cols], r[i + 1, cols]
        denom = (k0 - k1) * (k0 - k2) * (k1 - k2)
        a = (k2 * (r1 - r0) + k1 * (r0 - r2) + k0 * (r2 - r1)) / denom
        b = (k2**2 * (r0 - r1) + k1**2 * (r2 - r0) + k0**2 * (r1 - r2)) / denom
        ok = np.isfinite(a) & (a < 0)
        kbest = np.where(ok, -b / (2 * np.where(ok, a, 1.0)), k1)
        kbest = np.clip(kbest, k0, k2)
        return kbest, r.max(axis=0)

    def min_energy(self, range_m: float) -> tuple[float, float]:
        """Kick and cut-off of the minimum-energy trajectory to ``range_m``."""
        kbest, rbest = self.best_kick
        cut = float(np.interp(range_m, np.maximum.accumulate(rbest), self.cutoff_s))
        return float(np.interp(cut, self.cutoff_s, kbest)), cut

    def apogee_at(self, kick_deg: float, cutoff_s: float) -> float:
        """Apogee interpolated in the table at a kick and cut-off."""
        from scipy.interpolate import RegularGridInterpolator

        apo_grid = np.where(np.isfinite(self.apogee_m), self.apogee_m, 0.0)
        return float(RegularGridInterpolator((self.kick_deg, self.cutoff_s), apo_grid)(
            [kick_deg, cutoff_s])[0])


@cache
def shape_table(rocket: Rocket, earth_name: str = "wgs84") -> ShapeTable:
    """Fly a rocket over a grid of kicks and cut-offs on a non-rotating Earth.

    The table of a shipped catalog missile's rocket depends only on the code and the
    catalog, so it is kept once per version (:func:`thaadsim.cache.cached_for`, keyed by
    the rocket's content and the Earth; JSON keeps every float exactly, NaN included) and
    in this process: a new process that aims a catalog missile reads it instead of flying
    the grid again. Other rockets (a loft analysis's trial payloads, a changed missile) are
    flown and kept in this process only, so that the cache holds no table nobody asks for
    again."""
    kicks = _STEERED_KICKS_DEG if rocket.steer_max_deflection_deg > 0 else _KICKS_DEG
    cutoff_s = _CUTOFF_FRACTIONS * rocket.burn_time_s
    if rocket not in _catalog_rockets():
        return _flown_shape_table(rocket, earth_name, kicks, cutoff_s)
    from thaadsim.cache import cached_for

    def compute() -> dict[str, list[float]]:
        t = _flown_shape_table(rocket, earth_name, kicks, cutoff_s)
        return {"range_m": t.range_m.ravel().tolist(), "apogee_m": t.apogee_m.ravel().tolist()}

    v = cached_for("shape-table", (rocket, earth_name), compute).value
    shape = (kicks.size, cutoff_s.size)
    return ShapeTable(kick_deg=kicks, cutoff_s=cutoff_s,
                      range_m=np.array(v["range_m"], dtype=np.float64).reshape(shape),
                      apogee_m=np.array(v["apogee_m"], dtype=np.float64).reshape(shape))


@cache
def _catalog_rockets() -> frozenset[Rocket]:
    return frozenset(m.rocket for m in missile_catalog().values())


def _flown_shape_table(rocket: Rocket, earth_name: str, kicks: NDArray[np.float64],
                       cutoff_s: NDArray[np.float64]) -> ShapeTable:
    kk, cc = np.meshgrid(kicks, cutoff_s, indexing="ij")
    flight = fly_rocket(rocket, 0.0, 0.0, 0.0, 90.0, kk.ravel(), cc.ravel(), earth=earth_name,
                        rotating=False, rtol=1e-7, atol=1e-4)
    rng, _ = _ground_range(flight, np.zeros(kk.size), np.zeros(kk.size), earth_model(earth_name))
    apo = np.where(flight.impacted, flight.coast.apogee_alt_m, np.nan)
    return ShapeTable(kick_deg=kicks, cutoff_s=cutoff_s, range_m=rng.reshape(kk.shape),
                      apogee_m=apo.reshape(kk.shape))


def _ground_range(flight: RocketFlight, lat0: ArrayLike, lon0: ArrayLike, earth: Earth
                  ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Geodesic distance and azimuth from the launch point to the impact point."""
    lat, lon, _ = ecef_to_geodetic(flight.impact_state[:, :3], earth)
    dist, az, _ = geodesic_inverse(lat0, lon0, lat, lon, earth)
    bad = ~flight.impacted
    return np.where(bad, np.nan, dist), np.where(bad, np.nan, az)


def max_range_m(missile: Missile, earth_name: str = "wgs84") -> float:
    """Maximum range on a minimum-energy trajectory over a non-rotating Earth."""
    return float(shape_table(missile.rocket, earth_name).best_kick[1][-1])


def _branch_kick(table: ShapeTable, col: int, range_m: float, lofted: bool) -> float:
    """Kick on one branch of a cut-off column that gives ``range_m`` (NaN if none)."""
    r = table.range_m[:, col]
    i_best = int(np.nanargmax(np.where(np.isfinite(r), r, -np.inf)))
    if lofted:
        ks, rs = table.kick_deg[: i_best + 1], r[: i_best + 1]
    else:
        ks, rs = table.kick_deg[i_best:][::-1], r[i_best:][::-1]
    ok = np.isfinite(rs)
    ks, rs = ks[ok], rs[ok]
    if rs.size < 2 or not rs[0] <= range_m <= rs[-1]:
        return float("nan")
    rs_mono = np.maximum.accumulate(rs)
    return float(np.interp(range_m, rs_mono, ks))


def check_each(row: str, values: ArrayLike, field: str) -> None:
    """Every value of ``values`` (a number or an array) within the row ``row`` of
    :data:`~thaadsim.limits.LIMITS`; else an :class:`InputError` naming ``field`` and the
    first value outside."""
    try:
        arr = np.asarray(values, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        raise InputError(f"{field}: {str(values)[:40]!r} is not a number; allowed: "
                         f"{LIMITS[row].allowed()}") from None
    if arr.size == 0:
        return
    lim = LIMITS[row]
    if np.isfinite(arr).all() and lim.allows(float(arr.min())) and lim.allows(float(arr.max())):
        return  # the range is an interval: its ends inside, all inside
    for v in arr.tolist():
        check(row, v, field)


def as_missile(missile: Missile | str) -> Missile:
    """``missile`` itself, or the catalog's missile of that slug; anything else is one
    :class:`~thaadsim.errors.InputError` (the API's ``fly_threat(None, ...)`` or
    ``fly_threat("scud-c", ...)`` failed deep inside with an ``AttributeError``)."""
    if isinstance(missile, Missile):
        return missile
    if isinstance(missile, str):
        return get_missile(missile)
    raise InputError(f"missile: a {type(missile).__name__} is not a missile; allowed: a "
                     "catalog slug (see `thaadsim catalog`) or a Missile (get_missile(SLUG))")


def check_launch_and_aim(launch_lat_deg: ArrayLike, launch_lon_deg: ArrayLike,
                         aim_lat_deg: ArrayLike, aim_lon_deg: ArrayLike) -> None:
    """The launch and aim points' coordinates within their rows of LIMITS, each named by its
    own field (a bad launch latitude is not the aim point's fault)."""
    check_each("lat_deg", launch_lat_deg, "launch_lat_deg")
    check_each("lon_deg", launch_lon_deg, "launch_lon_deg")
    check_each("lat_deg", aim_lat_deg, "aim_lat_deg")
    check_each("lon_deg", aim_lon_deg, "aim_lon_deg")


def _ratio(num: NDArray[np.float64], den: NDArray[np.float64]) -> NDArray[np.float64]:
    """``num / den`` where ``den`` is finite and non-zero, NaN elsewhere (a flat or failed
    finite difference gives no Newton step, and no division by zero)."""
    num, den = np.broadcast_arrays(np.asarray(num, dtype=np.float64),
                                   np.asarray(den, dtype=np.float64))
    out = np.full(num.shape, np.nan)
    ok = np.isfinite(num) & np.isfinite(den) & (den != 0.0)
    np.divide(num, den, out=out, where=ok)
    return out


@dataclass(frozen=True, kw_only=True)
class Controls:
    """Launch azimuth, pitch-over kick and thrust cut-off of one flight."""

    azimuth_deg: float
    kick_deg: float
    cutoff_s: float


def _with_variants(exc: UnreachableError, slug: str) -> UnreachableError:
    """The error, naming the catalog's variants of the missile that reach farther (not, e.g.,
    the same missile launched from a submarine)."""
    own = max_range_m(get_missile(slug))
    others = [v for v in variants(slug) if max_range_m(get_missile(v)) > 1.05 * own]
    if not others:
        return exc
    return UnreachableError(f"{exc} (the catalog's variant {', '.join(others)} flies farther: "
                            f"--missile {others[0]})")


def initial_controls(missile: Missile, range_m: float, azimuth_deg: float, shape: str,
                     apogee_m: float | None, earth_name: str = "wgs84") -> Controls:
    """Shape controls for a range (and apogee) from the non-rotating table."""
    table = shape_table(missile.rocket, earth_name)
    rmax = max_range_m(missile, earth_name)
    if range_m > 1.03 * rmax:
        raise UnreachableError(
            f"{missile.slug} cannot reach {range_m / 1e3:.0f} km: its maximum range is "
            f"{rmax / 1e3:.0f} km (minimum-energy trajectory, payload "
            f"{missile.payload_kg.value:.0f} kg)")
    if shape == "min-energy" or range_m >= rmax:
        kick, cut = table.min_energy(min(range_m, rmax))
        return Controls(azimuth_deg=azimuth_deg, kick_deg=kick, cutoff_s=cut)
    lofted = shape == "lofted"
    last = len(table.cutoff_s) - 1
    if apogee_m is None:
        kick = _branch_kick(table, last, range_m, lofted)
        if np.isnan(kick):
            raise UnreachableError(
                f"{missile.slug}: no full-burn {shape} trajectory reaches {range_m / 1e3:.0f} km; "
                "give an apogee (--apogee-km) to fly it with an earlier cut-off")
        return Controls(azimuth_deg=azimuth_deg, kick_deg=kick, cutoff_s=float(table.cutoff_s[-1]))
    kicks: NDArray[np.float64] = np.array(
        [_branch_kick(table, j, range_m, lofted) for j in range(last + 1)])
    apogees: NDArray[np.float64] = np.full(kicks.shape, np.nan)
    for j, k in enumerate(kicks):
        if np.isfinite(k):
            apogees[j] = np.interp(k, table.kick_deg, table.apogee_m[:, j])
    # the branches meet at the minimum-energy trajectory, which the cut-off grid only
    # brackets: add it as the end point of both
    kick_me, cut_me = table.min_energy(range_m)
    apo_me = table.apogee_at(kick_me, cut_me)
    kicks = np.append(kicks, kick_me)
    apogees = np.append(apogees, apo_me)
    cutoffs = np.append(table.cutoff_s, cut_me)
    ok = np.isfinite(apogees) & np.isfinite(kicks)
    if not ok.any():
        raise UnreachableError(f"{missile.slug}: no {shape} trajectory reaches "
                               f"{range_m / 1e3:.0f} km")
    lo, hi = np.nanmin(apogees), np.nanmax(apogees)
    if not lo * 0.97 <= apogee_m <= hi * 1.03:
        raise UnreachableError(
            f"{missile.slug}: a {shape} trajectory to {range_m / 1e3:.0f} km has its apogee "
            f"between {lo / 1e3:.0f} and {hi / 1e3:.0f} km; {apogee_m / 1e3:.0f} km is outside")
    order = np.argsort(apogees[ok])
    cut = float(np.interp(apogee_m, apogees[ok][order], cutoffs[ok][order]))
    kick = float(np.interp(apogee_m, apogees[ok][order], kicks[ok][order]))
    return Controls(azimuth_deg=azimuth_deg, kick_deg=kick, cutoff_s=cut)


@dataclass(frozen=True, kw_only=True)
class Aims:
    """Controls for many aim points at once (:func:`aim_many`); NaN where none."""

    azimuth_deg: NDArray[np.float64]
    kick_deg: NDArray[np.float64]
    cutoff_s: NDArray[np.float64]
    miss_m: NDArray[np.float64]
    """Distance from each aim point to the impact of the returned controls."""
    error: tuple[ThaadsimError | None, ...]
    """Why an aim point cannot be reached (None where it can)."""

    def controls(self, i: int) -> Controls:
        return Controls(azimuth_deg=float(self.azimuth_deg[i]), kick_deg=float(self.kick_deg[i]),
                        cutoff_s=float(self.cutoff_s[i]))


def aim_many(
    missile: Missile | str,
    launch_lat_deg: ArrayLike,
    launch_lon_deg: ArrayLike,
    aim_lat_deg: ArrayLike,
    aim_lon_deg: ArrayLike,
    shape: str = "min-energy",
    apogee_km: ArrayLike | None = None,
    *,
    launch_alt_m: float = 0.0,
    earth: Earth | str = WGS84,
    rotating: bool = True,
    drag: bool = True,
) -> Aims:
    """Controls that put the missile on each aim point, all aim points at once.

    For each: shape controls from the non-rotating table (:func:`initial_controls`),
    then Newton iterations on the real (rotating, drag) flight, with finite
    differences, until the impact is within :data:`AIM_TOLERANCE_M`; every
    iteration flies all unfinished aim points in one call of the propagator. An
    aim point that cannot be reached gets NaN controls and its reason in ``error``.
    """
    missile = as_missile(missile)
    if shape not in SHAPES:
        raise InputError(f"shape: unknown {str(shape)[:40]!r}; allowed: {', '.join(SHAPES)}")
    check_launch_and_aim(launch_lat_deg, launch_lon_deg, aim_lat_deg, aim_lon_deg)
    if apogee_km is not None:
        check_each("apogee_km", apogee_km, "apogee_km")
    check("alt_km", launch_alt_m / 1e3 if isinstance(launch_alt_m, int | float)
          else launch_alt_m, "launch_alt_m (km)")
    earth = earth_model(earth)
    lat0, lon0, lat1, lon1 = (np.atleast_1d(np.asarray(v, dtype=np.float64)) for v in
                              np.broadcast_arrays(launch_lat_deg, launch_lon_deg, aim_lat_deg,
                                                  aim_lon_deg))
    n = lat0.size
    dist, az0, _ = geodesic_inverse(lat0, lon0, lat1, lon1, earth)
    default_apogee = (shape == "depressed" and apogee_km is None
                      and missile.depressed_apogee_km is not None)
    if default_apogee:
        assert missile.depressed_apogee_km is not None
        apogee_km = missile.depressed_apogee_km.value
    apogee_m = None if apogee_km is None else np.broadcast_to(
        np.asarray(apogee_km, dtype=np.float64) * 1e3, (n,))
    errors: list[ThaadsimError | None] = [None] * n
    x = np.full((n, 3), np.nan)
    for i in range(n):
        if not dist[i] >= 1e3:
            errors[i] = InputError(f"aim point: {dist[i]:.0f} m from the launch point; it "
                                   "must be at least 1 km away")
            continue
        try:
            c = initial_controls(missile, float(dist[i]), float(az0[i]), shape,
                                 None if apogee_m is None else float(apogee_m[i]), earth.name)
        except UnreachableError as exc:
            if default_apogee:
                assert missile.depressed_apogee_km is not None
                exc = UnreachableError(
                    f"{exc}. The {missile.slug}'s depressed shape is its reported flattened "
                    f"profile (apogee {missile.depressed_apogee_km.value:g} km, "
                    f"{missile.depressed_apogee_km.provenance}); give --apogee-km to fly "
                    "another depressed apogee, or another --shape")
            errors[i] = _with_variants(exc, missile.slug)
            continue
        x[i] = c.azimuth_deg, c.kick_deg, c.cutoff_s
    table = shape_table(missile.rocket, earth.name)
    kbest, _ = table.best_kick
    burn = missile.rocket.burn_time_s
    two_unknowns = apogee_m is not None and shape != "min-energy"
    full_burn = shape != "min-energy" and not two_unknowns
    # the shape controls solved for, besides the azimuth: 1 = kick, 2 = cut-off
    idx = [2] if shape == "min-energy" else [1] if full_burn else [1, 2]
    free = len(idx)

    def controls(v: NDArray[np.float64]) -> NDArray[np.float64]:
        """Map the free unknowns to (azimuth, kick, cut-off)."""
        out = v.copy()
        out[:, 2] = burn if full_burn else np.clip(out[:, 2], 0.05 * burn, burn)
        if shape == "min-energy":
            out[:, 1] = np.interp(out[:, 2], table.cutoff_s, kbest)
        return out

    lo_bounds = np.array([-np.inf, 1e-4, 0.05 * burn])
    hi_bounds = np.array([np.inf, 89.0, burn])
    best_miss = np.full(n, np.inf)
    best_x = x.copy()
    todo = np.flatnonzero(np.isfinite(x[:, 0]))
    for _ in range(16):
        if todo.size == 0:
            break
        m = todo.size
        x[todo] = np.clip(x[todo], lo_bounds, hi_bounds)
        trial = np.repeat(x[None, todo], 1 + free, axis=0)
        steps = np.zeros((free, m))
        for j, ix in enumerate(idx):
            # finite differences: a relative kick step, and a cut-off step backwards
            # (a full burn cannot be lengthened)
            steps[j] = 1e-3 * x[todo, 1] if ix == 1 else -0.05
            trial[1 + j, :, ix] += steps[j]
        flat = controls(trial.reshape(-1, 3))
        la, lo = np.tile(lat0[todo], 1 + free), np.tile(lon0[todo], 1 + free)
        flight = fly_rocket(missile.rocket, la, lo, launch_alt_m, flat[:, 0], flat[:, 1],
                            flat[:, 2], earth=earth, rotating=rotating, drag=drag)
        rng, az_imp = (v.reshape(1 + free, m) for v in _ground_range(flight, la, lo, earth))
        ilat, ilon, _ = ecef_to_geodetic(flight.impact_state[:m, :3], earth)
        miss = np.where(np.isfinite(rng[0]),
                        geodesic_inverse(ilat, ilon, lat1[todo], lon1[todo], earth)[0], np.inf)
        better = miss < best_miss[todo]
        best_miss[todo[better]] = miss[better]
        best_x[todo[better]] = x[todo[better]]
        # Newton on range (and apogee): J delta = residual, J by finite differences
        resid = [dist[todo] - rng[0]]
        jac = [[_ratio(rng[1 + j] - rng[0], steps[j]) for j in range(free)]]
        if two_unknowns:
            assert apogee_m is not None
            apo = flight.coast.apogee_alt_m.reshape(1 + free, m)
            resid.append(apogee_m[todo] - apo[0])
            jac.append([_ratio(apo[1 + j] - apo[0], steps[j]) for j in range(free)])
        if free == 1:
            deltas = [_ratio(resid[0], jac[0][0])]
        else:
            det = jac[0][0] * jac[1][1] - jac[0][1] * jac[1][0]
            deltas = [_ratio(resid[0] * jac[1][1] - jac[0][1] * resid[1], det),
                      _ratio(jac[0][0] * resid[1] - jac[1][0] * resid[0], det)]
        going = (miss > AIM_TOLERANCE_M) & np.isfinite(rng[0])
        for j, ix in enumerate(idx):
            going &= np.isfinite(deltas[j])
            # damped: no more than half the kick or a fifth of the burn per iteration
            limit = 0.5 * x[todo, 1] if ix == 1 else 0.2 * burn
            x[todo, ix] += np.clip(np.nan_to_num(deltas[j]), -limit, limit)
        x[todo, 0] += ((az0[todo] - az_imp[0] + 180.0) % 360.0) - 180.0
        todo = todo[going]
    final = controls(best_x)
    failed = ~(best_miss <= AIM_ACCEPT_M)
    best_range = max_range_m(missile, earth.name)
    for f in np.flatnonzero(failed).tolist():
        if errors[f] is None:
            extra = "" if apogee_m is None else f" with a {apogee_m[f] / 1e3:.0f} km apogee"
            errors[f] = UnreachableError(
                f"{missile.slug} cannot be aimed at a point {dist[f] / 1e3:.0f} km away on a "
                f"{shape} trajectory{extra} (closest impact {best_miss[f] / 1e3:.1f} km from "
                f"it); its maximum range is {best_range / 1e3:.0f} km")
    final[failed] = np.nan
    return Aims(azimuth_deg=final[:, 0], kick_deg=final[:, 1], cutoff_s=final[:, 2],
                miss_m=np.where(failed, np.nan, best_miss), error=tuple(errors))


def aim(
    missile: Missile,
    launch_lat_deg: float,
    launch_lon_deg: float,
    aim_lat_deg: float,
    aim_lon_deg: float,
    shape: str = "min-energy",
    apogee_km: float | None = None,
    *,
    launch_alt_m: float = 0.0,
    earth: Earth | str = WGS84,
    rotating: bool = True,
    drag: bool = True,
) -> Controls:
    """Controls that put the missile within :data:`AIM_TOLERANCE_M` of the aim point
    (:data:`AIM_ACCEPT_M` at worst): :func:`aim_many` for one aim point.

    Raises
    ------
    InputError
        For an unknown shape or an aim point within 1 km of the launch point.
    UnreachableError
        When the aim point is beyond the missile's reach for this shape.
    """
    result = aim_many(missile, launch_lat_deg, launch_lon_deg, aim_lat_deg, aim_lon_deg, shape,
                      apogee_km, launch_alt_m=launch_alt_m, earth=earth, rotating=rotating,
                      drag=drag)
    if result.error[0] is not None:
        raise result.error[0]
    return result.controls(0)


def aim_point_at_range(launch_lat_deg: float, launch_lon_deg: float, azimuth_deg: float,
                       range_m: float, earth: Earth | str = WGS84) -> tuple[float, float]:
    """The point ``range_m`` along the geodesic from the launch point at ``azimuth_deg``."""
    check("lat_deg", launch_lat_deg, "launch_lat_deg")
    check("lon_deg", launch_lon_deg, "launch_lon_deg")
    check("azimuth_deg", azimuth_deg, "azimuth_deg")
    check("range_km", range_m / 1e3 if isinstance(range_m, int | float) else range_m,
          "range (km)")
    earth = earth_model(earth)
    lat, lon, _ = geodesic_direct(launch_lat_deg, launch_lon_deg, azimuth_deg, range_m, earth)
    return float(lat), float(lon)


@dataclass(frozen=True, kw_only=True)
class LoftAnalysis:
    """What a lofted test implies for the same missile on a standard trajectory."""

    payload_kg: float
    """Payload with which the modelled missile flies the test's apogee at its range."""
    standard_range_m: float
    burnout_speed_mps: float
    """Burnout speed of the test flight as modelled."""
    flight_time_s: float
    """Flight time of the test as modelled."""
    kick_deg: float


def _with_payload(rocket: Rocket, payload_kg: float) -> Rocket:
    return dataclasses.replace(rocket, payload_kg=payload_kg)


def _lofted_apogee_m(rocket: Rocket, range_m: float) -> tuple[float, float]:
    """Apogee and kick of the full-burn lofted flight of ``rocket`` to ``range_m``."""
    table = shape_table(rocket)
    last = len(table.cutoff_s) - 1
    kick = _branch_kick(table, last, range_m, lofted=True)
    if np.isnan(kick):
        return float("nan"), kick
    return float(np.interp(kick, table.kick_deg, table.apogee_m[:, last])), kick


def analyse_loft(
    missile: Missile | str,
    apogee_km: float,
    range_km: float,
    *,
    launch_lat_deg: float = 39.0,
    launch_lon_deg: float = 125.7,
    rotating: bool = True,
) -> LoftAnalysis:
    """Infer a missile's standard-trajectory range from a lofted test flight.

    As published analyses do (e.g. D. Wright, UCS, on the Hwasong-14 test of
    28 July 2017), the missile is taken to have flown the test at full burn on a
    lofted trajectory; what is not public is how heavy its payload was. The
    payload is solved for so that the modelled missile, powered flight included,
    reaches the reported apogee at the reported ground range; the same missile
    is then flown on a minimum-energy trajectory. With ``rotating=False`` the
    standard range ignores the Earth's rotation (as Wright's 10,400 km does);
    otherwise it is the range due east from the launch point.
    """
    missile = as_missile(missile)
    check("apogee_km", apogee_km, "apogee_km")
    check("range_km", range_km, "range_km")
    check("lat_deg", launch_lat_deg, "launch_lat_deg")
    check("lon_deg", launch_lon_deg, "launch_lon_deg")
    apogee_m, range_m = apogee_km * 1e3, range_km * 1e3
    rocket = missile.rocket
    dry = rocket.launch_mass_kg - rocket.payload_kg
    table = shape_table(rocket)
    apogee_me = table.apogee_at(*table.min_energy(range_m))
    if apogee_m < apogee_me:
        raise UnreachableError(
            f"{missile.slug}: a test with a {apogee_km:.0f} km apogee at {range_km:.0f} km was "
            f"not lofted (a minimum-energy flight to that range peaks at about "
            f"{apogee_me / 1e3:.0f} km); the loft analysis applies to lofted tests only")

    def miss(payload: float) -> float:
        apo, _ = _lofted_apogee_m(_with_payload(rocket, payload), range_m)
        return (apo if np.isfinite(apo) else 0.0) - apogee_m

    lo, hi = 1.0, 0.6 * dry
    if miss(lo) < 0:
        raise UnreachableError(
            f"{missile.slug}: even with no payload the model cannot loft to {apogee_km:.0f} km "
            f"at {range_km:.0f} km range")
    if miss(hi) > 0:
        raise UnreachableError(
            f"{missile.slug}: the test profile implies a payload over {hi:.0f} kg; the model "
            "cannot represent it")
    from scipy.optimize import brentq

    payload = float(brentq(miss, lo, hi, xtol=0.5))
    test_rocket = _with_payload(rocket, payload)
    _, kick = _lofted_apogee_m(test_rocket, range_m)
    test = fly_rocket(test_rocket, launch_lat_deg, launch_lon_deg, 0.0, 90.0, kick,
                      rotating=False)
    kbest, rbest = shape_table(test_rocket).best_kick
    if rotating:
        std = fly_rocket(test_rocket, launch_lat_deg, launch_lon_deg, 0.0, 90.0, kbest[-1])
        standard, _ = _ground_range(std, launch_lat_deg, launch_lon_deg, WGS84)
        standard_m = float(standard[0])
    else:
        standard_m = float(rbest[-1])
    if not (test.impacted[0] and np.isfinite(standard_m)):
        raise UnreachableError(f"{missile.slug}: the modelled test or standard flight failed "
                               f"(payload {payload:.0f} kg)")
    return LoftAnalysis(
        payload_kg=payload,
        standard_range_m=standard_m,
        burnout_speed_mps=float(np.linalg.norm(test.burnout_state[0, 3:])),
        flight_time_s=float(test.impact_t_s[0]),
        kick_deg=float(kick),
    )


@dataclass(frozen=True, kw_only=True)
class ThreatFlight:
    """A catalog missile aimed and flown from a launch point at an aim point."""

    missile: Missile
    shape: str
    controls: Controls
    launch_lat_deg: float
    launch_lon_deg: float
    aim_lat_deg: float
    aim_lon_deg: float
    band_alt_m: tuple[float, float]
    flight: RocketFlight
    """The flight (one row), with crossings of the band's edges recorded."""
    impact_lat_deg: float
    impact_lon_deg: float
    range_m: float
    """Geodesic distance from the launch point to the impact point."""
    miss_m: float
    """Distance from the aim point to the impact point."""
    band_entry_s: float
    band_exit_s: float
    time_in_band_s: float

    @property
    def apogee_alt_m(self) -> float:
        return float(self.flight.coast.apogee_alt_m[0])

    @property
    def apogee_t_s(self) -> float:
        return float(self.flight.coast.apogee_t_s[0])

    @property
    def flight_time_s(self) -> float:
        return float(self.flight.impact_t_s[0])

    @property
    def burnout_t_s(self) -> float:
        return float(self.flight.burnout_t_s[0])

    @property
    def burnout_speed_mps(self) -> float:
        return float(np.linalg.norm(self.flight.burnout_state[0, 3:]))

    @property
    def impact_speed_mps(self) -> float:
        return float(np.linalg.norm(self.flight.impact_state[0, 3:]))


def fly_threat(
    missile: Missile | str,
    launch_lat_deg: float,
    launch_lon_deg: float,
    aim_lat_deg: float,
    aim_lon_deg: float,
    shape: str = "min-energy",
    apogee_km: float | None = None,
    *,
    band_alt_m: tuple[float, float] = (40e3, 150e3),
    earth: Earth | str = WGS84,
    rotating: bool = True,
    drag: bool = True,
    record: bool = False,
) -> ThreatFlight:
    """Aim a missile (:func:`aim`) and fly it, with its time in an altitude band.

    Raises
    ------
    InputError
        A coordinate, apogee or band edge outside its row of
        :data:`~thaadsim.limits.LIMITS`, named by its field; as :func:`aim`.
    UnreachableError
        As :func:`aim`.
    """
    missile = as_missile(missile)
    check_launch_and_aim(launch_lat_deg, launch_lon_deg, aim_lat_deg, aim_lon_deg)
    try:
        low_m, high_m = (float(v) for v in band_alt_m)
    except (TypeError, ValueError):
        raise InputError(f"band_alt_m: {str(band_alt_m)[:40]!r} is not (low, high) in m"
                         ) from None
    check("band_km", low_m / 1e3, "band_alt_m low (km)")
    check("band_km", high_m / 1e3, "band_alt_m high (km)")
    if not low_m < high_m:
        raise InputError("band_alt_m: the low edge must be below the high edge")
    earth = earth_model(earth)
    c = aim(missile, launch_lat_deg, launch_lon_deg, aim_lat_deg, aim_lon_deg, shape, apogee_km,
            earth=earth, rotating=rotating, drag=drag)
    f = fly_rocket(missile.rocket, launch_lat_deg, launch_lon_deg, 0.0, c.azimuth_deg,
                   c.kick_deg, c.cutoff_s, earth=earth, rotating=rotating, drag=drag,
                   levels_alt_m=list(band_alt_m), record=record)
    lat, lon, _ = ecef_to_geodetic(f.impact_state[0, :3], earth)
    dist = geodesic_inverse(launch_lat_deg, launch_lon_deg, lat, lon, earth)[0]
    miss = geodesic_inverse(aim_lat_deg, aim_lon_deg, lat, lon, earth)[0]
    entry, leave, inside = band_times(f.up_s, f.down_s, f.coast.apogee_alt_m, band_alt_m,
                                      np.zeros(1), np.zeros(1), f.impact_t_s)
    return ThreatFlight(
        missile=missile, shape=shape, controls=c,
        launch_lat_deg=launch_lat_deg, launch_lon_deg=launch_lon_deg,
        aim_lat_deg=aim_lat_deg, aim_lon_deg=aim_lon_deg, band_alt_m=band_alt_m, flight=f,
        impact_lat_deg=float(lat), impact_lon_deg=float(lon), range_m=float(dist),
        miss_m=float(miss), band_entry_s=float(entry[0]), band_exit_s=float(leave[0]),
        time_in_band_s=float(inside[0]),
    )
