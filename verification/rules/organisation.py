"""Rules about the organisation: its register, charitable status, exclusions, budget and country."""

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from core.money import format_minor, minor_exponent, to_minor
from verification.rules.facts import (
    EXCLUSION_CODES,
    EXCLUSION_MESSAGES,
    FAIL,
    PASS,
    PUB78_501C3_CODES,
    REVIEW,
    OrganisationFacts,
    ProgramRules,
    Verdict,
    _day,
    applicant_evidence,
    message,
    org_evidence,
)

# --- the organisation and its register ----------------------------------------------------------------------


def check_registered(org: OrganisationFacts | None, *, org_id: str = "", is_manual: bool = False) -> Verdict:
    if org is None and is_manual:
        return Verdict(
            "registered",
            REVIEW,
            "manual_organisation_needs_documents",
            _(
                "The organisation was added by hand, not found in a register: documents proving its "
                "registration are needed and a reviewer will check them."
            ),
            applicant_evidence("organisation", None),
        )
    if org is None:
        return Verdict(
            "registered",
            FAIL,
            "not_registered",
            message(
                _("No organisation with the identifier %(org_id)s is in the registers Vouch uses."),
                org_id=org_id or "?",
            ),
            {"record": org_id, "field": "org_id", "value": None, "source": None, "source_date": None},
        )
    if org.status != "active":
        return Verdict(
            "registered",
            FAIL,
            "registration_inactive",
            message(
                _("%(name)s is no longer active in its register (since %(date)s: %(reason)s)."),
                name=org.name,
                date=_day(org.removed_on) or "?",
                reason=org.removal_reason or "?",
            ),
            org_evidence(org, "status", org.status, removed_on=_day(org.removed_on), removal_reason=org.removal_reason),
        )
    return Verdict(
        "registered",
        PASS,
        "registered",
        message(_("%(name)s is registered and active (%(source)s)."), name=org.name, source=org.source),
        org_evidence(org, "status", org.status),
    )


def check_charitable_status(org: OrganisationFacts) -> Verdict:
    """US: a 501(c)(3) organisation. Elsewhere the registers Vouch imports are charity registers: being on one
    (and active, which check_registered decides) is the status."""
    if org.country != "US":
        return Verdict(
            "charitable_status",
            PASS,
            "charitable_status_confirmed",
            message(_("%(name)s is on the charity register %(source)s."), name=org.name, source=org.source),
            org_evidence(org, "source", org.source),
        )
    bmf = org.raw_codes.get("us-irs-bmf")
    if bmf is not None:  # the BMF is the authoritative US register: when it lists the organisation, it decides
        subsection = bmf.get("SUBSECTION", "")
        evidence = org_evidence(org, "SUBSECTION", subsection, source="us-irs-bmf")
        if subsection == "03":
            return Verdict(
                "charitable_status",
                PASS,
                "charitable_status_confirmed",
                _("The IRS lists the organisation as a 501(c)(3) organisation."),
                evidence,
            )
        return Verdict(
            "charitable_status",
            FAIL,
            "not_charitable_status",
            message(
                _(
                    "The IRS lists the organisation under section 501(c)(%(subsection)s), not "
                    "501(c)(3): only 501(c)(3) organisations are eligible."
                ),
                subsection=subsection.lstrip("0") or "?",
            ),
            evidence,
        )
    pub78 = org.raw_codes.get("us-irs-pub78") or {}
    codes = sorted(set(pub78.get("deductibility") or []))
    if PUB78_501C3_CODES.intersection(codes):
        return Verdict(
            "charitable_status",
            PASS,
            "charitable_status_confirmed",
            _("IRS Publication 78 lists the organisation as a 501(c)(3) organisation."),
            org_evidence(org, "deductibility", codes, source="us-irs-pub78"),
        )
    revocation = org.raw_codes.get("us-irs-revocations") or {}
    if revocation.get("exemption_type") == "03" and revocation.get("reinstated_on"):
        return Verdict(
            "charitable_status",
            PASS,
            "charitable_status_confirmed",
            _("The IRS reinstated the organisation's 501(c)(3) exemption."),
            org_evidence(
                org, "exemption_type", "03", source="us-irs-revocations", reinstated_on=revocation.get("reinstated_on")
            ),
        )
    return Verdict(
        "charitable_status",
        FAIL,
        "not_charitable_status",
        _(
            "No IRS record shows the organisation as a 501(c)(3) organisation: only 501(c)(3) "
            "organisations are eligible."
        ),
        org_evidence(org, "deductibility", codes or None),
    )


