"""The delivery log in the back-office: staff only, filters, attempts, and Redeliver (POST, CSRF, audited)."""

import pytest
from django.test import Client
from django.utils import timezone

from core.models import AuditEntry
from tests.staff import staff_login
from verification.partner_events import application_partner_event
from verification.services import application_start
from webhooks.delivery import webhook_deliveries_send
from webhooks.models import DeliveryStatus
from webhooks.services import webhook_event_record

LOG = "/en/review/webhooks/"


@pytest.fixture
def delivery(partner, subscribe, receiver, program):
    subscribe(partner)
    application = application_start(program=program, language="en")
    receiver.status = 500
    [delivery] = webhook_event_record(
        application_partner_event(application=application, event_type="application.submitted")
    )
    webhook_deliveries_send(now=timezone.now())
    delivery.refresh_from_db()
    return delivery


def pages(delivery) -> list[tuple[str, str]]:
    return [
        ("get", LOG),
        ("get", f"{LOG}deliveries/{delivery.pk}/"),
        ("post", f"{LOG}deliveries/{delivery.pk}/redeliver/"),
    ]


@pytest.fixture
def staff_client(django_user_model):
    client = Client()
    staff_login(client, django_user_model.objects.create_user("stan", "stan@verifier.example", "x", is_staff=True))
    return client


@pytest.mark.django_db
def test_anonymous_goes_to_the_login_and_non_staff_is_refused(delivery, django_user_model):
    for method, url in pages(delivery):
        response = getattr(Client(), method)(url)
        assert response.status_code == 302 and "/review/login/?next=" in response["Location"], url
    customer = Client()
    customer.force_login(django_user_model.objects.create_user("cus", "cus@example.org", "x"))
    for method, url in pages(delivery):
        assert getattr(customer, method)(url).status_code == 403, url
    delivery.refresh_from_db()
    assert delivery.attempts == 1 and not AuditEntry.objects.filter(action="webhook_delivery.redelivered").exists()


@pytest.mark.django_db
def test_the_log_shows_each_delivery_with_its_attempts_and_filters(delivery, staff_client, make_partner, partner):
    page = staff_client.get(LOG).content.decode()
    assert "application.submitted" in page and partner.name in page and "HTTP 500" in page
    assert "Webhooks" in staff_client.get("/en/review/").content.decode()  # the navigation link
    assert "application.submitted" not in staff_client.get(LOG, {"status": "succeeded"}).content.decode()
    assert "application.submitted" in staff_client.get(LOG, {"status": "pending"}).content.decode()
    other = make_partner("Quiet partner")
    assert "application.submitted" not in staff_client.get(LOG, {"partner": other.pk}).content.decode()
    assert "application.submitted" in staff_client.get(LOG, {"partner": partner.pk}).content.decode()

    detail = staff_client.get(f"{LOG}deliveries/{delivery.pk}/").content.decode()
    assert delivery.event.public_id in detail and "HTTP 500" in detail and "Redeliver" in detail
    assert delivery.subscription.secret not in detail and delivery.subscription.secret not in page


@pytest.mark.django_db
def test_redeliver_queues_an_attempt_now_and_is_audited(delivery, staff_client, receiver):
    receiver.status = 200
    url = f"{LOG}deliveries/{delivery.pk}/redeliver/"
    assert staff_client.get(url).status_code == 405
    response = staff_client.post(url)
    assert response.status_code == 302 and response["Location"].endswith(f"/deliveries/{delivery.pk}/")
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING and delivery.next_attempt_at <= timezone.now()
    entry = AuditEntry.objects.get(action="webhook_delivery.redelivered", object_id=str(delivery.pk))
    assert entry.actor.username == "stan" and entry.after["event"] == delivery.event.public_id
    assert webhook_deliveries_send(now=timezone.now())["succeeded"] == 1
    assert [r.json["id"] for r in receiver.requests] == [delivery.event.public_id] * 2


@pytest.mark.django_db
def test_redeliver_needs_the_csrf_token(delivery, django_user_model):
    client = Client(enforce_csrf_checks=True)
    staff_login(client, django_user_model.objects.create_user("stan", "stan@verifier.example", "x", is_staff=True))
    assert client.post(f"{LOG}deliveries/{delivery.pk}/redeliver/").status_code == 403
    assert not AuditEntry.objects.filter(action="webhook_delivery.redelivered").exists()


@pytest.mark.django_db
def test_redeliver_to_a_deactivated_subscription_is_refused_with_a_message(delivery, staff_client):
    from webhooks.services import webhook_subscription_deactivate

    webhook_subscription_deactivate(subscription=delivery.subscription)
    response = staff_client.post(f"{LOG}deliveries/{delivery.pk}/redeliver/", follow=True)
    assert "deactivated" in response.content.decode()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED


@pytest.mark.django_db
def test_the_admin_lists_subscriptions_without_their_secret(delivery, key_admin):
    client = Client()
    staff_login(client, key_admin)
    subscription = delivery.subscription
    listing = client.get("/admin/webhooks/webhooksubscription/")
    page = client.get(f"/admin/webhooks/webhooksubscription/{subscription.pk}/change/")
    assert listing.status_code == page.status_code == 200
    assert subscription.url in listing.content.decode()
    assert subscription.secret not in listing.content.decode() + page.content.decode()
