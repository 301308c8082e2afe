r"""Compiled geodesy for the radar's looks: ECEF to geodetic, ECEF to azimuth, elevation,
range and range rate, and the ellipsoid's inverse geodesic (distance and azimuth), scalar
by scalar in Numba, over many targets in one call (:func:`look_geometry`).

The public, vectorised and library-backed functions are in
:mod:`thaadsim.physics.geodesy` (pymap3d, pyproj); these kernels compute the same
quantities to rounding (tested against them, tests/test_geodesy_kernel.py):

* geodetic latitude and height: Bowring's (1976) latitude refined by fixed-point steps on
  its tangent, :math:`\tan\varphi_{k+1} = (z + e^2 N_k\sin\varphi_k)/p` (Heiskanen &
  Moritz 1967, sec. 5-3; the iteration of :func:`~thaadsim.physics.geodesy.ecef_to_geodetic`),
  with square roots and no trigonometry;
* azimuth, elevation and range from the site's ENU frame, with pymap3d's rounding of ENU
  components under 1 mm to zero (so a target overhead has azimuth 0, elevation 90 deg);
  range rate :math:`\mathbf d\cdot\mathbf v/\rho`;
* the inverse geodesic by Vincenty's (1975) iteration (*Survey Review* 23(176), 88-93),
  whose series are accurate to about 0.1 mm of distance; pyproj uses Karney's (2013)
  algorithm, which also covers nearly antipodal points, where Vincenty's iteration may
  not converge. A radar's targets are never near its antipode; the iteration is capped and
  a non-converged point is reported NaN rather than silently wrong.

Argument packs: ``earth`` ``(a, e2, b, gm, j2, omega)`` (as the tracker's kernels);
``site`` (4, 3): rows east, north, up of the site's ENU basis in ECEF, then its ECEF
position; ``site_geo`` ``(lat_rad, lon_rad, alt_m)``.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from thaadsim.physics._jit import FASTMATH

_LATITUDE_STEPS = 2
"""Fixed-point steps after Bowring's latitude: each divides its error by ~1/e^2 (~150);
from Bowring's 1e-9 rad at 1,000 km (4e-9 at 3,000 km) two leave 1e-14 rad (measured over
all latitudes, -1 to 3,000 km); the height is stationary in the latitude error."""

_ENU_ZERO_M = 1e-3
"""ENU components below this are rounded to zero before azimuth and elevation
(pymap3d's ``enu2aer`` does the same; kept so that both paths agree overhead)."""

_VINCENTY_TOL_RAD = 1e-12
"""Convergence of Vincenty's longitude on the auxiliary sphere (about 6 micrometres)."""

_VINCENTY_MAX_ITER = 200


@numba.njit(cache=True, inline="always", fastmath=FASTMATH, error_model="numpy")
def geodetic_tan_lat_alt(x: float, y: float, z: float, p: float,
                         earth: np.ndarray) -> tuple[float, float]:
    r"""Tangent of the geodetic latitude and the geodetic height (m) of an Earth-fixed
    point off the polar axis (``p`` = :math:`\sqrt{x^2 + y^2} > 0`)."""
    a, e2, b = earth[0], earth[1], earth[2]
    ep2 = e2 / (1.0 - e2)
    u = z * a
    w = p * b
    q = math.sqrt(u * u + w * w)
    st = u / q
    ct = w / q
    t = (z + ep2 * b * st * st * st) / (p - e2 * a * ct * ct * ct)
    for _ in range(_LATITUDE_STEPS):
        s = t / math.sqrt(1.0 + t * t)
        n = a / math.sqrt(1.0 - e2 * s * s)
        t = (z + e2 * n * s) / p
    c = 1.0 / math.sqrt(1.0 + t * t)
    s = t * c
    alt = p * c + z * s - a * math.sqrt(1.0 - e2 * s * s)
    return t, alt


@numba.njit(cache=True, inline="always", fastmath=FASTMATH, error_model="numpy")
def geodetic_up_alt(x: float, y: float, z: float,
                    earth: np.ndarray) -> tuple[float, float, float, float]:
    r"""Geodetic height (m) and the up unit vector (the ellipsoid normal) of an Earth-fixed
    point, without trigonometric functions (:func:`geodetic_tan_lat_alt`)."""
    p = math.sqrt(x * x + y * y)
    if p == 0.0:
        return abs(z) - earth[2], 0.0, 0.0, math.copysign(1.0, z)
    t, alt = geodetic_tan_lat_alt(x, y, z, p, earth)
    c = 1.0 / math.sqrt(1.0 + t * t)
    s = t * c
    return alt, c * x / p, c * y / p, s


@numba.njit(cache=True, inline="always", fastmath=FASTMATH, error_model="numpy")
def vincenty_inverse(sin_u1: float, cos_u1: float, sin_u2: float, cos_u2: float,
                     lon_diff_rad: float, earth: np.ndarray) -> tuple[float, float]:
    r"""Distance (m) and forward azimuth at the first point (rad, clockwise from north) of
    the geodesic between two points given by the sines and cosines of their reduced
    latitudes :math:`\tan U = (1 - f)\tan\varphi` and their longitude difference
    (Vincenty 1975, the inverse formulae). NaN where the iteration does not converge
    (nearly antipodal points)."""
    a, b = earth[0], earth[2]
    f = 1.0 - b / a
    lam = lon_diff_rad
    sin_sigma = cos_sigma = sigma = cos2_alpha = cos_2sm = 0.0
    sin_lam = cos_lam = 0.0
    converged = False
    for _ in range(_VINCENTY_MAX_ITER):
        sin_lam = math.sin(lam)
        cos_lam = math.cos(lam)
        t1 = cos_u2 * sin_lam
        t2 = cos_u1 * sin_u2 - sin_u1 * cos_u2 * cos_lam
        sin_sigma = math.sqrt(t1 * t1 + t2 * t2)
        if sin_sigma == 0.0:
            return 0.0, 0.0  # coincident points
        cos_sigma = sin_u1 * sin_u2 + cos_u1 * cos_u2 * cos_lam
        sigma = math.atan2(sin_sigma, cos_sigma)
        sin_alpha = cos_u1 * cos_u2 * sin_lam / sin_sigma
        cos2_alpha = 1.0 - sin_alpha * sin_alpha
        cos_2sm = cos_sigma - 2.0 * sin_u1 * sin_u2 / cos2_alpha if cos2_alpha != 0.0 else 0.0
        c = f / 16.0 * cos2_alpha * (4.0 + f * (4.0 - 3.0 * cos2_alpha))
        previous = lam
        lam = lon_diff_rad + (1.0 - c) * f * sin_alpha * (
            sigma + c * sin_sigma * (cos_2sm + c * cos_sigma * (-1.0 + 2.0 * cos_2sm * cos_2sm)))
        if abs(lam - previous) < _VINCENTY_TOL_RAD:
            converged = True
            break
    if not converged:
        return math.nan, math.nan
    u2 = cos2_alpha * (a * a - b * b) / (b * b)
    big_a = 1.0 + u2 / 16384.0 * (4096.0 + u2 * (-768.0 + u2 * (320.0 - 175.0 * u2)))
    big_b = u2 / 1024.0 * (256.0 + u2 * (-128.0 + u2 * (74.0 - 47.0 * u2)))
    c2 = cos_2sm * cos_2sm
    d_sigma = big_b * sin_sigma * (cos_2sm + big_b / 4.0 * (
        cos_sigma * (-1.0 + 2.0 * c2)
        - big_b / 6.0 * cos_2sm * (-3.0 + 4.0 * sin_sigma * sin_sigma) * (-3.0 + 4.0 * c2)))
    dist = b * big_a * (sigma - d_sigma)
    az = math.atan2(cos_u2 * sin_lam, cos_u1 * sin_u2 - sin_u1 * cos_u2 * cos_lam)
    if az < 0.0:
        az += 2.0 * math.pi
    return dist, az


@numba.njit(cache=True, inline="always", fastmath=FASTMATH, error_model="numpy")
def reduced_latitude(lat_rad: float, earth: np.ndarray) -> tuple[float, float]:
    """Sine and cosine of the reduced latitude :math:`\tan U = (1 - f)\tan\varphi`."""
    tan_u = earth[2] / earth[0] * math.tan(lat_rad)
    cos_u = 1.0 / math.sqrt(1.0 + tan_u * tan_u)
    return tan_u * cos_u, cos_u


@numba.njit(cache=True, inline="always", fastmath=FASTMATH, error_model="numpy")
def aer_rate_one(x: float, y: float, z: float, vx: float, vy: float, vz: float,
                 site: np.ndarray) -> tuple[float, float, float, float]:
    """Azimuth (deg), elevation (deg), range (m) and range rate (m/s) of one target from the
    site (the first half of :func:`view_one`)."""
    deg = 180.0 / math.pi
    dx, dy, dz = x - site[3, 0], y - site[3, 1], z - site[3, 2]
    e = site[0, 0] * dx + site[0, 1] * dy + site[0, 2] * dz
    n = site[1, 0] * dx + site[1, 1] * dy + site[1, 2] * dz
    u = site[2, 0] * dx + site[2, 1] * dy + site[2, 2] * dz
    e = 0.0 if abs(e) < _ENU_ZERO_M else e
    n = 0.0 if abs(n) < _ENU_ZERO_M else n
    u = 0.0 if abs(u) < _ENU_ZERO_M else u
    horiz = math.sqrt(e * e + n * n)
    rng = math.sqrt(horiz * horiz + u * u)
    az = math.atan2(e, n) * deg
    az = az + 360.0 if az < 0.0 else az
    az = 0.0 if az >= 360.0 else az
    el = math.atan2(u, horiz) * deg
    closing = dx * vx + dy * vy + dz * vz
    rate = closing / rng if rng > 0.0 else math.nan
    return az, el, rng, rate


@numba.njit(cache=True, inline="always", fastmath=FASTMATH, error_model="numpy")
def sub_point_one(x: float, y: float, z: float, lon_s: float, earth: np.ndarray
                  ) -> tuple[float, float, float, float, float, float]:
    """The point under an Earth-fixed point (the second half of :func:`view_one`, before
    the geodesic): its geodetic height (m), the tangent of its geodetic latitude and its
    distance from the polar axis (both 0 on the axis), the sine and cosine of its reduced
    latitude and its longitude less the site's ``lon_s`` (rad, in [-pi, pi])."""
    p = math.sqrt(x * x + y * y)
    t = 0.0
    if p == 0.0:  # on the polar axis
        alt = abs(z) - earth[2]
        sin_u2, cos_u2, lon = math.copysign(1.0, z), 0.0, 0.0
    else:
        t, alt = geodetic_tan_lat_alt(x, y, z, p, earth)
        tan_u2 = earth[2] / earth[0] * t
        cos_u2 = 1.0 / math.sqrt(1.0 + tan_u2 * tan_u2)
        sin_u2 = tan_u2 * cos_u2
        lon = math.atan2(y, x)
    diff = lon - lon_s
    if diff > math.pi:
        diff -= 2.0 * math.pi
    elif diff < -math.pi:
        diff += 2.0 * math.pi
    return alt, t, p, sin_u2, cos_u2, diff


@numba.njit(cache=True, inline="always", fastmath=FASTMATH, error_model="numpy")
def view_one(x: float, y: float, z: float, vx: float, vy: float, vz: float, site: np.ndarray,
             sin_u1: float, cos_u1: float, lon_s: float, earth: np.ndarray
             ) -> tuple[float, float, float, float, float, float, float]:
    """One target of :func:`look_geometry`: azimuth (deg), elevation (deg), range (m), range
    rate (m/s), geodetic height (m), geodesic distance (m) and azimuth (deg) from the site
    (``sin_u1``, ``cos_u1``: :func:`reduced_latitude` of the site; ``lon_s`` its longitude,
    rad)."""
    az, el, rng, rate = aer_rate_one(x, y, z, vx, vy, vz, site)
    alt, _, _, sin_u2, cos_u2, diff = sub_point_one(x, y, z, lon_s, earth)
    dist, azi = vincenty_inverse(sin_u1, cos_u1, sin_u2, cos_u2, diff, earth)
    return az, el, rng, rate, alt, dist, azi * (180.0 / math.pi)


@numba.njit(cache=True, parallel=True, fastmath=FASTMATH, error_model="numpy")
def look_geometry(r: np.ndarray, v: np.ndarray, site: np.ndarray, site_geo: np.ndarray,
                  earth: np.ndarray, az_deg: np.ndarray, el_deg: np.ndarray,
                  range_m: np.ndarray, rate_mps: np.ndarray, alt_m: np.ndarray,
                  ground_m: np.ndarray, ground_az_deg: np.ndarray) -> None:
    """For targets at ECEF ``r`` (N, 3) moving at ``v`` (N, 3) seen from ``site``: azimuth
    (deg, [0, 360)), elevation (deg), slant range (m), range rate (m/s, NaN at zero range),
    the target's geodetic height (m) and the geodesic distance (m) and azimuth (deg) from
    the site to the point under the target, into the (N,) outputs (:func:`view_one`)."""
    sin_u1, cos_u1 = reduced_latitude(site_geo[0], earth)
    for i in numba.prange(r.shape[0]):
        (az_deg[i], el_deg[i], range_m[i], rate_mps[i], alt_m[i], ground_m[i],
         ground_az_deg[i]) = view_one(r[i, 0], r[i, 1], r[i, 2], v[i, 0], v[i, 1], v[i, 2],
                                      site, sin_u1, cos_u1, site_geo[1], earth)
