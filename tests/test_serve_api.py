"""``thaadsim serve``'s API (issue 17 parts 1-3): every endpoint through Starlette's test
client, the bad inputs each refused with a 4xx that names the field and shows no traceback,
and -- in the slow tests, with real worker processes -- runs, progress, cancel, the wall
limit, the queue limit, the report, the footprint, and the exported YAML run by the command
line to the same numbers as the server's run."""

from __future__ import annotations

import copy
import io
import json
import subprocess
import sys
import time
import warnings
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

with warnings.catch_warnings():  # Starlette 1.x prefers httpx2 and says so on import
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from thaadsim.scenario import builtin_names, parse_scenario, scenario_text
from thaadsim.serve import setup as limits
from thaadsim.serve.app import make_app
from thaadsim.serve.jobs import JobPool
from thaadsim.serve.server import exposure_warning, is_loopback

PASSWD_LINE = "root:"


def _no_traceback(text: str) -> None:
    assert "Traceback" not in text and 'File "' not in text, text


def _refused(reply: Any, status: int, field: str | None) -> str:
    """A refusal: the status, the JSON error naming ``field``, no traceback."""
    assert reply.status_code == status, (reply.status_code, reply.text)
    _no_traceback(reply.text)
    body = reply.json()
    assert set(body) == {"error", "field"}
    assert body["field"] == field, body
    assert isinstance(body["error"], str) and len(body["error"]) > 20
    return str(body["error"])


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    """An app whose pool starts no worker until a job comes (the fast tests run none)."""
    with TestClient(make_app(pool=JobPool(1, lazy=True))) as c:
        yield c


def small_setup(seed: int = 1, trials: int = 5) -> dict[str, Any]:
    """korea-2017 cut to its two Scud-B on Osan, ``trials`` trials: a run of seconds."""
    data = yaml.safe_load(scenario_text("korea-2017"))
    data["name"] = f"serve-test-{seed}"
    data["raid"] = [g for g in data["raid"] if g["missile"] == "scud-b"]
    data["run"]["trials"] = trials
    data["run"]["seed"] = seed
    return data


# -- the catalog, the scenarios, the map, the page -----------------------------------------


def test_catalog_lists_what_the_page_picks_and_the_limits(client: TestClient) -> None:
    reply = client.get("/api/catalog")
    assert reply.status_code == 200
    cat = reply.json()
    slugs = {m["slug"] for m in cat["missiles"]}
    assert {"scud-b", "scud-c", "nodong", "kn-23"} <= slugs
    assert "seongju" in {b["slug"] for b in cat["batteries"]}
    assert "thaad" in {i["slug"] for i in cat["interceptors"]}
    seongju = next(s for s in cat["sites"] if s["slug"] == "seongju")
    assert seongju["lat_deg"] == pytest.approx(35.95, abs=0.1)  # Seongju, Gyeongbuk
    assert cat["shapes"][:3] == ["min-energy", "lofted", "depressed"]
    assert "shoot-look-shoot" in cat["doctrines"]
    assert [s["name"] for s in cat["scenarios"]] == builtin_names()
    assert cat["limits"]["trials"] == {"low": 1, "high": limits.MAX_TRIALS}
    assert cat["limits"]["threats_total"] == limits.MAX_THREATS
    assert cat["limits"]["grid_points"] == limits.MAX_GRID_POINTS
    assert cat["limits"]["jobs_per_client"] == limits.MAX_JOBS_PER_CLIENT == 30
    assert cat["band_km_default"] == [40.0, 150.0]


@pytest.mark.parametrize("name", builtin_names())
def test_each_builtin_scenario_comes_as_a_valid_setup(client: TestClient, name: str) -> None:
    reply = client.get(f"/api/scenarios/{name}")
    assert reply.status_code == 200
    body = reply.json()
    assert body["setup"] == yaml.safe_load(scenario_text(name))
    scn = parse_scenario(body["yaml"], "reply")
    assert scn.name == name and scn.threat_count == body["threats"]


def test_scenarios_list_names_every_builtin(client: TestClient) -> None:
    assert [s["name"] for s in client.get("/api/scenarios").json()] == builtin_names()


