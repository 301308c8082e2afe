"""Earth models: WGS84 (the default) and a sphere for closed-form checks.

Sources: NIMA TR8350.2, *Department of Defense World Geodetic System 1984*,
3rd ed. (2000), tables 3.1 and 3.4 (a, 1/f, GM, omega) and the EGM96 value of
the unnormalised J2 = -sqrt(5) * C20 with C20 = -0.484165371736e-3.
The sphere uses the IUGG mean radius 6,371.0 km with the same GM.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from thaadsim.errors import InputError

EarthName = Literal["wgs84", "sphere"]

OMEGA_EARTH_RADPS = 7.2921150e-5
"""Earth's rotation rate about the ECEF z axis (NIMA TR8350.2 table 3.1), rad/s."""

GM_EARTH_M3PS2 = 3.986004418e14
"""Geocentric gravitational constant (NIMA TR8350.2 table 3.4), m^3/s^2."""

G0_MPS2 = 9.80665
"""Standard gravity, used to convert specific impulse to exhaust speed, m/s^2."""


@dataclass(frozen=True, kw_only=True)
class Earth:
    """Shape, gravity and rotation of an Earth model."""

    name: str
    a_m: float
    """Equatorial radius."""
    f: float
    """Flattening (0 for a sphere)."""
    gm_m3ps2: float
    j2: float
    """Unnormalised second zonal harmonic (0 for point-mass gravity)."""
    omega_radps: float = OMEGA_EARTH_RADPS

    @property
    def b_m(self) -> float:
        """Polar radius."""
        return self.a_m * (1.0 - self.f)

    @property
    def e2(self) -> float:
        """First eccentricity squared."""
        return self.f * (2.0 - self.f)


WGS84 = Earth(
    name="wgs84",
    a_m=6378137.0,
    f=1.0 / 298.257223563,
    gm_m3ps2=GM_EARTH_M3PS2,
    j2=1.08262668355e-3,
)

SPHERE = Earth(name="sphere", a_m=6371000.0, f=0.0, gm_m3ps2=GM_EARTH_M3PS2, j2=0.0)

EARTHS: dict[str, Earth] = {"wgs84": WGS84, "sphere": SPHERE}


def earth_model(name: str | Earth) -> Earth:
    """The Earth model called ``name`` ('wgs84' or 'sphere'); an :class:`Earth` as is."""
    if isinstance(name, Earth):
        return name
    try:
        return EARTHS[name]
    except KeyError:
        raise InputError(
            f"earth: unknown model {name!r}; allowed: {', '.join(EARTHS)}"
        ) from None
