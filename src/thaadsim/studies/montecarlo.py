r"""The Monte Carlo runner: trials split into chunks, run in-process, in local processes or
on a Dask cluster, each finished chunk written to Parquet at once, resumable.

Randomness (DESIGN): a run of ``n_trials`` with seed ``seed`` is cut into chunks of
``chunk_trials`` trials (the last may be shorter); chunk ``i`` draws from its own stream,
``SeedSequence(seed).spawn(n_chunks)[i]``, and the chunks' tables are concatenated in chunk
order. The result therefore depends on ``(seed, n_trials, chunk_trials)`` alone, not on the
executor, the number of workers or the order in which chunks finish; ``chunk_trials`` is part
of the definition of the streams (the same trials cut differently draw differently) and is
recorded in the manifest.

Executors:

* ``"inprocess"`` (default): a loop in this process;
* ``"processes"``: a :class:`concurrent.futures.ProcessPoolExecutor` of ``workers`` local
  processes (spawned, so it behaves the same on every platform); the prepared task is sent
  to each worker once;
* ``"dask"``: Dask distributed, on the cluster at ``scheduler`` (``tcp://HOST:PORT``) or on a
  :class:`distributed.LocalCluster` of ``workers`` processes started (on loopback) for the
  run and closed after it; the prepared task is scattered to the workers once. Remote
  workers need the same thaadsim installed.

With ``out_dir`` each chunk's table is written as soon as it is back, atomically (a
temporary file renamed into place), as ``out_dir/chunk-00012.parquet``, beside a
``manifest.json`` (task, seed, trials, chunk size). ``resume=True`` continues an
interrupted run in ``out_dir``: chunks whose file exists are read, not redone, and a
manifest that describes another run is refused. Writing happens in this (the client)
process, so Dask workers need no shared file system.

A task is a picklable callable ``task(trials, seed_sequence) -> pandas.DataFrame`` with a
``describe() -> dict`` (JSON, for the manifest) and optionally ``prepare(seed) -> task``,
called once in this process before any chunk (work shared by every chunk, which must depend
on the run's seed only). A ``trial`` column, numbered from 0 in each chunk, is renumbered
across the run. :class:`EngagementTask` runs a raid against a defense with the two-level
Monte Carlo of :func:`thaadsim.engagement.prepare` / :func:`thaadsim.engagement.engage`;
with ``shots=True`` its chunk files keep every interceptor fired, and
:meth:`EngagementTask.result` rebuilds from them the :class:`thaadsim.engagement.Result` of
the whole run (what ``thaadsim run``'s report and ``thaadsim raid-curve``'s figures read).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import multiprocessing
import os
import sys
import tempfile
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd

from thaadsim.engagement import (
    Defense,
    Prepared,
    RaidThreat,
    Result,
    engage,
    expected_leakers,
    flight_grid,
    leaked,
    p_no_leak,
    prepare,
)
from thaadsim.errors import InputError
from thaadsim.outputs import check_chunks_dir
from thaadsim.systems import fire_control as fc

EXECUTORS = ("inprocess", "processes", "dask")
DEFAULT_CHUNK_TRIALS = 5_000
DEFAULT_POOL_SIZE = 200
MANIFEST = "manifest.json"
_FORMAT = 1
_POOL_TAG = 0x706F6F6C  # "pool": the run-wide stream of a task's shared work


class Task(Protocol):
    """What the runner runs: one chunk of trials from one random stream."""

    def __call__(self, trials: int, seed: np.random.SeedSequence) -> pd.DataFrame: ...

    def describe(self) -> dict[str, Any]: ...


# A task may also name its work units for the progress bar (``unit = "grid cells"``;
# default "trials").


def shared_seed(seed: int) -> np.random.SeedSequence:
    """The stream of a task's work shared by every chunk (e.g. a tracking pool): derived from
    the run's seed alone and independent of every chunk's stream."""
    return np.random.SeedSequence([int(seed), _POOL_TAG])


def chunk_seeds(seed: int, n_chunks: int) -> list[np.random.SeedSequence]:
    """Chunk ``i``'s stream: ``SeedSequence(seed).spawn(n_chunks)[i]``."""
    return np.random.SeedSequence(int(seed)).spawn(n_chunks)


