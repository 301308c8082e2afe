r"""A phased-array radar (the AN/TPY-2): signal-to-noise, detection, visibility, measurements.

A radar is a frozen :class:`Radar` (the catalog's figures, one entry per mode) placed by an
:class:`Emplacement` (site and boresight); everything else is a pure function over arrays of
targets. The physics, in the order a target meets it:

1. **Can the face see it at all?** :func:`face_status`: line of sight over the Earth with
   standard refraction (an Earth of effective radius :math:`k R`, :math:`k = 4/3`, Skolnik,
   *Introduction to Radar Systems*, 3rd ed., 2001, §8.2), a minimum elevation, the face's
   azimuth sector about its boresight, its elevation band, and the mode's instrumented range
   (the range window its software processes: 600 km in terminal mode, about 2,000 km
   forward-based, USCC 2016). Every look of every dwell passes through it, so no mode
   detects, cues or tracks a target it is not built to see.
2. **How strong is the echo?** :func:`snr`: the radar range equation in its energy form for a
   phased array whose transmit gain is :math:`G = 4\pi A_e/\lambda^2`
   (Skolnik 2001, eqs. 2.1-2.11, 2.41),

   .. math:: \mathrm{SNR} = \frac{E\, A_e^2\, \sigma\, \cos^{n}\theta_s}
                                 {4\pi\, \lambda^2 R^4\, k_B T_s L}

   with :math:`E` the transmitted energy in one dwell (average power times dwell time, all
   of it integrated coherently, as Lewis & Postol 2012 assume), :math:`A_e = \rho A` the
   effective aperture, :math:`\theta_s` the scan angle off the face normal and :math:`n` the
   scan-loss exponent (the projected aperture shrinks as :math:`\cos\theta_s` on transmit and
   on receive).
3. **Search or track.** In search the radar spreads a fraction :math:`b` of its time over a
   fence of solid angle :math:`\Omega` every frame :math:`t_f`; a beam of solid angle
   :math:`\lambda^2/A_e` gets :math:`E = P_{av} t_f b \lambda^2 / (A_e \Omega)`, which turns
   the equation above into the search-radar equation
   :math:`\mathrm{SNR} = P_{av} A_e t_f b \sigma / (4\pi\Omega R^4 k_B T_s L)`
   (Skolnik 2001, eq. 2.62). In track a dwell of :math:`t_d` seconds is spent on one target:
   :math:`E = P_{av} t_d`.
4. **Is it detected?** :func:`pd_from_snr`: Swerling 1 (slowly fluctuating, constant within
   a dwell), :math:`P_d = P_{fa}^{1/(1+\mathrm{SNR})}`; Swerling 0/5 (steady),
   :math:`P_d = Q_1(\sqrt{2\,\mathrm{SNR}}, \sqrt{-2\ln P_{fa}})`, Marcum's Q function
   (the noncentral chi-square survival function).
5. **What does it measure?** :func:`measure`: range, azimuth, elevation and range rate with
   the thermal-noise accuracies of Skolnik 2001 §6.3 and Barton, *Radar System Analysis and
   Modeling* (2005) ch. 7, :math:`\sigma = \delta / (k\sqrt{2\,\mathrm{SNR}})` for a
   resolution :math:`\delta` (range :math:`c/2B`, angle the beamwidth :math:`\lambda/D`
   broadened by :math:`1/\cos\theta_s`, range rate :math:`\lambda/2t_d`), with :math:`k` the
   monopulse slope for angles and 1 otherwise, plus a floor for the errors that do not
   average out (calibration, alignment).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from thaadsim.errors import InputError
from thaadsim.physics.earth import WGS84, Earth
from thaadsim.physics.geodesy import GeometryBackend, site_kernel_packs, site_view
from thaadsim.systems import _radar_kernel

FloatArray = npt.NDArray[np.float64]

SPEED_OF_LIGHT_MPS = 299_792_458.0
BOLTZMANN_JPK = 1.380649e-23
"""Boltzmann's constant (SI 2019, exact)."""
STANDARD_REFRACTION_K = 4.0 / 3.0
"""Effective-Earth-radius factor of the standard atmosphere (Skolnik 2001, §8.2)."""

MAX_RCS_M2 = 1e6
"""Largest radar cross-section accepted (a ship is ~1e4 m^2; beyond, input is an error)."""

MODES = ("terminal", "forward-based")
_POSITIVE_FIELDS = frozenset((
    "frequency_hz", "aperture_m2", "average_power_w", "noise_temperature_k", "bandwidth_hz",
    "scan_half_width_deg", "search_frame_s", "track_interval_s", "track_dwell_s",
    "instrumented_range_m"))
