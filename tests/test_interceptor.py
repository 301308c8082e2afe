"""Interceptors: sourced catalog, calibrated boosters, reach tables, kill probability.

References and tolerances:

- Published envelopes: THAAD intercepts at 40-150 km altitude out to 200 km (Xinhua,
  Aug 2016; USCC 2016 Annual Report, p. 448) with a speed of ~10,000 km/h (Pentagon
  contract notice via gagadget.com); PAC-3 MSE reaches 35-60 km at 20-30 km altitude
  (the catalog's sources). The modelled burnout speed must lie within 5% of the
  catalog's figure (the tolerance the threat catalog uses for ranges).
- An independent kinematic bound: no fly-out is ever faster than the ideal velocity
  gain of Tsiolkovsky's rocket equation, :math:`\\Delta v = I_{sp} g_0 \\ln(m_0/m_f)`
  (Sutton & Biblarz, *Rocket Propulsion Elements*, 9th ed., eq. 4-6): gravity and drag
  only slow it, and above the burnout altitude it is slower than at burnout (energy).
  So the time of flight to any point is at least the straight-line distance over that.
- The reach table against fly-outs flown directly with kicks between the fan's
  (states every 0.2 s): time of flight within 1% (measured: <= 0.02 s inside the
  envelope, 0.5 s at its low-altitude edge), speed within 2% or 30 m/s.
- The kill probability against the Rayleigh CDF, :math:`P(|m| \\le D) = 1 -
  e^{-D^2/2\\sigma^2}` for a circular Gaussian miss (Papoulis & Pillai, 4th ed.,
  sec. 6-2), to 1e-12.
"""

from __future__ import annotations

import math
import time

import numpy as np
import pytest

from thaadsim.errors import CatalogError
from thaadsim.physics.earth import G0_MPS2
from thaadsim.physics.geodesy import (
    ecef_to_geodetic,
    geodesic_direct,
    geodesic_inverse,
    geodetic_to_ecef,
)
from thaadsim.physics.rocket import fly_rocket
from thaadsim.systems.interceptor import (
    CALIBRATION_KICK_DEG,
    REACH_SITE_LAT_DEG,
    REACH_SITE_LON_DEG,
    burnout_speed_mps,
    divert_reach_m,
    get_interceptor,
    interceptor_catalog,
    kill_probability,
    load_interceptors,
    reach_table,
)

SLUGS = ["thaad", "pac-3-mse"]


def test_catalog_has_exactly_the_two_interceptors():
    assert sorted(interceptor_catalog()) == sorted(SLUGS)


def test_every_figure_has_a_source_or_an_assumption():
    for it in interceptor_catalog().values():
        assert {"sspk", "divert_mps", "homing_time_s", "cost_usd", "stages[0].propellant_kg",
                "min_intercept_alt_km", "max_intercept_alt_km"} <= set(it.figures)
        for name, fig in it.figures.items():
            text = fig.source or fig.assumption
            assert text and len(text.strip()) > 10, f"{it.slug}.{name}"
        calibrated = it.figures["stages[0].propellant_kg"].assumption
        assert calibrated and "calibrated" in calibrated


def test_published_thaad_envelope_is_in_the_catalog():
    thaad = get_interceptor("thaad")
    assert (thaad.min_alt_m, thaad.max_alt_m, thaad.max_ground_range_m) == (40e3, 150e3, 200e3)
    assert thaad.figures["max_ground_range_km"].source is not None
    assert thaad.figures["sspk"].assumption is not None  # not public
    assert thaad.rocket.launch_mass_kg == pytest.approx(900.0, rel=0.01)
    assert len(thaad.rocket.stages) == 1


@pytest.mark.parametrize("slug", SLUGS)
def test_burnout_speed_within_5_percent_of_the_catalog(slug):
    """THAAD's 2.78 km/s is published (10,000 km/h); PAC-3 MSE's is an assumption."""
    it = get_interceptor(slug)
    speed = burnout_speed_mps(it, CALIBRATION_KICK_DEG)[0]
    assert speed == pytest.approx(it.burnout_speed_mps, rel=0.05)
    # and over the fan's mid-envelope kicks the losses do not move it by more than 10%
    fan = burnout_speed_mps(it, np.array([0.0, 15.0, 30.0, 45.0]))
    assert np.all(np.abs(fan / it.burnout_speed_mps - 1.0) < 0.10)


