"""Sign-in throttling on every sign-in form (django-axes through security.throttle): per account and per client
address (proxy-aware), a lock that cannot keep the owner out of a browser that signed in before, audited failures,
and the administrators' unlock action. Runs on SQLite and PostgreSQL."""

import pytest
from django.conf import settings
from django.test import Client, override_settings

from core.models import AuditEntry
from security.throttle import sign_in_unlock
from tests.staff import staff_login

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery 42"
LOGINS = ["/en/review/login/", "/admin/login/"]


@pytest.fixture
def rita(django_user_model):
    return django_user_model.objects.create_user("rita", "rita@vouch.localhost", PASSWORD, is_staff=True)


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.parametrize("path", LOGINS)
def test_forty_wrong_passwords_then_the_right_one_does_not_sign_in(rita, path):
    client = Client(REMOTE_ADDR="203.0.113.9")
    statuses = [client.post(path, {"username": "rita", "password": f"guess{n}"}).status_code for n in range(40)]
    assert statuses[: settings.SIGN_IN_FAILURE_LIMIT - 1] == [200] * (settings.SIGN_IN_FAILURE_LIMIT - 1)
    assert set(statuses[settings.SIGN_IN_FAILURE_LIMIT - 1 :]) == {429}
    response = client.post(path, {"username": "rita", "password": PASSWORD})
    assert response.status_code == 429 and not _signed_in(client)
    assert b"Too many failed sign-ins" in response.content
    assert AuditEntry.objects.filter(action="auth.sign_in_failed", object_id="rita").count() >= 40
    assert AuditEntry.objects.filter(action="auth.locked_out", object_id="rita").exists()


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_the_address_is_the_proxy_aware_client_and_each_is_counted_apart(rita, django_user_model):
    django_user_model.objects.create_user("sam", "sam@vouch.localhost", PASSWORD, is_staff=True)
    attacker = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    for n in range(settings.SIGN_IN_FAILURE_LIMIT):
        attacker.post("/en/review/login/", {"username": f"nobody{n}", "password": "x"})
    # The address is locked, whichever account it names...
    assert attacker.post("/en/review/login/", {"username": "sam", "password": PASSWORD}).status_code == 429
    # ...but the proxy (same REMOTE_ADDR) passes another client through.
    colleague = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert colleague.post("/en/review/login/", {"username": "sam", "password": PASSWORD}).status_code == 302
    entry = AuditEntry.objects.filter(action="auth.sign_in_failed").first()
    assert entry.after["ip"] == "203.0.113.9"


def test_an_account_lock_from_many_addresses_spares_the_owners_browser(rita):
    owner = Client(REMOTE_ADDR="198.51.100.7")
    assert owner.post("/en/review/login/", {"username": "rita", "password": PASSWORD}).status_code == 302
    owner.post("/en/review/logout/")
    for n in range(settings.SIGN_IN_FAILURE_LIMIT):
        Client(REMOTE_ADDR=f"203.0.113.{n + 1}").post("/en/review/login/", {"username": "rita", "password": "x"})
    # Locked for every new browser, from any address...
    assert (
        Client(REMOTE_ADDR="192.0.2.1")
        .post("/en/review/login/", {"username": "rita", "password": PASSWORD})
        .status_code
        == 429
    )
    # ...not for the browser that signed in before (its signed cookie), even from a new address.
    owner.defaults["REMOTE_ADDR"] = "192.0.2.77"
    assert owner.post("/en/review/login/", {"username": "rita", "password": PASSWORD}).status_code == 302
    assert _signed_in(owner)


def test_a_forged_or_foreign_device_cookie_does_not_pass(rita, django_user_model):
    other = django_user_model.objects.create_user("sam", "sam@vouch.localhost", PASSWORD, is_staff=True)
    sams_browser = Client()
    assert sams_browser.post("/en/review/login/", {"username": "sam", "password": PASSWORD}).status_code == 302
    assert other.pk
    for n in range(settings.SIGN_IN_FAILURE_LIMIT):
        Client(REMOTE_ADDR=f"203.0.113.{n + 1}").post("/en/review/login/", {"username": "rita", "password": "x"})
    sams_browser.post("/en/review/logout/")
    # Sam's browser proved itself for Sam, not for Rita.
    assert sams_browser.post("/en/review/login/", {"username": "rita", "password": PASSWORD}).status_code == 429
    forged = Client(REMOTE_ADDR="192.0.2.5")
    forged.cookies["vouch_device"] = "0123456789abcdef0123456789abcdef"
    assert forged.post("/en/review/login/", {"username": "rita", "password": PASSWORD}).status_code == 429


def test_an_administrator_unlocks_an_account_from_the_users_admin(rita, django_user_model):
    for n in range(settings.SIGN_IN_FAILURE_LIMIT):
        Client(REMOTE_ADDR=f"203.0.113.{n + 1}").post("/en/review/login/", {"username": "rita", "password": "x"})
    assert Client().post("/en/review/login/", {"username": "rita", "password": PASSWORD}).status_code == 429
    admin = django_user_model.objects.create_superuser("ada", "ada@vouch.localhost", PASSWORD)
    client = staff_login(Client(), admin)
    response = client.post("/admin/auth/user/", {"action": "unlock_sign_in", "_selected_action": [rita.pk]})
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="auth.sign_in_unlocked", object_id="rita", actor=admin).exists()
    assert Client().post("/en/review/login/", {"username": "rita", "password": PASSWORD}).status_code == 302


def test_unlock_service_reports_what_it_cleared(rita):
    for n in range(3):
        Client(REMOTE_ADDR=f"203.0.113.{n + 1}").post("/en/review/login/", {"username": "Rita", "password": "x"})
    assert sign_in_unlock(username="rita") == 3
    assert sign_in_unlock(username="rita") == 0


def test_a_new_store_password_lifts_the_accounts_lock():
    import re

    from billing.accounts import account_sign_up
    from notifications.models import OutboxEmail

    account_sign_up(email="alice@example.org", password=PASSWORD, billing_country="US", billing_region="NY")
    for n in range(settings.SIGN_IN_FAILURE_LIMIT):
        Client(REMOTE_ADDR=f"203.0.113.{n + 1}").post(
            "/en/store/sign-in/", {"username": "alice@example.org", "password": "x"}
        )
    owner = Client(REMOTE_ADDR="192.0.2.9")
    assert owner.post("/en/store/sign-in/", {"username": "alice@example.org", "password": PASSWORD}).status_code == 429
    owner.post("/en/store/password-reset/", {"email": "alice@example.org"})
    body = OutboxEmail.objects.get(template="account_password_reset").body_text
    link = re.search(r"https?://[^/\s]+(/en/store/password-reset/[^\s]+)", body).group(1)
    page = owner.get(link, follow=True)
    new_password = "another horse battery 43"
    response = owner.post(
        page.redirect_chain[-1][0] if page.redirect_chain else link,
        {"new_password1": new_password, "new_password2": new_password},
    )
    assert response.status_code == 302
    assert (
        owner.post("/en/store/sign-in/", {"username": "alice@example.org", "password": new_password}).status_code == 302
    )
