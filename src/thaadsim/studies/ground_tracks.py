"""Each threat's flight in a raid as a ground track (latitude, longitude, altitude against
time) with its passage through the altitude band, from an engagement
:class:`~thaadsim.engagement.Result`'s flight grid: what the report, the maps, CZML, KML and
the claims check draw from, computed once per run."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from thaadsim.engagement import RaidThreat, Result
from thaadsim.physics.geodesy import ecef_to_geodetic, geodesic_inverse

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, kw_only=True)
class ThreatTrack:
    """One threat's flight (the same in every trial), sampled every second."""

    index: int
    missile: str
    group: str
    launch_lat_deg: float
    launch_lon_deg: float
    aim_lat_deg: float
    aim_lon_deg: float
    launch_t_s: float
    t_s: FloatArray
    """Times from the start of the raid, s."""
    lat_deg: FloatArray
    lon_deg: FloatArray
    alt_m: FloatArray
    ground_range_m: FloatArray
    """Along the ground from the launch point."""
    impact_t_s: float
    impact_lat_deg: float
    impact_lon_deg: float
    apogee_m: float
    band_entry_s: float
    """First time inside the altitude band (NaN: never)."""
    band_exit_s: float
    time_in_band_s: float


def threat_tracks(raid: Sequence[RaidThreat], groups: Sequence[str], result: Result,
                  band_m: tuple[float, float]) -> tuple[ThreatTrack, ...]:
    """The :class:`ThreatTrack` of each threat of ``raid`` (``groups``: each one's threat
    group) from ``result``'s flight grid; ``band_m`` is the altitude band."""
    t_grid = result.extra["t_grid"]
    y_grid = result.extra["y_grid"]
    out = []
    for i, th in enumerate(raid):
        ok = np.isfinite(t_grid[i])
        t = t_grid[i][ok]
        lat, lon, alt = ecef_to_geodetic(y_grid[i][ok, :3])
        ground = geodesic_inverse(th.launch_lat_deg, th.launch_lon_deg, lat, lon)[0]
        inside = (alt >= band_m[0]) & (alt <= band_m[1])
        entry = float(t[inside][0]) if inside.any() else float("nan")
        exit_ = float(t[inside][-1]) if inside.any() else float("nan")
        out.append(ThreatTrack(
            index=i, missile=th.missile.slug, group=groups[i],
            launch_lat_deg=th.launch_lat_deg,
            launch_lon_deg=th.launch_lon_deg, aim_lat_deg=th.aim_lat_deg,
            aim_lon_deg=th.aim_lon_deg, launch_t_s=th.launch_t_s, t_s=t, lat_deg=lat,
            lon_deg=lon, alt_m=alt, ground_range_m=ground, impact_t_s=float(t[-1]),
            impact_lat_deg=float(lat[-1]), impact_lon_deg=float(lon[-1]),
            apogee_m=float(alt.max()), band_entry_s=entry, band_exit_s=exit_,
            time_in_band_s=float(inside.sum()) * float(np.median(np.diff(t))) if
            inside.any() and t.size > 1 else 0.0))
    return tuple(out)


__all__ = ["ThreatTrack", "threat_tracks"]
