"""GET /api/v1/programs/{slug}/precheck: public, per-client limited, in the request's language, typed in OpenAPI."""

import json

import pytest
from django.core.management import call_command

from programs.demo import DEMO_SLUG, program_demo_ensure
from programs.models import Program
from tests.coupons.factories import make_application
from tests.verification.conftest import FAITH_SCHOOL, POOL_ASSOCIATION, SALMON_CREEK, SPORTSPLEX, organisation
from verification.services.coupons import application_coupon_issue

URL = f"/api/v1/programs/{DEMO_SLUG}/precheck"


def error_of(response, status: int) -> dict:
    assert response.status_code == status, response.content
    return response.json()["error"]


@pytest.fixture
def program(db):
    return program_demo_ensure()


@pytest.mark.django_db
def test_an_eligible_charity_with_every_check_and_its_evidence(client, us_registry, program):
    response = client.get(URL, {"organisation": SALMON_CREEK.lower()})  # no key: public
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["organisation"] == {"id": SALMON_CREEK, "name": "SALMON CREEK HOUSING INC", "country": "US"}
    published = client.get(f"/api/v1/programs/{program.slug}/rules").json()["version"]
    assert body["outcome"] == "eligible" and body["rules_version"] == published >= 1  # the rulebook's number
    assert [c["check"] for c in body["checks"]] == [
        "registered",
        "charitable_status",
        "exclusions",
        "registry_income",
        "sanctioned_country",
        "supported_country",
    ]
    assert {c["outcome"] for c in body["checks"]} == {"pass"}
    status = next(c for c in body["checks"] if c["check"] == "charitable_status")
    assert status["code"] == "charitable_status_confirmed" and "501(c)(3)" in status["message"]
    assert status["evidence"]["field"] == "SUBSECTION" and status["evidence"]["value"] == "03"
    assert status["evidence"]["source"] == "us-irs-bmf" and status["evidence"]["source_date"]
    assert response["Content-Language"] == "en" and "Accept-Language" in response["Vary"]


