"""The support console's actions. Each needs a permission (support.roles), takes a reason, and is audited on the
application (so its timeline shows who did what and why) besides the coupon's own audit entry.

- case_open_not_me: the applicant's "this was not me" on the status page opens a case (once while open).
- support_coupon_revoke / support_coupon_reissue / support_coupon_extend: coupons.services / coupons.support; a
  reissued code is emailed to the application's verified address (the code exists only in that email).
- support_email_resend: a copy of an email the applicant was sent (same content, new outbox row).
"""

import secrets
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from coupons.models import Coupon, CouponState
from coupons.services import coupon_revoke
from coupons.support import coupon_redeem_by_extend, coupon_reissue
from notifications.models import OutboxEmail, OutboxState
from notifications.services import email_queue, outbox_kick
from support.models import CaseKind, CaseState, SupportCase
from verification.models import Application
from verification.selectors import application_status_url

MAX_MESSAGE_CHARS = 2000


def _may(actor, permission: str) -> None:
    if not (getattr(actor, "is_active", False) and actor.has_perm(permission)):
        raise PermissionDenied(
            _("Your role does not allow this action."), code="permission_required", details={"permission": permission}
        )


def _reason(reason: str) -> str:
    reason = " ".join((reason or "").split())[:300]
    if not reason:
        raise InvalidInput(_("Say why: the reason is kept in the audit log."), code="reason_required")
    return reason


def _coupon(application: Application) -> Coupon:
    coupon = application.coupon
    if coupon is None:
        raise NotFound(_("This application has no coupon."), code="coupon_not_found")
    return coupon


def _audit(application: Application, action: str, actor, **after) -> None:
    audit_record(
        action=action,
        object_type="application",
        object_id=application.pk,
        actor=actor,
        after={"reference": application.reference, **after},
    )


def case_open_not_me(*, application: Application, message: str = "", now: datetime | None = None) -> SupportCase:
    """The applicant says the coupon was redeemed by someone else. Only for a redeemed coupon; a second press while
    the case is open returns the open case."""
    coupon = application.coupon
    if coupon is None or coupon.redeemed_at is None:
        raise Conflict(_("The coupon has not been redeemed."), code="coupon_not_redeemed")
    now = now or timezone.now()
    existing = SupportCase.objects.filter(application=application, kind=CaseKind.NOT_ME, state=CaseState.OPEN).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            case = SupportCase.objects.create(
                application=application,
                kind=CaseKind.NOT_ME,
                opened_at=now,
                message=(message or "").strip()[:MAX_MESSAGE_CHARS],
            )
            audit_record(
                action="support_case.opened",
                object_type="application",
                object_id=application.pk,
                actor_label="applicant (status page)",
                after={"case": case.pk, "kind": case.kind, "reference": application.reference},
            )
    except IntegrityError:  # a twin request opened it first
        return SupportCase.objects.get(application=application, kind=CaseKind.NOT_ME, state=CaseState.OPEN)
    return case


def case_close(*, case: SupportCase, actor, resolution: str, now: datetime | None = None) -> SupportCase:
    _may(actor, "support.handle_case")
    resolution = _reason(resolution)
    now = now or timezone.now()
    with transaction.atomic():
        changed = SupportCase.objects.filter(pk=case.pk, state=CaseState.OPEN).update(
            state=CaseState.CLOSED, closed_at=now, closed_by=actor, resolution=resolution
        )
        case.refresh_from_db()
        if not changed:
            raise Conflict(_("This case is already closed."), code="case_closed")
        _audit(case.application, "support_case.closed", actor, case=case.pk, reason=resolution)
    return case


def support_coupon_revoke(*, application: Application, actor, reason: str) -> Coupon:
    _may(actor, "support.act_on_coupons")
    reason = _reason(reason)
    with transaction.atomic():
        coupon = coupon_revoke(coupon=_coupon(application), actor=actor, reason=reason)
        _audit(application, "support.coupon_revoked", actor, reason=reason, coupon=coupon.pk)
    return coupon


def support_coupon_reissue(*, application: Application, actor, reason: str, now: datetime | None = None) -> Coupon:
    """A new code replaces the old one (which stops working at once), emailed to the verified address."""
    _may(actor, "support.act_on_coupons")
    reason = _reason(reason)
    if not application.email or application.email_verified_at is None:
        raise Conflict(_("The application has no verified email to send a new code to."), code="email_not_verified")
    with transaction.atomic():
        coupon, code = coupon_reissue(coupon=_coupon(application), actor=actor, reason=reason, now=now)
        _audit(application, "support.coupon_reissued", actor, reason=reason, coupon=coupon.pk, hint=coupon.code_hint)
        program = application.program
        email_queue(
            to=application.email,
            template="coupon_reissued",
            language=application.language,
            context={
                "reference": application.reference,
                "code": code,
                "redeem_by": coupon.redeem_by,
                "vendor_name": program.vendor_name,
                "program_name": program.name,
                "applicant_name": application.applicant_name,
                "status_url": application_status_url(application=application),
            },
            dedupe_key=f"application:{application.pk}:support:reissue:{secrets.token_hex(8)}",
        )
    return coupon


def support_coupon_extend(
    *, application: Application, actor, redeem_by: datetime, reason: str, now: datetime | None = None
) -> Coupon:
    _may(actor, "support.act_on_coupons")
    reason = _reason(reason)
    with transaction.atomic():
        coupon = coupon_redeem_by_extend(
            coupon=_coupon(application), actor=actor, redeem_by=redeem_by, reason=reason, now=now
        )
        _audit(
            application,
            "support.coupon_extended",
            actor,
            reason=reason,
            coupon=coupon.pk,
            redeem_by=coupon.redeem_by.isoformat(),
        )
    return coupon


def support_email_resend(*, application: Application, actor, email_id: int, reason: str) -> OutboxEmail:
    """Send again an email the applicant was sent (its stored content, to the same address)."""
    _may(actor, "support.resend_email")
    reason = _reason(reason)
    original = OutboxEmail.objects.filter(pk=email_id, dedupe_key__startswith=f"application:{application.pk}:").first()
    if original is None:
        raise NotFound(_("This email was not sent for this application."), code="email_not_found")
    if (
        original.template == "application_approved"
        and application.coupon is not None
        and (application.coupon.state != CouponState.ACTIVE or application.coupon.code_hint not in original.body_text)
    ):
        raise Conflict(
            _("The approval email holds a code that no longer works: reissue the coupon instead."),
            code="email_outdated",
        )
    with transaction.atomic():
        copy = OutboxEmail.objects.create(
            dedupe_key=f"application:{application.pk}:support:resend:{original.pk}:{secrets.token_hex(6)}",
            to=original.to,
            subject=original.subject,
            body_text=original.body_text,
            body_html=original.body_html,
            language=original.language,
            template=original.template,
            state=OutboxState.PENDING,
            next_attempt_at=timezone.now(),
            message_id=original.message_id.replace("@", f".r{secrets.token_hex(3)}@"),
        )
        _audit(application, "support.email_resent", actor, reason=reason, email=original.pk, template=original.template)
        transaction.on_commit(outbox_kick, robust=True)
    return copy
