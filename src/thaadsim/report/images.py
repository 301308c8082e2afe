"""Figures as images: one way to make a Matplotlib figure outside pyplot, to turn it into
PNG bytes and to embed those bytes in HTML (a base64 ``data:`` URI, so that a report works
offline). Files on disk go through :func:`thaadsim.outputs.save_png` (signed, atomic)."""

from __future__ import annotations

import base64
import io

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure as MplFigure
from matplotlib.layout_engine import TightLayoutEngine
from PIL import Image


def new_figure(size_in: tuple[float, float], dpi: float) -> MplFigure:
    """A figure on the Agg canvas, outside pyplot (no global state, nothing to close)."""
    fig = MplFigure(figsize=size_in, dpi=dpi)
    FigureCanvasAgg(fig)
    return fig


PNG_COMPRESS_LEVEL = 1
"""zlib level of the PNGs: level 1 writes a figure in about half the time of Pillow's
default (6), and its files come out no larger here (drawings of flat colour compress
well even so)."""


def tight_layout(fig: MplFigure,
                 rect: tuple[float, float, float, float] = (0.0, 0.0, 1.0, 1.0)) -> None:
    """Lay the figure out tightly inside ``rect`` (figure fractions: left, bottom, right,
    top), as :meth:`Figure.tight_layout <matplotlib.figure.Figure.tight_layout>` does, in
    one measuring pass instead of its two, and leaving no layout engine on the figure:
    ``Figure.tight_layout`` leaves a placeholder engine behind, and with an engine set
    ``savefig`` first runs a whole draw without rendering (every tick and text laid out
    again) before the real one. Matplotlib's second pass measures the labels again with
    the axes at their new place inside ``rect``; the margins come out the same unless the
    axes' tick labels change, so here the first pass's margins are moved into ``rect``."""
    TightLayoutEngine(rect=None).execute(fig)  # type: ignore[arg-type]
    if tuple(rect) != (0.0, 0.0, 1.0, 1.0):
        p = fig.subplotpars
        fig.subplots_adjust(left=rect[0] + p.left, bottom=rect[1] + p.bottom,
                            right=rect[2] - (1.0 - p.right), top=rect[3] - (1.0 - p.top))


def figure_png(fig: MplFigure, dpi: float, *, tight: bool = False) -> bytes:
    """The figure drawn at ``dpi`` as PNG bytes (``tight``: laid out tightly first,
    :func:`tight_layout`): RGB when it is opaque (every figure here: no alpha channel to
    write), else RGBA, zlib level :data:`PNG_COMPRESS_LEVEL`."""
    if fig.dpi != dpi:
        fig.set_dpi(dpi)
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    if tight:
        tight_layout(fig)
    canvas.draw()
    rgba = np.asarray(canvas.buffer_rgba())
    opaque = bool((rgba[..., 3] == 255).all())
    image = Image.fromarray(np.ascontiguousarray(rgba[..., :3]) if opaque else rgba)
    buf = io.BytesIO()
    image.save(buf, format="png", compress_level=PNG_COMPRESS_LEVEL)
    return buf.getvalue()


def png_data_uri(png: bytes) -> str:
    """A ``data:image/png;base64,...`` URI of PNG bytes, for an ``<img src>``."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


__all__ = ["PNG_COMPRESS_LEVEL", "figure_png", "new_figure", "png_data_uri", "tight_layout"]
