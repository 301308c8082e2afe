"""Claim 2: "THAAD's radar in Korea can track China's strategic missiles and undermine its
deterrent."

The claim the debate made (China's government and Chinese analysts, 2016-2017): the Seongju
AN/TPY-2, with the forward-based TPY-2s at Shariki and Kyogamisaki, forms a fence that
tracks China's ICBMs on their way to the United States and feeds U.S. midcourse defense.
It is answered with the surveillance study
(:func:`thaadsim.studies.surveillance.surveil_corridors`): a DF-41 flown on every corridor
from China's launch areas to U.S. targets (``data/surveillance.yaml``), seen by Seongju in
terminal and in forward-based mode (at the run's boresight) and by Shariki and Kyogamisaki
(forward-based, their catalog boresights, assumptions): the share of corridors Seongju
tracks in each mode, for how long, whether it tracks anything the Japanese radars do not
(or earlier), and what its track is worth for a midcourse intercept: whether it holds the
warhead, the predicted-impact spread when its track ends, the time then left before
impact, and the geometry (a receding target, seen from behind). The verdict is
:func:`verdict_from_corridors`. The corridor table is kept once per version of thaadsim
(:func:`corridor_table`). The area of China under the radar's fans (a missile body, 1 m^2
at 300 km, and a warhead, 0.01 m^2 at 100 km) stays as background (:func:`coverage`)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import shapely

from thaadsim.jsonsafe import json_safe
from thaadsim.physics.geodesy import geodesic_inverse
from thaadsim.studies.claims.common import (
    CLAIMS,
    Claim,
    FloatArray,
    RunRecord,
)
from thaadsim.studies.coverage import RadarCoverage, radar_coverage
from thaadsim.systems.catalog import (
    get_radar,
    get_site,
)
from thaadsim.systems.geography import get_country
from thaadsim.systems.radar import Emplacement, Radar
from thaadsim.systems.sensors import Sensor

COVERAGE_TARGETS: tuple[tuple[float, float, str], ...] = (
    (1.0, 300e3, "missile body in midcourse"),
    (0.01, 100e3, "warhead"),
)
"""(RCS m^2, altitude m, what it stands for) of the targets for claim 2."""
RADAR_MODES = ("terminal", "forward-based")


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


CORRIDOR_MISSILE = "df-41"
"""The missile flown on every corridor: China's newest ICBM, road-mobile and in the new
silo fields (12,000-15,000 km, ``validation.yaml``); its post-boost window and the two
objects' cross-sections are the surveillance catalog's assumptions
(``data/surveillance.yaml``)."""
ADDS_EARLIER_S = 60.0
"""Seongju adds to the Japanese radars on a corridor they also track when its track of the
missile starts at least this much earlier (assumption: a minute of track is the order of
a midcourse interceptor's decision time; a few seconds would be within the chain's look
intervals)."""
MAJORITY = 0.5
"""The share of corridors above which the radar "can track China's strategic missiles"."""
CORRIDOR_SEED = 0
"""The corridor table's seed: one table per version, the same in every run."""
QUICK_CORRIDORS = (("daqing",), ("seattle", "washington-dc"))
"""``quick``: one launch area, two targets (tests)."""
SEONGJU_SENSORS = ("seongju-terminal", "seongju-forward-based")
JAPAN_SENSORS = ("shariki", "kyogamisaki")


@dataclass(frozen=True, kw_only=True)
class ChinaFigure:
    """What claim 2's figure draws: the corridors' ground tracks, the segment each sensor
    tracked, the sensors' fans, and each sensor's share of corridors tracked."""

    corridors: tuple[Mapping[str, Any], ...]
    """Rows of :func:`corridor_table` (``lon``, ``lat``, ``t`` and per sensor its window)."""
    fans: Mapping[str, tuple[list[float], list[float]]]
    """By sensor: its fan's ground outline (lon, lat) to its instrumented range."""
    shares: Mapping[str, tuple[float, float]]
    """By sensor: (share of corridors with a track of the missile, of the warhead)."""
    china: Any
    """China's outline (shapely, lon/lat)."""
    lat_deg: float
    lon_deg: float
    """Seongju."""