def test_unknown_slug_lists_the_known_ones():
    with pytest.raises(CatalogError, match="unknown slug 'arrow-3'.*thaad.*pac-3-mse"):
        get_interceptor("arrow-3")


# --------------------------------------------------------------------------------------------
# Loader refusals
# --------------------------------------------------------------------------------------------

BASE = """
x-1:
  length_m: {value: 6.0, source: "a report"}
  diameter_m: {value: 0.34, source: "a report"}
  launch_mass_kg: {value: 900, source: "a report"}
  drag_coefficient: {value: 0.3, assumption: "typical value"}
  vertical_rise_s: {value: 1, assumption: "typical value"}
  payload_kg: {value: 40, assumption: "typical value"}
  kill_vehicle_beta_kgm2: {value: 8000, assumption: "typical value"}
  burnout_speed_kmps: {value: 2.8, source: "a report"}
  min_intercept_alt_km: {value: 40, source: "a report"}
  max_intercept_alt_km: {value: 150, source: "a report"}
  max_ground_range_km: {value: 200, source: "a report"}
  sspk: {value: 0.85, assumption: "typical value"}
  divert_mps: {value: 400, assumption: "typical value"}
  homing_time_s: {value: 8, assumption: "typical value"}
  cost_usd: {value: 19700000, source: "a report"}
  stages:
    - loaded_mass_kg: {value: 860, source: "a report"}
      propellant_kg: {value: 669, assumption: "calibrated"}
      isp_s: {value: 260, assumption: "typical value"}
      burn_time_s: {value: 17, assumption: "typical value"}
"""


def test_a_valid_user_catalog_loads(tmp_path):
    path = tmp_path / "cat.yaml"
    path.write_text(BASE)
    it = load_interceptors(path)["x-1"]
    assert it.sspk == 0.85 and it.max_alt_m == 150e3
    assert it.rocket.stages[0].isp_s == 260.0


@pytest.mark.parametrize("old, new, message", [
    ('sspk: {value: 0.85, assumption: "typical value"}', "sspk: {value: 0.85}",
     r"x-1\.sspk: value 0\.85 has neither a 'source' nor an 'assumption'"),
    ('divert_mps: {value: 400, assumption: "typical value"}', 'divert_mps: {value: 400, '
     'assumption: "  "}', r"x-1\.divert_mps: value 400 has neither"),
    ('burn_time_s: {value: 17, assumption: "typical value"}', "burn_time_s: 17",
     r"x-1\.stages\[0\]\.burn_time_s: expected a mapping"),
    ('sspk: {value: 0.85,', "sspk: {value: 1.2,", r"x-1\.sspk: 1\.2 must lie in \(0, 1\]"),
    ('max_intercept_alt_km: {value: 150,', "max_intercept_alt_km: {value: 30,",
     r"x-1\.max_intercept_alt_km: 30\.0 must exceed min_intercept_alt_km 40\.0"),
    ('launch_mass_kg: {value: 900,', "launch_mass_kg: {value: 1000,",
     r"x-1\.launch_mass_kg: the stages and payload add up to 900 kg, not 1000 kg"),
    ('  homing_time_s: {value: 8, assumption: "typical value"}\n', "",
     r"x-1\.homing_time_s: missing"),
    ('isp_s: {value: 260, assumption: "typical value"}',
     'isp_s: {value: 260, assumption: "typical value"}\n      thrust_kn: {value: 90, '
     'assumption: "typical value"}', r"x-1\.stages\[0\]\.isp_s: give either isp_s or thrust_kn"),
])
def test_loader_refuses_bad_figures_naming_file_and_field(tmp_path, old, new, message):
    assert old in BASE
    path = tmp_path / "cat.yaml"
    path.write_text(BASE.replace(old, new))
    with pytest.raises(CatalogError, match=message) as exc:
        load_interceptors(path)
    assert str(path) in str(exc.value)


# --------------------------------------------------------------------------------------------
# Reach tables
# --------------------------------------------------------------------------------------------


def _slant_m(ground_m, alt_m):
    """Straight-line distance from the launcher to points east of it (WGS84)."""
    lat, lon = REACH_SITE_LAT_DEG, REACH_SITE_LON_DEG
    lat2, lon2, _ = geodesic_direct(lat, lon, 90.0, ground_m)
    return np.linalg.norm(geodetic_to_ecef(lat2, lon2, alt_m) - geodetic_to_ecef(lat, lon, 0.0),
                          axis=-1)


