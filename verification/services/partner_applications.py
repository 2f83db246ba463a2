"""Applications a partner brings through the API (`partner_application_create`), on the intake service.

A partner never completes an application for the applicant. What the partner sends is written on a draft; the
applicant still proves control of the email with the one-time code and accepts the terms on the hosted pages (the
coupon is bound to that email, and the acceptance records the applicant's own IP and browser). The draft's status
link is where the applicant continues: the status page's "Continue" takes them to the first step not done.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.emails import email_normalise
from core.errors import Conflict, InvalidInput
from core.text import text_clean
from notifications.services import email_queue
from programs.selectors import program_country_check
from registry.selectors import organisation_get
from verification.email_challenges import email_challenge_send
from verification.models import Application, ApplicationState, EmailChallenge
from verification.selectors import application_status_url
from verification.services.intake import applicant_name_clean, intake_start, manual_organisation_fields


@dataclass(frozen=True)
class ManualOrganisation:
    """An organisation the partner describes because it is not in a register (documents and a review follow)."""

    legal_name: str
    country: str
    address: str
    registry_number: str = ""
    website: str = ""


def _organisation_fields(program, org_id: str | None, manual: ManualOrganisation | None) -> dict:
    if bool(org_id) == bool(manual):
        raise InvalidInput(
            _("Give either org_id or the organisation's details, not both."), code="organisation_required"
        )
    if org_id:
        organisation = organisation_get(org_id=text_clean(org_id, field="org_id", max_chars=48, single_line=True))
        return {
            "organisation": organisation,
            "country": program_country_check(program=program, country=organisation.country),
        }
    assert manual is not None  # exactly one of the two was given
    return {
        "organisation": None,
        "country": program_country_check(program=program, country=manual.country),
        **manual_organisation_fields(
            legal_name=manual.legal_name,
            address=manual.address,
            registry_number=manual.registry_number,
            website=manual.website,
        ),
    }


def partner_application_create(
    *,
    partner,
    org_id: str | None,
    manual: ManualOrganisation | None,
    applicant_name: str,
    email: str,
    budget_minor: int,
    budget_currency: str,
    language: str,
    now: datetime | None = None,
) -> Application:
    """A draft of the partner's program, bound to the partner, with everything but the applicant's own acts (the
    email code and the acceptance of the terms). The applicant is emailed the link to finish it."""
    program = partner.program
    if not program.is_active:
        raise Conflict(_("This program is closed."), code="program_closed")
    fields = {
        **_organisation_fields(program, org_id, manual),
        "applicant_name": applicant_name_clean(applicant_name),
        "email": email_normalise(text_clean(email, field="email", max_chars=254, required=True, single_line=True)),
    }
    with transaction.atomic():
        application = intake_start(
            program=program,
            language=language,
            budget_minor=budget_minor,
            currency=budget_currency,
            partner=partner,
            now=now,
            **fields,
        )
        application = Application.objects.select_related("program", "organisation", "partner").get(pk=application.pk)
        audit_record(
            action="application.started_by_partner",
            object_type="application",
            object_id=application.pk,
            actor_label=f"partner:{partner.pk}",
            after={
                "reference": application.reference,
                "partner": partner.pk,
                "organisation": application.organisation.org_id if application.organisation else None,
                "manual_name": application.manual_name,
                "email": application.email,
            },
        )
        _continue_email_queue(application)
    return application


def _continue_email_queue(application: Application) -> None:
    program = application.program
    email_queue(
        to=application.email,
        template="application_continue",
        language=application.language,
        dedupe_key=f"application:{application.pk}:continue",
        context={
            "reference": application.reference,
            "applicant_name": application.applicant_name,
            "organisation_name": application.organisation_name,
            "program_name": program.name,
            "vendor_name": program.vendor_name,
            "partner_name": application.partner.name if application.partner else "",
            "continue_url": application_status_url(application=application),
            "expires_at": application.expires_at,
        },
    )


def email_code_ensure(*, application: Application, now: datetime | None = None, ip: str = "") -> bool:
    """Send a code when the draft's email is entered but has none waiting, so that the code step has one to check:
    a partner entered the email through the API, or the last code expired. True when a code was sent."""
    if application.state != ApplicationState.DRAFT or not application.email or application.email_verified_at:
        return False
    now = now or timezone.now()
    latest = EmailChallenge.objects.filter(application=application).order_by("-created_at", "-pk").first()
    if (
        latest is not None
        and latest.used_at is None
        and latest.expires_at > now
        and latest.email.lower() == application.email.lower()
    ):
        return False
    email_challenge_send(application=application, email=application.email, ip=ip)
    return True
