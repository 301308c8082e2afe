"""The HTML report of a run: one self-contained file that works offline.

:func:`write_report` turns a :class:`thaadsim.run.RunOutput` into ``report.html``: the
claims check (each claim of the public debate, the verdict this run's physics supports,
the numbers behind it and a figure), the outcome of every threat with its reason, altitude
against ground range with the intercept band, a map on the shipped borders (launch sites,
aim points, ground tracks, the radar's fan, the batteries' reach), the engagement timeline
of the first trial and an interactive 3D view of the flights.

Nothing is fetched when the file is opened: the static figures are Matplotlib PNGs
embedded as base64 ``data:`` URIs, the 3D view is Plotly with its library inlined, the
style sheet is inline and the borders come from the data the package ships.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
from markupsafe import Markup
from matplotlib.figure import Figure as MplFigure

from thaadsim.outputs import write_text
from thaadsim.physics.geodesy import geodesic_direct, geodesic_inverse
from thaadsim.report.images import figure_png, new_figure, png_data_uri, tight_layout
from thaadsim.report.maps import draw_coasts
from thaadsim.report.templating import render, static_text
from thaadsim.systems import geography
from thaadsim.systems.catalog import get_radar
from thaadsim.systems.radar import Emplacement
from thaadsim.systems.sensors import Sensor
from thaadsim.timing import stage

if TYPE_CHECKING:
    import shapely

    from thaadsim.run import RunOutput, ThreatTrack
    from thaadsim.studies.claims import Claim

FloatArray = npt.NDArray[np.float64]

MAX_TIMELINE_THREATS = 40
"""The timeline draws at most this many threats (the first ones); the tables list all."""

MAX_3D_POINTS = 300
"""Points kept per flight in the 3D view (the file stays small; the curve stays smooth)."""

FAN_ALT_M = 100e3
"""Altitude of the target whose detection fan the map draws."""

DPI = 110


# --------------------------------------------------------------------------------------
# small helpers


def _png(fig: MplFigure) -> bytes:
    return figure_png(fig, DPI)


def _fmt(value: Any) -> str:
    """A number as a reader wants it: thousands separators, 3-4 significant figures."""
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, int | np.integer):
        return f"{int(value):,}"
    if isinstance(value, float | np.floating):
        v = float(value)
        if not np.isfinite(v):
            return "n/a" if np.isnan(v) else ("inf" if v > 0 else "-inf")
        if v == 0.0:
            return "0"
        if v.is_integer() and abs(v) < 1e15:
            return f"{int(v):,}"
        mag = abs(v)
        if mag >= 1000:
            return f"{v:,.0f}"
        if mag >= 1:
            return f"{v:.4g}"
        if mag >= 1e-3:
            return f"{v:.3f}".rstrip("0").rstrip(".")
        return f"{v:.2e}"
    if isinstance(value, Mapping):
        return "; ".join(f"{_label(k)}: {_fmt(v)}" for k, v in value.items())
    if isinstance(value, list | tuple | np.ndarray):
        return ", ".join(_fmt(v) for v in value)
    return str(value)


def _label(key: Any) -> str:
    """``max_alt_km`` -> ``max alt (km)``: a column name for a reader."""
    text = str(key).replace("^2", "²").replace("^3", "³")
    units = {"_km": "km", "_m": "m", "_s": "s", "_deg": "deg", "_usd": "USD", "_m2": "m²",
             "_mps": "m/s", "_kmps": "km/s", "_kg": "kg", "_pct": "%"}
    for suffix, unit in units.items():
        if text.endswith(suffix) and len(text) > len(suffix):
            return text[: -len(suffix)].replace("_", " ") + f" ({unit})"
    return text.replace("_", " ")


def _verdict_class(verdict: str) -> str:
    """A CSS class for a verdict's colour, from its words (neutral when unsure)."""
    words = set(re.findall(r"[a-z]+", verdict.lower()))
    if words & {"partly", "partially", "partial", "mixed", "depends", "nuanced", "qualified",
                "misleading", "overstated", "conditional", "conditionally"}:
        return "v-mixed"
    if words & {"not", "unsupported", "false", "refuted", "wrong", "contradicted", "no"}:
        return "v-no"
    if words & {"supported", "true", "confirmed", "correct", "yes"}:
        return "v-yes"
    return "v-other"


def _ground_box(lons: Iterable[float], lats: Iterable[float],
                pad_deg: float = 1.0) -> tuple[float, float, float, float]:
    """The lon/lat box around the points, padded; longitudes as given (made continuous by
    :func:`~thaadsim.systems.geography.near_lon`, they may run past +-180)."""
    lon = np.asarray(list(lons), dtype=float)
    lat = np.asarray(list(lats), dtype=float)
    lon, lat = lon[np.isfinite(lon)], lat[np.isfinite(lat)]
    return (float(lon.min()) - pad_deg, max(-90.0, float(lat.min()) - pad_deg),
            float(lon.max()) + pad_deg, min(90.0, float(lat.max()) + pad_deg))