def chunk_file(out_dir: str | Path, index: int) -> Path:
    return Path(out_dir) / f"chunk-{index:05d}.parquet"


# --------------------------------------------------------------------------------------------
# The runner
# --------------------------------------------------------------------------------------------


def run_chunks(
    task: Task,
    n_trials: int,
    seed: int,
    *,
    chunk_trials: int = DEFAULT_CHUNK_TRIALS,
    executor: str = "inprocess",
    workers: int | None = None,
    scheduler: str | None = None,
    out_dir: str | Path | None = None,
    resume: bool = False,
    progress: bool = True,
    label: str = "Monte Carlo",
) -> pd.DataFrame:
    """Run ``n_trials`` trials of ``task`` in chunks (module docstring) and return their
    tables concatenated in chunk order.

    Parameters
    ----------
    executor : {"inprocess", "processes", "dask"}
        Where chunks run; ``"dask"`` is implied by ``scheduler``.
    workers : int, optional
        Local worker processes (``"processes"``, or the LocalCluster ``"dask"`` starts);
        default: the CPU count.
    scheduler : str, optional
        Address of a running Dask scheduler, ``tcp://HOST:PORT``.
    out_dir : path, optional
        Folder of the chunk files and the manifest (created if missing).
    resume : bool
        Continue the run in ``out_dir``, redoing no chunk whose file exists.
    progress : bool
        A Rich progress bar with the time left, on stderr.
    label : str
        What the progress bar says is running (e.g. which raid size of a study).
    """
    if not 1 <= n_trials <= 1_000_000_000:
        raise InputError(f"trials: {n_trials!r} must lie in 1..1000000000")
    if not 1 <= chunk_trials <= 10_000_000:
        raise InputError(f"chunk-trials: {chunk_trials!r} must lie in 1..10000000")
    if scheduler is not None:
        executor = "dask"
    if executor not in EXECUTORS:
        raise InputError(f"executor: unknown {executor!r}; allowed: {', '.join(EXECUTORS)}")
    if workers is not None and workers < 1:
        raise InputError(f"workers: {workers!r} must be at least 1")
    if resume and out_dir is None:
        raise InputError("resume: needs the folder of the interrupted run (out_dir)")
    n_chunks = -(-n_trials // chunk_trials)
    sizes = [min(chunk_trials, n_trials - i * chunk_trials) for i in range(n_chunks)]
    seeds = chunk_seeds(seed, n_chunks)
    done: set[int] = set()
    if out_dir is not None:
        manifest = {"format": _FORMAT, "task": task.describe(), "seed": int(seed),
                    "n_trials": int(n_trials), "chunk_trials": int(chunk_trials),
                    "n_chunks": n_chunks}
        done = _open_out_dir(Path(out_dir), manifest, resume)
    todo = [i for i in range(n_chunks) if i not in done]
    frames: dict[int, pd.DataFrame] = {}
    with _progress(progress, n_trials, f"{label} ({n_chunks} chunks)",
                   getattr(task, "unit", "trials")) as advance:
        advance(sum(sizes[i] for i in done))
        if todo:
            ready = task.prepare(seed) if hasattr(task, "prepare") else task
            for i, frame in _execute(ready, todo, sizes, seeds, executor, workers, scheduler):
                frame = _renumber(frame, i * chunk_trials)
                if out_dir is not None:
                    _write_atomic(frame, chunk_file(out_dir, i))
                frames[i] = frame
                advance(sizes[i])
    for i in sorted(done):
        frames[i] = pd.read_parquet(chunk_file(out_dir, i))  # type: ignore[arg-type]
    return pd.concat([frames[i] for i in range(n_chunks)], ignore_index=True)


def _renumber(frame: pd.DataFrame, start: int) -> pd.DataFrame:
    frame = frame.reset_index(drop=True)
    if "trial" in frame.columns and start:
        frame["trial"] = frame["trial"] + start
    return frame


def _open_out_dir(out_dir: Path, manifest: dict[str, Any], resume: bool) -> set[int]:
    """Check or write the manifest; the chunks already done (resume)."""
    path = out_dir / MANIFEST
    # the manifest is compared as it reads back from JSON
    manifest = json.loads(json.dumps(manifest))
    existing = sorted(out_dir.glob("chunk-*.parquet")) if out_dir.is_dir() else []
    if path.exists():
        if not resume:
            raise InputError(f"{out_dir}: holds a Monte Carlo run already; resume it (--resume)"
                             " or choose another folder")
        try:
            old = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            raise InputError(f"{path}: unreadable manifest ({exc})") from None
        if old != manifest:
            diff = sorted(k for k in set(old) | set(manifest) if old.get(k) != manifest.get(k))
            raise InputError(f"{path}: describes another run (differs in {', '.join(diff)}); "
                             "resume with the same scenario, seed, trials and chunk size")
    else:
        if existing:
            raise InputError(f"{out_dir}: has chunk files but no {MANIFEST}; cannot resume it")
        out_dir.mkdir(parents=True, exist_ok=True)
        _write_text_atomic(path, json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    n = manifest["n_chunks"]
    done = set()
    for f in existing:
        try:
            i = int(f.stem.split("-")[1])
        except ValueError:
            continue
        if 0 <= i < n:
            done.add(i)
    return done


def _write_atomic(frame: pd.DataFrame, path: Path) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        frame.to_parquet(tmp, index=False)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _write_text_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    with os.fdopen(fd, "w") as fh:
        fh.write(text)
    os.replace(tmp, path)


@contextmanager
def _progress(enabled: bool, total: int, what: str, unit: str = "trials"
              ) -> Iterator[Callable[[int], None]]:
    if not enabled:
        yield lambda k: None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    with Progress(TextColumn("[progress.description]{task.description}"), BarColumn(),
                  MofNCompleteColumn(), TextColumn(unit), TimeElapsedColumn(),
                  TextColumn("left"), TimeRemainingColumn(),
                  console=Console(stderr=True), transient=False) as bar:
        job = bar.add_task(what, total=total)
        yield lambda k: bar.advance(job, k)


# --------------------------------------------------------------------------------------------
# Executors: each yields (chunk index, table) as chunks finish
# --------------------------------------------------------------------------------------------


def _execute(task: Task, todo: Sequence[int], sizes: Sequence[int],
             seeds: Sequence[np.random.SeedSequence], executor: str, workers: int | None,
             scheduler: str | None) -> Iterator[tuple[int, pd.DataFrame]]:
    if executor == "inprocess":
        for i in todo:
            yield i, task(sizes[i], seeds[i])
    elif executor == "processes":
        yield from _execute_processes(task, todo, sizes, seeds, workers)
    else:
        yield from _execute_dask(task, todo, sizes, seeds, workers, scheduler)


_WORKER_TASK: Any = None


def _install(task: Task) -> None:
    global _WORKER_TASK
    _WORKER_TASK = task


def _run_installed(trials: int, seed: np.random.SeedSequence) -> pd.DataFrame:
    return _WORKER_TASK(trials, seed)


def _execute_processes(task: Task, todo: Sequence[int], sizes: Sequence[int],
                       seeds: Sequence[np.random.SeedSequence],
                       workers: int | None) -> Iterator[tuple[int, pd.DataFrame]]:
    n = min(workers or os.cpu_count() or 1, len(todo))
    with ProcessPoolExecutor(max_workers=n, mp_context=multiprocessing.get_context("spawn"),
                             initializer=_install, initargs=(task,)) as pool:
        # keep a bounded number of chunks in flight, so results stream back in order of work
        pending: dict[Any, int] = {}
        queue = list(todo)
        while queue or pending:
            while queue and len(pending) < 2 * n:
                i = queue.pop(0)
                pending[pool.submit(_run_installed, sizes[i], seeds[i])] = i
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in sorted(finished, key=lambda f: pending[f]):
                yield pending.pop(fut), fut.result()


def _call(task: Task, trials: int, seed: np.random.SeedSequence) -> pd.DataFrame:
    return task(trials, seed)


def _execute_dask(task: Task, todo: Sequence[int], sizes: Sequence[int],
                  seeds: Sequence[np.random.SeedSequence], workers: int | None,
                  scheduler: str | None) -> Iterator[tuple[int, pd.DataFrame]]:
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:  # pragma: no cover - a dependency, but say what is missing
        raise InputError("dask: the Dask executor needs 'distributed' installed") from None
    cluster = None
    if scheduler is None:
        cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1, processes=True,
                               threads_per_worker=1, host="127.0.0.1",
                               dashboard_address=None)
        client = Client(cluster)
    else:
        try:
            client = Client(scheduler, timeout=30)
        except OSError as exc:
            raise InputError(f"scheduler: cannot reach {scheduler!r} ({exc})") from None
    try:
        shared = client.scatter(task, broadcast=True, hash=False)
        run = uuid.uuid4().hex[:12]
        futures = {client.submit(_call, shared, sizes[i], seeds[i],
                                 key=f"thaadsim-chunk-{run}-{i:05d}"): i for i in todo}
        for fut in as_completed(list(futures)):
            yield futures[fut], fut.result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


# --------------------------------------------------------------------------------------------
# The command line's choice of executor and folder
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class RunnerOptions:
    """Where and how a study's chunks run: the command line's ``--executor``, ``--workers``,
    ``--scheduler``, ``--chunks-dir``, ``--resume`` and ``--chunk-size``, in one place for
    every command that uses the runner (``run``, ``raid``, ``raid-curve``, ``footprint``,
    ``sensitivity``).

    ``workers`` alone starts a local Dask cluster of that many processes (or, with
    ``executor="processes"``, a pool of local processes); ``scheduler`` runs on a running
    Dask cluster; otherwise chunks run in this process. ``resume`` is the folder of an
    interrupted run to continue; ``chunks_dir`` the folder of a new run. ``chunk_size`` is
    the number of work units (trials, grid cells, model runs) per chunk; ``None`` takes the
    interrupted run's on ``resume``, else the task's default.
    """

    executor: str | None = None
    workers: int | None = None
    scheduler: str | None = None
    chunks_dir: str | None = None
    resume: str | None = None
    chunk_size: int | None = None
    part: bool = False
    """A run inside a study's folder (:meth:`within`): its folder may not exist yet."""

    def __post_init__(self) -> None:
        if not self.part:  # a study's part lies in a folder checked already
            if self.resume is not None:
                check_chunks_dir(self.resume, "--resume", must_exist=True)
            if self.chunks_dir is not None:
                check_chunks_dir(self.chunks_dir, "--chunks-dir")
        if self.executor is not None and self.executor not in EXECUTORS:
            raise InputError(f"--executor: unknown {self.executor!r}; allowed: "
                             f"{', '.join(EXECUTORS)}")
        if self.workers is not None and self.workers < 1:
            raise InputError(f"--workers: {self.workers!r} must be at least 1")
        if self.chunk_size is not None and not 1 <= self.chunk_size <= 10_000_000:
            raise InputError(f"--chunk-size: {self.chunk_size!r} must lie in 1..10000000")
        if (self.resume is not None and self.chunks_dir is not None
                and Path(self.resume) != Path(self.chunks_dir)):
            raise InputError("--resume: give either the folder to resume or --chunks-dir for "
                             "a new run, not both")

    @property
    def chosen(self) -> bool:
        """Whether any option asks for the chunked runner."""
        return any(v is not None for v in (self.executor, self.workers, self.scheduler,
                                           self.chunks_dir, self.resume, self.chunk_size))

    @property
    def folder(self) -> Path | None:
        """The folder of the chunk files (of the run resumed, or of a new run)."""
        folder = self.resume if self.resume is not None else self.chunks_dir
        return Path(folder) if folder is not None else None

    def resolved_executor(self) -> str:
        if self.scheduler is not None:
            return "dask"
        if self.executor is not None:
            return self.executor
        return "dask" if self.workers is not None else "inprocess"

    def within(self, name: str) -> RunnerOptions:
        """The same options with the folder ``name`` inside this one's (a study made of
        several runs, e.g. one per raid size, keeps each run's chunks apart)."""
        return dataclasses.replace(
            self, chunks_dir=str(Path(self.chunks_dir) / name) if self.chunks_dir else None,
            resume=str(Path(self.resume) / name) if self.resume else None, part=True)

    def run(self, task: Task, n_units: int, seed: int, *, default_chunk: int,
            progress: bool = True, label: str = "Monte Carlo") -> pd.DataFrame:
        """:func:`run_chunks` with these options (``resume`` continues only a folder that
        holds a run; a missing sub-run of a study is started there)."""
        folder = self.folder
        resume = (self.resume is not None and folder is not None
                  and (folder / MANIFEST).exists())
        return run_chunks(task, n_units, seed, chunk_trials=self.chunk_trials(default_chunk),
                          executor=self.resolved_executor(), workers=self.workers,
                          scheduler=self.scheduler, out_dir=folder, resume=resume,
                          progress=progress and sys.stderr is not None, label=label)

    def chunk_trials(self, default_chunk: int) -> int:
        """The chunk size :meth:`run` uses (part of what its result depends on): the one
        given, else, on ``--resume``, the interrupted run's (from its manifest), else the
        task's default."""
        if self.chunk_size is not None:
            return self.chunk_size
        folder = self.folder
        if self.resume is not None and folder is not None and (folder / MANIFEST).exists():
            try:
                recorded = json.loads((folder / MANIFEST).read_text()).get("chunk_trials")
            except (OSError, ValueError, AttributeError):
                recorded = None  # run_chunks reports an unreadable manifest
            if isinstance(recorded, int) and recorded >= 1:
                return recorded
        return default_chunk

    def describe(self) -> dict[str, Any]:
        """The options as JSON, for a command's output."""
        folder = self.folder
        return {"executor": self.resolved_executor(), "workers": self.workers,
                "scheduler": self.scheduler, "chunks_dir": str(folder) if folder else None,
                "resumed": self.resume is not None, "chunk_size": self.chunk_size}


def tracking_pool(pool: int | None, runner: RunnerOptions | None) -> int | None:
    """The tracking pool an engagement command runs with: ``pool`` samples per distinct
    threat, resampled by the trials on the runner; ``None`` (not given) is
    :data:`DEFAULT_POOL_SIZE` when ``runner`` asks for the runner, else none; 0 is none
    (the radar and tracker in every trial), which the runner cannot do."""
    chosen = runner is not None and runner.chosen
    if pool is None:
        return DEFAULT_POOL_SIZE if chosen else None
    if not 0 <= pool <= 1_000_000:
        raise InputError(f"--pool: {pool!r} must lie in 0..1000000 (0: the radar and tracker "
                         "in every trial)")
    if pool == 0 and chosen:
        raise InputError("--pool: 0 (the radar and tracker in every trial) does not run on "
                         "the Monte Carlo runner, which resamples a pool of tracking outcomes; "
                         "give --pool N >= 1 or leave out the Runner options")
    return pool or None


def sampling(pool: int | None, chunk_trials: int | None) -> dict[str, Any]:
    """How a run's trials sampled tracking, as JSON: ``per-trial`` (``pool`` None: the
    radar and tracker in every trial, :func:`thaadsim.engagement.simulate`) or ``pooled``
    (``pool`` tracking outcomes per distinct threat resampled by the trials on the runner,
    in chunks of ``chunk_trials``; the result depends on the seed, the trials, the pool and
    the chunk size)."""
    if pool is None:
        return {"tracking": "per-trial", "pool_size": None, "chunk_trials": None}
    return {"tracking": "pooled", "pool_size": pool, "chunk_trials": chunk_trials}


# --------------------------------------------------------------------------------------------
# The engagement as a task
# --------------------------------------------------------------------------------------------


_PREPARED: OrderedDict[tuple[str, str], Prepared] = OrderedDict()
"""Prepared raids of this process (a few), by task digest and pool seed."""


@dataclass(frozen=True, kw_only=True)
class EngagementTask:
    """A raid against a defense, with a pool of ``pool_size`` tracking outcomes per
    distinct threat (:func:`thaadsim.engagement.engage` gives the statistical meaning).

    The pool is drawn from :func:`shared_seed` of the run's seed, so every chunk, wherever
    it runs, resamples the same pool. :meth:`prepare` builds it once in the runner's process
    and the executors ship it to their workers; a task called without it builds it (once per
    process) from the chunk's stream's entropy, which is the run's seed.

    Each chunk's table has one row per trial and threat: the columns of
    :attr:`thaadsim.engagement.Result.threats` (text columns as categoricals) plus
    ``interceptors`` (fired at that threat, all batteries), ``p_kill_sum`` (the sum of
    their kill probabilities) and ``pool_sample``; with :attr:`shots`, also the shots
    themselves (:func:`engagement_frame`).
    """

    raid: tuple[RaidThreat, ...]
    defense: Defense
    pool_size: int = DEFAULT_POOL_SIZE
    shots: bool = False
    """Keep every interceptor fired in the chunk's table (list columns ``shots_*``), so
    that :meth:`result` can rebuild the run's full result from the chunk files."""
    prepared: Prepared | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "raid", tuple(self.raid))
        if not self.raid:
            raise InputError("raid: no threats")
        if not 1 <= self.pool_size <= 1_000_000:
            raise InputError(f"pool: {self.pool_size!r} must lie in 1..1000000")

    def digest(self) -> str:
        """A fingerprint of the raid, the defense and the pool size."""
        text = repr((self.raid, self.defense, self.pool_size))
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def describe(self) -> dict[str, Any]:
        return {"task": "engagement", "threats": len(self.raid),
                "missiles": sorted({th.missile for th in self.raid}),
                "batteries": [b.slug for b in self.defense.batteries],
                "doctrine": self.defense.doctrine, "pool_size": self.pool_size,
                "digest": self.digest(), **({"shots": True} if self.shots else {})}

    def prepare(self, seed: int) -> EngagementTask:
        """This task with its pool built (from :func:`shared_seed` of ``seed``)."""
        return dataclasses.replace(self, prepared=self._prepared(shared_seed(seed)))

    def _prepared(self, pool_seed: np.random.SeedSequence) -> Prepared:
        key = (self.digest(), repr(pool_seed.entropy))
        if key not in _PREPARED:
            _PREPARED[key] = prepare(self.raid, self.defense, self.pool_size, pool_seed)
            while len(_PREPARED) > 4:
                _PREPARED.popitem(last=False)
        _PREPARED.move_to_end(key)
        return _PREPARED[key]

    def __call__(self, trials: int, seed: np.random.SeedSequence) -> pd.DataFrame:
        prep = self.prepared
        if prep is None:
            prep = self._prepared(shared_seed(int(seed.entropy)))  # type: ignore[arg-type]
        res = engage(prep, trials, np.random.default_rng(seed))
        return engagement_frame(res, prep, shots=self.shots)

    def result(self, frame: pd.DataFrame) -> Result:
        """The run's table (:func:`run_chunks` of this task, which needs :attr:`shots`) as
        one :class:`~thaadsim.engagement.Result`: :func:`engagement_result`, with the raid's
        ``t_grid`` and ``y_grid`` (:func:`~thaadsim.engagement.flight_grid`) in ``extra``."""
        if not self.shots:
            raise InputError("result: the task's chunks keep no shots; run it with shots=True")
        t_grid, y_grid = self._flight_grid()
        return engagement_result(frame, self.raid, self.defense,
                                 extra={"t_grid": t_grid, "y_grid": y_grid})

    def _flight_grid(self) -> tuple[Any, Any]:
        """The raid's flight grid: the prepared raid's, when this process prepared it."""
        for (digest, _), prep in reversed(_PREPARED.items()):
            if digest == self.digest():
                return prep.t_grid, prep.y_grid
        return flight_grid(self.raid)


