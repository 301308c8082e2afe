"""Fixtures shared by the test modules."""

from __future__ import annotations

from collections.abc import Callable

import pytest


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
