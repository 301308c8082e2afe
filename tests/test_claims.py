"""The claims check: six claims, their verdicts, numbers and figures, on a tiny run.

References: the 40-150 km band and THAAD's 200 km reach (USCC 2016; the interceptor
catalog); the binomial model of defense effectiveness, P(no leak) = (1 - (1 - p)^k)^N
(Wilkening, Science & Global Security 8 (2000) 183-215), which the inventory-limited form
must reduce to when interceptors are plentiful, and must match a direct Monte Carlo of
the same doctrine (within 4 sigma) when they are not; THAAD's unit cost ($19.7M,
Defense Daily 2023, interceptors.yaml).
"""

from __future__ import annotations

import dataclasses
import struct
from pathlib import Path

import numpy as np
import pytest

from thaadsim.engagement import DefendedAsset, Defense, RaidThreat, binomial_p_no_leak
from thaadsim.errors import CatalogError
from thaadsim.physics.geodesy import geodesic_inverse
from thaadsim.report.claim_figures import claim_figure_png
from thaadsim.run import RunOutput, run_engagement
from thaadsim.studies.claims import (
    VERDICTS,
    Claim,
    check_claims,
    cost_catalog,
    interceptors_per_kill,
    load_costs,
    p_no_leak_with_inventory,
    saturation_curve,
)
from thaadsim.studies.claims.china import (
    corridor_shares,
    corridor_table,
    verdict_from_corridors,
)
from thaadsim.systems.catalog import Site, get_missile, get_radar
from thaadsim.systems.fire_control import get_battery
from thaadsim.systems.interceptor import get_interceptor
from thaadsim.systems.sensors import Sensor

TERMINAL = get_radar("terminal").radar

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PYONGYANG = (39.0194, 125.7381)
SEONGJU = (36.0494, 128.2262)
SENSOR_NAMES = ("seongju-terminal", "seongju-forward-based", "shariki", "kyogamisaki")


def defense_at(lat: float, lon: float, launch: tuple[float, float],
               asset: tuple[float, float]) -> Defense:
    """A THAAD battery (Seongju's figures) at (lat, lon), its radar facing the launch
    (as tests/test_engagement.py)."""
    site = Site(slug="test-site", name="test site", lat_deg=lat, lon_deg=lon, alt_m=100.0,
                figures={})
    battery = dataclasses.replace(get_battery("seongju"), site=site, slug="test")
    _, bearing, _ = geodesic_inverse(lat, lon, *launch)
    return Defense(batteries=(battery,), sensors=(Sensor(name="radar", radar=TERMINAL,
                                  emplacement=site.emplacement(float(bearing) % 360.0)),),
                   assets=(DefendedAsset(name="asset", lat_deg=asset[0], lon_deg=asset[1],
                                         radius_m=20e3),))


@pytest.fixture(scope="module")
def run() -> RunOutput:
    threat = RaidThreat(missile=get_missile("scud-c"), launch_lat_deg=PYONGYANG[0],
                        launch_lon_deg=PYONGYANG[1], aim_lat_deg=SEONGJU[0],
                        aim_lon_deg=SEONGJU[1])
    return run_engagement([threat], defense_at(*SEONGJU, PYONGYANG, SEONGJU), trials=3, seed=1)


@pytest.fixture(scope="module")
def claims(run: RunOutput) -> dict[int, Claim]:
    return {c.number: c for c in check_claims(run, quick=True)}


def test_five_claims_with_verdicts_numbers_and_figures(claims: dict[int, Claim]) -> None:
    assert sorted(claims) == [1, 2, 3, 4, 5, 6]
    for c in claims.values():
        assert c.verdict in VERDICTS
        assert c.claim and c.summary
        assert c.numbers and all(isinstance(v, float | str) for v in c.numbers.values())
        png = claim_figure_png(c)
        assert png is not None and png.startswith(PNG_SIGNATURE)
        width, height = struct.unpack(">II", png[16:24])  # IHDR
        assert (width, height) == (800, 450)


