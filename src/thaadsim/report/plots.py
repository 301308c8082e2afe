"""Figures: altitude against ground range with the intercept band."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from numpy.typing import NDArray  # noqa: E402

from thaadsim.outputs import save_png  # noqa: E402


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
