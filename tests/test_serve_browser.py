"""The app of ``thaadsim serve`` used as a person uses it, in headless Chromium (issue 17, part 4).

A real server (``thaadsim serve`` in a subprocess, on a free port of 127.0.0.1) and Debian's
``chromium`` driven by Playwright, launched as the report's test does (``executable_path``, no
browser download). In one page: load the app, clear the built-in scenario, place a battery by
clicking the map, add its radar, add threats (a launch site from the list, an aim point clicked
on the map), run a small Monte Carlo (5 trials), read the results (P(no leak) with its
interval, a row per threat with its reasons, the claims, the trajectories on the map and in the
chart); export the YAML and run it with ``thaadsim run FILE --json``: the same numbers as the
page. A bad input shows the server's message next to the field, never a traceback; the link
restores the setup in a fresh page; cancel stops a run. Throughout: no console error, and every
request the page makes goes to 127.0.0.1 (route interception aborts and records any other).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from chromium_launch import launched_chromium

SEONGJU = (35.9856, 128.1539)    # sites.yaml (the battery is placed here by a click)
NEAR_SEOUL = (37.45, 127.05)     # the threats' aim point, clicked on the map
TRIALS, SEED = 5, 7
SERVER_START_S = 90.0
RUN_TIMEOUT_MS = 300_000  # the server's own wall limit for one job


def _env() -> dict[str, str]:
    """This checkout's sources first, for the server and the CLI run in subprocesses."""
    src = str(Path(__file__).resolve().parents[1] / "src")
    return {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(url: str, proc: subprocess.Popen[bytes], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"thaadsim serve ended early (exit {proc.returncode})"
        try:
            with urllib.request.urlopen(url, timeout=2) as reply:  # noqa: S310 (loopback)
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.25)
    raise AssertionError(f"thaadsim serve did not answer {url} within {timeout_s:g} s")


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "thaadsim", "serve", "--host", "127.0.0.1",
                             "--port", str(port), "--workers", "1"], env=_env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(base + "/api/catalog", proc, SERVER_START_S)
        yield base
    finally:
        proc.terminate()
        try:
            _, err = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, err = proc.communicate()
        # the server never printed a traceback for anything the page sent
        assert b"Traceback" not in err, err.decode(errors="replace")[-3000:]


