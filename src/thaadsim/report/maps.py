"""Maps: a radar's coverage fan, or a battery's defended footprint, drawn on the borders and
coastlines of the region (Natural Earth 1:10m there, :func:`draw_coasts`)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import shapely  # noqa: E402
from matplotlib.collections import LineCollection  # noqa: E402

from thaadsim.outputs import save_png  # noqa: E402
from thaadsim.physics.geodesy import geodesic_direct  # noqa: E402
from thaadsim.systems import geography  # noqa: E402


def plot_coverage_map(
    path: str | Path,
    polygon: shapely.Geometry,
    *,
    site_lonlat: tuple[float, float],
    site_name: str,
    boresight_deg: float,
    title: str,
    notes: str = "",
    places: Sequence[tuple[str, float, float]] = (),
    rings_km: Sequence[float] = (),
) -> Path:
    """Write a PNG map of a coverage polygon (lon/lat degrees) on the shipped borders.

    ``places`` are (name, lon, lat) to label; ``rings_km`` draws range rings about the site
    (geodesic circles), e.g. the detection range and the instrumented range.
    """
    path = Path(path)
    lon0, lat0 = site_lonlat

    def near(lon: Any) -> Any:  # longitudes continuous about the site's (the antimeridian)
        return geography.near_lon(lon0, lon)

    parts = geography.near_outlines(lon0, polygon)
    if not parts:
        minx, miny, maxx, maxy = lon0 - 3, lat0 - 3, lon0 + 3, lat0 + 3
    else:
        minx, maxx = min(x.min() for x, _ in parts), max(x.max() for x, _ in parts)
        miny, maxy = min(y.min() for _, y in parts), max(y.max() for _, y in parts)
    pad = 1.0
    box = (min(minx, lon0) - pad, max(-90.0, min(miny, lat0) - pad),
           max(maxx, lon0) + pad, min(90.0, max(maxy, lat0) + pad))
    fig, ax = plt.subplots(figsize=(9, 8), dpi=120)
    draw_coasts(ax, box)
    for x, y in parts:
        ax.fill(x, y, color="tab:blue", alpha=0.25, lw=0)
        ax.plot(x, y, color="tab:blue", lw=1.2)
    az = np.linspace(0.0, 360.0, 361)
    for ring_km in rings_km:
        lat, lon, _ = geodesic_direct(lat0, lon0, az, ring_km * 1e3)
        lon = near(lon)
        ax.plot(lon, lat, color="tab:gray", lw=0.8, ls="--")
        ax.annotate(f"{ring_km:,.0f} km", (lon[0], lat[0]), fontsize=8, color="tab:gray")
    lat_b, lon_b, _ = geodesic_direct(lat0, lon0, boresight_deg, 300e3)
    lon_b = near(lon_b)
    ax.annotate("", xy=(float(lon_b), float(lat_b)), xytext=(lon0, lat0),
                arrowprops={"arrowstyle": "->", "color": "tab:red"})
    ax.plot([lon0], [lat0], marker="^", color="tab:red", ms=10, ls="none", label=site_name)
    for name, p_lon, p_lat in places:
        p_lon = float(near(p_lon))
        if box[0] <= p_lon <= box[2] and box[1] <= p_lat <= box[3]:
            ax.plot([p_lon], [p_lat], marker="o", color="k", ms=3)
            ax.annotate(name, (p_lon, p_lat), xytext=(3, 3), textcoords="offset points",
                        fontsize=8)
    return finish_map(fig, ax, box, path, title=title, notes=notes)


def draw_coasts(ax: Any, box: Sequence[float], color: str = "0.35") -> None:
    """The coastlines (solid) and land borders (dashed) inside the lon/lat ``box`` (west,
    south, east, north; longitudes may run past +-180 about the antimeridian) of
    :func:`thaadsim.systems.geography.map_lines`, as one collection per kind: a map of the
    peninsula has hundreds of islands, and one artist draws them faster than one each."""
    lines = geography.map_lines(box)
    for kind, style, width in (("coast", "solid", 0.6), ("border", (0, (4, 2)), 0.8)):
        if lines[kind]:
            ax.add_collection(LineCollection(
                [np.column_stack(line) for line in lines[kind]], colors=color,
                linewidths=width, linestyles=style, zorder=1.5))


def finish_map(fig: Any, ax: Any, box: tuple[float, float, float, float], path: Path, *,
               title: str, notes: str = "", xlabel: str = "longitude (deg E)",
               legend_loc: str = "lower right", legend_fontsize: float = 8) -> Path:
    """The common end of a map: the lon/lat ``box`` (west, south, east, north) at a true
    aspect for its mid-latitude, labels, title, legend, a grid and the ``notes`` line under
    it, written to ``path`` as a signed PNG and closed."""
    ax.set_xlim(box[0], box[2])
    ax.set_ylim(box[1], box[3])
    ax.set_aspect(1.0 / max(0.3, np.cos(np.radians(0.5 * (box[1] + box[3])))))
    ax.set_xlabel(xlabel)
    ax.set_ylabel("latitude (deg N)")
    ax.set_title(title, fontsize=10)
    ax.legend(loc=legend_loc, fontsize=legend_fontsize)
    if notes:
        fig.text(0.01, 0.01, notes, fontsize=7, color="0.3", va="bottom")
    ax.grid(True, alpha=0.3)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    try:
        save_png(fig, path)
    finally:
        plt.close(fig)
    return path


def plot_footprint_map(
    path: str | Path,
    footprint: object,
    *,
    title: str | None = None,
    notes: str = "",
) -> Path:
    """Write a PNG map of a defended footprint (:class:`thaadsim.studies.footprint.Footprint`)
    on the shipped borders: cells shaded by their shot opportunities (1, 2, 3+), the
    footprint's outline, the battery and the launch point marked, the catalog's sites
    labelled (a filled marker where defended)."""
    from matplotlib.colors import BoundaryNorm, ListedColormap

    from thaadsim.systems.catalog import site_catalog

    fp: Any = footprint
    path = Path(path)
    lat, lon = fp.lat_deg, fp.lon_deg
    dlat = float(lat[1] - lat[0]) if lat.size > 1 else 0.1
    dlon = float(lon[1] - lon[0]) if lon.size > 1 else 0.1
    site = fp.battery.site
    launch = (fp.launch_lon_deg, fp.launch_lat_deg)
    pad = 0.5
    box = (max(-180.0, min(lon[0] - dlon / 2, launch[0]) - pad),
           max(-90.0, min(lat[0] - dlat / 2, launch[1]) - pad),
           min(180.0, max(lon[-1] + dlon / 2, launch[0]) + pad),
           min(90.0, max(lat[-1] + dlat / 2, launch[1]) + pad))
    fig, ax = plt.subplots(figsize=(9, 8), dpi=120)
    shots = np.asarray(fp.shots, dtype=float)
    shaded = np.where(shots >= 1, np.minimum(shots, 3), np.nan)
    cmap = ListedColormap(["#9ecae1", "#4292c6", "#08519c"])
    mesh = ax.pcolormesh(np.append(lon - dlon / 2, lon[-1] + dlon / 2),
                         np.append(lat - dlat / 2, lat[-1] + dlat / 2), shaded, cmap=cmap,
                         norm=BoundaryNorm([0.5, 1.5, 2.5, 3.5], 3), alpha=0.75, shading="flat")
    unreachable = np.where(shots < 0, 1.0, np.nan)
    ax.pcolormesh(np.append(lon - dlon / 2, lon[-1] + dlon / 2),
                  np.append(lat - dlat / 2, lat[-1] + dlat / 2), unreachable,
                  cmap=ListedColormap(["0.85"]), alpha=0.5, shading="flat")
    cbar = fig.colorbar(mesh, ax=ax, ticks=[1, 2, 3], shrink=0.6)
    cbar.ax.set_yticklabels(["1", "2", "3+"])
    cbar.set_label("shot opportunities (shoot-look-shoot)")
    draw_coasts(ax, box)
    polygon = fp.polygon
    if not polygon.is_empty:
        for part in shapely.get_parts(polygon):
            x, y = part.exterior.xy
            ax.plot(x, y, color="tab:blue", lw=1.0)
    ax.plot([site.lon_deg], [site.lat_deg], marker="^", color="tab:red", ms=10, ls="none",
            label=fp.battery.name)
    ax.plot([launch[0]], [launch[1]], marker="*", color="k", ms=13, ls="none",
            label=f"launch ({fp.missile})")
    defended = set(fp.defended_sites)
    for slug, s in site_catalog().items():
        if box[0] <= s.lon_deg <= box[2] and box[1] <= s.lat_deg <= box[3]:
            ax.plot([s.lon_deg], [s.lat_deg], marker="o", ms=4, ls="none",
                    color="k" if slug in defended else "white", markeredgecolor="k")
            ax.annotate(s.name.split(" (")[0], (s.lon_deg, s.lat_deg), xytext=(3, 3),
                        textcoords="offset points", fontsize=8)
    return finish_map(fig, ax, box, path, title=title or (
        f"Defended footprint of the {fp.battery.name}\nagainst {fp.missile} ({fp.shape}), "
        f"at least {fp.min_shots} shot(s): {fp.area_km2:,.0f} km^2"),
        notes=notes or "grey: beyond the missile's reach; filled circles: defended sites")
