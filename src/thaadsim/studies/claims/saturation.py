r"""Claim 3: "Many missiles fired at once can defeat THAAD."

The run's Monte Carlo leakage and its reasons, beside the binomial model (Wilkening 2000) with
the battery's inventory: :func:`p_no_leak_with_inventory` against raid size.

The closed form of claim 3: with single-shot kill probability :math:`p`, :math:`q = 1-p`,
a doctrine of volleys :math:`(v_1, v_2)` (a second volley only at threats that survive the
first, after a look) and an inventory :math:`I`, a raid of :math:`N` threats with
:math:`N v_1 \le I` survives the first volleys with :math:`M \sim \mathrm{Bin}(N, q^{v_1})`
threats, which the :math:`L = I - N v_1` interceptors left serve :math:`v_2` each while
they last, so

.. math::  P(\text{no leak}) = \sum_{m=0}^{N} \binom{N}{m} q^{v_1 m} (1-q^{v_1})^{N-m}\,
           P(\text{all } m \text{ killed} \mid L),

with :math:`P(\cdot \mid L) = (1-q^{v_2})^m` when :math:`m v_2 \le L`, and zero once a
threat is left without a shot. Without the inventory limit it reduces to the binomial
model :math:`(1-q^{v_1+v_2})^N` (:func:`thaadsim.engagement.binomial_p_no_leak`). It
assumes time for every volley and enough fire channels, which the Monte Carlo does not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from thaadsim.engagement import (
    binomial_p_no_leak,
    wilson_interval,
)
from thaadsim.studies.claims.common import (
    CLAIMS,
    Claim,
    FloatArray,
    RunRecord,
    battery_doctrine,
    kill_probability,
)
from thaadsim.systems import fire_control as fc


def _upper_batteries(out: RunRecord) -> tuple[fc.Battery, ...]:
    """The upper tier: the batteries firing the first battery's interceptor type."""
    first = out.defense.batteries[0].interceptor
    return tuple(b for b in out.defense.batteries if b.interceptor == first)


@dataclass(frozen=True, kw_only=True)
class SaturationFigure:
    """What claim 3's figure draws: the closed form against raid size, with and without the
    magazine, and the run's Monte Carlo point with its 95% interval."""

    raid_size: npt.NDArray[np.int64]
    p_no_leak: FloatArray
    p_no_leak_unlimited: FloatArray
    inventory: int
    doctrine: str
    volleys: tuple[int, ...]
    p_kill: float
    run_raid_size: float
    run_p_no_leak: float
    run_ci95: tuple[float, float]
    run_trials: int


def binom_pmf(k: Any, n: int, p: float) -> Any:
    """``scipy.stats.binom.pmf(k, n, p)`` for ``k`` in 0..n and ``p`` in [0, 1], without
    importing :mod:`scipy.stats` (a second of every run's start: its distributions'
    docstrings are built on import): the Boost function that ``binom.pmf`` itself calls
    there (the same numbers, tested); :mod:`scipy.stats` where a SciPy lacks it."""
    try:
        from scipy.special._ufuncs import _binom_pmf
    except ImportError:  # pragma: no cover - another SciPy
        from scipy.stats import binom

        return binom.pmf(k, n, p)
    return _binom_pmf(k, n, p)


