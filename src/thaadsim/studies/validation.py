r"""Validation: the model against every published figure the project knows.

The cases live as data (``thaadsim/data/validation.yaml``), each with the published value,
its source and a tolerance that states how uncertain the published figure is. Each case
has a ``kind`` that says how the model value is computed:

``kepler``
    A vacuum ballistic arc over a non-rotating sphere flown by
    :func:`thaadsim.physics.propagate.propagate` (``earth='sphere'``, no drag) against the
    closed form (Bate, Mueller & White, *Fundamentals of Astrodynamics*, 1971, ch. 6):
    with :math:`Q = r v^2/\mu`, :math:`e^2 = 1 + Q(Q-2)\cos^2\gamma`,
    :math:`p = r Q \cos^2\gamma`, :math:`a = r/(2-Q)`, the impact true anomaly from
    :math:`\cos\nu_i = (p/r_i - 1)/e`, the range angle :math:`\Psi = \nu_i - \nu_{bo}`, the
    apogee :math:`a(1+e)` and the time of flight from Kepler's equation.
``radar_horizon``
    :func:`thaadsim.studies.coverage.horizon_ground_range_m` against the grazing ray over an
    effective Earth of radius :math:`a_e = kR` (Skolnik, *Introduction to Radar Systems*,
    3rd ed., sec. 8.2): a ray leaving a radar at height :math:`h_r` at elevation
    :math:`\epsilon` reaches height :math:`h_t` at the central angle
    :math:`\theta = \arccos\!\big(\tfrac{a_e + h_r}{a_e + h_t}\cos\epsilon\big) - \epsilon`,
    ground range :math:`a_e\theta`.
``binomial``
    :func:`thaadsim.engagement.simulate` with perfect tracking and a fixed SSPK against
    :math:`(1-(1-p)^k)^N` (Wilkening 2000); the tolerance is the binomial confidence
    interval of the Monte Carlo estimate.
``max_range``
    A catalog missile's minimum-energy range (:func:`thaadsim.systems.threat.max_range_m`).
``test_flight``
    A reported flight (range and apogee) flown by the catalog missile
    (:func:`thaadsim.systems.threat.fly_threat`); the model value is its flight time or
    the range it reached (NaN where the model refuses the flight).
``loft``
    A lofted test through :func:`thaadsim.systems.threat.analyse_loft`: the implied
    standard range or the modelled flight time.
``radar_range``
    :func:`thaadsim.systems.radar.detection_range_m` for the target the report is read for.
``first_detection``
    The detection chain itself (:func:`thaadsim.engagement.detect_trials`: the mode's
    search, face, horizon, instrumented range and range equation, the early-warning cue)
    against a catalog missile flown from ``launch`` to ``aim`` (site slugs or ``LAT,LON``)
    and seen by the ``radar`` mode at ``site`` (facing the launch point unless
    ``boresight_deg`` is given) with a target of ``rcs_m2``: the median over ``trials`` of
    the slant range at first detection (NaN: never detected). What a published statement
    of a mode's range means for a missile in flight, not the range equation alone.
``coverage_share``
    :func:`thaadsim.studies.coverage.radar_coverage` (track dwell: the face, horizon,
    instrumented range and range equation) of the ``radar`` mode at ``site`` facing
    ``boresight_deg`` (or toward ``toward``, a site slug or ``LAT,LON``) for a target of
    ``rcs_m2`` at ``target_alt_km``: the share (%) of ``country``'s area under the fan.
``interceptor_burnout``
    :func:`thaadsim.systems.interceptor.burnout_speed_mps` on the calibration fly-out.
``interceptor_reach``
    The greatest ground range at which the interceptor's reach table reaches an altitude
    (0 where the altitude is outside its envelope).
``interceptor_apogee``
    The highest apogee over vertical-to-40-degree fly-outs (what the booster can lift the
    kill vehicle to, above the published ceiling).

A case passes when the model value lies within the published interval (``low``..``high``,
or ``value``) widened by the tolerance (``abs`` in the figure's unit, or ``rel``). A case
whose model cannot reproduce the figure for a known reason carries ``expected_fail`` with
the reason; it is shown failing, never retuned away.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from thaadsim.cache import Cached, cached, per_version, store, version_key
from thaadsim.errors import CatalogError, ThaadsimError
from thaadsim.systems.catalog import _load_yaml

KINDS: dict[str, tuple[str, ...]] = {
    "kepler": ("alt_bo_km", "speed_mps", "gamma_deg", "quantity"),
    "radar_horizon": ("radar", "site", "target_alt_km"),
    "binomial": ("missile", "sspk", "shots", "threats", "trials", "seed"),
    "max_range": ("missile",),
    "test_flight": ("missile", "range_km", "apogee_km", "quantity"),
    "loft": ("missile", "range_km", "apogee_km", "quantity"),
    "radar_range": ("radar", "rcs_m2", "dwell"),
    "first_detection": ("missile", "launch", "aim", "radar", "site", "rcs_m2", "trials", "seed"),
    "coverage_share": ("radar", "site", "rcs_m2", "target_alt_km", "country"),
    "interceptor_burnout": ("interceptor",),
    "interceptor_reach": ("interceptor", "alt_km"),
    "interceptor_apogee": ("interceptor",),
}
"""Each kind and the inputs it needs."""

_QUANTITIES = {
    "kepler": ("range_km", "apogee_km", "flight_time_s"),
    "test_flight": ("flight_time_s", "range_km"),
    "loft": ("standard_range_km", "flight_time_s"),
}
_CLOSED_FORM = ("kepler", "radar_horizon", "binomial")
"""Kinds whose published value is a closed form computed here, not a number in the file."""


@dataclass(frozen=True, kw_only=True)
class CaseResult:
    """One case of the validation table."""

    id: str
    kind: str
    title: str
    source: str
    unit: str
    published: float
    published_low: float | None
    published_high: float | None
    model: float
    difference: float
    """Model minus published value."""
    tolerance: str
    lower: float
    """The model value passes within ``lower``..``upper``."""
    upper: float
    passed: bool
    expected_fail: bool
    note: str
    seconds: float


# --------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------


def _num(x: Any, where: str, *, allow_inf: bool = False) -> float:
    if isinstance(x, bool) or not isinstance(x, int | float):
        raise CatalogError(f"{where}: {x!r} is not a number")
    if not (math.isfinite(x) or (allow_inf and not math.isnan(x))):
        raise CatalogError(f"{where}: {x!r} is not finite")
    return float(x)


def _text(x: Any, where: str) -> str:
    if not isinstance(x, str) or not x.strip():
        raise CatalogError(f"{where}: missing or empty (a non-empty text is required)")
    return x


def _check_case(raw: Any, i: int, name: str, seen: set[str]) -> dict[str, Any]:
    if not isinstance(raw, Mapping):
        raise CatalogError(f"{name}: case #{i + 1}: expected a mapping, got {type(raw).__name__}")
    cid = raw.get("id")
    if not isinstance(cid, str) or not cid.strip():
        raise CatalogError(f"{name}: case #{i + 1}: id: missing or empty")
    where = f"{name}: case {cid!r}"
    if cid in seen:
        raise CatalogError(f"{where}: id: duplicate")
    seen.add(cid)
    known = {"id", "kind", "title", "inputs", "published", "tolerance", "expected_fail",
             "unit"}
    extra = set(raw) - known
    if extra:
        raise CatalogError(f"{where}: unknown field(s) {sorted(extra)}; allowed {sorted(known)}")
    kind = raw.get("kind")
    if kind not in KINDS:
        raise CatalogError(f"{where}: kind: {kind!r} is not one of {sorted(KINDS)}")
    _text(raw.get("title"), f"{where}: title")
    _text(raw.get("unit"), f"{where}: unit")
    inputs = raw.get("inputs")
    if not isinstance(inputs, Mapping):
        raise CatalogError(f"{where}: inputs: expected a mapping")
    for key in KINDS[kind]:
        if key not in inputs:
            raise CatalogError(f"{where}: inputs.{key}: missing (kind {kind!r} needs "
                               f"{', '.join(KINDS[kind])})")
    if kind == "coverage_share" and ("boresight_deg" in inputs) == ("toward" in inputs):
        raise CatalogError(f"{where}: inputs: give exactly one of boresight_deg or toward "
                           "(a site slug or LAT,LON the radar faces)")
    if kind in _QUANTITIES and inputs["quantity"] not in _QUANTITIES[kind]:
        raise CatalogError(f"{where}: inputs.quantity: {inputs['quantity']!r} is not one of "
                           f"{_QUANTITIES[kind]}")
    pub = raw.get("published")
    if not isinstance(pub, Mapping):
        raise CatalogError(f"{where}: published: expected a mapping with value and source")
    _text(pub.get("source"), f"{where}: published.source")
    if kind in _CLOSED_FORM:
        if "value" in pub:
            raise CatalogError(f"{where}: published.value: a {kind!r} case computes its "
                               "published value from the closed form; leave it out")
    else:
        if "value" not in pub:
            raise CatalogError(f"{where}: published.value: missing")
        v = _num(pub["value"], f"{where}: published.value")
        lo = _num(pub["low"], f"{where}: published.low", allow_inf=True) if "low" in pub else v
        hi = _num(pub["high"], f"{where}: published.high", allow_inf=True) if "high" in pub else v
        if not lo <= v <= hi:
            raise CatalogError(f"{where}: published.value {v} lies outside low..high {lo}..{hi}")
    tol = raw.get("tolerance")
    if not isinstance(tol, Mapping):
        raise CatalogError(f"{where}: tolerance: expected a mapping with abs or rel, and why")
    if kind == "binomial":
        if "sigmas" not in tol:
            raise CatalogError(f"{where}: tolerance.sigmas: missing (binomial cases)")
        _num(tol["sigmas"], f"{where}: tolerance.sigmas")
    elif ("abs" in tol) == ("rel" in tol):
        raise CatalogError(f"{where}: tolerance: give exactly one of abs or rel")
    for key in ("abs", "rel"):
        if key in tol and _num(tol[key], f"{where}: tolerance.{key}") < 0:
            raise CatalogError(f"{where}: tolerance.{key}: must not be negative")
    _text(tol.get("why"), f"{where}: tolerance.why")
    ef = raw.get("expected_fail", False)
    if ef is not False:
        _text(ef, f"{where}: expected_fail (the reason, as text)")
    return dict(raw)


def load_cases(path: str | Path | None = None) -> list[dict[str, Any]]:
    """The validation cases (the shipped ``validation.yaml`` by default), checked.

    Raises :class:`~thaadsim.errors.CatalogError` naming the file, the case and the field.
    """
    raw, name = _load_yaml("validation.yaml", path)
    if isinstance(raw, Mapping):
        raw = raw.get("cases")
    if not isinstance(raw, list) or not raw:
        raise CatalogError(f"{name}: expected a non-empty list of cases (or 'cases:' list)")
    seen: set[str] = set()
    return [_check_case(c, i, name, seen) for i, c in enumerate(raw)]


# --------------------------------------------------------------------------------------------
# Closed forms
# --------------------------------------------------------------------------------------------


def kepler_closed_form(r_bo_m: float, v_mps: float, gamma_deg: float, r_impact_m: float,
                       gm: float) -> dict[str, float]:
    """Range angle (rad), apogee radius (m) and time of flight (s) of a Keplerian free flight
    from burnout to the descending crossing of ``r_impact_m`` (module docstring; BMW ch. 6)."""
    g = math.radians(gamma_deg)
    q = r_bo_m * v_mps**2 / gm
    if q >= 2.0:
        raise ThaadsimError("kepler: the burnout speed is at or above escape speed")
    e_cos = q * math.cos(g) ** 2 - 1.0
    e_sin = q * math.sin(g) * math.cos(g)
    e = math.hypot(e_cos, e_sin)
    a = r_bo_m / (2.0 - q)
    p = r_bo_m * q * math.cos(g) ** 2
    nu_bo = math.atan2(e_sin, e_cos)
    nu_i = 2.0 * math.pi - math.acos(max(-1.0, min(1.0, (p / r_impact_m - 1.0) / e)))
    if nu_bo < 0:
        nu_bo += 2.0 * math.pi

    def mean_anomaly(nu: float) -> float:
        ecc = 2.0 * math.atan2(math.sqrt(1 - e) * math.sin(nu / 2),
                               math.sqrt(1 + e) * math.cos(nu / 2))
        return ecc - e * math.sin(ecc)

    m_bo, m_i = mean_anomaly(nu_bo), mean_anomaly(nu_i)
    if m_i < m_bo:
        m_i += 2.0 * math.pi
    return {"psi_rad": nu_i - nu_bo, "apogee_r_m": a * (1.0 + e),
            "tof_s": (m_i - m_bo) * math.sqrt(a**3 / gm)}


def horizon_closed_form_m(radar_alt_m: float, target_alt_m: float, min_elevation_deg: float,
                          effective_radius_m: float) -> float:
    """Ground range at which a ray at ``min_elevation_deg`` reaches ``target_alt_m`` over an
    effective Earth (module docstring); 0 where the target is below that ray everywhere."""
    ae, e = effective_radius_m, math.radians(min_elevation_deg)
    c = (ae + radar_alt_m) / (ae + target_alt_m) * math.cos(e)
    if c >= 1.0:
        return 0.0
    return max(0.0, ae * (math.acos(c) - e))


# --------------------------------------------------------------------------------------------
# Model values, per kind: (published value or None, model value, note)
# --------------------------------------------------------------------------------------------

_Out = tuple[float | None, float, str]


def _kepler(inp: Mapping[str, Any]) -> _Out:
    from thaadsim.physics.earth import SPHERE

    r0 = SPHERE.a_m + float(inp["alt_bo_km"]) * 1e3
    v, g = float(inp["speed_mps"]), math.radians(float(inp["gamma_deg"]))
    ref = kepler_closed_form(r0, v, float(inp["gamma_deg"]), SPHERE.a_m, SPHERE.gm_m3ps2)
    prop = _kepler_flight(r0, v * math.cos(g), v * math.sin(g))
    pos = prop[:3]
    psi = math.atan2(math.hypot(pos[1], pos[2]), pos[0])  # angle from the +x start point
    model = {"range_km": psi * SPHERE.a_m / 1e3, "apogee_km": prop[7] / 1e3,
             "flight_time_s": prop[6]}
    published = {"range_km": ref["psi_rad"] * SPHERE.a_m / 1e3,
                  "apogee_km": (ref["apogee_r_m"] - SPHERE.a_m) / 1e3,
                  "flight_time_s": ref["tof_s"]}
    q = str(inp["quantity"])
    return published[q], model[q], "propagate(earth='sphere', drag=False, rotating=False)"


@cache
def _kepler_flight(r0: float, vh: float, vr: float) -> tuple[float, ...]:
    from thaadsim.physics.propagate import propagate

    state = np.array([[r0, 0.0, 0.0, vr, 0.0, vh]])
    p = propagate(state, earth="sphere", drag=False, rotating=False, rtol=1e-11, atol=1e-6)
    return (*map(float, p.state[0]), float(p.t_s[0]), float(p.apogee_alt_m[0]))


def _radar_horizon(inp: Mapping[str, Any]) -> _Out:
    from thaadsim.physics.earth import SPHERE
    from thaadsim.studies.coverage import horizon_ground_range_m
    from thaadsim.systems.catalog import get_radar, get_site
    from thaadsim.systems.radar import STANDARD_REFRACTION_K, min_elevation_deg

    radar = get_radar(str(inp["radar"])).radar
    site = get_site(str(inp["site"]))
    emp = site.emplacement(float(inp.get("boresight_deg", 0.0)))
    alt = float(inp["target_alt_km"]) * 1e3
    model = horizon_ground_range_m(radar, emp, alt) / 1e3
    low = min_elevation_deg(radar, emp)  # the site's (Seongju: 5 deg), else the radar's
    ref = horizon_closed_form_m(emp.alt_m, alt, low, STANDARD_REFRACTION_K * SPHERE.a_m) / 1e3
    return ref, model, (f"k = 4/3, minimum elevation {low} deg, radar at "
                        f"{emp.alt_m:.0f} m; closed form on the 6,371 km sphere")


def _binomial(inp: Mapping[str, Any], sigmas: float) -> tuple[float, float, float, str]:
    import dataclasses

    from thaadsim.engagement import (
        DefendedAsset,
        Defense,
        RaidThreat,
        binomial_p_no_leak,
        simulate,
    )
    from thaadsim.physics.geodesy import geodesic_direct
    from thaadsim.systems.fire_control import get_battery

    battery = get_battery(str(inp.get("battery", "seongju")))
    battery = dataclasses.replace(battery, fire_channels=10_000)
    site = battery.site
    lat, lon, _ = geodesic_direct(site.lat_deg, site.lon_deg, 330.0,
                                  float(inp.get("launch_range_km", 350.0)) * 1e3)
    defense = Defense(batteries=(battery,), sensors=(),
                      assets=(DefendedAsset(name="asset", lat_deg=site.lat_deg,
                                            lon_deg=site.lon_deg, radius_m=20e3),),
                      doctrine=f"salvo-{int(inp['shots'])}", sspk=float(inp["sspk"]),
                      perfect_tracking=True)
    threat = RaidThreat(missile=_missile(str(inp["missile"])), launch_lat_deg=float(lat),
                        launch_lon_deg=float(lon), aim_lat_deg=site.lat_deg,
                        aim_lon_deg=site.lon_deg)
    n, trials = int(inp["threats"]), int(inp["trials"])
    res = simulate([threat] * n, defense, trials=trials, seed=int(inp["seed"]))
    expected = binomial_p_no_leak(float(inp["sspk"]), int(inp["shots"]), n)
    half = sigmas * math.sqrt(expected * (1.0 - expected) / trials)
    return expected, res.p_no_leak, half, (f"{trials} trials; {res.interceptors_used:.2f} "
                                           "interceptors per trial")


def _missile(slug: str) -> Any:
    from thaadsim.systems.catalog import get_missile

    return get_missile(slug)


@cache
def _max_range_km(slug: str) -> float:
    from thaadsim.systems.threat import max_range_m

    return max_range_m(_missile(slug)) / 1e3


_PYONGYANG = (39.039, 125.763)


@cache
def _test_flight(slug: str, range_km: float, apogee_km: float) -> tuple[float, float, str]:
    from thaadsim.errors import UnreachableError
    from thaadsim.systems.threat import aim_point_at_range, fly_threat

    m = _missile(slug)
    end = aim_point_at_range(*_PYONGYANG, 90.0, range_km * 1e3)
    try:
        me = fly_threat(m, *_PYONGYANG, *end)
        shape = "lofted" if apogee_km * 1e3 > me.apogee_alt_m else "depressed"
    except UnreachableError:
        shape = "lofted"
    try:
        t = fly_threat(m, *_PYONGYANG, *end, shape, apogee_km)
    except UnreachableError as exc:
        return math.nan, math.nan, f"refused: {exc}"
    return (t.flight_time_s, t.range_m / 1e3,
            f"{shape}, apogee {t.apogee_alt_m / 1e3:.0f} km, miss {t.miss_m:.0f} m")


@cache
def _loft(slug: str, range_km: float, apogee_km: float) -> tuple[float, float, str]:
    from thaadsim.systems.threat import analyse_loft

    a = analyse_loft(_missile(slug), apogee_km, range_km, rotating=False)
    return (a.standard_range_m / 1e3, a.flight_time_s,
            f"implied test payload {a.payload_kg:.0f} kg; no Earth rotation")


def _place(text: str) -> tuple[float, float]:
    """A catalog site's slug or ``LAT,LON``."""
    from thaadsim.systems.catalog import get_site

    if "," in text:
        lat, lon = (float(x) for x in text.split(","))
        return lat, lon
    site = get_site(text)
    return site.lat_deg, site.lon_deg


