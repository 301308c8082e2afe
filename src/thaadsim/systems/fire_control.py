r"""Fire control: engagement windows, doctrine and weapon-target assignment.

A battery (:class:`Battery`, from ``thaadsim/data/batteries.yaml``) fires interceptors of one
type (:mod:`thaadsim.systems.interceptor`) from a site. For a threat whose track is firm at
:math:`t_f`, an intercept at time :math:`t` (a point of the threat's flight) is *feasible*
when the threat is inside the interceptor's envelope there (altitude band, ground range)
and an interceptor launched at :math:`t - \mathrm{tof}` gets there, with the launch no
earlier than :math:`t_f + t_{react}` (:func:`intercept_geometry`, :func:`earliest_intercept`).

The doctrine says how many interceptors go at a threat and when:

* ``salvo-k`` (k = 1, 2, 3): k interceptors at once (a launch interval apart), for the
  earliest feasible intercept;
* ``shoot-look-shoot``: one, then, only if the kill assessment
  (:math:`t_{int} + t_{assess}`) shows the threat still flying and time allows, another;
* ``shoot-shoot-look-shoot``: two at once, then one more after the assessment.

Weapon-target assignment (:func:`assign`) takes the threats in order of urgency (the
earliest last chance to intercept first) and gives each its doctrine's shots while the
battery has interceptors (inventory) and fire channels (interceptors it can guide at
once: a shot holds a channel from launch to intercept; a launch waits for the channel that
frees first).
Every threat ends with an outcome and a reason (:data:`REASONS`). All of it runs on arrays
of Monte Carlo trials at once; the Python loops run over threats and shots only.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from thaadsim.errors import CatalogError, InputError
from thaadsim.physics.earth import WGS84, Earth
from thaadsim.physics.geodesy import ecef_to_geodetic, geodesic_inverse
from thaadsim.systems.catalog import Figure, Site, _entry, _figure, _positive, _read_yaml, get_site
from thaadsim.systems.interceptor import (
    Interceptor,
    ReachTable,
    get_interceptor,
    kill_probability,
)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

DOCTRINES = ("shoot-look-shoot", "salvo-1", "salvo-2", "salvo-3", "shoot-shoot-look-shoot")

COASTING_POLICIES = ("handover", "fire", "wait")
"""What fire control does when the track it would fire on is *coasting* (its sensor no
longer sees the threat: above the face's elevation limit, outside its sector or below its
horizon, so the filter only predicts and its error grows):

* ``fire``: fire on the battery's first firm track (:func:`thaadsim.engagement.best_tracks`)
  whatever its state, with its coasted prediction at handover;
* ``handover``: fire, handing the interceptor the freshest track of the network: of the
  sensors the battery may use whose firm track has reached it, the one whose error at
  handover (after its latency) is least; with one sensor, ``fire``;
* ``wait``: as ``handover``, but plan no intercept whose handover falls while no usable
  sensor sees the threat (wait for re-acquisition); a threat that is never seen again is
  not engaged (:data:`R_TRACK_LOST`).

