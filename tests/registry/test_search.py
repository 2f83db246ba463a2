"""Search finds what people type, on both backends (the suite runs on SQLite and on PostgreSQL)."""

import io
import json

import pytest
from django.core.management import call_command

from registry.search.engine import search_organisations

BMF = "us/irs_eo_bmf"


def top(query: str, **kwargs) -> str | None:
    hits = search_organisations(query=query, **kwargs)
    return hits[0].org_id if hits else None


def ids(query: str, limit: int = 5, **kwargs) -> list[str]:
    return [hit.org_id for hit in search_organisations(query=query, limit=limit, **kwargs)]


VALDEZ = "US-EIN-010564885"  # VALDEZ JUNIOR RIFLE CLUB, Valdez AK
ANCHORAGE_MH = {"US-EIN-010604986", "US-EIN-510152394"}  # ANCHORAGE COMMUNITY MENTAL HEALTH SERVICES (INC)


@pytest.mark.django_db
def test_exact_name_any_case_and_legal_form_noise(us_registry):
    assert top("VALDEZ JUNIOR RIFLE CLUB") == VALDEZ
    assert top("valdez junior rifle club") == VALDEZ
    assert top("The Valdez Junior Rifle Club, Inc.") == VALDEZ
    hit = search_organisations(query="Valdez Junior Rifle Club")[0]
    assert hit.match == "exact" and hit.city == "VALDEZ" and hit.status == "active"


@pytest.mark.django_db
def test_accents_and_word_order(us_registry):
    assert top("Váldez Júnior Rîfle Club") == VALDEZ
    assert VALDEZ in ids("rifle club valdez junior")


@pytest.mark.django_db
def test_one_typo_per_word(us_registry):
    assert top("valdez junir rifle club") == VALDEZ  # deletion
    assert top("valdez juniro rifle clbu") == VALDEZ  # swaps
    assert top("valdex junior rifle club") == VALDEZ  # substitution
    assert set(ids("anchorge community mentall health", limit=2)) == ANCHORAGE_MH


@pytest.mark.django_db
def test_prefixes_as_typed(us_registry):
    assert top("valdez junior rif") == VALDEZ
    assert set(ids("anchorage community mental he", limit=2)) == ANCHORAGE_MH
    assert all(h.match in {"prefix", "exact"} for h in search_organisations(query="anchorage comm", limit=5))


@pytest.mark.django_db
def test_registry_numbers_in_common_forms(us_registry):
    for form in ("01-0564885", "010564885", "US-EIN-010564885", " 01 0564885 "):
        assert top(form) == VALDEZ, form
    assert search_organisations(query="010564885")[0].match == "number"


@pytest.mark.django_db
def test_country_filter(us_registry):
    assert top("valdez junior rifle club", country="US") == VALDEZ
    assert top("valdez junior rifle club", country="GB") is None


@pytest.mark.django_db
def test_active_before_removed_and_larger_first(us_registry, django_db_blocker):
    from registry.models import Organisation

    Organisation.objects.filter(org_id="US-EIN-010604986").update(status="removed")
    assert ids("anchorage community mental health services", limit=2)[0] == "US-EIN-510152394"
    Organisation.objects.filter(org_id="US-EIN-010604986").update(status="active", income_minor=10**12)
    Organisation.objects.filter(org_id="US-EIN-510152394").update(income_minor=1)
    hits = search_organisations(query="anchorage community mental health services", limit=2)
    assert hits[0].org_id == "US-EIN-010604986" and hits[0].score >= hits[1].score


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        '"',
        "'",
        '"valdez',
        "NEAR(",
        "NEAR(valdez rifle, 2)",
        "*",
        "valdez*",
        "OR",
        "valdez OR rifle",
        "AND NOT",
        "^valdez",
        "col:valdez",
        "-",
        "%",
        "_",
        "\\",
        "x" * 10_000,
        "valdez " * 2000,
        "\x00\x01\x02valdez\x7f",
        "",
        "   ",
        "🙂🙂",
        "ß",
        "'; DROP TABLE registry_organisation; --",
        "{}",
        "()",
        "a",
        "1",
        "0" * 500,
    ],
)
def test_hostile_queries_never_fail(us_registry, query):
    hits = search_organisations(query=query, limit=5)
    assert isinstance(hits, list) and len(hits) <= 5


@pytest.mark.django_db
def test_search_command_json_batch_in_input_order(us_registry, tmp_path):
    batch = tmp_path / "queries.txt"
    batch.write_text("valdez junior rifle club\nNEAR(\n\n010564885\n", encoding="utf-8")
    out = io.StringIO()
    call_command("search_registry", "--batch", str(batch), "--json", "--limit", "3", stdout=out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [line["query"] for line in lines] == ["valdez junior rifle club", "NEAR(", "", "010564885"]
    assert lines[0]["results"][0]["org_id"] == VALDEZ
    assert set(lines[0]["results"][0]) == {"org_id", "name", "status", "score"}
    assert lines[2]["results"] == []
    out = io.StringIO()
    call_command("search_registry", "--country", "US", "valdez rifle", stdout=out)
    assert "US-EIN-010564885" in out.getvalue()


@pytest.fixture
def other_registers(registries, import_files):
    import_files("gb-oscr", registries / "uk-scotland" / "CharityExport-Removed-06-Jul-2020.slice.csv")
    import_files("au-acnc", registries / "australia" / "acnc_datadotgov_main.slice.csv")
    import_files("fr-rna", registries / "france" / "rna_waldec_dpt_976_rows_from_spec.csv")


@pytest.mark.django_db
def test_registry_numbers_of_other_registers(other_registers):
    assert top("SC000007") == "GB-SC-SC000007"
    assert top("sc 000007") == "GB-SC-SC000007"
    assert top("GB-SC-SC000007") == "GB-SC-SC000007"
    assert top("W9T1002867") == "FR-RNA-W9T1002867"
    assert top("55 403 574 164") == "AU-ABN-55403574164"
    assert top("55403574164", country="AU") == "AU-ABN-55403574164"


@pytest.mark.django_db
def test_removed_organisations_are_found_and_shown_removed(other_registers):
    hit = search_organisations(query="Castlecary School Fund")[0]
    assert hit.org_id == "GB-SC-SC000007" and hit.status == "removed"


@pytest.mark.django_db
def test_french_names_with_accents_and_apostrophes(other_registers):
    assert top("la vie d\u2019un agriculteur et la vie d\u2019un animal", country="FR") == "FR-RNA-W9T1002867"
    assert top("vie dun agriculteur", country="FR") == "FR-RNA-W9T1002867"
    assert top("LA VIE D'UN AGRICULTEUR & LA VIE D'UN ANIMAL") == "FR-RNA-W9T1002867"
