"""``thaadsim run`` and ``thaadsim raid-curve`` on the chunked Monte Carlo runner (issue 6).

DESIGN (randomness): a run on the runner depends on the seed (with the trials, the tracking
pool and the chunk size) alone, not on where its chunks ran or whether it was interrupted:

* ``run``: in-process, in two local processes and on a real Dask ``LocalCluster`` (two
  workers on loopback) give identical summary figures and identical threats and shots
  tables (``results/*.parquet``); a run whose chunk folder lost chunk files, resumed, is
  the uninterrupted run and redoes only the lost chunks; resuming the folder of another
  scenario or seed is one error line and exit status 2;
* ``raid-curve``: in-process and in local processes give the same curve; a curve killed
  half-way (SIGKILL) or whose chunk files were deleted, resumed, is the uninterrupted curve
  and redoes no finished chunk of any raid size;
* under perfect tracking the runner's curve lies within its 99.7% (z = 3) Wilson interval
  of the closed-form binomial model with a finite magazine (Wilkening, *Science & Global
  Security* 8 (2000) 183-215), as ``simulate``'s does in tests/test_raid_curve.py.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal
from process_helpers import sigkill_when
from test_scenario import BASE  # a small scenario: two Scud-B at Osan, one battery
from typer.testing import CliRunner

from thaadsim.cli import app
from thaadsim.engagement import wilson_interval
from thaadsim.run import run_engagement
from thaadsim.scenario import parse_scenario
from thaadsim.studies import montecarlo as mc

cli = CliRunner()

RUN = ("--trials", "24", "--chunk-size", "8", "--pool", "20")
"""``thaadsim run``: 24 trials in three chunks of 8, a pool of 20 tracking outcomes."""
RUN_CHUNKS = 3
FIGURES = ("trials", "seed", "threats", "p_no_leak", "p_no_leak_ci95", "expected_leakers",
           "interceptors_used", "intercepted_fraction", "intercepted_fraction_ci95",
           "engageable_threats", "reasons", "sampling", "scenario_sha256")

CURVE = ("raid-curve", "--max-count", "3", "--trials", "200", "--perfect-tracking", "--sspk",
         "0.8", "--fire-channels", "100", "--seed", "5", "--pool", "10", "--chunk-size", "50")
"""``thaadsim raid-curve``: raid sizes 1, 2, 3, each 200 trials in four chunks of 50."""
CURVE_CHUNKS = 12
CURVE_FIGURES = ("curve", "leak_reasons", "saturation_count", "analytic_saturation_count",
                 "p_kill_pooled", "volleys", "sampling")


def run_json(*args: str) -> dict[str, Any]:
    res = cli.invoke(app, [*args, "--json"])
    assert res.exit_code == 0, res.output
    data: dict[str, Any] = json.loads(res.stdout)
    return data


def chunk_files(folder: Path) -> list[Path]:
    return sorted(folder.rglob("chunk-*.parquet"))


@pytest.fixture
def count_chunks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The trials of every chunk this process runs from now on (in-process executor)."""
    calls: list[int] = []
    original = mc.EngagementTask.__call__

    def counting(self: mc.EngagementTask, trials: int,
                 seed: np.random.SeedSequence) -> pd.DataFrame:
        calls.append(trials)
        return original(self, trials, seed)

    monkeypatch.setattr(mc.EngagementTask, "__call__", counting)
    return calls


# --------------------------------------------------------------------------------------------
# thaadsim run
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def scenario_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("scenario") / "small.yaml"
    path.write_text(BASE)
    return path


Report = tuple[dict[str, Any], pd.DataFrame, pd.DataFrame]


def run_report(scenario: Path, out: Path, *options: str) -> Report:
    """``thaadsim run`` to ``out``: its summary and its threats and shots tables."""
    summary = run_json("run", str(scenario), "-o", str(out), *RUN, *options)
    assert json.loads((out / "results" / "summary.json").read_text()) == {  # the claims:
        k: v for k, v in summary.items() if k not in ("output", "files", "claims")}  # claims.json
    return (summary, pd.read_parquet(out / "results" / "threats.parquet"),
            pd.read_parquet(out / "results" / "shots.parquet"))


