"""Applications a partner brings: through the API (`partner_application_create`) or a hosted invite
(`invite_application_start`).

A partner never completes an application for the applicant. What the partner sends is written on a draft; the
applicant still proves control of the email with the one-time code and accepts the terms on the hosted pages (the
coupon is bound to that email, and the acceptance records the applicant's own IP and browser). The draft's status
link is where the applicant continues: the status page's "Continue" takes them to the first step not done.
"""

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.errors import Conflict, InvalidInput
from core.text import has_control_characters
from registry.countries import COUNTRY_NAMES
from registry.selectors import organisation_get
from verification.email_challenges import email_challenge_send, email_normalise
from verification.models import Application, ApplicationState, EmailChallenge, Program
from verification.rules import convert_minor
from verification.selectors import application_status_url, program_rules
from verification.services.applications import application_start

MAX_NAME_CHARS = 200


@dataclass(frozen=True)
class ManualOrganisation:
    """An organisation the partner describes because it is not in a register (documents and a review follow)."""

    legal_name: str
    country: str
    address: str
    registry_number: str = ""
    website: str = ""


def text_clean(value: str | None, *, field: str, max_chars: int, required: bool = False,
               single_line: bool = False) -> str:
    """Stripped text without control characters (a NUL cannot even be stored by PostgreSQL); a single_line field
    (a name) refuses newlines and tabs too."""
    text = (value or "").strip()
    if has_control_characters(text, allow_newlines=not single_line):
        raise InvalidInput(_("The field %(field)s contains characters that are not allowed.") % {"field": field},
                           code="invalid_input", details={"field": field})
    if required and not text:
        raise InvalidInput(_("The field %(field)s is required.") % {"field": field}, code="invalid_input",
                           details={"field": field})
    if len(text) > max_chars:
        raise InvalidInput(_("The field %(field)s is longer than %(max)s characters.") % {"field": field,
                                                                                         "max": max_chars},
                           code="invalid_input", details={"field": field})
    return text


def program_country_check(*, program: Program, country: str) -> str:
    """The ISO code, if the program takes applications from that country (the journey's country list)."""
    code = (country or "").strip().upper()
    allowed = [str(c).upper() for c in program.supported_countries] or list(COUNTRY_NAMES)
    if code not in allowed:
        raise InvalidInput(_("The program does not take applications from this country."),
                           code="country_not_supported", details={"country": code[:2], "supported": allowed})
    return code


def _budget_minor(program: Program, amount_minor: int, currency: str) -> int:
    """The declared budget in the program's currency; above the cap the self-serve program is not offered."""
    if amount_minor < 0:
        raise InvalidInput(_("The budget cannot be negative."), code="invalid_input", details={"field": "budget"})
    converted = convert_minor(amount_minor, currency, program_rules(program=program))
    if converted is None:
        raise InvalidInput(_("The program cannot convert budgets in %(currency)s. Give it in %(program)s.")
                           % {"currency": currency.upper(), "program": program.budget_currency},
                           code="budget_currency_not_supported",
                           details={"currency": currency.upper(), "program_currency": program.budget_currency})
    if converted > program.budget_cap_minor:  # the cap is inclusive, as on the program page
        raise InvalidInput(_("The budget is above the program's cap: the self-serve discount is not offered. "
                             "The vendor's sales team can help."), code="over_budget_cap",
                           details={"cap_minor": program.budget_cap_minor, "currency": program.budget_currency,
                                    "sales_contact_url": program.sales_contact_url})
    return converted


def _organisation_fields(program: Program, org_id: str | None, manual: ManualOrganisation | None) -> dict:
    if bool(org_id) == bool(manual):
        raise InvalidInput(_("Give either org_id or the organisation's details, not both."),
                           code="organisation_required")
    if org_id:
        organisation = organisation_get(org_id=text_clean(org_id, field="org_id", max_chars=48))
        return {"organisation": organisation,
                "country": program_country_check(program=program, country=organisation.country)}
    return {
        "organisation": None,
        "country": program_country_check(program=program, country=manual.country),
        "manual_name": text_clean(manual.legal_name, field="organisation.legal_name", max_chars=300,
                                  required=True),
        "manual_registry_number": text_clean(manual.registry_number, field="organisation.registry_number",
                                             max_chars=60),
        "manual_website": text_clean(manual.website, field="organisation.website", max_chars=300),
        "manual_address": text_clean(manual.address, field="organisation.address", max_chars=2000, required=True),
    }