_FRACTION_FIELDS = frozenset(("aperture_efficiency", "false_alarm_probability",
                              "detection_pd"))
Mode = Literal["terminal", "forward-based"]
SWERLING_CASES = (0, 1, 5)

# Visibility status codes (DESIGN: array functions return status arrays).
VISIBLE = 0
BELOW_HORIZON = 1
"""The refracted line of sight meets the Earth, or leaves the radar below its minimum
elevation."""
OUTSIDE_SECTOR = 2
"""Outside the face's azimuth sector about its boresight."""
ABOVE_FACE = 3
"""Above the face's highest elevation."""
BEYOND_RANGE = 4
"""Farther (slant range) than the mode's instrumented range: the mode's range window does not
process echoes from there, however strong (``Radar.instrumented_range_m``)."""
STATUS_TEXT = {
    VISIBLE: "visible",
    BELOW_HORIZON: "below the radar horizon",
    OUTSIDE_SECTOR: "outside the azimuth sector",
    ABOVE_FACE: "above the elevation limit",
    BEYOND_RANGE: "beyond the instrumented range",
}


@dataclass(frozen=True, kw_only=True)
class Radar:
    """One radar in one mode: its hardware, its face, its search fence and its track dwell.

    Every field comes from the catalog (``thaadsim/data/radars.yaml``), where its public
    source or the reason for the assumption is written.
    """

    mode: Mode
    frequency_hz: float
    aperture_m2: float
    aperture_efficiency: float
    average_power_w: float
    noise_temperature_k: float
    losses_db: float
    bandwidth_hz: float
    """Instantaneous bandwidth; the range resolution is c / 2B."""
    false_alarm_probability: float
    scan_half_width_deg: float
    """The face's azimuth sector is boresight +- this."""
    min_elevation_deg: float
    """Lowest beam above the refracted horizon."""
    max_elevation_deg: float
    face_tilt_deg: float
    """Elevation of the face normal above the horizontal."""
    scan_loss_exponent: float
    monopulse_slope: float
    angle_floor_rad: float
    range_floor_m: float
    range_rate_floor_mps: float
    search_el_low_deg: float
    search_el_high_deg: float
    search_frame_s: float
    search_budget: float
    """Fraction of the radar's time spent on the search fence."""
    track_interval_s: float
    track_dwell_s: float
    detection_pd: float
    """The probability of detection that defines "detection range" (per look)."""
    instrumented_range_m: float
    """The farthest range the mode's software processes (its range window)."""
    cued_beams: float
    """Beam positions a cued acquisition search covers around the cued position (when the
    cue comes: :class:`thaadsim.systems.sensors.EarlyWarning`, the defense's, not the
    radar's)."""
    swerling: int = 1

    def __post_init__(self) -> None:
        """A radar built or changed in Python (``dataclasses.replace``) is checked as the
        catalog's is: a zero, negative or NaN figure would otherwise make a radar that
        silently never detects."""
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "mode":
                continue
            if isinstance(value, bool) or not isinstance(value, int | float) \
                    or not np.isfinite(value):
                raise InputError(f"radar ({self.mode}): {f.name}: {value!r} is not allowed; "
                                 "allowed: a finite number")
            if f.name in _POSITIVE_FIELDS and not value > 0:
                raise InputError(f"radar ({self.mode}): {f.name}: {value!r} is not allowed; "
                                 "allowed: a number above 0")
            if f.name in _FRACTION_FIELDS and not 0 < value <= 1:
                raise InputError(f"radar ({self.mode}): {f.name}: {value!r} is not allowed; "
                                 "allowed: a fraction in (0, 1]")

    @property
    def wavelength_m(self) -> float:
        return SPEED_OF_LIGHT_MPS / self.frequency_hz

    @property
    def effective_aperture_m2(self) -> float:
        return self.aperture_efficiency * self.aperture_m2

    @property
    def beamwidth_rad(self) -> float:
        """Half-power beamwidth at broadside, lambda / D with D the side of a square face."""
        return self.wavelength_m / float(np.sqrt(self.aperture_m2))

    @property
    def loss_factor(self) -> float:
        return float(10.0 ** (self.losses_db / 10.0))

    @property
    def fence_solid_angle_sr(self) -> float:
        r"""Solid angle of the search fence, :math:`2\Delta\alpha(\sin e_2 - \sin e_1)`."""
        lo, hi = np.radians([self.search_el_low_deg, self.search_el_high_deg])
        return float(2.0 * np.radians(self.scan_half_width_deg) * (np.sin(hi) - np.sin(lo)))

    @property
    def search_energy_j(self) -> float:
        """Energy transmitted in one beam position of the search fence per frame."""
        beams = self.fence_solid_angle_sr * self.effective_aperture_m2 / self.wavelength_m**2
        return self.average_power_w * self.search_frame_s * self.search_budget / beams

    @property
    def track_energy_j(self) -> float:
        """Energy of one track dwell."""
        return self.average_power_w * self.track_dwell_s

    def energy_j(self, dwell: str) -> float:
        """Energy of a ``'search'``, ``'cued'`` (one beam of a cued acquisition, the track
        dwell's energy shared by ``cued_beams`` beams) or ``'track'`` dwell."""
        if dwell == "search":
            return self.search_energy_j
        if dwell == "track":
            return self.track_energy_j
        if dwell == "cued":
            return self.track_energy_j / self.cued_beams
        raise InputError(f"dwell: {dwell!r} is not one of 'search', 'cued', 'track'")

    def dwell_s(self, dwell: str) -> float:
        """Coherent integration time of a dwell (sets the Doppler resolution)."""
        if dwell == "track":
            return self.track_dwell_s
        if dwell == "cued":
            return self.track_dwell_s / self.cued_beams
        beams = self.fence_solid_angle_sr * self.effective_aperture_m2 / self.wavelength_m**2
        return self.search_frame_s * self.search_budget / beams


