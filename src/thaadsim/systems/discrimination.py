r"""Telling decoys from the warhead: radar cross-section in midcourse, deceleration on re-entry.

A decoy released with a warhead flies the warhead's path in vacuum: gravity does not tell a
balloon from a re-entry vehicle, and a *replica* decoy (the warhead's shape and
cross-section) cannot be told apart in the exo-atmosphere at all (Sessler et al.,
"Countermeasures", UCS/MIT 2000, ch. 4-5). Two signatures are modelled, each with its
stated assumptions:

* **Cross-section** (:func:`rcs_discrimination_probability`): the mean of :math:`N`
  independent looks at a Swerling 1 target (exponential power) has a relative spread
  :math:`1/\sqrt N`; two objects' log mean cross-sections differ with a spread
  :math:`\sqrt{2/N}`, and the radar tells them apart when the difference exceeds
  :math:`k` spreads: :math:`P = \Phi(|\ln(\sigma_d/\sigma_w)|/\sqrt{2/N} - k)`, which is
  :math:`\Phi(-k) \approx 0` for a replica (equal cross-sections). It assumes fire control
  knows which cross-section is the warhead's.
* **Deceleration** (:func:`drag_deceleration_mps2`): once the pair re-enters, each slows by
  :math:`a = \rho v^2 / (2\beta)` with its ballistic coefficient :math:`\beta = m/(C_D A)`:
  a light decoy (50-500 kg/m², :data:`LIGHT_DECOY_BETA_KGM2`) slows where the warhead
  (10,000-30,000 kg/m², missiles.yaml) does not. The radar measures each object's range
  rate every ``track_interval_s`` with the one-sigma error of
  :func:`~thaadsim.systems.radar.measurement_sigmas`; the slope of a least-squares line
  through the :math:`N` range rates of a window (:data:`FIT_WINDOW_S`) has the spread
  :func:`deceleration_sigma_mps2`. The line-of-sight component of the two objects'
  difference in drag deceleration, :math:`\Delta a`, is told apart with probability
  :math:`\Phi(|\Delta a|/\sigma_a - k)`: at :math:`|\Delta a| = k\sigma_a` half the time;
  the altitude where that first happens is the *discrimination altitude*
  (:func:`discriminate`). The pair is flown from the warhead's state at apogee with the
  project's propagator (:func:`fly_pair`), each with its own :math:`\beta`.

Whether discrimination comes in time is the battery's question: fire control must decide
before it launches (:class:`thaadsim.engagement.Decoys`). :func:`discriminate` gives the
probability at the battery's earliest feasible launch (the engine's rule: it fires at its
first opportunity; the track's firm time is not waited for, so this is the earliest
decision and its probability the lowest) and at its last feasible launch (fire control
holding fire for discrimination: at most one shot, no look).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from thaadsim.errors import InputError
from thaadsim.physics.atmosphere import density_kgm3
from thaadsim.physics.earth import WGS84, Earth
from thaadsim.physics.geodesy import ecef_to_geodetic, geodetic_to_ecef
from thaadsim.physics.propagate import propagate
from thaadsim.systems.catalog import Figure
from thaadsim.systems.fire_control import Battery, intercept_geometry
from thaadsim.systems.interceptor import reach_table
from thaadsim.systems.radar import look, measurement_sigmas
from thaadsim.systems.sensors import Sensor

FloatArray = npt.NDArray[np.float64]

LIGHT_DECOY_BETA_KGM2 = Figure(
    value=100.0, low=50.0, high=500.0,
    assumption="a light decoy (a metal-coated balloon or a light replica shell) has a "
               "ballistic coefficient far below a re-entry vehicle's: 50-500 kg/m2 "
               "(Sessler et al., 'Countermeasures', UCS/MIT 2000, ch. 5 and appendix on "
               "atmospheric filtering); 100 taken")
"""The light decoy's ballistic coefficient (assumption with its range)."""
HEAVY_DECOY_BETA_FRACTION = Figure(
    value=0.5, low=0.3, high=1.0,
    assumption="a heavy replica (ballast to match the warhead's mass-to-drag ratio) costs "
               "payload: half the warhead's beta taken, 0.3-1")
"""A heavy decoy's ballistic coefficient as a fraction of its warhead's (assumption)."""
K_SIGMA = Figure(
    value=3.0, low=2.0, high=4.0,
    assumption="the discrimination threshold in standard deviations of the estimate: at 3 "
               "the warhead is taken for a decoy in 0.13% of decisions; 2-4")
