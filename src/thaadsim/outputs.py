"""Where thaadsim may write, in one place: every output location a user names is checked here
before any work starts, and nothing thaadsim did not write is ever removed.

Output files (``--map``, ``--plot``, ``--csv``, ``--netcdf``, ``--report``):
:func:`check_output_file` refuses a wrong suffix, a folder, a file in a missing folder, a
place that cannot be written (a real write probe: permission bits say nothing to root, and
``/proc`` or a read-only mount only answers a write), names too long for the file system,
and an existing file thaadsim did not write. Every file thaadsim writes carries its
signature (:func:`signature`, ``thaadsim X.Y``), and :func:`written_by_thaadsim` recognises
it: a PNG's ``tEXt`` chunk ``Software`` (:func:`png_metadata`), an HTML page's
``<meta name="generator">`` (:func:`html_generator_meta`), a netCDF file's global attribute
``generator`` (:func:`netcdf_attrs`). A CSV file carries no comment line (a ``#`` line
breaks ``pandas.read_csv`` and the ``csv`` module unless told): its signature is its shape,
a header line that is exactly one of thaadsim's tables (:data:`CSV_HEADERS`, which the
writers use) followed only by rows of numbers of the same width. A file of any other type
is never replaced. The writers write through :func:`replacing`: a temporary file in the same
folder renamed over the target (a run killed meanwhile leaves the old file whole), removed
on failure, and the target checked again just before the rename (a file a user put there
during the run is kept). Temporary files a killed run left (``.thaadsim-tmp-PID-*``, the
process gone) are removed by the next check of an output file in that folder.

Report folders (``run -o``, the API's ``write_report``): :func:`check_output_folder`. A
folder thaadsim writes holds a marker file, :data:`MARKER`, a small JSON object naming the
writer, its version and every file it wrote. ``--force`` replaces only such a folder, and
only when it holds nothing but those files; it never replaces the working directory, an
ancestor of it, the home directory (or an ancestor) or the root, whatever they hold and
wherever a symbolic link points. An existing empty folder is used as it is.

Replacing and cleaning up (:func:`remove_written`) removes only the files a marker lists
that are really there (regular files, found without following a symbolic link), the marker
itself, the temporary files of a killed writer (:func:`clean_stale_temp`) and the folders
left empty: a marker cannot name a file outside its folder, and a
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
import struct
import tempfile
import time
import unicodedata
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from thaadsim import __version__
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
    folder no file can be created in, a file that cannot be opened for writing, an existing
    file thaadsim did not write (:func:`written_by_thaadsim`). Returns the path. A file
    thaadsim wrote is replaced (re-running a command works); a symbolic link to one is kept
    and the file it points to replaced."""
    target = _check_text(path, option)
    shown = _show(target)
    if str(path).endswith(("/", os.sep)):  # Path drops the slash that asks for a folder
        raise InputError(f"{option}: {_show(str(path))} ends in '/', a folder; give a file "
                         f"name ending in {suffix}")
    if target.name.lower() == suffix.lower():  # '.png' has no suffix: it is all name
        raise InputError(f"{option}: {shown} has no name before {suffix}; give one, e.g. "
                         f"out{suffix}")
    if target.suffix.lower() != suffix.lower():
        raise InputError(f"{option}: {shown} must end in {suffix}")
    if os.path.isdir(target):
        raise InputError(f"{option}: {shown} is a folder; give a file name ending in {suffix}")
    if os.path.lexists(target) and not os.path.exists(target):
        raise InputError(f"{option}: {shown} is a symbolic link to nothing")
    folder = _final(target).parent
    if not folder.is_dir():
        if os.path.lexists(folder):
            raise InputError(f"{option}: {shown}: {_show(folder)} is a file, not a folder")
        raise InputError(f"{option}: {shown}: the folder {_show(folder)} does not exist")
    if target.exists():
        if not target.is_file():
            raise InputError(f"{option}: {shown} exists and is not a plain file")
        if not written_by_thaadsim(target, suffix):
            raise InputError(f"{option}: {shown} exists and was not written by thaadsim; "
                             "remove it or choose another name")
        try:
            fd = os.open(target, os.O_WRONLY | os.O_APPEND)  # opens, changes nothing
        except OSError as exc:
            raise InputError(f"{option}: {shown} cannot be written ({exc.strerror})") from None
        os.close(fd)
    why = probe_folder(folder.resolve())
    if why is not None:
        raise InputError(f"{option}: {shown} cannot be written: no file can be created in "
                         f"{_show(folder)} ({why})")
    clean_stale_temp(folder)
    return target


# --------------------------------------------------------------------------------------------
# Signatures: what thaadsim writes in every output file, and how it is recognised
# --------------------------------------------------------------------------------------------

