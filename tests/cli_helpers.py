"""Running the command line in this process, for the tests."""

from __future__ import annotations

import contextlib
import io


def run_main(*args: str) -> tuple[int, str, str]:
    """Run ``thaadsim ARGS`` through the real entry point (:func:`thaadsim.cli.main`, which
    turns bad input into exit status 2 and one ``error:`` line), in this process:
    (status, stdout, stderr); a status that is not a whole number fails the test."""
    from thaadsim.cli import main

    out, err = io.StringIO(), io.StringIO()
    code: object = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(list(args))
        except SystemExit as exc:
            code = 0 if exc.code is None else exc.code
    assert isinstance(code, int), code
    return code, out.getvalue(), err.getvalue()
