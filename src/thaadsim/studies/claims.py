r"""The claims check: five claims of the public debate on THAAD in Korea, against the physics.

For each claim, :func:`check_claims` returns a :class:`Claim`: the verdict the physics of
this run supports ("supported", "partly supported" or "not supported"), the numbers behind
it and a figure. A run's own results come first; where its scenario lacks the case a claim
needs, a small standard case is computed with the same functions (trajectories from
:func:`thaadsim.systems.threat.fly_threat` through :func:`thaadsim.engagement.simulate`,
coverage from :func:`thaadsim.studies.coverage.radar_coverage`).

1. **"THAAD cannot protect Seoul from short-range missiles and artillery."** Rockets and
   missiles fired at Seoul from just north of the DMZ (and a Scud-B from near Pyongyang)
   are flown and offered to the run's THAAD battery with perfect tracking (the most
   favourable case for the defense): do they ever enter the 40-150 km band, and does the
   battery reach them there (its interceptor's greatest ground range)?
2. **"Its X-band radar can see into China."** The AN/TPY-2 at the run's site and
   boresight, in terminal and in forward-based mode, against a missile body in midcourse
   (1 m^2 at 300 km) and a warhead (0.01 m^2 at 100 km): the covered area of China.
3. **"Many missiles fired at once can defeat it."** The run's Monte Carlo leakage and its
   reasons, beside the binomial model (Wilkening 2000) with the battery's inventory:
   :func:`p_no_leak_with_inventory` against raid size.
4. **"It is built for medium- and intermediate-range missiles, not short-range ones."**
   Time in the band and engageability by missile class, from the run's tracks and standard
   flights of the classes the run lacks.
5. **"Its interceptors cost more than the missiles they stop."** Interceptors spent per
   threat stopped in the run times the interceptor's unit cost, against the threat's unit
   cost (``thaadsim/data/costs.yaml``, each estimate with its public source), and what the
   claim leaves out.

The closed form of claim 3: with single-shot kill probability :math:`p`, :math:`q = 1-p`,
a doctrine of volleys :math:`(v_1, v_2)` (a second volley only at threats that survive the
first, after a look) and an inventory :math:`I`, a raid of :math:`N` threats with
:math:`N v_1 \le I` survives the first volleys with :math:`M \sim \mathrm{Bin}(N, q^{v_1})`
threats, which the :math:`L = I - N v_1` interceptors left serve :math:`v_2` each while
they last, so

.. math::  P(\text{no leak}) = \sum_{m=0}^{N} \binom{N}{m} q^{v_1 m} (1-q^{v_1})^{N-m}\,
           P(\text{all } m \text{ killed} \mid L),

with :math:`P(\cdot \mid L) = (1-q^{v_2})^m` when :math:`m v_2 \le L`, and zero once a
threat is left without a shot. Without the inventory limit it reduces to the binomial
model :math:`(1-q^{v_1+v_2})^N` (:func:`thaadsim.engagement.binomial_p_no_leak`). It
assumes time for every volley and enough fire channels, which the Monte Carlo does not.
"""

from __future__ import annotations

import dataclasses
import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import shapely
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure as MplFigure
from scipy.stats import binom

from thaadsim.engagement import Defense, RaidThreat, Result, binomial_p_no_leak, simulate
from thaadsim.errors import CatalogError, ThaadsimError
from thaadsim.physics.geodesy import ecef_to_geodetic, geodesic_direct, geodesic_inverse
from thaadsim.studies.coverage import RadarCoverage, radar_coverage
from thaadsim.systems import fire_control as fc
from thaadsim.systems.catalog import (
    Figure,
    Site,
    _figure,
    _read_yaml,
    get_missile,
    get_radar,
    get_site,
)
from thaadsim.systems.geography import borders_for_map, get_country
from thaadsim.systems.interceptor import Interceptor
from thaadsim.systems.radar import Radar
from thaadsim.systems.sensors import Sensor
from thaadsim.systems.threat import shape_table

if TYPE_CHECKING:
    from thaadsim.run import RunOutput

FloatArray = npt.NDArray[np.float64]

VERDICTS = ("supported", "partly supported", "not supported")

FIG_SIZE_IN = (8.0, 4.5)
FIG_DPI = 100
"""Figures are 800 x 450 pixels."""

SEOUL_RADIUS_M = 30e3
"""A run threat whose aim point lies this close to Seoul counts as aimed at Seoul."""

SEOUL_THREATS: tuple[tuple[str, float, float], ...] = (
    ("mrl-240", 38.0, 126.8),
    ("kn-02", 37.97, 126.55),
    ("scud-b", 39.0, 125.7),
)
"""Standard threats at Seoul: (missile, launch latitude, longitude), 240-mm rockets and the
KN-02 from just north of the DMZ, a Scud-B from near Pyongyang."""

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

