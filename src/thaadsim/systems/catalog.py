"""The catalogs: missiles, radars and sites, with the public source of every figure.

The catalogs are YAML shipped with the package (``thaadsim/data/missiles.yaml``,
``radars.yaml``, ``sites.yaml``).
Every number is a mapping ``{value: ..., source: "..."}`` naming a public
report, paper or official statement, or ``{value: ..., assumption: "..."}``
saying why an unpublished value is plausible. The loader refuses anything else,
naming the file and the field.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import yaml

from thaadsim.errors import CatalogError, InputError
from thaadsim.physics.earth import G0_MPS2
from thaadsim.physics.glide import LiftLaw
from thaadsim.physics.rocket import Rocket, Stage
from thaadsim.systems.radar import MODES, SWERLING_CASES, Emplacement, Radar

T = TypeVar("T")

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
    rocket: Rocket
    """The model that flies it; ``rocket.payload_kg`` is the payload (:attr:`payload_kg`)."""
    figures: Mapping[str, Figure] = field(compare=False, repr=False)
    """Every sourced figure by its catalog path, e.g. ``stages[0].isp_s`` (their values are
    in the fields above; left out of comparison and hashing, so that a missile can key a
    cache and a raid threat holding it can be a dict key)."""
    depressed_apogee_km: Figure | None = None
    tests: tuple[TestFlight, ...] = field(default=())
    variant_of: str | None = None
    """The catalog slug of the missile this one is a variant of (e.g. an enlarged one)."""

    @property
    def payload_kg(self) -> Figure:
        """The payload the flight uses (``rocket.payload_kg``), with the catalog's provenance
        while it is the catalog's value. Not a field of its own, so that there is one truth:
        change it with :meth:`with_payload` (or ``rocket=dataclasses.replace(rocket,
        payload_kg=...)``)."""
        fig = self.figures.get("payload_kg")
        if fig is not None and fig.value == self.rocket.payload_kg:
            return fig
        return Figure(value=self.rocket.payload_kg,
                      assumption="set by the user (rocket.payload_kg), not the catalog's")

    def with_payload(self, payload_kg: float) -> Missile:
        """The same missile carrying ``payload_kg`` (kg): its flight changes with it."""
        if (isinstance(payload_kg, bool) or not isinstance(payload_kg, int | float)
                or not 0.0 <= payload_kg < 1e6):
            raise InputError(f"{self.slug}: payload_kg: {payload_kg!r} is not allowed; "
                             "allowed: a number of kg, 0 or more (and under 1e6)")
        return dataclasses.replace(self, rocket=dataclasses.replace(self.rocket,
                                                                    payload_kg=payload_kg))


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


def _reader(where: str, raw: Mapping[str, Any], figures: dict[str, Figure]
            ) -> Callable[..., float]:
    """``fig(key, section=raw, prefix="")``: read a positive figure of an entry, keep it in
    ``figures`` under its catalog path (``prefix + key``), and return its value."""

    def fig(key: str, section: Mapping[str, Any] = raw, prefix: str = "") -> float:
        name = f"{prefix}{key}"
        if key not in section:
            raise CatalogError(f"{where}.{name}: missing")
        figures[name] = _figure(section[key], f"{where}.{name}")
        return _positive(figures[name], f"{where}.{name}")

    return fig


def read_stages(raw: Mapping[str, Any], where: str, fig: Callable[..., float]
                ) -> tuple[Stage, ...]:
    """The 1 to 3 ``stages`` of a rocket entry (a missile's or an interceptor's), each with
    its loaded mass, propellant, burn time and either ``isp_s`` or ``thrust_kn``; ``fig`` is
    the entry's :func:`_reader`."""
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
            raise CatalogError(f"{where}.{prefix}propellant_kg: must be less than loaded_mass_kg "
                               f"({propellant!r} >= {loaded!r})")
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
    return tuple(stages)


LIFT_LAW_FIELDS = {
    "glide": ("max_lift_fraction", "max_load_g", "dive_speed_mps", "dive_angle_deg"),
    "marv": ("max_lift_fraction", "max_load_g", "manoeuvre_alt_km", "manoeuvre_angle_deg",
             "jink_period_s"),
}
"""The figures of each kind of ``lift_law`` (:class:`thaadsim.physics.glide.LiftLaw`;
angles are below the horizontal, positive)."""