@dataclass(frozen=True, kw_only=True)
class Emplacement:
    """Where a radar stands and where its face points."""

    lat_deg: float
    lon_deg: float
    alt_m: float
    boresight_deg: float
    """Azimuth of the face normal, clockwise from north."""
    name: str = ""
    min_elevation_deg: float | None = None
    """The lowest elevation the radar is operated at here, where the site sets one (e.g.
    Seongju's 5 deg, ``sites.yaml``); it overrides the radar's own
    (:func:`min_elevation_deg`). None: the radar's."""

    def __post_init__(self) -> None:
        low = self.min_elevation_deg
        if low is not None and not (isinstance(low, int | float) and 0.0 <= low < 90.0):
            raise InputError(f"emplacement min_elevation_deg: {low!r} deg is not allowed; "
                             "allowed: a number in [0, 90), or None (the radar's)")
        if not 0.0 <= self.boresight_deg < 360.0:
            raise InputError(f"boresight: {self.boresight_deg!r} deg is outside [0, 360)")
        if not -90.0 <= self.lat_deg <= 90.0:
            raise InputError(f"site latitude: {self.lat_deg!r} deg is outside [-90, 90]")


# --------------------------------------------------------------------------------------------
# Signal-to-noise and detection
# --------------------------------------------------------------------------------------------


def check_rcs(rcs_m2: npt.ArrayLike) -> FloatArray:
    rcs = np.asarray(rcs_m2, dtype=np.float64)
    if np.any(~((rcs > 0.0) & (rcs <= MAX_RCS_M2))):
        raise InputError(f"rcs: {rcs_m2!r} m^2 must be positive (a radar cross-section) and "
                         f"at most {MAX_RCS_M2:g} m^2")
    return rcs


def snr(
    radar: Radar,
    energy_j: npt.ArrayLike,
    range_m: npt.ArrayLike,
    rcs_m2: npt.ArrayLike,
    scan_cos: npt.ArrayLike = 1.0,
) -> FloatArray:
    r"""Signal-to-noise ratio (linear) of one dwell of energy ``energy_j`` on a target.

    .. math:: \mathrm{SNR} = \frac{E A_e^2 \sigma \cos^n\theta_s}{4\pi\lambda^2 R^4 k_B T_s L}
    """
    a_e = radar.effective_aperture_m2
    num = np.asarray(energy_j) * a_e**2 * check_rcs(rcs_m2)
    num = num * np.clip(np.asarray(scan_cos, dtype=np.float64), 0.0, 1.0) ** (
        radar.scan_loss_exponent)
    return np.asarray(num / (_noise_term(radar) * np.asarray(range_m, dtype=np.float64) ** 4),
                      dtype=np.float64)


def _noise_term(radar: Radar) -> float:
    r""":func:`snr`'s denominator without the range, :math:`4\pi\lambda^2 k_B T_s L`."""
    return float(4.0 * np.pi * radar.wavelength_m**2 * BOLTZMANN_JPK
                 * radar.noise_temperature_k * radar.loss_factor)


