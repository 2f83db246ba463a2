"""Customer accounts through the pages: sign-up, the verification email, sign-in, the account page, password reset,
the sign-in rate limit, CSRF and escaping. Runs on SQLite and PostgreSQL."""

import re
from datetime import timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.cache import cache
from django.test import Client

from billing.accounts import (
    account_sign_up,
    account_verify_email,
    account_verify_token,
)
from billing.models import CustomerAccount
from core.errors import ApplicationError
from notifications.models import OutboxEmail

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery 42"


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def _sign_up(client, email="Alice@Example.ORG", **overrides):
    data = {
        "email": email,
        "password": PASSWORD,
        "billing_country": "US",
        "billing_region": "ny",
        "currency": "USD",
        **overrides,
    }
    return client.post("/en/store/sign-up/", data)


def _link(email: OutboxEmail, pattern: str) -> str:
    match = re.search(r"https?://[^/\s]+(" + pattern + r"[^\s]*)", email.body_text)
    assert match, email.body_text
    return match.group(1)


def test_sign_up_verify_sign_in_and_account_page():
    client = Client()
    assert client.get("/en/store/sign-up/").status_code == 200
    response = _sign_up(client)
    assert response.status_code == 302 and response["Location"] == "/en/store/sign-up/done/"

    account = CustomerAccount.objects.get()
    assert account.email == "alice@example.org"
    assert account.user.username == "alice@example.org"
    assert (account.billing_country, account.billing_region, account.currency) == ("US", "NY", "USD")
    assert not account.is_verified

    sent = OutboxEmail.objects.get(template="account_verify_email")
    assert sent.to == "alice@example.org" and sent.language == "en"
    verify_path = _link(sent, "/en/store/verify/")

    response = client.get(verify_path)
    assert response.status_code == 200 and b"is confirmed" in response.content
    account.refresh_from_db()
    assert account.is_verified
    assert client.get(verify_path).status_code == 200  # a second click is harmless

    response = client.post("/en/store/sign-in/", {"username": "  ALICE@example.org", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/en/store/account/"
    page = client.get("/en/store/account/")
    assert page.status_code == 200
    assert b"alice@example.org" in page.content and b"confirmed" in page.content and b"NY" in page.content
    assert b"Send a new confirmation link" not in page.content

    response = client.post("/en/store/sign-out/")
    assert response.status_code == 302
    assert client.get("/en/store/account/")["Location"].startswith("/en/store/sign-in/")


def test_the_verification_email_is_in_the_language_of_the_sign_up():
    _sign_up(Client(), email="bob@example.org", **{"billing_country": "FR", "billing_region": "", "currency": "EUR"})
    client = Client()
    client.post(
        "/fr/store/sign-up/",
        {"email": "claire@example.org", "password": PASSWORD, "billing_country": "FR", "currency": "EUR"},
    )
    sent = OutboxEmail.objects.get(to="claire@example.org")
    assert sent.language == "fr" and "/fr/store/verify/" in sent.body_text


def test_unverified_account_page_offers_a_new_link_limited_per_hour():
    client = Client()
    _sign_up(client)
    client.post("/en/store/sign-in/", {"username": "alice@example.org", "password": PASSWORD})
    page = client.get("/en/store/account/")
    assert b"not confirmed" in page.content and b"Send a new confirmation link" in page.content
    client.post("/en/store/account/verify/resend/")
    client.post("/en/store/account/verify/resend/")
    assert OutboxEmail.objects.filter(template="account_verify_email").count() == 3
    response = client.post("/en/store/account/verify/resend/", follow=True)
    assert OutboxEmail.objects.filter(template="account_verify_email").count() == 3
    assert b"Too many verification emails" in response.content


def test_sign_up_does_not_reveal_whether_an_email_has_an_account():
    """The same answer and the same email flow either way: a taken email gets a "someone tried" email instead of
    a verification link, and nothing else changes."""
    first = _sign_up(Client())
    again = _sign_up(Client(), email="ALICE@example.org")
    new = _sign_up(Client(), email="bob@example.org")
    assert again.status_code == first.status_code == new.status_code == 302
    assert again["Location"] == new["Location"] == "/en/store/sign-up/done/"
    assert CustomerAccount.objects.count() == 2
    told = OutboxEmail.objects.get(template="account_exists")
    assert told.to == "alice@example.org" and "/en/store/sign-in/" in told.body_text
    assert "/en/store/password-reset/" in told.body_text
    assert OutboxEmail.objects.filter(to="alice@example.org").count() == 2  # one email per sign-up, either way
    assert (
        account_sign_up(
            email="alice@EXAMPLE.org",
            password=PASSWORD,
            billing_country="US",
            billing_region="",
            currency="USD",
            language="fr",
        )
        is None
    )
    assert OutboxEmail.objects.filter(template="account_exists", language="fr").exists()
    assert CustomerAccount.objects.get(email="alice@example.org").user.check_password(PASSWORD)


def test_sign_ups_are_limited_per_address_and_per_client_address(settings):
    settings.EMAIL_SENDS_PER_IP_PER_HOUR = 4
    client = Client(REMOTE_ADDR="203.0.113.50")
    for n in range(4):
        assert _sign_up(client, email=f"user{n}@example.org").status_code == 302
    refused = _sign_up(client, email="user9@example.org")
    assert refused.status_code == 429 and b"Too many sign-ups" in refused.content
    assert not CustomerAccount.objects.filter(email="user9@example.org").exists()
    assert _sign_up(Client(REMOTE_ADDR="198.51.100.50"), email="user9@example.org").status_code == 302
    # Per address, whatever the client address: three, then refused (existing account or not).
    for n in range(2):
        assert _sign_up(Client(REMOTE_ADDR=f"192.0.2.{n + 1}"), email="user9@example.org").status_code == 302
    refused = _sign_up(Client(REMOTE_ADDR="192.0.2.99"), email="user9@example.org")
    assert refused.status_code == 429
    assert OutboxEmail.objects.filter(to="user9@example.org").count() == 3


def test_weak_password_and_bad_email_are_refused():
    response = _sign_up(Client(), password="password")
    assert response.status_code == 400 and b'id="id_password_error"' in response.content
    response = _sign_up(Client(), email="not an email")
    assert response.status_code == 400 and b'id="id_email_error"' in response.content
    assert not CustomerAccount.objects.exists() and not get_user_model().objects.exists()
    assert not OutboxEmail.objects.exists()


def test_verify_link_tampered_or_expired_or_for_an_old_email():
    account = account_sign_up(
        email="dora@example.org",
        password=PASSWORD,
        billing_country="GB",
        billing_region="",
        currency="GBP",
        language="en",
    )
    token = account_verify_token(account)
    client = Client()
    assert client.get(f"/en/store/verify/{token}x/").status_code == 400
    with pytest.raises(ApplicationError) as error:
        account_verify_email(token=token[:-1] + ("A" if token[-1] != "A" else "B"))
    assert error.value.code == "verify_link_invalid"

    signer = signing.TimestampSigner(salt="vouch.billing.account_verify_email")
    old = signer.sign_object({"a": account.pk, "e": "old@example.org"})
    with pytest.raises(ApplicationError) as error:
        account_verify_email(token=old)
    assert error.value.code == "verify_link_invalid"

    later = signing.time.time() + timedelta(days=4).total_seconds()
    with mock.patch("django.core.signing.time.time", return_value=later), pytest.raises(ApplicationError) as error:
        account_verify_email(token=token)
    assert error.value.code == "verify_link_expired"
    account.refresh_from_db()
    assert not account.is_verified


def test_failed_sign_ins_are_limited_per_account_and_ip():
    """django-axes (security.throttle) replaced the store's own limit: the intent is kept, and the account's lock
    no longer lets a stranger keep its owner out (a browser that signed in before still gets in)."""
    _sign_up(Client())
    owner = Client(REMOTE_ADDR="198.51.100.7")
    assert owner.post("/en/store/sign-in/", {"username": "alice@example.org", "password": PASSWORD}).status_code == 302
    owner.post("/en/store/sign-out/")
    client = Client(REMOTE_ADDR="203.0.113.9")
    limit = settings.SIGN_IN_FAILURE_LIMIT
    for _attempt in range(limit - 1):
        response = client.post("/en/store/sign-in/", {"username": "alice@example.org", "password": "wrong"})
        assert response.status_code == 200 and b"is not right" in response.content
    response = client.post("/en/store/sign-in/", {"username": "alice@example.org", "password": "wrong"})
    assert response.status_code == 429 and b"Too many failed sign-ins" in response.content
    # The right password is refused now too, from this address, for this email.
    response = client.post("/en/store/sign-in/", {"username": "Alice@Example.org", "password": PASSWORD})
    assert response.status_code == 429 and b"Too many failed sign-ins" in response.content
    assert "_auth_user_id" not in client.session
    # A new browser elsewhere is held by the account's lock; the owner's own browser is not.
    stranger = Client(REMOTE_ADDR="192.0.2.44")
    assert (
        stranger.post("/en/store/sign-in/", {"username": "alice@example.org", "password": PASSWORD}).status_code == 429
    )
    response = owner.post("/en/store/sign-in/", {"username": "alice@example.org", "password": PASSWORD})
    assert response.status_code == 302


def test_a_successful_sign_in_resets_the_failure_count():
    _sign_up(Client())
    client = Client()
    limit = settings.SIGN_IN_FAILURE_LIMIT
    for _attempt in range(limit - 1):
        client.post("/en/store/sign-in/", {"username": "alice@example.org", "password": "wrong"})
    assert client.post("/en/store/sign-in/", {"username": "alice@example.org", "password": PASSWORD}).status_code == 302
    client.post("/en/store/sign-out/")
    client.cookies.pop("vouch_device", None)  # counted as a stranger's browser again
    for _attempt in range(limit - 1):
        client.post("/en/store/sign-in/", {"username": "alice@example.org", "password": "wrong"})
    assert client.post("/en/store/sign-in/", {"username": "alice@example.org", "password": PASSWORD}).status_code == 302


def test_one_customer_never_sees_another_customers_account():
    _sign_up(Client(), email="alice@example.org", billing_region="NY")
    _sign_up(Client(), email="bob@example.org", billing_region="TX")
    bob = Client()
    bob.post("/en/store/sign-in/", {"username": "bob@example.org", "password": PASSWORD})
    page = bob.get("/en/store/account/").content.decode()
    # (only the facts list: a random CSRF token elsewhere on the page may well contain "NY")
    facts = page[page.index('<dl class="facts">') : page.index("</dl>")]
    assert "bob@example.org" in facts and "TX" in facts
    assert "alice@example.org" not in page and "NY" not in facts
    # The page takes no id: nothing in the URL can point it at another account.
    page = bob.get("/en/store/account/?account=1&email=alice@example.org").content.decode()
    facts = page[page.index('<dl class="facts">') : page.index("</dl>")]
    assert "bob@example.org" in facts and "alice" not in facts


def test_csrf_is_enforced_on_sign_up_and_sign_in():
    client = Client(enforce_csrf_checks=True)
    assert _sign_up(client).status_code == 403
    assert not CustomerAccount.objects.exists()
    assert client.post("/en/store/sign-in/", {"username": "a@example.org", "password": "x"}).status_code == 403
    page = client.get("/en/store/sign-up/")
    assert b'name="csrfmiddlewaretoken"' in page.content
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/en/store/sign-up/",
        {
            "email": "eve@example.org",
            "password": PASSWORD,
            "billing_country": "US",
            "currency": "USD",
            "csrfmiddlewaretoken": token,
        },
    )
    assert response.status_code == 302


def test_hostile_input_is_escaped():
    hostile = '"><script>alert(1)</script>'
    response = _sign_up(Client(), email=f"x{hostile}@example.org", billing_region=hostile)
    assert response.status_code == 400
    assert b"<script>alert(1)</script>" not in response.content
    assert b"&lt;script&gt;" in response.content
    response = Client().post("/en/store/sign-in/", {"username": hostile, "password": "x"})
    assert b"<script>alert(1)</script>" not in response.content


def test_every_field_has_a_label():
    for url in ("/en/store/sign-up/", "/en/store/sign-in/", "/en/store/password-reset/"):
        html = Client().get(url).content.decode()
        ids = set(re.findall(r'<(?:input|select)[^>]*\bid="([^"]+)"', html)) - {"language"}
        for field_id in ids:
            assert f'for="{field_id}"' in html, (url, field_id)


def test_password_reset_goes_through_the_outbox():
    _sign_up(Client())
    client = Client()
    response = client.post("/en/store/password-reset/", {"email": "ALICE@example.org"})
    assert response.status_code == 302 and response["Location"] == "/en/store/password-reset/sent/"
    sent = OutboxEmail.objects.get(template="account_password_reset")
    assert sent.to == "alice@example.org"
    # Unknown emails get the same answer and no email.
    response = client.post("/en/store/password-reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert OutboxEmail.objects.filter(template="account_password_reset").count() == 1

    reset_path = _link(sent, "/en/store/password-reset/")
    response = client.get(reset_path)
    assert response.status_code == 302  # Django swaps the token into the session
    form_url = response["Location"]
    new_password = "another long passphrase 7"
    response = client.post(form_url, {"new_password1": new_password, "new_password2": new_password})
    assert response.status_code == 302 and response["Location"] == "/en/store/password-reset/complete/"
    assert (
        client.post("/en/store/sign-in/", {"username": "alice@example.org", "password": new_password}).status_code
        == 302
    )


@pytest.mark.parametrize("language", ["en", "fr"])
def test_store_emails_escape_what_they_show(language):
    from datetime import date
    from decimal import Decimal

    from notifications.services import email_render

    contexts = {
        "account_verify_email": {"verify_url": "https://vouch.test/v/<x>", "days_valid": 3},
        "account_password_reset": {"reset_url": "https://vouch.test/r/<x>"},
        "legacy_discount_ending": {
            "period_end": date(2027, 3, 20),
            "percent": Decimal("50.00"),
            "partner": "Tech<Soup>",
            "program_url": "https://vouch.test/p/",
        },
    }
    for template, context in contexts.items():
        subject, text, html = email_render(template=template, context=context, language=language)
        assert subject and "\n" not in subject
        assert f'<html lang="{language}">' in html and "{%" not in text + html and "{{" not in text + html
        assert "<x>" not in html and "<Soup>" not in html  # escaped in HTML