def test_thaad_reaches_its_whole_published_envelope_in_plausible_times():
    thaad = get_interceptor("thaad")
    table = reach_table(thaad)
    assert table.ground_m[0] == 0.0 and table.ground_m[-1] == 200e3
    assert table.alt_m[0] == 40e3 and table.alt_m[-1] == 150e3
    assert np.isfinite(table.tof_s).all(), "every cell of 40-150 km x 0-200 km is reachable"
    g, a = np.meshgrid(table.ground_m, table.alt_m, indexing="ij")
    stage = thaad.rocket.stages[0]
    ideal_mps = stage.isp_s * G0_MPS2 * math.log(
        thaad.rocket.launch_mass_kg / (thaad.rocket.launch_mass_kg - stage.propellant_kg))
    assert np.all(table.tof_s >= _slant_m(g, a) / ideal_mps)
    # and no slower than a flight at half the published burnout speed plus the burn
    assert np.all(table.tof_s <= _slant_m(g, a) / (0.5 * thaad.burnout_speed_mps)
                  + stage.burn_time_s)
    assert 20.0 < table.time_of_flight_s(0.0, 40e3) < 40.0  # straight up, ~25 s
    assert np.all(table.speed_mps < 1.05 * thaad.burnout_speed_mps)


def test_pac3_envelope_is_much_smaller_and_lower_than_thaads():
    pac3, thaad = get_interceptor("pac-3-mse"), get_interceptor("thaad")
    assert pac3.max_alt_m < thaad.min_alt_m  # the two tiers do not overlap in altitude
    assert pac3.max_ground_range_m < 0.25 * thaad.max_ground_range_m
    table = reach_table(pac3)
    assert np.isfinite(table.tof_s).all()
    assert np.isnan(table.time_of_flight_s([0.0, 10e3, 30e3], 40e3)).all()
    assert np.isnan(table.time_of_flight_s(50e3, 20e3))
    assert table.tof_s.max() < 60.0


def test_queries_outside_the_envelope_are_nan():
    table = reach_table(get_interceptor("thaad"))
    tof = table.time_of_flight_s([100e3, 100e3, 100e3, 201e3, -1.0], [39e3, 151e3, 100e3, 100e3,
                                                                       100e3])
    assert np.isnan(tof[[0, 1, 3, 4]]).all() and np.isfinite(tof[2])
    assert table.reachable(100e3, 100e3) and not table.reachable(100e3, 30e3)
    # broadcasting: a column of ranges against a row of altitudes
    assert table.time_of_flight_s(np.array([[50e3], [60e3]]), np.array([50e3, 60e3, 70e3])
                                  ).shape == (2, 3)


@pytest.mark.parametrize("slug, kicks", [("thaad", [5.25, 20.75, 33.75, 45.25]),
                                         ("pac-3-mse", [12.25, 33.75, 51.25])])
def test_reach_table_agrees_with_direct_fly_outs(slug, kicks):
    """Fly-outs with kicks between the fan's, recorded every 0.2 s; every point of their
    way up inside the envelope. Tolerance: 1% in time of flight, 2% or 30 m/s in speed."""
    it = get_interceptor(slug)
    table = reach_table(it)
    flight = fly_rocket(it.rocket, REACH_SITE_LAT_DEG, REACH_SITE_LON_DEG, 0.0, 90.0, kicks,
                        rotating=False, record=True, max_step_s=0.2)
    checked = 0
    for t, state in zip(flight.track_t_s, flight.track_state, strict=True):
        ok = np.isfinite(t)
        t, state = t[ok], state[ok]
        lat, lon, alt = ecef_to_geodetic(state[:, :3])
        ground, _, _ = geodesic_inverse(REACH_SITE_LAT_DEG, REACH_SITE_LON_DEG, lat, lon)
        up = np.arange(t.size) <= np.argmax(alt)
        sel = (up & (alt >= it.min_alt_m) & (alt <= it.max_alt_m)
               & (ground <= it.max_ground_range_m))
        sel[sel] = np.arange(sel.sum()) % 7 == 0  # a sample of the points
        tof = table.time_of_flight_s(ground[sel], alt[sel])
        np.testing.assert_allclose(tof, t[sel], rtol=0.01)
        speed = np.linalg.norm(state[sel, 3:], axis=1)
        assert np.all(np.abs(table.speed_at_mps(ground[sel], alt[sel]) - speed)
                      <= np.maximum(0.02 * speed, 30.0))
        checked += int(sel.sum())
    assert checked > 40


