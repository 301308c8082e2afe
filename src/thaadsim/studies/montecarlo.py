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
* ``"dask"``: Dask distributed, on the cluster at ``scheduler`` (``tcp://HOST:PORT``,
  checked before Dask is imported; one that cannot be reached within
  :data:`CONNECT_TIMEOUT_S` is an :class:`InputError`) or on a
  :class:`distributed.LocalCluster` of ``workers`` processes started (on loopback) for the
  run and closed after it; the prepared task is scattered to the workers once. Remote
  workers need the same thaadsim installed.

With ``out_dir`` each chunk's table is written as soon as it is back, atomically (a
temporary file renamed into place), as ``out_dir/chunk-00012.parquet``, beside a
``manifest.json`` (task, seed, trials, chunk size). ``resume=True`` continues an
interrupted run in ``out_dir``: chunks whose file holds them are read, not redone, and a
manifest that describes another run, or is damaged, is refused in one line
(:func:`read_manifest`). Writing happens in this (the client) process, so Dask workers
need no shared file system.

A chunk file is trusted only if it is the very file that was written: beside it,
``chunk-00012.json`` records the run's fingerprint, the chunk's index, units and rows, and
the file's size and SHA-256 (:func:`record_file`), checked on resume. A chunk that fails
(truncated, flipped, emptied, of another run or chunk, its record missing or damaged) is
reported on standard error and redone, its files replaced; something that is not a regular
file in a chunk's place (a folder, a link) is reported, the chunk redone and kept in memory
only: the runner never removes what it did not write.

A run stopped part-way (a worker killed, the Dask cluster lost, a full disk, a chunk out of
memory, Ctrl-C) stops its workers and ends in one :class:`~thaadsim.errors.RunFailed` or
:class:`~thaadsim.errors.RunInterrupted` line: what happened, the finished chunks kept in
``out_dir`` and the option that continues the run (``--resume OUT_DIR``). A chunk's own
error (a bug, an input found bad late) is raised as it is.

