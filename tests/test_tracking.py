"""The tracker against an independent library, its own consistency and closed forms.

References
----------
* FilterPy 1.4 (R. Labbe), ``filterpy.kalman.ExtendedKalmanFilter``: the same
  predict/update algebra written independently; agreement to numerical precision.
* Filter consistency: Bar-Shalom, Li & Kirubarajan, *Estimation with Applications to
  Tracking and Navigation*, Wiley 2001, sec. 5.4.2: over N Monte Carlo runs the average
  normalised estimation error squared (NEES) of a consistent filter with an
  n-dimensional state has N times it distributed as chi-square with N n degrees of
  freedom; the test accepts it within the two-sided 95% interval.
* Truth trajectories and the reference dynamics: :func:`thaadsim.physics.propagate.propagate`
  (adaptive Dormand-Prince 5(4), a different integrator from the tracker's RK4).
* Jacobians: central finite differences.

The filter runs in two backends (``backend="compiled"``, the Numba kernels, and
``"numpy"``, the array code); the tests of the filter run on both.
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np
import pytest
from filterpy.kalman import ExtendedKalmanFilter
from scipy.stats import chi2

from thaadsim.errors import InputError
from thaadsim.physics.geodesy import (
    direction_ecef,
    ecef_to_enu,
    ecef_to_geodetic,
    geodetic_to_ecef,
)
from thaadsim.physics.propagate import IMPACT, propagate
from thaadsim.systems.radar import Emplacement
from thaadsim.systems.tracking import (
    BACKENDS,
    FirmTrackRule,
    LookRun,
    TrackerParams,
    Tracks,
    dynamics,
    dynamics_jacobian,
    filter_looks,
    initiate,
    m_of_n,
    measurement,
    measurement_jacobian,
    predict,
    predict_impact,
    process_noise,
    track_sigmas,
    transition,
    update,
    wrap_angle_rad,
)

SITE = Emplacement(lat_deg=36.0, lon_deg=128.0, alt_m=100.0, boresight_deg=0.0)
"""A radar site; the target below passes from 640 to 350 km of it."""
SIGMAS = np.array([10.0, 0.5e-3, 0.5e-3, 1.0])
"""Range 10 m, azimuth and elevation 0.5 mrad, range rate 1 m/s."""
BETA_KGM2 = 5000.0
LOOK_T_S = np.arange(0.0, 121.0, 2.0)
"""A look every 2 s for 2 minutes."""


def state_at(
    lat: float, lon: float, alt_m: float, speed_mps: float, az_deg: float, fpa_deg: float
) -> np.ndarray:
    """Earth-fixed state at a geodetic point flying at an azimuth and flight-path angle."""
    r = geodetic_to_ecef(lat, lon, alt_m)
    return np.concatenate([r, speed_mps * direction_ecef(lat, lon, az_deg, fpa_deg)])


X0 = state_at(41.0, 126.0, 250e3, 2800.0, 160.0, 5.0)
"""A medium-range missile in midcourse at 250 km, falling 295 s later near 34.3 N 128.8 E."""
LOW = state_at(38.0, 127.0, 40e3, 2500.0, 170.0, -30.0)
"""A re-entering warhead at 40 km, in the air."""


@pytest.fixture(scope="module")
def truth() -> np.ndarray:
    """True states at the look times, from the independent propagator, (n_looks, 6)."""
    flight = propagate(np.repeat(X0[None], LOOK_T_S.size, 0), t_end_s=LOOK_T_S, beta_kgm2=BETA_KGM2)
    assert (flight.status != IMPACT).all()
    return flight.state


@pytest.fixture(scope="module")
def true_impact(truth: np.ndarray) -> tuple[np.ndarray, float]:
    """True impact point (ECEF, on the ellipsoid) and time of the target."""
    flight = propagate(truth[-1], t0_s=LOOK_T_S[-1], beta_kgm2=BETA_KGM2)
    assert flight.status[0] == IMPACT
    return flight.state[0, :3], float(flight.t_s[0])


def run_filter(
    truth: np.ndarray, n_runs: int, params: TrackerParams, rng: np.random.Generator | None,
    backend: str = "compiled",
) -> tuple[Tracks, list[float]]:
    """Track the target in ``n_runs`` Monte Carlo runs at once (one batch of tracks).

    Returns the final tracks and the average NEES after each update.
    """
    z_true = measurement(truth, SITE)
    noise = (lambda shape: rng.normal(size=shape) * SIGMAS) if rng else np.zeros
    tracks = initiate(
        z_true[:2] + noise((n_runs, 2, 4)), SIGMAS, SITE, LOOK_T_S[:2], BETA_KGM2, params,
        backend,
    )
    nees = []
    for k in range(2, LOOK_T_S.size):
        tracks = predict(tracks, LOOK_T_S[k], params, backend)
        tracks = update(tracks, z_true[k] + noise((n_runs, 4)), SIGMAS, SITE, params,
                        backend=backend)
        err = tracks.state - truth[k]
        nees.append(float(np.mean(
            np.einsum("ni,ni->n", err, np.linalg.solve(tracks.cov, err[..., None])[..., 0])
        )))  # fmt: skip
    return tracks, nees


def central_difference(f, x: np.ndarray, steps: np.ndarray) -> np.ndarray:
    """d f / d x of f: (n, 6) -> (n, m), by central differences, (n, m, 6)."""
    cols = []
    for j in range(6):
        dx = np.zeros(6)
        dx[j] = steps[j]
        cols.append((f(x + dx) - f(x - dx)) / (2.0 * steps[j]))
    return np.stack(cols, axis=-1)


STEPS = np.array([1.0, 1.0, 1.0, 1e-2, 1e-2, 1e-2])
"""Finite-difference steps: 1 m, 1 cm/s."""


# --------------------------------------------------------------------------------------------
# Dynamics and measurement model
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_dynamics_jacobian_matches_central_differences(backend: str) -> None:
    """Analytic gravity (J2), Coriolis, centrifugal and drag Jacobian, above and inside
    the atmosphere, against central differences (relative 1e-6 of each block's scale)."""
    x = np.stack([X0, LOW])
    beta = np.array([np.inf, BETA_KGM2])
    params = TrackerParams()
    a = dynamics_jacobian(x, beta, params, backend)
    a_fd = central_difference(lambda y: dynamics(y, beta, params, backend), x, STEPS)
    for rows, cols in ((slice(3, 6), slice(0, 3)), (slice(3, 6), slice(3, 6))):
        scale = np.abs(a_fd[:, rows, cols]).max(axis=(1, 2))[:, None, None]
        assert np.all(np.abs(a - a_fd)[:, rows, cols] <= 1e-6 * scale)
    assert np.array_equal(a[:, :3, 3:], np.broadcast_to(np.eye(3), (2, 3, 3)))
    # drag really is in it: the low state's velocity block differs from the drag-free one
    a_vac = dynamics_jacobian(x, np.inf, params, backend)
    assert np.abs(a[1, 3:, 3:] - a_vac[1, 3:, 3:]).max() > 1e-3


@pytest.mark.parametrize("backend", BACKENDS)
def test_transition_matches_the_propagator(backend: str) -> None:
    """RK4 with 0.5 s steps against propagate's Dormand-Prince (rtol 1e-10): in vacuum to
    1 mm and 1 um/s over 60 s; in the air (40 km, beta 5,000 kg/m^2) to 10 cm and 5 cm/s
    over 20 s, the difference of the two density models (propagate smooths the standard's
    layer kinks, by up to 0.7%)."""
    params = TrackerParams()
    x_vac, _ = transition(X0[None], 60.0, np.inf, params, backend)
    ref = propagate(X0, t_end_s=60.0, drag=False, rtol=1e-10, atol=1e-8).state
    np.testing.assert_allclose(x_vac[0, :3], ref[0, :3], rtol=0, atol=1e-3)
    np.testing.assert_allclose(x_vac[0, 3:], ref[0, 3:], rtol=0, atol=1e-6)
    x_air, _ = transition(LOW[None], 20.0, BETA_KGM2, params, backend)
    ref = propagate(LOW, t_end_s=20.0, beta_kgm2=BETA_KGM2, rtol=1e-10, atol=1e-8).state
    np.testing.assert_allclose(x_air[0, :3], ref[0, :3], rtol=0, atol=0.1)
    np.testing.assert_allclose(x_air[0, 3:], ref[0, 3:], rtol=0, atol=0.05)
    drag_free, _ = transition(LOW[None], 20.0, np.inf, params, backend)
    assert np.linalg.norm(drag_free[0, 3:] - x_air[0, 3:]) > 10.0  # drag matters there


# the NumPy backend of the heavier checks only in the whole suite (seconds each): the compiled
# one, which the engine runs, in quick runs too; test_track_kernel holds the two together
NUMPY_SLOW = [pytest.param(b, marks=pytest.mark.slow) if b == "numpy" else b for b in BACKENDS]


@pytest.mark.parametrize("backend", NUMPY_SLOW)
def test_state_transition_matrix_matches_central_differences(backend: str) -> None:
    """Phi over 20 s against central differences of the propagated state (abs. 1e-6)."""
    x = np.stack([X0, LOW])
    beta = np.array([np.inf, BETA_KGM2])
    params = TrackerParams()
    _, phi = transition(x, 20.0, beta, params, backend)
    phi_fd = central_difference(lambda y: transition(y, 20.0, beta, params, backend)[0], x,
                                STEPS)
    np.testing.assert_allclose(phi, phi_fd, rtol=1e-6, atol=1e-6)
    _, phi0 = transition(x, 0.0, beta, params, backend)
    assert np.array_equal(phi0, np.broadcast_to(np.eye(6), (2, 6, 6)))


def test_process_noise_is_the_white_acceleration_model() -> None:
    """Bar-Shalom et al. 2001 eq. 6.2.2-12 per axis: q [[dt^3/3, dt^2/2], [dt^2/2, dt]]."""
    q = process_noise(np.array([2.0, 0.5]), 3.0)
    assert q.shape == (2, 6, 6)
    for i, dt in enumerate((2.0, 0.5)):
        for axis in range(3):
            block = q[i][np.ix_([axis, axis + 3], [axis, axis + 3])]
            np.testing.assert_allclose(
                block, 3.0 * np.array([[dt**3 / 3, dt**2 / 2], [dt**2 / 2, dt]]), rtol=1e-15
            )
        assert np.count_nonzero(q[i]) == 12  # no coupling between axes
        assert np.all(np.linalg.eigvalsh(q[i]) > 0.0)


def test_measurement_jacobian_matches_central_differences() -> None:
    """Analytic H against central differences of the geodesy's AER and range rate (1e-8
    relative to each row's largest element)."""
    x = np.stack([X0, LOW])
    h = measurement_jacobian(x, SITE)
    h_fd = central_difference(lambda y: measurement(y, SITE), x, STEPS)
    scale = np.abs(h_fd).max(axis=-1, keepdims=True)
    assert np.all(np.abs(h - h_fd) <= 1e-8 * scale)


def test_wrap_angle() -> None:
    np.testing.assert_allclose(
        wrap_angle_rad([0.0, np.pi, -np.pi, 3 * np.pi / 2, -3 * np.pi / 2, 2 * np.pi - 1e-3]),
        [0.0, np.pi, np.pi, -np.pi / 2, np.pi / 2, -1e-3], atol=1e-15,
    )  # fmt: skip


@pytest.mark.parametrize("backend", BACKENDS)
def test_update_across_north_wraps_the_azimuth(backend: str) -> None:
    """A target due north: an azimuth measured as 2 pi - e or as -e is the same update."""
    x = state_at(40.0, 128.0, 200e3, 2000.0, 180.0, -10.0)
    tracks = Tracks(
        state=x[None],
        cov=np.diag([1e4] * 3 + [1e2] * 3)[None],
        t_s=np.zeros(1),
        n_updates=np.ones(1, dtype=np.int64),
        beta_kgm2=np.full(1, np.inf),
    )
    z = measurement(x[None], SITE)
    z[0, 1] = -1e-4
    a = update(tracks, z, SIGMAS, SITE, backend=backend)
    z[0, 1] = 2 * np.pi - 1e-4
    b = update(tracks, z, SIGMAS, SITE, backend=backend)
    np.testing.assert_allclose(a.state, b.state, rtol=1e-14)
    assert np.linalg.norm(a.state[0, :3] - x[:3]) < 300.0  # an angle error of 0.1 mrad moved it


@pytest.mark.parametrize("backend", BACKENDS)
def test_update_only_where_detected(truth: np.ndarray, backend: str) -> None:
    """Rows without a detection (their z may be NaN) come back unchanged."""
    z2 = measurement(truth[:2], SITE)
    tracks = initiate(np.repeat(z2[None], 3, axis=0), SIGMAS, SITE, LOOK_T_S[:2])
    z = measurement(tracks.state, SITE) + 5.0
    z[1] = np.nan
    sigmas = np.repeat(SIGMAS[None], 3, axis=0)
    sigmas[1] = np.nan
    out = update(tracks, z, sigmas, SITE, detected=[True, False, True], backend=backend)
    assert np.array_equal(out.state[1], tracks.state[1])
    assert np.array_equal(out.cov[1], tracks.cov[1])
    assert out.n_updates.tolist() == [3, 2, 3]
    assert np.all(np.isfinite(out.state)) and not np.array_equal(out.state[0], tracks.state[0])


# --------------------------------------------------------------------------------------------
# The library cross-check and consistency
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("backend", NUMPY_SLOW)
def test_ekf_matches_filterpy(truth: np.ndarray, backend: str) -> None:
    """The same 59 predict/update cycles in FilterPy's ExtendedKalmanFilter agree with ours
    to 1e-9 (states in units of their standard deviations; covariances relative to
    sqrt(P_ii P_jj)); we see ~1e-11.

    FilterPy's predict is x = F x, P = F P F^T + Q. Its documented way to a nonlinear
    state prediction is to override ``predict_x``, which here calls our RK4 propagation;
    F (our state-transition matrix) and Q are set before each predict. So the mean
    propagation is shared (and tested against the propagator above), while the covariance
    prediction, the gain, the update with the azimuth residual wrapped and the Joseph-form
    covariance are FilterPy's own, with our h(x) and H as its Hx and HJacobian. The noise
    sigmas change from look to look, as the radar's do with SNR.
    """
    params = TrackerParams(q_m2ps3=1.0)
    rng = np.random.default_rng(3)
    z_true = measurement(truth, SITE)
    tracks = initiate(
        z_true[None, :2] + rng.normal(size=(1, 2, 4)) * SIGMAS,
        SIGMAS,
        SITE,
        LOOK_T_S[:2],
        BETA_KGM2,
        params,
        backend,
    )

    class Ekf(ExtendedKalmanFilter):  # type: ignore[misc]
        dt_s = 0.0

        def predict_x(self, u: float = 0) -> None:
            self.x = transition(self.x[None], self.dt_s, BETA_KGM2, params, backend)[0][0]

    def residual(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        y = a - b
        y[1] = wrap_angle_rad(y[1])
        return y

    ekf = Ekf(dim_x=6, dim_z=4)
    ekf.x = tracks.state[0].copy()
    ekf.P = tracks.cov[0].copy()
    worst = 0.0
    for k in range(2, LOOK_T_S.size):
        sig = SIGMAS * (1.0 + 0.5 * np.sin(k))
        dt = LOOK_T_S[k] - tracks.t_s[0]
        _, phi = transition(tracks.state, dt, BETA_KGM2, params, backend)
        ekf.F, ekf.Q, ekf.dt_s = phi[0], process_noise(dt, params.q_m2ps3), dt
        ekf.predict()
        tracks = predict(tracks, LOOK_T_S[k], params, backend)
        sd = np.sqrt(np.diag(ekf.P))
        worst = max(worst, float(np.max(np.abs(tracks.cov[0] - ekf.P) / np.outer(sd, sd))))
        z = z_true[k] + rng.normal(size=4) * sig
        ekf.update(
            z,
            lambda x: measurement_jacobian(x[None], SITE)[0],
            lambda x: measurement(x[None], SITE)[0],
            R=np.diag(sig**2),
            residual=residual,
        )
        tracks = update(tracks, z[None], sig, SITE, params, backend=backend)
        sd = np.sqrt(np.diag(ekf.P))
        worst = max(
            worst,
            float(np.max(np.abs(tracks.state[0] - ekf.x) / sd)),
            float(np.max(np.abs(tracks.cov[0] - ekf.P) / np.outer(sd, sd))),
        )
    assert worst < 1e-9


N_RUNS = 200


def nees_bounds(n_runs: int, dof: int) -> tuple[float, float]:
    lo, hi = chi2.ppf([0.025, 0.975], dof * n_runs) / n_runs
    return float(lo), float(hi)


@pytest.mark.parametrize("backend", NUMPY_SLOW)
def test_nees_within_chi_square_bounds(truth: np.ndarray, true_impact, backend: str) -> None:
    """Consistency over 200 Monte Carlo runs (Bar-Shalom et al. 2001, sec. 5.4.2).

    The truth is a deterministic ballistic flight, so with q = 0 the filter's model is the
    truth's: the average NEES must lie in the two-sided 95% chi-square interval of 6 x 200
    degrees of freedom divided by 200 ([5.53, 6.49]) half-way through the 2 minutes and at
    the end (seed fixed; we see 5.98 and 6.39). The impact-point covariance of the
    unscented transform must be consistent with the true impact in the same way, 2 degrees
    of freedom ([1.73, 2.29]; we see 2.25). With the default process noise (q = 1
    m^2/s^3, meant for unmodelled forces the truth lacks) the filter may only be
    conservative: its NEES must stay below the upper bound.
    """
    rng = np.random.default_rng(0)
    tracks, nees = run_filter(truth, N_RUNS, TrackerParams(q_m2ps3=0.0), rng, backend)
    lo, hi = nees_bounds(N_RUNS, 6)
    assert lo < nees[len(nees) // 2] < hi
    assert lo < nees[-1] < hi

    impact = predict_impact(tracks.state, tracks.cov, tracks.t_s, BETA_KGM2)
    assert impact.ok.all()
    lat, lon, _ = ecef_to_geodetic(true_impact[0])
    miss = ecef_to_enu(geodetic_to_ecef(lat, lon, 0.0), impact.lat_deg, impact.lon_deg, 0.0)
    miss = miss[:, :2]
    d2 = np.einsum("ni,ni->n", miss, np.linalg.solve(impact.cov_en_m2, miss[..., None])[..., 0])
    lo2, hi2 = nees_bounds(N_RUNS, 2)
    assert lo2 < d2.mean() < hi2

    _, nees_q = run_filter(truth, N_RUNS, TrackerParams(), rng, backend)
    assert max(nees_q) < hi


# --------------------------------------------------------------------------------------------
# Initiation, confirmation, firm track
# --------------------------------------------------------------------------------------------


def test_two_point_initiation_of_noiseless_detections(truth: np.ndarray) -> None:
    """Exact detections 2 s apart: position exact (1 mm), velocity to 5 mm/s (what the
    constant-acceleration correction leaves: the jerk term, dt^2/12 of the jerk, ~1e-3 m/s)."""
    tracks = initiate(measurement(truth[:2], SITE)[None], SIGMAS, SITE, LOOK_T_S[:2], BETA_KGM2)
    assert tracks.t_s[0] == LOOK_T_S[1] and tracks.n_updates[0] == 2
    np.testing.assert_allclose(tracks.state[0, :3], truth[1, :3], rtol=0, atol=1e-3)
    np.testing.assert_allclose(tracks.state[0, 3:], truth[1, 3:], rtol=0, atol=5e-3)
    assert np.all(np.linalg.eigvalsh(tracks.cov[0]) > 0.0)
    with pytest.raises(InputError, match="after the first"):
        initiate(measurement(truth[:2], SITE)[None], SIGMAS, SITE, [1.0, 1.0])
    with pytest.raises(InputError, match="sigmas"):
        initiate(measurement(truth[:2], SITE)[None], [1.0, 0.0, 1.0, 1.0], SITE, [0.0, 1.0])


def test_m_of_n_hand_worked() -> None:
    """Windows worked by hand: 2 of 3 is met at look 2 in row 0 (1 0 1), at look 6 in row 1
    (looks 4-6: 1 0 1), never in row 2 (no two detections within three looks)."""
    detected = np.array([
        [1, 0, 1, 0, 0, 1, 1, 0],
        [0, 1, 0, 0, 1, 0, 1, 1],
        [1, 0, 0, 1, 0, 0, 1, 0],
    ], dtype=bool)  # fmt: skip
    assert m_of_n(detected, 2, 3).tolist() == [2, 6, -1]
    assert m_of_n(detected, 1, 1).tolist() == [0, 1, 0]  # the first detection
    assert m_of_n(detected, 2, 2).tolist() == [6, 7, -1]  # two in a row
    assert m_of_n(detected, 3, 8).tolist() == [5, 6, 6]  # the third detection
    with pytest.raises(InputError):
        m_of_n(detected, 4, 3)


def firm_looks(truth: np.ndarray, confirmed: list[int], alive: np.ndarray, rule: FirmTrackRule,
               backend: str) -> LookRun:
    """The engine's look loop (:func:`filter_looks`, as systems.detection calls it) over the
    scenario's noiseless looks, every look detecting: one track per entry of ``confirmed``,
    each started from looks 0 and 1."""
    n = len(confirmed)
    z_true = measurement(truth, SITE)
    tracks = initiate(np.repeat(z_true[None, :2], n, 0), SIGMAS, SITE, LOOK_T_S[:2], BETA_KGM2,
                      TrackerParams(), backend)
    look_t = np.broadcast_to(LOOK_T_S, (n, LOOK_T_S.size))
    z = np.broadcast_to(z_true, (n, *z_true.shape))
    return filter_looks(tracks, np.ones(n, int), look_t, z, SIGMAS, True, alive,
                        np.asarray(confirmed), SITE, rule, TrackerParams(), backend)


@pytest.mark.parametrize("backend", NUMPY_SLOW)
def test_firm_track_rule_of_the_engine(truth: np.ndarray, backend: str) -> None:
    """The firm-track rule the engine applies (:func:`filter_looks`; systems.detection gives it
    the M-of-N confirmation look): firm at the first look at or after confirmation at which
    BOTH sigmas are at or below the thresholds. The thresholds are taken from the track's
    own sigma curve so that position passes at look 4 and velocity only at look 7.

    Row 0: confirmed at look 2, firm at look 7 (not 4: both sigmas must pass).
    Row 1: accurate from look 7 but confirmed only at look 12: firm at look 12.
    Row 2: accurate, never confirmed (confirmation look = n_looks): NaN.
    Row 3: confirmed at look 2 but the target lands after look 5: NaN, never firm.
    """
    n_looks = LOOK_T_S.size
    loose = FirmTrackRule(position_sigma_m=1e12, velocity_sigma_mps=1e12)
    curve = firm_looks(truth, [2], np.ones((1, n_looks), bool), loose, backend)
    pos, vel = curve.position_sigma_m[0], curve.velocity_sigma_mps[0]
    assert curve.firm_t_s[0] == LOOK_T_S[2]  # loose thresholds: firm as soon as confirmed
    # every look detects, so the sigmas shrink look by look, and the two curves differ
    assert np.all(np.diff(pos[1:20]) < 0.0) and np.all(np.diff(vel[1:20]) < 0.0)
    rule = FirmTrackRule(position_sigma_m=float(pos[4]), velocity_sigma_mps=float(vel[7]))
    assert vel[4] > rule.velocity_sigma_mps and pos[7] <= rule.position_sigma_m
    alive = np.ones((4, n_looks), bool)
    alive[3, 6:] = False
    run = firm_looks(truth, [2, 12, n_looks, 2], alive, rule, backend)
    np.testing.assert_array_equal(run.firm_t_s, [LOOK_T_S[7], LOOK_T_S[12], np.nan, np.nan])
    # the firm estimate is the track at that look; rows never firm carry NaN
    assert np.isfinite(run.firm_state[:2]).all() and np.isnan(run.firm_state[2:]).all()
    assert np.isfinite(run.firm_cov[:2]).all() and np.isnan(run.firm_cov[2:]).all()
    np.testing.assert_allclose(
        np.linalg.norm(run.firm_state[:2, :3] - truth[[7, 12], :3], axis=1), 0.0, atol=100.0)
    np.testing.assert_allclose(track_sigmas(run.firm_cov[0])[0], pos[7], rtol=1e-9)
    # the landed row runs from its start look to its last live look
    assert np.isfinite(run.position_sigma_m[3, 1:6]).all()
    assert np.isnan(run.position_sigma_m[3, 6:]).all()


@pytest.mark.parametrize("backend", BACKENDS)
def test_firm_track_of_the_scenario(truth: np.ndarray, backend: str) -> None:
    """With the default rule (100 m, 10 m/s) and every look detecting, the engine's track
    is firm within the 2 minutes, after its confirmation, at the first look whose sigmas
    are both under the thresholds."""
    rule = FirmTrackRule()
    confirm = int(m_of_n(np.ones((1, LOOK_T_S.size), bool), rule.m, rule.n)[0])
    run = firm_looks(truth, [confirm], np.ones((1, LOOK_T_S.size), bool), rule, backend)
    t_firm = run.firm_t_s[0]
    assert np.isfinite(t_firm) and LOOK_T_S[confirm] <= t_firm < LOOK_T_S[-1]
    pos, vel = run.position_sigma_m[0], run.velocity_sigma_mps[0]
    k = int(np.searchsorted(LOOK_T_S, t_firm))
    assert pos[k] <= 100.0 and vel[k] <= 10.0
    assert not (pos[k - 1] <= 100.0 and vel[k - 1] <= 10.0)


# --------------------------------------------------------------------------------------------
# Impact prediction
# --------------------------------------------------------------------------------------------


def test_impact_of_a_noiseless_track(truth: np.ndarray, true_impact) -> None:
    """A track fed exact measurements for 2 minutes predicts the true impact (propagate
    from the true state) within 10 m and 0.01 s (we see 2.2 m, the unscented mean's
    nonlinear shift), with a positive definite ground covariance far larger than that."""
    tracks, _ = run_filter(truth, 1, TrackerParams(), None)
    impact = predict_impact(tracks.state, tracks.cov, tracks.t_s, BETA_KGM2)
    assert impact.ok.all()
    r_true, t_true = true_impact
    lat, lon, _ = ecef_to_geodetic(r_true)
    miss = ecef_to_enu(geodetic_to_ecef(lat, lon, 0.0), impact.lat_deg, impact.lon_deg, 0.0)
    assert np.linalg.norm(miss[0, :2]) < 10.0
    assert abs(impact.t_s[0] - t_true) < 0.01
    eig = np.linalg.eigvalsh(impact.cov_en_m2[0])
    assert eig.min() > 100.0**2
    assert impact.t_sigma_s[0] > 0.0


def test_predict_impact_vectorised_equals_per_track(truth: np.ndarray) -> None:
    """Three tracks at once give what each gives alone (rtol 1e-12), and a track that never
    comes down within the horizon is reported, not raised."""
    rng = np.random.default_rng(5)
    tracks, _ = run_filter(truth, 3, TrackerParams(), rng)
    t0 = time.perf_counter()
    together = predict_impact(tracks.state, tracks.cov, tracks.t_s, BETA_KGM2)
    assert time.perf_counter() - t0 < 5.0
    for i in range(3):
        alone = predict_impact(tracks.state[i], tracks.cov[i], tracks.t_s[i], BETA_KGM2)
        for name in ("lat_deg", "lon_deg", "t_s", "t_sigma_s", "cov_en_m2"):
            np.testing.assert_allclose(
                getattr(together, name)[i], getattr(alone, name)[0], rtol=1e-12
            )
    assert together.cov_en_m2.shape == (3, 2, 2)
    short = predict_impact(tracks.state, tracks.cov, tracks.t_s, BETA_KGM2, horizon_s=10.0)
    assert not short.ok.any() and np.isnan(short.lat_deg).all()


# --------------------------------------------------------------------------------------------
# Input errors
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_input_errors(truth: np.ndarray, backend: str) -> None:
    tracks = initiate(measurement(truth[:2], SITE)[None], SIGMAS, SITE, LOOK_T_S[:2])
    with pytest.raises(InputError, match="forward"):
        predict(tracks, 0.0, backend=backend)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="z"):
        update(tracks, np.zeros((2, 4)), SIGMAS, SITE, backend=backend)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="sigmas"):
        update(tracks, measurement(tracks.state, SITE), -SIGMAS, SITE,
               backend=backend)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="backend"):
        predict(tracks, 5.0, backend="fortran")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="q_m2ps3"):
        TrackerParams(q_m2ps3=-1.0)
    with pytest.raises(InputError, match="cov"):
        Tracks(
            state=np.zeros((2, 6)),
            cov=np.zeros((2, 6)),
            t_s=np.zeros(2),
            n_updates=np.zeros(2, dtype=np.int64),
            beta_kgm2=np.zeros(2),
        )
    with pytest.raises(InputError, match="positive definite"):
        predict_impact(tracks.state, np.zeros((1, 6, 6)), tracks.t_s)


