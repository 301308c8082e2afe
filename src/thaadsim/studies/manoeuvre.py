r"""What a glide vehicle or a manoeuvring re-entry vehicle does to the defense (issue 16).

For one catalog threat aimed from Pyongyang at a point ``range_km`` due south (its flight
integrated by the propagator with its lift law, :mod:`thaadsim.physics.glide`):

* **the band**: how long it flies inside an interceptor's altitude band, and how low it
  glides;
* **the impact prediction**: a radar near the aim point tracks the true flight with the
  ballistic extended Kalman filter (:mod:`thaadsim.systems.tracking`, drag with the
  vehicle's zero-lift ballistic coefficient, which is generous to the filter); every
  ``check_every_s`` the track's predicted impact (:func:`~thaadsim.systems.tracking.
  predict_impact`) is compared with the true impact;
* **the kill probability**: an intercept at the last instant the threat is inside the
  interceptor's band; at handover (``homing_time_s`` earlier) the track is predicted to
  the intercept time, and the shot kills (with the SSPK) when the error of that prediction
  across the threat's velocity lies within the kill vehicle's divert reach
  :math:`D = \tfrac12\Delta v\,t_{go}` (the kill model of
  :func:`thaadsim.systems.interceptor.kill_probability`, here with the achieved error of
  each noisy trial instead of an assumed Gaussian one); beside it, the kill probability
  the filter itself believes from its covariance.

Both are computed with the ballistic filter's process noise (``q`` = 1 m2/s3, the
tracker's default) and with a manoeuvre process noise, :math:`q = a^2\tau` for a target
acceleration :math:`a` of unknown sign held for :math:`\tau` seconds (the white-noise
equivalent of Singer's manoeuvre model: Singer, *IEEE Trans. AES* 6 (1970) 473; Bar-Shalom,
Li & Kirubarajan 2001, sec. 8.2). Studies return data; :mod:`thaadsim.report` draws.

Assumptions, each stated where it is used: the radar's measurement noise
(:data:`RADAR_SIGMAS`), its look interval, elevation floor and track range, and the site
(``radar_offset_km`` short of the aim point along the track).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from thaadsim.physics.geodesy import ecef_to_geodetic, geodesic_direct, geodesic_inverse
from thaadsim.systems.catalog import get_missile
from thaadsim.systems.interceptor import divert_reach_m, get_interceptor, kill_probability
from thaadsim.systems.threat import aim_point_at_range, fly_threat
from thaadsim.systems.tracking import (
    TrackerParams,
    Tracks,
    initiate,
    measurement,
    predict,
    predict_impact,
    update,
)

LAUNCH_LAT_LON_DEG = (39.039, 125.763)
"""Pyongyang (Sunan), the launch point of the study's flights."""

RADAR_SIGMAS = np.array([15.0, 0.5e-3, 0.5e-3, 2.0])
"""Measurement noise of the tracking radar (range m, azimuth rad, elevation rad, range
rate m/s): an assumption for an X-band track (TPY-2 class) at a few hundred km, range
5-30 m and angles 0.2-1 mrad; not public."""

LOOK_INTERVAL_S = 1.0
"""Track revisit interval, s (assumption: 0.5-2 s for a firm track)."""

MIN_ELEVATION_DEG = 1.0
"""Looks only above this elevation (assumption: terrain and the radar's lower limit)."""

MAX_TRACK_RANGE_M = 1_000_000.0
"""Looks only within this slant range (assumption: track range of a 0.01-0.1 m2 target)."""

BALLISTIC_Q_M2PS3 = TrackerParams().q_m2ps3


def manoeuvre_q_m2ps3(accel_g: float, hold_s: float) -> float:
    """White-noise power that covers a manoeuvre of ``accel_g`` (g) held ``hold_s`` s:
    q = a^2 tau (module docstring)."""
    a = accel_g * 9.80665
    return float(a * a * hold_s)


@dataclass(frozen=True, kw_only=True)
class _Site:
    lat_deg: float
    lon_deg: float
    alt_m: float = 0.0


