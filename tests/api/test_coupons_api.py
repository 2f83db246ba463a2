"""POST /api/v1/coupons/validate and /redeem: the store's rules and refusal codes, for the partner's program only,
on coupons issued to real registry organisations."""

import json
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from coupons.models import Coupon, CouponState
from coupons.redemption import RATE_LIMIT_FAILURES
from coupons.services import coupon_revoke
from programs.demo import program_demo_ensure
from programs.models import Program
from registry.models import Organisation
from tests.verification.conftest import SALMON_CREEK
from verification.models import Application
from verification.services import application_start
from verification.services.coupons import application_coupon_issue

VALIDATE, REDEEM = "/api/v1/coupons/validate", "/api/v1/coupons/redeem"
EMAIL = "director@salmoncreekhousing.org"
PURCHASE = {"email": EMAIL, "product_codes": ["workplace-pro", "phone-system"], "billing_cycle": "annual"}


def issue(program, *, org_id: str | None = SALMON_CREEK, email: str = EMAIL, now=None) -> tuple[Coupon, str]:
    """A coupon as an approval issues it, for an application of `program` (org_id None: added by hand)."""
    now = now or timezone.now()
    application = application_start(program=program, language="en", now=now)
    organisation = Organisation.objects.get(org_id=org_id) if org_id else None
    Application.objects.filter(pk=application.pk).update(
        organisation=organisation,
        country="US",
        manual_name="" if organisation else "Hand Added Club",
        applicant_name="Dana Fisher",
        email=email,
        email_verified_at=now,
        declared_budget_minor=100_000,
    )
    application.refresh_from_db()
    return application_coupon_issue(application=application, now=now)


def post(client, url: str, data: dict, **headers):
    return client.post(url, json.dumps(data), content_type="application/json", headers=headers)


def error(response) -> dict:
    return response.json()["error"]


@pytest.fixture
def store(api_client, us_registry):
    return api_client(["coupons:redeem"])


@pytest.fixture
def issued(partner):
    return issue(partner.program)


@pytest.mark.django_db
def test_validate_quotes_without_using_the_coupon(store, issued):
    coupon, code = issued
    response = post(store, VALIDATE, {"code": code.lower().replace("-", " "), **PURCHASE})
    assert response.status_code == 200, response.content
    quote = response.json()
    assert quote["valid"] is True and quote["reference"] == coupon.reference
    assert float(quote["discount_percent"]) == 50 and quote["eligible_products"] == ["workplace-pro"]
    coupon.refresh_from_db()
    assert coupon.state == CouponState.ACTIVE


@pytest.mark.django_db
def test_redeem_once_then_retries_and_other_orders(store, issued):
    coupon, code = issued
    first = post(store, REDEEM, {"code": code, "order_reference": "order-1", **PURCHASE})
    assert first.status_code == 200, first.content
    assert first.json()["redeemed"] is True and first.json()["order_reference"] == "order-1"
    coupon.refresh_from_db()
    assert coupon.state == CouponState.REDEEMED and coupon.redemption_key.endswith(":order-1")
    retry = post(store, REDEEM, {"code": code, "order_reference": "order-1", **PURCHASE})
    assert retry.status_code == 200 and retry.json()["redeemed_at"] == first.json()["redeemed_at"]
    other = post(store, REDEEM, {"code": code, "order_reference": "order-2", **PURCHASE})
    assert other.status_code == 409 and error(other)["code"] == "coupon_already_redeemed"
    assert error(other)["details"]["contact"]["party"] == "verifier"  # "already used": the verifier helps
    assert error(other)["details"]["reference"] == coupon.reference


@pytest.mark.django_db
def test_the_idempotency_key_replays_and_is_the_redemption_key(store, issued, partner):
    coupon, code = issued
    headers = {"Idempotency-Key": "checkout-abc"}
    data = {"code": code, "order_reference": "o-1", **PURCHASE}
    first = post(store, REDEEM, data, **headers)
    replayed = post(store, REDEEM, data, **headers)
    assert first.status_code == replayed.status_code == 200 and replayed["Idempotent-Replayed"] == "true"
    assert replayed.json() == first.json()
    coupon.refresh_from_db()
    assert coupon.redemption_key == f"api:{partner.pk}:checkout-abc"
    reused = post(store, REDEEM, {**data, "order_reference": "o-2"}, **headers)
    assert reused.status_code == 409 and error(reused)["code"] == "idempotency_key_reused"
    long_key = {"Idempotency-Key": "k" * 255}  # hashed into the service's 100-character redemption key
    assert (
        error(post(store, REDEEM, {**data, "order_reference": "o-3"}, **long_key))["code"] == "coupon_already_redeemed"
    )