@cache
def _first_detection(missile: str, launch: str, aim: str, radar: str, site: str,
                     rcs_m2: float, trials: int, seed: int,
                     boresight_deg: float | None) -> tuple[float, str]:
    """Median slant range (km) at first detection, and a note (module docstring)."""
    from thaadsim.engagement import detect_trials
    from thaadsim.physics.geodesy import geodesic_inverse
    from thaadsim.systems.catalog import get_radar, get_site
    from thaadsim.systems.detection import truth_from_flight
    from thaadsim.systems.radar import look
    from thaadsim.systems.sensors import Sensor
    from thaadsim.systems.threat import fly_threat

    (lat0, lon0), (lat1, lon1) = _place(launch), _place(aim)
    st = get_site(site)
    if boresight_deg is None:
        boresight_deg = float(geodesic_inverse(st.lat_deg, st.lon_deg, lat0, lon0)[1]) % 360.0
    sensor = Sensor(name=site, radar=get_radar(radar).radar,
                    emplacement=st.emplacement(boresight_deg), site=site)
    m = _missile(missile)
    tf = fly_threat(m, lat0, lon0, lat1, lon1, record=True)
    truth = truth_from_flight(tf.flight, m.rocket.reentry_beta_kgm2)
    tl = detect_trials(truth, sensor, rcs_m2, trials, np.random.default_rng(seed))
    t_first = np.asarray(tl.first_detection_s, dtype=np.float64).ravel()
    seen = np.isfinite(t_first)
    note = (f"{missile} {tf.range_m / 1e3:,.0f} km, apogee {tf.apogee_alt_m / 1e3:,.0f} km; "
            f"boresight {boresight_deg:.0f} deg; detected in {int(seen.sum())}/{trials} trials")
    if not seen.any():
        return math.nan, note
    t_rec, x_rec = truth.t_s[0], truth.state[0]
    ok = np.isfinite(t_rec)
    t_med = float(np.median(t_first[seen]))
    pos = np.array([np.interp(t_med, t_rec[ok], x_rec[ok, k]) for k in range(3)])
    view = look(sensor.radar, sensor.emplacement, pos, np.zeros(3), rcs_m2)
    r_km = float(np.asarray(view.range_m).ravel()[0]) / 1e3
    return r_km, note + f"; first detection at t = {t_med:.0f} s"