def check_exclusions(org: OrganisationFacts, program: ProgramRules) -> list[Verdict]:
    """One failing verdict per excluded kind the organisation is, or one pass."""
    failures: dict[str, Verdict] = {}
    for category in program.exclusions:
        if category not in org.categories:
            continue
        code = EXCLUSION_CODES.get(category, f"excluded_{category}")
        if code in failures:
            continue
        evidence = org_evidence(org, "categories", list(org.categories), raw_codes=org.raw_codes.get(org.source))
        if code == "excluded_education":
            evidence["education_program_url"] = program.education_program_url
            text = (
                message(
                    _(
                        "Schools, colleges and universities are not eligible for the nonprofit discount; the "
                        "education program is meant for them: %(url)s"
                    ),
                    url=program.education_program_url,
                )
                if program.education_program_url
                else _(
                    "Schools, colleges and universities are not eligible for the nonprofit discount; ask the "
                    "vendor about its education program."
                )
            )
        else:
            text = EXCLUSION_MESSAGES.get(code) or message(
                _("Organisations of this kind (%(category)s) are not eligible for this program."), category=category
            )
        failures[code] = Verdict("exclusions", FAIL, code, text, evidence)
    if failures:
        return list(failures.values())
    return [
        Verdict(
            "exclusions",
            PASS,
            "not_excluded",
            _("The organisation is not of a kind this program excludes."),
            org_evidence(org, "categories", list(org.categories), excluded=list(program.exclusions)),
        )
    ]


# --- budget ---------------------------------------------------------------------------------------------------


def _over_cap(program: ProgramRules, amount: str, *, reported: bool = False) -> Any:
    """Above the cap: no self-serve discount; the sales contact is the way forward."""
    params = {
        "amount": amount,
        "cap": format_minor(program.budget_cap_minor, program.budget_currency),
        "sales": program.sales_contact_url or "-",
    }
    if reported and program.sales_contact_url:
        text = _(
            "The register reports an income of %(amount)s, above the program's cap of %(cap)s: the "
            "self-serve discount is not available; the vendor's sales team can help: %(sales)s"
        )
    elif reported:
        text = _(
            "The register reports an income of %(amount)s, above the program's cap of %(cap)s: the "
            "self-serve discount is not available; please contact the vendor's sales team."
        )
    elif program.sales_contact_url:
        text = _(
            "The annual budget (%(amount)s) is above the program's cap of %(cap)s: the self-serve "
            "discount is not available; the vendor's sales team can help: %(sales)s"
        )
    else:
        text = _(
            "The annual budget (%(amount)s) is above the program's cap of %(cap)s: the self-serve "
            "discount is not available; please contact the vendor's sales team."
        )
    return message(text, **params)


def check_declared_budget(program: ProgramRules, declared_budget_minor: int | None) -> Verdict:
    evidence = applicant_evidence(
        "declared_budget_minor",
        declared_budget_minor,
        currency=program.budget_currency,
        cap_minor=program.budget_cap_minor,
    )
    if declared_budget_minor is None:
        return Verdict(
            "declared_budget",
            REVIEW,
            "budget_not_declared",
            _("The applicant did not declare the organisation's annual budget."),
            evidence,
        )
    if declared_budget_minor > program.budget_cap_minor:  # the cap is inclusive
        return Verdict(
            "declared_budget",
            FAIL,
            "over_budget_cap",
            _over_cap(program, format_minor(declared_budget_minor, program.budget_currency)),
            evidence,
        )
    return Verdict(
        "declared_budget",
        PASS,
        "within_budget_cap",
        _("The declared annual budget is within the program's cap."),
        evidence,
    )