DESIGN: the default is ``handover``. Physics: the kill probability falls with the
handover error (:func:`~thaadsim.systems.interceptor.kill_probability`), and the error of
a coasting ballistic track only grows, so handing over the least-error track is never
worse than firing on the first one; waiting gains only where the threat comes back into
view before its last intercept, which a steep descent inside the face's elevation limit
(the lofted Nodong at Seongju) never does: waiting there gives up every shot
(``tests/test_coasting.py`` compares the three on that shot)."""
DEFAULT_COASTING = "handover"

# Outcomes and reasons (codes in arrays; text in tables).
INTERCEPTED = 0
LEAKED = 1
NOT_ENGAGED = 2
OUTCOMES = {INTERCEPTED: "intercepted", LEAKED: "leaked", NOT_ENGAGED: "not engaged"}

R_KILLED = 0
R_ALL_SHOTS_MISSED = 1
R_NEVER_IN_BAND = 2
R_OUT_OF_REACH = 3
R_NOT_TRACKED = 4
R_INVENTORY = 5
R_CHANNELS = 6
R_NOT_THREATENING = 7
R_MISSED_ABOVE_FACE = 8
R_MISSED_OUTSIDE_SECTOR = 9
R_MISSED_BELOW_HORIZON = 10
R_TRACK_LOST = 11
R_INVENTORY_DECOYS = 12
R_CHANNELS_DECOYS = 13
R_MISSED_BEYOND_RANGE = 14
REASONS = {
    R_KILLED: "killed",
    R_ALL_SHOTS_MISSED: "every shot missed",
    R_NEVER_IN_BAND: "never entered the intercept band",
    R_OUT_OF_REACH: "outside the interceptor's reach",
    R_NOT_TRACKED: "not tracked in time",
    R_INVENTORY: "inventory exhausted",
    R_CHANNELS: "fire channels saturated",
    R_NOT_THREATENING: "aimed away from the defended assets",
    R_MISSED_ABOVE_FACE: "every shot missed: the track coasted, the threat above the face's "
                         "elevation limit",
    R_MISSED_OUTSIDE_SECTOR: "every shot missed: the track coasted, the threat outside the face's "
                             "azimuth sector",
    R_MISSED_BELOW_HORIZON: "every shot missed: the track coasted, the threat below the radar "
                            "horizon",
    R_TRACK_LOST: "not engaged: no live track at any intercept (waited for re-acquisition)",
    R_INVENTORY_DECOYS: "inventory exhausted, interceptors spent on decoys",
    R_CHANNELS_DECOYS: "fire channels saturated, held by shots at decoys",
    R_MISSED_BEYOND_RANGE: "every shot missed: the track coasted, the threat beyond the "
                           "instrumented range",
}
MISSED_COASTING = (R_MISSED_ABOVE_FACE, R_MISSED_OUTSIDE_SECTOR, R_MISSED_BELOW_HORIZON,
                   R_MISSED_BEYOND_RANGE)
"""The reasons of a threat that every shot missed while the track they were fired on was
coasting (its sensor had lost the threat: engagement's ``coast_s``), by why the sensor did
not see the threat at the handover."""
_REASON_RANK = (R_NOT_THREATENING, R_NEVER_IN_BAND, R_OUT_OF_REACH, R_NOT_TRACKED,
                R_TRACK_LOST, R_CHANNELS, R_CHANNELS_DECOYS, R_INVENTORY,
                R_INVENTORY_DECOYS)
"""For a threat no battery engaged, the reason of the battery that came closest."""


# --------------------------------------------------------------------------------------------
# Batteries
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Battery:
    """A battery: its site, interceptor type, magazine and timing."""

    slug: str
    name: str
    site: Site
    interceptor: Interceptor
    """Its interceptor type (``interceptors.yaml``, or any changed copy)."""
    radar_mode: str | None
    """Mode of its own AN/TPY-2 in the catalog (None: it fires on another radar's tracks):
    what a default defense built around this battery puts at its site."""
    launchers: int
    interceptors_per_launcher: int
    fire_channels: int
    reaction_s: float
    kill_assessment_s: float
    launch_interval_s: float
    inventory_limit: int | None = None
    """Fewer interceptors than the launchers hold (a scenario's choice), or None."""
    doctrine: str | None = None
    """This battery's doctrine, where it differs from the defense's."""
    sensors: tuple[str, ...] | None = None
    """Names of the defense's sensors whose tracks it may fire on (None: all of them)."""
    figures: Mapping[str, Figure] = field(default_factory=dict, compare=False, repr=False)

    @property
    def inventory(self) -> int:
        full = self.launchers * self.interceptors_per_launcher
        return full if self.inventory_limit is None else min(full, self.inventory_limit)


_BATTERY_INTS = ("launchers", "interceptors_per_launcher", "fire_channels")
_BATTERY_TIMES = ("reaction_s", "kill_assessment_s", "launch_interval_s")


def _battery(slug: str, raw: Any, path: str) -> Battery:
    where = f"{path}: {slug}"
    if not isinstance(raw, Mapping):
        raise CatalogError(f"{where}: expected a mapping of fields, got {type(raw).__name__}")
    figures = {}
    for key in (*_BATTERY_INTS, *_BATTERY_TIMES):
        if key not in raw:
            raise CatalogError(f"{where}.{key}: missing")
        figures[key] = _figure(raw[key], f"{where}.{key}")
        _positive(figures[key], f"{where}.{key}")
    for key in _BATTERY_INTS:
        if figures[key].value != int(figures[key].value):
            raise CatalogError(f"{where}.{key}: {figures[key].value!r} must be a whole number")
    for key in ("site", "interceptor"):
        if not isinstance(raw.get(key), str):
            raise CatalogError(f"{where}.{key}: expected a slug")
    return Battery(
        slug=slug, name=str(raw.get("name", slug)), site=get_site(raw["site"]),
        interceptor=get_interceptor(raw["interceptor"]), radar_mode=raw.get("radar_mode"),
        launchers=int(figures["launchers"].value),
        interceptors_per_launcher=int(figures["interceptors_per_launcher"].value),
        fire_channels=int(figures["fire_channels"].value),
        reaction_s=figures["reaction_s"].value,
        kill_assessment_s=figures["kill_assessment_s"].value,
        launch_interval_s=figures["launch_interval_s"].value, figures=figures,
    )


def load_batteries(path: str | Path | None = None) -> dict[str, Battery]:
    """Read a battery catalog (the shipped one by default)."""
    raw, name = _read_yaml("batteries.yaml", path)
    return {str(slug): _battery(str(slug), entry, name) for slug, entry in raw.items()}


@cache
def battery_catalog() -> dict[str, Battery]:
    return load_batteries()


def get_battery(slug: str) -> Battery:
    """A battery by slug, or an error listing the known ones."""
    return _entry(battery_catalog(), "battery", slug)


def check_doctrine(doctrine: str) -> str:
    if doctrine not in DOCTRINES:
        raise InputError(f"doctrine: unknown {doctrine!r}; allowed: {', '.join(DOCTRINES)}")
    return doctrine


def check_coasting(policy: str) -> str:
    """``policy`` if it is one of :data:`COASTING_POLICIES`, else an :class:`InputError`."""
    if policy not in COASTING_POLICIES:
        raise InputError(f"coasting: unknown {policy!r}; allowed: "
                         f"{', '.join(COASTING_POLICIES)}")
    return policy


def doctrine_shots(doctrine: str) -> tuple[int, ...]:
    """Interceptors fired in each volley of a doctrine: salvo-2 is (2,), shoot-look-shoot
    (1, 1), shoot-shoot-look-shoot (2, 1); a later volley goes only after a look."""
    check_doctrine(doctrine)
    if doctrine.startswith("salvo-"):
        return (int(doctrine[-1]),)
    return (1, 1) if doctrine == "shoot-look-shoot" else (2, 1)


# --------------------------------------------------------------------------------------------
# Geometry of interception
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Geometry:
    """Where one battery could meet each threat: a grid of the threat's flight times.

    Shapes (n_threats, K); ``tof_s`` is NaN where the interceptor cannot get there or the
    threat is outside the envelope."""

    t_s: FloatArray
    alt_m: FloatArray
    ground_m: FloatArray
    tof_s: FloatArray
    in_band: BoolArray
    """The threat is inside the interceptor's altitude band (whatever the reach)."""

    @property
    def feasible(self) -> BoolArray:
        return np.isfinite(self.tof_s)

    @property
    def launch_s(self) -> FloatArray:
        return self.t_s - self.tof_s


def intercept_geometry(
    t_s: FloatArray,
    r_ecef_m: FloatArray,
    battery: Battery,
    interceptor: Interceptor,
    table: ReachTable,
    earth: Earth = WGS84,
) -> Geometry:
    """Altitude, ground range from the battery and interceptor time of flight at each
    point ``(n, K, 3)`` of the threats' flights (times ``(n, K)``, NaN-padded)."""
    lat, lon, alt = ecef_to_geodetic(np.nan_to_num(r_ecef_m), earth)
    ground, _, _ = geodesic_inverse(battery.site.lat_deg, battery.site.lon_deg, lat, lon, earth)
    valid = np.isfinite(t_s)
    in_band = valid & (alt >= interceptor.min_alt_m) & (alt <= interceptor.max_alt_m)
    tof = np.where(in_band, table.time_of_flight_s(ground, alt), np.nan)
    return Geometry(t_s=t_s, alt_m=np.where(valid, alt, np.nan), ground_m=ground, tof_s=tof,
                    in_band=in_band)


def earliest_intercept(geo: Geometry, threat: int, not_before_s: FloatArray) -> IntArray:
    """For one threat and many trials: the index of the earliest feasible intercept whose
    launch is at or after ``not_before_s`` (T,), or -1."""
    ok = geo.feasible[threat][None, :] & (geo.launch_s[threat][None, :]
                                          >= not_before_s[:, None] - 1e-9)
    return np.where(ok.any(1), np.argmax(ok, 1), -1)


def shot_opportunities(geo: Geometry, threat: int, earliest_launch_s: FloatArray,
                       kill_assessment_s: float) -> IntArray:
    """How many shoot-look-shoot shots fit in the window, per trial: the first at the
    earliest feasible intercept, each next launched after the previous one's assessment."""
    count = np.zeros(earliest_launch_s.shape, dtype=np.int64)
    not_before = earliest_launch_s.copy()
    for _ in range(geo.t_s.shape[1]):
        k = earliest_intercept(geo, threat, not_before)
        hit = k >= 0
        if not hit.any():
            break
        count += hit
        t_int = geo.t_s[threat][np.maximum(k, 0)]
        not_before = np.where(hit, t_int + kill_assessment_s, np.inf)
    return count


# --------------------------------------------------------------------------------------------
# Assignment over a raid
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Shots:
    """Every interceptor fired, one row each (a tidy table)."""

    trial: IntArray
    threat: IntArray
    battery: IntArray
    shot: IntArray
    """1 for the first interceptor at this threat from this battery, 2 for the next, ..."""
    launch_s: FloatArray
    intercept_s: FloatArray
    intercept_alt_m: FloatArray
    p_kill: FloatArray
    killed: BoolArray


@dataclass(kw_only=True)
class Plan:
    """The running state of assignment across batteries, trials x threats."""

    outcome: IntArray
    reason: IntArray
    killed_at_s: FloatArray
    by_battery: IntArray
    by_shot: IntArray
    busy_until_s: FloatArray
    """Time before which a later tier must not plan (the last assessment of the tiers
    above), per trial and threat."""
    shots: list[dict[str, npt.NDArray[Any]]]


def new_plan(trials: int, threats: int) -> Plan:
    shape = (trials, threats)
    return Plan(outcome=np.full(shape, NOT_ENGAGED), reason=np.full(shape, -1),
                killed_at_s=np.full(shape, np.nan), by_battery=np.full(shape, -1),
                by_shot=np.full(shape, 0), busy_until_s=np.full(shape, -np.inf), shots=[])


def assign(
    plan: Plan,
    battery_index: int,
    battery: Battery,
    interceptor: Interceptor,
    geo: Geometry,
    firm_s: FloatArray,
    threatening: BoolArray,
    handover_sigma_m: Any,
    doctrine: str,
    rng: np.random.Generator,
    *,
    sspk: float | None = None,
    live_track: BoolArray | None = None,
    first: BoolArray | None = None,
) -> Plan:
    """Plan one battery's shots at every threat, trial by trial (arrays over trials), and
    draw their outcomes; threats killed by an earlier battery are left alone.

    Parameters
    ----------
    plan : Plan
        State after the batteries above this one (:func:`new_plan` for the first).
    geo : Geometry
        This battery's intercept geometry for each threat (n_threats, K).
    firm_s : (T, n_threats)
        Firm-track times (NaN: never firm).
    threatening : (T, n_threats)
        Whether the predicted impact endangers a defended asset (or the scenario engages
        everything).
    handover_sigma_m : callable (trial index array, threat, intercept time array) -> sigma
        The predicted-intercept-point error at handover.
    sspk : float, optional
        Overrides the interceptor's single-shot kill probability (sensitivity, checks).
    live_track : (n_threats, K), optional
        Where a sensor the battery may use sees the threat at the handover of an intercept
        at that grid time: the ``wait`` coasting policy (:data:`COASTING_POLICIES`) plans
        intercepts only there. None: anywhere feasible.
    first : (n_threats,), optional
        Of threats equally urgent, these go first (decoys before the warhead they came
        with: fire control cannot tell which is which, and a decoy that comes first costs
        the warhead the most). None: in their order.
    """
    volleys = doctrine_shots(doctrine)
    trials, n = firm_s.shape
    inventory = np.full(trials, battery.inventory)
    # each fire channel guides one interceptor from launch to intercept; a shot takes the
    # channel that frees first and launches no earlier than that (list scheduling)
    channel_free = np.full((trials, battery.fire_channels), -np.inf)
    # urgency: the threat whose last feasible intercept comes first goes first
    last = np.where(geo.feasible, geo.t_s, -np.inf).max(1)
    urgency = np.where(np.isfinite(last), last, np.inf)
    order = (np.argsort(urgency, kind="stable") if first is None
             else np.lexsort((~np.asarray(first, dtype=bool), urgency)))
    all_t = np.arange(trials)
    shot_geo = geo if live_track is None else dataclasses.replace(
        geo, tof_s=np.where(live_track, geo.tof_s, np.nan))
    for i in order:
        alive = plan.outcome[:, i] != INTERCEPTED
        reason = np.full(trials, -1)
        if not geo.in_band[i].any():
            reason[:] = R_NEVER_IN_BAND
        elif not geo.feasible[i].any():
            reason[:] = R_OUT_OF_REACH
        reason[(reason < 0) & ~np.isfinite(firm_s[:, i])] = R_NOT_TRACKED
        reason[(reason < 0) & ~threatening[:, i]] = R_NOT_THREATENING
        earliest = np.maximum(firm_s[:, i] + battery.reaction_s, plan.busy_until_s[:, i])
        earliest = np.where(np.isfinite(firm_s[:, i]), earliest, np.inf)
        no_time = (reason < 0) & (earliest_intercept(geo, i, earliest) < 0)
        reason[no_time] = R_NOT_TRACKED
        if live_track is not None:
            no_live = (reason < 0) & (earliest_intercept(shot_geo, i, earliest) < 0)
            reason[no_live] = R_TRACK_LOST
        active = alive & (reason < 0)
        fired = np.zeros(trials, dtype=np.int64)
        last_int = np.full(trials, -np.inf)
        not_before = earliest
        for v, count in enumerate(volleys):
            go = active & (plan.outcome[:, i] != INTERCEPTED)  # a look shows it still flying
            if v > 0:
                go &= fired > 0
            for s in range(count):
                k = earliest_intercept(shot_geo, i, not_before)
                channel = np.argmin(channel_free, axis=1)
                t_free = np.maximum(not_before, channel_free[all_t, channel])
                k2 = earliest_intercept(shot_geo, i, t_free)
                short_channels = go & (k >= 0) & (k2 < 0)
                out_of_stock = go & (k2 >= 0) & (inventory <= 0)
                shoot = go & (k2 >= 0) & (inventory > 0)
                if v == 0 and s == 0:
                    reason[short_channels & (fired == 0)] = R_CHANNELS
                    reason[out_of_stock & (fired == 0)] = R_INVENTORY
                kk = np.maximum(k2, 0)
                t_launch = np.where(shoot, np.maximum(geo.launch_s[i][kk], t_free), np.nan)
                t_int = np.where(shoot, geo.t_s[i][kk], np.nan)
                sigma = handover_sigma_m(all_t, i, np.where(shoot, t_int, 0.0))
                p = kill_probability(interceptor, sigma)
                if sspk is not None:
                    p = p * (sspk / interceptor.sspk)
                p = np.where(shoot, p, 0.0)
                kill = shoot & (rng.random(trials) < p)
                newly = kill & (plan.outcome[:, i] != INTERCEPTED)
                plan.killed_at_s[:, i] = np.where(newly, t_int, plan.killed_at_s[:, i])
                plan.by_battery[:, i] = np.where(newly, battery_index, plan.by_battery[:, i])
                plan.by_shot[:, i] = np.where(newly, fired + 1, plan.by_shot[:, i])
                plan.outcome[:, i] = np.where(newly, INTERCEPTED, plan.outcome[:, i])
                inventory -= shoot
                fired += shoot
                last_int = np.where(shoot, np.fmax(last_int, t_int), last_int)
                channel_free[all_t, channel] = np.where(shoot, t_int,
                                                        channel_free[all_t, channel])
                if shoot.any():
                    plan.shots.append({
                        "trial": all_t[shoot], "threat": np.full(shoot.sum(), i),
                        "battery": np.full(shoot.sum(), battery_index),
                        "shot": fired[shoot].copy(), "launch_s": t_launch[shoot],
                        "intercept_s": t_int[shoot], "intercept_alt_m": geo.alt_m[i][kk][shoot],
                        "p_kill": p[shoot], "killed": kill[shoot]})
                not_before = np.where(shoot, t_launch + battery.launch_interval_s, not_before)
                go = go & shoot
            # the next volley waits for the kill assessment of this one
            not_before = np.where(fired > 0, np.maximum(not_before, last_int
                                                        + battery.kill_assessment_s),
                                  not_before)
        engaged = fired > 0
        reason[engaged & (plan.outcome[:, i] == INTERCEPTED)] = R_KILLED
        reason[engaged & (plan.outcome[:, i] != INTERCEPTED)] = R_ALL_SHOTS_MISSED
        plan.outcome[:, i] = np.where(engaged & (plan.outcome[:, i] != INTERCEPTED), LEAKED,
                                      plan.outcome[:, i])
        # keep the reason of the battery that came closest to engaging
        old = plan.reason[:, i]
        rank_new = _rank(reason)
        plan.reason[:, i] = np.where(rank_new >= _rank(old), reason, old)
        plan.busy_until_s[:, i] = np.where(engaged, last_int + battery.kill_assessment_s,
                                           plan.busy_until_s[:, i])
    return plan


def _rank(reason: IntArray) -> IntArray:
    """Order of reasons: fired (killed or missed) beats every not-engaged reason."""
    table = np.full(len(REASONS) + 1, -1)
    for r, code in enumerate(_REASON_RANK):
        table[code] = r
    for code in (R_ALL_SHOTS_MISSED, R_KILLED, *MISSED_COASTING):
        table[code] = len(_REASON_RANK) + 1
    return table[np.where(reason < 0, len(REASONS), reason)]


def shots_table(plan: Plan) -> Shots:
    """The plan's shots as one tidy table."""

    def col(name: str, dtype: type) -> npt.NDArray[Any]:
        parts = [np.asarray(s[name]) for s in plan.shots]
        return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype=dtype)

    return Shots(trial=col("trial", np.int64), threat=col("threat", np.int64),
                 battery=col("battery", np.int64), shot=col("shot", np.int64),
                 launch_s=col("launch_s", np.float64), intercept_s=col("intercept_s", np.float64),
                 intercept_alt_m=col("intercept_alt_m", np.float64),
                 p_kill=col("p_kill", np.float64), killed=col("killed", np.bool_))
