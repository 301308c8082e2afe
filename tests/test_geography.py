"""Tests of thaadsim.systems.geography: shipped borders, geodesic areas, territory under a polygon.

References
----------
* National areas: CIA, *The World Factbook*, "Area - total" (land and inland water), as
  published in the editions 2013-2024 (unchanged over them).
* Area of a latitude-longitude quadrangle on the ellipsoid: J. P. Snyder, *Map Projections -
  A Working Manual*, USGS Professional Paper 1395 (1987), eq. 3-12 (the authalic ``q``); the
  area between latitudes phi1, phi2 over a longitude span dlam (radians) is
  ``a**2 / 2 * dlam * (q(phi2) - q(phi1))``.
"""

from __future__ import annotations

import json
import math
from importlib import resources

import numpy as np
import pyproj
import pytest
import shapely
from shapely.geometry import MultiPolygon, Polygon, box

from thaadsim.errors import InputError
from thaadsim.systems.geography import (
    ALIASES,
    Country,
    borders_for_map,
    countries,
    geodesic_area_km2,
    get_country,
    territory_under,
)

A_M = 6378137.0
F = 1.0 / 298.257223563
E2 = F * (2.0 - F)
E = math.sqrt(E2)


def snyder_q(lat_deg: float) -> float:
    """Snyder (1987) eq. 3-12."""
    s = math.sin(math.radians(lat_deg))
    return (1.0 - E2) * (s / (1.0 - E2 * s * s) - math.log((1.0 - E * s) / (1.0 + E * s)) / (2 * E))


