"""The surveillance study (issue 15 part 4): which radar sees a Chinese missile in flight,
when, for how long, and what the study's figures must obey whatever the radar model says."""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pytest
from cli_helpers import run_main  # (tests/ is on the path)

from thaadsim.physics.geodesy import geodetic_to_ecef
from thaadsim.studies.surveillance import (
    china_launch_areas,
    post_boost_figure,
    rcs_figure,
    surveil,
    us_targets,
)
from thaadsim.systems.catalog import get_radar, get_site
from thaadsim.systems.radar import Emplacement, look
from thaadsim.systems.sensors import Sensor, sensor_at

REQUIRED = {"site", "mode", "detected", "first_detection_s", "track_start_s", "track_end_s",
            "track_s", "first_detection_range_km", "first_detection_alt_km", "firm_track_s",
            "impact_sigma_km", "saw_deployment"}

K_REFRACTION = 4.0 / 3.0
"""The standard atmosphere's effective-Earth factor (Skolnik, Introduction to Radar Systems,
3rd ed., sec. 8.2), the one the radar model's horizon uses."""
R_EARTH_M = 6_371_000.0


def horizon_slant_m(h_target_m: float, h_radar_m: float, k: float = K_REFRACTION) -> float:
    """The farthest line of sight between a radar at ``h_radar_m`` and a target at
    ``h_target_m`` over a smooth sphere of radius k R (each leg tangent to it):
    sqrt((kR + h_t)^2 - (kR)^2) + sqrt((kR + h_r)^2 - (kR)^2) (Skolnik sec. 8.2)."""
    r = k * R_EARTH_M
    h_target_m, h_radar_m = max(h_target_m, 0.0), max(h_radar_m, 0.0)
    return math.sqrt((r + h_target_m) ** 2 - r * r) + math.sqrt((r + h_radar_m) ** 2 - r * r)


def place(slug: str) -> tuple[float, float]:
    s = get_site(slug)
    return s.lat_deg, s.lon_deg


def beyond_range_sensor() -> Sensor:
    """A forward-based TPY-2 at Honolulu facing west: the DF-41's polar route from Daqing to
    Washington never comes within 5,000 km of it."""
    h = get_site("honolulu")
    return Sensor(name="honolulu", radar=get_radar("forward-based").radar,
                  emplacement=Emplacement(lat_deg=h.lat_deg, lon_deg=h.lon_deg, alt_m=10.0,
                                          boresight_deg=300.0), site="honolulu")


def without_site_floor(sensor):
    """``sensor`` with its radar's own 0.5 deg lowest elevation instead of the Seongju site's
    5 deg (the ministry's 2016 figure, sites.yaml): a forward-based Seongju watching China
    is the hypothetical of the debate, and its thin 0.5-3 deg horizon fence lies wholly below
    5 deg (what the floor changes is tested in test_coasting_elevation.py)."""
    return dataclasses.replace(sensor, emplacement=dataclasses.replace(
        sensor.emplacement, min_elevation_deg=None))


@pytest.fixture(scope="module")
def df41():
    """The DF-41 from Daqing (the reported northern brigade) to Washington past the fence,
    a Seongju radar turned away from China, and a radar far beyond reach."""
    sensors = [sensor_at("shariki", "forward-based"),
               sensor_at("kyogamisaki", "forward-based"),
               sensor_at("seongju", "terminal", name="seongju-terminal"),
               sensor_at("seongju", "terminal", 310.0, name="seongju-terminal-china"),
               without_site_floor(sensor_at("seongju", "forward-based", name="seongju-forward")),
               without_site_floor(sensor_at("seongju", "forward-based", 150.0,
                                            name="seongju-away")),
               beyond_range_sensor()]
    return surveil("df-41", place("daqing"), place("washington-dc"), sensors, seed=3)


def by_name(res, name):
    return next(p for p in res.passes if p.sensor == name)


def ecef_at(res, t_s: float) -> np.ndarray:
    """The body's position at ``t_s``, interpolated linearly in ECEF between the recorded
    steps (at most 2 s apart: an error of metres at 7 km/s on a ballistic arc)."""
    r = geodetic_to_ecef(res.lat_deg, res.lon_deg, res.alt_km * 1e3)
    return np.array([np.interp(t_s, res.t_s, r[:, i]) for i in range(3)])


def site_ecef(sensor: Sensor) -> np.ndarray:
    e = sensor.emplacement
    return np.asarray(geodetic_to_ecef(e.lat_deg, e.lon_deg, e.alt_m))


# --------------------------------------------------------------------------------------------
# Physics: what no radar can do
# --------------------------------------------------------------------------------------------


