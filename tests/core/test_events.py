"""core.events: how a lower layer tells the layers above it, without importing them."""

from dataclasses import dataclass

import pytest
from django.db import transaction

from core.events import event_handlers, event_publish, event_subscribe
from core.models import AuditEntry
from coupons.events import CouponChanged, OrganisationCouponsReviewed
from registry.events import OrganisationStatusChanged
from verification.events import PartnerEvent


@dataclass(frozen=True)
class Happened:
    what: str


@dataclass(frozen=True)
class Unrelated:
    what: str


def test_handlers_run_in_subscription_order_and_return_their_results():
    calls = []

    def first(event):
        calls.append(("first", event.what))
        return 1

    def second(event):
        calls.append(("second", event.what))
        return 2

    event_subscribe(Happened, first)
    event_subscribe(Happened, second)
    event_subscribe(Happened, first)  # twice: still once
    assert event_publish(Happened("x")) == [1, 2]
    assert calls == [("first", "x"), ("second", "x")]
    assert event_publish(Unrelated("y")) == []  # nobody listens: nothing runs


@pytest.mark.django_db(transaction=True)
def test_a_failing_handler_rolls_back_the_publisher_and_what_other_handlers_wrote():
    def writes(event):
        AuditEntry.objects.create(action="test.handled", object_type="test", object_id=event.what)

    def fails(event):
        raise RuntimeError("reaction failed")

    @dataclass(frozen=True)
    class Risky:
        what: str

    event_subscribe(Risky, writes)
    event_subscribe(Risky, fails)
    with pytest.raises(RuntimeError), transaction.atomic():
        AuditEntry.objects.create(action="test.change", object_type="test", object_id="1")
        event_publish(Risky("1"))
    assert not AuditEntry.objects.filter(object_type="test").exists()


def test_the_layers_above_are_subscribed_at_start_up():
    """The wiring ARCHITECTURE.md describes: each event reaches the layer that reacts to it."""
    names = {
        event: [f"{handler.__module__}.{handler.__name__}" for handler in event_handlers(event)]
        for event in (OrganisationStatusChanged, OrganisationCouponsReviewed, CouponChanged, PartnerEvent)
    }
    assert names == {
        OrganisationStatusChanged: ["coupons.monitoring.registry_status_changed"],
        OrganisationCouponsReviewed: [
            "verification.partner_events.organisation_coupons_reviewed",
            "verification.receipts.reactions.organisation_coupons_reviewed",
        ],
        CouponChanged: ["verification.partner_events.coupon_changed", "verification.receipts.reactions.coupon_changed"],
        PartnerEvent: ["webhooks.services.webhook_event_record"],
    }
