"""The validation table as HTML: the fragment the report embeds and the standalone page
``thaadsim validate --report FILE.html`` writes (the cases and their results:
:mod:`thaadsim.studies.validation`)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

from markupsafe import Markup

from thaadsim.outputs import html_generator_meta, write_text
from thaadsim.report.templating import render, static_text
from thaadsim.studies.validation import CaseResult, summary_counts


def _fmt(x: float | None) -> str:
    if x is None:
        return ""
    if not math.isfinite(x):
        return "—" if math.isnan(x) else ("∞" if x > 0 else "−∞")
    return f"{x:.4g}" if abs(x) < 10 else f"{x:,.1f}"


def _published_text(r: CaseResult) -> str:
    text = _fmt(r.published)
    if r.published_low is not None or r.published_high is not None:
        text += f" ({_fmt(r.published_low)}–{_fmt(r.published_high)})"
    return text


def _verdict(r: CaseResult) -> str:
    if r.passed:
        return "pass"
    return "fail (known)" if r.expected_fail else "FAIL"


def validation_table_html(results: Sequence[CaseResult]) -> str:
    """An HTML ``<table id="validation">`` fragment: one row per case
    (``templates/validation_table.html.j2``)."""
    head = ("case", "kind", "source", "published", "model", "difference", "unit",
            "tolerance", "result", "note")
    rows = [{"css": "pass" if r.passed else ("known-fail" if r.expected_fail else "fail"),
             "id": r.id, "title": r.title, "kind": r.kind, "source": r.source,
             "published": _published_text(r), "model": _fmt(r.model),
             "difference": _fmt(r.difference), "unit": r.unit, "tolerance": r.tolerance,
             "verdict": _verdict(r), "note": r.note} for r in results]
    return render("validation_table.html.j2", head=head, rows=rows)


def validation_page_html(results: Sequence[CaseResult]) -> str:
    """A standalone HTML page: the counts and :func:`validation_table_html`
    (``templates/validation.html.j2`` and ``validation.css``)."""
    return render("validation.html.j2", generator=Markup(html_generator_meta()),
                  css=Markup(static_text("validation.css")), counts=summary_counts(results),
                  table=Markup(validation_table_html(results)))


def write_validation_page(path: str | Path, results: Sequence[CaseResult]) -> None:
    """Write :func:`validation_page_html` to ``path`` (signed, replaced atomically)."""
    write_text(path, validation_page_html(results), ".html")


__all__ = ["validation_page_html", "validation_table_html", "write_validation_page"]
