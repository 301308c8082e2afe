"""Claim 6: "North Korea will answer THAAD with missiles it cannot stop."

For each answer (the salvo, the flattened KN-23, the SLBM from behind the face, the glide
vehicle, decoys) the numbers of :func:`thaadsim.studies.reaction.reaction_numbers` (computed once
per version and cached, :mod:`thaadsim.cache`), and a verdict by one rule
(:func:`answer_verdict`): an answer the defense as deployed kills in fewer than half the
trials is one "it cannot stop" (supported); if a stated fix (a second sensor, a manoeuvre
filter) restores a kill in half the trials or more, the claim is only partly supported; an
answer the defense kills as deployed does not support it. The claim's verdict joins the
answers' (:func:`overall_verdict`).

Decoys are judged by what they cost the magazine (:func:`decoy_verdict`): a battery kills a
lone warhead among its decoys as often as without them (it engages every object it cannot
tell apart), so the question is how many warheads its interceptors cover. Decoys that, as
deployed (told apart with the probability the radar's deceleration measurement gives by the
battery's first launch, :mod:`thaadsim.systems.discrimination`), halve the warheads the
magazine covers or worse support the claim; if holding fire until the last launch tells
them apart in time to restore at least half, the claim is only partly supported (and
holding fire costs the look: one shot a warhead); decoys that do not halve it do not
support it.

The flattened KN-23 is judged with every threat engaged (``engage_all``), the battery's
own question. korea-2026 runs it with ``engage_all`` false: the gliding KN-23's ballistic
impact prediction falls short of the assets, so the THAAD battery does not engage it
("aimed away from the defended assets"), and that scenario's table shows the reason of the
battery that came closest to engaging it, a Patriot's "outside the interceptor's reach"
(:data:`thaadsim.systems.fire_control._REASON_RANK`); neither kills it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from thaadsim.studies.claims.common import CLAIMS, Claim, RunRecord
from thaadsim.studies.reaction import KILL_THRESHOLD

CLAIM6 = CLAIMS[6]
DECOY_HALF = 0.5
"""Decoys 'defeat' the magazine when the warheads it covers fall below this share."""


@dataclass(frozen=True, kw_only=True)
class ReactionFigure:
    """What claim 6's figure draws: per answer, the share killed as deployed and with the
    fix (NaN: no fix tried); for decoys, the share of the warheads the magazine covers
    without decoys that it still covers."""

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


def decoy_verdict(covered_without: int, covered_as_deployed: int,
                  covered_with_fix: int) -> str:
    """The decoys' rule of the module docstring, on the warheads the magazine covers
    (:func:`thaadsim.studies.decoys.magazine_warheads`) without decoys, with them as
    deployed, and with fire control holding fire for discrimination."""
    if covered_as_deployed >= DECOY_HALF * covered_without:
        return "not supported"
    if covered_with_fix >= DECOY_HALF * covered_without:
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
    """:func:`~thaadsim.studies.reaction.reaction_numbers`, kept per version, one entry per
    installed version (:func:`thaadsim.cache.per_version`)."""
    from thaadsim.cache import cached, per_version
    from thaadsim.studies.reaction import reaction_numbers

    value: dict[str, Any] = cached(per_version("reaction"), reaction_numbers).value
    return value


def _decoy_answers(cases: Sequence[dict[str, Any]], names: list[str], dep: list[float],
                   fix: list[float], verdicts: list[str],
                   numbers: dict[str, float | str]) -> list[str]:
    """Claim 6's decoy answers (:func:`thaadsim.studies.decoys.decoy_study`) appended to
    the answers' lists; their names."""
    out = []
    for c in cases:
        name = f"decoys, {c['label']}"
        mag = c["magazine_warheads"]
        v = decoy_verdict(mag["no_decoys"], mag["as_deployed"], mag["hold_fire"])
        names.append(name)
        out.append(name)
        # the figure's bar for decoys: the share of the warheads the magazine covers
        base = max(mag["no_decoys"], 1)
        dep.append(mag["as_deployed"] / base)
        fix.append(mag["hold_fire"] / base)
        verdicts.append(v)
        alt = c["discriminated_alt_km"]
        numbers[f"{name}: decoy ballistic coefficient (kg/m2)"] = c["decoy_beta_kgm2"]
        numbers[f"{name}: told apart at altitude (km)"] = (
            alt if alt is not None else "never (re-entry not seen by the face)")
        first_alt = c["no_decoys"].get("first_intercept_alt_km")
        numbers[f"{name}: THAAD's first intercept altitude (km)"] = (
            first_alt if first_alt is not None else "none")
        numbers[f"{name}: last intercept altitude (km)"] = c["last_intercept_alt_km"]
        numbers[f"{name}: P(told apart) by the first launch"] = c["p_first_launch"]
        numbers[f"{name}: P(told apart) by the last launch"] = c["p_last_launch"]
        for tag, key in (("as deployed", "as_deployed"), ("holding fire", "hold_fire")):
            r = c[key]
            numbers[f"{name}, {tag}: warhead killed (share)"] = round(r["killed"], 3)
            numbers[f"{name}, {tag}: interceptors at decoys per warhead"] = round(
                r["at_decoys_per_trial"], 2)
            numbers[f"{name}, {tag}: warheads the magazine covers"] = float(mag[key])
        numbers[f"{name}: warheads the magazine covers without decoys"] = float(
            mag["no_decoys"])
    return out


