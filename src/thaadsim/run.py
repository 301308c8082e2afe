"""A run: one raid against one defense, with everything the report and the exports need.

:func:`run_engagement` calls :func:`thaadsim.engagement.simulate` (the radar and tracker in
every trial); :func:`run_on_runner` runs the same raid on the chunked Monte Carlo runner
(:mod:`thaadsim.studies.montecarlo`: a pool of tracking outcomes per distinct threat
resampled by the trials, chunks in-process, in local processes or on Dask, written to
Parquet and resumable) and puts the chunk tables back together. Both keep, beside the tidy
tables, each threat's flight as a ground track (latitude, longitude, altitude against time)
and its passage through the altitude band, so that reports, maps, CZML and KML draw from
one :class:`RunOutput` and nothing is computed twice; its summary says which sampling ran.
"""

from __future__ import annotations

import hashlib
import platform
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from thaadsim.engagement import (
    Defense,
    RaidThreat,
    Result,
    explain_reasons,
    sensor_summary,
    simulate,
    wilson_interval,
)
from thaadsim.jsonsafe import json_safe
from thaadsim.studies.ground_tracks import ThreatTrack, threat_tracks
from thaadsim.timing import stage

if TYPE_CHECKING:
    from thaadsim.studies.montecarlo import RunnerOptions

FloatArray = npt.NDArray[np.float64]

NUMERICAL_DEPENDENCIES = ("numpy", "scipy", "numba", "pandas", "pyarrow", "pymap3d", "pyproj",
                          "shapely")
"""The packages whose versions ``summary.json`` records (with Python's), so that a published
result can be reproduced."""


def dependency_versions() -> dict[str, str | None]:
    """Installed versions of :data:`NUMERICAL_DEPENDENCIES` (None: not installed) and of
    Python."""
    out: dict[str, str | None] = {}
    for name in NUMERICAL_DEPENDENCIES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = None
    out["python"] = platform.python_version()
    return out


def wilson95(p: float, n: int) -> list[float]:
    """95% Wilson score interval of a proportion ``p`` observed over ``n`` trials (Wilson,
    JASA 22 (1927) 209); [0, 1] when ``n`` is 0."""
    low, high = wilson_interval(p, n)
    return [float(low), float(high)]


@dataclass(frozen=True, kw_only=True)
class RunOutput:
    """Everything one run produced."""

    name: str
    description: str
    raid: tuple[RaidThreat, ...]
    groups: tuple[str, ...]
    """The scenario's threat-group name of each raid threat."""
    defense: Defense
    trials: int
    seed: int
    band_m: tuple[float, float]
    result: Result
    tracks: tuple[ThreatTrack, ...]
    scenario_text: str = ""
    added_sensors: tuple[str, ...] = ()
    """A canonical line per sensor added to the scenario's defense outside its text
    (``--sensor``, :meth:`thaadsim.scenario.Scenario.with_sensors`)."""
    """The scenario as written (YAML), for the report's appendix."""
    extra: dict[str, Any] = field(default_factory=dict)
    pool_size: int | None = None
    """Tracking outcomes per distinct threat resampled by the trials (None: the radar and
    tracker ran in every trial)."""
    chunk_trials: int | None = None
    """Trials per chunk of the runner (None: not run on it)."""
    runner: dict[str, Any] | None = None
    """The runner's options (:meth:`thaadsim.studies.montecarlo.RunnerOptions.describe`)."""

    def threats_frame(self) -> Any:
        """The per-trial, per-threat table as a pandas DataFrame."""
        import pandas as pd

        frame = pd.DataFrame(self.result.threats)
        frame["group"] = [self.groups[i] for i in self.result.threats["threat"]]
        return frame

    def shots_frame(self) -> Any:
        """One row per interceptor fired, as a pandas DataFrame."""
        import pandas as pd

        frame = pd.DataFrame(self.result.shots)
        frame["battery"] = np.array([self.defense.batteries[b].slug
                                     for b in self.result.shots["battery"]], dtype=str)
        return frame

    def summary(self) -> dict[str, Any]:
        """Headline figures (JSON-safe), with what a reader needs to reproduce them.

        Every probability carries a 95% Wilson interval (``*_ci95``): ``p_no_leak`` over the
        trials; ``intercepted_fraction`` over the trials x threats, which treats the threats
        of one trial as independent (they share a battery's inventory and radar, so the
        interval is, if anything, too narrow). ``reason_details``
        (:func:`thaadsim.engagement.explain_reasons`): each reason with its count, the
        medians of how long the tracks fired on had coasted, and the mean kill probability
        per shot, in one sentence (``text``). Provenance: ``thaadsim_version``,
        ``scenario_sha256`` (SHA-256 of the scenario's YAML and of a canonical line per
        sensor added by ``--sensor``, listed in ``added_sensors``; or of the raid's and
        defense's repr when the run has no scenario text), ``seed``, ``trials`` and ``dependencies``
        (:func:`dependency_versions`). ``sampling`` (:meth:`sampling`) says how tracking was
        sampled, ``runner`` where the chunks ran (None: not on the runner). ``sensors``
        (:func:`thaadsim.engagement.sensor_summary`): per sensor its site, mode and the
        medians over the trials and threats of its first detection and firm track (None:
        never), with the network's latency and the early warning's cue delay beside.
        """
        from thaadsim import __version__

        res = self.result
        outcome = res.threats["outcome"]
        reasons, counts = np.unique(res.threats["reason"], return_counts=True)
        intercepted = float((outcome == "intercepted").mean()) if outcome.size else float("nan")
        return {
            "scenario": self.name,
            "trials": self.trials,
            "seed": self.seed,
            "threats": res.n_threats,
            "batteries": list(res.batteries),
            "p_no_leak": res.p_no_leak,
            "p_no_leak_ci95": wilson95(res.p_no_leak, self.trials),
            "expected_leakers": res.expected_leakers,
            "interceptors_used": res.interceptors_used,
            "intercepted_fraction": intercepted,
            "intercepted_fraction_ci95": wilson95(intercepted, int(outcome.size)),
            "engageable_threats": int(res.per_trial("engageable").any(axis=0).sum()),
            "reasons": {str(r): int(c) for r, c in zip(reasons, counts, strict=True)},
            "reason_details": json_safe(explain_reasons(res, self.defense)),
            "sensors": sensor_summary(res, self.defense),
            "network_latency_s": self.defense.network_latency_s,
            "early_warning_cue_delay_s": (None if self.defense.early_warning is None
                                          else self.defense.early_warning.cue_delay_s),
            "sampling": self.sampling(),
            "runner": self.runner,
            "thaadsim_version": __version__,
            "scenario_sha256": self.scenario_sha256(),
            "added_sensors": list(self.added_sensors),
            "dependencies": dependency_versions(),
        }

    def sampling(self) -> dict[str, Any]:
        """How the trials sampled tracking (:func:`thaadsim.studies.montecarlo.sampling`):
        ``per-trial`` or ``pooled``, with the pool and chunk sizes."""
        from thaadsim.studies.montecarlo import sampling

        return sampling(self.pool_size, self.chunk_trials)

    def scenario_sha256(self) -> str:
        """SHA-256 of the scenario's text (YAML) followed by one line per sensor added
        outside it (``added_sensors``: two runs of one file with different ``--sensor``
        never share it; the plain file's hash is unchanged) or, for a run built without a
        text, of the repr of its raid, defense and altitude band."""
        text = (self.scenario_text + "".join(f"\n{line}" for line in self.added_sensors)
                if self.scenario_text else repr((self.raid, self.defense, self.band_m)))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def run_engagement(
    raid: Sequence[RaidThreat],
    defense: Defense,
    *,
    trials: int,
    seed: int,
    band_m: tuple[float, float] = (40e3, 150e3),
    groups: Sequence[str] | None = None,
    name: str = "",
    description: str = "",
    scenario_text: str = "",
    added_sensors: Sequence[str] = (),
) -> RunOutput:
    """Simulate (the radar and tracker in every trial) and package a run (module
    docstring). Takes exactly :meth:`thaadsim.scenario.Scenario.to_run_kwargs`."""
    result = simulate(raid, defense, trials=trials, seed=seed)
    return _package(raid, defense, result, trials=trials, seed=seed, band_m=band_m,
                    groups=groups, name=name, description=description,
                    scenario_text=scenario_text, added_sensors=tuple(added_sensors))