def _lift_law(raw: Mapping[str, Any], where: str, fig: Callable[..., float]
              ) -> LiftLaw | None:
    """A glide vehicle's or MaRV's optional ``lift_law`` mapping (needs
    ``glide_lift_to_drag``)."""
    if "lift_law" not in raw:
        return None
    law = raw["lift_law"]
    kind = law.get("kind") if isinstance(law, Mapping) else None
    if kind not in LIFT_LAW_FIELDS:
        raise CatalogError(f"{where}.lift_law.kind: {kind!r} is not one of "
                           f"{', '.join(LIFT_LAW_FIELDS)}")
    if "glide_lift_to_drag" not in raw:
        raise CatalogError(f"{where}.lift_law: needs glide_lift_to_drag (the lifting "
                           "body's maximum L/D)")
    v = {k: fig(k, law, "lift_law.") for k in LIFT_LAW_FIELDS[kind]}
    for key in ("dive_angle_deg", "manoeuvre_angle_deg"):
        if v.get(key, 0.0) > 90.0:
            raise CatalogError(f"{where}.lift_law.{key}: {v[key]!r}; allowed: 0 to 90")
    if v["max_lift_fraction"] < 1.0:
        raise CatalogError(f"{where}.lift_law.max_lift_fraction: {v['max_lift_fraction']!r}; "
                           "allowed: 1 or more")
    if kind == "glide":
        return LiftLaw(kind="glide", max_lift_fraction=v["max_lift_fraction"],
                       max_load_g=v["max_load_g"], dive_speed_mps=v["dive_speed_mps"],
                       dive_gamma_deg=-v["dive_angle_deg"])
    return LiftLaw(kind="marv", max_lift_fraction=v["max_lift_fraction"],
                   max_load_g=v["max_load_g"], manoeuvre_alt_m=v["manoeuvre_alt_km"] * 1e3,
                   manoeuvre_gamma_deg=-v["manoeuvre_angle_deg"],
                   jink_period_s=v["jink_period_s"])


def _missile(slug: str, raw: Any, path: str) -> Missile:
    where = f"{path}: {slug}"
    if not isinstance(raw, Mapping):
        raise CatalogError(f"{where}: expected a mapping of fields, got {type(raw).__name__}")
    figures: dict[str, Figure] = {}
    fig = _reader(where, raw, figures)

    cls = raw.get("class")
    if cls not in MISSILE_CLASSES:
        raise CatalogError(f"{where}.class: {cls!r} is not one of {', '.join(MISSILE_CLASSES)}")
    stages = read_stages(raw, where, fig)
    diameter = fig("diameter_m")
    cd = fig("drag_coefficient")
    rocket = Rocket(
        stages=stages,
        payload_kg=fig("payload_kg"),
        cda_m2=cd * 3.141592653589793 * diameter**2 / 4.0,
        vertical_rise_s=fig("vertical_rise_s"),
        reentry_beta_kgm2=fig("reentry_beta_kgm2"),
        glide_lift_to_drag=fig("glide_lift_to_drag") if "glide_lift_to_drag" in raw else 0.0,
        steer_max_deflection_deg=(fig("steer_max_deflection_deg")
                                  if "steer_max_deflection_deg" in raw else 0.0),
        lift_law=_lift_law(raw, where, fig),
    )
    fig("range_km")
    for key in ("length_m", "launch_mass_kg"):  # optional, for the record: checked, not flown
        if key in raw:
            fig(key)
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
        rocket=rocket,
        figures=figures,
        depressed_apogee_km=depressed,
        tests=tuple(tests),
        variant_of=_variant_of(raw.get("variant_of"), where),
    )


def _load_yaml(filename: str, path: str | Path | None) -> tuple[Any, str]:
    """A data file (the shipped ``thaadsim/data/<filename>`` by default) safe-loaded, and
    the name errors should give it."""
    if path is None:
        text = resources.files("thaadsim.data").joinpath(filename).read_text("utf-8")
        name = f"thaadsim/data/{filename}"
    else:
        name = str(path)
        try:
            text = Path(path).read_text("utf-8")
        except OSError as exc:
            raise CatalogError(f"{name}: cannot read ({exc.strerror})") from None
    try:
        return yaml.safe_load(text), name
    except yaml.YAMLError as exc:
        raise CatalogError(f"{name}: not valid YAML ({exc})") from None


def _read_yaml(filename: str, path: str | Path | None) -> tuple[Mapping[str, Any], str]:
    """A catalog file (the shipped ``thaadsim/data/<filename>`` by default) as a mapping."""
    raw, name = _load_yaml(filename, path)
    if not isinstance(raw, Mapping):
        raise CatalogError(f"{name}: expected a mapping of slugs to entries")
    return raw, name