@dataclass(frozen=True, kw_only=True)
class FilterOutcome:
    """One process noise's results, over the noisy trials."""

    q_m2ps3: float
    impact_error_km: NDArray[np.float64]
    """Median over trials of the predicted impact's distance from the true impact, at each
    check time (NaN where no prediction)."""
    handover_error_m: float
    """Median over trials of the handover prediction's error across the threat's velocity."""
    pk_achieved: float
    """SSPK times the fraction of trials whose handover error lies within the divert reach."""
    pk_believed: float
    """Kill probability the filter believes from its own covariance (median over trials)."""


@dataclass(frozen=True, kw_only=True)
class ManoeuvreStudy:
    """What one threat does to the tracker and the kill probability."""

    missile: str
    range_km: float
    shape: str
    apogee_km: float
    flight_time_s: float
    band_km: tuple[float, float]
    time_in_band_s: float
    min_alt_after_apogee_km: float
    """Lowest altitude before the final descent: how low the glide or pull-up runs."""
    intercept_t_s: float
    """Last instant inside the band (NaN: never inside it, no intercept)."""
    check_t_s: NDArray[np.float64]
    filters: tuple[FilterOutcome, ...]


def _hermite(t_rec: NDArray[np.float64], y_rec: NDArray[np.float64],
             t: NDArray[np.float64]) -> NDArray[np.float64]:
    """States at ``t`` by cubic Hermite interpolation of recorded positions and velocities
    (velocity linearly; both well within the radar's noise at 2 s record steps)."""
    i = np.clip(np.searchsorted(t_rec, t) - 1, 0, len(t_rec) - 2)
    h = t_rec[i + 1] - t_rec[i]
    s = ((t - t_rec[i]) / h)[:, None]
    p0, p1, v0, v1 = y_rec[i, :3], y_rec[i + 1, :3], y_rec[i, 3:], y_rec[i + 1, 3:]
    hh = h[:, None]
    pos = ((2 * s**3 - 3 * s**2 + 1) * p0 + (s**3 - 2 * s**2 + s) * hh * v0
           + (-2 * s**3 + 3 * s**2) * p1 + (s**3 - s**2) * hh * v1)
    vel = (1 - s) * v0 + s * v1
    return np.concatenate([pos, vel], axis=1)


