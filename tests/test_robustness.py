"""Random and adversarial input at every public entry point (issue 7, item 2).

Each entry point must end in a result or a clear error: the scenario loader in one
one-line :class:`~thaadsim.errors.ThaadsimError`, the command line in exit status 0 or 2
(one ``error:`` line, never a traceback), the physics in status codes with no NaN in a
row reported valid. YAML is only ever safe-loaded. The number of inputs each test tried
is counted in ``TRIED`` and printed at the end of the session (``-s`` shows it).
"""

from __future__ import annotations

import math
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from cli_helpers import run_main  # (tests/ is on the path)
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from thaadsim.errors import ThaadsimError
from thaadsim.physics import geodesy
from thaadsim.physics.propagate import FAILED, IMPACT, MAX_STEPS, REACHED_END, propagate
from thaadsim.scenario import Scenario, load_scenario, parse_scenario, scenario_text
from thaadsim.systems import radar as rd
from thaadsim.systems.catalog import get_radar

TRIED: Counter[str] = Counter()
OUTCOMES: Counter[str] = Counter()


@pytest.fixture(scope="module", autouse=True)
def _report() -> Iterator[None]:
    yield
    lines = [f"  {k}: {v} inputs" for k, v in sorted(TRIED.items())]
    sys.__stderr__.write("\nrobustness inputs tried:\n" + "\n".join(lines) + "\n")
    sys.__stderr__.write("outcomes: " + ", ".join(f"{k} {v}" for k, v in
                                                 sorted(OUTCOMES.items())) + "\n")


# --------------------------------------------------------------------------------------------
# Scenario loader
# --------------------------------------------------------------------------------------------

BASE = scenario_text("korea-2017")
BASE_DATA = yaml.safe_load(BASE)

floats = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -0.0, 1e308, -1e308, 5e-324, 1e-300, 90.0, 180.0, 360.0, 1e6]),
)
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70), floats,
    st.text(max_size=30), st.sampled_from(["seongju", "busan", "scud-c", "terminal", "nan",
                                           ".inf", "-.inf", "~", "yes", "0x1F", "1e400",
                                           "\u202e\u0000x", "é中🚀"]),
)
values = st.recursive(scalars, lambda kids: st.one_of(
    st.lists(kids, max_size=4), st.dictionaries(st.text(max_size=12), kids, max_size=4)),
    max_leaves=20)


def _check_error(exc: ThaadsimError) -> None:
    msg = str(exc)
    assert msg and "\n" not in msg, repr(msg)


def _numbers(value: Any) -> Iterator[float]:
    """Every number in a nested structure of dicts, lists and tuples."""
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (list, tuple)):
        for v in value:
            yield from _numbers(v)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        yield float(value)


def _check_scenario(scn: Scenario) -> None:
    """An accepted scenario holds only finite numbers and converts to run arguments."""
    bad = [x for x in _numbers(scn.spec.model_dump()) if not math.isfinite(x)]
    assert not bad, bad
    kw = scn.to_run_kwargs()
    assert len(kw["raid"]) == scn.threat_count >= 1
    assert kw["trials"] >= 1


def _parse(text: str, label: str = "<scenario>") -> str:
    """"error" (after checking the error is one line) or "ok" (after checking the
    scenario it made); any other exception fails the test."""
    try:
        scn = parse_scenario(text, label)
    except ThaadsimError as exc:
        _check_error(exc)
        return "error"
    _check_scenario(scn)
    return "ok"


def _mutate(data: Any, path: list[Any], value: Any) -> Any:
    """A copy of ``data`` with the item at ``path`` (followed as far as it goes) replaced."""
    if not path or not isinstance(data, (dict, list)) or not data:
        return value
    key = path[0]
    if isinstance(data, dict):
        keys = list(data)
        k = keys[key % len(keys)] if isinstance(key, int) else key
        out = dict(data)
        out[k] = _mutate(data[k], path[1:], value)
        return out
    i = key % len(data) if isinstance(key, int) else 0
    out_list = list(data)
    out_list[i] = _mutate(data[i], path[1:], value)
    return out_list


@settings(max_examples=150, deadline=None)
@given(data=values)
def test_random_yaml_structures(data: Any) -> None:
    """Any YAML document: a scenario or one clear error."""
    TRIED["scenario: random YAML documents"] += 1
    outcome = _parse(yaml.safe_dump(data, allow_unicode=True))
    OUTCOMES["scenario " + outcome] += 1
    # a scenario needs a name, a defense and a raid, which no random structure supplies
    assert outcome == "error"


