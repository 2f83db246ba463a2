"""Customer accounts of the vendor's store: sign-up, email verification, and the sign-in rate limit.

The account's email is the one a nonprofit coupon is bound to, so it is stored normalised (email_validator's form,
all lower case) and must be proven with a signed link before a coupon is accepted. The Django user behind the
account has the normalised email as its username, so signing in with "Alice@Example.ORG " finds "alice@example.org".

Verification links are TimestampSigner tokens (salted, keyed by SECRET_KEY, valid VERIFY_LINK_DAYS days) over the
account id and its email: a link for an older email stops working when the email changes. Nothing is stored for
them. Resending is limited per address through the outbox rows already written (MAX_VERIFY_EMAILS_PER_HOUR).

Failed sign-ins are limited per account and per client address by django-axes, as on every sign-in form
(security.throttle); a new password lifts the account's lock.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from billing.brand import vendor_email_context
from billing.models import Currency, CustomerAccount
from core.audit import audit_record
from core.emails import email_normalise
from core.errors import InvalidInput, RateLimited
from core.rate_limit import rate_limit_take
from notifications import services as notification_services
from notifications.models import OutboxEmail

VERIFY_LINK_DAYS = 3
MAX_VERIFY_EMAILS_PER_HOUR = 3
MAX_RESET_EMAILS_PER_HOUR = 3
_VERIFY_SALT = "vouch.billing.account_verify_email"


def store_email_queue(*, to: str, template: str, context: dict, language: str, dedupe_key: str):
    """notifications.services.email_queue for the store's templates (same outbox, same dedupe rules)."""

    return notification_services.email_queue(
        to=to,
        template=template,
        context={**vendor_email_context(), **context},
        language=language,
        dedupe_key=dedupe_key,
    )


class TooManyRequests(RateLimited):
    code = "too_many_requests"


def account_email_normalise(email: str) -> str:
    """email_validator's form (syntax checked, IDNA domain), then lower case: the form accounts are stored in."""
    return email_normalise(email).lower()


def _absolute(path: str) -> str:
    from django.conf import settings

    return f"{settings.PUBLIC_BASE_URL}{path}"


def account_verify_token(account: CustomerAccount) -> str:
    return signing.TimestampSigner(salt=_VERIFY_SALT).sign_object({"a": account.pk, "e": account.email})


def _verify_email_queue(account: CustomerAccount, *, language: str) -> None:
    hour_ago = timezone.now() - timedelta(hours=1)
    if (
        OutboxEmail.objects.filter(to=account.email, template="account_verify_email", created_at__gte=hour_ago).count()
        >= MAX_VERIFY_EMAILS_PER_HOUR
    ):
        raise TooManyRequests(
            _("Too many verification emails were sent in the last hour. Please wait before asking again.")
        )
    with translation.override(language):
        path = reverse("billing:verify_email", kwargs={"token": account_verify_token(account)})
    store_email_queue(
        to=account.email,
        template="account_verify_email",
        language=language,
        context={"verify_url": _absolute(path), "days_valid": VERIFY_LINK_DAYS},
        dedupe_key=f"account_verify_email:{account.pk}:{secrets.token_hex(8)}",
    )


def _supported_language(language: str) -> str:
    try:
        return translation.get_supported_language_variant(language or settings.LANGUAGE_CODE)
    except LookupError:
        return settings.LANGUAGE_CODE


class _EmailTaken(Exception):
    pass


def account_sign_up(
    *,
    email: str,
    password: str,
    billing_country: str,
    billing_region: str = "",
    currency: str = Currency.USD,
    language: str = "en",
    ip: str = "",
) -> CustomerAccount | None:
    """Create the user and the account, and email a verification link. Errors: email_invalid, password_invalid
    (details["messages"] lists the validators' messages), invalid_input, too_many_requests.

    The answer never tells whether the email has an account: when it has, nothing is created, the address is told
    by email that someone tried (with links to sign in and to reset the password), and None is returned; the
    caller shows the same "check your email" page either way. Sign-ups are limited per address and per client
    address `ip` (the emails they send)."""
    normalised = account_email_normalise(email)
    country = (billing_country or "").strip().upper()
    region = (billing_region or "").strip().upper()
    if len(country) != 2 or not country.isalpha():
        raise InvalidInput(_("Choose the billing country."), code="country_invalid")
    if region and not (len(region) <= 3 and region.isalnum()):
        raise InvalidInput(_("Enter the region code, for example NY."), code="region_invalid")
    if currency not in Currency.values:
        raise InvalidInput(_("Choose a currency."), code="currency_invalid")
    user_model = get_user_model()
    try:
        validate_password(password, user=user_model(username=normalised, email=normalised))
    except ValidationError as error:
        raise InvalidInput(
            " ".join(error.messages), code="password_invalid", details={"messages": list(error.messages)}
        ) from error
    sign_up_emails_allow(email=normalised, ip=ip)
    try:
        with transaction.atomic():
            if (
                CustomerAccount.objects.filter(email=normalised).exists()
                or user_model.objects.filter(username=normalised).exists()
            ):
                raise _EmailTaken
            user = user_model.objects.create_user(username=normalised, email=normalised, password=password)
            account = CustomerAccount.objects.create(
                user=user,
                email=normalised,
                billing_country=country,
                billing_region=region,
                currency=currency,
                language=_supported_language(language),
            )
            audit_record(
                action="customer_account.created",
                object_type="customer_account",
                object_id=account.pk,
                actor=user,
                after={"email": normalised, "billing_country": country, "billing_region": region, "currency": currency},
            )
            _verify_email_queue(account, language=language)
    except (_EmailTaken, IntegrityError):  # the email has an account (or a concurrent sign-up with it won the race)
        make_password(password)  # the same work as creating one: the answer takes as long either way
        _account_exists_queue(email=normalised, language=language)
        return None
    return account


