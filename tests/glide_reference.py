"""The equilibrium glide over a sphere, computed independently of the propagator: the
altitude at which lift at maximum L/D and the centrifugal relief carry the weight,
2 (L/D) q / beta = g - v^2/r, and the range E * integral of d(specific energy) /
(g - v^2/r) along those altitudes (Eggers, Allen & Neice, NACA Report 1382, before the
constant-radius simplification). Shared by the propagator's and the glide model's tests."""

from __future__ import annotations

import numpy as np
from scipy.optimize import brentq

from thaadsim.physics.atmosphere import density_kgm3
from thaadsim.physics.earth import GM_EARTH_M3PS2, SPHERE

R = SPHERE.a_m


def equilibrium_alt_m(speed_mps: float, beta_kgm2: float, lift_to_drag: float) -> float:
    """Altitude (m) of the equilibrium glide at ``speed_mps``."""
    def excess(h: float) -> float:
        r = R + h
        q = 0.5 * float(density_kgm3(h)) * speed_mps**2
        return 2.0 * lift_to_drag * q / beta_kgm2 - (GM_EARTH_M3PS2 / r**2 - speed_mps**2 / r)
    return float(brentq(excess, 5e3, 90e3, xtol=1.0))


def equilibrium_glide(v0_mps: float, v1_mps: float, beta_kgm2: float, lift_to_drag: float,
                      n: int) -> tuple[np.ndarray, float]:
    """The equilibrium radii (m) at ``n`` speeds from ``v0_mps`` to ``v1_mps`` and the
    ground range (m, on the sphere's surface) of the glide between them (trapezoid rule)."""
    speeds = np.linspace(v0_mps, v1_mps, n)
    r_eq = R + np.array([equilibrium_alt_m(v, beta_kgm2, lift_to_drag) for v in speeds])
    g = GM_EARTH_M3PS2 / r_eq**2
    energy = 0.5 * speeds**2 - GM_EARTH_M3PS2 / r_eq
    mid = 0.5 * ((g - speeds**2 / r_eq)[1:] + (g - speeds**2 / r_eq)[:-1])
    ground = 0.5 * (R / r_eq[1:] + R / r_eq[:-1])
    return r_eq, float(np.sum(-lift_to_drag * np.diff(energy) / mid * ground))