@pytest.mark.slow  # a property test: 150+ scenario parses and conversions
@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(path=st.lists(st.integers(min_value=0, max_value=10), min_size=1, max_size=5),
       value=values)
def test_mutated_builtin(path: list[int], value: Any) -> None:
    """A built-in scenario with one value anywhere replaced by random input (wrong types,
    huge, tiny, NaN, infinity, unicode, nesting)."""
    TRIED["scenario: mutated korea-2017"] += 1
    text = yaml.safe_dump(_mutate(BASE_DATA, path, value), allow_unicode=True)
    try:
        scn = parse_scenario(text)
    except ThaadsimError as exc:
        OUTCOMES["mutated error"] += 1
        assert str(exc) and "\n" not in str(exc), repr(str(exc))
        return
    OUTCOMES["mutated ok"] += 1
    _check_scenario(scn)  # accepted: only finite numbers, and it converts to a run


@settings(max_examples=150, deadline=None)
@given(text=st.text(max_size=300))
def test_random_text(text: str) -> None:
    """Arbitrary text (YAML syntax errors, control characters) is refused in one line."""
    TRIED["scenario: random text"] += 1
    outcome = _parse(text, label="random.yaml")
    OUTCOMES["text " + outcome] += 1
    assert outcome == "error"  # random text never spells out a name, a defense and a raid


@settings(max_examples=60, deadline=None)
@given(key=st.sampled_from(["lat_deg", "lon_deg", "radius_km"]),
       value=st.sampled_from([".nan", ".inf", "-.inf", "1e400", "-1e400", "1e-400", "1e308",
                              "NaN", "!!float nan", "!!float .inf"]))
def test_nan_and_infinity_in_yaml(key: str, value: str) -> None:
    text = BASE.replace("lat_deg: 39.17", f"{key}: {value}", 1) if key != "lat_deg" else \
        BASE.replace("lat_deg: 39.17", f"lat_deg: {value}", 1)
    TRIED["scenario: NaN/inf literals"] += 1
    assert _parse(text) == "error" or math.isfinite(float(yaml.safe_load(value)))


UNSAFE = [
    "!!python/object/apply:os.system ['touch {marker}']",
    "!!python/object/new:os.system ['touch {marker}']",
    "!!python/name:os.system",
    "!!python/module:os",
    "!!python/object:builtins.object {{}}",
    "!include {marker}",
    "!!binary aGVsbG8=",
    "!!set {{a, b}}",
    "!!timestamp 2001-12-14",
]


@pytest.mark.parametrize("tag", UNSAFE)
@pytest.mark.parametrize("where", ["description", "name", "top"])
def test_unsafe_tags_refused(tag: str, where: str, tmp_path: Path) -> None:
    """Python tags never run code; nothing includes another file."""
    TRIED["scenario: unsafe tags"] += 1
    marker = tmp_path / "pwned"
    value = tag.format(marker=marker)
    if where == "top":
        text = value + "\n"
    else:
        text = BASE.replace(f"\n{where}:", f"\n{where}: {value}\n_old_{where}:", 1)
    assert _parse(text) == "error"
    assert not marker.exists()


@pytest.mark.slow  # seconds of YAML alias expansion checks
def test_anchor_bomb_refused() -> None:
    """A billion-laughs document fails quickly with one line (pyyaml expands aliases
    lazily into shared objects, so memory stays small)."""
    TRIED["scenario: alias bomb"] += 1
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 9):
        prev = chr(ord("a") + i - 1)
        cur = chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [{', '.join(['*' + prev] * 9)}]")
    assert _parse("\n".join(lines) + "\n") == "error"


@pytest.mark.parametrize("depth", [50, 500, pytest.param(5000, marks=pytest.mark.slow)])
def test_deep_nesting(depth: int) -> None:
    TRIED["scenario: deep nesting"] += 1
    assert _parse("description: " + "[" * depth + "]" * depth + "\n") == "error"
    assert _parse("a:\n" + "".join(" " * (i + 1) + f"k{i}:\n" for i in range(min(depth, 800)))
                  ) == "error"