@cache
def _coverage_share(radar: str, site: str, boresight_deg: float, rcs_m2: float, alt_km: float,
                    country: str) -> tuple[float, str]:
    """Share (%) of ``country`` under the fan (module docstring), and a note."""
    from thaadsim.studies.coverage import radar_coverage
    from thaadsim.systems.catalog import get_radar, get_site

    emp = get_site(site).emplacement(boresight_deg)
    cov = radar_coverage(get_radar(radar).radar, emp, rcs_m2, alt_km * 1e3, dwell="track",
                         azimuth_step_deg=1.0)
    share = next((c for c in cov.territory if c.name == country), None)
    pct = 0.0 if share is None else 100.0 * share.share
    return pct, (f"boresight {boresight_deg:.0f} deg, {rcs_m2:g} m2 at {alt_km:g} km; fan "
                 f"reaches {float(np.nanmax(cov.far_m)) / 1e3:,.0f} km")


def _boresight(inp: Mapping[str, Any]) -> float:
    """``boresight_deg``, or the bearing from ``site`` to ``toward``."""
    from thaadsim.physics.geodesy import geodesic_inverse
    from thaadsim.systems.catalog import get_site

    if inp.get("boresight_deg") is not None:
        return float(inp["boresight_deg"])
    st = get_site(str(inp["site"]))
    lat, lon = _place(str(inp["toward"]))
    return float(geodesic_inverse(st.lat_deg, st.lon_deg, lat, lon)[1]) % 360.0


