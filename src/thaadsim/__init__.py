"""thaadsim: an open, physics-based simulator of the THAAD missile-defense system.

The physics layer (:mod:`thaadsim.physics`) is pure functions over NumPy arrays;
the systems layer (:mod:`thaadsim.systems`) holds the catalogs, the threats, the radar,
the tracker, the interceptors and fire control; :mod:`thaadsim.engagement` runs a raid
against a defense; :mod:`thaadsim.cli` is the command line and :mod:`thaadsim.api`
(``thaadsim.load_scenario``, ``thaadsim.simulate``) the Python API.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("thaadsim")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__", "load_scenario", "simulate"]


def __getattr__(name: str) -> object:
    """``thaadsim.load_scenario`` and ``thaadsim.simulate`` (:mod:`thaadsim.api`), imported
    on first use so that the command line starts fast."""
    if name in ("load_scenario", "simulate"):
        from thaadsim import api

        return getattr(api, name)
    raise AttributeError(f"module 'thaadsim' has no attribute {name!r}")
