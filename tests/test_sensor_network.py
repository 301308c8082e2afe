"""A defense of many sensors (issue 13, part 2) and objects instead of names (part 1).

Each test names the reference it checks against: geometry (a radar face's azimuth sector,
Skolnik 2001 sec. 9.5), the radar range equation (R ~ P^(1/4), Skolnik 2001 eq. 2.1), the
rocket equation (Tsiolkovsky), the kill-vehicle model of
:func:`thaadsim.systems.interceptor.kill_probability` (a Rayleigh miss within the divert
reach), or exact identities of the engine (a latency is a delay; one sensor is the one
radar of earlier versions: a golden table of main before the change).
"""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import numpy as np
import pytest

from thaadsim.engagement import (
    DefendedAsset,
    Defense,
    RaidThreat,
    best_tracks,
    flight_grid,
    sensor_summary,
    simulate,
    track_delays_s,
)
from thaadsim.errors import InputError
from thaadsim.physics.geodesy import geodesic_inverse
from thaadsim.scenario import parse_scenario
from thaadsim.systems.catalog import get_missile, get_radar, get_site
from thaadsim.systems.fire_control import get_battery
from thaadsim.systems.interceptor import kill_probability
from thaadsim.systems.radar import detection_range_m
from thaadsim.systems.sensors import Sensor, sensor_at, with_power
from thaadsim.systems.threat import max_range_m

SEONGJU = get_site("seongju")
RASON = (42.25, 130.3)
TOKYO = (35.68, 139.69)
PYONGYANG = (39.02, 125.74)
SEA_EAST = (35.2, 131.2)
"""The Sea of Japan east-south-east of Korea (bearing ~110 deg from Seongju, outside the
330 +- 60 deg face): where a submarine could launch from behind the radar."""
GOLDEN = Path(__file__).parent / "data" / "one_sensor_golden.json"


def _bearing(a: tuple[float, float], b: tuple[float, float]) -> float:
    return float(geodesic_inverse(a[0], a[1], b[0], b[1])[1]) % 360.0


def _threat(missile: str, launch: tuple[float, float], aim: tuple[float, float],
            **kw: object) -> RaidThreat:
    return RaidThreat(missile=get_missile(missile), launch_lat_deg=launch[0],
                      launch_lon_deg=launch[1], aim_lat_deg=aim[0], aim_lon_deg=aim[1],
                      **kw)  # type: ignore[arg-type]


def _defense(sensors: tuple[Sensor, ...], **kw: object) -> Defense:
    battery = get_battery("seongju")
    return Defense(batteries=(battery,), sensors=sensors,
                   assets=(DefendedAsset(name="Seongju", lat_deg=SEONGJU.lat_deg,
                                         lon_deg=SEONGJU.lon_deg, radius_m=20e3),),
                   engage_all=True, **kw)  # type: ignore[arg-type]


SEONGJU_RADAR = sensor_at("seongju", "terminal", 330.0, battery="seongju")


# -- the best track each battery may use -------------------------------------------------


def test_best_track_is_the_earliest_to_reach_the_battery() -> None:
    # exact: sensor 1's track is firm 5 s earlier but comes over a 3 s network, so it
    # reaches the battery 2 s before its own radar's; over a 6 s network the own radar's
    # comes first; NaN (never firm) and a forbidden sensor (inf) never win
    firm = np.array([[100.0, np.nan, 50.0], [95.0, 80.0, np.nan]])
    best, at = best_tracks(firm, np.array([0.0, 3.0]))
    assert best.tolist() == [1, 1, 0] and at.tolist() == [98.0, 83.0, 50.0]
    best, at = best_tracks(firm, np.array([0.0, 6.0]))
    assert best.tolist() == [0, 1, 0] and at.tolist() == [100.0, 86.0, 50.0]
    best, at = best_tracks(firm, np.array([0.0, np.inf]))
    assert np.isnan(at[1]) and at.tolist()[::2] == [100.0, 50.0]


