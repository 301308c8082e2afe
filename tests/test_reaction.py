"""Physics direction of the action-reaction study (thaadsim.studies.reaction).

References: the Seongju face covers 270-30 deg (boresight 330 deg +-60 deg, sites.yaml's
assumption) and the east-sea-patrol box bears ~78 deg from Seongju (sites.yaml), so the
Seongju radar alone cannot see the SLBM's boost or midcourse; the Kyogamisaki face
(300 deg +-60 deg) does look over the East Sea toward it. A flattened (depressed) flight of
the same range stays lower than the minimum-energy one and so spends less time in the
40-150 km band (apogee ~50-60 km, ROK JCS 2019-2021, against ~100+ km minimum-energy).
"""

from __future__ import annotations

import pytest

from thaadsim.studies.reaction import (
    SLBM_CASES,
    engagement_shares,
    flattened_study,
    salvo_study,
    seongju_sensor,
)
from thaadsim.systems.catalog import get_site
from thaadsim.systems.sensors import sensor_at

pytestmark = pytest.mark.slow  # numba compiles on a first run; each engagement ~1 s after


def test_second_sensor_facing_the_sea_detects_the_slbm_seongju_alone_does_not() -> None:
    case = SLBM_CASES[0]
    s = get_site(case.aim)
    aim = (s.lat_deg, s.lon_deg)
    alone = engagement_shares("kn-23-slbm", case.launch, aim, (seongju_sensor(),), trials=6)
    kyo = sensor_at("kyogamisaki", "forward-based", name="kyogamisaki")
    both = engagement_shares("kn-23-slbm", case.launch, aim, (seongju_sensor(), kyo),
                             trials=6)
    assert alone["detected"] == 0.0 and alone["killed"] == 0.0
    assert alone["reason"] == "not tracked in time"
    assert both["detected"] == 1.0 and both["engaged"] > 0.5


def test_flattened_kn23_spends_less_time_in_the_band_than_min_energy() -> None:
    d = flattened_study(trials=4)
    flat, ball = d["depressed"], d["min-energy"]
    assert flat["apogee_km"] < 70.0 < ball["apogee_km"]  # ROK JCS: ~50-60 km flattened
    assert flat["time_in_band_s"] < ball["time_in_band_s"]


def test_salvo_exhausts_the_magazine() -> None:
    s = salvo_study()
    # with shoot-look-shoot the first volleys alone spend one interceptor per missile: one
    # more missile than the magazine must leak, so the 50% point is at or below it
    assert s["leaks_more_often_than_not"] is not None
    assert s["leaks_more_often_than_not"] <= s["exhausting_salvo"]
