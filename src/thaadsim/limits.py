"""The one table of input limits: every number a user gives, from the command line, a scenario
file or the Python API, is checked against the row of :data:`LIMITS` that names it, before
any work starts.

A limit is there for one of three reasons, said in its ``why``: the physics has no meaning
outside it (a latitude beyond 90 degrees), the model was not built for it (a burnout speed
above escape speed), or the memory or time the work needs grows with it (trials, grid cells,
launch intervals that stretch the flight grid). The README's table "Input limits" is
:func:`limits_markdown`, checked by the test suite to be the same.

:func:`check` refuses a value outside its row with one :class:`~thaadsim.errors.InputError`
that names the field, the value (:func:`fmt_number`: never a 309-digit number) and what is
allowed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from thaadsim.errors import InputError


@dataclass(frozen=True, kw_only=True)
class Limit:
    """The allowed range of one input quantity."""

    low: float
    high: float
    unit: str
    """The unit the user writes (km, deg, s, m2; '' for counts and probabilities)."""
    what: str
    """What the quantity is, a few words."""
    why: str
    """Why the bounds are where they are."""
    integer: bool = False
    low_open: bool = False
    """The low bound itself is refused (``value > low``)."""
    high_open: bool = False
    """The high bound itself is refused (``value < high``)."""

    def allows(self, value: float) -> bool:
        """Whether ``value`` lies in the range (NaN and infinities never do)."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False
        if self.integer and not (isinstance(value, int)
                                 or (math.isfinite(value) and float(value).is_integer())):
            return False
        if isinstance(value, float) and not math.isfinite(value):
            return False  # (an int is finite, and compares exactly: no float overflow)
        above = value > self.low if self.low_open else value >= self.low
        below = value < self.high if self.high_open else value <= self.high
        return above and below

    def allowed(self) -> str:
        """The range in words, as messages and the README say it."""
        kind = "a whole number" if self.integer else "a number"
        unit = f" {self.unit}" if self.unit else ""
        lo = ("above " if self.low_open else "from ") + fmt_number(self.low)
        if self.high_open:
            hi = (" and below " if self.low_open else " to below ") + fmt_number(self.high)
        else:
            hi = (" and at most " if self.low_open else " to ") + fmt_number(self.high)
        return f"{kind} {lo}{hi}{unit}"


