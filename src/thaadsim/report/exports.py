"""Exports of a run: tidy tables (Parquet), a summary (JSON), CZML for Cesium, KML for Google Earth.

Each function takes a :class:`~thaadsim.run.RunOutput` and a target path, writes only there
and returns what it wrote; nothing is downloaded. :func:`write_exports` lays out a run's
directory::

    DIR/results/threats.parquet   one row per trial and threat   (RunOutput.threats_frame)
    DIR/results/shots.parquet     one row per interceptor fired  (RunOutput.shots_frame)
    DIR/results/tracks.parquet    one row per threat per second  (tracks_frame)
    DIR/results/summary.json      headline figures, provenance   (RunOutput.summary)
    DIR/results/claims.json       the claims check as data       (claims_records)
    DIR/scenario.czml             trajectories, sites, intercepts, animated (Cesium)
    DIR/scenario.kml              the same, static (Google Earth)

Time. A simulation counts seconds from the start of the raid; CZML needs calendar times, so
the raid's t = 0 is put at :data:`EPOCH` (2017-01-01T00:00:00Z, an arbitrary date: the
year THAAD was deployed at Seongju) unless another is given. Every time-tagged CZML value
carries this epoch, so a sample's time is its simulation time in seconds.

Intercepts. The threats fly the same trajectory in every trial; the shots differ. The CZML
and the KML draw the intercepts of trial 0 only (the tables hold every trial). An intercept
point is where the threat is at the intercept time (its ground track interpolated), at the
intercept altitude of the shot; the interceptor's own flight is not drawn.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import math
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from thaadsim.jsonsafe import json_safe
from thaadsim.run import RunOutput, ThreatTrack
from thaadsim.timing import stage

if TYPE_CHECKING:
    from thaadsim.studies.claims import Claim

EPOCH = dt.datetime(2017, 1, 1, tzinfo=dt.UTC)
"""The calendar time of the raid's t = 0 in CZML (module docstring)."""

# Colours as RGBA, 0-255.
_RED = [230, 40, 40, 255]
_ORANGE = [255, 150, 30, 255]
_YELLOW = [255, 220, 40, 255]
_BLUE = [60, 120, 255, 255]
_CYAN = [40, 220, 230, 255]
_GREEN = [40, 200, 80, 255]
_WHITE = [255, 255, 255, 255]
_MAGENTA = [230, 60, 230, 255]

KML_FOLDERS = ("Trajectories", "Launch and aim points", "Batteries", "Radar",
               "Defended assets", "Intercepts (trial 0)")
"""The KML document's folders, in order."""


# --------------------------------------------------------------------------------------------
# Text
# --------------------------------------------------------------------------------------------

_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
"""What XML 1.0 forbids in a document (its production ``Char``): most C0 controls, lone
surrogates, U+FFFE and U+FFFF."""


def xml_text(text: str) -> str:
    """``text`` with every character that XML 1.0 forbids written as its escape
    (``\\x1b``, ``\\ud800``): a name the scenario accepts always exports, and one given
    through the Python API that holds such a character still does, visibly."""
    return _NOT_XML.sub(lambda m: ascii(m.group())[1:-1], text)


# --------------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------------


def tracks_frame(out: RunOutput) -> Any:
    """Each threat's flight as a pandas DataFrame, one row per threat per sample (1 s).

    Columns: ``threat`` (index in the raid), ``missile``, ``group``, ``t_s`` (from the start
    of the raid), ``lat_deg``, ``lon_deg``, ``alt_km``, ``ground_range_km`` (along the ground
    from the launch point).
    """
    import pandas as pd

    tracks = out.tracks
    sizes = [tr.t_s.size for tr in tracks]

    def cat(attr: str, scale: float = 1.0) -> npt.NDArray[np.float64]:
        if not tracks:
            return np.zeros(0)
        return np.concatenate([getattr(tr, attr) for tr in tracks]) * scale

    return pd.DataFrame({
        "threat": np.repeat(np.array([tr.index for tr in tracks], dtype=np.int64), sizes),
        "missile": np.repeat(np.array([tr.missile for tr in tracks], dtype=str), sizes),
        "group": np.repeat(np.array([tr.group for tr in tracks], dtype=str), sizes),
        "t_s": cat("t_s"),
        "lat_deg": cat("lat_deg"),
        "lon_deg": cat("lon_deg"),
        "alt_km": cat("alt_m", 1e-3),
        "ground_range_km": cat("ground_range_m", 1e-3),
    })


