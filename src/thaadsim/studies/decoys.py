"""Decoys as North Korea's answer to THAAD, with their discrimination from physics.

For each case (:data:`DECOY_CASES`: a Nodong from Hwangju at Busan, and at Seongju, with
:data:`DECOYS_PER_WARHEAD` replica decoys light or heavy) :func:`decoy_case` asks

1. when the Seongju radar tells a decoy from the warhead
   (:func:`thaadsim.systems.discrimination.discriminate`: the decoy's altitude then, and the
   probability by the battery's first launch, the engine's median first launch at the
   warhead alone, and by its last feasible launch), through
   :func:`thaadsim.scenario.warhead_alone`, the one function that also resolves a
   scenario's ``discrimination: physics`` (its warhead alone run once for the light and
   the heavy case);
2. what fire control spends on the decoys it cannot tell apart and whether the warhead
   leaks (:func:`thaadsim.engagement.simulate` with :class:`~thaadsim.engagement.Decoys`
   whose ``discrimination`` is that probability at the first launch: *as deployed*);
3. the same with fire control holding fire for discrimination (the probability at the last
   feasible launch, one interceptor a threat: ``salvo-1``, no time for a look: *the fix*).

The decoys are replicas in cross-section (the warhead's 0.1 m², so the exo-atmospheric
cross-section tells nothing: :func:`~thaadsim.systems.discrimination.
rcs_discrimination_probability` ~0); they differ only in ballistic coefficient:
light (:data:`~thaadsim.systems.discrimination.LIGHT_DECOY_BETA_KGM2`) or heavy
(:data:`~thaadsim.systems.discrimination.HEAVY_DECOY_BETA_FRACTION` of the warhead's).
Studies return data: JSON-ready dicts.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np

from thaadsim.engagement import Decoys, DefendedAsset, Defense, RaidThreat, Result, simulate
from thaadsim.scenario import WarheadAlone, warhead_alone
from thaadsim.studies.reaction import seongju_sensor
from thaadsim.systems import fire_control as fc
from thaadsim.systems.catalog import get_missile, get_site
from thaadsim.systems.discrimination import HEAVY_DECOY_BETA_FRACTION, LIGHT_DECOY_BETA_KGM2

HWANGJU = (38.65, 125.80)
"""Hwangju, the launch area of korea-2017's Nodong shots (that scenario's sources)."""
DECOYS_PER_WARHEAD = 3
"""Assumption: three decoys per warhead (a Nodong's ~1,000 kg payload could carry a few
light balloons or shells; heavy replicas cost warhead mass: Sessler et al. 2000)."""
WARHEAD_RCS_M2 = 0.1
"""The schema's default cross-section (assumption: between a nose-on RV's 0.01 m² and a
missile body's ~1 m²); the decoys are its replicas."""


@dataclass(frozen=True)
class DecoyCase:
    label: str
    missile: str
    launch: tuple[float, float]
    aim: str
    kind: str
    """'light' or 'heavy'."""


DECOY_CASES: tuple[DecoyCase, ...] = tuple(
    DecoyCase(f"Nodong at {aim.capitalize()}, {DECOYS_PER_WARHEAD} {kind} decoys", "nodong",
              HWANGJU, aim, kind)
    for aim in ("busan", "seongju") for kind in ("light", "heavy"))


def decoy_beta_kgm2(kind: str, warhead_beta_kgm2: float) -> float:
    """The decoy's ballistic coefficient: light (an absolute figure) or heavy (a fraction
    of its warhead's)."""
    if kind == "light":
        return LIGHT_DECOY_BETA_KGM2.value
    if kind == "heavy":
        return HEAVY_DECOY_BETA_FRACTION.value * warhead_beta_kgm2
    raise ValueError(f"decoy kind: {kind!r}; allowed: 'light', 'heavy'")


def _objects_per_warhead(decoys: int, p_discriminated: float) -> float:
    """Objects fire control engages per warhead: the warhead and its ``decoys`` not told
    apart (the expected count)."""
    return 1.0 + decoys * (1.0 - float(np.clip(p_discriminated, 0.0, 1.0)))