A task is a picklable callable ``task(trials, seed_sequence) -> pandas.DataFrame`` with a
``describe() -> dict`` (JSON, for the manifest) and optionally ``prepare(seed) -> task``,
called once in this process before any chunk (work shared by every chunk, which must depend
on the run's seed only). A ``trial`` column, numbered from 0 in each chunk, is renumbered
across the run. :class:`EngagementTask` runs a raid against a defense with the two-level
Monte Carlo of :func:`thaadsim.engagement.prepare` / :func:`thaadsim.engagement.engage_prepared`;
with ``shots=True`` its chunk files keep every interceptor fired, and
:meth:`EngagementTask.result` rebuilds from them the :class:`thaadsim.engagement.Result` of
the whole run (what ``thaadsim run``'s report and ``thaadsim raid-curve``'s figures read).
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import ipaddress
import json
import logging
import multiprocessing
import os
import re
import shlex
import signal
import stat
import sys
import tempfile
import uuid
from collections import OrderedDict
from collections.abc import Callable, Generator, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from thaadsim.engagement import (
    Defense,
    Prepared,
    RaidThreat,
    Result,
    engage_prepared,
    expected_leakers,
    flight_grid,
    leaked,
    p_no_leak,
    prepare,
)
from thaadsim.errors import InputError, RunFailed, RunInterrupted
from thaadsim.limits import check, fmt_number
from thaadsim.outputs import check_chunks_dir
from thaadsim.systems import fire_control as fc

if TYPE_CHECKING:  # pandas is imported where a table is made: a raid that makes none
    import pandas as pd  # (the command line's) does not pay its import at start-up

EXECUTORS = ("inprocess", "processes", "dask")
DEFAULT_CHUNK_TRIALS = 5_000
DEFAULT_POOL_SIZE = 200
MANIFEST = "manifest.json"
MAX_UNITS = 1_000_000_000
"""The most work units (trials, grid cells, model runs) one run may hold: the commands
bound theirs far lower (:data:`thaadsim.limits.LIMITS`)."""
MAX_CHUNKS = 100_000
"""The most chunks one run may be cut into (each is a file, and a task to schedule)."""
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


def record_file(out_dir: str | Path, index: int) -> Path:
    """The record of chunk ``index``'s file (JSON): the run's fingerprint, the chunk's index,
    units and rows, and the file's size and SHA-256, so that a resumed run trusts only the
    very file that was written."""
    return Path(out_dir) / f"chunk-{index:05d}.json"


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
        Continue the run in ``out_dir``, redoing no chunk whose file holds it (checked: a
        damaged chunk file is reported on stderr and redone; a damaged manifest is an
        :class:`InputError`).
    progress : bool
        A Rich progress bar with the time left, on stderr.
    label : str
        What the progress bar says is running (e.g. which raid size of a study).

    Raises
    ------
    RunFailed
        The run stopped part-way for a reason outside its input: a worker process died
        (killed, or out of memory), the Dask cluster lost the work, a chunk could not be
        written (a full disk, an unwritable folder) or ran out of memory. One line: what
        happened, how many finished chunks are kept in ``out_dir`` and ``--resume
        OUT_DIR`` (without ``out_dir``: nothing was kept, and how to keep it).
    RunInterrupted
        Ctrl-C, the same line; a :class:`BaseException`, as :class:`KeyboardInterrupt`.

    Either way the workers are stopped (none is left), every finished chunk is on disk
    whole (nothing half-written), and ``resume=True`` redoes only the rest.
    """
    n_trials = _whole(n_trials, "trials", 1, MAX_UNITS)
    chunk_trials = check("chunk_size", _int(chunk_trials), "chunk_trials")
    seed = check("seed", _int(seed), "seed")
    if scheduler is not None:
        scheduler = check_scheduler(scheduler, "scheduler")
        executor = "dask"
    if executor not in EXECUTORS:
        raise InputError(f"executor: unknown {executor!r}; allowed: {', '.join(EXECUTORS)}")
    if workers is not None:
        workers = check("workers", _int(workers), "workers")
    if resume and out_dir is None:
        raise InputError("resume: needs the folder of the interrupted run (out_dir)")
    n_chunks = -(-n_trials // chunk_trials)
    if n_chunks > MAX_CHUNKS:
        raise InputError(f"chunk_trials: {fmt_number(n_trials)} units in chunks of "
                         f"{fmt_number(chunk_trials)} make {fmt_number(n_chunks)} chunks, "
                         f"more than {fmt_number(MAX_CHUNKS)}; give a larger chunk size")
    sizes = [min(chunk_trials, n_trials - i * chunk_trials) for i in range(n_chunks)]
    seeds = chunk_seeds(seed, n_chunks)
    frames: dict[int, pd.DataFrame] = {}
    unsaved: set[int] = set()
    folder = Path(out_dir) if out_dir is not None else None
    manifest: dict[str, Any] = {}
    if folder is not None:
        # the manifest is compared as it reads back from JSON
        manifest = json.loads(json.dumps(
            {"format": _FORMAT, "task": task.describe(), "seed": seed, "n_trials": n_trials,
             "chunk_trials": chunk_trials, "n_chunks": n_chunks}))
        frames, unsaved = _check_out_dir(folder, manifest, sizes, resume)
    todo = [i for i in range(n_chunks) if i not in frames]
    saved = len(frames)  # chunks whose files hold them
    with progress_bar(progress, n_trials, f"{label} ({n_chunks} chunks)",
                   getattr(task, "unit", "trials")) as advance:
        advance(sum(sizes[i] for i in frames))
        if todo:
            try:
                with _executor(executor, workers, scheduler) as execute:
                    if folder is not None:
                        _start_out_dir(folder, manifest)
                    ready = task.prepare(seed) if hasattr(task, "prepare") else task
                    with closing(execute(ready, todo, sizes, seeds)) as finished:
                        for i, frame in finished:
                            frame = _renumber(frame, i * chunk_trials)
                            if folder is not None and i not in unsaved:
                                _save_chunk(folder, frame, _run_id(manifest), i, sizes[i])
                                saved += 1
                            frames[i] = frame
                            advance(sizes[i])
            except KeyboardInterrupt:
                raise stopped(RunInterrupted, "interrupted (Ctrl-C)", folder, saved,
                              n_chunks) from None
            except _Stopped as exc:
                raise stopped(RunFailed, str(exc), folder, saved, n_chunks) from None
            except MemoryError:
                raise stopped(RunFailed, "ran out of memory", folder, saved,
                              n_chunks) from None
    import pandas as pd

    return pd.concat([frames[i] for i in range(n_chunks)], ignore_index=True)


# --------------------------------------------------------------------------------------------
# A run stopped part-way
# --------------------------------------------------------------------------------------------


class _Stopped(Exception):  # noqa: N818 - internal: carries what stopped the run
    """What stopped a run part-way, outside the input (a worker died, the cluster was lost,
    a chunk could not be written or ran out of memory), in words; :func:`run_chunks`
    turns it into a :class:`~thaadsim.errors.RunFailed`."""


def stopped(kind: type[RunFailed] | type[RunInterrupted], what: str, folder: Path | None,
            saved: int, n_chunks: int | None = None) -> RunFailed | RunInterrupted:
    """The error of a run stopped part-way by ``what``: one line that says what happened,
    that the ``saved`` finished chunks are kept in ``folder`` (of ``n_chunks``, when known)
    and the option that continues the run (``--resume FOLDER``); with no folder, that
    nothing was kept and how to make a run resumable."""
    if folder is None:
        text = (f"{what}; nothing was kept (give --chunks-dir DIR to keep each finished "
                "chunk, and --resume DIR to continue a stopped run)")
    else:
        shown = shlex.quote(str(folder)) if str(folder).isprintable() else repr(str(folder))
        of = f" of {fmt_number(n_chunks)}" if n_chunks is not None else ""
        chunks = "chunk is" if saved == 1 and n_chunks is None else "chunks are"
        text = (f"{what}; {fmt_number(saved)}{of} finished {chunks} kept in {shown}; "
                f"continue with --resume {shown}")
    return kind(text, what=what, folder=None if folder is None else str(folder), saved=saved)


def _out_of_memory(index: int, units: int) -> _Stopped:
    return _Stopped(f"chunk {index} ({fmt_number(units)} units) ran out of memory (a smaller "
                    "--chunk-size needs less)")


def _save_chunk(folder: Path, frame: pd.DataFrame, run: str, index: int, units: int) -> None:
    """:func:`_write_chunk`, a failure to write (a full disk, a folder made unwritable) as
    what stops the run."""
    try:
        _write_chunk(folder, frame, run, index, units)
    except OSError as exc:
        raise _Stopped(f"cannot write chunk {index} in {_show(folder)} "
                       f"({_os_reason(exc)})") from None


def _os_reason(exc: OSError) -> str:
    """Why a file operation failed, in the system's words ("No space left on device"),
    also when the error is Arrow's ("Error writing bytes to file. Detail: [errno 28] ...")."""
    if exc.strerror:
        return exc.strerror
    code = exc.errno
    if code is None:
        match = re.search(r"\[errno (\d+)\]", str(exc))
        code = int(match.group(1)) if match else None
    return os.strerror(code) if code else _first_line(exc)


def _int(value: Any) -> Any:
    """A NumPy integer as a Python one (what :func:`thaadsim.limits.check` takes)."""
    return int(value) if isinstance(value, np.integer) else value


def _whole(value: Any, name: str, low: int, high: int) -> int:
    value = _int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InputError(f"{name}: {fmt_number(value)} is out of range; allowed: a whole "
                         f"number from {fmt_number(low)} to {fmt_number(high)}")
    return value


# --------------------------------------------------------------------------------------------
# Scheduler addresses
# --------------------------------------------------------------------------------------------

SCHEDULER_FORM = ("tcp://HOST:PORT (HOST a host name or an IP address, an IPv6 one in "
                  "brackets; PORT 1 to 65535)")
"""The Dask scheduler addresses the runner accepts, in words."""
CONNECT_TIMEOUT_S = 5
"""How long the runner tries to reach a Dask scheduler before it gives up."""
SCATTER_TIMEOUT_S = 60
"""How long the runner waits for the prepared task to reach every Dask worker."""
_ADDRESS = re.compile(r"tcp://(\[[^\]]*\]|[^:/\[\]]*):([0-9]{1,5})")
_LABEL = re.compile(r"[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?")


def check_scheduler(address: Any, field: str = "scheduler") -> str:
    """``address`` if it is a Dask scheduler address the runner can reach
    (:data:`SCHEDULER_FORM`), else one :class:`InputError` naming ``field``; checked
    without importing Dask or connecting."""
    why = _address_problem(address)
    if why is not None:
        shown = repr(address[:80] + "..." if len(address) > 80 else address) \
            if isinstance(address, str) else type(address).__name__
        raise InputError(f"{field}: {shown} {why}; allowed: {SCHEDULER_FORM}")
    return str(address)


def _address_problem(address: Any) -> str | None:
    """What is wrong with a scheduler address, or None."""
    if not isinstance(address, str):
        return "is not text"
    if not address.startswith("tcp://"):
        return "is not a tcp:// address"
    match = _ADDRESS.fullmatch(address)
    if match is None:
        return "is not tcp://HOST:PORT"
    host, port = match.group(1), int(match.group(2))
    if not 1 <= port <= 65_535:
        return f"has port {port}, outside 1 to 65535"
    if host.startswith("["):
        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            return "has no IPv6 address in its brackets"
        return None
    if len(host) > 253 or not all(_LABEL.fullmatch(label) for label in host.split(".")):
        return "has no valid host name"
    if host.replace(".", "").isdigit():
        try:
            ipaddress.IPv4Address(host)
        except ValueError:
            return "has no valid IPv4 address"
    return None


def _renumber(frame: pd.DataFrame, start: int) -> pd.DataFrame:
    frame = frame.reset_index(drop=True)
    if "trial" in frame.columns and start:
        frame["trial"] = frame["trial"] + start
    return frame


# --------------------------------------------------------------------------------------------
# The folder of a run: its manifest and its chunk files
# --------------------------------------------------------------------------------------------

MANIFEST_MAX_BYTES = 1_048_576
"""A manifest is a few hundred bytes; a larger file is not one (and is not read)."""
_MANIFEST_FIELDS: dict[str, tuple[int, int] | None] = {
    "format": (_FORMAT, _FORMAT), "task": None, "seed": (0, 2**63 - 1),
    "n_trials": (1, MAX_UNITS), "chunk_trials": (1, 10_000_000),
    "n_chunks": (1, MAX_CHUNKS)}
"""A manifest's fields: the range of the whole numbers, None for the task (an object)."""
_RECORD_MAX_BYTES = 65_536
"""A chunk's record is a few hundred bytes; a larger file is not one (and is not read)."""


def _show(path: Path) -> str:
    """A path as a one-line message shows it."""
    text = str(path)
    return text if text.isprintable() else repr(text)


def _warn(text: str) -> None:
    """A warning line on standard error."""
    if sys.stderr is not None:
        print(f"warning: {text}", file=sys.stderr, flush=True)


def read_manifest(folder: str | Path) -> dict[str, Any]:
    """The manifest of the run in ``folder``, checked: one :class:`InputError` naming the
    file, what is wrong with it and what to do, for a manifest that is missing, not a
    file, too large, not JSON, not an object, or with a field missing or of the wrong kind
    (the one reader of manifests: :func:`run_chunks` and :meth:`RunnerOptions.chunk_trials`)."""
    path = Path(folder) / MANIFEST

    def bad(why: str) -> InputError:
        return InputError(f"{_show(path)}: {why}; this folder cannot be resumed: start the "
                          "run again in a new folder")

    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            raise bad("is not a file")
        if info.st_size > MANIFEST_MAX_BYTES:
            raise bad(f"is {fmt_number(info.st_size)} bytes, not a manifest (at most "
                      f"{fmt_number(MANIFEST_MAX_BYTES)})")
        with open(path, "rb") as fh:
            raw = fh.read(MANIFEST_MAX_BYTES + 1)
    except OSError as exc:
        raise bad(f"cannot be read ({exc.strerror or type(exc).__name__})") from None
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise bad("is not UTF-8 text (damaged)") from None
    except (ValueError, RecursionError) as exc:
        raise bad(f"is not valid JSON ({_first_line(exc)})") from None
    if not isinstance(data, dict):
        raise bad(f"holds {_json_kind(data)}, not the JSON object of a manifest")
    for key, bounds in _MANIFEST_FIELDS.items():
        if key not in data:
            raise bad(f"has no {key!r}")
        value = data[key]
        if bounds is None:
            if not isinstance(value, dict):
                raise bad(f"{key} is {_json_value(value)}, not a JSON object")
        elif (isinstance(value, bool) or not isinstance(value, int)
                or not bounds[0] <= value <= bounds[1]):
            allowed = (fmt_number(bounds[0]) if bounds[0] == bounds[1] else
                       f"a whole number from {fmt_number(bounds[0])} to "
                       f"{fmt_number(bounds[1])}")
            raise bad(f"{key} is {_json_value(value)}, not {allowed}")
    if data["n_chunks"] != -(-data["n_trials"] // data["chunk_trials"]):
        raise bad(f"n_chunks is {fmt_number(data['n_chunks'])}, but "
                  f"{fmt_number(data['n_trials'])} units in chunks of "
                  f"{fmt_number(data['chunk_trials'])} make "
                  f"{fmt_number(-(-data['n_trials'] // data['chunk_trials']))}")
    return data


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    line = text[0] if text else type(exc).__name__
    return line if len(line) <= 160 else line[:157] + "..."


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "a boolean", int: "a number", float: "a number", str: "a string",
            list: "a list", dict: "an object"}.get(type(value), type(value).__name__)


def _json_value(value: Any) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return repr(value)  # 1.0, not "1": a number with a fraction is not a whole number
    if isinstance(value, int | float) and not isinstance(value, bool):
        return fmt_number(value)
    if isinstance(value, str):
        return repr(value[:40] + "..." if len(value) > 40 else value)
    return _json_kind(value)


def _run_id(manifest: dict[str, Any]) -> str:
    """The fingerprint of a run (its manifest), recorded in every chunk file."""
    return hashlib.sha256(json.dumps(manifest, sort_keys=True).encode()).hexdigest()[:32]


def _check_out_dir(folder: Path, manifest: dict[str, Any], sizes: Sequence[int],
                   resume: bool) -> tuple[dict[int, pd.DataFrame], set[int]]:
    """Check the folder of a run before any work (writing nothing): on ``resume``, its
    manifest must describe this run; the chunks already done, read back and checked
    (a damaged one is reported and left to be redone), and the chunks whose place is taken
    by something that is not a chunk file (redone, kept in memory only)."""
    if os.path.lexists(folder) and not folder.is_dir():
        raise InputError(f"{_show(folder)}: is not a folder; give a folder for the chunk "
                         "files")
    path = folder / MANIFEST
    if os.path.lexists(path):
        if not resume:
            raise InputError(f"{_show(folder)}: holds a Monte Carlo run already; resume it "
                             "(--resume) or choose another folder")
        old = read_manifest(folder)
        if old != manifest:
            diff = sorted(k for k in set(old) | set(manifest) if old.get(k) != manifest.get(k))
            shown = [k if k.isprintable() and len(k) <= 40 else repr(k[:40]) for k in diff[:6]]
            more = f" and {fmt_number(len(diff) - 6)} more" if len(diff) > 6 else ""
            raise InputError(f"{_show(path)}: describes another run (differs in "
                             f"{', '.join(shown)}{more}); resume with the same scenario, "
                             "seed, trials and chunk size")
        _remove_stale_temporaries(folder)
        return _load_chunks(folder, _run_id(manifest), sizes)
    if folder.is_dir() and any(folder.glob("chunk-*.parquet")):
        raise InputError(f"{_show(folder)}: has chunk files but no {MANIFEST}, so they "
                         "cannot be resumed; start the run in a new folder")
    return {}, set()


_TEMPORARY = re.compile(r"\.(chunk-[0-9]{5}\.(parquet|json)|manifest\.json)\.[a-z0-9_]{8}\.tmp")
"""The name of a temporary file of :func:`_write_atomic` (:func:`tempfile.mkstemp`'s)."""


def _remove_stale_temporaries(folder: Path) -> None:
    """Remove the temporary files a run killed while writing left in its folder (only
    regular files named as :func:`_write_atomic` names them: the runner's own)."""
    for path in folder.glob(".*.tmp"):
        if _TEMPORARY.fullmatch(path.name) and _kind(path) == "file":
            path.unlink(missing_ok=True)


def _load_chunks(folder: Path, run: str, sizes: Sequence[int]
                 ) -> tuple[dict[int, pd.DataFrame], set[int]]:
    frames: dict[int, pd.DataFrame] = {}
    unsaved: set[int] = set()
    for i, units in enumerate(sizes):
        path, rec = chunk_file(folder, i), record_file(folder, i)
        kinds = {path: _kind(path), rec: _kind(rec)}
        odd = [(p, k) for p, k in kinds.items() if k not in ("file", "missing")]
        if odd:  # neither replaced nor written through: the chunk is not saved
            _warn(f"{_show(odd[0][0])}: {odd[0][1]}, not a file of the run; chunk {i} is "
                  "redone and kept in memory only (move it away to let the run save the "
                  "chunk)")
            unsaved.add(i)
            continue
        if kinds[path] == "missing":
            continue
        frame, why = _read_chunk(folder, run, i, units)
        if frame is None:
            _warn(f"{_show(path)}: {why}; chunk {i} is redone")
        else:
            frames[i] = frame
    return frames, unsaved


def _kind(path: Path) -> str:
    """What is at ``path`` (links not followed): file, missing, or what it is in words."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return "missing"
    except OSError as exc:
        return f"cannot be examined ({exc.strerror or type(exc).__name__})"
    if stat.S_ISREG(mode):
        return "file"
    return ("is a folder" if stat.S_ISDIR(mode) else "is a symbolic link"
            if stat.S_ISLNK(mode) else "is not a regular file")


def _read_chunk(folder: Path, run: str, index: int, units: int
                ) -> tuple[pd.DataFrame | None, str]:
    """Chunk ``index``'s table if its file is the very file written for chunk ``index``
    of the run ``run`` with ``units`` units (its record: :func:`record_file`); else None
    and why not."""
    path, rec = chunk_file(folder, index), record_file(folder, index)
    try:
        if os.path.getsize(rec) > _RECORD_MAX_BYTES:
            raise ValueError("too large")
        record = json.loads(rec.read_bytes())
        size, rows, digest = int(record["bytes"]), int(record["rows"]), str(record["sha256"])
        kept = (record["run"], record["chunk"], record["units"])
    except FileNotFoundError:
        return None, (f"has no record {rec.name} (its writing was cut short, or an older "
                      "thaadsim wrote it)")
    except Exception:  # noqa: BLE001 - whatever is wrong, the record is damaged
        return None, f"its record {rec.name} is damaged"
    if kept != (run, index, units):
        return None, (f"is another chunk (of run {str(kept[0])[:12]}, chunk {kept[1]}, "
                      f"{kept[2]} units; expected run {run[:12]}, chunk {index}, {units} units)")
    try:
        with open(path, "rb") as fh:
            data = fh.read(size + 1)
    except OSError as exc:
        return None, f"cannot be read ({exc.strerror or type(exc).__name__})"
    if len(data) != size:
        return None, (f"has {fmt_number(len(data))}{'+' if len(data) > size else ''} bytes; "
                      f"its record says {fmt_number(size)} (damaged)")
    if hashlib.sha256(data).hexdigest() != digest:
        return None, "does not match its checksum (damaged)"
    import pandas as pd

    try:
        frame = pd.read_parquet(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - any failure to read is a damaged file
        return None, f"cannot be read as Parquet ({_first_line(exc)})"
    if len(frame) != rows:
        return None, f"has {fmt_number(len(frame))} rows; its record says {fmt_number(rows)}"
    return frame, ""


def _start_out_dir(folder: Path, manifest: dict[str, Any]) -> None:
    """Create the folder of a run and write its manifest, unless it holds one (resume)."""
    path = folder / MANIFEST
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if not os.path.lexists(path):
            _write_atomic(path, lambda tmp: Path(tmp).write_text(
                json.dumps(manifest, indent=1, sort_keys=True) + "\n"))
    except OSError as exc:
        raise InputError(f"{_show(folder)}: cannot write the run's folder "
                         f"({exc.strerror or _first_line(exc)})") from None


def _write_chunk(folder: Path, frame: pd.DataFrame, run: str, index: int,
                 units: int) -> None:
    """Write chunk ``index`` of the run ``run`` and its record: the chunk to a temporary
    file, then the record (with the temporary file's checksum), then the chunk renamed
    into place, so that a run killed at any moment leaves no chunk file that a record
    vouches for unless it is whole."""
    path = chunk_file(folder, index)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    os.close(fd)
    recorded = False
    try:
        frame.to_parquet(tmp, index=False)
        sha, size = hashlib.sha256(), 0
        with open(tmp, "rb") as fh:
            while block := fh.read(1 << 20):
                sha.update(block)
                size += len(block)
        record = {"run": run, "chunk": index, "units": units, "rows": len(frame),
                  "bytes": size, "sha256": sha.hexdigest()}
        _write_atomic(record_file(folder, index), lambda t: Path(t).write_text(
            json.dumps(record, sort_keys=True) + "\n"))
        recorded = True
        os.replace(tmp, path)
    except BaseException:
        with suppress(OSError):
            Path(tmp).unlink(missing_ok=True)
        if recorded:  # a record of a chunk not in place: nothing to vouch for
            with suppress(OSError):
                record_file(folder, index).unlink(missing_ok=True)
        raise


def _write_atomic(path: Path, write: Callable[[str], Any]) -> None:
    """``write(tmp)`` to a temporary file beside ``path``, renamed into place."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        with suppress(OSError):
            Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def progress_bar(enabled: bool, total: int, what: str, unit: str = "trials"
                 ) -> Iterator[Callable[[int], None]]:
    """A Rich progress bar on standard error over ``total`` ``unit`` (nothing when not
    ``enabled``): yields the function that advances it by ``k``."""
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


Execute = Callable[[Task, Sequence[int], Sequence[int], Sequence[np.random.SeedSequence]],
                   "Generator[tuple[int, pd.DataFrame], None, None]"]


@contextmanager
def _executor(executor: str, workers: int | None, scheduler: str | None
              ) -> Iterator[Execute]:
    """The executor, started (a Dask cluster reached or started) for the time of the
    block: a function ``(task, todo, sizes, seeds)`` yielding ``(chunk index, table)``."""
    if executor == "inprocess":
        yield _execute_inprocess
    elif executor == "processes":
        yield lambda task, todo, sizes, seeds: _execute_processes(task, todo, sizes, seeds,
                                                                  workers)
    else:
        with _dask_client(workers, scheduler) as client:
            yield lambda task, todo, sizes, seeds: _execute_dask(client, task, todo, sizes,
                                                                 seeds)


def _execute_inprocess(task: Task, todo: Sequence[int], sizes: Sequence[int],
                       seeds: Sequence[np.random.SeedSequence]
                       ) -> Generator[tuple[int, pd.DataFrame], None, None]:
    for i in todo:
        try:
            frame = task(sizes[i], seeds[i])
        except MemoryError:
            raise _out_of_memory(i, sizes[i]) from None
        yield i, frame


_WORKER_TASK: Any = None


def _install(task: Task) -> None:
    """A worker process's start: the task, and Ctrl-C left to the runner's process (which
    stops the workers), so that a worker prints no traceback of its own."""
    global _WORKER_TASK
    _WORKER_TASK = task
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _run_installed(trials: int, seed: np.random.SeedSequence) -> pd.DataFrame:
    return _WORKER_TASK(trials, seed)


def _execute_processes(task: Task, todo: Sequence[int], sizes: Sequence[int],
                       seeds: Sequence[np.random.SeedSequence],
                       workers: int | None) -> Generator[tuple[int, pd.DataFrame], None, None]:
    n = min(workers or os.cpu_count() or 1, len(todo))
    pool = ProcessPoolExecutor(max_workers=n, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_install, initargs=(task,))
    try:
        # keep a bounded number of chunks in flight, so results stream back in order of work
        pending: dict[Any, int] = {}
        queue = list(todo)
        while queue or pending:
            while queue and len(pending) < 2 * n:
                i = queue.pop(0)
                pending[pool.submit(_run_installed, sizes[i], seeds[i])] = i
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in sorted(finished, key=lambda f: pending[f]):
                i = pending.pop(fut)
                try:
                    frame = fut.result()
                except MemoryError:
                    raise _out_of_memory(i, sizes[i]) from None
                yield i, frame
    except BrokenProcessPool:
        _stop_pool(pool)
        raise _Stopped("a worker process died (killed, or out of memory)") from None
    except BaseException:  # Ctrl-C, the run's own failure, or the run's loop closing this
        _stop_pool(pool)
        raise
    pool.shutdown()


def _stop_pool(pool: ProcessPoolExecutor) -> None:
    """Stop a pool at once: chunks not started are cancelled, running ones are ended (their
    work is lost; every finished chunk is written already), no worker process is left."""
    # the pool's own table of its workers, read after the shutdown (which drops the pool's
    # reference to it): a worker the pool started while this was being called is in it too
    table = getattr(pool, "_processes", None) or {}
    with _sigint_ignored():  # a second Ctrl-C does not cut this short
        pool.shutdown(wait=False, cancel_futures=True)
        processes = list(table.values())
        for proc in processes:
            with suppress(Exception):
                proc.terminate()
        for proc in processes:
            with suppress(Exception):
                proc.join(5)
                if proc.is_alive():
                    proc.kill()
                    proc.join(5)


def _call(task: Task, trials: int, seed: np.random.SeedSequence) -> pd.DataFrame:
    return task(trials, seed)


@contextmanager
def _dask_client(workers: int | None, scheduler: str | None) -> Iterator[Any]:
    """A Dask client: of the scheduler at ``scheduler`` (reached within
    :data:`CONNECT_TIMEOUT_S`, else one :class:`InputError`), or of a LocalCluster of
    ``workers`` processes started on loopback."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:  # pragma: no cover - a dependency, but say what is missing
        raise InputError("dask: the Dask executor needs 'distributed' installed") from None
    if scheduler is None:
        with _sigint_ignored():  # the workers started now leave Ctrl-C to this process
            cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1, processes=True,
                                   threads_per_worker=1, host="127.0.0.1",
                                   dashboard_address=None,
                                   silence_logs=logging.CRITICAL)  # a failure is one line
        with cluster, Client(cluster) as client:
            yield client
        return
    try:
        client = Client(check_scheduler(scheduler), timeout=CONNECT_TIMEOUT_S)
    except Exception as exc:  # noqa: BLE001 - whatever the reason, the scheduler is not there
        raise InputError(f"scheduler: cannot reach a Dask scheduler at {scheduler} "
                         f"({_first_line(exc)}); is it running, and is the address "
                         "right?") from None
    try:
        yield client
    finally:  # a scheduler lost part-way cannot be told goodbye: nothing more to do
        with suppress(Exception):
            client.close(timeout=CONNECT_TIMEOUT_S)


@contextmanager
def _sigint_ignored() -> Iterator[None]:
    """Ctrl-C ignored while the block runs (in the main thread), so that the processes it
    starts inherit that (Python leaves an ignored SIGINT ignored) and leave Ctrl-C to this
    process, which stops them; a Ctrl-C in the meantime is lost."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old)


def _execute_dask(client: Any, task: Task, todo: Sequence[int], sizes: Sequence[int],
                  seeds: Sequence[np.random.SeedSequence]
                  ) -> Generator[tuple[int, pd.DataFrame], None, None]:
    import asyncio

    from distributed import KilledWorker, as_completed

    futures: dict[Any, int] = {}
    own = False
    try:
        # the client's timeout is the short one of connecting; sending the task takes longer
        shared = client.scatter(task, broadcast=True, hash=False, timeout=SCATTER_TIMEOUT_S)
        run = uuid.uuid4().hex[:12]
        futures = {client.submit(_call, shared, sizes[i], seeds[i],
                                 key=f"thaadsim-chunk-{run}-{i:05d}"): i for i in todo}
        for fut in as_completed(list(futures)):
            i = futures[fut]
            try:
                frame = fut.result()
            except KilledWorker:
                raise _Stopped(f"the Dask workers running chunk {i} died (killed, or out of "
                               "memory)") from None
            except MemoryError:
                raise _out_of_memory(i, sizes[i]) from None
            except Exception:
                own = fut.status == "error"  # the chunk's own error, else the cluster's
                raise
            yield i, frame
    except _Stopped:
        _cancel(client, futures)
        raise
    except (Exception, asyncio.CancelledError) as exc:  # the scheduler lost, or the chunk's
        _cancel(client, futures)
        if own:
            raise
        raise _Stopped(f"the Dask cluster lost the run's work (a worker died, or the "
                       f"scheduler went away: {type(exc).__name__}: {_first_line(exc)})"
                       ) from None
    except BaseException:  # Ctrl-C, or the run's loop closing this
        _cancel(client, futures)
        raise


def _cancel(client: Any, futures: dict[Any, int]) -> None:
    """Cancel the chunks still queued or running on the cluster (best effort: it may be
    gone)."""
    with suppress(Exception):
        client.cancel([f for f in futures if not f.done()])


# --------------------------------------------------------------------------------------------
# The command line's choice of executor and folder
# --------------------------------------------------------------------------------------------


def _check_holds_a_run(folder: Path) -> None:
    """Refuse to resume a folder that holds no interrupted run: neither a manifest of its own
    nor, for a study made of several runs (a raid curve's ``count-NNN``), one in a
    subfolder. Resuming such a folder would start a new run there, writing chunk files into
    a folder the user never gave thaadsim for them."""
    try:
        if (folder / MANIFEST).is_file() or any(
                (sub / MANIFEST).is_file() for sub in folder.iterdir() if sub.is_dir()):
            return
    except OSError as exc:
        raise InputError(f"--resume: {str(folder)!r} cannot be read ({exc.strerror}); give "
                         "the --chunks-dir of the interrupted run") from None
    raise InputError(f"--resume: {str(folder)!r} holds no interrupted run (no {MANIFEST}); "
                     "give the --chunks-dir of the interrupted run, or --chunks-dir DIR to "
                     "start a new one")


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
    root: str | None = None
    """The study's folder of a part (:meth:`within`): what the user resumes."""

    def __post_init__(self) -> None:
        if not self.part:  # a study's part lies in a folder checked already
            if self.resume is not None:
                check_chunks_dir(self.resume, "--resume", must_exist=True)
                _check_holds_a_run(Path(self.resume))
            if self.chunks_dir is not None:
                check_chunks_dir(self.chunks_dir, "--chunks-dir")
        if self.executor is not None and self.executor not in EXECUTORS:
            raise InputError(f"--executor: unknown {self.executor!r}; allowed: "
                             f"{', '.join(EXECUTORS)}")
        if self.workers is not None:
            check("workers", self.workers, "--workers")
        if self.scheduler is not None:
            check_scheduler(self.scheduler, "--scheduler")
        if self.chunk_size is not None:
            check("chunk_size", self.chunk_size, "--chunk-size")
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
            resume=str(Path(self.resume) / name) if self.resume else None, part=True,
            root=self.root if self.root is not None else self.resume or self.chunks_dir)

    def run(self, task: Task, n_units: int, seed: int, *, default_chunk: int,
            progress: bool = True, label: str = "Monte Carlo") -> pd.DataFrame:
        """:func:`run_chunks` with these options (``resume`` continues only a folder that
        holds a run; a missing sub-run of a study is started there)."""
        folder = self.folder
        resume = (self.resume is not None and folder is not None
                  and os.path.lexists(folder / MANIFEST))
        try:
            return run_chunks(task, n_units, seed,
                              chunk_trials=self.chunk_trials(default_chunk),
                              executor=self.resolved_executor(), workers=self.workers,
                              scheduler=self.scheduler, out_dir=folder, resume=resume,
                              progress=progress and sys.stderr is not None, label=label)
        except (RunFailed, RunInterrupted) as exc:
            if self.root is None or exc.folder is None:
                raise
            # a part of a study: the study's folder is what holds (and resumes) its runs
            root = Path(self.root)
            raise stopped(type(exc), exc.what, root, _count_saved(root)) from None

    def chunk_trials(self, default_chunk: int) -> int:
        """The chunk size :meth:`run` uses (part of what its result depends on): the one
        given, else, on ``--resume``, the interrupted run's (from its manifest), else the
        task's default."""
        if self.chunk_size is not None:
            return self.chunk_size
        folder = self.folder
        if (self.resume is not None and folder is not None
                and os.path.lexists(folder / MANIFEST)):
            return int(read_manifest(folder)["chunk_trials"])
        return default_chunk

    def describe(self) -> dict[str, Any]:
        """The options as JSON, for a command's output."""
        folder = self.folder
        return {"executor": self.resolved_executor(), "workers": self.workers,
                "scheduler": self.scheduler, "chunks_dir": str(folder) if folder else None,
                "resumed": self.resume is not None, "chunk_size": self.chunk_size}


def _count_saved(root: Path) -> int:
    """The finished chunks in the runs under ``root`` (a chunk file with its record)."""
    with suppress(OSError):
        return sum(1 for path in root.rglob("chunk-*.parquet")
                   if _kind(path) == "file" and _kind(path.with_suffix(".json")) == "file")
    return 0


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
    distinct threat (:func:`thaadsim.engagement.engage_prepared` gives the statistical meaning).

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
                "missiles": sorted({th.missile.slug for th in self.raid}),
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
        res = engage_prepared(prep, trials, np.random.default_rng(seed))
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


@cache
def _categories() -> tuple[pd.CategoricalDtype, pd.CategoricalDtype]:
    """The outcome and reason columns' categories (made on first use: pandas is imported
    there)."""
    import pandas as pd

    return (pd.CategoricalDtype([fc.OUTCOMES[k] for k in sorted(fc.OUTCOMES)]),
            pd.CategoricalDtype(["", *(fc.REASONS[k] for k in sorted(fc.REASONS))]))


_THREAT_COLUMNS = ("trial", "threat", "missile", "outcome_code", "outcome", "reason", "battery",
                   "shot", "killed_at_s", "endangering", "hits_asset", "engageable",
                   "shot_opportunities", "first_detection_s", "firm_track_s", "impact_s")
"""The columns of :attr:`thaadsim.engagement.Result.threats`, in its order."""
_FRAME_ONLY = ("interceptors", "p_kill_sum", "pool_sample")
"""The columns :func:`engagement_frame` adds that are not :attr:`Result.threats`'."""
_NO_SHOTS = fc.shots_table(fc.new_plan(0, 0))
SHOT_COLUMNS = {**{f"shots_{f.name}": f.name for f in dataclasses.fields(_NO_SHOTS)
                   if f.name not in ("trial", "threat")}, "shots_decoy": "decoy"}
"""The list columns of an :class:`EngagementTask` table with shots, by the column of
:attr:`thaadsim.engagement.Result.shots` they hold (trial and threat are the row's)."""


def engagement_frame(res: Any, prep: Prepared, *, shots: bool = False) -> pd.DataFrame:
    """A :func:`thaadsim.engagement.engage_prepared` result as a DataFrame (text as categoricals),
    one row per trial and threat.

    With ``shots``, the interceptors fired at each threat in that trial are kept in list
    columns (:data:`SHOT_COLUMNS`: ``shots_battery``, ``shots_shot``, ``shots_launch_s``,
    ``shots_intercept_s``, ``shots_intercept_alt_m``, ``shots_p_kill``, ``shots_killed``,
    ``shots_decoy``),
    in the order they were planned; :func:`engagement_result` turns the table back into a
    :class:`~thaadsim.engagement.Result`."""
    import pandas as pd

    outcomes, reasons = _categories()
    plan = res.extra["plan"]
    n, trials = res.n_threats, res.trials
    missiles = sorted({th.missile.slug for th in prep.raid})
    missile_code = np.array([missiles.index(th.missile.slug) for th in prep.raid])
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
        "outcome": pd.Categorical.from_codes(plan.outcome.ravel(), dtype=outcomes),
        "reason": pd.Categorical.from_codes(reason_code, dtype=reasons),
        "battery": pd.Categorical.from_codes(plan.by_battery.ravel() + 1, dtype=batteries),
    }
    for name in t:  # the rest as they are (sensor, coasting and decoy columns included)
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
    :func:`~thaadsim.engagement.engage_prepared` gives it and the shots table, ordered by
    trial, then threat, then as planned."""
    import pandas as pd

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
    sensors = () if defense.perfect_tracking else tuple(s.name for s in defense.sensors)
    for name in (*_THREAT_COLUMNS, *sensor_column_names(sensors)):
        col = frame[name]
        threats[name] = (np.asarray(col.astype(str), dtype=str)
                         if isinstance(col.dtype, pd.CategoricalDtype) else col.to_numpy())
    for name in frame.columns:  # what engage_prepared adds where it applies (coasting, decoys)
        if name not in threats and name not in _FRAME_ONLY and name not in SHOT_COLUMNS:
            threats[name] = frame[name].to_numpy()
    fired = frame["interceptors"].to_numpy()
    shots: dict[str, Any] = {"trial": np.repeat(threats["trial"], fired),
                             "threat": np.repeat(threats["threat"], fired)}
    for column, name in SHOT_COLUMNS.items():
        empty = getattr(_NO_SHOTS, name, np.zeros(0, dtype=bool))  # decoy: a flag
        parts = [empty, *frame[column].to_numpy()]
        shots[name] = np.concatenate(parts).astype(empty.dtype, copy=False)
    return Result(threats=threats, shots=shots, trials=len(frame) // n, n_threats=n,
                  batteries=tuple(b.slug for b in defense.batteries), extra=dict(extra or {}),
                  sensors=sensors)


def sensor_column_names(sensors: Sequence[str]) -> list[str]:
    """The threats table's per-sensor columns
    (:func:`thaadsim.engagement.sensor_columns`), in its order."""
    return [f"{name}.{what}" for name in sensors
            for what in ("first_detection_s", "firm_track_s")]


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


def run_pooled_engagement(
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


__all__ = ["CONNECT_TIMEOUT_S", "DEFAULT_CHUNK_TRIALS", "DEFAULT_POOL_SIZE", "EXECUTORS",
           "SCHEDULER_FORM", "SHOT_COLUMNS", "EngagementRun", "EngagementTask",
           "RunnerOptions", "Task", "check_scheduler", "chunk_file", "chunk_seeds",
           "engagement_frame", "engagement_result", "read_manifest", "record_file", "run_chunks",
           "run_pooled_engagement", "sampling", "shared_seed", "stopped", "tracking_pool"]
