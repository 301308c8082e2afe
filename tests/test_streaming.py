"""simulate runs its trials in chunks and keeps only its tables: the same draws as one
unchunked run, and memory that does not grow with the trials.

The chunks take their random numbers from the places in the two streams (radar, fire
control) where one unchunked run takes them (engagement._RadarReplay,
engagement._FireControlReplay), so every draw is the same. What may differ, in the last
bits only, is the tracker's arithmetic: its sub-steps per look are the batch's longest look
interval (systems/tracking.filter_looks), and look intervals differ from one another by
rounding, so a chunk may take another count of sub-steps than the whole batch. Hence: every
column that is not a floating-point tracking figure is identical; the others agree to 1e-9
relative.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from thaadsim.engagement import DefendedAsset, Defense, RaidThreat, Result, simulate
from thaadsim.systems.catalog import get_missile, get_radar, get_site
from thaadsim.systems.fire_control import get_battery
from thaadsim.systems.sensors import Sensor

TERMINAL = get_radar("terminal").radar
SEONGJU = get_site("seongju")
SEOUL = get_site("seoul")
LAUNCH = (39.0, 125.75)


def _defense(**kw: object) -> Defense:
    battery = get_battery("seongju")
    return Defense(batteries=(battery,), sensors=(Sensor(name="radar", radar=TERMINAL,
                                  emplacement=SEONGJU.emplacement(330.0)),),
                   assets=(DefendedAsset(name="seongju", lat_deg=SEONGJU.lat_deg,
                                         lon_deg=SEONGJU.lon_deg, radius_m=20e3),),
                   doctrine="shoot-look-shoot", **kw)  # type: ignore[arg-type]


def _raid() -> list[RaidThreat]:
    aims = [(SEONGJU.lat_deg, SEONGJU.lon_deg), (SEONGJU.lat_deg + 0.05, SEONGJU.lon_deg),
            (SEOUL.lat_deg, SEOUL.lon_deg)]
    return [RaidThreat(missile=get_missile(m), launch_lat_deg=LAUNCH[0],
                       launch_lon_deg=LAUNCH[1],
                       aim_lat_deg=a[0], aim_lon_deg=a[1], launch_t_s=5.0 * k)
            for k, (m, a) in enumerate(zip(("scud-c", "scud-er", "scud-c"), aims,
                                           strict=True))]


def _same(a: Result, b: Result) -> None:
    assert a.trials == b.trials and a.n_threats == b.n_threats
    for tables in (("threats", a.threats, b.threats), ("shots", a.shots, b.shots)):
        name, x, y = tables
        assert list(x) == list(y), name
        for k in x:
            u, v = x[k], y[k]
            assert u.shape == v.shape and u.dtype == v.dtype, (name, k)
            if u.dtype.kind == "f":
                np.testing.assert_allclose(u, v, rtol=1e-9, atol=0, err_msg=f"{name}.{k}")
            else:
                assert np.array_equal(u, v), (name, k)


@pytest.mark.parametrize("chunk", [1, 4, 7])
def test_chunked_simulate_gives_the_unchunked_result(chunk: int) -> None:
    raid, defense = _raid(), _defense()
    whole = simulate(raid, defense, trials=13, seed=5, chunk_trials=1000)
    _same(whole, simulate(raid, defense, trials=13, seed=5, chunk_trials=chunk))
    # the radar's draws are the same exactly: search, confirmation and firm track
    for k in ("first_detection_s", "firm_track_s"):
        assert np.array_equal(whole.threats[k], simulate(raid, defense, trials=13, seed=5,
                                                         chunk_trials=chunk).threats[k],
                              equal_nan=True)


def test_chunked_fire_control_draws_are_exact() -> None:
    """With perfect tracking nothing but fire control draws: every column identical."""
    raid, defense = _raid(), _defense(perfect_tracking=True)
    whole = simulate(raid, defense, trials=11, seed=2, chunk_trials=1000)
    part = simulate(raid, defense, trials=11, seed=2, chunk_trials=3)
    assert set(whole.threats) == set(part.threats) and set(whole.shots) == set(part.shots)
    assert len(whole.shots["trial"]) > 0  # shots were fired: their columns compare something
    for tables in ((whole.threats, part.threats), (whole.shots, part.shots)):
        for k in tables[0]:
            assert np.array_equal(tables[0][k], tables[1][k],
                                  equal_nan=tables[0][k].dtype.kind == "f"), k


def test_default_chunk_is_threat_trials() -> None:
    """The default chunk holds CHUNK_THREAT_TRIALS threat-trials; the result does not
    depend on it."""
    from thaadsim import engagement

    raid = _raid()
    size = max(1, engagement.CHUNK_THREAT_TRIALS // len(raid))
    assert size < 1000
    res = simulate(raid, _defense(perfect_tracking=True), trials=size + 3, seed=0)
    assert res.threats["trial"].max() == size + 2


def test_chunk_trials_must_be_positive() -> None:
    from thaadsim.errors import InputError

    with pytest.raises(InputError, match="chunk_trials"):
        simulate(_raid(), _defense(), trials=3, chunk_trials=0)


_PEAK = """
import json, resource, sys
from thaadsim.engagement import simulate
sys.path.insert(0, {tests!r})
from test_streaming import _defense, _raid

