"""Geodetic, Earth-fixed (ECEF) and local-horizon (ENU, AER) coordinates; geodesics.

All functions are vectorised: scalar or array arguments broadcast together, positions are
arrays of shape ``(..., 3)`` whose last axis is the vector component, and the leading axes
index objects. Angles are in degrees, lengths in metres. Every function takes an Earth model
(:data:`~thaadsim.physics.earth.WGS84` by default; :data:`~thaadsim.physics.earth.SPHERE`
works too).

The work is done by maintained libraries:

* `pymap3d <https://github.com/geospace-code/pymap3d>`_ for geodetic <-> ECEF and
  ECEF <-> ENU/AER, on a :class:`pymap3d.Ellipsoid` built from the Earth model;
* `pyproj <https://pyproj4.github.io/pyproj/>`_ (:class:`pyproj.Geod`, i.e. Karney's
  GeographicLib algorithms in PROJ) for geodesics on the ellipsoid.

Only two things are written here: :func:`enu_basis` (three lines of trigonometry) and a
short fixed-point refinement of the latitude in :func:`ecef_to_geodetic`, because the
non-iterative solution of pymap3d 3.2 (You, 2000) loses accuracy with height (measured:
3.6e-6 deg of latitude, about 0.6 m, at 4,000 km altitude).

Frames
------
ECEF: origin at the Earth's centre, z along the rotation axis, x through latitude 0,
longitude 0. ENU: a local Cartesian frame at a geodetic origin (lat0, lon0, alt0), x east,
y north, z up along the ellipsoid normal. AER: azimuth clockwise from north in [0, 360),
elevation above the local horizontal plane, slant range.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import numpy as np
import numpy.typing as npt
import pymap3d
import pyproj

from thaadsim.errors import InputError
from thaadsim.physics import _geodesy_kernel
from thaadsim.physics.earth import WGS84, Earth

__all__ = [
    "aer_to_ecef",
    "direction_ecef",
    "ecef_to_aer",
    "ecef_to_aer_rate",
    "ecef_to_enu",
    "ecef_to_geodetic",
    "enu_basis",
    "enu_to_ecef",
    "geodesic_direct",
    "geodesic_inverse",
    "geodesic_line",
    "geodetic_to_ecef",
    "GEOMETRY_BACKENDS",
    "GeometryBackend",
    "SiteView",
    "site_view",
]

FloatArray = npt.NDArray[np.float64]

_LATITUDE_REFINEMENT_STEPS = 3
"""Fixed-point steps after pymap3d's solution; each divides the latitude error by >= 1/e^2."""


@lru_cache(maxsize=16)
def _ellipsoid(earth: Earth) -> pymap3d.Ellipsoid:
    """pymap3d ellipsoid with the shape of ``earth`` (cached: Earth is frozen and hashable)."""
    return pymap3d.Ellipsoid(semimajor_axis=earth.a_m, semiminor_axis=earth.b_m, name=earth.name)


@lru_cache(maxsize=16)
def _geod(earth: Earth) -> pyproj.Geod:
    """pyproj geodesic solver on the ellipsoid of ``earth`` (cached)."""
    return pyproj.Geod(a=earth.a_m, f=earth.f)


def _as_float(x: npt.ArrayLike) -> FloatArray:
    return np.asarray(x, dtype=np.float64)


