"""Delivering to a real HTTP receiver on 127.0.0.1: signatures, retries after an outage, abandon after 24 hours,
redelivery with the same event id, and nothing sent for a rolled-back change. Time is driven with `now=`."""

import json
from datetime import timedelta
from itertools import pairwise
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from core.models import AuditEntry
from tests.webhooks.conftest import Receiver
from verification.partner_events import application_partner_event
from verification.services import application_start
from webhooks import delivery as delivery_module
from webhooks.delivery import webhook_deliveries_send
from webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEvent
from webhooks.services import webhook_delivery_redeliver, webhook_event_record, webhook_subscription_deactivate
from webhooks.signing import signature_header, signature_verify
from webhooks.tasks import deliver_webhooks


@pytest.fixture
def application(program):
    return application_start(program=program, language="en")


@pytest.fixture
def emit(application):
    def run(event_type="application.submitted"):
        return webhook_event_record(application_partner_event(application=application, event_type=event_type))

    return run


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user("stan", "stan@verifier.example", "x", is_staff=True)


@pytest.mark.django_db
def test_an_event_is_posted_signed_to_the_receiver(partner, subscribe, receiver, emit, application):
    subscription = subscribe(partner)
    [delivery] = emit()
    now = timezone.now()
    assert webhook_deliveries_send(now=now) == {
        "succeeded": 1,
        "retrying": 0,
        "abandoned": 0,
        "failed": 0,
        "still_due": 0,
    }
    [request] = receiver.requests
    event = WebhookEvent.objects.get()
    assert request.path == "/hooks"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["User-Agent"] == "Vouch-Webhooks/1"
    assert request.headers["Vouch-Event-Id"] == event.public_id and event.public_id.startswith("evt_")
    assert request.headers["Vouch-Event-Type"] == "application.submitted"
    assert signature_verify(
        secret=subscription.secret, header=request.headers["Vouch-Signature"], body=request.body, now=now.timestamp()
    )
    assert request.json == {
        "id": event.public_id,
        "type": "application.submitted",
        "created_at": event.created_at.isoformat(),
        "data": {
            "reference": application.reference,
            "state": "draft",
            "program": "workplace-nonprofit",
            "org_id": None,
            "decision_reasons": [],
            "decided_at": None,
        },
    }
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED and delivery.attempts == 1
    assert delivery.delivered_at == now and delivery.last_status_code == 200
    [attempt] = delivery.attempt_log.all()
    assert attempt.succeeded and attempt.status_code == 200 and attempt.response_excerpt == "thanks"
    assert webhook_deliveries_send(now=now + timedelta(hours=1))["succeeded"] == 0  # sent once
    assert len(receiver.requests) == 1


@pytest.mark.django_db
def test_an_outage_is_retried_with_backoff_until_the_receiver_is_back(partner, subscribe, receiver, emit):
    subscribe(partner)
    [delivery] = emit()
    start = timezone.now()

    receiver.status = 500
    assert webhook_deliveries_send(now=start)["retrying"] == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING and delivery.last_status_code == 500
    assert delivery.next_attempt_at == start + timedelta(minutes=1)
    assert len(delivery.attempt_log.get().response_excerpt) == 200  # a 5,000-byte answer is not kept

    assert webhook_deliveries_send(now=start + timedelta(seconds=30))["retrying"] == 0  # not due yet

    receiver.stop()  # connection refused
    assert webhook_deliveries_send(now=start + timedelta(minutes=1))["retrying"] == 1
    delivery.refresh_from_db()
    assert delivery.last_status_code is None and "Connection" in delivery.last_error
    assert delivery.next_attempt_at == start + timedelta(minutes=3)

    receiver.status = 200
    receiver.start()  # back, on the same port
    assert webhook_deliveries_send(now=start + timedelta(minutes=3))["succeeded"] == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED and delivery.attempts == 3
    assert [a.status_code for a in delivery.attempt_log.all()] == [500, None, 200]
    first, last = receiver.requests
    assert first.body == last.body and first.headers["Vouch-Event-Id"] == last.headers["Vouch-Event-Id"]
    assert first.headers["Vouch-Signature"] != last.headers["Vouch-Signature"]  # signed at each attempt's time


