"""Hosted invites: POST/GET /api/v1/invites, then the applicant's way through the real hosted pages (email code over
a real SMTP server) back to the partner's redirect_url."""

import html
import json
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from partners.models import Invite
from partners.services import partner_create
from tests.verification.conftest import SALMON_CREEK
from tests.verification.test_journey_helpers import CODE_LINE, VALDEZ, apply_url, post_ok
from verification.models import Application

pytestmark = pytest.mark.django_db
URL = "/api/v1/invites"
RETURN_LINK = re.compile(r'<a class="button" href="([^"]+)"[^>]*>Return to Acme Store</a>')


def post(client, data: dict, **headers):
    return client.post(URL, json.dumps(data), content_type="application/json", headers=headers)


def error(response) -> dict:
    return response.json()["error"]


@pytest.fixture
def writer(api_client, us_registry):
    return api_client(["applications:write", "applications:read"])


def path_of(url: str) -> str:
    assert url.startswith(settings.PUBLIC_BASE_URL + "/")
    return url.removeprefix(settings.PUBLIC_BASE_URL)


def test_an_invite_is_a_link_to_the_hosted_journey(writer):
    before = timezone.now()
    response = post(writer, {"redirect_url": "https://store.example/nonprofit/done?cart=42"})
    assert response.status_code == 201, response.content
    invite = response.json()
    assert re.fullmatch(r"inv_[0-9a-z]{20}", invite["id"]) and invite["state"] == "pending"
    assert re.fullmatch(r"/en/programs/invite/[A-Za-z0-9_-]{43}/", path_of(invite["url"]))
    expires_at = timezone.datetime.fromisoformat(invite["expires_at"])
    assert timedelta(hours=71, minutes=59) < expires_at - before <= timedelta(hours=72, seconds=5)
    shown = writer.get(f"{URL}/{invite['id']}").json()
    assert {key: shown[key] for key in ("id", "url", "state", "redirect_url", "prefill")} == {
        key: invite[key] for key in ("id", "url", "state", "redirect_url", "prefill")
    }
    french = post(
        writer, {"redirect_url": "http://localhost:3000/back", "expires_in_hours": 720, "prefill": {"language": "fr"}}
    ).json()
    assert "/fr/programs/invite/" in french["url"] and french["prefill"]["language"] == "fr"


@pytest.mark.parametrize(
    "redirect_url",
    [
        "javascript:alert(1)",
        "http://store.example/back",
        "https://user:secret@store.example/back",
        "https://@store.example/",
        "ftp://store.example/",
        "https://",
        "//store.example/back",
        "store.example",
        "https://store.example/a b",
        "https://store.example/\nSet-Cookie:x",
        "data:text/html,hi",
        "https://exa\x00mple",
        "https://store.example:port/",
    ],
)
def test_redirect_urls_that_could_be_abused_are_refused(writer, redirect_url):
    response = post(writer, {"redirect_url": redirect_url})
    assert response.status_code == 400, (redirect_url, response.content)
    assert error(response)["code"] in {"redirect_url_invalid", "invalid_input"}
    assert not Invite.objects.exists()


@pytest.mark.parametrize(
    ("data", "status", "code"),
    [
        ({"expires_in_hours": 0}, 422, "invalid_input"),
        ({"expires_in_hours": 721}, 422, "invalid_input"),
        ({"prefill": {"org_id": "US-EIN-999999999"}}, 404, "organisation_not_found"),
        ({"prefill": {"org_id": SALMON_CREEK, "country": "GB"}}, 400, "country_mismatch"),
        ({"prefill": {"country": "KP"}}, 400, "country_not_supported"),  # sanctioned: never offered
        ({"prefill": {"email": "nobody@"}}, 400, "email_invalid"),
        ({"prefill": {"language": "es"}}, 422, "invalid_input"),
    ],
)
def test_prefill_is_checked_like_the_journey_would(writer, data, status, code):
    response = post(writer, {"redirect_url": "https://store.example/back", **data})
    assert response.status_code == status and error(response)["code"] == code
    assert not Invite.objects.exists()


