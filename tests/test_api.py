"""The notebook API (``import thaadsim as ts``): objects in, typed results out; changed
objects change the results in the physical direction; wrong types are one clear error;
the docstrings' examples run."""

from __future__ import annotations

import dataclasses
import doctest
import math
import subprocess
import sys

import numpy as np
import pytest
from kepler_reference import R_SPHERE_M, bmw_free_flight_range_angle

import thaadsim as ts
from thaadsim import api
from thaadsim.errors import InputError, UnreachableError

PYONGYANG = (39.039, 125.763)
SEONGJU = (36.05, 128.22)


def test_import_is_lazy_and_every_export_resolves():
    """`import thaadsim` pulls in neither the API nor NumPy (the CLI's start time), and
    every name of ``__all__`` is there on first use."""
    code = ("import sys, thaadsim; heavy = [m for m in ('thaadsim.api', 'numpy', "
            "'thaadsim.engagement') if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]"
    for name in ts.__all__:
        assert getattr(ts, name) is not None, name
    assert set(ts.__all__) <= set(dir(ts))
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = ts.nope  # noqa: B018


def test_getters_return_the_objects_the_engine_takes():
    assert isinstance(ts.get_missile("scud-c"), ts.Missile)
    assert isinstance(ts.get_radar("terminal"), ts.Radar)
    assert ts.get_radar("forward-based").mode == "forward-based"
    assert isinstance(ts.get_interceptor("thaad"), ts.Interceptor)
    assert isinstance(ts.get_site("seongju"), ts.Site)
    assert isinstance(ts.get_battery("seongju"), ts.Battery)
    assert isinstance(ts.get_site("seongju").emplacement(330.0), ts.Emplacement)


@pytest.mark.parametrize(("call", "message"), [
    (lambda: ts.engage([], "seongju"),
     "defense: a str is not a Defense; build one with ts.Defense"),
    (lambda: ts.fly("scud-c", PYONGYANG, SEONGJU),
     "missile: a str is not a Missile; build one with ts.get_missile"),
    (lambda: ts.fly(ts.get_missile("scud-c"), "pyongyang", SEONGJU),
     r"launch: a str is not a place; give a Site \(ts.get_site"),
    (lambda: ts.raid(ts.get_missile("scud-c"), 2, PYONGYANG, (95.0, 128.0)),
     "aim latitude"),
    (lambda: ts.footprint("seongju", ts.get_missile("scud-c"), PYONGYANG),
     "battery: a str is not a Battery; build one with ts.get_battery"),
    (lambda: ts.coverage("seongju"), "sensor: a str is not a Sensor; build one with"),
    (lambda: ts.fly_burnout(3.0, 0.0), "never climbs"),
])
def test_a_wrong_argument_is_one_input_error_naming_it(call, message):
    with pytest.raises(InputError, match=message):
        call()


def test_burnout_flight_matches_keplers_range_in_a_vacuum_over_a_sphere():
    """Bate, Mueller & White (1971) eq. 6.2-12: the free-flight range angle of a symmetric
    trajectory; the propagator's range within 0.1% (its step and the impact search)."""
    f = ts.fly_burnout(3.0, 45.0, drag=False, rotating=False, earth="sphere")
    psi = bmw_free_flight_range_angle(R_SPHERE_M, 3000.0, 45.0)
    assert f.range_km == pytest.approx(R_SPHERE_M * psi / 1e3, rel=1e-3)
    frame = f.to_frame()
    assert frame["alt_km"].max() == pytest.approx(f.apogee_km, rel=1e-3)
    assert frame["t_s"].is_monotonic_increasing and f.missile is None


def test_a_lighter_payload_flies_farther():
    """The rocket equation: a smaller final mass gives a larger burnout speed, hence a
    longer range. The catalog Scud-B cannot reach 5% beyond its model's maximum range
    (the aim accepts 3% over); with half its payload it can, and burns out faster."""
    from thaadsim.systems.threat import aim_point_at_range, max_range_m

    scud = ts.get_missile("scud-b")
    light = dataclasses.replace(scud, rocket=dataclasses.replace(
        scud.rocket, payload_kg=scud.rocket.payload_kg / 2))
    far = aim_point_at_range(*PYONGYANG, 180.0, 1.05 * max_range_m(scud))
    with pytest.raises(UnreachableError):
        ts.fly(scud, PYONGYANG, far)
    flown = ts.fly(light, PYONGYANG, far)
    assert flown.miss_km < 1.0
    near = aim_point_at_range(*PYONGYANG, 180.0, 250e3)
    assert ts.fly(light, PYONGYANG, near).burnout_speed_kms > ts.fly(
        scud, PYONGYANG, near).burnout_speed_kms


def test_a_quarter_of_the_radar_power_shortens_the_range_by_root_two():
    """Radar range equation (Skolnik, *Introduction to Radar Systems*, 3rd ed., eq. 2.1):
    R^4 is proportional to the transmitted power, so a quarter of the power gives 2^-1/2 of
    the range; to 1e-6 (both ranges from the same closed form)."""
    radar = ts.get_radar("terminal")
    site = ts.get_site("seongju").emplacement(330.0)
    weak = dataclasses.replace(radar, average_power_w=radar.average_power_w / 4)
    full = ts.coverage(ts.Sensor(name="full", radar=radar, emplacement=site))
    quarter = ts.coverage(ts.Sensor(name="quarter", radar=weak, emplacement=site))
    assert quarter.detection_range_km / full.detection_range_km == pytest.approx(
        2 ** -0.5, rel=1e-6)
    assert quarter.covered_area_km2 < full.covered_area_km2
    table = full.to_frame()
    assert "KOR" in set(table["iso_a3"]) and (table["share"] <= 1.0).all()


def test_a_quarter_of_the_radar_power_delays_the_firm_track():
    """The same Scud-C seen by the full and the quarter-power terminal radar (each its own
    random stream): with less power the threat is detected later (it must come 2^-1/2 as
    far), so the median firm track comes later too."""
    flight = ts.fly(ts.get_missile("scud-c"), PYONGYANG, SEONGJU)
    radar = ts.get_radar("terminal")
    site = ts.get_site("seongju").emplacement(330.0)
    weak = dataclasses.replace(radar, average_power_w=radar.average_power_w / 4)
    d = ts.detect(flight, [ts.Sensor(name="full", radar=radar, emplacement=site),
                           ts.Sensor(name="quarter", radar=weak, emplacement=site)],
                  trials=8, seed=3)
    s = d.summary()
    assert s.loc["quarter", "first_detection_s"] > s.loc["full", "first_detection_s"]
    assert s.loc["quarter", "firm_track_s"] > s.loc["full", "firm_track_s"]
    frame = d.to_frame()
    assert len(frame) == 16 and set(frame["sensor"]) == {"full", "quarter"}


def test_detect_first_sensor_is_the_command_lines_and_a_face_turned_away_sees_nothing():
    """Sensor 0 draws from ``default_rng(seed)`` as ``thaadsim detect`` does (same numbers);
    a radar facing away from the threat (boresight 150 deg, the threat comes from the
    north-west) never detects it: its face is +-60 deg."""
    from thaadsim.engagement import detect_trials
    from thaadsim.systems.detection import truth_from_flight

    flight = ts.fly(ts.get_missile("scud-c"), PYONGYANG, SEONGJU)
    radar = ts.get_radar("terminal")
    site = ts.get_site("seongju")
    north = ts.Sensor(name="north", radar=radar, emplacement=site.emplacement(330.0))
    south = ts.Sensor(name="south", radar=radar, emplacement=site.emplacement(150.0))
    d = ts.detect(flight, [north, south], trials=4, seed=7)
    frame = d.to_frame().set_index(["sensor", "trial"])
    m = flight.threat.missile
    tl = detect_trials(truth_from_flight(flight.threat.flight, m.rocket.reentry_beta_kgm2),
                       north, 0.1, 4, np.random.default_rng(7))
    np.testing.assert_array_equal(frame.loc["north", "firm_track_s"].to_numpy(),
                                  tl.firm_track_s)
    assert np.isnan(frame.loc["south", "first_detection_s"].to_numpy()).all()
    assert d.summary().loc["south", "firm_fraction"] == 0.0


def _with_divert(battery, factor: float):
    icpt = battery.interceptor
    return dataclasses.replace(battery, interceptor=dataclasses.replace(
        icpt, divert_mps=icpt.divert_mps * factor))


def test_a_second_sensor_engages_a_threat_from_behind_the_face():
    """A Pukguksong-2 fired from the East Sea, 270 km east-south-east of Seongju, arrives
    from behind the Seongju radar's face (330 deg +-60 deg: the threat's bearing, about
    100 deg, is outside). The standard defense never tracks it and cannot engage it; with a
    forward-based TPY-2 at Kyogamisaki (facing the launch area, its boresight 265 deg) added
    through ts.standard_defense, the battery fires on that sensor's track."""
    seongju = ts.get_site("seongju")
    threat = ts.raid(ts.get_missile("pukguksong-2"), 1, (35.6, 131.2), seongju)
    battery = ts.get_battery("seongju")
    alone = ts.standard_defense(battery, aim=seongju, launch=ts.get_site("pyongyang"))
    assert alone.sensors[0].emplacement.boresight_deg == pytest.approx(327, abs=1)
    forward = ts.Sensor(name="kyogamisaki", radar=ts.get_radar("forward-based"),
                        emplacement=ts.get_site("kyogamisaki").emplacement(265.0))
    both = ts.standard_defense(battery, aim=seongju, launch=ts.get_site("pyongyang"),
                               sensors=[forward])
    a = ts.engage(threat, alone, trials=10, seed=5).to_frame()
    b = ts.engage(threat, both, trials=10, seed=5).to_frame()
    assert a["seongju.first_detection_s"].isna().all()
    assert (a["outcome"] != "intercepted").all() and a["reason"].str.contains("track").all()
    assert b["seongju.firm_track_s"].isna().all()
    assert b["kyogamisaki.firm_track_s"].notna().all()
    assert (b["outcome"] == "intercepted").mean() >= 0.8


@pytest.mark.slow  # three engagements of 100 trials, each tracked (about 6 s warm)
def test_a_smaller_divert_budget_lowers_the_kill_probability():
    """The kill model (thaadsim.systems.interceptor.kill_probability): P_k = SSPK (1 -
    exp(-D^2 / 2 sigma^2)), the Rayleigh probability that the handover miss lies within the
    divert reach D = dv t_go / 2. One shot per threat (salvo-1), same seed, so every trial's
    shot sees the same handover error whatever the divert: with 3% and 1% of the THAAD
    kill vehicle's divert, -ln(1 - P_k / SSPK) scales as D^2, by (1/3)^2 (to 1e-9, the
    closed form), and the share of Scud-Cs killed over 100 trials falls."""
    seongju, pyongyang = ts.get_site("seongju"), ts.get_site("pyongyang")
    threat = ts.raid(ts.get_missile("scud-c"), 1, pyongyang, seongju)
    runs = {}
    for factor in (1.0, 0.03, 0.01):
        defense = ts.standard_defense(_with_divert(ts.get_battery("seongju"), factor),
                                      aim=seongju, launch=pyongyang, doctrine="salvo-1")
        runs[factor] = ts.engage(threat, defense, trials=100, seed=4)
    sspk = ts.get_interceptor("thaad").sspk
    shots = {f: r.shots.sort_values("trial").set_index("trial")["p_kill"]
             for f, r in runs.items()}
    common = shots[0.03].index.intersection(shots[0.01].index)
    assert len(common) > 50
    x3 = -np.log1p(-shots[0.03][common].to_numpy() / sspk)
    x1 = -np.log1p(-shots[0.01][common].to_numpy() / sspk)
    np.testing.assert_allclose(x1 / x3, 1 / 9, rtol=1e-9)
    assert (shots[0.01][common] < shots[1.0][common]).all()
    killed = {f: float((r.threats["outcome"] == "intercepted").mean()) for f, r in runs.items()}
    assert killed[0.01] < killed[1.0] - 0.2, killed


def test_raid_and_engage():
    """``raid`` makes ``count`` threats ``interval_s`` apart; ``engage`` gives one row per
    trial and threat and P(no leak) inside its own Wilson interval (Wilson 1927)."""
    scud = ts.get_missile("scud-c")
    threats = ts.raid(scud, 3, ts.get_site("pyongyang"), ts.get_site("seongju"),
                      interval_s=5.0)
    assert [t.launch_t_s for t in threats] == [0.0, 5.0, 10.0]
    defense = ts.standard_defense(ts.get_battery("seongju"), aim=ts.get_site("seongju"),
                                  launch=ts.get_site("pyongyang"))
    res = ts.engage(threats, defense, trials=10, seed=2)
    assert len(res.to_frame()) == 30
    low, high = res.p_no_leak_ci95
    assert low <= res.p_no_leak <= high
    assert res.summary["p_no_leak_ci95"] == pytest.approx([low, high])
    assert set(res.shots["battery"]) <= {"seongju"}


_HEAVY_EXAMPLES = {"coverage", "detect", "engage", "fly", "footprint", "surveil",
                   "surveil_corridors"}
"""Docstrings whose example flies, tracks or engages (a few seconds each, the footprint's
grid about 14 s, more when cold)."""


def _api_doctests() -> list[doctest.DocTest]:
    return [t for t in doctest.DocTestFinder().find(api) if t.examples]


@pytest.mark.parametrize("test", [
    pytest.param(t, id=t.name, marks=[pytest.mark.slow] if t.name.rsplit(".", 1)[-1]
                 in _HEAVY_EXAMPLES else [])
    for t in _api_doctests()])
def test_api_docstring_example_runs(test: doctest.DocTest):
    """Every example in the API's docstrings runs and prints what it says (the module's
    scenario run is marked SKIP: test_old_names_keep_working runs it)."""
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    result = runner.run(test)
    assert result.failed == 0, f"{test.name}: {result.failed} of {result.attempted} failed"


def test_the_docstring_examples_cover_the_api():
    """Each public function of the API shows an example, and the package's docstring runs."""
    shown = {t.name.rsplit(".", 1)[-1] for t in _api_doctests()}
    public = {n for n in api.__all__ if callable(getattr(api, n)) and n[0].islower()}
    # the module docstring shows these (simulate: run_scenario's deprecated name)
    assert public - shown <= {"load_scenario", "run_scenario", "simulate"}
    assert doctest.testmod(ts).failed == 0


@pytest.mark.slow  # a built-in scenario's flights and run (about 12 s warm)
def test_old_names_keep_working():
    """``ts.load_scenario`` and ``ts.run_scenario`` as the README uses them; the old name
    ``ts.simulate`` still runs, with a DeprecationWarning, to the same result."""
    scn = ts.load_scenario("saturation")
    res = ts.run_scenario(scn, trials=2, seed=1)
    assert 0.0 <= res.summary["p_no_leak"] <= 1.0
    with pytest.raises(InputError, match="is not a scenario"):
        ts.run_scenario("saturation")
    with pytest.warns(DeprecationWarning, match="run_scenario"):
        old = ts.simulate(scn, trials=2, seed=1)
    assert old.summary["p_no_leak"] == res.summary["p_no_leak"]
    assert math.isfinite(res.interceptors_used)


def _code_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


def test_the_readme_shows_the_custom_defense_example_as_it_is():
    """The README's custom-defense block is the example's code (which test_examples runs),
    line for line, so that it stays true."""
    import re
    from pathlib import Path

    root = Path(__file__).parent.parent
    readme = (root / "README.md").read_text("utf-8")
    block = re.search(r"examples/custom_defense\.py`[^\n]*:\n\n```python\n(.*?)```", readme,
                      re.S)
    assert block, "the README shows examples/custom_defense.py"
    shown = _code_lines(block.group(1))
    example = _code_lines((root / "examples" / "custom_defense.py").read_text("utf-8"))
    body = [line for line in shown if not line.startswith("import ")]
    start = example.index(body[0])
    assert example[start:start + len(body)] == body
    assert all(line in example for line in shown if line.startswith("import "))