def quadrangle_km2(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Exact WGS84 area of the region bounded by two meridians and two parallels."""
    dlam = math.radians(lon2 - lon1)
    return A_M**2 / 2.0 * dlam * (snyder_q(lat2) - snyder_q(lat1)) / 1e6


def densified_box(lon1: float, lat1: float, lon2: float, lat2: float) -> Polygon:
    """A lon/lat box whose edges follow the parallels (vertices every 0.01 deg)."""
    return shapely.segmentize(box(lon1, lat1, lon2, lat2), max_segment_length=0.01)


# --- the shipped data ---------------------------------------------------------------------


def test_shipped_file_names_its_source_and_licence() -> None:
    text = resources.files("thaadsim.data").joinpath("countries_110m.geojson").read_text("utf-8")
    data = json.loads(text)
    assert "Natural Earth" in data["source"] and "110m" in data["source"]
    assert "public domain" in data["licence"].lower()
    assert len(data["features"]) == 177


def test_countries_are_valid_and_iso_codes_fixed() -> None:
    table = countries()
    assert len(table) == 177
    assert all(isinstance(c, Country) for c in table.values())
    assert all(c.geometry.is_valid and c.area_km2 > 0 for c in table.values())
    assert table["France"].iso_a3 == "FRA" and table["Norway"].iso_a3 == "NOR"
    # Natural Earth's "-99": no ISO 3166-1 code, documented in the data file.
    assert {n for n, c in table.items() if c.iso_a3 == "-99"} == {
        "Kosovo",
        "N. Cyprus",
        "Somaliland",
    }
    codes = [c.iso_a3 for c in table.values() if c.iso_a3 != "-99"]
    assert len(codes) == len(set(codes))
    # A new dict each call: callers cannot corrupt the cache.
    table.clear()
    assert len(countries()) == 177


# Published total areas (CIA World Factbook), km^2.
PUBLISHED_KM2 = {
    "KOR": 99_720,
    "PRK": 120_538,
    "JPN": 377_915,
    "CHN": 9_596_960,
    "RUS": 17_098_242,
    "TWN": 35_980,
    "MNG": 1_564_116,
}

HAIRLINE_KM = 11.0
"""Positional uncertainty of a 1:110m line: 0.1 mm, the finest line a printed map draws, at a
scale of 1:110,000,000 is 11 km on the ground."""


@pytest.mark.parametrize("code", sorted(PUBLISHED_KM2))
def test_country_area_matches_published_figure(code: str) -> None:
    """Generalised area against the published area.

    A line generalised for 1:110m is placed within about a hairline (11 km, see
    :data:`HAIRLINE_KM`) of the true coast or border, and small islands are dropped, so the
    area can differ by up to the perimeter times that width: the tolerance is
    ``perimeter_km * 11 km``. Relative to the area that is 2.4 % for China, 3.2 % for Russia,
    4.6 % for Mongolia, 15-19 % for the Koreas and Japan and 26 % for Taiwan. Measured
    (2026, this data): KOR -0.7 %, PRK +4.3 %, JPN +7.1 % (Honshu and Kyushu are one
    polygon, the Inland Sea and bays filled), CHN -1.9 % (China's official figure, which
    counts disputed areas Natural Earth draws otherwise), RUS -0.5 %, TWN -4.5 %,
    MNG -1.3 %; the mean displacement |dA|/P is 0.5 to 8.8 km.
    """
    country = get_country(code)
    _, perimeter_m = pyproj.Geod(ellps="WGS84").geometry_area_perimeter(country.geometry)
    tolerance_km2 = perimeter_m / 1e3 * HAIRLINE_KM
    assert country.area_km2 == pytest.approx(PUBLISHED_KM2[code], abs=tolerance_km2)
    # And no country of this list is off by more than 10 %, whatever its perimeter.
    assert country.area_km2 == pytest.approx(PUBLISHED_KM2[code], rel=0.10)


# --- geodesic area against the closed form --------------------------------------------------


@pytest.mark.parametrize(
    ("lon1", "lat1", "lon2", "lat2"),
    [
        (0.0, 0.0, 1.0, 1.0),
        (127.0, 37.0, 128.0, 38.0),
        (30.0, 60.0, 31.0, 61.0),
        (-75.0, -45.0, -74.0, -44.0),
        (120.0, 30.0, 130.0, 40.0),
    ],
)
def test_quadrangle_area_matches_snyder(lon1: float, lat1: float, lon2: float, lat2: float) -> None:
    """Edges sampled every 0.01 deg follow the parallels to a relative area error below 1e-7
    (the lens between a geodesic chord and its parallel is ~ R^2 dlam^3 sin(phi) cos^2(phi)/12)."""
    area = geodesic_area_km2(densified_box(lon1, lat1, lon2, lat2))
    assert area == pytest.approx(quadrangle_km2(lon1, lat1, lon2, lat2), rel=1e-6)


def test_area_ignores_orientation_and_subtracts_holes() -> None:
    outer = densified_box(120.0, 30.0, 130.0, 40.0)
    hole = densified_box(124.0, 34.0, 126.0, 36.0)
    expected = quadrangle_km2(120, 30, 130, 40) - quadrangle_km2(124, 34, 126, 36)
    ring = Polygon(outer.exterior.coords, [hole.exterior.coords])  # both rings clockwise
    assert geodesic_area_km2(ring) == pytest.approx(expected, rel=1e-6)
    assert geodesic_area_km2(shapely.reverse(ring)) == pytest.approx(expected, rel=1e-6)
    two = MultiPolygon([densified_box(0, 0, 1, 1), shapely.reverse(densified_box(2, 0, 3, 1))])
    assert geodesic_area_km2(two) == pytest.approx(2 * quadrangle_km2(0, 0, 1, 1), rel=1e-6)
    assert geodesic_area_km2(shapely.LineString([(0, 0), (1, 1)])) == 0.0


# --- territory under a polygon ----------------------------------------------------------------


def test_polygon_inside_south_korea() -> None:
    cell = densified_box(127.0, 35.5, 128.5, 37.2)
    korea = get_country("KOR")
    assert korea.geometry.contains(cell)  # the premise of this test
    result = territory_under(cell)
    assert [c.iso_a3 for c in result] == ["KOR"]
    (kor,) = result
    assert kor.covered_km2 == pytest.approx(geodesic_area_km2(cell), rel=1e-12)
    assert kor.covered_km2 == pytest.approx(quadrangle_km2(127.0, 35.5, 128.5, 37.2), rel=1e-6)
    assert kor.country_km2 == korea.area_km2
    assert kor.share == pytest.approx(kor.covered_km2 / korea.area_km2, rel=1e-12)


def test_polygon_across_the_dmz_splits_between_the_koreas() -> None:
    cell = densified_box(127.0, 37.6, 128.0, 38.6)
    koreas = get_country("KOR").geometry.union(get_country("PRK").geometry)
    assert koreas.contains(cell)
    result = territory_under(cell)
    assert {c.iso_a3 for c in result} == {"KOR", "PRK"}
    assert all(0.0 < c.share < 1.0 for c in result)
    assert sum(c.covered_km2 for c in result) == pytest.approx(geodesic_area_km2(cell), rel=1e-6)
    assert result[0].covered_km2 >= result[1].covered_km2


def test_large_fan_over_north_east_asia() -> None:
    """A 2,000 km geodesic circle around Seongju: small countries inside entirely, large
    ones in part, and the covered land no larger than the circle."""
    geod = pyproj.Geod(ellps="WGS84")
    az = np.linspace(0.0, 360.0, 721)[:-1]
    lon, lat, _ = geod.fwd(np.full_like(az, 128.1), np.full_like(az, 35.95), az, 2.0e6 + 0 * az)
    fan = Polygon(np.column_stack([lon, lat]))
    result = territory_under(fan)
    by_code = {c.iso_a3: c for c in result}
    for code in ("KOR", "PRK", "JPN", "TWN"):
        assert by_code[code].share == pytest.approx(1.0, abs=1e-9)
    for code in ("CHN", "RUS", "MNG"):
        assert 0.0 < by_code[code].share < 1.0
    assert sum(c.covered_km2 for c in result) < geodesic_area_km2(fan)
    assert [c.covered_km2 for c in result] == sorted((c.covered_km2 for c in result), reverse=True)
    # Restricting to a list (names, codes or Country objects) gives the same numbers.
    subset = territory_under(fan, ["South Korea", "DPRK", get_country("China"), "Canada"])
    assert [c.iso_a3 for c in subset] == ["CHN", "PRK", "KOR"]
    assert subset[0].covered_km2 == pytest.approx(by_code["CHN"].covered_km2, rel=1e-12)


def test_polygon_over_the_sea_covers_nothing() -> None:
    assert territory_under(densified_box(150.0, 20.0, 160.0, 30.0)) == []
    assert territory_under(box(127, 36, 128, 37), countries=[]) == []


@pytest.mark.parametrize(
    ("polygon", "match"),
    [
        (box(170.0, 0.0, 190.0, 10.0), "antimeridian"),
        (box(-170.0, 0.0, 170.0, 10.0), "spans 340"),
        (box(0.0, 80.0, 10.0, 95.0), "lat in"),
        (Polygon([(0, 0), (1, 1), (1, 0), (0, 1)]), "invalid polygon"),
        (Polygon(), "empty"),
        (shapely.Point(127, 37), "Polygon or MultiPolygon"),
    ],
)
def test_bad_polygons_are_refused(polygon: object, match: str) -> None:
    with pytest.raises(InputError, match=match):
        territory_under(polygon)  # type: ignore[arg-type]


# --- names ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "name"),
    [
        ("South Korea", "South Korea"),
        ("south korea", "South Korea"),
        ("Korea", "South Korea"),
        ("ROK", "South Korea"),
        ("kor", "South Korea"),
        ("north-korea", "North Korea"),
        ("North Korea", "North Korea"),
        ("DPRK", "North Korea"),
        ("PRK", "North Korea"),
        ("China", "China"),
        ("PRC", "China"),
        ("Japan", "Japan"),
        ("Russia", "Russia"),
        ("Russian Federation", "Russia"),
        ("Taiwan", "Taiwan"),
        ("TWN", "Taiwan"),
        ("Mongolia", "Mongolia"),
        ("  usa ", "United States of America"),
        ("fra", "France"),
    ],
)
def test_get_country_names_codes_aliases(given: str, name: str) -> None:
    assert get_country(given).name == name


def test_aliases_point_at_shipped_countries() -> None:
    assert set(ALIASES.values()) <= set(countries())


def test_unknown_country_names_value_and_suggests() -> None:
    with pytest.raises(InputError, match=r"unknown country 'Sourh Korea'.*'South Korea'"):
        get_country("Sourh Korea")
    with pytest.raises(InputError, match=r"'DPKR'.*did you mean 'DPRK'"):
        get_country("DPKR")
    with pytest.raises(InputError, match=r"unknown country '-99'"):
        get_country("-99")  # Natural Earth's placeholder is not a code
    with pytest.raises(InputError, match="country"):
        get_country("")


# --- map outlines -------------------------------------------------------------------------------


def test_borders_for_map_clips_to_the_box_and_draws_the_dmz() -> None:
    bounds = (120.0, 30.0, 135.0, 45.0)
    lines = borders_for_map(bounds)
    assert lines
    for lon, lat in lines:
        assert lon.shape == lat.shape and lon.ndim == 1 and len(lon) >= 2
        assert np.all((lon >= 120.0) & (lon <= 135.0) & (lat >= 30.0) & (lat <= 45.0))
    points = np.concatenate([np.column_stack(line) for line in lines])
    # The inter-Korean border crosses the peninsula near 38 N, between 126.5 and 128.5 E.
    dmz = (points[:, 0] > 126.8) & (points[:, 0] < 128.2) & (np.abs(points[:, 1] - 38.0) < 0.5)
    assert dmz.any()
    # A shared border is drawn once: no segment appears in two lines.
    segments = set()
    for lon, lat in lines:
        for seg in zip(
            zip(lon[:-1], lat[:-1], strict=True), zip(lon[1:], lat[1:], strict=True), strict=True
        ):
            key = tuple(sorted(seg))
            assert key not in segments
            segments.add(key)


@pytest.mark.parametrize(
    "bounds",
    [
        (130.0, 30.0, 120.0, 40.0),
        (120.0, 30.0, 190.0, 40.0),
        (1.0, 2.0, 3.0),
        ("a", 0, 1, 1),
        (0.0, float("nan"), 1.0, 1.0),
    ],
)
def test_borders_for_map_refuses_bad_boxes(bounds: tuple) -> None:  # type: ignore[type-arg]
    with pytest.raises(InputError, match="bounds_lonlat"):
        borders_for_map(bounds)
