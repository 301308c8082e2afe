"""What each command of the command line does, as one function per command: it takes the
values the command line parsed and returns the payload (the dict ``--json`` prints, or the
table shows), after writing the files it was asked for (``--plot``, ``--map``, ...).

:mod:`thaadsim.cli` only parses, calls one of these and prints. The wording of the command
line (option names in error messages, ``LAT,LON`` or a site slug) lives here, not in the
studies, which take numbers and objects. This is an interface module: it may import every
layer below (studies, scenario, engagement, systems, physics) and :mod:`thaadsim.report`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from thaadsim.errors import InputError
from thaadsim.jsonsafe import json_safe
from thaadsim.limits import check

if TYPE_CHECKING:
    from thaadsim.run import RunOutput
    from thaadsim.studies.montecarlo import RunnerOptions

DEFAULT_LAUNCH = (39.039, 125.763)
"""Default launch point: Pyongyang (39.039 N, 125.763 E)."""
DEFAULT_AZIMUTH_DEG = 180.0
"""Direction of a --range-km shot from the default launch point: due south."""
DEFAULT_THREAT = ("scud-c", "39.039,125.763", "36.05,128.22")
"""`thaadsim fly` with no threat: a Scud-C from Pyongyang at the Seongju THAAD site
(36.05 N, 128.22 E, the former Lotte Skyhill golf course, +-1-2 km)."""

_WHOLE = re.compile(r"[+-]?[0-9]+")


def shown(text: str) -> str:
    """Text the user typed, as a message quotes it: at most 30 characters, a long whole
    number by its digit count."""
    digits = len(text.strip().lstrip("+-").lstrip("0"))
    if digits > 20 and _WHOLE.fullmatch(text.strip()):
        return f"{'-' if text.strip().startswith('-') else ''}a {digits:,}-digit number"
    return repr(text) if len(text) <= 30 else repr(text[:27] + "...")


def latlon(text: str, option: str) -> tuple[float, float]:
    """LAT,LON in degrees, each within its row of :data:`~thaadsim.limits.LIMITS`."""
    try:
        lat_s, lon_s = text.split(",")
        lat, lon = float(lat_s), float(lon_s)
    except ValueError:
        raise InputError(f"{option}: {shown(text)} is not LAT,LON in degrees (e.g. 39.0,125.7)"
                         ) from None
    check("lat_deg", lat, f"{option} latitude")
    check("lon_deg", lon, f"{option} longitude")
    return lat, lon


def place(text: str, option: str) -> tuple[float, float]:
    """``LAT,LON`` in degrees or the slug of a catalog site, as (lat_deg, lon_deg)."""
    from thaadsim.systems.catalog import site_catalog

    sites = site_catalog()
    if text in sites:
        return sites[text].lat_deg, sites[text].lon_deg
    try:
        lat_s, lon_s = text.split(",")
        lat, lon = float(lat_s), float(lon_s)
    except ValueError:
        quoted = repr(text) if len(text) <= 40 else repr(text[:37] + "...")
        raise InputError(f"{option}: {quoted} is neither LAT,LON in degrees (e.g. 39.0,125.7) "
                         f"nor a site ({', '.join(sites)})") from None
    check("lat_deg", lat, f"{option} latitude")
    check("lon_deg", lon, f"{option} longitude")
    return lat, lon


def check_shape(shape: str) -> None:
    """A trajectory shape of :data:`thaadsim.systems.threat.SHAPES`."""
    from thaadsim.systems.threat import SHAPES

    if shape not in SHAPES:
        raise InputError(f"--shape: unknown {shown(shape)}; allowed: {', '.join(SHAPES)}")


def check_apogee(shape: str, apogee_km: float | None) -> None:
    """An apogee only with a lofted or depressed shape, and a positive altitude."""
    if apogee_km is None:
        return
    check("apogee_km", apogee_km, "--apogee-km")
    if shape == "min-energy":
        raise InputError("--apogee-km: a min-energy trajectory has its own apogee; give "
                         "--shape lofted or depressed with it")


def _median_or_none(x: np.ndarray) -> float | None:
    x = np.asarray(x, dtype=np.float64)
    return float(np.nanmedian(x)) if np.isfinite(x).any() else None


def site_label(slug: str) -> str:
    """A catalog site's name without its parenthesised note (``Seongju``)."""
    from thaadsim.systems.catalog import get_site

    return get_site(slug).name.split(" (")[0]


# --------------------------------------------------------------------------------------------
# catalog
# --------------------------------------------------------------------------------------------


def catalog_command_data() -> dict[str, Any]:
    """``thaadsim catalog``: every threat with its published range and payload (and their
    sources) and the range the model reaches: ``{"missiles": [...]}``."""
    from thaadsim.systems.catalog import missile_catalog
    from thaadsim.systems.threat import max_range_m

    ranges = {slug: max_range_m(m) for slug, m in missile_catalog().items()}
    rows: list[dict[str, Any]] = []
    for slug, m in missile_catalog().items():
        rows.append({
            "slug": slug,
            "name": m.name,
            "class": m.missile_class,
            "range_km": m.range_km.value,
            "range_source": m.range_km.provenance,
            "variant_of": m.variant_of,
            "payload_kg": m.payload_kg.value,
            "payload_source": m.payload_kg.provenance,
            "launch_mass_kg": m.rocket.launch_mass_kg,
            "stages": len(m.rocket.stages),
            "model_max_range_km": round(ranges[slug] / 1e3, 1),
        })
    return {"missiles": rows}


# --------------------------------------------------------------------------------------------
# fly
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FlightTrack:
    """A flight as the --plot draws it: ground range and altitude against time."""

    t_s: np.ndarray
    ground_km: np.ndarray
    alt_km: np.ndarray

    def at(self, t_s: float | None) -> tuple[float, float] | None:
        """Ground range and altitude at a time (None for a missing time)."""
        if t_s is None or not math.isfinite(t_s):
            return None
        return (float(np.interp(t_s, self.t_s, self.ground_km)),
                float(np.interp(t_s, self.t_s, self.alt_km)))


def fly_command_data(
    *,
    speed_kms: float | None = None,
    gamma_deg: float | None = None,
    burnout_alt_km: float = 0.0,
    beta_kgm2: float = 5000.0,
    vacuum: bool = False,
    non_rotating: bool = False,
    earth: str = "wgs84",
    lat_deg: float = DEFAULT_LAUNCH[0],
    lon_deg: float = DEFAULT_LAUNCH[1],
    azimuth_deg: float = DEFAULT_AZIMUTH_DEG,
    missile: str | None = None,
    range_km: float | None = None,
    from_: str | None = None,
    to: str | None = None,
    shape: str = "min-energy",
    apogee_km: float | None = None,
    band_km: tuple[float, float] = (40.0, 150.0),
    plot_path: str | None = None,
) -> dict[str, Any]:
    """``thaadsim fly``: a burnout state (``speed_kms`` and ``gamma_deg``; times and range
    from burnout) or a catalog ``missile`` (with ``range_km``, fired due south from
    Pyongyang, or ``from_`` and ``to``); the altitude-range plot written to ``plot_path``
    if given. The payload's ``title`` is not a key: :func:`fly_title` gives it."""
    if missile is None:
        if speed_kms is None or gamma_deg is None:
            raise InputError("fly: give both --speed-kms and --gamma-deg (burnout state), or "
                             "--missile")
        data, track, title = _fly_burnout(speed_kms, gamma_deg, burnout_alt_km, beta_kgm2,
                                          vacuum, non_rotating, earth, lat_deg, lon_deg,
                                          azimuth_deg, band_km)
    else:
        if speed_kms is not None or gamma_deg is not None:
            raise InputError("fly: --missile cannot be combined with --speed-kms/--gamma-deg")
        data, track, title = _fly_missile(missile, range_km, from_, to, shape, apogee_km,
                                          non_rotating, earth, vacuum, band_km)
    if plot_path:
        from thaadsim.report.plots import plot_altitude_range

        notes = (f"range {data['range_km']:.0f} km, apogee {data['apogee_km']:.0f} km\n"
                 f"flight time {data['flight_time_s']:.0f} s\n"
                 f"time in band {data['time_in_band_s']:.0f} s")
        events = {"burnout": data.get("burnout_time_s"), "apogee": data.get("apogee_time_s"),
                  "enters band": data.get("band_entry_s"), "leaves band": data.get("band_exit_s")}
        markers = {name: point for name, t in events.items()
                   if (point := track.at(t)) is not None}
        plot_altitude_range(plot_path, track.ground_km, track.alt_km, band_km=band_km,
                            title=title, label=title.split(":")[0], notes=notes,
                            markers=markers)
        data["plot"] = plot_path
    return data


