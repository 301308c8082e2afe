"""The Monte Carlo runner: a result depends on the seed alone (DESIGN, randomness).

* the same run in-process, in two local processes and on a real Dask ``LocalCluster`` (two
  worker processes on loopback, started here) gives identical tables;
* a run killed half-way (SIGKILL) and resumed gives the same table as an uninterrupted run,
  and redoes no chunk that was written;
* a folder holding another run is refused with a clear message;
* the two-level Monte Carlo reduces to :func:`thaadsim.engagement.simulate` when the pool
  holds every trial's own tracking outcome (no resampling): identical tables.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from process_helpers import sigkill_when

from thaadsim.engagement import Defense, RaidThreat, engage_prepared, prepare, simulate
from thaadsim.errors import InputError
from thaadsim.studies import montecarlo as mc
from thaadsim.studies.raid import standard_defense
from thaadsim.systems.catalog import get_missile, get_site

TRIALS, CHUNK, POOL, SEED = 400, 100, 50, 7


def scenario(count: int = 4) -> tuple[tuple[RaidThreat, ...], Defense]:
    """``count`` Scud-C from Pyongyang at Seongju, its battery firing salvo-2."""
    launch, aim = get_site("pyongyang"), get_site("seongju")
    defense = standard_defense("seongju", "salvo-2", (aim.lat_deg, aim.lon_deg),
                               (launch.lat_deg, launch.lon_deg), asset_radius_km=10.0)
    threat = RaidThreat(missile=get_missile("scud-c"), launch_lat_deg=launch.lat_deg,
                        launch_lon_deg=launch.lon_deg, aim_lat_deg=aim.lat_deg,
                        aim_lon_deg=aim.lon_deg)
    return (threat,) * count, defense


@pytest.fixture(scope="module")
def task() -> mc.EngagementTask:
    raid, defense = scenario()
    return mc.EngagementTask(raid=raid, defense=defense, pool_size=POOL)


@pytest.fixture(scope="module")
def reference(task: mc.EngagementTask) -> pd.DataFrame:
    return mc.run_chunks(task, TRIALS, SEED, chunk_trials=CHUNK, progress=False)


def test_reference_is_a_full_table(reference: pd.DataFrame) -> None:
    assert len(reference) == TRIALS * 4
    assert (reference["trial"].to_numpy() == np.repeat(np.arange(TRIALS), 4)).all()
    # the chunks drew different samples of the pool (independent streams)
    per_chunk = reference["pool_sample"].to_numpy().reshape(TRIALS // CHUNK, -1)
    assert len({tuple(row) for row in per_chunk}) == TRIALS // CHUNK
    assert set(reference["outcome"]) <= {"intercepted", "leaked", "not engaged"}


@pytest.mark.slow  # a pool of worker processes
def test_processes_give_the_same_result(task: mc.EngagementTask,
                                        reference: pd.DataFrame) -> None:
    got = mc.run_chunks(task, TRIALS, SEED, chunk_trials=CHUNK, executor="processes",
                        workers=2, progress=False)
    pd.testing.assert_frame_equal(got, reference)


@pytest.mark.slow  # a Dask LocalCluster of 2 worker processes
def test_dask_local_cluster_gives_the_same_result(task: mc.EngagementTask,
                                                  reference: pd.DataFrame) -> None:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster:
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
        got = mc.run_chunks(task, TRIALS, SEED, chunk_trials=CHUNK,
                            scheduler=cluster.scheduler_address, progress=False)
    pd.testing.assert_frame_equal(got, reference)


def test_a_different_seed_gives_a_different_result(task: mc.EngagementTask,
                                                   reference: pd.DataFrame) -> None:
    other = mc.run_chunks(task, TRIALS, SEED + 1, chunk_trials=CHUNK, progress=False)
    assert not other["pool_sample"].equals(reference["pool_sample"])


_KILLED_RUN = """
import sys, time
from test_montecarlo import scenario
from thaadsim.studies import montecarlo as mc

class Slow(mc.EngagementTask):
    # the same task (same manifest, same draws), slowed so the run is killed half-way
    def __call__(self, trials, seed):
        time.sleep(0.4)
        return super().__call__(trials, seed)

raid, defense = scenario()
mc.run_chunks(Slow(raid=raid, defense=defense, pool_size={pool}), {trials}, {seed},
              chunk_trials={chunk}, out_dir=sys.argv[1], progress=False)
