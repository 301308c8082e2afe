"""The server's jobs: runs, footprints and reports computed off the request path, in a pool of
worker processes, with progress, cancel, a bounded queue and a wall-time limit.

Each worker is a spawned process (:func:`_worker_main`) that warms up (:func:`warm_up`: a
one-trial run, so that a person's first run does not load the engine), then receives one job
at a time on its pipe and answers with progress messages and then the result or the error.
A run takes exactly the path of ``thaadsim run``: the setup's YAML through
:func:`thaadsim.scenario.parse_scenario`, then :func:`thaadsim.commands.run_and_claims`, the
command line's own run (the radar and tracker in every trial) and claims check, so the
exported YAML run from the command line gives the same numbers. The worker keeps the
finished run in the job's folder (:func:`keep_run`), and a report is written from it
(:func:`write_report`), never by running the setup again. Cancelling a running job, or one
past :data:`~thaadsim.serve.setup.RUN_WALL_S`, kills its worker and starts another.

:class:`JobPool` keeps the job table. A dispatcher thread reads the workers' pipes, hands
queued jobs to idle workers and enforces cancels and time limits; the web server's event
loop only reads and writes the table under a lock, so it never waits on a computation.
"""

from __future__ import annotations

import itertools
import logging
import multiprocessing
import os
import pickle
import secrets
import shutil
import signal
import tempfile
import threading
import time
import traceback
from collections import OrderedDict, deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any, cast

from thaadsim.serve.setup import (
    MAX_JOBS_PER_CLIENT,
    MAX_KEPT_JOBS,
    MAX_QUEUE,
    REPORT_WALL_S,
    RUN_WALL_S,
    RequestError,
)

log = logging.getLogger("thaadsim.serve")

TERMINAL = frozenset({"done", "failed", "cancelled"})
"""States a job does not leave."""
INTERNAL_ERROR = "internal error, logged on the server"
TRACK_POINTS = 300
"""Most points of one threat's track sent to the page (decimated evenly, impact kept)."""
PROGRESS_EVERY_S = 0.2
"""Least time between two progress messages of a worker."""
POLL_S = 0.05
"""How often the dispatcher looks at its queue when no worker speaks."""


# --------------------------------------------------------------------------------------------
# In the worker
# --------------------------------------------------------------------------------------------

STAGE_SPAN = {"flights": (0.0, 0.1), "fire control": (0.1, 0.15),
              "detection and tracking": (0.15, 0.3), "trials": (0.3, 0.8),
              "claims": (0.8, 0.98), "report": (0.8, 0.98)}
"""The share of a run's progress bar each stage fills (a guess of where the time goes)."""


class _Reporter:
    """The worker's :func:`thaadsim.timing.observing` observer: stage names and trials done,
    sent to the server at most every :data:`PROGRESS_EVERY_S`."""

    def __init__(self, conn: Connection, job_id: str) -> None:
        self.conn, self.job_id = conn, job_id
        self.stage = "starting"
        self.fraction = 0.0
        self.locked = False
        self.sent = 0.0

    def set_stage(self, name: str, *, lock: bool = False) -> None:
        self.stage = name
        self.locked = lock
        self.fraction = max(self.fraction, STAGE_SPAN.get(name, (self.fraction, 0))[0])
        self._send(force=True)

    def __call__(self, name: str | None, done: int | None, total: int | None) -> None:
        if name is not None:
            if not self.locked and name != self.stage:
                self.set_stage(name)
            return
        if done is not None and total and not self.locked:
            low, high = STAGE_SPAN["trials"]
            self.stage = "trials"
            self.fraction = max(self.fraction, low + (high - low) * done / total)
            self._send()

    def _send(self, force: bool = False) -> None:
        now = time.monotonic()
        if force or now - self.sent >= PROGRESS_EVERY_S:
            self.sent = now
            self.conn.send(("progress", self.job_id, self.fraction, self.stage))


def _decimate(n: int, most: int = TRACK_POINTS) -> Any:
    import numpy as np

    if n <= most:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, most).round().astype(int))


def run_result(out: Any, claims: Any, yaml_text: str) -> dict[str, Any]:
    """A run as the page reads it (the contract's RESULT): ``summary`` is ``thaadsim run
    --json``'s object without its output folder and file list."""
    import numpy as np

    from thaadsim.jsonsafe import json_safe
    from thaadsim.studies.claims import claims_records

    summary = out.summary()
    summary["claims"] = claims_records(claims)
    res = out.result
    threats_table = res.threats
    threats = []
    for k, track in enumerate(out.tracks):
        rows = threats_table["threat"] == k
        outcomes, o_counts = np.unique(threats_table["outcome"][rows], return_counts=True)
        reasons, r_counts = np.unique(threats_table["reason"][rows], return_counts=True)
        n = int(rows.sum())
        shares = {str(o): float(c) / n for o, c in zip(outcomes, o_counts, strict=True)}
        threats.append({
            "index": k, "group": track.group, "missile": track.missile,
            "launch": [track.launch_lat_deg, track.launch_lon_deg],
            "aim": [track.aim_lat_deg, track.aim_lon_deg],
            "impact": [track.impact_lat_deg, track.impact_lon_deg],
            "launch_t_s": track.launch_t_s, "impact_t_s": track.impact_t_s,
            "apogee_km": track.apogee_m / 1e3,
            "outcomes": shares,
            "reasons": {str(r): int(c) for r, c in zip(reasons, r_counts, strict=True)},
            "p_killed": shares.get("intercepted", 0.0),
            "time_in_band_s": track.time_in_band_s,
        })
    tracks = []
    for track in out.tracks:
        keep = _decimate(len(track.t_s))
        tracks.append({"index": track.index, "group": track.group,
                       "t_s": track.t_s[keep].round(2).tolist(),
                       "lat_deg": track.lat_deg[keep].round(4).tolist(),
                       "lon_deg": track.lon_deg[keep].round(4).tolist(),
                       "alt_km": (track.alt_m[keep] / 1e3).round(3).tolist()})
    batteries = [{"name": b.name, "slug": b.slug, "lat_deg": b.site.lat_deg,
                  "lon_deg": b.site.lon_deg, "interceptor": b.interceptor.slug,
                  "inventory": b.inventory,
                  "reach_km": b.interceptor.max_ground_range_m / 1e3}
                 for b in out.defense.batteries]
    sensors = [{"name": s.name, "lat_deg": s.emplacement.lat_deg,
                "lon_deg": s.emplacement.lon_deg, "boresight_deg": s.emplacement.boresight_deg,
                "half_width_deg": s.radar.scan_half_width_deg,
                "range_km": s.radar.instrumented_range_m / 1e3, "mode": str(s.radar.mode)}
               for s in out.defense.sensors]
    return json_safe({
        "summary": summary, "threats": threats, "tracks": tracks,
        "band_km": [out.band_m[0] / 1e3, out.band_m[1] / 1e3],
        "batteries": batteries, "sensors": sensors, "claims": summary["claims"],
        "yaml": yaml_text,
    })


KEPT_RUN = "run.pickle"
"""The file in a run's job folder that keeps its output and claims for the report."""


def _run(payload: dict[str, Any], reporter: _Reporter) -> tuple[Any, Any]:
    """The run of ``thaadsim run`` (:func:`thaadsim.commands.run_and_claims`, the command
    line's own steps, without the report folder): the scenario's RunOutput and claims."""
    from thaadsim.commands import STEP_CLAIMS, run_and_claims
    from thaadsim.scenario import parse_scenario
    from thaadsim.timing import observing

    @contextmanager
    def stage(description: str) -> Iterator[None]:
        if description == STEP_CLAIMS:  # the claims' own studies are not the run's trials
            reporter.set_stage("claims", lock=True)
        yield

    scn = parse_scenario(payload["yaml"], label="setup")
    with observing(reporter):
        return run_and_claims(scn.to_run_kwargs(), stage=stage)