def write_tables(out: RunOutput, folder: str | Path) -> list[Path]:
    """Write ``threats.parquet``, ``shots.parquet``, ``tracks.parquet`` and ``summary.json``.

    The Parquet files are written by pyarrow without the pandas index, so reading one back
    with ``pandas.read_parquet`` gives the frame again (:meth:`RunOutput.threats_frame`,
    :meth:`RunOutput.shots_frame`, :func:`tracks_frame`). ``summary.json`` is
    :meth:`RunOutput.summary` with NaN and infinities written as null: the headline figures
    with their 95% intervals and the provenance (thaadsim version, scenario SHA-256, seed,
    trials, versions of the numerical dependencies). Returns the paths.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in (("threats", out.threats_frame()), ("shots", out.shots_frame()),
                        ("tracks", tracks_frame(out))):
        path = folder / f"{name}.parquet"
        frame.to_parquet(path, engine="pyarrow", index=False)
        written.append(path)
    path = folder / "summary.json"
    path.write_text(json.dumps(json_safe(out.summary()), indent=2, allow_nan=False) + "\n",
                    encoding="utf-8")
    written.append(path)
    return written


# --------------------------------------------------------------------------------------------
# Intercept points (shared by CZML and KML)
# --------------------------------------------------------------------------------------------


def _track_at(track: ThreatTrack, t_s: float) -> tuple[float, float]:
    """(lat, lon) of a threat at ``t_s``, linear between its 1 s samples."""
    lon_unwrapped = np.rad2deg(np.unwrap(np.deg2rad(track.lon_deg)))
    lat = float(np.interp(t_s, track.t_s, track.lat_deg))
    lon = float(np.interp(t_s, track.t_s, lon_unwrapped))
    return lat, (lon + 180.0) % 360.0 - 180.0


def intercepts(out: RunOutput, trial: int = 0) -> list[dict[str, Any]]:
    """The shots of one trial with a finite intercept time, in order of intercept time.

    Each is a dict: ``threat``, ``missile``, ``battery`` (slug), ``shot``, ``launch_s``,
    ``intercept_s``, ``lat_deg``, ``lon_deg``, ``alt_m``, ``p_kill``, ``killed``.
    """
    shots = out.result.shots
    rows = np.flatnonzero((shots["trial"] == trial) & np.isfinite(shots["intercept_s"]))
    rows = rows[np.argsort(shots["intercept_s"][rows], kind="stable")]
    found = []
    for r in rows:
        i = int(shots["threat"][r])
        t = float(shots["intercept_s"][r])
        lat, lon = _track_at(out.tracks[i], t)
        found.append({
            "threat": i, "missile": out.tracks[i].missile,
            "battery": out.defense.batteries[int(shots["battery"][r])].slug,
            "shot": int(shots["shot"][r]), "launch_s": float(shots["launch_s"][r]),
            "intercept_s": t, "lat_deg": lat, "lon_deg": lon,
            "alt_m": float(shots["intercept_alt_m"][r]), "p_kill": float(shots["p_kill"][r]),
            "killed": bool(shots["killed"][r]),
        })
    return found


def _km(x_m: float) -> str:
    return "n/a" if not math.isfinite(x_m) else f"{x_m / 1e3:.1f} km"


def _sec(t_s: float) -> str:
    return "never" if not math.isfinite(t_s) else f"{t_s:.0f} s"


def _threat_html(out: RunOutput, tr: ThreatTrack) -> str:
    lo, hi = out.band_m
    return (f"<p>{html.escape(tr.missile)} (group {html.escape(tr.group)}), launched at "
            f"t = {tr.launch_t_s:.0f} s from {tr.launch_lat_deg:.3f}, {tr.launch_lon_deg:.3f}"
            f" at {tr.aim_lat_deg:.3f}, {tr.aim_lon_deg:.3f}.</p>"
            f"<p>Apogee {_km(tr.apogee_m)}; impact at t = {tr.impact_t_s:.0f} s "
            f"({tr.impact_lat_deg:.3f}, {tr.impact_lon_deg:.3f}).<br>"
            f"In the {lo / 1e3:.0f}-{hi / 1e3:.0f} km band from {_sec(tr.band_entry_s)} to "
            f"{_sec(tr.band_exit_s)} ({tr.time_in_band_s:.0f} s).</p>")


def _intercept_html(s: Mapping[str, Any]) -> str:
    return (f"<p>Trial 0: {html.escape(s['battery'])} shot {s['shot']} at threat "
            f"{s['threat']} ({html.escape(s['missile'])}), launched t = {s['launch_s']:.0f} s, "
            f"intercept t = {s['intercept_s']:.0f} s at {_km(s['alt_m'])}; P(kill) "
            f"{s['p_kill']:.2f}: {'killed' if s['killed'] else 'missed'}.</p>")


# --------------------------------------------------------------------------------------------
# CZML
# --------------------------------------------------------------------------------------------


def _at(epoch: dt.datetime, t_s: float) -> dt.datetime:
    return epoch + dt.timedelta(seconds=float(t_s))


def _czml_samples(tr: ThreatTrack) -> list[float]:
    """``[t, lon, lat, h, t, lon, lat, h, ...]``, rounded (1 ms, ~0.1 m, 0.1 m)."""
    table = np.column_stack([np.round(tr.t_s, 3), np.round(tr.lon_deg, 6),
                             np.round(tr.lat_deg, 6), np.round(tr.alt_m, 1)])
    return [float(v) for v in table.ravel()]


def write_czml(out: RunOutput, path: str | Path, *, epoch: dt.datetime = EPOCH) -> Path:
    """Write the run as a CZML document (compact JSON) for Cesium.

    Packets, by ``id``:

    - ``document``: name, version and a clock from the first launch to the last impact
      (times as ``epoch`` + simulation seconds; module docstring), looping at 10x.
    - ``threat/{i}``: each threat's flight, time-tagged cartographic positions (one per
      track sample, seconds from ``epoch``, Lagrange-interpolated), drawn as a moving
      point with its path; available from launch to impact.
    - ``launch/{i}``, ``aim/{i}``: each threat's launch and aim points.
    - ``battery/{slug}``: each battery's site.
    - ``radar``: the radar that tracks for the defense.
    - ``asset/{k}``: each defended asset, with its radius as a translucent ellipse.
    - ``intercept/{k}``: trial 0's intercepts in time order (:func:`intercepts`), each a
      point that appears at its intercept time, green if it killed, magenta if it missed.
    """
    from czml3 import Clock, Color, Document, Label, Packet, Point, Position
    from czml3 import Path as CzmlPath
    from czml3.enums import ClockRanges, ClockSteps, InterpolationAlgorithms, LabelStyles
    from czml3.properties import Ellipse, Material, PolylineMaterial, SolidColorMaterial
    from czml3.types import Cartesian2Value, TimeInterval

    path_out = Path(path)
    tracks = out.tracks
    t0 = min((float(tr.t_s[0]) for tr in tracks), default=0.0)
    t1 = max((float(tr.t_s[-1]) for tr in tracks), default=t0 + 1.0)
    start, stop = _at(epoch, t0), _at(epoch, max(t1, t0 + 1.0))

    def label(text: str, rgba: list[int]) -> Label:
        return Label(text=xml_text(text), font="12pt sans-serif",
                     style=LabelStyles.FILL_AND_OUTLINE, fillColor=Color(rgba=rgba),
                     outlineColor=Color(rgba=[0, 0, 0, 255]), outlineWidth=2,
                     pixelOffset=Cartesian2Value(values=[8, -8]))

    def site(pid: str, name: str, lat: float, lon: float, alt: float, rgba: list[int],
             description: str, size: float = 10.0, **extra: Any) -> Packet:
        return Packet(id=pid, name=xml_text(name), description=xml_text(description),
                      position=Position(cartographicDegrees=[lon, lat, alt]),
                      point=Point(pixelSize=size, color=Color(rgba=rgba),
                                  outlineColor=Color(rgba=_WHITE), outlineWidth=1),
                      label=label(name, rgba), **extra)

    packets = [Packet(id="document", name=xml_text(out.name or "thaadsim run"), version="1.0",
                      description=xml_text(html.escape(out.description)) or None,
                      clock=Clock(interval=TimeInterval(start=start, end=stop),
                                  currentTime=start, multiplier=10.0,
                                  range=ClockRanges.LOOP_STOP,
                                  step=ClockSteps.SYSTEM_CLOCK_MULTIPLIER))]

    for tr in tracks:
        flight = float(tr.t_s[-1] - tr.t_s[0])
        packets.append(Packet(
            id=f"threat/{tr.index}", name=xml_text(f"{tr.missile} #{tr.index}"),
            description=xml_text(_threat_html(out, tr)),
            availability=TimeInterval(start=_at(epoch, tr.t_s[0]), end=_at(epoch, tr.t_s[-1])),
            position=Position(epoch=epoch, cartographicDegrees=_czml_samples(tr),
                              interpolationAlgorithm=InterpolationAlgorithms.LAGRANGE,
                              interpolationDegree=5),
            point=Point(pixelSize=7, color=Color(rgba=_RED),
                        outlineColor=Color(rgba=_WHITE), outlineWidth=1),
            path=CzmlPath(width=2, leadTime=0, trailTime=flight + 1.0, resolution=1,
                      material=PolylineMaterial(solidColor=SolidColorMaterial(
                          color=Color(rgba=_RED)))),
        ))
    for tr in tracks:
        packets.append(site(f"launch/{tr.index}", f"launch #{tr.index}", tr.launch_lat_deg,
                            tr.launch_lon_deg, 0.0, _ORANGE,
                            f"<p>Launch of threat {tr.index} ({html.escape(tr.missile)}) at "
                            f"t = {tr.launch_t_s:.0f} s.</p>", size=8))
        packets.append(site(f"aim/{tr.index}", f"aim #{tr.index}", tr.aim_lat_deg,
                            tr.aim_lon_deg, 0.0, _YELLOW,
                            f"<p>Aim point of threat {tr.index} ({html.escape(tr.missile)}); "
                            f"impact at {tr.impact_lat_deg:.3f}, {tr.impact_lon_deg:.3f}, "
                            f"t = {tr.impact_t_s:.0f} s.</p>", size=8))
    for bat in out.defense.batteries:
        packets.append(site(xml_text(f"battery/{bat.slug}"), bat.name or bat.slug, bat.site.lat_deg,
                            bat.site.lon_deg, bat.site.alt_m, _BLUE,
                            f"<p>Battery {html.escape(bat.slug)} at "
                            f"{html.escape(bat.site.name)}: "
                            f"{html.escape(bat.interceptor.slug)}, "
                            f"{bat.launchers} launchers, {bat.inventory} interceptors, "
                            f"{bat.fire_channels} fire channels.</p>", size=12))
    for k, sensor in enumerate(out.defense.sensors):
        radar = sensor.emplacement
        packets.append(site("radar" if k == 0 else xml_text(f"sensor/{sensor.name}"),
                            radar.name or sensor.name, radar.lat_deg, radar.lon_deg,
                            radar.alt_m, _CYAN,
                            f"<p>Sensor {html.escape(sensor.name)}: radar "
                            f"({html.escape(sensor.mode)} mode), boresight "
                            f"{radar.boresight_deg:.1f} deg.</p>", size=9))
    for k, asset in enumerate(out.defense.assets):
        packets.append(site(
            f"asset/{k}", asset.name, asset.lat_deg, asset.lon_deg, 0.0, _GREEN,
            f"<p>Defended asset {html.escape(asset.name)}, radius {_km(asset.radius_m)}.</p>",
            ellipse=Ellipse(semiMajorAxis=asset.radius_m, semiMinorAxis=asset.radius_m,
                            material=Material(solidColor=SolidColorMaterial(
                                color=Color(rgba=[*_GREEN[:3], 60]))),
                            outline=True, outlineColor=Color(rgba=_GREEN))))
    for k, s in enumerate(intercepts(out, trial=0)):
        rgba = _GREEN if s["killed"] else _MAGENTA
        packets.append(Packet(
            id=f"intercept/{k}", name=f"intercept {k} (threat {s['threat']})",
            description=xml_text(_intercept_html(s)),
            availability=TimeInterval(start=_at(epoch, s["intercept_s"]), end=stop),
            position=Position(cartographicDegrees=[round(s["lon_deg"], 6),
                                                   round(s["lat_deg"], 6),
                                                   round(s["alt_m"], 1)]),
            point=Point(pixelSize=12, color=Color(rgba=rgba),
                        outlineColor=Color(rgba=_WHITE), outlineWidth=2),
        ))

    Document(packets=packets).save(path_out, indent=None)
    return path_out


# --------------------------------------------------------------------------------------------
# KML
# --------------------------------------------------------------------------------------------


def _kml_color(rgba: Sequence[int]) -> str:
    """KML's colour order: aabbggrr, hex."""
    r, g, b, a = rgba
    return f"{a:02x}{b:02x}{g:02x}{r:02x}"


