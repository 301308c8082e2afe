"""Saturation curve (thaadsim.studies.raid): the Monte Carlo against the closed form.

Reference: the binomial model of defense effectiveness (Wilkening, Science & Global
Security 8 (2000) 183-215) with a finite magazine
(:func:`thaadsim.studies.claims.p_no_leak_with_inventory`). Under its assumptions
(perfect tracking, independent shots of one kill probability, enough fire channels and
time) the Monte Carlo estimate must fall within its own 99.7% (z = 3) Wilson interval of
the closed form at every raid size.
"""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from thaadsim.commands import place, raid_curve_command_data
from thaadsim.engagement import RaidThreat
from thaadsim.errors import InputError
from thaadsim.studies.raid import default_counts, raid_curve, standard_defense, wilson_interval
from thaadsim.systems.catalog import get_missile

LAUNCH = place("pyongyang", "--from")
AIM = place("seongju", "--to")
THREAT = RaidThreat(missile=get_missile("scud-c"), launch_lat_deg=LAUNCH[0],
                    launch_lon_deg=LAUNCH[1],
                    aim_lat_deg=AIM[0], aim_lon_deg=AIM[1])


def _defense(doctrine: str, inventory: int | None = None, sspk: float = 0.8):
    return standard_defense("seongju", doctrine, AIM, LAUNCH, inventory=inventory,
                            fire_channels=100, sspk=sspk, perfect_tracking=True)


@pytest.mark.parametrize("doctrine", ["shoot-look-shoot", "salvo-2"])
def test_monte_carlo_within_its_band_of_the_closed_form(doctrine: str) -> None:
    trials = 400
    curve = raid_curve(THREAT, _defense(doctrine), 24, trials=trials, seed=3,
                       counts=(1, 2, 4, 8, 16, 24))
    assert list(curve.count) == [1, 2, 4, 8, 16, 24]
    # every shot under perfect tracking has the catalog's kill probability times the
    # override: exactly the sspk given
    np.testing.assert_allclose(curve.p_kill_per_shot, 0.8, atol=1e-9)
    assert curve.volleys == ((1, 1) if doctrine == "shoot-look-shoot" else (2,))
    low, high = wilson_interval(curve.p_no_leak, trials, z=3.0)
    inside = (curve.analytic_p_no_leak >= low) & (curve.analytic_p_no_leak <= high)
    assert inside.all(), (curve.p_no_leak, curve.analytic_p_no_leak)
    # the closed form without the magazine limit (48 >= 24 x 2 here): (1 - 0.2^2)^N
    np.testing.assert_allclose(curve.analytic_p_no_leak, 0.96 ** curve.count, rtol=1e-12)
    # P(no leak) falls with raid size (common random numbers: exactly, up to noise slack)
    assert np.all(np.diff(curve.analytic_p_no_leak) < 0)
    assert np.all(np.diff(curve.p_no_leak) <= 0.02)
    assert curve.p_no_leak[-1] < curve.p_no_leak[0]
    # 0.96^17 = 0.4996: the closed form saturates at 17; the Monte Carlo on its grid at 16
    # or 24 (0.96^16 = 0.52, 0.96^24 = 0.38): the first size run below one half
    assert curve.analytic_saturation_count == 17
    first_below = [int(n) for n, p in zip(curve.count, curve.p_no_leak, strict=True) if p < 0.5]
    assert curve.saturation_count == (first_below[0] if first_below else None)
    assert curve.saturation_count in (16, 24)
    # 95% band brackets the estimate
    assert np.all(curve.p_no_leak_ci_low <= curve.p_no_leak)
    assert np.all(curve.p_no_leak <= curve.p_no_leak_ci_high)


def test_finite_inventory_empties_the_curve() -> None:
    # salvo-2 and 10 interceptors: five threats get their two each; a sixth gets none
    curve = raid_curve(THREAT, _defense("salvo-2", inventory=10, sspk=0.9), 8, trials=200,
                       seed=1)
    assert list(curve.count) == list(range(1, 9))
    over = curve.count * 2 > 10
    assert np.all(curve.p_no_leak[over] == 0.0)
    assert np.all(curve.analytic_p_no_leak[over] == 0.0)
    assert np.all(curve.p_no_leak[~over] > 0.5)
    assert np.all(curve.analytic_p_no_leak[~over] > 0.9)
    assert curve.saturation_count == 6
    assert curve.analytic_saturation_count == 6
    assert np.all(curve.interceptors_used[over] == 10.0)
    assert "inventory exhausted" in curve.leak_reasons[5]
    # a sixth threat unengaged leaks for sure; the others at 1 - (1 - 0.99)^... rate
    assert curve.expected_leakers[5] >= 1.0


def test_refine_bisects_to_adjacent_sizes() -> None:
    curve = raid_curve(THREAT, _defense("salvo-2", inventory=10, sspk=0.9), 16, trials=50,
                       seed=1, refine=True)
    assert curve.saturation_count == 6
    assert 5 in curve.count and 6 in curve.count


def test_outputs_written(tmp_path) -> None:
    data = raid_curve_command_data(
        "scud-c", "pyongyang", "seongju", 8, doctrine="salvo-2", inventory=12,
        fire_channels=100, sspk=0.85, perfect_tracking=True, trials=50, seed=0,
        csv_path=tmp_path / "curve.csv", plot_path=tmp_path / "curve.png")
    text = json.dumps(data, allow_nan=False)
    assert json.loads(text)["inventory"] == 12
    assert data["sspk"] == 0.85 and data["sspk_source"] == "--sspk"
    assert data["saturation_count"] is not None
    with open(tmp_path / "curve.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [int(r["count"]) for r in rows] == list(range(1, 9))
    assert {"p_no_leak", "p_no_leak_ci_low", "p_no_leak_ci_high", "expected_leakers",
            "interceptors_used", "analytic_p_no_leak"} <= set(rows[0])
    png = (tmp_path / "curve.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000


def test_default_counts_and_errors() -> None:
    assert list(default_counts(48)) == [1, 2, 4, 8, 16, 32, 48]
    assert list(default_counts(5)) == [1, 2, 3, 4, 5]
    grid = default_counts(500)
    assert grid[0] == 1 and grid[-1] == 500 and grid.size <= 8
    with pytest.raises(InputError, match="max_count"):
        raid_curve(THREAT, _defense("salvo-2"), 0)
    with pytest.raises(InputError, match="counts"):
        raid_curve(THREAT, _defense("salvo-2"), 4, counts=[8])
    with pytest.raises(InputError, match="--from"):
        place("nowhere", "--from")