def keep_run(folder: Path, out: Any, claims: Any) -> Path:
    """Keep a finished run (its RunOutput and claims) in its job folder, so that its report
    is written from it rather than by running the setup again. A pickle in the server's
    own temporary folder (made by :func:`tempfile.mkdtemp`, readable by this user only),
    written and read only by this server's workers; removed with the job."""
    path = folder / KEPT_RUN
    tmp = path.with_suffix(".part")
    with tmp.open("wb") as f:
        pickle.dump((out, claims), f, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(path)
    return path


def kept_run(folder: Path) -> tuple[Any, Any]:
    """The run :func:`keep_run` kept in ``folder``."""
    from thaadsim.errors import ThaadsimError

    try:
        with (folder / KEPT_RUN).open("rb") as f:
            out, claims = pickle.load(f)  # noqa: S301 - the server's own file (keep_run)
    except FileNotFoundError:
        raise ThaadsimError("the run's result is no longer kept on this server (finished "
                            "runs are kept until newer ones push them out); run it "
                            "again") from None
    return out, claims


def write_report(folder: Path, reporter: _Reporter) -> str:
    """The report folder of ``thaadsim run`` for the run kept in ``folder``, as a zip there
    (``report.zip``); no simulation runs."""
    from thaadsim.report.bundle import write_outputs

    out, claims = kept_run(folder)
    reporter.set_stage("report", lock=True)
    write_outputs(out, folder / "report", force=True, claims=claims)
    archive = shutil.make_archive(str(folder / "report"), "zip", root_dir=folder,
                                  base_dir="report")
    shutil.rmtree(folder / "report", ignore_errors=True)
    return archive


def _work(kind: str, payload: dict[str, Any], reporter: _Reporter) -> Any:
    if kind == "run":
        out, claims = _run(payload, reporter)
        keep_run(Path(payload["folder"]), out, claims)
        return run_result(out, claims, payload["yaml"])
    if kind == "report":
        return {"zip": write_report(Path(payload["folder"]), reporter)}
    if kind == "footprint":
        from thaadsim.serve.footprint import footprint_result

        return footprint_result(payload, reporter)
    raise ValueError(f"unknown job kind {kind!r}")


WARM_UP_SCENARIO = "korea-2017"
"""The built-in scenario a worker runs once, with :data:`WARM_UP_TRIALS`, before its first
job."""
WARM_UP_TRIALS = 1


def warm_up() -> None:
    """A run of :data:`WARM_UP_TRIALS` trial of :data:`WARM_UP_SCENARIO` by a job's own path
    (the run, its claims check and the page's result), thrown away: it imports the engine,
    loads its compiled Numba kernels from their cache, reads the catalogs and the claims'
    per-version cache, so that a person's first run does not pay for them."""
    from thaadsim.scenario import parse_scenario, scenario_text

    class _Quiet:
        def set_stage(self, name: str, *, lock: bool = False) -> None:
            pass

        def __call__(self, name: str | None, done: int | None, total: int | None) -> None:
            pass

    text = scenario_text(WARM_UP_SCENARIO)
    scn = parse_scenario(text, label=WARM_UP_SCENARIO)
    from thaadsim.commands import run_and_claims

    out, claims = run_and_claims(scn.to_run_kwargs(trials=WARM_UP_TRIALS))
    run_result(out, claims, text)


def _worker_main(conn: Connection, warm: bool = True) -> None:
    """A worker: :func:`warm_up` (``warm``), then jobs from ``conn`` one at a time until it
    is told to stop (None)."""
    import thaadsim.run  # noqa: F401  - import the engine before the first job, not in it
    from thaadsim.errors import ThaadsimError

    # Ctrl-C on the server's terminal reaches its whole process group: the server stops its
    # workers itself, so a worker ignores it rather than dying mid-job with a traceback
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    failed = None
    if warm:
        try:
            warm_up()
        except Exception as exc:  # noqa: BLE001 - logged by the server; the jobs still run
            failed = "".join(traceback.format_exception(exc))
    conn.send(("ready", failed))
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        if message is None:
            return
        job_id, kind, payload = message
        reporter = _Reporter(conn, job_id)
        try:
            result = _work(kind, payload, reporter)
        except ThaadsimError as exc:  # the input's fault: the message says what to change
            conn.send(("failed", job_id, str(exc), None))
        except Exception as exc:  # noqa: BLE001 - logged by the server, never shown
            conn.send(("failed", job_id, INTERNAL_ERROR,
                       "".join(traceback.format_exception(exc))))
        else:
            conn.send(("done", job_id, result))


# --------------------------------------------------------------------------------------------
# In the server
# --------------------------------------------------------------------------------------------


@dataclass
class Job:
    """One job of the table."""

    id: str
    kind: str
    payload: dict[str, Any]
    created: float = field(default_factory=time.monotonic)
    state: str = "queued"
    progress: float = 0.0
    stage: str = "queued"
    started: float | None = None
    finished: float | None = None
    result: Any = None
    error: str | None = None
    worker: int | None = None
    client: str | None = None
    """The address of the client that asked for it (None: not counted against one)."""

    def view(self) -> dict[str, Any]:
        """The job as ``GET /api/runs/{id}`` shows it."""
        end = self.finished if self.finished is not None else time.monotonic()
        out: dict[str, Any] = {
            "id": self.id, "kind": self.kind, "state": self.state,
            "progress": 1.0 if self.state == "done" else round(self.progress, 4),
            "stage": self.stage,
            "elapsed_s": round(end - (self.started or self.created), 3),
        }
        if self.state == "done" and self.kind != "report":
            out["result"] = self.result
        if self.error is not None:
            out["error"] = self.error
        return out


@dataclass
class _Worker:
    slot: int
    process: Any
    conn: Connection
    ready: bool = False
    job: str | None = None


class JobPool:
    """The job table and its worker processes (module docstring). ``start()`` before use,
    ``stop()`` at the end."""

    def __init__(self, workers: int = 2, *, wall_s: float = RUN_WALL_S,
                 report_wall_s: float = REPORT_WALL_S,
                 max_queue: int = MAX_QUEUE, max_kept: int = MAX_KEPT_JOBS,
                 max_per_client: int = MAX_JOBS_PER_CLIENT,
                 context: str = "spawn", lazy: bool = False, warm: bool = True) -> None:
        if workers < 1:
            raise ValueError("workers: at least 1")
        self.size = workers
        self.lazy = lazy
        """Start the workers with the first job rather than with the pool (tests that run
        nothing start no process)."""
        self.wall_s = wall_s
        self.report_wall_s = report_wall_s
        self.max_queue = max_queue
        self.max_kept = max_kept
        self.max_per_client = max_per_client
        self.warm = warm
        """Each worker warms up (:func:`warm_up`) before it takes its first job."""
        self._ctx: Any = multiprocessing.get_context(context)
        self._lock = threading.RLock()
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._queue: deque[str] = deque()
        self._kill: set[str] = set()
        self._workers: list[_Worker] = []
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._wake = threading.Event()
        self._counter = itertools.count(1)
        self.folder = Path(tempfile.mkdtemp(prefix="thaadsim-serve-"))
        """The server's own temporary folder (reports), removed by :meth:`stop`."""

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> None:
        if not self.lazy:
            self._start_workers()
        self._thread = threading.Thread(target=self._dispatch, name="thaadsim-jobs",
                                        daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        for w in self._workers:
            self._end(w, polite=True)
        self._workers.clear()
        shutil.rmtree(self.folder, ignore_errors=True)

    def _start_workers(self) -> None:
        while len(self._workers) < self.size:
            self._workers.append(self._spawn(len(self._workers)))

    def _spawn(self, slot: int) -> _Worker:
        parent, child = self._ctx.Pipe(duplex=True)
        process = self._ctx.Process(target=_worker_main, args=(child, self.warm), daemon=True,
                                    name=f"thaadsim-worker-{slot}")
        process.start()
        child.close()
        return _Worker(slot=slot, process=process, conn=parent)

    def _end(self, w: _Worker, *, polite: bool = False) -> None:
        if polite and w.process.is_alive():
            try:
                w.conn.send(None)
            except OSError:
                pass
            w.process.join(timeout=2)
        if w.process.is_alive():
            w.process.kill()
        w.process.join(timeout=5)
        w.conn.close()

    def _replace(self, w: _Worker) -> None:
        """Kill worker ``w`` (its computation with it) and start another in its slot."""
        self._end(w)
        self._workers[w.slot] = self._spawn(w.slot)

    # -- the web server's side ---------------------------------------------------------------

    def submit(self, kind: str, payload: dict[str, Any], client: str | None = None) -> Job:
        """Queue a job; a 429 :class:`RequestError` when :data:`MAX_QUEUE` jobs are queued or
        running already, or when ``client`` (an address; None: not counted) has
        :data:`MAX_JOBS_PER_CLIENT` of its own. A run's job folder is in its payload
        (``folder``): the worker keeps the run there for its report."""
        with self._lock:
            active = [j for j in self._jobs.values() if j.state not in TERMINAL]
            if len(active) >= self.max_queue:
                raise RequestError(f"the server is busy: {len(active)} jobs are queued or "
                                   f"running, the most it takes is {self.max_queue}; try "
                                   "again when one has finished", None, status=429)
            own = sum(1 for j in active if client is not None and j.client == client)
            if own >= self.max_per_client:
                raise RequestError(f"too many jobs from {client}: {own} of its runs or "
                                   "footprints are queued or running, the most this server "
                                   f"takes from one client is {self.max_per_client}; "
                                   "allowed: a new one when one of them has finished or "
                                   "is cancelled", None, status=429)
            job = Job(id=f"{next(self._counter)}-{secrets.token_hex(6)}", kind=kind,
                      payload=payload, client=client)
            if kind == "run":
                job.payload = {**payload, "folder": str(self.job_folder(job.id))}
            self._jobs[job.id] = job
            self._queue.append(job.id)
        self._wake.set()
        return job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def view(self, job_id: str) -> dict[str, Any] | None:
        with self._lock:
            job = self._jobs.get(job_id)
            return None if job is None else job.view()

    def cancel(self, job_id: str) -> dict[str, Any] | None:
        """Cancel a job (idempotent): a queued one leaves the queue, a running one's worker
        is killed; a finished one is left as it is."""
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None:
                return None
            if job.state == "queued":
                self._queue.remove(job.id)
                self._finish(job, "cancelled")
            elif job.state == "running":
                self._kill.add(job.id)
                self._finish(job, "cancelled")
            view = job.view()
        self._wake.set()
        return view

    def counts(self) -> dict[str, int]:
        with self._lock:
            out: dict[str, int] = {}
            for job in self._jobs.values():
                out[job.state] = out.get(job.state, 0) + 1
            return out

    # -- the dispatcher thread ---------------------------------------------------------------

    def _finish(self, job: Job, state: str, *, result: Any = None,
                error: str | None = None) -> None:
        """Under the lock: end ``job``, and drop the oldest finished jobs past the limit."""
        job.state, job.result, job.error = state, result, error
        job.finished = time.monotonic()
        job.stage = state
        finished = [j for j in self._jobs.values() if j.state in TERMINAL]
        for old in finished[: max(0, len(finished) - self.max_kept)]:
            del self._jobs[old.id]
            shutil.rmtree(self.folder / old.id, ignore_errors=True)

    def _dispatch(self) -> None:
        while not self._stopping.is_set():
            try:
                self._step()
            except Exception:  # noqa: BLE001 - the dispatcher must outlive any one job
                log.exception("thaadsim serve: the job dispatcher failed a step")
                time.sleep(POLL_S)

    def _step(self) -> None:
        if self._queue and len(self._workers) < self.size:
            with self._lock:
                self._start_workers()
        conns = {w.conn: w for w in self._workers}
        if not conns:
            self._wake.wait(POLL_S)
        ready = [] if not conns else cast(list[Connection], wait(list(conns), timeout=POLL_S))
        for conn in ready:
            w = conns[conn]
            try:
                message = conn.recv()
            except (EOFError, OSError):
                self._died(w)
                continue
            self._receive(w, message)
        self._wake.clear()
        with self._lock:
            now = time.monotonic()
            for w in list(self._workers):
                if w.job is None:
                    continue
                job = self._jobs.get(w.job)
                if job is None or w.job in self._kill:
                    self._kill.discard(w.job)
                    self._replace(w)
                elif job.started is not None and now - job.started > self._limit_s(job):
                    self._finish(job, "failed", error=(
                        f"took longer than this server's limit of {self._limit_s(job):g} s "
                        "of wall time for one job; allowed: fewer trials or threats"))
                    self._replace(w)
                elif not w.process.is_alive():
                    self._died(w)
            for w in self._workers:
                if w.ready and w.job is None and self._queue:
                    job = self._jobs[self._queue.popleft()]
                    job.state, job.stage, job.started = "running", "starting", now
                    job.worker = w.slot
                    w.job = job.id
                    w.conn.send((job.id, job.kind, job.payload))

    def _limit_s(self, job: Job) -> float:
        return self.report_wall_s if job.kind == "report" else self.wall_s

    def _died(self, w: _Worker) -> None:
        with self._lock:
            job = self._jobs.get(w.job) if w.job else None
            if job is not None and job.state == "running":
                code = w.process.exitcode
                self._finish(job, "failed", error=(
                    f"the worker computing it stopped (exit code {code}): out of memory? "
                    "allowed: fewer trials or threats"))
                log.error("thaadsim serve: worker %s died (exit code %s) running job %s",
                          w.slot, code, job.id)
            self._replace(w)

    def _receive(self, w: _Worker, message: tuple[Any, ...]) -> None:
        kind = message[0]
        if kind == "ready":
            w.ready = True
            if message[1]:
                log.warning("thaadsim serve: worker %s could not warm up:\n%s", w.slot,
                            message[1])
            return
        job_id = message[1]
        with self._lock:
            job = self._jobs.get(job_id)
            if kind in ("done", "failed"):
                w.job = None
            if job is None or job.state != "running":
                return  # cancelled or dropped meanwhile: the late message is ignored
            if kind == "progress":
                job.progress, job.stage = float(message[2]), str(message[3])
            elif kind == "done":
                self._finish(job, "done", result=message[2])
            elif kind == "failed":
                if message[3]:
                    log.error("thaadsim serve: job %s (%s) failed:\n%s", job.id, job.kind,
                              message[3])
                self._finish(job, "failed", error=str(message[2]))

    def job_folder(self, job_id: str) -> Path:
        """A folder of the server's own for one job's files."""
        folder = self.folder / job_id
        folder.mkdir(parents=True, exist_ok=True)
        return folder


def cpu_workers_default() -> int:
    """Two workers, or one on a one-core machine."""
    return max(1, min(2, os.cpu_count() or 1))
