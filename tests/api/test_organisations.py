import pytest

VALDEZ = "US-EIN-010564885"


@pytest.mark.django_db
def test_search_endpoint(api_client, us_registry):
    client = api_client(["organisations:read"])
    response = client.get("/api/v1/organisations", {"country": "US", "q": "valdez junior rifle"})
    assert response.status_code == 200
    body = response.json()
    assert body["results"][0]["org_id"] == VALDEZ
    assert set(body["results"][0]) >= {"org_id", "name", "status", "city", "score"}


@pytest.mark.django_db
def test_search_endpoint_bad_input_is_a_clear_error(api_client, us_registry):
    client = api_client(["organisations:read"])
    response = client.get("/api/v1/organisations", {"q": "x", "limit": 1000})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_input"
    response = client.get("/api/v1/organisations", {"q": 'NEAR("* OR', "country": "US"})
    assert response.status_code == 200


@pytest.mark.django_db
def test_lookup_endpoint(api_client, us_registry):
    client = api_client(["organisations:read"])
    body = client.get(f"/api/v1/organisations/{VALDEZ}").json()
    assert body["name"] == "VALDEZ JUNIOR RIFLE CLUB" and body["registry_number"] == "010564885"
    assert body["source"]["slug"] == "us-irs-bmf" and body["address"]["city"] == "VALDEZ"
    assert body["raw_codes"]["us-irs-bmf"]["SUBSECTION"] == "03"
    missing = client.get("/api/v1/organisations/US-EIN-999999999")
    assert missing.status_code == 404
    assert missing.json() == {
        "error": {"code": "organisation_not_found", "message": missing.json()["error"]["message"], "details": {}}
    }


@pytest.mark.django_db
def test_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/organisations" in spec["paths"] and "/api/v1/organisations/{org_id}" in spec["paths"]


def test_the_docs_page_loads_nothing_from_another_host(client):
    page = client.get("/api/v1/docs").content.decode()
    assert "swagger-ui-bundle.js" in page
    assert "cdn.jsdelivr" not in page and "https://" not in page.replace("https://swagger.io", "")
