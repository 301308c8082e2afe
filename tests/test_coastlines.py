"""Tests of the region's finer map data (Natural Earth 1:10m, ``data/region_10m.geojson``):
the file, its known places, the lines maps draw from it, and the script that makes it."""

from __future__ import annotations

import importlib.util
import json
import sys
from importlib import resources
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest
import shapely
from shapely.geometry import Point, shape

from thaadsim.errors import InputError
from thaadsim.systems import geography

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "extract_coastlines.py"

BUDGET_BYTES = 2_500_000
"""The size budget for the shipped map data (issue 17's map: <= 2.5 MB in all)."""

# (name, lat_deg, lon_deg, source): places on land, from sources independent of Natural Earth.
ON_LAND = [
    ("Jeju: Hallasan summit", 33.3617, 126.5292, "Wikipedia 'Hallasan': 33 21'42\"N 126 31'45\"E"),
    ("Jeju: near Jeju City", 33.38, 126.55, "issue 17's brief; 2 km south of Jeju City "
     "(Wikipedia 'Jeju City': 33 30'N 126 31'E)"),
    ("Ulleungdo", 37.50, 130.87, "Wikipedia 'Ulleungdo': 37 30'N 130 52'E"),
    ("Tsushima", 34.4167, 129.3333, "Wikipedia 'Tsushima Island': 34 25'N 129 20'E"),
    ("Seoul", 37.5689, 126.9767, "Wikipedia 'Seoul' infobox (data/sites.yaml)"),
    ("Tokyo (Honshu)", 35.6895, 139.6917, "Wikipedia 'Tokyo': 35 41'22\"N 139 41'30\"E"),
    ("Sapporo (Hokkaido)", 43.0667, 141.35, "Wikipedia 'Sapporo': 43 04'N 141 21'E"),
    ("Fukuoka (Kyushu)", 33.5833, 130.4, "Wikipedia 'Fukuoka': 33 35'N 130 24'E"),
    ("Kochi (Shikoku)", 33.5594, 133.5311, "Wikipedia 'Kochi, Kochi': 33 33'34\"N 133 31'52\"E"),
]

# (name, lat_deg, lon_deg, why): open sea, tens of kilometres or more from any coast.
AT_SEA = [
    ("East Sea, Ulleung Basin", 36.0, 131.5, "60 km south-east of Ulleungdo, 190 km off Korea"),
    ("Yellow Sea", 36.0, 124.0, "130 km from Korea's western islands, 170 km from Shandong"),
    ("Sea of Japan", 40.0, 135.0, "its middle: 300 km from Honshu"),
]


@pytest.fixture(scope="module")
def collection() -> dict[str, Any]:
    return geography.region_map_geojson()


@pytest.fixture(scope="module")
def land(collection: dict[str, Any]) -> Any:
    return shapely.union_all([shape(f["geometry"]) for f in collection["features"]
                              if f["properties"]["kind"] == "land"])


def test_the_file_is_valid_geojson_with_its_header(collection: dict[str, Any]) -> None:
    """RFC 7946: a FeatureCollection of Features, LineStrings of two or more positions,
    Polygons of closed rings of four or more with the exterior counter-clockwise; every
    position inside the region's bbox; the header names the source, version and licence."""
    assert collection["type"] == "FeatureCollection"
    assert collection["bbox"] == list(geography.REGION_BOUNDS_LONLAT)
    assert "Natural Earth" in collection["source"] and "1:10m" in collection["source"]
    assert collection["version"].startswith("Natural Earth 4.0.0")
    assert "Public domain" in collection["licence"]
    lon_min, lat_min, lon_max, lat_max = collection["bbox"]
    kinds: dict[str, int] = {}
    for feature in collection["features"]:
        assert feature["type"] == "Feature"
        kind = feature["properties"]["kind"]
        kinds[kind] = kinds.get(kind, 0) + 1
        geometry = shape(feature["geometry"])
        assert geometry.is_valid and not geometry.is_empty, feature["properties"]
        xy = shapely.get_coordinates(geometry)
        assert (xy[:, 0] >= lon_min).all() and (xy[:, 0] <= lon_max).all()
        assert (xy[:, 1] >= lat_min).all() and (xy[:, 1] <= lat_max).all()
        if kind == "land":
            assert feature["geometry"]["type"] == "Polygon"
            assert "name" not in feature["properties"]
            assert shapely.is_ccw(geometry.exterior)
        else:
            assert feature["geometry"]["type"] == "LineString"
            assert len(feature["geometry"]["coordinates"]) >= 2
            assert ("name" in feature["properties"]) == (kind == "border")
    assert set(kinds) == set(geography.REGION_KINDS)
    assert min(kinds.values()) >= 10, kinds


def test_within_the_size_budget() -> None:
    data = resources.files("thaadsim.data")
    size = len(data.joinpath(geography.REGION_FILE).read_bytes())
    assert 200_000 < size <= BUDGET_BYTES, size


