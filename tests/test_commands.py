"""thaadsim/commands.py: the command line's work as functions (parsed values in, payload
out), tested without the command line."""

from __future__ import annotations

import numpy as np
import pytest

from thaadsim.commands import latlon, outcomes_by_group, place, shown
from thaadsim.errors import InputError


def test_place_reads_a_site_or_coordinates_and_names_the_option() -> None:
    assert place("39.0,125.7", "--from") == (39.0, 125.7)
    lat, lon = place("seoul", "--to")
    assert 37 < lat < 38 and 126 < lon < 128
    with pytest.raises(InputError, match="^--to: 'nowhere' is neither LAT,LON"):
        place("nowhere", "--to")
    with pytest.raises(InputError, match="^--from latitude: 91 is out of range"):
        place("91,125", "--from")


def test_latlon_refuses_text_and_shows_a_long_number_by_its_digits() -> None:
    with pytest.raises(InputError, match="^--to: 'x' is not LAT,LON"):
        latlon("x", "--to")
    assert shown("1" * 40) == "a 40-digit number"


def test_outcomes_by_group_counts_what_the_threat_table_holds() -> None:
    """Each group's shares are the shares of its threat-trials in the run's own table
    (counted here with NumPy, not pandas), and they add up to one."""
    from thaadsim.run import run_engagement
    from thaadsim.scenario import load_scenario

    out = run_engagement(**load_scenario("saturation").to_run_kwargs(trials=2, seed=3))
    rows = outcomes_by_group(out)
    t = out.result.threats
    group = np.array([out.groups[i] for i in t["threat"]])
    assert sorted(r["group"] for r in rows) == sorted(set(out.groups))
    for r in rows:
        mine = (group == r["group"]) & (np.asarray(t["missile"]).astype(str) == r["missile"])
        assert r["threats"] == np.unique(t["threat"][mine]).size
        for key, outcome in (("intercepted", "intercepted"), ("leaked", "leaked"),
                             ("not_engaged", "not engaged")):
            assert r[key] == pytest.approx(float(np.mean(t["outcome"][mine] == outcome)))
        assert r["intercepted"] + r["leaked"] + r["not_engaged"] == pytest.approx(1.0)
