"""The compiled tracker (``backend="compiled"``) against the NumPy tracker it replaces.

References: the NumPy path of :mod:`thaadsim.systems.tracking` (the reference, itself tested
against FilterPy, the propagator and central differences in test_tracking.py), the U.S.
Standard Atmosphere of :func:`thaadsim.physics.atmosphere.density_kgm3` and the geodetic
conversion of :func:`thaadsim.physics.geodesy.ecef_to_geodetic`. The two paths do the same
arithmetic in a different order, so they agree to rounding, not bit for bit: the
tolerances below are a few orders of magnitude above what is seen (stated per test).
"""

from __future__ import annotations

import dataclasses

import numba
import numpy as np
import pytest

from thaadsim.errors import InputError
from thaadsim.physics.atmosphere import density_kgm3
from thaadsim.physics.geodesy import (
    direction_ecef,
    ecef_to_geodetic,
    enu_basis,
    geodetic_to_ecef,
)
from thaadsim.physics.propagate import propagate
from thaadsim.systems import _track_kernel as kernel
from thaadsim.systems import tracking
from thaadsim.systems.catalog import get_missile, get_radar, get_site
from thaadsim.systems.detection import simulate_detection, truth_from_flight
from thaadsim.systems.radar import Emplacement
from thaadsim.systems.threat import fly_threat
from thaadsim.systems.tracking import (
    TrackerParams,
    Tracks,
    dynamics,
    dynamics_jacobian,
    filter_looks,
    initiate,
    measurement,
    predict,
    transition,
    update,
)

SITE = Emplacement(lat_deg=36.0, lon_deg=128.0, alt_m=100.0, boresight_deg=0.0)
SIGMAS = np.array([10.0, 0.5e-3, 0.5e-3, 1.0])
PARAMS = TrackerParams()
MODEL = tracking._kernel_model(PARAMS.earth)


def states(n: int, seed: int) -> np.ndarray:
    """Earth-fixed states from 1 km to 1,500 km up (the whole atmosphere model, its layers
    and the table above 86 km), all latitudes, speeds 0.5-7 km/s in any direction."""
    rng = np.random.default_rng(seed)
    lat, lon = rng.uniform(-89.0, 89.0, n), rng.uniform(-180.0, 180.0, n)
    alt = np.exp(rng.uniform(np.log(1e3), np.log(1.5e6), n))
    r = geodetic_to_ecef(lat, lon, alt)
    v = rng.uniform(500.0, 7000.0, n)[:, None] * direction_ecef(
        lat, lon, rng.uniform(0.0, 360.0, n), rng.uniform(-60.0, 60.0, n))
    return np.concatenate([r, v], axis=-1)


def test_density_is_the_standard_atmosphere() -> None:
    """The kernel's density against density_kgm3 from -6 km to 1,200 km, at the layer
    boundaries and either side of 86 km and 1,000 km (relative 1e-12; we see ~1e-15)."""
    h = np.concatenate([
        np.linspace(-6e3, 1.2e6, 4001),
        [0.0, 11e3, 20e3, 32e3, 47e3, 51e3, 71e3, 86e3 - 1e-6, 86e3, 86e3 + 1e-6, 1e6, 1e6 + 1],
        np.array([11e3, 20e3, 32e3, 47e3, 51e3, 71e3]) * 6356766.0 / (6356766.0 - np.array(
            [11e3, 20e3, 32e3, 47e3, 51e3, 71e3])),  # geometric heights of the boundaries
    ])  # fmt: skip
    got = np.array([kernel.density(x, *MODEL[1:]) for x in h])
    np.testing.assert_allclose(got, density_kgm3(h), rtol=1e-12, atol=0.0)
    assert np.isnan(kernel.density(np.nan, *MODEL[1:]))


