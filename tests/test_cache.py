"""The per-version cache (thaadsim.cache) and the validation table kept in it: computed once
per version of the code and catalog, recomputed when either changes, never trusted when
damaged, and harmless when the cache cannot be written."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import pytest

from thaadsim import cache
from thaadsim.commands import validate_command_data
from thaadsim.studies import validation


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(cache.CACHE_ENV, str(folder))
    return folder


def counter() -> tuple[list[int], object]:
    calls = [0]

    def compute() -> dict[str, int]:
        calls[0] += 1
        return {"calls": calls[0]}

    return calls, compute


def test_computed_once_per_key(cache_dir: Path) -> None:
    calls, compute = counter()
    first = cache.cached("thing", compute, key="k1")  # type: ignore[arg-type]
    again = cache.cached("thing", compute, key="k1")  # type: ignore[arg-type]
    assert calls[0] == 1
    assert (first.from_cache, again.from_cache) == (False, True)
    assert again.value == first.value == {"calls": 1}
    assert again.computed_at == first.computed_at
    other = cache.cached("thing", compute, key="k2")  # type: ignore[arg-type]
    assert calls[0] == 2 and not other.from_cache and other.value == {"calls": 2}


@pytest.mark.parametrize("damage", ["", "{not json", "[1, 2]", '"text"', "null",
                                    '{"key": "k1"}', '{"key": "k1", "value": 1}',
                                    '{"key": "k1", "value": 1, "computed_at": 5}'])
def test_damaged_entry_is_recomputed(cache_dir: Path, damage: str) -> None:
    calls, compute = counter()
    cache_dir.mkdir()
    (cache_dir / f"thing{cache.SUFFIX}").write_text(damage)
    got = cache.cached("thing", compute, key="k1")  # type: ignore[arg-type]
    assert calls[0] == 1 and not got.from_cache
    assert json.loads((cache_dir / f"thing{cache.SUFFIX}").read_text())["key"] == "k1"


@pytest.mark.parametrize("where", ["/proc/self/thaadsim-cache", "off"])
def test_unwritable_or_off_cache_computes_each_time(monkeypatch: pytest.MonkeyPatch,
                                                     where: str) -> None:
    monkeypatch.setenv(cache.CACHE_ENV, where)
    calls, compute = counter()
    cache.cached("thing", compute, key="k1")  # type: ignore[arg-type]
    cache.cached("thing", compute, key="k1")  # type: ignore[arg-type]
    assert calls[0] == 2


def test_key_follows_every_code_and_data_file(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "missiles.yaml").write_text("scud-b: {range_km: 300}\n")
    (tmp_path / "mod.py").write_text("X = 1\n")
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "mod.pyc").write_bytes(b"\0")
    key = cache.tree_digest(tmp_path, "0.1.0")
    assert key == cache.tree_digest(tmp_path, "0.1.0")
    assert key != cache.tree_digest(tmp_path, "0.1.1")
    (tmp_path / "__pycache__" / "mod.pyc").write_bytes(b"\1")  # not code: same key
    assert key == cache.tree_digest(tmp_path, "0.1.0")
    (tmp_path / "data" / "missiles.yaml").write_text("scud-b: {range_km: 301}\n")
    assert key != cache.tree_digest(tmp_path, "0.1.0")


def fake_results(n: int) -> list[validation.CaseResult]:
    return [validation.CaseResult(
        id=f"case-{i}", kind="kepler", title="t", source="s", unit="km", published=1.0,
        published_low=None, published_high=None, model=1.0 + i, difference=float(i),
        tolerance="1%", lower=0.0, upper=2.0, passed=i == 0, expected_fail=False, note="",
        seconds=0.0) for i in range(n)]


def test_validation_table_runs_once_per_version(cache_dir: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    runs = [0]

    def run_cases() -> list[validation.CaseResult]:
        runs[0] += 1
        return fake_results(3)

    monkeypatch.setattr(validation, "run_cases", run_cases)
    first = validation.cached_results()
    second = validation.cached_results()
    assert runs[0] == 1 and second.from_cache
    assert second.value == first.value == fake_results(3)
    # rows of another shape (an older CaseResult) are not trusted: computed again
    entry = json.loads((cache_dir / f"{validation.cache_entry()}{cache.SUFFIX}").read_text())
    entry["value"] = [{"id": "x"}]
    (cache_dir / f"{validation.cache_entry()}{cache.SUFFIX}").write_text(json.dumps(entry))
    third = validation.cached_results()
    assert runs[0] == 2 and third.value == fake_results(3)


def test_validate_command_fills_the_reports_cache(cache_dir: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(validation, "run_cases", lambda cases=None: fake_results(2))
    monkeypatch.setattr(validation, "load_cases", lambda path=None: [])
    validate_command_data()
    entry = json.loads((cache_dir / f"{validation.cache_entry()}{cache.SUFFIX}").read_text())
    assert entry["key"] == cache.version_key()
    assert entry["value"] == [asdict(r) for r in fake_results(2)]


def test_prune_keeps_the_newest_entries_and_never_a_file_it_did_not_write(
        cache_dir: Path) -> None:
    """Past MAX_ENTRIES the oldest entries go (down to three quarters); a user's files in the
    same folder, even named like entries, stay byte for byte."""
    import os

    for i in range(10):
        cache.store(f"e{i}", "k", i)
        os.utime(cache_dir / f"e{i}{cache.SUFFIX}", (1000 + i, 1000 + i))
    mine = {"notes.json": b'{"key": "mine"}', f"x{cache.SUFFIX}": b"my own words",
            "old.txt": b"text"}
    for name, data in mine.items():
        (cache_dir / name).write_bytes(data)
        os.utime(cache_dir / name, (1, 1))  # older than every entry
    assert cache.prune(cache_dir, max_entries=8) == 10 - 6  # down to 3/4 of 8
    kept = sorted(p.name for p in cache_dir.glob(f"e*{cache.SUFFIX}"))
    assert kept == [f"e{i}{cache.SUFFIX}" for i in range(4, 10)]
    for name, data in mine.items():
        assert (cache_dir / name).read_bytes() == data
    assert cache.prune(cache_dir, max_entries=8) == 0


def test_claim6_study_kept_per_version_beside_another_versions(
        cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Claim 6's study (seconds to compute) is kept under a name holding this version's key:
    another installed version's entry (the old unkeyed name, or another key) is neither
    read nor overwritten, so two versions sharing a cache do not recompute it in turn."""
    from thaadsim.studies import reaction as study
    from thaadsim.studies.claims.reaction import reaction_cached

    calls, compute = counter()
    monkeypatch.setattr(study, "reaction_numbers", compute)
    cache.store("reaction", "another version's key", {"calls": -1})
    cache.store("reaction-0123456789abcdef", "another version's key", {"calls": -2})
    assert reaction_cached() == {"calls": 1}
    assert reaction_cached() == {"calls": 1} and calls[0] == 1
    mine = cache_dir / f"reaction-{cache.version_key()[:16]}{cache.SUFFIX}"
    assert json.loads(mine.read_text())["value"] == {"calls": 1}
    assert cache.load("reaction", "another version's key").value == {"calls": -1}  # type: ignore[union-attr]
    assert cache.load("reaction-0123456789abcdef",
                      "another version's key").value == {"calls": -2}  # type: ignore[union-attr]
