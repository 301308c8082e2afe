"""Coverage fans against closed-form geometry and the radar equation, and the command.

References: the grazing-ray radar horizon over a sphere of radius k R (Skolnik 2001
sec. 8.2); the area of a spherical-cap sector, A = dphi R^2 (1 - cos(d / R)), for a fan that
is a pure disc sector; the coverage reach can never exceed the smallest of the horizon, the
detection range and the instrumented range.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable

import numpy as np
import pytest
from typer.testing import CliRunner

from thaadsim.cli import app
from thaadsim.physics.earth import SPHERE
from thaadsim.studies.coverage import radar_coverage
from thaadsim.systems.catalog import get_radar, get_site

TERMINAL = get_radar("terminal").radar
FORWARD = get_radar("forward-based").radar
SEONGJU = get_site("seongju").emplacement()
runner = CliRunner()


def test_reach_is_bounded_by_horizon_detection_and_window() -> None:
    for radar, rcs, alt in ((TERMINAL, 0.01, 100e3), (FORWARD, 1.0, 300e3),
                            (TERMINAL, 0.1, 10e3)):
        cov = radar_coverage(radar, SEONGJU, rcs, alt)
        reach = cov.max_ground_range_m
        assert 0 < reach <= 1.002 * min(cov.horizon_range_m, cov.detection_range_m,
                                        cov.instrumented_range_m)


def test_low_targets_are_horizon_limited() -> None:
    """A 10 km target (artillery rocket or aircraft height): the reach is the horizon."""
    cov = radar_coverage(TERMINAL, SEONGJU, 1.0, 10e3)
    assert cov.max_ground_range_m == pytest.approx(cov.horizon_range_m, rel=0.01)
    assert cov.horizon_range_m < 400e3


def test_fan_on_a_sphere_matches_the_spherical_sector_area() -> None:
    """No elevation mask, no window, a huge target: the fan is a disc sector to the radar
    horizon, A = dphi R^2 (1 - cos(d/R)) (spherical cap), within 0.5%."""
    radar = dataclasses.replace(TERMINAL, min_elevation_deg=-90.0, max_elevation_deg=90.0,
                                instrumented_range_m=1e9)
    alt = 100e3
    unmasked = dataclasses.replace(SEONGJU, min_elevation_deg=None)  # not the site's 5 deg
    cov = radar_coverage(radar, unmasked, 1e4, alt, earth=SPHERE, azimuth_step_deg=0.25)
    a_e = 4.0 / 3.0 * SPHERE.a_m
    d = a_e * (np.arccos(a_e / (a_e + SEONGJU.alt_m)) + np.arccos(a_e / (a_e + alt)))
    np.testing.assert_allclose(cov.far_m, d, atol=20.0)
    sector = np.radians(2 * radar.scan_half_width_deg)
    expected_km2 = sector * SPHERE.a_m**2 * (1 - np.cos(d / SPHERE.a_m)) / 1e6
    assert cov.covered_km2 == pytest.approx(expected_km2, rel=0.005)


def test_more_rcs_covers_more_and_the_search_dwell_less() -> None:
    small = radar_coverage(FORWARD, SEONGJU, 0.01, 300e3)
    big = radar_coverage(FORWARD, SEONGJU, 1.0, 300e3)
    search = radar_coverage(FORWARD, SEONGJU, 1.0, 300e3, dwell="search")
    assert small.covered_km2 < search.covered_km2 < big.covered_km2
    assert big.polygon.contains(small.polygon.buffer(-0.01))


def test_the_cone_above_the_face_is_left_out() -> None:
    """A target at 300 km altitude right above the radar is above the face's 70 deg."""
    cov = radar_coverage(TERMINAL, SEONGJU, 1.0, 300e3)
    el_limit = np.radians(TERMINAL.max_elevation_deg)
    assert np.all(cov.near_m > 0.8 * 300e3 / np.tan(el_limit))


def test_coverage_command_json_has_the_keys_and_countries() -> None:
    res = runner.invoke(app, ["coverage", "--site", "seongju", "--boresight-deg", "330",
                              "--mode", "forward-based", "--rcs-m2", "1", "--alt-km", "300",
                              "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    for key in ("detection_range_km", "horizon_range_km", "covered_area_km2", "countries"):
        assert key in data
    names = {c["country"]: c for c in data["countries"]}
    assert {"China", "North Korea"} <= names.keys()
    assert 0.0 < names["China"]["share"] < 1.0
    assert names["China"]["covered_km2"] == pytest.approx(
        names["China"]["share"] * names["China"]["country_km2"], rel=1e-9)


def test_terminal_mode_barely_reaches_china() -> None:
    """The USCC 2016 reading: in terminal mode (600 km) the radar 'would cover minimal
    Chinese territory'; in forward-based mode 'most of the eastern half of China'."""
    runs = {}
    for mode in ("terminal", "forward-based"):
        res = runner.invoke(app, ["coverage", "--mode", mode, "--rcs-m2", "1", "--alt-km",
                                  "300", "--json"])
        shares = {c["country"]: c["share"] for c in json.loads(res.stdout)["countries"]}
        runs[mode] = shares.get("China", 0.0)
    assert runs["terminal"] < 0.01 < 0.1 < runs["forward-based"]


def test_coverage_map_is_written(tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "fan.png"
    res = runner.invoke(app, ["coverage", "--map", str(out), "--json"])
    assert res.exit_code == 0, res.output
    assert out.stat().st_size > 20_000 and out.read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize(("args", "message"), [
    (["--site", "atlantis"], "unknown slug 'atlantis'; known: seongju"),
    (["--mode", "sideways"], "known modes: terminal, forward-based"),
    (["--boresight-deg", "361"],
     "--boresight-deg: 361 is out of range; allowed: a number from 0 to below 360 deg"),
    (["--boresight-deg", "-5"], "--boresight-deg: -5 is out of range"),
    (["--rcs-m2", "-1"], "--rcs-m2: -1 is out of range"),
    (["--alt-km", "-3"], "--alt-km"),
    (["--dwell", "stare"], "--dwell"),
    (["--map", "fan.jpg"], "must end in .png"),
])
def test_bad_input_is_one_line_and_exit_2(args: list[str], message: str,
                                          cli_error: Callable[..., str]) -> None:
    assert message in cli_error("coverage", *args)