@pytest.mark.django_db
def test_ineligible_in_french_from_accept_language_or_lang(client, us_registry, program):
    by_header = client.get(URL, {"organisation": FAITH_SCHOOL}, HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9")
    by_param = client.get(URL, {"organisation": FAITH_SCHOOL, "lang": "fr"}, HTTP_ACCEPT_LANGUAGE="en")
    for response in (by_header, by_param):
        body = response.json()
        assert response["Content-Language"] == "fr"
        assert body["outcome"] == "ineligible"
        [failure] = [c for c in body["checks"] if c["outcome"] == "fail"]
        assert failure["code"] == "excluded_education"
        assert "établissements" in failure["message"] or "écoles" in failure["message"].lower(), failure["message"]
        assert failure["evidence"]["education_program_url"] == "https://workplace.example/education"
    english = client.get(URL, {"organisation": FAITH_SCHOOL, "lang": "en"}).json()
    assert english["checks"] != by_param.json()["checks"]  # the same checks, in the other language
    assert [c["code"] for c in english["checks"]] == [c["code"] for c in by_param.json()["checks"]]

    pool = client.get(URL, {"organisation": POOL_ASSOCIATION}).json()
    assert pool["outcome"] == "ineligible"
    assert [c["code"] for c in pool["checks"] if c["outcome"] == "fail"] == ["not_charitable_status"]
    sportsplex = client.get(URL, {"organisation": SPORTSPLEX}).json()
    income = next(c for c in sportsplex["checks"] if c["check"] == "registry_income")
    assert income["code"] == "over_budget_cap" and income["evidence"]["value"] == 11_928_732_00


@pytest.mark.django_db
def test_needs_review_when_only_a_person_can_settle_it(client, us_registry, program):
    """An income in a currency the program has no rate for: a reviewer compares it with the cap."""
    Program.objects.filter(pk=program.pk).update(budget_currency="EUR", exchange_rates={})
    body = client.get(URL, {"organisation": SALMON_CREEK}).json()
    assert body["outcome"] == "needs_review"
    review = [c for c in body["checks"] if c["outcome"] == "review"]
    assert [c["code"] for c in review] == ["budget_unverifiable"] and review[0]["evidence"]["currency"] == "USD"


@pytest.mark.django_db
def test_clear_errors_with_stable_codes(client, us_registry, program):
    assert (
        error_of(client.get("/api/v1/programs/no-such/precheck", {"organisation": SALMON_CREEK}), 404)["code"]
        == "program_not_found"
    )
    Program.objects.filter(pk=program.pk).update(is_active=False)
    assert error_of(client.get(URL, {"organisation": SALMON_CREEK}), 404)["code"] == "program_not_found"
    Program.objects.filter(pk=program.pk).update(is_active=True)
    assert error_of(client.get(URL), 400)["code"] == "organisation_required"
    assert error_of(client.get(URL, {"organisation": "  "}), 400)["code"] == "organisation_required"
    for malformed in ("020713689", "US-EIN-", "US EIN 020713689", "US-EIN-02071'3689", "x" * 60):
        assert error_of(client.get(URL, {"organisation": malformed}), 400)["code"] == "organisation_id_invalid"
    unknown = error_of(client.get(URL, {"organisation": "US-EIN-999999999"}), 404)
    assert unknown["code"] == "organisation_not_found" and unknown["details"] == {"organisation": "US-EIN-999999999"}
    assert error_of(client.get(URL, {"organisation": "x" * 101}), 422)["code"] == "invalid_input"
    language = error_of(client.get(URL, {"organisation": SALMON_CREEK, "lang": "de"}), 400)
    assert language["code"] == "language_not_supported" and language["details"]["supported"] == ["en", "fr"]
    french = error_of(client.get(URL, {"organisation": "nope", "lang": "fr"}), 400)
    assert french["code"] == "organisation_id_invalid" and "identifiant" in french["message"]


@pytest.mark.django_db
def test_rate_limited_per_client_address(client, us_registry, program, settings):
    settings.PRECHECKS_PER_IP_PER_MINUTE = 3
    assert client.get(URL, {"organisation": SALMON_CREEK}).status_code == 200
    assert client.get(URL, {"organisation": "bad"}).status_code == 400  # errors count too: no free probing
    assert client.get(URL, {"organisation": SALMON_CREEK}).status_code == 200
    limited = client.get(URL, {"organisation": SALMON_CREEK})
    assert error_of(limited, 429)["code"] == "rate_limited" and limited["Retry-After"] == "60"
    assert client.get(URL, {"organisation": SALMON_CREEK}, REMOTE_ADDR="198.51.100.7").status_code == 200


@pytest.mark.django_db
def test_it_does_not_say_who_holds_a_coupon(client, us_registry, program):
    """The command (staff) reports the duplicate; the public pre-check leaves the question out (docs/decisions.md)."""
    application_coupon_issue(application=make_application(program, organisation(SALMON_CREEK)))
    body = client.get(URL, {"organisation": SALMON_CREEK}).json()
    assert body["outcome"] == "eligible" and "duplicates" not in {c["check"] for c in body["checks"]}
    assert "coupon" not in json.dumps(body).lower()
    out = __import__("io").StringIO()
    call_command("eligibility", SALMON_CREEK, "--json", stdout=out)
    assert json.loads(out.getvalue())["reasons"][0]["code"] == "duplicate_active_coupon"


@pytest.mark.django_db
def test_typed_in_the_openapi_document(client):
    document = client.get("/api/v1/openapi.json").json()
    operation = document["paths"]["/api/v1/programs/{slug}/precheck"]["get"]
    assert not operation.get("security")
    assert {p["name"] for p in operation["parameters"]} == {"slug", "organisation", "lang"}
    assert set(operation["responses"]) == {"200", "400", "404", "422", "429"}
    schema = document["components"]["schemas"]["PrecheckOut"]
    assert set(schema["properties"]) == {"organisation", "outcome", "rules_version", "checks"}
    assert schema["properties"]["outcome"]["enum"] == ["eligible", "ineligible", "needs_review"]
    check = document["components"]["schemas"]["PrecheckCheckOut"]
    assert set(check["properties"]) == {"check", "outcome", "code", "message", "evidence"}