"""The threshold :math:`k` (assumption with its range)."""
FIT_WINDOW_S = Figure(
    value=5.0, low=2.0, high=10.0,
    assumption="range rates fitted over 5 s (2-10 s): long enough to average the noise, "
               "short against the ~2-3 s an RV takes to fall one scale height at 3 km/s "
               "and 30 deg")
"""The window of range rates over which the deceleration is fitted (assumption)."""


def drag_deceleration_mps2(density_kgm3: npt.ArrayLike, speed_mps: npt.ArrayLike,
                           beta_kgm2: npt.ArrayLike) -> FloatArray:
    r"""Drag deceleration :math:`a = \rho v^2 / (2\beta)`, m/s² (elementwise)."""
    rho = np.asarray(density_kgm3, dtype=np.float64)
    v = np.asarray(speed_mps, dtype=np.float64)
    return np.asarray(rho * v * v / (2.0 * np.asarray(beta_kgm2, dtype=np.float64)))


def deceleration_sigma_mps2(range_rate_sigma_mps: npt.ArrayLike, interval_s: float,
                            window_s: float) -> FloatArray:
    r"""One-sigma error of the slope of a least-squares line through :math:`N` range rates
    :math:`T` apart, each with error :math:`\sigma_{\dot r}`:
    :math:`\sigma_a = \sigma_{\dot r}\,\sqrt{12 / (N (N^2 - 1))} / T`, with
    :math:`N = \lfloor W/T \rfloor + 1 \ge 2` (the textbook regression slope variance,
    :math:`\sigma^2 / \sum (t_i - \bar t)^2`)."""
    if not (interval_s > 0 and window_s > 0):
        raise InputError(f"interval_s {interval_s!r}, window_s {window_s!r}: allowed: "
                         "positive seconds")
    n = max(int(np.floor(window_s / interval_s + 1e-9)) + 1, 2)
    return np.asarray(np.asarray(range_rate_sigma_mps, dtype=np.float64)
                      * np.sqrt(12.0 / (n * (n * n - 1.0))) / interval_s)


def rcs_discrimination_probability(rcs_decoy_m2: float, rcs_warhead_m2: float, looks: int,
                                   k: float = K_SIGMA.value) -> float:
    """Probability that ``looks`` looks at each object tell a decoy from the warhead by
    their mean cross-sections alone (module docstring); ~0 for a replica."""
    if not (rcs_decoy_m2 > 0 and rcs_warhead_m2 > 0 and looks >= 1):
        raise InputError(f"rcs {rcs_decoy_m2!r}, {rcs_warhead_m2!r} m2, looks {looks!r}: "
                         "allowed: positive cross-sections and at least one look")
    from scipy.special import ndtr  # here: SciPy's import is a start-up cost

    spread = np.sqrt(2.0 / looks)
    return float(ndtr(abs(np.log(rcs_decoy_m2 / rcs_warhead_m2)) / spread - k))


@dataclass(frozen=True, kw_only=True)
class PairFlight:
    """A warhead and a decoy flown from one release state, on one time grid."""

    t_s: FloatArray
    warhead: FloatArray
    """Earth-fixed states (K, 6)."""
    decoy: FloatArray

    @property
    def decoy_alt_m(self) -> FloatArray:
        return np.asarray(ecef_to_geodetic(self.decoy[:, :3])[2])

    @property
    def warhead_alt_m(self) -> FloatArray:
        return np.asarray(ecef_to_geodetic(self.warhead[:, :3])[2])


def _resample(t_rec: FloatArray, y_rec: FloatArray, t_s: FloatArray) -> FloatArray:
    return np.stack([np.interp(t_s, t_rec, y_rec[:, j], right=np.nan) for j in range(6)],
                    axis=-1)