def manoeuvre_study(
    slug: str,
    range_km: float,
    shape: str = "min-energy",
    apogee_km: float | None = None,
    *,
    interceptor: str = "thaad",
    manoeuvre_g: float = 5.0,
    manoeuvre_hold_s: float = 4.0,
    radar_offset_km: float = 100.0,
    trials: int = 16,
    check_every_s: float = 20.0,
    seed: int = 1,
) -> ManoeuvreStudy:
    """Fly ``slug`` ``range_km`` due south of Pyongyang and track it (module docstring).

    ``manoeuvre_g`` and ``manoeuvre_hold_s`` set the manoeuvre process noise
    (:func:`manoeuvre_q_m2ps3`); ``radar_offset_km`` places the radar that far short of the
    aim point, on the track.
    """
    lat0, lon0 = LAUNCH_LAT_LON_DEG
    aim = aim_point_at_range(lat0, lon0, 180.0, range_km * 1e3)
    icpt = get_interceptor(interceptor)
    band = (icpt.min_alt_m, icpt.max_alt_m)
    flown = fly_threat(slug, lat0, lon0, *aim, shape, apogee_km, band_alt_m=band, record=True)
    beta = get_missile(slug).rocket.reentry_beta_kgm2
    t_all = flown.flight.track_t_s[0]
    y_all = flown.flight.track_state[0]
    keep = np.isfinite(t_all) & (t_all >= flown.burnout_t_s)
    t_rec, idx = np.unique(t_all[keep], return_index=True)
    y_rec = y_all[keep][idx]
    t_end = flown.flight_time_s
    looks = np.arange(np.ceil(flown.burnout_t_s) + 1.0, t_end - 0.5, LOOK_INTERVAL_S)
    truth = _hermite(t_rec, y_rec, looks)
    alt = ecef_to_geodetic(truth[:, :3])[2]
    lat_s, lon_s, _ = geodesic_direct(*aim, 0.0, radar_offset_km * 1e3)
    site = _Site(lat_deg=float(lat_s), lon_deg=float(lon_s))
    z_true = measurement(truth, site)
    visible = (np.degrees(z_true[:, 2]) >= MIN_ELEVATION_DEG) & (z_true[:, 0] <= MAX_TRACK_RANGE_M)
    seen = np.flatnonzero(visible)
    i_apo = int(np.argmax(alt))
    final = int(np.flatnonzero(alt > 1e3)[-1]) if (alt > 1e3).any() else len(alt) - 1
    dips = alt[i_apo:final]
    climbs = np.flatnonzero(np.diff(dips) > 0)
    min_alt = float(dips[: climbs[-1] + 1].min()) if climbs.size else float("nan")
    in_band = np.flatnonzero((alt >= band[0]) & (alt <= band[1]) & visible)
    t_icpt = float(looks[in_band[-1]]) if in_band.size else float("nan")
    lat_i, lon_i = flown.impact_lat_deg, flown.impact_lon_deg
    check_t = looks[seen[0] + 5::int(round(check_every_s / LOOK_INTERVAL_S))] if seen.size > 6 \
        else np.empty(0)
    rng = np.random.default_rng(seed)
    outcomes = []
    for q in (BALLISTIC_Q_M2PS3, manoeuvre_q_m2ps3(manoeuvre_g, manoeuvre_hold_s)):
        params = TrackerParams(q_m2ps3=q)
        noise = rng.standard_normal((trials, len(looks), 4)) * RADAR_SIGMAS
        z = z_true[None] + noise
        n = trials
        sig = np.broadcast_to(RADAR_SIGMAS, (n, 4))
        first, second = seen[0], seen[1]
        tracks = initiate(np.stack([z[:, first], z[:, second]], axis=1),
                          np.broadcast_to(RADAR_SIGMAS, (n, 2, 4)), site,
                          np.broadcast_to(looks[[first, second]], (n, 2)), beta, params)
        errors = np.full((len(check_t), n), np.nan)
        handover: Tracks | None = None
        t_hand = t_icpt - icpt.homing_time_s
        for k in seen[2:]:
            tracks = update(predict(tracks, looks[k], params), z[:, k], sig, site, params)
            if np.isfinite(t_hand) and handover is None and looks[k] >= t_hand:
                handover = tracks
            j = np.flatnonzero(check_t == looks[k])
            if j.size:
                pred = predict_impact(tracks.state, tracks.cov, tracks.t_s, beta, params)
                errors[j[0]] = geodesic_inverse(pred.lat_deg, pred.lon_deg, lat_i, lon_i)[0]
        if handover is not None:
            at_icpt = predict(handover, t_icpt, params)
            true_i = truth[int(np.flatnonzero(looks == t_icpt)[0])]
            err = at_icpt.state[:, :3] - true_i[:3]
            v_hat = true_i[3:] / np.linalg.norm(true_i[3:])
            across = np.linalg.norm(err - np.outer(err @ v_hat, v_hat), axis=1)
            reach = float(divert_reach_m(icpt))
            pk = icpt.sspk * float(np.mean(across <= reach))
            sigma_pos = np.sqrt(np.trace(at_icpt.cov[:, :3, :3], axis1=1, axis2=2) / 3.0)
            believed = float(np.median(kill_probability(icpt, sigma_pos)))
            hand_err = float(np.median(across))
        else:
            pk, believed, hand_err = 0.0, 0.0, float("nan")
        outcomes.append(FilterOutcome(
            q_m2ps3=q, impact_error_km=np.median(errors, axis=1) / 1e3 if n else errors[:, 0],
            handover_error_m=hand_err, pk_achieved=pk, pk_believed=believed))
    return ManoeuvreStudy(
        missile=slug, range_km=range_km, shape=shape, apogee_km=flown.apogee_alt_m / 1e3,
        flight_time_s=t_end, band_km=(band[0] / 1e3, band[1] / 1e3),
        time_in_band_s=flown.time_in_band_s, min_alt_after_apogee_km=min_alt / 1e3,
        intercept_t_s=t_icpt, check_t_s=check_t, filters=tuple(outcomes))
