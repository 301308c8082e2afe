"""Damaged resume folders and bad Dask schedulers (issue 12, cases 11 and 12).

A resume folder is what an interrupted run left: a ``manifest.json`` and chunk files. Either
can be damaged (a disk filling up, a copy cut short, a hand edit, a hostile file):

* a damaged manifest is refused in one line (an :class:`InputError` naming the folder, the
  file, what is wrong and what to do): never an ``AttributeError``, ``KeyError`` or
  ``TypeError``, and nothing in the folder is changed;
* a damaged chunk (truncated, flipped, emptied, of another schema, another run or another
  chunk, or not a file at all) is reported on standard error, naming the file, and redone:
  the result is the uninterrupted run's, to the bit. A chunk file is replaced by the redone
  one; something else in its place (a folder, a link) is left as it is.

The property test draws the damage (:func:`damages`) and checks, for every draw, that the
resumed run gives the uninterrupted result or the one-line refusal of a damaged manifest,
and that nothing outside the folder is touched.

``--scheduler`` is checked before Dask is imported (``tcp://HOST:PORT``); a well-formed
address where nothing listens is one line after a short timeout. ``--workers`` has the
bounds of :data:`thaadsim.limits.LIMITS`.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import socket
import stat
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stderr
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from thaadsim.errors import InputError
from thaadsim.limits import LIMITS
from thaadsim.studies import montecarlo as mc

UNITS, CHUNK, SEED = 23, 6, 11  # 4 chunks: 6, 6, 6 and 5 trials
N_CHUNKS = 4


@dataclass(frozen=True)
class Tiny:
    """A task that runs in microseconds, with the kinds of columns the real tasks have:
    whole numbers, floats, booleans, categoricals, text and lists."""

    label: str = "tiny"

    def describe(self) -> dict[str, Any]:
        return {"task": "tiny", "label": self.label}

    def __call__(self, trials: int, seed: np.random.SeedSequence) -> pd.DataFrame:
        rng = np.random.default_rng(seed)
        x = rng.normal(size=trials)
        return pd.DataFrame({
            "trial": np.arange(trials), "x": x, "up": x > 0,
            "kind": pd.Categorical(np.where(x > 0, "up", "down"),
                                   categories=["down", "up", "never"]),
            "name": [f"t{v:.3f}" for v in x],
            "hits": [rng.normal(size=k) for k in rng.integers(0, 4, trials)]})


@dataclass(frozen=True)
class Counting(Tiny):
    """:class:`Tiny`, counting the chunks it runs."""

    calls: list[int] | None = None

    def describe(self) -> dict[str, Any]:
        return Tiny.describe(self)

    def __call__(self, trials: int, seed: np.random.SeedSequence) -> pd.DataFrame:
        assert self.calls is not None
        self.calls.append(trials)
        return Tiny.__call__(self, trials, seed)


def run(folder: Path | None, resume: bool = False, task: Any = None,
        **kw: Any) -> pd.DataFrame:
    return mc.run_chunks(task or Tiny(), UNITS, SEED, chunk_trials=CHUNK, out_dir=folder,
                         resume=resume, progress=False, **kw)


REFERENCE = run(None)


def chunk(folder: Path, i: int) -> Path:
    return mc.chunk_file(folder, i)


def snapshot(root: Path) -> dict[str, tuple[str, bytes | None]]:
    """Every path under ``root`` (links not followed) with its kind and contents."""
    out: dict[str, tuple[str, bytes | None]] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = Path(dirpath, name)
            rel = str(p.relative_to(root))
            mode = p.lstat().st_mode
            if stat.S_ISLNK(mode):
                out[rel] = ("link", os.readlink(p).encode())
            elif stat.S_ISDIR(mode):
                out[rel] = ("dir", None)
            elif stat.S_ISREG(mode):
                out[rel] = ("file", p.read_bytes())
            else:
                out[rel] = ("other", None)  # a FIFO: reading it would block
    return out


@contextmanager
def captured() -> Iterator[io.StringIO]:
    """Standard error while the block runs."""
    err = io.StringIO()
    with redirect_stderr(err):
        yield err


def one_line(exc: pytest.ExceptionInfo[InputError]) -> str:
    text = str(exc.value)
    assert "\n" not in text and text.isprintable(), text
    return text


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished run's folder (copied by each test before it is damaged)."""
    folder = tmp_path_factory.mktemp("finished") / "run"
    pd.testing.assert_frame_equal(run(folder), REFERENCE)
    return folder