def p_no_leak_with_inventory(p_kill: float, volleys: Sequence[int], inventory: int,
                             threats: int) -> float:
    """P(no leak) of a raid against a doctrine and a finite inventory (module docstring).

    Parameters
    ----------
    p_kill : float
        Single-shot kill probability.
    volleys : sequence of int
        Interceptors per volley (:func:`thaadsim.systems.fire_control.doctrine_shots`); a
        second volley goes only at threats the first missed.
    inventory : int
        Interceptors available.
    threats : int
        Raid size.
    """
    if threats <= 0:
        return 1.0
    q = 1.0 - p_kill
    v1 = int(volleys[0])
    if threats * v1 > inventory:
        full = inventory // v1
        rest = inventory - full * v1
        if threats - full >= 2 or rest == 0:
            return 0.0
        return binomial_p_no_leak(p_kill, v1, full) * (1.0 - q**rest)
    if len(volleys) == 1:
        return binomial_p_no_leak(p_kill, v1, threats)
    v2 = int(volleys[1])
    left = inventory - threats * v1
    m = np.arange(threats + 1)
    pm = binom_pmf(m, threats, q**v1)
    served = np.minimum(m, left // v2)
    rest2 = left - served * v2
    kill2 = 1.0 - q**v2
    all_killed = np.where(served == m, kill2 ** m.astype(float),
                          np.where((m - served == 1) & (rest2 > 0),
                                   kill2 ** served.astype(float) * (1.0 - q ** rest2.astype(float)),
                                   0.0))
    return float(np.sum(pm * all_killed))


def saturation_curve(p_kill: float, volleys: Sequence[int], inventory: int,
                     max_threats: int) -> FloatArray:
    """:func:`p_no_leak_with_inventory` for raids of 1..``max_threats``."""
    return np.array([p_no_leak_with_inventory(p_kill, volleys, inventory, n)
                     for n in range(1, max_threats + 1)])


SHARE_GROUPS: dict[str, tuple[int, ...]] = {
    fc.REASONS[fc.R_CHANNELS]: (fc.R_CHANNELS, fc.R_CHANNELS_DECOYS),
    fc.REASONS[fc.R_INVENTORY]: (fc.R_INVENTORY, fc.R_INVENTORY_DECOYS),
    fc.REASONS[fc.R_NOT_TRACKED]: (fc.R_NOT_TRACKED, fc.R_TRACK_LOST),
    fc.REASONS[fc.R_NEVER_IN_BAND]: (fc.R_NEVER_IN_BAND,),
    fc.REASONS[fc.R_OUT_OF_REACH]: (fc.R_OUT_OF_REACH,),
    fc.REASONS[fc.R_ALL_SHOTS_MISSED]: (fc.R_ALL_SHOTS_MISSED, *fc.MISSED_COASTING),
    "every shot missed: the track coasted": fc.MISSED_COASTING,
}
"""Claim 3's shares of threat-trials, each over every reason of its kind: "every shot
missed" counts the misses on a coasting track (:data:`~thaadsim.systems.fire_control.
MISSED_COASTING`, also shown on their own), inventory and channels count those spent on
decoys, "not tracked in time" counts the tracks lost before any intercept."""


def reason_shares(reasons: npt.NDArray[np.str_]) -> dict[str, float]:
    """Percent of ``reasons`` (one per threat-trial) in each :data:`SHARE_GROUPS` group."""
    cells = max(reasons.size, 1)
    return {label: 100.0 * float(np.isin(reasons, [fc.REASONS[c] for c in codes]).sum()) / cells
            for label, codes in SHARE_GROUPS.items()}


def claim_saturation(out: RunRecord) -> Claim:
    res = out.result
    upper = _upper_batteries(out)
    first = upper[0]
    icpt = first.interceptor
    doctrine = battery_doctrine(out, first)
    volleys = fc.doctrine_shots(doctrine)
    p = kill_probability(out, icpt)
    inventory = sum(b.inventory for b in upper)
    channels = sum(b.fire_channels for b in upper)
    mine = np.isin(res.shots["battery"], [out.defense.batteries.index(b) for b in upper])
    p_run = float(np.mean(res.shots["p_kill"][mine])) if mine.any() else float("nan")
    n_max = max(2 * inventory, 2)
    curve = saturation_curve(p, volleys, inventory, n_max)
    unlimited = np.array([binomial_p_no_leak(p, sum(volleys), n) for n in range(1, n_max + 1)])
    n_axis = np.arange(1, n_max + 1)
    below = n_axis[curve < 0.5]
    n50 = int(below[0]) if below.size else None
    zero = n_axis[curve == 0.0]
    n_certain = int(zero[0]) if zero.size else None
    # the threats that leak unless intercepted (true impact on an asset where the engine
    # records it, else fire control's judgement)
    column = "hits_asset" if "hits_asset" in res.threats else "endangering"
    n_run = float(res.per_trial(column).sum(axis=1).mean())
    reasons = res.threats["reason"]
    cells = max(reasons.size, 1)
    share = reason_shares(reasons)
    n_round = max(int(round(n_run)), 1)
    p_closed = p_no_leak_with_inventory(p, volleys, inventory, n_round)
    numbers: dict[str, float | str] = {
        "run: threats": float(res.n_threats),
        "run: threats aimed at the defended assets per trial": round(n_run, 2),
        "run: trials": float(res.trials),
        "run: P(no leak)": round(res.p_no_leak, 4),
        "run: expected leakers": round(res.expected_leakers, 3),
        "run: interceptors used per trial": round(res.interceptors_used, 2),
    }
    for r, v in share.items():
        numbers[f"run: threat-trials '{r}' (%)"] = round(v, 2)
    numbers.update({
        "upper-tier inventory (interceptors)": float(inventory),
        "upper-tier fire channels": float(channels),
        "doctrine": doctrine,
        "single-shot kill probability": p,
        "run: mean kill probability per shot": round(p_run, 3) if np.isfinite(p_run) else "none",
        "binomial P(no leak) at the run's raid size": round(p_closed, 4),
        "P(no leak), raid of 1": round(float(curve[0]), 4),
        f"P(no leak), raid of {inventory // 2}": round(float(curve[max(inventory // 2 - 1, 0)]), 4),
        f"P(no leak), raid of {inventory}": round(float(curve[inventory - 1]), 4),
        f"P(no leak), raid of {inventory + 1}": round(float(curve[inventory]), 4),
        "smallest raid with P(no leak) < 50%": float(n50) if n50 else "none up to 2x inventory",
        "smallest raid that must leak (inventory)": float(n_certain) if n_certain else "none",
    })
    verdict = "supported" if n50 is not None else "not supported"
    leaked = res.leaked.ravel()
    why, count = np.unique(res.threats["reason"][leaked], return_counts=True)
    causes = sorted(zip(why, count, strict=True), key=lambda wc: -int(wc[1]))
    cause_text = "leak causes as shares of threat-trials: " + ", ".join(
        f"{w} {100.0 * int(c) / cells:.1f}%" for w, c in causes[:3])
    summary = (
        f"With {inventory} interceptors, {doctrine} and a {p:g} single-shot kill probability, "
        + (f"a raid of {n50} leaks at least one missile more often than not, "
           if n50 is not None else "no raid up to twice the inventory is likely to leak, ")
        + (f"and {n_certain} missiles must leak because every interceptor is spent. "
           if n_certain is not None else "")
        + f"This run's {res.n_threats}-missile raid: P(no leak) {res.p_no_leak:.2f} "
        f"(closed form {p_closed:.2f}), "
        f"{res.expected_leakers:.2f} leakers expected"
        + (f" ({cause_text})." if causes else "."))
    lo, hi = (float(x) for x in wilson_interval(res.p_no_leak, res.trials))
    figure = SaturationFigure(raid_size=n_axis, p_no_leak=curve, p_no_leak_unlimited=unlimited,
                              inventory=inventory, doctrine=doctrine, volleys=tuple(volleys),
                              p_kill=p, run_raid_size=n_run, run_p_no_leak=res.p_no_leak,
                              run_ci95=(lo, hi), run_trials=res.trials)
    return Claim(number=3, claim=CLAIMS[3], verdict=verdict, summary=summary, numbers=numbers,
                 figure=figure)


__all__ = ["SHARE_GROUPS", "SaturationFigure", "claim_saturation", "p_no_leak_with_inventory",
           "reason_shares", "saturation_curve"]
