"""The Python API for notebooks: load a scenario, simulate it, look at the tables, write
the report.

>>> import thaadsim
>>> scn = thaadsim.load_scenario("korea-2017")          # doctest: +SKIP
>>> res = thaadsim.simulate(scn, trials=50, seed=1)    # doctest: +SKIP
>>> res.threats.groupby("missile")["outcome"].value_counts()  # doctest: +SKIP
>>> res.write_report("korea-2017-report")              # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from thaadsim.errors import InputError
from thaadsim.limits import check
from thaadsim.run import RunOutput, run_engagement


@dataclass(frozen=True)
class SimulationResult:
    """A scenario's run: tables as pandas DataFrames, headline figures, the report."""

    output: RunOutput

    @property
    def threats(self) -> Any:
        """One row per trial and threat: outcome, reason, detection and firm-track times."""
        return self.output.threats_frame()

    @property
    def shots(self) -> Any:
        """One row per interceptor fired."""
        return self.output.shots_frame()

    @property
    def summary(self) -> dict[str, Any]:
        return self.output.summary()

    def write_report(self, folder: str | Path, *, force: bool = False) -> list[Path]:
        """Write ``report.html``, ``results/``, ``scenario.czml`` and ``scenario.kml``."""
        from thaadsim.report.bundle import write_outputs

        return write_outputs(self.output, folder, force=force)


def load_scenario(name_or_path: str | Path) -> Any:
    """A built-in scenario by name (``thaadsim scenarios`` lists them) or a YAML file."""
    from thaadsim.scenario import load_scenario as load

    return load(name_or_path)


def simulate(scenario: Any, *, trials: int | None = None, seed: int | None = None
             ) -> SimulationResult:
    """Run a scenario (its own trials and seed unless given).

    Raises
    ------
    InputError
        ``trials`` or ``seed`` outside its row of :data:`thaadsim.limits.LIMITS`, or a
        ``scenario`` that is not one (:func:`load_scenario` makes one).
    """
    if trials is not None:
        check("trials", trials, "trials")
    if seed is not None:
        check("seed", seed, "seed")
    if not callable(getattr(scenario, "to_run_kwargs", None)):
        raise InputError(f"scenario: a {type(scenario).__name__} is not a scenario; give "
                         "thaadsim.load_scenario(NAME_OR_PATH)")
    return SimulationResult(run_engagement(**scenario.to_run_kwargs(trials=trials, seed=seed)))
