"""Countries, their borders and coastlines, how much of each lies under a polygon, and the
region's map.

The borders are the Natural Earth 1:110m Admin-0 countries (public domain), shipped with
the package as ``thaadsim/data/countries_110m.geojson`` and made by
``scripts/extract_borders.py``; nothing is downloaded at run time. Coordinates are
longitude, latitude in degrees on WGS84. At 1:110m the coastlines and borders are
generalised to a few kilometres and small islands are left out (Jeju, Okinawa and the
Kuril islands are absent; Honshu and Kyushu are one polygon), so areas agree with published
national figures to a few per cent, not better: see ``tests/test_geography.py``.

Maps are drawn finer: inside :data:`REGION_BOUNDS_LONLAT` (the Korean peninsula, Japan,
north-east China and China west to its silo fields) from Natural Earth 1:10m land,
coastlines and land borders, ``thaadsim/data/region_10m.geojson`` made by
``scripts/extract_coastlines.py`` (:func:`map_lines`, :func:`borders_for_map`,
:func:`region_map_geojson` for the app). Country areas and membership stay on the 1:110m
countries, so the figures computed from them do not change with the drawing.

Natural Earth shows de facto control (Taiwan is its own unit; Crimea is Russian in this
edition; Kosovo, N. Cyprus and Somaliland are separate units without ISO codes, ``iso_a3 =
"-99"``). Describing territory this way is a property of the data, not a position.

Areas are geodesic areas on the WGS84 ellipsoid (Karney's algorithm through
:meth:`pyproj.Geod.geometry_area_perimeter`). Intersections are computed by Shapely in the
longitude-latitude plane, i.e. a polygon's edges are straight lines in (lon, lat) there and
geodesics when its area is measured. The two agree when vertices are dense; a caller
building a large polygon (a radar fan of 2,000 km) should sample its edges every few tens
of kilometres at most (e.g. :func:`shapely.segmentize` with ``max_segment_length`` of
0.25 degree). A polygon that crosses the antimeridian (longitude +-180) is given as parts on
either side of it, each within [-180, 180]: :func:`split_antimeridian` cuts one drawn with
continuous longitudes (running past 180) into such parts.
"""

from __future__ import annotations

import difflib
import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
import numpy.typing as npt
import pyproj
import shapely
from shapely.geometry import MultiPolygon, Polygon, shape

from thaadsim.errors import CatalogError, InputError

DATA_FILE = "countries_110m.geojson"
"""The shipped borders, in package ``thaadsim.data``."""

NO_ISO_CODE = "-99"
"""Natural Earth's ``iso_a3`` for a unit without an ISO 3166-1 code."""

ALIASES: dict[str, str] = {
    "Korea": "South Korea",
    "Republic of Korea": "South Korea",
    "Korea, South": "South Korea",
    "ROK": "South Korea",
    "DPRK": "North Korea",
    "Democratic People's Republic of Korea": "North Korea",
    "Korea, North": "North Korea",
    "PRC": "China",
    "People's Republic of China": "China",
    "Mainland China": "China",
    "Russian Federation": "Russia",
    "USA": "United States of America",
    "US": "United States of America",
    "United States": "United States of America",
    "UK": "United Kingdom",
    "Great Britain": "United Kingdom",
}
"""Names users type, mapped to Natural Earth names (matched ignoring case and punctuation).

"Korea" alone means the Republic of Korea, where THAAD is deployed (Seongju)."""

_GEOD = pyproj.Geod(ellps="WGS84")


@dataclass(frozen=True, kw_only=True)
class Country:
    """A country (a Natural Earth Admin-0 unit) and its territory."""

    name: str
    """Natural Earth short name, e.g. ``"South Korea"``."""
    iso_a3: str
    """ISO 3166-1 alpha-3 code, or ``"-99"`` where the unit has none."""
    continent: str
    geometry: Polygon | MultiPolygon
    """Territory in longitude, latitude degrees (WGS84), exterior rings counter-clockwise."""
    area_km2: float
    """Geodesic area of ``geometry`` on the WGS84 ellipsoid."""


