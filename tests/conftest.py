"""Fixtures shared by the test modules."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable

import pytest
from hypothesis import settings

# Property-based tests: the same examples on every run of the suite (CI must not flicker);
# HYPOTHESIS_PROFILE=explore draws fresh random examples each run to hunt for new failures.
settings.register_profile("repeatable", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

# thaadsim's per-version cache (the report's validation table) in a folder of this test
# session, not the user's: shared by the session's tests and subprocesses, gone with it.
if "THAADSIM_CACHE_DIR" not in os.environ:
    os.environ["THAADSIM_CACHE_DIR"] = tempfile.mkdtemp(prefix="thaadsim-test-cache-")


@pytest.fixture
def cli_error(capsys: pytest.CaptureFixture[str],
              monkeypatch: pytest.MonkeyPatch) -> Callable[..., str]:
    """Run ``thaadsim ARGS`` through the real entry point, expect exit status 2 and one
    ``error:`` line on standard error, and return that line."""
    from thaadsim.cli import main

    def run(*args: str) -> str:
        monkeypatch.setattr("sys.argv", ["thaadsim", *args])
        with pytest.raises(SystemExit) as exc:
            main()
        assert exc.value.code == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("error: "), err
        return err[0]

    return run
