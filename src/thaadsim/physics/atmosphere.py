r"""U.S. Standard Atmosphere 1976, vectorised over NumPy arrays, 0 to 1,000 km.

Source: NOAA, NASA and USAF, *U.S. Standard Atmosphere, 1976*, NOAA-S/T 76-1562
(NASA-TM-X-74335), U.S. Government Printing Office, Washington, D.C., October 1976.
Equation and table numbers below are the standard's.

All inputs are geometric altitudes above mean sea level in metres; all outputs are
SI (K, Pa, kg/m^3, m/s) as ``float64`` arrays of the input's shape (a 0-d array for
a scalar input). NaN in gives NaN out.

Below 86 km (the standard exactly)
    Geometric altitude ``Z`` becomes geopotential altitude ``H = r0 Z / (r0 + Z)``
    (eq. 18, r0 = 6,356,766 m). The seven layers of Table 4 give the molecular-scale
    temperature ``T_M = T_M,b + L_M,b (H - H_b)`` (eq. 23) and the hydrostatic
    pressure (eqs. 33a, 33b); density is ``rho = P M0 / (R* T_M)`` (eq. 42) and the
    speed of sound ``sqrt(gamma R* T_M / M0)`` (eq. 50). The kinetic temperature is
    ``T = T_M (M / M0)``, with the ratio ``M / M0`` of Table 8 between 80 and 86 km
    (interpolated linearly) and 1 below 80 km.

86 to 1,000 km
    Kinetic temperature: the standard's four analytic segments (eqs. 25-32):
    isothermal 186.8673 K to 91 km, elliptical to 110 km, +12 K/km to 120 km, then
    exponential towards T_inf = 1000 K with lambda = 0.01875 /km.
    Density: monotone cubic (PCHIP) interpolation of ln(rho) through values of
    Table I (geometric altitude), every 2 km to 120 km, 4 km to 150 km, 10 km to
    300 km, 20-50 km above.
    Pressure: Table I pressures are used at fewer altitudes (every 2 km to 100 km,
    then 110-150 km every 10 km, 175, 200, 250, 300, 400, 500, 600, 800, 900 and
    1,000 km), so between them the hydrostatic equation supplies the shape: ``P`` is
    the hydrostatic pressure ``P_h(Z) = P(1000 km) + integral_Z^1000km rho g dZ``
    (density as above, ``g = g0 (r0 / (r0 + Z))^2``, eq. 17, on a 0.5 km grid) times
    a factor ``c`` interpolated (PCHIP in ln c) through ``P_TableI / P_h`` at those
    altitudes. P therefore passes through every pressure node and follows the
    hydrostatic shape between them (above 110 km Table I is hydrostatic to ~1e-4).
    The 86 km density and pressure nodes are the lower model's own values (they equal
    Table I's 6.958e-6 kg/m^3 and 3.7338e-1 Pa to print precision), so P, rho and the
    speed of sound are continuous at 86 km.
    Speed of sound: not defined by the standard above 86 km; here
    ``sqrt(gamma R* T / M)`` with the kinetic temperature T and the mean molecular
    weight implied by the tabulated values, ``M = rho R* T / P`` (28.95 kg/kmol at
    86 km, 3.94 at 1,000 km), i.e. ``sqrt(gamma P / rho)``, keeping gamma = 1.4. It is
    a continuum figure of merit only: above ~100 km the gas is rarefied and largely
    monatomic.

Out of range
    Below 0 km the first layer is continued down to -5 km; below -5 km the -5 km
    values are returned (clipped). Above 1,000 km the temperature segment formula is
    continued (it tends to 1000 K), the density falls exponentially with its scale
    height at 1,000 km, ``-1 / (d ln rho / dZ)`` of the interpolant (about 242 km),
    and pressure and speed of sound use the ideal gas with the 1,000 km mean
    molecular weight.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from scipy.interpolate import PchipInterpolator

FloatArray = npt.NDArray[np.float64]

__all__ = [
    "temperature_k",
    "pressure_pa",
    "density_kgm3",
    "speed_of_sound_mps",
]

# ---------------------------------------------------------------------------
# Defining constants (the standard's Table 2 and section 1.2).
# ---------------------------------------------------------------------------
G0_MPS2 = 9.80665
"""Standard gravity g0 (also m'^-1 m^2/s^2 per geopotential metre)."""
R_STAR_J_PER_KMOL_K = 8.31432e3
"""Universal gas constant R* = 8.31432 J/(mol K), in J/(kmol K)."""
M0_KG_PER_KMOL = 28.9644
"""Sea-level mean molecular weight M0."""
R0_M = 6_356_766.0
"""Effective Earth radius r0 for the geopotential conversion (eq. 18)."""
GAMMA = 1.4
"""Ratio of specific heats of air."""
T0_K = 288.15
P0_PA = 101_325.0

_G0_M0_OVER_R_STAR_K_PER_M = G0_MPS2 * M0_KG_PER_KMOL / R_STAR_J_PER_KMOL_K
"""g0 M0 / R*, the hydrostatic constant of eqs. 33a/33b [K/m']."""
_R_AIR_J_PER_KG_K = R_STAR_J_PER_KMOL_K / M0_KG_PER_KMOL
"""R* / M0, the specific gas constant of sea-level air."""

Z_MIN_M = -5_000.0
"""Lowest altitude evaluated; lower inputs are clipped to it."""
Z_86KM_M = 86_000.0
"""Top of the layered (hydrostatic, constant-M) model."""
Z_MAX_M = 1_000_000.0
"""Top of the standard; above it the model is extrapolated (see module docstring)."""

# Table 4: geopotential base altitudes H_b [m'] and molecular-scale temperature
# gradients L_M,b [K/m'] of the seven layers (the seventh ends at 86 km geometric).
_H_BASE_M = np.array([0.0, 11_000.0, 20_000.0, 32_000.0, 47_000.0, 51_000.0, 71_000.0])
_LAPSE_K_PER_M = np.array([-6.5e-3, 0.0, 1.0e-3, 2.8e-3, 0.0, -2.8e-3, -2.0e-3])

# Table 8: ratio M/M0 at 0.5 km geometric steps from 80 to 86 km.
_Z_M_RATIO_M = np.linspace(80_000.0, 86_000.0, 13)
_M_RATIO = np.array(
    [
        1.000000, 0.999996, 0.999989, 0.999971, 0.999941, 0.999909, 0.999870,
        0.999829, 0.999786, 0.999741, 0.999694, 0.999641, 0.999579,
    ]
)  # fmt: skip

# Temperature segments above 86 km (eqs. 25-32), geometric altitude.
_T7_K = 186.8673
_Z8_M = 91_000.0
_TC_K = 263.1905
_A_ELLIPSE_K = -76.3232
_A_AXIS_M = -19_942.9
_Z9_M = 110_000.0
_T9_K = 240.0
_LAPSE9_K_PER_M = 12.0e-3
_Z10_M = 120_000.0
_T10_K = 360.0
_T_INF_K = 1000.0
_LAMBDA_PER_M = 0.01875e-3

# Table I (geometric altitude, metric units) of the standard, density [kg/m^3] as
# printed, typed from the published table. 86 km (printed 6.958e-6) is supplied by
# the lower model; see _build_log_density.
# fmt: off
_RHO_TABLE_KM_KGM3 = (
    (88, 4.875e-6), (90, 3.416e-6), (92, 2.393e-6), (94, 1.670e-6), (96, 1.162e-6),
    (98, 8.071e-7), (100, 5.604e-7), (102, 3.935e-7), (104, 2.769e-7), (106, 1.954e-7),
    (108, 1.381e-7), (110, 9.708e-8), (112, 6.838e-8), (114, 4.975e-8), (116, 3.720e-8),
    (118, 2.847e-8), (120, 2.222e-8), (124, 1.428e-8), (128, 9.717e-9), (132, 6.904e-9),
    (136, 5.074e-9), (140, 3.831e-9), (144, 2.958e-9), (148, 2.326e-9), (150, 2.076e-9),
    (160, 1.233e-9), (170, 7.815e-10), (180, 5.194e-10), (190, 3.581e-10),
    (200, 2.541e-10), (210, 1.846e-10), (220, 1.367e-10), (230, 1.029e-10),
    (240, 7.858e-11), (250, 6.073e-11), (260, 4.742e-11), (270, 3.738e-11),
    (280, 2.971e-11), (290, 2.378e-11), (300, 1.916e-11), (320, 1.264e-11),
    (340, 8.503e-12), (360, 5.805e-12), (380, 4.013e-12), (400, 2.803e-12),
    (440, 1.402e-12), (480, 7.208e-13), (500, 5.215e-13), (550, 2.384e-13),
    (600, 1.137e-13), (650, 5.712e-14), (700, 3.070e-14), (750, 1.788e-14),
    (800, 1.136e-14), (850, 7.824e-15), (900, 5.759e-15), (950, 4.453e-15),
    (1000, 3.561e-15),
)
# fmt: on

# Table I (geometric altitude) pressure [Pa] as printed (the table prints mb; x100),
# typed from the published table. 86 km (printed 3.7338e-1) comes from the lower
# model. The last entry anchors the hydrostatic integral; see _build_log_pressure.
# fmt: off
_P_TABLE_KM_PA = (
    (88, 2.6173e-1), (90, 1.8359e-1), (92, 1.2887e-1), (94, 9.0560e-2), (96, 6.3765e-2),
    (98, 4.5057e-2), (100, 3.2011e-2), (110, 7.1042e-3), (120, 2.5382e-3),
    (130, 1.2505e-3), (140, 7.2028e-4), (150, 4.5422e-4), (175, 1.7936e-4),
    (200, 8.4736e-5), (250, 2.4767e-5), (300, 8.7704e-6), (400, 1.4518e-6),
    (500, 3.0236e-7), (600, 8.2130e-8), (800, 1.7036e-8), (900, 1.0873e-8),
    (1000, 7.5138e-9),
)
# fmt: on

_HYDROSTATIC_STEP_M = 500.0
"""Grid step of the hydrostatic integral used as the pressure shape function."""


# ---------------------------------------------------------------------------
# Below 86 km.
# ---------------------------------------------------------------------------
def _geopotential_m(z_m: FloatArray) -> FloatArray:
    """Geopotential altitude H = r0 Z / (r0 + Z) (eq. 18), m'."""
    return R0_M * z_m / (R0_M + z_m)


def _gravity_mps2(z_m: FloatArray) -> FloatArray:
    """Acceleration of gravity g = g0 (r0 / (r0 + Z))^2 (eq. 17)."""
    return G0_MPS2 * (R0_M / (R0_M + z_m)) ** 2


def _layer_profile(
    t_base_k: FloatArray, p_base_pa: FloatArray, lapse_k_per_m: FloatArray, dh_m: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Molecular-scale temperature (eq. 23) and pressure (eqs. 33a/33b) in a layer."""
    t_m = t_base_k + lapse_k_per_m * dh_m
    isothermal = lapse_k_per_m == 0.0
    p_gradient = p_base_pa * (t_base_k / t_m) ** (
        _G0_M0_OVER_R_STAR_K_PER_M / np.where(isothermal, 1.0, lapse_k_per_m)
    )
    p_isothermal = p_base_pa * np.exp(-_G0_M0_OVER_R_STAR_K_PER_M * dh_m / t_base_k)
    return t_m, np.where(isothermal, p_isothermal, p_gradient)


def _layer_base_values() -> tuple[FloatArray, FloatArray]:
    """T_M,b and P_b at the base of each Table 4 layer, from T0 and P0."""
    t_base = np.array([T0_K])
    p_base = np.array([P0_PA])
    for b, dh_m in enumerate(np.diff(_H_BASE_M)):
        t_next, p_next = _layer_profile(
            t_base[-1:], p_base[-1:], _LAPSE_K_PER_M[b : b + 1], np.array([dh_m])
        )
        t_base = np.append(t_base, t_next)
        p_base = np.append(p_base, p_next)
    return t_base, p_base


_T_BASE_K, _P_BASE_PA = _layer_base_values()


def _lower_tm_p(z_m: FloatArray) -> tuple[FloatArray, FloatArray]:
    """(T_M, P) below 86 km; the first layer continues down to -5 km, clipped there."""
    h = _geopotential_m(np.maximum(z_m, Z_MIN_M))
    b = np.clip(np.searchsorted(_H_BASE_M, h, side="right") - 1, 0, _H_BASE_M.size - 1)
    return _layer_profile(_T_BASE_K[b], _P_BASE_PA[b], _LAPSE_K_PER_M[b], h - _H_BASE_M[b])


def _lower_temperature_k(z_m: FloatArray) -> FloatArray:
    t_m, _ = _lower_tm_p(z_m)
    return t_m * np.interp(z_m, _Z_M_RATIO_M, _M_RATIO)


def _lower_pressure_pa(z_m: FloatArray) -> FloatArray:
    return _lower_tm_p(z_m)[1]


def _lower_density_kgm3(z_m: FloatArray) -> FloatArray:
    t_m, p = _lower_tm_p(z_m)
    return p / (_R_AIR_J_PER_KG_K * t_m)


def _lower_speed_of_sound_mps(z_m: FloatArray) -> FloatArray:
    t_m, _ = _lower_tm_p(z_m)
    return np.sqrt(GAMMA * _R_AIR_J_PER_KG_K * t_m)


# ---------------------------------------------------------------------------
# 86 km and above.
# ---------------------------------------------------------------------------
def _upper_temperature_k(z_m: FloatArray) -> FloatArray:
    """Kinetic temperature from the four segments of eqs. 25-32."""
    z_ellipse = np.clip(z_m, _Z8_M, _Z9_M)
    t_ellipse = _TC_K + _A_ELLIPSE_K * np.sqrt(1.0 - ((z_ellipse - _Z8_M) / _A_AXIS_M) ** 2)
    t_linear = _T9_K + _LAPSE9_K_PER_M * (z_m - _Z9_M)
    # xi = (Z - Z10)(r0 + Z10)/(r0 + Z), written so that Z = +inf stays finite.
    xi_m = (R0_M + _Z10_M) * (1.0 - (R0_M + _Z10_M) / (R0_M + z_m))
    t_exponential = _T_INF_K - (_T_INF_K - _T10_K) * np.exp(-_LAMBDA_PER_M * xi_m)
    return np.select(
        [z_m < _Z8_M, z_m < _Z9_M, z_m < _Z10_M],
        [np.full_like(z_m, _T7_K), t_ellipse, t_linear],
        t_exponential,
    )


def _table_nodes(
    table: tuple[tuple[int, float], ...], value_at_86km: float
) -> tuple[FloatArray, FloatArray]:
    """Altitudes [m] and ln(values) of a Table I column, with the 86 km node prepended."""
    z_m = np.array([Z_86KM_M] + [km * 1e3 for km, _ in table])
    return z_m, np.log([value_at_86km] + [value for _, value in table])


def _build_log_density() -> PchipInterpolator:
    from scipy.interpolate import PchipInterpolator

    z86 = np.array([Z_86KM_M])
    return PchipInterpolator(*_table_nodes(_RHO_TABLE_KM_KGM3, float(_lower_density_kgm3(z86)[0])))


def _hydrostatic_log_pressure(
    z_m: FloatArray, log_rho: PchipInterpolator, p_top_pa: float
) -> FloatArray:
    """ln of P(top) + integral_z^top rho g dz on the uniform grid z_m (top = z_m[-1]).

    Each grid interval is integrated exactly for an exponential rho g.
    """
    f = np.exp(log_rho(z_m)) * _gravity_mps2(z_m)
    step = np.diff(z_m)
    piece = (f[:-1] - f[1:]) * step / np.log(f[:-1] / f[1:])
    above = np.append(np.cumsum(piece[::-1])[::-1], 0.0)
    return np.asarray(np.log(p_top_pa + above), dtype=np.float64)


def _build_log_pressure(log_rho: PchipInterpolator) -> PchipInterpolator:
    from scipy.interpolate import PchipInterpolator

    z86 = np.array([Z_86KM_M])
    z_nodes, log_p_nodes = _table_nodes(_P_TABLE_KM_PA, float(_lower_pressure_pa(z86)[0]))
    z_grid = np.arange(Z_86KM_M, Z_MAX_M + 0.5 * _HYDROSTATIC_STEP_M, _HYDROSTATIC_STEP_M)
    log_p_hydro = _hydrostatic_log_pressure(z_grid, log_rho, float(np.exp(log_p_nodes[-1])))
    on_grid = np.rint((z_nodes - Z_86KM_M) / _HYDROSTATIC_STEP_M).astype(np.intp)
    correction = PchipInterpolator(z_nodes, log_p_nodes - log_p_hydro[on_grid])
    return PchipInterpolator(z_grid, log_p_hydro + correction(z_grid))


@dataclass(frozen=True, kw_only=True)
class _UpperTables:
    """The interpolants above 86 km and the constants drawn from them."""

    log_rho: PchipInterpolator
    log_p: PchipInterpolator
    rho_scale_height_top_m: float
    """Density scale height at 1,000 km, used above it."""
    m_top_kg_per_kmol: float
    """Mean molecular weight at 1,000 km implied by Table I, M = rho R* T / P."""


@cache
def _upper_tables() -> _UpperTables:
    """Built on first use (they need SciPy, whose import a process that never evaluates the
    atmosphere above 86 km need not pay), then kept."""
    log_rho = _build_log_density()
    log_p = _build_log_pressure(log_rho)
    return _UpperTables(
        log_rho=log_rho,
        log_p=log_p,
        rho_scale_height_top_m=-1.0 / float(log_rho.derivative()(Z_MAX_M)),
        m_top_kg_per_kmol=float(
            np.exp(log_rho(Z_MAX_M) - log_p(Z_MAX_M))
            * R_STAR_J_PER_KMOL_K
            * _upper_temperature_k(np.array(Z_MAX_M))
        ),
    )


def log_density_table() -> tuple[FloatArray, FloatArray, float]:
    """The interpolant of ln(rho) above 86 km that :func:`density_kgm3` evaluates, as its
    breakpoints [m] (k,), its cubic coefficients in SciPy's layout (4, k - 1) (highest power
    first, in the distance from each interval's start), and the density scale height at
    1,000 km [m]: what a compiled kernel needs to evaluate the same density.

    They depend only on the code, so they are kept once per version
    (:func:`thaadsim.cache.cached_for`; JSON keeps every float exactly) and read back by a
    new process without SciPy."""
    from thaadsim.cache import cached_for

    def compute() -> dict[str, Any]:
        t = _upper_tables()
        return {"x": t.log_rho.x.tolist(), "c": t.log_rho.c.tolist(),
                "scale_height_m": t.rho_scale_height_top_m}

    v = cached_for("atmosphere-log-density", (), compute).value
    return (np.array(v["x"], dtype=np.float64), np.array(v["c"], dtype=np.float64),
            float(v["scale_height_m"]))


def _upper_log_density(z_m: FloatArray) -> FloatArray:
    t = _upper_tables()
    in_table = np.asarray(t.log_rho(np.minimum(z_m, Z_MAX_M)), dtype=np.float64)
    return in_table - np.maximum(z_m - Z_MAX_M, 0.0) / t.rho_scale_height_top_m


def _upper_temperature_over_molecular_weight(z_m: FloatArray) -> FloatArray:
    """T / M [K kmol/kg] = P / (rho R*); above 1,000 km T(Z) / M(1,000 km)."""
    t = _upper_tables()
    z_in = np.minimum(z_m, Z_MAX_M)
    t_over_m = np.exp(t.log_p(z_in) - t.log_rho(z_in)) / R_STAR_J_PER_KMOL_K
    above = z_m > Z_MAX_M
    t_over_m[above] = _upper_temperature_k(z_m[above]) / t.m_top_kg_per_kmol
    return np.asarray(t_over_m, dtype=np.float64)


def _upper_density_kgm3(z_m: FloatArray) -> FloatArray:
    return np.exp(_upper_log_density(z_m))


def _upper_pressure_pa(z_m: FloatArray) -> FloatArray:
    """Table-based pressure to 1,000 km; ideal gas with M(1,000 km) above."""
    t = _upper_tables()
    p = np.exp(t.log_p(np.minimum(z_m, Z_MAX_M)))
    above = z_m > Z_MAX_M
    z_above = z_m[above]
    p[above] = (
        _upper_density_kgm3(z_above)
        * R_STAR_J_PER_KMOL_K
        * _upper_temperature_k(z_above)
        / t.m_top_kg_per_kmol
    )
    return np.asarray(p, dtype=np.float64)


def _upper_speed_of_sound_mps(z_m: FloatArray) -> FloatArray:
    return np.sqrt(GAMMA * R_STAR_J_PER_KMOL_K * _upper_temperature_over_molecular_weight(z_m))


# ---------------------------------------------------------------------------
# Public API.
# ---------------------------------------------------------------------------
def _evaluate(
    alt_m: npt.ArrayLike,
    lower: Callable[[FloatArray], FloatArray],
    upper: Callable[[FloatArray], FloatArray],
) -> FloatArray:
    """Apply ``lower`` below 86 km and ``upper`` at and above it; NaN stays NaN."""
    z_m = np.asarray(alt_m, dtype=np.float64)
    flat = z_m.ravel()
    out = np.full(flat.shape, np.nan)
    below = flat < Z_86KM_M
    at_or_above = flat >= Z_86KM_M
    out[below] = lower(flat[below])
    out[at_or_above] = upper(flat[at_or_above])
    return out.reshape(z_m.shape)


def temperature_k(alt_m: npt.ArrayLike) -> FloatArray:
    r"""Kinetic temperature of the U.S. Standard Atmosphere 1976.

    Parameters
    ----------
    alt_m : array_like
        Geometric altitude above mean sea level [m].

    Returns
    -------
    numpy.ndarray
        Kinetic temperature T [K], same shape as `alt_m`.

    Notes
    -----
    Below 86 km, with :math:`H = r_0 Z / (r_0 + Z)` (eq. 18) in layer *b* of Table 4,

    .. math:: T_M = T_{M,b} + L_{M,b} (H - H_b), \qquad T = T_M \, M / M_0,

    where :math:`M/M_0` is 1 below 80 km and Table 8 from 80 to 86 km. (Table I prints
    :math:`T_M` between 80 and 86 km; the two differ by at most 0.08 K.) From 86 km:

    .. math::

        T = \begin{cases}
            186.8673 & Z < 91\,\mathrm{km} \\
            263.1905 - 76.3232 \sqrt{1 - ((Z - 91) / -19.9429)^2} & Z < 110\,\mathrm{km} \\
            240 + 12 (Z - 110) & Z < 120\,\mathrm{km} \\
            1000 - 640 \exp(-0.01875\,\xi), \;
            \xi = (Z - 120)(r_0 + 120) / (r_0 + Z) & \text{above}
        \end{cases}

    with Z, :math:`r_0` in km (eqs. 25-32). Below -5 km the -5 km value is returned;
    above 1,000 km the last formula is continued.
    """
    return _evaluate(alt_m, _lower_temperature_k, _upper_temperature_k)


def pressure_pa(alt_m: npt.ArrayLike) -> FloatArray:
    r"""Pressure of the U.S. Standard Atmosphere 1976.

    Parameters
    ----------
    alt_m : array_like
        Geometric altitude above mean sea level [m].

    Returns
    -------
    numpy.ndarray
        Pressure P [Pa], same shape as `alt_m`.

    Notes
    -----
    Below 86 km (eqs. 33a, 33b), in layer *b*:

    .. math::

        P = P_b \left(\frac{T_{M,b}}{T_M}\right)^{g_0 M_0 / (R^* L_{M,b})}
        \;(L_{M,b} \ne 0), \qquad
        P = P_b \exp\left(\frac{-g_0 M_0 (H - H_b)}{R^* T_{M,b}}\right)
        \;(L_{M,b} = 0).

    From 86 to 1,000 km: :math:`\ln P = \ln P_h + \ln c`, where
    :math:`P_h(Z) = P(1000\,\mathrm{km}) + \int_Z^{1000\,\mathrm{km}} \rho g \, dZ` is
    hydrostatic and :math:`c` is a PCHIP interpolation (in ln) of
    :math:`P_\mathrm{Table\,I} / P_h` at the printed pressures. Above 1,000 km,
    :math:`P = \rho R^* T / M(1000\,\mathrm{km})`.
    """
    return _evaluate(alt_m, _lower_pressure_pa, _upper_pressure_pa)


def density_kgm3(alt_m: npt.ArrayLike) -> FloatArray:
    r"""Mass density of the U.S. Standard Atmosphere 1976.

    Parameters
    ----------
    alt_m : array_like
        Geometric altitude above mean sea level [m].

    Returns
    -------
    numpy.ndarray
        Density rho [kg/m^3], same shape as `alt_m`.

    Notes
    -----
    Below 86 km (eq. 42):

    .. math:: \rho = \frac{P M_0}{R^* T_M}.

    From 86 to 1,000 km, :math:`\ln\rho` is a monotone cubic (PCHIP) interpolation of
    the standard's Table I. Above 1,000 km,

    .. math:: \rho = \rho(1000\,\mathrm{km}) \exp\left(-\frac{Z - 1000\,\mathrm{km}}{H_\rho}\right),
        \qquad H_\rho = -\left(\frac{d \ln\rho}{dZ}\right)^{-1}_{1000\,\mathrm{km}}.
    """
    return _evaluate(alt_m, _lower_density_kgm3, _upper_density_kgm3)


def speed_of_sound_mps(alt_m: npt.ArrayLike) -> FloatArray:
    r"""Speed of sound of the U.S. Standard Atmosphere 1976 (extended above 86 km).

    Parameters
    ----------
    alt_m : array_like
        Geometric altitude above mean sea level [m].

    Returns
    -------
    numpy.ndarray
        Speed of sound C_s [m/s], same shape as `alt_m`.

    Notes
    -----
    Below 86 km (eq. 50), with :math:`\gamma = 1.4`:

    .. math:: C_s = \sqrt{\gamma R^* T_M / M_0}.

    The standard does not define the speed of sound above 86 km. Here

    .. math:: C_s = \sqrt{\gamma R^* T / M} = \sqrt{\gamma P / \rho},
        \qquad M = \rho R^* T / P,

    with the kinetic temperature T and the mean molecular weight M implied by the
    tabulated P and rho (28.95 kg/kmol at 86 km, 3.94 at 1,000 km, held at its
    1,000 km value above). gamma stays 1.4 for continuity; the upper thermosphere is
    monatomic and rarefied, so this is a nominal continuum value only.
    """
    return _evaluate(alt_m, _lower_speed_of_sound_mps, _upper_speed_of_sound_mps)
