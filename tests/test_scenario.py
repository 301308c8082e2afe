"""Scenario files: the built-ins load and convert, and every kind of bad input is refused
with one line naming the file, the line, the field path, the bad value and what is allowed.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import numpy as np
import pytest

from thaadsim.commands import run_command_data
from thaadsim.errors import InputError
from thaadsim.physics.geodesy import geodesic_inverse
from thaadsim.run import run_engagement
from thaadsim.scenario import (
    builtin_names,
    list_scenarios,
    load_scenario,
    parse_scenario,
    scenario_text,
)
from thaadsim.systems.catalog import get_site

BUILTINS = ("korea-2017", "korea-2022", "korea-2026", "saturation", "layered")

# A small scenario whose line numbers the error cases below rely on.
BASE = """\
name: test
description: "a small scenario for the tests"
run:
  trials: 10
  seed: 3
  band_km: [40, 150]
defense:
  doctrine: shoot-look-shoot
  radars:
    - {site: seongju, mode: terminal, boresight_deg: 330}
  batteries:
    - battery: seongju
      launchers: 2
  assets:
    - {name: Osan, site: osan, radius_km: 20}
  engage_all: false
raid:
  - name: scuds
    missile: scud-b
    count: 2
    launch: {lat_deg: 38.65, lon_deg: 125.80}
    aim: {site: osan}
    interval_s: 5
