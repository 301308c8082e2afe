"""The ``thaadsim`` command line (Typer).

Every command prints a Rich table, or with ``--json`` exactly one JSON object.
Bad input ends with one line on standard error and exit status 2.
"""

from __future__ import annotations

import errno
import json
import math
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from thaadsim import __version__
from thaadsim.commands import (
    DEFAULT_AZIMUTH_DEG,
    DEFAULT_LAUNCH,
    DEFAULT_THREAT,
    check_apogee,
    place,
    shown,
)
from thaadsim.errors import InputError, RunInterrupted, ThaadsimError
from thaadsim.jsonsafe import json_safe
from thaadsim.limits import LIMITS, check, fmt_number

try:  # Typer vendors Click from 0.2x on: its usage errors are not click's own
    from typer._click import exceptions as click_errors
except ImportError:  # pragma: no cover - an older Typer, on Click
    from click import exceptions as click_errors  # type: ignore[no-redef]

app = typer.Typer(
    name="thaadsim",
    help="thaadsim: a physics-based simulator of THAAD and the missiles it faces.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
progress = Console(stderr=True)
"""Where progress goes (standard error), so that --json output stays one object."""


def _working(what: str) -> Any:
    """A spinner on standard error while ``what`` runs (shown on terminals only)."""
    return progress.status(f"{what} (the first run compiles the propagator: about a minute, "
                           "then cached)")

def _fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def _emit(data: dict[str, Any], as_json: bool, title: str) -> None:
    if as_json:
        typer.echo(json.dumps(json_safe(data), allow_nan=False))
        return
    table = Table(title=title, show_header=True)
    table.add_column("quantity")
    table.add_column("value", justify="right")
    for key, val in json_safe(data).items():
        text = "-" if val is None else (f"{val:,.3f}" if isinstance(val, float) else str(val))
        table.add_row(key, text)
    console.print(table)


_WHOLE = re.compile(r"[+-]?[0-9]+")


_MAX_DIGITS = 30
"""Longer whole numbers are out of every range of :data:`LIMITS`; they are refused by their
digit count, never converted (Python refuses to convert more than 4,300 digits)."""


def _number(text: str, row: str) -> int | float:
    """The number in ``text``, a whole number where the row of :data:`LIMITS` says so (its
    range is :class:`LimitParser`'s to check); a one-line :class:`typer.BadParameter` for
    text that is not such a number."""
    lim = LIMITS[row]
    text = text.strip()
    if lim.integer:
        if not _WHOLE.fullmatch(text):
            raise typer.BadParameter(f"{shown(text)} is not a whole number; allowed: "
                                     f"{lim.allowed()}")
        if len(text.lstrip("+-").lstrip("0")) > _MAX_DIGITS:
            raise typer.BadParameter(f"{shown(text)} is out of range; allowed: "
                                     f"{lim.allowed()}")
        return int(text)
    try:
        value = float(text)
    except ValueError:
        raise typer.BadParameter(f"{shown(text)} is not a number; allowed: "
                                 f"{lim.allowed()}") from None
    if math.isinf(value) and "inf" not in text.lower():
        raise typer.BadParameter(f"{shown(text)} is beyond the floating-point range; "
                                 f"allowed: {lim.allowed()}")
    return value


@dataclass(frozen=True)
class LimitParser:
    """A Typer parser for a numeric option: its text as a number within the row ``row`` of
    :data:`LIMITS`, refused in one line (:func:`main`) before the command starts."""

    row: str

    @property
    def __name__(self) -> str:  # the help's metavar (Typer's FuncParamType names it so)
        return "integer" if LIMITS[self.row].integer else "float"

    def __call__(self, value: Any) -> Any:
        lim = LIMITS[self.row]
        number = value if isinstance(value, int | float) else _number(str(value), self.row)
        if not lim.allows(number):
            raise typer.BadParameter(f"{fmt_number(number)} is out of range; allowed: "
                                     f"{lim.allowed()}")
        return int(number) if lim.integer else float(number)


def _within(row: str) -> LimitParser:
    """The parser of an option checked against the row ``row`` of :data:`LIMITS`."""
    LIMITS[row]  # an unknown row fails when the app is built, not when a user meets it
    return LimitParser(row)


def _band(text: str) -> tuple[float, float]:
    try:
        lo_s, hi_s = text.split(",")
        lo, hi = float(lo_s), float(hi_s)
    except ValueError:
        _fail(f"--band-km: {shown(text)} is not LO,HI in km (e.g. 40,150)")
    check("band_km", lo, "--band-km LO")
    check("band_km", hi, "--band-km HI")
    if not lo < hi:
        _fail(f"--band-km: {shown(text)}: need 0 <= LO < HI")
    return lo, hi


# The chunked Monte Carlo runner's options (thaadsim.studies.montecarlo.RunnerOptions), the
# same for every command that uses it; `_runner(...)` gathers them.
ExecutorOpt = Annotated[str | None, typer.Option(
    "--executor", help="Where chunks run: inprocess, processes (local) or dask (default: "
                       "dask with --workers or --scheduler, else inprocess).",
    rich_help_panel="Runner")]
WorkersOpt = Annotated[int | None, typer.Option(
    "--workers", parser=_within("workers"),
    help="Start a local Dask cluster (or, with --executor processes, a process pool) of N "
         "workers.", rich_help_panel="Runner")]
SchedulerOpt = Annotated[str | None, typer.Option(
    "--scheduler", help="Run on the Dask cluster at tcp://HOST:PORT.",
    rich_help_panel="Runner")]
ChunksDirOpt = Annotated[str | None, typer.Option(
    "--chunks-dir", help="Write each finished chunk here (Parquet) as soon as it is done, "
                         "so that the run can resume.", rich_help_panel="Runner")]
ResumeOpt = Annotated[str | None, typer.Option(
    "--resume", help="Continue the interrupted run whose chunks are in DIR, redoing nothing "
                     "that finished.", rich_help_panel="Runner")]
ChunkSizeOpt = Annotated[int | None, typer.Option(
    "--chunk-size", "--chunk-trials", parser=_within("chunk_size"),
    help="Work units per chunk: trials (run, raid, raid-curve), grid cells (footprint), "
         "model runs (sensitivity). Part of what the result depends on, with the seed.",
    rich_help_panel="Runner")]


def _runner(executor: str | None, workers: int | None, scheduler: str | None,
            chunks_dir: str | None, resume: str | None, chunk_size: int | None) -> Any:
    """The runner options of a command (checked: a bad value is a one-line error)."""
    from thaadsim.studies.montecarlo import RunnerOptions

    return RunnerOptions(executor=executor, workers=workers, scheduler=scheduler,
                         chunks_dir=chunks_dir, resume=resume, chunk_size=chunk_size)


def _working_unless_runner(runner: Any, what: str) -> Any:
    """A spinner, except on the runner, whose progress bar (with the time left) shows
    instead: Rich allows one live display at a time."""
    from contextlib import nullcontext

    return nullcontext() if runner.chosen else _working(what)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"thaadsim {__version__}")
        raise typer.Exit(0)


