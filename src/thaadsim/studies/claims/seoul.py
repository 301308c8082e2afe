"""Claim 1: "THAAD cannot protect Seoul from short-range missiles and artillery."

Rockets and missiles fired at Seoul from just north of the DMZ (and a Scud-B from near
Pyongyang) are flown and offered to the run's THAAD battery with perfect tracking (the most
favourable case for the defense): do they ever enter the 40-150 km band, and does the
battery reach them there (its interceptor's greatest ground range)?"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from thaadsim.engagement import RaidThreat, simulate
from thaadsim.physics.geodesy import geodesic_inverse
from thaadsim.studies.claims.common import (
    CLAIMS,
    Claim,
    Flight,
    RunRecord,
    engaged_flights,
    ideal_defense,
    km,
    thaad_battery,
)
from thaadsim.systems.catalog import get_missile, get_site

SEOUL_RADIUS_M = 30e3
"""A run threat whose aim point lies this close to Seoul counts as aimed at Seoul."""

SEOUL_THREATS: tuple[tuple[str, float, float], ...] = (
    ("mrl-240", 38.0, 126.8),
    ("kn-02", 37.97, 126.55),
    ("scud-b", 39.0, 125.7),
)
"""Standard threats at Seoul: (missile, launch latitude, longitude), 240-mm rockets and the
KN-02 from just north of the DMZ, a Scud-B from near Pyongyang."""

def _nearest_in_band_m(flight: Flight, lat_deg: float, lon_deg: float,
                       band_m: tuple[float, float]) -> float:
    """Ground distance from a point to the nearest point of the flight inside the band
    (NaN if the flight never enters it)."""
    inside = (flight.alt_m >= band_m[0]) & (flight.alt_m <= band_m[1])
    if not inside.any():
        return float("nan")
    d = geodesic_inverse(lat_deg, lon_deg, flight.lat_deg[inside], flight.lon_deg[inside])[0]
    return float(np.min(d))


@dataclass(frozen=True, kw_only=True)
class SeoulFigure:
    """What claim 1's figure draws: the flights at Seoul against the band."""

    flights: tuple[Flight, ...]
    band_m: tuple[float, float]


def claim_seoul(out: RunRecord) -> Claim:
    seoul = get_site("seoul")
    battery = thaad_battery(out)
    icpt = battery.interceptor
    raid: list[RaidThreat] = []
    labels: list[str] = []
    for missile, lat, lon in SEOUL_THREATS:
        raid.append(RaidThreat(missile=get_missile(missile), launch_lat_deg=lat,
                               launch_lon_deg=lon,
                               aim_lat_deg=seoul.lat_deg, aim_lon_deg=seoul.lon_deg))
        labels.append(missile)
    aimed = [th for th in out.raid if geodesic_inverse(
        th.aim_lat_deg, th.aim_lon_deg, seoul.lat_deg, seoul.lon_deg)[0] <= SEOUL_RADIUS_M]
    seen = set()
    for th in aimed:
        key = (th.missile, th.launch_lat_deg, th.launch_lon_deg, th.shape, th.apogee_km)
        if key in seen:
            continue
        seen.add(key)
        raid.append(dataclasses.replace(th, launch_t_s=0.0))
        labels.append(f"{th.missile.slug} (run)")
    result = simulate(raid, ideal_defense(battery, (seoul.lat_deg, seoul.lon_deg)), trials=1,
                      seed=out.seed)
    flights = engaged_flights(raid, result, out.band_m, labels)
    distance_m = float(geodesic_inverse(battery.site.lat_deg, battery.site.lon_deg,
                                        seoul.lat_deg, seoul.lon_deg)[0])
    low_km, high_km = out.band_m[0] / 1e3, out.band_m[1] / 1e3
    numbers: dict[str, float | str] = {
        "THAAD battery": battery.name,
        "battery to Seoul (km)": km(distance_m),
        f"{icpt.slug} greatest ground range (km)": km(icpt.max_ground_range_m),
        "intercept band (km)": f"{low_km:g}-{high_km:g}",
    }
    for f in flights:
        numbers[f"{f.label} apogee (km)"] = km(f.apogee_m)
        numbers[f"{f.label} time in band (s)"] = round(f.time_in_band_s, 1)
        numbers[f"{f.label} engageable from the battery"] = "yes" if f.engageable > 0 else "no"
        near = _nearest_in_band_m(f, battery.site.lat_deg, battery.site.lon_deg, out.band_m)
        if np.isfinite(near):
            numbers[f"{f.label} nearest in-band point to the battery (km)"] = km(near)
    short = [f for f in flights if f.missile_class == "artillery-rocket" or f.missile == "kn-02"]
    engageable = [f for f in flights if f.engageable > 0]
    if not engageable:
        verdict = "supported"
    elif len(engageable) < len(flights):
        verdict = "partly supported"
    else:
        verdict = "not supported"
    peaks = ", ".join(f"{f.label} {f.apogee_m / 1e3:.0f} km" for f in short)
    if all(f.time_in_band_s == 0.0 for f in short):
        summary = (f"Fired at Seoul from just north of the DMZ, the short-range rockets peak "
                   f"far below the {low_km:g} km floor of THAAD's band ({peaks}), so no THAAD "
                   "battery anywhere could engage them.")
    else:
        summary = (f"Fired at Seoul from just north of the DMZ, not every short-range rocket "
                   f"stays below THAAD's band (apogees {peaks}).")
    scud = next((f for f in flights if f.label == "scud-b"), None)
    if scud is not None:
        near = _nearest_in_band_m(scud, battery.site.lat_deg, battery.site.lon_deg, out.band_m)
        if scud.time_in_band_s == 0.0:
            summary += " A Scud-B at Seoul never enters the band either."
        elif scud.engageable == 0:
            summary += (f" A Scud-B at Seoul does spend {scud.time_in_band_s:.0f} s in the band "
                        f"(apogee {scud.apogee_m / 1e3:.0f} km), but never closer than "
                        f"{near / 1e3:.0f} km to the {battery.name}, beyond its interceptor's "
                        f"{icpt.max_ground_range_m / 1e3:.0f} km reach: even with perfect "
                        "tracking it has no shot.")
        else:
            summary += (f" A Scud-B at Seoul spends {scud.time_in_band_s:.0f} s in the band, "
                        f"and the {battery.name}, {distance_m / 1e3:.0f} km from Seoul, can "
                        "engage it.")
    return Claim(number=1, claim=CLAIMS[1], verdict=verdict, summary=summary, numbers=numbers,
                 figure=SeoulFigure(flights=tuple(flights), band_m=out.band_m))


__all__ = ["SEOUL_RADIUS_M", "SEOUL_THREATS", "SeoulFigure", "claim_seoul"]
