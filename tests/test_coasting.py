"""A coasting track: the outcome reason names the cause, and fire control's coasting
policy (issue 16, part 2: the lofted Nodong at Seongju).

The lofted Nodong from Hwangju at Seongju (apogee ~610 km over ~360 km) comes down almost
on top of the radar: for minutes its elevation from Seongju exceeds the face's assumed
70 deg limit (radars.yaml), so the track coasts (the filter only predicts) until the
intercept, and the handover error makes each shot's kill probability small. The kill
probability falls with the handover error (``kill_probability``) and a coasting ballistic
track's error only grows, so: with one sensor ``fire`` and ``handover`` are the same and
``wait`` never fires (the threat never comes back into view); with a second sensor that
sees the descent (Busan, ~120 km away), ``handover`` fires on its live track and kills with
the kill vehicle's full single-shot probability. The binomial reference: with k shots of
probability p each, a threat survives with probability (1 - p)^k (Wilkening, *Science &
Global Security* 8 (2000) 183-215); tolerances are 3-sigma binomial (Wilson) intervals.
"""

from __future__ import annotations

import dataclasses
from functools import cache

import numpy as np
import pytest

from thaadsim.engagement import (
    Result,
    coast_at,
    explain_reasons,
    reason_sentence,
    simulate,
    wilson_interval,
)
from thaadsim.errors import InputError
from thaadsim.scenario import Scenario, parse_scenario
from thaadsim.systems import fire_control as fc
from thaadsim.systems.radar import (
    ABOVE_FACE,
    BELOW_HORIZON,
    BEYOND_RANGE,
    OUTSIDE_SECTOR,
    VISIBLE,
)


def test_coast_at_counts_from_the_last_sight() -> None:
    """A synthetic grid (1 s steps from t = 10 s): seen at 10-13 s, then above the face."""
    status = np.full((1, 1, 10), ABOVE_FACE, dtype=np.int8)
    status[0, 0, :4] = VISIBLE
    t_grid = 10.0 + np.arange(10.0)[None, :]
    coast, lost = coast_at(status, t_grid, np.array([0, 0, 0]), np.array([0, 0, 0]),
                           np.array([12.5, 13.0, 18.5]))
    assert coast.tolist() == [0.0, 0.0, 5.5]  # 18.5 s less the last sight at 13 s
    assert lost.tolist() == [VISIBLE, VISIBLE, ABOVE_FACE]
    status[0, 0, 4:7] = BEYOND_RANGE  # lost beyond range, then above the face: the status
    coast, lost = coast_at(status, t_grid, np.array([0, 0]), np.array([0, 0]),  # at the
                           np.array([15.0, 18.0]))                              # handover
    assert coast.tolist() == [2.0, 5.0] and lost.tolist() == [BEYOND_RANGE, ABOVE_FACE]
    status[0, 0, 4:] = OUTSIDE_SECTOR
    _, lost = coast_at(status, t_grid, np.array([0]), np.array([0]), np.array([19.0]))
    assert lost.tolist() == [OUTSIDE_SECTOR]
    never = np.full((1, 1, 10), BELOW_HORIZON, dtype=np.int8)
    coast, lost = coast_at(never, t_grid, np.array([0]), np.array([0]), np.array([15.0]))
    assert np.isnan(coast[0]) and lost[0] == BELOW_HORIZON


def test_reason_sentence_names_the_cause_and_the_numbers() -> None:
    text = reason_sentence(fc.R_MISSED_ABOVE_FACE, 205.2, 212.4, 0.0512, 70.0)
    assert text == ("every shot missed: track lost 212 s before the intercept, coasted 205 s "
                    "to the handover, the threat then above the face (elevation > 70 deg); "
                    "Pk per shot 0.05")
    assert reason_sentence(fc.R_MISSED_BELOW_HORIZON, 30, 41, 0.2).endswith(
        "coasted 30 s to the handover, the threat then below the radar horizon; Pk per shot "
        "0.20")
    assert reason_sentence(fc.R_KILLED, 0.0, np.nan, 0.8) == "killed"


def test_coasting_policy_is_checked() -> None:
    assert fc.check_coasting("wait") == "wait"
    with pytest.raises(InputError, match=r"coasting: unknown 'hope'; allowed: handover, fire, "
                                         r"wait"):
        fc.check_coasting("hope")
    with pytest.raises(InputError) as err:
        parse_scenario(LOFTED.format(coasting="hope", extra=""), "pol.yaml")
    assert str(err.value).startswith("pol.yaml:2: defense.coasting: 'hope' is not a known "
                                      "coasting policy; allowed: handover, fire, wait")


LOFTED = """\
defense:
  coasting: {coasting}
  sensors:
    - {{name: seongju, site: seongju, mode: terminal, battery: seongju, boresight_deg: 330}}{extra}
  batteries:
    - {{battery: seongju, launchers: 2, interceptors_per_launcher: 8}}
  assets:
    - {{name: Seongju, site: seongju, radius_km: 20}}
raid:
  - name: lofted Nodong at Seongju   # as in korea-2017 (Hwangju, full-burn lofted)
    missile: nodong
    launch: {{lat_deg: 38.65, lon_deg: 125.80}}
    aim: {{site: seongju}}
    shape: lofted
"""
BUSAN = "\n    - {name: busan, site: busan, mode: terminal, boresight_deg: 330}"
TRIALS = 40


