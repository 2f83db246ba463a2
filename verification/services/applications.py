"""An application from its start to the automatic decision: start, run the checks, submit, decide."""

import ipaddress
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.errors import Conflict, InvalidInput
from programs.models import Program
from programs.selectors import program_text_current
from programs.services import program_rules_publish
from verification.models import Application, ApplicationState, CheckResult
from verification.receipts.issue import receipt_issue
from verification.rules import Decision, Verdict, application_checks, decide, explain
from verification.selectors import (
    applicant_facts,
    organisation_facts,
    organisation_has_active_coupon,
    organisation_has_open_application,
    program_rules,
)
from verification.services import emails
from verification.services.coupons import application_coupon_issue
from verification.services.transitions import review_due_at, transition

S = ApplicationState
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # no I, L, O, U: read aloud and typed without mistakes
REFERENCE_PREFIX = "VCH-"


def reference_generate() -> str:
    return REFERENCE_PREFIX + "".join(secrets.choice(CROCKFORD) for _ in range(8))


def _language(language: str) -> str:
    try:
        return translation.get_supported_language_variant(language or settings.LANGUAGE_CODE)
    except LookupError:
        return settings.LANGUAGE_CODE


def application_start(*, program: Program, language: str, now: datetime | None = None) -> Application:
    """A new draft: an unguessable token for its links, a short reference people can quote."""
    if not program.is_active:
        raise Conflict(_("This program is closed."), code="program_closed")
    now = now or timezone.now()
    for _attempt in range(5):  # 32^8 references: a collision is rare, and the unique constraint catches it
        try:
            with transaction.atomic():
                return Application.objects.create(
                    program=program,
                    token=secrets.token_urlsafe(32),
                    reference=reference_generate(),
                    language=_language(language),
                    expires_at=now + timedelta(days=program.application_expiry_days),
                )
        except IntegrityError:
            continue
    raise Conflict(_("Could not start an application. Please try again."), code="application_start_failed")


def application_checks_run(*, application: Application) -> list[Verdict]:
    """Run every rule on the application and store the verdicts (replacing earlier ones), messages written in the
    application's language: what the applicant is told is what the record keeps."""
    program = application.program
    organisation = application.organisation if application.organisation_id else None
    org = organisation_facts(organisation=organisation) if organisation else None
    rules_version = program_rules_publish(program=program, actor_label="system")  # the version these checks apply
    verdicts = application_checks(
        org=org,
        program=program_rules(program=program),
        applicant=applicant_facts(application=application),
        has_active_coupon=org is not None and organisation_has_active_coupon(program=program, org_id=org.org_id),
        has_open_application=organisation_has_open_application(application=application),
    )
    with transaction.atomic(), translation.override(application.language):
        CheckResult.objects.filter(application=application).delete()
        CheckResult.objects.bulk_create(
            [
                CheckResult(
                    application=application,
                    rule=v.rule,
                    outcome=v.outcome,
                    code=v.code,
                    message_key=v.message.key,
                    params=dict(v.message.params),
                    message=str(v.message),
                    evidence=v.evidence,
                    rules_version=rules_version,
                )
                for v in verdicts
            ]
        )
    return verdicts


def _missing_steps(application: Application) -> list[str]:
    missing = []
    if application.declared_budget_minor is None:
        missing.append("budget")
    if not application.country:
        missing.append("country")
    if not (application.organisation_id or application.manual_name):
        missing.append("organisation")
    if not application.applicant_name:
        missing.append("representative")
    if not application.email:
        missing.append("email")
    return missing


def _ip(text: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address((text or "").strip()))
    except ValueError:
        return None


def accepted_language(program: Program, language: str) -> str:
    """The language of the terms the applicant reads in `language` (English when they are not written in it)."""
    text = program_text_current(program, "terms", language)
    return text.language if text is not None else _language(language).split("-")[0]


