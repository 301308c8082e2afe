r"""The defended footprint: the aim points whose incoming threat a battery can intercept.

For a battery at a site, a threat type and a launch point, every aim point of a grid over
the region around the battery gets the number of shoot-look-shoot *shot opportunities*
the battery has against a missile launched at it, from the physics of each flight, never
from a circle:

1. **Flights.** The missile is aimed at every grid point at once
   (:func:`thaadsim.systems.threat.aim_many`: rotating WGS84 Earth, drag, the chosen shape)
   and all aimed flights are flown in one call of the propagator
   (:func:`thaadsim.physics.rocket.fly_rocket`, states recorded at most 2 s apart). An aim
   point beyond the missile's reach gets ``shots = -1``.
2. **Firm track** (:func:`firm_track_estimate`). The battery's AN/TPY-2 stands at the
   battery's site and faces the launch point. Instead of the Monte Carlo radar of
   :func:`thaadsim.systems.detection.simulate_detection` (search frames, M-of-N confirmation,
   a Kalman filter per track: ~5 ms a threat, ~55 s for 10,000), the footprint uses a
   deterministic estimate of the median firm-track time. The threat is *acquired*
   (:func:`acquisition_time`) when the probability that the radar has detected it reaches
   one half: once a search frame the radar looks at it with a search dwell while it is in
   the search fence and, from the external cue (``radar.cue_delay_s`` after launch), with a
   cued dwell anywhere in the face, each look detecting with the probability of
   :func:`thaadsim.systems.radar.look` (refracted horizon, face sector and elevation limit,
   range equation with scan loss). The track is *firm* a delay after the later of the
   acquisition and the end of the boost (the ballistic filter starts on two detections after
   burnout): :func:`firm_delay_s`, ``1.4 + 1.78 x range/100 km`` track looks for a threat at
   that range from the radar (confirmation by 3 of 5 looks and the filter's convergence,
   slower where the angle errors make larger cross-range errors).

   *Calibration.* 61 threats (KN-02 and 300 mm rockets against Osan, Scud-B, Scud-C,
   Scud-ER, Nodong and KN-23 against Seongju, Osan and Busan; terminal mode, 0.1 m^2), 40
   trials of ``simulate_detection`` each: the delay from the later of acquisition and
   burnout to the median firm track grows linearly with the range (least squares
   1.39 s + 17.8 ms/km, 100-600 km); the estimate then lies within 1.1 s of the simulated
   median firm-track time for every one of the 61 (the trial-to-trial spread, 10th to
   90th percentile, is ~1 s). ``tests/test_footprint.py`` repeats the check on a few
   threats. In forward-based mode the same number of track looks is assumed (not
   calibrated).
3. **Intercept geometry.** Candidate intercept times every second of each flight (the
   engagement's grid, :data:`thaadsim.engagement.GRID_STEP_S`), kept where the threat
   is near the interceptor's envelope; at each, the threat's altitude, its ground range
   from the battery and the interceptor's time of flight from the reach table
   (:func:`thaadsim.systems.fire_control.intercept_geometry`).
4. **Shot opportunities.** The first interceptor can leave no earlier than the firm track
   plus the battery's reaction time and goes for the earliest feasible intercept; each next
   one is launched no earlier than the previous intercept plus the kill assessment time and
   goes for the earliest intercept still feasible (:func:`shot_opportunity_counts`, the
   vectorised form of :func:`thaadsim.systems.fire_control.shot_opportunities`).

An aim point is *defended* when its threat gives at least ``min_shots`` opportunities. The
footprint's area is the sum of the geodesic areas of the defended cells
(:func:`thaadsim.systems.geography.geodesic_area_km2`), its polygon their union, and a
named site of the catalog is defended when the cell it lies in is.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry import Polygon

from thaadsim.errors import CatalogError, InputError
from thaadsim.limits import check, fmt_number
from thaadsim.outputs import netcdf_attrs
from thaadsim.physics.earth import WGS84
from thaadsim.physics.geodesy import geodesic_inverse, geodetic_to_ecef
from thaadsim.physics.rocket import RocketFlight, fly_rocket
from thaadsim.systems import fire_control as fc
from thaadsim.systems import geography
from thaadsim.systems.catalog import Missile, Site, get_missile, get_radar, get_site, site_catalog
from thaadsim.systems.detection import Cue, cue_delay_s
from thaadsim.systems.interceptor import Interceptor, reach_table
from thaadsim.systems.radar import Emplacement, Radar, look, pd_from_snr
from thaadsim.systems.sensors import Sensor, default_network_latency_s
from thaadsim.systems.threat import SHAPES, aim_many

if TYPE_CHECKING:
    import pandas as pd

    from thaadsim.studies.montecarlo import RunnerOptions

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

GRID_STEP_S = 1.0
"""Spacing of the candidate intercept times (as the engagement's grid)."""
ACQUISITION_QUANTILE = 0.5
"""The estimate takes a threat as acquired when the radar has detected it with this
probability (the median acquisition)."""
FIRM_DELAY_LOOKS = 1.4
FIRM_DELAY_LOOKS_PER_100KM = 1.78
"""From the later of acquisition and burnout to the firm track (confirmation by 3 of 5
looks, filter initiation on two detections after burnout, convergence of the position
and velocity uncertainty below the firm-track thresholds): ``FIRM_DELAY_LOOKS +
FIRM_DELAY_LOOKS_PER_100KM x range / 100 km`` track looks (:func:`firm_delay_s`),
fitted to the median firm-track times of
:func:`thaadsim.systems.detection.simulate_detection` (module docstring)."""
DEFAULT_RCS_M2 = 0.1
"""Radar cross-section of the threat (as :class:`thaadsim.engagement.RaidThreat`)."""
TEMPLATE_BATTERY = "seongju"
"""The catalog battery whose launchers, interceptor and timing a battery placed at a bare
site takes."""
EXTENT_MARGIN_KM = 150.0
"""Default half-width of the grid beyond the interceptor's greatest ground range: a threat
aimed beyond the reach may still be met in the band while it descends over the battery."""
MAX_CELLS = 250_000


# --------------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------------


def _shown_types(items: Sequence[Any]) -> str:
    return "[" + ", ".join(type(x).__name__ for x in items[:5]) + "]"


def resolve_battery(battery: fc.Battery | Site | str) -> fc.Battery:
    """A battery from a :class:`~thaadsim.systems.fire_control.Battery`, a battery slug,
    or a site (slug or :class:`Site`): a site gets the :data:`TEMPLATE_BATTERY`'s
    launchers, interceptor and timing, moved there."""
    if isinstance(battery, fc.Battery):
        return battery
    if isinstance(battery, str):
        if battery in fc.battery_catalog():
            return fc.get_battery(battery)
        if battery not in site_catalog():
            raise CatalogError(
                f"battery: unknown {battery!r}; give a battery ({', '.join(fc.battery_catalog())})"
                f" or a site ({', '.join(site_catalog())})")
        battery = get_site(battery)
    if not isinstance(battery, Site):
        raise InputError(f"battery: a {type(battery).__name__} is not a battery; allowed: a "
                         "battery or site slug, a Battery or a Site")
    template = fc.get_battery(TEMPLATE_BATTERY)
    return dataclasses.replace(template, slug=f"thaad-at-{battery.slug}",
                               name=f"THAAD battery at {battery.name}", site=battery)


def _check_inputs(grid_km: float, extent_km: float | None, min_shots: int, shape: str,
                  launch_lat_deg: float, launch_lon_deg: float, rcs_m2: float,
                  apogee_km: float | None = None) -> None:
    """Every number within its row of :data:`thaadsim.limits.LIMITS`, before any work."""
    check("grid_km", grid_km, "grid_km")
    if extent_km is not None:
        check("extent_km", extent_km, "extent_km")
    check("min_shots", min_shots, "min_shots")
    if min_shots not in (1, 2):
        raise InputError(f"min_shots: {fmt_number(min_shots)}; allowed: 1 or 2 shot "
                         "opportunities")
    if shape not in SHAPES:
        raise InputError(f"shape: unknown {str(shape)[:40]!r}; allowed: {', '.join(SHAPES)}")
    check("lat_deg", launch_lat_deg, "launch latitude")
    check("lon_deg", launch_lon_deg, "launch longitude")
    check("rcs_m2", rcs_m2, "rcs_m2")
    if apogee_km is not None:
        check("apogee_km", apogee_km, "apogee_km")


MIN_CELLS_ACROSS = 5
"""Fewest cells across a footprint grid (the LIMITS row ``grid_km`` says so): a coarser
grid cannot draw a footprint, it reports one or two cells' area as if it were one."""


def grid_cells_across(grid_km: float, extent_km: float) -> int:
    """Cells across a grid of half-width ``extent_km`` at ``grid_km`` (checked: at least
    :data:`MIN_CELLS_ACROSS`, at most :data:`MAX_CELLS` in all)."""
    check("grid_km", grid_km, "grid_km")
    check("extent_km", extent_km, "extent_km")
    n = int(round(2.0 * extent_km / grid_km))
    if n < MIN_CELLS_ACROSS:
        raise InputError(f"grid_km: {fmt_number(grid_km)} km makes {n} cell(s) across a grid "
                         f"{fmt_number(2 * extent_km)} km wide; at least {MIN_CELLS_ACROSS} are "
                         f"needed: give grid_km at most {fmt_number(2 * extent_km / 5)} km")
    if n * n > MAX_CELLS:
        raise InputError(f"grid: {n:,} x {n:,} cells ({fmt_number(2 * extent_km)} km wide at "
                         f"{fmt_number(grid_km)} km) is more than {MAX_CELLS:,}; give a coarser "
                         "grid_km or a smaller extent_km")
    return n


def _axes(site: Site, grid_km: float, extent_km: float) -> tuple[FloatArray, FloatArray]:
    """Cell centres in latitude and longitude: n = round(2 extent / grid) cells each way,
    ``grid_km`` apart at the battery's latitude, centred on the battery."""
    n = grid_cells_across(grid_km, extent_km)
    phi = math.radians(site.lat_deg)
    w2 = 1.0 - WGS84.e2 * math.sin(phi) ** 2
    m_m = WGS84.a_m * (1.0 - WGS84.e2) / w2**1.5
    n_m = WGS84.a_m / math.sqrt(w2)
    dlat = math.degrees(grid_km * 1e3 / m_m)
    dlon = math.degrees(grid_km * 1e3 / (n_m * math.cos(phi)))
    k = np.arange(n, dtype=np.float64) - 0.5 * (n - 1)
    lat = site.lat_deg + dlat * k
    lon = site.lon_deg + dlon * k
    if lat.min() - 0.5 * dlat < -90.0 or lat.max() + 0.5 * dlat > 90.0:
        raise InputError("grid: it reaches beyond a pole; give a smaller extent_km")
    return lat, lon


# --------------------------------------------------------------------------------------------
# Recorded flights: compact rows and interpolation
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class _Records:
    """Recorded flights with each row's samples first (times ascending, then +inf)."""

    t_s: FloatArray
    state: FloatArray
    count: IntArray
    burnout_t_s: FloatArray
    impact_t_s: FloatArray

    @cached_property
    def _flat_t(self) -> FloatArray:
        n, m = self.t_s.shape
        return (np.where(np.isfinite(self.t_s), self.t_s, 0.5 * _ROW_OFFSET_S)
                + _ROW_OFFSET_S * np.arange(n)[:, None]).ravel()

    def at(self, t_s: FloatArray, rows: npt.NDArray[np.intp] | None = None) -> FloatArray:
        """States (len(rows), k, 6) at times ``t_s`` (len(rows), k) by cubic Hermite
        interpolation between the records (as :func:`thaadsim.systems.detection.truth_at`,
        all rows at once); NaN outside each flight."""
        n, m = self.t_s.shape
        rows = np.arange(n) if rows is None else rows
        off = _ROW_OFFSET_S * rows[:, None]
        tq = np.where(np.isfinite(t_s), t_s, -1.0)
        j = np.searchsorted(self._flat_t, tq + off, side="left") - (rows * m)[:, None] - 1
        count = self.count[rows][:, None]
        j = np.clip(j, 0, count - 2)
        r = rows[:, None]
        t0, t1 = self.t_s[r, j], self.t_s[r, j + 1]
        inside = (tq >= self.t_s[rows, :1]) & (tq <= self.t_s[r, count - 1])
        h = np.where(inside & (t1 > t0), t1 - t0, 1.0)[..., None]  # a repeated record: y0
        s = np.where(inside & (t1 > t0), tq - t0, 0.0)[..., None] / h
        y0, y1 = self.state[r, j], self.state[r, j + 1]
        p0, p1, v0, v1 = y0[..., :3], y1[..., :3], y0[..., 3:], y1[..., 3:]
        s2, s3 = s * s, s * s * s
        pos = ((2 * s3 - 3 * s2 + 1) * p0 + (s3 - 2 * s2 + s) * h * v0
               + (-2 * s3 + 3 * s2) * p1 + (s3 - s2) * h * v1)
        vel = ((6 * s2 - 6 * s) * p0 + (3 * s2 - 4 * s + 1) * h * v0
               + (-6 * s2 + 6 * s) * p1 + (3 * s2 - 2 * s) * h * v1) / h
        out = np.concatenate([pos, vel], axis=-1)
        out[~inside] = np.nan
        return out


_ROW_OFFSET_S = 1e6
"""Rows of recorded times are searched as one sorted array, row i shifted by i times this."""


def _records(flight: RocketFlight) -> _Records:
    """The recorded samples of each row moved to its front, in time order."""
    t = flight.track_t_s
    valid = np.isfinite(t)
    order = np.argsort(np.where(valid, t, np.inf), axis=1, kind="stable")
    count = valid.sum(1)
    width = max(2, int(count.max(initial=2)))
    order = order[:, :width]
    t2 = np.take_along_axis(t, order, axis=1)
    y2 = np.take_along_axis(flight.track_state, order[..., None], axis=1)
    t2 = np.where(np.arange(width) < count[:, None], t2, np.inf)
    return _Records(t_s=t2, state=y2, count=count.astype(np.int64),
                    burnout_t_s=np.asarray(flight.burnout_t_s, dtype=np.float64),
                    impact_t_s=np.asarray(flight.impact_t_s, dtype=np.float64))


# --------------------------------------------------------------------------------------------
# Firm-track estimate
# --------------------------------------------------------------------------------------------


def acquisition_time(
    records: _Records,
    radar: Radar,
    emplacement: Emplacement,
    rcs_m2: float = DEFAULT_RCS_M2,
    *,
    quantile: float = ACQUISITION_QUANTILE,
    step_s: float = 1.0,
    chunk: int = 30,
    early_warning: Cue = "catalog",
) -> FloatArray:
    r"""Time (s from launch, on a ``step_s`` grid) by which the radar has detected each
    threat with probability ``quantile``; NaN if never.

    Every search frame (``radar.search_frame_s``) the radar looks once at the threat: with a
    search dwell while it is inside the search fence, and from the cue (the
    ``early_warning``'s ``cue_delay_s``, the catalog's by default) with a cued dwell
    anywhere in the face, as
    :func:`thaadsim.systems.detection.simulate_detection` does; each look detects with the
    probability :math:`p_k` of :func:`thaadsim.systems.radar.look`. With the frame's phase
    uniform, the probability of no detection by :math:`t` is
    :math:`\exp(\sum_k \ln(1 - p_k)\,\Delta t / T_{frame})` over the samples
    :math:`t_k \le t` every :math:`\Delta t`."""
    n = records.t_s.shape[0]
    delay = cue_delay_s(early_warning)
    e_track = radar.energy_j("track")
    search_gain = radar.energy_j("search") / e_track
    cued_gain = radar.energy_j("cued") / e_track
    pfa, case = radar.false_alarm_probability, radar.swerling
    limit = math.log1p(-quantile)
    out = np.full(n, np.nan)
    log_miss = np.zeros(n)
    pending = np.flatnonzero(records.count >= 2)
    end = records.impact_t_s
    k0 = 0
    while pending.size:
        t = np.repeat(step_s * (k0 + np.arange(chunk, dtype=np.float64))[None, :],
                      pending.size, axis=0)
        y = records.at(t, pending)
        alive = np.isfinite(y[..., 0]) & (t <= end[pending, None])
        view = look(radar, emplacement, np.nan_to_num(y[..., :3]), np.nan_to_num(y[..., 3:]),
                    rcs_m2, "track")
        fence = ((view.apparent_el_deg >= radar.search_el_low_deg)
                 & (view.apparent_el_deg <= radar.search_el_high_deg))
        pd = np.where(fence, pd_from_snr(view.snr * search_gain, pfa, case), 0.0)
        if delay is not None:
            pd = np.where(t >= delay,
                          np.maximum(pd, pd_from_snr(view.snr * cued_gain, pfa, case)), pd)
        pd = np.where(alive & view.visible, np.minimum(pd, 1.0 - 1e-12), 0.0)
        cum = log_miss[pending, None] + np.cumsum(np.log1p(-pd), 1) * (step_s
                                                                       / radar.search_frame_s)
        ok = cum <= limit
        hit = ok.any(1)
        out[pending[hit]] = t[hit, np.argmax(ok[hit], 1)]
        log_miss[pending] = cum[:, -1]
        over = t[:, -1] >= end[pending]
        pending = pending[~hit & ~over]
        k0 += chunk
    return out


def firm_delay_s(range_m: npt.ArrayLike, radar: Radar) -> FloatArray:
    """From acquisition (or burnout, if later) to the firm track, for a threat at
    ``range_m`` from the radar then: :data:`FIRM_DELAY_LOOKS` track looks plus
    :data:`FIRM_DELAY_LOOKS_PER_100KM` per 100 km of range (the cross-range error of an
    angle measurement, and so the filter's convergence time, grows with range)."""
    looks = FIRM_DELAY_LOOKS + FIRM_DELAY_LOOKS_PER_100KM * np.asarray(range_m) / 1e5
    return np.asarray(looks * radar.track_interval_s, dtype=np.float64)


def firm_track_estimate(
    records: _Records,
    radar: Radar,
    emplacement: Emplacement,
    rcs_m2: float = DEFAULT_RCS_M2,
    *,
    quantile: float = ACQUISITION_QUANTILE,
) -> FloatArray:
    """Estimated firm-track time of each threat (module docstring, step 2): the later of
    :func:`acquisition_time` and burnout, plus :func:`firm_delay_s`; NaN if never acquired
    or if that falls after impact."""
    acq = acquisition_time(records, radar, emplacement, rcs_m2, quantile=quantile)
    base = np.maximum(acq, records.burnout_t_s)
    y = records.at(np.where(np.isfinite(base), base, -1.0)[:, None])[:, 0]
    site = geodetic_to_ecef(emplacement.lat_deg, emplacement.lon_deg, emplacement.alt_m)
    firm = base + firm_delay_s(np.linalg.norm(y[:, :3] - site, axis=1), radar)
    return np.where(firm < records.impact_t_s, firm, np.nan)


# --------------------------------------------------------------------------------------------
# Intercept windows and shot opportunities
# --------------------------------------------------------------------------------------------


def _candidate_times(records: _Records, battery: fc.Battery, icpt: Interceptor) -> FloatArray:
    """Candidate intercept times (n, K) on the engagement's 1 s grid, limited to the span of
    each flight near the envelope (NaN elsewhere).

    The span is found on the records with a cheap spherical geometry and generous margins
    (altitude within 5 km of the band, ground range within 30 km of the reach, one record
    either side); the exact test is :func:`fire_control.intercept_geometry`'s."""
    r = records.state[..., :3]
    norm = np.linalg.norm(r, axis=-1)
    # height above the ellipsoid at the geocentric latitude: within ~100 m of geodetic
    sin_c = r[..., 2] / np.where(norm > 0, norm, 1.0)
    radius = WGS84.a_m * np.sqrt((1 - WGS84.e2) / (1 - WGS84.e2 * (1 - sin_c**2)))
    alt = norm - radius
    site = battery.site
    bl, bo = np.radians(site.lat_deg), np.radians(site.lon_deg)
    u = np.array([np.cos(bl) * np.cos(bo), np.cos(bl) * np.sin(bo), np.sin(bl)])
    cosang = np.clip((r @ u) / np.where(norm > 0, norm, 1.0), -1.0, 1.0)
    ground = np.arccos(cosang) * WGS84.a_m
    near = (np.isfinite(records.t_s) & (alt >= icpt.min_alt_m - 5e3)
            & (alt <= icpt.max_alt_m + 5e3) & (ground <= icpt.max_ground_range_m + 30e3))
    # one record either side
    near[:, 1:] |= near[:, :-1]
    near[:, :-1] |= near[:, 1:]
    near &= np.isfinite(records.t_s)
    any_near = near.any(1)
    t = np.where(near, records.t_s, np.nan)
    with np.errstate(all="ignore"):
        lo = np.floor(np.nanmin(np.where(any_near[:, None], t, 0.0), axis=1) / GRID_STEP_S)
        hi = np.ceil(np.nanmax(np.where(any_near[:, None], t, 0.0), axis=1) / GRID_STEP_S)
    hi = np.minimum(hi, np.floor(records.impact_t_s / GRID_STEP_S))
    width = int(np.max(np.where(any_near, hi - lo, 0.0), initial=0.0)) + 1
    k = lo[:, None] + np.arange(width)
    return np.where(any_near[:, None] & (k <= hi[:, None]), GRID_STEP_S * k, np.nan)


def shot_opportunity_counts(geo: fc.Geometry, earliest_launch_s: FloatArray,
                       kill_assessment_s: float) -> IntArray:
    """Shoot-look-shoot opportunities of every threat at once: the first interceptor at the
    earliest feasible intercept whose launch is at or after ``earliest_launch_s`` (n,), each
    next one launched after the previous intercept's kill assessment (the same rule as
    :func:`thaadsim.systems.fire_control.shot_opportunities`, threats on axis 0)."""
    feasible = geo.feasible
    launch = np.where(feasible, geo.launch_s, np.nan)
    count = np.zeros(feasible.shape[0], dtype=np.int64)
    not_before = np.asarray(earliest_launch_s, dtype=np.float64).copy()
    rows = np.flatnonzero(feasible.any(1) & np.isfinite(not_before))
    while rows.size:
        ok = feasible[rows] & (launch[rows] >= not_before[rows, None] - 1e-9)
        hit = ok.any(1)
        rows = rows[hit]
        k = np.argmax(ok[hit], 1)
        count[rows] += 1
        not_before[rows] = geo.t_s[rows, k] + kill_assessment_s
    return count


# --------------------------------------------------------------------------------------------
# The footprint
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Footprint:
    """Shot opportunities over a grid of aim points, and what they defend."""

    battery: fc.Battery
    missile: str
    launch_lat_deg: float
    launch_lon_deg: float
    shape: str
    apogee_km: float | None
    min_shots: int
    grid_km: float
    sensors: tuple[Sensor, ...]
    """The sensors whose best track the battery fires on (:func:`best_firm_estimate`)."""
    network_latency_s: float
    lat_deg: FloatArray
    """Cell centres, (ny,) ascending."""
    lon_deg: FloatArray
    """Cell centres, (nx,) ascending."""
    shots: IntArray
    """(ny, nx) shoot-look-shoot opportunities against a threat aimed at the cell centre;
    -1 where the missile cannot reach it."""
    firm_track_s: FloatArray
    """(ny, nx) estimated firm-track time after launch (NaN: never, or unreachable)."""
    flight_time_s: FloatArray
    """(ny, nx) launch to impact (NaN where unreachable)."""
    cell_area_km2: FloatArray
    """(ny,) geodesic area of one cell of each row."""

    @property
    def defended(self) -> BoolArray:
        return np.asarray(self.shots >= self.min_shots)

    @property
    def radar_mode(self) -> str:
        """The first sensor's mode (the command line's ``radar_mode``)."""
        return self.sensors[0].mode

    @property
    def reachable(self) -> BoolArray:
        return np.asarray(self.shots >= 0)

    @property
    def area_km2(self) -> float:
        """Sum of the defended cells' geodesic areas."""
        return float((self.defended * self.cell_area_km2[:, None]).sum())

    @cached_property
    def polygon(self) -> Any:
        """Union of the defended cells (longitude, latitude degrees; empty if none)."""
        dlat, dlon = _steps(self.lat_deg), _steps(self.lon_deg)
        boxes = []
        for i, row in enumerate(self.defended):
            # runs of defended cells along the row, one box each
            edges = np.diff(np.concatenate([[0], row.astype(np.int8), [0]]))
            for a, b in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1),
                            strict=True):
                boxes.append(shapely.box(self.lon_deg[a] - dlon / 2, self.lat_deg[i] - dlat / 2,
                                         self.lon_deg[b - 1] + dlon / 2,
                                         self.lat_deg[i] + dlat / 2))
        if not boxes:
            return Polygon()
        return shapely.union_all(boxes, grid_size=1e-9)

    @property
    def defended_sites(self) -> list[str]:
        """Slugs of the catalog's sites whose cell is defended (:meth:`shots_at`; a site on
        a cell edge takes the cell whose centre is nearest, first in latitude order)."""
        return [slug for slug, s in site_catalog().items()
                if self.shots_at(s.lat_deg, s.lon_deg) >= self.min_shots]

    def grid_holds(self, lat_deg: float, lon_deg: float) -> bool:
        """Whether the point lies on the grid (its cells' outer edges included)."""
        dlat, dlon = _steps(self.lat_deg), _steps(self.lon_deg)
        return bool(self.lat_deg[0] - dlat / 2 <= lat_deg <= self.lat_deg[-1] + dlat / 2
                    and self.lon_deg[0] - dlon / 2 <= lon_deg <= self.lon_deg[-1] + dlon / 2)

    def shots_at(self, lat_deg: float, lon_deg: float) -> int:
        """Opportunities of the cell that contains a point (-1 outside the grid too)."""
        i = int(np.argmin(np.abs(self.lat_deg - lat_deg)))
        j = int(np.argmin(np.abs(self.lon_deg - lon_deg)))
        dlat, dlon = _steps(self.lat_deg), _steps(self.lon_deg)
        if abs(self.lat_deg[i] - lat_deg) > dlat / 2 + 1e-12 or abs(
                self.lon_deg[j] - lon_deg) > dlon / 2 + 1e-12:
            return -1
        return int(self.shots[i, j])

    def to_xarray(self) -> Any:
        """The grid as an :class:`xarray.Dataset` (coordinates lat, lon; variables shots,
        defended, firm_track_s, flight_time_s, cell_area_km2), with the run's inputs as
        attributes."""
        import xarray as xr

        attrs = {
            "title": "THAAD defended footprint (thaadsim)",
            "battery": self.battery.slug,
            "battery_name": self.battery.name,
            "battery_lat_deg": self.battery.site.lat_deg,
            "battery_lon_deg": self.battery.site.lon_deg,
            "interceptor": self.battery.interceptor.slug,
            "missile": self.missile,
            "launch_lat_deg": self.launch_lat_deg,
            "launch_lon_deg": self.launch_lon_deg,
            "launch": f"{self.launch_lat_deg:.4f},{self.launch_lon_deg:.4f}",
            "shape": self.shape,
            "apogee_km": "" if self.apogee_km is None else self.apogee_km,
            "min_shots": self.min_shots,
            "grid_km": self.grid_km,
            "radar_mode": self.radar_mode,
            "area_km2": self.area_km2,
            "defended_sites": ",".join(self.defended_sites),
            **netcdf_attrs(),
        }
        return xr.Dataset(
            data_vars={
                "shots": (("lat", "lon"), self.shots.astype(np.int32), {
                    "units": "1", "long_name": "shoot-look-shoot shot opportunities",
                    "comment": "-1: the missile cannot reach this aim point"}),
                "defended": (("lat", "lon"), self.defended.astype(np.int8), {
                    "units": "1", "long_name": f"at least {self.min_shots} shot "
                    "opportunities (1 yes, 0 no)"}),
                "firm_track_s": (("lat", "lon"), self.firm_track_s, {
                    "units": "s", "long_name": "estimated firm-track time after launch"}),
                "flight_time_s": (("lat", "lon"), self.flight_time_s, {
                    "units": "s", "long_name": "flight time, launch to impact"}),
                "cell_area_km2": (("lat",), self.cell_area_km2, {
                    "units": "km2", "long_name": "geodesic area of one cell"}),
            },
            coords={
                "lat": ("lat", self.lat_deg, {"units": "degrees_north",
                                              "long_name": "aim point latitude (WGS84)"}),
                "lon": ("lon", self.lon_deg, {"units": "degrees_east",
                                              "long_name": "aim point longitude (WGS84)"}),
            },
            attrs=attrs,
        )