"""


@pytest.mark.slow  # a subprocess run, killed, then resumed
def test_killed_run_resumes_to_the_same_result(tmp_path: Path, task: mc.EngagementTask,
                                               reference: pd.DataFrame) -> None:
    out = tmp_path / "run"
    code = _KILLED_RUN.format(pool=POOL, trials=TRIALS, seed=SEED, chunk=CHUNK)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(Path(__file__).parent), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen([sys.executable, "-c", code, str(out)], env=env)
    sigkill_when(proc, lambda: bool(list(out.glob("chunk-*.parquet"))), 60,
                 "a chunk was written")
    written = {f.name: f.stat().st_mtime_ns for f in out.glob("chunk-*.parquet")}
    assert 1 <= len(written) < TRIALS // CHUNK, written
    assert (out / mc.MANIFEST).exists()

    calls: list[int] = []

    @dataclasses.dataclass(frozen=True, kw_only=True)
    class Counting(mc.EngagementTask):
        def __call__(self, trials: int, seed: np.random.SeedSequence) -> pd.DataFrame:
            calls.append(trials)
            return super().__call__(trials, seed)

    resumed = mc.run_chunks(Counting(raid=task.raid, defense=task.defense, pool_size=POOL),
                            TRIALS, SEED, chunk_trials=CHUNK, out_dir=out, resume=True,
                            progress=False)
    pd.testing.assert_frame_equal(resumed, reference)
    # nothing that finished was redone or rewritten
    assert len(calls) == TRIALS // CHUNK - len(written)
    assert all(out.joinpath(name).stat().st_mtime_ns == t for name, t in written.items())
    assert len(list(out.glob("chunk-*.parquet"))) == TRIALS // CHUNK
    assert not list(out.glob(".*.tmp"))
    # resuming a complete run reads it back, redoing nothing
    again = mc.run_chunks(Counting(raid=task.raid, defense=task.defense, pool_size=POOL),
                          TRIALS, SEED, chunk_trials=CHUNK, out_dir=out, resume=True,
                          progress=False)
    assert len(calls) == TRIALS // CHUNK - len(written)
    pd.testing.assert_frame_equal(again, reference)


def test_a_mismatched_manifest_is_refused(tmp_path: Path, task: mc.EngagementTask) -> None:
    out = tmp_path / "run"
    mc.run_chunks(task, 200, SEED, chunk_trials=CHUNK, out_dir=out, progress=False)
    with pytest.raises(InputError, match=r"describes another run \(differs in seed\)"):
        mc.run_chunks(task, 200, SEED + 1, chunk_trials=CHUNK, out_dir=out, resume=True,
                      progress=False)
    with pytest.raises(InputError, match="chunk_trials"):
        mc.run_chunks(task, 200, SEED, chunk_trials=50, out_dir=out, resume=True,
                      progress=False)
    other = dataclasses.replace(task, defense=dataclasses.replace(task.defense,
                                                                  doctrine="salvo-1"))
    with pytest.raises(InputError, match="differs in task"):
        mc.run_chunks(other, 200, SEED, chunk_trials=CHUNK, out_dir=out, resume=True,
                      progress=False)
    with pytest.raises(InputError, match="holds a Monte Carlo run already"):
        mc.run_chunks(task, 200, SEED, chunk_trials=CHUNK, out_dir=out, progress=False)


def test_bad_options_are_refused(task: mc.EngagementTask) -> None:
    with pytest.raises(InputError, match="executor"):
        mc.run_chunks(task, 10, 0, executor="threads", progress=False)
    with pytest.raises(InputError, match="resume"):
        mc.run_chunks(task, 10, 0, resume=True, progress=False)
    with pytest.raises(InputError, match="chunk_trials"):
        mc.run_chunks(task, 10, 0, chunk_trials=0, progress=False)


def test_pool_without_resampling_is_simulate() -> None:
    """With distinct threats, a pool of one tracking outcome per trial and the identity
    sample, :func:`engage` is :func:`simulate` (same streams): identical tables."""
    raid, defense = scenario(3)
    raid = tuple(dataclasses.replace(th, launch_t_s=15.0 * i) for i, th in enumerate(raid))
    trials, seed = 12, 3
    want = simulate(raid, defense, trials=trials, seed=seed)
    got = engage_prepared(prepare(raid, defense, pool=trials, seed=seed), trials,
                 np.random.default_rng(np.random.SeedSequence(seed).spawn(2)[1]),
                 sample=np.repeat(np.arange(trials)[:, None], len(raid), axis=1))
    assert set(got.threats) == set(want.threats) and set(got.shots) == set(want.shots)
    assert len(want.shots["trial"]) > 0  # shots were fired: their columns compare something
    for name, col in want.threats.items():
        assert np.array_equal(col, got.threats[name], equal_nan=col.dtype.kind == "f"), name
    for name, col in want.shots.items():
        assert np.array_equal(col, got.shots[name], equal_nan=col.dtype.kind == "f"), name


def test_run_engagement_summary(task: mc.EngagementTask, reference: pd.DataFrame) -> None:
    run = mc.run_pooled_engagement(task.raid, task.defense, TRIALS, SEED, pool_size=POOL,
                            runner=mc.RunnerOptions(chunk_size=CHUNK), progress=False)
    pd.testing.assert_frame_equal(run.frame, reference)
    leaked = (reference["hits_asset"] & (reference["outcome"] != "intercepted")).to_numpy()
    leaked = leaked.reshape(TRIALS, 4)
    assert run.expected_leakers == pytest.approx(leaked.sum(1).mean())
    assert run.p_no_leak == pytest.approx((~leaked.any(1)).mean())
    assert run.interceptors_used == pytest.approx(reference["interceptors"].sum() / TRIALS)
    assert 0.0 <= run.p_no_leak <= 1.0
