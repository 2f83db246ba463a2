"""The webhook subscription endpoints: scope webhooks:manage, the secret shown once, a partner sees only its own."""

import json

import pytest
from django.test import Client

from verification.partner_events import application_partner_event
from verification.services import application_start
from webhooks.models import WebhookSubscription
from webhooks.services import webhook_event_record

BASE = "/api/v1/webhooks/subscriptions"


def post(client, body, **headers):
    return client.post(BASE, json.dumps(body), content_type="application/json", headers=headers)


@pytest.fixture
def client(api_client):
    return api_client(["webhooks:manage"])


@pytest.mark.django_db
def test_without_a_key_or_the_scope_nothing_is_answered(api_client):
    assert Client().get(BASE).status_code == 401
    response = api_client(["applications:read", "coupons:redeem"]).get(BASE)
    assert response.status_code == 403 and response.json()["error"]["code"] == "scope_missing"
    assert response.json()["error"]["details"]["required_scope"] == "webhooks:manage"
    assert post(api_client(["organisations:read"]), {"url": "https://partner.example/h"}).status_code == 403
    assert not WebhookSubscription.objects.exists()


@pytest.mark.django_db
def test_create_returns_the_secret_once(client, partner):
    response = post(
        client, {"url": "https://partner.example/hooks", "event_types": ["coupon.redeemed"], "description": "store"}
    )
    assert response.status_code == 201
    created = response.json()
    assert created["secret"].startswith("whsec_") and len(created["secret"]) > 40
    assert created["event_types"] == ["coupon.redeemed"] and created["is_active"] is True
    subscription = WebhookSubscription.objects.get(pk=created["id"])
    assert subscription.partner == partner and subscription.secret == created["secret"]

    listed = client.get(BASE).json()
    one = client.get(f"{BASE}/{created['id']}").json()
    assert [s["id"] for s in listed] == [created["id"]]
    assert "secret" not in listed[0] and "secret" not in one and created["secret"] not in json.dumps([listed, one])


@pytest.mark.django_db
def test_create_is_idempotent_with_a_key(client):
    body = {"url": "https://partner.example/hooks"}
    first = post(client, body, **{"Idempotency-Key": "sub-1"})
    again = post(client, body, **{"Idempotency-Key": "sub-1"})
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert again["Idempotent-Replayed"] == "true"
    assert WebhookSubscription.objects.count() == 1
    other = post(client, {"url": "https://partner.example/other"}, **{"Idempotency-Key": "sub-1"})
    assert other.status_code == 409 and other.json()["error"]["code"] == "idempotency_key_reused"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"url": "http://partner.example/hooks"}, 400, "url_https_required"),
        ({"url": "https://192.168.1.4/hooks"}, 400, "url_local_forbidden"),
        ({"url": "https://u:p@partner.example/hooks"}, 400, "url_credentials_forbidden"),
        ({"url": "https://partner.example/h", "event_types": ["coupon.stolen"]}, 422, "invalid_input"),
        ({}, 422, "invalid_input"),
    ],
)
def test_invalid_subscriptions_are_refused(client, body, status, code):
    response = post(client, body)
    assert response.status_code == status and response.json()["error"]["code"] == code


@pytest.mark.django_db
def test_http_to_localhost_needs_the_setting(client, settings):
    settings.WEBHOOKS_ALLOW_HTTP_LOCALHOST = False
    assert post(client, {"url": "http://127.0.0.1:9000/h"}).json()["error"]["code"] == "url_local_forbidden"
    settings.WEBHOOKS_ALLOW_HTTP_LOCALHOST = True
    assert post(client, {"url": "http://127.0.0.1:9000/h"}).status_code == 201


@pytest.mark.django_db
def test_another_partners_subscription_is_not_found(client, api_client, make_partner):
    theirs = api_client(["webhooks:manage"], partner=make_partner("Other store"))
    their_id = post(theirs, {"url": "https://other.example/hooks"}).json()["id"]
    for response in (
        client.get(f"{BASE}/{their_id}"),
        client.delete(f"{BASE}/{their_id}"),
        client.get(f"{BASE}/{their_id}/deliveries"),
    ):
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "subscription_not_found"
    assert client.get(BASE).json() == []
    assert WebhookSubscription.objects.get(pk=their_id).is_active


@pytest.mark.django_db
def test_delete_deactivates_and_keeps_the_log(client, partner, program):
    created = post(client, {"url": "http://127.0.0.1:9/hooks"}).json()
    application = application_start(program=program, language="en")
    webhook_event_record(application_partner_event(application=application, event_type="application.submitted"))
    [delivery] = client.get(f"{BASE}/{created['id']}/deliveries").json()
    assert delivery["event_type"] == "application.submitted" and delivery["event_id"].startswith("evt_")
    assert delivery["status"] == "pending" and delivery["attempts"] == 0

    assert client.delete(f"{BASE}/{created['id']}").status_code == 204
    assert client.get(f"{BASE}/{created['id']}").json()["is_active"] is False
    [delivery] = client.get(f"{BASE}/{created['id']}/deliveries").json()
    assert delivery["status"] == "failed" and delivery["next_attempt_at"] is None
    assert client.delete(f"{BASE}/{created['id']}").status_code == 204  # deleting again changes nothing


@pytest.mark.django_db
def test_the_openapi_document_lists_the_operations(client):
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    assert set(paths[BASE]) == {"get", "post"}
    assert set(paths[BASE + "/{subscription_id}"]) == {"get", "delete"}
    assert "201" in paths[BASE]["post"]["responses"] and "404" in paths[BASE + "/{subscription_id}"]["get"]["responses"]
