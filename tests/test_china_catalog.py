"""China's strategic and regional missiles, their launch areas and targets, and the forward-based
TPY-2 sites in Japan (issue 15): every figure sourced or an assumption with its range."""

from __future__ import annotations

import pytest

from thaadsim.physics.geodesy import geodesic_inverse
from thaadsim.systems.catalog import site_catalog

# Published coordinates (Japanese Wikipedia '車力分屯基地' and '経ヶ岬通信所'), degrees.
FORWARD_BASED = {"shariki": (40.98333, 140.35861), "kyogamisaki": (35.76667, 135.19528)}


@pytest.mark.parametrize("slug", sorted(FORWARD_BASED))
def test_forward_based_site_lies_at_its_published_coordinates(slug):
    """Within 1 km of the published position (the precision of a whole-second coordinate
    of a base, not of the radar pad)."""
    site = site_catalog()[slug]
    lat, lon = FORWARD_BASED[slug]
    distance_m = float(geodesic_inverse(site.lat_deg, site.lon_deg, lat, lon)[0])
    assert distance_m < 1_000.0


@pytest.mark.parametrize("slug", sorted(FORWARD_BASED))
def test_forward_based_boresight_is_an_assumption_that_faces_north_korea(slug):
    """The pointing is not public: it must be marked an assumption with a range, and that range
    must contain the bearing to Pyongyang within the TPY-2's +-60 deg scan (radars.yaml)."""
    site, pyongyang = site_catalog()[slug], site_catalog()["pyongyang"]
    bore = site.figures["boresight_deg"]
    assert bore.source is None and bore.assumption
    assert bore.low is not None and bore.high is not None and bore.low < bore.value < bore.high
    bearing = float(geodesic_inverse(site.lat_deg, site.lon_deg,
                                     pyongyang.lat_deg, pyongyang.lon_deg)[1]) % 360.0
    assert abs((bearing - bore.value + 180.0) % 360.0 - 180.0) < 20.0
    assert site.emplacement().boresight_deg == bore.value


@pytest.mark.parametrize("slug", sorted(FORWARD_BASED))
def test_forward_based_altitude_is_an_assumption_with_a_range(slug):
    alt = site_catalog()[slug].figures["alt_m"]
    assert (alt.source or alt.assumption) and alt.low is not None and alt.high is not None
    assert alt.low <= alt.value <= alt.high


LAUNCH_AREAS = ["yumen-silos", "hami-silos", "hanggin-silos", "tongdao", "xinyang", "daqing",
                "tonghua"]
TARGETS = ["washington-dc", "new-york", "los-angeles", "seattle", "honolulu", "anchorage",
           "andersen-afb"]


@pytest.mark.parametrize("slug", LAUNCH_AREAS + TARGETS)
def test_launch_areas_and_targets_say_where_each_figure_comes_from(slug):
    """Every figure has a source, or is an assumption with its range (low..high)."""
    for name, fig in site_catalog()[slug].figures.items():
        text = fig.source or fig.assumption
        assert text and len(text.strip()) > 10, f"{slug}.{name}"
        if fig.source is None:
            assert fig.low is not None and fig.high is not None, f"{slug}.{name}"
            assert fig.low <= fig.value <= fig.high, f"{slug}.{name}"


def test_hami_field_lies_where_fas_places_it_from_yumen():
    """FAS (Korda & Kristensen, 26 Jul 2021): the Hami field is 380 km northwest of the Yumen
    field; the catalog's Hami centre is derived from that, so it must lie 380 +- 5 km away on
    a bearing within 315 +- 10 deg."""
    sites = site_catalog()
    y, h = sites["yumen-silos"], sites["hami-silos"]
    dist_m, az_deg, _ = geodesic_inverse(y.lat_deg, y.lon_deg, h.lat_deg, h.lon_deg)
    assert float(dist_m) == pytest.approx(380e3, abs=5e3)
    assert abs(float(az_deg) % 360.0 - 315.0) < 10.0


def test_targets_are_in_the_united_states_hemisphere_and_launch_areas_in_china():
    """Guards against a sign slip in a longitude (west is negative): the U.S. targets except
    Guam lie west of the antimeridian in the western hemisphere, China's launch areas in 73-135 E
    and 18-54 N (China's extent)."""
    sites = site_catalog()
    for slug in TARGETS:
        s = sites[slug]
        assert (s.lon_deg < -60.0) or slug == "andersen-afb", slug
    assert 144.0 < sites["andersen-afb"].lon_deg < 146.0
    for slug in LAUNCH_AREAS:
        s = sites[slug]
        assert 73.0 < s.lon_deg < 135.0 and 18.0 < s.lat_deg < 54.0, slug