@pytest.fixture
def folder(finished: Path, tmp_path: Path) -> Path:
    out = tmp_path / "run"
    shutil.copytree(finished, out, symlinks=True)
    return out


def test_a_finished_folder_resumes_to_the_reference_redoing_nothing(folder: Path) -> None:
    calls: list[int] = []
    with captured() as err:
        got = run(folder, resume=True, task=Counting(calls=calls))
    pd.testing.assert_frame_equal(got, REFERENCE)
    assert calls == [] and err.getvalue() == ""
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [*(f"chunk-{i:05d}.{ext}" for i in range(N_CHUNKS) for ext in ("json", "parquet")),
         "manifest.json"])


# --------------------------------------------------------------------------------------------
# A damaged manifest: one line, the folder unchanged
# --------------------------------------------------------------------------------------------


def _good_manifest(finished: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((finished / mc.MANIFEST).read_text())
    return data


def _edit(**fields: Any) -> Callable[[dict[str, Any]], Any]:
    def edit(data: dict[str, Any]) -> Any:
        for key, value in fields.items():
            if value is _DROP:
                del data[key]
            else:
                data[key] = value
        return data
    return edit


_DROP = object()

MANIFESTS: dict[str, tuple[Callable[[dict[str, Any]], Any] | bytes, str]] = {
    # name: (the new manifest: JSON of an edited copy, or raw bytes; what the message says)
    "a list": (lambda d: [d], "holds a list"),
    "a string": (lambda d: "manifest", "holds a string"),
    "a number": (lambda d: 42, "holds a number"),
    "null": (lambda d: None, "holds null"),
    "a boolean": (lambda d: True, "holds a boolean"),
    "empty": (b"", "not valid JSON"),
    "truncated": (b'{"chunk_trials": 6, "format": 1, "n_ch', "not valid JSON"),
    "binary": (bytes(range(256)) * 4, "not UTF-8"),
    "NUL bytes": (b"\0" * 64, "not valid JSON"),
    "deeply nested": (b"[" * 200_000, "not valid JSON"),
    "a 5000-digit number": (b"1" * 5000, "not valid JSON"),
    "chunk_trials text": (_edit(chunk_trials="x"), "chunk_trials is 'x'"),
    "chunk_trials negative": (_edit(chunk_trials=-6), "chunk_trials is -6"),
    "chunk_trials zero": (_edit(chunk_trials=0), "chunk_trials is 0"),
    "chunk_trials fraction": (_edit(chunk_trials=6.0), "chunk_trials is 6.0"),
    "chunk_trials boolean": (_edit(chunk_trials=True), "chunk_trials is a boolean"),
    "chunk_trials huge": (_edit(chunk_trials=10**30), "chunk_trials is a 31-digit number"),
    "chunk_trials null": (_edit(chunk_trials=None), "chunk_trials is null"),
    "seed a list": (_edit(seed=[11]), "seed is a list"),
    "seed NaN": (_edit(seed=float("nan")), "seed is nan"),
    "task a string": (_edit(task="tiny"), "task is 'tiny', not a JSON object"),
    "format 2": (_edit(format=2), "format is 2, not 1"),
    "no format": (_edit(format=_DROP), "has no 'format'"),
    "no task": (_edit(task=_DROP), "has no 'task'"),
    "no seed": (_edit(seed=_DROP), "has no 'seed'"),
    "no n_trials": (_edit(n_trials=_DROP), "has no 'n_trials'"),
    "no chunk_trials": (_edit(chunk_trials=_DROP), "has no 'chunk_trials'"),
    "no n_chunks": (_edit(n_chunks=_DROP), "has no 'n_chunks'"),
    "n_chunks inconsistent": (_edit(n_chunks=7), "n_chunks is 7"),
    "another seed": (_edit(seed=SEED + 1), "describes another run (differs in seed)"),
    "another task": (_edit(task={"task": "tiny", "label": "other"}),
                     "describes another run (differs in task)"),
    "another chunk size": (_edit(chunk_trials=5, n_chunks=5),
                           "differs in chunk_trials, n_chunks"),
    "another trial count": (_edit(n_trials=24), "differs in n_trials"),
    "an extra key": (_edit(note="hand-edited"), "differs in note"),
    "an extra key with a new line": (_edit(**{"a\nb": 1}), "differs in 'a\\nb'"),
    "many extra keys": (_edit(**{f"k{i:04d}": i for i in range(5000)}),
                        "differs in k0000, k0001, k0002, k0003, k0004, k0005 and 4,994 more"),
    "a task of the wrong kind": (_edit(task=[]), "task is a list, not a JSON object"),
}


def _write_manifest(folder: Path, finished: Path, how: Callable[..., Any] | bytes) -> None:
    raw = how if isinstance(how, bytes) else json.dumps(how(_good_manifest(finished))).encode()
    (folder / mc.MANIFEST).write_bytes(raw)


@pytest.mark.parametrize("name", sorted(MANIFESTS))
def test_a_damaged_manifest_is_one_line(name: str, folder: Path, finished: Path) -> None:
    how, says = MANIFESTS[name]
    _write_manifest(folder, finished, how)
    before = snapshot(folder)
    with pytest.raises(InputError) as exc:
        run(folder, resume=True)
    text = one_line(exc)
    assert text.startswith(f"{folder / mc.MANIFEST}: "), text
    assert says in text, text
    # and it says what to do
    assert "new folder" in text or "resume with the same" in text, text
    assert snapshot(folder) == before


@pytest.mark.parametrize("name", [n for n in sorted(MANIFESTS) if "another" not in n
                                  and "extra" not in n and "many" not in n])
def test_the_command_lines_chunk_size_reads_the_manifest_the_same_way(
        name: str, folder: Path, finished: Path) -> None:
    """``RunnerOptions.chunk_trials`` (what a command asks before it runs) reads the
    manifest with the same reader: the same one line."""
    how, says = MANIFESTS[name]
    _write_manifest(folder, finished, how)
    with pytest.raises(InputError) as exc:
        mc.RunnerOptions(resume=str(folder)).chunk_trials(100)
    assert one_line(exc).startswith(f"{folder / mc.MANIFEST}: ") and says in str(exc.value)


def test_the_chunk_size_of_a_good_manifest_is_taken(folder: Path) -> None:
    assert mc.RunnerOptions(resume=str(folder)).chunk_trials(100) == CHUNK
    assert mc.RunnerOptions(resume=str(folder), chunk_size=9).chunk_trials(100) == 9
    assert mc.RunnerOptions(chunks_dir=str(folder)).chunk_trials(100) == 100


@pytest.mark.parametrize("kind", ["folder", "huge", "fifo", "dangling link", "link to zero"])
def test_a_manifest_that_is_not_a_small_file_is_one_line(kind: str, folder: Path) -> None:
    path = folder / mc.MANIFEST
    path.unlink()
    if kind == "folder":
        path.mkdir()
        (path / "keep.txt").write_text("mine")
    elif kind == "huge":
        with open(path, "wb") as fh:
            fh.truncate(mc.MANIFEST_MAX_BYTES + 1)
    elif kind == "fifo":
        os.mkfifo(path)  # reading it would block for ever
    elif kind == "dangling link":
        path.symlink_to(folder / "nowhere.json")
    else:
        path.symlink_to("/dev/zero")  # reading it would never end
    before = snapshot(folder)
    with pytest.raises(InputError) as exc:
        run(folder, resume=True)
    assert one_line(exc).startswith(f"{path}: ")
    assert snapshot(folder) == before


def test_a_chunks_folder_that_is_a_file_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "run"
    path.write_text("mine")
    with pytest.raises(InputError, match="is not a folder") as exc:
        run(path)
    one_line(exc)
    assert path.read_text() == "mine"


# --------------------------------------------------------------------------------------------
# A damaged chunk: reported, redone, the result unchanged
# --------------------------------------------------------------------------------------------


def _truncate(at: int | float) -> Callable[[Path], None]:
    def damage(path: Path) -> None:
        data = path.read_bytes()
        path.write_bytes(data[: int(at * len(data)) if isinstance(at, float) else at])
    return damage


def _flip(where: float) -> Callable[[Path], None]:
    def damage(path: Path) -> None:
        data = bytearray(path.read_bytes())
        data[int(where * (len(data) - 1))] ^= 0xFF
        path.write_bytes(bytes(data))
    return damage


CHUNKS: dict[str, Callable[[Path], Any]] = {
    "zero bytes": _truncate(0),
    "truncated to 4 bytes": _truncate(4),
    "truncated at half": _truncate(0.5),
    "truncated by one byte": lambda p: p.write_bytes(p.read_bytes()[:-1]),
    "a byte flipped at the start": _flip(0.0),
    "a byte flipped in the data": _flip(0.3),
    "a byte flipped in the footer": _flip(0.9),
    "junk appended": lambda p: p.write_bytes(p.read_bytes() + b"junk" * 100),
    "text": lambda p: p.write_text("not a parquet file\n"),
    "another schema": lambda p: pd.DataFrame({"y": [1, 2]}).to_parquet(p),
    "rewritten in another encoding": lambda p: pd.read_parquet(p).to_parquet(
        p, index=False, compression="gzip"),
    "another chunk's file and record": lambda p: [
        shutil.copyfile(p.with_name(f"chunk-00000.{ext}"), p.with_suffix(f".{ext}"))
        for ext in ("parquet", "json")],
    "record deleted": lambda p: p.with_suffix(".json").unlink(),
    "record emptied": lambda p: p.with_suffix(".json").write_bytes(b""),
    "record a list": lambda p: p.with_suffix(".json").write_text("[]"),
    "record truncated": lambda p: p.with_suffix(".json").write_bytes(
        p.with_suffix(".json").read_bytes()[:20]),
    "record huge": lambda p: p.with_suffix(".json").write_bytes(b" " * 100_000),
    "record of another size": lambda p: p.with_suffix(".json").write_text(json.dumps(
        {**json.loads(p.with_suffix(".json").read_text()), "units": 5})),
    "record with a wrong checksum": lambda p: p.with_suffix(".json").write_text(json.dumps(
        {**json.loads(p.with_suffix(".json").read_text()), "sha256": "0" * 64})),
    "record with text for rows": lambda p: p.with_suffix(".json").write_text(json.dumps(
        {**json.loads(p.with_suffix(".json").read_text()), "rows": "x"})),
    "a row fewer": lambda p: pd.read_parquet(p).iloc[:-1].to_parquet(p, index=False),
    "a value changed": lambda p: pd.read_parquet(p).assign(x=0.5).to_parquet(p, index=False),
    "another chunk's file": lambda p: shutil.copyfile(p.with_name("chunk-00000.parquet"), p),
}


@pytest.mark.parametrize("name", sorted(CHUNKS))
def test_a_damaged_chunk_is_reported_and_redone(name: str, folder: Path) -> None:
    path = chunk(folder, 1)
    CHUNKS[name](path)
    calls: list[int] = []
    with captured() as err:
        got = run(folder, resume=True, task=Counting(calls=calls))
    pd.testing.assert_frame_equal(got, REFERENCE)
    assert calls == [CHUNK]  # chunk 1, and no other
    lines = err.getvalue().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"warning: {path}: "), lines
    assert "chunk 1 is redone" in lines[0]
    # the chunk file was replaced by the redone one: resumed again, nothing is redone
    with captured() as err:
        again = run(folder, resume=True, task=Counting(calls=calls))
    pd.testing.assert_frame_equal(again, REFERENCE)
    assert calls == [CHUNK] and err.getvalue() == ""
    assert not list(folder.glob(".*.tmp"))


