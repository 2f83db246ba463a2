"""Every ISO 3166 country can be chosen; where Vouch imports no register, the applicant describes the organisation
by hand with that country's accepted documents, and the status page and the reviewer name them."""

import re

import pytest
from django.test import Client

from tests.staff import staff_login
from tests.verification.test_journey_helpers import (
    apply_url,
    current_application,
    demo_program,
    make_staff,
    post_ok,
    submit,
    walk_to_confirm,
)
from verification.models import ApplicationState

pytestmark = pytest.mark.django_db

MANUAL = {
    "manual_name": "Kiwi Coastal Trust",
    "manual_registry_number": "CC12345",
    "manual_website": "https://kiwicoastal.org.nz",
    "manual_address": "1 Queen Street, Auckland",
}


@pytest.fixture
def program(db):
    return demo_program()


def _options(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<option value="([A-Z]{2})"[^>]*>([^<]+)</option>', html)


def _start(client, program, lang: str = "en"):
    post_ok(client, f"/{lang}/programs/{program.slug}/", {"budget": "25000"}, apply_url(program, "country", lang))


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_country_step_offers_every_country_but_the_sanctioned_in_one_plain_select(client, program, lang):
    _start(client, program, lang)
    html = client.get(apply_url(program, "country", lang)).content.decode()
    searched, _sep, everything = html.partition("</optgroup>")
    first = [code for code, _name in _options(searched)]
    all_countries = _options(everything)
    codes = [code for code, _name in all_countries]
    assert sorted(first) == ["AU", "FR", "GB", "US"]  # the countries whose register is searched come first
    assert len(codes) == len(set(codes)) == 249 - len(program.sanctioned_countries)
    assert {"DE", "NZ", "CI", "TW", "AQ"} <= set(codes) and not {"KP", "IR", "RU"} & set(codes)
    names = dict(all_countries)
    if lang == "fr":
        assert (names["DE"], names["NZ"], names["GB"]) == ("Allemagne", "Nouvelle-Zélande", "Royaume-Uni")
        assert codes.index("EG") < codes.index("ES")  # Égypte before Espagne: accents do not sort after Z
    else:
        assert (names["DE"], names["NZ"]) == ("Germany", "New Zealand")
        assert codes.index("AX") < codes.index("AL")  # Åland Islands among the As
    assert "<script" not in html.split("<main", 1)[1].split("</main>", 1)[0]  # nothing needs JavaScript


def test_a_sanctioned_or_unknown_country_is_refused(client, program):
    _start(client, program)
    for code in ("KP", "ZZ", ""):
        response = client.post(apply_url(program, "country"), {"country": code})
        assert response.status_code == 400, code
    assert current_application(client, program).country == ""


@pytest.mark.parametrize(
    ("lang", "country", "heading", "document"),
    [
        ("en", "NZ", "Documents accepted for New Zealand", "Certificate of registration from the national register"),
        ("fr", "DE", "Documents acceptés pour le pays « Allemagne »", "Statuts"),
    ],
)
def test_a_country_without_register_goes_straight_to_add_your_organisation(
    client, program, lang, country, heading, document
):
    _start(client, program, lang)
    post_ok(client, apply_url(program, "country", lang), {"country": country}, apply_url(program, "organisation", lang))
    search = client.get(apply_url(program, "organisation", lang))
    manual_url = f"/{lang}/programs/{program.slug}/apply/organisation/manual/"
    assert search.status_code == 302 and search["Location"] == manual_url  # nothing to search
    page = client.get(manual_url).content.decode().replace("&#x27;", "'").replace("&quot;", '"')
    assert heading in page and document in page
    # Back returns to the country (not to a search that would send the applicant here again).
    response = client.post(manual_url, {"back": "1"})
    assert response["Location"] == apply_url(program, "country", lang)


def test_a_country_with_a_register_still_searches_it(client, program):
    _start(client, program)
    post_ok(client, apply_url(program, "country"), {"country": "FR"}, apply_url(program, "organisation"))
    assert client.get(apply_url(program, "organisation")).status_code == 200


def test_manual_application_from_new_zealand_names_the_documents_to_the_applicant_and_the_reviewer(
    client, program, django_user_model
):
    walk_to_confirm(client, program, country="NZ", manual=MANUAL, email="jo@kiwicoastal.org.nz")
    application = submit(client, program)
    assert application.country == "NZ" and application.is_manual
    assert application.state == ApplicationState.NEEDS_INFORMATION  # documents first, then a reviewer
    status = client.get(f"/en/programs/status/{application.token}/").content.decode()
    assert "For New Zealand we accept:" in status
    assert "Certificate of registration from the national register" in status
    assert "Statutes or articles of association, signed and dated" in status
    reviewer = staff_login(Client(), make_staff(django_user_model))
    page = reviewer.get(f"/fr/review/applications/{application.reference}/").content.decode()
    assert (
        "Nouvelle-Zélande" in page
        and "registration_certificate" in page
        and "Documents acceptés par le programme" in page
    )


def test_the_api_takes_a_manual_organisation_from_any_country(program):
    from verification.services.intake import intake_country_set, intake_start

    application = intake_start(program=program, language="en", budget_minor=100_00)
    assert intake_country_set(application=application, country="nz").country == "NZ"