def fly_title(data: dict[str, Any]) -> str:
    """The title of ``thaadsim fly``'s table (and plot)."""
    if data["mode"] == "burnout":
        return f"burnout {data['burnout_speed_kms']:g} km/s at {data['gamma_deg']:g} deg"
    return f"{data['missile']}: {data['shape']}, {data['range_km']:.0f} km"


def _fly_burnout(speed_kms: float, gamma_deg: float, alt_km: float, beta: float, vacuum: bool,
                 non_rotating: bool, earth_name: str, lat: float, lon: float, az: float,
                 band: tuple[float, float]) -> tuple[dict[str, Any], FlightTrack, str]:
    from thaadsim.api import fly_burnout
    from thaadsim.physics.earth import earth_model

    f = fly_burnout(speed_kms, gamma_deg, burnout_alt_km=alt_km, beta_kgm2=beta,
                    lat_deg=lat, lon_deg=lon, azimuth_deg=az, band_km=band, drag=not vacuum,
                    rotating=not non_rotating, earth=earth_name)
    data = {
        "mode": "burnout",
        "earth": earth_model(earth_name).name,
        "rotating": not non_rotating,
        "drag": not vacuum,
        "burnout_speed_kms": speed_kms,
        "gamma_deg": gamma_deg,
        "burnout_alt_km": alt_km,
        "range_km": f.range_km,
        "apogee_km": f.apogee_km,
        "apogee_time_s": f.apogee_time_s,
        "flight_time_s": f.flight_time_s,
        "impact_lat_deg": f.impact_lat_deg,
        "impact_lon_deg": f.impact_lon_deg,
        "impact_speed_kms": f.impact_speed_kms,
        "band_km": list(band), "band_entry_s": f.band_entry_s, "band_exit_s": f.band_exit_s,
        "time_in_band_s": f.time_in_band_s,
    }
    track = FlightTrack(t_s=f.t_s, ground_km=f.ground_km, alt_km=f.alt_km)
    return data, track, fly_title(data)


def _fly_missile(slug: str, range_km: float | None, from_: str | None, to: str | None,
                 shape: str, apogee_km: float | None, non_rotating: bool, earth_name: str,
                 vacuum: bool, band: tuple[float, float]
                 ) -> tuple[dict[str, Any], FlightTrack, str]:
    from thaadsim.api import fly
    from thaadsim.physics.earth import earth_model
    from thaadsim.physics.geodesy import ecef_to_geodetic
    from thaadsim.systems.catalog import get_missile
    from thaadsim.systems.threat import aim_point_at_range

    m = get_missile(slug)
    check_shape(shape)
    check_apogee(shape, apogee_km)
    earth = earth_model(earth_name)
    if range_km is not None:
        if from_ is not None or to is not None:
            raise InputError("fly: give either --range-km or --from/--to, not both")
        check("range_km", range_km, "--range-km")
        lat0, lon0 = DEFAULT_LAUNCH
        lat1, lon1 = aim_point_at_range(lat0, lon0, DEFAULT_AZIMUTH_DEG, range_km * 1e3, earth)
    elif from_ is not None and to is not None:
        lat0, lon0 = latlon(from_, "--from")
        lat1, lon1 = latlon(to, "--to")
    else:
        raise InputError("fly: with --missile give --range-km R or both --from and --to")
    flown = fly(m, (lat0, lon0), (lat1, lon1), shape=shape, apogee_km=apogee_km, band_km=band,
                rotating=not non_rotating, drag=not vacuum, earth=earth_name)
    tf = flown.threat
    assert tf is not None  # a missile's flight keeps the engine's
    f = tf.flight
    data = {
        "mode": "missile",
        "missile": slug,
        "shape": shape,
        "payload_kg": m.payload_kg.value,
        "launch_lat_deg": lat0, "launch_lon_deg": lon0,
        "aim_lat_deg": lat1, "aim_lon_deg": lon1,
        "impact_lat_deg": tf.impact_lat_deg, "impact_lon_deg": tf.impact_lon_deg,
        "miss_m": tf.miss_m,
        "range_km": tf.range_m / 1e3,
        "apogee_km": tf.apogee_alt_m / 1e3,
        "apogee_time_s": tf.apogee_t_s,
        "flight_time_s": tf.flight_time_s,
        "burnout_time_s": tf.burnout_t_s,
        "burnout_alt_km": float(ecef_to_geodetic(f.burnout_state[0, :3], earth)[2]) / 1e3,
        "burnout_speed_kms": tf.burnout_speed_mps / 1e3,
        "launch_azimuth_deg": tf.controls.azimuth_deg,
        "pitch_kick_deg": tf.controls.kick_deg,
        "impact_speed_kms": tf.impact_speed_mps / 1e3,
        "band_km": list(band),
        "band_entry_s": tf.band_entry_s,
        "band_exit_s": tf.band_exit_s,
        "time_in_band_s": tf.time_in_band_s,
    }
    track = FlightTrack(t_s=flown.t_s, ground_km=flown.ground_km, alt_km=flown.alt_km)
    return data, track, fly_title(data)


# --------------------------------------------------------------------------------------------
# loft, coverage, detect
# --------------------------------------------------------------------------------------------


def loft_command_data(missile: str, apogee_km: float, range_km: float, *,
                      flight_time_s: float | None = None,
                      non_rotating: bool = False) -> dict[str, Any]:
    """``thaadsim loft``: from a lofted test (apogee, range), the missile's range on a
    standard trajectory."""
    from thaadsim.systems.catalog import get_missile
    from thaadsim.systems.threat import analyse_loft

    check("apogee_km", apogee_km, "--apogee-km")
    check("range_km", range_km, "--range-km")
    if flight_time_s is not None:
        check("flight_time_s", flight_time_s, "--flight-time-s")
    m = get_missile(missile)
    a = analyse_loft(m, apogee_km, range_km, rotating=not non_rotating)
    return {
        "missile": missile,
        "test_apogee_km": apogee_km,
        "test_range_km": range_km,
        "implied_payload_kg": a.payload_kg,
        "standard_range_km": a.standard_range_m / 1e3,
        "rotating": not non_rotating,
        "burnout_speed_kms": a.burnout_speed_mps / 1e3,
        "flight_time_s": a.flight_time_s,
        "reported_flight_time_s": flight_time_s,
        "flight_time_error_s": None if flight_time_s is None else a.flight_time_s - flight_time_s,
    }


def _radar_and_site(site: str, mode: str, boresight_deg: float | None) -> tuple[Any, Any, Any]:
    """The radar entry for ``mode``, the site and the emplacement there (checked)."""
    from thaadsim.systems.catalog import get_radar, get_site

    if boresight_deg is not None:
        check("boresight_deg", boresight_deg, "--boresight-deg")
    entry = get_radar(mode)
    where = get_site(site)
    return entry, where, where.emplacement(boresight_deg)


