r"""The compiled core of the propagator: adaptive Dormand-Prince 5(4) per trajectory.

Everything here is arithmetic on floats so that Numba compiles it; the public
interface, with units in names and validation, is :mod:`thaadsim.physics.propagate`.

Equations of motion in the Earth-fixed frame rotating at :math:`\omega` about z
(Vallado 4th ed. sec. 3.7; Zipfel, *Modeling and Simulation of Aerospace
Vehicle Dynamics*, ch. 10):

.. math::

    \ddot{\mathbf r} = \mathbf g(\mathbf r)
        + \frac{T}{m}\hat{\mathbf u}
        - \frac{\rho(h)\,|\mathbf v|\,C_DA}{2m}\mathbf v
        - 2\boldsymbol\omega\times\mathbf v
        - \boldsymbol\omega\times(\boldsymbol\omega\times\mathbf r),

with :math:`m(t) = m_0 - \dot m (t - t_0)`. The air rotates with the Earth, so
:math:`\mathbf v` is also the air-relative velocity. A coasting body has
:math:`T = \dot m = 0` and :math:`m_0/C_DA = \beta`, its ballistic coefficient.
The thrust points along :math:`\mathbf v` (gravity turn, ``steer = 0``), along
the local geodetic vertical (``steer = 1``), or (``steer = 2``, a steered ascent) is
turned from :math:`\mathbf v` in the vertical plane by the angle between the flight-path
angle :math:`\gamma` and a commanded one, :math:`\delta = \mathrm{clip}(5(\gamma_c -
\gamma), \pm\delta_{max})`: it pitches the missile over (or up) to :math:`\gamma_c`
and holds it there.

A coasting body with a lift-to-drag ratio :math:`E > 0` (a manoeuvring,
quasi-ballistic missile) has the parabolic drag polar
:math:`C_D = C_{D0} + K C_L^2` of the lifting-entry literature (Vinh, Busemann &
Culp, *Hypersonic and Planetary Entry Flight Mechanics*, 1980; Regan &
Anandakrishnan, *Dynamics of Atmospheric Re-Entry*, 1993): :math:`\beta` is the
zero-lift ballistic coefficient and :math:`E` the maximum :math:`L/D`, flown at
:math:`C_L^* = \sqrt{C_{D0}/K}` where :math:`C_D = 2 C_{D0}`. With
:math:`D_0 = \rho v^2/(2\beta)` per unit mass and the fraction :math:`u = C_L/C_L^*`,

.. math::

    \frac{L}{m} = 2 E D_0\,u \;\text{(up, in the vertical plane, normal to } \mathbf v),
    \qquad \frac{D}{m} = D_0\,(1 + u^2),

and the guidance glides at maximum :math:`L/D` (:math:`u = 1`) whenever the body is
level or descending, unloading linearly to :math:`u = 0` in a climb of
:math:`\sin\gamma = 0.1` (5.7 degrees). Below the altitude of the equilibrium glide
(lift = weight less the centrifugal relief) it therefore pulls up into a shallow
climb, above it it sinks: it settles on the maximum-range equilibrium glide, whose
range from speed :math:`v_0` to :math:`v_1` at radius :math:`r` is
:math:`\tfrac{E r}{2}\ln\frac{1 - v_1^2/(g r)}{1 - v_0^2/(g r)}` (the same books;
tested), and it can never climb out of the atmosphere on its lift. With
:math:`E = 0` none of this is evaluated. Two guided lift laws fly the same polar with a
lift cap (maximum lift coefficient and load factor, :func:`guided_lift`): a glide vehicle
(pull-up, damped maximum-L/D equilibrium glide, terminal dive below an energy) and a
manoeuvring re-entry vehicle (ballistic, then a pull-up and a lateral jink below an
altitude).

The integrator is the Dormand-Prince 5(4) pair with FSAL and the standard step
control (Hairer, Norsett & Wanner, *Solving ODEs I*, sec. II.4-II.5). Events
(impact, apogee, altitude crossings) are located inside an accepted step on a
quintic Hermite interpolant of position (position, velocity and acceleration at
both ends) by safeguarded regula falsi, not by shrinking the step.
"""

from __future__ import annotations

import numba
import numpy as np

from thaadsim.physics._jit import FASTMATH
from thaadsim.physics.gravity import gravity_at_radius

STEER_GAIN = 5.0
"""Thrust deflection per unit of flight-path-angle error in a steered ascent (rad/rad): a
time constant of v / (5 T/m), about 1-2 s, so that the missile follows its pitch program."""

# Status codes of one integration (also documented in propagate.py).
RUNNING = -1
REACHED_END = 0
IMPACT = 1
MAX_STEPS = 2
FAILED = 3

