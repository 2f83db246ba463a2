"""GET /api/v1/programs/{slug}/rules: public, labelled in the request's language, cached by ETag, and valid against
the schema the OpenAPI document publishes."""

import jsonschema
import pytest


def test_the_rules_json_lists_what_decides(program, client):
    response = client.get(f"/api/v1/programs/{program.slug}/rules")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    rules = response.json()
    assert rules["slug"] == program.slug and rules["name"] == "Workplace for Nonprofits" and rules["version"] == 1
    assert rules["budget_cap"] == {"amount_minor": 1_000_000_000, "currency": "USD"}
    assert [row["code"] for row in rules["exclusions"]] == ["school", "higher_education", "government", "political"]
    assert rules["exclusions"][2]["label"] == "Government body"
    countries = {row["code"]: row for row in rules["countries"]}
    # The demo program takes every country but the sanctioned ones; the four with an imported register say which.
    assert {"US", "GB", "AU", "FR", "NZ", "DE"} <= set(countries) and "KP" not in countries
    assert {r["slug"] for r in countries["GB"]["registers"]} == {"gb-ccew", "gb-oscr", "gb-ccni"}
    assert countries["FR"]["registers"] == [{"slug": "fr-rna", "name": "Répertoire National des Associations (RNA)"}]
    with_registers = {code for code, row in countries.items() if row["registers"]}
    assert with_registers == {"US", "GB", "AU", "FR"}
    assert all(countries[code]["documents"] == [] for code in with_registers)
    assert [d["code"] for d in countries["NZ"]["documents"]] == [
        "registration_certificate",
        "statutes",
        "annual_accounts",
    ]
    products = {row["code"]: row for row in rules["products"]}
    assert products["webinars"] == {"code": "webinars", "name": "Webinars", "kind": "add_on", "billing_cycle": "annual"}
    assert products["workplace-pro"]["kind"] == "base_plan" and "room-connector" not in products
    assert rules["decision_promise_business_days"] == 3
    assert (rules["terms_version"], rules["privacy_version"]) == ("2026-11", "2026-11")


def test_a_country_without_a_register_lists_its_accepted_documents(program, client):
    program.supported_countries = ["DE", "FR"]
    program.country_documents = {"DE": ["registration_certificate", "statutes"]}
    program.save()
    rules = client.get(f"/api/v1/programs/{program.slug}/rules").json()
    germany = next(row for row in rules["countries"] if row["code"] == "DE")
    assert germany["registers"] == [] and [d["code"] for d in germany["documents"]] == [
        "registration_certificate",
        "statutes",
    ]


def test_labels_follow_the_request_language(program, client):
    rules = client.get(f"/api/v1/programs/{program.slug}/rules", HTTP_ACCEPT_LANGUAGE="fr").json()
    assert rules["name"] == "Workplace pour les associations"
    assert rules["exclusions"][2]["label"] == "Organisme public"
    names = {row["code"]: row["name"] for row in rules["countries"]}
    assert (names["GB"], names["US"]) == ("Royaume-Uni", "États-Unis d'Amérique")  # django-countries' own French names
    assert {row["code"]: row["name"] for row in rules["sanctioned_countries"]}["KP"] == "Corée du Nord"


def test_etag_and_if_none_match(program, client):
    url = f"/api/v1/programs/{program.slug}/rules"
    first = client.get(url)
    etag = first["ETag"]
    assert etag.startswith('"') and first["Vary"] == "Accept-Language"
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    program.discount_percent = 30
    program.save()
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert client.get(url, HTTP_ACCEPT_LANGUAGE="fr")["ETag"] != changed["ETag"]


def test_an_unknown_program_is_a_404_in_the_error_shape(db, client):
    response = client.get("/api/v1/programs/nope/rules")
    assert response.status_code == 404 and response.json()["error"]["code"] == "program_not_found"


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_live_response_validates_against_the_published_schema(program, client, language):
    document = client.get("/api/v1/openapi.json").json()
    operation = document["paths"]["/api/v1/programs/{slug}/rules"]["get"]
    assert operation.get("security") in (None, [])  # public: no key
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    schema = {**schema, "components": document["components"]}
    rules = client.get(f"/api/v1/programs/{program.slug}/rules", HTTP_ACCEPT_LANGUAGE=language).json()
    jsonschema.validate(rules, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**rules, "budget_cap": {"amount_minor": "ten"}}, schema)
