r"""Tracking ballistic targets: an extended Kalman filter in the Earth-fixed frame.

The split follows Stone Soup: :func:`initiate` makes tracks from detections,
:func:`predict` moves them to a later time, :func:`update` corrects them with a
measurement; :func:`m_of_n` and :func:`firm_track_time` say when a track is
confirmed and when it is good enough for fire control, and :func:`predict_impact`
gives the impact point and its covariance that fire control uses. Every function
works on many tracks at once (a :class:`Tracks` bundle): no loop runs over tracks.

State and dynamics
------------------
The state of a track is its Earth-fixed (ECEF, WGS84) position and velocity,
:math:`\mathbf x = (\mathbf r, \mathbf v)`, metres and m/s, shape ``(n, 6)``. In the
frame rotating at :math:`\boldsymbol\omega = \omega\hat{\mathbf z}` (Vallado,
*Fundamentals of Astrodynamics and Applications*, 4th ed., sec. 3.7; the same model as
:mod:`thaadsim.physics.propagate`):

.. math::

    \dot{\mathbf r} = \mathbf v,\qquad
    \dot{\mathbf v} = \mathbf g(\mathbf r) - 2\boldsymbol\omega\times\mathbf v
        - \boldsymbol\omega\times(\boldsymbol\omega\times\mathbf r)
        - \frac{\rho(h)\,|\mathbf v|}{2\beta}\,\mathbf v

with J2 gravity :math:`\mathbf g` (:func:`~thaadsim.physics.gravity.gravity_accel_mps2`),
the U.S. Standard Atmosphere 1976 density :math:`\rho` at the geodetic height
:math:`h`, the air at rest in the Earth-fixed frame and a known ballistic coefficient
:math:`\beta = m / (C_D A)` per track (``inf``: no drag).

:func:`predict` integrates the state and its state-transition matrix
:math:`\Phi`, :math:`\dot\Phi = A(\mathbf x)\Phi`, :math:`\Phi(t_0) = I`, together by
the classical fourth-order Runge-Kutta method with fixed sub-steps of at most
``step_s`` (the Jacobian :math:`A = \partial\dot{\mathbf x}/\partial\mathbf x` is
analytic, see :func:`dynamics_jacobian`). The covariance is then
:math:`P^- = \Phi P \Phi^\mathsf T + Q`.

Process noise
-------------
A continuous white-noise acceleration of power spectral density :math:`q`
(``q_m2ps3``, m^2/s^3, the same on each ECEF axis) stands for what the model lacks
(the day's air density, an unknown ballistic coefficient, small manoeuvres). Its
discrete form over an interval :math:`\Delta t` is that of a constant-velocity model
(Bar-Shalom, Li & Kirubarajan, *Estimation with Applications to Tracking and
Navigation*, 2001, sec. 6.2.2):

.. math::

    Q = q\begin{pmatrix}\tfrac{\Delta t^3}{3} I_3 & \tfrac{\Delta t^2}{2} I_3\\
                        \tfrac{\Delta t^2}{2} I_3 & \Delta t\, I_3\end{pmatrix}.

It neglects the gravity gradient over :math:`\Delta t` (a relative change of order
:math:`\Delta t^2 \mu/r^3 \approx 10^{-6}\,\Delta t^2`), good for radar revisit
intervals of seconds.

Measurement
-----------
A radar at a fixed site measures, per track, :math:`\mathbf z = (\rho, \alpha,
\epsilon, \dot\rho)`: slant range (m), azimuth clockwise from north (rad), elevation
(rad) and range rate (m/s), from :func:`~thaadsim.physics.geodesy.ecef_to_aer_rate`.
Its noise is Gaussian, independent between components, with standard deviations given
per measurement (``sigmas``, same units), because a radar's accuracy falls with the
signal-to-noise ratio. The Jacobian :math:`H` is analytic (:func:`measurement_jacobian`;
exact and cheaper than differences, and tested against central differences). The
azimuth residual is wrapped into :math:`(-\pi, \pi]`.

The update is the extended Kalman filter's with the Joseph form of the covariance
(Bar-Shalom et al. 2001, sec. 5.2.3, eq. 5.2.3-18), which stays symmetric positive
definite in floating point:

.. math::

    S = HP^-H^\mathsf T + R,\quad K = P^-H^\mathsf T S^{-1},\quad
    \hat{\mathbf x} = \mathbf x^- + K(\mathbf z - h(\mathbf x^-)),\quad
    P = (I - KH)P^-(I - KH)^\mathsf T + KRK^\mathsf T.

Initiation and track quality
----------------------------
:func:`initiate` makes a track from the first two detections of a target by two-point
differencing (Bar-Shalom et al. 2001, sec. 5.5.3), with the acceleration of the model
carrying the chord's velocity to the second detection; why two and not one is said
there.

:func:`m_of_n` confirms a track when M of the last N looks detected the target
(Blackman & Popoli, *Design and Analysis of Modern Tracking Systems*, 1999, sec. 6.3).
A *firm* track (:func:`firm_track_time`) is a confirmed track whose position and
velocity uncertainties (square roots of the traces of the position and velocity blocks
of :math:`P`) are both below thresholds (:class:`FirmTrackRule`): then it can cue an
interceptor.

Two backends
------------
:func:`predict`, :func:`update`, :func:`transition`, :func:`dynamics`,
:func:`dynamics_jacobian`, :func:`initiate` and :func:`filter_looks` take ``backend``:
``"compiled"`` (the default) runs the equations above in the Numba kernels of
:mod:`thaadsim.systems._track_kernel`, one call over all tracks with the loop inside
(:func:`filter_looks`: over all tracks and all their looks); ``"numpy"`` runs the array
code of this module, the reference. They do the same arithmetic in a different order and
agree to rounding (tested: states and covariances to 1e-9, the same firm-track looks).

Impact prediction
-----------------
:func:`predict_impact` carries the state distribution to the ground (altitude 0) by
the unscented transform (Julier & Uhlmann, *Proc. IEEE* 92 (2004) 401; the scaled set
of Wan & van der Merwe 2000 with alpha = 1, beta = 2, kappa = 0: :math:`2\cdot 6`
points at :math:`\pm\sqrt 6` standard deviations and the mean): each sigma point flies
to impact with :func:`~thaadsim.physics.propagate.propagate`, the same dynamics as the
filter, and the impact points, expressed in the local east-north plane at the central
point's impact, give the mean and the 2x2 ground covariance. The unscented transform
captures the strongly nonlinear map from a state high in the sky to a point on the
ground better than a linearisation and needs no Jacobian of the impact event.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal, Protocol

import numpy as np
import numpy.typing as npt

from thaadsim.errors import InputError
from thaadsim.physics import atmosphere
from thaadsim.physics.atmosphere import density_kgm3
from thaadsim.physics.earth import WGS84, Earth
from thaadsim.physics.geodesy import (
    aer_to_ecef,
    ecef_to_aer_rate,
    ecef_to_enu,
    ecef_to_geodetic,
    enu_basis,
    enu_to_ecef,
    geodetic_to_ecef,
)
from thaadsim.physics.gravity import gravity_accel_mps2
from thaadsim.physics.propagate import IMPACT, propagate
from thaadsim.systems import _track_kernel as kernel

__all__ = [
    "BACKENDS",
    "DEFAULT_BACKEND",
    "MEASUREMENT_NAMES",
    "Backend",
    "FirmTrackRule",
    "ImpactPrediction",
    "SiteLike",
    "TrackerParams",
    "Tracks",
    "dynamics",
    "detection_position",
    "dynamics_jacobian",
    "filter_looks",
    "firm_track_time",
    "initiate",
    "innovation",
    "LookRun",
    "m_of_n",
    "measurement",
    "measurement_jacobian",
    "predict",
    "predict_impact",
    "process_noise",
    "track_sigmas",
    "transition",
    "update",
    "wrap_angle_rad",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

MEASUREMENT_NAMES = ("range_m", "az_rad", "el_rad", "range_rate_mps")
"""The components of a measurement ``z`` and of its ``sigmas``, in order."""

_DENSITY_STEP_M = kernel._DENSITY_STEP_M
"""Altitude step of the central difference that gives d(rho)/dh for the drag Jacobian."""

Backend = Literal["numpy", "compiled"]
"""How the filter's predict and update run: ``"compiled"``, the Numba kernels of
:mod:`thaadsim.systems._track_kernel` (one call over all tracks, the loop inside), or
``"numpy"``, the array code of this module (the reference, and the benchmark's baseline).
The two agree to rounding."""
BACKENDS: tuple[Backend, ...] = ("numpy", "compiled")
DEFAULT_BACKEND: Backend = "compiled"


def _check_backend(backend: str) -> None:
    if backend not in BACKENDS:
        raise InputError(f"backend: {backend!r} is not one of {', '.join(BACKENDS)}")


@lru_cache(maxsize=8)
def _kernel_model(
    earth: Earth,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, IntArray]:
    """The packed arguments of the kernels for an Earth model: ``earth``, ``atm``,
    ``layers``, ``px``, ``pc``, ``index`` (:mod:`~thaadsim.systems._track_kernel`). The
    atmosphere's tables are the very ones :func:`~thaadsim.physics.atmosphere.density_kgm3`
    uses (read here, in one place, from that module's private names and
    :func:`~thaadsim.physics.atmosphere.log_density_table`)."""
    atm = atmosphere
    x, c, scale_height_m = atm.log_density_table()
    px = np.ascontiguousarray(x, dtype=np.float64)
    pack = (
        np.array([earth.a_m, earth.e2, earth.b_m, earth.gm_m3ps2, earth.j2, earth.omega_radps]),
        np.array([atm.R0_M, atm.Z_MIN_M, atm._G0_M0_OVER_R_STAR_K_PER_M, atm._R_AIR_J_PER_KG_K,
                  atm.Z_86KM_M, atm.Z_MAX_M, scale_height_m]),
        np.ascontiguousarray(np.stack([atm._H_BASE_M, atm._T_BASE_K, atm._P_BASE_PA,
                                       atm._LAPSE_K_PER_M]), dtype=np.float64),
        px,
        np.ascontiguousarray(c, dtype=np.float64),
        np.clip(np.searchsorted(px, np.arange(atm.Z_86KM_M, atm.Z_MAX_M + 1e3, 1e3), "right") - 1,
                0, px.size - 2).astype(np.int64),
    )
    return pack  # writable arrays, as every caller passes them: one compiled signature


def _kernel_site(site: SiteLike, earth: Earth) -> FloatArray | None:
    """The site pack (4, 3) of the kernels (ENU basis rows, ECEF position), or None for a
    site given per track (arrays), which the NumPy path handles."""
    if any(np.size(np.asarray(c)) != 1 for c in (site.lat_deg, site.lon_deg, site.alt_m)):
        return None
    lat, lon, alt = (float(np.asarray(c).ravel()[0])
                     for c in (site.lat_deg, site.lon_deg, site.alt_m))
    basis, r_site = _site_frame(_Site(lat, lon, alt), earth)
    return np.ascontiguousarray(np.concatenate([basis, np.reshape(r_site, (1, 3))]))


@dataclass(frozen=True)
class _Site:
    lat_deg: float
    lon_deg: float
    alt_m: float


def _rows6(x: npt.ArrayLike) -> FloatArray:
    return np.array(x, dtype=np.float64, ndmin=2, order="C", copy=True)


# --------------------------------------------------------------------------------------------
# Parameters and the track bundle
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class TrackerParams:
    """Settings of the filter, shared by all tracks."""

    q_m2ps3: float = 1.0
    """Power spectral density of the white process-noise acceleration, m^2/s^3 (per axis).
    The velocity it lets wander is a random walk of sqrt(q t): with the default 1 m^2/s^3,
    1 m/s after 1 s and 10 m/s after 100 s, room for the small unmodelled forces of
    midcourse flight. Deep in the atmosphere, where the day's air density and an uncertain
    ballistic coefficient change the drag by tens of percent, a larger q is needed."""
    step_s: float = 0.5
    """Largest Runge-Kutta sub-step of the prediction, s."""
    drag: bool = True
    """Model drag for tracks with a finite ballistic coefficient."""
    earth: Earth = WGS84
    thin_air_step_s: float = 1.0
    """Largest RK4 sub-step of the compiled filter's look-to-look predictions
    (:func:`filter_looks`, ``backend="compiled"``) where the track's drag deceleration is
    at most ``thin_drag_mps2``: there the dynamics vary on the orbit's time scale (the drag
    term, and its Jacobian, are below 1e-3 g), and one step of 1 s moves the filter's
    uncertainties by less than 3e-8 relative from ``step_s``'s two (measured on 200
    Scud-C tracks, tests/test_track_kernel.py), against 2e-3 that ``step_s`` itself
    leaves against a 16 times finer step. The NumPy path, the reference, takes ``step_s``
    throughout. Set it to ``step_s`` or below to turn the coarser step off."""
    thin_drag_mps2: float = 0.01
    """The drag deceleration (m/s^2, about 1e-3 g: a Scud-C's warhead near 70 km) up to
    which ``thin_air_step_s`` applies."""

    def __post_init__(self) -> None:
        if not (np.isfinite(self.thin_air_step_s) and self.thin_air_step_s > 0.0):
            raise InputError("TrackerParams.thin_air_step_s: expected > 0, got "
                             f"{self.thin_air_step_s!r}")
        if not (np.isfinite(self.thin_drag_mps2) and self.thin_drag_mps2 >= 0.0):
            raise InputError("TrackerParams.thin_drag_mps2: expected >= 0, got "
                             f"{self.thin_drag_mps2!r}")
        if not (np.isfinite(self.q_m2ps3) and self.q_m2ps3 >= 0.0):
            raise InputError(f"TrackerParams.q_m2ps3: expected >= 0, got {self.q_m2ps3!r}")
        if not (np.isfinite(self.step_s) and self.step_s > 0.0):
            raise InputError(f"TrackerParams.step_s: expected > 0, got {self.step_s!r}")


@dataclass(frozen=True, kw_only=True)
class Tracks:
    """Many tracks at one or several times: the filter's whole state.

    Shapes: ``state`` (n, 6) Earth-fixed position and velocity (m, m/s), ``cov`` (n, 6, 6)
    its covariance, ``t_s`` (n,) the time of each estimate, ``n_updates`` (n,) how many
    measurements each track has taken in (its two initiating detections included),
    ``beta_kgm2`` (n,) the ballistic coefficient assumed for drag (``inf``: none).
    """

    state: FloatArray
    cov: FloatArray
    t_s: FloatArray
    n_updates: IntArray
    beta_kgm2: FloatArray

    def __post_init__(self) -> None:
        n = self.state.shape[0] if self.state.ndim == 2 else -1
        if self.state.shape != (n, 6):
            raise InputError(f"Tracks.state: expected shape (n, 6), got {self.state.shape}")
        for name, shape in (
            ("cov", (n, 6, 6)),
            ("t_s", (n,)),
            ("n_updates", (n,)),
            ("beta_kgm2", (n,)),
        ):
            got = getattr(self, name).shape
            if got != shape:
                raise InputError(f"Tracks.{name}: expected shape {shape}, got {got}")

    def __len__(self) -> int:
        return int(self.state.shape[0])

    def take(self, index: npt.ArrayLike) -> Tracks:
        """The tracks selected by an integer or boolean index (a new bundle)."""
        idx = np.asarray(index)
        return Tracks(
            state=self.state[idx], cov=self.cov[idx], t_s=self.t_s[idx],
            n_updates=self.n_updates[idx], beta_kgm2=self.beta_kgm2[idx],
        )  # fmt: skip


class SiteLike(Protocol):
    """Anything with a geodetic position, e.g. a radar's
    :class:`~thaadsim.systems.radar.Emplacement` (arrays broadcast over tracks)."""

    @property
    def lat_deg(self) -> npt.ArrayLike: ...

    @property
    def lon_deg(self) -> npt.ArrayLike: ...

    @property
    def alt_m(self) -> npt.ArrayLike: ...


@dataclass(frozen=True, kw_only=True)
class FirmTrackRule:
    """When a track is firm: confirmed by M of N looks and accurate enough to engage.

    The thresholds are assumptions (the real ones are not public): 100 m of position
    and 10 m/s of velocity uncertainty keep the predicted intercept point within a
    few hundred metres over the tens of seconds of an interceptor's flight, well inside
    the field of view of a terminal seeker.
    """

    m: int = 3
    n: int = 5
    position_sigma_m: float = 100.0
    velocity_sigma_mps: float = 10.0

    def __post_init__(self) -> None:
        if not (1 <= self.m <= self.n):
            raise InputError(f"FirmTrackRule: expected 1 <= m <= n, got m={self.m}, n={self.n}")
        if not (self.position_sigma_m > 0.0 and self.velocity_sigma_mps > 0.0):
            raise InputError("FirmTrackRule: the sigma thresholds must be > 0")


@dataclass(frozen=True, kw_only=True)
class ImpactPrediction:
    """Where and when tracks will hit the ground (altitude 0), one row per track.

    ``ok`` is False where a sigma point did not reach the ground within the horizon
    or its integration failed; those rows are NaN.
    """

    lat_deg: FloatArray
    lon_deg: FloatArray
    t_s: FloatArray
    """Predicted impact time, s (the clock of the tracks)."""
    t_sigma_s: FloatArray
    """Standard deviation of the impact time, s."""
    cov_en_m2: FloatArray
    """Covariance of the impact point in the local east-north plane, m^2, (n, 2, 2)."""
    ok: BoolArray


# --------------------------------------------------------------------------------------------
# Dynamics
# --------------------------------------------------------------------------------------------


def _as_rows(value: npt.ArrayLike, n: int, name: str) -> FloatArray:
    arr = np.asarray(value, dtype=np.float64)
    try:
        return np.broadcast_to(arr, (n,)).astype(np.float64)
    except ValueError:
        raise InputError(f"{name}: shape {arr.shape} does not broadcast to {n} tracks") from None


def _air(r_m: FloatArray, earth: Earth) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Density, its altitude derivative and the local up vector at positions ``(n, 3)``."""
    lat, lon, alt = ecef_to_geodetic(r_m, earth)
    rho = density_kgm3(alt)
    drho_dh = (density_kgm3(alt + _DENSITY_STEP_M) - density_kgm3(alt - _DENSITY_STEP_M)) / (
        2.0 * _DENSITY_STEP_M
    )
    return rho, drho_dh, enu_basis(lat, lon)[..., 2, :]


def _drag_gain(beta_kgm2: FloatArray, params: TrackerParams) -> FloatArray:
    """1 / (2 beta), 0 where drag is off."""
    if not params.drag:
        return np.zeros_like(beta_kgm2)
    return np.where(np.isfinite(beta_kgm2), 0.5 / beta_kgm2, 0.0)


def _frame_accel(r: FloatArray, v: FloatArray, omega: float) -> FloatArray:
    """Coriolis plus centrifugal acceleration, -2 w x v - w x (w x r), w = omega z."""
    out = np.zeros_like(r)
    out[..., 0] = 2.0 * omega * v[..., 1] + omega**2 * r[..., 0]
    out[..., 1] = -2.0 * omega * v[..., 0] + omega**2 * r[..., 1]
    return out


def _compiled_derivatives(
    state: npt.ArrayLike, beta_kgm2: npt.ArrayLike, params: TrackerParams
) -> tuple[FloatArray, FloatArray]:
    """:func:`dynamics` and :func:`dynamics_jacobian` by the compiled kernel."""
    x = _rows6(state)
    k = np.ascontiguousarray(_drag_gain(_as_rows(beta_kgm2, x.shape[0], "beta_kgm2"), params))
    dy = np.empty_like(x)
    jac = np.empty((x.shape[0], 6, 6))
    kernel.derivatives_many(x, k, *_kernel_model(params.earth), dy, jac)
    return dy, jac


def dynamics(
    state: FloatArray,
    beta_kgm2: npt.ArrayLike = np.inf,
    params: TrackerParams = TrackerParams(),
    backend: Backend = DEFAULT_BACKEND,
) -> FloatArray:
    r"""Time derivative of Earth-fixed states ``(n, 6)`` (module equation of motion).

    Returns :math:`(\mathbf v, \dot{\mathbf v})`, shape (n, 6), m/s and m/s^2.
    """
    _check_backend(backend)
    if backend == "compiled":
        return _compiled_derivatives(state, beta_kgm2, params)[0]
    x = np.asarray(state, dtype=np.float64)
    r, v = x[:, :3], x[:, 3:]
    acc = gravity_accel_mps2(r, params.earth) + _frame_accel(r, v, params.earth.omega_radps)
    k = _drag_gain(_as_rows(beta_kgm2, x.shape[0], "beta_kgm2"), params)
    if np.any(k > 0.0):
        rho, _, _ = _air(r, params.earth)
        acc -= (k * rho * np.linalg.norm(v, axis=-1))[:, None] * v
    return np.concatenate([v, acc], axis=-1)


def _gravity_gradient(r: FloatArray, earth: Earth) -> FloatArray:
    r"""d g / d r of point-mass + J2 gravity, (n, 3, 3), 1/s^2.

    With :math:`c = \tfrac32 \mu J_2 a^2` and :math:`D = \mathrm{diag}(1, 1, 3)` the
    gravity is :math:`\mathbf g = -\mu\mathbf r/r^3 - c\,[D\mathbf r/r^5 - 5z^2\mathbf
    r/r^7]`, whose gradient is

    .. math::

        G = -\frac{\mu}{r^3}\Big(I - \frac{3\mathbf r\mathbf r^\mathsf T}{r^2}\Big)
            - c\Big[\frac{D}{r^5} - \frac{5 (D\mathbf r)\mathbf r^\mathsf T}{r^7}
            - \frac{5 z^2 I + 10 z\,\mathbf r\hat{\mathbf z}^\mathsf T}{r^7}
            + \frac{35 z^2 \mathbf r\mathbf r^\mathsf T}{r^9}\Big].
    """
    mu, c = earth.gm_m3ps2, 1.5 * earth.gm_m3ps2 * earth.j2 * earth.a_m**2
    r2 = np.einsum("ni,ni->n", r, r)[:, None, None]
    rr = r[:, :, None] * r[:, None, :]
    eye = np.eye(3)
    z = r[:, 2][:, None, None]
    d = np.diag([1.0, 1.0, 3.0])
    dr_r = (r @ d)[:, :, None] * r[:, None, :]
    r_ez = np.zeros_like(rr)
    r_ez[:, :, 2] = r
    point = -mu / r2**1.5 * (eye - 3.0 * rr / r2)
    j2 = (
        d / r2**2.5
        - 5.0 * dr_r / r2**3.5
        - (5.0 * z**2 * eye + 10.0 * z * r_ez) / r2**3.5
        + 35.0 * z**2 * rr / r2**4.5
    )
    return point - c * j2


def dynamics_jacobian(
    state: FloatArray,
    beta_kgm2: npt.ArrayLike = np.inf,
    params: TrackerParams = TrackerParams(),
    backend: Backend = DEFAULT_BACKEND,
) -> FloatArray:
    r"""Jacobian :math:`A = \partial\dot{\mathbf x}/\partial\mathbf x` of :func:`dynamics`.

    .. math::

        A = \begin{pmatrix}0 & I\\ G + \omega^2\mathrm{diag}(1,1,0) + D_r &
            \Omega + D_v\end{pmatrix},\quad
        \Omega = \begin{pmatrix}0 & 2\omega & 0\\ -2\omega & 0 & 0\\ 0&0&0\end{pmatrix},

    with :math:`G` the gravity gradient and the drag terms
    :math:`D_v = -k\rho\,(|\mathbf v| I + \mathbf v\mathbf v^\mathsf T/|\mathbf v|)`,
    :math:`D_r = -k|\mathbf v|\,\mathbf v\,(d\rho/dh)\,\hat{\mathbf u}^\mathsf T`
    (:math:`k = 1/2\beta`, :math:`\hat{\mathbf u} = \partial h/\partial\mathbf r` the
    ellipsoid normal; :math:`d\rho/dh` by a central difference of 5 m).

    Returns
    -------
    numpy.ndarray
        Shape (n, 6, 6).
    """
    _check_backend(backend)
    if backend == "compiled":
        return _compiled_derivatives(state, beta_kgm2, params)[1]
    x = np.asarray(state, dtype=np.float64)
    n = x.shape[0]
    r, v = x[:, :3], x[:, 3:]
    om = params.earth.omega_radps
    a = np.zeros((n, 6, 6))
    a[:, :3, 3:] = np.eye(3)
    a[:, 3:, :3] = _gravity_gradient(r, params.earth) + om**2 * np.diag([1.0, 1.0, 0.0])
    a[:, 3:, 3:] = np.array([[0.0, 2.0 * om, 0.0], [-2.0 * om, 0.0, 0.0], [0.0, 0.0, 0.0]])
    k = _drag_gain(_as_rows(beta_kgm2, n, "beta_kgm2"), params)
    if np.any(k > 0.0):
        rho, drho_dh, up = _air(r, params.earth)
        speed = np.linalg.norm(v, axis=-1)
        vv = v[:, :, None] * v[:, None, :] / np.where(speed > 0.0, speed, 1.0)[:, None, None]
        a[:, 3:, 3:] -= (k * rho)[:, None, None] * (speed[:, None, None] * np.eye(3) + vv)
        a[:, 3:, :3] -= (k * speed * drho_dh)[:, None, None] * v[:, :, None] * up[:, None, :]
    return a


def transition(
    state: FloatArray,
    dt_s: npt.ArrayLike,
    beta_kgm2: npt.ArrayLike = np.inf,
    params: TrackerParams = TrackerParams(),
    backend: Backend = DEFAULT_BACKEND,
) -> tuple[FloatArray, FloatArray]:
    r"""Propagate states ``(n, 6)`` over ``dt_s`` with their state-transition matrices.

    Classical fourth-order Runge-Kutta on :math:`(\mathbf x, \Phi)` with
    :math:`\dot\Phi = A(\mathbf x)\Phi`. All tracks take the same number of sub-steps,
    :math:`m = \lceil\max|\Delta t| / \text{step}\rceil`, each of its own length
    :math:`\Delta t_i / m` (at most ``params.step_s``).

    Returns
    -------
    state : numpy.ndarray
        States after ``dt_s``, shape (n, 6).
    stm : numpy.ndarray
        :math:`\Phi = \partial\mathbf x(t + \Delta t)/\partial\mathbf x(t)`, (n, 6, 6).
    """
    _check_backend(backend)
    x = _rows6(state)
    n = x.shape[0]
    dt = _as_rows(dt_s, n, "dt_s")
    beta = _as_rows(beta_kgm2, n, "beta_kgm2")
    n_sub = _substeps(dt, params)
    if backend == "compiled":
        phi_out = np.empty((n, 6, 6))
        kernel.transition_many(x, np.ascontiguousarray(dt), n_sub,
                               np.ascontiguousarray(_drag_gain(beta, params)),
                               *_kernel_model(params.earth), phi_out)
        return x, phi_out
    h = (dt / n_sub)[:, None]
    h3 = h[:, :, None]
    phi = np.broadcast_to(np.eye(6), (n, 6, 6)).copy()

    def deriv(y: FloatArray, p: FloatArray) -> tuple[FloatArray, FloatArray]:
        return (dynamics(y, beta, params, "numpy"),
                dynamics_jacobian(y, beta, params, "numpy") @ p)

    for _ in range(n_sub):
        k1, l1 = deriv(x, phi)
        k2, l2 = deriv(x + 0.5 * h * k1, phi + 0.5 * h3 * l1)
        k3, l3 = deriv(x + 0.5 * h * k2, phi + 0.5 * h3 * l2)
        k4, l4 = deriv(x + h * k3, phi + h3 * l3)
        x = x + h / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
        phi = phi + h3 / 6.0 * (l1 + 2.0 * l2 + 2.0 * l3 + l4)
    return x, phi


def _substeps(dt: FloatArray, params: TrackerParams) -> int:
    """RK4 sub-steps of a prediction over ``dt`` (all tracks take as many)."""
    return max(1, int(np.ceil(np.max(np.abs(dt), initial=0.0) / params.step_s)))


def process_noise(dt_s: npt.ArrayLike, q_m2ps3: float) -> FloatArray:
    r"""Discrete white-acceleration process noise :math:`Q(\Delta t)` (module docstring).

    Returns an array of shape ``dt_s.shape + (6, 6)``, in m^2, m^2/s and m^2/s^2.
    """
    dt = np.asarray(dt_s, dtype=np.float64)[..., None, None]
    block = np.array([[1.0, 0.0], [0.0, 0.0]]), np.array([[0.0, 1.0], [1.0, 0.0]])
    eye = np.eye(3)
    q = (
        dt**3 / 3.0 * np.kron(block[0], eye)
        + dt**2 / 2.0 * np.kron(block[1], eye)
        + dt * np.kron(np.diag([0.0, 1.0]), eye)
    )
    return q_m2ps3 * q


def predict(
    tracks: Tracks,
    t_s: npt.ArrayLike,
    params: TrackerParams = TrackerParams(),
    backend: Backend = DEFAULT_BACKEND,
) -> Tracks:
    r"""The tracks at time ``t_s`` (scalar or one per track), before any new measurement.

    :math:`\mathbf x^- = \mathbf x(t_s)` by :func:`transition`,
    :math:`P^- = \Phi P\Phi^\mathsf T + Q(t_s - t)` with :func:`process_noise`.

    Raises
    ------
    InputError
        If ``t_s`` is earlier than a track's time (the filter runs forward only).
    """
    n = len(tracks)
    t_new = _as_rows(t_s, n, "t_s")
    dt = t_new - tracks.t_s
    if np.any(dt < 0.0):
        raise InputError(
            f"predict: t_s earlier than a track's time by up to {-dt.min():g} s "
            "(the filter runs forward only)"
        )
    _check_backend(backend)
    if backend == "compiled":
        x = _rows6(tracks.state)
        p = np.array(tracks.cov, dtype=np.float64, order="C", copy=True)
        kernel.predict_many(x, p, np.ascontiguousarray(dt), _substeps(dt, params),
                            np.ascontiguousarray(_drag_gain(tracks.beta_kgm2, params)),
                            float(params.q_m2ps3), *_kernel_model(params.earth))
        return dataclasses.replace(tracks, state=x, cov=p, t_s=t_new)
    x, phi = transition(tracks.state, dt, tracks.beta_kgm2, params, "numpy")
    cov = phi @ tracks.cov @ np.swapaxes(phi, -1, -2) + process_noise(dt, params.q_m2ps3)
    return dataclasses.replace(tracks, state=x, cov=_symmetric(cov), t_s=t_new)


def _symmetric(m: FloatArray) -> FloatArray:
    return 0.5 * (m + np.swapaxes(m, -1, -2))


# --------------------------------------------------------------------------------------------
# Measurement and update
# --------------------------------------------------------------------------------------------


def wrap_angle_rad(angle_rad: npt.ArrayLike) -> FloatArray:
    """Angles wrapped into (-pi, pi]."""
    a = np.asarray(angle_rad, dtype=np.float64)
    return np.pi - np.mod(np.pi - a, 2.0 * np.pi)


def measurement(state: FloatArray, site: SiteLike, earth: Earth = WGS84) -> FloatArray:
    r"""Noise-free measurement :math:`h(\mathbf x) = (\rho, \alpha, \epsilon, \dot\rho)`.

    Parameters
    ----------
    state : array_like, shape (..., 6)
        Earth-fixed positions and velocities, m and m/s.
    site : SiteLike
        The radar's geodetic position.

    Returns
    -------
    numpy.ndarray
        Shape (..., 4): range (m), azimuth in [0, 2 pi) (rad), elevation (rad), range
        rate (m/s); see :data:`MEASUREMENT_NAMES`.
    """
    x = np.asarray(state, dtype=np.float64)
    az, el, rng, rate = ecef_to_aer_rate(
        x[..., :3], x[..., 3:], site.lat_deg, site.lon_deg, site.alt_m, earth
    )
    return np.stack([rng, np.radians(az), np.radians(el), rate], axis=-1)


def _site_frame(site: SiteLike, earth: Earth) -> tuple[FloatArray, FloatArray]:
    """ENU basis (rows e, n, u in ECEF) and ECEF position of the site."""
    basis = enu_basis(site.lat_deg, site.lon_deg)
    return basis, geodetic_to_ecef(site.lat_deg, site.lon_deg, site.alt_m, earth)


def measurement_jacobian(state: FloatArray, site: SiteLike, earth: Earth = WGS84) -> FloatArray:
    r"""Analytic Jacobian :math:`H = \partial h/\partial\mathbf x` of :func:`measurement`.

    In the site's ENU frame, :math:`\mathbf d = M(\mathbf r - \mathbf r_s) = (e, n, u)`,
    :math:`\mathbf w = M\mathbf v`, :math:`\rho = |\mathbf d|`,
    :math:`s = \sqrt{e^2 + n^2}`:

    .. math::

        \frac{\partial\rho}{\partial\mathbf d} = \frac{\mathbf d^\mathsf T}{\rho},\quad
        \frac{\partial\alpha}{\partial\mathbf d} = \frac{(n, -e, 0)}{s^2},\quad
        \frac{\partial\epsilon}{\partial\mathbf d} = \frac{(-eu, -nu, s^2)}{\rho^2 s},

    .. math::

        \frac{\partial\dot\rho}{\partial\mathbf d} =
            \frac{\mathbf w^\mathsf T - \dot\rho\,\mathbf d^\mathsf T/\rho}{\rho},\quad
        \frac{\partial\dot\rho}{\partial\mathbf w} = \frac{\mathbf d^\mathsf T}{\rho},

    and :math:`\partial\mathbf d/\partial\mathbf r = \partial\mathbf w/\partial\mathbf v
    = M`. Singular straight above the site (:math:`s = 0`) and at zero range.

    Returns
    -------
    numpy.ndarray
        Shape (..., 4, 6).
    """
    x = np.asarray(state, dtype=np.float64)
    basis, r_site = _site_frame(site, earth)
    d = np.einsum("...ij,...j->...i", basis, x[..., :3] - r_site)
    w = np.einsum("...ij,...j->...i", basis, x[..., 3:])
    e, nn, u = d[..., 0], d[..., 1], d[..., 2]
    rng = np.linalg.norm(d, axis=-1)
    s2 = e**2 + nn**2
    s = np.sqrt(s2)
    rate = np.einsum("...i,...i->...", d, w) / rng
    zero = np.zeros_like(e)
    d_rng = d / rng[..., None]
    d_az = np.stack([nn, -e, zero], axis=-1) / s2[..., None]
    d_el = np.stack([-e * u, -nn * u, s2], axis=-1) / (rng**2 * s)[..., None]
    d_rate = (w - rate[..., None] * d_rng) / rng[..., None]
    h_pos = np.stack([d_rng, d_az, d_el, d_rate], axis=-2) @ basis
    h_vel = np.stack([np.zeros_like(d), np.zeros_like(d), np.zeros_like(d), d_rng], axis=-2)
    return np.concatenate([h_pos, h_vel @ basis], axis=-1)


def _checked_sigmas(sigmas: npt.ArrayLike, n: int) -> FloatArray:
    """Measurement sigmas broadcast to (n, 4), each finite and > 0."""
    sig = np.asarray(sigmas, dtype=np.float64)
    try:
        sig = np.broadcast_to(sig, (n, 4))
    except ValueError:
        raise InputError(f"sigmas: shape {sig.shape} does not broadcast to ({n}, 4)") from None
    if not np.all(np.isfinite(sig) & (sig > 0.0)):
        raise InputError("sigmas: every measurement standard deviation must be finite and > 0")
    return sig


def _noise_cov(sigmas: npt.ArrayLike, n: int) -> FloatArray:
    return _checked_sigmas(sigmas, n)[:, :, None] ** 2 * np.eye(4)


def innovation(
    tracks: Tracks, z: npt.ArrayLike, sigmas: npt.ArrayLike, site: SiteLike,
    params: TrackerParams = TrackerParams(),
) -> tuple[FloatArray, FloatArray, FloatArray]:  # fmt: skip
    r"""Innovation :math:`\mathbf y = \mathbf z - h(\mathbf x^-)` (azimuth wrapped), its
    covariance :math:`S = HP^-H^\mathsf T + R` and :math:`H`.

    The normalised innovation squared :math:`\mathbf y^\mathsf T S^{-1}\mathbf y` gates
    detections to tracks.

    Returns
    -------
    y : (n, 4); S : (n, 4, 4); H : (n, 4, 6)
    """
    n = len(tracks)
    zz = np.asarray(z, dtype=np.float64)
    if zz.shape != (n, 4):
        raise InputError(f"z: expected shape ({n}, 4), got {zz.shape}")
    h = measurement_jacobian(tracks.state, site, params.earth)
    y = zz - measurement(tracks.state, site, params.earth)
    y[:, 1] = wrap_angle_rad(y[:, 1])
    s = h @ tracks.cov @ np.swapaxes(h, -1, -2) + _noise_cov(sigmas, n)
    return y, s, h


def update(
    tracks: Tracks,
    z: npt.ArrayLike,
    sigmas: npt.ArrayLike,
    site: SiteLike,
    params: TrackerParams = TrackerParams(),
    detected: npt.ArrayLike | None = None,
    backend: Backend = DEFAULT_BACKEND,
) -> Tracks:
    r"""Correct predicted tracks with one measurement each (extended Kalman filter).

    Parameters
    ----------
    tracks : Tracks
        Predicted to the time of the measurements (:func:`predict`).
    z : array_like, shape (n, 4)
        Measured range (m), azimuth (rad), elevation (rad), range rate (m/s).
    sigmas : array_like, shape (n, 4) or (4,)
        Their standard deviations, same units.
    site : SiteLike
        The measuring radar's position.
    detected : array_like of bool, shape (n,), optional
        Which tracks have a measurement; the others are returned unchanged (their rows
        of ``z`` and ``sigmas`` are ignored and may be NaN).

    backend : {"compiled", "numpy"}
        The compiled kernel (for a site at one place; a site given per track takes the
        NumPy path) or the NumPy code (:data:`Backend`).

    Returns
    -------
    Tracks
        Updated tracks (Joseph-form covariance, module docstring); ``n_updates`` is
        incremented where updated.
    """
    _check_backend(backend)
    n = len(tracks)
    mask = np.ones(n, bool) if detected is None else np.broadcast_to(detected, (n,)).astype(bool)
    zz = np.asarray(z, dtype=np.float64)
    site_pack = _kernel_site(site, params.earth) if backend == "compiled" else None
    if site_pack is not None:
        if zz.shape != (n, 4):
            raise InputError(f"z: expected shape ({n}, 4), got {zz.shape}")
        sig_rows = np.where(mask[:, None], np.asarray(sigmas, dtype=np.float64), 1.0)
        sig_rows = np.ascontiguousarray(_checked_sigmas(sig_rows, n))
        x = _rows6(tracks.state)
        p = np.array(tracks.cov, dtype=np.float64, order="C", copy=True)
        kernel.update_many(x, p, np.array(zz, order="C"), sig_rows, mask, site_pack)
        return dataclasses.replace(tracks, state=x, cov=p, n_updates=tracks.n_updates + mask)
    sig: npt.ArrayLike = sigmas
    if not mask.all():  # undetected rows: a zero innovation, unit sigmas, results dropped
        zz = np.where(mask[:, None], zz, measurement(tracks.state, site, params.earth))
        sig = np.where(mask[:, None], np.asarray(sigmas, dtype=np.float64), 1.0)
    y, s, h = innovation(tracks, zz, sig, site, params)
    p = tracks.cov
    gain = np.swapaxes(np.linalg.solve(s, h @ p), -1, -2)  # K = P H^T S^-1 (P, S symmetric)
    x = tracks.state + np.einsum("nij,nj->ni", gain, y)
    i_kh = np.eye(6) - gain @ h
    r_cov = _noise_cov(sig, n)
    cov = i_kh @ p @ np.swapaxes(i_kh, -1, -2) + gain @ r_cov @ np.swapaxes(gain, -1, -2)
    return dataclasses.replace(
        tracks,
        state=np.where(mask[:, None], x, tracks.state),
        cov=np.where(mask[:, None, None], _symmetric(cov), tracks.cov),
        n_updates=tracks.n_updates + mask,
    )


# --------------------------------------------------------------------------------------------
# Initiation and track quality
# --------------------------------------------------------------------------------------------


def detection_position(
    z: npt.ArrayLike, sigmas: npt.ArrayLike, site: SiteLike, earth: Earth = WGS84
) -> tuple[FloatArray, FloatArray]:
    r"""Earth-fixed position of detections ``z`` (n, 4) and its covariance (n, 3, 3).

    The point is :func:`~thaadsim.physics.geodesy.aer_to_ecef` of the measured range and
    angles; its covariance is :math:`M^\mathsf T J\,\mathrm{diag}(\sigma_\rho^2,
    \sigma_\alpha^2, \sigma_\epsilon^2)\,J^\mathsf T M` with :math:`J` the Jacobian of
    :math:`(e, n, u) = \rho(\cos\epsilon\sin\alpha, \cos\epsilon\cos\alpha,
    \sin\epsilon)` and :math:`M` the site's ENU basis (the linearised polar-to-Cartesian
    conversion; its bias, :math:`\rho\sigma_\alpha^2/2`, is centimetres for a radar).
    """
    zz = np.atleast_2d(np.asarray(z, dtype=np.float64))
    if zz.ndim != 2 or zz.shape[1] != 4:
        raise InputError(f"z: expected shape (n, 4), got {zz.shape}")
    n = zz.shape[0]
    r_cov = _noise_cov(sigmas, n)[:, :3, :3]
    rng, az, el = zz[:, 0], zz[:, 1], zz[:, 2]
    pos = aer_to_ecef(
        np.degrees(az), np.degrees(el), rng, site.lat_deg, site.lon_deg, site.alt_m, earth
    )
    basis = np.broadcast_to(enu_basis(site.lat_deg, site.lon_deg), (n, 3, 3))
    ce, se, ca, sa = np.cos(el), np.sin(el), np.cos(az), np.sin(az)
    jac = np.stack([
        np.stack([ce * sa, ce * ca, se], axis=-1),
        rng[:, None] * np.stack([ce * ca, -ce * sa, np.zeros(n)], axis=-1),
        rng[:, None] * np.stack([-se * sa, -se * ca, ce], axis=-1),
    ], axis=-1)  # fmt: skip
    j_ecef = np.swapaxes(basis, -1, -2) @ jac
    return pos, _symmetric(j_ecef @ r_cov @ np.swapaxes(j_ecef, -1, -2))


def initiate(
    z: npt.ArrayLike,
    sigmas: npt.ArrayLike,
    site: SiteLike,
    t_s: npt.ArrayLike,
    beta_kgm2: npt.ArrayLike = np.inf,
    params: TrackerParams = TrackerParams(),
    backend: Backend = DEFAULT_BACKEND,
) -> Tracks:
    r"""New tracks from two detections each, by two-point differencing.

    With the detected positions :math:`\mathbf p_0, \mathbf p_1` at :math:`t_0 < t_1`
    and their covariances :math:`P_0, P_1` (:func:`detection_position`), the track at
    :math:`t_1` is (Bar-Shalom, Li & Kirubarajan 2001, sec. 5.5.3)

    .. math::

        \mathbf r = \mathbf p_1,\quad
        \mathbf v = \frac{\mathbf p_1 - \mathbf p_0}{\Delta t}
            + \frac{\Delta t}{2}\,\mathbf a,\quad
        P = \begin{pmatrix}P_1 & P_1/\Delta t\\ P_1/\Delta t &
            (P_0 + P_1)/\Delta t^2\end{pmatrix},

    where :math:`\mathbf a` is the modelled acceleration (:func:`dynamics`) at the
    differenced state: the chord's velocity is the mid-interval one, and the
    acceleration carries it to :math:`t_1` (exact for a constant acceleration). The
    range rates of the two detections are not used here; the next updates take them in.

    Two detections rather than one because one look says nothing of the cross-range
    velocity: a single-detection track needs a prior of kilometres per second across
    the line of sight, and then the range-rate measurement,
    :math:`\dot\rho = \mathbf d\cdot\mathbf v/\rho`, is far from linear over the
    prior (the product of the position and velocity errors over the range is several
    m/s), which makes the first updates of an extended Kalman filter overconfident.

    Parameters
    ----------
    z : array_like, shape (n, 2, 4)
        The two detections of each track, in time order (:data:`MEASUREMENT_NAMES`).
    sigmas : array_like, broadcast to (n, 2, 4)
        Their standard deviations.
    site : SiteLike
        The radar's position.
    t_s : array_like, shape (n, 2) or (2,)
        Times of the two detections, s (``t_s[..., 1] > t_s[..., 0]``).
    beta_kgm2 : array_like, optional
        Ballistic coefficient per track (``inf``: no drag).

    Returns
    -------
    Tracks
        At the second detection's time, ``n_updates`` = 2.
    """
    zz = np.asarray(z, dtype=np.float64)
    if zz.ndim != 3 or zz.shape[1:] != (2, 4):
        raise InputError(f"z: expected shape (n, 2, 4), got {zz.shape}")
    n = zz.shape[0]
    try:
        sig = np.broadcast_to(np.asarray(sigmas, dtype=np.float64), (n, 2, 4))
        times = np.broadcast_to(np.asarray(t_s, dtype=np.float64), (n, 2))
    except ValueError:
        raise InputError("sigmas, t_s: do not broadcast to (n, 2, 4) and (n, 2)") from None
    dt = times[:, 1] - times[:, 0]
    if not np.all(dt > 0.0):
        raise InputError("t_s: the second detection of each track must come after the first")
    p0, c0 = detection_position(zz[:, 0], sig[:, 0], site, params.earth)
    p1, c1 = detection_position(zz[:, 1], sig[:, 1], site, params.earth)
    beta = _as_rows(beta_kgm2, n, "beta_kgm2")
    chord = (p1 - p0) / dt[:, None]
    accel = dynamics(np.concatenate([p1, chord], axis=-1), beta, params, backend)[:, 3:]
    dt3 = dt[:, None, None]
    cov = np.zeros((n, 6, 6))
    cov[:, :3, :3] = c1
    cov[:, :3, 3:] = cov[:, 3:, :3] = c1 / dt3
    cov[:, 3:, 3:] = (c0 + c1) / dt3**2
    return Tracks(
        state=np.concatenate([p1, chord + 0.5 * dt[:, None] * accel], axis=-1),
        cov=cov,
        t_s=times[:, 1].copy(),
        n_updates=np.full(n, 2, dtype=np.int64),
        beta_kgm2=beta,
    )


def m_of_n(detected: npt.ArrayLike, m: int, n: int) -> IntArray:
    """Index of the first look at which M of the last N looks were detections.

    The window at look ``k`` holds looks ``max(0, k - n + 1) .. k``.

    Parameters
    ----------
    detected : array_like of bool, shape (n_targets, n_looks)
        Whether each look detected each target.
    m, n : int
        Detections needed within a window of ``n`` looks, ``1 <= m <= n``.

    Returns
    -------
    numpy.ndarray of int, shape (n_targets,)
        The look index of confirmation, -1 for a target never confirmed.
    """
    if not (1 <= m <= n):
        raise InputError(f"m_of_n: expected 1 <= m <= n, got m={m}, n={n}")
    det = np.atleast_2d(np.asarray(detected, dtype=bool))
    counts = np.cumsum(det, axis=1, dtype=np.int64)
    window = counts.copy()
    window[:, n:] -= counts[:, :-n]
    hit = window >= m
    return np.where(hit.any(axis=1), np.argmax(hit, axis=1), -1).astype(np.int64)


def track_sigmas(cov: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    r"""Position and velocity uncertainty: :math:`\sqrt{\operatorname{tr}P_{rr}}` (m) and
    :math:`\sqrt{\operatorname{tr}P_{vv}}` (m/s) of covariances ``(..., 6, 6)``."""
    p = np.asarray(cov, dtype=np.float64)
    diag = np.diagonal(p, axis1=-2, axis2=-1)
    return np.sqrt(diag[..., :3].sum(-1)), np.sqrt(diag[..., 3:].sum(-1))


def firm_track_time(
    look_t_s: npt.ArrayLike,
    detected: npt.ArrayLike,
    position_sigma_m: npt.ArrayLike,
    velocity_sigma_mps: npt.ArrayLike,
    rule: FirmTrackRule = FirmTrackRule(),
) -> FloatArray:
    """Time at which each track becomes firm (NaN if it never does).

    A track is firm at the first look at or after its M-of-N confirmation
    (:func:`m_of_n`) at which both uncertainties (:func:`track_sigmas`, after that look's
    update) are at or below the rule's thresholds.

    Parameters
    ----------
    look_t_s : array_like, shape (n_looks,) or (n_targets, n_looks)
        Times of the looks, s.
    detected : array_like of bool, shape (n_targets, n_looks)
    position_sigma_m, velocity_sigma_mps : array_like, shape (n_targets, n_looks)
        Track uncertainties after each look (NaN before the track exists).

    Returns
    -------
    numpy.ndarray, shape (n_targets,)
    """
    det = np.atleast_2d(np.asarray(detected, dtype=bool))
    shape = det.shape
    t = np.broadcast_to(np.asarray(look_t_s, dtype=np.float64), shape)
    pos = np.broadcast_to(np.asarray(position_sigma_m, dtype=np.float64), shape)
    vel = np.broadcast_to(np.asarray(velocity_sigma_mps, dtype=np.float64), shape)
    confirmed_at = m_of_n(det, rule.m, rule.n)
    looks = np.arange(shape[1])
    ok = (
        (looks >= np.where(confirmed_at < 0, shape[1], confirmed_at)[:, None])
        & (pos <= rule.position_sigma_m)
        & (vel <= rule.velocity_sigma_mps)
    )
    first = np.argmax(ok, axis=1)
    return np.where(ok.any(axis=1), t[np.arange(shape[0]), first], np.nan)


# --------------------------------------------------------------------------------------------
# Tracks through their looks
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class LookRun:
    """What :func:`filter_looks` made of each track."""

    position_sigma_m: FloatArray
    """(n, n_looks) position uncertainty after each look (NaN where the track did not run)."""
    velocity_sigma_mps: FloatArray
    firm_t_s: FloatArray
    """(n,) time of the first firm look (NaN: never firm)."""
    firm_state: FloatArray
    """(n, 6) the estimate at that look (NaN rows where never firm)."""
    firm_cov: FloatArray
    """(n, 6, 6) its covariance."""


def filter_looks(
    tracks: Tracks,
    start: npt.ArrayLike,
    look_t_s: npt.ArrayLike,
    z: npt.ArrayLike,
    sigmas: npt.ArrayLike,
    detected: npt.ArrayLike,
    alive: npt.ArrayLike,
    confirmed: npt.ArrayLike,
    site: SiteLike,
    rule: FirmTrackRule = FirmTrackRule(),
    params: TrackerParams = TrackerParams(),
    backend: Backend = DEFAULT_BACKEND,
) -> LookRun:
    """Run tracks through a radar's looks: predict, update where detected, and find the
    first firm look of each (as :func:`firm_track_time` defines it).

    Track ``n`` is at look ``start[n]`` (``tracks.t_s[n] == look_t_s[n, start[n]]``) and
    takes looks ``start[n] + 1, start[n] + 2, ...`` while they exist and are ``alive``
    (once not alive, never again: the target has landed). Every look predicts the track
    to the look's time; a look that ``detected`` the target updates it with ``z`` and
    ``sigmas``. All tracks move together look by look (the ``k``-th look after each
    track's start at once), so each prediction takes as many RK4 sub-steps as the longest
    of them needs (:func:`predict` on the batch); both backends do so. The track is firm at
    the first look at or after its confirmation look ``confirmed[n]`` (``n_looks`` or more:
    never confirmed) at which its position and velocity sigmas (:func:`track_sigmas`)
    are at or below the rule's thresholds.

    Parameters
    ----------
    tracks : Tracks
        n tracks, each at its starting look.
    start, confirmed : array_like of int, shape (n,)
    look_t_s : array_like, shape (n, n_looks)
        Look times, s, increasing along each row.
    z, sigmas : array_like, shape (n, n_looks, 4)
        Measurements and their standard deviations (may be NaN where not detected).
    detected, alive : array_like of bool, shape (n, n_looks)
    site : SiteLike
        The radar.
    backend : {"compiled", "numpy"}
        One compiled call over all tracks and looks, or the NumPy ``predict``/``update``
        look by look (:data:`Backend`); the results agree to rounding.

    Returns
    -------
    LookRun
        Uncertainties are recorded from the starting look (the initial covariance) on.
    """
    _check_backend(backend)
    m = len(tracks)
    look_t = np.asarray(look_t_s, dtype=np.float64)
    n_looks = look_t.shape[1] if look_t.ndim == 2 else -1
    if look_t.shape != (m, n_looks):
        raise InputError(f"look_t_s: expected shape ({m}, n_looks), got {look_t.shape}")

    def own(value: npt.ArrayLike, dtype: type, shape: tuple[int, ...]) -> npt.NDArray[Any]:
        got: npt.NDArray[Any] = np.asarray(value, dtype=dtype)
        return got if got.shape == shape else np.broadcast_to(got, shape)

    zz = own(z, np.float64, (m, n_looks, 4))
    sig = own(sigmas, np.float64, (m, n_looks, 4))
    det = own(detected, np.bool_, (m, n_looks))
    live = own(alive, np.bool_, (m, n_looks))
    j0 = np.broadcast_to(np.asarray(start, dtype=np.int64), (m,)).copy()
    confirm_j = np.broadcast_to(np.asarray(confirmed, dtype=np.int64), (m,)).copy()
    rows = np.arange(m)
    pos = np.full((m, n_looks), np.nan)
    vel = np.full((m, n_looks), np.nan)
    if m:
        pos[rows, j0], vel[rows, j0] = track_sigmas(tracks.cov)
    firm_t = np.full(m, np.nan)
    firm_state = np.full((m, 6), np.nan)
    firm_cov = np.full((m, 6, 6), np.nan)
    site_pack = _kernel_site(site, params.earth) if backend == "compiled" else None
    if site_pack is not None and m:
        taken = (np.arange(n_looks) > j0[:, None]) & live & det  # the looks that update
        # finite and > 0 where taken (NaN fails both comparisons), without gathering the
        # taken looks' sigmas (a copy that cost 4% of the compiled chain)
        usable = np.logical_and(sig > 0.0, sig < np.inf).all(axis=-1)
        if not np.all(usable | ~taken):
            raise InputError("sigmas: every measurement standard deviation must be finite and > 0")
        # the NumPy loop's sub-steps, look k after the start: from the longest interval
        j = j0[:, None] + np.arange(n_looks)
        jj = np.minimum(j, n_looks - 1)
        on = (j < n_looks) & live[rows[:, None], jj]
        on[:, 0] = False
        dt = np.where(on, look_t[rows[:, None], jj] - look_t[rows[:, None], np.maximum(jj - 1, 0)],
                      0.0)
        longest = np.abs(dt).max(axis=0)
        n_sub = np.maximum(1, np.ceil(longest / params.step_s)).astype(np.int64)
        n_thin = np.maximum(1, np.ceil(longest / params.thin_air_step_s)).astype(np.int64)
        # the kernel's parallel loop gives each thread a fixed share of its iterations in
        # order: it takes the tracks in the order ``deal``, alternately from the two halves,
        # as tracks come sorted by threat (a raid's short flights all in one share would
        # leave a thread idle). Every array goes in C-ordered and writable, copied only when
        # it is not: the one kind the kernel is compiled for (a read-only view would be
        # another signature, and another compilation of seconds); the state and covariance
        # always (the kernel moves them in place)
        deal = np.concatenate([np.arange(0, m, 2), np.arange(1, m, 2)])

        def c(a: npt.NDArray[Any]) -> npt.NDArray[Any]:
            return np.require(a, a.dtype, ["C", "W"])

        kernel.filter_looks(
            np.array(tracks.state, dtype=np.float64, order="C"),
            np.array(tracks.cov, dtype=np.float64, order="C"), c(look_t), c(zz), c(sig),
            c(det), c(live), j0, confirm_j, n_sub, n_thin, float(params.thin_drag_mps2),
            _drag_gain(tracks.beta_kgm2, params), float(params.q_m2ps3),
            np.array([rule.position_sigma_m, rule.velocity_sigma_mps]),
            *_kernel_model(params.earth), site_pack, deal, pos, vel, firm_t, firm_state,
            firm_cov,
        )  # fmt: skip
        return LookRun(position_sigma_m=pos, velocity_sigma_mps=vel, firm_t_s=firm_t,
                       firm_state=firm_state, firm_cov=firm_cov)
    for k in range(1, n_looks):
        j = j0 + k
        on = j < n_looks
        jj = np.minimum(j, n_looks - 1)
        on &= live[rows, jj]
        if not on.any():
            break
        tracks = predict(tracks, np.where(on, look_t[rows, jj], tracks.t_s), params, "numpy")
        tracks = update(tracks, zz[rows, jj], sig[rows, jj], site, params,
                        detected=on & det[rows, jj], backend="numpy")
        p_sig, v_sig = track_sigmas(tracks.cov)
        pos[rows[on], jj[on]] = p_sig[on]
        vel[rows[on], jj[on]] = v_sig[on]
        now = (on & np.isnan(firm_t) & (jj >= confirm_j)
               & (p_sig <= rule.position_sigma_m) & (v_sig <= rule.velocity_sigma_mps))
        firm_t[now] = look_t[rows, jj][now]
        firm_state[now] = tracks.state[now]
        firm_cov[now] = tracks.cov[now]
    return LookRun(position_sigma_m=pos, velocity_sigma_mps=vel, firm_t_s=firm_t,
                   firm_state=firm_state, firm_cov=firm_cov)


# --------------------------------------------------------------------------------------------
# Impact prediction
# --------------------------------------------------------------------------------------------


def _sigma_points(mean: FloatArray, cov: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Scaled unscented sigma points (alpha 1, beta 2, kappa 0) of (n, L) means.

    Returns points (n, 2L + 1, L), mean weights and covariance weights (2L + 1,).
    """
    dim = mean.shape[-1]
    try:
        chol = np.linalg.cholesky(_symmetric(cov))
    except np.linalg.LinAlgError:
        raise InputError("cov: a covariance is not positive definite") from None
    offsets = np.sqrt(dim) * np.swapaxes(chol, -1, -2)  # rows are the columns of chol
    points = np.concatenate(
        [mean[:, None, :], mean[:, None, :] + offsets, mean[:, None, :] - offsets], axis=1
    )
    wm = np.full(2 * dim + 1, 1.0 / (2 * dim))
    wm[0] = 0.0
    wc = wm.copy()
    wc[0] = 2.0  # 1 - alpha^2 + beta
    return points, wm, wc


def predict_impact(
    state: npt.ArrayLike,
    cov: npt.ArrayLike,
    t_s: npt.ArrayLike,
    beta_kgm2: npt.ArrayLike = np.inf,
    params: TrackerParams = TrackerParams(),
    horizon_s: float = 3600.0,
) -> ImpactPrediction:
    r"""Impact point, time and their uncertainty of tracked targets (unscented transform).

    Each of the 13 sigma points of a track flies to altitude 0 with
    :func:`~thaadsim.physics.propagate.propagate` (J2 gravity, rotating Earth, drag with
    ``beta_kgm2`` when ``params.drag``). With the impact points in east-north
    coordinates :math:`\mathbf p_i` about the central point's impact,

    .. math::

        \bar{\mathbf p} = \sum_i W^m_i\mathbf p_i,\qquad
        C = \sum_i W^c_i(\mathbf p_i - \bar{\mathbf p})(\mathbf p_i - \bar{\mathbf p})^\mathsf T,

    and likewise the impact time. The mean point is converted back to latitude and
    longitude on the ellipsoid.

    Parameters
    ----------
    state : array_like, shape (n, 6)
        Earth-fixed track states, m and m/s.
    cov : array_like, shape (n, 6, 6)
        Their covariances (positive definite).
    t_s : array_like, shape (n,) or scalar
        Time of the estimates, s.
    beta_kgm2 : array_like, optional
        Ballistic coefficient per track (``inf``: no drag).
    horizon_s : float, optional
        Longest flight considered; a sigma point still flying then makes the row not ok.

    Returns
    -------
    ImpactPrediction
    """
    x = np.atleast_2d(np.asarray(state, dtype=np.float64))
    p = np.asarray(cov, dtype=np.float64).reshape(-1, 6, 6)
    n = x.shape[0]
    if x.shape != (n, 6) or p.shape[0] != n:
        raise InputError(f"predict_impact: state {x.shape} and cov {p.shape} do not match")
    t0 = _as_rows(t_s, n, "t_s")
    beta = _as_rows(beta_kgm2, n, "beta_kgm2")
    points, wm, wc = _sigma_points(x, p)
    n_pts = points.shape[1]
    flight = propagate(
        points.reshape(-1, 6), t0_s=np.repeat(t0, n_pts), t_end_s=np.repeat(t0 + horizon_s, n_pts),
        beta_kgm2=np.repeat(beta, n_pts), earth=params.earth, drag=params.drag,
    )  # fmt: skip
    ok = (flight.status == IMPACT).reshape(n, n_pts).all(axis=1)
    r_imp = flight.state[:, :3].reshape(n, n_pts, 3)
    t_imp = flight.t_s.reshape(n, n_pts)
    lat0, lon0, _ = ecef_to_geodetic(np.where(ok[:, None], r_imp[:, 0], np.nan))
    en = ecef_to_enu(r_imp, lat0[:, None], lon0[:, None], 0.0, params.earth)[..., :2]
    en_mean = np.einsum("k,nki->ni", wm, en)
    t_mean = t_imp @ wm
    den = en - en_mean[:, None, :]
    cov_en = np.einsum("k,nki,nkj->nij", wc, den, den)
    t_var = (t_imp - t_mean[:, None]) ** 2 @ wc
    # the mean point back to the ground: east-north offset on the tangent plane, height 0
    up = np.zeros((n, 1))
    r_mean = enu_to_ecef(np.concatenate([en_mean, up], axis=-1), lat0, lon0, 0.0, params.earth)
    lat, lon, _ = ecef_to_geodetic(r_mean, params.earth)
    nan = np.where(ok, 1.0, np.nan)
    return ImpactPrediction(
        lat_deg=lat * nan, lon_deg=lon * nan, t_s=t_mean * nan, t_sigma_s=np.sqrt(t_var) * nan,
        cov_en_m2=cov_en * nan[:, None, None], ok=ok,
    )  # fmt: skip