def test_a_chunk_of_another_run_is_not_trusted(folder: Path, tmp_path: Path) -> None:
    """A chunk file of a run with another seed, copied in: a valid Parquet table of the
    right schema and size, but not this run's."""
    other = tmp_path / "other"
    mc.run_chunks(Tiny(), UNITS, SEED + 1, chunk_trials=CHUNK, out_dir=other, progress=False)
    shutil.copyfile(chunk(other, 2), chunk(folder, 2))
    shutil.copyfile(mc.record_file(other, 2), mc.record_file(folder, 2))
    with captured() as err:
        got = run(folder, resume=True)
    pd.testing.assert_frame_equal(got, REFERENCE)
    assert "another chunk" in err.getvalue() and str(chunk(folder, 2)) in err.getvalue()


def test_the_last_chunk_of_another_size_is_not_trusted(folder: Path) -> None:
    """The last chunk holds 5 units; the file of a 6-unit chunk in its place is refused."""
    shutil.copyfile(chunk(folder, 0), chunk(folder, 3))
    shutil.copyfile(mc.record_file(folder, 0), mc.record_file(folder, 3))
    with captured() as err:
        got = run(folder, resume=True)
    pd.testing.assert_frame_equal(got, REFERENCE)
    assert "expected run" in err.getvalue() and "chunk 3, 5 units" in err.getvalue()


