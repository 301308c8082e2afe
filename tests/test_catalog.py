"""The threat catalog: every figure sourced, every missile reaching its published range."""

from __future__ import annotations

import pytest

from thaadsim.errors import CatalogError
from thaadsim.systems.catalog import get_missile, load_missiles, missile_catalog
from thaadsim.systems.threat import max_range_m

SLUGS = ["kn-02", "scud-b", "scud-c", "scud-er", "nodong", "musudan", "pukguksong-2", "kn-23",
         "hwasong-12", "hwasong-14", "hwasong-15", "mrl-240", "mrl-300",
         # today's arsenal (issue 16; tests/test_arsenal_catalog.py)
         "pukguksong-1", "pukguksong-3", "kn-24", "kn-25", "hwasong-17", "hwasong-18", "hwasong-19"]
# variants of the required missiles, each naming its original
VARIANTS = ["kn-23-enlarged", "kn-23-slbm", "kn-18"]
CHINA = ["df-5a", "df-31a", "df-41", "df-21a", "df-26"]  # issue 15 (tests/test_china_catalog.py)
CHINA_VARIANTS = ["df-5b", "df-31ag"]
GLIDERS = ["hwasong-8", "hwasong-16b"]  # issue 16, no published range (tests/test_glide.py)


def test_catalog_has_the_required_slugs_and_only_named_variants_besides():
    assert sorted(missile_catalog()) == sorted(SLUGS + VARIANTS + CHINA + CHINA_VARIANTS + GLIDERS)
    for slug in VARIANTS:
        assert get_missile(slug).variant_of in SLUGS
    for slug in CHINA_VARIANTS:
        assert get_missile(slug).variant_of in CHINA


def test_every_figure_has_a_source_or_an_assumption():
    for missile in missile_catalog().values():
        assert missile.figures, missile.slug
        for name, fig in missile.figures.items():
            text = fig.source or fig.assumption
            assert text and len(text.strip()) > 10, f"{missile.slug}.{name}"


QUICK_RANGE_SLUGS = ("scud-b", "nodong", "hwasong-15", "mrl-240")
"""One missile of each class flies its range in the quick run; every one in the whole suite."""


@pytest.mark.parametrize("slug", [s if s in QUICK_RANGE_SLUGS else pytest.param(
    s, marks=pytest.mark.slow) for s in SLUGS + VARIANTS])
def test_max_range_within_5_percent_of_published(slug):
    """Minimum-energy range with the published payload, non-rotating WGS84 Earth, against
    the published maximum range named in the catalog's source (tolerance 5%, the issue's)."""
    missile = get_missile(slug)
    published = missile.range_km.value * 1e3
    assert max_range_m(missile) == pytest.approx(published, rel=0.05)


def test_unknown_slug_lists_the_known_ones():
    with pytest.raises(CatalogError, match="unknown slug 'scud-z'.*scud-b.*hwasong-15"):
        get_missile("scud-z")


BASE = """
x-1:
  class: SRBM
  range_km: {value: 300, source: "a report"}
  payload_kg: {value: 1000, source: "a report"}
  diameter_m: {value: 0.88, source: "a report"}
  drag_coefficient: {value: 0.3, assumption: "typical value"}
  vertical_rise_s: {value: 5, assumption: "typical value"}
  reentry_beta_kgm2: {value: 5000, assumption: "typical value"}
  stages:
    - loaded_mass_kg: {value: 4860, source: "a report"}
      propellant_kg: {value: 3771, source: "a report"}
      isp_s: {value: 226, source: "a report"}
      burn_time_s: {value: 62, source: "a report"}
"""


def test_a_valid_user_catalog_loads(tmp_path):
    path = tmp_path / "cat.yaml"
    path.write_text(BASE)
    assert load_missiles(path)["x-1"].rocket.launch_mass_kg == pytest.approx(5860.0)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (('isp_s: {value: 226, source: "a report"}', "isp_s: {value: 226}"),
         r"cat.yaml: x-1.stages\[0\].isp_s: value 226 has neither a 'source' nor an 'assumption'"),
        (("isp_s: {value: 226,", "isp_s: {value: -226,"),
         r"x-1.stages\[0\].isp_s: value -226.0 must be positive"),
        (("isp_s: {value: 226,", "isp_s: {value: fast,"), r"x-1.stages\[0\].isp_s: value 'fast'"),
        (("class: SRBM", "class: ICMB"), r"x-1.class: 'ICMB' is not one of"),
        (("  payload_kg: {value: 1000, source: \"a report\"}\n", ""), r"x-1.payload_kg: missing"),
        (("propellant_kg: {value: 3771,", "propellant_kg: {value: 6000,"),
         r"propellant_kg: must be less than loaded_mass_kg"),
        (("  stages:\n", "  stages: []\n  old_stages:\n"),
         r"x-1.stages: expected a list of 1 to 3 stages"),
        (("x-1:", "x-1: ["), r"cat.yaml: not valid YAML"),
    ],
)
def test_bad_catalog_entries_are_named(tmp_path, edit, message):
    path = tmp_path / "cat.yaml"
    path.write_text(BASE.replace(*edit))
    with pytest.raises(CatalogError, match=message):
        load_missiles(path)


def test_a_stage_may_give_thrust_instead_of_specific_impulse(tmp_path):
    """T = Isp g0 mdot: 135.7 kN over 3771 kg / 62 s is Isp 227.5 s."""
    path = tmp_path / "cat.yaml"
    path.write_text(BASE.replace('isp_s: {value: 226, source: "a report"}',
                                 'thrust_kn: {value: 135.7, source: "a report"}'))
    stage = load_missiles(path)["x-1"].rocket.stages[0]
    assert stage.isp_s == pytest.approx(135.7e3 / (9.80665 * 3771 / 62))
    assert stage.thrust_n == pytest.approx(135.7e3)
    path.write_text(BASE.replace('isp_s: {value: 226, source: "a report"}',
                                 'isp_s: {value: 226, source: "a report"}\n'
                                 '      thrust_kn: {value: 135.7, source: "a report"}'))
    with pytest.raises(CatalogError, match="either isp_s or thrust_kn"):
        load_missiles(path)


def test_missing_catalog_file(tmp_path):
    with pytest.raises(CatalogError, match="cannot read"):
        load_missiles(tmp_path / "nope.yaml")
