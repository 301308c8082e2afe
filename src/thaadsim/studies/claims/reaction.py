"""Claim 6: "North Korea will answer THAAD with missiles it cannot stop."

For each answer (the salvo, the flattened KN-23, the SLBM from behind the face, the glide
vehicle) the numbers of :func:`thaadsim.studies.reaction.reaction_numbers` (computed once
per version and cached, :mod:`thaadsim.cache`), and a verdict by one rule
(:func:`answer_verdict`): an answer the defense as deployed kills in fewer than half the
trials is one "it cannot stop" (supported); if a stated fix (a second sensor, a manoeuvre
filter) restores a kill in half the trials or more, the claim is only partly supported; an
answer the defense kills as deployed does not support it. The claim's verdict joins the
answers' (:func:`overall_verdict`). Decoys are left out: no discrimination model is on
main, so no verdict is given for them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from thaadsim.studies.claims.common import CLAIMS, Claim, RunRecord
from thaadsim.studies.reaction import KILL_THRESHOLD

CLAIM6 = CLAIMS[6]
DECOYS_LEFT_OUT = ("decoys: left out, no verdict; this version has no model of the radar's "
                   "discrimination of decoys and debris")


@dataclass(frozen=True, kw_only=True)
class ReactionFigure:
    """What claim 6's figure draws: per answer, the share killed as deployed and with the
    fix (NaN: no fix tried)."""

    answers: tuple[str, ...]
    killed_as_deployed: tuple[float, ...]
    killed_with_fix: tuple[float, ...]
    verdicts: tuple[str, ...]


def answer_verdict(killed_as_deployed: float, killed_with_fix: float | None) -> str:
    """The rule of the module docstring."""
    if killed_as_deployed >= KILL_THRESHOLD:
        return "not supported"
    if killed_with_fix is not None and killed_with_fix >= KILL_THRESHOLD:
        return "partly supported"
    return "supported"


def overall_verdict(verdicts: Sequence[str]) -> str:
    """Supported only if every answer is; not supported only if none is."""
    if verdicts and all(v == "supported" for v in verdicts):
        return "supported"
    if all(v == "not supported" for v in verdicts):
        return "not supported"
    return "partly supported"


def reaction_cached() -> dict[str, Any]:
    """:func:`~thaadsim.studies.reaction.reaction_numbers`, kept per version, under a name
    with the start of the version key: two installed versions sharing a user's cache keep
    one entry each instead of overwriting one in turn (each run of the other would then
    recompute the study, seconds, as :func:`thaadsim.studies.validation.cache_entry`)."""
    from thaadsim.cache import cached, version_key
    from thaadsim.studies.reaction import reaction_numbers

    value: dict[str, Any] = cached(f"reaction-{version_key()[:16]}", reaction_numbers).value
    return value


def claim_reaction(out: RunRecord | None = None, data: dict[str, Any] | None = None) -> Claim:
    """Claim 6 from ``data`` (default: the cached study; it is the same for every run,
    standard cases at the Seongju battery)."""
    d = data if data is not None else reaction_cached()
    names: list[str] = []
    dep: list[float] = []
    fix: list[float] = []
    verdicts: list[str] = []
    numbers: dict[str, float | str] = {}
    for case in d["slbm"]:
        a, b = case["alone"], case["with_second"]
        name = f"SLBM, {case['label']}"
        names.append(name)
        dep.append(a["killed"])
        fix.append(b["killed"])
        verdicts.append(answer_verdict(a["killed"], b["killed"]))
        for tag, r in (("Seongju alone", a), ("with second sensor", b)):
            numbers[f"{name}, {tag}: detected (share)"] = round(r["detected"], 3)
            numbers[f"{name}, {tag}: engaged (share)"] = round(r["engaged"], 3)
            numbers[f"{name}, {tag}: killed (share)"] = round(r["killed"], 3)
            numbers[f"{name}, {tag}: reason"] = r["reason"]
        numbers[f"{name}: second sensor"] = case["second_sensor"]
    flat, ball = d["flattened"]["depressed"], d["flattened"]["min-energy"]
    names.append("flattened KN-23 at Seongju")
    dep.append(flat["killed"])
    fix.append(float("nan"))
    verdicts.append(answer_verdict(flat["killed"], None))
    for tag, r in (("flattened", flat), ("minimum-energy, same range", ball)):
        numbers[f"KN-23 {tag}: apogee (km)"] = r["apogee_km"]
        numbers[f"KN-23 {tag}: time in band (s)"] = r["time_in_band_s"]
        numbers[f"KN-23 {tag}: engaged (share)"] = round(r["engaged"], 3)
        numbers[f"KN-23 {tag}: killed (share)"] = round(r["killed"], 3)
        numbers[f"KN-23 {tag}: reason"] = r["reason"]
    s = d["salvo"]
    names.append("salvo at Seongju")
    n50 = s["leaks_more_often_than_not"]
    # the salvo 'defeats' the battery when some raid up to twice the magazine leaks more
    # often than not (claim 3's rule); no fix is tried
    dep.append(0.0 if n50 is not None else 1.0)
    fix.append(float("nan"))
    verdicts.append("supported" if n50 is not None else "not supported")
    numbers["salvo: Seongju inventory (interceptors)"] = float(s["inventory"])
    numbers["salvo: missiles that exhaust the first volleys"] = float(s["exhausting_salvo"])
    numbers["salvo: smallest raid with P(no leak) < 50%"] = (
        float(n50) if n50 is not None else "none up to 2x inventory")
    g = d["glide"]
    names.append(f"glide vehicle ({g['missile']})")
    dep.append(g["pk_ballistic_filter"])
    fix.append(g["pk_manoeuvre_filter"])
    verdicts.append(answer_verdict(g["pk_ballistic_filter"], g["pk_manoeuvre_filter"]))
    numbers["glide: time in band (s)"] = g["time_in_band_s"]
    numbers["glide: P(kill), ballistic tracker"] = g["pk_ballistic_filter"]
    numbers["glide: P(kill), manoeuvre tracker"] = g["pk_manoeuvre_filter"]
    numbers["decoys"] = DECOYS_LEFT_OUT
    for n, v in zip(names, verdicts, strict=True):
        numbers[f"verdict: {n}"] = v
    verdict = overall_verdict(verdicts)
    holds = [n for n, v in zip(names, verdicts, strict=True) if v == "supported"]
    partly = [n for n, v in zip(names, verdicts, strict=True) if v == "partly supported"]
    fails = [n for n, v in zip(names, verdicts, strict=True) if v == "not supported"]
    summary = (
        f"Answers the Seongju battery as deployed cannot stop: {', '.join(holds) or 'none'}. "
        + (f"Stopped once a second sensor or a manoeuvre tracker is added: "
           f"{', '.join(partly)}. " if partly else "")
        + (f"Where the claim fails (killed in at least half the trials as deployed): "
           f"{', '.join(fails)}. " if fails else "")
        + f"The flattened KN-23 spends {flat['time_in_band_s']:.0f} s in the band against "
        f"{ball['time_in_band_s']:.0f} s on a minimum-energy flight of the same range. "
        "Decoys are not judged (no discrimination model).")
    fig = ReactionFigure(answers=tuple(names), killed_as_deployed=tuple(dep),
                         killed_with_fix=tuple(fix), verdicts=tuple(verdicts))
    return Claim(number=6, claim=CLAIM6, verdict=verdict, summary=summary, numbers=numbers,
                 figure=fig)


__all__ = ["CLAIM6", "DECOYS_LEFT_OUT", "ReactionFigure", "answer_verdict",
           "claim_reaction", "overall_verdict", "reaction_cached"]
