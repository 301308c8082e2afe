"""Debian's ``chromium`` driven by Playwright, launched the one way the browser tests launch
it (``executable_path``: no browser download): the report's test and the app's."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run",
                 # WebGL for the 3D view through SwiftShader, the software renderer
                 "--enable-unsafe-swiftshader"]
INSTALL_HINT = ("Debian's chromium is needed for the report test: `sudo apt-get install -y "
                "--no-install-recommends chromium` (.ci/run installs it), and playwright "
                "(`.venv/bin/pip install -e '.[dev]'`).")


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.fail(f"no chromium on PATH. {INSTALL_HINT}")
    return path


@contextmanager
def launched_chromium() -> Iterator[Any]:
    """A headless Chromium browser, closed at the end of the block."""
    chromium = chromium_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail(f"playwright is not installed. {INSTALL_HINT}")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
