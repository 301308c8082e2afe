r"""The compiled core of the propagator, lockstep: coasting bodies advanced in SIMD lanes.

The same integrator as :mod:`thaadsim.physics._kernel` (Dormand-Prince 5(4) with FSAL,
its error norm and its step-size controller, the same events located the same way),
for coasting bodies (no thrust, no lift): ballistic flight under J2 gravity, drag
through a ballistic coefficient, Coriolis and centrifugal terms. What differs is the
order of the work. :func:`integrate_one` advances one trajectory at a time, so the
compiler sees scalar arithmetic. Here a group of :data:`LANES` trajectories is advanced
together: every quantity of a step is a short array over the group, the trajectory
(lane) index innermost, and each stage is a loop over the lanes that LLVM turns into
SIMD instructions (eight doubles to a zmm register with AVX-512, four to a ymm with
AVX2; the air-density table is read with gather instructions).

Each lane keeps its own time, step size, controller state and step counts, so a
trajectory takes exactly the steps it would take alone: a step rejected in one lane
is repeated in that lane only (a mask), while the others go on. Whatever is rare and
branchy (an accepted step with an event in it - impact, apogee, a level crossing, the
end time - a failure, the step budget, a recorded step) is flagged by the vector pass
and settled lane by lane in scalar code shared with the per-trajectory kernel
(:func:`thaadsim.physics._kernel.step_events`). A lane whose trajectory has ended is
refilled at once with the next one of its chunk (a work queue), so lanes stay busy
until the chunk runs dry. Chunks of :data:`CHUNK` trajectories run in parallel.

Determinism: a trajectory's arithmetic never involves another lane, and every lane of
a group runs the same vector instructions (the group is a whole number of vector
widths), so its result does not depend on its lane, its chunk, the order of the queue
or the number of threads. The results differ from the per-trajectory kernel's only by
rounding (a different but equivalent order of operations, and a polynomial fifth root
instead of ``exp``/``log`` in the step-size controller), far inside the tolerance.

The vector loops need to know that their arrays do not overlap: the functions that
hold them are compiled with ``noalias`` (:class:`thaadsim.physics._jit.NoAliasCompiler`)
and are only ever given distinct arrays.

Performance (measured December 2026 on the project's 2-core AMD EPYC with AVX-512,
shared with four other jobs, load average 4-8; ``benchmarks/bench_propagate.py``,
10,000 threats, 81.7 steps each):

* Whole benchmark, both cores: lockstep 2.8-3.1x the per-trajectory kernel in the same
  run (medians of 7, three runs); 620-640x ``solve_ivp`` at load 6.5, where the
  per-trajectory kernel reached 210-220x (about 400x on an idle machine).
* One core, CPU time, 4,000 threats: ~100-130 ns per step against 330-430 ns.
* Where a lockstep step goes (64 lanes, CPU time per lane-step): the right-hand side
  ~5.8 ns per evaluation (zmm registers, four ``vgatherqpd`` for the density table,
  one ``vdivpd`` and two ``vsqrtpd``), seven of them ~41 ns; the rest of the vector
  pass ~32 ns (geodetic altitude and its rate for the events: four square roots and
  four divisions; the error norm's six divisions; the controller); and ~30-50 ns
  outside it: the scalar work of the flagged steps (root finding for apogee and
  impact on the interpolant, the partial step to the impact with seven scalar
  right-hand sides, starting each trajectory) and Numba's reference counting of the
  ~30 array arguments of each call (an atomic increment and decrement per array).
* What limits it: Zen 4 executes 512-bit operations as two 256-bit halves, so eight
  lanes cost about two four-lane operations; square roots, divisions and gathers are
  a large part of the right-hand side; the scalar event work is about a third of the
  time and does not vectorise; lane occupancy is high (a chunk's queue serves the
  fastest bodies first, so the short flights fill the lanes at the end; with 512
  trajectories per queue and 64 lanes, the idle tail costs a few percent).
* Compile time (an empty Numba cache, CPU seconds of the first call, December 2026,
  load 10-15): the lockstep kernel ~36 s (``benchmarks/bench_startup.py`` times each
  compiled function). It was 113 s measured the same way while the scalar step to the
  impact (``settle``) inlined seven copies of the full right-hand side: Numba's inliner
  re-types and re-lowers each copy (64 s of it); :func:`thaadsim.physics._kernel.rhs`
  is now compiled once and called. What is left is mostly LLVM optimising and generating
  the callees again inside each caller that links them (``settle``, ``run_chunk``, the
  parallel loop of :func:`integrate_lockstep`).
  The queue is sorted by NumPy (:func:`queue_order`), not by a compiled mergesort.
  Moving the thrust and steering laws out of the inlined right-hand side would cut the
  scalar step's share further, but it changed the kernel's results in the last bits
  (tried, not kept).
* Pitfalls found on the way, each of which silently turned the loops back into scalar
  code: with 8 or 16 lanes LLVM's vector loop (8 wide, unrolled 4 times) needs 32 lanes
  and runs the whole group in its scalar remainder; a table read at a computed index
  needs ``noalias``; an array passed to an inlined helper (``inline="always"``) is
  reference-counted inside the loop; Numba's ``min``/``max`` and short-circuit
  ``and``/``or`` are calls and branches; a select written back to the array it reads
  (``y = yn if moved else y``) does not vectorise; an index into several rows of one
  2-D array in one loop (runtime row stride) does not either. ``inspect_asm()`` of
  :func:`rhs_lanes` shows the ``zmm`` registers and gathers.
"""