def coverage_title(data: dict[str, Any]) -> str:
    """The title of ``thaadsim coverage``'s table (and map)."""
    return (f"{data['radar']} at {site_label(data['site'])}, facing "
            f"{data['boresight_deg']:g} deg: {data['rcs_m2']:g} m2 target at "
            f"{data['alt_km']:g} km")


def coverage_command_data(site: str = "seongju", *, boresight_deg: float | None = None,
                          mode: str = "terminal", rcs_m2: float = 0.01, alt_km: float = 100.0,
                          dwell: str = "track", no_refraction: bool = False,
                          map_path: str | None = None) -> dict[str, Any]:
    """``thaadsim coverage``: where the radar at ``site`` in ``mode`` detects a target of
    ``rcs_m2`` at ``alt_km`` (:func:`thaadsim.studies.coverage.radar_coverage`), with the
    countries under the fan; the map written to ``map_path`` if given."""
    from thaadsim.studies.coverage import radar_coverage
    from thaadsim.systems.catalog import site_catalog

    entry, where, emp = _radar_and_site(site, mode, boresight_deg)
    check("rcs_m2", rcs_m2, "--rcs-m2")
    check("target_alt_km", alt_km, "--alt-km")
    if dwell not in ("track", "search"):
        raise InputError(f"--dwell: {shown(dwell)} is not one of track, search")
    cov = radar_coverage(entry.radar, emp, rcs_m2, alt_km * 1e3, dwell=dwell,
                         refraction_k=1.0 if no_refraction else 4.0 / 3.0)
    countries: list[dict[str, Any]] = [
        {"country": c.name, "iso_a3": c.iso_a3, "covered_km2": c.covered_km2,
         "country_km2": c.country_km2, "share": c.share} for c in cov.territory]
    data: dict[str, Any] = {
        "site": site, "radar": entry.slug, "mode": entry.radar.mode,
        "boresight_deg": emp.boresight_deg, "rcs_m2": rcs_m2, "alt_km": alt_km, "dwell": dwell,
        "refraction": not no_refraction,
        "detection_range_km": cov.detection_range_m / 1e3,
        "instrumented_range_km": cov.instrumented_range_m / 1e3,
        "horizon_range_km": cov.horizon_range_m / 1e3,
        "max_ground_range_km": cov.max_ground_range_m / 1e3,
        "covered_area_km2": cov.covered_km2,
        "countries": countries,
    }
    if map_path is not None:
        from thaadsim.report.maps import plot_coverage_map
        from thaadsim.systems import geography

        notes = (f"detection range {data['detection_range_km']:,.0f} km ({dwell} dwell), "
                 f"instrumented {data['instrumented_range_km']:,.0f} km, horizon "
                 f"{data['horizon_range_km']:,.0f} km ground; {geography.MAP_DATA_NOTE}")
        places = [(s.name.split(" (")[0], s.lon_deg, s.lat_deg) for s in site_catalog().values()
                  if s.slug != site]
        det_km, window_km = data["detection_range_km"], data["instrumented_range_km"]
        rings = [min(det_km, window_km)] if abs(det_km / window_km - 1) < 0.05 else [
            det_km, window_km]
        plot_coverage_map(map_path, cov.polygon, site_lonlat=(emp.lon_deg, emp.lat_deg),
                          site_name=where.name.split(" (")[0], boresight_deg=emp.boresight_deg,
                          title=coverage_title(data), notes=notes, places=places,
                          rings_km=rings)
        data["map"] = map_path
    return data


def detect_command_data(missile: str = "scud-c", from_: str = "pyongyang",
                        to: str = "seongju", *, shape: str = "min-energy",
                        apogee_km: float | None = None, radar_site: str = "seongju",
                        mode: str = "terminal", boresight_deg: float | None = None,
                        rcs_m2: float = 0.1, trials: int = 1, seed: int = 0,
                        sensors: Sequence[str] | None = None) -> dict[str, Any]:
    """``thaadsim detect``: when the radar first detects the threat, confirms it, holds a
    firm track and how well it then predicts the impact point (medians over ``trials``).
    ``sensors``: ``--sensor`` options, each run on the same trials as the radar; the JSON's
    ``sensors`` list (:func:`thaadsim.engagement.sensor_row`) has the radar first (its
    stream ``seed``, as before) and sensor ``k >= 1`` on the engine's stream
    :func:`thaadsim.engagement.sensor_seed` ``(seed, k)``."""
    from thaadsim.engagement import detect_trials, sensor_row, sensor_seed
    from thaadsim.run import wilson95
    from thaadsim.systems.catalog import get_missile
    from thaadsim.systems.detection import truth_from_flight
    from thaadsim.systems.sensors import Sensor
    from thaadsim.systems.threat import fly_threat

    entry, _, emp = _radar_and_site(radar_site, mode, boresight_deg)
    check("rcs_m2", rcs_m2, "--rcs-m2")
    check("trials", trials, "--trials")
    check("tracked_trials", trials, "--trials")
    check_shape(shape)
    check_apogee(shape, apogee_km)
    lat0, lon0 = place(from_, "--from")
    lat1, lon1 = place(to, "--to")
    sensor = Sensor(name=radar_site, radar=entry.radar, emplacement=emp, site=radar_site)
    added = extra_sensors(sensors, (lat0, lon0), [radar_site])
    check("tracked_trials", trials * (1 + len(added)), "--trials x sensors")
    m = get_missile(missile)
    tf = fly_threat(m, lat0, lon0, lat1, lon1, shape, apogee_km, record=True)
    truth = truth_from_flight(tf.flight, m.rocket.reentry_beta_kgm2)
    tl = detect_trials(truth, sensor, rcs_m2, trials,  # in chunks of trials
                       np.random.default_rng(seed))
    rows = [sensor_row(sensor, tl.first_detection_s, tl.firm_track_s)]
    for k, extra in enumerate(added, start=1):
        t = detect_trials(truth, extra, rcs_m2, trials,
                          np.random.default_rng(sensor_seed(seed, k)))
        rows.append(sensor_row(extra, t.first_detection_s, t.firm_track_s))

    def med(x: np.ndarray) -> float:
        return float(np.nanmedian(x)) if np.isfinite(x).any() else float("nan")

    return {
        "missile": missile, "shape": shape, "range_km": tf.range_m / 1e3,
        "apogee_km": tf.apogee_alt_m / 1e3, "radar_site": radar_site, "mode": entry.radar.mode,
        "boresight_deg": emp.boresight_deg, "rcs_m2": rcs_m2, "trials": trials, "seed": seed,
        "burnout_s": tf.burnout_t_s,
        "first_detection_s": med(tl.first_detection_s),
        "confirmed_s": med(tl.confirmed_s),
        "firm_track_s": med(tl.firm_track_s),
        "impact_s": tf.flight_time_s,
        "warning_s": med(tl.warning_s),
        "impact_error_m": med(tl.impact_error_m),
        "impact_sigma_m": med(tl.impact_sigma_m),
        "firm_fraction": float(np.isfinite(tl.firm_track_s).mean()),
        "firm_fraction_ci95": wilson95(float(np.isfinite(tl.firm_track_s).mean()), trials),
        "sensors": rows,
    }


def detect_title(missile: str, from_: str, to: str, radar_site: str, mode: str) -> str:
    """The title of ``thaadsim detect``'s table."""
    from thaadsim.systems.catalog import get_radar

    return f"{missile} from {from_} at {to}, seen by {get_radar(mode).slug} at " + site_label(
        radar_site)


# --------------------------------------------------------------------------------------------
# engage, raid
# --------------------------------------------------------------------------------------------


