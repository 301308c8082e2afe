"""One-at-a-time sweep of the surveillance study's assumptions (issue 15: "what is not public
is an assumption with a stated range, and it can be varied").

:func:`surveillance_sweep` runs :func:`thaadsim.studies.surveillance.surveil` on one
corridor at the baseline (the catalog's assumptions, or the caller's values), then once at
each end (``low``, ``high``) of each assumption's stated range, the others held at the
baseline:

* each sensor's boresight (``boresight_deg:SENSOR``): its catalog sensor's figure
  (``sensors.yaml``), else its site's (``sites.yaml``); a sensor with neither is not swept;
* the body's and the warhead's radar cross-sections (``body_rcs_m2``, ``warhead_rcs_m2``,
  ``surveillance.yaml``);
* the missile's post-boost (deployment) window (``post_boost_s``, ``surveillance.yaml``).

Every run uses the same seed, so sensor ``k`` draws from the same stream in each
(:func:`~thaadsim.studies.surveillance.surveil`): a change is the assumption's, not the
dice's. Each row gives, per assumption, end and sensor, what the sensor saw of the body
(``detected``, ``track_s``, ``saw_deployment``) and of the warhead (``warhead_detected``,
``warhead_track_s``) at that end beside the baseline, and the change. Studies return data;
the command draws the table.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from thaadsim.errors import CatalogError, InputError
from thaadsim.studies.surveillance import (
    Surveillance,
    post_boost_figure,
    rcs_figure,
    surveil,
)
from thaadsim.systems.catalog import Figure, Missile, Site, catalog_sensor_for, get_site
from thaadsim.systems.sensors import Sensor
from thaadsim.systems.threat import as_missile

ENDS = ("low", "high")


@dataclass(frozen=True, kw_only=True)
class SweepRow:
    """One sensor at one end of one assumption's range, beside the baseline."""

    assumption: str
    """``boresight_deg:SENSOR``, ``body_rcs_m2``, ``warhead_rcs_m2`` or ``post_boost_s``."""
    end: str
    """``low`` or ``high``."""
    value: float
    baseline_value: float
    sensor: str
    detected: bool
    baseline_detected: bool
    track_s: float
    baseline_track_s: float
    saw_deployment: bool
    baseline_saw_deployment: bool
    warhead_detected: bool
    warhead_track_s: float
    baseline_warhead_track_s: float

    @property
    def d_track_s(self) -> float:
        """The change in the body's track duration, s (end minus baseline)."""
        return self.track_s - self.baseline_track_s

    @property
    def d_warhead_track_s(self) -> float:
        return self.warhead_track_s - self.baseline_warhead_track_s

    def row(self) -> dict[str, Any]:
        """The JSON row: the fields and the changes (``d_track_s``, ``d_warhead_track_s``,
        ``detected_changed``, ``saw_deployment_changed``)."""
        return dataclasses.asdict(self) | {
            "d_track_s": self.d_track_s, "d_warhead_track_s": self.d_warhead_track_s,
            "detected_changed": self.detected != self.baseline_detected,
            "saw_deployment_changed": self.saw_deployment != self.baseline_saw_deployment}


@dataclass(frozen=True, kw_only=True)
class Sweep:
    """The baseline surveillance and every (assumption, end, sensor) row of the sweep."""

    baseline: Surveillance
    assumptions: tuple[tuple[str, Figure], ...]
    """Each swept assumption with its figure (value, range, reasoning)."""
    rows: tuple[SweepRow, ...]

    def table(self) -> list[dict[str, Any]]:
        """One dict per row (:meth:`SweepRow.row`)."""
        return [r.row() for r in self.rows]


def boresight_figure(sensor: Sensor) -> Figure | None:
    """The stated boresight of ``sensor`` (value, range, reasoning): its site's catalog sensor
    of that mode (``sensors.yaml``), else its site's (``sites.yaml``); None where the site
    is not in the catalog or has no boresight figure."""
    try:
        site = get_site(sensor.site)
    except CatalogError:
        return None
    entry = catalog_sensor_for(site.slug, sensor.mode)
    if entry is not None:
        return entry.boresight
    return site.figures.get("boresight_deg")


def _ranged(fig: Figure | None) -> bool:
    return fig is not None and fig.low is not None and fig.high is not None


def _turned(sensors: Sequence[Sensor], k: int, boresight_deg: float) -> list[Sensor]:
    """``sensors`` with sensor ``k`` facing ``boresight_deg`` (in [0, 360))."""
    out = list(sensors)
    emp = dataclasses.replace(out[k].emplacement, boresight_deg=float(boresight_deg) % 360.0)
    out[k] = dataclasses.replace(out[k], emplacement=emp)
    return out