def partner_application_create(*, partner, org_id: str | None, manual: ManualOrganisation | None,
                               applicant_name: str, email: str, budget_minor: int, budget_currency: str,
                               language: str, now: datetime | None = None) -> Application:
    """A draft of the partner's program, bound to the partner, with everything but the applicant's own acts (the
    email code and the acceptance of the terms). The applicant is emailed the link to finish it."""
    program = partner.program
    if not program.is_active:
        raise Conflict(_("This program is closed."), code="program_closed")
    fields = {
        **_organisation_fields(program, org_id, manual),
        "applicant_name": text_clean(applicant_name, field="applicant_name", max_chars=MAX_NAME_CHARS, single_line=True,
                                     required=True),
        "email": email_normalise(text_clean(email, field="email", max_chars=254, required=True)),
        "declared_budget_minor": _budget_minor(program, budget_minor, budget_currency),
        "partner": partner,
    }
    with transaction.atomic():
        application = application_start(program=program, language=language, now=now)
        Application.objects.filter(pk=application.pk).update(**fields)
        application = Application.objects.select_related("program", "organisation", "partner").get(
            pk=application.pk)
        audit_record(action="application.started_by_partner", object_type="application", object_id=application.pk,
                     actor_label=f"partner:{partner.pk}",
                     after={"reference": application.reference, "partner": partner.pk,
                            "organisation": application.organisation.org_id if application.organisation else None,
                            "manual_name": application.manual_name, "email": application.email})
        _continue_email_queue(application)
    return application


def _continue_email_queue(application: Application) -> None:
    from notifications.services import email_queue  # imported late: the notifications app builds on verification

    program = application.program
    email_queue(to=application.email, template="application_continue", language=application.language,
                dedupe_key=f"application:{application.pk}:continue",
                context={"reference": application.reference, "applicant_name": application.applicant_name,
                         "organisation_name": application.organisation_name, "program_name": program.name,
                         "vendor_name": program.vendor_name, "partner_name": application.partner.name,
                         "continue_url": application_status_url(application=application),
                         "expires_at": application.expires_at})


def email_code_ensure(*, application: Application, now: datetime | None = None, ip: str = "") -> bool:
    """Send a code when the draft's email is entered but has none waiting, so that the code step has one to check:
    a partner entered the email through the API, or the last code expired. True when a code was sent."""
    if application.state != ApplicationState.DRAFT or not application.email or application.email_verified_at:
        return False
    now = now or timezone.now()
    latest = EmailChallenge.objects.filter(application=application).order_by("-created_at", "-pk").first()
    if (latest is not None and latest.used_at is None and latest.expires_at > now
            and latest.email.lower() == application.email.lower()):
        return False
    email_challenge_send(application=application, email=application.email, ip=ip)
    return True


# --- hosted invites ----------------------------------------------------------------------------------------------

def invite_application_start(*, invite, budget_minor: int, language: str,
                             now: datetime | None = None) -> Application:
    """The applicant opened a partner's invite and gave the budget: a draft bound to the partner, prefilled, and the
    invite used (a conditional UPDATE: of two browsers racing on one link, one starts an application)."""
    from partners.invites import invite_take  # partners builds on verification; imported where needed

    now = now or timezone.now()
    partner = invite.partner
    program = partner.program
    fields = {"partner": partner, "declared_budget_minor": budget_minor}
    if invite.prefill_org_id:
        organisation = organisation_get(org_id=invite.prefill_org_id)
        fields.update(organisation=organisation, country=organisation.country)
    elif invite.prefill_country:
        fields["country"] = invite.prefill_country
    if invite.prefill_email:
        fields["email"] = invite.prefill_email  # unverified: the email step sends the code
    with transaction.atomic():
        application = application_start(program=program, language=language, now=now)
        Application.objects.filter(pk=application.pk).update(**fields)
        application = Application.objects.select_related("program", "organisation", "partner").get(
            pk=application.pk)
        invite_take(invite=invite, application=application, now=now)
        audit_record(action="application.started_from_invite", object_type="application",
                     object_id=application.pk, actor_label="applicant",
                     after={"reference": application.reference, "partner": partner.pk, "invite": invite.public_id})
    return application


def invite_return_url(*, application: Application) -> tuple[str, str] | None:
    """(partner name, URL back to the partner) once an application started from an invite was submitted; None
    otherwise. The partner learns the outcome from the query: vouch_reference, vouch_status, vouch_invite and its
    own external_id (the partner should confirm it through the API: a query string can be edited)."""
    invite = getattr(application, "invite", None)
    if invite is None or application.state == ApplicationState.DRAFT:
        return None
    parts = urlsplit(invite.redirect_url)
    query = [(key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True)
             if key not in {"vouch_reference", "vouch_status", "vouch_invite", "external_id"}]
    query += [("vouch_reference", application.reference), ("vouch_status", application.state),
              ("vouch_invite", invite.public_id), ("external_id", invite.external_id)]
    return invite.partner.name, urlunsplit(parts._replace(query=urlencode(query)))