from __future__ import annotations

import numba
import numpy as np

from thaadsim.physics._jit import FASTMATH, NoAliasCompiler
from thaadsim.physics._kernel import (
    A21,
    A31,
    A32,
    A41,
    A42,
    A43,
    A51,
    A52,
    A53,
    A54,
    A61,
    A62,
    A63,
    A64,
    A65,
    B1,
    B3,
    B4,
    B5,
    B6,
    E1,
    E3,
    E4,
    E5,
    E6,
    E7,
    FAILED,
    IMPACT,
    MAX_STEPS,
    REACHED_END,
    RUNNING,
    altitude_along_radius,
    altitude_up,
    dp5_step_apart,
    rhs,
    step_events,
)
from thaadsim.physics.gravity import gravity_at_radius

LANES = 64
"""Trajectories advanced together: one AVX-512 register of doubles (two AVX2 ones)."""

CHUNK = 256
"""Trajectories per work queue; the chunks run in parallel."""

Q_MIN = 1e-4**0.2
"""Fifth root of the smallest previous error the predictive controller remembers."""

# rows of the lanes' scalars (run_chunk's array L)
_T = 0
_HS = 1
_TEND = 2
_LAST = 3
_ERR = 4
_ALT0 = 5
_RATE0 = 6
_ALT1 = 7
_RATE1 = 8
_KDC = 9
_FLAG = 10
_MOVED = 11
_Q_PREV = 12
_H_PREV = 13
_REJECTED = 14
_N_ACC = 15
_N_REJ = 16
_ACTIVE = 17

# x**0.2 on [1, 2) in powers of (2x - 3): least squares, relative error < 5e-7
_P0, _P1, _P2, _P3, _P4, _P5, _P6 = (
    1.0844717867977884,
    0.07229891668830984,
    -0.009640304146354077,
    0.0019208834306089677,
    -0.0004468605045905914,
    0.00012899335992734646,
    -3.538492543102743e-05,
)


