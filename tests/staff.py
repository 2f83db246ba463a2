"""Signing staff in for tests as the back-office requires: a password session plus a verified second factor."""

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

# A fixed authenticator key (hex, 20 bytes) so that tests and browser journeys can compute its codes.
TOTP_KEY_HEX = "3132333435363738393031323334353637383930"


def staff_totp_device(user) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator", key=TOTP_KEY_HEX, confirmed=True)


def staff_login(client, user):
    """client.force_login, then (staff) mark the session verified by the user's authenticator, enrolled if needed."""
    client.force_login(user)
    if not (user.is_staff or user.is_superuser):
        return client
    device = staff_totp_device(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def totp_now(device: TOTPDevice, *, offset_steps: int = 0) -> str:
    """The code the device's authenticator shows now (django-otp's own TOTP)."""
    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + offset_steps * device.step
    return f"{totp.token():0{device.digits}d}"
