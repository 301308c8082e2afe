"""The engagement: outcomes that must follow from the physics, and the binomial model.

References: the 40-150 km band and THAAD's reach (USCC 2016; the interceptor catalog);
the binomial model of defense effectiveness, P(no leak) = (1 - (1 - p)^k)^N (Wilkening,
Science & Global Security 8 (2000) 183-215), against which the Monte Carlo estimate must lie
within its 99.7% binomial confidence interval (3 sigma) when the model's assumptions
(perfect tracking, independent shots, enough interceptors, channels and time) are set.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable

import numpy as np
import pytest
from typer.testing import CliRunner

from thaadsim.cli import app
from thaadsim.engagement import (
    DefendedAsset,
    Defense,
    RaidThreat,
    binomial_p_no_leak,
    simulate,
)
from thaadsim.physics.geodesy import geodesic_direct, geodesic_inverse
from thaadsim.systems.catalog import Site, get_missile, get_radar, get_site
from thaadsim.systems.fire_control import get_battery
from thaadsim.systems.sensors import Sensor

TERMINAL = get_radar("terminal").radar
SCUD_C = get_missile("scud-c")

runner = CliRunner()
SEONGJU = get_site("seongju")
SEOUL = get_site("seoul")
THAAD = get_battery("seongju")


def defense_at(lat: float, lon: float, launch: tuple[float, float], asset: tuple[float, float],
               **kw) -> Defense:  # type: ignore[no-untyped-def]
    """A THAAD battery (Seongju's figures) at (lat, lon), its radar facing the launch."""
    site = Site(slug="test-site", name="test site", lat_deg=lat, lon_deg=lon, alt_m=100.0,
                figures={})
    battery = dataclasses.replace(THAAD, site=site, slug="test")
    _, bearing, _ = geodesic_inverse(lat, lon, *launch)
    extra = {k: kw.pop(k) for k in list(kw) if k in ("fire_channels", "inventory_limit")}
    battery = dataclasses.replace(battery, **extra)
    return Defense(batteries=(battery,), sensors=(Sensor(name="radar", radar=TERMINAL,
                                  emplacement=site.emplacement(float(bearing) % 360.0)),),
                   assets=(DefendedAsset(name="asset", lat_deg=asset[0], lon_deg=asset[1],
                                         radius_m=20e3),), **kw)


def one(missile: str, launch: tuple[float, float], aim: tuple[float, float],
        battery: tuple[float, float] | None = None, trials: int = 20, **kw):  # type: ignore[no-untyped-def]
    bat = battery or (SEONGJU.lat_deg, SEONGJU.lon_deg)
    threat = RaidThreat(missile=get_missile(missile), launch_lat_deg=launch[0],
                        launch_lon_deg=launch[1],
                        aim_lat_deg=aim[0], aim_lon_deg=aim[1])
    return simulate([threat], defense_at(*bat, launch, aim, **kw), trials=trials, seed=1)


def test_artillery_at_seoul_never_enters_the_band() -> None:
    """A 240 mm rocket from north of the DMZ at Seoul flies far below 40 km."""
    res = one("mrl-240", (38.0, 126.8), (SEOUL.lat_deg, SEOUL.lon_deg),
              battery=(SEOUL.lat_deg - 0.3, SEOUL.lon_deg))
    assert not res.threats["engageable"].any()
    assert set(res.threats["reason"]) == {"never entered the intercept band"}


def test_kn02_is_not_engageable() -> None:
    res = one("kn-02", (37.97, 126.55), (SEOUL.lat_deg, SEOUL.lon_deg),
              battery=(SEOUL.lat_deg - 0.3, SEOUL.lon_deg))
    assert not res.threats["engageable"].any()
    assert set(res.threats["reason"]) == {"never entered the intercept band"}


def test_scud_b_at_300_km_is_engageable() -> None:
    lat, lon, _ = geodesic_direct(SEONGJU.lat_deg, SEONGJU.lon_deg, 330.0, 300e3)
    res = one("scud-b", (float(lat), float(lon)), (SEONGJU.lat_deg, SEONGJU.lon_deg))
    assert res.threats["engageable"].all()
    alt = res.shots["intercept_alt_m"]
    assert alt.size and np.all((alt >= 40e3) & (alt <= 150e3))


def test_nodong_at_full_range_is_engageable() -> None:
    """1,300 km from the west coast of North Korea, a battery 30 km from the aim point."""
    launch = (39.5, 124.8)
    lat, lon, _ = geodesic_direct(*launch, 135.0, 1280e3)
    aim = (float(lat), float(lon))
    blat, blon, _ = geodesic_direct(*aim, 315.0, 30e3)
    res = one("nodong", launch, aim, battery=(float(blat), float(blon)))
    assert res.threats["engageable"].mean() > 0.9


def test_monte_carlo_agrees_with_the_binomial_model() -> None:
    """Perfect tracking, SSPK 0.7, salvo-2, 10 threats, 2,000 trials: within 3 sigma."""
    n, trials, p = 10, 2000, 0.7
    lat, lon, _ = geodesic_direct(SEONGJU.lat_deg, SEONGJU.lon_deg, 330.0, 350e3)
    launch, aim = (float(lat), float(lon)), (SEONGJU.lat_deg, SEONGJU.lon_deg)
    defense = defense_at(SEONGJU.lat_deg, SEONGJU.lon_deg, launch, aim, doctrine="salvo-2",
                         sspk=p, perfect_tracking=True, fire_channels=40)
    threat = RaidThreat(missile=SCUD_C, launch_lat_deg=launch[0], launch_lon_deg=launch[1],
                        aim_lat_deg=aim[0], aim_lon_deg=aim[1])
    res = simulate([threat] * n, defense, trials=trials, seed=7)
    assert res.interceptors_used == 2 * n
    expected = binomial_p_no_leak(p, 2, n)
    half = 3.0 * np.sqrt(expected * (1 - expected) / trials)
    assert abs(res.p_no_leak - expected) <= half, (res.p_no_leak, expected)


def test_shoot_look_shoot_saves_interceptors_for_the_same_leakage() -> None:
    """One Scud-C with three shot opportunities: SLS leaks as rarely as salvo-2 (within
    Monte Carlo error) but fires ~1 + (1 - p) interceptors instead of 2."""
    lat, lon, _ = geodesic_direct(SEONGJU.lat_deg, SEONGJU.lon_deg, 330.0, 400e3)
    launch, aim = (float(lat), float(lon)), (SEONGJU.lat_deg, SEONGJU.lon_deg)
    runs = {d: one("scud-c", launch, aim, trials=600, doctrine=d, perfect_tracking=True)
            for d in ("shoot-look-shoot", "salvo-2")}
    sls, salvo = runs["shoot-look-shoot"], runs["salvo-2"]
    assert sls.threats["shot_opportunities"].min() >= 2
    assert sls.interceptors_used < salvo.interceptors_used - 0.5
    assert abs(sls.p_no_leak - salvo.p_no_leak) < 0.03


def test_inventory_exhaustion_is_a_reason() -> None:
    lat, lon, _ = geodesic_direct(SEONGJU.lat_deg, SEONGJU.lon_deg, 330.0, 350e3)
    launch, aim = (float(lat), float(lon)), (SEONGJU.lat_deg, SEONGJU.lon_deg)
    defense = defense_at(SEONGJU.lat_deg, SEONGJU.lon_deg, launch, aim, doctrine="salvo-1",
                         inventory_limit=4, perfect_tracking=True)
    threat = RaidThreat(missile=SCUD_C, launch_lat_deg=launch[0], launch_lon_deg=launch[1],
                        aim_lat_deg=aim[0], aim_lon_deg=aim[1])
    res = simulate([threat] * 8, defense, trials=5, seed=0)
    assert res.interceptors_used == 4
    reasons = res.per_trial("reason")
    assert np.all((reasons == "inventory exhausted").sum(axis=1) == 4)


def test_fire_channel_saturation_is_a_reason() -> None:
    lat, lon, _ = geodesic_direct(SEONGJU.lat_deg, SEONGJU.lon_deg, 330.0, 350e3)
    launch, aim = (float(lat), float(lon)), (SEONGJU.lat_deg, SEONGJU.lon_deg)
    defense = defense_at(SEONGJU.lat_deg, SEONGJU.lon_deg, launch, aim, doctrine="salvo-1",
                         fire_channels=1, perfect_tracking=True)
    threat = RaidThreat(missile=SCUD_C, launch_lat_deg=launch[0], launch_lon_deg=launch[1],
                        aim_lat_deg=aim[0], aim_lon_deg=aim[1])
    res = simulate([threat] * 30, defense, trials=3, seed=0)
    assert "fire channels saturated" in set(res.threats["reason"])
    # one channel: no two shots in flight at once
    s = res.shots
    for trial in range(3):
        sel = s["trial"] == trial
        order = np.argsort(s["launch_s"][sel])
        assert np.all(s["launch_s"][sel][order][1:] >= s["intercept_s"][sel][order][:-1] - 1e-6)


def test_threats_aimed_away_are_not_engaged() -> None:
    lat, lon, _ = geodesic_direct(SEONGJU.lat_deg, SEONGJU.lon_deg, 330.0, 350e3)
    launch = (float(lat), float(lon))
    away = geodesic_direct(SEONGJU.lat_deg, SEONGJU.lon_deg, 90.0, 80e3)[:2]
    threat = RaidThreat(missile=SCUD_C, launch_lat_deg=launch[0], launch_lon_deg=launch[1],
                        aim_lat_deg=float(away[0]), aim_lon_deg=float(away[1]))
    defense = defense_at(SEONGJU.lat_deg, SEONGJU.lon_deg, launch,
                         (SEONGJU.lat_deg, SEONGJU.lon_deg))
    res = simulate([threat], defense, trials=5, seed=0)
    assert set(res.threats["reason"]) == {"aimed away from the defended assets"}
    assert res.p_no_leak == 1.0 and res.interceptors_used == 0
    res_all = simulate([threat], dataclasses.replace(defense, engage_all=True), trials=5, seed=0)
    assert res_all.interceptors_used > 0


def test_same_seed_same_result() -> None:
    a = one("scud-c", (39.02, 125.74), (SEONGJU.lat_deg, SEONGJU.lon_deg), trials=10)
    b = one("scud-c", (39.02, 125.74), (SEONGJU.lat_deg, SEONGJU.lon_deg), trials=10)
    # the same columns, and shots to compare (a run that fired nothing would compare nothing)
    assert set(a.threats) == set(b.threats) and set(a.shots) == set(b.shots)
    assert len(a.threats["trial"]) == 10 and len(a.shots["trial"]) > 0
    for key in a.threats:
        np.testing.assert_array_equal(a.threats[key], b.threats[key])
    for key in a.shots:
        np.testing.assert_array_equal(a.shots[key], b.shots[key])


def test_engage_command_json() -> None:
    res = runner.invoke(app, ["engage", "--missile", "scud-c", "--from", "pyongyang", "--to",
                              "seongju", "--trials", "50", "--json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    for key in ("outcome", "reason", "engageable", "shot_opportunities", "first_launch_s",
                "intercept_alt_km", "p_kill"):
        assert key in d
    assert d["engageable"] and 40 <= d["intercept_alt_km"] <= 150 and d["p_kill"] > 0.5


@pytest.mark.slow  # a 200-trial raid of four
def test_raid_command_json_has_both_estimates() -> None:
    res = runner.invoke(app, ["raid", "--missile", "scud-c", "--count", "4", "--from",
                              "pyongyang", "--to", "seongju", "--trials", "200", "--json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    for key in ("p_no_leak", "expected_leakers", "interceptors_used", "analytic_p_no_leak"):
        assert key in d
    assert abs(d["p_no_leak"] - d["analytic_p_no_leak"]) < 0.15


@pytest.mark.parametrize(("args", "message"), [
    (["engage", "--doctrine", "salvo-9"], "doctrine: unknown 'salvo-9'"),
    (["engage", "--battery-site", "atlantis"], "unknown slug 'atlantis'"),
    (["engage", "--trials", "0"], "trials"),
    (["raid", "--sspk", "1.5"], "--sspk: 1.5 is out of range; allowed: a number from 0 to 1"),
    (["raid", "--count", "0"], "--count"),
    (["raid", "--inventory", "0"], "--inventory"),
    (["raid", "--missile", "scud-z"], "unknown slug 'scud-z'"),
])
def test_bad_input_is_one_line_and_exit_2(args: list[str], message: str,
                                          cli_error: Callable[..., str]) -> None:
    assert message in cli_error(*args)