def test_a_sensor_beyond_range_never_detects(df41):
    """Honolulu: every recorded point of the flight lies beyond both the forward-based
    mode's 2,000 km window and the 4/3-Earth line of sight (Skolnik sec. 8.2) from the
    site, so nothing may be detected, body or warhead."""
    sensor = beyond_range_sensor()
    r = geodetic_to_ecef(df41.lat_deg, df41.lon_deg, df41.alt_km * 1e3)
    ranges = np.linalg.norm(r - site_ecef(sensor), axis=1)
    horizon = np.array([horizon_slant_m(h, 10.0) for h in df41.alt_km * 1e3])
    assert (ranges > horizon).all() and ranges.min() > 2_000e3  # the test means something
    p = by_name(df41, "honolulu")
    assert not p.body.detected and not p.warhead.detected
    assert p.body.track_s == 0.0 and not p.saw_deployment


def test_a_sensor_facing_away_never_detects(df41):
    """Seongju forward-based turned to 150 deg (its face spans 90-210 deg): Daqing bears
    ~350 deg and the missile flies north from there, outside the face all the way."""
    p = by_name(df41, "seongju-away")
    assert not p.body.detected and not p.warhead.detected
    assert p.body.track_s == 0.0 and not p.saw_deployment
    # and the same sensor facing China does see it (the test is not vacuous)
    assert by_name(df41, "seongju-forward").body.detected


def test_first_detection_lies_within_the_radar_horizon(df41):
    """No detection beyond the refracted line of sight: the range at first detection is at
    most the 4/3-Earth tangent distance for the altitude at first detection (Skolnik sec.
    8.2; the WGS84 radius along the path differs from 6,371 km by < 0.4%: tolerance 1%)."""
    seen = [p for p in df41.passes if p.body.detected]
    assert len(seen) >= 2
    for p in seen:
        sensor = next(s for s in df41.sensors if s.name == p.sensor)
        bound = horizon_slant_m(p.body.first_detection_alt_km * 1e3, sensor.emplacement.alt_m)
        assert p.body.first_detection_range_km * 1e3 <= 1.01 * bound, p.sensor


def test_track_windows_lie_inside_the_flight(df41):
    """first detection <= track start <= track end <= impact; the warhead exists only
    after burnout; a track's length is its window's."""
    for p in df41.passes:
        for obj in (p.body, p.warhead):
            if not obj.detected:
                assert obj.track_s == 0.0 and math.isnan(obj.track_start_s)
                continue
            assert 0.0 <= obj.first_detection_s <= df41.flight_time_s
            if not math.isnan(obj.track_start_s):
                assert (obj.first_detection_s <= obj.track_start_s <= obj.track_end_s
                        <= df41.flight_time_s)
                assert obj.track_s == pytest.approx(obj.track_end_s - obj.track_start_s)
        if p.warhead.detected:
            assert p.warhead.first_detection_s >= df41.burnout_s


def test_a_held_track_lies_within_the_instrumented_range(df41):
    """At both ends of every track window the body is within the mode's instrumented range
    (600 km terminal, 2,000 km forward-based; USCC 2016 via radars.yaml), to 1% for the
    interpolation of the recorded flight."""
    tracked = [p for p in df41.passes if p.body.track_s > 0.0]
    assert tracked, "some sensor holds the body"
    for p in tracked:
        sensor = next(s for s in df41.sensors if s.name == p.sensor)
        for t in (p.body.track_start_s, p.body.track_end_s):
            rng = np.linalg.norm(ecef_at(df41, t) - site_ecef(sensor))
            assert rng <= 1.01 * sensor.radar.instrumented_range_m, (p.sensor, t, rng)


def test_the_chain_applies_the_instrumented_range() -> None:
    """A look at a bright (10 m2) target on the boresight of a terminal-mode radar, 650 km
    downrange at 300 km altitude (~20 deg up, ~720 km away: well above the horizon, beyond
    the 600 km window) is refused (issue 15 part 2)."""
    from thaadsim.physics.geodesy import geodesic_direct

    radar = get_radar("terminal").radar
    emp = get_site("seongju").emplacement(330.0)
    lat, lon, _ = geodesic_direct(emp.lat_deg, emp.lon_deg, 330.0, 650e3)
    r = geodetic_to_ecef(float(lat), float(lon), 300e3)
    view = look(radar, emp, np.asarray(r)[None], np.zeros((1, 3)), 10.0, "track")
    assert not bool(view.visible[0])


