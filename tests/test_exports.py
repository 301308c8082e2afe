"""Exports: the Parquet tables round-trip, the summary is JSON, the CZML and KML parse.

One small run (two Scud-C from Pyongyang at Seongju, 3 trials) is written once; each test
reads back what was written. References: the CZML packet structure
(https://github.com/AnalyticalGraphicsInc/czml-writer/wiki/Packet), a document packet first
with the clock; KML 2.2 (OGC 07-147r2), Placemarks inside Folders.
"""

from __future__ import annotations

import dataclasses
import json
import math
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from thaadsim.engagement import DefendedAsset, Defense, RaidThreat
from thaadsim.physics.geodesy import geodesic_inverse
from thaadsim.report import exports
from thaadsim.run import RunOutput, run_engagement
from thaadsim.systems.catalog import Site, get_missile, get_radar
from thaadsim.systems.fire_control import get_battery
from thaadsim.systems.sensors import Sensor

TERMINAL = get_radar("terminal").radar

PYONGYANG = (39.0194, 125.7381)
SEONGJU = (36.0494, 128.2262)
KML_NS = {"k": "http://www.opengis.net/kml/2.2"}


def _defense() -> Defense:
    site = Site(slug="test-site", name="test site", lat_deg=SEONGJU[0], lon_deg=SEONGJU[1],
                alt_m=100.0, figures={})
    battery = dataclasses.replace(get_battery("seongju"), site=site, slug="test")
    _, bearing, _ = geodesic_inverse(*SEONGJU, *PYONGYANG)
    return Defense(batteries=(battery,), sensors=(Sensor(name="radar", radar=TERMINAL,
                                  emplacement=site.emplacement(float(bearing) % 360.0)),),
                   assets=(DefendedAsset(name="Seongju", lat_deg=SEONGJU[0],
                                         lon_deg=SEONGJU[1], radius_m=20e3),))


@pytest.fixture(scope="module")
def run() -> RunOutput:
    raid = [RaidThreat(missile=get_missile("scud-c"), launch_lat_deg=PYONGYANG[0],
                       launch_lon_deg=PYONGYANG[1], aim_lat_deg=SEONGJU[0],
                       aim_lon_deg=SEONGJU[1]),
            RaidThreat(missile=get_missile("scud-c"), launch_lat_deg=PYONGYANG[0],
                       launch_lon_deg=PYONGYANG[1], aim_lat_deg=SEONGJU[0] + 0.05,
                       aim_lon_deg=SEONGJU[1], launch_t_s=30.0)]
    return run_engagement(raid, _defense(), trials=3, seed=1, groups=["first", "second"],
                          name="exports test", description="two Scud-C at Seongju")


