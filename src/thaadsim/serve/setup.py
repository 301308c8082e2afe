"""The page's setup <-> a scenario: validation with the scenario schema, the server's limits,
and the catalog the page picks from.

A *setup* is exactly the scenario file's data model as JSON (``thaadsim scenarios show
korea-2017`` read as a mapping). :func:`validate_setup` dumps it to YAML and validates that
text with :func:`thaadsim.scenario.parse_scenario` -- the same schema and messages as a file
-- then applies the server's own limits (:data:`SERVER_LIMITS`), tighter than the command
line's because one request must not exhaust a machine that others share. The YAML is what
the export gives, and ``thaadsim run FILE.yaml`` accepts it unchanged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from thaadsim.errors import InputError, ThaadsimError
from thaadsim.limits import LIMITS, check, fmt_number

MAX_TRIALS = int(LIMITS["serve_trials"].high)
"""Monte Carlo trials of one run (the command line allows 100,000): the row ``serve_trials``
of :data:`thaadsim.limits.LIMITS`."""
DEFAULT_TRIALS = 50
"""The page's starting value of trials (P(no leak) within about +-0.14 at 95%)."""
MAX_THREATS = int(LIMITS["serve_threats"].high)
"""Threats of one raid, the groups' counts added (the command line allows 2,000): the row
``serve_threats``."""
MAX_GRID_POINTS = int(LIMITS["serve_grid_points"].high)
"""Cells of one footprint grid ((2 extent / grid_km + 1)^2): the row ``serve_grid_points``."""
MAX_QUEUE = 40
"""Jobs queued or running at once, all clients together; past it a run is refused (429)."""
MAX_JOBS_PER_CLIENT = 30
"""Runs and footprints of one client address queued or running at once; past it that client's
next one is refused (429), so that one client cannot fill the whole queue
(:data:`MAX_QUEUE`) of a shared server. Above 20, so that a burst of 20 concurrent runs from
one address (issue 17's load test) is served in full."""
MAX_BODY_BYTES = 256 * 1024
"""Largest request body, bytes."""
RUN_WALL_S = 300.0
"""Wall time of one job in a worker before it is stopped and marked failed."""
REPORT_WALL_S = 900.0
"""Wall time of one report (``thaadsim run``'s whole folder from the kept run: figures,
tables, exports; the first in a fresh per-version cache also computes the validation
table)."""
MAX_KEPT_JOBS = 100
"""Finished jobs whose results are kept in memory; the oldest finished is dropped first."""
BAND_KM_DEFAULT = (40.0, 150.0)
"""THAAD's intercept band (the scenario schema's default, scenario.py)."""

SERVER_LIMITS: dict[str, Any] = {
    "trials": {"low": 1, "high": MAX_TRIALS},
    "threats_total": MAX_THREATS,
    "grid_points": MAX_GRID_POINTS,
    "queue": MAX_QUEUE,
    "jobs_per_client": MAX_JOBS_PER_CLIENT,
    "body_bytes": MAX_BODY_BYTES,
    "run_wall_s": RUN_WALL_S,
    "report_wall_s": REPORT_WALL_S,
    "kept_results": MAX_KEPT_JOBS,
}
"""The limits the catalog shows the page (``GET /api/catalog``)."""


