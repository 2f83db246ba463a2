"""Delivering webhooks: claim a due delivery, POST the signed event, record the attempt, schedule the retry.

Claiming: in a short transaction, the earliest due delivery (`status = pending AND next_attempt_at <= now`) is
selected `FOR UPDATE SKIP LOCKED` on PostgreSQL (another worker skips the row instead of waiting for it), then
leased by a conditional UPDATE that moves `next_attempt_at` LEASE ahead and counts the attempt. SQLite has no
SKIP LOCKED; there its write transactions are serialised (IMMEDIATE mode) and the conditional UPDATE alone decides
which worker wins. The HTTP request happens outside any transaction. A worker that dies mid-request leaves the
lease to expire and the delivery due again: delivery is at least once, and receivers de-duplicate by event id.

Success is any 2xx answer within TIMEOUT_SECONDS. Anything else (another status, a redirect, which is never
followed, a timeout, a refused connection, a TLS error) is a failure, retried after 1, 2, 4 … minutes (at most 6
hours apart) until 24 hours have passed since the event (or the redelivery); then the delivery is `abandoned`.
"""

import http.client
import json
import logging
import socket
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from webhooks.models import DeliveryStatus, WebhookAttempt, WebhookDelivery
from webhooks.payloads import event_payload
from webhooks.rules import address_refused, allow_http_localhost, next_attempt_after_failure, url_problem
from webhooks.signing import HEADER, signature_header

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10
LEASE = timedelta(minutes=5)  # longer than one request can take; a pending row leased past this is due again
PASS_LIMIT = 500
EXCERPT_BYTES = 200
ERROR_MAX_CHARS = 500
USER_AGENT = "Vouch-Webhooks/1"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A 3xx answer is a failure like any other non-2xx: following it would send the signed event somewhere the
    partner never registered."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def event_body(delivery: WebhookDelivery) -> bytes:
    """The exact bytes sent (and signed): compact JSON, UTF-8. The same on every attempt of the event."""
    return json.dumps(event_payload(delivery.event), separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def request_headers(delivery: WebhookDelivery, body: bytes, now: datetime) -> dict[str, str]:
    event = delivery.event
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        HEADER: signature_header(secret=delivery.subscription.secret, body=body, timestamp=int(now.timestamp())),
        "Vouch-Event-Id": event.public_id,
        "Vouch-Event-Type": event.type,
        "Vouch-Delivery-Id": str(delivery.pk),
    }


def _destination_problem(url: str) -> str:
    """Refuse a name that resolves to this machine or a private network (the URL check at subscription time sees
    only IP literals). A name that does not resolve here is left to the request (it may go through a proxy)."""
    parts = urlsplit(url)
    try:
        infos = socket.getaddrinfo(
            parts.hostname, parts.port or (443 if parts.scheme == "https" else 80), type=socket.SOCK_STREAM
        )
    except (OSError, UnicodeError):
        return ""
    allow_loopback = allow_http_localhost()
    refused = [info[4][0] for info in infos if address_refused(info[4][0], allow_loopback=allow_loopback)]
    if refused:
        # The log is the partner's to read: it must not learn what our names resolve to, only that it was refused.
        logger.warning("webhook destination refused: %s resolves to %s", parts.hostname, ", ".join(sorted(refused)))
        return "destination refused: the address is not a public one"
    return ""


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str, str]:
    """(status code or None, response excerpt, error). Only a small excerpt of the answer is read."""
    refused = _destination_problem(url)
    if refused:
        return None, "", refused[:ERROR_MAX_CHARS]
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 (url_problem)
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            return response.status, _excerpt(response), ""
    except urllib.error.HTTPError as error:
        excerpt = _excerpt(error)
        error.close()
        return error.code, excerpt, f"HTTP {error.code}"
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        return None, "", f"{type(reason).__name__}: {reason}"[:ERROR_MAX_CHARS]


def _excerpt(response) -> str:
    try:
        return response.read(EXCERPT_BYTES).decode("utf-8", "replace")[:EXCERPT_BYTES]
    except Exception:  # a body that cannot be read changes nothing about the outcome
        return ""


def _due(now: datetime):
    return WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)


