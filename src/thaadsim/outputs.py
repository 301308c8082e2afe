"""Where thaadsim may write, in one place: every output location a user names is checked here
before any work starts, and nothing thaadsim did not write is ever removed.

Output files (``--map``, ``--plot``, ``--csv``, ``--netcdf``, ``--report``):
:func:`check_output_file` refuses a wrong suffix, a folder, a file in a missing folder, a
place that cannot be written (a real write probe: permission bits say nothing to root, and
``/proc`` or a read-only mount only answers a write) and names too long for the file system.

Report folders (``run -o``, the API's ``write_report``): :func:`check_output_folder`. A
folder thaadsim writes holds a marker file, :data:`MARKER`, a small JSON object naming the
writer, its version and every file it wrote. ``--force`` replaces only such a folder, and
only when it holds nothing but those files; it never replaces the working directory, an
ancestor of it, the home directory (or an ancestor) or the root, whatever they hold and
wherever a symbolic link points. An existing empty folder is used as it is.

Replacing and cleaning up (:func:`remove_written`) removes only the files a marker lists
that are really there (regular files, found without following a symbolic link), the marker
itself and the folders left empty: a marker cannot name a file outside its folder, and a
file a user added to a report folder stays.

A report is written in a hidden staging folder ``.NAME.XXXXXXXX`` beside the target (its
marker says ``"state": "writing"``, the process and the host) and renamed into place; an old
report is first renamed to ``.NAME.old-XXXXXXXX``. A run killed meanwhile leaves them behind:
:func:`clean_stale` removes, beside a target, those whose marker says thaadsim made them and
whose process is gone, and nothing else.

Chunk folders (``--chunks-dir``, ``--resume``): :func:`check_chunks_dir`, and
:func:`check_apart` keeps a chunk folder and a report folder out of each other.

Default folder names come from user text (a scenario's name): :func:`safe_slug` makes of any
text a short ASCII name that cannot leave the working directory.
"""

from __future__ import annotations

import json
import os
import re
import socket
import tempfile
import time
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from thaadsim.errors import InputError

MARKER = ".thaadsim-report"
"""The marker file in every folder thaadsim writes (a JSON object, module docstring)."""
WRITER = "thaadsim"
NAME_MAX_BYTES = 255
"""The longest file or folder name of the common file systems (ext4, XFS, APFS, NTFS)."""
FOLDER_NAME_MAX_BYTES = 200
"""The longest report folder name: its staging names (``.NAME.old-XXXXXXXX``) must fit in
:data:`NAME_MAX_BYTES`."""
PATH_MAX_BYTES = 4000
"""Below Linux's PATH_MAX (4,096 bytes) with room for what thaadsim adds."""
SLUG_MAX_CHARS = 60
"""The longest slug :func:`safe_slug` makes (ASCII: one byte a character)."""
STALE_FOREIGN_S = 86_400.0
"""A staging folder of another host is stale after a day (its process cannot be asked)."""


# --------------------------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------------------------


def safe_slug(name: Any, default: str = "scenario") -> str:
    """A folder name made of ``name``: ASCII letters (lower case), digits and single
    hyphens, at most :data:`SLUG_MAX_CHARS` characters, never empty, ``.`` or ``..``, no
    separator: accents are dropped (``é`` -> ``e``), any other run of characters is one
    hyphen, and a name with nothing left is ``default``."""
    text = name if isinstance(name, str) else str(name)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    slug = slug[:SLUG_MAX_CHARS].rstrip("-")
    return slug or default


def _show(path: str | Path) -> str:
    """A path as a message shows it: quoted, control characters and odd bytes escaped,
    at most 200 characters."""
    text = repr(str(path))
    return text if len(text) <= 200 else text[:160] + "..." + text[-37:]