CorridorFigure = ChinaFigure


def corridor_sensors(emp: Emplacement) -> tuple[Sensor, ...]:
    """Seongju (``emp``: the run's site and boresight) in terminal and forward-based mode,
    and the forward-based TPY-2s at Shariki and Kyogamisaki at their catalog boresights
    (assumptions, ``sites.yaml``)."""
    from thaadsim.systems.sensors import sensor_at

    return (Sensor(name=SEONGJU_SENSORS[0], radar=get_radar("terminal").radar,
                   emplacement=emp, site="seongju"),
            Sensor(name=SEONGJU_SENSORS[1], radar=get_radar("forward-based").radar,
                   emplacement=emp, site="seongju"),
            *(sensor_at(site, "forward-based", name=site) for site in JAPAN_SENSORS))


def _receding_share(t_s: FloatArray, xyz_m: FloatArray, radar_xyz_m: FloatArray,
                    start_s: float, end_s: float) -> float:
    """Share of the window ``start_s``..``end_s`` in which the range from the radar grows
    (the missile flies away from it: seen from behind); NaN for an empty window."""
    inside = (t_s >= start_s) & (t_s <= end_s)
    if not np.isfinite(start_s) or inside.sum() < 2:
        return float("nan")
    r = np.linalg.norm(xyz_m[inside] - radar_xyz_m, axis=1)
    return float(np.mean(np.diff(r) > 0.0))