@dataclass(frozen=True, kw_only=True)
class Coverage:
    """How much of one country lies under a polygon."""

    name: str
    iso_a3: str
    covered_km2: float
    """Area of the country inside the polygon (WGS84 geodesic)."""
    country_km2: float
    """Area of the whole country (WGS84 geodesic, 1:110m borders)."""
    share: float
    """``covered_km2 / country_km2``, in [0, 1]."""


def _normalise(text: str) -> str:
    """Lower case, with '-', '_', '.' and ',' read as spaces and spaces collapsed."""
    return " ".join(re.sub(r"[-_.,]", " ", text).casefold().split())


def _polygons(geometry: Any) -> list[Polygon]:
    """The polygonal parts of any shapely geometry (lines and points dropped)."""
    parts = shapely.get_parts(geometry)
    out: list[Polygon] = []
    for part in parts:
        if isinstance(part, Polygon):
            if not part.is_empty:
                out.append(part)
        elif isinstance(part, MultiPolygon | shapely.GeometryCollection):
            out.extend(_polygons(part))
    return out


def geodesic_area_km2(geometry: Any) -> float:
    """Area of a polygon in longitude, latitude degrees on the WGS84 ellipsoid.

    Parameters
    ----------
    geometry : shapely geometry
        A :class:`~shapely.Polygon`, :class:`~shapely.MultiPolygon` or a collection;
        coordinates are (longitude, latitude) in degrees. Non-polygonal parts have no area.
        Edges are geodesics between consecutive vertices.

    Returns
    -------
    float
        Area in km^2, whatever the orientation of the rings (each polygon is re-oriented,
        exterior counter-clockwise and holes clockwise, before the signed areas are added).

    Notes
    -----
    Karney (2013), *Algorithms for geodesics*, J. Geod. 87:43-55, sec. 6, as implemented
    by GeographicLib in PROJ and called through
    :meth:`pyproj.Geod.geometry_area_perimeter`. Valid for polygons up to half the globe.
    """
    total_m2 = 0.0
    for polygon in _polygons(geometry):
        oriented = shapely.orient_polygons(polygon, exterior_cw=False)
        area_m2, _ = _GEOD.geometry_area_perimeter(oriented)
        total_m2 += area_m2
    return abs(total_m2) / 1e6


