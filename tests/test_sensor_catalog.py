"""The sensor catalog (``sensors.yaml``): the fence of issue 15 part 3 as catalog sensors.

References: the sites' public coordinates (``sites.yaml``, each with its source); the
boresights are assumptions, and each states the bearings it is reasoned from. The checks
recompute those bearings (geodesic azimuths, pyproj/GeographicLib: exact to 1e-9 deg) and ask
that what the reasoning says is in the +-60 deg face is in it, and that every boresight lies
in its own stated range. The loader's refusals name the file, the entry, the field and what is
allowed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import thaadsim as ts
from thaadsim.errors import CatalogError
from thaadsim.physics.geodesy import geodesic_inverse
from thaadsim.systems.catalog import get_site, load_sensors, sensor_catalog
from thaadsim.systems.radar import Radar
from thaadsim.systems.sensors import (
    Sensor,
    get_sensor,
    sensor_at,
    sensor_boresight_figure,
    sensors_from_specs,
)

FENCE = ("shariki-forward-based", "kyogamisaki-forward-based", "seongju-terminal",
         "seongju-forward-based")


def _bearing_deg(site: str, to: str) -> float:
    a, b = get_site(site), get_site(to)
    return float(geodesic_inverse(a.lat_deg, a.lon_deg, b.lat_deg, b.lon_deg)[1]) % 360.0


def _off_deg(azimuth: float, boresight: float) -> float:
    return abs((azimuth - boresight + 180.0) % 360.0 - 180.0)


def test_the_fence_is_in_the_catalog() -> None:
    assert set(FENCE) <= set(sensor_catalog())
    for slug in FENCE:
        s = get_sensor(slug)
        assert isinstance(s, Sensor) and isinstance(s.radar, Radar)
        assert s.name == slug and s.battery is None
        entry = sensor_catalog()[slug]
        assert (s.site, s.mode) == (entry.site, ts.get_radar(entry.mode).mode)
        assert s.emplacement.lat_deg == get_site(s.site).lat_deg
        fig = sensor_boresight_figure(slug)
        assert fig.assumption and not fig.source  # not public: an assumption, said so
        assert fig.low is not None and fig.high is not None
        assert fig.low <= s.emplacement.boresight_deg <= fig.high
    assert get_sensor("seongju-terminal").radar.instrumented_range_m == 600e3
    assert get_sensor("seongju-forward-based").radar.instrumented_range_m == 2_000e3


def test_the_boresights_face_what_their_reasoning_says() -> None:
    """Every radar of the fence has North Korea in its face (its stated mission); each
    reasoning's named targets are within +-60 deg of the boresight."""
    for slug in FENCE:
        s = get_sensor(slug)
        half = s.radar.scan_half_width_deg
        assert _off_deg(_bearing_deg(s.site, "pyongyang"), s.emplacement.boresight_deg) < half
    fwd = get_sensor("seongju-forward-based").emplacement.boresight_deg
    for area in ("hanggin-silos", "beijing", "tonghua", "daqing"):
        assert _off_deg(_bearing_deg("seongju", area), fwd) < 60.0, area
    # the reasoning's bearings, to the degree it states them
    assert _bearing_deg("seongju", "hanggin-silos") == pytest.approx(290.0, abs=1.0)
    assert _bearing_deg("seongju", "daqing") == pytest.approx(348.0, abs=1.0)
    for area in ("xinyang", "beijing", "hanggin-silos", "tonghua", "yumen-silos", "daqing"):
        assert _off_deg(_bearing_deg("shariki", area),
                        get_sensor("shariki-forward-based").emplacement.boresight_deg) < 60.0
        assert _off_deg(_bearing_deg("kyogamisaki", area),
                        get_sensor("kyogamisaki-forward-based").emplacement.boresight_deg) < 60.0


def test_the_api_gives_catalog_sensors_and_takes_a_boresight() -> None:
    s = ts.get_sensor("kyogamisaki-forward-based")
    assert s == get_sensor("kyogamisaki-forward-based")
    assert ts.get_sensor("kyogamisaki-forward-based", 285.0).emplacement.boresight_deg == 285.0
    with pytest.raises(CatalogError, match="sensor: unknown slug 'nope'; known: shariki"):
        ts.get_sensor("nope")


def test_sensor_option_faces_the_catalog_boresight_unless_given() -> None:
    """``--sensor SITE:MODE``: the catalog sensor's boresight (Seongju forward-based: its
    own 320 deg, not the site's 330 deg); ``SITE:MODE:BORESIGHT`` overrides it; a site and
    mode with no catalog sensor faces the launch point, as before."""
    launch = (get_site("pyongyang").lat_deg, get_site("pyongyang").lon_deg)
    got = sensors_from_specs(["seongju:forward-based", "shariki:forward-based",
                              "shariki:forward-based:250", "seoul:terminal"], launch)
    bores = [s.emplacement.boresight_deg for s in got]
    assert bores[:3] == [320.0, 268.0, 250.0]
    assert bores[3] == pytest.approx(_bearing_deg("seoul", "pyongyang"), abs=1e-9)
    assert sensor_at("seongju", "forward-based").emplacement.boresight_deg == 320.0
    assert sensor_at("seongju", "terminal").emplacement.boresight_deg == 330.0


_GOOD = """
a:
  site: shariki
  mode: forward-based
  source: "x"
  boresight: site
"""


@pytest.mark.parametrize(("text", "message"), [
    (_GOOD.replace("site: shariki", "site: atlantis"), "a.site: 'atlantis' is not a site"),
    (_GOOD.replace("mode: forward-based", "mode: sideways"),
     "a.mode: 'sideways' is not allowed; allowed: an-tpy-2-forward"),
    (_GOOD.replace('source: "x"', ""), "a.source: missing"),
    (_GOOD + "  boresight_deg: {value: 10, assumption: y}\n", "give either boresight_deg"),
    (_GOOD.replace("boresight: site", ""), "give either boresight_deg"),
    (_GOOD.replace("boresight: site", "boresight_deg: {value: 400, assumption: y}"),
     r"a.boresight_deg: 400.0 is outside \[0, 360\)"),
    (_GOOD.replace("boresight: site", "boresight_deg: {value: 10}"),
     "has neither a 'source' nor an 'assumption'"),
    (_GOOD.replace("site: shariki", "site: seoul"), "site seoul has no boresight_deg"),
    (_GOOD + _GOOD.replace("a:", "b:"), "b and a: two sensors of mode forward-based at "
     "site shariki"),
])
def test_bad_sensor_catalogs_are_refused_with_the_field(tmp_path: Path, text: str,
                                                        message: str) -> None:
    path = tmp_path / "sensors.yaml"
    path.write_text(text)
    with pytest.raises(CatalogError, match=message):
        load_sensors(path)
    path.write_text(_GOOD)
    assert load_sensors(path)["a"].boresight.value == 268.0