def test_track_delays_follow_ownership_latency_and_permission() -> None:
    own = SEONGJU_RADAR
    fwd = sensor_at("kyogamisaki", "forward-based", 300.0)
    pac = dataclasses.replace(get_battery("osan-pac3"), sensors=("seongju",))
    d = dataclasses.replace(_defense((own, fwd), network_latency_s=4.0),
                            batteries=(get_battery("seongju"), pac))
    assert track_delays_s(d).tolist() == [[0.0, 4.0], [4.0, np.inf]]


def test_a_bad_network_is_refused_before_any_work() -> None:
    own = SEONGJU_RADAR
    raid = [_threat("scud-c", PYONGYANG, (SEONGJU.lat_deg, SEONGJU.lon_deg))]
    with pytest.raises(InputError, match=r"sensors\[1\]\.name"):
        simulate(raid, _defense((own, own)), trials=1)
    with pytest.raises(InputError, match="batteries\\[0\\].sensors"):
        bad = dataclasses.replace(get_battery("seongju"), sensors=("nowhere",))
        simulate(raid, dataclasses.replace(_defense((own,)), batteries=(bad,)), trials=1)
    with pytest.raises(InputError, match="network_latency_s"):
        simulate(raid, _defense((own,), network_latency_s=-1.0), trials=1)
    with pytest.raises(InputError, match="sensors"):
        simulate(raid, _defense(()), trials=1)
    with pytest.raises(InputError, match=r"raid\[0\]\.missile"):
        simulate([dataclasses.replace(raid[0], missile="scud-c")],  # type: ignore[arg-type]
                 _defense((own,)), trials=1)


# -- what a second sensor adds -----------------------------------------------------------


@pytest.mark.slow
def test_a_forward_based_radar_in_japan_holds_a_firm_track_earlier() -> None:
    """A Nodong from the north-eastern tip of North Korea (Rason, ~700 km from Seongju,
    beyond the terminal mode's 600 km instrumented range, USCC 2016 p. 448) toward Tokyo
    flies toward the forward-based TPY-2 at Shariki (facing North Korea, sites.yaml):
    Seongju alone never holds a firm track on it, the network does (Shariki's, a minute or
    so after burnout). Seongju is sensor 0 in both runs, so its own draws and its column
    are the same (stream independence), and the earliest track can only come earlier,
    row by row."""
    raid = [_threat("nodong", RASON, TOKYO)]
    fwd = sensor_at("shariki", "forward-based")
    alone = simulate(raid, _defense((SEONGJU_RADAR,)), trials=3, seed=3)
    both = simulate(raid, _defense((SEONGJU_RADAR, fwd)), trials=3, seed=3)
    np.testing.assert_array_equal(alone.threats["seongju.firm_track_s"],
                                  both.threats["seongju.firm_track_s"])
    net = both.threats["firm_track_s"]
    own = alone.threats["firm_track_s"]
    assert np.isfinite(net).all()
    np.testing.assert_array_equal(net, both.threats["shariki.firm_track_s"])
    assert np.all(np.isnan(own) | (net < own))
    summary = {s["name"]: s for s in sensor_summary(both, _defense((SEONGJU_RADAR, fwd)))}
    assert summary["shariki"]["mode"] == "forward-based"
    assert summary["shariki"]["firm_fraction"] == 1.0
    assert summary["shariki"]["firm_track_s"] == pytest.approx(float(np.median(net)))


