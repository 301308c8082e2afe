"""The surveillance map (``thaadsim surveil --plot``): each flight's ground track, each
sensor's coverage fan and the segment of each flight that sensor held in track, on the
shipped borders. Only draws: the data come from :mod:`thaadsim.studies.surveillance`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import numpy.typing as npt  # noqa: E402

from thaadsim.report.maps import draw_coasts, finish_map  # noqa: E402
from thaadsim.systems import geography  # noqa: E402

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, kw_only=True)
class MapTrack:
    """One flight to draw: its ground track and, per sensor name, the (lon, lat) of the
    part that sensor held in track."""

    label: str
    lon_deg: FloatArray
    lat_deg: FloatArray
    tracked: Mapping[str, tuple[FloatArray, FloatArray]] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class MapFan:
    """One sensor's coverage fan: its outline (lon, lat) and its site."""

    sensor: str
    lon_deg: FloatArray
    lat_deg: FloatArray
    site_lonlat: tuple[float, float]


def broken(lon_deg: FloatArray, lat_deg: FloatArray, jump_deg: float = 90.0
           ) -> tuple[FloatArray, FloatArray]:
    """The line cut (a NaN between) where consecutive longitudes jump by more than
    ``jump_deg``: a route over the pole, where the longitude turns half a turn, is not
    drawn back across the whole map."""
    lon = np.asarray(lon_deg, dtype=float)
    lat = np.asarray(lat_deg, dtype=float)
    cut = np.flatnonzero(np.abs(np.diff(lon)) > jump_deg) + 1
    return np.insert(lon, cut, np.nan), np.insert(lat, cut, np.nan)


def plot_surveillance_map(path: str | Path, *, tracks: Sequence[MapTrack],
                          fans: Sequence[MapFan], title: str, notes: str = "",
                          places: Sequence[tuple[str, float, float]] = ()) -> Path:
    """Write the PNG map: ground tracks in grey with a star at each launch, each sensor's
    fan in its own colour, and over each track the segment that sensor held, thick in the
    sensor's colour. Longitudes are drawn continuous about the first launch point (the
    Pacific crossing is not cut at the antimeridian); ``places`` are (name, lon, lat)."""
    path = Path(path)
    center = float(tracks[0].lon_deg[0]) + 60.0 if tracks else 140.0

    def near(lon: npt.ArrayLike) -> FloatArray:
        return np.asarray(geography.near_lon(center, lon), dtype=float)

    colours = plt.get_cmap("tab10")
    colour = {fan.sensor: colours(k % 10) for k, fan in enumerate(fans)}
    xs = [near(t.lon_deg) for t in tracks] + [near(f.lon_deg) for f in fans]
    ys = [t.lat_deg for t in tracks] + [f.lat_deg for f in fans]
    pad = 3.0
    box = (float(min(x.min() for x in xs)) - pad, max(-90.0, float(min(y.min() for y in ys)) - pad),
           float(max(x.max() for x in xs)) + pad, min(90.0, float(max(y.max() for y in ys)) + pad))
    fig, ax = plt.subplots(figsize=(11, 7), dpi=120)
    draw_coasts(ax, box, color="0.6")
    for fan in fans:
        x = near(fan.lon_deg)
        ax.fill(x, fan.lat_deg, color=colour[fan.sensor], alpha=0.12, lw=0)
        ax.plot(x, fan.lat_deg, color=colour[fan.sensor], lw=0.8, label=f"{fan.sensor} fan")
        sx = float(near(fan.site_lonlat[0]))
        ax.plot([sx], [fan.site_lonlat[1]], marker="^", color=colour[fan.sensor], ms=8,
                ls="none", markeredgecolor="k")
    labelled: set[str] = set()
    for k, t in enumerate(tracks):
        x = near(t.lon_deg)
        ax.plot(*broken(x, t.lat_deg), color="0.25", lw=0.8,
                label="ground track" if k == 0 else None)
        ax.plot([x[0]], [t.lat_deg[0]], marker="*", color="k", ms=10, ls="none")
        ax.plot([x[-1]], [t.lat_deg[-1]], marker="x", color="k", ms=6, ls="none")
        for j, (sensor, (s_lon, s_lat)) in enumerate(t.tracked.items()):
            if len(s_lon) < 2:
                continue
            ax.plot(*broken(near(s_lon), s_lat), color=colour.get(sensor, "tab:red"),
                    lw=4.0 - 0.6 * j, alpha=0.8, solid_capstyle="butt",
                    label=None if sensor in labelled else f"held in track by {sensor}")
            labelled.add(sensor)
    for name, p_lon, p_lat in places:
        px = float(near(p_lon))
        if box[0] <= px <= box[2] and box[1] <= p_lat <= box[3]:
            ax.annotate(name, (px, p_lat), xytext=(3, 3), textcoords="offset points",
                        fontsize=7)
    return finish_map(fig, ax, box, path, title=title, notes=notes,
                      xlabel="longitude (deg E, continuous across 180)",
                      legend_loc="lower left", legend_fontsize=7)


__all__ = ["MapFan", "MapTrack", "broken", "plot_surveillance_map"]
