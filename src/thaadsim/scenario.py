"""Scenario files: a YAML description of one defense, one raid and one run, validated once.

A scenario file has five top-level keys (units in their names: km, degrees, seconds; the
engagement works in SI):

.. code-block:: yaml

    name: korea-2017                  # defaults to the file's name
    description: "..."
    run: {trials: 200, seed: 1, band_km: [40, 150]}
    defense:
      doctrine: shoot-look-shoot      # the default of every battery
      sensors:                        # radars at sites; `battery`: whose own radar it is
        - {name: seongju, site: seongju, boresight_deg: 330, mode: terminal,
           battery: seongju}
        - {name: shariki, site: shariki, mode: forward-based}
      early_warning: true             # the catalog's cue (network.yaml), or {cue_delay_s: 45}
      network_latency_s: 3            # a sensor's track to another battery (default: catalog)
      batteries:
        - {battery: seongju, launchers: 2}          # a catalog battery, changed as given
      assets: [{name: Seoul, site: seoul, radius_km: 20}]
      engage_all: false
    raid:
      - name: "Scud-C on Busan"
        missile: scud-c
        count: 2
        launch: {area: {lat_deg: 39.17, lon_deg: 127.45, radius_km: 15}}
        aim: {site: busan}
        shape: min-energy
        launch_t_s: 30
        interval_s: 5

A *place* (an asset, a launch point, an aim point, a radar or a moved battery) is either
``site: SLUG`` (``sites.yaml``) or ``lat_deg`` and ``lon_deg`` (radars and batteries may add
``alt_km``). A launch may instead be an ``area`` (a place with ``radius_km``): each missile
of the group is launched from a point drawn uniformly over that disc (radius
:math:`R\\sqrt{u}`, azimuth :math:`360 v`, ``u, v`` uniform) from a generator seeded with
``(run seed, group index)``, so the same seed always gives the same launch points and a
different ``--seed`` gives different ones. A longitude may be written from -180 to 360 east
(``LIMITS['lon_deg']``); 180 to 360 is read as the west, in [-180, 180).

Every number is bounded by its row of :data:`thaadsim.limits.LIMITS` (the field's pydantic
constraints and the "allowed" text of its message both come from the row). A name (of the
scenario, a threat group, an asset, a battery) is 1 to ``LIMITS['name_bytes']`` bytes of
UTF-8 without control, format or line-separator characters (:func:`name_problem`), so that
every export and folder name takes it; a description may hold tab and newline besides. A
file larger than ``LIMITS['scenario_bytes']`` is refused before it is parsed.

A sensor's boresight, when left out, is the bearing from the sensor to the mean launch point
of the raid (the groups' launch centres weighted by their counts). Each sensor is named
(``name``, its site's slug by default; unique), and may belong to a battery (``battery``,
the battery's name in this file): its tracks reach that battery at once, every other battery
after ``network_latency_s``. A battery's ``sensors`` lists the sensors it may fire on (all
by default). The older form ``radars:`` (exactly one radar, no ``sensors:``) still loads
with its old meaning: that one radar tracks for every battery, with no latency.

Every mistake (a wrong key, a wrong type, an unknown site, missile, battery, interceptor,
mode or doctrine, a value out of range, a target out of the missile's reach, a YAML syntax
error, a key that YAML reads as something other than text) is refused with one
:class:`~thaadsim.errors.InputError` whose message reads ``FILE:LINE: FIELD.PATH: the bad
value ...; allowed: ...``, followed, when the schema found more, by where the others are.

Built-in scenarios live in ``thaadsim/data/scenarios``: :func:`list_scenarios`,
:func:`scenario_text`, :func:`load_scenario`.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import os
import re
import select
import stat
import types
import typing
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, NoReturn

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic.fields import FieldInfo

from thaadsim.engagement import Decoys, DefendedAsset, Defense, RaidThreat, Result, simulate
from thaadsim.errors import InputError
from thaadsim.limits import LIMITS, check, fmt_number
from thaadsim.physics.geodesy import geodesic_direct, geodesic_inverse
from thaadsim.systems.catalog import Site, get_missile, get_radar, missile_catalog, site_catalog
from thaadsim.systems.discrimination import Discrimination, discriminate
from thaadsim.systems.fire_control import COASTING_POLICIES, DOCTRINES, Battery, battery_catalog
from thaadsim.systems.interceptor import interceptor_catalog
from thaadsim.systems.radar import MODES, Emplacement
from thaadsim.systems.sensors import (
    EarlyWarning,
    Sensor,
    default_early_warning,
    default_network_latency_s,
)
from thaadsim.systems.threat import SHAPES

MAX_TRIALS = int(LIMITS["trials"].high)
MAX_COUNT = int(LIMITS["count"].high)
MAX_THREATS = int(LIMITS["threats"].high)
"""Threats in one raid, all groups together."""
REACH_MARGIN = 1.03
"""A missile is aimed up to this factor beyond its catalog range (the trajectory model
refuses beyond it: :func:`thaadsim.systems.threat.initial_controls`)."""

_BUILTIN_DIR = "scenarios"


# --------------------------------------------------------------------------------------------
# Names and text: what every export and every folder name can hold
# --------------------------------------------------------------------------------------------

_NAME = LIMITS["name_bytes"]
NAME_ALLOWED = (f"text of {fmt_number(_NAME.low)} to {fmt_number(_NAME.high)} bytes in "
                "UTF-8, not blank, without control, format or line-separator characters")
"""What a name (of the scenario, a threat group, an asset, a battery) may be."""

_JOINERS = frozenset("\u200c\u200d")
"""Zero-width non-joiner and joiner (format characters, category Cf): emoji sequences and
several scripts need them, and they do nothing to a terminal or a file format."""


def forbidden_char(text: str, allow: str = "") -> str | None:
    """The first character of ``text`` that no name or description may hold, or None.

    Refused: control characters (Unicode category Cc: NUL, ESC and the rest of C0 and C1,
    which XML 1.0 forbids and terminals obey), surrogates (Cs: not text), format characters
    (Cf, such as the bidirectional overrides that make text read backwards) except the
    zero-width joiners, line and paragraph separators (Zl, Zp: a message is one line) and
    the noncharacters (U+FDD0-U+FDEF, U+FFFE and U+FFFF in every plane). ``allow`` lists
    characters accepted anyway (a description keeps tab and newline).
    """
    for ch in text:
        if ch in allow:
            continue
        cat = unicodedata.category(ch)
        code = ord(ch)
        if (cat in ("Cc", "Cs", "Zl", "Zp") or (cat == "Cf" and ch not in _JOINERS)
                or 0xFDD0 <= code <= 0xFDEF or code & 0xFFFE == 0xFFFE):
            return ch
    return None


_KINDS = {"Cc": "a control character", "Cs": "a lone surrogate, not text",
          "Cf": "a format character", "Zl": "a line separator", "Zp": "a paragraph separator"}


def _char_words(ch: str) -> str:
    """A character as a message names it: code point, name and kind."""
    kind = _KINDS.get(unicodedata.category(ch), "a noncharacter")
    name = unicodedata.name(ch, "")
    return f"U+{ord(ch):04X} ({name.lower() + ', ' if name else ''}{kind})"


def name_problem(value: str) -> str | None:
    """Why ``value`` is not a valid name (:data:`NAME_ALLOWED`), or None if it is."""
    ch = forbidden_char(value)
    if ch is not None:
        return f"holds the character {_char_words(ch)}"
    size = len(value.encode("utf-8"))
    if not _NAME.allows(size):
        return f"is {fmt_number(size)} bytes long in UTF-8"
    if not "".join(ch for ch in value if ch not in _JOINERS).strip():
        return "is blank"
    return None


def _safe_name(text: str, fallback: str) -> str:
    """``text`` made a valid name (forbidden characters dropped, cut to the byte limit on a
    character boundary), or ``fallback`` if nothing is left."""
    kept = "".join(ch for ch in text if forbidden_char(ch) is None).strip()
    cut = kept.encode("utf-8")[: int(_NAME.high)].decode("utf-8", "ignore").strip()
    return cut if cut else fallback


def _label(path: str) -> str:
    """A file's name as messages show it: as given, or quoted with escapes if it holds a
    character that would break the one line (a newline, a control character)."""
    return path if path and forbidden_char(path) is None else ascii(path)


# --------------------------------------------------------------------------------------------
# The schema (pydantic v2): structure, types and ranges
# --------------------------------------------------------------------------------------------


def _f(default: Any, allowed: str, **constraints: Any) -> Any:
    """A field whose ``allowed`` text goes into the error message."""
    return Field(default, json_schema_extra={"allowed": allowed}, **constraints)


def _lim(default: Any, name: str, note: str = "") -> Any:
    """A numeric field bounded by the row ``name`` of :data:`~thaadsim.limits.LIMITS`: its
    constraints and its ``allowed`` text both come from the row (one place for each
    limit)."""
    row = LIMITS[name]
    low: float = int(row.low) if row.integer else float(row.low)
    high: float = int(row.high) if row.integer else float(row.high)
    bounds = {"gt" if row.low_open else "ge": low, "lt" if row.high_open else "le": high}
    return _f(default, row.allowed() + note, **bounds)


def _name_f(default: Any, what: str) -> Any:
    """A name field: text checked by :func:`name_problem` after the schema."""
    return _f(default, f"{what}: {NAME_ALLOWED}")


_REQUIRED: Any = ...


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)


class Place(_Model):
    """A named site, or a point."""

    site: str | None = _f(None, "a site slug (sites.yaml)")
    lat_deg: float | None = _lim(None, "lat_deg")
    lon_deg: float | None = _lim(None, "lon_deg")


class Area(Place):
    """A disc around a place; launch points are drawn uniformly over it."""

    radius_km: float = _lim(_REQUIRED, "radius_km")


class Launch(Place):
    """Where a threat group is launched from: a place, or an area."""

    area: Area | None = _f(None, "a mapping: site or lat_deg/lon_deg, and radius_km")


class Emplaced(Place):
    """A place for equipment, with its altitude when given as a point."""

    alt_km: float | None = _lim(None, "alt_km", " (above the ellipsoid)")


class RadarSpec(Emplaced):
    """The one AN/TPY-2 of the older form (``radars:``), tracking for every battery."""

    mode: str = _f("terminal", "a radar mode")
    boresight_deg: float | None = _lim(None, "boresight_deg", ", clockwise from north")
    min_elevation_deg: float | None = _lim(None, "min_elevation_deg", " (default: the "
                                           "site's, sites.yaml, else the radar's)")


class SensorSpec(RadarSpec):
    """A radar of the defense's network (``sensors:``)."""

    name: str | None = _name_f(None, "a label for the tables (unique among the sensors; "
                               "the site's slug by default)")
    battery: str | None = _f(None, "the name of a battery of this defense (the sensor is "
                             "its own radar)")


