"""Monitoring live coupons: when an organisation's registry status changes, or it no longer passes the program's
organisation-level checks, its live coupons are flagged and its discount stops at the next renewal
(billing.subscriptions.coupon_discount_state). See docs/monitoring.md.

- `registry_status_watch()` / `StatusWatch.finish()`: the registry import's hook. Before the run writes anything it
  reads the status of the organisations Vouch follows (a live coupon or a pending application: a few rows, two
  queries whatever the size of the file); after the writes, inside the same transaction, it reads them again and
  handles each one whose status changed. A failed run rolls the flags, audit entries and events back with the data.
- `organisation_status_changed()`: flag the organisation's live coupons (when it left its register), audit the
  change, emit `organisation.status_changed`.
- `coupons_flag()` / `coupon_unflag()`: the one flagging service (also used by `reverify_coupons`).
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Q
from django.utils import timezone

from core.audit import audit_record
from coupons.models import Coupon, CouponState
from registry.models import Organisation, OrganisationStatus
from verification.models import Application
from verification.selectors import PENDING_STATES
from webhooks.payloads import organisation_event_data
from webhooks.services import webhook_event_emit

# Coupons whose discount is still to come or still running: issued and unused, or used and not revoked.
LIVE_STATES = (CouponState.ACTIVE, CouponState.REDEEMED)
ORGANISATION_STATUS_CHANGED = "organisation.status_changed"
MAX_FLAG_REASON_CHARS = 300


def live_coupons(*, organisation_ids=None):
    coupons = Coupon.objects.filter(state__in=LIVE_STATES)
    if organisation_ids is not None:
        coupons = coupons.filter(organisation_id__in=organisation_ids)
    return coupons


def followed_statuses() -> dict[int, str]:
    """{organisation pk: status} for every organisation with a live coupon or a pending application."""
    with_coupon = Coupon.objects.filter(state__in=LIVE_STATES, organisation__isnull=False).values("organisation_id")
    with_application = (Application.objects.filter(state__in=PENDING_STATES, organisation__isnull=False)
                        .values("organisation_id"))
    followed = Organisation.objects.filter(Q(pk__in=with_coupon) | Q(pk__in=with_application))
    return dict(followed.values_list("pk", "status"))


def _coupon_snapshot(coupon: Coupon) -> dict:
    return {"state": coupon.state, "hint": coupon.code_hint, "organisation_key": coupon.organisation_key,
            "flagged_at": coupon.flagged_at.isoformat() if coupon.flagged_at else None,
            "flag_reason": coupon.flag_reason}


def coupon_summary(coupon: Coupon) -> dict:
    """How the event names a flagged coupon: never by its code, nor by its application's reference or hint (the
    event also reaches partners who brought another application for the same organisation)."""
    return {"coupon_id": coupon.pk, "state": coupon.state, "program": coupon.program.slug,
            "flagged_at": coupon.flagged_at.isoformat() if coupon.flagged_at else None}


def coupons_flag(*, coupons, reason: str, now: datetime | None = None, actor=None,
                 actor_label: str = "") -> list[Coupon]:
    """Flag the live, unflagged coupons among `coupons`; returns those this call flagged. A coupon already flagged
    keeps its first flag (time and reason): the first cause is the one to explain."""
    now = now or timezone.now()
    reason = " ".join((reason or "").split())[:MAX_FLAG_REASON_CHARS]
    flagged = []
    for coupon in coupons:
        before = _coupon_snapshot(coupon)
        # Conditional: a coupon revoked or flagged meanwhile is left as it is.
        if Coupon.objects.filter(pk=coupon.pk, state__in=LIVE_STATES, flagged_at__isnull=True).update(
                flagged_at=now, flag_reason=reason):
            coupon.refresh_from_db()
            audit_record(action="coupon.flagged", object_type="coupon", object_id=coupon.pk, actor=actor,
                         actor_label=actor_label, before=before, after=_coupon_snapshot(coupon))
            flagged.append(coupon)
    return flagged


def coupon_unflag(*, coupon: Coupon, actor=None, actor_label: str = "") -> bool:
    """Clear a flag (the organisation passes every check again): its discount continues at the next renewal."""
    before = _coupon_snapshot(coupon)
    if not Coupon.objects.filter(pk=coupon.pk, flagged_at__isnull=False).update(flagged_at=None, flag_reason=""):
        return False
    coupon.refresh_from_db()
    audit_record(action="coupon.unflagged", object_type="coupon", object_id=coupon.pk, actor=actor,
                 actor_label=actor_label, before=before, after=_coupon_snapshot(coupon))
    return True


def removal_flag_reason(organisation: Organisation) -> str:
    detail = organisation.removal_reason or organisation.status_detail
    return f"organisation {organisation.status} in its register" + (f": {detail}" if detail else "")


@dataclass
class StatusChange:
    organisation: Organisation
    old_status: str
    flagged: list[Coupon] = field(default_factory=list)


def organisation_status_changed(*, organisation: Organisation, old_status: str, now: datetime | None = None,
                                actor=None, actor_label: str = "") -> StatusChange:
    """React to a registry status change already written: flag the live coupons when the organisation is no longer
    active (a return to active clears nothing: `reverify_coupons` does, once every check passes), audit, and emit
    `organisation.status_changed`. Call inside the transaction that changed the status."""
    now = now or timezone.now()
    change = StatusChange(organisation=organisation, old_status=old_status)
    coupons = list(live_coupons(organisation_ids=[organisation.pk]).select_related("application", "program"))
    if organisation.status != OrganisationStatus.ACTIVE:
        change.flagged = coupons_flag(coupons=coupons, reason=removal_flag_reason(organisation), now=now,
                                      actor=actor, actor_label=actor_label)
    changed_on = organisation.removed_on or timezone.localdate(now)
    audit_record(action="organisation.status_changed", object_type="organisation", object_id=organisation.org_id,
                 actor=actor, actor_label=actor_label,
                 before={"status": old_status},
                 after={"status": organisation.status, "removal_reason": organisation.removal_reason,
                        "changed_on": _iso(changed_on), "flagged_coupons": [c.pk for c in change.flagged]})
    data = organisation_event_data(organisation=organisation, old_status=old_status, new_status=organisation.status,
                                   reason=organisation.removal_reason, changed_on=changed_on)
    data["flagged_coupons"] = [coupon_summary(c) for c in change.flagged]
    webhook_event_emit(event_type=ORGANISATION_STATUS_CHANGED, organisation=organisation, data=data)
    return change


def _iso(day) -> str:
    return day.isoformat() if isinstance(day, date) else str(day)


class StatusWatch:
    """The registry import's hook: `watch = registry_status_watch()` before the run writes, `watch.finish(...)`
    after its last write, in the same transaction."""

    def __init__(self, before: dict[int, str]):
        self.before = before

    def finish(self, *, actor_label: str, now: datetime | None = None) -> list[StatusChange]:
        if not self.before:
            return []
        after = followed_statuses()  # the same set: an import changes no coupon or application
        changed = {pk: old for pk, old in self.before.items() if pk in after and after[pk] != old}
        if not changed:
            return []
        organisations = Organisation.objects.filter(pk__in=list(changed)).order_by("org_id")
        return [organisation_status_changed(organisation=organisation, old_status=changed[organisation.pk],
                                            now=now, actor_label=actor_label)
                for organisation in organisations]


def registry_status_watch() -> StatusWatch:
    return StatusWatch(followed_statuses())
