r"""The compiled look of a radar: :func:`thaadsim.systems.radar.look` for many targets in one
Numba call (``backend="compiled"``), the site's view of each target
(:func:`thaadsim.physics._geodesy_kernel.view_one`) and then, target by target, the same
expressions as the NumPy functions of :mod:`thaadsim.systems.radar`: Euler's radius along
the ground azimuth, the refracted elevation and the line-of-sight test over the effective
Earth, the face's status, the scan cosine, the SNR of the range equation and the Swerling 1
detection probability. They agree with the NumPy path to rounding (tests/test_radar.py).

``prm`` packs the radar and its emplacement (:func:`thaadsim.systems.radar._look_pack`):
``(k, m_m, n_m, site_alt_m, boresight_deg, instrumented_range_m, max_el_deg,
scan_half_width_deg, min_el_deg, cos_tilt, sin_tilt, scan_loss_exponent, snr_per_rcs,
pfa, zero_nan)`` with ``m_m``, ``n_m`` the meridian and prime-vertical radii of curvature at the
site and ``snr_per_rcs`` :math:`E A_e^2 / (4\pi\lambda^2 k_B T_s L)`, the SNR of 1 m^2 at
1 m on the face normal.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from thaadsim.physics._geodesy_kernel import (
    aer_rate_one,
    reduced_latitude,
    sub_point_one,
    view_one,
    vincenty_inverse,
)
from thaadsim.physics._jit import FASTMATH

VISIBLE = 0
BELOW_HORIZON = 1
OUTSIDE_SECTOR = 2
ABOVE_FACE = 3
BEYOND_RANGE = 4
"""The status codes of :mod:`thaadsim.systems.radar` (checked equal there)."""


@numba.njit(cache=True, inline="always", fastmath=FASTMATH, error_model="numpy")
def _read(value: float, zero_nan: bool) -> float:
    return 0.0 if zero_nan and math.isnan(value) else value


@numba.njit(cache=True, inline="always", fastmath=FASTMATH, error_model="numpy")
def snr_pd(prm: np.ndarray, range_m: float, scan_cos: float, rcs: float
           ) -> tuple[float, float]:
    """The SNR of a visible target and its Swerling 1 detection probability, for the dwell
    packed in ``prm``."""
    r4 = max(range_m, 1.0)
    r4 = r4 * r4 * r4 * r4
    s = prm[12] * rcs * min(max(scan_cos, 0.0), 1.0) ** prm[11] / r4
    return s, prm[13] ** (1.0 / (1.0 + max(s, 0.0)))


@numba.njit(cache=True, inline="always", fastmath=FASTMATH, error_model="numpy")
def _effective_radius(ca: float, sa: float, prm: np.ndarray) -> float:
    """The effective Earth's radius along the ground azimuth of cosine ``ca``, sine ``sa``:
    the refraction factor times Euler's radius of the site's principal radii."""
    return prm[0] * (1.0 / (ca * ca / prm[1] + sa * sa / prm[2]))


@numba.njit(cache=True, inline="always", fastmath=FASTMATH, error_model="numpy")
def _apparent_deg(ground: float, a_e: float, alt: float, h_r: float
                  ) -> tuple[float, float, float, float]:
    """The refracted elevation (deg) of a target at height ``alt`` and ground range
    ``ground`` over an Earth of radius ``a_e``, from a site at height ``h_r``; with the
    target's radius and the cosine and sine of its central angle (for :func:`_clears`)."""
    theta = ground / a_e
    rt = a_e + alt
    ct, st = math.cos(theta), math.sin(theta)
    return math.atan2(rt * ct - (a_e + h_r), rt * st) * (180.0 / math.pi), rt, ct, st


@numba.njit(cache=True, inline="always", fastmath=FASTMATH, error_model="numpy")
def _clears(a_e: float, h_r: float, rt: float, ct: float, st: float) -> bool:
    """Whether the straight ray clears the effective Earth (``clears_earth``)."""
    p0y = a_e + h_r
    dx, dy = rt * st, rt * ct - p0y
    t = min(max(-(p0y * dy) / max(dx * dx + dy * dy, 1e-30), 0.0), 1.0)
    return math.hypot(t * dx, p0y + t * dy) >= a_e