def test_density_slope_is_the_central_difference_of_the_standard() -> None:
    """density_slope (one exponential for the three heights of the drag Jacobian's central
    difference) against that difference of density_kgm3 itself, from -6 km to 1,200 km and
    across the layer boundaries, 86 km and 1,000 km, where it falls back to three
    densities: relative 1e-9 (the three-density difference carries ~1e-10 of rounding
    where ln(rho) is a large polynomial near 1,000 km; we see 2e-10 there, 4e-12 typically);
    its density is the kernel's (1e-12, as above)."""
    step = tracking._DENSITY_STEP_M
    h = np.concatenate([
        np.linspace(-6e3, 1.2e6, 6001),
        np.array([0.0, 11e3, 20e3, 32e3, 47e3, 51e3, 71e3, 86e3, 1e6])[:, None]
        + np.array([-6.0, -5.0, -4.0, 0.0, 4.0, 5.0, 6.0]),
    ], axis=None)  # fmt: skip
    got = np.array([kernel.density_slope(x, *MODEL[1:]) for x in h])
    slope = (density_kgm3(h + step) - density_kgm3(h - step)) / (2.0 * step)
    np.testing.assert_allclose(got[:, 1], slope, rtol=1e-9, atol=0.0)
    np.testing.assert_allclose(got[:, 0], density_kgm3(h), rtol=1e-12, atol=0.0)
    assert np.isnan(kernel.density_slope(np.nan, *MODEL[1:])).all()


def test_geodetic_height_and_up_match_the_geodesy() -> None:
    """Height within 1 um and the up vector within 1e-12 of ecef_to_geodetic and
    enu_basis, from 1 km below the ellipsoid to 20,000 km up; the poles exactly."""
    rng = np.random.default_rng(4)
    n = 2000
    lat, lon = rng.uniform(-90.0, 90.0, n), rng.uniform(-180.0, 180.0, n)
    alt = np.concatenate([rng.uniform(-1e3, 2e6, n - 100), rng.uniform(2e6, 2e7, 100)])
    r = geodetic_to_ecef(lat, lon, alt)
    ref_lat, ref_lon, ref_alt = ecef_to_geodetic(r)
    ref_up = enu_basis(ref_lat, ref_lon)[:, 2]
    got = np.array([kernel.geodetic_up_alt(*row, MODEL[0]) for row in r])
    np.testing.assert_allclose(got[:, 0], ref_alt, rtol=0.0, atol=1e-6)
    np.testing.assert_allclose(got[:, 1:], ref_up, rtol=0.0, atol=1e-12)
    b = PARAMS.earth.b_m
    assert kernel.geodetic_up_alt(0.0, 0.0, b + 5.0, MODEL[0]) == (5.0, 0.0, 0.0, 1.0)
    assert kernel.geodetic_up_alt(0.0, 0.0, -b - 5.0, MODEL[0]) == (5.0, 0.0, 0.0, -1.0)


@pytest.mark.parametrize("drag", [True, False])
def test_dynamics_and_jacobian_match_numpy(drag: bool) -> None:
    """Derivatives and Jacobian of 300 states, with and without drag, relative to each
    row's largest element: derivatives 1e-11 (we see 2e-13: the two geodetic heights agree
    to ~1e-9 m, which moves the density by ~1e-13), Jacobians 1e-10 (we see 1e-12: the
    5 m central difference of the density cancels three digits)."""
    x = states(300, 1)
    beta = np.where(np.arange(300) % 3 == 0, np.inf, 3000.0)
    params = TrackerParams(drag=drag)
    for f, tol in ((dynamics, 1e-11), (dynamics_jacobian, 1e-10)):
        ref = f(x, beta, params, "numpy")
        got = f(x, beta, params, "compiled")
        scale = np.abs(ref).max(axis=-1, keepdims=True)
        assert np.all(np.abs(got - ref) <= tol * scale)