def _corridor_row(corridor: Any, sensors: Sequence[Sensor]) -> dict[str, Any]:
    """One corridor as JSON-ready data: the flight, a thinned ground track, and per sensor
    its track windows, what the track is worth and its geometry."""
    from thaadsim.physics.geodesy import geodetic_to_ecef

    res = corridor.result
    row: dict[str, Any] = {"launch": corridor.launch, "target": corridor.target,
                           "reachable": res is not None}
    if res is None:
        row["reason"] = corridor.unreachable
        return row
    xyz = geodetic_to_ecef(res.lat_deg, res.lon_deg, res.alt_km * 1e3)
    step = max(1, res.t_s.size // 120)
    row.update({"range_km": res.range_km, "flight_time_s": res.flight_time_s,
                "t": res.t_s[::step].tolist(), "lat": res.lat_deg[::step].tolist(),
                "lon": res.lon_deg[::step].tolist(), "sensors": {}})
    for p, sensor in zip(res.passes, sensors, strict=True):
        emp = sensor.emplacement
        here = geodetic_to_ecef(emp.lat_deg, emp.lon_deg, emp.alt_m)
        b, w = p.body, p.warhead
        held = w if np.isfinite(w.track_start_s) else b
        row["sensors"][p.sensor] = {
            "body_track_start_s": b.track_start_s, "body_track_end_s": b.track_end_s,
            "body_track_s": b.track_s, "warhead_track_start_s": w.track_start_s,
            "warhead_track_s": w.track_s, "first_detection_range_km": b.first_detection_range_km,
            "saw_deployment": p.saw_deployment,
            "impact_sigma_km": held.impact_sigma_km,
            "left_s": res.flight_time_s - held.track_end_s,
            "receding_share": _receding_share(res.t_s, xyz, here, b.track_start_s,
                                              b.track_end_s)}
    return row


def corridor_table(emp: Emplacement, quick: bool = False) -> list[dict[str, Any]]:
    """:func:`~thaadsim.studies.surveillance.surveil_corridors` of :data:`CORRIDOR_MISSILE`
    over China's launch areas and the U.S. targets of the surveillance catalog, seen by
    :func:`corridor_sensors`, as rows of :func:`_corridor_row`: kept once per version of
    thaadsim and Seongju's emplacement (:func:`thaadsim.cache.cached`), and in this
    process. ``quick``: :data:`QUICK_CORRIDORS` only."""
    return _corridor_table(emp, bool(quick))


@cache
def _corridor_table(emp: Emplacement, quick: bool) -> list[dict[str, Any]]:
    import hashlib

    from thaadsim.cache import cached, version_key
    from thaadsim.studies import surveillance as sv

    sensors = corridor_sensors(emp)
    launches, targets = (QUICK_CORRIDORS if quick
                         else (sv.china_launch_areas(), sv.us_targets()))

    def places(slugs: Sequence[str]) -> list[tuple[str, float, float]]:
        return [(s, get_site(s).lat_deg, get_site(s).lon_deg) for s in slugs]

    def compute() -> list[dict[str, Any]]:
        table = sv.surveil_corridors(CORRIDOR_MISSILE, places(launches), places(targets),
                                     sensors, seed=CORRIDOR_SEED)
        return [json_safe(_corridor_row(c, sensors)) for c in table.corridors]

    key = repr((version_key(), CORRIDOR_MISSILE, sensors, tuple(launches), tuple(targets),
                CORRIDOR_SEED))
    name = "claim2-corridors-" + hashlib.sha256(key.encode()).hexdigest()[:32]
    return list(cached(name, compute, key=key).value)


def _num(x: Any) -> float:
    return float("nan") if x is None else float(x)


def _median(xs: Sequence[float]) -> float:
    v = np.array([x for x in xs if np.isfinite(x)], dtype=np.float64)
    return float(np.median(v)) if v.size else float("nan")


def _tracked(row: Mapping[str, Any], sensor: str, what: str = "body") -> bool:
    return bool(np.isfinite(_num(row["sensors"][sensor][f"{what}_track_start_s"])))


def corridor_shares(rows: Sequence[Mapping[str, Any]], sensors: Sequence[str]
                    ) -> dict[str, dict[str, float]]:
    """Per sensor, over the reachable corridors: ``track`` (share with a track of the
    missile), ``warhead`` (of the warhead), ``deployment`` (saw the post-boost phase), and
    the medians where tracked: ``track_s``, ``impact_sigma_km``, ``left_s`` (time left to
    impact when the track ends), ``receding`` (share of the track with the missile flying
    away), ``first_detection_range_km``. For Seongju's sensors also ``adds``: the share of
    corridors it tracks that neither Japanese radar tracks, or tracks
    :data:`ADDS_EARLIER_S` or more later."""
    flown = [r for r in rows if r["reachable"]]
    out: dict[str, dict[str, float]] = {}
    for s in sensors:
        seen = [r for r in flown if _tracked(r, s)]
        cols = {k: [_num(r["sensors"][s][k]) for r in seen]
                for k in ("body_track_s", "impact_sigma_km", "left_s", "receding_share",
                          "first_detection_range_km")}
        n = max(1, len(flown))
        d = {"track": len(seen) / n,
             "warhead": sum(_tracked(r, s, "warhead") for r in flown) / n,
             "deployment": sum(bool(r["sensors"][s]["saw_deployment"]) for r in flown) / n,
             "track_s": _median(cols["body_track_s"]),
             "impact_sigma_km": _median(cols["impact_sigma_km"]),
             "left_s": _median(cols["left_s"]), "receding": _median(cols["receding_share"]),
             "first_detection_range_km": _median(cols["first_detection_range_km"])}
        if s in SEONGJU_SENSORS:
            adds = 0
            for r in seen:
                japan = [_num(r["sensors"][j]["body_track_start_s"]) for j in JAPAN_SENSORS
                         if j in r["sensors"] and _tracked(r, j)]
                mine = _num(r["sensors"][s]["body_track_start_s"])
                adds += (not japan) or mine <= min(japan) - ADDS_EARLIER_S
            d["adds"] = adds / n
        out[s] = d
    return out


def verdict_from_corridors(shares: Mapping[str, Mapping[str, float]]) -> str:
    """Claim 2's verdict from :func:`corridor_shares`: **supported** when Seongju, in the
    terminal mode it is deployed in (USCC 2016 p. 448), tracks the warhead on at least
    :data:`MAJORITY` of the corridors and adds to what the Japanese radars see on some;
    **not supported** when it tracks neither the missile nor the warhead on any corridor in
    either mode; **partly supported** otherwise (a track only in forward-based mode, on few
    corridors, or nothing the Japanese radars do not already see)."""
    term, fwd = shares[SEONGJU_SENSORS[0]], shares[SEONGJU_SENSORS[1]]
    if term["warhead"] >= MAJORITY and term.get("adds", 0.0) > 0.0:
        return "supported"
    if max(term["track"], term["warhead"], fwd["track"], fwd["warhead"]) == 0.0:
        return "not supported"
    return "partly supported"


def _background(emp: Emplacement, quick: bool, numbers: dict[str, float | str]) -> str:
    """The area of China under the radar's fans (the claim's earlier form), into
    ``numbers`` with the prefix "background: "; returns a sentence."""
    china = get_country("China")
    border = shapely.get_coordinates(shapely.segmentize(china.geometry.boundary, 0.1))
    nearest_km = float(np.min(geodesic_inverse(emp.lat_deg, emp.lon_deg, border[:, 1],
                                               border[:, 0])[0])) / 1e3
    numbers["background: nearest Chinese territory from the radar (km)"] = round(nearest_km, 0)
    shares: dict[str, float] = {}
    for mode in RADAR_MODES:
        for rcs, alt, what in COVERAGE_TARGETS:
            cov = coverage(mode, emp, rcs, alt, azimuth_step_deg=2.0 if quick else 0.5)
            km2, far_km = _china_reach(cov, emp.lat_deg, emp.lon_deg, china.geometry)
            tag = f"background: {mode}, {what} ({rcs:g} m^2 at {alt / 1e3:.0f} km)"
            numbers[f"{tag}: share of China covered (%)"] = round(
                100.0 * km2 / china.area_km2, 2)
            numbers[f"{tag}: farthest covered point in China (km)"] = round(far_km, 0)
            shares[mode] = max(shares.get(mode, 0.0), km2 / china.area_km2)
    return (f"As background, the radar's fan covers {100 * shares['terminal']:.2f}% of "
            f"China's area in terminal mode and {100 * shares['forward-based']:.0f}% in "
            "forward-based mode; China's ICBM fields and their corridors to the United States "
            "are what the claim is about.")


def _pct(x: float) -> float:
    return round(100.0 * x, 0)


def _label(sensor: str) -> str:
    return {"seongju-terminal": "Seongju, terminal mode",
            "seongju-forward-based": "Seongju, forward-based mode",
            "shariki": "Shariki (forward-based)",
            "kyogamisaki": "Kyogamisaki (forward-based)"}.get(sensor, sensor)


def claim_china(out: RunRecord, quick: bool) -> Claim:
    from thaadsim.studies.surveillance import fan_outline

    emp = out.defense.sensors[0].emplacement if out.defense.sensors else get_site(
        "seongju").emplacement()
    rows = corridor_table(emp, quick)
    sensors = corridor_sensors(emp)
    names = [s.name for s in sensors]
    shares = corridor_shares(rows, names)
    flown = [r for r in rows if r["reachable"]]
    numbers: dict[str, float | str] = {
        "radar site": emp.name or f"{emp.lat_deg:.3f} N {emp.lon_deg:.3f} E",
        "boresight (deg)": round(emp.boresight_deg, 1),
        "missile flown": CORRIDOR_MISSILE,
        "corridors flown (launch areas x U.S. targets)": float(len(flown)),
        "corridors the missile cannot fly": float(len(rows) - len(flown)),
    }
    for s in names:
        d, lab = shares[s], _label(s)
        numbers[f"{lab}: corridors with a track of the missile (%)"] = _pct(d["track"])
        numbers[f"{lab}: corridors with a track of the warhead (%)"] = _pct(d["warhead"])
        numbers[f"{lab}: corridors where it saw the post-boost phase (%)"] = _pct(
            d["deployment"])
        numbers[f"{lab}: median track duration where tracked (s)"] = round(d["track_s"], 0)
        numbers[f"{lab}: median predicted-impact spread at track end (km)"] = round(
            d["impact_sigma_km"], 1)
        numbers[f"{lab}: median time left to impact at track end (s)"] = round(d["left_s"], 0)
        numbers[f"{lab}: median share of the track with the missile receding (%)"] = _pct(
            d["receding"]) if np.isfinite(d["receding"]) else float("nan")
        if "adds" in d:
            numbers[f"{lab}: corridors it tracks that Japan's radars miss, or track "
                    f">= {ADDS_EARLIER_S:.0f} s later (%)"] = _pct(d["adds"])
    verdict = verdict_from_corridors(shares)
    term, fwd = shares[SEONGJU_SENSORS[0]], shares[SEONGJU_SENSORS[1]]
    japan = max(shares[j]["track"] for j in JAPAN_SENSORS)
    summary = (f"A {CORRIDOR_MISSILE.upper()} flown on {len(flown)} corridors from China's "
               f"launch areas to U.S. targets: Seongju in terminal mode tracks it on "
               f"{_pct(term['track']):.0f}% (the warhead on {_pct(term['warhead']):.0f}%); "
               f"switched to forward-based mode, on {_pct(fwd['track']):.0f}% (the warhead "
               f"on {_pct(fwd['warhead']):.0f}%)")
    if np.isfinite(fwd["track_s"]):
        summary += (f", for a median {fwd['track_s']:.0f} s, the missile flying away from "
                    f"the radar for {_pct(fwd['receding']):.0f}% of that time")
    summary += (f". Shariki or Kyogamisaki track it on up to {_pct(japan):.0f}%; Seongju adds "
                f"a corridor they miss (or a track a minute earlier) on "
                f"{_pct(term.get('adds', 0.0)):.0f}% in terminal and "
                f"{_pct(fwd.get('adds', 0.0)):.0f}% in forward-based mode. ")
    if np.isfinite(fwd["impact_sigma_km"]):
        summary += (f"What it holds is the missile seen from behind, not the warhead: its "
                    f"forward-based track ends with the impact predicted to "
                    f"{fwd['impact_sigma_km']:.0f} km, {fwd['left_s']:.0f} s before impact, "
                    f"and it tracks the warhead on {_pct(fwd['warhead']):.0f}% of the "
                    "corridors. ")
    summary += _background(emp, quick, numbers)
    fans = {s.name: tuple(np.asarray(v).tolist() for v in fan_outline(s)) for s in sensors}
    notes = (
        "Seongju's boresight is the run's (toward North Korea); Shariki's and Kyogamisaki's "
        "are catalog assumptions (sites.yaml); a radar turned toward China would see "
        "other corridors.",
        "One missile type (DF-41) on every corridor, minimum-energy; the body and warhead "
        "cross-sections and the post-boost window are assumptions (surveillance.yaml).",
        "What a track is worth for a midcourse intercept is read from the warhead's track, "
        "the predicted-impact spread at its end and the time left; no U.S. interceptor is "
        "flown here.")
    sources = (
        "USCC 2016 Annual Report to Congress p. 448: forward-based mode ~2,000 km, terminal "
        "mode 600 km, 'minimal Chinese territory'",
        "MDA director J. Syring via Chosun Ilbo 12 Aug 2016: the Korean battery will use "
        "terminal mode only")
    return Claim(number=2, claim=CLAIMS[2], verdict=verdict, summary=summary,
                 numbers=numbers, sources=sources, notes=notes,
                 figure=ChinaFigure(corridors=tuple(flown), fans=fans,
                                    shares={s: (shares[s]["track"], shares[s]["warhead"])
                                            for s in names},
                                    china=get_country("China").geometry,
                                    lat_deg=emp.lat_deg, lon_deg=emp.lon_deg))


__all__ = ["ADDS_EARLIER_S", "COVERAGE_TARGETS", "CORRIDOR_MISSILE", "MAJORITY",
           "RADAR_MODES", "ChinaFigure", "CorridorFigure", "claim_china", "corridor_sensors",
           "corridor_shares", "corridor_table", "coverage", "verdict_from_corridors"]