"""


def edit(line: int, text: str) -> str:
    """BASE with line ``line`` (1-based) replaced by ``text`` (which may add lines after)."""
    lines = BASE.splitlines()
    lines[line - 1] = text
    return "\n".join(lines) + "\n"


def refused(tmp_path: Path, text: str) -> str:
    """Load ``text`` from a file; it must be refused with one line, and nothing written."""
    path = tmp_path / "bad.yaml"
    path.write_text(text, "utf-8")
    with pytest.raises(InputError) as exc:
        load_scenario(path)
    msg = str(exc.value)
    assert "\n" not in msg
    assert "Traceback" not in msg
    assert list(tmp_path.iterdir()) == [path]
    return msg


# --------------------------------------------------------------------------------------------
# Built-ins
# --------------------------------------------------------------------------------------------


def test_builtins_are_listed_with_descriptions() -> None:
    listed = dict(list_scenarios())
    assert set(BUILTINS) <= set(listed)
    assert list(listed) == builtin_names()
    for name in BUILTINS:
        assert len(listed[name]) > 40, name


@pytest.mark.parametrize("name", BUILTINS)
def test_builtin_loads_and_converts(name: str) -> None:
    scn = load_scenario(name)
    assert scn.name == name  # the file's name: key matches the file
    assert scn.text == scenario_text(name)
    kw = scn.to_run_kwargs()
    assert set(kw) == set(inspect.signature(run_engagement).parameters)
    assert len(kw["raid"]) == len(kw["groups"]) == scn.threat_count
    assert kw["trials"] == scn.spec.run.trials and kw["seed"] == scn.spec.run.seed
    assert kw["band_m"] == (40e3, 150e3)
    assert kw["scenario_text"] == scn.text and kw["description"]
    assert 10 <= scn.threat_count <= 30


@pytest.mark.parametrize("name", BUILTINS)
def test_builtin_figures_carry_a_comment(name: str) -> None:
    """Every figure of the defense and the raid's sizes has its source (or its assumption)
    on its line."""
    figures = re.compile(r"\s*-?\s*(launchers|interceptors_per_launcher|band_km|"
                         r"boresight_deg|count|doctrine|trials):")
    lines = [ln for ln in scenario_text(name).splitlines() if figures.match(ln)]
    found = {m.group(1) for m in map(figures.match, lines) if m}
    # every scenario states its batteries, its raid's sizes and its trials: the check ran
    assert {"launchers", "interceptors_per_launcher", "count", "trials"} <= found, found
    unsourced = [ln.strip() for ln in lines if "#" not in ln]
    assert not unsourced, f"{name}: these figures name no source: {unsourced}"


def test_builtin_contents() -> None:
    k17, k22 = load_scenario("korea-2017"), load_scenario("korea-2022")
    assert [b.inventory for b in k17.defense.batteries] == [16]  # 2 x 8 (Yonhap 2017)
    assert [b.inventory for b in k22.defense.batteries] == [48]  # 6 x 8 (NPR 2022)
    assert [s.mode for s in k17.defense.sensors] == ["terminal"]
    missiles = {th.missile.slug for th in k17.to_run_kwargs()["raid"]}
    assert {"mrl-240", "kn-02", "scud-b", "scud-c", "nodong"} <= missiles
    assert any(g.shape == "lofted" for g in k17.groups)
    assert {a.name for a in k17.defense.assets} >= {"Seongju", "Busan", "Seoul",
                                                    "Osan Air Base"}

    sat = load_scenario("saturation").to_run_kwargs()
    assert len(sat["raid"]) == 24 and {th.launch_t_s for th in sat["raid"]} == {0.0}

    lay = load_scenario("layered").defense
    assert [b.interceptor.slug for b in lay.batteries] == ["thaad", "pac-3-mse", "pac-3-mse"]
    assert [b.site.slug for b in lay.batteries] == ["seongju", "osan", "pyeongtaek"]
    assert [b.doctrine for b in lay.batteries] == [None, "salvo-2", "salvo-2"]


def test_korea_2026_holds_todays_threats_and_defenses() -> None:
    """Issue 16 part 4: today's threats (the post-2017 arsenal, the SLBM from behind the
    Seongju face) and today's defenses (THAAD with 6 launchers over PAC-3 MSE at the
    35th ADA Brigade's bases); ``thaadsim run``'s default stays korea-2017."""
    k26 = load_scenario("korea-2026")
    d = k26.defense
    assert [b.interceptor.slug for b in d.batteries] == ["thaad"] + ["pac-3-mse"] * 4
    assert [b.site.slug for b in d.batteries] == ["seongju", "osan", "suwon", "kunsan",
                                                  "camp-carroll"]
    assert d.batteries[0].inventory == 48  # 6 x 8 (NPR 2022; ROK MND via Xinhua 2017)
    missiles = {th.missile.slug for th in k26.to_run_kwargs()["raid"]}
    assert {"kn-23", "kn-24", "kn-25", "kn-23-slbm"} <= missiles
    slbm = next(g for g in k26.groups if g.missile == "kn-23-slbm")
    seongju = d.sensors[0]
    # the SLBM's launch point lies outside the face's +-60 deg sector
    bearing = geodesic_inverse(seongju.emplacement.lat_deg, seongju.emplacement.lon_deg,
                               slbm.launch.centre.lat_deg, slbm.launch.centre.lon_deg)[1]
    off = (float(bearing) - seongju.emplacement.boresight_deg + 180.0) % 360.0 - 180.0
    assert abs(off) > seongju.radar.scan_half_width_deg
    run_default = inspect.signature(run_command_data).parameters["scenario"].default
    assert run_default == "korea-2017"


def test_boresight_defaults_to_the_mean_launch_point() -> None:
    """saturation gives no boresight: the radar faces its one launch area's centre."""
    scn = load_scenario("saturation")
    seongju = get_site("seongju")
    _, bearing, _ = geodesic_inverse(seongju.lat_deg, seongju.lon_deg, 39.17, 127.45)
    (sensor,) = scn.defense.sensors
    assert sensor.emplacement.boresight_deg == pytest.approx(float(bearing) % 360.0, abs=1e-6)


def test_launch_areas_are_drawn_from_the_seed() -> None:
    scn = load_scenario("saturation")
    a = scn.to_run_kwargs(seed=5)["raid"]
    b = scn.to_run_kwargs(seed=5)["raid"]
    c = scn.to_run_kwargs(seed=6)["raid"]
    assert a == b and a != c
    lat = np.array([th.launch_lat_deg for th in a])
    lon = np.array([th.launch_lon_deg for th in a])
    dist, _, _ = geodesic_inverse(39.17, 127.45, lat, lon)
    assert np.all(dist <= 20e3 + 1.0)  # inside the 20 km disc
    assert len(set(lat)) == 24  # distinct points


def test_overrides_and_their_checks() -> None:
    scn = parse_scenario(BASE, "base.yaml")
    kw = scn.to_run_kwargs(trials=3, seed=9)
    assert (kw["trials"], kw["seed"]) == (3, 9)
    assert [th.launch_t_s for th in kw["raid"]] == [0.0, 5.0]
    assert kw["groups"] == ["scuds", "scuds"]
    with pytest.raises(InputError, match=r"trials: 0 is out of range; allowed: .*1 to 100,000"):
        scn.to_run_kwargs(trials=0)
    with pytest.raises(InputError, match=r"seed: -1 is out of range"):
        scn.to_run_kwargs(seed=-1)


