"""Building what partners hear about, and the reactions that announce it (subscribed in VerificationConfig.ready).

- `application_changed_announce()`: a transition() action partners hear about becomes a PartnerEvent.
- `coupon_changed()`: coupons announce issue, redemption and revocation with the verification reference; here the
  application behind it gives the event its audience and its `application_reference`.
- `organisation_coupons_reviewed()`: a registry status change, after coupons flagged what they had to; the audience
  is every program and partner with an application or a coupon for the organisation.
- `verification_follow()`: the registry's follower for organisations with a pending application.

Coupons are described by their id and hint (last characters), never by their code: the code exists only in the
applicant's approval email.
"""

from datetime import date, datetime

from core.events import event_publish
from coupons.events import CouponChanged, OrganisationCouponsReviewed
from coupons.models import Coupon
from verification.events import PartnerEvent
from verification.models import Application, ApplicationState

# transition() actions that partners hear about, and the event each becomes.
APPLICATION_ACTION_EVENTS = {
    "submitted": "application.submitted",
    "approved": "application.approved",
    "rejected": "application.rejected",
    "information_requested": "application.needs_information",
    "expired": "application.expired",
}
# "Pending": submitted and not yet decided (the registry follows these applications' organisations).
FOLLOWED_STATES = (
    ApplicationState.SUBMITTED,
    ApplicationState.IN_REVIEW,
    ApplicationState.NEEDS_INFORMATION,
    ApplicationState.APPEALED,
)


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value else None


def _org_id(application: Application) -> str | None:
    return application.organisation.org_id if application.organisation is not None else None


def application_event_data(application: Application) -> dict:
    return {
        "reference": application.reference,
        "state": application.state,
        "program": application.program.slug,
        "org_id": _org_id(application),
        "decision_reasons": [
            {"code": reason.get("code", ""), "message": reason.get("message", "")}
            for reason in (application.decision_reasons or [])
        ],
        "decided_at": _iso(application.decided_at),
    }


def coupon_event_data(coupon: Coupon) -> dict:
    return {
        "coupon_id": coupon.pk,
        "hint": coupon.code_hint,
        "state": coupon.state,
        "application_reference": coupon.reference,
        "program": coupon.program.slug,
        "org_id": coupon.organisation.org_id if coupon.organisation is not None else None,
        "redeem_by": _iso(coupon.redeem_by),
        "redeemed_at": _iso(coupon.redeemed_at),
        "revoked_at": _iso(coupon.revoked_at),
    }


def organisation_event_data(
    *, org_id: str, name: str, old_status: str, new_status: str, reason: str = "", changed_on: date | None = None
) -> dict:
    return {
        "org_id": org_id,
        "name": name,
        "old_status": old_status,
        "new_status": new_status,
        "removal_reason": reason,
        "changed_on": _iso(changed_on),
    }


def application_partner_event(*, application: Application, event_type: str) -> PartnerEvent:
    return PartnerEvent(
        type=event_type,
        data=application_event_data(application),
        program_ids=(application.program_id,),
        partner_ids=(application.partner_id,) if application.partner_id else (),
        application_id=application.pk,
        org_id=_org_id(application) or "",
    )


def coupon_partner_event(*, coupon: Coupon, event_type: str) -> PartnerEvent:
    # Only the two columns used (an Application row is wide: reading and converting all of it was most of the cost).
    application = (
        Application.objects.filter(reference=coupon.reference).values("pk", "partner_id").first()
        if coupon.reference
        else None
    )
    return PartnerEvent(
        type=event_type,
        data=coupon_event_data(coupon),
        program_ids=(coupon.program_id,),
        partner_ids=(application["partner_id"],) if application and application["partner_id"] else (),
        application_id=application["pk"] if application else None,
        coupon_id=coupon.pk,
        org_id=coupon.organisation.org_id if coupon.organisation is not None else "",
    )


def organisation_partner_event(*, organisation_id: int, org_id: str, data: dict) -> PartnerEvent:
    applications = Application.objects.filter(organisation_id=organisation_id)
    program_ids = set(applications.values_list("program_id", flat=True)) | set(
        Coupon.objects.filter(organisation_id=organisation_id).values_list("program_id", flat=True)
    )
    brought = set(applications.filter(partner__isnull=False).values_list("partner_id", flat=True))
    return PartnerEvent(
        type="organisation.status_changed",
        data=data,
        program_ids=tuple(sorted(program_ids)),
        partner_ids=tuple(sorted(brought)),
        org_id=org_id,
    )


def application_changed_announce(*, application: Application, action: str) -> None:
    event_type = APPLICATION_ACTION_EVENTS.get(action)
    if event_type is not None:
        event_publish(application_partner_event(application=application, event_type=event_type))


# What coupon_event_data and coupon_partner_event read: the coupon, its program's slug, its organisation's org-id
# (the organisation and program rows are wide, and this runs in every redemption's transaction).
_COUPON_EVENT_FIELDS = (
    "code_hint",
    "state",
    "reference",
    "program_id",
    "organisation_id",
    "redeem_by",
    "redeemed_at",
    "revoked_at",
    "program__slug",
    "organisation__org_id",
)


def coupon_changed(event: CouponChanged) -> None:
    coupon = (
        Coupon.objects.select_related("program", "organisation").only(*_COUPON_EVENT_FIELDS).get(pk=event.coupon_id)
    )
    event_publish(coupon_partner_event(coupon=coupon, event_type=f"coupon.{event.action}"))


def organisation_coupons_reviewed(event: OrganisationCouponsReviewed) -> None:
    data = organisation_event_data(
        org_id=event.org_id,
        name=event.name,
        old_status=event.old_status,
        new_status=event.new_status,
        reason=event.removal_reason,
        changed_on=event.changed_on,
    )
    data["flagged_coupons"] = list(event.flagged_coupons)
    event_publish(organisation_partner_event(organisation_id=event.organisation_id, org_id=event.org_id, data=data))


def verification_follow():
    """The registry's follower (registry.watch): organisations with a pending application."""
    return Application.objects.filter(state__in=FOLLOWED_STATES, organisation__isnull=False).values("organisation_id")