def fmt_number(value: Any) -> str:
    """A number as a message shows it: whole numbers with thousands separators up to 20
    digits, others in at most 6 significant digits; a huge whole number by its digit count
    (never the 309 digits of 1e308 or the 5,000 of a hostile integer)."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        if abs(value) < 10**20:
            return f"{value:,}"
        digits = len(str(abs(value))) if abs(value) < 10**4000 else None
        sign = "-" if value < 0 else ""
        return (f"{sign}a {digits:,}-digit number" if digits is not None
                else f"{sign}a number of more than 4,000 digits")
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        if value.is_integer() and abs(value) < 1e15:
            return f"{int(value):,}"
        return f"{value:.6g}"
    return repr(value)[:60]


def _l(low: float, high: float, unit: str, what: str, why: str, **kw: Any) -> Limit:
    return Limit(low=low, high=high, unit=unit, what=what, why=why, **kw)


_PHYS = "its physical range"
_MEM = "memory and time grow with it"

LIMITS = MappingProxyType({
    # where things are
    "lat_deg": _l(-90, 90, "deg", "latitude", _PHYS),
    "lon_deg": _l(-180, 360, "deg", "longitude (east of Greenwich; 180-360 wraps to west)",
                  _PHYS),
    "azimuth_deg": _l(-360, 360, "deg", "azimuth of flight, clockwise from north",
                      "one turn either way"),
    "boresight_deg": _l(0, 360, "deg", "radar face azimuth, clockwise from north", _PHYS,
                        high_open=True),
    "min_elevation_deg": _l(0, 90, "deg", "lowest elevation a radar is operated at, at its "
                            "site", _PHYS, high_open=True),
    "alt_km": _l(-0.5, 9, "km", "altitude of a site or of equipment on the ground",
                 "the Dead Sea shore to above Everest"),
    "radius_km": _l(0, 500, "km", "radius of a launch area", "a launch area, not a region",
                    low_open=True),
    "asset_radius_km": _l(0, 1000, "km", "radius of a defended asset",
                          "a city or a region, not a continent", low_open=True),
    # flight
    "speed_kms": _l(0.05, 11.0, "km/s", "burnout speed",
                    "a missile's: from a rocket that barely leaves the ground to escape "
                    "speed (11.2 km/s), where a flight no longer comes down"),
    "gamma_deg": _l(0, 90, "deg", "burnout flight-path angle above the local horizontal",
                    _PHYS),
    "burnout_alt_km": _l(0, 2000, "km", "burnout altitude", "a missile's burnout, below "
                         "medium Earth orbit"),
    "beta_kgm2": _l(10, 1e6, "kg/m2", "ballistic coefficient m/(Cd A)",
                    "from a drifting balloon decoy (~10) to a dense penetrator (~1e5)"),
    "range_km": _l(0, 20_000, "km", "ground range", "half the Earth's circumference",
                   low_open=True),
    "apogee_km": _l(0, 10_000, "km", "apogee altitude",
                    "above the highest lofted test (Hwasong-19, 7,687 km, Oct 2024)",
                    low_open=True),
    "flight_time_s": _l(0, 20_000, "s", "flight time of a lofted test",
                        "above the longest lofted test (Hwasong-19, 5,156 s)", low_open=True),
    "band_km": _l(0, 2000, "km", "edge of the altitude band", "the atmosphere to far above "
                  "any intercept"),
    "launch_t_s": _l(0, 86_400, "s", "launch time after the start of the raid",
                     "one day; the flight grid spans it"),
    "interval_s": _l(0, 3_600, "s", "time between a group's launches",
                     "one hour between shots; the flight grid spans count x interval"),
    # radar
    "rcs_m2": _l(1e-6, 1e4, "m2", "radar cross-section",
                 "an insect to a large aircraft; the range equation overflows far beyond"),
    "target_alt_km": _l(0, 5000, "km", "target altitude for coverage",
                        "the ground to far above any ballistic apogee it is asked about"),
    "azimuth_step_deg": _l(0.01, 10, "deg", "spacing of a coverage map's rays",
                           "a ray every 0.01 deg is 12,000 across a face; memory grows "
                           "with 1/step"),
    "refraction_k": _l(0.5, 4, "", "effective-Earth factor of radar refraction (4/3 "
                       "standard, 1 none)", "sub-refraction to strong ducting"),
    "sensors": _l(1, 20, "", "sensors of a defense (radars at sites)",
                  "each runs its radar and tracker on every threat-trial: time and memory "
                  "grow with them", integer=True),
    "cue_delay_s": _l(0, 3_600, "s", "early-warning cue after a launch",
                      "the launch itself to an hour, longer than a regional missile flies"),
    "network_latency_s": _l(0, 600, "s", "a sensor's firm track to another battery "
                            "(network latency)", "ten minutes is longer than a regional "
                            "missile flies"),
    "post_boost_s": _l(0, 3_600, "s", "post-boost (deployment) window after burnout",
                       "an hour, longer than an ICBM's whole flight"),
    "corridors": _l(1, 400, "", "corridors (launch areas x targets) of a surveillance batch",
                    "each flies a missile and runs every sensor on it twice: ~seconds "
                    "each", integer=True),
    # the engagement
    "count": _l(1, 500, "", "missiles in one threat group", _MEM, integer=True),
    "decoys": _l(0, 20, "", "decoys released with one warhead", _MEM, integer=True),
    "threats": _l(1, 2_000, "", "threats in one raid, all groups together", _MEM,
                  integer=True),
    "max_count": _l(1, 500, "", "largest raid of a raid curve", _MEM, integer=True),
    "launchers": _l(1, 100, "", "launchers of a battery", "a battery, not a nation's "
                    "inventory", integer=True),
    "interceptors_per_launcher": _l(1, 100, "", "interceptors a launcher holds",
                                    "far above any launcher's", integer=True),
    "inventory": _l(1, 10_000, "", "interceptors of a battery", _MEM, integer=True),
    "fire_channels": _l(1, 100, "", "engagements a battery guides at once",
                        "far above any fire-control system's", integer=True),
    "probability": _l(0, 1, "", "a probability (single-shot kill)", _PHYS),
    "min_shots": _l(1, 10, "", "shot opportunities asked of a footprint cell",
                    "shoot-look-shoot rarely gets more than two", integer=True),
    # sampling and the runner
    "trials": _l(1, 100_000, "", "Monte Carlo trials", _MEM, integer=True),
    "tracked_trials": _l(1, 1_000_000, "", "threats x trials that run the radar and tracker "
                         "in one process (detect, engage, raid without the runner)",
                         "tracked in chunks of 400 threat-trials; the tables kept take about "
                         "0.5 kB each (1,000,000: 0.5 GB); the runner's pool resamples "
                         "tracking instead", integer=True),
    "seed": _l(0, 2**63 - 1, "", "random seed", "NumPy's SeedSequence", integer=True),
    "pool": _l(0, 1_000_000, "", "tracking outcomes pooled per distinct threat (0: none)",
               _MEM, integer=True),
    "chunk_size": _l(1, 10_000_000, "", "work units per chunk of the runner", _MEM,
                     integer=True),
    "workers": _l(1, 256, "", "worker processes", "a machine or a small cluster",
                  integer=True),
    "serve_workers": _l(1, 64, "", "worker processes of `thaadsim serve`",
                        "each holds a run's memory; more than the cores only queues",
                        integer=True),
    "port": _l(1, 65_535, "", "TCP port of `thaadsim serve`", "the TCP port numbers",
               integer=True),
    "serve_trials": _l(1, 1_000, "", "Monte Carlo trials of one run of `thaadsim serve`",
                       "a run of 60 threats x 1,000 trials takes minutes on one core, the most "
                       "one request of a shared server may ask", integer=True),
    "serve_threats": _l(1, 60, "", "threats of one run of `thaadsim serve`, all groups "
                        "together", "one request must not exhaust a shared server",
                        integer=True),
    "serve_grid_points": _l(1, 2_500, "", "cells of one footprint grid of `thaadsim serve` "
                            "((2 extent / grid_km + 1)^2)", "each cell flies and engages "
                            "a threat: a 41 x 41 grid takes seconds", integer=True),
    "samples": _l(4, 4_096, "", "Saltelli base samples of a sensitivity study (a power of "
                  "two)", "the model runs samples x (parameters + 2) times", integer=True),
    "grid_km": _l(0.5, 500, "km", "footprint grid cell",
                  "finer than a city; a grid must also have at least 5 cells across its "
                  "extent and at most 250,000 cells", low_open=False),
    "extent_km": _l(10, 3_000, "km", "half-width of a footprint grid",
                    "beyond any THAAD or Patriot reach with its margin"),
    # files
    "scenario_bytes": _l(1, 1_048_576, "bytes", "size of a scenario file",
                         "a scenario is a few kB; refused before it is parsed",
                         integer=True),
    "name_bytes": _l(1, 400, "bytes", "a name in UTF-8 (scenario, group, asset)",
                     "80 characters of any script, emoji included; a folder named after it is "
                     "a bounded ASCII slug", integer=True),
})
"""Every input limit, by name (module docstring)."""


def limit(name: str) -> Limit:
    """The row ``name`` of :data:`LIMITS`."""
    return LIMITS[name]


def check(name: str, value: Any, field: str | None = None) -> Any:
    """``value`` if it lies within the limit ``name``, else an :class:`InputError` naming
    ``field`` (default: ``name``), the value and the allowed range."""
    row = LIMITS[name]
    if not row.allows(value):
        raise InputError(f"{field or name}: {fmt_number(value)} is out of range; allowed: "
                         f"{row.allowed()}")
    return value


def limits_markdown() -> str:
    """The table of :data:`LIMITS` as the README shows it (Markdown)."""
    lines = ["| input | what | allowed | why |", "|---|---|---|---|"]
    for name, row in LIMITS.items():
        lines.append(f"| `{name}` | {row.what} | {row.allowed()} | {row.why} |")
    return "\n".join(lines)


__all__ = ["LIMITS", "Limit", "check", "fmt_number", "limit", "limits_markdown"]
