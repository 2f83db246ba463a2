"""The one-time email code: the services, and the code step of the journey that shows their errors."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.emails import email_normalise
from core.errors import ApplicationError, InvalidInput
from notifications.models import OutboxEmail
from tests.verification.test_journey_helpers import (
    VALDEZ,
    apply_url,
    current_application,
    demo_program,
    expire_challenges,
    outbox_code,
    post_ok,
)
from verification.email_challenges import (
    MAX_ATTEMPTS,
    CodeExpired,
    CodeInvalid,
    TooManyAttempts,
    TooManyCodes,
    email_challenge_send,
    email_challenge_verify,
)
from verification.models import EmailChallenge

pytestmark = pytest.mark.django_db


@pytest.fixture
def program(db):
    return demo_program()


@pytest.fixture
def draft(program):
    from verification.services import application_start

    return application_start(program=program, language="en")


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_send_normalises_the_email_stores_only_a_hash_and_queues_the_email(draft):
    challenge = email_challenge_send(application=draft, email="  Jo.Smith@Example.ORG ")
    assert challenge.email == "Jo.Smith@example.org"
    draft.refresh_from_db()
    assert draft.email == "Jo.Smith@example.org" and draft.email_verified_at is None
    code = outbox_code("jo.smith@example.org")
    assert code not in challenge.code_hash and len(challenge.code_hash) <= 128
    assert abs(challenge.expires_at - challenge.created_at - timedelta(minutes=15)) < timedelta(seconds=5)
    message = OutboxEmail.objects.get(dedupe_key=f"verification_code:{challenge.pk}")
    assert draft.reference in message.body_text and "15 minutes" in message.body_text
    assert email_challenge_verify(application=draft, code=code).email_verified_at is not None


def test_invalid_email_is_refused(draft):
    for email in ("not-an-email", "jo@", "jo@localhost", "a@b.test"):
        with pytest.raises(InvalidInput) as error:
            email_challenge_send(application=draft, email=email)
        assert error.value.code == "email_invalid"
    assert email_normalise("Jo@MÜNCHEN.de") == "Jo@xn--mnchen-3ya.de"


def test_wrong_code_counts_an_attempt(draft):
    challenge = email_challenge_send(application=draft, email="jo@example.org")
    code = outbox_code("jo@example.org")
    for bad in (wrong(code), "abc", "", "1234567"):
        with pytest.raises(CodeInvalid):
            email_challenge_verify(application=draft, code=bad)
    challenge.refresh_from_db()
    assert challenge.attempts == 4 and challenge.used_at is None
    draft.refresh_from_db()
    assert draft.email_verified_at is None
    email_challenge_verify(application=draft, code=f" {code[:3]} {code[3:]} ")  # pasted with spaces


def test_too_many_attempts_even_with_the_right_code(draft):
    email_challenge_send(application=draft, email="jo@example.org")
    code = outbox_code("jo@example.org")
    for _ in range(MAX_ATTEMPTS):
        with pytest.raises(CodeInvalid):
            email_challenge_verify(application=draft, code=wrong(code))
    with pytest.raises(TooManyAttempts) as error:
        email_challenge_verify(application=draft, code=code)
    assert error.value.code == "too_many_attempts" and error.value.http_status == 429


def test_expired_code(draft):
    email_challenge_send(application=draft, email="jo@example.org")
    code = outbox_code("jo@example.org")
    expire_challenges(draft)
    with pytest.raises(CodeExpired) as error:
        email_challenge_verify(application=draft, code=code)
    assert error.value.code == "code_expired"


def test_a_new_code_retires_the_previous_one(draft):
    email_challenge_send(application=draft, email="jo@example.org")
    first = outbox_code("jo@example.org")
    email_challenge_send(application=draft, email="jo@example.org")
    second = outbox_code("jo@example.org")
    if first != second:
        with pytest.raises(CodeInvalid):
            email_challenge_verify(application=draft, code=first)
    email_challenge_verify(application=draft, code=second)
    with pytest.raises(CodeExpired) as error:  # used: a code works once
        email_challenge_verify(application=draft, code=second)
    assert error.value.code == "code_not_sent"


def test_resend_limits_per_hour_and_in_all(draft):
    for _ in range(3):
        email_challenge_send(application=draft, email="jo@example.org")
    with pytest.raises(TooManyCodes) as error:
        email_challenge_send(application=draft, email="jo@example.org")
    assert error.value.code == "too_many_codes" and error.value.http_status == 429
    # An hour later three more may be sent, up to ten in all.
    for batch in (3, 3, 1):
        EmailChallenge.objects.filter(application=draft).update(created_at=timezone.now() - timedelta(hours=2))
        for _ in range(batch):
            email_challenge_send(application=draft, email="jo@example.org")
    assert EmailChallenge.objects.filter(application=draft).count() == 10
    EmailChallenge.objects.filter(application=draft).update(created_at=timezone.now() - timedelta(days=2))
    with pytest.raises(TooManyCodes) as error:
        email_challenge_send(application=draft, email="jo@example.org")
    assert "contact" in str(error.value.message)


def test_changing_a_verified_email_needs_a_new_proof(draft):
    email_challenge_send(application=draft, email="jo@example.org")
    email_challenge_verify(application=draft, code=outbox_code("jo@example.org"))
    email_challenge_send(application=draft, email="other@example.org")
    draft.refresh_from_db()
    assert draft.email == "other@example.org" and draft.email_verified_at is None


def test_submitted_application_takes_no_codes(draft):
    draft.state = "in_review"
    draft.save()
    with pytest.raises(ApplicationError) as error:
        email_challenge_send(application=draft, email="jo@example.org")
    assert error.value.code == "application_not_draft"


# --- the code step of the journey -----------------------------------------------------------------------------


@pytest.fixture
def at_code_step(client, program, us_registry):
    post_ok(client, f"/en/programs/{program.slug}/", {"budget": "100"})
    post_ok(client, apply_url(program, "country"), {"country": "US"})
    post_ok(client, apply_url(program, "organisation"), {"org_id": VALDEZ})
    post_ok(client, apply_url(program, "representative"), {"applicant_name": "Jo"})
    post_ok(client, apply_url(program, "email"), {"email": "jo@valdezrifle.org"}, apply_url(program, "code"))
    return current_application(client, program)


def test_code_step_shows_errors_next_to_the_field(client, program, at_code_step):
    code = outbox_code("jo@valdezrifle.org")
    response = client.post(apply_url(program, "code"), {"code": wrong(code)})
    assert response.status_code == 400 and b"This code is not right" in response.content
    expire_challenges(at_code_step)
    response = client.post(apply_url(program, "code"), {"code": code})
    assert response.status_code == 400 and b"This code has expired" in response.content


def test_code_step_too_many_attempts(client, program, at_code_step):
    code = outbox_code("jo@valdezrifle.org")
    for _ in range(MAX_ATTEMPTS):
        client.post(apply_url(program, "code"), {"code": wrong(code)})
    response = client.post(apply_url(program, "code"), {"code": code})
    assert response.status_code == 429 and b"Too many wrong codes" in response.content
    # A new code starts a new count.
    post_ok(client, f"/en/programs/{program.slug}/apply/code/resend/", {}, apply_url(program, "code"))
    post_ok(
        client, apply_url(program, "code"), {"code": outbox_code("jo@valdezrifle.org")}, apply_url(program, "confirm")
    )


def test_resend_link_is_limited(client, program, at_code_step):
    resend = f"/en/programs/{program.slug}/apply/code/resend/"
    assert client.get(resend).status_code == 405  # sending mail is never a GET
    post_ok(client, resend, {})
    post_ok(client, resend, {})
    page = client.post(resend, {}, follow=True).content.decode()
    assert "Too many codes were sent in the last hour" in page
    assert EmailChallenge.objects.filter(application=at_code_step).count() == 3


def test_same_verified_email_skips_a_new_code(client, program, at_code_step):
    post_ok(client, apply_url(program, "code"), {"code": outbox_code("jo@valdezrifle.org")})
    post_ok(client, apply_url(program, "email"), {"email": "JO@valdezrifle.org"}, apply_url(program, "confirm"))
    assert EmailChallenge.objects.filter(application=at_code_step).count() == 1
    post_ok(client, apply_url(program, "email"), {"email": "director@valdezrifle.org"}, apply_url(program, "code"))
    assert client.get(apply_url(program, "confirm"))["Location"] == apply_url(program, "code")


def test_one_address_gets_a_limited_number_of_codes_across_applications(program):
    from verification.email_challenges import MAX_CODES_PER_ADDRESS_PER_HOUR
    from verification.services import application_start

    for _ in range(MAX_CODES_PER_ADDRESS_PER_HOUR):
        email_challenge_send(application=application_start(program=program, language="en"), email="victim@example.org")
    with pytest.raises(TooManyCodes):
        email_challenge_send(application=application_start(program=program, language="en"), email="VICTIM@example.org")
    email_challenge_send(application=application_start(program=program, language="en"), email="other@example.org")


def test_codes_are_limited_per_client_address_across_applications(settings, program, us_registry):
    """Opening application after application does not let one client make Vouch mail codes to any number of
    inboxes: past EMAIL_SENDS_PER_IP_PER_HOUR the journey refuses, with a message saying why."""
    from django.test import Client

    from tests.verification.test_journey_helpers import apply_url, post_ok

    settings.EMAIL_SENDS_PER_IP_PER_HOUR = 3

    def try_code(client, n):
        post_ok(client, f"/en/programs/{program.slug}/", {"budget": "25000"})
        post_ok(client, apply_url(program, "country"), {"country": "US"})
        post_ok(client, apply_url(program, "organisation"), {"org_id": VALDEZ})
        post_ok(client, apply_url(program, "representative"), {"applicant_name": "Jo"})
        return client.post(apply_url(program, "email"), {"email": f"victim{n}@valdezrifle.org"})

    for n in range(3):
        assert try_code(Client(REMOTE_ADDR="203.0.113.7"), n).status_code == 302
    refused = try_code(Client(REMOTE_ADDR="203.0.113.7"), 3)
    assert refused.status_code == 429 and b"Too many emails were requested from your connection" in refused.content
    assert OutboxEmail.objects.filter(template="verification_code").count() == 3
    assert try_code(Client(REMOTE_ADDR="198.51.100.7"), 4).status_code == 302
