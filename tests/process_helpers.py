"""A test aid: killing a child process the hard way at a chosen moment."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable


def sigkill_when(proc: subprocess.Popen[bytes], ready: Callable[[], bool], timeout_s: float,
                 what: str) -> None:
    """Kill ``proc`` with SIGKILL (no clean-up, as a crash or an out-of-memory kill) as soon
    as ``ready()``; fail if it ends first or ``what`` has not happened within ``timeout_s``."""
    try:
        deadline = time.monotonic() + timeout_s
        while not ready():
            assert proc.poll() is None, f"the process ended before {what}"
            assert time.monotonic() < deadline, f"not {what} within {timeout_s:g} s"
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
