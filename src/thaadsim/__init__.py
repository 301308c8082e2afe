"""thaadsim: an open, physics-based simulator of the THAAD missile-defense system.

The physics layer (:mod:`thaadsim.physics`) is pure functions over NumPy arrays;
the systems layer (:mod:`thaadsim.systems`) holds the catalogs, the threats, the radar,
the tracker, the interceptors and fire control; :mod:`thaadsim.engagement` runs a raid
against a defense; :mod:`thaadsim.cli` is the command line and :mod:`thaadsim.api` the
Python API, whose names this package exports:

>>> import thaadsim as ts
>>> ts.get_missile("nodong").missile_class
'MRBM'

Every name is imported on first use (module ``__getattr__``), so that ``import thaadsim``
and the command line start fast.
"""

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("thaadsim")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

_EXPORTS: dict[str, str] = {
    # the catalog, read once
    "get_missile": "thaadsim.api",
    "get_radar": "thaadsim.api",
    "get_interceptor": "thaadsim.api",
    "get_site": "thaadsim.api",
    "get_sensor": "thaadsim.api",
    "get_battery": "thaadsim.api",
    # the operations, objects in, typed results out
    "fly": "thaadsim.api",
    "fly_burnout": "thaadsim.api",
    "detect": "thaadsim.api",
    "raid": "thaadsim.api",
    "standard_defense": "thaadsim.api",
    "engage": "thaadsim.api",
    "coverage": "thaadsim.api",
    "footprint": "thaadsim.api",
    "surveil": "thaadsim.api",
    "surveil_corridors": "thaadsim.api",
    "load_scenario": "thaadsim.api",
    "run_scenario": "thaadsim.api",
    "simulate": "thaadsim.api",  # deprecated: run_scenario
    # the results
    "Flight": "thaadsim.api",
    "Detection": "thaadsim.api",
    "SimulationResult": "thaadsim.api",
    "Coverage": "thaadsim.api",
    "FootprintResult": "thaadsim.api",
    # the types a user builds or changes with dataclasses.replace
    "Missile": "thaadsim.systems.catalog",
    "Site": "thaadsim.systems.catalog",
    "Radar": "thaadsim.systems.radar",
    "Emplacement": "thaadsim.systems.radar",
    "Interceptor": "thaadsim.systems.interceptor",
    "Battery": "thaadsim.systems.fire_control",
    "Sensor": "thaadsim.systems.sensors",
    "EarlyWarning": "thaadsim.systems.sensors",
    "RaidThreat": "thaadsim.engagement",
    "DefendedAsset": "thaadsim.engagement",
    "Defense": "thaadsim.engagement",
    # the errors
    "InputError": "thaadsim.errors",
    "CatalogError": "thaadsim.errors",
    "UnreachableError": "thaadsim.errors",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> object:
    """The names of :data:`_EXPORTS`, each imported from its module on first use."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'thaadsim' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value  # the next access does not come here
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
