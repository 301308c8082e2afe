"""Tests of thaadsim.physics.frames: ECEF <-> ECI for a uniformly rotating Earth."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from thaadsim.errors import InputError
from thaadsim.physics.earth import OMEGA_EARTH_RADPS, WGS84
from thaadsim.physics.frames import (
    ecef_state_to_eci,
    ecef_to_eci,
    eci_state_to_ecef,
    eci_to_ecef,
)
from thaadsim.physics.geodesy import enu_basis, geodetic_to_ecef

SIDEREAL_DAY_S = 2.0 * math.pi / OMEGA_EARTH_RADPS

positions = arrays(np.float64, (3,), elements=st.floats(-4.0e7, 4.0e7))
states = arrays(np.float64, (6,), elements=st.floats(-4.0e7, 4.0e7))
times = st.floats(-1.0e6, 1.0e6)


def test_default_rate_is_wgs84() -> None:
    assert OMEGA_EARTH_RADPS == WGS84.omega_radps == 7.2921150e-5
    assert SIDEREAL_DAY_S == pytest.approx(86164.10, abs=0.01)


@settings(max_examples=200, deadline=None)
@given(r=positions, t=times)
def test_position_round_trip(r: np.ndarray, t: float) -> None:
    np.testing.assert_allclose(eci_to_ecef(ecef_to_eci(r, t), t), r, rtol=0, atol=1e-7)
    np.testing.assert_allclose(ecef_to_eci(eci_to_ecef(r, t), t), r, rtol=0, atol=1e-7)
    # a rotation keeps lengths and the z component
    r_eci = ecef_to_eci(r, t)
    assert np.linalg.norm(r_eci) == pytest.approx(np.linalg.norm(r), rel=1e-14, abs=1e-9)
    assert r_eci[2] == r[2]


@settings(max_examples=200, deadline=None)
@given(s=states, t=times)
def test_state_round_trip(s: np.ndarray, t: float) -> None:
    # velocities in the strategy are up to 4e7 m/s, omega x r up to ~3e3 m/s: scale atol
    np.testing.assert_allclose(eci_state_to_ecef(ecef_state_to_eci(s, t), t), s, atol=1e-7)
    np.testing.assert_allclose(ecef_state_to_eci(eci_state_to_ecef(s, t), t), s, atol=1e-7)


def test_identity_at_time_zero() -> None:
    rng = np.random.default_rng(3)
    r = rng.normal(scale=7e6, size=(10, 3))
    np.testing.assert_array_equal(ecef_to_eci(r, 0.0), r)
    np.testing.assert_array_equal(eci_to_ecef(r, 0.0), r)
    s = np.concatenate([r, rng.normal(scale=3e3, size=(10, 3))], axis=-1)
    s_eci = ecef_state_to_eci(s, 0.0)
    np.testing.assert_array_equal(s_eci[:, :3], r)
    # the velocity still gains omega x r at t = 0
    np.testing.assert_allclose(
        s_eci[:, 3:], s[:, 3:] + np.cross([0.0, 0.0, OMEGA_EARTH_RADPS], r), atol=1e-9
    )


def test_identity_after_one_sidereal_day() -> None:
    r = geodetic_to_ecef(np.array([0.0, 37.5, -60.0]), np.array([0.0, 127.0, -45.0]), 1.0e5)
    np.testing.assert_allclose(ecef_to_eci(r, SIDEREAL_DAY_S), r, rtol=0, atol=1e-6)
    np.testing.assert_allclose(eci_to_ecef(r, 3 * SIDEREAL_DAY_S), r, rtol=0, atol=1e-6)


def test_earth_turns_eastward() -> None:
    # after a quarter of a sidereal day the ECEF x axis points along ECI +y
    np.testing.assert_allclose(
        ecef_to_eci([WGS84.a_m, 0.0, 0.0], SIDEREAL_DAY_S / 4), [0.0, WGS84.a_m, 0.0], atol=1e-6
    )


@pytest.mark.parametrize(
    ("lat", "lon", "alt"),
    [(0.0, 0.0, 0.0), (37.5, 127.0, 50.0), (-70.0, -100.0, 3.0e5), (89.0, 10.0, 0.0)],
)
def test_point_fixed_on_earth_moves_at_omega_r_perp(lat: float, lon: float, alt: float) -> None:
    r = geodetic_to_ecef(lat, lon, alt)
    state = np.concatenate([r, np.zeros(3)])
    for t in (0.0, 1234.5, 5.0e4):
        s_eci = ecef_state_to_eci(state, t)
        v = s_eci[3:]
        r_perp = math.hypot(r[0], r[1])
        assert np.linalg.norm(v) == pytest.approx(OMEGA_EARTH_RADPS * r_perp, rel=1e-12)
        assert v[2] == 0.0
        # eastward: along the local east vector rotated into ECI
        east_eci = ecef_to_eci(enu_basis(lat, lon)[0], t)
        assert np.dot(v, east_eci) == pytest.approx(np.linalg.norm(v), rel=1e-12)
    assert OMEGA_EARTH_RADPS * WGS84.a_m == pytest.approx(465.1, abs=0.05)  # equator, m/s


def test_velocity_is_the_time_derivative_of_position() -> None:
    # a point moving in ECEF: central differences of ecef_to_eci(r(t), t) give v_eci
    r0 = np.array([4.0e6, -3.0e6, 4.5e6])
    v0 = np.array([1200.0, 800.0, -2500.0])
    t, dt = 300.0, 1e-2

    def r_eci(tt: float) -> np.ndarray:
        return ecef_to_eci(r0 + v0 * tt, tt)

    v_fd = (r_eci(t + dt) - r_eci(t - dt)) / (2 * dt)
    s = ecef_state_to_eci(np.concatenate([r0 + v0 * t, v0]), t)
    np.testing.assert_allclose(s[3:], v_fd, rtol=0, atol=1e-6)
    np.testing.assert_allclose(s[:3], r_eci(t), rtol=0, atol=1e-9)


def test_broadcasting_over_times_and_objects() -> None:
    r = np.array([7.0e6, 0.0, 1.0e6])
    t = np.linspace(0.0, 1000.0, 5)
    out = ecef_to_eci(r, t)
    assert out.shape == (5, 3)
    for i in range(5):
        np.testing.assert_allclose(out[i], ecef_to_eci(r, t[i]), rtol=0, atol=1e-9)
    many = np.tile(r, (5, 1))
    np.testing.assert_allclose(ecef_to_eci(many, t), out, rtol=0, atol=0)
    assert ecef_to_eci(many, 10.0).shape == (5, 3)
    assert ecef_to_eci(np.zeros((2, 4, 3)), np.zeros((2, 4))).shape == (2, 4, 3)
    s = np.zeros((5, 6))
    s[:, 0] = 7.0e6
    assert ecef_state_to_eci(s, t).shape == (5, 6)
    assert eci_state_to_ecef(s[0], t).shape == (5, 6)
    assert eci_to_ecef(r, t[:, None]).shape == (5, 1, 3)


def test_custom_rate() -> None:
    # a non-rotating Earth leaves everything unchanged
    s = np.array([7.0e6, 1.0, 2.0, 3.0, 4.0, 5.0])
    np.testing.assert_array_equal(ecef_state_to_eci(s, 1.0e4, omega_radps=0.0), s)
    np.testing.assert_allclose(
        ecef_to_eci([1.0, 0.0, 0.0], 1.0, omega_radps=math.pi / 2), [0.0, 1.0, 0.0], atol=1e-15
    )


def test_bad_shapes_are_input_errors() -> None:
    with pytest.raises(InputError, match="r_ecef_m"):
        ecef_to_eci(np.zeros(4), 0.0)
    with pytest.raises(InputError, match="state_eci"):
        eci_state_to_ecef(np.zeros((2, 3)), 0.0)