# Dormand-Prince 5(4) tableau.
C2, C3, C4, C5 = 1.0 / 5.0, 3.0 / 10.0, 4.0 / 5.0, 8.0 / 9.0
A21 = 1.0 / 5.0
A31, A32 = 3.0 / 40.0, 9.0 / 40.0
A41, A42, A43 = 44.0 / 45.0, -56.0 / 15.0, 32.0 / 9.0
A51, A52, A53, A54 = 19372.0 / 6561.0, -25360.0 / 2187.0, 64448.0 / 6561.0, -212.0 / 729.0
A61, A62, A63, A64, A65 = (
    9017.0 / 3168.0,
    -355.0 / 33.0,
    46732.0 / 5247.0,
    49.0 / 176.0,
    -5103.0 / 18656.0,
)
B1, B3, B4, B5, B6 = 35.0 / 384.0, 500.0 / 1113.0, 125.0 / 192.0, -2187.0 / 6784.0, 11.0 / 84.0
E1 = 71.0 / 57600.0
E3 = -71.0 / 16695.0
E4 = 71.0 / 1920.0
E5 = -17253.0 / 339200.0
E6 = 22.0 / 525.0
E7 = -1.0 / 40.0


@numba.njit(cache=True, inline="always", fastmath=FASTMATH, error_model="numpy")
def altitude_up(
    x: float, y: float, z: float, a: float, e2: float
) -> tuple[float, float, float, float]:
    """Geodetic altitude (m) and the local up unit vector at an Earth-fixed point.

    Bowring's (1976) one-step latitude followed by the height along the normal,
    :math:`h = p\\cos\\varphi + z\\sin\\varphi - a\\sqrt{1 - e^2\\sin^2\\varphi}`,
    which is stationary in the latitude error and so exact to well under a
    millimetre for altitudes up to tens of thousands of kilometres (tested against
    pymap3d). For a sphere (``e2 == 0``) it is :math:`|\\mathbf r| - a`.
    """
    p = np.sqrt(x * x + y * y)
    if e2 == 0.0:
        r = np.sqrt(p * p + z * z)
        return r - a, x / r, y / r, z / r
    b = a * np.sqrt(1.0 - e2)
    ep2 = e2 / (1.0 - e2)
    u = z * a
    w = p * b
    q = np.sqrt(u * u + w * w)
    st = u / q
    ct = w / q
    num = z + ep2 * b * st * st * st
    den = p - e2 * a * ct * ct * ct
    n = np.sqrt(num * num + den * den)
    sphi = num / n
    cphi = den / n
    h = p * cphi + z * sphi - a * np.sqrt(1.0 - e2 * sphi * sphi)
    if p > 0.0:
        return h, cphi * x / p, cphi * y / p, sphi
    return h, 0.0, 0.0, sphi


@numba.njit(cache=True, inline="always", fastmath=FASTMATH, error_model="numpy")
def altitude_along_radius(r: float, cos2_lat: float, b: float, e2: float) -> float:
    """Altitude above the ellipsoid along the geocentric radius, for air density.

    ``r`` is the radius and ``cos2_lat`` = (p/r)^2 the squared cosine of the
    geocentric latitude. :math:`h = r - b/\\sqrt{1 - e^2 (p/r)^2}` (the polar
    equation of the meridian ellipse), by its binomial series to 4th order in
    :math:`e^2` (error below 1e-4 m). It differs from the geodetic altitude by
    about :math:`h\\,\\delta^2/2` with :math:`\\delta \\le 3.4` mrad the angle
    between the radius and the normal: under 0.3 m at 50 km, 0.05% of the air density.
    """
    x = e2 * cos2_lat
    return r - b * (1.0 + x * (0.5 + x * (0.375 + x * (0.3125 + x * 0.2734375))))


@numba.njit(cache=True, inline="always", fastmath=FASTMATH, error_model="numpy")
def density_from_table(h: float, rho_poly: np.ndarray, h0: float, dh: float) -> float:
    """Air density from a cubic spline on a uniform altitude grid.

    ``rho_poly[i]`` holds the cubic's coefficients in the fraction ``u`` of
    interval ``i``. The spline is C2, so the integrator's error estimate sees no
    kinks (piecewise-linear tables double the number of rejected steps). Below
    the grid the density of its first node applies; above it, none.
    """
    s = (h - h0) * (1.0 / dh)
    if s <= 0.0:
        return rho_poly[0, 0]
    n = rho_poly.shape[0]
    if s >= n:
        return 0.0
    i = int(s)
    u = s - i
    return ((rho_poly[i, 3] * u + rho_poly[i, 2]) * u + rho_poly[i, 1]) * u + rho_poly[i, 0]


