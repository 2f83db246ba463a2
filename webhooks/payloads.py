"""What each event tells partners (`data` of the payload). Built by the services that emit the events.

Coupons are described by their id and hint (last characters), never by their code: the code exists only in the
applicant's approval email.
"""

from datetime import date, datetime

from webhooks.models import WebhookEvent


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value else None


def _org_id(application) -> str | None:
    return application.organisation.org_id if application.organisation_id else None


def application_event_data(application) -> dict:
    return {
        "reference": application.reference,
        "state": application.state,
        "program": application.program.slug,
        "org_id": _org_id(application),
        "decision_reasons": [{"code": reason.get("code", ""), "message": reason.get("message", "")}
                             for reason in (application.decision_reasons or [])],
        "decided_at": _iso(application.decided_at),
    }


def coupon_event_data(coupon) -> dict:
    application = coupon.application
    return {
        "coupon_id": coupon.pk,
        "hint": coupon.code_hint,
        "state": coupon.state,
        "application_reference": application.reference,
        "program": application.program.slug,
        "org_id": _org_id(application),
        "redeem_by": _iso(coupon.redeem_by),
        "redeemed_at": _iso(coupon.redeemed_at),
        "revoked_at": _iso(coupon.revoked_at),
    }


def organisation_event_data(*, organisation, old_status: str, new_status: str, reason: str = "",
                            changed_on: date | None = None) -> dict:
    """For organisation.status_changed (emitted by the registry's monitoring)."""
    return {
        "org_id": organisation.org_id,
        "name": organisation.name,
        "old_status": old_status,
        "new_status": new_status,
        "removal_reason": reason,
        "changed_on": _iso(changed_on or getattr(organisation, "removed_on", None)),
    }


def event_payload(event: WebhookEvent) -> dict:
    return {"id": event.public_id, "type": event.type, "created_at": event.created_at.isoformat(),
            "data": event.data}


# transition() actions (verification.services) that partners hear about, and the event each becomes.
APPLICATION_ACTION_EVENTS = {
    "submitted": "application.submitted",
    "approved": "application.approved",
    "rejected": "application.rejected",
    "information_requested": "application.needs_information",
    "expired": "application.expired",
}