_OUTCOMES = pd.CategoricalDtype([fc.OUTCOMES[k] for k in sorted(fc.OUTCOMES)])
_REASONS = pd.CategoricalDtype(["", *(fc.REASONS[k] for k in sorted(fc.REASONS))])
_THREAT_COLUMNS = ("trial", "threat", "missile", "outcome_code", "outcome", "reason", "battery",
                   "shot", "killed_at_s", "endangering", "hits_asset", "engageable",
                   "shot_opportunities", "first_detection_s", "firm_track_s", "impact_s")
"""The columns of :attr:`thaadsim.engagement.Result.threats`, in its order."""
_NO_SHOTS = fc.shots_table(fc.new_plan(0, 0))
SHOT_COLUMNS = {f"shots_{f.name}": f.name for f in dataclasses.fields(_NO_SHOTS)
                if f.name not in ("trial", "threat")}
"""The list columns of an :class:`EngagementTask` table with shots, by the column of
:attr:`thaadsim.engagement.Result.shots` they hold (trial and threat are the row's)."""


def engagement_frame(res: Any, prep: Prepared, *, shots: bool = False) -> pd.DataFrame:
    """A :func:`thaadsim.engagement.engage` result as a DataFrame (text as categoricals),
    one row per trial and threat.

    With ``shots``, the interceptors fired at each threat in that trial are kept in list
    columns (:data:`SHOT_COLUMNS`: ``shots_battery``, ``shots_shot``, ``shots_launch_s``,
    ``shots_intercept_s``, ``shots_intercept_alt_m``, ``shots_p_kill``, ``shots_killed``),
    in the order they were planned; :func:`engagement_result` turns the table back into a
    :class:`~thaadsim.engagement.Result`."""
    plan = res.extra["plan"]
    n, trials = res.n_threats, res.trials
    missiles = sorted({th.missile for th in prep.raid})
    missile_code = np.array([missiles.index(th.missile) for th in prep.raid])
    batteries = pd.CategoricalDtype(["", *res.batteries])
    reason_code = np.searchsorted(np.array(sorted(fc.REASONS)), plan.reason.ravel()) + 1
    reason_code = np.where(plan.reason.ravel() < 0, 0, reason_code)
    fired = np.zeros(trials * n, dtype=np.int64)
    row = res.shots["trial"] * n + res.shots["threat"]
    np.add.at(fired, row, 1)
    p_kill_sum = np.zeros(trials * n)
    np.add.at(p_kill_sum, row, res.shots["p_kill"])
    t = res.threats
    cols: dict[str, Any] = {
        "trial": t["trial"], "threat": t["threat"],
        "missile": pd.Categorical.from_codes(np.tile(missile_code, trials),
                                             dtype=pd.CategoricalDtype(missiles)),
        "outcome_code": t["outcome_code"],
        "outcome": pd.Categorical.from_codes(plan.outcome.ravel(), dtype=_OUTCOMES),
        "reason": pd.Categorical.from_codes(reason_code, dtype=_REASONS),
        "battery": pd.Categorical.from_codes(plan.by_battery.ravel() + 1, dtype=batteries),
    }
    for name in _THREAT_COLUMNS:  # the rest as they are
        cols.setdefault(name, t[name])
    cols["interceptors"] = fired
    cols["p_kill_sum"] = p_kill_sum
    cols["pool_sample"] = res.extra["sample"].ravel()
    if shots:
        import pyarrow as pa

        order = np.argsort(row, kind="stable")
        offsets = pa.array(np.concatenate([[0], np.cumsum(fired)]), type=pa.int32())
        for column, name in SHOT_COLUMNS.items():
            values = pa.array(np.asarray(res.shots[name])[order])
            cols[column] = pa.ListArray.from_arrays(offsets, values).to_pandas()
    return pd.DataFrame(cols)


