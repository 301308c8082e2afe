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


class _StoppedRun:
    """What a run stopped part-way carries beside its message (:class:`RunFailed`,
    :class:`RunInterrupted`): ``what`` happened, the ``folder`` of its finished chunks
    (None: nothing was kept) and how many were ``saved`` there."""

    def __init__(self, message: str, *, what: str = "", folder: str | None = None,
                 saved: int = 0) -> None:
        super().__init__(message)  # type: ignore[call-arg]  # the exception class beside it
        self.what = what or message
        self.folder = folder
        self.saved = saved


class RunFailed(_StoppedRun, ThaadsimError):
    """A long run stopped part-way for a reason outside the input (a worker process died,
    the Dask scheduler was lost, the disk filled, memory ran out): the message says what
    happened, how many finished chunks are kept where, and how to continue
    (``--resume FOLDER``). ``folder`` is that folder (None: nothing was kept), ``saved``
    the number of finished chunks in it, ``what`` what happened (the message's start)."""


class RunInterrupted(_StoppedRun, BaseException):
    """Ctrl-C (SIGINT) during a long run, after the runner stopped its workers; the message
    says how many finished chunks are kept where and how to continue; ``folder``, ``saved``
    and ``what`` as in :class:`RunFailed`. Like :class:`KeyboardInterrupt` it is a
    :class:`BaseException`, so code that catches errors (``except Exception``) does not
    swallow it; it is not a KeyboardInterrupt, which command-line frameworks turn into a
    bare exit status. The command line prints the message and exits with status 130
    (128 + SIGINT, the shell's convention)."""
