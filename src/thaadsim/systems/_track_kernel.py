r"""The compiled core of the tracker: the extended Kalman filter of
:mod:`thaadsim.systems.tracking`, one track at a time, in a loop over all tracks.

Everything here is arithmetic on floats so that Numba compiles it; the public interface,
with units in names and validation, is :mod:`thaadsim.systems.tracking` (``backend=
"compiled"``, the default). The equations are those of that module, written again
scalar by scalar:

* the dynamics (J2 gravity, Coriolis and centrifugal terms, drag with the U.S. Standard
  Atmosphere 1976 density at the geodetic height) and their analytic Jacobian;
* the geodetic conversion inside them
  (:func:`thaadsim.physics._geodesy_kernel.geodetic_up_alt`): Bowring's (1976) latitude
  refined by fixed-point steps as :func:`thaadsim.physics.geodesy.ecef_to_geodetic`
  (which starts from pymap3d's closed form instead; both converge to the same latitude
  to rounding), on the tangent of the latitude, so with square roots and no trigonometry;
* the density: the standard's seven layers below 86 km in closed form and, above, the
  same PCHIP interpolant of ln(rho) as :func:`thaadsim.physics.atmosphere.density_kgm3`,
  evaluated from its breakpoints and coefficients (passed in, not copied);
* RK4 on the state and its transition matrix, :math:`P^- = \Phi P\Phi^\mathsf T + Q`;
* the measurement, its Jacobian and the Joseph-form update, with :math:`S^{-1}` by
  Cholesky (``numpy.linalg.solve`` uses LU: the two agree to rounding).

The results agree with the NumPy path to rounding (the order of the floating-point
operations differs; tested to 1e-9 relative on states and covariances, and to the
same firm-track looks). The kernels that allocate nothing are compiled without Numba's
reference counting (``_nrt=False``): with it, every array handed to a call was
incremented and decremented by a locked instruction, on model arrays that both threads
share (a third of the filter's time). The same fast-math policy as the propagator
(:data:`thaadsim.physics._jit.FASTMATH`, no reassociation), so that a kernel compiled
afresh and one loaded from Numba's cache give the same bits.

Argument packs, to keep the signatures few:

``earth``
    ``(a, e2, b, gm, j2, omega)``.
``atm``
    The atmosphere's scalars: ``(r0, z_min, g0 M0 / R*, R*/M0, z_86km, z_max, H_top)``.
``layers``
    (4, 7): base geopotential altitude, temperature, pressure and lapse rate of the
    standard's Table 4 layers.
``px``, ``pc``, ``index``
    Breakpoints (m + 1,) and coefficients (4, m) of the PCHIP of ln(rho) above 86 km, and
    the interval that holds each whole kilometre from 86 km up (a lookup for the search).
``site``
    (4, 3): rows east, north, up of the radar's ENU basis in ECEF, then its ECEF position.
"""

from __future__ import annotations

import math
from typing import Any

import numba
import numpy as np

from thaadsim.physics._geodesy_kernel import geodetic_up_alt
from thaadsim.physics._jit import FASTMATH
from thaadsim.physics.gravity import gravity_xyz

_DENSITY_STEP_M = 5.0
"""Altitude step of the central difference for d(rho)/dh (the NumPy path's)."""

_TWO_PI = 2.0 * math.pi

_NO_REFCOUNT: dict[str, Any] = {"_nrt": False}
"""Numba's option that compiles a kernel without reference counting (for kernels that
allocate nothing; see the module's notes), passed as a dict: a private option of
``numba.njit`` (``numba.core.options``), not in its type stubs."""

@numba.njit(cache=True, inline="always", fastmath=FASTMATH, error_model="numpy")
def _table_interval(zq: float, px: np.ndarray, start: int) -> int:
    """The interval i of the PCHIP with px[i] <= zq < px[i + 1] (the last one at its top
    end), walking from ``start`` (a neighbour's interval: a step or two at most)."""
    i = min(max(start, 0), px.size - 2)
    while i < px.size - 2 and px[i + 1] <= zq:
        i += 1
    while i > 0 and px[i] > zq:
        i -= 1
    return i