@pytest.mark.parametrize("target", ["parquet", "json", "json, no chunk"])
@pytest.mark.parametrize("kind", ["empty folder", "folder with a file", "link to a file",
                                  "dangling link"])
def test_a_chunk_that_is_not_a_file_is_redone_and_left_alone(kind: str, target: str,
                                                             folder: Path,
                                                             tmp_path: Path) -> None:
    """Something in the place of a chunk's file or record that thaadsim did not write is
    never removed nor written through: the chunk is redone in memory, every time."""
    path = chunk(folder, 2).with_suffix("." + target.split(",")[0])
    if target == "json, no chunk":
        chunk(folder, 2).unlink()
    outside = tmp_path / "outside"
    shutil.copyfile(path, outside)
    path.unlink()
    if kind.startswith("folder"):
        path.mkdir()
        if kind == "folder with a file":
            (path / "mine.txt").write_text("mine")
    elif kind == "link to a file":
        path.symlink_to(outside)
    else:
        path.symlink_to(tmp_path / "nowhere")
    before, outside_before = snapshot(folder), outside.read_bytes()
    for _ in range(2):
        calls: list[int] = []
        with captured() as err:
            got = run(folder, resume=True, task=Counting(calls=calls))
        pd.testing.assert_frame_equal(got, REFERENCE)
        assert calls == [CHUNK]
        lines = err.getvalue().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"warning: {path}: "), lines
        assert "not a file of the run" in lines[0] and "kept in memory only" in lines[0]
        assert snapshot(folder) == before
        assert outside.read_bytes() == outside_before


