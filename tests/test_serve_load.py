"""A burst against a real ``thaadsim serve`` (issue 17 part 4): uvicorn on 127.0.0.1 in a
subprocess with two workers; 20 runs of a small scenario (2 threats, 5 trials, distinct
seeds) posted at once with httpx's async client from one loopback address (the server takes
up to :data:`~thaadsim.serve.setup.MAX_JOBS_PER_CLIENT` from one address), all polled to the
end.
Every run completes, each result equals the same run done one at a time in this process
(:func:`thaadsim.run.run_engagement`), the server keeps answering while the burst runs and
after a client hangs up mid-request, and it stops when told."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import yaml

from thaadsim.scenario import scenario_text

RUNS = 20
WORKERS = 2
CLIENTS = ["127.0.0.1"]
"""The burst's client addresses: one, as a person's browser or script sends it."""
BURST_TIMEOUT_S = 240.0
"""The whole burst's bound: 20 runs of ~1-3 s on two workers, plus each worker's first
claims check (tens of seconds in a fresh cache), with room for a loaded machine."""


WARM_UP_TIMEOUT_S = 600.0
"""The first run, which fills the claims' cache (minutes on a loaded two-core machine)."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def small_setup(seed: int) -> dict[str, Any]:
    """korea-2017's two Scud-B on Osan, 5 trials, seed ``seed``."""
    data = yaml.safe_load(scenario_text("korea-2017"))
    data["name"] = f"load-{seed}"
    data["raid"] = [g for g in data["raid"] if g["missile"] == "scud-b"]
    data["run"]["trials"] = 5
    data["run"]["seed"] = seed
    return data


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "thaadsim", "serve", "--host", "127.0.0.1",
                             "--port", str(port), "--workers", str(WORKERS)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        end = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/api/catalog", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
            assert time.monotonic() < end, "the server did not answer within 60 s"
            time.sleep(0.3)
        # one run first, so that the claims' per-version cache is filled once, not by both
        # workers at once in the burst (the test session's cache folder starts empty)
        with httpx.Client(base_url=url, timeout=30) as client:
            job = client.post("/api/runs", json={"setup": small_setup(1000)}).json()["id"]
            end = time.monotonic() + WARM_UP_TIMEOUT_S
            while client.get(f"/api/runs/{job}").json()["state"] not in ("done", "failed"):
                assert time.monotonic() < end, "the first run did not finish"
                time.sleep(0.5)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C, as a person stops it
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            raise AssertionError("the server did not stop within 30 s of Ctrl-C") from None
        assert proc.returncode is not None


async def _one(client: httpx.AsyncClient, seed: int) -> dict[str, Any]:
    reply = await client.post("/api/runs", json={"setup": small_setup(seed)})
    assert reply.status_code == 202, reply.text
    job = reply.json()["id"]
    while True:
        view = (await client.get(f"/api/runs/{job}")).json()
        if view["state"] in ("done", "failed", "cancelled"):
            return dict(view)
        await asyncio.sleep(0.25)


def _client(url: str, address: str) -> httpx.AsyncClient:
    """An async client whose connections come from ``address``."""
    transport = httpx.AsyncHTTPTransport(local_address=address,
                                         limits=httpx.Limits(max_connections=RUNS + 5))
    return httpx.AsyncClient(base_url=url, timeout=60, transport=transport)