def _defense(battery_site: str, doctrine: str, aim: tuple[float, float],
             launch: tuple[float, float], **kw: Any) -> Any:
    """The battery at ``battery_site`` facing the launch, defending the aim point
    (:func:`thaadsim.studies.raid.standard_defense`), its options checked by their names
    on the command line."""
    from thaadsim.studies.raid import standard_defense

    for option, row in (("inventory", "inventory"), ("fire_channels", "fire_channels"),
                        ("sspk", "probability")):
        if kw.get(option) is not None:
            check(row, kw[option], "--" + option.replace("_", "-"))
    return standard_defense(battery_site, doctrine, aim, launch, **kw)


def extra_sensors(specs: Sequence[str] | None, toward: tuple[float, float],
                  taken: Sequence[str]) -> tuple[Any, ...]:
    """The sensors of ``--sensor SITE:MODE[:BORESIGHT_DEG]`` options
    (:func:`thaadsim.systems.sensors.sensors_from_specs`: facing ``toward`` unless a
    boresight is given, named apart from ``taken``), checked before any work."""
    from thaadsim.systems.sensors import sensors_from_specs

    if specs:
        check("sensors", len(specs) + len(taken), "--sensor (how many, with the defense's)")
    return sensors_from_specs(specs or (), toward, taken)


def engage_command_data(missile: str = "scud-c", from_: str = "pyongyang",
                        to: str = "seongju", *, shape: str = "min-energy",
                        apogee_km: float | None = None, battery_site: str = "seongju",
                        doctrine: str = "shoot-look-shoot", layered: bool = False,
                        rcs_m2: float = 0.1, trials: int = 200, seed: int = 0,
                        sensors: Sequence[str] | None = None) -> dict[str, Any]:
    """``thaadsim engage``: one threat against the battery: can it be engaged, when, how
    high, and how likely is it stopped (over Monte Carlo trials of detection, tracking and
    kills); ``sensors``: ``--sensor`` options added to the battery's own radar (the JSON's
    ``sensors`` list: :func:`thaadsim.engagement.sensor_summary`)."""
    from thaadsim.engagement import (
        Keep,
        RaidThreat,
        code_names,
        named_counts,
        sensor_summary,
        simulate,
    )
    from thaadsim.run import wilson95
    from thaadsim.systems.catalog import get_missile

    check_shape(shape)
    check_apogee(shape, apogee_km)
    check("rcs_m2", rcs_m2, "--rcs-m2")
    check("tracked_trials", trials, "--trials")
    launch, aim = place(from_, "--from"), place(to, "--to")
    m = get_missile(missile)
    defense = _defense(battery_site, doctrine, aim, launch, layered=layered,
                       sensors=extra_sensors(sensors, launch, [battery_site]))
    check("tracked_trials", trials * len(defense.sensors), "--trials x sensors")
    threat = RaidThreat(missile=m, launch_lat_deg=launch[0], launch_lon_deg=launch[1],
                        aim_lat_deg=aim[0], aim_lon_deg=aim[1], shape=shape,
                        apogee_km=apogee_km, rcs_m2=rcs_m2)
    # keep only what is reported (outcome and reason as codes, counted by name)
    per_sensor = tuple(f"{s.name}.{k}" for s in defense.sensors
                       for k in ("first_detection_s", "firm_track_s"))
    keep = Keep(threats=("outcome", "outcome_code", "reason", "engageable",
                         "shot_opportunities", "first_detection_s", "firm_track_s",
                         "impact_s", *per_sensor),
                shots=("shot", "battery", "launch_s", "intercept_alt_m"), names=False)
    res = simulate([threat], defense, trials=trials, seed=seed, keep=keep)
    t = res.threats
    names = code_names([threat], defense)
    outcome_counts = named_counts(t["outcome"], names["outcome"])
    outcome = max(outcome_counts, key=outcome_counts.__getitem__)  # the first on a tie
    codes = np.unique(t["outcome"])
    of_outcome = np.isin(t["outcome"], [c for c in codes if names["outcome"](int(c)) == outcome])
    reason_counts = named_counts(t["reason"][of_outcome], names["reason"])
    first_shots = res.shots["shot"] == 1
    first_battery = res.shots["battery"] == 0
    sel = first_shots & first_battery
    return {
        "missile": missile, "shape": shape, "battery_site": battery_site,
        "batteries": list(res.batteries), "doctrine": doctrine, "trials": trials, "seed": seed,
        "outcome": outcome, "reason": max(reason_counts, key=reason_counts.__getitem__),
        "engageable": bool(t["engageable"].any()),
        "engageable_fraction": float(t["engageable"].mean()),
        "engageable_fraction_ci95": wilson95(float(t["engageable"].mean()), trials),
        "shot_opportunities": int(np.median(t["shot_opportunities"])),
        "first_detection_s": _median_or_none(t["first_detection_s"]),
        "firm_track_s": _median_or_none(t["firm_track_s"]),
        "first_launch_s": _median_or_none(res.shots["launch_s"][sel]),
        "intercept_alt_km": (None if not sel.any() else
                             float(np.median(res.shots["intercept_alt_m"][sel])) / 1e3),
        "impact_s": float(t["impact_s"][0]),
        "p_kill": float((t["outcome_code"] == 0).mean()),
        "p_kill_ci95": wilson95(float((t["outcome_code"] == 0).mean()), trials),
        "interceptors_used": res.interceptors_used,
        "sensors": sensor_summary(res, defense),
    }