GLIDE_GAIN = 0.05
"""Guided glide (law 1): extra lift per unit of flight-path angle below level, per unit of
speed (1/s). It damps the glide's altitude (phugoid) oscillation, whose angular frequency
is sqrt(L/(m H)) ~ 0.025-0.035 rad/s (lift L/m ~ 4-9 m/s2, density scale height H ~ 7 km):
near critical damping, 2 x 0.025-0.035."""

DIVE_GAIN = 0.2
"""Guided dive (law 1) and manoeuvre (law 2): lift per unit of flight-path-angle error per
unit of speed (1/s): a time constant of 5 s to the commanded angle, within the lift cap."""


@numba.njit(cache=True, inline="always", fastmath=FASTMATH, error_model="numpy")
def guided_lift(t, px, py, pz, vx, vy, vz, r, h, speed, kd, seg, gm, a_m):
    r"""Lift and induced drag of a guided lifting body (acceleration, m/s2, Earth-fixed).

    Parabolic polar as in :func:`rhs`: the lift at the attitude of maximum L/D = E is
    ``2 E D0`` (``D0 = kd * speed``, the zero-lift drag per unit mass); a lift ``a``
    costs the drag ``D0 (1 + (a / (2 E D0))^2)``, of which this returns the part above
    ``D0``. The lift is capped at ``min(u_max 2 E D0, a_max)``: ``u_max = C_L,max/C_L*``
    (``seg[12]``), ``a_max`` the load-factor limit (``seg[13]``, m/s2).

    ``seg[11] = 1``, glide vehicle. While its energy speed (the speed it would have at
    the equatorial radius with no drag, :math:`v_e^2 = v^2 + 2\mu(1/a - 1/r)`, which
    only drag lowers) is above ``seg[14]``: lift ``2 E D0 + k_g v (0 - gamma)``, the
    maximum-L/D glide with the flight-path angle fed back (``GLIDE_GAIN``): it pulls up
    out of the descent after the boost and settles on the equilibrium glide (lift plus
    centrifugal relief = weight). Below: the terminal dive, a commanded flight-path
    angle ``seg[15]``: lift ``(g - v^2/r) cos gamma + k_d v (gamma_c - gamma)``, negative
    (the vehicle rolls over) as far as the cap allows. The aim point enters only through
    the dive speed and the boost: the aimer (:mod:`thaadsim.systems.threat`) chooses the
    burnout state so that the dive ends on it; no range-to-go guidance is modelled.

    ``seg[11] = 2``, manoeuvring re-entry vehicle: no lift above the altitude ``seg[14]``
    (ballistic midcourse); below it, the vertical lift commanded toward the flight-path
    angle ``seg[15]`` as in the dive (a pull-up from a steeper re-entry), and the rest of
    the lift cap turned sideways, its side switching every ``seg[16]`` s (a jink; none
    if 0).
    """
    inv_r = 1.0 / r
    sin_g = (px * vx + py * vy + pz * vz) * inv_r / speed
    cos_g = np.sqrt(max(1.0 - sin_g * sin_g, 1e-12))
    gamma = np.arctan2(sin_g, cos_g)
    lift_best = 2.0 * seg[6] * kd * speed
    cap = min(seg[12] * lift_best, seg[13])
    weight_less_relief = (gm * inv_r * inv_r - speed * speed * inv_r) * cos_g
    up = 0.0
    side = 0.0
    if seg[11] == 1.0:
        energy_speed2 = speed * speed + 2.0 * gm * (1.0 / a_m - inv_r)
        if energy_speed2 > seg[14] * seg[14]:
            up = lift_best - GLIDE_GAIN * speed * gamma
        else:
            up = weight_less_relief + DIVE_GAIN * speed * (seg[15] - gamma)
        up = min(max(up, -cap), cap)
    elif h < seg[14]:
        up = weight_less_relief + DIVE_GAIN * speed * (seg[15] - gamma)
        up = min(max(up, -cap), cap)
        if seg[16] > 0.0:
            side = np.sqrt(max(cap * cap - up * up, 0.0))
            if np.sin(np.pi * t / seg[16]) < 0.0:
                side = -side
    if lift_best <= 0.0 or (up == 0.0 and side == 0.0):
        return 0.0, 0.0, 0.0
    u2 = (up * up + side * side) / (lift_best * lift_best)
    induced = u2 * kd
    # up: normal to v in the vertical plane; side: v x r_hat, horizontal (both unit / cos)
    nu = up / cos_g
    ns = side / cos_g
    inv_v = 1.0 / speed
    sx = (vy * pz - vz * py) * inv_r * inv_v
    sy = (vz * px - vx * pz) * inv_r * inv_v
    sz = (vx * py - vy * px) * inv_r * inv_v
    return (nu * (px * inv_r - sin_g * vx * inv_v) + ns * sx - induced * vx,
            nu * (py * inv_r - sin_g * vy * inv_v) + ns * sy - induced * vy,
            nu * (pz * inv_r - sin_g * vz * inv_v) + ns * sz - induced * vz)


