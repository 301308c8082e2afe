"""Make the README's screenshot of ``thaadsim serve`` (docs/app.png).

Starts ``thaadsim serve`` on a free port of 127.0.0.1, opens the app in Debian's headless
``chromium`` through Playwright (launched as the browser tests do, by tests/chromium_launch.py:
executable_path, no browser download; every request off 127.0.0.1 refused), loads a built-in
scenario, runs it with a few trials, and saves the viewport (map with the trajectories
coloured by outcome, the side panel, the headline result) as a palette PNG under ~300 KB.

    PYTHONPATH=src .venv/bin/python scripts/screenshot_app.py [--scenario korea-2017]
        [--trials 20] [--out docs/app.png]
"""

from __future__ import annotations

import argparse
import io
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from chromium_launch import INSTALL_HINT, find_chromium, launch  # noqa: E402

MAX_BYTES = 300_000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"),
                                                        os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen([sys.executable, "-m", "thaadsim", "serve", "--host", "127.0.0.1",
                             "--port", str(port), "--workers", "2"], env=env)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"thaadsim serve ended (exit {proc.returncode})")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/catalog", timeout=2):  # noqa: S310
                return proc
        except OSError:
            time.sleep(0.25)
    proc.terminate()
    raise SystemExit("thaadsim serve did not answer within 90 s")


def to_palette_png(png: bytes) -> bytes:
    """The screenshot as a 256-colour PNG (a map and text: no visible loss, a third the size)."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    out = io.BytesIO()
    image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
        out, format="PNG", optimize=True)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="korea-2017")
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "app.png")
    args = parser.parse_args()
    chromium = find_chromium()
    if chromium is None:
        raise SystemExit(f"no chromium on PATH. {INSTALL_HINT}")
    from playwright.sync_api import Route, sync_playwright

    def local_only(route: Route) -> None:
        url = urlsplit(route.request.url)
        if url.scheme in ("data", "blob") or url.hostname == "127.0.0.1":
            route.continue_()
        else:
            route.abort()

    port = free_port()
    server = start_server(port)
    try:
        with sync_playwright() as p:
            browser = launch(p, chromium)
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            page.route("**/*", local_only)
            page.goto(f"http://127.0.0.1:{port}/", wait_until="load")
            page.wait_for_selector("body[data-ready='1']", timeout=30_000)
            page.select_option("#scenario-select", args.scenario)
            with page.expect_response(lambda r: "/api/scenarios/" in r.url):
                page.click("#load-scenario")
            page.wait_for_function("name => state.setup && state.setup.name === name",
                                   arg=args.scenario)
            page.wait_for_timeout(300)
            page.fill("#trials", str(args.trials))
            page.click("#run")
            page.wait_for_selector("#results:not([hidden]), #message:not([hidden])",
                                   timeout=600_000)
            if page.locator("#message").is_visible():
                raise SystemExit(f"the run failed: {page.inner_text('#message')}")
            page.evaluate("document.querySelector('#main').scrollTo(0, 0)")
            page.evaluate("document.querySelector('#panel').scrollTo(0, 0)")
            page.wait_for_timeout(800)
            png = to_palette_png(page.screenshot())
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=20)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(png)
    size = len(png)
    print(f"wrote {args.out} ({size / 1000:.0f} kB)")
    if size > MAX_BYTES:
        raise SystemExit(f"{args.out} is {size:,} bytes, over the README's {MAX_BYTES:,}")


if __name__ == "__main__":
    main()