def test_reach_table_is_cached_and_fast():
    thaad = get_interceptor("thaad")
    table = reach_table(thaad)
    assert reach_table(thaad) is table
    rng = np.random.default_rng(1)
    g = rng.uniform(0.0, 200e3, 100_000)
    a = rng.uniform(40e3, 150e3, 100_000)
    start = time.perf_counter()
    tof = table.time_of_flight_s(g, a)
    assert time.perf_counter() - start < 0.1  # measured ~2 ms
    assert np.isfinite(tof).all()


# --------------------------------------------------------------------------------------------
# Kill probability
# --------------------------------------------------------------------------------------------


def test_divert_reach_is_half_divert_times_time_to_go():
    thaad = get_interceptor("thaad")
    assert divert_reach_m(thaad) == pytest.approx(0.5 * thaad.divert_mps * thaad.homing_time_s)
    assert divert_reach_m(thaad, 2.0) == pytest.approx(thaad.divert_mps)
    assert np.isnan(divert_reach_m(thaad, -1.0))


@pytest.mark.parametrize("slug", SLUGS)
def test_kill_probability_limits_and_rayleigh_formula(slug):
    it = get_interceptor(slug)
    reach = 0.5 * it.divert_mps * it.homing_time_s
    assert kill_probability(it, 0.0) == it.sspk
    assert kill_probability(it, 1e-3 * reach) == pytest.approx(it.sspk, rel=1e-12)
    assert kill_probability(it, 1e3 * reach) < 1e-6 * it.sspk
    sigma = np.geomspace(1.0, 1e5, 200)
    p = kill_probability(it, sigma)
    assert np.all(np.diff(p) <= 0)  # monotone: a worse handover never helps
    assert np.all(np.diff(p)[p[1:] < 0.99 * it.sspk] < 0)  # and strictly so once it matters
    np.testing.assert_allclose(p, it.sspk * (1.0 - np.exp(-reach**2 / (2.0 * sigma**2))),
                               rtol=1e-12, atol=1e-15)
    # at sigma = D the miss is inside the reach with probability 1 - e^{-1/2}
    assert kill_probability(it, reach) == pytest.approx(it.sspk * (1.0 - math.exp(-0.5)))


def test_kill_probability_with_time_to_go_broadcasts_and_flags_bad_input():
    thaad = get_interceptor("thaad")
    p = kill_probability(thaad, np.array([[100.0], [1000.0]]), np.array([2.0, 4.0, 8.0]))
    assert p.shape == (2, 3)
    assert np.all(np.diff(p, axis=1) > 0)  # more time to go, more divert reach
    assert np.isnan(kill_probability(thaad, [-1.0, np.nan])).all()
    assert np.isnan(kill_probability(thaad, 100.0, -1.0))


def test_kill_probability_monte_carlo_matches_closed_form():
    """Sample circular Gaussian misses; the fraction within D (times SSPK) agrees with the
    closed form within 4 binomial standard errors."""
    thaad = get_interceptor("thaad")
    sigma = 1000.0
    rng = np.random.default_rng(7)
    miss = np.hypot(*rng.normal(0.0, sigma, size=(2, 200_000)))
    empirical = thaad.sspk * np.mean(miss <= divert_reach_m(thaad))
    p = float(kill_probability(thaad, sigma))
    assert abs(empirical - p) < 4.0 * math.sqrt(p * (1 - p) / 200_000)


def test_catalog_propellant_is_what_the_calibration_finds() -> None:
    """The THAAD booster's propellant in the catalog is calibrated to the published 2.78 km/s
    burnout speed (Pentagon contract notice, as the catalog cites it);
    calibrated_propellant_kg, the procedure that found it, finds it again within 1 kg."""
    from thaadsim.systems.interceptor import calibrated_propellant_kg

    thaad = get_interceptor("thaad")
    found = calibrated_propellant_kg(thaad.rocket, thaad.burnout_speed_mps)
    assert found == pytest.approx(thaad.rocket.stages[0].propellant_kg, abs=1.0)