def range_for_snr(
    radar: Radar,
    energy_j: float,
    snr_linear: npt.ArrayLike,
    rcs_m2: npt.ArrayLike,
    scan_cos: npt.ArrayLike = 1.0,
) -> FloatArray:
    """The range at which :func:`snr` equals ``snr_linear`` (the equation solved for R)."""
    ref = snr(radar, energy_j, 1.0, rcs_m2, scan_cos)
    return np.asarray((ref / np.asarray(snr_linear, dtype=np.float64)) ** 0.25)


def pd_from_snr(snr_linear: npt.ArrayLike, pfa: float, swerling: int = 1) -> FloatArray:
    r"""Probability of detection of one dwell at a threshold set for false-alarm ``pfa``.

    Swerling 1: :math:`P_d = P_{fa}^{1/(1+\mathrm{SNR})}` (Swerling 1960; Skolnik 2001
    eq. 2.50 with n = 1). Swerling 0 and 5 (steady target):
    :math:`P_d = Q_1(\sqrt{2\,\mathrm{SNR}}, \sqrt{-2\ln P_{fa}})`, the survival function of
    a noncentral chi-square of 2 degrees of freedom and noncentrality 2 SNR at
    :math:`-2\ln P_{fa}` (Marcum 1960; Richards, *Fundamentals of Radar Signal Processing*,
    2005, eq. 6.28).
    """
    if not 0.0 < pfa < 1.0:
        raise InputError(f"false-alarm probability: {pfa!r} is outside (0, 1)")
    s = np.maximum(np.asarray(snr_linear, dtype=np.float64), 0.0)
    if swerling == 1:
        return np.asarray(pfa ** (1.0 / (1.0 + s)))
    if swerling in (0, 5):
        from scipy import stats  # here: its import builds every distribution's docstring

        return np.asarray(stats.ncx2.sf(-2.0 * np.log(pfa), 2.0, 2.0 * s))
    raise InputError(f"swerling: {swerling!r} is not one of {SWERLING_CASES}")


def snr_for_pd(pd: float, pfa: float, swerling: int = 1) -> float:
    """The single-dwell SNR (linear) that gives detection probability ``pd`` (inverse of
    :func:`pd_from_snr`): closed form for Swerling 1, a root search for Swerling 0/5."""
    if not pfa < pd < 1.0:
        raise InputError(f"detection probability: {pd!r} must lie in (pfa, 1) = ({pfa}, 1)")
    if swerling == 1:
        return float(np.log(pfa) / np.log(pd) - 1.0)
    pd_from_snr(1.0, pfa, swerling)  # validates swerling and pfa
    from scipy import optimize  # here: SciPy's import is a start-up cost

    return float(optimize.brentq(lambda s: float(pd_from_snr(s, pfa, swerling)) - pd,
                                 0.0, 1e4, xtol=1e-12))


def detection_range_m(
    radar: Radar,
    rcs_m2: float,
    dwell: str = "search",
    scan_cos: npt.ArrayLike = 1.0,
    pd: float | None = None,
) -> FloatArray:
    """Range at which one dwell detects the target with probability ``pd`` (the radar's
    ``detection_pd`` unless given), from the range equation alone (no horizon)."""
    need = snr_for_pd(radar.detection_pd if pd is None else pd, radar.false_alarm_probability,
                      radar.swerling)
    return range_for_snr(radar, radar.energy_j(dwell), need, rcs_m2, scan_cos)


# --------------------------------------------------------------------------------------------
# Geometry: refracted line of sight, the face
# --------------------------------------------------------------------------------------------


def _principal_radii_m(lat_deg: float, earth: Earth) -> tuple[float, float]:
    """The ellipsoid's meridional (M) and prime-vertical (N) radii of curvature at a
    latitude, m."""
    w2 = 1.0 - earth.e2 * np.sin(np.radians(lat_deg)) ** 2
    return earth.a_m * (1.0 - earth.e2) / w2**1.5, earth.a_m / np.sqrt(w2)


def _radius_along_azimuth_m(lat_deg: float, azimuth_deg: npt.ArrayLike, earth: Earth) -> FloatArray:
    r"""Euler's radius of curvature of the ellipsoid at a latitude in a direction,
    :math:`1/R_\alpha = \cos^2\alpha / M + \sin^2\alpha / N`."""
    m, n = _principal_radii_m(lat_deg, earth)
    alpha = np.radians(np.asarray(azimuth_deg, dtype=np.float64))
    return np.asarray(1.0 / (np.cos(alpha) ** 2 / m + np.sin(alpha) ** 2 / n))