def _interceptor(slug: str) -> Any:
    from thaadsim.systems.interceptor import get_interceptor

    return get_interceptor(slug)


def _model(kind: str, inp: Mapping[str, Any]) -> _Out:
    if kind == "kepler":
        return _kepler(inp)
    if kind == "radar_horizon":
        return _radar_horizon(inp)
    if kind == "max_range":
        return None, _max_range_km(str(inp["missile"])), "minimum-energy, non-rotating WGS84"
    if kind in ("test_flight", "loft"):
        fn = _test_flight if kind == "test_flight" else _loft
        first, second, note = fn(str(inp["missile"]), float(inp["range_km"]),
                                 float(inp["apogee_km"]))
        names = _QUANTITIES[kind]
        return None, first if inp["quantity"] == names[0] else second, note
    if kind == "radar_range":
        from thaadsim.systems.catalog import get_radar
        from thaadsim.systems.radar import detection_range_m

        radar = get_radar(str(inp["radar"])).radar
        r = float(detection_range_m(radar, float(inp["rcs_m2"]), str(inp["dwell"]))) / 1e3
        return None, r, f"{inp['rcs_m2']} m2, {inp['dwell']} dwell, range equation alone"
    if kind == "first_detection":
        b = inp.get("boresight_deg")
        r_km, note = _first_detection(
            str(inp["missile"]), str(inp["launch"]), str(inp["aim"]), str(inp["radar"]),
            str(inp["site"]), float(inp["rcs_m2"]), int(inp["trials"]), int(inp["seed"]),
            None if b is None else float(b))
        return None, r_km, note
    if kind == "coverage_share":
        pct, note = _coverage_share(str(inp["radar"]), str(inp["site"]), _boresight(inp),
                                    float(inp["rcs_m2"]), float(inp["target_alt_km"]),
                                    str(inp["country"]))
        return None, pct, note
    if kind == "interceptor_burnout":
        from thaadsim.systems.interceptor import burnout_speed_mps

        v = float(np.asarray(burnout_speed_mps(_interceptor(str(inp["interceptor"])))).ravel()[0])
        return None, v / 1e3, "calibration fly-out, drag, non-rotating WGS84"
    if kind == "interceptor_reach":
        from thaadsim.systems.interceptor import reach_table

        icpt = _interceptor(str(inp["interceptor"]))
        table = reach_table(icpt)
        alt = float(inp["alt_km"]) * 1e3
        note = (f"reach table over the catalog envelope {icpt.min_alt_m / 1e3:.0f}-"
                f"{icpt.max_alt_m / 1e3:.0f} km altitude, 0-{icpt.max_ground_range_m / 1e3:.0f}"
                " km ground range")
        if not table.alt_m[0] <= alt <= table.alt_m[-1]:
            return None, 0.0, note + "; outside the envelope"
        ok = table.reachable(table.ground_m, alt)
        return None, float(table.ground_m[ok].max() / 1e3) if ok.any() else 0.0, note
    if kind == "interceptor_apogee":
        from thaadsim.physics.rocket import fly_rocket

        icpt = _interceptor(str(inp["interceptor"]))
        f = fly_rocket(icpt.rocket, 36.0, 128.0, 0.0, 0.0, np.linspace(0.0, 40.0, 41),
                       rotating=False)
        apo = np.where(f.boost_failed, np.nan, f.coast.apogee_alt_m)
        return None, float(np.nanmax(apo) / 1e3), "fly-outs kicked 0-40 deg, drag, coast"
    raise CatalogError(f"validation: kind {kind!r} has no model")  # pragma: no cover


