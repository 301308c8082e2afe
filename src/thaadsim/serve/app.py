"""The Starlette application of ``thaadsim serve`` (the contract with the page:
``serve_api.md`` of the issue's notes, summarised here).

``GET /`` the page, ``GET /static/...`` its files; JSON under ``/api``: ``catalog``,
``scenarios`` and ``scenarios/{name}``, ``map``, ``validate``, ``export``, ``runs`` (POST a
setup: 202 and a job id), ``runs/{id}`` (GET its state, progress and result; DELETE cancels
it), ``runs/{id}/report`` (the report folder of ``thaadsim run`` as a zip, written from
the finished run, which its worker kept) and
``footprint`` (a job like a run). Every refusal is a 4xx with ``{"error": one sentence
naming the field, the value and what is allowed, "field": the field or null}``; an
unexpected failure is a 500 that says "internal error, logged on the server" and logs the
traceback here, never in the reply. Endpoints are async and do no computation in the event
loop: validation runs in a thread, the work in :class:`~thaadsim.serve.jobs.JobPool`.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from thaadsim.serve.jobs import INTERNAL_ERROR, TERMINAL, JobPool
from thaadsim.serve.setup import (
    MAX_BODY_BYTES,
    RequestError,
    builtin_setup,
    catalog,
    setup_yaml,
    validate_setup,
)

log = logging.getLogger("thaadsim.serve")

STATIC_DIR = Path(__file__).parent / "static"
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")
"""Host headers a loopback server answers (a page of another site that points a name of its
own at 127.0.0.1 -- DNS rebinding -- is refused)."""
MAP_MAX_AGE_S = 86_400
"""How long the browser may cache the map (it changes only with the package)."""
REPORT_POLL_S = 0.25


def _error(exc: RequestError) -> JSONResponse:
    return JSONResponse(exc.body(), status_code=exc.status)


def _json(data: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(data, status_code=status, headers={"Cache-Control": "no-store"})


async def _body(request: Request) -> dict[str, Any]:
    """The request's JSON object, read up to :data:`MAX_BODY_BYTES` (a 413 past it, a 400
    for anything but a JSON object)."""
    declared = request.headers.get("content-length")
    too_big = RequestError(f"body: more than {MAX_BODY_BYTES:,} bytes; allowed: a request "
                           f"body of at most {MAX_BODY_BYTES:,} bytes", "body", status=413)
    if declared is not None:
        if not declared.isdigit():
            raise RequestError(f"Content-Length: {declared[:40]!r} is not a number of bytes",
                               "body")
        if int(declared) > MAX_BODY_BYTES:
            raise too_big
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise too_big
        chunks.append(chunk)
    raw = b"".join(chunks)
    try:
        data = json.loads(raw.decode("utf-8"))
    except RecursionError:
        raise RequestError("body: JSON nested too deeply; allowed: a scenario as JSON (a few "
                           "levels deep)", "body") from None
    except UnicodeDecodeError:
        raise RequestError("body: not UTF-8 text; allowed: a JSON object", "body") from None
    except json.JSONDecodeError as exc:
        raise RequestError(f"body: not valid JSON ({exc.msg} at line {exc.lineno}, column "
                           f"{exc.colno}); allowed: a JSON object such as {{\"setup\": "
                           "{...}}", "body") from None
    if not isinstance(data, dict):
        raise RequestError(f"body: a JSON {type(data).__name__} given; allowed: a JSON "
                           "object such as {\"setup\": {...}}", "body")
    return data


async def _checked_setup(request: Request) -> tuple[dict[str, Any], Any]:
    body = await _body(request)
    if "setup" not in body:
        raise RequestError("setup: missing; allowed: a JSON object {\"setup\": {...}} (a "
                           "scenario as JSON)", "setup")
    checked = await run_in_threadpool(validate_setup, body["setup"])
    return body, checked


@lru_cache(maxsize=1)
def _catalog() -> dict[str, Any]:
    return catalog()


@lru_cache(maxsize=1)
def _region_map() -> bytes:
    """The region's land, coasts and borders as GeoJSON text
    (:func:`thaadsim.systems.geography.region_map_geojson`: Natural Earth 1:10m, shipped)."""
    from thaadsim.systems.geography import region_map_geojson

    return json.dumps(region_map_geojson(), separators=(",", ":")).encode("utf-8")


def _client(request: Request) -> str:
    """The client's address, which :data:`~thaadsim.serve.setup.MAX_JOBS_PER_CLIENT` counts
    against (the connection's peer: no header a client writes itself)."""
    return request.client.host if request.client is not None else "unknown"


def _pool(request: Request) -> JobPool:
    pool: JobPool = request.app.state.pool
    return pool


# -- endpoints --------------------------------------------------------------------------------


async def index(request: Request) -> Response:
    page = STATIC_DIR / "index.html"
    if page.is_file():
        return FileResponse(page, headers={"Cache-Control": "no-cache"})
    return HTMLResponse("<!doctype html><title>thaadsim</title><p>thaadsim serve: the page "
                        "is not installed (serve/static/index.html); the API is at /api.",
                        status_code=200)


async def api_catalog(request: Request) -> Response:
    return _json(await run_in_threadpool(_catalog))


async def api_scenarios(request: Request) -> Response:
    return _json((await run_in_threadpool(_catalog))["scenarios"])


async def api_scenario(request: Request) -> Response:
    name = request.path_params["name"]
    setup = await run_in_threadpool(builtin_setup, name)
    checked = await run_in_threadpool(validate_setup, setup)
    return _json({"name": name, "setup": setup, "yaml": checked.yaml_text,
                  "threats": checked.threats})


async def api_map(request: Request) -> Response:
    body = await run_in_threadpool(_region_map)
    return Response(body, media_type="application/geo+json",
                    headers={"Cache-Control": f"public, max-age={MAP_MAX_AGE_S}"})


async def api_validate(request: Request) -> Response:
    _, checked = await _checked_setup(request)
    return _json({"ok": True, "yaml": checked.yaml_text, "threats": checked.threats,
                  "trials": checked.scenario.trials, "name": checked.scenario.name})


def _file_name(name: str) -> str:
    from thaadsim.outputs import safe_slug

    return safe_slug(name) or "scenario"


async def api_export(request: Request) -> Response:
    _, checked = await _checked_setup(request)
    filename = f"{_file_name(checked.scenario.name)}.yaml"
    return Response(checked.yaml_text, media_type="text/yaml; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"',
                             "Cache-Control": "no-store"})