@numba.njit(cache=True, inline="always", fastmath=FASTMATH, error_model="numpy")
def fifth_root(x: float) -> float:
    """x ** 0.2 for x clipped to [1e-10, 1e10], to 5e-7, with arithmetic only.

    The step-size controller needs err ** -0.2; ``exp`` and ``log`` are calls that the
    compiler cannot vectorise (no vector maths library), so the argument is scaled
    into [1, 2) by exact powers of two (each 2^5 is a factor of 2 in the root) and the
    root there is a polynomial.
    """
    # selects, not min/max: Numba's builtin min and max are calls that block vectorising
    x = x if x > 1e-10 else 1e-10
    x = (x if x < 1e10 else 1e10) * 34359738368.0  # 2^35: now in [3.4, 3.5e20)
    f = 0.0078125  # 2^-7
    if x >= 1099511627776.0:  # 2^40
        x *= 9.094947017729282e-13
        f *= 256.0
    if x >= 1048576.0:  # 2^20
        x *= 9.5367431640625e-07
        f *= 16.0
    if x >= 1024.0:
        x *= 0.0009765625
        f *= 4.0
    if x >= 32.0:
        x *= 0.03125
        f *= 2.0
    if x >= 16.0:
        x *= 0.0625
        f *= 1.7411011265922482  # 2^0.8
    if x >= 4.0:
        x *= 0.25
        f *= 1.3195079107728942  # 2^0.4
    if x >= 2.0:
        x *= 0.5
        f *= 1.148698354997035  # 2^0.2
    u = 2.0 * x - 3.0
    return f * (_P0 + u * (_P1 + u * (_P2 + u * (_P3 + u * (_P4 + u * (_P5 + u * _P6))))))


@numba.njit(cache=True, inline="always", fastmath=FASTMATH, error_model="numpy")
def next_step(err, hs, h_prev, q_prev, rejected, h_max):
    """Step after an accepted one, and the error root to remember: (hs, q_prev).

    :func:`thaadsim.physics._kernel.integrate_one`'s controller with err ** 0.2 = q:
    0.9 err^-0.2, or Gustafsson's predictive 0.9 (hs / h_prev) (err_prev / err^2)^0.2
    when it is the more cautious, kept within [0.2, 10] (1 just after a rejection).
    """
    q = fifth_root(err)
    fac = 0.9 / q
    trend = 0.9 * (hs / h_prev) * q_prev / (q * q)
    fac = trend if (h_prev > 0.0) & (trend < fac) else fac
    fac = fac if fac > 0.2 else 0.2
    top = 1.0 if rejected > 0.0 else 10.0
    fac = fac if fac < top else top
    h_new = hs * fac
    return (h_new if h_new < h_max else h_max), (q if q > Q_MIN else Q_MIN)


@numba.njit(cache=True, fastmath=FASTMATH, error_model="numpy", pipeline_class=NoAliasCompiler)
def rhs_lanes(ys, out, kdc, rho_poly, h0, inv_dh, s_max, gm, kj2, om, b, e2):
    """dy/dt of a coasting body in every lane: ``out[:, ln]`` from ``ys[:, ln]``.

    The physics of :func:`thaadsim.physics._kernel.rhs` without thrust or lift;
    ``kdc[ln]`` = C_D A / (2 m) (0 without drag). Branch-free, so that the loop
    vectorises: the density table is read at an index clipped into the table, then set
    to 0 above it, so that no lane, whatever its state (even NaN), reads outside it.
    The table is read here, in the loop, not in a helper: an array handed to an inlined
    Numba function is reference-counted inside the loop, and those calls stop LLVM from
    vectorising it.
    """
    for ln in range(ys.shape[1]):
        px = ys[0, ln]
        py = ys[1, ln]
        pz = ys[2, ln]
        vx = ys[3, ln]
        vy = ys[4, ln]
        vz = ys[5, ln]
        p2 = px * px + py * py
        r2 = p2 + pz * pz
        r = np.sqrt(r2)
        inv_r = 1.0 / r  # one division for 1/r and 1/r^2
        inv_r2 = inv_r * inv_r
        ax, ay, az = gravity_at_radius(px, py, pz, r, inv_r2, gm, kj2)
        h = altitude_along_radius(r, p2 * inv_r2, b, e2)
        s = (h - h0) * inv_dh
        sc = s if s > 0.0 else 0.0
        sc = sc if sc < s_max else s_max
        i = int(sc)
        i = i if i < s_max else i - 1
        u = sc - i
        rho = ((rho_poly[i, 3] * u + rho_poly[i, 2]) * u + rho_poly[i, 1]) * u + rho_poly[i, 0]
        rho = rho if s < s_max else 0.0
        speed = np.sqrt(vx * vx + vy * vy + vz * vz)
        kd = rho * speed * kdc[ln]
        ax -= kd * vx
        ay -= kd * vy
        az -= kd * vz
        ax += 2.0 * om * vy + om * om * px
        ay += -2.0 * om * vx + om * om * py
        out[0, ln] = vx
        out[1, ln] = vy
        out[2, ln] = vz
        out[3, ln] = ax
        out[4, ln] = ay
        out[5, ln] = az