@numba.njit(cache=True, inline="always", fastmath=FASTMATH, error_model="numpy")
def _layer_density(geo: float, layers: np.ndarray, g_r: float, r_air: float
                   ) -> tuple[float, int, float]:
    """U.S. Standard Atmosphere 1976 below 86 km at geopotential height ``geo`` (m): the
    density (kg/m^3), the layer ``b`` it lies in and the temperature there (K)."""
    b = layers.shape[1] - 1
    while b > 0 and geo < layers[0, b]:
        b -= 1
    dh = geo - layers[0, b]
    t_b, p_b, lapse = layers[1, b], layers[2, b], layers[3, b]
    t_m = t_b + lapse * dh
    if lapse == 0.0:
        p = p_b * math.exp(-g_r * dh / t_b)
    else:
        p = p_b * (t_b / t_m) ** (g_r / lapse)
    return p / (r_air * t_m), b, t_m


@numba.njit(cache=True, inline="always", fastmath=FASTMATH, error_model="numpy")
def density_near(h: float, atm: np.ndarray, layers: np.ndarray, px: np.ndarray,
                 pc: np.ndarray, index: np.ndarray, hint: int) -> tuple[float, int]:
    """U.S. Standard Atmosphere 1976 density (kg/m^3) at geometric altitude ``h`` (m), and
    the table interval used above 86 km (-1 below), to start the next search from."""
    if math.isnan(h):
        return math.nan, hint
    r0, z_min, g_r, r_air, z86, z_max, h_top = (atm[0], atm[1], atm[2], atm[3], atm[4],
                                                 atm[5], atm[6])
    if h < z86:
        zz = max(h, z_min)
        return _layer_density(r0 * zz / (r0 + zz), layers, g_r, r_air)[0], hint
    zq = min(h, z_max)
    if hint < 0:  # no neighbour: the interval at the start of zq's kilometre
        hint = index[min(int((zq - z86) * 1e-3), index.size - 1)]
    i = _table_interval(zq, px, hint)
    dx = zq - px[i]
    log_rho = ((pc[0, i] * dx + pc[1, i]) * dx + pc[2, i]) * dx + pc[3, i]
    log_rho -= max(h - z_max, 0.0) / h_top
    return math.exp(log_rho), i


@numba.njit(cache=True, inline="always", fastmath=FASTMATH, error_model="numpy")
def _expm1_small(d: float) -> float:
    """exp(d) - 1 for |d| < 0.01 by its Taylor series to d^7 (error below 1e-18 d)."""
    return d * (1.0 + d * (0.5 + d * (1.0 / 6.0 + d * (1.0 / 24.0 + d * (
        1.0 / 120.0 + d * (1.0 / 720.0 + d * (1.0 / 5040.0)))))))


@numba.njit(cache=True, inline="always", fastmath=FASTMATH, error_model="numpy")
def _log1p_small(e: float) -> float:
    """log(1 + e) for |e| < 1e-3 by its Taylor series to e^6 (error below 1e-18 e)."""
    return e * (1.0 - e * (0.5 - e * (1.0 / 3.0 - e * (0.25 - e * (0.2 - e / 6.0)))))


