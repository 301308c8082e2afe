"""From flight to firm track: the detection timeline and the `thaadsim detect` command.

References: the truth interpolation against the propagator itself at the query times
(cubic Hermite between <= 2 s steps: error O(h^4 x''''), sub-metre); the impact prediction
at the firm time against its own stated uncertainty over Monte Carlo trials (a consistent
2-D Gaussian puts 98.9% of misses inside 3 sigma of its major axis; we ask 90% to leave room
for the unmodelled glide and drag errors); time order of the events.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import numpy as np
import pytest
from typer.testing import CliRunner

from thaadsim.cli import app
from thaadsim.physics.geodesy import geodesic_inverse
from thaadsim.physics.propagate import propagate
from thaadsim.systems.catalog import get_missile, get_radar, get_site
from thaadsim.systems.detection import simulate_detection, truth_at, truth_from_flight
from thaadsim.systems.threat import fly_threat

runner = CliRunner()
SEONGJU = get_site("seongju")
PYONGYANG = get_site("pyongyang")


@pytest.fixture(scope="module")
def scud():  # type: ignore[no-untyped-def]
    m = get_missile("scud-c")
    tf = fly_threat(m, PYONGYANG.lat_deg, PYONGYANG.lon_deg, SEONGJU.lat_deg, SEONGJU.lon_deg,
                    record=True)
    return tf, truth_from_flight(tf.flight, m.rocket.reentry_beta_kgm2)


def test_truth_interpolation_matches_the_propagator(scud) -> None:  # type: ignore[no-untyped-def]
    """States between recorded steps within 1 m and 1 mm/s of a fresh integration."""
    tf, truth = scud
    t0 = float(truth.burnout_t_s[0]) + 1.0
    start = truth_at(truth, np.array([[t0]]))[0, 0]
    ends = np.array([t0 + 17.3, t0 + 101.7, t0 + 200.05])
    p = propagate(np.repeat(start[None], 3, 0), t0_s=t0, t_end_s=ends,
                  beta_kgm2=truth.beta_kgm2[0], rtol=1e-11, atol=1e-9)
    got = truth_at(truth, ends[None])[0]
    np.testing.assert_allclose(got[:, :3], p.state[:, :3], atol=1.0)
    np.testing.assert_allclose(got[:, 3:], p.state[:, 3:], atol=1e-2)
    assert np.all(np.isnan(truth_at(truth, np.array([[-5.0, 1e5]]))))


def test_events_come_in_order_and_the_cue_is_consistent(scud) -> None:  # type: ignore[no-untyped-def]
    tf, truth = scud
    radar = get_radar("terminal").radar
    tl = simulate_detection(truth.repeated(60), radar, SEONGJU.emplacement(), 0.1,
                            np.random.default_rng(3))
    assert np.all(np.isfinite(tl.firm_track_s))
    assert np.all(tl.first_detection_s <= tl.confirmed_s)
    assert np.all(tl.confirmed_s <= tl.firm_track_s)
    assert np.all(tl.firm_track_s < tl.impact_s)
    inside = tl.impact_error_m <= 3.0 * tl.impact_sigma_m
    assert inside.mean() >= 0.9
    assert tl.search_looks > 0 and tl.track_looks > 0


def test_an_invisible_target_is_never_detected(scud) -> None:  # type: ignore[no-untyped-def]
    """A 1e-6 m^2 target (the smallest LIMITS allows) is seen within ~35 km at most (cued
    dwell); from Busan, ~100 km from its impact, never. A face turned away sees nothing,
    however big the target."""
    tf, truth = scud
    radar = get_radar("terminal").radar
    busan = get_site("busan")
    _, bearing, _ = geodesic_inverse(busan.lat_deg, busan.lon_deg, PYONGYANG.lat_deg,
                                     PYONGYANG.lon_deg)
    tl = simulate_detection(truth, radar, busan.emplacement(float(bearing)), 1e-6,
                            np.random.default_rng(0))
    assert np.isnan(tl.first_detection_s[0]) and np.isnan(tl.firm_track_s[0])
    away = SEONGJU.emplacement(150.0)  # facing away from North Korea
    tl = simulate_detection(truth, radar, away, 1.0, np.random.default_rng(0))
    assert np.isnan(tl.first_detection_s[0])


def test_a_cue_brings_the_first_detection_forward(scud) -> None:  # type: ignore[no-untyped-def]
    """Without a cue the radar waits for the threat to cross its search fence."""
    tf, truth = scud
    radar = get_radar("terminal").radar
    kw = {"rcs_m2": 0.01, "rng": np.random.default_rng(2)}
    cued = simulate_detection(truth.repeated(20), radar, SEONGJU.emplacement(), **kw)
    alone = simulate_detection(truth.repeated(20), radar, SEONGJU.emplacement(),
                               early_warning=None, **kw)
    assert np.nanmedian(cued.firm_track_s) <= np.nanmedian(alone.firm_track_s)


def test_a_bigger_target_is_seen_earlier(scud) -> None:  # type: ignore[no-untyped-def]
    tf, truth = scud
    radar = get_radar("terminal").radar
    emp = SEONGJU.emplacement()
    small = simulate_detection(truth.repeated(40), radar, emp, 0.003, np.random.default_rng(1))
    big = simulate_detection(truth.repeated(40), radar, emp, 1.0, np.random.default_rng(1))
    assert np.nanmedian(big.first_detection_s) < np.nanmedian(small.first_detection_s)


@pytest.mark.parametrize("cue", ["catalog", None])
def test_the_fused_looks_are_the_look_by_look_ones(scud, cue, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The compiled chain's fused kernels (systems/_detection_kernel.py: the search dwells,
    and the track dwells with their measurements, one Numba call each) against the
    look-by-look compiled path (radar.look_where and radar.measure per dwell, their arrays
    concatenated), from the same seed, with and without the cue, a third of the threats
    out of sight (so the tracked rows are a subset): the same draws consumed (the
    generator ends in the same state), the same first detections, confirmations and
    firm-track times, and the track sigmas and impact point to rounding (1e-9 relative; the
    same expressions compiled in another function round differently, seen ~1e-12; the
    impact spread and miss to 1e-6: the sigma points fly tens of kilometres, which
    magnifies the rounding of the firm state, seen 6e-9)."""
    import dataclasses

    from thaadsim.systems import _detection_kernel, detection

    tf, truth = scud
    radar = get_radar("terminal").radar
    emp = SEONGJU.emplacement()
    rcs = np.where(np.arange(24) % 2 == 0, 0.05, 0.1)
    many = truth.repeated(24)
    state = many.state.copy()
    state[::3] *= -1.0  # a third of the flights on the far side of the Earth: never seen
    many = dataclasses.replace(many, state=state)
    fused_rng, plain_rng = np.random.default_rng(6), np.random.default_rng(6)
    fused = simulate_detection(many, radar, emp, rcs, fused_rng, early_warning=cue)
    monkeypatch.setattr(detection, "_fused", lambda radar, backend: False)
    plain = simulate_detection(many, radar, emp, rcs, plain_rng, early_warning=cue)
    assert np.isnan(fused.first_detection_s[::3]).all()
    assert np.isfinite(fused.firm_track_s).sum() >= 12
    assert fused_rng.bit_generator.state == plain_rng.bit_generator.state
    assert (fused.search_looks, fused.track_looks) == (plain.search_looks, plain.track_looks)
    for name in ("first_detection_s", "confirmed_s", "firm_track_s", "look_t_s"):
        np.testing.assert_array_equal(getattr(fused, name), getattr(plain, name), name)
    for name, rtol in (("position_sigma_m", 1e-9), ("velocity_sigma_mps", 1e-9),
                       ("impact_pred_lat_deg", 1e-9), ("impact_pred_lon_deg", 1e-9),
                       ("impact_sigma_m", 1e-6), ("impact_error_m", 1e-6)):
        np.testing.assert_allclose(getattr(fused, name), getattr(plain, name), rtol=rtol,
                                   atol=0.0, err_msg=name)
    for kernel in (_detection_kernel.search_looks, _detection_kernel.track_looks):
        assert len(kernel.signatures) == 1, kernel.signatures  # one compilation of each


def test_detect_command_json() -> None:
    res = runner.invoke(app, ["detect", "--missile", "scud-c", "--from", "39.04,125.76",
                              "--to", "seongju", "--radar-site", "seongju", "--mode",
                              "terminal", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    for key in ("first_detection_s", "firm_track_s", "impact_error_m", "warning_s"):
        assert data[key] is not None and data[key] > 0
    assert data["first_detection_s"] <= data["firm_track_s"] < data["impact_s"]


@pytest.mark.parametrize(("args", "message"), [
    (["--radar-site", "atlantis"], "unknown slug 'atlantis'"),
    (["--mode", "sideways"], "known modes: terminal, forward-based"),
    (["--boresight-deg", "400"], "--boresight-deg: 400 is out of range"),
    (["--rcs-m2", "-0.1"], "--rcs-m2: -0.1 is out of range"),
    (["--missile", "scud-z"], "unknown slug 'scud-z'"),
    (["--from", "nowhere"], "--from: 'nowhere' is neither LAT,LON"),
    (["--trials", "0"], "--trials"),
])
def test_detect_bad_input_is_one_line_and_exit_2(args: list[str], message: str,
                                                 cli_error: Callable[..., str]) -> None:
    assert message in cli_error("detect", *args)
