"""Decoys and debris (issue 16, part 2): each warhead's decoys share its track; the radar
tells each apart with a stated probability; fire control spends interceptors on the rest.

References: with perfect discrimination no decoy reaches fire control, so the run is the
run without decoys (exactly: the discrimination draws have a stream of their own). With
none, every object is engaged as a warhead: under shoot-look-shoot with two opportunities
each object draws 1 + Bernoulli(1 - p) interceptors (p the single-shot kill probability;
Wilkening, *Science & Global Security* 8 (2000) 183-215), so the interceptors used grow as
(1 + decoys); the tolerance is 3 sigma of those binomial counts.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
import yaml

from thaadsim.engagement import Decoys, simulate
from thaadsim.errors import InputError
from thaadsim.scenario import parse_scenario
from thaadsim.systems import fire_control as fc

TEXT = """\
defense:
  perfect_tracking: {perfect}
  sensors: [{{site: seongju, mode: terminal, boresight_deg: 330, battery: seongju}}]
  batteries:
    - {{battery: seongju, launchers: 6, interceptors_per_launcher: 8{inventory}}}
  assets: [{{name: Seongju, site: seongju, radius_km: 20}}]
raid:
  - name: scud-c
    missile: scud-c
    launch: {{lat_deg: 39.0, lon_deg: 125.75}}
    aim: {{site: seongju}}{decoys}
