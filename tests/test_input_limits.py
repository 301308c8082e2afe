"""Numbers at the edges of every range, on the command line and in the Python API (issue 12).

Every numeric option of every command is parsed against its row of
:data:`thaadsim.limits.LIMITS` before the command starts; a value outside is one line
``error: --option: VALUE is out of range; allowed: ...`` and exit status 2, never a
traceback, never Rich's boxed usage message, never a run with a wrong answer. The API's
entry points check the same rows and name the field that is wrong.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import warnings
from typing import Any

import numpy as np
import pytest
from cli_helpers import run_main  # (tests/ is on the path)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.main import get_command

from thaadsim.cli import LimitParser, app
from thaadsim.errors import InputError
from thaadsim.limits import LIMITS

# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


run_cli = run_main


def one_error_line(*args: str) -> str:
    """Expect exit status 2 and exactly one ``error:`` line on standard error; return it."""
    code, out, err = run_cli(*args)
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert code == 2, (args, code, err[-2000:])
    assert "Traceback" not in out + err
    assert len(lines) == 1 and lines[0].startswith("error: "), (args, err)
    assert not set("╭╰│") & set(err), "Rich's boxed usage message"
    return lines[0]


def all_params() -> list[tuple[tuple[str, ...], Any, Any, Any]]:
    """(command path, parameter, annotation, parser) of every parameter of every command."""
    found = []

    def walk(cmd: Any, path: tuple[str, ...]) -> None:
        for name, sub in getattr(cmd, "commands", {}).items():
            walk(sub, (*path, name))
        for param in getattr(cmd, "params", []):
            desc = param.type_descriptor
            found.append((path, param, desc.annotation,
                          getattr(desc.parameter_info, "parser", None)))

    walk(get_command(app), ())
    return found


def numeric_options() -> list[tuple[tuple[str, ...], str, str]]:
    """(command path, option, LIMITS row) of every option parsed by a LimitParser."""
    return [(path, param.opts[0], parser.row) for path, param, _, parser in all_params()
            if isinstance(parser, LimitParser)]


NUMERIC = numeric_options()


def edges(row: str) -> list[str]:
    """Texts at and around the edges of a row, and the classic hostile numbers."""
    lim = LIMITS[row]
    lo, hi = float(lim.low), float(lim.high)
    if lim.integer:
        ints = [int(lo), int(hi), int(lo) - 1, int(hi) + 1, 0, -1, 10**30, -(10**30)]
        return [str(v) for v in ints] + ["9" * 5001, "-" + "9" * 5001, "1.5", "1e3", "nan",
                                         "inf", "", "0x10"]
    floats = [lo, hi, math.nextafter(lo, -math.inf), math.nextafter(hi, math.inf), 0.0, -0.0,
              math.nan, math.inf, -math.inf, 1e308, -1e308, 5e-324, -5e-324]
    return [repr(v) for v in floats] + ["1" + "0" * 5000, "abc", "", "1,2"]


def allowed(row: str, text: str) -> bool:
    lim = LIMITS[row]
    try:
        value: float = int(text) if lim.integer else float(text)
    except ValueError:
        return False
    return lim.allows(value)


# --------------------------------------------------------------------------------------------
# Every numeric option has a row, and the row is enforced at its edges
# --------------------------------------------------------------------------------------------


def test_every_numeric_option_has_a_limits_row() -> None:
    """No command takes a number that is not checked against LIMITS: every int or float
    option is parsed by a LimitParser (Click's own INT and FLOAT would let 1e17 through)."""
    unchecked = [(path, param.opts) for path, param, annotation, parser in all_params()
                 if annotation in (int, float) and not isinstance(parser, LimitParser)]
    assert not unchecked, unchecked
    assert len(NUMERIC) >= 40
    commands = {path[0] for path, _, _ in NUMERIC}
    assert {"fly", "loft", "coverage", "detect", "engage", "raid", "run", "footprint",
            "raid-curve", "sensitivity"} <= commands
    assert all(row in LIMITS for _, _, row in NUMERIC)


@pytest.mark.slow  # a property test: hundreds of command-line runs
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_numeric_option_edges(data: st.DataObject) -> None:
    """Property: at the edges of its row (and with the classic hostile numbers) an option's
    value is accepted as exactly that number, or refused in one line naming the option, the
    value and what is allowed, before the command does anything."""
    path, option, row = data.draw(st.sampled_from(NUMERIC))
    text = data.draw(st.sampled_from(edges(row)))
    parse = LimitParser(row)
    if allowed(row, text):
        value = parse(text)
        assert value == (int(text) if LIMITS[row].integer else float(text))
        return
    line = one_error_line(*path, option, text)
    assert f"{option}" in line and "allowed: " in line
    assert len(line) < 300 and not any(len(w) > 60 for w in line.split()), line


def test_huge_whole_numbers_are_refused_by_their_digit_count() -> None:
    """A 5,001-digit integer never reaches Python's int() (whose digit limit raised
    ValueError); the message says how many digits it had."""
    line = one_error_line("raid", "--trials", "9" * 5001)
    assert "--trials: a 5,001-digit number is out of range" in line
    line = one_error_line("run", "--seed", "-" + "1" * 5001)
    assert "--seed: -a 5,001-digit number is out of range" in line


# --------------------------------------------------------------------------------------------
# Case 5: angles and coordinates are range-checked, not only finite
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lon", ["1e17", "1e308", "360.0000001", "-180.5"])
def test_fly_refuses_a_longitude_out_of_range(lon: str) -> None:
    line = one_error_line("fly", "--speed-kms", "3", "--gamma-deg", "45", "--lon-deg", lon)
    assert line.startswith("error: --lon-deg: ") and "from -180 to 360 deg" in line


@pytest.mark.parametrize(("option", "value"), [("--lat-deg", "90.5"), ("--azimuth-deg", "1e9"),
                                               ("--gamma-deg", "90.000001"),
                                               ("--burnout-alt-km", "1e5")])
def test_fly_refuses_angles_and_heights_out_of_range(option: str, value: str) -> None:
    assert one_error_line("fly", "--speed-kms", "3", "--gamma-deg", "45", option,
                          value).startswith(f"error: {option}: ")


@pytest.mark.parametrize("option", ["--from", "--to"])
@pytest.mark.parametrize("point", ["100,125", "39,1e17", "nan,125", "39,-181"])
def test_launch_and_aim_points_out_of_range(option: str, point: str) -> None:
    args = {"--from": "39,125.7", "--to": "36,128"}
    args[option] = point
    line = one_error_line("fly", "--missile", "scud-c", "--from", args["--from"], "--to",
                          args["--to"])
    assert line.startswith(f"error: {option} l"), line  # "--from latitude: ..."


def test_wrapped_longitudes_fly_the_same_range() -> None:
    """Never a wrong answer: a longitude and the same meridian written 360 degrees on give
    the same flight (the range once depended on the longitude's size)."""
    ranges = []
    for lon in ("-180", "180", "0", "360"):
        code, out, err = run_cli("fly", "--speed-kms", "3", "--gamma-deg", "45", "--lat-deg",
                                 "10", "--lon-deg", lon, "--json")
        assert code == 0, err
        ranges.append(json.loads(out)["range_km"])
    assert ranges[0] == pytest.approx(ranges[1], rel=1e-9)
    assert ranges[2] == pytest.approx(ranges[3], rel=1e-9)
    assert ranges[0] == pytest.approx(ranges[2], rel=1e-3)  # rotation aside, the same Earth


FLY_OPTIONS = {"--speed-kms": "speed_kms", "--gamma-deg": "gamma_deg",
               "--burnout-alt-km": "burnout_alt_km", "--beta-kgm2": "beta_kgm2",
               "--lat-deg": "lat_deg", "--lon-deg": "lon_deg", "--azimuth-deg": "azimuth_deg"}


@pytest.mark.slow  # a property test: flights at every edge
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_fly_burnout_at_the_edges_ends_in_a_result_or_one_line(data: st.DataObject) -> None:
    """Property: `fly` with one burnout number at an edge of its row either flies, with
    finite figures and the impact on the globe, or says in one line why not."""
    option = data.draw(st.sampled_from(sorted(FLY_OPTIONS)))
    text = data.draw(st.sampled_from(edges(FLY_OPTIONS[option])))
    base = {"--speed-kms": "3", "--gamma-deg": "45"}
    base[option] = text
    args = ["fly", *[x for kv in base.items() for x in kv], "--json"]
    code, out, err = run_cli(*args)
    assert code in (0, 2) and "Traceback" not in err, (args, err[-2000:])
    if code == 0:
        d = json.loads(out)
        assert math.isfinite(d["range_km"]) and d["range_km"] >= 0
        assert d["flight_time_s"] > 0 and d["apogee_km"] >= 0
        assert -90 <= d["impact_lat_deg"] <= 90 and -180 <= d["impact_lon_deg"] <= 360
    else:
        lines = [ln for ln in err.splitlines() if ln.strip()]
        assert len(lines) == 1 and lines[0].startswith("error: "), err


# --------------------------------------------------------------------------------------------
# Cases 6 and 9: sizes bounded up front
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("args", "message"), [
    (["footprint", "--grid-km", "500"], "error: grid_km: 500 km makes 1 cell(s) across"),
    (["footprint", "--grid-km", "100", "--extent-km", "200"], "at least 5 are needed"),
    (["footprint", "--grid-km", "1e308"], "error: --grid-km: 1e+308 is out of range"),
    (["footprint", "--grid-km", "nan"], "error: --grid-km: nan is out of range"),
    (["footprint", "--extent-km", "1e308"], "error: --extent-km: 1e+308 is out of range"),
    (["footprint", "--grid-km", "0.5", "--extent-km", "3000"], "is more than 250,000"),
    (["raid", "--interval-s", "1e12"], "error: --interval-s: 1,000,000,000,000 is out of range"),
    (["raid", "--interval-s", "1e308"], "error: --interval-s: 1e+308 is out of range"),
    (["raid", "--count", "500", "--interval-s", "3600"],
     "error: --interval-s x (--count - 1), the last launch: 1,796,400 is out of range"),
    (["sensitivity", "--samples", "1073741824"],
     "error: --samples: 1,073,741,824 is out of range; allowed: a whole number from 4 to "
     "4,096"),
    (["sensitivity", "--samples", "12"], "samples: 12 is not a power of two"),
    (["raid-curve", "--max-count", "501"], "error: --max-count: 501 is out of range"),
    # threats x trials that run the radar and tracker in this process (in chunks; the
    # tables kept take about 0.5 kB each): at most 1,000,000
    (["detect", "--trials", "100001"], "error: --trials: 100,001 is out of range"),
    (["engage", "--trials", "100001"], "error: --trials: 100,001 is out of range"),
    (["raid", "--count", "500", "--trials", "2001"],
     "error: --count x --trials (without the runner): 1,000,500 is out of range"),
    (["raid-curve", "--pool", "0", "--max-count", "500", "--trials", "2001"],
     "error: largest raid x trials (without a tracking pool): 1,000,500 is out of range"),
])
def test_sizes_are_bounded_before_any_work(args: list[str], message: str) -> None:
    assert message in one_error_line(*args)