def _steps(axis: FloatArray) -> float:
    return float(axis[1] - axis[0]) if axis.size > 1 else 1e-6


def _cell_areas(lat: FloatArray, lon: FloatArray) -> FloatArray:
    dlat, dlon = _steps(lat), _steps(lon)
    return np.array([geography.geodesic_area_km2(shapely.box(
        lon[0] - dlon / 2, la - dlat / 2, lon[0] + dlon / 2, la + dlat / 2)) for la in lat])


@dataclass(frozen=True, kw_only=True)
class _Threat:
    """What every aim point's computation shares: the battery, the threat and the sensors."""

    battery: fc.Battery
    missile: Missile
    launch_lat_deg: float
    launch_lon_deg: float
    shape: str
    apogee_km: float | None
    sensors: tuple[Sensor, ...]
    network_latency_s: float
    rcs_m2: float

    @property
    def interceptor(self) -> Interceptor:
        return self.battery.interceptor


def battery_radar(battery: fc.Battery, launch_lat_deg: float, launch_lon_deg: float,
                  mode: str = "terminal") -> Sensor:
    """The battery's own AN/TPY-2 in ``mode`` at its site, facing the launch point (the
    footprint's default sensor)."""
    site = battery.site
    bore = float(geodesic_inverse(site.lat_deg, site.lon_deg, launch_lat_deg,
                                  launch_lon_deg)[1]) % 360.0
    return Sensor(name=battery.slug, radar=get_radar(mode).radar,
                  emplacement=site.emplacement(bore), battery=battery.slug, site=site.slug)


def best_firm_estimate(records: _Records, sensors: Sequence[Sensor], battery: fc.Battery,
                       network_latency_s: float, rcs_m2: float) -> FloatArray:
    """When the battery has a firm track on each recorded flight: the earliest over
    ``sensors`` of :func:`firm_track_estimate` plus the delay with which that sensor's track
    reaches the battery (0 from its own radar, ``network_latency_s`` from any other: the
    engine's best track, :func:`thaadsim.engagement.best_tracks`); NaN: none ever."""
    best = np.full(records.impact_t_s.shape, np.inf)
    for s in sensors:
        firm = firm_track_estimate(records, s.radar, s.emplacement, rcs_m2)
        at = firm + s.latency_s(battery.slug, network_latency_s)
        best = np.where(np.isfinite(at) & (at < best), at, best)
    return np.where(np.isfinite(best), best, np.nan)


def sensors_digest(sensors: Sequence[Sensor], network_latency_s: float) -> str:
    """SHA-256 of the content of the sensors (every figure of each frozen
    :class:`Sensor`, its radar and emplacement) and the latency: the key under which a
    footprint's chunks are kept, so a changed sensor never reuses them."""
    return hashlib.sha256(repr((tuple(sensors), float(network_latency_s))).encode()
                          ).hexdigest()