def test_defaults() -> None:
    """Left out: the run's trials, seed and band, the radar's mode, shape, rcs, count."""
    text = """\
defense:
  radars: [{site: seongju}]
  batteries: [{battery: seongju}]
  engage_all: true
raid:
  - {missile: scud-c, launch: {site: pyongyang}, aim: {site: seongju}}
"""
    scn = parse_scenario(text, "minimal.yaml")
    assert scn.name == "minimal" and scn.description == ""
    assert (scn.trials, scn.seed, scn.band_m) == (100, 0, (40e3, 150e3))
    assert [s.mode for s in scn.defense.sensors] == ["terminal"]
    assert scn.defense.doctrine == "shoot-look-shoot"
    (th,) = scn.to_run_kwargs()["raid"]
    assert (th.shape, th.rcs_m2, th.apogee_km, th.launch_t_s) == ("min-energy", 0.1, None, 0.0)
    assert scn.groups[0].name == "scud-c on Seongju THAAD site"


def test_a_tiny_scenario_runs() -> None:
    """The keyword arguments drive the real run (2 trials of 1 Scud-B)."""
    scn = parse_scenario(edit(20, "    count: 1"), "tiny.yaml")
    out = run_engagement(**scn.to_run_kwargs(trials=2))
    assert out.name == "test" and out.trials == 2 and out.seed == 3
    assert out.groups == ("scuds",) and out.scenario_text.startswith("name: test")
    assert out.result.n_threats == 1 and out.defense.batteries[0].inventory == 16


# --------------------------------------------------------------------------------------------
# Bad input, case by case: (line edited, new text, line reported, field path, bad value,
# something the message must say is allowed)
# --------------------------------------------------------------------------------------------

CASES = {
    "wrong key": (13, "      launcher: 2", 13, "defense.batteries[0].launcher", "'launcher'",
                  "interceptors_per_launcher"),
    "wrong key at the top": (2, "descripton: x", 2, "descripton", "'descripton'",
                             "description"),
    "wrong type (text for a number)": (4, "  trials: ten", 4, "run.trials", "'ten'",
                                       "a whole number from 1 to 100,000"),
    "wrong type (a fraction for a count)": (20, "    count: 2.5", 20, "raid[0].count", "2.5",
                                            "a whole number from 1 to 500"),
    "wrong type (a number for true/false)": (16, "  engage_all: 3", 16, "defense.engage_all",
                                             "3", "true or false"),
    "wrong type (text for a mapping)": (22, "    aim: osan", 22, "raid[0].aim", "'osan'",
                                        "site, or lat_deg/lon_deg"),
    "unknown site": (22, "    aim: {site: atlantis}", 22, "raid[0].aim.site", "'atlantis'",
                     "seongju"),
    "unknown missile": (19, "    missile: scud-z", 19, "raid[0].missile", "'scud-z'",
                        "scud-b"),
    "unknown battery": (12, "    - battery: thaad-9", 12, "defense.batteries[0].battery",
                        "'thaad-9'", "osan-pac3"),
    "unknown interceptor": (13, "      interceptor: arrow-3", 13,
                            "defense.batteries[0].interceptor", "'arrow-3'", "pac-3-mse"),
    "unknown radar mode": (10, "    - {site: seongju, mode: fbm}", 10,
                           "defense.radars[0].mode", "'fbm'", "forward-based"),
    "unknown doctrine": (8, "  doctrine: shoot-look", 8, "defense.doctrine", "'shoot-look'",
                         "shoot-shoot-look-shoot"),
    "unknown battery doctrine": (13, "      doctrine: salvo-4", 13,
                                 "defense.batteries[0].doctrine", "'salvo-4'", "salvo-3"),
    "unknown shape": (23, "    shape: parabolic", 23, "raid[0].shape", "'parabolic'",
                      "lofted"),
    "trials out of range": (4, "  trials: 0", 4, "run.trials", "0", "1 to 100,000"),
    "count out of range": (20, "    count: 501", 20, "raid[0].count", "501", "1 to 500"),
    "boresight out of range": (10, "    - {site: seongju, boresight_deg: 360}", 10,
                               "defense.radars[0].boresight_deg", "360", "below 360"),
    "latitude out of range": (21, "    launch: {lat_deg: 98.6, lon_deg: 125.8}", 21,
                              "raid[0].launch.lat_deg", "98.6", "-90 to 90"),
    "negative radius": (15, "    - {name: Osan, site: osan, radius_km: -5}", 15,
                        "defense.assets[0].radius_km", "-5", "above 0"),
    "radar cross-section out of range": (23, "    rcs_m2: 0", 23, "raid[0].rcs_m2", "0",
                                         "from 1e-06 to 10,000 m2"),
    "band upside down": (6, "  band_km: [150, 40]", 6, "run.band_km", "[150, 40]",
                         "low < high"),
    "band of one altitude": (6, "  band_km: [40]", 6, "run.band_km", "1 item", "[low, high]"),
    "two radars": (10, "    - {site: seongju}\n    - {site: osan}", 9, "defense.radars",
                   "2 items", "exactly one radar"),
    "out of reach": (19, "    missile: kn-02", 22, "raid[0].aim", "'osan'",
                     "at most 124 km away"),
    "apogee on a min-energy shot": (23, "    apogee_km: 90", 23, "raid[0].apogee_km", "90",
                                    "lofted or depressed"),
    "site and a point": (22, "    aim: {site: osan, lat_deg: 37}", 22, "raid[0].aim.lat_deg",
                         "'osan'", "either site or lat_deg and lon_deg"),
    "half a point": (22, "    aim: {lat_deg: 37}", 22, "raid[0].aim.lon_deg", "lat_deg",
                     "both lat_deg and lon_deg"),
    "a key twice": (20, "    count: 2\n    count: 3", 21, "raid[0].count", "'count'",
                    "each key once"),
    "missing field": (19, "    # no missile", 18, "raid[0].missile", "missing",
                      "a missile slug"),
    "no assets": (15, "    []", 14, "defense.assets", "[] (no defended asset",
                  "engage_all: true"),
    "two groups of one name": (23, "    interval_s: 5\n" + BASE.split("raid:\n")[1].rstrip(),
                               24, "raid[1].name", "'scuds'", "a name of its own"),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_bad_input_is_refused_with_one_clear_line(tmp_path: Path, case: str) -> None:
    edit_line, text, line, field, value, allowed = CASES[case]
    msg = refused(tmp_path, edit(edit_line, text))
    assert msg.startswith(f"{tmp_path / 'bad.yaml'}:{line}: {field}: "), msg
    assert value in msg, msg
    assert "allowed: " in msg or "required: " in msg, msg
    assert allowed in msg, msg


def test_yaml_syntax_error(tmp_path: Path) -> None:
    msg = refused(tmp_path, edit(20, "    count: 2: 3"))
    assert msg.startswith(f"{tmp_path / 'bad.yaml'}:20: YAML syntax error, column "), msg
    assert "mapping values are not allowed here" in msg and "'count: 2: 3'" in msg
    assert "allowed: YAML mappings" in msg


def test_unclosed_bracket_names_where_it_opened(tmp_path: Path) -> None:
    msg = refused(tmp_path, edit(6, "  band_km: [40, 150"))
    assert "YAML syntax error" in msg and "starts on line 6" in msg, msg


@pytest.mark.parametrize("text, shown", [("", "an empty file"), ("- a\n- b\n", "['a', 'b']"),
                                         ("just text\n", "'just text'")])
def test_not_a_mapping(tmp_path: Path, text: str, shown: str) -> None:
    msg = refused(tmp_path, text)
    assert msg.startswith(f"{tmp_path / 'bad.yaml'}:1: (top level): {shown}"), msg
    assert "allowed: a mapping with keys name, description, run, defense, raid" in msg


def test_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    with pytest.raises(InputError) as exc:
        load_scenario(str(missing))
    msg = str(exc.value)
    assert msg.startswith(f"{missing}: no such file; allowed: ") and "korea-2017" in msg
    assert not missing.exists()


def test_unknown_builtin() -> None:
    with pytest.raises(InputError) as exc:
        load_scenario("korea-2099")
    msg = str(exc.value)
    assert msg.startswith("scenario 'korea-2099': no built-in scenario of that name")
    for name in BUILTINS:
        assert name in msg
    with pytest.raises(InputError, match="korea-2099"):
        scenario_text("korea-2099")


def test_builtin_by_path_equals_by_name(tmp_path: Path) -> None:
    path = tmp_path / "copy.yaml"
    path.write_text(scenario_text("layered"), "utf-8")
    by_path = load_scenario(path)
    assert by_path.defense == load_scenario("layered").defense
    assert by_path.source == str(path)