def raid_command_data(missile: str = "scud-c", count: int = 10, from_: str = "pyongyang",
                      to: str = "seongju", *, interval_s: float = 0.0,
                      shape: str = "min-energy", battery_site: str = "seongju",
                      inventory: int | None = None, doctrine: str = "salvo-2",
                      sspk: float | None = None, layered: bool = False, trials: int = 500,
                      seed: int = 0, pool: int = 200, runner: RunnerOptions | None = None,
                      progress: bool = False, sensors: Sequence[str] | None = None
                      ) -> dict[str, Any]:
    """``thaadsim raid``: a salvo of ``count`` missiles at one battery, leakage by Monte
    Carlo beside the binomial model (Wilkening 2000); on the chunked runner when ``runner``
    has an option chosen (tracking pooled, ``pool`` outcomes per threat)."""
    from thaadsim.engagement import (
        Keep,
        RaidThreat,
        Result,
        binomial_p_no_leak,
        code_names,
        named_counts,
        sensor_summary,
        simulate,
    )
    from thaadsim.run import wilson95
    from thaadsim.studies.montecarlo import RunnerOptions, run_pooled_engagement
    from thaadsim.systems.catalog import get_missile
    from thaadsim.systems.fire_control import doctrine_shots

    runner = runner or RunnerOptions()
    check("count", count, "--count")
    check("interval_s", interval_s, "--interval-s")
    check("launch_t_s", (count - 1) * interval_s, "--interval-s x (--count - 1), the last "
          "launch")
    check("trials", trials, "--trials")
    launch, aim = place(from_, "--from"), place(to, "--to")
    m = get_missile(missile)
    defense = _defense(battery_site, doctrine, aim, launch, layered=layered,
                       inventory=inventory, sspk=sspk,
                       sensors=extra_sensors(sensors, launch, [battery_site]))
    if not runner.chosen:  # every trial runs every sensor's radar and tracker for each missile
        check("tracked_trials", count * trials * len(defense.sensors),
              "--count x --trials" + (" x sensors" if len(defense.sensors) > 1 else "")
              + " (without the runner)")
    threats = [RaidThreat(missile=m, launch_lat_deg=launch[0], launch_lon_deg=launch[1],
                          aim_lat_deg=aim[0], aim_lon_deg=aim[1], shape=shape,
                          launch_t_s=k * interval_s) for k in range(count)]
    if runner.chosen:
        mc = run_pooled_engagement(threats, defense, trials, seed, pool_size=pool,
                                   runner=runner, progress=progress)
        frame = mc.frame
        fired = float(frame["interceptors"].sum())
        p_shot = float(frame["p_kill_sum"].sum()) / fired if fired else 0.0
        stats: dict[str, Any] = {
            "p_no_leak": mc.p_no_leak, "expected_leakers": mc.expected_leakers,
            "interceptors_used": mc.interceptors_used,
            "batteries": [b.slug for b in defense.batteries]}
        opportunities = frame["shot_opportunities"].to_numpy()
        reasons = frame["reason"].astype(str).to_numpy()
        counted = {str(k): int(v) for k, v in zip(*np.unique(reasons, return_counts=True),
                                                  strict=True)}
        columns = [c for c in frame.columns if c.endswith((".first_detection_s",
                                                           ".firm_track_s"))]
        tracked = Result(threats={c: frame[c].to_numpy() for c in columns}, shots={},
                         trials=trials, n_threats=count, batteries=())
    else:
        # keep only what is reported: leaks, opportunities, reason codes, each sensor's
        # times (medians), the shots' kill probabilities; memory then barely grows with trials
        per_sensor = [f"{s.name}.{k}" for s in defense.sensors
                      for k in ("first_detection_s", "firm_track_s")]
        keep = Keep(threats=("hits_asset", "outcome_code", "shot_opportunities", "reason",
                             *per_sensor), shots=("p_kill",), names=False)
        res = simulate(threats, defense, trials=trials, seed=seed, keep=keep)
        p_shot = float(np.mean(res.shots["p_kill"])) if res.shots["p_kill"].size else 0.0
        stats = {"p_no_leak": res.p_no_leak, "expected_leakers": res.expected_leakers,
                 "interceptors_used": res.interceptors_used, "batteries": list(res.batteries)}
        opportunities = res.threats["shot_opportunities"]
        counted = named_counts(res.threats["reason"], code_names(threats, defense)["reason"])
        tracked = res
    volleys = doctrine_shots(doctrine)
    opp = int(np.median(opportunities))
    shots_per_threat = (volleys[0] if len(volleys) == 1
                        else volleys[0] + (volleys[1] if opp >= 2 else 0))
    p = float(stats["p_no_leak"])
    return {
        "missile": missile, "count": count, "interval_s": interval_s, "doctrine": doctrine,
        "batteries": stats["batteries"], "inventory": defense.batteries[0].inventory,
        "trials": trials, "seed": seed,
        "runner": {"pool": pool, **runner.describe()} if runner.chosen else None,
        "p_no_leak": p, "p_no_leak_ci95": wilson95(p, trials),
        "expected_leakers": stats["expected_leakers"],
        "interceptors_used": stats["interceptors_used"],
        "p_kill_per_shot": p_shot,
        "p_kill_per_shot_ci95": wilson95(p_shot, int(round(stats["interceptors_used"]
                                                           * trials))),
        "shots_per_threat_model": shots_per_threat,
        "analytic_p_no_leak": binomial_p_no_leak(p_shot, shots_per_threat, count),
        "analytic_model": "(1 - (1 - p)^k)^N, Wilkening, Science & Global Security 8 (2000) "
                          "183-215: independent shots, perfect tracking",
        "outcomes": counted,
        "sensors": sensor_summary(tracked, defense),
    }


# --------------------------------------------------------------------------------------------
# footprint, raid-curve, sensitivity
# --------------------------------------------------------------------------------------------


def footprint_command_data(
    battery_site: str,
    missile: str,
    launch_lat_deg: float,
    launch_lon_deg: float,
    *,
    shape: str = "min-energy",
    apogee_km: float | None = None,
    grid_km: float = 10.0,
    extent_km: float | None = None,
    min_shots: int = 1,
    radar_mode: str = "terminal",
    map_path: str | None = None,
    netcdf_path: str | None = None,
    runner: RunnerOptions | None = None,
    progress: bool = True,
) -> dict[str, Any]:
    """``thaadsim footprint``: the defended footprint
    (:func:`thaadsim.studies.footprint.defended_footprint`), after writing the map (PNG) and
    the grid (netCDF, h5netcdf engine) where asked. ``battery_site`` is a site or a battery
    slug; ``runner`` (the command line's runner options) evaluates the grid in chunks."""
    from thaadsim.outputs import replacing
    from thaadsim.studies.footprint import battery_radar, defended_footprint, resolve_battery
    from thaadsim.systems import geography
    from thaadsim.systems.catalog import get_radar, site_catalog

    get_radar(radar_mode)  # an unknown radar mode is an error before any work
    bat = resolve_battery(battery_site)
    check("lat_deg", launch_lat_deg, "launch latitude")
    check("lon_deg", launch_lon_deg, "launch longitude")
    own = battery_radar(bat, launch_lat_deg, launch_lon_deg, radar_mode)  # --mode, at the edge
    fp = defended_footprint(bat, missile, launch_lat_deg, launch_lon_deg, shape=shape,
                            apogee_km=apogee_km, grid_km=grid_km, extent_km=extent_km,
                            min_shots=min_shots, sensors=(own,), runner=runner,
                            progress=progress)
    if netcdf_path is not None:
        try:
            with replacing(netcdf_path, ".nc") as tmp:
                fp.to_xarray().to_netcdf(tmp, engine="h5netcdf")
        except ImportError as exc:  # h5netcdf writes through h5py
            raise InputError(f"--netcdf {netcdf_path}: cannot write netCDF here ({exc})"
                             ) from exc
    if map_path is not None:
        from thaadsim.report.maps import plot_footprint_map

        plot_footprint_map(map_path, fp)
    reach = fp.shots[fp.reachable]
    sites = site_catalog()
    bat = fp.battery
    polygon = fp.polygon
    territory = [] if polygon.is_empty else geography.territory_under(polygon)
    return {
        "battery": bat.slug,
        "battery_name": bat.name,
        "battery_site": bat.site.slug,
        "battery_lat_deg": bat.site.lat_deg,
        "battery_lon_deg": bat.site.lon_deg,
        "interceptor": bat.interceptor.slug,
        "radar_mode": fp.radar_mode,
        "missile": fp.missile,
        "launch_lat_deg": fp.launch_lat_deg,
        "launch_lon_deg": fp.launch_lon_deg,
        "shape": fp.shape,
        "apogee_km": fp.apogee_km,
        "min_shots": fp.min_shots,
        "grid_km": fp.grid_km,
        "grid_cells": [int(fp.lat_deg.size), int(fp.lon_deg.size)],
        "extent_lat_deg": [float(fp.lat_deg[0]), float(fp.lat_deg[-1])],
        "extent_lon_deg": [float(fp.lon_deg[0]), float(fp.lon_deg[-1])],
        "area_km2": fp.area_km2,
        "defended_cells": int(fp.defended.sum()),
        "reachable_cells": int(fp.reachable.sum()),
        "max_shots": int(reach.max(initial=0)),
        "cells_by_shots": {str(k): int((reach == k).sum()) for k in range(int(reach.max(
            initial=0)) + 1)},
        "territory": [{"country": c.name, "covered_km2": c.covered_km2, "share": c.share}
                      for c in territory],
        "territory_summary": "; ".join(f"{c.name} {c.covered_km2:,.0f} km2 "
                                       f"({100 * c.share:.0f}%)" for c in territory) or "none",
        "defended_sites": fp.defended_sites,
        "defended_site_names": [sites[s].name for s in fp.defended_sites],
        "site_shots": {slug: fp.shots_at(s.lat_deg, s.lon_deg) for slug, s in sites.items()
                       if fp.shots_at(s.lat_deg, s.lon_deg) != -1
                       or fp.grid_holds(s.lat_deg, s.lon_deg)},
        "firm_track_s_median": (float(np.nanmedian(fp.firm_track_s))
                                if np.isfinite(fp.firm_track_s).any() else None),
        "map": map_path,
        "netcdf": netcdf_path,
        **({"runner": runner.describe()} if runner is not None and runner.chosen else {}),
        "model": ("aim points on a grid; each threat aimed and flown (rotating WGS84, drag); "
                  "firm track estimated from the radar's looks (median acquisition + "
                  "calibrated convergence delay); shoot-look-shoot opportunities from the "
                  "interceptor's reach table in the altitude band"),
    }