def test_claim_1_artillery_never_reaches_the_band_and_seoul_is_out_of_reach(
        claims: dict[int, Claim]) -> None:
    """Rockets at Seoul from north of the DMZ peak far below 40 km; Seoul lies ~202 km from
    Seongju, beyond the interceptor's 200 km, so even the Scud-B that does enter the band
    is never within reach."""
    n = claims[1].numbers
    for missile in ("mrl-240", "kn-02"):
        assert float(n[f"{missile} apogee (km)"]) < 40.0
        assert n[f"{missile} time in band (s)"] == 0.0
        assert n[f"{missile} engageable from the battery"] == "no"
    assert float(n["scud-b apogee (km)"]) > 40.0
    assert float(n["scud-b time in band (s)"]) > 60.0
    assert n["scud-b engageable from the battery"] == "no"
    assert float(n["scud-b nearest in-band point to the battery (km)"]) > 200.0
    assert float(n["battery to Seoul (km)"]) == pytest.approx(202, abs=3)
    assert n["thaad greatest ground range (km)"] == 200.0
    assert claims[1].verdict == "supported"


def test_claim_2_answers_with_corridors_and_keeps_the_area_as_background(
        claims: dict[int, Claim], run: RunOutput) -> None:
    """Issue 15 part 5: the claim is about missiles in flight. The terminal mode's 600 km
    (USCC 2016 p. 448) cannot reach a DF-41 over Manchuria bound for the United States:
    Daqing lies ~1,300 km from Seongju; the area of China stays as background, forward-based
    mode covering far more of it than terminal mode (USCC: 'minimal Chinese territory')."""
    c = claims[2]
    n = c.numbers
    assert c.claim.startswith("THAAD's radar in Korea can track China's strategic missiles")
    assert n["missile flown"] == "df-41"
    assert n["corridors flown (launch areas x U.S. targets)"] >= 1.0
    for lab in ("Seongju, terminal mode", "Seongju, forward-based mode",
                "Shariki (forward-based)", "Kyogamisaki (forward-based)"):
        share = float(n[f"{lab}: corridors with a track of the missile (%)"])
        assert 0.0 <= share <= 100.0
        assert float(n[f"{lab}: corridors with a track of the warhead (%)"]) <= 100.0
    assert n["Seongju, terminal mode: corridors with a track of the missile (%)"] == 0.0
    tag = "missile body in midcourse (1 m^2 at 300 km): share of China covered (%)"
    terminal = float(n[f"background: terminal, {tag}"])
    forward = float(n[f"background: forward-based, {tag}"])
    assert forward > terminal and terminal < 1.0 and forward > 10.0
    assert c.sources and c.notes
    assert c.verdict == verdict_from_corridors(corridor_shares(
        corridor_table(run.defense.sensors[0].emplacement, quick=True), list(SENSOR_NAMES)))


def _shares(term_track: float, term_rv: float, term_adds: float, fwd_track: float,
            fwd_rv: float = 0.0) -> dict[str, dict[str, float]]:
    return {"seongju-terminal": {"track": term_track, "warhead": term_rv, "adds": term_adds},
            "seongju-forward-based": {"track": fwd_track, "warhead": fwd_rv, "adds": 0.0}}


def test_claim_2_verdict_rule_both_ways() -> None:
    """The verdict comes from the numbers: supported only when the deployed (terminal)
    mode tracks the warhead on most corridors and adds to Japan's radars; not supported
    when neither mode tracks any corridor; partly supported between."""
    assert verdict_from_corridors(_shares(0.8, 0.6, 0.2, 1.0)) == "supported"
    assert verdict_from_corridors(_shares(0.8, 0.6, 0.0, 1.0)) == "partly supported"
    assert verdict_from_corridors(_shares(0.8, 0.4, 0.2, 1.0)) == "partly supported"
    assert verdict_from_corridors(_shares(0.0, 0.0, 0.0, 0.5)) == "partly supported"
    assert verdict_from_corridors(_shares(0.0, 0.0, 0.0, 0.0)) == "not supported"
    assert verdict_from_corridors(_shares(0.0, 0.02, 0.0, 0.0)) == "partly supported"
    assert verdict_from_corridors(_shares(0.0, 0.0, 0.0, 0.0, 0.1)) == "partly supported"


