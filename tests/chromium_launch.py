"""Debian's ``chromium`` driven by Playwright, launched the one way this project launches it
(``executable_path``: no browser download): the report's and the app's browser tests, and
``scripts/screenshot_app.py`` (which puts this folder on its path). Only the test helpers
import pytest."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run",
                 # WebGL for the 3D view through SwiftShader, the software renderer
                 "--enable-unsafe-swiftshader"]
INSTALL_HINT = ("Debian's chromium is needed for the browser tests: `sudo apt-get install -y "
                "--no-install-recommends chromium` (.ci/run installs it), and playwright "
                "(`.venv/bin/pip install -e '.[dev]'`).")


def find_chromium() -> str | None:
    """The path of Debian's ``chromium`` on PATH, or None."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def launch(playwright: Any, chromium: str) -> Any:
    """A headless Chromium browser of ``playwright`` (``sync_playwright()``'s), the binary
    ``chromium`` with :data:`CHROMIUM_ARGS`."""
    return playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)


def chromium_path() -> str:
    """:func:`find_chromium`, or the test fails with how to install it."""
    import pytest

    path = find_chromium()
    if path is None:
        pytest.fail(f"no chromium on PATH. {INSTALL_HINT}")
    return path


@contextmanager
def launched_chromium() -> Iterator[Any]:
    """A headless Chromium browser, closed at the end of the block (in a test)."""
    import pytest

    chromium = chromium_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail(f"playwright is not installed. {INSTALL_HINT}")
    with sync_playwright() as p:
        browser = launch(p, chromium)
        try:
            yield browser
        finally:
            browser.close()
