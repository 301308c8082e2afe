"""North Korea's answers to THAAD, from this version's physics (issue 16, part 2).

* **The SLBM from behind the face**: the KN-23-derived SLBM (``kn-23-slbm``) fired from the
  sea where the Seongju radar's face (boresight 330 deg, +-60 deg: sites.yaml's assumption)
  does not look, offered to the Seongju battery with its own radar alone and with a second
  sensor (:data:`SLBM_CASES`): detected, engaged, killed (shares of Monte Carlo trials).
* **The flattened KN-23**: the KN-23 on its depressed profile against the same missile on
  its minimum-energy trajectory of the same range, near Wonsan at Seongju: time inside the
  40-150 km band, engaged, killed.
* **The salvo**: how many missiles exhaust the Seongju battery's magazine and how many leak
  one more often than not (claim 3's closed form, :func:`~thaadsim.studies.claims.
  saturation.p_no_leak_with_inventory`, with the battery's inventory and doctrine).
* **Decoys**: :func:`thaadsim.studies.decoys.decoy_study`: a Nodong with three replica
  decoys, light or heavy, at Busan and at Seongju; when the Seongju radar tells them from
  the warhead by their deceleration (:mod:`thaadsim.systems.discrimination`), the
  interceptors spent on them and the magazine left.
* **The glide vehicle**: :func:`thaadsim.studies.manoeuvre.manoeuvre_study` of the
  Hwasong-16B class on its depressed flight: the kill probability with the ballistic
  tracker and with a manoeuvre process noise.

Studies return data (plain dicts of numbers, JSON-ready so that :func:`reaction_numbers`
can be cached per version); :mod:`thaadsim.studies.claims.reaction` turns them into the
sixth claim's verdict.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from thaadsim.engagement import DefendedAsset, Defense, RaidThreat, simulate
from thaadsim.physics.geodesy import ecef_to_geodetic
from thaadsim.systems import fire_control as fc
from thaadsim.systems.catalog import get_missile, get_site
from thaadsim.systems.sensors import Sensor, sensor_at

SEONGJU_BORESIGHT_DEG = 330.0
"""The Seongju face's pointing (sites.yaml's assumption, as korea-2026)."""
KOREA_STRAIT_SOUTH = (33.0, 129.0)
"""Assumption: a submarine launch point ~240 km south of Busan, south-west of Tsushima in
the deep water of the Korea Strait's southern approach; no North Korean patrol there has
been reported. Chosen to test an SLBM from due south, outside the Seongju face."""
WONSAN = (39.17, 127.45)
"""Near Wonsan: the 25 Jul 2019 KN-23 flights were launched near Wonsan (ROK JCS via
Yonhap), as korea-2026."""
KILL_THRESHOLD = 0.5
"""An answer defeats the defense when the defense kills it in fewer than half the trials."""


@dataclass(frozen=True)
class SlbmCase:
    label: str
    launch: tuple[float, float]
    aim: str
    second: tuple[str, str, float | None, str]
    """The second sensor: (site, mode, boresight deg or None for the site's own, why)."""


SLBM_CASES: tuple[SlbmCase, ...] = (
    SlbmCase("East Sea patrol box at Seongju", (36.5, 130.8), "seongju",
             ("kyogamisaki", "forward-based", None,
              "the forward-based AN/TPY-2 at Kyogamisaki, Japan (DoD, 26 Dec 2014), facing "
              "300 deg (sites.yaml's assumption)")),
    SlbmCase("East Sea patrol box at Busan", (36.5, 130.8), "busan",
             ("seongju", "terminal", 90.0,
              "a second AN/TPY-2 face at Seongju pointed east at 90 deg (assumption: a "
              "second radar or a re-pointed one; none is reported)")),
    SlbmCase("south of Busan at Busan", KOREA_STRAIT_SOUTH, "busan",
             ("seongju", "terminal", 170.0,
              "a second AN/TPY-2 face at Seongju pointed south at 170 deg (assumption: a "
              "second radar or a re-pointed one; none is reported)")),
)
"""Where the SLBM is fired from, at what, and the second sensor tried: east-sea-patrol
(sites.yaml, an assumption: ~240 km east of Seongju) and :data:`KOREA_STRAIT_SOUTH`."""


def seongju_sensor() -> Sensor:
    return sensor_at("seongju", "terminal", SEONGJU_BORESIGHT_DEG, battery="seongju")


def _defense(aim: tuple[float, float], sensors: tuple[Sensor, ...],
             engage_all: bool = True) -> Defense:
    return Defense(batteries=(fc.get_battery("seongju"),), sensors=sensors,
                   assets=(DefendedAsset(name="aim", lat_deg=aim[0], lon_deg=aim[1],
                                         radius_m=20e3),), engage_all=engage_all)


def engagement_shares(missile: str, launch: tuple[float, float], aim: tuple[float, float],
                      sensors: tuple[Sensor, ...], *, shape: str = "min-energy",
                      trials: int = 20, seed: int = 1,
                      band_m: tuple[float, float] = (40e3, 150e3),
                      engage_all: bool = True) -> dict[str, Any]:
    """One missile at the Seongju battery with ``sensors``: shares of the trials in which
    it was detected (a firm track), engaged (a shot opportunity) and killed, the commonest
    reason, its apogee and its time inside ``band_m``. ``engage_all`` false: fire control
    engages only a threat whose predicted impact falls within 20 km of the aim point."""
    th = RaidThreat(missile=get_missile(missile), launch_lat_deg=launch[0],
                    launch_lon_deg=launch[1], aim_lat_deg=aim[0], aim_lon_deg=aim[1],
                    shape=shape)
    res = simulate([th], _defense(aim, sensors, engage_all), trials=trials, seed=seed)
    tab = res.threats
    reasons, counts = np.unique(tab["reason"], return_counts=True)
    y = res.extra["y_grid"][0]
    t = res.extra["t_grid"][0]
    ok = np.isfinite(t) & np.isfinite(y[:, 0])
    alt = ecef_to_geodetic(y[ok, :3])[2]
    step = float(np.median(np.diff(t[ok]))) if ok.sum() > 1 else 0.0
    inside = (alt >= band_m[0]) & (alt <= band_m[1])
    return {
        "detected": float(np.mean(np.isfinite(tab["firm_track_s"]))),
        "engaged": float(np.mean(tab["engageable"])),
        "killed": float(np.mean(tab["outcome_code"] == fc.INTERCEPTED)),
        "endangering": float(np.mean(tab["endangering"])),
        "reason": str(reasons[int(np.argmax(counts))]),
        "apogee_km": round(float(alt.max()) / 1e3, 1),
        "time_in_band_s": round(float(inside.sum()) * step, 1),
    }


def slbm_study(trials: int = 20, seed: int = 1) -> list[dict[str, Any]]:
    """Each :data:`SLBM_CASES` case with Seongju's radar alone and with the second sensor."""
    out = []
    for case in SLBM_CASES:
        aim_site = get_site(case.aim)
        aim = (aim_site.lat_deg, aim_site.lon_deg)
        site, mode, boresight, why = case.second
        second = sensor_at(site, mode, boresight, name=f"second-{site}")
        alone = engagement_shares("kn-23-slbm", case.launch, aim, (seongju_sensor(),),
                                  trials=trials, seed=seed)
        both = engagement_shares("kn-23-slbm", case.launch, aim,
                                 (seongju_sensor(), second), trials=trials, seed=seed)
        out.append({"label": case.label, "launch": list(case.launch), "aim": case.aim,
                    "second_sensor": why, "alone": alone, "with_second": both})
    return out


def flattened_study(range_target: str = "seongju", trials: int = 20,
                    seed: int = 1) -> dict[str, Any]:
    """The KN-23 from near Wonsan at ``range_target`` on its depressed profile and on its
    minimum-energy trajectory (same launch, same aim), Seongju's radar alone, every threat
    engaged; and the depressed shot as korea-2026 runs it (``engage_all`` false: only a
    threat predicted to fall on a defended asset is engaged; the gliding KN-23's ballistic
    impact prediction falls short of it), key ``"depressed, engage_all false"``."""
    s = get_site(range_target)
    aim = (s.lat_deg, s.lon_deg)
    out = {shape: engagement_shares("kn-23", WONSAN, aim, (seongju_sensor(),), shape=shape,
                                    trials=trials, seed=seed)
           for shape in ("depressed", "min-energy")}
    out["depressed, engage_all false"] = engagement_shares(
        "kn-23", WONSAN, aim, (seongju_sensor(),), shape="depressed", trials=trials,
        seed=seed, engage_all=False)
    return out


def salvo_study() -> dict[str, Any]:
    """The salvo that exhausts the Seongju battery (first volleys alone) and the smallest
    that leaks one more often than not, from claim 3's closed form."""
    from thaadsim.studies.decoys import magazine_warheads, salvo_leaking

    b = fc.get_battery("seongju")
    doctrine = b.doctrine or "shoot-look-shoot"
    p = b.interceptor.sspk
    return {"inventory": int(b.inventory), "doctrine": doctrine, "sspk": float(p),
            "exhausting_salvo": magazine_warheads(b.inventory, doctrine, 0, 1.0) + 1,
            "leaks_more_often_than_not": salvo_leaking(b.inventory, doctrine, p, 0, 1.0)}


def glide_study(seed: int = 1) -> dict[str, Any]:
    """The Hwasong-16B class glide vehicle, 1,000 km depressed, tracked by the ballistic
    filter and by the manoeuvre filter (:func:`thaadsim.studies.manoeuvre.manoeuvre_study`)."""
    from thaadsim.studies.manoeuvre import manoeuvre_study

    s = manoeuvre_study("hwasong-16b", 1000.0, "depressed", trials=4, seed=seed)
    ballistic, manoeuvre = s.filters[0], s.filters[-1]
    return {"missile": s.missile, "range_km": s.range_km, "apogee_km": round(s.apogee_km, 1),
            "time_in_band_s": round(s.time_in_band_s, 1),
            "pk_ballistic_filter": round(ballistic.pk_achieved, 3),
            "pk_manoeuvre_filter": round(manoeuvre.pk_achieved, 3)}


def reaction_numbers(trials: int = 20, seed: int = 1) -> dict[str, Any]:
    """All five answers' numbers (JSON-ready)."""
    from thaadsim.studies.decoys import decoy_study

    return {"slbm": slbm_study(trials, seed), "flattened": flattened_study(trials=trials,
                                                                           seed=seed),
            "salvo": salvo_study(), "glide": glide_study(seed),
            "decoys": decoy_study(trials, seed)}


__all__ = ["KILL_THRESHOLD", "KOREA_STRAIT_SOUTH", "SLBM_CASES", "SlbmCase",
           "engagement_shares", "flattened_study", "glide_study", "reaction_numbers",
           "salvo_study", "seongju_sensor", "slbm_study"]