@numba.njit(cache=True, inline="always", fastmath=FASTMATH, error_model="numpy")
def density_slope(h: float, atm: np.ndarray, layers: np.ndarray, px: np.ndarray,
                  pc: np.ndarray, index: np.ndarray) -> tuple[float, float]:
    r"""Density (kg/m^3) at ``h`` (m), as :func:`density_near`, and its central difference
    over :math:`h \pm` ``_DENSITY_STEP_M`` (the NumPy path's d(rho)/dh), with one
    exponential instead of three: where the three heights share a layer of the standard
    below 86 km, or an interval of the PCHIP of ln(rho) above, the neighbours are
    :math:`\rho\,e^{\delta_\pm}` with :math:`\delta_\pm` the exact difference of
    ln(rho) (a polynomial difference above 86 km; in a layer of lapse :math:`L`,
    :math:`\delta = -(g_0M_0/(R^*L) + 1)\ln(1 + L\,\Delta H/T)`, or
    :math:`-g_0M_0\Delta H/(R^* T)` in an isothermal one, :math:`\Delta H` the
    geopotential step), and :math:`e^{\delta} - 1` by its series (:math:`|\delta|`
    about 1e-3). The difference :math:`\rho(e^{\delta_+} - e^{\delta_-})` then loses
    nothing to cancellation; it agrees with the three-density difference to the latter's
    rounding (about 1e-13 relative). Elsewhere (a boundary between the three, the
    clamps at the table's ends) the three densities are evaluated."""
    step = _DENSITY_STEP_M
    r0, z_min, g_r, z86, z_max = atm[0], atm[1], atm[2], atm[4], atm[5]
    if h - step >= z_min and h + step < z86:
        # density_near's layer and density, found once for the density and its slope
        geo = r0 * h / (r0 + h)
        top = layers.shape[1] - 1
        rho, b, t_m = _layer_density(geo, layers, g_r, atm[3])
        t_b, lapse = layers[1, b], layers[3, b]
        d_up = r0 * r0 * step / ((r0 + h) * (r0 + h + step))
        d_dn = -r0 * r0 * step / ((r0 + h) * (r0 + h - step))
        if (b == 0 or geo + d_dn >= layers[0, b]) and (b == top or geo + d_up < layers[0, b + 1]):
            if lapse == 0.0:
                e_up, e_dn = -g_r * d_up / t_b, -g_r * d_dn / t_b
            else:
                k = -(g_r / lapse + 1.0)
                e_up = k * _log1p_small(lapse * d_up / t_m)
                e_dn = k * _log1p_small(lapse * d_dn / t_m)
            return rho, rho * (_expm1_small(e_up) - _expm1_small(e_dn)) / (2.0 * step)
        near = -1
    else:
        rho, near = density_near(h, atm, layers, px, pc, index, -1)
    if h - step >= z86 and h + step <= z_max and near >= 0:
        i = near
        if px[i] <= h - step and h + step <= px[i + 1]:
            dx = h - px[i]
            c0, c1, c2 = pc[0, i], pc[1, i], pc[2, i]
            e_up = step * (c0 * (3.0 * dx * dx + 3.0 * dx * step + step * step)
                           + c1 * (2.0 * dx + step) + c2)
            e_dn = -step * (c0 * (3.0 * dx * dx - 3.0 * dx * step + step * step)
                            + c1 * (2.0 * dx - step) + c2)
            return rho, rho * (_expm1_small(e_up) - _expm1_small(e_dn)) / (2.0 * step)
    above = density_near(h + step, atm, layers, px, pc, index, near)[0]
    below = density_near(h - step, atm, layers, px, pc, index, near)[0]
    return rho, (above - below) / (2.0 * step)


@numba.njit(cache=True, fastmath=FASTMATH, error_model="numpy")
def density(h: float, atm: np.ndarray, layers: np.ndarray, px: np.ndarray,
            pc: np.ndarray, index: np.ndarray) -> float:
    """U.S. Standard Atmosphere 1976 density (kg/m^3) at geometric altitude ``h`` (m)."""
    return density_near(h, atm, layers, px, pc, index, -1)[0]


