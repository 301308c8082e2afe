r"""One raid against one defense, over many Monte Carlo trials: :func:`simulate`.

The chain (DESIGN: trajectories -> radar frames -> tracks -> fire-control plan -> shots ->
kill assessment):

1. every distinct threat is aimed and flown once (the flights are deterministic), shifted
   by its launch time;
2. each of the defense's sensors (:class:`~thaadsim.systems.sensors.Sensor`: a radar at an
   emplacement) searches, confirms and tracks every threat in every trial
   (:func:`thaadsim.systems.detection.simulate_detection`, all trials x threats at once,
   cued by the defense's early warning if it has one): first detection, firm-track time,
   predicted impact point, track accuracy after each look;
3. each battery uses, for each threat and trial, the *best track* it may use: among the
   sensors it may fire on (``Battery.sensors``), the one whose firm track reaches it
   earliest (at once from its own radar, ``Sensor.battery``, after the defense's
   ``network_latency_s`` from any other: :func:`best_tracks`); that track's time, predicted
   impact and handover errors are what its fire control is given;
4. a threat *endangers* the defense, in a battery's judgement, when the impact point
   predicted by its best track lies within a defended asset's radius (or the scenario
   engages everything); a threat *leaks* when its true impact hits an asset and it was not
   intercepted, so a glider whose ballistic prediction falls short is still counted;
5. each battery in turn, upper tier first, plans its shots (fire-control windows, doctrine,
   inventory, fire channels: :func:`thaadsim.systems.fire_control.assign`) and each shot
   kills with the kill vehicle's probability for the handover error at that time; a lower
   tier fires only at what the tiers above missed, after their kill assessment.

Randomness comes from one :class:`numpy.random.SeedSequence`: the same seed gives the same
result. Sensor 0 draws from ``SeedSequence(seed).spawn(2)[0]``, fire control from
``spawn(2)[1]`` and sensor ``k >= 1`` from ``spawn(k + 2)[k + 1]`` (:func:`sensor_seed`), so
a one-sensor defense gives what the one radar of earlier versions gave.

The result is tidy tables (columns of equal length): one row per trial and threat
(:attr:`Result.threats`) and one per interceptor fired (:attr:`Result.shots`).

The closed form beside it, :func:`binomial_p_no_leak`, is the standard binomial model of
defense effectiveness (Wilkening, "A simple model for calculating ballistic missile
defense effectiveness", *Science & Global Security* 8 (2000) 183-215): with a single-shot
kill probability :math:`p`, :math:`k` independent shots per threat and perfect tracking,
a raid of :math:`N` threats has no leaker with probability :math:`(1 - (1 - p)^k)^N`.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from thaadsim.errors import InputError
from thaadsim.limits import check, fmt_number
from thaadsim.physics.geodesy import ecef_to_geodetic, geodesic_inverse
from thaadsim.systems import fire_control as fc
from thaadsim.systems.catalog import Missile
from thaadsim.systems.detection import (
    Cue,
    Timeline,
    Truth,
    search,
    simulate_detection,
    track_look_count,
    truth_at,
)
from thaadsim.systems.interceptor import reach_table
from thaadsim.systems.radar import (
    ABOVE_FACE,
    BELOW_HORIZON,
    BEYOND_RANGE,
    OUTSIDE_SECTOR,
    STATUS_TEXT,
    VISIBLE,
    Emplacement,
    look,
)
from thaadsim.systems.sensors import (
    EarlyWarning,
    Sensor,
    default_early_warning,
    default_network_latency_s,
)
from thaadsim.systems.threat import fly_threat
from thaadsim.timing import progress, stage

FloatArray = npt.NDArray[np.float64]

GRID_STEP_S = 1.0
"""Spacing of the candidate intercept times along a threat's flight."""


@dataclass(frozen=True, kw_only=True)
class RaidThreat:
    """One missile of a raid."""

    missile: Missile
    """The missile itself (:func:`thaadsim.systems.catalog.get_missile`, or a changed copy);
    the tables name it by its ``slug``."""
    launch_lat_deg: float
    launch_lon_deg: float
    aim_lat_deg: float
    aim_lon_deg: float
    shape: str = "min-energy"
    apogee_km: float | None = None
    launch_t_s: float = 0.0
    rcs_m2: float = 0.1
    decoys: Decoys | None = None
    """Decoys and debris released with its warhead (None: none)."""


@dataclass(frozen=True, kw_only=True)
class Decoys:
    r"""Simple countermeasures released with one warhead after burnout: ``count`` objects
    (decoys, tank debris) that fly alongside it through midcourse into re-entry.

    Model (stated assumptions): a decoy shares its warhead's trajectory and track (the
    radar does not resolve its flight separately; the track's accuracy and the
    intercept geometry are the warhead's); before the battery's first launch at it, the
    radar tells each decoy from the warhead independently with probability
    ``discrimination`` (by its cross-section, ``rcs_m2`` against the warhead's, and by
    its deceleration once it re-enters: a light decoy slows where the warhead does not).
    A decoy told apart is not engaged; one that is not is engaged by fire control as a
    warhead would be, before its warhead (fire control cannot tell which object is which;
    the conservative order), spending interceptors, fire channels and time (its shots are in
    the shots table with ``decoy`` true and count as interceptors used); a decoy never
    leaks. Ranges (assumptions): ``rcs_m2`` 0.01-1 m^2 (a balloon or a tank fragment
    against a 0.01-0.1 m^2 warhead); ``discrimination`` 0 (replicas in the exo-atmosphere,
    where RCS and motion match) to 1 (light decoys stripped by drag above the band)."""

    count: int
    rcs_m2: float = 0.1
    discrimination: float = 0.0

    def __post_init__(self) -> None:
        check("decoys", self.count, "decoys.count")
        check("rcs_m2", self.rcs_m2, "decoys.rcs_m2")
        check("probability", self.discrimination, "decoys.discrimination")


@dataclass(frozen=True, kw_only=True)
class DefendedAsset:
    name: str
    lat_deg: float
    lon_deg: float
    radius_m: float = 10e3
    """A threat whose predicted impact falls within this distance endangers the asset."""


@dataclass(frozen=True, kw_only=True)
class Defense:
    """Batteries (upper tier first), the sensors that track for them, the assets."""

    batteries: tuple[fc.Battery, ...]
    sensors: tuple[Sensor, ...]
    """Each a radar at an emplacement, named uniquely; a battery fires on the best track
    of those it may use (module docstring)."""
    assets: tuple[DefendedAsset, ...]
    doctrine: str = "shoot-look-shoot"
    engage_all: bool = False
    """Engage every threat, endangering or not."""
    sspk: float | None = None
    """Override the interceptors' single-shot kill probability."""
    perfect_tracking: bool = False
    """Every threat is known (firm track) from its launch with no error: the binomial
    model's assumption, for checks."""
    early_warning: EarlyWarning | None = field(default_factory=default_early_warning)
    """The space-based cue every sensor gets (None: each radar on its own search)."""
    network_latency_s: float = field(default_factory=default_network_latency_s)
    """From a sensor's firm track to its use by a battery other than the sensor's own
    (C2BMC; ``network.yaml``: an assumption with its range)."""
    coasting: str = fc.DEFAULT_COASTING
    """What fire control does with a coasting track
    (:data:`~thaadsim.systems.fire_control.COASTING_POLICIES`: ``handover``, ``fire`` or
    ``wait``)."""

    def sensor(self, name: str) -> Sensor:
        """The sensor of that name."""
        for s in self.sensors:
            if s.name == name:
                return s
        raise InputError(f"sensor: no sensor named {name!r} in the defense; allowed: "
                         f"{', '.join(s.name for s in self.sensors) or '(none)'}")


@dataclass(frozen=True, kw_only=True)
class Result:
    """Tidy tables of one simulation."""

    threats: dict[str, npt.NDArray[Any]]
    """One row per trial and threat."""
    shots: dict[str, npt.NDArray[Any]]
    """One row per interceptor fired (``decoy``: at a decoy of that threat, :class:`Decoys`)."""
    trials: int
    n_threats: int
    batteries: tuple[str, ...]
    extra: Mapping[str, Any] = field(default_factory=dict)
    sensors: tuple[str, ...] = ()
    """The defense's sensors by name: :attr:`threats` has ``<name>.first_detection_s`` and
    ``<name>.firm_track_s`` for each (NaN: never), beside the earliest over all of them
    (``first_detection_s``, ``firm_track_s``)."""

    def per_trial(self, column: str) -> npt.NDArray[Any]:
        return self.threats[column].reshape(self.trials, self.n_threats)

    @property
    def leaked(self) -> npt.NDArray[np.bool_]:
        """(trials, threats): a threat whose true impact hits a defended asset and that was
        not intercepted (whatever fire control believed of its aim)."""
        return leaked(self.per_trial("hits_asset"), self.per_trial("outcome_code"))

    @property
    def p_no_leak(self) -> float:
        return p_no_leak(self.leaked)

    @property
    def expected_leakers(self) -> float:
        return expected_leakers(self.leaked)

    @property
    def interceptors_used(self) -> float:
        """Interceptors fired per trial (the length of the shots table's columns)."""
        fired = next(iter(self.shots.values()), np.zeros(0))
        return float(fired.size / self.trials)


def leaked(hits_asset: npt.NDArray[np.bool_], outcome_code: npt.NDArray[np.integer[Any]]
           ) -> npt.NDArray[np.bool_]:
    """A leak: a threat whose true impact hits a defended asset and that was not intercepted
    (whatever fire control believed of its aim); elementwise."""
    return np.asarray(hits_asset & (outcome_code != fc.INTERCEPTED), dtype=bool)


def p_no_leak(leaked: npt.NDArray[np.bool_]) -> float:
    """Share of trials (rows of ``leaked``, trials x threats) in which no threat leaked."""
    return float((~leaked.any(axis=1)).mean())


def expected_leakers(leaked: npt.NDArray[np.bool_]) -> float:
    """Mean number of leakers per trial."""
    return float(leaked.sum(axis=1).mean())


def binomial_p_no_leak(p_kill: float, shots_per_threat: int, threats: int) -> float:
    """:math:`(1 - (1 - p)^k)^N` (Wilkening 2000; module docstring)."""
    if not 0.0 <= p_kill <= 1.0:
        raise InputError(f"p_kill: {p_kill!r} is outside [0, 1]")
    return float((1.0 - (1.0 - p_kill) ** shots_per_threat) ** threats)


def wilson_interval(p: npt.ArrayLike, n: int, z: float = 1.96) -> tuple[FloatArray, FloatArray]:
    r"""Wilson score interval of binomial proportions ``p`` observed over ``n`` trials
    (Wilson, *JASA* 22 (1927) 209):

    .. math:: \frac{\hat p + z^2/2n \pm z\sqrt{\hat p(1-\hat p)/n + z^2/4n^2}}{1 + z^2/n}

    ``z = 1.96`` gives 95%, ``z = 3`` 99.7%. Unlike the normal interval it stays inside
    [0, 1] and is not empty at :math:`\hat p` = 0 or 1."""
    p = np.asarray(p, dtype=np.float64)
    if n <= 0:
        return np.zeros_like(p), np.ones_like(p)
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return np.maximum(0.0, centre - half), np.minimum(1.0, centre + half)


