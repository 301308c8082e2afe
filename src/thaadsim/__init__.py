"""thaadsim: an open, physics-based simulator of the THAAD missile-defense system.

The physics layer (:mod:`thaadsim.physics`) is pure functions over NumPy arrays;
the systems layer (:mod:`thaadsim.systems`) holds the threat catalog and the
aiming of threats; :mod:`thaadsim.cli` is the command line.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("thaadsim")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