@settings(max_examples=200, deadline=None)
@given(grid=st.sampled_from(edges("grid_km")), extent=st.sampled_from(edges("extent_km")))
def test_footprint_grid_cells_at_the_edges(grid: str, extent: str) -> None:
    """Property: a grid within both rows has 5 to 500 cells across (250,000 in all), or is
    refused with one InputError; never a 1 x 1 grid, never an overflow."""
    from thaadsim.studies.footprint import MAX_CELLS, MIN_CELLS_ACROSS, grid_cells_across

    try:
        g, e = float(grid), float(extent)
    except ValueError:
        return
    try:
        n = grid_cells_across(g, e)
    except InputError as exc:
        assert "\n" not in str(exc) and len(str(exc)) < 300
        return
    assert allowed("grid_km", grid) and allowed("extent_km", extent)
    assert MIN_CELLS_ACROSS <= n and n * n <= MAX_CELLS


# --------------------------------------------------------------------------------------------
# Case 13: Click's usage errors are one line
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("args", "message"), [
    (["flyy"], "No such command 'flyy'"),
    (["fly", "--bogus"], "No such option: --bogus"),
    (["raid", "--trials", "nan"], "--trials: 'nan' is not a whole number"),
    (["fly", "--speed-kms", "fast"], "--speed-kms: 'fast' is not a number"),
    (["scenarios", "show"], "Missing argument"),
    (["loft", "--missile", "scud-b"], "Missing option '--apogee-km'"),
    (["run", "a", "b"], "unexpected extra argument"),
    (["fly", "--json=yes"], "does not take a value"),
    (["fly", "--" + "x" * 5000], "No such option: --xxxx"),
])
def test_usage_errors_are_one_line(args: list[str], message: str) -> None:
    line = one_error_line(*args)
    assert message in line and len(line) < 300