def fly_pair(state0: npt.ArrayLike, t0_s: float, warhead_beta_kgm2: float,
             decoy_beta_kgm2: float, step_s: float = 0.25, *, earth: Earth | str = WGS84,
             rotating: bool = True) -> PairFlight:
    """The warhead and the decoy flown from ``state0`` (Earth-fixed, at flight time
    ``t0_s``) to the ground with the project's propagator
    (:func:`~thaadsim.physics.propagate.propagate`, ``earth`` and ``rotating`` as there),
    each with its ballistic coefficient, on a common grid ``step_s`` apart (NaN after an
    object's impact)."""
    y0 = np.asarray(state0, dtype=np.float64).reshape(1, 6)
    p = propagate(np.repeat(y0, 2, axis=0), t0_s=t0_s,
                  beta_kgm2=np.array([warhead_beta_kgm2, decoy_beta_kgm2]),
                  max_step_s=step_s, record=20_000, max_steps=400_000, earth=earth,
                  rotating=rotating)
    if not p.valid.all():
        raise InputError(f"fly_pair: the flight from {y0[0, :3]} m did not finish "
                         f"(status {p.status.tolist()})")
    t_end = float(np.max(p.t_s))
    t_s = np.arange(t0_s, t_end + step_s / 2, step_s)
    rows = [_resample(p.track_t_s[i, :p.track_len[i]], p.track_state[i, :p.track_len[i]], t_s)
            for i in range(2)]
    return PairFlight(t_s=t_s, warhead=rows[0], decoy=rows[1])


def los_deceleration_difference_mps2(pair: PairFlight, warhead_beta_kgm2: float,
                                     decoy_beta_kgm2: float, site_ecef_m: FloatArray
                                     ) -> FloatArray:
    """The line-of-sight component, as a radar at ``site_ecef_m`` sees it, of the decoy's
    drag deceleration less the warhead's (K,), m/s²; NaN once either has landed."""
    out = []
    for y, beta in ((pair.decoy, decoy_beta_kgm2), (pair.warhead, warhead_beta_kgm2)):
        alt = ecef_to_geodetic(np.nan_to_num(y[:, :3]))[2]
        speed = np.linalg.norm(y[:, 3:], axis=1)
        a = drag_deceleration_mps2(density_kgm3(np.clip(alt, 0.0, 1e6)), speed, beta)
        out.append(-a[:, None] * y[:, 3:] / np.maximum(speed, 1e-9)[:, None])
    los = pair.decoy[:, :3] - site_ecef_m
    u = los / np.linalg.norm(los, axis=1, keepdims=True)
    return np.asarray(np.sum((out[0] - out[1]) * u, axis=1))


@dataclass(frozen=True, kw_only=True)
class Discrimination:
    """When and where one radar tells a decoy from its warhead, and whether the battery
    must fire before (:func:`discriminate`)."""

    decoy_beta_kgm2: float
    warhead_beta_kgm2: float
    alt_m: float
    """The decoy's altitude when :math:`|\\Delta a| = k\\sigma_a` first (NaN: never)."""
    t_s: float
    """Flight time then (NaN: never)."""
    p_rcs: float
    """Probability from the cross-sections alone (exo-atmospheric)."""
    first_launch_s: float
    """The battery's earliest feasible launch at the warhead (NaN: none)."""
    first_launch_alt_m: float
    """The warhead's altitude at that launch."""
    last_launch_s: float
    """Its last feasible launch."""
    last_intercept_alt_m: float
    """The warhead's altitude at the intercept of that last launch."""
    band_floor_m: float
    p_first_launch: float
    """Probability the decoy is told apart by the earliest launch (both signatures)."""
    p_last_launch: float
    """... by the last launch (fire control holding fire for discrimination)."""

    @property
    def above_floor(self) -> bool:
        """Told apart above the interceptor's band floor."""
        return bool(np.isfinite(self.alt_m) and self.alt_m > self.band_floor_m)

    @property
    def before_first_launch(self) -> bool:
        return bool(np.isfinite(self.t_s) and self.t_s <= self.first_launch_s)

    @property
    def before_last_launch(self) -> bool:
        return bool(np.isfinite(self.t_s) and self.t_s <= self.last_launch_s)


def _at(t_s: FloatArray, values: FloatArray, when_s: float) -> float:
    if not np.isfinite(when_s):
        return float("nan")
    return float(np.interp(when_s, t_s, values, left=values[0], right=np.nan))