def test_the_same_idempotency_key_creates_one_invite(writer):
    data = {"redirect_url": "https://store.example/back", "external_id": "cust-9"}
    first = post(writer, data, **{"Idempotency-Key": "inv-1"})
    again = post(writer, data, **{"Idempotency-Key": "inv-1"})
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert Invite.objects.count() == 1
    reused = post(writer, {**data, "external_id": "cust-10"}, **{"Idempotency-Key": "inv-1"})
    assert reused.status_code == 409 and error(reused)["code"] == "idempotency_key_reused"


def test_scope_and_visibility(api_client, writer, partner, key_admin, make_key):
    invite = post(writer, {"redirect_url": "https://store.example/back"}).json()
    reader = api_client(["applications:read", "coupons:redeem"])
    refused = reader.post(
        URL, json.dumps({"redirect_url": "https://store.example/back"}), content_type="application/json"
    )
    assert refused.status_code == 403 and error(refused)["code"] == "scope_missing"
    assert reader.get(f"{URL}/{invite['id']}").json()["id"] == invite["id"]  # reading needs applications:read
    write_only = api_client(["applications:write"]).get(f"{URL}/{invite['id']}")
    assert write_only.status_code == 403 and error(write_only)["details"]["required_scope"] == "applications:read"
    other = partner_create(name="Beta", program=partner.program, actor=key_admin, sees_all_applications=True)
    stranger = Client(headers={"Authorization": f"Bearer {make_key(['applications:read'], partner=other)[1]}"})
    for invite_id in (invite["id"], "inv_00000000000000000000", "nope"):
        response = stranger.get(f"{URL}/{invite_id}")
        assert response.status_code == 404 and error(response)["code"] == "invite_not_found"


def test_the_applicant_goes_through_the_hosted_pages_and_back_to_the_partner(writer, smtp_server):
    from notifications.sender import outbox_send_due

    invite = post(
        writer,
        {
            "redirect_url": "https://store.example/nonprofit/done?cart=42&vouch_status=forged",
            "external_id": "cust-42",
            "prefill": {"email": "Director@SalmonCreekHousing.org", "org_id": SALMON_CREEK},
        },
    ).json()
    browser = Client()
    landing = browser.get(path_of(invite["url"]))
    assert landing.status_code == 200 and "Acme Store invited you" in landing.content.decode()
    post_ok(browser, path_of(invite["url"]), {"budget": "50000"})
    application = Application.objects.get(invite__public_id=invite["id"])
    program = application.program
    assert application.organisation.org_id == SALMON_CREEK and application.country == "US"
    assert application.partner.name == "Acme Store" and application.declared_budget_minor == 5_000_000
    assert application.email == "Director@salmoncreekhousing.org" and application.email_verified_at is None

    # A second click on the link in the same browser goes back to the draft; the organisation and country came
    # with the invite, so the journey starts at the applicant's name.
    assert browser.get(path_of(invite["url"]))["Location"] == apply_url(program, "representative")
    assert Client().get(path_of(invite["url"])).status_code == 410  # another browser: the link is used
    assert browser.get(apply_url(program, "organisation")).status_code == 200
    post_ok(
        browser, apply_url(program, "representative"), {"applicant_name": "Dana Fisher"}, apply_url(program, "email")
    )
    assert 'value="Director@salmoncreekhousing.org"' in browser.get(apply_url(program, "email")).content.decode()
    post_ok(
        browser, apply_url(program, "email"), {"email": "Director@salmoncreekhousing.org"}, apply_url(program, "code")
    )
    assert outbox_send_due()["sent"] == 1
    [message] = smtp_server.messages_to("Director@salmoncreekhousing.org")
    post_ok(
        browser,
        apply_url(program, "code"),
        {"code": CODE_LINE.search(smtp_server.text(message)).group(1)},
        apply_url(program, "confirm"),
    )
    draft_status = browser.get(f"/en/programs/status/{application.token}/").content.decode()
    assert "Return to Acme Store" not in draft_status  # not before the application is submitted
    post_ok(
        browser,
        apply_url(program, "confirm"),
        {"represents": "on", "accepts": "on"},
        f"/en/programs/status/{application.token}/",
    )

    status = browser.get(f"/en/programs/status/{application.token}/").content.decode()
    application.refresh_from_db()
    assert application.state == "in_review"
    link = urlsplit(html.unescape(RETURN_LINK.search(status).group(1)))
    assert (link.scheme, link.netloc, link.path) == ("https", "store.example", "/nonprofit/done")
    assert parse_qs(link.query) == {
        "cart": ["42"],
        "vouch_reference": [application.reference],
        "vouch_status": ["in_review"],
        "vouch_invite": [invite["id"]],
        "external_id": ["cust-42"],
    }

    used = writer.get(f"{URL}/{invite['id']}").json()
    assert used["state"] == "used" and used["application_reference"] == application.reference
    assert used["url"] is None and used["used_at"]
    assert writer.get(f"/api/v1/applications/{application.reference}").json()["invite_id"] == invite["id"]
    again = Client().get(path_of(invite["url"]))
    assert again.status_code == 410 and "already used" in again.content.decode()