def test_derivatives_return_the_drag_deceleration() -> None:
    """What derivatives returns (the drag that chooses a look's sub-steps) is
    k_drag rho |v|^2 with the U.S. Standard Atmosphere's density_kgm3 at the geodetic
    height of ecef_to_geodetic (relative 1e-10: the two heights agree to ~1e-9 m), and
    0 without drag."""
    x = states(200, 11)
    alt = ecef_to_geodetic(x[:, :3])[2]
    dy, a_r, a_v = np.empty(6), np.empty((3, 3)), np.empty((3, 3))
    k_drag = 1.0 / (2.0 * 4000.0)
    got = np.array([kernel.derivatives(row, k_drag, *MODEL, dy, a_r, a_v) for row in x])
    ref = k_drag * density_kgm3(alt) * np.sum(x[:, 3:] ** 2, axis=-1)
    np.testing.assert_allclose(got, ref, rtol=1e-10, atol=0.0)
    assert all(kernel.derivatives(row, 0.0, *MODEL, dy, a_r, a_v) == 0.0 for row in x[:5])


def test_a_primed_transition_is_the_unprimed_one() -> None:
    """transition_one told that its first stage is already in the scratch (filter_track
    computes it to choose the sub-steps) gives the same bits as computing it itself."""
    x = states(20, 12)
    for row in x:
        runs = []
        for primed in (False, True):
            y, phi = row.copy(), np.empty((6, 6))
            work, small = np.full((16, 6, 6), np.nan), np.full((8, 4, 6), np.nan)
            if primed:
                kernel.derivatives(y, 1e-4, *MODEL, work[1, 0], small[6, :3], small[7, :3])
            kernel.transition_one(y, phi, 1.5, 3, 1e-4, *MODEL, work, small, primed)
            runs.append((y, phi))
        assert np.array_equal(runs[0][0], runs[1][0]) and np.array_equal(runs[0][1], runs[1][1])

def test_transition_matches_numpy_with_the_batch_sub_steps() -> None:
    """States and transition matrices over different intervals in one batch (so all take
    the sub-steps of the longest, as the NumPy path does): relative 1e-11."""
    x = states(50, 2)
    dt = np.linspace(0.0, 7.3, 50)
    beta = np.full(50, 4000.0)
    xa, pa = transition(x, dt, beta, PARAMS, "numpy")
    xb, pb = transition(x, dt, beta, PARAMS, "compiled")
    np.testing.assert_allclose(xb, xa, rtol=1e-11, atol=1e-6)
    np.testing.assert_allclose(pb, pa, rtol=1e-9, atol=1e-11)
    assert np.array_equal(pb[0], np.eye(6)) and np.array_equal(xb[0], x[0])


def test_predict_and_update_match_numpy() -> None:
    """Forty predict/update cycles of 100 noisy tracks: states within 1e-9 of their standard
    deviations and covariances within 1e-9 of sqrt(P_ii P_jj) of the NumPy path (we see
    ~1e-12), with looks missed at random."""
    x0 = np.concatenate([geodetic_to_ecef(39.0, 126.5, 150e3),
                         2500.0 * direction_ecef(39.0, 126.5, 160.0, -5.0)])
    flight = propagate(np.repeat(x0[None], 42, 0), t_end_s=np.arange(42.0), beta_kgm2=5000.0)
    z_true = measurement(flight.state, SITE)
    rng = np.random.default_rng(8)
    z0 = z_true[:2] + rng.normal(size=(100, 2, 4)) * SIGMAS
    runs = {}
    for backend in tracking.BACKENDS:
        draws = np.random.default_rng(9)
        tracks = initiate(z0, SIGMAS, SITE, [0.0, 1.0], 5000.0, PARAMS, backend)
        for k in range(2, 42):
            det = draws.random(100) < 0.8
            z = z_true[k] + draws.normal(size=(100, 4)) * SIGMAS
            z[~det] = np.nan
            tracks = predict(tracks, float(k), PARAMS, backend)
            tracks = update(tracks, z, SIGMAS, SITE, PARAMS, det, backend)
        runs[backend] = tracks
    a, b = runs["numpy"], runs["compiled"]
    sd = np.sqrt(np.diagonal(a.cov, axis1=1, axis2=2))
    assert np.max(np.abs(b.state - a.state) / sd) < 1e-9
    assert np.max(np.abs(b.cov - a.cov) / (sd[:, :, None] * sd[:, None, :])) < 1e-9
    assert np.array_equal(a.n_updates, b.n_updates) and np.array_equal(a.t_s, b.t_s)


