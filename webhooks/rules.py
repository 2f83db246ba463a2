"""Webhook rules as pure functions (no database, no network): which URLs may receive events, when to try again."""

from datetime import datetime, timedelta

from django.conf import settings

from core.ssrf import LOCAL_HOSTS, MAX_URL_CHARS, address_refused, host_ascii, ip_literal, numeric_name, url_problem

FIRST_BACKOFF = timedelta(minutes=1)
MAX_BACKOFF = timedelta(hours=6)
RETRY_WINDOW = timedelta(hours=24)

# The URL guards live in core.ssrf (shared with verification's domain proofs); re-exported for webhooks' callers.
__all__ = [
    "LOCAL_HOSTS",
    "MAX_URL_CHARS",
    "address_refused",
    "host_ascii",
    "ip_literal",
    "next_attempt_after_failure",
    "numeric_name",
    "retry_backoff",
    "url_problem",
]


def retry_backoff(attempts: int) -> timedelta:
    """Wait after the n-th failed attempt: 1, 2, 4, 8 … minutes, at most 6 hours."""
    return min(FIRST_BACKOFF * 2 ** min(max(attempts - 1, 0), 20), MAX_BACKOFF)


def next_attempt_after_failure(*, attempts: int, failed_at: datetime, retry_until: datetime) -> datetime | None:
    """When to try again after a failed attempt, or None to give up: retries go on until the window (24 hours from
    the event, or from a redelivery) has passed; the last one is never scheduled past it by more than a backoff."""
    if failed_at >= retry_until:
        return None
    return min(failed_at + retry_backoff(attempts), retry_until)


def allow_http_localhost() -> bool:
    """Webhooks go to https URLs only; DEBUG or WEBHOOKS_ALLOW_HTTP_LOCALHOST also allow http to this machine."""
    return bool(settings.DEBUG or getattr(settings, "WEBHOOKS_ALLOW_HTTP_LOCALHOST", False))