def _entry(catalog: Mapping[str, T], kind: str, slug: str) -> T:
    """``catalog[slug]``, or an error naming the kind and listing the known slugs."""
    try:
        return catalog[slug]
    except KeyError:
        raise CatalogError(f"{kind}: unknown slug {slug!r}; known: {', '.join(catalog)}") from None


def _variant_of(value: Any, where: str) -> str | None:
    if value is not None and not (isinstance(value, str) and value.strip()):
        raise CatalogError(f"{where}.variant_of: {value!r} is not a missile slug")
    return value


def load_missiles(path: str | Path | None = None) -> dict[str, Missile]:
    """Read a missile catalog (the shipped one by default); every figure is checked."""
    raw, name = _read_yaml("missiles.yaml", path)
    missiles = {str(slug): _missile(str(slug), entry, name) for slug, entry in raw.items()}
    for m in missiles.values():
        if m.variant_of is not None and m.variant_of not in missiles:
            raise CatalogError(f"{name}: {m.slug}.variant_of: {m.variant_of!r} is not in the "
                               f"catalog; known: {', '.join(missiles)}")
    return missiles


def variants(slug: str) -> list[str]:
    """The shipped catalog's variants of ``slug`` (missiles whose ``variant_of`` it is)."""
    return [m.slug for m in missile_catalog().values() if m.variant_of == slug]


@cache
def missile_catalog() -> dict[str, Missile]:
    """The shipped catalog, loaded once."""
    return load_missiles()


def get_missile(slug: str) -> Missile:
    """The shipped catalog's entry for ``slug``, or an error listing the known slugs."""
    return _entry(missile_catalog(), "missile", slug)


# --------------------------------------------------------------------------------------------
# Radars
# --------------------------------------------------------------------------------------------

_RADAR_FIELDS = (
    "frequency_hz", "aperture_m2", "aperture_efficiency", "average_power_w",
    "noise_temperature_k", "losses_db", "bandwidth_hz", "false_alarm_probability",
    "detection_pd", "scan_half_width_deg", "min_elevation_deg", "max_elevation_deg",
    "face_tilt_deg", "scan_loss_exponent", "monopulse_slope", "angle_floor_rad",
    "range_floor_m", "range_rate_floor_mps", "track_dwell_s", "search_el_low_deg",
    "search_el_high_deg", "search_frame_s", "search_budget", "track_interval_s",
    "cued_beams",
)
_FRACTIONS = ("aperture_efficiency", "false_alarm_probability", "detection_pd", "search_budget")
_SIGNED = ("losses_db", "min_elevation_deg", "face_tilt_deg", "search_el_low_deg")


@dataclass(frozen=True, kw_only=True)
class ReportedRange:
    """A publicly reported detection range, with the target it is read for."""

    range_km: Figure
    rcs_m2: Figure
    dwell: str


@dataclass(frozen=True, kw_only=True)
class RadarEntry:
    """A radar in one mode: the model's parameters and where each comes from."""

    slug: str
    name: str
    radar: Radar
    figures: Mapping[str, Figure]
    reported_ranges: tuple[ReportedRange, ...]


def _radar(slug: str, raw: Any, path: str) -> RadarEntry:
    where = f"{path}: {slug}"
    if not isinstance(raw, Mapping):
        raise CatalogError(f"{where}: expected a mapping of fields, got {type(raw).__name__}")
    mode = raw.get("mode")
    if mode not in MODES:
        raise CatalogError(f"{where}.mode: {mode!r} is not one of {', '.join(MODES)}")
    figures: dict[str, Figure] = {}
    for key in (*_RADAR_FIELDS, "instrumented_range_km", "swerling"):
        if key not in raw:
            raise CatalogError(f"{where}.{key}: missing")
        figures[key] = _figure(raw[key], f"{where}.{key}")
        if key not in _SIGNED:
            _positive(figures[key], f"{where}.{key}")
    for key in _FRACTIONS:
        if not figures[key].value < 1.0:
            raise CatalogError(f"{where}.{key}: {figures[key].value!r} must lie in (0, 1)")
    swerling = int(figures["swerling"].value)
    if swerling not in SWERLING_CASES or swerling != figures["swerling"].value:
        raise CatalogError(f"{where}.swerling: {figures['swerling'].value!r} is not one of "
                           f"{SWERLING_CASES}")
    if not figures["search_el_low_deg"].value < figures["search_el_high_deg"].value:
        raise CatalogError(f"{where}.search_el_high_deg: must exceed search_el_low_deg")
    radar = Radar(
        mode=mode, swerling=swerling,
        instrumented_range_m=figures["instrumented_range_km"].value * 1e3,
        **{key: figures[key].value for key in _RADAR_FIELDS},
    )
    reported = []
    for i, rep in enumerate(raw.get("reported_ranges") or []):
        rw = f"{where}.reported_ranges[{i}]"
        if not isinstance(rep, Mapping) or rep.get("dwell") not in ("search", "track"):
            raise CatalogError(f"{rw}: expected range_km, rcs_m2 and dwell ('search' or 'track')")
        reported.append(ReportedRange(range_km=_figure(rep.get("range_km"), f"{rw}.range_km"),
                                      rcs_m2=_figure(rep.get("rcs_m2"), f"{rw}.rcs_m2"),
                                      dwell=rep["dwell"]))
    return RadarEntry(slug=slug, name=str(raw.get("name", slug)), radar=radar, figures=figures,
                      reported_ranges=tuple(reported))


