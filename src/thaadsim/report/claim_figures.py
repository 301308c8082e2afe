"""The claims check's figures (:mod:`thaadsim.studies.claims` returns each claim's figure
as data; this module draws it): 800 x 450 pixel PNGs, embedded in the report."""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely
from matplotlib.ticker import FuncFormatter

from thaadsim.report.images import figure_png, new_figure
from thaadsim.studies.claims.china import ChinaFigure
from thaadsim.studies.claims.classes import ClassesFigure
from thaadsim.studies.claims.common import Claim
from thaadsim.studies.claims.cost import CostFigure, times, usd
from thaadsim.studies.claims.reaction import ReactionFigure
from thaadsim.studies.claims.saturation import SaturationFigure
from thaadsim.studies.claims.seoul import SeoulFigure

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


_SENSOR_COLORS = {"seongju-terminal": "tab:blue", "seongju-forward-based": "tab:orange",
                  "shariki": "tab:green", "kyogamisaki": "tab:purple"}
_SHORT = {"seongju-terminal": "Seongju\nterminal", "seongju-forward-based": "Seongju\nforward",
          "shariki": "Shariki", "kyogamisaki": "Kyogamisaki"}


def _east(lon: Any) -> Any:
    """Longitudes east of 0 to 360, so that the Pacific is one piece on the map."""
    return np.mod(np.asarray(lon, dtype=np.float64), 360.0)


def figure_china(data: ChinaFigure) -> bytes:
    """Claim 2: left, the corridors' ground tracks from China to the United States (grey),
    the segment each radar tracked (coloured), the radars' fans and China (shaded);
    right, each radar's share of corridors with a track of the missile and of the
    warhead."""
    fig = _new_figure()
    ax = fig.add_axes((0.07, 0.11, 0.57, 0.80))
    for part in shapely.get_parts(data.china):
        if part.geom_type == "Polygon":
            x, y = part.exterior.xy
            ax.fill(_east(x), y, color="0.88", lw=0)
    for row in data.corridors:
        lon, lat, t = _east(row["lon"]), np.asarray(row["lat"]), np.asarray(row["t"])
        lon = np.where(np.abs(np.diff(lon, prepend=lon[0])) > 180.0, np.nan, lon)
        ax.plot(lon, lat, color="0.6", lw=0.6)
        for name, s in row["sensors"].items():
            start = s["body_track_start_s"]
            end = s["body_track_end_s"]
            if start is None or end is None:
                continue
            inside = (t >= start) & (t <= end)
            ax.plot(np.where(inside, lon, np.nan), lat, color=_SENSOR_COLORS.get(name, "k"),
                    lw=2.0)
    for name, (flon, flat) in data.fans.items():
        ax.plot(_east(flon), flat, color=_SENSOR_COLORS.get(name, "k"), lw=0.8, ls="--")
    ax.plot([data.lon_deg % 360.0], [data.lat_deg], "k^", ms=6)
    for name in data.shares:
        ax.plot([], [], color=_SENSOR_COLORS.get(name, "k"), lw=2.0, label=_SHORT.get(name, name))
    ax.legend(loc="lower right", fontsize=7, title="tracked by", title_fontsize=7)
    ax.set_xlim(70, 300)
    ax.set_ylim(0, 90)  # the corridors to the U.S. East Coast cross the Arctic
    ax.set_xlabel("longitude (deg east)")
    ax.set_ylabel("latitude (deg)")
    ax.set_title("Claim 2: DF-41 corridors to the U.S.; tracked segments by radar", fontsize=9)
    bx = fig.add_axes((0.76, 0.11, 0.22, 0.80))
    names = list(data.shares)
    y = np.arange(len(names))[::-1]
    body = [100 * data.shares[n][0] for n in names]
    rv = [100 * data.shares[n][1] for n in names]
    bx.barh(y + 0.18, body, height=0.36, color=[_SENSOR_COLORS.get(n, "0.5") for n in names],
            label="missile tracked")
    bx.barh(y - 0.18, rv, height=0.36, color=[_SENSOR_COLORS.get(n, "0.5") for n in names],
            alpha=0.45, hatch="//", label="warhead tracked")
    bx.set_yticks(y, [_SHORT.get(n, n) for n in names], fontsize=7)
    bx.set_xlim(0, 100)
    bx.set_xlabel("corridors (%)")
    bx.legend(loc="upper right", fontsize=6)
    bx.grid(alpha=0.3, axis="x")
    return figure_png(fig, FIG_DPI)  # axes placed by hand: no tight layout


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
    ax.xaxis.set_major_formatter(FuncFormatter(_power_of_ten))
    ax.set_xlim(min(lo.min(), line) / 3, max(hi.max(), line) * 4)
    ax.set_xlabel("US dollars (x: interceptor cost per kill / threat cost)")
    ax.set_title("Claim 5: interceptor cost per threat stopped against the threat's cost")
    ax.legend(loc="upper left", fontsize=7)
    ax.grid(alpha=0.3, axis="x", which="both")
    return _png(fig)


def figure_reaction(data: ReactionFigure) -> bytes:
    """Claim 6: per answer, the share killed by the defense as deployed and with the fix
    (decoys: the share of the warheads the magazine still covers)."""
    fig = _new_figure()
    ax = fig.add_subplot()
    y = np.arange(len(data.answers))[::-1]
    ax.barh(y + 0.2, data.killed_as_deployed, height=0.4, color="tab:red",
            label="as deployed (Seongju's radar, ballistic tracker)")
    fixed = np.nan_to_num(np.asarray(data.killed_with_fix, dtype=float), nan=0.0)
    ax.barh(y - 0.2, fixed, height=0.4, color="tab:blue",
            label="with the fix: a second sensor / manoeuvre tracker / holding fire "
                  "(none: no bar)")
    ax.axvline(0.5, color="0.4", ls=":", lw=1)
    for yi, v in zip(y, data.verdicts, strict=True):
        ax.text(1.02, yi, v, va="center", fontsize=7)
    ax.set_yticks(y, list(data.answers), fontsize=7)
    ax.set_xlim(0, 1.35)
    ax.set_xlabel("share killed (salvo: 0 if a raid up to 2x the magazine leaks more often "
                  "than not; decoys: share of the magazine's warheads still covered)",
                  fontsize=8)
    ax.set_title("Claim 6: North Korea's answers to THAAD, killed or not")
    ax.legend(loc="lower right", fontsize=7)
    ax.grid(alpha=0.3, axis="x")
    return _png(fig)


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _power_of_ten(value: float, _pos: Any = None) -> str:
    """A log axis's major tick label, 10 with the exponent in superscript digits: what
    Matplotlib's default shows, without its mathtext (a parser costing a tenth of a second
    per figure); a value between powers of ten keeps its plain :g form."""
    if value <= 0 or not np.isfinite(value):
        return ""
    exponent = int(round(np.log10(value)))
    if not np.isclose(value, 10.0 ** exponent, rtol=1e-9):
        return f"{value:g}"
    return "10" + str(exponent).translate(_SUPERSCRIPT)


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