@dataclass(frozen=True, kw_only=True)
class _Flown:
    """The aimed flights of some aim points and their intercept geometry (steps 1 and 3)."""

    ok: npt.NDArray[np.intp]
    """Those the missile reaches (indices into the aim points)."""
    records: _Records
    geometry: fc.Geometry
    flight_time_s: FloatArray
    """(len(ok),) launch to impact (NaN if the flight did not impact)."""


def _fly_cells(threat: _Threat, aim_lat_deg: FloatArray, aim_lon_deg: FloatArray
               ) -> _Flown | None:
    """Aim the threat at every aim point at once, fly the reachable ones in one call and
    find their intercept geometry (module docstring, steps 1 and 3); None if the missile
    reaches none of them."""
    bat, mis, icpt = threat.battery, threat.missile, threat.interceptor
    if not np.size(aim_lat_deg):
        return None
    aims = aim_many(mis, threat.launch_lat_deg, threat.launch_lon_deg, aim_lat_deg,
                    aim_lon_deg, threat.shape, threat.apogee_km)
    ok = np.flatnonzero(np.isfinite(aims.kick_deg))
    if not ok.size:
        return None
    flight = fly_rocket(mis.rocket, threat.launch_lat_deg, threat.launch_lon_deg, 0.0,
                        aims.azimuth_deg[ok], aims.kick_deg[ok], aims.cutoff_s[ok],
                        record=True)
    rec = _records(flight)
    t = _candidate_times(rec, bat, icpt)
    y = rec.at(t)
    t = np.where(np.isfinite(y[..., 0]), t, np.nan)
    geo = fc.intercept_geometry(t, y[..., :3], bat, icpt, reach_table(icpt))
    tof = np.where(flight.impacted, flight.impact_t_s, np.nan)
    return _Flown(ok=ok, records=rec, geometry=geo,
                  flight_time_s=np.asarray(tof, dtype=np.float64))