def test_help_and_normal_output_still_work() -> None:
    code, out, _ = run_cli("fly", "--help")
    assert code == 0 and "Usage" in out and "--speed-kms" in out
    code, out, _ = run_cli("--version")
    assert code == 0 and out.startswith("thaadsim ")
    code, out, _ = run_cli()
    assert "Usage" in out and "fly" in out


def test_the_installed_entry_point_prints_one_line() -> None:
    """``python -m thaadsim`` goes through the same main()."""
    proc = subprocess.run([sys.executable, "-m", "thaadsim", "raid", "--trials", "1" * 5001],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "error: --trials: a 5,001-digit number is out of range; allowed: a whole number "
        "from 1 to 100,000"]


# --------------------------------------------------------------------------------------------
# Case 14: a flight that does not come down says what happened
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("args", "message"), [
    (["--speed-kms", "1e-9", "--gamma-deg", "45"], "--speed-kms: 1e-09 is out of range"),
    (["--speed-kms", "3", "--gamma-deg", "45", "--beta-kgm2", "1e-300"],
     "--beta-kgm2: 1e-300 is out of range"),
    (["--speed-kms", "3", "--gamma-deg", "0"],
     "the flight hit the ground at once: burnout at 0 km with a flight-path angle of 0 "
     "degrees never climbs"),
    (["--speed-kms", "3", "--gamma-deg", "5e-324"], "the flight hit the ground at once"),
    (["--speed-kms", "8", "--gamma-deg", "0", "--burnout-alt-km", "200", "--beta-kgm2",
      "1e6"], "it is in orbit"),
    (["--speed-kms", "11", "--gamma-deg", "30", "--burnout-alt-km", "2000", "--beta-kgm2",
      "1e6"], "it is escaping the Earth"),
])
def test_fly_says_what_happened(args: list[str], message: str) -> None:
    line = one_error_line("fly", *args)
    assert message in line and "may be orbital" not in line


