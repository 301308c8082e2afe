"""The mode's instrumented range in every look (issue 15 part 2: modes that mean what they say).

References: the USCC's 2016 Annual Report to Congress (p. 448) gives the AN/TPY-2 a range of
600 km in terminal mode and about 2,000 km forward-based; the catalog carries both
(``radars.yaml``: ``instrumented_range_km``). Beyond it the mode's software processes no echo:
:func:`thaadsim.systems.radar.face_status` calls such a target ``BEYOND_RANGE``, whatever the
dwell. The checks: the status itself (exact, a comparison), no dwell of either mode with a
signal or a detection probability beyond the window (a hypothesis property over targets,
windows and dwells), the issue's own `detect` example (a Hwasong-15 from north-east China,
1,170 km from Seongju at launch and flying away: terminal mode never sees it), and
``coverage`` against ``detect`` on the same geometry: a target flown across the edge of a
coverage fan is first detected within one search frame's travel inside that edge.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from thaadsim.physics.geodesy import (
    ecef_to_geodetic,
    geodesic_direct,
    geodesic_inverse,
    geodetic_to_ecef,
)
from thaadsim.studies.coverage import radar_coverage
from thaadsim.systems import radar as rd
from thaadsim.systems.catalog import get_radar, get_site
from thaadsim.systems.detection import Truth, search, simulate_detection, truth_at
from thaadsim.systems.sensors import EarlyWarning

TERMINAL = get_radar("terminal").radar
FORWARD = get_radar("forward-based").radar
SEONGJU = get_site("seongju").emplacement()
NOW = EarlyWarning(cue_delay_s=0.0)
"""A cue at launch: the radar may put cued dwells on the target anywhere in its face."""


def test_the_catalog_windows_are_the_published_ones() -> None:
    """USCC 2016 p. 448: 600 km terminal, ~2,000 km forward-based (exact catalog values)."""
    assert TERMINAL.instrumented_range_m == 600e3
    assert FORWARD.instrumented_range_m == 2_000e3


def test_face_status_names_the_range_window() -> None:
    """In the sector, above the horizon, below the face's top: visible up to the window,
    BEYOND_RANGE past it (and NaN); the geometric reasons come first where both hold."""
    rng = np.array([599.999e3, 600e3, 600.001e3, np.nan, 700e3, 700e3])
    az = np.array([330.0, 330.0, 330.0, 330.0, 200.0, 330.0])
    el = np.array([5.0, 5.0, 5.0, 5.0, 5.0, 0.0])
    st_ = rd.face_status(az, el, np.ones(6, bool), TERMINAL, SEONGJU, rng)
    assert list(st_) == [rd.VISIBLE, rd.VISIBLE, rd.BEYOND_RANGE, rd.BEYOND_RANGE,
                         rd.OUTSIDE_SECTOR, rd.BELOW_HORIZON]
    assert rd.STATUS_TEXT[rd.BEYOND_RANGE] == "beyond the instrumented range"


def _targets_on_boresight(ground_m: np.ndarray, alt_m: float) -> np.ndarray:
    lat, lon, _ = geodesic_direct(SEONGJU.lat_deg, SEONGJU.lon_deg,
                                  np.full(ground_m.shape, SEONGJU.boresight_deg), ground_m)
    return geodetic_to_ecef(lat, lon, np.full(ground_m.shape, alt_m))


def test_terminal_mode_goes_blind_at_600_km_and_forward_based_does_not() -> None:
    """The same big target at 300 km altitude on the boresight, slant ranges 500-900 km:
    terminal mode sees it only inside 600 km, forward-based mode everywhere."""
    r = _targets_on_boresight(np.linspace(400e3, 850e3, 46), 300e3)
    for radar in (TERMINAL, FORWARD):
        v = rd.look(radar, SEONGJU, r, np.zeros_like(r), 10.0, "track")
        inside = v.range_m <= radar.instrumented_range_m
        assert np.all(v.visible == inside)
        assert np.all(v.status[~inside] == rd.BEYOND_RANGE)
        assert np.all(v.pd[~inside] == 0.0) and np.all(v.snr[~inside] == 0.0)
    assert rd.look(FORWARD, SEONGJU, r, np.zeros_like(r), 10.0).visible.all()


@settings(max_examples=60, deadline=None)
@given(window_km=st.floats(50.0, 3_000.0), mode=st.sampled_from(["terminal", "forward-based"]),
       dwell=st.sampled_from(["search", "cued", "track"]),
       seed=st.integers(0, 2**32 - 1))
def test_no_look_beyond_the_window(window_km: float, mode: str, dwell: str, seed: int) -> None:
    """Property: for any window, mode and dwell, no target farther than the window has a
    signal, a detection probability or a measurement; every visible one is inside it."""
    radar = dataclasses.replace(get_radar(mode).radar, instrumented_range_m=window_km * 1e3)
    g = np.random.default_rng(seed)
    n = 400
    az = SEONGJU.boresight_deg + g.uniform(-70.0, 70.0, n)
    lat, lon, _ = geodesic_direct(SEONGJU.lat_deg, SEONGJU.lon_deg, az % 360.0,
                                  g.uniform(1e3, 4_000e3, n))
    r = geodetic_to_ecef(lat, lon, g.uniform(0.0, 1_500e3, n))
    v = rd.look(radar, SEONGJU, r, g.normal(0.0, 3e3, (n, 3)), 1e3, dwell)
    beyond = ~(v.range_m <= radar.instrumented_range_m)
    assert np.all(v.range_m[v.visible] <= radar.instrumented_range_m)
    assert np.all(v.snr[beyond] == 0.0) and np.all(v.pd[beyond] == 0.0)
    assert np.all(v.status[beyond] != rd.VISIBLE)
    z, _ = rd.measure(radar, v, g, dwell)
    assert np.all(np.isnan(z[beyond]))


@pytest.fixture(scope="module")
def hwasong15_from_china() -> Truth:
    """The issue's example: a Hwasong-15 from 46.58 N 125.0 E to Washington."""
    from thaadsim.systems.catalog import get_missile
    from thaadsim.systems.detection import truth_from_flight
    from thaadsim.systems.threat import fly_threat

    m = get_missile("hwasong-15")
    tf = fly_threat(m, 46.58, 125.0, 38.90, -77.04, record=True)
    return truth_from_flight(tf.flight, m.rocket.reentry_beta_kgm2)


