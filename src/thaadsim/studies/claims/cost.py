"""Claim 5: "THAAD's interceptors cost more than the missiles they stop."

Interceptors spent per threat stopped in the run times the interceptor's unit cost,
against the threat's unit cost (``thaadsim/data/costs.yaml``, each estimate with its
public source), and what the claim leaves out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from thaadsim.errors import CatalogError
from thaadsim.studies.claims.common import (
    CLAIMS,
    Claim,
    RunRecord,
    battery_doctrine,
    kill_probability,
)
from thaadsim.systems import fire_control as fc
from thaadsim.systems.catalog import (
    Figure,
    _figure,
    _read_yaml,
    get_missile,
)
from thaadsim.systems.interceptor import Interceptor


@dataclass(frozen=True, kw_only=True)
class Costs:
    """Unit costs of the threats (US dollars) and context figures, with their provenance."""

    missiles: Mapping[str, Figure]
    context: Mapping[str, Figure]


@dataclass(frozen=True, kw_only=True)
class CostFigure:
    """What claim 5's figure draws: each threat's unit cost against the interceptor cost
    of stopping it."""

    costs: Costs
    interceptor: Interceptor
    per_kill: float
    """Interceptors per kill of the doctrine."""
    doctrine: str
    ratios: Mapping[str, float]
    """Defender/attacker cost ratio by missile."""
    basis: str
    """``run`` (the run's spending) or ``doctrine`` (its expectation)."""


def load_costs(path: str | Path | None = None) -> Costs:
    """Read ``thaadsim/data/costs.yaml`` (or ``path``): every figure checked as in the other
    catalogs (a value with a source or an assumption, low <= value <= high)."""
    raw, name = _read_yaml("costs.yaml", path)
    sections: dict[str, dict[str, Figure]] = {}
    for section in ("missiles", "context"):
        entries = raw.get(section)
        if not isinstance(entries, Mapping):
            raise CatalogError(f"{name}: {section}: expected a mapping of slugs to figures")
        sections[section] = {}
        for slug, entry in entries.items():
            fig = _figure(entry, f"{name}: {section}.{slug}")
            if not fig.value > 0:
                raise CatalogError(f"{name}: {section}.{slug}: value {fig.value!r} must be "
                                   "positive")
            sections[section][str(slug)] = fig
    return Costs(missiles=sections["missiles"], context=sections["context"])


@cache
def cost_catalog() -> Costs:
    """The shipped costs, loaded once."""
    return load_costs()


def usd(value: float) -> str:
    """$19.7M, $300k, $30k."""
    if value >= 1e9:
        return f"${value / 1e9:.2g}B"
    if value >= 1e6:
        return f"${value / 1e6:.3g}M"
    return f"${value / 1e3:.3g}k"


def times(ratio: float) -> str:
    """16, 1.9, 0.93."""
    return f"{ratio:,.0f}" if ratio >= 10 else f"{ratio:.2g}"


def interceptors_per_kill(p_kill: float, volleys: Sequence[int]) -> float:
    r"""Expected interceptors fired per threat killed by a doctrine with time for every
    volley: :math:`(v_1 + q^{v_1} v_2) / (1 - q^{v_1 + v_2})`, :math:`q = 1 - p`."""
    q = 1.0 - p_kill
    fired = float(volleys[0]) + sum(q ** sum(volleys[:i]) * v
                                    for i, v in enumerate(volleys) if i > 0)
    return fired / (1.0 - q ** sum(volleys))


def claim_cost(out: RunRecord) -> Claim:
    res = out.result
    costs = cost_catalog()
    first = out.defense.batteries[0]
    icpt = first.interceptor
    battery_cost = np.array([b.interceptor.cost_usd
                             for b in out.defense.batteries])
    shot_missile = np.array([out.raid[int(i)].missile.slug for i in res.shots["threat"]])
    shot_cost = battery_cost[res.shots["battery"]]
    killed = res.per_trial("outcome_code") == fc.INTERCEPTED
    kill_missile = np.array([th.missile.slug for th in out.raid])
    doctrine = battery_doctrine(out, first)
    p = kill_probability(out, icpt)
    per_kill = interceptors_per_kill(p, fc.doctrine_shots(doctrine))
    numbers: dict[str, float | str] = {
        f"{icpt.slug} interceptor unit cost (USD)": icpt.cost_usd,
        f"{icpt.slug} interceptor cost source": icpt.figures["cost_usd"].provenance,
        f"{doctrine}: expected interceptors per kill (p={p:g})": round(per_kill, 3),
        f"{doctrine}: expected interceptor cost per kill (USD)": round(per_kill * icpt.cost_usd,
                                                                      -3),
    }
    kills = int(killed.sum())
    ratios: dict[str, float] = {}
    if kills:
        total = float(shot_cost.sum())
        numbers["run: interceptors per threat stopped"] = round(res.shots["trial"].size / kills, 3)
        numbers["run: interceptor cost per threat stopped (USD)"] = round(total / kills, -3)
        for m in dict.fromkeys(th.missile.slug for th in out.raid):
            k = int(killed[:, kill_missile == m].sum())
            if k == 0 or m not in costs.missiles:
                continue
            spent = float(shot_cost[shot_missile == m].sum()) / k
            ratios[m] = spent / costs.missiles[m].value
            numbers[f"run: {m}: interceptor cost per {m} stopped (USD)"] = round(spent, -3)
    basis = "run"
    if not ratios:
        basis = "doctrine"
        # only what entered the band can be stopped: else every missile that can be
        wanted = [tr.missile for tr in out.tracks
                  if tr.time_in_band_s > 0 and tr.missile in costs.missiles] or [
            s for s in costs.missiles if get_missile(s).missile_class != "artillery-rocket"]
        for m in dict.fromkeys(wanted):
            ratios[m] = per_kill * icpt.cost_usd / costs.missiles[m].value
    for m in dict.fromkeys([*(th.missile.slug for th in out.raid), *ratios]):
        if m not in costs.missiles:
            numbers[f"{m} unit cost (USD)"] = "no estimate in costs.yaml"
            continue
        fig = costs.missiles[m]
        numbers[f"{m} unit cost (USD)"] = fig.value
        numbers[f"{m} unit cost range (USD)"] = (
            f"{usd(fig.low if fig.low is not None else fig.value)}-"
            f"{usd(fig.high if fig.high is not None else fig.value)}")
        numbers[f"{m} unit cost provenance"] = fig.provenance
    for m, r in ratios.items():
        numbers[f"{m}: defender/attacker cost ratio ({basis})"] = round(r, 2)
    battery = costs.context.get("thaad-battery")
    if battery is not None:
        numbers["THAAD battery cost (USD)"] = battery.value
        numbers["THAAD battery cost provenance"] = battery.provenance
    if all(r > 1.0 for r in ratios.values()):
        verdict = "supported"
    elif any(r > 1.0 for r in ratios.values()):
        verdict = "partly supported"
    else:
        verdict = "not supported"
    worst = min(ratios, key=lambda m: ratios[m])
    best = max(ratios, key=lambda m: ratios[m])
    if basis == "run":
        spent_all = float(shot_cost.sum()) / kills
        lead = (f"In this run each threat stopped took {res.shots['trial'].size / kills:.2f} "
                f"interceptors ({usd(icpt.cost_usd)} each), {usd(spent_all)} per kill")
    else:
        lead = (f"This run stopped nothing; against what THAAD can engage, with {doctrine} "
                f"and p={p:g} a kill takes "
                f"{per_kill:.2f} interceptors on average, {usd(per_kill * icpt.cost_usd)}")
    span = (f"{times(ratios[worst])} times the estimated cost of a {worst} "
            f"({usd(costs.missiles[worst].value)})" if worst == best else
            f"{times(ratios[worst])} to {times(ratios[best])} times the estimated cost of the "
            f"missile ({worst} {usd(costs.missiles[worst].value)}, "
            f"{best} {usd(costs.missiles[best].value)})")
    high = costs.missiles[worst].high
    if high is not None and high > costs.missiles[worst].value and ratios[worst] > 1.0:
        r_high = ratios[worst] * costs.missiles[worst].value / high
        span += (f"; {times(r_high)} times even at the highest estimate for the {worst} "
                 f"({usd(high)})")
    assets = ", ".join(a.name for a in out.defense.assets)
    summary = (f"{lead}: {span}. The claim leaves out what the interceptor saves: the "
               f"defended {'assets (' + assets + ')' if assets else 'asset'}"
               + (f", a battery itself worth ~{usd(battery.value)}" if battery else "")
               + ", and the lives and damage a warhead that gets through would cost.")
    return Claim(number=5, claim=CLAIMS[5], verdict=verdict, summary=summary, numbers=numbers,
                 figure=CostFigure(costs=costs, interceptor=icpt, per_kill=per_kill,
                                   doctrine=doctrine, ratios=ratios, basis=basis))


__all__ = ["CostFigure", "Costs", "claim_cost", "cost_catalog", "interceptors_per_kill",
           "load_costs", "times", "usd"]
