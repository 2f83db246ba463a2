"""Webhook signatures, as receivers check them (docs/webhooks.md shows the same code for partners).

    Vouch-Signature: t=1767225600,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd

v1 is the hex HMAC-SHA256, keyed with the subscription's secret, of "<t>.<raw request body>". Several v1 values may
appear (one per secret while a secret is being rotated); one matching is enough. Pure functions, no database.
"""

import hashlib
import hmac
import time

HEADER = "Vouch-Signature"
DEFAULT_TOLERANCE_SECONDS = 300


def signature_compute(*, secret: str, timestamp: int, body: bytes) -> str:
    message = str(int(timestamp)).encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def signature_header(*, secret: str, body: bytes, timestamp: int | None = None) -> str:
    """The Vouch-Signature header value for `body`, signed now (or at `timestamp`, unix seconds)."""
    timestamp = int(time.time()) if timestamp is None else int(timestamp)
    return f"t={timestamp},v1={signature_compute(secret=secret, timestamp=timestamp, body=body)}"


def _parse(header: str) -> tuple[int | None, list[str]]:
    timestamp, signatures = None, []
    for part in (header or "").split(","):
        key, _sep, value = part.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1" and value:
            signatures.append(value)
    return timestamp, signatures


def signature_verify(
    *,
    secret: str,
    header: str,
    body: bytes,
    tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS,
    now: float | None = None,
) -> bool:
    """Whether `header` signs exactly `body` with `secret`, at a time within `tolerance_seconds` of now (either
    side: a replayed old request fails, and so does one from a clock far ahead)."""
    timestamp, signatures = _parse(header)
    if timestamp is None or not signatures:
        return False
    now = time.time() if now is None else now
    if abs(now - timestamp) > tolerance_seconds:
        return False
    expected = signature_compute(secret=secret, timestamp=timestamp, body=body)
    return any(hmac.compare_digest(expected, candidate) for candidate in signatures)
