"""POST/GET /api/v1/applications on the real BMF sample: drafts a partner starts and the applicant finishes on the
hosted pages, validation codes, visibility between partners, idempotency and cursor paging."""

import json
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from core.models import AuditEntry
from notifications.models import OutboxEmail
from partners.services import partner_create
from programs.models import Program
from tests.verification.conftest import SALMON_CREEK, SPORTSPLEX
from tests.verification.test_journey_helpers import MOSES_BROWN, VALDEZ, apply_url, outbox_code, post_ok
from verification.models import Application
from verification.services import application_submit

pytestmark = pytest.mark.django_db
URL = "/api/v1/applications"


def body(**overrides) -> dict:
    data = {
        "org_id": SALMON_CREEK,
        "applicant_name": "Dana Fisher",
        "email": "Dana@SalmonCreekHousing.org",
        "budget": {"amount_minor": 4_000_000, "currency": "USD"},
        "language": "en",
    }
    return {**data, **overrides}


def post(client, data: dict, **headers):
    return client.post(URL, json.dumps(data), content_type="application/json", headers=headers)


def error(response) -> dict:
    return response.json()["error"]


@pytest.fixture
def writer(api_client, us_registry):
    return api_client(["applications:write", "applications:read"])


def test_a_partner_starts_a_draft_and_the_applicant_is_emailed_the_continue_link(writer, partner, smtp_server):
    from notifications.sender import outbox_send_due

    response = post(writer, body())
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["state"] == "draft" and created["organisation"]["org_id"] == SALMON_CREEK
    assert created["email"] == "Dana@salmoncreekhousing.org" and created["email_verified"] is False
    assert created["declared_budget"] == {"amount_minor": 4_000_000, "currency": "USD"}
    application = Application.objects.get(reference=created["reference"])
    assert application.partner == partner and application.program == partner.program
    assert application.accepted_at is None and application.terms_version == ""  # only the applicant accepts
    assert created["continue_url"] == f"{settings.PUBLIC_BASE_URL}/en/programs/status/{application.token}/"
    assert created["status_url"] == created["continue_url"]

    assert outbox_send_due()["sent"] == 1
    [message] = smtp_server.messages_to("Dana@salmoncreekhousing.org")
    assert created["reference"] in message["Subject"]
    text = smtp_server.text(message)
    assert created["continue_url"] in text and "Acme Store" in text and "SALMON CREEK HOUSING" in text


def test_the_applicant_confirms_the_email_and_accepts_the_terms_on_the_hosted_pages(writer, partner):
    created = post(writer, body()).json()
    application = Application.objects.get(reference=created["reference"])
    program = application.program
    browser = Client()  # the applicant's, with no session yet
    path = created["continue_url"].removeprefix(settings.PUBLIC_BASE_URL)
    assert "Not submitted yet" in browser.get(path).content.decode()
    post_ok(browser, path + "resume/", {}, apply_url(program, "code"))  # a code is sent on the way
    code_page = browser.get(apply_url(program, "code")).content.decode()
    assert "Dana@salmoncreekhousing.org" in code_page
    post_ok(
        browser,
        apply_url(program, "code"),
        {"code": outbox_code("Dana@salmoncreekhousing.org")},
        apply_url(program, "confirm"),
    )
    post_ok(
        browser,
        apply_url(program, "confirm"),
        {"represents": "on", "accepts": "on"},
        f"/en/programs/status/{application.token}/",
    )
    application.refresh_from_db()
    assert application.state == "in_review" and application.accepted_ip == "127.0.0.1"

    detail = writer.get(f"{URL}/{application.reference.lower()}").json()
    assert detail["state"] == "in_review" and detail["email_verified"] and detail["continue_url"] is None
    assert detail["due_at"] and detail["submitted_at"]
    checks = {check["rule"]: check for check in detail["checks"]}
    assert checks["registered"]["outcome"] == "pass" and checks["registered"]["evidence"]["record"] == SALMON_CREEK
    assert {"rule", "outcome", "code", "message", "evidence"} <= set(detail["checks"][0])