def test_first_detection_within_the_instrumented_range(df41):
    """Every first detection lies within the mode's instrumented range (issue 15 part 2)."""
    for p in df41.passes:
        sensor = next(s for s in df41.sensors if s.name == p.sensor)
        for obj in (p.body, p.warhead):
            if obj.detected:
                assert (obj.first_detection_range_km * 1e3
                        <= sensor.radar.instrumented_range_m * 1.001), p.sensor


def test_seongju_terminal_radar_against_a_df41_from_daqing(df41):
    """The question of the debate: the Seongju radar in terminal mode against a DF-41 from
    the reported Daqing brigade to Washington. Daqing lies ~1,200 km from Seongju, and the
    missile climbs away to the north: twice the 600 km terminal window. Whether the radar
    faces North Korea (330 deg) or China (310 deg), it never detects the missile or its
    warhead. (The same radar in forward-based mode, 2,000 km, holds the booster.)"""
    assert get_radar("terminal").radar.instrumented_range_m == 600e3
    for name in ("seongju-terminal", "seongju-terminal-china"):
        p = by_name(df41, name)
        assert not p.body.detected and not p.warhead.detected, name
        assert p.body.track_s == 0.0 and p.warhead.track_s == 0.0, name
        assert not p.saw_deployment
    assert by_name(df41, "seongju-forward").body.track_s > 0.0


def test_saw_deployment_is_the_overlap_of_track_and_post_boost(df41):
    for p in df41.passes:
        overlap = (p.body.track_s > 0.0 or not math.isnan(p.body.track_start_s)) and (
            p.body.track_start_s <= df41.deployment_end_s
            and p.body.track_end_s >= df41.deployment_start_s)
        assert p.saw_deployment == bool(overlap), p.sensor
    assert df41.deployment_start_s == pytest.approx(df41.burnout_s)
    assert df41.deployment_end_s - df41.deployment_start_s == post_boost_figure("df-41").value


@pytest.mark.slow  # four DF-26 flights past one or two radars, ~6 s
def test_each_sensor_has_its_own_stream():
    """Adding a sensor after the others leaves their rows as they were; the same seed gives
    the same result."""
    a = [sensor_at("kyogamisaki", "forward-based")]
    b = [*a, sensor_at("shariki", "forward-based")]
    one = surveil("df-26", place("xinyang"), place("andersen-afb"), a, seed=5)
    two = surveil("df-26", place("xinyang"), place("andersen-afb"), b, seed=5)
    again = surveil("df-26", place("xinyang"), place("andersen-afb"), a, seed=5)
    assert one.passes[0].body.detected  # the rows compared hold numbers
    np.testing.assert_equal(one.passes[0].row(), two.passes[0].row())
    np.testing.assert_equal(one.passes[0].row(), again.passes[0].row())
    other = surveil("df-26", place("xinyang"), place("andersen-afb"), a, seed=6)
    # the seed matters (the search frame's phase)
    assert other.passes[0].body.first_detection_s != one.passes[0].body.first_detection_s


def test_the_catalog_states_its_assumptions():
    """Every Chinese missile's post-boost window and both RCS figures carry a source or an
    assumption with a range; MIRVed missiles deploy for longer than single-RV ones."""
    for slug in ("df-5a", "df-5b", "df-31a", "df-31ag", "df-41", "df-21a", "df-26"):
        fig = post_boost_figure(slug)
        assert fig.provenance and fig.low is not None and fig.high is not None
    assert post_boost_figure("df-41").value > post_boost_figure("df-31a").value
    assert post_boost_figure("df-5b").value > post_boost_figure("df-5a").value
    assert rcs_figure("body").value > rcs_figure("warhead").value
    assert len(china_launch_areas()) >= 5 and len(us_targets()) >= 5
    assert "daqing" in china_launch_areas() and "washington-dc" in us_targets()


# --------------------------------------------------------------------------------------------
# The command
# --------------------------------------------------------------------------------------------


def one_error(*args: str) -> str:
    code, out, err = run_main("surveil", *args)
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert code == 2, (args, code, err[-2000:])
    assert "Traceback" not in out + err
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    return lines[0]


