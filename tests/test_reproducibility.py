"""Reproducibility (issue 7): a result depends on the scenario and the seed alone.

* the same built-in scenario and seed, run twice in one process, give identical tables and
  byte-identical Parquet files and ``summary.json``;
* the chunked Monte Carlo runner gives the same table, to the byte once written as Parquet,
  in-process, in a process pool of 1, 2 and 3 workers and on a Dask ``LocalCluster`` of 1
  and 2 workers (tests/test_montecarlo.py compares the executors at 2 workers as frames);
* ``summary.json`` records what a reader needs to reproduce a published result: the thaadsim
  version, the scenario's SHA-256, the seed, the trials and the versions of the numerical
  dependencies.
"""

from __future__ import annotations

import hashlib
import json
import platform
from importlib.metadata import version
from pathlib import Path

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal
from test_montecarlo import scenario as mc_scenario

import thaadsim
from thaadsim.report.exports import json_safe, write_tables
from thaadsim.run import NUMERICAL_DEPENDENCIES, RunOutput, run_engagement
from thaadsim.scenario import load_scenario
from thaadsim.studies import montecarlo as mc

SCENARIO, TRIALS, SEED = "layered", 12, 11


@pytest.fixture(scope="module")
def twice() -> tuple[RunOutput, RunOutput]:
    scn = load_scenario(SCENARIO)
    return (run_engagement(**scn.to_run_kwargs(trials=TRIALS, seed=SEED)),
            run_engagement(**scn.to_run_kwargs(trials=TRIALS, seed=SEED)))


@pytest.mark.slow  # two whole runs of a built-in scenario
def test_same_scenario_and_seed_give_identical_tables(twice: tuple[RunOutput, RunOutput],
                                                      tmp_path: Path) -> None:
    a, b = twice
    assert_frame_equal(a.threats_frame(), b.threats_frame())
    assert_frame_equal(a.shots_frame(), b.shots_frame())
    assert len(a.shots_frame()) > 0
    paths_a = write_tables(a, tmp_path / "a")
    paths_b = write_tables(b, tmp_path / "b")
    for pa, pb in zip(paths_a, paths_b, strict=True):
        assert pa.name == pb.name
        assert pa.read_bytes() == pb.read_bytes(), pa.name


def test_a_different_seed_changes_the_draws(twice: tuple[RunOutput, RunOutput]) -> None:
    other = run_engagement(**load_scenario(SCENARIO).to_run_kwargs(trials=TRIALS,
                                                                   seed=SEED + 1))
    assert not twice[0].threats_frame().equals(other.threats_frame())


def test_summary_json_records_provenance(twice: tuple[RunOutput, RunOutput],
                                         tmp_path: Path) -> None:
    out = twice[0]
    path = next(p for p in write_tables(out, tmp_path) if p.name == "summary.json")
    loaded = json.loads(path.read_text())
    assert loaded == json_safe(out.summary())
    assert loaded["thaadsim_version"] == thaadsim.__version__
    assert loaded["seed"] == SEED and loaded["trials"] == TRIALS
    assert out.scenario_text
    assert loaded["scenario_sha256"] == hashlib.sha256(
        out.scenario_text.encode("utf-8")).hexdigest()
    deps = loaded["dependencies"]
    assert set(deps) == {*NUMERICAL_DEPENDENCIES, "python"}
    assert deps["python"] == platform.python_version()
    for name in NUMERICAL_DEPENDENCIES:
        assert deps[name] == version(name)


def test_scenario_hash_without_text_follows_the_inputs(twice: tuple[RunOutput, RunOutput]
                                                       ) -> None:
    """A run built in Python (no YAML) hashes its raid, defense and band: stable for the same
    inputs, different for other inputs."""
    import dataclasses

    a, b = (dataclasses.replace(o, scenario_text="") for o in twice)
    assert a.scenario_sha256() == b.scenario_sha256()
    moved = dataclasses.replace(a, band_m=(41e3, 150e3))
    assert moved.scenario_sha256() != a.scenario_sha256()
    assert a.scenario_sha256() != twice[0].scenario_sha256()