def test_a_second_resume_does_not_send_another_code(writer):
    created = post(writer, body()).json()
    path = created["continue_url"].removeprefix(settings.PUBLIC_BASE_URL) + "resume/"
    Client().post(path)
    Client().post(path)
    assert OutboxEmail.objects.filter(template="verification_code").count() == 1


def test_decision_reasons_come_back_with_the_rejection(writer):
    created = post(writer, body(org_id=MOSES_BROWN, email="head@mosesbrown.org")).json()
    application = Application.objects.get(reference=created["reference"])
    Application.objects.filter(pk=application.pk).update(email_verified_at=timezone.now())
    application.refresh_from_db()
    application_submit(application=application, ip="198.51.100.4", user_agent="test")
    detail = writer.get(f"{URL}/{application.reference}").json()
    assert detail["state"] == "rejected" and detail["decided_at"]
    assert [reason["code"] for reason in detail["decision_reasons"]] == ["excluded_education"]


def test_an_organisation_added_by_hand(writer):
    manual = {
        "legal_name": "Association Les Amis du Quartier",
        "registry_number": "W751234567",
        "country": "fr",
        "website": "https://amis-quartier.example",
        "address": "1 rue de la Paix\r\n75002 Paris",
    }
    response = post(
        writer,
        body(org_id=None, organisation=manual, language="fr", budget={"amount_minor": 2_000_000, "currency": "EUR"}),
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["organisation"] is None and created["manual_organisation"]["legal_name"].startswith("Association")
    assert created["manual_organisation"]["country"] == "FR" and created["language"] == "fr"
    assert created["declared_budget"] == {"amount_minor": 2_160_000, "currency": "USD"}  # EUR at the program's rate
    assert "/fr/programs/status/" in created["continue_url"]
    assert OutboxEmail.objects.get(template="application_continue").language == "fr"


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"org_id": "US-EIN-999999999"}, 404, "organisation_not_found"),
        ({"org_id": None}, 400, "organisation_required"),
        ({"organisation": {"legal_name": "X", "country": "FR", "address": "Paris"}}, 400, "organisation_required"),
        ({"email": "not an email"}, 400, "email_invalid"),
        ({"email": "dana@"}, 400, "email_invalid"),
        ({"applicant_name": "   "}, 400, "invalid_input"),
        ({"applicant_name": "Dana\x00Fisher"}, 400, "invalid_input"),
        ({"budget": {"amount_minor": 1_000_000_001, "currency": "USD"}}, 400, "over_budget_cap"),
        ({"budget": {"amount_minor": 100, "currency": "JPY"}}, 400, "budget_currency_not_supported"),
        ({"budget": {"amount_minor": -1, "currency": "USD"}}, 422, "invalid_input"),
        ({"language": "de"}, 422, "invalid_input"),
        (
            {"org_id": None, "organisation": {"legal_name": "Verein", "country": "KP", "address": "Pyongyang"}},
            400,
            "country_not_supported",
        ),
    ],
)
def test_invalid_requests_are_refused_with_a_code_and_create_nothing(writer, change, status, code):
    response = post(writer, body(**change))
    assert response.status_code == status, response.content
    assert error(response)["code"] == code
    assert not Application.objects.exists() and not OutboxEmail.objects.exists()


def test_over_the_cap_points_to_sales(writer, partner):
    response = post(writer, body(org_id=SPORTSPLEX, budget={"amount_minor": 1_200_000_000, "currency": "USD"}))
    assert error(response)["details"]["sales_contact_url"] == partner.program.sales_contact_url


def test_scopes_are_enforced(api_client, us_registry):
    reader, writer = api_client(["applications:read"]), api_client(["applications:write"])
    refused = post(reader, body())
    assert refused.status_code == 403 and error(refused)["details"]["required_scope"] == "applications:write"
    assert writer.get(URL).status_code == 403 and error(writer.get(URL))["code"] == "scope_missing"
    assert Client().get(URL).status_code == 401