@numba.njit(cache=True, fastmath=FASTMATH, error_model="numpy")
def rhs(t, y, out, seg, earth, rho_poly, h0, dh):
    """Write dy/dt of the 6-state ``y`` into ``out``.

    ``seg`` = (thrust_n, mdot_kgps, m0_kg, t0_s, cda_m2, steer, lift_to_drag,
    target_gamma_rad, max_deflection_rad, program_s, program_start_s, lift_law,
    max_lift_fraction, max_lift_mps2, law_speed_mps_or_alt_m, law_gamma_rad, jink_s)
    (the last six: :func:`guided_lift`; lift law 0 is the glide at maximum L/D below);
    steer 0 = along
    the velocity, 1 = up, 2 = toward a commanded flight-path angle that falls linearly
    from 90 degrees at ``program_start_s`` to ``target_gamma_rad`` ``program_s`` later;
    ``earth`` = (a, e2, gm, j2, omega, b, 1.5 j2 a^2) with b the polar radius.

    Compiled once, as a function of its own that :func:`dp5_step` calls seven times, not
    inlined by Numba (``inline="always"``): Numba's inliner re-types and re-lowers every
    copy, and seven copies cost 64 CPU s of a first run (Numba's ``inline_inlinables``
    pass most of it), against ~2 s for this one (an empty cache, load 10-15, December
    2026). The lockstep kernel's results did not change by a bit; the per-trajectory
    kernel's moved in the last bits in 2-5% of trajectories (within 5 cm; see
    :func:`dp5_step_apart`).
    """
    a, e2, gm, om = earth[0], earth[1], earth[2], earth[4]
    px, py, pz, vx, vy, vz = y[0], y[1], y[2], y[3], y[4], y[5]
    p2 = px * px + py * py
    r2 = p2 + pz * pz
    inv_r2 = 1.0 / r2
    r = np.sqrt(r2)
    ax, ay, az = gravity_at_radius(px, py, pz, r, inv_r2, gm, earth[6])
    m = seg[2] - seg[1] * (t - seg[3])
    cda = seg[4]
    thrust = seg[0]
    speed = np.sqrt(vx * vx + vy * vy + vz * vz)
    if cda > 0.0:
        h = altitude_along_radius(r, p2 * inv_r2, earth[5], e2)
        rho = density_from_table(h, rho_poly, h0, dh)
        kd = 0.5 * rho * speed * cda / m
        ax -= kd * vx
        ay -= kd * vy
        az -= kd * vz
        if seg[6] > 0.0 and speed > 0.0 and seg[11] > 0.0:
            # a guided glide vehicle (1) or manoeuvring re-entry vehicle (2): the lift
            # law of guided_lift, in the parameters seg[11:17]
            dax, day, daz = guided_lift(t, px, py, pz, vx, vy, vz, r, h, speed, kd, seg, gm, a)
            ax += dax
            ay += day
            az += daz
        elif seg[6] > 0.0 and speed > 0.0:
            # glide at the attitude of maximum L/D = E (parabolic drag polar): a fraction
            # u of that attitude's lift, 2 E D0 u, up in the vertical plane, and the drag
            # D0 (1 + u^2); u = 1 level or descending, fading to 0 in a 5.7 deg climb
            inv_r = 1.0 / r
            sin_g = (px * vx + py * vy + pz * vz) * inv_r / speed
            u = min(1.0, 1.0 - 10.0 * sin_g)
            if u > 0.0:
                cos_g = np.sqrt(max(1.0 - sin_g * sin_g, 1e-12))
                lift = 2.0 * u * seg[6] * kd * speed / cos_g
                induced = u * u * kd
                ax += lift * (px * inv_r - sin_g * vx / speed) - induced * vx
                ay += lift * (py * inv_r - sin_g * vy / speed) - induced * vy
                az += lift * (pz * inv_r - sin_g * vz / speed) - induced * vz
    if thrust > 0.0:
        ta = thrust / m
        if seg[5] == 1.0:
            _, ux, uy, uz = altitude_up(px, py, pz, a, e2)
            ax += ta * ux
            ay += ta * uy
            az += ta * uz
        elif seg[5] == 2.0 and speed > 0.0:
            # steered toward the flight-path angle seg[7]: the thrust is turned from the
            # velocity, in the vertical plane, by the angle still to go, at most seg[8]
            inv_r = 1.0 / r
            sin_g = (px * vx + py * vy + pz * vz) * inv_r / speed
            cos_g = np.sqrt(max(1.0 - sin_g * sin_g, 1e-12))
            frac = min(max((t - seg[10]) / seg[9], 0.0), 1.0)
            target = 0.5 * np.pi - (0.5 * np.pi - seg[7]) * frac
            dev = min(max(STEER_GAIN * (target - np.arctan2(sin_g, cos_g)), -seg[8]), seg[8])
            along = ta * np.cos(dev) / speed
            normal = ta * np.sin(dev) / cos_g
            ax += along * vx + normal * (px * inv_r - sin_g * vx / speed)
            ay += along * vy + normal * (py * inv_r - sin_g * vy / speed)
            az += along * vz + normal * (pz * inv_r - sin_g * vz / speed)
        elif speed > 0.0:
            ax += ta * vx / speed
            ay += ta * vy / speed
            az += ta * vz / speed
    if om != 0.0:
        ax += 2.0 * om * vy + om * om * px
        ay += -2.0 * om * vx + om * om * py
    out[0] = vx
    out[1] = vy
    out[2] = vz
    out[3] = ax
    out[4] = ay
    out[5] = az


