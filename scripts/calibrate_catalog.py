"""Calibrate the unpublished propellant masses of the threat catalog.

For every missile whose catalog marks a stage's ``propellant_kg`` as
"calibrated", find the common scale factor on those propellant masses (loaded
stage masses fixed) at which the model, carrying the published payload on a
minimum-energy trajectory over a non-rotating WGS84 Earth, reaches the
published maximum range. Prints the calibrated values; the catalog is edited by
hand so that every change is reviewed. Run: ``python scripts/calibrate_catalog.py``.
"""

from __future__ import annotations

import dataclasses

from scipy.optimize import brentq

from thaadsim.systems.catalog import Missile, missile_catalog
from thaadsim.systems.threat import max_range_m, shape_table


def scaled(missile: Missile, factor: float) -> Missile:
    stages = []
    for i, stage in enumerate(missile.rocket.stages):
        fig = missile.figures[f"stages[{i}].propellant_kg"]
        calibrated = "calibrated" in (fig.assumption or "")
        prop = min(stage.propellant_kg * factor, 0.97 * stage.loaded_mass_kg) if calibrated \
            else stage.propellant_kg
        stages.append(dataclasses.replace(stage, propellant_kg=prop))
    rocket = dataclasses.replace(missile.rocket, stages=tuple(stages))
    return dataclasses.replace(missile, rocket=rocket)


def main() -> None:
    for slug, missile in missile_catalog().items():
        target = missile.range_km.value * 1e3
        now = max_range_m(missile)
        calibrated = any("calibrated" in (f.assumption or "") for k, f in missile.figures.items()
                         if k.endswith("propellant_kg"))
        line = f"{slug:14s} published {target / 1e3:7.0f} km  model {now / 1e3:8.1f} km"
        if calibrated:
            def miss(f: float, m: Missile = missile, t: float = target) -> float:
                trial = scaled(m, f)
                shape_table.cache_clear()
                return max_range_m(trial) - t
            factor = brentq(miss, 0.3, 3.0, xtol=1e-4)
            props = [round(s.propellant_kg) for s in scaled(missile, factor).rocket.stages]
            line += f"  -> factor {factor:.4f}, propellant_kg {props}"
        print(line, flush=True)


if __name__ == "__main__":
    main()