# The Monte Carlo runner: 6 chunks, so that 1, 2 and 3 workers finish them in different orders.
MC_TRIALS, MC_CHUNK, MC_POOL, MC_SEED = 300, 50, 30, 5


@pytest.fixture(scope="module")
def mc_task() -> mc.EngagementTask:
    raid, defense = mc_scenario(3)
    return mc.EngagementTask(raid=raid, defense=defense, pool_size=MC_POOL)


def _run(task: mc.EngagementTask, executor: str, workers: int | None) -> pd.DataFrame:
    return mc.run_chunks(task, MC_TRIALS, MC_SEED, chunk_trials=MC_CHUNK, executor=executor,
                         workers=workers, progress=False)


def _parquet_bytes(frame: pd.DataFrame, path: Path) -> bytes:
    frame.to_parquet(path, engine="pyarrow", index=False)
    return path.read_bytes()


@pytest.fixture(scope="module")
def mc_reference(mc_task: mc.EngagementTask) -> pd.DataFrame:
    return _run(mc_task, "inprocess", None)


def _assert_bit_identical(got: pd.DataFrame, ref: pd.DataFrame, tmp_path: Path) -> None:
    assert_frame_equal(got, ref)
    assert (pd.util.hash_pandas_object(got, index=True).to_numpy()
            == pd.util.hash_pandas_object(ref, index=True).to_numpy()).all()
    assert _parquet_bytes(got, tmp_path / "got.parquet") == _parquet_bytes(
        ref, tmp_path / "ref.parquet")


@pytest.mark.slow  # pools of worker processes
@pytest.mark.parametrize("workers", [1, 2, 3])
def test_process_pool_bit_identical_across_worker_counts(
        mc_task: mc.EngagementTask, mc_reference: pd.DataFrame, workers: int,
        tmp_path: Path) -> None:
    assert len(mc_reference) == MC_TRIALS * 3
    _assert_bit_identical(_run(mc_task, "processes", workers), mc_reference, tmp_path)


@pytest.mark.slow  # Dask LocalClusters
@pytest.mark.parametrize("workers", [1, 2])
def test_dask_bit_identical_across_worker_counts(
        mc_task: mc.EngagementTask, mc_reference: pd.DataFrame, workers: int,
        tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    _assert_bit_identical(_run(mc_task, "dask", workers), mc_reference, tmp_path)


def test_scenario_hash_records_the_sensors_added_on_the_command_line(
        twice: tuple[RunOutput, RunOutput]) -> None:
    """``thaadsim run --sensor``: the file's text is the same, the defense is not, so the
    hash covers a canonical line per added sensor (listed in the summary's
    ``added_sensors``): two runs with different sensors never share a hash, the same
    sensors give the same hash, and the plain file keeps the file's hash."""
    import dataclasses

    from thaadsim.systems.sensors import sensor_at, with_power

    scn = load_scenario(SCENARIO)
    fwd = sensor_at("shariki", "forward-based")

    def hashed(*sensors: object) -> tuple[str, list[str]]:
        kw = scn.with_sensors(sensors).to_run_kwargs()  # type: ignore[arg-type]
        out = dataclasses.replace(twice[0], defense=kw["defense"],
                                  added_sensors=kw["added_sensors"])
        return out.scenario_sha256(), out.summary()["added_sensors"]

    plain, none = hashed()
    assert none == [] and plain == twice[0].scenario_sha256()
    one, lines = hashed(fwd)
    assert len(lines) == 1 and lines[0].startswith("--sensor shariki:forward-based:")
    keys = {plain, one, hashed(fwd, fwd)[0], hashed(with_power(fwd, 0.25))[0],
            hashed(dataclasses.replace(fwd, emplacement=dataclasses.replace(
                fwd.emplacement, boresight_deg=200.0)))[0]}
    assert len(keys) == 5
    assert hashed(sensor_at("shariki", "forward-based"))[0] == one