def _components(r: npt.ArrayLike, name: str) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Split an array of 3-vectors ``(..., 3)`` into its x, y, z components."""
    arr = _as_float(r)
    if arr.ndim == 0 or arr.shape[-1] != 3:
        raise InputError(f"{name}: expected an array of shape (..., 3), got shape {arr.shape}")
    return arr[..., 0], arr[..., 1], arr[..., 2]


def _stack3(x: npt.ArrayLike, y: npt.ArrayLike, z: npt.ArrayLike) -> FloatArray:
    """Stack three broadcastable components into an array of shape ``(..., 3)``."""
    return np.stack(np.broadcast_arrays(_as_float(x), _as_float(y), _as_float(z)), axis=-1)


def _wrap_360(angle_deg: npt.ArrayLike) -> FloatArray:
    """Wrap angles into [0, 360) (``np.mod`` of a tiny negative number can round to 360)."""
    wrapped = np.mod(_as_float(angle_deg), 360.0)
    return np.where(wrapped >= 360.0, 0.0, wrapped)


def _broadcast_flat(*args: npt.ArrayLike) -> tuple[tuple[int, ...], list[FloatArray]]:
    """Broadcast the arguments together; return the shape and contiguous 1-D copies."""
    arrays = np.broadcast_arrays(*(_as_float(a) for a in args))
    shape = arrays[0].shape
    return shape, [np.ascontiguousarray(a).reshape(-1) for a in arrays]


# --------------------------------------------------------------------------------------------
# Geodetic <-> ECEF
# --------------------------------------------------------------------------------------------


def geodetic_to_ecef(
    lat_deg: npt.ArrayLike,
    lon_deg: npt.ArrayLike,
    alt_m: npt.ArrayLike,
    earth: Earth = WGS84,
) -> FloatArray:
    r"""Geodetic latitude, longitude and height to ECEF position.

    .. math::

        N = \frac{a^2}{\sqrt{a^2\cos^2\varphi + b^2\sin^2\varphi}},\quad
        x = (N + h)\cos\varphi\cos\lambda,\quad
        y = (N + h)\cos\varphi\sin\lambda,\quad
        z = \left(\tfrac{b^2}{a^2}N + h\right)\sin\varphi

    (``pymap3d.geodetic2ecef``).

    Parameters
    ----------
    lat_deg, lon_deg : array_like
        Geodetic latitude and longitude, degrees.
    alt_m : array_like
        Height above the ellipsoid, metres.
    earth : Earth, optional
        Earth model (WGS84 by default).

    Returns
    -------
    numpy.ndarray
        ECEF positions, shape ``broadcast(lat, lon, alt).shape + (3,)``, metres.
    """
    lat, lon, alt = np.broadcast_arrays(_as_float(lat_deg), _as_float(lon_deg), _as_float(alt_m))
    x, y, z = pymap3d.geodetic2ecef(lat, lon, alt, ell=_ellipsoid(earth), deg=True)
    return _stack3(x, y, z)


def ecef_to_geodetic(
    r_ecef_m: npt.ArrayLike, earth: Earth = WGS84
) -> tuple[FloatArray, FloatArray, FloatArray]:
    r"""ECEF position to geodetic latitude, longitude and height.

    pymap3d's closed-form solution (You, 2000) gives the first estimate of the latitude,
    which is then refined by the fixed-point iteration (Heiskanen & Moritz, *Physical
    Geodesy*, 1967, sec. 5-3)

    .. math::

        N_k = \frac{a}{\sqrt{1 - e^2\sin^2\varphi_k}},\quad
        \varphi_{k+1} = \operatorname{atan2}\!\left(z + e^2 N_k \sin\varphi_k,\ p\right),
        \quad p = \sqrt{x^2 + y^2},

    and the height follows as :math:`h = p\cos\varphi + z\sin\varphi - a\sqrt{1 -
    e^2\sin^2\varphi}`, which is well conditioned at every latitude. The result is
    accurate to better than 1e-10 deg and 0.1 mm from the surface to beyond 4,000 km
    altitude.

    Parameters
    ----------
    r_ecef_m : array_like, shape (..., 3)
        ECEF positions, metres.
    earth : Earth, optional
        Earth model (WGS84 by default).

    Returns
    -------
    lat_deg, lon_deg, alt_m : numpy.ndarray
        Geodetic latitude in [-90, 90] deg, longitude in (-180, 180] deg, height above the
        ellipsoid in metres (negative inside it); each of shape ``r_ecef_m.shape[:-1]``.
    """
    x, y, z = _components(r_ecef_m, "r_ecef_m")
    ell = _ellipsoid(earth)
    lat0_deg, lon_deg, _ = pymap3d.ecef2geodetic(x, y, z, ell=ell, deg=True)

    a = earth.a_m
    e2 = earth.e2
    p = np.hypot(x, y)
    lat = np.radians(_as_float(lat0_deg))
    for _ in range(_LATITUDE_REFINEMENT_STEPS):
        sin_lat = np.sin(lat)
        n_m = a / np.sqrt(1.0 - e2 * sin_lat**2)
        lat = np.arctan2(z + e2 * n_m * sin_lat, p)
    sin_lat = np.sin(lat)
    alt = p * np.cos(lat) + z * sin_lat - a * np.sqrt(1.0 - e2 * sin_lat**2)
    return _as_float(np.degrees(lat)), _as_float(lon_deg), _as_float(alt)


# --------------------------------------------------------------------------------------------
# ECEF <-> local horizon (ENU, AER)
# --------------------------------------------------------------------------------------------


def enu_basis(lat_deg: npt.ArrayLike, lon_deg: npt.ArrayLike) -> FloatArray:
    r"""East, north and up unit vectors, in ECEF, at a geodetic latitude and longitude.

    .. math::

        \hat e = (-\sin\lambda,\ \cos\lambda,\ 0),\quad
        \hat n = (-\sin\varphi\cos\lambda,\ -\sin\varphi\sin\lambda,\ \cos\varphi),\quad
        \hat u = (\cos\varphi\cos\lambda,\ \cos\varphi\sin\lambda,\ \sin\varphi)

    The up vector is the outward normal to the ellipsoid (any ellipsoid: the geodetic
    latitude is defined by the normal). The matrix ``M`` maps ECEF vectors to ENU,
    ``v_enu = M @ v_ecef``, and its transpose maps back; use it to turn velocities or
    directions (not positions, which need the origin too: see :func:`ecef_to_enu`).

    Parameters
    ----------
    lat_deg, lon_deg : array_like
        Geodetic latitude and longitude, degrees.

    Returns
    -------
    numpy.ndarray
        Shape ``broadcast(lat, lon).shape + (3, 3)``; rows are east, north, up.
    """
    lat, lon = np.broadcast_arrays(np.radians(_as_float(lat_deg)), np.radians(_as_float(lon_deg)))
    sin_lat, cos_lat, sin_lon, cos_lon = np.sin(lat), np.cos(lat), np.sin(lon), np.cos(lon)
    east = np.stack([-sin_lon, cos_lon, np.zeros_like(lat)], axis=-1)
    north = np.stack([-sin_lat * cos_lon, -sin_lat * sin_lon, cos_lat], axis=-1)
    up = np.stack([cos_lat * cos_lon, cos_lat * sin_lon, sin_lat], axis=-1)
    return np.stack([east, north, up], axis=-2)


def direction_ecef(
    lat_deg: npt.ArrayLike,
    lon_deg: npt.ArrayLike,
    azimuth_deg: npt.ArrayLike,
    elevation_deg: npt.ArrayLike,
) -> FloatArray:
    """ECEF unit vector pointing at an azimuth and elevation from a geodetic point.

    .. math:: \\hat d = \\cos\\epsilon(\\sin\\alpha\\,\\hat e + \\cos\\alpha\\,\\hat n)
              + \\sin\\epsilon\\,\\hat u

    with the local east, north and up vectors of :func:`enu_basis`; shape (..., 3).
    """
    basis = enu_basis(lat_deg, lon_deg)
    az = np.radians(np.asarray(azimuth_deg, dtype=np.float64))[..., None]
    el = np.radians(np.asarray(elevation_deg, dtype=np.float64))[..., None]
    return (np.cos(el) * (np.sin(az) * basis[..., 0, :] + np.cos(az) * basis[..., 1, :])
            + np.sin(el) * basis[..., 2, :])


def ecef_to_enu(
    r_ecef_m: npt.ArrayLike,
    lat0_deg: npt.ArrayLike,
    lon0_deg: npt.ArrayLike,
    alt0_m: npt.ArrayLike,
    earth: Earth = WGS84,
) -> FloatArray:
    r"""ECEF position to east-north-up coordinates about a geodetic origin.

    .. math:: r_{ENU} = M(\varphi_0, \lambda_0)\,(r_{ECEF} - r_{0,ECEF})

    with ``M`` from :func:`enu_basis` (``pymap3d.ecef2enu``).

    Parameters
    ----------
    r_ecef_m : array_like, shape (..., 3)
        ECEF positions, metres.
    lat0_deg, lon0_deg, alt0_m : array_like
        Geodetic origin of the local frame; broadcast against ``r_ecef_m.shape[:-1]``.
    earth : Earth, optional
        Earth model (WGS84 by default).

    Returns
    -------
    numpy.ndarray
        East, north, up coordinates, shape ``(..., 3)``, metres.
    """
    x, y, z = _components(r_ecef_m, "r_ecef_m")
    e, n, u = pymap3d.ecef2enu(
        x, y, z, _as_float(lat0_deg), _as_float(lon0_deg), _as_float(alt0_m),
        ell=_ellipsoid(earth), deg=True,
    )  # fmt: skip
    return _stack3(e, n, u)


def enu_to_ecef(
    r_enu_m: npt.ArrayLike,
    lat0_deg: npt.ArrayLike,
    lon0_deg: npt.ArrayLike,
    alt0_m: npt.ArrayLike,
    earth: Earth = WGS84,
) -> FloatArray:
    r"""East-north-up coordinates about a geodetic origin to ECEF position.

    .. math:: r_{ECEF} = r_{0,ECEF} + M(\varphi_0, \lambda_0)^\mathsf{T} r_{ENU}

    (``pymap3d.enu2ecef``).

    Parameters
    ----------
    r_enu_m : array_like, shape (..., 3)
        East, north, up coordinates, metres.
    lat0_deg, lon0_deg, alt0_m : array_like
        Geodetic origin of the local frame; broadcast against ``r_enu_m.shape[:-1]``.
    earth : Earth, optional
        Earth model (WGS84 by default).

    Returns
    -------
    numpy.ndarray
        ECEF positions, shape ``(..., 3)``, metres.
    """
    e, n, u = _components(r_enu_m, "r_enu_m")
    x, y, z = pymap3d.enu2ecef(
        e, n, u, _as_float(lat0_deg), _as_float(lon0_deg), _as_float(alt0_m),
        ell=_ellipsoid(earth), deg=True,
    )  # fmt: skip
    return _stack3(x, y, z)


def ecef_to_aer(
    r_ecef_m: npt.ArrayLike,
    lat0_deg: npt.ArrayLike,
    lon0_deg: npt.ArrayLike,
    alt0_m: npt.ArrayLike,
    earth: Earth = WGS84,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    r"""ECEF position to azimuth, elevation and slant range from a geodetic origin.

    From the ENU coordinates :math:`(e, n, u)` of the target (``pymap3d.ecef2aer``):

    .. math::

        \mathrm{az} = \operatorname{atan2}(e, n) \bmod 360^\circ,\quad
        \mathrm{el} = \operatorname{atan2}\!\left(u, \sqrt{e^2 + n^2}\right),\quad
        \rho = \sqrt{e^2 + n^2 + u^2}

    pymap3d rounds ENU components smaller than 1 mm to zero, so a target straight overhead
    has azimuth 0 and elevation exactly 90 deg.

    Parameters
    ----------
    r_ecef_m : array_like, shape (..., 3)
        ECEF positions of the targets, metres.
    lat0_deg, lon0_deg, alt0_m : array_like
        Geodetic position of the observer; broadcast against ``r_ecef_m.shape[:-1]``.
    earth : Earth, optional
        Earth model (WGS84 by default).

    Returns
    -------
    az_deg, el_deg, range_m : numpy.ndarray
        Azimuth clockwise from north in [0, 360) deg, elevation in [-90, 90] deg and slant
        range in metres, each of the broadcast leading shape.
    """
    x, y, z = _components(r_ecef_m, "r_ecef_m")
    az, el, rng = pymap3d.ecef2aer(
        x, y, z, _as_float(lat0_deg), _as_float(lon0_deg), _as_float(alt0_m),
        ell=_ellipsoid(earth), deg=True,
    )  # fmt: skip
    az_deg, el_deg, range_m = np.broadcast_arrays(_wrap_360(az), _as_float(el), _as_float(rng))
    return az_deg.copy(), el_deg.copy(), range_m.copy()


def ecef_to_aer_rate(
    r_ecef_m: npt.ArrayLike,
    v_ecef_mps: npt.ArrayLike,
    site_lat_deg: npt.ArrayLike,
    site_lon_deg: npt.ArrayLike,
    site_alt_m: npt.ArrayLike,
    earth: Earth = WGS84,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    r"""Azimuth, elevation, slant range and range rate of moving targets from a fixed site.

    Azimuth, elevation and range are those of :func:`ecef_to_aer`. The range rate is the
    time derivative of the slant range :math:`\rho = |\mathbf d|`,
    :math:`\mathbf d = \mathbf r - \mathbf r_s`, seen in the Earth-fixed frame in which
    the site :math:`\mathbf r_s` is at rest (the radar's Doppler, less any transmitter
    motion):

    .. math:: \dot\rho = \frac{\mathbf d\cdot\mathbf v}{\rho}

    with :math:`\mathbf v` the Earth-fixed velocity of the target. It is NaN at zero range.

    Parameters
    ----------
    r_ecef_m : array_like, shape (..., 3)
        ECEF positions of the targets, metres.
    v_ecef_mps : array_like, shape (..., 3)
        Earth-fixed (ECEF-frame) velocities of the targets, m/s; broadcast against
        ``r_ecef_m``.
    site_lat_deg, site_lon_deg, site_alt_m : array_like
        Geodetic position of the site; broadcast against ``r_ecef_m.shape[:-1]``.
    earth : Earth, optional
        Earth model (WGS84 by default).

    Returns
    -------
    az_deg, el_deg, range_m, range_rate_mps : numpy.ndarray
        Azimuth clockwise from north in [0, 360) deg, elevation in [-90, 90] deg, slant
        range in metres and range rate in m/s (positive receding), each of the broadcast
        leading shape.
    """
    r = _as_float(r_ecef_m)
    v = _as_float(v_ecef_mps)
    _components(v, "v_ecef_mps")
    az_deg, el_deg, range_m = ecef_to_aer(r, site_lat_deg, site_lon_deg, site_alt_m, earth)
    los_m = r - geodetic_to_ecef(site_lat_deg, site_lon_deg, site_alt_m, earth)
    closing = np.einsum("...i,...i->...", *np.broadcast_arrays(los_m, v))
    shape = np.broadcast_shapes(range_m.shape, closing.shape)
    range_m = np.broadcast_to(range_m, shape)
    rate = np.divide(
        closing, range_m, out=np.full(shape, np.nan), where=np.broadcast_to(range_m > 0.0, shape)
    )
    az_deg, el_deg = np.broadcast_to(az_deg, shape), np.broadcast_to(el_deg, shape)
    return az_deg.copy(), el_deg.copy(), range_m.copy(), _as_float(rate)


def aer_to_ecef(
    az_deg: npt.ArrayLike,
    el_deg: npt.ArrayLike,
    range_m: npt.ArrayLike,
    lat0_deg: npt.ArrayLike,
    lon0_deg: npt.ArrayLike,
    alt0_m: npt.ArrayLike,
    earth: Earth = WGS84,
) -> FloatArray:
    r"""Azimuth, elevation and slant range from a geodetic origin to ECEF position.

    .. math::

        e = \rho\cos\mathrm{el}\sin\mathrm{az},\quad
        n = \rho\cos\mathrm{el}\cos\mathrm{az},\quad
        u = \rho\sin\mathrm{el}

    then ENU to ECEF (``pymap3d.aer2ecef``).

    Parameters
    ----------
    az_deg, el_deg : array_like
        Azimuth clockwise from north and elevation above the local horizontal, degrees.
    range_m : array_like
        Slant range, metres (must be >= 0; pymap3d raises :class:`ValueError` otherwise).
    lat0_deg, lon0_deg, alt0_m : array_like
        Geodetic position of the observer.
    earth : Earth, optional
        Earth model (WGS84 by default).

    Returns
    -------
    numpy.ndarray
        ECEF positions, shape ``broadcast(all arguments).shape + (3,)``, metres.
    """
    x, y, z = pymap3d.aer2ecef(
        _as_float(az_deg), _as_float(el_deg), _as_float(range_m),
        _as_float(lat0_deg), _as_float(lon0_deg), _as_float(alt0_m),
        ell=_ellipsoid(earth), deg=True,
    )  # fmt: skip
    return _stack3(x, y, z)


# --------------------------------------------------------------------------------------------
# Geodesics (pyproj.Geod: Karney, "Algorithms for geodesics", J. Geodesy 87, 43-55, 2013)
# --------------------------------------------------------------------------------------------


def geodesic_inverse(
    lat1_deg: npt.ArrayLike,
    lon1_deg: npt.ArrayLike,
    lat2_deg: npt.ArrayLike,
    lon2_deg: npt.ArrayLike,
    earth: Earth = WGS84,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Shortest path on the ellipsoid between two points (the inverse geodesic problem).

    Solved by ``pyproj.Geod.inv`` (Karney 2013, accurate to about 15 nm).

    Parameters
    ----------
    lat1_deg, lon1_deg : array_like
        Geodetic latitude and longitude of the start point, degrees.
    lat2_deg, lon2_deg : array_like
        Geodetic latitude and longitude of the end point, degrees.
    earth : Earth, optional
        Earth model (WGS84 by default).

    Returns
    -------
    distance_m : numpy.ndarray
        Length of the geodesic, metres.
    azimuth1_deg : numpy.ndarray
        Azimuth of the geodesic at the start point, clockwise from north, in [0, 360).
    azimuth2_deg : numpy.ndarray
        *Forward* azimuth of the geodesic at the end point (the direction of travel on
        arrival, GeographicLib's ``azi2``), in [0, 360); add 180 deg for the back azimuth.
    """
    shape, (lat1, lon1, lat2, lon2) = _broadcast_flat(lat1_deg, lon1_deg, lat2_deg, lon2_deg)
    az1, az2, dist = _geod(earth).inv(lon1, lat1, lon2, lat2, return_back_azimuth=False)
    return (
        _as_float(dist).reshape(shape),
        _wrap_360(az1).reshape(shape),
        _wrap_360(az2).reshape(shape),
    )


