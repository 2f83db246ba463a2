"""What reviewers do with an application, and the applicant's answers: assign, approve, reject, ask for more
information, information provided, appeal. Each is one conditional state change (see transitions)."""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.errors import Conflict, InvalidInput, PermissionDenied
from verification.models import Appeal, Application, ApplicationState
from verification.reasons import REJECTION_REASONS, rejection_reason
from verification.receipts.issue import receipt_issue
from verification.selectors import QUEUE_STATES
from verification.services import emails
from verification.services.coupons import application_coupon_issue
from verification.services.transitions import require_reviewer, review_due_at, transition

S = ApplicationState
DECIDABLE_STATES = (S.IN_REVIEW, S.NEEDS_INFORMATION, S.APPEALED)
MAX_TEXT_CHARS = 5000


def rejection_reason_choices() -> list[tuple[str, str]]:
    return [(code, str(label)) for code, label in REJECTION_REASONS.items()]


def _text(value: str, what: str) -> str:
    value = (value or "").strip()[:MAX_TEXT_CHARS]
    if not value:
        raise InvalidInput(_("Please write %(what)s.") % {"what": what}, code="message_required")
    return value


def _check_appeal_reviewer(application: Application, actor) -> None:
    """Once appealed, the final decision belongs to someone other than the reviewer who rejected."""
    appeal = Appeal.objects.filter(application_id=application.pk).first()
    if appeal and appeal.first_reviewer_id and appeal.first_reviewer_id == actor.pk:
        raise PermissionDenied(
            _("You decided this application first: another reviewer must decide the appeal."),
            code="appeal_needs_other_reviewer",
        )


def application_assign(*, application: Application, actor, assignee) -> Application:
    require_reviewer(actor)
    if assignee is not None:
        require_reviewer(assignee)
    before = application.assigned_to_id
    with transaction.atomic():
        if not Application.objects.filter(pk=application.pk, state__in=QUEUE_STATES).update(assigned_to=assignee):
            raise Conflict(_("This application is no longer waiting for a reviewer."), code="application_state_changed")
        application.assigned_to = assignee
        audit_record(
            action="application.assigned",
            object_type="application",
            object_id=application.pk,
            actor=actor,
            before={"assigned_to": before},
            after={"assigned_to": assignee.pk if assignee else None, "reference": application.reference},
        )
    return application


def application_approve(
    *, application: Application, actor, message: str = "", now: datetime | None = None
) -> Application:
    require_reviewer(actor)
    _check_appeal_reviewer(application, actor)
    now = now or timezone.now()
    with transaction.atomic():
        entry = transition(
            application=application,
            to=S.APPROVED,
            allowed=DECIDABLE_STATES,
            action="approved",
            actor=actor,
            fields={
                "decided_at": now,
                "decided_by": actor,
                "decided_automatically": False,
                "decision_reasons": [],
                "decision_message": (message or "").strip()[:MAX_TEXT_CHARS],
            },
        )
        coupon, code = application_coupon_issue(application=application, actor=actor, now=now)
        receipt_issue(application=application, now=now)
        emails.send_approved(application, entry, code, coupon.redeem_by)
    return application


def application_reject(
    *, application: Application, actor, reason_codes: list[str], message: str, now: datetime | None = None
) -> Application:
    require_reviewer(actor)
    codes = list(dict.fromkeys(reason_codes or []))
    unknown = [code for code in codes if code not in REJECTION_REASONS]
    if not codes or unknown:
        raise InvalidInput(
            _("Choose at least one reason from the list."),
            code="rejection_reason_invalid",
            details={"unknown": unknown},
        )
    message = _text(message, _("a message to the applicant"))
    _check_appeal_reviewer(application, actor)
    now = now or timezone.now()
    with translation.override(application.language):
        reasons = [rejection_reason(code) for code in codes]
    with transaction.atomic():
        entry = transition(
            application=application,
            to=S.REJECTED,
            allowed=DECIDABLE_STATES,
            action="rejected",
            actor=actor,
            fields={
                "decided_at": now,
                "decided_by": actor,
                "decided_automatically": False,
                "decision_reasons": reasons,
                "decision_message": message,
            },
        )
        emails.send_rejected(application, entry)
    return application


def application_request_information(
    *, application: Application, actor, message: str, now: datetime | None = None
) -> Application:
    """Ask the applicant for more (documents, an explanation); they answer on the status page. The application
    expires if they do not within the program's expiry period."""
    require_reviewer(actor)
    message = _text(message, _("what the applicant should provide"))
    now = now or timezone.now()
    with transaction.atomic():
        entry = transition(
            application=application,
            to=S.NEEDS_INFORMATION,
            allowed=[S.IN_REVIEW, S.APPEALED],
            action="information_requested",
            actor=actor,
            fields={
                "information_request": message,
                "reminder_sent_at": None,
                "expires_at": now + timedelta(days=application.program.application_expiry_days),
            },
        )
        emails.send_information_needed(application, entry)
    return application


def application_information_provided(*, application: Application, now: datetime | None = None) -> Application:
    """The applicant answered (uploaded documents, wrote): back to the reviewers, with a new due date, since the
    promise runs from the moment everything is there."""
    now = now or timezone.now()
    appealed = Appeal.objects.filter(application_id=application.pk).exists()
    transition(
        application=application,
        to=S.APPEALED if appealed else S.IN_REVIEW,
        allowed=[S.NEEDS_INFORMATION],
        action="information_provided",
        actor_label="applicant",
        fields={"due_at": review_due_at(application=application, now=now)},
    )
    return application


def appeal_submit(*, application: Application, statement: str, now: datetime | None = None) -> Appeal:
    """A rejected applicant may appeal once; a reviewer other than the one who rejected decides."""
    statement = _text(statement, _("why the decision should be reconsidered"))
    now = now or timezone.now()
    if Appeal.objects.filter(application_id=application.pk).exists():
        raise Conflict(_("This application was already appealed."), code="appeal_already_made")
    with transaction.atomic():
        transition(
            application=application,
            to=S.APPEALED,
            allowed=[S.REJECTED],
            action="appealed",
            actor_label="applicant",
            fields={"due_at": review_due_at(application=application, now=now), "assigned_to": None},
        )
        # The OneToOne key also refuses a second appeal, should two requests race past the check above.
        appeal = Appeal.objects.create(
            application=application, statement=statement, first_reviewer_id=application.decided_by_id
        )
    return appeal