CELL_FIELDS = ("shots", "firm_track_s", "flight_time_s")
"""The per-cell results of :func:`cell_results`, the fields of :class:`Footprint`'s grid."""


def cell_results(threat: _Threat, aim_lat_deg: FloatArray, aim_lon_deg: FloatArray
                 ) -> dict[str, npt.NDArray[Any]]:
    """Shot opportunities (-1: unreachable), estimated firm-track time and flight time of
    the threat aimed at each aim point, all at once (module docstring, steps 1 to 4): the
    one computation behind :func:`defended_footprint`, whether it evaluates the whole grid
    at once or a block of cells per chunk of the runner."""
    n = int(np.size(aim_lat_deg))
    out: dict[str, npt.NDArray[Any]] = {
        "shots": np.full(n, -1, dtype=np.int64), "firm_track_s": np.full(n, np.nan),
        "flight_time_s": np.full(n, np.nan)}
    flown = _fly_cells(threat, np.asarray(aim_lat_deg, dtype=np.float64),
                       np.asarray(aim_lon_deg, dtype=np.float64))
    if flown is None:
        return out
    bat = threat.battery
    firm = best_firm_estimate(flown.records, threat.sensors, bat, threat.network_latency_s,
                              threat.rcs_m2)
    earliest = np.where(np.isfinite(firm), firm + bat.reaction_s, np.inf)
    out["shots"][flown.ok] = shot_opportunity_counts(flown.geometry, earliest,
                                                bat.kill_assessment_s)
    out["firm_track_s"][flown.ok] = firm
    out["flight_time_s"][flown.ok] = flown.flight_time_s
    return out


