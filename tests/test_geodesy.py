"""Tests of thaadsim.physics.geodesy: round trips, known values, independent geodesics."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from thaadsim.errors import InputError
from thaadsim.physics.earth import SPHERE, WGS84, Earth
from thaadsim.physics.geodesy import (
    aer_to_ecef,
    ecef_to_aer,
    ecef_to_enu,
    ecef_to_geodetic,
    enu_basis,
    enu_to_ecef,
    geodesic_direct,
    geodesic_inverse,
    geodesic_line,
    geodetic_to_ecef,
)

EARTHS = [WGS84, SPHERE]
earths = pytest.mark.parametrize("earth", EARTHS, ids=lambda e: e.name)

lats = st.floats(-89.9, 89.9, allow_nan=False)
lons = st.floats(-180.0, 180.0, allow_nan=False)
alts = st.floats(-1.0e4, 4.0e6, allow_nan=False)
earth_st = st.sampled_from(EARTHS)

SEOUL = (37.5665, 126.978)
BUSAN = (35.180, 129.076)


def dlon(a: np.ndarray | float, b: np.ndarray | float) -> np.ndarray:
    """Longitude difference wrapped into [-180, 180)."""
    return (np.asarray(a) - np.asarray(b) + 180.0) % 360.0 - 180.0


def vincenty_inverse(
    lat1: float, lon1: float, lat2: float, lon2: float, a: float, f: float
) -> tuple[float, float, float]:
    """Vincenty (1975) inverse formula: distance, forward azimuths at both ends (deg).

    T. Vincenty, "Direct and inverse solutions of geodesics on the ellipsoid with application
    of nested equations", Survey Review 23 (176), 88-93, 1975. Written here as an
    independent check of pyproj (GeographicLib), not for production use.
    """
    b = a * (1.0 - f)
    u1 = math.atan((1.0 - f) * math.tan(math.radians(lat1)))
    u2 = math.atan((1.0 - f) * math.tan(math.radians(lat2)))
    big_l = math.radians(lon2 - lon1)
    lam = big_l
    su1, cu1, su2, cu2 = math.sin(u1), math.cos(u1), math.sin(u2), math.cos(u2)
    for _ in range(200):
        sl, cl = math.sin(lam), math.cos(lam)
        s_sigma = math.hypot(cu2 * sl, cu1 * su2 - su1 * cu2 * cl)
        c_sigma = su1 * su2 + cu1 * cu2 * cl
        sigma = math.atan2(s_sigma, c_sigma)
        s_alpha = cu1 * cu2 * sl / s_sigma
        c2_alpha = 1.0 - s_alpha**2
        c2_sm = c_sigma - 2.0 * su1 * su2 / c2_alpha if c2_alpha != 0.0 else 0.0
        c = f / 16.0 * c2_alpha * (4.0 + f * (4.0 - 3.0 * c2_alpha))
        lam_prev = lam
        lam = big_l + (1.0 - c) * f * s_alpha * (
            sigma + c * s_sigma * (c2_sm + c * c_sigma * (-1.0 + 2.0 * c2_sm**2))
        )
        if abs(lam - lam_prev) < 1e-14:
            break
    u_sq = c2_alpha * (a * a - b * b) / (b * b)
    k_a = 1.0 + u_sq / 16384.0 * (4096.0 + u_sq * (-768.0 + u_sq * (320.0 - 175.0 * u_sq)))
    k_b = u_sq / 1024.0 * (256.0 + u_sq * (-128.0 + u_sq * (74.0 - 47.0 * u_sq)))
    d_sigma = (
        k_b
        * s_sigma
        * (
            c2_sm
            + k_b
            / 4.0
            * (
                c_sigma * (-1.0 + 2.0 * c2_sm**2)
                - k_b / 6.0 * c2_sm * (-3.0 + 4.0 * s_sigma**2) * (-3.0 + 4.0 * c2_sm**2)
            )
        )
    )
    s = b * k_a * (sigma - d_sigma)
    sl, cl = math.sin(lam), math.cos(lam)
    az1 = math.degrees(math.atan2(cu2 * sl, cu1 * su2 - su1 * cu2 * cl)) % 360.0
    az2 = math.degrees(math.atan2(cu1 * sl, -su1 * cu2 + cu1 * su2 * cl)) % 360.0
    return s, az1, az2


# ---------------------------------------------------------------------------------------------
# Geodetic <-> ECEF
# ---------------------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(lat=lats, lon=lons, alt=alts, earth=earth_st)
def test_geodetic_ecef_round_trip(lat: float, lon: float, alt: float, earth: Earth) -> None:
    r = geodetic_to_ecef(lat, lon, alt, earth)
    assert r.shape == (3,)
    lat2, lon2, alt2 = ecef_to_geodetic(r, earth)
    assert abs(lat2 - lat) <= 1e-9
    assert abs(dlon(lon2, lon)) <= 1e-9
    assert abs(alt2 - alt) <= 1e-3


@earths
def test_geodetic_ecef_round_trip_vectorised_and_fast(earth: Earth) -> None:
    rng = np.random.default_rng(1)
    n = 100_000
    lat = rng.uniform(-89.9, 89.9, n)
    lon = rng.uniform(-180.0, 180.0, n)
    alt = rng.uniform(-1.0e4, 4.0e6, n)
    t0 = time.perf_counter()
    r = geodetic_to_ecef(lat, lon, alt, earth)
    lat2, lon2, alt2 = ecef_to_geodetic(r, earth)
    elapsed = time.perf_counter() - t0
    assert r.shape == (n, 3) and lat2.shape == lon2.shape == alt2.shape == (n,)
    assert np.max(np.abs(lat2 - lat)) <= 1e-9
    assert np.max(np.abs(dlon(lon2, lon))) <= 1e-9
    assert np.max(np.abs(alt2 - alt)) <= 1e-3
    assert elapsed < 2.0  # about 0.05 s on a laptop; generous for slow CI


@earths
def test_known_ecef_points(earth: Earth) -> None:
    np.testing.assert_allclose(geodetic_to_ecef(0.0, 0.0, 0.0, earth), [earth.a_m, 0, 0], atol=1e-6)
    np.testing.assert_allclose(
        geodetic_to_ecef(0.0, 90.0, 0.0, earth), [0, earth.a_m, 0], atol=1e-6
    )
    np.testing.assert_allclose(
        geodetic_to_ecef(90.0, 0.0, 0.0, earth), [0, 0, earth.b_m], atol=1e-6
    )
    np.testing.assert_allclose(
        geodetic_to_ecef(-90.0, 0.0, 1000.0, earth), [0, 0, -earth.b_m - 1000.0], atol=1e-6
    )
    lat, lon, alt = ecef_to_geodetic([earth.a_m, 0.0, 0.0], earth)
    assert (float(lat), float(lon)) == (0.0, 0.0) and abs(float(alt)) < 1e-6
    lat, _, alt = ecef_to_geodetic([0.0, 0.0, earth.b_m + 5.0], earth)
    assert float(lat) == pytest.approx(90.0, abs=1e-12) and float(alt) == pytest.approx(5.0)
    lat, _, alt = ecef_to_geodetic([0.0, 0.0, -earth.b_m], earth)
    assert float(lat) == pytest.approx(-90.0, abs=1e-12) and abs(float(alt)) < 1e-6


def test_wgs84_constants_are_used() -> None:
    assert WGS84.b_m == pytest.approx(6356752.314245, abs=1e-6)
    # 45 N, 0 E, h = 0: x = N cos(45), z = N (1 - e^2) sin(45), N = a / sqrt(1 - e^2 / 2)
    r = geodetic_to_ecef(45.0, 0.0, 0.0)
    n = WGS84.a_m / math.sqrt(1.0 - WGS84.e2 / 2.0)
    np.testing.assert_allclose(r, [n / math.sqrt(2), 0.0, n * (1 - WGS84.e2) / math.sqrt(2)])


def test_broadcasting_shapes() -> None:
    lat = np.linspace(-60.0, 60.0, 7)
    assert geodetic_to_ecef(lat, 10.0, 0.0).shape == (7, 3)
    assert geodetic_to_ecef(lat[:, None], lat[None, :], 0.0).shape == (7, 7, 3)
    r = geodetic_to_ecef(lat, 10.0, 1000.0)
    assert ecef_to_enu(r, 0.0, 0.0, 0.0).shape == (7, 3)
    assert ecef_to_enu(r, lat, 10.0, 0.0).shape == (7, 3)
    assert ecef_to_enu(r[0], lat, 10.0, 0.0).shape == (7, 3)
    az, el, rng = ecef_to_aer(r[0], lat, 10.0, 0.0)
    assert az.shape == el.shape == rng.shape == (7,)
    assert aer_to_ecef(az, el, rng, lat, 10.0, 0.0).shape == (7, 3)
    lat2, lon2, alt2 = ecef_to_geodetic(r[0])
    assert lat2.shape == lon2.shape == alt2.shape == ()
    assert enu_basis(lat, 5.0).shape == (7, 3, 3)
    assert enu_basis(1.0, 5.0).shape == (3, 3)


def test_bad_vector_shape_is_an_input_error() -> None:
    with pytest.raises(InputError, match="r_ecef_m"):
        ecef_to_geodetic(np.zeros((4, 2)))
    with pytest.raises(InputError, match="r_enu_m"):
        enu_to_ecef(np.zeros(4), 0.0, 0.0, 0.0)


# ---------------------------------------------------------------------------------------------
# ENU and AER
# ---------------------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(
    lat0=lats, lon0=lons, alt0=st.floats(-500.0, 5000.0),
    lat=lats, lon=lons, alt=alts, earth=earth_st,
)  # fmt: skip
def test_enu_round_trip(
    lat0: float, lon0: float, alt0: float, lat: float, lon: float, alt: float, earth: Earth
) -> None:
    r = geodetic_to_ecef(lat, lon, alt, earth)
    enu = ecef_to_enu(r, lat0, lon0, alt0, earth)
    np.testing.assert_allclose(enu_to_ecef(enu, lat0, lon0, alt0, earth), r, rtol=0, atol=1e-3)
    # ENU = M (r - r0) with M from enu_basis
    r0 = geodetic_to_ecef(lat0, lon0, alt0, earth)
    np.testing.assert_allclose(enu, enu_basis(lat0, lon0) @ (r - r0), rtol=0, atol=1e-6)
    assert np.linalg.norm(enu) == pytest.approx(np.linalg.norm(r - r0), abs=1e-6)


@settings(max_examples=200, deadline=None)
@given(
    lat0=lats, lon0=lons, alt0=st.floats(-500.0, 5000.0),
    lat=lats, lon=lons, alt=alts, earth=earth_st,
)  # fmt: skip
def test_ecef_aer_ecef_round_trip(
    lat0: float, lon0: float, alt0: float, lat: float, lon: float, alt: float, earth: Earth
) -> None:
    r = geodetic_to_ecef(lat, lon, alt, earth)
    az, el, rng = ecef_to_aer(r, lat0, lon0, alt0, earth)
    assert 0.0 <= az < 360.0 and -90.0 <= el <= 90.0 and rng >= 0.0
    # pymap3d snaps ENU components below 1 mm to zero: allow 2 mm
    np.testing.assert_allclose(
        aer_to_ecef(az, el, rng, lat0, lon0, alt0, earth), r, rtol=0, atol=2e-3
    )


@settings(max_examples=200, deadline=None)
@given(
    az=st.floats(0.0, 359.999), el=st.floats(-89.0, 89.0), rng=st.floats(10.0, 5.0e6),
    lat0=lats, lon0=lons, alt0=st.floats(-500.0, 5000.0), earth=earth_st,
)  # fmt: skip
def test_aer_ecef_aer_round_trip(
    az: float, el: float, rng: float, lat0: float, lon0: float, alt0: float, earth: Earth
) -> None:
    r = aer_to_ecef(az, el, rng, lat0, lon0, alt0, earth)
    az2, el2, rng2 = ecef_to_aer(r, lat0, lon0, alt0, earth)
    assert rng2 == pytest.approx(rng, abs=1e-6)

    def unit(a: float, e: float) -> np.ndarray:
        a, e = math.radians(a), math.radians(e)
        return np.array([math.cos(e) * math.sin(a), math.cos(e) * math.cos(a), math.sin(e)])

    # compare directions as positions at the target range (angles alone are ill-posed near
    # the zenith); pymap3d's 1 mm snap of ENU components bounds the error
    assert np.linalg.norm(unit(float(az2), float(el2)) - unit(az, el)) * rng <= 2e-3


def test_enu_known_values_on_sphere() -> None:
    lat0, lon0, h = 20.0, 30.0, 500.0
    d = 1.0
    rr = SPHERE.a_m + h
    r = geodetic_to_ecef(lat0 + d, lon0, h, SPHERE)
    e, n, u = ecef_to_enu(r, lat0, lon0, h, SPHERE)
    dr = math.radians(d)
    assert e == pytest.approx(0.0, abs=1e-6)
    assert n == pytest.approx(rr * math.sin(dr), abs=1e-6)
    assert u == pytest.approx(rr * (math.cos(dr) - 1.0), abs=1e-6)
    # straight up
    np.testing.assert_allclose(
        ecef_to_enu(geodetic_to_ecef(lat0, lon0, h + 1234.5), lat0, lon0, h),
        [0, 0, 1234.5],
        atol=1e-6,
    )


def test_aer_known_values() -> None:
    # due east along the equator on the sphere: az 90, chord dips by half the central angle
    d = 2.0
    r = geodetic_to_ecef(0.0, 10.0 + d, 0.0, SPHERE)
    az, el, rng = ecef_to_aer(r, 0.0, 10.0, 0.0, SPHERE)
    assert float(az) == pytest.approx(90.0, abs=1e-9)
    assert float(el) == pytest.approx(-d / 2.0, abs=1e-9)
    assert float(rng) == pytest.approx(2.0 * SPHERE.a_m * math.sin(math.radians(d) / 2.0))
    # due north: azimuth 0, never 360
    az, _, _ = ecef_to_aer(geodetic_to_ecef(11.0, 10.0, 0.0), 10.0, 10.0, 0.0)
    assert float(az) == pytest.approx(0.0, abs=1e-9) and 0.0 <= float(az) < 360.0
    # west along a parallel on the sphere: the great-circle initial azimuth (north of west),
    # since the vertical plane through the target contains the centre
    az, _, _ = ecef_to_aer(geodetic_to_ecef(10.0, 9.0, 0.0, SPHERE), 10.0, 10.0, 0.0, SPHERE)
    p, dl = math.radians(10.0), math.radians(-1.0)
    az_gc = math.degrees(
        math.atan2(math.sin(dl) * math.cos(p), math.sin(p) * math.cos(p) * (1 - math.cos(dl)))
    )
    assert float(az) == pytest.approx(az_gc % 360.0, abs=1e-9)
    assert 270.0 < float(az) < 270.2
    # due south
    az, _, _ = ecef_to_aer(geodetic_to_ecef(9.0, 10.0, 0.0), 10.0, 10.0, 0.0)
    assert float(az) == pytest.approx(180.0, abs=1e-9)
    # zenith
    _, el, rng = ecef_to_aer(geodetic_to_ecef(10.0, 10.0, 100e3), 10.0, 10.0, 0.0)
    assert float(el) == pytest.approx(90.0) and float(rng) == pytest.approx(100e3)


@given(lat=st.floats(-90.0, 90.0), lon=lons)
def test_enu_basis_is_orthonormal_right_handed_and_up_is_the_normal(lat: float, lon: float) -> None:
    m = enu_basis(lat, lon)
    np.testing.assert_allclose(m @ m.T, np.eye(3), atol=1e-14)
    np.testing.assert_allclose(np.cross(m[0], m[1]), m[2], atol=1e-14)
    # ellipsoid normal: gradient of x^2/a^2 + y^2/a^2 + z^2/b^2 at the surface point
    x, y, z = geodetic_to_ecef(lat, lon, 0.0, WGS84)
    g = np.array([x / WGS84.a_m**2, y / WGS84.a_m**2, z / WGS84.b_m**2])
    np.testing.assert_allclose(m[2], g / np.linalg.norm(g), atol=1e-12)
    # and the up vector points along increasing height
    dr = geodetic_to_ecef(lat, lon, 1.0) - geodetic_to_ecef(lat, lon, 0.0)
    np.testing.assert_allclose(m[2], dr, atol=1e-6)


def test_enu_basis_vectorised_matches_scalar() -> None:
    lat = np.array([-45.0, 0.0, 30.0, 89.0])
    lon = np.array([-170.0, 0.0, 45.0, 120.0])
    stacked = enu_basis(lat, lon)
    for i in range(4):
        np.testing.assert_array_equal(stacked[i], enu_basis(lat[i], lon[i]))


# ---------------------------------------------------------------------------------------------
# Geodesics
# ---------------------------------------------------------------------------------------------


def test_seoul_busan_against_vincenty() -> None:
    dist, az1, az2 = geodesic_inverse(*SEOUL, *BUSAN)
    s_ref, az1_ref, az2_ref = vincenty_inverse(*SEOUL, *BUSAN, WGS84.a_m, WGS84.f)
    assert float(dist) == pytest.approx(s_ref, abs=1.0)  # asked: 1 m; agreement is ~0.1 mm
    assert float(dist) == pytest.approx(s_ref, abs=1e-3)
    assert float(az1) == pytest.approx(az1_ref, abs=1e-6)
    assert float(az2) == pytest.approx(az2_ref, abs=1e-6)
    assert 320e3 < float(dist) < 330e3


def test_seoul_busan_against_geographiclib_if_available() -> None:
    geodesic = pytest.importorskip("geographiclib.geodesic")
    g = geodesic.Geodesic.WGS84.Inverse(*SEOUL, *BUSAN)
    dist, az1, az2 = geodesic_inverse(*SEOUL, *BUSAN)
    assert float(dist) == pytest.approx(g["s12"], abs=1e-6)
    assert float(az1) == pytest.approx(g["azi1"] % 360.0, abs=1e-9)
    assert float(az2) == pytest.approx(g["azi2"] % 360.0, abs=1e-9)


@settings(max_examples=100, deadline=None)
@given(lat1=lats, lon1=lons, lat2=lats, lon2=lons)
def test_sphere_geodesic_is_the_great_circle(lat1: float, lon1: float, lat2: float, lon2: float):
    dist, _, _ = geodesic_inverse(lat1, lon1, lat2, lon2, SPHERE)
    p1, l1, p2, l2 = map(math.radians, (lat1, lon1, lat2, lon2))
    # haversine
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin((l2 - l1) / 2) ** 2
    ref = 2.0 * SPHERE.a_m * math.asin(min(1.0, math.sqrt(h)))
    assert float(dist) == pytest.approx(ref, abs=1e-6)


@settings(max_examples=200, deadline=None)
@given(
    lat1=st.floats(-89.0, 89.0), lon1=lons, az=st.floats(0.0, 359.999),
    dist=st.floats(1.0, 1.5e7), earth=earth_st,
)  # fmt: skip
def test_direct_inverse_round_trip(
    lat1: float, lon1: float, az: float, dist: float, earth: Earth
) -> None:
    lat2, lon2, az2 = geodesic_direct(lat1, lon1, az, dist, earth)
    d_back, az1_back, az2_back = geodesic_inverse(lat1, lon1, lat2, lon2, earth)
    assert float(d_back) == pytest.approx(dist, abs=1e-6)
    assert abs(dlon(az1_back, az)) <= 1e-7
    assert abs(dlon(az2_back, az2)) <= 1e-7
    for a in (az2, az1_back, az2_back):
        assert 0.0 <= float(a) < 360.0


@settings(max_examples=200, deadline=None)
@given(lat1=lats, lon1=lons, lat2=lats, lon2=lons, earth=earth_st)
def test_inverse_direct_round_trip(
    lat1: float, lon1: float, lat2: float, lon2: float, earth: Earth
) -> None:
    dist, az1, az2 = geodesic_inverse(lat1, lon1, lat2, lon2, earth)
    lat_b, lon_b, az2_b = geodesic_direct(lat1, lon1, az1, dist, earth)
    assert float(lat_b) == pytest.approx(lat2, abs=1e-9)
    assert abs(dlon(lon_b, lon2)) <= 1e-9 * max(1.0, 1.0 / math.cos(math.radians(lat2)))


def test_geodesic_azimuth_range_and_convention() -> None:
    _, az1, az2 = geodesic_inverse(0.0, 0.0, 1.0, 0.0)  # due north
    assert float(az1) == 0.0 and float(az2) == 0.0
    _, az1, az2 = geodesic_inverse(0.0, 0.0, 0.0, -1.0)  # due west along the equator
    assert float(az1) == pytest.approx(270.0) and float(az2) == pytest.approx(270.0)
    # forward azimuth at the end, not the back azimuth
    _, _, az2 = geodesic_inverse(0.0, 0.0, 0.0, 1.0)
    assert float(az2) == pytest.approx(90.0)


def test_geodesic_vectorised() -> None:
    rng = np.random.default_rng(2)
    n = 100_000
    lat1, lat2 = rng.uniform(-80, 80, (2, n))
    lon1, lon2 = rng.uniform(-180, 180, (2, n))
    t0 = time.perf_counter()
    dist, az1, az2 = geodesic_inverse(lat1, lon1, lat2, lon2)
    lat_b, lon_b, _ = geodesic_direct(lat1, lon1, az1, dist)
    assert time.perf_counter() - t0 < 3.0
    assert dist.shape == az1.shape == az2.shape == lat_b.shape == (n,)
    np.testing.assert_allclose(lat_b, lat2, atol=1e-8)
    # broadcasting: one start, many ends; scalars give 0-d arrays
    d, _, _ = geodesic_inverse(*SEOUL, lat2[:5], lon2[:5])
    assert d.shape == (5,)
    d, a1, a2 = geodesic_inverse(*SEOUL, *BUSAN)
    assert d.shape == a1.shape == a2.shape == ()


@earths
def test_geodesic_line(earth: Earth) -> None:
    lat, lon = geodesic_line(*SEOUL, *BUSAN, 11, earth)
    assert lat.shape == lon.shape == (11,)
    assert lat[0] == pytest.approx(SEOUL[0], abs=1e-12) and lon[0] == pytest.approx(SEOUL[1])
    assert lat[-1] == pytest.approx(BUSAN[0], abs=1e-9)
    assert lon[-1] == pytest.approx(BUSAN[1], abs=1e-9)
    total, _, _ = geodesic_inverse(*SEOUL, *BUSAN, earth)
    steps, _, _ = geodesic_inverse(lat[:-1], lon[:-1], lat[1:], lon[1:], earth)
    np.testing.assert_allclose(steps, float(total) / 10.0, rtol=1e-9)
    assert np.sum(steps) == pytest.approx(float(total), rel=1e-12)  # points lie on the geodesic


def test_geodesic_line_broadcasts_over_several_lines() -> None:
    lat, lon = geodesic_line(
        SEOUL[0], SEOUL[1], np.array([35.18, 33.5]), np.array([129.08, 126.5]), 5
    )
    assert lat.shape == lon.shape == (2, 5)
    assert lat[1, -1] == pytest.approx(33.5, abs=1e-9)
    with pytest.raises(InputError, match="n_points"):
        geodesic_line(*SEOUL, *BUSAN, 1)


def test_direction_ecef_matches_aer_and_the_basis():
    """A unit vector at (azimuth, elevation): north at (0, 0), up at elevation 90, and the
    direction pymap3d's AER conversion gives to a point 1 km away (to 1e-9)."""
    from thaadsim.physics.geodesy import aer_to_ecef, direction_ecef, enu_basis, geodetic_to_ecef

    lat, lon = np.array([37.5, -12.0, 80.0]), np.array([127.0, 45.0, -170.0])
    az, el = np.array([35.0, 200.0, 300.0]), np.array([10.0, 45.0, 80.0])
    d = direction_ecef(lat, lon, az, el)
    assert np.allclose(np.linalg.norm(d, axis=-1), 1.0, atol=1e-15)
    basis = enu_basis(lat, lon)
    assert np.allclose(direction_ecef(lat, lon, 0.0, 0.0), basis[:, 1], atol=1e-15)
    assert np.allclose(direction_ecef(lat, lon, az, 90.0), basis[:, 2], atol=1e-15)
    ref = aer_to_ecef(az, el, 1e3, lat, lon, 0.0) - geodetic_to_ecef(lat, lon, 0.0)
    assert np.allclose(d, ref / 1e3, atol=1e-9)


