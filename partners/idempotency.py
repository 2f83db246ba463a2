"""Idempotency-Key for creating POSTs: the same key and the same request replay the first response; the same key
with another request is refused. Records are kept IDEMPOTENCY_KEEP_HOURS (at least 24) and pruned after.

A record is claimed (inserted without a response) before the work runs, so of two concurrent requests with one key
exactly one does the work; the other is told the first is still running (`idempotency_key_in_progress`)."""

import hashlib
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ApplicationError, Conflict, InvalidInput
from partners.models import IdempotencyRecord, Partner

MAX_KEY_CHARS = 255
ABANDONED_AFTER = timedelta(minutes=5)


def request_fingerprint(*, method: str, path: str, body: bytes) -> str:
    """Bodies that are the same JSON with other spacing or key order count as the same request."""
    try:
        canonical = json.dumps(json.loads(body or b"null"), sort_keys=True, separators=(",", ":")).encode()
    except ValueError:
        canonical = body
    return hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + canonical).hexdigest()


def _replay_or_refuse(record: IdempotencyRecord, fingerprint: str) -> tuple[int, Any]:
    if record.request_hash != fingerprint:
        raise Conflict(
            _("This Idempotency-Key was already used for a different request."),
            code="idempotency_key_reused",
            details={"idempotency_key": record.key},
        )
    if record.response_status is None:
        raise Conflict(
            _("A request with this Idempotency-Key is still being processed. Retry in a moment."),
            code="idempotency_key_in_progress",
            details={"idempotency_key": record.key},
        )
    return record.response_status, record.response_body


def idempotent_call(
    *,
    partner: Partner,
    key: str | None,
    method: str,
    path: str,
    body: bytes,
    work: Callable[[], tuple[int, Any]],
    now: datetime | None = None,
) -> tuple[int, Any, bool]:
    """Run `work` (returning status and a JSON-able body) at most once per (partner, key).
    Returns (status, body, replayed). Client errors are remembered like successes; server errors and rate limits
    are not, so a retry can succeed."""
    if key is None:
        status, body_out = work()
        return status, body_out, False
    key = key.strip()
    if not key or len(key) > MAX_KEY_CHARS:
        raise InvalidInput(_("The Idempotency-Key header must be 1 to 255 characters."), code="idempotency_key_invalid")
    now = now or timezone.now()
    fingerprint = request_fingerprint(method=method, path=path, body=body)
    # Past its retention the key is free again; and a claim left by a process that died mid-request would block the
    # key for a day: past a few minutes it is abandoned, and the next retry takes over. One query for both.
    expired = Q(created_at__lt=now - timedelta(hours=settings.IDEMPOTENCY_KEEP_HOURS))
    abandoned = Q(response_status__isnull=True, created_at__lt=now - ABANDONED_AFTER)
    IdempotencyRecord.objects.filter(expired | abandoned, partner=partner, key=key).delete()
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(
                partner=partner, key=key, request_hash=fingerprint, path=path[:300], created_at=now
            )
    except IntegrityError:
        status, body_out = _replay_or_refuse(IdempotencyRecord.objects.get(partner=partner, key=key), fingerprint)
        return status, body_out, True
    try:
        status, body_out = work()
    except ApplicationError as error:
        if error.http_status >= 500 or error.http_status == 429:  # transient: a later retry may succeed
            record.delete()
            raise
        status, body_out = error.http_status, {"error": error.as_dict()}
        _complete(record, status, body_out)
        raise
    except BaseException:
        record.delete()
        raise
    _complete(record, status, body_out)
    return status, body_out, False


def _complete(record: IdempotencyRecord, status: int, body: Any) -> None:
    IdempotencyRecord.objects.filter(pk=record.pk).update(
        response_status=status, response_body=json.loads(json.dumps(body, default=str))
    )


def idempotency_records_prune(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    cutoff = now - timedelta(hours=settings.IDEMPOTENCY_KEEP_HOURS)
    return IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()[0]