def load_radars(path: str | Path | None = None) -> dict[str, RadarEntry]:
    """Read a radar catalog (the shipped one by default); entries starting with ``_`` are
    YAML anchors shared by the others, not radars."""
    raw, name = _read_yaml("radars.yaml", path)
    return {str(slug): _radar(str(slug), entry, name) for slug, entry in raw.items()
            if not str(slug).startswith("_")}


@cache
def radar_catalog() -> dict[str, RadarEntry]:
    """The shipped radar catalog, loaded once."""
    return load_radars()


def get_radar(slug_or_mode: str) -> RadarEntry:
    """A radar by slug, or the shipped AN/TPY-2 entry for a mode ('terminal',
    'forward-based')."""
    catalog = radar_catalog()
    by_mode = {entry.radar.mode: entry for entry in catalog.values()}
    if slug_or_mode in by_mode:
        return by_mode[slug_or_mode]
    if slug_or_mode not in catalog:
        raise CatalogError(f"radar mode: unknown {slug_or_mode!r}; known modes: "
                           f"{', '.join(by_mode)}; radars: {', '.join(catalog)}")
    return catalog[slug_or_mode]


# --------------------------------------------------------------------------------------------
# Sites
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Site:
    """A named place: where a radar or launcher stands, or a city to defend or aim at."""

    slug: str
    name: str
    lat_deg: float
    lon_deg: float
    alt_m: float
    figures: Mapping[str, Figure]
    boresight_deg: float | None = None
    """The azimuth a radar here faces, where one is reported or assumed."""

    def emplacement(self, boresight_deg: float | None = None) -> Emplacement:
        """A radar at this site, facing ``boresight_deg`` (the site's own if not given)."""
        bore = self.boresight_deg if boresight_deg is None else boresight_deg
        if bore is None:
            raise CatalogError(f"site {self.slug}: no radar boresight in the catalog; give one")
        return Emplacement(lat_deg=self.lat_deg, lon_deg=self.lon_deg, alt_m=self.alt_m,
                           boresight_deg=bore, name=self.name)


def _site(slug: str, raw: Any, path: str) -> Site:
    where = f"{path}: {slug}"
    if not isinstance(raw, Mapping):
        raise CatalogError(f"{where}: expected a mapping of fields, got {type(raw).__name__}")
    figures = {}
    for key in ("lat_deg", "lon_deg", "alt_m", "boresight_deg"):
        if key in raw:
            figures[key] = _figure(raw[key], f"{where}.{key}")
        elif key != "boresight_deg":
            raise CatalogError(f"{where}.{key}: missing")
    lat, lon = figures["lat_deg"].value, figures["lon_deg"].value
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        raise CatalogError(f"{where}: lat/lon {lat}, {lon} outside [-90, 90] x [-180, 180]")
    bore = figures.get("boresight_deg")
    if bore is not None and not 0.0 <= bore.value < 360.0:
        raise CatalogError(f"{where}.boresight_deg: {bore.value} outside [0, 360)")
    return Site(slug=slug, name=str(raw.get("name", slug)), lat_deg=lat, lon_deg=lon,
                alt_m=figures["alt_m"].value, figures=figures,
                boresight_deg=None if bore is None else bore.value)


def load_sites(path: str | Path | None = None) -> dict[str, Site]:
    """Read a sites catalog (the shipped one by default)."""
    raw, name = _read_yaml("sites.yaml", path)
    return {str(slug): _site(str(slug), entry, name) for slug, entry in raw.items()}