class EarlyWarningSpec(_Model):
    """The space-based cue, with its delay."""

    cue_delay_s: float = _lim(_REQUIRED, "cue_delay_s")


class BatterySpec(Emplaced):
    """A catalog battery (``batteries.yaml``), changed where a field is given; ``site`` or
    ``lat_deg``/``lon_deg`` moves it."""

    battery: str = _f(_REQUIRED, "a battery slug (batteries.yaml)")
    name: str | None = _name_f(None, "a short label for the tables (unique among the "
                               "batteries)")
    launchers: int | None = _lim(None, "launchers")
    interceptors_per_launcher: int | None = _lim(None, "interceptors_per_launcher")
    inventory: int | None = _lim(None, "inventory", " (fewer interceptors than the "
                                 "launchers hold)")
    fire_channels: int | None = _lim(None, "fire_channels")
    interceptor: str | None = _f(None, "an interceptor slug (interceptors.yaml)")
    doctrine: str | None = _f(None, "a doctrine")
    sensors: list[str] | None = _f(None, "a list of the names of the defense's sensors it "
                                   "may fire on (all by default)", min_length=1)


class AssetSpec(Place):
    """A defended asset: a threat whose predicted impact falls within ``radius_km``
    endangers it."""

    name: str = _name_f(_REQUIRED, "a name")
    radius_km: float = _lim(20.0, "asset_radius_km")


class DefenseSpec(_Model):
    doctrine: str = _f("shoot-look-shoot", "a doctrine")
    coasting: str = _f("handover", "what fire control does with a coasting track: "
                       "handover, fire or wait")
    sensors: list[SensorSpec] | None = _f(None, "a list of 1 to 20 sensors (radars at "
                                          "sites)", min_length=1, max_length=20)
    radars: list[RadarSpec] | None = _f(None, "the older form: a list of exactly one radar "
                                        "tracking for every battery with no latency (use "
                                        "sensors: for more)", min_length=1, max_length=1)
    early_warning: bool | EarlyWarningSpec = _f(True, "true (the catalog's cue), false (no "
                                                "cue) or a mapping with cue_delay_s")
    network_latency_s: float | None = _lim(None, "network_latency_s",
                                           " (default: the catalog's, network.yaml)")
    batteries: list[BatterySpec] = _f(_REQUIRED, "a list of 1 to 20 batteries, upper tier "
                                      "first", min_length=1, max_length=20)
    assets: list[AssetSpec] = _f([], "a list of up to 100 defended assets", max_length=100)
    engage_all: bool = _f(False, "true or false")
    sspk: float | None = _lim(None, "probability", " (overrides the interceptors')")
    perfect_tracking: bool = _f(False, "true or false")


class DecoySpec(_Model):
    """Decoys and debris released with each warhead of a group (``Decoys``: the model and
    its assumptions)."""

    count: int = _lim(_REQUIRED, "decoys")
    rcs_m2: float = _lim(0.1, "rcs_m2", " (assumption: 0.01-1 m2)")
    discrimination: float | str = _f(0.0, "a probability from 0 to 1 (that the radar tells a "
                                     "decoy from the warhead; assumption) or 'physics' (from "
                                     "the decoy's beta_kgm2 and rcs_m2, the first battery and "
                                     "its radar: thaadsim.systems.discrimination)")
    beta_kgm2: float = _lim(100.0, "beta_kgm2", " (the decoy's ballistic coefficient, used "
                            "with discrimination: physics; assumption: 50-500 for a light "
                            "decoy, Sessler et al. 2000)")


class ThreatGroup(_Model):
    """Missiles of one type from one launch place (or area) at one aim point."""

    name: str | None = _name_f(None, "a label (unique among the groups)")
    missile: str = _f(_REQUIRED, "a missile slug (missiles.yaml)")
    count: int = _lim(1, "count")
    launch: Launch = _f(_REQUIRED, "a mapping: site, lat_deg/lon_deg, or area")
    aim: Place = _f(_REQUIRED, "a mapping: site, or lat_deg/lon_deg")
    shape: str = _f("min-energy", "a trajectory shape")
    apogee_km: float | None = _lim(None, "apogee_km", " (lofted or depressed shapes only)")
    launch_t_s: float = _lim(0.0, "launch_t_s", " after the start of the raid")
    interval_s: float = _lim(0.0, "interval_s", " between the group's launches")
    rcs_m2: float = _lim(0.1, "rcs_m2")
    decoys: DecoySpec | None = _f(None, "a mapping: count, rcs_m2, discrimination")


_BAND = LIMITS["band_km"]


class RunSpec(_Model):
    trials: int = _lim(100, "trials")
    seed: int = _lim(0, "seed")
    band_km: list[float] = _f([40.0, 150.0], f"two altitudes [low, high] in km, "
                              f"{fmt_number(_BAND.low)} <= low < high <= "
                              f"{fmt_number(_BAND.high)}", min_length=2, max_length=2)


