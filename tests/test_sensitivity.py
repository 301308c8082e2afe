"""Sobol sensitivity (thaadsim.studies.sensitivity).

References: the radar equation (Skolnik, Introduction to Radar Systems, 3rd ed. 2001,
eq. 2.62): the search detection range goes as (P_av sigma / L)^(1/4) and depends on
nothing else varied here, so a log-uniform cross-section over two decades must dominate
the +-3 dB of power, and a parameter the output ignores (a battery's reaction time, the
`dummy`) must get indices of zero within their confidence intervals (SALib's convention
for a noise floor; Saltelli et al., Comput. Phys. Commun. 181 (2010) 259).
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from thaadsim.commands import sensitivity_command_data
from thaadsim.errors import InputError
from thaadsim.scenario import load_scenario
from thaadsim.studies.sensitivity import parameter, sobol_indices


def test_detection_range_hangs_on_rcs_and_power() -> None:
    res = sobol_indices("detection_range", "korea-2017", samples=256, seed=1,
                        params=["rcs_m2", "average_power_w", "reaction_s", "dummy"])
    idx = {n: i for i, n in enumerate(res.names)}
    assert res.ranking()[:2] == ["rcs_m2", "average_power_w"]
    # in logarithms the range is additive: ln R = (ln sigma + ln P)/4 + const, so the
    # shares follow the variances of ln sigma (ln 100)^2/12 and ln P (ln 4)^2/12: ~0.92 and
    # ~0.08 (the exponential bends them a little)
    assert 0.75 < res.s1[idx["rcs_m2"]] < 1.0
    assert 0.02 < res.st[idx["average_power_w"]] < 0.25
    for name in ("reaction_s", "dummy"):
        i = idx[name]
        assert abs(res.s1[i]) <= res.s1_conf[i] + 1e-9
        assert abs(res.st[i]) <= res.st_conf[i] + 1e-9
    # the range equation's own numbers: 0.1 m^2 at catalog power is the midpoint in logs
    assert 100 < res.output_min < res.output_mean < res.output_max < 1000


@pytest.mark.slow  # a sensitivity study of Monte Carlo engagements (4 samples x 5 runs x 20 trials)
def test_engagement_output_and_json(tmp_path) -> None:
    data = sensitivity_command_data("saturation", "expected_leakers", samples=4, seed=0,
                                    params=["sspk", "fire_channels", "dummy"], trials=20,
                                    pool=2, plot_path=tmp_path / "s.png")
    text = json.dumps(data, allow_nan=False)
    back = json.loads(text)
    assert back["runs"] == 4 * (3 + 2)
    assert [p["name"] for p in back["parameters"]] == ["sspk", "fire_channels", "dummy"]
    sspk = back["parameters"][0]
    assert (sspk["low"], sspk["high"]) == (0.7, 0.95)
    assert "catalog" in sspk["range_basis"]
    # common random numbers: a run that differs from another only in the dummy gives the
    # same output, so the dummy's indices are exactly zero
    dummy = back["parameters"][2]
    assert dummy["S1"] == 0.0 and dummy["ST"] == 0.0
    assert back["output_max"] > back["output_min"]
    png = (tmp_path / "s.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_parameter_ranges_and_errors() -> None:
    defense = load_scenario("saturation").to_run_kwargs()["defense"]
    p = parameter("rcs_m2", defense)
    assert p.log and (p.low, p.high) == (0.01, 1.0)
    u = np.array([0.0, 0.5, 1.0])
    np.testing.assert_allclose(p.from_unit(u), [0.01, 0.1, 1.0])
    power = parameter("average_power_w", defense)
    assert math.isclose(power.high / power.low, 10 ** 0.6)
    ch = parameter("fire_channels", defense)
    assert ch.integer and set(ch.from_unit(np.linspace(0, 1, 7))) <= set(range(4, 17))
    assert parameter("launchers", defense).low == 2.0  # the catalog's low
    with pytest.raises(InputError, match="parameter"):
        parameter("warp_factor", defense)
    with pytest.raises(InputError, match="output"):
        sobol_indices("beauty", "saturation")
    with pytest.raises(InputError, match="samples"):
        sobol_indices("detection_range", "saturation", samples=10)
    with pytest.raises(InputError, match="params"):
        sobol_indices("detection_range", "saturation", params=["rcs_m2"])


def test_radar_levels_change_the_radar_itself() -> None:
    # the radar parameters of a run are applied to every sensor's Radar and the threats'
    # rcs (dataclasses.replace), not imitated by the cross-section: a run at +3 dB of power
    # has twice the power (10^(6 x 0.5 / 10) = 2.0 to the 0.5 dB grid: 1.995), the same
    # losses, and every threat keeps its own rcs when rcs is not varied
    from thaadsim.studies.sensitivity import _at_levels, _radar_levels

    kw = load_scenario("saturation").to_run_kwargs()
    raid, defense = kw["raid"][:2], kw["defense"]
    p0 = defense.sensors[0].radar.average_power_w
    values = {"average_power_w": np.array([p0, 2.0 * p0]),
              "losses_db": np.array([defense.sensors[0].radar.losses_db] * 2)}
    levels = _radar_levels(values, defense, 2)
    nominal, raid0 = _at_levels(levels[0], defense, raid)
    assert nominal == defense and raid0 == list(raid)
    doubled, raid1 = _at_levels(levels[1], defense, raid)
    assert doubled.sensors[0].radar.average_power_w == pytest.approx(2.0 * p0, rel=0.01)
    assert doubled.sensors[0].radar.losses_db == defense.sensors[0].radar.losses_db
    assert [th.rcs_m2 for th in raid1] == [th.rcs_m2 for th in raid]


@pytest.mark.slow  # a sensitivity study of footprints
def test_footprint_area_output_and_json() -> None:
    # the footprint hangs on the firm-track time (radar) and the shot timing (reaction);
    # the estimate is deterministic, so runs that differ only in the dummy give the same
    # area and its indices are exactly zero
    data = sensitivity_command_data("saturation", "footprint_area", samples=4, seed=0)
    back = json.loads(json.dumps(data, allow_nan=False))
    names = [p["name"] for p in back["parameters"]]
    assert names == ["rcs_m2", "average_power_w", "reaction_s", "dummy"]
    assert back["unit"] == "km^2" and back["runs"] == 4 * (4 + 2)
    for p in back["parameters"]:
        for key in ("S1", "S1_conf", "ST", "ST_conf"):
            assert p[key] is not None and math.isfinite(p[key])
    dummy = back["parameters"][3]
    assert dummy["S1"] == 0.0 and dummy["ST"] == 0.0
    settings = back["settings"]
    assert settings["grid_km"] == 25.0 and settings["min_shots"] == 1
    assert settings["footprint_missile"] == "scud-c" and "sspk" in settings["not_varied"]
    # a THAAD battery defends ~1e5 km^2 against a Scud-C (test_footprint's scale)
    assert 5e4 < back["output_min"] <= back["output_max"] < 3e5

    res = sobol_indices("footprint_area", "saturation", samples=8, seed=1, min_shots=2,
                        params=["reaction_s", "kill_assessment_s", "dummy"])
    assert res.output_max > res.output_min
    assert np.all(np.isfinite(res.s1)) and np.all(np.isfinite(res.st))
    assert res.st[0] > 0.05 and res.st[1] > 0.05
    assert res.s1[2] == 0.0 and res.st[2] == 0.0
    with pytest.raises(InputError, match="footprint"):
        sobol_indices("footprint_area", "saturation", samples=4, params=["sspk", "dummy"])
    with pytest.raises(InputError, match="min_shots"):
        sobol_indices("footprint_area", "saturation", samples=4, min_shots=3)


@pytest.mark.slow  # footprints computed twice
def test_footprint_runs_equal_defended_footprint() -> None:
    # the shared flights and geometry give, at a run's values, the area of a footprint
    # computed from scratch with the battery changed the same way
    import dataclasses

    from thaadsim.studies.footprint import defended_footprint
    from thaadsim.studies.sensitivity import _footprint_area, _raid_and_defense

    _, defense, _, first = _raid_and_defense("saturation")
    assert first is not None
    values = {"reaction_s": np.array([10.0, 20.0]), "rcs_m2": np.array([0.1, 0.01])}
    areas, _ = _footprint_area(values, first, defense, 2, 25.0, 1)
    for j in range(2):
        bat = dataclasses.replace(defense.batteries[0], reaction_s=float(values["reaction_s"][j]))
        fp = defended_footprint(bat, first.missile, first.launch_lat_deg, first.launch_lon_deg,
                                grid_km=25.0, sensors=defense.sensors,
                                network_latency_s=defense.network_latency_s,
                                rcs_m2=float(values["rcs_m2"][j]))
        assert math.isclose(areas[j], fp.area_km2, rel_tol=1e-12)


def test_network_latency_is_sampled_within_its_range_and_reaches_the_engine() -> None:
    """Issue 15 notes: the network latency (data/network.yaml: 3 s, an assumption with the
    range 1-10 s) is varied like the other assumptions. Every sampled value lies in
    1-10 s, and it reaches the engine: with a battery whose only sensor is a remote one,
    the prepared best track reaches the battery exactly the run's latency after the
    sensor's firm track (engagement.best_tracks), one preparation per 0.5 s step."""
    import dataclasses

    from thaadsim.studies.sensitivity import LATENCY_STEP_S, _study

    kw = load_scenario("saturation").to_run_kwargs()
    raid, defense = kw["raid"][:1], kw["defense"]
    remote = dataclasses.replace(defense.sensors[0], name="remote", battery=None)
    defense = dataclasses.replace(defense, sensors=(remote,))
    p = parameter("network_latency_s", defense)
    assert (p.low, p.high, p.nominal) == (1.0, 10.0, 3.0) and not p.log
    assert "network.yaml" in p.basis
    study = _study("p_no_leak", (raid, defense), samples=4,
                   params=["network_latency_s", "dummy"], trials=4, pool=2, grid_km=25.0,
                   min_shots=1)
    latency = study.values(0)["network_latency_s"]
    assert latency.min() >= 1.0 and latency.max() <= 10.0 and np.ptp(latency) > 3.0
    model = study.model(0)
    used = sorted(sub.defense.network_latency_s for sub in model.subsets)
    assert used == sorted(set(np.rint(latency / LATENCY_STEP_S) * LATENCY_STEP_S))
    for sub in model.subsets:
        delay = sub.battery_firm_s[0] - sub.sensor_firm_track_s[0]
        seen = np.isfinite(delay)
        assert seen.any()
        np.testing.assert_allclose(delay[seen], sub.defense.network_latency_s, atol=1e-9)
    # each run's engagement gets its own latency
    for j in range(len(latency)):
        assert model.subsets[model.which[j]].defense.network_latency_s == pytest.approx(
            latency[j], abs=LATENCY_STEP_S / 2)