@numba.njit(cache=True, fastmath=FASTMATH, error_model="numpy", **_NO_REFCOUNT)
def derivatives(y: np.ndarray, k_drag: float, earth: np.ndarray, atm: np.ndarray,
                layers: np.ndarray, px: np.ndarray, pc: np.ndarray, index: np.ndarray,
                dy: np.ndarray,
                a_r: np.ndarray, a_v: np.ndarray) -> float:
    r"""Time derivative ``dy`` (6,) of the state ``y`` and the lower blocks of its
    Jacobian: ``a_r`` = d(acc)/dr, ``a_v`` = d(acc)/dv (3, 3) (the upper blocks are 0, I).
    Returns the magnitude of the drag deceleration (m/s^2) (0 without drag)."""
    x0, x1, x2, v0, v1, v2 = y[0], y[1], y[2], y[3], y[4], y[5]
    gm, j2, a, om = earth[3], earth[4], earth[0], earth[5]
    gx, gy, gz = gravity_xyz(x0, x1, x2, gm, j2, a)
    dy[0], dy[1], dy[2] = v0, v1, v2
    dy[3] = gx + 2.0 * om * v1 + om * om * x0
    dy[4] = gy - 2.0 * om * v0 + om * om * x1
    dy[5] = gz
    # gravity gradient (tracking._gravity_gradient), plus the centrifugal term
    c = 1.5 * gm * j2 * a * a
    r2 = x0 * x0 + x1 * x1 + x2 * x2
    inv_r2 = 1.0 / r2
    inv_r3 = inv_r2 / math.sqrt(r2)
    inv_r5 = inv_r3 * inv_r2
    inv_r7 = inv_r5 * inv_r2
    inv_r9 = inv_r7 * inv_r2
    mu_r3 = gm * inv_r3
    rv = (x0, x1, x2)
    dr = (x0, x1, 3.0 * x2)
    zz = x2 * x2
    for i in range(3):
        for j in range(3):
            eye = 1.0 if i == j else 0.0
            dg = 3.0 if (i == j and i == 2) else eye
            rr = rv[i] * rv[j]
            point = -mu_r3 * (eye - 3.0 * rr * inv_r2)
            j2t = (dg * inv_r5 - 5.0 * dr[i] * rv[j] * inv_r7
                   - (5.0 * zz * eye + (10.0 * x2 * rv[i] if j == 2 else 0.0)) * inv_r7
                   + 35.0 * zz * rr * inv_r9)
            a_r[i, j] = point - c * j2t
            a_v[i, j] = 0.0
    a_r[0, 0] += om * om
    a_r[1, 1] += om * om
    a_v[0, 1] = 2.0 * om
    a_v[1, 0] = -2.0 * om
    if k_drag > 0.0:
        alt, up0, up1, up2 = geodetic_up_alt(x0, x1, x2, earth)
        rho, drho = density_slope(alt, atm, layers, px, pc, index)
        speed = math.sqrt(v0 * v0 + v1 * v1 + v2 * v2)
        krs = k_drag * rho * speed
        dy[3] -= krs * v0
        dy[4] -= krs * v1
        dy[5] -= krs * v2
        inv_s = 1.0 / speed if speed > 0.0 else 1.0
        kr = k_drag * rho
        ksd = k_drag * speed * drho
        vel = (v0, v1, v2)
        up = (up0, up1, up2)
        for i in range(3):
            for j in range(3):
                eye = 1.0 if i == j else 0.0
                a_v[i, j] -= kr * (speed * eye + vel[i] * vel[j] * inv_s)
                a_r[i, j] -= ksd * vel[i] * up[j]
        return k_drag * rho * (v0 * v0 + v1 * v1 + v2 * v2)
    return 0.0


_derivatives_inline = numba.njit(cache=True, inline="always", fastmath=FASTMATH,
                                 error_model="numpy")(derivatives.py_func)
""":func:`derivatives`, inlined where it is called (the RK4 stages: no call, no array
arguments passed field by field)."""


@numba.njit(cache=True, inline="always", fastmath=FASTMATH, error_model="numpy")
def _phi_rate(phi: np.ndarray, a_r: np.ndarray, a_v: np.ndarray, dphi: np.ndarray) -> None:
    """``dphi`` = A phi, with A's upper blocks 0 and I and its lower ones ``a_r``, ``a_v``."""
    for i in range(3):
        for j in range(6):
            dphi[i, j] = phi[3 + i, j]
        # row by row, the columns innermost (independent: vectorised), each sum in m order
        for j in range(6):
            dphi[3 + i, j] = a_r[i, 0] * phi[0, j] + a_v[i, 0] * phi[3, j]
        for m in range(1, 3):
            for j in range(6):
                dphi[3 + i, j] += a_r[i, m] * phi[m, j] + a_v[i, m] * phi[3 + m, j]