@dataclasses.dataclass(frozen=True)
class PerTrackSite:
    lat_deg: np.ndarray
    lon_deg: np.ndarray
    alt_m: np.ndarray


def test_a_site_per_track_takes_the_numpy_path() -> None:
    """The kernel takes one radar site; a site given per track still updates (NumPy)."""
    x = states(3, 3)
    tracks = Tracks(state=x, cov=np.repeat(np.diag([1e4] * 3 + [1e2] * 3)[None], 3, 0),
                    t_s=np.zeros(3), n_updates=np.full(3, 2), beta_kgm2=np.full(3, np.inf))
    sites = PerTrackSite(lat_deg=np.array([36.0, 36.0, 36.0]), lon_deg=np.array([128.0] * 3),
                         alt_m=np.array([100.0] * 3))
    z = measurement(x, SITE) + 1.0
    a = update(tracks, z, SIGMAS, sites, backend="compiled")
    b = update(tracks, z, SIGMAS, SITE, backend="compiled")
    np.testing.assert_allclose(a.state, b.state, rtol=1e-9)  # NumPy against the kernel
    with pytest.raises(InputError, match="backend"):
        filter_looks(tracks, np.zeros(3, int), np.zeros((3, 2)), z[:, None], SIGMAS,
                     True, True, 0, SITE, backend="cuda")  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def raid():  # type: ignore[no-untyped-def]
    """Recorded flights of three threats of different ranges into Seongju."""
    site = get_site("seongju")
    flights = []
    for name, lat, lon in (("scud-c", 39.0, 125.7), ("scud-b", 37.9, 127.0),
                           ("nodong", 40.2, 127.9)):
        m = get_missile(name)
        tf = fly_threat(m, lat, lon, site.lat_deg, site.lon_deg, record=True)
        flights.append(truth_from_flight(tf.flight, m.rocket.reentry_beta_kgm2))
    width = max(f.t_s.shape[1] for f in flights)

    def pad(a: np.ndarray) -> np.ndarray:
        extra = width - a.shape[1]
        return np.concatenate([a, np.full((a.shape[0], extra) + a.shape[2:], np.nan)], axis=1)

    return dataclasses.replace(
        flights[0],
        **{f.name: (np.concatenate([pad(getattr(t, f.name)) for t in flights])
                    if f.name in ("t_s", "state")
                    else np.concatenate([getattr(t, f.name) for t in flights]))
           for f in dataclasses.fields(flights[0])},
    )


# seeds 1 and 2 slow: each runs the NumPy chain (seconds); seed 0 keeps the check in quick runs
@pytest.mark.parametrize("seed", [0, *(pytest.param(s, marks=pytest.mark.slow) for s in (1, 2))])
def test_detection_chain_agrees_with_numpy(raid, seed: int) -> None:  # type: ignore[no-untyped-def]
    """simulate_detection on three threats x 8 trials: the same draws (first detection and
    confirmation identical), the same firm-track times (1e-6 relative; we see them equal)
    and the same track sigmas (1e-9) and impact cue (1e-5 relative: the sigma points fly
    tens of kilometres, which magnifies the rounding of the firm state)."""
    radar = get_radar("terminal").radar
    emp = get_site("seongju").emplacement()
    truth = raid.repeated(8)
    out = {b: simulate_detection(truth, radar, emp, 0.1, np.random.default_rng(seed), backend=b)
           for b in tracking.BACKENDS}
    same_steps = tracking.TrackerParams(thin_air_step_s=tracking.TrackerParams().step_s)
    out["same steps"] = simulate_detection(truth, radar, emp, 0.1, np.random.default_rng(seed),
                                           params=same_steps)
    a, b = out["numpy"], out["compiled"]
    assert np.isfinite(a.firm_track_s).sum() >= 12
    for name in ("first_detection_s", "confirmed_s"):
        np.testing.assert_array_equal(getattr(b, name), getattr(a, name))
    # the compiled filter's one step per look in thin air (TrackerParams.thin_air_step_s)
    # moves the sigmas by up to 3e-8 (measured); with the NumPy path's sub-steps they agree
    # to rounding (1e-9)
    for name, rtol in (("firm_track_s", 1e-6), ("position_sigma_m", 1e-7),
                       ("velocity_sigma_mps", 1e-7), ("impact_error_m", 1e-5),
                       ("impact_sigma_m", 1e-5), ("impact_pred_lat_deg", 1e-9)):
        np.testing.assert_allclose(getattr(b, name), getattr(a, name), rtol=rtol, atol=0.0,
                                   err_msg=name)
    for name in ("position_sigma_m", "velocity_sigma_mps"):
        np.testing.assert_allclose(getattr(out["same steps"], name), getattr(a, name),
                                   rtol=1e-9, atol=0.0, err_msg=name)


