"""The surveillance study: which radar sees which missile in flight, when, for how long, how
well (issue 15 part 4; the question behind China's objection to the Seongju radar).

:func:`surveil` flies one missile from a launch point to a target and runs each sensor's
detection chain on it (:func:`thaadsim.systems.detection.simulate_detection`: search fence
and cued acquisition, M-of-N confirmation, the ballistic tracking filter, each sensor on its
own random stream), for two objects:

* the **body**: the booster in powered flight, then the spent last stage and post-boost
  vehicle flying on near the same path (``body_rcs_m2``, ~1 m2);
* the **warhead** after separation (``warhead_rcs_m2``, ~0.01 m2): the first RV leaves at
  the last stage's burnout and follows the recorded ballistic path (a MIRV bus releases the
  others over the post-boost window, each on a path within tens of km of this one, not
  modelled). It exists only from burnout, and its cue is the launch's (the early warning's
  delay counted from launch, not from its release).

Both RCS figures are assumptions with their ranges (``thaadsim/data/surveillance.yaml``),
as is each missile's post-boost (deployment) window.

**The track window** of an object runs from its confirmation (M of N, the chain's
``confirmed_s``: ``track_start_s``) to the last track look of the run of looks from there
in which the object is *held*: inside the face, above the refracted horizon, within the
mode's instrumented range and bright enough that a track dwell detects it at least half
the time (:data:`HOLD_PD`; a filter coasts through isolated misses, not through a run of
them). The first look that fails ends it (``track_end_s``), as does the impact.
**Impact sigma** is the spread of the impact point predicted from the track's state when
the track ends (:func:`thaadsim.systems.tracking.predict_impact`, unscented, with drag),
with the track's position and velocity uncertainties at its last look
(:class:`thaadsim.systems.detection.Timeline`'s ``position_sigma_m`` and
``velocity_sigma_mps``) taken as isotropic and uncorrelated about the true state: an
approximation (the filter's full covariance is not kept past the firm look). At the firm
look, where the chain predicts from its full covariance, it gives 0.82-0.93 of the chain's
spread on three DF-41 corridors to Guam (tested within 25%): it understates a little.
``saw_deployment``: the body's track window overlaps the post-boost window.

:func:`surveil_corridors` runs :func:`surveil` over every (launch, target) pair, one
independent seed stream each. Studies return data; ``thaadsim.report.surveil`` draws.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
import numpy.typing as npt

from thaadsim.errors import CatalogError, InputError, UnreachableError
from thaadsim.limits import check
from thaadsim.physics.geodesy import ecef_to_geodetic, geodesic_direct, geodetic_to_ecef
from thaadsim.systems import tracking
from thaadsim.systems.catalog import Figure, Missile, Site, _figure, _read_yaml, get_site
from thaadsim.systems.detection import (
    Cue,
    Truth,
    cue_delay_s,
    simulate_detection,
    truth_at,
    truth_from_flight,
)
from thaadsim.systems.radar import look
from thaadsim.systems.sensors import EarlyWarning, Sensor
from thaadsim.systems.threat import as_missile, fly_threat

FloatArray = npt.NDArray[np.float64]

_PARAMS = tracking.TrackerParams()

HOLD_PD = 0.5
"""A track is held while a track dwell would detect the object at least this often
(assumption: a filter coasts through isolated misses, not through a run of them; 0.3-0.7
moves a track's end by the few looks over which the SNR falls through it)."""


# --------------------------------------------------------------------------------------------
# The study's catalog (data/surveillance.yaml)
# --------------------------------------------------------------------------------------------


@cache
def _catalog() -> tuple[Mapping[str, Any], str]:
    return _read_yaml("surveillance.yaml", None)


def post_boost_figure(missile: str) -> Figure:
    """How long after burnout ``missile`` releases its warheads (and decoys), s, with its
    provenance: the catalog's entry, or the default single-RV figure."""
    raw, name = _catalog()
    entries = raw.get("deployment", {})
    if not isinstance(entries, Mapping):
        raise CatalogError(f"{name}: deployment: expected a mapping of missile slugs")
    entry = entries.get(missile)
    if entry is None:
        return _figure(raw.get("default_post_boost_s"), f"{name}: default_post_boost_s")
    if not isinstance(entry, Mapping):
        raise CatalogError(f"{name}: deployment.{missile}: expected a mapping with post_boost_s")
    fig = _figure(entry.get("post_boost_s"), f"{name}: deployment.{missile}.post_boost_s")
    if not fig.value >= 0.0:
        raise CatalogError(f"{name}: deployment.{missile}.post_boost_s: {fig.value!r} must "
                           "be 0 or more (seconds)")
    return fig


def rcs_figure(what: str) -> Figure:
    """The assumed radar cross-section of ``what`` (``'body'`` or ``'warhead'``), m2."""
    if what not in ("body", "warhead"):
        raise InputError(f"rcs: {what!r} is not one of body, warhead")
    raw, name = _catalog()
    return _figure(raw.get(f"{what}_rcs_m2"), f"{name}: {what}_rcs_m2")


def _site_list(key: str) -> tuple[str, ...]:
    raw, name = _catalog()
    slugs = raw.get(key)
    if not isinstance(slugs, list) or not slugs:
        raise CatalogError(f"{name}: {key}: expected a list of sites.yaml slugs")
    for slug in slugs:
        get_site(str(slug))  # an unknown site is a catalog error, named
    return tuple(str(s) for s in slugs)


def china_launch_areas() -> tuple[str, ...]:
    """The catalog's launch areas of China (silo fields and brigade garrisons), site slugs."""
    return _site_list("china_launch_areas")


def us_targets() -> tuple[str, ...]:
    """The catalog's targets in the United States (cities, Guam's Andersen AFB), slugs."""
    return _site_list("us_targets")


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ObjectTrack:
    """What one sensor made of one object (NaN: never)."""

    detected: bool
    first_detection_s: float
    track_start_s: float
    """Confirmation (M of N looks), if the object is held there (NaN: no track)."""
    track_end_s: float
    """The last look at which the object was held (module docstring)."""
    track_s: float
    """``track_end_s - track_start_s``; 0 where never confirmed."""
    first_detection_range_km: float
    first_detection_alt_km: float
    firm_track_s: float
    impact_sigma_km: float
    """Predicted-impact spread when the track ends (module docstring)."""

    @classmethod
    def never(cls) -> ObjectTrack:
        nan = float("nan")
        return cls(detected=False, first_detection_s=nan, track_start_s=nan,
                   track_end_s=nan, track_s=0.0, first_detection_range_km=nan,
                   first_detection_alt_km=nan, firm_track_s=nan, impact_sigma_km=nan)


@dataclass(frozen=True, kw_only=True)
class SensorPass:
    """One sensor's row: the body (the missile) and the warhead after separation."""

    sensor: str
    site: str
    mode: str
    boresight_deg: float
    instrumented_range_km: float
    body: ObjectTrack
    warhead: ObjectTrack
    saw_deployment: bool
    """The body's track window overlaps the post-boost window."""

    def row(self) -> dict[str, Any]:
        """The JSON row: the body's figures under their own names, the warhead's prefixed
        ``warhead_``."""
        out: dict[str, Any] = {"sensor": self.sensor, "site": self.site, "mode": self.mode,
                               "boresight_deg": self.boresight_deg,
                               "instrumented_range_km": self.instrumented_range_km}
        out |= dataclasses.asdict(self.body)
        out["saw_deployment"] = self.saw_deployment
        out |= {f"warhead_{k}": v for k, v in dataclasses.asdict(self.warhead).items()}
        return out


@dataclass(frozen=True, kw_only=True)
class Surveillance:
    """One missile's flight and what each sensor saw of it (:func:`surveil`)."""

    missile: str
    shape: str
    launch_lat_deg: float
    launch_lon_deg: float
    target_lat_deg: float
    target_lon_deg: float
    range_km: float
    apogee_km: float
    flight_time_s: float
    burnout_s: float
    deployment_start_s: float
    deployment_end_s: float
    post_boost: Figure = field(repr=False)
    body_rcs_m2: float
    warhead_rcs_m2: float
    passes: tuple[SensorPass, ...]
    t_s: FloatArray = field(repr=False, compare=False)
    """The recorded flight (for the map): times, ground track, altitude."""
    lat_deg: FloatArray = field(repr=False, compare=False)
    lon_deg: FloatArray = field(repr=False, compare=False)
    alt_km: FloatArray = field(repr=False, compare=False)
    sensors: tuple[Sensor, ...] = field(repr=False, compare=False)

    def summary(self) -> dict[str, Any]:
        """The flight's figures (the JSON's top level, without the sensors)."""
        return {"missile": self.missile, "shape": self.shape,
                "launch_lat_deg": self.launch_lat_deg, "launch_lon_deg": self.launch_lon_deg,
                "target_lat_deg": self.target_lat_deg, "target_lon_deg": self.target_lon_deg,
                "range_km": self.range_km, "apogee_km": self.apogee_km,
                "flight_time_s": self.flight_time_s, "burnout_s": self.burnout_s,
                "deployment_start_s": self.deployment_start_s,
                "deployment_end_s": self.deployment_end_s,
                "post_boost_provenance": self.post_boost.provenance,
                "body_rcs_m2": self.body_rcs_m2, "warhead_rcs_m2": self.warhead_rcs_m2}


# --------------------------------------------------------------------------------------------
# One object, one sensor
# --------------------------------------------------------------------------------------------


def released(truth: Truth, release_t_s: float) -> Truth:
    """The object of ``truth`` that exists only from ``release_t_s`` on (a warhead after
    separation): the recorded steps before it are dropped (NaN)."""
    early = truth.t_s < release_t_s
    return dataclasses.replace(truth, t_s=np.where(early, np.nan, truth.t_s),
                               state=np.where(early[..., None], np.nan, truth.state))


def _cue_for(early_warning: Cue, launch_t_s: float, exists_t_s: float) -> EarlyWarning | None:
    """The cue of an object that exists from ``exists_t_s``: the launch's, counted from the
    launch (the chain counts the delay from the object's first recorded time)."""
    delay = cue_delay_s(early_warning)
    if delay is None:
        return None
    return EarlyWarning(cue_delay_s=max(0.0, launch_t_s + delay - exists_t_s),
                        name="the launch's cue")


def held_looks(truth: Truth, sensor: Sensor, look_t_s: FloatArray, rcs_m2: float
               ) -> npt.NDArray[np.bool_]:
    """Whether the object of ``truth`` (one row) is held at each track look ``look_t_s``
    (n,): visible to the face (:func:`~thaadsim.systems.radar.face_status`: horizon, sector,
    elevation, the mode's instrumented range) and detected by a track dwell with probability
    at least :data:`HOLD_PD`."""
    y = truth_at(truth, look_t_s[None, :])[0]
    alive = np.isfinite(y[:, 0])
    view = look(sensor.radar, sensor.emplacement, np.nan_to_num(y[:, :3]),
                np.nan_to_num(y[:, 3:]), rcs_m2, "track")
    return alive & view.visible & (view.pd >= HOLD_PD)


def track_window(look_t_s: FloatArray, held: npt.NDArray[np.bool_], start_s: float
                 ) -> tuple[float, int] | None:
    """The end of the track that starts at ``start_s`` (a look time): the last look of the
    run of held looks from there, and its index; None if the object is not held at the
    start (confirmed on looks it cannot keep: no track)."""
    j0 = int(np.argmin(np.abs(look_t_s - start_s)))
    if not held[j0]:
        return None
    lost = np.flatnonzero(~held[j0:])
    j_end = j0 + int(lost[0]) - 1 if lost.size else look_t_s.size - 1
    return float(look_t_s[j_end]), j_end


def impact_sigma_at(truth: Truth, t_s: float, position_sigma_m: float,
                    velocity_sigma_mps: float,
                    params: tracking.TrackerParams = _PARAMS) -> float:
    """Spread (square root of the larger eigenvalue of the east-north covariance) of the
    impact point predicted at ``t_s`` from the true state with isotropic, uncorrelated
    position and velocity errors of total sigma ``position_sigma_m`` and
    ``velocity_sigma_mps`` (each the root of a covariance's trace, so each axis has
    sigma/sqrt(3)); NaN if either is not finite or the prediction fails."""
    if not (np.isfinite(position_sigma_m) and np.isfinite(velocity_sigma_mps)):
        return float("nan")
    state = truth_at(truth, np.array([[t_s]]))[0]
    if not np.isfinite(state).all():
        return float("nan")
    cov = np.diag([position_sigma_m ** 2 / 3.0] * 3 + [velocity_sigma_mps ** 2 / 3.0] * 3)
    pred = tracking.predict_impact(state, cov[None], np.array([t_s]), truth.beta_kgm2[:1],
                                   params)
    if not bool(pred.ok[0]):
        return float("nan")
    return float(np.sqrt(np.linalg.eigvalsh(pred.cov_en_m2[0])[-1]))


def follow(truth: Truth, sensor: Sensor, rcs_m2: float, rng: np.random.Generator, *,
           early_warning: Cue = "catalog") -> ObjectTrack:
    """One object (one row of ``truth``) through ``sensor``'s detection chain
    (:func:`~thaadsim.systems.detection.simulate_detection`), with its track window and the
    impact spread when the track ends (module docstring)."""
    tl = simulate_detection(truth, sensor.radar, sensor.emplacement, rcs_m2, rng,
                            early_warning=early_warning)
    first = float(tl.first_detection_s[0])
    if not np.isfinite(first):
        return ObjectTrack.never()
    y = truth_at(truth, np.array([[first]]))[0, 0]
    site = geodetic_to_ecef(sensor.emplacement.lat_deg, sensor.emplacement.lon_deg,
                            sensor.emplacement.alt_m)
    range_km = float(np.linalg.norm(y[:3] - site)) / 1e3
    alt_km = float(ecef_to_geodetic(y[None, :3])[2][0]) / 1e3
    confirmed = float(tl.confirmed_s[0])
    nan = float("nan")
    start, end, sigma = nan, nan, nan
    window = None
    if np.isfinite(confirmed):
        ok = np.isfinite(tl.look_t_s[0])
        look_t = tl.look_t_s[0][ok]
        held = held_looks(truth, sensor, look_t, rcs_m2)
        window = track_window(look_t, held, confirmed)
    if np.isfinite(confirmed) and window is not None:
        start, (end, j_end) = confirmed, window
        pos = tl.position_sigma_m[0][ok][: j_end + 1]
        vel = tl.velocity_sigma_mps[0][ok][: j_end + 1]
        have = np.flatnonzero(np.isfinite(pos) & np.isfinite(vel))
        if have.size:
            j = int(have[-1])
            sigma = impact_sigma_at(truth, float(look_t[j]), float(pos[j]),
                                    float(vel[j])) / 1e3
    return ObjectTrack(detected=True, first_detection_s=first, track_start_s=start,
                       track_end_s=end, track_s=float(end - start) if np.isfinite(start) else 0.0,
                       first_detection_range_km=range_km, first_detection_alt_km=alt_km,
                       firm_track_s=float(tl.firm_track_s[0]), impact_sigma_km=sigma)


# --------------------------------------------------------------------------------------------
# The study
# --------------------------------------------------------------------------------------------


def _seed_sequence(seed: int | np.random.SeedSequence) -> np.random.SeedSequence:
    if isinstance(seed, np.random.SeedSequence):
        return seed
    check("seed", seed, "seed")
    return np.random.SeedSequence(int(seed))


def _latlon(place: Site | tuple[float, float], argument: str) -> tuple[float, float]:
    """A place as (lat_deg, lon_deg): a catalog :class:`Site` or the pair itself."""
    if isinstance(place, Site):
        return place.lat_deg, place.lon_deg
    try:
        lat, lon = (float(v) for v in place)
    except (TypeError, ValueError):
        raise InputError(f"{argument}: {str(place)[:40]!r} is neither a Site nor (lat_deg, "
                         "lon_deg)") from None
    return lat, lon


def surveil(missile: Missile | str, launch: Site | tuple[float, float],
            target: Site | tuple[float, float], sensors: Sequence[Sensor], *,
            body_rcs_m2: float | None = None, warhead_rcs_m2: float | None = None,
            seed: int | np.random.SeedSequence = 0,
            shape: str = "min-energy", apogee_km: float | None = None,
            post_boost_s: float | None = None, early_warning: Cue = "catalog"
            ) -> Surveillance:
    """Fly ``missile`` from ``launch`` to ``target`` (each a Site or (lat_deg, lon_deg)) and
    run each sensor's detection chain on its body and its warhead (module docstring).

    RCS and the post-boost window default to the catalog's assumptions
    (:func:`rcs_figure`, :func:`post_boost_figure`). Sensor ``k`` draws from the ``k``-th
    child of ``SeedSequence(seed)`` (its body from that child's first child, its warhead
    from the second), so adding a sensor does not change what the others see.

    Raises
    ------
    InputError
        No sensor, repeated sensor names, an RCS or seed outside its row of LIMITS.
    UnreachableError
        The missile cannot reach the target.
    """
    m = as_missile(missile)
    launch, target = _latlon(launch, "launch"), _latlon(target, "target")
    parts = list(sensors)
    if not parts:
        raise InputError("sensors: none given; give at least one Sensor")
    for i, s in enumerate(parts):
        if not isinstance(s, Sensor):
            raise InputError(f"sensors[{i}]: a {type(s).__name__} is not a Sensor")
    names = [s.name for s in parts]
    if len(set(names)) != len(names):
        raise InputError(f"sensors: names {names} repeat; give each sensor its own name")
    check("sensors", len(parts), "sensors")
    body_rcs = rcs_figure("body").value if body_rcs_m2 is None else float(body_rcs_m2)
    rv_rcs = rcs_figure("warhead").value if warhead_rcs_m2 is None else float(warhead_rcs_m2)
    check("rcs_m2", body_rcs, "body_rcs_m2")
    check("rcs_m2", rv_rcs, "warhead_rcs_m2")
    pb = post_boost_figure(m.slug)
    if post_boost_s is not None:
        check("post_boost_s", post_boost_s, "post_boost_s")
        pb = Figure(value=float(post_boost_s), assumption="given by the caller")
    seeds = _seed_sequence(seed).spawn(len(parts))

    tf = fly_threat(m, launch[0], launch[1], target[0], target[1], shape, apogee_km,
                    record=True)
    body = truth_from_flight(tf.flight, m.rocket.reentry_beta_kgm2)
    burnout = float(tf.burnout_t_s)
    warhead = released(body, burnout)
    launch_t = float(np.nanmin(body.t_s))
    exists_t = float(np.nanmin(warhead.t_s))
    rv_cue = _cue_for(early_warning, launch_t, exists_t)
    deploy = (burnout, burnout + pb.value)

    passes = []
    for sensor, child in zip(parts, seeds, strict=True):
        s_body, s_rv = child.spawn(2)
        b = follow(body, sensor, body_rcs, np.random.default_rng(s_body),
                   early_warning=early_warning)
        w = follow(warhead, sensor, rv_rcs, np.random.default_rng(s_rv), early_warning=rv_cue)
        saw = bool(np.isfinite(b.track_start_s) and b.track_start_s <= deploy[1]
                   and b.track_end_s >= deploy[0])
        passes.append(SensorPass(
            sensor=sensor.name, site=sensor.site or sensor.emplacement.name, mode=sensor.mode,
            boresight_deg=sensor.emplacement.boresight_deg,
            instrumented_range_km=sensor.radar.instrumented_range_m / 1e3, body=b, warhead=w,
            saw_deployment=saw))
    ok = np.isfinite(body.t_s[0])
    t = body.t_s[0][ok]
    order = np.argsort(t, kind="stable")
    lat, lon, alt = ecef_to_geodetic(body.state[0][ok][order][:, :3])
    return Surveillance(
        missile=m.slug, shape=shape, launch_lat_deg=float(launch[0]),
        launch_lon_deg=float(launch[1]), target_lat_deg=float(target[0]),
        target_lon_deg=float(target[1]), range_km=tf.range_m / 1e3,
        apogee_km=tf.apogee_alt_m / 1e3, flight_time_s=float(tf.flight_time_s),
        burnout_s=burnout, deployment_start_s=deploy[0], deployment_end_s=deploy[1],
        post_boost=pb, body_rcs_m2=body_rcs, warhead_rcs_m2=rv_rcs, passes=tuple(passes),
        t_s=t[order], lat_deg=np.asarray(lat), lon_deg=np.asarray(lon),
        alt_km=np.asarray(alt) / 1e3, sensors=tuple(parts))


@dataclass(frozen=True, kw_only=True)
class Corridor:
    """One (launch, target) pair of :func:`surveil_corridors`."""

    launch: str
    target: str
    result: Surveillance | None
    unreachable: str | None = None
    """Why the missile cannot fly this corridor (None: it can)."""


@dataclass(frozen=True, kw_only=True)
class Corridors:
    """Every corridor's surveillance (:func:`surveil_corridors`)."""

    missile: str
    corridors: tuple[Corridor, ...]
    sensors: tuple[str, ...]

    def table(self) -> list[dict[str, Any]]:
        """One row per corridor and sensor: ``launch``, ``target``, ``reachable``,
        ``range_km``, ``flight_time_s``, then the sensor's row (:meth:`SensorPass.row`);
        an unreachable corridor has one row per sensor with ``detected`` False and the
        ``reason``."""
        rows: list[dict[str, Any]] = []
        for c in self.corridors:
            if c.result is None:
                rows += [{"launch": c.launch, "target": c.target, "reachable": False,
                          "reason": c.unreachable, "sensor": s, "detected": False,
                          "track_s": 0.0} for s in self.sensors]
                continue
            head = {"launch": c.launch, "target": c.target, "reachable": True,
                    "range_km": c.result.range_km, "flight_time_s": c.result.flight_time_s}
            rows += [head | p.row() for p in c.result.passes]
        return rows

    def tracked_only_by(self, sensor: str, others: Sequence[str]) -> float:
        """Share of the reachable corridors in which ``sensor`` tracked the body and none of
        ``others`` did (what it adds to them); NaN with no reachable corridor."""
        def tracked(c: Corridor, name: str) -> bool:
            assert c.result is not None
            p = next(p for p in c.result.passes if p.sensor == name)
            return bool(np.isfinite(p.body.track_start_s))

        got = [tracked(c, sensor) and not any(tracked(c, o) for o in others)
               for c in self.corridors if c.result is not None]
        return float(np.mean(got)) if got else float("nan")

    def seen_fraction(self, sensor: str, what: str = "track") -> float:
        """Share of the reachable corridors in which ``sensor`` tracked the body
        (``what='track'``: a confirmed track), the warhead (``'warhead'``) or saw the
        post-boost window (``'deployment'``); NaN with no reachable corridor."""
        got = []
        for c in self.corridors:
            if c.result is None:
                continue
            p = next(p for p in c.result.passes if p.sensor == sensor)
            got.append({"track": np.isfinite(p.body.track_start_s),
                        "warhead": np.isfinite(p.warhead.track_start_s),
                        "deployment": p.saw_deployment}[what])
        return float(np.mean(got)) if got else float("nan")


Place = str | tuple[str, float, float]
"""A corridor's end: a catalog site's slug, or ``(name, lat_deg, lon_deg)``."""


def _named(place: Place) -> tuple[str, float, float]:
    if isinstance(place, str):
        site = get_site(place)
        return place, site.lat_deg, site.lon_deg
    name, lat, lon = place
    return str(name), float(lat), float(lon)


def surveil_corridors(missile: Missile | str, launches: Sequence[Place],
                      targets: Sequence[Place], sensors: Sequence[Sensor],
                      *, seed: int = 0, on_corridor: Callable[[int], None] | None = None,
                      **kw: Any) -> Corridors:
    """:func:`surveil` over every (launch, target) pair (each a site slug or ``(name,
    lat_deg, lon_deg)``; :func:`china_launch_areas` and :func:`us_targets` give the catalog's),
    corridor ``i`` (launch-major order) on the ``i``-th child of ``SeedSequence(seed)``;
    a corridor the missile cannot fly is kept with its reason. ``on_corridor(1)`` is
    called after each (a progress bar's advance); ``kw`` goes to :func:`surveil`."""
    m = as_missile(missile)
    pairs = [(_named(a), _named(b)) for a in launches for b in targets]
    check("corridors", len(pairs), "corridors (launches x targets)")
    seeds = _seed_sequence(seed).spawn(len(pairs))
    out = []
    for (a, b), child in zip(pairs, seeds, strict=True):
        try:
            res = surveil(m, (a[1], a[2]), (b[1], b[2]), sensors, seed=child, **kw)
            out.append(Corridor(launch=a[0], target=b[0], result=res))
        except UnreachableError as exc:
            out.append(Corridor(launch=a[0], target=b[0], result=None, unreachable=str(exc)))
        if on_corridor is not None:
            on_corridor(1)
    return Corridors(missile=m.slug, corridors=tuple(out),
                     sensors=tuple(s.name for s in sensors))


def fan_outline(sensor: Sensor, range_m: float | None = None, n: int = 61
                ) -> tuple[FloatArray, FloatArray]:
    """The ground outline (lon_deg, lat_deg) of ``sensor``'s coverage fan: from the site
    along the face's edges (boresight +- the scan half-width) out to ``range_m`` (the mode's
    instrumented range by default) and back, the arc between them a geodesic circle."""
    emp, radar = sensor.emplacement, sensor.radar
    reach = radar.instrumented_range_m if range_m is None else float(range_m)
    az = emp.boresight_deg + np.linspace(-radar.scan_half_width_deg,
                                         radar.scan_half_width_deg, n)
    lat, lon, _ = geodesic_direct(np.full(n, emp.lat_deg), np.full(n, emp.lon_deg),
                                  az % 360.0, np.full(n, reach))
    return (np.concatenate([[emp.lon_deg], np.asarray(lon), [emp.lon_deg]]),
            np.concatenate([[emp.lat_deg], np.asarray(lat), [emp.lat_deg]]))


__all__ = ["HOLD_PD", "Corridor", "Corridors", "ObjectTrack", "SensorPass", "Surveillance",
           "china_launch_areas", "fan_outline", "follow", "post_boost_figure", "rcs_figure",
           "surveil", "surveil_corridors", "us_targets"]