raid = _raid() * 10
simulate(raid, _defense(), trials={trials}, seed=0)
print(json.dumps(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))
"""


@pytest.mark.slow
def test_memory_does_not_grow_with_trials() -> None:
    """30 threats: peak memory at 400 trials within 1.5x (plus 100 MB) of that at 40."""
    tests = str(Path(__file__).parent)

    def peak(trials: int) -> float:
        out = subprocess.run([sys.executable, "-c", _PEAK.format(tests=tests, trials=trials)],
                             capture_output=True, text=True, check=True, timeout=1200)
        return float(json.loads(out.stdout.strip().splitlines()[-1]))

    small, large = peak(40), peak(400)
    assert large <= 1.5 * small + 100.0, (small, large)


def test_replay_refuses_other_draws() -> None:
    """A chunk's generator refuses a draw the unchunked run would not make (a change in
    simulate_detection's draws must not pass silently)."""
    from thaadsim import engagement

    draws = engagement._FireControlReplay(np.random.default_rng(0).bit_generator.state,
                                          trials=10, a=0, size=4)
    with pytest.raises(RuntimeError, match="replay"):
        draws.random(5)
    assert dataclasses.is_dataclass(Result)


def test_detect_trials_in_chunks_gives_the_unchunked_timeline() -> None:
    """detect's path (engagement.detect_trials): the same draws in chunks of trials."""
    from thaadsim.engagement import _fly, detect_trials
    from thaadsim.systems.detection import simulate_detection

    truth = _fly(_raid()[:1])
    radar = get_radar("terminal").radar
    emp = SEONGJU.emplacement(330.0)
    whole = simulate_detection(truth.repeated(9), radar, emp, 0.1, np.random.default_rng(4))
    part = detect_trials(truth, Sensor(name="seongju", radar=radar, emplacement=emp), 0.1, 9,
                         np.random.default_rng(4), chunk_trials=2)
    assert part.search_looks == whole.search_looks and part.track_looks == whole.track_looks
    for k in ("first_detection_s", "confirmed_s", "firm_track_s", "impact_s"):
        assert np.array_equal(getattr(part, k), getattr(whole, k), equal_nan=True), k
    for k in ("impact_error_m", "impact_sigma_m", "impact_pred_lat_deg", "impact_pred_lon_deg"):
        np.testing.assert_allclose(getattr(part, k), getattr(whole, k), rtol=1e-9, err_msg=k)


def test_kept_columns_are_those_of_the_whole_tables() -> None:
    """Keep: the named columns, identical to the full result's (codes where names=False,
    counted by named_counts as np.unique counts the named column), over several chunks."""
    from thaadsim.engagement import Keep, code_names, named_counts

    raid, defense = _raid(), _defense()
    full = simulate(raid, defense, trials=11, seed=3, chunk_trials=4)
    keep = Keep(threats=("outcome_code", "hits_asset", "reason", "radar.firm_track_s"),
                shots=("p_kill",), names=False)
    for chunk in (4, 1000):  # several chunks, and one
        part = simulate(raid, defense, trials=11, seed=3, chunk_trials=chunk, keep=keep)
        assert list(part.threats) == list(keep.threats) and list(part.shots) == ["p_kill"]
        assert len(full.shots["p_kill"]) > 0
        np.testing.assert_allclose(part.shots["p_kill"], full.shots["p_kill"], rtol=1e-9)
        assert part.interceptors_used == full.interceptors_used
        assert part.p_no_leak == full.p_no_leak
        assert part.expected_leakers == full.expected_leakers
        assert np.array_equal(part.threats["radar.firm_track_s"],
                              full.threats["radar.firm_track_s"], equal_nan=True)
        names, counts = np.unique(full.threats["reason"], return_counts=True)
        got = named_counts(part.threats["reason"], code_names(raid, defense)["reason"])
        assert list(got.items()) == [(str(k), int(c)) for k, c in zip(names, counts,
                                                                       strict=True)]
        assert part.threats["reason"].dtype.kind == "i"