def _run_one(case: Mapping[str, Any]) -> CaseResult:
    kind, inp, pub, tol = case["kind"], case["inputs"], case["published"], case["tolerance"]
    t0 = time.perf_counter()
    note = ""
    if kind == "binomial":
        expected, model, half, note = _binomial(inp, float(tol["sigmas"]))
        value, low, high = expected, None, None
        lower, upper = expected - half, expected + half
        tol_text = f"±{half:.4f} ({tol['sigmas']} sigma): {tol['why']}"
    else:
        try:
            ref, model, note = _model(kind, inp)
        except ThaadsimError as exc:
            ref, model, note = None, math.nan, f"refused: {exc}"
        if ref is None:
            value = float(pub["value"])
            low = float(pub["low"]) if "low" in pub else None
            high = float(pub["high"]) if "high" in pub else None
        else:
            value, low, high = float(ref), None, None
        lo = value if low is None else low
        hi = value if high is None else high
        if "abs" in tol:
            d = float(tol["abs"])
            lower, upper = lo - d, hi + d
            tol_text = f"±{d:g} {case['unit']}: {tol['why']}"
        else:
            r = float(tol["rel"])
            lower, upper = lo - r * abs(lo), hi + r * abs(hi)
            tol_text = f"±{100 * r:g}%: {tol['why']}"
    passed = bool(math.isfinite(model) and lower <= model <= upper)
    ef = case.get("expected_fail", False)
    if ef:
        note = f"known limit: {ef}" + (f" ({note})" if note else "")
    return CaseResult(
        id=str(case["id"]), kind=kind, title=str(case["title"]), source=str(pub["source"]),
        unit=str(case["unit"]), published=value, published_low=low, published_high=high,
        model=float(model), difference=float(model - value), tolerance=tol_text,
        lower=float(lower), upper=float(upper), passed=passed, expected_fail=bool(ef),
        note=note, seconds=time.perf_counter() - t0)


