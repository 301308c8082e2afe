"""Scenario files as a hostile user writes them (issue 12): names with control characters or
too many bytes, files too big to parse, numbers at and past the edges of every range, keys
that YAML does not read as text, odd file names, and a defense near the antimeridian.

Each class of input has its test; the properties say what must hold for every input of the
class: :func:`~thaadsim.scenario.parse_scenario` returns a scenario, or raises one
:class:`~thaadsim.errors.InputError` whose one line starts with the file's label and a line
number -- never another exception; every name that validation accepts exports to KML and
CZML; every numeric field is bounded by its row of :data:`thaadsim.limits.LIMITS`.
"""

from __future__ import annotations

import dataclasses
import json
import re
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_scenario import BASE, edit

from thaadsim.errors import InputError
from thaadsim.limits import LIMITS
from thaadsim.scenario import (
    NAME_ALLOWED,
    Scenario,
    forbidden_char,
    load_scenario,
    name_problem,
    parse_scenario,
    scenario_text,
)

LABEL = "hostile.yaml"
KML_NS = {"k": "http://www.opengis.net/kml/2.2"}


def outcome(text: str, label: str = LABEL) -> Scenario | str:
    """The scenario, or the one-line message, checked to start with ``label:LINE: ``."""
    try:
        return parse_scenario(text, label)
    except InputError as exc:
        msg = str(exc)
        assert "\n" not in msg and "\r" not in msg, repr(msg)
        assert re.match(rf"{re.escape(label)}:\d+: ", msg), msg
        assert forbidden_char(msg) is None, repr(msg)
        return msg


def refused(text: str, label: str = LABEL) -> str:
    got = outcome(text, label)
    assert isinstance(got, str), f"accepted: {text[:200]!r}"
    return got


def quoted(value: str) -> str:
    """``value`` as a YAML double-quoted scalar (control characters as escapes)."""
    return yaml.safe_dump(value, default_style='"', allow_unicode=True, width=10**6
                          ).strip().removesuffix("\n...")


# --------------------------------------------------------------------------------------------
# Names: control characters, format characters, bytes
# --------------------------------------------------------------------------------------------

# (line of BASE edited, its new text with NAME where the name goes, the line the name is on,
# the field path)
NAME_FIELDS = {
    "scenario": (1, "name: NAME", 1, "name"),
    "group": (18, "  - name: NAME", 18, "raid[0].name"),
    "asset": (15, "    - {name: NAME, site: osan, radius_km: 20}", 15,
              "defense.assets[0].name"),
    "battery": (13, "      launchers: 2\n      name: NAME", 14, "defense.batteries[0].name"),
}


def with_name(field: str, name_yaml: str) -> str:
    line, text, _, _ = NAME_FIELDS[field]
    return edit(line, text.replace("NAME", name_yaml))


BAD_CHARACTERS = {
    "NUL": "\x00", "ESC (ANSI colour)": "\x1b[31m", "BEL": "\x07", "DEL": "\x7f",
    "C1 NEL": "\x85", "tab": "\t", "newline": "\n", "carriage return": "\r",
    "right-to-left override": "\u202e", "left-to-right isolate": "\u2066",
    "byte order mark": "\ufeff", "line separator": "\u2028", "paragraph separator": "\u2029",
    "lone surrogate": "\ud800", "noncharacter U+FFFE": "\ufffe", "noncharacter U+FDD0": "\ufdd0",
}


@pytest.mark.parametrize("field", NAME_FIELDS)
@pytest.mark.parametrize("char", BAD_CHARACTERS, ids=list(BAD_CHARACTERS))
def test_names_refuse_control_and_format_characters(field: str, char: str) -> None:
    bad = BAD_CHARACTERS[char]
    msg = refused(with_name(field, quoted(f"Os{bad}an")))
    _, _, line, path = NAME_FIELDS[field]
    assert msg.startswith(f"{LABEL}:{line}: {path}: "), msg
    assert f"U+{ord(bad[0]):04X}" in msg and NAME_ALLOWED in msg, msg


