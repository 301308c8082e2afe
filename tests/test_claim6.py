"""Claim 6's verdict rule, both ways, and the report's row for it.

The rule (thaadsim.studies.claims.reaction): an answer killed in fewer than half the trials
as deployed supports the claim; if a stated fix brings it to half or more, only partly; one
killed in half or more as deployed does not support it."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from thaadsim.report.claim_figures import claim_figure_png
from thaadsim.studies.claims import answer_verdict, claim_reaction, overall_verdict


def test_answer_verdict_both_ways() -> None:
    assert answer_verdict(0.0, None) == "supported"
    assert answer_verdict(0.1, 0.2) == "supported"
    assert answer_verdict(0.0, 0.95) == "partly supported"
    assert answer_verdict(0.9, None) == "not supported"
    assert answer_verdict(0.5, 0.0) == "not supported"


def test_overall_verdict_both_ways() -> None:
    assert overall_verdict(["supported", "supported"]) == "supported"
    assert overall_verdict(["not supported", "not supported"]) == "not supported"
    assert overall_verdict(["supported", "not supported"]) == "partly supported"
    assert overall_verdict(["partly supported"]) == "partly supported"


def _shares(killed: float, reason: str) -> dict[str, Any]:
    return {"detected": 1.0 if killed else 0.0, "engaged": 1.0 if killed else 0.0,
            "killed": killed, "reason": reason, "apogee_km": 60.0, "time_in_band_s": 40.0}


DATA: dict[str, Any] = {
    "slbm": [{"label": "East Sea patrol box at Seongju", "launch": [36.5, 130.8],
              "aim": "seongju", "second_sensor": "Kyogamisaki",
              "alone": _shares(0.0, "not tracked in time"),
              "with_second": _shares(0.95, "killed")}],
    "flattened": {"depressed": {**_shares(0.0, "outside the interceptor's reach"),
                                "time_in_band_s": 20.0},
                  "min-energy": {**_shares(0.9, "killed"), "apogee_km": 120.0,
                                 "time_in_band_s": 90.0}},
    "salvo": {"inventory": 48, "doctrine": "shoot-look-shoot", "sspk": 0.85,
              "exhausting_salvo": 49, "leaks_more_often_than_not": 30},
    "glide": {"missile": "hwasong-16b", "range_km": 1000.0, "apogee_km": 40.0,
              "time_in_band_s": 100.0, "pk_ballistic_filter": 0.1,
              "pk_manoeuvre_filter": 0.7},
}


def test_claim_is_partly_supported_when_a_fix_stops_an_answer() -> None:
    c = claim_reaction(data=DATA)
    assert c.number == 6 and c.verdict == "partly supported"
    assert c.numbers["verdict: SLBM, East Sea patrol box at Seongju"] == "partly supported"
    assert c.numbers["verdict: flattened KN-23 at Seongju"] == "supported"
    assert "Decoys are not judged" in c.summary  # DATA has no decoy study


def test_claim_fails_when_the_defense_kills_every_answer() -> None:
    d = copy.deepcopy(DATA)
    d["slbm"][0]["alone"] = _shares(0.9, "killed")
    d["flattened"]["depressed"] = _shares(0.9, "killed")
    d["salvo"]["leaks_more_often_than_not"] = None
    d["glide"]["pk_ballistic_filter"] = 0.8
    c = claim_reaction(data=d)
    assert c.verdict == "not supported"
    assert "Where the claim fails" in c.summary


def test_claim_holds_when_nothing_stops_any_answer() -> None:
    d = copy.deepcopy(DATA)
    d["slbm"][0]["with_second"] = _shares(0.0, "not tracked in time")
    d["glide"]["pk_manoeuvre_filter"] = 0.2
    assert claim_reaction(data=d).verdict == "supported"


@pytest.mark.slow
def test_report_shows_claim_6() -> None:
    from thaadsim.engagement import DefendedAsset, Defense, RaidThreat
    from thaadsim.report.html import render_report
    from thaadsim.run import run_engagement
    from thaadsim.studies.reaction import seongju_sensor
    from thaadsim.systems.catalog import get_missile, get_site
    from thaadsim.systems.fire_control import get_battery

    s = get_site("seongju")
    th = RaidThreat(missile=get_missile("scud-c"), launch_lat_deg=39.02, launch_lon_deg=125.74,
                    aim_lat_deg=s.lat_deg, aim_lon_deg=s.lon_deg)
    d = Defense(batteries=(get_battery("seongju"),), sensors=(seongju_sensor(),),
                assets=(DefendedAsset(name="a", lat_deg=s.lat_deg, lon_deg=s.lon_deg,
                                      radius_m=20e3),))
    out = run_engagement([th], d, trials=2, seed=1)
    from test_discrimination import _case

    claim = claim_reaction(data={**DATA, "decoys": [_case("light", 85.0, 12, 48)]})
    png = claim_figure_png(claim)
    assert png is not None and png[:8] == b"\x89PNG\r\n\x1a\n"
    html = render_report(out, claims=[claim], validation=False)
    assert 'id="claim-row-6"' in html and claim.claim in html
    assert "partly supported" in html
    assert "Nodong at Seongju, 3 light decoys" in html and "told apart at 85 km" in html
