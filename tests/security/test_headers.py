"""Response headers and cookies on every page: Content-Security-Policy (Django's middleware, no inline script or
style, a nonce for what must be inline, the API docs page included), report-only by setting, Referrer-Policy,
Permissions-Policy, SameSite cookies."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from tests.staff import staff_login

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]

PAGES = [
    "/en/",
    "/fr/organisations/",
    "/en/store/plans/",
    "/en/store/sign-in/",
    "/en/store/sign-up/",
    "/en/review/login/",
    "/api/v1/docs",
]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)


def _policy(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.strip() for part in header.split(";") if part.strip()}


@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_a_strict_policy_and_nothing_inline(path):
    response = Client().get(path)
    assert response.status_code == 200
    policy = _policy(response)
    assert policy["default-src"] == "default-src 'self'"
    assert (
        re.fullmatch(r"script-src 'self' 'nonce-[\w+/=-]+'", policy["script-src"])
        or policy["script-src"] == "script-src 'self'"
    )
    assert re.fullmatch(r"style-src 'self'( 'nonce-[\w+/=-]+')?", policy["style-src"])
    assert "unsafe" not in response["Content-Security-Policy"]
    assert policy["frame-ancestors"] == "frame-ancestors 'none'" and policy["object-src"] == "object-src 'none'"
    html = response.content.decode()
    assert not INLINE_SCRIPT.search(html), INLINE_SCRIPT.search(html)
    nonce = re.search(r"'nonce-([\w+/=-]+)'", response["Content-Security-Policy"])
    for tag in re.findall(r"<style[^>]*>", html):  # an inline style only with this response's nonce
        assert nonce and f'nonce="{nonce.group(1)}"' in tag, tag
    assert " style=" not in html and not INLINE_HANDLER.search(html)
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]


def test_back_office_and_two_factor_pages_too(django_user_model, settings):
    settings.STAFF_REQUIRE_2FA = True
    rita = django_user_model.objects.create_user("rita", "rita@vouch.localhost", "x", is_staff=True)
    client = Client()
    client.force_login(rita)
    enrol = client.get("/en/review/two-factor/")
    assert enrol.status_code == 200 and "<svg" in enrol.content.decode()
    assert " style=" not in enrol.content.decode() and "<style" not in enrol.content.decode()
    staff_login(client, rita)
    for path in ("/en/review/", "/en/review/dashboard/", "/admin/"):
        response = client.get(path)
        assert response.status_code == 200 and "Content-Security-Policy" in response
        html = response.content.decode()
        if not path.startswith("/admin/"):  # (Django's own admin templates are Django's; they pass its CSP)
            assert not INLINE_SCRIPT.search(html) and " style=" not in html


def test_the_applicant_status_page_keeps_same_origin_referrers():
    response = Client().get("/en/")
    assert response["Referrer-Policy"] == "same-origin"


def test_cookies_are_samesite_lax():
    client = Client()
    client.get("/en/store/sign-in/")
    assert client.cookies["csrftoken"]["samesite"] == "Lax"
    from django.conf import settings

    assert settings.SESSION_COOKIE_SAMESITE == "Lax" and settings.SESSION_COOKIE_HTTPONLY


def _settings_with(env: dict) -> dict:
    code = (
        "import json, django, os; os.environ['DJANGO_SETTINGS_MODULE']='vouch.settings'; django.setup(); "
        "from django.conf import settings as s; print(json.dumps({'enforce': bool(s.SECURE_CSP), "
        "'report_only': bool(s.SECURE_CSP_REPORT_ONLY), 'report_uri': (s.SECURE_CSP_REPORT_ONLY or "
        "s.SECURE_CSP).get('report-uri'), 'two_factor': s.STAFF_REQUIRE_2FA, 'samesite': s.SESSION_COOKIE_SAMESITE}))"
    )
    full = {**os.environ, **env}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=full, check=True, capture_output=True, text=True, timeout=120
    ).stdout
    import json

    return json.loads(out.strip().splitlines()[-1])


def test_report_only_mode_and_the_production_defaults():
    assert _settings_with({"CSP_REPORT_ONLY": "true", "CSP_REPORT_URI": "/csp-reports/"}) == {
        "enforce": False,
        "report_only": True,
        "report_uri": "/csp-reports/",
        "two_factor": True,
        "samesite": "Lax",
    }
    default = _settings_with({})
    assert default["enforce"] and not default["report_only"] and default["two_factor"]
    assert _settings_with({"DEBUG": "true"})["two_factor"] is False
    assert _settings_with({"DEBUG": "true", "STAFF_REQUIRE_2FA": "true"})["two_factor"] is True