def run_cases(cases: Sequence[Mapping[str, Any]] | None = None,
              progress: Callable[[CaseResult], None] | None = None) -> list[CaseResult]:
    """Run every case (the shipped file's by default) and return one result per case."""
    out = []
    for case in load_cases() if cases is None else cases:
        res = _run_one(case)
        if progress is not None:
            progress(res)
        out.append(res)
    return out


CACHE_NAME = "validation"
"""The shipped cases' results in thaadsim's cache (:mod:`thaadsim.cache`): the entry
:func:`cache_entry` names, one per version."""


def cache_entry() -> str:
    """The cache entry of this version's table: :data:`CACHE_NAME` and the start of the
    version key, so that two installed versions (two environments sharing a user's cache)
    each keep their own table instead of overwriting one entry in turn, which made every
    report of the one recompute the whole table after a run of the other
    (:func:`thaadsim.cache.per_version`)."""
    return per_version(CACHE_NAME)


def _as_results(value: Any) -> list[CaseResult] | None:
    """Cached rows back as results (None: the rows are not this version's CaseResult)."""
    try:
        return [CaseResult(**row) for row in value]
    except (TypeError, ValueError):
        return None


def cached_results() -> Cached:
    """The shipped cases' results (``value``: a list of :class:`CaseResult`), computed once
    per version of thaadsim's code and catalog (:func:`thaadsim.cache.version_key`) and kept
    in the user's cache; ``computed_at`` says when, ``from_cache`` whether this call read
    them. A ``thaadsim validate`` run of the shipped cases fills the same cache."""
    hit = cached(cache_entry(), lambda: [asdict(r) for r in run_cases()])
    results = _as_results(hit.value)
    if results is None:  # a damaged or foreign cache entry: never trusted, computed again
        hit = store(cache_entry(), version_key(), [asdict(r) for r in run_cases()])
        results = _as_results(hit.value) or []
    return replace(hit, value=results)


def summary_counts(results: Sequence[CaseResult]) -> dict[str, int]:
    """How many cases passed, failed, failed as known, and passed though known to fail."""
    return {"passed": sum(r.passed for r in results),
            "failed": sum(not r.passed and not r.expected_fail for r in results),
            "expected_failures": sum(not r.passed and r.expected_fail for r in results),
            "unexpected_passes": sum(r.passed and r.expected_fail for r in results)}


def validate(cases_path: str | Path | None = None) -> list[CaseResult]:
    """Run the cases of ``cases_path`` (the shipped file's by default; their results are
    then kept in the cache, where a later report finds them: :func:`cached_results`)."""
    results = run_cases(load_cases(cases_path))
    if cases_path is None:
        store(cache_entry(), version_key(), [asdict(r) for r in results])
    return results


__all__ = [
    "KINDS",
    "CaseResult",
    "cache_entry",
    "cached_results",
    "kepler_closed_form",
    "load_cases",
    "run_cases",
    "summary_counts",
    "validate",
]