@numba.njit(cache=True, inline="always", fastmath=FASTMATH, error_model="numpy")
def dp5_step(t, y, k1, hs, yn, k7, k2, k3, k4, k5, k6, ys, seg, earth, rho_poly, h0, dh,
             rtol, atol):
    """One Dormand-Prince 5(4) step of length ``hs`` from (t, y) with slope ``k1``.

    Writes the 5th-order solution to ``yn`` and its slope to ``k7`` (FSAL); k2-k6
    and ys are scratch. Returns the RMS error norm (Hairer et al., eq. II.4.11)
    with the scale atol + rtol * max(|y|, |yn|).
    """
    for j in range(6):
        ys[j] = y[j] + hs * A21 * k1[j]
    rhs(t + C2 * hs, ys, k2, seg, earth, rho_poly, h0, dh)
    for j in range(6):
        ys[j] = y[j] + hs * (A31 * k1[j] + A32 * k2[j])
    rhs(t + C3 * hs, ys, k3, seg, earth, rho_poly, h0, dh)
    for j in range(6):
        ys[j] = y[j] + hs * (A41 * k1[j] + A42 * k2[j] + A43 * k3[j])
    rhs(t + C4 * hs, ys, k4, seg, earth, rho_poly, h0, dh)
    for j in range(6):
        ys[j] = y[j] + hs * (A51 * k1[j] + A52 * k2[j] + A53 * k3[j] + A54 * k4[j])
    rhs(t + C5 * hs, ys, k5, seg, earth, rho_poly, h0, dh)
    for j in range(6):
        ys[j] = y[j] + hs * (
            A61 * k1[j] + A62 * k2[j] + A63 * k3[j] + A64 * k4[j] + A65 * k5[j]
        )
    rhs(t + hs, ys, k6, seg, earth, rho_poly, h0, dh)
    for j in range(6):
        yn[j] = y[j] + hs * (B1 * k1[j] + B3 * k3[j] + B4 * k4[j] + B5 * k5[j] + B6 * k6[j])
    rhs(t + hs, yn, k7, seg, earth, rho_poly, h0, dh)
    err = 0.0
    for j in range(6):
        ej = hs * (E1 * k1[j] + E3 * k3[j] + E4 * k4[j] + E5 * k5[j] + E6 * k6[j] + E7 * k7[j])
        sk = atol + rtol * max(abs(y[j]), abs(yn[j]))
        err += (ej / sk) ** 2
    return np.sqrt(err / 6.0)


@numba.njit(cache=True, fastmath=FASTMATH, error_model="numpy")
def dp5_step_apart(t, y, k1, hs, yn, k7, k2, k3, k4, k5, k6, ys, seg, earth, rho_poly, h0, dh,
                   rtol, atol):
    """:func:`dp5_step` compiled once, as a function of its own: every step of
    :func:`integrate_one` and the lockstep kernel's step to the impact (``settle``) call it.

    :func:`dp5_step` inlines six copies of the full right-hand side (thrust, steering,
    lift), and each place that inlined it compiled them again: with the step inlined in
    ``settle`` the lockstep kernel took 112 CPU s to compile, 30 s with this call; with
    it inlined in :func:`integrate_one` as well, the per-trajectory kernel took 52 CPU s
    to compile after the lockstep one, 13 s with this call (an empty Numba cache,
    December 2026). The same arithmetic, but not always the same bits as the inlined
    step in :func:`integrate_one`: inlined, the compiler's fast-math rewrites could span
    the step and the step-size controller around it; the per-trajectory kernel's
    results moved in the last bits when this call replaced it (trajectories within 4 cm,
    far inside the tolerance), the lockstep kernel's did not."""
    return dp5_step(t, y, k1, hs, yn, k7, k2, k3, k4, k5, k6, ys, seg, earth, rho_poly, h0,
                    dh, rtol, atol)


