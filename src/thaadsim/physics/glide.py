r"""Glide vehicles and manoeuvring re-entry vehicles: their lift laws and closed forms.

The trajectory of a lifting body is integrated by the propagator like any other
(:func:`thaadsim.physics.propagate.propagate`, ``lift_to_drag`` and ``lift_law``); the
law that sets its lift at each instant from its state is :func:`thaadsim.physics._kernel.
guided_lift`. This module holds the law's parameters and the closed forms the tests and
studies compare the integrated flights with.

Aerodynamics: the parabolic drag polar :math:`C_D = C_{D0} + K C_L^2` (Vinh, Busemann &
Culp, *Hypersonic and Planetary Entry Flight Mechanics*, 1980, ch. 2), with the zero-lift
ballistic coefficient :math:`\beta = m / (C_{D0} A)` and the maximum lift-to-drag ratio
:math:`E`, flown at :math:`C_L^* = \sqrt{C_{D0}/K}`. A lift :math:`u` times that of
:math:`C_L^*` costs the drag :math:`D_0 (1 + u^2)`; the lift is capped at
:math:`u_{max} = C_{L,max}/C_L^*` and at a load factor.

Equilibrium glide (lift plus centrifugal relief equals weight, at :math:`E`): the range
flown while the speed falls from :math:`v_0` to :math:`v_1` at radius :math:`r` is

.. math::

    R = \frac{E r}{2} \ln\frac{1 - v_1^2/(g r)}{1 - v_0^2/(g r)}

(Eggers, Allen & Neice, *A comparative analysis of the performance of long-range
hypervelocity vehicles*, NACA Report 1382, 1958, eq. 24 with :math:`v_1 = 0`; Vinh et
al. 1980). For speeds well below orbital it tends to the Breguet-like
:math:`E (v_0^2 - v_1^2)/(2 g)`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from thaadsim.errors import InputError
from thaadsim.physics.earth import G0_MPS2, GM_EARTH_M3PS2

LiftLawKind = Literal["glide", "marv"]
LIFT_LAW_CODES = {"glide": 1.0, "marv": 2.0}
"""The kernel's codes of the guided lift laws (``seg[11]``); 0 is the maximum-L/D glide
of a quasi-ballistic missile such as the KN-23."""


@dataclass(frozen=True, kw_only=True)
class LiftLaw:
    """The guidance of a lifting body after burnout (:func:`thaadsim.physics._kernel.
    guided_lift`).

    ``kind="glide"``: pull-up and damped maximum-L/D equilibrium glide until its energy
    speed (the speed it would have at the equatorial radius with no drag) falls to
    ``dive_speed_mps``, then a terminal dive toward ``dive_gamma_deg``.
    ``kind="marv"``: ballistic until it descends through ``manoeuvre_alt_m``, then a
    pull-up toward ``manoeuvre_gamma_deg`` and a lateral jink switching side every
    ``jink_period_s`` (0: none), within the lift cap.
    """

    kind: LiftLawKind
    max_lift_fraction: float
    """C_L,max over the lift coefficient of maximum L/D (1 or more)."""
    max_load_g: float
    """Largest lift acceleration, in g (9.80665 m/s2)."""
    dive_speed_mps: float = 0.0
    dive_gamma_deg: float = -60.0
    manoeuvre_alt_m: float = 0.0
    manoeuvre_gamma_deg: float = -20.0
    jink_period_s: float = 0.0

    def __post_init__(self) -> None:
        if self.kind not in LIFT_LAW_CODES:
            raise InputError(f"lift law kind: {self.kind!r} is not one of "
                             f"{', '.join(LIFT_LAW_CODES)}")
        if not self.max_lift_fraction >= 1.0:
            raise InputError(f"max_lift_fraction: {self.max_lift_fraction!r}; allowed: 1 or "
                             "more (C_L,max is at least the C_L of maximum L/D)")
        for name in ("max_load_g", "dive_speed_mps", "manoeuvre_alt_m", "jink_period_s"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0.0):
                raise InputError(f"{name}: {value!r}; allowed: a finite number, 0 or more")
        for name in ("dive_gamma_deg", "manoeuvre_gamma_deg"):
            value = getattr(self, name)
            if not -90.0 <= value <= 0.0:
                raise InputError(f"{name}: {value!r}; allowed: -90 to 0 degrees")

    def seg_columns(self) -> tuple[float, float, float, float, float, float]:
        """The kernel's ``seg[11:17]``."""
        glide = self.kind == "glide"
        return (LIFT_LAW_CODES[self.kind], self.max_lift_fraction, self.max_load_g * G0_MPS2,
                self.dive_speed_mps if glide else self.manoeuvre_alt_m,
                math.radians(self.dive_gamma_deg if glide else self.manoeuvre_gamma_deg),
                0.0 if glide else self.jink_period_s)


def equilibrium_glide_range_m(lift_to_drag: ArrayLike, radius_m: ArrayLike,
                              speed0_mps: ArrayLike, speed1_mps: ArrayLike,
                              gm_m3ps2: float = GM_EARTH_M3PS2) -> NDArray[np.float64]:
    """Range of an equilibrium glide at constant L/D and radius from ``speed0_mps`` to
    ``speed1_mps`` (Eggers, Allen & Neice 1958; module docstring), metres over the
    sphere of ``radius_m``."""
    e = np.asarray(lift_to_drag, dtype=np.float64)
    r = np.asarray(radius_m, dtype=np.float64)
    v0 = np.asarray(speed0_mps, dtype=np.float64)
    v1 = np.asarray(speed1_mps, dtype=np.float64)
    gr = gm_m3ps2 / r
    return np.asarray(0.5 * e * r * np.log((1.0 - v1**2 / gr) / (1.0 - v0**2 / gr)))
