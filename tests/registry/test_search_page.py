import pytest


@pytest.mark.django_db
@pytest.mark.parametrize(("lang", "heading"), [("en", "Find an organisation"), ("fr", "Trouver une organisation")])
def test_search_page_in_both_languages(client, us_registry, lang, heading):
    response = client.get(f"/{lang}/organisations/", {"country": "US", "q": "valdez rifle"})
    assert response.status_code == 200
    html = response.content.decode()
    assert heading in html and "VALDEZ JUNIOR RIFLE CLUB" in html and "US-EIN-010564885" in html


@pytest.mark.django_db
def test_search_page_escapes_hostile_input(client, us_registry):
    response = client.get("/en/organisations/", {"q": "<script>alert(1)</script>"})
    assert response.status_code == 200
    assert b"<script>alert(1)</script>" not in response.content


@pytest.mark.django_db
def test_detail_page_and_unknown_id(client, us_registry):
    assert b"VALDEZ JUNIOR RIFLE CLUB" in client.get("/en/organisations/US-EIN-010564885/").content
    missing = client.get("/fr/organisations/US-EIN-000000000/")
    assert missing.status_code == 404 and b"organisation_not_found" in missing.content


@pytest.mark.django_db
def test_pages_autocomplete_needs_no_api_key(client, us_registry):
    body = client.get("/en/organisations/suggest/", {"q": "valdez junior rifle", "country": "US"}).json()
    assert body["results"][0]["org_id"] == "US-EIN-010564885"
    assert client.get("/en/organisations/suggest/", {"q": "", "limit": "x"}).json() == {"query": "", "results": []}
    assert client.post("/en/organisations/suggest/", {"q": "valdez"}).status_code == 405
