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