@pytest.mark.slow  # 20 MB scenario files
def test_very_large_file(tmp_path: Path) -> None:
    """A 20 MB file (a huge description, then a huge raid list) ends in a clear result."""
    TRIED["scenario: very large files"] += 2
    big = tmp_path / "big.yaml"
    big.write_text(BASE.replace("\ndescription:", "\ndescription: " + "x" * 20_000_000
                                + "\n_d:", 1), "utf-8")
    with pytest.raises(ThaadsimError) as exc:
        load_scenario(big)
    _check_error(exc.value)
    group = ("  - {missile: scud-c, launch: {site: pyongyang}, aim: {site: busan}, "
             "name: g%d}\n")
    many = BASE.split("\nraid:")[0] + "\nraid:\n" + "".join(group % i for i in range(5000))
    big.write_text(many, "utf-8")
    with pytest.raises(ThaadsimError) as exc:
        load_scenario(big)
    _check_error(exc.value)


@pytest.mark.parametrize("name", ["/etc/passwd", "/dev/null", "/nonexistent/x.yaml", ".",
                                  "..", "/proc/self/environ", "\x00.yaml", "a" * 5000,
                                  "é中🚀.yaml", "-", ""])
def test_load_scenario_odd_names(name: str) -> None:
    """None of these names is a scenario (a directory, an empty or binary file, a system file
    that is not YAML, no such file, an empty name): each is refused in one line saying what is
    allowed."""
    TRIED["scenario: odd paths"] += 1
    with pytest.raises(ThaadsimError) as exc:
        load_scenario(name)
    _check_error(exc.value)
    assert "allowed: " in str(exc.value), str(exc.value)


def test_binary_file(tmp_path: Path) -> None:
    TRIED["scenario: odd paths"] += 1
    f = tmp_path / "bin.yaml"
    f.write_bytes(bytes(range(256)) * 10)
    with pytest.raises(ThaadsimError) as exc:
        load_scenario(f)
    _check_error(exc.value)


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------


_cli = run_main


def _check_cli(args: list[str]) -> None:
    code, _, err = _cli(*args)
    OUTCOMES[f"cli exit {code}"] += 1
    assert code in (0, 2), (args, code, err[-2000:])
    assert "Traceback" not in err, (args, err[-2000:])
    if code == 2:
        lines = [ln for ln in err.strip().splitlines() if ln.strip()]
        # Click's usage errors too are one line (main() formats them), never a box
        assert len(lines) == 1 and lines[0].startswith("error: "), (args, err)


bad_floats = st.one_of(
    st.sampled_from(["nan", "inf", "-inf", "1e400", "-1e400", "1e308", "-1e308", "0", "-0",
                     "-1", "5e-324", "abc", "", "1,2", "0x10", "é"]),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)
bad_ints = st.one_of(st.sampled_from(["0", "-1", "-9999999999999999999999", "1e3", "nan",
                                      "99999999999999999999999", "abc", ""]),
                     st.integers(min_value=-(2**64), max_value=-1).map(str))
latlons = st.one_of(
    st.sampled_from(["nan,nan", "inf,0", "91,0", "0,361", "-90.0001,0", "1,2,3", ",", "", " ",
                     "1e400,0", "0,-180.5", "é,中", "seongju,", "../../etc/passwd"]),
    st.text(max_size=15),
    st.tuples(floats, floats).map(lambda p: f"{p[0]!r},{p[1]!r}"),
)
slugs = st.one_of(st.text(max_size=20), st.sampled_from(["", " ", "SEONGJU", "seongju\x00",
                                                          "../etc/passwd", "🚀"]))

