"""Decoy discrimination from physics (thaadsim.systems.discrimination) and claim 6's decoy rule.

References: Allen & Eggers, "A study of the motion and aerodynamic heating of ballistic
missiles entering the Earth's atmosphere at high supersonic speeds", NACA Report 1381 (1958):
for a straight-line entry at flight-path angle gamma into an exponential atmosphere of scale
height H, without gravity, the deceleration peaks where rho = beta sin(gamma) / H, at
a_max = v_e^2 sin(gamma) / (2 e H), whatever beta. The regression slope variance
sigma^2 / sum (t_i - t_mean)^2 (any statistics text, e.g. Bevington & Robinson, "Data
Reduction and Error Analysis", ch. 6)."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from thaadsim.physics.atmosphere import density_kgm3
from thaadsim.physics.earth import Earth
from thaadsim.studies.claims import claim_reaction
from thaadsim.studies.claims.reaction import decoy_verdict
from thaadsim.systems.discrimination import (
    deceleration_sigma_mps2,
    drag_deceleration_mps2,
    fly_pair,
    rcs_discrimination_probability,
)

R_M = 6_371_000.0
WEIGHTLESS = Earth(name="weightless", a_m=R_M, f=0.0, gm_m3ps2=0.0, j2=0.0, omega_radps=0.0)
"""A sphere without gravity or rotation: Allen & Eggers' straight-line entry."""


def _allen_eggers(beta_kgm2: float, gamma_rad: float, v_mps: float) -> tuple[float, float]:
    """The closed form's peak (altitude m, deceleration m/s2) in the USSA-1976 density,
    with its local scale height at that altitude."""
    h = np.arange(0.0, 120e3, 10.0)
    log_rho = np.log(density_kgm3(h))
    scale_m = -1.0 / np.gradient(log_rho, h)
    target = beta_kgm2 * np.sin(gamma_rad) / scale_m
    j = int(np.argmin(np.abs(log_rho - np.log(target))))
    return float(h[j]), float(v_mps**2 * np.sin(gamma_rad) / (2.0 * np.e * scale_m[j]))


@pytest.mark.parametrize("beta_kgm2", [100.0, 500.0])
@pytest.mark.parametrize("v_mps", [3000.0, 6000.0])
def test_decoy_deceleration_peak_matches_allen_eggers(beta_kgm2: float, v_mps: float) -> None:
    """A decoy flown by the propagator (fly_pair) into the USSA-1976 air at 60 deg: its peak
    drag deceleration within 0.5 km of Allen & Eggers' altitude and within 5% of their
    magnitude. Tolerance: the real air's scale height varies (6.2-6.6 km across the
    pulse) where the closed form takes one, and a straight path over a sphere steepens
    its local angle (~1 deg over the pulse); measured 0.1 km and 0.7-3.6%."""
    gamma = np.radians(60.0)
    state0 = [R_M + 120e3, 0.0, 0.0, -v_mps * np.sin(gamma), v_mps * np.cos(gamma), 0.0]
    pair = fly_pair(state0, 0.0, 20_000.0, beta_kgm2, 0.05, earth=WEIGHTLESS, rotating=False)
    y = pair.decoy[np.isfinite(pair.decoy).all(axis=1)]
    alt = np.linalg.norm(y[:, :3], axis=1) - R_M
    a = drag_deceleration_mps2(density_kgm3(alt), np.linalg.norm(y[:, 3:], axis=1), beta_kgm2)
    i = int(np.argmax(a))
    h_ref, a_ref = _allen_eggers(beta_kgm2, gamma, v_mps)
    assert abs(alt[i] - h_ref) < 500.0
    assert a[i] == pytest.approx(a_ref, rel=0.05)


def test_deceleration_sigma_is_the_regression_slope_error() -> None:
    """Two range rates T apart: the slope (r2 - r1)/T has sigma sqrt(2) sigma_r / T; N
    points: sigma sqrt(12 / (N (N^2 - 1))) / T (exact)."""
    assert deceleration_sigma_mps2(0.1, 1.0, 1.0) == pytest.approx(0.1 * np.sqrt(2.0))
    n = 6
    assert deceleration_sigma_mps2(0.1, 1.0, 5.0) == pytest.approx(
        0.1 * np.sqrt(12.0 / (n * (n * n - 1))))
    rng = np.random.default_rng(3)
    t = np.arange(n, dtype=float)
    slopes = [np.polyfit(t, 0.1 * rng.standard_normal(n), 1)[0] for _ in range(4000)]
    # Monte Carlo: the sample sigma of 4,000 slopes within 5% (its own spread ~1.1%)
    assert np.std(slopes) == pytest.approx(float(deceleration_sigma_mps2(0.1, 1.0, 5.0)),
                                           rel=0.05)


def test_replica_cannot_be_told_apart_by_cross_section() -> None:
    """Exo-atmospheric: a replica (equal cross-sections) is told apart only at the false
    rate Phi(-3) = 0.00135; ten times the cross-section over 20 looks, almost always."""
    assert rcs_discrimination_probability(0.1, 0.1, 50) == pytest.approx(0.00135, abs=1e-5)
    assert rcs_discrimination_probability(1.0, 0.1, 20) > 0.99