def salvo_leaking(inventory: int, doctrine: str, p_kill: float, decoys: int,
                  p_discriminated: float) -> int | None:
    r"""The smallest raid of warheads, each with ``decoys`` decoys told apart with
    probability ``p_discriminated``, that leaks one more often than not: claim 3's closed
    form (:func:`~thaadsim.studies.claims.saturation.p_no_leak_with_inventory`) with the
    magazine in warheads' worth, :math:`\lfloor I / (1 + d(1-P)) \rfloor` (each decoy not
    told apart is engaged as a warhead is, by the doctrine; the expected count). None: no
    raid up to twice the inventory."""
    from thaadsim.studies.claims.saturation import saturation_curve

    magazine = int(np.floor(inventory / _objects_per_warhead(decoys, p_discriminated)))
    curve = saturation_curve(p_kill, fc.doctrine_shots(doctrine), magazine, 2 * inventory)
    below = np.flatnonzero(curve < 0.5)
    return int(below[0]) + 1 if below.size else None


def magazine_warheads(inventory: int, doctrine: str, decoys: int,
                      p_discriminated: float) -> int:
    r"""How many warheads the magazine covers with their first volleys when each brings
    ``decoys`` decoys told apart with probability :math:`P`:
    :math:`\lfloor I / (v_1 (1 + d(1-P))) \rfloor` (the expected objects engaged)."""
    return int(np.floor(inventory / (fc.doctrine_shots(doctrine)[0]
                                      * _objects_per_warhead(decoys, p_discriminated))))


def _shares(res: Result, trials: int) -> dict[str, Any]:
    """What one engagement of a warhead (with or without decoys) came to, over ``trials``."""
    t = res.threats
    killed = t["outcome_code"] == fc.INTERCEPTED
    at_decoy = np.asarray(res.shots.get("decoy", np.zeros(res.shots["trial"].size, bool)))
    firsts = (res.shots["shot"] == 1) & ~at_decoy
    first = res.shots["launch_s"][firsts]
    first_alt = res.shots["intercept_alt_m"][firsts]
    reasons, counts = np.unique(t["reason"], return_counts=True)
    return {"killed": float(np.mean(killed)),
            "leaked": float(np.mean(res.leaked)),
            "interceptors_per_trial": float(res.interceptors_used),
            "at_decoys_per_trial": float(np.sum(at_decoy)) / trials,
            "first_launch_s": float(np.median(first)) if first.size else float("nan"),
            "first_intercept_alt_km": (round(float(np.median(first_alt)) / 1e3, 1)
                                       if first.size else None),
            "reason": str(reasons[int(np.argmax(counts))])}


_ALONE: dict[tuple[Any, ...], WarheadAlone] = {}
"""The warhead alone, per (missile, launch, aim, trials, seed): the same for a light and a
heavy decoy case, computed once per process."""


def _warhead_alone(case: DecoyCase, warhead: RaidThreat, defense: Defense, trials: int,
                   seed: int) -> WarheadAlone:
    """The warhead without decoys (:func:`thaadsim.scenario.warhead_alone`), once per
    :data:`_ALONE` key."""
    key = (case.missile, case.launch, case.aim, trials, seed)
    if key not in _ALONE:
        _ALONE[key] = warhead_alone(warhead, defense, trials, seed)
    return _ALONE[key]


