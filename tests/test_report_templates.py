"""The report's HTML lives in template files (issue 13, part 4): loaded by Jinja2 from
``thaadsim/report/templates``, shipped in the wheel, and no HTML template is left in a
Python string of the package."""

from __future__ import annotations

import ast
import fnmatch
import re
import tomllib
from pathlib import Path

from thaadsim.report.templating import environment, render, static_text
from thaadsim.report.validation import validation_page_html, validation_table_html
from thaadsim.studies.validation import CaseResult

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "thaadsim"
TEMPLATES = PACKAGE / "report" / "templates"

HTML_TAG = re.compile(r"<(html|head|body|table|thead|tbody|tr|td|th|div|section|style)[\s>]",
                      re.IGNORECASE)
"""An element of a page's or a table's structure in a string: what a template holds (the
one-paragraph descriptions of CZML and KML placemarks are not templates)."""


def _case(**kw: object) -> CaseResult:
    base: dict[str, object] = dict(
        id="kepler-1", title="A <vacuum> arc", kind="kepler", source="BMW 1971 & co",
        unit="km", published=1000.0, published_low=None, published_high=None, model=1001.0,
        difference=1.0, tolerance="abs 5", lower=995.0, upper=1005.0, passed=True,
        expected_fail=False, note="", seconds=0.1)
    base.update(kw)
    return CaseResult(**base)  # type: ignore[arg-type]


def test_every_template_ships_in_the_wheel() -> None:
    """Each file of the templates folder matches a package-data pattern of pyproject.toml
    (else an installed thaadsim could not find it)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["thaadsim"]
    files = [p.relative_to(PACKAGE).as_posix() for p in TEMPLATES.iterdir() if p.is_file()]
    assert {"report/templates/report.html.j2", "report/templates/report.css"} <= set(files)
    unshipped = [f for f in files if not any(fnmatch.fnmatch(f, pat) for pat in patterns)]
    assert not unshipped, unshipped


def test_the_environment_loads_every_template_from_the_package() -> None:
    names = environment().list_templates()
    assert {"report.html.j2", "validation.html.j2", "validation_table.html.j2",
            "validation_section.html.j2"} <= set(names)
    assert static_text("report.css").lstrip().startswith(":root")


def test_no_html_template_in_python_strings() -> None:
    """No string constant of the package holds page or table markup (docstrings, which may
    name a tag, aside)."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(n.value) for n in ast.walk(tree)  # a string as a statement
                      if isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant)}
        for node in ast.walk(tree):
            if (isinstance(node, ast.Constant) and isinstance(node.value, str)
                    and id(node) not in docstrings and HTML_TAG.search(node.value)):
                found.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert not found, found


def test_the_validation_table_escapes_what_it_shows() -> None:
    """Autoescaped: a case's text cannot inject markup."""
    html = validation_table_html([_case(), _case(id="x-2", passed=False, note="<b>no</b>")])
    assert html.startswith('<table id="validation">')
    assert "A &lt;vacuum&gt; arc" in html and "BMW 1971 &amp; co" in html
    assert "<b>" not in html and html.count('<tr class="pass">') == 1
    assert html.count('<tr class="fail">') == 1


def test_the_validation_page_is_a_signed_page_with_the_counts() -> None:
    page = validation_page_html([_case(), _case(id="x-2", passed=False, expected_fail=True)])
    assert page.startswith("<!DOCTYPE html>") and page.endswith("</html>\n")
    assert '<meta name="generator" content="thaadsim ' in page
    assert "1 passed, 0 failed, 1 known failures" in page
    assert page.count('<table id="validation">') == 1


def test_render_refuses_an_undefined_name() -> None:
    """StrictUndefined: a template asking for a value the code did not give fails loudly."""
    import jinja2
    import pytest

    with pytest.raises(jinja2.UndefinedError):
        render("validation_section.html.j2", when="now", key="k", from_cache=False)
