"""The HTML report: one self-contained file that opens offline in a real browser.

The report of a small run (a Scud-C from Pyongyang at Seongju, a 240 mm rocket from north
of the DMZ at Seoul, 3 trials) is opened in headless Chromium (Debian's ``chromium``,
driven by Playwright; ``.ci/run`` installs it): no console errors, no request leaves the
file, every figure is loaded, visible and not blank, the claims-check table has a row per
claim and the Plotly 3D view has drawn. A full-page screenshot is saved as a test artifact
in ``test-artifacts/report.png``.
"""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from chromium_launch import launched_chromium
from test_engagement import SEONGJU, defense_at

from thaadsim.engagement import RaidThreat
from thaadsim.report.html import write_report
from thaadsim.run import RunOutput, run_engagement
from thaadsim.systems.catalog import get_missile

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
PYONGYANG = (39.0194, 125.7381)
SEOUL = (37.5689, 126.9767)


@pytest.fixture(scope="module")
def run() -> RunOutput:
    seongju = (SEONGJU.lat_deg, SEONGJU.lon_deg)
    raid = [RaidThreat(missile=get_missile("scud-c"), launch_lat_deg=PYONGYANG[0],
                       launch_lon_deg=PYONGYANG[1], aim_lat_deg=seongju[0],
                       aim_lon_deg=seongju[1]),
            RaidThreat(missile=get_missile("mrl-240"), launch_lat_deg=38.0, launch_lon_deg=126.8,
                       aim_lat_deg=SEOUL[0], aim_lon_deg=SEOUL[1])]
    defense = defense_at(*seongju, PYONGYANG, seongju)
    return run_engagement(raid, defense, trials=3, seed=1, groups=("scud", "rockets"),
                          name="Report test: a Scud-C at Seongju, a rocket at Seoul",
                          description="A Scud-C from Pyongyang at Seongju and a 240 mm "
                                      "rocket from north of the DMZ at Seoul.",
                          scenario_text="name: report-test\n# built in code\n")


@pytest.fixture(scope="module")
def report(run: RunOutput, tmp_path_factory: pytest.TempPathFactory) -> Path:
    # the claims are checked by write_report itself (check_claims, the full check)
    return write_report(run, tmp_path_factory.mktemp("report") / "report.html")


def _without_scripts(html: str) -> str:
    return re.sub(r"<script\b.*?</script>", "", html, flags=re.S | re.I)


