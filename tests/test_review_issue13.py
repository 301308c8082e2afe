"""Review of issue 13 (objects instead of names): traps a notebook user falls into."""

from __future__ import annotations

import dataclasses

import pytest

from thaadsim.errors import InputError
from thaadsim.systems.catalog import get_missile


def test_missile_payload_is_the_one_the_flight_uses() -> None:
    """One truth for the payload: ``Missile.payload_kg`` is the rocket's, so changing the
    payload (either way) is seen by both, and the old separate Figure field -- which
    ``dataclasses.replace`` could change without touching the flight -- is gone."""
    m = get_missile("nodong")
    assert m.payload_kg.value == m.rocket.payload_kg == 700.0  # missiles.yaml nodong entry
    assert m.payload_kg.source  # the catalog's provenance while it is the catalog's value
    light = m.with_payload(350.0)
    assert light.rocket.payload_kg == 350.0 and light.payload_kg.value == 350.0
    assert light.payload_kg.assumption and light.payload_kg.source is None
    by_rocket = dataclasses.replace(m, rocket=dataclasses.replace(m.rocket, payload_kg=350.0))
    assert by_rocket.payload_kg.value == 350.0
    assert by_rocket == light
    with pytest.raises(TypeError, match="payload_kg"):  # no silent second field
        dataclasses.replace(m, payload_kg=m.payload_kg)


@pytest.mark.parametrize("bad", [-1.0, float("nan"), "500", True])
def test_with_payload_rejects_bad_values_naming_the_field(bad: object) -> None:
    with pytest.raises(InputError, match="payload_kg.*allowed"):
        get_missile("nodong").with_payload(bad)  # type: ignore[arg-type]
