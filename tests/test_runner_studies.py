"""The chunked runner under `thaadsim footprint` and `thaadsim sensitivity` (issue 6).

The reference of every test is the command without the runner: the footprint's grid and
the Sobol indices computed in one piece. Chunked in this process, in local processes or on
a Dask LocalCluster (loopback), and resumed after chunk files were lost, they must be the
same exactly (the chunks' work units are fixed grid cells or model runs, each computed by
the same code; the footprint's flights are row-independent, so a block of cells gives the
same numbers as the whole grid, to the bit).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from thaadsim.cli import app
from thaadsim.studies import footprint as fpm
from thaadsim.studies import sensitivity as sens
from thaadsim.studies.montecarlo import RunnerOptions

cli = CliRunner()

# a 12 x 12 grid of 25 km cells about Seongju against a Scud-C from Pyongyang: 144 cells,
# 4 chunks of 40 (the last 24)
FP_ARGS = ("footprint", "--battery-site", "seongju", "--missile", "scud-c", "--launch",
           "pyongyang", "--grid-km", "25", "--extent-km", "150")
FP_CHUNK = "40"
FP_CHUNKS = 4
# 8 base samples x (4 + 2) = 48 runs of the detection range, chunks of 10: 5 chunks
DR_ARGS = ("sensitivity", "korea-2017", "--output", "detection_range", "--samples", "8",
           "--seed", "3")
DR_CHUNKS = 5


def run_json(*args: str) -> dict[str, Any]:
    res = cli.invoke(app, [*args, "--json"])
    assert res.exit_code == 0, res.output
    data: dict[str, Any] = json.loads(res.stdout)
    return data


def same(a: dict[str, Any], b: dict[str, Any], *drop: str) -> None:
    """Two commands' JSON equal but for the keys ``drop`` (timing, the runner's options)."""
    strip = {"runner", "seconds", *drop}
    assert {k: v for k, v in a.items() if k not in strip} == {
        k: v for k, v in b.items() if k not in strip}


def chunk_times(folder: Path) -> dict[str, int]:
    return {f.name: f.stat().st_mtime_ns for f in sorted(folder.glob("chunk-*.parquet"))}


# --------------------------------------------------------------------------------------------
# footprint
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fp_plain() -> dict[str, Any]:
    return run_json(*FP_ARGS)


@pytest.mark.slow  # footprint grids run twice
def test_footprint_grid_in_chunks_equals_the_whole_grid() -> None:
    """Blocks of 37 cells (the last one short) give the whole grid's arrays, to the bit."""
    kw: dict[str, Any] = {"grid_km": 25.0, "extent_km": 150.0}
    whole = fpm.defended_footprint("seongju", "scud-c", 39.0194, 125.7381, **kw)
    parts = fpm.defended_footprint("seongju", "scud-c", 39.0194, 125.7381, **kw,
                                   runner=RunnerOptions(chunk_size=37), progress=False)
    for name in ("shots", "firm_track_s", "flight_time_s", "cell_area_km2", "lat_deg",
                 "lon_deg"):
        np.testing.assert_array_equal(getattr(parts, name), getattr(whole, name),
                                      err_msg=name)
    assert (whole.shots >= 1).any() and (whole.shots == -1).any()
    assert parts.area_km2 == whole.area_km2 and parts.defended_sites == whole.defended_sites


@pytest.mark.slow  # footprint runs (and fp_plain's)
def test_footprint_command_in_process_and_netcdf(tmp_path: Path,
                                                 fp_plain: dict[str, Any]) -> None:
    import xarray as xr

    nc_plain, nc_chunks = tmp_path / "plain.nc", tmp_path / "chunks.nc"
    run_json(*FP_ARGS, "--netcdf", str(nc_plain))
    d = run_json(*FP_ARGS, "--executor", "inprocess", "--chunk-size", FP_CHUNK,
                 "--netcdf", str(nc_chunks))
    same(d, fp_plain, "netcdf")
    assert d["runner"]["executor"] == "inprocess" and d["runner"]["chunk_size"] == 40
    assert "runner" not in fp_plain
    with xr.open_dataset(nc_plain, engine="h5netcdf") as a, \
            xr.open_dataset(nc_chunks, engine="h5netcdf") as b:
        xr.testing.assert_identical(a.load(), b.load())


