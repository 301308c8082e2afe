"""The lockstep kernel (:mod:`thaadsim.physics._lockstep`) against independent references
and against the per-trajectory kernel.

References
----------
* A tight independent integration: SciPy's ``solve_ivp`` with DOP853 at rtol 1e-12 on a
  right-hand side written in plain Python (the benchmark's, ``bench_propagate.py``):
  ground ranges within 10 m (the issue's bound).
* The per-trajectory kernel, which has its own closed-form tests (test_propagate.py runs
  those on both kernels): the same events (impact, apogee, level crossings) within far
  less than the tolerance.
* Determinism: a trajectory's result depends on nothing but its own inputs - not its
  lane, its chunk, the order of the rows, the other rows or the number of threads.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numba
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from thaadsim.errors import InputError
from thaadsim.physics import _lockstep
from thaadsim.physics.earth import WGS84
from thaadsim.physics.propagate import (
    FAILED,
    IMPACT,
    MAX_STEPS,
    REACHED_END,
    _density_spline,
    propagate,
)

BENCH = Path(__file__).resolve().parent.parent / "benchmarks"
LEVELS = [40e3, 150e3]


@pytest.fixture(scope="module")
def bench():
    sys.path.insert(0, str(BENCH))
    try:
        import bench_propagate
    finally:
        sys.path.remove(str(BENCH))
    return bench_propagate


@pytest.fixture(scope="module")
def threats(bench):
    """300 threats from burnout (50 km, 1.5-7 km/s, 15-75 deg) over Korea, as benchmarked."""
    return bench.burnout_states(300, 11)


def _fields(p):
    return (p.t_s, p.state, p.status, p.apogee_t_s, p.apogee_alt_m, p.up_s, p.down_s,
            p.n_steps, p.track_t_s, p.track_state, p.track_len)


def _identical(a, b):
    return all(np.array_equal(x, y, equal_nan=True) for x, y in zip(_fields(a), _fields(b),
                                                                     strict=True))


def test_ground_range_within_10_m_of_dop853_reference(bench, threats):
    """Impact points of the lockstep kernel against DOP853 at rtol 1e-12 (independent)."""
    pick = np.arange(0, 300, 30)
    flight = propagate(threats, beta_kgm2=bench.BETA_KGM2, kernel="lockstep")
    assert (flight.status == IMPACT).all()
    ref = np.array([bench.scipy_flight(threats[i], "DOP853", 1e-12, 1e-9) for i in pick])
    err = np.abs(bench.ground_range_m(threats[pick], flight.state[pick])
                 - bench.ground_range_m(threats[pick], ref))
    assert err.max() < 10.0


def test_same_events_as_the_per_trajectory_kernel(threats):
    """Impact, apogee and band crossings agree with the per-trajectory kernel far inside the
    tolerance (they differ only by rounding: cm and microseconds, not metres)."""
    kw = dict(beta_kgm2=5000.0, levels_alt_m=LEVELS)
    lock = propagate(threats, kernel="lockstep", **kw)
    one = propagate(threats, kernel="per-trajectory", **kw)
    assert (lock.status == one.status).all() and (lock.status == IMPACT).all()
    assert np.abs(lock.state[:, :3] - one.state[:, :3]).max() < 0.5  # metres
    assert np.abs(lock.state[:, 3:] - one.state[:, 3:]).max() < 0.05  # m/s
    assert np.abs(lock.t_s - one.t_s).max() < 1e-3
    assert np.abs(lock.apogee_alt_m - one.apogee_alt_m).max() < 0.05
    assert np.abs(lock.apogee_t_s - one.apogee_t_s).max() < 1e-3
    assert (np.isnan(lock.up_s) == np.isnan(one.up_s)).all()
    assert (np.isnan(lock.down_s) == np.isnan(one.down_s)).all()
    assert np.nanmax(np.abs(lock.up_s - one.up_s)) < 1e-3
    assert np.nanmax(np.abs(lock.down_s - one.down_s)) < 1e-3
    # the same integrator: about the same steps (rounding can move a rejection)
    assert abs(lock.n_steps.sum() / one.n_steps.sum() - 1) < 0.02


def test_result_of_a_row_does_not_depend_on_lane_chunk_order_or_neighbours(threats):
    """Bit for bit: the rows permuted, a subset, smaller chunks (other lanes and queues)."""
    kw = dict(beta_kgm2=5000.0, levels_alt_m=LEVELS, kernel="lockstep", record=5)
    full = propagate(threats, **kw)
    perm = np.random.default_rng(4).permutation(len(threats))
    shuffled = propagate(threats[perm], **kw)
    for a, b in zip(_fields(full), _fields(shuffled), strict=True):
        assert np.array_equal(a[perm], b, equal_nan=True)
    sub = perm[:70]
    part = propagate(threats[sub], **kw)
    for a, b in zip(_fields(full), _fields(part), strict=True):
        assert np.array_equal(a[sub], b, equal_nan=True)
    # one queue for all rows, and queues of 64 and 100 rows
    n = len(threats)
    segs = np.zeros((n, 11))
    segs[:, 2] = 5000.0
    segs[:, 4] = 1.0
    earth = np.array([WGS84.a_m, WGS84.e2, WGS84.gm_m3ps2, WGS84.j2, WGS84.omega_radps,
                      WGS84.b_m, 1.5 * WGS84.j2 * WGS84.a_m**2])
    args = (threats, np.zeros(n), np.full(n, 4 * 3600.0), segs, earth, np.array(LEVELS), True,
            _density_spline(), 0.0, 100.0, 1e-8, 1e-6, np.inf, 200_000, 5)
    outs = [_lockstep.integrate_lockstep(*args, chunk, _lockstep.queue_order(threats, chunk))
            for chunk in (n, 64, 100)]
    # and queues in row order and with the slowest bodies first
    outs.append(_lockstep.integrate_lockstep(*args, 64, np.arange(n)))
    slowest_first = np.ascontiguousarray(_lockstep.queue_order(threats, n)[::-1])
    outs.append(_lockstep.integrate_lockstep(*args, n, slowest_first))
    for other in outs[1:]:
        assert all(np.array_equal(a, b, equal_nan=True) for a, b in zip(outs[0], other,
                                                                        strict=True))
    assert np.array_equal(outs[0][1], full.t_s)


def test_queue_order_serves_each_chunk_fastest_first():
    """Each chunk's queue is a permutation of its own rows, by falling speed, ties in row order."""
    y0 = np.zeros((7, 6))
    y0[:, 3] = [1.0, 3.0, 2.0, 3.0, 5.0, 4.0, 4.0]
    assert _lockstep.queue_order(y0, 3).tolist() == [1, 2, 0, 4, 5, 3, 6]
    assert _lockstep.queue_order(y0, 7).tolist() == [4, 5, 6, 1, 3, 2, 0]