def discriminate(t_grid_s: FloatArray, y_grid: FloatArray, *, warhead_beta_kgm2: float,
                 decoy_beta_kgm2: float, warhead_rcs_m2: float, decoy_rcs_m2: float,
                 sensor: Sensor, battery: Battery, first_launch_s: float | None = None,
                 k: float = K_SIGMA.value, window_s: float = FIT_WINDOW_S.value,
                 step_s: float = 0.25) -> Discrimination:
    """Decoy discrimination against one warhead's flight (``t_grid_s`` (K,), Earth-fixed
    ``y_grid`` (K, 6), NaN-padded, e.g. :func:`thaadsim.engagement.flight_grid`) by
    ``sensor``, for ``battery`` (module docstring). The decoy is released at apogee.
    ``first_launch_s``: the battery's first launch at the warhead where the caller knows
    it (e.g. the engine's, after the firm track and the reaction time); default: the
    earliest feasible launch of the interceptor's geometry alone (no track needed: the
    earliest decision conceivable)."""
    from scipy.special import ndtr  # here: SciPy's import is a start-up cost

    ok = np.isfinite(t_grid_s) & np.isfinite(y_grid).all(axis=1)
    t_g, y_g = t_grid_s[ok], y_grid[ok]
    alt_g = ecef_to_geodetic(y_g[:, :3])[2]
    top = int(np.argmax(alt_g))
    pair = fly_pair(y_g[top], float(t_g[top]), warhead_beta_kgm2, decoy_beta_kgm2, step_s)
    e = sensor.emplacement
    site = np.asarray(geodetic_to_ecef(e.lat_deg, e.lon_deg, e.alt_m), dtype=np.float64)
    diff = los_deceleration_difference_mps2(pair, warhead_beta_kgm2, decoy_beta_kgm2, site)
    live = np.isfinite(pair.decoy).all(axis=1)
    view = look(sensor.radar, e, np.nan_to_num(pair.decoy[:, :3]),
                np.nan_to_num(pair.decoy[:, 3:]), decoy_rcs_m2, dwell="track")
    sig_rdot = measurement_sigmas(sensor.radar, view, "track")[:, 3]
    sig_a = deceleration_sigma_mps2(sig_rdot, sensor.radar.track_interval_s, window_s)
    seen = live & view.visible & np.isfinite(diff)
    p_decel = np.where(seen, ndtr(np.abs(np.nan_to_num(diff)) / sig_a - k), 0.0)
    # a decoy once told apart stays told apart: the running maximum
    p_decel = np.maximum.accumulate(p_decel)
    hit = np.flatnonzero(p_decel >= 0.5)
    t_d = float(pair.t_s[hit[0]]) if hit.size else float("nan")
    decoy_alt_m = pair.decoy_alt_m
    alt_d = float(decoy_alt_m[hit[0]]) if hit.size else float("nan")
    # the looks before the pair re-enters: one per track interval from release to 150 km
    exo = (decoy_alt_m > 150e3) & view.visible
    looks = max(int(exo.sum() * step_s / sensor.radar.track_interval_s), 1)
    p_rcs = rcs_discrimination_probability(decoy_rcs_m2, warhead_rcs_m2, looks, k)
    icpt = battery.interceptor
    geo = intercept_geometry(t_g[None, :], y_g[None, :, :3], battery, icpt, reach_table(icpt))
    feas = geo.feasible[0]
    launch = geo.launch_s[0]
    if feas.any():
        first = int(np.flatnonzero(feas)[np.argmin(launch[feas])])
        last = int(np.flatnonzero(feas)[np.argmax(launch[feas])])
        first_s, last_s = float(launch[first]), float(launch[last])
        if first_launch_s is not None:
            first_s = float(first_launch_s)
        first_alt = _at(t_g, alt_g, first_s)
        last_alt = float(alt_g[last])
    else:
        first_s = last_s = first_alt = last_alt = float("nan")

    def total(when_s: float) -> float:
        p_d = _at(pair.t_s, p_decel, when_s) if when_s >= pair.t_s[0] else 0.0
        return float(1.0 - (1.0 - p_rcs) * (1.0 - np.nan_to_num(p_d)))

    return Discrimination(
        decoy_beta_kgm2=float(decoy_beta_kgm2), warhead_beta_kgm2=float(warhead_beta_kgm2),
        alt_m=alt_d, t_s=t_d, p_rcs=p_rcs, first_launch_s=first_s,
        first_launch_alt_m=first_alt, last_launch_s=last_s, last_intercept_alt_m=last_alt,
        band_floor_m=float(icpt.min_alt_m),
        p_first_launch=total(first_s) if np.isfinite(first_s) else p_rcs,
        p_last_launch=total(last_s) if np.isfinite(last_s) else p_rcs)


__all__ = ["FIT_WINDOW_S", "HEAVY_DECOY_BETA_FRACTION", "K_SIGMA", "LIGHT_DECOY_BETA_KGM2",
           "Discrimination", "PairFlight", "deceleration_sigma_mps2", "discriminate",
           "drag_deceleration_mps2", "fly_pair", "los_deceleration_difference_mps2",
           "rcs_discrimination_probability"]