def test_the_thin_air_step_keeps_the_filter_as_accurate(raid) -> None:  # type: ignore[no-untyped-def]
    """The compiled filter's coarser sub-step where the drag is below 1e-3 g
    (TrackerParams.thin_air_step_s, 1 s: one RK4 step per look) against the NumPy path's
    sub-steps (step_s, 0.5 s) everywhere: against a reference of 16 times finer steps
    (1/32 s), both leave the same integration error in the track sigmas (that of the dense
    air, ~1e-3 relative, where both take step_s) to within 1e-6 of it; the coarse step alone
    moves them by less than 1e-7 relative (measured 3e-8 on 200 Scud-C tracks). Reference:
    RK4's local error is O(h^5) (Hairer, Norsett & Wanner, *Solving ODEs I*, sec. II.3)."""
    radar = get_radar("terminal").radar
    emp = get_site("seongju").emplacement()
    truth = raid.repeated(3)
    step = tracking.TrackerParams().step_s

    def sigmas(params: tracking.TrackerParams) -> np.ndarray:
        tl = simulate_detection(truth, radar, emp, 0.1, np.random.default_rng(4), params=params)
        return np.stack([tl.position_sigma_m, tl.velocity_sigma_mps])

    fine = sigmas(tracking.TrackerParams(step_s=step / 16, thin_air_step_s=step / 16))
    coarse = sigmas(tracking.TrackerParams())
    reference = sigmas(tracking.TrackerParams(thin_air_step_s=step))
    assert np.isfinite(coarse).sum() > 100

    def worst(x: np.ndarray, y: np.ndarray) -> float:
        ok = np.isfinite(x) & np.isfinite(y)
        return float(np.max(np.abs(x[ok] - y[ok]) / y[ok]))

    assert worst(coarse, reference) < 1e-7
    assert worst(coarse, fine) <= worst(reference, fine) * (1.0 + 1e-6) + 1e-12


def test_the_compiled_chain_is_repeatable(raid) -> None:  # type: ignore[no-untyped-def]
    """The same seed gives the same timeline bit for bit (the kernel's parallel loop over
    tracks has no reductions, so its threads cannot change the result)."""
    radar = get_radar("terminal").radar
    emp = get_site("seongju").emplacement()
    tl1 = simulate_detection(raid.repeated(4), radar, emp, 0.1, np.random.default_rng(5))
    tl2 = simulate_detection(raid.repeated(4), radar, emp, 0.1, np.random.default_rng(5))
    for name in ("firm_track_s", "position_sigma_m", "impact_error_m"):
        np.testing.assert_array_equal(getattr(tl1, name), getattr(tl2, name))