@cache
def site_catalog() -> dict[str, Site]:
    """The shipped sites catalog, loaded once."""
    return load_sites()


def get_site(slug: str) -> Site:
    """A named site, or an error listing the known ones."""
    return _entry(site_catalog(), "site", slug)


# --------------------------------------------------------------------------------------------
# Sensors: a radar mode at a site, facing a boresight
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class SensorEntry:
    """A catalog sensor (``sensors.yaml``): which radar mode stands at which site, facing
    where. :func:`thaadsim.systems.sensors.get_sensor` makes it a
    :class:`~thaadsim.systems.sensors.Sensor`."""

    slug: str
    name: str
    site: str
    """The site's slug (``sites.yaml``)."""
    mode: str
    """The radar's mode or slug (``radars.yaml``)."""
    boresight: Figure
    """The azimuth of the face normal, deg: the entry's own assumption, or the site's
    (``boresight: site``) with its provenance."""
    source: str


def _sensor_entry(slug: str, raw: Any, path: str, sites: Mapping[str, Site]) -> SensorEntry:
    where = f"{path}: {slug}"
    if not isinstance(raw, Mapping):
        raise CatalogError(f"{where}: expected a mapping of fields, got {type(raw).__name__}")
    site = raw.get("site")
    if not isinstance(site, str) or site not in sites:
        raise CatalogError(f"{where}.site: {site!r} is not a site of sites.yaml; known: "
                           f"{', '.join(sites)}")
    mode = raw.get("mode")
    known = {*MODES, *radar_catalog()}
    if mode not in known:
        raise CatalogError(f"{where}.mode: {mode!r} is not allowed; allowed: "
                           f"{', '.join(sorted(known))}")
    source = raw.get("source")
    if not isinstance(source, str) or not source.strip():
        raise CatalogError(f"{where}.source: missing; every sensor says where it comes from")
    if ("boresight_deg" in raw) == (raw.get("boresight") == "site"):
        raise CatalogError(f"{where}: give either boresight_deg ({{value, low, high, "
                           "assumption}}) or 'boresight: site' (the site's), not both or "
                           "neither")
    if "boresight_deg" in raw:
        bore = _figure(raw["boresight_deg"], f"{where}.boresight_deg")
    else:
        bore_or_none = sites[site].figures.get("boresight_deg")
        if bore_or_none is None:
            raise CatalogError(f"{where}.boresight: 'site', but site {site} has no "
                               "boresight_deg in sites.yaml; give boresight_deg here")
        bore = bore_or_none
    if not 0.0 <= bore.value < 360.0:
        raise CatalogError(f"{where}.boresight_deg: {bore.value!r} is outside [0, 360)")
    return SensorEntry(slug=slug, name=str(raw.get("name", slug)), site=str(site),
                       mode=str(mode), boresight=bore, source=source)


def load_sensors(path: str | Path | None = None,
                 sites: Mapping[str, Site] | None = None) -> dict[str, SensorEntry]:
    """Read a sensor catalog (the shipped one by default) against a sites catalog (the
    shipped one by default); every entry is checked, and no two share a site and a mode."""
    raw, name = _read_yaml("sensors.yaml", path)
    sites = site_catalog() if sites is None else sites
    out = {str(slug): _sensor_entry(str(slug), entry, name, sites)
           for slug, entry in raw.items()}
    pairs: dict[tuple[str, str], str] = {}
    for entry in out.values():
        key = (entry.site, get_radar(entry.mode).radar.mode)
        if key in pairs:
            raise CatalogError(f"{name}: {entry.slug} and {pairs[key]}: two sensors of mode "
                               f"{key[1]} at site {key[0]}; allowed: one per site and mode")
        pairs[key] = entry.slug
    return out


@cache
def sensor_catalog() -> dict[str, SensorEntry]:
    """The shipped sensor catalog, loaded once."""
    return load_sensors()


def sensor_entry(slug: str) -> SensorEntry:
    """A catalog sensor's entry, or an error listing the known ones."""
    return _entry(sensor_catalog(), "sensor", slug)


def catalog_sensor_for(site: str, mode: str) -> SensorEntry | None:
    """The catalog sensor of mode ``mode`` (a mode or a radar slug) at ``site``, if any."""
    want = get_radar(mode).radar.mode
    for entry in sensor_catalog().values():
        if entry.site == site and get_radar(entry.mode).radar.mode == want:
            return entry
    return None