@pytest.fixture
def partners(partner, key_admin, make_key):
    """Two resellers of the demo program (each sees its own), the vendor (`partner`, sees all), and the vendor
    of another program."""
    other_program = Program.objects.create(
        slug="other-program",
        name="Other",
        vendor_name="Other Inc",
        terms_version="1",
        privacy_version="1",
    )
    made = {"vendor": partner}
    for name, program, sees_all in (
        ("alpha", partner.program, False),
        ("beta", partner.program, False),
        ("elsewhere", other_program, True),
    ):
        made[name] = partner_create(name=name.title(), program=program, actor=key_admin, sees_all_applications=sees_all)
    return {name: Client(headers={"Authorization": f"Bearer {make_key(partner=p)[1]}"}) for name, p in made.items()}


def test_each_partner_sees_what_it_brought_and_the_vendor_sees_all(partners, us_registry):
    reference = post(partners["alpha"], body()).json()["reference"]
    journey_only = Application.objects.create(
        program=Program.objects.get(slug="workplace-nonprofit"),
        token="t" * 43,
        reference="VCH-00000000",
        expires_at=timezone.now() + timedelta(days=30),
    )
    for name, sees in (("alpha", True), ("vendor", True), ("beta", False), ("elsewhere", False)):
        detail = partners[name].get(f"{URL}/{reference}")
        assert detail.status_code == (200 if sees else 404), name
        if not sees:
            assert error(detail)["code"] == "application_not_found"  # as if it did not exist
        listed = [item["reference"] for item in partners[name].get(URL).json()["results"]]
        assert listed == ([reference] if name == "alpha" else [reference, journey_only.reference] if sees else [])
    assert partners["alpha"].get(f"{URL}/{journey_only.reference}").status_code == 404
    assert partners["alpha"].get(f"{URL}/VCH-NOPE").status_code == 404


def test_the_same_idempotency_key_creates_once(writer):
    first = post(writer, body(), **{"Idempotency-Key": "order-77"})
    again = post(writer, body(), **{"Idempotency-Key": "order-77"})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert Application.objects.count() == 1 and OutboxEmail.objects.count() == 1
    reused = post(writer, body(applicant_name="Somebody Else"), **{"Idempotency-Key": "order-77"})
    assert reused.status_code == 409 and error(reused)["code"] == "idempotency_key_reused"
    assert post(writer, body(), **{"Idempotency-Key": "order-78"}).status_code == 201
    assert Application.objects.count() == 2