@numba.njit(cache=True, fastmath=FASTMATH, error_model="numpy", pipeline_class=NoAliasCompiler)
def advance(y, k1, k2, k3, k4, k5, k6, k7, yn, ys, t, hs, t_end, last, err, alt0, rate0,
            alt1, rate1, kdc, flag, moved, q_prev, h_prev, rejected, n_acc, n_rej, active,
            levels, rho_poly, h0, inv_dh, s_max, earth, rtol, atol, h_max, max_steps,
            stop_at_impact, record):
    """One step in every lane; returns how many lanes were flagged for :func:`settle`.

    The state and slope after the step are left in ``ys`` and ``k2``: the caller swaps
    them with ``y`` and ``k1``.

    A lane's step is flagged when it needs scalar work: accepted with an event inside
    (impact, apogee, a level crossed, the end time), the step budget spent, a failure,
    or (``record``) any accepted step. Unflagged lanes are updated here: accepted -
    advance and choose the next step; rejected - shrink the step. Idle lanes
    (``active`` 0) take steps of zero length and are never flagged.
    """
    a, e2, gm, om, b, kj2 = earth[0], earth[1], earth[2], earth[4], earth[5], earth[6]
    nl = t.shape[0]
    for ln in range(nl):
        tl = t[ln]
        h = hs[ln]
        end = tl + h >= t_end[ln]
        h = t_end[ln] - tl if end else h
        hs[ln] = h if active[ln] > 0.0 else 0.0
        last[ln] = 1.0 if end else 0.0
    for j in range(6):
        for ln in range(nl):
            ys[j, ln] = y[j, ln] + hs[ln] * A21 * k1[j, ln]
    rhs_lanes(ys, k2, kdc, rho_poly, h0, inv_dh, s_max, gm, kj2, om, b, e2)
    for j in range(6):
        for ln in range(nl):
            ys[j, ln] = y[j, ln] + hs[ln] * (A31 * k1[j, ln] + A32 * k2[j, ln])
    rhs_lanes(ys, k3, kdc, rho_poly, h0, inv_dh, s_max, gm, kj2, om, b, e2)
    for j in range(6):
        for ln in range(nl):
            ys[j, ln] = y[j, ln] + hs[ln] * (A41 * k1[j, ln] + A42 * k2[j, ln] + A43 * k3[j, ln])
    rhs_lanes(ys, k4, kdc, rho_poly, h0, inv_dh, s_max, gm, kj2, om, b, e2)
    for j in range(6):
        for ln in range(nl):
            ys[j, ln] = y[j, ln] + hs[ln] * (A51 * k1[j, ln] + A52 * k2[j, ln] + A53 * k3[j, ln]
                                          + A54 * k4[j, ln])
    rhs_lanes(ys, k5, kdc, rho_poly, h0, inv_dh, s_max, gm, kj2, om, b, e2)
    for j in range(6):
        for ln in range(nl):
            ys[j, ln] = y[j, ln] + hs[ln] * (A61 * k1[j, ln] + A62 * k2[j, ln] + A63 * k3[j, ln]
                                          + A64 * k4[j, ln] + A65 * k5[j, ln])
    rhs_lanes(ys, k6, kdc, rho_poly, h0, inv_dh, s_max, gm, kj2, om, b, e2)
    for j in range(6):
        for ln in range(nl):
            yn[j, ln] = y[j, ln] + hs[ln] * (B1 * k1[j, ln] + B3 * k3[j, ln] + B4 * k4[j, ln]
                                          + B5 * k5[j, ln] + B6 * k6[j, ln])
    rhs_lanes(yn, k7, kdc, rho_poly, h0, inv_dh, s_max, gm, kj2, om, b, e2)
    for ln in range(nl):
        err[ln] = 0.0
    for j in range(6):
        for ln in range(nl):
            ej = hs[ln] * (E1 * k1[j, ln] + E3 * k3[j, ln] + E4 * k4[j, ln] + E5 * k5[j, ln]
                          + E6 * k6[j, ln] + E7 * k7[j, ln])
            ay = abs(y[j, ln])
            ayn = abs(yn[j, ln])
            sk = atol + rtol * (ay if ay > ayn else ayn)
            err[ln] += (ej / sk) ** 2
    for ln in range(nl):
        err[ln] = np.sqrt(err[ln] / 6.0)
        h1, ux, uy, uz = altitude_up(yn[0, ln], yn[1, ln], yn[2, ln], a, e2)
        alt1[ln] = h1
        rate1[ln] = ux * yn[3, ln] + uy * yn[4, ln] + uz * yn[5, ln]
        flag[ln] = 0.0
    for m in range(levels.shape[0]):
        lev = levels[m]
        for ln in range(nl):
            a0 = alt0[ln]
            a1 = alt1[ln]
            crossed = (a0 < lev <= a1) or (a0 >= lev > a1)
            flag[ln] = 1.0 if crossed else flag[ln]
    n_flag = 0
    for ln in range(nl):
        e = err[ln]
        h = hs[ln]
        # bitwise & and | on booleans: no short-circuit branches in the vector loop
        fin = np.isfinite(e)
        acc = fin & (e <= 1.0)
        event = ((flag[ln] > 0.0) | (last[ln] > 0.0) | ((rate0[ln] > 0.0) & (rate1[ln] <= 0.0))
                 | (stop_at_impact & (alt1[ln] <= 0.0) & (alt0[ln] > 0.0)) | record)
        shrink = 0.9 / fifth_root(e)
        h_rej = h * (shrink if shrink > 0.2 else 0.2) if fin else h * 0.1
        fail = (h < 1e-9) if not fin else ((not acc) & (h_rej < 1e-9))
        over = n_acc[ln] + n_rej[ln] >= max_steps
        busy = active[ln] > 0.0
        flagged = busy & (over | fail | (acc & event))
        h_acc, q_acc = next_step(e, h, h_prev[ln], q_prev[ln], rejected[ln], h_max)
        update = busy & (not flagged)
        take = update & acc
        drop = update & (not acc)
        t[ln] = t[ln] + h if take else t[ln]
        n_acc[ln] = n_acc[ln] + 1.0 if take else n_acc[ln]
        n_rej[ln] = n_rej[ln] + 1.0 if drop else n_rej[ln]
        alt0[ln] = alt1[ln] if take else alt0[ln]
        rate0[ln] = rate1[ln] if take else rate0[ln]
        q_prev[ln] = q_acc if take else q_prev[ln]
        h_prev[ln] = h if take else h_prev[ln]
        rejected[ln] = 0.0 if take else (1.0 if (drop & fin) else rejected[ln])
        hs[ln] = h_acc if take else (h_rej if drop else h)
        moved[ln] = 1.0 if take else 0.0
        flag[ln] = 1.0 if flagged else 0.0
        n_flag += 1 if flagged else 0
    # the next state and slope go to the scratch arrays ys and k2 (a select written to
    # the array it reads does not vectorise); the caller then swaps y with ys, k1 with k2
    for j in range(6):
        for ln in range(nl):
            ys[j, ln] = yn[j, ln] if moved[ln] > 0.0 else y[j, ln]
    for j in range(6):
        for ln in range(nl):
            k2[j, ln] = k7[j, ln] if moved[ln] > 0.0 else k1[j, ln]
    return n_flag