@cache
def _scenario(coasting: str, second: bool) -> Scenario:
    return parse_scenario(LOFTED.format(coasting=coasting, extra=BUSAN if second else ""),
                          "lofted.yaml")


@cache
def _run(coasting: str, second: bool) -> Result:
    scn = _scenario(coasting, second)
    return simulate(scn.raid(1)[0], scn.defense, trials=TRIALS, seed=1)


def _killed(res: Result) -> float:
    return float((res.threats["outcome"] == "intercepted").mean())


@pytest.mark.slow
def test_the_lofted_nodongs_reason_is_the_track_lost_above_the_face() -> None:
    """Every missed trial names the face's elevation limit; the track had coasted for
    minutes; each shot's kill probability is small. Independent check of the geometry: at
    the handover the threat's elevation from Seongju exceeds 70 deg, and where the track
    was lost, near the apogee, the threat was beyond the 600 km instrumented range or
    above the face."""
    from thaadsim.engagement import flight_grid
    from thaadsim.systems.radar import look

    res = _run("fire", False)
    t = res.threats
    missed = t["outcome"] != "intercepted"
    assert missed.any()
    assert (t["reason"][missed] == fc.REASONS[fc.R_MISSED_ABOVE_FACE]).all()
    assert (t["coast_s"] > 120.0).all()  # minutes of coasting at every handover
    assert (t["shot_pk"] < 0.15).all()
    (row,) = [e for e in explain_reasons(res, _scenario("fire", False).defense)
              if e["reason"] == fc.REASONS[fc.R_MISSED_ABOVE_FACE]]
    assert row["text"].startswith("every shot missed: track lost ")
    assert "the threat then above the face (elevation > 70 deg); Pk per shot 0.0" in row["text"]
    # the geometry, at the handover and just after the track was lost
    scn = _scenario("fire", False)
    t_grid, y_grid = flight_grid(scn.raid(1)[0])
    r = int(np.flatnonzero(missed)[0])
    t_int = float(res.shots["intercept_s"][res.shots["trial"] == t["trial"][r]].max())
    lost_at = t_int - float(t["lost_before_intercept_s"][r])
    handover = lost_at + float(t["coast_s"][r])
    s = scn.defense.sensors[0]
    k = np.searchsorted(t_grid[0], [lost_at + 1.5, handover])
    view = look(s.radar, s.emplacement, y_grid[0, k, :3], y_grid[0, k, 3:], 0.1)
    assert view.status[0] in (ABOVE_FACE, BEYOND_RANGE)
    assert view.range_m[0] > 600e3 or view.apparent_el_deg[0] > 70.0
    assert view.apparent_el_deg[1] > 70.0 and view.status[1] == ABOVE_FACE  # refracted


@pytest.mark.slow
def test_coasting_policies_on_the_lofted_nodong() -> None:
    """With Seongju alone, ``handover`` is ``fire`` (one track to hand over) and ``wait``
    never fires; the kill fraction of ``fire`` is the binomial 1 - prod(1 - p) of its shots
    (3-sigma). With Busan beside it, ``handover`` hands over Busan's live track: far more
    kills than ``fire`` on the coasted one."""
    fire, handover, wait = (_run(p, False) for p in ("fire", "handover", "wait"))
    for k in ("outcome", "reason"):
        assert np.array_equal(fire.threats[k], handover.threats[k])
    assert np.array_equal(fire.threats["coast_s"], handover.threats["coast_s"], equal_nan=True)
    assert wait.shots["trial"].size == 0
    assert (wait.threats["reason"] == fc.REASONS[fc.R_TRACK_LOST]).all()
    survive = np.ones(TRIALS)
    np.multiply.at(survive, fire.shots["trial"], 1.0 - fire.shots["p_kill"])
    expected = float(np.mean(1.0 - survive))
    lo, hi = wilson_interval(_killed(fire), TRIALS, z=3.0)
    assert lo <= expected <= hi
    net_fire, net_handover = _run("fire", True), _run("handover", True)
    assert _killed(net_fire) < 0.3 < 0.8 < _killed(net_handover)
    assert float(np.mean(net_handover.shots["p_kill"])) > 0.5
    assert np.nanmax(net_handover.threats["coast_s"]) <= 5.0  # a live track at handover


def test_a_scenario_takes_the_policy() -> None:
    scn = parse_scenario(LOFTED.format(coasting="wait", extra=""), "w.yaml")
    assert scn.defense.coasting == "wait"
    default = parse_scenario(LOFTED.replace("  coasting: {coasting}\n", "").format(extra=""),
                             "d.yaml")
    assert default.defense.coasting == fc.DEFAULT_COASTING == "handover"
    assert dataclasses.replace(default.defense, coasting="fire").coasting == "fire"
