"""/metrics: django-prometheus's metrics and Vouch's gauges, only for allowed addresses or the bearer token."""

import ipaddress
import re
from datetime import timedelta

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from coupons.redemption import coupon_redeem
from coupons.services import coupon_issue
from notifications.models import OutboxEmail
from tests.coupons.factories import make_application, make_organisation, make_program
from tests.vouch.test_health import _queue
from verification.models import ApplicationState

pytestmark = pytest.mark.django_db
LOOPBACK = [ipaddress.ip_network("127.0.0.1/32"), ipaddress.ip_network("::1/128")]


def _value(text: str, name: str, labels: str = "") -> float:
    match = re.search(rf"^{re.escape(name + labels)} (\S+)$", text, flags=re.MULTILINE)
    assert match, f"{name}{labels} not in the metrics"
    return float(match.group(1))


def test_from_this_machine_the_metrics_are_served_by_default():
    response = Client(REMOTE_ADDR="127.0.0.1").get("/metrics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert "django_http_requests_before_middlewares_total" in text  # django-prometheus's own
    assert "django_db_execute_total" in text  # its database wrapper counts queries
    assert _value(text, "vouch_metrics_collect_ok") == 1


@override_settings(METRICS_ALLOWED_IPS=LOOPBACK, METRICS_TOKEN="")
def test_other_addresses_are_refused():
    response = Client(REMOTE_ADDR="203.0.113.9").get("/metrics")
    assert response.status_code == 403 and b"vouch_" not in response.content


@override_settings(METRICS_ALLOWED_IPS=[ipaddress.ip_network("10.0.0.0/8")], METRICS_TOKEN="")
def test_an_allowed_network_is_served():
    assert Client(REMOTE_ADDR="10.20.30.40").get("/metrics").status_code == 200
    assert Client(REMOTE_ADDR="127.0.0.1").get("/metrics").status_code == 403


@override_settings(METRICS_ALLOWED_IPS=[], METRICS_TOKEN="s3cret-scrape-token")
def test_the_bearer_token_opens_the_metrics_from_anywhere():
    client = Client(REMOTE_ADDR="203.0.113.9")
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-scrape-token").status_code == 200
    refused = client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong")
    assert refused.status_code == 403 and refused["WWW-Authenticate"] == 'Bearer realm="metrics"'
    assert client.get("/metrics").status_code == 403


@override_settings(METRICS_ALLOWED_IPS=LOOPBACK, TRUSTED_PROXY_COUNT=1)
def test_behind_the_proxy_the_client_address_decides_not_the_proxy():
    assert Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9").get("/metrics").status_code == 403


def test_vouch_gauges_are_read_from_the_database_at_scrape_time():
    program = make_program(eligible_products=["workplace-pro"])
    _coupon, code = coupon_issue(
        program=program,
        organisation=make_organisation("US-EIN-444444444"),
        email="a@example.org",
        reference="VCH-MET001",
    )
    coupon_redeem(
        code=code,
        email="a@example.org",
        product_codes=["workplace-pro"],
        billing_cycle="annual",
        redemption_key="checkout-1",
    )
    make_application(
        program,
        make_organisation("US-EIN-555555555"),
        email="b@example.org",
        state=ApplicationState.IN_REVIEW,
        due_at=timezone.now() - timedelta(hours=1),
    )
    email = _queue()
    OutboxEmail.objects.filter(pk=email.pk).update(
        created_at=timezone.now() - timedelta(minutes=5), next_attempt_at=timezone.now() - timedelta(minutes=4)
    )

    text = Client().get("/metrics").content.decode()
    assert _value(text, "vouch_coupons_issued") == 1 and _value(text, "vouch_coupons_redeemed") == 1
    assert _value(text, "vouch_coupons", '{state="redeemed"}') == 1
    assert _value(text, "vouch_applications", '{state="in_review"}') == 1
    assert _value(text, "vouch_reviews_overdue") == 1
    assert _value(text, "vouch_outbox_backlog") == 1 and _value(text, "vouch_outbox_due") == 1
    assert 290 <= _value(text, "vouch_outbox_oldest_pending_age_seconds") < 400
    assert 230 <= _value(text, "vouch_outbox_oldest_due_age_seconds") < 340
    assert _value(text, "vouch_webhooks_backlog") == 0
    assert _value(text, "vouch_tasks_ready") >= 0