async def api_submit_run(request: Request) -> Response:
    body, checked = await _checked_setup(request)
    unknown = sorted(set(body) - {"setup"})
    if unknown:
        raise RequestError(f"{unknown[0]}: unknown key; allowed: setup", unknown[0])
    job = _pool(request).submit("run", {"yaml": checked.yaml_text,
                                        "name": checked.scenario.name}, _client(request))
    return _json({"id": job.id, "state": job.state, "threats": checked.threats}, 202)


async def api_submit_footprint(request: Request) -> Response:
    from thaadsim.serve.footprint import footprint_payload

    body, checked = await _checked_setup(request)
    payload = await run_in_threadpool(footprint_payload, body, checked)
    job = _pool(request).submit("footprint", payload, _client(request))
    return _json({"id": job.id, "state": job.state}, 202)


def _no_job(job_id: str) -> RequestError:
    return RequestError(f"run {job_id[:80]!r}: no such job on this server (finished jobs are "
                        "kept until newer ones push them out)", "id", status=404)


async def api_run(request: Request) -> Response:
    """GET: the job's view; DELETE: cancel it, then its view."""
    job_id = request.path_params["id"]
    pool = _pool(request)
    view = pool.cancel(job_id) if request.method == "DELETE" else pool.view(job_id)
    if view is None:
        raise _no_job(job_id)
    return _json(view)


async def api_report(request: Request) -> Response:
    pool = _pool(request)
    job_id = request.path_params["id"]
    job = pool.get(job_id)
    if job is None or job.kind != "run":
        raise _no_job(job_id)
    if job.state != "done":
        raise RequestError(f"run {job_id}: {job.state}; allowed: the report of a finished "
                           "run (state done)", "id", status=409)
    reports: dict[str, str] = request.app.state.reports
    report_id = reports.get(job_id)
    report = pool.get(report_id) if report_id else None
    if report is None or report.state in ("failed", "cancelled"):
        # written from the run the worker kept in the run's folder: no simulation again
        report = pool.submit("report", {"folder": job.payload["folder"]})
        reports[job_id] = report.id
    while report.state not in TERMINAL:
        await asyncio.sleep(REPORT_POLL_S)
    if report.state != "done":
        raise RequestError(f"report of run {job_id}: {report.error or report.state}", "id",
                           status=409 if report.state == "cancelled" else 503)
    name = _file_name(str(job.payload.get("name") or "thaadsim"))
    return FileResponse(report.result["zip"], media_type="application/zip",
                        filename=f"{name}-report.zip")


async def api_not_found(request: Request) -> Response:
    raise RequestError(f"{request.method} {request.url.path[:200]}: no such API endpoint; "
                       "allowed: /api/catalog, /api/scenarios/NAME, /api/map, /api/validate, "
                       "/api/export, /api/runs, /api/runs/ID, /api/runs/ID/report, "
                       "/api/footprint", None, status=404)