@lru_cache(maxsize=1)
def _load() -> tuple[Country, ...]:
    """Read the shipped GeoJSON once."""
    try:
        text = resources.files("thaadsim.data").joinpath(DATA_FILE).read_text(encoding="utf-8")
        collection = json.loads(text)
        features = collection["features"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CatalogError(f"thaadsim/data/{DATA_FILE}: cannot read the borders: {exc}") from exc
    out = []
    for i, feature in enumerate(features):
        try:
            props = feature["properties"]
            geometry = shape(feature["geometry"])
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise CatalogError(f"thaadsim/data/{DATA_FILE}: feature {i}: {exc}") from exc
        if not isinstance(geometry, Polygon | MultiPolygon):
            raise CatalogError(
                f"thaadsim/data/{DATA_FILE}: feature {i} ({props.get('name')!r}): geometry is "
                f"{geometry.geom_type}; allowed: Polygon, MultiPolygon"
            )
        out.append(
            Country(
                name=str(props["name"]),
                iso_a3=str(props["iso_a3"]),
                continent=str(props["continent"]),
                geometry=geometry,
                area_km2=geodesic_area_km2(geometry),
            )
        )
    return tuple(out)


@lru_cache(maxsize=1)
def _by_name() -> dict[str, Country]:
    return {country.name: country for country in _load()}


@lru_cache(maxsize=1)
def _lookup() -> dict[str, str]:
    """Normalised name, code or alias -> Natural Earth name."""
    table: dict[str, str] = {}
    for country in _load():
        table[_normalise(country.name)] = country.name
        if country.iso_a3 != NO_ISO_CODE:
            table[_normalise(country.iso_a3)] = country.name
    for alias, name in ALIASES.items():
        table.setdefault(_normalise(alias), name)
    return table


def countries() -> dict[str, Country]:
    """Every country shipped, by Natural Earth name (a new dict each call; the data is cached).

    Returns
    -------
    dict of str to Country
        177 units of the Natural Earth 1:110m Admin-0 layer, in alphabetical order.
    """
    return dict(_by_name())


def get_country(name_or_code: str) -> Country:
    """One country by name, ISO 3166-1 alpha-3 code or common alias, ignoring case.

    Hyphens, underscores, dots and commas count as spaces, so ``"north-korea"``,
    ``"North Korea"``, ``"PRK"`` and ``"DPRK"`` all give North Korea. Aliases include
    ``ROK``/``Korea`` (South Korea), ``DPRK``, ``PRC`` (China), ``Russian Federation``,
    ``USA`` and ``UK`` (see :data:`ALIASES`).

    Raises
    ------
    InputError
        If nothing matches; the message names the value and the closest known names.
    """
    if not isinstance(name_or_code, str) or not name_or_code.strip():
        raise InputError(f"country: expected a country name or ISO code, got {name_or_code!r}")
    table = _lookup()
    key = _normalise(name_or_code)
    if key in table:
        return _by_name()[table[key]]
    known = {c.name for c in _load()} | {c.iso_a3 for c in _load()} | set(ALIASES)
    by_key = {_normalise(n): n for n in sorted(known - {NO_ISO_CODE})}
    close = difflib.get_close_matches(key, list(by_key), n=4, cutoff=0.6)
    hint = (
        "did you mean " + ", ".join(repr(by_key[c]) for c in close) + "?"
        if close
        else "use a Natural Earth name (e.g. 'South Korea'), an ISO 3166-1 alpha-3 code "
        "(e.g. 'KOR') or an alias such as 'ROK', 'DPRK', 'PRC'"
    )
    raise InputError(f"country: unknown country {name_or_code!r}; {hint}")


def _check_lonlat_polygon(polygon: Any) -> Polygon | MultiPolygon:
    if not isinstance(polygon, Polygon | MultiPolygon):
        raise InputError(
            f"polygon_lonlat: expected a shapely Polygon or MultiPolygon, got "
            f"{type(polygon).__name__}"
        )
    if polygon.is_empty:
        raise InputError("polygon_lonlat: the polygon is empty")
    if not polygon.is_valid:
        raise InputError(f"polygon_lonlat: invalid polygon ({shapely.is_valid_reason(polygon)})")
    lon_min, lat_min, lon_max, lat_max = polygon.bounds
    if lon_min < -180.0 or lon_max > 180.0 or lat_min < -90.0 or lat_max > 90.0:
        raise InputError(
            f"polygon_lonlat: bounds lon [{lon_min:g}, {lon_max:g}] deg, lat [{lat_min:g}, "
            f"{lat_max:g}] deg; allowed: lon in [-180, 180], lat in [-90, 90] (a polygon that "
            "crosses the antimeridian as parts on either side: split_antimeridian)"
        )
    for part in _polygons(polygon):
        p_min, _, p_max, _ = part.bounds
        if p_max - p_min > 180.0:
            raise InputError(
                f"polygon_lonlat: spans {p_max - p_min:g} deg of longitude "
                f"([{p_min:g}, {p_max:g}]); allowed: at most 180 in each part (a polygon "
                "that crosses the antimeridian as parts on either side: split_antimeridian)"
            )
    return polygon


def split_antimeridian(geometry: Any) -> Polygon | MultiPolygon:
    """A lon/lat polygon drawn with continuous longitudes (which may run past +-180, up to
    +-540) as its parts within [-180, 180]: cut along the antimeridian, and each part beyond
    it moved by 360 degrees. The cut is a meridian, a geodesic, so the parts' geodesic areas
    add up to the whole's. A polygon within [-180, 180] comes back as it was.
    """
    lon_min, _, lon_max, _ = shapely.bounds(geometry)
    if -180.0 <= lon_min and lon_max <= 180.0:
        return geometry
    parts: list[Polygon] = []
    for shift in (-360.0, 0.0, 360.0):
        window = shapely.box(-180.0 + shift, -90.0, 180.0 + shift, 90.0)
        piece = shapely.intersection(geometry, window)
        if not piece.is_empty:
            moved = shapely.transform(piece, lambda xy, s=shift: xy - np.array([s, 0.0]))
            parts.extend(_polygons(moved))
    if not parts:
        return Polygon()
    return parts[0] if len(parts) == 1 else MultiPolygon(parts)


def territory_under(
    polygon_lonlat: Polygon | MultiPolygon,
    countries: Iterable[Country | str] | None = None,
) -> list[Coverage]:
    """How much of each country lies inside a polygon (e.g. a radar's coverage on the ground).

    Parameters
    ----------
    polygon_lonlat : shapely Polygon or MultiPolygon
        Longitude, latitude in degrees (WGS84), valid, within lon [-180, 180], each part
        spanning at most 180 degrees of longitude: a polygon crossing the antimeridian is
        given as parts on either side (:func:`split_antimeridian`). Sample long edges
        densely (see the module notes).
    countries : iterable of Country or str, optional
        The countries to consider (names and codes as :func:`get_country` reads them); all
        shipped countries by default.

    Returns
    -------
    list of Coverage
        One entry per country with a positive area under the polygon, largest
        ``covered_km2`` first. ``covered_km2`` is the WGS84 geodesic area of the
        intersection, ``share = covered_km2 / country_km2`` (at most 1).

    Raises
    ------
    InputError
        For a polygon that is not a valid (Multi)Polygon, is empty, lies outside the
        longitude-latitude ranges or spans more than 180 degrees of longitude, and for an
        unknown country name.
    """
    polygon = _check_lonlat_polygon(polygon_lonlat)
    if countries is None:
        chosen: Sequence[Country] = _load()
    else:
        chosen = [c if isinstance(c, Country) else get_country(c) for c in countries]
    if not chosen:
        return []
    geoms = np.array([c.geometry for c in chosen], dtype=object)
    bounds = shapely.bounds(geoms)
    lon_min, lat_min, lon_max, lat_max = polygon.bounds
    near = np.flatnonzero(
        (bounds[:, 0] <= lon_max)
        & (bounds[:, 2] >= lon_min)
        & (bounds[:, 1] <= lat_max)
        & (bounds[:, 3] >= lat_min)
    )
    near = near[shapely.intersects(geoms[near], polygon)]
    pieces = shapely.intersection(geoms[near], polygon)
    out = []
    for i, piece in zip(near, pieces, strict=True):
        covered_km2 = geodesic_area_km2(piece)
        if covered_km2 <= 0.0:
            continue
        country = chosen[i]
        out.append(
            Coverage(
                name=country.name,
                iso_a3=country.iso_a3,
                covered_km2=covered_km2,
                country_km2=country.area_km2,
                share=min(covered_km2 / country.area_km2, 1.0),
            )
        )
    out.sort(key=lambda c: c.covered_km2, reverse=True)
    return out


@lru_cache(maxsize=1)
def _all_outlines() -> Any:
    """Every country outline as one noded MultiLineString (shared borders once)."""
    rings = shapely.boundary(np.array([c.geometry for c in _load()], dtype=object))
    return shapely.line_merge(shapely.unary_union(rings))


def borders_for_map(
    bounds_lonlat: Sequence[float],
) -> list[tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]]:
    """Borders and coastlines inside a longitude-latitude box, as lines to plot.

    The coastlines and land borders of :func:`map_lines` (Natural Earth 1:10m inside
    :data:`REGION_BOUNDS_LONLAT`, the islands less than :data:`SMALLEST_ISLAND_PER_LINE` of
    the box's larger span across left out; the 1:110m country outlines outside it), coast
    first, each line once.

    Parameters
    ----------
    bounds_lonlat : sequence of 4 floats
        ``(lon_min_deg, lat_min_deg, lon_max_deg, lat_max_deg)``, the order of
        :attr:`shapely.Geometry.bounds`; ``lon_min < lon_max`` within [-180, 180] and
        ``lat_min < lat_max`` within [-90, 90].

    Returns
    -------
    list of (lon_deg, lat_deg)
        One pair of 1-D float arrays of equal length per polyline, clipped to the box;
        draw with ``ax.plot(lon, lat)``.

    Raises
    ------
    InputError
        If the box is not four finite numbers in the order and ranges above.
    """
    lines = map_lines(_check_box(bounds_lonlat), SMALLEST_ISLAND_PER_LINE)
    return lines["coast"] + lines["border"]