def engagement_result(frame: pd.DataFrame, raid: Sequence[RaidThreat], defense: Defense, *,
                      extra: dict[str, Any] | None = None) -> Result:
    """An :func:`engagement_frame` table with shots (one chunk's, or a whole run's from
    :func:`run_chunks`, its trials numbered across the chunks) as a
    :class:`~thaadsim.engagement.Result`: the threats table as
    :func:`~thaadsim.engagement.engage` gives it and the shots table, ordered by trial, then
    threat, then as planned."""
    missing = [c for c in (*_THREAT_COLUMNS, "interceptors", *SHOT_COLUMNS)
               if c not in frame.columns]
    if missing:
        raise InputError(f"engagement table: no column {', '.join(missing)} (run the task "
                         "with shots=True)")
    n = len(raid)
    if len(frame) % n:
        raise InputError(f"engagement table: {len(frame)} rows are not whole trials of "
                         f"{n} threats")
    threats: dict[str, Any] = {}
    for name in _THREAT_COLUMNS:
        col = frame[name]
        threats[name] = (np.asarray(col.astype(str), dtype=str)
                         if isinstance(col.dtype, pd.CategoricalDtype) else col.to_numpy())
    fired = frame["interceptors"].to_numpy()
    shots: dict[str, Any] = {"trial": np.repeat(threats["trial"], fired),
                             "threat": np.repeat(threats["threat"], fired)}
    for column, name in SHOT_COLUMNS.items():
        empty = getattr(_NO_SHOTS, name)
        parts = [empty, *frame[column].to_numpy()]
        shots[name] = np.concatenate(parts).astype(empty.dtype, copy=False)
    return Result(threats=threats, shots=shots, trials=len(frame) // n, n_threats=n,
                  batteries=tuple(b.slug for b in defense.batteries), extra=dict(extra or {}))