def geodesic_direct(
    lat1_deg: npt.ArrayLike,
    lon1_deg: npt.ArrayLike,
    azimuth_deg: npt.ArrayLike,
    distance_m: npt.ArrayLike,
    earth: Earth = WGS84,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """End point of a geodesic of given start, azimuth and length (the direct problem).

    Solved by ``pyproj.Geod.fwd`` (Karney 2013).

    Parameters
    ----------
    lat1_deg, lon1_deg : array_like
        Geodetic latitude and longitude of the start point, degrees.
    azimuth_deg : array_like
        Azimuth at the start point, clockwise from north, degrees.
    distance_m : array_like
        Length of the geodesic, metres (negative goes backwards).
    earth : Earth, optional
        Earth model (WGS84 by default).

    Returns
    -------
    lat2_deg, lon2_deg : numpy.ndarray
        End point; longitude in [-180, 180] deg.
    azimuth2_deg : numpy.ndarray
        Forward azimuth at the end point, in [0, 360) (as in :func:`geodesic_inverse`).
    """
    shape, (lat1, lon1, az1, dist) = _broadcast_flat(lat1_deg, lon1_deg, azimuth_deg, distance_m)
    lon2, lat2, az2 = _geod(earth).fwd(lon1, lat1, az1, dist, return_back_azimuth=False)
    return (
        _as_float(lat2).reshape(shape),
        _as_float(lon2).reshape(shape),
        _wrap_360(az2).reshape(shape),
    )


def geodesic_line(
    lat1_deg: npt.ArrayLike,
    lon1_deg: npt.ArrayLike,
    lat2_deg: npt.ArrayLike,
    lon2_deg: npt.ArrayLike,
    n_points: int,
    earth: Earth = WGS84,
) -> tuple[FloatArray, FloatArray]:
    """Points equally spaced along the geodesic between two points, both ends included.

    Solves the inverse problem for the length ``s`` and start azimuth, then the direct
    problem at distances ``s * k / (n_points - 1)``, ``k = 0 .. n_points - 1``.

    Parameters
    ----------
    lat1_deg, lon1_deg, lat2_deg, lon2_deg : array_like
        End points, degrees; they broadcast together, so several lines can be drawn at once.
    n_points : int
        Number of points on each line (>= 2).
    earth : Earth, optional
        Earth model (WGS84 by default).

    Returns
    -------
    lat_deg, lon_deg : numpy.ndarray
        Shape ``broadcast(end points).shape + (n_points,)``; longitude in [-180, 180] deg
        (apply ``numpy.unwrap(..., period=360)`` to draw lines across the antimeridian).
    """
    if int(n_points) != n_points or n_points < 2:
        raise InputError(f"n_points: expected an integer >= 2, got {n_points!r}")
    dist, az1, _ = geodesic_inverse(lat1_deg, lon1_deg, lat2_deg, lon2_deg, earth=earth)
    shape = dist.shape
    lat1, lon1 = np.broadcast_arrays(_as_float(lat1_deg), _as_float(lon1_deg))
    lat1 = np.broadcast_to(lat1, shape)[..., np.newaxis]
    lon1 = np.broadcast_to(lon1, shape)[..., np.newaxis]
    fractions = np.linspace(0.0, 1.0, int(n_points))
    lat, lon, _ = geodesic_direct(
        lat1, lon1, az1[..., np.newaxis], dist[..., np.newaxis] * fractions, earth=earth
    )
    return lat, lon


# --------------------------------------------------------------------------------------------
# A site's view of moving targets (what a radar's look needs), library or compiled
# --------------------------------------------------------------------------------------------

GeometryBackend = Literal["numpy", "compiled"]
"""How :func:`site_view` computes: ``"numpy"``, the library calls of this module (pymap3d,
pyproj: the reference), or ``"compiled"``, one Numba call
(:mod:`thaadsim.physics._geodesy_kernel`; Vincenty's inverse geodesic, which agrees with
pyproj's Karney to about 0.1 mm below 20,000 km, tested)."""
GEOMETRY_BACKENDS: tuple[GeometryBackend, ...] = ("numpy", "compiled")


@dataclass(frozen=True, kw_only=True)
class SiteView:
    """Targets seen from a site (arrays of the targets' leading shape)."""

    az_deg: FloatArray
    """Azimuth clockwise from north, [0, 360) (:func:`ecef_to_aer_rate`)."""
    el_deg: FloatArray
    range_m: FloatArray
    range_rate_mps: FloatArray
    alt_m: FloatArray
    """Geodetic height of the target (:func:`ecef_to_geodetic`)."""
    ground_m: FloatArray
    """Length of the geodesic from the site to the point under the target
    (:func:`geodesic_inverse`)."""
    ground_az_deg: FloatArray
    """Its azimuth at the site, [0, 360)."""


@lru_cache(maxsize=16)
def _earth_pack(earth: Earth) -> FloatArray:
    """The kernels' Earth pack ``(a, e2, b, gm, j2, omega)``."""
    return np.array([earth.a_m, earth.e2, earth.b_m, earth.gm_m3ps2, earth.j2,
                     earth.omega_radps])


def site_kernel_packs(site_lat_deg: float, site_lon_deg: float, site_alt_m: float,
                      earth: Earth = WGS84) -> tuple[FloatArray, FloatArray, FloatArray]:
    """The packs a compiled look at targets from a site takes
    (:mod:`~thaadsim.physics._geodesy_kernel`): ``site`` (4, 3), its ENU basis rows and ECEF
    position; ``site_geo`` (latitude rad, longitude rad, height m); ``earth``."""
    site = np.ascontiguousarray(np.concatenate([
        enu_basis(site_lat_deg, site_lon_deg),
        geodetic_to_ecef(site_lat_deg, site_lon_deg, site_alt_m, earth).reshape(1, 3)]))
    geo = np.array([np.radians(site_lat_deg), np.radians(site_lon_deg), float(site_alt_m)])
    return site, geo, _earth_pack(earth)


def site_view(
    r_ecef_m: npt.ArrayLike,
    v_ecef_mps: npt.ArrayLike,
    site_lat_deg: float,
    site_lon_deg: float,
    site_alt_m: float,
    earth: Earth = WGS84,
    backend: GeometryBackend = "compiled",
) -> SiteView:
    """Azimuth, elevation, range and range rate of moving targets from one fixed site
    (:func:`ecef_to_aer_rate`), their geodetic heights (:func:`ecef_to_geodetic`) and the
    geodesic from the site to the point under each (:func:`geodesic_inverse`): the
    geometry of a radar's look.

    ``backend="numpy"`` calls those functions; ``"compiled"`` computes the same in one
    Numba call (:mod:`~thaadsim.physics._geodesy_kernel`), equal to rounding: tested
    against the library path to 1e-9 deg, 1e-6 m (heights, ranges) and 1 mm (geodesic
    distances, Vincenty against Karney).
    """
    if backend not in GEOMETRY_BACKENDS:
        raise InputError(f"backend: {backend!r} is not one of {', '.join(GEOMETRY_BACKENDS)}")
    r = _as_float(r_ecef_m)
    _components(r, "r_ecef_m")
    v = np.broadcast_to(_as_float(v_ecef_mps), r.shape)
    if backend == "numpy":
        az, el, rng, rate = ecef_to_aer_rate(r, v, site_lat_deg, site_lon_deg, site_alt_m, earth)
        lat, lon, alt = ecef_to_geodetic(r, earth)
        ground, ground_az, _ = geodesic_inverse(site_lat_deg, site_lon_deg, lat, lon, earth)
        return SiteView(az_deg=az, el_deg=el, range_m=rng, range_rate_mps=rate, alt_m=alt,
                        ground_m=ground, ground_az_deg=ground_az)
    shape = r.shape[:-1]
    # C-ordered and writable, copied only when not: the one kind of array the kernel is
    # compiled for (a read-only view would be another signature, another compilation)
    flat_r = np.require(r.reshape(-1, 3), np.float64, ["C", "W"])
    flat_v = np.require(v.reshape(-1, 3), np.float64, ["C", "W"])
    site, geo, earth_pack = site_kernel_packs(site_lat_deg, site_lon_deg, site_alt_m, earth)
    out = [np.empty(flat_r.shape[0]) for _ in range(7)]
    _geodesy_kernel.look_geometry(flat_r, flat_v, site, geo, earth_pack, *out)
    az, el, rng, rate, alt, ground, ground_az = (o.reshape(shape) for o in out)
    return SiteView(az_deg=az, el_deg=el, range_m=rng, range_rate_mps=rate, alt_m=alt,
                    ground_m=ground, ground_az_deg=ground_az)