class ScenarioSpec(_Model):
    """The whole file."""

    name: str | None = _name_f(None, "a name (the file's name if left out)")
    description: str = _f("", "text without control characters other than tab and newline")
    run: RunSpec = _f(RunSpec(), "a mapping: trials, seed, band_km")
    defense: DefenseSpec = _f(_REQUIRED, "a mapping: doctrine, sensors (or radars), "
                              "early_warning, network_latency_s, batteries, assets, "
                              "engage_all, sspk, perfect_tracking")
    raid: list[ThreatGroup] = _f(_REQUIRED, "a list of 1 or more threat groups",
                                 min_length=1)


# --------------------------------------------------------------------------------------------
# YAML with the line of every key and item
# --------------------------------------------------------------------------------------------

Loc = tuple[str | int, ...]


class _Where:
    """The file's label and the line (1-based) of every key and list item, by path."""

    def __init__(self, label: str, text: str) -> None:
        self.label = label
        self.text = text
        self.lines: dict[Loc, int] = {(): 1}

    def line(self, loc: Sequence[str | int]) -> int:
        """The line of ``loc``, or of the nearest enclosing key that the file has."""
        path: Loc = tuple(str(p) if not isinstance(p, int) else p for p in loc)
        while path not in self.lines:
            path = path[:-1]
        return self.lines[path]

    def fail(self, loc: Sequence[str | int], message: str) -> NoReturn:
        raise InputError(f"{self.label}:{self.line(loc)}: {_path(loc)}: {message}")


_PLAIN_KEY = re.compile(r"[A-Za-z0-9_-]{1,60}")


def _path(loc: Sequence[str | int]) -> str:
    """``raid[0].launch.lat_deg``; a key that is not plain letters, digits, '_' or '-' is
    quoted with escapes, ``raid[0]['\\n']``, so that the path stays one line."""
    out = ""
    for p in loc:
        if isinstance(p, int):
            out += f"[{p}]"
        elif _PLAIN_KEY.fullmatch(p):
            out += f".{p}" if out else p
        else:
            out += f"[{_show(p)}]"
    return out or "(top level)"


def _read(text: str, where: _Where) -> Any:
    """The YAML document of ``text``: composed into nodes, walked (the line of every key,
    and the checks of :func:`_walk`) and only then constructed into Python values."""
    try:  # the reader refuses control characters as soon as it is made
        loader = yaml.SafeLoader(text)
    except yaml.reader.ReaderError as exc:
        raise InputError(f"{where.label}:{text.count(chr(10), 0, exc.position) + 1}: not "
                         f"valid YAML (character U+{exc.character:04X} at position "
                         f"{exc.position}: control characters are not allowed); allowed: "
                         "printable UTF-8 text") from None
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _walk(node, (), where, [0])
        return loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        col = f", column {mark.column + 1}" if mark is not None else ""
        lines = text.splitlines()
        src = _show(lines[line - 1].strip()) if 0 < line <= len(lines) else "''"
        problem = exc.problem or exc.context or "malformed"
        if exc.context and exc.problem:
            ctx = exc.context_mark
            started = (f" that starts on line {ctx.line + 1}" if ctx is not None
                       and ctx.line + 1 != line else "")
            problem += f" ({exc.context}{started})"
        raise InputError(f"{where.label}:{line}: YAML syntax error{col}: "
                         f"{_one_line(problem)}, in {src}; allowed: YAML mappings 'key: "
                         "value' and lists '- item', consistently indented, brackets closed"
                         ) from None
    except yaml.YAMLError as exc:
        raise InputError(f"{where.label}:1: not valid YAML ({_one_line(str(exc))}); allowed: "
                         "a YAML mapping") from None
    except RecursionError:
        raise InputError(f"{where.label}:1: the YAML is nested too deeply; allowed: a "
                         "scenario's few levels of mappings and lists") from None
    finally:
        loader.dispose()


def _one_line(text: str) -> str:
    """``text`` with its whitespace runs (newlines too) made single spaces, and any character
    that :func:`forbidden_char` refuses escaped: a message stays one line."""
    flat = " ".join(text.split())
    return "".join(ch if forbidden_char(ch) is None else ascii(ch)[1:-1] for ch in flat)


MAX_NODES = 1_000_000
"""Values in one file, aliases expanded: a bound that refuses an alias bomb ("billion
laughs") before anything walks its expansion."""

MAX_INT_CHARS = 40
"""The longest whole number a scenario may spell (twice the digits of the largest seed):
Python refuses to read more than 4,300 digits, and nothing in a scenario needs 20."""

_STR_TAG = "tag:yaml.org,2002:str"
_INT_TAG = "tag:yaml.org,2002:int"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_YAML_KINDS = {"tag:yaml.org,2002:bool": "true or false", _INT_TAG: "a whole number",
               "tag:yaml.org,2002:float": "a number", "tag:yaml.org,2002:null": "null"}


def _keys_allowed(loc: Loc) -> str:
    holder, _ = _field_at((*loc, "?"))
    return (f"the keys {', '.join(holder.model_fields)}" if holder is not None
            else "keys that are text")


def _walk(node: yaml.Node, loc: Loc, where: _Where, count: list[int]) -> None:
    """Record the line of every key and item under ``loc``; refuse an alias bomb, deep
    nesting, a key given twice, a key that YAML does not read as text and a whole number too
    long to read, each with its path."""
    count[0] += 1
    if count[0] > MAX_NODES:
        raise InputError(f"{where.label}:{node.start_mark.line + 1}: more than {MAX_NODES:,} "
                         "values (anchors and aliases expanded); allowed: a scenario of "
                         "reasonable size")
    if len(loc) > 50:
        where.fail(loc, "nested more than 50 levels deep; allowed: a scenario's few levels "
                   "of mappings and lists")
    if isinstance(node, yaml.ScalarNode):
        if node.tag == _INT_TAG and len(node.value) > MAX_INT_CHARS:
            digits = sum(c.isalnum() for c in node.value)
            where.fail(loc, f"a whole number spelt with {fmt_number(digits)} digits; allowed: "
                       f"{_allowed(_field_at(loc)[1])}")
    elif isinstance(node, yaml.MappingNode):
        merges = [(k, v) for k, v in node.value if k.tag == _MERGE_TAG]
        for key_node, value_node in merges:  # '<<: *defaults': the keys it brings, first
            sources = (value_node.value if isinstance(value_node, yaml.SequenceNode)
                       else [value_node])
            for source in sources:
                if not isinstance(source, yaml.MappingNode):
                    raise InputError(f"{where.label}:{key_node.start_mark.line + 1}: "
                                     f"{_path(loc)}: a merge key '<<' with something other "
                                     "than a mapping; allowed: '<<: *anchor' of a mapping, or "
                                     "a list of them")
                _walk(source, loc, where, count)
        seen: set[str] = set()
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                kind = "a list" if isinstance(key_node, yaml.SequenceNode) else "a mapping"
                raise InputError(f"{where.label}:{key_node.start_mark.line + 1}: "
                                 f"{_path(loc)}: a key that is {kind}; allowed: "
                                 f"{_keys_allowed(loc)}")
            key = str(key_node.value)
            where.lines[(*loc, key)] = key_node.start_mark.line + 1
            if key_node.tag != _STR_TAG:
                kind = _YAML_KINDS.get(key_node.tag, f"the tag {_show(key_node.tag)}")
                where.fail((*loc, key), f"unknown key {_show(key)} (YAML reads it as {kind}, "
                           f"not as text); allowed: {_keys_allowed(loc)}")
            if key in seen:
                where.fail((*loc, key), f"the key {_show(key)} is given twice; allowed: each "
                           "key once")
            seen.add(key)
            _walk(value_node, (*loc, key), where, count)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            where.lines[(*loc, i)] = item.start_mark.line + 1
            _walk(item, (*loc, i), where, count)


# --------------------------------------------------------------------------------------------
# Pydantic's errors as one line
# --------------------------------------------------------------------------------------------


