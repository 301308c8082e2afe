"""Powered flight against the rocket equation.

References: Tsiolkovsky's rocket equation and the vertical flight of a
constant-thrust rocket in uniform gravity (Sutton & Biblarz, *Rocket Propulsion
Elements*, 9th ed., eqs. 4-6 and 4-14/4-15):
``v(t_b) = c ln(m0/mf) - g t_b`` and
``h(t_b) = c (t_b - (mf/mdot) ln(m0/mf)) - g t_b^2 / 2``, with ``c = Isp g0``.
With a 2 s burn the altitude gained (~5 km) changes gravity by 0.15%, so these
hold to better than 0.1%.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from thaadsim.physics.earth import G0_MPS2, GM_EARTH_M3PS2, SPHERE
from thaadsim.physics.rocket import Rocket, Stage, fly_rocket

G_SURFACE = GM_EARTH_M3PS2 / SPHERE.a_m**2


def vertical(rocket: Rocket, **kw):
    return fly_rocket(rocket, 0.0, 0.0, 0.0, 90.0, 0.0, earth="sphere", rotating=False,
                      drag=False, **kw)


def test_single_stage_vertical_burn_matches_rocket_equation():
    stage = Stage(loaded_mass_kg=1000.0, propellant_kg=800.0, isp_s=250.0, burn_time_s=2.0)
    rocket = Rocket(stages=(stage,), payload_kg=200.0, cda_m2=0.1, vertical_rise_s=2.0,
                    reentry_beta_kgm2=1e4)
    f = vertical(rocket)
    c = 250.0 * G0_MPS2
    m0, mf, mdot, tb = 1200.0, 400.0, 400.0, 2.0
    v_ref = c * math.log(m0 / mf) - G_SURFACE * tb
    h_ref = c * (tb - (mf / mdot) * math.log(m0 / mf)) - 0.5 * G_SURFACE * tb**2
    v = np.linalg.norm(f.burnout_state[0, 3:])
    h = np.linalg.norm(f.burnout_state[0, :3]) - SPHERE.a_m
    assert v == pytest.approx(v_ref, rel=1e-3)
    assert h == pytest.approx(h_ref, rel=1e-3)
    assert rocket.ideal_delta_v_mps() == pytest.approx(c * math.log(m0 / mf), rel=1e-12)


def test_two_stages_add_their_velocity_gains():
    s1 = Stage(loaded_mass_kg=3000.0, propellant_kg=2500.0, isp_s=240.0, burn_time_s=1.0)
    s2 = Stage(loaded_mass_kg=800.0, propellant_kg=650.0, isp_s=290.0, burn_time_s=1.0)
    rocket = Rocket(stages=(s1, s2), payload_kg=100.0, cda_m2=0.1, vertical_rise_s=2.0,
                    reentry_beta_kgm2=1e4)
    dv1 = 240.0 * G0_MPS2 * math.log(3900.0 / 1400.0)
    dv2 = 290.0 * G0_MPS2 * math.log(900.0 / 250.0)
    assert rocket.ideal_delta_v_mps() == pytest.approx(dv1 + dv2, rel=1e-12)
    f = vertical(rocket)
    v = np.linalg.norm(f.burnout_state[0, 3:])
    assert v == pytest.approx(dv1 + dv2 - G_SURFACE * 2.0, rel=1e-3)


def test_cutoff_ends_thrust_early():
    stage = Stage(loaded_mass_kg=5000.0, propellant_kg=3800.0, isp_s=230.0, burn_time_s=60.0)
    rocket = Rocket(stages=(stage,), payload_kg=1000.0, cda_m2=0.2, vertical_rise_s=5.0,
                    reentry_beta_kgm2=5e3)
    full = fly_rocket(rocket, 39.0, 125.7, 0.0, 180.0, 10.0)
    short = fly_rocket(rocket, 39.0, 125.7, 0.0, 180.0, 10.0, 40.0)
    assert short.burnout_t_s[0] == 40.0 and full.burnout_t_s[0] == 60.0
    assert np.linalg.norm(short.burnout_state[0, 3:]) < np.linalg.norm(full.burnout_state[0, 3:])
    assert short.impact_t_s[0] < full.impact_t_s[0]


def test_rocket_too_weak_to_lift_off_fails_cleanly():
    """Thrust below weight: the flight is flagged as failed, never reported as valid."""
    stage = Stage(loaded_mass_kg=5000.0, propellant_kg=1000.0, isp_s=100.0, burn_time_s=60.0)
    rocket = Rocket(stages=(stage,), payload_kg=1000.0, cda_m2=0.2, vertical_rise_s=5.0,
                    reentry_beta_kgm2=5e3)
    f = fly_rocket(rocket, 39.0, 125.7, 0.0, 180.0, 10.0)
    assert f.boost_failed[0] and not f.impacted[0]
