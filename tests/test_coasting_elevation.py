"""Seongju's minimum elevation (5 deg, ROK MND, July 2016) and the face's tilt and highest
elevation as sensitivity factors (issue 16, part 2).

References: the radar horizon over a 4/3 effective Earth (Skolnik, *Introduction to Radar
Systems*, 3rd ed., 2001, sec. 8.2; Doerry, Sandia SAND2013-9010): a ray leaving a radar at
height :math:`h_r` at elevation :math:`\\epsilon` reaches height :math:`h_t` at the ground
angle :math:`\\theta` with :math:`\\cos(\\theta + \\epsilon) = (a_e + h_r)\\cos\\epsilon /
(a_e + h_t)`, so the horizon range is :math:`d = a_e[\\arccos(\\frac{a_e + h_r}{a_e + h_t}
\\cos\\epsilon) - \\epsilon]`, :math:`a_e = \\frac43 R`.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from thaadsim.errors import InputError
from thaadsim.scenario import parse_scenario
from thaadsim.studies.coverage import horizon_ground_range_m
from thaadsim.systems.catalog import get_radar, get_site
from thaadsim.systems.radar import (
    BELOW_HORIZON,
    VISIBLE,
    Emplacement,
    face_status,
    min_elevation_deg,
)

SPHERE_R_M = 6_371_000.0
A_E_M = 4.0 / 3.0 * SPHERE_R_M


def horizon_m(radar_alt_m: float, target_alt_m: float, elevation_deg: float) -> float:
    """Skolnik sec. 8.2 closed form (module docstring), written out here, independently of
    ``thaadsim.studies.validation``."""
    e = math.radians(elevation_deg)
    c = (A_E_M + radar_alt_m) / (A_E_M + target_alt_m) * math.cos(e)
    return A_E_M * (math.acos(c) - e)


def test_seongju_min_elevation_is_the_ministrys_figure_with_its_source() -> None:
    site = get_site("seongju")
    assert site.min_elevation_deg == 5.0
    source = site.figures["min_elevation_deg"].source or ""
    assert "five degrees" in source and "Ministry of National Defense" in source
    assert site.emplacement().min_elevation_deg == 5.0
    # a site without the figure keeps the radar's own
    radar = get_radar("terminal").radar
    assert get_site("busan").min_elevation_deg is None
    assert min_elevation_deg(radar, get_site("busan").emplacement(330.0)) == \
        radar.min_elevation_deg == 0.5


@pytest.mark.parametrize("target_alt_km", [10.0, 50.0, 100.0])
def test_horizon_at_5_deg_against_the_closed_form(target_alt_km: float) -> None:
    """The model's horizon along the boresight (WGS84 ellipsoid, refracted rays) within
    0.5% of the closed form on the 6,371 km sphere (the ellipsoid's radius of curvature
    along 330 deg at 36 N differs from 6,371 km by < 0.5%), at the site's 5 deg and, for
    the same radar moved to 0 deg, at 0 deg."""
    radar = get_radar("terminal").radar
    site = get_site("seongju")
    emp5 = site.emplacement()
    emp0 = dataclasses.replace(emp5, min_elevation_deg=0.0)
    h = target_alt_km * 1e3
    got5 = horizon_ground_range_m(radar, emp5, h)
    got0 = horizon_ground_range_m(radar, emp0, h)
    assert got5 == pytest.approx(horizon_m(site.alt_m, h, 5.0), rel=5e-3)
    assert got0 == pytest.approx(horizon_m(site.alt_m, h, 0.0), rel=5e-3)
    if target_alt_km == 10.0:  # the numbers the README states
        assert got0 / 1e3 == pytest.approx(398, abs=3) and got5 / 1e3 == pytest.approx(100, abs=2)


def test_face_status_uses_the_sites_minimum_elevation() -> None:
    radar = get_radar("terminal").radar
    emp = get_site("seongju").emplacement()
    el = np.array([0.6, 4.9, 5.1, 30.0])
    near = np.full(4, 100e3)  # slant range, inside the instrumented range
    got = face_status(np.full(4, 330.0), el, np.ones(4, dtype=bool), radar, emp, near)
    assert got.tolist() == [BELOW_HORIZON, BELOW_HORIZON, VISIBLE, VISIBLE]
    low = dataclasses.replace(emp, min_elevation_deg=None)
    got = face_status(np.full(4, 330.0), el, np.ones(4, dtype=bool), radar, low, near)
    assert got.tolist() == [VISIBLE] * 4


def test_emplacement_min_elevation_is_checked() -> None:
    with pytest.raises(InputError, match=r"min_elevation_deg: 95 .*allowed: a number in \[0, 90\)"):
        Emplacement(lat_deg=36.0, lon_deg=128.0, alt_m=0.0, boresight_deg=0.0,
                    min_elevation_deg=95)


SCENARIO = """\
defense:
  sensors:
    - {name: seongju, site: seongju, mode: terminal, boresight_deg: 330%s}
  batteries: [{battery: seongju}]
  engage_all: true
