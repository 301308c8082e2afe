"""The claims check: six claims, their verdicts, numbers and figures, on a tiny run.

References: the 40-150 km band and THAAD's 200 km reach (USCC 2016; the interceptor
catalog); the binomial model of defense effectiveness, P(no leak) = (1 - (1 - p)^k)^N
(Wilkening, Science & Global Security 8 (2000) 183-215), which the inventory-limited form
must reduce to when interceptors are plentiful, and must match a direct Monte Carlo of
the same doctrine (within 4 sigma) when they are not; THAAD's unit cost ($19.7M,
Defense Daily 2023, interceptors.yaml).
"""

from __future__ import annotations

import dataclasses
import struct
from pathlib import Path

import numpy as np
import pytest

from thaadsim.engagement import DefendedAsset, Defense, RaidThreat, binomial_p_no_leak
from thaadsim.errors import CatalogError
from thaadsim.physics.geodesy import geodesic_inverse
from thaadsim.report.claim_figures import claim_figure_png
from thaadsim.run import RunOutput, run_engagement
from thaadsim.studies.claims import (
    VERDICTS,
    Claim,
    check_claims,
    cost_catalog,
    interceptors_per_kill,
    load_costs,
    p_no_leak_with_inventory,
    saturation_curve,
)
from thaadsim.systems.catalog import Site, get_missile, get_radar
from thaadsim.systems.fire_control import get_battery
from thaadsim.systems.interceptor import get_interceptor
from thaadsim.systems.sensors import Sensor

TERMINAL = get_radar("terminal").radar

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PYONGYANG = (39.0194, 125.7381)
SEONGJU = (36.0494, 128.2262)


def defense_at(lat: float, lon: float, launch: tuple[float, float],
               asset: tuple[float, float]) -> Defense:
    """A THAAD battery (Seongju's figures) at (lat, lon), its radar facing the launch
    (as tests/test_engagement.py)."""
    site = Site(slug="test-site", name="test site", lat_deg=lat, lon_deg=lon, alt_m=100.0,
                figures={})
    battery = dataclasses.replace(get_battery("seongju"), site=site, slug="test")
    _, bearing, _ = geodesic_inverse(lat, lon, *launch)
    return Defense(batteries=(battery,), sensors=(Sensor(name="radar", radar=TERMINAL,
                                  emplacement=site.emplacement(float(bearing) % 360.0)),),
                   assets=(DefendedAsset(name="asset", lat_deg=asset[0], lon_deg=asset[1],
                                         radius_m=20e3),))


@pytest.fixture(scope="module")
def run() -> RunOutput:
    threat = RaidThreat(missile=get_missile("scud-c"), launch_lat_deg=PYONGYANG[0],
                        launch_lon_deg=PYONGYANG[1], aim_lat_deg=SEONGJU[0],
                        aim_lon_deg=SEONGJU[1])
    return run_engagement([threat], defense_at(*SEONGJU, PYONGYANG, SEONGJU), trials=3, seed=1)


@pytest.fixture(scope="module")
def claims(run: RunOutput) -> dict[int, Claim]:
    return {c.number: c for c in check_claims(run, quick=True)}


def test_five_claims_with_verdicts_numbers_and_figures(claims: dict[int, Claim]) -> None:
    assert sorted(claims) == [1, 2, 3, 4, 5, 6]
    for c in claims.values():
        assert c.verdict in VERDICTS
        assert c.claim and c.summary
        assert c.numbers and all(isinstance(v, float | str) for v in c.numbers.values())
        png = claim_figure_png(c)
        assert png is not None and png.startswith(PNG_SIGNATURE)
        width, height = struct.unpack(">II", png[16:24])  # IHDR
        assert (width, height) == (800, 450)


def test_claim_1_artillery_never_reaches_the_band_and_seoul_is_out_of_reach(
        claims: dict[int, Claim]) -> None:
    """Rockets at Seoul from north of the DMZ peak far below 40 km; Seoul lies ~202 km from
    Seongju, beyond the interceptor's 200 km, so even the Scud-B that does enter the band
    is never within reach."""
    n = claims[1].numbers
    for missile in ("mrl-240", "kn-02"):
        assert float(n[f"{missile} apogee (km)"]) < 40.0
        assert n[f"{missile} time in band (s)"] == 0.0
        assert n[f"{missile} engageable from the battery"] == "no"
    assert float(n["scud-b apogee (km)"]) > 40.0
    assert float(n["scud-b time in band (s)"]) > 60.0
    assert n["scud-b engageable from the battery"] == "no"
    assert float(n["scud-b nearest in-band point to the battery (km)"]) > 200.0
    assert float(n["battery to Seoul (km)"]) == pytest.approx(202, abs=3)
    assert n["thaad greatest ground range (km)"] == 200.0
    assert claims[1].verdict == "supported"


def test_claim_2_forward_based_mode_sees_far_more_of_china(claims: dict[int, Claim]) -> None:
    n = claims[2].numbers
    tag = "missile body in midcourse (1 m^2 at 300 km): share of China (%)"
    terminal, forward = float(n[f"terminal, {tag}"]), float(n[f"forward-based, {tag}"])
    assert forward > terminal
    assert terminal < 1.0 and forward > 10.0
    assert claims[2].verdict == "partly supported"


