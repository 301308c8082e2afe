"""The report's figures as images: drawn in a forked child or here with the same bytes
(:mod:`thaadsim.report.parallel`), laid out once (:func:`thaadsim.report.images.tight_layout`
against Matplotlib's own), written as opaque RGB PNGs, and claim 5's log axis labelled
without mathtext."""

from __future__ import annotations

import os
import struct
import time
import warnings

import pytest

from thaadsim.report import parallel
from thaadsim.report.claim_figures import _power_of_ten
from thaadsim.report.images import figure_png, new_figure, tight_layout

needs_fork = pytest.mark.skipif(not parallel.can_fork(),
                                reason="forks only on Linux with two CPUs or more")


def _figure(label: str = "a long tick label on the y axis") -> bytes:
    fig = new_figure((4.0, 2.5), 80)
    ax = fig.add_subplot()
    ax.plot([0, 1, 2], [0, 1, 4], label="curve")
    ax.set_yticks([0, 2, 4], ["zero", label, "four"])
    ax.set_xlabel("x (km)")
    ax.set_title("a title")
    ax.legend()
    return figure_png(fig, 80, tight=True)


@needs_fork
def test_jobs_set_aside_are_drawn_in_a_child_with_the_same_bytes() -> None:
    here = os.getpid()
    jobs = {"a": _figure, "b": lambda: _figure("another label"), "pid": os.getpid}
    forked = parallel.draw(jobs, aside=["a", "pid"], fork=True)
    alone = parallel.draw(jobs, fork=False)
    assert list(forked) == ["a", "b", "pid"]  # in the order of the jobs
    assert forked["pid"] != here and alone["pid"] == here  # "pid" ran in the child
    assert forked["a"] == alone["a"] and forked["b"] == alone["b"]


@needs_fork
def test_a_child_that_dies_leaves_its_jobs_drawn_here() -> None:
    here = os.getpid()

    def dies_in_child() -> str:
        if os.getpid() != here:
            os._exit(3)
        return "drawn here"

    assert parallel.draw({"x": dies_in_child, "y": lambda: 1}, aside=["x"], fork=True) == {
        "x": "drawn here", "y": 1}


@needs_fork
def test_a_silent_child_is_killed_after_the_timeout() -> None:
    here = os.getpid()

    def hangs_in_child() -> str:
        if os.getpid() != here:
            time.sleep(60)
        return "drawn here"

    start = time.monotonic()
    out = parallel.draw({"x": hangs_in_child}, aside=["x"], fork=True, timeout_s=0.5)
    assert out == {"x": "drawn here"}
    assert time.monotonic() - start < 10.0


@needs_fork
def test_a_job_that_fails_raises_here() -> None:
    def fails() -> None:
        raise ValueError("no figure")

    with pytest.raises(ValueError, match="no figure"):
        parallel.draw({"x": fails, "y": lambda: 1}, aside=["x"], fork=True)


@needs_fork
def test_the_childs_warnings_are_issued_here() -> None:
    here = os.getpid()

    def warns() -> int:
        warnings.warn(f"from {'the child' if os.getpid() != here else 'here'}", UserWarning,
                      stacklevel=1)
        return 1

    with pytest.warns(UserWarning, match="from the child"):
        assert parallel.draw({"x": warns}, aside=["x"], fork=True) == {"x": 1}


def test_without_a_fork_every_job_is_drawn_here() -> None:
    here = os.getpid()
    assert parallel.draw({"a": os.getpid, "b": os.getpid}, aside=["a"], fork=False) == {
        "a": here, "b": here}


@pytest.mark.parametrize("rect", [(0.0, 0.0, 1.0, 1.0), (0.0, 0.1, 1.0, 1.0),
                                  (0.05, 0.0, 0.9, 0.95)])
def test_tight_layout_places_the_axes_as_matplotlibs_and_leaves_no_engine(
        rect: tuple[float, float, float, float]) -> None:
    """The reference is Matplotlib's own two-pass ``Figure.tight_layout``; one pass agrees
    to 1e-3 of the figure when the tick labels stay the same (here they do)."""
    figs = []
    for _ in range(2):
        fig = new_figure((6.0, 4.0), 100)
        ax = fig.add_subplot()
        ax.plot([0, 10], [0, 1000])
        ax.set_yticks([0, 500, 1000], ["none", "a rather long label", "all"])
        ax.set_xlabel("time (s)")
        ax.set_title("title")
        figs.append(fig)
    figs[0].tight_layout(rect=rect)
    tight_layout(figs[1], rect=rect)
    ref, mine = figs[0].subplotpars, figs[1].subplotpars
    for side in ("left", "bottom", "right", "top"):
        assert getattr(mine, side) == pytest.approx(getattr(ref, side), abs=1e-3), side
    assert figs[1].get_layout_engine() is None  # savefig does not lay out again
    assert figs[0].get_layout_engine() is not None  # what Figure.tight_layout leaves


def test_figure_png_is_an_opaque_rgb_image_of_the_figures_size() -> None:
    png = _figure()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height, depth, colour = struct.unpack(">IIBB", png[16:26])  # IHDR
    assert (width, height) == (320, 200)  # 4 x 2.5 in at 80 dpi
    assert (depth, colour) == (8, 2)  # 8-bit RGB: no alpha channel


@pytest.mark.parametrize(("value", "label"), [
    (1e5, "10⁵"), (1.0, "10⁰"), (1e-3, "10⁻³"), (1e12, "10¹²"), (2e5, "200000"),
    (0.0, ""), (float("nan"), "")])
def test_claim5_log_axis_labels_are_powers_of_ten_in_superscript(value: float,
                                                                  label: str) -> None:
    assert _power_of_ten(value) == label


def test_superscript_labels_render_in_the_default_font() -> None:
    """DejaVu Sans has the superscript digits: no glyph is missing (a missing glyph warns
    and draws a box)."""
    fig = new_figure((2.0, 1.0), 50)
    fig.text(0.1, 0.5, "10⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        png = figure_png(fig, 50)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