DEFAULT_CHUNK_CELLS = 2_500
"""Grid cells per chunk of the runner (the vectorised evaluation's cost per cell is flat
from a few hundred cells up; 2,500 cells are a few hundred MB of recorded flights at most)."""


def chunk_span(seed: np.random.SeedSequence, units: int, chunk: int, total: int
               ) -> tuple[int, int]:
    """The work units ``[start, stop)`` of the runner's chunk called with ``units`` units
    and the stream ``seed``: chunk ``i``'s stream is ``SeedSequence(seed).spawn(n)[i]``
    (:func:`thaadsim.studies.montecarlo.chunk_seeds`), so ``i`` is the last entry of its
    spawn key, and it starts at ``i * chunk``. A task whose units are fixed pieces of work
    (grid cells, model runs) rather than random trials finds its block this way."""
    if not seed.spawn_key:
        raise InputError("chunk: the task was called without a chunk's stream (run it "
                         "through thaadsim.studies.montecarlo.run_chunks)")
    start = int(seed.spawn_key[-1]) * chunk
    stop = start + int(units)
    if stop > total or (units != chunk and stop != total):
        raise InputError(f"chunk: {units} units at chunk {seed.spawn_key[-1]} do not fit "
                         f"{total} units in chunks of {chunk}: the runner's chunk size "
                         "differs from the task's")
    return start, stop