@pytest.fixture(scope="module")
def written(run: RunOutput, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return exports.write_exports(run, tmp_path_factory.mktemp("run"))


def test_layout(written: dict[str, Path]) -> None:
    root = written["czml"].parent
    assert written["czml"] == root / "scenario.czml"
    assert written["kml"] == root / "scenario.kml"
    for name in ("threats", "shots", "tracks"):
        assert written[name] == root / "results" / f"{name}.parquet"
    assert written["summary"] == root / "results" / "summary.json"
    assert all(p.stat().st_size > 0 for p in written.values())


def test_parquet_round_trip(run: RunOutput, written: dict[str, Path]) -> None:
    """Reading a table back gives the frame it was written from, dtypes included."""
    assert_frame_equal(pd.read_parquet(written["threats"]), run.threats_frame())
    assert_frame_equal(pd.read_parquet(written["shots"]), run.shots_frame())
    assert_frame_equal(pd.read_parquet(written["tracks"]), exports.tracks_frame(run))


def test_tracks_table(run: RunOutput, written: dict[str, Path]) -> None:
    tracks = pd.read_parquet(written["tracks"])
    assert list(tracks.columns) == ["threat", "missile", "group", "t_s", "lat_deg",
                                    "lon_deg", "alt_km", "ground_range_km"]
    for tr in run.tracks:
        rows = tracks[tracks["threat"] == tr.index]
        assert len(rows) == tr.t_s.size
        assert set(rows["group"]) == {run.groups[tr.index]}
        np.testing.assert_array_equal(rows["t_s"], tr.t_s)
        np.testing.assert_allclose(rows["alt_km"], tr.alt_m / 1e3, rtol=1e-12)
    # one sample a second, from launch
    assert np.allclose(np.diff(tracks[tracks["threat"] == 1]["t_s"]), 1.0)
    assert tracks[tracks["threat"] == 1]["t_s"].iloc[0] == pytest.approx(30.0)


def test_empty_shots_round_trip(run: RunOutput, tmp_path: Path) -> None:
    """A run with no shot fired still writes a shots table that reads back equal."""
    shots = {k: v[:0] for k, v in run.result.shots.items()}
    quiet = dataclasses.replace(run, result=dataclasses.replace(run.result, shots=shots))
    exports.write_tables(quiet, tmp_path)
    back = pd.read_parquet(tmp_path / "shots.parquet")
    assert len(back) == 0
    assert_frame_equal(back, quiet.shots_frame())


def test_summary_json(run: RunOutput, written: dict[str, Path]) -> None:
    loaded = json.loads(written["summary"].read_text())
    assert loaded == exports.json_safe(run.summary())
    assert loaded["scenario"] == "exports test"
    assert loaded["trials"] == 3


def test_json_safe() -> None:
    value = {"a": float("nan"), "b": [np.float64(1.5), np.inf], "c": np.int64(3),
             "d": np.array([1.0, np.nan]), 4: "x"}
    assert exports.json_safe(value) == {"a": None, "b": [1.5, None], "c": 3,
                                        "d": [1.0, None], "4": "x"}
    json.dumps(exports.json_safe(value), allow_nan=False)


def test_czml_packets(run: RunOutput, written: dict[str, Path]) -> None:
    doc = json.loads(written["czml"].read_text())
    assert isinstance(doc, list)
    first = doc[0]
    assert first["id"] == "document" and first["version"] == "1.0"
    start, stop = first["clock"]["interval"].split("/")
    assert start.startswith("2017-01-01T00:00:00")
    last_impact = max(float(tr.t_s[-1]) for tr in run.tracks)
    assert stop.startswith(f"2017-01-01T00:{int(last_impact) // 60:02d}:"
                           f"{int(last_impact) % 60:02d}")
    ids = [p["id"] for p in doc]
    assert len(ids) == len(set(ids)), "packet ids are unique"
    by_id = {p["id"]: p for p in doc}
    for tr in run.tracks:
        packet = by_id[f"threat/{tr.index}"]
        pos = packet["position"]
        assert pos["epoch"].startswith("2017-01-01T00:00:00")
        samples = np.asarray(pos["cartographicDegrees"]).reshape(-1, 4)
        assert len(samples) == tr.t_s.size
        np.testing.assert_allclose(samples[:, 0], tr.t_s, atol=1e-3)
        np.testing.assert_allclose(samples[:, 1], tr.lon_deg, atol=1e-6)
        np.testing.assert_allclose(samples[:, 2], tr.lat_deg, atol=1e-6)
        np.testing.assert_allclose(samples[:, 3], tr.alt_m, atol=0.1)
        assert "path" in packet and "point" in packet
        assert f"launch/{tr.index}" in by_id and f"aim/{tr.index}" in by_id
    for bat in run.defense.batteries:
        lon, lat, _ = by_id[f"battery/{bat.slug}"]["position"]["cartographicDegrees"]
        assert (lat, lon) == pytest.approx((bat.site.lat_deg, bat.site.lon_deg))
    assert "radar" in by_id
    assert by_id["asset/0"]["ellipse"]["semiMajorAxis"] == pytest.approx(20e3)
    trial0 = run.result.shots["trial"] == 0
    hits = [p for p in doc if p["id"].startswith("intercept/")]
    assert len(hits) == int(trial0.sum()) > 0
    assert len(doc) == 1 + 3 * len(run.tracks) + len(run.defense.batteries) + 1 \
        + len(run.defense.assets) + len(hits)


def test_czml_validates(written: dict[str, Path]) -> None:
    """czml3 reads the document back into its schema (types, one preamble first)."""
    from czml3 import Document

    doc = Document.load(written["czml"])
    assert doc.packets[0].id == "document" and doc.packets[0].clock is not None


def test_intercept_points_lie_on_the_track(run: RunOutput) -> None:
    """An intercept point is the threat's position at the intercept time: its altitude
    there agrees with the shot's intercept altitude (both from the same trajectory; the
    track is sampled at 1 s, so within the distance a threat falls in a second, 3 km)."""
    found = exports.intercepts(run, trial=0)
    assert [s["intercept_s"] for s in found] == sorted(s["intercept_s"] for s in found)
    for s in found:
        tr = run.tracks[s["threat"]]
        alt = np.interp(s["intercept_s"], tr.t_s, tr.alt_m)
        assert alt == pytest.approx(s["alt_m"], abs=3e3)
        assert tr.t_s[0] <= s["intercept_s"] <= tr.t_s[-1]
        assert math.isfinite(s["lat_deg"]) and math.isfinite(s["lon_deg"])


def test_kml_parses(run: RunOutput, written: dict[str, Path]) -> None:
    root = ET.parse(written["kml"]).getroot()
    folders = {f.findtext("k:name", namespaces=KML_NS): f
               for f in root.iter("{http://www.opengis.net/kml/2.2}Folder")}
    assert tuple(folders) == exports.KML_FOLDERS

    def placemarks(name: str) -> list[ET.Element]:
        return folders[name].findall("k:Placemark", KML_NS)

    n_hits = int((run.result.shots["trial"] == 0).sum())
    assert len(placemarks("Trajectories")) == len(run.tracks)
    assert len(placemarks("Launch and aim points")) == 2 * len(run.tracks)
    assert len(placemarks("Batteries")) == len(run.defense.batteries)
    assert len(placemarks("Radar")) == 1
    assert len(placemarks("Defended assets")) == len(run.defense.assets)
    assert len(placemarks("Intercepts (trial 0)")) == n_hits
    for tr, mark in zip(run.tracks, placemarks("Trajectories"), strict=True):
        line = mark.find("k:LineString", KML_NS)
        assert line is not None
        assert line.findtext("k:altitudeMode", namespaces=KML_NS) == "absolute"
        assert line.findtext("k:extrude", namespaces=KML_NS) == "1"
        coords = (line.findtext("k:coordinates", namespaces=KML_NS) or "").split()
        assert len(coords) == tr.t_s.size
        lon, lat, alt = map(float, coords[0].split(","))
        assert (lat, lon, alt) == pytest.approx(
            (tr.lat_deg[0], tr.lon_deg[0], tr.alt_m[0]), abs=0.1)