def _check_output(path: str, suffix: str, option: str) -> None:
    """Refuse, before any work, an output file that could not be written (one line)."""
    from thaadsim.outputs import check_output_file

    try:
        check_output_file(path, suffix, option)
    except InputError as exc:
        _fail(str(exc))


@app.callback()
def _main(
    version: Annotated[bool, typer.Option("--version", callback=_print_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """thaadsim: a physics-based simulator of THAAD and the missiles it faces."""


@app.command()
def catalog(
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """List the threats with their key figures and sources."""
    from thaadsim.commands import catalog_command_data

    with _working("Flying every missile to its maximum range"):
        data = catalog_command_data()
    if as_json:
        typer.echo(json.dumps(json_safe(data)))
        return
    table = Table(title="thaadsim threat catalog (every figure's source: data/missiles.yaml)")
    for col in ("slug", "class", "published range km", "payload kg", "model range km", "source"):
        table.add_column(col, overflow="fold")
    for r in data["missiles"]:
        table.add_row(r["slug"], r["class"], f"{r['range_km']:,.0f}", f"{r['payload_kg']:,.0f}",
                      f"{r['model_max_range_km']:,.0f}", r["range_source"][:90])
    console.print(table)

@app.command()
def fly(
    speed_kms: Annotated[float | None, typer.Option(
        parser=_within("speed_kms"), help="Burnout speed, km/s.")] = None,
    gamma_deg: Annotated[float | None, typer.Option(
        parser=_within("gamma_deg"),
        help="Burnout flight-path angle above the local horizontal, degrees (0-90).")] = None,
    burnout_alt_km: Annotated[float, typer.Option(
        parser=_within("burnout_alt_km"), help="Burnout altitude, km.")] = 0.0,
    beta_kgm2: Annotated[float, typer.Option(
        parser=_within("beta_kgm2"), help="Ballistic coefficient, kg/m^2.")] = 5000.0,
    vacuum: Annotated[bool, typer.Option("--vacuum", help="No atmosphere.")] = False,
    non_rotating: Annotated[bool, typer.Option("--non-rotating",
                                               help="The Earth does not rotate.")] = False,
    earth: Annotated[str, typer.Option(help="Earth model: wgs84 or sphere.")] = "wgs84",
    lat_deg: Annotated[float, typer.Option(
        parser=_within("lat_deg"), help="Latitude beneath burnout.")] = DEFAULT_LAUNCH[0],
    lon_deg: Annotated[float, typer.Option(
        parser=_within("lon_deg"), help="Longitude beneath burnout.")] = DEFAULT_LAUNCH[1],
    azimuth_deg: Annotated[float, typer.Option(
        parser=_within("azimuth_deg"), help="Azimuth of flight.")] = DEFAULT_AZIMUTH_DEG,
    missile: Annotated[str | None, typer.Option(help="Catalog slug (see `thaadsim catalog`).")
                       ] = None,
    range_km: Annotated[float | None, typer.Option(
        parser=_within("range_km"),
        help="Ground range to fly, km (due south from Pyongyang).")] = None,
    from_: Annotated[str | None, typer.Option("--from", help="Launch point LAT,LON.")] = None,
    to: Annotated[str | None, typer.Option(help="Aim point LAT,LON.")] = None,
    shape: Annotated[str, typer.Option(help="min-energy, lofted or depressed.")] = "min-energy",
    apogee_km: Annotated[float | None, typer.Option(
        parser=_within("apogee_km"), help="Apogee for lofted/depressed, km.")] = None,
    band_km: Annotated[str, typer.Option(help="Intercept band LO,HI in km.")] = "40,150",
    plot: Annotated[str | None, typer.Option(help="Write altitude vs range to this PNG.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Fly a threat: range, apogee, flight time and time in the intercept band.

    Either a burnout state (--speed-kms and --gamma-deg; times and range from
    burnout) or a catalog missile (--missile with --range-km, fired due south from
    Pyongyang, or with --from and --to). With neither, the default threat: a Scud-C
    from Pyongyang at the Seongju THAAD site.
    """
    from thaadsim.commands import fly_command_data, fly_title

    band = _band(band_km)
    if plot is not None:
        _check_output(plot, ".png", "--plot")
    if missile is None and speed_kms is None and gamma_deg is None:
        missile, from_, to = DEFAULT_THREAT
        if not as_json:
            console.print(f"No threat given: flying the default, a {missile} from Pyongyang "
                          "at the Seongju THAAD site (see --help).")
    with _working("Flying" if missile is None else f"Aiming and flying the {missile}"):
        data = fly_command_data(
            speed_kms=speed_kms, gamma_deg=gamma_deg, burnout_alt_km=burnout_alt_km,
            beta_kgm2=beta_kgm2, vacuum=vacuum, non_rotating=non_rotating, earth=earth,
            lat_deg=lat_deg, lon_deg=lon_deg, azimuth_deg=azimuth_deg, missile=missile,
            range_km=range_km, from_=from_, to=to, shape=shape, apogee_km=apogee_km,
            band_km=band, plot_path=plot)
    _emit(data, as_json, fly_title(data))

@app.command()
def loft(
    missile: Annotated[str, typer.Option(help="Catalog slug.")],
    apogee_km: Annotated[float, typer.Option(
        parser=_within("apogee_km"), help="Reported apogee of the test, km.")],
    range_km: Annotated[float, typer.Option(
        parser=_within("range_km"), help="Reported ground range of the test, km.")],
    flight_time_s: Annotated[float | None, typer.Option(
        parser=_within("flight_time_s"),
        help="Reported flight time, s (compared with the model's).")] = None,
    non_rotating: Annotated[bool, typer.Option("--non-rotating",
                                               help="Standard range ignoring rotation.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """From a lofted test (apogee, range), infer the missile's standard-trajectory range."""
    from thaadsim.commands import loft_command_data

    with _working(f"Solving the {missile}'s test payload and flying it on a standard trajectory"):
        data = loft_command_data(missile, apogee_km, range_km, flight_time_s=flight_time_s,
                                 non_rotating=non_rotating)
    _emit(data, as_json, f"{missile}: lofted test -> standard trajectory")

@app.command()
def coverage(
    site: Annotated[str, typer.Option(help="Radar site (catalog slug, e.g. seongju).")
                    ] = "seongju",
    boresight_deg: Annotated[float | None, typer.Option(
        parser=_within("boresight_deg"),
        help="Azimuth the face points to, deg from north [0, 360); the site's own if left out."
    )] = None,
    mode: Annotated[str, typer.Option(help="terminal or forward-based.")] = "terminal",
    rcs_m2: Annotated[float, typer.Option(
        parser=_within("rcs_m2"), help="Target radar cross-section, m^2.")] = 0.01,
    alt_km: Annotated[float, typer.Option(
        parser=_within("target_alt_km"), help="Target altitude, km.")] = 100.0,
    dwell: Annotated[str, typer.Option(
        help="track: a dedicated 100 ms dwell (public estimates' convention); search: one "
             "beam of the mode's search fence.")] = "track",
    no_refraction: Annotated[bool, typer.Option(
        "--no-refraction", help="Geometric line of sight instead of the 4/3 Earth.")] = False,
    map_: Annotated[str | None, typer.Option("--map", help="Write a coverage map to this PNG.")
                    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Where the radar would detect a target of a given size at a given altitude.

    The covered ground area is bounded by the face's scan sector, the refracted radar
    horizon, the mode's instrumented range and the radar equation; the table lists how
    much of each country lies under it (Natural Earth 1:110m borders).
    """
    from thaadsim.commands import coverage_command_data, coverage_title

    if map_ is not None:
        _check_output(map_, ".png", "--map")
    data = coverage_command_data(site, boresight_deg=boresight_deg, mode=mode, rcs_m2=rcs_m2,
                                 alt_km=alt_km, dwell=dwell, no_refraction=no_refraction,
                                 map_path=map_)
    title = coverage_title(data)
    if as_json:
        _emit(data, True, title)
        return
    _emit({k: v for k, v in data.items() if k != "countries"}, False, title)
    table = Table(title="Territory under the coverage", show_header=True)
    for col in ("country", "covered km2", "country km2", "share"):
        table.add_column(col, justify="left" if col == "country" else "right")
    for c in data["countries"]:
        table.add_row(c["country"], f"{c['covered_km2']:,.0f}", f"{c['country_km2']:,.0f}",
                      f"{100 * c['share']:.1f}%")
    console.print(table)


SensorOpt = Annotated[list[str] | None, typer.Option(
    "--sensor", metavar="SITE:MODE[:BORESIGHT_DEG]",
    help="Add a sensor to the defense (repeatable): the catalog's AN/TPY-2 in MODE "
         "(terminal or forward-based) at SITE (sites.yaml), facing BORESIGHT_DEG (default: "
         "toward the launch point). The batteries fire on its tracks after the network "
         "latency (network.yaml). The JSON's `sensors` list gives each sensor's median "
         "first detection and firm track over the trials (null: never).")]


@app.command()
def detect(
    missile: Annotated[str, typer.Option(help="Catalog slug (see `thaadsim catalog`).")
                       ] = "scud-c",
    from_: Annotated[str, typer.Option("--from", help="Launch point LAT,LON or a site slug.")
                     ] = "pyongyang",
    to: Annotated[str, typer.Option(help="Aim point LAT,LON or a site slug.")] = "seongju",
    shape: Annotated[str, typer.Option(help="min-energy, lofted or depressed.")] = "min-energy",
    apogee_km: Annotated[float | None, typer.Option(
        parser=_within("apogee_km"), help="Apogee for lofted/depressed, km.")] = None,
    radar_site: Annotated[str, typer.Option(help="Radar site (catalog slug).")] = "seongju",
    mode: Annotated[str, typer.Option(help="terminal or forward-based.")] = "terminal",
    boresight_deg: Annotated[float | None, typer.Option(
        parser=_within("boresight_deg"),
        help="Azimuth the face points to, deg [0, 360); the site's own if left out.")] = None,
    rcs_m2: Annotated[float, typer.Option(
        parser=_within("rcs_m2"),
        help="Radar cross-section of the threat, m^2 (0.1: a short-range missile's body or a "
             "warhead seen from the side; 0.01: a warhead nose-on).")] = 0.1,
    trials: Annotated[int, typer.Option(
        parser=_within("trials"), help="Monte Carlo trials (random detections, noise "
             "and search phase); medians are reported.")] = 1,
    seed: Annotated[int, typer.Option(help="Seed of the random draws.",
                                      parser=_within("seed"))] = 0,
    sensor: SensorOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """When the radar first detects a threat, confirms it, holds a firm track, and how
    well it then predicts the impact point (the fire-control cue); `--sensor` adds other
    sensors tracking the same threat (the JSON's `sensors` list)."""
    from thaadsim.commands import detect_command_data, detect_title

    with _working(f"Flying the {missile} and tracking it"):
        data = detect_command_data(missile, from_, to, shape=shape, apogee_km=apogee_km,
                                   radar_site=radar_site, mode=mode,
                                   boresight_deg=boresight_deg, rcs_m2=rcs_m2, trials=trials,
                                   seed=seed, sensors=sensor)
    _emit(data, as_json, detect_title(missile, from_, to, radar_site, mode))


@app.command()
def engage(
    missile: Annotated[str, typer.Option(help="Catalog slug.")] = "scud-c",
    from_: Annotated[str, typer.Option("--from", help="Launch point LAT,LON or a site slug.")
                     ] = "pyongyang",
    to: Annotated[str, typer.Option(help="Aim point (the defended asset), LAT,LON or a site.")
                  ] = "seongju",
    shape: Annotated[str, typer.Option(help="min-energy, lofted or depressed.")] = "min-energy",
    apogee_km: Annotated[float | None, typer.Option(
        parser=_within("apogee_km"), help="Apogee for lofted/depressed, km.")] = None,
    battery_site: Annotated[str, typer.Option(help="Site of the THAAD battery.")] = "seongju",
    doctrine: Annotated[str, typer.Option(help="shoot-look-shoot, salvo-1, salvo-2, salvo-3 "
                                               "or shoot-shoot-look-shoot.")
                        ] = "shoot-look-shoot",
    layered: Annotated[bool, typer.Option("--layered", help="Add a PAC-3 MSE battery at the "
                                                             "aim point (lower tier).")] = False,
    rcs_m2: Annotated[float, typer.Option(
        parser=_within("rcs_m2"), help="Radar cross-section of the threat, m^2.")] = 0.1,
    trials: Annotated[int, typer.Option(
        parser=_within("trials"), help="Monte Carlo trials.")] = 200,
    seed: Annotated[int, typer.Option(help="Seed of the random draws.",
                                      parser=_within("seed"))] = 0,
    sensor: SensorOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """One threat against the battery: can it be engaged, when, how high, and how likely is
    it stopped (over Monte Carlo trials of detection, tracking and kills)."""
    from thaadsim.commands import engage_command_data

    with _working(f"Flying the {missile}, tracking it and planning the engagement"):
        data = engage_command_data(missile, from_, to, shape=shape, apogee_km=apogee_km,
                                   battery_site=battery_site, doctrine=doctrine,
                                   layered=layered, rcs_m2=rcs_m2, trials=trials, seed=seed,
                                   sensors=sensor)
    _emit(data, as_json, f"{missile} from {from_} at {to} against "
                         f"{', '.join(data['batteries'])}")

@app.command()
def raid(
    missile: Annotated[str, typer.Option(help="Catalog slug.")] = "scud-c",
    count: Annotated[int, typer.Option(
        parser=_within("count"), help="Missiles in the salvo.")] = 10,
    from_: Annotated[str, typer.Option("--from", help="Launch point LAT,LON or a site slug.")
                     ] = "pyongyang",
    to: Annotated[str, typer.Option(help="Aim point (the defended asset), LAT,LON or a site.")
                  ] = "seongju",
    interval_s: Annotated[float, typer.Option(
        parser=_within("interval_s"), help="Time between launches, s.")] = 0.0,
    shape: Annotated[str, typer.Option(help="min-energy, lofted or depressed.")] = "min-energy",
    battery_site: Annotated[str, typer.Option(help="Site of the THAAD battery.")] = "seongju",
    inventory: Annotated[int | None, typer.Option(
        parser=_within("inventory"), help="Interceptors available (default: "
             "the battery's 48).")] = None,
    doctrine: Annotated[str, typer.Option(help="shoot-look-shoot, salvo-1, salvo-2, salvo-3 "
                                               "or shoot-shoot-look-shoot.")] = "salvo-2",
    sspk: Annotated[float | None, typer.Option(
        parser=_within("probability"), help="Single-shot kill probability (default: "
             "the catalog's).")] = None,
    layered: Annotated[bool, typer.Option("--layered", help="Add a PAC-3 MSE battery at the "
                                                             "aim point.")] = False,
    trials: Annotated[int, typer.Option(
        parser=_within("trials"), help="Monte Carlo trials.")] = 500,
    seed: Annotated[int, typer.Option(help="Seed of the random draws.",
                                      parser=_within("seed"))] = 0,
    pool: Annotated[int, typer.Option(parser=_within("pool"),
                                      help="Tracking outcomes simulated per distinct threat "
                                           "and resampled by the trials (runner).")] = 200,
    executor: ExecutorOpt = None,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    chunks_dir: ChunksDirOpt = None,
    resume: ResumeOpt = None,
    chunk_size: ChunkSizeOpt = None,
    sensor: SensorOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """A salvo of COUNT missiles at one battery: leakage by Monte Carlo beside the binomial
    model (Wilkening 2000).

    With any Runner option it runs on the chunked Monte Carlo runner
    (thaadsim.studies.montecarlo): a pool of tracking outcomes per threat resampled by fast
    fire-control trials, tens of thousands of trials per second, resumable."""
    from thaadsim.commands import raid_command_data

    runner = _runner(executor, workers, scheduler, chunks_dir, resume, chunk_size)
    with _working_unless_runner(runner, f"Flying {count} x {missile} and running {trials} "
                                        "trials"):
        data = raid_command_data(missile, count, from_, to, interval_s=interval_s,
                                 shape=shape, battery_site=battery_site, inventory=inventory,
                                 doctrine=doctrine, sspk=sspk, layered=layered, trials=trials,
                                 seed=seed, pool=pool, runner=runner, progress=not as_json,
                                 sensors=sensor)
    _emit(data, as_json, f"{count} x {missile} from {from_} at {to}, {doctrine}")

scenarios_app = typer.Typer(help="The built-in scenarios: list them, print one to copy and edit.",
                            invoke_without_command=True, no_args_is_help=False)
app.add_typer(scenarios_app, name="scenarios")


@scenarios_app.callback()
def scenarios(ctx: typer.Context) -> None:
    """List the built-in scenarios (`thaadsim scenarios show NAME` prints one)."""
    if ctx.invoked_subcommand is not None:
        return
    from thaadsim.scenario import list_scenarios

    table = Table(title="Built-in scenarios (thaadsim run NAME)", show_header=True)
    table.add_column("name")
    table.add_column("description")
    for name, description in list_scenarios():
        table.add_row(name, description)
    console.print(table)


@scenarios_app.command("show")
def scenarios_show(name: Annotated[str, typer.Argument(help="A built-in scenario.")]) -> None:
    """Print a built-in scenario's YAML (redirect it to a file to make your own)."""
    from thaadsim.scenario import scenario_text

    typer.echo(scenario_text(name), nl=False)


@app.command()
def run(
    scenario: Annotated[str, typer.Argument(help="A built-in scenario or a YAML file.")
                        ] = "korea-2017",
    output: Annotated[str | None, typer.Option("-o", "--output", help="Folder to write "
                                               "(default: NAME-report in the working "
                                               "directory, NAME the scenario's name in "
                                               "a-z, 0-9 and -).")] = None,
    trials: Annotated[int | None, typer.Option(
        parser=_within("trials"), help="Monte Carlo trials (default: the "
             "scenario's).")] = None,
    seed: Annotated[int | None, typer.Option(parser=_within("seed"),
                                             help="Seed (default: the scenario's).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing output folder "
                                                     "that thaadsim wrote.")
                     ] = False,
    pool: Annotated[int | None, typer.Option(
        parser=_within("pool"), help="Tracking outcomes simulated per distinct threat "
        "and resampled by the trials (the runner's sampling; default 200 with a Runner "
        "option); 0 or none: the radar and tracker in every trial.")] = None,
    executor: ExecutorOpt = None,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    chunks_dir: ChunksDirOpt = None,
    resume: ResumeOpt = None,
    chunk_size: ChunkSizeOpt = None,
    sensor: SensorOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as one JSON "
                                                         "object.")] = False,
) -> None:
    """Run a scenario and write its report: report.html (claims check, outcomes, figures,
    map, timeline, 3D view), results/ (Parquet tables, summary.json), scenario.czml and
    scenario.kml.

    With --pool or any Runner option it runs on the chunked Monte Carlo runner
    (thaadsim.studies.montecarlo): a pool of tracking outcomes per threat resampled by fast
    fire-control trials, in-process, in local processes or on Dask, each chunk written to
    Parquet (--chunks-dir) and resumable (--resume)."""

    from thaadsim.commands import outcomes_by_group, run_command_data

    runner = _runner(executor, workers, scheduler, chunks_dir, resume, chunk_size)
    done = run_command_data(scenario, output=output, trials=trials, seed=seed, force=force,
                            pool=pool, runner=runner, progress=not as_json,
                            stage=progress.status, sensors=sensor)
    summary, out = done.data, done.out
    folder = done.folder
    if as_json:
        typer.echo(json.dumps(json_safe(summary), allow_nan=False))
        return
    pooled = (f", tracking pool {out.pool_size}, chunks of {out.chunk_trials}"
              if out.pool_size else "")
    table = Table(title=f"{out.name}: {out.trials} trials, seed {out.seed}{pooled}",
                  show_header=True)
    for col in ("group", "missile", "threats", "intercepted", "leaked", "not engaged",
                "most common reason"):
        table.add_column(col, justify="left" if col in ("group", "missile",
                                                        "most common reason") else "right")
    for r in outcomes_by_group(out):
        table.add_row(r["group"], r["missile"], str(r["threats"]),
                      f"{100 * r['intercepted']:.0f}%", f"{100 * r['leaked']:.0f}%",
                      f"{100 * r['not_engaged']:.0f}%", r["reason"])
    console.print(table)
    console.print(f"P(no leak) {summary['p_no_leak']:.3f}; expected leakers "
                  f"{summary['expected_leakers']:.2f}; interceptors used per trial "
                  f"{summary['interceptors_used']:.1f}")
    console.print(f"Report: {Path(folder) / 'report.html'} (open it in a browser); tables in "
                  f"{Path(folder) / 'results'}")


def _print_json_or_table(data: dict[str, Any], as_json: bool, title: str,
                         keys: tuple[str, ...]) -> None:
    """One JSON object, or a table of the headline ``keys``."""
    if as_json:
        typer.echo(json.dumps(json_safe(data), allow_nan=False))
        return
    _emit({k: (", ".join(map(str, data[k])) if isinstance(data.get(k), list) else data.get(k))
           for k in keys if k in data}, False, title)


@app.command()
def footprint(
    battery_site: Annotated[str, typer.Option(help="Battery (slug) or site of a THAAD "
                                                   "battery.")] = "seongju",
    missile: Annotated[str, typer.Option(help="Catalog slug of the threat.")] = "scud-c",
    launch: Annotated[str, typer.Option(help="Launch point LAT,LON or a site slug.")
                      ] = "pyongyang",
    shape: Annotated[str, typer.Option(help="min-energy, lofted or depressed.")] = "min-energy",
    apogee_km: Annotated[float | None, typer.Option(
        parser=_within("apogee_km"), help="Apogee for lofted/depressed, km.")] = None,
    grid_km: Annotated[float, typer.Option(
        parser=_within("grid_km"), help="Grid spacing, km.")] = 10.0,
    extent_km: Annotated[float | None, typer.Option(
        parser=_within("extent_km"), help="Half-width of the grid, km (default:"
             " the reach plus 150 km).")] = None,
    min_shots: Annotated[int, typer.Option(
        parser=_within("min_shots"), help="Shot opportunities required: 1 or 2.")] = 1,
    radar_mode: Annotated[str, typer.Option(help="terminal or forward-based.")] = "terminal",
    map_: Annotated[str | None, typer.Option("--map", help="Write the footprint map (PNG).")
                    ] = None,
    netcdf: Annotated[str | None, typer.Option(help="Write the grid as netCDF (xarray).")
                      ] = None,
    executor: ExecutorOpt = None,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    chunks_dir: ChunksDirOpt = None,
    resume: ResumeOpt = None,
    chunk_size: ChunkSizeOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """The defended footprint: the aim points whose incoming threat the battery can intercept
    (trajectories, track time, interceptor reach and band, for every grid point).

    With any Runner option the grid's cells are evaluated in chunks (default 2,500 cells)
    on the chunked runner (thaadsim.studies.montecarlo): in this process, local processes or
    Dask, each chunk written to Parquet, resumable; the footprint is the same."""
    from thaadsim.commands import footprint_command_data

    if map_ is not None:
        _check_output(map_, ".png", "--map")
    if netcdf is not None:
        _check_output(netcdf, ".nc", "--netcdf")
    check_apogee(shape, apogee_km)
    lat, lon = place(launch, "--launch")
    runner = _runner(executor, workers, scheduler, chunks_dir, resume, chunk_size)
    with _working_unless_runner(runner, f"Aiming and flying the {missile} at every grid point"):
        data = footprint_command_data(battery_site, missile, lat, lon, shape=shape,
                                      apogee_km=apogee_km, grid_km=grid_km, extent_km=extent_km,
                                      min_shots=min_shots, radar_mode=radar_mode,
                                      map_path=map_, netcdf_path=netcdf,
                                      runner=runner if runner.chosen else None,
                                      progress=not as_json)
    _print_json_or_table(data, as_json, f"Defended footprint of {battery_site} against "
                         f"{missile} from {launch}",
                         ("area_km2", "territory_summary", "defended_sites", "defended_cells",
                          "reachable_cells", "max_shots", "firm_track_s_median", "map",
                          "netcdf"))


@app.command("raid-curve")
def raid_curve(
    missile: Annotated[str, typer.Option(help="Catalog slug.")] = "scud-c",
    from_: Annotated[str, typer.Option("--from", help="Launch point LAT,LON or a site slug.")
                     ] = "pyongyang",
    to: Annotated[str, typer.Option(help="Aim point LAT,LON or a site slug.")] = "seongju",
    max_count: Annotated[int, typer.Option(
        parser=_within("max_count"), help="Largest raid size.")] = 48,
    battery_site: Annotated[str, typer.Option(help="Site of the THAAD battery.")] = "seongju",
    inventory: Annotated[int | None, typer.Option(
        parser=_within("inventory"), help="Interceptors available.")] = None,
    fire_channels: Annotated[int | None, typer.Option(
        parser=_within("fire_channels"), help="Interceptors guided at once.")
                             ] = None,
    doctrine: Annotated[str, typer.Option(help="shoot-look-shoot, salvo-1, salvo-2, salvo-3 "
                                               "or shoot-shoot-look-shoot.")
                        ] = "shoot-look-shoot",
    sspk: Annotated[float | None, typer.Option(
        parser=_within("probability"), help="Single-shot kill probability.")] = None,
    perfect_tracking: Annotated[bool, typer.Option("--perfect-tracking", help="The binomial "
                                                   "model's tracking (for comparison).")
                                ] = False,
    trials: Annotated[int, typer.Option(
        parser=_within("trials"), help="Monte Carlo trials per raid size.")] = 100,
    seed: Annotated[int, typer.Option(help="Seed.", parser=_within("seed"))] = 0,
    pool: Annotated[int, typer.Option(parser=_within("pool"),
                                      help="Tracking outcomes simulated per distinct threat "
                                           "and resampled by the trials (the Monte Carlo "
                                           "runner's sampling); 0: run the radar and tracker "
                                           "in every trial.")] = 200,
    csv: Annotated[str | None, typer.Option(help="Write the curve as CSV.")] = None,
    plot: Annotated[str | None, typer.Option(help="Write the curve as PNG.")] = None,
    executor: ExecutorOpt = None,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    chunks_dir: ChunksDirOpt = None,
    resume: ResumeOpt = None,
    chunk_size: ChunkSizeOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """P(no leak) and expected leakers against raid size: Monte Carlo beside the binomial
    model with the battery's magazine, and the raid size that saturates the defense.

    With a pool, every raid size runs on the chunked Monte Carlo runner; the Runner options
    say where (each raid size N in the folder count-NNN of --chunks-dir, resumable with
    --resume)."""
    from thaadsim.commands import raid_curve_command_data

    if plot is not None:
        _check_output(plot, ".png", "--plot")
    if csv is not None:
        _check_output(csv, ".csv", "--csv")
    runner = _runner(executor, workers, scheduler, chunks_dir, resume, chunk_size)
    with _working_unless_runner(runner, f"Running raids of up to {max_count} x {missile}"):
        data = raid_curve_command_data(
            missile, from_, to, max_count, battery_site=battery_site, inventory=inventory,
            fire_channels=fire_channels, doctrine=doctrine, sspk=sspk,
            perfect_tracking=perfect_tracking, trials=trials, seed=seed, csv_path=csv,
            plot_path=plot, pool=pool, runner=runner, progress=runner.chosen and not as_json)
    if as_json:
        typer.echo(json.dumps(json_safe(data), allow_nan=False))
        return
    table = Table(title=f"{missile} raids on {to}, {doctrine}, inventory "
                        f"{data['inventory']}, {data['fire_channels']} fire channels")
    for col in ("raid size", "P(no leak)", "95% interval", "binomial", "leakers",
                "interceptors"):
        table.add_column(col, justify="right")
    for row in data["curve"]:
        table.add_row(str(row["count"]), f"{row['p_no_leak']:.3f}",
                      f"{row['p_no_leak_ci_low']:.2f}-{row['p_no_leak_ci_high']:.2f}",
                      f"{row['analytic_p_no_leak']:.3f}", f"{row['expected_leakers']:.2f}",
                      f"{row['interceptors_used']:.1f}")
    console.print(table)
    def size(n: int | None) -> str:
        return f"{n} missiles" if n is not None else f"no raid size up to {max_count}"

    console.print(f"Saturated (P(no leak) < 0.5) from {size(data['saturation_count'])} "
                  f"(binomial model: {size(data['analytic_saturation_count'])}).")


@app.command()
def sensitivity(
    scenario: Annotated[str, typer.Argument(help="A built-in scenario or a YAML file.")
                        ] = "saturation",
    output: Annotated[str, typer.Option(
        help="p_no_leak, expected_leakers, detection_range or footprint_area (km^2, the "
             "first battery's defended footprint against the first raid group, 25 km grid)."
    )] = "p_no_leak",
    samples: Annotated[int, typer.Option(
        parser=_within("samples"), help="Saltelli base samples, a power of two "
             "(runs = N (D + 2)).")] = 16,
    params: Annotated[str | None, typer.Option(help="Comma-separated parameters (default: "
                                                    "all that affect the output).")] = None,
    trials: Annotated[int, typer.Option(
        parser=_within("trials"), help="Monte Carlo trials per run.")] = 50,
    seed: Annotated[int, typer.Option(help="Seed.", parser=_within("seed"))] = 0,
    plot: Annotated[str | None, typer.Option(help="Write the indices as a bar chart (PNG).")
                    ] = None,
    executor: ExecutorOpt = None,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    chunks_dir: ChunksDirOpt = None,
    resume: ResumeOpt = None,
    chunk_size: ChunkSizeOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Sobol indices: which uncertain public number a result hangs on (SALib).

    With any Runner option the model runs go in chunks (default 256 runs) through the
    chunked runner (thaadsim.studies.montecarlo): in this process, local processes or Dask,
    each chunk written to Parquet, resumable; the indices are the same."""
    from thaadsim.commands import sensitivity_command_data

    if plot is not None:
        _check_output(plot, ".png", "--plot")
    names = [p.strip() for p in params.split(",")] if params else None
    runner = _runner(executor, workers, scheduler, chunks_dir, resume, chunk_size)
    with _working_unless_runner(runner, f"Sobol analysis of {output} over {scenario}"):
        data = sensitivity_command_data(scenario, output, samples=samples, seed=seed,
                                        params=names, trials=trials, plot_path=plot,
                                        runner=runner if runner.chosen else None,
                                        progress=not as_json)
    if as_json:
        typer.echo(json.dumps(json_safe(data), allow_nan=False))
        return
    table = Table(title=f"Sobol indices of {output} ({data['runs']} runs)")
    for col in ("parameter", "range", "S1", "ST"):
        table.add_column(col, justify="left" if col in ("parameter", "range") else "right")
    for p in data["parameters"]:
        table.add_row(p["name"], f"{p['low']:g}-{p['high']:g} {p['unit']}",
                      f"{p['S1']:.2f} ± {p['S1_conf']:.2f}", f"{p['ST']:.2f} ± {p['ST_conf']:.2f}")
    console.print(table)


@app.command()
def surveil(
    missile: Annotated[str, typer.Option(help="Catalog slug (e.g. df-41, df-5b, df-31ag).")
                       ] = "df-41",
    from_: Annotated[list[str] | None, typer.Option(
        "--from", help="Launch point LAT,LON or a site slug (repeatable: a batch).")] = None,
    to: Annotated[list[str] | None, typer.Option(
        help="Target LAT,LON or a site slug (repeatable: a batch).")] = None,
    from_all: Annotated[bool, typer.Option(
        "--from-all", help="Every launch area of China in the catalog.")] = False,
    to_all: Annotated[bool, typer.Option(
        "--to-all", help="Every U.S. target in the catalog.")] = False,
    sensor: Annotated[list[str] | None, typer.Option(
        "--sensor", metavar="SITE:MODE[:BORESIGHT_DEG]",
        help="A sensor (repeatable): the catalog's AN/TPY-2 in MODE at SITE, facing "
             "BORESIGHT_DEG (default: the site's catalog boresight). Default: Shariki and "
             "Kyogamisaki forward-based, Seongju terminal and forward-based.")] = None,
    rcs_m2: Annotated[float | None, typer.Option(
        parser=_within("rcs_m2"), help="The warhead's radar cross-section, m^2 (default "
             "0.01, an assumption: data/surveillance.yaml).")] = None,
    body_rcs_m2: Annotated[float | None, typer.Option(
        parser=_within("rcs_m2"), help="The body's (booster, spent stage and bus) radar "
             "cross-section, m^2 (default 1, an assumption).")] = None,
    shape: Annotated[str, typer.Option(help="min-energy, lofted or depressed.")] = "min-energy",
    apogee_km: Annotated[float | None, typer.Option(
        parser=_within("apogee_km"), help="Apogee for lofted/depressed, km.")] = None,
    seed: Annotated[int, typer.Option(help="Seed of the random draws.",
                                      parser=_within("seed"))] = 0,
    post_boost_s: Annotated[float | None, typer.Option(
        parser=_within("post_boost_s"), help="The post-boost (deployment) window after "
             "burnout, s (default: the missile's, an assumption: data/surveillance.yaml).")
    ] = None,
    sweep: Annotated[bool, typer.Option(
        "--sweep", help="One corridor: rerun with each assumption (each sensor's boresight, "
             "body and warhead RCS, post-boost window) at each end of its stated range, one "
             "at a time, and report the change per sensor.")] = False,
    plot: Annotated[str | None, typer.Option(
        help="Write the map (ground tracks, fans, tracked segments) to this PNG.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Which radar sees a missile on its way, when, for how long and how well: per sensor,
    the first detection (of the body and of the warhead after separation), the track
    window, the range and altitude at first detection, the firm track, the predicted-impact
    spread when the track ends, and whether the post-boost (deployment) phase was seen.
    Several --from/--to, --from-all or --to-all give the table of corridors."""
    from thaadsim.commands import surveil_command_data, surveil_title

    if plot is not None:
        _check_output(plot, ".png", "--plot")
    from thaadsim.studies.montecarlo import progress_bar

    bar: list[Any] = []

    @contextmanager
    def start(n: int) -> Iterator[None]:
        with progress_bar(True, n, "Corridors", unit="corridors") as step:
            bar.append(step)
            yield

    def advance(k: int) -> None:
        if bar:
            bar[0](k)

    with _working(f"Flying the {missile} past the sensors") if not (
            from_all or to_all or len(from_ or ()) > 1 or len(to or ()) > 1) else _quiet():
        data = surveil_command_data(missile, from_, to, sensors=sensor, rcs_m2=rcs_m2,
                                    body_rcs_m2=body_rcs_m2, seed=seed, from_all=from_all,
                                    to_all=to_all, shape=shape, apogee_km=apogee_km,
                                    post_boost_s=post_boost_s, sweep=sweep,
                                    plot_path=plot, on_corridor=advance, start=start)
    if as_json:
        typer.echo(json.dumps(json_safe(data), allow_nan=False))
        return
    title = surveil_title(missile, data.get("launches", [data.get("launch", "")]),
                          data.get("targets", [data.get("target", "")]))

    def num(x: Any, fmt: str = ",.0f") -> str:
        return "-" if x is None or (isinstance(x, float) and not math.isfinite(x)) else (
            format(x, fmt))

    cols = ("sensor", "first s", "km", "track s", "firm s", "sigma km", "PBV",
            "RV first s", "RV track s")

    def row(p: dict[str, Any]) -> list[str]:
        return [p["sensor"], num(p["first_detection_s"]), num(p["first_detection_range_km"]),
                num(p["track_s"]), num(p["firm_track_s"]),
                num(p["impact_sigma_km"], ",.1f"), "seen" if p["saw_deployment"] else "-",
                num(p["warhead_first_detection_s"]), num(p["warhead_track_s"])]

    if "corridors" not in data:
        _emit({k: v for k, v in data.items() if k not in (
            "sensors", "rcs_provenance", "sweep", "sweep_assumptions")}, False, title)
        table = Table(title="Per sensor: the body (first detection, its range, track, firm "
                            "track, impact sigma at the track's end, post-boost seen) and the "
                            "warhead (RV) after separation; '-': never")
        for col in cols:
            table.add_column(col, justify="left" if col == "sensor" else "right",
                             no_wrap=col == "sensor")
        for p in data["sensors"]:
            table.add_row(*row(p))
        console.print(table)
        if "sweep" in data:
            console.print(_sweep_table(data["sweep"], num))
        return
    table = Table(title=f"{title}: {data['reachable']} of {len(data['corridors'])} "
                        "corridors in reach")
    for col in ("launch", "target", *cols):
        table.add_column(col, justify="left" if col in ("launch", "target", "sensor")
                         else "right")
    for c in data["corridors"]:
        if not c["reachable"]:
            table.add_row(c["launch"], c["target"], "unreachable", *[""] * (len(cols) - 1))
            continue
        for p in c["sensors"]:
            table.add_row(c["launch"], c["target"], *row(p))
    console.print(table)
    share = Table(title="Share of the reachable corridors")
    for col in ("sensor", "mode", "body tracked", "warhead tracked", "deployment seen",
                "no other site"):
        share.add_column(col, justify="left" if col in ("sensor", "mode") else "right")
    for s in data["by_sensor"]:
        share.add_row(s["sensor"], s["mode"], num(s["tracked_fraction"], ".0%"),
                      num(s["warhead_tracked_fraction"], ".0%"),
                      num(s["deployment_seen_fraction"], ".0%"),
                      num(s["only_this_site_fraction"], ".0%"))
    console.print(share)


def _sweep_table(rows: Sequence[dict[str, Any]], num: Callable[..., str]) -> Any:
    """``thaadsim surveil --sweep``'s table: per assumption, end and sensor, the value, the
    body's detection and track (its change from the baseline), the post-boost window seen,
    and the warhead's track."""
    table = Table(title="Each assumption at each end of its stated range, the others at "
                        "the baseline (same seed): the body's and the warhead's (RV) track, "
                        "s (change from the baseline); '-': never detected")
    for col in ("assumption: end value", "sensor", "track s", "PBV", "RV track s"):
        table.add_column(col, justify="left" if col in ("assumption: end value", "sensor")
                         else "right", no_wrap=col != "assumption: end value")

    def track(s: Any, d: Any, detected: bool) -> str:
        return f"{num(s)} ({num(d, '+,.0f')})" if detected else "-"

    for r in rows:
        table.add_row(f"{r['assumption']}: {r['end']} {num(r['value'], ',.4g')}", r["sensor"],
                      track(r["track_s"], r["d_track_s"], r["detected"]),
                      "seen" if r["saw_deployment"] else "-",
                      track(r["warhead_track_s"], r["d_warhead_track_s"],
                            r["warhead_detected"]))
    return table


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on (a warning unless it is "
                                           "loopback).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(parser=_within("port"), help="Port to listen on.")
                    ] = 8765,
    open_: Annotated[bool, typer.Option("--open", help="Open the app in the browser.")
                     ] = False,
    workers: Annotated[int, typer.Option(parser=_within("serve_workers"),
                                         help="Worker processes for the runs.")] = 2,
) -> None:
    """Start the web app: place batteries and sensors on a map, pick threats, run, read the
    outcomes and claims, export the scenario YAML (thaadsim.serve)."""
    from thaadsim.serve.server import serve as serve_app

    serve_app(host, port, open_browser=open_, workers=workers)


def _quiet() -> Any:
    from contextlib import nullcontext

    return nullcontext()


@app.command()
def validate(
    report: Annotated[str | None, typer.Option(help="Also write the table as an HTML page.")
                      ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Run the model against every published figure the project knows (closed forms, test
    flights, standard-range estimates, radar ranges, battery statements; the cases are data,
    thaadsim/data/validation.yaml) and print case, source, published, model, difference,
    tolerance and pass or fail. Known failures are shown as failing."""
    from thaadsim.commands import validate_command_data

    if report is not None:
        _check_output(report, ".html", "--report")
    with _working("Running the validation cases"):
        data = validate_command_data(report_path=report)
    if as_json:
        typer.echo(json.dumps(json_safe(data), allow_nan=False))
        return
    table = Table(title=f"Validation: {data['passed']} passed, {data['failed']} failed, "
                        f"{data['expected_failures']} known failures")
    for col in ("case", "source", "published", "model", "difference", "tolerance", "result"):
        table.add_column(col, justify="right" if col in ("published", "model", "difference")
                         else "left", overflow="fold")

    def num(x: Any) -> str:
        return "-" if x is None else f"{x:,.4g}"

    for c in data["cases"]:
        verdict = ("pass" if c["passed"] else
                   "known failure" if c["expected_fail"] else "FAIL")
        table.add_row(c["id"], str(c["source"])[:40], num(c["published"]), num(c["model"]),
                      num(c["difference"]), str(c["tolerance"])[:30], verdict)
    console.print(table)
    if report is not None:
        console.print(f"HTML table: {report}")


_LONG_WORD = re.compile(r"\S{61,}")


def _one_line(text: str) -> str:
    """Click's message on one line, no word of it over 60 characters (the option name or
    value a user typed, which Click repeats, is cut short)."""
    flat = " ".join(text.split())
    return _LONG_WORD.sub(lambda m: m.group()[:57] + "...", flat)


def usage_error_line(exc: click_errors.ClickException) -> str:
    """Click's usage error (unknown command or option, missing argument, a value that is not
    a number or outside its limits) as the one ``error:`` line thaadsim prints for every
    bad input, instead of Rich's boxed usage message."""
    ctx = getattr(exc, "ctx", None)
    where = f" (see: {ctx.command_path} --help)" if ctx is not None else ""
    if (isinstance(exc, click_errors.BadParameter) and exc.param is not None and exc.message
            and not isinstance(exc, click_errors.MissingParameter)):
        param = exc.param
        name = ("/".join(param.opts) if param.param_type_name == "option"
                else (param.name or "argument").upper())
        return f"error: {_one_line(name)}: {_one_line(exc.message)}"
    return f"error: {_one_line(exc.format_message())}{where}"


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point (the ``thaadsim`` script and ``python -m thaadsim``): run the app; bad
    input, thaadsim's or Click's, ends in one ``error:`` line and exit status 2, as does a
    run stopped part-way (:class:`~thaadsim.errors.RunFailed`); Ctrl-C ends in one
    ``error:`` line and exit status 130."""
    try:
        code = app(args=None if argv is None else list(argv), prog_name="thaadsim",
                   standalone_mode=False)
    except click_errors.NoArgsIsHelpError as exc:
        typer.echo(exc.ctx.get_help())
        code = exc.exit_code
    except click_errors.ClickException as exc:
        typer.echo(usage_error_line(exc), err=True)
        code = exc.exit_code
    except typer.Abort:
        typer.echo("error: aborted", err=True)
        code = 1
    except ThaadsimError as exc:
        typer.echo("error: " + " ".join(str(exc).splitlines()), err=True)
        code = 2
    except RunInterrupted as exc:  # Ctrl-C on the runner: what is kept, how to continue
        typer.echo("error: " + " ".join(str(exc).splitlines()), err=True)
        code = INTERRUPTED
    except OSError as exc:
        code = _output_failed(exc)
    else:
        if code == INTERRUPTED:  # Typer's answer to any other Ctrl-C (KeyboardInterrupt)
            typer.echo("error: " + interrupted_line(argv), err=True)
    sys.exit(code if isinstance(code, int) else 0)


INTERRUPTED = 130
"""The exit status after Ctrl-C: 128 + SIGINT, the shell's convention (Typer's too)."""


RUNNER_COMMANDS = ("run", "raid", "raid-curve", "footprint", "sensitivity")
"""The commands whose work can run on the chunked runner, kept and resumed (--chunks-dir)."""


def interrupted_line(argv: Sequence[str] | None) -> str:
    """What a Ctrl-C outside the runner's loop says: with a chunk folder (``--chunks-dir``,
    ``--resume``), that its finished chunks are kept and how to continue; else that nothing
    was kept, and for a command that can run on the runner, how to make it resumable."""
    import shlex

    args = list(sys.argv[1:] if argv is None else argv)
    folder = None
    for k, arg in enumerate(args):
        for option in ("--chunks-dir", "--resume"):
            if arg == option and k + 1 < len(args):
                folder = args[k + 1]
            elif arg.startswith(option + "="):
                folder = arg[len(option) + 1:]
    if folder is not None:
        shown = shlex.quote(folder) if folder.isprintable() else repr(folder)
        return (f"interrupted (Ctrl-C); the finished chunks are kept in {shown}; continue "
                f"with --resume {shown}")
    hint = (" (give --chunks-dir DIR to keep each finished chunk, and --resume DIR to "
            "continue a stopped run)" if args and args[0] in RUNNER_COMMANDS else "")
    return f"interrupted (Ctrl-C); nothing was kept{hint}"


def _output_failed(exc: OSError) -> int:
    """Standard output could not take what thaadsim printed (a reader that went away,
    ``thaadsim catalog | head -1``; a full disk, ``> /dev/full``): one line on standard
    error, unless the reader went away (Unix tools stop quietly then), and exit status 1,
    never a traceback. Standard output is then pointed at the null device, so that the
    interpreter's last flush at exit fails no more."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    except (OSError, ValueError):  # no standard output at all
        pass
    if not isinstance(exc, BrokenPipeError):
        why = exc.strerror or type(exc).__name__
        line = (f"error: {exc.filename!r}: {why}" if exc.filename else
                f"error: cannot write to standard output ({why})"
                if exc.errno in (errno.ENOSPC, errno.EIO, errno.EBADF, errno.EDQUOT)
                else f"error: {why}")
        try:
            typer.echo(line, err=True)
        except OSError:
            pass
    return 1