@numba.njit(cache=True, fastmath=FASTMATH, error_model="numpy")
def load(lane, i, y0, t0, t_end, segs, earth, rho_poly, h0, dh, rtol, atol, h_max, ev, up,
         down, rec_t, rec_y, n_rec, y, k1, L, work):
    """Start trajectory ``i`` in ``lane``, as :func:`integrate_one` starts it."""
    a, e2 = earth[0], earth[1]
    wy = work[0]
    wk = work[1]
    for j in range(6):
        wy[j] = y0[i, j]
        y[j, lane] = wy[j]
    L[_T, lane] = t0[i]
    L[_TEND, lane] = t_end[i]
    seg = segs[i]
    L[_KDC, lane] = 0.5 * seg[4] / seg[2]
    rhs(t0[i], wy, wk, seg, earth, rho_poly, h0, dh)
    for j in range(6):
        k1[j, lane] = wk[j]
    rec_cap = rec_t.shape[1]
    n_rec[i] = 0
    if rec_cap > 0:
        rec_t[i, 0] = t0[i]
        for j in range(6):
            rec_y[i, 0, j] = wy[j]
        n_rec[i] = 1
    h, ux, uy, uz = altitude_up(wy[0], wy[1], wy[2], a, e2)
    L[_ALT0, lane] = h
    L[_RATE0, lane] = ux * wy[3] + uy * wy[4] + uz * wy[5]
    ev[i, 0] = t0[i]
    ev[i, 1] = h
    for m in range(up.shape[1]):
        up[i, m] = np.nan
        down[i, m] = np.nan
    sc0 = 0.0
    sc1 = 0.0
    for j in range(6):
        sk = atol + rtol * abs(wy[j])
        sc0 += (wy[j] / sk) ** 2
        sc1 += (wk[j] / sk) ** 2
    step = 0.01 * np.sqrt(sc0 / max(sc1, 1e-300))
    L[_HS, lane] = min(max(step, 1e-4), h_max, 10.0)
    L[_Q_PREV, lane] = Q_MIN
    L[_H_PREV, lane] = -1.0
    L[_REJECTED, lane] = 0.0
    L[_N_ACC, lane] = 0.0
    L[_N_REJ, lane] = 0.0
    L[_ACTIVE, lane] = 1.0