def _inner_model(annotation: Any) -> type[_Model] | None:
    """The model inside ``X``, ``X | None`` or ``list[X]``."""
    if isinstance(annotation, type) and issubclass(annotation, _Model):
        return annotation
    if typing.get_origin(annotation) in (list, typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            found = _inner_model(arg)
            if found is not None:
                return found
    return None


def _field_at(loc: Sequence[str | int]) -> tuple[type[_Model] | None, FieldInfo | None]:
    """The model holding the last field of ``loc`` and that field's info."""
    model: type[_Model] | None = ScenarioSpec
    holder: type[_Model] | None = None
    info: FieldInfo | None = None
    for part in loc:
        if isinstance(part, int):
            continue
        if model is None:
            return None, None
        holder = model
        info = model.model_fields.get(part)
        if info is None:
            return holder, None
        model = _inner_model(info.annotation)
    return holder, info


def _allowed(info: FieldInfo | None) -> str:
    if info is None:
        return "see the scenario schema (thaadsim.scenario)"
    extra = info.json_schema_extra
    if isinstance(extra, dict) and "allowed" in extra:
        return str(extra["allowed"])
    return "see the scenario schema (thaadsim.scenario)"


def _show(value: Any) -> str:
    """A value as a message shows it: numbers by :func:`~thaadsim.limits.fmt_number`, the
    rest as Python writes it (control characters escaped), cut to 60 characters."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return fmt_number(value)
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


_PROBLEMS = {
    "model_type": "is not a mapping", "dict_type": "is not a mapping",
    "model_attributes_type": "is not a mapping",
    "list_type": "is not a list",
    "int_type": "is not a whole number", "int_parsing": "is not a whole number",
    "int_from_float": "is not a whole number",
    "float_type": "is not a number", "float_parsing": "is not a number",
    "string_type": "is not text", "bool_type": "is not true or false",
    "bool_parsing": "is not true or false", "finite_number": "is not a finite number",
    "greater_than": "is out of range", "greater_than_equal": "is out of range",
    "less_than": "is out of range", "less_than_equal": "is out of range",
    "too_short": "has too few items", "too_long": "has too many items",
    "string_too_short": "is too short", "string_too_long": "is too long",
}


def _message(err: Any, where: _Where) -> tuple[int, str, str]:
    """One pydantic error as (line, field path, message starting with the path)."""
    loc = tuple(err["loc"])
    line, msg = _describe(err, loc, where)
    return line, _path(loc), msg


def _describe(err: Any, loc: Loc, where: _Where) -> tuple[int, str]:
    line = where.line(loc)
    kind = err["type"]
    if kind == "extra_forbidden":
        holder, _ = _field_at(loc)
        keys = ", ".join(holder.model_fields) if holder is not None else "?"
        return line, (f"{_path(loc)}: unknown key {_show(str(loc[-1]))}; allowed: the keys "
                      f"{keys}")
    _, info = _field_at(loc)
    if kind == "missing":
        return line, f"{_path(loc)}: missing; required: {_allowed(info)}"
    allowed = _allowed(info)
    if kind in ("model_type", "dict_type", "model_attributes_type") and info is not None:
        inner = _inner_model(info.annotation)
        if inner is not None and isinstance(loc[-1], int):
            allowed = f"a mapping with keys {', '.join(inner.model_fields)}"
    value = _show(err["input"])
    if kind in ("int_type", "int_from_float") and isinstance(err["input"], float):
        value = _show(str(err["input"]))[1:-1]  # 1.0, not fmt_number's '1' (a whole number)
    if kind in ("too_short", "too_long") and isinstance(err["input"], list):
        n = len(err["input"])
        value = f"{n} item{'s' * (n != 1)}"
        problem = ("are" if n != 1 else "is") + (" too few" if kind == "too_short"
                                                 else " too many")
    else:
        msg = _one_line(str(err["msg"]))
        problem = _PROBLEMS.get(kind, f"is refused ({msg[:1].lower()}{msg[1:]})")
    return line, f"{_path(loc)}: {value} {problem}; allowed: {allowed}"


# --------------------------------------------------------------------------------------------
# Meaning: names that must exist, places, reach, consistency
# --------------------------------------------------------------------------------------------


def _one_of(kind: str, value: str, known: Sequence[str], loc: Loc, where: _Where) -> str:
    if value not in known:
        where.fail(loc, f"{_show(value)} is not a known {kind}; allowed: {', '.join(known)}")
    return value


def _wrap_lon(lon_deg: float) -> float:
    """A longitude in [-180, 180): the file may write 180-360 east for the west (LIMITS'
    ``lon_deg``), and everything downstream reads the one convention."""
    return (lon_deg + 180.0) % 360.0 - 180.0 if not -180.0 <= lon_deg < 180.0 else lon_deg


def _point(place: Place, loc: Loc, where: _Where, *, what: str = "a place") -> Site:
    """The place as a :class:`Site` (a point gets a made-up slug and altitude 0 unless
    given)."""
    has_point = place.lat_deg is not None or place.lon_deg is not None
    if place.site is not None and has_point:
        where.fail((*loc, "lat_deg" if place.lat_deg is not None else "lon_deg"),
                   f"both site {_show(place.site)} and a latitude/longitude are given; allowed: "
                   f"{what} as either site or lat_deg and lon_deg")
    if place.site is not None:
        sites = site_catalog()
        _one_of("site", place.site, list(sites), (*loc, "site"), where)
        site = sites[place.site]
        alt_km = getattr(place, "alt_km", None)
        if alt_km is not None:
            where.fail((*loc, "alt_km"), f"{_show(alt_km)} is given with a catalog site (whose "
                       f"altitude is {site.alt_m:.0f} m); allowed: alt_km with lat_deg and "
                       "lon_deg only")
        return site
    if place.lat_deg is None or place.lon_deg is None:
        missing = "lon_deg" if place.lat_deg is not None else "lat_deg"
        if not has_point:
            where.fail(loc, f"no place given; allowed: {what} as either site: SLUG or "
                       "lat_deg and lon_deg")
        where.fail((*loc, missing), f"missing beside "
                   f"{'lat_deg' if missing == 'lon_deg' else 'lon_deg'}; allowed: a point "
                   "needs both lat_deg and lon_deg")
    alt_km = getattr(place, "alt_km", None)
    lon = _wrap_lon(place.lon_deg)
    return Site(slug=f"{place.lat_deg:.4f},{lon:.4f}",
                name=f"{place.lat_deg:.4f} N, {lon:.4f} E",
                lat_deg=place.lat_deg, lon_deg=lon,
                alt_m=0.0 if alt_km is None else alt_km * 1e3, figures={})


@dataclass(frozen=True, kw_only=True)
class LaunchPlace:
    centre: Site
    radius_m: float


def _launch(launch: Launch, loc: Loc, where: _Where) -> LaunchPlace:
    given = launch.site is not None or launch.lat_deg is not None or launch.lon_deg is not None
    if launch.area is not None:
        if given:
            where.fail((*loc, "area"), "an area is given beside a site or a point; allowed: "
                       "the launch as either site, lat_deg/lon_deg or area")
        return LaunchPlace(centre=_point(launch.area, (*loc, "area"), where,
                                          what="the area's centre"),
                            radius_m=launch.area.radius_km * 1e3)
    return LaunchPlace(centre=_point(launch, loc, where, what="the launch point (or an "
                                      "area:)"), radius_m=0.0)


def _distance_m(a: Site, b: Site) -> float:
    return float(geodesic_inverse(a.lat_deg, a.lon_deg, b.lat_deg, b.lon_deg)[0])


def _bearing_deg(a: Site, lat_deg: float, lon_deg: float) -> float:
    return float(geodesic_inverse(a.lat_deg, a.lon_deg, lat_deg, lon_deg)[1]) % 360.0


def _mean_point(points: Sequence[tuple[float, float, int]]) -> tuple[float, float]:
    """The mean of points on the sphere (unit vectors weighted, back to latitude and
    longitude; the sphere is close enough for a bearing)."""
    v = np.zeros(3)
    for lat, lon, w in points:
        la, lo = math.radians(lat), math.radians(lon)
        v += w * np.array([math.cos(la) * math.cos(lo), math.cos(la) * math.sin(lo),
                           math.sin(la)])
    return (math.degrees(math.atan2(v[2], math.hypot(v[0], v[1]))),
            math.degrees(math.atan2(v[1], v[0])))


def _check_doctrine(value: str, loc: Loc, where: _Where) -> str:
    return _one_of("doctrine", value, DOCTRINES, loc, where)


@dataclass(frozen=True, kw_only=True)
class PhysicsDecoys:
    """A group's ``decoys:`` with ``discrimination: physics``, as parsed: the request
    ("physics, with this decoy's ballistic coefficient"), not its answer. Parsing only
    records it; the run resolves it once, before the engagement
    (:attr:`Scenario.discriminations`, :func:`discrimination_from_physics`), into the
    :class:`~thaadsim.engagement.Decoys` the engine takes (:meth:`resolved`)."""

    count: int
    rcs_m2: float
    beta_kgm2: float
    """The decoy's ballistic coefficient, kg/m2."""

    def resolved(self, discrimination: Discrimination) -> Decoys:
        """The decoys with the probability that ``discrimination`` gives by the battery's
        first launch."""
        return Decoys(count=self.count, rcs_m2=self.rcs_m2,
                      discrimination=float(np.clip(discrimination.p_first_launch, 0.0, 1.0)))


@dataclass(frozen=True, kw_only=True)
class Group:
    name: str
    missile: str
    count: int
    launch: LaunchPlace
    aim: Site
    shape: str
    apogee_km: float | None
    launch_t_s: float
    interval_s: float
    rcs_m2: float
    decoys: Decoys | PhysicsDecoys | None = None
    """The decoys: a probability given in the file (:class:`~thaadsim.engagement.Decoys`),
    or one to be derived from physics by the run (:class:`PhysicsDecoys`)."""

    def threat(self, lat_deg: float, lon_deg: float, launch_t_s: float = 0.0,
               decoys: Decoys | None = None) -> RaidThreat:
        """One of the group's missiles, launched from (``lat_deg``, ``lon_deg``) at
        ``launch_t_s``, with ``decoys``."""
        return RaidThreat(missile=missile_catalog()[self.missile], launch_lat_deg=lat_deg,
                          launch_lon_deg=lon_deg, aim_lat_deg=self.aim.lat_deg,
                          aim_lon_deg=self.aim.lon_deg, shape=self.shape,
                          apogee_km=self.apogee_km, launch_t_s=launch_t_s,
                          rcs_m2=self.rcs_m2, decoys=decoys)


def _groups(spec: ScenarioSpec, where: _Where) -> tuple[Group, ...]:
    out: list[Group] = []
    names: dict[str, int] = {}
    total = 0
    for i, g in enumerate(spec.raid):
        loc: Loc = ("raid", i)
        _one_of("missile", g.missile, list(missile_catalog()), (*loc, "missile"), where)
        _one_of("shape", g.shape, SHAPES, (*loc, "shape"), where)
        if g.apogee_km is not None and g.shape == "min-energy":
            where.fail((*loc, "apogee_km"), f"{_show(g.apogee_km)} is given for a min-energy "
                       "trajectory, whose apogee follows from the range; allowed: apogee_km "
                       "with shape lofted or depressed")
        launch = _launch(g.launch, (*loc, "launch"), where)
        aim = _point(g.aim, (*loc, "aim"), where, what="the aim point")
        missile = get_missile(g.missile)
        reach_km = missile.range_km.value
        far_km = (_distance_m(launch.centre, aim) + launch.radius_m) / 1e3
        if far_km > REACH_MARGIN * reach_km:
            across = " (from the far edge of the launch area)" if launch.radius_m else ""
            where.fail((*loc, "aim"), f"{aim.slug!r} lies {far_km:.0f} km from the launch "
                       f"point{across}, beyond the {g.missile}'s {reach_km:.0f} km range "
                       f"(missiles.yaml); allowed: an aim point at most "
                       f"{REACH_MARGIN * reach_km:.0f} km away, or another missile")
        name = g.name if g.name is not None else f"{g.missile} on {aim.name.split(' (')[0]}"
        if name in names:
            where.fail((*loc, "name"), f"{_show(name)} already names raid[{names[name]}]; allowed: "
                       "a name of its own for each group (give name: to tell them apart)")
        names[name] = i
        if g.decoys is not None:
            _check_discrimination(g.decoys.discrimination, (*loc, "decoys", "discrimination"),
                                  where)
        total += g.count * (1 + (g.decoys.count if g.decoys is not None else 0))
        if total > MAX_THREATS:
            where.fail((*loc, "count"), f"{_show(g.count)} brings the raid to {total:,} threats "
                       "(decoys included); "
                       f"allowed: at most {MAX_THREATS:,} threats in all")
        out.append(Group(name=name, missile=g.missile, count=g.count, launch=launch, aim=aim,
                          shape=g.shape, apogee_km=g.apogee_km, launch_t_s=g.launch_t_s,
                          interval_s=g.interval_s, rcs_m2=g.rcs_m2,
                          decoys=_decoys(g.decoys)))
    return tuple(out)


def _decoys(spec: DecoySpec | None) -> Decoys | PhysicsDecoys | None:
    """A group's validated ``decoys:`` (:func:`_check_discrimination`): the engine's
    :class:`~thaadsim.engagement.Decoys`, or the request :class:`PhysicsDecoys`."""
    if spec is None:
        return None
    if isinstance(spec.discrimination, str):  # 'physics', the one word allowed
        return PhysicsDecoys(count=spec.count, rcs_m2=spec.rcs_m2, beta_kgm2=spec.beta_kgm2)
    return Decoys(count=spec.count, rcs_m2=spec.rcs_m2, discrimination=spec.discrimination)


def _check_discrimination(value: float | str, loc: Loc, where: _Where) -> None:
    prob = LIMITS["probability"]
    if isinstance(value, str):
        if value != "physics":
            where.fail(loc, f"{_show(value)} is not allowed; allowed: a probability from 0 to "
                       "1, or 'physics'")
    elif isinstance(value, bool) or not prob.allows(value):
        where.fail(loc, f"{_show(value)} is not allowed; allowed: a probability from 0 to 1, "
                   "or 'physics'")


PHYSICS_DISCRIMINATION_TRIALS = 5
"""The engine's runs of the warhead alone behind ``discrimination: physics``
(:func:`warhead_alone`): the battery's first launch at it is their median."""


@dataclass(frozen=True, kw_only=True)
class WarheadAlone:
    """A warhead engaged without decoys by one battery and seen by one radar
    (:func:`warhead_alone`): what its decoys' discrimination is judged against."""

    warhead: RaidThreat
    battery: Battery
    sensor: Sensor
    """The battery's own sensor, else the defense's first: the radar that discriminates."""
    result: Result
    """The engine's runs of the warhead alone (its flight grid in ``extra``)."""

    @property
    def first_launch_s(self) -> float:
        """The battery's median first launch at the warhead over the runs (NaN: never)."""
        shots = self.result.shots
        at_decoy = np.asarray(shots.get("decoy", np.zeros(shots["trial"].size, bool)))
        first = shots["launch_s"][(shots["shot"] == 1) & ~at_decoy]
        return float(np.median(first)) if first.size else float("nan")

    def discrimination(self, decoy_beta_kgm2: float, decoy_rcs_m2: float) -> Discrimination:
        """When :attr:`sensor` tells a decoy of ``decoy_beta_kgm2`` and ``decoy_rcs_m2``
        from the warhead (:func:`thaadsim.systems.discrimination.discriminate`), deciding
        at :attr:`first_launch_s`."""
        first = self.first_launch_s
        return discriminate(self.result.extra["t_grid"][0], self.result.extra["y_grid"][0],
                            warhead_beta_kgm2=self.warhead.missile.rocket.reentry_beta_kgm2,
                            decoy_beta_kgm2=decoy_beta_kgm2,
                            warhead_rcs_m2=self.warhead.rcs_m2, decoy_rcs_m2=decoy_rcs_m2,
                            sensor=self.sensor, battery=self.battery,
                            first_launch_s=first if np.isfinite(first) else None)


def warhead_alone(warhead: RaidThreat, defense: Defense,
                  trials: int = PHYSICS_DISCRIMINATION_TRIALS, seed: int = 1) -> WarheadAlone:
    """``warhead`` launched at time 0 without decoys against the defense's first battery
    alone, engaging every threat (``trials`` runs of the engine); the radar that
    discriminates is that battery's own sensor, else the defense's first. The one place
    that runs the engine for decoy discrimination (``discrimination: physics`` and
    :mod:`thaadsim.studies.decoys`)."""
    battery = defense.batteries[0]
    if not defense.sensors:
        raise InputError("decoys: discrimination: 'physics' needs a sensor (a radar that "
                         "sees the re-entry); allowed: a defense with sensors, or a number")
    own = [x for x in defense.sensors if x.battery == battery.slug]
    alone = dataclasses.replace(warhead, launch_t_s=0.0, decoys=None)
    # a sensor of a battery left out still tracks for this one, over the network (its
    # latency to this battery is the network's either way)
    sensors = tuple(x if x.battery in (None, battery.slug)
                    else dataclasses.replace(x, battery=None) for x in defense.sensors)
    res = simulate([alone], dataclasses.replace(defense, batteries=(battery,), sensors=sensors,
                                                engage_all=True),
                   trials=trials, seed=seed)
    return WarheadAlone(warhead=alone, battery=battery,
                        sensor=own[0] if own else defense.sensors[0], result=res)


def discrimination_from_physics(warhead: RaidThreat, defense: Defense, decoy_beta_kgm2: float,
                                decoy_rcs_m2: float,
                                trials: int = PHYSICS_DISCRIMINATION_TRIALS,
                                seed: int = 1) -> Discrimination:
    """``discrimination: physics``: when the defense's first battery's radar (its own
    sensor, else the defense's first) tells a decoy of ``decoy_beta_kgm2`` and
    ``decoy_rcs_m2`` from ``warhead`` (:func:`thaadsim.systems.discrimination.discriminate`),
    deciding at that battery's median first launch at the warhead alone (:func:`warhead_alone`,
    ``trials`` runs of the engine); its ``p_first_launch`` is the scenario's probability."""
    return warhead_alone(warhead, defense, trials, seed).discrimination(decoy_beta_kgm2,
                                                                        decoy_rcs_m2)


def _batteries(spec: DefenseSpec, where: _Where) -> tuple[Battery, ...]:
    catalog = battery_catalog()
    out: list[Battery] = []
    labels: dict[str, int] = {}
    for i, b in enumerate(spec.batteries):
        loc: Loc = ("defense", "batteries", i)
        _one_of("battery", b.battery, list(catalog), (*loc, "battery"), where)
        base = catalog[b.battery]
        moved = b.site is not None or b.lat_deg is not None or b.lon_deg is not None
        if b.alt_km is not None and not moved:
            where.fail((*loc, "alt_km"), f"{_show(b.alt_km)} is given without a new place; "
                       "allowed: alt_km with lat_deg and lon_deg")
        site = _point(b, loc, where, what="the battery's new place") if moved else base.site
        label = b.name if b.name is not None else b.battery
        if label in labels:
            where.fail((*loc, "name"), f"{_show(label)} already labels batteries[{labels[label]}]; "
                       "allowed: a name of its own for each battery")
        labels[label] = i
        changes: dict[str, Any] = {"slug": label, "site": site}
        if moved:
            changes["name"] = f"{base.name.split(' at ')[0]} at {site.name}"
        if b.interceptor is not None:
            changes["interceptor"] = interceptor_catalog()[_one_of(
                "interceptor", b.interceptor, list(interceptor_catalog()),
                (*loc, "interceptor"), where)]
        if b.sensors is not None:
            changes["sensors"] = tuple(b.sensors)
        if b.doctrine is not None:
            changes["doctrine"] = _check_doctrine(b.doctrine, (*loc, "doctrine"), where)
        for key in ("launchers", "interceptors_per_launcher", "fire_channels"):
            if getattr(b, key) is not None:
                changes[key] = getattr(b, key)
        if b.inventory is not None:
            changes["inventory_limit"] = b.inventory
        out.append(dataclasses.replace(base, **changes))
    return tuple(out)


def _assets(spec: DefenseSpec, where: _Where) -> tuple[DefendedAsset, ...]:
    out = []
    for i, a in enumerate(spec.assets):
        site = _point(a, ("defense", "assets", i), where, what="the asset")
        out.append(DefendedAsset(name=a.name, lat_deg=site.lat_deg, lon_deg=site.lon_deg,
                                 radius_m=a.radius_km * 1e3))
    if not out and not spec.engage_all:
        where.fail(("defense", "assets"), "[] (no defended asset, so no threat would be "
                   "engaged); allowed: at least one asset, or engage_all: true")
    return tuple(out)


def _sensors(spec: DefenseSpec, groups: Sequence[Group], batteries: Sequence[Battery],
             where: _Where) -> tuple[Sensor, ...]:
    """The defense's sensors: ``sensors:``, or the one radar of ``radars:`` (module
    docstring); the batteries' ``sensors`` checked against their names."""
    if (spec.sensors is None) == (spec.radars is None):
        where.fail(("defense", "sensors" if spec.sensors is not None else "radars"),
                   "both sensors and radars are given" if spec.sensors is not None else
                   "no sensors; allowed: sensors: (a list of radars at sites) or, the older "
                   "form, radars: (exactly one radar)")
    key = "sensors" if spec.sensors is not None else "radars"
    specs: Sequence[RadarSpec] = spec.sensors or spec.radars or []
    labels = {b.slug: i for i, b in enumerate(batteries)}
    out: list[Sensor] = []
    names: dict[str, int] = {}
    for i, r in enumerate(specs):
        loc: Loc = ("defense", key, i)
        emp, site = _emplacement(r, loc, groups, where)
        name = getattr(r, "name", None) or site
        if name in names:
            where.fail((*loc, "name"), f"{_show(name)} already names sensors[{names[name]}]; "
                       "allowed: a name of its own for each sensor (give name: to tell two "
                       "at one site apart)")
        names[name] = i
        battery = getattr(r, "battery", None)
        if battery is not None and battery not in labels:
            where.fail((*loc, "battery"), f"{_show(battery)} is not a battery of this defense; "
                       f"allowed: {', '.join(labels)} (the batteries' names)")
        out.append(Sensor(name=name, radar=get_radar(r.mode).radar, emplacement=emp,
                          battery=battery, site=site))
    for i, b in enumerate(spec.batteries):
        for j, name in enumerate(b.sensors or []):
            if name not in names:
                where.fail(("defense", "batteries", i, "sensors", j), f"{_show(name)} is not a "
                           f"sensor of this defense; allowed: {', '.join(names)}")
    return tuple(out)


def _early_warning(spec: DefenseSpec) -> EarlyWarning | None:
    if spec.early_warning is True:
        return default_early_warning()
    if spec.early_warning is False:
        return None
    return dataclasses.replace(default_early_warning(),
                               cue_delay_s=spec.early_warning.cue_delay_s, figures={})


def _emplacement(r: RadarSpec, loc: Loc, groups: Sequence[Group], where: _Where
                 ) -> tuple[Emplacement, str]:
    """A radar's place and boresight (module docstring), and its site's slug (or the
    point's label)."""
    _one_of("radar mode", r.mode, MODES, (*loc, "mode"), where)
    site = _point(r, loc, where, what="the radar")
    bore = r.boresight_deg
    if bore is None:
        lat, lon = _mean_point([(g.launch.centre.lat_deg, g.launch.centre.lon_deg, g.count)
                                for g in groups])
        if _distance_m(site, Site(slug="", name="", lat_deg=lat, lon_deg=lon, alt_m=0.0,
                                  figures={})) < 1e3:
            where.fail((*loc, "boresight_deg"), "missing, and the raid's mean launch point "
                       "is at the radar, so no bearing to it; allowed: a boresight_deg from 0 "
                       "to 360")
        bore = _bearing_deg(site, lat, lon)
    low = r.min_elevation_deg if r.min_elevation_deg is not None else site.min_elevation_deg
    return Emplacement(lat_deg=site.lat_deg, lon_deg=site.lon_deg, alt_m=site.alt_m,
                       boresight_deg=bore, name=site.name, min_elevation_deg=low), site.slug


# --------------------------------------------------------------------------------------------
# The validated scenario
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Scenario:
    """A validated scenario: the defense built, the raid ready to draw."""

    name: str
    description: str
    text: str
    """The YAML as written."""
    source: str
    """Where it came from (the file's label in messages)."""
    spec: ScenarioSpec
    defense: Defense
    trials: int
    seed: int
    band_m: tuple[float, float]
    groups: tuple[Group, ...]
    added_sensors: tuple[str, ...] = ()
    """A canonical line per sensor added outside the file (``--sensor``,
    :func:`~thaadsim.systems.sensors.sensor_line`): part of the run's ``scenario_sha256``."""

    @property
    def threat_count(self) -> int:
        return sum(g.count for g in self.groups)

    def mean_launch_point(self) -> tuple[float, float]:
        """The raid's mean launch point (the groups' launch centres weighted by their
        counts): where a sensor without a boresight faces."""
        return _mean_point([(g.launch.centre.lat_deg, g.launch.centre.lon_deg, g.count)
                            for g in self.groups])

    def with_sensors(self, sensors: Sequence[Sensor]) -> Scenario:
        """This scenario with ``sensors`` added to its defense (``thaadsim run --sensor``);
        the file's text is kept as written, and each added sensor's canonical line
        (:func:`~thaadsim.systems.sensors.sensor_line`) recorded beside it."""
        from thaadsim.systems.sensors import sensor_line

        defense = dataclasses.replace(self.defense,
                                      sensors=(*self.defense.sensors, *sensors))
        return dataclasses.replace(
            self, defense=defense,
            added_sensors=(*self.added_sensors, *(sensor_line(s) for s in sensors)))

    @functools.cached_property
    def discriminations(self) -> dict[str, Discrimination]:
        """By group name, for each group whose decoys' discrimination comes from physics
        (:class:`PhysicsDecoys`): when and where the first battery's radar tells them from a
        warhead launched from the group's launch centre
        (:func:`discrimination_from_physics`, with the scenario's seed and this defense).
        Computed on first use, by the run (:meth:`raid`), once per scenario: parsing runs
        no simulation."""
        return {g.name: discrimination_from_physics(
                    g.threat(g.launch.centre.lat_deg, g.launch.centre.lon_deg), self.defense,
                    g.decoys.beta_kgm2, g.decoys.rcs_m2, seed=self.seed)
                for g in self.groups if isinstance(g.decoys, PhysicsDecoys)}

    def raid(self, seed: int | None = None) -> tuple[list[RaidThreat], list[str]]:
        """The raid's threats (launch areas drawn with ``seed``, the scenario's by default;
        module docstring) and each threat's group name; decoys whose discrimination comes
        from physics resolved (:attr:`discriminations`)."""
        seed = self.seed if seed is None else seed
        threats: list[RaidThreat] = []
        names: list[str] = []
        for gi, g in enumerate(self.groups):
            lats = np.full(g.count, g.launch.centre.lat_deg)
            lons = np.full(g.count, g.launch.centre.lon_deg)
            if g.launch.radius_m > 0.0:
                rng = np.random.default_rng(np.random.SeedSequence([seed, gi]))
                r = g.launch.radius_m * np.sqrt(rng.random(g.count))
                az = 360.0 * rng.random(g.count)
                lats, lons, _ = geodesic_direct(lats, lons, az, r)
            decoys = (g.decoys.resolved(self.discriminations[g.name])
                      if isinstance(g.decoys, PhysicsDecoys) else g.decoys)
            for k in range(g.count):
                threats.append(g.threat(float(lats[k]), float(lons[k]),
                                        g.launch_t_s + k * g.interval_s, decoys))
                names.append(g.name)
        return threats, names

    def to_run_kwargs(self, trials: int | None = None, seed: int | None = None
                      ) -> dict[str, Any]:
        """The keyword arguments of :func:`thaadsim.run.run_engagement`; ``trials`` and
        ``seed`` override the file's."""
        for key, value in (("trials", trials), ("seed", seed)):
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int):
                raise InputError(f"{key}: {_show(value)} is not a whole number; allowed: "
                                 f"{LIMITS[key].allowed()}")
            check(key, value)
        seed = self.seed if seed is None else seed
        raid, groups = self.raid(seed)
        return {"raid": raid, "defense": self.defense,
                "trials": self.trials if trials is None else trials, "seed": seed,
                "band_m": self.band_m, "groups": groups, "name": self.name,
                "description": self.description, "scenario_text": self.text,
                "added_sensors": self.added_sensors}