def _decoy_sentence(cases: Sequence[dict[str, Any]], names: Sequence[str]) -> str:
    if not cases:
        return "Decoys are not judged (no decoy study in this version's data)."
    parts = []
    for c in cases:
        alt = c["discriminated_alt_km"]
        where = (f"told apart at {alt:.0f} km" if alt is not None
                 else "never told apart (their re-entry is outside the face)")
        first_alt = c["no_decoys"].get("first_intercept_alt_km")
        when = ("" if alt is None else
                (f" (THAAD's first intercept at {first_alt:.0f} km)"
                 if first_alt is not None else "")
                + (", before THAAD's last launch" if c["p_last_launch"] >= 0.5 else
                   ", after THAAD's last launch"))
        mag = c["magazine_warheads"]
        parts.append(f"{c['label']}: {where}{when}; "
                     f"{c['as_deployed']['at_decoys_per_trial']:.1f} interceptors at decoys "
                     f"per warhead, the magazine covers {mag['as_deployed']} warheads "
                     f"instead of {mag['no_decoys']}")
    return ("Decoys (replicas in cross-section: in the exo-atmosphere they cannot be told "
            "apart): " + "; ".join(parts) + ".")


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
    k26 = d["flattened"].get("depressed, engage_all false")
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
    if k26:
        numbers["KN-23 flattened, only threats predicted on an asset engaged (korea-2026): "
                "killed (share)"] = round(k26["killed"], 3)
        numbers["KN-23 flattened, only threats predicted on an asset engaged (korea-2026): "
                "reason"] = k26["reason"]
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
    decoy_names = _decoy_answers(d.get("decoys", []), names, dep, fix, verdicts, numbers)
    for n, v in zip(names, verdicts, strict=True):
        numbers[f"verdict: {n}"] = v
    verdict = overall_verdict(verdicts)
    holds = [n for n, v in zip(names, verdicts, strict=True) if v == "supported"]
    partly = [n for n, v in zip(names, verdicts, strict=True) if v == "partly supported"]
    fails = [n for n, v in zip(names, verdicts, strict=True) if v == "not supported"]
    summary = (
        f"Answers the Seongju battery as deployed cannot stop: {', '.join(holds) or 'none'}. "
        + (f"Stopped once a fix is added (a second sensor, a manoeuvre tracker, fire control "
           f"holding fire until decoys are told apart): {', '.join(partly)}. "
           if partly else "")
        + (f"Where the claim fails (the defense as deployed stops it): "
           f"{', '.join(fails)}. " if fails else "")
        + f"The flattened KN-23 spends {flat['time_in_band_s']:.0f} s in the band against "
        f"{ball['time_in_band_s']:.0f} s on a minimum-energy flight of the same range"
        + (f"; as korea-2026 runs it (only threats predicted on an asset engaged) it is "
           f"killed in {k26['killed']:.0%} of trials ({k26['reason']}: its glide carries it "
           "past the ballistic impact prediction; korea-2026's table names the reason of the "
           "battery that came closest, a Patriot's)" if k26 else "")
        + ". " + _decoy_sentence(d.get("decoys", []), decoy_names))
    fig = ReactionFigure(answers=tuple(names), killed_as_deployed=tuple(dep),
                         killed_with_fix=tuple(fix), verdicts=tuple(verdicts))
    return Claim(number=6, claim=CLAIM6, verdict=verdict, summary=summary, numbers=numbers,
                 figure=fig)


__all__ = ["CLAIM6", "DECOY_HALF", "ReactionFigure", "answer_verdict", "claim_reaction",
           "decoy_verdict", "overall_verdict", "reaction_cached"]