def _range_from_seongju_m(truth: Truth, t_s: np.ndarray) -> np.ndarray:
    """Slant ranges from Seongju of the first flight of ``truth`` at times ``t_s``."""
    y = truth_at(truth, np.asarray(t_s, dtype=np.float64)[None])[0]
    return np.asarray(rd.look(TERMINAL, SEONGJU, y[:, :3], y[:, 3:], 1.0).range_m)


@pytest.mark.slow
def test_the_issue_example_is_not_seen_in_terminal_mode(hwasong15_from_china: Truth) -> None:
    """Issue 15: `detect --missile hwasong-15 --from 46.58,125.0 --to 38.90,-77.04
    --radar-site seongju --mode terminal --rcs-m2 1` reported a first detection at 150 s,
    more than 1,200 km from the radar. The missile is never within 600 km of Seongju, so
    terminal mode must never detect it; forward-based mode (2,000 km) does, and only
    within its window."""
    truth = hwasong15_from_china
    t = np.arange(0.0, float(truth.impact_t_s[0]), 5.0)
    assert np.nanmin(_range_from_seongju_m(truth, t)) > 1_100e3  # the premise
    trials = truth.repeated(8)
    term = simulate_detection(trials, TERMINAL, SEONGJU, 1.0, np.random.default_rng(1))
    assert np.all(np.isnan(term.first_detection_s))
    fwd = simulate_detection(trials, FORWARD, SEONGJU, 1.0, np.random.default_rng(1))
    seen = np.isfinite(fwd.first_detection_s)
    assert seen.any()
    assert np.all(_range_from_seongju_m(truth, fwd.first_detection_s[seen])
                  <= FORWARD.instrumented_range_m)


def _synthetic_truth(lat_deg: np.ndarray, lon_deg: np.ndarray, alt_m: float,
                     dt_s: float, trials: int) -> Truth:
    """A target at constant altitude over the ground points given (one every ``dt_s``),
    velocities by central differences, repeated for ``trials`` (each its own search phase)."""
    r = geodetic_to_ecef(lat_deg, lon_deg, np.full(lat_deg.shape, alt_m))
    v = np.gradient(r, dt_s, axis=0)
    t = dt_s * np.arange(r.shape[0])
    one = Truth(t_s=t[None], state=np.concatenate([r, v], -1)[None],
                burnout_t_s=np.array([0.0]), impact_t_s=np.array([t[-1]]),
                impact_ecef_m=r[-1][None], beta_kgm2=np.array([1e4]))
    return one.repeated(trials)


