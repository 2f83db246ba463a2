"""Intake: the one way an application is created, filled, proven and submitted, whichever front door it comes
through (the web journey, a partner's hosted invite, the partner API). Each front door parses its own input and
calls these services; the rules they enforce live here once:

- the budget gate: above the program's cap (inclusive) the self-serve discount is not offered (`intake_budget_gate`);
- the country list: the program's countries (programs.selectors), checked for every organisation;
- text as people type it: cleaned once (core.text), names on one line;
- a draft changes only while it is a draft: a conditional UPDATE (`intake_update`), so a request racing the
  submission never changes a submitted application;
- the applicant's own acts: proving the email with a one-time code and accepting the terms (consent recorded with
  the terms and privacy versions, time, client address and browser) are never done by a partner.
"""

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from core.emails import email_normalise
from core.errors import Conflict, InvalidInput
from core.text import text_clean
from programs.models import Program
from programs.selectors import program_country_check
from registry.models import Organisation
from registry.selectors import organisation_get
from verification.email_challenges import email_challenge_send, email_challenge_verify
from verification.models import Application, ApplicationState
from verification.rules import convert_minor
from verification.selectors import program_rules
from verification.services.applications import application_start, application_submit

MAX_NAME_CHARS = 200
MANUAL_FIELDS = ("manual_name", "manual_registry_number", "manual_website", "manual_address")


class OverBudgetCap(InvalidInput):
    """Above the cap the self-serve program is not offered; the vendor's sales team is (details say where)."""

    code = "over_budget_cap"


def intake_budget_gate(*, program: Program, amount_minor: int, currency: str = "") -> int:
    """The declared budget in the program's currency. Raises InvalidInput for a negative amount or a currency the
    program cannot convert, and OverBudgetCap above the cap (the cap is inclusive, as the program page says)."""
    currency = (currency or program.budget_currency).upper()
    if amount_minor < 0:
        raise InvalidInput(_("The budget cannot be negative."), code="invalid_input", details={"field": "budget"})
    converted = convert_minor(amount_minor, currency, program_rules(program=program))
    if converted is None:
        raise InvalidInput(
            _("The program cannot convert budgets in %(currency)s. Give it in %(program)s.")
            % {"currency": currency, "program": program.budget_currency},
            code="budget_currency_not_supported",
            details={"currency": currency, "program_currency": program.budget_currency},
        )
    if converted > program.budget_cap_minor:
        raise OverBudgetCap(
            _(
                "The budget is above the program's cap: the self-serve discount is not offered. "
                "The vendor's sales team can help."
            ),
            details={
                "cap_minor": program.budget_cap_minor,
                "currency": program.budget_currency,
                "budget_minor": converted,
                "sales_contact_url": program.sales_contact_url,
            },
        )
    return converted


def intake_update(*, application: Application, **fields) -> Application:
    """Write entered values, but only while the application is a draft (a conditional UPDATE)."""
    if not Application.objects.filter(pk=application.pk, state=ApplicationState.DRAFT).update(**fields):
        raise Conflict(_("This application was already submitted."), code="application_not_draft")
    for name, value in fields.items():
        setattr(application, name, value)
    return application


def intake_start(
    *,
    program: Program,
    language: str,
    budget_minor: int,
    currency: str = "",
    partner=None,
    now: datetime | None = None,
    **fields,
) -> Application:
    """A new draft past the budget gate, optionally bound to the partner that brought it and prefilled with
    already-checked `fields`. Call inside the caller's transaction when something else must happen with it."""
    budget = intake_budget_gate(program=program, amount_minor=budget_minor, currency=currency)
    with transaction.atomic():
        application = application_start(program=program, language=language, now=now)
        intake_update(application=application, declared_budget_minor=budget, partner=partner, **fields)
    return application


def intake_country_set(*, application: Application, country: str) -> Application:
    code = program_country_check(program=application.program, country=country)
    fields: dict = {"country": code}
    if application.organisation is not None and application.organisation.country != code:
        fields["organisation"] = None  # a registry record belongs to one country
    return intake_update(application=application, **fields)


def intake_organisation_choose(*, application: Application, org_id: str) -> Organisation:
    """The registry record the applicant chose; it must be of the application's country (when one is set)."""
    organisation = organisation_get(org_id=text_clean(org_id, field="org_id", max_chars=48, single_line=True))
    code = program_country_check(program=application.program, country=organisation.country)
    if application.country and organisation.country != application.country:
        raise InvalidInput(
            _("Choose your organisation in the list."),
            code="organisation_country_mismatch",
            details={"field": "org_id", "country": application.country},
        )
    intake_update(application=application, organisation=organisation, country=code, **dict.fromkeys(MANUAL_FIELDS, ""))
    return organisation


def manual_organisation_fields(*, legal_name: str, address: str, registry_number: str = "", website: str = "") -> dict:
    """An organisation described by hand (not in a register: documents and a review follow), cleaned."""
    return {
        "manual_name": text_clean(
            legal_name, field="organisation.legal_name", max_chars=300, required=True, single_line=True
        ),
        "manual_registry_number": text_clean(
            registry_number, field="organisation.registry_number", max_chars=60, single_line=True
        ),
        "manual_website": text_clean(website, field="organisation.website", max_chars=300, single_line=True),
        "manual_address": text_clean(address, field="organisation.address", max_chars=2000, required=True),
    }


def intake_organisation_manual(
    *, application: Application, legal_name: str, address: str, registry_number: str = "", website: str = ""
) -> Application:
    fields = manual_organisation_fields(
        legal_name=legal_name, address=address, registry_number=registry_number, website=website
    )
    return intake_update(application=application, organisation=None, **fields)


def applicant_name_clean(name: str) -> str:
    return text_clean(name, field="applicant_name", max_chars=MAX_NAME_CHARS, required=True, single_line=True)


def intake_representative_set(*, application: Application, name: str) -> Application:
    return intake_update(application=application, applicant_name=applicant_name_clean(name))


def intake_email_set(*, application: Application, email: str, ip: str = "") -> bool:
    """Record the email and send it a one-time code. False when that address is already proven (no new code).
    `ip`: the client address, for the per-client limit on codes (core.client_ip)."""
    normalised = email_normalise(text_clean(email, field="email", max_chars=254, required=True, single_line=True))
    if application.email_verified_at and normalised.lower() == application.email.lower():
        return False
    email_challenge_send(application=application, email=normalised, ip=ip)
    return True


def intake_email_prove(*, application: Application, code: str) -> Application:
    email_challenge_verify(application=application, code=code)
    return application


def intake_submit(
    *, application: Application, ip: str | None, user_agent: str, language: str = "", now: datetime | None = None
) -> Application:
    """The applicant accepts the program's terms and privacy notice and submits: the checks run and what the
    registers settle is decided at once."""
    return application_submit(application=application, ip=ip, user_agent=user_agent, language=language, now=now)