def sign_up_emails_allow(*, email: str, ip: str) -> None:
    """Raise too_many_requests past the hourly sign-up emails for this address or this client address."""
    message = _("Too many sign-ups were tried in the last hour. Please wait before trying again.")
    if not rate_limit_take(
        scope="email_send_ip", key=ip, limit=settings.EMAIL_SENDS_PER_IP_PER_HOUR, window=timedelta(hours=1)
    ):
        raise TooManyRequests(message)
    if not rate_limit_take(
        scope="sign_up_address", key=email, limit=MAX_VERIFY_EMAILS_PER_HOUR, window=timedelta(hours=1)
    ):
        raise TooManyRequests(message)


def _account_exists_queue(*, email: str, language: str) -> None:
    language = _supported_language(language)
    with translation.override(language):
        sign_in, reset = reverse("billing:sign_in"), reverse("billing:password_reset")
    store_email_queue(
        to=email,
        template="account_exists",
        language=language,
        context={"sign_in_url": _absolute(sign_in), "reset_url": _absolute(reset)},
        dedupe_key=f"account_exists:{secrets.token_hex(12)}",
    )
    audit_record(
        action="customer_account.sign_up_with_existing_email",
        object_type="customer_account",
        object_id=email,
        actor_label="anonymous",
    )


def account_verify_email_resend(*, account: CustomerAccount, language: str, ip: str = "") -> None:
    if account.is_verified:
        return
    if not rate_limit_take(
        scope="email_send_ip", key=ip, limit=settings.EMAIL_SENDS_PER_IP_PER_HOUR, window=timedelta(hours=1)
    ):
        raise TooManyRequests(
            _("Too many emails were requested from your connection in the last hour. Please wait before asking again.")
        )
    with transaction.atomic():
        _verify_email_queue(account, language=language)


def account_verify_email(*, token: str) -> CustomerAccount:
    """Mark the account's email verified. Idempotent: a second click on the same link changes nothing."""
    invalid = InvalidInput(
        _("This verification link is not valid. Sign in and ask for a new one."), code="verify_link_invalid"
    )
    try:
        payload = signing.TimestampSigner(salt=_VERIFY_SALT).unsign_object(
            token, max_age=timedelta(days=VERIFY_LINK_DAYS)
        )
    except signing.SignatureExpired as error:
        raise InvalidInput(
            _("This verification link has expired. Sign in and ask for a new one."), code="verify_link_expired"
        ) from error
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise invalid from error
    if not isinstance(payload, dict):
        raise invalid
    with transaction.atomic():
        account = CustomerAccount.objects.select_for_update().filter(pk=payload.get("a")).first()
        if account is None or account.email != payload.get("e"):
            raise invalid
        if account.email_verified_at is None:
            account.email_verified_at = timezone.now()
            account.save(update_fields=["email_verified_at"])
            audit_record(
                action="customer_account.email_verified",
                object_type="customer_account",
                object_id=account.pk,
                actor=account.user,
                after={"email": account.email},
            )
    return account


def account_password_reset_queue(*, user, reset_path: str, language: str) -> bool:
    """Queue the password-reset email through the outbox; False when the hourly limit for the address is reached
    (the page says the same either way, so nobody learns which emails have accounts)."""
    hour_ago = timezone.now() - timedelta(hours=1)
    if (
        OutboxEmail.objects.filter(to=user.email, template="account_password_reset", created_at__gte=hour_ago).count()
        >= MAX_RESET_EMAILS_PER_HOUR
    ):
        return False
    store_email_queue(
        to=user.email,
        template="account_password_reset",
        language=language,
        context={"reset_url": _absolute(reset_path)},
        dedupe_key=f"account_password_reset:{user.pk}:{secrets.token_hex(8)}",
    )
    return True


def account_invoice_details_update(
    *, account: CustomerAccount, organisation_name: str, billing_address: str, tax_id: str
) -> CustomerAccount:
    """The buyer's name, address and tax identifier printed on the account's next invoices; audited."""
    before = {
        "organisation_name": account.organisation_name,
        "billing_address": account.billing_address,
        "tax_id": account.tax_id,
    }
    after = {
        "organisation_name": (organisation_name or "").strip()[:200],
        "billing_address": (billing_address or "").strip()[:500],
        "tax_id": (tax_id or "").strip()[:40],
    }
    if after == before:
        return account
    with transaction.atomic():
        CustomerAccount.objects.filter(pk=account.pk).update(**after)
        account.refresh_from_db()
        audit_record(
            action="customer_account.invoice_details_changed",
            object_type="customer_account",
            object_id=account.pk,
            actor=account.user,
            before=before,
            after=after,
        )
    return account