def test_result_does_not_depend_on_the_number_of_threads(threats):
    kw = dict(beta_kgm2=5000.0, levels_alt_m=LEVELS, kernel="lockstep")
    n = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = propagate(threats, **kw)
    finally:
        numba.set_num_threads(n)
    assert _identical(one, propagate(threats, **kw))


def test_auto_uses_lockstep_for_coasting_bodies_however_few(threats):
    """A body's result does not depend on how many others are integrated with it (a grid cut
    into chunks gives the one-piece result bit for bit): auto is lockstep for one body too."""
    kw = dict(beta_kgm2=5000.0)
    assert _identical(propagate(threats, **kw), propagate(threats, kernel="lockstep", **kw))
    for few in (threats[:1], threats[:63]):
        assert _identical(propagate(few, **kw), propagate(few, kernel="lockstep", **kw))
        whole = propagate(threats, **kw)
        for a, b in zip(_fields(propagate(few, **kw)), _fields(whole), strict=True):
            assert np.array_equal(a, b[: len(few)], equal_nan=True)
    # gliders are not the lockstep kernel's: they go to the per-trajectory one, row by row
    ld = np.where(np.arange(len(threats)) % 3 == 0, 1.5, 0.0)
    mixed = propagate(threats, lift_to_drag=ld, **kw)
    glide = ld > 0
    alone = propagate(threats[glide], lift_to_drag=1.5, kernel="per-trajectory", **kw)
    for a, b in zip(_fields(mixed), _fields(alone), strict=True):
        assert np.array_equal(a[glide], b, equal_nan=True)
    coast = propagate(threats[~glide], kernel="lockstep", **kw)
    for a, b in zip(_fields(mixed), _fields(coast), strict=True):
        assert np.array_equal(a[~glide], b, equal_nan=True)