@pytest.mark.slow
def test_lighter_decoy_is_told_apart_higher() -> None:
    """A Nodong at Seongju, seen by the Seongju face: the lighter the decoy, the higher the
    radar tells it from the warhead; a decoy as heavy as the warhead never."""
    from thaadsim.engagement import RaidThreat, flight_grid
    from thaadsim.studies.decoys import HWANGJU
    from thaadsim.studies.reaction import seongju_sensor as seongju
    from thaadsim.systems.catalog import get_missile, get_site
    from thaadsim.systems.discrimination import discriminate
    from thaadsim.systems.fire_control import get_battery

    s = get_site("seongju")
    m = get_missile("nodong")
    th = RaidThreat(missile=m, launch_lat_deg=HWANGJU[0], launch_lon_deg=HWANGJU[1],
                    aim_lat_deg=s.lat_deg, aim_lon_deg=s.lon_deg)
    t, y = flight_grid([th])
    beta_w = m.rocket.reentry_beta_kgm2
    alts = [discriminate(t[0], y[0], warhead_beta_kgm2=beta_w, decoy_beta_kgm2=b,
                         warhead_rcs_m2=0.1, decoy_rcs_m2=0.1, sensor=seongju(),
                         battery=get_battery("seongju")).alt_m
            for b in (50.0, 500.0, 5000.0, beta_w)]
    assert alts[0] > alts[1] > alts[2] > 0.0
    assert np.isnan(alts[3])


def test_decoy_verdict_both_ways() -> None:
    assert decoy_verdict(48, 12, 12) == "supported"
    assert decoy_verdict(48, 12, 48) == "partly supported"
    assert decoy_verdict(48, 30, 30) == "not supported"
    assert decoy_verdict(48, 24, 0) == "not supported"


def _case(kind: str, alt_km: float | None, covered: int, covered_fix: int) -> dict:
    shares = {"killed": 0.95, "leaked": 0.05, "interceptors_per_trial": 4.7,
              "at_decoys_per_trial": 3.45, "first_launch_s": 106.0,
              "first_intercept_alt_km": 93.0, "reason": "killed"}
    return {"label": f"Nodong at Seongju, 3 {kind} decoys", "missile": "nodong",
            "aim": "seongju", "kind": kind, "decoys": 3, "warhead_beta_kgm2": 15000.0,
            "decoy_beta_kgm2": 100.0 if kind == "light" else 7500.0,
            "discriminated_alt_km": alt_km, "discriminated_t_s": 241.5,
            "first_launch_s": 106.0, "warhead_alt_at_first_launch_km": 54.9,
            "last_launch_s": 270.3, "last_intercept_alt_km": 41.0, "band_floor_km": 40.0,
            "p_rcs": 0.0013, "p_first_launch": 0.0013,
            "p_last_launch": 1.0 if covered_fix == 48 else 0.004,
            "no_decoys": {**shares, "at_decoys_per_trial": 0.0}, "as_deployed": shares,
            "hold_fire": shares,
            "magazine_warheads": {"no_decoys": 48, "as_deployed": covered,
                                  "hold_fire": covered_fix},
            "salvo_leaking": {"no_decoys": 31, "as_deployed": 11, "hold_fire": 5}}


def test_claim_6_judges_decoys_light_and_heavy() -> None:
    from test_claim6 import DATA

    d = copy.deepcopy(DATA)
    d["decoys"] = [_case("light", 85.0, 12, 48), _case("heavy", 51.3, 12, 12)]
    c = claim_reaction(data=d)
    light, heavy = (f"decoys, Nodong at Seongju, 3 {k} decoys" for k in ("light", "heavy"))
    assert c.numbers[f"verdict: {light}"] == "partly supported"
    assert c.numbers[f"verdict: {heavy}"] == "supported"
    assert c.numbers[f"{light}: told apart at altitude (km)"] == 85.0
    assert c.numbers[f"{light}, as deployed: warheads the magazine covers"] == 12.0
    assert "told apart at 85 km" in c.summary and "before THAAD's last launch" in c.summary
    assert "after THAAD's last launch" in c.summary
    assert light in c.figure.answers
    d["decoys"] = [_case("light", None, 30, 30)]
    c = claim_reaction(data=d)
    assert c.numbers["verdict: decoys, Nodong at Seongju, 3 light decoys"] == "not supported"
    assert "never told apart" in c.summary


def test_scenario_discrimination_physics() -> None:
    """`discrimination: physics` in a scenario gives a probability from the physics (a
    light decoy against a Scud-C at Seongju, seen by the Seongju face), the same as
    discrimination_from_physics; any other word is refused naming file, line and field."""
    from test_decoys import _scenario

    from thaadsim.errors import InputError
    from thaadsim.scenario import discrimination_from_physics

    raid, defense = _scenario("\n    decoys: {count: 2, beta_kgm2: 100, discrimination: physics}",
                              perfect=False)
    p = raid[0].decoys.discrimination
    assert 0.0 <= p <= 1.0
    d = discrimination_from_physics(raid[0], defense, 100.0, 0.1)
    assert p == pytest.approx(d.p_first_launch)
    with pytest.raises(InputError) as err:
        _scenario("\n    decoys: {count: 2, discrimination: physical}")
    msg = str(err.value)
    assert msg.startswith("decoys.yaml:12: raid[0].decoys.discrimination: 'physical'"), msg
    assert "'physics'" in msg
