"""What glide vehicles and manoeuvring warheads do to the defense (issue 16, part 2):
studies/manoeuvre.py, the band, the ballistic tracker's impact prediction and the kill
probability with the ballistic and a manoeuvre process noise.

The kill model is the project's (thaadsim.systems.interceptor: the divert reach
D = dv t_go / 2, Zarchan 2012) applied to each trial's achieved handover error; the
manoeuvre process noise is q = a^2 tau (Singer 1970; Bar-Shalom et al. 2001, sec. 8.2).
"""

from __future__ import annotations

import numpy as np
import pytest

from thaadsim.physics.geodesy import ecef_to_geodetic
from thaadsim.studies.manoeuvre import BALLISTIC_Q_M2PS3, manoeuvre_q_m2ps3, manoeuvre_study
from thaadsim.systems.interceptor import divert_reach_m, get_interceptor
from thaadsim.systems.threat import aim_point_at_range, fly_threat

PYONGYANG = (39.039, 125.763)


def test_manoeuvre_process_noise_is_a_squared_tau():
    """5 g held 4 s: q = (5 x 9.80665)^2 x 4 = 9,617 m2/s3, four orders above the
    ballistic filter's 1 m2/s3."""
    assert manoeuvre_q_m2ps3(5.0, 4.0) == pytest.approx((5 * 9.80665) ** 2 * 4, rel=1e-12)
    assert BALLISTIC_Q_M2PS3 == 1.0


@pytest.mark.slow  # two 16-trial filter runs over a 6-minute flight, with impact predictions
def test_marv_defeats_the_ballistic_filter_and_manoeuvre_noise_restores_the_kill():
    """KN-18 (Scud MaRV) at 450 km against a PAC-3 MSE intercept in its 3-30 km band, where
    it pulls up and jinks at 5 g: the ballistic filter's handover error (measured ~1.2 km)
    is beyond the kill vehicle's divert reach (600 m), so almost no shot kills, while the
    filter believes it will (its own covariance says Pk ~0.8); with the manoeuvre process
    noise the handover error falls below half the reach (measured ~200 m) and the kill probability
    comes back to at least 0.6 (measured 0.8 = the SSPK). Its predicted impact errs by
    more than 5 km against the true one during the midcourse (the pull-up carries the
    warhead beyond the ballistic impact; measured ~14 km)."""
    s = manoeuvre_study("kn-18", 450.0, interceptor="pac-3-mse", trials=16, seed=2)
    ballistic, manoeuvre = s.filters
    reach = float(divert_reach_m(get_interceptor("pac-3-mse")))
    assert np.isfinite(s.intercept_t_s)
    assert ballistic.handover_error_m > reach > 2 * manoeuvre.handover_error_m
    assert ballistic.pk_achieved <= 0.2
    assert manoeuvre.pk_achieved >= 0.6
    assert ballistic.pk_believed - ballistic.pk_achieved >= 0.5
    midcourse = np.isfinite(ballistic.impact_error_km) & (s.check_t_s < s.intercept_t_s - 60)
    assert np.median(ballistic.impact_error_km[midcourse]) > 5.0


@pytest.mark.slow  # a 10-minute flight tracked in 4 trials, with impact predictions
def test_glider_is_ballistic_in_the_band_but_lands_hundreds_of_km_beyond_its_prediction():
    """Hwasong-16B to 1,000 km on KCNA's 101 km first peak: it crosses THAAD's band only
    on its ballistic arc (minutes in the band) and then glides below it (its glide runs
    under 40 km); in the band the ballistic filter's handover error is within the kill
    vehicle's reach, but its predicted impact, which fire control uses to decide whether
    the threat falls in the defended area, lies more than 200 km short of the true one
    while the glider is in the band (measured ~340 km)."""
    s = manoeuvre_study("hwasong-16b", 1000.0, "depressed", trials=4, seed=1)
    ballistic = s.filters[0]
    assert s.time_in_band_s > 60.0
    assert s.min_alt_after_apogee_km < s.band_km[0]
    reach = float(divert_reach_m(get_interceptor("thaad")))
    assert ballistic.handover_error_m < reach
    in_band = (s.check_t_s < s.intercept_t_s) & np.isfinite(ballistic.impact_error_km)
    assert np.median(ballistic.impact_error_km[in_band]) > 200.0


def test_hwasong_16b_second_peak_is_far_below_the_reported_72_km():
    """KCNA reported a second peak of 72.3 km after the 101.1 km first one (2 Apr 2024).
    With the catalog glider (beta 20,000 kg/m2, L/D 3) the pull-up after a 101 km peak
    only reaches 20-35 km at either reported range (600 km JCS, 1,000 km KCNA): at the
    2-2.5 km/s such a boost gives, the equilibrium glide lies near 30 km. A 72 km second
    peak needs a much lighter-loaded or faster glider; this is a known misfit, asserted
    so that a change of the model that closes it is seen."""
    for range_km, shape in ((600.0, "lofted"), (1000.0, "depressed")):
        aim = aim_point_at_range(*PYONGYANG, 180.0, range_km * 1e3)
        t = fly_threat("hwasong-16b", *PYONGYANG, *aim, shape, 101.1, record=True)
        keep = np.isfinite(t.flight.track_t_s[0]) & (t.flight.track_t_s[0] > t.apogee_t_s)
        alt = ecef_to_geodetic(t.flight.track_state[0][keep, :3])[2]
        rising = np.flatnonzero(np.diff(alt) > 0)
        assert rising.size, "the glider pulls up after its first descent"
        second_peak = alt[rising[-1] + 1]
        assert 15e3 < second_peak < 40e3