def test_unknown_kernel_is_one_clear_error():
    with pytest.raises(InputError, match="kernel: 'simd' is not one of"):
        propagate(np.zeros(6) + 7e6, kernel="simd")  # type: ignore[arg-type]


def test_every_status_in_one_group(threats):
    """Impact, end time, failure and the step budget side by side in the lanes, each as the
    per-trajectory kernel reports it."""
    states = threats[:80].copy()
    states[5] = np.nan
    t_end = np.full(80, 4 * 3600.0)
    t_end[7] = 30.0  # reaches the end time in flight
    t_end[9] = 0.0  # end = start
    kw = dict(beta_kgm2=5000.0, t_end_s=t_end, max_steps=60, levels_alt_m=LEVELS)
    lock = propagate(states, kernel="lockstep", **kw)
    one = propagate(states, kernel="per-trajectory", **kw)
    assert lock.status.tolist() == one.status.tolist()
    assert {IMPACT, REACHED_END, FAILED, MAX_STEPS} <= set(lock.status.tolist())
    assert lock.t_s[7] == 30.0 and lock.status[9] == REACHED_END and lock.t_s[9] == 0.0
    ok = lock.valid
    assert np.abs(lock.state[ok] - one.state[ok]).max() < 0.5


@settings(max_examples=40, deadline=None)
@given(st.floats(min_value=1e-12, max_value=1e12))
def test_fifth_root(x):
    """The controller's x ** 0.2 to 1e-6, with x clipped to [1e-10, 1e10]."""
    ref = min(max(x, 1e-10), 1e10) ** 0.2
    assert _lockstep.fifth_root(x) == pytest.approx(ref, rel=1e-6)


@pytest.mark.slow
def test_fresh_compile_and_cached_kernel_agree_bit_for_bit(tmp_path, bench, threats):
    """A kernel compiled afresh (empty Numba cache) and the one loaded from the cache give
    the same bits (fast-math without reassociation; see thaadsim.physics._jit)."""
    here = propagate(threats[:100], beta_kgm2=5000.0, levels_alt_m=LEVELS, kernel="lockstep")
    np.save(tmp_path / "states.npy", threats[:100])
    code = (
        "import sys, numpy as np\n"
        "from thaadsim.physics.propagate import propagate\n"
        f"s = np.load({str(tmp_path / 'states.npy')!r})\n"
        "p = propagate(s, beta_kgm2=5000.0, levels_alt_m=[40e3, 150e3], kernel='lockstep')\n"
        f"np.savez({str(tmp_path / 'out.npz')!r}, t=p.t_s, y=p.state, up=p.up_s, down=p.down_s,"
        " apo=p.apogee_alt_m)\n"
    )
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "numba-cache")}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=900)
    fresh = np.load(tmp_path / "out.npz")
    assert np.array_equal(fresh["t"], here.t_s)
    assert np.array_equal(fresh["y"], here.state)
    assert np.array_equal(fresh["up"], here.up_s, equal_nan=True)
    assert np.array_equal(fresh["down"], here.down_s, equal_nan=True)
    assert np.array_equal(fresh["apo"], here.apogee_alt_m)
