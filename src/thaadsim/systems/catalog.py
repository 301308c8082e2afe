"""The threat catalog: missiles and artillery rockets with the public source of every figure.

The catalog is YAML shipped with the package (``thaadsim/data/missiles.yaml``).
Every number is a mapping ``{value: ..., source: "..."}`` naming a public
report, paper or official statement, or ``{value: ..., assumption: "..."}``
saying why an unpublished value is plausible. The loader refuses anything else,
naming the file and the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from thaadsim.errors import CatalogError
from thaadsim.physics.earth import G0_MPS2
from thaadsim.physics.rocket import Rocket, Stage

MISSILE_CLASSES = ("artillery-rocket", "SRBM", "MRBM", "IRBM", "ICBM")


@dataclass(frozen=True, kw_only=True)
class Figure:
    """A number with where it comes from."""

    value: float
    source: str | None = None
    assumption: str | None = None
    low: float | None = None
    """Lower end of the published interval, where the source gives one."""
    high: float | None = None

    def bounds(self, rel: float) -> tuple[float, float]:
        """The published interval widened by ``rel`` (``value`` +- ``rel`` without one)."""
        lo = self.value if self.low is None else self.low
        hi = self.value if self.high is None else self.high
        return lo * (1.0 - rel), hi * (1.0 + rel)

    @property
    def provenance(self) -> str:
        return self.source if self.source is not None else f"assumption: {self.assumption}"


@dataclass(frozen=True, kw_only=True)
class TestFlight:
    """A reported flight test (for validation and the loft analysis)."""

    date: str
    apogee_km: Figure | None
    range_km: Figure | None
    flight_time_s: Figure | None
    standard_range_km: Figure | None = None
    """A published estimate of the range on a standard trajectory implied by this
    (lofted) test."""
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class Missile:
    """A threat type: its published figures and the rocket model that flies it."""

    slug: str
    name: str
    missile_class: str
    range_km: Figure
    payload_kg: Figure
    rocket: Rocket
    figures: Mapping[str, Figure]
    """Every sourced figure by its catalog path, e.g. ``stages[0].isp_s``."""
    depressed_apogee_km: Figure | None = None
    tests: tuple[TestFlight, ...] = field(default=())


def _figure(entry: Any, where: str) -> Figure:
    if not isinstance(entry, Mapping) or "value" not in entry:
        raise CatalogError(f"{where}: expected a mapping with 'value' and 'source' or "
                           f"'assumption', got {entry!r}")
    has_source = isinstance(entry.get("source"), str) and entry["source"].strip()
    has_assumption = isinstance(entry.get("assumption"), str) and entry["assumption"].strip()
    if not (has_source or has_assumption):
        raise CatalogError(f"{where}: value {entry['value']!r} has neither a 'source' nor an "
                           "'assumption'; every figure must say where it comes from")
    value = entry["value"]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise CatalogError(f"{where}: value {value!r} is not a number")
    bounds = [entry.get(k) for k in ("low", "high")]
    for key, b in zip(("low", "high"), bounds, strict=True):
        if b is not None and (isinstance(b, bool) or not isinstance(b, int | float)):
            raise CatalogError(f"{where}.{key}: {b!r} is not a number")
    low, high = (None if b is None else float(b) for b in bounds)
    if low is not None and high is not None and not low <= float(value) <= high:
        raise CatalogError(f"{where}: value {value!r} lies outside low..high {low}..{high}")
    return Figure(value=float(value), source=entry.get("source"),
                  assumption=entry.get("assumption"), low=low, high=high)


def _positive(fig: Figure, where: str) -> float:
    if not fig.value > 0:
        raise CatalogError(f"{where}: value {fig.value!r} must be positive")
    return fig.value


def _missile(slug: str, raw: Any, path: str) -> Missile:
    where = f"{path}: {slug}"
    if not isinstance(raw, Mapping):
        raise CatalogError(f"{where}: expected a mapping of fields, got {type(raw).__name__}")
    figures: dict[str, Figure] = {}

    def fig(key: str, section: Mapping[str, Any] = raw, prefix: str = "") -> float:
        name = f"{prefix}{key}"
        if key not in section:
            raise CatalogError(f"{where}.{name}: missing")
        figures[name] = _figure(section[key], f"{where}.{name}")
        return _positive(figures[name], f"{where}.{name}")

    cls = raw.get("class")
    if cls not in MISSILE_CLASSES:
        raise CatalogError(f"{where}.class: {cls!r} is not one of {', '.join(MISSILE_CLASSES)}")
    stages_raw = raw.get("stages")
    if not isinstance(stages_raw, list) or not 1 <= len(stages_raw) <= 3:
        raise CatalogError(f"{where}.stages: expected a list of 1 to 3 stages")
    stages = []
    for i, st in enumerate(stages_raw):
        prefix = f"stages[{i}]."
        if not isinstance(st, Mapping):
            raise CatalogError(f"{where}.{prefix[:-1]}: expected a mapping")
        loaded = fig("loaded_mass_kg", st, prefix)
        propellant = fig("propellant_kg", st, prefix)
        if propellant >= loaded:
            raise CatalogError(f"{where}.{prefix}propellant_kg: must be less than loaded_mass_kg")
        burn = fig("burn_time_s", st, prefix)
        if ("isp_s" in st) == ("thrust_kn" in st):
            raise CatalogError(f"{where}.{prefix}isp_s: give either isp_s or thrust_kn (the "
                               "other follows from the propellant flow), not both or neither")
        if "isp_s" in st:
            isp = fig("isp_s", st, prefix)
        else:
            isp = fig("thrust_kn", st, prefix) * 1e3 / (G0_MPS2 * propellant / burn)
        stages.append(Stage(loaded_mass_kg=loaded, propellant_kg=propellant, isp_s=isp,
                            burn_time_s=burn))
    diameter = fig("diameter_m")
    cd = fig("drag_coefficient")
    rocket = Rocket(
        stages=tuple(stages),
        payload_kg=fig("payload_kg"),
        cda_m2=cd * 3.141592653589793 * diameter**2 / 4.0,
        vertical_rise_s=fig("vertical_rise_s"),
        reentry_beta_kgm2=fig("reentry_beta_kgm2"),
        glide_lift_to_drag=fig("glide_lift_to_drag") if "glide_lift_to_drag" in raw else 0.0,
    )
    fig("range_km")
    depressed = None
    if "depressed_apogee_km" in raw:
        fig("depressed_apogee_km")
        depressed = figures["depressed_apogee_km"]
    tests = []
    for i, t in enumerate(raw.get("tests") or []):
        tw = f"{where}.tests[{i}]"
        if not isinstance(t, Mapping) or "date" not in t:
            raise CatalogError(f"{tw}: expected a mapping with a 'date'")
        def optional(key: str, t: Mapping[str, Any] = t, tw: str = tw) -> Figure | None:
            return _figure(t[key], f"{tw}.{key}") if key in t else None

        tests.append(TestFlight(
            date=str(t["date"]),
            apogee_km=optional("apogee_km"),
            range_km=optional("range_km"),
            flight_time_s=optional("flight_time_s"),
            standard_range_km=optional("standard_range_km"),
            note=str(t.get("note", "")),
        ))
    return Missile(
        slug=slug,
        name=str(raw.get("name", slug)),
        missile_class=cls,
        range_km=figures["range_km"],
        payload_kg=figures["payload_kg"],
        rocket=rocket,
        figures=figures,
        depressed_apogee_km=depressed,
        tests=tuple(tests),
    )


def load_missiles(path: str | Path | None = None) -> dict[str, Missile]:
    """Read a missile catalog (the shipped one by default); every figure is checked."""
    if path is None:
        text = resources.files("thaadsim.data").joinpath("missiles.yaml").read_text("utf-8")
        name = "thaadsim/data/missiles.yaml"
    else:
        name = str(path)
        try:
            text = Path(path).read_text("utf-8")
        except OSError as exc:
            raise CatalogError(f"{name}: cannot read ({exc.strerror})") from None
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CatalogError(f"{name}: not valid YAML ({exc})") from None
    if not isinstance(raw, Mapping):
        raise CatalogError(f"{name}: expected a mapping of missile slugs")
    return {str(slug): _missile(str(slug), entry, name) for slug, entry in raw.items()}


@cache
def missile_catalog() -> dict[str, Missile]:
    """The shipped catalog, loaded once."""
    return load_missiles()


def get_missile(slug: str) -> Missile:
    """The shipped catalog's entry for ``slug``, or an error listing the known slugs."""
    catalog = missile_catalog()
    try:
        return catalog[slug]
    except KeyError:
        raise CatalogError(
            f"missile: unknown slug {slug!r}; known: {', '.join(catalog)}"
        ) from None