@numba.njit(cache=True, inline="always", fastmath=FASTMATH, error_model="numpy")
def hermite_state(th, hs, y0, f0, y1, f1, out):
    """State at fraction ``th`` of a step of length ``hs``.

    Position: quintic Hermite through position, velocity and acceleration at both
    ends; velocity: cubic Hermite through velocity and acceleration.
    """
    t2 = th * th
    t3 = t2 * th
    t4 = t3 * th
    t5 = t4 * th
    h00 = 1.0 - 10.0 * t3 + 15.0 * t4 - 6.0 * t5
    h10 = th - 6.0 * t3 + 8.0 * t4 - 3.0 * t5
    h20 = 0.5 * t2 - 1.5 * t3 + 1.5 * t4 - 0.5 * t5
    h01 = 10.0 * t3 - 15.0 * t4 + 6.0 * t5
    h11 = -4.0 * t3 + 7.0 * t4 - 3.0 * t5
    h21 = 0.5 * t3 - t4 + 0.5 * t5
    c00 = 2.0 * t3 - 3.0 * t2 + 1.0
    c10 = t3 - 2.0 * t2 + th
    c01 = -2.0 * t3 + 3.0 * t2
    c11 = t3 - t2
    hh = hs * hs
    for j in range(3):
        out[j] = (
            h00 * y0[j]
            + h10 * hs * f0[j]
            + h20 * hh * f0[j + 3]
            + h01 * y1[j]
            + h11 * hs * f1[j]
            + h21 * hh * f1[j + 3]
        )
        out[j + 3] = c00 * y0[j + 3] + c10 * hs * f0[j + 3] + c01 * y1[j + 3] + c11 * hs * f1[j + 3]


@numba.njit(cache=True, fastmath=FASTMATH, error_model="numpy")
def event_value(kind, level, th, hs, y0, f0, y1, f1, tmp, a, e2):
    """Altitude minus ``level`` (kind 0.0) or the altitude rate (kind 1.0) at ``th``.

    ``kind`` is a float: an integer constant argument makes Numba compile this function
    (and :func:`find_root`) once for each value (``Literal[int]``), twice the compile time.
    """
    hermite_state(th, hs, y0, f0, y1, f1, tmp)
    h, ux, uy, uz = altitude_up(tmp[0], tmp[1], tmp[2], a, e2)
    if kind == 0.0:
        return h - level
    return ux * tmp[3] + uy * tmp[4] + uz * tmp[5]


@numba.njit(cache=True, fastmath=FASTMATH, error_model="numpy")
def find_root(kind, level, lo, glo, hi, ghi, hs, y0, f0, y1, f1, tmp, a, e2):
    """Root of an event function bracketed in [lo, hi] (Illinois regula falsi)."""
    side = 0
    for _ in range(60):
        th = (lo * ghi - hi * glo) / (ghi - glo)
        if not (lo < th < hi):
            th = 0.5 * (lo + hi)
        g = event_value(kind, level, th, hs, y0, f0, y1, f1, tmp, a, e2)
        if g == 0.0 or (hi - lo) < 1e-13:
            return th
        if (g > 0.0) == (ghi > 0.0):
            hi, ghi = th, g
            if side == -1:
                glo *= 0.5
            side = -1
        else:
            lo, glo = th, g
            if side == 1:
                ghi *= 0.5
            side = 1
        if abs(g) < 1e-7 and kind == 0.0:
            return th
    return th