def _refusal(kind: str, program, code: str, coupon: Coupon, store):
    data = {"code": code, **PURCHASE}
    if kind == "coupon_not_found":
        data["code"] = "ZZZZ-ZZZZ-ZZZZ-ZZZZ"
    elif kind == "coupon_email_mismatch":
        data["email"] = "someone@else.example"
    elif kind == "product_not_eligible":
        data["product_codes"] = ["phone-system"]
    elif kind == "billing_cycle_not_eligible":
        data["billing_cycle"] = "monthly"
    elif kind == "coupon_revoked":
        coupon_revoke(coupon=coupon, actor=None, reason="The organisation left the register.")
    elif kind == "coupon_expired":
        Coupon.objects.filter(pk=coupon.pk).update(redeem_by=timezone.now() - timedelta(seconds=1))
    elif kind == "coupon_already_redeemed":
        assert post(store, REDEEM, {**data, "order_reference": "first"}).status_code == 200
    return data


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "status", "party"),
    [
        ("coupon_not_found", 404, "vendor_support"),
        ("coupon_email_mismatch", 400, "vendor_support"),
        ("product_not_eligible", 400, "vendor_support"),
        ("billing_cycle_not_eligible", 400, "vendor_support"),
        ("coupon_revoked", 409, "vendor_support"),
        ("coupon_expired", 409, "vendor_support"),
        ("coupon_already_redeemed", 409, "verifier"),
    ],
)
def test_each_refusal_has_the_stores_code_status_and_contact(store, issued, partner, kind, status, party):
    coupon, code = issued
    data = _refusal(kind, partner.program, code, coupon, store)
    for url, extra in ((VALIDATE, {}), (REDEEM, {"order_reference": "order-9"})):
        response = post(store, url, {**data, **extra})
        assert response.status_code == status, (url, response.content)
        refusal = error(response)
        assert refusal["code"] == kind and refusal["details"]["contact"]["party"] == party
        assert refusal["message"]
        if kind == "coupon_email_mismatch":  # asked by another account: not the holder's reference
            assert refusal["details"]["reference"] == "" and coupon.reference not in refusal["message"]
            assert partner.program.support_contact in refusal["message"]
        elif kind != "coupon_not_found":
            assert refusal["details"]["reference"] == coupon.reference
            assert kind == "coupon_already_redeemed" or partner.program.support_contact in refusal["message"]
    coupon.refresh_from_db()
    assert coupon.redemption_key in ("", f"api:{partner.pk}:first")  # no refused request redeemed it


@pytest.mark.django_db
def test_a_coupon_of_another_program_is_unknown_to_the_partner(store, partner):
    other = Program.objects.create(
        slug="other-program",
        name="Other",
        vendor_name="Other Inc",
        terms_version="1",
        privacy_version="1",
        eligible_products=["workplace-pro"],
    )
    coupon, code = issue(other)
    for url, extra in ((VALIDATE, {}), (REDEEM, {"order_reference": "order-1"})):
        response = post(store, url, {"code": code, **PURCHASE, **extra})
        assert response.status_code == 404 and error(response)["code"] == "coupon_not_found"
        assert error(response)["details"]["reference"] == ""  # nothing about the other program's application
    coupon.refresh_from_db()
    assert coupon.state == CouponState.ACTIVE


@pytest.mark.django_db
def test_guessing_codes_is_slowed_down_per_api_key(store, api_client, issued):
    _coupon, code = issued
    for attempt in range(RATE_LIMIT_FAILURES):
        assert post(store, VALIDATE, {"code": f"ZZZZ-ZZZZ-ZZZZ-ZZ{attempt:02d}", **PURCHASE}).status_code == 404
    limited = post(store, VALIDATE, {"code": code, **PURCHASE})
    assert limited.status_code == 429 and error(limited)["code"] == "too_many_attempts"
    assert int(limited["Retry-After"]) > 0
    assert post(api_client(["coupons:redeem"]), VALIDATE, {"code": code, **PURCHASE}).status_code == 200


@pytest.mark.django_db
def test_scope_is_required(api_client, issued):
    _coupon, code = issued
    response = post(api_client(["applications:write", "applications:read"]), VALIDATE, {"code": code, **PURCHASE})
    assert response.status_code == 403 and error(response)["details"]["required_scope"] == "coupons:redeem"
    assert Client().post(VALIDATE, "{}", content_type="application/json").status_code == 401


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data",
    [
        {
            "code": "x",
            "email": EMAIL,
            "product_codes": "workplace-pro",
            "billing_cycle": "annual",
            "order_reference": "o",
        },
        {"code": "x", "email": EMAIL, "product_codes": [], "billing_cycle": "annual", "order_reference": "o\x00"},
        {"code": "x", "email": EMAIL, "product_codes": [], "billing_cycle": "annual", "order_reference": ""},
    ],
)
def test_malformed_requests_are_422(store, data):
    response = post(store, REDEEM, data)
    assert response.status_code == 422 and error(response)["code"] == "invalid_input"


@pytest.mark.django_db(transaction=True)
def test_concurrent_redemptions_through_the_api_succeed_exactly_once(make_key, partner):
    if connection.vendor != "postgresql":
        pytest.skip("a real race needs PostgreSQL: SQLite serialises writers")
    program = program_demo_ensure()
    coupon, code = issue(program, org_id=None, email="club@handadded.example")  # no registry: a flushing test
    _key, raw = make_key(["coupons:redeem"])
    threads, barrier, outcomes, lock = 8, threading.Barrier(8), [], threading.Lock()

    def attempt(index: int):
        try:
            client = Client(headers={"Authorization": f"Bearer {raw}"})
            barrier.wait(timeout=30)
            response = post(
                client,
                REDEEM,
                {
                    "code": code,
                    "email": "club@handadded.example",
                    "product_codes": ["workplace-pro"],
                    "billing_cycle": "annual",
                    "order_reference": f"order-{index}",
                },
            )
            outcome = (response.status_code, response.json().get("error", {}).get("code"))
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    workers = [threading.Thread(target=attempt, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert sorted(outcomes) == [(200, None)] + [(409, "coupon_already_redeemed")] * (threads - 1)
    coupon.refresh_from_db()
    assert coupon.state == CouponState.REDEEMED
