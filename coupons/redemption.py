"""Validating and redeeming coupons: the vendor's store side of a coupon.

Pure rules first (`coupon_refusal`: facts in, refusal or None out, no database), then the services that read and
write (`coupon_validate`, `coupon_redeem`). See docs/coupons.md.

Locking rule: a coupon changes from active to redeemed only through one conditional UPDATE
(`… SET state='redeemed' WHERE pk=… AND state='active' AND redeem_by >= now`). Its row count says whether this call
won; a loser re-reads the row and reports what happened (already redeemed, revoked, expired). No SELECT … FOR UPDATE,
so it behaves the same on PostgreSQL and SQLite.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from email_validator import EmailNotValidError, validate_email

from core.audit import audit_record
from core.errors import ApplicationError, Conflict, InvalidInput, RateLimited
from core.events import event_publish
from coupons.events import COUPON_REDEEMED, CouponChanged
from coupons.models import Coupon, CouponAttempt, CouponState
from coupons.services import coupon_find

ELIGIBLE_BILLING_CYCLES = ("annual",)
RATE_LIMIT_FAILURES = 10  # failed lookups allowed per client key…
RATE_LIMIT_WINDOW = timedelta(minutes=10)  # …within this sliding window
MAX_REDEMPTION_KEY_CHARS = 100
MAX_CLIENT_KEY_CHARS = 200

VERIFIER = "verifier"
VENDOR_SUPPORT = "vendor_support"


# ---------------------------------------------------------------------------------------------------------------
# Errors


class CouponRefused(ApplicationError):
    """The coupon cannot be applied. `code` says why; `details` = {"reference", "contact"}."""

    code = "coupon_refused"
    http_status = 400


class CouponNotFound(CouponRefused):
    code = "coupon_not_found"
    http_status = 404


class CouponConflict(CouponRefused):
    """The coupon exists but its state forbids the use (redeemed, revoked, expired)."""

    code = "coupon_conflict"
    http_status = 409


class TooManyCouponAttempts(RateLimited):
    code = "too_many_attempts"


# ---------------------------------------------------------------------------------------------------------------
# Pure rules


@dataclass(frozen=True)
class CouponFacts:
    """What the rules need to know about a coupon, detached from the database."""

    state: str
    redeem_by: datetime
    email: str
    reference: str  # the verification (application) reference people quote
    vendor_name: str = ""
    support_contact: str = ""
    flagged: bool = False  # monitoring found the organisation no longer eligible (coupons/monitoring.py)


@dataclass(frozen=True)
class Refusal:
    code: str
    message: str  # lazy: translated when shown
    contact: str  # VERIFIER or VENDOR_SUPPORT
    http_status: int = 400
    hide_reference: bool = False  # the one asking may not be the coupon's holder

    def details(self, facts: CouponFacts | None) -> dict:
        reference = facts.reference if facts and not self.hide_reference else ""
        return {"reference": reference, "contact": contact_details(self.contact, facts)}


def _format_lazy(template, **params) -> str:
    """`template % params`, translated when the text is rendered (not when the refusal is made)."""
    return lazy(lambda: str(template) % params, str)()


def contact_details(contact: str, facts: CouponFacts | None) -> dict:
    if contact == VERIFIER:
        return {"party": VERIFIER, "name": "Vouch", "address": getattr(settings, "VERIFIER_SUPPORT_CONTACT", "")}
    return {
        "party": VENDOR_SUPPORT,
        "name": facts.vendor_name if facts else "",
        "address": facts.support_contact if facts else "",
    }


def email_key(email: str) -> str:
    """The form two emails are compared in: email_validator's normalisation (NFC, IDNA domain), then case-folded.

    An address email_validator rejects is compared stripped and case-folded (it will simply not match)."""
    text = (email or "").strip()
    try:
        valid = validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        return text.casefold()
    return f"{valid.local_part}@{valid.ascii_domain}".casefold()


def product_codes_normalise(product_codes) -> tuple[str, ...]:
    """Product slugs as the catalog spells them (stripped, lower case), without duplicates, in the given order."""
    seen: dict[str, None] = {}
    for code in product_codes or ():
        slug = str(code).strip().lower()
        if slug:
            seen.setdefault(slug, None)
    return tuple(seen)


def eligible_subset(product_codes, program_products) -> tuple[str, ...]:
    eligible = set(product_codes_normalise(program_products))
    return tuple(code for code in product_codes_normalise(product_codes) if code in eligible)


def _vendor_refusal(
    code: str, problem, facts: CouponFacts | None, http_status: int = 400, *, show_reference: bool = True
) -> Refusal:
    """A problem for the vendor's support: name it, and say what to quote (the code and the reference). The
    reference is left out when the one asking may not be the coupon's holder (show_reference=False)."""
    vendor = (facts.vendor_name if facts else "") or _("the vendor")
    address = facts.support_contact if facts else ""
    reference = facts.reference if facts and show_reference else ""
    if reference and address:
        template = _(
            "%(problem)s Please contact %(vendor)s support (%(address)s) and quote the error code "
            "%(code)s and your verification reference %(reference)s."
        )
    elif reference:
        template = _(
            "%(problem)s Please contact %(vendor)s support and quote the error code %(code)s and your "
            "verification reference %(reference)s."
        )
    elif address:
        template = _(
            "%(problem)s If it still fails, contact %(vendor)s support (%(address)s) and quote the error code %(code)s."
        )
    else:
        template = _(
            "%(problem)s Check the code in your approval email. If it still fails, contact the vendor's "
            "support and quote the error code %(code)s."
        )
    message = _format_lazy(template, problem=problem, vendor=vendor, address=address, code=code, reference=reference)
    return Refusal(
        code=code, message=message, contact=VENDOR_SUPPORT, http_status=http_status, hide_reference=not show_reference
    )