@pytest.mark.django_db
def test_a_receiver_failing_for_a_day_gets_the_delivery_abandoned(partner, subscribe, receiver, emit):
    subscribe(partner)
    [delivery] = emit()
    event_at = delivery.event.created_at
    receiver.status = 503
    moments = []
    while delivery.status == DeliveryStatus.PENDING and len(moments) < 50:
        moments.append(delivery.next_attempt_at)
        webhook_deliveries_send(now=delivery.next_attempt_at)
        delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.ABANDONED and delivery.last_status_code == 503
    assert len(receiver.requests) == delivery.attempts == len(moments)
    assert moments[-1] == event_at + timedelta(hours=24)  # tried until a day had passed, no longer
    gaps = [later - earlier for earlier, later in pairwise(moments)]
    assert gaps[:4] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert max(gaps) == timedelta(hours=6)
    assert webhook_deliveries_send(now=event_at + timedelta(days=3))["retrying"] == 0


@pytest.mark.django_db
def test_redirects_are_not_followed(partner, subscribe, receiver, emit):
    elsewhere = Receiver().start()
    try:
        subscribe(partner)
        receiver.status, receiver.location = 302, elsewhere.url
        [delivery] = emit()
        assert webhook_deliveries_send(now=timezone.now())["retrying"] == 1
        delivery.refresh_from_db()
        assert delivery.last_status_code == 302 and delivery.status == DeliveryStatus.PENDING
        assert elsewhere.requests == []
    finally:
        elsewhere.stop()


@pytest.mark.django_db
def test_a_slow_receiver_times_out_and_is_retried(partner, subscribe, receiver, emit, monkeypatch):
    monkeypatch.setattr(delivery_module, "TIMEOUT_SECONDS", 0.3)
    subscribe(partner)
    receiver.delay = 1.0
    [delivery] = emit()
    assert webhook_deliveries_send(now=timezone.now())["retrying"] == 1
    delivery.refresh_from_db()
    assert "timed out" in delivery.last_error.lower() and delivery.last_status_code is None


@pytest.mark.django_db
def test_a_redelivery_sends_the_same_event_id_again(partner, subscribe, receiver, emit, staff):
    subscribe(partner)
    [delivery] = emit()
    now = timezone.now()
    webhook_deliveries_send(now=now)
    later = now + timedelta(days=2)
    webhook_delivery_redeliver(delivery=delivery, actor=staff, now=later)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING and delivery.retry_until == later + timedelta(hours=24)
    assert webhook_deliveries_send(now=later)["succeeded"] == 1
    first, second = receiver.requests
    assert first.json["id"] == second.json["id"] == delivery.event.public_id
    assert first.body == second.body
    assert AuditEntry.objects.filter(
        action="webhook_delivery.redelivered", object_id=str(delivery.pk), actor=staff
    ).exists()


@pytest.mark.django_db
def test_a_rolled_back_change_emits_nothing(partner, subscribe, receiver, emit, django_capture_on_commit_callbacks):
    subscribe(partner)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        assert len(emit()) == 1
        raise RuntimeError("the change failed")
    assert not WebhookEvent.objects.exists() and not WebhookDelivery.objects.exists()
    assert callbacks == []
    assert webhook_deliveries_send(now=timezone.now() + timedelta(days=1))["succeeded"] == 0
    assert receiver.requests == []


@pytest.mark.django_db
def test_a_committed_event_asks_the_worker_for_one_pass(
    partner, subscribe, receiver, emit, django_capture_on_commit_callbacks
):
    subscribe(partner)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        emit("application.submitted")
        emit("application.approved")
    assert len(callbacks) == 1
    task = DBTaskResult.objects.get(task_path="webhooks.tasks.deliver_webhooks")
    assert task.status == "READY"

    assert deliver_webhooks.call()["succeeded"] == 2  # what db_worker runs
    assert [r.headers["Vouch-Event-Type"] for r in receiver.requests] == [
        "application.submitted",
        "application.approved",
    ]