def _trial0_shots(out: RunOutput) -> dict[str, npt.NDArray[Any]]:
    shots = out.result.shots
    keep = np.asarray(shots["trial"]) == 0
    return {k: np.asarray(v)[keep] for k, v in shots.items()}


def _at(track: ThreatTrack, t_s: float, values: FloatArray) -> float:
    return float(np.interp(t_s, track.t_s, values))


def _distinct_tracks(out: RunOutput) -> list[ThreatTrack]:
    """One track per distinct flight (a salvo of the same missile on the same path is one
    curve), the first of each."""
    seen: set[tuple[Any, ...]] = set()
    keep = []
    for tr in out.tracks:
        key = (tr.missile, round(tr.launch_lat_deg, 4), round(tr.launch_lon_deg, 4),
               round(tr.aim_lat_deg, 4), round(tr.aim_lon_deg, 4), round(tr.apogee_m, 0),
               round(float(tr.ground_range_m[-1]), 0))
        if key not in seen:
            seen.add(key)
            keep.append(tr)
    return keep


def _group_colors(out: RunOutput) -> dict[str, str]:
    """A colour per threat group (hex, for Matplotlib and Plotly alike); blue and green
    are kept for the radar and the batteries."""
    palette = ["#d62728", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#bcbd22", "#17becf",
               "#7f7f7f", "#000000", "#b8860b"]
    groups = list(dict.fromkeys(out.groups))
    return {g: palette[i % len(palette)] for i, g in enumerate(groups)}


# --------------------------------------------------------------------------------------
# the tables


@dataclass(frozen=True)
class ThreatRow:
    index: int
    group: str
    missile: str
    apogee_km: float
    range_km: float
    time_in_band_s: float
    engaged: float
    intercepted: float
    leaked: float
    interceptors: float
    reason: str
    reasons: str


def threat_rows(out: RunOutput) -> list[ThreatRow]:
    """Per threat, over the trials: the share engaged (at least one interceptor fired at
    it), intercepted and leaked, the interceptors fired at it per trial, and its most
    common reason (with the others and their shares)."""
    res = out.result
    thr = res.threats
    shots = res.shots
    rows = []
    for i, tr in enumerate(out.tracks):
        mine = np.asarray(thr["threat"]) == i
        at_me = np.asarray(shots["threat"]) == i
        engaged_trials = np.unique(np.asarray(shots["trial"])[at_me]).size
        outcome = np.asarray(thr["outcome"])[mine]
        reasons = Counter(str(r) for r in np.asarray(thr["reason"])[mine])
        top, _ = reasons.most_common(1)[0]
        n = max(int(mine.sum()), 1)
        others = "; ".join(f"{r or 'n/a'} {c / n:.0%}" for r, c in reasons.most_common())
        rows.append(ThreatRow(
            index=i, group=out.groups[i], missile=tr.missile, apogee_km=tr.apogee_m / 1e3,
            range_km=float(tr.ground_range_m[-1]) / 1e3, time_in_band_s=tr.time_in_band_s,
            engaged=engaged_trials / out.trials,
            intercepted=float((outcome == "intercepted").mean()),
            leaked=float((outcome == "leaked").mean()),
            interceptors=float(at_me.sum()) / out.trials, reason=top or "n/a",
            reasons=others))
    return rows


def headline(out: RunOutput, summary: Mapping[str, Any] | None = None
             ) -> list[tuple[str, str, str]]:
    """(label, value, note) cards from :meth:`RunOutput.summary` (``summary``: that summary,
    when the caller has it already), with the cost of the interceptors fired at the
    catalog's unit prices."""
    s = out.summary() if summary is None else summary
    battery = np.asarray(out.result.shots["battery"], dtype=int)
    cost = sum(out.defense.batteries[int(b)].interceptor.cost_usd
               for b in battery) / max(out.trials, 1)
    return [
        ("threats", _fmt(s["threats"]), f"{len(out.defense.batteries)} battery(ies): "
         + ", ".join(b.name for b in out.defense.batteries)),
        ("P(no leaker)", f"{s['p_no_leak']:.0%}",
         "share of trials in which no endangering threat got through"),
        ("expected leakers", _fmt(round(s["expected_leakers"], 3)),
         "endangering threats not intercepted, mean per trial"),
        ("intercepted", f"{s['intercepted_fraction']:.0%}", "of all threats, over all trials"),
        ("engageable threats", f"{s['engageable_threats']} of {s['threats']}",
         "ever inside a battery's reach after a firm track, in some trial"),
        ("interceptors fired", _fmt(round(s["interceptors_used"], 2)),
         f"per trial, about ${cost / 1e6:,.1f} M at catalog unit cost"),
    ]


# --------------------------------------------------------------------------------------
# the static figures (Matplotlib, PNG bytes)