def assert_same_run(got: Report, want: Report) -> None:
    for key in FIGURES:
        assert got[0][key] == want[0][key], key
    assert_frame_equal(got[1], want[1])
    assert_frame_equal(got[2], want[2])


@pytest.fixture(scope="module")
def reference(scenario_file: Path, tmp_path_factory: pytest.TempPathFactory
              ) -> tuple[Path, Report]:
    """The run in this process, its chunks written to ``chunks``."""
    root = tmp_path_factory.mktemp("reference")
    return root / "chunks", run_report(scenario_file, root / "report", "--chunks-dir",
                                       str(root / "chunks"))


@pytest.mark.slow  # a whole `thaadsim run` with its report (shared with the next)
def test_run_on_the_runner(reference: tuple[Path, Report]) -> None:
    chunks, (summary, threats, shots) = reference
    assert summary["sampling"] == {"tracking": "pooled", "pool_size": 20, "chunk_trials": 8}
    assert summary["runner"] == {"executor": "inprocess", "workers": None, "scheduler": None,
                                 "chunks_dir": str(chunks), "resumed": False,
                                 "chunk_size": 8}
    assert len(chunk_files(chunks)) == RUN_CHUNKS and (chunks / mc.MANIFEST).exists()
    # the chunks' tables are one run: trials numbered across them, every shot kept
    assert (threats["trial"].to_numpy() == np.repeat(np.arange(24), 2)).all()
    assert set(threats["group"]) == {"scuds"}
    assert len(shots) == round(summary["interceptors_used"] * 24) > 0
    assert shots["trial"].max() >= 2 * 8  # the last chunk fired too, renumbered
    assert set(shots["battery"]) <= {"seongju"}
    fired = shots.groupby(["trial", "threat"]).size()
    engaged = threats.set_index(["trial", "threat"])["outcome"] != "not engaged"
    assert set(fired.index) == set(engaged[engaged].index)
    assert (Path(summary["output"]) / "report.html").stat().st_size > 10_000
    assert {"scenario.czml", "scenario.kml", "results/tracks.parquet"} <= set(summary["files"])


def test_run_without_runner_options_tracks_in_every_trial(scenario_file: Path) -> None:
    out = run_engagement(**parse_scenario(BASE, "small.yaml").to_run_kwargs(trials=3))
    summary = out.summary()
    assert summary["sampling"] == {"tracking": "per-trial", "pool_size": None,
                                   "chunk_trials": None}
    assert summary["runner"] is None


@pytest.mark.slow  # a pool of worker processes, and a Dask LocalCluster
@pytest.mark.parametrize("options", [("--executor", "processes", "--workers", "2"),
                                     ("--workers", "2")], ids=["processes", "dask"])
def test_run_is_the_same_on_every_executor(options: tuple[str, ...], scenario_file: Path,
                                           reference: tuple[Path, Report],
                                           tmp_path: Path) -> None:
    if options == ("--workers", "2"):
        pytest.importorskip("distributed")
    got = run_report(scenario_file, tmp_path / "report", *options)
    assert got[0]["runner"]["executor"] == ("processes" if "--executor" in options else "dask")
    assert got[0]["runner"]["workers"] == 2
    assert_same_run(got, reference[1])


@pytest.mark.slow  # two Monte Carlo runs of the scenario
def test_run_resumes_to_the_uninterrupted_run(scenario_file: Path,
                                              reference: tuple[Path, Report], tmp_path: Path,
                                              count_chunks: list[int]) -> None:
    chunks = tmp_path / "chunks"
    shutil.copytree(reference[0], chunks)
    (chunks / "chunk-00001.parquet").unlink()  # as if killed before it was written
    kept = {f.name: f.stat().st_mtime_ns for f in chunk_files(chunks)}
    got = run_report(scenario_file, tmp_path / "report", "--resume", str(chunks))
    assert count_chunks == [8]  # only the lost chunk ran again
    assert all((chunks / name).stat().st_mtime_ns == t for name, t in kept.items())
    assert got[0]["runner"]["resumed"] is True
    assert_same_run(got, reference[1])


