"""Municipality settings: slugs, discovery from folders, validated YAML."""

from __future__ import annotations

import pytest

from servicetjek import config
from servicetjek.errors import InputError
from servicetjek.inputs import municipality


@pytest.mark.parametrize("name, slug", [
    ("Næstved", "naestved"), ("Slagelse", "slagelse"), ("Høje-Taastrup", "hoeje-taastrup"),
    ("Ærø", "aeroe"), ("Vesthimmerlands", "vesthimmerlands"), ("  Faaborg-Midtfyn ", "faaborg-midtfyn"),
    ("Aabenraa", "aabenraa"), ("Brønderslev", "broenderslev"), ("København", "koebenhavn"),
])
def test_slugify(name, slug):
    assert config.slugify(name) == slug


def test_bundled_municipalities_are_discovered():
    assert municipality.known_municipalities() == {"naestved": "Næstved", "slagelse": "Slagelse"}


@pytest.mark.parametrize("name", ["Næstved", "naestved", "NÆSTVED"])
def test_resolve_by_name_or_slug(name):
    assert municipality.resolve(name) == "naestved"


def test_a_known_municipality_is_resolved_without_reading_every_kommune_yaml(monkeypatch):
    """A batch of 98 resolves each municipality several times: by its folder, not by a scan of all."""
    def no_scan():
        raise AssertionError("every kommune.yaml was read")

    from servicetjek.inputs import discover

    monkeypatch.setattr(discover, "known_municipalities", no_scan)
    assert municipality.resolve("Næstved") == "naestved"
    assert municipality.resolve("SLAGELSE") == "slagelse"


def test_unknown_municipality_lists_the_known_ones():
    with pytest.raises(InputError) as err:
        municipality.resolve("Kalundborg")
    assert "Kalundborg" in str(err.value) and "Næstved (naestved)" in str(err.value)


def test_load_slagelse_settings():
    mun = municipality.load("Slagelse")
    assert mun.config.years.latest == 2019
    assert mun.config.years.extract_years == [2014, 2015, 2016, 2017, 2018, 2019]
    assert mun.groups.by_role("near_labour_market").short_name == "Vestsjælland"
    assert mun.areas[0] == "Slagelse" and "Hele landet" in mun.areas


def test_yaml_missing_field_names_file_and_field(tmp_path):
    path = tmp_path / "kommune.yaml"
    path.write_text("name: X\nreport: {title: T}\nyears: {status: [2018, 2019], longrun_start: 2017, "
                    "scenario: [2020]}\nnational_forecast: f\nprovenance: 'constructed: test'\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        municipality.load_yaml_model(path, municipality.KommuneConfig)
    assert "kommune.yaml" in str(err.value) and "'area'" in str(err.value)


def test_provenance_must_say_published_or_constructed(tmp_path):
    path = tmp_path / "kommune.yaml"
    path.write_text("name: X\narea: X\nreport: {title: T}\nyears: {status: [2018, 2019], longrun_start: 2017, "
                    "scenario: [2020]}\nnational_forecast: f\nprovenance: 'from somewhere'\n", encoding="utf-8")
    with pytest.raises(InputError, match="provenance"):
        municipality.load_yaml_model(path, municipality.KommuneConfig)


def test_scenario_years_after_status_years(tmp_path):
    path = tmp_path / "kommune.yaml"
    path.write_text("name: X\narea: X\nreport: {title: T}\nyears: {status: [2018, 2019], longrun_start: 2017, "
                    "scenario: [2019]}\nnational_forecast: f\nprovenance: 'constructed: t'\n", encoding="utf-8")
    with pytest.raises(InputError, match="scenario"):
        municipality.load_yaml_model(path, municipality.KommuneConfig)
