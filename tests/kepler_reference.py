r"""Closed-form reference for ballistic free flight: vacuum, point-mass gravity, spherical
non-rotating Earth.

This module is deliberately independent of :mod:`thaadsim` (it imports nothing from it) so
that the simulator's propagator can be checked against it.

Given the burnout state -- radius :math:`r` (Earth radius plus burnout altitude), speed
:math:`v` and flight-path angle :math:`\gamma` above the local horizontal -- the free flight is
an arc of a Keplerian ellipse (Bate, Mueller & White, *Fundamentals of Astrodynamics*, Dover,
1971, ch. 6 "Ballistic missile trajectories", sec. 6.2; also Regan & Anandakrishnan, *Dynamics
of Atmospheric Re-Entry*, AIAA, 1993, ch. 4):

.. math::

    Q = \frac{r v^2}{\mu},\quad h = r v\cos\gamma,\quad p = \frac{h^2}{\mu} = r Q\cos^2\gamma,
    \quad \varepsilon = \frac{v^2}{2} - \frac{\mu}{r},\quad a = -\frac{\mu}{2\varepsilon}
    = \frac{r}{2 - Q},

    e\cos\nu_{bo} = \frac{p}{r} - 1 = Q\cos^2\gamma - 1,\qquad
    e\sin\nu_{bo} = \frac{h\,v\sin\gamma}{\mu} = Q\sin\gamma\cos\gamma,

so :math:`e^2 = 1 + Q(Q-2)\cos^2\gamma` (BMW sec. 6.2; the sum-of-squares form
:math:`e^2 = (e\cos\nu_{bo})^2 + (e\sin\nu_{bo})^2` is used because it stays exact at the
circular limit). The flight ends at the first descending
crossing of the impact radius :math:`r_i`, where :math:`\cos\nu_i = (p/r_i - 1)/e` with
:math:`\nu_i \in [\pi, 2\pi]`; the free-flight range angle is :math:`\Psi = \nu_i - \nu_{bo}`,
the apogee radius :math:`r_a = a(1 + e)`, and the time of flight follows from Kepler's
equation :math:`M = E - e\sin E`, :math:`t = (M_i - M_{bo})\sqrt{a^3/\mu}`.

A second, independent set of formulas holds when burnout and impact are at the same radius
(the symmetric trajectory of BMW sec. 6.2), numbered as in the 1971 Dover edition:

* free-flight range equation (6.2-12):
  :math:`\cos\frac{\Psi}{2} = \dfrac{1 - Q\cos^2\gamma}{\sqrt{1 + Q(Q-2)\cos^2\gamma}}`;
* maximum range (6.2-18, 6.2-19): :math:`\gamma^* = \tfrac14(\pi - \Psi_{max})`,
  :math:`\sin\frac{\Psi_{max}}{2} = \dfrac{Q}{2 - Q}`;
* time of free flight (6.2-21, 6.2-22):
  :math:`\cos E_1 = \dfrac{e - \cos(\Psi/2)}{1 - e\cos(\Psi/2)}`,
  :math:`t_{ff} = 2\sqrt{a^3/\mu}\,(\pi - E_1 + e\sin E_1)`.
"""

from __future__ import annotations

import math

GM_M3PS2 = 3.986004418e14
"""Geocentric gravitational constant, m^3/s^2 (WGS84)."""

R_SPHERE_M = 6_371_000.0
"""Mean Earth radius of the spherical model, m."""

_REL_TOL = 1e-12
"""Relative tolerance on radii for the tangent cases (circular orbit, grazing trajectory)."""