# Options of each command whose bad values must fail fast, before any heavy work.
FAST_FAIL: dict[str, dict[str, st.SearchStrategy[str]]] = {
    "fly": {"--speed-kms": bad_floats, "--gamma-deg": bad_floats,
            "--burnout-alt-km": bad_floats, "--beta-kgm2": bad_floats,
            "--lat-deg": bad_floats, "--lon-deg": bad_floats, "--azimuth-deg": bad_floats,
            "--range-km": bad_floats, "--from": latlons, "--to": latlons,
            "--missile": slugs, "--earth": slugs, "--shape": slugs, "--apogee-km": bad_floats,
            "--band-km": latlons, "--plot": slugs},
    "coverage": {"--site": slugs, "--boresight-deg": bad_floats, "--mode": slugs,
                 "--rcs-m2": bad_floats, "--alt-km": bad_floats, "--dwell": slugs,
                 "--map": slugs},
    "detect": {"--missile": slugs, "--from": latlons, "--to": latlons, "--shape": slugs,
               "--apogee-km": bad_floats, "--radar-site": slugs, "--mode": slugs,
               "--boresight-deg": bad_floats, "--rcs-m2": bad_floats, "--trials": bad_ints,
               "--seed": bad_ints},
    "engage": {"--missile": slugs, "--from": latlons, "--to": latlons, "--shape": slugs,
               "--apogee-km": bad_floats, "--battery-site": slugs, "--doctrine": slugs,
               "--rcs-m2": bad_floats, "--trials": bad_ints, "--seed": bad_ints},
    "raid": {"--missile": slugs, "--count": bad_ints, "--from": latlons, "--to": latlons,
             "--interval-s": bad_floats, "--shape": slugs, "--battery-site": slugs,
             "--inventory": bad_ints, "--doctrine": slugs, "--sspk": bad_floats,
             "--trials": bad_ints, "--seed": bad_ints, "--workers": bad_ints,
             "--chunk-trials": bad_ints, "--pool": bad_ints},
    "footprint": {"--battery-site": slugs, "--missile": slugs, "--launch": latlons,
                  "--shape": slugs, "--apogee-km": bad_floats, "--grid-km": bad_floats,
                  "--extent-km": bad_floats, "--min-shots": bad_ints, "--radar-mode": slugs,
                  "--map": slugs, "--netcdf": slugs},
    "raid-curve": {"--missile": slugs, "--from": latlons, "--to": latlons,
                   "--max-count": bad_ints, "--battery-site": slugs, "--inventory": bad_ints,
                   "--fire-channels": bad_ints, "--doctrine": slugs, "--sspk": bad_floats,
                   "--trials": bad_ints, "--seed": bad_ints, "--pool": bad_ints},
    "sensitivity": {"--output": slugs, "--samples": bad_ints, "--params": slugs,
                    "--trials": bad_ints, "--seed": bad_ints, "--plot": slugs},
}
# Cheap commands: every option random, including values that run to the end.
CHEAP = {"fly", "coverage"}


def _bad_option(command: str) -> st.SearchStrategy[list[str]]:
    opts = FAST_FAIL[command]
    return st.sampled_from(sorted(opts)).flatmap(
        lambda o: opts[o].map(lambda v: [command, o, v]))


@pytest.mark.slow  # 60 runs of the whole CLI
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(args=st.sampled_from(sorted(FAST_FAIL)).flatmap(_bad_option))
def test_cli_one_bad_option(args: list[str]) -> None:
    """One random or adversarial option value: a result (exit 0) or one error line (2)."""
    # a random value could be valid; keep the heavy commands' valid runs out of the budget
    if args[0] not in CHEAP:
        assume(not _probably_valid(args))
    TRIED[f"cli: {args[0]}"] += 1
    _check_cli(args)


SEEDED = ["detect", "engage", "raid", "raid-curve", "sensitivity"]


@pytest.mark.parametrize("command", SEEDED)
def test_cli_negative_seed(command: str) -> None:
    """A negative seed is refused in one line (it once reached NumPy: a traceback)."""
    TRIED[f"cli: {command}"] += 1
    _check_cli([command, "--seed", "-1"])


@pytest.mark.parametrize("args", [["raid", "--pool", "-1"], ["raid-curve", "--pool", "-5"],
                                  ["engage", "--apogee-km", "0"],
                                  ["footprint", "--apogee-km", "nan"],
                                  ["detect", "--apogee-km", "100"]])
def test_cli_refuses_what_it_once_ignored(args: list[str], cli_error) -> None:  # type: ignore[no-untyped-def]
    """A negative pool ran, and an apogee with a min-energy shape was silently ignored."""
    TRIED[f"cli: {args[0]}"] += 1
    assert cli_error(*args).startswith("error: --")


def _probably_valid(args: list[str]) -> bool:
    """Whether a heavy command's one option value might be accepted (then it would run a
    whole Monte Carlo); those are left to the command's own tests."""
    value = args[2]
    if args[1] in ("--pool", "--seed"):  # any whole number runs (a negative pool too)
        try:
            int(value)
            return True
        except ValueError:
            return False
    try:
        f = float(value)
        return math.isfinite(f) and f > 0 and args[1] not in ("--seed",)
    except ValueError:
        return value in {"seongju", "busan", "scud-c", "terminal", "forward-based"}