# --------------------------------------------------------------------------------------------
# Case 15: the API names the field that is wrong
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [math.nan, 100.0, -90.5, math.inf])
@pytest.mark.parametrize("field", ["launch_lat_deg", "launch_lon_deg", "aim_lat_deg",
                                   "aim_lon_deg"])
def test_fly_threat_names_the_wrong_field(field: str, bad: float) -> None:
    from thaadsim.systems.catalog import get_missile
    from thaadsim.systems.threat import fly_threat

    if field.endswith("lon_deg") and math.isfinite(bad):
        bad = 4 * bad  # 400 and -362: beyond the longitudes
    point = {"launch_lat_deg": 39.0, "launch_lon_deg": 125.7, "aim_lat_deg": 36.0,
             "aim_lon_deg": 128.2, field: bad}
    with pytest.raises(InputError) as exc:
        fly_threat(get_missile("scud-c"), point["launch_lat_deg"], point["launch_lon_deg"],
                   point["aim_lat_deg"], point["aim_lon_deg"])
    assert str(exc.value).startswith(f"{field}: ")
    other = "aim" if field.startswith("launch") else "launch"
    assert other not in str(exc.value)


def test_other_api_entry_points_check_their_numbers() -> None:
    from thaadsim.studies.footprint import defended_footprint
    from thaadsim.studies.raid import standard_defense
    from thaadsim.systems.catalog import get_missile
    from thaadsim.systems.threat import aim_many, aim_point_at_range, analyse_loft

    with pytest.raises(InputError, match="^launch latitude: nan"):
        defended_footprint("seongju", "scud-c", math.nan, 125.7)
    with pytest.raises(InputError, match="^grid_km: 500 km makes 1 cell"):
        defended_footprint("seongju", "scud-c", 39.0, 125.7, grid_km=500)
    with pytest.raises(InputError, match="^sspk: 1.5 is out of range"):
        standard_defense("seongju", "salvo-2", (36.0, 128.2), (39.0, 125.7), sspk=1.5)
    with pytest.raises(InputError, match="^aim_lat_deg: 91 is out of range"):
        aim_many(get_missile("scud-c"), [39.0, 39.0], [125.7, 125.7], [36.0, 91.0],
                 [128.2, 128.2])
    with pytest.raises(InputError, match="^apogee_km: 1e\\+308 is out of range"):
        analyse_loft(get_missile("hwasong-15"), 1e308, 1000.0)
    with pytest.raises(InputError, match="^range \\(km\\): inf"):
        aim_point_at_range(39.0, 125.7, 180.0, math.inf)