@numba.njit(cache=True, fastmath=FASTMATH, error_model="numpy", **_NO_REFCOUNT)
def transition_one(x: np.ndarray, phi: np.ndarray, dt: float, n_sub: int, k_drag: float,
                   earth: np.ndarray, atm: np.ndarray, layers: np.ndarray, px: np.ndarray,
                   pc: np.ndarray, index: np.ndarray, work: np.ndarray,
                   small: np.ndarray, primed: bool) -> None:
    """RK4 on (x, Phi) over ``dt`` in ``n_sub`` equal sub-steps, in place; ``phi`` is set
    to the identity first. ``work``, ``small``: scratch of shapes (16, 6, 6) and (8, 4, 6)
    (every buffer taken from them is C-contiguous, so that the loops can be vectorised).
    ``primed``: the first stage's :func:`derivatives` at ``x`` are already in
    ``work[1, 0]`` (the state's) and ``small[6, :3]``, ``small[7, :3]`` (the Jacobian's
    lower blocks), as :func:`filter_track` leaves them; else they are computed here."""
    for i in range(6):
        for j in range(6):
            phi[i, j] = 1.0 if i == j else 0.0
    h = dt / n_sub
    ys = work[0, 0]
    ks = work[1]  # rows 0-3: k1..k4 of the state
    ls = work[2:6]
    ph = work[6]
    a_r = small[6, :3]  # (3, 6), the first three columns used
    a_v = small[7, :3]
    half = 0.5 * h
    for sub in range(n_sub):
        for s in range(4):  # the stages at x, x + h/2 k1, x + h/2 k2, x + h k3
            if s == 0:
                y_s = x
                p_s = phi
            else:
                c = h if s == 3 else half
                for i in range(6):
                    ys[i] = x[i] + c * ks[s - 1, i]
                    for j in range(6):
                        ph[i, j] = phi[i, j] + c * ls[s - 1, i, j]
                y_s = ys
                p_s = ph
            if sub > 0 or s > 0 or not primed:
                _derivatives_inline(y_s, k_drag, earth, atm, layers, px, pc, index, ks[s], a_r,
                                    a_v)
            _phi_rate(p_s, a_r, a_v, ls[s])
        h6 = h / 6.0
        for i in range(6):
            x[i] = x[i] + h6 * (ks[0, i] + 2.0 * ks[1, i] + 2.0 * ks[2, i] + ks[3, i])
            for j in range(6):
                phi[i, j] = phi[i, j] + h6 * (ls[0, i, j] + 2.0 * ls[1, i, j]
                                              + 2.0 * ls[2, i, j] + ls[3, i, j])


@numba.njit(cache=True, fastmath=FASTMATH, error_model="numpy", **_NO_REFCOUNT)
def predict_one(x: np.ndarray, p: np.ndarray, dt: float, n_sub: int, k_drag: float, q: float,
                earth: np.ndarray, atm: np.ndarray, layers: np.ndarray, px: np.ndarray,
                pc: np.ndarray, index: np.ndarray, work: np.ndarray,
                small: np.ndarray, primed: bool) -> None:
    """x, P to ``dt`` later in place: RK4, :math:`P = \\Phi P\\Phi^T + Q(dt)`, symmetrised
    (``primed``: as :func:`transition_one`)."""
    phi = work[8]
    tmp = work[9]
    transition_one(x, phi, dt, n_sub, k_drag, earth, atm, layers, px, pc, index, work, small,
                   primed)
    for i in range(6):
        for j in range(6):
            acc = 0.0
            for m in range(6):
                acc += phi[i, m] * p[m, j]
            tmp[i, j] = acc
    for i in range(6):
        for j in range(6):
            acc = 0.0
            for m in range(6):
                acc += tmp[i, m] * phi[j, m]
            work[10, i, j] = acc
    q3, q2, q1 = q * dt ** 3 / 3.0, q * dt ** 2 / 2.0, q * dt
    for i in range(3):
        work[10, i, i] += q3
        work[10, i, 3 + i] += q2
        work[10, 3 + i, i] += q2
        work[10, 3 + i, 3 + i] += q1
    for i in range(6):
        for j in range(6):
            p[i, j] = 0.5 * (work[10, i, j] + work[10, j, i])