def refracted_elevation_deg(
    ground_range_m: npt.ArrayLike,
    target_alt_m: npt.ArrayLike,
    site_alt_m: float,
    radius_m: npt.ArrayLike,
    k: float = STANDARD_REFRACTION_K,
) -> FloatArray:
    r"""Apparent elevation of a target over an Earth of effective radius :math:`a_e = kR`.

    Refraction bends rays down at about a quarter of the Earth's curvature; drawing rays
    straight over a sphere of radius :math:`a_e = kR` (``k`` = 4/3 for the standard
    atmosphere; 1 for none) keeps the heights and the ground range and gives the apparent
    elevation (Skolnik 2001, §8.2; Doerry, Sandia SAND2013-9010, 2013):

    .. math:: \tan\epsilon = \frac{(a_e + h_t)\cos\theta - (a_e + h_r)}
                                  {(a_e + h_t)\sin\theta},\qquad \theta = d / a_e
    """
    a_e = k * np.asarray(radius_m, dtype=np.float64)
    theta = np.asarray(ground_range_m, dtype=np.float64) / a_e
    rt = a_e + np.asarray(target_alt_m, dtype=np.float64)
    return np.asarray(np.degrees(np.arctan2(rt * np.cos(theta) - (a_e + site_alt_m),
                                            rt * np.sin(theta))))


def clears_earth(
    ground_range_m: npt.ArrayLike,
    target_alt_m: npt.ArrayLike,
    site_alt_m: float,
    radius_m: npt.ArrayLike,
    k: float = STANDARD_REFRACTION_K,
) -> npt.NDArray[np.bool_]:
    r"""Whether the straight ray from the radar to the target clears an Earth of effective
    radius :math:`a_e = kR` (the geometric line-of-sight test over the effective Earth).

    With the radar at :math:`P_0 = (0, a_e + h_r)` and the target at
    :math:`P_1 = (a_e + h_t)(\sin\theta, \cos\theta)`, the ray clears the Earth when
    the point of the segment nearest the centre is at least :math:`a_e` from it. Its
    limit is the grazing ray of the classical radar horizon,
    :math:`d = a_e[\arccos(a_e/(a_e+h_r)) + \arccos(a_e/(a_e+h_t))]`.
    """
    a_e = k * np.asarray(radius_m, dtype=np.float64)
    theta = np.asarray(ground_range_m, dtype=np.float64) / a_e
    rt = a_e + np.asarray(target_alt_m, dtype=np.float64)
    p0y = a_e + site_alt_m
    dx, dy = rt * np.sin(theta), rt * np.cos(theta) - p0y
    t = np.clip(-(p0y * dy) / np.maximum(dx * dx + dy * dy, 1e-30), 0.0, 1.0)
    return np.asarray(np.hypot(t * dx, p0y + t * dy) >= a_e)


def scan_cosine(
    az_deg: npt.ArrayLike, el_deg: npt.ArrayLike, radar: Radar, emplacement: Emplacement
) -> FloatArray:
    """Cosine of the angle between the line of sight and the face normal."""
    az, el = np.radians(np.asarray(az_deg)), np.radians(np.asarray(el_deg))
    bore, tilt = np.radians(emplacement.boresight_deg), np.radians(radar.face_tilt_deg)
    return np.asarray(np.cos(el) * np.cos(tilt) * np.cos(az - bore) + np.sin(el) * np.sin(tilt))


def off_boresight_deg(az_deg: npt.ArrayLike, emplacement: Emplacement) -> FloatArray:
    """Signed azimuth from the boresight, in [-180, 180)."""
    return np.asarray((np.asarray(az_deg) - emplacement.boresight_deg + 180.0) % 360.0 - 180.0)


def min_elevation_deg(radar: Radar, emplacement: Emplacement) -> float:
    """The lowest elevation of the radar's beams at this emplacement: the site's figure
    where it sets one (:attr:`Emplacement.min_elevation_deg`), else the radar's."""
    site = emplacement.min_elevation_deg
    return radar.min_elevation_deg if site is None else float(site)