def test_coverage_api_bounds_its_rays_and_refraction() -> None:
    """A ray every 1e-9 degrees would be 1.2e11 rays; refraction must be a factor."""
    from thaadsim.studies.coverage import radar_coverage
    from thaadsim.systems.catalog import get_radar, get_site

    radar, emp = get_radar("terminal").radar, get_site("seongju").emplacement()
    with pytest.raises(InputError, match="^azimuth_step_deg: 1e-09 is out of range"):
        radar_coverage(radar, emp, 0.1, 100e3, azimuth_step_deg=1e-9)
    with pytest.raises(InputError, match="^refraction_k: nan is out of range"):
        radar_coverage(radar, emp, 0.1, 100e3, refraction_k=math.nan)
    with pytest.raises(InputError, match="^altitude \\(km\\): 1e\\+305 is out of range"):
        radar_coverage(radar, emp, 0.1, 1e308)


def test_run_scenario_checks_trials_and_seed() -> None:
    import thaadsim

    scn = thaadsim.load_scenario("korea-2017")
    with pytest.raises(InputError,
                       match="^trials: a number of more than 4,000 digits is out of range"):
        thaadsim.run_scenario(scn, trials=int("9" * 4000) * 10**1001)
    with pytest.raises(InputError, match="^seed: -1 is out of range"):
        thaadsim.run_scenario(scn, seed=-1)
    with pytest.raises(InputError, match="^scenario: a str is not a scenario"):
        thaadsim.run_scenario("korea-2017")


# --------------------------------------------------------------------------------------------
# Case 17: numbers in messages are formatted
# --------------------------------------------------------------------------------------------


@pytest.mark.slow  # every numeric option of every command, per value
@pytest.mark.parametrize("value", ["1e308", "-1e308", "1" + "0" * 400])
def test_no_message_prints_a_309_digit_number(value: str) -> None:
    for path, option, _ in NUMERIC:
        line = one_error_line(*path, option, value)
        assert not any(len(w) > 40 for w in line.split()), line


def test_loft_apogee_1e308() -> None:
    line = one_error_line("loft", "--missile", "hwasong-15", "--apogee-km", "1e308",
                          "--range-km", "1000")
    assert line == ("error: --apogee-km: 1e+308 is out of range; allowed: a number above 0 "
                    "and at most 10,000 km")


# --------------------------------------------------------------------------------------------
# Case 18: successful runs print no RuntimeWarning
# --------------------------------------------------------------------------------------------


@pytest.mark.slow  # flights, coverage and detection runs
def test_successful_runs_raise_no_runtime_warning() -> None:
    """The aiming's Newton step divided by a zero finite difference (threat.py: hwasong-15
    at 2 km); with RuntimeWarnings turned into errors, these runs still succeed."""
    from thaadsim.systems.catalog import get_missile
    from thaadsim.systems.threat import fly_threat

    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with np.errstate(all="warn"):
            for args in (["fly", "--missile", "hwasong-15", "--range-km", "2", "--json"],
                         ["fly", "--missile", "scud-b", "--range-km", "250", "--json"],
                         ["fly", "--speed-kms", "3", "--gamma-deg", "45", "--json"],
                         ["coverage", "--json"], ["detect", "--json"],
                         ["raid", "--count", "3", "--trials", "50", "--json"],
                         ["footprint", "--grid-km", "50", "--json"]):
                code, out, err = run_cli(*args)
                assert code == 0, (args, err[-2000:])
                assert "Warning" not in err
            tf = fly_threat(get_missile("nodong"), 40.03, 128.20, 35.18, 129.08, "lofted")
            assert tf.miss_m < 1000