def test_a_new_dict_each_call(collection: dict[str, Any]) -> None:
    changed = geography.region_map_geojson()
    changed["features"].clear()
    assert geography.region_map_geojson()["features"] == collection["features"]


@pytest.mark.parametrize(("name", "lat", "lon", "source"), ON_LAND)
def test_known_places_are_on_land(land: Any, name: str, lat: float, lon: float,
                                  source: str) -> None:
    assert land.contains(Point(lon, lat)), f"{name} ({source})"


@pytest.mark.parametrize(("name", "lat", "lon", "why"), AT_SEA)
def test_open_sea_is_not_land(land: Any, name: str, lat: float, lon: float, why: str) -> None:
    assert not land.intersects(Point(lon, lat).buffer(0.2)), f"{name} ({why})"


def test_finer_than_the_110m_borders(land: Any) -> None:
    """Jeju and Ulleungdo are absent at 1:110m (the shipped countries), present here; and
    Jeju's area is its published 1,846 km^2 (Wikipedia 'Jeju Island') within 5 %."""
    coarse = shapely.union_all([c.geometry for c in geography.countries().values()])
    jeju, ulleung = Point(126.5292, 33.3617), Point(130.87, 37.50)
    assert not coarse.contains(jeju) and not coarse.contains(ulleung)
    (island,) = [p for p in shapely.get_parts(land) if p.contains(jeju)]
    assert geography.geodesic_area_km2(island) == pytest.approx(1846.0, rel=0.05)


def test_the_borders_of_the_peninsula(collection: dict[str, Any]) -> None:
    """Named land borders: China - North Korea along the Yalu and Tumen, North Korea -
    Russia, and the line between the Koreas (the Military Demarcation Line, across the
    peninsula near 38 N)."""
    names = {f["properties"]["name"] for f in collection["features"]
             if f["properties"]["kind"] == "border"}
    assert {"China - North Korea", "North Korea - Russia", "North Korea - South Korea"} <= names
    (mdl,) = [shape(f["geometry"]) for f in collection["features"]
              if f["properties"].get("name") == "North Korea - South Korea"]
    lon_min, lat_min, lon_max, lat_max = mdl.bounds
    assert lon_min < 126.7 and lon_max > 128.3 and 37.5 < lat_min < lat_max < 38.7


def test_map_lines_keep_the_islands_a_map_can_show() -> None:
    """A map of the peninsula (12 degrees across) draws Jeju, Ulleungdo and Tsushima as
    closed coastlines, also in the per-line borders_for_map that keeps fewer islands; a map
    of the whole region leaves out islets under 1/500 of its span and has fewer lines; a
    box beyond the region draws the 1:110m outlines."""
    def rings_around(lines: list[Any], lon: float, lat: float) -> int:
        return sum(1 for x, y in lines if x[0] == x[-1] and y[0] == y[-1]
                   and x.min() < lon < x.max() and y.min() < lat < y.max())

    korea = geography.map_lines((121.0, 32.0, 133.0, 42.0))
    for lon, lat in ((126.5292, 33.3617), (130.87, 37.50), (129.3333, 34.4167)):
        assert rings_around(korea["coast"], lon, lat) == 1, (lon, lat)
    assert korea["border"]
    xy = np.concatenate([np.column_stack(line) for line in korea["coast"]])
    assert xy[:, 0].min() >= 121.0 and xy[:, 0].max() <= 133.0
    region = geography.map_lines(geography.REGION_BOUNDS_LONLAT)
    span = max(np.ptp(b) for b in np.reshape(geography.REGION_BOUNDS_LONLAT, (2, 2)).T)
    islets = [x for x, y in region["coast"]
              if x[0] == x[-1] and y[0] == y[-1] and max(np.ptp(x), np.ptp(y)) < span / 500]
    assert not islets
    shipped = sum(1 for f in geography.region_map_geojson()["features"]
                  if f["properties"]["kind"] == "coast")
    assert len(region["coast"]) < 0.8 * shipped
    per_line = geography.borders_for_map((121.0, 32.0, 133.0, 42.0))  # one ax.plot a line
    assert len(per_line) < 0.5 * len(korea["coast"])
    for lon, lat in ((126.5292, 33.3617), (130.87, 37.50), (129.3333, 34.4167)):
        assert rings_around(per_line, lon, lat) == 1, (lon, lat)
    pacific = geography.map_lines((170.0, 55.0, 200.0, 72.0))  # Chukotka and Alaska
    assert pacific["coast"] and not pacific["border"]
    assert max(float(x.max()) for x, _ in pacific["coast"]) > 190.0


@pytest.mark.parametrize("bounds", [(0, 0, 1), (10, 0, 5, 1), (-600, 0, 0, 1), (0, 0, 400, 1),
                                    (0, 0, float("nan"), 1), "abcd"])
