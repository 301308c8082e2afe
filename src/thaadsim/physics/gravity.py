r"""Gravity: point mass plus the J2 zonal harmonic, in an Earth-fixed frame.

With :math:`r = |\mathbf r|`, :math:`k = \tfrac32 J_2 (a/r)^2` and
:math:`s = z^2/r^2` (Vallado, *Fundamentals of Astrodynamics and
Applications*, 4th ed., eq. 8-30):

.. math::

    \ddot x = -\frac{\mu x}{r^3}\,[1 + k(1 - 5s)],\quad
    \ddot y = -\frac{\mu y}{r^3}\,[1 + k(1 - 5s)],\quad
    \ddot z = -\frac{\mu z}{r^3}\,[1 + k(3 - 5s)].

The scalar kernel :func:`gravity_xyz` is the one the propagator compiles in;
:func:`gravity_accel_mps2` applies it to arrays.
"""

from __future__ import annotations

import numba
import numpy as np
from numpy.typing import ArrayLike, NDArray

from thaadsim.physics._jit import FASTMATH
from thaadsim.physics.earth import WGS84, Earth


@numba.njit(cache=True, inline="always", fastmath=FASTMATH, error_model="numpy")
def gravity_at_radius(
    x: float, y: float, z: float, r: float, inv_r2: float, gm: float, k_j2: float
) -> tuple[float, float, float]:
    """Gravitational acceleration (m/s^2) given the radius ``r`` and ``1/r^2``.

    ``k_j2`` = 1.5 J2 a^2. The propagator calls this form because it needs r
    and 1/r^2 for the altitude too.
    """
    mu_r3 = gm * inv_r2 / r
    k = k_j2 * inv_r2
    s5 = 5.0 * z * z * inv_r2
    cxy = mu_r3 * (1.0 + k * (1.0 - s5))
    cz = mu_r3 * (1.0 + k * (3.0 - s5))
    return -cxy * x, -cxy * y, -cz * z


@numba.njit(cache=True, inline="always", fastmath=FASTMATH, error_model="numpy")
def gravity_xyz(
    x: float, y: float, z: float, gm: float, j2: float, a: float
) -> tuple[float, float, float]:
    """Gravitational acceleration (m/s^2) at one Earth-fixed point (m)."""
    r2 = x * x + y * y + z * z
    return gravity_at_radius(x, y, z, np.sqrt(r2), 1.0 / r2, gm, 1.5 * j2 * a * a)


@numba.njit(cache=True)
def _gravity_rows(r: NDArray[np.float64], gm: float, j2: float, a: float) -> NDArray[np.float64]:
    out = np.empty_like(r)
    for i in range(r.shape[0]):
        gx, gy, gz = gravity_xyz(r[i, 0], r[i, 1], r[i, 2], gm, j2, a)
        out[i, 0] = gx
        out[i, 1] = gy
        out[i, 2] = gz
    return out


def gravity_accel_mps2(r_ecef_m: ArrayLike, earth: Earth = WGS84) -> NDArray[np.float64]:
    """Gravitational acceleration at Earth-fixed positions ``(..., 3)`` in m/s^2.

    Point mass plus J2 for ``wgs84``; point mass alone for ``sphere`` (its J2 is 0).
    """
    r = np.asarray(r_ecef_m, dtype=np.float64)
    rows = np.ascontiguousarray(r.reshape(-1, 3))
    return _gravity_rows(rows, earth.gm_m3ps2, earth.j2, earth.a_m).reshape(r.shape)
