"""The claims check's figures (:mod:`thaadsim.studies.claims` returns each claim's figure
as data; this module draws it): 800 x 450 pixel PNGs, embedded in the report."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import shapely

from thaadsim.report.images import figure_png, new_figure
from thaadsim.studies.claims.china import COVERAGE_TARGETS, ChinaFigure
from thaadsim.studies.claims.classes import ClassesFigure
from thaadsim.studies.claims.common import Claim
from thaadsim.studies.claims.cost import CostFigure, times, usd
from thaadsim.studies.claims.reaction import ReactionFigure
from thaadsim.studies.claims.saturation import SaturationFigure
from thaadsim.studies.claims.seoul import SeoulFigure
from thaadsim.systems.geography import borders_for_map

FIG_SIZE_IN = (8.0, 4.5)
FIG_DPI = 100
"""Figures are 800 x 450 pixels."""


def _new_figure() -> Any:
    return new_figure(FIG_SIZE_IN, FIG_DPI)


def _png(fig: Any) -> bytes:
    return figure_png(fig, FIG_DPI, tight=True)


def figure_seoul(data: SeoulFigure) -> bytes:
    """Claim 1: the flights at Seoul, altitude against ground range, over the band."""
    flights, band_m = data.flights, data.band_m
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


def figure_china(data: ChinaFigure) -> bytes:
    """Claim 2: the radar's fans by mode and target over China and its neighbours."""
    covs, lat0, lon0 = data.coverages, data.lat_deg, data.lon_deg
    china, beijing_lonlat = data.china, data.beijing_lonlat
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


def figure_saturation(data: SaturationFigure) -> bytes:
    """Claim 3: P(no leak) against raid size, closed form and the run."""
    n_axis, curve, unlimited = data.raid_size, data.p_no_leak, data.p_no_leak_unlimited
    inventory, doctrine, p, volleys = data.inventory, data.doctrine, data.p_kill, data.volleys
    n_run, lo, hi = data.run_raid_size, *data.run_ci95
    n_max = int(n_axis[-1])
    fig = _new_figure()
    ax = fig.add_subplot()
    ax.step(n_axis, curve, where="mid", lw=2,
            label=f"binomial with inventory {inventory} ({doctrine}, p={p:g})")
    ax.plot(n_axis, unlimited, "--", color="0.5", lw=1,
            label="binomial, unlimited interceptors")
    p_run = data.run_p_no_leak
    ax.errorbar([n_run], [p_run], yerr=[[p_run - lo], [hi - p_run]],
                fmt="o", color="tab:red", capsize=4,
                label=f"this run (Monte Carlo, {data.run_trials} trials, 95% interval)")
    ax.axvline(inventory / volleys[0], color="tab:gray", ls=":", lw=1)
    ax.text(inventory / volleys[0], 0.02, " magazine empty", fontsize=8, color="tab:gray")
    ax.set_xlim(0, n_max + 1)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("missiles in the raid (N)")
    ax.set_ylabel("P(no leaker)")
    ax.set_title("Claim 3: raid size against the chance that nothing leaks")
    ax.legend(loc="upper right", fontsize=8)
    ax.grid(alpha=0.3)
    return _png(fig)


def figure_classes(data: ClassesFigure) -> bytes:
    """Claim 4: time in the band by missile, coloured by class."""
    flights, band_m = data.flights, data.band_m
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


def figure_cost(data: CostFigure) -> bytes:
    """Claim 5: one row per threat: its unit cost (estimate and range) against the interceptor cost
    of stopping it (the doctrine's expectation; the run's where it stopped that threat)."""
    costs, icpt, per_kill = data.costs, data.interceptor, data.per_kill
    doctrine, ratios, basis = data.doctrine, data.ratios, data.basis
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
               label=f"cost per kill, {doctrine}: {per_kill:.2f} x {usd(icpt.cost_usd)}")
    if basis == "run":
        ry = [k for k, (m, _) in enumerate(items) if m in ratios]
        rx = [ratios[items[k][0]] * items[k][1].value for k in ry]
        ax.plot(rx, ry, "s", color="tab:red", ms=7, label="cost per kill in this run")
    for k, (_, f) in enumerate(items):
        r = line / f.value
        ax.text(hi[k] * 1.25, k, f"x{times(r)}", va="center", fontsize=7, color="0.3")
    ax.set_yticks(y, [m for m, _ in items], fontsize=8)
    ax.set_xscale("log")
    ax.set_xlim(min(lo.min(), line) / 3, max(hi.max(), line) * 4)
    ax.set_xlabel("US dollars (x: interceptor cost per kill / threat cost)")
    ax.set_title("Claim 5: interceptor cost per threat stopped against the threat's cost")
    ax.legend(loc="upper left", fontsize=7)
    ax.grid(alpha=0.3, axis="x", which="both")
    return _png(fig)


def figure_reaction(data: ReactionFigure) -> bytes:
    """Claim 6: per answer, the share killed by the defense as deployed and with the fix."""
    fig = _new_figure()
    ax = fig.add_subplot()
    y = np.arange(len(data.answers))[::-1]
    ax.barh(y + 0.2, data.killed_as_deployed, height=0.4, color="tab:red",
            label="as deployed (Seongju's radar, ballistic tracker)")
    fixed = np.nan_to_num(np.asarray(data.killed_with_fix, dtype=float), nan=0.0)
    ax.barh(y - 0.2, fixed, height=0.4, color="tab:blue",
            label="with a second sensor / manoeuvre tracker (none: no bar)")
    ax.axvline(0.5, color="0.4", ls=":", lw=1)
    for yi, v in zip(y, data.verdicts, strict=True):
        ax.text(1.02, yi, v, va="center", fontsize=7)
    ax.set_yticks(y, list(data.answers), fontsize=7)
    ax.set_xlim(0, 1.35)
    ax.set_xlabel("share killed (salvo: 0 if a raid up to 2x the magazine leaks more often "
                  "than not)", fontsize=8)
    ax.set_title("Claim 6: North Korea's answers to THAAD, killed or not")
    ax.legend(loc="lower right", fontsize=7)
    ax.grid(alpha=0.3, axis="x")
    return _png(fig)


_DRAW: dict[type, Any] = {SeoulFigure: figure_seoul, ChinaFigure: figure_china,
                          SaturationFigure: figure_saturation, ClassesFigure: figure_classes,
                          CostFigure: figure_cost, ReactionFigure: figure_reaction}


def claim_figure_png(claim: Claim) -> bytes | None:
    """The claim's figure as PNG bytes (None: it has none)."""
    if claim.figure is None:
        return None
    draw = _DRAW.get(type(claim.figure))
    if draw is None:
        raise TypeError(f"claim {claim.number}: no drawing for a {type(claim.figure).__name__}")
    return bytes(draw(claim.figure))


__all__ = ["FIG_DPI", "FIG_SIZE_IN", "claim_figure_png", "figure_china", "figure_classes",
           "figure_cost", "figure_reaction", "figure_saturation", "figure_seoul"]
