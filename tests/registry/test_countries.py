"""Every ISO 3166 country and region, named in both languages, and which of them have a register."""

from importlib import import_module

from django.utils import translation

from registry.countries import (
    REGISTER_COUNTRIES,
    country_choices,
    country_codes,
    country_exists,
    country_has_register,
    country_name,
    register_country_choices,
)
from registry.importers import IMPORTERS


def test_the_countries_with_a_register_are_those_the_importers_import():
    countries = set()
    for dotted in IMPORTERS.values():
        module, _, name = dotted.rpartition(".")
        importer = getattr(import_module(module), name)
        if importer.authoritative:
            countries.add(importer.country)
    assert countries == REGISTER_COUNTRIES
    assert country_has_register("fr") and not country_has_register("DE") and not country_has_register("")


def test_every_iso_3166_country_and_region_is_known():
    codes = country_codes()
    assert len(codes) == len(set(codes)) == 249
    assert {"DE", "NZ", "AQ", "AX", "CI", "PS", "TW", "HK", "PR", "RE", "VA"} <= set(codes)
    assert country_exists("nz") and not country_exists("ZZ") and not country_exists("")


def test_names_follow_the_active_language():
    with translation.override("fr"):
        assert (country_name("DE"), country_name("GB"), country_name("CI")) == (
            "Allemagne",
            "Royaume-Uni",
            "Côte d'Ivoire",
        )
    with translation.override("en"):
        assert (country_name("DE"), country_name("GB"), country_name("CI")) == (
            "Germany",
            "United Kingdom",
            "Côte d'Ivoire",
        )
    assert country_name("zz") == "ZZ"


def test_choices_are_sorted_by_the_localised_name_ignoring_accents():
    with translation.override("fr"):
        names = [name for _code, name in country_choices()]
        assert names.index("Égypte") < names.index("Équateur") < names.index("Érythrée") < names.index("Espagne")
        assert names.index("Émirats arabes unis") < names.index("Estonie") < names.index("Fidji")
        assert [code for code, _name in register_country_choices()] == ["AU", "US", "FR", "GB"]
    with translation.override("en"):
        names = [name for _code, name in country_choices()]
        assert names.index("Åland Islands") < names.index("Albania")
        assert [code for code, _name in register_country_choices()] == ["AU", "FR", "GB", "US"]