def figure_trajectories(out: RunOutput) -> bytes:
    """Altitude against ground range for every distinct flight, the band shaded, and the
    intercept points of the first trial's shots."""
    colors = _group_colors(out)
    lo_km, hi_km = out.band_m[0] / 1e3, out.band_m[1] / 1e3
    fig = new_figure((9.5, 5.2), DPI)
    ax = fig.add_subplot()
    ax.axhspan(lo_km, hi_km, color="tab:green", alpha=0.13,
               label=f"intercept band {lo_km:g}-{hi_km:g} km")
    labelled: set[str] = set()
    top = hi_km
    xmax = 1.0
    for tr in _distinct_tracks(out):
        label = None if tr.group in labelled else f"{tr.group} ({tr.missile})"
        labelled.add(tr.group)
        x, y = tr.ground_range_m / 1e3, tr.alt_m / 1e3
        ax.plot(x, y, color=colors[tr.group], lw=1.6, label=label)
        top, xmax = max(top, float(y.max())), max(xmax, float(x.max()))
    shots = _trial0_shots(out)
    for killed, style, name in ((True, ("*", "tab:green", 13), "intercept (trial 0)"),
                                (False, ("X", "tab:red", 10), "missed shot (trial 0)")):
        pick = np.asarray(shots["killed"], dtype=bool) == killed
        xs = [_at(out.tracks[int(t)], float(ti), out.tracks[int(t)].ground_range_m) / 1e3
              for t, ti in zip(shots["threat"][pick], shots["intercept_s"][pick], strict=True)]
        ys = shots["intercept_alt_m"][pick] / 1e3
        if len(xs):
            ax.plot(xs, ys, ls="none", marker=style[0], color=style[1], ms=style[2],
                    mec="k", mew=0.6, label=name, zorder=5)
    ax.set_xlim(0, xmax * 1.03)
    ax.set_ylim(0, top * 1.12)
    ax.set_xlabel("ground range from launch (km)")
    ax.set_ylabel("altitude (km)")
    ax.set_title("Altitude against ground range")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper right", fontsize=8)
    tight_layout(fig)
    return _png(fig)


def _first_sensor(out: RunOutput) -> Sensor:
    """The sensor the report's fan and 3D view centre on: the defense's first (the
    catalog's terminal TPY-2 at the first battery's site when it has none)."""
    if out.defense.sensors:
        return out.defense.sensors[0]
    site = out.defense.batteries[0].site
    return Sensor(name=site.slug, radar=get_radar("terminal").radar,
                  emplacement=Emplacement(lat_deg=site.lat_deg, lon_deg=site.lon_deg,
                                          alt_m=site.alt_m, boresight_deg=0.0,
                                          name=site.name))


def radar_fan(out: RunOutput) -> tuple[shapely.Geometry, float]:
    """The defense radar's detection fan (lon/lat polygon) for a target at
    :data:`FAN_ALT_M` with the raid's smallest RCS, and that RCS."""
    from thaadsim.studies.claims import coverage

    rcs = min(th.rcs_m2 for th in out.raid)
    sensor = _first_sensor(out)
    cov = coverage(sensor.radar, sensor.emplacement, rcs_m2=rcs, alt_m=FAN_ALT_M)
    return cov.polygon, rcs


def _circle(lat: float, lon: float, radius_m: float) -> tuple[FloatArray, FloatArray]:
    az = np.linspace(0.0, 360.0, 181)
    c_lat, c_lon, _ = geodesic_direct(lat, lon, az, radius_m)
    return c_lon, c_lat


