"""The cron commands: send_outbox (a sweep behind the worker) and expire_applications."""

import io
import json
import sys
import types

import pytest
from django.core.management import call_command

from notifications.models import OutboxEmail, OutboxState
from notifications.services import email_queue
from tests.notifications.test_queue import CONTEXTS


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_send_outbox_runs_one_pass(smtp_server):
    email_queue(
        to="a@example.org",
        template="application_expired",
        context=CONTEXTS["application_expired"],
        language="en",
        dedupe_key="expired:1",
    )
    assert run("send_outbox").startswith("sent 1, retrying 0, failed 0, still due 0")
    assert OutboxEmail.objects.get().state == OutboxState.SENT
    assert json.loads(run("send_outbox", "--json")) == {
        "sent": 0,
        "retrying": 0,
        "failed": 0,
        "still_due": 0,
        "failed_total": 0,
    }
    assert len(smtp_server.messages) == 1


@pytest.mark.django_db
def test_send_outbox_can_requeue_failed_emails(smtp_server):
    email = email_queue(
        to="a@example.org",
        template="application_expired",
        context=CONTEXTS["application_expired"],
        language="en",
        dedupe_key="expired:1",
    )
    OutboxEmail.objects.filter(pk=email.pk).update(state=OutboxState.FAILED, attempts=12, last_error="550")
    assert "failed in total, needing a person: 1" in run("send_outbox")
    output = run("send_outbox", "--retry-failed")
    assert output.startswith("requeued 1 failed emails\nsent 1,")
    email.refresh_from_db()
    assert email.state == OutboxState.SENT and email.attempts == 1 and len(smtp_server.messages) == 1


@pytest.fixture
def fake_expire(monkeypatch):
    """verification.services.application_expire belongs to the verification engineer; the command only calls it."""
    calls = []

    def application_expire(*, now):
        calls.append(now)
        return {"reminded": 2, "expired": 1} if len(calls) == 1 else {"reminded": 0, "expired": 0}

    try:
        import verification.services as services
    except ImportError:
        services = types.ModuleType("verification.services")
        monkeypatch.setitem(sys.modules, "verification.services", services)
    monkeypatch.setattr(services, "application_expire", application_expire, raising=False)
    return calls


@pytest.mark.django_db
def test_expire_applications_prints_the_counts(fake_expire):
    assert run("expire_applications").strip() == "reminded 2, expired 1"
    assert json.loads(run("expire_applications", "--json")) == {"reminded": 0, "expired": 0}
    assert len(fake_expire) == 2 and fake_expire[0].tzinfo is not None


@pytest.mark.django_db
def test_expire_applications_runs_the_real_service_idempotently():
    first = json.loads(run("expire_applications", "--json"))
    assert first == json.loads(run("expire_applications", "--json"))
    assert all(isinstance(value, int) for value in first.values())