_BYTES = LIMITS["scenario_bytes"]


def _too_big(label: str, size: str) -> NoReturn:
    raise InputError(f"{label}: {size} bytes; allowed: a scenario file of at most "
                     f"{fmt_number(_BYTES.high)} bytes ({_BYTES.why})")


def _more(found: Sequence[tuple[int, str, str]]) -> str:
    """The problems after the first, as a tail of the one line: where each is."""
    if not found:
        return ""
    shown = "; ".join(f"line {line}: {path}" for line, path, _ in found[:3])
    rest = len(found) - 3
    tail = f"; and {rest} more" if rest > 0 else ""
    n = len(found)
    return f" ({n} more problem{'s' * (n != 1)} in the file, at {shown}{tail})"


def _check_texts(spec: ScenarioSpec, where: _Where) -> None:
    """Names (:func:`name_problem`) and the description (no control characters but tab
    and newline): refused here, so that every export and folder name takes them."""
    names: list[tuple[Loc, str | None]] = [(("name",), spec.name)]
    names += [(("defense", "batteries", i, "name"), b.name)
              for i, b in enumerate(spec.defense.batteries)]
    names += [(("defense", "assets", i, "name"), a.name)
              for i, a in enumerate(spec.defense.assets)]
    names += [(("defense", "sensors", i, "name"), r.name)
              for i, r in enumerate(spec.defense.sensors or [])]
    names += [(("raid", i, "name"), g.name) for i, g in enumerate(spec.raid)]
    for loc, value in names:
        why = name_problem(value) if value is not None else None
        if why is not None:
            where.fail(loc, f"{_show(value)} {why}; allowed: {_allowed(_field_at(loc)[1])}")
    ch = forbidden_char(spec.description, allow="\t\n")
    if ch is not None:
        where.fail(("description",), f"{_show(spec.description)} holds the character "
                   f"{_char_words(ch)}; allowed: "
                   f"{_allowed(ScenarioSpec.model_fields['description'])}")


