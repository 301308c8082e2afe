"""What the six claims share: the :class:`Claim` they return, the run they read
(:class:`RunRecord`), figures of one size, the battery a claim looks at and the flights of
a small standard engagement (:func:`engaged_flights`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from thaadsim.engagement import Defense, RaidThreat, Result
from thaadsim.jsonsafe import json_safe
from thaadsim.physics.geodesy import ecef_to_geodetic, geodesic_inverse
from thaadsim.studies.ground_tracks import ThreatTrack
from thaadsim.systems import fire_control as fc
from thaadsim.systems.catalog import get_radar
from thaadsim.systems.interceptor import Interceptor
from thaadsim.systems.sensors import Sensor

FloatArray = npt.NDArray[np.float64]

VERDICTS = ("supported", "partly supported", "not supported")



@dataclass(frozen=True, kw_only=True)
class Claim:
    """One claim of the public debate and what this run's physics says about it."""

    number: int
    """1..6."""
    claim: str
    """The claim in words."""
    verdict: str
    """One of :data:`VERDICTS`."""
    summary: str
    """One to three sentences: why, with the key numbers."""
    numbers: dict[str, float | str]
    """The figures behind it, names with their units."""
    figure: object | None = None
    """What its figure shows, as data (each claim module's ``*Figure``);
    :func:`thaadsim.report.claim_figures.claim_figure_png` draws it."""
    sources: tuple[str, ...] = ()
    """The published statements and analyses the claim is weighed against (may be empty)."""
    notes: tuple[str, ...] = ()
    """What the numbers leave out or assume (may be empty)."""

    @property
    def id(self) -> str:
        """A stable name for the claim (:data:`CLAIM_IDS`), for data readers."""
        return CLAIM_IDS.get(self.number, f"claim-{self.number}")


CLAIMS = {
    1: "THAAD cannot protect Seoul from short-range missiles and artillery.",
    2: "THAAD's radar in Korea can track China's strategic missiles and undermine its "
       "deterrent.",
    3: "Many missiles fired at once can defeat THAAD.",
    4: "THAAD is built for medium- and intermediate-range missiles, not short-range ones.",
    5: "THAAD's interceptors cost more than the missiles they stop.",
    6: "North Korea will answer THAAD with missiles it cannot stop.",
}


CLAIM_IDS = {1: "seoul", 2: "china", 3: "saturation", 4: "classes", 5: "cost", 6: "reaction"}
"""Each claim's stable id (the name of its module): what ``results/claims.json`` and the
``claims`` of ``thaadsim run --json`` call it."""


def claim_record(claim: Claim) -> dict[str, Any]:
    """One claim as JSON-ready data: ``id``, ``number``, ``claim``, ``verdict``,
    ``summary``, ``numbers`` (name with its unit -> value), and ``sources`` and ``notes``
    when the claim has them. The one serialiser of the claims check: ``results/claims.json``
    (:func:`thaadsim.report.exports.write_claims`) and the ``claims`` key of ``thaadsim run
    --json`` both are :func:`claims_records`; the figure stays in the report."""
    record: dict[str, Any] = {"id": claim.id, "number": claim.number, "claim": claim.claim,
                              "verdict": claim.verdict, "summary": claim.summary,
                              "numbers": json_safe(dict(claim.numbers))}
    if claim.sources:
        record["sources"] = list(claim.sources)
    if claim.notes:
        record["notes"] = list(claim.notes)
    return record


def claims_records(claims: Sequence[Claim]) -> list[dict[str, Any]]:
    """Every claim as :func:`claim_record`, in the check's order."""
    return [claim_record(c) for c in claims]


class RunRecord(Protocol):
    """What the claims read of a run (:class:`thaadsim.run.RunOutput` is one): the raid, the
    defense, the engagement's result, each threat's ground track, the seed and the altitude
    band. Any object with these attributes will do; the claims import nothing above the
    studies."""

    @property
    def raid(self) -> Sequence[RaidThreat]: ...
    @property
    def defense(self) -> Defense: ...
    @property
    def result(self) -> Result: ...
    @property
    def tracks(self) -> Sequence[ThreatTrack]: ...
    @property
    def seed(self) -> int: ...
    @property
    def band_m(self) -> tuple[float, float]: ...


def thaad_battery(out: RunRecord) -> fc.Battery:
    """The run's first battery firing THAAD interceptors (the Seongju battery if none)."""
    for b in out.defense.batteries:
        if b.interceptor.slug == "thaad":
            return b
    return fc.get_battery("seongju")


def battery_doctrine(out: RunRecord, battery: fc.Battery) -> str:
    return battery.doctrine or out.defense.doctrine


def kill_probability(out: RunRecord, icpt: Interceptor) -> float:
    return out.defense.sspk if out.defense.sspk is not None else icpt.sspk


def ideal_defense(battery: fc.Battery, toward: tuple[float, float]) -> Defense:
    """One battery with perfect tracking that engages everything (the binomial model's
    assumptions: the most favourable case for the defense)."""
    _, bearing, _ = geodesic_inverse(battery.site.lat_deg, battery.site.lon_deg, *toward)
    return Defense(batteries=(battery,), sensors=(Sensor(
        name=battery.slug, radar=get_radar("terminal").radar,
        emplacement=battery.site.emplacement(float(bearing) % 360.0), battery=battery.slug,
        site=battery.site.slug),), assets=(), engage_all=True, perfect_tracking=True)


@dataclass(frozen=True, kw_only=True)
class Flight:
    """One threat's flight as the engagement saw it (1 s grid) and whether it was
    engageable."""

    label: str
    missile: str
    missile_class: str
    range_km: float
    lat_deg: FloatArray
    lon_deg: FloatArray
    alt_m: FloatArray
    ground_m: FloatArray
    apogee_m: float
    time_in_band_s: float
    engageable: float
    """Share of the trials in which a battery had a shot opportunity."""
    reason: str


def engaged_flights(raid: Sequence[RaidThreat], result: Result, band_m: tuple[float, float],
             labels: Sequence[str]) -> list[Flight]:
    t_grid, y_grid = result.extra["t_grid"], result.extra["y_grid"]
    engage = result.per_trial("engageable")
    reasons = result.per_trial("reason")
    out = []
    for i, th in enumerate(raid):
        # the last grid point can fall past the last recorded state (NaN there)
        ok = np.isfinite(t_grid[i]) & np.isfinite(y_grid[i][:, 0])
        t = t_grid[i][ok]
        lat, lon, alt = ecef_to_geodetic(y_grid[i][ok, :3])
        ground = geodesic_inverse(th.launch_lat_deg, th.launch_lon_deg, lat, lon)[0]
        inside = (alt >= band_m[0]) & (alt <= band_m[1])
        step = float(np.median(np.diff(t))) if t.size > 1 else 0.0
        out.append(Flight(
            label=labels[i], missile=th.missile.slug,
            missile_class=th.missile.missile_class,
            range_km=float(ground[-1]) / 1e3, lat_deg=lat, lon_deg=lon, alt_m=alt,
            ground_m=ground, apogee_m=float(alt.max()),
            time_in_band_s=float(inside.sum()) * step,
            engageable=float(engage[:, i].mean()), reason=str(reasons[0, i])))
    return out


def km(value_m: float) -> float:
    return round(value_m / 1e3, 1)


__all__ = ["CLAIMS", "CLAIM_IDS", "VERDICTS", "Claim", "Flight", "RunRecord",
           "battery_doctrine", "claim_record", "claims_records", "engaged_flights",
           "ideal_defense", "kill_probability", "km", "thaad_battery"]