class Watch:
    """Console errors, page errors, failed requests and every request off 127.0.0.1."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.remote: list[str] = []

    def attach(self, page: Any) -> None:
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        page.on("requestfailed", lambda r: self.errors.append(
            f"request failed: {r.url[:120]} {r.failure}"))
        page.route("**/*", self._route)

    def _route(self, route: Any) -> None:
        url = route.request.url
        scheme, host = urlsplit(url).scheme, urlsplit(url).hostname
        if scheme in ("data", "blob", "about") or host == "127.0.0.1":
            route.continue_()
        else:
            self.remote.append(url)
            route.abort()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with launched_chromium() as b:
        yield b


@pytest.fixture(scope="module")
def app(browser: Any, server: str) -> Iterator[tuple[Any, Watch]]:
    context = browser.new_context(viewport={"width": 1400, "height": 950}, accept_downloads=True)
    page = context.new_page()
    watch = Watch()
    watch.attach(page)
    page.goto(server + "/", wait_until="load")
    page.wait_for_selector("body[data-ready='1']", timeout=30_000)
    yield page, watch
    context.close()


def _click_map(page: Any, lat_lon: tuple[float, float]) -> None:
    """Click the map at a latitude and longitude (Leaflet's own projection to the pixel)."""
    xy = page.evaluate("([lat, lon]) => { const p = map.latLngToContainerPoint([lat, lon]);"
                       " return [p.x, p.y]; }", list(lat_lon))
    page.locator("#map").click(position={"x": xy[0], "y": xy[1]})


def _setup(page: Any) -> dict[str, Any]:
    return dict(page.evaluate("JSON.parse(JSON.stringify(state.setup))"))


def _add_threats(page: Any, groups: int) -> None:
    """Press "Add threats" and wait for the server's check and the list (``groups`` long)."""
    page.click("#t-add")
    # functions, not expressions: the page's CSP has no 'unsafe-eval' for Playwright's eval
    page.wait_for_function("n => state.setup.raid.length === n", arg=groups, timeout=20_000)
    page.wait_for_selector("#t-add:enabled")


def _remove_all(page: Any, list_id: str) -> None:
    while page.locator(f"#{list_id} button.remove").count():
        page.locator(f"#{list_id} button.remove").first.click()


@pytest.mark.slow  # a real server and headless Chromium
def test_a_person_builds_runs_and_exports(app: tuple[Any, Watch], tmp_path: Path) -> None:
    page, watch = app
    # the built-in scenario is on the map: its batteries, radars and threats are listed
    assert page.locator("#batteries-list li").count() >= 1
    assert page.locator("#threats-list li").count() >= 1
    assert page.locator("#map .leaflet-overlay-pane path").count() > 10  # land, coast, borders
    for list_id in ("threats-list", "sensors-list", "batteries-list"):
        _remove_all(page, list_id)
    assert _setup(page)["raid"] == [] and _setup(page)["defense"]["batteries"] == []

    # place a THAAD battery by clicking the map, then its radar at the same place
    page.select_option("#add-battery-kind", "seongju")
    page.click("#add-battery-map")
    assert page.locator("#pick-hint").is_visible()
    _click_map(page, SEONGJU)
    batteries = _setup(page)["defense"]["batteries"]
    assert len(batteries) == 1 and batteries[0]["battery"] == "seongju"
    assert abs(batteries[0]["lat_deg"] - SEONGJU[0]) < 0.05
    assert abs(batteries[0]["lon_deg"] - SEONGJU[1]) < 0.05
    # it comes with its own radar (terminal mode), which the person points
    sensors = _setup(page)["defense"]["sensors"]
    assert len(sensors) == 1 and sensors[0]["mode"] == "terminal"
    assert sensors[0]["battery"] == batteries[0]["name"]
    page.fill("#sensors-list input[data-field$='boresight_deg']", "330")
    page.locator("#sensors-list input[data-field$='boresight_deg']").dispatch_event("change")
    assert _setup(page)["defense"]["sensors"][0]["boresight_deg"] == 330

    # threats: Scud-Cs from Pyongyang (a site) at a point near Seoul (clicked), and a Scud-B at Osan
    page.select_option("#t-missile", "scud-c")
    assert "500 km" in page.inner_text("#t-missile-range")
    page.select_option("#t-launch-site", "pyongyang")
    page.click("#t-aim-pick")
    _click_map(page, NEAR_SEOUL)
    page.fill("#t-count", "2")
    _add_threats(page, 1)
    page.select_option("#t-missile", "scud-b")
    page.select_option("#t-launch-site", "pyongyang")
    page.select_option("#t-aim-site", "osan")
    page.fill("#t-count", "1")
    page.fill("#t-time", "10")
    _add_threats(page, 2)
    raid = _setup(page)["raid"]
    assert [g["missile"] for g in raid] == ["scud-c", "scud-b"]
    assert raid[0]["launch"] == {"site": "pyongyang"} and raid[1]["aim"] == {"site": "osan"}
    assert abs(raid[0]["aim"]["lat_deg"] - NEAR_SEOUL[0]) < 0.05

    # a small run
    page.fill("#trials", str(TRIALS))
    page.fill("#seed", str(SEED))
    page.click("#run")
    page.wait_for_selector("#results:not([hidden]), #message:not([hidden])",
                           timeout=RUN_TIMEOUT_MS)
    assert page.locator("#message").is_hidden(), page.inner_text("#message")
    result = page.evaluate("state.result")
    summary = result["summary"]
    assert summary["trials"] == TRIALS and summary["seed"] == SEED and summary["threats"] == 3
    p, (low, high) = summary["p_no_leak"], summary["p_no_leak_ci95"]
    assert 0.0 <= low <= p <= high <= 1.0
    assert page.inner_text("#p-no-leak") == f"{100 * p:.1f}%"
    assert f"{100 * low:.1f}%" in page.inner_text("#p-ci")
    rows = page.locator("#outcomes tbody tr")
    assert rows.count() == 3
    for i in range(3):  # each threat: how often it was stopped and why
        cells = rows.nth(i).locator("td")
        assert cells.nth(3).inner_text().strip().endswith("%")
        assert cells.nth(4).inner_text().strip()
    assert page.locator("#claims tbody tr").count() == len(result["claims"]) >= 1
    assert page.locator("#claims tbody tr").first.locator("td.verdict").inner_text().strip()
    # trajectories on the map and in the chart, the band shaded in the chart
    assert page.locator("#map .leaflet-overlay-pane path.leaflet-interactive").count() >= 3
    assert page.evaluate("document.querySelector('#chart').data.length") == len(result["tracks"])
    assert page.evaluate("document.querySelector('#chart').layout.shapes[0].y0") == \
        result["band_km"][0]
    assert page.locator("#download-report").is_enabled()

    # export the YAML; the CLI runs it unchanged to the same numbers
    with page.expect_download() as download:
        page.click("#export-yaml")
    path = tmp_path / "setup.yaml"
    download.value.save_as(path)
    text = path.read_text(encoding="utf-8")
    assert "scud-c" in text and "pyongyang" in text
    cli = subprocess.run([sys.executable, "-m", "thaadsim", "run", str(path), "--json",
                          "-o", str(tmp_path / "report")], capture_output=True, text=True,
                         timeout=900, cwd=tmp_path, env=_env())  # a cold cache: minutes
    assert cli.returncode == 0, cli.stderr[-2000:]
    ran = json.loads(cli.stdout)
    ran = ran.get("summary", ran)
    for key in ("trials", "seed", "threats", "p_no_leak", "p_no_leak_ci95", "expected_leakers",
                "interceptors_used", "reasons"):
        assert ran[key] == summary[key], (key, ran[key], summary[key])

    assert watch.errors == []
    assert watch.remote == [], "the page sent a request off 127.0.0.1"


@pytest.mark.slow  # a real server and headless Chromium
def test_bad_input_shows_the_servers_message_by_the_field(app: tuple[Any, Watch]) -> None:
    page, watch = app
    page.fill("#trials", "100000")
    page.click("#run")
    box = page.locator("#trials ~ .field-error, label:has(#trials) + .field-error")
    box.first.wait_for(timeout=20_000)
    message = box.first.inner_text()
    assert "trials" in message and "100000" in message.replace(",", "")
    assert "Traceback" not in page.inner_text("body")
    assert page.locator("#trials.has-error").count() == 1
    # a threat group with a count of zero: the message by that group's count
    page.fill("#trials", str(TRIALS))
    page.fill("#threats-list input[data-field='raid[1].count']", "0")
    page.locator("#threats-list input[data-field='raid[1].count']").dispatch_event("change")
    page.click("#run")
    group = page.locator("#threats-list .field-error")
    group.first.wait_for(timeout=20_000)
    assert "count" in group.first.inner_text()
    page.fill("#threats-list input[data-field='raid[1].count']", "1")
    page.locator("#threats-list input[data-field='raid[1].count']").dispatch_event("change")
    # a Scud-B (300 km) at Busan from Pyongyang (~560 km): refused before it joins the raid
    groups = len(_setup(page)["raid"])
    page.select_option("#t-missile", "scud-b")
    page.select_option("#t-launch-site", "pyongyang")
    page.select_option("#t-aim-site", "busan")
    page.click("#t-add")
    page.locator("#t-error").wait_for(timeout=20_000)
    assert "300 km" in page.inner_text("#t-error") and "scud-b" in page.inner_text("#t-error")
    assert len(_setup(page)["raid"]) == groups
    assert watch.remote == []
    # 4xx replies are logged by Chromium as failed resources; nothing else may be
    assert [e for e in watch.errors if "status of 400" not in e] == []
    watch.errors.clear()


@pytest.mark.slow  # a real server and headless Chromium
def test_the_link_restores_the_setup_and_cancel_stops_a_run(
        app: tuple[Any, Watch], browser: Any) -> None:
    page, watch = app
    page.evaluate("hashWrite")
    url, setup = page.url, _setup(page)
    assert "#z=" in url
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    other = context.new_page()
    watch2 = Watch()
    watch2.attach(other)
    other.goto(url, wait_until="load")
    other.wait_for_selector("body[data-ready='1']", timeout=30_000)
    assert _setup(other) == setup
    assert other.locator("#threats-list li").count() == len(setup["raid"])
    # a long run, cancelled: the page says so and may run again
    other.fill("#trials", "1000")
    other.click("#run")
    other.wait_for_selector("#cancel:not([hidden])", timeout=10_000)
    other.click("#cancel")
    other.wait_for_function("() => document.querySelector('#progress-text').textContent"
                            " === 'cancelled'", timeout=30_000)
    assert other.locator("#run").is_enabled()
    assert watch2.errors == [] and watch2.remote == []
    context.close()
