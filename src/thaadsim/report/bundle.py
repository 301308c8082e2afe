"""Everything a run writes, into one folder, atomically, and nothing of anyone else's lost.

:func:`write_outputs` builds the whole folder (``report.html``, ``results/`` with the
Parquet tables, ``summary.json`` and ``claims.json``, ``scenario.czml``, ``scenario.kml``,
and the marker ``.thaadsim-report`` listing them) in a hidden staging folder
``.NAME.XXXXXXXX`` beside the target and renames it into place only when every file is
written: a run that fails or is interrupted leaves either the old folder or the new one,
never half of one.

The target is checked by :func:`thaadsim.outputs.check_output_folder` (before the run by the
command line, and again here): an existing folder is replaced only with ``force``, only if
thaadsim wrote it (its marker) and it holds nothing else, and never the working directory,
an ancestor of it or the home directory. The old folder is renamed aside
(``.NAME.old-XXXXXXXX``) and only the files its marker lists are removed. What a killed run
left beside the target (a staging folder whose process is gone, an old folder) is cleaned up
first, by the same rule (:func:`thaadsim.outputs.clean_stale`).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from thaadsim import __version__
from thaadsim.errors import InputError
from thaadsim.outputs import (
    MARKER,
    check_output_folder,
    clean_stale,
    read_marker,
    remove_written,
    write_marker,
)
from thaadsim.run import RunOutput
from thaadsim.timing import stage

if TYPE_CHECKING:
    from thaadsim.studies.claims import Claim

LAYOUT = ("report.html", "scenario.czml", "scenario.kml", "results/threats.parquet",
          "results/shots.parquet", "results/tracks.parquet", "results/summary.json",
          "results/claims.json")
"""The files a report folder holds (relative paths): what a staging folder's marker claims
while it is written, so that a killed run's leftovers can be removed, and only they."""


def check_target(folder: str | Path, force: bool, option: str = "-o") -> Path:
    """Refuse, before any work, a target thaadsim may not write (module docstring); the
    target, resolved."""
    return check_output_folder(folder, force, option)


def write_outputs(out: RunOutput, folder: str | Path, *, force: bool = False,
                  claims: Sequence[Claim] | None = None) -> list[Path]:
    """Write the report, tables and exports of ``out`` into ``folder`` (module docstring);
    returns the files written, relative to the folder (the marker not included).
    ``claims``: the claims check of this run (:func:`thaadsim.studies.claims.check_claims`,
    computed here when not given), drawn in the report and written as
    ``results/claims.json``: checked once for both."""
    from thaadsim.report.exports import write_claims, write_exports
    from thaadsim.report.html import write_report

    target = check_target(folder, force)
    if claims is None:
        from thaadsim.studies.claims import check_claims

        with stage("claims"):
            claims = check_claims(out, quick=False)
    clean_stale(target)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        write_marker(staging, files=LAYOUT, version=__version__, state="writing",
                     target=target.name)
        umask = os.umask(0)
        os.umask(umask)
        staging.chmod(0o777 & ~umask)  # mkdtemp makes it private; the report is for sharing
        write_report(out, staging / "report.html", claims=claims)
        write_exports(out, staging)
        write_claims(claims, staging / "results" / "claims.json")
        written = sorted(p.relative_to(staging) for p in staging.rglob("*")
                         if p.is_file() and not p.name.startswith(MARKER))
        names = [p.as_posix() for p in written]
        write_marker(staging, files=names, version=__version__, state="writing",
                     target=target.name)
        _replace(target, staging, force)
    except BaseException:
        remove_written(staging)  # what it wrote; a stranger's file would stay
        try:
            staging.rmdir()  # if it failed before its marker: empty
        except OSError:
            pass
        raise
    write_marker(target, files=names, version=__version__)
    return written


def _replace(target: Path, staging: Path, force: bool) -> None:
    """Rename ``staging`` to ``target``; an existing target is checked again (it may have
    changed while the run ran), renamed aside and its listed files removed."""
    if target.exists() and not target.is_symlink() and target.is_dir() \
            and not any(target.iterdir()):
        os.rename(staging, target)  # over an empty folder: nothing is lost
        return
    if not os.path.lexists(target):
        os.rename(staging, target)
        return
    check_target(target, force)  # a folder thaadsim wrote, holding nothing else
    if read_marker(target) is None:  # pragma: no cover - check_target refused it
        raise InputError(f"-o: {str(target)!r} was not written by thaadsim")
    old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
    os.rename(target, old)  # replaces the empty folder just made
    try:
        os.rename(staging, target)
    except BaseException:
        os.rename(old, target)
        raise
    remove_written(old)
