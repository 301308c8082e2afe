r"""The compiled detection chain: the radar's looks at many threats, in one Numba call per
stage of :func:`thaadsim.systems.detection.simulate_detection` (``backend="compiled"``).

* :func:`search_looks`: every search dwell of every threat (step 1 of the chain): the look
  (:func:`thaadsim.systems._radar_kernel.look_one`), the search fence and the cued dwell,
  down to the detection probability of the dwell.
* :func:`track_looks`: every track dwell (steps 2-3): the look and the measurement
  (:func:`thaadsim.systems._radar_kernel.measure_one`) from the standard normal draws the
  look-by-look path takes, in its order.

They compute what the look-by-look path computes (the same functions on the same
numbers: :func:`~thaadsim.systems._radar_kernel.look_many` and
:func:`~thaadsim.systems._radar_kernel.measure_many` are made of them), to the bit, without
the arrays in between (a ``Look`` of nine fields per dwell, the concatenations, the
copies). The truth comes in from :func:`thaadsim.systems.detection.truth_at`, its own
compiled function: the interpolant, inlined here, would be compiled with this module's
fast-math flags and round differently. The random draws stay in the caller, in NumPy,
so that the chain consumes them exactly as the look-by-look path does.

Argument packs (:func:`thaadsim.systems.radar.kernel_packs`): ``site``, ``site_geo``,
``earth`` as :func:`~thaadsim.physics.geodesy.site_kernel_packs` gives them; a look's
``prm`` (one per dwell) and a measurement's ``mprm``.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from thaadsim.physics._geodesy_kernel import reduced_latitude
from thaadsim.physics._jit import FASTMATH
from thaadsim.systems._radar_kernel import (
    BELOW_HORIZON,
    VISIBLE,
    _read,
    look_decided_one,
    measure_one,
    snr_pd,
)


@numba.njit(cache=True, parallel=True, fastmath=FASTMATH, error_model="numpy")
def search_looks(y: np.ndarray, t_q: np.ndarray, end_s: np.ndarray, cued_from_s: np.ndarray,
                 rcs: np.ndarray, site: np.ndarray, site_geo: np.ndarray, earth: np.ndarray,
                 prm: np.ndarray, cued_prm: np.ndarray, fence_deg: np.ndarray,
                 alive: np.ndarray, pd: np.ndarray) -> None:
    """The search dwells of threat ``i`` at times ``t_q[i]`` (n, k), where its truth is
    ``y[i]`` (n, k, 6; NaN outside the recorded flight): whether it is still flying
    (recorded and not after ``end_s[i]``) into ``alive`` (n, k), and the detection
    probability of the dwell into ``pd`` (n, k): the search dwell's (``prm``) inside the
    fence's apparent elevations ``fence_deg`` (low, high), from ``cued_from_s[i]`` on the
    larger of it and the cued dwell's (``cued_prm``); zero where the threat is not flying
    or not visible. ``rcs`` (n,); NaN components of a flying threat's state are read as
    zeros (as ``look_where`` reads them)."""
    n, k = t_q.shape
    sin_u1, cos_u1 = reduced_latitude(site_geo[0], earth)
    for i in numba.prange(n):
        for c in range(k):
            tq = t_q[i, c]
            alive[i, c] = np.isfinite(y[i, c, 0]) and tq <= end_s[i]
            pd[i, c] = 0.0
            if not alive[i, c]:
                continue
            _, _, rng, _, code, cos_s, _, p, in_fence = look_decided_one(
                _read(y[i, c, 0], True), _read(y[i, c, 1], True), _read(y[i, c, 2], True),
                _read(y[i, c, 3], True), _read(y[i, c, 4], True), _read(y[i, c, 5], True),
                rcs[i], site, sin_u1, cos_u1, site_geo[1], earth, prm, fence_deg[0],
                fence_deg[1])
            if code != VISIBLE:
                continue
            if not in_fence:
                p = 0.0
            if tq >= cued_from_s[i]:
                p = max(p, snr_pd(cued_prm, rng, cos_s, rcs[i])[1])
            pd[i, c] = p


@numba.njit(cache=True, parallel=True, fastmath=FASTMATH, error_model="numpy")
def track_looks(y: np.ndarray, alive: np.ndarray, rcs: np.ndarray, normal_first: np.ndarray,
                normal_rest: np.ndarray, site: np.ndarray, site_geo: np.ndarray,
                earth: np.ndarray, prm_first: np.ndarray, prm_rest: np.ndarray,
                mprm_first: np.ndarray, mprm_rest: np.ndarray, z: np.ndarray, sig: np.ndarray,
                visible: np.ndarray, pd: np.ndarray) -> None:
    """The looks at threat ``i`` of its truth ``y[i]`` (n, k, 6) where ``alive`` (n, k),
    with cross-sections ``rcs`` (n,): look 0 with the dwell ``prm_first`` (and its
    measurement pack ``mprm_first``), the others with ``prm_rest`` (``mprm_rest``). Into
    ``z`` and ``sig`` (n, k, 4) the measurements and their sigmas
    (:func:`~thaadsim.systems._radar_kernel.measure_one`), into ``visible`` and ``pd``
    (n, k) whether the look's status is VISIBLE and its (Swerling 1) Pd (look 0: 1 where
    visible, the search detection that started the track). Where not alive the look is
    not visible, with zero geometry; NaN components of a state are read as zeros (as
    ``look_where`` reads them). ``normal_first`` (n, 4) and ``normal_rest`` (n, k - 1, 4):
    the standard normal draws of look 0 and of the others."""
    n, k = alive.shape
    sin_u1, cos_u1 = reduced_latitude(site_geo[0], earth)
    for i in numba.prange(n):
        for c in range(k):
            prm = prm_first if c == 0 else prm_rest
            az = el = rng = rate = cos_s = s = p = 0.0
            code = BELOW_HORIZON
            if alive[i, c]:
                az, el, rng, rate, code, cos_s, s, p, _ = look_decided_one(
                    _read(y[i, c, 0], True), _read(y[i, c, 1], True), _read(y[i, c, 2], True),
                    _read(y[i, c, 3], True), _read(y[i, c, 4], True), _read(y[i, c, 5], True),
                    rcs[i], site, sin_u1, cos_u1, site_geo[1], earth, prm, -math.inf,
                    math.inf)
            if c == 0:
                n0, n1, n2, n3 = (normal_first[i, 0], normal_first[i, 1], normal_first[i, 2],
                                  normal_first[i, 3])
            else:
                n0, n1, n2, n3 = (normal_rest[i, c - 1, 0], normal_rest[i, c - 1, 1],
                                  normal_rest[i, c - 1, 2], normal_rest[i, c - 1, 3])
            (z[i, c, 0], z[i, c, 1], z[i, c, 2], z[i, c, 3], sig[i, c, 0], sig[i, c, 1],
             sig[i, c, 2], sig[i, c, 3]) = measure_one(
                rng, az, el, rate, code, cos_s, s, n0, n1, n2, n3,
                mprm_first if c == 0 else mprm_rest)
            seen = code == VISIBLE
            visible[i, c] = seen
            pd[i, c] = (1.0 if seen else 0.0) if c == 0 else p