@pytest.mark.django_db
def test_the_cron_command_delivers_what_is_due(partner, subscribe, receiver, emit, capsys):
    subscribe(partner)
    emit()
    call_command("send_webhooks", "--json")
    assert json.loads(capsys.readouterr().out)["succeeded"] == 1
    assert len(receiver.requests) == 1


@pytest.mark.django_db
def test_a_deactivated_subscription_receives_nothing_more(partner, subscribe, receiver, emit):
    subscription = subscribe(partner)
    [delivery] = emit()
    webhook_subscription_deactivate(subscription=subscription)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED and delivery.last_error == "subscription deactivated"
    assert emit() == []
    webhook_deliveries_send(now=timezone.now())
    assert receiver.requests == []


@pytest.mark.django_db
def test_a_partner_deactivated_after_the_event_gets_nothing(partner, subscribe, receiver, emit):
    subscribe(partner)
    [delivery] = emit()
    partner.is_active = False
    partner.save(update_fields=["is_active"])
    assert webhook_deliveries_send(now=timezone.now())["failed"] == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 0
    assert receiver.requests == []


@pytest.mark.django_db
def test_the_verification_snippet_of_the_docs_accepts_a_real_request(partner, subscribe, receiver, emit):
    """The receivers' code in docs/api.md, run as written against what the receiver got."""
    docs = (Path(__file__).resolve().parents[2] / "docs" / "api.md").read_text(encoding="utf-8")
    snippet = docs.split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict = {}
    exec(snippet, namespace)  # noqa: S102 (our own documentation)
    valid = namespace["vouch_signature_valid"]
    subscription = subscribe(partner)
    emit()
    webhook_deliveries_send(now=timezone.now())
    [request] = receiver.requests
    assert valid(subscription.secret, request.headers["Vouch-Signature"], request.body)
    assert not valid(subscription.secret, request.headers["Vouch-Signature"], request.body + b" ")
    assert not valid("whsec_wrong", request.headers["Vouch-Signature"], request.body)
    stale = signature_header(
        secret=subscription.secret, body=request.body, timestamp=int(timezone.now().timestamp()) - 600
    )
    assert not valid(subscription.secret, stale, request.body)


def test_a_name_resolving_to_this_machine_is_refused_when_sending(settings):
    """The URL check sees only IP literals; the sender checks what a name resolves to, before connecting."""
    settings.WEBHOOKS_ALLOW_HTTP_LOCALHOST = False
    refused = delivery_module._destination_problem("https://localhost:1/hooks")
    # The partner reads this in its delivery log: refused, without what the name resolves to.
    assert refused == "destination refused: the address is not a public one"
    assert "127.0.0.1" not in refused and "localhost" not in refused
    assert delivery_module._destination_problem("https://127.0.0.1:1/hooks") != ""
    assert delivery_module._destination_problem("https://name.invalid/hooks") == ""  # left to the request
    settings.WEBHOOKS_ALLOW_HTTP_LOCALHOST = True
    assert delivery_module._destination_problem("http://localhost:1/hooks") == ""


@pytest.mark.django_db
def test_old_events_are_pruned_with_their_log_but_not_while_a_delivery_is_pending(partner, subscribe, emit):
    from io import StringIO

    from django.core.management.base import CommandError

    subscribe(partner)
    sent, waiting, recent = emit(), emit(), emit()
    WebhookDelivery.objects.filter(pk=sent[0].pk).update(status=DeliveryStatus.SUCCEEDED)
    long_ago = timezone.now() - timedelta(days=100)
    WebhookEvent.objects.filter(pk__in=[sent[0].event_id, waiting[0].event_id]).update(created_at=long_ago)

    out = StringIO()
    call_command("prune_webhook_events", "--days", "90", stdout=out)
    assert "webhook events deleted: 1" in out.getvalue()
    assert set(WebhookEvent.objects.values_list("pk", flat=True)) == {waiting[0].event_id, recent[0].event_id}
    assert not WebhookDelivery.objects.filter(pk=sent[0].pk).exists()
    with pytest.raises(CommandError):
        call_command("prune_webhook_events", "--days", "1")