@numba.njit(cache=True, fastmath=FASTMATH, error_model="numpy")
def settle(lane, i, segs, earth, levels, stop_at_impact, rho_poly, h0, dh, rtol, atol, h_max,
           max_steps, ev, up, down, rec_t, rec_y, n_rec, y, k1, yn, k7, L, work):
    """Finish the step of a flagged lane as :func:`integrate_one` does; return its status."""
    if L[_N_ACC, lane] + L[_N_REJ, lane] >= max_steps:
        return MAX_STEPS
    e = L[_ERR, lane]
    h = L[_HS, lane]
    if not np.isfinite(e):
        if h < 1e-9:
            return FAILED
        L[_HS, lane] = h * 0.1
        L[_N_REJ, lane] += 1.0
        return RUNNING
    if e > 1.0:
        L[_HS, lane] = h * max(0.2, 0.9 / fifth_root(e))
        L[_N_REJ, lane] += 1.0
        L[_REJECTED, lane] = 1.0
        if L[_HS, lane] < 1e-9:
            return FAILED
        return RUNNING
    a, e2 = earth[0], earth[1]
    wy = work[0]
    wk1 = work[1]
    wyn = work[2]
    wk7 = work[3]
    tmp = work[4]
    for j in range(6):
        wy[j] = y[j, lane]
        wk1[j] = k1[j, lane]
        wyn[j] = yn[j, lane]
        wk7[j] = k7[j, lane]
    L[_N_ACC, lane] += 1.0
    tl = L[_T, lane]
    th_imp = step_events(tl, h, wy, wk1, wyn, wk7, L[_ALT0, lane], L[_RATE0, lane], L[_ALT1, lane],
                         L[_RATE1, lane], levels, stop_at_impact, ev[i], up[i], down[i], tmp,
                         a, e2)
    status = RUNNING
    if th_imp <= 1.0:
        dp5_step_apart(tl, wy, wk1, th_imp * h, tmp, wk7, work[5], work[6], work[7],
                       work[8], work[9], work[10], segs[i], earth, rho_poly, h0, dh, rtol,
                       atol)
        for j in range(6):
            y[j, lane] = tmp[j]
        L[_T, lane] = tl + th_imp * h
        status = IMPACT
    else:
        for j in range(6):
            y[j, lane] = wyn[j]
            k1[j, lane] = wk7[j]
        L[_T, lane] = tl + h if L[_LAST, lane] == 0.0 else L[_TEND, lane]
        L[_ALT0, lane] = L[_ALT1, lane]
        L[_RATE0, lane] = L[_RATE1, lane]
        if L[_LAST, lane] > 0.0:
            status = REACHED_END
    nr = n_rec[i]
    if nr > 0 and nr < rec_t.shape[1]:
        rec_t[i, nr] = L[_T, lane]
        for j in range(6):
            rec_y[i, nr, j] = y[j, lane]
        n_rec[i] = nr + 1
    if status == RUNNING:
        h_new, q_new = next_step(e, h, L[_H_PREV, lane], L[_Q_PREV, lane], L[_REJECTED, lane],
                                 h_max)
        L[_HS, lane] = h_new
        L[_Q_PREV, lane] = q_new
        L[_H_PREV, lane] = h
        L[_REJECTED, lane] = 0.0
    return status