"""


def _scenario(decoys: str = "", perfect: bool = True, inventory: str = "") -> tuple:
    scn = parse_scenario(TEXT.format(decoys=decoys, perfect=str(perfect).lower(),
                                     inventory=inventory), "decoys.yaml")
    return scn.raid(1)[0], scn.defense


def test_the_scenario_field_is_validated_with_file_line_and_field() -> None:
    raid, _ = _scenario("\n    decoys: {count: 3, rcs_m2: 0.05, discrimination: 0.4}")
    assert raid[0].decoys == Decoys(count=3, rcs_m2=0.05, discrimination=0.4)
    for bad, field, allowed in (
            ("{count: 21}", "decoys.count", "a whole number from 0 to 20"),
            ("{count: 2, discrimination: 1.5}", "decoys.discrimination", "from 0 to 1"),
            ("{count: 2, rcs_m2: 0}", "decoys.rcs_m2", "m2")):
        with pytest.raises(InputError) as err:
            _scenario(f"\n    decoys: {bad}")
        msg = str(err.value)
        assert msg.startswith(f"decoys.yaml:12: raid[0].{field}: "), msg
        assert allowed in msg
    with pytest.raises(InputError, match=r"decoys.yaml:12: raid\[0\].decoys.mass_kg"):
        _scenario("\n    decoys: {count: 2, mass_kg: 5}")
    with pytest.raises(InputError, match=r"decoys.count: 21"):
        Decoys(count=21)


def test_perfect_discrimination_gives_the_run_without_decoys() -> None:
    """Exact equality of every table, with the radar and tracker running."""
    raid, defense = _scenario(perfect=False)
    base = simulate(raid, defense, trials=6, seed=2)
    decoyed = [dataclasses.replace(th, decoys=Decoys(count=4, discrimination=1.0))
               for th in raid]
    got = simulate(decoyed, defense, trials=6, seed=2)
    for k, v in base.threats.items():
        assert np.array_equal(v, got.threats[k], equal_nan=v.dtype.kind == "f"), k
    for k, v in base.shots.items():
        assert np.array_equal(v, got.shots[k]), k
    assert not got.shots["decoy"].any() and (got.threats["decoy_shots"] == 0).all()


@pytest.mark.parametrize("count", [1, 3])
def test_no_discrimination_multiplies_interceptors_by_one_plus_decoys(count: int) -> None:
    """Perfect tracking (so every shot's kill probability is the interceptor's), enough
    interceptors and channels: the interceptors used per trial are (1 + decoys) times
    those of the warhead alone, within 3 sigma of the binomial counts."""
    trials = 400
    raid, defense = _scenario()
    base = simulate(raid, defense, trials=trials, seed=5)
    decoyed = [dataclasses.replace(th, decoys=Decoys(count=count)) for th in raid]
    got = simulate(decoyed, defense, trials=trials, seed=5)
    p = float(np.mean(base.shots["p_kill"]))
    assert base.shots["p_kill"].min() == pytest.approx(p)  # every shot the interceptor's p
    assert (base.threats["shot_opportunities"] >= 2).all()  # so each object: 1 + Bern(1-p)
    var = p * (1 - p)  # of one object's interceptors
    sigma = math.sqrt((1 + count) * var / trials + (1 + count) ** 2 * var / trials)
    assert abs(got.interceptors_used - (1 + count) * base.interceptors_used) < 3 * sigma
    assert got.shots["decoy"].sum() == got.threats["decoy_shots"].sum() > 0
    # the warhead's own outcome is drawn as before, each decoy shot counted apart
    warhead = ~got.shots["decoy"]
    assert got.shots["trial"][warhead].size == pytest.approx(base.shots["trial"].size,
                                                             abs=3 * math.sqrt(trials * var))


def test_partial_discrimination_and_the_reason_that_names_the_decoys() -> None:
    """Half told apart: between the two (3 sigma); two interceptors in all and three
    objects with none told apart: the decoys (engaged first) take them and the warhead
    is not engaged, its reason naming the decoys."""
    trials = 400
    raid, defense = _scenario()
    half = simulate([dataclasses.replace(th, decoys=Decoys(count=2, discrimination=0.5))
                     for th in raid], defense, trials=trials, seed=5)
    engaged_decoys = half.threats["decoy_shots"] > 0
    assert 0.75 - 3 * math.sqrt(0.1875 / trials) < engaged_decoys.mean() \
        < 0.75 + 3 * math.sqrt(0.1875 / trials)  # P(at least one of 2 not told apart)
    raid, defense = _scenario(inventory=", inventory: 2")
    got = simulate([dataclasses.replace(th, decoys=Decoys(count=2)) for th in raid], defense,
                   trials=20, seed=5)
    assert (got.threats["reason"] == fc.REASONS[fc.R_INVENTORY_DECOYS]).all()
    assert (got.threats["outcome"] == "not engaged").all()
    assert got.interceptors_used == 2.0 and got.shots["decoy"].all()


PHYSICS = "\n    decoys: {count: 2, beta_kgm2: 100, discrimination: physics}"


def _no_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every way into a simulation (the engine, its flights, the decoy pair's flight)
    raises."""
    import thaadsim.engagement
    import thaadsim.scenario
    import thaadsim.systems.discrimination

    def boom(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("a simulation ran")

    for module, name in ((thaadsim.engagement, "simulate"), (thaadsim.engagement, "_fly"),
                         (thaadsim.scenario, "simulate"),
                         (thaadsim.systems.discrimination, "discriminate"),
                         (thaadsim.systems.discrimination, "propagate")):
        monkeypatch.setattr(module, name, boom)


def test_parsing_physics_discrimination_runs_no_simulation(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Parsing (and the server's validation of a request, on its request thread) records
    `discrimination: physics` as a request and simulates nothing; a bad word is still
    refused there, with the file, line and field."""
    from thaadsim.scenario import PhysicsDecoys
    from thaadsim.serve.setup import RequestError, validate_setup

    _no_engine(monkeypatch)
    text = TEXT.format(decoys=PHYSICS, perfect="false", inventory="")
    scn = parse_scenario(text, "decoys.yaml")
    assert scn.groups[0].decoys == PhysicsDecoys(count=2, rcs_m2=0.1, beta_kgm2=100.0)
    setup = yaml.safe_load(text)
    assert validate_setup(setup).scenario.groups[0].decoys == scn.groups[0].decoys
    setup["raid"][0]["decoys"]["discrimination"] = "physical"
    with pytest.raises(RequestError, match=r"raid\[0\]\.decoys\.discrimination: 'physical'"):
        validate_setup(setup)


def test_the_run_resolves_physics_discrimination_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The warhead-alone simulation behind `discrimination: physics` runs once per
    scenario, when the run first needs the raid (not at parsing, not again for the
    engagement or a second draw of the raid), and its probability is the threats'."""
    import thaadsim.scenario
    from thaadsim.run import run_engagement

    calls: list[int] = []
    real = thaadsim.scenario.simulate

    def counted(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(thaadsim.scenario, "simulate", counted)
    scn = parse_scenario(TEXT.format(decoys=PHYSICS, perfect="false", inventory=""),
                         "decoys.yaml")
    assert calls == []
    kwargs = scn.to_run_kwargs(trials=2)
    assert len(calls) == 1
    out = run_engagement(**kwargs)
    again, _ = scn.raid(7)
    assert len(calls) == 1
    d = scn.discriminations["scud-c"]
    assert 0.0 <= d.p_first_launch <= 1.0
    for threat in (*kwargs["raid"], *again, *out.raid):
        assert threat.decoys == Decoys(count=2, rcs_m2=0.1,
                                       discrimination=float(np.clip(d.p_first_launch, 0, 1)))


TWO_BATTERIES = """\
defense:
  sensors:
    - {{name: osan-radar, site: osan, mode: terminal}}
    - {{name: seongju, site: seongju, mode: terminal{owner}}}
  batteries:
    - {{battery: osan-pac3, name: osan-pac3, doctrine: salvo-2}}
    - {{battery: seongju, name: seongju-thaad}}
  assets: [{{name: Osan Air Base, site: osan, radius_km: 15}}]
raid:
  - name: scud-c
    missile: scud-c
    launch: {{lat_deg: 39.17, lon_deg: 127.45}}
    aim: {{site: osan}}
    decoys: {{count: 1, rcs_m2: 0.5, beta_kgm2: 400, discrimination: physics}}
run: {{trials: 4, seed: 4}}
"""


def test_physics_discrimination_with_a_later_batterys_own_sensor() -> None:
    """The warhead alone is engaged by the first battery only; a sensor that is a later
    battery's own radar still tracks for it over the network, with the network's latency
    as for any sensor not its own (Sensor.latency_s), so the discrimination is exactly
    that of the same defense with the sensor owned by nobody (it was refused before:
    'not a battery of the defense')."""
    owned = parse_scenario(TWO_BATTERIES.format(owner=", battery: seongju-thaad"), "two.yaml")
    free = parse_scenario(TWO_BATTERIES.format(owner=""), "two.yaml")
    a, b = owned.discriminations["scud-c"], free.discriminations["scud-c"]
    np.testing.assert_equal(dataclasses.astuple(a), dataclasses.astuple(b))
    assert owned.raid()[0][0].decoys == free.raid()[0][0].decoys