def kepler_ballistic(
    r_bo_m: float,
    v_mps: float,
    gamma_deg: float,
    r_impact_m: float,
    gm: float = GM_M3PS2,
) -> dict[str, float]:
    r"""Range angle, apogee radius and time of flight of a ballistic (Keplerian) free flight.

    See the module docstring for the equations. The eccentric anomalies are taken from the
    radius and the radial velocity, :math:`e\cos E = 1 - r/a` and
    :math:`e\sin E = r\dot r/\sqrt{\mu a}`, which is the same angle as
    :math:`\tan\frac{E}{2} = \sqrt{\frac{1-e}{1+e}}\tan\frac{\nu}{2}` but stays well
    conditioned for a near-vertical launch (:math:`e \to 1`).

    Parameters
    ----------
    r_bo_m : float
        Burnout radius from the Earth's centre (sphere radius plus burnout altitude), m.
    v_mps : float
        Burnout speed (inertial, the Earth does not rotate), m/s.
    gamma_deg : float
        Flight-path angle at burnout above the local horizontal, deg, in [-90, 90].
    r_impact_m : float
        Radius at which the flight ends (on the way down), m; e.g. 6,371,000 m.
    gm : float, optional
        Gravitational parameter :math:`\mu`, m^3/s^2.

    Returns
    -------
    dict
        ``range_angle_rad`` (free-flight range angle :math:`\Psi` subtended at the Earth's
        centre; multiply by ``r_impact_m`` for the ground range), ``apogee_radius_m`` (the
        conic's :math:`a(1 + e)`, which a burnout with ``gamma_deg < 0`` has already passed),
        ``time_of_flight_s``, and for convenience ``eccentricity`` and ``semimajor_axis_m``.

        Special cases:

        * the orbit never dips below ``r_impact_m`` (perigee >= ``r_impact_m``: circular or
          super-circular horizontal burnout at the impact radius, an orbit) -- no impact:
          ``range_angle_rad`` and ``time_of_flight_s`` are ``+inf``;
        * escape (:math:`\varepsilon \ge 0`) while climbing -- no impact: range and time are
          ``+inf`` and ``apogee_radius_m`` is ``+inf`` (a descending hyperbolic burnout is not
          supported and raises :class:`ValueError`);
        * the flight never reaches ``r_impact_m`` (apogee below it, or descending below it) --
          ``range_angle_rad`` and ``time_of_flight_s`` are ``nan``.
    """
    mu = gm
    r = r_bo_m
    gamma = math.radians(gamma_deg)
    cos_g, sin_g = math.cos(gamma), math.sin(gamma)
    q = r * v_mps**2 / mu
    energy = v_mps**2 / 2.0 - mu / r
    if energy >= 0.0:
        if gamma_deg < 0.0:
            raise ValueError("descending hyperbolic or parabolic burnout is not supported")
        return {
            "range_angle_rad": math.inf,
            "apogee_radius_m": math.inf,
            "time_of_flight_s": math.inf,
            "eccentricity": math.sqrt(1.0 + q * (q - 2.0) * cos_g**2),
            "semimajor_axis_m": math.inf if energy == 0.0 else -mu / (2.0 * energy),
        }

    a = r / (2.0 - q)  # = -mu / (2 energy)
    p = r * q * cos_g**2  # = h^2 / mu
    e_cos_nu_bo = q * cos_g**2 - 1.0
    e_sin_nu_bo = q * sin_g * cos_g
    e = math.hypot(e_cos_nu_bo, e_sin_nu_bo)
    r_apogee = a * (1.0 + e)
    r_perigee = a * (1.0 - e)
    result = {"apogee_radius_m": r_apogee, "eccentricity": e, "semimajor_axis_m": a}

    if r_perigee >= r_impact_m * (1.0 - _REL_TOL):
        return result | {"range_angle_rad": math.inf, "time_of_flight_s": math.inf}
    if r_apogee < r_impact_m * (1.0 - _REL_TOL):
        return result | {"range_angle_rad": math.nan, "time_of_flight_s": math.nan}

    # True anomalies: burnout in [0, 2 pi), impact on the descending branch [pi, 2 pi].
    nu_bo = math.atan2(e_sin_nu_bo, e_cos_nu_bo) % (2.0 * math.pi)
    cos_nu_i = min(1.0, max(-1.0, (p / r_impact_m - 1.0) / e))
    nu_i = 2.0 * math.pi - math.acos(cos_nu_i)
    if nu_i < nu_bo - 1e-12:  # descending and already below r_impact
        return result | {"range_angle_rad": math.nan, "time_of_flight_s": math.nan}
    range_angle = max(0.0, nu_i - nu_bo)

    # Eccentric anomalies in [0, 2 pi] from radius and radial velocity, then Kepler's equation.
    sqrt_mu_a = math.sqrt(mu * a)
    e_sin_E_bo = r * v_mps * sin_g / sqrt_mu_a  # r * rdot / sqrt(mu a)
    e_cos_E_bo = 1.0 - r / a
    E_bo = math.atan2(e_sin_E_bo, e_cos_E_bo) % (2.0 * math.pi)
    e_cos_E_i = 1.0 - r_impact_m / a
    e_sin_E_i = -math.sqrt(max(0.0, e * e - e_cos_E_i**2))  # descending: rdot < 0
    E_i = math.atan2(e_sin_E_i, e_cos_E_i) % (2.0 * math.pi)  # in [pi, 2 pi)
    mean_motion = math.sqrt(mu / a**3)
    tof = ((E_i - e_sin_E_i) - (E_bo - e_sin_E_bo)) / mean_motion
    return result | {"range_angle_rad": range_angle, "time_of_flight_s": max(0.0, tof)}


