"""Claim 2: "THAAD's X-band radar can see into China."

The AN/TPY-2 at the run's site and boresight, in terminal and in forward-based mode, against a
missile body in midcourse (1 m^2 at 300 km) and a warhead (0.01 m^2 at 100 km): the covered
area of China. The fans are kept once per version of thaadsim (:func:`coverage`)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import shapely

from thaadsim.physics.geodesy import geodesic_inverse
from thaadsim.studies.claims.common import (
    CLAIMS,
    Claim,
    RunRecord,
)
from thaadsim.studies.coverage import RadarCoverage, radar_coverage
from thaadsim.systems.catalog import (
    get_radar,
    get_site,
)
from thaadsim.systems.geography import get_country
from thaadsim.systems.radar import Radar

COVERAGE_TARGETS: tuple[tuple[float, float, str], ...] = (
    (1.0, 300e3, "missile body in midcourse"),
    (0.01, 100e3, "warhead"),
)
"""(RCS m^2, altitude m, what it stands for) of the targets for claim 2."""
RADAR_MODES = ("terminal", "forward-based")


@dataclass(frozen=True, kw_only=True)
class ChinaFigure:
    """What claim 2's figure draws: the radar's fans by mode and target over China."""

    coverages: Mapping[tuple[str, float], RadarCoverage]
    """By (mode, RCS m^2) of :data:`COVERAGE_TARGETS`."""
    lat_deg: float
    lon_deg: float
    """The radar's site."""
    china: Any
    """China's outline (shapely, lon/lat)."""
    beijing_lonlat: tuple[float, float]


def coverage(mode: str | Radar, emplacement: Any, rcs_m2: float, alt_m: float,
             azimuth_step_deg: float = 0.5) -> RadarCoverage:
    """:func:`~thaadsim.studies.coverage.radar_coverage` of a radar (or the catalog's in ``mode``)
    (track dwell), kept once per version of thaadsim (:func:`thaadsim.cache.cached`, keyed
    by the version and the arguments) and in this process: it depends only on the code,
    the catalog and its arguments, and a report asks for the same fans in every run. The
    polygon is kept as WKB and the floats as JSON (both exact), so a kept coverage is the
    coverage."""
    radar = mode if isinstance(mode, Radar) else get_radar(mode).radar
    return _coverage(radar, emplacement, float(rcs_m2), float(alt_m), float(azimuth_step_deg))


@cache
def _coverage(radar: Radar, emplacement: Any, rcs_m2: float, alt_m: float,
              step: float) -> RadarCoverage:
    import hashlib

    from thaadsim.cache import cached, version_key
    from thaadsim.systems.geography import Coverage

    def compute() -> dict[str, Any]:
        cov = radar_coverage(radar, emplacement, rcs_m2, alt_m, dwell="track",
                             azimuth_step_deg=step)
        return {"polygon": shapely.to_wkb(cov.polygon, hex=True),
                "azimuth_deg": cov.azimuth_deg.tolist(), "near_m": cov.near_m.tolist(),
                "far_m": cov.far_m.tolist(), "detection_range_m": cov.detection_range_m,
                "horizon_range_m": cov.horizon_range_m,
                "instrumented_range_m": cov.instrumented_range_m,
                "covered_km2": cov.covered_km2,
                "territory": [dataclasses.asdict(c) for c in cov.territory]}

    key = repr((version_key(), radar, emplacement, rcs_m2, alt_m, step))
    name = "coverage-" + hashlib.sha256(key.encode()).hexdigest()[:32]
    v = cached(name, compute, key=key).value
    return RadarCoverage(
        polygon=shapely.from_wkb(v["polygon"]),
        azimuth_deg=np.array(v["azimuth_deg"], dtype=np.float64),
        near_m=np.array(v["near_m"], dtype=np.float64),
        far_m=np.array(v["far_m"], dtype=np.float64),
        detection_range_m=float(v["detection_range_m"]),
        horizon_range_m=float(v["horizon_range_m"]),
        instrumented_range_m=float(v["instrumented_range_m"]),
        covered_km2=float(v["covered_km2"]),
        territory=[Coverage(**c) for c in v["territory"]])

def _china_reach(cov: RadarCoverage, lat_deg: float, lon_deg: float,
                 china: Any) -> tuple[float, float]:
    """(km^2 of China covered, farthest covered point of China from the radar in km)."""
    share = next((c for c in cov.territory if c.name == "China"), None)
    if share is None or cov.polygon.is_empty:
        return 0.0, 0.0
    xy = shapely.get_coordinates(cov.polygon.intersection(china))
    if xy.size == 0:
        return share.covered_km2, 0.0
    d = geodesic_inverse(lat_deg, lon_deg, xy[:, 1], xy[:, 0])[0]
    return share.covered_km2, float(np.max(d)) / 1e3