@pytest.mark.parametrize(("args", "message"), [
    (["--to", "washington-dc"], "error: --from: missing; give a site slug or LAT,LON"),
    (["--from", "daqing", "--from-all", "--to", "seattle"],
     "error: --from: give either --from or --from-all, not both"),
    (["--from", "nowhere", "--to", "seattle"], "error: --from: 'nowhere' is neither LAT,LON"),
    (["--from", "daqing", "--to", "seattle", "--sensor", "seongju"],
     "error: --sensor: 'seongju' is not SITE:MODE[:BORESIGHT_DEG]"),
    (["--from", "daqing", "--to", "seattle", "--sensor", "seongju:search"],
     "error: --sensor: unknown radar mode 'search'; allowed: "),
    (["--from", "daqing", "--to", "seattle", "--rcs-m2", "0"],
     "error: --rcs-m2: 0 is out of range; allowed: "),
    (["--from", "daqing", "--to", "seattle", "--missile", "df-99"], "df-99"),
    (["--from", "daqing", "--to", "seattle", "--plot", "map.txt"],
     "error: --plot: 'map.txt' must end in .png"),
    (["--from-all", "--to-all", "--from", "xinyang"], "error: --from: give either"),
])
def test_bad_input_is_one_line(args, message):
    assert message in one_error(*args)


def test_an_unreachable_target_is_one_line():
    line = one_error("--missile", "df-21a", "--from", "daqing", "--to", "washington-dc",
                     "--sensor", "shariki:forward-based")
    assert "df-21a cannot reach washington-dc from daqing" in line


def test_an_existing_plot_not_written_by_thaadsim_is_refused(tmp_path):
    foreign = tmp_path / "mine.png"
    foreign.write_bytes(b"not thaadsim's")
    line = one_error("--from", "daqing", "--to", "seattle", "--plot", str(foreign))
    assert "was not written by thaadsim" in line
    assert foreign.read_bytes() == b"not thaadsim's"


def test_json_keys_of_one_corridor():
    code, out, err = run_main("surveil", "--missile", "df-26", "--from", "xinyang", "--to",
                              "andersen-afb", "--sensor", "kyogamisaki:forward-based",
                              "--json")
    assert code == 0, err
    data = json.loads(out)
    assert {"flight_time_s", "sensors", "missile", "range_km", "burnout_s",
            "deployment_start_s", "deployment_end_s"} <= data.keys()
    assert len(data["sensors"]) == 1 and REQUIRED <= data["sensors"][0].keys()
    row = data["sensors"][0]
    assert row["site"] == "kyogamisaki" and row["mode"] == "forward-based"
    assert any(k.startswith("warhead_") for k in row)


def test_batch_table_shape_and_map(tmp_path):
    """Two corridors, one out of the DF-26's reach (Seattle, ~9,000 km from Xinyang): one
    row each, the reachable one with a row per sensor, the shares over reachable ones."""
    from thaadsim.commands import surveil_command_data

    plot = tmp_path / "corridors.png"
    data = surveil_command_data("df-26", ["xinyang"], ["andersen-afb", "seattle"],
                                sensors=["kyogamisaki:forward-based", "seongju:terminal"],
                                plot_path=str(plot))
    assert [(c["launch"], c["target"]) for c in data["corridors"]] == [
        ("xinyang", "andersen-afb"), ("xinyang", "seattle")]
    ok, out = data["corridors"]
    assert ok["reachable"] and not out["reachable"] and "reach" in out["reason"].lower()
    assert [p["sensor"] for p in ok["sensors"]] == ["kyogamisaki", "seongju"]
    assert all(REQUIRED <= p.keys() for p in ok["sensors"])
    assert data["reachable"] == 1 and len(data["by_sensor"]) == 2
    for s in data["by_sensor"]:
        assert s["tracked_fraction"] in (0.0, 1.0)
        assert 0.0 <= s["only_this_site_fraction"] <= s["tracked_fraction"]
    tracked = {p["sensor"]: math.isfinite(p["track_start_s"]) for p in ok["sensors"]}
    only = {s["sensor"]: s["only_this_site_fraction"] for s in data["by_sensor"]}
    assert only["kyogamisaki"] == float(tracked["kyogamisaki"] and not tracked["seongju"])
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_an_icbm_recorded_flight_reaches_its_impact():
    """The recorded flight a radar's looks are drawn on runs to the impact: an ICBM's ~30
    minute coast fills the 400 steps (at most 2 s apart) a segment keeps and is flown again
    with room for all of it (it ended near apogee, ~970 s into a 1,980 s flight, before).
    A Scud's record is as it was: 400 steps a segment."""
    from thaadsim.physics.geodesy import ecef_to_geodetic
    from thaadsim.systems.threat import fly_threat

    lat0, lon0 = place("daqing")
    lat1, lon1 = place("washington-dc")
    tf = fly_threat("df-41", lat0, lon0, lat1, lon1, record=True)
    t = tf.flight.track_t_s[0]
    last = int(np.nanargmax(t))
    assert t[last] == pytest.approx(tf.flight_time_s, abs=1e-6)
    assert np.nanmax(np.diff(np.sort(t[np.isfinite(t)]))) <= 2.0 + 1e-9
    lat, lon, alt = ecef_to_geodetic(tf.flight.track_state[0, last, :3][None])
    assert abs(float(alt[0])) < 1.0  # metres: the ground
    assert float(lat[0]) == pytest.approx(tf.impact_lat_deg, abs=1e-6)
    scud = fly_threat("scud-c", 39.04, 125.76, 36.05, 128.22, record=True)
    stages = len(get_missile_stages("scud-c"))
    assert scud.flight.track_t_s.shape[1] == 400 * (stages + 2)


