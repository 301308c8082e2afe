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

from thaadsim.physics._geodesy_kernel import reduced_latitude, view_one
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
def look_one(x: float, y: float, z: float, vx: float, vy: float, vz: float, rcs: float,
             site: np.ndarray, sin_u1: float, cos_u1: float, lon_s: float, earth: np.ndarray,
             prm: np.ndarray) -> tuple[float, float, float, float, float, int, float, float,
                                       float]:
    """One target of :func:`look_many` at the Earth-fixed state ``(x, y, z, vx, vy, vz)``:
    azimuth, elevation and apparent elevation (deg), range (m), range rate (m/s), status,
    scan cosine, SNR and Pd (``sin_u1``, ``cos_u1``, ``lon_s``: the site's reduced latitude
    and longitude, :func:`~thaadsim.physics._geodesy_kernel.view_one`)."""
    k, m_m, n_m, h_r = prm[0], prm[1], prm[2], prm[3]
    bore, r_max, el_max, half, el_min = prm[4], prm[5], prm[6], prm[7], prm[8]
    cos_t, sin_t = prm[9], prm[10]
    rad = math.pi / 180.0
    deg = 180.0 / math.pi
    az, el, rng, rate, alt, ground, ground_az = view_one(x, y, z, vx, vy, vz, site, sin_u1,
                                                         cos_u1, lon_s, earth)
    alpha = ground_az * rad
    ca, sa = math.cos(alpha), math.sin(alpha)
    a_e = k * (1.0 / (ca * ca / m_m + sa * sa / n_m))
    theta = ground / a_e
    rt = a_e + alt
    ct, st = math.cos(theta), math.sin(theta)
    apparent = math.atan2(rt * ct - (a_e + h_r), rt * st) * deg
    p0y = a_e + h_r
    dx, dy = rt * st, rt * ct - p0y
    t = min(max(-(p0y * dy) / max(dx * dx + dy * dy, 1e-30), 0.0), 1.0)
    clear = math.hypot(t * dx, p0y + t * dy) >= a_e
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
    return az, el, apparent, rng, rate, code, cos_s, s, p


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