def near_lon(center_deg: float, lon_deg: Any) -> Any:
    """Longitudes moved by whole turns to within 180 degrees of ``center_deg`` (so possibly
    past +-180): points about the antimeridian drawn continuous, 179 and -179 two degrees
    apart, not 358."""
    return center_deg + (np.asarray(lon_deg, dtype=float) - center_deg + 180.0) % 360.0 - 180.0


def borders_across(
    bounds_lonlat: Sequence[float],
) -> list[tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]]:
    """:func:`borders_for_map` for a box whose longitudes may run past +-180 (a map about
    the antimeridian, its longitudes from :func:`near_lon`): the part of the box on each
    side of the antimeridian is drawn from the shipped map data, moved by 360 degrees where
    it lies beyond (:func:`map_lines`, coast first)."""
    lines = map_lines(bounds_lonlat, SMALLEST_ISLAND_PER_LINE)
    return lines["coast"] + lines["border"]


def near_outlines(
    center_deg: float, geometry: Any,
) -> list[tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]]:
    """The exterior rings of a lon/lat geometry's polygons, their longitudes moved by
    :func:`near_lon` and the parts on either side of the antimeridian joined again (the cut
    is not drawn): ``(lon, lat)`` arrays to plot about ``center_deg``."""
    moved = [Polygon(np.column_stack([near_lon(center_deg, part.exterior.xy[0]),
                                      np.asarray(part.exterior.xy[1])]))
             for part in _polygons(geometry)]
    if not moved:
        return []
    joined = shapely.union_all(moved) if len(moved) > 1 else moved[0]
    return [(np.asarray(p.exterior.xy[0]), np.asarray(p.exterior.xy[1]))
            for p in _polygons(joined)]


