r"""A defense's sensors: radars at emplacements, the space-based cue, the network joining them.

A :class:`Sensor` is one radar (:class:`~thaadsim.systems.radar.Radar`, one mode's figures)
standing at an :class:`~thaadsim.systems.radar.Emplacement` (site and boresight), with a
name unique in its defense. It may be a battery's own radar (``battery``): its tracks reach
that battery at once, and every other battery after the defense's network latency (C2BMC's
sensor-to-shooter forwarding). :class:`EarlyWarning` is the defense's space-based cue
(satellites through C2BMC): from ``cue_delay_s`` after each launch, every sensor may put
cued acquisition dwells on the threat anywhere in its face
(:func:`thaadsim.systems.detection.search`).

**Search, cue and track, per mode** (:func:`thaadsim.systems.detection.search` and
``_track``; the energies are :meth:`~thaadsim.systems.radar.Radar.energy_j`, the ranges
:func:`~thaadsim.systems.radar.detection_range_m` at P_d 0.9, for 1 m2 / 0.01 m2):

* *Search fence* (no cue needed): every ``search_frame_s`` the radar sweeps its fence, the
  band ``search_el_low_deg``-``search_el_high_deg`` across the face's sector, spending
  ``search_budget`` of its time on it; one beam gets
  :math:`E_s = P_{av} t_f b \lambda^2 / (A_e \Omega)` (the search-radar equation). Terminal
  mode sweeps a 2-12 deg fence every 4 s at 60%: 65 J a beam, 577 / 182 km. Forward-based
  mode surveys a thin horizon fence, 0.5-3 deg, every 10 s at 80%: 866 J, 1,100 / 348 km.
  A target is found by the fence only while it crosses that band.
* *Cued acquisition* (from the cue): from ``cue_delay_s`` after launch the space-based
  early warning tells the radar where to look, and each frame it puts a cued acquisition
  dwell on the target anywhere in its face (a 100 ms track dwell's energy over
  ``cued_beams`` = 10 beam positions, the uncertainty of the cue): 810 J, 1,081 / 342 km in
  either mode. Range ratios follow :math:`R \propto E^{1/4}`: the cue almost doubles what
  terminal mode's own search reaches (x1.88), while forward-based mode's fence already puts
  as much energy on a target (x0.98): there the cue matters for targets outside the thin
  fence (above 3 deg), not for range.
* *Track* (from the first detection): a 100 ms dwell every ``track_interval_s`` (1 s
  terminal, 2 s forward-based), 8,100 J: 1,923 / 608 km, the ranges published for the two
  modes.

Every one of these looks goes through :func:`~thaadsim.systems.radar.face_status`, so none
sees past the mode's instrumented range (600 km terminal, 2,000 km forward-based).

The regional fence of issue 15 -- Shariki and Kyogamisaki forward-based, Seongju in each
mode -- is the sensor catalog (``thaadsim/data/sensors.yaml``, :func:`get_sensor`); no TPY-2
pointing is public, so each boresight is an assumption with its reasoning and range, and
``--sensor SITE:MODE:BORESIGHT_DEG`` replaces it.

Both figures come from ``thaadsim/data/network.yaml`` with their provenance
(:func:`default_early_warning`, :func:`default_network_latency_s`). Everything here is a
frozen dataclass, so ``dataclasses.replace`` gives a changed sensor (a quarter of the
power, another boresight) that the engine uses as it is.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from thaadsim.errors import CatalogError, InputError
from thaadsim.limits import check
from thaadsim.systems.catalog import (
    Figure,
    _figure,
    _read_yaml,
    catalog_sensor_for,
    get_radar,
    get_site,
    sensor_catalog,
    sensor_entry,
)
from thaadsim.systems.radar import Emplacement, Radar


@dataclass(frozen=True, kw_only=True)
class EarlyWarning:
    """The defense's space-based early warning: the cue that reaches every sensor
    ``cue_delay_s`` after a launch."""

    cue_delay_s: float
    name: str = "space-based early warning"
    figures: Mapping[str, Figure] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        check("cue_delay_s", self.cue_delay_s, "early_warning.cue_delay_s")


@dataclass(frozen=True, kw_only=True)
class Sensor:
    """One radar of a defense, where it stands and whose it is."""

    name: str
    """Unique in its defense; names the sensor's columns in the tables and JSON."""
    radar: Radar
    """One mode's figures (``radar.mode``)."""
    emplacement: Emplacement
    battery: str | None = None
    """The battery (its ``slug``) whose own radar this is: its tracks reach that battery
    with no network latency. None: a sensor of the network (forward-based, or the one radar
    of a legacy scenario)."""
    site: str = ""
    """The catalog site's slug, or a label of the point (the JSON's ``site``)."""

    def __post_init__(self) -> None:
        where = f"sensor {self.name!r}"
        if not isinstance(self.name, str) or not self.name.strip():
            raise InputError(f"sensor: name: {self.name!r} is not allowed; allowed: a "
                             "non-empty string, unique in the defense")
        if not isinstance(self.radar, Radar):
            raise InputError(f"{where}: radar: a {type(self.radar).__name__} is not a Radar; "
                             "allowed: a Radar, e.g. ts.get_radar('terminal')")
        if not isinstance(self.emplacement, Emplacement):
            raise InputError(f"{where}: emplacement: a {type(self.emplacement).__name__} is "
                             "not an Emplacement; allowed: e.g. "
                             "ts.get_site('seongju').emplacement(boresight_deg=330.0)")

    @property
    def mode(self) -> str:
        return self.radar.mode

    def latency_s(self, battery: str, network_latency_s: float) -> float:
        """When this sensor's firm track reaches ``battery``: at once for its own battery,
        after the network's latency for any other."""
        return 0.0 if self.battery == battery else float(network_latency_s)


