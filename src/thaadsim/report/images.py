"""Figures as images: one way to make a Matplotlib figure outside pyplot, to turn it into
PNG bytes and to embed those bytes in HTML (a base64 ``data:`` URI, so that a report works
offline). Files on disk go through :func:`thaadsim.outputs.save_png` (signed, atomic)."""

from __future__ import annotations

import base64
import io

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure as MplFigure


def new_figure(size_in: tuple[float, float], dpi: float) -> MplFigure:
    """A figure on the Agg canvas, outside pyplot (no global state, nothing to close)."""
    fig = MplFigure(figsize=size_in, dpi=dpi)
    FigureCanvasAgg(fig)
    return fig


def figure_png(fig: MplFigure, dpi: float, *, tight: bool = False) -> bytes:
    """The figure as PNG bytes at ``dpi`` (``tight``: laid out tightly first)."""
    if tight:
        fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def png_data_uri(png: bytes) -> str:
    """A ``data:image/png;base64,...`` URI of PNG bytes, for an ``<img src>``."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


__all__ = ["figure_png", "new_figure", "png_data_uri"]
