"""``POST /api/footprint``: the defended footprint of one battery of the setup against one
missile (:func:`thaadsim.studies.footprint.defended_footprint`), checked on the request path
and computed in a worker."""

from __future__ import annotations

from typing import Any

from thaadsim.serve.setup import Checked, RequestError, check_grid, checked_number

DEFAULT_GRID_KM = 20.0
"""The page's footprint cell (41 x 41 cells over the default extent)."""
DEFAULT_EXTENT_KM = 400.0
"""Half-width of the footprint grid when the request gives none: a THAAD battery's reach
(~200 km) plus the margin of ``thaadsim footprint``'s default (150 km), rounded up."""


def _battery_index(value: Any, names: list[str]) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < len(names):
        return value
    if isinstance(value, str) and value in names:
        return names.index(value)
    raise RequestError(f"battery: {value!r:.60} is not a battery of the setup; allowed: an "
                       f"index from 0 to {len(names) - 1} or a name ({', '.join(names)})",
                       "battery")


def _launch(value: Any) -> tuple[float, float]:
    from thaadsim.systems.catalog import site_catalog

    sites = site_catalog()
    if isinstance(value, str):
        if value in sites:
            return sites[value].lat_deg, sites[value].lon_deg
        raise RequestError(f"launch: {value!r:.60} is not a known site; allowed: a site slug "
                           "(sites.yaml) or {lat_deg, lon_deg}", "launch")
    if isinstance(value, dict) and set(value) <= {"lat_deg", "lon_deg", "site"}:
        if "site" in value:
            return _launch(value["site"])
        lat, lon = (float(checked_number(key, value.get(key), f"launch.{key}"))
                    for key in ("lat_deg", "lon_deg"))
        return lat, lon
    raise RequestError(f"launch: {value!r:.80} is not allowed; allowed: a site slug or "
                       "{lat_deg, lon_deg}", "launch")


def footprint_payload(body: dict[str, Any], checked: Checked) -> dict[str, Any]:
    """The worker's payload of a footprint request, every field checked (a
    :class:`RequestError` naming the field otherwise)."""
    from thaadsim.systems.catalog import missile_catalog
    from thaadsim.systems.threat import SHAPES

    allowed = {"setup", "battery", "missile", "launch", "shape", "grid_km", "extent_km",
               "min_shots"}
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise RequestError(f"{unknown[0]}: unknown key; allowed: {', '.join(sorted(allowed))}",
                           unknown[0])
    names = [b.name for b in checked.scenario.defense.batteries]
    index = _battery_index(body.get("battery", 0), names)
    missile = body.get("missile")
    missiles = missile_catalog()
    if not isinstance(missile, str) or missile not in missiles:
        raise RequestError(f"missile: {missile!r:.60} is not a known missile; allowed: "
                           f"{', '.join(missiles)}", "missile")
    shape = body.get("shape", "min-energy")
    if shape not in SHAPES:
        raise RequestError(f"shape: {shape!r:.60} is not allowed; allowed: "
                           f"{', '.join(SHAPES)}", "shape")
    min_shots = body.get("min_shots", 1)
    if min_shots not in (1, 2) or isinstance(min_shots, bool):
        raise RequestError(f"min_shots: {min_shots!r:.20} is not allowed; allowed: 1 or 2",
                           "min_shots")
    grid_km, extent_km = check_grid(body.get("grid_km", DEFAULT_GRID_KM),
                                    body.get("extent_km", DEFAULT_EXTENT_KM))
    lat, lon = _launch(body.get("launch"))
    return {"yaml": checked.yaml_text, "battery": index, "missile": missile,
            "launch": [lat, lon], "shape": shape, "grid_km": grid_km,
            "extent_km": extent_km, "min_shots": int(min_shots)}


def footprint_result(payload: dict[str, Any], reporter: Any) -> dict[str, Any]:
    """In a worker: the footprint of the payload's battery, tracked by the setup's sensors
    (the battery fires on the track that reaches it first, with the network's latency)."""
    from shapely.geometry import mapping

    from thaadsim.jsonsafe import json_safe
    from thaadsim.scenario import parse_scenario
    from thaadsim.studies.footprint import defended_footprint
    from thaadsim.timing import observing

    scn = parse_scenario(payload["yaml"], label="setup")
    battery = scn.defense.batteries[payload["battery"]]
    lat, lon = payload["launch"]
    reporter.set_stage("footprint")
    with observing(reporter):
        grid = defended_footprint(
            battery, payload["missile"], lat, lon, shape=payload["shape"],
            grid_km=payload["grid_km"], extent_km=payload["extent_km"],
            min_shots=payload["min_shots"], sensors=scn.defense.sensors or None,
            network_latency_s=scn.defense.network_latency_s, progress=False)
    polygon = grid.polygon
    return json_safe({
        "polygon": None if polygon is None or polygon.is_empty else mapping(polygon),
        "area_km2": grid.area_km2, "grid_km": payload["grid_km"],
        "extent_km": payload["extent_km"], "battery": battery.name,
        "missile": payload["missile"], "launch": [lat, lon],
        "defended_sites": list(grid.defended_sites),
    })