def claim_china(out: RunRecord, quick: bool) -> Claim:
    emp = out.defense.sensors[0].emplacement
    china = get_country("China")
    beijing = get_site("beijing")
    border = shapely.get_coordinates(shapely.segmentize(china.geometry.boundary, 0.1))
    nearest_km = float(np.min(geodesic_inverse(emp.lat_deg, emp.lon_deg, border[:, 1],
                                               border[:, 0])[0])) / 1e3
    numbers: dict[str, float | str] = {
        "radar site": emp.name or f"{emp.lat_deg:.3f} N {emp.lon_deg:.3f} E",
        "boresight (deg)": round(emp.boresight_deg, 1),
        "nearest Chinese territory from the radar (km)": round(nearest_km, 0),
        "China's area (km^2)": round(china.area_km2, -3),
    }
    covs: dict[tuple[str, float], RadarCoverage] = {}
    shares: dict[str, float] = {}
    for mode in RADAR_MODES:
        for rcs, alt, what in COVERAGE_TARGETS:
            cov = coverage(mode, emp, rcs, alt, azimuth_step_deg=2.0 if quick else 0.5)
            covs[mode, rcs] = cov
            km2, far_km = _china_reach(cov, emp.lat_deg, emp.lon_deg, china.geometry)
            tag = f"{mode}, {what} ({rcs:g} m^2 at {alt / 1e3:.0f} km)"
            numbers[f"{tag}: covered area (km^2)"] = round(cov.covered_km2, -2)
            numbers[f"{tag}: China covered (km^2)"] = round(km2, -2)
            numbers[f"{tag}: share of China (%)"] = round(100.0 * km2 / china.area_km2, 2)
            numbers[f"{tag}: farthest covered point in China (km from the radar)"] = round(
                far_km, 0)
            shares[mode] = max(shares.get(mode, 0.0), km2 / china.area_km2)
    fwd = covs["forward-based", COVERAGE_TARGETS[0][0]]
    sees_beijing = bool(fwd.polygon.contains(shapely.Point(beijing.lon_deg, beijing.lat_deg)))
    numbers["Beijing inside the forward-based fan (1 m^2 at 300 km)"] = (
        "yes" if sees_beijing else "no")
    t_share, f_share = shares["terminal"], shares["forward-based"]
    if t_share >= 0.05:
        verdict = "supported"
    elif t_share > 0.0 or f_share > 0.0:
        verdict = "partly supported"
    else:
        verdict = "not supported"
    rcs0, alt0, _ = COVERAGE_TARGETS[0]
    rcs1, alt1, _ = COVERAGE_TARGETS[1]
    term = {r: _china_reach(covs["terminal", r], emp.lat_deg, emp.lon_deg, china.geometry)[0]
            for r, _, _ in COVERAGE_TARGETS}
    fwd_km2, fwd_far_km = _china_reach(fwd, emp.lat_deg, emp.lon_deg, china.geometry)
    summary = (
        f"Chinese territory begins {nearest_km:.0f} km from the radar. In terminal mode, "
        f"THAAD's fire-control mode, it covers {term[rcs0]:,.0f} km^2 of China for a "
        f"{rcs0:g} m^2 missile at {alt0 / 1e3:.0f} km and {term[rcs1]:,.0f} km^2 "
        f"({100 * t_share:.2f}% of China at most) for a {rcs1:g} m^2 warhead at "
        f"{alt1 / 1e3:.0f} km. The same hardware in forward-based mode covers "
        f"{100 * f_share:.0f}% of China ({round(fwd_km2, -3):,.0f} km^2, out to "
        f"{fwd_far_km:,.0f} km from the radar) against a {rcs0:g} m^2 missile at "
        f"{alt0 / 1e3:.0f} km"
        + (", Beijing included." if sees_beijing else ", short of Beijing."))
    return Claim(number=2, claim=CLAIMS[2], verdict=verdict, summary=summary, numbers=numbers,
                 figure=ChinaFigure(coverages=covs, lat_deg=emp.lat_deg, lon_deg=emp.lon_deg,
                                    china=china.geometry,
                                    beijing_lonlat=(beijing.lon_deg, beijing.lat_deg)))


__all__ = ["COVERAGE_TARGETS", "RADAR_MODES", "ChinaFigure", "claim_china", "coverage"]