def test_claim_2_corridor_shares_count_what_japan_misses() -> None:
    """``adds``: a corridor Seongju tracks that no Japanese radar tracks, or tracks a
    minute (ADDS_EARLIER_S) or more later; medians only over tracked corridors."""
    nan = float("nan")

    def sensor(start: float, track_s: float = 100.0) -> dict[str, float | bool]:
        return {"body_track_start_s": start, "body_track_end_s": start + track_s,
                "body_track_s": track_s if start == start else 0.0,
                "warhead_track_start_s": nan, "warhead_track_s": 0.0,
                "first_detection_range_km": 1000.0, "saw_deployment": False,
                "impact_sigma_km": 5.0, "left_s": 900.0, "receding_share": 1.0}

    rows = [
        {"reachable": True, "sensors": {"seongju-terminal": sensor(nan),
                                        "seongju-forward-based": sensor(100.0),
                                        "shariki": sensor(nan), "kyogamisaki": sensor(nan)}},
        {"reachable": True, "sensors": {"seongju-terminal": sensor(nan),
                                        "seongju-forward-based": sensor(100.0, 300.0),
                                        "shariki": sensor(150.0), "kyogamisaki": sensor(nan)}},
        {"reachable": True, "sensors": {"seongju-terminal": sensor(nan),
                                        "seongju-forward-based": sensor(100.0),
                                        "shariki": sensor(nan), "kyogamisaki": sensor(170.0)}},
        {"reachable": False, "sensors": {}},
    ]
    s = corridor_shares(rows, ["seongju-terminal", "seongju-forward-based", "shariki",
                               "kyogamisaki"])
    fwd = s["seongju-forward-based"]
    assert fwd["track"] == 1.0 and s["seongju-terminal"]["track"] == 0.0
    assert fwd["adds"] == pytest.approx(2 / 3)  # alone on the first, 70 s early on the third
    assert fwd["track_s"] == 100.0 and s["shariki"]["track"] == pytest.approx(1 / 3)
    assert verdict_from_corridors(s) == "partly supported"


