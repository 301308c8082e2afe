"""Extract the country borders thaadsim ships from a Natural Earth 1:110m Admin-0 shapefile.

Writes ``src/thaadsim/data/countries_110m.geojson``: one feature per country with its
``name``, ``iso_a3`` and ``continent``, longitudes and latitudes in degrees (WGS84) rounded to
``--decimals`` places, exterior rings counter-clockwise as RFC 7946 asks, and a top-level
``source``/``licence`` note. The project reads that file at run time and never downloads
anything (DESIGN.md); this script is run by hand, by a developer, when the data is refreshed.

Where the shapefile came from
-----------------------------
The shipped file was made from ``naturalearth_lowres.shp``, the Natural Earth 1:110m
"Admin 0 - Countries" layer reduced to the columns ``pop_est, continent, name, iso_a3,
gdp_md_est`` (the layer geopandas once shipped as ``naturalearth_lowres``), as carried in the
test fixtures of the ``pyogrio`` 0.13.0 wheel from PyPI
(``pyogrio/tests/fixtures/naturalearth_lowres/``). The same layer can be taken from
https://www.naturalearthdata.com/downloads/110m-cultural-vectors/ (``ne_110m_admin_0_countries``;
its upper-case column names ``NAME``, ``ISO_A3``, ``CONTINENT`` are read as well). Natural
Earth is in the public domain (https://www.naturalearthdata.com/about/terms-of-use/).

Natural Earth gives ``iso_a3 = "-99"`` to a few units. France and Norway are given their
ISO 3166-1 codes (FRA, NOR) here; Kosovo, N. Cyprus and Somaliland have no ISO 3166-1 code
and keep ``"-99"``.

Reading the shapefile needs ``pyshp`` (``pip install pyshp``) or ``pyogrio``; neither is a
dependency of thaadsim. Run::

    python scripts/extract_borders.py path/to/naturalearth_lowres.shp
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon, mapping, shape

DEFAULT_OUT = Path(__file__).resolve().parents[1] / "src/thaadsim/data/countries_110m.geojson"

ISO_FIXES = {"France": "FRA", "Norway": "NOR"}
"""ISO 3166-1 alpha-3 codes for units Natural Earth marks ``-99`` although they have one."""

SOURCE = (
    "Natural Earth 1:110m Cultural Vectors, Admin 0 - Countries "
    "(https://www.naturalearthdata.com), the 'naturalearth_lowres' extract "
    "(columns pop_est, continent, name, iso_a3, gdp_md_est) carried as a test fixture in "
    "the pyogrio 0.13.0 wheel on PyPI; converted by scripts/extract_borders.py"
)
LICENCE = (
    "Public domain (Natural Earth terms of use: "
    "https://www.naturalearthdata.com/about/terms-of-use/)"
)


def _records_pyshp(path: Path) -> Iterator[tuple[dict[str, Any], Any]]:
    import shapefile  # pyshp

    with shapefile.Reader(str(path)) as reader:
        for item in reader.iterShapeRecords():
            yield item.record.as_dict(), shape(item.shape.__geo_interface__)


def _records_pyogrio(path: Path) -> Iterator[tuple[dict[str, Any], Any]]:
    from pyogrio.raw import read

    meta, _, geometry, field_data = read(path)
    fields = list(meta["fields"])
    for i, wkb in enumerate(geometry):
        yield {f: field_data[j][i] for j, f in enumerate(fields)}, shapely.from_wkb(wkb)


def read_records(path: Path) -> list[tuple[dict[str, Any], Any]]:
    """Attribute dicts and shapely geometries of every feature, read with pyshp or pyogrio."""
    for reader in (_records_pyshp, _records_pyogrio):
        try:
            return list(reader(path))
        except ImportError:
            continue
    sys.exit(
        "extract_borders.py needs pyshp or pyogrio to read the shapefile; install one into "
        "a throwaway environment (`pip install pyshp`), it is not a thaadsim dependency."
    )


def _field(record: dict[str, Any], name: str) -> str:
    for key in (name, name.upper()):
        if key in record:
            return str(record[key]).strip()
    raise KeyError(f"the shapefile has no column {name!r} (columns: {sorted(record)})")


def _round_ring(coords: Any, decimals: int) -> np.ndarray | None:
    """A ring rounded to ``decimals`` places without repeated points; None if it collapsed."""
    xy = np.round(np.asarray(coords)[:, :2], decimals)
    keep = np.r_[True, np.any(xy[1:] != xy[:-1], axis=1)]
    xy = xy[keep]
    return xy if len(xy) >= 4 else None


def clean_geometry(geom: Any, decimals: int, label: str = "") -> Polygon | MultiPolygon:
    """Round coordinates, drop rings that collapse, orient rings (exterior counter-clockwise).

    Natural Earth has a few sliver rings (e.g. three points within 1e-5 degrees at the
    North Korea - Russia border on the Tumen river) that collapse when rounded; they are
    dropped. A polygon that rounding makes invalid is snapped to the grid by GEOS
    (:func:`shapely.set_precision`), which keeps it valid.
    """
    polys = []
    for part in shapely.get_parts(geom):
        if not isinstance(part, Polygon):
            continue
        shell = _round_ring(part.exterior.coords, decimals)
        if shell is None:
            print(f"  {label}: dropped a ring that collapses when rounded", file=sys.stderr)
            continue
        holes = [
            h for h in (_round_ring(r.coords, decimals) for r in part.interiors) if h is not None
        ]
        polys.append(Polygon(shell, holes))
    out: Any = polys[0] if len(polys) == 1 else MultiPolygon(polys)
    if not out.is_valid:
        print(
            f"  {label}: rounding gave {shapely.is_valid_reason(out)}; set_precision",
            file=sys.stderr,
        )
        out = shapely.set_precision(out, 10.0**-decimals)
    out = shapely.orient_polygons(out, exterior_cw=False)
    if not isinstance(out, Polygon | MultiPolygon) or not out.is_valid or out.is_empty:
        raise ValueError(f"{label}: could not clean geometry: {shapely.is_valid_reason(out)}")
    return out


def build(path: Path, decimals: int) -> dict[str, Any]:
    """The GeoJSON FeatureCollection (as a dict) for the shapefile at ``path``."""
    features = []
    missing = []
    for record, geom in read_records(path):
        name = _field(record, "name")
        iso = _field(record, "iso_a3")
        if iso == "-99":
            iso = ISO_FIXES.get(name, iso)
            if iso == "-99":
                missing.append(name)
        properties = {"name": name, "iso_a3": iso, "continent": _field(record, "continent")}
        geometry = mapping(clean_geometry(geom, decimals, name))
        features.append({"type": "Feature", "properties": properties, "geometry": geometry})
    features.sort(key=lambda f: f["properties"]["name"])
    return {
        "type": "FeatureCollection",
        "name": "countries_110m",
        "source": SOURCE,
        "licence": LICENCE,
        "notes": (
            f"Coordinates: longitude, latitude in degrees (WGS84), rounded to {decimals} "
            f"decimal places (<= {0.5 * 10**-decimals * 111_320:.1f} m, far below the "
            "kilometre-scale 1:110m generalisation); exterior rings counter-clockwise. "
            "iso_a3 '-99' in Natural Earth replaced by FRA for France and NOR for Norway; "
            f"kept as '-99' (no ISO 3166-1 code) for: {', '.join(sorted(missing))}."
        ),
        "features": features,
    }


def dumps(collection: dict[str, Any]) -> str:
    """Compact JSON, one feature per line so that a refresh gives a readable diff."""
    head = {k: v for k, v in collection.items() if k != "features"}
    text = json.dumps(head, ensure_ascii=False, separators=(",", ":"))[:-1]
    lines = [
        json.dumps(feature, ensure_ascii=False, separators=(",", ":"))
        for feature in collection["features"]
    ]
    return text + ',"features":[\n' + ",\n".join(lines) + "\n]}\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("shapefile", type=Path, help="Natural Earth 1:110m Admin-0 .shp file")
    parser.add_argument("-o", "--output", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--decimals", type=int, default=4, help="decimal places kept (4)")
    args = parser.parse_args(argv)
    collection = build(args.shapefile, args.decimals)
    text = dumps(collection)
    args.output.write_text(text, encoding="utf-8")
    print(
        f"wrote {len(collection['features'])} countries, {len(text.encode())} bytes "
        f"to {args.output}"
    )


if __name__ == "__main__":
    main()