def figure_map(out: RunOutput, *, fan: tuple[shapely.Geometry, float] | None = None) -> bytes:
    """The map: borders and coastlines, launch sites, aim points, ground tracks, the
    radar's fan (``fan``: :func:`radar_fan`'s result, computed if not given), each
    battery's reach and the defended assets."""

    colors = _group_colors(out)
    fan_polygon, rcs = fan if fan is not None else radar_fan(out)
    reach = [(b, b.interceptor.max_ground_range_m) for b in out.defense.batteries]
    radar = _first_sensor(out).emplacement

    def near(lon: Any) -> Any:  # every longitude drawn, continuous about the radar's
        return geography.near_lon(radar.lon_deg, lon)

    fan_parts = geography.near_outlines(radar.lon_deg, fan_polygon)
    lons: list[float] = []
    lats: list[float] = []
    for tr in out.tracks:
        lons += list(near([tr.launch_lon_deg, tr.aim_lon_deg, tr.impact_lon_deg]))
        lats += [tr.launch_lat_deg, tr.aim_lat_deg, tr.impact_lat_deg]
    for b, r in reach:
        c_lon, c_lat = _circle(b.site.lat_deg, b.site.lon_deg, r)
        lons += list(near(c_lon))
        lats += list(c_lat)
    for x, y in fan_parts:
        lons += [float(x.min()), float(x.max())]
        lats += [float(y.min()), float(y.max())]
    box = _ground_box(lons, lats, pad_deg=0.8)

    fig = new_figure((9.5, 8.5), DPI)
    ax = fig.add_subplot()
    draw_coasts(ax, box, color="0.4")
    if fan_parts:
        for k, (x, y) in enumerate(fan_parts):
            ax.fill(x, y, color="tab:blue", alpha=0.12, lw=0)
            ax.plot(x, y, color="tab:blue", lw=1.0,
                    label=None if k else f"radar fan ({_first_sensor(out).mode}, "
                                         f"{rcs:g} m² at {FAN_ALT_M / 1e3:g} km)")
    lat_b, lon_b, _ = geodesic_direct(radar.lat_deg, radar.lon_deg, radar.boresight_deg, 250e3)
    ax.annotate("", xy=(float(near(lon_b)), float(lat_b)), xytext=(radar.lon_deg, radar.lat_deg),
                arrowprops={"arrowstyle": "->", "color": "tab:blue", "lw": 1.4})
    for k, (b, r) in enumerate(reach):
        c_lon, c_lat = _circle(b.site.lat_deg, b.site.lon_deg, r)
        ax.plot(near(c_lon), c_lat, color="tab:green", lw=1.3, ls="--",
                label=None if k else "battery reach (interceptor's ground range)")
        ax.plot(near([b.site.lon_deg]), [b.site.lat_deg], marker="s", color="tab:green", ms=8,
                mec="k", ls="none", label=None if k else "battery")
        ax.annotate(b.name, (float(near(b.site.lon_deg)), b.site.lat_deg), xytext=(5, -11),
                    textcoords="offset points", fontsize=7, color="darkgreen")
    for k, a in enumerate(out.defense.assets):
        c_lon, c_lat = _circle(a.lat_deg, a.lon_deg, a.radius_m)
        ax.fill(near(c_lon), c_lat, color="gold", alpha=0.5, lw=0.8, ec="darkgoldenrod",
                label=None if k else "defended asset")
        ax.annotate(a.name, (float(near(a.lon_deg)), a.lat_deg), xytext=(5, 4),
                    textcoords="offset points",
                    fontsize=7, color="saddlebrown")
    labelled: set[str] = set()
    first_launch = first_aim = True
    for tr in _distinct_tracks(out):
        c = colors[tr.group]
        ax.plot(near(tr.lon_deg), tr.lat_deg, color=c, lw=1.5,
                label=None if tr.group in labelled else f"{tr.group} ({tr.missile})")
        labelled.add(tr.group)
        ax.plot(near([tr.launch_lon_deg]), [tr.launch_lat_deg], marker="^", color=c, mec="k",
                ms=8, ls="none", label="launch site" if first_launch else None)
        ax.plot(near([tr.aim_lon_deg]), [tr.aim_lat_deg], marker="x", color="k", ms=7, mew=1.6,
                ls="none", label="aim point" if first_aim else None)
        first_launch = first_aim = False
    shots = _trial0_shots(out)
    hit = np.asarray(shots["killed"], dtype=bool)
    if hit.any():
        pts = [(_at(out.tracks[int(t)], float(ti), near(out.tracks[int(t)].lon_deg)),
                _at(out.tracks[int(t)], float(ti), out.tracks[int(t)].lat_deg))
               for t, ti in zip(shots["threat"][hit], shots["intercept_s"][hit], strict=True)]
        ax.plot(near([p[0] for p in pts]), [p[1] for p in pts], ls="none", marker="*", ms=13,
                color="tab:green", mec="k", mew=0.6, label="intercept (trial 0)", zorder=5)
    ax.set_xlim(box[0], box[2])
    ax.set_ylim(box[1], box[3])
    ax.set_aspect(1.0 / np.cos(np.radians(0.5 * (box[1] + box[3]))))
    ax.set_xlabel("longitude (deg E)")
    ax.set_ylabel("latitude (deg N)")
    ax.set_title("Map: launch sites, aim points, ground tracks, radar fan, battery reach")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=7, framealpha=0.9)
    fig.text(0.01, 0.005, f"Map: {geography.MAP_DATA_NOTE} (shipped with thaadsim).",
             fontsize=7, color="0.35")
    tight_layout(fig, rect=(0, 0.02, 1, 1))
    return _png(fig)