def test_claim_3_curve_falls_with_raid_size(claims: dict[int, Claim]) -> None:
    n = claims[3].numbers
    inventory = int(float(n["upper-tier inventory (interceptors)"]))
    assert inventory == 48
    curve = saturation_curve(float(n["single-shot kill probability"]), (1, 1), inventory,
                             2 * inventory)
    assert np.all(np.diff(curve) <= 1e-12) and curve[0] > curve[inventory // 2] > curve[-1]
    assert float(n["P(no leak), raid of 1"]) > float(n[f"P(no leak), raid of {inventory}"])
    # shoot-look-shoot fires one interceptor first at every threat: the 49th gets none
    assert n["smallest raid that must leak (inventory)"] == float(inventory + 1)
    assert n["run: P(no leak)"] == 1.0  # one Scud-C, three trials: always intercepted here


def test_inventory_model_reduces_to_the_binomial_model() -> None:
    """Plenty of interceptors: (1 - q^k)^N (Wilkening 2000); salvo-2 with 10 interceptors
    covers 5 threats, and a 6th gets nothing."""
    p = 0.8
    for n in (1, 5, 20):
        assert p_no_leak_with_inventory(p, (2,), 1000, n) == pytest.approx(
            binomial_p_no_leak(p, 2, n), rel=1e-12)
        assert p_no_leak_with_inventory(p, (1, 1), 1000, n) == pytest.approx(
            binomial_p_no_leak(p, 2, n), rel=1e-12)
        assert p_no_leak_with_inventory(p, (2, 1), 1000, n) == pytest.approx(
            binomial_p_no_leak(p, 3, n), rel=1e-12)
    assert p_no_leak_with_inventory(p, (2,), 10, 5) == pytest.approx(binomial_p_no_leak(p, 2, 5))
    assert p_no_leak_with_inventory(p, (2,), 10, 6) == 0.0
    # 11 interceptors: the 6th threat gets the one left over
    assert p_no_leak_with_inventory(p, (2,), 11, 6) == pytest.approx(
        binomial_p_no_leak(p, 2, 5) * p)


def test_inventory_model_matches_a_direct_monte_carlo() -> None:
    """Shoot-look-shoot, p = 0.7, 12 interceptors, 8 threats: 8 first shots, then the 4 left
    go at the survivors; simulated directly, 200,000 raids, within 4 sigma."""
    p, inventory, n, trials = 0.7, 12, 8, 200_000
    rng = np.random.default_rng(3)
    survive = rng.random((trials, n)) > p
    m = survive.sum(axis=1)
    second = rng.random((trials, n)) > p  # a second shot misses
    left = inventory - n
    # no leak: every survivor gets a second shot and none of those misses
    rank = np.cumsum(survive, axis=1)
    missed_again = (survive & second & (rank <= left)).any(axis=1)
    ok = (m <= left) & ~missed_again
    expected = p_no_leak_with_inventory(p, (1, 1), inventory, n)
    sigma = np.sqrt(expected * (1 - expected) / trials)
    assert abs(ok.mean() - expected) < 4 * sigma, (ok.mean(), expected)


def test_claim_4_time_in_band_by_class(claims: dict[int, Claim]) -> None:
    n = claims[4].numbers
    assert n["mrl-240 60 km: time in band (s)"] == 0.0
    assert n["mrl-240 60 km: engageable (share of trials)"] == 0.0
    assert float(n["scud-b 300 km: time in band (s)"]) > 120.0
    assert n["scud-b 300 km: engageable (share of trials)"] == 1.0
    assert n["nodong 1,000 km: class"] == "MRBM"
    run_keys = [k for k in n if "(run)" in k and k.endswith("time in band (s)")]
    assert run_keys and float(n[run_keys[0]]) > 0.0
    kn23 = float(n["kn-23 450 km depressed: apogee (km)"])
    assert 40.0 < kn23 < 70.0  # the reported flattened profile, ~50-60 km
    assert claims[4].verdict == "partly supported"


def test_claim_5_uses_the_catalog_cost(claims: dict[int, Claim], run: RunOutput) -> None:
    n = claims[5].numbers
    thaad = get_interceptor("thaad").cost_usd
    assert thaad == 19.7e6
    assert n["thaad interceptor unit cost (USD)"] == thaad
    per_kill = float(n["run: interceptors per threat stopped"])
    assert per_kill == pytest.approx(run.result.interceptors_used / (
        (run.result.threats["outcome"] == "intercepted").sum() / run.trials))
    scud_c = cost_catalog().missiles["scud-c"].value
    assert n["scud-c unit cost (USD)"] == scud_c
    assert float(n["scud-c: defender/attacker cost ratio (run)"]) == pytest.approx(
        per_kill * thaad / scud_c, rel=1e-2)
    assert claims[5].verdict == "supported"


def test_interceptors_per_kill_closed_forms() -> None:
    p, q = 0.85, 0.15
    assert interceptors_per_kill(p, (1,)) == pytest.approx(1 / p)
    assert interceptors_per_kill(p, (2,)) == pytest.approx(2 / (1 - q**2))
    assert interceptors_per_kill(p, (1, 1)) == pytest.approx((1 + q) / (1 - q**2))
    assert interceptors_per_kill(p, (2, 1)) == pytest.approx((2 + q**2) / (1 - q**3))


def test_cost_catalog_has_a_provenance_for_every_figure() -> None:
    costs = cost_catalog()
    for slug, fig in {**costs.missiles, **costs.context}.items():
        assert fig.provenance, slug
        assert fig.low is not None and fig.high is not None, slug
        assert fig.low <= fig.value <= fig.high, slug
    assert "thaad-battery" in costs.context


def test_cost_catalog_refuses_a_figure_without_source(tmp_path: Path) -> None:
    bad = tmp_path / "costs.yaml"
    bad.write_text("missiles:\n  scud-b: {value: 1000000}\ncontext: {}\n")
    with pytest.raises(CatalogError, match="scud-b"):
        load_costs(bad)