def decoy_case(case: DecoyCase, trials: int = 20, seed: int = 1) -> dict[str, Any]:
    """One :data:`DECOY_CASES` case (module docstring), JSON-ready."""
    missile = get_missile(case.missile)
    aim = get_site(case.aim)
    sensor = seongju_sensor()
    battery = fc.get_battery("seongju")
    defense = Defense(batteries=(battery,), sensors=(sensor,),
                      assets=(DefendedAsset(name=case.aim, lat_deg=aim.lat_deg,
                                            lon_deg=aim.lon_deg, radius_m=20e3),),
                      engage_all=True)
    warhead = RaidThreat(missile=missile, launch_lat_deg=case.launch[0],
                         launch_lon_deg=case.launch[1], aim_lat_deg=aim.lat_deg,
                         aim_lon_deg=aim.lon_deg, rcs_m2=WARHEAD_RCS_M2)
    alone = _warhead_alone(case, warhead, defense, trials, seed)
    beta_w = missile.rocket.reentry_beta_kgm2
    beta_d = decoy_beta_kgm2(case.kind, beta_w)
    d = alone.discrimination(beta_d, WARHEAD_RCS_M2)

    def with_decoys(p: float, bat: fc.Battery) -> dict[str, Any]:
        th = dataclasses.replace(warhead, decoys=Decoys(
            count=DECOYS_PER_WARHEAD, rcs_m2=WARHEAD_RCS_M2,
            discrimination=float(np.clip(p, 0.0, 1.0))))
        return _shares(simulate([th], dataclasses.replace(defense, batteries=(bat,)),
                                trials=trials, seed=seed), trials)

    hold = dataclasses.replace(battery, doctrine="salvo-1")
    doctrine = battery.doctrine or "shoot-look-shoot"
    km = 1e-3
    return {
        "label": case.label, "missile": case.missile, "aim": case.aim, "kind": case.kind,
        "decoys": DECOYS_PER_WARHEAD, "warhead_beta_kgm2": beta_w, "decoy_beta_kgm2": beta_d,
        "discriminated_alt_km": round(d.alt_m * km, 1) if np.isfinite(d.alt_m) else None,
        "discriminated_t_s": round(d.t_s, 1) if np.isfinite(d.t_s) else None,
        "first_launch_s": round(d.first_launch_s, 1),
        "warhead_alt_at_first_launch_km": round(d.first_launch_alt_m * km, 1),
        "last_launch_s": round(d.last_launch_s, 1),
        "last_intercept_alt_km": round(d.last_intercept_alt_m * km, 1),
        "band_floor_km": round(d.band_floor_m * km, 1),
        "p_rcs": round(d.p_rcs, 4),
        "p_first_launch": round(d.p_first_launch, 4),
        "p_last_launch": round(d.p_last_launch, 4),
        "no_decoys": _shares(alone.result, trials),
        "as_deployed": with_decoys(d.p_first_launch, battery),
        "hold_fire": with_decoys(d.p_last_launch, hold),
        "magazine_warheads": {
            "no_decoys": magazine_warheads(battery.inventory, doctrine, 0, 1.0),
            "as_deployed": magazine_warheads(battery.inventory, doctrine, DECOYS_PER_WARHEAD,
                                             d.p_first_launch),
            "hold_fire": magazine_warheads(battery.inventory, "salvo-1", DECOYS_PER_WARHEAD,
                                           d.p_last_launch)},
        "salvo_leaking": {
            "no_decoys": salvo_leaking(battery.inventory, doctrine, battery.interceptor.sspk,
                                       0, 1.0),
            "as_deployed": salvo_leaking(battery.inventory, doctrine,
                                         battery.interceptor.sspk, DECOYS_PER_WARHEAD,
                                         d.p_first_launch),
            "hold_fire": salvo_leaking(battery.inventory, "salvo-1", battery.interceptor.sspk,
                                       DECOYS_PER_WARHEAD, d.p_last_launch)},
    }


def decoy_study(trials: int = 20, seed: int = 1) -> list[dict[str, Any]]:
    """Every :data:`DECOY_CASES` case."""
    return [decoy_case(c, trials, seed) for c in DECOY_CASES]


__all__ = ["DECOYS_PER_WARHEAD", "DECOY_CASES", "HWANGJU", "WARHEAD_RCS_M2", "DecoyCase",
           "decoy_beta_kgm2", "decoy_case", "decoy_study", "magazine_warheads", "salvo_leaking"]