@numba.njit(cache=True, fastmath=FASTMATH, error_model="numpy", **_NO_REFCOUNT)
def measure_one(x: np.ndarray, site: np.ndarray, hz: np.ndarray, hj: np.ndarray) -> None:
    """Noise-free measurement ``hz`` (4,) (range, azimuth in [0, 2 pi), elevation, range
    rate) and its Jacobian ``hj`` (4, 6) (tracking.measurement_jacobian)."""
    dx0, dx1, dx2 = x[0] - site[3, 0], x[1] - site[3, 1], x[2] - site[3, 2]
    e = site[0, 0] * dx0 + site[0, 1] * dx1 + site[0, 2] * dx2
    n = site[1, 0] * dx0 + site[1, 1] * dx1 + site[1, 2] * dx2
    u = site[2, 0] * dx0 + site[2, 1] * dx1 + site[2, 2] * dx2
    we = site[0, 0] * x[3] + site[0, 1] * x[4] + site[0, 2] * x[5]
    wn = site[1, 0] * x[3] + site[1, 1] * x[4] + site[1, 2] * x[5]
    wu = site[2, 0] * x[3] + site[2, 1] * x[4] + site[2, 2] * x[5]
    s2 = e * e + n * n
    s = math.sqrt(s2)
    rng = math.sqrt(s2 + u * u)
    rate = (e * we + n * wn + u * wu) / rng
    az = math.atan2(e, n)
    if az < 0.0:
        az += _TWO_PI
    hz[0] = rng
    hz[1] = az
    hz[2] = math.atan2(u, s)
    hz[3] = (dx0 * x[3] + dx1 * x[4] + dx2 * x[5]) / rng
    # rows of dh/dd in the ENU frame (tracking.measurement_jacobian), then times M
    den = rng * rng * s
    d_rng = (e / rng, n / rng, u / rng)
    d_az = (n / s2, -e / s2, 0.0)
    d_el = (-e * u / den, -n * u / den, s2 / den)
    d_rate = ((we - rate * d_rng[0]) / rng, (wn - rate * d_rng[1]) / rng,
              (wu - rate * d_rng[2]) / rng)
    for j in range(3):
        m0, m1, m2 = site[0, j], site[1, j], site[2, j]
        hj[0, j] = d_rng[0] * m0 + d_rng[1] * m1 + d_rng[2] * m2
        hj[1, j] = d_az[0] * m0 + d_az[1] * m1 + d_az[2] * m2
        hj[2, j] = d_el[0] * m0 + d_el[1] * m1 + d_el[2] * m2
        hj[3, j] = d_rate[0] * m0 + d_rate[1] * m1 + d_rate[2] * m2
        hj[0, 3 + j] = 0.0
        hj[1, 3 + j] = 0.0
        hj[2, 3 + j] = 0.0
        hj[3, 3 + j] = hj[0, j]


@numba.njit(cache=True, fastmath=FASTMATH, error_model="numpy", **_NO_REFCOUNT)
def update_one(x: np.ndarray, p: np.ndarray, z: np.ndarray, sig: np.ndarray,
               site: np.ndarray, work: np.ndarray, small: np.ndarray) -> None:
    """Extended Kalman filter update of x, P in place with one measurement ``z`` (4,) of
    standard deviations ``sig`` (4,): azimuth residual wrapped, Joseph form, symmetrised."""
    hz = small[5, 0]  # (6,), the first four used
    y = small[5, 1]
    hj = small[0]  # (4, 6)
    measure_one(x, site, hz, hj)
    for i in range(4):
        y[i] = z[i] - hz[i]
    # wrap into (-pi, pi] as tracking.wrap_angle_rad: pi - mod(pi - a, 2 pi)
    y[1] = math.pi - np.mod(math.pi - y[1], _TWO_PI)
    hp = small[1]  # H P (4, 6)
    for k in range(4):
        for j in range(6):
            acc = 0.0
            for m in range(6):
                acc += hj[k, m] * p[m, j]
            hp[k, j] = acc
    s = small[3]  # (4, 6), the first four columns used
    for k in range(4):
        for m in range(4):
            acc = 0.0
            for j in range(6):
                acc += hp[k, j] * hj[m, j]
            s[k, m] = acc
        s[k, k] += sig[k] * sig[k]
    # Cholesky S = L L^T (S is symmetric positive definite)
    low = small[4]
    for i in range(4):
        for j in range(i + 1):
            acc = 0.5 * (s[i, j] + s[j, i])
            for m in range(j):
                acc -= low[i, m] * low[j, m]
            if i == j:
                low[i, i] = math.sqrt(acc)
            else:
                low[i, j] = acc / low[j, j]
    # K^T = S^-1 H P (4, 6): forward then backward substitution, column by column
    kt = small[2]
    for c in range(6):
        for i in range(4):
            acc = hp[i, c]
            for m in range(i):
                acc -= low[i, m] * kt[m, c]
            kt[i, c] = acc / low[i, i]
        for i in range(3, -1, -1):
            acc = kt[i, c]
            for m in range(i + 1, 4):
                acc -= low[m, i] * kt[m, c]
            kt[i, c] = acc / low[i, i]
    for i in range(6):
        acc = 0.0
        for k in range(4):
            acc += kt[k, i] * y[k]
        x[i] += acc
    ikh = work[8]
    for i in range(6):
        for j in range(6):
            acc = 1.0 if i == j else 0.0
            for k in range(4):
                acc -= kt[k, i] * hj[k, j]
            ikh[i, j] = acc
    tmp = work[9]
    for i in range(6):
        for j in range(6):
            acc = 0.0
            for m in range(6):
                acc += ikh[i, m] * p[m, j]
            tmp[i, j] = acc
    out = work[10]
    for i in range(6):
        for j in range(6):
            acc = 0.0
            for m in range(6):
                acc += tmp[i, m] * ikh[j, m]
            for k in range(4):
                acc += kt[k, i] * sig[k] * sig[k] * kt[k, j]
            out[i, j] = acc
    for i in range(6):
        for j in range(6):
            p[i, j] = 0.5 * (out[i, j] + out[j, i])