@pytest.mark.slow
def test_a_threat_from_behind_the_face_is_engaged_on_a_second_sensors_track() -> None:
    """A Scud-C from the sea east-south-east of Korea at Seongju comes from ~110 deg, never
    inside Seongju's face (330 +- 60 deg; visibility, Skolnik 2001 sec. 9.5): the battery's
    radar never detects it. A second TPY-2 facing it (at the same site, as a rear-facing
    radar, not the battery's own: its tracks come after the network latency) does, and
    the battery engages on that track. A battery that may use only its own radar does
    not."""
    aim = (SEONGJU.lat_deg, SEONGJU.lon_deg)
    raid = [_threat("scud-c", SEA_EAST, aim)]
    rear = sensor_at("seongju", "terminal", _bearing(aim, SEA_EAST), name="rear")
    front = simulate(raid, _defense((SEONGJU_RADAR,)), trials=3, seed=1)
    assert np.isnan(front.threats["seongju.first_detection_s"]).all()
    assert front.shots["trial"].size == 0
    both = simulate(raid, _defense((SEONGJU_RADAR, rear)), trials=3, seed=1)
    assert np.isnan(both.threats["seongju.first_detection_s"]).all()
    assert np.isfinite(both.threats["rear.firm_track_s"]).all()
    assert both.threats["engageable"].all() and both.shots["trial"].size >= 3
    only_own = dataclasses.replace(get_battery("seongju"), sensors=("seongju",))
    barred = simulate(raid, dataclasses.replace(_defense((SEONGJU_RADAR, rear)),
                                                batteries=(only_own,)), trials=3, seed=1)
    np.testing.assert_array_equal(barred.threats["rear.firm_track_s"],
                                  both.threats["rear.firm_track_s"])
    assert barred.shots["trial"].size == 0 and not barred.threats["engageable"].any()


@pytest.mark.slow
def test_network_latency_is_a_delay_of_exactly_the_latency() -> None:
    """A track over the network reaches the battery ``network_latency_s`` late: exactly as
    if the battery's own radar had made it and the battery reacted that much slower (the
    same tables, shot for shot; the remote track's handover errors come from looks 7 s
    older (:func:`test_a_remote_track_gives_the_handover_error_of_its_looks_latency_earlier`),
    but on this short-range shot every kill probability is at its ceiling either way)."""
    raid = [_threat("scud-c", PYONGYANG, (SEONGJU.lat_deg, SEONGJU.lon_deg))]
    remote = dataclasses.replace(SEONGJU_RADAR, battery=None)
    late = simulate(raid, _defense((remote,), network_latency_s=7.0), trials=3, seed=2)
    battery = get_battery("seongju")
    slow = dataclasses.replace(battery, reaction_s=battery.reaction_s + 7.0)
    same = simulate(raid, dataclasses.replace(_defense((SEONGJU_RADAR,)), batteries=(slow,)),
                    trials=3, seed=2)
    for key in late.shots:
        np.testing.assert_array_equal(late.shots[key], same.shots[key], err_msg=key)
    for key in late.threats:
        np.testing.assert_array_equal(late.threats[key], same.threats[key], err_msg=key)
    assert late.shots["trial"].size > 0  # the comparison is about shots


# -- one sensor is the one radar of earlier versions ---------------------------------------


def _table(res: object) -> dict[str, list[object]]:
    cols = ("outcome_code", "battery", "shot", "killed_at_s", "endangering", "engageable",
            "shot_opportunities", "first_detection_s", "firm_track_s")
    threats = res.threats  # type: ignore[attr-defined]
    shots = res.shots  # type: ignore[attr-defined]
    out = {c: [None if isinstance(v, float) and not np.isfinite(v) else v
               for v in np.asarray(threats[c]).tolist()] for c in cols}
    out["shots_launch_s"] = np.asarray(shots["launch_s"]).tolist()
    out["shots_p_kill"] = np.asarray(shots["p_kill"]).tolist()
    out["shots_battery"] = np.asarray(shots["battery"]).tolist()
    return out


