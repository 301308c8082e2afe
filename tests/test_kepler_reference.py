"""Checks of the closed-form ballistic reference in ``kepler_reference`` (itself a test aid)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from kepler_reference import (
    GM_M3PS2,
    R_SPHERE_M,
    bmw_free_flight_range_angle,
    bmw_max_range_angle,
    bmw_optimal_flight_path_angle_deg,
    bmw_time_of_free_flight,
    kepler_ballistic,
)
from scipy.integrate import solve_ivp
from scipy.optimize import minimize_scalar

R = R_SPHERE_M
MU = GM_M3PS2
V_CIRCULAR = math.sqrt(MU / R)
G_SURFACE = MU / R**2


def _integrate(r_bo_m: float, v_mps: float, gamma_deg: float, r_impact_m: float) -> dict:
    """Two-body flight integrated numerically in the plane of motion (independent check)."""
    g = math.radians(gamma_deg)
    y0 = [r_bo_m, 0.0, v_mps * math.sin(g), v_mps * math.cos(g)]

    def rhs(_t: float, y: np.ndarray) -> list[float]:
        r3 = math.hypot(y[0], y[1]) ** 3
        return [y[2], y[3], -MU * y[0] / r3, -MU * y[1] / r3]

    def impact(_t: float, y: np.ndarray) -> float:
        return math.hypot(y[0], y[1]) - r_impact_m

    impact.terminal = True  # type: ignore[attr-defined]
    impact.direction = -1  # type: ignore[attr-defined]
    sol = solve_ivp(
        rhs, (0.0, 2.0e4), y0, method="DOP853", rtol=1e-12, atol=1e-6,
        events=impact, dense_output=True,
    )  # fmt: skip
    assert sol.status == 1, "no impact within the integration span"
    t_end = float(sol.t_events[0][-1])
    y_end = sol.y_events[0][-1]
    t_grid = np.linspace(0.0, t_end, 20001)
    r_grid = np.hypot(*sol.sol(t_grid)[:2])
    # apogee: refine the sampled maximum with the radial velocity root
    k = int(np.argmax(r_grid))
    lo, hi = t_grid[max(k - 1, 0)], t_grid[min(k + 1, len(t_grid) - 1)]
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        x, y, vx, vy = sol.sol(mid)
        if x * vx + y * vy > 0.0:
            lo = mid
        else:
            hi = mid
    x, y = sol.sol(0.5 * (lo + hi))[:2]
    return {
        "range_angle_rad": math.atan2(y_end[1], y_end[0]) % (2.0 * math.pi),
        "apogee_radius_m": max(math.hypot(x, y), r_bo_m),
        "time_of_flight_s": t_end,
    }


@pytest.mark.parametrize("v_mps", [500.0, 1000.0, 2000.0, 3000.0, 5000.0, 6500.0, 7500.0])
@pytest.mark.parametrize("gamma_deg", [5.0, 15.0, 30.0, 45.0, 60.0, 75.0, 85.0])
def test_conic_and_bmw_range_equation_agree(v_mps: float, gamma_deg: float) -> None:
    k = kepler_ballistic(R, v_mps, gamma_deg, R)
    assert k["range_angle_rad"] == pytest.approx(
        bmw_free_flight_range_angle(R, v_mps, gamma_deg), rel=1e-9, abs=1e-12
    )
    assert k["time_of_flight_s"] == pytest.approx(
        bmw_time_of_free_flight(R, v_mps, gamma_deg), rel=1e-9
    )


@pytest.mark.parametrize(
    ("r_bo_m", "v_mps", "gamma_deg"),
    [
        (R, 3000.0, 40.0),
        (R, 7000.0, 20.0),
        (R + 100e3, 3000.0, 40.0),  # burnout above the impact radius: asymmetric arc
        (R + 80e3, 4500.0, 25.0),
        (R + 150e3, 6800.0, 10.0),
        (R + 50e3, 2500.0, -10.0),  # burnout on the way down
        (R, 3000.0, 90.0),  # vertical shot: rectilinear ellipse, e = 1
    ],
)
def test_conic_matches_numerical_integration(r_bo_m: float, v_mps: float, gamma_deg: float) -> None:
    k = kepler_ballistic(r_bo_m, v_mps, gamma_deg, R)
    n = _integrate(r_bo_m, v_mps, gamma_deg, R)
    assert k["range_angle_rad"] == pytest.approx(n["range_angle_rad"], rel=1e-8, abs=1e-9)
    assert k["time_of_flight_s"] == pytest.approx(n["time_of_flight_s"], rel=1e-8)
    if gamma_deg >= 0.0:
        assert k["apogee_radius_m"] == pytest.approx(n["apogee_radius_m"], rel=1e-9)
    else:  # the conic's apogee lies behind a descending burnout: not flown
        assert k["apogee_radius_m"] > n["apogee_radius_m"] == r_bo_m


@pytest.mark.parametrize("v_mps", [1000.0, 3000.0, 6000.0])
@pytest.mark.parametrize("gamma_deg", [10.0, 45.0, 80.0])
def test_apogee_conserves_energy_and_angular_momentum(v_mps: float, gamma_deg: float) -> None:
    k = kepler_ballistic(R + 100e3, v_mps, gamma_deg, R)
    r_a = k["apogee_radius_m"]
    h = (R + 100e3) * v_mps * math.cos(math.radians(gamma_deg))
    energy = v_mps**2 / 2.0 - MU / (R + 100e3)
    v_a = h / r_a  # horizontal at apogee
    assert v_a**2 / 2.0 - MU / r_a == pytest.approx(energy, rel=1e-10)


def test_flat_earth_limit_at_low_speed() -> None:
    v, gamma = 50.0, 45.0
    k = kepler_ballistic(R, v, gamma, R)
    ground_range = R * k["range_angle_rad"]
    g = math.radians(gamma)
    assert ground_range == pytest.approx(v**2 / G_SURFACE, rel=1e-4)  # v^2 sin(2 gamma) / g
    assert k["time_of_flight_s"] == pytest.approx(2.0 * v * math.sin(g) / G_SURFACE, rel=1e-4)
    apex = k["apogee_radius_m"] - R
    assert apex == pytest.approx((v * math.sin(g)) ** 2 / (2.0 * G_SURFACE), rel=1e-4)


def test_flat_earth_optimum_is_45_degrees_at_low_speed() -> None:
    res = minimize_scalar(
        lambda g: -kepler_ballistic(R, 50.0, g, R)["range_angle_rad"],
        bounds=(30.0, 60.0), method="bounded", options={"xatol": 1e-6},
    )  # fmt: skip
    assert res.x == pytest.approx(45.0, abs=1e-2)


@pytest.mark.parametrize("v_mps", [1000.0, 2500.0, 4000.0, 5500.0, 7000.0, 7800.0])
def test_maximum_range_at_bmw_optimal_angle(v_mps: float) -> None:
    res = minimize_scalar(
        lambda g: -kepler_ballistic(R, v_mps, g, R)["range_angle_rad"],
        bounds=(1.0, 60.0), method="bounded", options={"xatol": 1e-9},
    )  # fmt: skip
    psi_max = -res.fun
    assert psi_max == pytest.approx(bmw_max_range_angle(R, v_mps), rel=1e-9)
    assert res.x == pytest.approx(bmw_optimal_flight_path_angle_deg(psi_max), abs=1e-4)


def test_circular_speed_horizontal_never_impacts() -> None:
    k = kepler_ballistic(R, V_CIRCULAR, 0.0, R)
    assert math.isinf(k["range_angle_rad"])
    assert math.isinf(k["time_of_flight_s"])
    assert k["apogee_radius_m"] == pytest.approx(R, rel=1e-12)
    assert k["eccentricity"] < 1e-12


def test_super_circular_horizontal_is_an_orbit() -> None:
    k = kepler_ballistic(R, 1.05 * V_CIRCULAR, 0.0, R)
    assert math.isinf(k["range_angle_rad"]) and math.isinf(k["time_of_flight_s"])
    assert k["apogee_radius_m"] > R


def test_sub_circular_horizontal_on_the_surface_lands_at_once() -> None:
    k = kepler_ballistic(R, 0.9 * V_CIRCULAR, 0.0, R)
    assert k["range_angle_rad"] == pytest.approx(0.0, abs=1e-6)
    assert k["time_of_flight_s"] == pytest.approx(0.0, abs=1e-6)
    assert k["apogee_radius_m"] == pytest.approx(R, rel=1e-12)


def test_escape_speed_gives_no_impact() -> None:
    k = kepler_ballistic(R, 1.01 * math.sqrt(2.0) * V_CIRCULAR, 30.0, R)
    assert math.isinf(k["range_angle_rad"]) and math.isinf(k["apogee_radius_m"])
    with pytest.raises(ValueError, match="hyperbolic"):
        kepler_ballistic(R + 1e5, 1.5 * V_CIRCULAR, -30.0, R)


def test_never_reaching_the_impact_radius_gives_nan() -> None:
    assert math.isnan(kepler_ballistic(R - 1e5, 100.0, 45.0, R)["range_angle_rad"])
    assert math.isnan(kepler_ballistic(R - 1e5, 3000.0, -30.0, R)["time_of_flight_s"])


def test_vertical_launch_has_zero_range_and_energy_apogee() -> None:
    v = 3000.0
    k = kepler_ballistic(R, v, 90.0, R)
    assert k["range_angle_rad"] == pytest.approx(0.0, abs=1e-12)
    assert 1.0 / k["apogee_radius_m"] == pytest.approx(1.0 / R - v**2 / (2.0 * MU), rel=1e-12)


def test_range_is_symmetric_about_the_optimum_for_complementary_angles() -> None:
    # BMW flight-path angle equation (6.2-16): two angles, high and low, reach the same range,
    # and they sum to 2 gamma* = (pi - Psi) / 2.
    v = 4000.0
    psi_target = 0.5 * bmw_max_range_angle(R, v)
    q = R * v**2 / MU
    s = (2.0 - q) / q * math.sin(psi_target / 2.0)
    low = (math.asin(s) - psi_target / 2.0) / 2.0
    high = (math.pi - math.asin(s) - psi_target / 2.0) / 2.0
    for gamma in (low, high):
        psi = kepler_ballistic(R, v, math.degrees(gamma), R)["range_angle_rad"]
        assert psi == pytest.approx(psi_target, rel=1e-10)
    assert low + high == pytest.approx((math.pi - psi_target) / 2.0, rel=1e-12)
