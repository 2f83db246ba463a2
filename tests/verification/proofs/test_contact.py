"""Confirmation by the contact the register publishes: the email, the answer page, the decision it settles."""

import re

import pytest
from django.utils import timezone

from core.models import AuditEntry
from notifications.models import OutboxEmail
from tests.verification.proofs.factories import gb_charity
from verification.models import CheckResult
from verification.proofs.contact import (
    contact_confirmation_answer,
    contact_confirmation_request,
    contact_offered,
)
from verification.services import application_submit

LINK = re.compile(r"https?://\S+/contact/([\w-]+)/")


@pytest.fixture
def draft(make_draft):
    gb_charity()
    return make_draft("GB-CHC-1234567", email="jo.director@gmail.com")


def _token(email="info@kindness-trust.org.uk"):
    message = OutboxEmail.objects.get(template="contact_confirmation", to=email)
    return message, LINK.search(message.body_text).group(1)


def _submit(application):
    return application_submit(application=application, ip="127.0.0.1", user_agent="pytest")


def test_a_confirmation_settles_the_representative_check(draft, client):
    assert contact_offered(application=draft)
    contact_confirmation_request(application=draft)
    message, token = _token()
    assert "Jo Director (jo.director@gmail.com)" in message.body_text and draft.reference in message.subject
    page = client.get(f"/en/programs/contact/{token}/")
    assert page.status_code == 200 and "Kindness Trust" in page.content.decode()
    assert _submit(draft).state == "in_review"  # no answer yet: a reviewer would check
    response = client.post(f"/en/programs/contact/{token}/", {"answer": "confirmed"})
    assert response.status_code == 200 and 'data-testid="contact-state"' in response.content.decode()
    draft.refresh_from_db()
    assert draft.state == "approved" and draft.decided_automatically
    check = CheckResult.objects.get(application=draft, rule="email_domain")
    assert (check.outcome, check.code, check.evidence["answer"]) == ("pass", "published_contact_confirmed", "confirmed")


def test_a_denial_rejects_with_its_code_and_flags_the_attempt(draft):
    contact_confirmation_request(application=draft)
    _, token = _token()
    contact_confirmation_answer(token=token, answer="denied", ip="203.0.113.9")
    assert _submit(draft).state == "rejected"
    assert [r["code"] for r in draft.decision_reasons] == ["published_contact_denied"]
    entry = AuditEntry.objects.get(action="contact_confirmation.denied")
    assert entry.after["flagged"] is True


def test_answers_once_and_expires_with_the_application(draft):
    contact_confirmation_request(application=draft)
    _, token = _token()
    with pytest.raises(Exception, match="expired") as info:
        contact_confirmation_answer(token=token, answer="confirmed", now=draft.expires_at)
    assert info.value.code == "contact_request_expired"
    with pytest.raises(Exception) as info:
        contact_confirmation_answer(token="not-a-token", answer="confirmed")
    assert info.value.code == "contact_link_invalid"


def test_asked_once_and_not_offered_at_the_same_domain(draft, make_draft):
    contact_confirmation_request(application=draft)
    assert not contact_offered(application=draft)
    with pytest.raises(Exception) as info:
        contact_confirmation_request(application=draft)
    assert info.value.code == "contact_already_asked"
    same = make_draft("GB-CHC-1234567", email="jo@kindness-trust.org.uk", now=timezone.now())
    assert not contact_offered(application=same)


def test_the_confirm_page_offers_it_in_both_languages(client, draft):
    session = client.session
    session["vouch_drafts"] = {draft.program.slug: draft.token}
    session.save()
    for lang, label in (
        ("en", "Ask the published contact to confirm"),
        ("fr", "Demander au contact publié de confirmer"),
    ):
        html = client.get(f"/{lang}/programs/{draft.program.slug}/apply/confirm/").content.decode()
        assert "info@kindness-trust.org.uk" in html and label in html
    response = client.post(f"/en/programs/{draft.program.slug}/apply/contact/")
    assert response.status_code == 302
    assert OutboxEmail.objects.filter(template="contact_confirmation").count() == 1


def test_the_back_office_shows_the_proofs(draft, client, reviewer):
    contact_confirmation_request(application=draft)
    _, token = _token()
    contact_confirmation_answer(token=token, answer="denied")
    from tests.staff import staff_login

    staff_login(client, reviewer)  # the back-office asks staff for a second factor
    response = client.get(f"/en/review/applications/{draft.reference}/")
    assert response.status_code == 200, (response.status_code, response.get("Location"))
    html = response.content.decode()
    assert "Proofs" in html and "info@kindness-trust.org.uk" in html and 'data-testid="contact-state-denied"' in html