@pytest.mark.parametrize("path", ["../../etc/passwd", "..%2F..%2Fetc%2Fpasswd",
                                  "%2e%2e/%2e%2e/pyproject.toml", "/etc/passwd",
                                  "korea-2017/../../../pyproject.toml", "nope"])
def test_scenarios_are_looked_up_by_builtin_name_only(client: TestClient, path: str) -> None:
    reply = client.get(f"/api/scenarios/{path}")
    assert reply.status_code == 404
    _no_traceback(reply.text)
    assert PASSWD_LINE not in reply.text and "[project]" not in reply.text
    if reply.headers["content-type"].startswith("application/json"):  # not normalised away
        assert reply.json()["field"] in ("name", None)


@pytest.mark.parametrize("path", ["/static/../../../../etc/passwd",
                                  "/static/..%2F..%2F..%2F..%2Fetc%2Fpasswd",
                                  "/static/%2e%2e/%2e%2e/%2e%2e/pyproject.toml",
                                  "/static/../app.py", "/static/..%2fapp.py",
                                  "/static//etc/passwd"])
def test_static_files_stay_in_the_static_folder(client: TestClient, path: str) -> None:
    reply = client.get(path)
    assert reply.status_code in (400, 404)
    assert PASSWD_LINE not in reply.text and "[project]" not in reply.text
    assert "make_app" not in reply.text  # the server's own source
    _no_traceback(reply.text)


def test_the_page_is_served(client: TestClient) -> None:
    reply = client.get("/")
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in reply.headers["content-security-policy"]
    assert reply.headers["x-content-type-options"] == "nosniff"


def test_plotly_is_served_from_the_python_package(client: TestClient) -> None:
    reply = client.get("/static/vendor/plotly.min.js")
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("text/javascript")
    assert len(reply.content) > 1_000_000 and b"plotly" in reply.content[:2000].lower()


def test_map_is_geojson_of_the_region_cached(client: TestClient) -> None:
    reply = client.get("/api/map")
    assert reply.status_code == 200
    assert "max-age" in reply.headers["cache-control"]
    data = reply.json()
    assert data["type"] == "FeatureCollection" and data["features"]
    kinds = {f["properties"]["kind"] for f in data["features"]}
    assert kinds <= {"land", "coast", "border"}
    # the region holds the peninsula: some coordinate within 1 deg of Seoul (37.57 N, 126.98 E)
    text = json.dumps(data)
    assert '"coordinates"' in text
    coords = _all_points(data)
    assert any(abs(lat - 37.57) < 1 and abs(lon - 126.98) < 1 for lon, lat in coords)


def _all_points(data: Any) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []

    def walk(node: Any) -> None:
        if isinstance(node, list) and len(node) >= 2 and all(
                isinstance(v, int | float) for v in node[:2]):
            out.append((float(node[0]), float(node[1])))
        elif isinstance(node, list):
            for item in node:
                walk(item)

    for feature in data["features"]:
        walk(feature["geometry"]["coordinates"])
    return out


def test_unknown_api_routes_are_json_404(client: TestClient) -> None:
    for method, path in (("GET", "/api/nothing"), ("POST", "/api/runs/x/y/z"),
                         ("GET", "/api/%2e%2e/etc/passwd")):
        reply = client.request(method, path)
        assert reply.status_code == 404, path
        _no_traceback(reply.text)
        assert "error" in reply.json()


def test_a_foreign_host_name_is_refused(client: TestClient) -> None:
    """DNS rebinding: a page of evil.example that resolves its name to 127.0.0.1."""
    reply = client.get("/api/catalog", headers={"host": "evil.example"})
    assert reply.status_code == 400


def test_loopback_and_the_warning() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.10")
    assert exposure_warning("127.0.0.1") is None
    warning = exposure_warning("0.0.0.0")
    assert warning is not None and "0.0.0.0" in warning and "warning" in warning


# -- validation ----------------------------------------------------------------------------


def test_validate_accepts_a_builtin_and_returns_its_yaml(client: TestClient) -> None:
    setup = yaml.safe_load(scenario_text("korea-2017"))
    body = client.post("/api/validate", json={"setup": setup}).json()
    assert body["ok"] is True and body["threats"] == 14  # korea-2017's 14 threats
    assert parse_scenario(body["yaml"], "reply").spec == parse_scenario(
        scenario_text("korea-2017"), "file").spec