def test_ecef_to_aer_rate_against_aer_and_a_finite_difference_of_range() -> None:
    """Azimuth, elevation and range are those of ecef_to_aer (exactly); the range rate is
    the central difference of the range along r + v t over +-1 ms, to 1e-5 m/s (we see
    7e-7 m/s: the rounding of ranges of ~1,000 km over 2 ms; the truncation error,
    ~dt^2 v^3 / (6 rho^2), is below 1e-6 m/s at the 130 km closest range). Zero range gives
    NaN."""
    from thaadsim.physics.geodesy import ecef_to_aer_rate

    rng = np.random.default_rng(7)
    n = 200
    site = (36.0, 128.0, 150.0)
    r = geodetic_to_ecef(rng.uniform(30, 42, n), rng.uniform(120, 136, n),
                         rng.uniform(1e3, 600e3, n))
    v = rng.normal(0.0, 2000.0, (n, 3))
    az, el, rho, rate = ecef_to_aer_rate(r, v, *site)
    az_ref, el_ref, rho_ref = ecef_to_aer(r, *site)
    assert np.array_equal(az, az_ref) and np.array_equal(el, el_ref)
    assert np.array_equal(rho, rho_ref)
    dt = 1e-3
    fd = (ecef_to_aer(r + v * dt, *site)[2] - ecef_to_aer(r - v * dt, *site)[2]) / (2 * dt)
    np.testing.assert_allclose(rate, fd, rtol=0, atol=1e-5)
    # one target seen from several sites broadcasts; a target at the site has no range rate
    _, _, rho2, rate2 = ecef_to_aer_rate(r[0], v[0], [36.0, 40.0], [128.0, 125.0], 0.0)
    assert rho2.shape == rate2.shape == (2,)
    _, _, rho0, rate0 = ecef_to_aer_rate(geodetic_to_ecef(*site), v[0], *site)
    assert float(rho0) == 0.0 and np.isnan(rate0)
