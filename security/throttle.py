"""Sign-in throttling on every sign-in form (back-office, admin, store), through django-axes.

Failures count per client address (core.client_ip, proxy-aware) and per account; either reaching
SIGN_IN_FAILURE_LIMIT locks sign-in for SIGN_IN_COOLOFF_MINUTES. An attacker could use the account lock to keep
the owner out, so a browser that signed in to that account before carries a signed cookie (a keyed digest of the
account and its password hash: a password change forgets every such browser) and is held only by its own address's
lock. The owner of a locked store account can also reset the password (which lifts the lock), and an administrator
can unlock any account (the Users admin action, `sign_in_unlock`). Every failure and every lockout is audited.
"""

from datetime import timedelta

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.shortcuts import render
from django.utils.crypto import constant_time_compare, salted_hmac

from core.audit import audit_record
from core.client_ip import client_ip

DEVICE_COOKIE = "vouch_device"
_DEVICE_SALT = "vouch.security.device"
_MAX_DEVICE_ACCOUNTS = 5


def username_of(request, credentials) -> str | None:
    """The account a sign-in names, as the throttle counts it (trimmed, lower case)."""
    username = (credentials or {}).get("username") or (request.POST.get("username") if request else None)
    return username.strip().lower()[:150] if username else None


def _user_named(username: str | None):
    if not username:
        return None
    return get_user_model()._default_manager.filter(username__iexact=username.strip()).first()


def _device_digest(user) -> str:
    return salted_hmac(_DEVICE_SALT, f"{user.pk}:{user.password}", algorithm="sha256").hexdigest()[:32]


def _device_digests(request) -> list[str]:
    cookies = getattr(request, "COOKIES", None)
    if not cookies:
        return []
    try:
        value = request.get_signed_cookie(
            DEVICE_COOKIE, salt=_DEVICE_SALT, max_age=timedelta(days=settings.SIGN_IN_DEVICE_DAYS)
        )
    except (KeyError, signing.BadSignature):
        return []
    return [item for item in value.split(".") if item][:_MAX_DEVICE_ACCOUNTS]


def device_proven(request, username: str | None) -> bool:
    """True when this browser signed in to the account before (with its current password)."""
    digests = _device_digests(request)
    if not digests:
        return False
    user = _user_named(username)
    if user is None:
        return False
    expected = _device_digest(user)
    return any(constant_time_compare(expected, digest) for digest in digests)


def lockout_parameters(request_or_attempt, credentials=None) -> list[str]:
    """What a failure counts against: the address, and the account unless this browser proved itself for it."""
    if hasattr(request_or_attempt, "COOKIES") and device_proven(
        request_or_attempt, username_of(request_or_attempt, credentials)
    ):
        return ["ip_address"]
    return ["ip_address", "username"]


def lockout_response(request, original_response=None, credentials=None):
    """The page a locked sign-in gets: 429, translated, with the ways out."""
    store = "/store/" in request.path
    return render(
        request, "security/locked_out.html", {"minutes": settings.SIGN_IN_COOLOFF_MINUTES, "store": store}, status=429
    )


def device_cookie_set(request, response) -> None:
    """Remember the browser that just signed in as one of the account's own (called by the middleware)."""
    user = getattr(request, "_vouch_signed_in", None)
    if user is None:
        return
    digest = _device_digest(user)
    digests = [digest] + [item for item in _device_digests(request) if item != digest]
    response.set_signed_cookie(
        DEVICE_COOKIE,
        ".".join(digests[:_MAX_DEVICE_ACCOUNTS]),
        salt=_DEVICE_SALT,
        max_age=int(timedelta(days=settings.SIGN_IN_DEVICE_DAYS).total_seconds()),
        httponly=True,
        secure=settings.SESSION_COOKIE_SECURE,
        samesite="Lax",
    )


def sign_in_unlock(*, username: str, actor=None, reason: str = "administrator") -> int:
    """Lift the account's sign-in lock (every counted failure naming it). Returns how many records went."""
    removed = axes_reset(username=username.strip().lower())
    audit_record(
        action="auth.sign_in_unlocked",
        object_type="user",
        object_id=username,
        actor=actor,
        after={"reason": reason, "records_removed": removed},
    )
    return removed


# Signal receivers (connected in SecurityConfig.ready): audit, and mark the browser to remember.


def on_sign_in_failed(sender, credentials, request=None, **kwargs) -> None:
    audit_record(
        action="auth.sign_in_failed",
        object_type="user",
        object_id=(credentials or {}).get("username", "")[:150],
        actor_label="anonymous",
        after={"ip": client_ip(request) if request else "", "path": getattr(request, "path", "")},
    )


def on_locked_out(sender, request=None, username=None, ip_address=None, **kwargs) -> None:
    audit_record(
        action="auth.locked_out",
        object_type="user",
        object_id=(username or "")[:150],
        actor_label="anonymous",
        after={"ip": ip_address or "", "path": getattr(request, "path", "")},
    )


def on_signed_in(sender, request=None, user=None, **kwargs) -> None:
    if request is not None and user is not None:
        request._vouch_signed_in = user