def application_submit(
    *,
    application: Application,
    ip: str | None,
    user_agent: str,
    language: str = "",
    now: datetime | None = None,
) -> Application:
    """Record the acceptance of the terms (their versions, and the language they were shown in: `language`, the
    page's), run the checks and decide at once what the registers settle."""
    now = now or timezone.now()
    program = application.program
    if application.state != S.DRAFT:
        raise Conflict(_("This application was already submitted."), code="application_not_draft")
    missing = _missing_steps(application)
    if missing:
        raise InvalidInput(
            _("Some steps are not complete yet."), code="application_incomplete", details={"missing": missing}
        )
    if application.email_verified_at is None:
        raise InvalidInput(_("Confirm the email address with the code we sent first."), code="email_not_verified")
    if application.expires_at <= now:
        raise Conflict(_("This application has expired. Please start a new one."), code="application_expired")
    with transaction.atomic():
        transition(
            application=application,
            to=S.SUBMITTED,
            allowed=[S.DRAFT],
            action="submitted",
            actor_label="applicant",
            fields={
                "terms_version": program.terms_version,
                "privacy_version": program.privacy_version,
                "accepted_at": now,
                "accepted_ip": _ip(ip),
                "accepted_user_agent": (user_agent or "")[:500],
                "accepted_language": accepted_language(program, language or application.language),
                "submitted_at": now,
                "due_at": review_due_at(application=application, now=now),
            },
        )
        decision = decide(application_checks_run(application=application))
        if decision.outcome == "approve":
            try:
                with transaction.atomic():  # a savepoint: a lost coupon race becomes a rejection, not an error
                    application_approve_automatically(application=application, now=now)
            except Conflict as error:
                if error.code != "duplicate_active_coupon":
                    raise
                application.refresh_from_db()  # the savepoint rolled the approval back
                duplicate = Verdict(
                    "duplicates",
                    "fail",
                    "duplicate_active_coupon",
                    explain("duplicate_active_coupon"),
                    {
                        "record": application.organisation_id,
                        "field": "coupons",
                        "value": True,
                        "source": "vouch",
                        "source_date": None,
                    },
                )
                _reject_automatically(application, Decision("reject", (duplicate,)), now)
        elif decision.outcome == "reject":
            _reject_automatically(application, decision, now)
        else:
            _to_review(application, decision, now)
    return application


def application_approve_automatically(
    *, application: Application, now: datetime | None = None, allowed=(S.SUBMITTED,)
) -> Application:
    """Every check passed: approve, issue the coupon, and email its code (which exists nowhere else). `allowed`:
    also from review when a proof arrives later (verification.proofs.services.application_settle_after_proof)."""
    now = now or timezone.now()
    with transaction.atomic():
        entry = transition(
            application=application,
            to=S.APPROVED,
            allowed=allowed,
            action="approved",
            actor_label="system",
            fields={"decided_at": now, "decided_automatically": True, "decision_reasons": []},
        )
        coupon, code = application_coupon_issue(application=application, now=now)
        receipt_issue(application=application, now=now)
        emails.send_approved(application, entry, code, coupon.redeem_by)
    return application


def _reasons(application: Application, decision: Decision) -> list[dict]:
    with translation.override(application.language):
        return [verdict.as_reason() for verdict in decision.reasons]


def _reject_automatically(application: Application, decision: Decision, now: datetime) -> None:
    entry = transition(
        application=application,
        to=S.REJECTED,
        allowed=[S.SUBMITTED],
        action="rejected",
        actor_label="system",
        fields={"decided_at": now, "decided_automatically": True, "decision_reasons": _reasons(application, decision)},
    )
    emails.send_rejected(application, entry)


def _to_review(application: Application, decision: Decision, now: datetime) -> None:
    """To a reviewer. An organisation added by hand without documents first needs them from the applicant."""
    reasons = _reasons(application, decision)
    if application.is_manual and not application.documents.exists():
        with translation.override(application.language):
            request = _(
                "Please upload documents proving the organisation's registration as a nonprofit (for "
                "example its registration certificate or a letter from the regulator), as PDF, PNG or JPEG."
            )
        entry = transition(
            application=application,
            to=S.NEEDS_INFORMATION,
            allowed=[S.SUBMITTED],
            action="information_requested",
            actor_label="system",
            fields={
                "information_request": request,
                "reminder_sent_at": None,
                "expires_at": now + timedelta(days=application.program.application_expiry_days),
            },
        )
        emails.send_information_needed(application, entry)
        return
    entry = transition(
        application=application, to=S.IN_REVIEW, allowed=[S.SUBMITTED], action="in_review", actor_label="system"
    )
    emails.send_received(application, entry, reasons)
