"""Two-factor sign-in for staff (django-otp TOTP + recovery codes): required before the back-office and the admin
when STAFF_REQUIRE_2FA is on, enrolment in both languages, codes and recovery codes, and the setting off."""

import re

import pyotp
import pytest
from django.test import Client, override_settings

from core.models import AuditEntry
from tests.staff import staff_totp_device, totp_now

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery 42"


@pytest.fixture
def rita(django_user_model):
    return django_user_model.objects.create_user("rita", "rita@vouch.localhost", PASSWORD, is_staff=True)


@pytest.fixture
def ada(django_user_model):
    return django_user_model.objects.create_superuser("ada", "ada@vouch.localhost", PASSWORD)


def _password(client, path="/en/review/login/", username="rita"):
    response = client.post(path, {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.content[:500]
    return response


@override_settings(STAFF_REQUIRE_2FA=True)
@pytest.mark.parametrize(
    "page",
    [
        "/en/review/",
        "/en/review/dashboard/",
        "/fr/review/partners/",
        "/en/review/webhooks/",
        "/admin/",
        "/admin/auth/user/",
    ],
)
def test_a_password_alone_does_not_open_the_back_office_or_the_admin(ada, page):
    client = Client()
    _password(client, username="ada")
    response = client.get(page)
    assert response.status_code == 302 and "/review/two-factor/?next=" in response["Location"]


@override_settings(STAFF_REQUIRE_2FA=True)
def test_admin_sign_in_leads_to_the_second_step(ada):
    client = Client()
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "ada", "password": PASSWORD, "next": "/admin/"}, follow=True
    )
    assert response.redirect_chain[-1][0].startswith("/en/review/two-factor/?next=")
    assert client.get("/admin/").status_code == 302


# (django-otp slows down guesses: after a wrong code the next is refused for a second, doubling each time; these
# tests type a wrong code then the right one at once, so the delay is off for them.)
@override_settings(STAFF_REQUIRE_2FA=True, OTP_TOTP_THROTTLE_FACTOR=0, OTP_STATIC_THROTTLE_FACTOR=0)
@pytest.mark.parametrize(
    ("lang", "title"), [("en", "Set up two-factor sign-in"), ("fr", "Activer la connexion en deux étapes")]
)
def test_enrolment_with_an_authenticator_then_recovery_codes(rita, lang, title):
    client = Client()
    _password(client, path=f"/{lang}/review/login/")
    page = client.get(f"/{lang}/review/two-factor/?next=/{lang}/review/")
    html = page.content.decode()
    assert page.status_code == 200 and title in html and "<svg" in html
    secret = re.search(r'id="otp-secret">([A-Z2-7]+)<', html).group(1)
    wrong = client.post(f"/{lang}/review/two-factor/", {"code": "000000", "next": f"/{lang}/review/"})
    assert wrong.status_code == 400
    done = client.post(f"/{lang}/review/two-factor/", {"code": pyotp.TOTP(secret).now(), "next": f"/{lang}/review/"})
    codes = re.findall(r"<li><code>([a-z0-9]+)</code></li>", done.content.decode())
    assert done.status_code == 200 and len(codes) == 10
    assert client.get(f"/{lang}/review/").status_code == 200
    assert AuditEntry.objects.filter(action="auth.two_factor_enrolled", actor=rita).exists()


@override_settings(STAFF_REQUIRE_2FA=True, OTP_TOTP_THROTTLE_FACTOR=0, OTP_STATIC_THROTTLE_FACTOR=0)
def test_every_sign_in_asks_for_a_code_and_a_recovery_code_works_once(rita):
    device = staff_totp_device(rita)
    from security.two_factor import recovery_codes_issue

    codes = recovery_codes_issue(user=rita)
    client = Client()
    _password(client)
    page = client.get("/en/review/two-factor/?next=/en/review/dashboard/")
    assert b"Two-factor sign-in" in page.content and b"otp-secret" not in page.content  # no new key shown
    assert client.post("/en/review/two-factor/", {"code": "123456"}).status_code == 400
    assert client.get("/en/review/").status_code == 302
    response = client.post("/en/review/two-factor/", {"code": totp_now(device), "next": "/en/review/dashboard/"})
    assert response.status_code == 302 and response["Location"] == "/en/review/dashboard/"
    assert client.get("/en/review/").status_code == 200
    # A recovery code, in another browser, once.
    other = Client()
    _password(other)
    assert other.post("/en/review/two-factor/", {"code": codes[0]}).status_code == 302
    again = Client()
    _password(again)
    assert again.post("/en/review/two-factor/", {"code": codes[0]}).status_code == 400
    assert AuditEntry.objects.filter(action="auth.two_factor_failed", actor=rita).count() >= 2


@override_settings(STAFF_REQUIRE_2FA=True)
def test_an_outside_next_is_not_followed(rita):
    device = staff_totp_device(rita)
    client = Client()
    _password(client)
    response = client.post("/en/review/two-factor/", {"code": totp_now(device), "next": "https://evil.example/"})
    assert response["Location"] == "/en/review/"


@override_settings(STAFF_REQUIRE_2FA=True)
def test_customers_are_not_asked_and_cannot_use_the_page(django_user_model):
    customer = django_user_model.objects.create_user("cus@example.org", "cus@example.org", PASSWORD)
    client = Client()
    client.force_login(customer)
    assert client.get("/en/review/two-factor/").status_code == 403
    assert client.get("/en/store/account/").status_code == 200
    assert Client().get("/en/review/two-factor/").status_code == 302  # anonymous: to the sign-in


@override_settings(STAFF_REQUIRE_2FA=False)
def test_with_the_setting_off_a_password_opens_the_back_office(rita):
    client = Client()
    _password(client)
    assert client.get("/en/review/").status_code == 200


def test_the_setting_is_on_unless_debug():
    from django.conf import settings

    assert settings.STAFF_REQUIRE_2FA is True  # tests run with DEBUG off, as production does


@override_settings(STAFF_REQUIRE_2FA=True)
def test_guessing_codes_is_slowed_down(rita):
    device = staff_totp_device(rita)
    client = Client()
    _password(client)
    assert client.post("/en/review/two-factor/", {"code": "000000"}).status_code == 400
    # Right away, even the right code is refused (django-otp's throttle on the device).
    assert client.post("/en/review/two-factor/", {"code": totp_now(device)}).status_code == 400
    device.refresh_from_db()
    assert device.throttling_failure_count >= 1


def test_the_admin_lists_devices_without_their_keys(ada, rita):
    from security.two_factor import recovery_codes_issue
    from tests.staff import staff_login

    device = staff_totp_device(rita)
    codes = recovery_codes_issue(user=rita)
    client = staff_login(Client(), ada)
    for path in (f"/admin/otp_totp/totpdevice/{device.pk}/change/", "/admin/otp_static/staticdevice/"):
        page = client.get(path)
        assert page.status_code == 200
        assert device.key.encode() not in page.content and codes[0].encode() not in page.content
