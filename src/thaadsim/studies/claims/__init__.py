r"""The claims check: six claims of the public debate on THAAD in Korea, against the physics.

For each claim, :func:`check_claims` returns a :class:`Claim`: the verdict the physics of
this run supports ("supported", "partly supported" or "not supported"), the numbers behind
it and a figure. A run's own results come first; where its scenario lacks the case a claim
needs, a small standard case is computed with the same functions (trajectories from
:func:`thaadsim.systems.threat.fly_threat` through :func:`thaadsim.engagement.simulate`,
coverage from :func:`thaadsim.studies.coverage.radar_coverage`).

1. **"THAAD cannot protect Seoul from short-range missiles and artillery."** Rockets and
   missiles fired at Seoul from just north of the DMZ (and a Scud-B from near Pyongyang)
   are flown and offered to the run's THAAD battery with perfect tracking (the most
   favourable case for the defense): do they ever enter the 40-150 km band, and does the
   battery reach them there (its interceptor's greatest ground range)?
2. **"THAAD's radar in Korea can track China's strategic missiles and undermine its
   deterrent."** A DF-41 flown on the corridors from China's launch areas to U.S. targets
   (:func:`thaadsim.studies.surveillance.surveil_corridors`), seen by Seongju in terminal
   and forward-based mode and by the forward-based TPY-2s at Shariki and Kyogamisaki:
   the share of corridors each tracks, for how long, what Seongju adds to the Japanese
   radars, and what its track is worth for a midcourse intercept; the area of China
   under the fans as background.
3. **"Many missiles fired at once can defeat it."** The run's Monte Carlo leakage and its
   reasons, beside the binomial model (Wilkening 2000) with the battery's inventory:
   :func:`p_no_leak_with_inventory` against raid size.
4. **"It is built for medium- and intermediate-range missiles, not short-range ones."**
   Time in the band and engageability by missile class, from the run's tracks and standard
   flights of the classes the run lacks.
5. **"Its interceptors cost more than the missiles they stop."** Interceptors spent per
   threat stopped in the run times the interceptor's unit cost, against the threat's unit
   cost (``thaadsim/data/costs.yaml``, each estimate with its public source), and what the
   claim leaves out.
6. **"North Korea will answer THAAD with missiles it cannot stop."** The salvo, the
   flattened KN-23, the SLBM from behind the face and the glide vehicle, each with a verdict
   from standard cases at the Seongju battery (:mod:`thaadsim.studies.reaction`, cached
   per version); decoys with their discrimination from physics (:mod:`thaadsim.studies.decoys`).

One module per claim (:mod:`.seoul`, :mod:`.china`, :mod:`.saturation`, :mod:`.classes`,
:mod:`.cost`, :mod:`.reaction`), what they share in :mod:`.common`. A claim reads a run through
:class:`~thaadsim.studies.claims.common.RunRecord` (the raid, defense, result, ground tracks,
seed and band), never the interface's :class:`thaadsim.run.RunOutput` itself.
"""

from __future__ import annotations

from thaadsim.studies.claims.china import COVERAGE_TARGETS, RADAR_MODES, claim_china, coverage
from thaadsim.studies.claims.classes import (
    STANDARD_FLIGHTS,
    claim_classes,
    shortest_range_into_band_km,
)
from thaadsim.studies.claims.common import (
    CLAIM_IDS,
    CLAIMS,
    VERDICTS,
    Claim,
    RunRecord,
    claim_record,
    claims_records,
)
from thaadsim.studies.claims.cost import (
    Costs,
    claim_cost,
    cost_catalog,
    interceptors_per_kill,
    load_costs,
)
from thaadsim.studies.claims.reaction import answer_verdict, claim_reaction, overall_verdict
from thaadsim.studies.claims.saturation import (
    claim_saturation,
    p_no_leak_with_inventory,
    saturation_curve,
)
from thaadsim.studies.claims.seoul import SEOUL_THREATS, claim_seoul


def check_claims(out: RunRecord, *, quick: bool = False) -> list[Claim]:
    """The six claims, checked against this run (module docstring); ``quick`` coarsens
    the coverage fans and flies fewer standard missiles (for tests)."""
    return [
        claim_seoul(out),
        claim_china(out, quick),
        claim_saturation(out),
        claim_classes(out, quick),
        claim_cost(out),
        claim_reaction(out),
    ]


__all__ = ["CLAIMS", "CLAIM_IDS", "COVERAGE_TARGETS", "RADAR_MODES", "SEOUL_THREATS",
           "STANDARD_FLIGHTS", "VERDICTS", "Claim", "Costs", "RunRecord", "answer_verdict",
           "check_claims", "claim_reaction", "claim_record", "claims_records", "cost_catalog",
           "coverage", "interceptors_per_kill", "load_costs", "overall_verdict",
           "p_no_leak_with_inventory",
           "saturation_curve", "shortest_range_into_band_km"]