@numba.njit(cache=True, inline="always", fastmath=FASTMATH, error_model="numpy")
def step_events(t, hs, y, k1, yn, k7, alt0, rate0, alt1, rate1, levels, stop_at_impact,
                ev_out, up_out, down_out, tmp, a, e2):
    """Events inside one accepted step from (t, y, k1) to (t + hs, yn, k7).

    ``alt0``/``rate0`` and ``alt1``/``rate1`` are the geodetic altitude and its rate at
    the two ends. Updates the running apogee ``ev_out`` = (t, alt) and the level
    crossings ``up_out``/``down_out``; returns the fraction of the step at which the
    body reaches the ground (2.0 if it does not, or ``stop_at_impact`` is off).
    """
    nlev = levels.shape[0]
    th_imp = 2.0
    if stop_at_impact and alt1 <= 0.0 and alt0 > 0.0:
        th_imp = find_root(0.0, 0.0, 0.0, alt0, 1.0, alt1, hs, y, k1, yn, k7, tmp, a, e2)
    th_apo = -1.0
    alt_apo = 0.0
    if rate0 > 0.0 and rate1 <= 0.0:
        th_apo = find_root(1.0, 0.0, 0.0, rate0, 1.0, rate1, hs, y, k1, yn, k7, tmp, a, e2)
        if th_apo > th_imp:
            th_apo = -1.0
        else:
            alt_apo = event_value(0.0, 0.0, th_apo, hs, y, k1, yn, k7, tmp, a, e2)
            if alt_apo > ev_out[1]:
                ev_out[0] = t + th_apo * hs
                ev_out[1] = alt_apo
    th_end = min(th_imp, 1.0)
    alt_end = 0.0 if th_imp <= 1.0 else alt1
    for m in range(nlev):
        lev = levels[m]
        # split the step at the apogee so that an up-and-down crossing is seen
        if th_apo >= 0.0:
            if alt0 < lev <= alt_apo:
                th = find_root(0.0, lev, 0.0, alt0 - lev, th_apo, alt_apo - lev,
                               hs, y, k1, yn, k7, tmp, a, e2)
                if np.isnan(up_out[m]):
                    up_out[m] = t + th * hs
            if alt_apo >= lev > alt_end:
                th = find_root(0.0, lev, th_apo, alt_apo - lev, th_end, alt_end - lev,
                               hs, y, k1, yn, k7, tmp, a, e2)
                down_out[m] = t + th * hs
        else:
            if alt0 < lev <= alt_end:
                th = find_root(0.0, lev, 0.0, alt0 - lev, th_end, alt_end - lev,
                               hs, y, k1, yn, k7, tmp, a, e2)
                if np.isnan(up_out[m]):
                    up_out[m] = t + th * hs
            elif alt0 >= lev > alt_end:
                th = find_root(0.0, lev, 0.0, alt0 - lev, th_end, alt_end - lev,
                               hs, y, k1, yn, k7, tmp, a, e2)
                down_out[m] = t + th * hs
    return th_imp