@pytest.mark.slow  # needs the whole reference run above
def test_resuming_another_run_is_refused(scenario_file: Path, reference: tuple[Path, Report],
                                         tmp_path: Path, cli_error: Callable[..., str]) -> None:
    chunks = str(reference[0])
    out = str(tmp_path / "report")
    msg = cli_error("run", str(scenario_file), "-o", out, *RUN, "--seed", "4", "--resume", chunks)
    assert "describes another run (differs in" in msg and "seed" in msg
    other = tmp_path / "other.yaml"
    other.write_text(BASE.replace("    count: 2", "    count: 3"))
    msg = cli_error("run", str(other), "-o", out, *RUN, "--resume", chunks)
    assert "describes another run (differs in task)" in msg
    assert "--pool: 0" in cli_error("run", str(scenario_file), "-o", out, "--pool", "0",
                                    "--chunk-size", "8")
    assert not Path(out).exists()


# --------------------------------------------------------------------------------------------
# thaadsim raid-curve
# --------------------------------------------------------------------------------------------


def same_curve(got: dict[str, Any], want: dict[str, Any]) -> None:
    for key in CURVE_FIGURES:
        assert got[key] == want[key], key


@pytest.fixture(scope="module")
def curve(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """The curve in this process, its chunks written to ``chunks/count-NNN``."""
    chunks = tmp_path_factory.mktemp("curve") / "chunks"
    return chunks, run_json(*CURVE, "--chunks-dir", str(chunks))


def test_raid_curve_on_the_runner(curve: tuple[Path, dict[str, Any]]) -> None:
    chunks, data = curve
    assert [row["count"] for row in data["curve"]] == [1, 2, 3]
    assert data["sampling"] == {"tracking": "pooled", "pool_size": 10, "chunk_trials": 50}
    assert data["runner"]["executor"] == "inprocess"
    assert data["runner"]["chunks_dir"] == str(chunks)
    assert sorted(p.name for p in chunks.iterdir()) == ["count-001", "count-002", "count-003"]
    assert len(chunk_files(chunks)) == CURVE_CHUNKS
    # perfect tracking: every shot kills with the sspk given
    assert all(row["p_kill_per_shot"] == pytest.approx(0.8) for row in data["curve"])


@pytest.mark.slow  # a pool of worker processes
def test_raid_curve_is_the_same_in_processes(curve: tuple[Path, dict[str, Any]]) -> None:
    same_curve(run_json(*CURVE, "--executor", "processes", "--workers", "2"), curve[1])


def test_raid_curve_resumes_after_lost_chunks(curve: tuple[Path, dict[str, Any]],
                                              tmp_path: Path, count_chunks: list[int]) -> None:
    chunks = tmp_path / "chunks"
    shutil.copytree(curve[0], chunks)
    lost = [chunks / "count-001" / "chunk-00002.parquet",
            chunks / "count-003" / "chunk-00000.parquet",
            chunks / "count-003" / "chunk-00003.parquet"]
    for f in lost:
        f.unlink()
    shutil.rmtree(chunks / "count-002")  # a raid size not started when it stopped
    got = run_json(*CURVE, "--resume", str(chunks))
    assert len(count_chunks) == len(lost) + 4
    assert len(chunk_files(chunks)) == CURVE_CHUNKS
    assert got["runner"]["resumed"] is True
    same_curve(got, curve[1])


_KILLED = """
import sys, time
from thaadsim.studies import montecarlo as mc

run = mc.EngagementTask.__call__

def slow(self, trials, seed):  # the same chunks, slowed so the curve is killed half-way
    time.sleep(0.3)
    return run(self, trials, seed)

mc.EngagementTask.__call__ = slow
from thaadsim.cli import main
sys.argv = ["thaadsim", *sys.argv[1:]]
main()
"""


@pytest.mark.slow  # a subprocess run, killed, then resumed
def test_killed_raid_curve_resumes_without_redoing_a_chunk(
        curve: tuple[Path, dict[str, Any]], tmp_path: Path, count_chunks: list[int]) -> None:
    chunks = tmp_path / "chunks"
    proc = subprocess.Popen([sys.executable, "-c", _KILLED, *CURVE, "--json", "--chunks-dir",
                             str(chunks)], stdout=subprocess.DEVNULL, env=dict(os.environ))
    # killed once a raid size is done and the next one begun
    sigkill_when(proc, lambda: len(chunk_files(chunks)) >= 6, 90,
                 "6 chunks were written")
    written = {f: f.stat().st_mtime_ns for f in chunk_files(chunks)}
    assert 6 <= len(written) < CURVE_CHUNKS
    got = run_json(*CURVE, "--resume", str(chunks))
    assert len(count_chunks) == CURVE_CHUNKS - len(written)
    assert all(f.stat().st_mtime_ns == t for f, t in written.items())
    assert len(chunk_files(chunks)) == CURVE_CHUNKS and not list(chunks.rglob(".*.tmp"))
    same_curve(got, curve[1])


def test_raid_curve_on_the_runner_matches_the_binomial_model(tmp_path: Path) -> None:
    trials = 400
    data = run_json("raid-curve", "--max-count", "8", "--trials", str(trials),
                    "--perfect-tracking", "--sspk", "0.8", "--fire-channels", "100",
                    "--doctrine", "salvo-2", "--seed", "2", "--pool", "10", "--chunk-size",
                    "100", "--executor", "inprocess")
    rows = data["curve"]
    count = np.array([r["count"] for r in rows])
    p_mc = np.array([r["p_no_leak"] for r in rows])
    analytic = np.array([r["analytic_p_no_leak"] for r in rows])
    assert list(count) == list(range(1, 9)) and data["volleys"] == [2]
    np.testing.assert_allclose([r["p_kill_per_shot"] for r in rows], 0.8, atol=1e-9)
    # salvo-2 at 0.8: (1 - 0.2^2)^N, the magazine (48) never runs out here
    np.testing.assert_allclose(analytic, 0.96 ** count, rtol=1e-12)
    low, high = wilson_interval(p_mc, trials, z=3.0)
    assert ((analytic >= low) & (analytic <= high)).all(), (p_mc, analytic)
    np.testing.assert_allclose([r["interceptors_used"] for r in rows], 2 * count)
    assert data["runner"] == {"executor": "inprocess", "workers": None, "scheduler": None,
                              "chunks_dir": None, "resumed": False, "chunk_size": 100}


def test_raid_curve_pool_zero_with_runner_options_is_refused(
        cli_error: Callable[..., str]) -> None:
    msg = cli_error(*CURVE[:-4], "--pool", "0", "--chunk-size", "50")
    assert msg.startswith("error: --pool: 0 (the radar and tracker in every trial) does not run")


def test_chunk_tables_rebuild_the_engagement_result() -> None:
    """The chunk tables with shots, put back together, are each chunk's
    :func:`~thaadsim.engagement.engage_prepared` result with its trials renumbered: the same threats
    table and the same shots (ordered by trial and threat), the raid's flight grid."""
    from test_montecarlo import scenario

    from thaadsim.engagement import engage_prepared, flight_grid, prepare

    raid, defense = scenario(3)
    raid = tuple(dataclasses.replace(th, launch_t_s=10.0 * i) for i, th in enumerate(raid))
    task = mc.EngagementTask(raid=raid, defense=defense, pool_size=20, shots=True)
    res = task.result(mc.run_chunks(task, 60, 5, chunk_trials=20, progress=False))
    prep = prepare(raid, defense, 20, mc.shared_seed(5))
    for got, want in zip(flight_grid(raid), (prep.t_grid, prep.y_grid), strict=True):
        np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(res.extra["t_grid"], prep.t_grid)
    np.testing.assert_array_equal(res.extra["y_grid"], prep.y_grid)
    key = ["trial", "threat", "battery", "shot"]
    for i, seed in enumerate(mc.chunk_seeds(5, 3)):
        want = engage_prepared(prep, 20, np.random.default_rng(seed))
        rows = slice(i * 20 * 3, (i + 1) * 20 * 3)
        for name, col in want.threats.items():
            col = col + i * 20 if name == "trial" else col
            np.testing.assert_array_equal(res.threats[name][rows], col, err_msg=name)
        mine = (res.shots["trial"] >= i * 20) & (res.shots["trial"] < (i + 1) * 20)
        got_shots = pd.DataFrame({k: v[mine] for k, v in res.shots.items()})
        got_shots["trial"] -= i * 20
        assert_frame_equal(got_shots.sort_values(key).reset_index(drop=True),
                           pd.DataFrame(want.shots).sort_values(key).reset_index(drop=True))
    assert res.trials == 60 and res.interceptors_used > 0
