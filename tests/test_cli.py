"""The command line as a user meets it: JSON output, tables, plots and clear errors."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from cli_helpers import run_main  # (tests/ is on the path)
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from thaadsim.cli import app
from thaadsim.limits import fmt_number

runner = CliRunner()

FLY_KEYS = {"range_km", "apogee_km", "flight_time_s", "burnout_speed_kms", "band_entry_s",
            "band_exit_s", "time_in_band_s"}


def run_json(*args: str) -> dict:
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, "--json prints exactly one JSON object"
    return json.loads(lines[0])


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "thaadsim", *args], capture_output=True,
                          text=True, timeout=300)


main_output = run_main


def test_fly_burnout_vacuum_sphere_is_keplerian():
    """3 km/s at 45 deg over the non-rotating sphere: 985.53 km (range angle 0.154690 rad
    x 6371 km, Bate, Mueller & White eq. 6.2-12), apogee 256.43 km, 489.71 s."""
    d = run_json("fly", "--speed-kms", "3", "--gamma-deg", "45", "--vacuum", "--non-rotating",
                 "--earth", "sphere")
    assert FLY_KEYS <= d.keys()
    assert d["range_km"] == pytest.approx(985.53, abs=0.01)
    assert d["apogee_km"] == pytest.approx(256.427, abs=0.01)
    assert d["flight_time_s"] == pytest.approx(489.712, abs=0.01)
    assert d["band_entry_s"] < d["band_exit_s"]


def test_fly_missile_to_range_and_between_points(tmp_path):
    d = run_json("fly", "--missile", "scud-b", "--range-km", "250")
    assert FLY_KEYS <= d.keys()
    assert d["range_km"] == pytest.approx(250.0, abs=1.0)
    assert d["miss_m"] < 1000
    plot = tmp_path / "nodong.png"
    d = run_json("fly", "--missile", "nodong", "--from", "40.03,128.20", "--to", "35.18,129.08",
                 "--shape", "lofted", "--plot", str(plot))
    assert d["miss_m"] < 1000
    assert plot.stat().st_size > 20_000
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_artillery_never_enters_the_band():
    d = run_json("fly", "--missile", "mrl-240", "--range-km", "50")
    assert d["apogee_km"] < 40
    assert d["band_entry_s"] is None and d["band_exit_s"] is None and d["time_in_band_s"] == 0


def test_fly_with_no_threat_flies_the_default(tmp_path):
    d = run_json("fly", "--plot", str(tmp_path / "default.png"))
    assert d["missile"] == "scud-c" and d["miss_m"] < 1000
    assert (tmp_path / "default.png").exists()


def test_band_option():
    d = run_json("fly", "--missile", "mrl-240", "--range-km", "50", "--band-km", "5,20")
    assert d["time_in_band_s"] > 0


def test_catalog_json_and_table():
    d = run_json("catalog")
    from thaadsim.systems.catalog import missile_catalog

    # one row per catalog entry, in its order: 13 North Korean missiles the first issue named,
    # kn-23-enlarged, China's 7 (issue 15), today's North Korean arsenal (issue 16: 7 and the
    # kn-23-slbm variant; and its glide vehicles hwasong-8 and hwasong-16b and the kn-18 MaRV)
    assert [m["slug"] for m in d["missiles"]] == list(missile_catalog())
    assert len(d["missiles"]) == 32
    assert all(m["range_source"] for m in d["missiles"])
    assert {m["slug"]: m["variant_of"] for m in d["missiles"]}["kn-23-enlarged"] == "kn-23"
    table = runner.invoke(app, ["catalog"])
    assert table.exit_code == 0 and "hwasong-15" in table.output


@pytest.mark.slow  # an ICBM flown to fit a lofted test
def test_loft_json():
    d = run_json("loft", "--missile", "hwasong-14", "--apogee-km", "3724.9", "--range-km",
                 "998", "--flight-time-s", "2832", "--non-rotating")
    assert {"standard_range_km", "burnout_speed_kms", "flight_time_s"} <= d.keys()
    assert d["standard_range_km"] == pytest.approx(10_400, rel=0.05)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["fly", "--missile", "scud-x", "--range-km", "100"],
         "unknown slug 'scud-x'; known: kn-02, scud-b"),
        (["fly", "--missile", "scud-b", "--range-km", "900"],
         "scud-b cannot reach 900 km: its maximum range is 309 km"),
        (["fly", "--speed-kms", "-3", "--gamma-deg", "45"],
         "--speed-kms: -3 is out of range; allowed: a number from 0.05 to 11 km/s"),
        (["fly", "--speed-kms", "3", "--gamma-deg", "95"],
         "--gamma-deg: 95 is out of range; allowed: a number from 0 to 90 deg"),
        (["fly", "--speed-kms", "3", "--gamma-deg", "-1"], "--gamma-deg: -1 is out of range"),
        (["fly", "--speed-kms", "nan", "--gamma-deg", "45"], "--speed-kms: nan is out of range"),
        (["fly", "--missile", "scud-b", "--from", "39,125", "--to", "nowhere"],
         "--to: 'nowhere' is not LAT,LON"),
        (["fly", "--missile", "scud-b", "--range-km", "100", "--shape", "flat"],
         "--shape: unknown 'flat'"),
        (["fly", "--missile", "scud-b"], "give --range-km R or both --from and --to"),
        (["fly", "--speed-kms", "3", "--gamma-deg", "45", "--earth", "flat"],
         "earth: unknown model 'flat'"),
        (["fly", "--speed-kms", "3", "--gamma-deg", "45", "--band-km", "150,40"],
         "--band-km: '150,40': need 0 <= LO < HI"),
        (["loft", "--missile", "scud-b", "--apogee-km", "0", "--range-km", "100"],
         "--apogee-km: 0 is out of range; allowed: a number above 0"),
        (["fly", "--speed-kms", "3"], "give both --speed-kms and --gamma-deg"),
        (["fly", "--plot", "/nonexistent-folder/x.png"],
         "--plot: '/nonexistent-folder/x.png': the folder '/nonexistent-folder' does not exist"),
        (["fly", "--plot", "x.pdf"], "--plot: 'x.pdf' must end in .png"),
        (["fly", "--missile", "scud-b", "--range-km", "1e308"],
         "--range-km: 1e+308 is out of range; allowed: a number above 0 and at most 20,000 km"),
        (["fly", "--missile", "scud-b", "--range-km", "100", "--apogee-km", "50"],
         "--apogee-km: a min-energy trajectory has its own apogee"),
        (["fly", "--missile", "scud-b", "--from", "39,125.7", "--to", "39,125.7"],
         "it must be at least 1 km away"),
    ],
)
def test_bad_input_is_one_clear_line_and_exit_2(args, message):
    """In process, through main() (the entry point's own code; one subprocess run of
    ``python -m thaadsim`` below checks the module entry point itself): any other exception
    would propagate and fail the test."""
    code, out, err = main_output(*args)
    assert code == 2, err
    assert not out, out
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert message in lines[0]


def test_usage_errors_exit_2_with_one_line():
    code, out, err = main_output("fly", "--speed-kms", "fast")
    assert code == 2 and not out
    assert err.splitlines() == ["error: --speed-kms: 'fast' is not a number; allowed: a number "
                                "from 0.05 to 11 km/s"], err


def test_bad_input_from_the_module_entry_point_is_one_line():
    """The real process: exit status 2, one line, no traceback."""
    proc = cli("fly", "--speed-kms", "-3", "--gamma-deg", "45")
    assert proc.returncode == 2 and not proc.stdout
    assert proc.stderr.splitlines() == ["error: --speed-kms: -3 is out of range; allowed: a "
                                        "number from 0.05 to 11 km/s"], proc.stderr


def test_version_and_module_entry_point():
    proc = cli("--version")
    assert proc.returncode == 0 and proc.stdout.strip()

any_float = st.one_of(st.floats(allow_nan=True, allow_infinity=True),
                      st.floats(min_value=-100, max_value=100))


FLY_OPTIONS = ("--speed-kms", "--gamma-deg", "--burnout-alt-km", "--beta-kgm2")


@pytest.mark.slow  # a property test: many flights
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(speed=any_float, gamma=any_float, alt=any_float, beta=any_float)
@example(speed=3.0, gamma=45.0, alt=0.0, beta=1000.0)  # both branches are always taken:
@example(speed=3.0, gamma=45.0, alt=0.0, beta=5e-324)  # a flight, and a refusal
def test_fly_burnout_any_numbers_end_in_a_result_or_a_clear_error(speed, gamma, alt, beta):
    """Property: whatever numbers are given, `fly` prints one JSON object (exit 0) or
    refuses them with exit status 2 and one line naming the option, the value given (as
    fmt_number writes it) and what is allowed; never another status or a traceback."""
    given_values = dict(zip(FLY_OPTIONS, (speed, gamma, alt, beta), strict=True))
    code, out, err = main_output("fly", *(x for o, v in given_values.items()
                                          for x in (o, repr(v))), "--json")
    assert code in (0, 2), (code, err)
    if code == 0:
        assert not err.strip(), err
        lines = out.strip().splitlines()
        assert len(lines) == 1, out
        data = json.loads(lines[0])
        assert data["range_km"] >= 0 and data["flight_time_s"] > 0
        return
    assert not out, out
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    m = re.fullmatch(r"error: (--[a-z0-9-]+): (\S+) is out of range; allowed: a number from "
                     r"\S+ to \S+ \S+", lines[0])
    assert m, lines[0]
    assert m.group(1) in given_values, lines[0]
    assert m.group(2) == fmt_number(given_values[m.group(1)]), lines[0]