def test_chunk_files_with_other_names_are_ignored(folder: Path) -> None:
    """``chunk-3.parquet`` is not chunk 3's file (``chunk-00003.parquet``)."""
    shutil.copyfile(chunk(folder, 3), folder / "chunk-3.parquet")
    chunk(folder, 3).unlink()
    (folder / "chunk-99999.parquet").write_text("junk")
    got = run(folder, resume=True)
    pd.testing.assert_frame_equal(got, REFERENCE)


def test_temporaries_of_a_killed_write_are_removed_and_nothing_else(folder: Path) -> None:
    """A run killed while writing leaves its temporary files (named by ``mkstemp``);
    resuming removes those, and only those."""
    stale = [folder / ".chunk-00001.parquet.ab_c9xyz.tmp",
             folder / ".chunk-00002.json.q1w2e3r4.tmp",
             folder / ".manifest.json.zzzzzzzz.tmp"]
    for p in stale:
        p.write_bytes(b"PAR1 half written")
    kept = [folder / ".notes.tmp", folder / ".chunk-00001.parquet.tmp",
            folder / ".chunk-00001.parquet.ABCDEFGH.tmp", folder / "chunk-00001.parquet.x.tmp"]
    for p in kept:
        p.write_text("mine")
    (folder / ".chunk-00003.json.abcdefgh.tmp").mkdir()
    pd.testing.assert_frame_equal(run(folder, resume=True), REFERENCE)
    assert not any(p.exists() for p in stale)
    assert all(p.read_text() == "mine" for p in kept)
    assert (folder / ".chunk-00003.json.abcdefgh.tmp").is_dir()


def test_too_many_chunks_is_one_line() -> None:
    with pytest.raises(InputError, match="give a larger chunk size") as exc:
        mc.run_chunks(Tiny(), 10**6, 0, chunk_trials=1, progress=False)
    assert one_line(exc).startswith("chunk_trials: 1,000,000 units in chunks of 1 make")


def test_an_unwritable_folder_is_one_line() -> None:
    with pytest.raises(InputError, match="cannot write") as exc:
        run(Path("/proc/self/thaadsim-run"))
    one_line(exc)


# --------------------------------------------------------------------------------------------
# Drawn damage (hypothesis): the reference result, or one line for a damaged manifest
# --------------------------------------------------------------------------------------------

_FINISHED: list[Path] = []


def _finished_once() -> Path:
    """A finished run's folder, made once for the property tests."""
    if not _FINISHED:
        root = Path(tempfile.mkdtemp(prefix="thaadsim-finished-"))
        run(root / "run")
        _FINISHED.append(root / "run")
    return _FINISHED[0]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.sampled_from([*mc._MANIFEST_FIELDS, "x"]) | st.text(max_size=6),
                      inner, max_size=6),
    max_leaves=12)