REGION_BOUNDS_LONLAT: tuple[float, float, float, float] = (88.0, 18.0, 150.0, 54.0)
"""The region drawn from the finer map data, ``(lon_min, lat_min, lon_max, lat_max)`` in
degrees: the Korean peninsula, Japan from the Ryukyus to Hokkaido, north-east China and China
west to the silo fields of Hami (93.3 E) and Yumen (96.6 E) and south to Tongdao (26.2 N)
and Hong Kong, all in ``data/sites.yaml``; the report's Korean maps (about 121-134 E,
31-42 N) lie well inside it."""

REGION_FILE = "region_10m.geojson"
"""The region's land, coastlines and land borders for drawing, Natural Earth 1:10m cut to
:data:`REGION_BOUNDS_LONLAT` (package ``thaadsim.data``; made by
``scripts/extract_coastlines.py``, which gives its source, version and simplification)."""

MAP_DATA_NOTE = "coasts and borders Natural Earth 1:10m (1:110m beyond 88-150 E, 18-54 N)"
"""What a map drawn with :func:`map_lines` is drawn on, for its notes line."""

REGION_KINDS = ("land", "coast", "border")
"""The ``properties.kind`` of the region file's features."""

SMALLEST_ISLAND = 1.0 / 500.0
"""By default a map's lines leave out the islands less than this fraction of its larger
span across: about two pixels of the report's figures, dots. Matplotlib simplifies the
rest to the pixel when it draws them (``path.simplify``)."""

SMALLEST_ISLAND_PER_LINE = 1.0 / 150.0
"""The same for :func:`borders_for_map` and :func:`borders_across`, whose callers draw one
``ax.plot`` per line (about 1 ms each): the islands of about 7 pixels and more, so that a
map of the peninsula has some 80 lines instead of 260 and stays cheap to draw. A map drawn
as one collection (``report.maps.draw_coasts``) can afford :data:`SMALLEST_ISLAND`."""


@lru_cache(maxsize=1)
def _region_text() -> str:
    try:
        return resources.files("thaadsim.data").joinpath(REGION_FILE).read_text(encoding="utf-8")
    except OSError as exc:
        raise CatalogError(f"thaadsim/data/{REGION_FILE}: cannot read the map: {exc}") from exc