def raid_curve_command_data(
    missile: str = "scud-c",
    from_: str = "pyongyang",
    to: str = "seongju",
    max_count: int = 48,
    *,
    battery_site: str = "seongju",
    inventory: int | None = None,
    fire_channels: int | None = None,
    doctrine: str = "shoot-look-shoot",
    sspk: float | None = None,
    shape: str = "min-energy",
    apogee_km: float | None = None,
    rcs_m2: float = 0.1,
    interval_s: float = 0.0,
    layered: bool = False,
    perfect_tracking: bool = False,
    trials: int = 100,
    seed: int = 0,
    counts: Sequence[int] | None = None,
    refine: bool = False,
    csv_path: str | Path | None = None,
    plot_path: str | Path | None = None,
    pool: int | None = 200,
    runner: RunnerOptions | None = None,
    progress: bool = False,
) -> dict[str, Any]:
    """``thaadsim raid-curve``: build the defense, run
    :func:`thaadsim.studies.raid.raid_curve`, write the CSV and the PNG if asked; returns
    :meth:`~thaadsim.studies.raid.RaidCurve.to_dict` plus the inputs, the sampling
    (``pool``, ``sampling``), the runner's options (``runner``, None without) and the files
    written."""
    from thaadsim.engagement import RaidThreat
    from thaadsim.studies.montecarlo import (
        DEFAULT_CHUNK_TRIALS,
        RunnerOptions,
        sampling,
        tracking_pool,
    )
    from thaadsim.studies.raid import raid_curve
    from thaadsim.systems.catalog import get_missile

    missile_obj = get_missile(missile)
    check_shape(shape)
    check("rcs_m2", rcs_m2, "--rcs-m2")
    check("trials", trials, "--trials")
    check("max_count", max_count, "--max-count")
    check("interval_s", interval_s, "--interval-s")
    check("seed", seed, "--seed")
    if apogee_km is not None:
        check("apogee_km", apogee_km, "--apogee-km")
    launch, aim = place(from_, "--from"), place(to, "--to")
    defense = _defense(battery_site, doctrine, aim, launch, layered=layered,
                       inventory=inventory, fire_channels=fire_channels, sspk=sspk,
                       perfect_tracking=perfect_tracking)
    threat = RaidThreat(missile=missile_obj, launch_lat_deg=launch[0], launch_lon_deg=launch[1],
                        aim_lat_deg=aim[0], aim_lon_deg=aim[1], shape=shape,
                        apogee_km=apogee_km, rcs_m2=rcs_m2)
    if pool is not None:
        check("pool", pool, "--pool")
    runner = runner or RunnerOptions()
    pool = tracking_pool(pool, runner)
    curve = raid_curve(threat, defense, max_count, trials=trials, seed=seed, counts=counts,
                       interval_s=interval_s, refine=refine, pool=pool, runner=runner,
                       progress=progress)
    data = curve.to_dict()
    data["pool"] = pool
    data["sampling"] = sampling(pool, runner.chunk_trials(DEFAULT_CHUNK_TRIALS)
                                if pool is not None else None)
    data["runner"] = runner.describe() if runner.chosen else None
    icpt = defense.batteries[0].interceptor
    data.update({"from": from_, "to": to, "battery_site": battery_site, "shape": shape,
                 "rcs_m2": rcs_m2, "interval_s": interval_s,
                 "sspk": sspk if sspk is not None else icpt.sspk,
                 "sspk_source": "--sspk" if sspk is not None else "catalog"})
    if csv_path is not None:
        data["csv"] = str(curve.to_csv(csv_path))
    if plot_path is not None:
        from thaadsim.report.plots import plot_raid_curve

        data["plot"] = str(plot_raid_curve(curve, plot_path))
    return data


def sensitivity_command_data(
    scenario: str,
    output: str = "p_no_leak",
    *,
    samples: int = 16,
    seed: int = 0,
    params: Sequence[str] | None = None,
    trials: int = 50,
    pool: int = 4,
    grid_km: float | None = None,
    min_shots: int = 1,
    plot_path: str | Path | None = None,
    runner: RunnerOptions | None = None,
    progress: bool = True,
) -> dict[str, Any]:
    """``thaadsim sensitivity SCENARIO``: :func:`thaadsim.studies.sensitivity.sobol_indices`
    (on the runner with ``runner``'s options; ``grid_km`` None: the study's footprint grid),
    the bar chart written if asked; returns
    :meth:`~thaadsim.studies.sensitivity.SensitivityResult.to_dict` (plus ``plot``, the
    PNG's path, and ``runner``, the runner's options, when chosen)."""
    from thaadsim.studies.sensitivity import FOOTPRINT_GRID_KM, sobol_indices

    res = sobol_indices(output, scenario, samples=samples, seed=seed, params=params,
                        trials=trials, pool=pool,
                        grid_km=FOOTPRINT_GRID_KM if grid_km is None else grid_km,
                        min_shots=min_shots, runner=runner, progress=progress)
    data = res.to_dict()
    if plot_path is not None:
        from thaadsim.report.plots import plot_sobol_indices

        data["plot"] = str(plot_sobol_indices(res, plot_path))
    if runner is not None and runner.chosen:
        data["runner"] = runner.describe()
    return data


# --------------------------------------------------------------------------------------------
# validate
# --------------------------------------------------------------------------------------------


def validate_command_data(*, report_path: str | Path | None = None,
                          cases_path: str | Path | None = None) -> dict[str, Any]:
    """``thaadsim validate``: every validation case run
    (:func:`thaadsim.studies.validation.validate`) and, with ``report_path``, a standalone
    HTML page with the table: ``{cases: [...], passed, failed, expected_failures,
    unexpected_passes, seconds}``."""
    import time

    from thaadsim.report.validation import write_validation_page
    from thaadsim.studies.validation import summary_counts, validate

    t0 = time.perf_counter()
    results = validate(cases_path)
    data: dict[str, Any] = {
        "cases": [json_safe(asdict(r)) for r in results],
        **summary_counts(results),
        "seconds": round(time.perf_counter() - t0, 2),
    }
    if report_path is not None:
        write_validation_page(report_path, results)
        data["report"] = str(report_path)
    return data


# --------------------------------------------------------------------------------------------
# run
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class RunCommandResult:
    """What ``thaadsim run`` did: the payload (the run's summary, the folder and the files
    written) and the run itself, whose tables the command line shows."""

    data: dict[str, Any]
    out: RunOutput
    folder: str
    """The report folder as given (or the default, relative to the working directory)."""


STEP_RUN = "flying, tracking and engaging (the first run compiles: about a minute)"
"""The ``stage`` description of a run's engagement (:func:`run_and_claims`)."""
STEP_CLAIMS = "checking the claims"
"""The ``stage`` description of a run's claims check (:func:`run_and_claims`)."""


