"""Coupons: issue, find and revoke. Redemption (the vendor's store) builds on these later.

Concurrency: "one active coupon per organisation and program" is a partial unique constraint, so two approvals
racing cannot both issue one; state changes are conditional updates (`UPDATE … WHERE state = 'active'`) whose row
count says whether this call won.
"""

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.errors import Conflict, InvalidInput
from core.events import event_publish
from coupons.codes import (
    coupon_code_generate,
    coupon_code_hash,
    coupon_code_hashes,
    coupon_code_hint,
    coupon_code_is_well_formed,
    coupon_code_normalise,
)
from coupons.events import COUPON_ISSUED, COUPON_REVOKED, CouponChanged
from coupons.models import Coupon, CouponState
from programs.models import Program
from registry.models import Organisation

MAX_REASON_CHARS = 300


def coupon_organisation_key(*, organisation: Organisation | None, reference: str) -> str:
    """What "the same organisation" means for the one-active-coupon rule: its org-id, or the verification
    reference for an organisation added by hand (no registry identity to compare)."""
    if organisation is not None:
        return organisation.org_id
    return f"manual:{reference}"


def _snapshot(coupon: Coupon) -> dict:
    return {
        "state": coupon.state,
        "hint": coupon.code_hint,
        "organisation_key": coupon.organisation_key,
        "program": coupon.program_id,
        "reference": coupon.reference,
        "email": coupon.email,
        "redeem_by": coupon.redeem_by.isoformat() if coupon.redeem_by else None,
        "revoked_reason": coupon.revoked_reason,
    }


def _expire_lapsed(*, organisation_key: str, program_id: int, now: datetime) -> None:
    """Coupons still marked active past their redeem-by date stop counting as the organisation's active coupon."""
    lapsed = list(
        Coupon.objects.filter(
            organisation_key=organisation_key, program_id=program_id, state=CouponState.ACTIVE, redeem_by__lt=now
        )
    )
    for coupon in lapsed:
        before = _snapshot(coupon)
        if Coupon.objects.filter(pk=coupon.pk, state=CouponState.ACTIVE).update(state=CouponState.EXPIRED):
            coupon.state = CouponState.EXPIRED
            audit_record(
                action="coupon.expired",
                object_type="coupon",
                object_id=coupon.pk,
                before=before,
                after=_snapshot(coupon),
            )


def coupon_issue(
    *,
    program: Program,
    organisation: Organisation | None,
    email: str,
    reference: str,
    actor=None,
    now: datetime | None = None,
) -> tuple[Coupon, str]:
    """Issue a coupon for an organisation (None: one added by hand), bound to `email`, under the verification
    `reference`. Returns the coupon and its code: the code exists only in this return value (and the approval
    email), never in the database.

    Raises Conflict `duplicate_active_coupon` when the organisation already holds an active coupon for the
    program (a partial unique constraint: two approvals racing cannot both issue one).
    """
    now = now or timezone.now()
    organisation_key = coupon_organisation_key(organisation=organisation, reference=reference)
    if not email:
        raise InvalidInput(_("The application has no email to bind the coupon to."), code="coupon_without_email")
    _expire_lapsed(organisation_key=organisation_key, program_id=program.pk, now=now)

    code = coupon_code_generate()
    coupon = Coupon(
        code_hash=coupon_code_hash(code),
        code_hint=coupon_code_hint(code),
        program=program,
        organisation=organisation,
        reference=reference,
        organisation_key=organisation_key,
        email=email,
        state=CouponState.ACTIVE,
        redeem_by=now + timedelta(days=program.coupon_redeem_days),
    )
    try:
        with transaction.atomic():
            coupon.save(force_insert=True)
    except IntegrityError as error:
        if Coupon.objects.filter(
            organisation_key=organisation_key, program_id=program.pk, state=CouponState.ACTIVE
        ).exists():
            raise Conflict(
                _("This organisation already has an active coupon for this program."),
                code="duplicate_active_coupon",
                details={"organisation_key": organisation_key, "program": program.slug},
            ) from error
        raise
    audit_record(
        action="coupon.issued",
        object_type="coupon",
        object_id=coupon.pk,
        actor=actor,
        after={**_snapshot(coupon), "application_reference": reference},
    )
    event_publish(CouponChanged(coupon_id=coupon.pk, action=COUPON_ISSUED, reference=reference))
    return coupon, code


def coupon_find(*, code: str, related: tuple[str, ...] = ()) -> Coupon | None:
    """The coupon a typed code designates (any case, separators, O/0 and I/L/1 mix-ups), or None; `related`: the
    relations to read in the same query (select_related)."""
    normalised = coupon_code_normalise(code)
    if not coupon_code_is_well_formed(normalised):
        return None
    found = Coupon.objects.filter(code_hash__in=coupon_code_hashes(normalised))
    return (found.select_related(*related) if related else found).first()


def coupon_revoke(*, coupon: Coupon, actor, reason: str, now: datetime | None = None) -> Coupon:
    """Revoke a coupon. Unredeemed, it can no longer be redeemed; redeemed, its discount stops at the next renewal
    (the store checks the state then). Raises Conflict `coupon_not_active` for a coupon already revoked or expired."""
    reason = " ".join((reason or "").split())[:MAX_REASON_CHARS]
    if not reason:
        raise InvalidInput(_("Say why the coupon is revoked."), code="revoke_reason_required")
    now = now or timezone.now()
    coupon.refresh_from_db()
    before = _snapshot(coupon)
    with transaction.atomic():
        changed = Coupon.objects.filter(pk=coupon.pk, state__in=[CouponState.ACTIVE, CouponState.REDEEMED]).update(
            state=CouponState.REVOKED, revoked_at=now, revoked_reason=reason
        )
        coupon.refresh_from_db()
        if not changed:
            raise Conflict(
                _("This coupon is no longer active."), code="coupon_not_active", details={"state": coupon.state}
            )
        audit_record(
            action="coupon.revoked",
            object_type="coupon",
            object_id=coupon.pk,
            actor=actor,
            before=before,
            after=_snapshot(coupon),
        )
        event_publish(CouponChanged(coupon_id=coupon.pk, action=COUPON_REVOKED, reference=coupon.reference))
    return coupon
