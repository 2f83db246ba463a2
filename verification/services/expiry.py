"""Applications left incomplete expire (a reminder a week before). Run by `manage.py expire_applications`.

Idempotent: the reminder is claimed by a conditional update of `reminder_sent_at`, the expiry by the state change,
so running it twice, or twice at once, sends each email once.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from core.audit import audit_record
from core.errors import Conflict
from verification.models import Application, ApplicationState
from verification.services import emails
from verification.services.transitions import transition

S = ApplicationState
# Waiting on the applicant: a draft (email not confirmed, not submitted) or a request for information.
EXPIRING_STATES = (S.DRAFT, S.NEEDS_INFORMATION)
REMINDER_BEFORE = timedelta(days=7)


def application_expire(*, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    expired = reminded = 0
    for application in (
        Application.objects.select_related("program", "organisation")
        .filter(state__in=EXPIRING_STATES, expires_at__lte=now)
        .order_by("pk")
    ):
        try:
            with transaction.atomic():
                entry = transition(
                    application=application,
                    to=S.EXPIRED,
                    allowed=EXPIRING_STATES,
                    action="expired",
                    actor_label="system",
                )
                if application.email_verified_at:  # only an address the applicant proved is written to
                    emails.send_expired(application, entry)
        except Conflict:
            continue  # submitted or answered meanwhile: no longer expiring
        expired += 1
    for application in (
        Application.objects.select_related("program", "organisation")
        .filter(
            state__in=EXPIRING_STATES,
            expires_at__gt=now,
            expires_at__lte=now + REMINDER_BEFORE,
            reminder_sent_at__isnull=True,
            email_verified_at__isnull=False,
        )
        .order_by("pk")
    ):
        with transaction.atomic():
            claimed = Application.objects.filter(
                pk=application.pk, state=application.state, reminder_sent_at__isnull=True
            ).update(reminder_sent_at=now)
            if not claimed:
                continue
            application.reminder_sent_at = now
            entry = audit_record(
                action="application.expiry_reminder_sent",
                object_type="application",
                object_id=application.pk,
                actor_label="system",
                before={"reminder_sent_at": None},
                after={
                    "reminder_sent_at": now.isoformat(),
                    "expires_at": application.expires_at.isoformat(),
                    "reference": application.reference,
                },
            )
            emails.send_expiry_reminder(application, entry)
        reminded += 1
    return {"expired": expired, "reminded": reminded}