def run_and_claims(
    kwargs: dict[str, Any],
    *,
    pool_size: int | None = None,
    runner: RunnerOptions | None = None,
    progress: bool = False,
    stage: Callable[[str], AbstractContextManager[Any]] | None = None,
) -> tuple[RunOutput, Any]:
    """The two steps of ``thaadsim run`` before its report folder, for the command line and
    ``thaadsim serve`` alike: the scenario's run (``kwargs``:
    :meth:`thaadsim.scenario.Scenario.to_run_kwargs`; on the chunked runner when
    ``pool_size`` is given, else the radar and tracker in every trial) and its claims check.
    ``stage(description)`` wraps each step (:data:`STEP_RUN`, :data:`STEP_CLAIMS`)."""
    from thaadsim.run import run_engagement, run_on_runner
    from thaadsim.studies.claims import check_claims
    from thaadsim.timing import stage as timed_stage

    step = stage or (lambda _description: nullcontext())
    if pool_size is not None:
        # the runner shows its own progress (trials, time left); nothing else may be live
        out = run_on_runner(**kwargs, pool=pool_size, runner=runner, progress=progress)
    else:
        with step(STEP_RUN):
            out = run_engagement(**kwargs)
    with step(STEP_CLAIMS), timed_stage("claims"):
        claims = check_claims(out, quick=False)
    return out, claims


def run_command_data(
    scenario: str = "korea-2017",
    *,
    output: str | None = None,
    trials: int | None = None,
    seed: int | None = None,
    force: bool = False,
    pool: int | None = None,
    runner: RunnerOptions | None = None,
    progress: bool = False,
    stage: Callable[[str], AbstractContextManager[Any]] | None = None,
    sensors: Sequence[str] | None = None,
) -> RunCommandResult:
    """``thaadsim run``: run a scenario and write its report folder
    (:func:`thaadsim.report.bundle.write_outputs`). On the chunked runner when ``pool`` or a
    runner option is given (``progress``: its bar on standard error), else the radar and
    tracker in every trial. ``stage(description)`` wraps each step outside the runner's
    own progress (a spinner on the command line)."""
    from thaadsim.outputs import check_apart, safe_slug
    from thaadsim.report.bundle import check_target, write_outputs
    from thaadsim.scenario import load_scenario
    from thaadsim.studies.montecarlo import RunnerOptions, tracking_pool

    step = stage or (lambda _description: nullcontext())
    runner = runner or RunnerOptions()
    scn = load_scenario(scenario)
    if sensors:  # --sensor: added to the scenario's defense, facing its mean launch point
        scn = scn.with_sensors(extra_sensors(sensors, scn.mean_launch_point(),
                                             [s.name for s in scn.defense.sensors]))
    # the default folder is in the working directory, whatever the scenario's name holds
    folder = output if output is not None else f"{safe_slug(scn.name)}-report"
    check_target(folder, force, "-o" if output is not None else "the default output folder")
    if runner.folder is not None:
        check_apart(runner.folder, "--resume" if runner.resume is not None else "--chunks-dir",
                    folder, "the output folder")
    out, claims = run_and_claims(scn.to_run_kwargs(trials=trials, seed=seed),
                                 pool_size=tracking_pool(pool, runner), runner=runner,
                                 progress=progress, stage=step)
    from thaadsim.studies.claims import claims_records

    with step("writing the report, tables and exports"):
        written = write_outputs(out, folder, force=force, claims=claims)
    data = out.summary()
    data["claims"] = claims_records(claims)  # as results/claims.json
    data["output"] = str(Path(folder).resolve())
    data["files"] = [str(p) for p in written]
    return RunCommandResult(data=data, out=out, folder=folder)


def outcomes_by_group(out: RunOutput) -> list[dict[str, Any]]:
    """Per threat group and missile of a run, over the trials: the threats, the shares of
    threat-trials intercepted, leaked and not engaged, and the most common reason (what
    ``thaadsim run`` prints)."""
    frame = out.threats_frame()
    rows = []
    for (group, missile), part in frame.groupby(["group", "missile"], sort=False):
        share = part["outcome"].value_counts(normalize=True)
        rows.append({"group": str(group), "missile": str(missile),
                     "threats": int(part["threat"].nunique()),
                     "intercepted": float(share.get("intercepted", 0.0)),
                     "leaked": float(share.get("leaked", 0.0)),
                     "not_engaged": float(share.get("not engaged", 0.0)),
                     "reason": str(part["reason"].mode().iloc[0])})
    return rows


# --------------------------------------------------------------------------------------------
# surveil (issue 15 part 4)
# --------------------------------------------------------------------------------------------

SURVEIL_SENSORS = ("shariki:forward-based", "kyogamisaki:forward-based", "seongju:terminal",
                   "seongju:forward-based")
"""``thaadsim surveil``'s sensors when no ``--sensor`` is given: the fence (the two
forward-based TPY-2s in Japan, Seongju in both modes), each facing its catalog sensor's
boresight (an assumption, sensors.yaml)."""


def surveil_sensors(specs: Sequence[str] | None, toward: tuple[float, float]
                    ) -> tuple[Any, ...]:
    """The sensors of ``--sensor SITE:MODE[:BORESIGHT_DEG]`` options (:data:`SURVEIL_SENSORS`
    if none): each facing its boresight, else its catalog sensor's boresight
    (:func:`~thaadsim.systems.sensors.sensor_at`), else its site's, else the point
    ``toward`` (the first launch point); named after the site, or ``SITE-MODE`` where a site
    appears twice (``-2``, ``-3``... after that)."""
    from thaadsim.physics.geodesy import geodesic_inverse
    from thaadsim.systems.catalog import get_site
    from thaadsim.systems.sensors import parse_sensor_spec, sensor_at

    texts = list(specs) if specs else list(SURVEIL_SENSORS)
    check("sensors", len(texts), "--sensor (how many)")
    parsed = [parse_sensor_spec(t) for t in texts]
    sites = [p[0] for p in parsed]
    names: list[str] = []
    out = []
    for site, mode, bore in parsed:
        where = get_site(site)
        if bore is None and where.boresight_deg is None:
            bore = float(geodesic_inverse(where.lat_deg, where.lon_deg, *toward)[1]) % 360.0
        name = site if sites.count(site) == 1 else f"{site}-{mode}"
        base, k = name, 1
        while name in names:
            k += 1
            name = f"{base}-{k}"
        names.append(name)
        out.append(sensor_at(site, mode, bore, name=name))
    return tuple(out)


def _places(texts: Sequence[str] | None, every: bool, every_slugs: Sequence[str],
            option: str) -> list[tuple[str, float, float]]:
    """(label, lat, lon) of ``--from``/``--to`` values (a site slug or LAT,LON each), or of
    every slug of ``every_slugs`` with ``--from-all``/``--to-all``."""
    if every and texts:
        raise InputError(f"{option}: give either {option} or {option}-all, not both")
    chosen = list(every_slugs) if every else list(texts or ())
    if not chosen:
        raise InputError(f"{option}: missing; give a site slug or LAT,LON (repeatable), or "
                         f"{option}-all")
    return [(t, *place(t, option)) for t in chosen]


def _sensor_fans(sensors: Sequence[Any]) -> list[Any]:
    from thaadsim.report.surveil import MapFan
    from thaadsim.studies.surveillance import fan_outline

    fans = []
    for s in sensors:
        lon, lat = fan_outline(s)
        fans.append(MapFan(sensor=s.name, lon_deg=lon, lat_deg=lat,
                           site_lonlat=(s.emplacement.lon_deg, s.emplacement.lat_deg)))
    return fans


def _map_track(label: str, res: Any) -> Any:
    """A :class:`~thaadsim.report.surveil.MapTrack` of one surveillance: the ground track
    and, per sensor, the part inside its body's track window."""
    from thaadsim.report.surveil import MapTrack

    tracked = {}
    for p in res.passes:
        if np.isfinite(p.body.track_start_s):
            on = (res.t_s >= p.body.track_start_s) & (res.t_s <= p.body.track_end_s)
            tracked[p.sensor] = (res.lon_deg[on], res.lat_deg[on])
    return MapTrack(label=label, lon_deg=res.lon_deg, lat_deg=res.lat_deg, tracked=tracked)