def _check_text(path: Any, option: str) -> Path:
    """``path`` as a :class:`Path`, refusing what no file system takes: an empty path, a
    NUL, a name over :data:`NAME_MAX_BYTES` or a path over :data:`PATH_MAX_BYTES`."""
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    if not isinstance(path, str | os.PathLike):
        raise InputError(f"{option}: {path!r} is not a path")
    text = os.fspath(path)
    if not isinstance(text, str) or text == "":
        raise InputError(f"{option}: the path is empty; give a file or folder name")
    if "\x00" in text:
        raise InputError(f"{option}: {_show(text)} contains a NUL character")
    size = len(os.fsencode(text))
    if size > PATH_MAX_BYTES:
        raise InputError(f"{option}: the path is {size:,} bytes long; at most "
                         f"{PATH_MAX_BYTES:,} are allowed")
    for part in Path(text).parts:
        n = len(os.fsencode(part))
        if n > NAME_MAX_BYTES:
            raise InputError(f"{option}: {_show(text)}: a name in it is {n:,} bytes long; "
                             f"file systems allow at most {NAME_MAX_BYTES}")
    return Path(text)


# --------------------------------------------------------------------------------------------
# Can it be written?
# --------------------------------------------------------------------------------------------


def probe_folder(folder: Path) -> str | None:
    """None if a file can be created in ``folder`` (created and removed: a real write, as
    permission bits do not stop root and ``/proc`` refuses only the write), else why not."""
    try:
        fd, name = tempfile.mkstemp(prefix=".thaadsim-probe-", dir=folder)
    except OSError as exc:
        return exc.strerror or type(exc).__name__
    os.close(fd)
    try:
        os.unlink(name)
    except OSError as exc:  # pragma: no cover - a file just made and not removable
        return exc.strerror or type(exc).__name__
    return None


def _existing_ancestor(path: Path) -> Path:
    """The nearest of ``path`` and its ancestors that exists (as a link or not)."""
    for candidate in (path, *path.parents):
        if os.path.lexists(candidate):
            return candidate
    return Path(path.anchor or ".")  # pragma: no cover - the root always exists


def check_output_file(path: Any, suffix: str, option: str) -> Path:
    """Refuse, before any work, an output file that could not be written: a name that does
    not end in ``suffix``, a folder, something that is not a plain file, a missing folder, a
    folder no file can be created in, a file that cannot be opened for writing. Returns the
    path. An existing plain file is overwritten: the user named it."""
    target = _check_text(path, option)
    shown = _show(target)
    if target.suffix.lower() != suffix.lower():
        raise InputError(f"{option}: {shown} must end in {suffix}")
    if os.path.isdir(target):
        raise InputError(f"{option}: {shown} is a folder; give a file name ending in {suffix}")
    if os.path.lexists(target) and not os.path.exists(target):
        raise InputError(f"{option}: {shown} is a symbolic link to nothing")
    folder = target.parent
    if not folder.is_dir():
        if os.path.lexists(folder):
            raise InputError(f"{option}: {shown}: {_show(folder)} is a file, not a folder")
        raise InputError(f"{option}: {shown}: the folder {_show(folder)} does not exist")
    if target.exists():
        if not target.is_file():
            raise InputError(f"{option}: {shown} exists and is not a plain file")
        try:
            fd = os.open(target, os.O_WRONLY | os.O_APPEND)  # opens, changes nothing
        except OSError as exc:
            raise InputError(f"{option}: {shown} cannot be written ({exc.strerror})") from None
        os.close(fd)
    why = probe_folder(folder.resolve())
    if why is not None:
        raise InputError(f"{option}: {shown} cannot be written: no file can be created in "
                         f"{_show(folder)} ({why})")
    return target


# --------------------------------------------------------------------------------------------
# Markers
# --------------------------------------------------------------------------------------------