def _assert_golden(got: dict[str, list[object]], want: dict[str, list[object]]) -> None:
    """``got`` is the golden table: every code, count and flag the same, every time and
    kill probability to 1e-12 relative (the propagator's two kernels now share one compiled
    DP5 step, which moved the interceptors' fly-out times in their last bits; the draws and
    every outcome are the golden ones)."""
    assert got.keys() == want.keys()
    for name, column in want.items():
        assert len(got[name]) == len(column), name
        for a, b in zip(got[name], column, strict=True):
            if isinstance(b, float) and isinstance(a, float):
                assert math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12), (name, a, b)
            else:
                assert a == b, (name, a, b)


@pytest.mark.slow
def test_one_sensor_gives_the_golden_tables_of_the_one_radar() -> None:
    """The tables of main before the sensor network (commit cff26a4, one radar tracking
    for a THAAD and a Patriot battery), stored: the legacy ``radars:`` scenario gives them
    (:func:`_assert_golden`), unchunked, chunked and pooled; the same defense written with
    ``sensors:`` and no latency gives them too. The radar keeps the radar's own 0.5 deg
    minimum elevation (``min_elevation_deg: 0.5``), as before Seongju's 5 deg
    (``sites.yaml``)."""
    from thaadsim.engagement import engage_prepared, prepare

    golden = json.loads(GOLDEN.read_text())
    scn = parse_scenario(golden["scenario"], "golden.yaml")
    kw = scn.to_run_kwargs()
    _assert_golden(_table(simulate(kw["raid"], kw["defense"], trials=3, seed=7)),
                   golden["simulate"])
    _assert_golden(_table(simulate(kw["raid"], kw["defense"], trials=3, seed=7,
                                   chunk_trials=1)), golden["simulate_chunked"])
    pooled = engage_prepared(prepare(kw["raid"], kw["defense"], pool=4, seed=7), 5,
                    np.random.default_rng(11))
    _assert_golden(_table(pooled), golden["engage"])
    text = golden["scenario"].replace(
        "radars: [{site: seongju, mode: terminal, boresight_deg: 330, min_elevation_deg: 0.5}]",
        "network_latency_s: 0\n  sensors: [{site: seongju, mode: terminal, "
        "boresight_deg: 330, min_elevation_deg: 0.5}]")
    new = parse_scenario(text, "golden-sensors.yaml").to_run_kwargs()
    _assert_golden(_table(simulate(new["raid"], new["defense"], trials=3, seed=7)),
                   golden["simulate"])


def test_the_legacy_radars_key_is_one_sensor_for_every_battery_without_latency() -> None:
    text = """
defense:
  radars: [{site: seongju, mode: terminal}]
  batteries: [{battery: seongju}, {battery: osan-pac3}]
  engage_all: true
raid:
  - {missile: scud-c, launch: {site: pyongyang}, aim: {site: seongju}}
"""
    d = parse_scenario(text).defense
    (s,) = d.sensors
    assert (s.name, s.battery, s.mode, d.network_latency_s) == ("seongju", None, "terminal",
                                                                0.0)
    assert s.emplacement.boresight_deg == pytest.approx(
        _bearing((SEONGJU.lat_deg, SEONGJU.lon_deg), PYONGYANG), abs=0.5)
    with pytest.raises(InputError, match="network_latency_s"):
        parse_scenario(text.replace("engage_all: true",
                                    "engage_all: true\n  network_latency_s: 2"))