raid:
  - {missile: scud-c, launch: {site: pyongyang}, aim: {site: seongju}}
"""


def test_a_scenario_sensor_takes_the_sites_figure_or_its_own() -> None:
    (s,) = parse_scenario(SCENARIO % "", "a.yaml").defense.sensors
    assert s.emplacement.min_elevation_deg == 5.0
    (s,) = parse_scenario(SCENARIO % ", min_elevation_deg: 1.5", "b.yaml").defense.sensors
    assert s.emplacement.min_elevation_deg == 1.5
    with pytest.raises(InputError) as err:
        parse_scenario(SCENARIO % ", min_elevation_deg: 90", "c.yaml")
    msg = str(err.value)
    assert msg.startswith("c.yaml:3: defense.sensors[0].min_elevation_deg: 90 is out of range")
    assert "allowed: a number from 0 to below 90 deg" in msg


def test_tilt_and_highest_elevation_are_sensitivity_factors() -> None:
    """Their ranges are stated assumptions, and a run's levels change every sensor's
    radar itself."""
    from thaadsim.studies.sensitivity import (
        PARAMETERS,
        _at_levels,
        _radar_levels,
        parameter,
    )

    defense = parse_scenario(SCENARIO % "", "a.yaml").defense
    assert {"face_tilt_deg", "max_elevation_deg"} <= set(PARAMETERS)
    tilt, top = parameter("face_tilt_deg", defense), parameter("max_elevation_deg", defense)
    assert (tilt.nominal, tilt.low, tilt.high) == (10.0, 0.0, 20.0)
    assert (top.nominal, top.low, top.high) == (70.0, 60.0, 85.0)
    assert "assumption" in tilt.basis and "assumption" in top.basis
    values = {"face_tilt_deg": np.array([10.0, 17.2]), "max_elevation_deg": np.array([70.0, 61.0])}
    levels = _radar_levels(values, defense, 2)
    nominal, _ = _at_levels(levels[0], defense, [])
    changed, _ = _at_levels(levels[1], defense, [])
    assert nominal.sensors[0].radar == defense.sensors[0].radar
    r = changed.sensors[0].radar
    assert (r.face_tilt_deg, r.max_elevation_deg) == (17.0, 61.0)  # on the 1 deg grid


@pytest.mark.slow
def test_a_flattened_kn23_is_seen_later_and_tracked_shorter_at_5_deg() -> None:
    """The KN-23 flown flat (55 km apogee, ROK JCS) from Hwangju at Busan, watched from
    Seongju: with the site's 5 deg its first detection and its firm track come later (it
    must climb above the 5 deg ray first: 53 s against 33 s after launch), so the track
    that fire control gets is shorter (it ends the same way, when the missile leaves the
    face's sector on its way past Seongju to Busan); the same radar draws (seed) with both,
    so the difference is the elevation alone. Geometric checks: no first detection below
    5 deg apparent elevation, and the face sees the flight for fewer seconds."""
    from thaadsim.engagement import status_grid
    from thaadsim.systems.catalog import get_missile
    from thaadsim.systems.detection import simulate_detection, truth_at, truth_from_flight
    from thaadsim.systems.radar import look
    from thaadsim.systems.sensors import Sensor
    from thaadsim.systems.threat import fly_threat

    m, busan = get_missile("kn-23"), get_site("busan")
    f = fly_threat(m, 38.65, 125.80, busan.lat_deg, busan.lon_deg, "depressed", 55.0,
                   record=True)
    truth = truth_from_flight(f.flight, m.rocket.reentry_beta_kgm2)
    radar = get_radar("terminal").radar
    emp5 = get_site("seongju").emplacement()
    emp0 = dataclasses.replace(emp5, min_elevation_deg=None)
    trials = 40
    got = {}
    for emp in (emp0, emp5):
        tl = simulate_detection(truth.repeated(trials), radar, emp, np.full(trials, 0.1),
                                np.random.default_rng(3))
        assert np.isfinite(tl.first_detection_s).all() and np.isfinite(tl.firm_track_s).all()
        got[emp.min_elevation_deg] = tl
    assert np.median(got[5.0].first_detection_s) > np.median(got[None].first_detection_s) + 10
    assert np.median(got[5.0].warning_s) < np.median(got[None].warning_s) - 10
    y = truth_at(truth.repeated(trials), got[5.0].first_detection_s[:, None])[:, 0]
    view = look(radar, emp5, y[:, :3], y[:, 3:], 0.1)
    assert (view.apparent_el_deg >= 5.0).all()
    t = np.arange(0.0, float(truth.impact_t_s[0]), 1.0)[None, :]
    seen = status_grid([Sensor(name=str(k), radar=radar, emplacement=e)
                        for k, e in enumerate((emp0, emp5))], t, truth_at(truth, t)) == VISIBLE
    assert seen[1].sum() < seen[0].sum() - 10