@numba.njit(cache=True, fastmath=FASTMATH, error_model="numpy")
def run_chunk(lo, hi, order, y0, t0, t_end, segs, earth, levels, stop_at_impact, rho_poly, h0,
              dh, rtol, atol, h_max, max_steps, y_out, t_out, status, steps, ev, up, down,
              rec_t, rec_y, n_rec):
    """Integrate rows ``order[lo:hi]`` in :data:`LANES` lanes fed from that queue, in order."""
    lanes = LANES
    y = np.zeros((6, lanes))
    k1 = np.zeros((6, lanes))
    k2 = np.zeros((6, lanes))
    k3 = np.zeros((6, lanes))
    k4 = np.zeros((6, lanes))
    k5 = np.zeros((6, lanes))
    k6 = np.zeros((6, lanes))
    k7 = np.zeros((6, lanes))
    yn = np.zeros((6, lanes))
    ys = np.zeros((6, lanes))
    # the lanes' scalars: rows of one array (fewer arguments to reference-count on each
    # call of load and settle), handed to advance as separate rows
    L = np.zeros((18, lanes))
    t = L[_T]
    hs = L[_HS]
    tend = L[_TEND]
    last = L[_LAST]
    err = L[_ERR]
    alt0 = L[_ALT0]
    rate0 = L[_RATE0]
    alt1 = L[_ALT1]
    rate1 = L[_RATE1]
    kdc = L[_KDC]
    flag = L[_FLAG]
    moved = L[_MOVED]
    q_prev = L[_Q_PREV]
    h_prev = L[_H_PREV]
    rejected = L[_REJECTED]
    n_acc = L[_N_ACC]
    n_rej = L[_N_REJ]
    active = L[_ACTIVE]
    lane_row = np.full(lanes, -1, dtype=np.int64)
    work = np.zeros((11, 6))
    # an idle lane sits still at two Earth radii (finite arithmetic, steps of zero length)
    for lane in range(lanes):
        y[0, lane] = 2.0 * earth[0]
    inv_dh = 1.0 / dh
    s_max = float(rho_poly.shape[0])
    record = rec_t.shape[1] > 0
    # the queue (``order[lo:hi]``, rows of this chunk) serves the fastest bodies first
    nxt = lo
    n_active = 0
    for lane in range(lanes):
        if nxt < hi:
            load(lane, order[nxt], y0, t0, t_end, segs, earth, rho_poly, h0, dh, rtol,
                 atol, h_max, ev, up, down, rec_t, rec_y, n_rec, y, k1, L, work)
            lane_row[lane] = order[nxt]
            nxt += 1
            n_active += 1
    while n_active > 0:
        n_flag = advance(y, k1, k2, k3, k4, k5, k6, k7, yn, ys, t, hs, tend, last, err, alt0,
                         rate0, alt1, rate1, kdc, flag, moved, q_prev, h_prev, rejected, n_acc,
                         n_rej, active, levels, rho_poly, h0, inv_dh, s_max, earth, rtol, atol,
                         h_max, max_steps, stop_at_impact, record)
        y, ys = ys, y
        k1, k2 = k2, k1
        if n_flag == 0:
            continue
        for lane in range(lanes):
            if flag[lane] == 0.0:
                continue
            i = lane_row[lane]
            st = settle(lane, i, segs, earth, levels, stop_at_impact, rho_poly, h0, dh, rtol,
                        atol, h_max, max_steps, ev, up, down, rec_t, rec_y, n_rec, y, k1, yn,
                        k7, L, work)
            if st == RUNNING:
                continue
            for j in range(6):
                y_out[i, j] = y[j, lane]
            t_out[i] = t[lane]
            status[i] = st
            steps[i, 0] = int(n_acc[lane])
            steps[i, 1] = int(n_rej[lane])
            if nxt < hi:
                load(lane, order[nxt], y0, t0, t_end, segs, earth, rho_poly, h0, dh,
                     rtol, atol, h_max, ev, up, down, rec_t, rec_y, n_rec, y, k1, L, work)
                lane_row[lane] = order[nxt]
                nxt += 1
            else:
                active[lane] = 0.0
                lane_row[lane] = -1
                kdc[lane] = 0.0
                for j in range(6):
                    y[j, lane] = 0.0
                    k1[j, lane] = 0.0
                y[0, lane] = 2.0 * earth[0]
                n_active -= 1


