"""The rules page and the FAQ, in both languages, and the program page's summary linking to them."""

import pytest


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ["Rules of Workplace for Nonprofits", "Rules version 1", "Government body", "Webinars", "Add-on"]),
        ("fr", ["Règles de Workplace pour les associations", "Version 1 des règles", "Organisme public", "Module"]),
    ],
)
def test_the_rules_page(program, client, language, expected):
    page = client.get(f"/{language}/programs/{program.slug}/rules/")
    html = page.content.decode()
    assert page.status_code == 200
    for text in expected:
        assert text in html
    assert f"/api/v1/programs/{program.slug}/rules" in html


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ["previous nonprofit partner", "does not refund", "only add licences", "already used", "sales-tax"]),
        ("fr", ["partenaire précédent", "ne rembourse pas", "uniquement ajouter des licences", "déjà été utilisé"]),
    ],
)
def test_the_faq_answers_from_the_program_settings(program, client, language, expected):
    html = client.get(f"/{language}/programs/{program.slug}/faq/").content.decode()
    for text in expected:
        assert text in html
    assert "https://workplace.example/support" in html and "https://workplace.example/education" in html
    program.support_contact = "help@vendor.example"
    program.save()
    assert "help@vendor.example" in client.get(f"/{language}/programs/{program.slug}/faq/").content.decode()


def test_the_program_page_summarises_the_rules_and_links_to_them(program, client):
    en = client.get(f"/en/programs/{program.slug}/").content.decode()
    assert "The rules in short" in en and f"/en/programs/{program.slug}/rules/" in en
    assert f"/en/programs/{program.slug}/faq/" in en and "Cloud Storage" in en
    fr = client.get(f"/fr/programs/{program.slug}/").content.decode()
    assert "<h1>Workplace pour les associations</h1>" in fr and "Les règles en bref" in fr


def test_a_closed_or_unknown_program_has_no_rules_page(program, client):
    assert client.get("/en/programs/nope/rules/").status_code == 404
    program.is_active = False
    program.save()
    assert client.get(f"/en/programs/{program.slug}/faq/").status_code == 404


def test_the_rules_page_groups_the_countries_that_send_the_same_documents(program, client):
    """A program open to every country lists each register country, then one row per set of documents (not the same
    list 240 times); every country keeps its anchor."""
    program.country_documents = {"DE": ["registration_certificate", "statutes"]}
    program.save()
    html = client.get(f"/fr/programs/{program.slug}/rules/").content.decode()
    rows = html.split('data-testid="countries"')[1].split("</table>")[0].count("<tr")
    assert rows == 1 + 4 + 2  # the heading, AU FR GB US, Germany's own documents, every other country
    assert "autres pays et régions" in html and 'id="country-NZ"' in html and 'id="country-DE"' in html
    assert 'id="country-KP"' not in html  # sanctioned: not offered
