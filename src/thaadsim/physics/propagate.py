"""Propagate many trajectories at once over a rotating Earth.

:func:`propagate` integrates the point-mass equations of motion (gravity, drag
through a ballistic coefficient or a drag area, optional thrust) of ``n``
bodies in the Earth-fixed frame, each with its own adaptive step, in parallel
on all cores, and reports for each: how it ended (status), the end state, the
apogee, and the times at which it crossed given altitudes. The equations and
the integrator are described in :mod:`thaadsim.physics._kernel`.

Status codes (:data:`STATUS_NAMES`): 0 the end time was reached without impact,
1 impact (altitude <= 0; the end state is the interpolated impact state),
2 the step budget ran out, 3 the integration failed (a non-finite state or
parameter). Results of rows whose status is 2 or 3 are not valid.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Literal

import numba
import numpy as np
from numpy.typing import ArrayLike, NDArray

from thaadsim.errors import InputError
from thaadsim.physics import _kernel, _lockstep
from thaadsim.physics.atmosphere import density_kgm3
from thaadsim.physics.earth import WGS84, Earth, earth_model
from thaadsim.physics.glide import LiftLaw

STATUS_NAMES = {
    _kernel.REACHED_END: "reached-end",
    _kernel.IMPACT: "impact",
    _kernel.MAX_STEPS: "max-steps",
    _kernel.FAILED: "failed",
}
REACHED_END = _kernel.REACHED_END
IMPACT = _kernel.IMPACT
MAX_STEPS = _kernel.MAX_STEPS
FAILED = _kernel.FAILED

LOCKSTEP_CHUNK = 512
"""Largest number of trajectories in one lockstep work queue (about eight per lane)."""

DEFAULT_HORIZON_S = 4 * 3600.0
"""Default flight-time limit: longer than any lofted missile test on record."""

_TABLE_STEP_M = 100.0
_TABLE_TOP_M = 1_000_000.0
_KINK_SMOOTHING_M = 500.0

Steer = Literal["velocity", "up", "gamma"]
Kernel = Literal["auto", "lockstep", "per-trajectory"]


@cache
def _density_spline() -> NDArray[np.float64]:
    """USSA-1976 density for the kernel: a C2 cubic spline with 100 m knots, 0-1,000 km.

    The standard's temperature is piecewise linear, so its density has a kink at
    each layer boundary (11, 20, 32, 47, 51, 71, 86 km). A kink inside an
    integration step spoils the step's error estimate and costs rejected steps;
    the logarithm of the density is therefore smoothed over
    :data:`_KINK_SMOOTHING_M` (a Gaussian) before the spline is fitted. This
    changes the density by at most 0.7% within 1 km of a layer boundary and by
    less than 0.1% elsewhere (tested), far below the day-to-day variation of the
    real air (about 10-20% at 50-100 km).
    Returns each interval's cubic coefficients ``(c0, c1, c2, c3)`` in the
    interval fraction, shape (n_intervals, 4).

    The table depends only on the code, so it is kept once per version
    (:func:`thaadsim.cache.cached_for`; JSON keeps every float exactly) and in this
    process: a new process reads it instead of importing SciPy to fit it again.
    """
    from thaadsim.cache import cached_for

    value = cached_for("density-spline", (_TABLE_STEP_M, _TABLE_TOP_M, _KINK_SMOOTHING_M),
                       lambda: _fitted_density_spline().tolist()).value
    return np.ascontiguousarray(np.array(value, dtype=np.float64).reshape(-1, 4))


def _fitted_density_spline() -> NDArray[np.float64]:
    """:func:`_density_spline`, fitted (SciPy's natural cubic spline)."""
    from scipy.interpolate import CubicSpline
    from scipy.ndimage import gaussian_filter1d

    alt_m = np.arange(0.0, _TABLE_TOP_M + _TABLE_STEP_M / 2, _TABLE_STEP_M)
    log_rho = np.log(density_kgm3(alt_m))
    sigma = _KINK_SMOOTHING_M / _TABLE_STEP_M
    pad = int(8 * sigma)
    below = log_rho[0] + (log_rho[0] - log_rho[1]) * np.arange(pad, 0, -1)
    smooth = gaussian_filter1d(np.concatenate([below, log_rho]), sigma, mode="nearest")[pad:]
    spline = CubicSpline(alt_m, np.exp(smooth), bc_type="natural")
    powers = _TABLE_STEP_M ** np.arange(3, -1, -1)[:, None]
    return np.ascontiguousarray((spline.c * powers)[::-1].T)


@dataclass(frozen=True, kw_only=True)
class Thrust:
    """A burning rocket for the time of one segment (arrays broadcast over bodies).

    The mass falls linearly, ``m(t) = mass0_kg - mdot_kgps * (t - t0_s)``; drag
    acts on ``cda_m2`` (drag coefficient times reference area).
    """

    thrust_n: ArrayLike
    mdot_kgps: ArrayLike
    mass0_kg: ArrayLike
    cda_m2: ArrayLike
    steer: Steer = "velocity"
    target_gamma_deg: ArrayLike = 0.0
    """With ``steer="gamma"``: the flight-path angle (above the local horizontal) toward
    which the thrust turns the missile, and holds it (a steered ascent)."""
    max_deflection_deg: ArrayLike = 0.0
    """With ``steer="gamma"``: the largest angle between thrust and velocity."""
    program_s: ArrayLike = 1.0
    """With ``steer="gamma"``: the commanded flight-path angle falls linearly from 90
    degrees at ``program_start_s`` to ``target_gamma_deg`` this many seconds later."""
    program_start_s: ArrayLike | None = None
    """Start of that pitch program (default: the segment's start)."""


@dataclass(frozen=True, kw_only=True)
class Propagation:
    """What :func:`propagate` returns: one row per body."""

    t_s: NDArray[np.float64]
    """Time at the end (impact time for status 1)."""
    state: NDArray[np.float64]
    """Earth-fixed state (x, y, z, vx, vy, vz) at the end, m and m/s, shape (n, 6)."""
    status: NDArray[np.int64]
    apogee_t_s: NDArray[np.float64]
    apogee_alt_m: NDArray[np.float64]
    """Highest geodetic altitude reached (the start altitude if it never climbed)."""
    levels_alt_m: NDArray[np.float64]
    up_s: NDArray[np.float64]
    """First upward crossing time of each level, shape (n, k); NaN if none."""
    down_s: NDArray[np.float64]
    """Last downward crossing time of each level, shape (n, k); NaN if none."""
    n_steps: NDArray[np.int64]
    """Accepted and rejected steps, shape (n, 2)."""
    track_t_s: NDArray[np.float64]
    """Times of the recorded accepted steps, shape (n, capacity), NaN-padded."""
    track_state: NDArray[np.float64]
    track_len: NDArray[np.int64]

    @property
    def impacted(self) -> NDArray[np.bool_]:
        return self.status == IMPACT

    @property
    def valid(self) -> NDArray[np.bool_]:
        """Rows whose integration finished (impact or end time reached)."""
        return (self.status == IMPACT) | (self.status == REACHED_END)


def _as_rows(value: ArrayLike, n: int, name: str) -> NDArray[np.float64]:
    arr = np.asarray(value, dtype=np.float64)
    try:
        return np.ascontiguousarray(np.broadcast_to(arr, (n,)))
    except ValueError:
        raise InputError(f"{name}: shape {arr.shape} does not broadcast to {n} bodies") from None


def propagate(
    state0: ArrayLike,
    *,
    t0_s: ArrayLike = 0.0,
    t_end_s: ArrayLike | None = None,
    beta_kgm2: ArrayLike = np.inf,
    lift_to_drag: ArrayLike = 0.0,
    lift_law: LiftLaw | None = None,
    thrust: Thrust | None = None,
    earth: Earth | str = WGS84,
    drag: bool = True,
    rotating: bool = True,
    levels_alt_m: ArrayLike = (),
    stop_at_impact: bool = True,
    rtol: float = 1e-8,
    atol: float = 1e-6,
    max_step_s: float = np.inf,
    max_steps: int = 200_000,
    record: int = 0,
    kernel: Kernel = "auto",
) -> Propagation:
    """Integrate bodies from Earth-fixed states until impact or ``t_end_s``.

    Parameters
    ----------
    state0
        Earth-fixed positions and velocities, shape (n, 6) or (6,), m and m/s.
        With ``rotating=False`` the Earth does not turn and the frame is inertial.
    t0_s, t_end_s
        Start and end times per body; the end defaults to start + 4 h.
    beta_kgm2
        Ballistic coefficient m / (C_D A) of a coasting body; ``inf`` = no drag.
    lift_to_drag
        Maximum lift-to-drag ratio of a coasting body that glides (a manoeuvring
        re-entry vehicle or quasi-ballistic missile); 0 for a ballistic one. With a
        parabolic drag polar, ``beta_kgm2`` is then its zero-lift ballistic
        coefficient; it flies at its maximum L/D (lift up in the vertical plane,
        drag twice the zero-lift drag) whenever level or descending, and unloads
        linearly to no lift in a 5.7 degree climb: it pulls up out of a dive, settles
        on the equilibrium glide, and cannot climb out of the atmosphere on its lift
        (:mod:`thaadsim.physics._kernel`).
    lift_law
        With ``lift_to_drag > 0``: a guided glide vehicle's or manoeuvring re-entry
        vehicle's lift law instead of that maximum-L/D glide (:mod:`thaadsim.physics.glide`).
    thrust
        A burning rocket instead of a coasting body (then ``beta_kgm2`` and
        ``lift_to_drag`` are unused).
    earth
        ``"wgs84"`` (J2 gravity, ellipsoid) or ``"sphere"`` (R = 6,371 km, point mass).
    drag, rotating
        Switch the atmosphere and the Earth's rotation off.
    levels_alt_m
        Altitudes whose upward and downward crossings are reported.
    stop_at_impact
        End a body's flight when its altitude falls to 0 (otherwise only at t_end).
    rtol, atol
        Error tolerances of the Dormand-Prince 5(4) step control.
    max_step_s
        Upper bound on the step (to record smooth tracks).
    record
        How many accepted steps to record per body for plotting (0 = none).
    kernel
        ``"lockstep"``: coasting bodies without lift go to the lockstep kernel
        (:mod:`thaadsim.physics._lockstep`, trajectories advanced together in SIMD lanes,
        about three times faster per core), the others to the per-trajectory one;
        ``"per-trajectory"``: all to :func:`thaadsim.physics._kernel.integrate_many`;
        ``"auto"`` (default): as ``"lockstep"``, however few bodies there are, so that a
        body's result never depends on how many others were integrated with it (a study
        cut into chunks gives the one-piece result, bit for bit). Both kernels give the
        same results to well within the tolerance; each is deterministic, whatever the
        number of threads.
    """
    earth = earth_model(earth)
    y0 = np.atleast_2d(np.asarray(state0, dtype=np.float64))
    if y0.shape[-1] != 6 or y0.ndim != 2:
        raise InputError(f"state0: shape {y0.shape} is not (n, 6)")
    n = y0.shape[0]
    t0 = _as_rows(t0_s, n, "t0_s")
    t_end = t0 + DEFAULT_HORIZON_S if t_end_s is None else _as_rows(t_end_s, n, "t_end_s")
    segs = np.zeros((n, 17))
    if thrust is None:
        beta = _as_rows(beta_kgm2, n, "beta_kgm2")
        coasting_drag = drag & np.isfinite(beta)
        segs[:, 2] = np.where(coasting_drag, beta, 1.0)
        segs[:, 4] = np.where(coasting_drag, 1.0, 0.0)
        segs[:, 6] = _as_rows(lift_to_drag, n, "lift_to_drag")
        if lift_law is not None:
            segs[:, 11:17] = lift_law.seg_columns()
    else:
        segs[:, 0] = _as_rows(thrust.thrust_n, n, "thrust_n")
        segs[:, 1] = _as_rows(thrust.mdot_kgps, n, "mdot_kgps")
        segs[:, 2] = _as_rows(thrust.mass0_kg, n, "mass0_kg")
        segs[:, 3] = t0
        segs[:, 4] = _as_rows(thrust.cda_m2, n, "cda_m2") if drag else 0.0
        segs[:, 5] = {"velocity": 0.0, "up": 1.0, "gamma": 2.0}[thrust.steer]
        if thrust.steer == "gamma":
            segs[:, 7] = np.radians(_as_rows(thrust.target_gamma_deg, n, "target_gamma_deg"))
            segs[:, 8] = np.radians(_as_rows(thrust.max_deflection_deg, n,
                                             "max_deflection_deg"))
            segs[:, 9] = _as_rows(thrust.program_s, n, "program_s")
            segs[:, 10] = t0 if thrust.program_start_s is None else _as_rows(
                thrust.program_start_s, n, "program_start_s")
    earth_params = np.array([
        earth.a_m, earth.e2, earth.gm_m3ps2, earth.j2, earth.omega_radps if rotating else 0.0,
        earth.b_m, 1.5 * earth.j2 * earth.a_m**2,
    ])
    levels = np.ascontiguousarray(np.atleast_1d(np.asarray(levels_alt_m, dtype=np.float64)))
    # rows that cannot be integrated get a harmless stand-in and the status FAILED
    bad = ~(np.isfinite(y0).all(axis=1) & np.isfinite(t0) & (t_end >= t0))
    bad |= ~np.isfinite(segs).all(axis=1)
    y_in = np.where(bad[:, None], np.array([WGS84.a_m * 2, 0, 0, 0, 0, 0.0]), y0)
    t0_in = np.where(bad, 0.0, t0)
    t_end_in = np.where(bad, 0.0, t_end)
    if kernel not in ("auto", "lockstep", "per-trajectory"):
        raise InputError(f"kernel: {kernel!r} is not one of 'auto', 'lockstep', "
                         "'per-trajectory'")
    stand_in = np.zeros(17)
    stand_in[[2, 9]] = 1.0
    segs_in = np.where(bad[:, None], stand_in, segs)
    # coasting without lift: what the lockstep kernel integrates
    coasting = (segs_in[:, 0] == 0.0) & (segs_in[:, 1] == 0.0) & (segs_in[:, 6] == 0.0)
    if kernel == "per-trajectory":
        coasting[:] = False
    common = (earth_params, levels, stop_at_impact, _density_spline(), 0.0, _TABLE_STEP_M,
              float(rtol), float(atol), float(max_step_s), int(max_steps), int(record))
    parts = []
    for rows, lockstep in ((np.flatnonzero(coasting), True), (np.flatnonzero(~coasting), False)):
        if rows.size == 0:
            continue
        inputs = (np.ascontiguousarray(y_in[rows]), np.ascontiguousarray(t0_in[rows]),
                  np.ascontiguousarray(t_end_in[rows]), np.ascontiguousarray(segs_in[rows]))
        if lockstep:
            # each chunk is one queue of lanes; the results do not depend on the chunks
            chunk = int(min(LOCKSTEP_CHUNK, max(_lockstep.LANES, -(-rows.size // 8))))
            with numba.parallel_chunksize(1):
                part = _lockstep.integrate_lockstep(*inputs, *common, chunk,
                                                    _lockstep.queue_order(inputs[0], chunk))
        else:
            with numba.parallel_chunksize(8):
                part = _kernel.integrate_many(*inputs, *common)
        parts.append((rows, part))
    if len(parts) == 1 and parts[0][0].size == n:
        y_out, t_out, status, steps, ev, up, down, rec_t, rec_y, n_rec = parts[0][1]
    else:
        y_out, t_out, status, steps, ev, up, down, rec_t, rec_y, n_rec = (
            np.empty((n, *a.shape[1:]), dtype=a.dtype) for a in parts[0][1])
        merged = (y_out, t_out, status, steps, ev, up, down, rec_t, rec_y, n_rec)
        for rows, part in parts:
            for dst, src in zip(merged, part, strict=True):
                dst[rows] = src
    # a finite start can still overflow (|r| near 1e154 squares to inf): no valid row
    # may report a non-finite end state, time or apogee
    bad |= (((status == IMPACT) | (status == REACHED_END))
            & ~(np.isfinite(y_out).all(axis=1) & np.isfinite(t_out) & np.isfinite(ev[:, 1])))
    status[bad] = FAILED
    y_out[bad] = np.nan
    return Propagation(
        t_s=t_out,
        state=y_out,
        status=status,
        apogee_t_s=ev[:, 0],
        apogee_alt_m=ev[:, 1],
        levels_alt_m=levels,
        up_s=up,
        down_s=down,
        n_steps=steps,
        track_t_s=rec_t,
        track_state=rec_y,
        track_len=n_rec,
    )


def band_times(
    up_s: NDArray[np.float64],
    down_s: NDArray[np.float64],
    apogee_alt_m: NDArray[np.float64],
    band_m: tuple[float, float],
    start_alt_m: NDArray[np.float64],
    t_start_s: NDArray[np.float64],
    t_end_s: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Entry time, exit time and total time inside an altitude band.

    ``up_s`` and ``down_s`` hold, for the band's lower and upper edge (columns 0
    and 1), the first upward and last downward crossing times. The altitude is
    taken to rise to its apogee and then fall (one arc, as every ballistic
    flight does): the flight is in the band from the lower edge going up to the
    lower edge coming down, less the time spent above the upper edge.
    A flight that starts inside the band enters it at the start; one that starts above it
    enters it coming down through its upper edge.
    Entry and exit are NaN and the time 0 for a flight that never reaches the band.
    """
    lo, hi = band_m
    entry = np.where(np.isnan(up_s[:, 0]), np.where(start_alt_m >= lo, t_start_s, np.nan),
                     up_s[:, 0])
    leave = np.where(np.isnan(down_s[:, 0]), t_end_s, down_s[:, 0])
    above_from = np.where(np.isnan(up_s[:, 1]), t_start_s, up_s[:, 1])
    above_to = np.where(np.isnan(down_s[:, 1]), t_end_s, down_s[:, 1])
    above = np.where(apogee_alt_m > hi, above_to - above_from, 0.0)
    reached = apogee_alt_m >= lo
    total = np.where(reached, leave - entry - above, 0.0)
    still_above = (apogee_alt_m > hi) & np.isnan(down_s[:, 1])
    last_inside = np.where(np.isnan(down_s[:, 0]), np.where(still_above, above_from, t_end_s),
                           down_s[:, 0])
    # a flight that starts above the band enters it coming down through its upper edge
    first_in = np.where((start_alt_m > hi) & ~np.isnan(down_s[:, 1]), down_s[:, 1], entry)
    return (np.where(reached, first_in, np.nan), np.where(reached, last_inside, np.nan),
            np.maximum(total, 0.0))