@dataclass(frozen=True, kw_only=True)
class FootprintTask:
    """The footprint as a task of the runner (:mod:`thaadsim.studies.montecarlo`): the
    work units are the grid's cells in row-major order (latitude, then longitude); a chunk
    evaluates its block of ``chunk`` cells at once (:func:`cell_results`) and returns one
    row per cell: ``cell`` (index in the grid) and :data:`CELL_FIELDS`. Deterministic: the
    chunks' random streams are used only to find their block (:func:`chunk_span`)."""

    unit: ClassVar[str] = "grid cells"

    threat: _Threat
    lat_deg: FloatArray
    lon_deg: FloatArray
    grid_km: float
    min_shots: int
    chunk: int = DEFAULT_CHUNK_CELLS

    @property
    def n_cells(self) -> int:
        return int(self.lat_deg.size * self.lon_deg.size)

    def describe(self) -> dict[str, Any]:
        th = self.threat
        return {"task": "footprint", "battery": th.battery.slug,
                "battery_lat_deg": th.battery.site.lat_deg,
                "battery_lon_deg": th.battery.site.lon_deg,
                "missile": th.missile.slug, "launch_lat_deg": th.launch_lat_deg,
                "launch_lon_deg": th.launch_lon_deg, "shape": th.shape,
                "apogee_km": th.apogee_km, "rcs_m2": th.rcs_m2,
                "sensors": [{"name": x.name, "site": x.site, "mode": x.mode,
                             "boresight_deg": x.emplacement.boresight_deg,
                             "battery": x.battery} for x in th.sensors],
                "network_latency_s": th.network_latency_s,
                "sensors_sha256": sensors_digest(th.sensors, th.network_latency_s),
                "grid_km": self.grid_km, "min_shots": self.min_shots,
                "grid_cells": [int(self.lat_deg.size), int(self.lon_deg.size)],
                "extent_lat_deg": [float(self.lat_deg[0]), float(self.lat_deg[-1])],
                "extent_lon_deg": [float(self.lon_deg[0]), float(self.lon_deg[-1])]}

    def __call__(self, trials: int, seed: np.random.SeedSequence) -> pd.DataFrame:
        """The ``trials`` cells (the runner's name for its work units) of the chunk whose
        stream is ``seed``."""
        import pandas as pd

        start, stop = chunk_span(seed, trials, self.chunk, self.n_cells)
        cell = np.arange(start, stop, dtype=np.int64)
        row, col = np.divmod(cell, self.lon_deg.size)
        res = cell_results(self.threat, self.lat_deg[row], self.lon_deg[col])
        return pd.DataFrame({"cell": cell, **res})