@pytest.mark.parametrize(("radar", "alt_m", "what"), [
    (TERMINAL, 100e3, "the 600 km window"), (FORWARD, 300e3, "the 2,000 km window"),
    (FORWARD, 100e3, "the radar horizon")])
def test_detect_first_sees_a_target_where_the_coverage_fan_begins(
        radar: rd.Radar, alt_m: float, what: str) -> None:
    """A 1,000 m2 target (every dwell of either mode detects it with Pd > 0.999 wherever it is
    visible, up to 2,000 km) flies inbound along the boresight at 2 km/s and constant altitude,
    cued at launch. ``coverage`` (track dwell: the largest fan) puts the far edge of the
    fan at ground range D; ``detect``'s search must first detect it between D and one search
    frame's travel (plus 1 km) inside D, in every one of 40 trials of the frame phase."""
    cov = radar_coverage(radar, SEONGJU, 1e3, alt_m, azimuth_step_deg=1.0)
    mid = int(np.argmin(np.abs(((cov.azimuth_deg - SEONGJU.boresight_deg + 180) % 360) - 180)))
    far_m = float(cov.far_m[mid])
    bearing = float(cov.azimuth_deg[mid])
    speed, dt = 2e3, 1.0
    ground = np.arange(far_m + 300e3, far_m - 400e3, -speed * dt)
    lat, lon, _ = geodesic_direct(SEONGJU.lat_deg, SEONGJU.lon_deg,
                                  np.full(ground.shape, bearing), ground)
    truth = _synthetic_truth(lat, lon, alt_m, dt, 40)
    first, _ = search(truth, radar, SEONGJU, np.full(40, 1e3), np.random.default_rng(7),
                      early_warning=NOW)
    assert np.all(np.isfinite(first)), what
    y = truth_at(truth, first[:, None])[:, 0]
    lat1, lon1, _ = ecef_to_geodetic(y[:, :3])
    d1 = geodesic_inverse(SEONGJU.lat_deg, SEONGJU.lon_deg, lat1, lon1)[0]
    assert np.all(d1 <= far_m + 1e3), what
    assert np.all(d1 >= far_m - speed * radar.search_frame_s - 1e3), what


def test_detect_first_sees_a_target_where_the_fan_side_begins() -> None:
    """The other edge of the fan, its side: a target at 100 km altitude circles Seongju at
    400 km ground range (inside the terminal window) from outside the face into it; its first
    detection lies inside the coverage fan, within one search frame's travel of the side ray
    (boresight + 60 deg)."""
    cov = radar_coverage(TERMINAL, SEONGJU, 1e3, 100e3, azimuth_step_deg=1.0)
    edge = (SEONGJU.boresight_deg + TERMINAL.scan_half_width_deg) % 360.0
    ground, speed, dt = 400e3, 2e3, 1.0
    dtheta_deg = np.degrees(speed * dt / ground)
    bearings = (edge + 25.0 - dtheta_deg * np.arange(int(50.0 / dtheta_deg))) % 360.0
    lat, lon, _ = geodesic_direct(SEONGJU.lat_deg, SEONGJU.lon_deg, bearings,
                                  np.full(bearings.shape, ground))
    truth = _synthetic_truth(lat, lon, 100e3, dt, 40)
    first, _ = search(truth, TERMINAL, SEONGJU, np.full(40, 1e3), np.random.default_rng(8),
                      early_warning=NOW)
    assert np.all(np.isfinite(first))
    y = truth_at(truth, first[:, None])[:, 0]
    lat1, lon1, _ = ecef_to_geodetic(y[:, :3])
    az1 = geodesic_inverse(SEONGJU.lat_deg, SEONGJU.lon_deg, lat1, lon1)[1]
    inside_deg = (edge - az1 + 180.0) % 360.0 - 180.0  # > 0: inside the face
    frame_deg = np.degrees(speed * TERMINAL.search_frame_s / ground)
    assert np.all(inside_deg >= -0.01) and np.all(inside_deg <= frame_deg + 0.01)
    from shapely.geometry import Point

    fan = cov.polygon.buffer(0.01)  # 0.01 deg: the polygon's edge sampling
    assert all(fan.contains(Point(lo, la)) for lo, la in zip(lon1, lat1, strict=True))
