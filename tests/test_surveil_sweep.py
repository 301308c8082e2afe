"""The surveillance study's one-at-a-time sweep of its assumptions over their stated ranges
(issue 15: "what is not public is an assumption with a stated range, and it can be
varied"), ``thaadsim surveil --sweep`` and ``--post-boost-s``, and the instrumented range
that ends a track (issue 15 part 2)."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
from cli_helpers import run_main  # (tests/ is on the path)

from thaadsim.errors import InputError
from thaadsim.physics.geodesy import geodetic_to_ecef
from thaadsim.studies.surveil_sweep import boresight_figure, surveillance_sweep
from thaadsim.studies.surveillance import rcs_figure, surveil
from thaadsim.systems.sensors import sensor_at

LAUNCH, TARGET = (36.3, 128.2), (44.0, 128.5)
"""A DF-26 fired north from beside Seongju (~860 km): the missile flies away from the radar
and leaves its 600 km terminal window high above the horizon (a test geometry, not a
reported launch)."""


def fence():
    return [sensor_at("seongju", "terminal", name="seongju"),
            sensor_at("seongju", "forward-based", name="seongju-fbm")]


def test_each_end_of_the_sweep_is_a_direct_surveil_at_that_value():
    """A row at one end of an assumption's range is what surveil() gives with that value
    and the same seed (the sweep changes one thing and not the dice)."""
    sensors = fence()
    sw = surveillance_sweep("df-26", LAUNCH, TARGET, sensors, seed=5,
                            only=["boresight_deg:seongju", "warhead_rcs_m2"])
    assert {r.assumption for r in sw.rows} == {"boresight_deg:seongju", "warhead_rcs_m2"}
    assert len(sw.rows) == 2 * 2 * len(sensors)
    bore = boresight_figure(sensors[0])
    assert bore is not None and (bore.low, bore.high) == (315.0, 345.0)  # sites.yaml
    turned = dataclasses.replace(sensors[0], emplacement=dataclasses.replace(
        sensors[0].emplacement, boresight_deg=bore.low))
    checks = [("boresight_deg:seongju", "low",
               surveil("df-26", LAUNCH, TARGET, [turned, sensors[1]], seed=5)),
              ("warhead_rcs_m2", "high",
               surveil("df-26", LAUNCH, TARGET, sensors, seed=5,
                       warhead_rcs_m2=rcs_figure("warhead").high))]
    for name, end, direct in checks:
        for p in direct.passes:
            row = next(r for r in sw.rows
                       if (r.assumption, r.end, r.sensor) == (name, end, p.sensor))
            assert (row.detected, row.track_s, row.saw_deployment, row.warhead_detected,
                    row.warhead_track_s) == (p.body.detected, p.body.track_s,
                                             p.saw_deployment, p.warhead.detected,
                                             p.warhead.track_s), (name, end, p.sensor)
    base = {p.sensor: p for p in sw.baseline.passes}
    for r in sw.rows:
        assert r.baseline_track_s == base[r.sensor].body.track_s
        assert r.d_track_s == pytest.approx(r.track_s - r.baseline_track_s)


def test_a_larger_warhead_rcs_never_shortens_a_track():
    """Physics direction: a brighter warhead (radar equation, SNR proportional to RCS) is
    detected at least as often with the same draws, so its track is never shorter
    (low <= baseline <= high, each sensor, same seed)."""
    sw = surveillance_sweep("df-26", LAUNCH, TARGET, fence(), seed=2, only=["warhead_rcs_m2"])
    for r in sw.rows:
        if r.end == "low":
            assert r.warhead_track_s <= r.baseline_warhead_track_s, r
        else:
            assert r.warhead_track_s >= r.baseline_warhead_track_s, r
    assert any(r.end == "high" and r.warhead_track_s > 0 for r in sw.rows)


def test_an_unknown_assumption_is_named_with_the_allowed_ones():
    with pytest.raises(InputError, match="'bogus'.*allowed: boresight_deg:seongju"):
        surveillance_sweep("df-26", LAUNCH, TARGET, fence(), only=["bogus"])


def test_a_track_ends_at_the_instrumented_range():
    """With the range check left to face_status (BEYOND_RANGE), the terminal radar's track
    of the body flying away still ends at 600 km (USCC 2016 via radars.yaml): its last
    held look lies within 600 km and less than one look's travel inside it, and the same
    radar with a 5,000 km window holds the body longer."""
    s = sensor_at("seongju", "terminal", 0.0, name="seongju")
    res = surveil("df-26", LAUNCH, TARGET, [s], seed=0)
    p = res.passes[0]
    assert p.body.track_s > 0.0
    r = geodetic_to_ecef(res.lat_deg, res.lon_deg, res.alt_km * 1e3)
    site = np.asarray(geodetic_to_ecef(s.emplacement.lat_deg, s.emplacement.lon_deg,
                                       s.emplacement.alt_m))
    rng = np.linalg.norm(r - site, axis=1)
    at_end = float(np.interp(p.body.track_end_s, res.t_s, rng))
    assert 0.97 * 600e3 <= at_end <= 1.001 * 600e3, at_end
    assert p.body.track_end_s < res.flight_time_s - 10.0
    wide = dataclasses.replace(s, radar=dataclasses.replace(s.radar,
                                                            instrumented_range_m=5_000e3))
    assert surveil("df-26", LAUNCH, TARGET, [wide], seed=0).passes[0].body.track_s > p.body.track_s


@pytest.mark.slow
def test_the_command_sweeps_and_takes_a_post_boost_window():
    args = ["surveil", "--missile", "df-26", "--from", "36.3,128.2", "--to", "44.0,128.5",
            "--sensor", "seongju:terminal", "--post-boost-s", "25", "--json"]
    code, out, err = run_main(*args, "--sweep")
    assert code == 0, err
    data = json.loads(out)
    assert data["deployment_end_s"] - data["deployment_start_s"] == pytest.approx(25.0)
    names = {r["assumption"] for r in data["sweep"]}
    assert names == {"boresight_deg:seongju", "body_rcs_m2", "warhead_rcs_m2",
                     "post_boost_s"}
    assert {r["end"] for r in data["sweep"]} == {"low", "high"}
    pb = [r for r in data["sweep"] if r["assumption"] == "post_boost_s"]
    assert all(r["baseline_value"] == 25.0 for r in pb)
    code, table, err = run_main(*args[:-1], "--sweep")
    assert code == 0, err
    assert "post_boost_s" in table and "warhead_rcs_m2" in table