@lru_cache(maxsize=1)
def _region_lines() -> dict[str, tuple[npt.NDArray[Any], npt.NDArray[np.float64]]]:
    """The region file's coast and border lines by kind: an array of LineStrings and their
    bounds (n, 4)."""
    try:
        features = json.loads(_region_text())["features"]
        lines: dict[str, list[Any]] = {"coast": [], "border": []}
        for i, feature in enumerate(features):
            kind = feature["properties"]["kind"]
            if kind not in REGION_KINDS:
                raise ValueError(f"feature {i}: kind {kind!r}; allowed: {REGION_KINDS}")
            if kind in lines:
                lines[kind].extend(shapely.get_parts(shape(feature["geometry"])))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise CatalogError(f"thaadsim/data/{REGION_FILE}: {exc}") from exc
    out = {}
    for kind, parts in lines.items():
        array = np.array(parts, dtype=object)
        out[kind] = (array, shapely.bounds(array))
    return out


def region_map_geojson() -> dict[str, Any]:
    """The region the project draws (:data:`REGION_BOUNDS_LONLAT`) as a GeoJSON
    FeatureCollection for a map, from Natural Earth 1:10m (:data:`REGION_FILE`): each
    feature's ``properties.kind`` is ``"land"`` (a land polygon, no name), ``"coast"`` (a
    coastline LineString, no name) or ``"border"`` (a land-border LineString, ``name`` the
    two countries in alphabetical order, e.g. ``"China - North Korea"``). Coordinates are
    longitude, latitude in degrees (WGS84); the top level also carries ``bbox``, ``source``,
    ``licence``, ``version`` and ``notes``. A new dict each call (the text is cached), so a
    caller may change it.
    """
    result: dict[str, Any] = json.loads(_region_text())
    return result


def _check_box(
    bounds_lonlat: Sequence[float], lon_limit_deg: float = 180.0,
) -> tuple[float, float, float, float]:
    try:
        box = tuple(float(v) for v in bounds_lonlat)
    except (TypeError, ValueError) as exc:
        raise InputError(
            f"bounds_lonlat: expected (lon_min, lat_min, lon_max, lat_max) in degrees, got "
            f"{bounds_lonlat!r}"
        ) from exc
    if len(box) != 4 or not all(math.isfinite(v) for v in box):
        raise InputError(
            f"bounds_lonlat: expected 4 finite numbers (lon_min, lat_min, lon_max, lat_max) "
            f"in degrees, got {bounds_lonlat!r}"
        )
    lon_min, lat_min, lon_max, lat_max = box
    lim = lon_limit_deg
    if not (-lim <= lon_min < lon_max <= lim and lon_max - lon_min <= 360.0
            and -90.0 <= lat_min < lat_max <= 90.0):
        raise InputError(
            f"bounds_lonlat: got lon [{lon_min:g}, {lon_max:g}], lat [{lat_min:g}, "
            f"{lat_max:g}] deg; allowed: -{lim:g} <= lon_min < lon_max <= {lim:g}, at most "
            "360 apart, and -90 <= lat_min < lat_max <= 90"
        )
    return lon_min, lat_min, lon_max, lat_max


def _as_arrays(lines: Any) -> list[tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]]:
    """The LineStrings of a geometry or an array of them, as (lon, lat) arrays."""
    out = []
    for line in shapely.get_parts(lines):
        if line.is_empty or line.geom_type != "LineString":
            continue
        xy = shapely.get_coordinates(line)
        out.append((xy[:, 0].copy(), xy[:, 1].copy()))
    return out


