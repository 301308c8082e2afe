"""A run stopped part-way (issue 12: "nothing a user wrote or computed is lost").

A long run can stop for reasons outside its input: a worker process dies (killed, or out of
memory), the Dask cluster is lost, the user presses Ctrl-C, the disk fills or the chunk
folder becomes unwritable, a chunk runs out of memory. Each ends in one line (a
:class:`~thaadsim.errors.RunFailed`, exit status 2; Ctrl-C a
:class:`~thaadsim.errors.RunInterrupted`, exit status 130) that says what happened, how many
finished chunks are kept in which folder and the option that continues the run
(``--resume DIR``), or, with no folder, that nothing was kept and how to make a run
resumable. The finished chunks stay on disk, whole (no temporary file, no record without
its chunk), a later resume redoes only the rest and gives the uninterrupted result, and no
worker process is left behind.
"""

from __future__ import annotations

import errno
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from thaadsim.errors import RunFailed, RunInterrupted
from thaadsim.studies import montecarlo as mc

UNITS, CHUNK, SEED = 23, 6, 11  # 4 chunks: 6, 6, 6 and 5 units
N_CHUNKS = 4
TESTS = Path(__file__).resolve().parent
SRC = TESTS.parent / "src"


def index_of(seed: np.random.SeedSequence) -> int:
    """The chunk whose stream ``seed`` is (:func:`thaadsim.studies.montecarlo.chunk_seeds`)."""
    return int(seed.spawn_key[-1])


@dataclass(frozen=True)
class Tiny:
    """A task that runs in microseconds; ``fail`` chunk ``at`` fails as asked: ``memory``
    (MemoryError), ``interrupt`` (KeyboardInterrupt, as Ctrl-C), ``die`` (its process
    killed with SIGKILL), after ``delay_s``; every chunk sleeps ``sleep_s`` and, with
    ``log``, appends its index and process id to that file."""

    fail: str = ""
    at: int = -1
    delay_s: float = 0.0
    sleep_s: float = 0.0
    log: str = ""

    def describe(self) -> dict[str, Any]:
        return {"task": "tiny"}  # the same run whatever the failure: resumable by a good one

    def __call__(self, trials: int, seed: np.random.SeedSequence) -> pd.DataFrame:
        i = index_of(seed)
        if self.log:
            with open(self.log, "a") as fh:
                fh.write(f"{i} {os.getpid()}\n")
        time.sleep(self.sleep_s)
        if i == self.at:
            time.sleep(self.delay_s)
            if self.fail == "memory":
                raise MemoryError
            if self.fail == "interrupt":
                raise KeyboardInterrupt
            if self.fail == "die":
                os.kill(os.getpid(), signal.SIGKILL)
        x = np.random.default_rng(seed).normal(size=trials)
        return pd.DataFrame({"trial": np.arange(trials), "x": x})


def run(folder: Path | None, task: Any = None, resume: bool = False,
        **kw: Any) -> pd.DataFrame:
    return mc.run_chunks(task or Tiny(), UNITS, SEED, chunk_trials=CHUNK, out_dir=folder,
                         resume=resume, progress=False, **kw)


REFERENCE = run(None)


def saved_chunks(folder: Path) -> set[int]:
    """The chunks whose file and record are in ``folder``."""
    return {i for i in range(N_CHUNKS)
            if mc.chunk_file(folder, i).is_file() and mc.record_file(folder, i).is_file()}


def assert_clean(folder: Path) -> None:
    """Nothing half-written: no temporary file, and no record without its chunk (or the
    other way round)."""
    names = sorted(p.name for p in folder.iterdir())
    assert not [n for n in names if n.endswith(".tmp")], names
    for i in range(N_CHUNKS):
        assert mc.chunk_file(folder, i).exists() == mc.record_file(folder, i).exists(), names


def assert_resumes(folder: Path, expect_redone: set[int], tmp_path: Path) -> None:
    """A resume redoes exactly the chunks not saved, and gives the uninterrupted result."""
    log = tmp_path / "resume.log"
    got = run(folder, Tiny(log=str(log)), resume=True)
    pd.testing.assert_frame_equal(got, REFERENCE)
    redone = {int(line.split()[0]) for line in log.read_text().splitlines()} \
        if log.exists() else set()
    assert redone == expect_redone
    assert saved_chunks(folder) == set(range(N_CHUNKS))


