"""The radar model against textbook results and the public figures it is parameterised by.

References (tolerances in each test):
- Skolnik, *Introduction to Radar Systems*, 3rd ed. (2001), fig. 2.7 and eq. 2.50; Richards,
  *Fundamentals of Radar Signal Processing* (2005), table 6.x; Meyer & Mayer, *Radar Target
  Detection* (1973): single-look SNR for Pfa = 1e-6 -- steady target 11.2 dB at Pd 0.5 and
  13.2 dB at Pd 0.9; Swerling 1 21.1 dB at Pd 0.9 and 12.8 dB at Pd 0.5.
- Radar horizon over a sphere of effective radius a_e = k R (Skolnik 2001 sec. 8.2):
  d = a_e [acos(a_e / (a_e + h_r)) + acos(a_e / (a_e + h_t))], and its small-angle form
  d_km = 4.12 (sqrt(h_r m) + sqrt(h_t m)) for k = 4/3.
- Public detection ranges in the catalog (USCC 2016; ROK MND 2017; NAS 2012): within 15%.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from thaadsim.errors import CatalogError, InputError
from thaadsim.physics.earth import SPHERE, WGS84
from thaadsim.physics.geodesy import aer_to_ecef, geodetic_to_ecef
from thaadsim.studies.coverage import horizon_ground_range_m
from thaadsim.systems import radar as R
from thaadsim.systems.catalog import get_radar, get_site, load_radars, radar_catalog

TERMINAL = get_radar("terminal").radar
FORWARD = get_radar("forward-based").radar
SEONGJU = get_site("seongju").emplacement()
UNMASKED = dataclasses.replace(SEONGJU, min_elevation_deg=None)
"""Seongju without its site's 5 deg floor (sites.yaml): the radar's own decides."""


def db(x: float) -> float:
    return 10.0 * float(np.log10(x))


@pytest.mark.parametrize(
    ("swerling", "pd", "snr_db"),
    [(0, 0.5, 11.2), (0, 0.9, 13.2), (5, 0.9, 13.2), (1, 0.9, 21.1), (1, 0.5, 12.8)],
)
def test_single_look_snr_matches_tables(swerling: int, pd: float, snr_db: float) -> None:
    """Pfa 1e-6: Skolnik 2001 fig. 2.7 / Meyer & Mayer 1973 tables, read to 0.1 dB."""
    assert db(R.snr_for_pd(pd, 1e-6, swerling)) == pytest.approx(snr_db, abs=0.1)
    assert float(R.pd_from_snr(R.snr_for_pd(pd, 1e-6, swerling), 1e-6, swerling)) == (
        pytest.approx(pd, abs=1e-9))


def test_pd_rises_with_snr_and_never_leaves_0_1() -> None:
    s = np.logspace(-2, 4, 200)
    for case in R.SWERLING_CASES:
        pd = R.pd_from_snr(s, 1e-6, case)
        assert np.all(np.diff(pd) >= 0.0) and pd[0] >= 1e-6 and pd[-1] <= 1.0


def test_steady_target_beats_fluctuating_at_high_pd() -> None:
    """A fluctuating target needs more SNR for Pd 0.9 (Skolnik 2001 fig. 2.23: ~8 dB)."""
    loss = db(R.snr_for_pd(0.9, 1e-6, 1)) - db(R.snr_for_pd(0.9, 1e-6, 0))
    assert 7.5 < loss < 8.5


def test_snr_falls_as_range_to_the_fourth() -> None:
    ranges = np.array([100e3, 200e3, 400e3, 800e3])
    s = R.snr(TERMINAL, TERMINAL.track_energy_j, ranges, 0.01)
    np.testing.assert_allclose(s[1:] / s[:-1], 1.0 / 16.0, rtol=1e-12)
    np.testing.assert_allclose(R.snr(TERMINAL, 1.0, 1e5, [0.01, 0.1]) * [10.0, 1.0],
                               R.snr(TERMINAL, 1.0, 1e5, 0.1), rtol=1e-12)


def test_snr_equals_the_power_form_of_the_range_equation() -> None:
    """SNR = P_t tau G A_e sigma / ((4 pi)^2 R^4 k T L) with G = 4 pi A_e / lambda^2
    (Skolnik 2001 eqs. 2.1-2.11), written out independently of the module."""
    r = TERMINAL
    peak_w, pulse_s, n = 405e3, 1e-3, 20  # 20 ms emitting, as Lewis & Postol's 100 ms dwell
    a_e = r.aperture_efficiency * r.aperture_m2
    lam = 299_792_458.0 / r.frequency_hz
    gain = 4 * np.pi * a_e / lam**2
    expected = (peak_w * pulse_s * n * gain * a_e * 0.05
                / ((4 * np.pi) ** 2 * (500e3) ** 4 * 1.380649e-23 * r.noise_temperature_k
                   * 10 ** (r.losses_db / 10)))
    assert float(R.snr(r, peak_w * pulse_s * n, 500e3, 0.05)) == pytest.approx(expected,
                                                                              rel=1e-12)


def test_search_equation_matches_beam_by_beam_energy() -> None:
    """Search-radar equation (Skolnik 2001 eq. 2.62): SNR = P_av A_e t_f b sigma /
    (4 pi Omega R^4 k T L), independent of the beam count."""
    r = FORWARD
    a_e = r.aperture_efficiency * r.aperture_m2
    expected = (r.average_power_w * a_e * r.search_frame_s * r.search_budget * 1.0
                / (4 * np.pi * r.fence_solid_angle_sr * (1e6) ** 4 * 1.380649e-23
                   * r.noise_temperature_k * 10 ** (r.losses_db / 10)))
    assert float(R.snr(r, r.search_energy_j, 1e6, 1.0)) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("slug", sorted(radar_catalog()))
def test_reported_ranges(slug: str) -> None:
    """Each mode, so parameterised, gives its publicly reported range for the target read
    with the report, within 15% of the reported interval (catalog `reported_ranges`)."""
    entry = radar_catalog()[slug]
    assert entry.reported_ranges, "every radar entry states a reported range to check"
    for rep in entry.reported_ranges:
        got_km = float(R.detection_range_m(entry.radar, rep.rcs_m2.value, rep.dwell)) / 1e3
        lo, hi = rep.range_km.bounds(0.15)
        assert lo <= got_km <= hi, (slug, got_km, rep.range_km)


def test_modes_differ_in_search_not_hardware() -> None:
    assert TERMINAL.track_energy_j == FORWARD.track_energy_j
    assert FORWARD.instrumented_range_m > TERMINAL.instrumented_range_m
    assert FORWARD.search_el_low_deg < TERMINAL.search_el_low_deg


@pytest.mark.parametrize("k", [1.0, 4.0 / 3.0])
@pytest.mark.parametrize("alt_km", [10.0, 40.0, 150.0, 600.0])
def test_horizon_matches_closed_form_on_a_sphere(k: float, alt_km: float) -> None:
    """Closed form of Skolnik 2001 sec. 8.2 over a sphere (the grazing ray; no elevation
    mask); 10 m."""
    radar = dataclasses.replace(TERMINAL, min_elevation_deg=-90.0)
    emp = dataclasses.replace(UNMASKED, alt_m=680.0)
    a_e = k * SPHERE.a_m
    h_r, h_t = emp.alt_m, alt_km * 1e3
    expected = a_e * (np.arccos(a_e / (a_e + h_r)) + np.arccos(a_e / (a_e + h_t)))
    got = horizon_ground_range_m(radar, emp, h_t, refraction_k=k, earth=SPHERE)
    assert got == pytest.approx(expected, abs=10.0)


def test_horizon_four_thirds_rule_of_thumb_on_wgs84() -> None:
    """d_km = 4.12 (sqrt(h_r) + sqrt(h_t)), heights in metres (Skolnik 2001 sec. 8.2), 1%."""
    radar = dataclasses.replace(TERMINAL, min_elevation_deg=-90.0)
    for h_t in (5e3, 12e3):
        got = horizon_ground_range_m(radar, UNMASKED, h_t) / 1e3
        assert got == pytest.approx(4.12 * (np.sqrt(680.0) + np.sqrt(h_t)), rel=0.01)


def test_refraction_lets_the_radar_see_further() -> None:
    radar = dataclasses.replace(TERMINAL, min_elevation_deg=-90.0)
    plain = horizon_ground_range_m(radar, UNMASKED, 50e3, refraction_k=1.0)
    bent = horizon_ground_range_m(radar, UNMASKED, 50e3)
    assert bent / plain == pytest.approx(np.sqrt(4.0 / 3.0), rel=0.02)


def _target(az_deg: float, el_deg: float, range_m: float) -> np.ndarray:
    return aer_to_ecef(az_deg, el_deg, range_m, SEONGJU.lat_deg, SEONGJU.lon_deg, SEONGJU.alt_m)


def test_face_limits_give_their_status() -> None:
    bore = SEONGJU.boresight_deg
    r = np.stack([
        _target(bore, 20.0, 300e3),             # in the face
        _target(bore + 90.0, 20.0, 300e3),      # beside it
        _target(bore, 85.0, 100e3),             # above the face
        geodetic_to_ecef(45.0, 120.0, 0.0),     # far below the horizon
    ])
    view = R.look(TERMINAL, SEONGJU, r, np.zeros_like(r), 0.1, "track")
    assert list(view.status) == [R.VISIBLE, R.OUTSIDE_SECTOR, R.ABOVE_FACE, R.BELOW_HORIZON]
    assert view.snr[0] > 0 and np.all(view.snr[1:] == 0) and np.all(view.pd[1:] == 0)


def test_look_agrees_with_the_range_equation_on_boresight() -> None:
    r = _target(SEONGJU.boresight_deg, TERMINAL.face_tilt_deg, 400e3)
    view = R.look(TERMINAL, SEONGJU, r[None], np.zeros((1, 3)), 0.01, "track")
    assert view.range_m[0] == pytest.approx(400e3, rel=1e-9)
    assert view.scan_cos[0] == pytest.approx(1.0, abs=1e-9)
    assert view.snr[0] == pytest.approx(float(R.snr(TERMINAL, TERMINAL.track_energy_j, 400e3,
                                                    0.01)), rel=1e-9)


def test_measurement_noise_has_the_stated_sigmas_and_shrinks_with_snr() -> None:
    """Sample standard deviations within 3% of the stated sigmas (20,000 draws)."""
    n = 20_000
    r = np.repeat(_target(SEONGJU.boresight_deg, 15.0, 500e3)[None], n, axis=0)
    v = np.tile([1000.0, -2000.0, -500.0], (n, 1))
    view = R.look(TERMINAL, SEONGJU, r, v, 0.01, "track")
    z, sig = R.measure(TERMINAL, view, np.random.default_rng(7), "track")
    truth = np.stack([view.range_m, np.radians(view.az_deg), np.radians(view.el_deg),
                      view.range_rate_mps], axis=-1)
    err = z - truth
    np.testing.assert_allclose(err.std(axis=0), sig[0], rtol=0.03)
    near = R.look(TERMINAL, SEONGJU, _target(SEONGJU.boresight_deg, 15.0, 200e3)[None],
                  np.zeros((1, 3)), 0.01, "track")
    assert np.all(R.measurement_sigmas(TERMINAL, near, "track")[0] <= sig[0])


def test_invisible_targets_give_no_measurement() -> None:
    r = geodetic_to_ecef(45.0, 120.0, 0.0)[None]
    view = R.look(TERMINAL, SEONGJU, r, np.zeros((1, 3)), 0.1)
    z, _ = R.measure(TERMINAL, view, np.random.default_rng(0))
    assert np.all(np.isnan(z))


@pytest.mark.parametrize("rcs", [-1.0, 0.0, float("nan")])
def test_bad_rcs_is_a_clear_error(rcs: float) -> None:
    with pytest.raises(InputError, match="rcs"):
        R.snr(TERMINAL, 1.0, 1e5, rcs)


@pytest.mark.parametrize("bore", [-1.0, 360.0, 400.0])
def test_bad_boresight_is_a_clear_error(bore: float) -> None:
    with pytest.raises(InputError, match=r"boresight.*\[0, 360\)"):
        get_site("seongju").emplacement(bore)


def test_unknown_mode_and_site_list_the_known_ones() -> None:
    with pytest.raises(CatalogError, match="terminal, forward-based"):
        get_radar("sideways")
    with pytest.raises(CatalogError, match="seongju"):
        get_site("atlantis")


def test_required_sites_are_in_the_catalog_with_sources() -> None:
    for slug in ("seongju", "seoul", "pyongyang", "busan", "pyeongtaek", "osan", "sinpo",
                 "beijing"):
        site = get_site(slug)
        assert all(f.provenance for f in site.figures.values())
        assert 33 < site.lat_deg < 41 and 116 < site.lon_deg < 130


def test_catalog_refuses_an_unsourced_radar_figure(tmp_path) -> None:  # type: ignore[no-untyped-def]
    text = (tmp_path / "r.yaml")
    from importlib import resources

    shipped = resources.files("thaadsim.data").joinpath("radars.yaml").read_text("utf-8")
    text.write_text(shipped.replace(
        'aperture_m2: {value: 9.2, source:', 'aperture_m2: {value: 9.2, note:', 1))
    with pytest.raises(CatalogError, match=r"aperture_m2.*neither a 'source' nor"):
        load_radars(text)


def test_wgs84_is_the_default_earth() -> None:
    assert R.look.__defaults__ is not None and WGS84 in R.look.__defaults__


@pytest.mark.parametrize("radar", [TERMINAL, FORWARD, dataclasses.replace(TERMINAL, swerling=0)],
                         ids=["terminal", "forward-based", "steady"])
@pytest.mark.parametrize("dwell", ["search", "cued", "track"])
def test_the_compiled_look_is_the_numpy_one(radar: R.Radar, dwell: str) -> None:
    """look(backend="compiled"), one Numba call (systems/_radar_kernel.py), against the NumPy
    functions with the library geodesy (pymap3d, pyproj's Karney geodesics), over targets
    in every status (a fan of azimuths, elevations and ranges around Seongju, with its 5 deg
    floor): the same status everywhere, the same SNR and Pd to 1e-9 relative, angles to
    1e-9 deg, the apparent elevation to 1e-7 deg (it takes Euler's radius along the ground
    azimuth, Vincenty's geodesic against Karney's: for a target nearly overhead that
    azimuth is ill-conditioned; seen up to 1.3e-8 deg at 87 deg)."""
    rng = np.random.default_rng(3)
    n = 3000
    az = rng.uniform(0.0, 360.0, n)
    el = rng.uniform(-5.0, 90.0, n)
    r = _target(az, el, rng.uniform(1e3, 2500e3, n))  # type: ignore[arg-type]
    v = rng.normal(0.0, 2000.0, (n, 3))
    a = R.look(radar, SEONGJU, r, v, 0.1, dwell, backend="numpy")
    b = R.look(radar, SEONGJU, r, v, 0.1, dwell, backend="compiled")
    assert len(set(a.status.tolist())) == 5
    np.testing.assert_array_equal(b.status, a.status)
    for name, atol in (("az_deg", 1e-9), ("el_deg", 1e-9), ("apparent_el_deg", 1e-7),
                       ("range_m", 1e-6), ("range_rate_mps", 1e-6), ("scan_cos", 1e-12)):
        np.testing.assert_allclose(getattr(b, name), getattr(a, name), rtol=0.0, atol=atol,
                                   err_msg=name)
    for name in ("snr", "pd"):
        np.testing.assert_allclose(getattr(b, name), getattr(a, name), rtol=1e-9, atol=0.0,
                                   err_msg=name)


def test_look_where_skips_the_masked_targets() -> None:
    """look_where: the masked-in targets as look gives them; the others not visible, zero
    SNR, Pd and geometry; NaN states read as 0 (as numpy.nan_to_num)."""
    r = np.stack([_target(SEONGJU.boresight_deg + d, 10.0, 300e3) for d in (-20, 0, 20, 40)])
    v = np.full((4, 3), 100.0)
    state = np.concatenate([r, v], -1)
    where = np.array([True, False, True, True])
    state[3, 3] = np.nan
    got = R.look_where(TERMINAL, SEONGJU, state, where, 0.1, "track")
    ref = R.look(TERMINAL, SEONGJU, r, np.nan_to_num(state[:, 3:]), 0.1, "track",
                 backend="numpy")
    for f in dataclasses.fields(R.Look):
        np.testing.assert_allclose(getattr(got, f.name)[where], getattr(ref, f.name)[where],
                                   rtol=1e-9, atol=1e-9, err_msg=f.name)
    assert got.status[1] == R.BELOW_HORIZON and got.snr[1] == 0 and got.range_m[1] == 0
    with pytest.raises(InputError, match="look_where"):
        R.look_where(TERMINAL, SEONGJU, state[:, :3], where, 0.1)


def test_the_compiled_measurement_is_the_numpy_one() -> None:
    """measure(backend="compiled") from the same generator state: the same draws in the same
    order, so the same measurements and sigmas to rounding (1e-12 relative), NaN rows where
    not visible (a fan of targets in every status)."""
    rng = np.random.default_rng(8)
    n = 500
    r = _target(rng.uniform(0.0, 360.0, n), rng.uniform(-5.0, 90.0, n),  # type: ignore[arg-type]
                rng.uniform(1e3, 1500e3, n))
    view = R.look(TERMINAL, SEONGJU, r, rng.normal(0.0, 2000.0, (n, 3)), 0.1, "track")
    a = R.measure(TERMINAL, view, np.random.default_rng(1), "track", backend="numpy")
    b = R.measure(TERMINAL, view, np.random.default_rng(1), "track", backend="compiled")
    assert 0 < view.visible.sum() < n
    for got, ref in zip(b, a, strict=True):
        np.testing.assert_allclose(got, ref, rtol=1e-12, atol=0.0)


def _fan_near_thresholds(rng: np.random.Generator, n: int) -> np.ndarray:
    """Targets around Seongju in every status, half of them with geometric elevations just
    below and at each elevation the chain's looks compare against (the horizontal, the
    search fences' 0.5, 2, 3 and 12 deg, the 5 deg floor, the face's 70 deg: the
    refraction lifts the apparent elevation by 0 to ~0.6 deg within 600 km), Earth-fixed
    states (n, 6)."""
    az = rng.uniform(0.0, 360.0, n)
    el = rng.uniform(-5.0, 90.0, n)
    near = rng.random(n) < 0.5
    el[near] = (rng.choice([0.0, 0.5, 2.0, 3.0, 5.0, 12.0, 70.0], near.sum())
                - rng.uniform(-0.1, 0.8, near.sum()))
    r = _target(az, el, rng.uniform(1e3, 2500e3, n))  # type: ignore[arg-type]
    return np.concatenate([r, rng.normal(0.0, 2000.0, (n, 3))], axis=-1)


def test_the_bracket_of_the_apparent_elevation_holds_it() -> None:
    """_radar_kernel._apparent_bracket (the chain's looks without the geodesic: the chord
    and Schur's bound on the geodesic, the elevation monotone in the ground range) holds
    the exact apparent elevation (look_one's, Vincenty's geodesic) of every target it
    brackets, over a fan of targets crowded around the thresholds; it brackets most of
    them (it declines targets below the site and beyond 3,000 km). Without its margin for
    the azimuth of the effective radius (BRACKET_MARGIN_DEG) it still holds it to 1e-3 deg
    (that azimuth moves it by under 2e-4 deg): the chord and Schur's bound are exact."""
    import numba

    from thaadsim.physics._geodesy_kernel import reduced_latitude, sub_point_one
    from thaadsim.systems import _radar_kernel as K

    @numba.njit
    def brackets(y: np.ndarray, site: np.ndarray, geo: np.ndarray, earth: np.ndarray,
                 prm: np.ndarray, out: np.ndarray) -> None:
        sin_u1, cos_u1 = reduced_latitude(geo[0], earth)
        for i in range(y.shape[0]):
            alt, t, p, sin_u2, cos_u2, diff = sub_point_one(y[i, 0], y[i, 1], y[i, 2],
                                                            geo[1], earth)
            out[i, 0], out[i, 1] = K._apparent_bracket(
                y[i, 0], y[i, 1], y[i, 2], alt, t, p, sin_u2, cos_u2, diff, site, sin_u1,
                cos_u1, earth, prm)

    y = _fan_near_thresholds(np.random.default_rng(11), 20000)
    packs = R.kernel_packs(TERMINAL, SEONGJU, ("track",))
    out = np.empty((y.shape[0], 2))
    brackets(y, packs.site, packs.site_geo, packs.earth, packs.look["track"], out)
    exact = R.look(TERMINAL, SEONGJU, y[:, :3], y[:, 3:], 0.1, "track").apparent_el_deg
    held = np.isfinite(out[:, 0])
    assert held.mean() > 0.6
    assert np.all(out[held, 0] <= exact[held]) and np.all(exact[held] <= out[held, 1])
    inner = out[held] + np.array([1.0, -1.0]) * (K.BRACKET_MARGIN_DEG - 1e-3)
    assert np.all(inner[:, 0] <= exact[held]) and np.all(exact[held] <= inner[:, 1])
    assert np.median(out[held, 1] - out[held, 0]) < 0.05  # a bracket narrow enough to decide


@pytest.mark.parametrize("radar", [TERMINAL, FORWARD], ids=["terminal", "forward-based"])
def test_the_chain_looks_decide_as_the_exact_look(radar: R.Radar) -> None:
    """The compiled chain's kernels (systems/_detection_kernel.py: track_looks, and
    search_looks with its fence), which bracket the apparent elevation instead of computing
    its geodesic, against look_where and measure (Vincenty's geodesic): the same status
    everywhere, the same fence decisions, Pd to 1e-12 relative and the same measurements to
    rounding (1e-12 relative), over 20,000 targets crowded around every elevation
    threshold."""
    from thaadsim.systems import _detection_kernel as DK

    y = _fan_near_thresholds(np.random.default_rng(12), 20000)[:, None, :]
    n = y.shape[0]
    packs = R.kernel_packs(radar, SEONGJU, ("search", "track", "cued"))
    alive = np.ones((n, 2), dtype=bool)
    normal = np.random.default_rng(1).standard_normal((n, 1, 4))  # measure's draws, below
    z, sig = np.empty((n, 2, 4)), np.empty((n, 2, 4))
    visible, pd = np.empty((n, 2), dtype=bool), np.empty((n, 2))
    DK.track_looks(np.ascontiguousarray(np.repeat(y, 2, axis=1)), alive, np.full(n, 0.1),
                   np.zeros((n, 4)), normal, packs.site, packs.site_geo, packs.earth,
                   packs.look["search"], packs.look["track"], packs.measure["search"],
                   packs.measure["track"], z, sig, visible, pd)
    track = R.look_where(radar, SEONGJU, y[:, 0], np.ones(n, bool), 0.1, "track")
    assert len(set(track.status.tolist())) == 5
    np.testing.assert_array_equal(visible[:, 1], track.visible)
    np.testing.assert_allclose(pd[:, 1], track.pd, rtol=1e-12, atol=0.0)
    z_ref, sig_ref = R.measure(radar, track, np.random.default_rng(1), "track")
    np.testing.assert_allclose(z[:, 1], z_ref, rtol=1e-12, atol=0.0)
    np.testing.assert_allclose(sig[:, 1], sig_ref, rtol=1e-12, atol=0.0)
    t_q = np.zeros((n, 1))
    got_alive, got_pd = np.empty((n, 1), dtype=bool), np.empty((n, 1))
    DK.search_looks(np.ascontiguousarray(y), t_q, np.ones(n), np.full(n, np.inf),
                    np.full(n, 0.1), packs.site, packs.site_geo, packs.earth,
                    packs.look["search"], packs.look["cued"],
                    np.array([radar.search_el_low_deg, radar.search_el_high_deg]), got_alive,
                    got_pd)
    search = R.look_where(radar, SEONGJU, y[:, 0], np.ones(n, bool), 0.1, "search")
    fence = ((search.apparent_el_deg >= radar.search_el_low_deg)
             & (search.apparent_el_deg <= radar.search_el_high_deg))
    assert got_alive.all() and (fence & search.visible).sum() < n
    # forward-based at Seongju: its fence (0.5-3 deg) lies below the site's 5 deg floor
    assert radar is FORWARD or (fence & search.visible).sum() > 0
    np.testing.assert_allclose(got_pd[:, 0], np.where(fence & search.visible, search.pd, 0.0),
                               rtol=1e-12, atol=0.0)