class RequestError(ThaadsimError):
    """A request the server refuses: ``status`` (4xx), one sentence and the field it names
    (``None``: the request as a whole)."""

    def __init__(self, message: str, field: str | None = None, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.status = status

    def body(self) -> dict[str, Any]:
        return {"error": self.message, "field": self.field}


def checked_number(name: str, value: Any, field: str, hint: str = "", *,
                   label: str | None = None) -> Any:
    """``value`` checked against the row ``name`` of :data:`thaadsim.limits.LIMITS`
    (:func:`thaadsim.limits.check`) as a request: a :class:`RequestError` for ``field``
    whose message names ``label`` (default: the field), the value and what is allowed (then
    ``hint``) when it is not a number or out of range."""
    shown = label or field
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RequestError(f"{shown}: {fmt_number(value)} is not a number; allowed: "
                           f"{LIMITS[name].allowed()}{hint}", field)
    try:
        return check(name, value, shown)
    except InputError as exc:
        raise RequestError(f"{exc}{hint}", field) from None


@dataclass(frozen=True)
class Checked:
    """A valid setup: its scenario (:class:`thaadsim.scenario.Scenario`) and YAML."""

    scenario: Any
    yaml_text: str

    @property
    def threats(self) -> int:
        return int(self.scenario.threat_count)


_LINE = re.compile(r"^setup:(?:\d+:)? ?")
_FIELD = re.compile(r"^((?:[A-Za-z_][A-Za-z0-9_]*|\[\d+\])(?:\.[A-Za-z_][A-Za-z0-9_]*|\[\d+\])*)"
                    r": ")


def _from_schema(message: str) -> RequestError:
    """A scenario schema's message about the setup (``setup:LINE: raid[0].missile: ...``) as
    a request error naming the field; the line is the server's YAML, not the page's, so it
    is left out."""
    text = _LINE.sub("", message, count=1)
    found = _FIELD.match(text)
    return RequestError(f"setup: {text}", found.group(1) if found else None)


def setup_yaml(setup: dict[str, Any]) -> str:
    """The setup as scenario YAML (keys in the page's order, text as UTF-8)."""
    return yaml.safe_dump(setup, sort_keys=False, allow_unicode=True, default_flow_style=None,
                          width=100)


def validate_setup(setup: Any) -> Checked:
    """The setup validated with the scenario schema (:func:`thaadsim.scenario.parse_scenario`)
    and :data:`SERVER_LIMITS`; a :class:`RequestError` naming the field, value and what is
    allowed otherwise."""
    from thaadsim.errors import InputError
    from thaadsim.scenario import parse_scenario

    if not isinstance(setup, dict):
        raise RequestError(f"setup: {type(setup).__name__} given; allowed: a mapping with keys "
                           "name, description, run, defense, raid (a scenario as JSON)",
                           "setup")
    try:
        text = setup_yaml(setup)
    except yaml.YAMLError as exc:  # pragma: no cover - JSON data always dumps
        raise RequestError(f"setup: cannot be written as YAML ({exc})", "setup") from None
    try:
        scenario = parse_scenario(text, label="setup")
    except InputError as exc:
        raise _from_schema(str(exc)) from None
    checked_number("serve_trials", scenario.trials, "run.trials",
                   " on this server (the command line, `thaadsim run`, allows more)")
    if not LIMITS["serve_threats"].allows(scenario.threat_count):
        counts = " + ".join(str(g.count) for g in scenario.groups)
        raise RequestError(f"raid: {fmt_number(scenario.threat_count)} threats ({counts}) are "
                           f"over this server's limit; allowed: at most "
                           f"{fmt_number(MAX_THREATS)} threats, the groups' counts added "
                           "(the command line allows more)", "raid")
    return Checked(scenario=scenario, yaml_text=text)


def builtin_setup(name: Any) -> dict[str, Any]:
    """The built-in scenario ``name`` as a setup (its YAML read as a mapping); a 404
    :class:`RequestError` listing the names otherwise. Only built-in names are looked up:
    no request names a file."""
    from thaadsim.scenario import builtin_names, scenario_text

    names = builtin_names()
    if not isinstance(name, str) or name not in names:
        shown = repr(name)[:80]
        raise RequestError(f"scenario: {shown} is not a built-in scenario; allowed: "
                           f"{', '.join(names)}", "name", status=404)
    data = yaml.safe_load(scenario_text(name))
    assert isinstance(data, dict)
    return data


def check_grid(grid_km: Any, extent_km: Any) -> tuple[float, float]:
    """A footprint grid's cell and half-width (the rows ``grid_km`` and ``extent_km``),
    within :data:`MAX_GRID_POINTS` cells (the row ``serve_grid_points``)."""
    grid = float(checked_number("grid_km", grid_km, "grid_km"))
    extent = float(checked_number("extent_km", extent_km, "extent_km"))
    side = int(2.0 * extent / grid) + 1
    checked_number("serve_grid_points", side * side, "grid_km",
                   " (a coarser grid_km or a smaller extent_km)",
                   label=f"grid points of grid_km {fmt_number(grid_km)} km over extent_km "
                         f"{fmt_number(extent_km)} km")
    return grid, extent


def _figure_value(fig: Any) -> float | None:
    value = getattr(fig, "value", fig)
    return float(value) if isinstance(value, int | float) else None


def catalog() -> dict[str, Any]:
    """What the page picks from: missiles, interceptors, batteries, sites, sensors, radar
    modes, shapes, doctrines, built-in scenarios, and the server's limits."""
    from thaadsim.scenario import list_scenarios
    from thaadsim.systems.catalog import (
        missile_catalog,
        radar_catalog,
        sensor_catalog,
        site_catalog,
    )
    from thaadsim.systems.fire_control import DOCTRINES, battery_catalog
    from thaadsim.systems.interceptor import interceptor_catalog
    from thaadsim.systems.threat import SHAPES

    missiles = [{"slug": m.slug, "name": m.name, "class": m.missile_class,
                 "range_km": _figure_value(m.range_km), "variant_of": m.variant_of}
                for m in missile_catalog().values()]
    interceptors = [{"slug": i.slug, "name": i.name, "reach_km": i.max_ground_range_m / 1e3}
                    for i in interceptor_catalog().values()]
    modes = [{"mode": e.radar.mode, "range_km": e.radar.instrumented_range_m / 1e3,
              "half_width_deg": e.radar.scan_half_width_deg} for e in radar_catalog().values()]
    batteries = [{"slug": b.slug, "name": b.name, "interceptor": b.interceptor.slug,
                  "site": b.site.slug, "radar_mode": b.radar_mode,
                  "inventory": b.inventory} for b in battery_catalog().values()]
    sites = [{"slug": s.slug, "name": s.name, "lat_deg": s.lat_deg, "lon_deg": s.lon_deg,
              "boresight_deg": s.boresight_deg} for s in site_catalog().values()]
    sensors = [{"slug": e.slug, "name": e.name, "site": e.site, "mode": e.mode,
                "boresight_deg": _figure_value(e.boresight)}
               for e in sensor_catalog().values()]
    return {
        "missiles": missiles,
        "interceptors": interceptors,
        "batteries": batteries,
        "sites": sites,
        "sensors": sensors,
        "radar_modes": ["terminal", "forward-based"],
        "radar_modes_info": modes,
        "shapes": list(SHAPES),
        "doctrines": list(DOCTRINES),
        "scenarios": [{"name": n, "description": d} for n, d in list_scenarios()],
        "limits": SERVER_LIMITS,
        "trials_default": DEFAULT_TRIALS,
        "band_km_default": list(BAND_KM_DEFAULT),
    }