def one_line(text: str) -> str:
    assert "\n" not in text and text.isprintable(), text
    return text


def assert_kept_line(text: str, folder: Path, saved: int) -> None:
    one_line(text)
    assert f"; {saved} of {N_CHUNKS} finished chunks are kept in {folder}; " in text, text
    assert text.endswith(f"continue with --resume {folder}"), text


# --------------------------------------------------------------------------------------------
# In this process: a chunk that fails, Ctrl-C, a full disk
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("executor", ["inprocess"])
def test_a_chunk_out_of_memory_keeps_the_finished_chunks(executor: str, tmp_path: Path) -> None:
    folder = tmp_path / "run"
    with pytest.raises(RunFailed) as exc:
        run(folder, Tiny(fail="memory", at=2), executor=executor)
    text = str(exc.value)
    assert text.startswith("chunk 2 (6 units) ran out of memory (a smaller --chunk-size "
                           "needs less)"), text
    assert_kept_line(text, folder, 2)
    assert (exc.value.folder, exc.value.saved) == (str(folder), 2)
    assert saved_chunks(folder) == {0, 1}
    assert_clean(folder)
    assert_resumes(folder, {2, 3}, tmp_path)


def test_ctrl_c_keeps_the_finished_chunks(tmp_path: Path) -> None:
    folder = tmp_path / "run"
    with pytest.raises(RunInterrupted) as exc:
        run(folder, Tiny(fail="interrupt", at=1))
    assert not isinstance(exc.value, Exception)  # `except Exception` does not swallow it
    text = str(exc.value)
    assert text.startswith("interrupted (Ctrl-C); "), text
    assert_kept_line(text, folder, 1)
    assert saved_chunks(folder) == {0}
    assert_clean(folder)
    assert_resumes(folder, {1, 2, 3}, tmp_path)


def test_without_a_folder_the_line_says_nothing_was_kept() -> None:
    for task, kind, start in [(Tiny(fail="interrupt", at=1), RunInterrupted, "interrupted"),
                              (Tiny(fail="memory", at=3), RunFailed, "chunk 3 (5 units)")]:
        with pytest.raises(kind) as exc:
            run(None, task)
        text = one_line(str(exc.value))
        assert text.startswith(start), text
        assert text.endswith("; nothing was kept (give --chunks-dir DIR to keep each finished "
                             "chunk, and --resume DIR to continue a stopped run)"), text
        assert exc.value.folder is None


def test_ctrl_c_while_a_chunk_is_written_leaves_no_half_written_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C between the record and the rename of chunk 1: neither is left."""
    folder = tmp_path / "run"
    real = os.replace

    def replace(src: Any, dst: Any) -> None:
        if Path(dst).name == mc.chunk_file(folder, 1).name:
            raise KeyboardInterrupt
        real(src, dst)

    monkeypatch.setattr(mc.os, "replace", replace)
    with pytest.raises(RunInterrupted) as exc:
        run(folder)
    monkeypatch.undo()
    assert_kept_line(str(exc.value), folder, 1)
    assert saved_chunks(folder) == {0}
    assert not mc.record_file(folder, 1).exists()
    assert_clean(folder)
    assert_resumes(folder, {1, 2, 3}, tmp_path)


FULL = [(errno.ENOSPC, "No space left on device"), (errno.EACCES, "Permission denied"),
        (errno.EROFS, "Read-only file system"), (errno.EDQUOT, "Disk quota exceeded")]


@pytest.mark.parametrize("stage", ["parquet", "record", "rename"])
@pytest.mark.parametrize(("code", "reason"), FULL, ids=[str(c) for c, _ in FULL])
def test_a_disk_that_fills_part_way_keeps_the_finished_chunks(
        stage: str, code: int, reason: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The write of chunk 2 fails at each of its steps (the chunk half-written to its
    temporary file, the record, the rename): one line naming the chunk, the folder and the
    reason; the chunks before it kept, nothing half-written left."""
    folder = tmp_path / "run"
    target = {"parquet": mc.chunk_file(folder, 2).name, "record": mc.record_file(folder, 2).name,
              "rename": mc.chunk_file(folder, 2).name}[stage]
    real_parquet, real_replace = pd.DataFrame.to_parquet, os.replace

    def to_parquet(self: pd.DataFrame, path: Any, *args: Any, **kw: Any) -> Any:
        if stage == "parquet" and Path(path).name.startswith(f".{target}."):
            Path(path).write_bytes(b"PAR1 half a chunk")
            raise OSError(code, reason)
        return real_parquet(self, path, *args, **kw)

    def replace(src: Any, dst: Any) -> None:
        if stage != "parquet" and Path(dst).name == target:
            raise OSError(code, reason)
        real_replace(src, dst)

    monkeypatch.setattr(pd.DataFrame, "to_parquet", to_parquet)
    monkeypatch.setattr(mc.os, "replace", replace)
    with pytest.raises(RunFailed) as exc:
        run(folder)
    monkeypatch.undo()
    text = str(exc.value)
    assert text.startswith(f"cannot write chunk 2 in {folder} ({reason}); "), text
    assert_kept_line(text, folder, 2)
    assert saved_chunks(folder) == {0, 1}
    assert_clean(folder)
    assert_resumes(folder, {2, 3}, tmp_path)


