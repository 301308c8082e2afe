"""The validation table: every published figure the project knows, against the model.

The cases are data (``thaadsim/data/validation.yaml``), each with its source and a tolerance
stating the published figure's uncertainty (references in the file and in
:mod:`thaadsim.studies.validation`). Every case runs here; every case passes unless it is
marked ``expected_fail`` with its reason, and those must still fail (a known limit that
starts passing should lose its mark).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from thaadsim.commands import validate_command_data
from thaadsim.errors import CatalogError
from thaadsim.report.validation import validation_table_html
from thaadsim.studies.validation import KINDS, CaseResult, load_cases, run_cases

CASES = load_cases()


_DONE: dict[str, CaseResult] = {}


def result(case_id: str) -> CaseResult:
    """One case's result, run once per session (each case is run on its own by run_cases)."""
    if case_id not in _DONE:
        (_DONE[case_id],) = run_cases([c for c in CASES if c["id"] == case_id])
    return _DONE[case_id]


@pytest.fixture(scope="module")
def results() -> dict[str, CaseResult]:
    return {c["id"]: result(c["id"]) for c in CASES}


# a loft case fits a payload to a lofted test by flying dozens of trajectories (seconds of
# CPU each, most of the table's cost): in the whole suite; the other kinds in quick runs too
def _case_param(case: dict) -> object:
    return pytest.param(case["id"], marks=pytest.mark.slow) if case["kind"] == "loft" \
        else case["id"]


def test_every_kind_has_cases_and_every_case_a_source() -> None:
    kinds = Counter(c["kind"] for c in CASES)
    assert set(kinds) == set(KINDS), set(KINDS) - set(kinds)
    for c in CASES:
        assert len(c["published"]["source"].strip()) > 10, c["id"]
        assert len(c["tolerance"]["why"].strip()) > 10, c["id"]


def test_known_limits_are_in_the_table() -> None:
    failing = {c["id"] for c in CASES if c.get("expected_fail")}
    assert {"flight-kn-23-2021-09-15-range"} <= failing


@pytest.mark.parametrize("case_id", [_case_param(c) for c in CASES])
def test_case(case_id: str) -> None:
    r = result(case_id)
    if r.expected_fail:
        assert not r.passed, f"{case_id} passes now: remove its expected_fail mark ({r.note})"
    else:
        assert r.passed, (f"{case_id}: model {r.model} outside {r.lower}..{r.upper} "
                          f"(published {r.published}; {r.note})")


@pytest.mark.slow  # every case, the loft fits included
def test_html_fragment_has_one_row_per_case(results: dict[str, CaseResult]) -> None:
    frag = validation_table_html(list(results.values()))
    assert frag.startswith('<table id="validation">')
    body = frag.split("<tbody>")[1]
    assert len(re.findall(r"<tr\b", body)) == len(CASES)
    assert frag.count('class="known-fail"') == sum(r.expected_fail for r in results.values())


def _write(tmp_path: Path, cases: object) -> Path:
    path = tmp_path / "cases.yaml"
    path.write_text(yaml.safe_dump(cases), "utf-8")
    return path


def _case(case_id: str) -> dict:  # type: ignore[type-arg]
    return json.loads(json.dumps(next(c for c in CASES if c["id"] == case_id)))


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        (lambda c: c.pop("kind"), r"case 'radar-range-an-tpy-2-terminal': kind: None is not one"),
        (lambda c: c.update(kind="guess"), r"kind: 'guess' is not one of"),
        (lambda c: c["published"].pop("source"), r"'radar-range-an-tpy-2-terminal': "
                                                  r"published.source: missing"),
        (lambda c: c["published"].update(value="600"), r"published.value: '600' is not a number"),
        (lambda c: c["inputs"].pop("rcs_m2"), r"inputs.rcs_m2: missing"),
        (lambda c: c["tolerance"].update(abs=1.0), r"tolerance: give exactly one of abs or rel"),
        (lambda c: c["tolerance"].pop("why"), r"tolerance.why: missing"),
        (lambda c: c.update(expected_fail=True), r"expected_fail \(the reason, as text\)"),
        (lambda c: c.update(extra=1), r"unknown field\(s\) \['extra'\]"),
    ],
)
def test_malformed_case_names_the_case_and_the_field(tmp_path: Path, edit, match) -> None:  # type: ignore[no-untyped-def]
    case = _case("radar-range-an-tpy-2-terminal")
    edit(case)
    with pytest.raises(CatalogError, match=match):
        load_cases(_write(tmp_path, [case]))