@pytest.mark.parametrize("field", NAME_FIELDS)
def test_names_are_bounded_in_utf8_bytes(field: str) -> None:
    high = int(LIMITS["name_bytes"].high)
    assert high == 400  # 80 emoji (4 bytes each) are a name; the report folder is a slug
    path = NAME_FIELDS[field][3]
    ok = outcome(with_name(field, quoted("é" * (high // 2))))  # 2 bytes each: at the limit
    assert isinstance(ok, Scenario), ok
    assert isinstance(outcome(with_name(field, quoted("🚀" * 80))), Scenario)
    for too_long in ("é" * (high // 2) + "x", "🚀" * 101, "a" * (high + 1)):
        msg = refused(with_name(field, quoted(too_long)))
        assert f"{path}: " in msg and "bytes long in UTF-8" in msg, msg
    for blank in ("", "   ", "\u200d", " \u200c "):
        msg = refused(with_name(field, quoted(blank)))
        assert f"{path}: " in msg, msg


def test_names_keep_joiners_and_any_script() -> None:
    """Zero-width joiners (emoji sequences, Persian, Indic scripts) and any printable script
    are names."""
    for name in ("👨\u200d👩\u200d👧", "می\u200cخواهم", "서울", "Tōkyō <&> \"x\" 'y'", "a b"):
        scn = outcome(with_name("scenario", quoted(name)))
        assert isinstance(scn, Scenario) and scn.name == name, scn


def test_description_keeps_tab_and_newline_only() -> None:
    scn = outcome(edit(2, 'description: "line one\\n\\tline two"'))
    assert isinstance(scn, Scenario) and scn.description == "line one\n\tline two"
    msg = refused(edit(2, 'description: "red \\e[31m text"'))
    assert msg.startswith(f"{LABEL}:2: description: ") and "U+001B" in msg, msg


def test_default_name_from_a_hostile_file_name(tmp_path: Path) -> None:
    """The name defaults to the file's: a file name with control characters or many bytes
    gives a valid name all the same (and a message that stays one line)."""
    text = BASE.replace("name: test\n", "")
    path = tmp_path / ("a\x1bb\nc" + "é" * 120 + ".yaml")
    path.write_text(text, "utf-8")
    scn = load_scenario(path)
    assert name_problem(scn.name) is None and scn.name.startswith("abc"), scn.name
    path.write_text(text.replace("count: 2", "count: 0"), "utf-8")
    with pytest.raises(InputError) as exc:
        load_scenario(path)
    assert "\n" not in str(exc.value) and "\x1b" not in str(exc.value)


names = st.text(st.characters(codec="utf-8"), max_size=120) | st.text(
    st.sampled_from(["a", "é", "🚀", "\x00", "\x1b", "\u202e", "\u200d", " ", "\n", "\x85"]),
    max_size=150)


@settings(max_examples=200, deadline=None)
@given(name=names, field=st.sampled_from(list(NAME_FIELDS)))
def test_any_name_is_accepted_exactly_or_refused_in_one_line(name: str, field: str) -> None:
    got = outcome(with_name(field, quoted(name)))
    if name_problem(name) is None:
        assert isinstance(got, Scenario), got
        names_seen = {got.name, *(g.name for g in got.groups),
                      *(a.name for a in got.defense.assets),
                      *(b.slug for b in got.defense.batteries)}
        assert name in names_seen
    else:
        assert isinstance(got, str) and NAME_FIELDS[field][3] in got, got


# --------------------------------------------------------------------------------------------
# Every name validation accepts exports (KML, CZML)
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_run() -> Any:
    from thaadsim.run import run_engagement

    scn = parse_scenario(edit(20, "    count: 1"), "small.yaml")
    return run_engagement(**scn.to_run_kwargs(trials=1))


def renamed(out: Any, name: str, description: str = "") -> Any:
    """``out`` with every name in it (run, groups, tracks, assets, batteries) set to
    ``name``."""
    defense = out.defense
    defense = dataclasses.replace(
        defense,
        assets=tuple(dataclasses.replace(a, name=name) for a in defense.assets),
        batteries=tuple(dataclasses.replace(b, name=name, slug=name)
                        for b in defense.batteries))
    return dataclasses.replace(
        out, name=name, description=description, defense=defense,
        groups=tuple(name for _ in out.groups),
        tracks=tuple(dataclasses.replace(tr, group=name) for tr in out.tracks))


def exported_names(out: Any) -> tuple[list[str], dict[str, Any]]:
    from thaadsim.report.exports import write_czml, write_kml

    with tempfile.TemporaryDirectory() as tmp:
        kml = write_kml(out, Path(tmp) / "x.kml")
        czml = write_czml(out, Path(tmp) / "x.czml")
        root = ET.parse(kml).getroot()
        doc = json.loads(czml.read_text("utf-8"))
    texts = [e.text or "" for e in root.iter(f"{{{KML_NS['k']}}}name")]
    return texts, doc[0]


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=names.filter(lambda n: name_problem(n) is None),
       description=st.text(max_size=60).filter(lambda d: forbidden_char(d, "\t\n") is None))
def test_every_accepted_name_exports(small_run: Any, name: str, description: str) -> None:
    texts, document = exported_names(renamed(small_run, name, description))
    assert texts[0] == name  # the KML document's name, exactly
    assert name in texts[1:]  # the battery's and the asset's placemarks
    assert document["name"] == name


@pytest.mark.parametrize("name", ["\x00", "a\x1b[31mb", "\ud800", "\ufffe", "<&>]]>"])
def test_a_name_given_through_the_api_exports_too(small_run: Any, name: str) -> None:
    """run_engagement takes any name; what XML cannot hold is written as its escape."""
    texts, document = exported_names(renamed(small_run, name, description=name))
    shown = ascii(name)[1:-1] if forbidden_char(name) else name
    assert texts[0] == shown and document["name"] == shown


# --------------------------------------------------------------------------------------------
# Sizes: refused by bytes before parsing
# --------------------------------------------------------------------------------------------

LIMIT_BYTES = int(LIMITS["scenario_bytes"].high)


def test_dev_zero_is_one_line_at_once() -> None:
    t0 = time.perf_counter()
    with pytest.raises(InputError) as exc:
        load_scenario("/dev/zero")
    assert time.perf_counter() - t0 < 2.0
    assert str(exc.value).startswith("/dev/zero: more than 1,048,576 bytes; allowed: a "
                                     "scenario file of at most 1,048,576 bytes")


def test_a_big_file_is_refused_at_once(tmp_path: Path) -> None:
    """A 5 MB YAML (a list of 700,000 items) took 79 s to be refused; now it is not parsed."""
    big = tmp_path / "big.yaml"
    big.write_text(BASE + "_x: [" + "1, " * 1_700_000 + "]\n", "utf-8")
    assert big.stat().st_size > 5_000_000
    for given_as in (big, str(big)):
        t0 = time.perf_counter()
        with pytest.raises(InputError, match=r": more than 1,048,576 bytes; allowed: "):
            load_scenario(given_as)
        assert time.perf_counter() - t0 < 1.0
    t0 = time.perf_counter()
    with pytest.raises(InputError, match=r"^x\.yaml: more than 1,048,576 bytes"):
        parse_scenario(big.read_text("utf-8"), "x.yaml")
    assert time.perf_counter() - t0 < 1.0


def test_size_limit_is_in_utf8_bytes_at_the_edge(tmp_path: Path) -> None:
    pad = LIMIT_BYTES - len(BASE.encode()) - 2
    at_limit = BASE + "#" + "x" * pad + "\n"
    assert len(at_limit.encode()) == LIMIT_BYTES
    assert isinstance(outcome(at_limit), Scenario)
    path = tmp_path / "edge.yaml"
    path.write_text(at_limit, "utf-8")
    assert isinstance(load_scenario(path), Scenario)
    path.write_text(at_limit + "\n", "utf-8")
    with pytest.raises(InputError, match="more than 1,048,576 bytes"):
        load_scenario(path)
    wide = BASE + "#" + "é" * (LIMIT_BYTES // 2) + "\n"  # fewer characters than bytes
    assert len(wide) < LIMIT_BYTES < len(wide.encode())
    with pytest.raises(InputError, match=rf"^{LABEL}: 1,\d{{3}},\d{{3}} bytes; allowed"):
        parse_scenario(wide, LABEL)


# --------------------------------------------------------------------------------------------
# Numbers at and past the edges
# --------------------------------------------------------------------------------------------

# (line of BASE, text with V for the value, field path, LIMITS row)
NUMERIC = {
    "trials": (4, "  trials: V", "run.trials", "trials"),
    "seed": (5, "  seed: V", "run.seed", "seed"),
    "count": (20, "    count: V", "raid[0].count", "count"),
    "launchers": (13, "      launchers: V", "defense.batteries[0].launchers", "launchers"),
    "lat_deg": (21, "    launch: {lat_deg: V, lon_deg: 125.80}", "raid[0].launch.lat_deg",
                "lat_deg"),
    "lon_deg": (21, "    launch: {lat_deg: 38.65, lon_deg: V}", "raid[0].launch.lon_deg",
                "lon_deg"),
    "radius_km": (15, "    - {name: Osan, site: osan, radius_km: V}",
                  "defense.assets[0].radius_km", "asset_radius_km"),
    "boresight_deg": (10, "    - {site: seongju, mode: terminal, boresight_deg: V}",
                      "defense.radars[0].boresight_deg", "boresight_deg"),
    "interval_s": (23, "    interval_s: V", "raid[0].interval_s", "interval_s"),
    "rcs_m2": (23, "    interval_s: 5\n    rcs_m2: V", "raid[0].rcs_m2", "rcs_m2"),
    "sspk": (16, "  engage_all: false\n  sspk: V", "defense.sspk", "probability"),
    "inventory": (13, "      launchers: 2\n      inventory: V",
                  "defense.batteries[0].inventory", "inventory"),
}


def with_number(field: str, value: str) -> str:
    line, text, _, _ = NUMERIC[field]
    return edit(line, text.replace("V", value))


@pytest.mark.parametrize("field", NUMERIC)
@pytest.mark.parametrize("spelling", ["9" * 5000, "-" + "9" * 5000, "0x" + "f" * 5000,
                                      "1" + "_000" * 2000, "1" + ":00" * 2000])
def test_a_number_of_thousands_of_digits(field: str, spelling: str) -> None:
    """Python refuses to read more than 4,300 digits (a ValueError, a traceback): refused
    with the file, the line, the field and what is allowed."""
    line, _, path, row = NUMERIC[field]
    msg = refused(with_number(field, spelling))
    assert msg.startswith(f"{LABEL}:{line + NUMERIC[field][1].count(chr(10))}: {path}: "), msg
    assert LIMITS[row].allowed() in msg and len(msg) < 400, msg


@pytest.mark.parametrize("field", NUMERIC)
def test_each_field_takes_its_bounds_from_limits(field: str) -> None:
    """Just past either end of its LIMITS row: refused, saying the row's allowed range."""
    line, text, path, name = NUMERIC[field]
    row = LIMITS[name]
    for past in (row.low - max(1.0, abs(row.low)) if not row.low_open else row.low,
                 row.high + max(1.0, abs(row.high)) if not row.high_open else row.high):
        value = str(int(past)) if row.integer else repr(float(past))
        msg = refused(with_number(field, value))
        assert f": {path}: " in msg and row.allowed() in msg, msg


def test_a_longitude_east_of_180_is_read_as_west() -> None:
    """LIMITS allows 180-360 east; everything downstream reads it in [-180, 180)."""
    extra = "    - {name: Far, lat_deg: 20, lon_deg: 200}"
    a = outcome(edit(15, "    - {name: Osan, site: osan, radius_km: 20}\n" + extra))
    b = outcome(edit(15, "    - {name: Osan, site: osan, radius_km: 20}\n"
                     + extra.replace("200", "-160")))
    assert isinstance(a, Scenario) and isinstance(b, Scenario)
    assert a.defense.assets == b.defense.assets
    assert a.defense.assets[1].lon_deg == pytest.approx(-160.0)


EDGE_NUMBERS = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.integers(min_value=10**30, max_value=10**200).map(lambda n: f"{n}"),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from([
        "1e308", "-1e308", "1e309", "1.0e+400", "-0.0", "0.0", "-0", "4.9e-324", "1e-400",
        ".nan", ".NaN", ".NAN", "nan", ".inf", ".Inf", "+.inf", "-.inf", "-.INF", "inf",
        "0x7fffffffffffffff", "0x8000000000000000", "0o777", "0b101", "1_000", "190:20:30",
        "9223372036854775807", "9223372036854775808", "-9223372036854775808", "1e3", "2.5",
        "true", "null", "~", "''", "[]", "{}", "!!int 1", "!!float 1",
    ]),
)


@settings(max_examples=300, deadline=None)
@given(field=st.sampled_from(list(NUMERIC)), value=EDGE_NUMBERS)
def test_numbers_at_the_edges(field: str, value: str) -> None:
    """A number anywhere in its field: a scenario whose value lies inside the LIMITS row, or
    one line (naming the field when the value is a number outside the row)."""
    _, _, path, name = NUMERIC[field]
    got = outcome(with_number(field, value))
    read = yaml.safe_load(value)
    if isinstance(got, Scenario):
        optional = ("sspk", "inventory", "launchers", "boresight_deg")
        assert LIMITS[name].allows(read) or (read is None and field in optional), value
    elif isinstance(read, int | float) and not LIMITS[name].allows(read):
        assert f": {path}: " in got, got


# --------------------------------------------------------------------------------------------
# The property: a scenario, or one line that starts FILE:LINE:
# --------------------------------------------------------------------------------------------

fragments = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["true: 1", "1: x", "? [a]\n: b", "&a x", "*a", "!!python/none ''", "- -",
                     "{", "'", '"\\e"', '"\\ud800"', "\t", ": :", "<<: {a: 1}", "%YAML 1.1",
                     "---", "...", "9" * 5000, "name: \"\\0\"", "x: " + "[" * 60]),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(line=st.integers(min_value=1, max_value=24), indent=st.integers(0, 6),
       fragment=fragments, replace=st.booleans())
def test_any_edit_gives_a_scenario_or_one_line(line: int, indent: int, fragment: str,
                                               replace: bool) -> None:
    lines = BASE.splitlines()
    new = " " * indent + fragment
    if replace and line <= len(lines):
        lines[line - 1] = new
    else:
        lines.insert(line - 1, new)
    outcome("\n".join(lines) + "\n")


@settings(max_examples=100, deadline=None)
@given(text=st.text(max_size=400), label=st.sampled_from([LABEL, "a b/é.yaml", "<scenario>"]))
def test_any_text_gives_a_scenario_or_one_line(text: str, label: str) -> None:
    outcome(text, label)


# --------------------------------------------------------------------------------------------
# YAML error paths and messages that say what is true
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("key, kind", [("true", "true or false"), ("yes", "true or false"),
                                       ("on", "true or false"), ("1", "a whole number"),
                                       ("1.5", "a number"), ("null", "null"), ("~", "null")])
def test_a_key_yaml_does_not_read_as_text(key: str, kind: str) -> None:
    """Was reported as raid[0][1] (pydantic's index of the bool key)."""
    msg = refused(edit(20, f"    count: 2\n    {key}: 1"))
    shown = key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else repr(key)
    field = f"raid[0].{shown}" if not shown.startswith("'") else f"raid[0][{shown}]"
    assert msg.startswith(f"{LABEL}:21: {field}: unknown key {key!r} (YAML reads it as "
                          f"{kind}, not as text); allowed: the keys name, missile"), msg


def test_a_key_that_is_a_list() -> None:
    msg = refused(edit(20, "    count: 2\n    ? [a, b]\n    : 1"))
    assert msg.startswith(f"{LABEL}:21: raid[0]: a key that is a list; allowed: the keys "), msg


def test_odd_keys_keep_the_path_one_line() -> None:
    msg = refused(edit(20, '    count: 2\n    "a\\nb": 1'))
    assert msg.startswith(f"{LABEL}:21: raid[0]['a\\nb']: unknown key 'a\\nb'"), msg


def test_more_problems_are_said_where_they_are() -> None:
    """'(and 1 more problem below)' promised what a one-line message cannot show."""
    one_more = refused(edit(4, "  trials: 0").replace("count: 2", "count: 0"))
    assert one_more.startswith(f"{LABEL}:4: run.trials: 0 is out of range"), one_more
    assert one_more.endswith("(1 more problem in the file, at line 20: raid[0].count)")
    assert "below" not in one_more
    many = (edit(4, "  trials: 0").replace("count: 2", "count: 0")
            .replace("seed: 3", "seed: -1").replace("interval_s: 5", "interval_s: -5")
            .replace("launchers: 2", "launchers: 0"))
    msg = refused(many)
    assert msg.endswith("(4 more problems in the file, at line 5: run.seed; line 13: "
                        "defense.batteries[0].launchers; line 20: raid[0].count; and 1 "
                        "more)"), msg


@pytest.mark.parametrize("given_as", ["", "   ", "\t"])
def test_an_empty_name_is_not_a_directory(given_as: str) -> None:
    with pytest.raises(InputError) as exc:
        load_scenario(given_as)
    msg = str(exc.value)
    assert "an empty name" in msg and "directory" not in msg and "'.'" not in msg, msg


def test_a_directory_says_so(tmp_path: Path) -> None:
    with pytest.raises(InputError) as exc:
        load_scenario(tmp_path)
    assert str(exc.value) == (f"{tmp_path}: a directory; allowed: the path of a scenario "
                              ".yaml file")


@pytest.mark.parametrize("given_as", ["/nonexistent/a\nb.yaml", "/nonexistent/\x1b[31m.yaml",
                                      "/nonexistent/\u202e.yaml", "\ud800.yaml"])
def test_a_hostile_path_stays_one_line(given_as: str) -> None:
    with pytest.raises(InputError) as exc:
        load_scenario(given_as)
    msg = str(exc.value)
    assert forbidden_char(msg) is None and msg.startswith("'"), repr(msg)


def test_bytes_that_are_not_utf8_name_their_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(BASE.replace("name: test", "name: caf\xe9").encode("latin-1"))
    with pytest.raises(InputError, match=rf"^{re.escape(str(path))}:1: not UTF-8 text "
                       r"\(byte 0xE9 at position 9\)"):
        load_scenario(path)


def test_builtins_still_load() -> None:
    for name in ("korea-2017", "korea-2022", "korea-2026", "saturation", "layered"):
        assert isinstance(parse_scenario(scenario_text(name), f"{name}.yaml"), Scenario)


# --------------------------------------------------------------------------------------------
# Near the antimeridian (issue 12, case 16): supported, not an internal polygon message
# --------------------------------------------------------------------------------------------

ANTIMERIDIAN = """\
name: antimeridian
run: {trials: 2, seed: 1}
defense:
  radars: [{lat_deg: 52.0, lon_deg: 179.5}]
  batteries: [{battery: seongju, lat_deg: 52.0, lon_deg: 179.5}]
  assets: [{name: Amchitka, lat_deg: 51.5, lon_deg: 179.0, radius_km: 50}]
raid:
  - {missile: nodong, launch: {lat_deg: 52.0, lon_deg: 192.0},
     aim: {lat_deg: 51.5, lon_deg: 179.0}}
"""


def test_a_defense_at_the_antimeridian_has_its_radar_fan() -> None:
    """The radar faces east across 180 degrees: its fan (the report's map) is cut into parts
    on either side, its area that of the same fan anywhere else on the same latitude."""
    import shapely

    from thaadsim.report.html import FAN_ALT_M
    from thaadsim.studies.coverage import radar_coverage

    scn = outcome(ANTIMERIDIAN)
    assert isinstance(scn, Scenario)
    radar = scn.defense.sensors[0].emplacement
    assert 80.0 < radar.boresight_deg < 100.0  # facing the launch, east across 180
    assert scn.raid()[0][0].launch_lon_deg == pytest.approx(-168.0)
    model = scn.defense.sensors[0].radar
    fan = radar_coverage(model, radar, rcs_m2=0.1, alt_m=FAN_ALT_M)
    parts = shapely.get_parts(fan.polygon)
    assert all(-180.0 <= p.bounds[0] <= p.bounds[2] <= 180.0 for p in parts)
    assert {p.bounds[0] > 0 for p in parts} == {True, False}  # parts on both sides
    here = dataclasses.replace(radar, lon_deg=0.0)
    elsewhere = radar_coverage(model, here, rcs_m2=0.1, alt_m=FAN_ALT_M)
    assert fan.covered_km2 == pytest.approx(elsewhere.covered_km2, rel=1e-6)


def test_maps_about_the_antimeridian_are_drawn_in_one_piece() -> None:
    """The report's map and the coverage map move every longitude to within 180 degrees of
    the radar's: the fan is one outline again, the borders beyond 180 are drawn moved."""
    from shapely.geometry import box

    from thaadsim.systems import geography

    assert list(geography.near_lon(179.5, [-179.5, 179.0, 0.0])) == [180.5, 179.0, 0.0]
    split = geography.split_antimeridian(box(175.0, 50.0, 185.0, 55.0))
    assert len(split.geoms) == 2
    ((x, y),) = geography.near_outlines(179.0, split)  # joined again: one outline
    assert x.min() == pytest.approx(175.0) and x.max() == pytest.approx(185.0)
    lines = geography.borders_across((170.0, 55.0, 200.0, 72.0))  # Chukotka and Alaska
    xs = [float(v) for lon, _ in lines for v in lon]
    assert min(xs) >= 170.0 and max(xs) <= 200.0 and max(xs) > 190.0 and min(xs) < 180.0
    korea = (120.0, 30.0, 130.0, 40.0)  # away from 180: the same lines as borders_for_map
    across, plain = geography.borders_across(korea), geography.borders_for_map(korea)
    assert len(across) == len(plain)
    assert all((a[0] == p[0]).all() and (a[1] == p[1]).all()
               for a, p in zip(across, plain, strict=True))


def test_merge_keys_share_settings() -> None:
    """'<<: *anchor' (YAML's merge key) is not a key of the scenario: it brings the keys of
    the anchored mapping, which the group's own keys override; a problem in a merged key is
    reported at the group's path."""
    shared = BASE.replace("raid:\n  - name: scuds\n", "raid:\n  - &scud\n    name: scuds\n")
    text = shared + "  - <<: *scud\n    name: more scuds\n    count: 3\n"
    scn = outcome(text)
    assert isinstance(scn, Scenario), scn
    assert [(g.name, g.count, g.missile) for g in scn.groups] == [
        ("scuds", 2, "scud-b"), ("more scuds", 3, "scud-b")]
    msg = refused(shared.replace("count: 2", "count: 0") + "  - <<: *scud\n    name: x\n")
    assert msg.startswith(f"{LABEL}:21: raid[0].count: 0 is out of range"), msg
    assert "raid[1].count" in msg, msg
    msg = refused(shared + "  - <<: [1, 2]\n    name: x\n")
    assert msg.startswith(f"{LABEL}:25: raid[1]: a merge key '<<' with something other"), msg


hostile_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(10**25), max_value=10**25),
    st.floats(), st.text(max_size=40),
    st.sampled_from(["\x00", "\x1b[2J", "\u202e", "\ud800", "\ufffe", "🚀" * 70, "a\nb",
                     "é" * 101, " ", "", "seongju", "scud-c", "terminal", "salvo-2"]),
)
hostile_values = st.recursive(hostile_scalars, lambda kids: st.one_of(
    st.lists(kids, max_size=3), st.dictionaries(st.text(max_size=8) | st.integers(), kids,
                                                max_size=3)), max_leaves=12)


def _replace(data: Any, path: list[int], value: Any) -> Any:
    if not path or not isinstance(data, dict | list) or not data:
        return value
    if isinstance(data, dict):
        key = list(data)[path[0] % len(data)]
        return {**data, key: _replace(data[key], path[1:], value)}
    i = path[0] % len(data)
    return [*data[:i], _replace(data[i], path[1:], value), *data[i + 1:]]


@pytest.mark.slow  # a property test: hundreds of scenario parses
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(path=st.lists(st.integers(0, 12), min_size=1, max_size=5), value=hostile_values)
def test_any_value_anywhere_in_a_builtin(path: list[int], value: Any) -> None:
    """korea-2017 with one value anywhere replaced by a hostile one: a scenario whose names
    are all valid names, or one line that starts FILE:LINE:."""
    data = _replace(yaml.safe_load(scenario_text("korea-2017")), path, value)
    got = outcome(yaml.safe_dump(data, allow_unicode=True, width=10**6))
    if isinstance(got, Scenario):
        for name in (got.name, *(g.name for g in got.groups),
                     *(a.name for a in got.defense.assets),
                     *(b.slug for b in got.defense.batteries)):
            assert name_problem(name) is None, name