def test_arrows_disk_full_error_is_said_in_the_systems_words(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Arrow reports a full disk in its own words, with the errno inside the text."""
    folder = tmp_path / "run"
    real = pd.DataFrame.to_parquet

    def to_parquet(self: pd.DataFrame, path: Any, *args: Any, **kw: Any) -> Any:
        if Path(path).name.startswith(f".{mc.chunk_file(folder, 1).name}."):
            raise OSError("Error writing bytes to file. Detail: [errno 28] No space left on "
                          "device")
        return real(self, path, *args, **kw)

    monkeypatch.setattr(pd.DataFrame, "to_parquet", to_parquet)
    with pytest.raises(RunFailed) as exc:
        run(folder)
    assert str(exc.value).startswith(f"cannot write chunk 1 in {folder} (No space left on "
                                     "device); 1 of 4 finished chunks are kept")


def test_a_folder_removed_part_way_is_one_line(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """The chunk folder removed (or its disk unmounted) while the run works."""
    import shutil

    folder = tmp_path / "run"
    real = Tiny.__call__

    def call(self: Tiny, trials: int, seed: np.random.SeedSequence) -> pd.DataFrame:
        if index_of(seed) == 2:
            shutil.rmtree(folder)
        return real(self, trials, seed)

    monkeypatch.setattr(Tiny, "__call__", call)
    with pytest.raises(RunFailed) as exc:
        run(folder)
    text = one_line(str(exc.value))
    assert text.startswith(f"cannot write chunk 2 in {folder} (No such file or directory)")


def test_a_study_names_its_own_folder(tmp_path: Path) -> None:
    """A part of a study (one folder per raid size) names the study's folder, what the
    user resumes, and the chunks kept in all its parts."""
    root = tmp_path / "study"
    opts = mc.RunnerOptions(chunks_dir=str(root), chunk_size=CHUNK)
    opts.within("count-001").run(Tiny(), UNITS, SEED, default_chunk=CHUNK, progress=False)
    with pytest.raises(RunInterrupted) as exc:
        opts.within("count-002").run(Tiny(fail="interrupt", at=2), UNITS, SEED,
                                     default_chunk=CHUNK, progress=False)
    text = one_line(str(exc.value))
    assert text == (f"interrupted (Ctrl-C); 6 finished chunks are kept in {root}; "
                    f"continue with --resume {root}")
    assert (exc.value.folder, exc.value.saved) == (str(root), 6)


def test_a_folder_name_is_shown_as_the_shell_takes_it(tmp_path: Path) -> None:
    folder = tmp_path / "my run's chunks"
    with pytest.raises(RunFailed) as exc:
        run(folder, Tiny(fail="memory", at=1))
    quoted = "'" + str(folder).replace("'", "'\"'\"'") + "'"
    assert str(exc.value).endswith(f"continue with --resume {quoted}")


def test_a_chunks_own_error_is_left_as_it_is(tmp_path: Path) -> None:
    """A chunk's own error (a bug, or bad input found late) is not called a stop."""

    @dataclass(frozen=True)
    class Buggy(Tiny):
        def __call__(self, trials: int, seed: np.random.SeedSequence) -> pd.DataFrame:
            raise ZeroDivisionError("a bug")

    with pytest.raises(ZeroDivisionError, match="^a bug$"):  # the bug itself, not a wrapper
        run(tmp_path / "run", Buggy())


# --------------------------------------------------------------------------------------------
# The command line: exit status and the one line
# --------------------------------------------------------------------------------------------


def cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    from thaadsim.cli import main

    with pytest.raises(SystemExit) as exc:
        main(args)
    code = exc.value.code
    assert isinstance(code, int)
    return code, capsys.readouterr().err.strip().splitlines()


SENSITIVITY = ["sensitivity", "korea-2017", "--output", "detection_range", "--samples", "8",
               "--chunk-size", "8", "--json"]


def test_cli_ctrl_c_on_the_runner(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from thaadsim.studies.sensitivity import SensitivityTask

    folder = tmp_path / "chunks"
    real = SensitivityTask.__call__

    def call(self: Any, trials: int, seed: np.random.SeedSequence) -> pd.DataFrame:
        if index_of(seed) == 1:
            raise KeyboardInterrupt
        return real(self, trials, seed)

    monkeypatch.setattr(SensitivityTask, "__call__", call)
    code, err = cli([*SENSITIVITY, "--chunks-dir", str(folder)], capsys)
    assert code == 130
    assert len(err) == 1, err
    n = len(list(folder.glob("chunk-*.parquet")))
    assert n == 1
    assert err[0].startswith("error: interrupted (Ctrl-C); 1 of "), err
    assert err[0].endswith(f"finished chunks are kept in {folder}; continue with --resume "
                           f"{folder}"), err
    monkeypatch.undo()
    code, err = cli([*SENSITIVITY, "--resume", str(folder)], capsys)
    assert code == 0, err


def test_cli_run_failed_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from thaadsim.studies.sensitivity import SensitivityTask

    def call(self: Any, trials: int, seed: np.random.SeedSequence) -> pd.DataFrame:
        raise MemoryError

    monkeypatch.setattr(SensitivityTask, "__call__", call)
    code, err = cli(SENSITIVITY, capsys)
    assert code == 2
    assert len(err) == 1, err
    assert err[0].startswith("error: chunk 0 (8 units) ran out of memory"), err
    assert err[0].endswith("nothing was kept (give --chunks-dir DIR to keep each finished "
                           "chunk, and --resume DIR to continue a stopped run)"), err


@pytest.mark.parametrize(("args", "hint"), [(["run", "korea-2017"], True),
                                             (["fly"], False)])
def test_cli_ctrl_c_outside_the_runner(args: list[str], hint: bool,
                                       capsys: pytest.CaptureFixture[str],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C anywhere else (the per-trial `run`, a command with nothing to keep): one
    line, exit status 130; for a command that can run on the runner, how to keep its
    work."""

    def interrupt(*args: Any, **kw: Any) -> Any:
        raise KeyboardInterrupt

    import thaadsim.commands
    import thaadsim.run

    monkeypatch.setattr(thaadsim.run, "run_engagement", interrupt)
    monkeypatch.setattr(thaadsim.commands, "_fly_missile", interrupt)
    code, err = cli(args, capsys)
    assert code == 130, err
    assert len(err) == 1, err
    want = "error: interrupted (Ctrl-C); nothing was kept"
    if hint:
        want += (" (give --chunks-dir DIR to keep each finished chunk, and --resume DIR to "
                 "continue a stopped run)")
    assert err[0] == want


def test_cli_ctrl_c_outside_the_runners_loop_names_the_folder(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C while a resumed run reads its chunks back (or writes its report, after the
    runner's loop): the folder keeps what it holds, and the line says so."""
    folder = tmp_path / "a b"
    assert cli([*SENSITIVITY, "--chunks-dir", str(folder)], capsys)[0] == 0

    def interrupt(*args: Any, **kw: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(mc, "_load_chunks", interrupt)
    for option in (["--resume", str(folder)], [f"--resume={folder}"]):
        code, err = cli([*SENSITIVITY, *option], capsys)
        assert code == 130, err
        assert err == [f"error: interrupted (Ctrl-C); the finished chunks are kept in "
                       f"'{folder}'; continue with --resume '{folder}'"]


# --------------------------------------------------------------------------------------------
# Real processes: a worker killed, Ctrl-C to the whole process group
# --------------------------------------------------------------------------------------------


def alive(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie, dead but not reaped, does not)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


@pytest.mark.slow  # starts a pool of processes
def test_a_killed_pool_worker_keeps_the_finished_chunks(tmp_path: Path) -> None:
    folder, log = tmp_path / "run", tmp_path / "work.log"
    before = set(multiprocessing.active_children())  # other tests' pools may linger
    with pytest.raises(RunFailed) as exc:
        run(folder, Tiny(fail="die", at=2, delay_s=1.0, log=str(log)), executor="processes",
            workers=2)
    text = one_line(str(exc.value))
    assert text.startswith("a worker process died (killed, or out of memory); "), text
    kept = saved_chunks(folder)
    assert 2 not in kept and {0, 1} <= kept
    assert_kept_line(text, folder, len(kept))
    assert_clean(folder)
    # this run's pool is gone: its workers were ended; a spawned interpreter can take a
    # moment to exit and be reaped on a loaded machine, so allow it 10 s (a pool left
    # running never goes)
    deadline = time.monotonic() + 10.0
    while set(multiprocessing.active_children()) - before and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not set(multiprocessing.active_children()) - before
    pids = {int(line.split()[1]) for line in log.read_text().splitlines()}
    assert not [p for p in pids if alive(p)]
    assert_resumes(folder, set(range(N_CHUNKS)) - kept, tmp_path)


@pytest.mark.slow  # starts a Dask cluster
def test_a_dask_worker_killed_for_good_keeps_the_finished_chunks(tmp_path: Path) -> None:
    import dask

    folder = tmp_path / "run"
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        with pytest.raises(RunFailed) as exc:
            run(folder, Tiny(fail="die", at=2, delay_s=1.0), executor="dask",
                workers=2)
    text = one_line(str(exc.value))
    assert text.startswith(("the Dask workers running chunk 2 died (killed, or out of "
                            "memory); ", "the Dask cluster lost the run's work (a worker "
                            "died, or the scheduler went away: ")), text
    kept = saved_chunks(folder)
    assert 2 not in kept
    assert_kept_line(text, folder, len(kept))
    assert_clean(folder)
    assert_resumes(folder, set(range(N_CHUNKS)) - kept, tmp_path)


SCRIPT = """
import sys
sys.path[:0] = [{tests!r}, {src!r}]
from thaadsim.errors import RunInterrupted
from thaadsim.studies import montecarlo as mc
from test_runner_failures import Tiny
try:
    mc.run_chunks(Tiny(sleep_s=0.4, log={log!r}), 23, 11, chunk_trials=3, executor={executor!r},
                  workers=2, out_dir={folder!r}, progress=False)
except RunInterrupted as exc:
    print("error: " + str(exc), file=sys.stderr)
    sys.exit(130)
"""


@pytest.mark.slow  # starts processes and waits for chunks
@pytest.mark.parametrize("executor", ["processes", "inprocess", "dask"])
def test_ctrl_c_to_the_process_group_stops_every_worker(executor: str, tmp_path: Path) -> None:
    """Ctrl-C as a terminal sends it (to the whole foreground process group, workers too):
    one line on stderr, exit status 130, no worker left, a resume redoes only the rest."""
    folder, log = tmp_path / "run", tmp_path / "work.log"
    script = SCRIPT.format(tests=str(TESTS), src=str(SRC), log=str(log), executor=executor,
                           folder=str(folder))
    proc = subprocess.Popen([sys.executable, "-c", script], stderr=subprocess.PIPE,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while len(list(folder.glob("chunk-*.json"))) < 2:
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            assert time.monotonic() < deadline, "no two chunks within 60 s"
            time.sleep(0.05)
        os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    lines = err.decode().strip().splitlines()
    assert proc.returncode == 130, lines
    assert len(lines) == 1, lines
    n_chunks = 8
    kept = {i for i in range(n_chunks) if mc.record_file(folder, i).is_file()}
    assert lines[0] == (f"error: interrupted (Ctrl-C); {len(kept)} of {n_chunks} finished "
                        f"chunks are kept in {folder}; continue with --resume {folder}")
    assert not [p for p in {int(x.split()[1]) for x in log.read_text().splitlines()}
                if alive(p)]
    assert not list(folder.glob(".*.tmp"))
    relog = tmp_path / "resume.log"
    got = mc.run_chunks(Tiny(log=str(relog)), 23, 11, chunk_trials=3, out_dir=folder,
                        resume=True, progress=False)
    pd.testing.assert_frame_equal(got, mc.run_chunks(Tiny(), 23, 11, chunk_trials=3,
                                                     progress=False))
    assert {int(x.split()[0]) for x in relog.read_text().splitlines()} \
        == set(range(n_chunks)) - kept
