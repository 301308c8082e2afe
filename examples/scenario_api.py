"""Run a built-in scenario from Python, look at its tables, write its report.

Run with ``python examples/scenario_api.py [OUTPUT_FOLDER]`` (the test suite runs it).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import thaadsim


def main(folder: Path) -> None:
    scenario = thaadsim.load_scenario("korea-2017")
    result = thaadsim.run_scenario(scenario, trials=10, seed=1)
    print(f"{scenario.name}: P(no leak) {result.summary['p_no_leak']:.2f}, "
          f"{result.summary['interceptors_used']:.1f} interceptors per trial")
    # one row per trial and threat: the outcome and its reason
    table = result.threats.groupby(["group", "outcome"]).size().unstack(fill_value=0)
    print(table)
    written = result.write_report(folder, force=True)
    print(f"wrote {len(written)} files into {folder}, among them {folder / 'report.html'}")


if __name__ == "__main__":
    if len(sys.argv) > 1:
        main(Path(sys.argv[1]))
    else:
        with tempfile.TemporaryDirectory() as tmp:
            main(Path(tmp) / "korea-2017-report")