def test_keep_names_what_it_cannot_keep() -> None:
    from thaadsim.engagement import Keep
    from thaadsim.errors import InputError

    with pytest.raises(InputError, match="keep.threats: 'nope' is not a column; allowed: "
                                         "trial, threat"):
        simulate(_raid(), _defense(perfect_tracking=True), trials=3, chunk_trials=2,
                 keep=Keep(threats=("nope",)))
    with pytest.raises(InputError, match="keep.shots: no column"):
        Keep(shots=())


def test_packed_states_give_the_same_draws() -> None:
    """_RadarReplay keeps the generator's states packed in 64-bit words: a state put and
    got back draws what the state itself draws (a normal first leaves a 32-bit half)."""
    from thaadsim.engagement import _PackedStates

    gen = np.random.default_rng(11)
    gen.integers(0, 2**31, dtype=np.uint32)  # has_uint32 set
    states = _PackedStates(gen.bit_generator.state, (2, 3))
    states.put((1, 2), gen.bit_generator.state)
    again = np.random.Generator(np.random.PCG64())
    again.bit_generator.state = states.get((1, 2))
    assert again.bit_generator.state == gen.bit_generator.state
    assert np.array_equal(again.standard_normal(50), gen.standard_normal(50))
    with pytest.raises(RuntimeError, match="another generator"):
        states.put((0, 0), np.random.default_rng(12).bit_generator.state)


def _full_tables_beside(monkeypatch: pytest.MonkeyPatch, chunk_threat_trials: int
                        ) -> tuple[list[Result], list[Result]]:
    """engagement.simulate patched to run each call twice, with its ``keep`` (returned, and
    appended to the first list) and without (the whole tables, appended to the second);
    chunks of ``chunk_threat_trials``."""
    from thaadsim import engagement

    monkeypatch.setattr(engagement, "CHUNK_THREAT_TRIALS", chunk_threat_trials)
    kept: list[Result] = []
    seen: list[Result] = []
    real = engagement.simulate

    def both(*args: object, **kw: object) -> Result:
        kept.append(real(*args, **kw))  # type: ignore[arg-type]
        kw.pop("keep")
        seen.append(real(*args, **kw))  # type: ignore[arg-type]
        return kept[-1]

    monkeypatch.setattr(engagement, "simulate", both)
    return kept, seen


def test_raid_command_keeps_only_what_it_reports(monkeypatch: pytest.MonkeyPatch) -> None:
    """thaadsim raid keeps a few columns (engagement.Keep) in chunks; its figures are those
    of the whole tables."""
    from thaadsim.commands import raid_command_data

    kept, seen = _full_tables_beside(monkeypatch, chunk_threat_trials=6)  # 2 trials a chunk
    got = raid_command_data("scud-c", count=3, trials=5, seed=4)
    assert len(kept[0].threats) < len(seen[0].threats)
    res = seen[0]
    names, counts = np.unique(res.threats["reason"], return_counts=True)
    assert got["outcomes"] == {str(k): int(c) for k, c in zip(names, counts, strict=True)}
    assert got["p_no_leak"] == res.p_no_leak
    assert got["interceptors_used"] == res.interceptors_used
    assert got["p_kill_per_shot"] == float(np.mean(res.shots["p_kill"]))
    assert got["sensors"][0]["firm_track_s"] == float(np.nanmedian(
        res.threats["seongju.firm_track_s"]))


def test_engage_command_keeps_only_what_it_reports(monkeypatch: pytest.MonkeyPatch) -> None:
    """thaadsim engage keeps its columns as codes (engagement.Keep); its outcome, reason
    and medians are those of the whole, named tables."""
    from thaadsim.commands import engage_command_data

    _, seen = _full_tables_beside(monkeypatch, chunk_threat_trials=2)  # 2 trials a chunk
    got = engage_command_data("scud-er", layered=True, trials=7, seed=2)
    t, shots = seen[0].threats, seen[0].shots
    outcomes, counts = np.unique(t["outcome"], return_counts=True)
    assert got["outcome"] == str(outcomes[np.argmax(counts)])
    reasons, rc = np.unique(t["reason"][t["outcome"] == got["outcome"]], return_counts=True)
    assert got["reason"] == str(reasons[np.argmax(rc)])
    first = (shots["shot"] == 1) & (shots["battery"] == 0)
    assert first.any() and got["first_launch_s"] == float(np.median(shots["launch_s"][first]))
    assert got["interceptors_used"] == seen[0].interceptors_used
    assert got["p_kill"] == float((t["outcome_code"] == 0).mean())