def _fly(raid: Sequence[RaidThreat]) -> Truth:
    """Each distinct threat flown once (recorded, :func:`_recorded_flight`), shifted by its
    launch time."""
    rows = []
    for th in raid:
        key = (th.missile, th.launch_lat_deg, th.launch_lon_deg, th.aim_lat_deg,
               th.aim_lon_deg, th.shape, th.apogee_km)
        rows.append((_recorded_flight(key), th.launch_t_s))
    width = max(f["t_s"].size for f, _ in rows)
    n = len(rows)
    t = np.full((n, width), np.nan)
    y = np.full((n, width, 6), np.nan)
    for i, (f, t0) in enumerate(rows):
        w = f["t_s"].size
        t[i, :w] = f["t_s"] + t0
        y[i, :w] = f["state"]
    return Truth(t_s=t, state=y,
                 burnout_t_s=np.array([f["burnout_t_s"] + t0 for f, t0 in rows]),
                 impact_t_s=np.array([f["impact_t_s"] + t0 for f, t0 in rows]),
                 impact_ecef_m=np.array([f["impact_ecef_m"] for f, _ in rows]),
                 beta_kgm2=np.array([f["beta_kgm2"] for f, _ in rows], dtype=np.float64))


@functools.lru_cache(maxsize=256)
def _recorded_flight(key: tuple[Any, ...]) -> dict[str, Any]:
    """One threat (missile, launch and aim points, shape, apogee) aimed and flown, recorded
    (:func:`thaadsim.systems.threat.fly_threat`): its times from launch, states, burnout and
    impact times, impact point and reentry ballistic coefficient.

    A flight depends only on the code and the missile, so it is kept once per version
    (:func:`thaadsim.cache.cached`, keyed by the version and the threat, the missile by its
    content: the repr of the frozen dataclass, so that a changed missile,
    ``dataclasses.replace(m, rocket=...)``, is flown anew) and in this process (by the
    missile's value: equal missiles share a flight): a second run of the same raid, or the
    claims and report of this one, fly nothing again. JSON keeps every float exactly
    (shortest repr), so a kept flight is the flight."""
    from thaadsim.cache import cached_for

    def compute() -> dict[str, Any]:
        m = key[0]
        f = fly_threat(m, *key[1:], record=True).flight
        ok = np.isfinite(f.track_t_s[0])
        return {"t_s": f.track_t_s[0][ok].tolist(), "state": f.track_state[0][ok].tolist(),
                "burnout_t_s": float(f.burnout_t_s[0]), "impact_t_s": float(f.impact_t_s[0]),
                "impact_ecef_m": [float(v) for v in f.impact_state[0, :3]],
                "beta_kgm2": float(m.rocket.reentry_beta_kgm2)}

    value = cached_for("flight", key, compute).value
    return {"t_s": np.array(value["t_s"], dtype=np.float64),
            "state": np.array(value["state"], dtype=np.float64).reshape(-1, 6),
            "burnout_t_s": float(value["burnout_t_s"]),
            "impact_t_s": float(value["impact_t_s"]),
            "impact_ecef_m": np.array(value["impact_ecef_m"], dtype=np.float64),
            "beta_kgm2": float(value["beta_kgm2"])}


def flight_grid(raid: Sequence[RaidThreat]) -> tuple[FloatArray, FloatArray]:
    """The raid's candidate intercept times (n, K), every ``GRID_STEP_S`` of each flight
    (NaN after its impact), and its states there (n, K, 6): a result's ``extra['t_grid']``
    and ``extra['y_grid']``, without the radar or fire control."""
    if not raid:
        raise InputError("raid: no threats")
    return _grid(_fly(raid))


def _grid(truth: Truth) -> tuple[FloatArray, FloatArray]:
    """Candidate intercept times (n, K) every GRID_STEP_S of each flight, and the states."""
    start = np.nanmin(truth.t_s, axis=1)
    span = truth.impact_t_s - start
    k = int(np.ceil(np.max(span) / GRID_STEP_S)) + 1
    t = start[:, None] + GRID_STEP_S * np.arange(k)
    t = np.where(t <= truth.impact_t_s[:, None], t, np.nan)
    y = truth_at(truth, np.nan_to_num(t, nan=-1.0))
    return np.where(np.isfinite(y[..., 0]), t, np.nan), y


def sensor_seed(seed: int | np.random.SeedSequence, k: int) -> np.random.SeedSequence:
    """Sensor ``k``'s random stream: what ``SeedSequence(seed).spawn(2)[0]`` gives for
    sensor 0 (the one radar's stream of earlier versions) and ``spawn(k + 2)[k + 1]`` for
    ``k >= 1`` (``spawn(2)[1]`` is fire control's). A given :class:`SeedSequence` is not
    changed: its children are made from its entropy and spawn key as its own ``spawn``
    would make them next."""
    root = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    child = root.n_children_spawned + (0 if k == 0 else k + 1)
    return np.random.SeedSequence(root.entropy, spawn_key=(*root.spawn_key, child),
                                  pool_size=root.pool_size)


def track_delays_s(defense: Defense) -> FloatArray:
    """(batteries, sensors): how long after a sensor's firm track the track reaches each
    battery: 0 from the battery's own radar (``Sensor.battery``), the defense's
    ``network_latency_s`` from any other, inf from a sensor the battery may not use
    (``Battery.sensors``). With perfect tracking, one column of zeros (the one perfect
    track)."""
    if defense.perfect_tracking:
        return np.zeros((len(defense.batteries), 1))
    out = np.full((len(defense.batteries), len(defense.sensors)), np.inf)
    for b, battery in enumerate(defense.batteries):
        for k, sensor in enumerate(defense.sensors):
            if battery.sensors is None or sensor.name in battery.sensors:
                out[b, k] = sensor.latency_s(battery.slug, defense.network_latency_s)
    return out


def best_tracks(firm_s: FloatArray, delay_s: FloatArray
                ) -> tuple[npt.NDArray[np.intp], FloatArray]:
    """The best track a battery may use (module docstring): for each sensor's firm-track
    times ``firm_s`` (sensors, ...) (NaN: never firm) and the delays ``delay_s`` (sensors,)
    with which each sensor's track reaches the battery (inf: not at all,
    :func:`track_delays_s`), the sensor whose track reaches it first (the lowest index on a
    tie) and when (NaN: no track reaches it)."""
    firm = np.asarray(firm_s, dtype=np.float64)
    delay = np.asarray(delay_s, dtype=np.float64).reshape((-1,) + (1,) * (firm.ndim - 1))
    at = np.where(np.isfinite(firm) & np.isfinite(delay), firm + delay, np.inf)
    best = np.argmin(at, axis=0)
    first = np.take_along_axis(at, best[None], axis=0)[0]
    return best, np.where(np.isfinite(first), first, np.nan)


def _earliest(values: FloatArray) -> FloatArray:
    """The least of ``values`` (sensors, ...) over the sensors, NaN where all are NaN."""
    low = np.where(np.isfinite(values), values, np.inf).min(axis=0)
    return np.where(np.isfinite(low), low, np.nan)


def _picked(values: FloatArray, best: npt.NDArray[np.intp]) -> FloatArray:
    """``values`` (sensors, ...) of the sensor ``best`` (...) at each place."""
    return np.take_along_axis(values, best[None], axis=0)[0]


def _cue(defense: Defense) -> Cue:
    return defense.early_warning


def _padded(a: FloatArray, width: int) -> FloatArray:
    """(rows, w) padded with NaN columns to (rows, width)."""
    return a if a.shape[1] == width else np.pad(a, ((0, 0), (0, width - a.shape[1])),
                                                constant_values=np.nan)


def _handover_sigma(timelines: Sequence[Timeline], best: npt.NDArray[np.intp], trials: int,
                    n: int, homing_s: float, perfect: bool,
                    delay_s: FloatArray | None = None, *, firm_s: FloatArray | None = None,
                    freshest: bool = False) -> _Handover:
    r"""The per-axis error of the predicted intercept point at handover,
    :math:`\sigma = \sqrt{(\sigma_r^2 + (\sigma_v t_{go})^2)/3}` from the position and
    velocity uncertainty (RSS over three axes) of the best track (sensor ``best``, (trials,
    n)) at its last look that has reached the battery by handover: made at or before the
    handover time less that sensor's delay ``delay_s[k]`` (:func:`track_delays_s`; the
    network latency for a remote sensor, 0 for the battery's own; None: 0 for all). Each
    timeline's rows in (trial, threat) order.

    ``freshest`` (the ``handover`` and ``wait`` coasting policies,
    :data:`~thaadsim.systems.fire_control.COASTING_POLICIES`): instead of sensor ``best``,
    the sensor of least error at handover among those with a finite delay whose firm track
    (``firm_s``, (sensors, trials, n)) has reached the battery by then."""
    return _Handover(timelines, best, trials, n, homing_s, perfect, delay_s, firm_s, freshest)


class _Handover:
    """:func:`_handover_sigma`: called with (trial indices, threat, intercept times) it gives
    the handover error; :meth:`sensor` gives the sensor whose track was handed over."""

    def __init__(self, timelines: Sequence[Timeline], best: npt.NDArray[np.intp], trials: int,
                 n: int, homing_s: float, perfect: bool, delay_s: FloatArray | None,
                 firm_s: FloatArray | None, freshest: bool) -> None:
        self.delays = (np.zeros(len(timelines)) if delay_s is None
                       else np.asarray(delay_s, dtype=np.float64))
        width = max(tl.look_t_s.shape[1] for tl in timelines)

        def stacked(name: str) -> FloatArray:
            return np.stack([_padded(getattr(tl, name), width).reshape(trials, n, width)
                             for tl in timelines])

        self.look_t = stacked("look_t_s")
        self.pos = stacked("position_sigma_m")
        self.vel = stacked("velocity_sigma_mps")
        self.best, self.homing_s, self.perfect = best, homing_s, perfect
        self.firm_s, self.freshest = firm_s, freshest and firm_s is not None

    def _one(self, k: npt.NDArray[np.intp], trial: npt.NDArray[np.intp], threat: int,
             t_int: FloatArray) -> FloatArray:
        q = t_int - self.homing_s - self.delays[k]
        lt = self.look_t[k, trial, threat]
        ok = np.isfinite(self.pos[k, trial, threat]) & (lt <= q[:, None])
        j = np.where(ok.any(1), lt.shape[1] - 1 - np.argmax(ok[:, ::-1], 1), 0)
        p = self.pos[k, trial, threat, j]
        v = self.vel[k, trial, threat, j]
        out = np.sqrt((p**2 + (v * self.homing_s) ** 2) / 3.0)
        if self.freshest and self.firm_s is not None:  # a track not yet firm there: none
            ok &= (self.firm_s[k, trial, threat] + self.delays[k] <= q)[:, None]
        return np.where(ok.any(1), out, np.inf)

    def _choose(self, trial: npt.NDArray[np.intp], threat: int, t_int: FloatArray
                ) -> tuple[FloatArray, npt.NDArray[np.intp]]:
        t_int = np.asarray(t_int, dtype=np.float64)
        if self.perfect:
            return np.zeros(trial.size), np.zeros(trial.size, dtype=np.intp)
        first = self.best[trial, threat]
        if not self.freshest:
            return self._one(first, trial, threat, t_int), first
        usable = np.flatnonzero(np.isfinite(self.delays))
        sig = np.stack([self._one(np.full(trial.size, k, dtype=np.intp), trial, threat, t_int)
                        for k in usable])
        pick = np.argmin(sig, axis=0)
        low = sig[pick, np.arange(trial.size)]
        return low, np.where(np.isfinite(low), usable[pick], first)

    def __call__(self, trial: npt.NDArray[np.intp], threat: int, t_int: FloatArray
                 ) -> FloatArray:
        return self._choose(trial, threat, t_int)[0]

    def sensor(self, trial: npt.NDArray[np.intp], threat: int, t_int: FloatArray
               ) -> npt.NDArray[np.intp]:
        """The sensor whose track is handed over for those intercepts."""
        return self._choose(trial, threat, t_int)[1]


