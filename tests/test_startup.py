"""What a new process does before its job (issue 14, item 1): the per-version tables it reads
instead of rebuilding them with SciPy are exactly the tables it would build (compared bit for
bit with a fresh computation: the reference is the computation itself), and the modules it
imports at start-up leave SciPy's interpolators and pandas to the code that uses them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from thaadsim import cache
from thaadsim.physics import atmosphere, propagate
from thaadsim.studies.claims import classes
from thaadsim.systems import threat
from thaadsim.systems.catalog import get_missile

SRC = Path(__file__).resolve().parents[1] / "src"


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(cache.CACHE_ENV, str(folder))
    for fn in (propagate._density_spline, threat.shape_table):
        fn.cache_clear()
    yield folder
    for fn in (propagate._density_spline, threat.shape_table):
        fn.cache_clear()


def test_cached_for_keys_by_version_and_arguments(cache_dir: Path) -> None:
    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    assert cache.cached_for("thing", (1.5, "a"), compute).value == 1
    assert cache.cached_for("thing", (1.5, "a"), compute).value == 1  # read back
    assert cache.cached_for("thing", (1.5, "b"), compute).value == 2  # other arguments
    assert len(calls) == 2 and len(list(cache_dir.glob("thing-*"))) == 2


def test_kept_density_spline_is_the_fitted_one(cache_dir: Path) -> None:
    first = propagate._density_spline()  # fitted and kept
    assert list(cache_dir.glob("density-spline-*"))
    propagate._density_spline.cache_clear()
    kept = propagate._density_spline()  # read back
    fitted = propagate._fitted_density_spline()
    for table in (first, kept):
        assert table.flags.c_contiguous and table.flags.writeable and table.dtype == np.float64
        assert np.array_equal(table, fitted)


def test_kept_log_density_table_is_the_atmospheres_interpolant(cache_dir: Path) -> None:
    tables = atmosphere._upper_tables()
    for _ in range(2):  # computed and kept, then read back
        x, c, scale_height_m = atmosphere.log_density_table()
        assert np.array_equal(x, tables.log_rho.x) and np.array_equal(c, tables.log_rho.c)
        assert scale_height_m == tables.rho_scale_height_top_m
    assert len(list(cache_dir.glob("atmosphere-log-density-*"))) == 1


def test_kept_shape_table_is_the_flown_one(cache_dir: Path) -> None:
    rocket = get_missile("scud-b").rocket
    first = threat.shape_table(rocket)  # flown and kept
    assert len(list(cache_dir.glob("shape-table-*"))) == 1
    threat.shape_table.cache_clear()
    kept = threat.shape_table(rocket)  # read back
    kicks = threat._KICKS_DEG
    flown = threat._flown_shape_table(rocket, "wgs84", kicks,
                                      threat._CUTOFF_FRACTIONS * rocket.burn_time_s)
    for table in (first, kept):
        for name in ("kick_deg", "cutoff_s", "range_m", "apogee_m"):
            assert np.array_equal(getattr(table, name), getattr(flown, name), equal_nan=True)


def test_a_rocket_outside_the_catalog_is_flown_and_not_kept(cache_dir: Path) -> None:
    """A loft analysis tries many payloads: their tables stay in the process only."""
    import dataclasses

    rocket = dataclasses.replace(get_missile("scud-b").rocket, payload_kg=700.0)
    table = threat.shape_table(rocket)
    assert not list(cache_dir.glob("shape-table-*"))
    assert np.isfinite(table.range_m).any()


def test_kept_shortest_range_is_the_computed_one(cache_dir: Path) -> None:
    first = classes.shortest_range_into_band_km("scud-b", 40e3)
    kept = classes.shortest_range_into_band_km("scud-b", 40e3)
    assert first == kept == classes._shortest_range_into_band_km("scud-b", 40e3)
    assert len(list(cache_dir.glob("shortest-range-into-band-*"))) == 1


@pytest.mark.slow
def test_start_up_imports_leave_scipy_and_pandas_to_their_users() -> None:
    """The command line's modules and the Monte Carlo runner import neither SciPy's
    interpolators, optimisers and filters nor pandas (a raid makes no table), and the
    physics and systems modules import no SciPy at all until a function needs it."""
    code = ("import sys, thaadsim.cli, thaadsim.commands, thaadsim.studies.montecarlo, "
            "thaadsim.studies.raid, thaadsim.systems.threat, thaadsim.systems.tracking, "
            "thaadsim.systems.discrimination, thaadsim.systems.interceptor, "
            "thaadsim.systems.radar, thaadsim.physics.atmosphere, thaadsim.physics.propagate\n"
            "heavy = ('scipy.interpolate', 'scipy.optimize', 'scipy.ndimage', 'scipy.special', "
            "'scipy.stats', 'pandas')\n"
            "print(sorted(m for m in heavy if m in sys.modules))")
    env = dict(os.environ, PYTHONPATH=str(SRC) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr
