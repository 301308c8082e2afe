"""The compiled site view (thaadsim.physics._geodesy_kernel through geodesy.site_view)
against the library path (pymap3d for ECEF -> AER and geodetic, pyproj's Karney geodesic):
the radar's looks use the compiled one, the NumPy baseline the libraries."""

from __future__ import annotations

import numpy as np
import pytest

from thaadsim.errors import InputError
from thaadsim.physics.earth import SPHERE, WGS84, Earth
from thaadsim.physics.geodesy import geodesic_direct, geodetic_to_ecef, site_view
from thaadsim.systems.catalog import get_radar, get_site
from thaadsim.systems.radar import look

SEONGJU = (35.95, 128.2, 400.0)


def _targets(earth: Earth, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Targets up to 4,000 km (ground) from the site, -1 to 1,500 km high, any velocity."""
    rng = np.random.default_rng(seed)
    lat, lon, _ = geodesic_direct(SEONGJU[0], SEONGJU[1], rng.uniform(0, 360, n),
                                  rng.uniform(0, 4.0e6, n) * rng.uniform(0, 1, n), earth)
    r = geodetic_to_ecef(lat, lon, rng.uniform(-1e3, 1.5e6, n), earth)
    return r, rng.normal(0.0, 3e3, (n, 3))


@pytest.mark.parametrize("earth", [WGS84, SPHERE], ids=lambda e: e.name)
def test_compiled_site_view_matches_the_libraries(earth: Earth) -> None:
    """Tolerances: angles 1e-9 deg, heights and ranges 1e-6 m (rounding of a few
    operations on 1e6-1e7 m figures), range rate 1e-9 m/s; the geodesic: 1 mm of distance
    and 1 mm of cross-range (distance x azimuth difference): Vincenty's (1975) series are
    accurate to about 0.1 mm, Karney's (pyproj) to 15 nm."""
    r, v = _targets(earth, 20_000, 7)
    ref = site_view(r, v, *SEONGJU, earth=earth, backend="numpy")
    got = site_view(r, v, *SEONGJU, earth=earth, backend="compiled")
    daz = (got.az_deg - ref.az_deg + 180.0) % 360.0 - 180.0
    np.testing.assert_allclose(daz, 0.0, atol=1e-9)
    np.testing.assert_allclose(got.el_deg, ref.el_deg, rtol=0, atol=1e-9)
    np.testing.assert_allclose(got.range_m, ref.range_m, rtol=0, atol=1e-6)
    np.testing.assert_allclose(got.range_rate_mps, ref.range_rate_mps, rtol=0, atol=1e-9)
    np.testing.assert_allclose(got.alt_m, ref.alt_m, rtol=0, atol=1e-6)
    np.testing.assert_allclose(got.ground_m, ref.ground_m, rtol=0, atol=1e-3)
    dgaz = (got.ground_az_deg - ref.ground_az_deg + 180.0) % 360.0 - 180.0
    np.testing.assert_allclose(np.radians(dgaz) * ref.ground_m, 0.0, atol=1e-3)
    assert np.all((got.az_deg >= 0) & (got.az_deg < 360))
    assert np.all((got.ground_az_deg >= 0) & (got.ground_az_deg < 360))


def test_overhead_and_at_the_site() -> None:
    """Straight overhead: azimuth 0, elevation 90 deg, no ground distance (pymap3d's
    rounding of sub-millimetre ENU components, kept); at the site: zero range, NaN rate."""
    above = geodetic_to_ecef(SEONGJU[0], SEONGJU[1], SEONGJU[2] + 1e5)
    at = geodetic_to_ecef(*SEONGJU)
    r = np.stack([above, at])
    for backend in ("numpy", "compiled"):
        view = site_view(r, np.ones((2, 3)), *SEONGJU, backend=backend)  # type: ignore[arg-type]
        assert view.az_deg[0] == 0.0 and view.el_deg[0] == 90.0
        assert view.range_m[0] == pytest.approx(1e5, abs=1e-6)
        assert view.ground_m[0] == pytest.approx(0.0, abs=1e-6)
        assert view.range_m[1] == 0.0 and np.isnan(view.range_rate_mps[1])


def test_near_antipode_is_nan_not_wrong() -> None:
    """Vincenty's iteration does not converge for nearly antipodal points (Karney 2013,
    sec. 1): the compiled view says NaN there (a radar's look then finds the target below
    the horizon, which it is) instead of a wrong distance."""
    r = geodetic_to_ecef([-SEONGJU[0], -SEONGJU[0] + 0.1], SEONGJU[1] - 180.0 + np.array(
        [0.0, 0.1]), 0.0)
    view = site_view(r, np.zeros((2, 3)), *SEONGJU, backend="compiled")
    assert np.isnan(view.ground_m).all()
    radar = get_radar("terminal").radar
    seen = look(radar, get_site("seongju").emplacement(), r, np.zeros((2, 3)), 1.0)
    assert not seen.visible.any()


def test_look_backends_agree() -> None:
    """A radar's look on the compiled geometry and on the libraries: the same statuses,
    SNRs to 1e-9 relative (the refraction is the same NumPy code on geometry equal to
    rounding); apparent elevations to 1e-8 deg, what 1 mm of ground distance (the
    geodesic's tolerance above) moves a ray over an effective Earth of 8,500 km."""
    radar = get_radar("forward-based").radar  # the longer instrumented range: more visible
    emp = get_site("seongju").emplacement()
    r, v = _targets(WGS84, 20_000, 11)
    ref = look(radar, emp, r, v, 0.1, "track", backend="numpy")
    got = look(radar, emp, r, v, 0.1, "track", backend="compiled")
    np.testing.assert_array_equal(got.status, ref.status)
    assert 0.05 < got.visible.mean() < 0.95
    np.testing.assert_allclose(got.snr, ref.snr, rtol=1e-9, atol=0)
    np.testing.assert_allclose(got.apparent_el_deg, ref.apparent_el_deg, rtol=0, atol=1e-8)


def test_unknown_backend() -> None:
    with pytest.raises(InputError, match="backend"):
        site_view(np.zeros((1, 3)), np.zeros((1, 3)), *SEONGJU, backend="gpu")  # type: ignore[arg-type]


def test_look_geometry_is_compiled_once() -> None:
    """Lists, read-only views, one target or a (k, m, 3) block reach the kernel as the same
    C-ordered float arrays: one compiled signature, not a compilation (seconds) per kind."""
    from thaadsim.physics import _geodesy_kernel

    r, v = _targets(WGS84, 6, 2)
    frozen = r.copy()
    frozen.setflags(write=False)
    for rr, vv in ((r, v), (frozen, v[0]), (r.tolist(), 0.0), (r.reshape(2, 3, 3), v[:1])):
        site_view(rr, vv, *SEONGJU)
    assert len(_geodesy_kernel.look_geometry.signatures) == 1