def defended_footprint(
    battery: fc.Battery | Site | str,
    missile: Missile | str,
    launch_lat_deg: float,
    launch_lon_deg: float,
    *,
    shape: str = "min-energy",
    apogee_km: float | None = None,
    grid_km: float = 10.0,
    extent_km: float | None = None,
    min_shots: int = 1,
    sensors: Sequence[Sensor] | None = None,
    network_latency_s: float | None = None,
    rcs_m2: float = DEFAULT_RCS_M2,
    rng_seed: int = 0,
    runner: RunnerOptions | None = None,
    progress: bool = True,
) -> Footprint:
    """The defended footprint of a battery against a missile from a launch point (module
    docstring).

    Parameters
    ----------
    battery
        A battery, a battery slug, or a site (slug or :class:`Site`) where a THAAD battery
        like :data:`TEMPLATE_BATTERY` stands.
    missile
        The threat type (catalog slug or :class:`Missile`).
    launch_lat_deg, launch_lon_deg
        Launch point.
    shape, apogee_km
        Trajectory shape of every threat (:func:`thaadsim.systems.threat.aim_many`).
    grid_km
        Cell size (the grid is regular in latitude and longitude, ``grid_km`` apart at the
        battery's latitude).
    extent_km
        Half-width of the square grid about the battery (default: the interceptor's
        greatest ground range plus :data:`EXTENT_MARGIN_KM`).
    min_shots
        Shot opportunities (1 or 2) that make an aim point defended.
    sensors
        The defense's sensors (:class:`~thaadsim.systems.sensors.Sensor` objects, as a
        :class:`~thaadsim.engagement.Defense` holds them); the battery fires on the track
        that reaches it first (:func:`best_firm_estimate`). Default: the battery's own
        AN/TPY-2 in terminal mode facing the launch point (:func:`battery_radar`).
    network_latency_s
        Delay of a track from a sensor that is not the battery's own (default: the
        catalog's, ``network.yaml``).
    rcs_m2
        Radar cross-section of the threat.
    rng_seed
        Unused: the estimate is deterministic (kept so that a later Monte Carlo radar can
        take it without changing the signature).
    runner
        With options chosen (:attr:`RunnerOptions.chosen`), the grid's cells are evaluated
        in chunks of the Monte Carlo runner (:class:`FootprintTask`: in this process, local
        processes or Dask, each chunk written to Parquet, resumable); the footprint is the
        same as without.
    progress
        The runner's progress bar (on standard error).

    Raises
    ------
    InputError, CatalogError
        Bad grid, shot count, shape or launch point; unknown missile, battery or site.
    """
    del rng_seed
    bat = resolve_battery(battery)
    mis = missile if isinstance(missile, Missile) else get_missile(missile)
    _check_inputs(grid_km, extent_km, min_shots, shape, launch_lat_deg, launch_lon_deg, rcs_m2,
                  apogee_km)
    if sensors is None:
        sensors = (battery_radar(bat, float(launch_lat_deg), float(launch_lon_deg)),)
    sensors = tuple(sensors)
    if not sensors or not all(isinstance(x, Sensor) for x in sensors):
        raise InputError(f"sensors: {_shown_types(sensors)} is not a non-empty list of Sensor; "
                         "allowed: sensor_at(SITE, MODE) or a Defense's sensors")
    latency = (default_network_latency_s() if network_latency_s is None
               else float(network_latency_s))
    check("network_latency_s", latency, "network_latency_s")
    threat = _Threat(battery=bat, missile=mis, launch_lat_deg=float(launch_lat_deg),
                     launch_lon_deg=float(launch_lon_deg), shape=shape, apogee_km=apogee_km,
                     sensors=sensors, network_latency_s=latency, rcs_m2=float(rcs_m2))
    icpt = threat.interceptor
    extent = (icpt.max_ground_range_m / 1e3 + EXTENT_MARGIN_KM) if extent_km is None \
        else float(extent_km)
    lat, lon = _axes(bat.site, float(grid_km), extent)
    shape2 = (lat.size, lon.size)
    if runner is not None and runner.chosen:
        task = FootprintTask(threat=threat, lat_deg=lat, lon_deg=lon, grid_km=float(grid_km),
                             min_shots=int(min_shots),
                             chunk=runner.chunk_trials(DEFAULT_CHUNK_CELLS))
        frame = runner.run(task, task.n_cells, 0, default_chunk=DEFAULT_CHUNK_CELLS,
                           progress=progress, label="Footprint, grid cells")
        if not np.array_equal(frame["cell"].to_numpy(), np.arange(task.n_cells)):
            raise InputError("footprint: the runner's chunks do not cover the grid once, in "
                             "order")  # pragma: no cover - the runner's contract
        cells = {k: frame[k].to_numpy() for k in CELL_FIELDS}
    else:
        # in chunks of the runner's size: the recorded flights of a whole 250,000-cell grid
        # at once would take tens of GB (the chunks' results are the same cells')
        glat, glon = (g.ravel() for g in np.meshgrid(lat, lon, indexing="ij"))
        parts = [cell_results(threat, glat[i:i + DEFAULT_CHUNK_CELLS],
                              glon[i:i + DEFAULT_CHUNK_CELLS])
                 for i in range(0, glat.size, DEFAULT_CHUNK_CELLS)]
        cells = {k: np.concatenate([np.asarray(p[k]) for p in parts]) for k in CELL_FIELDS}
    return Footprint(
        battery=bat, missile=mis.slug, launch_lat_deg=float(launch_lat_deg),
        launch_lon_deg=float(launch_lon_deg), shape=shape, apogee_km=apogee_km,
        min_shots=int(min_shots), grid_km=float(grid_km), sensors=sensors,
        network_latency_s=latency, lat_deg=lat, lon_deg=lon,
        shots=np.asarray(cells["shots"], dtype=np.int64).reshape(shape2),
        firm_track_s=np.asarray(cells["firm_track_s"], dtype=np.float64).reshape(shape2),
        flight_time_s=np.asarray(cells["flight_time_s"], dtype=np.float64).reshape(shape2),
        cell_area_km2=_cell_areas(lat, lon))


__all__ = ["ACQUISITION_QUANTILE", "CELL_FIELDS", "DEFAULT_CHUNK_CELLS", "FIRM_DELAY_LOOKS",
           "FIRM_DELAY_LOOKS_PER_100KM", "Footprint", "FootprintTask", "acquisition_time",
           "battery_radar", "best_firm_estimate", "cell_results", "chunk_span",
           "defended_footprint", "firm_delay_s", "firm_track_estimate", "resolve_battery",
           "sensors_digest", "shot_opportunity_counts"]