def surveillance_sweep(missile: Missile | str, launch: Site | tuple[float, float],
                       target: Site | tuple[float, float], sensors: Sequence[Sensor], *,
                       seed: int = 0, body_rcs_m2: float | None = None,
                       warhead_rcs_m2: float | None = None, post_boost_s: float | None = None,
                       only: Sequence[str] | None = None, **kw: Any) -> Sweep:
    """The baseline :func:`~thaadsim.studies.surveillance.surveil` of one corridor and one
    run at each end of each assumption's stated range, one at a time (module docstring).
    ``body_rcs_m2``, ``warhead_rcs_m2`` and ``post_boost_s`` set the baseline (default: the
    catalog's values); ``only`` limits the sweep to the named assumptions (default: all);
    ``kw`` (shape, apogee_km, early_warning) goes to every run. Costs ``1 + 2 x (swept
    assumptions)`` flights.

    Raises
    ------
    InputError
        A name of ``only`` that is not one of the sweepable assumptions (listed)."""
    m = as_missile(missile)
    parts = list(sensors)
    figs = {"body_rcs_m2": rcs_figure("body"), "warhead_rcs_m2": rcs_figure("warhead"),
            "post_boost_s": post_boost_figure(m.slug)}
    base_kw: dict[str, float | None] = {"body_rcs_m2": body_rcs_m2,
                                        "warhead_rcs_m2": warhead_rcs_m2,
                                        "post_boost_s": post_boost_s}

    def run(these: Sequence[Sensor], **over: float) -> Surveillance:
        at = base_kw | over
        return surveil(m, launch, target, these, seed=seed, body_rcs_m2=at["body_rcs_m2"],
                       warhead_rcs_m2=at["warhead_rcs_m2"], post_boost_s=at["post_boost_s"],
                       **kw)

    # (name, figure, the baseline's value (None: the baseline run's), the run at a value)
    plan: list[tuple[str, Figure, float | None, Any]] = []
    for k, s in enumerate(parts):
        fig = boresight_figure(s)
        if _ranged(fig):
            assert fig is not None
            plan.append((f"boresight_deg:{s.name}", fig, s.emplacement.boresight_deg,
                         lambda v, k=k: run(_turned(parts, k, v))))
    for name, fig in figs.items():
        if _ranged(fig):
            plan.append((name, fig, None, lambda v, name=name: run(parts, **{name: v})))
    if only is not None:
        known = [n for n, _, _, _ in plan]
        for name in only:
            if name not in known:
                raise InputError(f"sweep: {name!r} is not an assumption with a stated range "
                                 f"here; allowed: {', '.join(known)}")
        plan = [step for step in plan if step[0] in only]
    base = run(parts)
    base_values = {"body_rcs_m2": base.body_rcs_m2, "warhead_rcs_m2": base.warhead_rcs_m2,
                   "post_boost_s": base.post_boost.value}
    rows: list[SweepRow] = []
    for name, fig, given, go in plan:
        at = base_values[name] if given is None else given
        for end, value in zip(ENDS, (fig.low, fig.high), strict=True):
            assert value is not None
            res = go(float(value))
            for b, p in zip(base.passes, res.passes, strict=True):
                rows.append(SweepRow(
                    assumption=name, end=end, value=float(value), baseline_value=float(at),
                    sensor=p.sensor, detected=p.body.detected,
                    baseline_detected=b.body.detected, track_s=p.body.track_s,
                    baseline_track_s=b.body.track_s, saw_deployment=p.saw_deployment,
                    baseline_saw_deployment=b.saw_deployment,
                    warhead_detected=p.warhead.detected, warhead_track_s=p.warhead.track_s,
                    baseline_warhead_track_s=b.warhead.track_s))
    return Sweep(baseline=base, assumptions=tuple((n, f) for n, f, _, _ in plan),
                 rows=tuple(rows))


def sweep_runs(sensors: Sequence[Sensor]) -> int:
    """How many flights :func:`surveillance_sweep` makes with ``sensors`` (the catalog's
    three study assumptions all have ranges)."""
    return 1 + 2 * (sum(_ranged(boresight_figure(s)) for s in sensors) + 3)


__all__ = ["ENDS", "Sweep", "SweepRow", "boresight_figure", "surveillance_sweep", "sweep_runs"]