def _region_in_box(
    kind: str, box: tuple[float, float, float, float], min_size_deg: float,
) -> list[tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]]:
    """The region file's lines of one kind that reach into the box, clipped to it; closed
    lines (islands) less than ``min_size_deg`` across left out."""
    lines, bounds = _region_lines()[kind]
    lon_min, lat_min, lon_max, lat_max = box
    size = np.maximum(bounds[:, 2] - bounds[:, 0], bounds[:, 3] - bounds[:, 1])
    keep = ((bounds[:, 0] <= lon_max) & (bounds[:, 2] >= lon_min)
            & (bounds[:, 1] <= lat_max) & (bounds[:, 3] >= lat_min)
            & ((size >= min_size_deg) | ~shapely.is_closed(lines)))
    inside = ((bounds[:, 0] >= lon_min) & (bounds[:, 2] <= lon_max)
              & (bounds[:, 1] >= lat_min) & (bounds[:, 3] <= lat_max))
    clipped = shapely.clip_by_rect(lines[keep & ~inside], *box)
    return _as_arrays(lines[keep & inside]) + _as_arrays(clipped)


def _map_lines_within(
    box: tuple[float, float, float, float], min_island_deg: float,
) -> dict[str, list[tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]]]:
    """:func:`map_lines` for a box within [-180, 180]."""
    lon_min, lat_min, lon_max, lat_max = box
    r_lon_min, r_lat_min, r_lon_max, r_lat_max = REGION_BOUNDS_LONLAT
    inner = (max(lon_min, r_lon_min), max(lat_min, r_lat_min),
             min(lon_max, r_lon_max), min(lat_max, r_lat_max))
    out: dict[str, list[tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]]] = {
        "coast": [], "border": []}
    overlap = inner[0] < inner[2] and inner[1] < inner[3]
    if overlap:
        for kind in out:
            out[kind] += _region_in_box(kind, inner, min_island_deg)
    if inner != box:
        coarse = shapely.clip_by_rect(_all_outlines(), lon_min, lat_min, lon_max, lat_max)
        if overlap:
            coarse = shapely.difference(coarse, shapely.box(*inner))
        out["coast"] += _as_arrays(shapely.line_merge(coarse))
    return out


def map_lines(
    bounds_lonlat: Sequence[float], smallest_island: float = SMALLEST_ISLAND,
) -> dict[str, list[tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]]]:
    """Coastlines and land borders inside a longitude-latitude box, as lines to plot, by
    kind: ``{"coast": [...], "border": [...]}``.

    Inside :data:`REGION_BOUNDS_LONLAT` they are Natural Earth 1:10m (:data:`REGION_FILE`),
    with the islands less than ``smallest_island`` (a fraction, by default
    :data:`SMALLEST_ISLAND`, 1/500) of the box's larger span across left out, so that a map
    of the peninsula shows Jeju, Ulleungdo and Tsushima and a map of half the Pacific stays
    cheap to draw; outside the region, the 1:110m country outlines (coast and border alike,
    under ``"coast"``).

    Parameters
    ----------
    bounds_lonlat : sequence of 4 floats
        ``(lon_min_deg, lat_min_deg, lon_max_deg, lat_max_deg)``, the order of
        :attr:`shapely.Geometry.bounds`; ``lon_min < lon_max``, at most 360 degrees apart,
        within [-540, 540] (a map about the antimeridian, its longitudes from
        :func:`near_lon`, gets the lines beyond it moved by 360 degrees), and
        ``lat_min < lat_max`` within [-90, 90].

    Returns
    -------
    dict of str to list of (lon_deg, lat_deg)
        Per kind, one pair of 1-D float arrays of equal length per polyline, clipped to the
        box; draw with ``ax.plot(lon, lat)`` or a ``LineCollection``.

    Raises
    ------
    InputError
        If the box is not four finite numbers in the order and ranges above.
    """
    lon_min, lat_min, lon_max, lat_max = _check_box(bounds_lonlat, lon_limit_deg=540.0)
    min_island_deg = max(lon_max - lon_min, lat_max - lat_min) * float(smallest_island)
    out: dict[str, list[tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]]] = {
        "coast": [], "border": []}
    for shift in (-360.0, 0.0, 360.0):
        lo = max(lon_min, shift - 180.0) - shift
        hi = min(lon_max, shift + 180.0) - shift
        if lo < hi:
            for kind, lines in _map_lines_within((lo, lat_min, hi, lat_max),
                                                   min_island_deg).items():
                out[kind] += [(lon + shift, lat) for lon, lat in lines]
    return out