def write_kml(out: RunOutput, path: str | Path) -> Path:
    """Write the run as KML for Google Earth (static: no time).

    Folders (:data:`KML_FOLDERS`): ``Trajectories`` (one extruded LineString per threat, at
    absolute altitude), ``Launch and aim points`` (two Points per threat), ``Batteries``,
    ``Radar``, ``Defended assets`` (Points), ``Intercepts (trial 0)`` (a Point per intercept
    at its altitude, green if it killed, magenta if it missed).
    """
    import simplekml

    path_out = Path(path)
    kml = simplekml.Kml(name=xml_text(out.name or "thaadsim run"))
    if out.description:
        kml.document.description = xml_text(out.description)
    folders = {name: kml.newfolder(name=name) for name in KML_FOLDERS}

    def point(folder: str, name: str, lat: float, lon: float, rgba: Sequence[int],
              description: str, alt_m: float | None = None, scale: float = 1.0) -> None:
        if alt_m is None:
            pnt = folders[folder].newpoint(name=xml_text(name), coords=[(lon, lat)])
        else:
            pnt = folders[folder].newpoint(name=xml_text(name), coords=[(lon, lat, alt_m)])
            pnt.altitudemode = simplekml.AltitudeMode.absolute
        pnt.description = xml_text(description)
        pnt.style.iconstyle.color = _kml_color(rgba)
        pnt.style.iconstyle.scale = scale
        pnt.style.iconstyle.icon.href = (
            "http://maps.google.com/mapfiles/kml/shapes/placemark_circle.png")

    for tr in out.tracks:
        coords = list(zip(np.round(tr.lon_deg, 6).tolist(), np.round(tr.lat_deg, 6).tolist(),
                          np.round(tr.alt_m, 1).tolist(), strict=True))
        line = folders["Trajectories"].newlinestring(name=xml_text(f"{tr.missile} #{tr.index}"),
                                                     coords=coords)
        line.description = xml_text(_threat_html(out, tr))
        line.altitudemode = simplekml.AltitudeMode.absolute
        line.extrude = 1
        line.style.linestyle.color = _kml_color(_RED)
        line.style.linestyle.width = 2
        line.style.polystyle.color = _kml_color([*_RED[:3], 50])
    for tr in out.tracks:
        point("Launch and aim points", f"launch #{tr.index}", tr.launch_lat_deg,
              tr.launch_lon_deg, _ORANGE,
              f"Launch of threat {tr.index} ({tr.missile}) at t = {tr.launch_t_s:.0f} s")
        point("Launch and aim points", f"aim #{tr.index}", tr.aim_lat_deg, tr.aim_lon_deg,
              _YELLOW, f"Aim point of threat {tr.index} ({tr.missile}); impact at "
              f"{tr.impact_lat_deg:.3f}, {tr.impact_lon_deg:.3f}, t = {tr.impact_t_s:.0f} s")
    for bat in out.defense.batteries:
        point("Batteries", bat.name or bat.slug, bat.site.lat_deg, bat.site.lon_deg, _BLUE,
              f"Battery {bat.slug} at {bat.site.name}: {bat.interceptor.slug}, {bat.launchers} "
              f"launchers, {bat.inventory} interceptors, {bat.fire_channels} fire channels",
              scale=1.3)
    for sensor in out.defense.sensors:
        radar = sensor.emplacement
        point("Radar", radar.name or sensor.name, radar.lat_deg, radar.lon_deg, _CYAN,
              f"Sensor {sensor.name}: radar ({sensor.mode} mode), boresight "
              f"{radar.boresight_deg:.1f} deg")
    for asset in out.defense.assets:
        point("Defended assets", asset.name, asset.lat_deg, asset.lon_deg, _GREEN,
              f"Defended asset {asset.name}, radius {_km(asset.radius_m)}")
    for k, s in enumerate(intercepts(out, trial=0)):
        point("Intercepts (trial 0)", f"intercept {k} (threat {s['threat']})", s["lat_deg"],
              s["lon_deg"], _GREEN if s["killed"] else _MAGENTA, _intercept_html(s),
              alt_m=s["alt_m"], scale=1.2)

    kml.save(str(path_out))
    return path_out