COVERAGE_TARGETS: tuple[tuple[float, float, str], ...] = (
    (1.0, 300e3, "missile body in midcourse"),
    (0.01, 100e3, "warhead"),
)
"""(RCS m^2, altitude m, what it stands for) of the targets for claim 2."""
RADAR_MODES = ("terminal", "forward-based")


@dataclass(frozen=True, kw_only=True)
class Claim:
    """One claim of the public debate and what this run's physics says about it."""

    number: int
    """1..5."""
    claim: str
    """The claim in words."""
    verdict: str
    """One of :data:`VERDICTS`."""
    summary: str
    """One to three sentences: why, with the key numbers."""
    numbers: dict[str, float | str]
    """The figures behind it, names with their units."""
    figure_png: bytes | None
    """A PNG (about 800 x 450 pixels), or None."""


CLAIMS = {
    1: "THAAD cannot protect Seoul from short-range missiles and artillery.",
    2: "THAAD's X-band radar can see into China.",
    3: "Many missiles fired at once can defeat THAAD.",
    4: "THAAD is built for medium- and intermediate-range missiles, not short-range ones.",
    5: "THAAD's interceptors cost more than the missiles they stop.",
}


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def coverage(mode: str | Radar, emplacement: Any, rcs_m2: float, alt_m: float,
             azimuth_step_deg: float = 0.5) -> RadarCoverage:
    """:func:`~thaadsim.studies.coverage.radar_coverage` of a radar (or the catalog radar
    in ``mode``) (track dwell), kept once per version of thaadsim
    (:func:`thaadsim.cache.cached`, keyed by the version and the arguments, the radar by
    its content) and in this process: it depends only on the code,
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



def _new_figure() -> MplFigure:
    """A figure on the Agg canvas, outside pyplot (no global state, nothing to close)."""
    fig = MplFigure(figsize=FIG_SIZE_IN, dpi=FIG_DPI)
    FigureCanvasAgg(fig)
    return fig


def _png(fig: MplFigure) -> bytes:
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=FIG_DPI)
    return buf.getvalue()


def _usd(value: float) -> str:
    """$19.7M, $300k, $30k."""
    if value >= 1e9:
        return f"${value / 1e9:.2g}B"
    if value >= 1e6:
        return f"${value / 1e6:.3g}M"
    return f"${value / 1e3:.3g}k"


def _times(ratio: float) -> str:
    """16, 1.9, 0.93."""
    return f"{ratio:,.0f}" if ratio >= 10 else f"{ratio:.2g}"


def _upper_batteries(out: RunOutput) -> tuple[fc.Battery, ...]:
    """The upper tier: the batteries firing the first battery's interceptor type."""
    first = out.defense.batteries[0].interceptor
    return tuple(b for b in out.defense.batteries if b.interceptor == first)


def _thaad_battery(out: RunOutput) -> fc.Battery:
    """The run's first battery firing THAAD interceptors (the Seongju battery if none)."""
    for b in out.defense.batteries:
        if b.interceptor.slug == "thaad":
            return b
    return fc.get_battery("seongju")


def _doctrine(out: RunOutput, battery: fc.Battery) -> str:
    return battery.doctrine or out.defense.doctrine


def _kill_probability(out: RunOutput, icpt: Interceptor) -> float:
    return out.defense.sspk if out.defense.sspk is not None else icpt.sspk


def _ideal_defense(battery: fc.Battery, toward: tuple[float, float]) -> Defense:
    """One battery with perfect tracking that engages everything (the binomial model's
    assumptions: the most favourable case for the defense)."""
    _, bearing, _ = geodesic_inverse(battery.site.lat_deg, battery.site.lon_deg, *toward)
    return Defense(batteries=(battery,), sensors=(Sensor(
        name=battery.slug, radar=get_radar("terminal").radar,
        emplacement=battery.site.emplacement(float(bearing) % 360.0), battery=battery.slug,
        site=battery.site.slug),), assets=(), engage_all=True, perfect_tracking=True)


@dataclass(frozen=True, kw_only=True)
class _Flight:
    """One threat's flight as the engagement saw it (1 s grid) and whether it was
    engageable."""

    label: str
    missile: str
    missile_class: str
    range_km: float
    lat_deg: FloatArray
    lon_deg: FloatArray
    alt_m: FloatArray
    ground_m: FloatArray
    apogee_m: float
    time_in_band_s: float
    engageable: float
    """Share of the trials in which a battery had a shot opportunity."""
    reason: str


