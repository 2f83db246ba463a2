"""Who receives an event: the program's vendor (sees_all_applications) and the partner that brought the
application; nobody else, and only through active subscriptions wanting the event type."""

import pytest

from coupons.models import Coupon
from tests.verification.conftest import RE_ALLIANCE, organisation
from verification.models import Application
from verification.partner_events import (
    application_partner_event,
    coupon_partner_event,
    organisation_event_data,
    organisation_partner_event,
)
from verification.services import application_start
from verification.services.coupons import application_coupon_issue
from webhooks.services import webhook_event_record, webhook_subscription_deactivate


@pytest.fixture
def cast(make_partner, subscribe, other_program):
    """The vendor, a broker of the same program, a bystander of it, another program's vendor, an inactive one."""
    partners = {
        "vendor": make_partner("Vendor", sees_all=True),
        "broker": make_partner("Broker"),
        "bystander": make_partner("Bystander"),
        "other_vendor": make_partner("Other vendor", sees_all=True, program_=other_program),
        "inactive_vendor": make_partner("Inactive vendor", sees_all=True, active=False),
    }
    for partner in partners.values():
        subscribe(partner)
    return partners


def receivers(deliveries) -> set[str]:
    return {delivery.subscription.partner.name for delivery in deliveries}


def emit_for(application, event_type="application.submitted"):
    return webhook_event_record(application_partner_event(application=application, event_type=event_type))


@pytest.mark.django_db
def test_an_application_event_goes_to_the_vendor_and_the_partner_that_brought_it(cast, program):
    brought = application_start(program=program, language="en")
    Application.objects.filter(pk=brought.pk).update(partner=cast["broker"])
    brought.refresh_from_db()
    direct = application_start(program=program, language="en")

    assert receivers(emit_for(brought)) == {"Vendor", "Broker"}
    assert receivers(emit_for(direct)) == {"Vendor"}


@pytest.mark.django_db
def test_the_partner_that_brought_it_hears_even_from_another_program(cast, other_program):
    application = application_start(program=other_program, language="en")
    Application.objects.filter(pk=application.pk).update(partner=cast["broker"])
    application.refresh_from_db()
    assert receivers(emit_for(application)) == {"Other vendor", "Broker"}


@pytest.mark.django_db
def test_event_types_and_inactive_subscriptions_filter(make_partner, subscribe, program):
    vendor = make_partner("Vendor", sees_all=True)
    coupons_only = subscribe(vendor, event_types=["coupon.issued", "coupon.redeemed"])
    everything = subscribe(vendor)
    stopped = subscribe(vendor)
    webhook_subscription_deactivate(subscription=stopped)
    application = application_start(program=program, language="en")
    assert {d.subscription for d in emit_for(application)} == {everything}
    assert {d.subscription for d in emit_for(application, "application.approved")} == {everything}
    assert coupons_only.wants("coupon.issued") and not coupons_only.wants("application.approved")


@pytest.mark.django_db
def test_nobody_subscribed_stores_no_event(make_partner, program):
    make_partner("Vendor without subscription", sees_all=True)
    from webhooks.models import WebhookEvent

    assert emit_for(application_start(program=program, language="en")) == []
    assert not WebhookEvent.objects.exists()


@pytest.mark.django_db
def test_coupon_events_follow_their_application(cast, au_registry, make_draft):
    application = make_draft(RE_ALLIANCE)
    Application.objects.filter(pk=application.pk).update(partner=cast["broker"], state="approved")
    application.refresh_from_db()
    coupon, _code = application_coupon_issue(application=application)  # emits coupon.issued itself
    from webhooks.models import WebhookEvent

    event = WebhookEvent.objects.get(type="coupon.issued")
    assert receivers(event.deliveries.all()) == {"Vendor", "Broker"}
    assert event.coupon == coupon and event.application == application and event.org_id == RE_ALLIANCE
    again = webhook_event_record(coupon_partner_event(coupon=coupon, event_type="coupon.revoked"))
    assert receivers(again) == {"Vendor", "Broker"}


@pytest.mark.django_db
def test_an_organisation_event_goes_to_partners_that_know_the_organisation(
    cast, au_registry, make_draft, other_program
):
    org = organisation(RE_ALLIANCE)

    def emit_status():
        data = organisation_event_data(
            org_id=org.org_id, name=org.name, old_status="active", new_status="removed", reason="Revoked"
        )
        return webhook_event_record(organisation_partner_event(organisation_id=org.pk, org_id=org.org_id, data=data))

    assert emit_status() == []  # no program has seen it yet
    application = make_draft(RE_ALLIANCE)
    assert receivers(emit_status()) == {"Vendor"}
    Application.objects.filter(pk=application.pk).update(partner=cast["broker"])
    assert receivers(emit_status()) == {"Vendor", "Broker"}
    # A coupon of another program for the organisation brings that program's vendor in.
    other = application_start(program=other_program, language="en")
    Application.objects.filter(pk=other.pk).update(organisation=org, email="jo@example.org", state="approved")
    other.refresh_from_db()
    application_coupon_issue(application=other)
    Application.objects.filter(pk=other.pk).update(organisation=None)  # only the coupon links them now
    assert Coupon.objects.filter(program=other_program, organisation=org).exists()
    assert receivers(emit_status()) == {"Vendor", "Broker", "Other vendor"}