def figure_timeline(out: RunOutput) -> bytes:
    """The first trial's engagement timeline: per threat, a bar from launch to impact (the
    time in the band shaded), first detection, firm track, interceptor launches and
    intercepts."""
    res = out.result
    n = min(len(out.tracks), MAX_TIMELINE_THREATS)
    thr = {k: np.asarray(v)[np.asarray(res.threats["trial"]) == 0]
           for k, v in res.threats.items()}
    shots = _trial0_shots(out)
    legend_in = 0.6
    height_in = 1.3 + legend_in + 0.45 * n
    fig = new_figure((9.5, height_in), DPI)
    ax = fig.add_subplot()
    used: set[str] = set()

    def lab(name: str) -> str | None:
        if name in used:
            return None
        used.add(name)
        return name

    for i in range(n):
        tr = out.tracks[i]
        row = int(np.flatnonzero(thr["threat"] == i)[0])
        t0, t1 = tr.launch_t_s, float(thr["impact_s"][row])
        killed = float(thr["killed_at_s"][row])
        end = killed if np.isfinite(killed) else t1
        ax.barh(i, end - t0, left=t0, height=0.5, color="0.82", ec="0.5",
                label=lab("in flight"))
        if np.isfinite(killed) and killed < t1:
            ax.barh(i, t1 - killed, left=killed, height=0.5, color="none", ec="0.75",
                    ls=":", label=lab("would have flown on"))
        if np.isfinite(tr.band_entry_s):
            b0, b1 = tr.band_entry_s, tr.band_exit_s
            if b0 < end:
                ax.barh(i, min(b1, end) - b0, left=b0, height=0.22, color="tab:green",
                        alpha=0.65, label=lab("in the intercept band"))
            if b1 > end:
                ax.barh(i, b1 - max(b0, end), left=max(b0, end), height=0.22,
                        color="tab:green", alpha=0.2)
        for col, marker, color, name in (("first_detection_s", "o", "tab:blue",
                                          "first detection"),
                                         ("firm_track_s", "D", "navy", "firm track")):
            t = float(thr[col][row])
            if np.isfinite(t):
                ax.plot([t], [i], marker=marker, color=color, ms=6, ls="none", label=lab(name))
        mine = shots["threat"] == i
        for tl, ti, k in zip(shots["launch_s"][mine], shots["intercept_s"][mine],
                             shots["killed"][mine], strict=True):
            ax.plot([tl, ti], [i + 0.34, i + 0.34], color="k", lw=0.8, ls="--",
                    label=lab("interceptor in flight"))
            ax.plot([tl], [i + 0.34], marker="^", color="k", ms=6, ls="none",
                    label=lab("interceptor launch"))
            if k:
                ax.plot([ti], [i], marker="*", color="tab:green", mec="k", mew=0.5, ms=13,
                        ls="none", label=lab("intercept (kill)"))
            else:
                ax.plot([ti], [i], marker="X", color="tab:red", mec="k", mew=0.5, ms=9,
                        ls="none", label=lab("intercept (miss)"))
        ax.text(t1, i, f"  {thr['outcome'][row]}", va="center", fontsize=7, color="0.25")
    ax.set_yticks(range(n))
    ax.set_yticklabels([f"#{i} {out.groups[i]} ({out.tracks[i].missile})" for i in range(n)],
                       fontsize=8)
    ax.set_ylim(n - 0.4, -0.7)
    ax.set_xlabel("time from the start of the raid (s)")
    more = f" (first {n} of {len(out.tracks)} threats)" if n < len(out.tracks) else ""
    ax.set_title(f"Engagement timeline, trial 0{more}")
    ax.grid(axis="x", alpha=0.3)
    xmax = max(float(np.nanmax(thr["impact_s"])), 1.0)
    ax.set_xlim(0, xmax * 1.14)
    fig.legend(loc="lower center", ncol=5, fontsize=7, frameon=False)
    tight_layout(fig, rect=(0, legend_in / height_in, 1, 1))
    return _png(fig)


# --------------------------------------------------------------------------------------
# the interactive 3D view (Plotly, library inlined)