DECOY_STREAM = 0xDEC0
"""The discrimination draws of a run come from ``SeedSequence([seed, DECOY_STREAM])``: a
stream of their own, so that decoys leave the radar's and fire control's draws alone."""


def decoy_columns(raid: Sequence[RaidThreat]) -> tuple[npt.NDArray[np.intp], FloatArray]:
    """The decoys fire control may see: for each, its warhead's index in ``raid`` and its
    discrimination probability (:class:`Decoys`). Decoys that are always told apart
    (discrimination 1) never reach fire control, so a run with them is the run without."""
    parents: list[int] = []
    probs: list[float] = []
    for i, th in enumerate(raid):
        d = th.decoys
        if d is not None and d.count and d.discrimination < 1.0:
            parents += [i] * d.count
            probs += [d.discrimination] * d.count
    return np.array(parents, dtype=np.intp), np.array(probs, dtype=np.float64)


def decoys_told_apart(probs: FloatArray, trials: int, seed: int) -> npt.NDArray[np.bool_]:
    """(trials, decoys): whether the radar tells each decoy from its warhead in each trial
    (independently, with its probability; :data:`DECOY_STREAM`)."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, DECOY_STREAM]))
    return np.asarray(rng.random((trials, probs.size)) < probs[None, :], dtype=bool)


class _Columns:
    """A handover (:func:`_handover_sigma`) over fire control's columns: the threats, then
    their decoys, each decoy with its warhead's track (``idx``: each column's threat)."""

    def __init__(self, inner: Any, idx: npt.NDArray[np.intp]) -> None:
        self.inner, self.idx = inner, idx

    def __call__(self, trial: npt.NDArray[np.intp], threat: int, t_int: FloatArray
                 ) -> FloatArray:
        return np.asarray(self.inner(trial, int(self.idx[threat]), t_int), dtype=np.float64)

    def sensor(self, trial: npt.NDArray[np.intp], threat: int, t_int: FloatArray
               ) -> npt.NDArray[np.intp]:
        return np.asarray(self.inner.sensor(trial, int(self.idx[threat]), t_int),
                          dtype=np.intp)


def _geo_rows(geo: fc.Geometry, idx: npt.NDArray[np.intp]) -> fc.Geometry:
    """A battery's geometry over fire control's columns (each decoy its warhead's)."""
    return dataclasses.replace(geo, **{f.name: getattr(geo, f.name)[idx]
                                       for f in dataclasses.fields(geo)})


def _split_decoys(plan: fc.Plan, n: int, idx: npt.NDArray[np.intp]
                  ) -> tuple[fc.Plan, fc.Shots, npt.NDArray[np.bool_], FloatArray]:
    """Fire control's plan over the threats and their decoys, split: the plan of the
    ``n`` threats, every shot (a decoy's under its warhead's index), whether each was at
    a decoy, and the shots at each threat's decoys per trial (trials, n). Where a threat
    was not engaged for want of interceptors or channels in a trial in which decoys took
    some, its reason says so."""
    shots = fc.shots_table(plan)
    at_decoy = shots.threat >= n
    shots = dataclasses.replace(shots, threat=idx[shots.threat])
    trials = plan.outcome.shape[0]
    decoy_shots = np.zeros((trials, n))
    np.add.at(decoy_shots, (shots.trial[at_decoy], shots.threat[at_decoy]), 1.0)
    kept = fc.Plan(outcome=plan.outcome[:, :n], reason=plan.reason[:, :n],
                   killed_at_s=plan.killed_at_s[:, :n], by_battery=plan.by_battery[:, :n],
                   by_shot=plan.by_shot[:, :n], busy_until_s=plan.busy_until_s[:, :n],
                   shots=plan.shots)
    spent = decoy_shots.sum(axis=1, keepdims=True) > 0
    kept.reason = np.where(spent & (kept.reason == fc.R_INVENTORY), fc.R_INVENTORY_DECOYS,
                           np.where(spent & (kept.reason == fc.R_CHANNELS),
                                    fc.R_CHANNELS_DECOYS, kept.reason))
    return kept, shots, at_decoy, decoy_shots


def _real_shots(shots: fc.Shots, at_decoy: npt.NDArray[np.bool_]) -> fc.Shots:
    return dataclasses.replace(shots, **{f.name: getattr(shots, f.name)[~at_decoy]
                                         for f in dataclasses.fields(shots)})


COAST_MIN_S = 5.0
"""A track *coasts* at a handover when its sensor last saw the threat more than this
before it: a few track intervals (1-2 s, ``radars.yaml``), so that a look or two missed on
a visible threat (probability 1 - Pd) is not called coasting."""


def status_grid(sensors: Sequence[Sensor], t_grid: FloatArray, y_grid: FloatArray
                ) -> npt.NDArray[np.int8]:
    """(sensors, n, K): each sensor's face status
    (:func:`~thaadsim.systems.radar.face_status`: visible, below the horizon, outside the
    sector, above the face) of each threat at each grid time: the geometry of every look
    a track could have had there (NaN grid points: below the horizon)."""
    ok = np.isfinite(t_grid) & np.isfinite(y_grid[..., 0])
    out = np.full((len(sensors), *t_grid.shape), BELOW_HORIZON, dtype=np.int8)
    for k, sensor in enumerate(sensors):
        view = look(sensor.radar, sensor.emplacement, y_grid[ok][:, :3], y_grid[ok][:, 3:],
                    1.0, "track")
        out[k][ok] = view.status
    return out


def _grid_index(t_grid: FloatArray, threat: npt.NDArray[np.intp], t_s: FloatArray
                ) -> npt.NDArray[np.intp]:
    """The grid column of times ``t_s`` of threats ``threat`` (the one at or before, clipped
    to the grid; -1 before its start)."""
    start = t_grid[threat, 0]
    j = np.floor((np.asarray(t_s, dtype=np.float64) - start) / GRID_STEP_S + 1e-9)
    j = np.where(np.isfinite(j), j, -1)
    return np.minimum(j, t_grid.shape[1] - 1).astype(np.intp)


def coast_at(status: npt.NDArray[np.int8], t_grid: FloatArray, sensor: npt.NDArray[np.intp],
             threat: npt.NDArray[np.intp], t_s: FloatArray
             ) -> tuple[FloatArray, npt.NDArray[np.int8]]:
    """How long each track (sensor ``sensor`` on threat ``threat``) had been coasting at
    times ``t_s`` (since the sensor last saw the threat on the grid of :func:`status_grid`;
    0 where it sees it then, NaN where it never had) and why it is not seen then: the
    sensor's status at ``t_s`` (``VISIBLE`` where it sees it). A lofted shot at the radar
    may first leave the instrumented range near its apogee, then come down above the
    face: what keeps the track from being re-acquired at the handover is the latter."""
    m = np.asarray(threat).size
    if m == 0:
        return np.zeros(0), np.zeros(0, dtype=np.int8)
    j = _grid_index(t_grid, threat, t_s)
    jj = np.maximum(j, 0)
    row_status = status[sensor, threat]  # (m, K)
    vis = row_status == VISIBLE
    seen = vis & (np.arange(vis.shape[1])[None, :] <= j[:, None])
    any_seen = seen.any(1)
    last = vis.shape[1] - 1 - np.argmax(seen[:, ::-1], 1)
    rows = np.arange(m)
    now = vis[rows, jj] & (j >= 0)
    coast = np.where(now, 0.0, np.where(any_seen, t_s - t_grid[threat, last], np.nan))
    lost = np.where(now, VISIBLE, row_status[rows, jj]).astype(np.int8)
    return coast, lost


_MISSED_BY_STATUS = {ABOVE_FACE: fc.R_MISSED_ABOVE_FACE, OUTSIDE_SECTOR: fc.R_MISSED_OUTSIDE_SECTOR,
                     BELOW_HORIZON: fc.R_MISSED_BELOW_HORIZON,
                     BEYOND_RANGE: fc.R_MISSED_BEYOND_RANGE}


def coasting_columns(shots: fc.Shots, trials: int, n: int, choosers: Sequence[Any],
                     homing_s: Sequence[float], delays: FloatArray,
                     status: npt.NDArray[np.int8] | None, t_grid: FloatArray
                     ) -> dict[str, Any]:
    """Per trial and threat (trials, n), of the last interceptor fired at it: how long the
    track it was fired on had coasted at its handover (``coast_s``: the intercept less
    the homing time and that track's latency; 0: a live track; NaN: no shot), how long
    before the intercept that track had lost the threat (``lost_before_intercept_s``), why
    it did not see it at the handover (``lost_status``,
    :data:`~thaadsim.systems.radar.STATUS_TEXT` codes) and
    the mean kill probability of the shots at it (``shot_pk``); a live track's
    ``lost_before_intercept_s`` is NaN. ``choosers``: each
    battery's handover (:func:`_handover_sigma`, its ``sensor``); ``status``:
    :func:`status_grid` (None: perfect tracking, nothing coasts)."""
    coast = np.full((trials, n), np.nan)
    before = np.full((trials, n), np.nan)
    lost = np.full((trials, n), VISIBLE, dtype=np.int8)
    pk = np.full((trials, n), np.nan)
    if shots.trial.size:
        row = shots.trial * n + shots.threat
        count = np.bincount(row, minlength=trials * n)
        total = np.bincount(row, weights=shots.p_kill, minlength=trials * n)
        pk.ravel()[count > 0] = total[count > 0] / count[count > 0]
        order = np.lexsort((shots.intercept_s, row))
        last = order[np.r_[row[order][1:] != row[order][:-1], True]]
        for b in np.unique(shots.battery[last]):
            sel = last[shots.battery[last] == b]
            trial, threat, t_int = shots.trial[sel], shots.threat[sel], shots.intercept_s[sel]
            if status is None:
                c, why = np.zeros(sel.size), np.full(sel.size, VISIBLE, dtype=np.int8)
            else:
                sensor = np.zeros(sel.size, dtype=np.intp)
                for i in np.unique(threat):
                    at = threat == i
                    sensor[at] = choosers[b].sensor(trial[at], int(i), t_int[at])
                q = t_int - homing_s[b] - delays[b][sensor]
                c, why = coast_at(status, t_grid, sensor, threat, q)
                before[trial, threat] = np.where(c > 0, c + (t_int - q), np.nan)
            coast[trial, threat] = c
            lost[trial, threat] = why
    return {"coast_s": coast, "lost_before_intercept_s": before, "lost_status": lost,
            "shot_pk": pk}


def _told_columns(told: npt.NDArray[np.bool_], n: int) -> npt.NDArray[np.bool_]:
    """(trials, n + decoys): False for the threats, whether told apart for the decoys."""
    return np.concatenate([np.zeros((told.shape[0], n), dtype=bool), told], axis=1)


def _live(defense: Defense, status: npt.NDArray[np.int8] | None, t_grid: FloatArray,
          interceptor: Any, delays: FloatArray) -> npt.NDArray[np.bool_] | None:
    """:func:`live_track` for the ``wait`` policy (None for the others, or with perfect
    tracking)."""
    if defense.coasting != "wait" or status is None:
        return None
    return live_track(status, t_grid, interceptor.homing_time_s, delays)


def refine_reasons(plan: fc.Plan, coasting: Mapping[str, Any]) -> None:
    """Name the cause where every shot missed a threat while the track they were fired on
    coasted (more than :data:`COAST_MIN_S`): the plan's ``R_ALL_SHOTS_MISSED`` becomes
    the ``MISSED_COASTING`` reason of why the sensor did not see the threat at the
    handover (in place)."""
    missed = (plan.reason == fc.R_ALL_SHOTS_MISSED) & (coasting["coast_s"] > COAST_MIN_S)
    for status, code in _MISSED_BY_STATUS.items():
        plan.reason[missed & (coasting["lost_status"] == status)] = code


def live_track(status: npt.NDArray[np.int8], t_grid: FloatArray, homing_s: float,
               delays: FloatArray) -> npt.NDArray[np.bool_]:
    """(n, K): whether a sensor the battery may use (finite ``delays``, (sensors,)) sees
    each threat at the handover of an intercept at each grid time (the intercept less the
    homing time and that sensor's latency): where the ``wait`` coasting policy may fire."""
    n, k_max = t_grid.shape
    out = np.zeros((n, k_max), dtype=bool)
    threat = np.repeat(np.arange(n), k_max)
    for k in np.flatnonzero(np.isfinite(delays)):
        q = t_grid.ravel() - homing_s - delays[k]
        j = _grid_index(t_grid, threat, q)
        seen = (j >= 0) & (status[k, threat, np.maximum(j, 0)] == VISIBLE)
        out |= seen.reshape(n, k_max) & np.isfinite(t_grid)
    return out


def reason_sentence(code: int, coast_s: float, lost_before_intercept_s: float,
                    shot_pk: float, max_elevation_deg: float | None = None) -> str:
    """A reason with its numbers: for a threat every shot missed on a coasting track, e.g.
    "every shot missed: track lost 212 s before the intercept, coasted 205 s to the
    handover, the threat then above the face (elevation > 70 deg); Pk per shot 0.05"; the
    reason's text otherwise."""
    text = fc.REASONS.get(code, "")
    status = {v: k for k, v in _MISSED_BY_STATUS.items()}.get(code)
    if status is None:
        if code == fc.R_ALL_SHOTS_MISSED and np.isfinite(shot_pk):
            return f"{text}; Pk per shot {shot_pk:.2f}"
        return text
    where = STATUS_TEXT[status].replace("the elevation limit", "the face")
    if status == ABOVE_FACE and max_elevation_deg is not None:
        where += f" (elevation > {max_elevation_deg:g} deg)"
    return (f"every shot missed: track lost {lost_before_intercept_s:.0f} s before the "
            f"intercept, coasted {coast_s:.0f} s to the handover, the threat then {where}; "
            f"Pk per shot {shot_pk:.2f}")


def explain_reasons(result: Result, defense: Defense) -> list[dict[str, Any]]:
    """Each reason of ``result`` with how many threat-trials it ended, the medians of
    ``coast_s`` and ``lost_before_intercept_s`` and the mean ``shot_pk`` over them, and
    :func:`reason_sentence` of those figures (``text``)."""
    t = result.threats
    limits = {s.radar.max_elevation_deg for s in defense.sensors}
    max_el = limits.pop() if len(limits) == 1 else None
    codes = {v: k for k, v in fc.REASONS.items()}
    out = []
    for reason in np.unique(t["reason"]):
        m = t["reason"] == reason

        def mid(name: str, how: Any = np.median, m: Any = m) -> float:
            x = np.asarray(t.get(name, np.full(m.size, np.nan)), dtype=np.float64)[m]
            x = x[np.isfinite(x)]
            return float(how(x)) if x.size else float("nan")

        coast, before, pk = (mid("coast_s"), mid("lost_before_intercept_s"),
                             mid("shot_pk", np.mean))
        code = codes.get(str(reason), -1)
        out.append({"reason": str(reason), "count": int(m.sum()), "coast_s": coast,
                    "lost_before_intercept_s": before, "shot_pk": pk,
                    "text": reason_sentence(code, coast, before, pk, max_el)})
    return out


def check_raid_and_defense(raid: Any, defense: Any) -> None:
    """That ``raid`` is a sequence of :class:`RaidThreat` and ``defense`` a
    :class:`Defense`: anything else is one :class:`InputError` (a ``None`` defense or raid
    threat given to the API failed deep inside with an ``AttributeError``)."""
    if not isinstance(defense, Defense):
        raise InputError(f"defense: a {type(defense).__name__} is not a Defense")
    if isinstance(raid, RaidThreat):
        raid = [raid]
    if not isinstance(raid, Sequence) or isinstance(raid, str):
        raise InputError(f"raid: a {type(raid).__name__} is not a list of RaidThreat")
    for i, th in enumerate(raid):
        if not isinstance(th, RaidThreat):
            raise InputError(f"raid[{i}]: a {type(th).__name__} is not a RaidThreat")
        if not isinstance(th.missile, Missile):
            raise InputError(f"raid[{i}].missile: a {type(th.missile).__name__} is not a "
                             "Missile; allowed: get_missile(SLUG) or a changed copy")


def _check(raid: Sequence[RaidThreat], defense: Defense) -> None:
    """What every run asks of its raid and defense."""
    if not raid:
        raise InputError("raid: no threats")
    check_raid_and_defense(raid, defense)
    fc.check_doctrine(defense.doctrine)
    fc.check_coasting(defense.coasting)
    if defense.sspk is not None and not 0.0 <= defense.sspk <= 1.0:
        raise InputError(f"sspk: {defense.sspk!r} is outside [0, 1]")
    check_network(defense)


def check_network(defense: Defense) -> None:
    """That the defense's sensors, batteries and network fit together: sensors are
    :class:`Sensor` with unique names (and at least one, unless tracking is perfect), a
    sensor's ``battery`` and a battery's ``sensors`` name what the defense has, batteries
    hold an :class:`~thaadsim.systems.interceptor.Interceptor`, and the latency is within
    its row of :data:`~thaadsim.limits.LIMITS`; anything else is one
    :class:`InputError` naming the field, the value and what is allowed."""
    from thaadsim.systems.interceptor import Interceptor

    if not isinstance(defense.sensors, tuple):
        raise InputError(f"defense.sensors: a {type(defense.sensors).__name__}; allowed: a "
                         "tuple of Sensor")
    names: list[str] = []
    for k, sensor in enumerate(defense.sensors):
        if not isinstance(sensor, Sensor):
            raise InputError(f"defense.sensors[{k}]: a {type(sensor).__name__} is not a Sensor")
        if not sensor.name or sensor.name in names:
            raise InputError(f"defense.sensors[{k}].name: {sensor.name!r} "
                             f"{'is empty' if not sensor.name else 'names two sensors'}; "
                             "allowed: a name of its own for each sensor")
        names.append(sensor.name)
    if defense.sensors:
        check("sensors", len(defense.sensors), "defense.sensors (how many)")
    elif not defense.perfect_tracking:
        raise InputError("defense.sensors: none; allowed: at least one sensor (or "
                         "perfect_tracking)")
    slugs = [b.slug for b in defense.batteries]
    for k, sensor in enumerate(defense.sensors):
        if sensor.battery is not None and sensor.battery not in slugs:
            raise InputError(f"defense.sensors[{k}].battery: {sensor.battery!r} is not a "
                             f"battery of the defense; allowed: {', '.join(slugs)} or None")
    for b, battery in enumerate(defense.batteries):
        if not isinstance(battery.interceptor, Interceptor):
            raise InputError(f"defense.batteries[{b}].interceptor: a "
                             f"{type(battery.interceptor).__name__} is not an Interceptor; "
                             "allowed: get_interceptor(SLUG) or a changed copy")
        for name in battery.sensors or ():
            if name not in names:
                raise InputError(f"defense.batteries[{b}].sensors: {name!r} is not a sensor "
                                 f"of the defense; allowed: {', '.join(names) or '(none)'}")
    check("network_latency_s", defense.network_latency_s, "defense.network_latency_s")


CHUNK_THREAT_TRIALS = 400
"""Threat-trials per chunk of :func:`simulate`: its radar, tracker and fire control run
chunk by chunk, so that memory depends on the chunk, not on the trials (about 0.3 MB per
threat-trial of a chunk while it is tracked)."""


@dataclass(frozen=True, kw_only=True)
class Keep:
    """What :func:`simulate` keeps of its tables: the columns of :attr:`Result.threats`
    and of :attr:`Result.shots` a caller reports (None: every column), and whether the
    code columns (``missile``, ``outcome``, ``reason``, ``battery``) are named
    (:func:`name_columns`) or kept as their integer codes (``names=False``: a name is a
    string as wide as the longest, up to ~100 bytes a row; count the codes with
    :func:`named_counts`). The rows are all kept: a long run's memory is its kept columns
    (8 bytes a row for most), not the chunk's working set."""

    threats: tuple[str, ...] | None = None
    shots: tuple[str, ...] | None = None
    """At least one column when given: its length is the number of shots fired
    (:attr:`Result.interceptors_used`)."""
    names: bool = True

    def __post_init__(self) -> None:
        if self.shots is not None and not self.shots:
            raise InputError("keep.shots: no column; allowed: None (all) or at least one "
                             "column of the shots table")


def _kept(table: dict[str, npt.NDArray[Any]], columns: tuple[str, ...] | None, what: str
          ) -> dict[str, npt.NDArray[Any]]:
    """The ``columns`` of ``table`` (all with None); a name it lacks is an InputError."""
    if columns is None:
        return table
    missing = [c for c in columns if c not in table]
    if missing:
        raise InputError(f"keep.{what}: {', '.join(map(repr, missing))} "
                         f"{'is not a column' if len(missing) == 1 else 'are not columns'}; "
                         f"allowed: {', '.join(table)}")
    return {c: table[c] for c in columns}


class _Rows:
    """Columns of ``rows`` rows filled chunk by chunk: what ``np.concatenate`` of the
    chunks' columns gives (the same dtype promotion), without holding the chunks and
    their concatenation at once."""

    def __init__(self, rows: int) -> None:
        self.rows = rows
        self.columns: dict[str, npt.NDArray[Any]] = {}

    def put(self, start: int, part: Mapping[str, npt.NDArray[Any]]) -> None:
        for k, v in part.items():
            out = self.columns.get(k)
            if out is None:
                out = self.columns[k] = np.empty(self.rows, dtype=v.dtype)
            elif np.result_type(out.dtype, v.dtype) != out.dtype:
                out = self.columns[k] = out.astype(np.result_type(out.dtype, v.dtype))
            out[start:start + v.size] = v


def simulate(
    raid: Sequence[RaidThreat],
    defense: Defense,
    trials: int = 100,
    seed: int = 0,
    *,
    chunk_trials: int | None = None,
    keep: Keep | None = None,
) -> Result:
    """Run the raid against the defense ``trials`` times (module docstring).

    The trials run in chunks of ``chunk_trials`` (default: :data:`CHUNK_THREAT_TRIALS`
    threat-trials), keeping of each only its rows of the tables (of the columns ``keep``
    names: :class:`Keep`; all by default), so that memory does not grow with the trials
    beyond the kept columns. The chunks take their random draws from the places in each
    sensor's stream and fire control's where one unchunked run would take them
    (:class:`_RadarReplay`, :class:`_FireControlReplay`), so the result does not depend on
    the chunk size."""
    _check(raid, defense)
    check("trials", trials, "trials")
    check("seed", seed, "seed")
    if chunk_trials is not None and chunk_trials < 1:
        raise InputError(f"chunk_trials: {fmt_number(chunk_trials)} must be at least 1")
    n = len(raid)
    sensors = () if defense.perfect_tracking else defense.sensors
    if sensors:  # every sensor's radar and tracker run for every threat and trial
        many = f" x {len(sensors)} sensors" if len(sensors) > 1 else ""
        check("tracked_trials", n * trials * len(sensors),
              f"threats x trials ({fmt_number(n)} x {fmt_number(trials)}{many}; a tracking "
              "pool, `thaadsim run --pool 200`, resamples tracking instead)")
    fc_seed = np.random.SeedSequence(seed).spawn(2)[1]
    with stage("flights"):
        truth = _fly(raid)
        t_grid, y_grid = _grid(truth)
    true_lat, true_lon, _ = ecef_to_geodetic(truth.impact_ecef_m)
    hits_asset = (_within_assets(true_lat, true_lon, defense.assets) if defense.assets
                  else np.ones(n, dtype=bool))
    with stage("fire control"):
        geometry = []
        for battery in defense.batteries:
            icpt = battery.interceptor
            geometry.append((icpt, fc.intercept_geometry(t_grid, y_grid[..., :3], battery,
                                                         icpt, reach_table(icpt))))
    size = chunk_trials or max(1, CHUNK_THREAT_TRIALS // n)
    rcs = np.array([th.rcs_m2 for th in raid], dtype=np.float64)
    status = None if defense.perfect_tracking else status_grid(sensors, t_grid, y_grid)
    parents, probs = decoy_columns(raid)
    told = decoys_told_apart(probs, trials, seed)
    keep = keep or Keep()
    if trials <= size:  # one chunk: the streams themselves
        table, shots = _chunk(raid, defense, truth, rcs, geometry, hits_asset, 0, trials,
                              [np.random.default_rng(sensor_seed(seed, k))
                               for k in range(len(sensors))],
                              np.random.default_rng(fc_seed), (status, t_grid, parents, told))
        table = _kept(table, keep.threats, "threats")
        shots.pop("_step")
        shots = _kept(shots, keep.shots, "shots")
        progress(trials, trials)
    else:
        with stage("detection and tracking"):  # the search of every chunk, run once
            replays = [_RadarReplay(truth, s.radar, s.emplacement, rcs, trials, size,
                                    sensor_seed(seed, k), early_warning=_cue(defense))
                       for k, s in enumerate(sensors)]
        fc_state = np.random.default_rng(fc_seed).bit_generator.state
        rows = _Rows(trials * n)
        shot_parts = []
        for a in range(0, trials, size):
            b = min(trials, a + size)
            fc_draws = _FireControlReplay(fc_state, trials, a, b - a)
            part, shot = _chunk(raid, defense, truth, rcs, geometry, hits_asset, a, b,
                                [r.chunk(a, b) for r in replays], fc_draws,
                                (status, t_grid, parents, told[a:b]))
            rows.put(a * n, _kept(part, keep.threats, "threats"))
            # the rows of one unchunked run: by the fire-control step that drew them, then
            # trial (one key, step x trials + trial, sorted stably at the end)
            order_by = shot.pop("_step") * trials + shot["trial"]
            shot_parts.append({**_kept(shot, keep.shots, "shots"), "_order": order_by})
            del part, shot
            progress(b, trials)
        table = rows.columns
        shots = {k: np.concatenate([p[k] for p in shot_parts]) for k in shot_parts[0]}
        del shot_parts
        order = np.argsort(shots.pop("_order"), kind="stable")
        shots = {k: v[order] for k, v in shots.items()}
    if keep.names:
        table = name_columns(table, raid, defense)
    return Result(threats=table, shots=shots, trials=trials, n_threats=n,
                  batteries=tuple(b.slug for b in defense.batteries),
                  extra={"t_grid": t_grid, "y_grid": y_grid},
                  sensors=tuple(s.name for s in sensors))


def detect_trials(truth: Truth, sensor: Sensor, rcs_m2: float, trials: int,
                  rng: np.random.Generator, *, early_warning: Cue = "catalog",
                  chunk_trials: int | None = None) -> Timeline:
    """:func:`~thaadsim.systems.detection.simulate_detection` of ``truth.repeated(trials)``
    by one sensor with ``rng`` (cued by ``early_warning``: the catalog's by default), run in
    chunks of trials (default :data:`CHUNK_THREAT_TRIALS` threat-trials) with the draws the
    unchunked call would make (:class:`_RadarReplay`): memory depends on the chunk, not on
    the trials. The per-threat fields are kept (rows in :meth:`Truth.repeated`'s order);
    the per-look ones (``look_t_s``, the track sigmas) are not (one NaN column)."""
    n = truth.t_s.shape[0]
    size = chunk_trials or max(1, CHUNK_THREAT_TRIALS // n)
    rcs = np.full(n, float(rcs_m2))
    radar, emplacement = sensor.radar, sensor.emplacement
    if trials <= size:
        return simulate_detection(truth.repeated(trials), radar, emplacement,
                                  np.repeat(rcs, trials), rng, early_warning=early_warning)
    replay = _RadarReplay(truth, radar, emplacement, rcs, trials, size,
                          rng.bit_generator.state, early_warning=early_warning)
    fields = ("first_detection_s", "confirmed_s", "firm_track_s", "impact_s",
              "impact_error_m", "impact_sigma_m", "impact_pred_lat_deg", "impact_pred_lon_deg")
    out = {k: np.full((n, trials), np.nan) for k in fields}
    looks = [0, 0]
    for a in range(0, trials, size):
        b = min(trials, a + size)
        draws, searched = replay.chunk(a, b)
        tl = simulate_detection(truth.repeated(b - a), radar, emplacement,
                                np.repeat(rcs, b - a), draws,  # type: ignore[arg-type]
                                searched=searched, early_warning=early_warning)
        for k in fields:
            out[k][:, a:b] = getattr(tl, k).reshape(n, b - a)
        looks[0] += tl.search_looks
        looks[1] += tl.track_looks
    none = np.full((n * trials, 1), np.nan)
    return Timeline(**{k: v.ravel() for k, v in out.items()}, look_t_s=none,
                    position_sigma_m=none, velocity_sigma_mps=none, search_looks=looks[0],
                    track_looks=looks[1])


def _chunk(raid: Sequence[RaidThreat], defense: Defense, truth: Truth, rcs: FloatArray,
           geometry: Sequence[tuple[Any, fc.Geometry]], hits_asset: npt.NDArray[np.bool_],
           a: int, b: int, radar_rngs: Sequence[Any], fc_rng: Any,
           grid: tuple[npt.NDArray[np.int8] | None, FloatArray, npt.NDArray[np.intp],
                       npt.NDArray[np.bool_]]
           ) -> tuple[dict[str, npt.NDArray[Any]], dict[str, npt.NDArray[Any]]]:
    """Trials ``a`` to ``b`` of :func:`simulate`: their rows of the threat table and their
    shots (with ``_step``, the fire-control draw each shot came from). ``radar_rngs``: each
    sensor's generator (or its chunk of a :class:`_RadarReplay`); ``grid``: the sensors'
    :func:`status_grid` (None with perfect tracking), the flight grid's times, each
    decoy's warhead (:func:`decoy_columns`) and whether it is told apart in each trial."""
    status, t_grid, parents, told = grid
    n = len(raid)
    trials = b - a
    order = np.arange(n * trials).reshape(n, trials).T.ravel()
    with stage("detection and tracking"):
        if defense.perfect_tracking:
            tls = [_perfect_timeline(truth, trials)]
        else:
            tls = []
            for sensor, radar_rng in zip(defense.sensors, radar_rngs, strict=True):
                rng, searched = (radar_rng if isinstance(radar_rng, tuple)
                                 else (radar_rng, None))
                timeline = simulate_detection(truth.repeated(trials), sensor.radar,
                                              sensor.emplacement, np.repeat(rcs, trials), rng,
                                              searched=searched, early_warning=_cue(defense))
                # truth.repeated puts each threat's trials in a row: reorder to (trial, threat)
                tls.append(_reorder(timeline, order))
    with stage("fire control"):
        def each(name: str) -> FloatArray:  # (sensors, trials, n)
            return np.stack([getattr(tl, name).reshape(trials, n) for tl in tls])

        firm_s, lat_s, lon_s = (each("firm_track_s"), each("impact_pred_lat_deg"),
                                each("impact_pred_lon_deg"))
        first_s = each("first_detection_s")
        best, firm = best_tracks(firm_s, np.zeros(len(tls)))
        endangering = _endangering(_picked(lat_s, best), _picked(lon_s, best), defense)
        delays = track_delays_s(defense)
        idx = np.concatenate([np.arange(n), parents]).astype(np.intp)
        plan = fc.new_plan(trials, idx.size)
        plan.shots = _StepShots(fc_rng)
        engageable = np.zeros((trials, n), dtype=bool)
        opportunities = np.zeros((trials, n), dtype=np.int64)
        choosers = []
        for bi, battery in enumerate(defense.batteries):
            icpt, geo = geometry[bi]
            best_b, firm_b = best_tracks(firm_s, delays[bi])
            endangering_b = _endangering(_picked(lat_s, best_b), _picked(lon_s, best_b),
                                         defense)
            sigma = _handover_sigma(tls, best_b, trials, n, icpt.homing_time_s,
                                    defense.perfect_tracking, delays[bi], firm_s=firm_s,
                                    freshest=defense.coasting != "fire")
            choosers.append(sigma)
            for i in range(n):
                earliest = np.where(np.isfinite(firm_b[:, i]),
                                    firm_b[:, i] + battery.reaction_s, np.inf)
                opp = fc.shot_opportunities(geo, i, earliest, battery.kill_assessment_s)
                engageable[:, i] |= opp > 0
                if bi == 0:
                    opportunities[:, i] = opp
            live = _live(defense, status, t_grid, icpt, delays[bi])
            plan = fc.assign(plan, bi, battery, icpt, _geo_rows(geo, idx), firm_b[:, idx],
                             endangering_b[:, idx] & ~_told_columns(told, n),
                             _Columns(sigma, idx), battery.doctrine or defense.doctrine,
                             fc_rng, sspk=defense.sspk,
                             live_track=None if live is None else live[idx],
                             first=None if idx.size == n else np.arange(idx.size) >= n)
        plan, shots, at_decoy, decoy_shots = _split_decoys(plan, n, idx)
        coasting = coasting_columns(_real_shots(shots, at_decoy), trials, n, choosers,
                                    [b.interceptor.homing_time_s for b in defense.batteries],
                                    delays, status, t_grid)
        refine_reasons(plan, coasting)
        steps = [np.full(len(s["trial"]), s["_step"]) for s in plan.shots]
        table = threat_table(
            a, plan, endangering=endangering, hits_asset=hits_asset, engageable=engageable,
            opportunities=opportunities, first_detection_s=_earliest(first_s),
            firm_track_s=firm, impact_s=truth.impact_t_s,
            sensor_names=[] if defense.perfect_tracking else [s.name for s in defense.sensors],
            sensor_first_s=first_s.reshape(len(tls), -1),
            sensor_firm_s=firm_s.reshape(len(tls), -1), coasting=coasting)
        table["decoy_shots"] = decoy_shots.ravel()
    out = {k: getattr(shots, k) for k in shots.__dataclass_fields__}
    out["decoy"] = at_decoy
    out["trial"] = out["trial"] + a
    out["_step"] = (np.concatenate(steps) if steps else np.zeros(0, dtype=np.int64))
    return table, out


def threat_table(first_trial: int, plan: fc.Plan, *,
                 endangering: npt.NDArray[np.bool_], hits_asset: npt.NDArray[np.bool_],
                 engageable: npt.NDArray[np.bool_], opportunities: npt.NDArray[np.int64],
                 first_detection_s: FloatArray, firm_track_s: FloatArray,
                 impact_s: FloatArray, sensor_names: Sequence[str],
                 sensor_first_s: FloatArray, sensor_firm_s: FloatArray,
                 coasting: Mapping[str, Any] | None = None
                 ) -> dict[str, npt.NDArray[Any]]:
    """The results table: one row per trial and threat (trials numbered from
    ``first_trial``), from fire control's ``plan`` and the (trials, threats) arrays beside
    it; ``hits_asset`` and ``impact_s`` are per threat; ``sensor_first_s`` and
    ``sensor_firm_s`` (sensors, rows) give each named sensor's columns
    (:func:`sensor_columns`). The ``missile``, ``outcome``, ``reason`` and ``battery``
    columns hold codes until :func:`name_columns` names them (chunks keep codes; the names
    are made once for the whole run). ``coasting`` (:func:`coasting_columns`) adds
    ``coast_s``, ``lost_before_intercept_s`` and ``shot_pk``. The one builder of
    :func:`simulate`'s and :func:`engage_prepared`'s tables."""
    trials, n = plan.outcome.shape
    threat_idx = np.tile(np.arange(n), trials)
    table = {
        "trial": np.repeat(np.arange(first_trial, first_trial + trials), n),
        "threat": threat_idx,
        "missile": threat_idx,
        "outcome_code": plan.outcome.ravel(),
        "outcome": plan.outcome.ravel(),
        "reason": plan.reason.ravel(),
        "battery": plan.by_battery.ravel(),
        "shot": plan.by_shot.ravel(),
        "killed_at_s": plan.killed_at_s.ravel(),
        "endangering": endangering.ravel(),
        "hits_asset": np.tile(hits_asset, trials),
        "engageable": engageable.ravel(),
        "shot_opportunities": opportunities.ravel(),
        "first_detection_s": first_detection_s.ravel(),
        "firm_track_s": firm_track_s.ravel(),
        "impact_s": np.tile(impact_s, trials),
    }
    if coasting is not None:
        for name in ("coast_s", "lost_before_intercept_s", "shot_pk"):
            table[name] = np.asarray(coasting[name], dtype=np.float64).ravel()
    if sensor_names:
        table.update(sensor_columns(sensor_names, sensor_first_s, sensor_firm_s))
    return table


def name_columns(table: dict[str, npt.NDArray[Any]], raid: Sequence[RaidThreat],
                 defense: Defense) -> dict[str, npt.NDArray[Any]]:
    """:func:`threat_table`'s code columns named (those of them it has): the missile's
    slug, the outcome, the reason ("" for none) and the battery's label ("" for none)."""
    return {**table, **{k: _named(table[k], name)
                        for k, name in code_names(raid, defense).items() if k in table}}


def code_names(raid: Sequence[RaidThreat], defense: Defense) -> dict[str, Any]:
    """The name of each code, per code column of :func:`threat_table`."""
    return {"missile": lambda i: raid[i].missile.slug,
            "outcome": lambda c: fc.OUTCOMES[c],
            "reason": lambda r: fc.REASONS.get(r, ""),
            "battery": lambda b: defense.batteries[b].slug if b >= 0 else ""}


def named_counts(codes: npt.NDArray[np.integer[Any]], name: Any) -> dict[str, int]:
    """How many of ``codes`` have each name ``name(code)``, by name in sorted order: what
    ``np.unique(names, return_counts=True)`` of the named column gives, without making the
    column (e.g. ``name = code_names(raid, defense)["reason"]``)."""
    present, counts = np.unique(codes, return_counts=True)
    out: dict[str, int] = {}
    for code, count in zip(present, counts, strict=True):
        label = str(name(int(code)))
        out[label] = out.get(label, 0) + int(count)
    return dict(sorted(out.items()))


def sensor_columns(names: Sequence[str], first_detection_s: FloatArray,
                   firm_track_s: FloatArray) -> dict[str, FloatArray]:
    """The threats table's per-sensor columns: ``<name>.first_detection_s`` and
    ``<name>.firm_track_s`` of each sensor (rows of the two arrays (sensors, rows))."""
    out = {}
    for k, name in enumerate(names):
        out[f"{name}.first_detection_s"] = first_detection_s[k]
        out[f"{name}.firm_track_s"] = firm_track_s[k]
    return out


def sensor_row(sensor: Sensor, first_detection_s: FloatArray, firm_track_s: FloatArray
               ) -> dict[str, Any]:
    """One sensor's entry of the command line's ``sensors`` list: its ``name``, ``site``,
    ``mode``, ``boresight_deg``, ``battery`` and the medians of its ``first_detection_s``
    and ``firm_track_s`` over the rows in which it detected or held a firm track (None:
    never, or no rows), with the share of rows in which it held one (``firm_fraction``)."""
    row: dict[str, Any] = {"name": sensor.name, "site": sensor.site or sensor.emplacement.name,
                           "mode": sensor.mode, "boresight_deg": sensor.emplacement.boresight_deg,
                           "battery": sensor.battery}
    for what, col in (("first_detection_s", first_detection_s),
                      ("firm_track_s", firm_track_s)):
        x = np.asarray(col, dtype=np.float64).ravel()
        row[what] = float(np.median(x[np.isfinite(x)])) if np.isfinite(x).any() else None
    x = np.asarray(firm_track_s, dtype=np.float64).ravel()
    row["firm_fraction"] = float(np.isfinite(x).mean()) if x.size else None
    return row


def sensor_summary(result: Result, defense: Defense) -> list[dict[str, Any]]:
    """Per sensor of the defense, :func:`sensor_row` over the rows (trials x threats) of
    ``result``: the ``sensors`` list of the command line's JSON."""
    none = np.full(0, np.nan)
    return [sensor_row(s, result.threats.get(f"{s.name}.first_detection_s", none),
                       result.threats.get(f"{s.name}.firm_track_s", none))
            for s in defense.sensors]


def _named(codes: npt.NDArray[np.integer[Any]], name: Any) -> npt.NDArray[np.str_]:
    """The column of names ``name(code)`` of integer ``codes``, as wide as its longest name
    (what ``np.array([name(c) for c in codes])`` gives, without a Python loop over the rows:
    the chunks keep codes, and the names are made once for the whole run)."""
    present = np.unique(codes)
    names = [name(int(c)) for c in present]
    width = max([len(x) for x in names] + [1])
    lut = np.array(names, dtype=f"<U{width}")
    return lut[np.searchsorted(present, codes)]


class _StepShots(list):
    """A plan's list of shots that tags each entry with the fire-control draw (step) it
    came after, so that the shots of chunks can be put in one run's order."""

    def __init__(self, rng: Any) -> None:
        super().__init__()
        self._rng = rng

    def append(self, item: Any) -> None:
        super().append({**item, "_step": getattr(self._rng, "calls", 0) - 1})


def _generator_at(state: Mapping[str, Any], offset: int) -> np.random.Generator:
    """A generator whose next draws are those ``offset`` 64-bit outputs after ``state``
    (a PCG64 state, :func:`numpy.random.default_rng`'s bit generator)."""
    bits = np.random.PCG64()
    bits.state = state  # type: ignore[assignment]
    if offset:
        bits.advance(offset)
    return np.random.Generator(bits)


class _FireControlReplay:
    """Fire control's random draws for trials ``a`` to ``a + size`` of a run of ``trials``:
    :func:`thaadsim.systems.fire_control.assign` draws ``random(trials)`` once per planning
    step (a fixed sequence of steps: batteries, threats, volleys, shots), one 64-bit output
    per number, so step ``j`` of the chunk takes the outputs ``j * trials + a`` on."""

    def __init__(self, state: Mapping[str, Any], trials: int, a: int, size: int) -> None:
        self._state, self._trials, self._a, self._size = state, trials, a, size
        self.calls = 0

    def random(self, size: Any = None) -> FloatArray:
        if np.shape(np.empty(size)) != (self._size,):
            raise RuntimeError(f"fire control drew {size!r}, not one number per trial of "
                               "its chunk: its chunked replay no longer applies")
        gen = _generator_at(self._state, self.calls * self._trials + self._a)
        self.calls += 1
        return gen.random(self._size)


class _RadarReplay:
    r"""The radar's random draws of one unchunked :func:`simulate` run, handed out chunk by
    chunk of trials.

    One run draws, for its rows (each threat's trials in a row, threats one after the
    other; ``R = threats x trials``), in this order (:func:`simulate_detection`):
    search phases ``uniform (R, 1)``, search detections ``random (R, K)``, then for the
    ``m`` rows detected, measurement errors ``standard_normal (m, 1, 4)`` (the search
    detection) and ``(m, L - 1, 4)`` (the track dwells), and detection draws
    ``random (m, L)``, ``L`` the longest track's looks. Uniform numbers take one 64-bit
    output each, so their place in the stream is computed (the generator is advanced to
    it); normal numbers (the ziggurat) take a varying number, so the places of the normal
    blocks of each chunk are found by drawing those blocks once beforehand (and
    discarding them). A chunk's own arrays are as wide as its longest track
    (``L_c \le L``): it gets the first ``L_c`` columns of its rows' draws. Before that, the
    search of every chunk is run once (from its draws) to know the detected rows and
    ``L``.
    """

    def __init__(self, truth: Truth, radar: Any, emplacement: Emplacement, rcs: FloatArray,
                 trials: int, size: int, seed: np.random.SeedSequence | Mapping[str, Any],
                 *, early_warning: Cue = "catalog") -> None:
        self.n, self.trials = truth.t_s.shape[0], trials
        self.state0 = (np.random.default_rng(seed).bit_generator.state
                       if isinstance(seed, np.random.SeedSequence) else seed)
        rows = self.n * trials
        detected = np.zeros((self.n, trials), dtype=bool)
        first = np.full((self.n, trials), np.nan)
        self.k = 0
        self.searched: dict[int, tuple[FloatArray, int]] = {}
        for a in range(0, trials, size):
            b = min(trials, a + size)
            draws = _Draws(self, a, b, searching=True)
            got = search(truth.repeated(b - a), radar, emplacement, np.repeat(rcs, b - a),
                         draws, early_warning=early_warning)  # type: ignore[arg-type]
            self.searched[a] = got  # each chunk's search, run here once
            first[:, a:b] = got[0].reshape(self.n, b - a)
            detected[:, a:b] = np.isfinite(first[:, a:b])
        # detected rows before each (threat, trial): the place of that row's track draws
        self.before = np.concatenate([[0], np.cumsum(detected.ravel())])
        m = int(self.before[-1])
        impact = np.repeat(truth.impact_t_s, trials).reshape(self.n, trials)
        self.looks = (track_look_count(first[detected], impact[detected],
                                       radar.track_interval_s) if m else 1)
        # the normal blocks, drawn once in the pieces the chunks will ask for; the
        # generator's state where each piece starts is kept as four 64-bit words
        # (_PackedStates: a state dict of Python objects took ~0.5 kB, two per threat and
        # chunk, the largest thing a long run kept)
        gen = _generator_at(self.state0, rows + rows * self.k)
        chunks = -(-trials // size)
        self.normal_states = [_PackedStates(gen.bit_generator.state, (self.n, chunks))
                              for _ in range(2)]
        for states, width in zip(self.normal_states, (1, self.looks - 1), strict=True):
            for i in range(self.n):
                for a in range(0, trials, size):
                    b = min(trials, a + size)
                    p, q = self._span(i, a, b)
                    states.put((i, a // size), gen.bit_generator.state)
                    for lo in range(p, q, 4096):
                        gen.standard_normal((min(q, lo + 4096) - lo, width, 4))
        self.state_det = gen.bit_generator.state
        self.size = size

    def _span(self, i: int, a: int, b: int) -> tuple[int, int]:
        """Detected rows (their places among all detected rows) of threat ``i``'s trials
        ``a`` to ``b``."""
        return int(self.before[i * self.trials + a]), int(self.before[i * self.trials + b])

    def chunk(self, a: int, b: int) -> tuple[_Draws, tuple[FloatArray, int]]:
        """The generator of trials ``a`` to ``b`` past their search, and their search
        (``simulate_detection``'s ``searched``)."""
        draws = _Draws(self, a, b)
        draws.calls = 2
        return draws, self.searched.pop(a)


class _Draws:
    """The generator :func:`simulate_detection` sees for one chunk (:class:`_RadarReplay`):
    each call hands out the chunk's part of the unchunked run's block of that call."""

    def __init__(self, replay: _RadarReplay, a: int, b: int, *, searching: bool = False
                 ) -> None:
        self.r, self.a, self.b, self.searching = replay, a, b, searching
        self.calls = 0

    def _next(self, kind: str, size: Any) -> tuple[int, tuple[int, ...]]:
        shape = tuple(np.shape(np.empty(size if size is not None else (), dtype=np.bool_)))
        order = ("uniform", "random", "standard_normal", "standard_normal", "random")
        call = self.calls
        if call >= (2 if self.searching else 5) or order[call] != kind:
            raise RuntimeError(f"the radar drew {kind}{shape} as its draw {call}: its "
                               "chunked replay no longer applies")
        self.calls += 1
        return call, shape

    def _rows(self) -> list[tuple[int, int]]:
        return [(i * self.r.trials + self.a, i * self.r.trials + self.b)
                for i in range(self.r.n)]

    def uniform(self, low: float = 0.0, high: float = 1.0, size: Any = None) -> FloatArray:
        _, shape = self._next("uniform", size)
        parts = [_generator_at(self.r.state0, lo).uniform(low, high, (hi - lo, 1))
                 for lo, hi in self._rows()]
        return _joined(parts, shape)

    def random(self, size: Any = None) -> FloatArray:
        call, shape = self._next("random", size)
        r = self.r
        rows = r.n * r.trials
        if call == 1:  # the search detections, (R, K)
            r.k = r.k or shape[1]
            if shape[1] != r.k:
                raise RuntimeError("the chunks' search frames differ: no chunked replay")
            parts = [_generator_at(r.state0, rows + lo * r.k).random((hi - lo, r.k))
                     for lo, hi in self._rows()]
        else:  # the track dwells' detections, (m, L_c)
            parts = []
            for i in range(r.n):
                p, q = r._span(i, self.a, self.b)
                parts.append(_generator_at(r.state_det, p * r.looks).random(
                    (q - p, r.looks))[:, :shape[1]])
        return _joined(parts, shape)

    def standard_normal(self, size: Any = None) -> FloatArray:
        call, shape = self._next("standard_normal", size)
        r = self.r
        block = call - 2
        width = (1, r.looks - 1)[block]
        parts = []
        for i in range(r.n):
            p, q = r._span(i, self.a, self.b)
            gen = np.random.Generator(np.random.PCG64())
            gen.bit_generator.state = r.normal_states[block].get((i, self.a // r.size))
            parts.append(gen.standard_normal((q - p, width, 4))[:, :shape[1]])
        return _joined(parts, shape)


class _PackedStates:
    """PCG64 states (:attr:`numpy.random.PCG64.state`) of one generator at many places,
    in an array of ``shape`` places: each the 128-bit state as two 64-bit words and the
    buffered 32-bit half (``has_uint32``, ``uinteger``); the increment, which drawing
    never changes, once."""

    def __init__(self, state: Mapping[str, Any], shape: tuple[int, ...]) -> None:
        self._inc = int(state["state"]["inc"])
        self._words = np.zeros((*shape, 4), dtype=np.uint64)

    def put(self, at: tuple[int, ...], state: Mapping[str, Any]) -> None:
        if int(state["state"]["inc"]) != self._inc:
            raise RuntimeError("another generator's state: no chunked replay")
        value = int(state["state"]["state"])
        self._words[at] = (value >> 64, value & 0xFFFF_FFFF_FFFF_FFFF,
                           int(state["has_uint32"]), int(state["uinteger"]))

    def get(self, at: tuple[int, ...]) -> dict[str, Any]:
        hi, lo, has, word = (int(x) for x in self._words[at])
        return {"bit_generator": "PCG64", "state": {"state": (hi << 64) | lo, "inc": self._inc},
                "has_uint32": has, "uinteger": word}


def _joined(parts: Sequence[FloatArray], shape: tuple[int, ...]) -> FloatArray:
    out = np.concatenate(parts, axis=0)
    if out.shape != shape:
        raise RuntimeError(f"a chunk's draws came out {out.shape}, not {shape}: its "
                           "chunked replay no longer applies")
    return out


# --------------------------------------------------------------------------------------------
# Two-level Monte Carlo: a pool of tracking outcomes, then many cheap trials
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Prepared:
    r"""Everything of a raid against a defense that does not change from trial to trial,
    with a finite *pool* of tracking outcomes (:func:`prepare`), for :func:`engage_prepared`.

    ``kind`` maps each threat to its distinct threat (identical :class:`RaidThreat` entries
    share one); the pool holds ``pool_size`` independent outcomes of every sensor's radar
    and tracker on each distinct threat, in arrays ``(D, P)`` (``(S, D, P)`` per sensor,
    ``(D, P, K)`` for the handover-error tables, one per battery, over the candidate
    intercept times of :attr:`t_grid`)."""

    raid: tuple[RaidThreat, ...]
    defense: Defense
    pool_size: int
    kind: npt.NDArray[np.intp]
    truth: Truth
    """The raid's flights, one row per threat."""
    t_grid: FloatArray
    y_grid: FloatArray
    hits_asset: npt.NDArray[np.bool_]
    """(n,) whether each threat's true impact hits a defended asset."""
    first_detection_s: FloatArray
    """(D, P) the earliest first detection over the sensors."""
    firm_track_s: FloatArray
    """(D, P) the earliest firm track over the sensors."""
    endangering: npt.NDArray[np.bool_]
    """(D, P) fire control's judgement from the impact predicted by the earliest track."""
    sensor_first_detection_s: FloatArray
    """(S, D, P) each sensor's first detection (S = 0 with perfect tracking)."""
    sensor_firm_track_s: FloatArray
    """(S, D, P) each sensor's firm track."""
    battery_firm_s: tuple[FloatArray, ...]
    """Per battery, (D, P): when its best track reaches it (:func:`best_tracks`)."""
    battery_endangering: tuple[npt.NDArray[np.bool_], ...]
    """Per battery, (D, P): its judgement from its best track's predicted impact."""
    geometry: tuple[fc.Geometry, ...]
    interceptors: tuple[Any, ...]
    sigma_table_m: tuple[FloatArray, ...]
    """Per battery, (D, P, K): the handover error of its best track for an intercept at
    each grid time."""
    engageable: npt.NDArray[np.bool_]
    """(n, P): some battery has a shot opportunity after its best track."""
    opportunities: npt.NDArray[np.int64]
    """(n, P): shoot-look-shoot opportunities of the first battery."""
    sensor_table: tuple[npt.NDArray[np.intp], ...] = ()
    """Per battery, (D, P, K): the sensor whose track :attr:`sigma_table_m` hands over."""
    status: npt.NDArray[np.int8] | None = None
    """(S, n, K): each sensor's :func:`status_grid` (None with perfect tracking)."""


def prepare(raid: Sequence[RaidThreat], defense: Defense, pool: int = 200,
            seed: int | np.random.SeedSequence = 0) -> Prepared:
    r"""Fly the raid, compute each battery's intercept geometry and run every sensor's radar
    and tracker ``pool`` times on every distinct threat (the costly part of
    :func:`simulate`).

    Sensor ``k``'s pool draws from :func:`sensor_seed` ``(seed, k)``, the stream
    :func:`simulate` gives it, so with distinct threats, ``pool == trials`` and no
    resampling (:func:`engage_prepared` with ``sample`` the identity) the two give the same
    result."""
    _check(raid, defense)
    if not 1 <= pool <= 1_000_000:
        raise InputError(f"pool: {pool!r} must lie in 1..1000000")
    raid = tuple(raid)
    distinct: dict[RaidThreat, int] = {}
    kind = np.array([distinct.setdefault(th, len(distinct)) for th in raid], dtype=np.intp)
    uniq = list(distinct)
    d = len(uniq)
    truth_d = _fly(uniq)
    if defense.perfect_tracking:
        tl = _perfect_timeline(truth_d, pool)
        tls = [_reorder(tl, np.arange(d * pool).reshape(pool, d).T.ravel())]  # (kind, sample)
    else:
        rcs = np.repeat([th.rcs_m2 for th in uniq], pool)
        tls = [simulate_detection(truth_d.repeated(pool), s.radar, s.emplacement, rcs,
                                  np.random.default_rng(sensor_seed(seed, k)),
                                  early_warning=_cue(defense))
               for k, s in enumerate(defense.sensors)]

    def each(name: str) -> FloatArray:  # (sensors, D, P)
        return np.stack([getattr(t, name).reshape(d, pool) for t in tls])

    truth = dataclasses.replace(truth_d, **{
        f.name: getattr(truth_d, f.name)[kind] for f in dataclasses.fields(truth_d)})
    firm_s, lat_s, lon_s = (each("firm_track_s"), each("impact_pred_lat_deg"),
                            each("impact_pred_lon_deg"))
    first_s = each("first_detection_s")
    best, firm = best_tracks(firm_s, np.zeros(len(tls)))
    endangering = _endangering(_picked(lat_s, best), _picked(lon_s, best), defense)
    true_lat, true_lon, _ = ecef_to_geodetic(truth.impact_ecef_m)
    hits_asset = (_within_assets(true_lat, true_lon, defense.assets) if defense.assets
                  else np.ones(len(raid), dtype=bool))
    t_grid, y_grid = _grid(truth)
    geometry, interceptors, tables, battery_firm, battery_endangering = [], [], [], [], []
    which_tables = []
    status = None if defense.perfect_tracking else status_grid(defense.sensors, t_grid, y_grid)
    n = len(raid)
    engageable = np.zeros((n, pool), dtype=bool)
    opportunities = np.zeros((n, pool), dtype=np.int64)
    first_of_kind = np.array([int(np.argmax(kind == k)) for k in range(d)])
    delays = track_delays_s(defense)
    for b, battery in enumerate(defense.batteries):
        icpt = battery.interceptor
        geo = fc.intercept_geometry(t_grid, y_grid[..., :3], battery, icpt, reach_table(icpt))
        geometry.append(geo)
        interceptors.append(icpt)
        best_b, firm_b = best_tracks(firm_s, delays[b])
        battery_firm.append(firm_b)
        battery_endangering.append(_endangering(_picked(lat_s, best_b),
                                                _picked(lon_s, best_b), defense))
        which = np.zeros((d, pool, t_grid.shape[1]), dtype=np.intp)
        if defense.perfect_tracking:
            tables.append(np.zeros((d, pool, t_grid.shape[1])))
        elif defense.coasting == "fire":
            table = np.full((d, pool, t_grid.shape[1]), np.inf)
            for k in np.unique(best_b):
                got = _sigma_table(tls[k], d, pool, t_grid[first_of_kind],
                                   icpt.homing_time_s, float(delays[b, k]))
                table = np.where((best_b == k)[..., None], got, table)
                which = np.where((best_b == k)[..., None], k, which)
            tables.append(table)
        else:  # the freshest track: least error at handover among the firm ones
            table = np.full((d, pool, t_grid.shape[1]), np.inf)
            for k in np.flatnonzero(np.isfinite(delays[b])):
                got = _sigma_table(tls[k], d, pool, t_grid[first_of_kind],
                                   icpt.homing_time_s, float(delays[b, k]))
                q = t_grid[first_of_kind][:, None, :] - icpt.homing_time_s - delays[b, k]
                got = np.where(firm_s[k][..., None] + delays[b, k] <= q, got, np.inf)
                better = got < table
                table = np.where(better, got, table)
                which = np.where(better, k, which)
            which = np.where(np.isfinite(table), which, best_b[..., None])
            tables.append(table)
        which_tables.append(which)
        for i in range(n):
            f = firm_b[kind[i]]
            earliest = np.where(np.isfinite(f), f + battery.reaction_s, np.inf)
            opp = fc.shot_opportunities(geo, i, earliest, battery.kill_assessment_s)
            engageable[i] |= opp > 0
            if b == 0:
                opportunities[i] = opp
    no_sensor = np.zeros((0, d, pool))
    return Prepared(raid=raid, defense=defense, pool_size=pool, kind=kind, truth=truth,
                    t_grid=t_grid, y_grid=y_grid, hits_asset=hits_asset,
                    first_detection_s=_earliest(first_s), firm_track_s=firm,
                    endangering=endangering,
                    sensor_first_detection_s=no_sensor if defense.perfect_tracking else first_s,
                    sensor_firm_track_s=no_sensor if defense.perfect_tracking else firm_s,
                    battery_firm_s=tuple(battery_firm),
                    battery_endangering=tuple(battery_endangering),
                    geometry=tuple(geometry), interceptors=tuple(interceptors),
                    sigma_table_m=tuple(tables), engageable=engageable,
                    opportunities=opportunities, sensor_table=tuple(which_tables),
                    status=status)


def _sigma_table(tl: Timeline, d: int, pool: int, t_grid: FloatArray,
                 homing_s: float, delay_s: float = 0.0) -> FloatArray:
    """:func:`_handover_sigma` at every grid time ``t_grid`` (D, K) of every pool sample
    (rows of ``tl`` in (kind, sample) order), with the looks that reached the battery by
    handover (made ``delay_s`` before it at the latest: the network latency of a remote
    sensor): (D, P, K), inf before the filter's first estimate. Look times increase along
    a row (NaN-padded at its end)."""
    look_t = tl.look_t_s.reshape(d, pool, -1)
    pos = tl.position_sigma_m.reshape(d, pool, -1)
    vel = tl.velocity_sigma_mps.reshape(d, pool, -1)
    out = np.full((d, pool, t_grid.shape[1]), np.inf)
    js = np.arange(look_t.shape[2])
    for k in range(d):
        q = t_grid[k] - homing_s - delay_s
        for p in range(pool):
            lt = look_t[k, p]
            valid = np.isfinite(pos[k, p]) & np.isfinite(lt)
            if not valid.any():
                continue
            last_valid = np.maximum.accumulate(np.where(valid, js, -1))
            m = np.searchsorted(lt, q, side="right")  # looks at or before q (NaN sort last)
            j = np.where(m > 0, last_valid[np.maximum(m - 1, 0)], -1)
            ok = j >= 0
            jj = np.maximum(j, 0)
            sig = np.sqrt((pos[k, p, jj] ** 2 + (vel[k, p, jj] * homing_s) ** 2) / 3.0)
            out[k, p] = np.where(ok & np.isfinite(q), sig, np.inf)
    return out


def engage_prepared(prepared: Prepared, trials: int, rng: np.random.Generator, *,
           sample: npt.NDArray[np.intp] | None = None) -> Result:
    r"""Monte Carlo trials of the prepared raid: each trial takes, for every threat
    independently, one of the pool's tracking outcomes (drawn uniformly with replacement
    from ``rng``, or given by ``sample`` (trials, n)), then plans every battery's shots and
    draws their kills with ``rng``.

    Statistical meaning: a two-level Monte Carlo. The radar and tracker are sampled
    ``pool_size`` times per distinct threat (:func:`prepare`) and the trials resample that
    finite pool, so fire control, inventory, channels and kills are sampled afresh in every
    trial but the tracking outcomes (firm time, predicted impact, handover error) come from
    an empirical distribution of ``pool_size`` samples: estimates converge to the
    pool's, not the radar's, distribution as trials grow, and the pool size bounds how
    finely the tracking's variability is represented (a larger pool is closer to
    :func:`simulate`, which tracks afresh in every trial; with ``pool >= trials`` and the
    identity ``sample`` there is no resampling and the two agree). Threats are independent
    of one another in the radar model, so drawing each threat's sample independently keeps
    their joint distribution.

    The result has :func:`simulate`'s tables, plus ``extra['plan']`` and
    ``extra['sample']``."""
    if not 1 <= trials <= 10_000_000:
        raise InputError(f"trials: {trials!r} must lie in 1..10000000")
    p = prepared
    defense = p.defense
    n = len(p.raid)
    cols = np.arange(n)
    if sample is None:
        sample = rng.integers(0, p.pool_size, size=(trials, n))
    sample = np.asarray(sample, dtype=np.intp)
    if sample.shape != (trials, n):
        raise InputError(f"sample: shape {sample.shape} is not (trials, threats) "
                         f"= {(trials, n)}")
    kind = p.kind[None, :]
    firm = p.firm_track_s[kind, sample]
    endangering = p.endangering[kind, sample]
    parents, probs = decoy_columns(p.raid)
    told = (np.asarray(rng.random((trials, probs.size)) < probs, dtype=bool) if probs.size
            else np.zeros((trials, 0), dtype=bool))
    idx = np.concatenate([np.arange(n), parents]).astype(np.intp)
    plan = fc.new_plan(trials, idx.size)
    delays = track_delays_s(defense)
    choosers = []
    for b, battery in enumerate(defense.batteries):
        sigma = _TableHandover(p, b, sample)
        choosers.append(sigma)
        live = _live(defense, p.status, p.t_grid, p.interceptors[b], delays[b])
        plan = fc.assign(plan, b, battery, p.interceptors[b], _geo_rows(p.geometry[b], idx),
                         p.battery_firm_s[b][kind, sample][:, idx],
                         p.battery_endangering[b][kind, sample][:, idx]
                         & ~_told_columns(told, n), _Columns(sigma, idx),
                         battery.doctrine or defense.doctrine, rng, sspk=defense.sspk,
                         live_track=None if live is None else live[idx],
                         first=None if idx.size == n else np.arange(idx.size) >= n)
    plan, shots, at_decoy, decoy_shots = _split_decoys(plan, n, idx)
    coasting = coasting_columns(_real_shots(shots, at_decoy), trials, n, choosers,
                                [icpt.homing_time_s for icpt in p.interceptors], delays,
                                p.status, p.t_grid)
    refine_reasons(plan, coasting)
    names = [] if defense.perfect_tracking else [s.name for s in defense.sensors]
    rows = (len(names), trials * n)  # (0, trials x threats) without sensors: no columns
    table = name_columns(threat_table(
        0, plan, endangering=endangering, hits_asset=p.hits_asset,
        engageable=p.engageable[cols, sample], opportunities=p.opportunities[cols, sample],
        first_detection_s=p.first_detection_s[kind, sample], firm_track_s=firm,
        impact_s=p.truth.impact_t_s, sensor_names=names,
        sensor_first_s=p.sensor_first_detection_s[:, kind, sample].reshape(rows),
        sensor_firm_s=p.sensor_firm_track_s[:, kind, sample].reshape(rows), coasting=coasting),
        p.raid, defense)
    table["decoy_shots"] = decoy_shots.ravel()
    return Result(threats=table, shots={**{k: getattr(shots, k)
                                           for k in shots.__dataclass_fields__},
                                        "decoy": at_decoy},
                  trials=trials, n_threats=n,
                  batteries=tuple(b.slug for b in defense.batteries),
                  extra={"t_grid": p.t_grid, "y_grid": p.y_grid, "plan": plan,
                         "sample": sample}, sensors=tuple(names))


class _TableHandover:
    """:func:`engage_prepared`'s handover of battery ``b``: the prepared tables
    (:attr:`Prepared.sigma_table_m`, :attr:`Prepared.sensor_table`) looked up at each
    trial's pool sample, as :func:`_handover_sigma` gives them."""

    def __init__(self, p: Prepared, b: int, sample: npt.NDArray[np.intp]) -> None:
        self.p, self.b, self.sample = p, b, sample

    def _at(self, table: npt.NDArray[Any], trial: npt.NDArray[np.intp], threat: int,
            t_int: FloatArray) -> npt.NDArray[Any]:
        p = self.p
        k = np.clip(np.rint((np.asarray(t_int) - p.t_grid[threat, 0]) / GRID_STEP_S), 0,
                    p.t_grid.shape[1] - 1)
        return table[p.kind[threat], self.sample[trial, threat], k.astype(np.intp)]

    def __call__(self, trial: npt.NDArray[np.intp], threat: int, t_int: FloatArray
                 ) -> FloatArray:
        return np.asarray(self._at(self.p.sigma_table_m[self.b], trial, threat, t_int),
                          dtype=np.float64)

    def sensor(self, trial: npt.NDArray[np.intp], threat: int, t_int: FloatArray
               ) -> npt.NDArray[np.intp]:
        if not self.p.sensor_table:
            return np.zeros(np.asarray(trial).size, dtype=np.intp)
        return np.asarray(self._at(self.p.sensor_table[self.b], trial, threat, t_int),
                          dtype=np.intp)


def _perfect_timeline(truth: Truth, trials: int) -> Timeline:
    """The binomial model's tracking: every threat known exactly from its launch."""
    launch = np.tile(np.nanmin(truth.t_s, axis=1), trials)
    lat, lon, _ = ecef_to_geodetic(truth.impact_ecef_m)
    zeros = np.zeros((launch.size, 1))
    return Timeline(first_detection_s=launch, confirmed_s=launch, firm_track_s=launch,
                    impact_s=np.tile(truth.impact_t_s, trials), impact_error_m=launch * 0.0,
                    impact_sigma_m=launch * 0.0, impact_pred_lat_deg=np.tile(lat, trials),
                    impact_pred_lon_deg=np.tile(lon, trials), look_t_s=launch[:, None],
                    position_sigma_m=zeros, velocity_sigma_mps=zeros, search_looks=0,
                    track_looks=0)


def _reorder(timeline: Timeline, order: npt.NDArray[np.intp]) -> Timeline:
    """The timeline's per-threat rows in (trial, threat) order."""
    return dataclasses.replace(timeline, **{
        f.name: getattr(timeline, f.name)[order] for f in dataclasses.fields(timeline)
        if isinstance(getattr(timeline, f.name), np.ndarray)})


def _within_assets(lat: FloatArray, lon: FloatArray,
                   assets: Sequence[DefendedAsset]) -> npt.NDArray[np.bool_]:
    """Points within a defended asset's radius (NaN points: no)."""
    out = np.zeros(lat.shape, dtype=bool)
    known = np.isfinite(lat)
    for asset in assets:
        d = np.full(lat.shape, np.inf)
        d[known] = geodesic_inverse(asset.lat_deg, asset.lon_deg, lat[known], lon[known])[0]
        out |= d <= asset.radius_m
    return out


def _endangering(lat: FloatArray, lon: FloatArray, defense: Defense) -> npt.NDArray[np.bool_]:
    """Fire control's judgement from predicted impacts (everything with ``engage_all``)."""
    if defense.engage_all:
        return np.ones(lat.shape, dtype=bool)
    return _within_assets(lat, lon, defense.assets)


__all__ = ["CHUNK_THREAT_TRIALS", "DECOY_STREAM", "Decoys", "DefendedAsset", "Defense",
           "EarlyWarning", "Keep", "Prepared", "RaidThreat", "Result", "Sensor", "best_tracks",
           "binomial_p_no_leak", "check_network", "check_raid_and_defense", "coast_at",
           "coasting_columns", "code_names", "decoy_columns", "decoys_told_apart",
           "detect_trials", "engage_prepared", "expected_leakers", "explain_reasons",
           "flight_grid", "leaked", "live_track", "name_columns", "named_counts", "p_no_leak",
           "prepare", "reason_sentence", "refine_reasons", "sensor_columns", "sensor_row",
           "sensor_seed", "sensor_summary", "simulate", "status_grid", "threat_table",
           "track_delays_s", "wilson_interval"]