def _changed(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    setup = copy.deepcopy(small_setup())
    node: Any = setup
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return setup


@pytest.mark.parametrize(("path", "value", "field", "words"), [
    (("run", "trials"), "many", "run.trials", "whole number"),
    (("run", "trials"), 2.5, "run.trials", "whole number"),
    (("run", "trials"), limits.MAX_TRIALS + 1, "run.trials", "1,000"),
    (("run", "seed"), -1, "run.seed", "seed"),
    (("raid", 0, "missile"), "tomahawk", "raid[0].missile", "scud-b"),
    (("raid", 0, "count"), 61, "raid", "60"),
    (("raid", 0, "count"), "two", "raid[0].count", "whole number"),
    (("raid", 0, "launch"), {"lat_deg": 95, "lon_deg": 125}, "raid[0].launch.lat_deg", "90"),
    (("raid", 0, "shape"), "spiral", "raid[0].shape", "min-energy"),
    (("defense", "doctrine"), "hope", "defense.doctrine", "shoot-look-shoot"),
    (("defense", "batteries", 0, "battery"), "iron-dome", "defense.batteries[0].battery",
     "seongju"),
    (("defense", "batteries", 0, "launchers"), 10**9, "defense.batteries[0].launchers", "100"),
    (("defense", "sensors", 0, "boresight_deg"), "north",
     "defense.sensors[0].boresight_deg", "number"),
    (("defense", "surprise"), 1, "defense.surprise", "unknown key"),
])
def test_bad_setups_name_the_field_value_and_what_is_allowed(
        client: TestClient, path: tuple[Any, ...], value: Any, field: str, words: str) -> None:
    for endpoint in ("/api/validate", "/api/export", "/api/runs"):
        reply = client.post(endpoint, json={"setup": _changed(path, value)})
        message = _refused(reply, 400, field)
        assert words in message, message
        assert "allowed" in message, message


def test_too_many_threats_over_groups_is_refused_with_the_sum(client: TestClient) -> None:
    setup = small_setup()
    group = setup["raid"][0]
    setup["raid"] = [dict(group, name=f"g{k}", count=20) for k in range(4)]  # 80 > 60
    message = _refused(client.post("/api/runs", json={"setup": setup}), 400, "raid")
    assert "80 threats" in message and "20 + 20 + 20 + 20" in message


@pytest.mark.parametrize(("content", "field", "words"), [
    (b"{\"setup\": ", "body", "not valid JSON"),
    (b"[1, 2]", "body", "JSON list"),
    (b"\xff\xfe", "body", "UTF-8"),
    (b"{}", "setup", "missing"),
    (b"{\"setup\": [1]}", "setup", "list given"),
    (b"{\"setup\": \"name: x\"}", "setup", "str given"),
])
def test_malformed_bodies_are_refused(client: TestClient, content: bytes, field: str,
                                      words: str) -> None:
    reply = client.post("/api/validate", content=content,
                        headers={"content-type": "application/json"})
    assert words in _refused(reply, 400, field)


def test_a_huge_body_is_refused_before_it_is_read(client: TestClient) -> None:
    big = b"{\"setup\": \"" + b"x" * (limits.MAX_BODY_BYTES + 10) + b"\"}"
    reply = client.post("/api/runs", content=big)
    assert "262,144 bytes" in _refused(reply, 413, "body")


def test_a_chunked_huge_body_is_cut_off(client: TestClient) -> None:
    """No Content-Length: the stream is counted as it comes."""
    def chunks() -> Iterator[bytes]:
        yield b"{\"setup\": \""
        for _ in range(limits.MAX_BODY_BYTES // 1024 + 2):
            yield b"y" * 1024
        yield b"\"}"

    reply = client.post("/api/validate", content=chunks())
    _refused(reply, 413, "body")


def test_deeply_nested_json_is_a_clear_refusal(client: TestClient) -> None:
    nested = b"{\"setup\": " + b"[" * 100_000 + b"]" * 100_000 + b"}"
    reply = client.post("/api/validate", content=nested[: limits.MAX_BODY_BYTES])
    assert reply.status_code in (400, 413)
    _no_traceback(reply.text)


def test_export_is_the_yaml_that_parses_to_the_same_scenario(client: TestClient) -> None:
    setup = small_setup(seed=7)
    reply = client.post("/api/export", json={"setup": setup})
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("text/yaml")
    assert reply.headers["content-disposition"] == 'attachment; filename="serve-test-7.yaml"'
    scn = parse_scenario(reply.text, "exported.yaml")
    assert scn.seed == 7 and scn.trials == 5 and scn.threat_count == 2
    assert yaml.safe_load(reply.text) == setup


def test_unknown_jobs_are_404(client: TestClient) -> None:
    for method in ("GET", "DELETE"):
        _refused(client.request(method, "/api/runs/no-such-job"), 404, "id")
    _refused(client.get("/api/runs/no-such-job/report"), 404, "id")


def test_footprint_requests_are_checked_before_queueing(client: TestClient) -> None:
    setup = small_setup()
    base = {"setup": setup, "missile": "scud-c", "launch": "pyongyang"}
    cases = [({"missile": "nope"}, "missile"), ({"battery": 5}, "battery"),
             ({"launch": {"lat_deg": 100, "lon_deg": 0}}, "launch.lat_deg"),
             ({"launch": "../../etc/passwd"}, "launch"), ({"shape": "loop"}, "shape"),
             ({"grid_km": 1, "extent_km": 400}, "grid_km"), ({"grid_km": "x"}, "grid_km"),
             ({"min_shots": 3}, "min_shots"), ({"colour": "red"}, "colour")]
    for change, field in cases:
        _refused(client.post("/api/footprint", json={**base, **change}), 400, field)


@pytest.mark.parametrize(("change", "field", "words"), [
    ({"grid_km": "fine"}, "grid_km", "grid_km: 'fine' is not a number; allowed: a number "
                                     "from 0.5 to 500 km"),
    ({"extent_km": None}, "extent_km", "extent_km: None is not a number; allowed: a number "
                                       "from 10 to 3,000 km"),
    ({"extent_km": 5000}, "extent_km", "extent_km: 5,000 is out of range; allowed: a number "
                                       "from 10 to 3,000 km"),
    ({"grid_km": 2, "extent_km": 400}, "grid_km", "grid points of grid_km 2 km over "
     "extent_km 400 km: 160,801 is out of range; allowed: a whole number from 1 to 2,500"),
    ({"launch": {"lat_deg": "north", "lon_deg": 125}}, "launch.lat_deg",
     "launch.lat_deg: 'north' is not a number; allowed: a number from -90 to 90 deg"),
    ({"launch": {"lat_deg": 39}}, "launch.lon_deg",
     "launch.lon_deg: None is not a number; allowed: a number from -180 to 360 deg"),
    ({"launch": {"lat_deg": 39, "lon_deg": float("inf")}}, "launch.lon_deg",
     "launch.lon_deg: inf is out of range"),
])
def test_footprint_numbers_are_checked_by_the_limits_table(
        client: TestClient, change: dict[str, Any], field: str, words: str) -> None:
    """thaadsim.limits.check's rows (grid_km, extent_km, lat_deg, lon_deg, and the server's
    serve_grid_points: (2 x 400 / 2 + 1)^2 = 160,801 cells), each refusal naming the field,
    the value and the allowed range; a non-number said to be one."""
    body = {"setup": small_setup(), "missile": "scud-c", "launch": "pyongyang", **change}
    content = json.dumps(body, allow_nan=True).replace("Infinity", "1e999")
    reply = client.post("/api/footprint", content=content,
                        headers={"content-type": "application/json"})
    assert words in _refused(reply, 400, field)


def test_the_servers_limits_are_rows_of_the_limits_table() -> None:
    from thaadsim.limits import LIMITS

    assert limits.MAX_TRIALS == LIMITS["serve_trials"].high == 1000
    assert limits.MAX_THREATS == LIMITS["serve_threats"].high == 60
    assert limits.MAX_GRID_POINTS == LIMITS["serve_grid_points"].high == 2500


def test_one_client_may_have_its_share_of_jobs_queued_or_running() -> None:
    """MAX_JOBS_PER_CLIENT (30, above issue 17's burst of 20): the next run of one address
    is refused (429) while its 30 wait; another address is served; a cancelled run frees
    its place. The pool is never started: no worker, no dispatcher."""
    from thaadsim.serve.setup import RequestError

    pool = JobPool(1, lazy=True)
    try:
        jobs = [pool.submit("run", {"yaml": ""}, "10.0.0.1") for _ in range(30)]
        with pytest.raises(RequestError) as refused:
            pool.submit("footprint", {}, "10.0.0.1")
        assert refused.value.status == 429
        assert ("too many jobs from 10.0.0.1: 30 of its runs or footprints are queued or "
                "running, the most this server takes from one client is 30") in str(
                    refused.value)
        pool.submit("run", {"yaml": ""}, "10.0.0.2")
        pool.submit("report", {}, None)  # a report is not counted against a client
        pool.cancel(jobs[0].id)
        pool.submit("run", {"yaml": ""}, "10.0.0.1")
    finally:
        pool.stop()


# -- jobs with real workers (slow) ---------------------------------------------------------


def _wait(client: TestClient, job_id: str, timeout_s: float = 240.0) -> dict[str, Any]:
    end = time.monotonic() + timeout_s
    seen: list[float] = []
    while time.monotonic() < end:
        view = client.get(f"/api/runs/{job_id}").json()
        assert 0.0 <= view["progress"] <= 1.0
        seen.append(view["progress"])
        if view["state"] in ("done", "failed", "cancelled"):
            assert seen == sorted(seen), "progress never goes back"
            return dict(view)
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} not finished in {timeout_s} s")


@pytest.fixture(scope="module")
def workers() -> Iterator[TestClient]:
    """A server with one worker, after the claims' per-version cache is filled in this
    process (the session's cache folder, conftest.py, which the workers share): the first
    claims check of a session computes its studies (minutes on a loaded machine), later
    ones read them."""
    from thaadsim.run import run_engagement
    from thaadsim.serve.setup import setup_yaml
    from thaadsim.studies.claims import check_claims

    scn = parse_scenario(setup_yaml(small_setup()), "setup")
    check_claims(run_engagement(**scn.to_run_kwargs()), quick=False)
    with TestClient(make_app(workers=1)) as c:
        yield c


def _summary_in_process(setup: dict[str, Any]) -> dict[str, Any]:
    from thaadsim.jsonsafe import json_safe
    from thaadsim.run import run_engagement
    from thaadsim.serve.setup import setup_yaml

    scn = parse_scenario(setup_yaml(setup), "setup")
    return dict(json_safe(run_engagement(**scn.to_run_kwargs()).summary()))


@pytest.mark.slow  # worker processes and the claims check
def test_a_run_reports_progress_and_the_numbers_of_the_same_run_in_process(
        workers: TestClient) -> None:
    setup = small_setup(seed=3)
    reply = workers.post("/api/runs", json={"setup": setup})
    assert reply.status_code == 202 and reply.json()["state"] == "queued"
    view = _wait(workers, reply.json()["id"])
    assert view["state"] == "done", view
    result = view["result"]
    expected = _summary_in_process(setup)
    got = {k: v for k, v in result["summary"].items() if k != "claims"}
    assert got == expected  # every number bit for bit, the provenance too
    assert got["reasons"] == expected["reasons"]
    assert got["scenario_sha256"] == expected["scenario_sha256"]
    assert len(result["threats"]) == 2 and len(result["tracks"]) == 2
    assert all(len(t["t_s"]) <= 300 for t in result["tracks"])
    assert {c["id"] for c in result["claims"]} == {c["id"] for c in
                                                    result["summary"]["claims"]}
    assert result["band_km"] == [40.0, 150.0]
    from thaadsim.systems.interceptor import interceptor_catalog

    thaad_km = interceptor_catalog()["thaad"].max_ground_range_m / 1e3
    assert [(b["interceptor"], b["reach_km"]) for b in result["batteries"]] == [
        ("thaad", thaad_km)]  # the setup's one battery, the catalog's THAAD reach
    for threat in result["threats"]:
        assert sum(threat["outcomes"].values()) == pytest.approx(1.0, abs=1e-12)
        assert sum(threat["reasons"].values()) == 5  # one reason per trial


@pytest.mark.slow
def test_cancel_kills_the_run_and_the_next_run_completes(workers: TestClient) -> None:
    big = yaml.safe_load(scenario_text("korea-2017"))
    big["run"]["trials"] = limits.MAX_TRIALS  # minutes of work: cancelled long before
    job = workers.post("/api/runs", json={"setup": big}).json()["id"]
    end = time.monotonic() + 120
    while workers.get(f"/api/runs/{job}").json()["state"] == "queued":
        assert time.monotonic() < end
        time.sleep(0.1)
    cancelled = workers.delete(f"/api/runs/{job}")
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
    assert workers.delete(f"/api/runs/{job}").json()["state"] == "cancelled"  # idempotent
    assert workers.get(f"/api/runs/{job}").json()["state"] == "cancelled"
    after = workers.post("/api/runs", json={"setup": small_setup(seed=4)}).json()["id"]
    assert _wait(workers, after)["state"] == "done"
    assert workers.get(f"/api/runs/{job}").json()["state"] == "cancelled"


@pytest.mark.slow
def test_the_wall_limit_and_the_queue_limit() -> None:
    pool = JobPool(1, wall_s=1.0, max_queue=2)
    with TestClient(make_app(pool=pool)) as c:
        big = yaml.safe_load(scenario_text("korea-2017"))
        first = c.post("/api/runs", json={"setup": big}).json()["id"]
        c.post("/api/runs", json={"setup": small_setup()})
        message = _refused(c.post("/api/runs", json={"setup": small_setup()}), 429, None)
        assert "busy" in message and "2" in message
        view = _wait(c, first)
        assert view["state"] == "failed" and "took longer" in view["error"]


@pytest.mark.slow
def test_the_report_zip_and_the_footprint(workers: TestClient) -> None:
    run = workers.post("/api/runs", json={"setup": small_setup(seed=5)}).json()["id"]
    _refused(workers.get(f"/api/runs/{run}/report"), 409, "id")  # not finished yet
    assert _wait(workers, run)["state"] == "done"
    reply = workers.get(f"/api/runs/{run}/report")
    assert reply.status_code == 200 and reply.headers["content-type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(reply.content)).namelist()
    assert "report/report.html" in names and "report/results/summary.json" in names
    summary = json.loads(zipfile.ZipFile(io.BytesIO(reply.content))
                         .read("report/results/summary.json"))
    run_view = workers.get(f"/api/runs/{run}").json()
    _same_numbers(summary, run_view["result"]["summary"])
    fp = workers.post("/api/footprint", json={"setup": small_setup(), "missile": "scud-c",
                                              "launch": "pyongyang", "grid_km": 50,
                                              "extent_km": 300})
    assert fp.status_code == 202
    view = _wait(workers, fp.json()["id"])
    assert view["state"] == "done", view
    assert view["result"]["area_km2"] > 0 and view["result"]["polygon"]["type"] in (
        "Polygon", "MultiPolygon")


@pytest.mark.slow  # a subprocess of the command line
def test_exported_yaml_run_by_the_command_line_gives_the_servers_numbers(
        workers: TestClient, tmp_path: Path) -> None:
    setup = small_setup(seed=11)
    text = workers.post("/api/export", json={"setup": setup}).text
    scenario = tmp_path / "exported.yaml"
    scenario.write_text(text, encoding="utf-8")
    job = workers.post("/api/runs", json={"setup": setup}).json()["id"]
    proc = subprocess.run([sys.executable, "-m", "thaadsim", "run", str(scenario), "--json",
                           "-o", str(tmp_path / "out")], capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr
    cli = json.loads(proc.stdout)
    view = _wait(workers, job)
    server = view["result"]["summary"]
    for key in ("output", "files"):
        cli.pop(key)
    assert server == cli


def _same_numbers(report: dict[str, Any], run: dict[str, Any]) -> None:
    """The report's summary.json and the run's summary: every key they share equal, and
    the headline figures among them."""
    shared = set(report) & set(run)
    assert {"p_no_leak", "expected_leakers", "interceptors_used", "reasons",
            "seed", "trials", "scenario_sha256"} <= shared
    for key in shared:
        assert report[key] == run[key], key


class _Conn:
    """A worker's pipe, for a job run in this process: what it sends, kept."""

    def __init__(self) -> None:
        self.sent: list[tuple[Any, ...]] = []

    def send(self, message: tuple[Any, ...]) -> None:
        self.sent.append(message)


@pytest.mark.slow  # a run, its claims check and its report, in this process
def test_the_report_is_written_from_the_kept_run_without_simulating(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A report job runs no simulation: the run job keeps its output, the report job writes
    the folder from it (the engine's entry points and the claims check fail if called; the
    validation table is read from its per-version cache),
    and the zip's numbers are the run's. The run itself goes through the command line's
    own run-and-claims function, once."""
    import thaadsim.commands
    import thaadsim.engagement
    import thaadsim.run
    import thaadsim.studies.claims
    from thaadsim.serve import jobs
    from thaadsim.serve.setup import setup_yaml

    calls: list[str] = []
    shared = thaadsim.commands.run_and_claims

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append("run_and_claims")
        return shared(*args, **kwargs)

    monkeypatch.setattr(thaadsim.commands, "run_and_claims", counted)
    payload = {"yaml": setup_yaml(small_setup(seed=6)), "folder": str(tmp_path)}
    result = jobs._work("run", payload, jobs._Reporter(_Conn(), "run"))  # type: ignore[arg-type]
    assert calls == ["run_and_claims"]

    def no_simulation(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the report ran a simulation")

    # the report's validation table is a per-version cache of its own (simulations of the
    # shipped validation cases, computed once per version, issue 14 item 4): filled first,
    # as any earlier report or `thaadsim validate` fills it
    from thaadsim.studies.validation import cached_results

    cached_results()

    for module, name in ((thaadsim.commands, "run_and_claims"), (thaadsim.run,
                         "run_engagement"), (thaadsim.run, "run_on_runner"),
                         (thaadsim.engagement, "simulate"),
                         (thaadsim.studies.claims, "check_claims")):
        monkeypatch.setattr(module, name, no_simulation)
    if hasattr(thaadsim.run, "simulate"):
        monkeypatch.setattr(thaadsim.run, "simulate", no_simulation)
    report = jobs._work("report", {"folder": str(tmp_path)},
                        jobs._Reporter(_Conn(), "report"))  # type: ignore[arg-type]
    with zipfile.ZipFile(report["zip"]) as z:
        summary = json.loads(z.read("report/results/summary.json"))
        claims = json.loads(z.read("report/results/claims.json"))
    _same_numbers(summary, result["summary"])
    assert claims == result["claims"]
    assert calls == ["run_and_claims"]


def test_a_report_of_a_run_no_longer_kept_says_so(tmp_path: Path) -> None:
    from thaadsim.errors import ThaadsimError
    from thaadsim.serve import jobs

    with pytest.raises(ThaadsimError, match="no longer kept on this server"):
        jobs._work("report", {"folder": str(tmp_path)},
                   jobs._Reporter(_Conn(), "report"))  # type: ignore[arg-type]


# -- the engine's progress hook --------------------------------------------------------------


@pytest.mark.slow  # two engagements of 10 trials
def test_progress_observer_sees_stages_and_trials_and_changes_nothing() -> None:
    """timing.observing: the stages entered and the trials done after each chunk, and the
    same tables, bit for bit, as the run without an observer."""
    import numpy as np

    from thaadsim.engagement import simulate
    from thaadsim.serve.setup import setup_yaml
    from thaadsim.timing import observing

    scn = parse_scenario(setup_yaml(small_setup(seed=2)), "setup")
    raid, _ = scn.raid()
    plain = simulate(raid, scn.defense, trials=10, seed=2, chunk_trials=3)
    seen: list[tuple[str | None, int | None, int | None]] = []
    with observing(lambda *event: seen.append(event)):
        watched = simulate(raid, scn.defense, trials=10, seed=2, chunk_trials=3)
    assert [e for e in seen if e[0] is None] == [(None, 3, 10), (None, 6, 10), (None, 9, 10),
                                                 (None, 10, 10)]
    assert {"flights", "fire control"} <= {e[0] for e in seen if e[0] is not None}
    for table, other in ((plain.threats, watched.threats), (plain.shots, watched.shots)):
        assert table.keys() == other.keys()
        for key, column in table.items():  # NaN where NaN, every other value equal
            np.testing.assert_array_equal(column, other[key], err_msg=key)