def parse_scenario(text: str, label: str = "<scenario>") -> Scenario:
    """Validate a scenario's YAML text; ``label`` names it in messages (module docstring).

    Text longer than ``LIMITS['scenario_bytes']`` in UTF-8 is refused before it is parsed.
    """
    shown = _label(label)
    if not isinstance(text, str):
        raise InputError(f"{shown}: {type(text).__name__} given; allowed: the scenario's "
                         "YAML as text (str)")
    if len(text) > _BYTES.high:  # each character is at least one byte
        _too_big(shown, f"more than {fmt_number(_BYTES.high)}")
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > _BYTES.high:
        _too_big(shown, fmt_number(size))
    where = _Where(shown, text)
    data = _read(text, where)
    if not isinstance(data, dict):
        got = "an empty file" if data is None else f"{_show(data)} ({type(data).__name__})"
        raise InputError(f"{shown}:1: (top level): {got}; allowed: a mapping with keys "
                         f"{', '.join(ScenarioSpec.model_fields)}")
    try:
        spec = ScenarioSpec.model_validate(data)
    except ValidationError as exc:
        found = sorted((_message(e, where) for e in exc.errors()), key=lambda m: m[0])
        line, _, msg = found[0]
        raise InputError(f"{shown}:{line}: {msg}{_more(found[1:])}") from None
    _check_texts(spec, where)
    lo, hi = spec.run.band_km
    if not (_BAND.allows(lo) and _BAND.allows(hi) and lo < hi):
        where.fail(("run", "band_km"), f"[{fmt_number(lo)}, {fmt_number(hi)}] is not a band; "
                   f"allowed: {_allowed(RunSpec.model_fields['band_km'])}")
    _check_doctrine(spec.defense.doctrine, ("defense", "doctrine"), where)
    _one_of("coasting policy", spec.defense.coasting, COASTING_POLICIES,
            ("defense", "coasting"), where)
    groups = _groups(spec, where)
    batteries = _batteries(spec.defense, where)
    assets = _assets(spec.defense, where)
    sensors = _sensors(spec.defense, groups, batteries, where)
    legacy = spec.defense.radars is not None
    if legacy and spec.defense.network_latency_s is not None:
        where.fail(("defense", "network_latency_s"), f"{_show(spec.defense.network_latency_s)}"
                   " with the older radars: form, whose one radar tracks for every battery "
                   "with no latency; allowed: network_latency_s with sensors:")
    latency = (0.0 if legacy else spec.defense.network_latency_s
               if spec.defense.network_latency_s is not None else default_network_latency_s())
    defense = Defense(batteries=batteries, sensors=sensors, assets=assets,
                      doctrine=spec.defense.doctrine, engage_all=spec.defense.engage_all,
                      sspk=spec.defense.sspk, perfect_tracking=spec.defense.perfect_tracking,
                      early_warning=_early_warning(spec.defense), network_latency_s=latency,
                      coasting=spec.defense.coasting)
    default_name = (_safe_name(Path(label).stem, "scenario") if label != "<scenario>"
                    else "scenario")
    return Scenario(name=spec.name or default_name, description=spec.description, text=text,
                    source=shown, spec=spec, defense=defense, trials=spec.run.trials,
                    seed=spec.run.seed, band_m=(lo * 1e3, hi * 1e3), groups=groups)