def test_paging_through_every_application_with_filters(writer, partner):
    made = [
        post(writer, body(applicant_name=f"Applicant {i}", org_id=(SALMON_CREEK, VALDEZ)[i % 2])).json()
        for i in range(5)
    ]
    seen, cursor, pages = [], None, 0
    while True:
        page = writer.get(URL, {"limit": 2, **({"cursor": cursor} if cursor else {})}).json()
        seen += [item["reference"] for item in page["results"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == 3 and seen == [item["reference"] for item in made]
    assert [i["reference"] for i in writer.get(URL, {"org_id": VALDEZ.lower()}).json()["results"]] == [
        made[1]["reference"],
        made[3]["reference"],
    ]
    assert len(writer.get(URL, {"state": "draft", "country": "us"}).json()["results"]) == 5
    assert writer.get(URL, {"state": "approved"}).json() == {"results": [], "next_cursor": None}
    later = (timezone.now() + timedelta(minutes=1)).isoformat()
    assert writer.get(URL, {"created_after": later}).json()["results"] == []
    assert len(writer.get(URL, {"created_before": later}).json()["results"]) == 5
    assert writer.get(URL, {"limit": 101}).status_code == 422


def test_updated_since_includes_old_applications_that_changed(writer):
    old, fresh = (post(writer, body(applicant_name=name)).json()["reference"] for name in ("Old", "Fresh"))
    long_ago = timezone.now() - timedelta(days=10)
    Application.objects.filter(reference__in=[old, fresh]).update(created_at=long_ago)
    AuditEntry.objects.filter(object_type="application").update(at=long_ago)
    since = timezone.now() - timedelta(days=1)
    assert writer.get(URL, {"updated_since": since.isoformat()}).json()["results"] == []
    application = Application.objects.get(reference=old)
    Application.objects.filter(pk=application.pk).update(email_verified_at=timezone.now())
    application.refresh_from_db()
    application_submit(application=application, ip=None, user_agent="")
    listed = writer.get(URL, {"updated_since": since.isoformat()}).json()["results"]
    assert [item["reference"] for item in listed] == [old]


@pytest.mark.parametrize("cursor", ["garbage", "", "x" * 500, "WzEsMl0:1v2abc:forged", "%00"])
def test_a_cursor_the_api_did_not_hand_out_is_refused(writer, cursor):
    post(writer, body())
    post(writer, body(applicant_name="Two"))
    response = writer.get(URL, {"cursor": cursor, "limit": 1})
    if cursor == "":
        assert response.status_code == 200  # no cursor: the first page
        return
    assert response.status_code == 400 and error(response)["code"] == "invalid_cursor"


def test_a_tampered_cursor_is_refused(writer):
    for name in ("One", "Two", "Three"):
        post(writer, body(applicant_name=name))
    cursor = writer.get(URL, {"limit": 1}).json()["next_cursor"]
    value, _sep, signature = cursor.rpartition(":")
    tampered = value[:-1] + ("A" if value[-1] != "A" else "B") + ":" + signature
    response = writer.get(URL, {"limit": 1, "cursor": tampered})
    assert response.status_code == 400 and error(response)["code"] == "invalid_cursor"
    assert writer.get(URL, {"limit": 1, "cursor": cursor}).status_code == 200


def test_dates_must_be_rfc3339_with_an_offset(writer):
    post(writer, body())
    assert writer.get(URL, {"updated_since": "0.5"}).status_code == 422  # pydantic alone takes it as Unix time
    assert writer.get(URL, {"created_before": "2026-11-29T10:00:00"}).status_code == 422
    assert len(writer.get(URL, {"created_before": "2999-01-01T00:00:00+02:00"}).json()["results"]) == 1


@pytest.mark.parametrize(
    ("who", "scopes", "links"),
    [
        ("creator", ["applications:write", "applications:read"], True),
        ("creator", ["applications:read"], False),
        ("vendor", ["applications:write", "applications:read"], False),
        ("vendor", ["applications:read"], False),
    ],
)
def test_the_applicants_links_go_only_to_the_creator_with_the_write_scope(
    partner, key_admin, make_key, us_registry, who, scopes, links
):
    """status_url/continue_url act as the applicant: the vendor (sees every application) and a read-only key get
    state and decision, never the links."""
    alpha = partner_create(name="Alpha", program=partner.program, actor=key_admin, sees_all_applications=False)
    creator = Client(headers={"Authorization": f"Bearer {make_key(partner=alpha)[1]}"})
    created = post(creator, body()).json()
    assert created["status_url"] and created["continue_url"]
    owner = alpha if who == "creator" else partner
    client = Client(headers={"Authorization": f"Bearer {make_key(scopes, partner=owner)[1]}"})
    detail = client.get(f"{URL}/{created['reference']}").json()
    listed = client.get(URL).json()["results"]
    assert detail["state"] == "draft" and [item["reference"] for item in listed] == [created["reference"]]
    for shown in (detail, listed[0]):
        if links:
            assert shown["status_url"] == created["status_url"] and shown["continue_url"] == created["continue_url"]
        else:
            assert shown["status_url"] is None and shown["continue_url"] is None
            assert Application.objects.get(reference=created["reference"]).token not in json.dumps(shown)


def test_an_application_from_the_hosted_journey_has_no_links_for_any_partner(partner, api_client):
    journey_only = Application.objects.create(
        program=Program.objects.get(slug="workplace-nonprofit"),
        token="t" * 43,
        reference="VCH-00000001",
        expires_at=timezone.now() + timedelta(days=30),
    )
    detail = api_client().get(f"{URL}/{journey_only.reference}").json()
    assert detail["reference"] == journey_only.reference and detail["status_url"] is None


@pytest.mark.parametrize("name", ["Dana\nFisher", "Dana\r\nFisher", "Dana\tFisher", "Dana\u2029Fisher"])
def test_the_applicants_name_must_be_one_line(writer, name):
    refused = post(writer, body(applicant_name=name))
    assert refused.status_code == 400
    assert error(refused)["code"] == "invalid_input" and error(refused)["details"]["field"] == "applicant_name"
    assert not Application.objects.exists()