SIGNATURE_PREFIX = "thaadsim "
"""Every signature starts so; the version follows."""
PNG_KEY = "Software"
"""The PNG ``tEXt`` keyword of the signature (a keyword the PNG standard defines)."""
NETCDF_ATTR = "generator"
"""The netCDF global attribute of the signature."""
CSV_HEADERS: dict[str, tuple[str, ...]] = {
    "raid-curve": ("count", "p_no_leak", "p_no_leak_ci_low", "p_no_leak_ci_high",
                   "expected_leakers", "interceptors_used", "p_kill_per_shot",
                   "analytic_p_no_leak"),
}
"""The header of every CSV table thaadsim writes (its writers take the columns from here):
a CSV file is recognised as thaadsim's by its shape (module docstring)."""
SNIFF_BYTES = 65_536
"""How far into an HTML page the generator tag is looked for (it is in the ``<head>``)."""
CSV_MAX_BYTES = 50_000_000
"""A larger CSV file is not read to be recognised (thaadsim's tables are small)."""
PNG_MAX_CHUNKS = 100_000
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"


def signature() -> str:
    """What thaadsim writes into every output file: ``thaadsim X.Y``."""
    return SIGNATURE_PREFIX + __version__


def png_metadata() -> dict[str, str]:
    """The ``metadata`` of matplotlib's ``savefig`` for a PNG: the signature as ``tEXt``."""
    return {PNG_KEY: signature()}


def html_generator_meta() -> str:
    """The signature of an HTML page, for its ``<head>``."""
    return f'<meta name="generator" content="{signature()}">'


def netcdf_attrs() -> dict[str, str]:
    """The signature as a netCDF global attribute."""
    return {NETCDF_ATTR: signature()}


def _signed(value: str | bytes) -> bool:
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    return value.startswith(SIGNATURE_PREFIX) and len(value) < 200


def _png_signed(path: Path) -> bool:
    """A PNG whose ``tEXt`` chunk :data:`PNG_KEY` (with a right CRC) holds a signature."""
    with open(path, "rb") as fh:
        if fh.read(8) != _PNG_MAGIC:
            return False
        for _ in range(PNG_MAX_CHUNKS):
            head = fh.read(8)
            if len(head) < 8:
                return False
            length, kind = struct.unpack(">I4s", head)
            if kind == b"IEND":
                return False
            if kind == b"tEXt" and length <= 4096:
                data = fh.read(length)
                crc = fh.read(4)
                if len(data) < length or len(crc) < 4:
                    return False
                key, sep, value = data.partition(b"\x00")
                if (sep and key == PNG_KEY.encode("ascii") and _signed(value)
                        and zlib.crc32(kind + data) == struct.unpack(">I", crc)[0]):
                    return True
            else:
                fh.seek(length + 4, os.SEEK_CUR)
    return False


_HTML_META = re.compile(rb"""<meta\s+name\s*=\s*["']generator["']\s+content\s*=\s*["']"""
                        + re.escape(SIGNATURE_PREFIX.encode("ascii")), re.IGNORECASE)


def _html_signed(path: Path) -> bool:
    """An HTML page whose first :data:`SNIFF_BYTES` hold thaadsim's generator tag."""
    with open(path, "rb") as fh:
        head = fh.read(SNIFF_BYTES)
    return _HTML_META.search(head) is not None


def _netcdf_signed(path: Path) -> bool:
    """A netCDF-4 (HDF5) file whose global attribute :data:`NETCDF_ATTR` is a signature."""
    with open(path, "rb") as fh:
        if fh.read(8) != _HDF5_MAGIC:
            return False
    try:
        import h5py

        with h5py.File(path, "r", locking=False) as f:
            value = f.attrs.get(NETCDF_ATTR)
    except Exception:  # noqa: BLE001 - anything h5py cannot read is not thaadsim's
        return False
    if hasattr(value, "tolist"):
        value = value.tolist()
    return isinstance(value, str | bytes) and _signed(value)


_CSV_NUMBER = re.compile(r"-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?|nan|inf|-inf|")


def _csv_signed(path: Path) -> bool:
    """A CSV file shaped as one of :data:`CSV_HEADERS`: that header line, then only rows of
    as many numbers (or empty fields)."""
    if path.stat().st_size > CSV_MAX_BYTES:
        return False
    try:
        lines = path.read_bytes().decode("utf-8").splitlines()
    except UnicodeDecodeError:
        return False
    if not lines or tuple(lines[0].split(",")) not in CSV_HEADERS.values():
        return False
    width = len(lines[0].split(","))
    for line in lines[1:]:
        fields = line.split(",")
        if len(fields) != width or not all(_CSV_NUMBER.fullmatch(f) for f in fields):
            return False
    return True