@pytest.mark.slow  # a property test: many command-line flights
@settings(max_examples=40, deadline=None)
@given(pairs=st.lists(st.tuples(st.sampled_from(sorted(FAST_FAIL["fly"])), bad_floats),
                      min_size=2, max_size=5))
def test_cli_fly_many_bad_options(pairs: list[tuple[str, str]]) -> None:
    TRIED["cli: fly (several options)"] += 1
    _check_cli(["fly", *[x for p in pairs for x in p]])


@pytest.mark.slow  # some 40 command-line runs
def test_cli_scenarios_and_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ["korea-2017", "", "nope", "../../etc/passwd", "é中🚀", "\x01"]:
        TRIED["cli: scenarios show"] += 1
        _check_cli(["scenarios", "show", name])
    TRIED["cli: scenarios"] += 1
    _check_cli(["scenarios"])
    bad = tmp_path / "bad.yaml"
    for text in ["{", "name: x\n", "!!python/object/apply:os.system ['true']\n",
                 BASE.replace("trials:", "trials: .nan\n  _t:", 1),
                 BASE.replace("seongju", "nowhere")]:
        bad.write_text(text, "utf-8")
        out = tmp_path / "out"
        for extra in ([], ["--trials", "nan"], ["--trials", "0"], ["--seed", "-1"]):
            TRIED["cli: run (bad scenario or option)"] += 1
            _check_cli(["run", str(bad), "-o", str(out), *extra])
            assert not out.exists(), "run with a bad scenario created its output folder"
    for extra in (["--trials", "0"], ["--trials", "100001"], ["--seed", "-1"],
                  ["--trials", "1e3"], ["--seed", str(2**64)]):
        TRIED["cli: run (bad scenario or option)"] += 1
        out = tmp_path / "out2"
        _check_cli(["run", "korea-2017", "-o", str(out), *extra])
        assert not out.exists(), f"run {extra} created its output folder"


# --------------------------------------------------------------------------------------------
# Physics
# --------------------------------------------------------------------------------------------

finite = st.floats(allow_nan=False, allow_infinity=False)
moderate = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False)


@st.composite
def states(draw: st.DrawFn) -> np.ndarray:
    n = draw(st.integers(min_value=1, max_value=4))
    rows = []
    for _ in range(n):
        kind = draw(st.sampled_from(["near", "any", "inside"]))
        if kind == "near":
            r = draw(st.floats(min_value=6.3e6, max_value=5e7))
            u = np.array(draw(st.tuples(*[st.floats(-1, 1)] * 3))) + 1e-9
            v = draw(st.tuples(*[st.floats(-2e4, 2e4)] * 3))
            rows.append([*(r * u / np.linalg.norm(u)), *v])
        elif kind == "inside":
            rows.append(draw(st.tuples(*[st.floats(-6e6, 6e6)] * 3, *[moderate] * 3)))
        else:
            rows.append(draw(st.tuples(*[finite] * 6)))
    return np.array(rows, dtype=np.float64)


@pytest.mark.slow  # a property test: many propagations
@settings(max_examples=120, deadline=None)
@given(y0=states(), horizon=st.floats(min_value=0.0, max_value=2e4),
       beta=st.one_of(st.just(np.inf), st.floats(min_value=1e-3, max_value=1e7)),
       lift=st.floats(min_value=0.0, max_value=5.0), drag=st.booleans(),
       earth=st.sampled_from(["wgs84", "sphere"]))
def test_propagate_any_finite_state(y0: np.ndarray, horizon: float, beta: float, lift: float,
                                    drag: bool, earth: str) -> None:
    """Any finite state propagates or reports a status; a valid row holds no NaN."""
    TRIED["physics: propagate (states)"] += len(y0)
    with np.errstate(all="ignore"):
        p = propagate(y0, t_end_s=horizon, beta_kgm2=beta, lift_to_drag=lift, drag=drag,
                      earth=earth, max_steps=5000, levels_alt_m=[40e3, 150e3])
    assert set(np.unique(p.status)) <= {REACHED_END, IMPACT, MAX_STEPS, FAILED}
    ok = p.valid
    OUTCOMES.update(f"propagate status {s}" for s in p.status)
    assert np.isfinite(p.state[ok]).all(), (y0[ok], p.state[ok])
    assert np.isfinite(p.t_s[ok]).all()
    assert np.isfinite(p.apogee_alt_m[ok]).all()