def test_the_sensors_section_is_validated_with_its_line() -> None:
    base = """
defense:
  sensors:
    - {site: seongju, mode: terminal, battery: thaad}
    - {name: fwd, site: kyogamisaki, mode: forward-based, boresight_deg: 300}
  early_warning: {cue_delay_s: 45}
  network_latency_s: 2.5
  batteries: [{battery: seongju, name: thaad}, {battery: osan-pac3, sensors: [fwd]}]
  engage_all: true
raid:
  - {missile: scud-c, launch: {site: pyongyang}, aim: {site: seongju}}
"""
    d = parse_scenario(base, "net.yaml").defense
    assert [s.name for s in d.sensors] == ["seongju", "fwd"]
    assert d.sensors[0].battery == "thaad" and d.network_latency_s == 2.5
    assert d.early_warning is not None and d.early_warning.cue_delay_s == 45.0
    assert d.batteries[1].sensors == ("fwd",)
    assert track_delays_s(d).tolist() == [[0.0, 2.5], [np.inf, 2.5]]
    bad = {
        "battery: thaad}": ("battery: nobody}", r"net.yaml:4: defense.sensors\[0\].battery"),
        "sensors: [fwd]": ("sensors: [aft]", r"net.yaml:8: defense.batteries\[1\].sensors"),
        "mode: forward-based": ("mode: sideways", r"net.yaml:5: defense.sensors\[1\].mode"),
        "network_latency_s: 2.5": ("network_latency_s: 900", "network_latency_s"),
        "{name: fwd,": ("{name: seongju,", r"net.yaml:5: defense.sensors\[1\].name"),
    }
    for old, (new, message) in bad.items():
        with pytest.raises(InputError, match=message):
            parse_scenario(base.replace(old, new), "net.yaml")
    no_cue = parse_scenario(base.replace("{cue_delay_s: 45}", "false"), "net.yaml")
    assert no_cue.defense.early_warning is None


# -- objects, not names: a changed object changes the result (physics) ------------------


def test_a_quarter_of_the_power_shortens_the_detection_range_by_root_two() -> None:
    """Radar range equation (Skolnik 2001 eq. 2.1): R ~ (P)^(1/4), so a quarter of the
    average power gives 2^(-1/2) of the range (to rounding, rel 1e-9)."""
    radar = get_radar("terminal").radar
    weak = with_power(SEONGJU_RADAR, 0.25).radar
    for dwell in ("search", "track"):
        ratio = float(detection_range_m(weak, 0.1, dwell) / detection_range_m(radar, 0.1, dwell))
        assert ratio == pytest.approx(2 ** -0.5, rel=1e-9)


@pytest.mark.slow
def test_a_quarter_of_the_power_delays_the_firm_track_on_a_real_flight() -> None:
    """The same Scud-C, seed and draws against the Seongju radar at a quarter of its power
    (dataclasses.replace on the defense's sensor): detection and the firm track come later
    (a smaller SNR at every range; median over trials). The radar keeps its own 0.5 deg
    floor: above Seongju's 5 deg (sites.yaml) the Scud-C is first seen where it crosses
    5 deg, whatever the power."""
    raid = [_threat("scud-c", PYONGYANG, (SEONGJU.lat_deg, SEONGJU.lon_deg), rcs_m2=0.01)]
    radar = dataclasses.replace(SEONGJU_RADAR, emplacement=dataclasses.replace(
        SEONGJU_RADAR.emplacement, min_elevation_deg=None))
    full = simulate(raid, _defense((radar,)), trials=6, seed=4)
    weak = simulate(raid, _defense((with_power(radar, 0.25),)), trials=6, seed=4)
    for col in ("first_detection_s", "firm_track_s"):
        assert np.nanmedian(weak.threats[col]) > np.nanmedian(full.threats[col]), col


def test_a_lighter_payload_flies_farther() -> None:
    """Rocket equation (Tsiolkovsky): a lighter payload raises the mass ratio, so the same
    Scud-C reaches farther; the engine flies the changed missile, not the catalog's (its
    recorded flight is keyed by the missile's content)."""
    scud = get_missile("scud-c")
    light = dataclasses.replace(scud, rocket=dataclasses.replace(
        scud.rocket, payload_kg=0.7 * scud.rocket.payload_kg))
    assert max_range_m(light) > 1.05 * max_range_m(scud)
    aim = (SEONGJU.lat_deg, SEONGJU.lon_deg)
    t_cat, y_cat = flight_grid([_threat("scud-c", PYONGYANG, aim)])
    t_new, y_new = flight_grid([dataclasses.replace(_threat("scud-c", PYONGYANG, aim),
                                                    missile=light)])
    assert not (t_cat.shape == t_new.shape and np.allclose(y_cat, y_new, equal_nan=True))