# --------------------------------------------------------------------------------------------
# All of it
# --------------------------------------------------------------------------------------------


def write_claims(claims: Sequence[Claim], path: str | Path) -> Path:
    """Write the claims check as data (``claims.json``): a JSON list, one object per claim,
    :func:`thaadsim.studies.claims.claims_records` (the serialiser ``thaadsim run --json``
    uses too)."""
    from thaadsim.studies.claims import claims_records

    path = Path(path)
    path.write_text(json.dumps(json_safe(claims_records(claims)), indent=2, allow_nan=False)
                    + "\n", encoding="utf-8")
    return path


def write_exports(out: RunOutput, directory: str | Path, *,
                  epoch: dt.datetime = EPOCH) -> dict[str, Path]:
    """Write the tables into ``directory/results/`` and ``scenario.czml``, ``scenario.kml``
    into ``directory`` (module docstring). Returns the paths by name (``threats``,
    ``shots``, ``tracks``, ``summary``, ``czml``, ``kml``); ``results/claims.json`` is
    :func:`write_claims`'s (the report folder writes it with the report's claims)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    with stage("exports"):
        paths = {p.stem: p for p in write_tables(out, directory / "results")}
        paths["czml"] = write_czml(out, directory / "scenario.czml", epoch=epoch)
        paths["kml"] = write_kml(out, directory / "scenario.kml")
    return paths
