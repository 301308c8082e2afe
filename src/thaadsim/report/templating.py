"""The report's templates and style sheets: files in ``thaadsim/report/templates/`` (shipped
as package data), rendered by one Jinja2 environment (HTML autoescaped, an undefined name
an error)."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import jinja2

TEMPLATES = "templates"
"""The folder of :mod:`thaadsim.report` that holds the templates (``*.j2``) and the CSS."""


@cache
def environment() -> jinja2.Environment:
    """The Jinja2 environment of the report's templates."""
    return jinja2.Environment(loader=jinja2.PackageLoader("thaadsim.report", TEMPLATES),
                              autoescape=True, undefined=jinja2.StrictUndefined,
                              keep_trailing_newline=True)


def render(name: str, **context: Any) -> str:
    """The template ``name`` rendered with ``context``."""
    return environment().get_template(name).render(**context)


@cache
def static_text(name: str) -> str:
    """A static file of the templates folder (a style sheet), as text."""
    return resources.files("thaadsim.report").joinpath(TEMPLATES, name).read_text(
        encoding="utf-8")


__all__ = ["TEMPLATES", "environment", "render", "static_text"]