@numba.njit(cache=True, fastmath=FASTMATH, error_model="numpy")
def integrate_one(
    y_init,
    t_init,
    t_end,
    seg,
    earth,
    levels,
    stop_at_impact,
    rho_poly,
    h0,
    dh,
    rtol,
    atol,
    h_max,
    max_steps,
    y_out,
    ev_out,
    up_out,
    down_out,
    rec_t,
    rec_y,
    work,
):
    """Integrate one trajectory; return (status, t_final, n_steps, n_rejected, n_rec).

    ``ev_out`` receives (t_apogee, alt_apogee); ``up_out``/``down_out`` receive the
    first upward and last downward crossing time of each level (NaN if none).
    """
    a, e2 = earth[0], earth[1]
    nlev = levels.shape[0]
    k1 = work[0]
    k2 = work[1]
    k3 = work[2]
    k4 = work[3]
    k5 = work[4]
    k6 = work[5]
    k7 = work[6]
    y = work[7]
    yn = work[8]
    ys = work[9]
    tmp = work[10]
    for j in range(6):
        y[j] = y_init[j]
    t = t_init
    rec_cap = rec_t.shape[0]
    n_rec = 0
    if rec_cap > 0:
        rec_t[0] = t
        for j in range(6):
            rec_y[0, j] = y[j]
        n_rec = 1
    rhs(t, y, k1, seg, earth, rho_poly, h0, dh)
    alt0, ux, uy, uz = altitude_up(y[0], y[1], y[2], a, e2)
    rate0 = ux * y[3] + uy * y[4] + uz * y[5]
    ev_out[0] = t
    ev_out[1] = alt0
    for m in range(nlev):
        up_out[m] = np.nan
        down_out[m] = np.nan
    # initial step: a fraction of the time to cross one scale of the state
    sc0 = 0.0
    sc1 = 0.0
    for j in range(6):
        sk = atol + rtol * abs(y[j])
        sc0 += (y[j] / sk) ** 2
        sc1 += (k1[j] / sk) ** 2
    hs = 0.01 * np.sqrt(sc0 / max(sc1, 1e-300))
    hs = min(max(hs, 1e-4), h_max, 10.0)
    n_steps = 0
    n_rej = 0
    log_err_prev = np.log(1e-4)
    h_prev = -1.0
    rejected = False
    status = RUNNING
    to_impact = False  # this pass takes the step to the impact, of length h_imp
    h_imp = 0.0
    last = False
    while status == RUNNING:
        if to_impact:
            # the step from the start of the accepted step straight to the interpolated
            # impact time (the impact state is then as accurate as any integrated state),
            # through the loop's one call of dp5_step_apart: a second copy of its six
            # right-hand sides doubled this kernel's compile time
            h_try = h_imp
        else:
            if n_steps + n_rej >= max_steps:
                status = MAX_STEPS
                break
            last = False
            if t + hs >= t_end:
                hs = t_end - t
                last = True
            h_try = hs
        err = dp5_step_apart(t, y, k1, h_try, yn, k7, k2, k3, k4, k5, k6, ys, seg, earth,
                             rho_poly, h0, dh, rtol, atol)
        if to_impact:
            for j in range(6):
                y[j] = yn[j]
            t = t + h_imp
            status = IMPACT
            if n_rec > 0 and n_rec < rec_cap:
                rec_t[n_rec] = t
                for j in range(6):
                    rec_y[n_rec, j] = y[j]
                n_rec += 1
            break
        if not np.isfinite(err):
            if hs < 1e-9:
                status = FAILED
                break
            hs *= 0.1
            n_rej += 1
            continue
        if err > 1.0:
            hs *= max(0.2, 0.9 * err ** (-0.2))
            n_rej += 1
            rejected = True
            if hs < 1e-9:
                status = FAILED
            continue
        # accepted: look for events between (t, y, k1) and (t + hs, yn, k7)
        n_steps += 1
        alt1, ux, uy, uz = altitude_up(yn[0], yn[1], yn[2], a, e2)
        rate1 = ux * yn[3] + uy * yn[4] + uz * yn[5]
        th_imp = step_events(t, hs, y, k1, yn, k7, alt0, rate0, alt1, rate1, levels,
                             stop_at_impact, ev_out, up_out, down_out, tmp, a, e2)
        if th_imp <= 1.0:
            h_imp = th_imp * hs  # taken at the top of the loop
            to_impact = True
            continue
        else:
            for j in range(6):
                y[j] = yn[j]
                k1[j] = k7[j]
            t = t + hs if not last else t_end
            alt0 = alt1
            rate0 = rate1
            if last:
                status = REACHED_END
        if n_rec > 0 and n_rec < rec_cap:
            rec_t[n_rec] = t
            for j in range(6):
                rec_y[n_rec, j] = y[j]
            n_rec += 1
        if status == RUNNING:
            err = max(err, 1e-10)
            log_err = np.log(err)
            fac = 0.9 * np.exp(-0.2 * log_err)
            if h_prev > 0.0:
                # Gustafsson's predictive controller, taken when it is the more cautious:
                # it expects the error to keep growing as it did over the last step, as
                # it does on re-entry (Hairer & Wanner, Solving ODEs II, sec. IV.8)
                trend = np.exp(0.2 * (log_err_prev - 2.0 * log_err))
                fac = min(fac, 0.9 * (hs / h_prev) * trend)
            fac = min(1.0 if rejected else 10.0, max(0.2, fac))
            log_err_prev = max(log_err, -9.210340371976182)
            h_prev = hs
            rejected = False
            hs = min(hs * fac, h_max)
    for j in range(6):
        y_out[j] = y[j]
    return status, t, n_steps, n_rej, n_rec


@numba.njit(cache=True, parallel=True, fastmath=FASTMATH, error_model="numpy")
def integrate_many(
    y0,
    t0,
    t_end,
    segs,
    earth,
    levels,
    stop_at_impact,
    rho_poly,
    h0,
    dh,
    rtol,
    atol,
    h_max,
    max_steps,
    rec_cap,
):
    """Integrate ``n`` trajectories in parallel, each with its own step size."""
    n = y0.shape[0]
    nlev = levels.shape[0]
    y_out = np.empty((n, 6))
    t_out = np.empty(n)
    status = np.empty(n, dtype=np.int64)
    steps = np.empty((n, 2), dtype=np.int64)
    ev = np.empty((n, 2))
    up = np.empty((n, nlev))
    down = np.empty((n, nlev))
    rec_t = np.full((n, rec_cap), np.nan)
    rec_y = np.full((n, rec_cap, 6), np.nan)
    n_rec = np.zeros(n, dtype=np.int64)
    work = np.empty((n, 11, 6))
    for i in numba.prange(n):
        st, tf, ns, nr, nrec = integrate_one(
            y0[i],
            t0[i],
            t_end[i],
            segs[i],
            earth,
            levels,
            stop_at_impact,
            rho_poly,
            h0,
            dh,
            rtol,
            atol,
            h_max,
            max_steps,
            y_out[i],
            ev[i],
            up[i],
            down[i],
            rec_t[i],
            rec_y[i],
            work[i],
        )
        status[i] = st
        t_out[i] = tf
        steps[i, 0] = ns
        steps[i, 1] = nr
        n_rec[i] = nrec
    return y_out, t_out, status, steps, ev, up, down, rec_t, rec_y, n_rec
