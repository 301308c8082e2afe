"""The per-trajectory kernel's step to the impact (:func:`thaadsim.physics._kernel.integrate_one`).

Once an accepted step brackets the ground, the kernel locates the impact on the step's
interpolant and then takes one Dormand-Prince step from the step's start straight to that
time (Hairer, Norsett & Wanner, *Solving ODEs I*, sec. II.6: a dense-output root, then an
integrated state as accurate as any other). Since the kernel takes that step through its
loop's own step (one inlined copy of the six right-hand sides instead of two, which halved
its compile time), the check here: the reported impact state is one
:func:`thaadsim.physics._kernel.dp5_step_apart` from the last accepted (recorded) state
with its slope, over the reported time, to rounding (relative 1e-12: the same formulas,
compiled apart from the loop, where LLVM fuses a few multiply-adds differently; measured
7e-15; a step from another state or of another length is off by metres), and that it
lies on the ground (geodetic altitude within 1 mm of 0, the event's location tolerance).
"""

from __future__ import annotations

import numpy as np

from thaadsim.physics import _kernel
from thaadsim.physics.earth import WGS84
from thaadsim.physics.propagate import _TABLE_STEP_M, IMPACT, _density_spline, propagate

BETA_KGM2 = 5000.0


def _burnout_states(n: int, seed: int) -> np.ndarray:
    """Bodies at 50 km, 1.5-7 km/s, climbing at 15-75 degrees (as bench_propagate)."""
    from thaadsim.physics.geodesy import direction_ecef, geodetic_to_ecef

    rng = np.random.default_rng(seed)
    lat, lon = rng.uniform(33.0, 42.0, n), rng.uniform(124.0, 131.0, n)
    az, speed = rng.uniform(0.0, 360.0, n), rng.uniform(1500.0, 7000.0, n)
    gamma = rng.uniform(15.0, 75.0, n)
    r = geodetic_to_ecef(lat, lon, 50e3)
    return np.concatenate([r, speed[:, None] * direction_ecef(lat, lon, az, gamma)], axis=1)


def test_impact_state_is_one_step_from_the_last_accepted_state() -> None:
    y0 = _burnout_states(12, 3)
    flight = propagate(y0, beta_kgm2=BETA_KGM2, kernel="per-trajectory", record=2000)
    assert (flight.status == IMPACT).all()
    earth = np.array([WGS84.a_m, WGS84.e2, WGS84.gm_m3ps2, WGS84.j2, WGS84.omega_radps,
                      WGS84.b_m, 1.5 * WGS84.j2 * WGS84.a_m**2])
    seg = np.zeros(11)
    seg[2], seg[4] = BETA_KGM2, 1.0  # a coasting body with drag, as propagate packs it
    rho = _density_spline()
    for i in range(y0.shape[0]):
        n = int(flight.track_len[i])
        t_a, y_a = float(flight.track_t_s[i, n - 2]), flight.track_state[i, n - 2].copy()
        assert flight.track_t_s[i, n - 1] == flight.t_s[i]
        np.testing.assert_array_equal(flight.track_state[i, n - 1], flight.state[i])
        work = np.zeros((9, 6))
        _kernel.rhs(t_a, y_a, work[0], seg, earth, rho, 0.0, _TABLE_STEP_M)
        _kernel.dp5_step_apart(t_a, y_a, work[0], float(flight.t_s[i]) - t_a, work[1],
                               work[2], work[3], work[4], work[5], work[6], work[7], work[8],
                               seg, earth, rho, 0.0, _TABLE_STEP_M, 1e-8, 1e-6)
        np.testing.assert_allclose(work[1], flight.state[i], rtol=1e-12, atol=0.0)
        alt, *_ = _kernel.altitude_up(*flight.state[i, :3], WGS84.a_m, WGS84.e2)
        assert abs(alt) < 1e-3
