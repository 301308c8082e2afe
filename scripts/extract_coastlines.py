"""Extract the region's land, coastlines and land borders thaadsim draws, from Natural Earth 1:10m.

Writes ``src/thaadsim/data/region_10m.geojson``: a GeoJSON FeatureCollection cut to the region
the project draws (``--bounds``, by default
:data:`thaadsim.systems.geography.REGION_BOUNDS_LONLAT`), each feature's
``properties.kind`` one of ``"land"`` (a land polygon, no name), ``"coast"`` (a coastline,
no name) or ``"border"`` (a land border, ``name`` the two countries in alphabetical order,
e.g. ``"China - North Korea"``), and a top-level ``source``/``licence``/``version``/``notes``
header. Lines and polygons are simplified (Douglas-Peucker, ``--tolerance-deg``) and
rounded to ``--decimals`` places; the file is sorted so that the same source gives the same
bytes. The project reads that file at run time and never downloads anything (DESIGN.md);
this script is run by hand, by a developer, when the data is refreshed.

Where the source files came from
--------------------------------
Natural Earth version 4.0.0, 1:10m, as GeoJSON converted by ``ogr2ogr`` (GDAL) in the
public repository ``martynafford/natural-earth-geojson``, commit 9026645 ("Update to version
4.0.0", 2017-11-09): ``10m/physical/ne_10m_land.7z``, ``10m/physical/ne_10m_coastline.7z``
(each holding the ``.json`` of the same name; ``7z x`` them),
``10m/physical/ne_10m_minor_islands.json`` and
``10m/cultural/ne_10m_admin_0_boundary_lines_land.json``. The same layers, as shapefiles,
are at https://www.naturalearthdata.com/downloads/10m-physical-vectors/ and
``10m-cultural-vectors/`` and in ``nvkelso/natural-earth-vector``; any GeoJSON conversion
of them reads the same here. Natural Earth is in the public domain
(https://www.naturalearthdata.com/about/terms-of-use/).

Which border lines are kept: those whose ``featurecla`` is an international boundary, a
disputed boundary or a line of control (the Korean Military Demarcation Line is the
latter) between two different units; the "Overlay limit" lines (the edges of the Korean
DMZ) and lines with the same unit on both sides are left out.

Run::

    python scripts/extract_coastlines.py DIR_WITH_THE_FOUR_JSON_FILES
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import LineString, Polygon, mapping, shape

sys.path.insert(0, str(Path(__file__).resolve().parent))
from extract_borders import dumps  # noqa: E402  (one feature a line, as the 110m file)

DEFAULT_OUT = Path(__file__).resolve().parents[1] / "src/thaadsim/data/region_10m.geojson"

REGION_BOUNDS_LONLAT = (88.0, 18.0, 150.0, 54.0)
"""As :data:`thaadsim.systems.geography.REGION_BOUNDS_LONLAT` (a test checks they agree)."""

LAYERS = {
    "land": "ne_10m_land.json",
    "coastline": "ne_10m_coastline.json",
    "minor_islands": "ne_10m_minor_islands.json",
    "boundaries": "ne_10m_admin_0_boundary_lines_land.json",
}
"""The source files looked for in the input folder (minor islands are optional)."""

BORDER_CLASSES = ("International boundary", "Disputed", "Line of control")
"""Prefixes of ``featurecla`` kept among the boundary lines."""

VERSION = "Natural Earth 4.0.0, 1:10m"
SOURCE = (
    "Natural Earth 1:10m Physical Vectors (Land, Coastline, Minor Islands) and Cultural "
    "Vectors (Admin 0 - Boundary Lines, land), https://www.naturalearthdata.com, version "
    "4.0.0, as the GeoJSON of github.com/martynafford/natural-earth-geojson commit 9026645 "
    "(10m/physical/ne_10m_land.7z, ne_10m_coastline.7z, ne_10m_minor_islands.json, "
    "10m/cultural/ne_10m_admin_0_boundary_lines_land.json); cut to the region, simplified "
    "and rounded by scripts/extract_coastlines.py"
)
LICENCE = (
    "Public domain (Natural Earth terms of use: "
    "https://www.naturalearthdata.com/about/terms-of-use/)"
)


def _read(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        features: list[dict[str, Any]] = json.load(handle)["features"]
    return features


def _near(features: list[dict[str, Any]], box: Polygon) -> list[tuple[dict[str, Any], Any]]:
    """(properties, geometry) of the features that touch the box."""
    out = []
    for feature in features:
        if feature.get("geometry") is None:
            continue
        geometry = shape(feature["geometry"])
        if geometry.intersects(box):
            out.append((feature.get("properties") or {}, geometry))
    return out


def _lines(geometry: Any) -> list[LineString]:
    return [g for g in shapely.get_parts(geometry)
            if isinstance(g, LineString) and not g.is_empty]


def _polygons(geometry: Any) -> list[Polygon]:
    return [g for g in shapely.get_parts(geometry) if isinstance(g, Polygon) and not g.is_empty]


def _finish_lines(lines: Sequence[Any], box: Polygon, tolerance_deg: float,
                  decimals: int) -> list[LineString]:
    """Clipped to the box, merged end to end, simplified and rounded; lines that rounding
    shrinks below the tolerance dropped; in a fixed order."""
    if not lines:
        return []
    merged = shapely.line_merge(shapely.intersection(shapely.MultiLineString(
        [c for g in lines for c in (shapely.get_coordinates(p) for p in _lines(g))]), box))
    simple = shapely.set_precision(shapely.simplify(merged, tolerance_deg), 10.0**-decimals)
    kept = [g for g in _lines(shapely.line_merge(simple)) if g.length >= tolerance_deg]
    return sorted(kept, key=lambda g: shapely.get_coordinates(g)[:2].ravel().tolist())


def _finish_polygons(polygons: Sequence[Any], box: Polygon, tolerance_deg: float,
                     decimals: int) -> list[Polygon]:
    """Unioned, clipped to the box, simplified (topology kept) and rounded; polygons
    smaller than a tolerance-sided square dropped; largest first."""
    if not polygons:
        return []
    union = shapely.intersection(shapely.union_all(polygons), box)
    simple = shapely.set_precision(
        shapely.simplify(union, tolerance_deg, preserve_topology=True), 10.0**-decimals)
    kept = [shapely.orient_polygons(p, exterior_cw=False) for p in _polygons(simple)
            if p.area >= tolerance_deg**2]
    return sorted(kept, key=lambda p: (-round(p.area, 8), shapely.get_coordinates(p)[0].tolist()))


def _feature(kind: str, geometry: Any, name: str | None = None) -> dict[str, Any]:
    properties: dict[str, Any] = {"kind": kind}
    if name is not None:
        properties["name"] = name
    return {"type": "Feature", "properties": properties, "geometry": mapping(geometry)}


def _border_name(props: dict[str, Any]) -> str | None:
    """'A - B' for a kept boundary line (the units in alphabetical order), else None."""
    cla = str(props.get("featurecla") or "")
    left, right = str(props.get("adm0_left") or ""), str(props.get("adm0_right") or "")
    if not cla.startswith(BORDER_CLASSES) or not left or not right or left == right:
        return None
    return " - ".join(sorted((left, right)))


def build(folder: Path, bounds: Sequence[float], tolerance_deg: float,
          decimals: int) -> dict[str, Any]:
    """The region's FeatureCollection (as a dict) from the Natural Earth files in ``folder``."""
    box = shapely.box(*bounds)
    paths = {key: folder / name for key, name in LAYERS.items()}
    missing = [str(p) for k, p in paths.items() if k != "minor_islands" and not p.is_file()]
    if missing:
        sys.exit(f"extract_coastlines.py: missing source files: {', '.join(missing)}")
    land = [g for _, g in _near(_read(paths["land"]), box)]
    islands = ([g for _, g in _near(_read(paths["minor_islands"]), box)]
               if paths["minor_islands"].is_file() else [])
    coast = [g for _, g in _near(_read(paths["coastline"]), box)]
    coast += [shapely.boundary(p) for g in islands for p in _polygons(g)]
    by_pair: dict[str, list[Any]] = {}
    for props, geometry in _near(_read(paths["boundaries"]), box):
        name = _border_name(props)
        if name is not None:
            by_pair.setdefault(name, []).append(geometry)
    features = [_feature("land", p)
                for p in _finish_polygons(land + islands, box, tolerance_deg, decimals)]
    features += [_feature("coast", g)
                 for g in _finish_lines(coast, box, tolerance_deg, decimals)]
    for name in sorted(by_pair):
        features += [_feature("border", g, name)
                     for g in _finish_lines(by_pair[name], box, tolerance_deg, decimals)]
    digests = {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()[:16]
        for p in paths.values() if p.is_file()
    }
    return {
        "type": "FeatureCollection",
        "name": "region_10m",
        "bbox": [float(v) for v in bounds],
        "source": SOURCE,
        "licence": LICENCE,
        "version": VERSION,
        "notes": (
            f"Cut to lon [{bounds[0]:g}, {bounds[2]:g}] deg E, lat [{bounds[1]:g}, "
            f"{bounds[3]:g}] deg N; simplified with a tolerance of {tolerance_deg:g} deg "
            f"(~{tolerance_deg * 111.32:.2f} km), coordinates longitude, latitude in degrees "
            f"(WGS84) rounded to {decimals} decimal places; land polygons under "
            f"{tolerance_deg:g} deg squared and lines shorter than the tolerance left out. "
            "Borders: international, disputed and line-of-control boundary lines, not the "
            "DMZ's overlay limits. Source files' SHA-256 (first 16 hex digits): "
            + ", ".join(f"{k} {v}" for k, v in sorted(digests.items())) + "."
        ),
        "features": features,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="folder with the Natural Earth .json files")
    parser.add_argument("-o", "--output", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--bounds", type=float, nargs=4, default=REGION_BOUNDS_LONLAT,
                        metavar=("LON_MIN", "LAT_MIN", "LON_MAX", "LAT_MAX"))
    parser.add_argument("--tolerance-deg", type=float, default=0.002,
                        help="Douglas-Peucker tolerance in degrees (0.002)")
    parser.add_argument("--decimals", type=int, default=3, help="decimal places kept (3)")
    args = parser.parse_args(argv)
    collection = build(args.folder, args.bounds, args.tolerance_deg, args.decimals)
    text = dumps(collection)
    args.output.write_text(text, encoding="utf-8")
    kinds: dict[str, int] = {}
    for feature in collection["features"]:
        kinds[feature["properties"]["kind"]] = kinds.get(feature["properties"]["kind"], 0) + 1
    points = sum(len(shapely.get_coordinates(shape(f["geometry"])))
                 for f in collection["features"])
    print(f"wrote {kinds}, {points} points, {len(text.encode())} bytes to {args.output}")


if __name__ == "__main__":
    main()
