"""What a run keeps once per version (flights, coverage fans) is exactly what it would
compute, and stage timings add up."""

from __future__ import annotations

import time

import numpy as np
import pytest
import shapely

from thaadsim import engagement, timing
from thaadsim.engagement import RaidThreat
from thaadsim.systems.catalog import get_missile, get_site
from thaadsim.systems.threat import fly_threat

SEONGJU = get_site("seongju")


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("THAADSIM_CACHE_DIR", str(tmp_path))
    engagement._recorded_flight.cache_clear()
    yield tmp_path
    engagement._recorded_flight.cache_clear()


def test_kept_flight_is_the_flight(cache_dir) -> None:  # type: ignore[no-untyped-def]
    th = RaidThreat(missile=get_missile("scud-c"), launch_lat_deg=39.0, launch_lon_deg=125.75,
                    aim_lat_deg=SEONGJU.lat_deg, aim_lon_deg=SEONGJU.lon_deg)
    first = engagement._fly([th])  # computed and kept
    assert list(cache_dir.glob("flight-*.json"))
    engagement._recorded_flight.cache_clear()
    again = engagement._fly([th])  # read back
    f = fly_threat(get_missile("scud-c"), 39.0, 125.75, SEONGJU.lat_deg, SEONGJU.lon_deg,
                   "min-energy", None, record=True).flight
    ok = np.isfinite(f.track_t_s[0])
    for truth in (first, again):
        assert np.array_equal(truth.t_s[0], f.track_t_s[0][ok])
        assert np.array_equal(truth.state[0], f.track_state[0][ok])
        assert truth.impact_t_s[0] == f.impact_t_s[0]
        assert truth.burnout_t_s[0] == f.burnout_t_s[0]
        assert np.array_equal(truth.impact_ecef_m[0], f.impact_state[0, :3])


def test_kept_coverage_is_the_coverage(cache_dir) -> None:  # type: ignore[no-untyped-def]
    from thaadsim.studies import claims
    from thaadsim.studies.coverage import radar_coverage
    from thaadsim.systems.catalog import get_radar

    emp = SEONGJU.emplacement()
    direct = radar_coverage(get_radar("terminal").radar, emp, 1.0, 300e3, dwell="track",
                            azimuth_step_deg=2.0)
    claims.china._coverage.cache_clear()
    claims.coverage("terminal", emp, 1.0, 300e3, azimuth_step_deg=2.0)  # computed, kept
    claims.china._coverage.cache_clear()
    kept = claims.coverage("terminal", emp, 1.0, 300e3, azimuth_step_deg=2.0)  # read back
    assert list(cache_dir.glob("coverage-*.json"))
    assert shapely.to_wkb(kept.polygon) == shapely.to_wkb(direct.polygon)
    for name in ("azimuth_deg", "near_m", "far_m"):
        assert np.array_equal(getattr(kept, name), getattr(direct, name), equal_nan=True)
    assert kept.territory == direct.territory and kept.covered_km2 == direct.covered_km2


def test_stages_add_up_and_nest() -> None:
    with timing.recording() as t:
        with timing.stage("outer"):
            time.sleep(0.01)
            with timing.stage("inner"):
                time.sleep(0.3)
    assert set(t.wall_s) == {"outer", "inner"}
    assert t.wall_s["inner"] >= 0.3
    assert 0.01 <= t.wall_s["outer"] < 0.2  # its own time, without the inner stage's


def test_stages_outside_a_recording_keep_nothing() -> None:
    with timing.stage("x"):
        pass
    with timing.recording() as t:
        pass
    assert t.wall_s == {}


def test_kept_reach_table_is_the_table(cache_dir) -> None:  # type: ignore[no-untyped-def]
    """The interceptor's reach table (a fan of 161 fly-outs) is kept once per version: the
    one read back equals, bit for bit (NaN where unreachable), the one flown here."""
    from thaadsim.systems import interceptor as ic

    thaad = ic.get_interceptor("thaad")
    args = (thaad.slug, thaad.rocket, thaad.min_alt_m, thaad.max_alt_m,
            thaad.max_ground_range_m, 21, 8)
    direct = ic._computed_reach_table(*args)
    ic._reach_table.cache_clear()
    first = ic._reach_table(*args)  # computed and kept
    assert list(cache_dir.glob("reach-*.json"))
    ic._reach_table.cache_clear()
    again = ic._reach_table(*args)  # read back
    ic._reach_table.cache_clear()
    for table in (first, again):
        for name in ("ground_m", "alt_m", "tof_s", "speed_mps", "kick_deg"):
            assert np.array_equal(getattr(table, name), getattr(direct, name), equal_nan=True)
    assert np.isfinite(direct.tof_s).any()