@pytest.mark.slow
def test_a_smaller_divert_budget_lowers_the_kill_probability() -> None:
    """Kill-vehicle model (:func:`kill_probability`: SSPK times the Rayleigh probability of
    a miss within the divert reach D = dv t_go / 2): half the divert budget lowers Pk at a
    given handover error, and in an engagement (the same tracks and draws, the battery's
    interceptor replaced) the shots' kill probabilities."""
    battery = get_battery("seongju")
    icpt = battery.interceptor
    small = dataclasses.replace(icpt, divert_mps=0.5 * icpt.divert_mps)
    sigma = np.array([400.0, 800.0, 1600.0])
    reach = 0.5 * small.divert_mps * small.homing_time_s
    expected = small.sspk * (1.0 - np.exp(-reach**2 / (2.0 * sigma**2)))
    np.testing.assert_allclose(kill_probability(small, sigma), expected, rtol=1e-12)
    assert np.all(kill_probability(small, sigma) < kill_probability(icpt, sigma))
    raid = [_threat("scud-c", PYONGYANG, (SEONGJU.lat_deg, SEONGJU.lon_deg))]
    full = simulate(raid, _defense((SEONGJU_RADAR,)), trials=4, seed=5)
    # a kill vehicle with 5% of the divert: its reach (tens of metres) is of the order
    # of a firm track's handover error, where Pk falls below the SSPK
    tiny = dataclasses.replace(icpt, divert_mps=0.05 * icpt.divert_mps)
    weak_battery = dataclasses.replace(battery, interceptor=tiny)
    weak = simulate(raid, dataclasses.replace(_defense((SEONGJU_RADAR,)),
                                              batteries=(weak_battery,)), trials=4, seed=5)
    first_full = full.shots["p_kill"][full.shots["shot"] == 1]
    first_weak = weak.shots["p_kill"][weak.shots["shot"] == 1]
    assert first_full.size == first_weak.size > 0
    assert np.all(first_weak <= first_full) and first_weak.mean() < first_full.mean()


# -- the command line's --sensor -----------------------------------------------------------


@pytest.mark.parametrize(("spec", "message"), [
    ("atlantis:terminal", "unknown site 'atlantis'"),
    ("shariki:sideways", "unknown radar mode 'sideways'"),
    ("shariki:forward-based:400", "--sensor boresight: 400 is out of range"),
    ("shariki:forward-based:west", "boresight 'west' is not a number"),
    ("shariki", "is not SITE:MODE"),
])
@pytest.mark.parametrize("command", ["detect", "engage", "raid", "run"])
def test_a_bad_sensor_option_is_one_line_before_any_work(command: str, spec: str,
                                                         message: str) -> None:
    from cli_helpers import run_main

    code, out, err = run_main(command, "--sensor", spec, "--json")
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], err


def test_detect_reports_each_sensor_on_the_engines_streams() -> None:
    """``thaadsim detect --sensor shariki:forward-based`` on the Nodong from Rason toward
    Tokyo (:func:`test_a_forward_based_radar_in_japan_holds_a_firm_track_earlier`): one
    entry per sensor, the radar's equal to the command's own medians, Shariki's firm track
    held in every trial while Seongju (beyond its 600 km instrumented range) holds none;
    Shariki's numbers are those of the engine's stream ``sensor_seed(seed, 1)``."""
    from thaadsim.commands import detect_command_data

    data = detect_command_data("nodong", "42.25,130.3", "35.68,139.69", trials=3, seed=3,
                               sensors=["shariki:forward-based"])
    radar, fwd = data["sensors"]
    assert (radar["site"], radar["mode"]) == ("seongju", "terminal")
    assert (fwd["site"], fwd["mode"]) == ("shariki", "forward-based")
    assert radar["firm_fraction"] == data["firm_fraction"] == 0.0
    assert radar["firm_track_s"] is None
    assert fwd["firm_fraction"] == 1.0 and fwd["first_detection_s"] < fwd["firm_track_s"]
    from thaadsim.systems.sensors import sensors_from_specs

    added = sensors_from_specs(["shariki:forward-based"], RASON, taken=["seongju"])
    engine = simulate([_threat("nodong", RASON, TOKYO)], _defense((SEONGJU_RADAR, *added)),
                      trials=3, seed=3)
    assert fwd["firm_track_s"] == pytest.approx(
        float(np.median(engine.threats["shariki.firm_track_s"])), abs=1e-9)


