"""Output locations (issue 12, cases 1-4, 7 and the folder names of 8): thaadsim writes where
it is asked or refuses in one line before any work, and never removes a file it did not
write.

DESIGN: the report folder is written by :func:`thaadsim.report.bundle.write_outputs` with
its two writers replaced by fakes that write the same layout (the checks, the staging, the
marker and the replacement are what is tested, not the report); the command line is called
in this process with the simulation replaced by a function that fails the test, so that a
refusal is seen to come before any work. Every test builds a sandbox of sentinel files (in
the working directory, beside the target, above it, behind symbolic links) and checks that
each survives with its content. Hypothesis draws output paths from the classes that broke
before: folders, the working directory and its ancestors, ``/``, ``/proc`` and ``/sys``,
missing parents, files, symbolic links (to the working directory, to the root, to
nothing), and names of odd characters and many bytes.
"""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import textwrap
import time
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from process_helpers import sigkill_when

from thaadsim.errors import InputError
from thaadsim.outputs import (
    CSV_HEADERS,
    FOLDER_NAME_MAX_BYTES,
    MARKER,
    TEMP_PREFIX,
    check_apart,
    check_chunks_dir,
    check_output_file,
    check_output_folder,
    clean_stale,
    clean_stale_temp,
    html_generator_meta,
    netcdf_attrs,
    read_marker,
    remove_written,
    replacing,
    safe_slug,
    save_png,
    write_text,
    written_by_thaadsim,
)
from thaadsim.report import bundle
from thaadsim.report.bundle import LAYOUT, write_outputs

SRC = Path(__file__).resolve().parents[1] / "src"


# --------------------------------------------------------------------------------------------
# Helpers: a sandbox of sentinels, fake writers
# --------------------------------------------------------------------------------------------


def fake_report(out: Any, path: Path, **_: Any) -> None:  # claims=
    Path(path).write_text("<html>report</html>")


def fake_exports(out: Any, directory: Path) -> dict[str, Path]:
    paths = {}
    for name in LAYOUT:
        if name == "report.html":
            continue
        p = Path(directory) / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(f"thaadsim {name}")
        paths[p.stem] = p
    return paths


@pytest.fixture(autouse=True)
def fake_writers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("thaadsim.report.html.write_report", fake_report)
    monkeypatch.setattr("thaadsim.report.exports.write_exports", fake_exports)
    monkeypatch.setattr("thaadsim.studies.claims.check_claims", lambda out, quick=False: [])


def sentinels(root: Path) -> dict[Path, str]:
    """Files thaadsim did not write, all over ``root``: in it, in a subfolder, in a hidden
    folder with a staging-like name, in a folder named like a report."""
    files = {root / "notes.txt": "mine", root / "sub" / "deep" / "data.csv": "1,2,3",
             root / ".r.old-zzz" / "keep.txt": "not thaadsim's",
             root / ".r.abcdefgh" / "keep.txt": "not thaadsim's either",
             root / "lookalike-report" / "report.html": "a report I wrote by hand"}
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return files


def assert_intact(files: dict[Path, str]) -> None:
    for path, text in files.items():
        assert path.is_file() and path.read_text() == text, f"{path} lost"


def one_line(exc: InputError) -> str:
    msg = str(exc)
    assert msg and "\n" not in msg and "\r" not in msg
    return msg


@pytest.fixture
def sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, dict]]:
    """``tmp_path/work`` as the working directory, sentinels above, in and beside it."""
    work = tmp_path / "work"
    work.mkdir()
    files = {**sentinels(tmp_path), **sentinels(work)}
    monkeypatch.chdir(work)
    yield work, files
    assert_intact(files)


def no_simulation(monkeypatch: pytest.MonkeyPatch) -> None:
    def forbidden(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the simulation started before the output was checked")

    monkeypatch.setattr("thaadsim.run.run_engagement", forbidden)
    monkeypatch.setattr("thaadsim.run.run_on_runner", forbidden)


def dead_pid() -> int:
    """The process id of a process that has ended."""
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    return int(proc.stdout)


# --------------------------------------------------------------------------------------------
# Case 1: --force never replaces the working directory, an ancestor, home, root, or a folder
# thaadsim did not write
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("where", "message"), [
    (".", "is the working directory"),
    ("..", "holds the working directory"),
    ("../..", "holds the working directory"),
    ("/", "is the root of the file system"),
    ("link-to-work", "is the working directory"),
    ("link-to-parent", "holds the working directory"),
    ("sub", "was not written by thaadsim; choose another -o or remove it yourself"),
    ("notes.txt", "is a file, not a folder"),
    ("dangling", "is a symbolic link to nothing"),
])
def test_force_never_replaces_what_thaadsim_did_not_write(where: str, message: str,
                                                          sandbox: tuple[Path, dict]) -> None:
    work, _ = sandbox
    (work / "link-to-work").symlink_to(work)
    (work / "link-to-parent").symlink_to(work.parent)
    (work / "dangling").symlink_to(work / "nowhere")
    for force in (False, True):
        with pytest.raises(InputError) as exc:
            write_outputs(None, where, force=force)  # type: ignore[arg-type]
        assert message in one_line(exc.value)


