"""Events emitted by the real services: an automatic approval (submitted, approved, coupon issued), a redemption,
a revocation, a request for information, a reviewer's rejection, an expiry. The coupon code is never sent."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from coupons.models import Coupon
from coupons.redemption import coupon_redeem
from coupons.services import coupon_revoke
from notifications.models import OutboxEmail
from tests.verification.conftest import RE_ALLIANCE
from verification.services import application_reject, application_start, application_submit
from verification.services.expiry import application_expire
from webhooks.delivery import webhook_deliveries_send
from webhooks.models import WebhookEvent

CODE = re.compile(r"\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}\b")


def submit(application):
    return application_submit(application=application, ip="203.0.113.7", user_agent="test")


def events() -> list[tuple[str, dict]]:
    return [(event.type, event.data) for event in WebhookEvent.objects.order_by("pk")]


@pytest.fixture
def approved(au_registry, make_draft, partner, subscribe):
    """A vendor subscribed, then a real application approved automatically: (application, coupon, code)."""
    subscribe(partner)
    application = make_draft(RE_ALLIANCE, email="jo@re-alliance.org.au")
    submit(application)
    application.refresh_from_db()
    code = CODE.search(OutboxEmail.objects.get(template="application_approved").body_text).group()
    return application, Coupon.objects.get(reference=application.reference), code


@pytest.mark.django_db
def test_an_automatic_approval_emits_submitted_approved_and_coupon_issued(approved, receiver):
    application, coupon, code = approved
    assert [event_type for event_type, _data in events()] == [
        "application.submitted",
        "application.approved",
        "coupon.issued",
    ]
    submitted, approval, issued = (data for _type, data in events())
    assert submitted == {
        "reference": application.reference,
        "state": "submitted",
        "program": "workplace-nonprofit",
        "org_id": RE_ALLIANCE,
        "decision_reasons": [],
        "decided_at": None,
    }
    assert approval["state"] == "approved" and approval["decided_at"] == application.decided_at.isoformat()
    assert issued == {
        "coupon_id": coupon.pk,
        "hint": coupon.code_hint,
        "state": "active",
        "application_reference": application.reference,
        "program": "workplace-nonprofit",
        "org_id": RE_ALLIANCE,
        "redeem_by": coupon.redeem_by.isoformat(),
        "redeemed_at": None,
        "revoked_at": None,
    }

    assert webhook_deliveries_send(now=timezone.now())["succeeded"] == 3
    bodies = b"".join(request.body for request in receiver.requests)
    assert code.encode() not in bodies and code.replace("-", "").encode() not in bodies  # never the code
    assert [r.json["type"] for r in receiver.requests] == [
        "application.submitted",
        "application.approved",
        "coupon.issued",
    ]


@pytest.mark.django_db
def test_a_redemption_then_a_revocation_emit_their_events(approved, key_admin):
    application, coupon, code = approved
    coupon_redeem(
        code=code,
        email="jo@re-alliance.org.au",
        product_codes=["workplace-pro"],
        billing_cycle="annual",
        redemption_key="checkout-1",
    )
    coupon_redeem(
        code=code,
        email="jo@re-alliance.org.au",
        product_codes=["workplace-pro"],
        billing_cycle="annual",
        redemption_key="checkout-1",
    )  # the store's retry: no second event
    coupon_revoke(coupon=coupon, actor=key_admin, reason="false information")
    types = [event_type for event_type, _data in events()]
    assert types[3:] == ["coupon.redeemed", "coupon.revoked"]
    redeemed, revoked = (data for _type, data in events()[3:])
    coupon.refresh_from_db()
    assert redeemed["state"] == "redeemed" and redeemed["redeemed_at"] == coupon.redeemed_at.isoformat()
    assert revoked["state"] == "revoked" and revoked["revoked_at"] == coupon.revoked_at.isoformat()
    assert revoked["application_reference"] == application.reference


@pytest.mark.django_db
def test_a_refused_revocation_emits_nothing(approved, key_admin):
    _application, coupon, _code = approved
    coupon_revoke(coupon=coupon, actor=key_admin, reason="false information")
    from core.errors import Conflict

    with pytest.raises(Conflict):
        coupon_revoke(coupon=coupon, actor=key_admin, reason="again")
    assert [t for t, _d in events()].count("coupon.revoked") == 1


@pytest.mark.django_db
def test_information_request_and_reviewer_rejection_emit_their_events(make_draft, partner, subscribe, reviewer):
    subscribe(partner)
    application = make_draft(None)  # an organisation added by hand, no documents: information is requested
    submit(application)
    application.refresh_from_db()
    application_reject(
        application=application, actor=reviewer, reason_codes=["not_registered"], message="Not in any register."
    )
    assert [t for t, _d in events()] == [
        "application.submitted",
        "application.needs_information",
        "application.rejected",
    ]
    rejected = events()[-1][1]
    assert rejected["state"] == "rejected" and [r["code"] for r in rejected["decision_reasons"]] == ["not_registered"]
    assert rejected["decision_reasons"][0]["message"]


@pytest.mark.django_db
def test_an_expiry_emits_application_expired(program, partner, subscribe):
    subscribe(partner)
    application = application_start(program=program, language="en")
    application_expire(now=timezone.now() + timedelta(days=40))
    [(event_type, data)] = events()
    assert event_type == "application.expired" and data["reference"] == application.reference
    assert data["state"] == "expired"