# --------------------------------------------------------------------------------------------
# Built-ins and files
# --------------------------------------------------------------------------------------------


def _builtin_files() -> Iterator[Any]:
    folder = resources.files("thaadsim.data").joinpath(_BUILTIN_DIR)
    return iter(sorted((f for f in folder.iterdir() if f.name.endswith(".yaml")),
                       key=lambda f: f.name))


def builtin_names() -> list[str]:
    """The names of the built-in scenarios."""
    return [f.name[: -len(".yaml")] for f in _builtin_files()]


def _unknown(name: str) -> NoReturn:
    raise InputError(f"scenario {_show(name)}: no built-in scenario of that name and no such "
                     f".yaml file; allowed: a built-in ({', '.join(builtin_names())}) or the "
                     "path of a .yaml file")


def scenario_text(name: str) -> str:
    """The text of the built-in scenario ``name`` (to copy and edit)."""
    if name not in builtin_names():
        _unknown(name)
    return (resources.files("thaadsim.data").joinpath(_BUILTIN_DIR, f"{name}.yaml")
            .read_text("utf-8"))


def list_scenarios() -> list[tuple[str, str]]:
    """Each built-in scenario's name and description."""
    out = []
    for name in builtin_names():
        data = yaml.safe_load(scenario_text(name))
        out.append((name, str(data.get("description", "")) if isinstance(data, dict) else ""))
    return out


