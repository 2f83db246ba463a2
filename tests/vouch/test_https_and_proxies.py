"""Behind a reverse proxy and over HTTPS: the scheme and client address come from the trusted proxy; HSTS, secure
cookies and the HTTPS redirect follow the settings; emailed links point where Vouch is served."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client, override_settings

from notifications.tasks import send_pending_emails
from tests.vouch.probe import settings_of

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery 42"
PROXIED = {"SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"), "TRUSTED_PROXY_COUNT": 1}
HTTPS_ONLY = {
    "SECURE_SSL_REDIRECT": True,
    "SECURE_HSTS_SECONDS": 31_536_000,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
}


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@override_settings(**PROXIED, **HTTPS_ONLY)
def test_behind_the_proxy_https_requests_get_hsts_and_secure_cookies_plain_http_is_redirected():
    client = Client(REMOTE_ADDR="10.0.0.2")
    plain = client.get("/en/store/sign-in/", HTTP_X_FORWARDED_PROTO="http")
    assert plain.status_code == 301 and plain["Location"] == "https://testserver/en/store/sign-in/"
    secure = client.get("/en/store/sign-in/", HTTP_X_FORWARDED_PROTO="https")
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert secure.cookies["csrftoken"]["secure"] is True


@override_settings(**HTTPS_ONLY)
def test_probes_are_not_redirected_to_https():
    assert Client().get("/healthz").status_code == 200


@override_settings(SECURE_SSL_REDIRECT=False, SESSION_COOKIE_SECURE=False, CSRF_COOKIE_SECURE=False)
def test_without_the_https_settings_plain_http_is_served_with_ordinary_cookies():
    response = Client().get("/en/store/sign-in/", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 200 and "Strict-Transport-Security" not in response
    assert not response.cookies["csrftoken"]["secure"]


def test_the_proxy_header_is_trusted_only_when_a_proxy_is_configured(tmp_path):
    assert settings_of(tmp_path, "SECURE_PROXY_SSL_HEADER", TRUSTED_PROXY_COUNT="1") == {
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"]
    }
    assert settings_of(tmp_path, "SECURE_PROXY_SSL_HEADER") == {"SECURE_PROXY_SSL_HEADER": None}
    assert settings_of(tmp_path, "SECURE_PROXY_SSL_HEADER", SECURE_PROXY_SSL_HEADER="X-Scheme") == {
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_SCHEME", "https"]
    }


def _sign_up(client):
    return client.post(
        "/en/store/sign-up/",
        {
            "email": "alice@example.org",
            "password": PASSWORD,
            "billing_country": "US",
            "billing_region": "NY",
            "currency": "USD",
        },
    )


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_the_sign_in_limit_counts_per_client_behind_the_proxy_not_per_proxy():
    _sign_up(Client())
    proxy = "10.0.0.2"  # every request arrives from the proxy
    attacker = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.9")
    # Failures on other accounts: the attacker's address is locked, alice's account is not (security.throttle).
    for attempt in range(settings.SIGN_IN_FAILURE_LIMIT):
        attacker.post("/en/store/sign-in/", {"username": f"nobody{attempt}@example.org", "password": "wrong"})
    blocked = attacker.post("/en/store/sign-in/", {"username": "alice@example.org", "password": PASSWORD})
    assert b"Too many failed sign-ins" in blocked.content
    # The real owner, behind the same proxy, from another address, is not locked out; a client that writes the
    # attacker's address first in the header is judged by the address the proxy saw.
    owner = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.7")
    assert owner.post("/en/store/sign-in/", {"username": "alice@example.org", "password": PASSWORD}).status_code == 302


def test_no_module_reads_the_client_address_except_core_client_ip():
    root = Path(__file__).resolve().parents[2]
    readers = []
    for path in root.rglob("*.py"):
        relative = path.relative_to(root).as_posix()
        if relative.startswith((".venv/", "tests/", "node_modules/", "data/")) or relative == "core/client_ip.py":
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"[\"']REMOTE_ADDR[\"']|[\"']HTTP_X_FORWARDED_FOR[\"']", text):
            readers.append(relative)
    assert readers == []


def test_emailed_links_point_at_the_address_vouch_is_served_on(tmp_path, smtp_server, settings):
    derived = settings_of(tmp_path, "PUBLIC_BASE_URL", VOUCH_ADDR="127.0.0.1:8765")["PUBLIC_BASE_URL"]
    assert derived == "http://127.0.0.1:8765"
    settings.PUBLIC_BASE_URL = derived
    assert _sign_up(Client()).status_code == 302
    send_pending_emails.call()
    [message] = smtp_server.messages_to("alice@example.org")
    links = re.findall(r"https?://[^/\s]+/", smtp_server.text(message))
    assert links and set(links) == {"http://127.0.0.1:8765/"}