def test_home_and_its_ancestors_are_refused(sandbox: tuple[Path, dict],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    work, _ = sandbox
    home = work / "home" / "me"
    home.mkdir(parents=True)
    (home / MARKER).write_text(json.dumps({"written_by": "thaadsim", "files": []}))
    monkeypatch.setenv("HOME", str(home))
    for where, message in ((home, "is the home directory"),
                           (home.parent, "holds the home directory")):
        with pytest.raises(InputError) as exc:
            check_output_folder(where, True)
        assert message in one_line(exc.value)
    assert (home / MARKER).exists()


def test_cli_run_refuses_the_working_directory_before_any_work(
        sandbox: tuple[Path, dict], monkeypatch: pytest.MonkeyPatch,
        cli_error: Callable[..., str]) -> None:
    """Issue 12, case 1: ``cd DIR && thaadsim run saturation --trials 3 -o . --force``."""
    no_simulation(monkeypatch)
    for where in (".", "..", "/", os.path.expanduser("~"), "sub"):
        msg = cli_error("run", "saturation", "--trials", "3", "-o", where, "--force")
        assert msg.startswith("error: -o: ")


def test_force_replaces_a_report_thaadsim_wrote_and_nothing_else(
        sandbox: tuple[Path, dict]) -> None:
    work, _ = sandbox
    written = write_outputs(None, "r")  # type: ignore[arg-type]
    assert sorted(p.as_posix() for p in written) == sorted(LAYOUT)
    marker = read_marker(work / "r")
    assert marker is not None and marker["state"] == "complete"
    assert sorted(marker["files"]) == sorted(LAYOUT) and marker["written_by"] == "thaadsim"
    with pytest.raises(InputError, match="exists; give --force"):
        write_outputs(None, "r")  # type: ignore[arg-type]
    (work / "r" / "report.html").write_text("old")
    write_outputs(None, "r", force=True)  # type: ignore[arg-type]
    assert (work / "r" / "report.html").read_text() == "<html>report</html>"
    # a file the user put in the report folder: the folder is not replaced
    (work / "r" / "results" / "my-notes.txt").write_text("mine")
    with pytest.raises(InputError) as exc:
        write_outputs(None, "r", force=True)  # type: ignore[arg-type]
    assert "holds files thaadsim did not write ('results/my-notes.txt')" in one_line(exc.value)
    assert (work / "r" / "results" / "my-notes.txt").read_text() == "mine"
    assert sorted(p.name for p in work.iterdir() if p.name.startswith(".r.")) == [
        ".r.abcdefgh", ".r.old-zzz"]  # the sentinels only: no staging left


def test_a_link_in_a_report_is_not_followed(sandbox: tuple[Path, dict]) -> None:
    work, files = sandbox
    write_outputs(None, "r")  # type: ignore[arg-type]
    (work / "r" / "results" / "summary.json").unlink()
    (work / "r" / "results" / "summary.json").symlink_to(work / "notes.txt")
    with pytest.raises(InputError, match="holds files thaadsim did not write"):
        write_outputs(None, "r", force=True)  # type: ignore[arg-type]
    assert remove_written(work / "r") is False  # the link stays, and what it points to
    assert (work / "r" / "results" / "summary.json").is_symlink()


@pytest.mark.parametrize("listed", ["../notes.txt", "/etc/hostname", "sub/../../notes.txt",
                                    "", ".", 7, None])
def test_a_forged_marker_cannot_reach_outside_its_folder(listed: Any,
                                                         sandbox: tuple[Path, dict]) -> None:
    work, _ = sandbox
    forged = work / "forged"
    forged.mkdir()
    (forged / "report.html").write_text("x")
    (forged / MARKER).write_text(json.dumps({"written_by": "thaadsim",
                                             "files": ["report.html", listed]}))
    assert read_marker(forged) is None
    with pytest.raises(InputError, match="was not written by thaadsim"):
        write_outputs(None, forged, force=True)  # type: ignore[arg-type]
    assert remove_written(forged) is False and (forged / "report.html").exists()


@pytest.mark.parametrize("marker", ["[]", '"thaadsim"', "{", '{"written_by": "me"}',
                                    '{"written_by": "thaadsim", "files": "report.html"}'])
def test_a_folder_with_a_bad_marker_is_not_thaadsims(marker: str,
                                                     sandbox: tuple[Path, dict]) -> None:
    work, _ = sandbox
    (work / "r").mkdir()
    (work / "r" / MARKER).write_text(marker)
    with pytest.raises(InputError, match="was not written by thaadsim"):
        write_outputs(None, "r", force=True)  # type: ignore[arg-type]
    assert (work / "r" / MARKER).read_text() == marker


def test_an_empty_folder_is_used_and_a_missing_one_made(sandbox: tuple[Path, dict]) -> None:
    work, _ = sandbox
    (work / "empty").mkdir()
    write_outputs(None, "empty")  # type: ignore[arg-type]
    write_outputs(None, work / "new")  # type: ignore[arg-type]
    for name in ("empty", "new"):
        assert read_marker(work / name) is not None
        assert (work / name / "results" / "summary.json").is_file()


def test_a_link_to_a_report_replaces_the_report_it_points_to(
        sandbox: tuple[Path, dict]) -> None:
    work, _ = sandbox
    write_outputs(None, "r")  # type: ignore[arg-type]
    (work / "link").symlink_to(work / "r")
    write_outputs(None, "link", force=True)  # type: ignore[arg-type]
    assert (work / "link").is_symlink() and read_marker(work / "r") is not None


def test_a_failed_write_leaves_the_old_report_and_no_staging(
        sandbox: tuple[Path, dict], monkeypatch: pytest.MonkeyPatch) -> None:
    work, _ = sandbox
    write_outputs(None, "r")  # type: ignore[arg-type]
    before = {p: p.read_bytes() for p in (work / "r").rglob("*") if p.is_file()}

    def broken(out: Any, directory: Path) -> dict[str, Path]:
        fake_exports(out, directory)
        raise OSError("disk full")

    monkeypatch.setattr("thaadsim.report.exports.write_exports", broken)
    with pytest.raises(OSError, match="disk full"):
        write_outputs(None, "r", force=True)  # type: ignore[arg-type]
    assert {p: p.read_bytes() for p in (work / "r").rglob("*") if p.is_file()} == before
    assert not [p for p in work.iterdir() if p.name.startswith(".r.")
                and p.name not in (".r.old-zzz", ".r.abcdefgh")]


def test_a_report_changed_during_the_run_is_checked_again(
        sandbox: tuple[Path, dict], monkeypatch: pytest.MonkeyPatch) -> None:
    """The command line checks the folder before the simulation; a file put in it while
    the simulation ran is still never removed."""
    work, _ = sandbox
    write_outputs(None, "r")  # type: ignore[arg-type]
    check_output_folder("r", True)

    def meanwhile(out: Any, path: Path, **_: Any) -> None:
        (work / "r" / "added-meanwhile.txt").write_text("mine")
        fake_report(out, path)

    monkeypatch.setattr("thaadsim.report.html.write_report", meanwhile)
    with pytest.raises(InputError, match="holds files thaadsim did not write"):
        write_outputs(None, "r", force=True)  # type: ignore[arg-type]
    assert (work / "r" / "added-meanwhile.txt").read_text() == "mine"


# --------------------------------------------------------------------------------------------
# Case 2 and 8: the default folder is a safe slug of the name, in the working directory
# --------------------------------------------------------------------------------------------

HOSTILE_NAMES = ["../escape", "/abs/x", "a/b", "..", ".", "", "\x00", "\x1b[31mred\x1b[0m",
                 "🚀" * 80, "é" * 300, "C:\\windows", "~", "-rf", " ", "con", "a" * 1000,
                 "Korea 2017: saturation (48 x Scud-C)"]


@given(st.one_of(st.text(), st.sampled_from(HOSTILE_NAMES),
                 st.text(alphabet=st.characters(codec="utf-8"), min_size=50)))
def test_safe_slug_is_one_short_ascii_name(name: str) -> None:
    slug = safe_slug(name)
    assert slug and slug not in (".", "..")
    assert all(c in "abcdefghijklmnopqrstuvwxyz0123456789-" for c in slug)
    assert not slug.startswith("-") and not slug.endswith("-") and "--" not in slug
    folder = f"{slug}-report"
    assert len(folder.encode()) <= FOLDER_NAME_MAX_BYTES
    assert Path(folder).parts == (folder,)


def test_safe_slug_keeps_plain_names() -> None:
    assert safe_slug("korea-2017") == "korea-2017"
    assert safe_slug("saturation") == "saturation"
    assert safe_slug("Séoul Raid 2") == "seoul-raid-2"
    assert safe_slug("../escape") == "escape"
    assert safe_slug("🚀" * 80) == "scenario"


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_run_writes_the_default_folder_in_the_working_directory(
        name: str, sandbox: tuple[Path, dict], monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 12, case 2: ``name: "../escape"`` wrote outside the working directory. The
    folder ``run`` chooses is checked, then the test stops it before the simulation."""
    from types import SimpleNamespace

    from typer.testing import CliRunner

    from thaadsim.cli import app

    work, _ = sandbox
    chosen: list[str] = []

    def record(folder: str, force: bool, option: str = "-o") -> Path:
        chosen.append(folder)
        raise InputError("stop here")

    monkeypatch.setattr("thaadsim.scenario.load_scenario",
                        lambda _: SimpleNamespace(name=name))
    monkeypatch.setattr(bundle, "check_target", record)
    result = CliRunner().invoke(app, ["run", "whatever", "--force"])
    assert result.exit_code != 0 and chosen
    folder = Path(chosen[0])
    assert folder.parts == (folder.name,) and folder.name.endswith("-report")
    assert (work / folder).resolve().parent == work.resolve()
    assert len(folder.name.encode()) <= FOLDER_NAME_MAX_BYTES


def test_the_default_folder_is_checked_like_o(sandbox: tuple[Path, dict],
                                              monkeypatch: pytest.MonkeyPatch,
                                              cli_error: Callable[..., str]) -> None:
    work, _ = sandbox
    no_simulation(monkeypatch)
    (work / "saturation-report").mkdir()
    (work / "saturation-report" / "mine.txt").write_text("mine")
    msg = cli_error("run", "saturation", "--force")
    assert "the default output folder: 'saturation-report' exists and was not written" in msg
    assert (work / "saturation-report" / "mine.txt").read_text() == "mine"


def test_long_folder_names_are_refused_in_one_line(sandbox: tuple[Path, dict]) -> None:
    for name, message in (("x" * 201, "at most 200 are allowed"),
                          ("é" * 130, "at most 255"), ("a/" * 2100, "at most 4,000")):
        with pytest.raises(InputError) as exc:
            check_output_folder(name, False)
        assert message in one_line(exc.value)


# --------------------------------------------------------------------------------------------
# Case 3: a chunk folder and the report folder apart, refused up front
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("chunks", "report", "how"), [
    ("out", "out", "is the same folder as"),
    ("out/chunks", "out", "is inside"),
    ("out/a/b", "out", "is inside"),
    ("chunks", "chunks/report", "holds"),
    ("link/chunks", "out", "is inside"),
])
def test_chunk_folder_and_report_folder_apart(chunks: str, report: str, how: str,
                                              sandbox: tuple[Path, dict]) -> None:
    work, _ = sandbox
    (work / "out").mkdir()
    (work / "link").symlink_to(work / "out")
    with pytest.raises(InputError) as exc:
        check_apart(chunks, "--chunks-dir", report, "the output folder")
    assert how in one_line(exc.value)
    check_apart("chunks", "--chunks-dir", "out", "the output folder")
    check_apart("out-chunks", "--chunks-dir", "out", "the output folder")


def test_cli_run_refuses_chunks_in_the_report_before_any_work(
        sandbox: tuple[Path, dict], monkeypatch: pytest.MonkeyPatch,
        cli_error: Callable[..., str]) -> None:
    """Issue 12, case 3: the run failed after a minute; now it is refused first."""
    work, _ = sandbox
    no_simulation(monkeypatch)
    msg = cli_error("run", "saturation", "-o", "new", "--chunks-dir", "new/chunks")
    assert "--chunks-dir: 'new/chunks' is inside the output folder 'new'; give them " \
           "separate folders" in msg
    msg = cli_error("run", "saturation", "-o", "same", "--chunks-dir", "same")
    assert "is the same folder as the output folder" in msg
    (work / "chunks").mkdir()
    (work / "chunks" / "manifest.json").write_text("{}")  # a folder that holds a run
    msg = cli_error("run", "saturation", "-o", "chunks/report", "--resume", "chunks")
    assert "--resume: 'chunks' holds the output folder 'chunks/report'" in msg
    assert not (work / "new").exists() and not (work / "same").exists()


# --------------------------------------------------------------------------------------------
# Case 4: staging folders a killed run left are cleaned up, and only they
# --------------------------------------------------------------------------------------------


def leftover(parent: Path, name: str, *, state: str, pid: int | None, target: str = "r",
             files: tuple[str, ...] = LAYOUT) -> Path:
    folder = parent / name
    folder.mkdir()
    for f in files[:3]:
        (folder / f).parent.mkdir(parents=True, exist_ok=True)
        (folder / f).write_text("partial")
    marker: dict[str, Any] = {"written_by": "thaadsim", "version": "0", "state": state,
                              "files": list(files)}
    if state == "writing":
        import socket

        marker.update(pid=pid, host=socket.gethostname(), target=target)
    (folder / MARKER).write_text(json.dumps(marker))
    return folder


def test_stale_staging_is_cleaned_up_and_nothing_else(sandbox: tuple[Path, dict]) -> None:
    work, _ = sandbox
    dead = dead_pid()
    stale = leftover(work, ".r.k1l2m3n4", state="writing", pid=dead)
    old = leftover(work, ".r.old-abcd1234", state="complete", pid=None)
    with_mine = leftover(work, ".r.q9w8e7r6", state="writing", pid=dead)
    (with_mine / "mine.txt").write_text("mine")
    alive = leftover(work, ".r.a1b2c3d4", state="writing", pid=os.getppid())
    other_target = leftover(work, ".rr.z9y8x7w6", state="writing", pid=dead, target="rr")
    wrong_target = leftover(work, ".r.t5t5t5t5", state="writing", pid=dead, target="s")
    (work / ".r.empty").mkdir()
    for name in (".r.ab_12cde", ".r.old-fg_34hij", ".r.zz_99yyy"):
        (work / name).mkdir()  # empty, as a run killed before its marker leaves them
    for name in (".r.ab_12cde", ".r.old-fg_34hij", ".r.empty"):
        os.utime(work / name, (1e9, 1e9))  # long ago
    write_outputs(None, "r")  # type: ignore[arg-type]
    assert not stale.exists() and not old.exists()
    assert not (work / ".r.ab_12cde").exists() and not (work / ".r.old-fg_34hij").exists()
    assert (work / ".r.zz_99yyy").is_dir()  # too recent: perhaps a run starting now
    assert sorted(p.name for p in with_mine.rglob("*")) == ["mine.txt"]
    for kept in (alive, other_target, wrong_target):
        assert (kept / MARKER).exists() and (kept / "report.html").exists()
    assert (work / ".r.empty").is_dir()
    assert clean_stale(work / "r") == []


@pytest.mark.slow
def test_sigkill_while_writing_then_the_next_run_cleans_up(tmp_path: Path) -> None:
    """A real SIGKILL while the report is written (the report writer blocks), then a run in
    this process: the staging folder is gone, the sentinels stay."""
    files = sentinels(tmp_path)
    script = textwrap.dedent("""
        import sys, time
        from pathlib import Path
        import thaadsim.report.html as html
        import thaadsim.report.exports as exports

        def slow(out, path, **kw):
            Path(path).write_text("partial")
            time.sleep(120)

        html.write_report = slow
        from thaadsim.report.bundle import write_outputs
        write_outputs(None, sys.argv[1], claims=())
    """)
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    proc = subprocess.Popen([sys.executable, "-c", script, str(tmp_path / "r")], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def staged() -> bool:
        return any((p / "report.html").exists() for p in tmp_path.glob(".r.????????"))

    sigkill_when(proc, staged, 120, "writing the report")
    assert [p for p in tmp_path.glob(".r.*") if p.name not in (".r.old-zzz", ".r.abcdefgh")]
    write_outputs(None, tmp_path / "r")  # type: ignore[arg-type]
    assert sorted(p.name for p in tmp_path.glob(".r.*")) == [".r.abcdefgh", ".r.old-zzz"]
    assert read_marker(tmp_path / "r") is not None
    assert_intact(files)


# --------------------------------------------------------------------------------------------
# Case 7: output files and chunk folders checked up front, one line
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "message"), [
    ("d.png", "is a folder; give a file name ending in .png"),
    ("/proc/self/x.png", "cannot be written"),
    ("/proc/x.png", "cannot be written"),
    ("/sys/x.png", "cannot be written"),
    ("missing/x.png", "the folder 'missing' does not exist"),
    ("notes.txt/x.png", "'notes.txt' is a file, not a folder"),
    ("x.pdf", "must end in .png"),
    ("", "the path is empty"),
    ("x\x00.png", "contains a NUL character"),
    ("é" * 130 + ".png", "file systems allow at most 255"),
    ("dangling.png", "is a symbolic link to nothing"),
])
def test_output_files_refused_in_one_line(path: str, message: str,
                                          sandbox: tuple[Path, dict]) -> None:
    work, _ = sandbox
    (work / "d.png").mkdir()
    (work / "dangling.png").symlink_to(work / "nowhere.png")
    with pytest.raises(InputError) as exc:
        check_output_file(path, ".png", "--plot")
    assert message in one_line(exc.value)
    assert one_line(exc.value).startswith("--plot: ")


BAD_FILES = [("dir", "is a folder"), ("/proc/self/x", "cannot be written"),
             ("/sys/x", "cannot be written"), ("missing/x", "does not exist"),
             ("notes.txt/x", "is a file, not a folder")]
FILE_OPTIONS = [(["fly"], "--plot", ".png"), (["coverage"], "--map", ".png"),
                (["footprint"], "--map", ".png"), (["footprint"], "--netcdf", ".nc"),
                (["raid-curve"], "--csv", ".csv"), (["raid-curve"], "--plot", ".png"),
                (["sensitivity"], "--plot", ".png"), (["validate"], "--report", ".html")]


@pytest.mark.parametrize(("command", "option", "suffix"), FILE_OPTIONS)
def test_cli_output_files_refused_before_any_work(
        command: list[str], option: str, suffix: str, sandbox: tuple[Path, dict],
        cli_error: Callable[..., str]) -> None:
    work, _ = sandbox
    for stem, message in BAD_FILES:
        (work / f"dir{suffix}").mkdir(exist_ok=True)
        msg = cli_error(*command, option, stem + suffix)
        assert msg.startswith(f"error: {option}: ") and message in msg, msg
    assert f"must end in {suffix}" in cli_error(*command, option, "x.wrong")


@pytest.mark.parametrize(("path", "message", "must_exist"), [
    ("notes.txt", "is a file, not a folder", False),
    ("notes.txt/chunks", "'notes.txt' is a file, not a folder", False),
    ("/proc/chunks", "cannot be written", False),
    ("/sys/chunks", "cannot be written", False),
    ("/proc/self", "cannot be written", False),
    ("missing", "is not a folder; give the --chunks-dir of the interrupted run", True),
    ("notes.txt", "is a file, not a folder", True),
])
def test_chunk_folders_refused_in_one_line(path: str, message: str, must_exist: bool,
                                           sandbox: tuple[Path, dict]) -> None:
    option = "--resume" if must_exist else "--chunks-dir"
    with pytest.raises(InputError) as exc:
        check_chunks_dir(path, option, must_exist=must_exist)
    assert message in one_line(exc.value) and one_line(exc.value).startswith(option)


@pytest.mark.parametrize("command", [["run", "saturation", "-o", "out"], ["raid"],
                                     ["raid-curve"], ["footprint"], ["sensitivity"]])
def test_cli_chunk_folders_refused_before_any_work(command: list[str],
                                                   sandbox: tuple[Path, dict],
                                                   monkeypatch: pytest.MonkeyPatch,
                                                   cli_error: Callable[..., str]) -> None:
    no_simulation(monkeypatch)
    for option, path, message in (("--chunks-dir", "notes.txt", "is a file, not a folder"),
                                  ("--chunks-dir", "/proc/x", "cannot be written"),
                                  ("--resume", "notes.txt", "is a file, not a folder"),
                                  ("--resume", "/sys/x", "is not a folder")):
        msg = cli_error(*command, option, path)
        assert msg.startswith(f"error: {option}: ") and message in msg, msg


def test_chunks_in_a_new_nested_folder_are_accepted(sandbox: tuple[Path, dict]) -> None:
    check_chunks_dir("a/b/c", "--chunks-dir")
    assert not Path("a").exists()  # checked, not made


# --------------------------------------------------------------------------------------------
# The property: written where asked, or refused in one line; never a file of anyone else's
# --------------------------------------------------------------------------------------------

ODD_NAME = st.text(alphabet=st.characters(blacklist_characters="/\x00",
                                          blacklist_categories=("Cs",)),
                   min_size=1, max_size=80).filter(lambda s: s not in (".", ".."))
PLACES = st.sampled_from([".", "..", "../..", "/", "/proc/x", "/proc/self/fd", "/sys/x",
                          "missing/x", "notes.txt", "notes.txt/x", "sub", "sub/deep",
                          "link-to-work", "link-to-root", "link-to-parent", "dangling",
                          "old-report", "old-report/results", "old-report-with-mine",
                          "empty", "lookalike-report", ".r.old-zzz", "x" * 256])
PREFIXES = st.sampled_from([".", "..", "/proc", "/proc/self", "/sys", "missing", "notes.txt",
                           "sub", "sub/deep", "link-to-work", "link-to-parent", "dangling",
                           "empty", "old-report", "old-report/results", "lookalike-report",
                           ".r.old-zzz"])
"""Folders to put a drawn name in: each refused or inside the sandbox (never "/": a test
that passed would leave a report there)."""
TARGETS = st.one_of(PLACES, ODD_NAME, st.tuples(PREFIXES, ODD_NAME).map("/".join),
                    st.binary(min_size=1, max_size=40).filter(
                        lambda b: b"/" not in b and b"\x00" not in b and b not in (b".", b".."))
                    .map(os.fsdecode))


def build_sandbox(root: Path) -> tuple[Path, dict[Path, str]]:
    work = root / "work"
    work.mkdir()
    files = {**sentinels(root), **sentinels(work)}
    (work / "link-to-work").symlink_to(work)
    (work / "link-to-parent").symlink_to(root)
    (work / "link-to-root").symlink_to("/")
    (work / "dangling").symlink_to(work / "nowhere")
    (work / "empty").mkdir()
    cwd = os.getcwd()
    os.chdir(work)
    try:
        write_outputs(None, "old-report")  # type: ignore[arg-type]
        write_outputs(None, "old-report-with-mine")  # type: ignore[arg-type]
    finally:
        os.chdir(cwd)
    mine = work / "old-report-with-mine" / "results" / "mine.txt"
    mine.write_text("mine")
    files[mine] = "mine"
    return work, files


@pytest.mark.slow  # a property test over report folders
@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(target=TARGETS, force=st.booleans())
def test_report_folder_written_or_refused_never_a_loss(target: str, force: bool,
                                                       tmp_path_factory: Any) -> None:
    root = tmp_path_factory.mktemp("prop")
    work, files = build_sandbox(root)
    cwd = os.getcwd()
    os.chdir(work)
    try:
        try:
            written = write_outputs(None, target, force=force)  # type: ignore[arg-type]
        except InputError as exc:
            one_line(exc)
        else:
            where = Path(os.path.realpath(target))
            assert read_marker(where) is not None
            assert all((where / p).is_file() for p in written)
            assert work.resolve() in where.parents or root.resolve() in where.parents
        assert_intact(files)
        assert os.path.isdir(work)
    finally:
        os.chdir(cwd)


FILE_TARGETS = st.one_of(PLACES.map(lambda p: p + ".png"), ODD_NAME.map(lambda n: n + ".png"),
                         st.tuples(PREFIXES, ODD_NAME).map(lambda t: f"{t[0]}/{t[1]}.png"),
                         st.sampled_from(["d.png", "old.png", "mine.png", "old-report", "x.PNG",
                                          "/dev/null", "/proc/self/status.png"]))


@pytest.mark.slow  # a property test over output files
@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(target=FILE_TARGETS)
def test_output_file_written_or_refused_never_a_loss(target: str,
                                                     tmp_path_factory: Any) -> None:
    root = tmp_path_factory.mktemp("propfile")
    work, files = build_sandbox(root)
    (work / "d.png").mkdir()
    (work / "old.png").write_text("an old plot")
    files[work / "old.png"] = "an old plot"  # the user's: refused, never replaced
    (work / "mine.png").write_bytes(png_bytes(b"Software", b"thaadsim 0.1"))  # thaadsim's
    cwd = os.getcwd()
    os.chdir(work)
    try:
        try:
            path = check_output_file(target, ".png", "--plot")
        except InputError as exc:
            assert one_line(exc).startswith("--plot: ")
        else:
            with replacing(path, ".png") as tmp:  # what the command would do
                tmp.write_bytes(SIGNED_PNG)
            assert path.read_bytes() == SIGNED_PNG
        assert_intact(files)
    finally:
        os.chdir(cwd)


# --------------------------------------------------------------------------------------------
# Output files: an existing file is replaced only when thaadsim wrote it (its signature), and
# written atomically
# --------------------------------------------------------------------------------------------


def png_chunk(kind: bytes, data: bytes, crc: int | None = None) -> bytes:
    crc = zlib.crc32(kind + data) if crc is None else crc
    return struct.pack(">I4s", len(data), kind) + data + struct.pack(">I", crc)


def png_bytes(key: bytes | None = None, value: bytes = b"", *, bad_crc: bool = False,
              kind: bytes = b"tEXt") -> bytes:
    """A real 1x1 PNG, with a text chunk ``key``/``value`` when ``key`` is given."""
    ihdr = png_chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
    text = b""
    if key is not None:
        text = png_chunk(kind, key + b"\x00" + value, 0 if bad_crc else None)
    idat = png_chunk(b"IDAT", zlib.compress(b"\x00\x00"))
    return b"\x89PNG\r\n\x1a\n" + ihdr + text + idat + png_chunk(b"IEND", b"")


SIGNED_PNG = png_bytes(b"Software", b"thaadsim 1.2.3")
RAID_HEADER = ",".join(CSV_HEADERS["raid-curve"])
SIGNED = {".png": SIGNED_PNG,
          ".html": f"<!DOCTYPE html><html><head>{html_generator_meta()}</head></html>".encode(),
          ".csv": f"{RAID_HEADER}\n1,0.9,0.8,0.95,0.1,1.5,0.9,0.91\n2,nan,,1e-05,0,2,3,4\n"
                  .encode()}
"""A file of each type as thaadsim writes it (netCDF: :func:`signed_netcdf`)."""
UNSIGNED = {
    ".png": [png_bytes(), png_bytes(b"Software", b"matplotlib version3.9"),
             png_bytes(b"Comment", b"thaadsim 1.2.3"),  # the signature under another key
             png_bytes(b"Software", b"thaadsim 1.2.3", bad_crc=True),
             png_bytes(b"Software", b"thaadsim 1.2.3", kind=b"zTXt"),
             b"\x89PNG\r\n\x1a\n", b"my holiday photo", b""],
    ".html": [b"<html><head><title>my notes</title></head></html>",
              b'<meta name="generator" content="Hugo 0.1">', b"thaadsim 1.2.3", b""],
    ".csv": [b"a,b,c\n1,2,3\n", f"{RAID_HEADER}\n1,my note,3,4,5,6,7,8\n".encode(),
             f"{RAID_HEADER}\n1,2\n".encode(), f"# thaadsim\n{RAID_HEADER}\n".encode(),
             f"{RAID_HEADER},mine\n1,2,3,4,5,6,7,8,9\n".encode(), b"\xff\xfe", b""],
    ".nc": [b"\x89HDF\r\n\x1a\n" + b"\x00" * 100, b"CDF\x01 a netCDF-3 file", b""],
}
"""Files thaadsim did not write: another writer's, forged with the wrong key, damaged."""


def signed_netcdf(path: Path) -> None:
    import xarray as xr

    xr.Dataset({"x": ("a", [1, 2])}, attrs=netcdf_attrs()).to_netcdf(path, engine="h5netcdf")


def unsigned_netcdf(path: Path) -> None:
    import xarray as xr

    xr.Dataset({"x": ("a", [1, 2])}, attrs={"generator": "someone else",
                                            "title": "thaadsim 1.0"}
               ).to_netcdf(path, engine="h5netcdf")


WORK = {"fly": ["thaadsim.commands._fly_missile", "thaadsim.commands._fly_burnout"],
        "coverage": ["thaadsim.studies.coverage.radar_coverage"],
        "footprint": ["thaadsim.commands.footprint_command_data"],
        "raid-curve": ["thaadsim.commands.raid_curve_command_data"],
        "sensitivity": ["thaadsim.commands.sensitivity_command_data"],
        "validate": ["thaadsim.commands.validate_command_data"]}
"""The work each command with an output file does after its checks."""


def no_work(monkeypatch: pytest.MonkeyPatch) -> None:
    def forbidden(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the work started before the output file was checked")

    for names in WORK.values():
        for name in names:
            monkeypatch.setattr(name, forbidden)


def temp_files(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.startswith(TEMP_PREFIX)]


@pytest.mark.parametrize(("command", "option", "suffix"), FILE_OPTIONS)
def test_cli_never_replaces_a_file_thaadsim_did_not_write(
        command: list[str], option: str, suffix: str, sandbox: tuple[Path, dict],
        monkeypatch: pytest.MonkeyPatch, cli_error: Callable[..., str]) -> None:
    """Every output file option: a user's file at the target survives byte for byte, and
    the command stops with one line before any work."""
    assert set(WORK) >= {c[0] for c, _, _ in FILE_OPTIONS}
    work, _ = sandbox
    no_work(monkeypatch)
    target = work / f"mine{suffix}"
    contents = [*UNSIGNED[suffix], b"a spreadsheet, a photo: the user's"]
    if suffix == ".nc":
        unsigned_netcdf(target)
        contents.append(target.read_bytes())
    for content in contents:
        target.write_bytes(content)
        msg = cli_error(*command, option, target.name)
        assert msg == (f"error: {option}: 'mine{suffix}' exists and was not written by "
                       "thaadsim; remove it or choose another name"), msg
        assert target.read_bytes() == content
    assert temp_files(work) == []


@pytest.mark.parametrize("suffix", [".png", ".html", ".csv", ".nc"])
def test_a_file_thaadsim_wrote_is_accepted_and_replaced(suffix: str,
                                                        sandbox: tuple[Path, dict]) -> None:
    work, _ = sandbox
    target = work / f"out{suffix}"
    if suffix == ".nc":
        signed_netcdf(target)
    else:
        target.write_bytes(SIGNED[suffix])
    assert written_by_thaadsim(target)
    assert check_output_file(target.name, suffix, "--out") == Path(target.name)
    write_text(target, "new", suffix)
    assert target.read_text() == "new"
    assert temp_files(work) == []


def test_a_link_to_a_file_thaadsim_wrote_is_kept_and_its_file_replaced(
        sandbox: tuple[Path, dict]) -> None:
    work, _ = sandbox
    (work / "sub" / "real.csv").write_bytes(SIGNED[".csv"])
    (work / "link.csv").symlink_to(work / "sub" / "real.csv")
    check_output_file("link.csv", ".csv", "--csv")
    write_text("link.csv", f"{RAID_HEADER}\n", ".csv")
    assert (work / "link.csv").is_symlink()
    assert (work / "sub" / "real.csv").read_text() == f"{RAID_HEADER}\n"
    (work / "photo.png").write_bytes(b"my photo")
    (work / "link.png").symlink_to(work / "photo.png")
    with pytest.raises(InputError, match="exists and was not written by thaadsim"):
        check_output_file("link.png", ".png", "--plot")
    assert (work / "photo.png").read_bytes() == b"my photo"


CONTENTS = st.one_of(
    st.binary(max_size=300),
    st.sampled_from([c for cs in UNSIGNED.values() for c in cs]),
    st.builds(lambda k, v: png_bytes(k, v),
              st.binary(min_size=1, max_size=20).filter(lambda b: b"\x00" not in b),
              st.binary(max_size=40)),
    st.sampled_from([SIGNED_PNG, SIGNED[".html"], SIGNED[".csv"]]),
    st.tuples(st.sampled_from([SIGNED_PNG, SIGNED[".html"], SIGNED[".csv"]]),
              st.integers(0, 400), st.binary(min_size=1, max_size=3)).map(
        lambda t: t[0][:t[1]] + t[2] + t[0][t[1] + len(t[2]):]),  # a damaged signed file
)


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=CONTENTS, suffix=st.sampled_from([".png", ".html", ".csv", ".nc", ".txt"]))
def test_a_file_survives_unless_it_carries_the_signature(content: bytes, suffix: str,
                                                         tmp_path_factory: Any) -> None:
    """Whatever a file holds, writing over it is refused (and the file kept byte for byte)
    unless it carries thaadsim's signature for its type; random bytes, a PNG without the
    signature or with it under another key never do."""
    folder = tmp_path_factory.mktemp("sig")
    target = folder / f"x{suffix}"
    target.write_bytes(content)
    signed = written_by_thaadsim(target)
    if signed:  # only a signature of its own type, in the place thaadsim writes it
        assert suffix != ".txt"
        assert {".png": b"\x00thaadsim ", ".html": b'content="thaadsim ',
                ".csv": RAID_HEADER.encode(), ".nc": b"thaadsim "}[suffix] in content
    try:
        check_output_file(target, suffix, "--out")
    except InputError as exc:
        assert not signed
        assert one_line(exc) == (f"--out: {str(target)!r} exists and was not written by "
                                 "thaadsim; remove it or choose another name")
        assert target.read_bytes() == content
    else:
        assert signed
    try:
        write_text(target, "thaadsim's new file", suffix)
    except InputError:
        assert not signed and target.read_bytes() == content
    else:
        assert signed and target.read_text() == "thaadsim's new file"
    assert temp_files(folder) == []
    if content in (SIGNED_PNG, SIGNED[".html"], SIGNED[".csv"]):
        assert signed == ({SIGNED_PNG: ".png", SIGNED[".html"]: ".html",
                           SIGNED[".csv"]: ".csv"}[content] == suffix)
    if content in [c for cs in UNSIGNED.values() for c in cs]:
        assert not signed


def test_a_written_file_has_the_permissions_of_a_new_file(sandbox: tuple[Path, dict]) -> None:
    """The temporary file is made private (0600); the file in place has what ``open``
    gives a new file (0666 less the umask)."""
    work, _ = sandbox
    mask = os.umask(0o022)
    try:
        write_text(work / "t.csv", f"{RAID_HEADER}\n", ".csv")
        assert (work / "t.csv").stat().st_mode & 0o777 == 0o644
        os.umask(0o077)
        write_text(work / "t.csv", f"{RAID_HEADER}\n", ".csv")
        assert (work / "t.csv").stat().st_mode & 0o777 == 0o600
    finally:
        os.umask(mask)


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary_file(
        sandbox: tuple[Path, dict]) -> None:
    work, _ = sandbox
    target = work / "fly.png"
    target.write_bytes(SIGNED_PNG)

    class Broken:
        def savefig(self, path: Any, **kwargs: Any) -> None:
            Path(path).write_bytes(b"\x89PNG half a fi")
            raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space"):
        save_png(Broken(), target)
    assert target.read_bytes() == SIGNED_PNG
    assert temp_files(work) == []


def test_a_file_put_there_during_the_run_is_kept(sandbox: tuple[Path, dict]) -> None:
    """The target is checked again just before the rename: a user's file saved there while
    thaadsim was working is kept, and the API's writers (not checked up front) refuse too."""
    work, _ = sandbox
    target = work / "curve.csv"
    with pytest.raises(InputError, match="'.*curve.csv' exists and was not written by "
                                         "thaadsim"):
        with replacing(target, ".csv") as tmp:
            tmp.write_bytes(SIGNED[".csv"])
            target.write_text("my spreadsheet")
    assert target.read_text() == "my spreadsheet"
    assert temp_files(work) == []


def test_temporary_files_of_killed_runs_are_cleaned_and_nothing_else(
        sandbox: tuple[Path, dict]) -> None:
    work, _ = sandbox
    old = time.time() - 3600
    stale = work / f"{TEMP_PREFIX}{dead_pid()}-abcdefgh.tmp"
    mine = work / f"{TEMP_PREFIX}{os.getpid()}-abcdefgh.tmp"  # a live process's
    young = work / f"{TEMP_PREFIX}{dead_pid()}-young123.tmp"
    lookalikes = [work / f"{TEMP_PREFIX}notes.tmp", work / f"{TEMP_PREFIX}1-abcdefgh.tmp.bak",
                  work / "thaadsim-tmp-1-abcdefgh.tmp"]
    for path in (stale, mine, young, *lookalikes):
        path.write_text("x")
        if path is not young:
            os.utime(path, (old, old))
    check_output_file("fly.png", ".png", "--plot")
    assert not stale.exists()
    assert all(p.exists() for p in (mine, young, *lookalikes))
    assert clean_stale_temp(work) == []


def test_a_staging_folder_killed_while_writing_its_page_is_cleaned_up(
        sandbox: tuple[Path, dict]) -> None:
    """A run killed while ``report.html`` was being written leaves its temporary file in
    the staging folder; the next run removes the folder, temporary file and all."""
    work, _ = sandbox
    pid = dead_pid()
    staging = leftover(work, ".r.abcd1234", state="writing", pid=pid)
    (staging / f"{TEMP_PREFIX}{pid}-abcdefgh.tmp").write_text("<html>half a")
    assert clean_stale(work / "r") == [staging]
    assert not staging.exists()


@pytest.mark.slow
def test_sigkill_while_writing_leaves_the_old_file_whole(tmp_path: Path) -> None:
    """A run killed in the middle of writing leaves the old file as it was (the new one is
    written beside it and renamed), and the next run cleans the temporary file up."""
    target = tmp_path / "curve.csv"
    target.write_bytes(SIGNED[".csv"])
    script = textwrap.dedent(f"""
        import time
        from thaadsim.outputs import replacing
        with replacing({str(target)!r}, ".csv") as tmp:
            tmp.write_text("half a fi")
            print("writing", flush=True)
            time.sleep(60)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(SRC)})
    assert proc.stdout is not None and proc.stdout.readline() == "writing\n"
    proc.kill()
    proc.wait()
    assert target.read_bytes() == SIGNED[".csv"]
    left = temp_files(tmp_path)
    assert len(left) == 1
    past = time.time() - 3600
    os.utime(tmp_path / left[0], (past, past))
    check_output_file(target, ".csv", "--csv")
    assert temp_files(tmp_path) == [] and target.read_bytes() == SIGNED[".csv"]


# Signature round trips: what each writer writes is recognised as thaadsim's --------------


def test_round_trip_altitude_plot(tmp_path: Path) -> None:
    from thaadsim.report.plots import plot_altitude_range

    path = tmp_path / "fly.png"
    for _ in range(2):
        plot_altitude_range(path, np.linspace(0, 500, 50), np.linspace(0, 100, 50),
                            band_km=(40.0, 150.0), title="t", label="l")
        assert written_by_thaadsim(path) and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert temp_files(tmp_path) == []


def test_round_trip_raid_curve_csv_and_plot(tmp_path: Path) -> None:
    import pandas as pd

    from thaadsim.report.plots import plot_raid_curve
    from thaadsim.studies.raid import RaidCurve

    n = np.array([1, 2, 4])
    f = np.array([0.9, 0.7, float("nan")])
    curve = RaidCurve(count=n, p_no_leak=f, p_no_leak_ci_low=f, p_no_leak_ci_high=f,
                      expected_leakers=f, interceptors_used=f, p_kill_per_shot=f,
                      analytic_p_no_leak=f, leak_reasons=({}, {}, {}), volleys=(1, 1),
                      doctrine="shoot-look-shoot", inventory=48, fire_channels=9,
                      saturation_count=None, analytic_saturation_count=None, max_count=4,
                      trials=3, seed=0, missile="scud-c", batteries=("seongju",),
                      perfect_tracking=False)
    csv_path, png_path = tmp_path / "c.csv", tmp_path / "c.png"
    for _ in range(2):
        curve.to_csv(csv_path)
        plot_raid_curve(curve, png_path)
        assert written_by_thaadsim(csv_path) and written_by_thaadsim(png_path)
    table = pd.read_csv(csv_path)  # no comment line: plain readers read it
    assert list(table.columns) == list(CSV_HEADERS["raid-curve"]) and len(table) == 3
    assert temp_files(tmp_path) == []


def test_round_trip_sensitivity_plot(tmp_path: Path) -> None:
    from thaadsim.report.plots import plot_sobol_indices
    from thaadsim.studies.sensitivity import Parameter, SensitivityResult

    a = np.array([0.5, 0.2])
    res = SensitivityResult(
        output="p_no_leak", unit="", s1=a, s1_conf=a, st=a, st_conf=a, samples=16, runs=64,
        seed=0, output_mean=0.5, output_std=0.1, output_min=0.0, output_max=1.0, seconds=1.0,
        settings={}, parameters=tuple(Parameter(name=n, nominal=1.0, low=0.5, high=2.0,
                                                unit="") for n in ("a", "b")))
    path = tmp_path / "s.png"
    for _ in range(2):
        plot_sobol_indices(res, path)
        assert written_by_thaadsim(path)


def test_round_trip_validation_page(tmp_path: Path) -> None:
    import yaml

    from thaadsim.commands import validate_command_data
    from thaadsim.studies.validation import load_cases

    case = next(c for c in load_cases() if c["id"] == "horizon-seongju-100km")
    cases = tmp_path / "cases.yaml"
    cases.write_text(yaml.safe_dump([json.loads(json.dumps(case))]), "utf-8")
    page = tmp_path / "v.html"
    for _ in range(2):
        validate_command_data(report_path=page, cases_path=cases)
        assert written_by_thaadsim(page)
    assert temp_files(tmp_path) == []


def test_the_run_report_carries_the_generator_tag() -> None:
    """``report.html`` of a run folder carries the same signature (its template)."""
    from thaadsim.report import html

    template = Path(html.__file__).parent / "templates" / "report.html.j2"  # Jinja2 loads it
    assert '<meta name="generator" content="thaadsim {{ version }}">' in template.read_text(
        "utf-8")


@pytest.mark.slow
def test_round_trip_footprint_map_and_netcdf(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from thaadsim.commands import footprint_command_data
    from thaadsim.studies import footprint as fpm

    fp = fpm.defended_footprint("seongju", "scud-c", 39.0194, 125.7381, grid_km=25.0,
                                extent_km=150.0)
    monkeypatch.setattr(fpm, "defended_footprint", lambda *a, **k: fp)
    png, nc = tmp_path / "f.png", tmp_path / "f.nc"
    for _ in range(2):
        footprint_command_data("seongju", "scud-c", 39.0194, 125.7381, map_path=str(png),
                                   netcdf_path=str(nc), progress=False)
        assert written_by_thaadsim(png) and written_by_thaadsim(nc)
    assert temp_files(tmp_path) == []


@pytest.mark.slow
@pytest.mark.parametrize(("args", "name"), [
    (["coverage", "--map"], "cov.png"),
    (["fly", "--speed-kms", "3", "--gamma-deg", "45", "--plot"], "fly.png"),
])
def test_running_a_command_twice_replaces_its_own_file(args: list[str], name: str,
                                                       sandbox: tuple[Path, dict]) -> None:
    """The README's examples run twice in the same folder: the second run replaces the
    file the first wrote; a user's file of the same name stops it."""
    from typer.testing import CliRunner

    from thaadsim.cli import app

    work, _ = sandbox
    for _ in range(2):
        result = CliRunner().invoke(app, [*args, name, "--json"])
        assert result.exit_code == 0, result.output
        assert written_by_thaadsim(work / name)
    (work / name).write_bytes(png_bytes())
    result = CliRunner().invoke(app, [*args, name, "--json"])
    assert result.exit_code == 2 and (work / name).read_bytes() == png_bytes()
    assert temp_files(work) == []
