"""Two-factor sign-in for staff: a TOTP device (an authenticator app) and ten single-use recovery codes, through
django-otp. The session is marked verified (django_otp.login) once a code matches; the back-office and the admin
open only then when STAFF_REQUIRE_2FA is on (security.middleware)."""

import segno
from django.db import transaction
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.audit import audit_record

RECOVERY_CODE_COUNT = 10


def two_factor_enrolled(*, user) -> bool:
    return any(True for _device in devices_for_user(user, confirmed=True))


def totp_enrolment_device(*, user) -> TOTPDevice:
    """The unconfirmed authenticator being enrolled (the same one until it is confirmed, so a reload keeps it)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


def totp_qr_svg(*, device: TOTPDevice) -> str:
    return segno.make(device.config_url, error="m").svg_inline(scale=4, border=4, dark="#000", light="#fff")


def totp_secret_base32(*, device: TOTPDevice) -> str:
    from base64 import b32encode

    return b32encode(device.bin_key).decode()


def recovery_codes_issue(*, user) -> list[str]:
    """Replace the account's recovery codes with ten new ones (shown once)."""
    with transaction.atomic():
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name="recovery", confirmed=True)
        codes = [StaticToken.random_token() for _index in range(RECOVERY_CODE_COUNT)]
        StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def totp_enrolment_confirm(*, request, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm the authenticator with a code it shows; returns the new recovery codes, None when the code is
    wrong. The session counts as verified from here on."""
    if device.user_id != request.user.pk or not device.verify_token((token or "").replace(" ", "")):
        audit_record(
            action="auth.two_factor_failed",
            object_type="user",
            object_id=request.user.pk,
            actor=request.user,
            after={"step": "enrolment"},
        )
        return None
    with transaction.atomic():
        TOTPDevice.objects.filter(user=request.user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = recovery_codes_issue(user=request.user)
        audit_record(
            action="auth.two_factor_enrolled",
            object_type="user",
            object_id=request.user.pk,
            actor=request.user,
            after={"device": "totp"},
        )
    otp_login(request, device)
    return codes


def two_factor_verify(*, request, token: str) -> bool:
    """Check a code from the authenticator or a recovery code (used up); mark the session verified."""
    token = (token or "").replace(" ", "").strip()
    for device in devices_for_user(request.user, confirmed=True):
        if token and device.verify_is_allowed()[0] and device.verify_token(token):
            otp_login(request, device)
            audit_record(
                action="auth.two_factor_verified",
                object_type="user",
                object_id=request.user.pk,
                actor=request.user,
                after={"device": device.__class__.__name__},
            )
            return True
    audit_record(
        action="auth.two_factor_failed",
        object_type="user",
        object_id=request.user.pk,
        actor=request.user,
        after={"step": "sign-in"},
    )
    return False
