"""The validation table as HTML: the fragment the report embeds and the standalone page
``thaadsim validate --report FILE.html`` writes (the cases and their results:
:mod:`thaadsim.studies.validation`)."""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from pathlib import Path

from thaadsim.outputs import html_generator_meta, write_text
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
    """An HTML ``<table id="validation">`` fragment: one row per case."""
    head = ("case", "kind", "source", "published", "model", "difference", "unit",
            "tolerance", "result", "note")
    rows = []
    for r in results:
        cls = "pass" if r.passed else ("known-fail" if r.expected_fail else "fail")
        cells = (f"{r.id}<br><small>{html.escape(r.title)}</small>", r.kind,
                 html.escape(r.source), _published_text(r), _fmt(r.model),
                 _fmt(r.difference), html.escape(r.unit), html.escape(r.tolerance),
                 _verdict(r), html.escape(r.note))
        rows.append(f'<tr class="{cls}">' + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    return ('<table id="validation">\n<thead><tr>'
            + "".join(f"<th>{h}</th>" for h in head) + "</tr></thead>\n<tbody>\n"
            + "\n".join(rows) + "\n</tbody>\n</table>\n")


def validation_page_html(results: Sequence[CaseResult]) -> str:
    """A standalone HTML page: the counts and :func:`validation_table_html`."""
    s = summary_counts(results)
    return ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
            + html_generator_meta() +
            "<title>thaadsim validation</title><style>"
            "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
            "td,th{border:1px solid #ccc;padding:3px 6px;font-size:90%;vertical-align:top}"
            "tr.pass td:nth-child(9){color:#070}tr.fail td{background:#fdd}"
            "tr.known-fail td{background:#ffe}</style></head><body>\n"
            "<h1>thaadsim validation</h1>\n"
            f"<p>{s['passed']} passed, {s['failed']} failed, {s['expected_failures']} "
            "known failures (each with its reason). A case passes when the model value "
            "lies within the published figure or interval widened by the tolerance, which "
            "states the uncertainty of the published figure.</p>\n"
            + validation_table_html(results) + "</body></html>\n")


def write_validation_page(path: str | Path, results: Sequence[CaseResult]) -> None:
    """Write :func:`validation_page_html` to ``path`` (signed, replaced atomically)."""
    write_text(path, validation_page_html(results), ".html")


__all__ = ["validation_page_html", "validation_table_html", "write_validation_page"]