def queue_order(y0: np.ndarray, chunk: int) -> np.ndarray:
    """The order in which :func:`integrate_lockstep` starts the rows of each chunk.

    Chunk ``c`` holds rows ``c * chunk`` to ``(c + 1) * chunk - 1``; its queue serves the
    fastest bodies first (speed predicts the number of steps, r = 0.95 on the benchmark's
    threats): the short flights come last and fill the lanes while the last long ones
    finish, so that few lanes idle at the end of the chunk. Sorted here by NumPy (a stable
    sort, ties in row order), not in the kernel: Numba's compiled mergesort cost ~7 s of
    a first run's compile time. A row's result does not depend on this order.
    """
    speed2 = np.einsum("ij,ij->i", y0[:, 3:6], y0[:, 3:6])
    chunk_of = np.arange(y0.shape[0]) // chunk
    return np.lexsort((-speed2, chunk_of))


@numba.njit(cache=True, parallel=True, fastmath=FASTMATH, error_model="numpy")
def integrate_lockstep(
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
    chunk,
    order,
):
    """:func:`thaadsim.physics._kernel.integrate_many` for coasting bodies, in lockstep.

    Same arguments and results; every row of ``segs`` must be a coasting body without
    lift (thrust, mass flow and lift-to-drag 0). :data:`LANES` trajectories advance
    together; ``chunk`` trajectories share a queue (the results do not depend on it): chunk
    ``c`` integrates the rows ``order[c * chunk:(c + 1) * chunk]`` in that order
    (:func:`queue_order`).
    """
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
    n_chunks = (n + chunk - 1) // chunk
    for c in numba.prange(n_chunks):
        run_chunk(c * chunk, min(n, (c + 1) * chunk), order, y0, t0, t_end, segs, earth,
                  levels, stop_at_impact, rho_poly, h0, dh, rtol, atol, h_max, max_steps,
                  y_out, t_out, status, steps, ev, up, down, rec_t, rec_y, n_rec)
    return y_out, t_out, status, steps, ev, up, down, rec_t, rec_y, n_rec