def _flights(raid: Sequence[RaidThreat], result: Result, band_m: tuple[float, float],
             labels: Sequence[str]) -> list[_Flight]:
    t_grid, y_grid = result.extra["t_grid"], result.extra["y_grid"]
    engage = result.per_trial("engageable")
    reasons = result.per_trial("reason")
    out = []
    for i, th in enumerate(raid):
        # the last grid point can fall past the last recorded state (NaN there)
        ok = np.isfinite(t_grid[i]) & np.isfinite(y_grid[i][:, 0])
        t = t_grid[i][ok]
        lat, lon, alt = ecef_to_geodetic(y_grid[i][ok, :3])
        ground = geodesic_inverse(th.launch_lat_deg, th.launch_lon_deg, lat, lon)[0]
        inside = (alt >= band_m[0]) & (alt <= band_m[1])
        step = float(np.median(np.diff(t))) if t.size > 1 else 0.0
        out.append(_Flight(
            label=labels[i], missile=th.missile.slug,
            missile_class=th.missile.missile_class,
            range_km=float(ground[-1]) / 1e3, lat_deg=lat, lon_deg=lon, alt_m=alt,
            ground_m=ground, apogee_m=float(alt.max()),
            time_in_band_s=float(inside.sum()) * step,
            engageable=float(engage[:, i].mean()), reason=str(reasons[0, i])))
    return out


def _nearest_in_band_m(flight: _Flight, lat_deg: float, lon_deg: float,
                       band_m: tuple[float, float]) -> float:
    """Ground distance from a point to the nearest point of the flight inside the band
    (NaN if the flight never enters it)."""
    inside = (flight.alt_m >= band_m[0]) & (flight.alt_m <= band_m[1])
    if not inside.any():
        return float("nan")
    d = geodesic_inverse(lat_deg, lon_deg, flight.lat_deg[inside], flight.lon_deg[inside])[0]
    return float(np.min(d))


def _km(value_m: float) -> float:
    return round(value_m / 1e3, 1)


# --------------------------------------------------------------------------------------------
# Costs catalog
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Costs:
    """Unit costs of the threats (US dollars) and context figures, with their provenance."""

    missiles: Mapping[str, Figure]
    context: Mapping[str, Figure]


def load_costs(path: str | Path | None = None) -> Costs:
    """Read ``thaadsim/data/costs.yaml`` (or ``path``): every figure checked as in the other
    catalogs (a value with a source or an assumption, low <= value <= high)."""
    raw, name = _read_yaml("costs.yaml", path)
    sections: dict[str, dict[str, Figure]] = {}
    for section in ("missiles", "context"):
        entries = raw.get(section)
        if not isinstance(entries, Mapping):
            raise CatalogError(f"{name}: {section}: expected a mapping of slugs to figures")
        sections[section] = {}
        for slug, entry in entries.items():
            fig = _figure(entry, f"{name}: {section}.{slug}")
            if not fig.value > 0:
                raise CatalogError(f"{name}: {section}.{slug}: value {fig.value!r} must be "
                                   "positive")
            sections[section][str(slug)] = fig
    return Costs(missiles=sections["missiles"], context=sections["context"])


@cache
def cost_catalog() -> Costs:
    """The shipped costs, loaded once."""
    return load_costs()


# --------------------------------------------------------------------------------------------
# Claim 1: Seoul
# --------------------------------------------------------------------------------------------


def _claim_seoul(out: RunOutput) -> Claim:
    seoul = get_site("seoul")
    battery = _thaad_battery(out)
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
    result = simulate(raid, _ideal_defense(battery, (seoul.lat_deg, seoul.lon_deg)), trials=1,
                      seed=out.seed)
    flights = _flights(raid, result, out.band_m, labels)
    distance_m = float(geodesic_inverse(battery.site.lat_deg, battery.site.lon_deg,
                                        seoul.lat_deg, seoul.lon_deg)[0])
    low_km, high_km = out.band_m[0] / 1e3, out.band_m[1] / 1e3
    numbers: dict[str, float | str] = {
        "THAAD battery": battery.name,
        "battery to Seoul (km)": _km(distance_m),
        f"{icpt.slug} greatest ground range (km)": _km(icpt.max_ground_range_m),
        "intercept band (km)": f"{low_km:g}-{high_km:g}",
    }
    for f in flights:
        numbers[f"{f.label} apogee (km)"] = _km(f.apogee_m)
        numbers[f"{f.label} time in band (s)"] = round(f.time_in_band_s, 1)
        numbers[f"{f.label} engageable from the battery"] = "yes" if f.engageable > 0 else "no"
        near = _nearest_in_band_m(f, battery.site.lat_deg, battery.site.lon_deg, out.band_m)
        if np.isfinite(near):
            numbers[f"{f.label} nearest in-band point to the battery (km)"] = _km(near)
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
                 figure_png=_figure_seoul(flights, out.band_m))