def test_map_lines_refuses_bad_boxes(bounds: Any) -> None:
    with pytest.raises(InputError, match="bounds_lonlat"):
        geography.map_lines(bounds)


# -- the extraction script, on a small fixture --------------------------------------------


def _script() -> ModuleType:
    sys.path.insert(0, str(SCRIPT.parent))
    try:
        spec = importlib.util.spec_from_file_location("extract_coastlines", SCRIPT)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(SCRIPT.parent))
    return module


def _fc(features: list[tuple[dict[str, Any], dict[str, Any]]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": p, "geometry": g} for p, g in features]}


def _write_fixture(folder: Path) -> None:
    """A coast with a jagged bay, an island, an islet and a border, inside (0..10, 0..10)."""
    bay = [[0.0, 0.0], [6.0, 0.0], [6.0, 3.0], [5.0, 3.0005], [4.00004, 3.0], [3.0, 5.0],
           [3.0, 12.0], [0.0, 12.0], [0.0, 0.0]]
    island = [[8.0, 8.0], [9.0, 8.0], [9.0, 9.0], [8.0, 9.0], [8.0, 8.0]]
    islet = [[7.0, 1.0], [7.0001, 1.0], [7.0001, 1.0001], [7.0, 1.0]]
    far = [[50.0, 50.0], [51.0, 50.0], [51.0, 51.0], [50.0, 50.0]]
    poly = {"type": "Polygon", "coordinates": [bay]}
    (folder / "ne_10m_land.json").write_text(json.dumps(_fc([
        ({"featurecla": "Land"}, poly),
        ({"featurecla": "Land"}, {"type": "Polygon", "coordinates": [island]}),
        ({"featurecla": "Land"}, {"type": "Polygon", "coordinates": [far]})])))
    (folder / "ne_10m_minor_islands.json").write_text(json.dumps(_fc([
        ({"featurecla": "Minor island"}, {"type": "Polygon", "coordinates": [islet]})])))
    (folder / "ne_10m_coastline.json").write_text(json.dumps(_fc([
        ({"featurecla": "Coastline"}, {"type": "LineString", "coordinates": bay[:-1]}),
        ({"featurecla": "Coastline"}, {"type": "LineString", "coordinates": island})])))
    border = {"type": "LineString", "coordinates": [[0.0, 8.0], [1.5, 8.3], [3.0, 8.0]]}
    dmz = {"type": "LineString", "coordinates": [[0.0, 7.0], [3.0, 7.0]]}
    (folder / "ne_10m_admin_0_boundary_lines_land.json").write_text(json.dumps(_fc([
        ({"featurecla": "International boundary (verify)", "adm0_left": "Zeta",
          "adm0_right": "Alpha"}, border),
        ({"featurecla": "Overlay limit", "adm0_left": "Alpha", "adm0_right": "Alpha"}, dmz)])))


def test_extraction_is_deterministic_and_does_what_it_says(tmp_path: Path) -> None:
    """Twice the same bytes; cut to the bounds (the coast leaves the box at lat 10), the bay's
    0.0005-degree jag simplified away at a 0.01-degree tolerance, coordinates at 2 decimals,
    the islet (0.0001 degree) left out, the border named in alphabetical order, the DMZ's
    overlay limit left out, and the header as the shipped file's."""
    module = _script()
    assert tuple(module.REGION_BOUNDS_LONLAT) == geography.REGION_BOUNDS_LONLAT
    _write_fixture(tmp_path)
    out_a, out_b = tmp_path / "a.geojson", tmp_path / "b.geojson"
    args = [str(tmp_path), "--bounds", "0", "0", "10", "10", "--tolerance-deg", "0.01",
            "--decimals", "2"]
    module.main([*args, "-o", str(out_a)])
    module.main([*args, "-o", str(out_b)])
    assert out_a.read_bytes() == out_b.read_bytes()
    result = json.loads(out_a.read_text())
    assert result["bbox"] == [0.0, 0.0, 10.0, 10.0] and "Public domain" in result["licence"]
    by_kind: dict[str, list[Any]] = {}
    for feature in result["features"]:
        by_kind.setdefault(feature["properties"]["kind"], []).append(feature)
    assert len(by_kind["land"]) == 2  # the bay's land and the island; the islet is gone
    assert [f["properties"]["name"] for f in by_kind["border"]] == ["Alpha - Zeta"]
    all_xy = np.concatenate([shapely.get_coordinates(shape(f["geometry"]))
                             for f in result["features"]])
    assert all_xy.max() <= 10.0 and all_xy.min() >= 0.0
    assert np.allclose(all_xy, np.round(all_xy, 2))
    bay_coast = max((shape(f["geometry"]) for f in by_kind["coast"]), key=lambda g: g.length)
    assert [5.0, 3.0] not in shapely.get_coordinates(bay_coast).tolist()  # jag simplified
    assert shapely.get_coordinates(bay_coast).max(axis=0)[1] == 10.0  # cut at the box