def _enu_km(lat0: float, lon0: float, lat: npt.ArrayLike,
            lon: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """East and north (km) of points on the azimuthal equidistant map about (lat0, lon0)."""
    dist, az, _ = geodesic_inverse(lat0, lon0, lat, lon)
    a = np.radians(az)
    return np.asarray(dist * np.sin(a) / 1e3), np.asarray(dist * np.cos(a) / 1e3)


def _lines(parts: Iterable[tuple[FloatArray, FloatArray, FloatArray]]) -> dict[str, list[Any]]:
    """Polylines joined into one trace with gaps (None) between them."""
    xs: list[Any] = []
    ys: list[Any] = []
    zs: list[Any] = []
    for x, y, z in parts:
        xs += [*map(float, x), None]
        ys += [*map(float, y), None]
        zs += [*map(float, z), None]
    return {"x": xs, "y": ys, "z": zs}


def view_3d(out: RunOutput, *, div_id: str = "view3d") -> str:
    """An HTML ``<div>`` with the flights in 3D (Plotly, its library inlined: no CDN).

    Horizontal axes are east and north (km) of the defense radar on an azimuthal
    equidistant map, so distances from the radar are true; the vertical axis is altitude
    (km), exaggerated for legibility.
    """
    import plotly.graph_objects as go

    radar = _first_sensor(out).emplacement
    lat0, lon0 = radar.lat_deg, radar.lon_deg
    colors = _group_colors(out)
    fig = go.Figure()
    tracks = _distinct_tracks(out)
    all_e: list[float] = [0.0]
    all_n: list[float] = [0.0]
    lat: Any
    lon: Any
    top = out.band_m[1] / 1e3
    legend: set[str] = set()
    for tr in tracks:
        step = max(1, int(np.ceil(tr.t_s.size / MAX_3D_POINTS)))
        idx = np.unique(np.r_[np.arange(0, tr.t_s.size, step), tr.t_s.size - 1])
        e, n = _enu_km(lat0, lon0, tr.lat_deg[idx], tr.lon_deg[idx])
        z = tr.alt_m[idx] / 1e3
        all_e += [float(e.min()), float(e.max())]
        all_n += [float(n.min()), float(n.max())]
        top = max(top, float(z.max()))
        fig.add_trace(go.Scatter3d(
            x=e, y=n, z=z, mode="lines", name=f"{tr.group} ({tr.missile})",
            legendgroup=tr.group, showlegend=tr.group not in legend,
            line={"color": colors[tr.group], "width": 5},
            customdata=np.c_[tr.t_s[idx], tr.ground_range_m[idx] / 1e3],
            hovertemplate=(f"#{tr.index} {tr.group} ({tr.missile})<br>t = %{{customdata[0]:.0f}}"
                           " s<br>altitude %{z:.1f} km<br>ground range %{customdata[1]:.0f} km"
                           "<extra></extra>")))
        legend.add(tr.group)
    # launch sites and aim points
    le, ln = _enu_km(lat0, lon0, [t.launch_lat_deg for t in tracks],
                     [t.launch_lon_deg for t in tracks])
    ae, an = _enu_km(lat0, lon0, [t.aim_lat_deg for t in tracks],
                     [t.aim_lon_deg for t in tracks])
    fig.add_trace(go.Scatter3d(x=le, y=ln, z=np.zeros(le.size), mode="markers",
                               name="launch site", marker={"symbol": "diamond", "size": 5,
                                                           "color": "#444"}))
    fig.add_trace(go.Scatter3d(x=ae, y=an, z=np.zeros(ae.size), mode="markers",
                               name="aim point", marker={"symbol": "x", "size": 5,
                                                         "color": "black"}))
    # batteries
    be, bn = _enu_km(lat0, lon0, [b.site.lat_deg for b in out.defense.batteries],
                     [b.site.lon_deg for b in out.defense.batteries])
    fig.add_trace(go.Scatter3d(x=be, y=bn, z=np.zeros(be.size), mode="markers", name="battery",
                               text=[b.name for b in out.defense.batteries],
                               hovertemplate="%{text}<extra></extra>",
                               marker={"symbol": "square", "size": 6, "color": "#2ca02c"}))
    # intercepts of trial 0
    shots = _trial0_shots(out)
    if shots["threat"].size:
        lat = [_at(out.tracks[int(t)], float(ti), out.tracks[int(t)].lat_deg)
               for t, ti in zip(shots["threat"], shots["intercept_s"], strict=True)]
        lon = [_at(out.tracks[int(t)], float(ti),
                   geography.near_lon(lon0, out.tracks[int(t)].lon_deg))
               for t, ti in zip(shots["threat"], shots["intercept_s"], strict=True)]
        ie, in_ = _enu_km(lat0, lon0, lat, lon)
        killed = np.asarray(shots["killed"], dtype=bool)
        fig.add_trace(go.Scatter3d(
            x=ie, y=in_, z=shots["intercept_alt_m"] / 1e3, mode="markers",
            name="intercept (trial 0)",
            text=[f"threat #{int(t)}, shot at t = {tl:.0f} s: {'kill' if k else 'miss'}"
                  for t, tl, k in zip(shots["threat"], shots["launch_s"], killed, strict=True)],
            hovertemplate="%{text}<br>altitude %{z:.1f} km<extra></extra>",
            marker={"size": 6, "color": ["#2ca02c" if k else "#d62728" for k in killed],
                    "line": {"color": "black", "width": 1}}))
    # the ground: borders and coastlines inside the box of the flights
    e_lo, e_hi = min(all_e) - 80, max(all_e) + 80
    n_lo, n_hi = min(all_n) - 80, max(all_n) + 80
    box_lat, box_lon, _ = geodesic_direct(lat0, lon0, [0.0, 90.0, 180.0, 270.0, 45.0, 135.0,
                                                       225.0, 315.0],
                                          1e3 * np.hypot(max(abs(e_lo), abs(e_hi)),
                                                         max(abs(n_lo), abs(n_hi))))
    box = _ground_box(geography.near_lon(lon0, box_lon), box_lat, pad_deg=0.1)
    parts = []
    for lon, lat in geography.borders_across(box):
        e, n = _enu_km(lat0, lon0, lat, lon)
        inside = (e >= e_lo) & (e <= e_hi) & (n >= n_lo) & (n <= n_hi)
        e, n = np.where(inside, e, np.nan), np.where(inside, n, np.nan)
        parts.append((e, n, np.zeros(e.size)))
    if parts:
        fig.add_trace(go.Scatter3d(**_lines(parts), mode="lines", name="borders, coasts",
                                   hoverinfo="skip", line={"color": "#888", "width": 2},
                                   connectgaps=False))
    # the band: translucent floor and ceiling
    for k, alt_km in enumerate((out.band_m[0] / 1e3, out.band_m[1] / 1e3)):
        fig.add_trace(go.Surface(
            x=[[e_lo, e_hi], [e_lo, e_hi]], y=[[n_lo, n_lo], [n_hi, n_hi]],
            z=[[alt_km, alt_km], [alt_km, alt_km]], showscale=False, opacity=0.12,
            colorscale=[[0, "#2ca02c"], [1, "#2ca02c"]], hoverinfo="skip",
            name=f"band {'floor' if k == 0 else 'ceiling'} {alt_km:g} km", showlegend=True))
    span = max(e_hi - e_lo, n_hi - n_lo, 1.0)
    fig.update_layout(
        height=640, margin={"l": 0, "r": 0, "t": 30, "b": 0},
        title={"text": "Flights in 3D (drag to turn, scroll to zoom; altitude exaggerated)",
               "font": {"size": 13}},
        legend={"itemsizing": "constant", "font": {"size": 11}, "orientation": "h",
                "x": 0.0, "y": 0.0, "yanchor": "top"},
        scene={"xaxis": {"title": {"text": "east of the radar (km)"}, "range": [e_lo, e_hi]},
               "yaxis": {"title": {"text": "north of the radar (km)"}, "range": [n_lo, n_hi]},
               "zaxis": {"title": {"text": "altitude (km)"}, "range": [0, top * 1.1]},
               "camera": {"eye": {"x": -1.05, "y": -1.35, "z": 0.75}},
               "aspectmode": "manual",
               "aspectratio": {"x": (e_hi - e_lo) / span, "y": (n_hi - n_lo) / span,
                               "z": 0.45}})
    html: str = fig.to_html(full_html=False, include_plotlyjs=True, div_id=div_id,
                            config={"displaylogo": False, "responsive": True})
    return html


# --------------------------------------------------------------------------------------
# sources


def sources(out: RunOutput) -> list[dict[str, Any]]:
    """The catalog figures this run used, each with its source or assumption."""
    entries: list[tuple[str, Any]] = []
    for m in dict.fromkeys(th.missile for th in out.raid):
        entries.append((f"missile {m.slug}", m))
    for icpt in dict.fromkeys(b.interceptor for b in out.defense.batteries):
        entries.append((f"interceptor {icpt.slug}", icpt))
    for mode in dict.fromkeys(s.mode for s in out.defense.sensors):
        entries.append((f"radar ({mode} mode)", get_radar(mode)))
    if out.defense.early_warning is not None:
        entries.append(("early warning", out.defense.early_warning))
    if len(out.defense.batteries) > 1 or any(s.battery is None for s in out.defense.sensors):
        from types import SimpleNamespace

        from thaadsim.systems.sensors import network_latency_figure

        fig = network_latency_figure()
        if fig.value != out.defense.network_latency_s:
            fig = dataclasses.replace(fig, value=out.defense.network_latency_s, source=None,
                                      assumption=f"set by this run (the catalog's: "
                                                 f"{fig.value:g} s, {fig.assumption})")
        entries.append(("sensor network", SimpleNamespace(figures={"network_latency_s": fig})))
    result = []
    for what, entry in entries:
        figs = getattr(entry, "figures", {}) or {}
        rows = [{"figure": k, "value": _fmt(f.value),
                 "basis": f.source if f.source else f"assumption: {f.assumption}"}
                for k, f in figs.items()]
        result.append({"what": what, "name": getattr(entry, "name", what), "rows": rows})
    return result


# --------------------------------------------------------------------------------------
# the page (templates/report.html.j2 and report.css, loaded by thaadsim.report.templating)


_ALT = {
    "trajectories": "Altitude in km against ground range in km for every threat's flight, "
                    "with the intercept band shaded and the intercept points of trial 0 "
                    "marked",
    "map": "Map of the region on Natural Earth borders and coastlines with launch sites, aim "
           "points, ground tracks, the radar fan, the battery reach circles, the defended "
           "assets and the intercept points",
    "timeline": "Engagement timeline of trial 0: per threat, a bar from launch to impact with "
                "markers for first detection, firm track, interceptor launches and intercepts",
}


def _claim_context(claims: Sequence[Claim],
                   figures: Mapping[str, bytes | None]) -> list[dict[str, Any]]:
    """Each claim for the page, with its figure (``figures``: PNG bytes by
    :func:`_claim_key`)."""
    rows: list[dict[str, Any]] = []
    for c in claims:
        png = figures[_claim_key(c)]
        rows.append({
            "number": c.number,
            "claim": c.claim,
            "verdict": c.verdict,
            "css": _verdict_class(c.verdict),
            "summary": c.summary,
            "numbers": [(_label(k), _fmt(v)) for k, v in c.numbers.items()],
            "figure": png_data_uri(png) if png else None,
            "sources": list(c.sources),
            "notes": list(c.notes),
        })
    return rows


def _claim_key(claim: Claim) -> str:
    return f"claim {claim.number}"


def draw_figures(out: RunOutput, claims: Sequence[Claim],
                 fan: tuple[shapely.Geometry, float], *,
                 fork: bool | None = None) -> dict[str, Any]:
    """The report's figures: the claims' (PNG bytes or None, by :func:`_claim_key`), the
    run's trajectories, map and timeline (PNG bytes) and the 3D view (HTML). The claims'
    figures only draw the data their studies returned, so they are drawn in a forked child
    while this process draws the run's (:func:`thaadsim.report.parallel.draw`; ``fork``:
    None where it can, False never): the same bytes, in about half the time on two CPUs."""
    from thaadsim.report.claim_figures import claim_figure_png
    from thaadsim.report.parallel import draw

    jobs: dict[str, Callable[[], Any]] = {
        _claim_key(c): partial(claim_figure_png, c) for c in claims}
    jobs |= {"trajectories": partial(figure_trajectories, out),
             "map": partial(figure_map, out, fan=fan),
             "timeline": partial(figure_timeline, out),
             "view3d": partial(view_3d, out)}
    return draw(jobs, aside=[_claim_key(c) for c in claims], fork=fork)


@cache
def validation_section() -> str:
    """The validation table (:mod:`thaadsim.studies.validation`), computed once per version
    of thaadsim's code and catalog and kept in the user's cache
    (:func:`~thaadsim.studies.validation.cached_results`), with when it was computed."""
    from thaadsim.report.validation import validation_table_html
    from thaadsim.studies.validation import cached_results

    hit = cached_results()
    return render("validation_section.html.j2",
                  when=hit.computed_at.replace("T", " ").replace("+00:00", " UTC"),
                  key=hit.key[:12], from_cache=hit.from_cache,
                  table=Markup(validation_table_html(hit.value)))


def render_report(out: RunOutput, *, claims: Sequence[Claim] | None = None,
                  validation: bool = True) -> str:
    """The report's HTML as a string (:func:`write_report` writes it); ``validation`` adds
    the table of the model against the published figures (about half a minute)."""
    from thaadsim import __version__

    if claims is None:
        from thaadsim.studies.claims import check_claims

        with stage("claims"):
            claims = check_claims(out, quick=False)
    fan, rcs = radar_fan(out)
    figures = draw_figures(out, claims, (fan, rcs))
    summary = out.summary()
    lo_km, hi_km = out.band_m[0] / 1e3, out.band_m[1] / 1e3
    return render(
        "report.html.j2",
        version=__version__,
        title=out.name or "thaadsim run",
        description=out.description,
        css=Markup(static_text("report.css")),
        n_threats=len(out.raid),
        batteries=", ".join(f"{b.name} ({b.inventory} {b.interceptor.slug} interceptors)"
                            for b in out.defense.batteries),
        radar="; ".join(f"AN/TPY-2 in {s.mode} mode at {s.emplacement.name or s.name}"
                        for s in out.defense.sensors),
        alt=_ALT,
        radar_mode=_first_sensor(out).mode,
        boresight=f"{_first_sensor(out).emplacement.boresight_deg:.0f}",
        doctrine=out.defense.doctrine,
        trials=out.trials,
        seed=out.seed,
        band=f"{lo_km:g}-{hi_km:g} km",
        cards=headline(out, summary),
        claims=_claim_context(claims, figures),
        rows=threat_rows(out),
        fmt=_fmt,
        pct=lambda x: f"{x:.0%}",
        reasons="; ".join(f"{r or 'n/a'}: {c}" for r, c in summary["reasons"].items()),
        fig_trajectories=png_data_uri(figures["trajectories"]),
        fig_map=png_data_uri(figures["map"]),
        fan_rcs=f"{rcs:g}",
        fan_alt_km=f"{FAN_ALT_M / 1e3:g}",
        fig_timeline=png_data_uri(figures["timeline"]),
        view3d=Markup(figures["view3d"]),
        sources=sources(out),
        scenario_text=out.scenario_text,
        validation=Markup(validation_section()) if validation else "",
    )


def write_report(out: RunOutput, path: str | Path, *, claims: Sequence[Claim] | None = None,
                 validation: bool = True) -> Path:
    """Write the run's self-contained HTML report to ``path`` and return the path.

    ``claims`` are :class:`thaadsim.studies.claims.Claim` results (their figures drawn by
    :mod:`thaadsim.report.claim_figures`); by default
    :func:`thaadsim.studies.claims.check_claims` checks them against this run.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with stage("report"):
        return write_text(path, render_report(out, claims=claims, validation=validation),
                          ".html")


__all__ = ["draw_figures", "figure_map", "figure_timeline", "figure_trajectories", "headline",
           "png_data_uri", "radar_fan", "render_report", "sources", "threat_rows", "view_3d",
           "write_report"]