def test_malformed_files(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="non-empty list of cases"):
        load_cases(_write(tmp_path, {"cases": []}))
    case = _case("radar-range-an-tpy-2-terminal")
    with pytest.raises(CatalogError, match="id: duplicate"):
        load_cases(_write(tmp_path, [case, case]))
    closed = _case("horizon-seongju-100km")
    closed["published"]["value"] = 1.0
    with pytest.raises(CatalogError, match="closed form; leave it out"):
        load_cases(_write(tmp_path, [closed]))
    with pytest.raises(CatalogError, match="cannot read"):
        load_cases(tmp_path / "missing.yaml")


def test_coverage_case_names_its_pointing(tmp_path: Path) -> None:
    """A coverage_share case faces either a boresight or a place, never both or neither."""
    case = _case("coverage-seongju-forward-china-share")
    case["inputs"]["boresight_deg"] = 300.0
    with pytest.raises(CatalogError, match="exactly one of boresight_deg or toward"):
        load_cases(_write(tmp_path, [case]))
    del case["inputs"]["boresight_deg"], case["inputs"]["toward"]
    with pytest.raises(CatalogError, match="exactly one of boresight_deg or toward"):
        load_cases(_write(tmp_path, [case]))


def test_published_tpy2_statements_are_cases() -> None:
    """Issue 15 part 6: the USCC 2016 statements on each mode (p. 448) are in the table,
    through the detection chain and the coverage fan, with their sources."""
    by_id = {c["id"]: c for c in CASES}
    for cid, kind in (("first-detection-seongju-terminal-600km", "first_detection"),
                      ("first-detection-seongju-forward-2000km", "first_detection"),
                      ("coverage-seongju-terminal-china-share", "coverage_share"),
                      ("coverage-seongju-forward-china-share", "coverage_share")):
        assert by_id[cid]["kind"] == kind and "USCC 2016" in by_id[cid]["published"]["source"]
    for slug in ("df-5a", "df-5b", "df-31a", "df-31ag", "df-41", "df-21a", "df-26"):
        assert f"max-range-{slug}" in by_id


def test_command_data_and_report(tmp_path: Path) -> None:
    """The command's JSON and standalone page, on a few fast cases (one failing on purpose:
    a failure is shown, not hidden)."""
    cases = [_case("radar-range-an-tpy-2-terminal"), _case("horizon-seongju-100km"),
             _case("thaad-floor-40km")]
    wrong = _case("radar-range-an-tpy-2-forward")
    wrong["published"].update(value=5000.0, low=5000.0, high=5000.0)
    page = tmp_path / "validation.html"
    data = validate_command_data(report_path=page, cases_path=_write(tmp_path, [*cases, wrong]))
    json.dumps(data, allow_nan=False)
    assert (data["passed"], data["failed"], data["expected_failures"]) == (3, 1, 0)
    assert [c["id"] for c in data["cases"]] == [c["id"] for c in [*cases, wrong]]
    text = page.read_text("utf-8")
    assert '<table id="validation">' in text and text.count('class="fail"') == 1


def test_post_2016_flights_the_issue_does_not_list_are_cases() -> None:
    """Issue 16 was to be judged against published flights and analyses it does not list:
    each North Korean flight since 2016 with a published apogee, range or flight time for a
    catalog missile is a case (validation.yaml's header names those left out and why), the
    lofted ICBM tests with a published implied standard range among them."""
    by_id = {c["id"]: c for c in CASES}
    for cid in ("loft-hwasong-19-2024-10-31-standard-range",
                "loft-hwasong-19-2024-10-31-flight-time",
                "loft-hwasong-17-2022-03-24-standard-range",
                "loft-hwasong-17-2023-03-16-flight-time",
                "loft-hwasong-15-2023-02-18-standard-range",
                "loft-hwasong-15-2023-02-18-flight-time",
                "loft-hwasong-12-2022-01-30-standard-range",
                "flight-hwasong-12-2022-10-04-flight-time",
                "flight-kn-23-2019-08-06-range", "flight-kn-24-2019-08-10-range",
                "flight-kn-24-2019-08-16-range", "flight-kn-25-2019-10-31-range",
                "max-range-pukguksong-1-normal-angle"):
        assert cid in by_id, cid
        assert len(by_id[cid]["published"]["source"]) > 30, cid
    # the known limit of the ballistic KN-25 covers its first, flattened flight too
    assert "flight-kn-25-2019-07-31-range" in {c["id"] for c in CASES if c.get("expected_fail")}
