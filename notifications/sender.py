"""Sending the outbox: claim a due email, send it over the configured mailer, record what happened.

Every state change is a conditional UPDATE, so several workers (and the cron sweep) can run at once without sending
an email twice:

- claim: ``pending`` (or ``sending`` whose lease ran out: a worker crashed mid-send) with ``next_attempt_at <= now``
  becomes ``sending``, ``attempts + 1``, and ``next_attempt_at = now + LEASE`` (the lease);
- success: ``sent``;
- failure: back to ``pending`` with the error and ``next_attempt_at = now + backoff`` (1, 2, 4 … minutes, at most an
  hour); after MAX_ATTEMPTS attempts, or at once on a permanent SMTP refusal (a 5xx reply), ``failed``: a person must
  look (the admin lists them).

Delivery is at least once: a worker that dies after the SMTP server accepted the message but before recording it
sends it again when the lease ends. The Message-ID is the same on every attempt, so receivers drop the copy.
"""

import logging
import smtplib
from datetime import datetime, timedelta

from django.conf import settings
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db.models import F, Q
from django.utils import timezone

from notifications.models import OutboxEmail, OutboxState

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 12
LEASE = timedelta(minutes=10)  # a `sending` row older than this belongs to a worker that died
MAX_BACKOFF = timedelta(hours=1)
PASS_LIMIT = 500  # emails one pass handles at most; the next pass takes the rest
ERROR_MAX_CHARS = 2000


def outbox_backoff(attempts: int) -> timedelta:
    """Wait after the n-th failed attempt: 1, 2, 4, 8 … minutes, capped at an hour."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def _due(now: datetime):
    return OutboxEmail.objects.filter(
        Q(state=OutboxState.PENDING) | Q(state=OutboxState.SENDING), next_attempt_at__lte=now
    )


def _claim(pk: int) -> OutboxEmail | None:
    now = timezone.now()
    claimed = (
        _due(now)
        .filter(pk=pk)
        .update(state=OutboxState.SENDING, attempts=F("attempts") + 1, next_attempt_at=now + LEASE)
    )
    return OutboxEmail.objects.get(pk=pk) if claimed else None


def _message(email: OutboxEmail) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.to],
        headers={"Message-ID": email.message_id, "Auto-Submitted": "auto-generated"},
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    return message


def _is_permanent(error: Exception) -> bool:
    """A 5xx reply to the recipient or the data: retrying will not help (unknown mailbox, refused content)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return bool(error.recipients) and all(code >= 500 for code, _ in error.recipients.values())
    if isinstance(error, (smtplib.SMTPDataError, smtplib.SMTPSenderRefused)):
        return error.smtp_code >= 500
    return False


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:ERROR_MAX_CHARS]


def _record_success(email: OutboxEmail) -> None:
    """Sent: the secret-free bodies take the place of the real ones (no usable code or link stays behind)."""
    secret_free = (
        {"body_text": F("redacted_text"), "body_html": F("redacted_html"), "redacted_text": "", "redacted_html": ""}
        if email.redacted_text
        else {}
    )
    OutboxEmail.objects.filter(pk=email.pk, state=OutboxState.SENDING).update(
        state=OutboxState.SENT, sent_at=timezone.now(), last_error="", **secret_free
    )


def _record_failure(email: OutboxEmail, error: Exception) -> str:
    """Back to pending with a backoff, or failed. Returns the new state."""
    permanent = _is_permanent(error)
    state = OutboxState.FAILED if permanent or email.attempts >= MAX_ATTEMPTS else OutboxState.PENDING
    now = timezone.now()
    OutboxEmail.objects.filter(pk=email.pk, state=OutboxState.SENDING).update(
        state=state,
        last_error=_describe(error),
        next_attempt_at=now + outbox_backoff(email.attempts) if state == OutboxState.PENDING else now,
    )
    log = logger.error if state == OutboxState.FAILED else logger.warning
    log(
        "email %s (%s to %s) attempt %d failed, now %s: %s",
        email.pk,
        email.template,
        email.to,
        email.attempts,
        state,
        _describe(error),
    )
    return state


class MailServerUnreachable(OSError):
    """The pass could not connect to the mail server earlier; this email was not tried."""


class _Mailer:
    """One connection per pass, opened on first use. If it cannot be opened, the rest of the pass does not try
    again (each due email records the failure and waits its backoff) so an outage costs one timeout per pass."""

    def __init__(self):
        self.connection = None
        self.unreachable: Exception | None = None

    def send(self, message: EmailMultiAlternatives) -> None:
        if self.unreachable:
            raise MailServerUnreachable(_describe(self.unreachable))
        if self.connection is None:
            connection = mail.mailers.default
            try:
                connection.open()
            except Exception as error:
                self.unreachable = error
                raise
            self.connection = connection
        try:
            if self.connection.send_messages([message]) != 1:
                raise smtplib.SMTPException("the mailer reported the message as not sent")
        except Exception:
            self.close()  # the connection may be broken; the next email opens a new one
            raise

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.close()
            except Exception:  # closing a dead connection can fail; nothing is lost
                logger.debug("closing the mail connection failed", exc_info=True)
            self.connection = None


def outbox_send_due(*, limit: int = PASS_LIMIT) -> dict[str, int]:
    """One pass over the due emails. Returns counts: sent, retrying, failed, and still_due (left for the next pass)."""
    counts = {"sent": 0, "retrying": 0, "failed": 0}
    mailer = _Mailer()
    seen: set[int] = set()
    try:
        while len(seen) < limit:
            batch = [
                pk
                for pk in _due(timezone.now()).order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:100]
                if pk not in seen
            ]
            if not batch:
                break
            for pk in batch[: limit - len(seen)]:
                seen.add(pk)
                email = _claim(pk)
                if email is None:  # another worker has it
                    continue
                if email.attempts > MAX_ATTEMPTS:  # workers kept dying on this one
                    _record_failure(email, RuntimeError("no attempt completed; the worker stopped each time"))
                    counts["failed"] += 1
                    continue
                try:
                    mailer.send(_message(email))
                except Exception as error:
                    state = _record_failure(email, error)
                    counts["failed" if state == OutboxState.FAILED else "retrying"] += 1
                else:
                    _record_success(email)
                    counts["sent"] += 1
    finally:
        mailer.close()
    counts["still_due"] = _due(timezone.now()).count()
    return counts


def outbox_next_attempt_at() -> datetime | None:
    """When the earliest waiting email is due (None when nothing waits)."""
    return (
        OutboxEmail.objects.filter(state__in=[OutboxState.PENDING, OutboxState.SENDING])
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )


def outbox_retry_failed(*, pks: list[int] | None = None) -> int:
    """Give failed emails a fresh set of attempts (after the cause was fixed). Returns how many were requeued."""
    failed = OutboxEmail.objects.filter(state=OutboxState.FAILED)
    if pks is not None:
        failed = failed.filter(pk__in=pks)
    return failed.update(state=OutboxState.PENDING, attempts=0, next_attempt_at=timezone.now())