def test_sensor_options_name_their_sensors_apart_and_face_the_launch() -> None:
    from thaadsim.systems.sensors import sensors_from_specs

    got = sensors_from_specs(["shariki:terminal", "shariki:terminal:250",
                              "seongju:terminal"], PYONGYANG, taken=["seongju"])
    assert [s.name for s in got] == ["shariki", "shariki-2", "seongju-2"]
    assert [s.mode for s in got] == ["terminal", "terminal", "terminal"]
    shariki = get_site("shariki")  # no catalog sensor of this mode here: it faces the launch
    assert got[0].emplacement.boresight_deg == pytest.approx(
        _bearing((shariki.lat_deg, shariki.lon_deg), PYONGYANG), abs=1e-9)
    assert got[1].emplacement.boresight_deg == 250.0 and got[0].battery is None
    assert got[2].emplacement.boresight_deg == 330.0  # the catalog's seongju-terminal


# -- handover errors under network latency ---------------------------------------------------


def _shrinking_track(n_looks: int = 200, step_s: float = 0.5) -> object:
    """One track whose errors shrink with every look (a filter converging as 1/sqrt(looks),
    Bar-Shalom 2001 sec. 5.3): distinct sigmas at distinct look times, so a shifted
    cut-off is seen."""
    from types import SimpleNamespace

    t = np.arange(n_looks) * step_s + 100.0
    k = np.arange(1, n_looks + 1)
    return SimpleNamespace(look_t_s=t[None, :], position_sigma_m=(500.0 / np.sqrt(k))[None, :],
                           velocity_sigma_mps=(50.0 / np.sqrt(k))[None, :])


@pytest.mark.parametrize("latency_s", [0.5, 3.0, 7.25])
def test_a_remote_track_gives_the_handover_error_of_its_looks_latency_earlier(
        latency_s: float) -> None:
    """A battery firing on a track that reaches it ``latency_s`` late can only use the
    looks made by (handover - latency): its handover error at time t is exactly the
    zero-latency error at t - latency (exact identity of the look cut-off), in the
    per-trial path (:func:`_handover_sigma`) and the pooled one (:func:`_sigma_table`)."""
    from thaadsim.engagement import _handover_sigma, _sigma_table

    tl = _shrinking_track()
    homing = 10.0
    t_int = np.array([130.0, 151.3, 175.0, 199.9])
    best = np.zeros((1, 1), dtype=np.intp)
    late = _handover_sigma([tl], best, 1, 1, homing, False, np.array([latency_s]))
    now = _handover_sigma([tl], best, 1, 1, homing, False, np.array([0.0]))
    trial = np.zeros(t_int.size, dtype=np.intp)
    got, want = late(trial, 0, t_int), now(trial, 0, t_int - latency_s)
    np.testing.assert_array_equal(got, want)
    assert np.all(got > now(trial, 0, t_int))  # the latency costs accuracy here
    pooled_late = _sigma_table(tl, 1, 1, t_int[None, :], homing, latency_s)
    pooled_now = _sigma_table(tl, 1, 1, (t_int - latency_s)[None, :], homing, 0.0)
    np.testing.assert_array_equal(pooled_late, pooled_now)
    np.testing.assert_array_equal(pooled_late[0, 0], got)