@numba.njit(cache=True, inline="always", fastmath=FASTMATH, error_model="numpy")
def _face(az: float, el: float, rng: float, apparent: float, clear: bool, rcs: float,
          prm: np.ndarray) -> tuple[int, float, float, float]:
    """The status of a look (``face_status``), its scan cosine, SNR and Pd."""
    bore, r_max, el_max, half, el_min = prm[4], prm[5], prm[6], prm[7], prm[8]
    cos_t, sin_t = prm[9], prm[10]
    rad = math.pi / 180.0
    off = abs((az - bore + 180.0) % 360.0 - 180.0)
    code = VISIBLE
    if not rng <= r_max:
        code = BEYOND_RANGE
    if apparent > el_max:
        code = ABOVE_FACE
    if off > half:
        code = OUTSIDE_SECTOR
    if not apparent >= el_min or not clear:
        code = BELOW_HORIZON
    cos_s = (math.cos(el * rad) * cos_t * math.cos(az * rad - bore * rad)
             + math.sin(el * rad) * sin_t)
    s = 0.0
    p = 0.0
    if code == VISIBLE:
        s, p = snr_pd(prm, rng, cos_s, rcs)
    return code, cos_s, s, p


@numba.njit(cache=True, inline="always", fastmath=FASTMATH, error_model="numpy")
def look_one(x: float, y: float, z: float, vx: float, vy: float, vz: float, rcs: float,
             site: np.ndarray, sin_u1: float, cos_u1: float, lon_s: float, earth: np.ndarray,
             prm: np.ndarray) -> tuple[float, float, float, float, float, int, float, float,
                                       float]:
    """One target of :func:`look_many` at the Earth-fixed state ``(x, y, z, vx, vy, vz)``:
    azimuth, elevation and apparent elevation (deg), range (m), range rate (m/s), status,
    scan cosine, SNR and Pd (``sin_u1``, ``cos_u1``, ``lon_s``: the site's reduced latitude
    and longitude, :func:`~thaadsim.physics._geodesy_kernel.view_one`)."""
    az, el, rng, rate, alt, ground, ground_az = view_one(x, y, z, vx, vy, vz, site, sin_u1,
                                                         cos_u1, lon_s, earth)
    alpha = ground_az * (math.pi / 180.0)
    a_e = _effective_radius(math.cos(alpha), math.sin(alpha), prm)
    apparent, rt, ct, st = _apparent_deg(ground, a_e, alt, prm[3])
    clear = _clears(a_e, prm[3], rt, ct, st)
    code, cos_s, s, p = _face(az, el, rng, apparent, clear, rcs, prm)
    return az, el, apparent, rng, rate, code, cos_s, s, p


BRACKET_MARGIN_DEG = 0.01
"""What :func:`look_decided_one` leaves between a threshold and its bracket of the apparent
elevation for the azimuth of the effective radius (Vincenty's first iteration instead of
its converged azimuth): a_e moves by at most (N - M)/M x f ~ 2e-5 relative, the elevation
by theta/2 of that, under 2e-4 deg within 3,000 km."""

BRACKET_MAX_GROUND_M = 3.0e6
"""The longest ground range :func:`look_decided_one` brackets (beyond: the exact geodesic)."""


@numba.njit(cache=True, inline="always", fastmath=FASTMATH, error_model="numpy")
def _apparent_bracket(x: float, y: float, z: float, alt: float, t: float, p: float,
                      sin_u2: float, cos_u2: float, diff: float, site: np.ndarray,
                      sin_u1: float, cos_u1: float, earth: np.ndarray, prm: np.ndarray
                      ) -> tuple[float, float]:
    r"""Bounds (low, high, deg) of a target's apparent elevation without its geodesic, or NaN
    where they do not hold (a target below the site, a site below the ellipsoid, beyond
    :data:`BRACKET_MAX_GROUND_M`). The geodesic from the site's foot to the target's is at
    least their chord :math:`c` and at most :math:`2Rrcsin(c/2R)`, :math:`R = a(1 - e^2)`
    the ellipsoid's smallest radius of curvature (Schur's comparison theorem: a curve of
    curvature at most :math:`1/R` has a chord at least that of the circle of radius
    :math:`R`; a geodesic's curvature is the surface's normal curvature). For a target
    above the site the apparent elevation falls as the ground range grows
    (:math:`d\epsilon/d	heta \propto (a_e + h_r)\cos	heta - r_t \le 0`), so the two ends
    bound it, widened by :data:`BRACKET_MARGIN_DEG` for the azimuth of the effective
    radius."""
    h_r = prm[3]
    if not (h_r >= 0.0 and alt >= h_r and p > 0.0):
        return math.nan, math.nan
    c = 1.0 / math.sqrt(1.0 + t * t)
    ux, uy, uz = c * x / p, c * y / p, t * c
    fx = x - alt * ux - (site[3, 0] - h_r * site[2, 0])
    fy = y - alt * uy - (site[3, 1] - h_r * site[2, 1])
    fz = z - alt * uz - (site[3, 2] - h_r * site[2, 2])
    chord = math.sqrt(fx * fx + fy * fy + fz * fz)
    r_min = earth[0] * (1.0 - earth[1])
    if not chord < min(BRACKET_MAX_GROUND_M, 2.0 * r_min):
        return math.nan, math.nan
    longest = 2.0 * r_min * math.asin(chord / (2.0 * r_min))
    sin_l, cos_l = math.sin(diff), math.cos(diff)
    num = cos_u2 * sin_l
    den = cos_u1 * sin_u2 - sin_u1 * cos_u2 * cos_l
    h = math.hypot(num, den)
    if not h > 0.0:
        return math.nan, math.nan
    a_e = _effective_radius(den / h, num / h, prm)
    low = _apparent_deg(longest, a_e, alt, h_r)[0]
    high = _apparent_deg(chord, a_e, alt, h_r)[0]
    return low - BRACKET_MARGIN_DEG, high + BRACKET_MARGIN_DEG