def sensor_at(site: str, mode: str, boresight_deg: float | None = None, *,
              name: str | None = None, battery: str | None = None) -> Sensor:
    """The catalog's radar in ``mode`` ('terminal', 'forward-based' or a radar slug) at the
    catalog site ``site``, facing ``boresight_deg``; if not given, the boresight of the
    catalog sensor of that site and mode (``sensors.yaml``), else the site's own. Named after
    the site unless ``name`` is given."""
    s = get_site(site)
    if boresight_deg is None:
        boresight_deg = catalog_boresight_deg(site, mode)
    return Sensor(name=name or site, radar=get_radar(mode).radar,
                  emplacement=s.emplacement(boresight_deg), battery=battery, site=site)


def catalog_boresight_deg(site: str, mode: str) -> float | None:
    """The boresight of the catalog sensor of ``mode`` at ``site`` (``sensors.yaml``), or
    None where the catalog has none."""
    entry = catalog_sensor_for(site, mode)
    return None if entry is None else entry.boresight.value


def get_sensor(slug: str, *, boresight_deg: float | None = None, name: str | None = None,
               battery: str | None = None) -> Sensor:
    """A catalog sensor (``sensors.yaml``: e.g. ``'shariki-forward-based'``,
    ``'seongju-terminal'``) as a :class:`Sensor` named after its slug, facing its catalog
    boresight (an assumption with its range, :func:`sensor_boresight_figure`) unless
    ``boresight_deg`` is given."""
    entry = sensor_entry(slug)
    bore = entry.boresight.value if boresight_deg is None else boresight_deg
    return Sensor(name=name or entry.slug, radar=get_radar(entry.mode).radar,
                  emplacement=get_site(entry.site).emplacement(bore), battery=battery,
                  site=entry.site)


def sensor_boresight_figure(slug: str) -> Figure:
    """A catalog sensor's boresight with its provenance (value, range and reasoning)."""
    return sensor_entry(slug).boresight


def sensor_slugs() -> tuple[str, ...]:
    """The slugs of the catalog's sensors (``sensors.yaml``)."""
    return tuple(sensor_catalog())


def sensor_line(sensor: Sensor) -> str:
    """One canonical line for ``sensor``: its ``--sensor`` form (site, mode, boresight as
    ``repr``), its name and battery, and the SHA-256 of its content (the repr of the frozen
    dataclass: every radar figure and the emplacement). Two sensors that differ in anything
    give different lines; what a run's ``scenario_sha256`` adds for each ``--sensor``."""
    digest = hashlib.sha256(repr(sensor).encode("utf-8")).hexdigest()
    return (f"--sensor {sensor.site or sensor.emplacement.name}:{sensor.mode}:"
            f"{sensor.emplacement.boresight_deg!r} name={sensor.name} "
            f"battery={sensor.battery} sha256={digest}")


def with_power(sensor: Sensor, factor: float) -> Sensor:
    """The same sensor with ``factor`` times its radar's average power."""
    radar = dataclasses.replace(sensor.radar,
                                average_power_w=sensor.radar.average_power_w * factor)
    return dataclasses.replace(sensor, radar=radar)


