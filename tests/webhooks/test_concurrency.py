"""Two workers at once never send the same delivery twice (committed transactions, real threads)."""

import threading

import pytest
from django.db import connection

from verification.partner_events import application_partner_event
from verification.services import application_start
from webhooks.delivery import webhook_deliveries_send
from webhooks.models import DeliveryStatus, WebhookDelivery
from webhooks.services import webhook_event_record


@pytest.mark.django_db(transaction=True)
def test_concurrent_passes_share_the_deliveries_without_overlap(partner, subscribe, receiver, program):
    subscribe(partner)
    receiver.delay = 0.02  # long enough for the passes to interleave
    application = application_start(program=program, language="en")
    for _ in range(30):
        webhook_event_record(application_partner_event(application=application, event_type="application.submitted"))
    results, errors = [], []

    def worker():
        try:
            results.append(webhook_deliveries_send())
        except Exception as error:  # surfaced below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    ids = [request.headers["Vouch-Event-Id"] for request in receiver.requests]
    assert len(ids) == len(set(ids)) == 30
    assert sum(result["succeeded"] for result in results) == 30
    assert sum(1 for result in results if result["succeeded"]) >= 2  # the work was actually shared
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SUCCEEDED}
    assert set(WebhookDelivery.objects.values_list("attempts", flat=True)) == {1}