@numba.njit(cache=True, inline="always", fastmath=FASTMATH, error_model="numpy")
def _outside(low: float, high: float, value: float) -> bool:
    return value < low or value > high


@numba.njit(cache=True, inline="always", fastmath=FASTMATH, error_model="numpy")
def look_decided_one(x: float, y: float, z: float, vx: float, vy: float, vz: float,
                     rcs: float, site: np.ndarray, sin_u1: float, cos_u1: float, lon_s: float,
                     earth: np.ndarray, prm: np.ndarray, fence_low: float, fence_high: float
                     ) -> tuple[float, float, float, float, int, float, float, float, bool]:
    """:func:`look_one` where the apparent elevation is needed only against its thresholds
    (the face's elevation limits, the horizon, and the search fence ``fence_low`` to
    ``fence_high``): azimuth, elevation, range, range rate, status, scan cosine, SNR, Pd
    and whether the apparent elevation is inside the fence. Where a bracket of the
    apparent elevation (:func:`_apparent_bracket`, no geodesic) holds none of the
    thresholds, every decision is the exact one's; elsewhere (about 1% of a raid's looks)
    the exact look decides, with Vincenty's geodesic."""
    az, el, rng, rate = aer_rate_one(x, y, z, vx, vy, vz, site)
    alt, t, p, sin_u2, cos_u2, diff = sub_point_one(x, y, z, lon_s, earth)
    low, high = _apparent_bracket(x, y, z, alt, t, p, sin_u2, cos_u2, diff, site, sin_u1,
                                  cos_u1, earth, prm)
    el_max, el_min = prm[6], prm[8]
    if ((low > 0.0 or high < el_min) and _outside(low, high, el_min)
            and _outside(low, high, el_max) and _outside(low, high, fence_low)
            and _outside(low, high, fence_high)):
        apparent = 0.5 * (low + high)  # on the same side of every threshold as the truth
        clear = True  # above the horizontal, or below the lowest elevation either way
    else:
        ground, ground_az = vincenty_inverse(sin_u1, cos_u1, sin_u2, cos_u2, diff, earth)
        alpha = ground_az * (180.0 / math.pi) * (math.pi / 180.0)  # look_one's, to the bit
        a_e = _effective_radius(math.cos(alpha), math.sin(alpha), prm)
        apparent, rt, ct, st = _apparent_deg(ground, a_e, alt, prm[3])
        clear = _clears(a_e, prm[3], rt, ct, st)
    code, cos_s, s, pd = _face(az, el, rng, apparent, clear, rcs, prm)
    return (az, el, rng, rate, code, cos_s, s, pd,
            apparent >= fence_low and apparent <= fence_high)