def get_missile_stages(slug: str):
    from thaadsim.systems.catalog import get_missile

    return get_missile(slug).rocket.stages


@pytest.mark.slow  # one DF-41 flight past four sensors, ~10 s on a loaded machine
def test_the_readme_example_output_is_what_the_command_gives():
    """The README's surveil example shows, per sensor, the first detection, its range and
    the track length that `thaadsim surveil --missile df-41 --from daqing --to
    washington-dc` gives (rounded as the table rounds them)."""
    import re
    from pathlib import Path

    readme = (Path(__file__).parent.parent / "README.md").read_text("utf-8")
    block = re.search(r"<!-- surveil:start -->(.*?)<!-- surveil:end -->", readme, re.S)
    assert block
    shown = {}
    for line in block.group(1).splitlines():
        cells = [c.strip() for c in line.strip().strip("│").split("│")]
        if len(cells) == 9 and cells[0] and cells[0] != "sensor":
            shown[cells[0]] = cells[1:4]
    code, out, err = run_main("surveil", "--missile", "df-41", "--from", "daqing", "--to",
                              "washington-dc", "--json")
    assert code == 0, err
    data = json.loads(out)

    def cell(x, fmt=",.0f"):
        return "-" if x is None else format(x, fmt)

    got = {p["sensor"]: [cell(p["first_detection_s"]), cell(p["first_detection_range_km"]),
                         cell(p["track_s"])] for p in data["sensors"]}
    assert shown == got


@pytest.mark.slow  # a DF-41 flight and its track with an unscented impact prediction, ~8 s
def test_the_impact_spread_at_a_track_end_against_the_chain_at_its_firm_look():
    """The spread at a track's end is predicted from the track's total position and velocity
    sigmas taken isotropic and uncorrelated (the filter's full covariance is not kept). At
    the firm look the chain predicts from its full covariance (unscented, drag): the two
    agree within 25% (DF-41 from Daqing to Guam, Shariki forward-based, 1 m2: ~7.0 against
    ~8.5 km)."""
    from thaadsim.studies.surveillance import impact_sigma_at
    from thaadsim.systems.catalog import get_missile
    from thaadsim.systems.detection import simulate_detection, truth_from_flight
    from thaadsim.systems.threat import fly_threat

    (lat0, lon0), (lat1, lon1) = place("daqing"), place("andersen-afb")
    tf = fly_threat("df-41", lat0, lon0, lat1, lon1, record=True)
    truth = truth_from_flight(tf.flight, get_missile("df-41").rocket.reentry_beta_kgm2)
    s = sensor_at("shariki", "forward-based")
    tl = simulate_detection(truth, s.radar, s.emplacement, 1.0, np.random.default_rng(0))
    firm = float(tl.firm_track_s[0])
    assert math.isfinite(firm)
    j = int(np.nanargmin(np.abs(tl.look_t_s[0] - firm)))
    approx = impact_sigma_at(truth, firm, float(tl.position_sigma_m[0, j]),
                             float(tl.velocity_sigma_mps[0, j]))
    assert approx == pytest.approx(float(tl.impact_sigma_m[0]), rel=0.25)


def test_corridors_take_site_slugs_and_keep_unreachable_ones():
    """A DF-26 (4,000 km) cannot fly Xinyang to Seattle (~9,500 km): the corridor is kept,
    with its reason, and its table rows say so for every sensor."""
    from thaadsim.studies.surveillance import surveil_corridors

    sensors = [sensor_at("kyogamisaki", "forward-based"), sensor_at("seongju", "terminal")]
    batch = surveil_corridors("df-26", ["xinyang"], ["seattle"], sensors)
    (c,) = batch.corridors
    assert (c.launch, c.target, c.result) == ("xinyang", "seattle", None)
    assert "reach" in c.unreachable
    rows = batch.table()
    assert [r["sensor"] for r in rows] == ["kyogamisaki", "seongju"]
    assert all(not r["reachable"] and not r["detected"] for r in rows)
    assert math.isnan(batch.seen_fraction("seongju"))