def bmw_free_flight_range_angle(
    r_bo_m: float, v_mps: float, gamma_deg: float, gm: float = GM_M3PS2
) -> float:
    r"""Free-flight range angle of a symmetric trajectory, BMW eq. (6.2-12).

    .. math::

        \cos\frac{\Psi}{2} = \frac{1 - Q\cos^2\gamma}{\sqrt{1 + Q(Q-2)\cos^2\gamma}},
        \qquad Q = \frac{r v^2}{\mu}

    Valid for burnout and impact at the same radius ``r_bo_m``, ``0 < Q < 2`` and
    ``gamma_deg`` > 0. Returns :math:`\Psi` in radians.
    """
    q = r_bo_m * v_mps**2 / gm
    c2 = math.cos(math.radians(gamma_deg)) ** 2
    cos_half = (1.0 - q * c2) / math.sqrt(1.0 + q * (q - 2.0) * c2)
    return 2.0 * math.acos(min(1.0, max(-1.0, cos_half)))


def bmw_time_of_free_flight(
    r_bo_m: float, v_mps: float, gamma_deg: float, gm: float = GM_M3PS2
) -> float:
    r"""Time of free flight of a symmetric trajectory, BMW eqs. (6.2-21) and (6.2-22).

    .. math::

        \cos E_1 = \frac{e - \cos(\Psi/2)}{1 - e\cos(\Psi/2)},\qquad
        t_{ff} = 2\sqrt{\frac{a^3}{\mu}}\left(\pi - E_1 + e\sin E_1\right)

    with :math:`\Psi` from eq. (6.2-12), :math:`a = r/(2 - Q)` and
    :math:`e^2 = 1 + Q(Q-2)\cos^2\gamma`. Same validity as
    :func:`bmw_free_flight_range_angle`. Returns seconds.
    """
    q = r_bo_m * v_mps**2 / gm
    c2 = math.cos(math.radians(gamma_deg)) ** 2
    e = math.sqrt(1.0 + q * (q - 2.0) * c2)
    a = r_bo_m / (2.0 - q)
    cos_half = math.cos(bmw_free_flight_range_angle(r_bo_m, v_mps, gamma_deg, gm) / 2.0)
    cos_e1 = (e - cos_half) / (1.0 - e * cos_half)
    e1 = math.acos(min(1.0, max(-1.0, cos_e1)))
    return 2.0 * math.sqrt(a**3 / gm) * (math.pi - e1 + e * math.sin(e1))


def bmw_max_range_angle(r_bo_m: float, v_mps: float, gm: float = GM_M3PS2) -> float:
    r"""Largest free-flight range angle for a given burnout speed, BMW eq. (6.2-19).

    .. math:: \sin\frac{\Psi_{max}}{2} = \frac{Q}{2 - Q}\qquad (Q \le 1)

    Returns :math:`\Psi_{max}` in radians.
    """
    q = r_bo_m * v_mps**2 / gm
    return 2.0 * math.asin(q / (2.0 - q))


def bmw_optimal_flight_path_angle_deg(range_angle_rad: float) -> float:
    r"""Burnout flight-path angle giving the maximum range, BMW eq. (6.2-18).

    .. math:: \gamma^* = \tfrac14\left(\pi - \Psi\right)
    """
    return math.degrees((math.pi - range_angle_rad) / 4.0)