@settings(max_examples=40, deadline=None)
@given(y0=st.lists(st.tuples(*[st.sampled_from([np.nan, np.inf, -np.inf, 0.0, 7e6, 1e308])]
                             * 6), min_size=1, max_size=4))
def test_propagate_non_finite_state(y0: list[tuple[float, ...]]) -> None:
    TRIED["physics: propagate (non-finite)"] += len(y0)
    arr = np.array(y0)
    with np.errstate(all="ignore"):
        p = propagate(arr, t_end_s=100.0, max_steps=2000)
    bad = ~np.isfinite(arr).all(axis=1)
    assert (p.status[bad] == FAILED).all()
    assert np.isfinite(p.state[p.valid]).all()


lats = st.floats(min_value=-90, max_value=90)
lons = st.floats(min_value=-180, max_value=180)
alts = st.floats(min_value=-1e4, max_value=1e8)


@settings(max_examples=300, deadline=None)
@given(lat=lats, lon=lons, alt=alts)
def test_geodetic_round_trip(lat: float, lon: float, alt: float) -> None:
    TRIED["physics: geodetic round trip"] += 1
    r = geodesy.geodetic_to_ecef(lat, lon, alt)
    lat2, lon2, alt2 = geodesy.ecef_to_geodetic(r)
    assert np.isfinite([lat2, lon2, alt2]).all()
    assert abs(float(alt2) - alt) < 1e-3 + 1e-9 * abs(alt)
    if abs(lat) < 89.999:
        assert abs(float(lat2) - lat) < 1e-7
        assert abs((float(lon2) - lon + 180) % 360 - 180) < 1e-7 or abs(lat) > 89.9


@settings(max_examples=200, deadline=None)
@given(x=finite, y=finite, z=finite)
def test_ecef_to_geodetic_any_point(x: float, y: float, z: float) -> None:
    TRIED["physics: ecef_to_geodetic (any point)"] += 1
    assume(max(abs(x), abs(y), abs(z)) < 1e150)
    lat, lon, alt = geodesy.ecef_to_geodetic(np.array([x, y, z]))
    assert np.isfinite([lat, lon, alt]).all(), (x, y, z, lat, lon, alt)
    assert -90 <= float(lat) <= 90


@settings(max_examples=300, deadline=None)
@given(lat1=lats, lon1=lons, lat2=lats, lon2=lons)
def test_geodesic_round_trip(lat1: float, lon1: float, lat2: float, lon2: float) -> None:
    TRIED["physics: geodesic inverse/direct"] += 1
    dist, az, _ = geodesy.geodesic_inverse(lat1, lon1, lat2, lon2)
    assert np.isfinite([dist, az]).all() and float(dist) >= 0
    lat3, lon3, _ = geodesy.geodesic_direct(lat1, lon1, az, dist)
    back, _, _ = geodesy.geodesic_inverse(lat2, lon2, lat3, lon3)
    assert float(back) < 1e-3


@settings(max_examples=150, deadline=None)
@given(lat=lats, lon=lons, alt=alts, az=st.floats(-720, 720), el=st.floats(-90, 90),
       rng=st.floats(0, 1e8))
def test_aer_round_trip(lat: float, lon: float, alt: float, az: float, el: float,
                        rng: float) -> None:
    TRIED["physics: aer round trip"] += 1
    r = geodesy.aer_to_ecef(az, el, rng, lat, lon, alt)
    az2, el2, rng2 = geodesy.ecef_to_aer(r, lat, lon, alt)
    assert np.isfinite([az2, el2, rng2]).all()
    assert abs(float(rng2) - rng) < 1e-3 + 1e-9 * rng
    if rng > 1.0 and abs(el) < 89.99:
        # pymap3d rounds ENU components under 1 mm to zero (geodesy.ecef_to_aer's
        # docstring): an angle error of up to 1 mm / range, besides float rounding
        slack_deg = 1e-5 + np.degrees(2e-3 / rng)
        assert abs(float(el2) - el) < slack_deg
        assert abs((float(az2) - az + 180) % 360 - 180) < slack_deg / max(
            np.cos(np.radians(el)), 1e-3)