@numba.njit(cache=True, parallel=True, fastmath=FASTMATH, error_model="numpy")
def look_many(state: np.ndarray, where: np.ndarray, rcs: np.ndarray, site: np.ndarray,
              site_geo: np.ndarray, earth: np.ndarray, prm: np.ndarray, az_deg: np.ndarray,
              el_deg: np.ndarray, apparent_el_deg: np.ndarray, range_m: np.ndarray,
              rate_mps: np.ndarray, status: np.ndarray, scan_cos: np.ndarray,
              snr: np.ndarray, pd: np.ndarray) -> None:
    """The look at targets of Earth-fixed states ``state`` (N, 6) (NaN read as 0, as
    ``numpy.nan_to_num`` does, where ``prm[14]`` is not 0) where ``where`` (N,) holds,
    with cross-sections ``rcs`` (N,), into the (N,) outputs; elsewhere ``BELOW_HORIZON``
    and zeros (:func:`look_one`)."""
    zero_nan = prm[14] != 0.0
    sin_u1, cos_u1 = reduced_latitude(site_geo[0], earth)
    for i in numba.prange(state.shape[0]):
        if not where[i]:
            az_deg[i] = el_deg[i] = apparent_el_deg[i] = range_m[i] = rate_mps[i] = 0.0
            scan_cos[i] = snr[i] = pd[i] = 0.0
            status[i] = BELOW_HORIZON
            continue
        (az_deg[i], el_deg[i], apparent_el_deg[i], range_m[i], rate_mps[i], status[i],
         scan_cos[i], snr[i], pd[i]) = look_one(
            _read(state[i, 0], zero_nan), _read(state[i, 1], zero_nan),
            _read(state[i, 2], zero_nan), _read(state[i, 3], zero_nan),
            _read(state[i, 4], zero_nan), _read(state[i, 5], zero_nan), rcs[i],
            site, sin_u1, cos_u1, site_geo[1], earth, prm)


@numba.njit(cache=True, inline="always", fastmath=FASTMATH, error_model="numpy")
def measure_one(range_m: float, az_deg: float, el_deg: float, rate_mps: float, status: int,
                scan_cos: float, snr: float, n0: float, n1: float, n2: float, n3: float,
                prm: np.ndarray) -> tuple[float, float, float, float, float, float, float,
                                          float]:
    """One look of :func:`measure_many` with the standard normal draws ``n0``..``n3``: the
    measurement (range, azimuth, elevation, range rate; NaN where not visible) and its four
    sigmas."""
    bw, slope, angle_floor, res_r, floor_r, res_v, floor_v = (prm[0], prm[1], prm[2], prm[3],
                                                               prm[4], prm[5], prm[6])
    rad = math.pi / 180.0
    two_pi = 2.0 * math.pi
    root = math.sqrt(2.0 * max(snr, 1e-12))
    cos_s = min(max(scan_cos, 0.05), 1.0)
    sig_angle = math.hypot(bw / (cos_s * slope * root), angle_floor)
    s0 = math.hypot(res_r / root, floor_r)
    s1 = sig_angle / max(math.cos(el_deg * rad), 0.05)
    s2 = sig_angle
    s3 = math.hypot(res_v / root, floor_v)
    if status != VISIBLE:
        return math.nan, math.nan, math.nan, math.nan, s0, s1, s2, s3
    a = az_deg * rad + s1 * n1
    a = np.fmod(a, two_pi)  # numpy.mod's remainder: fmod, moved into [0, 2 pi)
    a = a + two_pi if a < 0.0 else (0.0 if a == 0.0 else a)
    return (range_m + s0 * n0, a, el_deg * rad + s2 * n2, rate_mps + s3 * n3,
            s0, s1, s2, s3)


@numba.njit(cache=True, fastmath=FASTMATH, error_model="numpy")
def measure_many(range_m: np.ndarray, az_deg: np.ndarray, el_deg: np.ndarray,
                 rate_mps: np.ndarray, status: np.ndarray, scan_cos: np.ndarray,
                 snr: np.ndarray, normal: np.ndarray, prm: np.ndarray, z: np.ndarray,
                 sig: np.ndarray) -> None:
    r""":func:`thaadsim.systems.radar.measure` of N looks (the (N,) fields of a ``Look``) with
    the standard normal draws ``normal`` (N, 4), into ``z`` and ``sig`` (N, 4)
    (:func:`measure_one`). ``prm``:
    ``(beamwidth_rad, monopulse_slope, angle_floor_rad, range_resolution_m,
    range_floor_m, rate_resolution_mps, range_rate_floor_mps)``, the resolutions being
    :math:`c/2B` and :math:`\lambda/2t_d`."""
    for i in range(range_m.shape[0]):
        (z[i, 0], z[i, 1], z[i, 2], z[i, 3], sig[i, 0], sig[i, 1], sig[i, 2],
         sig[i, 3]) = measure_one(range_m[i], az_deg[i], el_deg[i], rate_mps[i], status[i],
                                  scan_cos[i], snr[i], normal[i, 0], normal[i, 1],
                                  normal[i, 2], normal[i, 3], prm)
