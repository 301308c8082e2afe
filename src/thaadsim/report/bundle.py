"""Everything a run writes, into one folder, atomically.

:func:`write_outputs` builds the whole folder (``report.html``, ``results/`` with the
Parquet tables and ``summary.json``, ``scenario.czml``, ``scenario.kml``) in a hidden
temporary folder beside the target and moves it into place only when every file is
written: a run that fails or is interrupted leaves either the old folder or the new one,
never half of one. An existing folder is replaced only with ``force``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from thaadsim.errors import InputError
from thaadsim.run import RunOutput


def check_target(folder: str | Path, force: bool) -> Path:
    """Refuse, before any work, a target that exists (without ``force``) or cannot be made."""
    target = Path(folder)
    if target.exists() and not force:
        raise InputError(f"output folder {str(target)!r} exists; give --force to replace it "
                         "or choose another with -o")
    if target.exists() and not target.is_dir():
        raise InputError(f"output folder {str(target)!r} is a file, not a folder")
    parent = target.resolve().parent
    if not parent.is_dir():
        raise InputError(f"output folder {str(target)!r}: its parent {str(parent)!r} does "
                         "not exist")
    return target


def write_outputs(out: RunOutput, folder: str | Path, *, force: bool = False) -> list[Path]:
    """Write the report, tables and exports of ``out`` into ``folder`` (module docstring);
    returns the files written, relative to the folder."""
    from thaadsim.report.exports import write_exports
    from thaadsim.report.html import write_report

    target = check_target(folder, force).resolve()
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    umask = os.umask(0)
    os.umask(umask)
    staging.chmod(0o777 & ~umask)  # mkdtemp makes it private; the report is for sharing
    try:
        write_report(out, staging / "report.html")
        write_exports(out, staging)
        written = sorted(p.relative_to(staging) for p in staging.rglob("*") if p.is_file())
        if target.exists():
            old = target.with_name(f".{target.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            target.rename(old)
            staging.rename(target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return written