PIPE_WAIT_S = 10.0
"""How long a scenario that is not a regular file (a pipe such as ``<(...)`` or
``/dev/stdin``, a device) may take to start sending its text: a named pipe that nobody
writes to is refused after this, never waited on forever."""


def _open_bounded(path: Path, label: str) -> typing.BinaryIO:
    """``path`` opened for reading, without blocking on a pipe that has no writer (the
    open), or whose writer sends nothing within :data:`PIPE_WAIT_S` (refused)."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            ready, _, _ = select.select([fd], [], [], PIPE_WAIT_S)
            if not ready:
                raise InputError(f"{label}: not a regular file, and nothing came from it in "
                                 f"{fmt_number(PIPE_WAIT_S)} s (a pipe nobody writes to?); "
                                 "allowed: a scenario .yaml file, or a pipe that sends one")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _read_bounded(path: Path, label: str) -> str:
    """The text of the file at ``path``, read no further than the size limit (so that
    ``/dev/zero`` or a 5 GB file is refused at once, before anything is parsed); a pipe that
    sends nothing is refused after :data:`PIPE_WAIT_S` (:func:`_open_bounded`)."""
    limit = int(_BYTES.high)
    try:
        if path.is_dir():
            raise InputError(f"{label}: a directory; allowed: the path of a scenario .yaml "
                             "file")
        with _open_bounded(path, label) as f:
            data = f.read(limit + 1)
    except FileNotFoundError:
        raise InputError(f"{label}: no such file; allowed: the path of a scenario .yaml file "
                         f"or a built-in ({', '.join(builtin_names())})") from None
    except OSError as exc:
        why = _one_line(exc.strerror or type(exc).__name__)
        raise InputError(f"{label}: cannot read ({why}); allowed: a readable UTF-8 .yaml "
                         "file") from None
    if len(data) > limit:
        _too_big(label, f"more than {fmt_number(limit)}")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(f"{label}:{line}: not UTF-8 text (byte 0x{data[exc.start]:02X} at "
                         f"position {exc.start:,}); allowed: a UTF-8 .yaml file") from None


def load_scenario(name_or_path: str | Path) -> Scenario:
    """A built-in scenario by name, or a scenario file by path, validated. A file larger
    than ``LIMITS['scenario_bytes']`` is refused before it is read further or parsed."""
    if not isinstance(name_or_path, str | Path):
        raise InputError(f"scenario: {_show(name_or_path)} ({type(name_or_path).__name__}); "
                         "allowed: a built-in name or the path of a .yaml file (str or Path)")
    if not isinstance(name_or_path, Path) and name_or_path in builtin_names():
        return parse_scenario(scenario_text(name_or_path),
                              f"thaadsim/data/scenarios/{name_or_path}.yaml")
    if isinstance(name_or_path, str) and not name_or_path.strip():
        raise InputError(f"scenario {name_or_path!r}: an empty name; allowed: a built-in "
                         f"({', '.join(builtin_names())}) or the path of a .yaml file")
    path = Path(name_or_path)
    label = _label(str(name_or_path))
    if "\x00" in str(path):
        raise InputError(f"{label}: a path cannot hold a NUL character; allowed: the path of "
                         "a scenario .yaml file")
    try:
        os.fsencode(path)
    except UnicodeError:
        raise InputError(f"{label}: not a file name this system can encode; allowed: the path "
                         "of a scenario .yaml file") from None
    try:
        exists = path.exists()
    except OSError:  # a name too long for the system, for one
        exists = False
    looks_like_file = (isinstance(name_or_path, Path) or path.suffix in (".yaml", ".yml")
                       or "/" in str(name_or_path) or exists)
    if not looks_like_file:
        _unknown(str(name_or_path))
    return parse_scenario(_read_bounded(path, label), str(name_or_path))


__all__ = ["NAME_ALLOWED", "Scenario", "ScenarioSpec", "builtin_names", "forbidden_char",
           "discrimination_from_physics", "list_scenarios", "load_scenario", "name_problem",
           "parse_scenario", "scenario_text"]