async def _burst(url: str) -> tuple[list[dict[str, Any]], list[float]]:
    """Every run posted at once, each client address its share; while they run, the
    catalog's answer times."""
    clients = [_client(url, address) for address in CLIENTS]
    try:
        share = RUNS // len(clients)
        runs = asyncio.gather(*(_one(clients[seed // share], seed) for seed in range(RUNS)))
        waits: list[float] = []

        async def probe() -> None:
            for _ in range(5):
                t0 = time.perf_counter()
                assert (await clients[0].get("/api/catalog")).status_code == 200
                waits.append(time.perf_counter() - t0)
                await asyncio.sleep(0.5)

        results, _ = await asyncio.wait_for(asyncio.gather(runs, probe()), BURST_TIMEOUT_S)
        return list(results), waits
    finally:
        for client in clients:
            await client.aclose()


@pytest.mark.slow  # a server subprocess, its two workers and 20 runs
def test_a_burst_of_concurrent_runs_all_complete_with_the_serial_numbers(server: str) -> None:
    from thaadsim.jsonsafe import json_safe
    from thaadsim.run import run_engagement
    from thaadsim.scenario import parse_scenario
    from thaadsim.serve.setup import setup_yaml

    t0 = time.monotonic()
    results, waits = asyncio.run(_burst(server))
    burst_s = time.monotonic() - t0
    assert len(results) == RUNS
    assert [r["state"] for r in results] == ["done"] * RUNS, [r.get("error") for r in results]
    assert burst_s < BURST_TIMEOUT_S
    # the event loop was never held by the work: the catalog answered within seconds
    assert max(waits) < 5.0, waits
    seeds = set()
    for seed, view in enumerate(results):
        got = {k: v for k, v in view["result"]["summary"].items() if k != "claims"}
        scn = parse_scenario(setup_yaml(small_setup(seed)), "setup")
        expected = json_safe(run_engagement(**scn.to_run_kwargs()).summary())
        assert got == expected, seed  # bit for bit, one at a time in this process
        seeds.add(got["seed"])
    assert seeds == set(range(RUNS))


def _hang_up(url: str, request: bytes) -> None:
    """Send ``request`` on a raw connection and close it without reading the answer."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(request)


@pytest.mark.slow
def test_a_client_that_hangs_up_mid_request_does_not_break_the_server(server: str) -> None:
    with httpx.Client(base_url=server, timeout=30) as client:
        job = client.post("/api/runs", json={"setup": small_setup(99)}).json()["id"]
        # half a body, then gone; a whole request, gone before the answer
        _hang_up(server, b"POST /api/runs HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                         b"Content-Type: application/json\r\nContent-Length: 5000\r\n\r\n"
                         b"{\"setup\": {\"name\"")
        _hang_up(server, b"GET /api/runs/" + job.encode() + b" HTTP/1.1\r\n"
                         b"Host: 127.0.0.1\r\n\r\n")
        end = time.monotonic() + 120
        while (view := client.get(f"/api/runs/{job}").json())["state"] not in (
                "done", "failed", "cancelled"):
            assert time.monotonic() < end
            time.sleep(0.25)
        assert view["state"] == "done"
        assert client.get("/api/catalog").status_code == 200


@pytest.mark.slow
def test_one_client_address_gets_its_share_of_jobs_at_a_time(server: str) -> None:
    """MAX_JOBS_PER_CLIENT long runs from 127.0.0.9 queued or running (Linux routes all of
    127.0.0.0/8 to the loopback), the next refused with a 429 that says why; another address
    is still served; they are cancelled."""
    from thaadsim.serve.setup import MAX_JOBS_PER_CLIENT, MAX_TRIALS

    big = yaml.safe_load(scenario_text("korea-2017"))
    big["run"]["trials"] = MAX_TRIALS  # minutes each: none finishes during the test
    transport = httpx.HTTPTransport(local_address="127.0.0.9")
    with httpx.Client(base_url=server, timeout=30, transport=transport) as client:
        jobs = []
        try:
            for _ in range(MAX_JOBS_PER_CLIENT):
                reply = client.post("/api/runs", json={"setup": big})
                assert reply.status_code == 202, reply.text
                jobs.append(reply.json()["id"])
            refused = client.post("/api/runs", json={"setup": small_setup(1)})
            assert refused.status_code == 429, refused.text
            assert refused.json()["error"].startswith(
                f"too many jobs from 127.0.0.9: {MAX_JOBS_PER_CLIENT} of its runs")
            other = httpx.post(f"{server}/api/runs", json={"setup": small_setup(1)})
            assert other.status_code == 202, other.text  # from 127.0.0.1
            jobs.append(other.json()["id"])
        finally:
            for job in jobs:
                assert client.delete(f"/api/runs/{job}").json()["state"] == "cancelled"