def surveil_title(missile: str, launches: Sequence[str], targets: Sequence[str]) -> str:
    """The title of ``thaadsim surveil``'s table and map."""
    def names(xs: Sequence[str]) -> str:
        return xs[0] if len(xs) == 1 else f"{len(xs)} places"
    return f"Surveillance of the {missile}: {names(launches)} to {names(targets)}"


def surveil_command_data(missile: str = "df-41", from_: Sequence[str] | None = None,
                         to: Sequence[str] | None = None, *,
                         sensors: Sequence[str] | None = None, rcs_m2: float | None = None,
                         body_rcs_m2: float | None = None, seed: int = 0,
                         from_all: bool = False, to_all: bool = False,
                         shape: str = "min-energy", apogee_km: float | None = None,
                         post_boost_s: float | None = None, sweep: bool = False,
                         plot_path: str | None = None,
                         on_corridor: Callable[[int], None] | None = None,
                         start: Callable[[int], AbstractContextManager[Any]] | None = None,
                         ) -> dict[str, Any]:
    """``thaadsim surveil``: fly ``missile`` from each launch to each target and report, per
    sensor, what it saw of the body and of the warhead
    (:func:`thaadsim.studies.surveillance.surveil`). One corridor: the flight's figures
    and a ``sensors`` list; several (``--from``/``--to`` repeated, ``--from-all``,
    ``--to-all``): a ``corridors`` list (each with its ``sensors``) and, per sensor, the
    shares of the reachable corridors it tracked (``only_this_site_fraction``: it and no
    sensor at another site). ``rcs_m2`` is the warhead's; ``post_boost_s`` the post-boost
    window (default: the missile's catalog assumption). ``sweep`` (one corridor only) adds
    ``sweep``: each assumption at each end of its stated range, one at a time, per sensor
    (:func:`thaadsim.studies.surveil_sweep.surveillance_sweep`), and
    ``sweep_assumptions`` (each figure with its range and provenance). ``start(n)``
    is entered around a batch of ``n`` corridors (a progress bar) and ``on_corridor(1)``
    called after each. Every value is checked before any flight."""
    from thaadsim.report.surveil import plot_surveillance_map
    from thaadsim.studies.surveillance import (
        china_launch_areas,
        rcs_figure,
        surveil_corridors,
        us_targets,
    )
    from thaadsim.systems.catalog import get_missile

    m = get_missile(missile)
    check_shape(shape)
    check_apogee(shape, apogee_km)
    check("seed", seed, "--seed")
    for value, option in ((rcs_m2, "--rcs-m2"), (body_rcs_m2, "--body-rcs-m2")):
        if value is not None:
            check("rcs_m2", value, option)
    if post_boost_s is not None:
        check("post_boost_s", post_boost_s, "--post-boost-s")
    launches = _places(from_, from_all, china_launch_areas(), "--from")
    targets = _places(to, to_all, us_targets(), "--to")
    check("corridors", len(launches) * len(targets), "--from x --to (corridors)")
    if sweep and len(launches) * len(targets) != 1:
        raise InputError(f"--sweep: one corridor only (one --from, one --to); got "
                         f"{len(launches) * len(targets)}")
    chosen = surveil_sensors(sensors, (launches[0][1], launches[0][2]))
    body = rcs_figure("body").value if body_rcs_m2 is None else body_rcs_m2
    warhead = rcs_figure("warhead").value if rcs_m2 is None else rcs_m2
    kw: dict[str, Any] = {"body_rcs_m2": body, "warhead_rcs_m2": warhead, "shape": shape,
                          "apogee_km": apogee_km, "post_boost_s": post_boost_s}
    n = len(launches) * len(targets)
    with (start(n) if start is not None and n > 1 else nullcontext()):
        batch = surveil_corridors(m, launches, targets, chosen, seed=seed,
                                  on_corridor=on_corridor, **kw)
    head: dict[str, Any] = {"missile": m.slug, "shape": shape, "seed": seed,
                            "body_rcs_m2": body, "warhead_rcs_m2": warhead,
                            "rcs_provenance": {"body": rcs_figure("body").provenance,
                                               "warhead": rcs_figure("warhead").provenance}}
    if n == 1:
        c = batch.corridors[0]
        if c.result is None:
            raise InputError(f"--to: the {m.slug} cannot reach {c.target} from {c.launch}: "
                             f"{c.unreachable}")
        res = c.result
        data = head | {"launch": c.launch, "target": c.target} | res.summary() | {
            "sensors": [p.row() for p in res.passes]}
        tracks = [_map_track(f"{c.launch} to {c.target}", res)]
        if sweep:
            from thaadsim.studies.surveil_sweep import surveillance_sweep

            sw = surveillance_sweep(m, (launches[0][1], launches[0][2]),
                                    (targets[0][1], targets[0][2]), chosen, seed=seed, **kw)
            data["sweep"] = sw.table()
            data["sweep_assumptions"] = [
                {"assumption": n, "value": f.value, "low": f.low, "high": f.high,
                 "provenance": f.provenance} for n, f in sw.assumptions]
    else:
        corridors = []
        for c in batch.corridors:
            row: dict[str, Any] = {"launch": c.launch, "target": c.target,
                                   "reachable": c.result is not None, "reason": c.unreachable}
            if c.result is not None:
                row |= {"range_km": c.result.range_km,
                        "flight_time_s": c.result.flight_time_s,
                        "sensors": [p.row() for p in c.result.passes]}
            corridors.append(row)
        data = head | {
            "launches": [p[0] for p in launches], "targets": [p[0] for p in targets],
            "reachable": sum(c.result is not None for c in batch.corridors),
            "corridors": corridors,
            "by_sensor": [{"sensor": s.name, "site": s.site, "mode": s.mode,
                           "tracked_fraction": batch.seen_fraction(s.name, "track"),
                           "warhead_tracked_fraction": batch.seen_fraction(s.name, "warhead"),
                           "deployment_seen_fraction": batch.seen_fraction(s.name,
                                                                           "deployment"),
                           "only_this_site_fraction": batch.tracked_only_by(
                               s.name, [o.name for o in chosen if o.site != s.site])}
                          for s in chosen]}
        tracks = [_map_track(f"{c.launch} to {c.target}", c.result) for c in batch.corridors
                  if c.result is not None]
    if plot_path is not None and tracks:
        from thaadsim.systems import geography
        from thaadsim.systems.catalog import site_catalog

        names = {p[0] for p in launches} | {p[0] for p in targets}
        places = [(s.name.split(" (")[0].split(":")[0], s.lon_deg, s.lat_deg)
                  for slug, s in site_catalog().items() if slug in names]
        plot_surveillance_map(
            plot_path, tracks=tracks, fans=_sensor_fans(chosen),
            title=surveil_title(m.slug, [p[0] for p in launches], [p[0] for p in targets]),
            notes=(f"fans: face +-scan half-width to the instrumented range; thick: the body "
                   f"({body:g} m2) held in track; {geography.MAP_DATA_NOTE}"),
            places=places)
        data["plot"] = plot_path
    return data


__all__ = ["DEFAULT_AZIMUTH_DEG", "DEFAULT_LAUNCH", "DEFAULT_THREAT", "FlightTrack",
           "RunCommandResult", "catalog_command_data", "check_apogee", "check_shape",
           "coverage_command_data", "coverage_title", "detect_command_data", "detect_title",
           "engage_command_data", "fly_command_data", "fly_title", "footprint_command_data",
           "latlon", "loft_command_data", "outcomes_by_group", "place", "raid_command_data",
           "raid_curve_command_data", "run_command_data", "sensitivity_command_data",
           "shown", "site_label", "surveil_command_data", "surveil_sensors",
           "surveil_title", "validate_command_data"]
