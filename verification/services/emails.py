"""The emails an application's changes send, queued in the same transaction as the change (notifications outbox).

Each dedupe key names the application and the audit entry of the change it reports: the change happened once
(conditional update), so the email is queued once, and a retried transaction cannot queue it twice.
"""

from datetime import datetime

from django.utils import translation

from core.models import AuditEntry
from notifications.services import email_queue
from verification.models import Appeal, Application
from verification.selectors import (
    application_appeal_url,
    application_passed_checks,
    application_status_url,
    program_url,
)


def _in_language(language: str, value):
    with translation.override(language or None):
        return value()


def _base(application: Application) -> dict:
    program = application.program
    return {
        "reference": application.reference,
        "organisation_name": application.organisation_name,
        "applicant_name": application.applicant_name,
        "program_name": _in_language(application.language, lambda: program.display_name),
        "vendor_name": program.vendor_name,
        "status_url": application_status_url(application=application),
    }


def _queue(application: Application, template: str, key: str, **context) -> None:
    if not application.email:
        return  # a draft abandoned before the email step: nobody to tell
    email_queue(
        to=application.email,
        template=template,
        language=application.language,
        context={**_base(application), **context},
        dedupe_key=f"application:{application.pk}:{key}",
    )


def send_received(application: Application, entry: AuditEntry, reasons: list[dict]) -> None:
    _queue(
        application,
        "application_received",
        f"received:{entry.pk}",
        due_date=application.due_at.date() if application.due_at else None,
        due_at=application.due_at,
        reasons=reasons,
    )


def send_information_needed(application: Application, entry: AuditEntry) -> None:
    _queue(
        application,
        "information_needed",
        f"information_needed:{entry.pk}",
        message=application.information_request,
        expires_at=application.expires_at,
    )


def send_approved(application: Application, entry: AuditEntry, code: str, redeem_by: datetime) -> None:
    program = application.program
    _queue(
        application,
        "application_approved",
        f"approved:{entry.pk}",
        code=code,
        redeem_by=redeem_by,
        account_email=application.email,
        discount_percent=program.discount_percent,
        products=list(program.eligible_products),
        support_contact=program.support_contact,
        message=application.decision_message,
        checks=[
            {"code": check.code, "message": check.message, "evidence": check.evidence}
            for check in application_passed_checks(application=application)
        ],
    )


def send_rejected(application: Application, entry: AuditEntry) -> None:
    program = application.program
    codes = {reason["code"] for reason in application.decision_reasons}
    can_appeal = not Appeal.objects.filter(application_id=application.pk).exists()  # one appeal only
    _queue(
        application,
        "application_rejected",
        f"rejected:{entry.pk}",
        reasons=application.decision_reasons,
        appeal_url=application_appeal_url(application=application) if can_appeal else "",
        can_appeal=can_appeal,
        message=application.decision_message,
        education_program_url=program.education_program_url if "excluded_education" in codes else "",
        sales_contact_url=program.sales_contact_url if "over_budget_cap" in codes else "",
    )


def send_expiry_reminder(application: Application, entry: AuditEntry) -> None:
    _queue(
        application,
        "expiry_reminder",
        f"expiry_reminder:{entry.pk}",
        expires_at=application.expires_at,
        state=application.state,
    )


def send_expired(application: Application, entry: AuditEntry) -> None:
    _queue(
        application,
        "application_expired",
        f"expired:{entry.pk}",
        program_url=program_url(program=application.program, language=application.language),
    )
