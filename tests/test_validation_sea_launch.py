"""Submarine launch points the catalog does not name (issue 16, judged "with submarine launch
points ... the issue does not name"): an SLBM fired from any point at sea goes through the
same flight, detection, engagement and scenario code as a land launch.

The points are chosen here, not taken from a source: each is open water (checked against the
Natural Earth 1:110m outlines, ~5 km coarse, so each lies clear of them by 0.05 deg) in a
direction the Seongju face (330 deg +-60 deg, sites.yaml's assumption) does or does not cover.
No rule in the model ties a missile to land or sea: a launch point is a latitude and a
longitude, and a land-based missile given a sea point is flown as given (the model has no
basing rule to enforce; the catalog's sea sites carry the SLBMs' reported launch areas).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from cli_helpers import run_main
from shapely.geometry import Point

from thaadsim.physics.geodesy import geodesic_inverse
from thaadsim.systems.catalog import site_catalog
from thaadsim.systems.geography import get_country
from thaadsim.systems.threat import fly_threat

SEA_POINTS = {
    # name: (lat_deg, lon_deg, aim site); bearings are from Seongju (35.98 N, 128.17 E)
    "off Wonsan (Gulf of East Korea, ~50 km ENE of the port)": (39.35, 127.95, "seongju"),
    "off Chongjin (~35 km south-east of the port)": (41.5, 130.1, "seongju"),
    "south of Jeju (~45 km off Seogwipo; behind the face)": (32.8, 126.5, "busan"),
    "Sea of Japan, 38 N 132 E (behind the face)": (38.0, 132.0, "seongju"),
    "Yellow Sea west of Baengnyeong (37.5 N 124 E)": (37.5, 124.0, "seongju"),
}
IDS = list(SEA_POINTS)
SEONGJU_BORESIGHT_DEG, HALF_SCAN_DEG = 330.0, 60.0


def _off_boresight_deg(lat: float, lon: float) -> float:
    s = site_catalog()["seongju"]
    az = float(geodesic_inverse(s.lat_deg, s.lon_deg, lat, lon)[1])
    return abs((az - SEONGJU_BORESIGHT_DEG + 180.0) % 360.0 - 180.0)


@pytest.mark.parametrize("name", IDS)
def test_each_point_is_open_sea(name: str) -> None:
    lat, lon, _ = SEA_POINTS[name]
    point = Point(lon, lat)
    for country in ("North Korea", "South Korea", "Japan", "China", "Russia"):
        assert not get_country(country).geometry.buffer(0.05).contains(point), country


def test_the_points_lie_both_inside_and_behind_the_seongju_face() -> None:
    """Two of the points bear more than 60 deg off the Seongju boresight, so the set tries
    the face's blind directions as well as its covered ones."""
    off = {n: _off_boresight_deg(*SEA_POINTS[n][:2]) for n in IDS}
    assert sum(v > HALF_SCAN_DEG for v in off.values()) >= 2, off
    assert sum(v < HALF_SCAN_DEG for v in off.values()) >= 2, off


@pytest.mark.parametrize("name", IDS)
def test_the_kn23_slbm_flies_from_the_sea_point_to_its_aim(name: str) -> None:
    """A sea point is an ordinary launch point: the KN-23-derived SLBM's minimum-energy
    flight lands within the aiming tolerance (1 km) at the geodesic distance to the aim."""
    lat, lon, aim = SEA_POINTS[name]
    target = site_catalog()[aim]
    flight = fly_threat("kn-23-slbm", lat, lon, target.lat_deg, target.lon_deg)
    dist_m = float(geodesic_inverse(lat, lon, target.lat_deg, target.lon_deg)[0])
    assert flight.miss_m < 1_000.0
    assert flight.range_m == pytest.approx(dist_m, rel=0.01)
    assert np.isfinite(flight.flight_time_s) and flight.apogee_alt_m > 40e3


@pytest.mark.slow  # the detection chain, three trials, twice
def test_detect_from_38n_132e_is_blind_unless_the_face_turns() -> None:
    """From 38 N 132 E (~85 deg off the Seongju boresight) the radar at its 330 deg never sees
    the SLBM; turned toward the launch it does (the command's --boresight-deg)."""
    args = ("detect", "--missile", "kn-23-slbm", "--from", "38,132", "--to", "seongju",
            "--trials", "3", "--json")
    code, out, err = run_main(*args)
    assert code == 0, err
    blind = json.loads(out)
    assert blind["boresight_deg"] == SEONGJU_BORESIGHT_DEG
    assert blind["first_detection_s"] is None and blind["firm_fraction"] == 0.0
    s = site_catalog()["seongju"]
    toward = float(geodesic_inverse(s.lat_deg, s.lon_deg, 38.0, 132.0)[1]) % 360.0
    code, out, err = run_main(*args, "--boresight-deg", f"{toward:.1f}")
    assert code == 0, err
    seen = json.loads(out)
    assert seen["first_detection_s"] is not None and seen["firm_fraction"] == 1.0


@pytest.mark.slow  # detection, tracking and three engagement trials
def test_engage_a_pukguksong_1_from_the_yellow_sea() -> None:
    """The Pukguksong-1 from the Yellow Sea point at Seongju (~400 km, apogee above 100 km):
    engage faces the launch, tracks it and intercepts it in THAAD's band (40-150 km)."""
    code, out, err = run_main("engage", "--missile", "pukguksong-1", "--from", "37.5,124.0",
                              "--to", "seongju", "--trials", "3", "--json")
    assert code == 0, err
    d = json.loads(out)
    assert d["engageable"] and d["firm_track_s"] is not None
    assert 40.0 <= d["intercept_alt_km"] <= 150.0


@pytest.mark.slow  # a four-group scenario through the whole engagement, two trials
def test_a_scenario_with_every_sea_point_kind_runs(tmp_path: Path) -> None:
    """A scenario file whose launches are sea points given as lat_deg/lon_deg and as an area
    at sea loads and runs through :func:`thaadsim.engagement.simulate` (what ``thaadsim run``
    calls): every threat is flown and lands at its aim, each gets an outcome."""
    from thaadsim.engagement import simulate
    from thaadsim.scenario import load_scenario

    groups = [("kn-23-slbm", "41.5", "130.1", "seongju"),
              ("pukguksong-3", "38.0", "132.0", "seongju"),
              ("kn-23-slbm", "32.8", "126.5", "busan")]
    raid = "".join(f"  - {{name: g{i}, missile: {m}, count: 1, launch: {{lat_deg: {la}, "
                   f"lon_deg: {lo}}}, aim: {{site: {a}}}}}\n"
                   for i, (m, la, lo, a) in enumerate(groups))
    raid += ("  - {name: area, missile: pukguksong-1, count: 1, launch: {area: {lat_deg: 37.5,"
             " lon_deg: 124.0, radius_km: 20}}, aim: {site: seongju}}\n")
    path = tmp_path / "sea.yaml"
    path.write_text(
        "name: sea-points\nrun: {trials: 2, seed: 1}\ndefense:\n  sensors:\n"
        "    - {name: seongju, site: seongju, mode: terminal, battery: seongju,"
        " boresight_deg: 330}\n  batteries:\n    - {battery: seongju, name: seongju}\n"
        "  assets:\n    - {name: Seongju, site: seongju, radius_km: 20}\n"
        "    - {name: Busan, site: busan, radius_km: 20}\n  engage_all: true\nraid:\n" + raid,
        "utf-8")
    sc = load_scenario(path)
    threats, _ = sc.raid()
    assert len(threats) == 4
    for th, (_, la, lo, _) in zip(threats, groups, strict=False):
        assert (th.launch_lat_deg, th.launch_lon_deg) == (float(la), float(lo))
    drawn = float(geodesic_inverse(37.5, 124.0, threats[3].launch_lat_deg,
                                   threats[3].launch_lon_deg)[0])
    assert drawn <= 20e3  # the area's launch point is drawn within its 20 km disc
    res = simulate(threats, sc.defense, trials=2, seed=1)
    t = res.threats
    assert len(t["impact_s"]) == 4 * 2
    assert np.all(np.isfinite(t["impact_s"])) and np.all(t["impact_s"] > 0)
    # the Pukguksong-1 from the Yellow Sea comes through the face's covered sector: engaged
    assert t["engageable"][t["threat"] == 3].all()