def coupon_refusal(
    *,
    coupon_facts: CouponFacts | None,
    email: str,
    product_codes,
    billing_cycle: str,
    now: datetime,
    program_products,
) -> Refusal | None:
    """Why the coupon cannot be applied to this purchase, or None when it can. Checks, in this order:

    coupon_not_found, coupon_revoked, coupon_already_redeemed, coupon_expired, coupon_suspended (flagged by
    monitoring), coupon_email_mismatch, product_not_eligible, billing_cycle_not_eligible. The first that applies
    is the answer.
    """
    facts = coupon_facts
    if facts is None:
        return _vendor_refusal("coupon_not_found", _("This coupon code is not valid."), None, http_status=404)
    if facts.state == CouponState.REVOKED:
        return _vendor_refusal("coupon_revoked", _("This coupon was revoked."), facts, http_status=409)
    if facts.state == CouponState.REDEEMED:
        address = getattr(settings, "VERIFIER_SUPPORT_CONTACT", "")
        if address:
            template = _(
                "This coupon was already used. If you did not use it, please contact Vouch, the verifier "
                "(%(address)s), and quote your verification reference %(reference)s."
            )
        else:
            template = _(
                "This coupon was already used. If you did not use it, please contact Vouch, the verifier, "
                "and quote your verification reference %(reference)s."
            )
        return Refusal(
            code="coupon_already_redeemed",
            contact=VERIFIER,
            http_status=409,
            message=_format_lazy(template, address=address, reference=facts.reference),
        )
    if facts.state == CouponState.EXPIRED or now > facts.redeem_by:
        return _vendor_refusal("coupon_expired", _("This coupon has expired."), facts, http_status=409)
    if facts.flagged:
        address = getattr(settings, "VERIFIER_SUPPORT_CONTACT", "")
        template = _(
            "This coupon is suspended: the organisation's registration changed after it was approved. "
            "Please contact Vouch, the verifier%(address)s, and quote your verification reference "
            "%(reference)s."
        )
        return Refusal(
            code="coupon_suspended",
            contact=VERIFIER,
            http_status=409,
            message=_format_lazy(template, address=f" ({address})" if address else "", reference=facts.reference),
        )
    if email_key(email) != email_key(facts.email):
        # Another account typed the code: the holder's verification reference is not theirs to see.
        return _vendor_refusal(
            "coupon_email_mismatch",
            _("This coupon belongs to another account email: sign in with the email the coupon was sent to."),
            facts,
            show_reference=False,
        )
    if not eligible_subset(product_codes, program_products):
        return _vendor_refusal(
            "product_not_eligible", _("This coupon does not cover any of the selected products."), facts
        )
    if (billing_cycle or "").strip().lower() not in ELIGIBLE_BILLING_CYCLES:
        return _vendor_refusal("billing_cycle_not_eligible", _("This coupon applies to annual billing only."), facts)
    return None


# ---------------------------------------------------------------------------------------------------------------
# Services