_RECOGNISERS = {".png": _png_signed, ".html": _html_signed, ".htm": _html_signed,
                ".nc": _netcdf_signed, ".csv": _csv_signed}


def written_by_thaadsim(path: Any, suffix: str | None = None) -> bool:
    """Whether the plain file ``path`` carries thaadsim's signature for its type (``suffix``,
    by default the file's own); False for a type thaadsim does not write, a file that cannot
    be read, anything that is not a plain file."""
    path = Path(path)
    kind = (suffix or path.suffix).lower()
    recognise = _RECOGNISERS.get(kind)
    if recognise is None:
        return False
    try:
        if not path.is_file():
            return False
        return recognise(path)
    except (OSError, ValueError, OverflowError):
        return False


# --------------------------------------------------------------------------------------------
# Writing a file: atomically, never over a file of anyone else's
# --------------------------------------------------------------------------------------------

TEMP_PREFIX = ".thaadsim-tmp-"
_TEMP_NAME = re.compile(re.escape(TEMP_PREFIX) + r"(\d+)-[a-z0-9_]{8}\.tmp")


def _final(target: Path) -> Path:
    """Where writing ``target`` writes: the file a symbolic link points to (the link is
    kept), else ``target``."""
    return Path(os.path.realpath(target)) if os.path.islink(target) else target


def _umask() -> int:
    """The process's umask, read without changing it where Linux tells it (changing it,
    even for a moment, would change it for every thread)."""
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _new_file_mode() -> int:
    """The permissions ``open(path, "w")`` gives a new file: 0666 less the umask."""
    return 0o666 & ~_umask()


@contextmanager
def replacing(path: str | Path, suffix: str | None = None) -> Iterator[Path]:
    """Write ``path`` atomically: yields a temporary file in the same folder to write;
    when the block ends it is renamed over ``path`` (or the file a link at ``path`` points
    to) if that is missing or thaadsim's (:func:`written_by_thaadsim`), else
    :class:`InputError` and the file is left as it is. The temporary file is removed on any
    failure."""
    target = _final(Path(path))
    kind = suffix or target.suffix
    fd, name = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-", suffix=".tmp",
                                dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, _new_file_mode())  # mkstemp's 0600 is not what open() would give
        if os.path.lexists(target) and not written_by_thaadsim(target, kind):
            raise InputError(f"{_show(path)} exists and was not written by thaadsim; it was "
                             "left as it is and nothing was written: remove it or choose "
                             "another name")
        os.replace(tmp, target)
    finally:
        try:
            tmp.unlink()
        except FileNotFoundError:
            pass


def write_text(path: str | Path, text: str, suffix: str | None = None) -> Path:
    """Write ``text`` (UTF-8) to ``path`` through :func:`replacing`; returns ``path``."""
    with replacing(path, suffix) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


def save_png(fig: Any, path: str | Path, **kwargs: Any) -> Path:
    """Save a matplotlib figure as a signed PNG at ``path`` through :func:`replacing`."""
    with replacing(path, ".png") as tmp:
        fig.savefig(tmp, format="png", metadata=png_metadata(), **kwargs)
    return Path(path)


def clean_stale_temp(folder: Path, min_age_s: float | None = None) -> list[Path]:
    """Remove the temporary files (``.thaadsim-tmp-PID-XXXXXXXX.tmp``) that runs killed
    while writing left in ``folder``: plain files so named whose process is gone and that
    are older than ``min_age_s`` (default a minute). Returns them."""
    min_age_s = EMPTY_STALE_S if min_age_s is None else min_age_s
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        m = _TEMP_NAME.fullmatch(entry.name)
        if m is None or not entry.is_file(follow_symlinks=False):
            continue
        try:
            if time.time() - entry.stat(follow_symlinks=False).st_mtime < min_age_s:
                continue
        except OSError:
            continue
        pid = int(m.group(1))
        if not _process_gone({"pid": pid, "host": socket.gethostname()}, Path(entry.path)):
            continue
        try:
            os.unlink(entry.path)
        except OSError:
            continue
        removed.append(Path(entry.path))
    return removed


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
    clean_stale_temp(folder, min_age_s=0.0)  # a run killed while writing report.html
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


__all__ = ["CSV_HEADERS", "FOLDER_NAME_MAX_BYTES", "MARKER", "check_apart",
           "check_chunks_dir", "check_output_file", "check_output_folder", "clean_stale",
           "clean_stale_temp", "foreign_entries", "html_generator_meta", "netcdf_attrs",
           "png_metadata", "probe_folder", "read_marker", "remove_written", "replacing",
           "safe_slug", "save_png", "signature", "write_marker", "write_text",
           "written_by_thaadsim"]
