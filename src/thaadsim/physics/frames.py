r"""Earth-centred inertial (ECI) <-> Earth-centred Earth-fixed (ECEF) for a rotating Earth.

The model is a uniform rotation about the ECEF z axis: the ECI frame coincides with ECEF at
``t_s = 0`` and ECEF turns eastwards at ``omega_radps`` (by default the WGS84 value
:data:`~thaadsim.physics.earth.OMEGA_EARTH_RADPS` = 7.2921150e-5 rad/s, one turn per
sidereal day of about 86,164.1 s). The rotation angle is :math:`\theta = \omega t` and

.. math::

    r_{ECI} = R_z(\theta)\, r_{ECEF},\qquad
    R_z(\theta) = \begin{pmatrix}\cos\theta & -\sin\theta & 0\\
                                 \sin\theta & \cos\theta & 0\\ 0 & 0 & 1\end{pmatrix}.

Precession, nutation, polar motion and the link to a calendar epoch (Greenwich sidereal
time) are ignored: this ECI is a "pseudo-inertial" frame good for the minutes of a missile
flight, not a realisation of GCRF/J2000.

Positions are arrays of shape ``(..., 3)``, states ``(..., 6)`` (position then velocity);
``t_s`` broadcasts against the leading axes.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from thaadsim.errors import InputError
from thaadsim.physics.earth import OMEGA_EARTH_RADPS

__all__ = [
    "ecef_state_to_eci",
    "ecef_to_eci",
    "eci_state_to_ecef",
    "eci_to_ecef",
]

FloatArray = npt.NDArray[np.float64]


def _vectors(r: npt.ArrayLike, size: int, name: str) -> FloatArray:
    arr = np.asarray(r, dtype=np.float64)
    if arr.ndim == 0 or arr.shape[-1] != size:
        raise InputError(f"{name}: expected an array of shape (..., {size}), got {arr.shape}")
    return arr


def _rotate_z(r: FloatArray, angle_rad: npt.ArrayLike) -> FloatArray:
    """Rotate 3-vectors ``(..., 3)`` by ``angle_rad`` (broadcast) about +z (right hand)."""
    c = np.cos(angle_rad)
    s = np.sin(angle_rad)
    x, y, z = r[..., 0], r[..., 1], r[..., 2]
    out = np.broadcast_arrays(c * x - s * y, s * x + c * y, z)
    return np.stack(out, axis=-1)


def _omega_cross(r: FloatArray, omega_radps: float) -> FloatArray:
    r"""Cross product :math:`\omega \hat z \times r = \omega(-y, x, 0)`."""
    wx = omega_radps * r[..., 0]
    return np.stack([-omega_radps * r[..., 1], wx, np.zeros_like(wx)], axis=-1)


def ecef_to_eci(
    r_ecef_m: npt.ArrayLike, t_s: npt.ArrayLike, omega_radps: float = OMEGA_EARTH_RADPS
) -> FloatArray:
    r"""Earth-fixed position to inertial position at time ``t_s``.

    .. math:: r_{ECI} = R_z(\omega t)\, r_{ECEF}

    Parameters
    ----------
    r_ecef_m : array_like, shape (..., 3)
        ECEF positions, metres.
    t_s : array_like
        Time since the frames coincided, seconds; broadcasts against ``r_ecef_m.shape[:-1]``.
    omega_radps : float, optional
        Earth rotation rate, rad/s.

    Returns
    -------
    numpy.ndarray
        ECI positions, shape ``broadcast(r.shape[:-1], t.shape) + (3,)``, metres.
    """
    r = _vectors(r_ecef_m, 3, "r_ecef_m")
    return _rotate_z(r, omega_radps * np.asarray(t_s, dtype=np.float64))


def eci_to_ecef(
    r_eci_m: npt.ArrayLike, t_s: npt.ArrayLike, omega_radps: float = OMEGA_EARTH_RADPS
) -> FloatArray:
    r"""Inertial position to Earth-fixed position at time ``t_s``.

    .. math:: r_{ECEF} = R_z(-\omega t)\, r_{ECI}

    Parameters
    ----------
    r_eci_m : array_like, shape (..., 3)
        ECI positions, metres.
    t_s : array_like
        Time since the frames coincided, seconds; broadcasts against ``r_eci_m.shape[:-1]``.
    omega_radps : float, optional
        Earth rotation rate, rad/s.

    Returns
    -------
    numpy.ndarray
        ECEF positions, shape ``broadcast(r.shape[:-1], t.shape) + (3,)``, metres.
    """
    r = _vectors(r_eci_m, 3, "r_eci_m")
    return _rotate_z(r, -omega_radps * np.asarray(t_s, dtype=np.float64))


def ecef_state_to_eci(
    state_ecef: npt.ArrayLike, t_s: npt.ArrayLike, omega_radps: float = OMEGA_EARTH_RADPS
) -> FloatArray:
    r"""Earth-fixed state (position, velocity) to inertial state at time ``t_s``.

    The inertial velocity adds the transport term of the rotating frame:

    .. math::

        r_{ECI} = R_z(\omega t)\, r_{ECEF},\qquad
        v_{ECI} = R_z(\omega t)\,\left(v_{ECEF} + \omega\hat z \times r_{ECEF}\right)

    Parameters
    ----------
    state_ecef : array_like, shape (..., 6)
        ECEF position (m) and velocity relative to the rotating Earth (m/s).
    t_s : array_like
        Time since the frames coincided, seconds; broadcasts against the leading axes.
    omega_radps : float, optional
        Earth rotation rate, rad/s.

    Returns
    -------
    numpy.ndarray
        ECI states, shape ``broadcast(state.shape[:-1], t.shape) + (6,)``.
    """
    state = _vectors(state_ecef, 6, "state_ecef")
    r, v = state[..., :3], state[..., 3:]
    angle = omega_radps * np.asarray(t_s, dtype=np.float64)
    r_eci = _rotate_z(r, angle)
    v_eci = _rotate_z(v + _omega_cross(r, omega_radps), angle)
    return np.concatenate([r_eci, v_eci], axis=-1)


def eci_state_to_ecef(
    state_eci: npt.ArrayLike, t_s: npt.ArrayLike, omega_radps: float = OMEGA_EARTH_RADPS
) -> FloatArray:
    r"""Inertial state (position, velocity) to Earth-fixed state at time ``t_s``.

    The inverse of :func:`ecef_state_to_eci`:

    .. math::

        r_{ECEF} = R_z(-\omega t)\, r_{ECI},\qquad
        v_{ECEF} = R_z(-\omega t)\, v_{ECI} - \omega\hat z \times r_{ECEF}

    Parameters
    ----------
    state_eci : array_like, shape (..., 6)
        ECI position (m) and inertial velocity (m/s).
    t_s : array_like
        Time since the frames coincided, seconds; broadcasts against the leading axes.
    omega_radps : float, optional
        Earth rotation rate, rad/s.

    Returns
    -------
    numpy.ndarray
        ECEF states (velocity relative to the rotating Earth), shape
        ``broadcast(state.shape[:-1], t.shape) + (6,)``.
    """
    state = _vectors(state_eci, 6, "state_eci")
    r, v = state[..., :3], state[..., 3:]
    angle = -omega_radps * np.asarray(t_s, dtype=np.float64)
    r_ecef = _rotate_z(r, angle)
    v_ecef = _rotate_z(v, angle) - _omega_cross(r_ecef, omega_radps)
    return np.concatenate([r_ecef, v_ecef], axis=-1)
