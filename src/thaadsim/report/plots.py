"""Figures written to files: altitude against ground range with the intercept band, a raid
curve, Sobol indices (the studies return the data; these draw it)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from numpy.typing import NDArray  # noqa: E402

from thaadsim.outputs import save_png  # noqa: E402
from thaadsim.report.images import new_figure  # noqa: E402

if TYPE_CHECKING:
    from thaadsim.studies.raid import RaidCurve
    from thaadsim.studies.sensitivity import SensitivityResult


def plot_altitude_range(
    path: str | Path,
    ground_range_km: NDArray[np.float64],
    alt_km: NDArray[np.float64],
    *,
    band_km: tuple[float, float],
    title: str,
    label: str,
    notes: str = "",
    markers: dict[str, tuple[float, float]] | None = None,
) -> Path:
    """Write a PNG of altitude against ground range with the band shaded (signed and
    atomic: :func:`thaadsim.outputs.save_png`).

    ``markers`` names points (ground range km, altitude km) to mark, e.g. burnout.
    """
    path = Path(path)
    fig, ax = plt.subplots(figsize=(9, 5), dpi=120)
    ax.axhspan(band_km[0], band_km[1], color="tab:green", alpha=0.15,
               label=f"intercept band {band_km[0]:g}-{band_km[1]:g} km")
    ax.plot(ground_range_km, alt_km, color="tab:red", lw=2, label=label)
    styles = {"burnout": ("^", "tab:orange"), "apogee": ("o", "tab:red"),
              "enters band": (">", "tab:green"), "leaves band": ("v", "tab:green")}
    for name, (x, y) in (markers or {}).items():
        marker, color = styles.get(name, ("o", "k"))
        ax.plot([x], [y], marker=marker, color=color, ms=8, ls="none", label=name)
    top = max(float(np.nanmax(alt_km)), band_km[1]) * 1.1
    ax.set_ylim(0, top)
    ax.set_xlim(0, max(float(np.nanmax(ground_range_km)), 1.0) * 1.02)
    ax.set_xlabel("ground range (km)")
    ax.set_ylabel("altitude (km)")
    ax.set_title(title)
    if notes:
        ax.text(0.01, 0.98, notes, transform=ax.transAxes, va="top", fontsize=9,
                family="monospace", bbox=dict(facecolor="white", alpha=0.8, edgecolor="0.8"))
    ax.legend(loc="upper right")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    try:
        save_png(fig, path)
    finally:
        plt.close(fig)
    return path


def plot_raid_curve(curve: RaidCurve, path: str | Path) -> Path:
    """A PNG: Monte Carlo P(no leak) with its 95% band and the closed form against raid
    size, expected leakers on a second axis, the saturation count marked
    (:class:`~thaadsim.studies.raid.RaidCurve`)."""
    from thaadsim.studies.claims import saturation_curve
    from thaadsim.studies.raid import SATURATION_P

    fig = new_figure((8.0, 4.5), 100)
    ax = fig.add_subplot(1, 1, 1)
    n = curve.count
    ax.fill_between(n, curve.p_no_leak_ci_low, curve.p_no_leak_ci_high, color="C0",
                    alpha=0.2, label="Monte Carlo 95% (Wilson)")
    ax.plot(n, curve.p_no_leak, "o-", color="C0", label=f"Monte Carlo ({curve.trials} trials)")
    ax.plot(n, curve.analytic_p_no_leak, "s--", color="C1",
            label=f"binomial, inventory {curve.inventory}")
    p = curve.p_kill_pooled
    if math.isfinite(p):
        full = np.arange(1, curve.max_count + 1)
        ax.plot(full, saturation_curve(p, curve.volleys, curve.inventory, curve.max_count),
                ":", color="C1", lw=1, label=f"binomial at pooled p = {p:.2f}")
    ax.axhline(SATURATION_P, color="grey", lw=0.8)
    if curve.saturation_count is not None:
        ax.axvline(curve.saturation_count, color="C3", lw=1.2,
                   label=f"saturated at {curve.saturation_count} (Monte Carlo)")
    ax.set_xscale("log", base=2)
    ax.set_xlabel("raid size (threats)")
    ax.set_ylabel("P(no leak)")
    ax.set_ylim(-0.02, 1.02)
    ax2 = ax.twinx()
    ax2.plot(n, curve.expected_leakers, "^-", color="C2", lw=0.8, ms=4)
    ax2.set_ylabel("expected leakers", color="C2")
    ax.set_title(f"{curve.missile} raids against {', '.join(curve.batteries)}: "
                 f"{curve.doctrine}, {curve.inventory} interceptors, "
                 f"{curve.fire_channels} fire channels")
    ax.legend(loc="lower left", fontsize=8)
    fig.tight_layout()
    return save_png(fig, path)


def plot_sobol_indices(result: SensitivityResult, path: str | Path) -> Path:
    """A PNG bar chart: S1 and ST per parameter with their 95% intervals
    (:class:`~thaadsim.studies.sensitivity.SensitivityResult`)."""
    fig = new_figure((8.0, 4.5), 100)
    ax = fig.add_subplot(1, 1, 1)
    x = np.arange(len(result.parameters))
    w = 0.38
    ax.bar(x - w / 2, result.s1, w, yerr=result.s1_conf, capsize=3, label="first order S1")
    ax.bar(x + w / 2, result.st, w, yerr=result.st_conf, capsize=3, label="total ST")
    ax.axhline(0.0, color="black", lw=0.6)
    ax.set_xticks(x, [p.name for p in result.parameters], rotation=20, ha="right")
    ax.set_ylabel("Sobol index")
    ax.set_title(f"What {result.output} ({result.unit}) hangs on: {result.samples} base samples, "
                 f"{result.runs} runs")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return save_png(fig, path)
