"""Radar coverage: where on the ground a target at a given altitude would be detected.

For a radar at a site, facing a boresight, in a mode, the covered area is the set of points
beneath which a target flying at altitude ``alt_m`` with cross-section ``rcs_m2`` is

* in the face's azimuth sector and below its highest elevation,
* above the refracted radar horizon (the minimum elevation over a 4/3 Earth),
* inside the mode's instrumented range, and
* within the detection range of one dwell (the radar equation with scan loss),

all decided by :func:`thaadsim.systems.radar.look` (the first three by its
:func:`~thaadsim.systems.radar.face_status`), the same function that the detection and
tracking simulation calls for every search, cued and track dwell: ``coverage`` and
``detect`` see the same volume. Along each azimuth every condition is monotone in ground
range (elevation falls and range grows with distance), so the covered set is an interval
``[near, far]`` whose ends are found by bisection, all azimuths at once. The polygon is the
far boundary swept across the sector and the near boundary back; its area and the territory
of each country under it come from :mod:`thaadsim.systems.geography`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry import Polygon

from thaadsim.limits import check
from thaadsim.physics.earth import WGS84, Earth
from thaadsim.physics.geodesy import geodesic_direct, geodetic_to_ecef
from thaadsim.systems import geography
from thaadsim.systems.radar import (
    BELOW_HORIZON,
    STANDARD_REFRACTION_K,
    VISIBLE,
    Emplacement,
    Radar,
    detection_range_m,
    look,
    snr_for_pd,
)

FloatArray = npt.NDArray[np.float64]

MAX_GROUND_RANGE_M = 6_000e3
"""Farthest ground range searched (beyond any X-band horizon below ~3,000 km altitude)."""
_BISECTION_STEPS = 40
_SEGMENT_DEG = 0.25
"""Edge sampling before intersections with countries (see geography's docstring)."""


@dataclass(frozen=True, kw_only=True)
class RadarCoverage:
    """The ground coverage of one radar against one target type at one altitude."""

    polygon: Polygon | shapely.MultiPolygon
    """Covered ground area, longitude-latitude degrees (empty if nothing is covered; parts on
    either side of the antimeridian where the fan crosses it)."""
    azimuth_deg: FloatArray
    near_m: FloatArray
    """Ground range where coverage starts along each azimuth (the cone above the face)."""
    far_m: FloatArray
    """Ground range where coverage ends along each azimuth (NaN where none)."""
    detection_range_m: float
    """Radar-equation slant range of one dwell on the face normal (no horizon, no window)."""
    horizon_range_m: float
    """Ground range at which the target sinks below the refracted minimum elevation, on
    the boresight."""
    instrumented_range_m: float
    covered_km2: float
    territory: list[geography.Coverage]

    @property
    def max_ground_range_m(self) -> float:
        return float(np.nanmax(self.far_m)) if np.any(np.isfinite(self.far_m)) else 0.0


def _points_ecef(emp: Emplacement, az_deg: FloatArray, ground_m: FloatArray, alt_m: float,
                 earth: Earth) -> FloatArray:
    lat, lon, _ = geodesic_direct(emp.lat_deg, emp.lon_deg, az_deg, ground_m, earth)
    return geodetic_to_ecef(lat, lon, alt_m, earth)


def _bisect(pred: Callable[[FloatArray], npt.NDArray[np.bool_]], lo: FloatArray,
            hi: FloatArray) -> FloatArray:
    """Where a predicate true at ``lo`` and false at ``hi`` flips, for every ray at once."""
    lo, hi = lo.copy(), hi.copy()
    for _ in range(_BISECTION_STEPS):
        mid = 0.5 * (lo + hi)
        ok = pred(mid)
        lo = np.where(ok, mid, lo)
        hi = np.where(ok, hi, mid)
    return 0.5 * (lo + hi)


def _check(rcs_m2: float, alt_m: float) -> None:
    """The target within its rows of :data:`thaadsim.limits.LIMITS`."""
    check("rcs_m2", rcs_m2, "rcs_m2")
    check("target_alt_km", alt_m / 1e3 if isinstance(alt_m, int | float) else alt_m,
          "altitude (km)")


def radar_coverage(
    radar: Radar,
    emplacement: Emplacement,
    rcs_m2: float,
    alt_m: float,
    *,
    dwell: str = "track",
    refraction_k: float = STANDARD_REFRACTION_K,
    azimuth_step_deg: float = 0.5,
    earth: Earth = WGS84,
) -> RadarCoverage:
    """Ground area under which a target at ``alt_m`` and ``rcs_m2`` would be detected.

    Parameters
    ----------
    radar, emplacement : Radar, Emplacement
        The radar in its mode, where it stands and where it faces.
    rcs_m2 : float
        Radar cross-section of the target, m^2.
    alt_m : float
        Altitude of the target above the ellipsoid, m.
    dwell : {'track', 'search'}
        The energy put on the target: a dedicated dwell (``'track'``, the convention of
        public range estimates such as Lewis & Postol 2012) or one beam of the mode's
        search fence (``'search'``).
    refraction_k : float
        Effective-Earth factor (4/3 standard; 1 for no refraction).
    azimuth_step_deg : float
        Angular spacing of the rays across the face's sector.
    """
    _check(rcs_m2, alt_m)
    check("refraction_k", refraction_k, "refraction_k")
    check("azimuth_step_deg", azimuth_step_deg, "azimuth_step_deg")
    radar.energy_j(dwell)  # validates the dwell name
    # The edge rays sit 0.001 deg inside the sector: a ray's azimuth from the geodesic and
    # the topocentric azimuth of a target above it differ by ~1e-4 deg on the ellipsoid.
    half = radar.scan_half_width_deg - 1e-3
    rays = int(round(2 * half / azimuth_step_deg)) + 1
    az = np.mod(emplacement.boresight_deg + np.linspace(-half, half, rays), 360.0)
    required = snr_for_pd(radar.detection_pd, radar.false_alarm_probability, radar.swerling)

    def status(ground_m: FloatArray) -> npt.NDArray[np.int8]:
        """Visibility status of the target above ``ground_m`` along each ray (rays on axis
        0; :func:`look`'s, the instrumented range included), with -1 where visible but not
        detected."""
        rays, ground = np.broadcast_arrays(az.reshape((-1,) + (1,) * (ground_m.ndim - 1)),
                                           ground_m)
        r = _points_ecef(emplacement, rays, ground, alt_m, earth)
        view = look(radar, emplacement, r, np.zeros_like(r), rcs_m2, dwell, refraction_k,
                    earth)
        st = view.status.copy()
        st[(st == VISIBLE) & ~(view.snr >= required)] = -1
        return st

    near = np.where(status(np.full(az.size, 1.0)) == VISIBLE, 0.0, np.nan)
    # A coarse sweep finds, on each ray, a first and a last detected point; bisection then
    # sharpens the near edge (if the ray starts in the cone above the face) and the far edge.
    probe = np.linspace(1.0, MAX_GROUND_RANGE_M, 600)
    seen = status(np.broadcast_to(probe, (az.size, probe.size))) == VISIBLE
    has = seen.any(axis=1)
    first = np.where(has, probe[np.argmax(seen, axis=1)], np.nan)
    last = np.where(has, probe[seen.shape[1] - 1 - np.argmax(seen[:, ::-1], axis=1)], np.nan)
    need_near = has & np.isnan(near)
    if need_near.any():
        lo = np.where(need_near, 1.0, 0.0)
        hi = np.where(need_near, first, 1.0)
        edge = _bisect(lambda d: status(d) != VISIBLE, lo, hi)
        near = np.where(need_near, edge, near)
    nxt = np.minimum(last + (probe[1] - probe[0]), MAX_GROUND_RANGE_M)
    far = _bisect(lambda d: status(d) == VISIBLE, np.where(has, last, 0.0),
                  np.where(has, nxt, 1.0))
    far = np.where(has, far, np.nan)
    polygon = _fan_polygon(emplacement, az, near, far, earth)
    covered = geography.geodesic_area_km2(polygon) if not polygon.is_empty else 0.0
    territory = geography.territory_under(polygon) if not polygon.is_empty else []
    return RadarCoverage(
        polygon=polygon, azimuth_deg=az, near_m=near, far_m=far,
        detection_range_m=float(detection_range_m(radar, rcs_m2, dwell)),
        horizon_range_m=horizon_ground_range_m(radar, emplacement, alt_m, refraction_k, earth),
        instrumented_range_m=radar.instrumented_range_m,
        covered_km2=covered, territory=territory,
    )


def horizon_ground_range_m(
    radar: Radar,
    emplacement: Emplacement,
    alt_m: float,
    refraction_k: float = STANDARD_REFRACTION_K,
    earth: Earth = WGS84,
) -> float:
    """Ground range along the boresight at which a target at ``alt_m`` sinks below the
    refracted radar horizon or the radar's minimum elevation (found with :func:`look`'s
    geometry, ignoring the face's other limits and the radar equation)."""
    az = np.array([emplacement.boresight_deg])
    zeros = np.zeros((1, 3))

    def above(ground_m: FloatArray) -> npt.NDArray[np.bool_]:
        view = look(radar, emplacement, _points_ecef(emplacement, az, ground_m, alt_m, earth),
                    zeros, 1.0, "track", refraction_k, earth)
        return np.asarray(view.status != BELOW_HORIZON)

    if not above(np.array([1.0]))[0]:
        return 0.0
    return float(_bisect(above, np.array([1.0]), np.array([MAX_GROUND_RANGE_M]))[0])


def _radial(emp: Emplacement, az_deg: float, start_m: float, end_m: float,
            earth: Earth) -> FloatArray:
    """Lon/lat points along one azimuth from ``start_m`` to ``end_m`` (every ~10 km)."""
    d = np.linspace(start_m, end_m, max(2, int(abs(end_m - start_m) / 10e3) + 1))
    lat, lon, _ = geodesic_direct(emp.lat_deg, emp.lon_deg, az_deg, d, earth)
    return np.stack([geography.near_lon(emp.lon_deg, lon), lat], -1)


def _fan_polygon(emp: Emplacement, az: FloatArray, near: FloatArray, far: FloatArray,
                 earth: Earth) -> Polygon | shapely.MultiPolygon:
    """The covered fan as a lon/lat polygon: the far edge across the sector, down the last
    ray, the near edge back and up the first ray (rays sampled along their geodesics, so
    that the polygon's area is the fan's, not that of straight lon/lat chords). Drawn with
    longitudes continuous about the radar's, then cut into parts within [-180, 180] where it
    crosses the antimeridian (:func:`~thaadsim.systems.geography.split_antimeridian`)."""
    ok = np.isfinite(far) & np.isfinite(near)
    if ok.sum() < 2:
        return Polygon()
    az, near, far = az[ok], near[ok], far[ok]
    lat_f, lon_f, _ = geodesic_direct(emp.lat_deg, emp.lon_deg, az, far, earth)
    lat_n, lon_n, _ = geodesic_direct(emp.lat_deg, emp.lon_deg, az[::-1], near[::-1], earth)
    ring = np.concatenate([
        np.stack([geography.near_lon(emp.lon_deg, lon_f), lat_f], -1),
        _radial(emp, float(az[-1]), float(far[-1]), float(near[-1]), earth),
        np.stack([geography.near_lon(emp.lon_deg, lon_n), lat_n], -1),
        _radial(emp, float(az[0]), float(near[0]), float(far[0]), earth),
    ])
    poly = shapely.make_valid(Polygon(ring))
    if poly.geom_type != "Polygon":
        parts = [g for g in getattr(poly, "geoms", []) if g.geom_type == "Polygon"]
        poly = max(parts, key=lambda g: g.area) if parts else Polygon()
    return geography.split_antimeridian(shapely.segmentize(poly, _SEGMENT_DEG))
