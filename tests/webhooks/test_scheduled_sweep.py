"""Webhook retries never wait for unrelated traffic: the scheduler's sweep and a real worker deliver a retry whose
time has come, and a delivery a killed worker leased once its lease ends (see tests/core/running.py)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from core.scheduling import ScheduledJob
from tests.core.running import Running, wait_for
from verification.partner_events import application_partner_event
from verification.services import application_start
from webhooks.models import DeliveryStatus, WebhookDelivery
from webhooks.services import webhook_event_record
from webhooks.tasks import deliver_webhooks


@pytest.mark.django_db(transaction=True)
def test_a_due_webhook_retry_and_a_delivery_left_by_a_killed_worker_are_sent(partner, subscribe, program, receiver):
    subscribe(partner, url=receiver.url)
    application = application_start(program=program, language="en")
    first = webhook_event_record(application_partner_event(application=application, event_type="application.submitted"))
    second = webhook_event_record(application_partner_event(application=application, event_type="application.approved"))
    now = timezone.now()
    WebhookDelivery.objects.filter(pk=first[0].pk).update(attempts=1, next_attempt_at=now + timedelta(seconds=2))
    # the second was leased by a worker that was killed; its lease ends in 3 seconds
    WebhookDelivery.objects.filter(pk=second[0].pk).update(attempts=1, next_attempt_at=now + timedelta(seconds=3))
    DBTaskResult.objects.all().delete()
    job = ScheduledJob("send_webhooks", "* * * * * *", deliver_webhooks, "sweep")
    with Running(job):
        wait_for(lambda: WebhookDelivery.objects.filter(status=DeliveryStatus.SUCCEEDED).count() == 2)
    assert len(receiver.requests) == 2