def _figure_seoul(flights: Sequence[_Flight], band_m: tuple[float, float]) -> bytes:
    fig = _new_figure()
    ax = fig.add_subplot()
    ax.axhspan(band_m[0] / 1e3, band_m[1] / 1e3, color="tab:green", alpha=0.15,
               label=f"THAAD intercept band {band_m[0] / 1e3:g}-{band_m[1] / 1e3:g} km")
    for f in flights:
        style = "-" if f.engageable > 0 else "--"
        ax.plot(f.ground_m / 1e3, f.alt_m / 1e3, style, lw=2,
                label=f"{f.label} ({f.range_km:.0f} km; "
                      f"{'engageable' if f.engageable > 0 else 'no shot'})")
    top = max(max(f.apogee_m for f in flights) / 1e3, band_m[1] / 1e3) * 1.08
    ax.set_ylim(0, top)
    ax.set_xlim(0, max(f.ground_m[-1] for f in flights) / 1e3 * 1.02)
    ax.set_xlabel("ground range from launch (km)")
    ax.set_ylabel("altitude (km)")
    ax.set_title("Claim 1: threats aimed at Seoul against THAAD's intercept band")
    ax.legend(loc="upper right", fontsize=8)
    ax.grid(alpha=0.3)
    return _png(fig)


# --------------------------------------------------------------------------------------------
# Claim 2: China
# --------------------------------------------------------------------------------------------


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


def _claim_china(out: RunOutput, quick: bool) -> Claim:
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
                 figure_png=_figure_china(covs, emp.lat_deg, emp.lon_deg, china.geometry,
                                          (beijing.lon_deg, beijing.lat_deg)))


def _figure_china(covs: Mapping[tuple[str, float], RadarCoverage], lat0: float, lon0: float,
                  china: Any, beijing_lonlat: tuple[float, float]) -> bytes:
    polys = [c.polygon for c in covs.values() if not c.polygon.is_empty]
    if polys:
        minx, miny, maxx, maxy = shapely.union_all(polys).bounds
    else:
        minx, miny, maxx, maxy = lon0 - 5, lat0 - 5, lon0 + 5, lat0 + 5
    pad = 1.0
    box = (max(-180.0, min(minx, lon0, beijing_lonlat[0]) - pad),
           max(-90.0, min(miny, lat0 - 2.0) - pad),
           min(180.0, max(maxx, lon0) + pad), min(90.0, max(maxy, lat0, beijing_lonlat[1]) + pad))
    fig = _new_figure()
    ax = fig.add_subplot()
    clipped = shapely.clip_by_rect(china, *box)
    for part in shapely.get_parts(clipped):
        if part.geom_type == "Polygon":
            x, y = part.exterior.xy
            ax.fill(x, y, color="0.88", lw=0, label=None)
    for lon, lat in borders_for_map(box):
        ax.plot(lon, lat, color="0.4", lw=0.6)
    styles = {("forward-based", COVERAGE_TARGETS[0][0]): ("tab:orange", "-", 0.25),
              ("forward-based", COVERAGE_TARGETS[1][0]): ("tab:orange", ":", 0.0),
              ("terminal", COVERAGE_TARGETS[0][0]): ("tab:blue", "-", 0.3),
              ("terminal", COVERAGE_TARGETS[1][0]): ("tab:blue", ":", 0.0)}
    what = {r: f"{r:g} m$^2$ at {a / 1e3:.0f} km" for r, a, _ in COVERAGE_TARGETS}
    for (mode, rcs), cov in covs.items():
        if cov.polygon.is_empty:
            continue
        color, ls, alpha = styles[mode, rcs]
        for k, part in enumerate(shapely.get_parts(cov.polygon)):
            x, y = part.exterior.xy
            if alpha:
                ax.fill(x, y, color=color, alpha=alpha, lw=0)
            ax.plot(x, y, color=color, ls=ls, lw=1.3,
                    label=f"{mode}: {what[rcs]}" if k == 0 else None)
    ax.plot([lon0], [lat0], "k^", ms=7, label="radar")
    ax.plot([beijing_lonlat[0]], [beijing_lonlat[1]], "ks", ms=5)
    ax.annotate("Beijing", beijing_lonlat, xytext=(4, 4), textcoords="offset points", fontsize=8)
    ax.set_xlim(box[0], box[2])
    ax.set_ylim(box[1], box[3])
    ax.set_aspect(1.0 / math.cos(math.radians(0.5 * (box[1] + box[3]))))
    ax.set_xlabel("longitude (deg)")
    ax.set_ylabel("latitude (deg)")
    ax.set_title("Claim 2: AN/TPY-2 coverage by mode and target (China in grey)", fontsize=10)
    ax.legend(loc="center left", bbox_to_anchor=(1.02, 0.5), fontsize=8, frameon=False)
    return _png(fig)


# --------------------------------------------------------------------------------------------
# Claim 3: saturation
# --------------------------------------------------------------------------------------------