def test_the_return_link_follows_later_decisions(writer, django_user_model):
    from verification.services import application_approve, application_submit

    invite = post(writer, {"redirect_url": "http://127.0.0.1:8080/cb", "prefill": {"org_id": VALDEZ}}).json()
    browser = Client()
    post_ok(browser, path_of(invite["url"]), {"budget": "1000"})
    application = Application.objects.get(invite__public_id=invite["id"])
    Application.objects.filter(pk=application.pk).update(
        applicant_name="Jo", email="jo@valdezrifle.org", email_verified_at=timezone.now()
    )
    application.refresh_from_db()
    application_submit(application=application, ip="198.51.100.9", user_agent="test")
    reviewer = django_user_model.objects.create_user("rita", "rita@verifier.example", "x", is_staff=True)
    application_approve(application=application, actor=reviewer)
    status = browser.get(f"/en/programs/status/{application.token}/").content.decode()
    query = parse_qs(urlsplit(html.unescape(RETURN_LINK.search(status).group(1))).query, keep_blank_values=True)
    assert query["vouch_status"] == ["approved"] and query["external_id"] == [""]


def test_an_expired_or_unknown_invite_says_so_in_the_applicants_language(writer):
    invite = post(writer, {"redirect_url": "https://store.example/back", "prefill": {"language": "fr"}}).json()
    Invite.objects.filter(public_id=invite["id"]).update(expires_at=timezone.now() - timedelta(seconds=1))
    expired = Client().get(path_of(invite["url"]))
    assert expired.status_code == 410
    assert '<html lang="fr"' in expired.content.decode()  # the page's texts are translatable (French in the .po)
    assert Client().post(path_of(invite["url"]), {"budget": "100"}).status_code == 410
    assert not Application.objects.exists()
    assert writer.get(f"{URL}/{invite['id']}").json()["state"] == "expired"
    unknown = Client().get("/en/programs/invite/no-such-token/")
    assert unknown.status_code == 404 and "invitation link is not valid" in unknown.content.decode()


def test_a_budget_over_the_cap_leaves_the_invite_unused(writer):
    invite = post(writer, {"redirect_url": "https://store.example/back"}).json()
    over = Client().post(path_of(invite["url"]), {"budget": "10000000.01"})
    assert over.status_code == 200 and "Talk to our sales team" in over.content.decode()
    assert writer.get(f"{URL}/{invite['id']}").json()["state"] == "pending"