"""Any JSON value, with dictionaries often keyed like a manifest."""


@st.composite
def manifest_damage(draw: st.DrawFn) -> tuple[str, Any]:
    """A new manifest: any JSON value, the good one with a field replaced or removed, or
    raw bytes (the good one cut short, with bytes flipped, or junk)."""
    return draw(st.one_of(
        st.tuples(st.just("json"), json_values),
        st.tuples(st.just("field"), st.tuples(st.sampled_from(sorted(mc._MANIFEST_FIELDS)),
                                              st.none() | json_values)),
        st.tuples(st.just("cut"), st.floats(0, 1)),
        st.tuples(st.just("flip"), st.tuples(st.floats(0, 1), st.integers(1, 255))),
        st.tuples(st.just("bytes"), st.binary(max_size=64)),
    ))


@st.composite
def chunk_damage(draw: st.DrawFn) -> tuple[str, tuple[int, str], Any]:
    """Damage to chunk ``i``'s file or record: cut at a drawn byte, bytes flipped,
    deleted, junk appended, replaced by another chunk's or by drawn bytes, made a folder."""
    i = draw(st.integers(0, N_CHUNKS - 1))
    ext = draw(st.sampled_from(["parquet", "json"]))
    how = draw(st.one_of(
        st.tuples(st.just("cut"), st.integers(0, 4000)),
        st.tuples(st.just("flip"), st.lists(st.tuples(st.integers(0, 4000),
                                                       st.integers(1, 255)),
                                            min_size=1, max_size=3)),
        st.tuples(st.just("delete"), st.none()),
        st.tuples(st.just("append"), st.binary(min_size=1, max_size=32)),
        st.tuples(st.just("swap"), st.integers(0, N_CHUNKS - 1)),
        st.tuples(st.just("bytes"), st.binary(max_size=64)),
        st.tuples(st.just("folder"), st.booleans()),
    ))
    return (how[0], (i, ext), how[1])


def damages() -> st.SearchStrategy[list[tuple[str, Any]]]:
    """One to three damages, each to the manifest or to a chunk."""
    return st.lists(st.one_of(st.tuples(st.just("manifest"), manifest_damage()),
                              st.tuples(st.just("chunk"), chunk_damage())),
                    min_size=1, max_size=3)


def _apply(folder: Path, damage: tuple[str, Any]) -> None:
    where, what = damage
    if where == "manifest":
        path = folder / mc.MANIFEST
        kind, arg = what
        good = path.read_bytes()
        if kind == "json":
            raw = json.dumps(arg).encode()
        elif kind == "field":
            try:
                data = json.loads(good)
            except ValueError:
                return  # damaged already
            if isinstance(data, dict):
                key, value = arg
                data[key] = value
                if value is None:
                    del data[key]
            raw = json.dumps(data).encode()
        elif kind == "cut":
            raw = good[: int(arg * len(good))]
        elif kind == "flip":
            at, mask = arg
            buf = bytearray(good)
            if buf:
                buf[int(at * (len(buf) - 1))] ^= mask
            raw = bytes(buf)
        else:
            raw = arg
        path.write_bytes(raw)
        return
    kind, (i, ext), arg = what
    path = chunk(folder, i).with_suffix("." + ext)
    if path.is_dir() and not path.is_symlink():
        return  # made a folder already
    data = path.read_bytes() if path.exists() else b""
    if kind == "cut":
        path.write_bytes(data[:arg])
    elif kind == "flip":
        buf = bytearray(data)
        for at, mask in arg:
            if buf:
                buf[at % len(buf)] ^= mask
        path.write_bytes(bytes(buf))
    elif kind == "delete":
        path.unlink(missing_ok=True)
    elif kind == "append":
        path.write_bytes(data + arg)
    elif kind == "swap":
        other = chunk(folder, arg).with_suffix("." + ext)
        if other != path and other.is_file():
            shutil.copyfile(other, path)
    elif kind == "bytes":
        path.write_bytes(arg)
    else:
        path.unlink(missing_ok=True)
        path.mkdir()
        if arg:
            (path / "mine.txt").write_text("mine")


