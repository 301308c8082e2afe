"""From a threat's flight to a firm track: search, confirmation, tracking, impact prediction.

One radar watches many threats at once (all arrays carry the threats on axis 0; no Python
loop runs over threats, and the filter's loop over looks runs inside one compiled call,
:func:`~thaadsim.systems.tracking.filter_looks`, unless ``backend="numpy"``; so do the
radar's looks, every search dwell in one call and every track dwell with its measurement in
another, :mod:`~thaadsim.systems._detection_kernel`):

1. **Search.** Every ``search_frame_s`` (each threat with its own random phase of the frame)
   the mode's search fence illuminates the threat if it is inside the fence's elevation band
   and visible to the face (:func:`~thaadsim.systems.radar.look`: horizon, sector, elevation
   limit and the mode's instrumented range, for every dwell); it is detected with the
   Swerling probability of the search dwell's SNR. From the early warning's
   ``cue_delay_s`` after launch (:class:`~thaadsim.systems.sensors.EarlyWarning`, the
   defense's satellites through C2BMC, not a figure of the radar), an external cue lets the
   radar look for the threat wherever it is in the face, with cued acquisition dwells (a
   track dwell's energy shared over ``cued_beams`` beams); ``early_warning=None`` leaves
   the radar on its own.
2. **Confirmation.** From the first detection on, the radar spends a track dwell on the
   threat every ``track_interval_s``; M of N looks (the rule's ``m``, ``n``, the first
   detection included) confirm it.
3. **Track.** Each track dwell that detects the threat measures range, angles and range
   rate with SNR-dependent noise (:func:`~thaadsim.systems.radar.measure`). The filter's
   model is ballistic, so it starts from the first two detections after the boost ends
   (:func:`~thaadsim.systems.tracking.initiate`; a radar sees the boost end as the
   acceleration stops; tracking powered flight would need an acceleration model not built
   here), then predicts and updates. The track is **firm** at the first look at which,
   confirmed, its position and velocity uncertainties are below the rule's thresholds:
   :func:`~thaadsim.systems.tracking.firm_track_time` of the filter's uncertainties, the
   one rule (:func:`_firm_time`).
4. **Impact prediction** at the firm time (:func:`~thaadsim.systems.tracking.predict_impact`)
   against the true impact point: what fire control would be given.

The truth comes from the recorded flight (steps of at most 2 s), interpolated by cubic
Hermite polynomials in position and velocity.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Literal

import numba
import numpy as np
import numpy.typing as npt

from thaadsim.errors import InputError
from thaadsim.limits import check
from thaadsim.physics.geodesy import ecef_to_geodetic, geodesic_inverse
from thaadsim.physics.rocket import RocketFlight
from thaadsim.systems import _detection_kernel, tracking
from thaadsim.systems.radar import (
    BELOW_HORIZON,
    VISIBLE,
    Emplacement,
    Look,
    Radar,
    check_rcs,
    kernel_packs,
    look,
    look_where,
    measure,
    pd_from_snr,
    snr,
)
from thaadsim.systems.sensors import EarlyWarning, default_early_warning

FloatArray = npt.NDArray[np.float64]

DEFAULT_RULE = tracking.FirmTrackRule()
DEFAULT_PARAMS = tracking.TrackerParams()

Cue = EarlyWarning | None | Literal["catalog"]
"""The cue a radar gets: an :class:`EarlyWarning`, None (no cue: the radar's own search
only) or ``"catalog"`` (the shipped catalog's, :func:`default_early_warning`)."""


def cue_delay_s(early_warning: Cue) -> float | None:
    """When the cue reaches the radar after a launch (None: never)."""
    if isinstance(early_warning, str):
        if early_warning != "catalog":
            raise InputError(f"early_warning: {early_warning!r} is not 'catalog', an "
                             "EarlyWarning or None")
        return default_early_warning().cue_delay_s
    return None if early_warning is None else early_warning.cue_delay_s


@dataclass(frozen=True, kw_only=True)
class Truth:
    """Recorded flights of ``n`` threats (times from launch, NaN-padded rows)."""

    t_s: FloatArray
    """(n, m) recorded times."""
    state: FloatArray
    """(n, m, 6) Earth-fixed states at those times."""
    burnout_t_s: FloatArray
    impact_t_s: FloatArray
    impact_ecef_m: FloatArray
    """(n, 3) true impact points."""
    beta_kgm2: FloatArray
    """(n,) ballistic coefficient of what flies after burnout (the tracker is told it)."""

    def repeated(self, k: int) -> Truth:
        """Each flight ``k`` times in a row (Monte Carlo trials of the radar's draws)."""
        return dataclasses.replace(self, **{f.name: np.repeat(getattr(self, f.name), k, axis=0)
                                            for f in dataclasses.fields(self)})


@dataclass(frozen=True, kw_only=True)
class Timeline:
    """What the radar made of each threat (NaN where a step never happened)."""

    first_detection_s: FloatArray
    confirmed_s: FloatArray
    firm_track_s: FloatArray
    impact_s: FloatArray
    impact_error_m: FloatArray
    """Distance from the impact point predicted at the firm time to the true one."""
    impact_sigma_m: FloatArray
    """Square root of the larger eigenvalue of the predicted impact covariance."""
    impact_pred_lat_deg: FloatArray
    impact_pred_lon_deg: FloatArray
    """The impact point predicted at the firm time (what fire control is told)."""
    look_t_s: FloatArray
    """(n, J) times of the track looks (NaN-padded; J is the longest track)."""
    position_sigma_m: FloatArray
    """(n, J) track position uncertainty after each look (NaN before the filter starts)."""
    velocity_sigma_mps: FloatArray
    search_looks: int
    track_looks: int
    """Looks simulated in all (threats x look times), for throughput figures."""

    @property
    def warning_s(self) -> FloatArray:
        """Time from the firm track to impact: what is left for an engagement."""
        return self.impact_s - self.firm_track_s


def truth_at(truth: Truth, t_s: FloatArray) -> FloatArray:
    """Threat states at times ``t_s`` (n, k), by cubic Hermite interpolation between the
    recorded steps; NaN outside the flight."""
    t_q = np.ascontiguousarray(np.asarray(t_s, dtype=np.float64))
    out = np.full(t_q.shape + (6,), np.nan)
    _hermite_rows(np.ascontiguousarray(truth.t_s, dtype=np.float64),
                  np.ascontiguousarray(truth.state, dtype=np.float64), t_q, out)
    return out


@numba.njit(cache=True, error_model="numpy")
def _hermite_rows(t_rec: FloatArray, y_rec: FloatArray, t_q: FloatArray,
                  out: FloatArray) -> None:  # pragma: no cover - compiled
    """:func:`truth_at` row by row (rows have different time grids; NaN entries of
    ``t_rec`` are not recorded steps). ``out`` comes in NaN."""
    n, k = t_q.shape
    valid = np.empty(t_rec.shape[1], dtype=np.int64)
    for i in range(n):
        m = 0
        for j in range(t_rec.shape[1]):
            if np.isfinite(t_rec[i, j]):
                valid[m] = j
                m += 1
        if m < 2:
            continue
        first, last = t_rec[i, valid[0]], t_rec[i, valid[m - 1]]
        for c in range(k):
            tq = t_q[i, c]
            if not (tq >= first and tq <= last):
                continue
            lo, hi = 0, m  # first position whose time is >= tq (searchsorted, left)
            while lo < hi:
                mid = (lo + hi) // 2
                if t_rec[i, valid[mid]] < tq:
                    lo = mid + 1
                else:
                    hi = mid
            a = min(max(lo - 1, 0), m - 2)
            ja, jb = valid[a], valid[a + 1]
            h = t_rec[i, jb] - t_rec[i, ja]
            s = (tq - t_rec[i, ja]) / h
            s2, s3 = s * s, s * s * s
            h00, h10 = 2 * s3 - 3 * s2 + 1, s3 - 2 * s2 + s
            h01, h11 = -2 * s3 + 3 * s2, s3 - s2
            d00, d10 = 6 * s2 - 6 * s, 3 * s2 - 4 * s + 1
            d01, d11 = -6 * s2 + 6 * s, 3 * s2 - 2 * s
            for d in range(3):
                p0, p1 = y_rec[i, ja, d], y_rec[i, jb, d]
                v0, v1 = y_rec[i, ja, 3 + d], y_rec[i, jb, 3 + d]
                out[i, c, d] = h00 * p0 + h10 * h * v0 + h01 * p1 + h11 * h * v1
                out[i, c, 3 + d] = (d00 * p0 + d10 * h * v0 + d01 * p1 + d11 * h * v1) / h


def _fused(radar: Radar, backend: tracking.Backend) -> bool:
    """Whether the chain's looks run in the fused kernels of
    :mod:`~thaadsim.systems._detection_kernel` (compiled, Swerling 1: the kernels' Pd)
    rather than look by look (:func:`_look_at`, :func:`~thaadsim.systems.radar.measure`)."""
    return backend == "compiled" and radar.swerling == 1


def simulate_detection(
    truth: Truth,
    radar: Radar,
    emplacement: Emplacement,
    rcs_m2: npt.ArrayLike,
    rng: np.random.Generator,
    *,
    rule: tracking.FirmTrackRule = DEFAULT_RULE,
    params: tracking.TrackerParams = DEFAULT_PARAMS,
    early_warning: Cue = "catalog",
    backend: tracking.Backend = tracking.DEFAULT_BACKEND,
    searched: tuple[FloatArray, int] | None = None,
) -> Timeline:
    """Search, confirm, track and predict the impact of ``n`` threats (module docstring).

    With an ``early_warning`` (the catalog's by default), from its ``cue_delay_s`` after
    each launch an external cue lets the radar put cued acquisition dwells
    (:meth:`Radar.energy_j` ``'cued'``) on the threat wherever it is in the face, instead
    of waiting for it to cross the search fence.
    ``backend`` says how the filter and the looks' geometry run
    (:data:`thaadsim.systems.tracking.Backend`: the compiled kernels, or the NumPy code and
    the library geodesy, which the benchmark times as its baseline); the random draws do
    not depend on it, and the results agree to rounding. ``searched``: what
    :func:`search` gave for these threats with this ``rng`` (it is then not run again, and
    ``rng`` is taken as past its draws)."""
    n = truth.t_s.shape[0]
    rcs = np.broadcast_to(np.asarray(rcs_m2, dtype=np.float64), (n,))
    for value in np.unique(rcs):  # NaN included: every value within the LIMITS row
        check("rcs_m2", float(value), "rcs_m2")
    first, search_looks = (searched if searched is not None else
                           search(truth, radar, emplacement, rcs, rng, early_warning=early_warning,
                                  backend=backend))
    # 2-4. from the first detection on, track dwells: confirmation, filter, firm track
    out = {name: np.full(n, np.nan) for name in _PER_THREAT}
    per_look = {name: np.full((n, 1), np.nan) for name in _PER_LOOK}
    track_looks = 0
    if np.isfinite(first).any():
        idx = np.flatnonzero(np.isfinite(first))
        got, track_looks = _track(truth, idx, first[idx], radar, emplacement, rcs[idx], rng,
                                  rule, params, backend)
        for name in _PER_THREAT:
            out[name][idx] = got[name]
        width = got["look_t_s"].shape[1]
        for name in _PER_LOOK:
            per_look[name] = np.full((n, width), np.nan)
            per_look[name][idx] = got[name]
    return Timeline(first_detection_s=first, impact_s=truth.impact_t_s.copy(), **out,
                    **per_look, search_looks=search_looks, track_looks=track_looks)


def search(truth: Truth, radar: Radar, emplacement: Emplacement, rcs: FloatArray,
           rng: np.random.Generator, *, early_warning: Cue = "catalog",
           backend: tracking.Backend = tracking.DEFAULT_BACKEND) -> tuple[FloatArray, int]:
    """Step 1 of :func:`simulate_detection` (module docstring): each threat's first
    detection (NaN: never) and the search looks made; ``rcs`` is (n,). Draws, from ``rng``,
    the frame phases (n, 1) and then the detection draws (n, frames). ``backend``: how
    the looks' geometry is computed (:func:`~thaadsim.systems.radar.look`)."""
    n = truth.t_s.shape[0]
    end = truth.impact_t_s
    frame = radar.search_frame_s
    k = int(np.ceil(np.nanmax(end) / frame)) + 1
    t_search = rng.uniform(0.0, frame, (n, 1)) + frame * np.arange(k)
    delay = cue_delay_s(early_warning)
    if _fused(radar, backend):
        alive = np.empty(t_search.shape, dtype=bool)
        pd = np.empty(t_search.shape)
        cued_from = (np.full(n, np.inf) if delay is None
                     else np.nanmin(truth.t_s, axis=1) + delay)
        packs = kernel_packs(radar, emplacement, ("search", "cued"))
        _detection_kernel.search_looks(
            truth_at(truth, t_search), t_search, np.require(end, np.float64, ["C", "W"]),
            cued_from, check_rcs(rcs).copy(), packs.site, packs.site_geo, packs.earth,
            packs.look["search"], packs.look["cued"],
            np.array([radar.search_el_low_deg, radar.search_el_high_deg]), alive, pd)
        hit = rng.random(pd.shape) < pd  # pd is 0 where not flying or not visible
    else:
        y = truth_at(truth, t_search)
        alive = np.isfinite(y[..., 0]) & (t_search <= end[:, None])
        view = _look_at(radar, emplacement, y, rcs[:, None], "search", alive, backend)
        in_fence = ((view.apparent_el_deg >= radar.search_el_low_deg)
                    & (view.apparent_el_deg <= radar.search_el_high_deg))
        pd = np.where(in_fence, view.pd, 0.0)
        if delay is not None:
            launch = np.nanmin(truth.t_s, axis=1)
            cued = t_search >= (launch + delay)[:, None]
            pd = np.where(cued, np.maximum(pd, _dwell_pd(radar, view, rcs[:, None], "cued")),
                          pd)
        hit = alive & view.visible & (rng.random(view.pd.shape) < pd)
    first = np.where(hit.any(1), t_search[np.arange(n), np.argmax(hit, 1)], np.nan)
    return first, int(alive.sum())


def _look_at(radar: Radar, emplacement: Emplacement, y: FloatArray, rcs_m2: FloatArray,
             dwell: str, where: npt.NDArray[np.bool_],
             backend: tracking.Backend = tracking.DEFAULT_BACKEND) -> Look:
    """:func:`~thaadsim.systems.radar.look` at the states ``y`` (..., 6) where ``where``
    (the threat still flying), the same figures there; elsewhere not visible
    (``BELOW_HORIZON``, zero SNR and detection probability, zero geometry). The radar's
    geometry is the costly part of a look, and a raid's short flights leave most of the
    longest track's looks after their impact."""
    if backend == "compiled":
        return look_where(radar, emplacement, y, where, rcs_m2, dwell)
    rcs = np.broadcast_to(rcs_m2, where.shape)[where]
    part = look(radar, emplacement, np.nan_to_num(y[where][:, :3]),
                np.nan_to_num(y[where][:, 3:]), rcs, dwell, backend=backend)

    def full(name: str) -> npt.NDArray[Any]:
        got = getattr(part, name)
        out = np.full(where.shape, BELOW_HORIZON if name == "status" else 0, dtype=got.dtype)
        out[where] = got
        return out

    return Look(**{f.name: full(f.name) for f in dataclasses.fields(Look)})


def _dwell_pd(radar: Radar, view: Look, rcs_m2: npt.ArrayLike, dwell: str) -> FloatArray:
    """Detection probability of another dwell on the targets of ``view``: what
    :func:`~thaadsim.systems.radar.look` gives for ``dwell`` (the same expressions), without
    computing the geometry again (the search fence and the cued beams look at the same
    points)."""
    visible = view.status == VISIBLE
    s = np.where(visible, snr(radar, radar.energy_j(dwell), np.maximum(view.range_m, 1.0),
                              rcs_m2, view.scan_cos), 0.0)
    return np.where(visible, pd_from_snr(s, radar.false_alarm_probability, radar.swerling), 0.0)


_PER_THREAT = ("confirmed_s", "firm_track_s", "impact_error_m", "impact_sigma_m",
               "impact_pred_lat_deg", "impact_pred_lon_deg")
_PER_LOOK = ("look_t_s", "position_sigma_m", "velocity_sigma_mps")


def track_look_count(first_s: FloatArray, impact_s: FloatArray, dt_s: float) -> int:
    """Looks of the longest track (look 0 the search detection, then one every ``dt_s`` to
    impact) among threats first detected at ``first_s`` (all finite): the width of
    :func:`_track`'s look arrays and of its draws."""
    return int(np.ceil(np.max(impact_s - first_s) / dt_s)) + 1


def _track(
    truth: Truth, idx: npt.NDArray[np.intp], first_s: FloatArray, radar: Radar,
    emp: Emplacement, rcs: FloatArray, rng: np.random.Generator, rule: tracking.FirmTrackRule,
    params: tracking.TrackerParams, backend: tracking.Backend,
) -> tuple[dict[str, FloatArray], int]:
    """Track the detected threats ``idx`` from their first detection to impact (module
    docstring); returns the :class:`Timeline` fields of these threats and the looks made.

    The looks, detections and measurements do not depend on the filter (the radar points
    its track dwells at the threat), so they are drawn for all looks at once; the filter
    then runs look by look, each threat from its own initiation. Look 0 is the search
    detection; looks 1, 2, ... are track dwells every ``track_interval_s``. The filter
    runs in :func:`~thaadsim.systems.tracking.filter_looks` (one compiled call over all
    tracks and looks by default).
    """
    m = idx.size
    impact = truth.impact_t_s[idx]
    dt = radar.track_interval_s
    n_looks = track_look_count(first_s, impact, dt)
    looks_t = first_s[:, None] + dt * np.arange(n_looks)
    alive = looks_t < impact[:, None]
    if _fused(radar, backend):
        z, sig, visible, pd = _track_looks(truth, idx, looks_t, alive, radar, emp, rcs, rng)
    else:
        z, sig, visible, pd = _track_looks_numpy(truth, idx, looks_t, alive, radar, emp, rcs,
                                                 rng, backend)
    det = alive & visible & (rng.random(alive.shape) < pd)
    confirm_all = tracking.m_of_n(det, rule.m, rule.n)
    confirmed_s = np.where(confirm_all >= 0,
                           looks_t[np.arange(m), np.maximum(confirm_all, 0)], np.nan)
    # the ballistic filter starts from the first two detections after burnout
    usable = det & (looks_t > truth.burnout_t_s[idx, None])
    order = np.cumsum(usable, axis=1)
    started = order[:, -1] >= 2
    rows = np.flatnonzero(started)
    j0 = np.argmax(usable & (order == 1), axis=1)[rows]
    j1 = np.argmax(usable & (order == 2), axis=1)[rows]
    out = {name: np.full(m, np.nan) for name in _PER_THREAT}
    out["confirmed_s"] = confirmed_s
    out["look_t_s"] = np.where(alive, looks_t, np.nan)
    out["position_sigma_m"] = np.full((m, n_looks), np.nan)
    out["velocity_sigma_mps"] = np.full((m, n_looks), np.nan)
    if rows.size == 0:
        return out, int(alive.sum())
    pair = np.stack([j0, j1], 1)
    tracks = tracking.initiate(z[rows[:, None], pair], sig[rows[:, None], pair], emp,
                               looks_t[rows[:, None], pair], truth.beta_kgm2[idx][rows], params,
                               backend)
    confirm_j = np.where(confirm_all[rows] < 0, n_looks, confirm_all[rows])
    run = tracking.filter_looks(tracks, j1, looks_t[rows], z[rows], sig[rows], det[rows],
                                alive[rows], confirm_j, emp, rule, params, backend)
    out["position_sigma_m"][rows] = run.position_sigma_m
    out["velocity_sigma_mps"][rows] = run.velocity_sigma_mps
    firm_rows_t = _firm_time(looks_t[rows], det[rows], run, j1, rule)
    firm_state, firm_cov = run.firm_state, run.firm_cov
    out["firm_track_s"][rows] = firm_rows_t
    have = np.isfinite(firm_rows_t)
    if have.any():
        pred = tracking.predict_impact(firm_state[have], firm_cov[have], firm_rows_t[have],
                                       truth.beta_kgm2[idx][rows][have], params)
        lat, lon, _ = ecef_to_geodetic(truth.impact_ecef_m[idx][rows][have], params.earth)
        miss = geodesic_inverse(pred.lat_deg, pred.lon_deg, lat, lon, params.earth)[0]
        spread = np.sqrt(np.linalg.eigvalsh(np.nan_to_num(pred.cov_en_m2))[:, -1])
        target = rows[have]
        out["impact_error_m"][target] = miss
        out["impact_sigma_m"][target] = np.where(pred.ok, spread, np.nan)
        out["impact_pred_lat_deg"][target] = pred.lat_deg
        out["impact_pred_lon_deg"][target] = pred.lon_deg
    return out, int(alive.sum())


def _rows(truth: Truth, idx: npt.NDArray[np.intp]) -> Truth:
    """The recorded flights of threats ``idx`` (the truth itself when that is all of them,
    in order: no copy of the records)."""
    if idx.size == truth.t_s.shape[0] and np.array_equal(idx, np.arange(idx.size)):
        return truth
    return dataclasses.replace(truth, t_s=truth.t_s[idx], state=truth.state[idx])


def _track_looks(truth: Truth, idx: npt.NDArray[np.intp], looks_t: FloatArray,
                 alive: npt.NDArray[np.bool_], radar: Radar, emp: Emplacement,
                 rcs: FloatArray, rng: np.random.Generator
                 ) -> tuple[FloatArray, FloatArray, npt.NDArray[np.bool_], FloatArray]:
    """The looks of :func:`_track` (threats ``idx`` at ``looks_t`` (m, J) where ``alive``)
    in one compiled call (:func:`~thaadsim.systems._detection_kernel.track_looks`): the
    measurements and their sigmas (m, J, 4), whether each look saw the threat and its
    detection probability (m, J; look 0, the search detection, 1 where visible). The
    standard normal draws are :func:`_track_looks_numpy`'s: two calls of the generator,
    look 0's (m, 1, 4) and the others' (m, J - 1, 4), as the chunked replay of
    :func:`thaadsim.engagement.simulate` hands them out."""
    m, k = looks_t.shape
    normal = [np.require(rng.standard_normal((m, cols, 4)), np.float64, ["C", "W"])
              for cols in (1, k - 1)]  # measure's two draws, look 0's and the others'
    z, sig = np.empty((m, k, 4)), np.empty((m, k, 4))
    visible, pd = np.empty((m, k), dtype=bool), np.empty((m, k))
    packs = kernel_packs(radar, emp, ("search", "track"))
    _detection_kernel.track_looks(
        truth_at(_rows(truth, idx), looks_t), alive, check_rcs(rcs).copy(),
        normal[0].reshape(m, 4), normal[1], packs.site, packs.site_geo, packs.earth,
        packs.look["search"], packs.look["track"], packs.measure["search"],
        packs.measure["track"], z, sig, visible, pd)
    return z, sig, visible, pd


def _track_looks_numpy(truth: Truth, idx: npt.NDArray[np.intp], looks_t: FloatArray,
                       alive: npt.NDArray[np.bool_], radar: Radar, emp: Emplacement,
                       rcs: FloatArray, rng: np.random.Generator, backend: tracking.Backend
                       ) -> tuple[FloatArray, FloatArray, npt.NDArray[np.bool_], FloatArray]:
    """:func:`_track_looks` look by look: the truth at every look, a look per dwell
    (:func:`_look_at`: look 0 the search detection, the others track dwells) and their
    measurements (:func:`~thaadsim.systems.radar.measure`, two draws)."""
    y = truth_at(_rows(truth, idx), looks_t)
    dwells = ("search", "track")
    views = [_look_at(radar, emp, y[:, cols], rcs[:, None], dwell, alive[:, cols], backend)
             for dwell, cols in zip(dwells, (slice(0, 1), slice(1, None)), strict=True)]
    drawn = [measure(radar, v, rng, dwell, backend)
             for v, dwell in zip(views, dwells, strict=True)]
    z = np.concatenate([d[0] for d in drawn], axis=1)
    sig = np.concatenate([d[1] for d in drawn], axis=1)
    pd = np.concatenate([views[0].visible * 1.0, views[1].pd], axis=1)  # look 0 was a hit
    visible = np.concatenate([v.visible for v in views], axis=1)
    return z, sig, visible, pd


def _firm_time(look_t_s: FloatArray, detected: npt.NDArray[np.bool_], run: tracking.LookRun,
               start: npt.NDArray[np.intp], rule: tracking.FirmTrackRule = DEFAULT_RULE
               ) -> FloatArray:
    """The firm-track time of each track: :func:`~thaadsim.systems.tracking.firm_track_time`
    (the one rule, the one the tests test) of the filter's sigmas after each of its updates
    (the starting look, the initiation's, is not an update of the filter). The filter
    (:func:`~thaadsim.systems.tracking.filter_looks`) keeps its estimate at the first look
    that passes the same rule, in its compiled loop; the two must name the same look, and a
    difference is an error, not a silent choice."""
    pos = run.position_sigma_m.copy()
    vel = run.velocity_sigma_mps.copy()
    rows = np.arange(pos.shape[0])
    pos[rows, start] = np.nan
    vel[rows, start] = np.nan
    firm = tracking.firm_track_time(look_t_s, detected, pos, vel, rule)
    if not np.array_equal(firm, run.firm_t_s, equal_nan=True):
        bad = int(np.flatnonzero(~((firm == run.firm_t_s)
                                   | (np.isnan(firm) & np.isnan(run.firm_t_s))))[0])
        raise RuntimeError(f"track {bad}: the filter's firm look ({run.firm_t_s[bad]!r} s) is "
                           f"not firm_track_time's ({firm[bad]!r} s): two firm-track rules")
    return firm


def truth_from_flight(flight: RocketFlight, beta_kgm2: npt.ArrayLike) -> Truth:
    """A :class:`Truth` from a recorded flight (``fly_rocket(..., record=True)``)."""
    n = flight.track_t_s.shape[0]
    return Truth(t_s=flight.track_t_s, state=flight.track_state,
                 burnout_t_s=np.asarray(flight.burnout_t_s, dtype=np.float64),
                 impact_t_s=np.asarray(flight.impact_t_s, dtype=np.float64),
                 impact_ecef_m=flight.impact_state[:, :3],
                 beta_kgm2=np.broadcast_to(np.asarray(beta_kgm2, dtype=np.float64), (n,)).copy())
