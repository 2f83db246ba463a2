"""Proving control of the application's email with a one-time code.

The code is six digits: easy to type from a phone. Guessing is bounded, not made impossible: at most
MAX_ATTEMPTS tries per code and MAX_CODES_TOTAL codes per application gives an attacker 50 tries out of a million.
Only a keyed hash of the code is stored (HMAC keyed by SECRET_KEY, salted per challenge), so the database alone
does not reveal a usable code.
"""

import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from core.audit import audit_record
from core.emails import email_normalise
from core.errors import ApplicationError, Conflict, RateLimited
from core.rate_limit import rate_limit_take
from notifications.services import email_queue
from verification.models import Application, ApplicationState, EmailChallenge

CODE_MINUTES_VALID = 15
MAX_ATTEMPTS = 5
MAX_CODES_PER_HOUR = 3
MAX_CODES_TOTAL = 10
# Per address, across applications: starting an application is free, so without this anyone could have Vouch
# send a stream of codes to someone else's inbox by opening application after application.
MAX_CODES_PER_ADDRESS_PER_HOUR = 5
_HMAC_SALT = "vouch.verification.email_challenge"


class TooManyCodes(RateLimited):
    code = "too_many_codes"


class TooManyAttempts(RateLimited):
    code = "too_many_attempts"


class CodeExpired(ApplicationError):
    code = "code_expired"
    http_status = 400


class CodeInvalid(ApplicationError):
    code = "code_invalid"
    http_status = 400


def _hash(salt: str, code: str) -> str:
    return salted_hmac(_HMAC_SALT, f"{salt}:{code}", algorithm="sha256").hexdigest()


def _require_draft(application: Application) -> None:
    if application.state != ApplicationState.DRAFT:
        raise Conflict(_("This application was already submitted."), code="application_not_draft")


def email_challenge_send(*, application: Application, email: str, ip: str = "") -> EmailChallenge:
    """Record `email` on the draft and send it a new code. A changed email must be verified again. Limited per
    application, per address and per client address `ip` (core.client_ip) so nobody can make Vouch mail codes to
    any number of inboxes."""
    normalised = email_normalise(email)
    now = timezone.now()
    with transaction.atomic():
        # Lock the application row so that two resends racing cannot both pass the limits.
        application = Application.objects.select_for_update().select_related("program").get(pk=application.pk)
        _require_draft(application)
        sent = EmailChallenge.objects.filter(application=application)
        if sent.count() >= MAX_CODES_TOTAL:
            raise TooManyCodes(_("Too many codes were sent for this application. Please contact us."))
        hour_ago = now - timedelta(hours=1)
        if (
            sent.filter(created_at__gte=hour_ago).count() >= MAX_CODES_PER_HOUR
            or EmailChallenge.objects.filter(email__iexact=normalised, created_at__gte=hour_ago).count()
            >= MAX_CODES_PER_ADDRESS_PER_HOUR
        ):
            raise TooManyCodes(_("Too many codes were sent in the last hour. Please wait before asking again."))
        if not rate_limit_take(
            scope="email_send_ip", key=ip, limit=settings.EMAIL_SENDS_PER_IP_PER_HOUR, window=timedelta(hours=1)
        ):
            raise TooManyCodes(
                _(
                    "Too many emails were requested from your connection in the last hour. Please "
                    "wait before asking again."
                )
            )

        if normalised.lower() != (application.email or "").lower():
            application.email_verified_at = None
        application.email = normalised
        application.save(update_fields=["email", "email_verified_at"])

        code = f"{secrets.randbelow(1_000_000):06d}"
        salt = secrets.token_hex(16)
        challenge = EmailChallenge.objects.create(
            application=application,
            email=normalised,
            code_hash=f"{salt}${_hash(salt, code)}",
            expires_at=now + timedelta(minutes=CODE_MINUTES_VALID),
        )
        email_queue(
            to=normalised,
            template="verification_code",
            language=application.language,
            context={
                "code": code,
                "minutes_valid": CODE_MINUTES_VALID,
                "reference": application.reference,
                "program_name": application.program.name_fr
                if application.language.startswith("fr") and application.program.name_fr
                else application.program.name,
            },
            dedupe_key=f"verification_code:{challenge.pk}",
        )
    return challenge


def email_challenge_verify(*, application: Application, code: str) -> Application:
    """Check `code` against the latest code sent; only the latest counts, so a resend retires earlier codes."""
    code = "".join((code or "").split())  # people paste "123 456"
    failure: ApplicationError | None = None
    # The attempt must be counted even when the code is wrong, so the failure is raised after the commit.
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        _require_draft(application)
        challenge = application.email_challenges.order_by("-created_at", "-pk").first()
        if challenge is None or challenge.used_at is not None:
            raise CodeExpired(_("No code is waiting for this email. Ask for a new code."), code="code_not_sent")
        # Counted conditionally, so concurrent guesses cannot exceed the limit.
        counted = EmailChallenge.objects.filter(pk=challenge.pk, attempts__lt=MAX_ATTEMPTS).update(
            attempts=F("attempts") + 1
        )
        salt, _sep, expected = challenge.code_hash.partition("$")
        if not counted:
            failure = TooManyAttempts(_("Too many wrong codes. Ask for a new code."))
        elif challenge.expires_at <= timezone.now():
            failure = CodeExpired(_("This code has expired. Ask for a new code."))
        elif not (code.isdigit() and len(code) == 6 and hmac.compare_digest(_hash(salt, code), expected)):
            failure = CodeInvalid(_("This code is not right. Check the email we sent and try again."))
        else:
            now = timezone.now()
            challenge.used_at = now
            challenge.save(update_fields=["used_at"])
            before = {"email": application.email, "email_verified_at": None}
            application.email = challenge.email
            application.email_verified_at = now
            application.save(update_fields=["email", "email_verified_at"])
            audit_record(
                action="application.email_verified",
                object_type="application",
                object_id=application.pk,
                actor_label="applicant",
                before=before,
                after={"email": application.email},
            )
    if failure is not None:
        raise failure
    return application