@pytest.mark.parametrize("backend", NUMPY_SLOW)
def test_the_engine_takes_its_firm_time_from_firm_track_time(truth: np.ndarray,
                                                             backend: str) -> None:
    """One firm-track rule: the detection chain's firm time is :func:`firm_track_time` of
    the filter's sigmas (systems.detection._firm_time), checked against the look the
    compiled filter keeps its estimate at. Detections missing at looks 3-5 delay the M-of-N
    confirmation (rule 3 of 5) to look 9 for row 1; a rule too strict leaves both NaN."""
    from thaadsim.systems.detection import _firm_time

    n_looks = LOOK_T_S.size
    det = np.ones((2, n_looks), bool)
    det[1, 2:7] = False
    rule = FirmTrackRule(m=3, n=5, position_sigma_m=1e12, velocity_sigma_mps=1e12)
    confirm = m_of_n(det, rule.m, rule.n)
    assert confirm.tolist() == [2, 9]
    run = firm_looks(truth, confirm.tolist(), np.ones((2, n_looks), bool), rule, backend)
    look_t = np.broadcast_to(LOOK_T_S, (2, n_looks))
    got = _firm_time(look_t, det, run, np.ones(2, np.intp), rule)
    np.testing.assert_array_equal(got, [LOOK_T_S[2], LOOK_T_S[9]])
    strict = FirmTrackRule(m=3, n=5, position_sigma_m=1e-3, velocity_sigma_mps=1e-3)
    run = firm_looks(truth, confirm.tolist(), np.ones((2, n_looks), bool), strict, backend)
    assert np.isnan(_firm_time(look_t, det, run, np.ones(2, np.intp), strict)).all()
    # a filter whose firm look differs from the rule's is an error, never a silent choice
    shifted = dataclasses.replace(run, firm_t_s=np.array([LOOK_T_S[3], np.nan]))
    with pytest.raises(RuntimeError, match="two firm-track rules"):
        _firm_time(look_t, det, shifted, np.ones(2, np.intp), strict)