@pytest.mark.slow  # a pool of worker processes
def test_footprint_command_in_processes(fp_plain: dict[str, Any]) -> None:
    d = run_json(*FP_ARGS, "--executor", "processes", "--workers", "2",
                 "--chunk-size", FP_CHUNK)
    same(d, fp_plain)
    assert d["runner"]["executor"] == "processes"


@pytest.mark.slow  # a Dask LocalCluster of 2 worker processes
def test_both_commands_on_a_dask_local_cluster(fp_plain: dict[str, Any]) -> None:
    """--workers alone starts a LocalCluster of 2 worker processes on loopback."""
    pytest.importorskip("distributed")
    d = run_json(*FP_ARGS, "--workers", "2", "--chunk-size", FP_CHUNK)
    same(d, fp_plain)
    assert d["runner"]["executor"] == "dask" and d["runner"]["workers"] == 2
    s = run_json(*DR_ARGS, "--workers", "2", "--chunk-size", "10")
    same(s, run_json(*DR_ARGS))
    assert s["runner"]["executor"] == "dask"


@pytest.mark.slow  # footprint runs, resumed twice
def test_footprint_resumes_redoing_only_lost_chunks(tmp_path: Path, fp_plain: dict[str, Any],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """An interrupted run (chunk files missing) resumed with --resume equals the
    uninterrupted one, and only the missing chunks are computed again."""
    folder = tmp_path / "fp"
    first = run_json(*FP_ARGS, "--chunk-size", FP_CHUNK, "--chunks-dir", str(folder))
    same(first, fp_plain)
    before = chunk_times(folder)
    assert len(before) == FP_CHUNKS and (folder / "manifest.json").exists()
    lost = ["chunk-00001.parquet", "chunk-00003.parquet"]
    for name in lost:
        (folder / name).unlink()
    blocks: list[int] = []
    real = fpm.cell_results

    def counting(threat: Any, lat: np.ndarray, lon: np.ndarray) -> dict[str, np.ndarray]:
        blocks.append(int(np.size(lat)))
        return real(threat, lat, lon)

    monkeypatch.setattr(fpm, "cell_results", counting)
    again = run_json(*FP_ARGS, "--chunk-size", FP_CHUNK, "--resume", str(folder))
    same(again, fp_plain)
    assert again["runner"]["resumed"] is True
    assert sorted(blocks) == [24, 40]  # chunk 1 (40 cells) and chunk 3 (the last 24)
    after = chunk_times(folder)
    assert set(after) == set(before)
    for name, t in before.items():
        assert (after[name] == t) == (name not in lost), name
    # resumed once more, without --chunk-size (the manifest's is taken): nothing is computed
    blocks.clear()
    same(run_json(*FP_ARGS, "--resume", str(folder)), fp_plain)
    assert blocks == []


@pytest.mark.slow  # footprint runs
def test_footprint_resume_of_another_footprint_is_one_line(
        tmp_path: Path, cli_error: Callable[..., str]) -> None:
    folder = tmp_path / "fp"
    run_json(*FP_ARGS, "--chunk-size", FP_CHUNK, "--chunks-dir", str(folder))
    other = [a if a != "scud-c" else "scud-b" for a in FP_ARGS]
    message = cli_error(*other, "--chunk-size", FP_CHUNK, "--resume", str(folder))
    assert "describes another run" in message and "task" in message


# --------------------------------------------------------------------------------------------
# sensitivity
# --------------------------------------------------------------------------------------------


# the raid's engagement: 4 base samples x (3 + 2) = 20 runs of 20 trials, chunks of 6
PNL_ARGS = ("sensitivity", "saturation", "--output", "p_no_leak", "--samples", "4",
            "--params", "sspk,rcs_m2,fire_channels", "--trials", "20", "--seed", "2")


@pytest.fixture(scope="module")
def dr_plain() -> dict[str, Any]:
    return run_json(*DR_ARGS)


@pytest.mark.parametrize("args", [  # p_no_leak slow: Monte Carlo engagements per sample
    pytest.param(PNL_ARGS, marks=pytest.mark.slow), DR_ARGS], ids=["p_no_leak", "detection_range"])
def test_sensitivity_runs_in_chunks_equal_one_piece(args: tuple[str, ...]) -> None:
    plain = run_json(*args)
    d = run_json(*args, "--executor", "inprocess", "--chunk-size", "6")
    same(d, plain)
    assert d["runner"]["chunk_size"] == 6 and "runner" not in plain
    assert any(p["ST"] for p in d["parameters"])


@pytest.mark.slow  # a sensitivity study run twice
def test_sensitivity_footprint_area_in_chunks() -> None:
    kw: dict[str, Any] = {"samples": 4, "seed": 1, "params": ["rcs_m2", "reaction_s"]}
    plain = sens.sobol_indices("footprint_area", "saturation", **kw)
    parts = sens.sobol_indices("footprint_area", "saturation", **kw,
                               runner=RunnerOptions(chunk_size=5), progress=False)
    for name in ("s1", "s1_conf", "st", "st_conf"):
        np.testing.assert_array_equal(getattr(parts, name), getattr(plain, name))
    assert parts.settings == plain.settings and parts.output_std > 0


@pytest.mark.slow  # a pool of worker processes
def test_sensitivity_in_processes(dr_plain: dict[str, Any]) -> None:
    d = run_json(*DR_ARGS, "--executor", "processes", "--workers", "2", "--chunk-size", "10")
    same(d, dr_plain)


def test_sensitivity_resumes_to_the_same_indices(tmp_path: Path, dr_plain: dict[str, Any]
                                                 ) -> None:
    folder = tmp_path / "sens"
    first = run_json(*DR_ARGS, "--chunk-size", "10", "--chunks-dir", str(folder))
    same(first, dr_plain)
    before = chunk_times(folder)
    assert len(before) == DR_CHUNKS
    lost = ["chunk-00000.parquet", "chunk-00004.parquet"]
    for name in lost:
        (folder / name).unlink()
    again = run_json(*DR_ARGS, "--chunk-size", "10", "--resume", str(folder))
    same(again, dr_plain)
    after = chunk_times(folder)
    assert set(after) == set(before)
    for name, t in before.items():
        assert (after[name] == t) == (name not in lost), name


def test_sensitivity_task_refuses_a_chunk_size_it_was_not_built_for() -> None:
    """A chunk knows its runs from its index and the task's chunk size: a runner cutting
    the runs otherwise is an error, not a wrong answer."""
    from thaadsim.errors import InputError
    from thaadsim.studies.montecarlo import run_chunks

    study = sens._study("detection_range", "korea-2017", samples=4, params=None, trials=1,
                        pool=1, grid_km=25.0, min_shots=1)
    task = sens.SensitivityTask(study=study, chunk=7)
    with pytest.raises(InputError, match="chunk size"):
        run_chunks(task, study.runs, 0, chunk_trials=5, progress=False)
    frame = run_chunks(task, study.runs, 0, chunk_trials=7, progress=False)
    np.testing.assert_array_equal(frame["run"], np.arange(study.runs))


@pytest.mark.parametrize("option", [["--workers", "0"], ["--chunk-size", "0"],
                                    ["--executor", "threads"], ["--resume", "no-such-dir"]])
@pytest.mark.parametrize("command", [["footprint"], ["sensitivity", "--output",
                                                    "detection_range"]])
def test_bad_runner_option_is_one_line(command: list[str], option: list[str],
                                       cli_error: Callable[..., str]) -> None:
    assert cli_error(*command, *option).startswith(f"error: {option[0]}")