# --------------------------------------------------------------------------------------------
# The API at the edges
# --------------------------------------------------------------------------------------------


def _as_number(row: str, text: str) -> Any:
    """An edge text as the number an API caller would pass (ints for whole-number rows)."""
    try:
        return int(text) if LIMITS[row].integer else float(text)
    except ValueError:
        return None


@settings(max_examples=120, deadline=None)
@given(data=st.data())
def test_standard_defense_numbers_at_the_edges(data: st.DataObject) -> None:
    """Property: the defense's numbers at the edges of their rows build the defense with
    exactly those numbers, or are refused by one InputError naming the argument."""
    from thaadsim.studies.raid import standard_defense

    arg, row, field = data.draw(st.sampled_from([
        ("inventory", "inventory", "inventory"),
        ("fire_channels", "fire_channels", "fire_channels"),
        ("sspk", "probability", "sspk"),
        ("asset_radius_km", "asset_radius_km", "asset_radius_km")]))
    value = _as_number(row, data.draw(st.sampled_from(edges(row))))
    if value is None:
        return
    try:
        defense = standard_defense("seongju", "salvo-2", (36.0, 128.2), (39.0, 125.7),
                                   **{arg: value})
    except InputError as exc:
        assert not LIMITS[row].allows(value)
        assert str(exc).startswith(f"{field}: ") and "allowed: " in str(exc)
        return
    assert LIMITS[row].allows(value)
    battery = defense.batteries[0]
    got = {"inventory": battery.inventory, "fire_channels": battery.fire_channels,
           "sspk": defense.sspk, "asset_radius_km": defense.assets[0].radius_m / 1e3}[arg]
    assert got == pytest.approx(min(value, battery.inventory) if arg == "inventory" else value)


@settings(max_examples=80, deadline=None)
@given(data=st.data())
def test_aim_many_refuses_coordinates_out_of_range_by_name(data: st.DataObject) -> None:
    """Property: one coordinate of one of several aim points outside its row: an InputError
    naming exactly that field, before anything is flown."""
    from thaadsim.systems.catalog import get_missile
    from thaadsim.systems.threat import aim_many

    field = data.draw(st.sampled_from(["launch_lat_deg", "launch_lon_deg", "aim_lat_deg",
                                       "aim_lon_deg"]))
    row = "lat_deg" if field.endswith("lat_deg") else "lon_deg"
    value = float(data.draw(st.sampled_from(edges(row)[:13])))
    if LIMITS[row].allows(value):
        return
    points = {"launch_lat_deg": [39.0, 39.0], "launch_lon_deg": [125.7, 125.7],
              "aim_lat_deg": [36.0, 36.5], "aim_lon_deg": [128.2, 128.0]}
    points[field][data.draw(st.integers(0, 1))] = value
    with pytest.raises(InputError) as exc:
        aim_many(get_missile("scud-c"), points["launch_lat_deg"], points["launch_lon_deg"],
                 points["aim_lat_deg"], points["aim_lon_deg"])
    assert str(exc.value).startswith(f"{field}: ")


COVERAGE_OPTIONS = {"--rcs-m2": "rcs_m2", "--alt-km": "target_alt_km",
                    "--boresight-deg": "boresight_deg"}


@pytest.mark.slow  # a property test: coverage fans at the edges
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_coverage_at_the_edges_ends_in_a_result_or_one_line(data: st.DataObject) -> None:
    """Property: `coverage` with one number at an edge of its row covers a finite area
    within the radar's instrumented range, or says in one line why not."""
    option = data.draw(st.sampled_from(sorted(COVERAGE_OPTIONS)))
    text = data.draw(st.sampled_from(edges(COVERAGE_OPTIONS[option])))
    code, out, err = run_cli("coverage", option, text, "--json")
    assert code in (0, 2) and "Traceback" not in err, (option, text, err[-2000:])
    if code == 0:
        d = json.loads(out)
        assert math.isfinite(d["covered_area_km2"]) and d["covered_area_km2"] >= 0
        assert d["max_ground_range_km"] <= d["instrumented_range_km"] + 1e-6
    else:
        assert len([ln for ln in err.splitlines() if ln.strip()]) == 1