def convert_minor(amount_minor: int, currency: str, program: ProgramRules) -> int | None:
    """An amount in the program's currency (half-up, once), or None when no rate is configured."""
    currency = currency.upper()
    target = program.budget_currency.upper()
    if currency == target:
        return amount_minor
    rate = program.exchange_rates.get(currency)
    if rate is None:
        return None
    major = Decimal(amount_minor) / (10 ** minor_exponent(currency))
    return to_minor(major * Decimal(rate), target)


def check_registry_income(org: OrganisationFacts, program: ProgramRules) -> Verdict:
    evidence = org_evidence(
        org,
        "income_minor",
        org.income_minor,
        currency=org.income_currency or None,
        period_end=_day(org.income_period_end),
        cap_minor=program.budget_cap_minor,
        cap_currency=program.budget_currency,
    )
    if org.income_minor is None:
        return Verdict(
            "registry_income",
            PASS,
            "no_registry_income",
            _("The register reports no income for the organisation; the declared budget is used."),
            evidence,
        )
    converted = convert_minor(org.income_minor, org.income_currency or program.budget_currency, program)
    if converted is None:
        return Verdict(
            "registry_income",
            REVIEW,
            "budget_unverifiable",
            message(
                _(
                    "The register reports income in %(currency)s and the program has no exchange rate "
                    "for it: a reviewer compares it with the cap."
                ),
                currency=org.income_currency,
            ),
            evidence,
        )
    evidence.update(converted_minor=converted, rate=str(program.exchange_rates.get(org.income_currency.upper(), 1)))
    if converted > program.budget_cap_minor:
        amount = format_minor(converted, program.budget_currency)
        if (org.income_currency or program.budget_currency).upper() != program.budget_currency.upper():
            amount = f"{format_minor(org.income_minor, org.income_currency)} ≈ {amount}"
        return Verdict("registry_income", FAIL, "over_budget_cap", _over_cap(program, amount, reported=True), evidence)
    return Verdict(
        "registry_income",
        PASS,
        "within_budget_cap",
        _("The income the register reports is within the program's cap."),
        evidence,
    )


# --- country ---------------------------------------------------------------------------------------------------


def _country_evidence(org: OrganisationFacts | None, country: str, **extra) -> dict[str, Any]:
    return org_evidence(org, "country", country, **extra) if org else applicant_evidence("country", country, **extra)


def check_sanctioned_country(program: ProgramRules, country: str, org: OrganisationFacts | None = None) -> Verdict:
    evidence = _country_evidence(org, country, sanctioned=list(program.sanctioned_countries))
    if country.upper() in program.sanctioned_countries:
        return Verdict(
            "sanctioned_country",
            FAIL,
            "sanctioned_country",
            message(_("Organisations registered in %(country)s cannot be served (sanctions)."), country=country),
            evidence,
        )
    return Verdict(
        "sanctioned_country", PASS, "not_sanctioned", _("The organisation's country is not under sanctions."), evidence
    )


def check_country_supported(program: ProgramRules, country: str, org: OrganisationFacts | None = None) -> Verdict:
    evidence = _country_evidence(org, country, supported=list(program.supported_countries))
    if program.supported_countries and country.upper() not in program.supported_countries:
        return Verdict(
            "supported_country",
            FAIL,
            "country_not_supported",
            message(_("The program does not yet serve organisations registered in %(country)s."), country=country),
            evidence,
        )
    return Verdict(
        "supported_country", PASS, "country_supported", _("The program serves organisations of this country."), evidence
    )