TERMINAL = get_radar("terminal").radar


@settings(max_examples=200, deadline=None)
@given(lat=lats, lon=lons, salt=st.floats(-500, 9000), bore=st.floats(0, 359.999),
       r=st.lists(st.tuples(st.floats(-5e7, 5e7), st.floats(-5e7, 5e7),
                            st.floats(-5e7, 5e7)), min_size=1, max_size=5),
       v=st.tuples(st.floats(-1e5, 1e5), st.floats(-1e5, 1e5), st.floats(-1e5, 1e5)),
       rcs=st.floats(min_value=1e-300, max_value=1e6))
def test_radar_look_random_geometry(lat: float, lon: float, salt: float, bore: float,
                                    r: list[tuple[float, float, float]],
                                    v: tuple[float, float, float], rcs: float) -> None:
    TRIED["physics: radar look"] += len(r)
    em = rd.Emplacement(lat_deg=lat, lon_deg=lon, alt_m=salt, boresight_deg=bore)
    pos = np.array(r)
    with np.errstate(all="ignore"):
        lk = rd.look(TERMINAL, em, pos, np.broadcast_to(v, pos.shape), rcs)
    assert set(np.unique(lk.status)) <= {rd.VISIBLE, rd.BELOW_HORIZON, rd.OUTSIDE_SECTOR,
                                         rd.ABOVE_FACE, rd.BEYOND_RANGE}
    assert np.isfinite(lk.snr).all() and (lk.snr >= 0).all(), lk
    assert np.isfinite(lk.pd).all() and ((lk.pd >= 0) & (lk.pd <= 1)).all()
    assert (lk.snr[~lk.visible] == 0).all()


@settings(max_examples=100, deadline=None)
@given(energy=st.floats(min_value=0, max_value=1e9), rng=st.floats(min_value=1, max_value=1e12),
       rcs=st.one_of(st.floats(min_value=5e-324, max_value=1e6),
                     st.sampled_from([0.0, -1.0, np.nan, -np.inf])),
       cos=st.floats(-2, 2))
def test_snr_random(energy: float, rng: float, rcs: float, cos: float) -> None:
    TRIED["physics: radar snr"] += 1
    try:
        s = rd.snr(TERMINAL, energy, rng, rcs, cos)
    except ThaadsimError as exc:
        _check_error(exc)
        assert not rcs > 0
        return
    assert np.isfinite(s).all() and (s >= 0).all()


@settings(max_examples=50, deadline=None)
@given(lat=st.one_of(finite, st.sampled_from([np.nan, np.inf])),
       bore=st.one_of(finite, st.sampled_from([np.nan, np.inf])))
def test_emplacement_refuses_bad(lat: float, bore: float) -> None:
    TRIED["physics: radar emplacement"] += 1
    try:
        rd.Emplacement(lat_deg=lat, lon_deg=0.0, alt_m=0.0, boresight_deg=bore)
    except ThaadsimError as exc:
        _check_error(exc)
        return
    assert -90 <= lat <= 90 and 0 <= bore < 360


# --------------------------------------------------------------------------------------------
# Regressions found by the tests above
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["\x1f", "name: a\x07b\n", "a: 1\n\x00", "\ud800"])
def test_control_characters_refused(text: str) -> None:
    """pyyaml's reader refused these with a bare ReaderError (a traceback)."""
    with pytest.raises(ThaadsimError, match=r"^<scenario>:\d+: not valid YAML") as exc:
        parse_scenario(text)
    _check_error(exc.value)


def test_propagate_overflowing_state_is_not_valid() -> None:
    """A finite start whose square overflows must not come back valid with NaN."""
    y0 = np.array([[0.0, 1.34078079e154, 0.0, 0.0, 0.0, 0.0],
                   [0.0, 0.0, 1e200, 1e200, 0.0, 0.0],
                   [7e6, 0.0, 0.0, 0.0, 7.5e3, 0.0]])
    with np.errstate(all="ignore"):
        for horizon in (0.0, 10.0, 1000.0):
            p = propagate(y0, t_end_s=horizon, max_steps=2000)
            ok = p.valid
            assert np.isfinite(p.state[ok]).all() and np.isfinite(p.apogee_alt_m[ok]).all()
            assert ok[2]
