"""Results that depend only on thaadsim's code and catalog, computed once and kept.

Some tables (the validation table of every report, for one) take seconds to compute and
change only when the catalog or the code does. :func:`cached` keeps such a value as JSON under
the user's cache directory (``platformdirs.user_cache_dir("thaadsim")``, or the folder in the
environment variable ``THAADSIM_CACHE_DIR``; ``THAADSIM_CACHE_DIR=off`` keeps nothing), keyed
by :func:`version_key`: a SHA-256 of the package version and of every file of the installed
package (its code and its data). A changed catalog file or module gives a new key, and the
value is computed again; an unreadable, damaged or foreign cache file is ignored (never
trusted) and replaced; a cache folder that cannot be written only means the value is
computed each time. The cache keeps at most :data:`MAX_ENTRIES` files, removing its oldest
entries past that, and never removes a file it did not write (names ending in
:data:`SUFFIX` that begin as its entries do).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

CACHE_ENV = "THAADSIM_CACHE_DIR"
"""Environment variable: the cache folder, or ``off``."""


def cache_dir() -> Path | None:
    """The folder thaadsim keeps its per-version results in (None: caching is off)."""
    env = os.environ.get(CACHE_ENV)
    if env is not None:
        return None if env.strip().lower() in ("off", "") else Path(env)
    import platformdirs

    return Path(platformdirs.user_cache_dir("thaadsim"))


@cache
def version_key() -> str:
    """SHA-256 of the package version and of the bytes of every file of the package (code and
    catalog), in a fixed order: the same installed thaadsim gives the same key."""
    from thaadsim import __version__

    return tree_digest(Path(__file__).resolve().parent, __version__)


_KEYED_SUFFIXES = (".py", ".yaml", ".geojson", ".json", ".html", ".css", ".js", ".j2")


def tree_digest(root: Path, version: str) -> str:
    """SHA-256 of ``version`` and of each code or data file under ``root`` (its path
    relative to ``root`` and its bytes), in sorted order; caches are skipped."""
    digest = hashlib.sha256(version.encode())
    for path in sorted(root.rglob("*")):
        if (path.is_file() and "__pycache__" not in path.parts
                and path.suffix in _KEYED_SUFFIXES):
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


@dataclass(frozen=True, kw_only=True)
class Cached:
    """A value with when and for which version it was computed."""

    value: Any
    computed_at: str
    """ISO 8601, UTC."""
    key: str
    from_cache: bool
    """Read from the cache (True) or computed by this call (False)."""


SUFFIX = ".thaadsim-cache.json"
"""The ending of every file the cache writes (and the only files it ever removes)."""

MAX_ENTRIES = 4_096
"""Files the cache keeps at most: past that, the oldest entries it wrote are removed (runs with
other seeds draw other launch points, so per-threat entries would otherwise pile up)."""


def _file(name: str) -> Path | None:
    folder = cache_dir()
    return None if folder is None else folder / f"{name}{SUFFIX}"


def _is_entry(path: Path) -> bool:
    """A file this cache wrote: its name's ending and its first bytes (``{"key": ``)."""
    try:
        with path.open("rb") as f:
            return path.name.endswith(SUFFIX) and f.read(8) == b'{"key": '
    except OSError:
        return False


def prune(folder: Path, max_entries: int = MAX_ENTRIES) -> int:
    """Remove the oldest cache entries in ``folder`` beyond three quarters of
    ``max_entries`` once there are more than ``max_entries``; only files this cache wrote
    (:func:`_is_entry`) are counted or removed. Returns how many were removed."""
    try:
        named = [p for p in folder.glob(f"*{SUFFIX}") if p.is_file()]
        if len(named) <= max_entries:
            return 0
        entries = sorted((p for p in named if _is_entry(p)), key=lambda p: p.stat().st_mtime)
    except OSError:
        return 0
    removed = 0
    for path in entries[: max(0, len(entries) - (3 * max_entries) // 4)]:
        try:
            path.unlink()
            removed += 1
        except OSError:
            pass
    return removed


def load(name: str, key: str) -> Cached | None:
    """The value kept as ``name`` for ``key``, or None (none kept, another key, damaged)."""
    path = _file(name)
    if path is None:
        return None
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if (not isinstance(data, dict) or data.get("key") != key or "value" not in data
            or not isinstance(data.get("computed_at"), str)):
        return None
    return Cached(value=data["value"], computed_at=data["computed_at"], key=key,
                  from_cache=True)


def store(name: str, key: str, value: Any, computed_at: str | None = None) -> Cached:
    """Keep ``value`` (JSON-serialisable) as ``name`` for ``key``, atomically; a folder that
    cannot be written keeps nothing, silently (the value is then computed next time)."""
    stamp = computed_at or datetime.now(UTC).isoformat(timespec="seconds")
    out = Cached(value=value, computed_at=stamp, key=key, from_cache=False)
    path = _file(name)
    if path is None:
        return out
    text = json.dumps({"key": key, "computed_at": stamp, "value": value}, allow_nan=True)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        prune(path.parent)
    except OSError:
        pass
    return out


def per_version(name: str) -> str:
    """``name`` with the start of :func:`version_key`: the entry of a value kept once per
    version, so that two installed versions sharing a user's cache keep one entry each
    instead of overwriting one in turn (each run of the other would recompute it)."""
    return f"{name}-{version_key()[:16]}"


def cached(name: str, compute: Callable[[], Any], key: str | None = None) -> Cached:
    """The value of ``compute()`` for this version (:func:`version_key`, or ``key``): read
    from the cache when it holds it, else computed and kept."""
    key = key or version_key()
    hit = load(name, key)
    return hit if hit is not None else store(name, key, compute())


def cached_for(prefix: str, args: Any, compute: Callable[[], Any]) -> Cached:
    """The value of ``compute()`` for this version and ``args``, kept as
    ``prefix-<SHA-256 of the key>`` under the key ``version_key() + repr(args)``: a value that
    depends on the code, the catalog and arguments given by value (numbers, strings, frozen
    dataclasses, whose repr holds every field and every float exactly), so that changed
    arguments (``dataclasses.replace(rocket, ...)``) are computed anew."""
    key = version_key() + repr(args)
    return cached(f"{prefix}-{hashlib.sha256(key.encode()).hexdigest()[:32]}", compute,
                  key=key)


__all__ = ["CACHE_ENV", "MAX_ENTRIES", "SUFFIX", "Cached", "cache_dir", "cached", "cached_for",
           "load", "per_version", "prune", "store", "tree_digest", "version_key"]