def test_the_compiled_chain_does_not_depend_on_the_thread_count(raid) -> None:  # type: ignore[no-untyped-def]
    """One thread or all: the same timeline bit for bit (each track is one thread's
    work from start to end; no sums across tracks)."""
    radar = get_radar("terminal").radar
    emp = get_site("seongju").emplacement()
    runs = []
    default = numba.get_num_threads()
    for threads in (1, default):
        numba.set_num_threads(threads)
        try:
            runs.append(simulate_detection(raid.repeated(4), radar, emp, 0.1,
                                           np.random.default_rng(6)))
        finally:
            numba.set_num_threads(default)
    for name in ("firm_track_s", "position_sigma_m", "velocity_sigma_mps", "impact_error_m"):
        np.testing.assert_array_equal(getattr(runs[0], name), getattr(runs[1], name))

def test_each_kernel_is_compiled_once() -> None:
    """Inputs of every kind (lists, scalars, broadcast sigmas, read-only views, a
    boolean mask or none) reach each kernel as the same kind of array: one compiled
    signature each, not a new compilation (seconds) per kind."""
    x = states(4, 6)
    frozen = x.copy()
    frozen.setflags(write=False)
    tracks = Tracks(state=frozen, cov=np.repeat(np.diag([1e4] * 3 + [1e2] * 3)[None], 4, 0),
                    t_s=np.zeros(4), n_updates=np.full(4, 2), beta_kgm2=np.full(4, 5000.0))
    z = measurement(x, SITE)
    z.setflags(write=False)
    for t_s in (1.0, [1.0, 2.0, 1.5, 1.0], np.full(4, 2.0)):
        predict(tracks, t_s, PARAMS, "compiled")
        transition(frozen, t_s, 5000.0, PARAMS, "compiled")
    for det in (None, [True, False, True, True], np.ones(4, bool)):
        update(tracks, z, SIGMAS, SITE, PARAMS, det, "compiled")
        update(tracks, z.tolist(), np.broadcast_to(SIGMAS, (4, 4)), SITE, PARAMS, det,
               "compiled")
    dynamics(frozen, 5000.0, PARAMS, "compiled")
    dynamics_jacobian(x.tolist(), np.inf, PARAMS, "compiled")
    look_t = np.arange(3.0)[None] + np.zeros((4, 1))
    for zz, sig in ((z[:, None], SIGMAS), (np.repeat(z[:, None], 3, 1), np.ones((4, 3, 4)))):
        filter_looks(dataclasses.replace(tracks, t_s=np.zeros(4)), np.zeros(4, int), look_t,
                     zz, sig, True, [[True] * 3] * 4, 3, SITE)
    for k in (kernel.predict_many, kernel.transition_many, kernel.update_many,
              kernel.derivatives_many, kernel.filter_looks):
        assert len(k.signatures) == 1, (k, k.signatures)


@pytest.mark.parametrize("backend", tracking.BACKENDS)
def test_filter_looks_refuses_a_bad_sigma_where_it_updates(backend: str) -> None:
    """A sigma that is not finite and > 0 at a look that updates is an InputError on both
    backends; at a look that does not (missed, or before the start) it is ignored."""
    x = states(2, 7)
    tracks = Tracks(state=x, cov=np.repeat(np.diag([1e4] * 3 + [1e2] * 3)[None], 2, 0),
                    t_s=np.zeros(2), n_updates=np.full(2, 2), beta_kgm2=np.full(2, np.inf))
    look_t = np.arange(3.0)[None] + np.zeros((2, 1))
    z = np.repeat(measurement(x, SITE)[:, None], 3, 1)
    sig = np.repeat(np.repeat(SIGMAS[None, None], 2, 0), 3, 1)
    det = np.ones((2, 3), bool)
    sig[1, 0] = np.nan  # the start look: not an update
    sig[0, 2] = 0.0
    det[0, 2] = False  # a missed look
    run = filter_looks(tracks, [0, 0], look_t, z, sig, det, True, 3, SITE, backend=backend)
    assert np.isfinite(run.position_sigma_m).all()
    det[0, 2] = True
    with pytest.raises(InputError, match="sigmas"):
        filter_looks(tracks, [0, 0], look_t, z, sig, det, True, 3, SITE, backend=backend)
