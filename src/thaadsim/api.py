"""The Python API for notebooks: catalog objects in, typed results out.

Everything here takes the objects themselves -- a :class:`~thaadsim.systems.catalog.Missile`,
a :class:`~thaadsim.systems.radar.Radar` at an :class:`~thaadsim.systems.radar.Emplacement`,
a :class:`~thaadsim.engagement.Defense` -- read from the catalog once with the getters
(:func:`get_missile`, :func:`get_radar`, :func:`get_interceptor`, :func:`get_site`,
:func:`get_sensor`, :func:`get_battery`) and changed with :func:`dataclasses.replace`.
Results are frozen dataclasses; the tabular ones have ``.to_frame()`` (pandas). No physics
lives here: each operation calls the engine or a study.

>>> import dataclasses, thaadsim as ts
>>> radar = ts.get_radar("terminal")
>>> weak = dataclasses.replace(radar, average_power_w=radar.average_power_w / 4)
>>> weak.mode, round(weak.average_power_w / radar.average_power_w, 2)
('terminal', 0.25)

A scenario file runs as before:

>>> scn = ts.load_scenario("korea-2017")                   # doctest: +SKIP
>>> res = ts.run_scenario(scn, trials=50, seed=1)          # doctest: +SKIP
>>> res.threats.groupby("missile")["outcome"].value_counts()  # doctest: +SKIP
>>> res.write_report("korea-2017-report")                  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

import numpy as np
import numpy.typing as npt

from thaadsim.errors import InputError
from thaadsim.limits import check, fmt_number

if TYPE_CHECKING:  # the types only; importing them at run time would slow `import thaadsim`
    from thaadsim.engagement import Defense, RaidThreat
    from thaadsim.run import RunOutput
    from thaadsim.studies.coverage import RadarCoverage
    from thaadsim.studies.footprint import Footprint as FootprintGrid
    from thaadsim.studies.surveillance import Corridors, Surveillance
    from thaadsim.systems.catalog import Missile, Site
    from thaadsim.systems.detection import Cue
    from thaadsim.systems.fire_control import Battery
    from thaadsim.systems.interceptor import Interceptor
    from thaadsim.systems.radar import Radar
    from thaadsim.systems.sensors import Sensor
    from thaadsim.systems.threat import ThreatFlight

FloatArray = npt.NDArray[np.float64]
Place: TypeAlias = "Site | tuple[float, float]"
"""A place: a catalog :class:`~thaadsim.systems.catalog.Site` or ``(lat_deg, lon_deg)``."""

__all__ = [
    "Coverage", "Detection", "Flight", "FootprintResult", "SimulationResult",
    "coverage", "detect", "engage", "fly", "fly_burnout", "footprint", "get_battery",
    "get_interceptor", "get_missile", "get_radar", "get_sensor", "get_site", "load_scenario",
    "raid",
    "run_scenario", "standard_defense", "surveil", "surveil_corridors",
]


# --------------------------------------------------------------------------------------------
# Checks: a wrong type is one clear InputError naming the argument and how to build one
# --------------------------------------------------------------------------------------------


def _require(value: Any, kind: type, argument: str, how: str) -> None:
    """``value`` is a ``kind``, or an :class:`InputError` naming ``argument``, what it got and
    ``how`` to build the right one."""
    if not isinstance(value, kind):
        raise InputError(f"{argument}: a {type(value).__name__} is not a {kind.__name__}; "
                         f"build one with {how}")


def _place(value: Any, argument: str) -> tuple[float, float]:
    """A :class:`Site` or a ``(lat_deg, lon_deg)`` pair, as ``(lat_deg, lon_deg)``."""
    from thaadsim.systems.catalog import Site

    if isinstance(value, Site):
        return value.lat_deg, value.lon_deg
    if (isinstance(value, Sequence) and not isinstance(value, str) and len(value) == 2
            and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)):
        lat, lon = float(value[0]), float(value[1])
        check("lat_deg", lat, f"{argument} latitude")
        check("lon_deg", lon, f"{argument} longitude")
        return lat, lon
    shown = type(value).__name__
    raise InputError(f"{argument}: a {shown} is not a place; give a Site "
                     f"(ts.get_site('pyongyang')) or (lat_deg, lon_deg)")


def _missile(value: Any, argument: str = "missile") -> Missile:
    from thaadsim.systems.catalog import Missile

    _require(value, Missile, argument, "ts.get_missile('scud-c')")
    return value


# --------------------------------------------------------------------------------------------
# The catalog, read once: objects to change with dataclasses.replace
# --------------------------------------------------------------------------------------------


def get_missile(slug: str) -> Missile:
    """A threat type from the catalog (``thaadsim catalog`` lists them).

    >>> import thaadsim as ts
    >>> m = ts.get_missile("scud-c")
    >>> m.slug, m.missile_class
    ('scud-c', 'SRBM')
    """
    from thaadsim.systems.catalog import get_missile as get

    return get(slug)


def get_radar(mode: str = "terminal") -> Radar:
    """The AN/TPY-2 in a mode (``'terminal'`` or ``'forward-based'``) or a radar by its
    catalog slug: the :class:`~thaadsim.systems.radar.Radar` itself, every figure a field
    (each one's source is in ``thaadsim/data/radars.yaml``).

    >>> import thaadsim as ts
    >>> r = ts.get_radar("forward-based")
    >>> r.mode, r.instrumented_range_m > ts.get_radar("terminal").instrumented_range_m
    ('forward-based', True)
    """
    from thaadsim.systems.catalog import get_radar as get

    return get(mode).radar


def get_interceptor(slug: str) -> Interceptor:
    """An interceptor type (``'thaad'``, ``'pac-3-mse'``) from the catalog.

    >>> import thaadsim as ts
    >>> i = ts.get_interceptor("thaad")
    >>> 0 < i.sspk <= 1 and i.divert_mps > 0
    True
    """
    from thaadsim.systems.interceptor import get_interceptor as get

    return get(slug)


def get_site(slug: str) -> Site:
    """A named place: a radar or battery site, or a city to defend or aim at;
    ``site.emplacement(boresight_deg)`` stands a radar there.

    >>> import thaadsim as ts
    >>> s = ts.get_site("seongju")
    >>> round(s.lat_deg, 1), s.emplacement(330.0).boresight_deg
    (36.0, 330.0)
    """
    from thaadsim.systems.catalog import get_site as get

    return get(slug)


def get_sensor(slug: str, boresight_deg: float | None = None) -> Sensor:
    """A catalog sensor (``thaadsim/data/sensors.yaml``): an AN/TPY-2 in one mode at a site,
    facing its catalog boresight (an assumption with its range) or ``boresight_deg``; the
    fence of issue 15 is ``shariki-forward-based``, ``kyogamisaki-forward-based``,
    ``seongju-terminal`` and ``seongju-forward-based``.

    >>> import thaadsim as ts
    >>> s = ts.get_sensor("shariki-forward-based")
    >>> s.site, s.mode, s.emplacement.boresight_deg, s.radar.instrumented_range_m / 1e3
    ('shariki', 'forward-based', 268.0, 2000.0)
    >>> ts.get_sensor("seongju-terminal", boresight_deg=300.0).emplacement.boresight_deg
    300.0
    """
    from thaadsim.systems.sensors import get_sensor as get

    return get(slug, boresight_deg=boresight_deg)


def get_battery(slug: str) -> Battery:
    """A battery from the catalog (site, interceptor, launchers, magazine and timing).

    >>> import thaadsim as ts
    >>> b = ts.get_battery("seongju")
    >>> b.site.slug, b.inventory
    ('seongju', 48)
    """
    from thaadsim.systems.fire_control import get_battery as get

    return get(slug)


# --------------------------------------------------------------------------------------------
# Flights
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Flight:
    """One flight: a catalog missile aimed at a point (:func:`fly`) or a burnout state
    flown (:func:`fly_burnout`). Ranges along the ground from the launch point (from the
    point beneath burnout for a burnout state); times from launch (from burnout)."""

    missile: str | None
    """The missile's slug (None: a burnout state)."""
    shape: str | None
    range_km: float
    apogee_km: float
    apogee_time_s: float
    flight_time_s: float
    burnout_time_s: float
    burnout_speed_kms: float
    impact_lat_deg: float
    impact_lon_deg: float
    impact_speed_kms: float
    miss_km: float | None
    """Distance from the aim point to the impact point (None: a burnout state)."""
    band_km: tuple[float, float]
    band_entry_s: float
    """First time inside the band (NaN: never)."""
    band_exit_s: float
    time_in_band_s: float
    t_s: FloatArray = field(repr=False, compare=False)
    lat_deg: FloatArray = field(repr=False, compare=False)
    lon_deg: FloatArray = field(repr=False, compare=False)
    alt_km: FloatArray = field(repr=False, compare=False)
    ground_km: FloatArray = field(repr=False, compare=False)
    speed_kms: FloatArray = field(repr=False, compare=False)
    threat: ThreatFlight | None = field(default=None, repr=False, compare=False)
    """The engine's flight of a missile (what :func:`detect` tracks); None for a burnout
    state."""

    def to_frame(self) -> Any:
        """The recorded trajectory, one row per sample: ``t_s``, ``lat_deg``, ``lon_deg``,
        ``alt_km``, ``ground_km``, ``speed_kms``."""
        import pandas as pd

        return pd.DataFrame({"t_s": self.t_s, "lat_deg": self.lat_deg,
                             "lon_deg": self.lon_deg, "alt_km": self.alt_km,
                             "ground_km": self.ground_km, "speed_kms": self.speed_kms})


def _trajectory(t: FloatArray, y: FloatArray, lat0: float, lon0: float,
                earth: Any) -> dict[str, Any]:
    """A recorded flight's samples, in time order, as the :class:`Flight` arrays."""
    from thaadsim.physics.geodesy import ecef_to_geodetic, geodesic_inverse

    ok = np.isfinite(t)
    order = np.argsort(t[ok], kind="stable")
    pts = y[ok][order]
    lat, lon, alt = ecef_to_geodetic(pts[:, :3], earth)
    ground = geodesic_inverse(lat0, lon0, lat, lon, earth)[0]
    return {"t_s": t[ok][order], "lat_deg": np.asarray(lat), "lon_deg": np.asarray(lon),
            "alt_km": np.asarray(alt) / 1e3, "ground_km": np.asarray(ground) / 1e3,
            "speed_kms": np.linalg.norm(pts[:, 3:], axis=1) / 1e3}


def _band(band_km: Any) -> tuple[float, float]:
    try:
        low, high = (float(v) for v in band_km)
    except (TypeError, ValueError):
        raise InputError(f"band_km: {str(band_km)[:40]!r} is not (low, high) in km") from None
    check("band_km", low, "band_km low")
    check("band_km", high, "band_km high")
    if not low < high:
        raise InputError(f"band_km: the low edge {fmt_number(low)} must be below the high "
                         f"edge {fmt_number(high)}")
    return low, high


def fly(missile: Missile, launch: Place, aim: Place, *, shape: str = "min-energy",
        apogee_km: float | None = None, band_km: tuple[float, float] = (40.0, 150.0),
        rotating: bool = True, drag: bool = True, earth: str = "wgs84") -> Flight:
    """Aim a missile from ``launch`` at ``aim`` (each a :class:`Site` or ``(lat_deg,
    lon_deg)``) on a trajectory ``shape`` (``'min-energy'``, ``'lofted'`` or
    ``'depressed'``, the last two at ``apogee_km``) and fly it over the rotating Earth
    (:func:`thaadsim.systems.threat.fly_threat`); ``earth`` ``'wgs84'`` or ``'sphere'``.

    >>> import dataclasses, thaadsim as ts
    >>> scud = ts.get_missile("scud-b")
    >>> f = ts.fly(scud, ts.get_site("pyongyang"), (36.9, 126.9))
    >>> 250 < f.range_km < 300 and f.miss_km < 1
    True
    >>> f.to_frame().columns.tolist()
    ['t_s', 'lat_deg', 'lon_deg', 'alt_km', 'ground_km', 'speed_kms']

    Raises
    ------
    InputError
        A wrong type, a place or an apogee out of range, an unknown shape.
    UnreachableError
        The missile cannot fly that far on that shape.
    """
    from thaadsim.physics.earth import earth_model
    from thaadsim.systems.threat import fly_threat

    m = _missile(missile)
    lat0, lon0 = _place(launch, "launch")
    lat1, lon1 = _place(aim, "aim")
    if shape == "min-energy" and apogee_km is not None:
        raise InputError("apogee_km: a min-energy trajectory has its own apogee; give "
                         "shape='lofted' or 'depressed' with it")
    low, high = _band(band_km)
    model = earth_model(earth)
    tf = fly_threat(m, lat0, lon0, lat1, lon1, shape, apogee_km,
                    band_alt_m=(low * 1e3, high * 1e3), earth=model, rotating=rotating,
                    drag=drag, record=True)
    f = tf.flight
    return Flight(
        missile=m.slug, shape=shape, range_km=tf.range_m / 1e3,
        apogee_km=tf.apogee_alt_m / 1e3, apogee_time_s=tf.apogee_t_s,
        flight_time_s=tf.flight_time_s, burnout_time_s=tf.burnout_t_s,
        burnout_speed_kms=tf.burnout_speed_mps / 1e3, impact_lat_deg=tf.impact_lat_deg,
        impact_lon_deg=tf.impact_lon_deg, impact_speed_kms=tf.impact_speed_mps / 1e3,
        miss_km=tf.miss_m / 1e3, band_km=(low, high), band_entry_s=tf.band_entry_s,
        band_exit_s=tf.band_exit_s, time_in_band_s=tf.time_in_band_s, threat=tf,
        **_trajectory(f.track_t_s[0], f.track_state[0], lat0, lon0, model))


def _never_climbs(speed_kms: float, gamma_deg: float, alt_km: float) -> str:
    """Why a burnout at the ground with no climb is no flight, in words."""
    return (f"fly: the flight hit the ground at once: burnout at {fmt_number(alt_km)} km with a "
            f"flight-path angle of {fmt_number(gamma_deg)} degrees never climbs (at "
            f"{fmt_number(speed_kms)} km/s); give a flight-path angle above 0 or a burnout "
            "altitude above 0")


def _why_no_impact(flight: Any, status: str, speed_kms: float, gamma_deg: float,
                  alt_km: float, earth: Any, rotating: bool) -> str:
    """What happened to a burnout flight that did not end in an impact, in words."""
    from thaadsim.physics.geodesy import ecef_to_geodetic

    t = float(flight.t_s[0])
    alt = float(ecef_to_geodetic(flight.state[0, :3], earth)[2])
    if status != "reached-end" and not alt > 0 and not (
            float(flight.apogee_alt_m[0]) > alt_km * 1e3 + 1.0):
        return _never_climbs(speed_kms, gamma_deg, alt_km)
    if status == "reached-end":
        pos, vel = flight.state[0, :3], flight.state[0, 3:]
        if rotating:  # the energy is the inertial velocity's: add the ground's, omega x r
            vel = vel + np.cross([0.0, 0.0, earth.omega_radps], pos)
        speed = float(np.linalg.norm(vel))
        energy = 0.5 * speed**2 - earth.gm_m3ps2 / float(np.linalg.norm(pos))
        fate = ("it is escaping the Earth" if energy >= 0 else
                "it is in orbit, its path never meeting the ground" if alt > 100e3 else
                "it had not come down")
        return (f"fly: the flight had not come down after {fmt_number(round(t))} s (the time "
                f"limit): it was {fmt_number(round(alt / 1e3))} km up at "
                f"{fmt_number(round(speed / 1e3, 2))} km/s (inertial); {fate} (burnout "
                f"{fmt_number(speed_kms)} km/s at {fmt_number(gamma_deg)} degrees, "
                f"{fmt_number(alt_km)} km)")
    if status == "max-steps":
        return (f"fly: the integrator's step budget ran out after {fmt_number(round(t))} s "
                "of flight, before it came down; give another burnout state")
    return (f"fly: the flight could not be integrated (it failed after {fmt_number(round(t))} "
            "s, a non-finite state); give another burnout state")


def fly_burnout(speed_kms: float, gamma_deg: float, *, burnout_alt_km: float = 0.0,
                beta_kgm2: float = 5000.0, lat_deg: float = 39.039, lon_deg: float = 125.763,
                azimuth_deg: float = 180.0, band_km: tuple[float, float] = (40.0, 150.0),
                drag: bool = True, rotating: bool = True, earth: str = "wgs84") -> Flight:
    """Fly a burnout state: ``speed_kms`` at ``gamma_deg`` above the local horizontal,
    ``burnout_alt_km`` above (``lat_deg``, ``lon_deg``, Pyongyang by default), heading
    ``azimuth_deg``, a body of ballistic coefficient ``beta_kgm2``
    (:func:`thaadsim.physics.propagate.propagate`); ``earth`` ``'wgs84'`` or ``'sphere'``.

    In a vacuum over a non-rotating sphere the range is the closed form's (Kepler; Bate,
    Mueller & White 1971, eq. 6.2-12): 3 km/s at 45 degrees flies 985 km.

    >>> import thaadsim as ts
    >>> f = ts.fly_burnout(3.0, 45.0, drag=False, rotating=False, earth="sphere")
    >>> round(f.range_km), round(f.apogee_km), f.missile is None
    (986, 256, True)

    Raises
    ------
    InputError
        A value outside its row of :data:`thaadsim.limits.LIMITS`, or a flight that does not
        come down (escapes, orbits, never climbs), said in words.
    """
    from thaadsim.physics.earth import earth_model
    from thaadsim.physics.geodesy import (
        direction_ecef,
        ecef_to_geodetic,
        geodesic_inverse,
        geodetic_to_ecef,
    )
    from thaadsim.physics.propagate import STATUS_NAMES, band_times, propagate

    for row, value, name in (("speed_kms", speed_kms, "speed_kms"),
                             ("gamma_deg", gamma_deg, "gamma_deg"),
                             ("burnout_alt_km", burnout_alt_km, "burnout_alt_km"),
                             ("beta_kgm2", beta_kgm2, "beta_kgm2"),
                             ("lat_deg", lat_deg, "lat_deg"), ("lon_deg", lon_deg, "lon_deg"),
                             ("azimuth_deg", azimuth_deg, "azimuth_deg")):
        check(row, value, name)
    low, high = _band(band_km)
    if burnout_alt_km == 0 and gamma_deg == 0:
        raise InputError(_never_climbs(speed_kms, gamma_deg, burnout_alt_km))
    shape_earth = earth_model(earth)
    r = geodetic_to_ecef(lat_deg, lon_deg, burnout_alt_km * 1e3, shape_earth)
    v = speed_kms * 1e3 * direction_ecef(lat_deg, lon_deg, azimuth_deg, gamma_deg)
    flight = propagate(np.concatenate([r, v]), beta_kgm2=beta_kgm2, earth=shape_earth,
                       drag=drag, rotating=rotating, levels_alt_m=[low * 1e3, high * 1e3],
                       record=4000, max_step_s=5.0)
    status = STATUS_NAMES[int(flight.status[0])]
    if status != "impact":
        raise InputError(_why_no_impact(flight, status, speed_kms, gamma_deg, burnout_alt_km,
                                       shape_earth, rotating))
    ilat, ilon, _ = ecef_to_geodetic(flight.state[0, :3], shape_earth)
    dist = geodesic_inverse(lat_deg, lon_deg, ilat, ilon, shape_earth)[0]
    entry, leave, inside = band_times(
        flight.up_s[0][None, :], flight.down_s[0][None, :], flight.apogee_alt_m[:1],
        (low * 1e3, high * 1e3), np.array([burnout_alt_km * 1e3]), np.zeros(1),
        flight.t_s[:1])
    return Flight(
        missile=None, shape=None, range_km=float(dist) / 1e3,
        apogee_km=float(flight.apogee_alt_m[0]) / 1e3,
        apogee_time_s=float(flight.apogee_t_s[0]), flight_time_s=float(flight.t_s[0]),
        burnout_time_s=0.0, burnout_speed_kms=float(speed_kms),
        impact_lat_deg=float(ilat), impact_lon_deg=float(ilon),
        impact_speed_kms=float(np.linalg.norm(flight.state[0, 3:])) / 1e3, miss_km=None,
        band_km=(low, high), band_entry_s=float(entry[0]), band_exit_s=float(leave[0]),
        time_in_band_s=float(inside[0]),
        **_trajectory(flight.track_t_s[0], flight.track_state[0], lat_deg, lon_deg,
                      shape_earth))


# --------------------------------------------------------------------------------------------
# Detection: one flight against one or more sensors
# --------------------------------------------------------------------------------------------


def _sensor(value: Any, argument: str) -> Sensor:
    from thaadsim.systems.sensors import Sensor

    _require(value, Sensor, argument, "ts.Sensor(name='seongju', radar=ts.get_radar("
             "'terminal'), emplacement=ts.get_site('seongju').emplacement(330.0))")
    return value


@dataclass(frozen=True, kw_only=True)
class Detection:
    """One flight seen by each sensor over ``trials`` random trials (detections, noise,
    search phase): per sensor and trial, when it first detected the threat, confirmed it
    (M of N looks), held a firm track, and how far the impact point it then predicted lay
    from the true one."""

    missile: str
    rcs_m2: float
    trials: int
    seed: int
    sensors: tuple[str, ...]
    table: dict[str, npt.NDArray[Any]] = field(repr=False, compare=False)
    """Columns of :meth:`to_frame`."""

    def to_frame(self) -> Any:
        """One row per sensor and trial: ``sensor``, ``mode``, ``trial``,
        ``first_detection_s``, ``confirmed_s``, ``firm_track_s``, ``warning_s``,
        ``impact_error_m`` (NaN: never)."""
        import pandas as pd

        return pd.DataFrame(self.table)

    def summary(self) -> Any:
        """One row per sensor: the medians over the trials that reached each event, and
        ``firm_fraction`` (the share of trials with a firm track) with its 95% Wilson
        interval (``firm_ci_low``, ``firm_ci_high``)."""
        from thaadsim.engagement import wilson_interval

        frame = self.to_frame()
        out = frame.groupby("sensor", sort=False).agg(
            mode=("mode", "first"), first_detection_s=("first_detection_s", "median"),
            confirmed_s=("confirmed_s", "median"), firm_track_s=("firm_track_s", "median"),
            impact_error_m=("impact_error_m", "median"),
            firm_fraction=("firm_track_s", lambda s: float(np.isfinite(s).mean())))
        low, high = wilson_interval(out["firm_fraction"].to_numpy(), self.trials)
        out["firm_ci_low"], out["firm_ci_high"] = low, high
        return out


def detect(flight: Flight, sensors: Sensor | Sequence[Sensor], *, rcs_m2: float = 0.1,
           trials: int = 20, seed: int = 0, early_warning: Cue = "catalog") -> Detection:
    """Track a missile's flight with each sensor (a radar at an emplacement) on its own,
    ``trials`` times (:func:`thaadsim.engagement.detect_trials`: search within the face,
    radar horizon and equation, confirmation, the tracking filter), each cued by
    ``early_warning`` (an :class:`~thaadsim.systems.sensors.EarlyWarning`, ``"catalog"``
    for the shipped one, None for the radar's own search alone). Sensor ``k`` draws from
    its own stream (the first from ``default_rng(seed)``, as ``thaadsim detect``; the
    others from ``SeedSequence(seed).spawn(k + 1)[k]``), so adding a sensor does not change
    what the others see.

    >>> import thaadsim as ts
    >>> f = ts.fly(ts.get_missile("scud-c"), ts.get_site("pyongyang"), ts.get_site("seongju"))
    >>> seongju = ts.Sensor(name="seongju", radar=ts.get_radar("terminal"),
    ...                     emplacement=ts.get_site("seongju").emplacement(330.0))
    >>> d = ts.detect(f, [seongju], trials=4, seed=1)
    >>> bool((d.to_frame()["firm_track_s"] < f.flight_time_s).all())
    True
    """
    from thaadsim.engagement import detect_trials
    from thaadsim.systems.detection import truth_from_flight

    _require(flight, Flight, "flight", "ts.fly(missile, launch, aim)")
    if flight.threat is None:
        raise InputError("flight: a burnout state has no missile to track; give "
                         "ts.fly(missile, launch, aim)")
    many = list(sensors) if isinstance(sensors, Sequence) else [sensors]
    if not many:
        raise InputError("sensors: none given; give at least one ts.Sensor")
    parts = [_sensor(s, f"sensors[{i}]") for i, s in enumerate(many)]
    names = [p.name for p in parts]
    if len(set(names)) != len(names):
        raise InputError(f"sensors: names {names} repeat; give each sensor its own name")
    check("rcs_m2", rcs_m2, "rcs_m2")
    check("trials", trials, "trials")
    check("tracked_trials", trials * len(parts), "trials x sensors")
    check("seed", seed, "seed")
    tf = flight.threat
    truth = truth_from_flight(tf.flight, tf.missile.rocket.reentry_beta_kgm2)
    children = np.random.SeedSequence(seed).spawn(len(parts))
    columns: dict[str, list[Any]] = {k: [] for k in (
        "sensor", "mode", "trial", "first_detection_s", "confirmed_s", "firm_track_s",
        "warning_s", "impact_error_m")}
    for k, sensor in enumerate(parts):
        rng = np.random.default_rng(seed if k == 0 else children[k])
        tl = detect_trials(truth, sensor, rcs_m2, trials, rng, early_warning=early_warning)
        columns["sensor"] += [sensor.name] * trials
        columns["mode"] += [sensor.mode] * trials
        columns["trial"] += list(range(trials))
        for key in ("first_detection_s", "confirmed_s", "firm_track_s", "warning_s",
                    "impact_error_m"):
            columns[key] += list(np.asarray(getattr(tl, key), dtype=np.float64))
    return Detection(missile=tf.missile.slug, rcs_m2=float(rcs_m2), trials=int(trials),
                     seed=int(seed), sensors=tuple(names),
                     table={k: np.asarray(v) for k, v in columns.items()})


# --------------------------------------------------------------------------------------------
# Engagements: a raid against a defense
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SimulationResult:
    """A run of a raid against a defense (:func:`engage`, :func:`simulate`): tables as
    pandas DataFrames, headline figures, the report."""

    output: RunOutput

    @property
    def threats(self) -> Any:
        """One row per trial and threat: outcome, reason, detection and firm-track times."""
        return self.output.threats_frame()

    @property
    def shots(self) -> Any:
        """One row per interceptor fired."""
        return self.output.shots_frame()

    @property
    def summary(self) -> dict[str, Any]:
        """Headline figures (:meth:`thaadsim.run.RunOutput.summary`): ``p_no_leak`` with its
        95% Wilson interval ``p_no_leak_ci95``, ``expected_leakers``, ``interceptors_used``,
        the reasons, the provenance."""
        return self.output.summary()

    @property
    def p_no_leak(self) -> float:
        """Share of trials in which no threat hit a defended asset."""
        return self.output.result.p_no_leak

    @property
    def p_no_leak_ci95(self) -> tuple[float, float]:
        """95% Wilson score interval of :attr:`p_no_leak` over the trials."""
        from thaadsim.engagement import wilson_interval

        low, high = wilson_interval(self.p_no_leak, self.output.trials)
        return float(low), float(high)

    @property
    def expected_leakers(self) -> float:
        return self.output.result.expected_leakers

    @property
    def interceptors_used(self) -> float:
        """Interceptors fired per trial."""
        return self.output.result.interceptors_used

    def to_frame(self) -> Any:
        """The threats table (:attr:`threats`)."""
        return self.threats

    def write_report(self, folder: str | Path, *, force: bool = False) -> list[Path]:
        """Write ``report.html``, ``results/``, ``scenario.czml`` and ``scenario.kml``."""
        from thaadsim.report.bundle import write_outputs

        return write_outputs(self.output, folder, force=force)


def _raid_and_defense(raid: Any, defense: Any) -> tuple[tuple[RaidThreat, ...], Defense]:
    from thaadsim.engagement import Defense, RaidThreat

    _require(defense, Defense, "defense", "ts.Defense(batteries=..., sensors=..., assets=...)")
    threats = (raid,) if isinstance(raid, RaidThreat) else raid
    if not isinstance(threats, Sequence) or isinstance(threats, str) or not threats:
        raise InputError(f"raid: a {type(raid).__name__} is not a list of RaidThreat; build "
                         "one with ts.raid(missile, count, launch, aim)")
    for i, th in enumerate(threats):
        _require(th, RaidThreat, f"raid[{i}]", "ts.raid(missile, count, launch, aim) or "
                 "ts.RaidThreat(missile=..., launch_lat_deg=..., ...)")
    return tuple(threats), defense


def engage(raid: RaidThreat | Sequence[RaidThreat], defense: Defense, *, trials: int = 200,
           seed: int = 0) -> SimulationResult:
    """Fire a raid (a list of :class:`~thaadsim.engagement.RaidThreat`, see :func:`raid`) at
    a :class:`~thaadsim.engagement.Defense`, ``trials`` times
    (:func:`thaadsim.engagement.simulate`: flights, detection and tracking, fire control,
    kills): the engagement table (one row per trial and threat, :meth:`~SimulationResult.
    to_frame`), the shots, and ``p_no_leak`` with its Wilson interval.

    >>> import thaadsim as ts
    >>> battery = ts.get_battery("seongju")
    >>> defense = ts.standard_defense(battery, aim=ts.get_site("seongju"),
    ...                               launch=ts.get_site("pyongyang"))
    >>> threats = ts.raid(ts.get_missile("scud-c"), 2, ts.get_site("pyongyang"),
    ...                   ts.get_site("seongju"))
    >>> res = ts.engage(threats, defense, trials=10, seed=1)
    >>> low, high = res.p_no_leak_ci95
    >>> low <= res.p_no_leak <= high and len(res.to_frame()) == 20
    True
    """
    from thaadsim.run import run_engagement

    threats, defense = _raid_and_defense(raid, defense)
    check("trials", trials, "trials")
    check("seed", seed, "seed")
    return SimulationResult(run_engagement(threats, defense, trials=trials, seed=seed))


def raid(missile: Missile, count: int, launch: Place, aim: Place, *, interval_s: float = 0.0,
         shape: str = "min-energy", apogee_km: float | None = None, rcs_m2: float = 0.1
         ) -> tuple[RaidThreat, ...]:
    """``count`` missiles fired from ``launch`` at ``aim`` (each a :class:`Site` or
    ``(lat_deg, lon_deg)``), ``interval_s`` apart: a raid for :func:`engage`.

    >>> import thaadsim as ts
    >>> r = ts.raid(ts.get_missile("scud-c"), 3, (39.0, 125.7), (36.0, 128.2), interval_s=10)
    >>> [t.launch_t_s for t in r]
    [0.0, 10.0, 20.0]
    """
    from thaadsim.engagement import RaidThreat
    from thaadsim.systems.threat import SHAPES

    m = _missile(missile)
    check("count", count, "count")
    check("interval_s", interval_s, "interval_s")
    check("rcs_m2", rcs_m2, "rcs_m2")
    if shape not in SHAPES:
        raise InputError(f"shape: unknown {shape!r}; allowed: {', '.join(SHAPES)}")
    (lat0, lon0), (lat1, lon1) = _place(launch, "launch"), _place(aim, "aim")
    return tuple(RaidThreat(missile=m, launch_lat_deg=lat0,
                            launch_lon_deg=lon0, aim_lat_deg=lat1, aim_lon_deg=lon1,
                            shape=shape, apogee_km=apogee_km, launch_t_s=k * float(interval_s),
                            rcs_m2=float(rcs_m2))
                 for k in range(int(count)))


def standard_defense(battery: Battery, *, aim: Place, launch: Place,
                     doctrine: str = "shoot-look-shoot", layered: bool = False,
                     sensors: Sequence[Sensor] = (), asset_radius_km: float = 20.0
                     ) -> Defense:
    """The defense ``thaadsim engage`` builds around ``battery`` (a
    :class:`~thaadsim.systems.fire_control.Battery` at a catalog site, kept as given): its
    own radar (the catalog's mode) facing ``launch``, defending ``aim`` (a circle of
    ``asset_radius_km``); ``layered`` adds a PAC-3 MSE battery at the aim point, ``sensors``
    more sensors to the network (:func:`thaadsim.studies.raid.standard_defense`).

    >>> import thaadsim as ts
    >>> d = ts.standard_defense(ts.get_battery("seongju"), aim=(37.57, 126.98),
    ...                         launch=ts.get_site("pyongyang"), layered=True)
    >>> [b.slug for b in d.batteries], [(s.name, s.mode, s.battery) for s in d.sensors]
    (['seongju', 'pac-3-at-aim'], [('seongju', 'terminal', 'seongju')])
    """
    import dataclasses

    from thaadsim.studies.raid import standard_defense as build
    from thaadsim.systems.fire_control import Battery

    _require(battery, Battery, "battery", "ts.get_battery('seongju')")
    extra = tuple(_sensor(s, f"sensors[{i}]") for i, s in enumerate(sensors))
    built = build(battery.site.slug, doctrine, _place(aim, "aim"), _place(launch, "launch"),
                  layered=layered, asset_radius_km=asset_radius_km, sensors=extra)
    own = dataclasses.replace(built.sensors[0], battery=battery.slug)
    return dataclasses.replace(built, batteries=(battery, *built.batteries[1:]),
                               sensors=(own, *built.sensors[1:]))


# --------------------------------------------------------------------------------------------
# Coverage and footprint
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Coverage:
    """Where a sensor would detect a target of ``rcs_m2`` at ``alt_km``: the ground fan
    bounded by its face, the refracted horizon, its range window and the radar equation."""

    sensor: str
    mode: str
    boresight_deg: float
    rcs_m2: float
    alt_km: float
    dwell: str
    detection_range_km: float
    horizon_range_km: float
    instrumented_range_km: float
    max_ground_range_km: float
    covered_area_km2: float
    fan: RadarCoverage = field(repr=False, compare=False)
    """The study's result (:class:`thaadsim.studies.coverage.RadarCoverage`): the polygon,
    the near and far edge of each azimuth."""

    def to_frame(self) -> Any:
        """One row per country under the fan: ``country``, ``iso_a3``, ``covered_km2``,
        ``country_km2``, ``share``."""
        import pandas as pd

        return pd.DataFrame([{"country": c.name, "iso_a3": c.iso_a3,
                              "covered_km2": c.covered_km2, "country_km2": c.country_km2,
                              "share": c.share} for c in self.fan.territory],
                            columns=["country", "iso_a3", "covered_km2", "country_km2",
                                     "share"])


def coverage(sensor: Sensor, *, rcs_m2: float = 0.01, alt_km: float = 100.0,
             dwell: str = "track", refraction: bool = True) -> Coverage:
    """A sensor's coverage fan (:func:`thaadsim.studies.coverage.radar_coverage`).

    By the radar equation the detection range goes as the fourth root of the power:
    a quarter of it shortens the range by 2^-1/2.

    >>> import dataclasses, thaadsim as ts
    >>> radar = ts.get_radar("terminal")
    >>> site = ts.get_site("seongju").emplacement(330.0)
    >>> full = ts.coverage(ts.Sensor(name="full", radar=radar, emplacement=site))
    >>> weak = ts.coverage(ts.Sensor(name="weak", emplacement=site, radar=dataclasses.replace(
    ...     radar, average_power_w=radar.average_power_w / 4)))
    >>> round(weak.detection_range_km / full.detection_range_km, 4)
    0.7071
    """
    from thaadsim.studies.coverage import radar_coverage

    sen = _sensor(sensor, "sensor")
    radar, emp = sen.radar, sen.emplacement
    if dwell not in ("track", "search"):
        raise InputError(f"dwell: {dwell!r} is not one of track, search")
    check("rcs_m2", rcs_m2, "rcs_m2")
    check("target_alt_km", alt_km, "alt_km")
    cov = radar_coverage(radar, emp, rcs_m2, alt_km * 1e3, dwell=dwell,
                         refraction_k=4.0 / 3.0 if refraction else 1.0)
    return Coverage(sensor=sen.name, mode=radar.mode, boresight_deg=emp.boresight_deg,
                    rcs_m2=float(rcs_m2), alt_km=float(alt_km), dwell=dwell,
                    detection_range_km=cov.detection_range_m / 1e3,
                    horizon_range_km=cov.horizon_range_m / 1e3,
                    instrumented_range_km=cov.instrumented_range_m / 1e3,
                    max_ground_range_km=cov.max_ground_range_m / 1e3,
                    covered_area_km2=cov.covered_km2, fan=cov)


@dataclass(frozen=True, kw_only=True)
class FootprintResult:
    """The defended footprint: the aim points whose incoming missile a battery can
    intercept with at least ``min_shots`` opportunities."""

    battery: str
    missile: str
    min_shots: int
    grid_km: float
    area_km2: float
    defended_sites: tuple[str, ...]
    grid: FootprintGrid = field(repr=False, compare=False)
    """The study's grid (:class:`thaadsim.studies.footprint.Footprint`; ``to_xarray()``)."""

    def to_frame(self) -> Any:
        """One row per grid cell: ``lat_deg``, ``lon_deg``, ``shots`` (-1: out of the
        missile's reach), ``defended``, ``firm_track_s``, ``flight_time_s``."""
        import pandas as pd

        g = self.grid
        lat, lon = np.meshgrid(g.lat_deg, g.lon_deg, indexing="ij")
        return pd.DataFrame({"lat_deg": lat.ravel(), "lon_deg": lon.ravel(),
                             "shots": g.shots.ravel(), "defended": g.defended.ravel(),
                             "firm_track_s": g.firm_track_s.ravel(),
                             "flight_time_s": g.flight_time_s.ravel()})


def footprint(battery: Battery, missile: Missile, launch: Place, *, shape: str = "min-energy",
              apogee_km: float | None = None, grid_km: float = 10.0,
              extent_km: float | None = None, min_shots: int = 1,
              sensors: Sequence[Sensor] | None = None, network_latency_s: float | None = None,
              rcs_m2: float = 0.1) -> FootprintResult:
    """The defended footprint of ``battery`` against ``missile`` fired from ``launch``
    (:func:`thaadsim.studies.footprint.defended_footprint`: every aim point of a grid flown,
    tracked and checked against the interceptor's reach and the band). ``sensors``: the
    defense's sensors (objects; default: the battery's own AN/TPY-2 in terminal mode facing
    the launch); the battery fires on the track that reaches it first.

    >>> import thaadsim as ts
    >>> fp = ts.footprint(ts.get_battery("seongju"), ts.get_missile("scud-c"),
    ...                   ts.get_site("pyongyang"), grid_km=40)
    >>> fp.area_km2 > 0 and "seongju" in fp.defended_sites
    True
    >>> fp.to_frame().columns.tolist()
    ['lat_deg', 'lon_deg', 'shots', 'defended', 'firm_track_s', 'flight_time_s']
    """
    from thaadsim.studies.footprint import defended_footprint
    from thaadsim.systems.fire_control import Battery

    _require(battery, Battery, "battery", "ts.get_battery('seongju')")
    m = _missile(missile)
    lat, lon = _place(launch, "launch")
    grid = defended_footprint(battery, m, lat, lon, shape=shape, apogee_km=apogee_km,
                              grid_km=grid_km, extent_km=extent_km, min_shots=min_shots,
                              sensors=sensors, network_latency_s=network_latency_s,
                              rcs_m2=rcs_m2, progress=False)
    return FootprintResult(battery=battery.slug, missile=m.slug, min_shots=int(min_shots),
                           grid_km=float(grid_km), area_km2=grid.area_km2,
                           defended_sites=tuple(grid.defended_sites), grid=grid)


def _sensors(sensors: Any) -> list[Sensor]:
    """One :class:`Sensor` or a sequence of them, each checked."""
    from thaadsim.systems.sensors import Sensor

    many = [sensors] if isinstance(sensors, Sensor) else list(sensors)
    return [_sensor(s, f"sensors[{i}]") for i, s in enumerate(many)]


def surveil(missile: Missile, launch: Place, target: Place,
            sensors: Sensor | Sequence[Sensor], *, body_rcs_m2: float | None = None,
            warhead_rcs_m2: float | None = None, post_boost_s: float | None = None,
            seed: int = 0, shape: str = "min-energy", apogee_km: float | None = None,
            early_warning: Cue = "catalog") -> Surveillance:
    """Fly ``missile`` from ``launch`` to ``target`` past ``sensors`` and say, per sensor,
    what it saw of the body and of the warhead after separation: first detection, track
    window, firm track, impact spread at the track's end, whether the post-boost window was
    seen (:func:`thaadsim.studies.surveillance.surveil`; ``thaadsim surveil``). The RCS and
    post-boost figures default to the catalog's assumptions (``data/surveillance.yaml``).
    ``.passes[k].row()`` is sensor ``k``'s JSON row.

    >>> import thaadsim as ts
    >>> seongju = ts.Sensor(name="seongju", radar=ts.get_radar("terminal"),
    ...                     emplacement=ts.get_site("seongju").emplacement(0.0))
    >>> s = ts.surveil(ts.get_missile("df-26"), (36.3, 128.2), (44.0, 128.5), seongju)
    >>> p = s.passes[0]
    >>> p.body.detected, 0 < p.body.track_s < s.flight_time_s, p.saw_deployment
    (True, True, True)
    """
    from thaadsim.studies.surveillance import surveil as study

    return study(_missile(missile), _place(launch, "launch"), _place(target, "target"),
                 _sensors(sensors), body_rcs_m2=body_rcs_m2, warhead_rcs_m2=warhead_rcs_m2,
                 post_boost_s=post_boost_s, seed=seed, shape=shape, apogee_km=apogee_km,
                 early_warning=early_warning)


def _corridor_end(value: Any, argument: str) -> tuple[str, float, float]:
    """A corridor's end: a :class:`Site` (named by its slug) or ``(name, lat_deg,
    lon_deg)``."""
    from thaadsim.systems.catalog import Site

    if isinstance(value, Site):
        return value.slug, value.lat_deg, value.lon_deg
    try:
        name, lat, lon = value
        return str(name), float(lat), float(lon)
    except (TypeError, ValueError):
        raise InputError(f"{argument}: {str(value)[:40]!r} is neither a Site nor (name, "
                         "lat_deg, lon_deg); build one with ts.get_site('daqing')") from None


def surveil_corridors(missile: Missile, launches: Sequence[Any], targets: Sequence[Any],
                      sensors: Sensor | Sequence[Sensor], *, seed: int = 0,
                      **kw: Any) -> Corridors:
    """:func:`surveil` over every (launch, target) pair, each a :class:`Site` or ``(name,
    lat_deg, lon_deg)`` (:func:`thaadsim.studies.surveillance.surveil_corridors`; ``thaadsim
    surveil --from-all/--to-all``): ``.table()`` has one row per corridor and sensor, a
    corridor the missile cannot fly kept with its reason; ``.seen_fraction(sensor)`` is the
    share of the reachable corridors a sensor tracked. ``kw`` goes to :func:`surveil`.

    >>> import thaadsim as ts
    >>> seongju = ts.Sensor(name="seongju", radar=ts.get_radar("terminal"),
    ...                     emplacement=ts.get_site("seongju").emplacement(0.0))
    >>> c = ts.surveil_corridors(ts.get_missile("df-26"), [("near", 36.3, 128.2)],
    ...                          [("north", 44.0, 128.5), ("far", 10.0, -60.0)], seongju)
    >>> [(r["target"], r["reachable"]) for r in c.table()]
    [('north', True), ('far', False)]
    >>> c.seen_fraction("seongju")
    1.0
    """
    from thaadsim.studies.surveillance import surveil_corridors as study

    return study(_missile(missile),
                 [_corridor_end(a, f"launches[{i}]") for i, a in enumerate(launches)],
                 [_corridor_end(b, f"targets[{i}]") for i, b in enumerate(targets)],
                 _sensors(sensors), seed=seed, **kw)


# --------------------------------------------------------------------------------------------
# Scenario files
# --------------------------------------------------------------------------------------------


def load_scenario(name_or_path: str | Path) -> Any:
    """A built-in scenario by name (``thaadsim scenarios`` lists them) or a YAML file."""
    from thaadsim.scenario import load_scenario as load

    return load(name_or_path)


def run_scenario(scenario: Any, *, trials: int | None = None, seed: int | None = None
                 ) -> SimulationResult:
    """Run a scenario (its own trials and seed unless given): the flights, sensors, fire
    control and kills of :func:`thaadsim.engagement.simulate`, packaged with the tables,
    summary and report of a run.

    Raises
    ------
    InputError
        ``trials`` or ``seed`` outside its row of :data:`thaadsim.limits.LIMITS`, or a
        ``scenario`` that is not one (:func:`load_scenario` makes one).
    """
    from thaadsim.run import run_engagement

    if trials is not None:
        check("trials", trials, "trials")
    if seed is not None:
        check("seed", seed, "seed")
    if not callable(getattr(scenario, "to_run_kwargs", None)):
        raise InputError(f"scenario: a {type(scenario).__name__} is not a scenario; give "
                         "thaadsim.load_scenario(NAME_OR_PATH)")
    return SimulationResult(run_engagement(**scenario.to_run_kwargs(trials=trials, seed=seed)))


def simulate(scenario: Any, *, trials: int | None = None, seed: int | None = None
             ) -> SimulationResult:
    """Deprecated name of :func:`run_scenario` (``thaadsim.simulate`` before 0.2), kept so
    that code written for it still runs; it warns. ``thaadsim.engagement.simulate`` is the
    engine's, a raid against a defense."""
    import warnings

    warnings.warn("thaadsim.simulate is now thaadsim.run_scenario (the engine's "
                  "thaadsim.engagement.simulate is another function)", DeprecationWarning,
                  stacklevel=2)
    return run_scenario(scenario, trials=trials, seed=seed)