def _network(path: str | Path | None = None) -> tuple[Mapping[str, Figure], str, str]:
    raw, name = _read_yaml("network.yaml", path)
    ew = raw.get("early_warning")
    if not isinstance(ew, Mapping):
        raise CatalogError(f"{name}: early_warning: expected a mapping with cue_delay_s")
    figures = {"early_warning.cue_delay_s": _figure(ew.get("cue_delay_s"),
                                                    f"{name}: early_warning.cue_delay_s"),
               "network_latency_s": _figure(raw.get("network_latency_s"),
                                            f"{name}: network_latency_s")}
    for key, fig in figures.items():
        if not fig.value >= 0.0:
            raise CatalogError(f"{name}: {key}: {fig.value!r} must be 0 or more (seconds)")
    return figures, str(ew.get("name", "space-based early warning")), name


@cache
def default_early_warning() -> EarlyWarning:
    """The shipped catalog's early warning (``network.yaml``)."""
    figures, label, _ = _network()
    fig = figures["early_warning.cue_delay_s"]
    return EarlyWarning(cue_delay_s=fig.value, name=label, figures={"cue_delay_s": fig})


def network_latency_figure() -> Figure:
    """The network latency with its provenance (an assumption with its range)."""
    return _network()[0]["network_latency_s"]


@cache
def default_network_latency_s() -> float:
    """The shipped catalog's sensor-to-shooter latency (``network.yaml``), s."""
    return network_latency_figure().value




def parse_sensor_spec(text: str, option: str = "--sensor"
                      ) -> tuple[str, str, float | None]:
    """``SITE:MODE[:BORESIGHT_DEG]`` (the command line's ``--sensor``) as (site slug, mode,
    boresight or None), each checked against the catalog and :data:`LIMITS`; anything
    else is one :class:`InputError` naming the option, the text and what is allowed."""
    from thaadsim.systems.catalog import site_catalog
    from thaadsim.systems.radar import MODES

    form = "SITE:MODE[:BORESIGHT_DEG], e.g. shariki:forward-based or seongju:terminal:330"
    parts = str(text).split(":")
    if len(parts) not in (2, 3) or not all(p.strip() for p in parts):
        raise InputError(f"{option}: {str(text)[:60]!r} is not {form}")
    site, mode = parts[0].strip(), parts[1].strip()
    sites = site_catalog()
    if site not in sites:
        raise InputError(f"{option}: unknown site {site[:40]!r}; allowed: a site of "
                         f"sites.yaml ({', '.join(sites)})")
    if mode not in MODES:
        raise InputError(f"{option}: unknown radar mode {mode[:40]!r}; allowed: "
                         f"{', '.join(MODES)}")
    bore: float | None = None
    if len(parts) == 3:
        try:
            bore = float(parts[2])
        except ValueError:
            raise InputError(f"{option}: boresight {parts[2][:40]!r} is not a number; "
                             f"allowed: {form}") from None
        check("boresight_deg", bore, f"{option} boresight")
    return site, mode, bore


def sensors_from_specs(specs: Sequence[str], toward: tuple[float, float],
                       taken: Sequence[str] = (), option: str = "--sensor"
                       ) -> tuple[Sensor, ...]:
    """The sensors of ``--sensor`` options (:func:`parse_sensor_spec`), each facing its
    boresight or, if none is given, the boresight of the catalog sensor of that site and
    mode (:func:`catalog_boresight_deg`), else the point ``toward`` (lat, lon: the launch
    point, as a scenario's default); named after their site, with ``-2``, ``-3``... where the
    name is ``taken`` (by the defense's sensors or an earlier option)."""
    from thaadsim.physics.geodesy import geodesic_inverse

    names = list(taken)
    out = []
    for text in specs:
        site_slug, mode, bore = parse_sensor_spec(text, option)
        site = get_site(site_slug)
        if bore is None:
            bore = catalog_boresight_deg(site_slug, mode)
        if bore is None:
            bore = float(geodesic_inverse(site.lat_deg, site.lon_deg, *toward)[1]) % 360.0
        name, k = site_slug, 1
        while name in names:
            k += 1
            name = f"{site_slug}-{k}"
        names.append(name)
        out.append(Sensor(name=name, radar=get_radar(mode).radar,
                          emplacement=site.emplacement(bore), site=site_slug))
    return tuple(out)


__all__ = ["EarlyWarning", "Sensor", "catalog_boresight_deg", "default_early_warning",
           "default_network_latency_s", "get_sensor", "network_latency_figure",
           "parse_sensor_spec", "sensor_at", "sensor_boresight_figure", "sensor_line",
           "sensor_slugs", "sensors_from_specs", "with_power"]