# --------------------------------------------------------------------------------------------
# What the command line calls
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class EngagementRun:
    """The trials of a raid against a defense: one row per trial and threat."""

    frame: pd.DataFrame
    trials: int
    n_threats: int
    pool_size: int
    out_dir: Path | None = None

    @property
    def leaked(self) -> np.ndarray[Any, np.dtype[np.bool_]]:
        """(trials, threats): hits a defended asset and was not intercepted."""
        f = self.frame
        return leaked(f["hits_asset"].to_numpy(), f["outcome_code"].to_numpy()).reshape(
            self.trials, self.n_threats)

    @property
    def p_no_leak(self) -> float:
        return p_no_leak(self.leaked)

    @property
    def expected_leakers(self) -> float:
        return expected_leakers(self.leaked)

    @property
    def interceptors_used(self) -> float:
        return float(self.frame["interceptors"].sum() / self.trials)


def run_engagement(
    raid: Sequence[RaidThreat],
    defense: Defense,
    trials: int,
    seed: int = 0,
    *,
    pool_size: int = DEFAULT_POOL_SIZE,
    runner: RunnerOptions | None = None,
    progress: bool = True,
) -> EngagementRun:
    """The engagement through the runner, with the command line's :class:`RunnerOptions`
    (none: in this process, nothing written)."""
    runner = runner or RunnerOptions()
    task = EngagementTask(raid=tuple(raid), defense=defense, pool_size=pool_size)
    frame = runner.run(task, trials, seed, default_chunk=DEFAULT_CHUNK_TRIALS,
                       progress=progress)
    return EngagementRun(frame=frame, trials=trials, n_threats=len(task.raid),
                         pool_size=pool_size, out_dir=runner.folder)


__all__ = ["DEFAULT_CHUNK_TRIALS", "DEFAULT_POOL_SIZE", "EXECUTORS", "SHOT_COLUMNS",
           "EngagementRun", "EngagementTask", "RunnerOptions", "Task", "chunk_file",
           "chunk_seeds", "engagement_frame", "engagement_result", "run_chunks",
           "run_engagement", "sampling", "shared_seed", "tracking_pool"]
