"""Support's coupon actions besides revoking (coupons.services.coupon_revoke): reissue a new code and extend the
redeem-by date. Each takes a reason, is a conditional UPDATE (the row count says whether this call won) and is
audited with the reason. The support console (support.services) calls these and emails the applicant.

Reissue rotates the code of the same coupon row: the old code's hash is replaced, so the old code dies at once
(a lookup by it finds nothing), and the new code exists only in the return value and the email. A coupon already
redeemed is never reissued (its redemption is history: revoke it instead, which ends the discount at renewal).
"""

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.errors import Conflict, InvalidInput
from coupons.codes import coupon_code_generate, coupon_code_hash, coupon_code_hint
from coupons.models import Coupon, CouponState
from coupons.services import MAX_REASON_CHARS, _snapshot

REISSUABLE_STATES = (CouponState.ACTIVE, CouponState.REVOKED, CouponState.EXPIRED)
MAX_EXTENSION_DAYS = 365


def _reason(reason: str) -> str:
    reason = " ".join((reason or "").split())[:MAX_REASON_CHARS]
    if not reason:
        raise InvalidInput(_("Say why."), code="reason_required")
    return reason


def _change_once(
    *, coupon: Coupon, states, fields: dict, refused: tuple[str, str], action: str, actor, before: dict, reason: str
) -> None:
    """One conditional UPDATE of a never-redeemed coupon in `states` (the row count says whether this call won),
    then the audit entry with the reason. A second active coupon of the organisation is refused by the database."""
    try:
        with transaction.atomic():
            changed = Coupon.objects.filter(pk=coupon.pk, state__in=states, redeemed_at__isnull=True).update(**fields)
    except IntegrityError as error:
        raise Conflict(
            _("This organisation already has another active coupon for this program."), code="duplicate_active_coupon"
        ) from error
    coupon.refresh_from_db()
    if not changed:
        message, code = refused
        raise Conflict(message, code=code, details={"state": coupon.state})
    audit_record(
        action=action,
        object_type="coupon",
        object_id=coupon.pk,
        actor=actor,
        before=before,
        after={**_snapshot(coupon), "reason": reason},
    )


def coupon_reissue(*, coupon: Coupon, actor, reason: str, now: datetime | None = None) -> tuple[Coupon, str]:
    """A new code for a coupon never redeemed: active again, redeem-by renewed by the program's days. Returns the
    coupon and the new code. Raises Conflict `coupon_redeemed` (never redeemed only), `duplicate_active_coupon`
    (the organisation holds another active coupon for the program)."""
    reason = _reason(reason)
    now = now or timezone.now()
    coupon.refresh_from_db()
    before = _snapshot(coupon)
    code = coupon_code_generate()
    redeem_by = now + timedelta(days=coupon.program.coupon_redeem_days)
    _change_once(
        coupon=coupon,
        states=REISSUABLE_STATES,
        fields={
            "code_hash": coupon_code_hash(code),
            "code_hint": coupon_code_hint(code),
            "state": CouponState.ACTIVE,
            "redeem_by": redeem_by,
            "revoked_at": None,
            "revoked_reason": "",
        },
        refused=(_("A redeemed coupon is not reissued: revoke it instead."), "coupon_redeemed"),
        action="coupon.reissued",
        actor=actor,
        before=before,
        reason=reason,
    )
    return coupon, code


def coupon_redeem_by_extend(
    *, coupon: Coupon, actor, redeem_by: datetime, reason: str, now: datetime | None = None
) -> Coupon:
    """Move an active (or lapsed, never redeemed) coupon's redeem-by date later, at most MAX_EXTENSION_DAYS from
    now. Raises InvalidInput `redeem_by_not_later` / `redeem_by_too_far`, Conflict `coupon_not_extendable`."""
    reason = _reason(reason)
    now = now or timezone.now()
    coupon.refresh_from_db()
    if redeem_by <= max(coupon.redeem_by, now):
        raise InvalidInput(
            _("Choose a date after the current redeem-by date and after today."), code="redeem_by_not_later"
        )
    if redeem_by > now + timedelta(days=MAX_EXTENSION_DAYS):
        raise InvalidInput(_("A coupon is extended by at most a year from today."), code="redeem_by_too_far")
    before = _snapshot(coupon)
    _change_once(
        coupon=coupon,
        states=(CouponState.ACTIVE, CouponState.EXPIRED),
        fields={"redeem_by": redeem_by, "state": CouponState.ACTIVE},
        refused=(_("Only a coupon not yet redeemed or revoked can be extended."), "coupon_not_extendable"),
        action="coupon.redeem_by_extended",
        actor=actor,
        before=before,
        reason=reason,
    )
    return coupon