@lru_cache(maxsize=1)
def _plotly_js() -> Path | None:
    """plotly.min.js as the Python ``plotly`` package (a dependency) ships it, or None."""
    from importlib.util import find_spec

    spec = find_spec("plotly")
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).parent / "package_data" / "plotly.min.js"
    return path if path.is_file() else None


async def plotly_js(request: Request) -> Response:
    """``/static/vendor/plotly.min.js``: the Python plotly package's own copy (MIT; its
    licence is in static/vendor/), not a second one in thaadsim."""
    path = _plotly_js()
    if path is None:
        return Response("plotly.min.js: the plotly package is not installed", 404,
                        media_type="text/plain")
    return FileResponse(path, media_type="text/javascript",
                        headers={"Cache-Control": "public, max-age=86400"})


async def _no_static(request: Request) -> Response:
    return Response("not found (the page's files are not installed)", status_code=404,
                    media_type="text/plain")


# -- errors -----------------------------------------------------------------------------------


async def _on_request_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestError)
    return _error(exc)


async def _on_http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        message = f"{request.method} {request.url.path[:200]}: method not allowed"
    elif exc.status_code == 404:
        message = f"{request.url.path[:200]}: not found"
    else:
        message = str(exc.detail)
    if request.url.path.startswith("/api") or exc.status_code != 404:
        return JSONResponse({"error": message, "field": None}, status_code=exc.status_code,
                            headers=exc.headers)
    return Response(message, status_code=404, media_type="text/plain")


async def _on_error(request: Request, exc: Exception) -> Response:
    log.error("thaadsim serve: %s %s failed", request.method, request.url.path,
              exc_info=exc)
    return JSONResponse({"error": INTERNAL_ERROR, "field": None}, status_code=500)


class _Headers:
    """ASGI middleware: ``X-Content-Type-Options: nosniff`` and ``Referrer-Policy:
    no-referrer`` on every reply, and a content security policy that lets the page load
    only from this server."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def sending(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [(b"x-content-type-options", b"nosniff"),
                            (b"referrer-policy", b"no-referrer"),
                            (b"content-security-policy",
                             b"default-src 'self'; img-src 'self' data: blob:; "
                             b"style-src 'self' 'unsafe-inline'; connect-src 'self'; "
                             b"frame-ancestors 'none'")]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, sending)


def make_app(*, workers: int = 2, allowed_hosts: Sequence[str] | None = None,
             pool: JobPool | None = None) -> Starlette:
    """The application, with a :class:`JobPool` of ``workers`` processes started and stopped
    with it (``pool``: one of the caller's instead). ``allowed_hosts``: the Host headers it
    answers (default: loopback names and Starlette's test client)."""
    hosts = list(allowed_hosts) if allowed_hosts is not None else [*LOCAL_HOSTS, "testserver"]

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        job_pool = pool or JobPool(workers)
        app.state.pool = job_pool
        app.state.reports = {}
        await run_in_threadpool(job_pool.start)
        try:
            yield
        finally:
            await run_in_threadpool(job_pool.stop)

    routes = [
        Route("/", index),
        Route("/api/catalog", api_catalog),
        Route("/api/scenarios", api_scenarios),
        Route("/api/scenarios/{name:path}", api_scenario),
        Route("/api/map", api_map),
        Route("/api/validate", api_validate, methods=["POST"]),
        Route("/api/export", api_export, methods=["POST"]),
        Route("/api/runs", api_submit_run, methods=["POST"]),
        Route("/api/footprint", api_submit_footprint, methods=["POST"]),
        Route("/api/runs/{id}", api_run, methods=["GET", "DELETE"]),
        Route("/api/runs/{id}/report", api_report),
        Route("/api/{rest:path}", api_not_found,
              methods=["GET", "POST", "PUT", "DELETE", "PATCH"]),
        Route("/static/vendor/plotly.min.js", plotly_js),
        (Mount("/static", app=StaticFiles(directory=STATIC_DIR), name="static")
         if STATIC_DIR.is_dir() else Route("/static/{rest:path}", _no_static)),
    ]
    return Starlette(
        routes=routes,
        lifespan=lifespan,
        middleware=[Middleware(TrustedHostMiddleware, allowed_hosts=hosts),
                    Middleware(_Headers)],
        exception_handlers={RequestError: _on_request_error, HTTPException: _on_http,
                            Exception: _on_error},
    )


__all__ = ["STATIC_DIR", "make_app", "setup_yaml"]