def p_no_leak_with_inventory(p_kill: float, volleys: Sequence[int], inventory: int,
                             threats: int) -> float:
    """P(no leak) of a raid against a doctrine and a finite inventory (module docstring).

    Parameters
    ----------
    p_kill : float
        Single-shot kill probability.
    volleys : sequence of int
        Interceptors per volley (:func:`thaadsim.systems.fire_control.doctrine_shots`); a
        second volley goes only at threats the first missed.
    inventory : int
        Interceptors available.
    threats : int
        Raid size.
    """
    if threats <= 0:
        return 1.0
    q = 1.0 - p_kill
    v1 = int(volleys[0])
    if threats * v1 > inventory:
        full = inventory // v1
        rest = inventory - full * v1
        if threats - full >= 2 or rest == 0:
            return 0.0
        return binomial_p_no_leak(p_kill, v1, full) * (1.0 - q**rest)
    if len(volleys) == 1:
        return binomial_p_no_leak(p_kill, v1, threats)
    v2 = int(volleys[1])
    left = inventory - threats * v1
    m = np.arange(threats + 1)
    pm = binom.pmf(m, threats, q**v1)
    served = np.minimum(m, left // v2)
    rest2 = left - served * v2
    kill2 = 1.0 - q**v2
    all_killed = np.where(served == m, kill2 ** m.astype(float),
                          np.where((m - served == 1) & (rest2 > 0),
                                   kill2 ** served.astype(float) * (1.0 - q ** rest2.astype(float)),
                                   0.0))
    return float(np.sum(pm * all_killed))


def saturation_curve(p_kill: float, volleys: Sequence[int], inventory: int,
                     max_threats: int) -> FloatArray:
    """:func:`p_no_leak_with_inventory` for raids of 1..``max_threats``."""
    return np.array([p_no_leak_with_inventory(p_kill, volleys, inventory, n)
                     for n in range(1, max_threats + 1)])


def _wilson(p: float, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion (Wilson, JASA 22 (1927) 209)."""
    if n <= 0:
        return 0.0, 1.0
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def _claim_saturation(out: RunOutput) -> Claim:
    res = out.result
    upper = _upper_batteries(out)
    first = upper[0]
    icpt = first.interceptor
    doctrine = _doctrine(out, first)
    volleys = fc.doctrine_shots(doctrine)
    p = _kill_probability(out, icpt)
    inventory = sum(b.inventory for b in upper)
    channels = sum(b.fire_channels for b in upper)
    mine = np.isin(res.shots["battery"], [out.defense.batteries.index(b) for b in upper])
    p_run = float(np.mean(res.shots["p_kill"][mine])) if mine.any() else float("nan")
    n_max = max(2 * inventory, 2)
    curve = saturation_curve(p, volleys, inventory, n_max)
    unlimited = np.array([binomial_p_no_leak(p, sum(volleys), n) for n in range(1, n_max + 1)])
    n_axis = np.arange(1, n_max + 1)
    below = n_axis[curve < 0.5]
    n50 = int(below[0]) if below.size else None
    zero = n_axis[curve == 0.0]
    n_certain = int(zero[0]) if zero.size else None
    # the threats that leak unless intercepted (true impact on an asset where the engine
    # records it, else fire control's judgement)
    column = "hits_asset" if "hits_asset" in res.threats else "endangering"
    n_run = float(res.per_trial(column).sum(axis=1).mean())
    reasons = res.threats["reason"]
    cells = max(reasons.size, 1)
    share = {r: 100.0 * float(np.sum(reasons == r)) / cells for r in (
        fc.REASONS[fc.R_CHANNELS], fc.REASONS[fc.R_INVENTORY], fc.REASONS[fc.R_NOT_TRACKED],
        fc.REASONS[fc.R_NEVER_IN_BAND], fc.REASONS[fc.R_OUT_OF_REACH],
        fc.REASONS[fc.R_ALL_SHOTS_MISSED])}
    n_round = max(int(round(n_run)), 1)
    p_closed = p_no_leak_with_inventory(p, volleys, inventory, n_round)
    numbers: dict[str, float | str] = {
        "run: threats": float(res.n_threats),
        "run: threats aimed at the defended assets per trial": round(n_run, 2),
        "run: trials": float(res.trials),
        "run: P(no leak)": round(res.p_no_leak, 4),
        "run: expected leakers": round(res.expected_leakers, 3),
        "run: interceptors used per trial": round(res.interceptors_used, 2),
    }
    for r, v in share.items():
        numbers[f"run: threat-trials '{r}' (%)"] = round(v, 2)
    numbers.update({
        "upper-tier inventory (interceptors)": float(inventory),
        "upper-tier fire channels": float(channels),
        "doctrine": doctrine,
        "single-shot kill probability": p,
        "run: mean kill probability per shot": round(p_run, 3) if np.isfinite(p_run) else "none",
        "binomial P(no leak) at the run's raid size": round(p_closed, 4),
        "P(no leak), raid of 1": round(float(curve[0]), 4),
        f"P(no leak), raid of {inventory // 2}": round(float(curve[max(inventory // 2 - 1, 0)]), 4),
        f"P(no leak), raid of {inventory}": round(float(curve[inventory - 1]), 4),
        f"P(no leak), raid of {inventory + 1}": round(float(curve[inventory]), 4),
        "smallest raid with P(no leak) < 50%": float(n50) if n50 else "none up to 2x inventory",
        "smallest raid that must leak (inventory)": float(n_certain) if n_certain else "none",
    })
    verdict = "supported" if n50 is not None else "not supported"
    leaked = res.leaked.ravel()
    why, count = np.unique(res.threats["reason"][leaked], return_counts=True)
    causes = sorted(zip(why, count, strict=True), key=lambda wc: -int(wc[1]))
    cause_text = "leak causes as shares of threat-trials: " + ", ".join(
        f"{w} {100.0 * int(c) / cells:.1f}%" for w, c in causes[:3])
    summary = (
        f"With {inventory} interceptors, {doctrine} and a {p:g} single-shot kill probability, "
        + (f"a raid of {n50} leaks at least one missile more often than not, "
           if n50 is not None else "no raid up to twice the inventory is likely to leak, ")
        + (f"and {n_certain} missiles must leak because every interceptor is spent. "
           if n_certain is not None else "")
        + f"This run's {res.n_threats}-missile raid: P(no leak) {res.p_no_leak:.2f} "
        f"(closed form {p_closed:.2f}), "
        f"{res.expected_leakers:.2f} leakers expected"
        + (f" ({cause_text})." if causes else "."))
    fig = _new_figure()
    ax = fig.add_subplot()
    ax.step(n_axis, curve, where="mid", lw=2,
            label=f"binomial with inventory {inventory} ({doctrine}, p={p:g})")
    ax.plot(n_axis, unlimited, "--", color="0.5", lw=1,
            label="binomial, unlimited interceptors")
    lo, hi = _wilson(res.p_no_leak, res.trials)
    ax.errorbar([n_run], [res.p_no_leak], yerr=[[res.p_no_leak - lo], [hi - res.p_no_leak]],
                fmt="o", color="tab:red", capsize=4,
                label=f"this run (Monte Carlo, {res.trials} trials, 95% interval)")
    ax.axvline(inventory / volleys[0], color="tab:gray", ls=":", lw=1)
    ax.text(inventory / volleys[0], 0.02, " magazine empty", fontsize=8, color="tab:gray")
    ax.set_xlim(0, n_max + 1)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("missiles in the raid (N)")
    ax.set_ylabel("P(no leaker)")
    ax.set_title("Claim 3: raid size against the chance that nothing leaks")
    ax.legend(loc="upper right", fontsize=8)
    ax.grid(alpha=0.3)
    return Claim(number=3, claim=CLAIMS[3], verdict=verdict, summary=summary, numbers=numbers,
                 figure_png=_png(fig))


# --------------------------------------------------------------------------------------------
# Claim 4: missile classes
# --------------------------------------------------------------------------------------------


def shortest_range_into_band_km(missile: str, floor_m: float = 40e3) -> float:
    """Shortest range at which the missile's minimum-energy trajectory reaches ``floor_m``
    (from its shape table: non-rotating Earth, with drag); NaN if it never does."""
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
                     seed: int, band_m: tuple[float, float]) -> _Flight | None:
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
        res = simulate([threat], _ideal_defense(bat, (lat0, lon0)), trials=1, seed=seed)
    except ThaadsimError:
        return None
    label = f"{missile} {range_km:,.0f} km" + (f" {shape}" if shape != "min-energy" else "")
    return _flights([threat], res, band_m, [label])[0]


def _claim_classes(out: RunOutput, quick: bool) -> Claim:
    flights: list[_Flight] = []
    seen: set[tuple[str, str]] = set()
    engage = out.result.per_trial("engageable")
    for tr, th in zip(out.tracks, out.raid, strict=True):
        key = (th.missile.slug, th.shape)
        if key in seen:
            continue
        seen.add(key)
        flights.append(_Flight(
            label=f"{th.missile.slug} {tr.ground_range_m[-1] / 1e3:,.0f} km (run)",
            missile=th.missile.slug, missile_class=th.missile.missile_class,
            range_km=float(tr.ground_range_m[-1]) / 1e3, lat_deg=tr.lat_deg, lon_deg=tr.lon_deg,
            alt_m=tr.alt_m, ground_m=tr.ground_range_m, apogee_m=float(np.nanmax(tr.alt_m)),
            time_in_band_s=tr.time_in_band_s, engageable=float(engage[:, tr.index].mean()),
            reason=""))
    battery = _thaad_battery(out)
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
        numbers[f"{f.label}: apogee (km)"] = _km(f.apogee_m)
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

    def brief(fs: Sequence[_Flight]) -> str:
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
                 figure_png=_figure_classes(flights, out.band_m))


def _figure_classes(flights: Sequence[_Flight], band_m: tuple[float, float]) -> bytes:
    colors = {"artillery-rocket": "tab:brown", "SRBM": "tab:blue", "MRBM": "tab:orange",
              "IRBM": "tab:red", "ICBM": "tab:purple"}
    fig = _new_figure()
    ax = fig.add_subplot()
    y = np.arange(len(flights))[::-1]
    for yi, f in zip(y, flights, strict=True):
        ax.barh(yi, f.time_in_band_s, color=colors.get(f.missile_class, "0.5"),
                hatch=None if f.engageable > 0 else "//", edgecolor="0.2",
                alpha=1.0 if f.engageable > 0 else 0.5)
        ax.text(f.time_in_band_s + 3, yi,
                f"apogee {f.apogee_m / 1e3:.0f} km"
                + ("" if f.engageable > 0 else ", not engageable"),
                va="center", fontsize=7)
    ax.set_yticks(y, [f"{f.label} [{f.missile_class}]" for f in flights], fontsize=7)
    ax.set_xlabel(f"time inside the {band_m[0] / 1e3:g}-{band_m[1] / 1e3:g} km band (s)")
    xmax = max([f.time_in_band_s for f in flights] + [60.0])
    ax.set_xlim(0, xmax * 1.35)
    ax.set_title("Claim 4: time in THAAD's band by missile (faded and hatched: no shot)")
    ax.grid(alpha=0.3, axis="x")
    return _png(fig)


# --------------------------------------------------------------------------------------------
# Claim 5: cost
# --------------------------------------------------------------------------------------------


def interceptors_per_kill(p_kill: float, volleys: Sequence[int]) -> float:
    r"""Expected interceptors fired per threat killed by a doctrine with time for every
    volley: :math:`(v_1 + q^{v_1} v_2) / (1 - q^{v_1 + v_2})`, :math:`q = 1 - p`."""
    q = 1.0 - p_kill
    fired = float(volleys[0]) + sum(q ** sum(volleys[:i]) * v
                                    for i, v in enumerate(volleys) if i > 0)
    return fired / (1.0 - q ** sum(volleys))


def _claim_cost(out: RunOutput) -> Claim:
    res = out.result
    costs = cost_catalog()
    first = out.defense.batteries[0]
    icpt = first.interceptor
    battery_cost = np.array([b.interceptor.cost_usd for b in out.defense.batteries])
    shot_missile = np.array([out.raid[int(i)].missile.slug for i in res.shots["threat"]])
    shot_cost = battery_cost[res.shots["battery"]]
    killed = res.per_trial("outcome_code") == fc.INTERCEPTED
    kill_missile = np.array([th.missile.slug for th in out.raid])
    doctrine = _doctrine(out, first)
    p = _kill_probability(out, icpt)
    per_kill = interceptors_per_kill(p, fc.doctrine_shots(doctrine))
    numbers: dict[str, float | str] = {
        f"{icpt.slug} interceptor unit cost (USD)": icpt.cost_usd,
        f"{icpt.slug} interceptor cost source": icpt.figures["cost_usd"].provenance,
        f"{doctrine}: expected interceptors per kill (p={p:g})": round(per_kill, 3),
        f"{doctrine}: expected interceptor cost per kill (USD)": round(per_kill * icpt.cost_usd,
                                                                      -3),
    }
    kills = int(killed.sum())
    ratios: dict[str, float] = {}
    if kills:
        total = float(shot_cost.sum())
        numbers["run: interceptors per threat stopped"] = round(res.shots["trial"].size / kills, 3)
        numbers["run: interceptor cost per threat stopped (USD)"] = round(total / kills, -3)
        for m in dict.fromkeys(th.missile.slug for th in out.raid):
            k = int(killed[:, kill_missile == m].sum())
            if k == 0 or m not in costs.missiles:
                continue
            spent = float(shot_cost[shot_missile == m].sum()) / k
            ratios[m] = spent / costs.missiles[m].value
            numbers[f"run: {m}: interceptor cost per {m} stopped (USD)"] = round(spent, -3)
    basis = "run"
    if not ratios:
        basis = "doctrine"
        # only what entered the band can be stopped: else every missile that can be
        wanted = [tr.missile for tr in out.tracks
                  if tr.time_in_band_s > 0 and tr.missile in costs.missiles] or [
            s for s in costs.missiles if get_missile(s).missile_class != "artillery-rocket"]
        for m in dict.fromkeys(wanted):
            ratios[m] = per_kill * icpt.cost_usd / costs.missiles[m].value
    for m in dict.fromkeys([*(th.missile.slug for th in out.raid), *ratios]):
        if m not in costs.missiles:
            numbers[f"{m} unit cost (USD)"] = "no estimate in costs.yaml"
            continue
        fig = costs.missiles[m]
        numbers[f"{m} unit cost (USD)"] = fig.value
        numbers[f"{m} unit cost range (USD)"] = (
            f"{_usd(fig.low if fig.low is not None else fig.value)}-"
            f"{_usd(fig.high if fig.high is not None else fig.value)}")
        numbers[f"{m} unit cost provenance"] = fig.provenance
    for m, r in ratios.items():
        numbers[f"{m}: defender/attacker cost ratio ({basis})"] = round(r, 2)
    battery = costs.context.get("thaad-battery")
    if battery is not None:
        numbers["THAAD battery cost (USD)"] = battery.value
        numbers["THAAD battery cost provenance"] = battery.provenance
    if all(r > 1.0 for r in ratios.values()):
        verdict = "supported"
    elif any(r > 1.0 for r in ratios.values()):
        verdict = "partly supported"
    else:
        verdict = "not supported"
    worst = min(ratios, key=lambda m: ratios[m])
    best = max(ratios, key=lambda m: ratios[m])
    if basis == "run":
        spent_all = float(shot_cost.sum()) / kills
        lead = (f"In this run each threat stopped took {res.shots['trial'].size / kills:.2f} "
                f"interceptors ({_usd(icpt.cost_usd)} each), {_usd(spent_all)} per kill")
    else:
        lead = (f"This run stopped nothing; against what THAAD can engage, with {doctrine} "
                f"and p={p:g} a kill takes "
                f"{per_kill:.2f} interceptors on average, {_usd(per_kill * icpt.cost_usd)}")
    span = (f"{_times(ratios[worst])} times the estimated cost of a {worst} "
            f"({_usd(costs.missiles[worst].value)})" if worst == best else
            f"{_times(ratios[worst])} to {_times(ratios[best])} times the estimated cost of the "
            f"missile ({worst} {_usd(costs.missiles[worst].value)}, "
            f"{best} {_usd(costs.missiles[best].value)})")
    high = costs.missiles[worst].high
    if high is not None and high > costs.missiles[worst].value and ratios[worst] > 1.0:
        r_high = ratios[worst] * costs.missiles[worst].value / high
        span += (f"; {_times(r_high)} times even at the highest estimate for the {worst} "
                 f"({_usd(high)})")
    assets = ", ".join(a.name for a in out.defense.assets)
    summary = (f"{lead}: {span}. The claim leaves out what the interceptor saves: the "
               f"defended {'assets (' + assets + ')' if assets else 'asset'}"
               + (f", a battery itself worth ~{_usd(battery.value)}" if battery else "")
               + ", and the lives and damage a warhead that gets through would cost.")
    return Claim(number=5, claim=CLAIMS[5], verdict=verdict, summary=summary, numbers=numbers,
                 figure_png=_figure_cost(costs, icpt, per_kill, doctrine, ratios, basis))


def _figure_cost(costs: Costs, icpt: Interceptor, per_kill: float, doctrine: str,
                 ratios: Mapping[str, float], basis: str) -> bytes:
    """One row per threat: its unit cost (estimate and range) against the interceptor cost
    of stopping it (the doctrine's expectation; the run's where it stopped that threat)."""
    items = sorted(costs.missiles.items(), key=lambda kv: kv[1].value)
    fig = _new_figure()
    ax = fig.add_subplot()
    y = np.arange(len(items))
    xs = np.array([f.value for _, f in items])
    lo = np.array([f.low if f.low is not None else f.value for _, f in items])
    hi = np.array([f.high if f.high is not None else f.value for _, f in items])
    line = per_kill * icpt.cost_usd
    ax.errorbar(xs, y, xerr=[xs - lo, hi - xs], fmt="o", color="tab:blue", capsize=3,
                label="threat unit cost (estimate and range)")
    ax.axvline(line, color="tab:red", lw=1.5,
               label=f"cost per kill, {doctrine}: {per_kill:.2f} x {_usd(icpt.cost_usd)}")
    if basis == "run":
        ry = [k for k, (m, _) in enumerate(items) if m in ratios]
        rx = [ratios[items[k][0]] * items[k][1].value for k in ry]
        ax.plot(rx, ry, "s", color="tab:red", ms=7, label="cost per kill in this run")
    for k, (_, f) in enumerate(items):
        r = line / f.value
        ax.text(hi[k] * 1.25, k, f"x{_times(r)}", va="center", fontsize=7, color="0.3")
    ax.set_yticks(y, [m for m, _ in items], fontsize=8)
    ax.set_xscale("log")
    ax.set_xlim(min(lo.min(), line) / 3, max(hi.max(), line) * 4)
    ax.set_xlabel("US dollars (x: interceptor cost per kill / threat cost)")
    ax.set_title("Claim 5: interceptor cost per threat stopped against the threat's cost")
    ax.legend(loc="upper left", fontsize=7)
    ax.grid(alpha=0.3, axis="x", which="both")
    return _png(fig)


# --------------------------------------------------------------------------------------------
# All five
# --------------------------------------------------------------------------------------------


def check_claims(out: RunOutput, *, quick: bool = False) -> list[Claim]:
    """The five claims, checked against this run (module docstring); ``quick`` coarsens
    the coverage fans and flies fewer standard missiles (for tests)."""
    return [
        _claim_seoul(out),
        _claim_china(out, quick),
        _claim_saturation(out),
        _claim_classes(out, quick),
        _claim_cost(out),
    ]


__all__ = ["CLAIMS", "Claim", "Costs", "VERDICTS", "check_claims", "cost_catalog",
           "interceptors_per_kill", "load_costs", "p_no_leak_with_inventory",
           "saturation_curve", "shortest_range_into_band_km"]