def face_status(
    az_deg: npt.ArrayLike,
    apparent_el_deg: npt.ArrayLike,
    clear: npt.ArrayLike,
    radar: Radar,
    emplacement: Emplacement,
    range_m: npt.ArrayLike,
) -> npt.NDArray[np.int8]:
    """Visibility status of directions (azimuth, apparent elevation, whether the ray clears
    the Earth, slant range): :data:`VISIBLE`, :data:`BELOW_HORIZON`, :data:`OUTSIDE_SECTOR`,
    :data:`ABOVE_FACE` or :data:`BEYOND_RANGE`. The one place a look's status is decided:
    every dwell of every sensor (search, cued, track) and the coverage fans go through it.

    Where several reasons hold, the first of horizon, sector, elevation limit, range is
    given (what the geometry forbids before what the mode's software leaves out). A NaN
    range is beyond range.
    """
    el = np.asarray(apparent_el_deg, dtype=np.float64)
    off = np.abs(off_boresight_deg(az_deg, emplacement))
    rng = np.asarray(range_m, dtype=np.float64)
    status = np.full(np.broadcast_shapes(el.shape, off.shape, rng.shape), VISIBLE,
                     dtype=np.int8)
    status[np.broadcast_to(~(rng <= radar.instrumented_range_m), status.shape)] = BEYOND_RANGE
    status[np.broadcast_to(el > radar.max_elevation_deg, status.shape)] = ABOVE_FACE
    status[np.broadcast_to(off > radar.scan_half_width_deg, status.shape)] = OUTSIDE_SECTOR
    low = ~(el >= min_elevation_deg(radar, emplacement)) | ~np.asarray(clear, dtype=bool)
    status[np.broadcast_to(low, status.shape)] = BELOW_HORIZON
    return status


# --------------------------------------------------------------------------------------------
# Looking at targets
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Look:
    """What one look of the radar finds on each target (arrays of the targets' shape)."""

    az_deg: FloatArray
    el_deg: FloatArray
    """Geometric elevation (what the angle measurement reports)."""
    apparent_el_deg: FloatArray
    """Elevation of the refracted ray, which decides the horizon."""
    range_m: FloatArray
    range_rate_mps: FloatArray
    status: npt.NDArray[np.int8]
    scan_cos: FloatArray
    snr: FloatArray
    """Linear SNR of the dwell; 0 where the target is not visible."""
    pd: FloatArray

    @property
    def visible(self) -> npt.NDArray[np.bool_]:
        return np.asarray(self.status == VISIBLE)


def look(
    radar: Radar,
    emplacement: Emplacement,
    r_ecef_m: npt.ArrayLike,
    v_ecef_mps: npt.ArrayLike,
    rcs_m2: npt.ArrayLike,
    dwell: str = "search",
    refraction_k: float = STANDARD_REFRACTION_K,
    earth: Earth = WGS84,
    backend: GeometryBackend = "compiled",
) -> Look:
    """Geometry, visibility, SNR and detection probability of targets for one dwell.

    Parameters
    ----------
    radar, emplacement : Radar, Emplacement
        The radar in its mode and where it stands.
    r_ecef_m, v_ecef_mps : array_like, shape (..., 3)
        Earth-fixed positions and velocities of the targets.
    rcs_m2 : array_like
        Radar cross-sections, broadcast against the targets.
    dwell : {'search', 'cued', 'track'}
        Which dwell illuminates them (sets the energy; :meth:`Radar.energy_j`).
    refraction_k : float
        Effective-Earth factor (4/3 standard refraction; 1 for a geometric line of sight).
    backend : {'compiled', 'numpy'}
        How the site's view of the targets is computed
        (:func:`~thaadsim.physics.geodesy.site_view`: one compiled call, or the library
        calls, pymap3d and pyproj); the two agree to rounding.
    """
    if backend == "compiled":
        r = np.asarray(r_ecef_m, dtype=np.float64)
        v = np.asarray(v_ecef_mps, dtype=np.float64)
        shape = np.broadcast_shapes(r.shape, v.shape)
        if (shape[-1:] == (3,)
                and np.broadcast_shapes(np.shape(rcs_m2), shape[:-1]) == shape[:-1]):
            state = np.concatenate([np.broadcast_to(r, shape), np.broadcast_to(v, shape)], -1)
            return look_where(radar, emplacement, state, np.ones(shape[:-1], dtype=bool),
                              rcs_m2, dwell, refraction_k, earth, zero_nan=False)
    site = (emplacement.lat_deg, emplacement.lon_deg, emplacement.alt_m)
    view = site_view(r_ecef_m, v_ecef_mps, *site, earth=earth, backend=backend)
    az, el, rng, rdot = view.az_deg, view.el_deg, view.range_m, view.range_rate_mps
    radius = _radius_along_azimuth_m(site[0], view.ground_az_deg, earth)
    apparent = refracted_elevation_deg(view.ground_m, view.alt_m, site[2], radius, refraction_k)
    clear = clears_earth(view.ground_m, view.alt_m, site[2], radius, refraction_k)
    status = face_status(az, apparent, clear, radar, emplacement, rng)
    cos_s = scan_cosine(az, el, radar, emplacement)
    s = np.where(status == VISIBLE, snr(radar, radar.energy_j(dwell), np.maximum(rng, 1.0),
                                        rcs_m2, cos_s), 0.0)
    pd = np.where(status == VISIBLE,
                  pd_from_snr(s, radar.false_alarm_probability, radar.swerling), 0.0)
    return Look(az_deg=az, el_deg=el, apparent_el_deg=apparent, range_m=rng,
                range_rate_mps=rdot, status=status, scan_cos=cos_s, snr=s, pd=pd)