@pytest.mark.slow  # a property test: runs resumed from damaged folders
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(todo=damages())
def test_a_damaged_folder_resumes_to_the_reference_or_one_line(
        todo: list[tuple[str, Any]]) -> None:
    with tempfile.TemporaryDirectory(prefix="thaadsim-damage-") as tmp:
        root = Path(tmp)
        folder = root / "run"
        shutil.copytree(_finished_once(), folder, symlinks=True)
        neighbour = root / "neighbour"
        neighbour.mkdir()
        (neighbour / "mine.txt").write_text("mine")
        for damage in todo:
            _apply(folder, damage)
        manifest_changed = (folder / mc.MANIFEST).read_bytes() != (
            _finished_once() / mc.MANIFEST).read_bytes()
        folders = {p.name for p in folder.iterdir() if p.is_dir()}
        outside = snapshot(root)
        outside = {k: v for k, v in outside.items() if not k.startswith("run")}
        with captured() as err:
            try:
                got = run(folder, resume=True)
            except InputError as exc:
                text = str(exc)
                assert manifest_changed, text
                assert "\n" not in text and text.startswith(f"{folder / mc.MANIFEST}: ")
            else:
                pd.testing.assert_frame_equal(got, REFERENCE)
        for line in err.getvalue().splitlines():
            assert line.startswith(f"warning: {folder}/chunk-0000") and "redone" in line, line
        after = {k: v for k, v in snapshot(root).items() if not k.startswith("run")}
        assert after == outside
        # a folder in a chunk's place is never removed
        assert folders <= {p.name for p in folder.iterdir() if p.is_dir()}
        assert not list(folder.glob(".*.tmp"))


# --------------------------------------------------------------------------------------------
# --scheduler and --workers
# --------------------------------------------------------------------------------------------

BAD_SCHEDULERS = ["garbage", "foo://bar:1", "tcp://", "tcp://host", "tcp://host:",
                  "tcp://host:99999", "tcp://host:0", "tcp://host:65536", "tcp://:8786",
                  "tcp://ho st:8786", " tcp://host:8786", "tcp://host:8786 ", "tcp://host:80/x",
                  "tcp://host:-1", "tcp://host:+80", "tcp://[::1:8786", "tcp://[nope]:8786",
                  "tcp://999.1.1.1:8786", "tcp://host..x:8786", "tcp://-host:8786",
                  "tcp://a" + "b" * 300 + ":1", "tls://host:8786", "inproc://x", "host:8786",
                  "", "tcp://host:8786\n", "tcp://h\x1bst:1", "tcp://hôst:1", "tcp://h:1:2"]
GOOD_SCHEDULERS = ["tcp://127.0.0.1:8786", "tcp://localhost:1", "tcp://[::1]:65535",
                   "tcp://dask-scheduler.example.org:8786", "tcp://dask_scheduler:8786",
                   "tcp://10.0.0.7:8786"]


