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


def test_interceptor_burnout_speed_cannot_be_replaced_without_effect() -> None:
    """``Interceptor.burnout_speed_mps`` records what the booster is calibrated to; the
    fly-out flies the rocket. Replacing the field alone used to change nothing (a half-speed
    THAAD engaged exactly as the real one); now it is refused, and
    ``with_burnout_speed`` recalibrates the booster so the modelled burnout speed follows
    (checked on the calibration fly-out, tolerance 1 %: Brent's xtol is 0.01 kg)."""
    from thaadsim.systems.interceptor import burnout_speed_mps, get_interceptor

    thaad = get_interceptor("thaad")
    with pytest.raises(InputError, match="burnout_speed_mps.*with_burnout_speed"):
        dataclasses.replace(thaad, burnout_speed_mps=thaad.burnout_speed_mps / 2)
    slow = thaad.with_burnout_speed(thaad.burnout_speed_mps * 0.7)
    v_slow = float(burnout_speed_mps(slow)[0])
    v_base = float(burnout_speed_mps(thaad)[0])
    assert v_slow == pytest.approx(0.7 * thaad.burnout_speed_mps, rel=0.01)
    assert v_slow < 0.8 * v_base
    assert dataclasses.replace(slow, divert_mps=1.0).burnout_speed_mps == slow.burnout_speed_mps
    with pytest.raises(InputError, match="burnout_speed_mps.*allowed"):
        thaad.with_burnout_speed(float("nan"))


@pytest.mark.parametrize("field_name, value", [
    ("average_power_w", -1.0), ("average_power_w", 0.0), ("aperture_m2", float("nan")),
    ("detection_pd", 1.5), ("frequency_hz", "9.5e9")])
def test_a_changed_radar_is_checked(field_name: str, value: object) -> None:
    """A radar with no power or a NaN aperture used to fly a whole engagement and report
    'not engaged' (the review's Busan run); it is now one InputError naming the field."""
    from thaadsim.systems.catalog import get_radar

    radar = get_radar("terminal").radar
    with pytest.raises(InputError, match=f"{field_name}.*allowed"):
        dataclasses.replace(radar, **{field_name: value})
    assert dataclasses.replace(radar, average_power_w=radar.average_power_w / 4)


def test_a_sensor_built_with_a_name_instead_of_a_radar_says_so() -> None:
    """``Sensor(radar='terminal')`` used to fail deep in the engine with an AttributeError
    ('str' object has no attribute 'search_frame_s')."""
    from thaadsim.systems.catalog import get_site
    from thaadsim.systems.sensors import Sensor

    place = get_site("busan").emplacement(340.0)
    with pytest.raises(InputError, match="radar: a str is not a Radar.*get_radar"):
        Sensor(name="busan", radar="terminal", emplacement=place)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="emplacement: a tuple"):
        Sensor(name="busan", radar=__import__("thaadsim").get_radar("terminal"),
               emplacement=(35.18, 129.07))  # type: ignore[arg-type]