def _look_pack(radar: Radar, emplacement: Emplacement, dwell: str, refraction_k: float,
               earth: Earth, zero_nan: bool) -> FloatArray:
    """The compiled look's ``prm`` (:mod:`~thaadsim.systems._radar_kernel`): the figures
    of :func:`look`'s NumPy functions, each computed here as they compute it."""
    tilt = np.radians(radar.face_tilt_deg)
    return np.array([
        refraction_k, *_principal_radii_m(emplacement.lat_deg, earth),
        emplacement.alt_m, emplacement.boresight_deg, radar.instrumented_range_m,
        radar.max_elevation_deg, radar.scan_half_width_deg,
        min_elevation_deg(radar, emplacement), np.cos(tilt), np.sin(tilt),
        radar.scan_loss_exponent,
        radar.energy_j(dwell) * radar.effective_aperture_m2**2 / _noise_term(radar),
        radar.false_alarm_probability, float(zero_nan)], dtype=np.float64)


@dataclass(frozen=True)
class KernelPacks:
    """What a compiled chain of looks from one radar takes
    (:mod:`~thaadsim.systems._detection_kernel`): the site's packs
    (:func:`~thaadsim.physics.geodesy.site_kernel_packs`) and, per dwell, the look's
    (:func:`_look_pack`, NaN states read as 0, as :func:`look_where` reads them) and the
    measurement's (:func:`_measure_pack`)."""

    site: FloatArray
    site_geo: FloatArray
    earth: FloatArray
    look: dict[str, FloatArray]
    measure: dict[str, FloatArray]


def kernel_packs(radar: Radar, emplacement: Emplacement, dwells: tuple[str, ...],
                 refraction_k: float = STANDARD_REFRACTION_K, earth: Earth = WGS84
                 ) -> KernelPacks:
    """The :class:`KernelPacks` of ``radar`` at ``emplacement`` for the ``dwells``."""
    site, geo, earth_pack = site_kernel_packs(emplacement.lat_deg, emplacement.lon_deg,
                                              emplacement.alt_m, earth)
    return KernelPacks(
        site=site, site_geo=geo, earth=earth_pack,
        look={d: _look_pack(radar, emplacement, d, refraction_k, earth, True) for d in dwells},
        measure={d: _measure_pack(radar, d) for d in dwells})


def look_where(
    radar: Radar,
    emplacement: Emplacement,
    state: npt.ArrayLike,
    where: npt.ArrayLike,
    rcs_m2: npt.ArrayLike,
    dwell: str = "search",
    refraction_k: float = STANDARD_REFRACTION_K,
    earth: Earth = WGS84,
    zero_nan: bool = True,
) -> Look:
    """:func:`look` (compiled) at Earth-fixed states ``state`` (..., 6) where ``where``
    (...) holds, in one Numba call; elsewhere not visible (:data:`BELOW_HORIZON`, zero
    geometry, SNR and detection probability), without computing it. ``zero_nan``: read NaN
    components of the states as 0 (``numpy.nan_to_num``), else let them make NaN
    geometry."""
    y = np.asarray(state, dtype=np.float64)
    mask = np.asarray(where, dtype=bool)
    if y.shape[-1:] != (6,) or y.shape[:-1] != mask.shape:
        raise InputError(f"look_where: state {y.shape} is not (..., 6) over where {mask.shape}")
    shape = mask.shape
    rcs = check_rcs(np.broadcast_to(np.asarray(rcs_m2, dtype=np.float64), shape)[mask])
    flat_rcs = np.zeros(mask.size)
    flat_rcs[mask.ravel()] = rcs
    site, geo, earth_pack = site_kernel_packs(emplacement.lat_deg, emplacement.lon_deg,
                                              emplacement.alt_m, earth)
    n = mask.size
    out: list[npt.NDArray[Any]] = [np.empty(n) for _ in range(9)]
    out[5] = np.empty(n, dtype=np.int8)  # the status
    _radar_kernel.look_many(np.require(y.reshape(-1, 6), np.float64, ["C", "W"]),
                            np.require(mask.ravel(), np.bool_, ["C", "W"]), flat_rcs, site,
                            geo, earth_pack,
                            _look_pack(radar, emplacement, dwell, refraction_k, earth, zero_nan),
                            *out)
    az, el, apparent, rng, rate, status, cos_s, s, pd = (o.reshape(shape) for o in out)
    if radar.swerling != 1:  # the kernel's pd is Swerling 1's
        pd = np.where(status == VISIBLE,
                      pd_from_snr(s, radar.false_alarm_probability, radar.swerling), 0.0)
    return Look(az_deg=az, el_deg=el, apparent_el_deg=apparent, range_m=rng,
                range_rate_mps=rate, status=status, scan_cos=cos_s, snr=s, pd=pd)


def measurement_sigmas(radar: Radar, view: Look, dwell: str = "search") -> FloatArray:
    r"""One-sigma errors of (range m, azimuth rad, elevation rad, range rate m/s), (..., 4).

    Thermal noise :math:`\delta / (k\sqrt{2\,\mathrm{SNR}})` (Skolnik 2001 §6.3; Barton 2005
    ch. 7) added in quadrature to a floor; the angle resolution is the beamwidth broadened
    by the scan, :math:`\lambda / (D\cos\theta_s)`, and an azimuth error is a cross-range
    error divided by :math:`\cos\epsilon`.
    """
    root = np.sqrt(2.0 * np.maximum(view.snr, 1e-12))
    cos_s = np.clip(view.scan_cos, 0.05, 1.0)
    angle = radar.beamwidth_rad / (cos_s * radar.monopulse_slope * root)
    sig_angle = np.hypot(angle, radar.angle_floor_rad)
    sig_range = np.hypot(SPEED_OF_LIGHT_MPS / (2.0 * radar.bandwidth_hz) / root,
                         radar.range_floor_m)
    sig_rate = np.hypot(radar.wavelength_m / (2.0 * radar.dwell_s(dwell)) / root,
                        radar.range_rate_floor_mps)
    sig_az = sig_angle / np.maximum(np.cos(np.radians(view.el_deg)), 0.05)
    return np.stack([sig_range, sig_az, sig_angle, sig_rate], axis=-1)


def _measure_pack(radar: Radar, dwell: str) -> FloatArray:
    """The compiled measurement's ``prm`` (:func:`~thaadsim.systems._radar_kernel.measure_one`):
    the resolutions and floors of :func:`measurement_sigmas`, computed as it computes them."""
    return np.array([radar.beamwidth_rad, radar.monopulse_slope, radar.angle_floor_rad,
                     SPEED_OF_LIGHT_MPS / (2.0 * radar.bandwidth_hz), radar.range_floor_m,
                     radar.wavelength_m / (2.0 * radar.dwell_s(dwell)),
                     radar.range_rate_floor_mps])


def measure(
    radar: Radar, view: Look, rng: np.random.Generator, dwell: str = "search",
    backend: GeometryBackend = "compiled",
) -> tuple[FloatArray, FloatArray]:
    """Noisy measurements (range m, azimuth rad, elevation rad, range rate m/s) and their
    sigmas, both (..., 4); Gaussian errors of :func:`measurement_sigmas`. Rows where the
    target was not visible are NaN. ``backend="compiled"`` computes the same in one Numba
    call (:func:`~thaadsim.systems._radar_kernel.measure_many`), from the same draws."""
    if backend == "compiled":
        shape = np.shape(view.range_m)
        normal = rng.standard_normal(shape + (4,))
        z = np.empty(shape + (4,))
        sig = np.empty(shape + (4,))

        def flat(a: npt.ArrayLike, dtype: type = np.float64) -> npt.NDArray[Any]:
            return np.require(np.reshape(a, -1), dtype, ["C", "W"])

        _radar_kernel.measure_many(
            flat(view.range_m), flat(view.az_deg), flat(view.el_deg), flat(view.range_rate_mps),
            flat(view.status, np.int8), flat(view.scan_cos), flat(view.snr),
            normal.reshape(-1, 4), _measure_pack(radar, dwell), z.reshape(-1, 4),
            sig.reshape(-1, 4))
        return z, sig
    sig = measurement_sigmas(radar, view, dwell)
    truth = np.stack([view.range_m, np.radians(view.az_deg), np.radians(view.el_deg),
                      view.range_rate_mps], axis=-1)
    z = truth + sig * rng.standard_normal(sig.shape)
    z[..., 1] = np.mod(z[..., 1], 2.0 * np.pi)
    z[~view.visible] = np.nan
    return z, sig