def write_marker(folder: Path, *, files: Iterable[str], version: str, state: str = "complete",
                 target: str | None = None) -> None:
    """Write ``folder``'s marker: who wrote it, with which version, the files (paths
    relative to the folder, with ``/``), and, while ``state`` is ``"writing"``, the process,
    host and target name of the run writing it."""
    data: dict[str, Any] = {"written_by": WRITER, "version": version, "state": state,
                            "files": sorted(set(files)),
                            "about": "thaadsim wrote this folder; --force replaces it, "
                                     "removing only the files listed here"}
    if state != "complete":
        data.update(pid=os.getpid(), host=socket.gethostname(), target=target,
                    started=time.time())
    tmp = folder / (MARKER + ".tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, folder / MARKER)


def read_marker(folder: Path) -> dict[str, Any] | None:
    """``folder``'s marker, or None if it has none thaadsim could have written (missing, a
    link, not a JSON object naming thaadsim, a list of files that is not a list of
    relative paths)."""
    path = folder / MARKER
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size > 1_000_000:
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("written_by") != WRITER:
        return None
    files = data.get("files")
    if not isinstance(files, list) or not all(_relative_name(f) for f in files):
        return None
    return data


def _relative_name(name: Any) -> bool:
    """A path the marker may list: relative, with ``/``, no ``.``, ``..`` or empty part."""
    return (isinstance(name, str) and name != "" and "\x00" not in name
            and not name.startswith("/") and "\\" not in name
            and all(p not in ("", ".", "..") for p in name.split("/")))


def _tree(folder: Path) -> tuple[set[str], set[str], set[str]]:
    """The plain files, the folders and everything else (links, devices, ...) under
    ``folder``, relative with ``/``; symbolic links are not followed."""
    files: set[str] = set()
    dirs: set[str] = set()
    other: set[str] = set()
    for root, dirnames, filenames in os.walk(folder, followlinks=False):
        rel = Path(root).relative_to(folder)
        for name in dirnames:
            entry = (rel / name).as_posix()
            (other if os.path.islink(Path(root) / name) else dirs).add(entry)
        for name in filenames:
            full = Path(root) / name
            entry = (rel / name).as_posix()
            (files if full.is_file() and not full.is_symlink() else other).add(entry)
    return files, dirs, other


def foreign_entries(folder: Path, marker: dict[str, Any]) -> list[str]:
    """What ``folder`` holds that its marker does not list (beside the marker files)."""
    files, dirs, other = _tree(folder)
    listed = set(marker["files"]) | {MARKER, MARKER + ".tmp"}
    parents = {p.as_posix() for f in listed for p in Path(f).parents if p != Path(".")}
    return sorted((files - listed) | (dirs - parents) | other)


def remove_written(folder: Path) -> bool:
    """Remove from ``folder`` the plain files its marker lists, then the marker and every
    folder left empty (the deepest first), ``folder`` last; nothing else. True if
    ``folder`` is gone. A folder without a marker is left as it is."""
    marker = read_marker(folder)
    if marker is None or folder.is_symlink():
        return False
    files, dirs, _ = _tree(folder)
    for name in sorted(files & set(marker["files"])):
        try:
            (folder / name).unlink()
        except FileNotFoundError:
            pass
    for name in (MARKER + ".tmp", MARKER):
        try:
            (folder / name).unlink()
        except FileNotFoundError:
            pass
    for name in sorted(dirs, key=lambda d: d.count("/"), reverse=True):
        try:
            (folder / name).rmdir()
        except OSError:
            pass  # not empty: it holds something thaadsim did not write
    try:
        folder.rmdir()
    except OSError:
        return False
    return True


# --------------------------------------------------------------------------------------------
# Report folders
# --------------------------------------------------------------------------------------------


def _protected(resolved: Path) -> str | None:
    """Why ``resolved`` may never be replaced, or None."""
    if resolved.parent == resolved:
        return "is the root of the file system"
    try:
        cwd = Path.cwd().resolve()
    except OSError:
        cwd = None
    if cwd is not None and (cwd == resolved or resolved in cwd.parents):
        return ("is the working directory" if cwd == resolved
                else "holds the working directory")
    home = os.path.expanduser("~")
    if home not in ("", "~"):
        home_path = Path(home).resolve()
        if home_path == resolved or resolved in home_path.parents:
            return ("is the home directory" if home_path == resolved
                    else "holds the home directory")
    return None


def check_output_folder(path: Any, force: bool, option: str = "-o") -> Path:
    """Refuse, before any work, a report folder thaadsim may not write (module docstring);
    returns it, resolved (symbolic links followed). Refused: the working directory, an
    ancestor of it, the home directory or an ancestor, the root; a file; an existing folder
    that is not empty, unless ``force`` and it is a report thaadsim wrote holding nothing
    else; a folder whose parent is missing or cannot be written in; a name over
    :data:`FOLDER_NAME_MAX_BYTES`."""
    given = _check_text(path, option)
    shown = _show(given)
    try:
        resolved = Path(os.path.realpath(given))
    except (OSError, RuntimeError, ValueError) as exc:
        raise InputError(f"{option}: {shown} cannot be resolved ({exc})") from None
    why = _protected(resolved)
    if why is not None:
        raise InputError(f"{option}: {shown} {why}; thaadsim never writes a report there: "
                         "give a new folder (e.g. -o my-report)")
    if len(os.fsencode(resolved.name)) > FOLDER_NAME_MAX_BYTES:
        raise InputError(f"{option}: {shown}: the folder name is "
                         f"{len(os.fsencode(resolved.name)):,} bytes long; at most "
                         f"{FOLDER_NAME_MAX_BYTES} are allowed")
    if os.path.lexists(given) and not os.path.exists(given):
        raise InputError(f"{option}: {shown} is a symbolic link to nothing")
    if resolved.exists():
        if not resolved.is_dir():
            raise InputError(f"{option}: {shown} is a file, not a folder; choose another -o")
        try:
            empty = not any(resolved.iterdir())
        except OSError as exc:
            raise InputError(f"{option}: {shown} cannot be read ({exc.strerror})") from None
        if not empty:
            marker = read_marker(resolved)
            if marker is None:
                raise InputError(f"{option}: {shown} exists and was not written by thaadsim; "
                                 "choose another -o or remove it yourself")
            if not force:
                raise InputError(f"{option}: {shown} exists; give --force to replace it or "
                                 "choose another with -o")
            extra = foreign_entries(resolved, marker)
            if extra:
                raise InputError(f"{option}: {shown} holds files thaadsim did not write "
                                 f"({', '.join(_show(e) for e in extra[:3])}"
                                 f"{', ...' if len(extra) > 3 else ''}); move them away "
                                 "or choose another -o")
    parent = resolved.parent
    if not parent.is_dir():
        what = "is a file, not a folder" if os.path.lexists(parent) else "does not exist"
        raise InputError(f"{option}: {shown}: its parent {_show(parent)} {what}")
    why = probe_folder(parent)
    if why is not None:
        raise InputError(f"{option}: {shown} cannot be written: no folder can be made in "
                         f"{_show(parent)} ({why})")
    return resolved


def _process_gone(marker: dict[str, Any], folder: Path) -> bool:
    """Whether the run that wrote a staging folder is over (its process is gone; on another
    host, after :data:`STALE_FOREIGN_S`)."""
    pid, host = marker.get("pid"), marker.get("host")
    if host != socket.gethostname():
        try:
            age = time.time() - folder.stat().st_mtime
        except OSError:
            return False
        return age > STALE_FOREIGN_S
    if not isinstance(pid, int) or isinstance(pid, bool) or pid <= 0:
        return False
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False


_MKDTEMP_TAIL = re.compile(r"(old-)?[a-z0-9_]{8}")
"""What :func:`tempfile.mkdtemp` adds to a staging folder's name."""
EMPTY_STALE_S = 60.0
"""An empty staging folder without a marker (a run killed before it wrote its marker, or
by a version of thaadsim that wrote none) is stale after a minute."""


def _empty_leftover(entry: Path, prefix: str) -> bool:
    """Remove ``entry`` if it is an empty folder named as thaadsim names a staging folder
    and older than :data:`EMPTY_STALE_S` (removing it removes no file); whether it did."""
    if not _MKDTEMP_TAIL.fullmatch(entry.name[len(prefix):]):
        return False
    try:
        if time.time() - entry.stat().st_mtime < EMPTY_STALE_S:
            return False
        entry.rmdir()  # fails unless empty
    except OSError:
        return False
    return True


def clean_stale(target: Path) -> list[Path]:
    """Remove (:func:`remove_written`) what runs killed while writing ``target`` left beside
    it: hidden folders ``.NAME.*`` holding a thaadsim marker that is either a staging folder
    whose process is gone or an old report being replaced (``.NAME.old-*``), and empty
    folders named as staging folders are, older than a minute. Returns the folders removed.
    Anything else, even under such a name, is left alone."""
    prefix = f".{target.name}."
    removed: list[Path] = []
    try:
        entries = list(target.parent.iterdir())
    except OSError:
        return removed
    for entry in entries:
        if not entry.name.startswith(prefix) or entry.is_symlink() or not entry.is_dir():
            continue
        marker = read_marker(entry)
        if marker is None:
            if _empty_leftover(entry, prefix):
                removed.append(entry)
            continue
        writing = marker.get("state") == "writing"
        if writing and not (marker.get("target") == target.name
                            and _process_gone(marker, entry)):
            continue
        if not writing and not entry.name.startswith(prefix + "old-"):
            continue
        if remove_written(entry):
            removed.append(entry)
    return removed


# --------------------------------------------------------------------------------------------
# Chunk folders
# --------------------------------------------------------------------------------------------


def check_chunks_dir(path: Any, option: str, *, must_exist: bool = False) -> Path:
    """Refuse, before any work, a folder for the runner's chunk files that could not be
    used: a file, a folder under a file, a folder (or, if missing, the nearest existing
    ancestor, where it will be made) no file can be created in, a missing folder when
    ``must_exist`` (``--resume``). Returns the path."""
    given = _check_text(path, option)
    shown = _show(given)
    if os.path.lexists(given) and not os.path.exists(given):
        raise InputError(f"{option}: {shown} is a symbolic link to nothing")
    if given.exists():
        if not given.is_dir():
            raise InputError(f"{option}: {shown} is a file, not a folder")
        where = given
    else:
        if must_exist:
            raise InputError(f"{option}: {shown} is not a folder; give the --chunks-dir of "
                             "the interrupted run")
        where = _existing_ancestor(given)
        if not where.is_dir():
            raise InputError(f"{option}: {shown}: {_show(where)} is a file, not a folder")
    why = probe_folder(where)
    if why is not None:
        raise InputError(f"{option}: {shown} cannot be written: no file can be created in "
                         f"{_show(where)} ({why})")
    return given


def check_apart(first: Any, first_option: str, second: Any, second_option: str) -> None:
    """Refuse two output folders of which one is (or is inside) the other: a report replaced
    or written in place would take the other with it."""
    a = Path(os.path.realpath(first))
    b = Path(os.path.realpath(second))
    if a == b or a in b.parents or b in a.parents:
        how = ("is the same folder as" if a == b else
               "is inside" if b in a.parents else "holds")
        raise InputError(f"{first_option}: {_show(first)} {how} {second_option} "
                         f"{_show(second)}; give them separate folders")


__all__ = ["FOLDER_NAME_MAX_BYTES", "MARKER", "check_apart", "check_chunks_dir",
           "check_output_file", "check_output_folder", "clean_stale", "foreign_entries",
           "probe_folder", "read_marker", "remove_written", "safe_slug", "write_marker"]
