"""Claim 4: "THAAD is built for medium- and intermediate-range missiles, not short-range
ones."

Time in the band and engageability by missile class, from the run's tracks and standard
flights of the classes the run lacks (:data:`STANDARD_FLIGHTS`)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from thaadsim.engagement import RaidThreat, simulate
from thaadsim.errors import ThaadsimError
from thaadsim.physics.geodesy import geodesic_direct
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
from thaadsim.systems import fire_control as fc
from thaadsim.systems.catalog import (
    Site,
    get_missile,
)
from thaadsim.systems.threat import shape_table

STANDARD_AZIMUTH_DEG = 150.0
"""Standard flights of claim 4 head south-south-east, down the peninsula and past it."""
MISSILE_BASE = (39.0194, 125.7381)
"""Pyongyang: where the standard missile flights start."""
ARTILLERY_BASE = (38.0, 126.8)
"""Just north of the DMZ: where the standard artillery flights start."""
BATTERY_SHORT_OF_AIM_M = 30e3
"""A standard flight's battery stands this far short of the aim point, toward the launch
(a battery defending the point under attack)."""

STANDARD_FLIGHTS: tuple[tuple[str, float, str, bool], ...] = (
    ("mrl-240", 60.0, "min-energy", True),
    ("kn-02", 120.0, "min-energy", True),
    ("mrl-300", 200.0, "min-energy", False),
    ("scud-b", 300.0, "min-energy", True),
    ("scud-c", 500.0, "min-energy", False),
    ("kn-23", 450.0, "depressed", True),
    ("nodong", 1000.0, "min-energy", True),
    ("hwasong-12", 2700.0, "min-energy", False),
)
"""(missile, range km, shape, in quick mode too): the published ranges (missiles.yaml),
the KN-23 on its reported flattened profile, the Nodong at 1,000 km, the Hwasong-12 at the
2,700 km of its 29 Aug 2017 flight."""


@dataclass(frozen=True, kw_only=True)
class ClassesFigure:
    """What claim 4's figure draws: each flight's time in the band, by class."""

    flights: tuple[Flight, ...]
    band_m: tuple[float, float]


def shortest_range_into_band_km(missile: str, floor_m: float = 40e3) -> float:
    """Shortest range at which the missile's minimum-energy trajectory reaches ``floor_m``
    (from its shape table: non-rotating Earth, with drag); NaN if it never does.

    The shipped catalog's missile and the floor fix it, so it is kept once per version
    (:func:`thaadsim.cache.cached_for`): a new process reads it instead of interpolating
    the table 200 times with SciPy (whose import is a start-up cost)."""
    from thaadsim.cache import cached_for

    return float(cached_for("shortest-range-into-band", (missile, float(floor_m)),
                            lambda: _shortest_range_into_band_km(missile, floor_m)).value)


def _shortest_range_into_band_km(missile: str, floor_m: float) -> float:
    m = get_missile(missile)
    table = shape_table(m.rocket)
    r_max = float(table.best_kick[1][-1])
    ranges = np.linspace(10e3, r_max, 200)
    apogee = np.array([table.apogee_at(*table.min_energy(float(r))) for r in ranges])
    above = np.flatnonzero(apogee >= floor_m)
    if above.size == 0:
        return float("nan")
    i = int(above[0])
    if i == 0:
        return float(ranges[0]) / 1e3
    return float(np.interp(floor_m, apogee[i - 1:i + 1], ranges[i - 1:i + 1])) / 1e3


def _standard_flight(missile: str, range_km: float, shape: str, battery: fc.Battery,
                     seed: int, band_m: tuple[float, float]) -> Flight | None:
    m = get_missile(missile)
    lat0, lon0 = ARTILLERY_BASE if m.missile_class == "artillery-rocket" else MISSILE_BASE
    lat, lon, _ = geodesic_direct(lat0, lon0, STANDARD_AZIMUTH_DEG, range_km * 1e3)
    blat, blon, _ = geodesic_direct(float(lat), float(lon), STANDARD_AZIMUTH_DEG + 180.0,
                                    BATTERY_SHORT_OF_AIM_M)
    site = Site(slug="standard", name="standard battery", lat_deg=float(blat),
                lon_deg=float(blon), alt_m=0.0, figures={})
    bat = dataclasses.replace(battery, site=site, slug="standard")
    threat = RaidThreat(missile=m, launch_lat_deg=lat0, launch_lon_deg=lon0,
                        aim_lat_deg=float(lat), aim_lon_deg=float(lon), shape=shape)
    try:
        res = simulate([threat], ideal_defense(bat, (lat0, lon0)), trials=1, seed=seed)
    except ThaadsimError:
        return None
    label = f"{missile} {range_km:,.0f} km" + (f" {shape}" if shape != "min-energy" else "")
    return engaged_flights([threat], res, band_m, [label])[0]


def claim_classes(out: RunRecord, quick: bool) -> Claim:
    flights: list[Flight] = []
    seen: set[tuple[str, str]] = set()
    engage = out.result.per_trial("engageable")
    for tr, th in zip(out.tracks, out.raid, strict=True):
        key = (th.missile.slug, th.shape)
        if key in seen:
            continue
        seen.add(key)
        flights.append(Flight(
            label=f"{th.missile.slug} {tr.ground_range_m[-1] / 1e3:,.0f} km (run)",
            missile=th.missile.slug, missile_class=th.missile.missile_class,
            range_km=float(tr.ground_range_m[-1]) / 1e3, lat_deg=tr.lat_deg, lon_deg=tr.lon_deg,
            alt_m=tr.alt_m, ground_m=tr.ground_range_m, apogee_m=float(np.nanmax(tr.alt_m)),
            time_in_band_s=tr.time_in_band_s, engageable=float(engage[:, tr.index].mean()),
            reason=""))
    battery = thaad_battery(out)
    for missile, range_km, shape, in_quick in STANDARD_FLIGHTS:
        if (missile, shape) in seen or (quick and not in_quick):
            continue
        f = _standard_flight(missile, range_km, shape, battery, out.seed, out.band_m)
        if f is not None:
            flights.append(f)
    order = {c: i for i, c in enumerate(("artillery-rocket", "SRBM", "MRBM", "IRBM", "ICBM"))}
    flights.sort(key=lambda f: (order.get(f.missile_class, 9), f.range_km))
    numbers: dict[str, float | str] = {}
    for f in flights:
        numbers[f"{f.label}: class"] = f.missile_class
        numbers[f"{f.label}: apogee (km)"] = km(f.apogee_m)
        numbers[f"{f.label}: time in band (s)"] = round(f.time_in_band_s, 1)
        numbers[f"{f.label}: engageable (share of trials)"] = round(f.engageable, 3)
    r40 = shortest_range_into_band_km("scud-b", out.band_m[0])
    numbers[f"shortest Scud-B range reaching {out.band_m[0] / 1e3:g} km (km)"] = round(r40, 0)
    srbm = [f for f in flights if f.missile_class == "SRBM"]
    longer = [f for f in flights if f.missile_class in ("MRBM", "IRBM")]
    art = [f for f in flights if f.missile_class == "artillery-rocket"]
    srbm_ok = [f for f in srbm if f.engageable > 0]
    never = [f for f in flights if f.time_in_band_s == 0.0]
    if srbm and not srbm_ok:
        verdict = "supported"
    elif srbm_ok and (never or len(srbm_ok) < len(srbm)
                      or any(f.engageable == 0 for f in art)):
        verdict = "partly supported"
    else:
        verdict = "not supported"

    def brief(fs: Sequence[Flight]) -> str:
        return ", ".join(f"{f.label} {f.time_in_band_s:.0f} s" for f in fs)

    summary = (f"Short-range ballistic missiles pass through the band and can be engaged "
               f"({brief(srbm_ok)})"
               + (f", as long as or longer than the medium- and intermediate-range ones "
                  f"({brief(longer)})" if longer else "")
               + ". ")
    art_in = [f for f in art if f.engageable > 0]
    if never:
        summary += (f"The claim holds only for what is flown shorter than about {r40:.0f} km, "
                    f"which never reaches {out.band_m[0] / 1e3:g} km "
                    f"({', '.join(f.label for f in never)}): artillery and short-range "
                    "missiles at Seoul's distances"
                    + (f", while even a rocket flown far enough enters it ({brief(art_in)})"
                       if art_in else "") + ".")
    flat = [f for f in flights if f.missile == "kn-23"]
    if flat:
        f = flat[0]
        summary += (f" The KN-23's flattened flight peaks at {f.apogee_m / 1e3:.0f} km, "
                    f"{f.time_in_band_s:.0f} s inside the bottom of the band"
                    + (", engageable." if f.engageable > 0 else ", with no shot."))
    return Claim(number=4, claim=CLAIMS[4], verdict=verdict, summary=summary, numbers=numbers,
                 figure=ClassesFigure(flights=tuple(flights), band_m=out.band_m))


__all__ = ["STANDARD_FLIGHTS", "ClassesFigure", "claim_classes", "shortest_range_into_band_km"]