def test_claim_3_curve_falls_with_raid_size(claims: dict[int, Claim]) -> None:
    n = claims[3].numbers
    inventory = int(float(n["upper-tier inventory (interceptors)"]))
    assert inventory == 48
    curve = saturation_curve(float(n["single-shot kill probability"]), (1, 1), inventory,
                             2 * inventory)
    assert np.all(np.diff(curve) <= 1e-12) and curve[0] > curve[inventory // 2] > curve[-1]
    assert float(n["P(no leak), raid of 1"]) > float(n[f"P(no leak), raid of {inventory}"])
    # shoot-look-shoot fires one interceptor first at every threat: the 49th gets none
    assert n["smallest raid that must leak (inventory)"] == float(inventory + 1)
    assert n["run: P(no leak)"] == 1.0  # one Scud-C, three trials: always intercepted here


def test_inventory_model_reduces_to_the_binomial_model() -> None:
    """Plenty of interceptors: (1 - q^k)^N (Wilkening 2000); salvo-2 with 10 interceptors
    covers 5 threats, and a 6th gets nothing."""
    p = 0.8
    for n in (1, 5, 20):
        assert p_no_leak_with_inventory(p, (2,), 1000, n) == pytest.approx(
            binomial_p_no_leak(p, 2, n), rel=1e-12)
        assert p_no_leak_with_inventory(p, (1, 1), 1000, n) == pytest.approx(
            binomial_p_no_leak(p, 2, n), rel=1e-12)
        assert p_no_leak_with_inventory(p, (2, 1), 1000, n) == pytest.approx(
            binomial_p_no_leak(p, 3, n), rel=1e-12)
    assert p_no_leak_with_inventory(p, (2,), 10, 5) == pytest.approx(binomial_p_no_leak(p, 2, 5))
    assert p_no_leak_with_inventory(p, (2,), 10, 6) == 0.0
    # 11 interceptors: the 6th threat gets the one left over
    assert p_no_leak_with_inventory(p, (2,), 11, 6) == pytest.approx(
        binomial_p_no_leak(p, 2, 5) * p)


def test_inventory_model_matches_a_direct_monte_carlo() -> None:
    """Shoot-look-shoot, p = 0.7, 12 interceptors, 8 threats: 8 first shots, then the 4 left
    go at the survivors; simulated directly, 200,000 raids, within 4 sigma."""
    p, inventory, n, trials = 0.7, 12, 8, 200_000
    rng = np.random.default_rng(3)
    survive = rng.random((trials, n)) > p
    m = survive.sum(axis=1)
    second = rng.random((trials, n)) > p  # a second shot misses
    left = inventory - n
    # no leak: every survivor gets a second shot and none of those misses
    rank = np.cumsum(survive, axis=1)
    missed_again = (survive & second & (rank <= left)).any(axis=1)
    ok = (m <= left) & ~missed_again
    expected = p_no_leak_with_inventory(p, (1, 1), inventory, n)
    sigma = np.sqrt(expected * (1 - expected) / trials)
    assert abs(ok.mean() - expected) < 4 * sigma, (ok.mean(), expected)


def test_claim_4_time_in_band_by_class(claims: dict[int, Claim]) -> None:
    n = claims[4].numbers
    assert n["mrl-240 60 km: time in band (s)"] == 0.0
    assert n["mrl-240 60 km: engageable (share of trials)"] == 0.0
    assert float(n["scud-b 300 km: time in band (s)"]) > 120.0
    assert n["scud-b 300 km: engageable (share of trials)"] == 1.0
    assert n["nodong 1,000 km: class"] == "MRBM"
    run_keys = [k for k in n if "(run)" in k and k.endswith("time in band (s)")]
    assert run_keys and float(n[run_keys[0]]) > 0.0
    kn23 = float(n["kn-23 450 km depressed: apogee (km)"])
    assert 40.0 < kn23 < 70.0  # the reported flattened profile, ~50-60 km
    assert claims[4].verdict == "partly supported"


def test_claim_5_uses_the_catalog_cost(claims: dict[int, Claim], run: RunOutput) -> None:
    n = claims[5].numbers
    thaad = get_interceptor("thaad").cost_usd
    assert thaad == 19.7e6
    assert n["thaad interceptor unit cost (USD)"] == thaad
    per_kill = float(n["run: interceptors per threat stopped"])
    assert per_kill == pytest.approx(run.result.interceptors_used / (
        (run.result.threats["outcome"] == "intercepted").sum() / run.trials))
    scud_c = cost_catalog().missiles["scud-c"].value
    assert n["scud-c unit cost (USD)"] == scud_c
    assert float(n["scud-c: defender/attacker cost ratio (run)"]) == pytest.approx(
        per_kill * thaad / scud_c, rel=1e-2)
    assert claims[5].verdict == "supported"


def test_interceptors_per_kill_closed_forms() -> None:
    p, q = 0.85, 0.15
    assert interceptors_per_kill(p, (1,)) == pytest.approx(1 / p)
    assert interceptors_per_kill(p, (2,)) == pytest.approx(2 / (1 - q**2))
    assert interceptors_per_kill(p, (1, 1)) == pytest.approx((1 + q) / (1 - q**2))
    assert interceptors_per_kill(p, (2, 1)) == pytest.approx((2 + q**2) / (1 - q**3))


def test_cost_catalog_has_a_provenance_for_every_figure() -> None:
    costs = cost_catalog()
    for slug, fig in {**costs.missiles, **costs.context}.items():
        assert fig.provenance, slug
        assert fig.low is not None and fig.high is not None, slug
        assert fig.low <= fig.value <= fig.high, slug
    assert "thaad-battery" in costs.context


def test_cost_catalog_refuses_a_figure_without_source(tmp_path: Path) -> None:
    bad = tmp_path / "costs.yaml"
    bad.write_text("missiles:\n  scud-b: {value: 1000000}\ncontext: {}\n")
    with pytest.raises(CatalogError, match="scud-b"):
        load_costs(bad)


def test_claims_as_data_one_record_per_claim(claims: dict[int, Claim], tmp_path: Path) -> None:
    """Issue 16 part 3: every claim with its id, claim, verdict and numbers; the file the
    report folder holds is the same serialiser's output, and JSON without NaN."""
    import json

    from thaadsim.jsonsafe import json_safe
    from thaadsim.report.exports import write_claims
    from thaadsim.studies.claims import CLAIM_IDS, claims_records

    ordered = [claims[k] for k in sorted(claims)]
    records = claims_records(ordered)
    assert [r["id"] for r in records] == [CLAIM_IDS[k] for k in sorted(claims)]
    assert len({r["id"] for r in records}) == len(records)
    for r, c in zip(records, ordered, strict=True):
        assert {"id", "number", "claim", "verdict", "summary", "numbers"} <= set(r)
        assert r["claim"] == c.claim and r["verdict"] == c.verdict
        assert r["numbers"] == json_safe(dict(c.numbers))  # NaN (never) as null
    path = write_claims(ordered, tmp_path / "claims.json")
    assert json.loads(path.read_text(encoding="utf-8")) == json.loads(
        json.dumps(records, allow_nan=False))


def test_claim_record_carries_sources_and_notes_only_when_given() -> None:
    from thaadsim.studies.claims import claim_record

    bare = Claim(number=9, claim="c", verdict="supported", summary="s",
                 numbers={"x (km)": float("nan")})
    rec = claim_record(bare)
    assert rec["id"] == "claim-9" and "sources" not in rec and "notes" not in rec
    assert rec["numbers"] == {"x (km)": None}  # JSON has no NaN
    full = dataclasses.replace(bare, sources=("USCC 2016, p. 448",), notes=("n",))
    assert claim_record(full)["sources"] == ["USCC 2016, p. 448"]
    assert claim_record(full)["notes"] == ["n"]


@pytest.mark.slow
def test_run_json_claims_are_the_files_claims(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """``thaadsim run --json``'s ``claims`` key and ``results/claims.json`` are one
    serialiser's output, computed once."""
    import json

    from thaadsim.commands import run_command_data
    from thaadsim.report.bundle import LAYOUT

    monkeypatch.chdir(tmp_path)
    done = run_command_data("saturation", output="out", trials=2, seed=1)
    on_disk = json.loads((tmp_path / "out" / "results" / "claims.json").read_text())
    assert done.data["claims"] == on_disk
    assert [r["id"] for r in on_disk] == ["seoul", "china", "saturation", "classes", "cost",
                                            "reaction"]
    assert "results/claims.json" in LAYOUT
    assert "results/claims.json" in done.data["files"]


def test_binomial_pmf_without_scipy_stats_is_scipy_stats() -> None:
    """The saturation claim's binomial weights (taken without importing scipy.stats, which
    costs every run a second) are scipy.stats.binom.pmf's numbers, bit for bit."""
    from scipy.stats import binom

    from thaadsim.studies.claims.saturation import binom_pmf

    for n in (0, 1, 7, 40, 200):
        for p in (0.0, 0.05, 0.3, 0.5, 0.81, 1.0):
            k = np.arange(n + 1)
            assert np.array_equal(binom_pmf(k, n, p), binom.pmf(k, n, p))
