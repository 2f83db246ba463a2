"""No usable secret at rest: after a full journey (apply with a one-time code, approval with a coupon, store sign-up
with its verification link, a password reset) and the worker sending every email, no code, token or link read in
those emails is in any text column of any table. The one exception is the application's status link, whose token
is the application's own credential (verification_application.token, docs/security.md): it must be in that column
and nowhere else. Runs on SQLite and PostgreSQL."""

import re

import pytest
from django.db import connection
from django.test import Client

from notifications.models import OutboxEmail, OutboxState
from notifications.sender import outbox_send_due
from tests.staff import staff_login
from tests.verification.test_journey_helpers import demo_program, make_staff, submit, walk_to_confirm

pytestmark = pytest.mark.django_db

EMAIL = "jo@valdezrifle.org"
PASSWORD = "correct horse battery 42"
URL = re.compile(r"https?://[^\s\"'<>]+")
SIX_DIGITS = re.compile(r"(?<![\d-])(\d{6})(?![\d-])")
COUPON = re.compile(r"\b([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})\b")
TEXT_TYPES = ("char", "text", "json", "clob", "varchar")


def _secrets(smtp_server) -> dict[str, set[str]]:
    """What the emails carried that acts as the recipient: codes, coupon codes, and the tokens in links."""
    found = {"codes": set(), "coupons": set(), "tokens": set(), "status_tokens": set()}
    for message in smtp_server.messages:
        text = smtp_server.text(message)
        found["coupons"] |= set(COUPON.findall(text))
        if "verification code" in message["Subject"].lower() or "code" in text.lower():
            found["codes"] |= set(SIX_DIGITS.findall(text))
        for url in URL.findall(text):
            path = url.split("://", 1)[1].split("/", 1)[1] if "/" in url.split("://", 1)[1] else ""
            parts = [part for part in path.split("/") if len(part) >= 20 or ":" in part]
            target = "status_tokens" if "/programs/status/" in url else "tokens"
            found[target] |= set(parts)
    return found


def _text_columns():
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            for column in connection.introspection.get_table_description(cursor, table):
                try:
                    kind = connection.introspection.get_field_type(column.type_code, column).lower()
                except KeyError:  # an untyped column (SQLite's full-text tables): it holds text
                    kind = "text"
                if any(word in kind for word in TEXT_TYPES):
                    yield table, column.name


def _where(needle: str, *, skip_registry: bool = False) -> list[tuple[str, str]]:
    """Every (table, column) whose text contains needle (bounded by non-digits for a numeric code)."""
    places = []
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table, column in _text_columns():
            if skip_registry and table.startswith("registry_"):
                continue  # imported public registers: numbers such as EINs hold any 6 digits by chance
            cursor.execute(
                f"SELECT CAST({quote(column)} AS TEXT) FROM {quote(table)} "  # noqa: S608
                f"WHERE CAST({quote(column)} AS TEXT) LIKE %s",
                [f"%{needle}%"],
            )
            for (value,) in cursor.fetchall():
                if not needle.isdigit() or re.search(rf"(?<![\d-]){needle}(?![\d-])", value or ""):
                    places.append((table, column))
                    break
    return places


def test_a_full_journey_leaves_no_usable_secret_in_the_database(us_registry, smtp_server, django_user_model):
    program = demo_program()
    applicant = Client()
    walk_to_confirm(applicant, program, email=EMAIL)
    application = submit(applicant, program)
    assert application.state == "in_review"
    reviewer = staff_login(Client(), make_staff(django_user_model))
    response = reviewer.post(f"/en/review/applications/{application.reference}/approve/", {"message": ""})
    assert response.status_code == 302
    store = Client()
    assert (
        store.post(
            "/en/store/sign-up/",
            {"email": EMAIL, "password": PASSWORD, "billing_country": "US", "billing_region": "AK", "currency": "USD"},
        ).status_code
        == 302
    )
    assert store.post("/en/store/password-reset/", {"email": EMAIL}).status_code == 302

    counts = outbox_send_due()
    assert counts["sent"] >= 5 and counts["still_due"] == 0
    assert not OutboxEmail.objects.exclude(state=OutboxState.SENT).exists()
    found = _secrets(smtp_server)
    assert found["codes"] and found["coupons"] and found["status_tokens"]
    assert len(found["tokens"]) >= 2  # the store's verification link and the password-reset link (uid, token)

    leaks = {}
    for code in found["codes"]:
        if places := _where(code, skip_registry=True):
            leaks[code] = places
    for secret in found["coupons"] | found["tokens"]:
        if places := _where(secret):
            leaks[secret] = places
    assert leaks == {}
    for token in found["status_tokens"]:
        assert _where(token) == [("verification_application", "token")]
    # The emails themselves are still there to read, without their secrets.
    approved = OutboxEmail.objects.get(template="application_approved")
    assert "[removed once sent]" in approved.body_text and "[removed once sent]" in approved.body_html
    assert approved.redacted_text == ""


def test_the_admin_never_shows_an_emails_secret(django_user_model):
    """Pending (not yet sent) or sent, the outbox admin shows the body without its code or link."""
    from notifications.services import email_queue

    email = email_queue(
        to="jo@example.org",
        template="account_password_reset",
        language="en",
        context={"reset_url": "https://vouch.example/en/store/password-reset/MQ/secret-token-123/"},
        dedupe_key="admin-test",
    )
    assert "secret-token-123" in email.body_text  # it must still be sent
    admin = django_user_model.objects.create_superuser("ada", "ada@vouch.localhost", "x")
    client = staff_login(Client(), admin)
    for path in ("/admin/notifications/outboxemail/", f"/admin/notifications/outboxemail/{email.pk}/change/"):
        page = client.get(path)
        assert page.status_code == 200 and b"secret-token-123" not in page.content
    assert b"[removed once sent]" in client.get(f"/admin/notifications/outboxemail/{email.pk}/change/").content