@pytest.mark.parametrize("address", BAD_SCHEDULERS)
def test_a_bad_scheduler_address_is_one_line_before_dask(address: str,
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # any import of Dask would fail
    with pytest.raises(InputError) as exc:
        mc.RunnerOptions(scheduler=address)
    text = one_line(exc)
    assert text.startswith("--scheduler: ") and "tcp://HOST:PORT" in text
    assert "1 to 65535" in text
    with pytest.raises(InputError) as exc:
        run(tmp_path / "run", scheduler=address)
    assert one_line(exc).startswith("scheduler: ")
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize("address", GOOD_SCHEDULERS)
def test_a_good_scheduler_address_is_taken(address: str) -> None:
    assert mc.RunnerOptions(scheduler=address).resolved_executor() == "dask"
    distributed = pytest.importorskip("distributed")
    distributed.comm.parse_address(address)  # Dask takes it too


@settings(max_examples=300, deadline=None)
@given(address=st.one_of(
    st.text(max_size=40),
    st.builds(lambda h, p: f"tcp://{h}:{p}", st.text(max_size=20), st.integers(-5, 70_000)),
    st.builds(lambda s, h, p: f"{s}{h}:{p}", st.sampled_from(["tcp://", "tls://", ""]),
              st.text(alphabet="ab09.-_:[]fF ", max_size=14), st.text("0123456789+-",
                                                                       max_size=6))))
def test_any_scheduler_text_is_taken_or_one_line(address: str) -> None:
    try:
        mc.check_scheduler(address, "--scheduler")
    except InputError as exc:
        assert "\n" not in str(exc) and str(exc).isprintable()
        return
    distributed = pytest.importorskip("distributed")
    distributed.comm.parse_address(address)
    assert distributed.comm.addressing.parse_host_port(address[len("tcp://"):])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


@pytest.mark.slow  # imports Dask and waits for a connection
def test_a_scheduler_where_nothing_listens_is_one_line(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    address = f"tcp://127.0.0.1:{_free_port()}"
    start = time.monotonic()
    with pytest.raises(InputError) as exc:
        run(tmp_path / "run", scheduler=address)
    took = time.monotonic() - start
    text = one_line(exc)
    assert text.startswith(f"scheduler: cannot reach a Dask scheduler at {address} ")
    assert took < mc.CONNECT_TIMEOUT_S + 10, took
    # the folder is written only once the cluster is there
    assert not (tmp_path / "run").exists()


@pytest.mark.slow  # imports Dask and waits for a connection
def test_a_scheduler_that_is_not_dask_is_one_line(tmp_path: Path) -> None:
    """Something listens, but it speaks another protocol (it answers junk and hangs up)."""
    pytest.importorskip("distributed")
    import threading

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(mc.CONNECT_TIMEOUT_S + 10)

    def answer() -> None:
        try:
            while True:
                conn, _ = server.accept()
                conn.sendall(b"HTTP/1.0 400 Bad Request\r\n\r\n" + bytes(range(256)))
                conn.close()
        except OSError:
            pass

    threading.Thread(target=answer, daemon=True).start()
    try:
        with pytest.raises(InputError) as exc:
            run(tmp_path / "run", scheduler=f"tcp://127.0.0.1:{server.getsockname()[1]}")
        assert one_line(exc).startswith("scheduler: cannot reach a Dask scheduler")
    finally:
        server.close()


@pytest.mark.parametrize("workers", [0, -1, LIMITS["workers"].high + 1, 10**30])
def test_workers_out_of_range_is_one_line(workers: int) -> None:
    with pytest.raises(InputError) as exc:
        mc.RunnerOptions(workers=workers)
    assert one_line(exc).startswith("--workers: ")
    with pytest.raises(InputError) as exc:
        run(None, workers=workers)
    assert one_line(exc).startswith("workers: ")


def test_cli_damaged_manifest_is_one_line(folder: Path,
                                          cli_error: Callable[..., str]) -> None:
    """Through the command line: exit status 2 and one line, before any work."""
    (folder / mc.MANIFEST).write_text("[1, 2, 3]")
    message = cli_error("sensitivity", "korea-2017", "--output", "detection_range",
                        "--samples", "8", "--resume", str(folder))
    assert message.startswith(f"error: {folder / mc.MANIFEST}: holds a list")


@pytest.mark.parametrize("address", ["garbage", "tcp://host:99999"])
def test_cli_bad_scheduler_is_one_line(address: str, cli_error: Callable[..., str]) -> None:
    message = cli_error("sensitivity", "korea-2017", "--output", "detection_range",
                        "--samples", "8", "--scheduler", address)
    assert message.startswith("error: --scheduler: ")


@pytest.mark.parametrize("layout", ["empty", "other files", "root"])
def test_resume_refuses_a_folder_that_holds_no_run(tmp_path: Path, layout: str) -> None:
    """--resume DIR without an interrupted run in DIR is refused before any work: resuming
    it would start a new run there, writing chunk files into a folder (even /) that the user
    never gave thaadsim for them (found by a hostile sweep: --resume / wrote chunk files)."""
    from thaadsim.studies.montecarlo import RunnerOptions

    folder = Path("/") if layout == "root" else tmp_path / "dir"
    if layout != "root":
        folder.mkdir()
    if layout == "other files":
        (folder / "notes.txt").write_text("mine")
    before = sorted(p.name for p in folder.iterdir())
    with pytest.raises(InputError, match=r"--resume: .* holds no interrupted run \(no "
                                         r"manifest.json\)"):
        RunnerOptions(resume=str(folder))
    assert sorted(p.name for p in folder.iterdir()) == before


def test_resume_accepts_a_study_whose_runs_are_in_subfolders(tmp_path: Path) -> None:
    """A raid curve keeps one run per raid size in count-NNN: its folder is resumable."""
    from thaadsim.studies.montecarlo import RunnerOptions

    (tmp_path / "count-001").mkdir()
    (tmp_path / "count-001" / "manifest.json").write_text("{}")
    assert RunnerOptions(resume=str(tmp_path)).resume == str(tmp_path)