# --------------------------------------------------------------------------------------------
# Entry points over many tracks (what tracking.py calls)
# --------------------------------------------------------------------------------------------


@numba.njit(cache=True, fastmath=FASTMATH, error_model="numpy")
def derivatives_many(x: np.ndarray, k_drag: np.ndarray, earth: np.ndarray, atm: np.ndarray,
                     layers: np.ndarray, px: np.ndarray, pc: np.ndarray, index: np.ndarray,
                     dy: np.ndarray, jac: np.ndarray) -> None:
    """:func:`derivatives` of states (n, 6) into ``dy`` (n, 6) and ``jac`` (n, 6, 6)."""
    a_r = np.empty((3, 3))
    a_v = np.empty((3, 3))
    for n in range(x.shape[0]):
        derivatives(x[n], k_drag[n], earth, atm, layers, px, pc, index, dy[n], a_r, a_v)
        jac[n] = 0.0
        for i in range(3):
            jac[n, i, 3 + i] = 1.0
            for j in range(3):
                jac[n, 3 + i, j] = a_r[i, j]
                jac[n, 3 + i, 3 + j] = a_v[i, j]


@numba.njit(cache=True, fastmath=FASTMATH, error_model="numpy")
def transition_many(x: np.ndarray, dt: np.ndarray, n_sub: int, k_drag: np.ndarray,
                    earth: np.ndarray, atm: np.ndarray, layers: np.ndarray, px: np.ndarray,
                    pc: np.ndarray, index: np.ndarray, phi: np.ndarray) -> None:
    """States (n, 6) over ``dt`` (n,) in place, transition matrices into ``phi`` (n, 6, 6)."""
    work = np.empty((16, 6, 6))
    small = np.empty((8, 4, 6))
    for n in range(x.shape[0]):
        transition_one(x[n], phi[n], dt[n], n_sub, k_drag[n], earth, atm, layers, px, pc,
                       index, work, small, False)


@numba.njit(cache=True, fastmath=FASTMATH, error_model="numpy")
def predict_many(x: np.ndarray, p: np.ndarray, dt: np.ndarray, n_sub: int, k_drag: np.ndarray,
                 q: float, earth: np.ndarray, atm: np.ndarray, layers: np.ndarray,
                 px: np.ndarray, pc: np.ndarray, index: np.ndarray) -> None:
    """:func:`predict_one` over tracks (n, 6), (n, 6, 6) in place."""
    work = np.empty((16, 6, 6))
    small = np.empty((8, 4, 6))
    for n in range(x.shape[0]):
        predict_one(x[n], p[n], dt[n], n_sub, k_drag[n], q, earth, atm, layers, px, pc, index,
                    work, small, False)


@numba.njit(cache=True, fastmath=FASTMATH, error_model="numpy")
def update_many(x: np.ndarray, p: np.ndarray, z: np.ndarray, sig: np.ndarray,
                detected: np.ndarray, site: np.ndarray) -> None:
    """:func:`update_one` of the ``detected`` tracks (n, 6), (n, 6, 6) in place."""
    work = np.empty((16, 6, 6))
    small = np.empty((8, 4, 6))
    for n in range(x.shape[0]):
        if detected[n]:
            update_one(x[n], p[n], z[n], sig[n], site, work, small)


