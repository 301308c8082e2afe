"""The study commands as a user meets them: footprint, raid-curve, sensitivity."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from thaadsim.cli import app

runner = CliRunner()


def run_json(*args: str) -> dict:  # type: ignore[type-arg]
    res = runner.invoke(app, [*args, "--json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def test_footprint_command(tmp_path: Path) -> None:
    """Seongju's battery defends its own site against a Scud-C from Pyongyang, not Seoul."""
    png, nc = tmp_path / "fp.png", tmp_path / "fp.nc"
    d = run_json("footprint", "--battery-site", "seongju", "--missile", "scud-c", "--launch",
                 "39.0194,125.7381", "--grid-km", "25", "--map", str(png), "--netcdf", str(nc))
    assert d["area_km2"] > 10_000
    assert "seongju" in d["defended_sites"] and "seoul" not in d["defended_sites"]
    assert png.stat().st_size > 20_000 and nc.stat().st_size > 1_000


def test_raid_curve_command(tmp_path: Path) -> None:
    csv = tmp_path / "curve.csv"
    d = run_json("raid-curve", "--max-count", "4", "--trials", "40", "--perfect-tracking",
                 "--csv", str(csv))
    p = [row["p_no_leak"] for row in d["curve"]]
    assert [row["count"] for row in d["curve"]][0] == 1 and d["curve"][-1]["count"] == 4
    assert p[0] >= p[-1]
    assert all("analytic_p_no_leak" in row for row in d["curve"])
    assert csv.read_text().count("\n") >= 4


def test_sensitivity_command_names_the_dominant_parameter() -> None:
    d = run_json("sensitivity", "--output", "detection_range", "--samples", "16")
    st = {p["name"]: p["ST"] for p in d["parameters"]}
    assert max(st, key=lambda k: st[k]) == "rcs_m2"


@pytest.mark.parametrize(("args", "message"), [
    (["footprint", "--grid-km", "0"], "grid"),
    (["footprint", "--min-shots", "3"], "min"),
    (["footprint", "--missile", "scud-z"], "unknown slug 'scud-z'"),
    (["footprint", "--map", "x.jpg"], "must end in .png"),
    (["raid-curve", "--max-count", "0"], "count"),
    (["raid-curve", "--doctrine", "salvo-7"], "doctrine"),
    (["sensitivity", "--output", "colour"], "output"),
    (["sensitivity", "nowhere-2099"], "nowhere-2099"),
])
def test_bad_input_is_one_line_and_exit_2(args: list[str], message: str,
                                          cli_error: Callable[..., str]) -> None:
    assert message in cli_error(*args)


def test_raid_on_the_runner_resumes_to_the_same_answer(tmp_path: Path) -> None:
    """The chunked runner: a finished run read back with --resume gives the same figures."""
    chunks = tmp_path / "chunks"
    args = ("raid", "--count", "6", "--trials", "3000", "--chunk-trials", "1000", "--seed", "4")
    first = run_json(*args, "--chunks-dir", str(chunks))
    assert len(list(chunks.glob("chunk-*.parquet"))) == 3
    again = run_json(*args, "--resume", str(chunks))
    for key in ("p_no_leak", "expected_leakers", "interceptors_used", "p_kill_per_shot"):
        assert again[key] == first[key]
    assert abs(first["p_no_leak"] - first["analytic_p_no_leak"]) < 0.2