def _claim(now: datetime, skip: set[int]) -> tuple[int | None, bool]:
    """(pk, won) of the earliest due delivery not in `skip`; pk None when nothing is due."""
    with transaction.atomic():
        candidates = _due(now).exclude(pk__in=skip).order_by("next_attempt_at", "pk")
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True)
        pk = candidates.values_list("pk", flat=True).first()
        if pk is None:
            return None, False
        won = (
            _due(now).filter(pk=pk).update(attempts=F("attempts") + 1, next_attempt_at=now + LEASE, last_attempt_at=now)
        )
    return pk, bool(won)


def _stop_reason(delivery: WebhookDelivery) -> str:
    subscription = delivery.subscription
    if not subscription.is_active:
        return "subscription deactivated"
    if not subscription.partner.is_active:
        return "partner deactivated"
    problem = url_problem(subscription.url, allow_http_localhost=allow_http_localhost())
    return f"url refused: {problem}" if problem else ""


def webhook_delivery_attempt(*, delivery: WebhookDelivery, now: datetime) -> str:
    """Send one claimed delivery and record the outcome. Returns the delivery's new status."""
    stop = _stop_reason(delivery)
    if stop:
        WebhookDelivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.PENDING).update(
            status=DeliveryStatus.FAILED, attempts=F("attempts") - 1, last_error=stop
        )
        return DeliveryStatus.FAILED
    body = event_body(delivery)
    started = time.monotonic()
    status_code, excerpt, error = _post(delivery.subscription.url, body, request_headers(delivery, body, now))
    duration_ms = int((time.monotonic() - started) * 1000)
    succeeded = status_code is not None and 200 <= status_code < 300
    WebhookAttempt.objects.create(
        delivery=delivery,
        at=now,
        status_code=status_code,
        error=error[:ERROR_MAX_CHARS],
        response_excerpt=excerpt,
        duration_ms=duration_ms,
        succeeded=succeeded,
    )
    pending = WebhookDelivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.PENDING)
    if succeeded:
        pending.update(status=DeliveryStatus.SUCCEEDED, delivered_at=now, last_status_code=status_code, last_error="")
        return DeliveryStatus.SUCCEEDED
    retry_at = next_attempt_after_failure(attempts=delivery.attempts, failed_at=now, retry_until=delivery.retry_until)
    status = DeliveryStatus.PENDING if retry_at else DeliveryStatus.ABANDONED
    pending.update(
        status=status, next_attempt_at=retry_at or now, last_status_code=status_code, last_error=error[:ERROR_MAX_CHARS]
    )
    log = logger.warning if retry_at else logger.error
    log(
        "webhook delivery %s (%s to %s) attempt %d failed, now %s: %s",
        delivery.pk,
        delivery.event.public_id,
        delivery.subscription.url,
        delivery.attempts,
        status,
        error,
    )
    return status


def webhook_deliveries_send(*, now: datetime | None = None, limit: int = PASS_LIMIT) -> dict[str, int]:
    """One pass over the due deliveries. Counts: succeeded, retrying, abandoned, failed, and still_due."""
    counts = {"succeeded": 0, "retrying": 0, "abandoned": 0, "failed": 0}
    outcome_key = {
        DeliveryStatus.SUCCEEDED: "succeeded",
        DeliveryStatus.PENDING: "retrying",
        DeliveryStatus.ABANDONED: "abandoned",
        DeliveryStatus.FAILED: "failed",
    }
    seen: set[int] = set()
    while len(seen) < limit:
        moment = now or timezone.now()
        pk, won = _claim(moment, seen)
        if pk is None:
            break
        seen.add(pk)
        if not won:  # another worker leased it between our read and our update
            continue
        delivery = WebhookDelivery.objects.select_related("event", "subscription", "subscription__partner").get(pk=pk)
        counts[outcome_key[webhook_delivery_attempt(delivery=delivery, now=moment)]] += 1
    counts["still_due"] = _due(now or timezone.now()).count()
    return counts


def webhook_next_attempt_at() -> datetime | None:
    """When the earliest waiting delivery is due (None when nothing waits)."""
    return (
        WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING)
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )
