"""Incomplete applications expire after the program's period, with one reminder a week before."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.models import AuditEntry
from notifications.models import OutboxEmail
from verification.models import Application, ApplicationState
from verification.services import application_expire, application_start

S = ApplicationState


@pytest.fixture
def started(program):
    def start(days_ago: int, **fields) -> Application:
        application = application_start(program=program, language="en", now=timezone.now() - timedelta(days=days_ago))
        Application.objects.filter(pk=application.pk).update(**fields)
        return Application.objects.get(pk=application.pk)

    return start


@pytest.mark.django_db
def test_expiry_reminds_a_week_before_then_expires_once(started):
    now = timezone.now()
    verified = {"email": "jo@example.org", "email_verified_at": now - timedelta(days=24)}
    reminded = started(24, **verified)  # expires in 6 days
    expired = started(31, **verified)
    unproven = started(31, email="someone@example.org")  # never proved the address: nothing is sent to it
    fresh = started(2, **verified)
    submitted = started(40, state=S.IN_REVIEW, **verified)

    assert application_expire(now=now) == {"expired": 2, "reminded": 1}
    assert application_expire(now=now) == {"expired": 0, "reminded": 0}  # idempotent
    assert application_expire(now=now + timedelta(hours=1)) == {"expired": 0, "reminded": 0}

    states = dict(Application.objects.values_list("pk", "state"))
    assert states[expired.pk] == states[unproven.pk] == S.EXPIRED
    assert states[reminded.pk] == states[fresh.pk] == S.DRAFT and states[submitted.pk] == S.IN_REVIEW
    assert Application.objects.get(pk=reminded.pk).reminder_sent_at == now
    emails = sorted(OutboxEmail.objects.values_list("template", "to"))
    assert emails == [("application_expired", "jo@example.org"), ("expiry_reminder", "jo@example.org")]
    assert AuditEntry.objects.filter(action="application.expired").count() == 2

    # A week later the reminded draft expires too; no second reminder was sent meanwhile.
    assert application_expire(now=now + timedelta(days=7)) == {"expired": 1, "reminded": 0}


@pytest.mark.django_db
def test_a_request_for_information_left_unanswered_expires(started):
    now = timezone.now()
    waiting = started(
        45,
        state=S.NEEDS_INFORMATION,
        email="jo@example.org",
        email_verified_at=now,
        expires_at=now - timedelta(minutes=1),
    )
    assert application_expire(now=now) == {"expired": 1, "reminded": 0}
    assert Application.objects.get(pk=waiting.pk).state == S.EXPIRED
    assert OutboxEmail.objects.get().template == "application_expired"
