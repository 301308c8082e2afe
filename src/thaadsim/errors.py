"""The few errors thaadsim raises, each a :class:`ValueError` with a clear message.

A message names what was wrong (the file or option, the field, the value) and
what is allowed, so that the command line can print it as one line and exit
with status 2.
"""

from __future__ import annotations


class ThaadsimError(ValueError):
    """Base class of every error thaadsim raises on bad input."""


class InputError(ThaadsimError):
    """A value given by the user is outside what is allowed."""


class CatalogError(ThaadsimError):
    """The catalog (package data or a user's file) is malformed or lacks an entry."""


class UnreachableError(ThaadsimError):
    """A trajectory was asked for that the missile cannot fly (too far, bad shape)."""