def run_on_runner(
    raid: Sequence[RaidThreat],
    defense: Defense,
    *,
    trials: int,
    seed: int,
    pool: int | None = None,
    runner: RunnerOptions | None = None,
    progress: bool = False,
    **scenario: Any,
) -> RunOutput:
    """:func:`run_engagement` on the chunked Monte Carlo runner: the two-level Monte Carlo
    of an :class:`~thaadsim.studies.montecarlo.EngagementTask` (a pool of ``pool``
    tracking outcomes per distinct threat, default 200, resampled by the trials), its
    chunks run and written where ``runner`` says (in this process and nowhere without),
    the chunk tables put back together as one :class:`~thaadsim.engagement.Result`.

    ``scenario`` is the rest of :meth:`thaadsim.scenario.Scenario.to_run_kwargs`
    (``band_m``, ``groups``, ``name``, ``description``, ``scenario_text``). ``progress``
    shows the runner's progress bar on standard error. The result depends on the seed, the
    trials, the pool and the chunk size (``summary()['sampling']``), not on the executor.
    """
    from thaadsim.studies.montecarlo import (
        DEFAULT_CHUNK_TRIALS,
        DEFAULT_POOL_SIZE,
        EngagementTask,
        RunnerOptions,
    )

    runner = runner or RunnerOptions()
    pool = DEFAULT_POOL_SIZE if pool is None else pool
    task = EngagementTask(raid=tuple(raid), defense=defense, pool_size=pool, shots=True)
    frame = runner.run(task, trials, seed, default_chunk=DEFAULT_CHUNK_TRIALS,
                       progress=progress)
    return _package(raid, defense, task.result(frame), trials=trials, seed=seed,
                    pool_size=pool, chunk_trials=runner.chunk_trials(DEFAULT_CHUNK_TRIALS),
                    runner=runner.describe(), **scenario)


def _package(raid: Sequence[RaidThreat], defense: Defense, result: Result, *, trials: int,
             seed: int, band_m: tuple[float, float] = (40e3, 150e3),
             groups: Sequence[str] | None = None, name: str = "", description: str = "",
             **fields: Any) -> RunOutput:
    """A result as a :class:`RunOutput`, with the threats' tracks."""
    groups = tuple(groups) if groups is not None else tuple(th.missile.slug for th in raid)
    with stage("flights"):
        tracks = threat_tracks(raid, groups, result, band_m)
    return RunOutput(name=name, description=description, raid=tuple(raid), groups=groups,
                     defense=defense, trials=trials, seed=seed, band_m=band_m, result=result,
                     tracks=tracks, **fields)