@dataclass(frozen=True)
class CouponQuote:
    coupon: Coupon
    discount_percent: Decimal
    eligible_products: tuple[str, ...]
    reference: str


def coupon_facts_of(coupon: Coupon) -> CouponFacts:
    program = coupon.program
    return CouponFacts(
        state=coupon.state,
        redeem_by=coupon.redeem_by,
        email=coupon.email,
        reference=coupon.reference,
        vendor_name=program.vendor_name,
        support_contact=program.support_contact,
        flagged=coupon.flagged_at is not None,
    )


def _error(refusal: Refusal, facts: CouponFacts | None) -> CouponRefused:
    cls: type[CouponRefused]
    if refusal.http_status == 404:
        cls = CouponNotFound
    elif refusal.http_status == 409:
        cls = CouponConflict
    else:
        cls = CouponRefused
    return cls(refusal.message, code=refusal.code, details=refusal.details(facts))


def _client_key(client_key: str | None) -> str:
    return (client_key or "").strip()[:MAX_CLIENT_KEY_CHARS]


def coupon_attempts_check(*, client_key: str | None, now: datetime) -> None:
    """Raise TooManyCouponAttempts when the client made RATE_LIMIT_FAILURES failed lookups within the window."""
    key = _client_key(client_key)
    if not key:
        return
    failures = list(
        CouponAttempt.objects.filter(client_key=key, succeeded=False, at__gt=now - RATE_LIMIT_WINDOW)
        .order_by("at")
        .values_list("at", flat=True)[:RATE_LIMIT_FAILURES]
    )
    if len(failures) >= RATE_LIMIT_FAILURES:
        retry_after = max(1, int((failures[0] + RATE_LIMIT_WINDOW - now).total_seconds()) + 1)
        raise TooManyCouponAttempts(
            _format_lazy(
                _("Too many coupon codes were tried. Please wait %(minutes)s minutes and try again."),
                minutes=max(1, -(-retry_after // 60)),
            ),
            details={"retry_after": retry_after},
        )


def _attempt_record(*, client_key: str | None, now: datetime, succeeded: bool) -> None:
    key = _client_key(client_key)
    if not key:
        return
    if succeeded:  # found codes never count: a row (or a clean-up) for each was a write per redemption for nothing
        return
    # Keep the table small: this client's rows that no longer count are dropped as it makes new ones.
    CouponAttempt.objects.filter(client_key=key, at__lte=now - RATE_LIMIT_WINDOW).delete()
    CouponAttempt.objects.create(client_key=key, at=now, succeeded=False)


def coupon_attempts_prune(*, now: datetime | None = None) -> int:
    """Delete every attempt older than the window (for a periodic job). Returns how many were deleted."""
    now = now or timezone.now()
    deleted, _counts = CouponAttempt.objects.filter(at__lte=now - RATE_LIMIT_WINDOW).delete()
    return deleted


def _lookup(*, code: str, client_key: str | None, now: datetime, program_id: int | None) -> Coupon | None:
    """The coupon (with its program) the code designates, counted for the attempt limit. With `program_id`, a
    coupon of another program is as unknown as a code that does not exist (and counted as a failed lookup)."""
    coupon_attempts_check(client_key=client_key, now=now)
    coupon = coupon_find(code=code, related=("program",))
    if coupon is not None and program_id is not None and coupon.program_id != program_id:
        coupon = None
    _attempt_record(client_key=client_key, now=now, succeeded=coupon is not None)
    return coupon


def _quote(coupon: Coupon, product_codes) -> CouponQuote:
    return CouponQuote(
        coupon=coupon,
        discount_percent=Decimal(coupon.program.discount_percent),
        eligible_products=eligible_subset(product_codes, coupon.program.eligible_products),
        reference=coupon.reference,
    )


def coupon_validate(
    *,
    code: str,
    email: str,
    product_codes,
    billing_cycle: str,
    now: datetime | None = None,
    client_key: str | None = None,
    program_id: int | None = None,
) -> CouponQuote:
    """What the coupon would give this purchase, without using it. Raises CouponRefused (a subclass per HTTP
    status) with the refusal's code, or TooManyCouponAttempts after too many unknown codes from `client_key`.

    Malformed and unknown codes get the same answer: nothing tells a guesser which codes look plausible. With
    `program_id` (a partner's program), coupons of other programs get that answer too.
    """
    now = now or timezone.now()
    coupon = _lookup(code=code, client_key=client_key, now=now, program_id=program_id)
    facts = coupon_facts_of(coupon) if coupon else None
    refusal = coupon_refusal(
        coupon_facts=facts,
        email=email,
        product_codes=product_codes,
        billing_cycle=billing_cycle,
        now=now,
        program_products=coupon.program.eligible_products if coupon else (),
    )
    if refusal:
        raise _error(refusal, facts)
    assert coupon is not None  # an unknown code is always refused
    return _quote(coupon, product_codes)


def _snapshot(coupon: Coupon) -> dict:
    return {
        "state": coupon.state,
        "hint": coupon.code_hint,
        "program": coupon.program_id,
        "reference": coupon.reference,
        "email": coupon.email,
        "redeemed_at": coupon.redeemed_at.isoformat() if coupon.redeemed_at else None,
        "redemption_key": coupon.redemption_key,
    }


def _is_retry(coupon: Coupon, *, redemption_key: str, email: str) -> bool:
    return (
        coupon.state == CouponState.REDEEMED
        and coupon.redemption_key == redemption_key
        and email_key(email) == email_key(coupon.email)
    )


def coupon_redeem(
    *,
    code: str,
    email: str,
    product_codes,
    billing_cycle: str,
    now: datetime | None = None,
    redemption_key: str,
    client_key: str | None = None,
    actor=None,
    program_id: int | None = None,
) -> Coupon:
    """Use the coupon for this purchase: exactly once, however many attempts race.

    `redemption_key` is the store's idempotency key (e.g. its checkout id): the same key, for the same coupon and
    email, gets the redeemed coupon back instead of `coupon_already_redeemed`. Raises what `coupon_validate` raises
    (`program_id` as there).
    """
    redemption_key = (redemption_key or "").strip()
    if not redemption_key or len(redemption_key) > MAX_REDEMPTION_KEY_CHARS:
        raise InvalidInput(
            _format_lazy(_("A redemption key of 1 to %(max)s characters is required."), max=MAX_REDEMPTION_KEY_CHARS),
            code="redemption_key_required",
        )
    now = now or timezone.now()
    coupon = _lookup(code=code, client_key=client_key, now=now, program_id=program_id)
    if coupon is not None and _is_retry(coupon, redemption_key=redemption_key, email=email):
        return coupon
    facts = coupon_facts_of(coupon) if coupon else None
    program_products = coupon.program.eligible_products if coupon else ()
    refusal = coupon_refusal(
        coupon_facts=facts,
        email=email,
        product_codes=product_codes,
        billing_cycle=billing_cycle,
        now=now,
        program_products=program_products,
    )
    if refusal:
        raise _error(refusal, facts)
    assert coupon is not None  # an unknown code is always refused

    before = _snapshot(coupon)
    with transaction.atomic():
        won = Coupon.objects.filter(pk=coupon.pk, state=CouponState.ACTIVE, redeem_by__gte=now).update(
            state=CouponState.REDEEMED, redeemed_at=now, redemption_key=redemption_key
        )
        if won:  # the row now holds what the UPDATE wrote: no need to read it back
            coupon.state, coupon.redeemed_at, coupon.redemption_key = CouponState.REDEEMED, now, redemption_key
            audit_record(
                action="coupon.redeemed",
                object_type="coupon",
                object_id=coupon.pk,
                actor=actor,
                before=before,
                after={
                    **_snapshot(coupon),
                    "application_reference": coupon.reference,
                    "products": list(eligible_subset(product_codes, program_products)),
                    "billing_cycle": (billing_cycle or "").strip().lower(),
                },
            )
            event_publish(CouponChanged(coupon_id=coupon.pk, action=COUPON_REDEEMED, reference=coupon.reference))
            return coupon

    # Lost the race (or the state changed since the read): say precisely what happened.
    coupon.refresh_from_db()
    if _is_retry(coupon, redemption_key=redemption_key, email=email):
        return coupon
    facts = coupon_facts_of(coupon)
    refusal = coupon_refusal(
        coupon_facts=facts,
        email=email,
        product_codes=product_codes,
        billing_cycle=billing_cycle,
        now=now,
        program_products=program_products,
    )
    if refusal:
        raise _error(refusal, facts)
    assert coupon is not None  # an unknown code is always refused
    raise Conflict(
        _("The coupon could not be redeemed; please try again."),
        code="coupon_not_redeemed",
        details={"reference": facts.reference, "contact": contact_details(VENDOR_SUPPORT, facts)},
    )