@numba.njit(cache=True, fastmath=FASTMATH, error_model="numpy", **_NO_REFCOUNT)
def filter_track(n: int, x: np.ndarray, p: np.ndarray, look_t: np.ndarray, z: np.ndarray,
                 sig: np.ndarray, detected: np.ndarray, alive: np.ndarray, start: np.ndarray,
                 confirm: np.ndarray, n_sub: np.ndarray, n_thin: np.ndarray,
                 thin_drag_mps2: float, k_drag: np.ndarray, q: float,
                 thresholds: np.ndarray, earth: np.ndarray, atm: np.ndarray,
                 layers: np.ndarray, px: np.ndarray, pc: np.ndarray, index: np.ndarray,
                 site: np.ndarray, pos_sigma: np.ndarray, vel_sigma: np.ndarray,
                 firm_t: np.ndarray, firm_x: np.ndarray, firm_p: np.ndarray, work: np.ndarray,
                 small: np.ndarray) -> None:
    """Track ``n`` of :func:`filter_looks` through its looks, with the scratch ``work``
    (16, 6, 6) and ``small`` (8, 4, 6)."""
    n_looks = look_t.shape[1]
    xn = x[n]
    pn = p[n]
    t = look_t[n, start[n]]
    for k in range(1, n_looks):
        j = start[n] + k
        if j >= n_looks or not alive[n, j]:
            break
        # the first stage of the prediction, whose drag chooses the sub-steps
        drag = derivatives(xn, k_drag[n], earth, atm, layers, px, pc, index, work[1, 0],
                           small[6, :3], small[7, :3])
        steps = n_sub[k]
        if n_thin[k] < steps and drag <= thin_drag_mps2:
            steps = n_thin[k]
        predict_one(xn, pn, look_t[n, j] - t, steps, k_drag[n], q, earth, atm,
                    layers, px, pc, index, work, small, True)
        t = look_t[n, j]
        if detected[n, j]:
            update_one(xn, pn, z[n, j], sig[n, j], site, work, small)
        ps = math.sqrt(pn[0, 0] + pn[1, 1] + pn[2, 2])
        vs = math.sqrt(pn[3, 3] + pn[4, 4] + pn[5, 5])
        pos_sigma[n, j] = ps
        vel_sigma[n, j] = vs
        if (math.isnan(firm_t[n]) and j >= confirm[n] and ps <= thresholds[0]
                and vs <= thresholds[1]):
            firm_t[n] = t
            for i in range(6):
                firm_x[n, i] = xn[i]
                for c in range(6):
                    firm_p[n, i, c] = pn[i, c]


@numba.njit(cache=True, parallel=True, fastmath=FASTMATH, error_model="numpy")
def filter_looks(x: np.ndarray, p: np.ndarray, look_t: np.ndarray, z: np.ndarray,
                 sig: np.ndarray, detected: np.ndarray, alive: np.ndarray, start: np.ndarray,
                 confirm: np.ndarray, n_sub: np.ndarray, n_thin: np.ndarray,
                 thin_drag_mps2: float, k_drag: np.ndarray, q: float,
                 thresholds: np.ndarray, earth: np.ndarray, atm: np.ndarray,
                 layers: np.ndarray, px: np.ndarray, pc: np.ndarray, index: np.ndarray,
                 site: np.ndarray, order: np.ndarray,
                 pos_sigma: np.ndarray, vel_sigma: np.ndarray, firm_t: np.ndarray,
                 firm_x: np.ndarray, firm_p: np.ndarray) -> None:
    """Run each track through its looks: predict, update where detected, record the
    uncertainties and the first firm look (studies.detection's look loop).

    Track ``n`` starts at look ``start[n]`` with ``x[n]``, ``p[n]`` (in place: on return
    its last estimate) and takes looks ``start[n] + k``, k = 1, 2, ..., while they exist
    and ``alive``; the prediction to look ``start[n] + k`` takes ``n_sub[k]`` RK4
    sub-steps, or ``n_thin[k]`` (fewer) where the track's drag deceleration at the look
    before (returned by :func:`derivatives`, whose first stage the prediction then
    reuses) is at most ``thin_drag_mps2``. ``order`` (m,): the order in which the
    parallel loop takes the tracks (each thread a fixed share of it). It is firm
    at the first look at or after ``confirm[n]`` whose position and velocity sigmas are
    at or below ``thresholds`` (2,): ``firm_t[n]`` (NaN on entry), ``firm_x[n]``,
    ``firm_p[n]`` are then set. Tracks are independent, so the parallel
    loop gives the same bits whatever the thread count.
    """
    m = look_t.shape[0]
    for i_order in numba.prange(m):
        n = order[i_order]
        work = np.empty((16, 6, 6))
        small = np.empty((8, 4, 6))
        filter_track(n, x, p, look_t, z, sig, detected, alive, start, confirm, n_sub, n_thin,
                     thin_drag_mps2, k_drag, q, thresholds, earth, atm, layers, px, pc, index,
                     site, pos_sigma, vel_sigma, firm_t, firm_x, firm_p, work, small)
