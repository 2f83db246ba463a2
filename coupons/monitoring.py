"""Monitoring live coupons: when an organisation's registry status changes, or it no longer passes the program's
organisation-level checks, its live coupons are flagged and its discount stops at the next renewal
(billing.subscriptions.coupon_discount_state). See docs/monitoring.md.

- The registry import announces `registry.events.OrganisationStatusChanged` for the organisations followed here
  (`coupons_follow`: those with a live coupon; verification follows those with a pending application), inside its
  transaction. A failed run rolls the flags, audit entries and events back with the data.
- `organisation_status_changed()`: flag the organisation's live coupons (when it left its register), audit the
  change, announce `coupons.events.OrganisationCouponsReviewed` (verification tells the partners concerned).
- `coupons_flag()` / `coupon_unflag()`: the one flagging service (also used by `reverify_coupons`).
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils import timezone

from core.audit import audit_record
from core.events import event_publish
from coupons.events import OrganisationCouponsReviewed
from coupons.models import Coupon, CouponState
from registry.events import OrganisationStatusChanged
from registry.models import Organisation, OrganisationStatus

# Coupons whose discount is still to come or still running: issued and unused, or used and not revoked.
LIVE_STATES = (CouponState.ACTIVE, CouponState.REDEEMED)
ORGANISATION_STATUS_CHANGED = "organisation.status_changed"
MAX_FLAG_REASON_CHARS = 300


def live_coupons(*, organisation_ids=None):
    coupons = Coupon.objects.filter(state__in=LIVE_STATES)
    if organisation_ids is not None:
        coupons = coupons.filter(organisation_id__in=organisation_ids)
    return coupons


def coupons_follow():
    """The registry's follower (registry.watch): organisations with a live coupon."""
    return Coupon.objects.filter(state__in=LIVE_STATES, organisation__isnull=False).values("organisation_id")


def _coupon_snapshot(coupon: Coupon) -> dict:
    return {
        "state": coupon.state,
        "hint": coupon.code_hint,
        "organisation_key": coupon.organisation_key,
        "flagged_at": coupon.flagged_at.isoformat() if coupon.flagged_at else None,
        "flag_reason": coupon.flag_reason,
    }


def coupon_summary(coupon: Coupon) -> dict:
    """How the event names a flagged coupon: never by its code, nor by its application's reference or hint (the
    event also reaches partners who brought another application for the same organisation)."""
    return {
        "coupon_id": coupon.pk,
        "state": coupon.state,
        "program": coupon.program.slug,
        "flagged_at": coupon.flagged_at.isoformat() if coupon.flagged_at else None,
    }


def coupons_flag(
    *, coupons, reason: str, now: datetime | None = None, actor=None, actor_label: str = ""
) -> list[Coupon]:
    """Flag the live, unflagged coupons among `coupons`; returns those this call flagged. A coupon already flagged
    keeps its first flag (time and reason): the first cause is the one to explain."""
    now = now or timezone.now()
    reason = " ".join((reason or "").split())[:MAX_FLAG_REASON_CHARS]
    flagged = []
    for coupon in coupons:
        before = _coupon_snapshot(coupon)
        # Conditional: a coupon revoked or flagged meanwhile is left as it is.
        if Coupon.objects.filter(pk=coupon.pk, state__in=LIVE_STATES, flagged_at__isnull=True).update(
            flagged_at=now, flag_reason=reason
        ):
            coupon.refresh_from_db()
            audit_record(
                action="coupon.flagged",
                object_type="coupon",
                object_id=coupon.pk,
                actor=actor,
                actor_label=actor_label,
                before=before,
                after=_coupon_snapshot(coupon),
            )
            flagged.append(coupon)
    return flagged


def coupon_unflag(*, coupon: Coupon, actor=None, actor_label: str = "") -> bool:
    """Clear a flag (the organisation passes every check again): its discount continues at the next renewal."""
    before = _coupon_snapshot(coupon)
    if not Coupon.objects.filter(pk=coupon.pk, flagged_at__isnull=False).update(flagged_at=None, flag_reason=""):
        return False
    coupon.refresh_from_db()
    audit_record(
        action="coupon.unflagged",
        object_type="coupon",
        object_id=coupon.pk,
        actor=actor,
        actor_label=actor_label,
        before=before,
        after=_coupon_snapshot(coupon),
    )
    return True


def removal_flag_reason(organisation: Organisation) -> str:
    detail = organisation.removal_reason or organisation.status_detail
    return f"organisation {organisation.status} in its register" + (f": {detail}" if detail else "")


@dataclass
class StatusChange:
    organisation: Organisation
    old_status: str
    flagged: list[Coupon] = field(default_factory=list)


def organisation_status_changed(
    *, organisation: Organisation, old_status: str, now: datetime | None = None, actor=None, actor_label: str = ""
) -> StatusChange:
    """React to a registry status change already written: flag the live coupons when the organisation is no longer
    active (a return to active clears nothing: `reverify_coupons` does, once every check passes), audit, and
    announce it. Call inside the transaction that changed the status."""
    now = now or timezone.now()
    change = StatusChange(organisation=organisation, old_status=old_status)
    coupons = list(live_coupons(organisation_ids=[organisation.pk]).select_related("program"))
    if organisation.status != OrganisationStatus.ACTIVE:
        change.flagged = coupons_flag(
            coupons=coupons, reason=removal_flag_reason(organisation), now=now, actor=actor, actor_label=actor_label
        )
    changed_on = organisation.removed_on or timezone.localdate(now)
    audit_record(
        action="organisation.status_changed",
        object_type="organisation",
        object_id=organisation.org_id,
        actor=actor,
        actor_label=actor_label,
        before={"status": old_status},
        after={
            "status": organisation.status,
            "removal_reason": organisation.removal_reason,
            "changed_on": _iso(changed_on),
            "flagged_coupons": [c.pk for c in change.flagged],
        },
    )
    event_publish(
        OrganisationCouponsReviewed(
            organisation_id=organisation.pk,
            org_id=organisation.org_id,
            name=organisation.name,
            old_status=old_status,
            new_status=organisation.status,
            removal_reason=organisation.removal_reason,
            changed_on=changed_on,
            flagged_coupons=tuple(coupon_summary(c) for c in change.flagged),
        )
    )
    return change


def _iso(day) -> str:
    return day.isoformat() if isinstance(day, date) else str(day)


def registry_status_changed(event: OrganisationStatusChanged) -> StatusChange:
    """The handler of the registry's announcement (subscribed in CouponsConfig.ready)."""
    organisation = Organisation.objects.get(pk=event.organisation_id)
    return organisation_status_changed(
        organisation=organisation, old_status=event.old_status, actor_label=event.actor_label
    )