@pytest.mark.slow  # builds a full engagement report with every figure
def test_report_is_one_offline_file(report: Path) -> None:
    html = report.read_text(encoding="utf-8")
    markup = _without_scripts(html)
    # nothing loads from the network: no remote src/href, no remote CSS import or url()
    assert not re.search(r"""\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", markup, re.I)
    assert not re.search(r"""(?:@import|url\()\s*["']?\s*(?:https?:)?//""", markup, re.I)
    # every script is inline (Plotly included) and every image is embedded
    assert not re.search(r"<script\b[^>]*\bsrc=", html, re.I)
    imgs = re.findall(r"<img\b[^>]*>", markup, re.I)
    assert len(imgs) >= 3
    for tag in imgs:
        assert re.search(r'\ssrc="data:image/png;base64,', tag), tag[:80]
        alt = re.search(r'\salt="([^"]*)"', tag)
        assert alt and alt.group(1).strip(), f"<img> without alt text: {tag[:80]}"
    for section in ("claims-check", "outcomes", "trajectories", "map", "timeline", "view-3d",
                    "method", "validation", "scenario"):
        assert f'id="{section}"' in html
    assert 'id="claims"' in html
    # the validation table: one row per case of the shipped file, none failing unexpectedly
    from thaadsim.studies.validation import load_cases

    table = html.split('<table id="validation"', 1)[1].split("</table>", 1)[0]
    assert table.count('<tr class="') == len(load_cases())
    assert 'class="fail"' not in table
    assert "report-test" in html  # the scenario YAML


def _png_pixels(png: bytes) -> np.ndarray[Any, Any]:
    import matplotlib.image as mpimg

    return np.asarray(mpimg.imread(io.BytesIO(png), format="png"))


def _not_blank(pixels: np.ndarray[Any, Any]) -> bool:
    """More than 1% of the pixels differ from the most common colour (the background)."""
    rgb = (np.asarray(pixels)[..., :3] * 255).round().astype(np.int64)
    flat = rgb.reshape(-1, 3)
    codes = flat[:, 0] * 65536 + flat[:, 1] * 256 + flat[:, 2]
    background = np.bincount(codes).argmax()
    return bool(float(np.mean(codes != background)) > 0.01 and float(rgb.std()) > 5.0)


@pytest.fixture(scope="module")
def page(report: Path) -> Iterator[Any]:
    with launched_chromium() as browser:
        pg = browser.new_page(viewport={"width": 1280, "height": 900})
        errors: list[str] = []
        remote: list[str] = []
        pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        pg.on("pageerror", lambda e: errors.append(f"page error: {e}"))
        pg.on("requestfailed", lambda r: errors.append(f"request failed: {r.url[:100]}"))
        pg.on("request", lambda r: None if r.url.startswith(("file:", "data:", "blob:",
                                                              "about:"))
              else remote.append(r.url))
        pg.route(re.compile(r"^(https?|wss?|ftp)://"), lambda route: route.abort())
        pg.goto(report.as_uri(), wait_until="load")
        pg.wait_for_selector("#view3d canvas", state="attached", timeout=20_000)
        pg.wait_for_function("() => document.querySelector('#view3d')._fullLayout"
                             " !== undefined", timeout=20_000)
        pg.wait_for_timeout(500)
        pg.errors, pg.remote = errors, remote  # type: ignore[attr-defined]
        yield pg


@pytest.mark.slow  # headless Chromium
def test_report_opens_without_errors_or_requests(page: Any) -> None:
    assert page.errors == []
    assert page.remote == [], "the report tried to load from the network"


@pytest.mark.slow  # headless Chromium
def test_claims_table_has_every_claim(page: Any) -> None:
    table = page.locator("table#claims")
    assert table.count() == 1 and table.is_visible()
    rows = table.locator("tbody tr")
    assert rows.count() == 6
    for i in range(6):
        cells = rows.nth(i).locator("td")
        assert cells.count() == 5
        assert cells.nth(1).inner_text().strip()  # the claim
        assert cells.nth(2).inner_text().strip()  # the verdict


@pytest.mark.slow  # headless Chromium
def test_every_figure_is_visible_and_not_blank(page: Any) -> None:
    imgs = page.locator("img")
    assert imgs.count() >= 3
    for i in range(imgs.count()):
        img = imgs.nth(i)
        img.scroll_into_view_if_needed()
        assert img.is_visible()
        assert img.get_attribute("alt")
        natural = img.evaluate("e => [e.complete, e.naturalWidth, e.naturalHeight]")
        assert natural[0] and natural[1] > 0 and natural[2] > 0, natural
        box = img.bounding_box()
        assert box and box["width"] > 100 and box["height"] > 50
        src = img.get_attribute("src")
        assert src.startswith("data:image/png;base64,")
        pixels = _png_pixels(base64.b64decode(src.split(",", 1)[1]))
        assert pixels.shape[:2] == (natural[2], natural[1])
        assert _not_blank(pixels), f"figure {i} ({img.get_attribute('alt')[:60]}) is blank"


@pytest.mark.slow  # headless Chromium
def test_3d_view_has_drawn(page: Any) -> None:
    view = page.locator("#view3d")
    view.scroll_into_view_if_needed()
    assert view.is_visible()
    assert page.locator("#view3d canvas").count() >= 1
    assert page.locator("#view3d svg").count() >= 1
    assert page.evaluate("document.querySelector('#view3d').data.length") >= 4
    shot = view.screenshot()
    assert _not_blank(_png_pixels(shot))


@pytest.mark.slow  # headless Chromium
def test_screenshot_saved(page: Any) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    out = ARTIFACTS / "report.png"
    page.evaluate("window.scrollTo(0, 0)")  # the sticky section bar at the top
    page.screenshot(path=str(out), full_page=True)
    assert out.stat().st_size > 10_000
    assert _not_blank(_png_pixels(out.read_bytes()))
